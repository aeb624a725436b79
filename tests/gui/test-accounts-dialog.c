/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cachet-account-editor-private.h"
#include "cachet-accounts-dialog-private.h"
#include "cachet-secrets.h"

/* The Accounts dialog and the account editor, driven through their widgets (in-process,
 * under Xvfb).  The cases that store passwords use the keyring of tests/run-headless.sh
 * and are skipped outside it; "keyring-missing" runs in a child process without any bus. */

#define PASSWORD "dialog-test-Pässwort"

static gboolean
in_test_session (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean has = FALSE;

  if (g_getenv ("CACHET_HEADLESS_DIR") == NULL || g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    return FALSE;
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus != NULL)
    reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                         "org.freedesktop.DBus", "NameHasOwner",
                                         g_variant_new ("(s)", "org.freedesktop.secrets"),
                                         G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                         NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has);
  return has;
}

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until @done says so; a generous limit only against hanging forever. */
static void
spin_until (Condition    done,
            gpointer     data,
            const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("gave up waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
editor_closed (gpointer data)
{
  return ((CachetAccountsDialog *) data)->editor == NULL;
}

static gboolean
info_shown (gpointer data)
{
  CachetAccountEditor *editor = data;

  return gtk_widget_get_visible (GTK_WIDGET (editor->info_bar))
         && gtk_widget_get_sensitive (editor->save_button);
}

static gboolean
keyring_question (gpointer data)
{
  return ((CachetAccountEditor *) data)->keyring_dialog != NULL;
}

static gboolean
not_removing (gpointer data)
{
  return !((CachetAccountsDialog *) data)->removing;
}

static char *
config_dir (void)
{
  static guint n;
  g_autofree char *name = g_strdup_printf ("cachet-%u", ++n);

  return g_build_filename (g_get_user_config_dir (), name, NULL);
}

static CachetAccountsDialog *
open_dialog (CachetAccountList *accounts)
{
  GtkWidget *dialog = cachet_accounts_dialog_new (NULL, accounts);

  gtk_widget_show (dialog);
  gtk_test_widget_wait_for_draw (dialog);
  return CACHET_ACCOUNTS_DIALOG (dialog);
}

static CachetAccountEditor *
click_add (CachetAccountsDialog *dialog)
{
  gtk_button_clicked (GTK_BUTTON (dialog->manual_button));
  g_assert_nonnull (dialog->editor);
  gtk_test_widget_wait_for_draw (dialog->editor);
  return CACHET_ACCOUNT_EDITOR (dialog->editor);
}

static void
select_row (CachetAccountsDialog *dialog,
            guint                 index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (dialog->list_box, index);

  g_assert_nonnull (row);
  gtk_list_box_select_row (dialog->list_box, row);
}

static CachetAccountEditor *
click_edit (CachetAccountsDialog *dialog,
            guint                 index)
{
  select_row (dialog, index);
  g_assert_true (gtk_widget_get_sensitive (dialog->edit_button));
  gtk_button_clicked (GTK_BUTTON (dialog->edit_button));
  g_assert_nonnull (dialog->editor);
  return CACHET_ACCOUNT_EDITOR (dialog->editor);
}

static void
fill_basics (CachetAccountEditor *editor,
             const char          *name)
{
  gtk_entry_set_text (editor->name_entry, name);
  gtk_entry_set_text (editor->address_entry, "dialog@example.test");
  gtk_entry_set_text (editor->display_name_entry, "Dialog Tester");
  gtk_entry_set_text (editor->pop3_host_entry, "127.0.0.1");
  gtk_entry_set_text (editor->pop3_user_entry, "dialog");
  gtk_entry_set_text (editor->smtp_host_entry, "[::1]");
}

static void
click_save (CachetAccountEditor *editor)
{
  g_assert_true (gtk_widget_get_sensitive (editor->save_button));
  gtk_button_clicked (GTK_BUTTON (editor->save_button));
}

static char *
lookup (CachetAccount *account,
        const char    *protocol)
{
  const CachetServerSettings *s = g_str_equal (protocol, "pop3")
                                  ? cachet_account_get_pop3 (account)
                                  : cachet_account_get_smtp (account);
  CachetSecretKey key = { cachet_account_get_id (account), protocol, s->host, s->user };

  return cachet_secrets_lookup_sync (&key, 0, NULL, NULL);
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (path, &text, NULL, NULL) && strstr (text, needle) != NULL;
}

/* The form ----------------------------------------------------------------------------------- */

static void
test_validation (void)
{
  g_autofree char *dir = config_dir ();
  g_autoptr(CachetAccountList) accounts = cachet_account_list_new (dir);
  CachetAccountsDialog *dialog = open_dialog (accounts);
  CachetAccountEditor *editor = click_add (dialog);
  const char *text;

  /* Defaults of a new account: encrypted, standard ports. */
  g_assert_cmpstr (gtk_combo_box_get_active_id (editor->pop3_security_combo), ==, "tls");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (editor->pop3_port_spin), ==, 995);
  g_assert_cmpstr (gtk_combo_box_get_active_id (editor->smtp_security_combo), ==, "tls");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (editor->smtp_port_spin), ==, 465);
  g_assert_true (gtk_toggle_button_get_active (editor->keep_radio));
  g_assert_false (gtk_toggle_button_get_active (editor->delete_local_check));

  click_save (editor);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor->info_bar)));
  g_assert_cmpstr (gtk_label_get_text (editor->error_label), ==, "Give the account a name.");

  fill_basics (editor, "Validation");
  gtk_entry_set_text (editor->address_entry, "not an address");
  click_save (editor);
  text = gtk_label_get_text (editor->error_label);
  g_assert_nonnull (strstr (text, "is not an email address"));

  gtk_entry_set_text (editor->address_entry, "dialog@example.test");
  gtk_entry_set_text (editor->pop3_host_entry, "");
  click_save (editor);
  g_assert_nonnull (strstr (gtk_label_get_text (editor->error_label), "incoming mail server"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (editor->stack), ==, "incoming");

  gtk_entry_set_text (editor->pop3_host_entry, "pop.example.test");
  gtk_entry_set_text (editor->smtp_host_entry, "smtp example");
  click_save (editor);
  g_assert_nonnull (strstr (gtk_label_get_text (editor->error_label),
                            "(outgoing mail server, SMTP)"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (editor->stack), ==, "outgoing");

  g_assert_cmpuint (cachet_account_list_get_all (accounts)->len, ==, 0);
  gtk_dialog_response (GTK_DIALOG (editor), GTK_RESPONSE_CANCEL);
  g_assert_null (dialog->editor);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
test_plain_needs_confirmation (void)
{
  g_autofree char *dir = config_dir ();
  g_autoptr(CachetAccountList) accounts = cachet_account_list_new (dir);
  CachetAccountsDialog *dialog = open_dialog (accounts);
  CachetAccountEditor *editor = click_add (dialog);

  gtk_combo_box_set_active_id (editor->pop3_security_combo, "starttls");
  g_assert_null (editor->plain_dialog);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (editor->pop3_port_spin), ==, 110);

  /* Choosing plain asks; no means the protection stays. */
  gtk_combo_box_set_active_id (editor->pop3_security_combo, "plain");
  g_assert_nonnull (editor->plain_dialog);
  g_assert_false (gtk_widget_get_visible (editor->pop3_plain_label));
  gtk_dialog_response (GTK_DIALOG (editor->plain_dialog), GTK_RESPONSE_CANCEL);
  g_assert_null (editor->plain_dialog);
  g_assert_cmpstr (gtk_combo_box_get_active_id (editor->pop3_security_combo), ==, "starttls");
  g_assert_false (gtk_widget_get_visible (editor->pop3_plain_label));

  /* Closing the question is a no as well. */
  gtk_combo_box_set_active_id (editor->smtp_security_combo, "plain");
  g_assert_nonnull (editor->plain_dialog);
  gtk_dialog_response (GTK_DIALOG (editor->plain_dialog), GTK_RESPONSE_DELETE_EVENT);
  g_assert_cmpstr (gtk_combo_box_get_active_id (editor->smtp_security_combo), ==, "tls");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (editor->smtp_port_spin), ==, 465);

  /* Yes: plain, with a warning that stays in view, and the port follows. */
  gtk_combo_box_set_active_id (editor->smtp_security_combo, "plain");
  gtk_dialog_response (GTK_DIALOG (editor->plain_dialog), GTK_RESPONSE_ACCEPT);
  g_assert_cmpstr (gtk_combo_box_get_active_id (editor->smtp_security_combo), ==, "plain");
  g_assert_true (gtk_widget_get_visible (editor->smtp_plain_label));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (editor->smtp_port_spin), ==, 587);

  /* Back to TLS: no question, warning gone, port back. */
  gtk_combo_box_set_active_id (editor->smtp_security_combo, "tls");
  g_assert_null (editor->plain_dialog);
  g_assert_false (gtk_widget_get_visible (editor->smtp_plain_label));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (editor->smtp_port_spin), ==, 465);

  gtk_widget_destroy (GTK_WIDGET (dialog));
}

/* An account saved without touching its password needs no keyring. */
static void
test_edit_without_keyring (void)
{
  g_autofree char *dir = config_dir ();
  g_autoptr(CachetAccountList) accounts = cachet_account_list_new (dir);
  g_autoptr(CachetAccount) account = cachet_account_new ("Prefilled");
  g_autoptr(CachetServerSettings) pop3 = cachet_server_settings_new (FALSE);
  g_autoptr(CachetServerSettings) smtp = cachet_server_settings_new (TRUE);
  g_autoptr(GError) error = NULL;
  CachetAccountsDialog *dialog;
  CachetAccountEditor *editor;

  pop3->host = g_strdup ("pop.example.test");
  pop3->user = g_strdup ("pre");
  pop3->security = CACHET_SECURITY_PLAIN;
  pop3->port = 110;
  pop3->pinned_sha256 = g_strnfill (64, 'a');
  smtp->host = g_strdup ("smtp.example.test");
  smtp->user = g_strdup ("pre-smtp");
  cachet_account_set_address (account, "pre@example.test");
  cachet_account_set_pop3 (account, pop3);
  cachet_account_set_smtp (account, smtp);
  cachet_account_set_server_policy (account, CACHET_DELETE_AFTER_DAYS);
  cachet_account_set_delete_after_days (account, 30);
  cachet_account_set_large_policy (account, CACHET_LARGE_SKIP);
  cachet_account_set_large_size (account, 20 << 20);
  g_assert_true (cachet_account_list_add (accounts, account, &error));
  g_assert_no_error (error);

  dialog = open_dialog (accounts);
  g_assert_nonnull (gtk_list_box_get_row_at_index (dialog->list_box, 0));
  editor = click_edit (dialog, 0);

  /* The form shows the account; plain was chosen before, so nothing is asked. */
  g_assert_cmpstr (gtk_entry_get_text (editor->name_entry), ==, "Prefilled");
  g_assert_cmpstr (gtk_entry_get_text (editor->pop3_host_entry), ==, "pop.example.test");
  g_assert_cmpstr (gtk_combo_box_get_active_id (editor->pop3_security_combo), ==, "plain");
  g_assert_true (gtk_widget_get_visible (editor->pop3_plain_label));
  g_assert_null (editor->plain_dialog);
  g_assert_cmpstr (gtk_entry_get_text (editor->smtp_user_entry), ==, "pre-smtp");
  g_assert_true (gtk_toggle_button_get_active (editor->delete_days_radio));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (editor->delete_days_spin), ==, 30);
  g_assert_cmpstr (gtk_combo_box_get_active_id (editor->large_combo), ==, "skip");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (editor->large_size_spin), ==, 20);
  g_assert_cmpstr (gtk_entry_get_placeholder_text (editor->password_entry), ==, "Unchanged");

  gtk_entry_set_text (editor->name_entry, "Renamed");
  gtk_toggle_button_set_active (editor->delete_fetch_radio, TRUE);
  gtk_toggle_button_set_active (editor->delete_local_check, TRUE);
  /* Typed, without Enter: still taken. */
  gtk_entry_set_text (GTK_ENTRY (editor->interval_spin), "25");
  click_save (editor);
  spin_until (editor_closed, dialog, "the editor to close");

  g_assert_cmpstr (cachet_account_get_name (account), ==, "Renamed");
  g_assert_cmpint (cachet_account_get_server_policy (account), ==, CACHET_DELETE_AFTER_FETCH);
  g_assert_true (cachet_account_get_delete_when_deleted_locally (account));
  g_assert_cmpuint (cachet_account_get_check_interval (account), ==, 25);
  g_assert_cmpstr (cachet_account_get_pop3 (account)->pinned_sha256, ==, pop3->pinned_sha256);
  g_assert_true (file_contains (cachet_account_list_get_path (accounts), "name=Renamed"));
  {
    GtkListBoxRow *row = gtk_list_box_get_row_at_index (dialog->list_box, 0);
    g_assert_cmpstr (atk_object_get_name (gtk_widget_get_accessible (GTK_WIDGET (row))), ==,
                     "Renamed");
  }

  /* A changed server needs the password again; nothing is saved meanwhile. */
  editor = click_edit (dialog, 0);
  gtk_entry_set_text (editor->pop3_host_entry, "pop2.example.test");
  click_save (editor);
  g_assert_nonnull (strstr (gtk_label_get_text (editor->error_label), "type the password again"));
  g_assert_cmpstr (cachet_account_get_pop3 (account)->host, ==, "pop.example.test");
  gtk_dialog_response (GTK_DIALOG (editor), GTK_RESPONSE_CANCEL);

  /* Remove, leaving the keyring alone: needs no keyring. */
  select_row (dialog, 0);
  gtk_button_clicked (GTK_BUTTON (dialog->remove_button));
  g_assert_nonnull (dialog->remove_dialog);
  g_assert_true (gtk_toggle_button_get_active (dialog->remove_keyring_check));
  gtk_toggle_button_set_active (dialog->remove_keyring_check, FALSE);
  gtk_dialog_response (GTK_DIALOG (dialog->remove_dialog), GTK_RESPONSE_ACCEPT);
  g_assert_cmpuint (cachet_account_list_get_all (accounts)->len, ==, 0);
  g_assert_null (gtk_list_box_get_row_at_index (dialog->list_box, 0));

  gtk_widget_destroy (GTK_WIDGET (dialog));
}

/* With the keyring ----------------------------------------------------------------------------- */

static void
test_add_edit_remove (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(CachetAccountList) accounts = NULL;
  g_autoptr(CachetAccountList) reread = NULL;
  CachetAccountsDialog *dialog;
  CachetAccountEditor *editor;
  CachetAccount *account;
  char *password;

  if (!in_test_session ())
    {
      g_test_skip ("needs the keyring of tests/run-headless.sh");
      return;
    }
  dir = config_dir ();
  accounts = cachet_account_list_new (dir);
  dialog = open_dialog (accounts);

  /* Add. */
  editor = click_add (dialog);
  fill_basics (editor, "Dialog Test");
  gtk_entry_set_text (editor->password_entry, PASSWORD);
  gtk_combo_box_set_active_id (editor->pop3_security_combo, "starttls");
  gtk_spin_button_set_value (editor->smtp_port_spin, 2465);
  gtk_toggle_button_set_active (editor->delete_days_radio, TRUE);
  gtk_spin_button_set_value (editor->delete_days_spin, 7);
  gtk_combo_box_set_active_id (editor->large_combo, "headers-only");
  gtk_spin_button_set_value (editor->large_size_spin, 5);
  gtk_spin_button_set_value (editor->interval_spin, 15);
  click_save (editor);
  spin_until (editor_closed, dialog, "the new account to be saved");

  g_assert_cmpuint (cachet_account_list_get_all (accounts)->len, ==, 1);
  account = g_ptr_array_index (cachet_account_list_get_all (accounts), 0);
  g_assert_cmpstr (cachet_account_get_id (account), ==, "dialog-test");
  g_assert_cmpstr (cachet_account_get_display_name (account), ==, "Dialog Tester");
  g_assert_cmpint (cachet_account_get_pop3 (account)->security, ==, CACHET_SECURITY_STARTTLS);
  g_assert_cmpint (cachet_account_get_pop3 (account)->port, ==, 110);
  g_assert_cmpstr (cachet_account_get_smtp (account)->host, ==, "::1");
  g_assert_cmpint (cachet_account_get_smtp (account)->port, ==, 2465);
  g_assert_cmpstr (cachet_account_get_smtp (account)->user, ==, "dialog");
  g_assert_cmpint (cachet_account_get_server_policy (account), ==, CACHET_DELETE_AFTER_DAYS);
  g_assert_cmpuint (cachet_account_get_delete_after_days (account), ==, 7);
  g_assert_cmpint (cachet_account_get_large_policy (account), ==, CACHET_LARGE_HEADERS_ONLY);
  g_assert_cmpuint (cachet_account_get_large_size (account), ==, 5 << 20);
  g_assert_cmpuint (cachet_account_get_check_interval (account), ==, 15);
  password = lookup (account, "pop3");
  g_assert_cmpstr (password, ==, PASSWORD);
  cachet_secrets_password_free (password);
  password = lookup (account, "smtp");
  g_assert_cmpstr (password, ==, PASSWORD);
  cachet_secrets_password_free (password);
  g_assert_false (file_contains (cachet_account_list_get_path (accounts), PASSWORD));
  reread = cachet_account_list_new (dir);
  g_assert_true (cachet_account_list_load (reread, NULL));
  g_assert_nonnull (cachet_account_list_find (reread, "Dialog Test"));

  /* Edit: the SMTP server gets its own user and password. */
  editor = click_edit (dialog, 0);
  g_assert_cmpstr (gtk_entry_get_text (editor->password_entry), ==, "");
  gtk_entry_set_text (editor->smtp_user_entry, "dialog-smtp");
  gtk_toggle_button_set_active (editor->smtp_own_password_check, TRUE);
  gtk_entry_set_text (editor->smtp_password_entry, "smtp-" PASSWORD);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (editor->signature_view),
                            "Dialog Tester\nexample.test\n\n", -1);
  click_save (editor);
  spin_until (editor_closed, dialog, "the edit to be saved");
  g_assert_cmpstr (cachet_account_get_smtp (account)->user, ==, "dialog-smtp");
  g_assert_cmpstr (cachet_account_get_signature (account), ==, "Dialog Tester\nexample.test");
  editor = click_edit (dialog, 0);
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (editor->signature_view);
    GtkTextIter start, end;
    g_autofree char *text = NULL;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    g_assert_cmpstr (text, ==, "Dialog Tester\nexample.test");
  }
  gtk_dialog_response (GTK_DIALOG (editor), GTK_RESPONSE_CANCEL);
  password = lookup (account, "smtp");
  g_assert_cmpstr (password, ==, "smtp-" PASSWORD);
  cachet_secrets_password_free (password);
  password = lookup (account, "pop3");
  g_assert_cmpstr (password, ==, PASSWORD);
  cachet_secrets_password_free (password);

  /* Remove, with the keyring entries. */
  {
    g_autoptr(CachetAccount) removed = g_object_ref (account);

    select_row (dialog, 0);
    gtk_button_clicked (GTK_BUTTON (dialog->remove_button));
    g_assert_nonnull (dialog->remove_dialog);
    gtk_dialog_response (GTK_DIALOG (dialog->remove_dialog), GTK_RESPONSE_ACCEPT);
    spin_until (not_removing, dialog, "the keyring entries to be deleted");
    g_assert_cmpuint (cachet_account_list_get_all (accounts)->len, ==, 0);
    g_assert_null (lookup (removed, "pop3"));
    g_assert_null (lookup (removed, "smtp"));
  }

  /* Remove, keeping the keyring entry. */
  editor = click_add (dialog);
  fill_basics (editor, "Dialog Keep");
  gtk_entry_set_text (editor->password_entry, PASSWORD);
  click_save (editor);
  spin_until (editor_closed, dialog, "the second account to be saved");
  account = g_object_ref (g_ptr_array_index (cachet_account_list_get_all (accounts), 0));
  select_row (dialog, 0);
  gtk_button_clicked (GTK_BUTTON (dialog->remove_button));
  gtk_toggle_button_set_active (dialog->remove_keyring_check, FALSE);
  gtk_dialog_response (GTK_DIALOG (dialog->remove_dialog), GTK_RESPONSE_ACCEPT);
  g_assert_cmpuint (cachet_account_list_get_all (accounts)->len, ==, 0);
  password = lookup (account, "pop3");
  g_assert_cmpstr (password, ==, PASSWORD);
  cachet_secrets_password_free (password);
  {
    CachetSecretKey key = { "dialog-keep", "pop3", "127.0.0.1", "dialog" };
    CachetSecretKey key2 = { "dialog-keep", "smtp", "::1", "dialog" };
    cachet_secrets_clear_sync (&key, 0, NULL, NULL);
    cachet_secrets_clear_sync (&key2, 0, NULL, NULL);
  }
  g_object_unref (account);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

/* No keyring: a clear message, and the choice of this session only. */
static void
test_keyring_missing (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(CachetAccountList) accounts = NULL;
  CachetAccountsDialog *dialog;
  CachetAccountEditor *editor;
  GtkMessageDialog *question;
  g_autofree char *secondary = NULL;
  char *password;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC,
                              G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/cachet-test-bus", TRUE);

  dir = config_dir ();
  accounts = cachet_account_list_new (dir);
  dialog = open_dialog (accounts);
  editor = click_add (dialog);
  fill_basics (editor, "No Keyring");
  gtk_entry_set_text (editor->password_entry, PASSWORD);

  /* Back: nothing saved. */
  click_save (editor);
  spin_until (keyring_question, editor, "the keyring question");
  question = GTK_MESSAGE_DIALOG (editor->keyring_dialog);
  g_object_get (question, "secondary-text", &secondary, NULL);
  g_assert_nonnull (strstr (secondary, "session bus"));
  g_assert_nonnull (strstr (secondary, "this session only"));
  g_assert_null (strstr (secondary, PASSWORD));
  gtk_dialog_response (GTK_DIALOG (editor->keyring_dialog), GTK_RESPONSE_CANCEL);
  g_assert_null (editor->keyring_dialog);
  g_assert_true (info_shown (editor));
  g_assert_nonnull (strstr (gtk_label_get_text (editor->error_label), "Nothing was saved"));
  g_assert_cmpuint (cachet_account_list_get_all (accounts)->len, ==, 0);

  /* This session only. */
  click_save (editor);
  spin_until (keyring_question, editor, "the keyring question");
  gtk_dialog_response (GTK_DIALOG (editor->keyring_dialog), GTK_RESPONSE_ACCEPT);
  spin_until (editor_closed, dialog, "the account to be added");
  g_assert_cmpuint (cachet_account_list_get_all (accounts)->len, ==, 1);
  password = lookup (g_ptr_array_index (cachet_account_list_get_all (accounts), 0), "pop3");
  g_assert_cmpstr (password, ==, PASSWORD);
  cachet_secrets_password_free (password);
  g_assert_false (file_contains (cachet_account_list_get_path (accounts), PASSWORD));
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

int
main (int    argc,
      char **argv)
{
  g_auto(GStrv) system_dirs = NULL;
  g_autoptr(GPtrArray) icon_path = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) mime_path = g_ptr_array_new_with_free_func (g_free);

  /* The system's data folders, before g_test_init() isolates them; kept in the
   * environment for the child processes of g_test_trap_subprocess(), which inherit the
   * isolated ones. */
  if (g_getenv ("CACHET_TEST_SYSTEM_DATA_DIRS") == NULL)
    {
      g_autofree char *dirs = g_strjoinv (G_SEARCHPATH_SEPARATOR_S,
                                          (char **) g_get_system_data_dirs ());
      g_setenv ("CACHET_TEST_SYSTEM_DATA_DIRS", dirs, TRUE);
    }
  system_dirs = g_strsplit (g_getenv ("CACHET_TEST_SYSTEM_DATA_DIRS"),
                            G_SEARCHPATH_SEPARATOR_S, -1);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* The isolated XDG_DATA_DIRS hide the system's MIME database and icon themes. */
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
  /* As in test-widgets.c: gtk_test_init() would call g_test_init() again. */
  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_init (&argc, &argv);
  gtk_icon_theme_set_search_path (gtk_icon_theme_get_default (),
                                  (const char **) icon_path->pdata, (int) icon_path->len);

  g_test_add_func ("/ui/accounts/validation", test_validation);
  g_test_add_func ("/ui/accounts/plain-needs-confirmation", test_plain_needs_confirmation);
  g_test_add_func ("/ui/accounts/edit-without-keyring", test_edit_without_keyring);
  g_test_add_func ("/ui/accounts/add-edit-remove", test_add_edit_remove);
  g_test_add_func ("/ui/accounts/keyring-missing", test_keyring_missing);

  return g_test_run ();
}
