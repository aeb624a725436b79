/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-composer"

#include "config.h"

#include <glib/gi18n.h>

#include "cachet-application.h"
#include "cachet-composer-private.h"

/* Saving, closing and sending.
 *
 * A change starts the autosave clock (it is not restarted by later changes, so steady
 * typing is saved every 30 seconds too); Ctrl+S saves at once.  Closing saves what changed
 * since the last save: the window hides at once and goes when the copy is in Drafts (if
 * that fails it comes back with the reason).  A window destroyed without being closed
 * (quitting) still saves: the saver lives on and holds the application until it is done.
 *
 * Send builds the message off the main thread, hands it with its envelope to the outbox,
 * marks the original replied or forwarded, removes the draft and closes.  Until the outbox
 * has it, nothing is lost: a failure keeps the window with the reason. */

/* Saving -------------------------------------------------------------------------------------- */

static void
saved_cb (CachetDraftSaver *saver,
          gint64            id,
          CachetComposer   *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%H:%M");
  /* Translators: in the composer's title bar; %s is the time, e.g. 14:05 */
  g_autofree char *text = g_strdup_printf (_("Draft saved at %s"), time);

  gtk_header_bar_set_subtitle (self->header_bar, text);
  g_clear_pointer (&self->save_error, g_free);
  _cachet_composer_emit_saved (self, id);
  if (self->closing && !self->dirty && !cachet_draft_saver_is_busy (saver))
    gtk_widget_destroy (GTK_WIDGET (self));
}

static void
failed_cb (CachetDraftSaver *saver,
           const char       *message,
           CachetComposer   *self)
{
  gboolean again = g_strcmp0 (message, self->save_error) == 0;

  /* Unsaved: it must be saved again, and a window that was closing comes back.  The same
   * failure again (autosave without a key to encrypt the draft to) is said once. */
  self->dirty = TRUE;
  if (self->closing)
    {
      self->closing = FALSE;
      again = FALSE;
      gtk_window_present (GTK_WINDOW (self));
    }
  g_free (self->save_error);
  self->save_error = g_strdup (message);
  if (!again)
    _cachet_composer_show_error (self, message);
}

static gboolean
autosave_cb (gpointer user_data)
{
  CachetComposer *self = user_data;

  self->autosave_source = 0;
  if (self->dirty)
    _cachet_composer_save (self);
  return G_SOURCE_REMOVE;
}

void
_cachet_composer_changed (CachetComposer *self)
{
  if (self->sending || self->sent)
    return;
  self->dirty = TRUE;
  if (self->autosave_source == 0)
    self->autosave_source = g_timeout_add (self->autosave_ms, autosave_cb, self);
}

void
_cachet_composer_save (CachetComposer *self)
{
  if (self->sending || self->sent)
    return;
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  self->dirty = FALSE;
  gtk_header_bar_set_subtitle (self->header_bar, _("Saving draft…"));
  _cachet_composer_push_fields (self);
  cachet_draft_saver_save_async (self->saver, NULL, NULL);
}

gboolean
_cachet_composer_close (CachetComposer *self)
{
  g_debug ("Closing (%s)", self->sent ? "sent" : self->dirty ? "unsaved changes" : "saved");
  if (self->sent)
    return TRUE;
  if (self->closing || self->sending)
    return FALSE;
  if (!self->dirty)
    return TRUE;   /* a save still running finishes by itself */
  self->closing = TRUE;
  gtk_widget_hide (GTK_WIDGET (self));
  _cachet_composer_save (self);
  return FALSE;
}

static void
discard_response_cb (GtkDialog      *dialog,
                     int             response,
                     CachetComposer *self)
{
  gtk_widget_destroy (GTK_WIDGET (dialog));
  if (response != GTK_RESPONSE_ACCEPT)
    return;
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  self->dirty = FALSE;
  self->sent = TRUE;   /* nothing more to save */
  cachet_draft_saver_discard_async (self->saver, NULL, NULL);
  gtk_widget_destroy (GTK_WIDGET (self));
}

void
_cachet_composer_discard (CachetComposer *self)
{
  GtkWidget *dialog, *button;

  if (self->sending || self->sent)
    return;
  dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Delete this draft?"));
  gtk_window_set_title (GTK_WINDOW (dialog), _("Delete Draft"));
  atk_object_set_name (gtk_widget_get_accessible (dialog), _("Delete Draft"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("The message is closed and its copy in "
                                              "Drafts is deleted."));
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Delete"), GTK_RESPONSE_ACCEPT);
  gtk_style_context_add_class (gtk_widget_get_style_context (button), "destructive-action");
  g_signal_connect_object (dialog, "response", G_CALLBACK (discard_response_cb), self, 0);
  gtk_widget_show (dialog);
}

/* Sending ------------------------------------------------------------------------------------- */

static CachetApplication *
application (CachetComposer *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return CACHET_IS_APPLICATION (app) ? CACHET_APPLICATION (app) : NULL;
}

static void
set_sending (CachetComposer *self,
             gboolean        sending)
{
  GAction *action;

  self->sending = sending;
  gtk_widget_set_sensitive (self->content_box, !sending);
  for (const char * const *name = (const char * const[]) { "send", "save-draft", "attach",
                                                           "discard", NULL };
       *name != NULL; name++)
    {
      action = g_action_map_lookup_action (G_ACTION_MAP (self), *name);
      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), !sending);
    }
  gtk_header_bar_set_subtitle (self->header_bar, sending ? _("Sending…") : NULL);
}

static void
send_failed (CachetComposer *self,
             GError         *error)
{
  g_autofree char *text = g_strdup_printf (_("The message was not sent: %s"), error->message);

  set_sending (self, FALSE);
  /* What was written is not in the outbox: it must be kept. */
  _cachet_composer_changed (self);
  _cachet_composer_show_error (self, text);
}

static void
flags_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cachet_store_write_finish (CACHET_STORE (source), result, &error))
    g_message ("Could not mark the original message: %s", error->message);
}

/* What a message being sent carries from one step to the next. */
typedef struct
{
  CachetComposer *composer;
  GStrv           recipients;
} Sending;

static void
sending_free (Sending *sending)
{
  g_clear_object (&sending->composer);
  g_strfreev (sending->recipients);
  g_free (sending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Sending, sending_free)

static void
queued_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Sending) sending = user_data;
  CachetComposer *self = sending->composer;
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = cachet_sender_queue_finish (CACHET_SENDER (source), result, &error);
  if (error != NULL)
    {
      send_failed (self, error);
      return;
    }

  self->sent = TRUE;
  self->dirty = FALSE;
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  _cachet_composer_crypto_sent (self, (const char * const *) sending->recipients);
  if (self->original_id != 0 && self->original_flag != CACHET_FLAG_NONE)
    cachet_store_set_flags_async (self->store, &self->original_id, 1, self->original_flag,
                                  CACHET_FLAG_NONE, NULL, flags_done_cb, NULL);
  /* The draft has become the message in the Outbox. */
  cachet_draft_saver_discard_async (self->saver, NULL, NULL);
  _cachet_composer_emit_sent (self, id);
  gtk_widget_destroy (GTK_WIDGET (self));
}

/* Sealed (or left as it was when neither Encrypt nor Sign is on): into the Outbox. */
static void
sealed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Sending) sending = user_data;
  CachetComposer *self = sending->composer;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = NULL;
  const char * const *recipients = (const char * const *) sending->recipients;

  message = _cachet_composer_seal_finish (self, result, &error);
  if (message == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && g_cancellable_is_cancelled (self->cancellable))
        return;   /* the window is going */
      send_failed (self, error);
      return;
    }
  if (self->sender == NULL || self->account_id == NULL)
    {
      g_autoptr(GError) missing = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                       _("Sending is not available."));
      send_failed (self, missing);
      return;
    }
  cachet_sender_queue_async (self->sender, self->account_id, message, recipients, NULL,
                             queued_cb, g_steal_pointer (&sending));
}

static void
built_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CachetComposer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = NULL;
  g_auto(GStrv) recipients = NULL;
  Sending *sending;

  message = cachet_draft_saver_build_finish (CACHET_DRAFT_SAVER (source), result, &recipients,
                                             &error);
  if (message == NULL)
    {
      send_failed (self, error);
      return;
    }
  /* A composer opened before the store was open (a mailto: link at start) gets the
   * application's sender now: building opened the store. */
  if (self->sender == NULL && application (self) != NULL)
    cachet_composer_set_sender (self, cachet_application_get_sender (application (self)));
  if (self->sender == NULL || self->account_id == NULL)
    {
      g_autoptr(GError) missing = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                       _("Sending is not available."));
      send_failed (self, missing);
      return;
    }
  sending = g_new0 (Sending, 1);
  sending->composer = g_object_ref (self);
  sending->recipients = g_steal_pointer (&recipients);
  _cachet_composer_seal_async (self, message, (const char * const *) sending->recipients,
                               sealed_cb, sending);
}

static void
really_send (CachetComposer *self)
{
  set_sending (self, TRUE);
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  self->dirty = FALSE;
  _cachet_composer_push_fields (self);
  cachet_draft_saver_build_async (self->saver, built_cb, g_object_ref (self));
}

static void
no_subject_response_cb (GtkDialog      *dialog,
                        int             response,
                        CachetComposer *self)
{
  gtk_widget_destroy (GTK_WIDGET (dialog));
  if (response == GTK_RESPONSE_ACCEPT)
    really_send (self);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->subject_entry));
}

static gboolean
has_text (GtkEntry *entry)
{
  for (const char *p = gtk_entry_get_text (entry); *p != '\0'; p++)
    if (!g_ascii_isspace (*p) && *p != ',' && *p != ';')
      return TRUE;
  return FALSE;
}

void
_cachet_composer_send (CachetComposer *self)
{
  GtkWidget *dialog;

  if (self->sending || self->sent)
    return;
  if (self->account_id == NULL)
    {
      _cachet_composer_show_error (self, _("There is no account to send from. Add one with "
                                           "Accounts in the main menu."));
      return;
    }
  if (self->sender == NULL && application (self) == NULL)
    {
      _cachet_composer_show_error (self, _("Sending is not available."));
      return;
    }
  if (!has_text (self->to_entry) && !has_text (self->cc_entry) && !has_text (self->bcc_entry))
    {
      _cachet_composer_show_error (self, _("Add at least one recipient in To, Cc or Bcc."));
      gtk_widget_grab_focus (GTK_WIDGET (self->to_entry));
      return;
    }
  if (!_cachet_composer_crypto_can_send (self))
    return;
  if (*gtk_entry_get_text (self->subject_entry) != '\0')
    {
      really_send (self);
      return;
    }

  dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Send without a subject?"));
  gtk_window_set_title (GTK_WINDOW (dialog), _("No Subject"));
  atk_object_set_name (gtk_widget_get_accessible (dialog), _("No Subject"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("A subject helps the recipients see what the "
                                              "message is about."));
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Add a Subject"), GTK_RESPONSE_CANCEL);
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Send Anyway"), GTK_RESPONSE_ACCEPT);
  g_signal_connect_object (dialog, "response", G_CALLBACK (no_subject_response_cb), self, 0);
  gtk_widget_show (dialog);
}

/* Set-up ------------------------------------------------------------------------------------- */

void
_cachet_composer_send_init (CachetComposer *self)
{
  g_signal_connect (self->saver, "saved", G_CALLBACK (saved_cb), self);
  g_signal_connect (self->saver, "failed", G_CALLBACK (failed_cb), self);
}

void
_cachet_composer_send_dispose (CachetComposer *self)
{
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  if (self->saver == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->saver, self);
  /* Destroyed without closing (the application quits): what changed is saved still. */
  if (self->dirty && !self->sent && !self->sending)
    {
      self->dirty = FALSE;
      _cachet_composer_push_fields (self);
      cachet_draft_saver_save_async (self->saver, NULL, NULL);
    }
}
