/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-crypto-registry.h"

G_BEGIN_DECLS

#define CACHET_TYPE_PREFERENCES_WINDOW (cachet_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (CachetPreferencesWindow, cachet_preferences_window, CACHET,
                      PREFERENCES_WINDOW, GtkWindow)

/* The Preferences window.  Its "Plugins" page lists every crypto plugin
 * file found, with its state, its info and, for a plugin in the user's own
 * folder, a switch that turns it on (written to SETTINGS' enabled-plugins
 * as "ID=SHA256"; it is checked and loaded at once).  SETTINGS may be NULL
 * (no schema installed: the switches cannot be used). */
GtkWidget *cachet_preferences_window_new (GtkWindow *parent,
                                          GSettings *settings);

/* What the Plugins page shows: REGISTRY's entries (borrowed; it must
 * outlive the window), or, when REGISTRY is NULL, that Cachet runs in safe
 * mode (SAFE_MODE) or is still looking for plugins. */
void cachet_preferences_window_set_plugins (CachetPreferencesWindow *self,
                                            CachetCryptoRegistry    *registry,
                                            gboolean                 safe_mode);

G_END_DECLS
