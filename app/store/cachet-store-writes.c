/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include "cachet-store.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-store-private.h"

/* The public write calls: each becomes a job for the writer thread. */

/* Writes */

gint64
cachet_store_add_message_sync (CachetStore  *self,
                               gint64        folder_id,
                               GBytes       *data,
                               CachetFlags   flags,
                               GCancellable *cancellable,
                               GError      **error)
{
  CachetStoreJob *job;
  gint64 id = 0;

  g_return_val_if_fail (CACHET_IS_STORE (self), 0);
  g_return_val_if_fail (data != NULL, 0);
  job = _cachet_store_job_new (JOB_ADD, cancellable);
  job->folder_id = folder_id;
  job->data = g_bytes_ref (data);
  job->add = flags;
  return _cachet_store_run_sync (self, job, &id, error) ? id : 0;
}

gboolean
cachet_store_set_flags_sync (CachetStore  *self,
                             const gint64 *ids,
                             guint         n_ids,
                             CachetFlags   add,
                             CachetFlags   remove,
                             GCancellable *cancellable,
                             GError      **error)
{
  CachetStoreJob *job;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  g_return_val_if_fail (ids != NULL || n_ids == 0, FALSE);
  job = _cachet_store_job_new (JOB_SET_FLAGS, cancellable);
  _cachet_store_job_set_ids (job, ids, n_ids);
  job->add = add;
  job->remove = remove;
  return _cachet_store_run_sync (self, job, NULL, error);
}

gboolean
cachet_store_move_sync (CachetStore  *self,
                        const gint64 *ids,
                        guint         n_ids,
                        gint64        to_folder_id,
                        GCancellable *cancellable,
                        GError      **error)
{
  CachetStoreJob *job;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  g_return_val_if_fail (ids != NULL || n_ids == 0, FALSE);
  job = _cachet_store_job_new (JOB_MOVE, cancellable);
  _cachet_store_job_set_ids (job, ids, n_ids);
  job->to_folder_id = to_folder_id;
  return _cachet_store_run_sync (self, job, NULL, error);
}

gboolean
cachet_store_delete_sync (CachetStore  *self,
                          const gint64 *ids,
                          guint         n_ids,
                          GCancellable *cancellable,
                          GError      **error)
{
  CachetStoreJob *job;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  g_return_val_if_fail (ids != NULL || n_ids == 0, FALSE);
  job = _cachet_store_job_new (JOB_DELETE, cancellable);
  _cachet_store_job_set_ids (job, ids, n_ids);
  return _cachet_store_run_sync (self, job, NULL, error);
}

gint64
cachet_store_create_folder_sync (CachetStore  *self,
                                 gint64        parent_id,
                                 const char   *name,
                                 GCancellable *cancellable,
                                 GError      **error)
{
  CachetStoreJob *job;
  gint64 id = 0;

  g_return_val_if_fail (CACHET_IS_STORE (self), 0);
  job = _cachet_store_job_new (JOB_CREATE_FOLDER, cancellable);
  job->folder_id = parent_id;
  job->name = g_strdup (name);
  return _cachet_store_run_sync (self, job, &id, error) ? id : 0;
}

gboolean
cachet_store_rename_folder_sync (CachetStore  *self,
                                 gint64        folder_id,
                                 const char   *new_name,
                                 GCancellable *cancellable,
                                 GError      **error)
{
  CachetStoreJob *job;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  job = _cachet_store_job_new (JOB_RENAME_FOLDER, cancellable);
  job->folder_id = folder_id;
  job->name = g_strdup (new_name);
  return _cachet_store_run_sync (self, job, NULL, error);
}

gboolean
cachet_store_delete_folder_sync (CachetStore  *self,
                                 gint64        folder_id,
                                 GCancellable *cancellable,
                                 GError      **error)
{
  CachetStoreJob *job;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  job = _cachet_store_job_new (JOB_DELETE_FOLDER, cancellable);
  job->folder_id = folder_id;
  return _cachet_store_run_sync (self, job, NULL, error);
}

gboolean
cachet_store_sync_folder_sync (CachetStore  *self,
                               gint64        folder_id,
                               GCancellable *cancellable,
                               GError      **error)
{
  CachetStoreJob *job;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  job = _cachet_store_job_new (JOB_SYNC_FOLDER, cancellable);
  job->folder_id = folder_id;
  return _cachet_store_run_sync (self, job, NULL, error);
}

gboolean
cachet_store_import_mbox_sync (CachetStore             *self,
                               const char              *path,
                               gint64                   folder_id,
                               CachetStoreProgressFunc  progress,
                               gpointer                 progress_data,
                               guint                   *n_imported,
                               GCancellable            *cancellable,
                               GError                 **error)
{
  CachetStoreJob *job;
  gint64 n = 0;
  gboolean ok;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  job = _cachet_store_job_new (JOB_IMPORT_MBOX, cancellable);
  job->name = g_strdup (path);
  job->folder_id = folder_id;
  job->progress = progress;
  job->progress_data = progress_data;
  ok = _cachet_store_run_sync (self, job, &n, error);
  if (n_imported)
    *n_imported = (guint) n;
  return ok;
}

void
cachet_store_set_flags_async (CachetStore        *self,
                              const gint64       *ids,
                              guint               n_ids,
                              CachetFlags         add,
                              CachetFlags         remove,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  CachetStoreJob *job;

  g_return_if_fail (CACHET_IS_STORE (self));
  job = _cachet_store_job_new (JOB_SET_FLAGS, cancellable);
  _cachet_store_job_set_ids (job, ids, n_ids);
  job->add = add;
  job->remove = remove;
  _cachet_store_run_async (self, job, cachet_store_set_flags_async, callback, user_data);
}

void
cachet_store_move_async (CachetStore        *self,
                         const gint64       *ids,
                         guint               n_ids,
                         gint64              to_folder_id,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  CachetStoreJob *job;

  g_return_if_fail (CACHET_IS_STORE (self));
  job = _cachet_store_job_new (JOB_MOVE, cancellable);
  _cachet_store_job_set_ids (job, ids, n_ids);
  job->to_folder_id = to_folder_id;
  _cachet_store_run_async (self, job, cachet_store_move_async, callback, user_data);
}

void
cachet_store_delete_async (CachetStore        *self,
                           const gint64       *ids,
                           guint               n_ids,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  CachetStoreJob *job;

  g_return_if_fail (CACHET_IS_STORE (self));
  job = _cachet_store_job_new (JOB_DELETE, cancellable);
  _cachet_store_job_set_ids (job, ids, n_ids);
  _cachet_store_run_async (self, job, cachet_store_delete_async, callback, user_data);
}

void
cachet_store_create_folder_async (CachetStore        *self,
                                  gint64              parent_id,
                                  const char         *name,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  CachetStoreJob *job;

  g_return_if_fail (CACHET_IS_STORE (self));
  job = _cachet_store_job_new (JOB_CREATE_FOLDER, cancellable);
  job->folder_id = parent_id;
  job->name = g_strdup (name);
  _cachet_store_run_async (self, job, cachet_store_create_folder_async, callback, user_data);
}

void
cachet_store_rename_folder_async (CachetStore        *self,
                                  gint64              folder_id,
                                  const char         *new_name,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  CachetStoreJob *job;

  g_return_if_fail (CACHET_IS_STORE (self));
  job = _cachet_store_job_new (JOB_RENAME_FOLDER, cancellable);
  job->folder_id = folder_id;
  job->name = g_strdup (new_name);
  _cachet_store_run_async (self, job, cachet_store_rename_folder_async, callback, user_data);
}

void
cachet_store_delete_folder_async (CachetStore        *self,
                                  gint64              folder_id,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  CachetStoreJob *job;

  g_return_if_fail (CACHET_IS_STORE (self));
  job = _cachet_store_job_new (JOB_DELETE_FOLDER, cancellable);
  job->folder_id = folder_id;
  _cachet_store_run_async (self, job, cachet_store_delete_folder_async, callback, user_data);
}

void
cachet_store_sync_folder_async (CachetStore        *self,
                                gint64              folder_id,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  CachetStoreJob *job;

  g_return_if_fail (CACHET_IS_STORE (self));
  job = _cachet_store_job_new (JOB_SYNC_FOLDER, cancellable);
  job->folder_id = folder_id;
  _cachet_store_run_async (self, job, cachet_store_sync_folder_async, callback, user_data);
}

/* Progress of an async import, relayed to the caller's context (at most ~ every 1/200 of
 * the work, so a fast import does not flood the main loop). */
typedef struct
{
  gatomicrefcount          ref;
  GMainContext            *context;
  CachetStoreProgressFunc  func;
  gpointer                 data;
  GDestroyNotify           destroy;
  guint64                  last_step;
} ProgressRelay;

typedef struct
{
  ProgressRelay *relay;
  guint64        done;
  guint64        total;
} ProgressEvent;

static void
progress_relay_unref (ProgressRelay *relay)
{
  if (!g_atomic_ref_count_dec (&relay->ref))
    return;
  if (relay->destroy)
    relay->destroy (relay->data);
  g_main_context_unref (relay->context);
  g_free (relay);
}

static void
progress_event_free (gpointer data)
{
  ProgressEvent *event = data;
  progress_relay_unref (event->relay);
  g_free (event);
}

static gboolean
progress_event_cb (gpointer data)
{
  ProgressEvent *event = data;
  event->relay->func (event->done, event->total, event->relay->data);
  return G_SOURCE_REMOVE;
}

static void
progress_relay_cb (guint64  done,
                   guint64  total,
                   gpointer data)
{
  ProgressRelay *relay = data;
  guint64 step = total > 0 ? done * 200 / total : done;
  ProgressEvent *event;
  GSource *source;

  if (relay->func == NULL || (step == relay->last_step && done != total && done != 0))
    return;
  relay->last_step = step;
  event = g_new0 (ProgressEvent, 1);
  event->relay = relay;
  g_atomic_ref_count_inc (&relay->ref);
  event->done = done;
  event->total = total;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, progress_event_cb, event, progress_event_free);
  g_source_attach (source, relay->context);
  g_source_unref (source);
}

typedef struct
{
  CachetStoreJob *job;
  ProgressRelay  *relay;
} ImportTaskData;

void
cachet_store_import_mbox_async (CachetStore            *self,
                                const char             *path,
                                gint64                  folder_id,
                                CachetStoreProgressFunc progress,
                                gpointer                progress_data,
                                GDestroyNotify          progress_destroy,
                                GCancellable           *cancellable,
                                GAsyncReadyCallback     callback,
                                gpointer                user_data)
{
  CachetStoreJob *job;
  ProgressRelay *relay;

  g_return_if_fail (CACHET_IS_STORE (self));
  g_return_if_fail (path != NULL);
  relay = g_new0 (ProgressRelay, 1);
  g_atomic_ref_count_init (&relay->ref);
  relay->context = g_main_context_ref_thread_default ();
  relay->func = progress;
  relay->data = progress_data;
  relay->destroy = progress_destroy;
  relay->last_step = G_MAXUINT64;

  job = _cachet_store_job_new (JOB_IMPORT_MBOX, cancellable);
  job->name = g_strdup (path);
  job->folder_id = folder_id;
  job->progress = progress_relay_cb;
  job->progress_data = relay;
  job->progress_destroy = (GDestroyNotify) progress_relay_unref;
  _cachet_store_run_async (self, job, cachet_store_import_mbox_async, callback, user_data);
}

gboolean
cachet_store_write_finish (CachetStore  *self,
                           GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gint64
cachet_store_write_finish_int (CachetStore  *self,
                               GAsyncResult *result,
                               GError      **error)
{
  gssize value;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  value = g_task_propagate_int (G_TASK (result), error);
  return value < 0 ? 0 : value;
}
