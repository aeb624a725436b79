/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-application.h"
#include "cachet-store.h"

G_BEGIN_DECLS

#define CACHET_TYPE_WINDOW (cachet_window_get_type ())
G_DECLARE_FINAL_TYPE (CachetWindow, cachet_window, CACHET, WINDOW, GtkApplicationWindow)

CachetWindow *cachet_window_new       (CachetApplication *app,
                                       CachetStore       *store);
CachetStore  *cachet_window_get_store (CachetWindow      *self);
/* Shows a new window with its first message list already in, so it does not appear
 * empty and then fill a moment later; waits at most a short while for the list. */
void          cachet_window_present_when_ready (CachetWindow *self);

G_END_DECLS
