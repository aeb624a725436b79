/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-account.h"

G_BEGIN_DECLS

#define CACHET_TYPE_ACCOUNT_EDITOR (cachet_account_editor_get_type ())
G_DECLARE_FINAL_TYPE (CachetAccountEditor, cachet_account_editor, CACHET, ACCOUNT_EDITOR,
                      GtkDialog)

/* Adds an account to @accounts (@account NULL) or edits @account, which is in @accounts.
 * Saving checks the settings, stores the password in the keyring (or, when the keyring
 * fails and the user chooses so, for this session only), then adds or saves the account;
 * only then does the dialog respond GTK_RESPONSE_ACCEPT.  Any other response means nothing
 * was saved.  (GTK_RESPONSE_APPLY is the Save button asking; wait for ACCEPT.) */
GtkWidget     *cachet_account_editor_new         (GtkWindow           *parent,
                                                  CachetAccountList   *accounts,
                                                  CachetAccount       *account);
/* The account added or edited, after GTK_RESPONSE_ACCEPT; else NULL. */
CachetAccount *cachet_account_editor_get_account (CachetAccountEditor *self);

G_END_DECLS
