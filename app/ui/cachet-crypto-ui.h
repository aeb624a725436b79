/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-application.h"
#include "cachet-crypto-mime.h"

G_BEGIN_DECLS

/* What the windows share about crypto. */

/* The plugins of the application that @widget's window belongs to, or NULL (none loaded,
 * or not in a CachetApplication).  Borrowed: the application keeps it while it runs. */
CachetCryptoRegistry *_cachet_crypto_ui_get_registry (GtkWidget *widget);

/* Declared here until cachet-application.h has it (then this line goes). */
CachetCryptoRegistry *cachet_application_get_crypto_registry (CachetApplication *self);

G_END_DECLS
