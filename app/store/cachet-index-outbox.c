/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include "cachet-index-private.h"

#include <glib/gi18n.h>
#include <string.h>

/* The outbox table: one row per queued message while it is in the Outbox folder (the
 * triggers of schema version 5 drop a row when its message moves or goes).  It is a cache
 * of the outbox journal (cachet-store-outbox.c) plus what the journal does not keep: the
 * attempts, the next try and the last reason.  Recipients are kept one a line. */

static char *
join_recipients (char **recipients)
{
  return g_strjoinv ("\n", recipients ? recipients : (char *[]) { NULL });
}

static char **
split_recipients (const char *text)
{
  if (text == NULL || *text == '\0')
    return g_new0 (char *, 1);
  return g_strsplit (text, "\n", -1);
}

static void
bind_text (sqlite3_stmt *stmt,
           int           i,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, i, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, i);
}

static char *
dup_text (sqlite3_stmt *stmt,
          int           i)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, i));
}

gboolean
_cachet_index_outbox_insert (CachetIndex              *index,
                             const CachetOutboxRecord *record,
                             GError                  **error)
{
  static const char sql[] =
    "INSERT OR REPLACE INTO outbox (message_id, account, recipients, state, attempts,"
    " next_try, reason, in_doubt, queued) VALUES (?,?,?,?,?,?,?,?,?)";
  CachetDb *conn = _cachet_index_writer_db (index);
  sqlite3_stmt *stmt = _cachet_db_stmt (conn, sql, error);
  g_autofree char *recipients = join_recipients (record->recipients);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, record->message_id);
  bind_text (stmt, 2, record->account_id);
  bind_text (stmt, 3, recipients);
  sqlite3_bind_int (stmt, 4, record->state);
  sqlite3_bind_int64 (stmt, 5, record->attempts);
  sqlite3_bind_int64 (stmt, 6, record->next_try);
  bind_text (stmt, 7, record->reason);
  sqlite3_bind_int (stmt, 8, record->in_doubt ? 1 : 0);
  sqlite3_bind_int64 (stmt, 9, record->queued);
  return _cachet_db_step_done (conn, stmt, error);
}

gboolean
_cachet_index_outbox_update (CachetIndex              *index,
                             const CachetOutboxRecord *record,
                             GError                  **error)
{
  static const char sql[] =
    "UPDATE outbox SET state = ?, attempts = ?, next_try = ?, reason = ?, in_doubt = ?"
    " WHERE message_id = ?";
  CachetDb *conn = _cachet_index_writer_db (index);
  sqlite3_stmt *stmt = _cachet_db_stmt (conn, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, record->state);
  sqlite3_bind_int64 (stmt, 2, record->attempts);
  sqlite3_bind_int64 (stmt, 3, record->next_try);
  bind_text (stmt, 4, record->reason);
  sqlite3_bind_int (stmt, 5, record->in_doubt ? 1 : 0);
  sqlite3_bind_int64 (stmt, 6, record->message_id);
  return _cachet_db_step_done (conn, stmt, error);
}

gboolean
_cachet_index_outbox_delete (CachetIndex *index,
                             gint64       message_id,
                             GError     **error)
{
  static const char sql[] = "DELETE FROM outbox WHERE message_id = ?";
  CachetDb *conn = _cachet_index_writer_db (index);
  sqlite3_stmt *stmt = _cachet_db_stmt (conn, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, message_id);
  return _cachet_db_step_done (conn, stmt, error);
}

#define ROW_COLUMNS \
  "o.message_id, o.account, o.recipients, o.state, o.attempts, o.next_try, o.reason," \
  " o.in_doubt, o.queued"

/* Columns 0..8 as ROW_COLUMNS; a NULL account (no row in a LEFT JOIN) is a message that is
 * not queued. */
static CachetOutboxRecord *
read_record (sqlite3_stmt *stmt,
             gint64        message_id)
{
  CachetOutboxRecord *record = g_new0 (CachetOutboxRecord, 1);

  record->message_id = message_id;
  if (sqlite3_column_type (stmt, 1) == SQLITE_NULL)
    {
      record->state = CACHET_OUTBOX_FAILED;
      record->reason = g_strdup (_("This message is not queued for sending: Cachet does not "
                                   "know its recipients or the account to send it with. "
                                   "Edit it to send it again, or delete it."));
      return record;
    }
  record->account_id = dup_text (stmt, 1);
  record->recipients = split_recipients ((const char *) sqlite3_column_text (stmt, 2));
  record->state = CLAMP (sqlite3_column_int (stmt, 3), CACHET_OUTBOX_WAITING, CACHET_OUTBOX_SENT);
  record->attempts = (guint) CLAMP (sqlite3_column_int64 (stmt, 4), 0, G_MAXUINT);
  record->next_try = sqlite3_column_int64 (stmt, 5);
  record->reason = dup_text (stmt, 6);
  record->in_doubt = sqlite3_column_int (stmt, 7) != 0;
  record->queued = sqlite3_column_int64 (stmt, 8);
  return record;
}

CachetOutboxRecord *
_cachet_index_outbox_get (CachetIndex *index,
                          gint64       message_id,
                          GError     **error)
{
  static const char sql[] = "SELECT " ROW_COLUMNS " FROM outbox o WHERE o.message_id = ?";
  CachetDb *conn = _cachet_index_writer_db (index);
  sqlite3_stmt *stmt = _cachet_db_stmt (conn, sql, error);
  CachetOutboxRecord *record = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, message_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 1) != SQLITE_NULL)
    record = read_record (stmt, message_id);
  else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    _cachet_db_set_error (error, conn, "outbox");
  sqlite3_reset (stmt);
  return record;
}

GHashTable *
_cachet_index_outbox_rows (CachetIndex *index,
                           GError     **error)
{
  static const char sql[] = "SELECT " ROW_COLUMNS " FROM outbox o";
  CachetDb *conn = _cachet_index_writer_db (index);
  sqlite3_stmt *stmt = _cachet_db_stmt (conn, sql, error);
  g_autoptr(GHashTable) rows =
    g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                           (GDestroyNotify) cachet_outbox_record_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CachetOutboxRecord *record;

      if (sqlite3_column_type (stmt, 1) == SQLITE_NULL)
        continue;  /* damaged */
      record = read_record (stmt, sqlite3_column_int64 (stmt, 0));
      g_hash_table_insert (rows, &record->message_id, record);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cachet_db_set_error (error, conn, "outbox");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

GPtrArray *
_cachet_index_outbox_list (CachetIndexReader *reader,
                           gint64             folder_id,
                           gint64             message_id,
                           GError           **error)
{
  static const char sql[] =
    "SELECT m.id, o.account, o.recipients, o.state, o.attempts, o.next_try, o.reason,"
    " o.in_doubt, o.queued FROM messages m LEFT JOIN outbox o ON o.message_id = m.id"
    " WHERE m.folder_id = ?1 AND (?2 = 0 OR m.id = ?2) ORDER BY m.id";
  CachetDb *conn = _cachet_index_reader_db (reader);
  sqlite3_stmt *stmt = _cachet_db_stmt (conn, sql, error);
  g_autoptr(GPtrArray) records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_outbox_record_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, message_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (records, read_record (stmt, sqlite3_column_int64 (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cachet_db_set_error (error, conn, "outbox");
      return NULL;
    }
  return g_steal_pointer (&records);
}
