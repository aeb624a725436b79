/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cachet-address.h"
#include "cachet-address-completion.h"
#include "cachet-composer-private.h"
#include "cachet-privacy.h"
#include "cachet-sender.h"
#include "cachet-store.h"

/* The composer, in process: fields and draft both ways, the signature, attachments, the
 * privacy line, saving to Drafts (by hand, automatically and on closing), continuing a
 * draft, completion and sending into the Outbox. */

typedef struct
{
  char              *dir;
  CachetStore       *store;
  CachetAccountList *accounts;
  CachetSender      *sender;
} Fixture;

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

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
add_account (Fixture        *f,
             const char     *name,
             const char     *address,
             CachetSecurity  smtp_security,
             const char     *signature)
{
  g_autoptr(CachetAccount) account = cachet_account_new (name);
  g_autoptr(CachetServerSettings) pop3 = cachet_server_settings_new (FALSE);
  g_autoptr(CachetServerSettings) smtp = cachet_server_settings_new (TRUE);
  g_autoptr(GError) error = NULL;

  cachet_account_set_address (account, address);
  cachet_account_set_display_name (account, name);
  cachet_account_set_signature (account, signature);
  pop3->host = g_strdup ("127.0.0.1");
  pop3->user = g_strdup ("user");
  smtp->host = g_strdup ("127.0.0.1");
  smtp->port = 9;   /* nothing listens: queued mail waits in the Outbox */
  smtp->security = smtp_security;
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
  static guint n;
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;

  f->dir = g_build_filename (g_get_user_data_dir (), "composer", NULL);
  config = g_strdup_printf ("%s/config-%u", g_get_user_config_dir (), ++n);
  f->store = cachet_store_new (f->dir);
  cachet_store_open_sync (f->store, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  f->accounts = cachet_account_list_new (config);
  g_assert_true (cachet_account_list_load (f->accounts, NULL));
  add_account (f, "Home", "me@home.example", CACHET_SECURITY_TLS, "Me at home\nhome.example");
  add_account (f, "Work", "me@work.example", CACHET_SECURITY_STARTTLS, "Me at work");
  add_account (f, "Old", "me@old.example", CACHET_SECURITY_PLAIN, NULL);
  f->sender = cachet_sender_new (f->store, f->accounts);
  cachet_sender_set_timeouts (f->sender, 2000, 10);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  drain ();
  /* The sender tries what is queued (nothing listens on the port) before the store goes. */
  while (cachet_sender_is_busy (f->sender))
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&f->sender);
  g_assert_true (cachet_sender_cancel_all (30000));
  cachet_store_close (f->store);
  g_clear_object (&f->store);
  g_clear_object (&f->accounts);
  drain ();
  g_free (f->dir);
}

static CachetComposer *
open_composer (Fixture     *f,
               CachetDraft *draft,
               gint64       draft_id)
{
  CachetComposer *composer = cachet_composer_new (NULL, f->store, f->accounts, draft, draft_id);

  cachet_composer_set_sender (composer, f->sender);
  gtk_widget_show (GTK_WIDGET (composer));
  return composer;
}

static char *
body_of (CachetComposer *composer)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (composer->body_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
set_body (CachetComposer *composer,
          const char     *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (composer->body_view), text, -1);
}

static GPtrArray *
messages_in (Fixture          *f,
             CachetFolderRole  role)
{
  g_autoptr(CachetFolderInfo) folder = cachet_store_get_folder_by_role (f->store, role);
  g_autoptr(CachetMessageList) list = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *messages = g_ptr_array_new_with_free_func (g_object_unref);

  list = cachet_store_list_messages_sync (f->store, folder->id, CACHET_SORT_DATE, FALSE, FALSE,
                                          NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->ids->len; i++)
    {
      CachetMessage *message = cachet_store_load_message (f->store,
                                                          g_array_index (list->ids, gint64, i),
                                                          &error);
      g_assert_no_error (error);
      g_ptr_array_add (messages, message);
    }
  return messages;
}

/* Only the index: a file may be going while it is counted. */
static guint
count_in (Fixture          *f,
          CachetFolderRole  role)
{
  g_autoptr(CachetFolderInfo) folder = cachet_store_get_folder_by_role (f->store, role);
  g_autoptr(CachetMessageList) list = NULL;
  g_autoptr(GError) error = NULL;

  list = cachet_store_list_messages_sync (f->store, folder->id, CACHET_SORT_DATE, FALSE, FALSE,
                                          NULL, &error);
  g_assert_no_error (error);
  return list->ids->len;
}

static void
destroy_composer (CachetComposer *composer)
{
  gpointer weak = composer;

  g_object_add_weak_pointer (G_OBJECT (composer), &weak);
  gtk_widget_destroy (GTK_WIDGET (composer));
  spin_until (pointer_cleared, &weak, "the composer to go");
}

/* Fields -> draft ----------------------------------------------------------------------------- */

static void
test_fields_to_draft (Fixture      *f,
                      gconstpointer data)
{
  CachetComposer *composer = open_composer (f, NULL, 0);
  CachetDraft *draft;
  g_autofree char *body = NULL;

  /* A new message: the first account, its signature under the separator, To first. */
  g_assert_cmpstr (gtk_combo_box_get_active_id (GTK_COMBO_BOX (composer->from_combo)), ==, "home");
  body = body_of (composer);
  g_assert_cmpstr (body, ==, "\n\n-- \nMe at home\nhome.example");
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (composer)) == GTK_WIDGET (composer->to_entry));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (composer->cc_entry)));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (composer)), ==, "New Message");

  gtk_combo_box_set_active_id (GTK_COMBO_BOX (composer->from_combo), "work");
  gtk_entry_set_text (composer->to_entry, "Ann Example <ann@example.org>, bob@example.org, ");
  gtk_toggle_button_set_active (composer->cc_bcc_button, TRUE);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (composer->cc_entry)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (composer->bcc_entry)));
  gtk_entry_set_text (composer->cc_entry, "carol@example.org");
  gtk_entry_set_text (composer->bcc_entry, "dave@example.org");
  gtk_entry_set_text (composer->subject_entry, "Grüße zum Wochenende");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (composer)), ==, "Grüße zum Wochenende");
  set_body (composer, "Hello all,\n\nsee you on Saturday.\n\n-- \nMe at work");
  g_assert_true (composer->dirty);

  draft = cachet_composer_sync_draft (composer);
  g_assert_nonnull (draft);
  g_assert_cmpstr (cachet_draft_get_account_id (draft), ==, "work");
  /* The separator the completion leaves is not part of the field. */
  g_assert_cmpstr (cachet_draft_get_to (draft), ==, "Ann Example <ann@example.org>, bob@example.org");
  g_assert_cmpstr (cachet_draft_get_cc (draft), ==, "carol@example.org");
  g_assert_cmpstr (cachet_draft_get_bcc (draft), ==, "dave@example.org");
  g_assert_cmpstr (cachet_draft_get_subject (draft), ==, "Grüße zum Wochenende");
  g_assert_cmpstr (cachet_draft_get_body (draft), ==,
                   "Hello all,\n\nsee you on Saturday.\n\n-- \nMe at work");
  {
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) rcpt = cachet_draft_get_envelope_recipients (draft, &error);
    g_autoptr(GBytes) built = NULL;
    g_autoptr(CachetMessage) message = NULL;
    GPtrArray *from;

    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (rcpt), ==, 4);
    built = cachet_draft_build (draft, CACHET_DRAFT_BUILD_SEND, &error);
    g_assert_no_error (error);
    message = cachet_message_new_from_bytes (built);
    from = cachet_message_get_from (message);
    g_assert_cmpuint (from->len, ==, 1);
    g_assert_cmpstr (((CachetAddress *) g_ptr_array_index (from, 0))->email, ==,
                     "me@work.example");
    g_assert_cmpstr (cachet_message_get_subject (message), ==, "Grüße zum Wochenende");
    g_assert_true (cachet_message_get_bcc (message) == NULL
                   || cachet_message_get_bcc (message)->len == 0);
  }
  destroy_composer (composer);
}

/* Draft -> fields ----------------------------------------------------------------------------- */

static void
test_draft_to_fields (Fixture      *f,
                      gconstpointer data)
{
  CachetDraft *draft = cachet_draft_new ();
  CachetComposer *composer;
  g_autofree char *body = NULL;
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "notes.txt", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "some notes\n", -1, &error));
  cachet_draft_set_account_id (draft, "work");
  cachet_draft_set_to (draft, "ann@example.org");
  cachet_draft_set_bcc (draft, "secret@example.org");
  cachet_draft_set_subject (draft, "Continued");
  cachet_draft_set_body (draft, "Half written.\n\n-- \nMe at work");
  cachet_draft_add_file (draft, path, "text/plain", &error);
  g_assert_no_error (error);

  /* A continued draft (it has an id): no second signature. */
  composer = open_composer (f, draft, 4242);
  g_assert_cmpstr (gtk_combo_box_get_active_id (GTK_COMBO_BOX (composer->from_combo)), ==, "work");
  g_assert_cmpstr (gtk_entry_get_text (composer->to_entry), ==, "ann@example.org");
  g_assert_cmpstr (gtk_entry_get_text (composer->bcc_entry), ==, "secret@example.org");
  /* A draft with Cc or Bcc shows them. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (composer->bcc_entry)));
  g_assert_true (gtk_toggle_button_get_active (composer->cc_bcc_button));
  g_assert_cmpstr (gtk_entry_get_text (composer->subject_entry), ==, "Continued");
  body = body_of (composer);
  g_assert_cmpstr (body, ==, "Half written.\n\n-- \nMe at work");
  g_assert_cmpuint (cachet_composer_attachments_get_n_items (composer->attachments), ==, 1);
  g_assert_cmpstr (cachet_composer_attachments_get_name (composer->attachments, 0), ==,
                   "notes.txt");
  g_assert_cmpuint (cachet_composer_attachments_get_size (composer->attachments, 0), ==, 11);
  g_assert_cmpint (cachet_composer_get_draft_id (composer), ==, 4242);
  /* Filling the fields is not a change; typing in the text is. */
  g_assert_false (composer->dirty);
  g_assert_cmpuint (composer->autosave_source, ==, 0);
  gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (composer->body_view), "More.", -1);
  g_assert_true (composer->dirty);
  g_assert_cmpuint (composer->autosave_source, !=, 0);
  composer->dirty = FALSE;
  destroy_composer (composer);
}

/* The signature follows From ------------------------------------------------------------------ */

static void
test_signature_follows_from (Fixture      *f,
                             gconstpointer data)
{
  CachetComposer *composer = open_composer (f, NULL, 0);
  g_autofree char *home = NULL;
  g_autofree char *work = NULL;
  g_autofree char *none = NULL;
  g_autofree char *again = NULL;
  g_autofree char *edited = NULL;

  set_body (composer, "Text.");
  /* The text was replaced: no signature is known to be in it any more. */
  g_clear_pointer (&composer->signature, g_free);
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (composer->from_combo), "work");
  work = body_of (composer);
  g_assert_cmpstr (work, ==, "Text.\n\n-- \nMe at work");
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (composer->from_combo), "home");
  home = body_of (composer);
  g_assert_cmpstr (home, ==, "Text.\n\n-- \nMe at home\nhome.example");
  /* An account without one: the block and its blank line go. */
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (composer->from_combo), "old");
  none = body_of (composer);
  g_assert_cmpstr (none, ==, "Text.");
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (composer->from_combo), "work");
  again = body_of (composer);
  g_assert_cmpstr (again, ==, "Text.\n\n-- \nMe at work");

  /* A signature the user changed is left alone. */
  set_body (composer, "Text.\n\n-- \nMe, at work today");
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (composer->from_combo), "home");
  edited = body_of (composer);
  g_assert_cmpstr (edited, ==, "Text.\n\n-- \nMe, at work today");
  composer->dirty = FALSE;
  destroy_composer (composer);
}

/* Attachments ------------------------------------------------------------------------------- */

static gboolean
has_n_attachments (gpointer data)
{
  CachetComposer *composer = data;
  guint want = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (composer), "want"));

  return cachet_composer_attachments_get_n_items (composer->attachments) == want;
}

static void
wait_attachments (CachetComposer *composer,
                  guint           n)
{
  g_object_set_data (G_OBJECT (composer), "want", GUINT_TO_POINTER (n));
  spin_until (has_n_attachments, composer, "the attachments");
}

static gboolean
error_shown (gpointer data)
{
  CachetComposer *composer = data;

  return gtk_info_bar_get_revealed (composer->info_bar);
}

static void
test_attachments (Fixture      *f,
                  gconstpointer data)
{
  CachetComposer *composer = open_composer (f, NULL, 0);
  g_autofree char *pdf = g_build_filename (g_get_user_data_dir (), "report.pdf", NULL);
  g_autofree char *png = g_build_filename (g_get_user_data_dir (), "photo of us.png", NULL);
  g_autofree char *missing = g_build_filename (g_get_user_data_dir (), "gone.txt", NULL);
  g_autoptr(GFile) pdf_file = g_file_new_for_path (pdf);
  g_autoptr(GFile) png_file = g_file_new_for_path (png);
  g_autoptr(GFile) missing_file = g_file_new_for_path (missing);
  g_autoptr(GFile) folder = g_file_new_for_path (g_get_user_data_dir ());
  static const char png_bytes[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
  g_autoptr(GError) error = NULL;
  g_autofree char *details = NULL;
  CachetDraft *draft;
  const char *name, *type;
  guint64 size;

  g_assert_true (g_file_set_contents (pdf, "%PDF-1.4\n% test\n", -1, &error));
  g_assert_true (g_file_set_contents (png, png_bytes, sizeof png_bytes - 1, &error));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (composer->attachments)));

  cachet_composer_attach_file (composer, pdf_file);
  wait_attachments (composer, 1);
  cachet_composer_attach_file (composer, png_file);
  wait_attachments (composer, 2);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (composer->attachments)));
  g_assert_true (composer->dirty);
  g_assert_cmpstr (cachet_composer_attachments_get_name (composer->attachments, 0), ==,
                   "report.pdf");
  g_assert_cmpstr (cachet_composer_attachments_get_name (composer->attachments, 1), ==,
                   "photo of us.png");
  details = cachet_composer_attachments_dup_details (composer->attachments, 0);
  g_assert_nonnull (strstr (details, "PDF"));
  g_assert_nonnull (strstr (details, "16 bytes"));

  /* Remove the first with its button. */
  gtk_button_clicked (cachet_composer_attachments_get_remove_button (composer->attachments, 0));
  g_assert_cmpuint (cachet_composer_attachments_get_n_items (composer->attachments), ==, 1);
  draft = cachet_composer_sync_draft (composer);
  g_assert_nonnull (draft);
  g_assert_cmpuint (cachet_draft_get_n_attachments (draft), ==, 1);
  cachet_draft_get_attachment (draft, 0, &name, &type, &size);
  g_assert_cmpstr (name, ==, "photo of us.png");
  g_assert_cmpstr (type, ==, "image/png");
  g_assert_cmpuint (size, ==, sizeof png_bytes - 1);

  /* A folder and a missing file are refused in words. */
  cachet_composer_attach_file (composer, folder);
  spin_until (error_shown, composer, "the folder to be refused");
  g_assert_nonnull (strstr (gtk_label_get_text (composer->info_label), "is a folder"));
  gtk_info_bar_set_revealed (composer->info_bar, FALSE);
  cachet_composer_attach_file (composer, missing_file);
  spin_until (error_shown, composer, "the missing file to be refused");
  g_assert_nonnull (strstr (gtk_label_get_text (composer->info_label), "gone.txt"));
  g_assert_cmpuint (cachet_composer_attachments_get_n_items (composer->attachments), ==, 1);

  composer->dirty = FALSE;
  destroy_composer (composer);
}

/* Privacy ------------------------------------------------------------------------------------ */

static void
test_privacy_line (Fixture      *f,
                   gconstpointer data)
{
  CachetComposer *composer = open_composer (f, NULL, 0);
  static const struct
  {
    const char    *account;
    CachetPrivacy  privacy;
    const char    *icon;
  } cases[] = {
    { "home", CACHET_PRIVACY_TLS_TO_SERVER, "security-medium-symbolic" },
    { "work", CACHET_PRIVACY_TLS_TO_SERVER, "security-medium-symbolic" },
    { "old", CACHET_PRIVACY_CLEAR, "security-low-symbolic" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CachetAccount *account = cachet_account_list_find (f->accounts, cases[i].account);
      AtkObject *accessible;

      gtk_combo_box_set_active_id (GTK_COMBO_BOX (composer->from_combo), cases[i].account);
      g_assert_cmpint (cachet_privacy_line_get_privacy (composer->privacy_line), ==,
                       cases[i].privacy);
      g_assert_cmpint (cachet_privacy_line_get_privacy (composer->privacy_line), ==,
                       cachet_privacy_for_sending (cachet_account_get_smtp (account), FALSE));
      g_assert_cmpstr (cachet_privacy_line_get_title (composer->privacy_line), ==,
                       cachet_privacy_get_title (cases[i].privacy));
      g_assert_cmpstr (cachet_privacy_line_get_icon_name (composer->privacy_line), ==,
                       cases[i].icon);
      accessible = gtk_widget_get_accessible (GTK_WIDGET (composer->privacy_line));
      g_assert_cmpstr (atk_object_get_description (accessible), ==,
                       cachet_privacy_get_explanation (cases[i].privacy));
    }

  /* The account's server changes: the line follows. */
  {
    CachetAccount *home = cachet_account_list_find (f->accounts, "home");
    g_autoptr(CachetServerSettings) smtp = cachet_server_settings_copy (cachet_account_get_smtp (home));

    gtk_combo_box_set_active_id (GTK_COMBO_BOX (composer->from_combo), "home");
    smtp->security = CACHET_SECURITY_PLAIN;
    cachet_account_set_smtp (home, smtp);
    g_assert_cmpint (cachet_privacy_line_get_privacy (composer->privacy_line), ==,
                     CACHET_PRIVACY_CLEAR);
    g_assert_cmpstr (gtk_combo_box_get_active_id (GTK_COMBO_BOX (composer->from_combo)), ==,
                     "home");
  }
  composer->dirty = FALSE;
  destroy_composer (composer);
}

/* Saving -------------------------------------------------------------------------------------- */

static void
count_saved_cb (CachetComposer *composer,
                gint64          id,
                guint          *count)
{
  (*count)++;
}

typedef struct
{
  guint *saved;
  guint  want;
} SavedWait;

static gboolean
saved_enough (gpointer data)
{
  SavedWait *wait = data;

  return *wait->saved >= wait->want;
}

static void
wait_saved (guint *saved,
            guint  n)
{
  SavedWait wait = { saved, n };

  spin_until (saved_enough, &wait, "the draft to be saved");
}

static void
test_autosave (Fixture      *f,
               gconstpointer data)
{
  CachetComposer *composer = open_composer (f, NULL, 0);
  g_autoptr(GPtrArray) drafts = NULL;
  CachetMessage *stored;
  guint saved = 0;
  gint64 first;

  g_signal_connect (composer, "saved", G_CALLBACK (count_saved_cb), &saved);
  composer->autosave_ms = 20;

  /* Nothing typed: nothing saved. */
  drain ();
  g_assert_cmpuint (count_in (f, CACHET_FOLDER_ROLE_DRAFTS), ==, 0);

  gtk_entry_set_text (composer->to_entry, "ann@example.org");
  gtk_entry_set_text (composer->subject_entry, "First version");
  g_assert_cmpuint (composer->autosave_source, !=, 0);
  wait_saved (&saved, 1);
  first = cachet_composer_get_draft_id (composer);
  g_assert_cmpint (first, >, 0);
  drafts = messages_in (f, CACHET_FOLDER_ROLE_DRAFTS);
  g_assert_cmpuint (drafts->len, ==, 1);
  stored = g_ptr_array_index (drafts, 0);
  g_assert_cmpstr (cachet_message_get_subject (stored), ==, "First version");
  g_clear_pointer (&drafts, g_ptr_array_unref);

  /* A second change replaces it: one copy in Drafts, none left in the Trash. */
  gtk_entry_set_text (composer->subject_entry, "Second version");
  wait_saved (&saved, 2);
  g_assert_cmpint (cachet_composer_get_draft_id (composer), !=, first);
  drafts = messages_in (f, CACHET_FOLDER_ROLE_DRAFTS);
  g_assert_cmpuint (drafts->len, ==, 1);
  stored = g_ptr_array_index (drafts, 0);
  g_assert_cmpstr (cachet_message_get_subject (stored), ==, "Second version");
  g_assert_cmpuint (count_in (f, CACHET_FOLDER_ROLE_TRASH), ==, 0);
  {
    g_autoptr(GError) error = NULL;
    gint64 id = cachet_composer_get_draft_id (composer);
    CachetMessageSummary summary = { 0 };

    g_assert_true (cachet_store_get_summaries (f->store, &id, 1, &summary, &error));
    g_assert_true ((summary.flags & CACHET_FLAG_DRAFT) != 0);
    cachet_message_summary_clear (&summary);
  }

  /* Ctrl+S saves at once; without a change since, closing saves nothing more. */
  set_body (composer, "Body by hand.");
  g_action_group_activate_action (G_ACTION_GROUP (composer), "save-draft", NULL);
  wait_saved (&saved, 3);
  g_assert_false (composer->dirty);
  g_assert_cmpuint (composer->autosave_source, ==, 0);
  destroy_composer (composer);
  drain ();
  g_assert_cmpuint (saved, ==, 3);
  g_assert_cmpuint (count_in (f, CACHET_FOLDER_ROLE_DRAFTS), ==, 1);
}

static void
visible_when_saved_cb (CachetComposer *composer,
                       gint64          id,
                       int            *visible)
{
  *visible = gtk_widget_get_visible (GTK_WIDGET (composer));
}

static void
test_close_saves (Fixture      *f,
                  gconstpointer data)
{
  CachetComposer *composer = open_composer (f, NULL, 0);
  gpointer weak = composer;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autofree char *body = NULL;
  int visible = -1;

  g_object_add_weak_pointer (G_OBJECT (composer), &weak);
  gtk_entry_set_text (composer->to_entry, "ann@example.org");
  gtk_entry_set_text (composer->subject_entry, "Closed unsaved");
  /* Closing hides at once and goes once the copy is in Drafts. */
  g_signal_connect (composer, "saved", G_CALLBACK (visible_when_saved_cb), &visible);
  gtk_window_close (GTK_WINDOW (composer));
  spin_until (pointer_cleared, &weak, "the composer to save and go");
  g_assert_cmpint (visible, ==, 0);
  drafts = messages_in (f, CACHET_FOLDER_ROLE_DRAFTS);
  g_assert_cmpuint (drafts->len, ==, 1);
  g_assert_cmpstr (cachet_message_get_subject (g_ptr_array_index (drafts, 0)), ==,
                   "Closed unsaved");
  body = g_strdup (cachet_message_get_body_text (g_ptr_array_index (drafts, 0)));
  g_assert_nonnull (strstr (body, "Me at home"));

  /* Destroyed without closing (quitting), it saves too. */
  composer = open_composer (f, NULL, 0);
  gtk_entry_set_text (composer->subject_entry, "Destroyed unsaved");
  gtk_widget_destroy (GTK_WIDGET (composer));
  while (count_in (f, CACHET_FOLDER_ROLE_DRAFTS) < 2)
    g_main_context_iteration (NULL, TRUE);
}

/* Continuing a draft --------------------------------------------------------------------------- */

static void
test_reopen_draft (Fixture      *f,
                   gconstpointer data)
{
  CachetComposer *composer = open_composer (f, NULL, 0);
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "plan.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(CachetMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  guint saved = 0;
  gint64 id;

  g_assert_true (g_file_set_contents (path, "the plan\n", -1, &error));
  g_signal_connect (composer, "saved", G_CALLBACK (count_saved_cb), &saved);
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (composer->from_combo), "work");
  gtk_entry_set_text (composer->to_entry, "ann@example.org");
  gtk_toggle_button_set_active (composer->cc_bcc_button, TRUE);
  gtk_entry_set_text (composer->bcc_entry, "boss@example.org");
  gtk_entry_set_text (composer->subject_entry, "Plan");
  set_body (composer, "Step one.\n\n-- \nMe at work");
  cachet_composer_attach_file (composer, file);
  wait_attachments (composer, 1);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "save-draft", NULL);
  wait_saved (&saved, 1);
  id = cachet_composer_get_draft_id (composer);
  destroy_composer (composer);

  /* What the Drafts folder has is continued where it was left. */
  message = cachet_store_load_message (f->store, id, &error);
  g_assert_no_error (error);
  composer = open_composer (f, cachet_draft_new_from_message (message), id);
  saved = 0;
  g_signal_connect (composer, "saved", G_CALLBACK (count_saved_cb), &saved);
  g_assert_cmpstr (gtk_combo_box_get_active_id (GTK_COMBO_BOX (composer->from_combo)), ==, "work");
  g_assert_cmpstr (gtk_entry_get_text (composer->to_entry), ==, "ann@example.org");
  g_assert_cmpstr (gtk_entry_get_text (composer->bcc_entry), ==, "boss@example.org");
  g_assert_cmpstr (gtk_entry_get_text (composer->subject_entry), ==, "Plan");
  body = body_of (composer);
  g_assert_cmpstr (body, ==, "Step one.\n\n-- \nMe at work");
  g_assert_cmpuint (cachet_composer_attachments_get_n_items (composer->attachments), ==, 1);
  g_assert_cmpstr (cachet_composer_attachments_get_name (composer->attachments, 0), ==,
                   "plan.txt");

  /* Saving it again replaces that copy. */
  gtk_entry_set_text (composer->subject_entry, "Plan, continued");
  g_action_group_activate_action (G_ACTION_GROUP (composer), "save-draft", NULL);
  wait_saved (&saved, 1);
  g_assert_cmpint (cachet_composer_get_draft_id (composer), !=, id);
  drafts = messages_in (f, CACHET_FOLDER_ROLE_DRAFTS);
  g_assert_cmpuint (drafts->len, ==, 1);
  g_assert_cmpstr (cachet_message_get_subject (g_ptr_array_index (drafts, 0)), ==,
                   "Plan, continued");
  destroy_composer (composer);
}

/* Completion ----------------------------------------------------------------------------------- */

static gboolean
completion_has_rows (gpointer data)
{
  CachetAddressCompletion *completion = data;

  return !cachet_address_completion_is_busy (completion)
         && cachet_address_completion_get_n_rows (completion) > 0;
}

static void
test_completion (Fixture      *f,
                 gconstpointer data)
{
  static const char message[] =
    "From: Alice Liddell <alice@wonderland.example>\r\nTo: me@home.example\r\n"
    "Subject: Tea\r\n\r\nTea?\r\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (message, strlen (message));
  g_autoptr(CachetFolderInfo) inbox = cachet_store_get_folder_by_role (f->store,
                                                                       CACHET_FOLDER_ROLE_INBOX);
  g_autoptr(GError) error = NULL;
  CachetComposer *composer;
  CachetAddressCompletion *completion;
  GtkTreeModel *model;
  GtkTreeIter iter;
  g_autofree char *text = NULL;
  g_autofree char *token = NULL;
  gboolean handled = FALSE;
  gsize start;

  cachet_store_add_message_sync (f->store, inbox->id, bytes, 0, NULL, &error);
  g_assert_no_error (error);
  composer = open_composer (f, NULL, 0);
  completion = CACHET_ADDRESS_COMPLETION (gtk_entry_get_completion (composer->to_entry));
  g_assert_nonnull (completion);

  /* The address being typed is the one after the last comma. */
  token = cachet_address_completion_get_token ("\"Doe, John\" <j@x>, al", &start);
  g_assert_cmpstr (token, ==, "al");
  g_assert_cmpuint (start, ==, 19);

  gtk_entry_set_text (composer->to_entry, "bob@example.org, Lidd");
  spin_until (completion_has_rows, completion, "the completion's rows");
  model = gtk_entry_completion_get_model (GTK_ENTRY_COMPLETION (completion));
  g_assert_true (gtk_tree_model_get_iter_first (model, &iter));
  gtk_tree_model_get (model, &iter, 0, &text, -1);
  g_assert_cmpstr (text, ==, "Alice Liddell <alice@wonderland.example>");
  g_signal_emit_by_name (completion, "match-selected", model, &iter, &handled);
  g_assert_true (handled);
  g_assert_cmpstr (gtk_entry_get_text (composer->to_entry), ==,
                   "bob@example.org, Alice Liddell <alice@wonderland.example>, ");
  composer->dirty = FALSE;
  destroy_composer (composer);
}

/* Sending -------------------------------------------------------------------------------------- */

static void
sent_cb (CachetComposer *composer,
         gint64          id,
         gint64         *out)
{
  *out = id;
}

static void
test_send (Fixture      *f,
           gconstpointer data)
{
  CachetComposer *composer = open_composer (f, NULL, 0);
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "minutes.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GError) error = NULL;
  gpointer weak = composer;
  CachetMessage *queued;
  GPtrArray *attachments;
  guint saved = 0;
  gint64 sent = 0;

  g_assert_true (g_file_set_contents (path, "minutes of the meeting\n", -1, &error));
  g_object_add_weak_pointer (G_OBJECT (composer), &weak);
  g_signal_connect (composer, "saved", G_CALLBACK (count_saved_cb), &saved);
  g_signal_connect (composer, "sent", G_CALLBACK (sent_cb), &sent);

  /* No recipient: said, nothing queued. */
  gtk_entry_set_text (composer->subject_entry, "Minutes");
  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  g_assert_true (gtk_info_bar_get_revealed (composer->info_bar));
  g_assert_nonnull (strstr (gtk_label_get_text (composer->info_label), "recipient"));
  g_assert_false (composer->sending);

  /* A draft saved before sending is removed once the message is queued. */
  gtk_entry_set_text (composer->to_entry, "Ann <ann@example.org>");
  gtk_toggle_button_set_active (composer->cc_bcc_button, TRUE);
  gtk_entry_set_text (composer->bcc_entry, "hidden@example.org");
  set_body (composer, "The minutes are attached.\n\n-- \nMe at home\nhome.example");
  cachet_composer_attach_file (composer, file);
  wait_attachments (composer, 1);
  g_action_group_activate_action (G_ACTION_GROUP (composer), "save-draft", NULL);
  wait_saved (&saved, 1);
  g_assert_cmpuint (count_in (f, CACHET_FOLDER_ROLE_DRAFTS), ==, 1);

  g_action_group_activate_action (G_ACTION_GROUP (composer), "send", NULL);
  spin_until (pointer_cleared, &weak, "the composer to send and close");
  g_assert_cmpint (sent, >, 0);
  while (count_in (f, CACHET_FOLDER_ROLE_DRAFTS) > 0)
    g_main_context_iteration (NULL, TRUE);

  /* The sender may have tried (nothing listens on the server's port): the message waits
   * in the Outbox, whole, without its Bcc header. */
  outbox = messages_in (f, CACHET_FOLDER_ROLE_OUTBOX);
  g_assert_cmpuint (outbox->len, ==, 1);
  queued = g_ptr_array_index (outbox, 0);
  g_assert_cmpstr (cachet_message_get_subject (queued), ==, "Minutes");
  g_assert_nonnull (strstr (cachet_message_get_body_text (queued), "The minutes are attached."));
  g_assert_true (cachet_message_get_bcc (queued) == NULL
                 || cachet_message_get_bcc (queued)->len == 0);
  attachments = cachet_message_get_attachments (queued);
  g_assert_cmpuint (attachments->len, ==, 1);
  g_assert_cmpstr (cachet_part_get_filename (g_ptr_array_index (attachments, 0)), ==,
                   "minutes.txt");
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

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/ui/composer/fields-to-draft", test_fields_to_draft);
  ADD ("/ui/composer/draft-to-fields", test_draft_to_fields);
  ADD ("/ui/composer/signature-follows-from", test_signature_follows_from);
  ADD ("/ui/composer/attachments", test_attachments);
  ADD ("/ui/composer/privacy-line", test_privacy_line);
  ADD ("/ui/composer/autosave", test_autosave);
  ADD ("/ui/composer/close-saves", test_close_saves);
  ADD ("/ui/composer/reopen-draft", test_reopen_draft);
  ADD ("/ui/composer/completion", test_completion);
  ADD ("/ui/composer/send", test_send);
#undef ADD
  return g_test_run ();
}
