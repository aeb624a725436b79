/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "private-bus.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

const char *
private_bus_missing_tool (void)
{
  static const char *tools[] = { "dbus-daemon", "gnome-keyring-daemon" };

  for (gsize i = 0; i < G_N_ELEMENTS (tools); i++)
    {
      g_autofree char *path = g_find_program_in_path (tools[i]);

      if (path == NULL)
        return tools[i];
    }
  return NULL;
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocessLauncher *
launcher_new (PrivateBus *self,
              gboolean    with_display,
              GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);
  g_autofree char *runtime = g_build_filename (self->dir, "run", NULL);
  g_autofree char *home = g_build_filename (self->dir, "home", NULL);
  g_autofree char *data = g_build_filename (home, "data", NULL);

  g_mkdir_with_parents (runtime, 0700);
  g_mkdir_with_parents (data, 0700);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  /* The test's isolated system folders would hide the desktop's data (schemas, icons)
   * from the services the bus starts. */
  g_subprocess_launcher_unsetenv (launcher, "XDG_DATA_DIRS");
  g_subprocess_launcher_unsetenv (launcher, "XDG_CONFIG_DIRS");
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  /* The keyring's prompter would start an accessibility bus that outlives ours. */
  g_subprocess_launcher_setenv (launcher, "NO_AT_BRIDGE", "1", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "GNOME_KEYRING_CONTROL");
  if (!with_display)
    {
      g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
      g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
    }
  if (self->address != NULL)
    g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", self->address, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* The daemons' chatter (fd limits, prompts that cannot be shown) goes to a log. */
  if (!(flags & G_SUBPROCESS_FLAGS_STDERR_SILENCE))
    {
      g_autofree char *log = g_build_filename (self->dir, "daemons.log", NULL);
      g_subprocess_launcher_set_stderr_file_path (launcher, log);
    }
  return launcher;
}

PrivateBus *
private_bus_start (gboolean with_services,
                   gboolean with_display)
{
  PrivateBus *self = g_new0 (PrivateBus, 1);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *line = NULL;

  /* Short: socket paths (the bus's, the keyring's control socket) have a length limit. */
  self->dir = g_dir_make_tmp ("cachet-bus-XXXXXX", NULL);
  g_assert_nonnull (self->dir);
  config = g_strdup_printf (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>session</type>\n"
    "  <listen>unix:dir=%s/run</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  %s\n"
    "  <policy context=\"default\">\n"
    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
    "    <allow eavesdrop=\"true\"/>\n"
    "    <allow own=\"*\"/>\n"
    "  </policy>\n"
    "</busconfig>\n",
    self->dir, with_services ? "<standard_session_servicedirs/>" : "");
  {
    g_autofree char *run = g_build_filename (self->dir, "run", NULL);
    g_assert_cmpint (g_mkdir_with_parents (run, 0700), ==, 0);
  }
  config_path = g_build_filename (self->dir, "bus.conf", NULL);
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));

  launcher = launcher_new (self, with_display, G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  self->bus = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--nofork",
                                           "--print-address=1", "--config-file", config_path,
                                           NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->bus));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  self->address = g_strdup (g_strstrip (line));

  self->connection =
    g_dbus_connection_new_for_address_sync (self->address,
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                            | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);
  g_assert_no_error (error);
  return self;
}

static gboolean
name_has_owner (GDBusConnection *connection,
                const char      *name)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean has = FALSE;

  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "NameHasOwner", g_variant_new ("(s)", name),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has);
  return has;
}

void
private_bus_start_keyring (PrivateBus *self,
                           const char *password)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GOutputStream *in;

  launcher = launcher_new (self, FALSE, G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  self->keyring = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon",
                                               "--foreground", "--unlock",
                                               "--components=secrets", NULL);
  g_assert_no_error (error);
  in = g_subprocess_get_stdin_pipe (self->keyring);
  g_assert_true (g_output_stream_write_all (in, password, strlen (password), NULL, NULL,
                                            &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (in, NULL, &error));

  /* Not a timing check: a generous limit for a daemon that never comes up. */
  for (guint i = 0; i < 400 && !name_has_owner (self->connection, "org.freedesktop.secrets"); i++)
    g_usleep (50000);
  g_assert_true (name_has_owner (self->connection, "org.freedesktop.secrets"));
}

static GDBusMessage *
drop_calls_cb (GDBusConnection *connection,
               GDBusMessage    *message,
               gboolean         incoming,
               gpointer         data)
{
  if (incoming && g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    {
      g_object_unref (message);
      return NULL;
    }
  return message;
}

void
private_bus_start_silent_service (PrivateBus *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint32 result = 0;

  self->silent =
    g_dbus_connection_new_for_address_sync (self->address,
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                            | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (self->silent, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.secrets", 0),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  g_assert_cmpuint (result, ==, 1);   /* primary owner */
  g_dbus_connection_add_filter (self->silent, drop_calls_cb, NULL, NULL);
}

void
private_bus_lock_keyring (PrivateBus *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *objects[] = { "/org/freedesktop/secrets/collection/login", NULL };

  reply = g_dbus_connection_call_sync (self->connection, "org.freedesktop.secrets",
                                       "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "Lock",
                                       g_variant_new ("(^ao)", objects),
                                       G_VARIANT_TYPE ("(aoo)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
}

static void
stop_process (GSubprocess **process)
{
  if (*process == NULL)
    return;
  g_subprocess_send_signal (*process, SIGTERM);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
private_bus_stop (PrivateBus *self)
{
  if (self->silent != NULL)
    g_dbus_connection_close_sync (self->silent, NULL, NULL);
  g_clear_object (&self->silent);
  if (self->connection != NULL)
    g_dbus_connection_close_sync (self->connection, NULL, NULL);
  g_clear_object (&self->connection);
  stop_process (&self->keyring);
  stop_process (&self->bus);
  g_free (self->address);
  /* What the bus started (the prompter) may still be leaving; give it a moment. */
  for (guint i = 0; i < 20 && g_file_test (self->dir, G_FILE_TEST_EXISTS); i++)
    {
      remove_tree (self->dir);
      if (g_file_test (self->dir, G_FILE_TEST_EXISTS))
        g_usleep (50000);
    }
  g_free (self->dir);
  g_free (self);
}
