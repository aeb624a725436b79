/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cachet-secrets.h"
#include "private-bus.h"

/* The keyring wrapper against real keyrings:
 *   /secrets/keyring/...   the gnome-keyring of tests/run-headless.sh's private session;
 *                          skipped outside it, so that a developer's own keyring is never
 *                          touched;
 *   /secrets/no-service/..., /secrets/locked/..., /secrets/timeout/..., /secrets/session/...
 *                          each in a child process with a bus of its own (or none): no bus,
 *                          a bus without a keyring, a gnome-keyring that is locked, a
 *                          Secret Service that never answers. */

#define PASSWORD "pässwörd with spaces & symbols \"'\\ 🔑"

static char *
unique_id (const char *what)
{
  return g_strdup_printf ("test-%s-%d", what, (int) getpid ());
}

static gboolean
in_test_session (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean has = FALSE;

  /* Only the wrapper's session: never a developer's desktop keyring. */
  if (g_getenv ("CACHET_HEADLESS_DIR") == NULL || g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    return FALSE;
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has);
  return has;
}

#define REQUIRE_TEST_SESSION()                                                             \
  G_STMT_START {                                                                           \
    if (!in_test_session ())                                                               \
      {                                                                                    \
        g_test_skip ("needs the keyring of tests/run-headless.sh (org.freedesktop.secrets " \
                     "in its private session bus)");                                       \
        return;                                                                            \
      }                                                                                    \
  } G_STMT_END

/* Runs this test again in a child process, where it may change the environment. */
static gboolean
run_in_child (void)
{
  const char *missing;

  if (g_test_subprocess ())
    return TRUE;
  missing = private_bus_missing_tool ();
  if (missing != NULL)
    {
      g_autofree char *why = g_strdup_printf ("%s is not installed", missing);
      g_test_skip (why);
      return FALSE;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  return FALSE;
}

static void
assert_error_without_password (GError     *error,
                               GQuark      domain,
                               int         code,
                               const char *says)
{
  g_assert_error (error, domain, code);
  g_assert_null (strstr (error->message, PASSWORD));
  g_assert_null (strstr (error->message, "pässwörd"));
  if (says != NULL)
    g_assert_nonnull (strstr (error->message, says));
}

/* The test session's keyring ---------------------------------------------------------------- */

static void
test_keyring_round_trip (void)
{
  g_autofree char *id = unique_id ("round-trip");
  CachetSecretKey key = { id, "pop3", "pop.example.test", "alice@example.test" };
  CachetSecretKey smtp = { id, "smtp", "smtp.example.test", "alice@example.test" };
  g_autoptr(GError) error = NULL;
  char *password;

  REQUIRE_TEST_SESSION ();

  password = cachet_secrets_lookup_sync (&key, 0, NULL, &error);
  g_assert_null (password);
  assert_error_without_password (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NOT_FOUND,
                                 "alice@example.test");
  g_clear_error (&error);

  g_assert_true (cachet_secrets_store_sync (&key, PASSWORD, 0, NULL, &error));
  g_assert_no_error (error);
  password = cachet_secrets_lookup_sync (&key, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, PASSWORD);
  cachet_secrets_password_free (password);

  /* Another server of the same account is another entry. */
  password = cachet_secrets_lookup_sync (&smtp, 0, NULL, &error);
  g_assert_error (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (cachet_secrets_store_sync (&smtp, "other", 0, NULL, &error));
  g_assert_no_error (error);

  /* Storing again replaces. */
  g_assert_true (cachet_secrets_store_sync (&key, "changed", 0, NULL, &error));
  g_assert_no_error (error);
  password = cachet_secrets_lookup_sync (&key, 0, NULL, &error);
  g_assert_cmpstr (password, ==, "changed");
  cachet_secrets_password_free (password);

  g_assert_true (cachet_secrets_clear_sync (&key, 0, NULL, &error));
  g_assert_no_error (error);
  password = cachet_secrets_lookup_sync (&key, 0, NULL, &error);
  g_assert_null (password);
  g_assert_error (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Nothing to clear is not an error. */
  g_assert_true (cachet_secrets_clear_sync (&key, 0, NULL, &error));
  g_assert_no_error (error);

  password = cachet_secrets_lookup_sync (&smtp, 0, NULL, &error);
  g_assert_cmpstr (password, ==, "other");
  cachet_secrets_password_free (password);
  g_assert_true (cachet_secrets_clear_sync (&smtp, 0, NULL, &error));
}

/* Our own schema, and nothing of the password in the item's label or attributes. */
static void
test_keyring_schema (void)
{
  g_autofree char *id = unique_id ("schema");
  CachetSecretKey key = { id, "pop3", "pop.example.test", "bob" };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;
  char *argv[] = { (char *) "secret-tool", (char *) "search", (char *) "--all",
                   (char *) "account-id", id, NULL };

  REQUIRE_TEST_SESSION ();

  g_assert_true (cachet_secrets_store_sync (&key, PASSWORD, 0, NULL, &error));
  g_assert_no_error (error);
  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                     &error))
    {
      g_test_skip ("secret-tool is not installed");
      cachet_secrets_clear_sync (&key, 0, NULL, NULL);
      return;
    }
  /* secret-tool prints the item to stdout, its attributes to stderr. */
  g_test_message ("%s%s", out, err);
  g_assert_nonnull (strstr (out, "schema = org.cachet.Cachet.Password"));
  g_assert_nonnull (strstr (err, "attribute.account-id = "));
  g_assert_nonnull (strstr (err, "attribute.protocol = pop3"));
  g_assert_nonnull (strstr (err, "attribute.host = pop.example.test"));
  g_assert_nonnull (strstr (err, "attribute.user = bob"));
  g_assert_nonnull (strstr (out, "label = Cachet: bob on pop.example.test (POP3)"));
  /* The password is the secret, and nowhere else. */
  g_assert_nonnull (strstr (out, "secret = " PASSWORD "\n"));
  g_assert_null (strstr (strstr (out, "secret = ") + strlen ("secret = " PASSWORD), PASSWORD));
  g_assert_true (strstr (out, PASSWORD) == strstr (out, "secret = ") + strlen ("secret = "));
  g_assert_null (strstr (err, PASSWORD));
  g_assert_true (cachet_secrets_clear_sync (&key, 0, NULL, &error));
}

typedef struct
{
  GMainLoop *loop;
  char      *password;
  GError    *error;
} AsyncResult;

static void
lookup_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  AsyncResult *r = data;

  r->password = cachet_secrets_lookup_finish (result, &r->error);
  g_main_loop_quit (r->loop);
}

static void
store_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  AsyncResult *r = data;

  cachet_secrets_store_finish (result, &r->error);
  g_main_loop_quit (r->loop);
}

static void
clear_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  AsyncResult *r = data;

  cachet_secrets_clear_finish (result, &r->error);
  g_main_loop_quit (r->loop);
}

static void
test_keyring_async (void)
{
  g_autofree char *id = unique_id ("async");
  CachetSecretKey key = { id, "smtp", "::1", "carol" };
  AsyncResult r = { g_main_loop_new (NULL, FALSE), NULL, NULL };

  REQUIRE_TEST_SESSION ();

  cachet_secrets_store_async (&key, PASSWORD, 0, NULL, store_done_cb, &r);
  g_main_loop_run (r.loop);
  g_assert_no_error (r.error);

  cachet_secrets_lookup_async (&key, 0, NULL, lookup_done_cb, &r);
  g_main_loop_run (r.loop);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.password, ==, PASSWORD);
  cachet_secrets_password_free (r.password);
  r.password = NULL;

  /* Cancelled before it starts. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_cancellable_cancel (cancellable);
    cachet_secrets_lookup_async (&key, 0, cancellable, lookup_done_cb, &r);
    g_main_loop_run (r.loop);
    g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (r.password);
    g_clear_error (&r.error);
  }

  cachet_secrets_clear_async (&key, 0, NULL, clear_done_cb, &r);
  g_main_loop_run (r.loop);
  g_assert_no_error (r.error);
  g_main_loop_unref (r.loop);
}

static gpointer
lookup_worker (gpointer data)
{
  const CachetSecretKey *key = data;

  return cachet_secrets_lookup_sync (key, 0, NULL, NULL);
}

/* A worker thread without a main loop, while the main thread waits for it and does not
 * run the default main context either. */
static void
test_keyring_sync_in_thread (void)
{
  g_autofree char *id = unique_id ("thread");
  CachetSecretKey key = { id, "pop3", "127.0.0.1", "dave" };
  g_autoptr(GError) error = NULL;
  GThread *threads[4];

  REQUIRE_TEST_SESSION ();

  g_assert_true (cachet_secrets_store_sync (&key, PASSWORD, 0, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("lookup", lookup_worker, &key);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      char *password = g_thread_join (threads[i]);

      g_assert_cmpstr (password, ==, PASSWORD);
      cachet_secrets_password_free (password);
    }
  g_assert_true (cachet_secrets_clear_sync (&key, 0, NULL, &error));
}

/* The session memory ------------------------------------------------------------------------ */

static void
test_session_memory (void)
{
  CachetSecretKey key = { "home", "pop3", "pop.example.test", "me" };
  CachetSecretKey smtp = { "home", "smtp", "pop.example.test", "me" };
  g_autoptr(GError) error = NULL;
  char *password;

  if (!run_in_child ())
    return;

  /* No keyring at all, as when the user chose "for this session only". */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/cachet-test-bus", TRUE);
  g_unsetenv ("DISPLAY");

  cachet_secrets_remember_for_session (&key, "first");
  cachet_secrets_remember_for_session (&key, PASSWORD);
  password = cachet_secrets_lookup_sync (&key, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, PASSWORD);
  cachet_secrets_password_free (password);

  /* Asynchronously too, and each lookup gets its own copy. */
  {
    AsyncResult r = { g_main_loop_new (NULL, FALSE), NULL, NULL };

    cachet_secrets_lookup_async (&key, 0, NULL, lookup_done_cb, &r);
    g_main_loop_run (r.loop);
    g_assert_no_error (r.error);
    g_assert_cmpstr (r.password, ==, PASSWORD);
    cachet_secrets_password_free (r.password);
    g_main_loop_unref (r.loop);
  }

  /* Only for that key. */
  password = cachet_secrets_lookup_sync (&smtp, 0, NULL, &error);
  g_assert_null (password);
  assert_error_without_password (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NO_SERVICE,
                                 NULL);
  g_clear_error (&error);

  /* A failed store keeps the session copy. */
  g_assert_false (cachet_secrets_store_sync (&key, "new", 0, NULL, &error));
  assert_error_without_password (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NO_SERVICE,
                                 NULL);
  g_clear_error (&error);
  password = cachet_secrets_lookup_sync (&key, 0, NULL, &error);
  g_assert_cmpstr (password, ==, PASSWORD);
  cachet_secrets_password_free (password);

  /* Clearing drops the session copy even when the keyring cannot be reached. */
  g_assert_false (cachet_secrets_clear_sync (&key, 0, NULL, &error));
  g_clear_error (&error);
  password = cachet_secrets_lookup_sync (&key, 0, NULL, &error);
  g_assert_null (password);
  g_assert_error (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NO_SERVICE);
  g_clear_error (&error);

  cachet_secrets_remember_for_session (&key, "again");
  cachet_secrets_forget_session ();
  password = cachet_secrets_lookup_sync (&key, 0, NULL, &error);
  g_assert_null (password);
  g_assert_error (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NO_SERVICE);
}

/* No service -------------------------------------------------------------------------------- */

static void
test_no_bus (void)
{
  CachetSecretKey key = { "home", "pop3", "pop.example.test", "me" };
  g_autoptr(GError) error = NULL;

  if (!run_in_child ())
    return;

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/cachet-test-bus", TRUE);
  g_unsetenv ("DISPLAY");

  g_assert_null (cachet_secrets_lookup_sync (&key, 0, NULL, &error));
  g_test_message ("%s", error->message);
  assert_error_without_password (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NO_SERVICE,
                                 "session bus");
  g_clear_error (&error);
  g_assert_false (cachet_secrets_store_sync (&key, PASSWORD, 0, NULL, &error));
  assert_error_without_password (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NO_SERVICE,
                                 "session bus");
  g_clear_error (&error);
  g_assert_false (cachet_secrets_clear_sync (&key, 0, NULL, &error));
  assert_error_without_password (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NO_SERVICE,
                                 NULL);
}

static void
test_no_provider (void)
{
  CachetSecretKey key = { "home", "pop3", "pop.example.test", "me" };
  g_autoptr(GError) error = NULL;
  PrivateBus *bus;

  if (!run_in_child ())
    return;

  bus = private_bus_start (FALSE, FALSE);   /* nothing can be started on it */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus->address, TRUE);

  g_assert_null (cachet_secrets_lookup_sync (&key, 0, NULL, &error));
  g_test_message ("%s", error->message);
  assert_error_without_password (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NO_SERVICE,
                                 "No keyring");
  g_clear_error (&error);
  g_assert_false (cachet_secrets_store_sync (&key, PASSWORD, 0, NULL, &error));
  assert_error_without_password (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NO_SERVICE,
                                 "No keyring");
  private_bus_stop (bus);
}

/* Locked ------------------------------------------------------------------------------------ */

/* A real gnome-keyring, locked; its unlock prompt cannot be shown (no display). */
static void
test_locked (void)
{
  CachetSecretKey key = { "home", "pop3", "pop.example.test", "me" };
  g_autoptr(GError) error = NULL;
  PrivateBus *bus;
  char *password;

  if (!run_in_child ())
    return;

  bus = private_bus_start (TRUE, FALSE);
  private_bus_start_keyring (bus, "keyring-password");
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus->address, TRUE);
  g_unsetenv ("DISPLAY");

  g_assert_true (cachet_secrets_store_sync (&key, PASSWORD, 0, NULL, &error));
  g_assert_no_error (error);
  password = cachet_secrets_lookup_sync (&key, 0, NULL, &error);
  g_assert_cmpstr (password, ==, PASSWORD);
  cachet_secrets_password_free (password);

  private_bus_lock_keyring (bus);
  password = cachet_secrets_lookup_sync (&key, 0, NULL, &error);
  g_assert_null (password);
  g_test_message ("%s", error->message);
  assert_error_without_password (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_LOCKED,
                                 "locked");
  g_clear_error (&error);
  g_assert_false (cachet_secrets_store_sync (&key, "new", 0, NULL, &error));
  assert_error_without_password (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_LOCKED, NULL);
  g_clear_error (&error);
  /* Not "nothing to remove": the entry is there, behind the lock. */
  g_assert_false (cachet_secrets_clear_sync (&key, 0, NULL, &error));
  assert_error_without_password (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_LOCKED, NULL);
  g_clear_error (&error);

  /* The user's way out: this session only. */
  cachet_secrets_remember_for_session (&key, "typed");
  password = cachet_secrets_lookup_sync (&key, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "typed");
  cachet_secrets_password_free (password);

  private_bus_stop (bus);
}

/* Timeouts ---------------------------------------------------------------------------------- */

/* A Secret Service that never answers: the call gives up after its timeout. */
static void
test_timeout_no_answer (void)
{
  CachetSecretKey key = { "home", "pop3", "pop.example.test", "me" };
  g_autoptr(GError) error = NULL;
  PrivateBus *bus;

  if (!run_in_child ())
    return;

  bus = private_bus_start (FALSE, FALSE);
  private_bus_start_silent_service (bus);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus->address, TRUE);

  g_assert_null (cachet_secrets_lookup_sync (&key, 300, NULL, &error));
  g_test_message ("%s", error->message);
  assert_error_without_password (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_TIMEOUT,
                                 "did not answer");
  g_clear_error (&error);
  g_assert_false (cachet_secrets_store_sync (&key, PASSWORD, 300, NULL, &error));
  assert_error_without_password (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_TIMEOUT,
                                 NULL);
  g_clear_error (&error);
  g_assert_false (cachet_secrets_clear_sync (&key, 300, NULL, &error));
  assert_error_without_password (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_TIMEOUT,
                                 NULL);
  private_bus_stop (bus);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  CachetSecretKey *key;
  GCancellable    *cancellable;
  GError          *error;
} CancelJob;

static gpointer
cancel_job_worker (gpointer data)
{
  CancelJob *job = data;

  return cachet_secrets_lookup_sync (job->key, 600000, job->cancellable, &job->error);
}

/* Cancelling a call that waits for an answer ends it as cancelled (not as a timeout, which
 * is far away here). */
static void
test_timeout_cancel (void)
{
  CachetSecretKey key = { "home", "pop3", "pop.example.test", "me" };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncResult r = { NULL, NULL, NULL };
  PrivateBus *bus;

  if (!run_in_child ())
    return;

  bus = private_bus_start (FALSE, FALSE);
  private_bus_start_silent_service (bus);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus->address, TRUE);

  r.loop = g_main_loop_new (NULL, FALSE);
  cachet_secrets_lookup_async (&key, 600000, cancellable, lookup_done_cb, &r);
  g_timeout_add (200, cancel_cb, cancellable);
  g_main_loop_run (r.loop);
  g_assert_null (r.password);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);

  /* The same from a worker thread's _sync call, cancelled from the main thread. */
  {
    g_autoptr(GCancellable) c2 = g_cancellable_new ();
    CancelJob job = { &key, c2, NULL };
    GThread *thread = g_thread_new ("lookup", cancel_job_worker, &job);

    g_usleep (200000);
    g_cancellable_cancel (c2);
    g_assert_null (g_thread_join (thread));
    g_assert_error (job.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&job.error);
  }
  g_main_loop_unref (r.loop);
  private_bus_stop (bus);
}

/* A real locked keyring on a display nobody looks at: the unlock prompt waits forever, the
 * lookup gives up after its timeout. */
static void
test_timeout_invisible_prompt (void)
{
  CachetSecretKey key = { "home", "pop3", "pop.example.test", "me" };
  g_autoptr(GError) error = NULL;
  PrivateBus *bus;

  if (!g_test_subprocess () && g_getenv ("DISPLAY") == NULL)
    {
      g_test_skip ("needs an X display for the keyring's prompt (tests/run-headless.sh)");
      return;
    }
  if (!run_in_child ())
    return;

  bus = private_bus_start (TRUE, TRUE);
  private_bus_start_keyring (bus, "keyring-password");
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus->address, TRUE);
  g_assert_true (cachet_secrets_store_sync (&key, PASSWORD, 0, NULL, &error));
  g_assert_no_error (error);
  private_bus_lock_keyring (bus);

  g_assert_null (cachet_secrets_lookup_sync (&key, 1000, NULL, &error));
  g_test_message ("%s", error->message);
  assert_error_without_password (error, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_TIMEOUT,
                                 "locked and waiting");
  private_bus_stop (bus);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/secrets/keyring/round-trip", test_keyring_round_trip);
  g_test_add_func ("/secrets/keyring/schema", test_keyring_schema);
  g_test_add_func ("/secrets/keyring/async", test_keyring_async);
  g_test_add_func ("/secrets/keyring/sync-in-thread", test_keyring_sync_in_thread);
  g_test_add_func ("/secrets/session/memory", test_session_memory);
  g_test_add_func ("/secrets/no-service/no-bus", test_no_bus);
  g_test_add_func ("/secrets/no-service/no-provider", test_no_provider);
  g_test_add_func ("/secrets/locked/no-prompt", test_locked);
  g_test_add_func ("/secrets/timeout/no-answer", test_timeout_no_answer);
  g_test_add_func ("/secrets/timeout/cancel", test_timeout_cancel);
  g_test_add_func ("/secrets/timeout/invisible-prompt", test_timeout_invisible_prompt);

  return g_test_run ();
}
