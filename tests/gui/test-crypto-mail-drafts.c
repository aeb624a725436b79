/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cachet-compose-source.h"
#include "crypto-mail-util.h"

/* Sealed mail kept and answered, with the real OpenPGP plugin, in process, in a temporary
 * GNUPGHOME (crypto-mail-util.h):
 * - drafts with Encrypt on: sealed in Drafts (no file under the mail folder holds their
 *   text), opened again with Encrypt and Sign as they were, and the header that keeps them
 *   never in the Outbox; without a key of one's own, not stored at all and said once;
 * - replying to a sealed message from the list (not opened in the viewer): opened first,
 *   the decrypted text quoted, Encrypt on; one that cannot be decrypted: nothing quoted;
 * - a worker opening a message from the list keeps the application's registry.
 * Screenshots go to $CACHET_SCREENSHOT_DIR. */

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
folder_ids (CryptoMailFixture *f,
            CachetFolderRole   role)
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
load_source (CryptoMailFixture *f,
             gint64             id)
{
  Loaded loaded = { 0 };

  cachet_compose_source_load_async (f->store, id, crypto_mail_registry (), FALSE, NULL, NULL,
                                    source_loaded_cb, &loaded);
  crypto_mail_spin_until (loaded_done, &loaded, "the message to load");
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
test_draft_sealed (CryptoMailFixture *f,
                   gconstpointer      data)
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

  if (crypto_mail_skip ())
    return;
  composer = crypto_mail_open_composer (f);
  gtk_entry_set_text (composer->to_entry, "Carol <" CAROL ">");
  gtk_entry_set_text (composer->subject_entry, "Oak");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (composer->body_view), DRAFT_TEXT, -1);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "encrypt", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "sign", NULL);
  g_assert_true (cachet_composer_get_encrypt (composer));
  g_assert_true (cachet_composer_get_sign (composer));
  g_signal_connect (composer, "saved", G_CALLBACK (saved_cb), &saved);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "save-draft", NULL);
  crypto_mail_spin_until (id_set, &saved, "the draft to be saved");
  /* No passphrase was asked for: encrypting to oneself needs none. */
  g_assert_cmpuint (cachet_passphrase_prompt_get_n_open (), ==, 0);
  gtk_widget_destroy (GTK_WIDGET (composer));
  crypto_mail_drain ();

  stored = cachet_store_load_message (f->store, saved, &error);
  g_assert_no_error (error);
  g_assert_true (crypto_mail_bytes_contain (cachet_message_get_bytes (stored),
                                            "multipart/encrypted"));
  g_assert_false (crypto_mail_bytes_contain (cachet_message_get_bytes (stored),
                                             "under the old oak"));
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
  cachet_composer_set_crypto_registry (composer, crypto_mail_registry ());
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
  crypto_mail_spin_until (crypto_mail_keys_settled, composer, "the key look-up");
  weak = composer;
  g_object_add_weak_pointer (G_OBJECT (composer), &weak);
  g_signal_connect (composer, "sent", G_CALLBACK (crypto_mail_sent_cb), &sent);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  crypto_mail_spin_until (crypto_mail_pointer_cleared, &weak, "the composer to send and close");
  outbox = crypto_mail_outbox_bytes (f);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_true (crypto_mail_bytes_contain (g_ptr_array_index (outbox, 0), "multipart/encrypted"));
  g_assert_false (crypto_mail_bytes_contain (g_ptr_array_index (outbox, 0),
                                             CACHET_DRAFT_SAVER_CRYPTO_HEADER));
  g_assert_false (crypto_mail_bytes_contain (g_ptr_array_index (outbox, 0), "X-Cachet"));
  opened = cachet_crypto_open (crypto_mail_registry (), g_ptr_array_index (outbox, 0), &options,
                               &error);
  g_assert_no_error (error);
  g_assert_true (opened->decrypted);
  g_assert_true (crypto_mail_bytes_contain (opened->message, "under the old oak"));
  g_assert_false (crypto_mail_bytes_contain (opened->message, CACHET_DRAFT_SAVER_CRYPTO_HEADER));
  g_assert_false (crypto_mail_bytes_contain (opened->message, "X-Cachet"));
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
test_draft_no_own_key (CryptoMailFixture *f,
                       gconstpointer      data)
{
  g_autofree char *mail = g_build_filename (g_get_user_data_dir (), "mail", NULL);
  CachetComposer *composer;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(CachetMessage) stored = NULL;
  g_autoptr(GError) error = NULL;
  gint64 saved = 0;

  if (crypto_mail_skip ())
    return;
  composer = crypto_mail_open_composer (f);
  gtk_combo_box_set_active (GTK_COMBO_BOX (composer->from_combo), 1);
  gtk_entry_set_text (composer->to_entry, CAROL);
  gtk_entry_set_text (composer->subject_entry, "Oak");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (composer->body_view), DRAFT_TEXT, -1);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "encrypt", NULL);
  g_signal_connect (composer, "saved", G_CALLBACK (saved_cb), &saved);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "save-draft", NULL);
  crypto_mail_spin_until (save_failed, composer, "the save to fail");
  g_assert_true (gtk_info_bar_get_revealed (composer->info_bar));
  g_test_message ("error: %s", gtk_label_get_text (composer->info_label));
  g_assert_nonnull (strstr (gtk_label_get_text (composer->info_label), "no key of your own"));
  g_assert_nonnull (strstr (gtk_label_get_text (composer->info_label), NOKEY));
  crypto_mail_save_screenshot (GTK_WIDGET (composer), "crypto-composer-draft-no-key.png");
  g_assert_cmpint (saved, ==, 0);
  drafts = folder_ids (f, CACHET_FOLDER_ROLE_DRAFTS);
  g_assert_cmpuint (drafts->len, ==, 0);
  g_clear_pointer (&drafts, g_ptr_array_unref);
  g_assert_false (tree_contains (mail, "under the old oak"));

  /* The next save fails the same way: not said again. */
  gtk_info_bar_set_revealed (composer->info_bar, FALSE);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "save-draft", NULL);
  crypto_mail_spin_until (saver_idle, composer, "the second save");
  crypto_mail_drain ();
  g_assert_false (gtk_info_bar_get_revealed (composer->info_bar));
  g_assert_true (composer->dirty);
  drafts = folder_ids (f, CACHET_FOLDER_ROLE_DRAFTS);
  g_assert_cmpuint (drafts->len, ==, 0);
  g_clear_pointer (&drafts, g_ptr_array_unref);

  /* Encrypt off, by the user: saved as it is. */
  g_action_group_activate_action (G_ACTION_GROUP (composer), "encrypt", NULL);
  g_assert_false (cachet_composer_get_encrypt (composer));
  g_action_group_activate_action (G_ACTION_GROUP (composer), "save-draft", NULL);
  crypto_mail_spin_until (id_set, &saved, "the draft to be saved");
  stored = cachet_store_load_message (f->store, saved, &error);
  g_assert_no_error (error);
  g_assert_true (crypto_mail_bytes_contain (cachet_message_get_bytes (stored),
                                            "under the old oak"));
  g_assert_false (crypto_mail_bytes_contain (cachet_message_get_bytes (stored),
                                             CACHET_DRAFT_SAVER_CRYPTO_HEADER));
  /* ... where the search above finds it (so that it can fail). */
  g_assert_true (tree_contains (mail, "under the old oak"));
  gtk_widget_destroy (GTK_WIDGET (composer));
}

static gint64
add_to_inbox (CryptoMailFixture *f,
              GBytes            *message)
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
test_reply_from_list (CryptoMailFixture *f,
                      gconstpointer      data)
{
  g_autoptr(GBytes) plain = crypto_mail_plain_message ("Ann <" ANN ">", ME, "Harbour",
                                                       "The boat leaves at dawn.");
  g_autoptr(GBytes) to_me = NULL;
  g_autoptr(GBytes) to_pat = NULL;
  g_autoptr(GBytes) to_carol = NULL;
  g_autoptr(CachetComposeSource) source = NULL;
  g_autoptr(CachetDraft) reply = NULL;
  CachetComposer *composer;
  g_autofree char *body = NULL;
  Loaded loaded = { 0 };
  gint64 id;

  if (crypto_mail_skip ())
    return;
  to_me = crypto_mail_seal (plain, TRUE, TRUE, ANN, ME);
  id = add_to_inbox (f, to_me);
  source = load_source (f, id);
  g_assert_true (source->encrypted);
  g_assert_true (source->decrypted);
  reply = cachet_draft_new_reply (source->message, FALSE, (const char * const[]) { ME, NULL });
  g_assert_nonnull (strstr (cachet_draft_get_body (reply), "> The boat leaves at dawn."));
  g_assert_null (strstr (cachet_draft_get_body (reply), "BEGIN PGP"));
  /* The composer the window opens for it (cachet-window-compose.c: Encrypt on). */
  composer = cachet_composer_new (NULL, f->store, f->accounts, g_steal_pointer (&reply), 0);
  cachet_composer_set_crypto_registry (composer, crypto_mail_registry ());
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
  to_pat = crypto_mail_seal (plain, TRUE, FALSE, PAT, PAT);
  id = add_to_inbox (f, to_pat);
  cachet_compose_source_load_async (f->store, id, crypto_mail_registry (), FALSE, NULL, NULL,
                                    source_loaded_cb, &loaded);
  crypto_mail_spin_until (crypto_mail_dialog_open, NULL, "the passphrase dialog");
  crypto_mail_answer (crypto_mail_find_dialog (), PAT_PASSPHRASE);
  crypto_mail_spin_until (loaded_done, &loaded, "the message to load");
  g_assert_no_error (loaded.error);
  source = g_steal_pointer (&loaded.source);
  g_assert_true (source->decrypted);
  g_assert_nonnull (strstr (cachet_message_get_body_text (source->message),
                            "The boat leaves at dawn."));
  g_clear_pointer (&source, cachet_compose_source_free);

  /* Only Carol can read it. */
  to_carol = crypto_mail_seal (plain, TRUE, FALSE, CAROL, CAROL);
  id = add_to_inbox (f, to_carol);
  source = load_source (f, id);
  g_assert_true (source->encrypted);
  g_assert_false (source->decrypted);
  g_assert_nonnull (source->problem);
  g_test_message ("problem: %s", source->problem);
  g_assert_false (crypto_mail_bytes_contain (cachet_message_get_bytes (source->message),
                                             "BEGIN PGP"));
  g_assert_cmpstr (cachet_message_get_subject (source->message), ==, "Harbour");
  reply = cachet_draft_new_reply (source->message, FALSE, (const char * const[]) { ME, NULL });
  g_assert_nonnull (reply);
  g_assert_null (strstr (cachet_draft_get_body (reply), "BEGIN PGP"));
  g_assert_cmpstr (cachet_draft_get_subject (reply), ==, "Re: Harbour");
}

/* A worker that borrows the application's registry keeps the application (which frees the
 * registry when it is finalized): quitting while the worker runs does not free it. */
static void
test_registry_kept (CryptoMailFixture *f,
                    gconstpointer      data)
{
  g_autoptr(GBytes) plain = crypto_mail_plain_message ("Ann <" ANN ">", ME, "Kept", "Still here.");
  g_autoptr(GBytes) sealed = NULL;
  GApplication *app;
  gpointer weak;
  Loaded loaded = { 0 };
  gint64 id;

  if (crypto_mail_skip ())
    return;
  sealed = crypto_mail_seal (plain, TRUE, FALSE, ANN, ME);
  id = add_to_inbox (f, sealed);
  app = g_application_new ("org.cachet.TestRegistryKept", G_APPLICATION_NON_UNIQUE);
  g_application_set_default (app);
  weak = app;
  g_object_add_weak_pointer (G_OBJECT (app), &weak);
  cachet_compose_source_load_async (f->store, id, crypto_mail_registry (), FALSE, NULL, NULL,
                                    source_loaded_cb, &loaded);
  /* The application goes (its last reference here) while the worker runs. */
  g_object_unref (app);
  g_assert_nonnull (weak);
  crypto_mail_spin_until (loaded_done, &loaded, "the message to load");
  g_assert_no_error (loaded.error);
  g_assert_true (loaded.source->decrypted);
  g_clear_pointer (&loaded.source, cachet_compose_source_free);
  crypto_mail_spin_until (crypto_mail_pointer_cleared, &weak, "the application to be released");
  g_assert_null (g_application_get_default ());
}

int
main (int   argc,
      char *argv[])
{
  if (!crypto_mail_init (&argc, &argv))
    return 0;

  CRYPTO_MAIL_ADD ("/ui/crypto-mail/drafts/sealed", test_draft_sealed);
  CRYPTO_MAIL_ADD ("/ui/crypto-mail/drafts/no-own-key", test_draft_no_own_key);
  CRYPTO_MAIL_ADD ("/ui/crypto-mail/reply-from-list", test_reply_from_list);
  CRYPTO_MAIL_ADD ("/ui/crypto-mail/registry-kept", test_registry_kept);

  return crypto_mail_run ();
}
