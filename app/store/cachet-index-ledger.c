/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include "cachet-index-private.h"

#include <glib/gi18n.h>

#include "cachet-maildir-private.h"

/* The POP3 ledger: table pop3_ledger (account, uidl, message_id, fetched, partial,
 * deleted_locally), keyed by the account and UIDL keys of the file names.
 *
 * A row is written whenever a file with a POP3 name is indexed (_cachet_index_insert() calls
 * _cachet_index_ledger_record()), in that transaction, so the ledger can never say "stored"
 * for a message the index does not hold, and whatever rebuilds the index from the files
 * rebuilds the ledger.  The trigger messages_ledger_delete (see the schema) follows a
 * message removed for good: the row then points to another copy of the file if there is one
 * (same base in another folder), else it is marked deleted_locally with message_id 0.  Such
 * rows stay until the server no longer lists the UIDL (_cachet_index_ledger_forget()).
 * Those marks are the one thing the files cannot give back, so the store also keeps them
 * as tombstones in the Maildir (cachet-store-tombstones.c). */

gboolean
_cachet_index_ledger_record (CachetIndex *index,
                             gint64       id,
                             const char  *base,
                             GError     **error)
{
  static const char sql[] =
    "INSERT INTO pop3_ledger (account, uidl, message_id, fetched, partial, deleted_locally)"
    " VALUES (?, ?, ?, ?, ?, 0)"
    " ON CONFLICT (account, uidl) DO UPDATE SET message_id = excluded.message_id,"
    "  fetched = min (fetched, excluded.fetched), partial = excluded.partial,"
    "  deleted_locally = 0";
  CachetDb *conn = _cachet_index_writer_db (index);
  g_autofree char *account = NULL;
  g_autofree char *uidl = NULL;
  gboolean partial = FALSE;
  gint64 time = 0;
  sqlite3_stmt *stmt;

  if (base == NULL || !_cachet_maildir_parse_pop3 (base, &time, &account, &uidl, &partial))
    return TRUE;
  stmt = _cachet_db_stmt (conn, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, account, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, uidl, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, id);
  sqlite3_bind_int64 (stmt, 4, time);
  sqlite3_bind_int (stmt, 5, partial ? 1 : 0);
  return _cachet_db_step_done (conn, stmt, error);
}

gboolean
_cachet_index_ledger_has (CachetIndex *index,
                          const char  *account_key,
                          const char  *uidl_key,
                          gboolean    *found,
                          GError     **error)
{
  static const char sql[] = "SELECT 1 FROM pop3_ledger WHERE account = ? AND uidl = ?";
  CachetDb *conn = _cachet_index_writer_db (index);
  sqlite3_stmt *stmt = _cachet_db_stmt (conn, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, account_key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, uidl_key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _cachet_db_set_error (error, conn, "ledger");
      return FALSE;
    }
  *found = rc == SQLITE_ROW;
  return TRUE;
}

gboolean
_cachet_index_ledger_forget (CachetIndex *index,
                             const char  *account_key,
                             GHashTable  *keep,
                             guint       *n_forgotten,
                             GError     **error)
{
  static const char list_sql[] =
    "SELECT uidl FROM pop3_ledger WHERE account = ? AND message_id = 0";
  static const char delete_sql[] = "DELETE FROM pop3_ledger WHERE account = ? AND uidl = ?";
  CachetDb *conn = _cachet_index_writer_db (index);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = _cachet_db_stmt (conn, list_sql, error);
  int rc;

  *n_forgotten = 0;
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, account_key, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *uidl = (const char *) sqlite3_column_text (stmt, 0);
      if (uidl != NULL && !g_hash_table_contains (keep, uidl))
        g_ptr_array_add (gone, g_strdup (uidl));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cachet_db_set_error (error, conn, "ledger");
      return FALSE;
    }
  if (gone->len == 0)
    return TRUE;
  if (!_cachet_index_begin (index, error))
    return FALSE;
  for (guint i = 0; i < gone->len; i++)
    {
      stmt = _cachet_db_stmt (conn, delete_sql, error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, account_key, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, g_ptr_array_index (gone, i), -1, SQLITE_STATIC);
      if (!_cachet_db_step_done (conn, stmt, error))
        goto fail;
    }
  if (!_cachet_index_commit (index, error))
    goto fail;
  *n_forgotten = gone->len;
  return TRUE;

fail:
  _cachet_index_rollback (index);
  return FALSE;
}

gboolean
_cachet_index_ledger_add_removed (CachetIndex *index,
                                  const char  *account_key,
                                  const char  *uidl_key,
                                  gint64       fetched,
                                  gboolean     partial,
                                  GError     **error)
{
  static const char sql[] =
    "INSERT OR IGNORE INTO pop3_ledger (account, uidl, message_id, fetched, partial,"
    " deleted_locally) VALUES (?, ?, 0, ?, ?, 1)";
  CachetDb *conn = _cachet_index_writer_db (index);
  sqlite3_stmt *stmt = _cachet_db_stmt (conn, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, account_key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, uidl_key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, fetched);
  sqlite3_bind_int (stmt, 4, partial ? 1 : 0);
  return _cachet_db_step_done (conn, stmt, error);
}

GString *
_cachet_index_ledger_removed_lines (CachetIndex *index,
                                    GError     **error)
{
  static const char sql[] =
    "SELECT account, uidl, fetched, partial FROM pop3_ledger WHERE deleted_locally = 1"
    " ORDER BY fetched";
  CachetDb *conn = _cachet_index_writer_db (index);
  sqlite3_stmt *stmt = _cachet_db_stmt (conn, sql, error);
  g_autoptr(GString) lines = g_string_new (NULL);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *account = (const char *) sqlite3_column_text (stmt, 0);
      const char *uidl = (const char *) sqlite3_column_text (stmt, 1);

      if (account == NULL || uidl == NULL)
        continue;
      g_string_append_printf (lines, "%s %s %" G_GINT64_FORMAT " %d\n", account, uidl,
                              (gint64) sqlite3_column_int64 (stmt, 2),
                              sqlite3_column_int (stmt, 3) != 0);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cachet_db_set_error (error, conn, "ledger");
      return NULL;
    }
  return g_steal_pointer (&lines);
}

gboolean
_cachet_index_set_synchronous_full (CachetIndex *index,
                                    gboolean     full,
                                    GError     **error)
{
  return _cachet_db_exec (_cachet_index_writer_db (index),
                          full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                          error);
}

GHashTable *
_cachet_index_ledger_read (CachetIndexReader *reader,
                           const char        *account_key,
                           GError           **error)
{
  static const char sql[] =
    "SELECT uidl, message_id, fetched, partial, deleted_locally FROM pop3_ledger"
    " WHERE account = ?";
  CachetDb *conn = _cachet_index_reader_db (reader);
  g_autoptr(GHashTable) ledger = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        g_free);
  sqlite3_stmt *stmt = _cachet_db_stmt (conn, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, account_key, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *uidl = (const char *) sqlite3_column_text (stmt, 0);
      CachetLedgerEntry *entry;

      if (uidl == NULL)
        continue;
      entry = g_new0 (CachetLedgerEntry, 1);
      entry->message_id = sqlite3_column_int64 (stmt, 1);
      entry->fetched = sqlite3_column_int64 (stmt, 2);
      entry->partial = sqlite3_column_int (stmt, 3) != 0;
      entry->deleted_locally = sqlite3_column_int (stmt, 4) != 0;
      g_hash_table_insert (ledger, g_strdup (uidl), entry);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cachet_db_set_error (error, conn, "ledger");
      return NULL;
    }
  return g_steal_pointer (&ledger);
}
