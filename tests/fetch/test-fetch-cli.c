/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cachet-test-servers.h"
#include "fetch-test-util.h"

/* `cachet fetch` as a script sees it: "N new messages" on standard output and status 0;
 * the reason on standard error and status 1 when something failed; 2 for a usage error;
 * the certificate path (refused with its fingerprint, then trusted with
 * --accept-certificate); no password without a keyring. */

static CachetTestServers *servers;
static char *cachet_path;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs `cachet ARGS...` with @input on standard input (NULL: none). */
static void
run_cachet (Run                *run,
            const char         *input,
            const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                               | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "C", TRUE);
  /* No keyring: whatever the test runs under. */
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS",
                                "unix:path=/nonexistent/bus", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_ptr_array_add (argv, cachet_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  child = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (child, input ? input : "", NULL, &run->out, &run->err,
                                 &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_exit_status (child);
  g_test_message ("status %d\nout: %s\nerr: %s", run->status, run->out, run->err);
}

static void
save_account (guint16     port,
              const char *ca_file)
{
  const CachetTestUser *alice = cachet_test_servers_get_user (servers, "alice");
  g_autoptr(CachetAccount) account = test_account_new (alice, "Alice", servers->host, port,
                                                       CACHET_SECURITY_TLS, ca_file);
  test_account_save (account);
}

static void
fill (guint n)
{
  g_autoptr(GError) error = NULL;
  const CachetTestUser *alice = cachet_test_servers_get_user (servers, "alice");
  g_autofree char *cur = g_build_filename (alice->maildir, "cur", NULL);
  g_autofree char *new = g_build_filename (alice->maildir, "new", NULL);
  const char *dirs[] = { cur, new };

  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autoptr(GDir) dir = g_dir_open (dirs[i], 0, NULL);
      const char *name;
      while (dir && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *file = g_build_filename (dirs[i], name, NULL);
          g_unlink (file);
        }
    }
  g_assert_true (cachet_test_servers_fill (servers, "alice", 1, n, 4000, &error));
  g_assert_no_error (error);
}

static void
test_usage_and_accounts (void)
{
  g_auto(Run) none = { 0 };
  g_auto(Run) two = { 0 };
  g_auto(Run) unknown = { 0 };
  g_auto(Run) help = { 0 };
  const char *fetch[] = { "fetch", NULL };
  const char *fetch_two[] = { "fetch", "a", "b", NULL };
  const char *fetch_unknown[] = { "fetch", "nobody", NULL };
  const char *top_help[] = { "--help", NULL };

  run_cachet (&help, NULL, top_help);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "fetch [ACCOUNT]"));

  run_cachet (&none, NULL, fetch);
  g_assert_cmpint (none.status, ==, 1);
  g_assert_nonnull (strstr (none.err, "no accounts"));

  run_cachet (&two, NULL, fetch_two);
  g_assert_cmpint (two.status, ==, 2);

  save_account (servers->pop3s_port, servers->ca_file);
  run_cachet (&unknown, NULL, fetch_unknown);
  g_assert_cmpint (unknown.status, ==, 1);
  g_assert_nonnull (strstr (unknown.err, "“nobody”"));
}

static void
test_fetch_and_again (void)
{
  g_auto(Run) first = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) wrong = { 0 };
  g_auto(Run) no_password = { 0 };
  const char *by_name[] = { "fetch", "alice", "--password-stdin", NULL };
  const char *all[] = { "fetch", NULL };

  save_account (servers->pop3s_port, servers->ca_file);
  fill (12);
  run_cachet (&first, "secret-alice\n", by_name);
  g_assert_cmpint (first.status, ==, 0);
  g_assert_cmpstr (first.out, ==, "12 new messages\n");
  /* Not a terminal: progress as plain lines, no carriage returns. */
  g_assert_nonnull (strstr (first.err, "Alice: "));
  g_assert_null (strchr (first.err, '\r'));

  run_cachet (&again, "secret-alice\n", by_name);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_cmpstr (again.out, ==, "0 new messages\n");

  run_cachet (&wrong, "not-the-password\n", by_name);
  g_assert_cmpint (wrong.status, ==, 1);
  g_assert_nonnull (strstr (wrong.err, "refused the login"));

  /* No keyring and no --password-stdin: said, not asked. */
  run_cachet (&no_password, NULL, all);
  g_assert_cmpint (no_password.status, ==, 1);
  g_assert_nonnull (strstr (no_password.err, "no password"));
  g_assert_nonnull (strstr (no_password.err, "--password-stdin"));
}

static void
test_certificate (void)
{
  const CachetTestCertInfo *cert = &servers->certs[CACHET_TEST_CERT_SELF_SIGNED];
  g_auto(Run) refused = { 0 };
  g_auto(Run) wrong_pin = { 0 };
  g_auto(Run) accepted = { 0 };
  g_auto(Run) later = { 0 };
  g_autoptr(CachetAccountList) list = cachet_account_list_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *plain[] = { "fetch", "alice", "--password-stdin", NULL };
  const char *other[] = { "fetch", "alice", "--password-stdin", "--accept-certificate",
                          "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
                          NULL };
  const char *accept[] = { "fetch", "alice", "--password-stdin", "--accept-certificate",
                           cert->sha256, NULL };

  save_account (cert->pop3s_port, NULL);
  fill (3);
  run_cachet (&refused, "secret-alice\n", plain);
  g_assert_cmpint (refused.status, ==, 1);
  g_assert_nonnull (strstr (refused.err, "--accept-certificate"));
  g_assert_nonnull (strstr (refused.err, cert->sha256));

  /* Another fingerprint than the server's: nothing is trusted. */
  run_cachet (&wrong_pin, "secret-alice\n", other);
  g_assert_cmpint (wrong_pin.status, ==, 1);

  run_cachet (&accepted, "secret-alice\n", accept);
  g_assert_cmpint (accepted.status, ==, 0);
  g_assert_cmpstr (accepted.out, ==, "3 new messages\n");
  g_assert_true (cachet_account_list_load (list, &error));
  g_assert_cmpstr (cachet_account_get_pop3 (cachet_account_list_find (list, "alice"))
                     ->pinned_sha256, ==, cert->sha256);

  run_cachet (&later, "secret-alice\n", plain);
  g_assert_cmpint (later.status, ==, 0);
  g_assert_cmpstr (later.out, ==, "0 new messages\n");
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *skip = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--cachet="))
      cachet_path = g_strdup (argv[i] + strlen ("--cachet="));
  if (cachet_path == NULL)
    return cachet_test_skip_all ("no --cachet=PATH given");
  servers = cachet_test_servers_start (CACHET_TEST_SERVERS_ALT, &skip, &error);
  if (skip != NULL)
    return cachet_test_skip_all (skip);
  g_assert_no_error (error);

  g_test_add_func ("/fetch/cli/usage-and-accounts", test_usage_and_accounts);
  g_test_add_func ("/fetch/cli/fetch-and-again", test_fetch_and_again);
  g_test_add_func ("/fetch/cli/certificate", test_certificate);
  status = g_test_run ();
  cachet_test_servers_free (servers);
  return status;
}
