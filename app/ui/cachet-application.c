/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-app"

#include "config.h"

#include "cachet-application.h"

#include <glib/gi18n.h>

#include "cachet-window.h"

struct _CachetApplication
{
  GtkApplication  parent_instance;

  CachetStore    *store;
};

G_DEFINE_FINAL_TYPE (CachetApplication, cachet_application, GTK_TYPE_APPLICATION)

static void
about_cb (GSimpleAction *action,
          GVariant      *param,
          gpointer       user_data)
{
  GtkApplication *app = user_data;
  const char *authors[] = { "The Cachet authors", NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (app),
                         "program-name", _("Cachet"),
                         "logo-icon-name", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Read your mail, sealed."),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", authors,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
quit_cb (GSimpleAction *action,
         GVariant      *param,
         gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows = gtk_application_get_windows (app);

  /* Destroying the windows saves their state; the application then ends. */
  while (windows != NULL)
    {
      gtk_widget_destroy (windows->data);
      windows = gtk_application_get_windows (app);
    }
}

static const struct
{
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.quit", { "<Primary>q", NULL } },
  { "win.search", { "<Primary>f", "<Primary>k", NULL } },
  { "win.mark-read", { "<Primary>i", NULL } },
  { "win.mark-unread", { "<Primary>u", NULL } },
  { "win.flag", { "<Primary>s", NULL } },
  { "win.unflag", { "<Primary>d", NULL } },
  { "win.move", { "<Primary>m", NULL } },
  { "win.delete", { "Delete", "KP_Delete", NULL } },
  { "win.next-unread", { "n", NULL } },
  { "win.previous-unread", { "p", NULL } },
  { "win.next-message", { "j", NULL } },
  { "win.previous-message", { "k", NULL } },
  { "win.threaded", { "<Primary>t", NULL } },
  { "win.new-folder", { "<Primary><Shift>n", NULL } },
  { "win.import-mbox", { "<Primary>o", NULL } },
  { "win.show-help-overlay", { "<Primary>question", "<Primary>F1", NULL } },
};

static void
cachet_application_startup (GApplication *app)
{
  CachetApplication *self = CACHET_APPLICATION (app);
  const GActionEntry entries[] = {
    { "about", about_cb, NULL, NULL, NULL, { 0 } },
    { "quit", quit_cb, NULL, NULL, NULL, { 0 } },
  };
  const char *data_dir = g_getenv ("CACHET_DATA_DIR");

  G_APPLICATION_CLASS (cachet_application_parent_class)->startup (app);

  g_set_application_name (_("Cachet"));
  gtk_window_set_default_icon_name (APPLICATION_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  for (gsize i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action,
                                           accels[i].accels);

  if (data_dir != NULL && *data_dir != '\0')
    self->store = cachet_store_new (data_dir);
  else
    self->store = cachet_store_new_default ();
}

static void
cachet_application_activate (GApplication *app)
{
  CachetApplication *self = CACHET_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (cachet_window_new (self, self->store));
  gtk_window_present (window);
}

static void
cachet_application_shutdown (GApplication *app)
{
  CachetApplication *self = CACHET_APPLICATION (app);

  G_APPLICATION_CLASS (cachet_application_parent_class)->shutdown (app);

  if (self->store != NULL)
    cachet_store_close (self->store);
  g_clear_object (&self->store);
}

static void
cachet_application_class_init (CachetApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = cachet_application_startup;
  app_class->activate = cachet_application_activate;
  app_class->shutdown = cachet_application_shutdown;
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

CachetStore *
cachet_application_get_store (CachetApplication *self)
{
  g_return_val_if_fail (CACHET_IS_APPLICATION (self), NULL);
  return self->store;
}
