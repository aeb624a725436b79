/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cachet-crypto-status.h"
#include "cachet-message-view.h"
#include "crypto-mail-util.h"

/* Encrypted and signed mail in the viewer with the real OpenPGP plugin, in process, in a
 * temporary GNUPGHOME (crypto-mail-util.h):
 * - the status bar above messages with a good signature, a tampered one (bad), one by a key
 *   the user does not have, and an encrypted one, decrypted;
 * - a message encrypted to a key with a passphrase: the dialog asks, a wrong passphrase
 *   makes it ask again saying so, the right one opens it; Cancel leaves it shown as it is
 *   with the reason in the bar;
 * - an attached public key imported with Import Key.
 * Screenshots go to $CACHET_SCREENSHOT_DIR. */

static CachetMessage *
parse (GBytes *bytes)
{
  return cachet_message_new_from_bytes (bytes);
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
  cachet_message_view_set_crypto_registry (v->view, crypto_mail_registry ());
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
  crypto_mail_spin_until (opened, v->view, "the message to be opened");
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
  crypto_mail_save_screenshot (v->window, screenshot);
}

static void
test_view_good (void)
{
  g_autoptr(GBytes) plain = crypto_mail_plain_message ("Ann <" ANN ">", "Me <" ME ">",
                                                       "Minutes",
                                                       "The minutes of the meeting are below.");
  g_autoptr(GBytes) sealed = crypto_mail_seal (plain, FALSE, TRUE, ANN, ME);
  g_autofree char *body = NULL;
  Viewer v;

  if (crypto_mail_skip ())
    return;
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
  g_autoptr(GBytes) plain = crypto_mail_plain_message ("Ann <" ANN ">", "Me <" ME ">",
                                                       "Payment",
                                                       "Please pay 100 EUR to account 1234.");
  g_autoptr(GBytes) sealed = crypto_mail_seal (plain, FALSE, TRUE, ANN, ME);
  g_autoptr(GString) text = NULL;
  g_autoptr(GBytes) tampered = NULL;
  Viewer v;

  if (crypto_mail_skip ())
    return;
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
  g_autoptr(GBytes) plain = crypto_mail_plain_message ("Stranger <" STRANGER ">",
                                                       "Me <" ME ">", "Hello",
                                                       "You do not know me.");
  g_autoptr(GBytes) sealed = NULL;
  g_autofree char *fpr = NULL;
  g_autofree char *out = NULL;
  Viewer v;

  if (crypto_mail_skip ())
    return;
  crypto_mail_make_key (crypto_mail_home (), "Stranger <" STRANGER ">", "");
  sealed = crypto_mail_seal (plain, FALSE, TRUE, STRANGER, ME);
  fpr = crypto_mail_fingerprint (crypto_mail_home (), STRANGER);
  out = CRYPTO_MAIL_GPG (crypto_mail_home (), NULL, "--yes", "--delete-secret-and-public-key", fpr);

  viewer_open (&v);
  show_and_open (&v, sealed);
  check_status (&v, CACHET_CRYPTO_VERDICT_WARNING, "key you do not have",
                "crypto-view-unknown-key.png");
  gtk_widget_destroy (v.window);
}

static void
test_view_decrypted (void)
{
  g_autoptr(GBytes) plain = crypto_mail_plain_message ("Ann <" ANN ">", "Me <" ME ">",
                                                       "Secret plans",
                                                       "Meet me at the old mill at noon.");
  g_autoptr(GBytes) sealed = crypto_mail_seal (plain, TRUE, TRUE, ANN, ME);
  g_autofree char *body = NULL;
  Viewer v;

  if (crypto_mail_skip ())
    return;
  g_assert_false (crypto_mail_bytes_contain (sealed, "old mill"));
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
again_shown (gpointer data)
{
  CachetPassphraseDialog *dialog = crypto_mail_find_dialog ();

  return dialog != NULL
         && gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog),
                                                                               CACHET_TYPE_PASSPHRASE_DIALOG,
                                                                               "again_label")));
}

static void
test_view_passphrase (void)
{
  g_autoptr(GBytes) plain = crypto_mail_plain_message ("Ann <" ANN ">", "Pat <" PAT ">",
                                                       "For Pat", "Only Pat can read this.");
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(CachetMessage) message = NULL;
  g_autofree char *body = NULL;
  CachetPassphraseDialog *dialog;
  Viewer v;

  if (crypto_mail_skip ())
    return;
  /* Encrypted to Pat only: the sender is Pat, so "to self" adds nobody. */
  sealed = crypto_mail_seal (plain, TRUE, FALSE, PAT, PAT);
  message = parse (sealed);
  viewer_open (&v);

  /* Wrong, then right. */
  cachet_message_view_set_message (v.view, message);
  crypto_mail_spin_until (crypto_mail_dialog_open, NULL, "the passphrase dialog");
  dialog = crypto_mail_find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (v.window));
  g_assert_false (again_shown (NULL));
  crypto_mail_answer (dialog, "not the passphrase");
  crypto_mail_spin_until (again_shown, NULL, "the dialog to ask again");
  crypto_mail_save_screenshot (GTK_WIDGET (crypto_mail_find_dialog ()),
                               "crypto-view-passphrase-again.png");
  crypto_mail_answer (crypto_mail_find_dialog (), PAT_PASSPHRASE);
  crypto_mail_spin_until (opened, v.view, "the message to be opened");
  check_status (&v, CACHET_CRYPTO_VERDICT_GOOD, "Decrypted", "crypto-view-passphrase-decrypted.png");
  body = body_text (v.view);
  g_assert_nonnull (strstr (body, "Only Pat can read this."));
  g_clear_pointer (&body, g_free);

  /* Cancel: shown as it is, the bar says why. */
  cachet_message_view_clear (v.view);
  cachet_message_view_set_message (v.view, message);
  crypto_mail_spin_until (crypto_mail_dialog_open, NULL, "the passphrase dialog");
  crypto_mail_answer (crypto_mail_find_dialog (), NULL);
  crypto_mail_spin_until (opened, v.view, "the message to be shown unopened");
  check_status (&v, CACHET_CRYPTO_VERDICT_WARNING, "Could not decrypt",
                "crypto-view-passphrase-cancelled.png");
  body = body_text (v.view);
  g_assert_null (strstr (body, "Only Pat can read this."));

  /* Another message while the dialog is up: the dialog goes. */
  cachet_message_view_clear (v.view);
  cachet_message_view_set_message (v.view, message);
  crypto_mail_spin_until (crypto_mail_dialog_open, NULL, "the passphrase dialog");
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

  if (crypto_mail_skip ())
    return;
  crypto_mail_make_key (crypto_mail_other_home (), "Dora <dora@example.org>", "");
  armored = CRYPTO_MAIL_GPG (crypto_mail_other_home (), NULL, "--armor", "--export",
                             "dora@example.org");
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
  crypto_mail_drain ();
  g_assert_nonnull (cachet_message_view_get_key_text (v.view));
  g_assert_nonnull (strstr (cachet_message_view_get_key_text (v.view), "dora.asc"));
  gtk_button_clicked (GTK_BUTTON (cachet_message_view_get_import_key_button (v.view)));
  crypto_mail_spin_until (import_done, v.view, "the import");
  g_test_message ("key bar: %s", cachet_message_view_get_key_text (v.view));
  g_assert_true (g_str_has_prefix (cachet_message_view_get_key_text (v.view), "Imported"));
  g_assert_nonnull (strstr (cachet_message_view_get_key_text (v.view), "dora@example.org"));
  crypto_mail_save_screenshot (v.window, "crypto-view-key-imported.png");
  /* It is in the keyring now. */
  out = CRYPTO_MAIL_GPG (crypto_mail_home (), NULL, "--list-keys", "dora@example.org");
  g_assert_nonnull (strstr (out, "dora@example.org"));
  gtk_widget_destroy (v.window);
}

int
main (int   argc,
      char *argv[])
{
  if (!crypto_mail_init (&argc, &argv))
    return 0;

  g_test_add_func ("/ui/crypto-mail/view/good-signature", test_view_good);
  g_test_add_func ("/ui/crypto-mail/view/bad-signature", test_view_tampered);
  g_test_add_func ("/ui/crypto-mail/view/unknown-key", test_view_unknown_key);
  g_test_add_func ("/ui/crypto-mail/view/decrypted", test_view_decrypted);
  g_test_add_func ("/ui/crypto-mail/view/passphrase", test_view_passphrase);
  g_test_add_func ("/ui/crypto-mail/view/import-key", test_view_import_key);

  return crypto_mail_run ();
}
