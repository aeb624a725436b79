/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include "cachet-store.h"

#include <glib/gi18n.h>

#include "cachet-store-private.h"

/* Looking a message up by its Message-ID (indexed: messages_message_id), for instance
 * the original of a bounce in Sent. */

gint64
cachet_store_find_by_message_id (CachetStore *self,
                                 const char  *message_id,
                                 gint64       folder_id,
                                 GError     **error)
{
  static const char sql_any[] =
    "SELECT id FROM messages WHERE message_id = ? ORDER BY date DESC, id DESC LIMIT 1";
  static const char sql_folder[] =
    "SELECT id FROM messages WHERE message_id = ? AND folder_id = ?"
    " ORDER BY date DESC, id DESC LIMIT 1";
  CachetIndexReader *reader;
  CachetDb *conn;
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  g_return_val_if_fail (CACHET_IS_STORE (self), 0);
  g_return_val_if_fail (message_id != NULL, 0);

  if (self->index == NULL || !self->opened)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_FAILED,
                   _("The mail store is not open."));
      return 0;
    }
  reader = _cachet_index_reader_acquire (self->index, error);
  if (reader == NULL)
    return 0;
  conn = _cachet_index_reader_db (reader);
  stmt = _cachet_db_stmt (conn, folder_id != 0 ? sql_folder : sql_any, error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, message_id, -1, SQLITE_TRANSIENT);
      if (folder_id != 0)
        sqlite3_bind_int64 (stmt, 2, folder_id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        id = sqlite3_column_int64 (stmt, 0);
      else if (rc != SQLITE_DONE)
        _cachet_db_set_error (error, conn, "message-id");
      sqlite3_reset (stmt);
    }
  _cachet_index_reader_release (self->index, reader);
  return id;
}
