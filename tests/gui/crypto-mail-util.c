/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crypto-mail-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct
{
  char                 *home;
  char                 *other;
  char                 *plugin_dir;
  int                   cleaner_pipe;
  pid_t                 cleaner;
  CachetCryptoRegistry *registry;
  const char           *skip;
} World;

static World world;

gboolean
crypto_mail_skip (void)
{
  if (world.skip == NULL)
    return FALSE;
  g_test_skip (world.skip);
  return TRUE;
}

CachetCryptoRegistry *
crypto_mail_registry (void)
{
  return world.registry;
}

const char *
crypto_mail_home (void)
{
  return world.home;
}

const char *
crypto_mail_other_home (void)
{
  return world.other;
}

/* The main loop ----------------------------------------------------------------------------- */

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
crypto_mail_spin_until (gboolean (*done) (gpointer),
                        gpointer    data,
                        const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  /* What DONE waits for may happen on another thread without waking the
   * main loop (a worker dropping the last reference to the application):
   * a tick makes the loop look again. */
  guint tick = g_timeout_add (50, tick_cb, NULL);

  while (!done (data))
    {
      /* Not a timed assertion: a bound so that a broken build fails instead of hanging. */
      if (g_get_monotonic_time () > deadline)
        g_error ("gave up waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

void
crypto_mail_drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

gboolean
crypto_mail_pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

void
crypto_mail_save_screenshot (GtkWidget  *widget,
                             const char *name)
{
  const char *dir = g_getenv ("CACHET_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GdkWindow *window;

  gtk_test_widget_wait_for_draw (widget);
  crypto_mail_drain ();
  window = gtk_widget_get_window (widget);
  if (dir == NULL || window == NULL)
    return;
  pixbuf = gdk_pixbuf_get_from_window (window, 0, 0, gdk_window_get_width (window),
                                       gdk_window_get_height (window));
  if (pixbuf == NULL)
    return;
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", NULL, NULL));
  g_test_message ("screenshot: %s", path);
}

/* gpg on the command line ------------------------------------------------------------------ */

char *
crypto_mail_gpg_argv (const char        *home,
                      const char        *input,
                      const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) in = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (char *) "gpg");
  g_ptr_array_add (argv, (char *) "--homedir");
  g_ptr_array_add (argv, (char *) home);
  g_ptr_array_add (argv, (char *) "--batch");
  g_ptr_array_add (argv, (char *) "--no-tty");
  for (; *args != NULL; args++)
    g_ptr_array_add (argv, (char *) *args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "GNUPGHOME", home, TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  in = g_bytes_new (input != NULL ? input : "", input != NULL ? strlen (input) : 0);
  g_subprocess_communicate (proc, in, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (proc))
    g_error ("gpg failed: %.*s", (int) g_bytes_get_size (err),
             (const char *) g_bytes_get_data (err, NULL));
  return g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
}

char *
crypto_mail_fingerprint (const char *home,
                         const char *pattern)
{
  g_autofree char *colons = CRYPTO_MAIL_GPG (home, NULL, "--with-colons", "--list-keys", pattern);
  g_auto(GStrv) lines = g_strsplit (colons, "\n", -1);

  for (char **l = lines; *l != NULL; l++)
    if (g_str_has_prefix (*l, "fpr:"))
      {
        g_auto(GStrv) fields = g_strsplit (*l, ":", -1);
        return g_strdup (fields[9]);
      }
  g_assert_not_reached ();
}

void
crypto_mail_make_key (const char *home,
                      const char *uid,
                      const char *passphrase)
{
  g_autofree char *out = CRYPTO_MAIL_GPG (home, NULL, "--pinentry-mode", "loopback",
                                          "--passphrase", passphrase, "--quick-gen-key", uid,
                                          "future-default", "default", "never");
}

static char *
make_home (void)
{
  /* Short: gpg-agent's socket lives in it. */
  char *home = g_strdup ("/tmp/cgmXXXXXX");
  g_autofree char *conf = NULL;

  g_assert_nonnull (g_mkdtemp_full (home, 0700));
  conf = g_build_filename (home, "gpg-agent.conf", NULL);
  /* No passphrase cache: every use of Pat's key asks. */
  g_assert_true (g_file_set_contents (conf,
                                      "allow-loopback-pinentry\n"
                                      "s2k-count 65536\n"
                                      "default-cache-ttl 0\n"
                                      "max-cache-ttl 0\n", -1, NULL));
  return home;
}

/* A child that waits for this process to end (however it ends), then stops the gpg-agents
 * of our two homes, and only those, and removes the homes. */
static void
start_cleaner (void)
{
  static const char script[] =
    "for h in \"$1\" \"$2\"; do GNUPGHOME=$h gpgconf --homedir \"$h\" --kill all; done;"
    " rm -rf \"$1\" \"$2\"";
  int fds[2];
  pid_t pid;

  g_assert_no_errno (pipe2 (fds, O_CLOEXEC));
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      char byte;

      close (fds[1]);
      while (read (fds[0], &byte, 1) != 0 && errno == EINTR)
        ;
      execlp ("sh", "sh", "-c", script, "sh", world.home, world.other, (char *) NULL);
      _exit (127);
    }
  close (fds[0]);
  world.cleaner_pipe = fds[1];
  world.cleaner = pid;
}

static void
stop_cleaner (void)
{
  int status;

  close (world.cleaner_pipe);
  while (waitpid (world.cleaner, &status, 0) < 0 && errno == EINTR)
    ;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* The built plugin copied into a fresh 0755 folder under the build folder (/tmp is
 * world-writable, so refused by design), scanned as a system folder. */
static void
load_plugin (void)
{
  g_autofree char *base = g_build_filename (TEST_BUILD_DIR, "plugin-tmp", NULL);
  g_autofree char *tmpl = g_build_filename (base, "mail-XXXXXX", NULL);
  g_autofree char *dest = NULL;
  g_autofree char *contents = NULL;
  GPtrArray *entries;
  CachetCryptoEntry *entry;
  gsize len;

  g_assert_no_errno (g_mkdir_with_parents (base, 0755));
  g_assert_no_errno (chmod (base, 0755));
  world.plugin_dir = g_mkdtemp_full (g_steal_pointer (&tmpl), 0755);
  g_assert_nonnull (world.plugin_dir);
  dest = g_build_filename (world.plugin_dir, "cachet-openpgp.so", NULL);
  g_assert_true (g_file_get_contents (OPENPGP_PLUGIN, &contents, &len, NULL));
  g_assert_true (g_file_set_contents_full (dest, contents, (gssize) len,
                                           G_FILE_SET_CONTENTS_NONE, 0644, NULL));
  g_assert_no_errno (chmod (dest, 0644));

  world.registry = cachet_crypto_registry_new (NULL);
  cachet_crypto_registry_scan (world.registry, world.plugin_dir, FALSE);
  entries = cachet_crypto_registry_get_entries (world.registry);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  if (entry->state != CACHET_CRYPTO_ENTRY_LOADED)
    {
      g_test_message ("the plugin was not loaded: %s", entry->reason);
      world.skip = "the build directory is not safe for plugins";
    }
}

/* Messages ---------------------------------------------------------------------------------- */

GBytes *
crypto_mail_plain_message (const char *from,
                           const char *to,
                           const char *subject,
                           const char *body)
{
  g_autofree char *text = g_strdup_printf ("From: %s\n"
                                           "To: %s\n"
                                           "Subject: %s\n"
                                           "Date: Tue, 3 Mar 2026 10:00:00 +0100\n"
                                           "Message-ID: <%s@example.org>\n"
                                           "MIME-Version: 1.0\n"
                                           "Content-Type: text/plain; charset=utf-8\n"
                                           "\n"
                                           "%s\n", from, to, subject, subject, body);

  return g_bytes_new (text, strlen (text));
}

GBytes *
crypto_mail_seal (GBytes     *message,
                  gboolean    encrypt,
                  gboolean    sign,
                  const char *sender,
                  const char *recipient)
{
  const char *recipients[] = { recipient, NULL };
  CachetCryptoSealOptions options = {
    .encrypt = encrypt,
    .sign = sign,
    .protocol = "openpgp",
    .recipients = recipients,
    .sender = sender,
  };
  g_autoptr(GError) error = NULL;
  GBytes *sealed = cachet_crypto_seal (world.registry, message, &options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sealed);
  return sealed;
}

gboolean
crypto_mail_bytes_contain (GBytes     *bytes,
                           const char *text)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return g_strstr_len (data, (gssize) len, text) != NULL;
}

/* The passphrase dialog --------------------------------------------------------------------- */

gboolean
crypto_mail_dialog_open (gpointer data)
{
  return cachet_passphrase_prompt_get_n_open () == 1;
}

CachetPassphraseDialog *
crypto_mail_find_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (CACHET_IS_PASSPHRASE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

void
crypto_mail_answer (CachetPassphraseDialog *dialog,
                    const char             *text)
{
  GObject *entry = gtk_widget_get_template_child (GTK_WIDGET (dialog),
                                                  CACHET_TYPE_PASSPHRASE_DIALOG,
                                                  "passphrase_entry");

  if (text == NULL)
    {
      gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
      return;
    }
  gtk_entry_set_text (GTK_ENTRY (entry), text);
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_OK);
}

/* The composer ------------------------------------------------------------------------------ */

static void
add_account (CryptoMailFixture *f,
             const char        *name,
             const char        *address)
{
  g_autoptr(CachetAccount) account = cachet_account_new (name);
  g_autoptr(CachetServerSettings) pop3 = cachet_server_settings_new (FALSE);
  g_autoptr(CachetServerSettings) smtp = cachet_server_settings_new (TRUE);
  g_autoptr(GError) error = NULL;

  cachet_account_set_address (account, address);
  cachet_account_set_display_name (account, name);
  pop3->host = g_strdup ("127.0.0.1");
  pop3->user = g_strdup ("me");
  smtp->host = g_strdup ("127.0.0.1");
  smtp->port = 9;   /* nothing listens: queued mail waits in the Outbox */
  smtp->security = CACHET_SECURITY_STARTTLS;
  smtp->auth = CACHET_AUTH_NONE;
  cachet_account_set_pop3 (account, pop3);
  cachet_account_set_smtp (account, smtp);
  g_assert_true (cachet_account_list_add (f->accounts, account, &error));
  g_assert_no_error (error);
}

void
crypto_mail_fixture_setup (CryptoMailFixture *f,
                           gconstpointer      data)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "mail", NULL);
  g_autofree char *config = g_build_filename (g_get_user_config_dir (), "cachet", NULL);
  g_autofree char *memory = g_build_filename (config, "encrypt-to", NULL);
  g_autoptr(GError) error = NULL;

  f->store = cachet_store_new (dir);
  cachet_store_open_sync (f->store, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  f->accounts = cachet_account_list_new (config);
  g_assert_true (cachet_account_list_load (f->accounts, NULL));
  add_account (f, "Me", ME);
  add_account (f, "No Key", NOKEY);
  add_account (f, "Pat", PAT);
  f->sender = cachet_sender_new (f->store, f->accounts);
  cachet_sender_set_timeouts (f->sender, 2000, 10);
  f->memory = cachet_encrypt_memory_new (memory);
}

void
crypto_mail_fixture_teardown (CryptoMailFixture *f,
                              gconstpointer      data)
{
  crypto_mail_drain ();
  while (cachet_sender_is_busy (f->sender))
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&f->sender);
  g_assert_true (cachet_sender_cancel_all (30000));
  cachet_store_close (f->store);
  g_clear_object (&f->store);
  g_clear_object (&f->accounts);
  g_clear_pointer (&f->memory, cachet_encrypt_memory_unref);
  crypto_mail_drain ();
}

CachetComposer *
crypto_mail_open_composer (CryptoMailFixture *f)
{
  CachetComposer *composer = cachet_composer_new (NULL, f->store, f->accounts, NULL, 0);

  cachet_composer_set_sender (composer, f->sender);
  cachet_composer_set_crypto_registry (composer, world.registry);
  cachet_composer_set_encrypt_memory (composer, f->memory);
  composer->keys_delay_ms = 10;
  gtk_widget_show (GTK_WIDGET (composer));
  return composer;
}

gboolean
crypto_mail_keys_settled (gpointer data)
{
  return !cachet_composer_is_checking_keys (data);
}

GPtrArray *
crypto_mail_outbox_bytes (CryptoMailFixture *f)
{
  g_autoptr(CachetFolderInfo) folder = cachet_store_get_folder_by_role (f->store,
                                                                        CACHET_FOLDER_ROLE_OUTBOX);
  g_autoptr(CachetMessageList) list = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  list = cachet_store_list_messages_sync (f->store, folder->id, CACHET_SORT_DATE, FALSE, FALSE,
                                          NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->ids->len; i++)
    {
      g_autoptr(CachetMessage) message = cachet_store_load_message (f->store,
                                                                    g_array_index (list->ids,
                                                                                   gint64, i),
                                                                    &error);
      g_assert_no_error (error);
      g_ptr_array_add (all, g_bytes_ref (cachet_message_get_bytes (message)));
    }
  return all;
}

void
crypto_mail_sent_cb (CachetComposer *composer,
                     gint64          id,
                     gint64         *out)
{
  *out = id;
}

/* Set-up ------------------------------------------------------------------------------------ */

static void
world_set_up (void)
{
  g_autofree char *out = NULL;
  g_autofree char *carol_key = NULL;
  g_autofree char *me = NULL;
  g_autofree char *carol = NULL;

  world.home = make_home ();
  world.other = make_home ();
  start_cleaner ();
  g_setenv ("GNUPGHOME", world.home, TRUE);

  crypto_mail_make_key (world.home, "Me <" ME ">", "");
  crypto_mail_make_key (world.home, "Ann <" ANN ">", "");
  crypto_mail_make_key (world.home, "Pat <" PAT ">", PAT_PASSPHRASE);
  crypto_mail_make_key (world.other, "Carol <" CAROL ">", "");
  me = crypto_mail_fingerprint (world.home, ME);
  carol = crypto_mail_fingerprint (world.other, CAROL);
  carol_key = CRYPTO_MAIL_GPG (world.other, NULL, "--armor", "--export", carol);
  out = CRYPTO_MAIL_GPG (world.home, carol_key, "--import");
  g_clear_pointer (&out, g_free);
  /* I checked Carol's key: it is valid to encrypt to. */
  out = CRYPTO_MAIL_GPG (world.home, NULL, "--yes", "--pinentry-mode", "loopback",
                         "--passphrase", "", "--default-key", me, "--quick-lsign-key", carol);
  load_plugin ();
}

static void
world_tear_down (void)
{
  g_clear_pointer (&world.registry, cachet_crypto_registry_free);
  stop_cleaner ();
  if (world.plugin_dir != NULL)
    remove_tree (world.plugin_dir);
  g_free (world.plugin_dir);
  g_free (world.home);
  g_free (world.other);
}

gboolean
crypto_mail_init (int    *argc,
                  char ***argv)
{
  g_auto(GStrv) system_dirs = g_strdupv ((char **) g_get_system_data_dirs ());
  g_autoptr(GPtrArray) icon_path = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) mime_path = g_ptr_array_new_with_free_func (g_free);

  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
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
      return FALSE;
    }
  if (!g_find_program_in_path ("gpg"))
    {
      printf ("1..0 # SKIP gpg is not installed\n");
      return FALSE;
    }
  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  gtk_init (argc, argv);
  gtk_icon_theme_set_search_path (gtk_icon_theme_get_default (),
                                  (const char **) icon_path->pdata, (int) icon_path->len);
  return TRUE;
}

int
crypto_mail_run (void)
{
  int status;

  world_set_up ();
  status = g_test_run ();
  world_tear_down ();
  return status;
}
