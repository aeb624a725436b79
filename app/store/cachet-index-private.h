/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "cachet-store.h"

G_BEGIN_DECLS

/* The SQLite index: one write connection (the writer thread's) and a pool of read
 * connections, each used by one thread at a time (WAL readers never wait for the writer). */
typedef struct _CachetIndex       CachetIndex;
typedef struct _CachetIndexReader CachetIndexReader;

/* What the index keeps of a parsed message. */
typedef struct
{
  char    *message_id;
  char    *in_reply_to;
  char    *references;      /* space-separated, in order */
  gint64   date;
  char    *from_name;
  char    *from_addr;
  char    *to_text;
  char    *subject;
  char    *sort_from;
  char    *sort_subject;
  gboolean has_attachment;
  /* Flags from mbox "Status:" / "X-Status:" headers (used by the import only). */
  CachetFlags mbox_flags;
  /* Full text only (the FTS table keeps no copy). */
  char    *fts_sender;
  char    *fts_recipients;
  char    *fts_body;
} CachetIndexFields;

void _cachet_index_fields_free (CachetIndexFields *fields);

/* A message's place on disk as the index knows it. */
typedef struct
{
  gint64      id;
  gint64      folder_id;
  char       *base;
  char       *file_name;
  CachetFlags flags;
} CachetIndexFile;

void _cachet_index_file_free  (CachetIndexFile *file);
void _cachet_index_file_clear (CachetIndexFile *file);

/* Opens (creating or rebuilding as needed) the index at @path.  A database that cannot be
 * opened, fails PRAGMA quick_check or has an unknown schema version is moved aside to
 * "@path.broken-<time>" and a new one created; *@created then says the caller must index
 * every file.  *@was_clean says whether the last session closed the index cleanly.  With
 * @discard the existing database is moved aside unconditionally. */
CachetIndex *_cachet_index_open            (const char        *path,
                                            gboolean           discard,
                                            gboolean          *created,
                                            gboolean          *was_clean,
                                            GError           **error);
void         _cachet_index_close           (CachetIndex       *index,
                                            gboolean           clean);

gboolean     _cachet_index_begin           (CachetIndex       *index,
                                            GError           **error);
gboolean     _cachet_index_commit          (CachetIndex       *index,
                                            GError           **error);
void         _cachet_index_rollback        (CachetIndex       *index);

gint64       _cachet_index_insert          (CachetIndex       *index,
                                            gint64             folder_id,
                                            const char        *base,
                                            const char        *file_name,
                                            CachetFlags        flags,
                                            guint64            size,
                                            CachetIndexFields *fields,
                                            GError           **error);
gboolean     _cachet_index_insert_fts      (CachetIndex       *index,
                                            gint64             id,
                                            CachetIndexFields *fields,
                                            GError           **error);
gboolean     _cachet_index_fts_wants_rebuild (CachetIndex     *index);
gboolean     _cachet_index_fts_clear       (CachetIndex       *index,
                                            GError           **error);
gboolean     _cachet_index_fts_rebuilt     (CachetIndex       *index,
                                            GError           **error);
gboolean     _cachet_index_update_file     (CachetIndex       *index,
                                            gint64             id,
                                            gint64             folder_id,
                                            const char        *base,
                                            const char        *file_name,
                                            CachetFlags        flags,
                                            GError           **error);
gboolean     _cachet_index_delete          (CachetIndex       *index,
                                            gint64             id,
                                            GError           **error);
gboolean     _cachet_index_lookup          (CachetIndex       *index,
                                            gint64             id,
                                            CachetIndexFile   *out,
                                            GError           **error);
GPtrArray   *_cachet_index_folder_files    (CachetIndex       *index,
                                            gint64             folder_id,
                                            GError           **error);
GPtrArray   *_cachet_index_find_base       (CachetIndex       *index,
                                            const char        *base,
                                            GError           **error);

GPtrArray   *_cachet_index_list_folders    (CachetIndex       *index,
                                            GError           **error);
gboolean     _cachet_index_folder_counts   (CachetIndex       *index,
                                            gint64             folder_id,
                                            guint             *total,
                                            guint             *unread,
                                            GError           **error);
gint64       _cachet_index_add_folder      (CachetIndex       *index,
                                            const char        *path,
                                            gint64             parent_id,
                                            CachetFolderRole   role,
                                            GError           **error);
gboolean     _cachet_index_remove_folder   (CachetIndex       *index,
                                            gint64             folder_id,
                                            GError           **error);
gboolean     _cachet_index_rename_folder   (CachetIndex       *index,
                                            const char        *old_path,
                                            const char        *new_path,
                                            GError           **error);

gboolean     _cachet_index_set_folder_stamp (CachetIndex      *index,
                                             gint64            folder_id,
                                             gint64            cur_mtime,
                                             gint64            new_mtime,
                                             GError          **error);
gboolean     _cachet_index_get_folder_stamp (CachetIndex      *index,
                                             gint64            folder_id,
                                             gint64           *cur_mtime,
                                             gint64           *new_mtime);

/* The POP3 ledger (cachet-index-ledger.c).  Rows are recorded by _cachet_index_insert()
 * for every file with a POP3 name, so whatever indexes a file (a fetch, a sync, a rebuild)
 * keeps the ledger; a trigger marks rows whose message is removed for good. */
gboolean     _cachet_index_ledger_record   (CachetIndex       *index,
                                            gint64             id,
                                            const char        *base,
                                            GError           **error);
/* Writer: whether (account, uidl) has a row. */
gboolean     _cachet_index_ledger_has      (CachetIndex       *index,
                                            const char        *account_key,
                                            const char        *uidl_key,
                                            gboolean          *found,
                                            GError           **error);
/* Writer: removes the rows of @account_key for messages gone locally whose key is not in
 * @keep (a set of keys). */
gboolean     _cachet_index_ledger_forget   (CachetIndex       *index,
                                            const char        *account_key,
                                            GHashTable        *keep,
                                            guint             *n_forgotten,
                                            GError           **error);
/* Writer: a row for a message removed locally, from the tombstones of a lost index (a row
 * that exists is left alone). */
gboolean     _cachet_index_ledger_add_removed (CachetIndex    *index,
                                               const char     *account_key,
                                               const char     *uidl_key,
                                               gint64          fetched,
                                               gboolean        partial,
                                               GError        **error);
/* Writer: every row marked removed locally, as tombstone lines (see
 * cachet-store-tombstones.c). */
GString     *_cachet_index_ledger_removed_lines (CachetIndex  *index,
                                                 GError      **error);
gboolean     _cachet_index_set_synchronous_full (CachetIndex  *index,
                                                 gboolean      full,
                                                 GError      **error);

/* The outbox table (cachet-index-outbox.c).  Writer, unless said. */
gboolean     _cachet_index_outbox_insert   (CachetIndex              *index,
                                            const CachetOutboxRecord *record,
                                            GError                  **error);
/* Writes state, attempts, next_try, reason and in_doubt of @record's row. */
gboolean     _cachet_index_outbox_update   (CachetIndex              *index,
                                            const CachetOutboxRecord *record,
                                            GError                  **error);
gboolean     _cachet_index_outbox_delete   (CachetIndex              *index,
                                            gint64                    message_id,
                                            GError                  **error);
/* The row of @message_id; NULL (no error) when there is none. */
CachetOutboxRecord *_cachet_index_outbox_get (CachetIndex            *index,
                                              gint64                  message_id,
                                              GError                **error);
/* Every row: message id (gint64 *) -> CachetOutboxRecord. */
GHashTable  *_cachet_index_outbox_rows     (CachetIndex              *index,
                                            GError                  **error);

/* Reads: any thread.  Acquire a reader, use it, release it. */
CachetIndexReader *_cachet_index_reader_acquire (CachetIndex       *index,
                                                 GError           **error);
void               _cachet_index_reader_release (CachetIndex       *index,
                                                 CachetIndexReader *reader);

CachetMessageList *_cachet_index_list_messages  (CachetIndexReader *reader,
                                                 gint64             folder_id,
                                                 CachetSortColumn   sort,
                                                 gboolean           descending,
                                                 gboolean           threaded,
                                                 GCancellable      *cancellable,
                                                 GError           **error);
CachetMessageList *_cachet_index_search         (CachetIndexReader *reader,
                                                 const char        *fts_query,
                                                 gint64             folder_id,
                                                 GCancellable      *cancellable,
                                                 GError           **error);
gboolean           _cachet_index_summaries      (CachetIndexReader    *reader,
                                                 const gint64         *ids,
                                                 guint                 n_ids,
                                                 CachetMessageSummary *out,
                                                 GError              **error);
char              *_cachet_index_dup_rel_path   (CachetIndexReader *reader,
                                                 gint64             id,
                                                 GError           **error);
/* The messages of @folder_id (the Outbox) with their outbox rows, oldest first; one message
 * when @message_id is not 0. */
GPtrArray         *_cachet_index_outbox_list    (CachetIndexReader *reader,
                                                 gint64             folder_id,
                                                 gint64             message_id,
                                                 GError           **error);
/* key -> CachetLedgerEntry */
GHashTable        *_cachet_index_ledger_read    (CachetIndexReader *reader,
                                                 const char        *account_key,
                                                 GError           **error);

/* Shared with cachet-index-ledger.c: one connection and its statement cache. */
typedef struct _CachetDb CachetDb;

CachetDb          *_cachet_index_writer_db      (CachetIndex       *index);
CachetDb          *_cachet_index_reader_db      (CachetIndexReader *reader);
sqlite3_stmt      *_cachet_db_stmt              (CachetDb          *conn,
                                                 const char        *sql,
                                                 GError           **error);
gboolean           _cachet_db_step_done         (CachetDb          *conn,
                                                 sqlite3_stmt      *stmt,
                                                 GError           **error);
gboolean           _cachet_db_exec              (CachetDb          *conn,
                                                 const char        *sql,
                                                 GError           **error);
void               _cachet_db_set_error         (GError           **error,
                                                 CachetDb          *conn,
                                                 const char        *what);

G_END_DECLS
