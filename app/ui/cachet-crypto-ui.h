/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-application.h"
#include "cachet-crypto-mime.h"

G_BEGIN_DECLS

/* What the windows share about crypto. */

/* The plugins of the application that @widget's window belongs to, or NULL (none loaded,
 * or not in a CachetApplication).  Borrowed: the application keeps it while it runs.
 * @loading (may be NULL) is set TRUE when there are none yet because the application is
 * still loading them: _cachet_crypto_ui_when_ready() then tells when they are there. */
CachetCryptoRegistry *_cachet_crypto_ui_get_registry (GtkWidget *widget,
                                                      gboolean  *loading);
/* Calls @callback (swapped: @widget is its first argument) each time the application of
 * @widget's window has loaded its plugins; disconnected when @widget goes.  Returns the
 * handler, or 0 when there is nothing to wait for. */
gulong                _cachet_crypto_ui_when_ready   (GtkWidget *widget,
                                                      GCallback  callback);

G_END_DECLS
