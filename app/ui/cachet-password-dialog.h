/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CACHET_TYPE_PASSWORD_DIALOG (cachet_password_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CachetPasswordDialog, cachet_password_dialog, CACHET, PASSWORD_DIALOG,
                      GtkDialog)

/* Asks for the password of @account_name (@user on @host) when the keyring could not give
 * it (@reason says why), to be kept in memory for this session only: GTK_RESPONSE_ACCEPT
 * when one was typed. */
GtkWidget  *cachet_password_dialog_new          (GtkWindow            *parent,
                                                 const char           *account_name,
                                                 const char           *user,
                                                 const char           *host,
                                                 const char           *reason);
/* The password typed (borrowed; wiped when the dialog goes). */
const char *cachet_password_dialog_get_password (CachetPasswordDialog *self);

G_END_DECLS
