/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-fetch"

#include "config.h"

#include "cachet-fetcher.h"

#include <glib/gi18n.h>

#include "cachet-fetch-private.h"
#include "cachet-secrets.h"

G_DEFINE_QUARK (cachet-fetch-error-quark, cachet_fetch_error)

struct _CachetFetcher
{
  GObject      parent_instance;

  CachetStore *store;
  guint        secrets_timeout_ms;
  guint        network_timeout_s;
};

G_DEFINE_FINAL_TYPE (CachetFetcher, cachet_fetcher, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DEFAULT_NETWORK_TIMEOUT_S 30

void
cachet_fetch_result_free (CachetFetchResult *result)
{
  if (result == NULL)
    return;
  g_free (result->account_id);
  g_clear_pointer (&result->notices, g_ptr_array_unref);
  g_clear_pointer (&result->tls_check, cachet_tls_check_free);
  g_free (result);
}

void
_cachet_fetch_job_free (CachetFetchJob *job)
{
  if (job == NULL)
    return;
  g_clear_object (&job->store);
  g_free (job->account_id);
  g_free (job->account_name);
  g_clear_pointer (&job->pop3, cachet_server_settings_free);
  g_free (job->ca_file);
  g_clear_pointer (&job->relay, _cachet_fetch_progress_relay_unref);
  g_clear_pointer (&job->result, cachet_fetch_result_free);
  g_free (job);
}

static void
cachet_fetcher_dispose (GObject *object)
{
  CachetFetcher *self = CACHET_FETCHER (object);

  g_clear_object (&self->store);
  G_OBJECT_CLASS (cachet_fetcher_parent_class)->dispose (object);
}

static void
cachet_fetcher_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CachetFetcher *self = CACHET_FETCHER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cachet_fetcher_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CachetFetcher *self = CACHET_FETCHER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_set_object (&self->store, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cachet_fetcher_class_init (CachetFetcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cachet_fetcher_dispose;
  object_class->get_property = cachet_fetcher_get_property;
  object_class->set_property = cachet_fetcher_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CACHET_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cachet_fetcher_init (CachetFetcher *self)
{
  self->secrets_timeout_ms = CACHET_SECRETS_DEFAULT_TIMEOUT_MS;
  self->network_timeout_s = DEFAULT_NETWORK_TIMEOUT_S;
}

CachetFetcher *
cachet_fetcher_new (CachetStore *store)
{
  g_return_val_if_fail (CACHET_IS_STORE (store), NULL);
  return g_object_new (CACHET_TYPE_FETCHER, "store", store, NULL);
}

CachetStore *
cachet_fetcher_get_store (CachetFetcher *self)
{
  g_return_val_if_fail (CACHET_IS_FETCHER (self), NULL);
  return self->store;
}

void
cachet_fetcher_set_timeouts (CachetFetcher *self,
                             guint          secrets_ms,
                             guint          network_s)
{
  g_return_if_fail (CACHET_IS_FETCHER (self));
  self->secrets_timeout_ms = secrets_ms;
  self->network_timeout_s = network_s;
}

/* Everything the worker needs, copied in the caller's thread: the worker never touches the
 * account (a GObject of the main thread) nor the fetcher. */
static CachetFetchJob *
fetch_job_new (CachetFetcher *self,
               CachetAccount *account)
{
  CachetFetchJob *job = g_new0 (CachetFetchJob, 1);

  job->store = g_object_ref (self->store);
  job->account_id = g_strdup (cachet_account_get_id (account));
  job->account_name = g_strdup (cachet_account_get_name (account));
  job->pop3 = cachet_server_settings_copy (cachet_account_get_pop3 (account));
  job->ca_file = g_strdup (cachet_account_get_ca_file (account));
  job->policy.server_policy = cachet_account_get_server_policy (account);
  job->policy.delete_after_days = cachet_account_get_delete_after_days (account);
  job->policy.delete_when_deleted_locally =
    cachet_account_get_delete_when_deleted_locally (account);
  job->policy.large_policy = cachet_account_get_large_policy (account);
  job->policy.large_size = cachet_account_get_large_size (account);
  job->secrets_timeout_ms = self->secrets_timeout_ms;
  job->network_timeout_s = self->network_timeout_s;
  job->result = g_new0 (CachetFetchResult, 1);
  job->result->account_id = g_strdup (job->account_id);
  job->result->notices = g_ptr_array_new_with_free_func (g_free);
  return job;
}

/* The workers running in this process, each by a cancellable of its own, so that quitting
 * can stop them all and wait for them before the store closes. */
static GMutex running_lock;
static GCond running_cond;
static GPtrArray *running;

static void
cancel_relay_cb (GCancellable *caller,
                 GCancellable *own)
{
  g_cancellable_cancel (own);
}

static void
fetch_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CachetFetchJob *job = task_data;
  g_autoptr(GCancellable) own = g_cancellable_new ();
  GError *error = NULL;
  gulong handler = 0;
  gboolean ok;

  g_mutex_lock (&running_lock);
  if (running == NULL)
    running = g_ptr_array_new ();
  g_ptr_array_add (running, own);
  g_mutex_unlock (&running_lock);
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_relay_cb), own, NULL);

  ok = _cachet_fetch_run (job, own, &error);

  g_cancellable_disconnect (cancellable, handler);
  g_mutex_lock (&running_lock);
  g_ptr_array_remove_fast (running, own);
  g_cond_broadcast (&running_cond);
  g_mutex_unlock (&running_lock);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

gboolean
cachet_fetcher_cancel_all (guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean all_ended = TRUE;

  g_mutex_lock (&running_lock);
  for (guint i = 0; running != NULL && i < running->len; i++)
    g_cancellable_cancel (g_ptr_array_index (running, i));
  while (running != NULL && running->len > 0 && all_ended)
    all_ended = g_cond_wait_until (&running_cond, &running_lock, deadline);
  if (running != NULL && running->len > 0)
    all_ended = FALSE;
  g_mutex_unlock (&running_lock);
  if (!all_ended)
    g_warning ("a fetch did not end within %u ms of being cancelled", timeout_ms);
  return all_ended;
}

void
cachet_fetcher_fetch_async (CachetFetcher           *self,
                            CachetAccount           *account,
                            CachetFetchProgressFunc  progress,
                            gpointer                 progress_data,
                            GDestroyNotify           progress_destroy,
                            GCancellable            *cancellable,
                            GAsyncReadyCallback      callback,
                            gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  CachetFetchJob *job;

  g_return_if_fail (CACHET_IS_FETCHER (self));
  g_return_if_fail (CACHET_IS_ACCOUNT (account));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cachet_fetcher_fetch_async);
  g_task_set_name (task, "[cachet] fetch");
  job = fetch_job_new (self, account);
  job->relay = _cachet_fetch_progress_relay_new (progress, progress_data, progress_destroy);
  g_task_set_task_data (task, job, (GDestroyNotify) _cachet_fetch_job_free);

  if (job->pop3 == NULL || job->pop3->host == NULL || *job->pop3->host == '\0'
      || job->pop3->user == NULL)
    {
      g_task_return_new_error (task, CACHET_FETCH_ERROR, CACHET_FETCH_ERROR_FAILED,
                               _("The account %s has no incoming mail server set up."),
                               job->account_name);
      return;
    }
  if (!cachet_store_is_open (self->store))
    {
      g_task_return_new_error (task, CACHET_STORE_ERROR, CACHET_STORE_ERROR_FAILED,
                               _("The mail store is not open."));
      return;
    }
  g_task_run_in_thread (task, fetch_worker);
}

CachetFetchResult *
cachet_fetcher_fetch_finish (CachetFetcher *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  CachetFetchJob *job;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  job = g_task_get_task_data (G_TASK (result));
  g_task_propagate_boolean (G_TASK (result), error);
  return g_steal_pointer (&job->result);
}
