/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include "cachet-store.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cachet-maildir-private.h"
#include "cachet-store-private.h"

/* Messages arriving from a POP3 server (see cachet-store.h for the order of the steps and
 * why).  The receiving half runs on the fetcher's thread and only writes files in tmp/;
 * the committing half is a job on the writer thread.
 *
 * What a crash leaves, step by step:
 *   while receiving, or synced   files in tmp/ only: removed as left-overs later; the server
 *                                still has the messages (no DELE was sent for them)
 *   renamed, not committed       files in cur/ the index does not know: the reconcile after
 *                                the unclean shutdown indexes them, and records their UIDLs
 *                                from the file names, before any fetch can run
 *   committed                    stored and in the ledger; DELE may follow */

/* Bytes gathered before a write(2): the session hands over data a line at a time. */
#define WRITE_BUFFER 65536

typedef struct
{
  char     *tmp_path;
  char     *uidl;
  char     *uidl_key;
  gboolean  partial;
  guint64   size;
  /* Set by the writer. */
  char     *base;
  char     *file_name;
  gboolean  known;      /* the ledger had it: not stored again */
  gboolean  on_disk;    /* a file of that exact name was there already */
} IncomingFile;

typedef struct
{
  gint64     folder_id;
  char      *account_key;
  GPtrArray *files;      /* IncomingFile */
  guint      n_new;
} BatchData;

struct _CachetStoreIncoming
{
  CachetStore  *store;
  gint64        folder_id;
  char         *dir;
  char         *account_key;
  GPtrArray    *pending;  /* IncomingFile */
  guint64       pending_size;

  IncomingFile *current;
  int           fd;
  guint8       *buffer;
  gsize         buffered;
};

struct _CachetStoreBatch
{
  CachetStoreJob *job;
  BatchData      *data;
  GError         *error;   /* when it could not even be queued */
};

static void
incoming_file_free (IncomingFile *f)
{
  if (f == NULL)
    return;
  if (f->tmp_path)
    g_unlink (f->tmp_path);
  g_free (f->tmp_path);
  g_free (f->uidl);
  g_free (f->uidl_key);
  g_free (f->base);
  g_free (f->file_name);
  g_free (f);
}

static void
batch_data_free (BatchData *data)
{
  if (data == NULL)
    return;
  g_free (data->account_key);
  g_clear_pointer (&data->files, g_ptr_array_unref);
  g_free (data);
}

char *
cachet_store_ledger_key (const char *uidl)
{
  g_return_val_if_fail (uidl != NULL, NULL);
  return _cachet_maildir_pop3_key (uidl, CACHET_MAILDIR_POP3_UIDL_MAX);
}

static char *
account_key (const char *account_id)
{
  return _cachet_maildir_pop3_key (account_id, CACHET_MAILDIR_POP3_ACCOUNT_MAX);
}

GHashTable *
cachet_store_ledger_get_sync (CachetStore *self,
                              const char  *account_id,
                              GError     **error)
{
  g_autofree char *key = NULL;
  CachetIndexReader *reader;
  GHashTable *ledger;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  g_return_val_if_fail (account_id != NULL, NULL);
  if (self->index == NULL || !cachet_store_is_open (self))
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_FAILED,
                   _("The mail store is not open."));
      return NULL;
    }
  key = account_key (account_id);
  reader = _cachet_index_reader_acquire (self->index, error);
  if (reader == NULL)
    return NULL;
  ledger = _cachet_index_ledger_read (reader, key, error);
  _cachet_index_reader_release (self->index, reader);
  return ledger;
}

typedef struct
{
  char       *account_key;
  GHashTable *keep;
} ForgetData;

gboolean
cachet_store_ledger_forget_sync (CachetStore        *self,
                                 const char         *account_id,
                                 const char * const *server_uidls,
                                 guint               n_uidls,
                                 guint              *n_forgotten,
                                 GCancellable       *cancellable,
                                 GError            **error)
{
  ForgetData data;
  CachetStoreJob *job;
  gint64 n = 0;
  gboolean ok;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  g_return_val_if_fail (account_id != NULL, FALSE);
  g_return_val_if_fail (server_uidls != NULL || n_uidls == 0, FALSE);
  data.account_key = account_key (account_id);
  data.keep = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < n_uidls; i++)
    g_hash_table_add (data.keep, cachet_store_ledger_key (server_uidls[i]));
  job = _cachet_store_job_new (JOB_LEDGER_FORGET, cancellable);
  job->payload = &data;
  ok = _cachet_store_run_sync (self, job, &n, error);
  g_free (data.account_key);
  g_hash_table_unref (data.keep);
  if (n_forgotten)
    *n_forgotten = (guint) n;
  return ok;
}

gboolean
_cachet_store_ledger_forget (CachetStore    *self,
                             CachetStoreJob *job,
                             GError        **error)
{
  ForgetData *data = job->payload;
  guint n = 0;

  if (!_cachet_index_ledger_forget (self->index, data->account_key, data->keep, &n, error))
    return FALSE;
  job->result = n;
  return n == 0 || _cachet_store_rewrite_tombstones (self, error);
}

/* Receiving, on the fetcher's thread. */

CachetStoreIncoming *
cachet_store_incoming_new (CachetStore *self,
                           gint64       folder_id,
                           const char  *account_id,
                           GError     **error)
{
  CachetStoreIncoming *incoming;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  g_return_val_if_fail (account_id != NULL && *account_id != '\0', NULL);
  dir = _cachet_store_dup_folder_dir (self, folder_id, error);
  if (dir == NULL)
    return NULL;
  incoming = g_new0 (CachetStoreIncoming, 1);
  incoming->store = g_object_ref (self);
  incoming->folder_id = folder_id;
  incoming->dir = g_steal_pointer (&dir);
  incoming->account_key = account_key (account_id);
  incoming->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) incoming_file_free);
  incoming->fd = -1;
  return incoming;
}

gboolean
cachet_store_incoming_begin (CachetStoreIncoming *incoming,
                             const char          *uidl,
                             gboolean             headers_only,
                             GError             **error)
{
  IncomingFile *f;

  g_return_val_if_fail (incoming != NULL, FALSE);
  g_return_val_if_fail (uidl != NULL && *uidl != '\0', FALSE);
  g_return_val_if_fail (incoming->current == NULL, FALSE);

  f = g_new0 (IncomingFile, 1);
  f->uidl = g_strdup (uidl);
  f->uidl_key = cachet_store_ledger_key (uidl);
  f->partial = headers_only;
  for (int attempt = 0; incoming->fd < 0; attempt++)
    {
      g_autofree char *name = _cachet_maildir_tmp_name ();
      g_free (f->tmp_path);
      f->tmp_path = g_build_filename (incoming->dir, "tmp", name, NULL);
      incoming->fd = open (f->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (incoming->fd < 0 && (errno != EEXIST || attempt > 100))
        {
          _cachet_store_set_io_error (error, errno, _("Creating the file"), f->tmp_path);
          g_clear_pointer (&f->tmp_path, g_free);
          incoming_file_free (f);
          return FALSE;
        }
    }
  if (incoming->buffer == NULL)
    incoming->buffer = g_malloc (WRITE_BUFFER);
  incoming->buffered = 0;
  incoming->current = f;
  return TRUE;
}

static gboolean
write_all (int           fd,
           const guint8 *p,
           gsize         len,
           const char   *path,
           GError      **error)
{
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          _cachet_store_set_io_error (error, n < 0 ? errno : ENOSPC, _("Writing the file"),
                                      path);
          return FALSE;
        }
      p += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
flush_buffer (CachetStoreIncoming *incoming,
              GError             **error)
{
  gboolean ok = write_all (incoming->fd, incoming->buffer, incoming->buffered,
                           incoming->current->tmp_path, error);
  incoming->buffered = 0;
  return ok;
}

gboolean
cachet_store_incoming_write (CachetStoreIncoming *incoming,
                             const void          *data,
                             gsize                len,
                             GError             **error)
{
  g_return_val_if_fail (incoming != NULL, FALSE);
  g_return_val_if_fail (incoming->current != NULL, FALSE);

  incoming->current->size += len;
  if (incoming->buffered + len > WRITE_BUFFER && !flush_buffer (incoming, error))
    return FALSE;
  if (len >= WRITE_BUFFER)
    return write_all (incoming->fd, data, len, incoming->current->tmp_path, error);
  memcpy (incoming->buffer + incoming->buffered, data, len);
  incoming->buffered += len;
  return TRUE;
}

gboolean
cachet_store_incoming_end (CachetStoreIncoming *incoming,
                           GError             **error)
{
  IncomingFile *f;

  g_return_val_if_fail (incoming != NULL, FALSE);
  g_return_val_if_fail (incoming->current != NULL, FALSE);

  f = incoming->current;
  if (!flush_buffer (incoming, error))
    {
      cachet_store_incoming_abandon (incoming);
      return FALSE;
    }
  /* The data is made durable for the whole batch at the commit (one syncfs). */
  if (close (incoming->fd) != 0)
    {
      incoming->fd = -1;
      _cachet_store_set_io_error (error, errno, _("Writing the file"), f->tmp_path);
      cachet_store_incoming_abandon (incoming);
      return FALSE;
    }
  incoming->fd = -1;
  incoming->current = NULL;
  g_ptr_array_add (incoming->pending, f);
  incoming->pending_size += f->size;
  _cachet_store_crash_point ("fetch:tmp-written");
  return TRUE;
}

void
cachet_store_incoming_abandon (CachetStoreIncoming *incoming)
{
  g_return_if_fail (incoming != NULL);

  if (incoming->fd >= 0)
    close (incoming->fd);
  incoming->fd = -1;
  incoming->buffered = 0;
  g_clear_pointer (&incoming->current, incoming_file_free);
}

guint
cachet_store_incoming_get_n_pending (CachetStoreIncoming *incoming)
{
  g_return_val_if_fail (incoming != NULL, 0);
  return incoming->pending->len;
}

guint64
cachet_store_incoming_get_pending_size (CachetStoreIncoming *incoming)
{
  g_return_val_if_fail (incoming != NULL, 0);
  return incoming->pending_size;
}

CachetStoreBatch *
cachet_store_incoming_commit (CachetStoreIncoming *incoming)
{
  CachetStoreBatch *batch;
  BatchData *data;

  g_return_val_if_fail (incoming != NULL, NULL);
  if (incoming->pending->len == 0)
    return NULL;

  data = g_new0 (BatchData, 1);
  data->folder_id = incoming->folder_id;
  data->account_key = g_strdup (incoming->account_key);
  data->files = g_steal_pointer (&incoming->pending);
  incoming->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) incoming_file_free);
  incoming->pending_size = 0;

  batch = g_new0 (CachetStoreBatch, 1);
  batch->data = data;
  /* No cancellable: what was received is committed even when the fetch is cancelled. */
  batch->job = _cachet_store_job_new (JOB_FETCH_COMMIT, NULL);
  batch->job->folder_id = incoming->folder_id;
  batch->job->payload = data;
  if (!_cachet_store_run_start (incoming->store, batch->job, &batch->error))
    batch->job = NULL;
  return batch;
}

void
cachet_store_incoming_free (CachetStoreIncoming *incoming)
{
  if (incoming == NULL)
    return;
  cachet_store_incoming_abandon (incoming);
  g_clear_pointer (&incoming->pending, g_ptr_array_unref);
  g_free (incoming->buffer);
  g_free (incoming->dir);
  g_free (incoming->account_key);
  g_clear_object (&incoming->store);
  g_free (incoming);
}

gboolean
cachet_store_batch_finish (CachetStoreBatch *batch,
                           GPtrArray       **stored,
                           guint            *n_new,
                           GError          **error)
{
  gboolean ok;

  g_return_val_if_fail (batch != NULL, FALSE);
  if (batch->job != NULL)
    ok = _cachet_store_run_wait (g_steal_pointer (&batch->job), NULL, error);
  else
    {
      g_propagate_error (error, g_steal_pointer (&batch->error));
      ok = FALSE;
    }
  if (stored)
    {
      *stored = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; ok && i < batch->data->files->len; i++)
        {
          IncomingFile *f = g_ptr_array_index (batch->data->files, i);
          g_ptr_array_add (*stored, g_strdup (f->uidl));
        }
    }
  if (n_new)
    *n_new = ok ? batch->data->n_new : 0;
  batch_data_free (batch->data);
  g_free (batch);
  return ok;
}

/* Committing, on the writer thread. */

/* Takes back the files renamed into cur/ by a commit that failed: the server still has
 * them, and a later fetch must not find a second copy. */
static void
undo_renames (const char *cur,
              GPtrArray  *files)
{
  for (guint i = 0; i < files->len; i++)
    {
      IncomingFile *f = g_ptr_array_index (files, i);
      if (f->file_name != NULL && !f->on_disk)
        {
          g_autofree char *path = g_build_filename (cur, f->file_name, NULL);
          g_unlink (path);
        }
    }
  _cachet_maildir_fsync_dir (cur, NULL);
}

gboolean
_cachet_store_commit_incoming (CachetStore    *self,
                               CachetStoreJob *job,
                               GError        **error)
{
  BatchData *data = job->payload;
  g_autofree char *dir = _cachet_store_dup_folder_dir (self, data->folder_id, error);
  g_autofree char *cur = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GHashTable) in_batch = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) added = g_array_new (FALSE, FALSE, sizeof (gint64));
  CachetParseBatch *parse;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean ok = FALSE;

  if (dir == NULL)
    return FALSE;
  cur = g_build_filename (dir, "cur", NULL);

  /* Parse while the disk syncs. */
  items = g_ptr_array_new_with_free_func ((GDestroyNotify) _cachet_parse_item_free);
  for (guint i = 0; i < data->files->len; i++)
    {
      IncomingFile *f = g_ptr_array_index (data->files, i);
      CachetParseItem *item = g_new0 (CachetParseItem, 1);
      item->path = g_strdup (f->tmp_path);
      g_ptr_array_add (items, item);
    }
  if (self->parse_pool == NULL)
    self->parse_pool = _cachet_store_parse_pool_new ();
  parse = _cachet_store_parse_start (self->parse_pool, items);

  /* 1. Every file durable before any is renamed. */
  if (!_cachet_maildir_sync_fs (dir, NULL))
    for (guint i = 0; i < data->files->len; i++)
      {
        IncomingFile *f = g_ptr_array_index (data->files, i);
        if (!_cachet_maildir_fsync_file (f->tmp_path, error))
          {
            _cachet_store_parse_wait (parse);
            return FALSE;
          }
      }
  _cachet_store_parse_wait (parse);
  _cachet_store_crash_point ("fetch:synced");

  /* 2. Into cur/, never over a file; what the ledger knows is not stored twice. */
  for (guint i = 0; i < data->files->len; i++)
    {
      IncomingFile *f = g_ptr_array_index (data->files, i);
      CachetParseItem *item = g_ptr_array_index (items, i);
      g_autofree char *to = NULL;
      g_autoptr(GError) local_error = NULL;
      gboolean found = FALSE;

      if (!_cachet_index_ledger_has (self->index, data->account_key, f->uidl_key, &found,
                                     error))
        goto fail;
      if (found || g_hash_table_contains (in_batch, f->uidl_key))
        {
          g_debug ("Not storing %s again: the ledger has it", f->uidl);
          f->known = TRUE;
          continue;
        }
      if (item->fields == NULL)
        {
          g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_IO,
                       _("A received message could not be read back: %s"),
                       item->error ? item->error->message : "?");
          goto fail;
        }
      g_hash_table_add (in_batch, f->uidl_key);
      f->base = _cachet_maildir_pop3_base (data->account_key, f->uidl_key, f->partial, now,
                                           f->size);
      f->file_name = _cachet_maildir_make_name (f->base, NULL, 0);
      to = g_build_filename (cur, f->file_name, NULL);
      if (_cachet_maildir_rename (f->tmp_path, to, &local_error))
        g_clear_pointer (&f->tmp_path, g_free);
      else if (g_error_matches (local_error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_EXISTS))
        {
          /* The same account, UIDL, second and size: this very message, from a commit the
           * index missed.  Index that file rather than add a second one. */
          f->on_disk = TRUE;
        }
      else
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto fail;
        }
    }
  if (!_cachet_maildir_fsync_dir (cur, error))
    goto fail;
  _cachet_store_crash_point ("fetch:renamed");

  /* 3. One transaction for the batch, durable before it returns: DELE may follow. */
  if (!_cachet_index_set_synchronous_full (self->index, TRUE, error))
    goto fail;
  if (!_cachet_index_begin (self->index, error))
    goto fail_sync;
  for (guint i = 0; i < data->files->len; i++)
    {
      IncomingFile *f = g_ptr_array_index (data->files, i);
      CachetParseItem *item = g_ptr_array_index (items, i);
      gint64 id;

      if (f->known)
        continue;
      if (f->on_disk)
        {
          g_autoptr(GPtrArray) rows = _cachet_index_find_base (self->index, f->base, error);
          gboolean indexed = FALSE;

          if (rows == NULL)
            goto fail_rollback;
          for (guint r = 0; r < rows->len; r++)
            indexed |= ((CachetIndexFile *) g_ptr_array_index (rows, r))->folder_id
                       == data->folder_id;
          if (indexed)
            continue;
        }
      id = _cachet_index_insert (self->index, data->folder_id, f->base, f->file_name, 0,
                                 f->size, item->fields, error);
      if (id == 0)
        goto fail_rollback;
      g_array_append_val (added, id);
    }
  if (!_cachet_index_commit (self->index, error))
    goto fail_rollback;
  _cachet_index_set_synchronous_full (self->index, FALSE, NULL);
  _cachet_store_crash_point ("fetch:committed");

  data->n_new = added->len;
  _cachet_store_emit_messages_changed (self, data->folder_id, CACHET_CHANGE_ADDED, added);
  ok = TRUE;
  return ok;

fail_rollback:
  _cachet_index_rollback (self->index);
fail_sync:
  _cachet_index_set_synchronous_full (self->index, FALSE, NULL);
fail:
  undo_renames (cur, data->files);
  return FALSE;
}
