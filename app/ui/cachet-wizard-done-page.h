/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-account.h"

G_BEGIN_DECLS

#define CACHET_TYPE_WIZARD_DONE_PAGE (cachet_wizard_done_page_get_type ())
G_DECLARE_FINAL_TYPE (CachetWizardDonePage, cachet_wizard_done_page, CACHET, WIZARD_DONE_PAGE,
                      GtkBox)

/* The last page: the account is saved; where its password is, and whether its first
 * fetch started. */
GtkWidget *cachet_wizard_done_page_new         (void);
void       cachet_wizard_done_page_set_account (CachetWizardDonePage *self,
                                                CachetAccount        *account,
                                                gboolean              in_keyring,
                                                gboolean              fetching);

G_END_DECLS
