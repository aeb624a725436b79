/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-message.h"

G_BEGIN_DECLS

#define CACHET_STORE_ERROR (cachet_store_error_quark ())

typedef enum
{
  CACHET_STORE_ERROR_FAILED,      /* other: the message says what */
  CACHET_STORE_ERROR_IO,          /* a file operation failed (disk full, permissions) */
  CACHET_STORE_ERROR_DATABASE,    /* SQLite reported an error */
  CACHET_STORE_ERROR_NOT_FOUND,   /* no such folder or message */
  CACHET_STORE_ERROR_EXISTS,      /* a folder of that name exists */
  CACHET_STORE_ERROR_INVALID,     /* a bad folder name, or an operation not allowed on it */
  CACHET_STORE_ERROR_QUERY,       /* a search query could not be understood */
} CachetStoreError;

GQuark cachet_store_error_quark (void);

/* Maildir flags, kept in the file name (":2,FRS") and in the index. */
typedef enum
{
  CACHET_FLAG_NONE    = 0,
  CACHET_FLAG_SEEN    = 1 << 0,  /* S */
  CACHET_FLAG_REPLIED = 1 << 1,  /* R */
  CACHET_FLAG_FLAGGED = 1 << 2,  /* F */
  CACHET_FLAG_DRAFT   = 1 << 3,  /* D */
  CACHET_FLAG_PASSED  = 1 << 4,  /* P (forwarded) */
  CACHET_FLAG_TRASHED = 1 << 5,  /* T */
} CachetFlags;

typedef enum
{
  CACHET_FOLDER_ROLE_NONE,
  CACHET_FOLDER_ROLE_INBOX,
  CACHET_FOLDER_ROLE_DRAFTS,
  CACHET_FOLDER_ROLE_OUTBOX,
  CACHET_FOLDER_ROLE_SENT,
  CACHET_FOLDER_ROLE_TRASH,
  CACHET_FOLDER_ROLE_JUNK,
} CachetFolderRole;

typedef struct
{
  gint64           id;
  gint64           parent_id;   /* 0 for a top-level folder */
  char            *path;        /* "Inbox", "Lists/GTK" ('/' separates levels) */
  char            *name;        /* last component, as shown */
  CachetFolderRole role;
  guint            total;
  guint            unread;
} CachetFolderInfo;

#define CACHET_TYPE_FOLDER_INFO (cachet_folder_info_get_type ())
GType             cachet_folder_info_get_type (void) G_GNUC_CONST;
CachetFolderInfo *cachet_folder_info_copy     (const CachetFolderInfo *info);
void              cachet_folder_info_free     (CachetFolderInfo       *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetFolderInfo, cachet_folder_info_free)

/* One row of the message list. */
typedef struct
{
  gint64      id;
  gint64      folder_id;
  gint64      date;            /* Unix time (UTC); 0 when the message has no usable date */
  guint64     size;            /* bytes on disk */
  CachetFlags flags;
  gboolean    has_attachment;
  char       *from;            /* display form of the first From: name, else address */
  char       *to;              /* display form of To: */
  char       *subject;         /* decoded */
} CachetMessageSummary;

void cachet_message_summary_clear (CachetMessageSummary *summary);

typedef enum
{
  CACHET_SORT_DATE,
  CACHET_SORT_FROM,
  CACHET_SORT_SUBJECT,
  CACHET_SORT_SIZE,
  CACHET_SORT_FLAGS,
} CachetSortColumn;

/* An ordered list of message ids; in threaded order each row also has a depth. */
typedef struct
{
  GArray *ids;     /* gint64 */
  GArray *depths;  /* guint16, same length as ids; NULL unless threaded */
} CachetMessageList;

void cachet_message_list_free (CachetMessageList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetMessageList, cachet_message_list_free)

typedef enum
{
  CACHET_CHANGE_ADDED,
  CACHET_CHANGE_REMOVED,
  CACHET_CHANGE_FLAGS,
} CachetChangeKind;

/* Progress of a long operation (import, rebuild): called on the thread doing the work. */
typedef void (*CachetStoreProgressFunc) (guint64  done,
                                         guint64  total,
                                         gpointer user_data);

#define CACHET_TYPE_STORE (cachet_store_get_type ())
G_DECLARE_FINAL_TYPE (CachetStore, cachet_store, CACHET, STORE, GObject)

/* @data_dir is normally $XDG_DATA_HOME/cachet: mail lives in @data_dir/mail/ (one Maildir
 * per folder, nested folders as subdirectories), the index in @data_dir/index.sqlite.
 * Signals are emitted in the thread-default main context of the caller of _new(). */
CachetStore *cachet_store_new              (const char *data_dir);
CachetStore *cachet_store_new_default      (void);
const char  *cachet_store_get_data_dir     (CachetStore *self);
const char  *cachet_store_get_mail_dir     (CachetStore *self);

/* Creates the standard folders, opens the index (rebuilding it from the Maildirs when it is
 * missing or corrupt) and starts the writer thread. */
gboolean     cachet_store_open_sync        (CachetStore             *self,
                                            CachetStoreProgressFunc  progress,
                                            gpointer                 progress_data,
                                            GCancellable            *cancellable,
                                            GError                 **error);
void         cachet_store_open_async       (CachetStore         *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean     cachet_store_open_finish      (CachetStore   *self,
                                            GAsyncResult  *result,
                                            GError       **error);
void         cachet_store_close            (CachetStore *self);
/* TRUE once an open has completed (from any thread's point of view, eventually). */
gboolean     cachet_store_is_open          (CachetStore *self);

/* Folders: a snapshot kept up to date by the store; safe from any thread.  Each returns a
 * copy (transfer full): free the array with g_ptr_array_unref() (it frees its elements) and
 * a CachetFolderInfo with cachet_folder_info_free(); NULL when there is no such folder.
 * The counts are current when a _sync write returns; "folders-changed" follows. */
GPtrArray        *cachet_store_list_folders       (CachetStore      *self);  /* CachetFolderInfo */
CachetFolderInfo *cachet_store_get_folder         (CachetStore      *self,
                                                   gint64            folder_id);
CachetFolderInfo *cachet_store_get_folder_by_role (CachetStore      *self,
                                                   CachetFolderRole  role);
CachetFolderInfo *cachet_store_get_folder_by_path (CachetStore      *self,
                                                   const char       *path);

/* Writes.  All run on the store's single writer thread; the _sync forms block the calling
 * thread (never call them from the main thread of a GUI) and the _async forms report in the
 * caller's thread-default context.  Every write is durable when it returns: file written to
 * tmp/, fsync'd, renamed, directory fsync'd, then the index committed. */
gint64   cachet_store_add_message_sync   (CachetStore   *self,
                                          gint64         folder_id,
                                          GBytes        *data,
                                          CachetFlags    flags,
                                          GCancellable  *cancellable,
                                          GError       **error);
gboolean cachet_store_set_flags_sync     (CachetStore   *self,
                                          const gint64  *ids,
                                          guint          n_ids,
                                          CachetFlags    add,
                                          CachetFlags    remove,
                                          GCancellable  *cancellable,
                                          GError       **error);
gboolean cachet_store_move_sync          (CachetStore   *self,
                                          const gint64  *ids,
                                          guint          n_ids,
                                          gint64         to_folder_id,
                                          GCancellable  *cancellable,
                                          GError       **error);
/* Moves to Trash; messages already in Trash are removed for good. */
gboolean cachet_store_delete_sync        (CachetStore   *self,
                                          const gint64  *ids,
                                          guint          n_ids,
                                          GCancellable  *cancellable,
                                          GError       **error);
gint64   cachet_store_create_folder_sync (CachetStore   *self,
                                          gint64         parent_id,
                                          const char    *name,
                                          GCancellable  *cancellable,
                                          GError       **error);
gboolean cachet_store_rename_folder_sync (CachetStore   *self,
                                          gint64         folder_id,
                                          const char    *new_name,
                                          GCancellable  *cancellable,
                                          GError       **error);
/* Deletes a user folder with its subfolders; their messages go to Trash first. */
gboolean cachet_store_delete_folder_sync (CachetStore   *self,
                                          gint64         folder_id,
                                          GCancellable  *cancellable,
                                          GError       **error);
/* Picks up files added, removed or renamed by other programs in that folder. */
gboolean cachet_store_sync_folder_sync   (CachetStore   *self,
                                          gint64         folder_id,
                                          GCancellable  *cancellable,
                                          GError       **error);
/* Imports every message of an mbox file into the folder; returns how many. */
gboolean cachet_store_import_mbox_sync   (CachetStore             *self,
                                          const char              *path,
                                          gint64                   folder_id,
                                          CachetStoreProgressFunc  progress,
                                          gpointer                 progress_data,
                                          guint                   *n_imported,
                                          GCancellable            *cancellable,
                                          GError                 **error);

/* Async forms of the writes, for the GUI. _finish returns what _sync returns. */
void     cachet_store_set_flags_async    (CachetStore *self, const gint64 *ids, guint n_ids,
                                          CachetFlags add, CachetFlags remove,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback, gpointer user_data);
void     cachet_store_move_async         (CachetStore *self, const gint64 *ids, guint n_ids,
                                          gint64 to_folder_id, GCancellable *cancellable,
                                          GAsyncReadyCallback callback, gpointer user_data);
void     cachet_store_delete_async       (CachetStore *self, const gint64 *ids, guint n_ids,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback, gpointer user_data);
void     cachet_store_create_folder_async (CachetStore *self, gint64 parent_id, const char *name,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
void     cachet_store_rename_folder_async (CachetStore *self, gint64 folder_id,
                                           const char *new_name, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
void     cachet_store_delete_folder_async (CachetStore *self, gint64 folder_id,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
void     cachet_store_sync_folder_async  (CachetStore *self, gint64 folder_id,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback, gpointer user_data);
/* @progress is called in the caller's main context. */
void     cachet_store_import_mbox_async  (CachetStore *self, const char *path, gint64 folder_id,
                                          CachetStoreProgressFunc progress,
                                          gpointer progress_data, GDestroyNotify progress_destroy,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback, gpointer user_data);
/* For _set_flags, _move, _delete, _rename_folder, _delete_folder, _sync_folder. */
gboolean cachet_store_write_finish       (CachetStore *self, GAsyncResult *result, GError **error);
/* For _create_folder (the new id) and _import_mbox (the count). */
gint64   cachet_store_write_finish_int   (CachetStore *self, GAsyncResult *result, GError **error);

/* Reads.  Safe from any thread (each thread gets its own read connection; WAL readers never
 * wait for the writer).  They are quick index lookups; the id lists of big folders and
 * searches should still be run off the main thread (the _async forms do that). */
CachetMessageList *cachet_store_list_messages_sync (CachetStore       *self,
                                                    gint64             folder_id,
                                                    CachetSortColumn   sort,
                                                    gboolean           descending,
                                                    gboolean           threaded,
                                                    GCancellable      *cancellable,
                                                    GError           **error);
void               cachet_store_list_messages_async (CachetStore       *self,
                                                     gint64             folder_id,
                                                     CachetSortColumn   sort,
                                                     gboolean           descending,
                                                     gboolean           threaded,
                                                     GCancellable      *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer           user_data);
CachetMessageList *cachet_store_list_messages_finish (CachetStore   *self,
                                                      GAsyncResult  *result,
                                                      GError       **error);
/* Full-text search over subject, addresses and body (FTS5).  @query is what a user types:
 * words (all must match, prefixes allowed with '*'), "quoted phrases", and from:/to:/subject:
 * prefixes.  @folder_id 0 searches every folder.  Newest first. */
CachetMessageList *cachet_store_search_sync   (CachetStore   *self,
                                               const char    *query,
                                               gint64         folder_id,
                                               GCancellable  *cancellable,
                                               GError       **error);
void               cachet_store_search_async  (CachetStore   *self,
                                               const char    *query,
                                               gint64         folder_id,
                                               GCancellable  *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer       user_data);
CachetMessageList *cachet_store_search_finish (CachetStore   *self,
                                               GAsyncResult  *result,
                                               GError       **error);
/* Fills @out[0..n_ids) (caller clears each with cachet_message_summary_clear()).  A missing
 * id leaves its row with id 0. */
gboolean     cachet_store_get_summaries     (CachetStore          *self,
                                             const gint64         *ids,
                                             guint                 n_ids,
                                             CachetMessageSummary *out,
                                             GError              **error);
char        *cachet_store_dup_message_path  (CachetStore   *self,
                                             gint64         id,
                                             GError       **error);
CachetMessage *cachet_store_load_message    (CachetStore   *self,
                                             gint64         id,
                                             GError       **error);
/* The newest message whose Message-ID (without angle brackets) is @message_id, in
 * @folder_id (0: any folder); 0 when there is none (or on error, then @error is set). */
gint64       cachet_store_find_by_message_id (CachetStore   *self,
                                              const char    *message_id,
                                              gint64         folder_id,
                                              GError       **error);

/* Addresses seen, for completing what the user types in To, Cc and Bcc (CachetAddress,
 * free with g_ptr_array_unref()): the senders of stored messages, with the name they used
 * last, and the recipients the index kept as a bare address (it keeps To only in display
 * form, so a recipient who had a name is found only once they wrote).  An address matches
 * when it, its name or a word of its name starts with @prefix (case-insensitive); the most
 * frequent come first, then the most recent.  @limit 0: no limit.  Any thread; it scans the
 * index, so a GUI uses the _async form. */
GPtrArray  *cachet_store_find_addresses_sync   (CachetStore         *self,
                                                const char          *prefix,
                                                guint                limit,
                                                GCancellable        *cancellable,
                                                GError             **error);
void        cachet_store_find_addresses_async  (CachetStore         *self,
                                                const char          *prefix,
                                                guint                limit,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GPtrArray  *cachet_store_find_addresses_finish (CachetStore         *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* POP3: exactly-once delivery and the UIDL ledger.
 *
 * The ledger records, per account, the unique id (UIDL) of every message fetched from a POP3
 * server: when it was fetched, whether only its headers were, which stored message it is,
 * and whether that message was removed for good since (moving it to another folder or to
 * Trash keeps it).  A fetcher checks the ledger before RETR and deletes on the server (DELE)
 * only what the ledger says is stored.
 *
 * The Maildir is the truth here too: a fetched message's file name holds the account and
 * the UIDL ("<time>.pop3_<account>_<uidl>.<host>,S=<size>:2,<flags>", see
 * cachet-maildir-private.h), and indexing such a file (a fetch, a sync of the folder, a
 * rebuild of a lost index) records its ledger row in the same transaction.  A message
 * removed for good leaves no file, so it leaves a line in "mail/.cachet-pop3-removed"
 * instead, from which a rebuilt index marks it again.
 *
 * Receiving: the fetch worker thread streams each message into the folder's tmp/
 * (_begin, _write..., _end: nothing is kept in memory), then hands a batch to the writer
 * thread with cachet_store_incoming_commit(), which makes the files durable (syncfs, or an
 * fsync per file), renames them into cur/ (never over a file), fsyncs the directory, and
 * indexes them and records their UIDLs in ONE transaction with synchronous=FULL; only when
 * cachet_store_batch_finish() returned TRUE may the server be told to delete them.  A UIDL
 * the ledger knows already is not stored twice.  Crash hooks (CACHET_STORE_CRASH_AT):
 * fetch:tmp-written, fetch:synced, fetch:renamed, fetch:committed. */
typedef struct
{
  gint64   message_id;       /* the stored message; 0 once it was removed locally */
  gint64   fetched;          /* Unix time of the fetch */
  gboolean partial;          /* only the headers were fetched */
  gboolean deleted_locally;  /* removed for good (by Cachet or another program) */
} CachetLedgerEntry;

/* The key the ledger files @uidl under (also part of the file name): the UIDL itself with
 * unusual bytes escaped, or a hash of a very long one. */
char       *cachet_store_ledger_key          (const char   *uidl);
/* The ledger of an account: a table from cachet_store_ledger_key() to CachetLedgerEntry
 * (free with g_hash_table_unref()).  Any thread. */
GHashTable *cachet_store_ledger_get_sync     (CachetStore  *self,
                                              const char   *account_id,
                                              GError      **error);
/* Forgets the rows of @account_id whose message was removed locally and whose UIDL is not
 * among @server_uidls (the server's complete list): nothing is left to delete there.
 * Rows of messages still stored stay (their file names would bring them back anyway). */
gboolean    cachet_store_ledger_forget_sync  (CachetStore         *self,
                                              const char          *account_id,
                                              const char * const  *server_uidls,
                                              guint                n_uidls,
                                              guint               *n_forgotten,
                                              GCancellable        *cancellable,
                                              GError             **error);

typedef struct _CachetStoreIncoming CachetStoreIncoming;
typedef struct _CachetStoreBatch    CachetStoreBatch;

/* Messages of @account_id arriving into @folder_id.  Used by one thread at a time (not the
 * main thread of a GUI: committing waits for the disk). */
CachetStoreIncoming *cachet_store_incoming_new      (CachetStore         *self,
                                                     gint64               folder_id,
                                                     const char          *account_id,
                                                     GError             **error);
gboolean     cachet_store_incoming_begin            (CachetStoreIncoming *incoming,
                                                     const char          *uidl,
                                                     gboolean             headers_only,
                                                     GError             **error);
gboolean     cachet_store_incoming_write            (CachetStoreIncoming *incoming,
                                                     const void          *data,
                                                     gsize                len,
                                                     GError             **error);
/* The message is complete: it joins the pending batch. */
gboolean     cachet_store_incoming_end              (CachetStoreIncoming *incoming,
                                                     GError             **error);
/* Drops the message being received (a transfer that failed). */
void         cachet_store_incoming_abandon          (CachetStoreIncoming *incoming);
guint        cachet_store_incoming_get_n_pending    (CachetStoreIncoming *incoming);
guint64      cachet_store_incoming_get_pending_size (CachetStoreIncoming *incoming);
/* Queues the pending messages for the writer and returns at once (receiving may go on);
 * NULL when nothing is pending. */
CachetStoreBatch *cachet_store_incoming_commit      (CachetStoreIncoming *incoming);
/* Removes what was received but not committed. */
void         cachet_store_incoming_free             (CachetStoreIncoming *incoming);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetStoreIncoming, cachet_store_incoming_free)

/* Waits until the batch is committed (or failed: then none of it is stored) and frees it.
 * @stored (may be NULL) gets the UIDLs of the batch that are now safely stored: the new ones
 * and those the ledger knew already; @n_new how many were new. */
gboolean     cachet_store_batch_finish              (CachetStoreBatch    *batch,
                                                     GPtrArray          **stored,
                                                     guint               *n_new,
                                                     GError             **error);

/* The outbox: messages waiting to be sent (see cachet-store-outbox.c for how it survives a
 * crash and a lost index).
 *
 * A message to send is written to the Outbox folder with its envelope (the account that
 * sends it, the recipients given to the server: Bcc among them, though the file has no Bcc
 * header) and a state.  The Maildir root keeps a small journal beside the folders,
 * "mail/.cachet-outbox": the envelope of each queued message and, while a sender works, the
 * marks "trying" (the SMTP transaction is starting) and "sent" (the server accepted it).
 * The journal is the truth the index's outbox table is rebuilt from, and what keeps a
 * message from being sent twice: a message recorded sent is never sent again (it is moved
 * to Sent), and a message whose transaction was interrupted by a crash (tried, no outcome)
 * is "in doubt": the server may have it, so it waits for the user instead of being sent
 * again by itself.
 *
 * One sender at a time may call the functions marked "sender" (the one holding its lock,
 * see app/send); queueing, listing, retrying and withdrawing are open to anyone.  All writes
 * run on the store's writer thread (never call the _sync forms from a GUI's main thread).
 * Crash hooks (CACHET_STORE_CRASH_AT): outbox:journaled, outbox:renamed, outbox:queued,
 * outbox:tried, outbox:sent, outbox:finished, outbox:moved. */
typedef enum
{
  CACHET_OUTBOX_WAITING,   /* queued, or waiting for its next try */
  CACHET_OUTBOX_SENDING,
  CACHET_OUTBOX_FAILED,    /* needs the user: see the reason */
  CACHET_OUTBOX_SENT,      /* recorded sent, being moved to Sent */
} CachetOutboxState;

typedef struct
{
  gint64             message_id;   /* in the Outbox folder */
  char              *account_id;   /* NULL: not queued (Cachet knows no envelope for it) */
  char             **recipients;   /* the envelope recipients; NULL when not queued */
  CachetOutboxState  state;
  guint              attempts;
  gint64             next_try;     /* Unix time; 0: as soon as possible */
  char              *reason;       /* the last failure in plain words, or NULL */
  gboolean           in_doubt;     /* interrupted inside the SMTP transaction (FAILED) */
  gint64             queued;       /* Unix time it was queued; 0 when not known */
} CachetOutboxRecord;

void                cachet_outbox_record_free        (CachetOutboxRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetOutboxRecord, cachet_outbox_record_free)

/* Writes @message (RFC 5322; sent as it is) into the Outbox, seen, with its envelope, and
 * returns its id.  Durable when it returns: file, journal and index. */
gint64              cachet_store_outbox_queue_sync   (CachetStore         *self,
                                                      const char          *account_id,
                                                      GBytes              *message,
                                                      const char * const  *recipients,
                                                      GCancellable        *cancellable,
                                                      GError             **error);
/* Reads (any thread): every message of the Outbox folder (CachetOutboxRecord, oldest
 * first), and one of them (NULL with CACHET_STORE_ERROR_NOT_FOUND when it is not in the
 * Outbox). */
GPtrArray          *cachet_store_outbox_list         (CachetStore         *self,
                                                      GError             **error);
CachetOutboxRecord *cachet_store_outbox_get          (CachetStore         *self,
                                                      gint64               message_id,
                                                      GError             **error);
/* Makes @message_id (0: every waiting or failed message not in doubt) due now: WAITING,
 * next try 0.  Naming a message in doubt is the user's decision to send it again. */
gboolean            cachet_store_outbox_retry_sync   (CachetStore         *self,
                                                      gint64               message_id,
                                                      GCancellable        *cancellable,
                                                      GError             **error);
/* Takes a message out of the queue; it stays in the Outbox folder (not queued) for the
 * caller to move or delete.  Refused (CACHET_STORE_ERROR_INVALID) while it is being sent. */
gboolean            cachet_store_outbox_withdraw_sync (CachetStore        *self,
                                                       gint64              message_id,
                                                       GCancellable       *cancellable,
                                                       GError            **error);

/* Sender: brings the outbox table in line with the journal (after a crash, a lost index,
 * or another process's queueing): creates missing rows, marks what was recorded sent SENT
 * and what was interrupted in doubt, and moves every SENT message to Sent; @moved (may be
 * NULL) gets their ids (gint64).  Then tidies the journal. */
gboolean            cachet_store_outbox_recover_sync (CachetStore         *self,
                                                      GArray             **moved,
                                                      GCancellable        *cancellable,
                                                      GError             **error);
/* Sender: these messages are about to be sent in one session (made durable first). */
gboolean            cachet_store_outbox_begin_sync   (CachetStore         *self,
                                                      const gint64        *ids,
                                                      guint                n_ids,
                                                      GCancellable        *cancellable,
                                                      GError             **error);
/* Sender: the transaction of this message starts now (SENDING).  CACHET_STORE_ERROR_NOT_FOUND
 * when it is no longer waiting (withdrawn, moved, deleted): do not send it. */
gboolean            cachet_store_outbox_trying_sync  (CachetStore         *self,
                                                      gint64               message_id,
                                                      GError             **error);
/* Sender: the server accepted it (SENT). */
gboolean            cachet_store_outbox_sent_sync    (CachetStore         *self,
                                                      gint64               message_id,
                                                      GError             **error);
/* Sender: it was not sent: @state WAITING (try again at @next_try) or FAILED (wait for
 * the user), with the reason; counts an attempt. */
gboolean            cachet_store_outbox_failed_sync  (CachetStore         *self,
                                                      gint64               message_id,
                                                      CachetOutboxState    state,
                                                      gint64               next_try,
                                                      const char          *reason,
                                                      GError             **error);
/* Sender: its transaction broke off where the server may have taken it (the connection
 * dropped or timed out after the recipients were accepted): FAILED and in doubt, with the
 * reason; counts an attempt. */
gboolean            cachet_store_outbox_interrupted_sync (CachetStore     *self,
                                                          gint64           message_id,
                                                          const char      *reason,
                                                          GError         **error);
/* Sender: the session is over: makes its records durable, then moves the SENT messages to
 * Sent (keeping their ids); @moved (may be NULL) gets those ids. */
gboolean            cachet_store_outbox_finish_sync  (CachetStore         *self,
                                                      GArray             **moved,
                                                      GCancellable        *cancellable,
                                                      GError             **error);

/* Signals (in the creator's main context):
 *   "folders-changed" ()                       folders added, removed, renamed or counts changed
 *   "messages-changed" (gint64 folder_id, CachetChangeKind kind, GArray *ids)   */

G_END_DECLS
