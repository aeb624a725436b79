/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-account.h"
#include "cachet-isp-profile.h"

G_BEGIN_DECLS

#define CACHET_TYPE_ACCOUNT_WIZARD (cachet_account_wizard_get_type ())
G_DECLARE_FINAL_TYPE (CachetAccountWizard, cachet_account_wizard, CACHET, ACCOUNT_WIZARD,
                      GtkAssistant)

/* The account setup wizard (DESIGN.md, "Account discovery"): name, address and password;
 * the servers looked for, step by step; the settings found shown with their source,
 * editable (typing them is the same page); a real login to both servers; then the account
 * is added to @accounts, its password stored in the keyring, and the first fetch started
 * in the main window.  Nothing is saved before both logins worked, and the password goes
 * to no server before the user has seen the settings.
 *
 * @profile: a profile the user opened (`cachet --import-profile FILE`), used for the
 * domains it names; may be NULL.  The wizard destroys itself when closed or cancelled;
 * "account-added" (CachetAccount *) is emitted once the account is saved. */
GtkWidget     *cachet_account_wizard_new         (GtkWindow           *parent,
                                                  CachetAccountList   *accounts,
                                                  CachetIspProfile    *profile);
/* The account added, once saved; else NULL. */
CachetAccount *cachet_account_wizard_get_account (CachetAccountWizard *self);

G_END_DECLS
