/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "cachet-test-servers.h"
#include "send-test-util.h"

/* The kill test of sending: the real `cachet send`, against the real Postfix, killed with
 * SIGKILL at random moments, over and over, each run queueing a new message and sending
 * whatever is due; then, as the user would, the messages left in doubt are looked at (sent
 * again if they did not arrive, deleted if they did), and one clean run sends the rest.
 * After every kill no message may have arrived twice; at the end every message that made it
 * into the Outbox has arrived exactly once and is in Sent, and none is left in the Outbox.
 * The same with the store's crash hooks (CACHET_STORE_CRASH_AT) at each step of queueing
 * and sending.
 *
 * Runs are reproducible with --seed (the delays come from g_test_rand_*). */

#define N_RUNS     60
#define CRASH_EXIT 86

static CachetTestServers *servers;
static char *cachet_path;

typedef struct
{
  const CachetTestUser *to;
  char                 *files;      /* the message files given to `cachet send` */
  guint                 n;          /* messages made so far: tags kill-<prefix>-0 .. n-1 */
  const char           *prefix;
  guint                 n_doubt;
} KillRun;

static char *
tag_of (KillRun *run,
        guint    i)
{
  return g_strdup_printf ("kill-%s-%u", run->prefix, i);
}

static char *
new_message_file (KillRun *run)
{
  g_autofree char *tag = tag_of (run, run->n++);
  g_autofree char *name = g_strconcat (tag, ".eml", NULL);
  char *path = g_build_filename (run->files, name, NULL);
  g_autoptr(GBytes) m = send_test_message (cachet_test_servers_get_user (servers,
                                                                         "alice")->login,
                                           run->to->login, tag,
                                           g_test_rand_int_range (0, 10) == 0);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (m, NULL), g_bytes_get_size (m),
                                      NULL));
  return path;
}

typedef struct
{
  GSubprocess *child;
  gboolean     done;
  char        *output;
} Child;

static void
communicate_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  Child *c = data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &c->output, NULL,
                                        NULL);
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

/* Runs `cachet send [FILE] --account kill-send --password-stdin`, killed after @delay_ms
 * unless that is negative, with @crash_at for the store's hook.  Returns whether it was
 * stopped; a run that ends by itself must have sent everything. */
static gboolean
run_send (const char *file,
          int         delay_ms,
          const char *crash_at)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                               | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GError) error = NULL;
  g_autofree char *password =
    g_strconcat (cachet_test_servers_get_user (servers, "alice")->password, "\n", NULL);
  Child c = { NULL, FALSE, NULL };
  guint timer = 0;
  gboolean stopped;

  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  if (crash_at != NULL)
    g_subprocess_launcher_setenv (launcher, "CACHET_STORE_CRASH_AT", crash_at, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "CACHET_STORE_CRASH_AT");
  if (file != NULL)
    c.child = g_subprocess_launcher_spawn (launcher, &error, cachet_path, "send", file,
                                           "--account", "kill-send", "--password-stdin", NULL);
  else
    c.child = g_subprocess_launcher_spawn (launcher, &error, cachet_path, "send",
                                           "--account", "kill-send", "--password-stdin", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (c.child, password, NULL, communicate_done_cb, &c);
  if (delay_ms >= 0)
    timer = g_timeout_add (delay_ms, kill_cb, &c);
  while (!c.done)
    g_main_context_iteration (NULL, TRUE);
  if (timer != 0 && g_main_context_find_source_by_id (NULL, timer) != NULL)
    g_source_remove (timer);
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
    g_error ("cachet send failed (status %d):\n%s", g_subprocess_get_exit_status (c.child),
             c.output);
  else
    stopped = FALSE;
  g_free (c.output);
  g_object_unref (c.child);
  return stopped;
}

/* No message arrived twice (deliveries only ever add, so a late twin is caught later). */
static void
check_at_most_once (KillRun *run,
                    guint    round)
{
  for (guint i = 0; i < run->n; i++)
    {
      g_autofree char *tag = tag_of (run, i);
      guint n = send_test_count_tag (run->to->maildir, tag);

      if (n > 1)
        g_error ("round %u: %s arrived %u times", round, tag, n);
    }
}

static char *
store_dir (const char *folder)
{
  return g_build_filename (g_get_user_data_dir (), "cachet", "mail", folder, NULL);
}

static guint
count_in_folder (const char *folder,
                 const char *tag)
{
  g_autofree char *dir = store_dir (folder);
  g_autofree char *cur = g_build_filename (dir, "cur", NULL);

  if (!g_file_test (cur, G_FILE_TEST_IS_DIR))
    return 0;
  return send_test_count_tag (dir, tag);
}

static char *
tag_of_message (CachetStore *store,
                gint64       id)
{
  g_autofree char *path = cachet_store_dup_message_path (store, id, NULL);
  g_autofree char *text = NULL;
  const char *start, *end;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  start = strstr (text, "Message-ID: <");
  g_assert_nonnull (start);
  start += strlen ("Message-ID: <");
  end = strchr (start, '@');
  return g_strndup (start, end - start);
}

/* The user looks at each message in doubt: arrived, so deleted; or not, so sent again. */
static void
resolve_doubts (KillRun *run)
{
  g_autofree char *data_dir = g_build_filename (g_get_user_data_dir (), "cachet", NULL);
  g_autoptr(CachetStore) store = cachet_store_new (data_dir);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (cachet_store_open_sync (store, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  /* What the killed runs left: recorded sent moved, interrupted ones in doubt. */
  g_assert_true (cachet_store_outbox_recover_sync (store, NULL, NULL, &error));
  g_assert_no_error (error);
  records = cachet_store_outbox_list (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < records->len; i++)
    {
      CachetOutboxRecord *r = g_ptr_array_index (records, i);
      g_autofree char *tag = NULL;

      if (!r->in_doubt)
        {
          /* Nothing else may be failed: the server works all along. */
          g_assert_cmpint (r->state, ==, CACHET_OUTBOX_WAITING);
          continue;
        }
      run->n_doubt++;
      tag = tag_of_message (store, r->message_id);
      if (send_test_count_tag (run->to->maildir, tag) == 1)
        {
          g_test_message ("%s: in doubt, had arrived: deleted", tag);
          g_assert_true (cachet_store_outbox_withdraw_sync (store, r->message_id, NULL,
                                                            &error));
          g_assert_true (cachet_store_delete_sync (store, &r->message_id, 1, NULL, &error));
        }
      else
        {
          g_test_message ("%s: in doubt, had not arrived: sent again", tag);
          g_assert_true (cachet_store_outbox_retry_sync (store, r->message_id, NULL, &error));
        }
      g_assert_no_error (error);
    }
  cachet_store_close (store);
}

static void
check_final (KillRun *run)
{
  guint n_queued = 0;

  for (guint i = 0; i < run->n; i++)
    {
      g_autofree char *tag = tag_of (run, i);
      guint arrived = send_test_count_tag (run->to->maildir, tag);
      guint in_sent = count_in_folder ("Sent", tag);
      guint in_trash = count_in_folder ("Trash", tag);
      guint in_outbox = count_in_folder ("Outbox", tag);

      if (in_outbox != 0)
        g_error ("%s is still in the Outbox", tag);
      if (in_sent + in_trash > 1)
        g_error ("%s is in Sent %u times and in Trash %u times", tag, in_sent, in_trash);
      /* Queued (it reached the Outbox): arrived exactly once.  Never queued (a run killed
       * before its commit): never sent. */
      if (arrived != in_sent + in_trash)
        g_error ("%s arrived %u times, but is %s", tag, arrived,
                 in_sent + in_trash ? "in Sent or Trash" : "nowhere in the store");
      n_queued += in_sent + in_trash;
    }
  g_test_message ("%u messages made, %u queued and delivered once, %u were in doubt",
                  run->n, n_queued, run->n_doubt);
}

static void
kill_run_init (KillRun    *run,
               const char *prefix)
{
  g_autoptr(CachetAccountList) list = cachet_account_list_new (NULL);
  g_autoptr(GError) error = NULL;

  run->prefix = prefix;
  run->to = cachet_test_servers_get_user (servers, "bob");
  run->files = g_build_filename (g_get_user_cache_dir (), prefix, NULL);
  g_assert_cmpint (g_mkdir_with_parents (run->files, 0700), ==, 0);
  g_assert_true (cachet_account_list_load (list, &error));
  if (cachet_account_list_find (list, "kill-send") == NULL)
    {
      g_autoptr(CachetAccount) account =
        send_test_account (servers, list, "kill-send", "alice", servers->submission_port,
                           CACHET_SECURITY_STARTTLS, CACHET_AUTH_AUTO, NULL);
      g_assert_true (cachet_account_list_save (list, &error));
      g_assert_no_error (error);
    }
}

static void
test_kill (void)
{
  KillRun run = { 0 };
  guint killed = 0;
  int run_ms = 300;
  gint64 start = g_get_monotonic_time ();

  if (servers == NULL)
    {
      g_test_skip ("the test mail servers are not running");
      return;
    }
  kill_run_init (&run, "random");
  for (guint round = 0; round < N_RUNS; round++)
    {
      g_autofree char *file = new_message_file (&run);
      /* A moment anywhere in a run, from process start to exit: the delays follow the
       * longest run that ended by itself here, and the later half of a run (sending) gets
       * as many kills as the first (starting, queueing). */
      int delay = g_test_rand_bit () ? g_test_rand_int_range (0, run_ms / 2 + 1)
                                     : g_test_rand_int_range (run_ms / 2, run_ms + 1);
      gint64 run_start = g_get_monotonic_time ();

      if (run_send (file, delay, NULL))
        killed++;
      else
        run_ms = MAX (run_ms, (int) ((g_get_monotonic_time () - run_start) / 1000));
      check_at_most_once (&run, round);
    }
  send_test_wait_queue_empty (servers);
  check_at_most_once (&run, N_RUNS);
  resolve_doubts (&run);
  g_assert_false (run_send (NULL, -1, NULL));
  send_test_wait_queue_empty (servers);
  check_final (&run);
  g_test_message ("%u runs, %u killed before they ended, %.1f s", N_RUNS, killed,
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  g_free (run.files);
}

static void
test_crash_points (void)
{
  static const char * const steps[] = {
    "outbox:journaled", "outbox:renamed", "outbox:queued",
    "outbox:tried", "outbox:sent", "outbox:finished", "outbox:moved",
  };
  KillRun run = { 0 };

  if (servers == NULL)
    {
      g_test_skip ("the test mail servers are not running");
      return;
    }
  kill_run_init (&run, "points");
  for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autofree char *file = new_message_file (&run);

      /* The child must really stop at that step. */
      g_test_message ("stopping at %s", steps[i]);
      g_assert_true (run_send (file, -1, steps[i]));
      check_at_most_once (&run, i);
    }
  send_test_wait_queue_empty (servers);
  check_at_most_once (&run, G_N_ELEMENTS (steps));
  resolve_doubts (&run);
  /* Stopped after "trying", before the transaction: exactly that one was in doubt. */
  g_assert_cmpuint (run.n_doubt, ==, 1);
  g_assert_false (run_send (NULL, -1, NULL));
  send_test_wait_queue_empty (servers);
  check_final (&run);
  g_free (run.files);
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

  servers = cachet_test_servers_start (CACHET_TEST_SERVERS_SMTP, &skip, &error);
  if (skip != NULL)
    return cachet_test_skip_all (skip);
  g_assert_no_error (error);

  g_test_add_func ("/send/kill/random", test_kill);
  g_test_add_func ("/send/kill/store-crash-points", test_crash_points);
  status = g_test_run ();
  cachet_test_servers_free (servers);
  return status;
}
