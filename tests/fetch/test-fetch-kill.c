/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "cachet-test-servers.h"
#include "fetch-test-util.h"

/* The kill test: the real `cachet fetch`, against the real Dovecot, killed with SIGKILL at
 * random moments, over and over; then one clean fetch.  After every kill no message may be
 * lost (each is on the server or in the store) and none may be in the store twice; at the
 * end the store holds exactly the server's messages, each once, byte for byte, and with
 * delete-after-fetch the server holds none.  The same with the store's crash hooks
 * (CACHET_STORE_CRASH_AT) at each step of storing a fetched batch.
 *
 * Runs are reproducible with --seed (the delays come from g_test_rand_*). */

#define N_RUNS        50
#define N_MESSAGES    300
#define CRASH_EXIT    86

static CachetTestServers *servers;
static char *cachet_path;

typedef struct
{
  const CachetTestUser *user;
  char                 *inbox;      /* the store's Inbox directory */
  GPtrArray            *originals;  /* GBytes: every message given to the server */
  guint                 next_index;
  gboolean              keep;
} KillRun;

static GBytes *
make_message (guint index)
{
  /* Mostly small (a median of about 8 KB), now and then a larger one with an attachment's
   * size. */
  gsize size = 2000 + g_test_rand_int_range (0, 12000);

  if (g_test_rand_int_range (0, 100) < 4)
    size = 100000 + g_test_rand_int_range (0, 600000);
  return cachet_test_message_new (index, size);
}

static void
deliver (KillRun *run,
         guint    n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) m = make_message (run->next_index++);
      g_autoptr(GError) error = NULL;
      g_autofree char *path = cachet_test_servers_add_message (servers, run->user->name, m,
                                                               &error);
      g_assert_no_error (error);
      g_ptr_array_add (run->originals, g_steal_pointer (&m));
    }
}

typedef struct
{
  GSubprocess *child;
  gboolean     done;
  char        *output;
  GError      *error;
} Child;

static void
communicate_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  Child *c = data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &c->output, NULL,
                                        &c->error);
  c->done = TRUE;
}

static gboolean
kill_cb (gpointer data)
{
  Child *c = data;

  if (!c->done)
    g_subprocess_send_signal (c->child, SIGKILL);
  return G_SOURCE_REMOVE;
}

/* Runs `cachet fetch kill-test --password-stdin`, with @crash_at for the store's crash hook,
 * and kills it after @delay_ms unless that is negative.  Returns whether it was killed (or
 * stopped at the hook); a run that ends by itself must succeed. */
static gboolean
run_fetch (KillRun    *run,
           int         delay_ms,
           const char *crash_at)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                               | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GError) error = NULL;
  g_autofree char *password = g_strconcat (run->user->password, "\n", NULL);
  Child c = { NULL, FALSE, NULL, NULL };
  guint timer = 0;
  gboolean stopped;

  /* The test's own (isolated) directories: GLib does not put them in the environment. */
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  if (crash_at != NULL)
    g_subprocess_launcher_setenv (launcher, "CACHET_STORE_CRASH_AT", crash_at, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "CACHET_STORE_CRASH_AT");
  c.child = g_subprocess_launcher_spawn (launcher, &error, cachet_path, "fetch", "kill-test",
                                         "--password-stdin", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (c.child, password, NULL, communicate_done_cb, &c);
  if (delay_ms >= 0)
    timer = g_timeout_add (delay_ms, kill_cb, &c);
  while (!c.done)
    g_main_context_iteration (NULL, TRUE);
  if (timer != 0 && g_main_context_find_source_by_id (NULL, timer) != NULL)
    g_source_remove (timer);
  /* A pipe cut by the kill is not a failure of the test. */
  g_clear_error (&c.error);
  g_subprocess_wait (c.child, NULL, &error);
  g_assert_no_error (error);

  if (g_subprocess_get_if_signaled (c.child))
    {
      g_assert_cmpint (g_subprocess_get_term_sig (c.child), ==, SIGKILL);
      stopped = TRUE;
    }
  else if (crash_at != NULL && g_subprocess_get_exit_status (c.child) == CRASH_EXIT)
    stopped = TRUE;
  else if (g_subprocess_get_exit_status (c.child) != 0)
    g_error ("cachet fetch failed (status %d):\n%s", g_subprocess_get_exit_status (c.child),
             c.output);
  else
    stopped = FALSE;
  g_free (c.output);
  g_object_unref (c.child);
  return stopped;
}

/* The messages in the store's Inbox; none when a run was killed before it made the store
 * (a folder is complete once it has cur/, made last). */
static GPtrArray *
read_store (KillRun *run)
{
  g_autofree char *cur = g_build_filename (run->inbox, "cur", NULL);
  g_autoptr(GError) error = NULL;
  GPtrArray *stored;

  if (!g_file_test (cur, G_FILE_TEST_IS_DIR))
    return g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  stored = cachet_test_maildir_read (run->inbox, &error);
  g_assert_no_error (error);
  return stored;
}

static guint
count_of (GHashTable *counts,
          GBytes     *message)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, message));
}

/* No message lost, none twice, nothing that was never sent. */
static void
check_invariant (KillRun *run,
                 guint    round)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stored = read_store (run);
  g_autoptr(GPtrArray) on_server = cachet_test_servers_read_mailbox (servers, run->user->name,
                                                                     &error);
  g_autoptr(GHashTable) in_store = g_hash_table_new (g_bytes_hash, g_bytes_equal);
  g_autoptr(GHashTable) in_server = g_hash_table_new (g_bytes_hash, g_bytes_equal);
  g_autoptr(GHashTable) sent = g_hash_table_new (g_bytes_hash, g_bytes_equal);

  g_assert_no_error (error);
  for (guint i = 0; i < run->originals->len; i++)
    g_hash_table_add (sent, g_ptr_array_index (run->originals, i));
  for (guint i = 0; i < stored->len; i++)
    {
      GBytes *m = g_ptr_array_index (stored, i);
      if (!g_hash_table_contains (sent, m))
        g_error ("round %u: the store holds a message that was never sent (%" G_GSIZE_FORMAT
                 " bytes)", round, g_bytes_get_size (m));
      g_hash_table_insert (in_store, m, GUINT_TO_POINTER (count_of (in_store, m) + 1));
    }
  for (guint i = 0; i < on_server->len; i++)
    g_hash_table_add (in_server, g_ptr_array_index (on_server, i));
  for (guint i = 0; i < run->originals->len; i++)
    {
      GBytes *m = g_ptr_array_index (run->originals, i);
      guint n = count_of (in_store, m);

      if (n > 1)
        g_error ("round %u: message %u is in the store %u times", round, i, n);
      if (n == 0 && !g_hash_table_contains (in_server, m))
        g_error ("round %u: message %u is lost: neither on the server nor stored", round, i);
      if (run->keep && !g_hash_table_contains (in_server, m))
        g_error ("round %u: message %u was deleted on the server, though the account keeps "
                 "mail there", round, i);
    }
}

static void
check_final (KillRun *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stored = read_store (run);
  g_autoptr(GPtrArray) on_server = cachet_test_servers_read_mailbox (servers, run->user->name,
                                                                     &error);

  g_assert_no_error (error);
  test_assert_same_messages (run->originals, stored);
  if (run->keep)
    test_assert_same_messages (run->originals, on_server);
  else
    g_assert_cmpuint (on_server->len, ==, 0);
}

static void
clear_server (const CachetTestUser *user)
{
  static const char * const subs[] = { "cur", "new" };

  for (gsize i = 0; i < G_N_ELEMENTS (subs); i++)
    {
      g_autofree char *path = g_build_filename (user->maildir, subs[i], NULL);
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *file = g_build_filename (path, name, NULL);
          g_unlink (file);
        }
    }
}

/* The account, in the accounts file the child reads; a store of its own per test (the
 * isolated data directory). */
static void
kill_run_init (KillRun  *run,
               gboolean  keep)
{
  g_autoptr(CachetAccount) account = NULL;
  g_autoptr(CachetAccountList) list = cachet_account_list_new (NULL);
  g_autoptr(GError) error = NULL;

  run->user = cachet_test_servers_get_user (servers, keep ? "bob" : "alice");
  run->inbox = g_build_filename (g_get_user_data_dir (), "cachet", "mail", "Inbox", NULL);
  run->originals = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  run->next_index = 1;
  run->keep = keep;
  clear_server (run->user);

  account = test_account_new (run->user, "kill-test", servers->host, servers->pop3s_port,
                              CACHET_SECURITY_TLS, servers->ca_file);
  cachet_account_set_server_policy (account, keep ? CACHET_KEEP_ON_SERVER
                                                  : CACHET_DELETE_AFTER_FETCH);
  g_assert_true (cachet_account_list_load (list, &error));
  if (cachet_account_list_find (list, "kill-test") == NULL)
    test_account_save (account);
}

static void
kill_run_clear (KillRun *run)
{
  g_free (run->inbox);
  g_ptr_array_unref (run->originals);
}

static void
test_kill (gconstpointer data)
{
  gboolean keep = GPOINTER_TO_INT (data);
  KillRun run = { 0 };
  guint killed = 0;
  int run_ms = 300;
  gint64 start = g_get_monotonic_time ();

  if (servers == NULL)
    {
      g_test_skip ("the test mail servers are not running");
      return;
    }
  kill_run_init (&run, keep);
  /* Keep: everything is there from the start and later runs find it half fetched.  Delete:
   * half at the start, the rest arriving between the runs, so every run has work. */
  deliver (&run, keep ? N_MESSAGES : N_MESSAGES / 2);
  for (guint round = 0; round < N_RUNS; round++)
    {
      /* A moment anywhere in a run: the delays follow how long a run takes here (the last
       * one that ended by itself), from process start to exit. */
      int delay = g_test_rand_int_range (0, run_ms + 1);
      gint64 run_start = g_get_monotonic_time ();

      if (!keep)
        deliver (&run, N_MESSAGES / 2 / N_RUNS);
      if (run_fetch (&run, delay, NULL))
        killed++;
      else
        run_ms = MAX (10, (int) ((g_get_monotonic_time () - run_start) / 1000));
      check_invariant (&run, round);
    }
  g_assert_false (run_fetch (&run, -1, NULL));
  check_final (&run);
  g_test_message ("%u runs, %u killed before they ended, %.1f s", N_RUNS, killed,
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  kill_run_clear (&run);
}

static void
test_crash_points (void)
{
  static const char * const steps[] = {
    "fetch:tmp-written", "fetch:synced", "fetch:renamed", "fetch:committed",
  };
  KillRun run = { 0 };

  if (servers == NULL)
    {
      g_test_skip ("the test mail servers are not running");
      return;
    }
  kill_run_init (&run, FALSE);
  for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      deliver (&run, 20);
      /* The child must really stop at that step. */
      g_assert_true (run_fetch (&run, -1, steps[i]));
      check_invariant (&run, i);
    }
  g_assert_false (run_fetch (&run, -1, NULL));
  check_final (&run);
  kill_run_clear (&run);
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

  servers = cachet_test_servers_start (CACHET_TEST_SERVERS_POP3, &skip, &error);
  if (skip != NULL)
    return cachet_test_skip_all (skip);
  g_assert_no_error (error);

  g_test_add_data_func ("/fetch/kill/delete-after-fetch", GINT_TO_POINTER (FALSE), test_kill);
  g_test_add_data_func ("/fetch/kill/keep-on-server", GINT_TO_POINTER (TRUE), test_kill);
  g_test_add_func ("/fetch/kill/store-crash-points", test_crash_points);
  status = g_test_run ();
  cachet_test_servers_free (servers);
  return status;
}
