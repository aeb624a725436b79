/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-message-view"

#include "config.h"

#include <glib/gi18n.h>

#include "cachet-address.h"
#include "cachet-crypto-passphrase.h"
#include "cachet-crypto-ui.h"
#include "cachet-message-view-private.h"

/* Encrypted and signed mail in the view.
 *
 * The message is first shown as it is stored.  When it looks sealed (PGP/MIME, S/MIME,
 * inline PGP), a worker opens it with the plugins, asking for passphrases in a dialog over
 * the window; the opened message then replaces the raw one and the status bar above it
 * (a widget of the window, never part of the message) gives the verdict.  Anything shown
 * later (another message, nothing) cancels that work, a passphrase dialog included. */

static CachetCryptoRegistry *
registry (CachetMessageView *self,
          gboolean          *loading)
{
  if (loading != NULL)
    *loading = FALSE;
  if (self->registry_set)
    return self->registry;
  return _cachet_crypto_ui_get_registry (GTK_WIDGET (self), loading);
}

/* The application has loaded its plugins: open the message that waited for them. */
static void
plugins_ready_cb (CachetMessageView *self)
{
  g_autoptr(CachetMessage) message = g_steal_pointer (&self->waiting);

  if (message != NULL && message == self->message)
    _cachet_message_view_crypto_start (self, message, TRUE);
}

static GtkWindow *
parent_window (CachetMessageView *self)
{
  GtkWidget *toplevel = gtk_widget_get_toplevel (GTK_WIDGET (self));

  return GTK_IS_WINDOW (toplevel) ? GTK_WINDOW (toplevel) : NULL;
}

static char *
from_address (CachetMessage *message)
{
  GPtrArray *from = cachet_message_get_from (message);
  CachetAddress *first = from != NULL && from->len > 0 ? g_ptr_array_index (from, 0) : NULL;

  return first != NULL ? g_strdup (first->email) : NULL;
}

/* Opening ---------------------------------------------------------------------------------- */

/* The application's registry lives as long as the application: a worker that borrows it
 * keeps the application. */
static GApplication *
hold_application (void)
{
  GApplication *app = g_application_get_default ();

  return app != NULL ? g_object_ref (app) : NULL;
}

typedef struct
{
  CachetCryptoRegistry   *registry;
  GApplication           *app;
  GBytes                 *input;
  char                   *from_address;
  CachetPassphrasePrompt *prompt;
  guint                   generation;
} OpenJob;

typedef struct
{
  CachetCryptoOpened  *opened;
  CachetCryptoVerdict *verdict;
  CachetMessage       *message;            /* the opened message, NULL when nothing was */
  GArray              *attachment_sizes;
} OpenResult;

static void
open_job_free (gpointer data)
{
  OpenJob *job = data;

  g_clear_pointer (&job->input, g_bytes_unref);
  g_clear_object (&job->app);
  g_free (job->from_address);
  g_clear_pointer (&job->prompt, cachet_passphrase_prompt_free);
  g_free (job);
}

static void
open_result_free (OpenResult *result)
{
  g_clear_pointer (&result->opened, cachet_crypto_opened_free);
  g_clear_pointer (&result->verdict, cachet_crypto_verdict_free);
  g_clear_object (&result->message);
  g_clear_pointer (&result->attachment_sizes, g_array_unref);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpenResult, open_result_free)

static void
open_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenJob *job = task_data;
  CachetCryptoOpenOptions options = {
    .ask_passphrase = cachet_passphrase_prompt_ask,
    .ask_passphrase_data = job->prompt,
    .cancellable = cancellable,
  };
  g_autoptr(OpenResult) result = g_new0 (OpenResult, 1);
  GError *error = NULL;

  result->opened = cachet_crypto_open (job->registry, job->input, &options, &error);
  if (result->opened == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  result->verdict = cachet_crypto_verdict_new (result->opened, job->from_address);
  if (result->opened->message != NULL && !g_bytes_equal (result->opened->message, job->input))
    {
      result->message = cachet_message_new_from_bytes (result->opened->message);
      (void) cachet_message_get_body_text (result->message);
      result->attachment_sizes = _cachet_message_view_measure_attachments (result->message);
    }
  g_task_return_pointer (task, g_steal_pointer (&result), (GDestroyNotify) open_result_free);
}

static void
show_result (CachetMessageView *self,
             OpenResult        *result)
{
  CachetCryptoOpened *opened = result->opened;

  self->decrypted = opened->decrypted;
  if (result->message != NULL)
    _cachet_message_view_show_parsed (self, result->message,
                                      (const guint64 *) (gpointer) result->attachment_sizes->data,
                                      NULL, 0);
  if (result->verdict != NULL)
    cachet_crypto_status_set_verdict (self->crypto_status, result->verdict->level,
                                      result->verdict->title, result->verdict->detail);
  else if (opened->problem != NULL)
    /* Nothing to judge, but something went wrong: say it, the message stays as it is. */
    cachet_crypto_status_set_verdict (self->crypto_status, CACHET_CRYPTO_VERDICT_WARNING,
                                      opened->problem, NULL);
  else
    cachet_crypto_status_clear (self->crypto_status);
}

static void
open_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(CachetMessageView) self = user_data;
  OpenJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  OpenResult *result;

  result = g_task_propagate_pointer (G_TASK (res), &error);
  if (job->generation != self->generation || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_pointer (&result, open_result_free);
      return;
    }
  g_clear_object (&self->crypto_cancellable);
  self->opening = FALSE;
  if (result == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("This message could not be opened: %s"),
                                               error->message);

      cachet_crypto_status_set_verdict (self->crypto_status, CACHET_CRYPTO_VERDICT_WARNING,
                                        text, NULL);
    }
  else
    {
      show_result (self, result);
      open_result_free (result);
    }
  _cachet_message_view_emit_opened (self);
}

void
_cachet_message_view_crypto_start (CachetMessageView *self,
                                   CachetMessage     *message,
                                   gboolean           sealed)
{
  GBytes *bytes = cachet_message_get_bytes (message);
  CachetCryptoRegistry *plugins;
  g_autoptr(GTask) task = NULL;
  OpenJob *job;
  gboolean loading;

  g_clear_object (&self->waiting);
  if (bytes == NULL || !sealed)
    return;
  plugins = registry (self, &loading);
  if (plugins == NULL && loading)
    {
      if (self->ready_handler == 0)
        self->ready_handler = _cachet_crypto_ui_when_ready (GTK_WIDGET (self),
                                                            G_CALLBACK (plugins_ready_cb));
      if (self->ready_handler != 0)
        {
          cachet_crypto_status_set_busy (self->crypto_status,
                                         _("Waiting for the encryption plugins to load…"));
          self->waiting = g_object_ref (message);
          self->opening = TRUE;
          return;
        }
    }
  if (plugins == NULL)
    {
      cachet_crypto_status_set_verdict (self->crypto_status, CACHET_CRYPTO_VERDICT_WARNING,
                                        _("This message is encrypted or signed, but no "
                                          "encryption plugin is loaded: it is shown as it "
                                          "is."), NULL);
      _cachet_message_view_emit_opened (self);
      return;
    }

  cachet_crypto_status_set_busy (self->crypto_status, _("Opening the encrypted or signed "
                                                        "message…"));
  g_cancellable_cancel (self->crypto_cancellable);
  g_clear_object (&self->crypto_cancellable);
  self->crypto_cancellable = g_cancellable_new ();
  self->opening = TRUE;

  job = g_new0 (OpenJob, 1);
  job->registry = plugins;
  job->app = hold_application ();
  job->input = g_bytes_ref (bytes);
  job->from_address = from_address (message);
  job->prompt = cachet_passphrase_prompt_new (parent_window (self), self->crypto_cancellable);
  job->generation = self->generation;

  task = g_task_new (NULL, self->crypto_cancellable, open_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, _cachet_message_view_crypto_start);
  g_task_set_task_data (task, job, open_job_free);
  g_task_run_in_thread (task, open_worker);
}

/* Keys ------------------------------------------------------------------------------------- */

static gboolean
is_key_part (CachetPart *part)
{
  const char *type = cachet_part_get_mime_type (part);

  return type != NULL && g_ascii_strcasecmp (type, "application/pgp-keys") == 0;
}

void
_cachet_message_view_crypto_show_keys (CachetMessageView *self,
                                       CachetMessage     *message)
{
  GPtrArray *attachments = cachet_message_get_attachments (message);
  CachetPart *key = NULL;
  const char *name;
  g_autofree char *text = NULL;

  for (guint i = 0; attachments != NULL && i < attachments->len && key == NULL; i++)
    if (is_key_part (g_ptr_array_index (attachments, i)))
      key = g_ptr_array_index (attachments, i);
  g_clear_pointer (&self->key_part, cachet_part_unref);
  if (key == NULL)
    {
      gtk_widget_hide (GTK_WIDGET (self->key_bar));
      return;
    }
  self->key_part = cachet_part_ref (key);
  name = cachet_part_get_filename (key);
  if (name != NULL)
    /* Translators: %s is the attachment's file name */
    text = g_strdup_printf (_("This message carries a public key (%s)."), name);
  else
    text = g_strdup (_("This message carries a public key."));
  gtk_label_set_text (self->key_label, text);
  gtk_info_bar_set_message_type (self->key_bar, GTK_MESSAGE_QUESTION);
  gtk_widget_set_sensitive (self->import_key_button, TRUE);
  gtk_widget_show (self->import_key_button);
  gtk_widget_show (GTK_WIDGET (self->key_bar));
}

typedef struct
{
  CachetCryptoRegistry *registry;
  GApplication         *app;
  GBytes               *keydata;
  guint                 generation;
} ImportJob;

static void
import_job_free (gpointer data)
{
  ImportJob *job = data;

  g_clear_pointer (&job->keydata, g_bytes_unref);
  g_clear_object (&job->app);
  g_free (job);
}

static void
import_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportJob *job = task_data;
  GError *error = NULL;
  GPtrArray *keys;

  keys = cachet_crypto_import_keys (job->registry, "openpgp", job->keydata, cancellable, &error);
  if (keys == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, keys, (GDestroyNotify) g_ptr_array_unref);
}

static char *
describe_keys (GPtrArray *keys)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (keys->len == 0)
    return g_strdup (_("The attachment holds no new key."));
  g_string_append (text, g_dngettext (GETTEXT_PACKAGE, "Imported the key of",
                                      "Imported the keys of", keys->len));
  for (guint i = 0; i < keys->len; i++)
    {
      CachetCryptoKeyResult *key = g_ptr_array_index (keys, i);
      const char *who = key->user_id != NULL ? key->user_id
                        : key->address != NULL ? key->address : _("an unnamed key");

      g_string_append_printf (text, "%s %s", i > 0 ? "," : "", who);
      if (key->fingerprint != NULL)
        g_string_append_printf (text, " (%s)", key->fingerprint);
    }
  g_string_append_c (text, '.');
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
import_done_cb (GObject      *source,
                GAsyncResult *res,
                gpointer      user_data)
{
  g_autoptr(CachetMessageView) self = user_data;
  ImportJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autofree char *text = NULL;

  keys = g_task_propagate_pointer (G_TASK (res), &error);
  if (job->generation != self->generation || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (keys == NULL)
    {
      text = g_strdup_printf (_("The key could not be imported: %s"), error->message);
      gtk_info_bar_set_message_type (self->key_bar, GTK_MESSAGE_ERROR);
      gtk_widget_set_sensitive (self->import_key_button, TRUE);
    }
  else
    {
      text = describe_keys (keys);
      gtk_info_bar_set_message_type (self->key_bar, GTK_MESSAGE_INFO);
      gtk_widget_hide (self->import_key_button);
    }
  gtk_label_set_text (self->key_label, text);
  _cachet_message_view_emit_opened (self);
}

static void
import_key_clicked_cb (GtkButton         *button,
                       CachetMessageView *self)
{
  CachetCryptoRegistry *plugins = registry (self, NULL);
  g_autoptr(GTask) task = NULL;
  ImportJob *job;

  if (self->key_part == NULL)
    return;
  if (plugins == NULL)
    {
      gtk_label_set_text (self->key_label, _("The key could not be imported: no encryption "
                                             "plugin is loaded."));
      gtk_info_bar_set_message_type (self->key_bar, GTK_MESSAGE_ERROR);
      _cachet_message_view_emit_opened (self);
      return;
    }
  gtk_widget_set_sensitive (self->import_key_button, FALSE);
  gtk_label_set_text (self->key_label, _("Importing the key…"));
  if (self->crypto_cancellable == NULL)
    self->crypto_cancellable = g_cancellable_new ();

  job = g_new0 (ImportJob, 1);
  job->registry = plugins;
  job->app = hold_application ();
  job->keydata = cachet_part_get_decoded (self->key_part);
  job->generation = self->generation;
  task = g_task_new (NULL, self->crypto_cancellable, import_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, import_key_clicked_cb);
  g_task_set_task_data (task, job, import_job_free);
  g_task_run_in_thread (task, import_worker);
}

/* Life ------------------------------------------------------------------------------------- */

void
_cachet_message_view_crypto_reset (CachetMessageView *self)
{
  self->generation++;
  self->opening = FALSE;
  self->decrypted = FALSE;
  g_clear_object (&self->waiting);
  g_cancellable_cancel (self->crypto_cancellable);
  g_clear_object (&self->crypto_cancellable);
  g_clear_pointer (&self->key_part, cachet_part_unref);
  cachet_crypto_status_clear (self->crypto_status);
  gtk_widget_hide (GTK_WIDGET (self->key_bar));
}

void
_cachet_message_view_crypto_dispose (CachetMessageView *self)
{
  self->generation++;
  g_clear_object (&self->waiting);
  g_cancellable_cancel (self->crypto_cancellable);
  g_clear_object (&self->crypto_cancellable);
  g_clear_pointer (&self->key_part, cachet_part_unref);
}

void
_cachet_message_view_crypto_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, crypto_status);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, key_bar);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, key_label);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, import_key_button);
  gtk_widget_class_bind_template_callback (widget_class, import_key_clicked_cb);
}

/* Public API ------------------------------------------------------------------------------- */

void
cachet_message_view_set_crypto_registry (CachetMessageView    *self,
                                         CachetCryptoRegistry *plugins)
{
  g_return_if_fail (CACHET_IS_MESSAGE_VIEW (self));
  self->registry = plugins;
  self->registry_set = TRUE;
}

CachetCryptoStatus *
cachet_message_view_get_crypto_status (CachetMessageView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_VIEW (self), NULL);
  return self->crypto_status;
}

gboolean
cachet_message_view_is_opening (CachetMessageView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_VIEW (self), FALSE);
  return self->opening;
}

gboolean
cachet_message_view_get_decrypted (CachetMessageView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_VIEW (self), FALSE);
  return self->decrypted;
}

const char *
cachet_message_view_get_key_text (CachetMessageView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_VIEW (self), NULL);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->key_bar)))
    return NULL;
  return gtk_label_get_text (self->key_label);
}

GtkWidget *
cachet_message_view_get_import_key_button (CachetMessageView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_VIEW (self), NULL);
  return self->import_key_button;
}
