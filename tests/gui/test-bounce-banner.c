/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cachet-folder-tree.h"
#include "cachet-message-list-view.h"
#include "cachet-message-view.h"
#include "cachet-store.h"
#include "cachet-window-private.h"

/* The bounce banner of the message view, and "Show the Original" in the window. */

#define ORIGINAL_ID "lunch-42@example.org"

static const char original_message[] =
  "From: Alice Example <alice@example.org>\r\n"
  "To: Bob Example <bob@example.net>\r\n"
  "Subject: Lunch on Friday\r\n"
  "Date: Mon, 03 Jun 2024 09:15:00 +0000\r\n"
  "Message-ID: <" ORIGINAL_ID ">\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "\r\n"
  "Shall we meet for lunch on Friday?\r\n";

/* What Postfix sends back for an unknown local user. */
static const char bounce_message[] =
  "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n"
  "To: alice@example.org\r\n"
  "Subject: Undelivered Mail Returned to Sender\r\n"
  "Date: Mon, 03 Jun 2024 09:15:05 +0000\r\n"
  "Message-ID: <20240603091505.ABC@mx.example.net>\r\n"
  "Auto-Submitted: auto-replied\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: multipart/report; report-type=delivery-status;\r\n"
  "\tboundary=\"ABC.1717406105/mx.example.net\"\r\n"
  "\r\n"
  "--ABC.1717406105/mx.example.net\r\n"
  "Content-Description: Notification\r\n"
  "Content-Type: text/plain; charset=us-ascii\r\n"
  "\r\n"
  "This is the mail system at host mx.example.net.\r\n"
  "\r\n"
  "I'm sorry to have to inform you that your message could not\r\n"
  "be delivered to one or more recipients. It's attached below.\r\n"
  "\r\n"
  "<bob@example.net>: unknown user: \"bob\"\r\n"
  "\r\n"
  "--ABC.1717406105/mx.example.net\r\n"
  "Content-Description: Delivery report\r\n"
  "Content-Type: message/delivery-status\r\n"
  "\r\n"
  "Reporting-MTA: dns; mx.example.net\r\n"
  "\r\n"
  "Final-Recipient: rfc822; bob@example.net\r\n"
  "Original-Recipient: rfc822;bob@example.net\r\n"
  "Action: failed\r\n"
  "Status: 5.1.1\r\n"
  "Diagnostic-Code: X-Postfix; unknown user: \"bob\"\r\n"
  "\r\n"
  "--ABC.1717406105/mx.example.net\r\n"
  "Content-Description: Undelivered Message Headers\r\n"
  "Content-Type: text/rfc822-headers\r\n"
  "\r\n"
  "From: Alice Example <alice@example.org>\r\n"
  "To: Bob Example <bob@example.net>\r\n"
  "Subject: Lunch on Friday\r\n"
  "Message-ID: <" ORIGINAL_ID ">\r\n"
  "\r\n"
  "--ABC.1717406105/mx.example.net--\r\n";

static const char delayed_message[] =
  "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>\r\n"
  "To: alice@example.org\r\n"
  "Subject: Warning: could not send message for past 4 hours\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: multipart/report; report-type=delivery-status; boundary=\"d\"\r\n"
  "\r\n"
  "--d\r\n"
  "Content-Type: message/delivery-status\r\n"
  "\r\n"
  "Reporting-MTA: dns; mx.example.net\r\n"
  "\r\n"
  "Final-Recipient: rfc822; carol@example.com\r\n"
  "Action: delayed\r\n"
  "Status: 4.4.1\r\n"
  "Diagnostic-Code: smtp; 421 4.4.1 Connection timed out\r\n"
  "--d--\r\n";

static CachetMessage *
parse (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
  return cachet_message_new_from_bytes (bytes);
}

static GtkWidget *
in_window (GtkWidget *child)
{
  GtkWidget *window = gtk_window_new (GTK_WINDOW_TOPLEVEL);

  gtk_window_set_default_size (GTK_WINDOW (window), 700, 500);
  gtk_container_add (GTK_CONTAINER (window), child);
  gtk_widget_show_all (window);
  return window;
}

/* The widget of @type whose accessible name or label is @name, under @widget. */
static GtkWidget *
find_widget (GtkWidget  *widget,
             GType       type,
             const char *name)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    {
      AtkObject *accessible = gtk_widget_get_accessible (widget);
      const char *accessible_name = accessible ? atk_object_get_name (accessible) : NULL;

      if (g_strcmp0 (accessible_name, name) == 0
          || (GTK_IS_BUTTON (widget)
              && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), name) == 0))
        return widget;
    }
  if (GTK_IS_CONTAINER (widget))
    {
      g_autoptr(GList) children = gtk_container_get_children (GTK_CONTAINER (widget));
      GtkWidget *found = NULL;

      /* The internal children too (an info bar's action area). */
      if (GTK_IS_INFO_BAR (widget))
        {
          GtkWidget *actions = gtk_info_bar_get_action_area (GTK_INFO_BAR (widget));
          found = find_widget (actions, type, name);
        }
      for (GList *l = children; l != NULL && found == NULL; l = l->next)
        found = find_widget (l->data, type, name);
      return found;
    }
  return NULL;
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("CACHET_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GdkWindow *window = gtk_widget_get_window (widget);

  if (dir == NULL || window == NULL)
    return;
  while (g_main_context_iteration (NULL, FALSE))
    ;
  pixbuf = gdk_pixbuf_get_from_window (window, 0, 0, gdk_window_get_width (window),
                                       gdk_window_get_height (window));
  if (pixbuf == NULL)
    return;
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  gdk_pixbuf_save (pixbuf, path, "png", NULL, NULL);
}

static void
test_banner (void)
{
  CachetMessageView *view = CACHET_MESSAGE_VIEW (cachet_message_view_new ());
  GtkWidget *window = in_window (GTK_WIDGET (view));
  g_autoptr(CachetMessage) bounce = parse (bounce_message);
  g_autoptr(CachetMessage) delayed = parse (delayed_message);
  g_autoptr(CachetMessage) original = parse (original_message);
  GtkWidget *bar, *button;

  /* An ordinary message has no banner. */
  cachet_message_view_set_message (view, original);
  g_assert_null (cachet_message_view_get_bounce_text (view));

  cachet_message_view_set_message (view, bounce);
  g_assert_cmpstr (cachet_message_view_get_bounce_text (view), ==,
                   "Undeliverable to bob@example.net: unknown user: \"bob\"");
  bar = find_widget (GTK_WIDGET (view), GTK_TYPE_INFO_BAR, "Delivery problem");
  g_assert_nonnull (bar);
  g_assert_true (gtk_widget_get_visible (bar));
  g_assert_cmpint (gtk_info_bar_get_message_type (GTK_INFO_BAR (bar)), ==, GTK_MESSAGE_ERROR);
  /* Not from the store: no original to show. */
  g_assert_cmpint (cachet_message_view_get_original_id (view), ==, 0);
  button = find_widget (bar, GTK_TYPE_BUTTON, "Show the _Original");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_visible (button));

  /* Only delayed: a warning that says so, not "undeliverable". */
  cachet_message_view_set_message (view, delayed);
  g_assert_cmpstr (cachet_message_view_get_bounce_text (view), ==,
                   "Delivery to carol@example.com is delayed: Connection timed out");
  g_assert_cmpint (gtk_info_bar_get_message_type (GTK_INFO_BAR (bar)), ==, GTK_MESSAGE_WARNING);

  cachet_message_view_clear (view);
  g_assert_null (cachet_message_view_get_bounce_text (view));
  cachet_message_view_set_message (view, original);
  g_assert_null (cachet_message_view_get_bounce_text (view));
  g_assert_false (gtk_widget_get_visible (bar));

  gtk_widget_destroy (window);
}

static void
wait_for_list (CachetWindow *window)
{
  while (!window->store_open
         || cachet_message_list_view_is_loading (window->message_list)
         || cachet_message_list_view_get_model (window->message_list) == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
loaded_cb (CachetMessageView *view,
           gint64             id,
           gint64            *loaded)
{
  *loaded = id;
}

static void
test_show_original (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "cachet-bounce", NULL);
  g_autoptr(CachetStore) store = cachet_store_new (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetFolderInfo) inbox = NULL;
  g_autoptr(CachetFolderInfo) sent = NULL;
  g_autoptr(GBytes) original_bytes = g_bytes_new_static (original_message,
                                                         strlen (original_message));
  g_autoptr(GBytes) bounce_bytes = g_bytes_new_static (bounce_message, strlen (bounce_message));
  CachetWindow *window;
  CachetMessageView *view;
  GtkWidget *button;
  gint64 original_id, bounce_id, loaded = 0;

  cachet_store_open_sync (store, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  inbox = cachet_store_get_folder_by_role (store, CACHET_FOLDER_ROLE_INBOX);
  sent = cachet_store_get_folder_by_role (store, CACHET_FOLDER_ROLE_SENT);
  original_id = cachet_store_add_message_sync (store, sent->id, original_bytes,
                                               CACHET_FLAG_SEEN, NULL, &error);
  g_assert_no_error (error);
  bounce_id = cachet_store_add_message_sync (store, inbox->id, bounce_bytes, 0, NULL, &error);
  g_assert_no_error (error);

  window = cachet_window_new (NULL, store);
  gtk_widget_show (GTK_WIDGET (window));
  wait_for_list (window);
  g_assert_cmpint (cachet_folder_tree_get_selected (window->folder_tree), ==, inbox->id);

  /* The bounce, from the store: its banner finds the original in Sent. */
  view = window->message_view;
  g_signal_connect (view, "loaded", G_CALLBACK (loaded_cb), &loaded);
  g_assert_true (cachet_message_list_view_select_id (window->message_list, bounce_id));
  while (loaded != bounce_id)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (cachet_message_view_get_bounce_text (view), ==,
                   "Undeliverable to bob@example.net: unknown user: \"bob\"");
  g_assert_cmpint (cachet_message_view_get_original_id (view), ==, original_id);
  button = find_widget (GTK_WIDGET (view), GTK_TYPE_BUTTON, "Show the _Original");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  save_screenshot (GTK_WIDGET (window), "bounce-banner.png");

  /* "Show the Original" selects Sent and the message in it. */
  gtk_button_clicked (GTK_BUTTON (button));
  while (cachet_message_list_view_get_selected_id (window->message_list) != original_id)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (cachet_folder_tree_get_selected (window->folder_tree), ==, sent->id);
  while (loaded != original_id)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (cachet_message_view_get_bounce_text (view));

  gtk_widget_destroy (GTK_WIDGET (window));
  cachet_store_close (store);
}

int
main (int   argc,
      char *argv[])
{
  g_auto(GStrv) system_dirs = g_strdupv ((char **) g_get_system_data_dirs ());
  g_autoptr(GPtrArray) icon_path = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) mime_path = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* The isolated XDG_DATA_DIRS hide the system's MIME database and icon themes, which
   * the widgets need for their icons. */
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
  /* What gtk_test_init() does, after a g_test_init() that isolates the XDG directories. */
  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  gtk_init (&argc, &argv);
  gtk_icon_theme_set_search_path (gtk_icon_theme_get_default (),
                                  (const char **) icon_path->pdata, (int) icon_path->len);

  g_test_add_func ("/ui/bounce/banner", test_banner);
  g_test_add_func ("/ui/bounce/show-original", test_show_original);
  return g_test_run ();
}
