/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cachet-maildir-private.h"
#include "cachet-message.h"
#include "cachet-store-private.h"

/* The write jobs.  Everything here runs on the writer thread. */

void
_cachet_store_touch (CachetStore *self,
                     gint64       folder_id)
{
  gint64 *key;

  if (g_hash_table_contains (self->touched, &folder_id))
    return;
  key = g_new (gint64, 1);
  *key = folder_id;
  g_hash_table_add (self->touched, key);
}

gboolean
_cachet_store_refresh_folders (CachetStore *self,
                               GError     **error)
{
  g_autoptr(GPtrArray) folders = _cachet_index_list_folders (self->index, error);

  if (folders == NULL)
    return FALSE;
  _cachet_store_set_folders (self, folders);
  g_hash_table_remove_all (self->touched);
  self->folders_dirty = FALSE;
  return TRUE;
}

/* After a job: bring the counts of the folders it touched up to date in the snapshot. */
void
_cachet_store_finish_changes (CachetStore *self)
{
  GHashTableIter iter;
  gpointer key;
  gboolean changed = FALSE;

  if (self->folders_dirty)
    {
      g_autoptr(GError) error = NULL;
      if (!_cachet_store_refresh_folders (self, &error))
        g_warning ("Could not list the folders: %s", error->message);
      return;
    }
  g_hash_table_iter_init (&iter, self->touched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      gint64 folder_id = *(gint64 *) key;
      guint total = 0, unread = 0;

      if (!_cachet_index_folder_counts (self->index, folder_id, &total, &unread, NULL))
        continue;
      g_mutex_lock (&self->lock);
      for (guint i = 0; self->folders && i < self->folders->len; i++)
        {
          CachetFolderInfo *info = g_ptr_array_index (self->folders, i);
          if (info->id == folder_id && (info->total != total || info->unread != unread))
            {
              info->total = total;
              info->unread = unread;
              changed = TRUE;
            }
        }
      g_mutex_unlock (&self->lock);
    }
  g_hash_table_remove_all (self->touched);
  if (changed)
    _cachet_store_emit_folders_changed (self);
}

static char *
cur_path (const char *folder_dir,
          const char *file_name)
{
  return g_build_filename (folder_dir, "cur", file_name, NULL);
}

static gboolean
fsync_cur (const char *folder_dir,
           GError    **error)
{
  g_autofree char *cur = g_build_filename (folder_dir, "cur", NULL);
  return _cachet_maildir_fsync_dir (cur, error);
}

/* Renames @from into @dir/cur/ under @file_name, or under a new base if that name is taken
 * (@size for its ",S=", 0 to look it up); returns the name used. */
char *
_cachet_store_rename_into_cur (const char *from,
                               const char *folder_dir,
                               const char *file_name,
                               gsize       size,
                               GError    **error)
{
  g_autofree char *name = g_strdup (file_name);

  for (int attempt = 0; attempt < 100; attempt++)
    {
      g_autofree char *to = cur_path (folder_dir, name);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *base = NULL;

      if (_cachet_maildir_rename (from, to, &local_error))
        return g_steal_pointer (&name);
      if (!g_error_matches (local_error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (size == 0)
        {
          GStatBuf st;
          size = g_stat (from, &st) == 0 ? (gsize) st.st_size : 0;
        }
      base = _cachet_maildir_new_base (size);
      g_free (name);
      name = _cachet_maildir_with_new_base (file_name, base);
    }
  g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_IO,
               _("Could not find a free file name in “%s”."), folder_dir);
  return NULL;
}

static gint64
add_message (CachetStore    *self,
             CachetStoreJob *job,
             GError        **error)
{
  g_autofree char *dir = _cachet_store_dup_folder_dir (self, job->folder_id, error);
  g_autofree char *base = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *name = NULL;
  g_autofree char *file_name = NULL;
  g_autoptr(GPtrArray) items = NULL;
  CachetParseItem *item;
  gsize size = g_bytes_get_size (job->data);
  gint64 id;

  if (dir == NULL)
    return 0;
  for (int attempt = 0; tmp == NULL; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_free (base);
      base = _cachet_maildir_new_base (size);
      if (!_cachet_maildir_write_tmp (dir, base, job->data, TRUE, &tmp, &local_error))
        {
          if (attempt > 10 || !g_file_test (dir, G_FILE_TEST_IS_DIR))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return 0;
            }
        }
    }
  _cachet_store_crash_point ("add:tmp-written");

  name = _cachet_maildir_make_name (base, NULL, job->add);
  file_name = _cachet_store_rename_into_cur (tmp, dir, name, size, error);
  if (file_name == NULL)
    {
      g_unlink (tmp);
      return 0;
    }
  if (!fsync_cur (dir, error))
    return 0;
  _cachet_store_crash_point ("add:renamed");

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) _cachet_parse_item_free);
  item = g_new0 (CachetParseItem, 1);
  item->data = g_bytes_ref (job->data);
  g_ptr_array_add (items, item);
  _cachet_store_parse_wait (_cachet_store_parse_start (NULL, items));

  g_free (base);
  base = _cachet_maildir_dup_base (file_name);
  if (!_cachet_index_begin (self->index, error))
    goto undo;
  id = _cachet_index_insert (self->index, job->folder_id, base, file_name, job->add, size,
                             item->fields, error);
  if (id == 0 || !_cachet_index_commit (self->index, error))
    {
      _cachet_index_rollback (self->index);
      goto undo;
    }
  _cachet_store_crash_point ("add:committed");
  _cachet_store_emit_one (self, job->folder_id, CACHET_CHANGE_ADDED, id);
  return id;

undo:
  /* Not indexed: take the file back out so the caller's retry does not duplicate it. */
  {
    g_autofree char *path = cur_path (dir, file_name);
    g_unlink (path);
    fsync_cur (dir, NULL);
  }
  return 0;
}

/* A per-folder list of ids for the change signals. */
static void
note_change (GHashTable *changes,
             gint64      folder_id,
             gint64      id)
{
  GArray *ids = g_hash_table_lookup (changes, &folder_id);

  if (ids == NULL)
    {
      gint64 *key = g_new (gint64, 1);
      *key = folder_id;
      ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (changes, key, ids);
    }
  g_array_append_val (ids, id);
}

static GHashTable *
changes_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                (GDestroyNotify) g_array_unref);
}

static void
emit_changes (CachetStore     *self,
              GHashTable      *changes,
              CachetChangeKind kind)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, changes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    _cachet_store_emit_messages_changed (self, *(gint64 *) key, kind, value);
}

typedef struct
{
  CachetIndexFile file;
  char           *new_base;
  char           *new_name;
  gint64          new_folder_id;
  CachetFlags     new_flags;
} PendingUpdate;

static void
pending_update_free (PendingUpdate *p)
{
  _cachet_index_file_clear (&p->file);
  g_free (p->new_base);
  g_free (p->new_name);
  g_free (p);
}

/* Commits the new place of each renamed file, in one transaction. */
static gboolean
commit_updates (CachetStore *self,
                GPtrArray   *updates,
                GError     **error)
{
  if (updates->len == 0)
    return TRUE;
  if (!_cachet_index_begin (self->index, error))
    return FALSE;
  for (guint i = 0; i < updates->len; i++)
    {
      PendingUpdate *p = g_ptr_array_index (updates, i);
      if (!_cachet_index_update_file (self->index, p->file.id, p->new_folder_id, p->new_base,
                                      p->new_name, p->new_flags, error))
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

static gboolean
set_flags (CachetStore    *self,
           CachetStoreJob *job,
           GError        **error)
{
  g_autoptr(GPtrArray) updates =
    g_ptr_array_new_with_free_func ((GDestroyNotify) pending_update_free);
  g_autoptr(GHashTable) dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) changes = changes_new ();
  g_autoptr(GError) failure = NULL;
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < job->ids->len; i++)
    {
      gint64 id = g_array_index (job->ids, gint64, i);
      PendingUpdate *p = g_new0 (PendingUpdate, 1);
      g_autofree char *dir = NULL;
      g_autofree char *from = NULL;
      g_autofree char *to = NULL;
      g_autoptr(GError) local_error = NULL;

      if (!_cachet_index_lookup (self->index, id, &p->file, &local_error)
          || (dir = _cachet_store_dup_folder_dir (self, p->file.folder_id, &local_error))
             == NULL)
        {
          pending_update_free (p);
          if (g_error_matches (local_error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND))
            continue;  /* gone meanwhile: nothing to flag */
          failure = g_steal_pointer (&local_error);
          break;
        }
      p->new_flags = (p->file.flags | job->add) & ~job->remove;
      p->new_name = _cachet_maildir_make_name (p->file.base, p->file.file_name, p->new_flags);
      p->new_base = g_strdup (p->file.base);
      p->new_folder_id = p->file.folder_id;
      if (g_str_equal (p->new_name, p->file.file_name))
        {
          pending_update_free (p);
          continue;
        }
      from = cur_path (dir, p->file.file_name);
      to = cur_path (dir, p->new_name);
      if (!_cachet_maildir_rename (from, to, &local_error))
        {
          pending_update_free (p);
          if (g_error_matches (local_error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND))
            {
              /* Renamed or removed by another program: the next sync sees how. */
              g_debug ("Not flagging %" G_GINT64_FORMAT ": %s", id, local_error->message);
              continue;
            }
          failure = g_steal_pointer (&local_error);
          break;
        }
      g_hash_table_add (dirs, g_steal_pointer (&dir));
      g_ptr_array_add (updates, p);
    }

  g_hash_table_iter_init (&iter, dirs);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    fsync_cur (key, NULL);
  _cachet_store_crash_point ("flags:renamed");

  if (!commit_updates (self, updates, failure ? NULL : error))
    goto out;
  _cachet_store_crash_point ("flags:committed");
  for (guint i = 0; i < updates->len; i++)
    {
      PendingUpdate *p = g_ptr_array_index (updates, i);
      note_change (changes, p->file.folder_id, p->file.id);
    }
  emit_changes (self, changes, CACHET_CHANGE_FLAGS);
  if (failure == NULL)
    return TRUE;
out:
  if (failure)
    g_propagate_error (error, g_steal_pointer (&failure));
  return FALSE;
}

/* Moves messages (ids) into @to_folder_id: rename across the folder directories (one file
 * system), then the index, keeping each id. */
gboolean
_cachet_store_move_messages (CachetStore  *self,
                             GArray       *ids,
                             gint64        to_folder_id,
                             GCancellable *cancellable,
                             GError      **error)
{
  g_autoptr(GPtrArray) updates =
    g_ptr_array_new_with_free_func ((GDestroyNotify) pending_update_free);
  g_autoptr(GHashTable) dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) removed = changes_new ();
  g_autoptr(GHashTable) added = changes_new ();
  g_autofree char *to_dir = _cachet_store_dup_folder_dir (self, to_folder_id, error);
  g_autoptr(GError) failure = NULL;
  GHashTableIter iter;
  gpointer key;

  if (to_dir == NULL)
    return FALSE;
  for (guint i = 0; i < ids->len && failure == NULL; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      PendingUpdate *p = g_new0 (PendingUpdate, 1);
      g_autofree char *dir = NULL;
      g_autofree char *from = NULL;
      g_autoptr(GError) local_error = NULL;

      if (!_cachet_index_lookup (self->index, id, &p->file, &local_error)
          || (dir = _cachet_store_dup_folder_dir (self, p->file.folder_id, &local_error))
             == NULL)
        {
          pending_update_free (p);
          if (g_error_matches (local_error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND))
            continue;
          failure = g_steal_pointer (&local_error);
          break;
        }
      if (p->file.folder_id == to_folder_id)
        {
          pending_update_free (p);
          continue;
        }
      from = cur_path (dir, p->file.file_name);
      p->new_name = _cachet_store_rename_into_cur (from, to_dir, p->file.file_name, 0,
                                                   &local_error);
      if (p->new_name == NULL)
        {
          pending_update_free (p);
          if (g_error_matches (local_error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND))
            continue;
          failure = g_steal_pointer (&local_error);
          break;
        }
      p->new_base = _cachet_maildir_dup_base (p->new_name);
      p->new_flags = p->file.flags;
      p->new_folder_id = to_folder_id;
      g_hash_table_add (dirs, g_steal_pointer (&dir));
      g_ptr_array_add (updates, p);
      if (g_cancellable_is_cancelled (cancellable))
        break;
    }

  if (updates->len > 0)
    {
      fsync_cur (to_dir, NULL);
      g_hash_table_iter_init (&iter, dirs);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        fsync_cur (key, NULL);
    }
  _cachet_store_crash_point ("move:renamed");

  if (!commit_updates (self, updates, failure ? NULL : error))
    {
      if (failure)
        g_propagate_error (error, g_steal_pointer (&failure));
      return FALSE;
    }
  _cachet_store_crash_point ("move:committed");
  for (guint i = 0; i < updates->len; i++)
    {
      PendingUpdate *p = g_ptr_array_index (updates, i);
      note_change (removed, p->file.folder_id, p->file.id);
      note_change (added, to_folder_id, p->file.id);
    }
  emit_changes (self, removed, CACHET_CHANGE_REMOVED);
  emit_changes (self, added, CACHET_CHANGE_ADDED);
  if (failure)
    {
      g_propagate_error (error, g_steal_pointer (&failure));
      return FALSE;
    }
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static gint64
trash_folder_id (CachetStore *self,
                 GError     **error)
{
  g_autoptr(CachetFolderInfo) trash = cachet_store_get_folder_by_role (self,
                                                                       CACHET_FOLDER_ROLE_TRASH);
  if (trash == NULL)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                   _("There is no Trash folder."));
      return 0;
    }
  return trash->id;
}

static gboolean
delete_messages (CachetStore    *self,
                 CachetStoreJob *job,
                 GError        **error)
{
  gint64 trash_id = trash_folder_id (self, error);
  g_autofree char *trash_dir = NULL;
  g_autoptr(GArray) to_trash = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) gone_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) gone_bases = g_ptr_array_new_with_free_func (g_free);

  if (trash_id == 0)
    return FALSE;
  trash_dir = _cachet_store_dup_folder_dir (self, trash_id, error);
  if (trash_dir == NULL)
    return FALSE;

  for (guint i = 0; i < job->ids->len; i++)
    {
      gint64 id = g_array_index (job->ids, gint64, i);
      CachetIndexFile file;
      g_autoptr(GError) local_error = NULL;

      if (!_cachet_index_lookup (self->index, id, &file, &local_error))
        {
          if (g_error_matches (local_error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND))
            continue;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (file.folder_id != trash_id)
        g_array_append_val (to_trash, id);
      else
        {
          g_array_append_val (gone, id);
          g_ptr_array_add (gone_names, g_strdup (file.file_name));
          g_ptr_array_add (gone_bases, g_strdup (file.base));
        }
      _cachet_index_file_clear (&file);
    }

  if (gone->len > 0)
    {
      /* A fetched message leaves a tombstone before its file goes (see
       * cachet-store-tombstones.c). */
      if (!_cachet_store_note_removed (self, gone_bases, error))
        return FALSE;
      for (guint i = 0; i < gone_names->len; i++)
        {
          g_autofree char *path = cur_path (trash_dir, g_ptr_array_index (gone_names, i));
          if (g_unlink (path) != 0 && errno != ENOENT)
            {
              _cachet_store_set_io_error (error, errno, _("Removing"), path);
              /* The ones removed so far are found gone by the next sync. */
              return FALSE;
            }
        }
      if (!fsync_cur (trash_dir, error))
        return FALSE;
      _cachet_store_crash_point ("delete:unlinked");
      if (!_cachet_index_begin (self->index, error))
        return FALSE;
      for (guint i = 0; i < gone->len; i++)
        if (!_cachet_index_delete (self->index, g_array_index (gone, gint64, i), error))
          {
            _cachet_index_rollback (self->index);
            return FALSE;
          }
      if (!_cachet_index_commit (self->index, error))
        {
          _cachet_index_rollback (self->index);
          return FALSE;
        }
      _cachet_store_crash_point ("delete:committed");
      _cachet_store_emit_messages_changed (self, trash_id, CACHET_CHANGE_REMOVED, gone);
    }
  if (to_trash->len > 0)
    return _cachet_store_move_messages (self, to_trash, trash_id, job->cancellable, error);
  return TRUE;
}

/* Folders */

static gint64
create_folder (CachetStore    *self,
               CachetStoreJob *job,
               GError        **error)
{
  g_autoptr(CachetFolderInfo) parent = NULL;
  g_autoptr(CachetFolderInfo) existing = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  gint64 id;

  if (!_cachet_maildir_check_name (job->name, error))
    return 0;
  if (job->folder_id != 0)
    {
      parent = _cachet_store_find_folder (self, job->folder_id);
      if (parent == NULL)
        {
          g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                       _("There is no folder %" PRId64 "."), job->folder_id);
          return 0;
        }
      path = g_strconcat (parent->path, "/", job->name, NULL);
    }
  else
    path = g_strdup (job->name);

  existing = cachet_store_get_folder_by_path (self, path);
  if (existing != NULL)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_EXISTS,
                   _("A folder “%s” exists already."), path);
      return 0;
    }
  dir = g_build_filename (self->mail_dir, path, NULL);
  if (g_file_test (dir, G_FILE_TEST_EXISTS) && !_cachet_maildir_is_folder (dir))
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_EXISTS,
                   _("“%s” exists already and is not a mail folder."), dir);
      return 0;
    }
  /* A Maildir another program made there is adopted (and synced) as it is. */
  if (!_cachet_maildir_ensure_folder (dir, error))
    return 0;
  id = _cachet_index_add_folder (self->index, path, job->folder_id, CACHET_FOLDER_ROLE_NONE,
                                 error);
  if (id == 0)
    return 0;
  if (!_cachet_store_refresh_folders (self, error))
    return 0;
  if (!_cachet_store_sync_folder (self, id, NULL, NULL, job->cancellable, error))
    return 0;
  return id;
}

static gboolean
check_user_folder (CachetFolderInfo *info,
                   gint64            folder_id,
                   GError          **error)
{
  if (info == NULL)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                   _("There is no folder %" PRId64 "."), folder_id);
      return FALSE;
    }
  if (info->role != CACHET_FOLDER_ROLE_NONE)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID,
                   _("“%s” is a standard folder: it cannot be renamed or deleted."),
                   info->name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
rename_folder (CachetStore    *self,
               CachetStoreJob *job,
               GError        **error)
{
  g_autoptr(CachetFolderInfo) info = _cachet_store_find_folder (self, job->folder_id);
  g_autoptr(CachetFolderInfo) existing = NULL;
  g_autofree char *parent_path = NULL;
  g_autofree char *new_path = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *parent_dir = NULL;

  if (!check_user_folder (info, job->folder_id, error)
      || !_cachet_maildir_check_name (job->name, error))
    return FALSE;
  if (g_str_equal (info->name, job->name))
    return TRUE;
  parent_path = strrchr (info->path, '/') ? g_path_get_dirname (info->path) : NULL;
  new_path = parent_path ? g_strconcat (parent_path, "/", job->name, NULL)
                         : g_strdup (job->name);
  existing = cachet_store_get_folder_by_path (self, new_path);
  if (existing != NULL)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_EXISTS,
                   _("A folder “%s” exists already."), new_path);
      return FALSE;
    }
  from = g_build_filename (self->mail_dir, info->path, NULL);
  to = g_build_filename (self->mail_dir, new_path, NULL);
  if (!_cachet_maildir_rename (from, to, error))
    return FALSE;
  parent_dir = g_path_get_dirname (to);
  if (!_cachet_maildir_fsync_dir (parent_dir, error))
    return FALSE;
  _cachet_store_crash_point ("folder:renamed");
  if (!_cachet_index_rename_folder (self->index, info->path, new_path, error))
    return FALSE;
  self->folders_dirty = TRUE;
  return TRUE;
}

static gboolean
delete_folder (CachetStore    *self,
               CachetStoreJob *job,
               GError        **error)
{
  g_autoptr(CachetFolderInfo) info = _cachet_store_find_folder (self, job->folder_id);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) doomed = g_ptr_array_new ();
  g_autofree char *prefix = NULL;
  gint64 trash_id;

  if (!check_user_folder (info, job->folder_id, error))
    return FALSE;
  trash_id = trash_folder_id (self, error);
  if (trash_id == 0)
    return FALSE;

  /* The folder and its subfolders, deepest first. */
  all = cachet_store_list_folders (self);
  prefix = g_strconcat (info->path, "/", NULL);
  for (guint i = 0; i < all->len; i++)
    {
      CachetFolderInfo *f = g_ptr_array_index (all, i);
      if (f->id == info->id || g_str_has_prefix (f->path, prefix))
        g_ptr_array_add (doomed, f);
    }
  for (guint i = doomed->len; i > 0; i--)
    {
      CachetFolderInfo *f = g_ptr_array_index (doomed, i - 1);
      g_autoptr(GPtrArray) files = NULL;
      g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autofree char *dir = g_build_filename (self->mail_dir, f->path, NULL);

      /* First pick up what other programs put there, so that it goes to Trash too. */
      if (!_cachet_store_sync_folder (self, f->id, NULL, NULL, job->cancellable, error))
        return FALSE;
      files = _cachet_index_folder_files (self->index, f->id, error);
      if (files == NULL)
        return FALSE;
      for (guint j = 0; j < files->len; j++)
        g_array_append_val (ids, ((CachetIndexFile *) g_ptr_array_index (files, j))->id);
      if (ids->len > 0
          && !_cachet_store_move_messages (self, ids, trash_id, job->cancellable, error))
        return FALSE;
      if (!_cachet_maildir_remove_folder (dir, error))
        return FALSE;
      if (!_cachet_index_remove_folder (self->index, f->id, error))
        return FALSE;
      self->folders_dirty = TRUE;
    }
  return TRUE;
}

void
_cachet_store_run_job (CachetStore    *self,
                       CachetStoreJob *job)
{
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();

  switch (job->kind)
    {
    case JOB_OPEN:
      /* Opening twice is allowed: a second open queued behind the first (the application
       * starts opening early, the window asks again) just reports success. */
      if (self->opened)
        {
          job->ok = TRUE;
          break;
        }
      job->ok = _cachet_store_open_worker (self, job, &error);
      if (job->ok)
        g_atomic_int_set (&self->opened, TRUE);
      break;
    case JOB_ADD:
      job->result = add_message (self, job, &error);
      job->ok = job->result != 0;
      break;
    case JOB_SET_FLAGS:
      job->ok = set_flags (self, job, &error);
      break;
    case JOB_MOVE:
      job->ok = _cachet_store_move_messages (self, job->ids, job->to_folder_id,
                                             job->cancellable, &error);
      break;
    case JOB_DELETE:
      job->ok = delete_messages (self, job, &error);
      break;
    case JOB_CREATE_FOLDER:
      job->result = create_folder (self, job, &error);
      job->ok = job->result != 0;
      break;
    case JOB_RENAME_FOLDER:
      job->ok = rename_folder (self, job, &error);
      break;
    case JOB_DELETE_FOLDER:
      job->ok = delete_folder (self, job, &error);
      break;
    case JOB_SYNC_FOLDER:
      job->ok = _cachet_store_sync_folder (self, job->folder_id, NULL, NULL,
                                           job->cancellable, &error);
      break;
    case JOB_IMPORT_MBOX:
      job->ok = _cachet_store_import_mbox (self, job, &error);
      break;
    case JOB_FETCH_COMMIT:
      job->ok = _cachet_store_commit_incoming (self, job, &error);
      break;
    case JOB_LEDGER_FORGET:
      job->ok = _cachet_store_ledger_forget (self, job, &error);
      break;
    case JOB_OUTBOX:
      job->ok = _cachet_store_outbox_run (self, job, &error);
      break;
    case JOB_STOP:
    default:
      job->ok = TRUE;
      break;
    }
  if (!job->ok && error == NULL)
    g_set_error (&error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_FAILED,
                 _("The mail store failed for an unknown reason."));
  job->error = error;
  if (self->index != NULL)
    _cachet_store_finish_changes (self);
  g_debug ("Job %d done in %.1f ms%s%s", job->kind,
           (g_get_monotonic_time () - start) / 1000.0, error ? ": " : "",
           error ? error->message : "");
}
