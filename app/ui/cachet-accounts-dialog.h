/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-account.h"

G_BEGIN_DECLS

#define CACHET_TYPE_ACCOUNTS_DIALOG (cachet_accounts_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CachetAccountsDialog, cachet_accounts_dialog, CACHET, ACCOUNTS_DIALOG,
                      GtkDialog)

/* The list of accounts, with Add, Edit and Remove (which asks whether to delete the
 * account's passwords from the keyring too). */
GtkWidget *cachet_accounts_dialog_new        (GtkWindow            *parent,
                                              CachetAccountList    *accounts);
/* Shows a problem above the list (such as an accounts file that could not be read). */
void       cachet_accounts_dialog_show_error (CachetAccountsDialog *self,
                                              const char           *message);

G_END_DECLS
