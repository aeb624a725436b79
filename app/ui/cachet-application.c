/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-app"

#include "config.h"

#include "cachet-application.h"

#include <glib/gi18n.h>

#include "cachet-window.h"

struct _CachetApplication
{
  GtkApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (CachetApplication, cachet_application, GTK_TYPE_APPLICATION)

static void
cachet_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (cachet_window_new (CACHET_APPLICATION (app)));
  gtk_window_present (window);
}

static void
cachet_application_class_init (CachetApplicationClass *klass)
{
  G_APPLICATION_CLASS (klass)->activate = cachet_application_activate;
}

static void
cachet_application_init (CachetApplication *self)
{
}

CachetApplication *
cachet_application_new (void)
{
  return g_object_new (CACHET_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}
