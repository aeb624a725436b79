/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-wizard"

#include "config.h"

#include <glib/gi18n.h>

#include "cachet-account-wizard-private.h"
#include "cachet-secrets.h"

/* Saving the account once both logins worked: the password into the keyring (once for
 * POP3, once for SMTP, under the account's id), then the account into the list, which
 * writes the accounts file.  When the keyring cannot be used the user chooses, as in the
 * account editor, between stopping here and using the password for this session only;
 * there is no file to fall back to. */

static const char *const protocols[] = { "pop3", "smtp" };

static CachetSecretKey
key_for (CachetAccount *account,
         guint          i)
{
  const CachetServerSettings *s = i == 0 ? cachet_account_get_pop3 (account)
                                         : cachet_account_get_smtp (account);
  CachetSecretKey key = { cachet_account_get_id (account), protocols[i], s->host, s->user };

  return key;
}

static void
clear_stored (CachetAccount *account,
              guint          n)
{
  for (guint i = 0; i < n && i < 2; i++)
    {
      CachetSecretKey key = key_for (account, i);

      if (key.host != NULL && key.user != NULL)
        cachet_secrets_clear_async (&key, 0, NULL, NULL, NULL);
    }
}

static void
fail (CachetAccountWizard *self,
      const char          *message)
{
  clear_stored (self->staged, self->secrets_done);
  self->saving = FALSE;
  self->secrets_done = 0;
  _cachet_account_wizard_saved (self, message);
}

static void
commit (CachetAccountWizard *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!cachet_account_list_add (self->accounts, self->staged, &error))
    {
      message = g_strdup_printf (_("The account could not be saved: %s"), error->message);
      fail (self, message);
      return;
    }
  self->saving = FALSE;
  g_set_object (&self->saved, self->staged);
  _cachet_account_wizard_saved (self, NULL);
}

static void store_next (CachetAccountWizard *self);

static void
keyring_response_cb (GtkDialog           *dialog,
                     int                  response,
                     CachetAccountWizard *self)
{
  const char *password = cachet_wizard_identity_page_get_password (self->identity_page);

  self->keyring_dialog = NULL;
  gtk_widget_destroy (GTK_WIDGET (dialog));
  if (!self->saving)
    return;
  if (response != GTK_RESPONSE_ACCEPT)
    {
      fail (self, _("Nothing was saved. Try again once the keyring works, or choose to use "
                    "the password for this session only."));
      return;
    }
  for (guint i = self->secrets_done; i < 2; i++)
    {
      CachetSecretKey key = key_for (self->staged, i);

      if (key.host != NULL && key.user != NULL)
        cachet_secrets_remember_for_session (&key, password);
    }
  self->secrets_done = 2;
  self->in_keyring = FALSE;
  commit (self);
}

static void
ask_keyring (CachetAccountWizard *self,
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
  g_autoptr(CachetAccountWizard) self = data;
  g_autoptr(GError) error = NULL;

  if (!cachet_secrets_store_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->saving)
        return;
      ask_keyring (self, error);
      return;
    }
  if (!self->saving)
    return;
  self->secrets_done++;
  store_next (self);
}

static void
store_next (CachetAccountWizard *self)
{
  while (self->secrets_done < 2)
    {
      CachetSecretKey key = key_for (self->staged, self->secrets_done);

      if (key.host != NULL && key.user != NULL)
        {
          const char *password = cachet_wizard_identity_page_get_password (self->identity_page);

          cachet_secrets_store_async (&key, password, 0, self->cancellable, store_done_cb,
                                      g_object_ref (self));
          return;
        }
      self->secrets_done++;   /* an SMTP server without login has no password */
    }
  commit (self);
}

void
_cachet_account_wizard_save (CachetAccountWizard *self)
{
  g_return_if_fail (self->staged != NULL);

  if (self->saving || self->saved != NULL)
    return;
  self->saving = TRUE;
  self->secrets_done = 0;
  self->in_keyring = TRUE;
  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  store_next (self);
}

void
_cachet_account_wizard_forget (CachetAccountWizard *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->keyring_dialog, gtk_widget_destroy);
  self->saving = FALSE;
}
