/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include "cachet-store.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-store-private.h"

/* The public read calls: any thread, each on a read connection of the pool. */

/* Reads */

static CachetIndexReader *
acquire_reader (CachetStore *self,
                GError     **error)
{
  if (self->index == NULL || !self->opened)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_FAILED,
                   _("The mail store is not open."));
      return NULL;
    }
  return _cachet_index_reader_acquire (self->index, error);
}

CachetMessageList *
cachet_store_list_messages_sync (CachetStore     *self,
                                 gint64           folder_id,
                                 CachetSortColumn sort,
                                 gboolean         descending,
                                 gboolean         threaded,
                                 GCancellable    *cancellable,
                                 GError         **error)
{
  CachetIndexReader *reader;
  CachetMessageList *list;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  reader = acquire_reader (self, error);
  if (reader == NULL)
    return NULL;
  list = _cachet_index_list_messages (reader, folder_id, sort, descending, threaded,
                                      cancellable, error);
  _cachet_index_reader_release (self->index, reader);
  return list;
}

typedef struct
{
  gint64           folder_id;
  CachetSortColumn sort;
  gboolean         descending;
  gboolean         threaded;
  char            *query;
} ReadJob;

static void
read_job_free (ReadJob *job)
{
  g_free (job->query);
  g_free (job);
}

static void
list_worker (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  ReadJob *job = data;
  GError *error = NULL;
  CachetMessageList *list;

  list = cachet_store_list_messages_sync (source, job->folder_id, job->sort, job->descending,
                                          job->threaded, cancellable, &error);
  if (list)
    g_task_return_pointer (task, list, (GDestroyNotify) cachet_message_list_free);
  else
    g_task_return_error (task, error);
}

void
cachet_store_list_messages_async (CachetStore        *self,
                                  gint64              folder_id,
                                  CachetSortColumn    sort,
                                  gboolean            descending,
                                  gboolean            threaded,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  ReadJob *job;

  g_return_if_fail (CACHET_IS_STORE (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cachet_store_list_messages_async);
  job = g_new0 (ReadJob, 1);
  job->folder_id = folder_id;
  job->sort = sort;
  job->descending = descending;
  job->threaded = threaded;
  g_task_set_task_data (task, job, (GDestroyNotify) read_job_free);
  g_task_run_in_thread (task, list_worker);
}

CachetMessageList *
cachet_store_list_messages_finish (CachetStore  *self,
                                   GAsyncResult *result,
                                   GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

CachetMessageList *
cachet_store_search_sync (CachetStore  *self,
                          const char   *query,
                          gint64        folder_id,
                          GCancellable *cancellable,
                          GError      **error)
{
  g_autofree char *fts = NULL;
  g_autoptr(GError) local_error = NULL;
  CachetIndexReader *reader;
  CachetMessageList *list;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  fts = _cachet_store_build_fts_query (query ? query : "", &local_error);
  if (fts == NULL)
    {
      if (local_error)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      /* Nothing to look for: no hits. */
      list = g_new0 (CachetMessageList, 1);
      list->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      return list;
    }
  g_debug ("Search %s", fts);
  reader = acquire_reader (self, error);
  if (reader == NULL)
    return NULL;
  list = _cachet_index_search (reader, fts, folder_id, cancellable, error);
  _cachet_index_reader_release (self->index, reader);
  return list;
}

static void
search_worker (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  ReadJob *job = data;
  GError *error = NULL;
  CachetMessageList *list;

  list = cachet_store_search_sync (source, job->query, job->folder_id, cancellable, &error);
  if (list)
    g_task_return_pointer (task, list, (GDestroyNotify) cachet_message_list_free);
  else
    g_task_return_error (task, error);
}

void
cachet_store_search_async (CachetStore        *self,
                           const char         *query,
                           gint64              folder_id,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  ReadJob *job;

  g_return_if_fail (CACHET_IS_STORE (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cachet_store_search_async);
  job = g_new0 (ReadJob, 1);
  job->folder_id = folder_id;
  job->query = g_strdup (query);
  g_task_set_task_data (task, job, (GDestroyNotify) read_job_free);
  g_task_run_in_thread (task, search_worker);
}

CachetMessageList *
cachet_store_search_finish (CachetStore  *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
cachet_store_get_summaries (CachetStore          *self,
                            const gint64         *ids,
                            guint                 n_ids,
                            CachetMessageSummary *out,
                            GError              **error)
{
  CachetIndexReader *reader;
  gboolean ok;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  g_return_val_if_fail (n_ids == 0 || (ids != NULL && out != NULL), FALSE);
  if (n_ids == 0)
    return TRUE;
  reader = acquire_reader (self, error);
  if (reader == NULL)
    {
      memset (out, 0, n_ids * sizeof *out);
      return FALSE;
    }
  ok = _cachet_index_summaries (reader, ids, n_ids, out, error);
  _cachet_index_reader_release (self->index, reader);
  return ok;
}

char *
cachet_store_dup_message_path (CachetStore *self,
                               gint64       id,
                               GError     **error)
{
  g_autofree char *rel = NULL;
  CachetIndexReader *reader;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  reader = acquire_reader (self, error);
  if (reader == NULL)
    return NULL;
  rel = _cachet_index_dup_rel_path (reader, id, error);
  _cachet_index_reader_release (self->index, reader);
  if (rel == NULL)
    return NULL;
  return g_build_filename (self->mail_dir, rel, NULL);
}

CachetMessage *
cachet_store_load_message (CachetStore *self,
                           gint64       id,
                           GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) local_error = NULL;
  CachetMessage *message;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  path = cachet_store_dup_message_path (self, id, error);
  if (path == NULL)
    return NULL;
  message = cachet_message_new_from_file (path, &local_error);
  if (message == NULL)
    {
      /* Most likely another program renamed or removed it: a sync of the folder fixes it. */
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                   _("The message file could not be read (another program may have moved "
                     "it): %s"), local_error->message);
      return NULL;
    }
  return message;
}
