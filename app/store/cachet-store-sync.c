/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include <inttypes.h>

#include <dirent.h>
#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cachet-maildir-private.h"
#include "cachet-store-private.h"

/* Opening the store and reconciling the index with the Maildir files.  Writer thread only.
 *
 * Reconciling a folder: list cur/ and new/ and the folder's rows; a file whose base the
 * index does not know is parsed and inserted (unless its row is in another folder whose
 * file is gone: then it was moved and the row follows, keeping its id); a known base with
 * another file name had its flags changed; a row with no file left is removed.  Files in
 * new/ are first moved to cur/ with an info (":2,") as mutt does. */

/* Messages parsed and inserted per transaction. */
#define BATCH_SIZE 256

static const struct
{
  const char      *name;
  CachetFolderRole role;
} standard_folders[] = {
  { "Inbox", CACHET_FOLDER_ROLE_INBOX },
  { "Drafts", CACHET_FOLDER_ROLE_DRAFTS },
  { "Outbox", CACHET_FOLDER_ROLE_OUTBOX },
  { "Sent", CACHET_FOLDER_ROLE_SENT },
  { "Trash", CACHET_FOLDER_ROLE_TRASH },
  { "Junk", CACHET_FOLDER_ROLE_JUNK },
};

/* The modification times of cur/ and new/ before a sync read them: when both are unchanged at
 * the next sync of the folder, nothing was added, removed or renamed there. */
typedef struct
{
  gint64 cur_ns;
  gint64 new_ns;
  gboolean valid;
} CachetDirStamp;

typedef struct
{
  gint64      folder_id;
  char       *dir;
  CachetDirStamp stamp;
  GHashTable *on_disk;      /* base -> NULL: what phase 1 found */
  GPtrArray  *to_insert;    /* CachetMaildirEntry */
} FolderSync;

static void
folder_sync_free (FolderSync *fs)
{
  g_free (fs->dir);
  g_clear_pointer (&fs->on_disk, g_hash_table_unref);
  g_clear_pointer (&fs->to_insert, g_ptr_array_unref);
  g_free (fs);
}

typedef struct
{
  CachetStore             *self;
  CachetStoreProgressFunc  progress;
  gpointer                 progress_data;
  GCancellable            *cancellable;
  guint64                  done;
  guint64                  total;
} SyncRun;

static gint64
mtime_ns (const char *dir,
          const char *sub,
          gint64     *newest)
{
  g_autofree char *path = g_build_filename (dir, sub, NULL);
  struct stat st;
  gint64 ns;

  if (stat (path, &st) != 0)
    return -1;
  ns = (gint64) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
  *newest = MAX (*newest, ns);
  return ns;
}

static CachetDirStamp
dir_stamp (const char *dir)
{
  CachetDirStamp stamp = { 0, 0, FALSE };
  gint64 newest = 0;
  gint64 now_ns = g_get_real_time () * 1000;

  stamp.cur_ns = mtime_ns (dir, "cur", &newest);
  stamp.new_ns = mtime_ns (dir, "new", &newest);
  /* Time stamps are as coarse as the kernel's clock tick: a change in the same tick as the
   * one seen would leave the same time.  Only a time safely in the past can be trusted. */
  stamp.valid = stamp.cur_ns >= 0 && stamp.new_ns >= 0
                && newest < now_ns - 2 * (gint64) G_USEC_PER_SEC * 1000;
  return stamp;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const CachetMaildirEntry *ea = *(const CachetMaildirEntry * const *) a;
  const CachetMaildirEntry *eb = *(const CachetMaildirEntry * const *) b;
  int r = strcmp (ea->base, eb->base);
  return r != 0 ? r : strcmp (ea->file_name, eb->file_name);
}

static guint64
file_size (const char *path)
{
  GStatBuf st;
  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

/* Moves a file of new/ (or a second file with a base seen already) to cur/ under a name
 * with an info and a base of its own. */
static gboolean
settle_entry (FolderSync         *fs,
              CachetMaildirEntry *e,
              gboolean            new_base,
              GError            **error)
{
  g_autofree char *from = g_build_filename (fs->dir, e->in_new ? "new" : "cur", e->file_name,
                                            NULL);
  g_autofree char *base = new_base ? _cachet_maildir_new_base (file_size (from))
                                   : g_strdup (e->base);

  for (int attempt = 0; attempt < 100; attempt++)
    {
      g_autofree char *name = _cachet_maildir_make_name (base, e->file_name,
                                                         _cachet_maildir_parse_flags (e->file_name));
      g_autofree char *to = g_build_filename (fs->dir, "cur", name, NULL);
      g_autoptr(GError) local_error = NULL;

      if (_cachet_maildir_rename (from, to, &local_error))
        {
          g_free (e->file_name);
          e->file_name = g_steal_pointer (&name);
          g_free (e->base);
          e->base = g_steal_pointer (&base);
          e->in_new = FALSE;
          return TRUE;
        }
      if (!g_error_matches (local_error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_free (base);
      base = _cachet_maildir_new_base (file_size (from));
    }
  g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_IO,
               _("Could not find a free file name in “%s”."), fs->dir);
  return FALSE;
}

/* Phase 1: files on disk against the folder's rows (no deletions yet). */
static FolderSync *
sync_phase1 (SyncRun *run,
             gint64   folder_id,
             GError **error)
{
  CachetStore *self = run->self;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GHashTable) rows = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) flagged = g_array_new (FALSE, FALSE, sizeof (gint64));
  FolderSync *fs = g_new0 (FolderSync, 1);
  gboolean settled = FALSE;
  gboolean in_transaction = FALSE;

  fs->folder_id = folder_id;
  fs->dir = _cachet_store_dup_folder_dir (self, folder_id, error);
  fs->on_disk = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fs->to_insert = g_ptr_array_new_with_free_func ((GDestroyNotify) _cachet_maildir_entry_free);
  if (fs->dir == NULL)
    goto fail;
  _cachet_maildir_clean_tmp (fs->dir, CACHET_MAILDIR_TMP_MAX_AGE);
  fs->stamp = dir_stamp (fs->dir);
  entries = _cachet_maildir_scan (fs->dir, error);
  if (entries == NULL)
    goto fail;
  files = _cachet_index_folder_files (self->index, folder_id, error);
  if (files == NULL)
    goto fail;
  for (guint i = 0; i < files->len; i++)
    {
      CachetIndexFile *f = g_ptr_array_index (files, i);
      g_hash_table_insert (rows, f->base, f);
    }
  g_ptr_array_sort (entries, compare_entries);

  for (guint i = 0; i < entries->len; i++)
    {
      CachetMaildirEntry *e = g_ptr_array_index (entries, i);
      gboolean duplicate = g_hash_table_contains (fs->on_disk, e->base);
      CachetIndexFile *row;

      if (e->in_new || duplicate || strstr (e->file_name, ":2,") == NULL)
        {
          g_autoptr(GError) local_error = NULL;
          if (!settle_entry (fs, e, duplicate, &local_error))
            {
              g_warning ("Could not move %s/%s into cur/: %s", fs->dir, e->file_name,
                         local_error->message);
              continue;
            }
          settled = TRUE;
        }
      g_hash_table_add (fs->on_disk, g_strdup (e->base));
      row = g_hash_table_lookup (rows, e->base);
      if (row == NULL)
        {
          g_ptr_array_add (fs->to_insert, e);
          entries->pdata[i] = NULL;
          continue;
        }
      if (!g_str_equal (row->file_name, e->file_name))
        {
          if (!in_transaction && !_cachet_index_begin (self->index, error))
            goto fail;
          in_transaction = TRUE;
          if (!_cachet_index_update_file (self->index, row->id, folder_id, e->base,
                                          e->file_name,
                                          _cachet_maildir_parse_flags (e->file_name), error))
            goto fail;
          g_array_append_val (flagged, row->id);
        }
    }
  if (settled)
    {
      g_autofree char *cur = g_build_filename (fs->dir, "cur", NULL);
      g_autofree char *new = g_build_filename (fs->dir, "new", NULL);
      if (!_cachet_maildir_fsync_dir (cur, error) || !_cachet_maildir_fsync_dir (new, error))
        goto fail;
      _cachet_store_crash_point ("sync:renamed");
    }
  if (in_transaction && !_cachet_index_commit (self->index, error))
    goto fail;
  _cachet_store_emit_messages_changed (self, folder_id, CACHET_CHANGE_FLAGS, flagged);
  run->total += fs->to_insert->len;
  return fs;

fail:
  if (in_transaction)
    _cachet_index_rollback (self->index);
  folder_sync_free (fs);
  return NULL;
}

/* A new file whose base has a row in another folder with no file there: it was moved
 * (by us, before a crash, or by another program).  The row follows, keeping its id. */
static gboolean
adopt_moved (CachetStore        *self,
             FolderSync         *fs,
             CachetMaildirEntry *e,
             GError            **error)
{
  g_autoptr(GPtrArray) rows = _cachet_index_find_base (self->index, e->base, error);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      CachetIndexFile *row = g_ptr_array_index (rows, i);
      g_autofree char *dir = NULL;
      g_autofree char *path = NULL;

      if (row->folder_id == fs->folder_id)
        continue;
      dir = _cachet_store_dup_folder_dir (self, row->folder_id, NULL);
      if (dir != NULL)
        {
          path = g_build_filename (dir, "cur", row->file_name, NULL);
          if (g_file_test (path, G_FILE_TEST_EXISTS))
            continue;
        }
      if (!_cachet_index_begin (self->index, error))
        return FALSE;
      if (!_cachet_index_update_file (self->index, row->id, fs->folder_id, e->base,
                                      e->file_name, _cachet_maildir_parse_flags (e->file_name),
                                      error)
          || !_cachet_index_commit (self->index, error))
        {
          _cachet_index_rollback (self->index);
          return FALSE;
        }
      _cachet_store_emit_one (self, row->folder_id, CACHET_CHANGE_REMOVED, row->id);
      _cachet_store_emit_one (self, fs->folder_id, CACHET_CHANGE_ADDED, row->id);
      return TRUE;
    }
  return FALSE;
}

static GPtrArray *
make_items (FolderSync *fs,
            GPtrArray  *entries,
            guint       start,
            guint       n)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) _cachet_parse_item_free);

  for (guint i = start; i < start + n && i < entries->len; i++)
    {
      CachetMaildirEntry *e = g_ptr_array_index (entries, i);
      CachetParseItem *item = g_new0 (CachetParseItem, 1);
      item->path = g_build_filename (fs->dir, "cur", e->file_name, NULL);
      g_ptr_array_add (items, item);
    }
  return items;
}

static gboolean
insert_items (SyncRun    *run,
              FolderSync *fs,
              GPtrArray  *entries,
              guint       start,
              GPtrArray  *items,
              GError    **error)
{
  CachetStore *self = run->self;
  g_autoptr(GArray) added = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (!_cachet_index_begin (self->index, error))
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      CachetParseItem *item = g_ptr_array_index (items, i);
      CachetMaildirEntry *e = g_ptr_array_index (entries, start + i);
      gint64 id;

      if (item->fields == NULL)
        {
          /* Gone since the listing (another program): the next sync sees it. */
          g_debug ("Skipping %s: %s", item->path, item->error ? item->error->message : "?");
          continue;
        }
      id = _cachet_index_insert (self->index, fs->folder_id, e->base, e->file_name,
                                 _cachet_maildir_parse_flags (e->file_name), item->size,
                                 item->fields, error);
      if (id == 0)
        {
          _cachet_index_rollback (self->index);
          return FALSE;
        }
      g_array_append_val (added, id);
    }
  if (!_cachet_index_commit (self->index, error))
    {
      _cachet_index_rollback (self->index);
      return FALSE;
    }
  _cachet_store_emit_messages_changed (self, fs->folder_id, CACHET_CHANGE_ADDED, added);
  run->done += items->len;
  if (run->progress)
    run->progress (run->done, run->total, run->progress_data);
  return TRUE;
}

/* Phase 1b: parse and insert the unknown files, in batches; parsing of the next batch runs
 * on the pool while the writer inserts this one. */
static gboolean
sync_insert (SyncRun    *run,
             FolderSync *fs,
             GError    **error)
{
  CachetStore *self = run->self;
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) _cachet_maildir_entry_free);
  GPtrArray *items = NULL;
  CachetParseBatch *batch = NULL;
  guint start = 0;
  gboolean ok = TRUE;

  for (guint i = 0; i < fs->to_insert->len; i++)
    {
      CachetMaildirEntry *e = g_ptr_array_index (fs->to_insert, i);
      if (adopt_moved (self, fs, e, NULL))
        {
          run->done++;
          continue;
        }
      g_ptr_array_add (entries, e);
      fs->to_insert->pdata[i] = NULL;
    }
  if (entries->len == 0)
    return TRUE;

  if (self->parse_pool == NULL)
    self->parse_pool = _cachet_store_parse_pool_new ();
  items = make_items (fs, entries, 0, BATCH_SIZE);
  batch = _cachet_store_parse_start (self->parse_pool, items);
  while (items != NULL)
    {
      GPtrArray *next_items = NULL;
      CachetParseBatch *next_batch = NULL;
      guint next_start = start + items->len;

      _cachet_store_parse_wait (batch);
      if (ok && next_start < entries->len && !g_cancellable_is_cancelled (run->cancellable))
        {
          next_items = make_items (fs, entries, next_start, BATCH_SIZE);
          next_batch = _cachet_store_parse_start (self->parse_pool, next_items);
        }
      if (ok)
        ok = insert_items (run, fs, entries, start, items, error);
      g_ptr_array_unref (items);
      items = next_items;
      batch = next_batch;
      start = next_start;
    }
  if (ok && g_cancellable_set_error_if_cancelled (run->cancellable, error))
    ok = FALSE;
  return ok;
}

/* Phase 2: rows whose file is gone. */
static gboolean
sync_phase2 (SyncRun    *run,
             FolderSync *fs,
             GError    **error)
{
  CachetStore *self = run->self;
  g_autoptr(GPtrArray) files = _cachet_index_folder_files (self->index, fs->folder_id, error);
  g_autoptr(GArray) removed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) bases = g_ptr_array_new ();

  if (files == NULL)
    return FALSE;
  for (guint i = 0; i < files->len; i++)
    {
      CachetIndexFile *f = g_ptr_array_index (files, i);
      if (!g_hash_table_contains (fs->on_disk, f->base))
        {
          g_array_append_val (removed, f->id);
          g_ptr_array_add (bases, f->base);
        }
    }
  if (removed->len == 0)
    return TRUE;
  /* Fetched messages another program removed leave a tombstone (a moved one gets its row
   * back from its new place, which clears the mark). */
  if (!_cachet_store_note_removed (self, bases, error))
    return FALSE;
  if (!_cachet_index_begin (self->index, error))
    return FALSE;
  for (guint i = 0; i < removed->len; i++)
    if (!_cachet_index_delete (self->index, g_array_index (removed, gint64, i), error))
      {
        _cachet_index_rollback (self->index);
        return FALSE;
      }
  if (!_cachet_index_commit (self->index, error))
    {
      _cachet_index_rollback (self->index);
      return FALSE;
    }
  _cachet_store_emit_messages_changed (self, fs->folder_id, CACHET_CHANGE_REMOVED, removed);
  return TRUE;
}

static gboolean
sync_folders (SyncRun *run,
              GArray  *folder_ids,
              GError **error)
{
  g_autoptr(GPtrArray) syncs = g_ptr_array_new_with_free_func ((GDestroyNotify) folder_sync_free);

  /* Every folder's phase 1 before any deletion: a message moved between two folders is then
   * found in its new place before its old row could be dropped. */
  for (guint i = 0; i < folder_ids->len; i++)
    {
      FolderSync *fs = sync_phase1 (run, g_array_index (folder_ids, gint64, i), error);
      if (fs == NULL)
        return FALSE;
      g_ptr_array_add (syncs, fs);
    }
  if (run->progress)
    run->progress (run->done, run->total, run->progress_data);
  for (guint i = 0; i < syncs->len; i++)
    if (!sync_insert (run, g_ptr_array_index (syncs, i), error))
      return FALSE;
  for (guint i = 0; i < syncs->len; i++)
    {
      FolderSync *fs = g_ptr_array_index (syncs, i);
      gint64 *key;

      if (!sync_phase2 (run, fs, error))
        return FALSE;
      g_hash_table_remove (run->self->synced, &fs->folder_id);
      _cachet_index_set_folder_stamp (run->self->index, fs->folder_id,
                                      fs->stamp.valid ? fs->stamp.cur_ns : 0,
                                      fs->stamp.valid ? fs->stamp.new_ns : 0, NULL);
      if (!fs->stamp.valid)
        continue;
      key = g_new (gint64, 1);
      *key = fs->folder_id;
      g_hash_table_insert (run->self->synced, key, g_memdup2 (&fs->stamp, sizeof fs->stamp));
    }
  return TRUE;
}

gboolean
_cachet_store_sync_folder (CachetStore            *self,
                           gint64                  folder_id,
                           CachetStoreProgressFunc progress,
                           gpointer                progress_data,
                           GCancellable           *cancellable,
                           GError                **error)
{
  SyncRun run = { self, progress, progress_data, cancellable, 0, 0 };
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(CachetFolderInfo) info = _cachet_store_find_folder (self, folder_id);

  if (info == NULL)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                   _("There is no folder %" PRId64 "."), folder_id);
      return FALSE;
    }
  /* Nothing changed on disk since the last sync (by anyone): nothing to do. */
  {
    g_autofree char *dir = g_build_filename (self->mail_dir, info->path, NULL);
    CachetDirStamp *last = g_hash_table_lookup (self->synced, &folder_id);
    CachetDirStamp now = dir_stamp (dir);
    CachetDirStamp stored = { 0, 0, TRUE };

    /* Also across sessions: the last sync's times are kept with the folder.  (After an
     * unclean shutdown every folder is reconciled at open anyway.) */
    if (last == NULL
        && _cachet_index_get_folder_stamp (self->index, folder_id, &stored.cur_ns,
                                           &stored.new_ns))
      last = &stored;

    if (last != NULL && now.valid && now.cur_ns == last->cur_ns && now.new_ns == last->new_ns)
      return TRUE;
  }
  g_array_append_val (ids, folder_id);
  return sync_folders (&run, ids, error);
}

/* The folder tree on disk: every directory below mail/ with a cur/ in it. */
static void
scan_tree (const char *mail_dir,
           const char *rel,
           GPtrArray  *paths)
{
  g_autofree char *dir_path = rel ? g_build_filename (mail_dir, rel, NULL) : g_strdup (mail_dir);
  DIR *dir = opendir (dir_path);
  struct dirent *de;

  if (dir == NULL)
    return;
  while ((de = readdir (dir)) != NULL)
    {
      g_autofree char *child_rel = NULL;
      g_autofree char *child = NULL;

      if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
        continue;
      if (!_cachet_maildir_check_name (de->d_name, NULL))
        continue;
      child_rel = rel ? g_strconcat (rel, "/", de->d_name, NULL) : g_strdup (de->d_name);
      child = g_build_filename (mail_dir, child_rel, NULL);
      if (!g_file_test (child, G_FILE_TEST_IS_DIR) || !_cachet_maildir_is_folder (child))
        continue;
      g_ptr_array_add (paths, g_strdup (child_rel));
      scan_tree (mail_dir, child_rel, paths);
    }
  closedir (dir);
}

static CachetFolderRole
role_for_path (const char *path)
{
  for (gsize i = 0; i < G_N_ELEMENTS (standard_folders); i++)
    if (g_str_equal (path, standard_folders[i].name))
      return standard_folders[i].role;
  return CACHET_FOLDER_ROLE_NONE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Makes the folders table match the directories. */
static gboolean
sync_folder_table (CachetStore *self,
                   GError     **error)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) known = _cachet_index_list_folders (self->index, error);
  g_autoptr(GHashTable) by_path = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) on_disk = g_hash_table_new (g_str_hash, g_str_equal);

  if (known == NULL)
    return FALSE;
  scan_tree (self->mail_dir, NULL, paths);
  /* Parents sort before their children ("A" < "A/B"). */
  g_ptr_array_sort (paths, compare_strings);
  for (guint i = 0; i < known->len; i++)
    {
      CachetFolderInfo *info = g_ptr_array_index (known, i);
      g_hash_table_insert (by_path, info->path, info);
    }
  if (!_cachet_index_begin (self->index, error))
    return FALSE;
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_hash_table_add (on_disk, (gpointer) path);
      if (!g_hash_table_contains (by_path, path))
        {
          g_autofree char *parent = strrchr (path, '/') ? g_path_get_dirname (path) : NULL;
          CachetFolderInfo *pinfo = parent ? g_hash_table_lookup (by_path, parent) : NULL;
          CachetFolderInfo *info = g_new0 (CachetFolderInfo, 1);

          info->path = g_strdup (path);
          info->parent_id = pinfo ? pinfo->id : 0;
          info->id = _cachet_index_add_folder (self->index, path, info->parent_id,
                                               role_for_path (path), error);
          g_ptr_array_add (known, info);
          g_hash_table_insert (by_path, info->path, info);
          if (info->id == 0)
            goto fail;
        }
    }
  for (guint i = 0; i < known->len; i++)
    {
      CachetFolderInfo *info = g_ptr_array_index (known, i);
      if (!g_hash_table_contains (on_disk, info->path)
          && !_cachet_index_remove_folder (self->index, info->id, error))
        goto fail;
    }
  if (!_cachet_index_commit (self->index, error))
    goto fail;
  return TRUE;

fail:
  _cachet_index_rollback (self->index);
  return FALSE;
}

/* Refills the full-text index from the files (see cachet-index.c on orphaned terms). */
static gboolean
rebuild_fts (CachetStore *self,
             GError     **error)
{
  g_autoptr(GPtrArray) folders = cachet_store_list_folders (self);

  g_message ("Rebuilding the full-text index of %s", self->data_dir);
  if (!_cachet_index_begin (self->index, error))
    return FALSE;
  if (!_cachet_index_fts_clear (self->index, error) || !_cachet_index_commit (self->index, error))
    {
      _cachet_index_rollback (self->index);
      return FALSE;
    }
  if (self->parse_pool == NULL)
    self->parse_pool = _cachet_store_parse_pool_new ();
  for (guint f = 0; f < folders->len; f++)
    {
      CachetFolderInfo *info = g_ptr_array_index (folders, f);
      g_autofree char *dir = g_build_filename (self->mail_dir, info->path, NULL);
      g_autoptr(GPtrArray) files = _cachet_index_folder_files (self->index, info->id, error);

      if (files == NULL)
        return FALSE;
      for (guint start = 0; start < files->len; start += BATCH_SIZE)
        {
          g_autoptr(GPtrArray) items =
            g_ptr_array_new_with_free_func ((GDestroyNotify) _cachet_parse_item_free);
          guint n = MIN (BATCH_SIZE, files->len - start);

          for (guint i = 0; i < n; i++)
            {
              CachetIndexFile *file = g_ptr_array_index (files, start + i);
              CachetParseItem *item = g_new0 (CachetParseItem, 1);
              item->path = g_build_filename (dir, "cur", file->file_name, NULL);
              g_ptr_array_add (items, item);
            }
          _cachet_store_parse_wait (_cachet_store_parse_start (self->parse_pool, items));
          if (!_cachet_index_begin (self->index, error))
            return FALSE;
          for (guint i = 0; i < n; i++)
            {
              CachetIndexFile *file = g_ptr_array_index (files, start + i);
              CachetParseItem *item = g_ptr_array_index (items, i);
              if (item->fields != NULL
                  && !_cachet_index_insert_fts (self->index, file->id, item->fields, error))
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
        }
    }
  return _cachet_index_fts_rebuilt (self->index, error);
}

static gboolean
new_dir_has_mail (const char *mail_dir,
                  const char *path)
{
  g_autofree char *new = g_build_filename (mail_dir, path, "new", NULL);
  g_autoptr(GDir) dir = g_dir_open (new, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      return TRUE;
  return FALSE;
}

gboolean
_cachet_store_open_worker (CachetStore    *self,
                           CachetStoreJob *job,
                           GError        **error)
{
  SyncRun run = { self, job->progress, job->progress_data, job->cancellable, 0, 0 };
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean created = FALSE, was_clean = FALSE;

  if (g_mkdir_with_parents (self->mail_dir, 0700) != 0)
    {
      _cachet_store_set_io_error (error, errno, _("Creating the directory"), self->mail_dir);
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (standard_folders); i++)
    {
      g_autofree char *dir = g_build_filename (self->mail_dir, standard_folders[i].name, NULL);
      if (!_cachet_maildir_ensure_folder (dir, error))
        return FALSE;
    }

  g_hash_table_remove_all (self->synced);
  if (self->index == NULL)
    {
      self->index = _cachet_index_open (self->db_path, FALSE, &created, &was_clean, error);
      if (self->index == NULL)
        return FALSE;
    }
  if (!sync_folder_table (self, &local_error) || !_cachet_store_refresh_folders (self, &local_error))
    {
      /* Damage the checks at open did not see: the files are the truth, start over. */
      if (created || !g_error_matches (local_error, CACHET_STORE_ERROR,
                                       CACHET_STORE_ERROR_DATABASE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_clear_error (&local_error);
      _cachet_index_close (g_steal_pointer (&self->index), FALSE);
      self->index = _cachet_index_open (self->db_path, TRUE, &created, &was_clean, error);
      if (self->index == NULL)
        return FALSE;
      if (!sync_folder_table (self, error) || !_cachet_store_refresh_folders (self, error))
        return FALSE;
    }

  /* A new index: the ledger's marks of messages removed locally come from the tombstones,
   * before the files are indexed (a file that is there clears its mark). */
  if (created && !_cachet_store_load_tombstones (self, error))
    return FALSE;

  /* After an unclean shutdown (or with a new index) every folder is reconciled; otherwise
   * only folders with mail waiting in new/.  The rest are synced when they are opened. */
  folders = cachet_store_list_folders (self);
  for (guint i = 0; i < folders->len; i++)
    {
      CachetFolderInfo *info = g_ptr_array_index (folders, i);
      if (created || !was_clean || new_dir_has_mail (self->mail_dir, info->path))
        g_array_append_val (ids, info->id);
    }
  g_debug ("Opening the store: index %s, %u folders to reconcile",
           created ? "new" : was_clean ? "clean" : "not closed cleanly", ids->len);
  if (!sync_folders (&run, ids, error))
    return FALSE;
  if (_cachet_index_fts_wants_rebuild (self->index) && !rebuild_fts (self, error))
    return FALSE;
  return _cachet_store_refresh_folders (self, error);
}
