/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-tls.h"

G_BEGIN_DECLS

#define CACHET_TYPE_CERTIFICATE_DIALOG (cachet_certificate_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CachetCertificateDialog, cachet_certificate_dialog, CACHET,
                      CERTIFICATE_DIALOG, GtkDialog)

/* Shows why the certificate of @host (for the account @account_name) was refused, with its
 * fingerprint, and offers to trust it for that account: GTK_RESPONSE_ACCEPT means the user
 * chose to (the caller pins check->sha256_hex), anything else that they did not.  Cancel is
 * the default. */
GtkWidget  *cachet_certificate_dialog_new             (GtkWindow            *parent,
                                                       const char           *account_name,
                                                       const char           *host,
                                                       const CachetTlsCheck *check);
const char *cachet_certificate_dialog_get_fingerprint (CachetCertificateDialog *self);

/* "ab:cd:..." in upper case pairs, as certificate viewers show it. */
char       *cachet_format_fingerprint                 (const char           *sha256_hex);

G_END_DECLS
