/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-fetch"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cachet-fetch-private.h"
#include "cachet-net-error.h"
#include "cachet-pop3-session.h"
#include "cachet-secrets.h"

/* The fetch itself, in the worker thread.  The order of the steps is the safety argument
 * (see cachet-fetcher.h): nothing is deleted on the server before the commit that stores
 * it, and the ledger is checked before anything is fetched. */

/* A batch is committed when it holds this many messages or bytes, or is this old. */
#define BATCH_MESSAGES 64
#define BATCH_BYTES    (8 * 1024 * 1024)
#define BATCH_USEC     (G_USEC_PER_SEC / 2)

/* At most this often to the caller's main context, besides stage changes. */
#define PROGRESS_USEC  (G_USEC_PER_SEC / 10)

typedef struct
{
  CachetFetchJob      *job;
  GCancellable        *cancellable;
  CachetStoreIncoming *incoming;
  CachetStoreBatch    *in_flight;
  GHashTable          *by_number;     /* number -> CachetFetchItem */
  GHashTable          *stored;        /* UIDL -> NULL: committed */
  gboolean             headers_only;
  CachetFetchItem     *current;
  guint64              current_bytes;
  gint64               batch_started;
  guint                n_done;
  guint                n_total;
  guint64              bytes_done;    /* of completed messages, as LIST counts them */
  guint64              bytes_total;
} Receive;

/* Progress, relayed to the caller's context.  Each event holds the relay, so the callback
 * stays valid however long the event waits there. */

typedef struct
{
  CachetFetchProgressRelay *relay;
  char                     *account_id;
  char                     *account_name;
  CachetFetchProgress       progress;
} ProgressEvent;

CachetFetchProgressRelay *
_cachet_fetch_progress_relay_new (CachetFetchProgressFunc func,
                                  gpointer                data,
                                  GDestroyNotify          destroy)
{
  CachetFetchProgressRelay *relay = g_new0 (CachetFetchProgressRelay, 1);

  g_atomic_ref_count_init (&relay->ref);
  relay->context = g_main_context_ref_thread_default ();
  relay->func = func;
  relay->data = data;
  relay->destroy = destroy;
  return relay;
}

void
_cachet_fetch_progress_relay_unref (CachetFetchProgressRelay *relay)
{
  if (relay == NULL || !g_atomic_ref_count_dec (&relay->ref))
    return;
  if (relay->destroy)
    relay->destroy (relay->data);
  g_main_context_unref (relay->context);
  g_free (relay);
}

static void
progress_event_free (gpointer data)
{
  ProgressEvent *event = data;

  _cachet_fetch_progress_relay_unref (event->relay);
  g_free (event->account_id);
  g_free (event->account_name);
  g_free (event);
}

static gboolean
progress_event_cb (gpointer data)
{
  ProgressEvent *event = data;

  event->progress.account_id = event->account_id;
  event->progress.account_name = event->account_name;
  event->relay->func (&event->progress, event->relay->data);
  return G_SOURCE_REMOVE;
}

void
_cachet_fetch_report (CachetFetchJob  *job,
                      CachetFetchStage stage,
                      guint            n_done,
                      guint            n_total,
                      guint64          bytes_done,
                      guint64          bytes_total,
                      gboolean         force)
{
  gint64 now = g_get_monotonic_time ();
  ProgressEvent *event;
  GSource *source;

  if (job->relay == NULL || job->relay->func == NULL
      || (!force && now - job->last_progress < PROGRESS_USEC))
    return;
  job->last_progress = now;
  event = g_new0 (ProgressEvent, 1);
  event->relay = job->relay;
  g_atomic_ref_count_inc (&job->relay->ref);
  event->account_id = g_strdup (job->account_id);
  event->account_name = g_strdup (job->account_name);
  event->progress.stage = stage;
  event->progress.n_done = n_done;
  event->progress.n_total = n_total;
  event->progress.bytes_done = MIN (bytes_done, bytes_total);
  event->progress.bytes_total = bytes_total;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, progress_event_cb, event, progress_event_free);
  g_source_set_static_name (source, "[cachet] fetch progress");
  g_source_attach (source, job->relay->context);
  g_source_unref (source);
}

static void
notice (CachetFetchJob *job,
        char           *text)
{
  g_ptr_array_add (job->result->notices, text);
}

static CachetTlsCheck *
tls_check_copy (const CachetTlsCheck *check)
{
  CachetTlsCheck *copy = g_new0 (CachetTlsCheck, 1);

  copy->trusted = check->trusted;
  copy->pinned = check->pinned;
  copy->pin_mismatch = check->pin_mismatch;
  copy->sha256_hex = g_strdup (check->sha256_hex);
  copy->subject = g_strdup (check->subject);
  copy->issuer = g_strdup (check->issuer);
  copy->not_after = check->not_after ? g_date_time_ref (check->not_after) : NULL;
  copy->problems = check->problems;
  return copy;
}

/* One fetch of an account at a time, also across processes (a window and `cachet fetch`):
 * two would both see a message as new. */
static int
take_lock (CachetFetchJob *job,
           GError        **error)
{
  g_autofree char *key = cachet_store_ledger_key (job->account_id);
  g_autofree char *name = g_strdup_printf ("fetch-%s.lock", key);
  g_autofree char *path = g_build_filename (cachet_store_get_data_dir (job->store), name,
                                            NULL);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      g_set_error (error, CACHET_FETCH_ERROR, CACHET_FETCH_ERROR_FAILED,
                   _("Could not create “%s”: %s"), path, g_strerror (errno));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      g_set_error (error, CACHET_FETCH_ERROR, CACHET_FETCH_ERROR_BUSY,
                   _("Mail for %s is being fetched already."), job->account_name);
      return -1;
    }
  return fd;
}

/* Receiving */

static gboolean
finish_in_flight (Receive *r,
                  GError **error)
{
  g_autoptr(GPtrArray) stored = NULL;
  guint n_new = 0;

  if (r->in_flight == NULL)
    return TRUE;
  if (!cachet_store_batch_finish (g_steal_pointer (&r->in_flight), &stored, &n_new, error))
    return FALSE;
  for (guint i = 0; i < stored->len; i++)
    g_hash_table_add (r->stored, g_steal_pointer (&stored->pdata[i]));
  r->job->result->n_new += n_new;
  return TRUE;
}

/* Hands the pending messages to the store; the previous batch must be done first, so at most
 * one is being committed while the next arrives. */
static gboolean
commit_pending (Receive *r,
                GError **error)
{
  if (!finish_in_flight (r, error))
    return FALSE;
  r->in_flight = cachet_store_incoming_commit (r->incoming);
  r->batch_started = 0;
  return TRUE;
}

static gboolean
receive_sink (guint         number,
              const guint8 *data,
              gsize         len,
              gboolean      done,
              gpointer      user_data,
              GError      **error)
{
  Receive *r = user_data;

  if (r->current == NULL || r->current->number != number)
    {
      CachetFetchItem *item = g_hash_table_lookup (r->by_number, GUINT_TO_POINTER (number));

      if (r->current != NULL || item == NULL)
        {
          g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_PROTOCOL,
                       _("The server sent message %u out of turn."), number);
          return FALSE;
        }
      if (!cachet_store_incoming_begin (r->incoming, item->uidl, r->headers_only, error))
        return FALSE;
      r->current = item;
      r->current_bytes = 0;
      if (r->batch_started == 0)
        r->batch_started = g_get_monotonic_time ();
    }
  if (len > 0)
    {
      if (!cachet_store_incoming_write (r->incoming, data, len, error))
        return FALSE;
      r->current_bytes += len;
    }
  if (!done)
    {
      _cachet_fetch_report (r->job, CACHET_FETCH_STAGE_RECEIVING, r->n_done, r->n_total,
                            r->bytes_done + MIN (r->current_bytes, r->current->size),
                            r->bytes_total, FALSE);
      return TRUE;
    }

  if (!cachet_store_incoming_end (r->incoming, error))
    return FALSE;
  r->n_done++;
  if (!r->headers_only)
    r->bytes_done += r->current->size;
  r->current = NULL;
  _cachet_fetch_report (r->job, CACHET_FETCH_STAGE_RECEIVING, r->n_done, r->n_total,
                        r->bytes_done, r->bytes_total, FALSE);
  if (cachet_store_incoming_get_n_pending (r->incoming) >= BATCH_MESSAGES
      || cachet_store_incoming_get_pending_size (r->incoming) >= BATCH_BYTES
      || g_get_monotonic_time () - r->batch_started >= BATCH_USEC)
    return commit_pending (r, error);
  return TRUE;
}

static gboolean
receive (Receive           *r,
         CachetPop3Session *session,
         GPtrArray         *items,
         CachetFetchAction  action,
         GError           **error)
{
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean ok;

  for (guint i = 0; i < items->len; i++)
    {
      CachetFetchItem *item = g_ptr_array_index (items, i);
      if (item->action == action)
        g_array_append_val (numbers, item->number);
    }
  if (numbers->len == 0)
    return TRUE;
  r->headers_only = action == CACHET_FETCH_HEADERS;
  ok = cachet_pop3_session_retrieve (session, (const guint *) numbers->data, numbers->len,
                                     r->headers_only, receive_sink, r, r->cancellable, error);
  if (r->current != NULL)
    {
      /* Broken off in the middle of a message: that one stays on the server. */
      cachet_store_incoming_abandon (r->incoming);
      r->current = NULL;
    }
  return ok;
}

/* Commits everything complete, also after a failure; FALSE when that commit failed. */
static gboolean
receive_flush (Receive *r,
               GError **error)
{
  if (!commit_pending (r, error))
    return FALSE;
  return finish_in_flight (r, error);
}

/* Safe mode: the key of each message from its size and header block. */

typedef struct
{
  GHashTable      *by_number;
  CachetFetchItem *current;
  GChecksum       *checksum;
} HeaderPass;

static gboolean
header_sink (guint         number,
             const guint8 *data,
             gsize         len,
             gboolean      done,
             gpointer      user_data,
             GError      **error)
{
  HeaderPass *h = user_data;

  if (h->current == NULL)
    {
      h->current = g_hash_table_lookup (h->by_number, GUINT_TO_POINTER (number));
      if (h->current == NULL)
        {
          g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_PROTOCOL,
                       _("The server sent message %u out of turn."), number);
          return FALSE;
        }
      g_checksum_reset (h->checksum);
    }
  if (len > 0)
    g_checksum_update (h->checksum, data, len);
  if (done)
    {
      g_free (h->current->uidl);
      h->current->uidl = _cachet_fetch_header_key (h->current->size, h->checksum);
      h->current = NULL;
    }
  return TRUE;
}

/* Keys the items without a UIDL by their headers (TOP n 0). */
static gboolean
key_by_headers (CachetPop3Session *session,
                GPtrArray         *items,
                GHashTable        *by_number,
                GCancellable      *cancellable,
                GError           **error)
{
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  HeaderPass h = { by_number, NULL, g_checksum_new (G_CHECKSUM_SHA256) };
  gboolean ok;

  for (guint i = 0; i < items->len; i++)
    {
      CachetFetchItem *item = g_ptr_array_index (items, i);
      if (item->by_headers)
        g_array_append_val (numbers, item->number);
    }
  ok = numbers->len == 0
       || cachet_pop3_session_retrieve (session, (const guint *) numbers->data, numbers->len,
                                        TRUE, header_sink, &h, cancellable, error);
  g_checksum_free (h.checksum);
  for (guint i = 0; ok && i < items->len; i++)
    if (((CachetFetchItem *) g_ptr_array_index (items, i))->uidl == NULL)
      {
        g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_PROTOCOL,
                     _("The server did not send the headers of every message."));
        ok = FALSE;
      }
  return ok;
}

/* Deleting */

static gboolean
delete_on_server (CachetFetchJob    *job,
                  CachetPop3Session *session,
                  GPtrArray         *items,
                  GCancellable      *cancellable,
                  guint             *n_marked,
                  GError           **error)
{
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < items->len; i++)
    {
      CachetFetchItem *item = g_ptr_array_index (items, i);
      if (_cachet_fetch_should_delete (item, &job->policy, now))
        g_array_append_val (numbers, item->number);
    }
  *n_marked = numbers->len;
  if (numbers->len == 0)
    return TRUE;
  _cachet_fetch_report (job, CACHET_FETCH_STAGE_DELETING, 0, numbers->len, 0, 0, TRUE);
  g_debug ("%s: deleting %u messages on the server", job->account_id, numbers->len);
  return cachet_pop3_session_delete (session, (const guint *) numbers->data, numbers->len,
                                     cancellable, error);
}

/* The fetch */

static gboolean
connect_and_login (CachetFetchJob     *job,
                   CachetPop3Session  *session,
                   GCancellable       *cancellable,
                   GError            **error)
{
  CachetSecretKey key = { job->account_id, "pop3", job->pop3->host, job->pop3->user };
  char *password;
  gboolean ok;

  _cachet_fetch_report (job, CACHET_FETCH_STAGE_PASSWORD, 0, 0, 0, 0, TRUE);
  password = cachet_secrets_lookup_sync (&key, job->secrets_timeout_ms, cancellable, error);
  if (password == NULL)
    return FALSE;

  _cachet_fetch_report (job, CACHET_FETCH_STAGE_CONNECTING, 0, 0, 0, 0, TRUE);
  ok = cachet_pop3_session_connect (session, job->pop3, job->ca_file, job->network_timeout_s,
                                    cancellable, error);
  if (!ok)
    {
      const CachetTlsCheck *check = cachet_pop3_session_get_tls_check (session);
      if (check != NULL)
        job->result->tls_check = tls_check_copy (check);
    }
  else
    ok = cachet_pop3_session_login (session, job->pop3->user, password, job->pop3->auth,
                                    cancellable, error);
  cachet_secrets_password_free (password);
  return ok;
}

static GPtrArray *
list_items (CachetFetchJob    *job,
            CachetPop3Session *session,
            GHashTable        *by_number,
            GCancellable      *cancellable,
            GError           **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) items =
    g_ptr_array_new_with_free_func ((GDestroyNotify) _cachet_fetch_item_free);
  guint n_without = 0;

  _cachet_fetch_report (job, CACHET_FETCH_STAGE_LISTING, 0, 0, 0, 0, TRUE);
  entries = cachet_pop3_session_list (session, cancellable, error);
  if (entries == NULL)
    return NULL;
  for (guint i = 0; i < entries->len; i++)
    {
      CachetPop3Entry *e = g_ptr_array_index (entries, i);
      CachetFetchItem *item = g_new0 (CachetFetchItem, 1);

      item->number = e->number;
      item->size = e->size;
      if (e->uidl != NULL && *e->uidl != '\0')
        item->uidl = g_strdup (e->uidl);
      else
        {
          item->by_headers = TRUE;
          n_without++;
        }
      g_ptr_array_add (items, item);
      g_hash_table_insert (by_number, GUINT_TO_POINTER (item->number), item);
    }
  job->result->n_on_server = items->len;
  if (!cachet_pop3_session_has_uidl (session))
    {
      job->policy.safe_mode = TRUE;
      job->result->no_uidl = TRUE;
      notice (job, g_strdup_printf (_("The server %s does not give its messages unique ids "
                                      "(UIDL). Cachet recognises the messages it has by their "
                                      "headers and leaves all mail on the server."),
                                    job->pop3->host));
    }
  else if (n_without > 0)
    notice (job, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "The server gave %u message no usable unique "
                                               "id. Cachet recognises it by its headers and "
                                               "leaves it on the server.",
                                               "The server gave %u messages no usable unique "
                                               "id. Cachet recognises them by their headers "
                                               "and leaves them on the server.",
                                               n_without),
                                  n_without));
  if (n_without > 0 && !key_by_headers (session, items, by_number, cancellable, error))
    return NULL;
  return g_steal_pointer (&items);
}

gboolean
_cachet_fetch_run (CachetFetchJob *job,
                   GCancellable   *cancellable,
                   GError        **error)
{
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GHashTable) by_number = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GHashTable) ledger = NULL;
  g_autoptr(CachetFolderInfo) inbox = NULL;
  g_autoptr(GError) receive_error = NULL;
  g_autoptr(GError) local_error = NULL;
  Receive r = { 0 };
  guint n_marked = 0;
  int lock_fd;
  gboolean ok = FALSE;

  lock_fd = take_lock (job, error);
  if (lock_fd < 0)
    return FALSE;

  session = cachet_pop3_session_new ();
  if (!connect_and_login (job, session, cancellable, error))
    goto out;
  items = list_items (job, session, by_number, cancellable, error);
  if (items == NULL)
    goto out;

  inbox = cachet_store_get_folder_by_role (job->store, CACHET_FOLDER_ROLE_INBOX);
  if (inbox == NULL)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                   _("There is no Inbox to fetch mail into."));
      goto out;
    }
  /* The ledger, read after listing: a commit of an earlier fetch is in it. */
  ledger = cachet_store_ledger_get_sync (job->store, job->account_id, error);
  if (ledger == NULL)
    goto out;
  _cachet_fetch_plan (items, ledger, &job->policy);

  r.job = job;
  r.cancellable = cancellable;
  r.by_number = by_number;
  r.stored = stored;
  r.incoming = cachet_store_incoming_new (job->store, inbox->id, job->account_id, error);
  if (r.incoming == NULL)
    goto out;
  for (guint i = 0; i < items->len; i++)
    {
      CachetFetchItem *item = g_ptr_array_index (items, i);
      if (item->action == CACHET_FETCH_FULL)
        {
          r.n_total++;
          r.bytes_total += item->size;
        }
      else if (item->action == CACHET_FETCH_HEADERS)
        r.n_total++;
      else if (item->action == CACHET_FETCH_SKIP)
        job->result->n_skipped++;
    }
  g_debug ("%s: %u on the server, %u to fetch", job->account_id, items->len, r.n_total);
  _cachet_fetch_report (job, CACHET_FETCH_STAGE_RECEIVING, 0, r.n_total, 0, r.bytes_total, TRUE);

  if (receive (&r, session, items, CACHET_FETCH_FULL, &receive_error))
    receive (&r, session, items, CACHET_FETCH_HEADERS, &receive_error);
  /* What arrived complete is committed whatever happened since. */
  if (!receive_flush (&r, &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      goto out;
    }
  for (guint i = 0; i < items->len; i++)
    {
      CachetFetchItem *item = g_ptr_array_index (items, i);
      if (item->action == CACHET_FETCH_FULL || item->action == CACHET_FETCH_HEADERS)
        item->stored_now = g_hash_table_contains (stored, item->uidl);
      if (item->action == CACHET_FETCH_HEADERS && item->stored_now)
        job->result->n_headers_only++;
    }
  /* A refused RETR leaves the session usable: what was stored may still be deleted.  Any
   * other failure ends the session (nothing is deleted: the next fetch does it). */
  if (receive_error != NULL
      && !g_error_matches (receive_error, CACHET_NET_ERROR, CACHET_NET_ERROR_SERVER))
    {
      g_propagate_error (error, g_steal_pointer (&receive_error));
      goto out;
    }

  if (!delete_on_server (job, session, items, cancellable, &n_marked, error))
    goto out;
  if (!cachet_pop3_session_quit (session, &local_error))
    {
      /* Everything is stored; only the deletions are in doubt (a later fetch does them). */
      if (n_marked > 0)
        notice (job, g_strdup_printf (_("The server did not confirm the end of the session, "
                                        "so some messages may not have been deleted there "
                                        "yet: %s"), local_error->message));
      g_clear_error (&local_error);
    }
  else
    job->result->n_deleted = n_marked;

  /* Rows of messages deleted locally that the server no longer has are of no more use; only
   * a complete list of UIDLs says which those are. */
  if (!job->policy.safe_mode)
    {
      g_autoptr(GPtrArray) uidls = g_ptr_array_new ();
      guint n = 0;

      for (guint i = 0; i < items->len; i++)
        {
          CachetFetchItem *item = g_ptr_array_index (items, i);
          if (item->by_headers)
            break;
          g_ptr_array_add (uidls, item->uidl);
        }
      if (uidls->len == items->len
          && !cachet_store_ledger_forget_sync (job->store, job->account_id,
                                            (const char * const *) uidls->pdata, uidls->len, &n,
                                            NULL, &local_error))
        g_warning ("Could not tidy the ledger of %s: %s", job->account_id,
                   local_error->message);
    }
  if (job->result->n_skipped > 0)
    notice (job, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "%u message larger than the limit was left on "
                                               "the server.",
                                               "%u messages larger than the limit were left "
                                               "on the server.",
                                               job->result->n_skipped),
                                  job->result->n_skipped));
  _cachet_fetch_report (job, CACHET_FETCH_STAGE_DONE, r.n_done, r.n_total, r.bytes_total,
                        r.bytes_total, TRUE);
  if (receive_error != NULL)
    g_propagate_error (error, g_steal_pointer (&receive_error));
  else
    ok = TRUE;

out:
  if (r.in_flight != NULL)
    finish_in_flight (&r, NULL);
  g_clear_pointer (&r.incoming, cachet_store_incoming_free);
  close (lock_fd);
  return ok;
}
