/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-servers"

#include "config.h"

#include "cachet-test-servers.h"
#include "cachet-test-servers-private.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Running tests/servers/fake-pop3.py. */

#define PYTHON "/usr/bin/python3"
#define START_TIMEOUT_MS 30000

/* Reads the "PORT n" line the server prints once it listens. */
static guint16
read_port (int      fd,
           GError **error)
{
  char buf[64];
  gsize len = 0;
  gint64 end = g_get_monotonic_time () + (gint64) START_TIMEOUT_MS * 1000;
  guint64 port = 0;

  while (len < sizeof buf - 1 && memchr (buf, '\n', len) == NULL)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      gint64 left = (end - g_get_monotonic_time ()) / 1000;
      gssize n;

      if (left <= 0 || poll (&pfd, 1, (int) left) == 0)
        {
          g_set_error (error, CACHET_TEST_SERVERS_ERROR, CACHET_TEST_SERVERS_ERROR_FAILED,
                       "fake-pop3.py did not report its port within %d s",
                       START_TIMEOUT_MS / 1000);
          return 0;
        }
      n = read (fd, buf + len, sizeof buf - 1 - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += (gsize) n;
    }
  buf[len] = '\0';
  if (!g_str_has_prefix (buf, "PORT ") ||
      !g_ascii_string_to_unsigned (g_strstrip (buf + 5), 10, 1, 65535, &port, NULL))
    {
      g_set_error (error, CACHET_TEST_SERVERS_ERROR, CACHET_TEST_SERVERS_ERROR_FAILED,
                   "fake-pop3.py did not start (it said \"%s\")", buf);
      return 0;
    }
  return (guint16) port;
}

/* The value of "--NAME=VALUE" or "--NAME VALUE" in @options, or NULL. */
static const char *
option_value (const char * const *options,
              const char         *name)
{
  gsize n = strlen (name);
  const char *found = NULL;

  for (gsize i = 0; options != NULL && options[i] != NULL; i++)
    {
      if (strncmp (options[i], name, n) == 0 && options[i][n] == '=')
        found = options[i] + n + 1;
      else if (g_str_equal (options[i], name) && options[i + 1] != NULL)
        found = options[i + 1];
    }
  return found;
}

CachetTestFakePop3 *
cachet_test_fake_pop3_start (const char          *messages_dir,
                             const char          *tls_dir,
                             const char * const  *options,
                             char               **skip_reason,
                             GError             **error)
{
  g_autoptr(CachetTestFakePop3) fake = NULL;
  g_autofree char *script = NULL;
  g_autofree char *err_file = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  int out_fd = -1;
  int err_fd;
  gboolean ok;

  g_return_val_if_fail (messages_dir != NULL, NULL);
  g_return_val_if_fail (skip_reason != NULL && *skip_reason == NULL, NULL);

  if (!g_file_test (PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    {
      *skip_reason = g_strdup (PYTHON " is not installed");
      return NULL;
    }

  fake = g_new0 (CachetTestFakePop3, 1);
  fake->pid = -1;
  fake->messages_dir = g_strdup (messages_dir);
  fake->dir = _cachet_test_make_dir ("cachet-fake", error);
  if (fake->dir == NULL)
    return NULL;
  if (tls_dir == NULL)
    {
      const char *args[] = { "certs", fake->dir, NULL };
      g_autofree char *out = NULL;
      int rc = _cachet_test_run_script (args, &out, error);

      if (rc < 0)
        return NULL;
      if (rc == 77)
        {
          *skip_reason = g_strdup (g_strstrip (out));
          return NULL;
        }
      if (rc != 0)
        {
          g_set_error (error, CACHET_TEST_SERVERS_ERROR, CACHET_TEST_SERVERS_ERROR_FAILED,
                       "mailservers.sh certs failed (exit %d): %s", rc, out);
          return NULL;
        }
      fake->ca_file = g_build_filename (fake->dir, "tls", "ca.pem", NULL);
      cert = g_build_filename (fake->dir, "tls", "server.pem", NULL);
      key = g_build_filename (fake->dir, "tls", "server.key", NULL);
    }
  else
    {
      fake->ca_file = g_build_filename (tls_dir, "ca.pem", NULL);
      cert = g_build_filename (tls_dir, "server.pem", NULL);
      key = g_build_filename (tls_dir, "server.key", NULL);
    }
  fake->cert_file = g_strdup (option_value (options, "--cert") ?: cert);
  fake->log_file = g_build_filename (fake->dir, "fake-pop3.log", NULL);
  err_file = g_build_filename (fake->dir, "fake-pop3.stderr", NULL);
  script = g_build_filename (_cachet_test_servers_srcdir (), "fake-pop3.py", NULL);
  parent = g_strdup_printf ("%d", (int) getpid ());

  g_ptr_array_add (argv, (char *) PYTHON);
  g_ptr_array_add (argv, script);
  g_ptr_array_add (argv, (char *) "--messages");
  g_ptr_array_add (argv, (char *) messages_dir);
  g_ptr_array_add (argv, (char *) "--log");
  g_ptr_array_add (argv, fake->log_file);
  g_ptr_array_add (argv, (char *) "--parent-pid");
  g_ptr_array_add (argv, parent);
  g_ptr_array_add (argv, (char *) "--cert");
  g_ptr_array_add (argv, cert);
  g_ptr_array_add (argv, (char *) "--key");
  g_ptr_array_add (argv, key);
  for (gsize i = 0; options != NULL && options[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) options[i]);
  g_ptr_array_add (argv, NULL);

  /* stderr to a file: a server that outlives a crashed test must not hold
   * the test runner's pipes open */
  err_fd = open (err_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (err_fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Cannot create %s: %s", err_file, g_strerror (saved));
      return NULL;
    }
  ok = g_spawn_async_with_pipes_and_fds (NULL, (const char * const *) argv->pdata, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD |
                                         G_SPAWN_STDIN_FROM_DEV_NULL,
                                         NULL, NULL, -1, -1, err_fd, NULL, NULL, 0,
                                         &fake->pid, NULL, &out_fd, NULL, error);
  close (err_fd);
  if (!ok)
    {
      fake->pid = -1;
      return NULL;
    }
  fake->port = read_port (out_fd, error);
  close (out_fd);
  if (fake->port == 0)
    {
      g_autofree char *err_text = NULL;

      if (g_file_get_contents (err_file, &err_text, NULL, NULL) && *err_text != '\0')
        g_prefix_error (error, "%s: ", g_strstrip (err_text));
      return NULL;
    }
  return g_steal_pointer (&fake);
}

char *
cachet_test_fake_pop3_log (CachetTestFakePop3 *fake)
{
  char *text = NULL;

  if (!g_file_get_contents (fake->log_file, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

GStrv
cachet_test_fake_pop3_commands (CachetTestFakePop3 *fake)
{
  g_autofree char *text = cachet_test_fake_pop3_log (fake);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GStrvBuilder) out = g_strv_builder_new ();

  for (gsize i = 0; lines[i] != NULL; i++)
    {
      /* "SESSION STATE C TEXT" */
      g_auto(GStrv) f = g_strsplit (lines[i], " ", 4);

      if (g_strv_length (f) >= 3 && g_str_equal (f[2], "C"))
        {
          g_autofree char *command = g_strdup_printf ("%s %s %s", f[0], f[1], f[3] ?: "");

          g_strv_builder_add (out, command);
        }
    }
  return g_strv_builder_end (out);
}

void
cachet_test_fake_pop3_free (CachetTestFakePop3 *fake)
{
  if (fake == NULL)
    return;
  if (fake->pid > 0)
    {
      int status;

      kill (fake->pid, SIGTERM);
      while (waitpid (fake->pid, &status, 0) < 0 && errno == EINTR)
        ;
      g_spawn_close_pid (fake->pid);
    }
  _cachet_test_remove_dir (fake->dir);
  g_free (fake->dir);
  g_free (fake->log_file);
  g_free (fake->ca_file);
  g_free (fake->cert_file);
  g_free (fake->messages_dir);
  g_free (fake);
}
