/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include <inttypes.h>

#include "cachet-store.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cachet-maildir-private.h"
#include "cachet-store-private.h"

G_DEFINE_QUARK (cachet-store-error-quark, cachet_store_error)

G_DEFINE_FINAL_TYPE (CachetStore, cachet_store, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (CachetFolderInfo, cachet_folder_info,
                     cachet_folder_info_copy, cachet_folder_info_free)

enum
{
  PROP_0,
  PROP_DATA_DIR,
  N_PROPS
};

enum
{
  FOLDERS_CHANGED,
  MESSAGES_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Test-only crash hook: see cachet-store-private.h.  The variable is read once, by the
 * thread that creates the first store, so no worker reads the environment while the main
 * thread may change it (GTK unsets DESKTOP_STARTUP_ID). */
static const char *
crash_at_step (void)
{
  static const char *crash_at;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      const char *env = g_getenv ("CACHET_STORE_CRASH_AT");
      crash_at = env && *env ? g_strdup (env) : NULL;
      g_once_init_leave (&initialized, 1);
    }
  return crash_at;
}

void
_cachet_store_crash_point (const char *step)
{
  const char *crash_at = crash_at_step ();

  if (G_UNLIKELY (crash_at != NULL) && g_str_equal (crash_at, step))
    _exit (CACHET_STORE_CRASH_EXIT);
}

CachetFolderInfo *
cachet_folder_info_copy (const CachetFolderInfo *info)
{
  CachetFolderInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);
  copy = g_memdup2 (info, sizeof *info);
  copy->path = g_strdup (info->path);
  copy->name = g_strdup (info->name);
  return copy;
}

void
cachet_folder_info_free (CachetFolderInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->path);
  g_free (info->name);
  g_free (info);
}

void
cachet_message_summary_clear (CachetMessageSummary *summary)
{
  g_clear_pointer (&summary->from, g_free);
  g_clear_pointer (&summary->to, g_free);
  g_clear_pointer (&summary->subject, g_free);
}

void
cachet_message_list_free (CachetMessageList *list)
{
  if (list == NULL)
    return;
  g_clear_pointer (&list->ids, g_array_unref);
  g_clear_pointer (&list->depths, g_array_unref);
  g_free (list);
}

/* Signals: always through an idle source in the creator's context, never run on the
 * writer.  The source holds a weak reference, so emissions queued for a context nobody
 * iterates (the command line) keep nothing alive. */

typedef struct
{
  GWeakRef          store;
  gboolean          folders;
  gint64            folder_id;
  CachetChangeKind  kind;
  GArray           *ids;
} Emission;

static void
emission_free (gpointer data)
{
  Emission *e = data;
  g_weak_ref_clear (&e->store);
  g_clear_pointer (&e->ids, g_array_unref);
  g_free (e);
}

static gboolean
emission_cb (gpointer data)
{
  Emission *e = data;
  g_autoptr(CachetStore) self = g_weak_ref_get (&e->store);

  if (self == NULL)
    return G_SOURCE_REMOVE;
  if (e->folders)
    g_signal_emit (self, signals[FOLDERS_CHANGED], 0);
  else
    g_signal_emit (self, signals[MESSAGES_CHANGED], 0, e->folder_id, e->kind, e->ids);
  return G_SOURCE_REMOVE;
}

static void
queue_emission (CachetStore *self,
                Emission    *e)
{
  GSource *source = g_idle_source_new ();

  g_weak_ref_init (&e->store, self);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, emission_cb, e, emission_free);
  g_source_set_static_name (source, "[cachet] store change");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

void
_cachet_store_emit_messages_changed (CachetStore     *self,
                                     gint64           folder_id,
                                     CachetChangeKind kind,
                                     GArray          *ids)
{
  Emission *e;

  if (ids == NULL || ids->len == 0)
    return;
  e = g_new0 (Emission, 1);
  e->folder_id = folder_id;
  e->kind = kind;
  e->ids = g_array_ref (ids);
  queue_emission (self, e);
  _cachet_store_touch (self, folder_id);
}

void
_cachet_store_emit_one (CachetStore     *self,
                        gint64           folder_id,
                        CachetChangeKind kind,
                        gint64           id)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_val (ids, id);
  _cachet_store_emit_messages_changed (self, folder_id, kind, ids);
}

/* Standard folders first in role order, then the others by name; children follow their
 * parent. */
static int
compare_component (const char *a,
                   gsize       alen,
                   const char *b,
                   gsize       blen)
{
  g_autofree char *ka = g_utf8_collate_key (a, alen);
  g_autofree char *kb = g_utf8_collate_key (b, blen);
  int r = strcmp (ka, kb);
  return r != 0 ? r : (alen > blen) - (alen < blen);
}

static int
compare_folders (gconstpointer pa,
                 gconstpointer pb)
{
  const CachetFolderInfo *a = *(const CachetFolderInfo * const *) pa;
  const CachetFolderInfo *b = *(const CachetFolderInfo * const *) pb;
  const char *sa = a->path, *sb = b->path;
  gboolean first = TRUE;

  for (;;)
    {
      gsize la = strcspn (sa, "/"), lb = strcspn (sb, "/");
      int r;

      if (first)
        {
          /* Roles are only on top-level folders: compare the role of the top ancestors. */
          CachetFolderRole ra = a->parent_id == 0 ? a->role : CACHET_FOLDER_ROLE_NONE;
          CachetFolderRole rb = b->parent_id == 0 ? b->role : CACHET_FOLDER_ROLE_NONE;
          if (strchr (a->path, '/') == NULL && strchr (b->path, '/') == NULL && ra != rb)
            {
              if (ra == CACHET_FOLDER_ROLE_NONE || rb == CACHET_FOLDER_ROLE_NONE)
                return ra == CACHET_FOLDER_ROLE_NONE ? 1 : -1;
              return (int) ra - (int) rb;
            }
          first = FALSE;
        }
      r = compare_component (sa, la, sb, lb);
      if (r != 0)
        return r;
      sa += la;
      sb += lb;
      if (*sa == '\0' || *sb == '\0')
        return (*sa != '\0') - (*sb != '\0');
      sa++;
      sb++;
    }
}

void
_cachet_store_set_folders (CachetStore *self,
                           GPtrArray   *folders)
{
  g_ptr_array_sort (folders, compare_folders);
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->folders, g_ptr_array_unref);
  self->folders = g_ptr_array_ref (folders);
  g_mutex_unlock (&self->lock);
  _cachet_store_emit_folders_changed (self);
}

void
_cachet_store_emit_folders_changed (CachetStore *self)
{
  Emission *e = g_new0 (Emission, 1);
  e->folders = TRUE;
  queue_emission (self, e);
}

/* Must hold self->lock. */
static CachetFolderInfo *
find_folder_locked (CachetStore *self,
                    gint64       folder_id)
{
  for (guint i = 0; self->folders && i < self->folders->len; i++)
    {
      CachetFolderInfo *info = g_ptr_array_index (self->folders, i);
      if (info->id == folder_id)
        return info;
    }
  return NULL;
}

CachetFolderInfo *
_cachet_store_find_folder (CachetStore *self,
                           gint64       folder_id)
{
  CachetFolderInfo *copy = NULL;

  g_mutex_lock (&self->lock);
  {
    CachetFolderInfo *info = find_folder_locked (self, folder_id);
    if (info)
      copy = cachet_folder_info_copy (info);
  }
  g_mutex_unlock (&self->lock);
  return copy;
}

char *
_cachet_store_dup_folder_dir (CachetStore *self,
                              gint64       folder_id,
                              GError     **error)
{
  g_autoptr(CachetFolderInfo) info = _cachet_store_find_folder (self, folder_id);

  if (info == NULL)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                   _("There is no folder %" PRId64 "."), folder_id);
      return NULL;
    }
  return g_build_filename (self->mail_dir, info->path, NULL);
}

/* Jobs and the writer thread. */

CachetStoreJob *
_cachet_store_job_new (CachetStoreJobKind kind,
                       GCancellable      *cancellable)
{
  CachetStoreJob *job = g_new0 (CachetStoreJob, 1);

  job->kind = kind;
  job->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  g_mutex_init (&job->mutex);
  g_cond_init (&job->cond);
  return job;
}

void
_cachet_store_job_set_ids (CachetStoreJob *job,
                           const gint64   *ids,
                           guint           n_ids)
{
  job->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_ids);
  if (n_ids > 0)
    g_array_append_vals (job->ids, ids, n_ids);
}

static void
job_free (CachetStoreJob *job)
{
  if (job->progress_destroy)
    job->progress_destroy (job->progress_data);
  g_clear_pointer (&job->ids, g_array_unref);
  g_free (job->name);
  g_clear_pointer (&job->data, g_bytes_unref);
  g_clear_object (&job->cancellable);
  g_clear_error (&job->error);
  g_mutex_clear (&job->mutex);
  g_cond_clear (&job->cond);
  g_free (job);
}

static gboolean
unref_later_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

static void
job_complete (CachetStoreJob *job)
{
  if (job->task != NULL)
    {
      GTask *task = g_steal_pointer (&job->task);
      GSource *source;

      if (!job->ok)
        g_task_return_error (task, g_steal_pointer (&job->error));
      else if (job->kind == JOB_CREATE_FOLDER || job->kind == JOB_IMPORT_MBOX
               || job->kind == JOB_ADD)
        g_task_return_int (task, job->result);
      else
        g_task_return_boolean (task, TRUE);
      /* Drop our reference in the task's context: the last reference to a task (and so
       * maybe to the store) must never go on the writer thread, which cannot join itself. */
      source = g_idle_source_new ();
      g_source_set_callback (source, unref_later_cb, task, g_object_unref);
      g_source_set_static_name (source, "[cachet] task unref");
      g_source_attach (source, g_task_get_context (task));
      g_source_unref (source);
      return;
    }
  g_mutex_lock (&job->mutex);
  job->done = TRUE;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->mutex);
}

static gpointer
writer_thread (gpointer data)
{
  CachetStore *self = data;
  GAsyncQueue *queue = g_async_queue_ref (self->queue);

  for (;;)
    {
      CachetStoreJob *job = g_async_queue_pop (queue);
      gboolean stop = job->kind == JOB_STOP;

      if (stop)
        job->ok = TRUE;
      else if (g_cancellable_set_error_if_cancelled (job->cancellable, &job->error))
        job->ok = FALSE;
      else
        _cachet_store_run_job (self, job);
      job_complete (job);
      if (stop)
        break;
    }
  g_async_queue_unref (queue);
  return NULL;
}

static gboolean
check_usable (CachetStore *self,
              GError     **error)
{
  if (self->writer == NULL || !self->opened)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_FAILED,
                   _("The mail store is not open."));
      return FALSE;
    }
  if (g_thread_self () == self->writer)
    {
      g_critical ("A CachetStore _sync function was called from the store's writer thread");
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_FAILED,
                   _("The mail store was called from its own writer thread."));
      return FALSE;
    }
  return TRUE;
}

gboolean
_cachet_store_run_start (CachetStore    *self,
                         CachetStoreJob *job,
                         GError        **error)
{
  if (job->kind != JOB_OPEN && !check_usable (self, error))
    {
      job_free (job);
      return FALSE;
    }
  g_async_queue_push (self->queue, job);
  return TRUE;
}

/* Runs @job on the writer and waits for it; takes ownership of @job. */
gboolean
_cachet_store_run_sync (CachetStore    *self,
                        CachetStoreJob *job,
                        gint64         *result,
                        GError        **error)
{
  if (!_cachet_store_run_start (self, job, error))
    return FALSE;
  return _cachet_store_run_wait (job, result, error);
}

gboolean
_cachet_store_run_wait (CachetStoreJob *job,
                        gint64         *result,
                        GError        **error)
{
  gboolean ok;

  g_mutex_lock (&job->mutex);
  while (!job->done)
    g_cond_wait (&job->cond, &job->mutex);
  g_mutex_unlock (&job->mutex);

  ok = job->ok;
  if (result)
    *result = job->result;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&job->error));
  job_free (job);
  return ok;
}

void
_cachet_store_run_async (CachetStore        *self,
                         CachetStoreJob     *job,
                         gpointer            source_tag,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, job->cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  if (job->kind != JOB_OPEN && !check_usable (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  job->task = g_object_ref (task);
  g_async_queue_push (self->queue, job);
}

static void
start_writer (CachetStore *self)
{
  if (self->writer == NULL)
    self->writer = g_thread_new ("cachet-store-writer", writer_thread, self);
}

/* GObject */

static void
cachet_store_dispose (GObject *object)
{
  cachet_store_close (CACHET_STORE (object));
  G_OBJECT_CLASS (cachet_store_parent_class)->dispose (object);
}

static void
cachet_store_finalize (GObject *object)
{
  CachetStore *self = CACHET_STORE (object);

  g_clear_pointer (&self->folders, g_ptr_array_unref);
  g_clear_pointer (&self->queue, g_async_queue_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->touched, g_hash_table_unref);
  g_clear_pointer (&self->synced, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  g_free (self->data_dir);
  g_free (self->mail_dir);
  g_free (self->db_path);
  G_OBJECT_CLASS (cachet_store_parent_class)->finalize (object);
}

static void
cachet_store_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CachetStore *self = CACHET_STORE (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cachet_store_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  CachetStore *self = CACHET_STORE (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_free (self->data_dir);
      self->data_dir = g_value_dup_string (value);
      g_free (self->mail_dir);
      self->mail_dir = g_build_filename (self->data_dir, "mail", NULL);
      g_free (self->db_path);
      self->db_path = g_build_filename (self->data_dir, "index.sqlite", NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cachet_store_class_init (CachetStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cachet_store_dispose;
  object_class->finalize = cachet_store_finalize;
  object_class->get_property = cachet_store_get_property;
  object_class->set_property = cachet_store_set_property;

  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FOLDERS_CHANGED] =
    g_signal_new ("folders-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[MESSAGES_CHANGED] =
    g_signal_new ("messages-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_INT64, G_TYPE_INT, G_TYPE_ARRAY);
}

static void
cachet_store_init (CachetStore *self)
{
  g_mutex_init (&self->lock);
  self->queue = g_async_queue_new ();
  self->context = g_main_context_ref_thread_default ();
  self->touched = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->synced = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

/* Public API */

CachetStore *
cachet_store_new (const char *data_dir)
{
  g_return_val_if_fail (data_dir != NULL, NULL);
  crash_at_step ();
  return g_object_new (CACHET_TYPE_STORE, "data-dir", data_dir, NULL);
}

CachetStore *
cachet_store_new_default (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "cachet", NULL);
  return cachet_store_new (dir);
}

const char *
cachet_store_get_data_dir (CachetStore *self)
{
  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  return self->data_dir;
}

const char *
cachet_store_get_mail_dir (CachetStore *self)
{
  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  return self->mail_dir;
}

gboolean
cachet_store_open_sync (CachetStore             *self,
                        CachetStoreProgressFunc  progress,
                        gpointer                 progress_data,
                        GCancellable            *cancellable,
                        GError                 **error)
{
  CachetStoreJob *job;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  if (self->opened)
    return TRUE;
  if (self->writer != NULL && g_thread_self () == self->writer)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_FAILED,
                   _("The mail store was called from its own writer thread."));
      return FALSE;
    }
  start_writer (self);
  job = _cachet_store_job_new (JOB_OPEN, cancellable);
  job->progress = progress;
  job->progress_data = progress_data;
  return _cachet_store_run_sync (self, job, NULL, error);
}

void
cachet_store_open_async (CachetStore        *self,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  g_return_if_fail (CACHET_IS_STORE (self));
  start_writer (self);
  _cachet_store_run_async (self, _cachet_store_job_new (JOB_OPEN, cancellable), cachet_store_open_async,
             callback, user_data);
}

gboolean
cachet_store_open_finish (CachetStore  *self,
                          GAsyncResult *result,
                          GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
cachet_store_is_open (CachetStore *self)
{
  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  return g_atomic_int_get (&self->opened);
}

void
cachet_store_close (CachetStore *self)
{
  g_return_if_fail (CACHET_IS_STORE (self));

  if (self->writer == NULL)
    return;
  if (g_thread_self () == self->writer)
    {
      g_critical ("cachet_store_close() called on the store's writer thread");
      return;
    }
  {
    CachetStoreJob *job = _cachet_store_job_new (JOB_STOP, NULL);
    g_async_queue_push (self->queue, job);
    g_mutex_lock (&job->mutex);
    while (!job->done)
      g_cond_wait (&job->cond, &job->mutex);
    g_mutex_unlock (&job->mutex);
    job_free (job);
  }
  g_thread_join (g_steal_pointer (&self->writer));
  if (self->parse_pool)
    g_thread_pool_free (g_steal_pointer (&self->parse_pool), FALSE, TRUE);
  _cachet_index_close (g_steal_pointer (&self->index), self->opened);
  self->opened = FALSE;
}

GPtrArray *
cachet_store_list_folders (CachetStore *self)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_folder_info_free);

  g_return_val_if_fail (CACHET_IS_STORE (self), copy);
  g_mutex_lock (&self->lock);
  for (guint i = 0; self->folders && i < self->folders->len; i++)
    g_ptr_array_add (copy, cachet_folder_info_copy (g_ptr_array_index (self->folders, i)));
  g_mutex_unlock (&self->lock);
  return copy;
}

CachetFolderInfo *
cachet_store_get_folder (CachetStore *self,
                         gint64       folder_id)
{
  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  return _cachet_store_find_folder (self, folder_id);
}

CachetFolderInfo *
cachet_store_get_folder_by_role (CachetStore     *self,
                                 CachetFolderRole role)
{
  CachetFolderInfo *copy = NULL;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  g_mutex_lock (&self->lock);
  for (guint i = 0; self->folders && i < self->folders->len && copy == NULL; i++)
    {
      CachetFolderInfo *info = g_ptr_array_index (self->folders, i);
      if (info->role == role && info->parent_id == 0)
        copy = cachet_folder_info_copy (info);
    }
  g_mutex_unlock (&self->lock);
  return copy;
}

CachetFolderInfo *
cachet_store_get_folder_by_path (CachetStore *self,
                                 const char  *path)
{
  CachetFolderInfo *copy = NULL;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_mutex_lock (&self->lock);
  for (guint i = 0; self->folders && i < self->folders->len && copy == NULL; i++)
    {
      CachetFolderInfo *info = g_ptr_array_index (self->folders, i);
      if (g_str_equal (info->path, path))
        copy = cachet_folder_info_copy (info);
    }
  g_mutex_unlock (&self->lock);
  return copy;
}
