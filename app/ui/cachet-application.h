/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-store.h"

G_BEGIN_DECLS

#define CACHET_TYPE_APPLICATION (cachet_application_get_type ())
G_DECLARE_FINAL_TYPE (CachetApplication, cachet_application, CACHET, APPLICATION, GtkApplication)

CachetApplication *cachet_application_new       (void);
/* The mail store: $CACHET_DATA_DIR when set, else $XDG_DATA_HOME/cachet. */
CachetStore       *cachet_application_get_store (CachetApplication *self);

G_END_DECLS
