/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-password-dialog"

#include "config.h"

#include "cachet-password-dialog.h"

#include <glib/gi18n.h>

struct _CachetPasswordDialog
{
  GtkDialog  parent_instance;

  /* template */
  GtkLabel  *heading_label;
  GtkLabel  *reason_label;
  GtkEntry  *password_entry;
  GtkWidget *accept_button;
};

G_DEFINE_FINAL_TYPE (CachetPasswordDialog, cachet_password_dialog, GTK_TYPE_DIALOG)

static void
password_changed_cb (GtkEntry             *entry,
                     CachetPasswordDialog *self)
{
  gtk_widget_set_sensitive (self->accept_button, gtk_entry_get_text_length (entry) > 0);
}

static void
cachet_password_dialog_class_init (CachetPasswordDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-password-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetPasswordDialog, heading_label);
  gtk_widget_class_bind_template_child (widget_class, CachetPasswordDialog, reason_label);
  gtk_widget_class_bind_template_child (widget_class, CachetPasswordDialog, password_entry);
  gtk_widget_class_bind_template_child (widget_class, CachetPasswordDialog, accept_button);
  gtk_widget_class_bind_template_callback (widget_class, password_changed_cb);
}

static void
cachet_password_dialog_init (CachetPasswordDialog *self)
{
  /* GtkEntryBuffer zeroes the text it frees or replaces. */
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cachet_password_dialog_new (GtkWindow  *parent,
                            const char *account_name,
                            const char *user,
                            const char *host,
                            const char *reason)
{
  CachetPasswordDialog *self;
  g_autofree char *heading = NULL;
  g_autofree char *text = NULL;

  self = g_object_new (CACHET_TYPE_PASSWORD_DIALOG, "transient-for", parent, NULL);
  /* Translators: "Password for Alice" */
  heading = g_strdup_printf (_("Password for %s"), account_name);
  /* Translators: the first %s is why the keyring failed, then user name and server. */
  text = g_strdup_printf (_("Cachet could not get the password from the keyring: %s\n\n"
                            "Type the password of %s on %s to use it until Cachet closes. "
                            "It is not saved anywhere."), reason, user, host);
  gtk_label_set_text (self->heading_label, heading);
  gtk_label_set_text (self->reason_label, text);
  gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
  return GTK_WIDGET (self);
}

const char *
cachet_password_dialog_get_password (CachetPasswordDialog *self)
{
  g_return_val_if_fail (CACHET_IS_PASSWORD_DIALOG (self), NULL);
  return gtk_entry_get_text (self->password_entry);
}
