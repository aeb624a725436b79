/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-accounts-dialog"

#include "config.h"

#include "cachet-accounts-dialog.h"

#include <glib/gi18n.h>

#include "cachet-account-editor.h"
#include "cachet-account-wizard.h"
#include "cachet-accounts-dialog-private.h"
#include "cachet-secrets.h"

G_DEFINE_FINAL_TYPE (CachetAccountsDialog, cachet_accounts_dialog, GTK_TYPE_DIALOG)

/* Rows --------------------------------------------------------------------------------------- */

static const char *
security_words (CachetSecurity security)
{
  switch (security)
    {
    case CACHET_SECURITY_TLS:
      return _("TLS");
    case CACHET_SECURITY_STARTTLS:
      return _("STARTTLS");
    case CACHET_SECURITY_PLAIN:
    default:
      return _("not encrypted");
    }
}

static char *
describe_server (const char                 *protocol,
                 const CachetServerSettings *s)
{
  g_autofree char *where = s->host ? cachet_format_host_port (s->host, s->port) : g_strdup ("—");

  /* TRANSLATORS: "POP3 pop.example.com:995 (TLS)" */
  return g_strdup_printf (_("%s %s (%s)"), protocol, where, security_words (s->security));
}

CachetAccount *
_cachet_accounts_dialog_row_account (GtkListBoxRow *row)
{
  return g_object_get_data (G_OBJECT (row), "cachet-account");
}

static GtkWidget *
make_row (CachetAccount *account)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (cachet_account_get_name (account));
  g_autofree char *pop3 = describe_server ("POP3", cachet_account_get_pop3 (account));
  g_autofree char *smtp = describe_server ("SMTP", cachet_account_get_smtp (account));
  g_autofree char *text = g_strdup_printf ("%s\n%s · %s",
                                           cachet_account_get_address (account)
                                           ? cachet_account_get_address (account) : "",
                                           pop3, smtp);
  GtkWidget *details = gtk_label_new (text);
  PangoAttrList *bold = pango_attr_list_new ();

  pango_attr_list_insert (bold, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  gtk_label_set_attributes (GTK_LABEL (name), bold);
  pango_attr_list_unref (bold);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (details), 0);
  gtk_label_set_ellipsize (GTK_LABEL (details), PANGO_ELLIPSIZE_END);
  gtk_style_context_add_class (gtk_widget_get_style_context (details), "dim-label");
  gtk_container_add (GTK_CONTAINER (box), name);
  gtk_container_add (GTK_CONTAINER (box), details);
  g_object_set (box, "margin", 8, NULL);
  gtk_container_add (GTK_CONTAINER (row), box);
  g_object_set_data_full (G_OBJECT (row), "cachet-account", g_object_ref (account),
                          g_object_unref);
  atk_object_set_name (gtk_widget_get_accessible (row), cachet_account_get_name (account));
  gtk_widget_show_all (row);
  return row;
}

static CachetAccount *
selected_account (CachetAccountsDialog *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->list_box);

  return row != NULL ? _cachet_accounts_dialog_row_account (row) : NULL;
}

static void
update_buttons (CachetAccountsDialog *self)
{
  gboolean selected = selected_account (self) != NULL;

  gtk_widget_set_sensitive (self->edit_button, selected && !self->removing);
  gtk_widget_set_sensitive (self->remove_button, selected && !self->removing);
}

static void
refill (CachetAccountsDialog *self)
{
  g_autoptr(GList) rows = gtk_container_get_children (GTK_CONTAINER (self->list_box));
  g_autoptr(CachetAccount) selected = NULL;
  GPtrArray *all = cachet_account_list_get_all (self->accounts);

  if (selected_account (self) != NULL)
    selected = g_object_ref (selected_account (self));
  for (GList *l = rows; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);
  for (guint i = 0; i < all->len; i++)
    {
      CachetAccount *account = g_ptr_array_index (all, i);
      GtkWidget *row = make_row (account);

      gtk_container_add (GTK_CONTAINER (self->list_box), row);
      if (account == selected)
        gtk_list_box_select_row (self->list_box, GTK_LIST_BOX_ROW (row));
    }
  update_buttons (self);
}

static void
accounts_changed_cb (CachetAccountList    *accounts,
                     CachetAccountsDialog *self)
{
  refill (self);
}

static void
select_account (CachetAccountsDialog *self,
                CachetAccount        *account)
{
  g_autoptr(GList) rows = gtk_container_get_children (GTK_CONTAINER (self->list_box));

  for (GList *l = rows; l != NULL; l = l->next)
    if (_cachet_accounts_dialog_row_account (l->data) == account)
      gtk_list_box_select_row (self->list_box, l->data);
}

/* Add and edit --------------------------------------------------------------------------------- */

static void
editor_response_cb (GtkDialog            *editor,
                    int                   response,
                    CachetAccountsDialog *self)
{
  CachetAccount *saved;

  if (response == GTK_RESPONSE_APPLY)
    return;   /* the editor is saving; it answers ACCEPT when done */
  saved = cachet_account_editor_get_account (CACHET_ACCOUNT_EDITOR (editor));
  if (response == GTK_RESPONSE_ACCEPT && saved != NULL)
    select_account (self, saved);
  self->editor = NULL;
  gtk_widget_destroy (GTK_WIDGET (editor));
}

static void
open_editor (CachetAccountsDialog *self,
             CachetAccount        *account)
{
  if (self->editor != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->editor));
      return;
    }
  self->editor = cachet_account_editor_new (GTK_WINDOW (self), self->accounts, account);
  g_signal_connect_object (self->editor, "response", G_CALLBACK (editor_response_cb), self, 0);
  gtk_widget_show (self->editor);
}

static void
wizard_added_cb (CachetAccountWizard  *wizard,
                 CachetAccount        *account,
                 CachetAccountsDialog *self)
{
  select_account (self, account);
}

static void
add_clicked_cb (GtkButton            *button,
                CachetAccountsDialog *self)
{
  if (self->wizard != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->wizard));
      return;
    }
  self->wizard = cachet_account_wizard_new (GTK_WINDOW (self), self->accounts, NULL);
  g_object_add_weak_pointer (G_OBJECT (self->wizard), (gpointer *) &self->wizard);
  g_signal_connect_object (self->wizard, "account-added", G_CALLBACK (wizard_added_cb), self, 0);
  gtk_window_present (GTK_WINDOW (self->wizard));
}

static void
manual_clicked_cb (GtkButton            *button,
                   CachetAccountsDialog *self)
{
  open_editor (self, NULL);
}

static void
edit_clicked_cb (GtkButton            *button,
                 CachetAccountsDialog *self)
{
  if (selected_account (self) != NULL)
    open_editor (self, selected_account (self));
}

static void
row_activated_cb (GtkListBox           *box,
                  GtkListBoxRow        *row,
                  CachetAccountsDialog *self)
{
  open_editor (self, _cachet_accounts_dialog_row_account (row));
}

static void
row_selected_cb (GtkListBox           *box,
                 GtkListBoxRow        *row,
                 CachetAccountsDialog *self)
{
  update_buttons (self);
}

static void
info_bar_response_cb (GtkInfoBar           *bar,
                      int                   response,
                      CachetAccountsDialog *self)
{
  gtk_widget_hide (GTK_WIDGET (bar));
}

/* Remove --------------------------------------------------------------------------------------- */

typedef struct
{
  CachetAccountsDialog *self;     /* a reference */
  CachetAccount        *account;
  guint                 next;     /* 0: POP3, 1: SMTP, 2: done */
} RemoveJob;

static void
remove_job_free (RemoveJob *job)
{
  g_object_unref (job->self);
  g_object_unref (job->account);
  g_free (job);
}

static void
remove_now (CachetAccountsDialog *self,
            CachetAccount        *account)
{
  g_autoptr(GError) error = NULL;

  if (!cachet_account_list_remove (self->accounts, account, &error))
    cachet_accounts_dialog_show_error (self, error->message);
}

static void clear_next (RemoveJob *job);

static void
clear_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  RemoveJob *job = data;
  CachetAccountsDialog *self = job->self;
  g_autoptr(GError) error = NULL;

  if (!cachet_secrets_clear_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* The dialog went away. */
          remove_job_free (job);
          return;
        }
        {
          g_autofree char *message =
            g_strdup_printf (_("The password of “%s” could not be deleted from the keyring: "
                               "%s The account was kept. To remove it anyway, remove it again "
                               "and leave the password in the keyring."),
                             cachet_account_get_name (job->account), error->message);
          cachet_accounts_dialog_show_error (self, message);
        }
      self->removing = FALSE;
      update_buttons (self);
      remove_job_free (job);
      return;
    }
  clear_next (job);
}

static void
clear_next (RemoveJob *job)
{
  CachetAccountsDialog *self = job->self;

  while (job->next < 2)
    {
      const char *protocol = job->next == 0 ? "pop3" : "smtp";
      const CachetServerSettings *s = job->next == 0 ? cachet_account_get_pop3 (job->account)
                                                     : cachet_account_get_smtp (job->account);
      CachetSecretKey key = { cachet_account_get_id (job->account), protocol, s->host, s->user };

      job->next++;
      if (key.host != NULL && key.user != NULL)
        {
          cachet_secrets_clear_async (&key, 0, self->cancellable, clear_done_cb, job);
          return;
        }
    }
  self->removing = FALSE;
  remove_now (self, job->account);
  update_buttons (self);
  remove_job_free (job);
}

static void
remove_response_cb (GtkDialog            *dialog,
                    int                   response,
                    CachetAccountsDialog *self)
{
  g_autoptr(CachetAccount) account = g_object_ref (g_object_get_data (G_OBJECT (dialog),
                                                                      "cachet-account"));
  gboolean keyring = gtk_toggle_button_get_active (self->remove_keyring_check);

  self->remove_dialog = NULL;
  self->remove_keyring_check = NULL;
  gtk_widget_destroy (GTK_WIDGET (dialog));
  if (response != GTK_RESPONSE_ACCEPT)
    return;

  if (keyring)
    {
      RemoveJob *job = g_new0 (RemoveJob, 1);

      job->self = g_object_ref (self);
      job->account = g_object_ref (account);
      self->removing = TRUE;
      update_buttons (self);
      clear_next (job);
    }
  else
    remove_now (self, account);
}

static void
remove_clicked_cb (GtkButton            *button,
                   CachetAccountsDialog *self)
{
  CachetAccount *account = selected_account (self);
  GtkWidget *dialog, *check, *action;

  if (account == NULL || self->remove_dialog != NULL)
    return;
  dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Remove the account “%s”?"),
                                   cachet_account_get_name (account));
  gtk_window_set_title (GTK_WINDOW (dialog), _("Remove Account"));
  atk_object_set_name (gtk_widget_get_accessible (dialog), _("Remove Account"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s",
                                            _("Mail already fetched stays in your folders."));
  check = gtk_check_button_new_with_mnemonic (_("Also _delete its password from the keyring"));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (check), TRUE);
  atk_object_set_name (gtk_widget_get_accessible (check),
                       _("Also delete its password from the keyring"));
  gtk_widget_show (check);
  gtk_container_add (GTK_CONTAINER (gtk_message_dialog_get_message_area (GTK_MESSAGE_DIALOG (dialog))),
                     check);
  action = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  atk_object_set_name (gtk_widget_get_accessible (action), _("Cancel"));
  action = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Remove"), GTK_RESPONSE_ACCEPT);
  gtk_style_context_add_class (gtk_widget_get_style_context (action), "destructive-action");
  atk_object_set_name (gtk_widget_get_accessible (action), _("Remove"));
  g_object_set_data_full (G_OBJECT (dialog), "cachet-account", g_object_ref (account),
                          g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  self->remove_dialog = dialog;
  self->remove_keyring_check = GTK_TOGGLE_BUTTON (check);
  gtk_widget_show (dialog);
}

/* GObject -------------------------------------------------------------------------------------- */

static void
cachet_accounts_dialog_dispose (GObject *object)
{
  CachetAccountsDialog *self = CACHET_ACCOUNTS_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->editor, gtk_widget_destroy);
  if (self->wizard != NULL)
    gtk_widget_destroy (self->wizard);   /* clears the weak pointer */
  g_clear_pointer (&self->remove_dialog, gtk_widget_destroy);
  if (self->accounts != NULL)
    g_signal_handlers_disconnect_by_data (self->accounts, self);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (cachet_accounts_dialog_parent_class)->dispose (object);
}

static void
cachet_accounts_dialog_class_init (CachetAccountsDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = cachet_accounts_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-accounts-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetAccountsDialog, info_bar);
  gtk_widget_class_bind_template_child (widget_class, CachetAccountsDialog, info_label);
  gtk_widget_class_bind_template_child (widget_class, CachetAccountsDialog, list_box);
  gtk_widget_class_bind_template_child (widget_class, CachetAccountsDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, CachetAccountsDialog, manual_button);
  gtk_widget_class_bind_template_child (widget_class, CachetAccountsDialog, edit_button);
  gtk_widget_class_bind_template_child (widget_class, CachetAccountsDialog, remove_button);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, manual_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, edit_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, info_bar_response_cb);
}

static void
cachet_accounts_dialog_init (CachetAccountsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
cachet_accounts_dialog_new (GtkWindow         *parent,
                            CachetAccountList *accounts)
{
  CachetAccountsDialog *self;

  g_return_val_if_fail (CACHET_IS_ACCOUNT_LIST (accounts), NULL);

  self = g_object_new (CACHET_TYPE_ACCOUNTS_DIALOG,
                       "use-header-bar", TRUE,
                       "transient-for", parent,
                       "title", _("Accounts"),
                       NULL);
  atk_object_set_name (gtk_widget_get_accessible (GTK_WIDGET (self)), _("Accounts"));
  self->accounts = g_object_ref (accounts);
  g_signal_connect (accounts, "changed", G_CALLBACK (accounts_changed_cb), self);
  refill (self);
  return GTK_WIDGET (self);
}

void
cachet_accounts_dialog_show_error (CachetAccountsDialog *self,
                                   const char           *message)
{
  g_return_if_fail (CACHET_IS_ACCOUNTS_DIALOG (self));

  gtk_label_set_text (self->info_label, message);
  gtk_widget_show (GTK_WIDGET (self->info_bar));
}
