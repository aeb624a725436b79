/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-send"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cachet-net-error.h"
#include "cachet-secrets.h"
#include "cachet-send-private.h"
#include "cachet-tls.h"

/* A run of the sender, in its worker thread.  The order of the steps is the safety argument
 * (see cachet-store-outbox.c): the store records "trying" before a message's transaction and
 * "sent" after the server's acceptance, makes both durable before the move to Sent, and a
 * message is tried only while it is waiting, so nothing recorded sent or in doubt goes out
 * again by itself.
 *
 * One run at a time across processes (the window and `cachet send`), under "send.lock" in
 * the data directory: two senders would both find the same messages waiting. */

/* How often a run that finds the lock taken looks again. */
#define LOCK_POLL_USEC (G_USEC_PER_SEC / 10)

/* Events: emitted in the sender's context, in the order they were made. */

typedef struct
{
  GWeakRef  sender;
  char     *signal;
  gint64    message_id;
  char     *text;
  /* "certificate" */
  char           *account_id;
  CachetTlsCheck *check;
  GArray         *ids;
} SendEvent;

static void
send_event_free (gpointer data)
{
  SendEvent *e = data;

  g_weak_ref_clear (&e->sender);
  g_free (e->signal);
  g_free (e->text);
  g_free (e->account_id);
  cachet_tls_check_free (e->check);
  g_clear_pointer (&e->ids, g_array_unref);
  g_free (e);
}

static gboolean
send_event_cb (gpointer data)
{
  SendEvent *e = data;
  g_autoptr(GObject) sender = g_weak_ref_get (&e->sender);

  if (sender == NULL)
    return G_SOURCE_REMOVE;
  if (g_str_equal (e->signal, "sent"))
    g_signal_emit_by_name (sender, "sent", e->message_id, e->message_id);
  else if (g_str_equal (e->signal, "notice"))
    g_signal_emit_by_name (sender, "notice", e->message_id, e->text);
  else if (g_str_equal (e->signal, "certificate"))
    _cachet_sender_take_certificate (CACHET_SENDER (sender), e->account_id,
                                     g_steal_pointer (&e->check), e->ids);
  else
    g_signal_emit_by_name (sender, "changed", e->message_id);
  return G_SOURCE_REMOVE;
}

static SendEvent *
send_event_new (CachetSendJob *job,
                const char    *signal)
{
  g_autoptr(GObject) sender = g_weak_ref_get (&job->sender);
  SendEvent *e;

  if (sender == NULL)
    return NULL;
  e = g_new0 (SendEvent, 1);
  g_weak_ref_init (&e->sender, sender);
  e->signal = g_strdup (signal);
  return e;
}

static void
send_event_queue (CachetSendJob *job,
                  SendEvent     *e)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, send_event_cb, e, send_event_free);
  g_source_set_static_name (source, "[cachet] send event");
  g_source_attach (source, job->context);
  g_source_unref (source);
}

void
_cachet_send_emit (CachetSendJob *job,
                   const char    *signal,
                   gint64         message_id,
                   const char    *text)
{
  SendEvent *e = send_event_new (job, signal);

  if (e == NULL)
    return;
  e->message_id = message_id;
  e->text = g_strdup (text);
  send_event_queue (job, e);
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

void
_cachet_send_emit_certificate (CachetSendJob        *job,
                               const char           *account_id,
                               const CachetTlsCheck *check,
                               GArray               *ids)
{
  SendEvent *e = send_event_new (job, "certificate");

  if (e == NULL)
    return;
  e->account_id = g_strdup (account_id);
  e->check = check ? tls_check_copy (check) : NULL;
  e->ids = ids ? g_array_ref (ids) : NULL;
  send_event_queue (job, e);
}

static void
emit_moved (CachetSendJob *job,
            GArray        *moved)
{
  for (guint i = 0; moved != NULL && i < moved->len; i++)
    _cachet_send_emit (job, "sent", g_array_index (moved, gint64, i), NULL);
}

void
_cachet_send_account_free (CachetSendAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->id);
  g_free (account->name);
  g_free (account->address);
  g_clear_pointer (&account->smtp, cachet_server_settings_free);
  g_free (account->ca_file);
  g_free (account);
}

void
_cachet_send_job_free (CachetSendJob *job)
{
  if (job == NULL)
    return;
  g_clear_object (&job->store);
  g_clear_pointer (&job->accounts, g_hash_table_unref);
  g_clear_pointer (&job->retry, g_array_unref);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_weak_ref_clear (&job->sender);
  g_clear_object (&job->stop);
  g_clear_object (&job->cancel);
  g_free (job);
}

static gboolean
stopping (CachetSendJob *job)
{
  return g_cancellable_is_cancelled (job->stop) || g_cancellable_is_cancelled (job->cancel);
}

static int
take_lock (CachetSendJob *job,
           GError       **error)
{
  g_autofree char *path = g_build_filename (cachet_store_get_data_dir (job->store),
                                            "send.lock", NULL);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_IO,
                   _("Could not create “%s”: %s"), path, g_strerror (errno));
      return -1;
    }
  /* Another process is sending: its run ends soon (it sends what is due, then stops). */
  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      if (errno != EWOULDBLOCK && errno != EINTR)
        {
          g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_IO,
                       _("Could not lock “%s”: %s"), path, g_strerror (errno));
          close (fd);
          return -1;
        }
      if (g_cancellable_set_error_if_cancelled (job->stop, error)
          || g_cancellable_set_error_if_cancelled (job->cancel, error))
        {
          close (fd);
          return -1;
        }
      g_usleep (LOCK_POLL_USEC);
    }
  return fd;
}

/* One message's failure: recorded with its verdict. */
static void
record_failure (CachetSendJob            *job,
                const CachetOutboxRecord *record,
                const GError             *failure,
                gboolean                  reached_data)
{
  g_autoptr(GError) error = NULL;
  CachetSendVerdict verdict = _cachet_send_classify (failure, reached_data);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean ok;

  g_debug ("Message %" G_GINT64_FORMAT " not sent (%s): %s", record->message_id,
           verdict == CACHET_SEND_RETRY ? "retry" : verdict == CACHET_SEND_USER ? "user"
                                                                                : "in doubt",
           failure->message);
  if (verdict == CACHET_SEND_IN_DOUBT)
    {
      g_autofree char *reason =
        g_strdup_printf (_("The connection broke while the message was being sent, so the "
                           "server may have it already (%s). If the recipients did not get "
                           "it, send it again; otherwise delete it."), failure->message);
      ok = cachet_store_outbox_interrupted_sync (job->store, record->message_id, reason,
                                                 &error);
    }
  else
    ok = cachet_store_outbox_failed_sync (job->store, record->message_id,
                                          verdict == CACHET_SEND_RETRY ? CACHET_OUTBOX_WAITING
                                                                       : CACHET_OUTBOX_FAILED,
                                          verdict == CACHET_SEND_RETRY
                                          ? _cachet_send_next_try (record->attempts + 1, now)
                                          : 0,
                                          failure->message, &error);
  if (!ok)
    g_warning ("Could not record the failure of message %" G_GINT64_FORMAT ": %s",
               record->message_id, error->message);
  _cachet_send_emit (job, "changed", record->message_id, NULL);
}

/* The sentence for a certificate the account does not trust, with its fingerprint. */
static GError *
certificate_error (const CachetSendAccount *account,
                   CachetSmtpSession       *session,
                   GError                  *error)
{
  const CachetTlsCheck *check = cachet_smtp_session_get_tls_check (session);
  g_autofree char *why = NULL;
  GError *better;

  if (check == NULL || !g_error_matches (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE))
    return error;
  why = cachet_tls_check_describe (check, account->smtp->host);
  better = g_error_new (error->domain, error->code,
                        _("%s If you have checked that it is your server’s certificate, "
                          "trust it for this account (SHA-256 %s)."),
                        why, check->sha256_hex);
  g_error_free (error);
  return better;
}

static gboolean
open_session (CachetSendJob            *job,
              const CachetSendAccount  *account,
              CachetSmtpSession        *session,
              GError                  **error)
{
  const CachetServerSettings *smtp = account->smtp;
  char *password = NULL;
  GError *local_error = NULL;
  gboolean ok;

  if (smtp->auth != CACHET_AUTH_NONE)
    {
      CachetSecretKey key = { account->id, "smtp", smtp->host, smtp->user };

      if (smtp->user == NULL || *smtp->user == '\0')
        {
          g_set_error (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NOT_FOUND,
                       _("The account %s has no user name for its outgoing server."),
                       account->name);
          return FALSE;
        }
      password = cachet_secrets_lookup_sync (&key, job->secrets_timeout_ms, job->cancel,
                                             error);
      if (password == NULL)
        return FALSE;
    }
  ok = cachet_smtp_session_connect (session, smtp, account->ca_file, job->network_timeout_s,
                                    job->cancel, &local_error);
  if (!ok)
    local_error = certificate_error (account, session, local_error);
  else if (smtp->auth != CACHET_AUTH_NONE)
    ok = cachet_smtp_session_login (session, smtp->user, password, smtp->auth, job->cancel,
                                    &local_error);
  cachet_secrets_password_free (password);
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

/* Maps the message's file (never copied: a large attachment stays on disk). */
static GBytes *
map_message (CachetSendJob *job,
             gint64         message_id,
             GError       **error)
{
  g_autofree char *path = cachet_store_dup_message_path (job->store, message_id, error);
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;

  if (path == NULL)
    return NULL;
  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_IO,
                   _("The message could not be read: %s"), local_error->message);
      return NULL;
    }
  return g_mapped_file_get_bytes (mapped);
}

/* One message through an open session; FALSE (with @broken) when the session is no longer
 * usable. */
static gboolean
send_one (CachetSendJob            *job,
          const CachetSendAccount  *account,
          CachetSmtpSession        *session,
          const CachetOutboxRecord *record,
          GError                  **broken)
{
  g_autoptr(CachetSmtpSendResult) result = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  gboolean reached_data;

  if (!cachet_store_outbox_trying_sync (job->store, record->message_id, &error))
    {
      /* Withdrawn or moved meanwhile: not ours to send any more. */
      g_debug ("Not sending %" G_GINT64_FORMAT ": %s", record->message_id, error->message);
      return TRUE;
    }
  _cachet_send_emit (job, "changed", record->message_id, NULL);
  message = map_message (job, record->message_id, &error);
  if (message == NULL)
    {
      record_failure (job, record, error, FALSE);
      return TRUE;
    }
  if (cachet_smtp_session_send (session, account->address,
                                (const char * const *) record->recipients, message, &result,
                                job->cancel, &error))
    {
      g_autofree char *refused = _cachet_send_describe_refused (result);
      g_autoptr(GError) store_error = NULL;

      if (!cachet_store_outbox_sent_sync (job->store, record->message_id, &store_error))
        g_warning ("Could not record message %" G_GINT64_FORMAT " as sent: %s",
                   record->message_id, store_error->message);
      _cachet_send_emit (job, "changed", record->message_id, NULL);
      if (refused != NULL)
        {
          g_autofree char *text =
            g_strdup_printf (_("The message went to its other recipients, but %s refused "
                               "these: %s."), account->smtp->host, refused);
          _cachet_send_emit (job, "notice", record->message_id, text);
        }
      return TRUE;
    }
  reached_data = _cachet_send_reached_data (result);
  record_failure (job, record, error, reached_data);
  /* A refused message leaves the session usable (after a 421 the next message finds the
   * connection closed); a broken connection does not. */
  if (error->domain == CACHET_SMTP_ERROR)
    return TRUE;
  g_propagate_error (broken, g_steal_pointer (&error));
  return FALSE;
}

/* Every due message of one account, in one session.  FALSE only when the store failed. */
static gboolean
send_account (CachetSendJob  *job,
              const char     *account_id,
              GPtrArray      *records,
              GError        **store_error)
{
  const CachetSendAccount *account = g_hash_table_lookup (job->accounts, account_id);
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  guint i = 0;

  if (account == NULL || account->smtp == NULL || account->smtp->host == NULL
      || *account->smtp->host == '\0')
    {
      g_set_error (&error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                   account == NULL
                   ? _("The account this message was to be sent with no longer exists. Edit "
                       "the message and send it from another account.")
                   : _("The account has no outgoing (SMTP) server set up."));
      for (guint j = 0; j < records->len; j++)
        record_failure (job, g_ptr_array_index (records, j), error, FALSE);
      return TRUE;
    }

  for (guint j = 0; j < records->len; j++)
    g_array_append_val (ids, ((CachetOutboxRecord *) g_ptr_array_index (records, j))->message_id);
  if (!cachet_store_outbox_begin_sync (job->store, (const gint64 *) ids->data, ids->len, NULL,
                                       store_error))
    return FALSE;
  session = cachet_smtp_session_new ();
  if (!open_session (job, account, session, &error))
    {
      const CachetTlsCheck *check = cachet_smtp_session_get_tls_check (session);

      /* Told before the failures, so that the user is asked rather than told twice. */
      if (check != NULL && !check->trusted
          && (g_error_matches (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE)
              || g_error_matches (error, CACHET_NET_ERROR,
                                  CACHET_NET_ERROR_CERTIFICATE_CHANGED)))
        _cachet_send_emit_certificate (job, account->id, check, ids);
    }
  else
    {
      _cachet_send_emit_certificate (job, account->id, NULL, NULL);
      for (; i < records->len && !stopping (job); i++)
        if (!send_one (job, account, session, g_ptr_array_index (records, i), &error))
          {
            i++;
            break;
          }
      if (error == NULL)
        cachet_smtp_session_quit (session, NULL);
    }
  /* The rest were not tried: the session failed (they share its failure) or we stop. */
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    for (; i < records->len; i++)
      record_failure (job, g_ptr_array_index (records, i), error, FALSE);
  return TRUE;
}

static void
apply_retries (CachetSendJob *job)
{
  g_autoptr(GError) error = NULL;

  if (job->retry_all && !cachet_store_outbox_retry_sync (job->store, 0, NULL, &error))
    g_warning ("Could not retry the outbox: %s", error->message);
  for (guint i = 0; job->retry != NULL && i < job->retry->len; i++)
    {
      gint64 id = g_array_index (job->retry, gint64, i);

      g_clear_error (&error);
      if (!cachet_store_outbox_retry_sync (job->store, id, NULL, &error))
        g_debug ("Not retrying %" G_GINT64_FORMAT ": %s", id, error->message);
      _cachet_send_emit (job, "changed", id, NULL);
    }
}

/* The due messages grouped by account (in the order of their oldest message); the
 * earliest later try goes to job->next_wakeup. */
static GPtrArray *
due_groups (CachetSendJob *job,
            GPtrArray     *records,
            GPtrArray    **account_ids)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GHashTable) by_account = g_hash_table_new (g_str_hash, g_str_equal);

  *account_ids = g_ptr_array_new ();
  job->next_wakeup = 0;
  for (guint i = 0; i < records->len; i++)
    {
      CachetOutboxRecord *r = g_ptr_array_index (records, i);
      GPtrArray *group;

      if (r->account_id == NULL || r->state != CACHET_OUTBOX_WAITING)
        continue;
      if (r->next_try > now)
        {
          if (job->next_wakeup == 0 || r->next_try < job->next_wakeup)
            job->next_wakeup = r->next_try;
          continue;
        }
      group = g_hash_table_lookup (by_account, r->account_id);
      if (group == NULL)
        {
          group = g_ptr_array_new ();
          g_ptr_array_add (groups, group);
          g_ptr_array_add (*account_ids, r->account_id);
          g_hash_table_insert (by_account, r->account_id, group);
        }
      g_ptr_array_add (group, r);
    }
  return groups;
}

gboolean
_cachet_send_run (CachetSendJob *job,
                  GError       **error)
{
  g_autoptr(GArray) moved = NULL;
  int lock_fd;
  gboolean ok = FALSE;

  lock_fd = take_lock (job, error);
  if (lock_fd < 0)
    return FALSE;
  /* What an earlier run (maybe killed) left: sent ones moved, interrupted ones in doubt. */
  if (!cachet_store_outbox_recover_sync (job->store, &moved, NULL, error))
    goto out;
  emit_moved (job, moved);
  g_clear_pointer (&moved, g_array_unref);
  apply_retries (job);

  /* Messages queued while we send are found by the next pass; a pass that sends nothing new
   * ends the run (everything left waits for a later try or for the user). */
  for (guint pass = 0; pass < 100 && !stopping (job); pass++)
    {
      g_autoptr(GPtrArray) records = cachet_store_outbox_list (job->store, error);
      g_autoptr(GPtrArray) groups = NULL;
      g_autoptr(GPtrArray) account_ids = NULL;

      if (records == NULL)
        goto out;
      groups = due_groups (job, records, &account_ids);
      if (groups->len == 0)
        break;
      for (guint i = 0; i < groups->len && !stopping (job); i++)
        {
          g_autoptr(GError) local_error = NULL;

          if (!send_account (job, g_ptr_array_index (account_ids, i),
                             g_ptr_array_index (groups, i), error))
            goto out;
          if (!cachet_store_outbox_finish_sync (job->store, &moved, job->cancel, &local_error))
            g_warning ("Could not move the sent messages to Sent: %s", local_error->message);
          emit_moved (job, moved);
          g_clear_pointer (&moved, g_array_unref);
        }
    }
  ok = TRUE;

out:
  close (lock_fd);
  return ok;
}
