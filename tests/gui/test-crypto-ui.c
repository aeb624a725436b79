/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cachet-composer-private.h"
#include "cachet-crypto-passphrase.h"
#include "cachet-crypto-status.h"
#include "cachet-encrypt-memory.h"
#include "cachet-message-view.h"
#include "cachet-sender.h"
#include "cachet-store.h"

/* The crypto parts of the windows, in process and without a plugin: the status bar above a
 * message at each level, the passphrase dialog asked from a worker thread (answered,
 * wrong then right, cancelled, closed with its window), and the composer's Encrypt and
 * Sign with the memory of who to encrypt to, the privacy line and Send refused when the
 * message cannot be encrypted.  With the OpenPGP plugin: test-crypto-mail-*.c. */

static void
spin_until (gboolean (*done) (gpointer),
            gpointer    data,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

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

static GtkWidget *
in_window (GtkWidget *child,
           int        width,
           int        height)
{
  GtkWidget *window = gtk_window_new (GTK_WINDOW_TOPLEVEL);

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_container_add (GTK_CONTAINER (window), child);
  gtk_widget_show_all (window);
  gtk_test_widget_wait_for_draw (window);
  return window;
}

/* The status bar ---------------------------------------------------------------------------- */

static const char signed_message[] =
  "From: Alice <alice@example.org>\n"
  "To: Bob <bob@example.net>\n"
  "Subject: Minutes\n"
  "Date: Tue, 3 Mar 2026 10:00:00 +0100\n"
  "Message-ID: <minutes@example.org>\n"
  "MIME-Version: 1.0\n"
  "Content-Type: text/plain; charset=utf-8\n"
  "\n"
  "The minutes are below.\n";

/* A message can say anything in its text; the bar is not part of it. */
static const char faking_message[] =
  "From: Mallory <mallory@example.com>\n"
  "To: Bob <bob@example.net>\n"
  "Subject: Trust me\n"
  "MIME-Version: 1.0\n"
  "Content-Type: text/plain; charset=utf-8\n"
  "\n"
  "Decrypted \xc2\xb7 Signature good (alice@example.org)\n";

static CachetMessage *
parse (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));

  return cachet_message_new_from_bytes (bytes);
}

static GtkWidget *
details_button (CachetCryptoStatus *status)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (status),
                                                    CACHET_TYPE_CRYPTO_STATUS, "details_button"));
}

static void
test_status_levels (void)
{
  CachetMessageView *view = CACHET_MESSAGE_VIEW (cachet_message_view_new ());
  GtkWidget *window = in_window (GTK_WIDGET (view), 760, 420);
  CachetCryptoStatus *status = cachet_message_view_get_crypto_status (view);
  g_autoptr(CachetMessage) message = parse (signed_message);
  GtkWidget *body = GTK_WIDGET (cachet_message_view_get_body_view (view));
  static const struct
  {
    CachetCryptoVerdictLevel  level;
    const char               *title;
    const char               *detail;
    GtkMessageType            type;
    const char               *icon;
    const char               *screenshot;
  } cases[] = {
    { CACHET_CRYPTO_VERDICT_GOOD, "Decrypted \xc2\xb7 Signature good (alice@example.org)",
      "Signed by Alice <alice@example.org>\nKey 0123 4567 89AB CDEF, fully valid",
      GTK_MESSAGE_INFO, "security-high-symbolic", "crypto-status-good.png" },
    { CACHET_CRYPTO_VERDICT_INFO, "Signed, but the key is not verified (alice@example.org)",
      "Nobody you trust has said that this key belongs to alice@example.org.",
      GTK_MESSAGE_INFO, "security-medium-symbolic", "crypto-status-info.png" },
    { CACHET_CRYPTO_VERDICT_WARNING, "Signed with an unknown key",
      "The key 0123456789ABCDEF is not in your keyring.",
      GTK_MESSAGE_WARNING, "dialog-warning-symbolic", "crypto-status-unknown-key.png" },
    { CACHET_CRYPTO_VERDICT_BAD, "Bad signature: the message was changed after it was signed",
      "The signature of alice@example.org does not match the message.",
      GTK_MESSAGE_ERROR, "dialog-error-symbolic", "crypto-status-bad.png" },
  };

  cachet_message_view_set_message (view, message);
  drain ();
  /* A plain message: no bar. */
  g_assert_null (cachet_crypto_status_get_title (status));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (status)));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GtkWidget *details = NULL;
      GtkAllocation bar, text;

      cachet_crypto_status_set_verdict (status, cases[i].level, cases[i].title,
                                        cases[i].detail);
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (status)));
      g_assert_cmpstr (cachet_crypto_status_get_title (status), ==, cases[i].title);
      g_assert_cmpstr (cachet_crypto_status_get_detail (status), ==, cases[i].detail);
      g_assert_cmpstr (cachet_crypto_status_get_icon_name (status), ==, cases[i].icon);
      g_assert_cmpint (cachet_crypto_status_get_message_type (status), ==, cases[i].type);
      g_assert_false (cachet_crypto_status_get_details_shown (status));

      /* Above the message, and no part of its text. */
      gtk_test_widget_wait_for_draw (window);
      drain ();
      gtk_widget_get_allocation (GTK_WIDGET (status), &bar);
      gtk_widget_translate_coordinates (body, GTK_WIDGET (view), 0, 0, &text.x, &text.y);
      g_assert_cmpint (bar.y + bar.height, <=, text.y);
      g_assert_false (gtk_widget_is_ancestor (GTK_WIDGET (status), body));

      /* Details shows the longer text. */
      details = details_button (status);
      g_assert_nonnull (details);
      g_assert_true (gtk_widget_get_visible (details));
      gtk_button_clicked (GTK_BUTTON (details));
      g_assert_true (cachet_crypto_status_get_details_shown (status));
      save_screenshot (window, cases[i].screenshot);
      gtk_button_clicked (GTK_BUTTON (details));
      g_assert_false (cachet_crypto_status_get_details_shown (status));
    }

  /* No detail: no Details button. */
  cachet_crypto_status_set_verdict (status, CACHET_CRYPTO_VERDICT_WARNING, "Could not decrypt",
                                    NULL);
  g_assert_false (gtk_widget_get_visible (details_button (status)));

  /* Another message, plain, even one whose text looks like a verdict: the bar goes. */
  {
    g_autoptr(CachetMessage) faking = parse (faking_message);

    cachet_message_view_set_message (view, faking);
    drain ();
    g_assert_null (cachet_crypto_status_get_title (status));
    g_assert_false (gtk_widget_get_visible (GTK_WIDGET (status)));
    save_screenshot (window, "crypto-status-plain-faking.png");
  }

  gtk_widget_destroy (window);
}

/* The passphrase dialog -------------------------------------------------------------------- */

typedef struct
{
  CachetPassphrasePrompt *prompt;
  const char             *hint;
  const char             *description;
  gboolean                again;
  char                   *answer;
  gboolean                done;
} Asking;

static gpointer
ask_worker (gpointer data)
{
  Asking *asking = data;

  asking->answer = cachet_passphrase_prompt_ask (asking->hint, asking->description,
                                                 asking->again, asking->prompt);
  g_atomic_int_set (&asking->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static gboolean
asking_done (gpointer data)
{
  return g_atomic_int_get (&((Asking *) data)->done);
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

static GtkLabel *
label_named (GtkWidget  *root,
             const char *id)
{
  return GTK_LABEL (gtk_widget_get_template_child (root, CACHET_TYPE_PASSPHRASE_DIALOG, id));
}

static GThread *
start_asking (Asking *asking)
{
  GThread *thread = g_thread_new ("ask", ask_worker, asking);

  spin_until (dialog_open, NULL, "the passphrase dialog");
  return thread;
}

static void
test_passphrase_answer (void)
{
  GtkWidget *parent = in_window (gtk_label_new ("Parent"), 400, 200);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CachetPassphrasePrompt) prompt = cachet_passphrase_prompt_new (GTK_WINDOW (parent),
                                                                           cancellable);
  Asking asking = { prompt, "Alice <alice@example.org> (ABCD 1234)",
                    "to decrypt a message", FALSE, NULL, FALSE };
  GThread *thread = start_asking (&asking);
  CachetPassphraseDialog *dialog = find_dialog ();
  GtkEntry *entry;
  GtkWidget *ok;

  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (parent));
  g_assert_nonnull (strstr (gtk_label_get_text (label_named (GTK_WIDGET (dialog), "key_label")),
                            "Alice <alice@example.org> (ABCD 1234)"));
  g_assert_cmpstr (gtk_label_get_text (label_named (GTK_WIDGET (dialog), "description_label")),
                   ==, "to decrypt a message");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (label_named (GTK_WIDGET (dialog),
                                                                   "again_label"))));
  entry = GTK_ENTRY (gtk_widget_get_template_child (GTK_WIDGET (dialog),
                                                    CACHET_TYPE_PASSPHRASE_DIALOG,
                                                    "passphrase_entry"));
  ok = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog),
                                                  CACHET_TYPE_PASSPHRASE_DIALOG, "ok_button"));
  g_assert_false (gtk_entry_get_visibility (entry));
  g_assert_cmpstr (atk_object_get_name (gtk_widget_get_accessible (GTK_WIDGET (entry))), ==,
                   "Passphrase");

  /* OK with nothing typed does nothing. */
  g_assert_false (gtk_widget_get_sensitive (ok));
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_OK);
  drain ();
  g_assert_true (find_dialog () == dialog);
  g_assert_false (asking_done (&asking));

  gtk_entry_set_text (entry, "correct horse");
  g_assert_true (gtk_widget_get_sensitive (ok));
  save_screenshot (GTK_WIDGET (dialog), "passphrase-dialog.png");
  gtk_button_clicked (GTK_BUTTON (ok));
  spin_until (asking_done, &asking, "the answer");
  g_thread_join (thread);
  g_assert_cmpstr (asking.answer, ==, "correct horse");
  g_assert_cmpuint (cachet_passphrase_prompt_get_n_open (), ==, 0);
  g_assert_null (find_dialog ());
  cachet_crypto_passphrase_free (asking.answer);
  gtk_widget_destroy (parent);
}

static void
test_passphrase_again_and_cancel (void)
{
  GtkWidget *parent = in_window (gtk_label_new ("Parent"), 400, 200);
  g_autoptr(CachetPassphrasePrompt) prompt = cachet_passphrase_prompt_new (GTK_WINDOW (parent),
                                                                           NULL);
  Asking asking = { prompt, NULL, NULL, TRUE, NULL, FALSE };
  GThread *thread = start_asking (&asking);
  CachetPassphraseDialog *dialog = find_dialog ();
  GtkLabel *again = label_named (GTK_WIDGET (dialog), "again_label");

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (again)));
  g_assert_cmpstr (gtk_label_get_text (again), ==, "Wrong passphrase, try again.");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (label_named (GTK_WIDGET (dialog),
                                                                   "description_label"))));
  save_screenshot (GTK_WIDGET (dialog), "passphrase-dialog-again.png");
  gtk_entry_set_text (GTK_ENTRY (gtk_widget_get_template_child (GTK_WIDGET (dialog),
                                                                CACHET_TYPE_PASSPHRASE_DIALOG,
                                                                "passphrase_entry")),
                      "typed but cancelled");
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  spin_until (asking_done, &asking, "the answer");
  g_thread_join (thread);
  g_assert_null (asking.answer);
  g_assert_null (find_dialog ());
  gtk_widget_destroy (parent);
}

static void
test_passphrase_cancelled_work (void)
{
  GtkWidget *parent = in_window (gtk_label_new ("Parent"), 400, 200);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CachetPassphrasePrompt) prompt = cachet_passphrase_prompt_new (GTK_WINDOW (parent),
                                                                           cancellable);
  Asking asking = { prompt, "key", NULL, FALSE, NULL, FALSE };
  GThread *thread = start_asking (&asking);
  Asking later = { prompt, "key", NULL, FALSE, NULL, FALSE };

  /* The work is dropped (another message shown): the dialog goes, nothing is returned. */
  g_cancellable_cancel (cancellable);
  spin_until (asking_done, &asking, "the answer");
  g_thread_join (thread);
  g_assert_null (asking.answer);
  g_assert_null (find_dialog ());
  g_assert_cmpuint (cachet_passphrase_prompt_get_n_open (), ==, 0);

  /* Asked after that: no dialog at all. */
  ask_worker (&later);
  g_assert_null (later.answer);
  gtk_widget_destroy (parent);
}

static void
test_passphrase_parent_closed (void)
{
  GtkWidget *parent = in_window (gtk_label_new ("Parent"), 400, 200);
  g_autoptr(CachetPassphrasePrompt) prompt = cachet_passphrase_prompt_new (GTK_WINDOW (parent),
                                                                           NULL);
  Asking asking = { prompt, "key", NULL, FALSE, NULL, FALSE };
  GThread *thread = start_asking (&asking);

  gtk_widget_destroy (parent);
  spin_until (asking_done, &asking, "the answer");
  g_thread_join (thread);
  g_assert_null (asking.answer);
  g_assert_cmpuint (cachet_passphrase_prompt_get_n_open (), ==, 0);
}

static void
test_passphrase_wipe (void)
{
  GtkWidget *dialog = cachet_passphrase_dialog_new (NULL, NULL, NULL, FALSE);

  gtk_entry_set_text (GTK_ENTRY (gtk_widget_get_template_child (dialog,
                                                                CACHET_TYPE_PASSPHRASE_DIALOG,
                                                                "passphrase_entry")),
                      "secret");
  g_assert_cmpstr (cachet_passphrase_dialog_get_passphrase (CACHET_PASSPHRASE_DIALOG (dialog)),
                   ==, "secret");
  cachet_passphrase_dialog_wipe (CACHET_PASSPHRASE_DIALOG (dialog));
  g_assert_cmpstr (cachet_passphrase_dialog_get_passphrase (CACHET_PASSPHRASE_DIALOG (dialog)),
                   ==, "");
  gtk_widget_destroy (dialog);
}

/* The composer ----------------------------------------------------------------------------- */

typedef struct
{
  CachetStore         *store;
  CachetAccountList   *accounts;
  CachetSender        *sender;
  CachetEncryptMemory *memory;
} Fixture;

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "mail", NULL);
  g_autofree char *config = g_build_filename (g_get_user_config_dir (), "cachet", NULL);
  g_autofree char *memory = g_build_filename (config, "encrypt-to", NULL);
  g_autoptr(CachetAccount) account = cachet_account_new ("Home");
  g_autoptr(CachetServerSettings) pop3 = cachet_server_settings_new (FALSE);
  g_autoptr(CachetServerSettings) smtp = cachet_server_settings_new (TRUE);
  g_autoptr(GError) error = NULL;

  f->store = cachet_store_new (dir);
  cachet_store_open_sync (f->store, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  f->accounts = cachet_account_list_new (config);
  g_assert_true (cachet_account_list_load (f->accounts, NULL));
  cachet_account_set_address (account, "me@home.example");
  cachet_account_set_display_name (account, "Me");
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
  cachet_composer_set_crypto_registry (composer, NULL);   /* no plugin */
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

static const char *
privacy_title (CachetComposer *composer)
{
  return cachet_privacy_line_get_title (composer->privacy_line);
}

static guint
outbox_count (Fixture *f)
{
  g_autoptr(CachetFolderInfo) folder = cachet_store_get_folder_by_role (f->store,
                                                                        CACHET_FOLDER_ROLE_OUTBOX);
  g_autoptr(CachetMessageList) list = NULL;
  g_autoptr(GError) error = NULL;

  list = cachet_store_list_messages_sync (f->store, folder->id, CACHET_SORT_DATE, FALSE, FALSE,
                                          NULL, &error);
  g_assert_no_error (error);
  return list->ids->len;
}

static GtkToggleButton *
toggle (CachetComposer *composer,
        const char     *name)
{
  GObject *button = gtk_widget_get_template_child (GTK_WIDGET (composer), CACHET_TYPE_COMPOSER,
                                                   name);

  g_assert_nonnull (button);
  return GTK_TOGGLE_BUTTON (button);
}

static void
test_composer_toggles (Fixture      *f,
                       gconstpointer data)
{
  CachetComposer *composer = open_composer (f);
  GtkToggleButton *encrypt = toggle (composer, "encrypt_button");
  GtkToggleButton *sign = toggle (composer, "sign_button");

  /* Off to start with; the line tells the transport. */
  g_assert_false (cachet_composer_get_encrypt (composer));
  g_assert_false (cachet_composer_get_sign (composer));
  g_assert_false (gtk_toggle_button_get_active (encrypt));
  g_assert_cmpstr (atk_object_get_name (gtk_widget_get_accessible (GTK_WIDGET (encrypt))), ==,
                   "Encrypt");
  g_assert_cmpstr (atk_object_get_name (gtk_widget_get_accessible (GTK_WIDGET (sign))), ==,
                   "Sign");
  g_assert_cmpstr (privacy_title (composer), ==, "Protected only on the way to your server");

  /* Both are in the window's menu too. */
  {
    GtkMenuButton *menu = GTK_MENU_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (composer),
                                                                          CACHET_TYPE_COMPOSER,
                                                                          "menu_button"));
    GMenuModel *model = gtk_menu_button_get_menu_model (menu);
    gboolean found_encrypt = FALSE, found_sign = FALSE;

    for (int i = 0; i < g_menu_model_get_n_items (model); i++)
      {
        g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);

        for (int j = 0; section != NULL && j < g_menu_model_get_n_items (section); j++)
          {
            g_autofree char *target = NULL;

            if (g_menu_model_get_item_attribute (section, j, G_MENU_ATTRIBUTE_ACTION, "s",
                                                 &target))
              {
                found_encrypt |= g_strcmp0 (target, "win.encrypt") == 0;
                found_sign |= g_strcmp0 (target, "win.sign") == 0;
              }
          }
      }
    g_assert_true (found_encrypt);
    g_assert_true (found_sign);
  }

  /* The button and the action are one. */
  gtk_button_clicked (GTK_BUTTON (encrypt));
  g_assert_true (cachet_composer_get_encrypt (composer));
  g_action_group_activate_action (G_ACTION_GROUP (composer), "sign", NULL);
  g_assert_true (gtk_toggle_button_get_active (sign));
  g_assert_true (cachet_composer_get_sign (composer));

  /* No recipient yet. */
  g_assert_cmpstr (privacy_title (composer), ==, "Encrypted for the recipients you add");
  /* Encrypt with no plugin: never "end to end", and it says why. */
  gtk_entry_set_text (composer->to_entry, "Ann <ann@example.org>");
  spin_until (keys_settled, composer, "the key look-up");
  g_assert_cmpint (cachet_privacy_line_get_privacy (composer->privacy_line), !=,
                   CACHET_PRIVACY_END_TO_END);
  g_assert_cmpstr (privacy_title (composer), ==,
                   "Cannot be encrypted: no encryption plugin is loaded");
  save_screenshot (GTK_WIDGET (composer), "composer-encrypt-no-plugin.png");

  /* Off again: back to the transport. */
  gtk_button_clicked (GTK_BUTTON (encrypt));
  g_assert_false (cachet_composer_get_encrypt (composer));
  g_assert_cmpstr (privacy_title (composer), ==, "Protected only on the way to your server");
  gtk_widget_destroy (GTK_WIDGET (composer));
}

static void
test_composer_refuses (Fixture      *f,
                       gconstpointer data)
{
  CachetComposer *composer = open_composer (f);

  gtk_entry_set_text (composer->to_entry, "ann@example.org");
  gtk_entry_set_text (composer->subject_entry, "Secret");
  g_action_group_change_action_state (G_ACTION_GROUP (composer), "encrypt",
                                      g_variant_new_boolean (TRUE));
  spin_until (keys_settled, composer, "the key look-up");
  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  drain ();
  /* Refused, the window stays with the reason, nothing queued. */
  g_assert_false (composer->sending);
  g_assert_false (composer->sent);
  g_assert_true (gtk_info_bar_get_revealed (composer->info_bar));
  g_assert_nonnull (strstr (gtk_label_get_text (composer->info_label), "cannot be encrypted"));
  g_assert_cmpuint (outbox_count (f), ==, 0);

  /* Sign alone is refused the same way. */
  g_action_group_change_action_state (G_ACTION_GROUP (composer), "encrypt",
                                      g_variant_new_boolean (FALSE));
  g_action_group_change_action_state (G_ACTION_GROUP (composer), "sign",
                                      g_variant_new_boolean (TRUE));
  gtk_info_bar_set_revealed (composer->info_bar, FALSE);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  drain ();
  g_assert_true (gtk_info_bar_get_revealed (composer->info_bar));
  g_assert_nonnull (strstr (gtk_label_get_text (composer->info_label), "cannot be signed"));
  g_assert_cmpuint (outbox_count (f), ==, 0);
  gtk_widget_destroy (GTK_WIDGET (composer));
}

static void
sent_cb (CachetComposer *composer,
         gint64          id,
         gint64         *out)
{
  *out = id;
}

static gboolean
forgotten (gpointer data)
{
  Fixture *f = data;

  return !cachet_encrypt_memory_contains (f->memory, "bob@example.net");
}

/* Encrypt follows the memory until the user touches it. */
static void
test_composer_memory (Fixture      *f,
                      gconstpointer data)
{
  const char *people[] = { "alice@example.org", "bob@example.net", NULL };
  CachetComposer *composer;
  gpointer weak;
  gint64 sent = 0;

  g_assert_true (cachet_encrypt_memory_remember (f->memory, people, NULL));
  composer = open_composer (f);
  g_assert_false (cachet_composer_get_encrypt (composer));
  gtk_entry_set_text (composer->to_entry, "Alice <ALICE@example.org>");
  g_assert_true (cachet_composer_get_encrypt (composer));
  gtk_entry_set_text (composer->to_entry, "Alice <alice@example.org>, carol@example.com");
  g_assert_false (cachet_composer_get_encrypt (composer));
  gtk_entry_set_text (composer->to_entry, "alice@example.org, bob@example.net");
  g_assert_true (cachet_composer_get_encrypt (composer));
  /* An address being typed is not yet someone. */
  gtk_entry_set_text (composer->to_entry, "alice@example.org, bob@");
  g_assert_false (cachet_composer_get_encrypt (composer));

  /* The user turns it on for Carol: it stays on whoever is added. */
  gtk_entry_set_text (composer->to_entry, "carol@example.com");
  g_assert_false (cachet_composer_get_encrypt (composer));
  gtk_button_clicked (GTK_BUTTON (toggle (composer, "encrypt_button")));
  g_assert_true (cachet_composer_get_encrypt (composer));
  gtk_entry_set_text (composer->to_entry, "carol@example.com, dave@example.com");
  g_assert_true (cachet_composer_get_encrypt (composer));
  gtk_widget_destroy (GTK_WIDGET (composer));

  /* A reply to remembered people starts with Encrypt on. */
  {
    g_autoptr(CachetDraft) draft = cachet_draft_new ();

    cachet_draft_set_to (draft, "Bob <bob@example.net>");
    composer = cachet_composer_new (NULL, f->store, f->accounts, g_steal_pointer (&draft), 0);
    cachet_composer_set_crypto_registry (composer, NULL);
    cachet_composer_set_encrypt_memory (composer, f->memory);
    g_assert_true (cachet_composer_get_encrypt (composer));
  }

  /* Turned off by hand and sent in the clear: Bob is forgotten. */
  cachet_composer_set_sender (composer, f->sender);
  gtk_widget_show (GTK_WIDGET (composer));
  gtk_entry_set_text (composer->subject_entry, "Plain");
  gtk_button_clicked (GTK_BUTTON (toggle (composer, "encrypt_button")));
  g_assert_false (cachet_composer_get_encrypt (composer));
  weak = composer;
  g_object_add_weak_pointer (G_OBJECT (composer), &weak);
  g_signal_connect (composer, "sent", G_CALLBACK (sent_cb), &sent);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  spin_until (pointer_cleared, &weak, "the composer to send and close");
  g_assert_cmpint (sent, >, 0);
  spin_until (forgotten, f, "Bob to be forgotten");
  g_assert_true (cachet_encrypt_memory_contains (f->memory, "alice@example.org"));
}

int
main (int   argc,
      char *argv[])
{
  g_auto(GStrv) system_dirs = g_strdupv ((char **) g_get_system_data_dirs ());
  g_autoptr(GPtrArray) icon_path = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) mime_path = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* The isolated XDG_DATA_DIRS hide the system's MIME database and icons. */
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
  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  gtk_init (&argc, &argv);
  gtk_icon_theme_set_search_path (gtk_icon_theme_get_default (),
                                  (const char **) icon_path->pdata, (int) icon_path->len);

  g_test_add_func ("/ui/crypto/status/levels", test_status_levels);
  g_test_add_func ("/ui/crypto/passphrase/answer", test_passphrase_answer);
  g_test_add_func ("/ui/crypto/passphrase/again-and-cancel", test_passphrase_again_and_cancel);
  g_test_add_func ("/ui/crypto/passphrase/cancelled-work", test_passphrase_cancelled_work);
  g_test_add_func ("/ui/crypto/passphrase/parent-closed", test_passphrase_parent_closed);
  g_test_add_func ("/ui/crypto/passphrase/wipe", test_passphrase_wipe);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/ui/crypto/composer/toggles", test_composer_toggles);
  ADD ("/ui/crypto/composer/refuses-without-plugin", test_composer_refuses);
  ADD ("/ui/crypto/composer/memory", test_composer_memory);
#undef ADD
  return g_test_run ();
}
