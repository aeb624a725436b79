/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include <inttypes.h>

#include "cachet-store.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cachet-maildir-private.h"
#include "cachet-store-private.h"

/* The outbox: messages queued in the Outbox folder, their envelope and state (see
 * cachet-store.h).  Three places hold it, each for what it is best at:
 *
 * - the message file in Outbox/cur/ (seen), exactly the bytes that will be sent;
 * - the journal "mail/.cachet-outbox" (cachet-store-outbox-journal.c): the envelope and the
 *   marks that decide whether a message may be sent (trying, sent); it survives a lost
 *   index;
 * - the index's outbox table (cachet-index-outbox.c): the state as the user sees it, with
 *   attempts, next try and reason, which a lost index may forget ("waiting" again).
 *
 * The order of the steps is the safety argument.  Queueing: file to tmp/ and synced ->
 * envelope (Q) synced -> rename into cur/ and directory synced -> index commit (message and
 * outbox row in one transaction).  Sending (the sender, under its lock): B synced -> per
 * message T, SMTP transaction, S or F -> E synced -> move to Sent.  So a message the server
 * accepted has its S before anything can move it, a crash after S moves it on the next start
 * instead of sending it, and a crash between T and S leaves it in doubt.  Recovery
 * (cachet_store_outbox_recover_sync) reads the journal and sets the table straight. */

typedef enum
{
  OP_QUEUE,
  OP_RETRY,
  OP_WITHDRAW,
  OP_RECOVER,
  OP_BEGIN,
  OP_TRYING,
  OP_SENT,
  OP_FAILED,
  OP_INTERRUPTED,
  OP_FINISH,
} OutboxOp;

typedef struct
{
  OutboxOp            op;
  gint64              message_id;
  const char         *account_id;
  const char * const *recipients;
  CachetOutboxState   state;
  gint64              next_try;
  const char         *reason;
  GCancellable       *cancellable;  /* for the moves of finish: never stops the records */
  GArray             *moved;        /* out: gint64 */
} OutboxJob;

void
cachet_outbox_record_free (CachetOutboxRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->account_id);
  g_strfreev (record->recipients);
  g_free (record->reason);
  g_free (record);
}

static gint64
outbox_folder_id (CachetStore *self,
                  GError     **error)
{
  g_autoptr(CachetFolderInfo) outbox =
    cachet_store_get_folder_by_role (self, CACHET_FOLDER_ROLE_OUTBOX);

  if (outbox == NULL)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                   _("There is no Outbox folder."));
      return 0;
    }
  return outbox->id;
}

static char *
in_doubt_reason (void)
{
  return g_strdup (_("Cachet stopped while it was sending this message, so the server may "
                     "have it already. If the recipients did not get it, send it again; "
                     "otherwise delete it."));
}

/* The message's base, when it is in the Outbox. */
static char *
outbox_base (CachetStore *self,
             gint64       message_id,
             GError     **error)
{
  CachetIndexFile file;
  gint64 outbox_id = outbox_folder_id (self, error);
  char *base;

  if (outbox_id == 0 || !_cachet_index_lookup (self->index, message_id, &file, error))
    return NULL;
  if (file.folder_id != outbox_id)
    {
      _cachet_index_file_clear (&file);
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                   _("Message %" PRId64 " is not in the Outbox."), message_id);
      return NULL;
    }
  base = g_steal_pointer (&file.base);
  _cachet_index_file_clear (&file);
  return base;
}

static gboolean
record_one (CachetStore *self,
            const char  *kind,
            const char  *base,
            gboolean     durable,
            GError     **error)
{
  const char *fields[] = { base, NULL };
  return _cachet_outbox_journal_append (self, kind, fields, durable, error);
}

/* Queueing */

static gboolean
record_queued (CachetStore        *self,
               const char         *base,
               const char         *account_id,
               const char * const *recipients,
               GError            **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();

  g_ptr_array_add (fields, (gpointer) base);
  g_ptr_array_add (fields, (gpointer) account_id);
  for (gsize i = 0; recipients[i] != NULL; i++)
    g_ptr_array_add (fields, (gpointer) recipients[i]);
  g_ptr_array_add (fields, NULL);
  return _cachet_outbox_journal_append (self, "Q", (const char * const *) fields->pdata, TRUE,
                                        error);
}

static gint64
queue_message (CachetStore    *self,
               CachetStoreJob *job,
               OutboxJob      *o,
               GError        **error)
{
  gint64 outbox_id = outbox_folder_id (self, error);
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *name = NULL;
  g_autofree char *file_name = NULL;
  g_autoptr(GPtrArray) items = NULL;
  CachetOutboxRecord record = { 0 };
  CachetParseItem *item;
  gsize size = g_bytes_get_size (job->data);
  gint64 id = 0;
  int lock_fd;

  if (outbox_id == 0 || (dir = _cachet_store_dup_folder_dir (self, outbox_id, error)) == NULL)
    return 0;
  /* Held until the commit: no rewrite of the journal may drop our Q meanwhile. */
  lock_fd = _cachet_outbox_journal_lock (self, error);
  if (lock_fd < 0)
    return 0;

  for (int attempt = 0; tmp == NULL; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_free (base);
      base = _cachet_maildir_new_base (size);
      if (!_cachet_maildir_write_tmp (dir, base, job->data, TRUE, &tmp, &local_error)
          && attempt > 10)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto out;
        }
    }
  if (!record_queued (self, base, o->account_id, o->recipients, error))
    {
      g_unlink (tmp);
      goto out;
    }
  _cachet_store_crash_point ("outbox:journaled");

  name = _cachet_maildir_make_name (base, NULL, CACHET_FLAG_SEEN);
  file_name = _cachet_store_rename_into_cur (tmp, dir, name, size, error);
  if (file_name == NULL)
    {
      g_unlink (tmp);
      goto out;
    }
  {
    g_autofree char *cur = g_build_filename (dir, "cur", NULL);
    g_autofree char *new_base = _cachet_maildir_dup_base (file_name);

    /* Another base (the name was taken): the journal must know this one. */
    if (!g_str_equal (new_base, base)
        && !record_queued (self, new_base, o->account_id, o->recipients, error))
      goto undo;
    g_free (base);
    base = g_steal_pointer (&new_base);
    if (!_cachet_maildir_fsync_dir (cur, error))
      goto undo;
  }
  _cachet_store_crash_point ("outbox:renamed");

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) _cachet_parse_item_free);
  item = g_new0 (CachetParseItem, 1);
  item->data = g_bytes_ref (job->data);
  g_ptr_array_add (items, item);
  _cachet_store_parse_wait (_cachet_store_parse_start (NULL, items));

  if (!_cachet_index_begin (self->index, error))
    goto undo;
  id = _cachet_index_insert (self->index, outbox_id, base, file_name, CACHET_FLAG_SEEN, size,
                             item->fields, error);
  record.message_id = id;
  record.account_id = (char *) o->account_id;
  record.recipients = (char **) o->recipients;
  record.state = CACHET_OUTBOX_WAITING;
  record.queued = g_get_real_time () / G_USEC_PER_SEC;
  if (id == 0 || !_cachet_index_outbox_insert (self->index, &record, error)
      || !_cachet_index_commit (self->index, error))
    {
      _cachet_index_rollback (self->index);
      id = 0;
      goto undo;
    }
  _cachet_store_crash_point ("outbox:queued");
  _cachet_store_emit_one (self, outbox_id, CACHET_CHANGE_ADDED, id);
  goto out;

undo:
  {
    /* Not queued: take the file back out (its Q names a file that is not there). */
    g_autofree char *path = g_build_filename (dir, "cur", file_name, NULL);
    g_autofree char *cur = g_build_filename (dir, "cur", NULL);
    g_unlink (path);
    _cachet_maildir_fsync_dir (cur, NULL);
  }
out:
  _cachet_outbox_journal_unlock (lock_fd);
  return id;
}

/* The user's requests */

static gboolean
retry (CachetStore *self,
       OutboxJob   *o,
       GError     **error)
{
  g_autoptr(GHashTable) rows = NULL;
  GHashTableIter iter;
  gpointer value;

  if (o->message_id != 0)
    {
      g_autoptr(CachetOutboxRecord) row = _cachet_index_outbox_get (self->index, o->message_id,
                                                                    error);
      g_autofree char *base = NULL;

      if (row == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                         _("Message %" PRId64 " is not queued for sending."), o->message_id);
          return FALSE;
        }
      if (row->state == CACHET_OUTBOX_SENDING || row->state == CACHET_OUTBOX_SENT)
        return TRUE;
      /* Sending a message in doubt again is the user's decision: keep it. */
      if (row->in_doubt
          && ((base = outbox_base (self, o->message_id, error)) == NULL
              || !record_one (self, "R", base, TRUE, error)))
        return FALSE;
      row->state = CACHET_OUTBOX_WAITING;
      row->next_try = 0;
      row->in_doubt = FALSE;
      return _cachet_index_outbox_update (self->index, row, error);
    }

  rows = _cachet_index_outbox_rows (self->index, error);
  if (rows == NULL || !_cachet_index_begin (self->index, error))
    return FALSE;
  g_hash_table_iter_init (&iter, rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CachetOutboxRecord *row = value;

      if (row->in_doubt
          || (row->state != CACHET_OUTBOX_WAITING && row->state != CACHET_OUTBOX_FAILED))
        continue;
      row->state = CACHET_OUTBOX_WAITING;
      row->next_try = 0;
      if (!_cachet_index_outbox_update (self->index, row, error))
        {
          _cachet_index_rollback (self->index);
          return FALSE;
        }
    }
  if (!_cachet_index_commit (self->index, error))
    {
      _cachet_index_rollback (self->index);
      return FALSE;
    }
  return TRUE;
}

/* In one transaction with the check, so that a sender (maybe in another process) either
 * tries the message before (and this is refused) or finds it gone. */
static gboolean
withdraw (CachetStore *self,
          OutboxJob   *o,
          GError     **error)
{
  g_autoptr(CachetOutboxRecord) row = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *base = NULL;

  if (!_cachet_index_begin (self->index, error))
    return FALSE;
  base = outbox_base (self, o->message_id, &local_error);
  if (base != NULL)
    row = _cachet_index_outbox_get (self->index, o->message_id, &local_error);
  if (local_error != NULL)
    goto fail;
  if (row != NULL && (row->state == CACHET_OUTBOX_SENDING || row->state == CACHET_OUTBOX_SENT))
    {
      g_set_error (&local_error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID, "%s",
                   row->state == CACHET_OUTBOX_SENT
                   ? _("This message has been sent already.")
                   : _("This message is being sent right now; try again in a moment."));
      goto fail;
    }
  /* Synced first: a message withdrawn must never go out, even after a power cut. */
  if (!record_one (self, "W", base, TRUE, &local_error)
      || (row != NULL && !_cachet_index_outbox_delete (self->index, o->message_id,
                                                       &local_error))
      || !_cachet_index_commit (self->index, &local_error))
    goto fail;
  return TRUE;

fail:
  _cachet_index_rollback (self->index);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* The sender's steps */

static gboolean
move_sent (CachetStore  *self,
           GArray      **moved,
           GCancellable *cancellable,
           GError      **error)
{
  g_autoptr(GHashTable) rows = _cachet_index_outbox_rows (self->index, error);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(CachetFolderInfo) sent = cachet_store_get_folder_by_role (self,
                                                                      CACHET_FOLDER_ROLE_SENT);
  GHashTableIter iter;
  gpointer value;

  if (rows == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CachetOutboxRecord *row = value;
      if (row->state == CACHET_OUTBOX_SENT)
        g_array_append_val (ids, row->message_id);
    }
  if (ids->len == 0)
    return TRUE;
  if (sent == NULL)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                   _("There is no Sent folder."));
      return FALSE;
    }
  /* The rows go with the move (see the triggers of the outbox table). */
  if (!_cachet_store_move_messages (self, ids, sent->id, cancellable, error))
    return FALSE;
  _cachet_store_crash_point ("outbox:moved");
  if (*moved == NULL)
    *moved = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_vals (*moved, ids->data, ids->len);
  return TRUE;
}

static gint64
time_of_base (const char *base)
{
  gint64 t = g_ascii_strtoll (base, NULL, 10);
  return t > 0 ? t : 0;
}

/* One message of the Outbox as the journal has it; FALSE on a database error. */
static gboolean
recover_one (CachetStore        *self,
             CachetIndexFile    *file,
             CachetJournalEntry *e,
             CachetOutboxRecord *row,
             GError            **error)
{
  g_autoptr(CachetOutboxRecord) fresh = NULL;

  if (e == NULL)
    {
      /* The journal knows nothing of it (lost, or never written): keep what the table says;
       * no sender is working, so nothing is being sent. */
      if (row == NULL || row->state != CACHET_OUTBOX_SENDING)
        return TRUE;
      row->state = CACHET_OUTBOX_WAITING;
      return _cachet_index_outbox_update (self->index, row, error);
    }
  if (e->status == CACHET_JOURNAL_NOT_QUEUED)
    return row == NULL || _cachet_index_outbox_delete (self->index, file->id, error);
  if (row == NULL)
    {
      /* A lost index, or a queueing that crashed before its commit: "waiting" again. */
      row = fresh = g_new0 (CachetOutboxRecord, 1);
      row->message_id = file->id;
      row->account_id = g_strdup (e->account_id);
      row->recipients = g_strdupv (e->recipients);
      row->state = CACHET_OUTBOX_WAITING;
      row->queued = time_of_base (file->base);
      if (!_cachet_index_outbox_insert (self->index, row, error))
        return FALSE;
    }
  switch (e->status)
    {
    case CACHET_JOURNAL_SENT:
      row->state = CACHET_OUTBOX_SENT;
      row->in_doubt = FALSE;
      break;
    case CACHET_JOURNAL_IN_DOUBT:
      if (!row->in_doubt)
        {
          row->state = CACHET_OUTBOX_FAILED;
          row->in_doubt = TRUE;
          g_free (row->reason);
          row->reason = in_doubt_reason ();
        }
      break;
    case CACHET_JOURNAL_WAITING:
    case CACHET_JOURNAL_NOT_QUEUED:
    default:
      if (row->state == CACHET_OUTBOX_SENDING || row->state == CACHET_OUTBOX_SENT)
        row->state = CACHET_OUTBOX_WAITING;
      if (row->in_doubt)
        {
          /* The user chose to send it again (R), and then it was not tried. */
          row->in_doubt = FALSE;
          row->state = CACHET_OUTBOX_WAITING;
        }
      break;
    }
  return _cachet_index_outbox_update (self->index, row, error);
}

static void
journal_entry_free (gpointer data)
{
  CachetJournalEntry *e = data;

  g_free (e->account_id);
  g_strfreev (e->recipients);
  g_free (e);
}

static CachetJournalEntry *
entry_from_row (const CachetOutboxRecord *row)
{
  CachetJournalEntry *e = g_new0 (CachetJournalEntry, 1);

  e->account_id = g_strdup (row->account_id);
  e->recipients = g_strdupv (row->recipients);
  if (row->state == CACHET_OUTBOX_SENT)
    e->status = CACHET_JOURNAL_SENT;
  else if (row->in_doubt)
    e->status = CACHET_JOURNAL_IN_DOUBT;
  else
    e->status = CACHET_JOURNAL_WAITING;
  return e;
}

static gboolean
recover (CachetStore  *self,
         OutboxJob    *o,
         GCancellable *cancellable,
         GError      **error)
{
  gint64 outbox_id = outbox_folder_id (self, error);
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GHashTable) rows = NULL;
  g_autoptr(GHashTable) journal = NULL;
  g_autoptr(GHashTable) live = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) restored = g_ptr_array_new_with_free_func (journal_entry_free);

  if (outbox_id == 0)
    return FALSE;
  /* Every file of the Outbox indexed first (a queueing that crashed after its rename), so
   * that no envelope of a message that is there gets tidied away. */
  if (!_cachet_store_sync_folder (self, outbox_id, NULL, NULL, cancellable, error))
    return FALSE;
  journal = _cachet_outbox_journal_read (self, error);
  if (journal == NULL)
    return FALSE;
  files = _cachet_index_folder_files (self->index, outbox_id, error);
  rows = files ? _cachet_index_outbox_rows (self->index, error) : NULL;
  if (rows == NULL || !_cachet_index_begin (self->index, error))
    return FALSE;
  for (guint i = 0; i < files->len; i++)
    {
      CachetIndexFile *file = g_ptr_array_index (files, i);
      CachetJournalEntry *e = g_hash_table_lookup (journal, file->base);
      CachetOutboxRecord *row = g_hash_table_lookup (rows, &file->id);

      if (!recover_one (self, file, e, row, error))
        {
          _cachet_index_rollback (self->index);
          return FALSE;
        }
      if (e == NULL && row != NULL)
        {
          /* The journal lost it (it was removed or damaged): it gets it back. */
          e = entry_from_row (row);
          g_ptr_array_add (restored, e);
        }
      if (e != NULL)
        g_hash_table_insert (live, file->base, e);
    }
  if (!_cachet_index_commit (self->index, error))
    {
      _cachet_index_rollback (self->index);
      return FALSE;
    }
  g_debug ("Outbox: %u messages, %u in the journal (%u records kept)", files->len,
           g_hash_table_size (journal), g_hash_table_size (live));

  /* Every S durable before a move; then the journal keeps only what is in the Outbox. */
  if (!_cachet_outbox_journal_sync (self, error))
    return FALSE;
  if ((g_hash_table_size (journal) > 0 || restored->len > 0)
      && !_cachet_outbox_journal_rewrite (self, live, error))
    return FALSE;
  return move_sent (self, &o->moved, cancellable, error);
}

static gboolean
begin (CachetStore    *self,
       CachetStoreJob *job,
       GError        **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (fields, g_strdup (_cachet_outbox_boot_id ()));
  for (guint i = 0; i < job->ids->len; i++)
    {
      g_autoptr(GError) local_error = NULL;
      char *base = outbox_base (self, g_array_index (job->ids, gint64, i), &local_error);

      if (base != NULL)
        g_ptr_array_add (fields, base);
      else if (!g_error_matches (local_error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  g_ptr_array_add (fields, NULL);
  return _cachet_outbox_journal_append (self, "B", (const char * const *) fields->pdata, TRUE,
                                        error);
}

static gboolean
trying (CachetStore *self,
        OutboxJob   *o,
        GError     **error)
{
  g_autoptr(CachetOutboxRecord) row = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!_cachet_index_begin (self->index, error))
    return FALSE;
  row = _cachet_index_outbox_get (self->index, o->message_id, &local_error);
  if (row == NULL || row->state != CACHET_OUTBOX_WAITING)
    {
      _cachet_index_rollback (self->index);
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                     _("Message %" PRId64 " is no longer waiting to be sent."),
                     o->message_id);
      return FALSE;
    }
  base = outbox_base (self, o->message_id, error);
  row->state = CACHET_OUTBOX_SENDING;
  if (base == NULL || !record_one (self, "T", base, FALSE, error))
    {
      _cachet_index_rollback (self->index);
      return FALSE;
    }
  if (!_cachet_index_outbox_update (self->index, row, error)
      || !_cachet_index_commit (self->index, error))
    {
      _cachet_index_rollback (self->index);
      /* Not tried after all. */
      record_one (self, "F", base, FALSE, NULL);
      return FALSE;
    }
  _cachet_store_crash_point ("outbox:tried");
  return TRUE;
}

static gboolean
interrupted (CachetStore *self,
             OutboxJob   *o,
             GError     **error)
{
  g_autoptr(CachetOutboxRecord) row = NULL;
  g_autoptr(GError) local_error = NULL;

  /* No record: its T without an outcome is what keeps it in doubt from now on. */
  row = _cachet_index_outbox_get (self->index, o->message_id, &local_error);
  if (row == NULL)
    {
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  row->state = CACHET_OUTBOX_FAILED;
  row->in_doubt = TRUE;
  row->attempts++;
  row->next_try = 0;
  g_free (row->reason);
  row->reason = o->reason != NULL ? g_strdup (o->reason) : in_doubt_reason ();
  return _cachet_index_outbox_update (self->index, row, error);
}

static gboolean
outcome (CachetStore *self,
         OutboxJob   *o,
         gboolean     sent,
         GError     **error)
{
  g_autoptr(CachetOutboxRecord) row = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *base = outbox_base (self, o->message_id, &local_error);

  /* The record first, whatever happened to the message meanwhile (it may have been moved
   * or removed by hand: then there is nothing left to update). */
  if (base == NULL)
    {
      if (g_error_matches (local_error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!record_one (self, sent ? "S" : "F", base, FALSE, error))
    return FALSE;
  if (sent)
    _cachet_store_crash_point ("outbox:sent");
  row = _cachet_index_outbox_get (self->index, o->message_id, &local_error);
  if (row == NULL)
    {
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (sent)
    row->state = CACHET_OUTBOX_SENT;
  else
    {
      row->state = o->state == CACHET_OUTBOX_FAILED ? CACHET_OUTBOX_FAILED
                                                    : CACHET_OUTBOX_WAITING;
      row->attempts++;
      row->next_try = o->next_try;
      g_free (row->reason);
      row->reason = g_strdup (o->reason);
    }
  row->in_doubt = FALSE;
  return _cachet_index_outbox_update (self->index, row, error);
}

static gboolean
finish (CachetStore *self,
        OutboxJob   *o,
        GError     **error)
{
  /* E is synced: every S before it is durable before its message moves. */
  if (!_cachet_outbox_journal_append (self, "E", NULL, TRUE, error))
    return FALSE;
  _cachet_store_crash_point ("outbox:finished");
  return move_sent (self, &o->moved, o->cancellable, error);
}

gboolean
_cachet_store_outbox_run (CachetStore    *self,
                          CachetStoreJob *job,
                          GError        **error)
{
  OutboxJob *o = job->payload;

  switch (o->op)
    {
    case OP_QUEUE:
      job->result = queue_message (self, job, o, error);
      return job->result != 0;
    case OP_RETRY:
      return retry (self, o, error);
    case OP_WITHDRAW:
      return withdraw (self, o, error);
    case OP_RECOVER:
      return recover (self, o, job->cancellable, error);
    case OP_BEGIN:
      return begin (self, job, error);
    case OP_TRYING:
      return trying (self, o, error);
    case OP_SENT:
      return outcome (self, o, TRUE, error);
    case OP_FAILED:
      return outcome (self, o, FALSE, error);
    case OP_INTERRUPTED:
      return interrupted (self, o, error);
    case OP_FINISH:
      return finish (self, o, error);
    default:
      g_assert_not_reached ();
    }
}

/* Public API */

static gboolean
run (CachetStore    *self,
     OutboxJob      *o,
     GCancellable   *cancellable,
     CachetStoreJob *job,
     gint64         *result,
     GError        **error)
{
  if (job == NULL)
    job = _cachet_store_job_new (JOB_OUTBOX, cancellable);
  job->payload = o;
  return _cachet_store_run_sync (self, job, result, error);
}

static void
steal_moved (OutboxJob *o,
             GArray   **moved)
{
  if (moved != NULL)
    *moved = o->moved ? g_steal_pointer (&o->moved) : g_array_new (FALSE, FALSE,
                                                                   sizeof (gint64));
  g_clear_pointer (&o->moved, g_array_unref);
}

gint64
cachet_store_outbox_queue_sync (CachetStore        *self,
                                const char         *account_id,
                                GBytes             *message,
                                const char * const *recipients,
                                GCancellable       *cancellable,
                                GError            **error)
{
  OutboxJob o = { OP_QUEUE };
  CachetStoreJob *job;
  gint64 id = 0;

  g_return_val_if_fail (CACHET_IS_STORE (self), 0);
  g_return_val_if_fail (account_id != NULL && message != NULL, 0);
  if (*account_id == '\0' || recipients == NULL || recipients[0] == NULL)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID,
                   _("A message to send needs an account and at least one recipient."));
      return 0;
    }
  for (gsize i = 0; recipients[i] != NULL; i++)
    if (*recipients[i] == '\0' || strchr (recipients[i], '\n') != NULL
        || !g_utf8_validate (recipients[i], -1, NULL))
      {
        g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID,
                     _("“%s” is not a recipient address."), recipients[i]);
        return 0;
      }
  o.account_id = account_id;
  o.recipients = recipients;
  job = _cachet_store_job_new (JOB_OUTBOX, cancellable);
  job->data = g_bytes_ref (message);
  return run (self, &o, cancellable, job, &id, error) ? id : 0;
}

GPtrArray *
cachet_store_outbox_list (CachetStore *self,
                          GError     **error)
{
  CachetIndexReader *reader;
  GPtrArray *records;
  gint64 outbox_id;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  if (self->index == NULL || !cachet_store_is_open (self))
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_FAILED,
                   _("The mail store is not open."));
      return NULL;
    }
  outbox_id = outbox_folder_id (self, error);
  if (outbox_id == 0)
    return NULL;
  reader = _cachet_index_reader_acquire (self->index, error);
  if (reader == NULL)
    return NULL;
  records = _cachet_index_outbox_list (reader, outbox_id, 0, error);
  _cachet_index_reader_release (self->index, reader);
  return records;
}

CachetOutboxRecord *
cachet_store_outbox_get (CachetStore *self,
                         gint64       message_id,
                         GError     **error)
{
  CachetIndexReader *reader;
  g_autoptr(GPtrArray) records = NULL;
  gint64 outbox_id;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  if (self->index == NULL || !cachet_store_is_open (self))
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_FAILED,
                   _("The mail store is not open."));
      return NULL;
    }
  outbox_id = outbox_folder_id (self, error);
  if (outbox_id == 0)
    return NULL;
  reader = _cachet_index_reader_acquire (self->index, error);
  if (reader == NULL)
    return NULL;
  records = _cachet_index_outbox_list (reader, outbox_id, message_id, error);
  _cachet_index_reader_release (self->index, reader);
  if (records == NULL)
    return NULL;
  if (records->len == 0 || message_id == 0)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                   _("Message %" PRId64 " is not in the Outbox."), message_id);
      return NULL;
    }
  return g_ptr_array_steal_index (records, 0);
}

gboolean
cachet_store_outbox_retry_sync (CachetStore  *self,
                                gint64        message_id,
                                GCancellable *cancellable,
                                GError      **error)
{
  OutboxJob o = { OP_RETRY };

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  o.message_id = message_id;
  return run (self, &o, cancellable, NULL, NULL, error);
}

gboolean
cachet_store_outbox_withdraw_sync (CachetStore  *self,
                                   gint64        message_id,
                                   GCancellable *cancellable,
                                   GError      **error)
{
  OutboxJob o = { OP_WITHDRAW };

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  o.message_id = message_id;
  return run (self, &o, cancellable, NULL, NULL, error);
}

gboolean
cachet_store_outbox_recover_sync (CachetStore  *self,
                                  GArray      **moved,
                                  GCancellable *cancellable,
                                  GError      **error)
{
  OutboxJob o = { OP_RECOVER };
  gboolean ok;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  ok = run (self, &o, cancellable, NULL, NULL, error);
  steal_moved (&o, moved);
  return ok;
}

gboolean
cachet_store_outbox_begin_sync (CachetStore  *self,
                                const gint64 *ids,
                                guint         n_ids,
                                GCancellable *cancellable,
                                GError      **error)
{
  OutboxJob o = { OP_BEGIN };
  CachetStoreJob *job;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  g_return_val_if_fail (ids != NULL || n_ids == 0, FALSE);
  job = _cachet_store_job_new (JOB_OUTBOX, cancellable);
  _cachet_store_job_set_ids (job, ids, n_ids);
  return run (self, &o, cancellable, job, NULL, error);
}

gboolean
cachet_store_outbox_trying_sync (CachetStore *self,
                                 gint64       message_id,
                                 GError     **error)
{
  OutboxJob o = { OP_TRYING };

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  o.message_id = message_id;
  return run (self, &o, NULL, NULL, NULL, error);
}

gboolean
cachet_store_outbox_sent_sync (CachetStore *self,
                               gint64       message_id,
                               GError     **error)
{
  OutboxJob o = { OP_SENT };

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  o.message_id = message_id;
  return run (self, &o, NULL, NULL, NULL, error);
}

gboolean
cachet_store_outbox_failed_sync (CachetStore      *self,
                                 gint64            message_id,
                                 CachetOutboxState state,
                                 gint64            next_try,
                                 const char       *reason,
                                 GError          **error)
{
  OutboxJob o = { OP_FAILED };

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  g_return_val_if_fail (state == CACHET_OUTBOX_WAITING || state == CACHET_OUTBOX_FAILED, FALSE);
  o.message_id = message_id;
  o.state = state;
  o.next_try = next_try;
  o.reason = reason;
  return run (self, &o, NULL, NULL, NULL, error);
}

gboolean
cachet_store_outbox_interrupted_sync (CachetStore *self,
                                      gint64       message_id,
                                      const char  *reason,
                                      GError     **error)
{
  OutboxJob o = { OP_INTERRUPTED };

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  o.message_id = message_id;
  o.reason = reason;
  return run (self, &o, NULL, NULL, NULL, error);
}

gboolean
cachet_store_outbox_finish_sync (CachetStore  *self,
                                 GArray      **moved,
                                 GCancellable *cancellable,
                                 GError      **error)
{
  OutboxJob o = { OP_FINISH };
  gboolean ok;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  /* The records are written even when @cancellable is cancelled already: only the moves
   * stop (recovery does them later). */
  o.cancellable = cancellable;
  ok = run (self, &o, NULL, NULL, NULL, error);
  steal_moved (&o, moved);
  return ok;
}
