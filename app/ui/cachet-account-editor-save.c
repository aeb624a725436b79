/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-account-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-account-editor-private.h"
#include "cachet-secrets.h"

/* Saving an account: check the form, store the passwords in the keyring (asynchronously,
 * with the keyring's timeout), then add or save the account.  When the keyring cannot be
 * used, the user chooses between going back and using the password for this session only;
 * there is no fallback to a file.  Passwords are copied out of the entries once, wiped
 * after use, and the entries are emptied. */

typedef struct
{
  char *account_id;
  char *protocol;
  char *host;
  char *user;
  char *password;   /* NULL for a keyring entry to remove */
} PendingSecret;

static void
pending_secret_free (PendingSecret *p)
{
  if (p->password != NULL)
    {
      explicit_bzero (p->password, strlen (p->password));
      g_free (p->password);
    }
  g_free (p->account_id);
  g_free (p->protocol);
  g_free (p->host);
  g_free (p->user);
  g_free (p);
}

static PendingSecret *
pending_secret_new (CachetAccount *account,
                    const char    *protocol,
                    const char    *password)
{
  const CachetServerSettings *s = g_str_equal (protocol, "smtp")
                                  ? cachet_account_get_smtp (account)
                                  : cachet_account_get_pop3 (account);
  PendingSecret *p = g_new0 (PendingSecret, 1);

  p->account_id = g_strdup (cachet_account_get_id (account));
  p->protocol = g_strdup (protocol);
  p->host = g_strdup (s->host);
  p->user = g_strdup (s->user);
  p->password = g_strdup (password);
  return p;
}

static CachetSecretKey
key_of (PendingSecret *p)
{
  CachetSecretKey key = { p->account_id, p->protocol, p->host, p->user };

  return key;
}

static gboolean
same_key (CachetAccount *a,
          CachetAccount *b,
          gboolean       smtp)
{
  const CachetServerSettings *sa = smtp ? cachet_account_get_smtp (a) : cachet_account_get_pop3 (a);
  const CachetServerSettings *sb = smtp ? cachet_account_get_smtp (b) : cachet_account_get_pop3 (b);

  return g_strcmp0 (sa->host, sb->host) == 0 && g_strcmp0 (sa->user, sb->user) == 0;
}

static void
set_busy (CachetAccountEditor *self,
          gboolean             busy)
{
  gtk_widget_set_sensitive (self->save_button, !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->stack), !busy);
}

/* Removes keyring entries in the background; a failure only leaves an unused entry. */
static void
clear_in_background (GPtrArray *secrets,
                     guint      from,
                     guint      to)
{
  for (guint i = from; i < to && i < secrets->len; i++)
    {
      CachetSecretKey key = key_of (g_ptr_array_index (secrets, i));

      if (key.host != NULL && key.user != NULL)
        cachet_secrets_clear_async (&key, 0, NULL, NULL, NULL);
    }
}

static void
end_saving (CachetAccountEditor *self)
{
  g_clear_pointer (&self->secrets, g_ptr_array_unref);
  g_clear_pointer (&self->stale_keys, g_ptr_array_unref);
  g_clear_object (&self->staged);
  self->secrets_done = 0;
  set_busy (self, FALSE);
}

static void
fail (CachetAccountEditor *self,
      const char          *message)
{
  /* A new account that is not added leaves nothing in the keyring either. */
  if (self->account == NULL && self->secrets != NULL)
    clear_in_background (self->secrets, 0, self->secrets_done);
  end_saving (self);
  _cachet_account_editor_show_error (self, message);
}

static void
commit (CachetAccountEditor *self)
{
  g_autoptr(GError) error = NULL;

  if (self->account == NULL)
    {
      if (!cachet_account_list_add (self->accounts, self->staged, &error))
        {
          fail (self, error->message);
          return;
        }
      self->saved = g_object_ref (self->staged);
    }
  else
    {
      g_autoptr(CachetAccount) before = cachet_account_dup (self->account);

      cachet_account_update_from (self->account, self->staged);
      if (!cachet_account_list_save (self->accounts, &error))
        {
          cachet_account_update_from (self->account, before);
          fail (self, error->message);
          return;
        }
      self->saved = g_object_ref (self->account);
    }

  /* The entries of a server or user that changed are of no use any more. */
  if (self->stale_keys != NULL)
    clear_in_background (self->stale_keys, 0, self->stale_keys->len);
  end_saving (self);
  gtk_entry_set_text (self->password_entry, "");
  gtk_entry_set_text (self->smtp_password_entry, "");
  gtk_dialog_response (GTK_DIALOG (self), GTK_RESPONSE_ACCEPT);
}

static void store_next (CachetAccountEditor *self);

static void
keyring_response_cb (GtkDialog *dialog,
                     int        response,
                     gpointer   data)
{
  CachetAccountEditor *self = data;

  self->keyring_dialog = NULL;
  gtk_widget_destroy (GTK_WIDGET (dialog));
  if (self->secrets == NULL)
    return;
  if (response != GTK_RESPONSE_ACCEPT)
    {
      fail (self, _("Nothing was saved. Try again once the keyring works, or choose to use "
                    "the password for this session only."));
      return;
    }
  for (guint i = self->secrets_done; i < self->secrets->len; i++)
    {
      PendingSecret *p = g_ptr_array_index (self->secrets, i);
      CachetSecretKey key = key_of (p);

      cachet_secrets_remember_for_session (&key, p->password);
    }
  self->secrets_done = self->secrets->len;
  commit (self);
}

static void
ask_keyring (CachetAccountEditor *self,
             const GError        *error)
{
  GtkWidget *dialog, *button;

  dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE, "%s",
                                   _("The password cannot be kept in the keyring"));
  gtk_window_set_title (GTK_WINDOW (dialog), _("Keyring Unavailable"));
  atk_object_set_name (gtk_widget_get_accessible (dialog), _("Keyring Unavailable"));
  gtk_message_dialog_format_secondary_text (
    GTK_MESSAGE_DIALOG (dialog), "%s\n\n%s", error->message,
    _("Cachet can use it for this session only: it stays in memory until you quit, is never "
      "written to a file, and is asked for again next time."));
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Back"), GTK_RESPONSE_CANCEL);
  atk_object_set_name (gtk_widget_get_accessible (button), _("Back"));
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("Use for This _Session Only"),
                                  GTK_RESPONSE_ACCEPT);
  atk_object_set_name (gtk_widget_get_accessible (button), _("Use for this session only"));
  g_signal_connect (dialog, "response", G_CALLBACK (keyring_response_cb), self);
  self->keyring_dialog = dialog;
  gtk_widget_show (dialog);
}

static void
store_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(CachetAccountEditor) self = data;
  g_autoptr(GError) error = NULL;

  if (!cachet_secrets_store_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->secrets == NULL)
        return;
      ask_keyring (self, error);
      return;
    }
  if (self->secrets == NULL)
    return;
  self->secrets_done++;
  store_next (self);
}

static void
store_next (CachetAccountEditor *self)
{
  PendingSecret *p;
  CachetSecretKey key;

  if (self->secrets_done == self->secrets->len)
    {
      commit (self);
      return;
    }
  p = g_ptr_array_index (self->secrets, self->secrets_done);
  key = key_of (p);
  cachet_secrets_store_async (&key, p->password, 0, self->cancellable, store_done_cb,
                              g_object_ref (self));
}

static gboolean
name_taken (CachetAccountEditor *self,
            const char          *name)
{
  GPtrArray *all = cachet_account_list_get_all (self->accounts);
  g_autofree char *folded = g_utf8_casefold (name, -1);

  for (guint i = 0; i < all->len; i++)
    {
      CachetAccount *other = g_ptr_array_index (all, i);
      g_autofree char *other_folded = NULL;

      if (other == self->account || cachet_account_get_name (other) == NULL)
        continue;
      other_folded = g_utf8_casefold (cachet_account_get_name (other), -1);
      if (g_str_equal (folded, other_folded))
        return TRUE;
    }
  return FALSE;
}

/* Which page holds the setting a message is about, so that it can be shown. */
static void
show_page_for (CachetAccountEditor *self,
               const char          *message)
{
  const char *page = "account";

  /* The messages name the protocol of the server they are about (in every language). */
  if (strstr (message, "POP3") != NULL)
    page = "incoming";
  else if (strstr (message, "SMTP") != NULL)
    page = "outgoing";
  gtk_stack_set_visible_child_name (self->stack, page);
}

void
_cachet_account_editor_save (CachetAccountEditor *self)
{
  g_autoptr(CachetAccount) staged = NULL;
  g_autoptr(GPtrArray) secrets = NULL;
  g_autoptr(GPtrArray) stale = NULL;
  g_autoptr(GError) error = NULL;
  const char *password, *smtp_password;
  gboolean own;

  if (self->secrets != NULL)
    return;   /* saving already */

  staged = _cachet_account_editor_read_form (self);
  if (!cachet_account_validate (staged, &error))
    {
      show_page_for (self, error->message);
      _cachet_account_editor_show_error (self, error->message);
      return;
    }
  if (name_taken (self, cachet_account_get_name (staged)))
    {
      g_autofree char *message =
        g_strdup_printf (_("There is an account called “%s” already: choose another name."),
                         cachet_account_get_name (staged));
      gtk_stack_set_visible_child_name (self->stack, "account");
      _cachet_account_editor_show_error (self, message);
      return;
    }

  secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_secret_free);
  stale = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_secret_free);
  password = gtk_entry_get_text (self->password_entry);
  own = gtk_widget_get_sensitive (GTK_WIDGET (self->smtp_password_entry))
        && gtk_toggle_button_get_active (self->smtp_own_password_check);
  smtp_password = own ? gtk_entry_get_text (self->smtp_password_entry) : password;

  if (password[0] != '\0')
    g_ptr_array_add (secrets, pending_secret_new (staged, "pop3", password));
  else if (self->account != NULL && !same_key (self->account, staged, FALSE))
    {
      gtk_stack_set_visible_child_name (self->stack, "account");
      _cachet_account_editor_show_error (self, _("The incoming server or user name changed: "
                                                 "type the password again."));
      return;
    }
  if (cachet_account_get_smtp (staged)->user != NULL)
    {
      if (smtp_password[0] != '\0')
        g_ptr_array_add (secrets, pending_secret_new (staged, "smtp", smtp_password));
      else if (self->account != NULL && !same_key (self->account, staged, TRUE))
        {
          gtk_stack_set_visible_child_name (self->stack, own ? "outgoing" : "account");
          _cachet_account_editor_show_error (self, _("The outgoing server or user name "
                                                     "changed: type the password again."));
          return;
        }
    }
  if (self->account != NULL)
    {
      const CachetServerSettings *old_smtp = cachet_account_get_smtp (self->account);

      if (!same_key (self->account, staged, FALSE))
        g_ptr_array_add (stale, pending_secret_new (self->account, "pop3", NULL));
      if (old_smtp->user != NULL && !same_key (self->account, staged, TRUE))
        g_ptr_array_add (stale, pending_secret_new (self->account, "smtp", NULL));
    }

  gtk_widget_hide (GTK_WIDGET (self->info_bar));
  self->staged = g_steal_pointer (&staged);
  self->secrets = g_steal_pointer (&secrets);
  self->stale_keys = g_steal_pointer (&stale);
  self->secrets_done = 0;
  set_busy (self, TRUE);
  store_next (self);
}

void
_cachet_account_editor_forget (CachetAccountEditor *self)
{
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
    }
  g_clear_pointer (&self->keyring_dialog, gtk_widget_destroy);
  if (self->secrets != NULL)
    end_saving (self);
}
