/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cachet-certificate-dialog.h"
#include "cachet-password-dialog.h"
#include "cachet-secrets.h"
#include "cachet-window-private.h"
#include "fetch-test-util.h"

/* Getting mail in the window, in process, against the fake POP3 server: the progress bar
 * and its Cancel button, the certificate dialog (trust pins the certificate and the fetch
 * goes through; a changed certificate is refused without a dialog), and the password
 * dialog for a password the keyring does not have.  Widgets are found by their accessible
 * names, as a screen reader user would. */

static CachetTestUser user = { (char *) "alice", (char *) "alice@example.test",
                               (char *) "secret-alice", NULL };

typedef struct
{
  char               *data_dir;
  char               *messages_dir;
  CachetStore        *store;
  CachetWindow       *window;
  CachetTestFakePop3 *fake;
  GSettings          *settings;
} Fixture;

static void
spin (void)
{
  g_main_context_iteration (NULL, TRUE);
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  static guint n;

  f->data_dir = g_strdup_printf ("%s/cachet-%u", g_get_user_data_dir (), n++);
  f->messages_dir = g_build_filename (f->data_dir, "server", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->messages_dir, 0700), ==, 0);
  f->settings = g_settings_new (APPLICATION_ID);
  /* Only on request: no automatic check in the middle of a test. */
  g_settings_set_uint (f->settings, "check-interval", 0);
  f->store = cachet_store_new (f->data_dir);
  g_assert_true (cachet_store_open_sync (f->store, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  if (f->window != NULL)
    gtk_widget_destroy (GTK_WIDGET (f->window));
  g_clear_pointer (&f->fake, cachet_test_fake_pop3_free);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  cachet_store_close (f->store);
  g_clear_object (&f->store);
  g_clear_object (&f->settings);
  g_free (f->messages_dir);
  g_free (f->data_dir);
}

static void
add_messages (Fixture *f,
              guint    n,
              gsize    size)
{
  for (guint i = 1; i <= n; i++)
    {
      g_autoptr(GBytes) m = cachet_test_message_new (i, size);
      g_autofree char *name = g_strdup_printf ("m%03u", i);
      g_autofree char *path = g_build_filename (f->messages_dir, name, NULL);
      g_assert_true (g_file_set_contents (path, g_bytes_get_data (m, NULL),
                                          g_bytes_get_size (m), NULL));
    }
}

static gboolean
start_fake (Fixture            *f,
            const char * const *options)
{
  g_autofree char *skip = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&f->fake, cachet_test_fake_pop3_free);
  f->fake = cachet_test_fake_pop3_start (f->messages_dir, NULL, options, &skip, &error);
  if (skip != NULL)
    {
      g_test_skip (skip);
      return FALSE;
    }
  g_assert_no_error (error);
  return TRUE;
}

/* The account in the accounts file, as the window reads it. */
static void
save_account (Fixture  *f,
              gboolean  trust_ca,
              gboolean  password)
{
  g_autoptr(CachetAccountList) list = cachet_account_list_new (NULL);
  g_autoptr(CachetAccount) account =
    test_account_new (&user, "alice", "127.0.0.1", f->fake->port, CACHET_SECURITY_STARTTLS,
                      trust_ca ? f->fake->ca_file : NULL);
  g_autoptr(GError) error = NULL;

  if (!password)
    cachet_secrets_forget_session ();
  g_assert_true (cachet_account_list_load (list, &error));
  if (cachet_account_list_find (list, "alice") != NULL)
    g_assert_true (cachet_account_list_remove (list, cachet_account_list_find (list, "alice"),
                                               &error));
  g_assert_true (cachet_account_list_add (list, account, &error));
  g_assert_true (cachet_account_list_save (list, &error));
  g_assert_no_error (error);
}

static void
show_window (Fixture *f)
{
  f->window = cachet_window_new (NULL, f->store);
  gtk_widget_show (GTK_WIDGET (f->window));
  while (!f->window->store_open)
    spin ();
}

static const char *
accessible_name (GtkWidget *widget)
{
  return atk_object_get_name (gtk_widget_get_accessible (widget));
}

typedef struct
{
  const char *name;
  GType       type;
  GtkWidget  *found;
} Search;

static void
search_cb (GtkWidget *widget,
           gpointer   data)
{
  Search *s = data;

  if (s->found != NULL)
    return;
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, s->type)
      && g_strcmp0 (accessible_name (widget), s->name) == 0)
    {
      s->found = widget;
      return;
    }
  if (GTK_IS_CONTAINER (widget))
    gtk_container_forall (GTK_CONTAINER (widget), search_cb, s);
}

static GtkWidget *
find_widget (GtkWidget  *root,
             GType       type,
             const char *name)
{
  Search s = { name, type, NULL };

  search_cb (root, &s);
  if (s.found == NULL)
    g_error ("No %s named “%s”", g_type_name (type), name);
  return s.found;
}

/* A toplevel of @type, waiting for it to appear. */
static GtkWidget *
wait_for_toplevel (GType type)
{
  for (;;)
    {
      g_autoptr(GList) toplevels = gtk_window_list_toplevels ();
      for (GList *l = toplevels; l != NULL; l = l->next)
        if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
          return l->data;
      spin ();
    }
}

static gboolean
getting_mail (Fixture *f)
{
  return _cachet_window_is_getting_mail (f->window);
}

static void
wait_until_done (Fixture *f)
{
  while (getting_mail (f))
    spin ();
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static guint
inbox_count (Fixture *f)
{
  g_autoptr(CachetFolderInfo) inbox = cachet_store_get_folder_by_role (f->store,
                                                                       CACHET_FOLDER_ROLE_INBOX);
  return inbox->total;
}

static gboolean
action_enabled (Fixture *f)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "get-mail");
}

static void
test_progress_and_cancel (Fixture      *f,
                        gconstpointer data)
{
  const char *options[] = { "--rate=150000", NULL };
  GtkWidget *bar, *cancel;
  g_autofree char *label = NULL;

  add_messages (f, 30, 20000);
  if (!start_fake (f, options))
    return;
  save_account (f, TRUE, TRUE);
  show_window (f);

  g_assert_true (action_enabled (f));
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "get-mail", NULL);
  g_assert_true (getting_mail (f));
  g_assert_false (action_enabled (f));
  g_assert_true (gtk_revealer_get_reveal_child (f->window->fetch_revealer));

  /* The messages come in slowly: the bar moves, the label counts. */
  bar = find_widget (GTK_WIDGET (f->window), GTK_TYPE_PROGRESS_BAR, "Mail download progress");
  while (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar)) < 0.05
         || strstr (gtk_label_get_text (f->window->fetch_label), "message") == NULL)
    spin ();
  label = g_strdup (gtk_label_get_text (f->window->fetch_label));
  g_test_message ("%s — %s", label, gtk_progress_bar_get_text (GTK_PROGRESS_BAR (bar)));
  g_assert_true (g_str_has_prefix (label, "alice: message "));
  g_assert_nonnull (strstr (label, " of 30"));
  g_assert_nonnull (strstr (gtk_progress_bar_get_text (GTK_PROGRESS_BAR (bar)), " of "));
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar)), <, 1.0);

  /* Cancel: what arrived whole is kept, the rest stays on the server, and nothing is said
   * about it in the info bar. */
  cancel = find_widget (GTK_WIDGET (f->window), GTK_TYPE_BUTTON, "Cancel getting mail");
  gtk_button_clicked (GTK_BUTTON (cancel));
  wait_until_done (f);
  g_assert_false (gtk_revealer_get_reveal_child (f->window->fetch_revealer));
  g_assert_true (action_enabled (f));
  g_assert_false (gtk_info_bar_get_revealed (f->window->info_bar));
  g_test_message ("%u of 30 stored before the cancel", inbox_count (f));
  g_assert_cmpuint (inbox_count (f), <, 30);
}

static char *
certificate_sha256 (const char *pem_file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = g_tls_certificate_new_from_file (pem_file, &error);
  g_autoptr(GByteArray) der = NULL;

  g_assert_no_error (error);
  g_object_get (cert, "certificate", &der, NULL);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

static void
test_certificate_dialog (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr(CachetAccountList) list = cachet_account_list_new (NULL);
  g_autofree char *sha256 = NULL;
  g_autofree char *shown = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog, *trust, *cancel, *fingerprint;

  add_messages (f, 3, 3000);
  if (!start_fake (f, NULL))
    return;
  /* The account does not know the test CA: the certificate cannot be verified. */
  save_account (f, FALSE, TRUE);
  show_window (f);
  sha256 = certificate_sha256 (f->fake->cert_file);

  g_action_group_activate_action (G_ACTION_GROUP (f->window), "get-mail", NULL);
  dialog = wait_for_toplevel (CACHET_TYPE_CERTIFICATE_DIALOG);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));
  g_assert_cmpstr (cachet_certificate_dialog_get_fingerprint (CACHET_CERTIFICATE_DIALOG (dialog)),
                   ==, sha256);
  fingerprint = find_widget (dialog, GTK_TYPE_LABEL, "Fingerprint");
  shown = cachet_format_fingerprint (sha256);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (fingerprint)), ==, shown);
  cancel = find_widget (dialog, GTK_TYPE_BUTTON, "Cancel");
  /* Cancel is the default: Enter does not trust a certificate. */
  g_assert_true (gtk_widget_has_default (cancel));
  trust = find_widget (dialog, GTK_TYPE_BUTTON, "Trust this certificate for this account");
  g_assert_cmpuint (inbox_count (f), ==, 0);

  gtk_button_clicked (GTK_BUTTON (trust));
  wait_until_done (f);
  g_assert_cmpuint (inbox_count (f), ==, 3);
  g_assert_false (gtk_info_bar_get_revealed (f->window->info_bar)
                  && gtk_info_bar_get_message_type (f->window->info_bar) == GTK_MESSAGE_ERROR);

  /* Pinned in the account. */
  g_assert_true (cachet_account_list_load (list, &error));
  g_assert_cmpstr (cachet_account_get_pop3 (cachet_account_list_find (list, "alice"))
                     ->pinned_sha256, ==, sha256);

  /* Another certificate on the same server later: refused, no dialog, said in plain words. */
  if (!start_fake (f, NULL))
    return;
  {
    g_autoptr(CachetAccountList) again = cachet_account_list_new (NULL);
    g_autoptr(CachetServerSettings) pop3 = NULL;
    CachetAccount *account;

    g_assert_true (cachet_account_list_load (again, &error));
    account = cachet_account_list_find (again, "alice");
    pop3 = cachet_server_settings_copy (cachet_account_get_pop3 (account));
    pop3->port = f->fake->port;
    cachet_account_set_pop3 (account, pop3);
    g_assert_true (cachet_account_list_save (again, &error));
  }
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "get-mail", NULL);
  wait_until_done (f);
  g_assert_true (gtk_info_bar_get_revealed (f->window->info_bar));
  g_assert_cmpint (gtk_info_bar_get_message_type (f->window->info_bar), ==, GTK_MESSAGE_ERROR);
  g_test_message ("%s", gtk_label_get_text (f->window->info_label));
  g_assert_nonnull (strstr (gtk_label_get_text (f->window->info_label), "changed"));
}

static void
test_password_dialog (Fixture      *f,
                      gconstpointer data)
{
  GtkWidget *dialog, *entry, *use;

  add_messages (f, 2, 3000);
  if (!start_fake (f, NULL))
    return;
  /* No password anywhere: not in this session's memory, not in the keyring. */
  save_account (f, TRUE, FALSE);
  show_window (f);

  g_action_group_activate_action (G_ACTION_GROUP (f->window), "get-mail", NULL);
  dialog = wait_for_toplevel (CACHET_TYPE_PASSWORD_DIALOG);
  entry = find_widget (dialog, GTK_TYPE_ENTRY, "Password");
  use = find_widget (dialog, GTK_TYPE_BUTTON, "Use for this session only");
  g_assert_false (gtk_widget_get_sensitive (use));
  g_assert_false (gtk_entry_get_visibility (GTK_ENTRY (entry)));
  gtk_entry_set_text (GTK_ENTRY (entry), user.password);
  g_assert_true (gtk_widget_get_sensitive (use));
  gtk_button_clicked (GTK_BUTTON (use));
  wait_until_done (f);
  g_assert_cmpuint (inbox_count (f), ==, 2);
  g_assert_false (gtk_info_bar_get_revealed (f->window->info_bar)
                  && gtk_info_bar_get_message_type (f->window->info_bar) == GTK_MESSAGE_ERROR);
}

int
main (int    argc,
      char **argv)
{
  g_auto(GStrv) system_dirs = g_strdupv ((char **) g_get_system_data_dirs ());
  g_autoptr(GPtrArray) icon_path = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) mime_path = g_ptr_array_new_with_free_func (g_free);

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
  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  gtk_init (&argc, &argv);
  gtk_icon_theme_set_search_path (gtk_icon_theme_get_default (),
                                  (const char **) icon_path->pdata, (int) icon_path->len);

#define ADD(path, func) \
  g_test_add ("/ui/fetch/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("progress-and-cancel", test_progress_and_cancel);
  ADD ("certificate-dialog", test_certificate_dialog);
  ADD ("password-dialog", test_password_dialog);
#undef ADD
  return g_test_run ();
}
