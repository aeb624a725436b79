/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-composer"

#include "config.h"

#include "cachet-composer.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-composer-private.h"
#include "cachet-privacy.h"

/* The window and its fields.  The fields are the truth while the window is open; the
 * draft (kept by the saver) gets them when it is saved or sent. */

G_DEFINE_FINAL_TYPE (CachetComposer, cachet_composer, GTK_TYPE_APPLICATION_WINDOW)

enum
{
  SIGNAL_SAVED,
  SIGNAL_SENT,
  SIGNAL_KEYS_CHECKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define SIGNATURE_SEPARATOR "-- \n"

/* The bar ------------------------------------------------------------------------------------ */

void
_cachet_composer_show_error (CachetComposer *self,
                             const char     *text)
{
  if (self->info_bar == NULL)
    return;
  gtk_info_bar_set_message_type (self->info_bar, GTK_MESSAGE_ERROR);
  gtk_label_set_text (self->info_label, text);
  gtk_info_bar_set_revealed (self->info_bar, TRUE);
}

static void
info_bar_response_cb (GtkInfoBar     *bar,
                      int             response,
                      CachetComposer *self)
{
  gtk_info_bar_set_revealed (bar, FALSE);
}

/* Text of the widgets -------------------------------------------------------------------- */

static char *
body_text (CachetComposer *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static char *
entry_text (GtkEntry *entry)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_entry_get_text (entry)));
  gsize len = strlen (text);

  /* "a@b, " left by the completion: the trailing separator is not an address. */
  while (len > 0 && (text[len - 1] == ',' || text[len - 1] == ';' || text[len - 1] == ' '))
    text[--len] = '\0';
  return g_steal_pointer (&text);
}

void
_cachet_composer_update_title (CachetComposer *self)
{
  const char *subject = gtk_entry_get_text (self->subject_entry);
  const char *title = *subject != '\0' ? subject : _("New Message");

  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_header_bar_set_title (self->header_bar, title);
}

/* Accounts: From, the signature and the privacy line ------------------------------------- */

static CachetAccount *
current_account (CachetComposer *self)
{
  if (self->account_id == NULL || self->accounts == NULL)
    return NULL;
  return cachet_account_list_find (self->accounts, self->account_id);
}

static char *
signature_block (CachetAccount *account)
{
  const char *signature = account != NULL ? cachet_account_get_signature (account) : NULL;

  if (signature == NULL || *signature == '\0')
    return NULL;
  return g_strconcat (SIGNATURE_SEPARATOR, signature, NULL);
}

/* Finds @block as the last occurrence in the buffer. */
static gboolean
find_block (GtkTextBuffer *buffer,
            const char    *block,
            GtkTextIter   *start,
            GtkTextIter   *end)
{
  GtkTextIter iter;

  gtk_text_buffer_get_end_iter (buffer, &iter);
  return gtk_text_iter_backward_search (&iter, block, GTK_TEXT_SEARCH_TEXT_ONLY, start, end,
                                        NULL);
}

/* The signature follows the account: the block put in before is replaced by the new
 * account's (or removed).  A block the user edited is theirs: it stays as it is. */
static void
swap_signature (CachetComposer *self,
                CachetAccount  *account)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  g_autofree char *block = signature_block (account);
  GtkTextIter start, end;

  if (g_strcmp0 (block, self->signature) == 0)
    return;
  if (self->signature != NULL)
    {
      if (!find_block (buffer, self->signature, &start, &end))
        return;
      /* The blank line before it goes with it. */
      if (block == NULL)
        {
          GtkTextIter before = start;
          g_autofree char *blank = NULL;

          if (gtk_text_iter_backward_chars (&before, 2)
              && g_str_equal ((blank = gtk_text_iter_get_text (&before, &start)), "\n\n"))
            start = before;
        }
      gtk_text_buffer_delete (buffer, &start, &end);
      if (block != NULL)
        gtk_text_buffer_insert (buffer, &start, block, -1);
    }
  else if (block != NULL)
    {
      g_autofree char *text = body_text (self);
      g_autofree char *insert = NULL;

      /* At the end, after a blank line. */
      if (*text == '\0')
        insert = g_strconcat ("\n\n", block, NULL);
      else if (g_str_has_suffix (text, "\n\n"))
        insert = g_strdup (block);
      else if (g_str_has_suffix (text, "\n"))
        insert = g_strconcat ("\n", block, NULL);
      else
        insert = g_strconcat ("\n\n", block, NULL);
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, insert, -1);
    }
  g_free (self->signature);
  self->signature = g_steal_pointer (&block);
}

static void
update_privacy (CachetComposer *self)
{
  _cachet_composer_update_privacy (self);
}

static void
fill_from_combo (CachetComposer *self)
{
  GPtrArray *all = self->accounts != NULL ? cachet_account_list_get_all (self->accounts) : NULL;
  gboolean filling = self->filling;
  gboolean found = FALSE;

  self->filling = TRUE;
  gtk_combo_box_text_remove_all (self->from_combo);
  for (guint i = 0; all != NULL && i < all->len; i++)
    {
      CachetAccount *account = g_ptr_array_index (all, i);
      const char *name = cachet_account_get_display_name (account);
      const char *address = cachet_account_get_address (account);
      g_autofree char *text = NULL;

      if (address == NULL)
        continue;
      if (name != NULL)
        /* Translators: an identity in From: display name, address, then the account */
        text = g_strdup_printf (_("%s <%s> (%s)"), name, address,
                                cachet_account_get_name (account));
      else
        text = g_strdup_printf (_("%s (%s)"), address, cachet_account_get_name (account));
      gtk_combo_box_text_append (self->from_combo, cachet_account_get_id (account), text);
      found |= g_strcmp0 (self->account_id, cachet_account_get_id (account)) == 0;
    }
  if (found)
    gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->from_combo), self->account_id);
  else
    gtk_combo_box_set_active (GTK_COMBO_BOX (self->from_combo), 0);
  self->filling = filling;

  if (gtk_combo_box_get_active (GTK_COMBO_BOX (self->from_combo)) < 0)
    {
      g_clear_pointer (&self->account_id, g_free);
      _cachet_composer_show_error (self, _("There is no account to send from. Add one "
                                           "with Accounts in the main menu."));
    }
  update_privacy (self);
}

static void
from_changed_cb (GtkComboBox    *combo,
                 CachetComposer *self)
{
  const char *id = gtk_combo_box_get_active_id (combo);

  if (id == NULL || g_strcmp0 (id, self->account_id) == 0)
    return;
  g_free (self->account_id);
  self->account_id = g_strdup (id);
  if (!self->filling)
    {
      swap_signature (self, current_account (self));
      _cachet_composer_changed (self);
    }
  update_privacy (self);
}

static void
accounts_changed_cb (CachetAccountList *accounts,
                     CachetComposer    *self)
{
  /* An account renamed, added or removed; its server settings may have changed too. */
  fill_from_combo (self);
}

/* Changes ------------------------------------------------------------------------------------ */

static void
field_changed_cb (GtkWidget      *widget,
                  CachetComposer *self)
{
  if (!self->filling)
    _cachet_composer_changed (self);
}

static void
body_changed_cb (GtkTextBuffer  *buffer,
                 CachetComposer *self)
{
  if (!self->filling)
    _cachet_composer_changed (self);
}

static void
subject_changed_cb (GtkEntry       *entry,
                    CachetComposer *self)
{
  _cachet_composer_update_title (self);
  field_changed_cb (GTK_WIDGET (entry), self);
}

static void
show_cc_bcc (CachetComposer *self,
             gboolean        show)
{
  gtk_widget_set_visible (self->cc_label, show);
  gtk_widget_set_visible (GTK_WIDGET (self->cc_entry), show);
  gtk_widget_set_visible (self->bcc_label, show);
  gtk_widget_set_visible (GTK_WIDGET (self->bcc_entry), show);
}

static void
cc_bcc_toggled_cb (GtkToggleButton *button,
                   CachetComposer  *self)
{
  gboolean show = gtk_toggle_button_get_active (button);

  show_cc_bcc (self, show);
  if (show)
    gtk_widget_grab_focus (GTK_WIDGET (self->cc_entry));
}

/* Fields <-> draft --------------------------------------------------------------------------- */

typedef struct
{
  char *account_id;
  char *from_name;
  char *from_address;
  char *to;
  char *cc;
  char *bcc;
  char *subject;
  char *body;
} Fields;

static void
fields_free (Fields *f)
{
  g_free (f->account_id);
  g_free (f->from_name);
  g_free (f->from_address);
  g_free (f->to);
  g_free (f->cc);
  g_free (f->bcc);
  g_free (f->subject);
  g_free (f->body);
  g_free (f);
}

static gboolean
apply_fields (CachetDraft *draft,
              gpointer     data,
              GError     **error)
{
  Fields *f = data;

  cachet_draft_set_account_id (draft, f->account_id);
  if (f->from_address != NULL)
    cachet_draft_set_from (draft, f->from_name, f->from_address);
  cachet_draft_set_to (draft, f->to);
  cachet_draft_set_cc (draft, f->cc);
  cachet_draft_set_bcc (draft, f->bcc);
  cachet_draft_set_subject (draft, f->subject);
  cachet_draft_set_body (draft, f->body);
  return TRUE;
}

void
_cachet_composer_push_fields (CachetComposer *self)
{
  Fields *f = g_new0 (Fields, 1);
  CachetAccount *account = current_account (self);

  f->account_id = g_strdup (self->account_id);
  if (account != NULL)
    {
      f->from_name = g_strdup (cachet_account_get_display_name (account));
      f->from_address = g_strdup (cachet_account_get_address (account));
    }
  f->to = entry_text (self->to_entry);
  f->cc = entry_text (self->cc_entry);
  f->bcc = entry_text (self->bcc_entry);
  f->subject = g_strdup (gtk_entry_get_text (self->subject_entry));
  f->body = body_text (self);
  cachet_draft_saver_edit (self->saver, apply_fields, f, (GDestroyNotify) fields_free);
  _cachet_composer_crypto_push (self);
}

static void
set_entry (GtkEntry   *entry,
           const char *text)
{
  gtk_entry_set_text (entry, text != NULL ? text : "");
}

/* The widgets from the draft, once, when the window opens. */
static void
fill_from_draft (CachetComposer *self,
                 CachetDraft    *draft,
                 gboolean        new_message)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  const char *body = cachet_draft_get_body (draft);
  GtkTextIter iter;
  gboolean has_cc_bcc;

  self->filling = TRUE;
  g_free (self->account_id);
  self->account_id = g_strdup (cachet_draft_get_account_id (draft));
  fill_from_combo (self);
  set_entry (self->to_entry, cachet_draft_get_to (draft));
  set_entry (self->cc_entry, cachet_draft_get_cc (draft));
  set_entry (self->bcc_entry, cachet_draft_get_bcc (draft));
  set_entry (self->subject_entry, cachet_draft_get_subject (draft));
  gtk_text_buffer_set_text (buffer, body != NULL ? body : "", -1);
  has_cc_bcc = *gtk_entry_get_text (self->cc_entry) != '\0'
               || *gtk_entry_get_text (self->bcc_entry) != '\0';
  gtk_toggle_button_set_active (self->cc_bcc_button, has_cc_bcc);
  show_cc_bcc (self, has_cc_bcc);

  /* A continued draft has its signature in its text already. */
  if (new_message)
    swap_signature (self, current_account (self));
  _cachet_composer_show_draft_attachments (self, draft);
  _cachet_composer_update_title (self);

  /* Where to start typing: the recipient first; in a reply, under the quote. */
  if (*gtk_entry_get_text (self->to_entry) == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->to_entry));
  else
    {
      gboolean reply = cachet_draft_get_subject (draft) != NULL
                       && g_ascii_strncasecmp (cachet_draft_get_subject (draft), "Re:", 3) == 0;
      GtkTextIter start, end;

      if (reply && self->signature != NULL && find_block (buffer, self->signature, &start, &end))
        iter = start;
      else if (reply)
        gtk_text_buffer_get_end_iter (buffer, &iter);
      else
        gtk_text_buffer_get_start_iter (buffer, &iter);
      gtk_text_buffer_place_cursor (buffer, &iter);
      gtk_widget_grab_focus (GTK_WIDGET (self->body_view));
    }
  self->filling = FALSE;
  self->dirty = FALSE;
}

/* Actions ------------------------------------------------------------------------------------ */

static void
send_cb (GSimpleAction *action,
         GVariant      *param,
         gpointer       user_data)
{
  _cachet_composer_send (user_data);
}

static void
save_draft_cb (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  _cachet_composer_save (user_data);
}

static void
attach_cb (GSimpleAction *action,
           GVariant      *param,
           gpointer       user_data)
{
  _cachet_composer_choose_files (user_data);
}

static void
close_cb (GSimpleAction *action,
          GVariant      *param,
          gpointer       user_data)
{
  CachetComposer *self = user_data;

  if (_cachet_composer_close (self))
    gtk_widget_destroy (GTK_WIDGET (self));
}

static void
discard_cb (GSimpleAction *action,
            GVariant      *param,
            gpointer       user_data)
{
  _cachet_composer_discard (user_data);
}

static gboolean
cachet_composer_delete_event (GtkWidget   *widget,
                              GdkEventAny *event)
{
  /* TRUE keeps the window: it goes once the draft is saved. */
  return !_cachet_composer_close (CACHET_COMPOSER (widget));
}

/* GObject ------------------------------------------------------------------------------------ */

static void
cachet_composer_dispose (GObject *object)
{
  CachetComposer *self = CACHET_COMPOSER (object);

  _cachet_composer_send_dispose (self);
  _cachet_composer_crypto_dispose (self);
  g_cancellable_cancel (self->cancellable);
  if (self->accounts != NULL)
    g_signal_handlers_disconnect_by_data (self->accounts, self);
  g_clear_object (&self->accounts);
  g_clear_object (&self->sender);

  G_OBJECT_CLASS (cachet_composer_parent_class)->dispose (object);
}

static void
cachet_composer_finalize (GObject *object)
{
  CachetComposer *self = CACHET_COMPOSER (object);

  g_clear_object (&self->saver);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_free (self->account_id);
  g_free (self->signature);

  G_OBJECT_CLASS (cachet_composer_parent_class)->finalize (object);
}

static void
cachet_composer_class_init (CachetComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_composer_dispose;
  object_class->finalize = cachet_composer_finalize;
  widget_class->delete_event = cachet_composer_delete_event;

  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SIGNAL_SENT] =
    g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SIGNAL_KEYS_CHECKED] =
    g_signal_new ("keys-checked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  g_type_ensure (CACHET_TYPE_PRIVACY_LINE);
  g_type_ensure (CACHET_TYPE_COMPOSER_ATTACHMENTS);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-composer.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CachetComposer, name)
  BIND (header_bar);
  BIND (info_bar);
  BIND (info_label);
  BIND (encrypt_button);
  BIND (sign_button);
  BIND (menu_button);
  BIND (from_combo);
  BIND (to_entry);
  BIND (cc_bcc_button);
  BIND (cc_label);
  BIND (cc_entry);
  BIND (bcc_label);
  BIND (bcc_entry);
  BIND (subject_entry);
  BIND (privacy_line);
  BIND (body_view);
  BIND (attachments);
  BIND (content_box);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, info_bar_response_cb);
  gtk_widget_class_bind_template_callback (widget_class, from_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, subject_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, cc_bcc_toggled_cb);
}

static void
cachet_composer_init (CachetComposer *self)
{
  const GActionEntry entries[] = {
    { "send", send_cb, NULL, NULL, NULL, { 0 } },
    { "save-draft", save_draft_cb, NULL, NULL, NULL, { 0 } },
    { "attach", attach_cb, NULL, NULL, NULL, { 0 } },
    { "close", close_cb, NULL, NULL, NULL, { 0 } },
    { "discard", discard_cb, NULL, NULL, NULL, { 0 } },
  };

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->autosave_ms = 30000;
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  _cachet_composer_crypto_init (self);
  g_signal_connect (gtk_text_view_get_buffer (self->body_view), "changed",
                    G_CALLBACK (body_changed_cb), self);
  show_cc_bcc (self, FALSE);
}

CachetComposer *
cachet_composer_new (GtkApplication    *app,
                     CachetStore       *store,
                     CachetAccountList *accounts,
                     CachetDraft       *draft,
                     gint64             draft_id)
{
  CachetComposer *self;

  g_return_val_if_fail (app == NULL || GTK_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (CACHET_IS_STORE (store), NULL);
  g_return_val_if_fail (accounts == NULL || CACHET_IS_ACCOUNT_LIST (accounts), NULL);

  self = g_object_new (CACHET_TYPE_COMPOSER, "application", app, NULL);
  self->store = g_object_ref (store);
  self->accounts = accounts != NULL ? g_object_ref (accounts) : NULL;
  if (self->accounts != NULL)
    g_signal_connect (self->accounts, "changed", G_CALLBACK (accounts_changed_cb), self);
  if (draft == NULL)
    draft = cachet_draft_new ();
  self->saver = cachet_draft_saver_new (store, draft, draft_id);

  cachet_address_completion_attach (self->to_entry, store);
  cachet_address_completion_attach (self->cc_entry, store);
  cachet_address_completion_attach (self->bcc_entry, store);
  _cachet_composer_attach_init (self);
  _cachet_composer_send_init (self);
  fill_from_draft (self, draft, draft_id == 0);
  return self;
}

void
cachet_composer_set_sender (CachetComposer *self,
                            CachetSender   *sender)
{
  g_return_if_fail (CACHET_IS_COMPOSER (self));
  g_return_if_fail (sender == NULL || CACHET_IS_SENDER (sender));

  g_set_object (&self->sender, sender);
}

void
cachet_composer_set_original (CachetComposer *self,
                              gint64          message_id,
                              CachetFlags     flag)
{
  g_return_if_fail (CACHET_IS_COMPOSER (self));

  self->original_id = message_id;
  self->original_flag = flag;
}

gint64
cachet_composer_get_draft_id (CachetComposer *self)
{
  g_return_val_if_fail (CACHET_IS_COMPOSER (self), 0);
  return cachet_draft_saver_get_draft_id (self->saver);
}

CachetDraft *
cachet_composer_sync_draft (CachetComposer *self)
{
  g_return_val_if_fail (CACHET_IS_COMPOSER (self), NULL);

  if (cachet_draft_saver_is_busy (self->saver))
    return NULL;
  _cachet_composer_push_fields (self);
  return cachet_draft_saver_peek_draft (self->saver);
}

void
_cachet_composer_emit_saved (CachetComposer *self,
                             gint64          id)
{
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, id);
}

void
_cachet_composer_emit_sent (CachetComposer *self,
                            gint64          id)
{
  g_signal_emit (self, signals[SIGNAL_SENT], 0, id);
}
