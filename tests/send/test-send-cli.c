/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cachet-test-servers.h"
#include "send-test-util.h"

/* `cachet send` as a script uses it, against the real Postfix: the envelope from To, Cc and
 * Bcc with the Bcc header taken out, the account found by From, the exit status and the
 * reason of a failure, usage errors, and --accept-certificate for an outgoing server whose
 * certificate cannot be verified (self-signed): trusted only with the fingerprint the
 * server presented, and never when it replaced a pinned one. */

static CachetTestServers *servers;
static char *cachet_path;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}

static Result
run_cachet (const char         *stdin_text,
            const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                               | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  Result r = { 0 };

  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_ptr_array_add (argv, cachet_path);
  g_ptr_array_add (argv, (gpointer) "send");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  child = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (child, stdin_text ? stdin_text : "", NULL,
                                                &r.out, &r.err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (child));
  r.status = g_subprocess_get_exit_status (child);
  return r;
}

static const CachetTestUser *
user (const char *name)
{
  return cachet_test_servers_get_user (servers, name);
}

static char *
write_file (const char *name,
            const char *text)
{
  char *path = g_build_filename (g_get_user_cache_dir (), name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
save_accounts (void)
{
  g_autoptr(CachetAccountList) list = cachet_account_list_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetAccount) alice = NULL;
  g_autoptr(CachetAccount) bob = NULL;

  g_assert_true (cachet_account_list_load (list, &error));
  if (cachet_account_list_find (list, "cli-alice") != NULL)
    return;
  alice = send_test_account (servers, list, "cli-alice", "alice", servers->submission_port,
                             CACHET_SECURITY_STARTTLS, CACHET_AUTH_AUTO, NULL);
  bob = send_test_account (servers, list, "cli-bob", "bob", servers->smtps_port,
                           CACHET_SECURITY_TLS, CACHET_AUTH_AUTO, NULL);
  g_assert_true (cachet_account_list_save (list, &error));
  g_assert_no_error (error);
}

/* The delivered message with @tag in @name's mailbox. */
static GBytes *
delivered (const char *name,
           const char *tag)
{
  g_autoptr(GPtrArray) all = cachet_test_servers_read_mailbox (servers, name, NULL);
  g_autofree char *needle = g_strdup_printf ("<%s@cachet-test.example.test>", tag);

  for (guint i = 0; all != NULL && i < all->len; i++)
    {
      GBytes *b = g_ptr_array_index (all, i);
      g_autofree char *text = g_strndup (g_bytes_get_data (b, NULL), g_bytes_get_size (b));
      if (strstr (text, needle) != NULL)
        return g_bytes_ref (b);
    }
  return NULL;
}

static void
test_bcc (void)
{
  g_autofree char *text = NULL;
  g_autofree char *without_bcc = NULL;
  g_autofree char *file = NULL;
  g_autofree char *password = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GBytes) to_bob = NULL;
  g_autoptr(GBytes) to_carol = NULL;
  g_autofree char *why = NULL;
  const char *args[] = { NULL, "--password-stdin", NULL };
  Result r;

  if (servers == NULL)
    {
      g_test_skip ("the test mail servers are not running");
      return;
    }
  save_accounts ();
  /* CRLF line ends, a folded Bcc header in the middle: sent with LF, without the Bcc. */
  text = g_strdup_printf ("From: Alice <%s>\r\nTo: Bob <%s>\r\nBcc: Carol\r\n <%s>,\r\n"
                          "  sink@example.test\r\nSubject: cli-bcc\r\n"
                          "Message-ID: <cli-bcc@cachet-test.example.test>\r\n"
                          "Date: Mon, 01 Jun 2026 10:00:00 +0200\r\n\r\nHello Bob.\r\n"
                          "Bcc: this is the body, not a header\r\n",
                          user ("alice")->login, user ("bob")->login, user ("carol")->login);
  without_bcc = g_strdup_printf ("From: Alice <%s>\nTo: Bob <%s>\nSubject: cli-bcc\n"
                                 "Message-ID: <cli-bcc@cachet-test.example.test>\n"
                                 "Date: Mon, 01 Jun 2026 10:00:00 +0200\n\nHello Bob.\n"
                                 "Bcc: this is the body, not a header\n",
                                 user ("alice")->login, user ("bob")->login);
  expected = g_bytes_new (without_bcc, strlen (without_bcc));
  file = write_file ("bcc.eml", text);
  args[0] = file;
  password = g_strconcat (user ("alice")->password, "\n", NULL);
  r = run_cachet (password, args);
  if (r.status != 0)
    g_error ("cachet send failed (%d): %s", r.status, r.err);
  g_assert_nonnull (strstr (r.out, "1 message sent"));
  result_clear (&r);

  send_test_wait_queue_empty (servers);
  to_bob = delivered ("bob", "cli-bcc");
  to_carol = delivered ("carol", "cli-bcc");
  g_assert_nonnull (to_bob);
  g_assert_nonnull (to_carol);
  g_assert_cmpuint (send_test_count_tag (user ("sink")->maildir, "cli-bcc"), ==, 1);
  if (!send_test_same_below_trace (expected, to_bob, &why)
      || !send_test_same_below_trace (expected, to_carol, &why))
    g_error ("%s", why);
}

/* From names bob: bob's account sends it (Postfix notes who logged in). */
static void
test_account_by_from (void)
{
  g_autofree char *text = NULL;
  g_autofree char *file = NULL;
  g_autofree char *password = NULL;
  g_autoptr(GBytes) got = NULL;
  g_autofree char *got_text = NULL;
  g_autofree char *authenticated = NULL;
  const char *args[] = { NULL, "--password-stdin", NULL };
  Result r;

  if (servers == NULL)
    {
      g_test_skip ("the test mail servers are not running");
      return;
    }
  save_accounts ();
  text = g_strdup_printf ("From: %s\nTo: %s\nSubject: cli-from\n"
                          "Message-ID: <cli-from@cachet-test.example.test>\n\nHi.\n",
                          user ("bob")->login, user ("alice")->login);
  file = write_file ("from.eml", text);
  args[0] = file;
  password = g_strconcat (user ("bob")->password, "\n", NULL);
  r = run_cachet (password, args);
  if (r.status != 0)
    g_error ("cachet send failed (%d): %s", r.status, r.err);
  result_clear (&r);
  send_test_wait_queue_empty (servers);
  got = delivered ("alice", "cli-from");
  g_assert_nonnull (got);
  got_text = g_strndup (g_bytes_get_data (got, NULL), g_bytes_get_size (got));
  authenticated = g_strdup_printf ("Authenticated sender: %s", user ("bob")->login);
  g_assert_nonnull (strstr (got_text, authenticated));
}

static void
test_wrong_password (void)
{
  g_autofree char *text = NULL;
  g_autofree char *file = NULL;
  const char *args[] = { NULL, "--account", "cli-alice", "--password-stdin", NULL };
  Result r;

  if (servers == NULL)
    {
      g_test_skip ("the test mail servers are not running");
      return;
    }
  save_accounts ();
  text = g_strdup_printf ("From: %s\nTo: %s\nSubject: cli-badpw\n"
                          "Message-ID: <cli-badpw@cachet-test.example.test>\n\nHi.\n",
                          user ("alice")->login, user ("bob")->login);
  file = write_file ("badpw.eml", text);
  args[0] = file;
  r = run_cachet ("wrong\n", args);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "535"));
  g_assert_nonnull (strstr (r.err, "stays in the Outbox"));
  g_assert_nonnull (strstr (r.out, "0 messages sent"));
  result_clear (&r);
}

static void
test_bad_input (void)
{
  g_autofree char *no_rcpt = write_file ("norcpt.eml", "From: a@example.test\nSubject: x\n\n"
                                                       "No recipients.\n");
  g_autofree char *missing = g_build_filename (g_get_user_cache_dir (), "missing.eml", NULL);
  const char *two_files[] = { "a.eml", "b.eml", NULL };
  const char *bad_option[] = { "--no-such-option", NULL };
  const char *norcpt_args[] = { no_rcpt, "--account", "cli-alice", NULL };
  const char *missing_args[] = { missing, NULL };
  const char *unknown_account[] = { no_rcpt, "--account", "nobody-here", NULL };
  Result r;

  r = run_cachet (NULL, two_files);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);
  r = run_cachet (NULL, bad_option);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);
  r = run_cachet (NULL, norcpt_args);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "no recipient"));
  result_clear (&r);
  r = run_cachet (NULL, missing_args);
  g_assert_cmpint (r.status, ==, 1);
  result_clear (&r);
  if (servers != NULL)
    {
      g_autofree char *ok = write_file ("unknown.eml", "From: a@example.test\n"
                                                       "To: b@example.test\n\nx\n");
      unknown_account[0] = ok;
      save_accounts ();
      r = run_cachet (NULL, unknown_account);
      g_assert_cmpint (r.status, ==, 1);
      g_assert_nonnull (strstr (r.err, "nobody-here"));
      result_clear (&r);
    }
}

/* The account @id as the accounts file has it now. */
static const char *
pinned (const char *id)
{
  static CachetAccountList *list;
  g_autoptr(GError) error = NULL;

  g_clear_object (&list);
  list = cachet_account_list_new (NULL);
  g_assert_true (cachet_account_list_load (list, &error));
  g_assert_no_error (error);
  return cachet_account_get_smtp (cachet_account_list_find (list, id))->pinned_sha256;
}

static void
set_port (const char *id,
          guint16     port)
{
  g_autoptr(CachetAccountList) list = cachet_account_list_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (cachet_account_list_load (list, &error));
  send_test_set_port (cachet_account_list_find (list, id), port);
  g_assert_true (cachet_account_list_save (list, &error));
  g_assert_no_error (error);
}

static void
test_accept_certificate (void)
{
  const CachetTestCertInfo *self_signed = &servers->certs[CACHET_TEST_CERT_SELF_SIGNED];
  const CachetTestCertInfo *other = &servers->certs[CACHET_TEST_CERT_SELF_SIGNED_2];
  const CachetTestCertInfo *good = &servers->certs[CACHET_TEST_CERT_GOOD];
  g_autoptr(CachetAccountList) list = cachet_account_list_new (NULL);
  g_autoptr(CachetAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *file = NULL;
  g_autofree char *password = NULL;
  g_autofree char *colons = NULL;
  const char *first[] = { NULL, "--account", "cli-self", "--password-stdin", NULL };
  const char *wrong[] = { "--account", "cli-self", "--password-stdin", "--accept-certificate",
                          good->sha256, NULL };
  const char *right[] = { "--account", "cli-self", "--password-stdin", "--accept-certificate",
                          NULL, NULL };
  const char *changed[] = { NULL, "--account", "cli-self", "--password-stdin",
                            "--accept-certificate", other->sha256, NULL };
  Result r;

  if (servers == NULL || self_signed->smtps_port == 0)
    {
      g_test_skip ("the test mail servers are not running");
      return;
    }
  /* Implicit TLS to the listener with a self-signed certificate for 127.0.0.1. */
  g_assert_true (cachet_account_list_load (list, &error));
  account = send_test_account (servers, list, "cli-self", "alice", self_signed->smtps_port,
                               CACHET_SECURITY_TLS, CACHET_AUTH_AUTO, NULL);
  g_assert_true (cachet_account_list_save (list, &error));
  g_assert_no_error (error);
  password = g_strconcat (user ("alice")->password, "\n", NULL);
  text = g_strdup_printf ("From: %s\nTo: %s\nSubject: cli-cert\n"
                          "Message-ID: <cli-cert@cachet-test.example.test>\n\nHi.\n",
                          user ("alice")->login, user ("bob")->login);
  file = write_file ("cert.eml", text);

  /* Refused, with the fingerprint and the way to trust it. */
  first[0] = file;
  r = run_cachet (password, first);
  g_test_message ("%s", r.err);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "stays in the Outbox"));
  g_assert_nonnull (strstr (r.err, self_signed->sha256));
  g_assert_nonnull (strstr (r.err, "--accept-certificate"));
  g_assert_nonnull (strstr (r.out, "0 messages sent"));
  result_clear (&r);
  g_assert_null (pinned ("cli-self"));

  /* Another fingerprint than the one presented: nothing trusted, nothing sent. */
  r = run_cachet (password, wrong);
  g_test_message ("%s", r.err);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "nothing was trusted"));
  g_assert_null (strstr (r.err, "now trusted"));
  g_assert_nonnull (strstr (r.out, "0 messages sent"));
  result_clear (&r);
  g_assert_null (pinned ("cli-self"));
  send_test_wait_queue_empty (servers);
  g_assert_cmpuint (send_test_count_tag (user ("bob")->maildir, "cli-cert"), ==, 0);

  /* The right one (as a certificate viewer shows it): pinned, and the waiting one sent. */
  colons = g_ascii_strup (self_signed->sha256, -1);
  {
    GString *c = g_string_new (NULL);
    for (guint i = 0; colons[i] != '\0'; i++)
      {
        if (i > 0 && i % 2 == 0)
          g_string_append_c (c, ':');
        g_string_append_c (c, colons[i]);
      }
    g_free (colons);
    colons = g_string_free (c, FALSE);
  }
  right[4] = colons;
  r = run_cachet (password, right);
  g_test_message ("%s", r.err);
  if (r.status != 0)
    g_error ("cachet send failed (%d): %s", r.status, r.err);
  g_assert_nonnull (strstr (r.err, "now trusted"));
  g_assert_nonnull (strstr (r.out, "1 message sent"));
  result_clear (&r);
  g_assert_cmpstr (pinned ("cli-self"), ==, self_signed->sha256);
  send_test_wait_queue_empty (servers);
  g_assert_cmpuint (send_test_count_tag (user ("bob")->maildir, "cli-cert"), ==, 1);

  /* Pinned now: the next message goes without asking. */
  {
    g_autofree char *text2 = g_strdup_printf ("From: %s\nTo: %s\nSubject: cli-cert2\n"
                                              "Message-ID: <cli-cert2@cachet-test.example.test>"
                                              "\n\nHi.\n", user ("alice")->login,
                                              user ("bob")->login);
    g_autofree char *file2 = write_file ("cert2.eml", text2);
    first[0] = file2;
    r = run_cachet (password, first);
    if (r.status != 0)
      g_error ("cachet send failed (%d): %s", r.status, r.err);
    result_clear (&r);
  }

  /* Another self-signed certificate on that server later: refused as changed, even with
   * its own fingerprint given. */
  set_port ("cli-self", other->smtps_port);
  {
    g_autofree char *text3 = g_strdup_printf ("From: %s\nTo: %s\nSubject: cli-cert3\n"
                                              "Message-ID: <cli-cert3@cachet-test.example.test>"
                                              "\n\nHi.\n", user ("alice")->login,
                                              user ("bob")->login);
    g_autofree char *file3 = write_file ("cert3.eml", text3);
    changed[0] = file3;
    r = run_cachet (password, changed);
    g_test_message ("%s", r.err);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "changed"));
    g_assert_null (strstr (r.err, "now trusted"));
    g_assert_nonnull (strstr (r.out, "0 messages sent"));
    result_clear (&r);
  }
  g_assert_cmpstr (pinned ("cli-self"), ==, self_signed->sha256);
  send_test_wait_queue_empty (servers);
  g_assert_cmpuint (send_test_count_tag (user ("bob")->maildir, "cli-cert2"), ==, 1);
  g_assert_cmpuint (send_test_count_tag (user ("bob")->maildir, "cli-cert3"), ==, 0);
}

static void
test_accept_certificate_usage (void)
{
  const char *no_account[] = { "--accept-certificate", "00", NULL };
  const char *not_hex[] = { "--account", "x", "--accept-certificate", "abc", NULL };
  Result r;

  r = run_cachet (NULL, no_account);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);
  r = run_cachet (NULL, not_hex);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "not a SHA-256 fingerprint"));
  result_clear (&r);
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

  servers = cachet_test_servers_start (CACHET_TEST_SERVERS_ALL, &skip, &error);
  if (skip != NULL)
    return cachet_test_skip_all (skip);
  g_assert_no_error (error);

  g_test_add_func ("/send/cli/bcc", test_bcc);
  g_test_add_func ("/send/cli/account-by-from", test_account_by_from);
  g_test_add_func ("/send/cli/wrong-password", test_wrong_password);
  g_test_add_func ("/send/cli/bad-input", test_bad_input);
  g_test_add_func ("/send/cli/accept-certificate", test_accept_certificate);
  g_test_add_func ("/send/cli/accept-certificate-usage", test_accept_certificate_usage);
  status = g_test_run ();
  cachet_test_servers_free (servers);
  return status;
}
