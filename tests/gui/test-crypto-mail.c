/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cachet-compose-source.h"
#include "cachet-composer-private.h"
#include "cachet-crypto-mime.h"
#include "cachet-crypto-passphrase.h"
#include "cachet-crypto-status.h"
#include "cachet-encrypt-memory.h"
#include "cachet-message-view.h"
#include "cachet-sender.h"
#include "cachet-store.h"

/* Encrypted and signed mail in the windows with the real OpenPGP plugin, in process, in a
 * temporary GNUPGHOME:
 * - the status bar above messages with a good signature, a tampered one (bad), one by a key
 *   the user does not have, and an encrypted one, decrypted;
 * - a message encrypted to a key with a passphrase: the dialog asks, a wrong passphrase
 *   makes it ask again saying so, the right one opens it; Cancel leaves it shown as it is
 *   with the reason in the bar;
 * - an attached public key imported with Import Key;
 * - the composer: the privacy line says "Encrypted end to end" only when every recipient
 *   has a key, else names who has none, and Send is then refused with nothing queued; a
 *   message sent encrypted is sealed in the Outbox and readable by the sender (encrypted
 *   to self), its recipients remembered; a seal error keeps the window with its reason;
 * - drafts with Encrypt on: sealed in Drafts (no file under the mail folder holds their
 *   text), opened again with Encrypt and Sign as they were, and the header that keeps them
 *   never in the Outbox; without a key of one's own, not stored at all and said once;
 * - replying to a sealed message from the list (not opened in the viewer): opened first,
 *   the decrypted text quoted, Encrypt on; one that cannot be decrypted: nothing quoted.
 * Screenshots go to $CACHET_SCREENSHOT_DIR. */

#define ME "me@home.example"
#define ANN "ann@example.org"          /* secret key here: signs the test messages */
#define CAROL "carol@example.org"      /* only her public key here, certified by me */
#define PAT "pat@example.org"          /* secret key here, with a passphrase */
#define PAT_PASSPHRASE "pat's secret"
#define STRANGER "stranger@example.com" /* signs, then the key is deleted */
#define NOKEY "nokey@home.example"     /* an account without a key */

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

/* Helpers ----------------------------------------------------------------------------------- */

static void
spin_until (gboolean (*done) (gpointer),
            gpointer    data,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (!done (data))
    {
      /* Not a timed assertion: a bound so that a broken build fails instead of hanging. */
      if (g_get_monotonic_time () > deadline)
        g_error ("gave up waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("CACHET_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GdkWindow *window;

  gtk_test_widget_wait_for_draw (widget);
  drain ();
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

/* gpg on the command line */

static char *
gpg_argv (const char         *home,
          const char         *input,
          const char *const  *args)
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

#define GPG(home, input, ...) \
  gpg_argv (home, input, (const char *const[]) { __VA_ARGS__, NULL })

static char *
fingerprint (const char *home,
             const char *pattern)
{
  g_autofree char *colons = GPG (home, NULL, "--with-colons", "--list-keys", pattern);
  g_auto(GStrv) lines = g_strsplit (colons, "\n", -1);

  for (char **l = lines; *l != NULL; l++)
    if (g_str_has_prefix (*l, "fpr:"))
      {
        g_auto(GStrv) fields = g_strsplit (*l, ":", -1);
        return g_strdup (fields[9]);
      }
  g_assert_not_reached ();
}

static void
make_key (const char *home,
          const char *uid,
          const char *passphrase)
{
  g_autofree char *out = GPG (home, NULL, "--pinentry-mode", "loopback", "--passphrase",
                              passphrase, "--quick-gen-key", uid, "future-default", "default",
                              "never");
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

static GBytes *
plain_message (const char *from,
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

static GBytes *
seal (GBytes     *message,
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

static CachetMessage *
parse (GBytes *bytes)
{
  return cachet_message_new_from_bytes (bytes);
}

static gboolean
bytes_contain (GBytes     *bytes,
               const char *text)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return g_strstr_len (data, (gssize) len, text) != NULL;
}

/* The viewer -------------------------------------------------------------------------------- */

typedef struct
{
  CachetMessageView *view;
  GtkWidget         *window;
} Viewer;

static void
viewer_open (Viewer *v)
{
  v->view = CACHET_MESSAGE_VIEW (cachet_message_view_new ());
  cachet_message_view_set_crypto_registry (v->view, world.registry);
  v->window = gtk_window_new (GTK_WINDOW_TOPLEVEL);
  gtk_window_set_default_size (GTK_WINDOW (v->window), 760, 480);
  gtk_container_add (GTK_CONTAINER (v->window), GTK_WIDGET (v->view));
  gtk_widget_show_all (v->window);
  gtk_test_widget_wait_for_draw (v->window);
}

static gboolean
opened (gpointer data)
{
  return !cachet_message_view_is_opening (data);
}

static char *
body_text (CachetMessageView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (cachet_message_view_get_body_view (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
show_and_open (Viewer *v,
               GBytes *bytes)
{
  g_autoptr(CachetMessage) message = parse (bytes);

  cachet_message_view_set_message (v->view, message);
  spin_until (opened, v->view, "the message to be opened");
}

static void
check_status (Viewer                   *v,
              CachetCryptoVerdictLevel  level,
              const char               *title_part,
              const char               *screenshot)
{
  CachetCryptoStatus *status = cachet_message_view_get_crypto_status (v->view);
  const char *title = cachet_crypto_status_get_title (status);
  GtkMessageType type = level == CACHET_CRYPTO_VERDICT_BAD ? GTK_MESSAGE_ERROR
                        : level == CACHET_CRYPTO_VERDICT_WARNING ? GTK_MESSAGE_WARNING
                        : GTK_MESSAGE_INFO;

  g_test_message ("status: %s", title != NULL ? title : "(none)");
  g_assert_nonnull (title);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (status)));
  g_assert_nonnull (strstr (title, title_part));
  g_assert_cmpint (cachet_crypto_status_get_message_type (status), ==, type);
  g_assert_nonnull (cachet_crypto_status_get_detail (status));
  /* Details open for the screenshot. */
  gtk_button_clicked (GTK_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (status),
                                                                 CACHET_TYPE_CRYPTO_STATUS,
                                                                 "details_button")));
  save_screenshot (v->window, screenshot);
}

static void
test_view_good (void)
{
  g_autoptr(GBytes) plain = plain_message ("Ann <" ANN ">", "Me <" ME ">", "Minutes",
                                           "The minutes of the meeting are below.");
  g_autoptr(GBytes) sealed = seal (plain, FALSE, TRUE, ANN, ME);
  g_autofree char *body = NULL;
  Viewer v;

  if (world.skip != NULL)
    {
      g_test_skip (world.skip);
      return;
    }
  viewer_open (&v);
  show_and_open (&v, sealed);
  check_status (&v, CACHET_CRYPTO_VERDICT_GOOD, "Signature good", "crypto-view-good.png");
  g_assert_false (cachet_message_view_get_decrypted (v.view));
  body = body_text (v.view);
  g_assert_nonnull (strstr (body, "The minutes of the meeting are below."));
  g_assert_null (strstr (body, "BEGIN PGP SIGNATURE"));
  gtk_widget_destroy (v.window);
}

static void
test_view_tampered (void)
{
  g_autoptr(GBytes) plain = plain_message ("Ann <" ANN ">", "Me <" ME ">", "Payment",
                                           "Please pay 100 EUR to account 1234.");
  g_autoptr(GBytes) sealed = seal (plain, FALSE, TRUE, ANN, ME);
  g_autoptr(GString) text = NULL;
  g_autoptr(GBytes) tampered = NULL;
  Viewer v;

  if (world.skip != NULL)
    {
      g_test_skip (world.skip);
      return;
    }
  text = g_string_new_len (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed));
  g_assert_cmpuint (g_string_replace (text, "100 EUR", "900 EUR", 1), ==, 1);
  tampered = g_bytes_new (text->str, text->len);
  viewer_open (&v);
  show_and_open (&v, tampered);
  check_status (&v, CACHET_CRYPTO_VERDICT_BAD, "Bad signature", "crypto-view-bad.png");
  gtk_widget_destroy (v.window);
}

static void
test_view_unknown_key (void)
{
  g_autoptr(GBytes) plain = plain_message ("Stranger <" STRANGER ">", "Me <" ME ">", "Hello",
                                           "You do not know me.");
  g_autoptr(GBytes) sealed = NULL;
  g_autofree char *fpr = NULL;
  g_autofree char *out = NULL;
  Viewer v;

  if (world.skip != NULL)
    {
      g_test_skip (world.skip);
      return;
    }
  make_key (world.home, "Stranger <" STRANGER ">", "");
  sealed = seal (plain, FALSE, TRUE, STRANGER, ME);
  fpr = fingerprint (world.home, STRANGER);
  out = GPG (world.home, NULL, "--yes", "--delete-secret-and-public-key", fpr);

  viewer_open (&v);
  show_and_open (&v, sealed);
  check_status (&v, CACHET_CRYPTO_VERDICT_WARNING, "key you do not have",
                "crypto-view-unknown-key.png");
  gtk_widget_destroy (v.window);
}

static void
test_view_decrypted (void)
{
  g_autoptr(GBytes) plain = plain_message ("Ann <" ANN ">", "Me <" ME ">", "Secret plans",
                                           "Meet me at the old mill at noon.");
  g_autoptr(GBytes) sealed = seal (plain, TRUE, TRUE, ANN, ME);
  g_autofree char *body = NULL;
  Viewer v;

  if (world.skip != NULL)
    {
      g_test_skip (world.skip);
      return;
    }
  g_assert_false (bytes_contain (sealed, "old mill"));
  viewer_open (&v);
  show_and_open (&v, sealed);
  check_status (&v, CACHET_CRYPTO_VERDICT_GOOD, "Decrypted", "crypto-view-decrypted.png");
  g_assert_true (cachet_message_view_get_decrypted (v.view));
  body = body_text (v.view);
  g_assert_nonnull (strstr (body, "Meet me at the old mill at noon."));
  /* The opened message is what the window replies to. */
  g_assert_nonnull (strstr (cachet_message_get_body_text (cachet_message_view_get_message (v.view)),
                            "old mill"));
  gtk_widget_destroy (v.window);
}

static gboolean
dialog_open (gpointer data)
{
  return cachet_passphrase_prompt_get_n_open () == 1;
}

static CachetPassphraseDialog *
find_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (CACHET_IS_PASSPHRASE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
again_shown (gpointer data)
{
  CachetPassphraseDialog *dialog = find_dialog ();

  return dialog != NULL
         && gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog),
                                                                               CACHET_TYPE_PASSPHRASE_DIALOG,
                                                                               "again_label")));
}

static void
answer (CachetPassphraseDialog *dialog,
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

static void
test_view_passphrase (void)
{
  g_autoptr(GBytes) plain = plain_message ("Ann <" ANN ">", "Pat <" PAT ">", "For Pat",
                                           "Only Pat can read this.");
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(CachetMessage) message = NULL;
  g_autofree char *body = NULL;
  CachetPassphraseDialog *dialog;
  Viewer v;

  if (world.skip != NULL)
    {
      g_test_skip (world.skip);
      return;
    }
  /* Encrypted to Pat only: the sender is Pat, so "to self" adds nobody. */
  sealed = seal (plain, TRUE, FALSE, PAT, PAT);
  message = parse (sealed);
  viewer_open (&v);

  /* Wrong, then right. */
  cachet_message_view_set_message (v.view, message);
  spin_until (dialog_open, NULL, "the passphrase dialog");
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (v.window));
  g_assert_false (again_shown (NULL));
  answer (dialog, "not the passphrase");
  spin_until (again_shown, NULL, "the dialog to ask again");
  save_screenshot (GTK_WIDGET (find_dialog ()), "crypto-view-passphrase-again.png");
  answer (find_dialog (), PAT_PASSPHRASE);
  spin_until (opened, v.view, "the message to be opened");
  check_status (&v, CACHET_CRYPTO_VERDICT_GOOD, "Decrypted", "crypto-view-passphrase-decrypted.png");
  body = body_text (v.view);
  g_assert_nonnull (strstr (body, "Only Pat can read this."));
  g_clear_pointer (&body, g_free);

  /* Cancel: shown as it is, the bar says why. */
  cachet_message_view_clear (v.view);
  cachet_message_view_set_message (v.view, message);
  spin_until (dialog_open, NULL, "the passphrase dialog");
  answer (find_dialog (), NULL);
  spin_until (opened, v.view, "the message to be shown unopened");
  check_status (&v, CACHET_CRYPTO_VERDICT_WARNING, "Could not decrypt",
                "crypto-view-passphrase-cancelled.png");
  body = body_text (v.view);
  g_assert_null (strstr (body, "Only Pat can read this."));

  /* Another message while the dialog is up: the dialog goes. */
  cachet_message_view_clear (v.view);
  cachet_message_view_set_message (v.view, message);
  spin_until (dialog_open, NULL, "the passphrase dialog");
  cachet_message_view_clear (v.view);
  while (cachet_passphrase_prompt_get_n_open () > 0)
    g_main_context_iteration (NULL, TRUE);
  gtk_widget_destroy (v.window);
}

static gboolean
import_done (gpointer data)
{
  const char *text = cachet_message_view_get_key_text (data);

  return text != NULL && (g_str_has_prefix (text, "Imported") || strstr (text, "could not") != NULL);
}

static void
test_view_import_key (void)
{
  g_autofree char *armored = NULL;
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CachetMessage) message = NULL;
  Viewer v;

  if (world.skip != NULL)
    {
      g_test_skip (world.skip);
      return;
    }
  make_key (world.other, "Dora <dora@example.org>", "");
  armored = GPG (world.other, NULL, "--armor", "--export", "dora@example.org");
  text = g_strdup_printf ("From: Dora <dora@example.org>\n"
                          "To: Me <" ME ">\n"
                          "Subject: My key\n"
                          "MIME-Version: 1.0\n"
                          "Content-Type: multipart/mixed; boundary=\"b\"\n"
                          "\n"
                          "--b\n"
                          "Content-Type: text/plain; charset=utf-8\n"
                          "\n"
                          "Here is my key.\n"
                          "--b\n"
                          "Content-Type: application/pgp-keys; name=\"dora.asc\"\n"
                          "Content-Disposition: attachment; filename=\"dora.asc\"\n"
                          "\n"
                          "%s"
                          "--b--\n", armored);
  bytes = g_bytes_new (text, strlen (text));
  message = parse (bytes);
  viewer_open (&v);
  cachet_message_view_set_message (v.view, message);
  drain ();
  g_assert_nonnull (cachet_message_view_get_key_text (v.view));
  g_assert_nonnull (strstr (cachet_message_view_get_key_text (v.view), "dora.asc"));
  gtk_button_clicked (GTK_BUTTON (cachet_message_view_get_import_key_button (v.view)));
  spin_until (import_done, v.view, "the import");
  g_test_message ("key bar: %s", cachet_message_view_get_key_text (v.view));
  g_assert_true (g_str_has_prefix (cachet_message_view_get_key_text (v.view), "Imported"));
  g_assert_nonnull (strstr (cachet_message_view_get_key_text (v.view), "dora@example.org"));
  save_screenshot (v.window, "crypto-view-key-imported.png");
  /* It is in the keyring now. */
  out = GPG (world.home, NULL, "--list-keys", "dora@example.org");
  g_assert_nonnull (strstr (out, "dora@example.org"));
  gtk_widget_destroy (v.window);
}

/* The composer ------------------------------------------------------------------------------ */

typedef struct
{
  CachetStore         *store;
  CachetAccountList   *accounts;
  CachetSender        *sender;
  CachetEncryptMemory *memory;
} Fixture;

static void
add_account (Fixture    *f,
             const char *name,
             const char *address)
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

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
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

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  drain ();
  while (cachet_sender_is_busy (f->sender))
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&f->sender);
  g_assert_true (cachet_sender_cancel_all (30000));
  cachet_store_close (f->store);
  g_clear_object (&f->store);
  g_clear_object (&f->accounts);
  g_clear_pointer (&f->memory, cachet_encrypt_memory_unref);
  drain ();
}

static CachetComposer *
open_composer (Fixture *f)
{
  CachetComposer *composer = cachet_composer_new (NULL, f->store, f->accounts, NULL, 0);

  cachet_composer_set_sender (composer, f->sender);
  cachet_composer_set_crypto_registry (composer, world.registry);
  cachet_composer_set_encrypt_memory (composer, f->memory);
  composer->keys_delay_ms = 10;
  gtk_widget_show (GTK_WIDGET (composer));
  return composer;
}

static gboolean
keys_settled (gpointer data)
{
  return !cachet_composer_is_checking_keys (data);
}

static GPtrArray *
outbox_bytes (Fixture *f)
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

static void
sent_cb (CachetComposer *composer,
         gint64          id,
         gint64         *out)
{
  *out = id;
}

static gboolean
remembered (gpointer data)
{
  return cachet_encrypt_memory_contains (data, CAROL);
}

static void
test_composer_keys (Fixture      *f,
                    gconstpointer data)
{
  CachetComposer *composer;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;
  g_autoptr(GError) error = NULL;
  CachetCryptoOpenOptions options = { 0 };
  gpointer weak;
  gint64 sent = 0;
  GBytes *queued;

  if (world.skip != NULL)
    {
      g_test_skip (world.skip);
      return;
    }
  composer = open_composer (f);
  gtk_entry_set_text (composer->to_entry, "Carol <" CAROL ">");
  gtk_entry_set_text (composer->subject_entry, "Plans");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (composer->body_view),
                            "The plans are ready.", -1);
  /* Encrypt off: the transport only. */
  g_assert_cmpint (cachet_privacy_line_get_privacy (composer->privacy_line), ==,
                   CACHET_PRIVACY_TLS_TO_SERVER);

  gtk_button_clicked (GTK_BUTTON (composer->encrypt_button));
  g_assert_true (cachet_composer_get_encrypt (composer));
  spin_until (keys_settled, composer, "the key look-up");
  g_assert_cmpint (cachet_privacy_line_get_privacy (composer->privacy_line), ==,
                   CACHET_PRIVACY_END_TO_END);
  g_assert_cmpstr (cachet_privacy_line_get_title (composer->privacy_line), ==,
                   "Encrypted end to end");
  save_screenshot (GTK_WIDGET (composer), "crypto-composer-end-to-end.png");

  /* Bob has no key: not end to end, he is named, and Send refuses. */
  gtk_toggle_button_set_active (composer->cc_bcc_button, TRUE);
  gtk_entry_set_text (composer->cc_entry, "Bob <bob@example.net>");
  spin_until (keys_settled, composer, "the key look-up");
  g_assert_cmpint (cachet_privacy_line_get_privacy (composer->privacy_line), !=,
                   CACHET_PRIVACY_END_TO_END);
  g_assert_cmpstr (cachet_privacy_line_get_title (composer->privacy_line), ==,
                   "Cannot be encrypted: no key for bob@example.net");
  save_screenshot (GTK_WIDGET (composer), "crypto-composer-missing-key.png");
  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  drain ();
  g_assert_false (composer->sending);
  g_assert_true (gtk_info_bar_get_revealed (composer->info_bar));
  g_assert_nonnull (strstr (gtk_label_get_text (composer->info_label), "bob@example.net"));
  outbox = outbox_bytes (f);
  g_assert_cmpuint (outbox->len, ==, 0);
  g_clear_pointer (&outbox, g_ptr_array_unref);

  /* Without Bob it goes, sealed. */
  gtk_entry_set_text (composer->cc_entry, "");
  spin_until (keys_settled, composer, "the key look-up");
  g_assert_cmpstr (cachet_privacy_line_get_title (composer->privacy_line), ==,
                   "Encrypted end to end");
  weak = composer;
  g_object_add_weak_pointer (G_OBJECT (composer), &weak);
  g_signal_connect (composer, "sent", G_CALLBACK (sent_cb), &sent);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  spin_until (pointer_cleared, &weak, "the composer to send and close");
  g_assert_cmpint (sent, >, 0);

  outbox = outbox_bytes (f);
  g_assert_cmpuint (outbox->len, ==, 1);
  queued = g_ptr_array_index (outbox, 0);
  g_assert_true (bytes_contain (queued, "multipart/encrypted"));
  g_assert_true (bytes_contain (queued, "Subject: Plans"));
  g_assert_false (bytes_contain (queued, "The plans are ready."));

  /* Readable by the sender: only Carol's public key is here, so it opens with mine. */
  opened = cachet_crypto_open (world.registry, queued, &options, &error);
  g_assert_no_error (error);
  g_assert_true (opened->decrypted);
  g_assert_true (bytes_contain (opened->message, "The plans are ready."));
  spin_until (remembered, f->memory, "Carol to be remembered");

  /* Next time, Encrypt comes on by itself for Carol. */
  composer = open_composer (f);
  gtk_entry_set_text (composer->to_entry, CAROL);
  g_assert_true (cachet_composer_get_encrypt (composer));
  spin_until (keys_settled, composer, "the key look-up");
  g_assert_cmpstr (cachet_privacy_line_get_title (composer->privacy_line), ==,
                   "Encrypted end to end");
  gtk_widget_destroy (GTK_WIDGET (composer));
}

/* Signing with an account that has no key: the seal fails, the window stays with the
 * reason, nothing is queued. */
static void
test_composer_seal_error (Fixture      *f,
                          gconstpointer data)
{
  CachetComposer *composer;
  g_autoptr(GPtrArray) outbox = NULL;

  if (world.skip != NULL)
    {
      g_test_skip (world.skip);
      return;
    }
  composer = open_composer (f);
  gtk_combo_box_set_active (GTK_COMBO_BOX (composer->from_combo), 1);
  g_assert_cmpstr (gtk_combo_box_get_active_id (GTK_COMBO_BOX (composer->from_combo)), !=, NULL);
  gtk_entry_set_text (composer->to_entry, CAROL);
  gtk_entry_set_text (composer->subject_entry, "Signed");
  g_action_group_activate_action (G_ACTION_GROUP (composer), "sign", NULL);
  g_assert_true (cachet_composer_get_sign (composer));
  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  g_assert_true (composer->sending);
  while (composer->sending)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (composer->sent);
  g_assert_true (gtk_info_bar_get_revealed (composer->info_bar));
  g_test_message ("error: %s", gtk_label_get_text (composer->info_label));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (composer->info_label),
                                   "The message was not sent: "));
  save_screenshot (GTK_WIDGET (composer), "crypto-composer-seal-error.png");
  outbox = outbox_bytes (f);
  g_assert_cmpuint (outbox->len, ==, 0);
  gtk_widget_destroy (GTK_WIDGET (composer));
}

/* Signing with a key that has a passphrase, and the user cancels the dialog: not sent, the
 * window stays with the reason.  Then the right passphrase: sent, signed. */
static void
test_composer_passphrase (Fixture      *f,
                          gconstpointer data)
{
  CachetComposer *composer;
  g_autoptr(GPtrArray) outbox = NULL;
  gpointer weak;

  if (world.skip != NULL)
    {
      g_test_skip (world.skip);
      return;
    }
  composer = open_composer (f);
  gtk_combo_box_set_active (GTK_COMBO_BOX (composer->from_combo), 2);
  gtk_entry_set_text (composer->to_entry, CAROL);
  gtk_entry_set_text (composer->subject_entry, "Signed by Pat");
  g_action_group_activate_action (G_ACTION_GROUP (composer), "sign", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  spin_until (dialog_open, NULL, "the passphrase dialog");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (find_dialog ())) == GTK_WINDOW (composer));
  answer (find_dialog (), NULL);
  while (composer->sending)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (composer->sent);
  g_assert_true (gtk_info_bar_get_revealed (composer->info_bar));
  g_test_message ("error: %s", gtk_label_get_text (composer->info_label));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (composer->info_label),
                                   "The message was not sent: "));
  outbox = outbox_bytes (f);
  g_assert_cmpuint (outbox->len, ==, 0);
  g_clear_pointer (&outbox, g_ptr_array_unref);

  weak = composer;
  g_object_add_weak_pointer (G_OBJECT (composer), &weak);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  spin_until (dialog_open, NULL, "the passphrase dialog");
  answer (find_dialog (), PAT_PASSPHRASE);
  spin_until (pointer_cleared, &weak, "the composer to send and close");
  outbox = outbox_bytes (f);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_true (bytes_contain (g_ptr_array_index (outbox, 0), "multipart/signed"));
  g_assert_true (bytes_contain (g_ptr_array_index (outbox, 0), "BEGIN PGP SIGNATURE"));
}

/* Drafts ------------------------------------------------------------------------------------ */

#define DRAFT_TEXT "Meet me under the old oak at nine."

/* TRUE when some file under @path holds @text. */
static gboolean
tree_contains (const char *path,
               const char *text)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_autofree char *contents = NULL;
      gsize len;

      return g_file_get_contents (path, &contents, &len, NULL)
             && memmem (contents, len, text, strlen (text)) != NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!g_file_test (child, G_FILE_TEST_IS_SYMLINK) && tree_contains (child, text))
        return TRUE;
    }
  return FALSE;
}

static GPtrArray *
folder_ids (Fixture         *f,
            CachetFolderRole role)
{
  g_autoptr(CachetFolderInfo) folder = cachet_store_get_folder_by_role (f->store, role);
  g_autoptr(CachetMessageList) list = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *ids = g_ptr_array_new ();

  list = cachet_store_list_messages_sync (f->store, folder->id, CACHET_SORT_DATE, FALSE, FALSE,
                                          NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->ids->len; i++)
    g_ptr_array_add (ids, GINT_TO_POINTER ((int) g_array_index (list->ids, gint64, i)));
  return ids;
}

static void
saved_cb (CachetComposer *composer,
          gint64          id,
          gint64         *out)
{
  *out = id;
}

static gboolean
id_set (gpointer data)
{
  return *(gint64 *) data != 0;
}

typedef struct
{
  CachetComposeSource *source;
  GError              *error;
  gboolean             done;
} Loaded;

static void
source_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Loaded *loaded = user_data;

  loaded->source = cachet_compose_source_load_finish (result, &loaded->error);
  loaded->done = TRUE;
}

static gboolean
loaded_done (gpointer data)
{
  return ((Loaded *) data)->done;
}

/* What the window does with a message in the list: load it, opened. */
static CachetComposeSource *
load_source (Fixture *f,
             gint64   id)
{
  Loaded loaded = { 0 };

  cachet_compose_source_load_async (f->store, id, world.registry, FALSE, NULL, NULL,
                                    source_loaded_cb, &loaded);
  spin_until (loaded_done, &loaded, "the message to load");
  g_assert_no_error (loaded.error);
  g_assert_nonnull (loaded.source);
  return loaded.source;
}

static char *
composer_body (CachetComposer *composer)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (composer->body_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* Encrypt on: the copy in Drafts is sealed (to me alone), nothing under the mail folder has
 * the text, and it opens again with the text and Encrypt and Sign as they were.  Sent from
 * there, the header keeping the toggles is not in the Outbox, outside or inside. */
static void
test_draft_sealed (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *mail = g_build_filename (g_get_user_data_dir (), "mail", NULL);
  CachetComposer *composer;
  g_autoptr(CachetMessage) stored = NULL;
  g_autoptr(CachetComposeSource) source = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  CachetCryptoOpenOptions options = { 0 };
  gboolean encrypt, sign;
  gint64 saved = 0, sent = 0;
  gpointer weak;

  if (world.skip != NULL)
    {
      g_test_skip (world.skip);
      return;
    }
  composer = open_composer (f);
  gtk_entry_set_text (composer->to_entry, "Carol <" CAROL ">");
  gtk_entry_set_text (composer->subject_entry, "Oak");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (composer->body_view), DRAFT_TEXT, -1);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "encrypt", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "sign", NULL);
  g_assert_true (cachet_composer_get_encrypt (composer));
  g_assert_true (cachet_composer_get_sign (composer));
  g_signal_connect (composer, "saved", G_CALLBACK (saved_cb), &saved);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "save-draft", NULL);
  spin_until (id_set, &saved, "the draft to be saved");
  /* No passphrase was asked for: encrypting to oneself needs none. */
  g_assert_cmpuint (cachet_passphrase_prompt_get_n_open (), ==, 0);
  gtk_widget_destroy (GTK_WIDGET (composer));
  drain ();

  stored = cachet_store_load_message (f->store, saved, &error);
  g_assert_no_error (error);
  g_assert_true (bytes_contain (cachet_message_get_bytes (stored), "multipart/encrypted"));
  g_assert_false (bytes_contain (cachet_message_get_bytes (stored), "under the old oak"));
  g_assert_false (tree_contains (mail, "under the old oak"));

  /* Opened as the window does when the draft is continued from the list. */
  source = load_source (f, saved);
  g_assert_true (source->encrypted);
  g_assert_true (source->decrypted);
  g_assert_null (source->problem);
  g_assert_true (cachet_draft_saver_read_crypto (source->message, &encrypt, &sign));
  g_assert_true (encrypt);
  g_assert_true (sign);
  composer = cachet_composer_new (NULL, f->store, f->accounts,
                                  cachet_draft_new_from_message (source->message), saved);
  cachet_composer_set_sender (composer, f->sender);
  cachet_composer_set_crypto_registry (composer, world.registry);
  cachet_composer_set_encrypt_memory (composer, f->memory);
  composer->keys_delay_ms = 10;
  cachet_composer_set_encrypt (composer, encrypt);
  g_action_group_change_action_state (G_ACTION_GROUP (composer), "sign",
                                      g_variant_new_boolean (FALSE));
  gtk_widget_show (GTK_WIDGET (composer));
  body = composer_body (composer);
  g_assert_nonnull (strstr (body, DRAFT_TEXT));
  g_assert_cmpstr (gtk_entry_get_text (composer->subject_entry), ==, "Oak");

  /* Sent (encrypted, not signed: no passphrase here). */
  spin_until (keys_settled, composer, "the key look-up");
  weak = composer;
  g_object_add_weak_pointer (G_OBJECT (composer), &weak);
  g_signal_connect (composer, "sent", G_CALLBACK (sent_cb), &sent);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  spin_until (pointer_cleared, &weak, "the composer to send and close");
  outbox = outbox_bytes (f);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_true (bytes_contain (g_ptr_array_index (outbox, 0), "multipart/encrypted"));
  g_assert_false (bytes_contain (g_ptr_array_index (outbox, 0), CACHET_DRAFT_SAVER_CRYPTO_HEADER));
  g_assert_false (bytes_contain (g_ptr_array_index (outbox, 0), "X-Cachet"));
  opened = cachet_crypto_open (world.registry, g_ptr_array_index (outbox, 0), &options, &error);
  g_assert_no_error (error);
  g_assert_true (opened->decrypted);
  g_assert_true (bytes_contain (opened->message, "under the old oak"));
  g_assert_false (bytes_contain (opened->message, CACHET_DRAFT_SAVER_CRYPTO_HEADER));
  g_assert_false (bytes_contain (opened->message, "X-Cachet"));
}

static gboolean
save_failed (gpointer data)
{
  CachetComposer *composer = data;

  return composer->save_error != NULL && !cachet_draft_saver_is_busy (composer->saver);
}

static gboolean
saver_idle (gpointer data)
{
  return !cachet_draft_saver_is_busy (((CachetComposer *) data)->saver);
}

/* Encrypt on, but no key of my own for this account: nothing is stored, the composer says
 * why once (not again at the next save), and with Encrypt off it is saved as it is. */
static void
test_draft_no_own_key (Fixture      *f,
                       gconstpointer data)
{
  g_autofree char *mail = g_build_filename (g_get_user_data_dir (), "mail", NULL);
  CachetComposer *composer;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(CachetMessage) stored = NULL;
  g_autoptr(GError) error = NULL;
  gint64 saved = 0;

  if (world.skip != NULL)
    {
      g_test_skip (world.skip);
      return;
    }
  composer = open_composer (f);
  gtk_combo_box_set_active (GTK_COMBO_BOX (composer->from_combo), 1);
  gtk_entry_set_text (composer->to_entry, CAROL);
  gtk_entry_set_text (composer->subject_entry, "Oak");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (composer->body_view), DRAFT_TEXT, -1);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "encrypt", NULL);
  g_signal_connect (composer, "saved", G_CALLBACK (saved_cb), &saved);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "save-draft", NULL);
  spin_until (save_failed, composer, "the save to fail");
  g_assert_true (gtk_info_bar_get_revealed (composer->info_bar));
  g_test_message ("error: %s", gtk_label_get_text (composer->info_label));
  g_assert_nonnull (strstr (gtk_label_get_text (composer->info_label), "no key of your own"));
  g_assert_nonnull (strstr (gtk_label_get_text (composer->info_label), NOKEY));
  save_screenshot (GTK_WIDGET (composer), "crypto-composer-draft-no-key.png");
  g_assert_cmpint (saved, ==, 0);
  drafts = folder_ids (f, CACHET_FOLDER_ROLE_DRAFTS);
  g_assert_cmpuint (drafts->len, ==, 0);
  g_clear_pointer (&drafts, g_ptr_array_unref);
  g_assert_false (tree_contains (mail, "under the old oak"));

  /* The next save fails the same way: not said again. */
  gtk_info_bar_set_revealed (composer->info_bar, FALSE);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "save-draft", NULL);
  spin_until (saver_idle, composer, "the second save");
  drain ();
  g_assert_false (gtk_info_bar_get_revealed (composer->info_bar));
  g_assert_true (composer->dirty);
  drafts = folder_ids (f, CACHET_FOLDER_ROLE_DRAFTS);
  g_assert_cmpuint (drafts->len, ==, 0);
  g_clear_pointer (&drafts, g_ptr_array_unref);

  /* Encrypt off, by the user: saved as it is. */
  g_action_group_activate_action (G_ACTION_GROUP (composer), "encrypt", NULL);
  g_assert_false (cachet_composer_get_encrypt (composer));
  g_action_group_activate_action (G_ACTION_GROUP (composer), "save-draft", NULL);
  spin_until (id_set, &saved, "the draft to be saved");
  stored = cachet_store_load_message (f->store, saved, &error);
  g_assert_no_error (error);
  g_assert_true (bytes_contain (cachet_message_get_bytes (stored), "under the old oak"));
  g_assert_false (bytes_contain (cachet_message_get_bytes (stored), CACHET_DRAFT_SAVER_CRYPTO_HEADER));
  /* ... where the search above finds it (so that it can fail). */
  g_assert_true (tree_contains (mail, "under the old oak"));
  gtk_widget_destroy (GTK_WIDGET (composer));
}

static gint64
add_to_inbox (Fixture *f,
              GBytes  *message)
{
  g_autoptr(CachetFolderInfo) inbox = cachet_store_get_folder_by_role (f->store,
                                                                       CACHET_FOLDER_ROLE_INBOX);
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = cachet_store_add_message_sync (f->store, inbox->id, message, CACHET_FLAG_NONE, NULL,
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

/* A reply from the list to a message encrypted to me: opened first, the decrypted text
 * quoted, Encrypt on; to one encrypted to Pat's key with a passphrase, asked for; to one
 * I cannot decrypt (only Carol can): nothing of it quoted, and why. */
static void
test_reply_from_list (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr(GBytes) plain = plain_message ("Ann <" ANN ">", ME, "Harbour", "The boat leaves at dawn.");
  g_autoptr(GBytes) to_me = NULL;
  g_autoptr(GBytes) to_pat = NULL;
  g_autoptr(GBytes) to_carol = NULL;
  g_autoptr(CachetComposeSource) source = NULL;
  g_autoptr(CachetDraft) reply = NULL;
  CachetComposer *composer;
  g_autofree char *body = NULL;
  Loaded loaded = { 0 };
  gint64 id;

  if (world.skip != NULL)
    {
      g_test_skip (world.skip);
      return;
    }
  to_me = seal (plain, TRUE, TRUE, ANN, ME);
  id = add_to_inbox (f, to_me);
  source = load_source (f, id);
  g_assert_true (source->encrypted);
  g_assert_true (source->decrypted);
  reply = cachet_draft_new_reply (source->message, FALSE, (const char * const[]) { ME, NULL });
  g_assert_nonnull (strstr (cachet_draft_get_body (reply), "> The boat leaves at dawn."));
  g_assert_null (strstr (cachet_draft_get_body (reply), "BEGIN PGP"));
  /* The composer the window opens for it (cachet-window-compose.c: Encrypt on). */
  composer = cachet_composer_new (NULL, f->store, f->accounts, g_steal_pointer (&reply), 0);
  cachet_composer_set_crypto_registry (composer, world.registry);
  cachet_composer_set_encrypt_memory (composer, f->memory);
  if (source->encrypted)
    cachet_composer_set_encrypt (composer, TRUE);
  body = composer_body (composer);
  g_assert_nonnull (strstr (body, "> The boat leaves at dawn."));
  g_assert_true (cachet_composer_get_encrypt (composer));
  gtk_widget_destroy (GTK_WIDGET (composer));
  g_clear_pointer (&source, cachet_compose_source_free);

  /* Pat's key has a passphrase: the dialog asks.  (Sealed "from" the recipient alone, so
   * that no other key of this keyring can open it.) */
  to_pat = seal (plain, TRUE, FALSE, PAT, PAT);
  id = add_to_inbox (f, to_pat);
  cachet_compose_source_load_async (f->store, id, world.registry, FALSE, NULL, NULL,
                                    source_loaded_cb, &loaded);
  spin_until (dialog_open, NULL, "the passphrase dialog");
  answer (find_dialog (), PAT_PASSPHRASE);
  spin_until (loaded_done, &loaded, "the message to load");
  g_assert_no_error (loaded.error);
  source = g_steal_pointer (&loaded.source);
  g_assert_true (source->decrypted);
  g_assert_nonnull (strstr (cachet_message_get_body_text (source->message),
                            "The boat leaves at dawn."));
  g_clear_pointer (&source, cachet_compose_source_free);

  /* Only Carol can read it. */
  to_carol = seal (plain, TRUE, FALSE, CAROL, CAROL);
  id = add_to_inbox (f, to_carol);
  source = load_source (f, id);
  g_assert_true (source->encrypted);
  g_assert_false (source->decrypted);
  g_assert_nonnull (source->problem);
  g_test_message ("problem: %s", source->problem);
  g_assert_false (bytes_contain (cachet_message_get_bytes (source->message), "BEGIN PGP"));
  g_assert_cmpstr (cachet_message_get_subject (source->message), ==, "Harbour");
  reply = cachet_draft_new_reply (source->message, FALSE, (const char * const[]) { ME, NULL });
  g_assert_nonnull (reply);
  g_assert_null (strstr (cachet_draft_get_body (reply), "BEGIN PGP"));
  g_assert_cmpstr (cachet_draft_get_subject (reply), ==, "Re: Harbour");
}

/* A worker that borrows the application's registry keeps the application (which frees the
 * registry when it is finalized): quitting while the worker runs does not free it. */
static void
test_registry_kept (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr(GBytes) plain = plain_message ("Ann <" ANN ">", ME, "Kept", "Still here.");
  g_autoptr(GBytes) sealed = NULL;
  GApplication *app;
  gpointer weak;
  Loaded loaded = { 0 };
  gint64 id;

  if (world.skip != NULL)
    {
      g_test_skip (world.skip);
      return;
    }
  sealed = seal (plain, TRUE, FALSE, ANN, ME);
  id = add_to_inbox (f, sealed);
  app = g_application_new ("org.cachet.TestRegistryKept", G_APPLICATION_NON_UNIQUE);
  g_application_set_default (app);
  weak = app;
  g_object_add_weak_pointer (G_OBJECT (app), &weak);
  cachet_compose_source_load_async (f->store, id, world.registry, FALSE, NULL, NULL,
                                    source_loaded_cb, &loaded);
  /* The application goes (its last reference here) while the worker runs. */
  g_object_unref (app);
  g_assert_nonnull (weak);
  spin_until (loaded_done, &loaded, "the message to load");
  g_assert_no_error (loaded.error);
  g_assert_true (loaded.source->decrypted);
  g_clear_pointer (&loaded.source, cachet_compose_source_free);
  spin_until (pointer_cleared, &weak, "the application to be released");
  g_assert_null (g_application_get_default ());
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

  make_key (world.home, "Me <" ME ">", "");
  make_key (world.home, "Ann <" ANN ">", "");
  make_key (world.home, "Pat <" PAT ">", PAT_PASSPHRASE);
  make_key (world.other, "Carol <" CAROL ">", "");
  me = fingerprint (world.home, ME);
  carol = fingerprint (world.other, CAROL);
  carol_key = GPG (world.other, NULL, "--armor", "--export", carol);
  out = GPG (world.home, carol_key, "--import");
  g_clear_pointer (&out, g_free);
  /* I checked Carol's key: it is valid to encrypt to. */
  out = GPG (world.home, NULL, "--yes", "--pinentry-mode", "loopback", "--passphrase", "",
             "--default-key", me, "--quick-lsign-key", carol);
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

int
main (int   argc,
      char *argv[])
{
  g_auto(GStrv) system_dirs = g_strdupv ((char **) g_get_system_data_dirs ());
  g_autoptr(GPtrArray) icon_path = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) mime_path = g_ptr_array_new_with_free_func (g_free);
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
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
  if (!g_find_program_in_path ("gpg"))
    {
      printf ("1..0 # SKIP gpg is not installed\n");
      return 0;
    }
  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  gtk_init (&argc, &argv);
  gtk_icon_theme_set_search_path (gtk_icon_theme_get_default (),
                                  (const char **) icon_path->pdata, (int) icon_path->len);

  g_test_add_func ("/ui/crypto-mail/view/good-signature", test_view_good);
  g_test_add_func ("/ui/crypto-mail/view/bad-signature", test_view_tampered);
  g_test_add_func ("/ui/crypto-mail/view/unknown-key", test_view_unknown_key);
  g_test_add_func ("/ui/crypto-mail/view/decrypted", test_view_decrypted);
  g_test_add_func ("/ui/crypto-mail/view/passphrase", test_view_passphrase);
  g_test_add_func ("/ui/crypto-mail/view/import-key", test_view_import_key);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/ui/crypto-mail/composer/keys-and-send", test_composer_keys);
  ADD ("/ui/crypto-mail/composer/seal-error", test_composer_seal_error);
  ADD ("/ui/crypto-mail/composer/passphrase", test_composer_passphrase);
  ADD ("/ui/crypto-mail/drafts/sealed", test_draft_sealed);
  ADD ("/ui/crypto-mail/drafts/no-own-key", test_draft_no_own_key);
  ADD ("/ui/crypto-mail/reply-from-list", test_reply_from_list);
  ADD ("/ui/crypto-mail/registry-kept", test_registry_kept);
#undef ADD

  world_set_up ();
  status = g_test_run ();
  world_tear_down ();
  return status;
}
