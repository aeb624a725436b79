/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cachet-maildir-private.h"
#include "cachet-mbox.h"
#include "cachet-store-private.h"

/* mbox import, on the writer thread.  Per batch: read the messages, let the pool parse them
 * while each is written to tmp/ and fsync'd, rename them all into cur/, fsync cur/, then
 * index the batch in one transaction.  So every imported message is durable before the
 * commit that indexes it, and a cancelled or crashed import keeps what it committed (plus
 * at most one batch of files that the next sync indexes). */

#define IMPORT_BATCH_MESSAGES 256
#define IMPORT_BATCH_BYTES    (16 * 1024 * 1024)

typedef struct
{
  char *tmp_path;
  char *base;
  char *file_name;
} ImportFile;

static void
import_file_free (ImportFile *f)
{
  if (f->tmp_path)
    g_unlink (f->tmp_path);
  g_free (f->tmp_path);
  g_free (f->base);
  g_free (f->file_name);
  g_free (f);
}

static gboolean
import_batch (CachetStore *self,
              const char  *dir,
              gint64       folder_id,
              GPtrArray   *items,
              guint       *n_imported,
              GError     **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) import_file_free);
  g_autoptr(GArray) added = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *cur = g_build_filename (dir, "cur", NULL);
  CachetParseBatch *batch;
  gboolean ok = TRUE;

  if (self->parse_pool == NULL)
    self->parse_pool = _cachet_store_parse_pool_new ();
  batch = _cachet_store_parse_start (self->parse_pool, items);

  for (guint i = 0; i < items->len && ok; i++)
    {
      CachetParseItem *item = g_ptr_array_index (items, i);
      ImportFile *f = g_new0 (ImportFile, 1);

      g_ptr_array_add (files, f);
      for (int attempt = 0; attempt < 10; attempt++)
        {
          g_autoptr(GError) local_error = NULL;
          g_free (f->base);
          f->base = _cachet_maildir_new_base (g_bytes_get_size (item->data));
          if (_cachet_maildir_write_tmp (dir, f->base, item->data, TRUE, &f->tmp_path,
                                         &local_error))
            break;
          if (attempt == 9)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              ok = FALSE;
            }
        }
    }
  _cachet_store_parse_wait (batch);
  if (!ok)
    return FALSE;

  for (guint i = 0; i < items->len; i++)
    {
      CachetParseItem *item = g_ptr_array_index (items, i);
      ImportFile *f = g_ptr_array_index (files, i);
      g_autofree char *name = _cachet_maildir_make_name (f->base, NULL,
                                                         item->fields->mbox_flags);
      g_autofree char *to = g_build_filename (cur, name, NULL);

      if (!_cachet_maildir_rename (f->tmp_path, to, error))
        return FALSE;
      g_clear_pointer (&f->tmp_path, g_free);
      f->file_name = g_steal_pointer (&name);
    }
  if (!_cachet_maildir_fsync_dir (cur, error))
    return FALSE;
  _cachet_store_crash_point ("import:renamed");

  if (!_cachet_index_begin (self->index, error))
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      CachetParseItem *item = g_ptr_array_index (items, i);
      ImportFile *f = g_ptr_array_index (files, i);
      gint64 id = _cachet_index_insert (self->index, folder_id, f->base, f->file_name,
                                        item->fields->mbox_flags, item->size, item->fields,
                                        error);
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
  _cachet_store_crash_point ("import:committed");
  _cachet_store_emit_messages_changed (self, folder_id, CACHET_CHANGE_ADDED, added);
  *n_imported += added->len;
  return TRUE;
}

gboolean
_cachet_store_import_mbox (CachetStore    *self,
                           CachetStoreJob *job,
                           GError        **error)
{
  g_autofree char *dir = _cachet_store_dup_folder_dir (self, job->folder_id, error);
  g_autoptr(CachetMboxReader) reader = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) stop_error = NULL;
  guint n_imported = 0;
  guint64 total;
  gboolean at_end = FALSE;

  if (dir == NULL)
    return FALSE;
  reader = cachet_mbox_reader_open (job->name, &local_error);
  if (reader == NULL)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_FAILED, "%s",
                   local_error->message);
      return FALSE;
    }
  total = cachet_mbox_reader_get_size (reader);
  if (job->progress)
    job->progress (0, total, job->progress_data);

  while (!at_end && stop_error == NULL)
    {
      g_autoptr(GPtrArray) items =
        g_ptr_array_new_with_free_func ((GDestroyNotify) _cachet_parse_item_free);
      gsize bytes = 0;

      while (items->len < IMPORT_BATCH_MESSAGES && bytes < IMPORT_BATCH_BYTES)
        {
          GBytes *data = cachet_mbox_reader_next (reader, job->cancellable, &local_error);
          CachetParseItem *item;

          if (data == NULL)
            {
              at_end = TRUE;
              if (local_error != NULL)
                stop_error = g_steal_pointer (&local_error);
              break;
            }
          item = g_new0 (CachetParseItem, 1);
          item->data = data;
          bytes += g_bytes_get_size (data);
          g_ptr_array_add (items, item);
        }
      /* What was read before a cancel or a read error is still imported. */
      if (items->len > 0
          && !import_batch (self, dir, job->folder_id, items, &n_imported, error))
        {
          job->result = n_imported;
          return FALSE;
        }
      job->result = n_imported;
      if (job->progress)
        job->progress (at_end && stop_error == NULL ? total
                                                    : (guint64) cachet_mbox_reader_get_offset (reader),
                       total, job->progress_data);
      if (stop_error == NULL && g_cancellable_is_cancelled (job->cancellable))
        g_cancellable_set_error_if_cancelled (job->cancellable, &stop_error);
    }

  if (stop_error != NULL)
    {
      if (stop_error->domain == G_IO_ERROR)
        g_propagate_error (error, g_steal_pointer (&stop_error));
      else
        g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_IO,
                     _("Reading “%s” failed after %u messages: %s"), job->name, n_imported,
                     stop_error->message);
      return FALSE;
    }
  return TRUE;
}
