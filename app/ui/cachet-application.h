/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CACHET_TYPE_APPLICATION (cachet_application_get_type ())
G_DECLARE_FINAL_TYPE (CachetApplication, cachet_application, CACHET, APPLICATION, GtkApplication)

CachetApplication *cachet_application_new (void);

G_END_DECLS
