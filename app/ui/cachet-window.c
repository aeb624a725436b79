/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-window"

#include "config.h"

#include "cachet-window.h"

struct _CachetWindow
{
  GtkApplicationWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (CachetWindow, cachet_window, GTK_TYPE_APPLICATION_WINDOW)

static void
cachet_window_class_init (CachetWindowClass *klass)
{
  gtk_widget_class_set_template_from_resource (GTK_WIDGET_CLASS (klass),
                                               "/org/cachet/Cachet/cachet-window.ui");
}

static void
cachet_window_init (CachetWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CachetWindow *
cachet_window_new (CachetApplication *app)
{
  return g_object_new (CACHET_TYPE_WINDOW, "application", app, NULL);
}
