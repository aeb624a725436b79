/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-store.h"
#include "cachet-index-private.h"

G_BEGIN_DECLS

/* How the store works
 *
 * The Maildir files are the truth; index.sqlite is a cache of them that can always be
 * rebuilt.  Every write runs on ONE writer thread that owns the write connection, in this
 * order: file to tmp/ -> fsync -> rename (no replace) -> fsync of the directory -> index
 * commit.  A crash between two steps leaves at worst a file the index does not know yet (or
 * a row whose file is gone or renamed); the next open (after an unclean shutdown: every
 * folder) or cachet_store_sync_folder_*() (that folder) reconciles the two.
 *
 * Crash hook for the tests: when the environment variable CACHET_STORE_CRASH_AT names one
 * of the steps below, the process calls _exit(CACHET_STORE_CRASH_EXIT) right there.  Reading
 * the variable happens once; when it is unset a crash point costs one pointer test.
 *
 *   add:tmp-written      message file written and fsync'd in tmp/, not yet renamed
 *   add:renamed          renamed into cur/ and directory fsync'd, index not committed
 *   add:committed        index committed, before the caller hears about it
 *   flags:renamed        file renamed to its new flags, index not committed
 *   flags:committed
 *   move:renamed         file renamed into the other folder, index not committed
 *   move:committed
 *   delete:unlinked      file removed from Trash, index not committed
 *   delete:committed
 *   import:synced        a batch of imported files written and synced in tmp/
 *   import:renamed       a batch of imported files renamed into cur/, not committed
 *   import:committed     after the commit of the first batch
 *   sync:renamed         a file of new/ moved to cur/ by a sync, index not committed
 *   folder:renamed       a folder directory renamed, index not committed
 *   fetch:tmp-written    a fetched message complete in tmp/ (not synced; fetch thread)
 *   fetch:synced         a fetched batch durable in tmp/, not yet renamed
 *   fetch:renamed        the batch renamed into cur/ and the directory fsync'd, not committed
 *   fetch:committed      the batch and its UIDLs committed, before the fetcher hears of it
 *   outbox:journaled     a queued message in tmp/ and its envelope in the journal
 *   outbox:renamed       the queued message renamed into the Outbox's cur/, not committed
 *   outbox:queued        the queued message and its outbox row committed
 *   outbox:tried         "trying" recorded for a message, before its SMTP transaction
 *   outbox:sent          "sent" recorded for a message the server accepted
 *   outbox:finished      a session's records made durable, its sent messages not yet moved
 *   outbox:moved         the sent messages moved to Sent and committed
 */
#define CACHET_STORE_CRASH_EXIT 86

void _cachet_store_crash_point (const char *step);

typedef enum
{
  JOB_OPEN,
  JOB_STOP,
  JOB_ADD,
  JOB_SET_FLAGS,
  JOB_MOVE,
  JOB_DELETE,
  JOB_CREATE_FOLDER,
  JOB_RENAME_FOLDER,
  JOB_DELETE_FOLDER,
  JOB_SYNC_FOLDER,
  JOB_IMPORT_MBOX,
  JOB_FETCH_COMMIT,
  JOB_LEDGER_FORGET,
  JOB_OUTBOX,
} CachetStoreJobKind;

typedef struct _CachetStoreJob CachetStoreJob;

struct _CachetStoreJob
{
  CachetStoreJobKind       kind;
  gint64                   folder_id;
  gint64                   to_folder_id;
  GArray                  *ids;        /* gint64 */
  CachetFlags              add;
  CachetFlags              remove;
  char                    *name;
  GBytes                  *data;
  CachetStoreProgressFunc  progress;
  gpointer                 progress_data;
  GDestroyNotify           progress_destroy;
  GCancellable            *cancellable;
  gpointer                 payload;    /* kind-specific, owned by the caller */

  /* Results. */
  gboolean                 ok;
  gint64                   result;
  GError                  *error;

  /* Completion: either a GTask (async) or a condition the caller waits on (sync). */
  GTask                   *task;
  GMutex                   mutex;
  GCond                    cond;
  gboolean                 done;
};

struct _CachetStore
{
  GObject       parent_instance;

  char         *data_dir;
  char         *mail_dir;
  char         *db_path;
  GMainContext *context;      /* the creator's: signals are emitted there */

  /* The folder snapshot, written by the writer, read by anyone (under lock). */
  GMutex        lock;
  GPtrArray    *folders;      /* CachetFolderInfo, in display order */

  CachetIndex  *index;        /* reads from any thread; writes only on the writer */
  GThread      *writer;
  GAsyncQueue  *queue;        /* CachetStoreJob */
  gboolean      opened;

  /* Writer-only state. */
  GThreadPool  *parse_pool;
  GHashTable   *touched;      /* folder ids whose counts must be refreshed */
  GHashTable   *synced;       /* folder id -> CachetDirStamp of the last full sync */
  gboolean      folders_dirty;
};

/* cachet-store.c */
CachetStoreJob *_cachet_store_job_new    (CachetStoreJobKind  kind,
                                          GCancellable       *cancellable);
void     _cachet_store_job_set_ids       (CachetStoreJob   *job,
                                          const gint64     *ids,
                                          guint             n_ids);
/* Runs @job on the writer and waits for it (takes @job). */
gboolean _cachet_store_run_sync          (CachetStore      *self,
                                          CachetStoreJob   *job,
                                          gint64           *result,
                                          GError          **error);
/* The two halves of _cachet_store_run_sync(): queue @job (FALSE with @error, and @job freed,
 * when the store cannot take it), then wait for it and free it. */
gboolean _cachet_store_run_start         (CachetStore      *self,
                                          CachetStoreJob   *job,
                                          GError          **error);
gboolean _cachet_store_run_wait          (CachetStoreJob   *job,
                                          gint64           *result,
                                          GError          **error);
/* Queues @job for the writer; it reports through a GTask (takes @job). */
void     _cachet_store_run_async         (CachetStore        *self,
                                          CachetStoreJob     *job,
                                          gpointer            source_tag,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
void     _cachet_store_emit_messages_changed (CachetStore      *self,
                                              gint64            folder_id,
                                              CachetChangeKind  kind,
                                              GArray           *ids);
void     _cachet_store_emit_one              (CachetStore      *self,
                                              gint64            folder_id,
                                              CachetChangeKind  kind,
                                              gint64            id);
char    *_cachet_store_dup_folder_dir        (CachetStore      *self,
                                              gint64            folder_id,
                                              GError          **error);
CachetFolderInfo *_cachet_store_find_folder  (CachetStore      *self,
                                              gint64            folder_id);
void     _cachet_store_set_folders           (CachetStore      *self,
                                              GPtrArray        *folders);
void     _cachet_store_emit_folders_changed  (CachetStore      *self);

/* cachet-store-jobs.c: the write jobs, run on the writer thread. */
void     _cachet_store_run_job               (CachetStore      *self,
                                              CachetStoreJob   *job);
gboolean _cachet_store_refresh_folders       (CachetStore      *self,
                                              GError          **error);
void     _cachet_store_finish_changes        (CachetStore      *self);
void     _cachet_store_touch                 (CachetStore      *self,
                                              gint64            folder_id);
/* Renames @from into @folder_dir/cur/ as @file_name, or under a new base when that name is
 * taken (@size for its ",S=", 0 to look it up); returns the name used. */
char    *_cachet_store_rename_into_cur       (const char       *from,
                                              const char       *folder_dir,
                                              const char       *file_name,
                                              gsize             size,
                                              GError          **error);
/* Moves messages (ids) into @to_folder_id, keeping each id. */
gboolean _cachet_store_move_messages         (CachetStore      *self,
                                              GArray           *ids,
                                              gint64            to_folder_id,
                                              GCancellable     *cancellable,
                                              GError          **error);

/* cachet-store-sync.c: reconcile files and index. */
gboolean _cachet_store_open_worker           (CachetStore      *self,
                                              CachetStoreJob   *job,
                                              GError          **error);
gboolean _cachet_store_sync_folder           (CachetStore      *self,
                                              gint64            folder_id,
                                              CachetStoreProgressFunc progress,
                                              gpointer          progress_data,
                                              GCancellable     *cancellable,
                                              GError          **error);

/* cachet-store-parse.c: parse message files on a small pool of threads. */
typedef struct
{
  char              *path;      /* the file to read (or NULL when data is set) */
  GBytes            *data;      /* the message, when already in memory */
  CachetIndexFields *fields;    /* filled in by the parse */
  guint64            size;
  GError            *error;
} CachetParseItem;

typedef struct _CachetParseBatch CachetParseBatch;

GThreadPool      *_cachet_store_parse_pool_new  (void);
CachetParseBatch *_cachet_store_parse_start     (GThreadPool      *pool,
                                                 GPtrArray        *items);
void              _cachet_store_parse_wait      (CachetParseBatch *batch);
void              _cachet_parse_item_free       (CachetParseItem  *item);

/* cachet-store-import.c */
gboolean _cachet_store_import_mbox           (CachetStore      *self,
                                              CachetStoreJob   *job,
                                              GError          **error);

/* cachet-store-incoming.c */
gboolean _cachet_store_commit_incoming       (CachetStore      *self,
                                              CachetStoreJob   *job,
                                              GError          **error);
gboolean _cachet_store_ledger_forget         (CachetStore      *self,
                                              CachetStoreJob   *job,
                                              GError          **error);

/* cachet-store-tombstones.c: the POP3 messages removed locally, kept in the Maildir. */
gboolean _cachet_store_note_removed          (CachetStore      *self,
                                              GPtrArray        *bases,
                                              GError          **error);
gboolean _cachet_store_load_tombstones       (CachetStore      *self,
                                              GError          **error);
gboolean _cachet_store_rewrite_tombstones    (CachetStore      *self,
                                              GError          **error);

/* cachet-store-outbox.c: the outbox jobs (job->payload says which). */
gboolean _cachet_store_outbox_run            (CachetStore      *self,
                                              CachetStoreJob   *job,
                                              GError          **error);

/* cachet-store-outbox-journal.c: the outbox journal, "mail/.cachet-outbox". */
typedef enum
{
  CACHET_JOURNAL_NOT_QUEUED,  /* withdrawn */
  CACHET_JOURNAL_WAITING,
  CACHET_JOURNAL_SENT,
  CACHET_JOURNAL_IN_DOUBT,
} CachetJournalStatus;

typedef struct
{
  char               *account_id;
  char              **recipients;
  CachetJournalStatus status;
} CachetJournalEntry;

/* Appends one record ("Q", "T", ...), @fields escaped; synced when @durable. */
gboolean    _cachet_outbox_journal_append   (CachetStore         *self,
                                             const char          *kind,
                                             const char * const  *fields,
                                             gboolean             durable,
                                             GError             **error);
gboolean    _cachet_outbox_journal_sync     (CachetStore         *self,
                                             GError             **error);
/* Holds the journal's shared lock (no rewrite meanwhile): -1 with @error on failure. */
int         _cachet_outbox_journal_lock     (CachetStore         *self,
                                             GError             **error);
void        _cachet_outbox_journal_unlock   (int                  lock_fd);
/* base -> CachetJournalEntry, from the journal's text as this boot (@boot_id) sees it. */
GHashTable *_cachet_outbox_journal_parse    (const char          *text,
                                             const char          *boot_id);
GHashTable *_cachet_outbox_journal_read     (CachetStore         *self,
                                             GError             **error);
/* Writes the journal again with only @live (base -> CachetJournalEntry), unless a queueing
 * in another process holds it (then it is left as it is). */
gboolean    _cachet_outbox_journal_rewrite  (CachetStore         *self,
                                             GHashTable          *live,
                                             GError             **error);
/* This boot of the machine (a power cut in between loses unsynced records). */
const char *_cachet_outbox_boot_id          (void);

/* cachet-store-threads.c */
typedef struct
{
  gint64      id;
  gint64      date;
  const char *message_id;   /* borrowed from the caller's storage */
  const char *in_reply_to;
  const char *references;   /* space-separated */
} CachetThreadRow;

/* @rows in the order of the sort the user chose (descending or not); returns ids and depths:
 * threads ordered by their root's position (or, for @by_newest, the newest message in
 * them), children by date. */
CachetMessageList *_cachet_store_thread_rows     (CachetThreadRow *rows,
                                                  guint            n_rows,
                                                  gboolean         by_newest,
                                                  gboolean         descending);

/* cachet-store-search.c */
char    *_cachet_store_build_fts_query       (const char       *user_query,
                                              GError          **error);

G_END_DECLS
