/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-wizard"

#include "config.h"

#include "cachet-wizard-done-page.h"

#include <glib/gi18n.h>

#include "cachet-account-wizard-private.h"

G_DEFINE_FINAL_TYPE (CachetWizardDonePage, cachet_wizard_done_page, GTK_TYPE_BOX)

static void
cachet_wizard_done_page_class_init (CachetWizardDonePageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-wizard-done-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetWizardDonePage, summary_label);
}

static void
cachet_wizard_done_page_init (CachetWizardDonePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cachet_wizard_done_page_new (void)
{
  return g_object_new (CACHET_TYPE_WIZARD_DONE_PAGE, NULL);
}

void
cachet_wizard_done_page_set_account (CachetWizardDonePage *self,
                                     CachetAccount        *account,
                                     gboolean              in_keyring,
                                     gboolean              fetching)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_if_fail (CACHET_IS_WIZARD_DONE_PAGE (self));
  g_return_if_fail (CACHET_IS_ACCOUNT (account));

  /* Translators: %s is the account's address */
  g_string_append_printf (text, _("%s is set up."), cachet_account_get_address (account));
  g_string_append_c (text, ' ');
  g_string_append (text, in_keyring ? _("Its password is in your keyring.")
                                    : _("Its password is kept only until Cachet closes."));
  g_string_append_c (text, ' ');
  g_string_append (text, fetching ? _("Cachet is getting your mail now: it arrives in the Inbox.")
                                  : _("Use Get Mail in the main window to fetch your mail."));
  gtk_label_set_text (self->summary_label, text->str);
}
