/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachet-application.h"
#include "cachet-crypto-error.h"
#include "cachet-crypto-file.h"
#include "cachet-crypto-probe.h"
#include "cachet-preferences-window-private.h"
#include "cachet-window-private.h"

/* Crypto plugins in the running application (in process, under Xvfb): the registry filled
 * at start from the enabled-plugins setting, a plugin named by the crash sentinel turned
 * off and the user told in the main window, and --safe-mode loading nothing.  The
 * application checks plugins by running itself (/proc/self/exe) with --probe-plugin:
 * here that is this program, which answers like cachet does. */

typedef struct
{
  CachetApplication *app;
  gboolean           ready;
  gboolean           done;
  gint64             deadline;
  const char        *crashed;   /* file name the notice must name */
} Run;

static char *
install_plugin (const char *dir,
                const char *name,
                const char *as)
{
  g_autofree char *file = g_strconcat ("abi-plugin-", name, ".so", NULL);
  g_autofree char *src = g_build_filename (FIXTURE_DIR, file, NULL);
  g_autofree char *dest = g_build_filename (dir, as, NULL);
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (src, &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (dest, contents, (gssize) len, G_FILE_SET_CONTENTS_NONE, 0644, &error);
  g_assert_no_error (error);
  g_assert_no_errno (chmod (dest, 0644));
  return g_steal_pointer (&dest);
}

static char *
sha256_of (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

/* Two user plugins, both turned on; returns FALSE (test skipped) when the folder cannot
 * hold plugins. */
static gboolean
set_up_plugins (char **good,
                char **crashing)
{
  g_autofree char *dir = cachet_crypto_user_plugin_dir ();
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GError) error = NULL;
  g_autofree char *good_sha = NULL;
  g_autofree char *crash_sha = NULL;
  g_autofree char *good_value = NULL;
  g_autofree char *crash_value = NULL;
  struct stat st;
  int fd;

  g_assert_no_errno (g_mkdir_with_parents (dir, 0755));
  *good = install_plugin (dir, "minimal", "a.so");
  *crashing = install_plugin (dir, "crash-if-asked", "b.so");
  fd = cachet_crypto_file_open (*good, &st, &error);
  if (fd < 0 && g_error_matches (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_WRITABLE))
    {
      g_test_skip (error->message);
      return FALSE;
    }
  g_assert_no_error (error);
  close (fd);
  good_sha = sha256_of (*good);
  crash_sha = sha256_of (*crashing);
  good_value = g_strconcat ("org.cachet.test.Minimal=", good_sha, NULL);
  crash_value = g_strconcat ("org.cachet.test.CrashIfAsked=", crash_sha, NULL);
  {
    const char *values[] = { good_value, crash_value, NULL };

    g_settings_set_strv (settings, "enabled-plugins", values);
  }
  return TRUE;
}

/* What a start that crashed in B's init leaves behind. */
static char *
write_sentinel (const char *crashing)
{
  g_autofree char *sha = sha256_of (crashing);
  g_autofree char *contents = g_strdup_printf ("%s %s\n", sha, crashing);
  char *path = g_build_filename (g_get_user_state_dir (), "cachet", "crypto-plugin-sentinel",
                                 NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static CachetWindow *
main_window (CachetApplication *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (CACHET_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static CachetPreferencesWindow *
preferences_window (CachetApplication *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (CACHET_IS_PREFERENCES_WINDOW (l->data))
      return l->data;
  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = l->next)
    if (CACHET_IS_PREFERENCES_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
ready_cb (CachetApplication *app,
          Run               *run)
{
  run->ready = TRUE;
}

static gboolean
check_start_cb (gpointer data)
{
  Run *run = data;
  CachetWindow *window = main_window (run->app);
  CachetCryptoRegistry *registry = cachet_application_get_crypto_registry (run->app);
  CachetPreferencesWindow *preferences;
  GPtrArray *entries;

  if (g_get_monotonic_time () > run->deadline)
    g_error ("gave up waiting for the plugins and the window");
  if (!run->ready || window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window))
      || !gtk_info_bar_get_revealed (window->info_bar))
    return G_SOURCE_CONTINUE;

  g_assert_nonnull (registry);
  g_assert_false (cachet_application_get_safe_mode (run->app));
  entries = cachet_crypto_registry_get_entries (registry);
  /* The user's; a system folder may have plugins of its own before them. */
  g_assert_cmpuint (entries->len, >=, 2);
  {
    CachetCryptoEntry *a = g_ptr_array_index (entries, entries->len - 2);
    CachetCryptoEntry *b = g_ptr_array_index (entries, entries->len - 1);

    g_assert_cmpint (a->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
    g_assert_cmpint (b->state, ==, CACHET_CRYPTO_ENTRY_DISABLED);
    g_assert_true (b->crashed_last_time);
  }
  g_assert_nonnull (cachet_crypto_registry_find (registry, "openpgp", 0));
  g_assert_cmpstr (gtk_label_get_text (window->info_label), ==,
                   "The crypto plugin “b.so” crashed Cachet the last time it started, so it "
                   "is turned off. Preferences ▸ Plugins shows more.");

  g_action_group_activate_action (G_ACTION_GROUP (run->app), "preferences", NULL);
  preferences = preferences_window (run->app);
  g_assert_nonnull (preferences);
  g_assert_cmpuint (preferences->rows->len, ==, entries->len);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (preferences->status_label)));
  {
    CachetPluginRow *row = g_ptr_array_index (preferences->rows, preferences->rows->len - 1);

    /* The crashed plugin's switch is off; turning it on retries it (it does not crash
     * here: ABI_FIXTURE_CRASH is not set). */
    g_assert_true (g_str_has_suffix (row->entry->path, "/b.so"));
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (row->state_label)), ==,
                     "Off: The plugin crashed Cachet the last time it started, so it is "
                     "turned off.");
    g_assert_false (gtk_switch_get_active (GTK_SWITCH (row->enable_switch)));
    gtk_switch_set_active (GTK_SWITCH (row->enable_switch), TRUE);
    g_assert_cmpint (row->entry->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (row->state_label)), ==, "Loaded");
    g_assert_true (gtk_switch_get_state (GTK_SWITCH (row->enable_switch)));
  }

  run->done = TRUE;
  gtk_widget_destroy (GTK_WIDGET (preferences));
  g_application_quit (G_APPLICATION (run->app));
  return G_SOURCE_REMOVE;
}

static CachetApplication *
new_app (void)
{
  CachetApplication *app = cachet_application_new ();

  /* Not on the session bus: tests run side by side. */
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  return app;
}

static void
test_start (void)
{
  g_autofree char *good = NULL;
  g_autofree char *crashing = NULL;
  g_autofree char *sentinel = NULL;
  g_autofree char *data_dir = g_build_filename (g_get_user_data_dir (), "mail", NULL);
  char *argv[] = { (char *) "cachet", NULL };
  Run run = { 0 };

  /* One application per process (GLib's application name is set once). */
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT
                                       | G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  if (!set_up_plugins (&good, &crashing))
    return;
  sentinel = write_sentinel (crashing);
  g_setenv ("CACHET_DATA_DIR", data_dir, TRUE);

  run.app = new_app ();
  run.deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  g_signal_connect (run.app, "crypto-registry-ready", G_CALLBACK (ready_cb), &run);
  g_timeout_add (20, check_start_cb, &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (run.app), 1, argv), ==, 0);
  g_assert_true (run.done);
  /* Read and removed: the user is told once. */
  g_assert_false (g_file_test (sentinel, G_FILE_TEST_EXISTS));
  g_object_unref (run.app);
}

static gboolean
check_safe_mode_cb (gpointer data)
{
  Run *run = data;
  CachetWindow *window = main_window (run->app);
  CachetPreferencesWindow *preferences;

  if (g_get_monotonic_time () > run->deadline)
    g_error ("gave up waiting for the window");
  if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)))
    return G_SOURCE_CONTINUE;

  g_assert_true (cachet_application_get_safe_mode (run->app));
  g_assert_null (cachet_application_get_crypto_registry (run->app));
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "preferences", NULL);
  preferences = preferences_window (run->app);
  g_assert_nonnull (preferences);
  g_assert_cmpuint (preferences->rows->len, ==, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (preferences->status_label)));
  g_assert_cmpstr (gtk_label_get_text (preferences->status_label), ==,
                   "Cachet runs in safe mode: no plugin was loaded. Start Cachet without "
                   "--safe-mode to load them.");
  run->done = TRUE;
  gtk_widget_destroy (GTK_WIDGET (preferences));
  g_application_quit (G_APPLICATION (run->app));
  return G_SOURCE_REMOVE;
}

static void
test_safe_mode (void)
{
  g_autofree char *good = NULL;
  g_autofree char *crashing = NULL;
  g_autofree char *sentinel = NULL;
  g_autofree char *cache = cachet_crypto_probe_cache_default_path ();
  g_autofree char *data_dir = g_build_filename (g_get_user_data_dir (), "mail", NULL);
  char *argv[] = { (char *) "cachet", (char *) "--safe-mode", NULL };
  Run run = { 0 };

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT
                                       | G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  if (!set_up_plugins (&good, &crashing))
    return;
  sentinel = write_sentinel (crashing);
  g_setenv ("CACHET_DATA_DIR", data_dir, TRUE);

  run.app = new_app ();
  run.deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  g_signal_connect (run.app, "crypto-registry-ready", G_CALLBACK (ready_cb), &run);
  g_timeout_add (20, check_safe_mode_cb, &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (run.app), 2, argv), ==, 0);
  g_assert_true (run.done);
  g_assert_false (run.ready);
  /* No plugin was touched: nothing checked, the sentinel left for a normal start. */
  g_assert_false (g_file_test (cache, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (sentinel, G_FILE_TEST_EXISTS));
  g_object_unref (run.app);
}

int
main (int   argc,
      char *argv[])
{
  g_auto(GStrv) system_dirs = NULL;
  g_autoptr(GPtrArray) icon_path = NULL;
  g_autoptr(GPtrArray) mime_path = NULL;

  /* The application runs itself as its plugin checker. */
  if (argc == 3 && strcmp (argv[1], "--probe-plugin") == 0)
    return cachet_crypto_probe_main (argv[2]);

  system_dirs = g_strdupv ((char **) g_get_system_data_dirs ());
  icon_path = g_ptr_array_new_with_free_func (g_free);
  mime_path = g_ptr_array_new_with_free_func (g_free);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* The isolated XDG_DATA_DIRS hide the system's MIME database and icon themes, which the
   * window needs; a test subprocess inherits the isolated ones, hence the usual places. */
  for (guint i = 0; system_dirs[i] != NULL; i++)
    {
      g_ptr_array_add (icon_path, g_build_filename (system_dirs[i], "icons", NULL));
      g_ptr_array_add (mime_path, g_build_filename (system_dirs[i], "mime", NULL));
    }
  g_ptr_array_add (icon_path, g_strdup ("/usr/local/share/icons"));
  g_ptr_array_add (icon_path, g_strdup ("/usr/share/icons"));
  g_ptr_array_add (mime_path, g_strdup ("/usr/local/share/mime"));
  g_ptr_array_add (mime_path, g_strdup ("/usr/share/mime"));
  g_ptr_array_add (mime_path, NULL);
  g_content_type_set_mime_dirs ((const char * const *) mime_path->pdata);
  if (g_getenv ("DISPLAY") == NULL || *g_getenv ("DISPLAY") == '\0')
    {
      printf ("1..0 # SKIP no display (run under tests/run-headless.sh)\n");
      return 0;
    }
  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  gtk_init (&argc, &argv);
  gtk_icon_theme_set_search_path (gtk_icon_theme_get_default (),
                                  (const char **) icon_path->pdata, (int) icon_path->len);

  g_test_add_func ("/ui/plugins/start", test_start);
  g_test_add_func ("/ui/plugins/safe-mode", test_safe_mode);
  return g_test_run ();
}
