/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachet-crypto-error.h"
#include "cachet-crypto-file.h"
#include "cachet-preferences-window-private.h"

/* The Plugins page of the Preferences window, in process under Xvfb, with fixture plugins
 * in the user's own plugin folder (the real path, under the test's own XDG_DATA_HOME): one
 * turned on that loads, one turned on that crashes while it is checked (refused, with the
 * reason), one not turned on, which the user turns on with its switch.  The plugins are
 * checked by the built cachet binary (`--probe-plugin`).  Screenshots go to
 * $CACHET_SCREENSHOT_DIR. */

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
enabled_value (const char *id,
               const char *path)
{
  g_autofree char *contents = NULL;
  g_autofree char *sha = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  return g_strconcat (id, "=", sha, NULL);
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("CACHET_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GdkWindow *window = gtk_widget_get_window (widget);

  if (dir == NULL || window == NULL)
    return;
  gtk_widget_queue_draw (widget);
  gtk_test_widget_wait_for_draw (widget);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  pixbuf = gdk_pixbuf_get_from_window (window, 0, 0, gdk_window_get_width (window),
                                       gdk_window_get_height (window));
  if (pixbuf == NULL)
    return;
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  gdk_pixbuf_save (pixbuf, path, "png", NULL, NULL);
  g_test_message ("screenshot: %s", path);
}

static CachetPluginRow *
find_row (CachetPreferencesWindow *window,
          const char              *file)
{
  for (guint i = 0; i < window->rows->len; i++)
    {
      CachetPluginRow *row = g_ptr_array_index (window->rows, i);

      if (g_str_has_suffix (row->entry->path, file))
        return row;
    }
  g_error ("no row for %s", file);
  return NULL;
}

static const char *
text (GtkWidget *label)
{
  return gtk_label_get_text (GTK_LABEL (label));
}

static void
test_plugins_page (void)
{
  g_autofree char *dir = cachet_crypto_user_plugin_dir ();
  g_autofree char *good = NULL;
  g_autofree char *crash = NULL;
  g_autofree char *other = NULL;
  g_autofree char *good_value = NULL;
  g_autofree char *crash_value = NULL;
  g_autofree char *other_value = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_auto(GStrv) enabled = NULL;
  g_autoptr(GError) error = NULL;
  CachetCryptoRegistry *registry;
  CachetPreferencesWindow *window;
  CachetPluginRow *row;
  struct stat st;
  int fd;

  g_assert_no_errno (g_mkdir_with_parents (dir, 0755));
  good = install_plugin (dir, "minimal", "a-good.so");
  crash = install_plugin (dir, "init-crashes", "b-crash.so");
  other = install_plugin (dir, "other-id", "c-other.so");
  /* A folder below one that others can write to cannot hold plugins. */
  fd = cachet_crypto_file_open (good, &st, &error);
  if (fd < 0 && g_error_matches (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_WRITABLE))
    {
      g_test_skip (error->message);
      return;
    }
  g_assert_no_error (error);
  close (fd);

  good_value = enabled_value ("org.cachet.test.Minimal", good);
  crash_value = enabled_value ("org.cachet.test.Crash", crash);
  {
    const char *values[] = { good_value, crash_value, NULL };

    g_settings_set_strv (settings, "enabled-plugins", values);
  }
  enabled = g_settings_get_strv (settings, "enabled-plugins");
  registry = cachet_crypto_registry_new ((const char *const *) enabled);
  cachet_crypto_registry_set_probe (registry, CACHET_EXE, NULL);
  cachet_crypto_registry_scan_default (registry);

  window = CACHET_PREFERENCES_WINDOW (cachet_preferences_window_new (NULL, settings));
  gtk_window_set_default_size (GTK_WINDOW (window), 760, 720);
  cachet_preferences_window_set_plugins (window, registry, FALSE);
  gtk_widget_show (GTK_WIDGET (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->status_label)));

  /* Loaded, with its info behind "Details". */
  row = find_row (window, "/a-good.so");
  g_assert_cmpstr (text (row->title_label), ==, "Test plugin");
  g_assert_cmpstr (text (row->subtitle_label), ==, "Version 1.0 · org.cachet.test.Minimal");
  g_assert_cmpstr (text (row->state_label), ==, "Loaded");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (row->enable_switch)));
  g_assert_nonnull (strstr (text (row->details_label), "Capabilities: encrypt, decrypt\n"));
  g_assert_nonnull (strstr (text (row->details_label), "From your own plugin folder."));
  gtk_expander_set_expanded (GTK_EXPANDER (row->expander), TRUE);

  /* Refused, with its reason. */
  row = find_row (window, "/b-crash.so");
  g_assert_cmpstr (text (row->title_label), ==, "b-crash.so");
  g_assert_cmpstr (text (row->state_label), ==,
                   "Refused: The plugin crashed while being checked (segmentation fault).");

  /* Off until turned on. */
  row = find_row (window, "/c-other.so");
  g_assert_cmpstr (text (row->title_label), ==, "c-other.so");
  g_assert_true (g_str_has_prefix (text (row->state_label), "Off: Plugins in your own folder"));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (row->enable_switch)));
  save_screenshot (GTK_WIDGET (window), "preferences-plugins.png");

  /* The user turns it on: checked, loaded, remembered as ID=SHA256. */
  gtk_switch_set_active (GTK_SWITCH (row->enable_switch), TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (row->entry->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
  g_assert_cmpstr (text (row->state_label), ==, "Loaded");
  g_assert_cmpstr (text (row->title_label), ==, "Test plugin");
  g_assert_cmpstr (text (row->subtitle_label), ==, "Version 1.0 · org.cachet.test.Other");
  g_assert_true (gtk_switch_get_state (GTK_SWITCH (row->enable_switch)));
  other_value = enabled_value ("org.cachet.test.Other", other);
  g_clear_pointer (&enabled, g_strfreev);
  enabled = g_settings_get_strv (settings, "enabled-plugins");
  g_assert_true (g_strv_contains ((const char *const *) enabled, other_value));
  g_assert_true (g_strv_contains ((const char *const *) enabled, good_value));
  g_assert_nonnull (cachet_crypto_registry_find (registry, "openpgp", 0));
  gtk_expander_set_expanded (GTK_EXPANDER (row->expander), TRUE);
  save_screenshot (GTK_WIDGET (window), "preferences-plugins-enabled.png");

  /* And off again: out of the setting, loaded until the next start. */
  gtk_switch_set_active (GTK_SWITCH (row->enable_switch), FALSE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&enabled, g_strfreev);
  enabled = g_settings_get_strv (settings, "enabled-plugins");
  g_assert_false (g_strv_contains ((const char *const *) enabled, other_value));
  g_assert_true (g_str_has_prefix (text (row->state_label), "Turned off."));

  /* A refused plugin's switch goes back off, its reason shown. */
  row = find_row (window, "/b-crash.so");
  gtk_switch_set_active (GTK_SWITCH (row->enable_switch), FALSE);
  gtk_switch_set_active (GTK_SWITCH (row->enable_switch), TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (row->enable_switch)));
  g_assert_cmpstr (text (row->state_label), ==,
                   "Refused: The plugin crashed while being checked (segmentation fault).");

  /* Safe mode and the scan still running. */
  cachet_preferences_window_set_plugins (window, NULL, TRUE);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->status_label)));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (window->status_label),
                                   "Cachet runs in safe mode"));
  g_assert_cmpuint (window->rows->len, ==, 0);
  save_screenshot (GTK_WIDGET (window), "preferences-safe-mode.png");
  cachet_preferences_window_set_plugins (window, NULL, FALSE);
  g_assert_cmpstr (gtk_label_get_text (window->status_label), ==, "Looking for plugins…");

  gtk_widget_destroy (GTK_WIDGET (window));
  cachet_crypto_registry_free (registry);
}

int
main (int   argc,
      char *argv[])
{
  g_auto(GStrv) system_dirs = g_strdupv ((char **) g_get_system_data_dirs ());
  g_autoptr(GPtrArray) icon_path = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) mime_path = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* The isolated XDG_DATA_DIRS hide the system's MIME database and icon themes, which
   * the widgets need for their icons. */
  for (guint i = 0; system_dirs[i] != NULL; i++)
    {
      g_ptr_array_add (icon_path, g_build_filename (system_dirs[i], "icons", NULL));
      g_ptr_array_add (mime_path, g_build_filename (system_dirs[i], "mime", NULL));
    }
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

  g_test_add_func ("/ui/preferences/plugins", test_plugins_page);
  return g_test_run ();
}
