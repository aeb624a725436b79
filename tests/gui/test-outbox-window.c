/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cachet-certificate-dialog.h"
#include "cachet-window-private.h"
#include "send-test-util.h"

/* The Outbox in the window, in process, with no server at all: messages queued for an
 * account that is gone fail for a reason the user must act on; the bar under the header
 * says so when the Outbox is shown, for the selected message and for the whole Outbox;
 * Retry Now, Edit (to Drafts) and Delete (to Trash) work on the selected message; and the
 * failure is told once in the notification bar.  Against the real Postfix (where it can
 * run): an outgoing server's certificate that cannot be verified is asked about in the
 * certificate dialog, and trusting it pins it and sends; a changed one is refused without
 * a dialog.  Widgets are found by their accessible names, as a screen reader user would. */

static CachetTestServers *servers;

typedef struct
{
  char         *data_dir;
  CachetStore  *store;
  CachetWindow *window;
  GSettings    *settings;
} Fixture;

static void
spin (void)
{
  g_main_context_iteration (NULL, TRUE);
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static GBytes *
message (const char *subject)
{
  g_autofree char *text =
    g_strdup_printf ("From: alice@example.test\nTo: bob@example.test\nSubject: %s\n"
                     "Date: Mon, 01 Jun 2026 10:00:00 +0200\n\nUnsent.\n", subject);
  return g_bytes_new (text, strlen (text));
}

static gint64
queue (Fixture    *f,
       const char *subject)
{
  const char *to[] = { "bob@example.test", NULL };
  g_autoptr(GBytes) m = message (subject);
  g_autoptr(GError) error = NULL;
  gint64 id = cachet_store_outbox_queue_sync (f->store, "gone", m, to, NULL, &error);

  g_assert_no_error (error);
  return id;
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  static guint n;

  f->data_dir = g_strdup_printf ("%s/cachet-%u", g_get_user_data_dir (), n++);
  f->settings = g_settings_new (APPLICATION_ID);
  g_settings_set_uint (f->settings, "check-interval", 0);
  g_settings_set_string (f->settings, "last-folder", "Inbox");
  f->store = cachet_store_new (f->data_dir);
  g_assert_true (cachet_store_open_sync (f->store, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  if (f->window != NULL)
    {
      CachetSender *sender = _cachet_window_get_sender (f->window);
      while (sender != NULL && cachet_sender_is_busy (sender))
        spin ();
      gtk_widget_destroy (GTK_WIDGET (f->window));
    }
  drain ();
  cachet_store_close (f->store);
  g_clear_object (&f->store);
  g_clear_object (&f->settings);
  g_free (f->data_dir);
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

static void
wait_idle (Fixture *f)
{
  CachetSender *sender = _cachet_window_get_sender (f->window);

  drain ();
  while (cachet_sender_is_busy (sender))
    spin ();
  drain ();
}

static void
show_window (Fixture *f)
{
  f->window = cachet_window_new (NULL, f->store);
  gtk_widget_show (GTK_WIDGET (f->window));
  while (!f->window->store_open)
    spin ();
  g_assert_nonnull (_cachet_window_get_sender (f->window));
  wait_idle (f);
}

static gint64
folder_id (Fixture    *f,
           const char *path)
{
  g_autoptr(CachetFolderInfo) info = cachet_store_get_folder_by_path (f->store, path);
  return info->id;
}

static void
show_folder (Fixture    *f,
             const char *path)
{
  cachet_folder_tree_select (f->window->folder_tree, folder_id (f, path));
  while (cachet_message_list_view_get_folder_id (f->window->message_list) != folder_id (f, path)
         || cachet_message_list_view_is_loading (f->window->message_list))
    spin ();
  drain ();
}

static void
select_message (Fixture *f,
                gint64   id)
{
  while (!cachet_message_list_view_select_id (f->window->message_list, id))
    spin ();
  drain ();
}

static const char *
bar_text (Fixture *f)
{
  return gtk_label_get_text (GTK_LABEL (find_widget (GTK_WIDGET (f->window), GTK_TYPE_LABEL,
                                                     "Outbox state")));
}

static gboolean
enabled (Fixture    *f,
         const char *action)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), action);
}

static gint64
folder_of (Fixture *f,
           gint64   id)
{
  CachetMessageSummary s;

  g_assert_true (cachet_store_get_summaries (f->store, &id, 1, &s, NULL));
  cachet_message_summary_clear (&s);
  return s.folder_id;
}

static void
click (Fixture    *f,
       const char *name)
{
  GtkWidget *button = find_widget (GTK_WIDGET (f->window), GTK_TYPE_BUTTON, name);

  g_assert_true (gtk_widget_is_sensitive (button));
  gtk_button_clicked (GTK_BUTTON (button));
}

/* A picture of the window for a person to look at, when CACHET_SCREENSHOT_DIR says where. */
static void
screenshot (Fixture    *f,
            const char *name)
{
  const char *dir = g_getenv ("CACHET_SCREENSHOT_DIR");
  GdkWindow *window = gtk_widget_get_window (GTK_WIDGET (f->window));
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (dir == NULL || *dir == '\0' || window == NULL)
    return;
  /* Drawn first: the last changes are in the picture (a frame or two of the clock). */
  gtk_widget_queue_draw (GTK_WIDGET (f->window));
  for (int i = 0; i < 5; i++)
    {
      g_usleep (20000);
      drain ();
    }
  pixbuf = gdk_pixbuf_get_from_window (window, 0, 0, gdk_window_get_width (window),
                                       gdk_window_get_height (window));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, name, NULL);
  if (pixbuf == NULL || !gdk_pixbuf_save (pixbuf, path, "png", &error, NULL))
    g_test_message ("No screenshot: %s", error ? error->message : "nothing drawn");
  else
    g_test_message ("Screenshot: %s", path);
}

static void
test_bar (Fixture      *f,
          gconstpointer data)
{
  gint64 first = queue (f, "First unsent");
  gint64 second = queue (f, "Second unsent");
  g_autofree char *info = NULL;

  show_window (f);
  /* Both failed at once (the account is gone); told once in the notification bar. */
  g_assert_true (gtk_info_bar_get_revealed (f->window->info_bar));
  info = g_strdup (gtk_label_get_text (f->window->info_label));
  g_assert_nonnull (strstr (info, "was not sent"));
  g_assert_nonnull (strstr (info, "no longer exists"));

  /* Elsewhere, no bar; in the Outbox, the bar sums up. */
  g_assert_false (gtk_revealer_get_reveal_child (f->window->outbox_revealer));
  show_folder (f, "Outbox");
  g_assert_true (gtk_revealer_get_reveal_child (f->window->outbox_revealer));
  g_test_message ("%s", bar_text (f));
  g_assert_nonnull (strstr (bar_text (f), "2 messages could not be sent"));
  g_assert_false (enabled (f, "outbox-retry"));

  /* The selected one: why, and what can be done. */
  select_message (f, first);
  g_test_message ("%s", bar_text (f));
  g_assert_true (g_str_has_prefix (bar_text (f), "Not sent: "));
  g_assert_nonnull (strstr (bar_text (f), "no longer exists"));
  g_assert_true (enabled (f, "outbox-retry"));
  g_assert_true (enabled (f, "outbox-edit"));
  g_assert_true (enabled (f, "outbox-delete"));
  screenshot (f, "outbox-window.png");

  /* Retry: tried again, and failed again for the same reason (one attempt more). */
  click (f, "Retry sending now");
  wait_idle (f);
  {
    g_autoptr(CachetOutboxRecord) r = cachet_store_outbox_get (f->store, first, NULL);
    g_assert_cmpuint (r->attempts, ==, 2);
    g_assert_cmpint (r->state, ==, CACHET_OUTBOX_FAILED);
  }

  /* Edit: out of the queue, into Drafts. */
  click (f, "Edit the message");
  while (folder_of (f, first) != folder_id (f, "Drafts"))
    spin ();
  /* Delete: out of the queue, into Trash. */
  select_message (f, second);
  click (f, "Delete the unsent message");
  while (folder_of (f, second) != folder_id (f, "Trash"))
    spin ();
  drain ();
  g_assert_nonnull (strstr (bar_text (f), "Nothing is waiting"));
  {
    g_autoptr(GPtrArray) left = cachet_store_outbox_list (f->store, NULL);
    g_assert_cmpuint (left->len, ==, 0);
  }
  /* Taken out of the queue for good: a restart of the sender does not send them. */
  show_folder (f, "Inbox");
  g_assert_false (gtk_revealer_get_reveal_child (f->window->outbox_revealer));
}

/* A message put in the Outbox by hand (or withdrawn before a crash) is not queued: the bar
 * says so, and it can only be edited or deleted. */
static void
test_not_queued (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr(GBytes) m = message ("By hand");
  g_autoptr(GError) error = NULL;
  gint64 id;

  show_window (f);
  id = cachet_store_add_message_sync (f->store, folder_id (f, "Outbox"), m, 0, NULL, &error);
  g_assert_no_error (error);
  show_folder (f, "Outbox");
  select_message (f, id);
  g_test_message ("%s", bar_text (f));
  g_assert_nonnull (strstr (bar_text (f), "not queued"));
  g_assert_false (enabled (f, "outbox-retry"));
  g_assert_true (enabled (f, "outbox-edit"));
  click (f, "Edit the message");
  while (folder_of (f, id) != folder_id (f, "Drafts"))
    spin ();
}

/* A toplevel of @type that is shown, or NULL. */
static GtkWidget *
find_toplevel (GType type)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static const char *
pinned (void)
{
  static CachetAccountList *list;
  g_autoptr(GError) error = NULL;

  g_clear_object (&list);
  list = cachet_account_list_new (NULL);
  g_assert_true (cachet_account_list_load (list, &error));
  g_assert_no_error (error);
  return cachet_account_get_smtp (cachet_account_list_find (list, "win-alice"))->pinned_sha256;
}

static gint64
queue_to_bob (Fixture    *f,
              const char *tag)
{
  const char *to[] = { cachet_test_servers_get_user (servers, "bob")->login, NULL };
  g_autoptr(GBytes) m = send_test_message (cachet_test_servers_get_user (servers, "alice")->login,
                                           to[0], tag, FALSE);

  return send_test_queue (_cachet_window_get_sender (f->window), "win-alice", m, to);
}

static void
test_certificate (Fixture      *f,
                  gconstpointer data)
{
  const CachetTestCertInfo *good;
  g_autoptr(CachetAccountList) list = cachet_account_list_new (NULL);
  g_autoptr(CachetAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  GtkWidget *dialog, *trust;
  gint64 id;

  if (servers == NULL)
    {
      if (g_strcmp0 (g_getenv ("CACHET_TEST_REQUIRE_SERVERS"), "1") == 0)
        g_test_fail_printf ("the test mail servers are not running");
      else
        g_test_skip ("the test mail servers are not running");
      return;
    }
  good = &servers->certs[CACHET_TEST_CERT_GOOD];
  /* Without the test CA the main Postfix's certificate cannot be verified. */
  account = send_test_account (servers, list, "win-alice", "alice", servers->smtps_port,
                               CACHET_SECURITY_TLS, CACHET_AUTH_AUTO, NULL);
  cachet_account_set_ca_file (account, NULL);
  g_assert_true (cachet_account_list_save (list, &error));
  g_assert_no_error (error);
  show_window (f);

  id = queue_to_bob (f, "win-cert");
  wait_idle (f);
  dialog = find_toplevel (CACHET_TYPE_CERTIFICATE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));
  g_assert_cmpstr (cachet_certificate_dialog_get_fingerprint (CACHET_CERTIFICATE_DIALOG (dialog)),
                   ==, good->sha256);
  shown = cachet_format_fingerprint (good->sha256);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_widget (dialog, GTK_TYPE_LABEL,
                                                               "Fingerprint"))), ==, shown);
  {
    g_autoptr(CachetOutboxRecord) r = cachet_store_outbox_get (f->store, id, NULL);
    g_assert_cmpint (r->state, ==, CACHET_OUTBOX_FAILED);
  }
  /* Asked, not also told in the notification bar. */
  g_assert_false (gtk_info_bar_get_revealed (f->window->info_bar));
  g_assert_null (pinned ());

  trust = find_widget (dialog, GTK_TYPE_BUTTON, "Trust this certificate for this account");
  gtk_button_clicked (GTK_BUTTON (trust));
  wait_idle (f);
  while (folder_of (f, id) != folder_id (f, "Sent"))
    spin ();
  g_assert_cmpstr (pinned (), ==, good->sha256);
  g_assert_null (find_toplevel (CACHET_TYPE_CERTIFICATE_DIALOG));
  send_test_wait_queue_empty (servers);
  g_assert_cmpuint (send_test_count_tag (cachet_test_servers_get_user (servers, "bob")->maildir,
                                         "win-cert"), ==, 1);

  /* Another certificate pinned than the server's: refused as changed, without a dialog. */
  {
    g_autoptr(CachetAccountList) again = cachet_account_list_new (NULL);

    g_assert_true (cachet_account_list_load (again, &error));
    cachet_account_pin_certificate (cachet_account_list_find (again, "win-alice"), "smtp",
                                    "0123456789abcdef0123456789abcdef"
                                    "0123456789abcdef0123456789abcdef");
    g_assert_true (cachet_account_list_save (again, &error));
    g_assert_no_error (error);
  }
  id = queue_to_bob (f, "win-changed");
  for (;;)
    {
      g_autoptr(CachetOutboxRecord) r = NULL;

      wait_idle (f);
      r = cachet_store_outbox_get (f->store, id, NULL);
      if (r->state == CACHET_OUTBOX_FAILED)
        break;
      spin ();
    }
  g_assert_null (find_toplevel (CACHET_TYPE_CERTIFICATE_DIALOG));
  g_assert_true (gtk_info_bar_get_revealed (f->window->info_bar));
  g_test_message ("%s", gtk_label_get_text (f->window->info_label));
  g_assert_nonnull (strstr (gtk_label_get_text (f->window->info_label), "changed"));
  g_assert_cmpuint (send_test_count_tag (cachet_test_servers_get_user (servers, "bob")->maildir,
                                         "win-changed"), ==, 0);
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
  g_test_add ("/ui/outbox/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("bar", test_bar);
  ADD ("not-queued", test_not_queued);
  ADD ("certificate", test_certificate);
#undef ADD
  {
    g_autofree char *skip = NULL;
    g_autoptr(GError) error = NULL;
    int status;

    /* Only the certificate test needs them; the others run anywhere. */
    servers = cachet_test_servers_start (CACHET_TEST_SERVERS_SMTP, &skip, &error);
    if (skip != NULL)
      g_printerr ("No mail servers: %s\n", skip);
    g_assert_no_error (error);
    status = g_test_run ();
    g_clear_pointer (&servers, cachet_test_servers_free);
    return status;
  }
}
