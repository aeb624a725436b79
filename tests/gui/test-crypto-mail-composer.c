/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crypto-mail-util.h"

/* Encrypted and signed mail in the composer with the real OpenPGP plugin, in process, in a
 * temporary GNUPGHOME (crypto-mail-util.h): the privacy line says "Encrypted end to end"
 * only when every recipient has a key, else names who has none, and Send is then refused
 * with nothing queued; a message sent encrypted is sealed in the Outbox and readable by the
 * sender (encrypted to self), its recipients remembered; a seal error keeps the window with
 * its reason, and so does a cancelled passphrase dialog.
 * Screenshots go to $CACHET_SCREENSHOT_DIR. */

static gboolean
remembered (gpointer data)
{
  return cachet_encrypt_memory_contains (data, CAROL);
}

static void
test_composer_keys (CryptoMailFixture *f,
                    gconstpointer      data)
{
  CachetComposer *composer;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;
  g_autoptr(GError) error = NULL;
  CachetCryptoOpenOptions options = { 0 };
  gpointer weak;
  gint64 sent = 0;
  GBytes *queued;

  if (crypto_mail_skip ())
    return;
  composer = crypto_mail_open_composer (f);
  gtk_entry_set_text (composer->to_entry, "Carol <" CAROL ">");
  gtk_entry_set_text (composer->subject_entry, "Plans");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (composer->body_view),
                            "The plans are ready.", -1);
  /* Encrypt off: the transport only. */
  g_assert_cmpint (cachet_privacy_line_get_privacy (composer->privacy_line), ==,
                   CACHET_PRIVACY_TLS_TO_SERVER);

  gtk_button_clicked (GTK_BUTTON (composer->encrypt_button));
  g_assert_true (cachet_composer_get_encrypt (composer));
  crypto_mail_spin_until (crypto_mail_keys_settled, composer, "the key look-up");
  g_assert_cmpint (cachet_privacy_line_get_privacy (composer->privacy_line), ==,
                   CACHET_PRIVACY_END_TO_END);
  g_assert_cmpstr (cachet_privacy_line_get_title (composer->privacy_line), ==,
                   "Encrypted end to end");
  crypto_mail_save_screenshot (GTK_WIDGET (composer), "crypto-composer-end-to-end.png");

  /* Bob has no key: not end to end, he is named, and Send refuses. */
  gtk_toggle_button_set_active (composer->cc_bcc_button, TRUE);
  gtk_entry_set_text (composer->cc_entry, "Bob <bob@example.net>");
  crypto_mail_spin_until (crypto_mail_keys_settled, composer, "the key look-up");
  g_assert_cmpint (cachet_privacy_line_get_privacy (composer->privacy_line), !=,
                   CACHET_PRIVACY_END_TO_END);
  g_assert_cmpstr (cachet_privacy_line_get_title (composer->privacy_line), ==,
                   "Cannot be encrypted: no key for bob@example.net");
  crypto_mail_save_screenshot (GTK_WIDGET (composer), "crypto-composer-missing-key.png");
  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  crypto_mail_drain ();
  g_assert_false (composer->sending);
  g_assert_true (gtk_info_bar_get_revealed (composer->info_bar));
  g_assert_nonnull (strstr (gtk_label_get_text (composer->info_label), "bob@example.net"));
  outbox = crypto_mail_outbox_bytes (f);
  g_assert_cmpuint (outbox->len, ==, 0);
  g_clear_pointer (&outbox, g_ptr_array_unref);

  /* Without Bob it goes, sealed. */
  gtk_entry_set_text (composer->cc_entry, "");
  crypto_mail_spin_until (crypto_mail_keys_settled, composer, "the key look-up");
  g_assert_cmpstr (cachet_privacy_line_get_title (composer->privacy_line), ==,
                   "Encrypted end to end");
  weak = composer;
  g_object_add_weak_pointer (G_OBJECT (composer), &weak);
  g_signal_connect (composer, "sent", G_CALLBACK (crypto_mail_sent_cb), &sent);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  crypto_mail_spin_until (crypto_mail_pointer_cleared, &weak, "the composer to send and close");
  g_assert_cmpint (sent, >, 0);

  outbox = crypto_mail_outbox_bytes (f);
  g_assert_cmpuint (outbox->len, ==, 1);
  queued = g_ptr_array_index (outbox, 0);
  g_assert_true (crypto_mail_bytes_contain (queued, "multipart/encrypted"));
  g_assert_true (crypto_mail_bytes_contain (queued, "Subject: Plans"));
  g_assert_false (crypto_mail_bytes_contain (queued, "The plans are ready."));

  /* Readable by the sender: only Carol's public key is here, so it opens with mine. */
  opened = cachet_crypto_open (crypto_mail_registry (), queued, &options, &error);
  g_assert_no_error (error);
  g_assert_true (opened->decrypted);
  g_assert_true (crypto_mail_bytes_contain (opened->message, "The plans are ready."));
  crypto_mail_spin_until (remembered, f->memory, "Carol to be remembered");

  /* Next time, Encrypt comes on by itself for Carol. */
  composer = crypto_mail_open_composer (f);
  gtk_entry_set_text (composer->to_entry, CAROL);
  g_assert_true (cachet_composer_get_encrypt (composer));
  crypto_mail_spin_until (crypto_mail_keys_settled, composer, "the key look-up");
  g_assert_cmpstr (cachet_privacy_line_get_title (composer->privacy_line), ==,
                   "Encrypted end to end");
  gtk_widget_destroy (GTK_WIDGET (composer));
}

/* Signing with an account that has no key: the seal fails, the window stays with the
 * reason, nothing is queued. */
static void
test_composer_seal_error (CryptoMailFixture *f,
                          gconstpointer      data)
{
  CachetComposer *composer;
  g_autoptr(GPtrArray) outbox = NULL;

  if (crypto_mail_skip ())
    return;
  composer = crypto_mail_open_composer (f);
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
  crypto_mail_save_screenshot (GTK_WIDGET (composer), "crypto-composer-seal-error.png");
  outbox = crypto_mail_outbox_bytes (f);
  g_assert_cmpuint (outbox->len, ==, 0);
  gtk_widget_destroy (GTK_WIDGET (composer));
}

/* Signing with a key that has a passphrase, and the user cancels the dialog: not sent, the
 * window stays with the reason.  Then the right passphrase: sent, signed. */
static void
test_composer_passphrase (CryptoMailFixture *f,
                          gconstpointer      data)
{
  CachetComposer *composer;
  g_autoptr(GPtrArray) outbox = NULL;
  gpointer weak;

  if (crypto_mail_skip ())
    return;
  composer = crypto_mail_open_composer (f);
  gtk_combo_box_set_active (GTK_COMBO_BOX (composer->from_combo), 2);
  gtk_entry_set_text (composer->to_entry, CAROL);
  gtk_entry_set_text (composer->subject_entry, "Signed by Pat");
  g_action_group_activate_action (G_ACTION_GROUP (composer), "sign", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  crypto_mail_spin_until (crypto_mail_dialog_open, NULL, "the passphrase dialog");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (crypto_mail_find_dialog ()))
                 == GTK_WINDOW (composer));
  crypto_mail_answer (crypto_mail_find_dialog (), NULL);
  while (composer->sending)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (composer->sent);
  g_assert_true (gtk_info_bar_get_revealed (composer->info_bar));
  g_test_message ("error: %s", gtk_label_get_text (composer->info_label));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (composer->info_label),
                                   "The message was not sent: "));
  outbox = crypto_mail_outbox_bytes (f);
  g_assert_cmpuint (outbox->len, ==, 0);
  g_clear_pointer (&outbox, g_ptr_array_unref);

  weak = composer;
  g_object_add_weak_pointer (G_OBJECT (composer), &weak);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  crypto_mail_spin_until (crypto_mail_dialog_open, NULL, "the passphrase dialog");
  crypto_mail_answer (crypto_mail_find_dialog (), PAT_PASSPHRASE);
  crypto_mail_spin_until (crypto_mail_pointer_cleared, &weak, "the composer to send and close");
  outbox = crypto_mail_outbox_bytes (f);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_true (crypto_mail_bytes_contain (g_ptr_array_index (outbox, 0), "multipart/signed"));
  g_assert_true (crypto_mail_bytes_contain (g_ptr_array_index (outbox, 0), "BEGIN PGP SIGNATURE"));
}

int
main (int   argc,
      char *argv[])
{
  if (!crypto_mail_init (&argc, &argv))
    return 0;

  CRYPTO_MAIL_ADD ("/ui/crypto-mail/composer/keys-and-send", test_composer_keys);
  CRYPTO_MAIL_ADD ("/ui/crypto-mail/composer/seal-error", test_composer_seal_error);
  CRYPTO_MAIL_ADD ("/ui/crypto-mail/composer/passphrase", test_composer_passphrase);

  return crypto_mail_run ();
}
