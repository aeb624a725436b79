/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-servers"

#include "config.h"

#include "cachet-test-servers.h"
#include "cachet-test-servers-private.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

G_DEFINE_QUARK (cachet-test-servers-error-quark, cachet_test_servers_error)

/* --- Shared with the other files --------------------------------------------- */

const char *
_cachet_test_servers_srcdir (void)
{
  const char *dir = g_getenv ("CACHET_TEST_SERVERS_DIR");

  return dir != NULL && *dir != '\0' ? dir : CACHET_TEST_SERVERS_SRCDIR;
}

char *
_cachet_test_servers_script (void)
{
  return g_build_filename (_cachet_test_servers_srcdir (), "mailservers.sh", NULL);
}

/* A new directory for servers.  Its path must stay short (Unix socket paths
 * below it) and every directory above it searchable by the servers' users. */
char *
_cachet_test_make_dir (const char  *prefix,
                       GError     **error)
{
  const char *base = g_get_tmp_dir ();
  g_autofree char *template = NULL;

  if (strlen (base) > 24 || g_access (base, X_OK) != 0)
    base = "/tmp";
  template = g_strdup_printf ("%s/%s-XXXXXX", base, prefix);
  if (g_mkdtemp (template) == NULL)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Cannot make a directory %s: %s", template, g_strerror (saved));
      return NULL;
    }
  return g_steal_pointer (&template);
}

static int
remove_cb (const char        *path,
           const struct stat *st,
           int                flag,
           struct FTW        *ftw)
{
  if (remove (path) != 0 && errno != ENOENT)
    g_warning ("Cannot remove %s: %s", path, g_strerror (errno));
  return 0;
}

void
_cachet_test_remove_dir (const char *dir)
{
  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    return;
  if (g_strcmp0 (g_getenv ("CACHET_TEST_KEEP"), "1") == 0)
    {
      g_printerr ("# kept %s\n", dir);
      return;
    }
  nftw (dir, remove_cb, 32, FTW_DEPTH | FTW_PHYS);
}

/* Runs mailservers.sh with @args.  Returns its exit status (-1 when it
 * could not run); its output in @out. */
int
_cachet_test_run_script (const char * const  *args,
                         char               **out,
                         GError             **error)
{
  g_autofree char *script = _cachet_test_servers_script ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *std_out = NULL;
  g_autofree char *std_err = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) "/bin/bash");
  g_ptr_array_add (argv, script);
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDIN_FROM_DEV_NULL,
                     NULL, NULL, &std_out, &std_err, &status, error))
    return -1;
  if (out != NULL)
    *out = g_strconcat (std_out, std_err, NULL);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 128 + (WIFSIGNALED (status) ? WTERMSIG (status) : 0);
}

/* --- Skipping -------------------------------------------------------------------- */

char *
cachet_test_servers_unavailable (void)
{
  const char *args[] = { "check", NULL };
  g_autofree char *script = _cachet_test_servers_script ();
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int rc;

  if (!g_file_test ("/bin/bash", G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup ("/bin/bash is missing");
  if (!g_file_test (script, G_FILE_TEST_IS_REGULAR))
    return g_strdup_printf ("%s is missing", script);
  rc = _cachet_test_run_script (args, &out, &error);
  if (rc == 0)
    return NULL;
  if (rc < 0)
    return g_strdup (error->message);
  return g_strdup (g_strstrip (out));
}

int
cachet_test_skip_all (const char *reason)
{
  if (g_strcmp0 (g_getenv ("CACHET_TEST_REQUIRE_SERVERS"), "1") == 0)
    {
      g_print ("Bail out! %s (CACHET_TEST_REQUIRE_SERVERS=1)\n", reason);
      return 1;
    }
  g_print ("1..0 # SKIP %s\n", reason);
  return 0;
}

/* --- The environment file ------------------------------------------------------------ */

GHashTable *
_cachet_test_read_env (const char  *file,
                       GError     **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (!g_file_get_contents (file, &text, NULL, error))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      char *eq = strchr (lines[i], '=');
      char *value;
      gsize len;

      if (lines[i][0] == '#' || eq == NULL)
        continue;
      *eq = '\0';
      value = eq + 1;
      len = strlen (value);
      if (len >= 2 && value[0] == '"' && value[len - 1] == '"')
        {
          value[len - 1] = '\0';
          value++;
        }
      g_hash_table_replace (env, g_strdup (lines[i]), g_strdup (value));
    }
  return g_steal_pointer (&env);
}

static guint16
env_port (GHashTable *env,
          const char *key)
{
  const char *value = g_hash_table_lookup (env, key);
  guint64 port = 0;

  if (value != NULL && !g_ascii_string_to_unsigned (value, 10, 1, 65535, &port, NULL))
    port = 0;
  return (guint16) port;
}

static char *
env_dup (GHashTable *env,
         const char *key)
{
  return g_strdup (g_hash_table_lookup (env, key));
}

static void
user_free (gpointer data)
{
  CachetTestUser *user = data;

  g_free (user->name);
  g_free (user->login);
  g_free (user->password);
  g_free (user->maildir);
  g_free (user);
}

/* Names of the certificates in DIR/env and DIR/tls. */
static const char *const cert_env_names[CACHET_TEST_N_CERTS] = {
  "SERVER", "WRONGHOST", "SELFSIGNED", "SELFSIGNED2", "EXPIRED",
};

static gboolean
servers_load_env (CachetTestServers  *servers,
                  GError            **error)
{
  g_autofree char *file = g_build_filename (servers->dir, "env", NULL);
  g_auto(GStrv) names = NULL;
  GHashTable *env;

  servers->env = _cachet_test_read_env (file, error);
  if (servers->env == NULL)
    return FALSE;
  env = servers->env;

  servers->host = env_dup (env, "MAIL_HOST");
  servers->domain = env_dup (env, "MAIL_DOMAIN");
  servers->ca_file = env_dup (env, "MAIL_CA_CERT");
  servers->pop3_port = env_port (env, "POP3_PORT");
  servers->pop3s_port = env_port (env, "POP3S_PORT");
  servers->apop_pop3_port = env_port (env, "APOP_POP3_PORT");
  servers->apop_pop3s_port = env_port (env, "APOP_POP3S_PORT");
  servers->smtp_port = env_port (env, "SMTP_PORT");
  servers->submission_port = env_port (env, "SUBMISSION_PORT");
  servers->smtps_port = env_port (env, "SMTPS_PORT");
  servers->dovecot_log = env_dup (env, "DOVECOT_LOG");
  servers->postfix_log = env_dup (env, "POSTFIX_LOG");

  for (int c = 0; c < CACHET_TEST_N_CERTS; c++)
    {
      CachetTestCertInfo *info = &servers->certs[c];
      const char *n = cert_env_names[c];
      g_autofree char *cert = g_strdup_printf ("MAIL_%s_CERT", n);
      g_autofree char *key = g_strdup_printf ("MAIL_%s_KEY", n);
      g_autofree char *sha = g_strdup_printf ("MAIL_%s_SHA256", n);

      info->file = env_dup (env, cert);
      info->key_file = env_dup (env, key);
      info->sha256 = env_dup (env, sha);
      if (c == CACHET_TEST_CERT_GOOD)
        {
          info->pop3_port = servers->pop3_port;
          info->pop3s_port = servers->pop3s_port;
          info->submission_port = servers->submission_port;
          info->smtps_port = servers->smtps_port;
        }
      else
        {
          g_autofree char *p1 = g_strdup_printf ("%s_POP3_PORT", n);
          g_autofree char *p2 = g_strdup_printf ("%s_POP3S_PORT", n);
          g_autofree char *p3 = g_strdup_printf ("%s_SUBMISSION_PORT", n);
          g_autofree char *p4 = g_strdup_printf ("%s_SMTPS_PORT", n);

          info->pop3_port = env_port (env, p1);
          info->pop3s_port = env_port (env, p2);
          info->submission_port = env_port (env, p3);
          info->smtps_port = env_port (env, p4);
        }
    }

  servers->users = g_ptr_array_new_with_free_func (user_free);
  names = g_strsplit (g_hash_table_lookup (env, "MAIL_USERS") ?: "", " ", -1);
  for (gsize i = 0; names[i] != NULL; i++)
    {
      g_autofree char *up = g_ascii_strup (names[i], -1);
      g_autofree char *k_user = g_strdup_printf ("MAIL_%s_USER", up);
      g_autofree char *k_pass = g_strdup_printf ("MAIL_%s_PASS", up);
      g_autofree char *k_dir = g_strdup_printf ("MAIL_%s_MAILDIR", up);
      CachetTestUser *user;

      if (*names[i] == '\0')
        continue;
      user = g_new0 (CachetTestUser, 1);
      user->name = g_strdup (names[i]);
      user->login = env_dup (env, k_user);
      user->password = env_dup (env, k_pass);
      user->maildir = env_dup (env, k_dir);
      g_ptr_array_add (servers->users, user);
    }

  if (servers->host == NULL || servers->pop3_port == 0 || servers->ca_file == NULL ||
      servers->users->len == 0)
    {
      g_set_error (error, CACHET_TEST_SERVERS_ERROR, CACHET_TEST_SERVERS_ERROR_FAILED,
                   "%s lacks the main keys (MAIL_HOST, POP3_PORT, MAIL_CA_CERT, MAIL_USERS)",
                   file);
      return FALSE;
    }
  return TRUE;
}

/* --- Start and stop -------------------------------------------------------------------- */

CachetTestServers *
cachet_test_servers_start (CachetTestServersFlags   flags,
                           char                   **skip_reason,
                           GError                 **error)
{
  g_autoptr(CachetTestServers) servers = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  char *reason;
  gint64 t0 = g_get_monotonic_time ();
  int rc;

  g_return_val_if_fail (skip_reason != NULL && *skip_reason == NULL, NULL);

  reason = cachet_test_servers_unavailable ();
  if (reason != NULL)
    {
      *skip_reason = reason;
      return NULL;
    }

  servers = g_new0 (CachetTestServers, 1);
  servers->dir = _cachet_test_make_dir ("cachet-srv", error);
  if (servers->dir == NULL)
    return NULL;

  g_ptr_array_add (args, g_strdup ("start"));
  if (!(flags & CACHET_TEST_SERVERS_SMTP))
    g_ptr_array_add (args, g_strdup ("--without-postfix"));
  if (!(flags & CACHET_TEST_SERVERS_ALT))
    g_ptr_array_add (args, g_strdup ("--without-alt"));
  g_ptr_array_add (args, g_strdup ("--watch"));
  g_ptr_array_add (args, g_strdup_printf ("%d", (int) getpid ()));
  if (g_strcmp0 (g_getenv ("CACHET_TEST_KEEP"), "1") != 0)
    g_ptr_array_add (args, g_strdup ("--remove"));
  g_ptr_array_add (args, g_strdup (servers->dir));
  g_ptr_array_add (args, NULL);

  rc = _cachet_test_run_script ((const char * const *) args->pdata, &out, error);
  if (rc < 0)
    return NULL;
  if (rc == 77)
    {
      *skip_reason = g_strdup (g_strstrip (out));
      return NULL;
    }
  /* From here on the watcher knows the directory. */
  servers->running = TRUE;
  if (rc != 0)
    {
      g_set_error (error, CACHET_TEST_SERVERS_ERROR, CACHET_TEST_SERVERS_ERROR_FAILED,
                   "mailservers.sh start %s failed (exit %d): %s", servers->dir, rc, out);
      return NULL;
    }
  if (!servers_load_env (servers, error))
    return NULL;
  g_printerr ("# mail servers started in %.2f s: %s", (g_get_monotonic_time () - t0) / 1e6, out);
  return g_steal_pointer (&servers);
}

gboolean
cachet_test_servers_stop (CachetTestServers  *servers,
                          GError            **error)
{
  const char *args[] = { "stop", servers->dir, NULL };
  g_autofree char *out = NULL;
  gint64 t0 = g_get_monotonic_time ();
  int rc;

  if (!servers->running)
    return TRUE;
  rc = _cachet_test_run_script (args, &out, error);
  if (rc < 0)
    return FALSE;
  servers->running = FALSE;
  if (rc != 0)
    {
      g_set_error (error, CACHET_TEST_SERVERS_ERROR, CACHET_TEST_SERVERS_ERROR_FAILED,
                   "mailservers.sh stop %s failed (exit %d): %s", servers->dir, rc, out);
      return FALSE;
    }
  g_printerr ("# mail servers stopped in %.2f s\n", (g_get_monotonic_time () - t0) / 1e6);
  return TRUE;
}

void
cachet_test_servers_free (CachetTestServers *servers)
{
  g_autoptr(GError) error = NULL;

  if (servers == NULL)
    return;
  if (servers->running && !cachet_test_servers_stop (servers, &error))
    g_warning ("%s", error->message);
  _cachet_test_remove_dir (servers->dir);
  for (int c = 0; c < CACHET_TEST_N_CERTS; c++)
    {
      g_free (servers->certs[c].file);
      g_free (servers->certs[c].key_file);
      g_free (servers->certs[c].sha256);
    }
  g_clear_pointer (&servers->users, g_ptr_array_unref);
  g_clear_pointer (&servers->env, g_hash_table_unref);
  g_free (servers->dir);
  g_free (servers->host);
  g_free (servers->domain);
  g_free (servers->ca_file);
  g_free (servers->dovecot_log);
  g_free (servers->postfix_log);
  g_free (servers);
}

const char *
cachet_test_servers_get (CachetTestServers *servers,
                         const char        *key)
{
  g_return_val_if_fail (servers != NULL && servers->env != NULL, NULL);

  return g_hash_table_lookup (servers->env, key);
}

const CachetTestUser *
cachet_test_servers_get_user (CachetTestServers *servers,
                              const char        *name)
{
  g_return_val_if_fail (servers != NULL && name != NULL, NULL);

  for (guint i = 0; servers->users != NULL && i < servers->users->len; i++)
    {
      const CachetTestUser *user = g_ptr_array_index (servers->users, i);

      if (g_str_equal (user->name, name) || g_strcmp0 (user->login, name) == 0)
        return user;
    }
  return NULL;
}
