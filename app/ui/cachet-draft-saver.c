/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-composer"

#include "config.h"

#include "cachet-draft-saver.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-crypto-mime.h"

typedef enum
{
  JOB_SAVE,
  JOB_BUILD,
  JOB_DISCARD,
} JobKind;

/* What a worker needs: the worker owns @draft until it is done. */
typedef struct
{
  JobKind      kind;
  CachetStore *store;
  CachetDraft *draft;     /* borrowed from the saver, exclusively while the job runs */
  gint64       old_id;    /* the stored copy to replace or remove */
  /* Drafts: sealed (encrypt) with the registry, which the held application keeps */
  CachetCryptoRegistry *registry;
  GApplication *app;
  char        *sender;
  gboolean     encrypt;
  gboolean     sign;
  /* results */
  gint64       new_id;
  GBytes      *message;
  GStrv        recipients;
} Job;

/* One thing waiting for the draft: a change (@func) or a job (@task). */
typedef struct
{
  CachetDraftEditFunc  func;
  gpointer             data;
  GDestroyNotify       destroy;
  JobKind              kind;
  GTask               *task;     /* the caller's */
} Pending;

struct _CachetDraftSaver
{
  GObject       parent_instance;

  CachetStore  *store;
  CachetDraft  *draft;
  gint64        draft_id;
  gboolean      busy;        /* a worker has the draft */
  gboolean      discarded;
  GQueue        pending;     /* Pending */
  GApplication *held;        /* held while there is work */
  /* How copies in Drafts are written: cachet_draft_saver_set_crypto () */
  CachetCryptoRegistry *registry;
  char         *sender;
  gboolean      encrypt;
  gboolean      sign;
};

enum
{
  SIGNAL_SAVED,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CachetDraftSaver, cachet_draft_saver, G_TYPE_OBJECT)

static void
job_free (Job *job)
{
  g_clear_object (&job->store);
  g_clear_object (&job->app);
  g_free (job->sender);
  g_clear_pointer (&job->message, g_bytes_unref);
  g_strfreev (job->recipients);
  g_free (job);
}

static void
pending_free (Pending *p)
{
  if (p->destroy != NULL)
    p->destroy (p->data);
  g_clear_object (&p->task);
  g_free (p);
}

/* The application stays while there is work, so that quitting waits for a save. */
static void
update_hold (CachetDraftSaver *self)
{
  gboolean working = self->busy || !g_queue_is_empty (&self->pending);

  if (working && self->held == NULL)
    {
      GApplication *app = g_application_get_default ();

      if (app != NULL)
        {
          self->held = g_object_ref (app);
          g_application_hold (app);
          /* The saver stays with the hold. */
          g_object_ref (self);
        }
    }
  else if (!working && self->held != NULL)
    {
      GApplication *app = g_steal_pointer (&self->held);

      g_application_release (app);
      g_object_unref (app);
      g_object_unref (self);
    }
}

/* Workers ----------------------------------------------------------------------------------- */

static gboolean
ensure_open (CachetStore *store,
             GError     **error)
{
  /* Opening again joins the open already done or running. */
  return cachet_store_is_open (store) || cachet_store_open_sync (store, NULL, NULL, NULL, error);
}

/* Removes a stored copy for good: from Drafts it goes to the Trash, and from there away.
 * A copy the user moved to another folder is theirs to keep. */
static gboolean
remove_copy (CachetStore *store,
             gint64       id,
             GError     **error)
{
  g_autoptr(CachetFolderInfo) drafts = cachet_store_get_folder_by_role (store,
                                                                        CACHET_FOLDER_ROLE_DRAFTS);
  g_autoptr(CachetFolderInfo) trash = cachet_store_get_folder_by_role (store,
                                                                       CACHET_FOLDER_ROLE_TRASH);
  CachetMessageSummary summary = { 0 };
  gint64 found, folder_id;

  if (!cachet_store_get_summaries (store, &id, 1, &summary, error))
    return FALSE;
  found = summary.id;
  folder_id = summary.folder_id;
  cachet_message_summary_clear (&summary);
  if (found == 0)
    return TRUE;   /* gone already */
  if (drafts != NULL && folder_id == drafts->id
      && !cachet_store_delete_sync (store, &id, 1, NULL, error))
    return FALSE;
  if ((drafts != NULL && folder_id == drafts->id) || (trash != NULL && folder_id == trash->id))
    return cachet_store_delete_sync (store, &id, 1, NULL, error);
  return TRUE;
}

/* @message with Encrypt and Sign in a header of its own, first. */
static GBytes *
with_crypto_header (GBytes   *message,
                    gboolean  encrypt,
                    gboolean  sign)
{
  g_autofree char *header = g_strdup_printf ("%s: %s\n", CACHET_DRAFT_SAVER_CRYPTO_HEADER,
                                             encrypt && sign ? "encrypt, sign"
                                             : encrypt ? "encrypt" : "sign");
  GByteArray *bytes = g_byte_array_new ();
  gsize len;
  gconstpointer data = g_bytes_get_data (message, &len);

  g_byte_array_append (bytes, (const guint8 *) header, (guint) strlen (header));
  g_byte_array_append (bytes, data, (guint) len);
  return g_byte_array_free_to_bytes (bytes);
}

/* The copy for Drafts: Encrypt and Sign kept in it, sealed to the sender alone when
 * Encrypt is on.  NULL with @error rather than a copy in the clear. */
static GBytes *
draft_copy (Job     *job,
            GBytes  *built,
            GError **error)
{
  g_autoptr(GBytes) marked = NULL;
  g_autoptr(GError) local = NULL;
  const char *recipients[] = { job->sender, NULL };
  CachetCryptoSealOptions options = {
    .encrypt = TRUE,
    .sign = FALSE,
    .protocol = "openpgp",
    .recipients = recipients,
    .sender = job->sender,
  };
  GBytes *sealed;

  if (!job->encrypt && !job->sign)
    return g_bytes_ref (built);
  marked = with_crypto_header (built, job->encrypt, job->sign);
  if (!job->encrypt)
    return g_steal_pointer (&marked);

  if (job->sender == NULL)
    {
      g_set_error_literal (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_KEY,
                           _("Encrypt is on, but the sender has no address to find a key "
                             "for. The draft is not stored unencrypted: choose an account "
                             "in From, or turn Encrypt off."));
      return NULL;
    }
  if (job->registry == NULL)
    {
      g_set_error_literal (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN,
                           _("Encrypt is on, but no encryption plugin is loaded. The draft "
                             "is not stored unencrypted: turn Encrypt off to save it as it "
                             "is."));
      return NULL;
    }
  sealed = cachet_crypto_seal (job->registry, marked, &options, &local);
  if (sealed != NULL)
    return sealed;
  if (g_error_matches (local, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_KEY))
    g_set_error (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_KEY,
                 _("Encrypt is on, but you have no key of your own (%s) to encrypt the draft "
                   "to. It is not stored unencrypted: add your key, or turn Encrypt off to "
                   "save it as it is."), job->sender);
  else
    g_set_error (error, local->domain, local->code,
                 _("The draft could not be encrypted (%s). It is not stored unencrypted: "
                   "turn Encrypt off to save it as it is."), local->message);
  return NULL;
}

static void
save_worker (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) built = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(CachetFolderInfo) drafts = NULL;
  gint64 id;

  if (!ensure_open (job->store, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  drafts = cachet_store_get_folder_by_role (job->store, CACHET_FOLDER_ROLE_DRAFTS);
  if (drafts == NULL)
    {
      g_task_return_new_error (task, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                               _("There is no Drafts folder."));
      return;
    }
  built = cachet_draft_build (job->draft, CACHET_DRAFT_BUILD_DRAFT, &error);
  if (built != NULL)
    message = draft_copy (job, built, &error);
  if (message == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  id = cachet_store_add_message_sync (job->store, drafts->id, message,
                                      CACHET_FLAG_DRAFT | CACHET_FLAG_SEEN, NULL, &error);
  if (id <= 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  job->new_id = id;
  /* The new copy is safe: now the old one goes.  Failing that leaves two copies, which
   * is better than none. */
  if (job->old_id != 0 && !remove_copy (job->store, job->old_id, &error))
    g_warning ("The previous copy of the draft stays in Drafts: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
build_worker (GTask        *task,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;

  /* The outbox needs the store: a composer opened at start may be quicker than it. */
  if (!ensure_open (job->store, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  job->recipients = cachet_draft_get_envelope_recipients (job->draft, &error);
  if (job->recipients == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  job->message = cachet_draft_build (job->draft, CACHET_DRAFT_BUILD_SEND, &error);
  if (job->message == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
discard_worker (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;

  if (job->old_id != 0
      && (!ensure_open (job->store, &error) || !remove_copy (job->store, job->old_id, &error)))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* The queue ------------------------------------------------------------------------------- */

static void run_pending (CachetDraftSaver *self);

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  CachetDraftSaver *self = CACHET_DRAFT_SAVER (source);
  g_autoptr(GTask) outer = user_data;
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = g_task_propagate_boolean (G_TASK (result), &error);
  self->busy = FALSE;
  g_debug ("Draft job %d done: %s", job->kind, ok ? "ok" : error->message);

  switch (job->kind)
    {
    case JOB_SAVE:
      if (job->new_id != 0)
        self->draft_id = job->new_id;
      if (ok)
        {
          g_signal_emit (self, signals[SIGNAL_SAVED], 0, job->new_id);
          g_task_return_int (outer, job->new_id);
        }
      else
        {
          g_autofree char *text = g_strdup_printf (_("Could not save the draft: %s"),
                                                   error->message);

          /* Logged too: a composer already gone (quitting) cannot show it. */
          g_message ("%s", text);
          g_signal_emit (self, signals[SIGNAL_FAILED], 0, text);
          g_task_return_error (outer, g_steal_pointer (&error));
        }
      break;
    case JOB_BUILD:
      if (ok)
        {
          g_task_set_task_data (outer, g_strdupv (job->recipients), (GDestroyNotify) g_strfreev);
          g_task_return_pointer (outer, g_bytes_ref (job->message),
                                 (GDestroyNotify) g_bytes_unref);
        }
      else
        g_task_return_error (outer, g_steal_pointer (&error));
      break;
    case JOB_DISCARD:
    default:
      if (ok)
        {
          self->draft_id = 0;
          g_task_return_boolean (outer, TRUE);
        }
      else
        g_task_return_error (outer, g_steal_pointer (&error));
      break;
    }

  run_pending (self);
  update_hold (self);
}

static void
start_job (CachetDraftSaver *self,
           Pending          *p)
{
  g_autoptr(GTask) worker = NULL;
  Job *job;

  if (p->kind == JOB_SAVE && self->discarded)
    {
      g_task_return_new_error (p->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "The draft was discarded");
      return;
    }
  if (p->kind == JOB_DISCARD)
    self->discarded = TRUE;

  job = g_new0 (Job, 1);
  job->kind = p->kind;
  job->store = g_object_ref (self->store);
  job->draft = self->draft;
  job->old_id = self->draft_id;
  if (p->kind == JOB_SAVE)
    {
      job->registry = self->registry;
      /* The registry lives as long as the application: keep it while this runs. */
      job->app = g_application_get_default () != NULL
                 ? g_object_ref (g_application_get_default ()) : NULL;
      job->sender = g_strdup (self->sender);
      job->encrypt = self->encrypt;
      job->sign = self->sign;
    }

  g_debug ("Draft job %d, replacing %" G_GINT64_FORMAT, p->kind, job->old_id);
  self->busy = TRUE;
  worker = g_task_new (self, NULL, job_done_cb, g_steal_pointer (&p->task));
  g_task_set_source_tag (worker, start_job);
  g_task_set_task_data (worker, job, (GDestroyNotify) job_free);
  switch (p->kind)
    {
    case JOB_SAVE:
      g_task_run_in_thread (worker, save_worker);
      break;
    case JOB_BUILD:
      g_task_run_in_thread (worker, build_worker);
      break;
    case JOB_DISCARD:
    default:
      g_task_run_in_thread (worker, discard_worker);
      break;
    }
}

static void
run_pending (CachetDraftSaver *self)
{
  while (!self->busy && !g_queue_is_empty (&self->pending))
    {
      Pending *p = g_queue_pop_head (&self->pending);

      if (p->func != NULL)
        {
          g_autoptr(GError) error = NULL;

          if (!p->func (self->draft, p->data, &error))
            g_signal_emit (self, signals[SIGNAL_FAILED], 0, error->message);
        }
      else
        start_job (self, p);
      pending_free (p);
    }
}

static void
enqueue (CachetDraftSaver *self,
         Pending          *p)
{
  g_queue_push_tail (&self->pending, p);
  update_hold (self);
  run_pending (self);
  update_hold (self);
}

/* GObject ------------------------------------------------------------------------------------ */

static void
cachet_draft_saver_finalize (GObject *object)
{
  CachetDraftSaver *self = CACHET_DRAFT_SAVER (object);

  /* Work keeps a reference: nothing can be pending here. */
  g_queue_clear_full (&self->pending, (GDestroyNotify) pending_free);
  g_clear_pointer (&self->draft, cachet_draft_free);
  g_clear_object (&self->store);
  g_free (self->sender);

  G_OBJECT_CLASS (cachet_draft_saver_parent_class)->finalize (object);
}

static void
cachet_draft_saver_class_init (CachetDraftSaverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cachet_draft_saver_finalize;

  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cachet_draft_saver_init (CachetDraftSaver *self)
{
  g_queue_init (&self->pending);
}

CachetDraftSaver *
cachet_draft_saver_new (CachetStore *store,
                        CachetDraft *draft,
                        gint64       draft_id)
{
  CachetDraftSaver *self;

  g_return_val_if_fail (CACHET_IS_STORE (store), NULL);
  g_return_val_if_fail (draft != NULL, NULL);

  self = g_object_new (CACHET_TYPE_DRAFT_SAVER, NULL);
  self->store = g_object_ref (store);
  self->draft = draft;
  self->draft_id = draft_id;
  return self;
}

gint64
cachet_draft_saver_get_draft_id (CachetDraftSaver *self)
{
  g_return_val_if_fail (CACHET_IS_DRAFT_SAVER (self), 0);
  return self->draft_id;
}

CachetDraft *
cachet_draft_saver_peek_draft (CachetDraftSaver *self)
{
  g_return_val_if_fail (CACHET_IS_DRAFT_SAVER (self), NULL);
  return self->busy || !g_queue_is_empty (&self->pending) ? NULL : self->draft;
}

gboolean
cachet_draft_saver_is_busy (CachetDraftSaver *self)
{
  g_return_val_if_fail (CACHET_IS_DRAFT_SAVER (self), FALSE);
  return self->busy || !g_queue_is_empty (&self->pending);
}

void
cachet_draft_saver_edit (CachetDraftSaver    *self,
                         CachetDraftEditFunc  func,
                         gpointer             data,
                         GDestroyNotify       destroy)
{
  Pending *p;

  g_return_if_fail (CACHET_IS_DRAFT_SAVER (self));
  g_return_if_fail (func != NULL);

  p = g_new0 (Pending, 1);
  p->func = func;
  p->data = data;
  p->destroy = destroy;
  enqueue (self, p);
}

static void
enqueue_job (CachetDraftSaver    *self,
             JobKind              kind,
             gpointer             source_tag,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  Pending *p = g_new0 (Pending, 1);

  p->kind = kind;
  p->task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (p->task, source_tag);
  enqueue (self, p);
}

void
cachet_draft_saver_save_async (CachetDraftSaver    *self,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (CACHET_IS_DRAFT_SAVER (self));
  enqueue_job (self, JOB_SAVE, cachet_draft_saver_save_async, callback, user_data);
}

gint64
cachet_draft_saver_save_finish (CachetDraftSaver *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  return g_task_propagate_int (G_TASK (result), error);
}

void
cachet_draft_saver_build_async (CachetDraftSaver    *self,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (CACHET_IS_DRAFT_SAVER (self));
  enqueue_job (self, JOB_BUILD, cachet_draft_saver_build_async, callback, user_data);
}

GBytes *
cachet_draft_saver_build_finish (CachetDraftSaver *self,
                                 GAsyncResult     *result,
                                 GStrv            *recipients,
                                 GError          **error)
{
  GBytes *message;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  message = g_task_propagate_pointer (G_TASK (result), error);
  if (recipients != NULL)
    *recipients = message != NULL ? g_strdupv (g_task_get_task_data (G_TASK (result))) : NULL;
  return message;
}

void
cachet_draft_saver_discard_async (CachetDraftSaver    *self,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (CACHET_IS_DRAFT_SAVER (self));
  enqueue_job (self, JOB_DISCARD, cachet_draft_saver_discard_async, callback, user_data);
}

gboolean
cachet_draft_saver_discard_finish (CachetDraftSaver *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cachet_draft_saver_set_crypto (CachetDraftSaver     *self,
                               CachetCryptoRegistry *registry,
                               const char           *sender,
                               gboolean              encrypt,
                               gboolean              sign)
{
  g_return_if_fail (CACHET_IS_DRAFT_SAVER (self));
  self->registry = registry;
  g_free (self->sender);
  self->sender = g_strdup (sender);
  self->encrypt = encrypt;
  self->sign = sign;
}

gboolean
cachet_draft_saver_read_crypto (CachetMessage *message,
                                gboolean      *encrypt,
                                gboolean      *sign)
{
  const char *value;
  g_auto(GStrv) words = NULL;

  g_return_val_if_fail (CACHET_IS_MESSAGE (message), FALSE);

  *encrypt = FALSE;
  *sign = FALSE;
  value = cachet_message_get_header (message, CACHET_DRAFT_SAVER_CRYPTO_HEADER);
  if (value == NULL)
    return FALSE;
  words = g_strsplit_set (value, ", \t", -1);
  for (char **w = words; *w != NULL; w++)
    {
      if (g_ascii_strcasecmp (*w, "encrypt") == 0)
        *encrypt = TRUE;
      else if (g_ascii_strcasecmp (*w, "sign") == 0)
        *sign = TRUE;
    }
  return TRUE;
}
