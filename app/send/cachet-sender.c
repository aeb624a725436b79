/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-send"

#include "config.h"

#include "cachet-sender.h"

#include <glib/gi18n.h>

#include "cachet-net-error.h"
#include "cachet-secrets.h"
#include "cachet-send-private.h"

/* The sender lives in the main context of its creator and runs the outbox in a worker
 * thread (cachet-send-worker.c), one run at a time: on creation, when a message is queued
 * (or another program's message appears in the Outbox), at the earliest next try of a
 * message waiting after a failure, and on request.  A wake-up during a run makes another
 * run after it.  The worker gets a copy of the accounts and never touches the sender:
 * its events come back as idle sources holding a weak reference. */

#define DEFAULT_NETWORK_TIMEOUT_S 60

struct _CachetSender
{
  GObject            parent_instance;

  CachetStore       *store;
  CachetAccountList *accounts;
  GMainContext      *context;
  guint              secrets_timeout_ms;
  guint              network_timeout_s;
  gulong             store_handler;

  gboolean           busy;
  gboolean           running;
  gboolean           again;        /* woken during a run: run once more after it */
  gboolean           retry_all;
  GArray            *retry;        /* gint64 */
  GSource           *start;        /* a run about to start */
  GSource           *timer;        /* the next try */
  GCancellable      *stop;         /* of the run in progress */
  GCancellable      *cancel;
  GHashTable        *certificates; /* account id -> RefusedCertificate */
};

/* A certificate refused for an account, and the messages that failed on it. */
typedef struct
{
  CachetTlsCheck *check;
  GArray         *ids;           /* gint64 */
} RefusedCertificate;

static void
refused_certificate_free (gpointer data)
{
  RefusedCertificate *r = data;

  cachet_tls_check_free (r->check);
  g_array_unref (r->ids);
  g_free (r);
}

G_DEFINE_FINAL_TYPE (CachetSender, cachet_sender, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STORE,
  PROP_ACCOUNTS,
  PROP_BUSY,
  N_PROPS
};

enum
{
  CHANGED,
  SENT,
  NOTICE,
  CERTIFICATE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void wake (CachetSender *self);

void
cachet_outbox_entry_free (CachetOutboxEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->account_id);
  g_free (entry->reason);
  g_free (entry);
}

/* The runs of this process, for cachet_sender_cancel_all(). */

typedef struct
{
  GCancellable *stop;
  GCancellable *cancel;
} RunHandle;

static GMutex running_lock;
static GCond running_cond;
static GPtrArray *running;

static void
register_run (CachetSendJob *job)
{
  RunHandle *h = g_new0 (RunHandle, 1);

  h->stop = g_object_ref (job->stop);
  h->cancel = g_object_ref (job->cancel);
  g_mutex_lock (&running_lock);
  if (running == NULL)
    running = g_ptr_array_new ();
  g_ptr_array_add (running, h);
  g_mutex_unlock (&running_lock);
}

static void
unregister_run (CachetSendJob *job)
{
  g_mutex_lock (&running_lock);
  for (guint i = 0; running != NULL && i < running->len; i++)
    {
      RunHandle *h = g_ptr_array_index (running, i);
      if (h->stop == job->stop)
        {
          g_ptr_array_remove_index_fast (running, i);
          g_object_unref (h->stop);
          g_object_unref (h->cancel);
          g_free (h);
          break;
        }
    }
  g_cond_broadcast (&running_cond);
  g_mutex_unlock (&running_lock);
}

/* Waits (running_lock held) until no run is left or @deadline passed. */
static gboolean
wait_runs (gint64 deadline)
{
  while (running != NULL && running->len > 0)
    if (!g_cond_wait_until (&running_cond, &running_lock, deadline))
      break;
  return running == NULL || running->len == 0;
}

gboolean
cachet_sender_cancel_all (guint timeout_ms)
{
  gint64 now = g_get_monotonic_time ();
  gint64 soft = now + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND / 2;
  gint64 hard = now + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean ended;

  g_mutex_lock (&running_lock);
  for (guint i = 0; running != NULL && i < running->len; i++)
    g_cancellable_cancel (((RunHandle *) g_ptr_array_index (running, i))->stop);
  ended = wait_runs (soft);
  if (!ended)
    {
      for (guint i = 0; i < running->len; i++)
        g_cancellable_cancel (((RunHandle *) g_ptr_array_index (running, i))->cancel);
      ended = wait_runs (hard);
    }
  g_mutex_unlock (&running_lock);
  if (!ended)
    g_warning ("a send did not end within %u ms of being cancelled", timeout_ms);
  return ended;
}

/* Runs */

static void
set_busy (CachetSender *self,
          gboolean      busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static GHashTable *
copy_accounts (CachetSender *self)
{
  GHashTable *accounts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                (GDestroyNotify) _cachet_send_account_free);
  GPtrArray *all;

  /* Another program (`cachet account add`) may have changed the file since it was read. */
  if (self->accounts != NULL && cachet_account_list_changed_on_disk (self->accounts))
    {
      g_autoptr(GError) error = NULL;
      if (!cachet_account_list_load (self->accounts, &error))
        g_message ("Sending with the accounts read before: %s", error->message);
    }
  all = self->accounts ? cachet_account_list_get_all (self->accounts) : NULL;
  for (guint i = 0; all != NULL && i < all->len; i++)
    {
      CachetAccount *account = g_ptr_array_index (all, i);
      CachetSendAccount *a = g_new0 (CachetSendAccount, 1);
      const CachetServerSettings *smtp = cachet_account_get_smtp (account);

      a->id = g_strdup (cachet_account_get_id (account));
      a->name = g_strdup (cachet_account_get_name (account));
      a->address = g_strdup (cachet_account_get_address (account));
      a->smtp = smtp ? cachet_server_settings_copy (smtp) : NULL;
      a->ca_file = g_strdup (cachet_account_get_ca_file (account));
      g_hash_table_insert (accounts, a->id, a);
    }
  return accounts;
}

static void
run_worker (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  CachetSendJob *job = task_data;
  GError *error = NULL;

  register_run (job);
  if (_cachet_send_run (job, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  unregister_run (job);
}

static gboolean
timer_cb (gpointer data)
{
  CachetSender *self = data;

  g_clear_pointer (&self->timer, g_source_unref);
  wake (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_next (CachetSender *self,
               gint64        next_try)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  if (next_try <= 0)
    return;
  self->timer = g_timeout_source_new_seconds ((guint) CLAMP (next_try - now, 1, 24 * 3600));
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_set_static_name (self->timer, "[cachet] next send");
  g_source_attach (self->timer, self->context);
}

static void start_run (CachetSender *self);

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  CachetSender *self = CACHET_SENDER (source);
  CachetSendJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->running = FALSE;
  g_clear_object (&self->stop);
  g_clear_object (&self->cancel);
  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Sending failed: %s", error->message);
  schedule_next (self, job->next_wakeup);
  if (self->again && error == NULL)
    {
      self->again = FALSE;
      start_run (self);
      return;
    }
  self->again = FALSE;
  set_busy (self, self->start != NULL);
}

static void
start_run (CachetSender *self)
{
  g_autoptr(GTask) task = NULL;
  CachetSendJob *job = g_new0 (CachetSendJob, 1);

  job->store = g_object_ref (self->store);
  job->accounts = copy_accounts (self);
  job->secrets_timeout_ms = self->secrets_timeout_ms;
  job->network_timeout_s = self->network_timeout_s;
  job->retry_all = self->retry_all;
  job->retry = g_steal_pointer (&self->retry);
  job->context = g_main_context_ref (self->context);
  g_weak_ref_init (&job->sender, self);
  job->stop = g_cancellable_new ();
  job->cancel = g_cancellable_new ();
  self->retry_all = FALSE;
  self->stop = g_object_ref (job->stop);
  self->cancel = g_object_ref (job->cancel);
  self->running = TRUE;
  set_busy (self, TRUE);

  task = g_task_new (self, NULL, run_done_cb, NULL);
  g_task_set_source_tag (task, start_run);
  g_task_set_name (task, "[cachet] send");
  g_task_set_task_data (task, job, (GDestroyNotify) _cachet_send_job_free);
  g_task_run_in_thread (task, run_worker);
}

static gboolean
start_cb (gpointer data)
{
  CachetSender *self = data;

  g_clear_pointer (&self->start, g_source_unref);
  if (self->running)
    self->again = TRUE;
  else if (cachet_store_is_open (self->store))
    start_run (self);
  else
    set_busy (self, FALSE);
  return G_SOURCE_REMOVE;
}

/* In the sender's context. */
static void
wake (CachetSender *self)
{
  if (self->running)
    {
      self->again = TRUE;
      return;
    }
  if (self->start != NULL)
    return;
  set_busy (self, TRUE);
  self->start = g_idle_source_new ();
  g_source_set_priority (self->start, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->start, start_cb, self, NULL);
  g_source_set_static_name (self->start, "[cachet] start sending");
  g_source_attach (self->start, self->context);
}

static gboolean
wake_cb (gpointer data)
{
  g_autoptr(CachetSender) self = g_weak_ref_get (data);

  if (self != NULL)
    wake (self);
  return G_SOURCE_REMOVE;
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* From any thread. */
static void
wake_later (CachetSender *self)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);
  GSource *source = g_idle_source_new ();

  g_weak_ref_init (ref, self);
  g_source_set_callback (source, wake_cb, ref, weak_ref_free);
  g_source_set_static_name (source, "[cachet] wake the sender");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

static void
store_changed_cb (CachetStore     *store,
                  gint64           folder_id,
                  CachetChangeKind kind,
                  GArray          *ids,
                  CachetSender    *self)
{
  g_autoptr(CachetFolderInfo) outbox = NULL;

  if (kind != CACHET_CHANGE_ADDED)
    return;
  outbox = cachet_store_get_folder_by_role (store, CACHET_FOLDER_ROLE_OUTBOX);
  if (outbox != NULL && outbox->id == folder_id)
    wake (self);
}

/* GObject */

static void
cachet_sender_dispose (GObject *object)
{
  CachetSender *self = CACHET_SENDER (object);

  if (self->store_handler != 0)
    g_clear_signal_handler (&self->store_handler, self->store);
  if (self->start != NULL)
    {
      g_source_destroy (self->start);
      g_clear_pointer (&self->start, g_source_unref);
    }
  schedule_next (self, 0);
  g_cancellable_cancel (self->stop);
  g_clear_object (&self->store);
  g_clear_object (&self->accounts);
  G_OBJECT_CLASS (cachet_sender_parent_class)->dispose (object);
}

static void
cachet_sender_finalize (GObject *object)
{
  CachetSender *self = CACHET_SENDER (object);

  g_clear_pointer (&self->retry, g_array_unref);
  g_clear_pointer (&self->certificates, g_hash_table_unref);
  g_clear_object (&self->stop);
  g_clear_object (&self->cancel);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (cachet_sender_parent_class)->finalize (object);
}

static void
cachet_sender_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CachetSender *self = CACHET_SENDER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_ACCOUNTS:
      g_value_set_object (value, self->accounts);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cachet_sender_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CachetSender *self = CACHET_SENDER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_set_object (&self->store, g_value_get_object (value));
      break;
    case PROP_ACCOUNTS:
      g_set_object (&self->accounts, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cachet_sender_constructed (GObject *object)
{
  CachetSender *self = CACHET_SENDER (object);

  G_OBJECT_CLASS (cachet_sender_parent_class)->constructed (object);
  self->store_handler = g_signal_connect (self->store, "messages-changed",
                                          G_CALLBACK (store_changed_cb), self);
  /* What an earlier session left: recorded sent (moved now), due, interrupted. */
  wake (self);
}

static void
cachet_sender_class_init (CachetSenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cachet_sender_dispose;
  object_class->finalize = cachet_sender_finalize;
  object_class->get_property = cachet_sender_get_property;
  object_class->set_property = cachet_sender_set_property;
  object_class->constructed = cachet_sender_constructed;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CACHET_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNTS] =
    g_param_spec_object ("accounts", NULL, NULL, CACHET_TYPE_ACCOUNT_LIST,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SENT] =
    g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT64);
  signals[NOTICE] =
    g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);
  signals[CERTIFICATE] =
    g_signal_new ("certificate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cachet_sender_init (CachetSender *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->secrets_timeout_ms = CACHET_SECRETS_DEFAULT_TIMEOUT_MS;
  self->network_timeout_s = DEFAULT_NETWORK_TIMEOUT_S;
  self->certificates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              refused_certificate_free);
}

/* Public API */

CachetSender *
cachet_sender_new (CachetStore       *store,
                   CachetAccountList *accounts)
{
  g_return_val_if_fail (CACHET_IS_STORE (store), NULL);
  g_return_val_if_fail (accounts == NULL || CACHET_IS_ACCOUNT_LIST (accounts), NULL);
  return g_object_new (CACHET_TYPE_SENDER, "store", store, "accounts", accounts, NULL);
}

void
cachet_sender_set_timeouts (CachetSender *self,
                            guint         secrets_ms,
                            guint         network_s)
{
  g_return_if_fail (CACHET_IS_SENDER (self));
  self->secrets_timeout_ms = secrets_ms;
  self->network_timeout_s = network_s;
}

gboolean
cachet_sender_is_busy (CachetSender *self)
{
  g_return_val_if_fail (CACHET_IS_SENDER (self), FALSE);
  return self->busy;
}

typedef struct
{
  CachetStore *store;
  GWeakRef     sender;
  char        *account_id;
  GBytes      *message;
  GStrv        recipients;
  gint64       message_id;
} QueueJob;

static void
queue_job_free (QueueJob *q)
{
  g_clear_object (&q->store);
  g_weak_ref_clear (&q->sender);
  g_free (q->account_id);
  g_clear_pointer (&q->message, g_bytes_unref);
  g_strfreev (q->recipients);
  g_free (q);
}

static void
queue_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  QueueJob *q = task_data;
  GError *error = NULL;
  gint64 id = cachet_store_outbox_queue_sync (q->store, q->account_id, q->message,
                                              (const char * const *) q->recipients,
                                              cancellable, &error);

  if (id == 0)
    {
      g_task_return_error (task, error);
      return;
    }
  {
    g_autoptr(CachetSender) sender = g_weak_ref_get (&q->sender);
    if (sender != NULL)
      wake_later (sender);
  }
  g_task_return_int (task, id);
}

void
cachet_sender_queue_async (CachetSender        *self,
                           const char          *account_id,
                           GBytes              *message,
                           const char * const  *recipients,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  QueueJob *q;

  g_return_if_fail (CACHET_IS_SENDER (self));
  g_return_if_fail (account_id != NULL && message != NULL && recipients != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cachet_sender_queue_async);
  q = g_new0 (QueueJob, 1);
  q->store = g_object_ref (self->store);
  g_weak_ref_init (&q->sender, self);
  q->account_id = g_strdup (account_id);
  q->message = g_bytes_ref (message);
  q->recipients = g_strdupv ((char **) recipients);
  g_task_set_task_data (task, q, (GDestroyNotify) queue_job_free);
  g_task_run_in_thread (task, queue_worker);
}

gint64
cachet_sender_queue_finish (CachetSender  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  gint64 id;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  id = g_task_propagate_int (G_TASK (result), error);
  return id > 0 ? id : 0;
}

void
cachet_sender_send_now (CachetSender *self)
{
  g_return_if_fail (CACHET_IS_SENDER (self));
  self->retry_all = TRUE;
  wake (self);
}

void
cachet_sender_retry (CachetSender *self,
                     gint64        message_id)
{
  g_return_if_fail (CACHET_IS_SENDER (self));
  if (self->retry == NULL)
    self->retry = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_val (self->retry, message_id);
  wake (self);
}

GPtrArray *
cachet_sender_list (CachetSender *self)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_outbox_entry_free);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (CACHET_IS_SENDER (self), entries);
  records = cachet_store_outbox_list (self->store, &error);
  if (records == NULL)
    {
      g_debug ("No outbox to list: %s", error->message);
      return entries;
    }
  for (guint i = 0; i < records->len; i++)
    {
      CachetOutboxRecord *r = g_ptr_array_index (records, i);
      CachetOutboxEntry *e = g_new0 (CachetOutboxEntry, 1);

      e->message_id = r->message_id;
      e->account_id = g_strdup (r->account_id);
      e->state = r->state;
      e->attempts = r->attempts;
      e->next_try = r->next_try;
      e->reason = g_strdup (r->reason);
      e->in_doubt = r->in_doubt;
      g_ptr_array_add (entries, e);
    }
  return entries;
}

gboolean
cachet_sender_withdraw_sync (CachetSender  *self,
                             gint64         message_id,
                             GError       **error)
{
  g_return_val_if_fail (CACHET_IS_SENDER (self), FALSE);
  if (!cachet_store_outbox_withdraw_sync (self->store, message_id, NULL, error))
    return FALSE;
  g_signal_emit (self, signals[CHANGED], 0, message_id);
  return TRUE;
}

typedef struct
{
  CachetStore *store;
  gint64       message_id;
} WithdrawJob;

static void
withdraw_job_free (WithdrawJob *w)
{
  g_clear_object (&w->store);
  g_free (w);
}

static void
withdraw_worker (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  WithdrawJob *w = task_data;
  GError *error = NULL;

  if (cachet_store_outbox_withdraw_sync (w->store, w->message_id, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cachet_sender_withdraw_async (CachetSender        *self,
                              gint64               message_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WithdrawJob *w;

  g_return_if_fail (CACHET_IS_SENDER (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cachet_sender_withdraw_async);
  w = g_new0 (WithdrawJob, 1);
  w->store = g_object_ref (self->store);
  w->message_id = message_id;
  g_task_set_task_data (task, w, (GDestroyNotify) withdraw_job_free);
  g_task_run_in_thread (task, withdraw_worker);
}

gboolean
cachet_sender_withdraw_finish (CachetSender  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  WithdrawJob *w;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  w = g_task_get_task_data (G_TASK (result));
  g_signal_emit (self, signals[CHANGED], 0, w->message_id);
  return TRUE;
}

/* Certificates */

void
_cachet_sender_take_certificate (CachetSender   *self,
                                 const char     *account_id,
                                 CachetTlsCheck *check,
                                 GArray         *ids)
{
  RefusedCertificate *r;

  if (check == NULL)
    {
      g_hash_table_remove (self->certificates, account_id);
      return;
    }
  r = g_hash_table_lookup (self->certificates, account_id);
  if (r == NULL)
    {
      r = g_new0 (RefusedCertificate, 1);
      r->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->certificates, g_strdup (account_id), r);
    }
  /* Messages that failed on an earlier refusal still wait for the user's answer too. */
  cachet_tls_check_free (r->check);
  r->check = check;
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      gboolean known = FALSE;

      for (guint j = 0; j < r->ids->len && !known; j++)
        known = g_array_index (r->ids, gint64, j) == id;
      if (!known)
        g_array_append_val (r->ids, id);
    }
  g_signal_emit (self, signals[CERTIFICATE], 0, account_id);
}

const CachetTlsCheck *
cachet_sender_get_tls_check (CachetSender *self,
                             const char   *account_id)
{
  RefusedCertificate *r;

  g_return_val_if_fail (CACHET_IS_SENDER (self), NULL);
  g_return_val_if_fail (account_id != NULL, NULL);
  r = g_hash_table_lookup (self->certificates, account_id);
  return r ? r->check : NULL;
}

static char *
normalize_fingerprint (const char *text)
{
  GString *hex = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    if (g_ascii_isxdigit (*p))
      g_string_append_c (hex, g_ascii_tolower (*p));
    else if (*p != ':' && !g_ascii_isspace (*p))
      {
        g_string_free (hex, TRUE);
        return g_strdup ("");
      }
  return g_string_free (hex, FALSE);
}

gboolean
cachet_sender_accept_certificate (CachetSender  *self,
                                  const char    *account_id,
                                  const char    *sha256_hex,
                                  GError       **error)
{
  RefusedCertificate *r;
  CachetAccount *account;
  g_autofree char *hex = NULL;
  g_autofree char *old_pin = NULL;
  g_autoptr(GArray) ids = NULL;

  g_return_val_if_fail (CACHET_IS_SENDER (self), FALSE);
  g_return_val_if_fail (account_id != NULL && sha256_hex != NULL, FALSE);

  r = g_hash_table_lookup (self->certificates, account_id);
  account = self->accounts ? cachet_account_list_find (self->accounts, account_id) : NULL;
  hex = normalize_fingerprint (sha256_hex);
  if (r == NULL || account == NULL)
    {
      g_set_error_literal (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE,
                           _("The outgoing server presented no certificate that was refused, "
                             "so there is nothing to trust."));
      return FALSE;
    }
  if (r->check->pin_mismatch)
    {
      const CachetServerSettings *smtp = cachet_account_get_smtp (account);
      g_autofree char *why = cachet_tls_check_describe (r->check, smtp ? smtp->host : NULL);

      g_set_error_literal (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE_CHANGED, why);
      return FALSE;
    }
  if (!g_str_equal (hex, r->check->sha256_hex))
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE,
                   _("The server presented the certificate with SHA-256 %s, not %s: "
                     "nothing was trusted."), r->check->sha256_hex, sha256_hex);
      return FALSE;
    }
  old_pin = g_strdup (cachet_account_get_smtp (account)->pinned_sha256);
  cachet_account_pin_certificate (account, "smtp", hex);
  if (!cachet_account_list_save (self->accounts, error))
    {
      cachet_account_pin_certificate (account, "smtp", old_pin);
      return FALSE;
    }
  ids = g_array_ref (r->ids);
  g_hash_table_remove (self->certificates, account_id);
  for (guint i = 0; i < ids->len; i++)
    cachet_sender_retry (self, g_array_index (ids, gint64, i));
  return TRUE;
}
