/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include <inttypes.h>

#include "cachet-index-private.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachet-store-private.h"

/* Schema, version 5 (1 lacked the sync times of folders, 3 the POP3 ledger, 4 the outbox).
 * An index of version 4 gets the outbox table added in place (it has nothing to fill it
 * with: the rows come from the outbox journal, see cachet-store-outbox.c); an index of any
 * other version is moved aside and rebuilt from the files, ledger and outbox included.
 *
 * Durability: journal_mode=WAL with synchronous=NORMAL.  In WAL mode NORMAL never corrupts
 * the database; a power cut (not a crashed process: the WAL is in the OS by then) may only
 * undo the last commits before a checkpoint.  That is safe here because the index holds
 * nothing the Maildir does not: every file is fsync'd and renamed (and its directory
 * fsync'd) before the commit that indexes it, flags live in the file names, folders are
 * directories.  An undone commit is repaired by the reconcile that runs after an unclean
 * shutdown.  (Data that exists only in the database, like a POP3 UIDL ledger that allows
 * deleting mail on a server, must commit with synchronous=FULL.)
 *
 * Integrity: PRAGMA quick_check runs at open unless the file is exactly as the last clean
 * close left it (see write_seal()).
 *
 * Full text: a contentless FTS5 table (content='').  The text is in the Maildir already;
 * storing it again would roughly double the disk use (a 100,000-message store keeps around
 * half a gigabyte of body text) and slow down building the index.  The price on SQLite 3.40
 * (Debian 12, no contentless_delete) is that a row cannot be removed from the FTS index
 * without its original text: when a message goes away its terms stay behind as orphans.
 * They are harmless because message ids are AUTOINCREMENT (never reused) and every search
 * joins the hits with the messages table, so an orphan never matches a live message; they
 * are counted in meta.fts_orphans, and when they outnumber the live messages the FTS index
 * is rebuilt from the files (as after a lost database).
 *
 * Sorting: one index per sort column, (folder_id, column[, date]); the rowid (the id) is in
 * every index, so "ids of a folder by date" is a walk over one index with no table lookup.
 *
 * Counts: each folder row keeps its total and unread counts, maintained by triggers in the
 * same transaction as the change, so opening the store reads a few rows instead of scanning
 * every message (a GROUP BY over 100,000 messages took ~20 ms, twice per open). */
#define SCHEMA_VERSION 5

static const char schema_sql[] =
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
  "INSERT INTO meta VALUES ('clean', 0), ('fts_orphans', 0);"
  "CREATE TABLE folders ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  path TEXT NOT NULL UNIQUE,"
  "  parent_id INTEGER NOT NULL DEFAULT 0,"
  "  role INTEGER NOT NULL DEFAULT 0,"
  "  cur_mtime INTEGER NOT NULL DEFAULT 0,"
  "  new_mtime INTEGER NOT NULL DEFAULT 0,"
  "  total INTEGER NOT NULL DEFAULT 0,"
  "  unread INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE messages ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  folder_id INTEGER NOT NULL,"
  "  base TEXT NOT NULL,"
  "  file_name TEXT NOT NULL,"
  "  flags INTEGER NOT NULL,"
  "  size INTEGER NOT NULL,"
  "  date INTEGER NOT NULL,"
  "  message_id TEXT,"
  "  in_reply_to TEXT,"
  "  refs TEXT,"
  "  from_name TEXT,"
  "  from_addr TEXT,"
  "  to_text TEXT,"
  "  subject TEXT,"
  "  sort_from TEXT NOT NULL,"
  "  sort_subject TEXT NOT NULL,"
  "  has_attachment INTEGER NOT NULL);"
  "CREATE UNIQUE INDEX messages_base ON messages (base, folder_id);"
  "CREATE INDEX messages_date ON messages (folder_id, date);"
  "CREATE INDEX messages_from ON messages (folder_id, sort_from, date);"
  "CREATE INDEX messages_subject ON messages (folder_id, sort_subject, date);"
  "CREATE INDEX messages_size ON messages (folder_id, size);"
  "CREATE INDEX messages_flags ON messages (folder_id, flags, date);"
  "CREATE INDEX messages_message_id ON messages (message_id);"
  "CREATE VIRTUAL TABLE messages_fts USING fts5 ("
  "  subject, sender, recipients, body,"
  "  content='', tokenize='unicode61 remove_diacritics 2');"
  "CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN"
  "  UPDATE folders SET total = total + 1, unread = unread + ((NEW.flags & 1) = 0)"
  "    WHERE id = NEW.folder_id;"
  " END;"
  "CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN"
  "  UPDATE folders SET total = total - 1, unread = unread - ((OLD.flags & 1) = 0)"
  "    WHERE id = OLD.folder_id;"
  " END;"
  "CREATE TRIGGER messages_count_update AFTER UPDATE OF folder_id, flags ON messages BEGIN"
  "  UPDATE folders SET total = total - 1, unread = unread - ((OLD.flags & 1) = 0)"
  "    WHERE id = OLD.folder_id;"
  "  UPDATE folders SET total = total + 1, unread = unread + ((NEW.flags & 1) = 0)"
  "    WHERE id = NEW.folder_id;"
  " END;"
  /* The POP3 ledger: see cachet-index-ledger.c. */
  "CREATE TABLE pop3_ledger ("
  "  account TEXT NOT NULL,"
  "  uidl TEXT NOT NULL,"
  "  message_id INTEGER NOT NULL DEFAULT 0,"
  "  fetched INTEGER NOT NULL,"
  "  partial INTEGER NOT NULL DEFAULT 0,"
  "  deleted_locally INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (account, uidl)) WITHOUT ROWID;"
  "CREATE INDEX pop3_ledger_message ON pop3_ledger (message_id);"
  "CREATE TRIGGER messages_ledger_delete AFTER DELETE ON messages BEGIN"
  "  UPDATE pop3_ledger SET"
  "    message_id = coalesce ((SELECT id FROM messages WHERE base = OLD.base), 0),"
  "    deleted_locally = NOT EXISTS (SELECT 1 FROM messages WHERE base = OLD.base)"
  "    WHERE message_id = OLD.id;"
  " END;";

/* What version 5 added: the outbox (see cachet-index-outbox.c).  A row lives only while its
 * message is in the Outbox folder: moving the message anywhere (Sent, Drafts, Trash) or
 * removing it drops the row in the same transaction. */
static const char schema_v5_sql[] =
  "CREATE TABLE outbox ("
  "  message_id INTEGER PRIMARY KEY,"
  "  account TEXT NOT NULL,"
  "  recipients TEXT NOT NULL,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_try INTEGER NOT NULL DEFAULT 0,"
  "  reason TEXT,"
  "  in_doubt INTEGER NOT NULL DEFAULT 0,"
  "  queued INTEGER NOT NULL DEFAULT 0);"
  "CREATE TRIGGER messages_outbox_delete AFTER DELETE ON messages BEGIN"
  "  DELETE FROM outbox WHERE message_id = OLD.id;"
  " END;"
  "CREATE TRIGGER messages_outbox_move AFTER UPDATE OF folder_id ON messages"
  "  WHEN NEW.folder_id != OLD.folder_id BEGIN"
  "  DELETE FROM outbox WHERE message_id = OLD.id;"
  " END;"
  "PRAGMA user_version = 5;";

struct _CachetDb
{
  sqlite3    *db;
  GHashTable *stmts;  /* const char *sql (static) -> sqlite3_stmt */
};

struct _CachetIndexReader
{
  CachetDb conn;
};

struct _CachetIndex
{
  char      *path;
  int        lock_fd;     /* shared flock on "<path>.lock" while open */
  CachetDb   writer;
  GMutex     pool_lock;
  GPtrArray *idle_readers;
  GPtrArray *all_readers;
};

static void
set_db_error (GError    **error,
              sqlite3    *db,
              const char *what)
{
  int code = db ? sqlite3_errcode (db) : SQLITE_NOMEM;

  /* Damage seen while working: make sure the next open checks the whole file. */
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
    {
      const char *file = sqlite3_db_filename (db, "main");
      if (file != NULL && *file != '\0')
        {
          g_autofree char *seal_path = g_strconcat (file, ".clean", NULL);
          g_unlink (seal_path);
        }
    }
  g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_DATABASE,
               _("The mail index failed (%s): %s"), what,
               db ? sqlite3_errmsg (db) : "out of memory");
}

static sqlite3_stmt *
get_stmt (CachetDb   *conn,
          const char *sql,
          GError    **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (conn->stmts, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  if (sqlite3_prepare_v3 (conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL)
      != SQLITE_OK)
    {
      set_db_error (error, conn->db, "prepare");
      return NULL;
    }
  g_hash_table_insert (conn->stmts, (gpointer) sql, stmt);
  return stmt;
}

static gboolean
step_done (CachetDb     *conn,
           sqlite3_stmt *stmt,
           GError      **error)
{
  int rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      set_db_error (error, conn->db, "step");
      return FALSE;
    }
  return TRUE;
}

static gboolean
exec (CachetDb   *conn,
      const char *sql,
      GError    **error)
{
  char *msg = NULL;

  if (sqlite3_exec (conn->db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_DATABASE,
                   _("The mail index failed: %s"), msg ? msg : "?");
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

static void
finalize_stmt (gpointer data)
{
  sqlite3_finalize (data);
}

static gboolean
db_open (CachetDb   *conn,
         const char *path,
         GError    **error)
{
  int rc;

  conn->stmts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, finalize_stmt);
  rc = sqlite3_open_v2 (path, &conn->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (error, conn->db, "open");
      return FALSE;
    }
  sqlite3_busy_timeout (conn->db, 10000);
  sqlite3_extended_result_codes (conn->db, 0);
  return TRUE;
}

static void
db_close (CachetDb *conn)
{
  g_clear_pointer (&conn->stmts, g_hash_table_unref);
  if (conn->db)
    sqlite3_close_v2 (conn->db);
  conn->db = NULL;
}

static gint64
query_int (CachetDb   *conn,
           const char *sql,
           gint64      fallback,
           GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = fallback;

  if (sqlite3_prepare_v2 (conn->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (error, conn->db, sql);
      return fallback;
    }
  switch (sqlite3_step (stmt))
    {
    case SQLITE_ROW:
      value = sqlite3_column_int64 (stmt, 0);
      break;
    case SQLITE_DONE:
      break;
    default:
      set_db_error (error, conn->db, sql);
      break;
    }
  sqlite3_finalize (stmt);
  return value;
}

/* Checks an existing database; FALSE means broken, with the reason in @error. */
static gboolean
check_database (CachetDb *conn,
                gboolean  sealed,
                gboolean *fresh,
                gboolean *migrate,
                GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  gint64 version, n_tables;

  if (!exec (conn, "PRAGMA journal_mode=WAL", error))
    return FALSE;
  if (sealed)
    ok = TRUE;
  else if (sqlite3_prepare_v2 (conn->db, "PRAGMA quick_check", -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (error, conn->db, "quick_check");
      return FALSE;
    }
  else if (sqlite3_step (stmt) == SQLITE_ROW)
    ok = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") == 0;
  if (!ok)
    {
      const char *why = (const char *) sqlite3_column_text (stmt, 0);
      g_autofree char *first = g_strndup (why ? why : sqlite3_errmsg (conn->db), 200);
      first[strcspn (first, "\n")] = '\0';
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_DATABASE,
                   _("The mail index is damaged: %s"), first);
    }
  sqlite3_finalize (stmt);
  if (!ok)
    return FALSE;

  version = query_int (conn, "PRAGMA user_version", -1, error);
  if (version < 0)
    return FALSE;
  n_tables = query_int (conn, "SELECT count(*) FROM sqlite_master", -1, error);
  if (n_tables < 0)
    return FALSE;
  *fresh = n_tables == 0;
  *migrate = version == 4;
  if (version == SCHEMA_VERSION || version == 4 || (version == 0 && n_tables == 0))
    return TRUE;
  g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_DATABASE,
               _("The mail index has an unknown format (version %" PRId64 ")."),
               version);
  return FALSE;
}

static void
move_aside (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };
  g_autofree char *stamp = g_strdup_printf (".broken-%" G_GINT64_FORMAT,
                                            g_get_real_time () / G_USEC_PER_SEC);

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (path, stamp, suffixes[i], NULL);
      if (g_str_equal (suffixes[i], "-shm"))
        g_unlink (from);
      else if (g_rename (from, to) != 0 && errno != ENOENT)
        g_warning ("Could not move %s aside: %s", from, g_strerror (errno));
    }
}

/* The seal: after a clean close (the last connection checkpoints and removes the WAL), the
 * size and time of the database file go to "index.sqlite.clean".  When the file still
 * matches at the next open, nobody touched it since, and the full read of PRAGMA
 * quick_check (0.4 s for 100,000 messages here) is skipped.  After a crash, or when
 * anything changed the file, the check runs. */
static char *
seal_for (const char *path)
{
  struct stat full;

  if (stat (path, &full) != 0)
    return NULL;
  /* The inode catches a file replaced by another; the change time any write to it. */
  return g_strdup_printf ("%" G_GINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT
                          ".%09ld %" G_GINT64_FORMAT ".%09ld\n",
                          (gint64) full.st_size, (guint64) full.st_ino,
                          (gint64) full.st_mtim.tv_sec, (long) full.st_mtim.tv_nsec,
                          (gint64) full.st_ctim.tv_sec, (long) full.st_ctim.tv_nsec);
}

static void
write_seal (const char *path)
{
  g_autofree char *seal = seal_for (path);
  g_autofree char *seal_path = g_strconcat (path, ".clean", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  if (seal != NULL && !g_file_test (wal, G_FILE_TEST_EXISTS))
    g_file_set_contents (seal_path, seal, -1, NULL);
}

/* Whether the seal matches; it is removed either way (it is good for one open). */
static gboolean
take_seal (const char *path)
{
  g_autofree char *seal_path = g_strconcat (path, ".clean", NULL);
  g_autofree char *stored = NULL;
  g_autofree char *now = seal_for (path);
  gboolean ok;

  ok = g_file_get_contents (seal_path, &stored, NULL, NULL) && now != NULL
       && g_str_equal (stored, now);
  g_unlink (seal_path);
  return ok;
}

static int
take_shared_lock (const char *path)
{
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);
  int fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd >= 0 && flock (fd, LOCK_SH) != 0)
    {
      close (fd);
      fd = -1;
    }
  return fd;
}

/* Version 4 to 5, in one transaction: a crash leaves version 4, migrated again; a failure
 * counts as a broken index (rebuilt from the files). */
static gboolean
migrate_v4 (CachetDb *conn,
            GError  **error)
{
  if (!exec (conn, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!exec (conn, schema_v5_sql, error) || !exec (conn, "COMMIT", error))
    {
      exec (conn, "ROLLBACK", NULL);
      return FALSE;
    }
  g_message ("The mail index was brought to version %d", SCHEMA_VERSION);
  return TRUE;
}

static gboolean
setup_writer (CachetDb *conn,
              gboolean  fresh,
              GError  **error)
{
  if (!exec (conn,
             "PRAGMA journal_mode=WAL;"
             "PRAGMA synchronous=NORMAL;"
             "PRAGMA temp_store=MEMORY;"
             /* 8 MB: the writer's page cache fills up to its size with a big index, and
              * was most of what a long fetch or an index build grew by (32 MB made a
              * 20,000-message fetch peak at 68 MB against 36 MB for 2,000; building a
              * 20,000-message index took the same time either way). */
             "PRAGMA cache_size=-8000;", error))
    return FALSE;
  if (fresh && (!exec (conn, schema_sql, error) || !exec (conn, schema_v5_sql, error)))
    return FALSE;
  return TRUE;
}

CachetIndex *
_cachet_index_open (const char *path,
                    gboolean    discard,
                    gboolean   *created,
                    gboolean   *was_clean,
                    GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  CachetIndex *index = g_new0 (CachetIndex, 1);
  gboolean fresh = FALSE;
  gboolean migrate = FALSE;
  gboolean sealed;

  index->path = g_strdup (path);
  index->lock_fd = take_shared_lock (path);
  g_mutex_init (&index->pool_lock);
  index->idle_readers = g_ptr_array_new ();
  index->all_readers = g_ptr_array_new ();

  sealed = take_seal (path);
  if (discard)
    {
      g_message ("Rebuilding the mail index %s: it failed while being read", path);
      move_aside (path);
    }
  if (!db_open (&index->writer, path, &local_error)
      || !check_database (&index->writer, sealed, &fresh, &migrate, &local_error)
      || (migrate && !migrate_v4 (&index->writer, &local_error)))
    {
      g_message ("Rebuilding the mail index %s: %s", path, local_error->message);
      g_clear_error (&local_error);
      db_close (&index->writer);
      move_aside (path);
      if (!db_open (&index->writer, path, error))
        goto fail;
      fresh = TRUE;
    }
  if (!setup_writer (&index->writer, fresh, error))
    goto fail;

  *created = fresh;
  *was_clean = !fresh && query_int (&index->writer,
                                    "SELECT value FROM meta WHERE key = 'clean'", 0,
                                    NULL) == 1;
  if (!exec (&index->writer, "UPDATE meta SET value = 0 WHERE key = 'clean'", error))
    goto fail;
  return index;

fail:
  _cachet_index_close (index, FALSE);
  return NULL;
}

void
_cachet_index_close (CachetIndex *index,
                     gboolean     clean)
{
  if (index == NULL)
    return;
  /* Only the last process to close may call the index clean: another one still working
   * with it could crash after us. */
  if (clean && (index->lock_fd < 0 || flock (index->lock_fd, LOCK_EX | LOCK_NB) != 0))
    clean = FALSE;
  if (clean && index->writer.db)
    {
      exec (&index->writer, "UPDATE meta SET value = 1 WHERE key = 'clean'", NULL);
      sqlite3_wal_checkpoint_v2 (index->writer.db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    }
  g_mutex_lock (&index->pool_lock);
  for (guint i = 0; i < index->all_readers->len; i++)
    {
      CachetIndexReader *reader = g_ptr_array_index (index->all_readers, i);
      db_close (&reader->conn);
      g_free (reader);
    }
  g_ptr_array_unref (index->all_readers);
  g_ptr_array_unref (index->idle_readers);
  g_mutex_unlock (&index->pool_lock);
  g_mutex_clear (&index->pool_lock);
  db_close (&index->writer);
  if (clean)
    write_seal (index->path);
  if (index->lock_fd >= 0)
    close (index->lock_fd);
  g_free (index->path);
  g_free (index);
}

gboolean
_cachet_index_begin (CachetIndex *index,
                     GError     **error)
{
  return exec (&index->writer, "BEGIN IMMEDIATE", error);
}

gboolean
_cachet_index_commit (CachetIndex *index,
                      GError     **error)
{
  return exec (&index->writer, "COMMIT", error);
}

void
_cachet_index_rollback (CachetIndex *index)
{
  if (!sqlite3_get_autocommit (index->writer.db))
    exec (&index->writer, "ROLLBACK", NULL);
}

void
_cachet_index_fields_free (CachetIndexFields *fields)
{
  if (fields == NULL)
    return;
  g_free (fields->message_id);
  g_free (fields->in_reply_to);
  g_free (fields->references);
  g_free (fields->from_name);
  g_free (fields->from_addr);
  g_free (fields->to_text);
  g_free (fields->subject);
  g_free (fields->sort_from);
  g_free (fields->sort_subject);
  g_free (fields->fts_sender);
  g_free (fields->fts_recipients);
  g_free (fields->fts_body);
  g_free (fields);
}

void
_cachet_index_file_clear (CachetIndexFile *file)
{
  g_clear_pointer (&file->base, g_free);
  g_clear_pointer (&file->file_name, g_free);
}

void
_cachet_index_file_free (CachetIndexFile *file)
{
  if (file == NULL)
    return;
  _cachet_index_file_clear (file);
  g_free (file);
}

static void
bind_text (sqlite3_stmt *stmt,
           int           i,
           const char   *text)
{
  if (text)
    sqlite3_bind_text (stmt, i, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, i);
}

gint64
_cachet_index_insert (CachetIndex       *index,
                      gint64             folder_id,
                      const char        *base,
                      const char        *file_name,
                      CachetFlags        flags,
                      guint64            size,
                      CachetIndexFields *f,
                      GError           **error)
{
  static const char insert_sql[] =
    "INSERT INTO messages (folder_id, base, file_name, flags, size, date, message_id,"
    " in_reply_to, refs, from_name, from_addr, to_text, subject, sort_from, sort_subject,"
    " has_attachment) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  sqlite3_stmt *stmt = get_stmt (&index->writer, insert_sql, error);
  gint64 id;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  bind_text (stmt, 2, base);
  bind_text (stmt, 3, file_name);
  sqlite3_bind_int64 (stmt, 4, flags);
  sqlite3_bind_int64 (stmt, 5, (gint64) size);
  sqlite3_bind_int64 (stmt, 6, f->date);
  bind_text (stmt, 7, f->message_id);
  bind_text (stmt, 8, f->in_reply_to);
  bind_text (stmt, 9, f->references);
  bind_text (stmt, 10, f->from_name);
  bind_text (stmt, 11, f->from_addr);
  bind_text (stmt, 12, f->to_text);
  bind_text (stmt, 13, f->subject);
  bind_text (stmt, 14, f->sort_from ? f->sort_from : "");
  bind_text (stmt, 15, f->sort_subject ? f->sort_subject : "");
  sqlite3_bind_int (stmt, 16, f->has_attachment ? 1 : 0);
  if (!step_done (&index->writer, stmt, error))
    return 0;
  id = sqlite3_last_insert_rowid (index->writer.db);
  if (!_cachet_index_ledger_record (index, id, base, error))
    return 0;
  return _cachet_index_insert_fts (index, id, f, error) ? id : 0;
}

gboolean
_cachet_index_insert_fts (CachetIndex       *index,
                          gint64             id,
                          CachetIndexFields *f,
                          GError           **error)
{
  static const char fts_sql[] =
    "INSERT INTO messages_fts (rowid, subject, sender, recipients, body) VALUES (?,?,?,?,?)";
  sqlite3_stmt *stmt = get_stmt (&index->writer, fts_sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, f->subject);
  bind_text (stmt, 3, f->fts_sender);
  bind_text (stmt, 4, f->fts_recipients);
  bind_text (stmt, 5, f->fts_body);
  return step_done (&index->writer, stmt, error);
}

/* Whether the orphaned terms of removed messages (see the top of this file) outnumber the
 * live messages enough to rebuild the full-text index. */
gboolean
_cachet_index_fts_wants_rebuild (CachetIndex *index)
{
  gint64 orphans = query_int (&index->writer,
                              "SELECT value FROM meta WHERE key = 'fts_orphans'", 0, NULL);
  gint64 live = query_int (&index->writer, "SELECT count(*) FROM messages", 0, NULL);

  gint64 pending = query_int (&index->writer,
                              "SELECT value FROM meta WHERE key = 'fts_rebuild'", 0, NULL);

  return pending != 0 || (orphans >= 1000 && orphans > live);
}

gboolean
_cachet_index_fts_rebuilt (CachetIndex *index,
                           GError     **error)
{
  return exec (&index->writer, "UPDATE meta SET value = 0 WHERE key = 'fts_rebuild'", error);
}

/* Empties the full-text index and notes that it is being refilled (a crash before
 * _cachet_index_fts_rebuilt() makes the next open start over). */
gboolean
_cachet_index_fts_clear (CachetIndex *index,
                         GError     **error)
{
  return exec (&index->writer,
               "INSERT INTO messages_fts (messages_fts) VALUES ('delete-all');"
               "UPDATE meta SET value = 0 WHERE key = 'fts_orphans';"
               "INSERT OR REPLACE INTO meta VALUES ('fts_rebuild', 1);", error);
}

gboolean
_cachet_index_update_file (CachetIndex *index,
                           gint64       id,
                           gint64       folder_id,
                           const char  *base,
                           const char  *file_name,
                           CachetFlags  flags,
                           GError     **error)
{
  static const char sql[] =
    "UPDATE messages SET folder_id = ?, base = ?, file_name = ?, flags = ? WHERE id = ?";
  sqlite3_stmt *stmt = get_stmt (&index->writer, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  bind_text (stmt, 2, base);
  bind_text (stmt, 3, file_name);
  sqlite3_bind_int64 (stmt, 4, flags);
  sqlite3_bind_int64 (stmt, 5, id);
  return step_done (&index->writer, stmt, error);
}

gboolean
_cachet_index_delete (CachetIndex *index,
                      gint64       id,
                      GError     **error)
{
  static const char sql[] = "DELETE FROM messages WHERE id = ?";
  static const char orphan_sql[] =
    "UPDATE meta SET value = value + changes () WHERE key = 'fts_orphans'";
  sqlite3_stmt *stmt = get_stmt (&index->writer, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!step_done (&index->writer, stmt, error))
    return FALSE;
  stmt = get_stmt (&index->writer, orphan_sql, error);
  return stmt != NULL && step_done (&index->writer, stmt, error);
}

static void
read_file_row (sqlite3_stmt    *stmt,
               CachetIndexFile *out)
{
  out->id = sqlite3_column_int64 (stmt, 0);
  out->folder_id = sqlite3_column_int64 (stmt, 1);
  out->base = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  out->file_name = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  out->flags = sqlite3_column_int64 (stmt, 4);
}

gboolean
_cachet_index_lookup (CachetIndex     *index,
                      gint64           id,
                      CachetIndexFile *out,
                      GError         **error)
{
  static const char sql[] =
    "SELECT id, folder_id, base, file_name, flags FROM messages WHERE id = ?";
  sqlite3_stmt *stmt = get_stmt (&index->writer, sql, error);
  int rc;

  memset (out, 0, sizeof *out);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_text (stmt, 2) != NULL
      && sqlite3_column_text (stmt, 3) != NULL)
    read_file_row (stmt, out);
  else if (rc == SQLITE_ROW)
    rc = SQLITE_DONE;  /* damaged: as good as missing */
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                 _("There is no message %" PRId64 " in the store."), id);
  else
    set_db_error (error, index->writer.db, "lookup");
  return FALSE;
}

static GPtrArray *
collect_files (CachetIndex  *index,
               sqlite3_stmt *stmt,
               GError      **error)
{
  g_autoptr(GPtrArray) files =
    g_ptr_array_new_with_free_func ((GDestroyNotify) _cachet_index_file_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CachetIndexFile *file;

      if (sqlite3_column_text (stmt, 2) == NULL || sqlite3_column_text (stmt, 3) == NULL)
        continue;  /* damaged */
      file = g_new0 (CachetIndexFile, 1);
      read_file_row (stmt, file);
      g_ptr_array_add (files, file);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, index->writer.db, "files");
      return NULL;
    }
  return g_steal_pointer (&files);
}

GPtrArray *
_cachet_index_folder_files (CachetIndex *index,
                            gint64       folder_id,
                            GError     **error)
{
  static const char sql[] =
    "SELECT id, folder_id, base, file_name, flags FROM messages WHERE folder_id = ?";
  sqlite3_stmt *stmt = get_stmt (&index->writer, sql, error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  return collect_files (index, stmt, error);
}

GPtrArray *
_cachet_index_find_base (CachetIndex *index,
                         const char  *base,
                         GError     **error)
{
  static const char sql[] =
    "SELECT id, folder_id, base, file_name, flags FROM messages WHERE base = ?";
  sqlite3_stmt *stmt = get_stmt (&index->writer, sql, error);

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, base);
  return collect_files (index, stmt, error);
}

GPtrArray *
_cachet_index_list_folders (CachetIndex *index,
                            GError     **error)
{
  static const char sql[] = "SELECT id, path, parent_id, role, total, unread FROM folders";
  g_autoptr(GPtrArray) folders =
    g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_folder_info_free);
  sqlite3_stmt *stmt = get_stmt (&index->writer, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CachetFolderInfo *info = g_new0 (CachetFolderInfo, 1);
      const char *slash;

      if (sqlite3_column_text (stmt, 1) == NULL)
        {
          /* Only a damaged database has that; leave the row out. */
          g_free (info);
          continue;
        }
      info->id = sqlite3_column_int64 (stmt, 0);
      info->path = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      info->parent_id = sqlite3_column_int64 (stmt, 2);
      info->role = sqlite3_column_int (stmt, 3);
      info->total = (guint) MAX (sqlite3_column_int64 (stmt, 4), 0);
      info->unread = (guint) MAX (sqlite3_column_int64 (stmt, 5), 0);
      slash = strrchr (info->path, '/');
      info->name = g_strdup (slash ? slash + 1 : info->path);
      g_ptr_array_add (folders, info);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, index->writer.db, "folders");
      return NULL;
    }
  return g_steal_pointer (&folders);
}

gboolean
_cachet_index_folder_counts (CachetIndex *index,
                             gint64       folder_id,
                             guint       *total,
                             guint       *unread,
                             GError     **error)
{
  static const char sql[] = "SELECT total, unread FROM folders WHERE id = ?";
  sqlite3_stmt *stmt = get_stmt (&index->writer, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *total = (guint) MAX (sqlite3_column_int64 (stmt, 0), 0);
      *unread = (guint) MAX (sqlite3_column_int64 (stmt, 1), 0);
    }
  else if (rc == SQLITE_DONE)
    *total = *unread = 0;  /* no such folder (any more) */
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_db_error (error, index->writer.db, "counts");
      return FALSE;
    }
  return TRUE;
}

gint64
_cachet_index_add_folder (CachetIndex     *index,
                          const char      *path,
                          gint64           parent_id,
                          CachetFolderRole role,
                          GError         **error)
{
  static const char sql[] = "INSERT INTO folders (path, parent_id, role) VALUES (?, ?, ?)";
  sqlite3_stmt *stmt = get_stmt (&index->writer, sql, error);

  if (stmt == NULL)
    return 0;
  bind_text (stmt, 1, path);
  sqlite3_bind_int64 (stmt, 2, parent_id);
  sqlite3_bind_int (stmt, 3, role);
  if (!step_done (&index->writer, stmt, error))
    return 0;
  return sqlite3_last_insert_rowid (index->writer.db);
}

gboolean
_cachet_index_remove_folder (CachetIndex *index,
                             gint64       folder_id,
                             GError     **error)
{
  static const char msgs_sql[] = "DELETE FROM messages WHERE folder_id = ?";
  static const char orphan_sql[] =
    "UPDATE meta SET value = value + changes () WHERE key = 'fts_orphans'";
  static const char sql[] = "DELETE FROM folders WHERE id = ?";
  sqlite3_stmt *stmt = get_stmt (&index->writer, msgs_sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  if (!step_done (&index->writer, stmt, error))
    return FALSE;
  stmt = get_stmt (&index->writer, orphan_sql, error);
  if (stmt == NULL || !step_done (&index->writer, stmt, error))
    return FALSE;
  stmt = get_stmt (&index->writer, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  return step_done (&index->writer, stmt, error);
}

gboolean
_cachet_index_rename_folder (CachetIndex *index,
                             const char  *old_path,
                             const char  *new_path,
                             GError     **error)
{
  /* The folder itself and every folder below it ("old/..."): no LIKE, names may hold % _. */
  static const char sql[] =
    "UPDATE folders SET path = ?2 || substr (path, length (?1) + 1)"
    " WHERE path = ?1 OR substr (path, 1, length (?1) + 1) = ?1 || '/'";
  sqlite3_stmt *stmt = get_stmt (&index->writer, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, old_path);
  bind_text (stmt, 2, new_path);
  return step_done (&index->writer, stmt, error);
}

/* The directory times of a folder at its last complete sync (0: unknown). */
gboolean
_cachet_index_set_folder_stamp (CachetIndex *index,
                                gint64       folder_id,
                                gint64       cur_mtime,
                                gint64       new_mtime,
                                GError     **error)
{
  static const char sql[] = "UPDATE folders SET cur_mtime = ?, new_mtime = ? WHERE id = ?";
  sqlite3_stmt *stmt = get_stmt (&index->writer, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, cur_mtime);
  sqlite3_bind_int64 (stmt, 2, new_mtime);
  sqlite3_bind_int64 (stmt, 3, folder_id);
  return step_done (&index->writer, stmt, error);
}

gboolean
_cachet_index_get_folder_stamp (CachetIndex *index,
                                gint64       folder_id,
                                gint64      *cur_mtime,
                                gint64      *new_mtime)
{
  static const char sql[] = "SELECT cur_mtime, new_mtime FROM folders WHERE id = ?";
  sqlite3_stmt *stmt = get_stmt (&index->writer, sql, NULL);
  gboolean found = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *cur_mtime = sqlite3_column_int64 (stmt, 0);
      *new_mtime = sqlite3_column_int64 (stmt, 1);
      found = *cur_mtime != 0 || *new_mtime != 0;
    }
  sqlite3_reset (stmt);
  return found;
}

/* Reads. */

CachetIndexReader *
_cachet_index_reader_acquire (CachetIndex *index,
                              GError     **error)
{
  CachetIndexReader *reader = NULL;

  g_mutex_lock (&index->pool_lock);
  if (index->idle_readers->len > 0)
    reader = g_ptr_array_steal_index_fast (index->idle_readers,
                                           index->idle_readers->len - 1);
  g_mutex_unlock (&index->pool_lock);
  if (reader != NULL)
    return reader;

  reader = g_new0 (CachetIndexReader, 1);
  if (!db_open (&reader->conn, index->path, error)
      || !exec (&reader->conn, "PRAGMA query_only=1; PRAGMA cache_size=-8000;", error))
    {
      db_close (&reader->conn);
      g_free (reader);
      return NULL;
    }
  g_mutex_lock (&index->pool_lock);
  g_ptr_array_add (index->all_readers, reader);
  g_mutex_unlock (&index->pool_lock);
  return reader;
}

void
_cachet_index_reader_release (CachetIndex       *index,
                              CachetIndexReader *reader)
{
  g_mutex_lock (&index->pool_lock);
  g_ptr_array_add (index->idle_readers, reader);
  g_mutex_unlock (&index->pool_lock);
}

static const char *
order_by (CachetSortColumn sort,
          gboolean         descending)
{
  switch (sort)
    {
    case CACHET_SORT_FROM:
      return descending ? "sort_from DESC, date DESC, id DESC" : "sort_from, date, id";
    case CACHET_SORT_SUBJECT:
      return descending ? "sort_subject DESC, date DESC, id DESC" : "sort_subject, date, id";
    case CACHET_SORT_SIZE:
      return descending ? "size DESC, id DESC" : "size, id";
    case CACHET_SORT_FLAGS:
      return descending ? "flags DESC, date DESC, id DESC" : "flags, date, id";
    case CACHET_SORT_DATE:
    default:
      return descending ? "date DESC, id DESC" : "date, id";
    }
}

static int
progress_cancel_cb (void *data)
{
  return g_cancellable_is_cancelled (data) ? 1 : 0;
}

static void
watch_cancellable (CachetIndexReader *reader,
                   GCancellable      *cancellable)
{
  if (cancellable)
    sqlite3_progress_handler (reader->conn.db, 10000, progress_cancel_cb, cancellable);
  else
    sqlite3_progress_handler (reader->conn.db, 0, NULL, NULL);
}

static gboolean
finish_rows (CachetIndexReader *reader,
             sqlite3_stmt      *stmt,
             int                rc,
             GCancellable      *cancellable,
             GError           **error)
{
  sqlite3_finalize (stmt);
  watch_cancellable (reader, NULL);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  set_db_error (error, reader->conn.db, "read");
  return FALSE;
}

static CachetMessageList *
message_list_new (gboolean threaded)
{
  CachetMessageList *list = g_new0 (CachetMessageList, 1);
  list->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (threaded)
    list->depths = g_array_new (FALSE, FALSE, sizeof (guint16));
  return list;
}

CachetMessageList *
_cachet_index_list_messages (CachetIndexReader *reader,
                             gint64             folder_id,
                             CachetSortColumn   sort,
                             gboolean           descending,
                             gboolean           threaded,
                             GCancellable      *cancellable,
                             GError           **error)
{
  g_autofree char *sql = NULL;
  g_autoptr(CachetMessageList) list = NULL;
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GStringChunk) strings = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!threaded)
    sql = g_strdup_printf ("SELECT id FROM messages WHERE folder_id = ? ORDER BY %s",
                           order_by (sort, descending));
  else
    sql = g_strdup_printf ("SELECT id, date, message_id, in_reply_to, refs FROM messages"
                           " WHERE folder_id = ? ORDER BY %s", order_by (sort, descending));
  if (sqlite3_prepare_v2 (reader->conn.db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (error, reader->conn.db, "list");
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, folder_id);
  watch_cancellable (reader, cancellable);

  if (!threaded)
    {
      list = message_list_new (FALSE);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          g_array_append_val (list->ids, id);
        }
      if (!finish_rows (reader, stmt, rc, cancellable, error))
        return NULL;
      return g_steal_pointer (&list);
    }

  rows = g_array_new (FALSE, FALSE, sizeof (CachetThreadRow));
  strings = g_string_chunk_new (64 * 1024);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CachetThreadRow row;
      const char *s;

      row.id = sqlite3_column_int64 (stmt, 0);
      row.date = sqlite3_column_int64 (stmt, 1);
      s = (const char *) sqlite3_column_text (stmt, 2);
      row.message_id = s ? g_string_chunk_insert_const (strings, s) : NULL;
      s = (const char *) sqlite3_column_text (stmt, 3);
      row.in_reply_to = s ? g_string_chunk_insert_const (strings, s) : NULL;
      s = (const char *) sqlite3_column_text (stmt, 4);
      row.references = s && *s ? g_string_chunk_insert (strings, s) : NULL;
      g_array_append_val (rows, row);
    }
  if (!finish_rows (reader, stmt, rc, cancellable, error))
    return NULL;
  return _cachet_store_thread_rows ((CachetThreadRow *) (void *) rows->data, rows->len,
                                    sort == CACHET_SORT_DATE, descending);
}

CachetMessageList *
_cachet_index_search (CachetIndexReader *reader,
                      const char        *fts_query,
                      gint64             folder_id,
                      GCancellable      *cancellable,
                      GError           **error)
{
  static const char sql[] =
    "SELECT m.id FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid"
    " WHERE messages_fts MATCH ?1 AND (?2 = 0 OR m.folder_id = ?2)"
    " ORDER BY m.date DESC, m.id DESC";
  g_autoptr(CachetMessageList) list = message_list_new (FALSE);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (reader->conn.db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (error, reader->conn.db, "search");
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, fts_query, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, folder_id);
  watch_cancellable (reader, cancellable);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (list->ids, id);
    }
  if (rc != SQLITE_DONE && !g_cancellable_is_cancelled (cancellable))
    {
      /* The query is built so that FTS5 accepts it; if it still does not, say so as a
       * query problem rather than a broken database. */
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_QUERY,
                   _("The search could not be run: %s"), sqlite3_errmsg (reader->conn.db));
      sqlite3_finalize (stmt);
      watch_cancellable (reader, NULL);
      return NULL;
    }
  if (!finish_rows (reader, stmt, rc, cancellable, error))
    return NULL;
  return g_steal_pointer (&list);
}

static char *
dup_column (sqlite3_stmt *stmt,
            int           i)
{
  const char *s = (const char *) sqlite3_column_text (stmt, i);
  return g_strdup (s ? s : "");
}

gboolean
_cachet_index_summaries (CachetIndexReader    *reader,
                         const gint64         *ids,
                         guint                 n_ids,
                         CachetMessageSummary *out,
                         GError              **error)
{
  static const char sql[] =
    "SELECT folder_id, date, size, flags, has_attachment, from_name, from_addr, to_text,"
    " subject FROM messages WHERE id = ?";
  sqlite3_stmt *stmt = get_stmt (&reader->conn, sql, error);

  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < n_ids; i++)
    {
      CachetMessageSummary *s = &out[i];
      int rc;

      memset (s, 0, sizeof *s);
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, ids[i]);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          const char *name = (const char *) sqlite3_column_text (stmt, 5);
          s->id = ids[i];
          s->folder_id = sqlite3_column_int64 (stmt, 0);
          s->date = sqlite3_column_int64 (stmt, 1);
          s->size = sqlite3_column_int64 (stmt, 2);
          s->flags = sqlite3_column_int64 (stmt, 3);
          s->has_attachment = sqlite3_column_int (stmt, 4) != 0;
          s->from = name && *name ? g_strdup (name) : dup_column (stmt, 6);
          s->to = dup_column (stmt, 7);
          s->subject = dup_column (stmt, 8);
        }
      else if (rc != SQLITE_DONE)
        {
          set_db_error (error, reader->conn.db, "summaries");
          sqlite3_reset (stmt);
          for (guint j = 0; j <= i; j++)
            cachet_message_summary_clear (&out[j]);
          return FALSE;
        }
    }
  sqlite3_reset (stmt);
  return TRUE;
}

char *
_cachet_index_dup_rel_path (CachetIndexReader *reader,
                            gint64             id,
                            GError           **error)
{
  static const char sql[] =
    "SELECT f.path, m.file_name FROM messages m JOIN folders f ON f.id = m.folder_id"
    " WHERE m.id = ?";
  sqlite3_stmt *stmt = get_stmt (&reader->conn, sql, error);
  char *path = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    path = g_build_filename ((const char *) sqlite3_column_text (stmt, 0), "cur",
                             (const char *) sqlite3_column_text (stmt, 1), NULL);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                 _("There is no message %" PRId64 " in the store."), id);
  else
    set_db_error (error, reader->conn.db, "path");
  sqlite3_reset (stmt);
  return path;
}

/* For the other files of the index (cachet-index-ledger.c). */

CachetDb *
_cachet_index_writer_db (CachetIndex *index)
{
  return &index->writer;
}

CachetDb *
_cachet_index_reader_db (CachetIndexReader *reader)
{
  return &reader->conn;
}

sqlite3_stmt *
_cachet_db_stmt (CachetDb   *conn,
                 const char *sql,
                 GError    **error)
{
  return get_stmt (conn, sql, error);
}

gboolean
_cachet_db_step_done (CachetDb     *conn,
                      sqlite3_stmt *stmt,
                      GError      **error)
{
  return step_done (conn, stmt, error);
}

gboolean
_cachet_db_exec (CachetDb   *conn,
                 const char *sql,
                 GError    **error)
{
  return exec (conn, sql, error);
}

void
_cachet_db_set_error (GError    **error,
                      CachetDb   *conn,
                      const char *what)
{
  set_db_error (error, conn->db, what);
}
