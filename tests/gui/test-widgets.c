/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cachet-attachment-bar.h"
#include "cachet-folder-tree.h"
#include "cachet-message-list-view.h"
#include "cachet-message-view.h"
#include "cachet-store.h"
#include "cachet-window-private.h"

static const char plain_message[] =
  "From: Alice Example <alice@example.org>\r\n"
  "To: Bob Example <bob@example.org>\r\n"
  "Cc: Carol Example <carol@example.org>, dave@example.org\r\n"
  "Subject: Lunch on Friday\r\n"
  "Date: Mon, 03 Jun 2024 09:15:00 +0000\r\n"
  "Message-ID: <lunch@example.org>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "\r\n"
  "Shall we meet for lunch on Friday? The soup is good.\r\n";

static const char unknown_charset_message[] =
  "From: Eve <eve@example.com>\r\n"
  "Subject: Odd charset\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: text/plain; charset=x-no-such-charset\r\n"
  "\r\n"
  "Some text.\r\n";

static const char attachment_message[] =
  "From: Dana <dana@example.net>\r\n"
  "To: bob@example.org\r\n"
  "Subject: Report\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
  "\r\n"
  "--b\r\n"
  "Content-Type: text/plain; charset=us-ascii\r\n"
  "\r\n"
  "The report is attached.\r\n"
  "--b\r\n"
  "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
  "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
  "Content-Transfer-Encoding: base64\r\n"
  "\r\n"
  "JVBERi0xLjQKSGVsbG8sIHdvcmxkIQo=\r\n"
  "--b--\r\n";

static const char attachment_content[] = "%PDF-1.4\nHello, world!\n";

static CachetMessage *
parse (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));

  return cachet_message_new_from_bytes (bytes);
}

static void
spin_until (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

static void
collect_labels (GtkWidget *widget,
                gpointer   user_data)
{
  GString *texts = user_data;

  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    g_string_append_printf (texts, "[%s]", gtk_label_get_text (GTK_LABEL (widget)));
  if (GTK_IS_CONTAINER (widget))
    gtk_container_forall (GTK_CONTAINER (widget), collect_labels, texts);
}

static char *
visible_labels (GtkWidget *widget)
{
  GString *texts = g_string_new (NULL);

  collect_labels (widget, texts);
  return g_string_free (texts, FALSE);
}

static char *
body_text (CachetMessageView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (cachet_message_view_get_body_view (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
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

/* Message list: a list made at start-up is shown without loading; a stale one is not. */

static void
count_cb (GtkWidget *widget,
          gpointer   user_data)
{
  (*(guint *) user_data)++;
}

static void
test_message_list_offered (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "cachet-offer", NULL);
  g_autoptr(CachetStore) store = cachet_store_new (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetFolderInfo) inbox = NULL;
  g_autoptr(CachetFolderInfo) sent = NULL;
  CachetMessageListView *view = CACHET_MESSAGE_LIST_VIEW (cachet_message_list_view_new ());
  GtkWidget *window = in_window (GTK_WIDGET (view));
  CachetMessageList *offered;
  guint loaded = 0;

  cachet_store_open_sync (store, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  inbox = cachet_store_get_folder_by_role (store, CACHET_FOLDER_ROLE_INBOX);
  sent = cachet_store_get_folder_by_role (store, CACHET_FOLDER_ROLE_SENT);
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (plain_message, strlen (plain_message));
      cachet_store_add_message_sync (store, inbox->id, bytes, 0, NULL, &error);
      g_assert_no_error (error);
    }
  cachet_message_list_view_set_store (view, store);
  g_signal_connect (view, "loaded", G_CALLBACK (count_cb), &loaded);

  /* The offered list (deliberately short: one id) is shown at once, not loaded again. */
  offered = cachet_store_list_messages_sync (store, inbox->id, CACHET_SORT_DATE, TRUE, FALSE,
                                             NULL, &error);
  g_assert_no_error (error);
  g_array_set_size (offered->ids, 1);
  cachet_message_list_view_offer_list (view, inbox->id, offered);
  cachet_message_list_view_show_folder (view, inbox->id);
  g_assert_cmpuint (loaded, ==, 1);
  g_assert_false (cachet_message_list_view_is_loading (view));
  g_assert_cmpint (gtk_tree_model_iter_n_children (
                     GTK_TREE_MODEL (cachet_message_list_view_get_model (view)), NULL), ==, 1);

  /* An offer for another folder is dropped: Inbox loads its three messages. */
  offered = cachet_store_list_messages_sync (store, sent->id, CACHET_SORT_DATE, TRUE, FALSE,
                                             NULL, &error);
  cachet_message_list_view_offer_list (view, sent->id, offered);
  cachet_message_list_view_show_folder (view, inbox->id);
  g_assert_true (cachet_message_list_view_is_loading (view));
  while (loaded < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gtk_tree_model_iter_n_children (
                     GTK_TREE_MODEL (cachet_message_list_view_get_model (view)), NULL), ==, 3);

  gtk_widget_destroy (window);
  cachet_store_close (store);
}

/* Message view */

static void
test_message_view_headers_and_body (void)
{
  CachetMessageView *view = CACHET_MESSAGE_VIEW (cachet_message_view_new ());
  GtkWidget *window = in_window (GTK_WIDGET (view));
  g_autoptr(CachetMessage) message = parse (plain_message);
  GtkTextView *body_view = cachet_message_view_get_body_view (view);
  g_autofree char *labels = NULL;
  g_autofree char *body = NULL;

  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (view)), ==, "empty");
  cachet_message_view_set_message (view, message);
  gtk_test_widget_wait_for_draw (window);

  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (view)), ==, "message");
  labels = visible_labels (GTK_WIDGET (view));
  g_assert_nonnull (strstr (labels, "[Lunch on Friday]"));
  /* (The order of the grid's children is not the order on screen.) */
  g_assert_nonnull (strstr (labels, "[From]"));
  g_assert_nonnull (strstr (labels, "[Alice Example <alice@example.org>]"));
  g_assert_nonnull (strstr (labels, "[To]"));
  g_assert_nonnull (strstr (labels, "[Bob Example <bob@example.org>]"));
  g_assert_nonnull (strstr (labels, "[Cc]"));
  g_assert_nonnull (strstr (labels, "[Carol Example <carol@example.org>, dave@example.org]"));
  g_assert_nonnull (strstr (labels, "[Date]"));
  g_assert_nonnull (strstr (labels, "2024"));

  body = body_text (view);
  g_assert_cmpstr (body, ==, cachet_message_get_body_text (message));
  g_assert_nonnull (strstr (body, "The soup is good."));
  g_assert_false (gtk_text_view_get_editable (body_view));
  g_assert_false (gtk_text_view_get_monospace (body_view));
  g_assert_cmpint (gtk_text_view_get_wrap_mode (body_view), ==, GTK_WRAP_WORD_CHAR);
  g_assert_null (cachet_message_view_get_warnings_text (view));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (cachet_message_view_get_attachment_bar (view))));
  g_assert_cmpstr (atk_object_get_name (gtk_widget_get_accessible (GTK_WIDGET (body_view))), ==,
                   "Message body");

  cachet_message_view_clear (view);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (view)), ==, "empty");
  gtk_widget_destroy (window);
}

static void
test_message_view_no_cc (void)
{
  CachetMessageView *view = CACHET_MESSAGE_VIEW (cachet_message_view_new ());
  GtkWidget *window = in_window (GTK_WIDGET (view));
  g_autoptr(CachetMessage) message = parse (unknown_charset_message);
  g_autofree char *labels = NULL;

  cachet_message_view_set_message (view, message);
  labels = visible_labels (GTK_WIDGET (view));
  /* No To, Cc or Date in the message: no rows for them. */
  g_assert_null (strstr (labels, "[Cc]"));
  g_assert_null (strstr (labels, "[To]"));
  g_assert_null (strstr (labels, "[Date]"));
  g_assert_nonnull (strstr (labels, "[Eve <eve@example.com>]"));
  gtk_widget_destroy (window);
}

static void
test_message_view_warnings (void)
{
  CachetMessageView *view = CACHET_MESSAGE_VIEW (cachet_message_view_new ());
  GtkWidget *window = in_window (GTK_WIDGET (view));
  g_autoptr(CachetMessage) message = parse (unknown_charset_message);
  g_autoptr(CachetMessage) plain = parse (plain_message);
  GPtrArray *warnings = cachet_message_get_warnings (message);
  const char *text;

  g_assert_cmpuint (warnings->len, >, 0);
  cachet_message_view_set_message (view, message);
  text = cachet_message_view_get_warnings_text (view);
  g_assert_nonnull (text);
  for (guint i = 0; i < warnings->len; i++)
    g_assert_nonnull (strstr (text, g_ptr_array_index (warnings, i)));
  g_assert_nonnull (strstr (text, "x-no-such-charset"));

  /* The next message without problems hides the bar again. */
  cachet_message_view_set_message (view, plain);
  g_assert_null (cachet_message_view_get_warnings_text (view));
  gtk_widget_destroy (window);
}

/* Attachment bar */

typedef struct
{
  gboolean done;
  char    *saved;
  char    *error;
} SaveResult;

static void
saved_cb (CachetAttachmentBar *bar,
          const char          *path,
          SaveResult          *result)
{
  result->saved = g_strdup (path);
  result->done = TRUE;
}

static void
save_error_cb (CachetAttachmentBar *bar,
               const char          *text,
               SaveResult          *result)
{
  result->error = g_strdup (text);
  result->done = TRUE;
}

static void
test_attachment_bar_save (void)
{
  CachetMessageView *view = CACHET_MESSAGE_VIEW (cachet_message_view_new ());
  GtkWidget *window = in_window (GTK_WIDGET (view));
  g_autoptr(CachetMessage) message = parse (attachment_message);
  CachetAttachmentBar *bar = cachet_message_view_get_attachment_bar (view);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "saved-report.pdf", NULL);
  g_autofree char *bad_path = g_build_filename (g_get_tmp_dir (), "no-such-dir", "x.pdf", NULL);
  g_autofree char *contents = NULL;
  SaveResult result = { FALSE, NULL, NULL };
  const char *name;
  gsize length;

  cachet_message_view_set_message (view, message);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (bar)));
  g_assert_cmpuint (cachet_attachment_bar_get_n_attachments (bar), ==, 1);
  g_assert_cmpstr (atk_object_get_name (gtk_widget_get_accessible (GTK_WIDGET (bar))), ==,
                   "Attachments");
  /* One button with the name, type and size. */
  name = atk_object_get_name (gtk_widget_get_accessible (GTK_WIDGET (cachet_attachment_bar_get_button (bar, 0))));
  g_assert_true (g_str_has_prefix (name, "report.pdf ("));
  g_assert_nonnull (strstr (name, "PDF"));

  g_signal_connect (bar, "saved", G_CALLBACK (saved_cb), &result);
  g_signal_connect (bar, "error", G_CALLBACK (save_error_cb), &result);

  cachet_attachment_bar_save (bar, 0, path);
  spin_until (&result.done);
  g_assert_null (result.error);
  g_assert_cmpstr (result.saved, ==, path);
  g_file_get_contents (path, &contents, &length, NULL);
  g_assert_cmpmem (contents, length, attachment_content, strlen (attachment_content));

  /* A failure is told in words, with the attachment's name. */
  result.done = FALSE;
  g_clear_pointer (&result.saved, g_free);
  cachet_attachment_bar_save (bar, 0, bad_path);
  spin_until (&result.done);
  g_assert_null (result.saved);
  g_assert_nonnull (result.error);
  g_assert_true (g_str_has_prefix (result.error, "Could not save the attachment “report.pdf”: "));
  g_free (result.error);

  /* A message without attachments hides the bar. */
  {
    g_autoptr(CachetMessage) plain = parse (plain_message);

    cachet_message_view_set_message (view, plain);
    g_assert_false (gtk_widget_get_visible (GTK_WIDGET (bar)));
    g_assert_cmpuint (cachet_attachment_bar_get_n_attachments (bar), ==, 0);
  }
  gtk_widget_destroy (window);
  g_unlink (path);
}

/* Folder tree */

static CachetFolderInfo *
folder (gint64           id,
        gint64           parent_id,
        const char      *path,
        CachetFolderRole role,
        guint            unread)
{
  CachetFolderInfo *info = g_new0 (CachetFolderInfo, 1);
  const char *slash = strrchr (path, '/');

  info->id = id;
  info->parent_id = parent_id;
  info->path = g_strdup (path);
  info->name = g_strdup (slash != NULL ? slash + 1 : path);
  info->role = role;
  info->unread = unread;
  info->total = unread + 3;
  return info;
}

static char *
describe_level (GtkTreeModel *model,
                GtkTreeIter  *parent)
{
  GString *s = g_string_new (NULL);
  GtkTreeIter iter;

  if (gtk_tree_model_iter_children (model, &iter, parent))
    do
      {
        g_autofree char *name = NULL;
        guint unread;

        gtk_tree_model_get (model, &iter,
                            CACHET_FOLDER_COLUMN_NAME, &name,
                            CACHET_FOLDER_COLUMN_UNREAD, &unread,
                            -1);
        if (s->len > 0)
          g_string_append_c (s, ' ');
        g_string_append (s, name);
        if (unread > 0)
          g_string_append_printf (s, "(%u)", unread);
        if (gtk_tree_model_iter_has_child (model, &iter))
          {
            g_autofree char *children = describe_level (model, &iter);

            g_string_append_printf (s, "{%s}", children);
          }
      }
    while (gtk_tree_model_iter_next (model, &iter));
  return g_string_free (s, FALSE);
}

static void
test_folder_tree_order (void)
{
  g_autoptr(GPtrArray) folders = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_folder_info_free);
  g_autoptr(GtkTreeStore) store = gtk_tree_store_new (CACHET_FOLDER_N_COLUMNS, G_TYPE_INT64,
                                                      G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT,
                                                      G_TYPE_ICON, G_TYPE_UINT, G_TYPE_UINT);
  g_autofree char *shape = NULL;

  /* In no particular order, as the store may list them. */
  g_ptr_array_add (folders, folder (10, 0, "zeta", CACHET_FOLDER_ROLE_NONE, 0));
  g_ptr_array_add (folders, folder (5, 0, "Trash", CACHET_FOLDER_ROLE_TRASH, 0));
  g_ptr_array_add (folders, folder (12, 11, "Alpha/Beta", CACHET_FOLDER_ROLE_NONE, 4));
  g_ptr_array_add (folders, folder (1, 0, "Inbox", CACHET_FOLDER_ROLE_INBOX, 2));
  g_ptr_array_add (folders, folder (6, 0, "Junk", CACHET_FOLDER_ROLE_JUNK, 0));
  g_ptr_array_add (folders, folder (11, 0, "Alpha", CACHET_FOLDER_ROLE_NONE, 0));
  g_ptr_array_add (folders, folder (4, 0, "Sent", CACHET_FOLDER_ROLE_SENT, 0));
  g_ptr_array_add (folders, folder (2, 0, "Drafts", CACHET_FOLDER_ROLE_DRAFTS, 0));
  g_ptr_array_add (folders, folder (13, 99, "Lost/Orphan", CACHET_FOLDER_ROLE_NONE, 0));
  g_ptr_array_add (folders, folder (3, 0, "Outbox", CACHET_FOLDER_ROLE_OUTBOX, 0));
  g_ptr_array_add (folders, folder (14, 1, "Inbox/Lists", CACHET_FOLDER_ROLE_NONE, 1));

  cachet_folder_tree_fill_store (store, folders);
  shape = describe_level (GTK_TREE_MODEL (store), NULL);
  g_assert_cmpstr (shape, ==,
                   "Inbox(2){Lists(1)} Drafts Outbox Sent Trash Junk Alpha{Beta(4)} Orphan zeta");
}

/* The widget over a real store: counts follow the store, bold when unread. */

static void
folders_changed_cb (CachetStore *store,
                    gboolean    *changed)
{
  *changed = TRUE;
}

static GtkTreeIter
find_row (GtkTreeModel *model,
          gint64        id)
{
  GtkTreeIter iter;

  g_assert_true (cachet_folder_tree_find (model, id, &iter));
  return iter;
}

static PangoWeight
name_weight (GtkTreeView *tree_view,
             gint64       id,
             char       **count)
{
  GtkTreeModel *model = gtk_tree_view_get_model (tree_view);
  GtkTreeViewColumn *column = gtk_tree_view_get_column (tree_view, 0);
  g_autoptr(GList) cells = gtk_cell_layout_get_cells (GTK_CELL_LAYOUT (column));
  GtkTreeIter iter = find_row (model, id);
  PangoWeight weight;

  g_assert_cmpuint (g_list_length (cells), ==, 3);
  gtk_tree_view_column_cell_set_cell_data (column, model, &iter, FALSE, FALSE);
  g_object_get (g_list_nth_data (cells, 1), "weight", &weight, NULL);
  g_object_get (g_list_nth_data (cells, 2), "text", count, NULL);
  return weight;
}

static void
test_folder_tree_widget (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "cachet-widgets", NULL);
  g_autoptr(CachetStore) store = cachet_store_new (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static (plain_message, strlen (plain_message));
  CachetFolderTree *tree = CACHET_FOLDER_TREE (cachet_folder_tree_new ());
  GtkWidget *window = in_window (GTK_WIDGET (tree));
  GtkTreeView *tree_view = cachet_folder_tree_get_tree_view (tree);
  g_autofree char *count = NULL;
  gboolean changed = FALSE;
  gint64 projects, message;

  cachet_store_open_sync (store, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  projects = cachet_store_create_folder_sync (store, 0, "Projects", NULL, &error);
  g_assert_no_error (error);
  message = cachet_store_add_message_sync (store, projects, bytes, 0, NULL, &error);
  g_assert_no_error (error);

  cachet_folder_tree_set_store (tree, store);
  g_assert_cmpstr (atk_object_get_name (gtk_widget_get_accessible (GTK_WIDGET (tree_view))), ==,
                   "Folders");
  g_assert_cmpint (name_weight (tree_view, projects, &count), ==, PANGO_WEIGHT_BOLD);
  g_assert_cmpstr (count, ==, "1");
  g_clear_pointer (&count, g_free);

  g_assert_true (cachet_folder_tree_select (tree, projects));
  g_assert_cmpint (cachet_folder_tree_get_selected (tree), ==, projects);

  /* Read: the count goes, the name is no longer bold, the selection stays. */
  g_signal_connect (store, "folders-changed", G_CALLBACK (folders_changed_cb), &changed);
  cachet_store_set_flags_sync (store, &message, 1, CACHET_FLAG_SEEN, 0, NULL, &error);
  g_assert_no_error (error);
  spin_until (&changed);
  g_assert_cmpint (name_weight (tree_view, projects, &count), ==, PANGO_WEIGHT_NORMAL);
  g_assert_cmpstr (count, ==, "");
  g_assert_cmpint (cachet_folder_tree_get_selected (tree), ==, projects);

  gtk_widget_destroy (window);
  cachet_store_close (store);
}

/* Loading a message from the store in a worker */

static void
loaded_cb (CachetMessageView *view,
           gint64             id,
           gint64            *loaded)
{
  *loaded = id;
}

static void
test_message_view_from_store (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "cachet-view", NULL);
  g_autoptr(CachetStore) store = cachet_store_new (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static (plain_message, strlen (plain_message));
  g_autoptr(CachetFolderInfo) inbox = NULL;
  CachetMessageView *view = CACHET_MESSAGE_VIEW (cachet_message_view_new ());
  GtkWidget *window = in_window (GTK_WIDGET (view));
  g_autofree char *body = NULL;
  gint64 id, loaded = 0;

  cachet_store_open_sync (store, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  inbox = cachet_store_get_folder_by_role (store, CACHET_FOLDER_ROLE_INBOX);
  id = cachet_store_add_message_sync (store, inbox->id, bytes, 0, NULL, &error);
  g_assert_no_error (error);

  g_signal_connect (view, "loaded", G_CALLBACK (loaded_cb), &loaded);
  cachet_message_view_show_message (view, store, id);
  g_assert_cmpint (cachet_message_view_get_message_id (view), ==, id);
  while (loaded == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (loaded, ==, id);
  body = body_text (view);
  g_assert_nonnull (strstr (body, "The soup is good."));

  gtk_widget_destroy (window);
  cachet_store_close (store);
}

/* The window keeps its state in GSettings (the memory backend in tests) */

static void
wait_for_list (CachetWindow *window)
{
  while (!window->store_open
         || cachet_message_list_view_is_loading (window->message_list)
         || cachet_message_list_view_get_model (window->message_list) == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_window_state (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "cachet-window", NULL);
  g_autoptr(CachetStore) store = cachet_store_new (dir);
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) threaded = NULL;
  CachetWindow *window;
  GtkTreeView *tree_view;
  gboolean descending;
  int width, height;
  gint64 projects;

  g_assert_true (G_IS_SETTINGS (settings));
  g_settings_set_int (settings, "window-width", 900);
  g_settings_set_int (settings, "window-height", 650);

  window = cachet_window_new (NULL, store);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 650);
  gtk_widget_show (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_visible (window->loading_box));
  wait_for_list (window);
  g_assert_false (gtk_widget_get_visible (window->loading_box));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->main_stack), ==, "mail");

  /* The Inbox is shown first. */
  {
    g_autoptr(CachetFolderInfo) inbox =
      cachet_store_get_folder_by_role (store, CACHET_FOLDER_ROLE_INBOX);

    g_assert_cmpint (cachet_folder_tree_get_selected (window->folder_tree), ==, inbox->id);
  }

  projects = cachet_store_create_folder_sync (store, 0, "Projects", NULL, &error);
  g_assert_no_error (error);
  while (!cachet_folder_tree_select (window->folder_tree, projects))
    g_main_context_iteration (NULL, TRUE);
  wait_for_list (window);

  /* Sort by size (a click on its header), threads on, a wider folder pane. */
  tree_view = cachet_message_list_view_get_tree_view (window->message_list);
  gtk_tree_view_column_clicked (gtk_tree_view_get_column (tree_view, 3));
  g_action_group_change_action_state (G_ACTION_GROUP (window), "threaded",
                                      g_variant_new_boolean (TRUE));
  gtk_paned_set_position (window->outer_paned, 310);
  wait_for_list (window);

  g_assert_cmpstr (g_settings_get_string (settings, "last-folder"), ==, "Projects");
  g_assert_cmpint (g_settings_get_enum (settings, "sort-column"), ==, CACHET_SORT_SIZE);
  g_assert_true (g_settings_get_boolean (settings, "sort-descending"));
  g_assert_true (g_settings_get_boolean (settings, "threaded"));
  g_assert_cmpint (g_settings_get_int (settings, "folder-pane-width"), ==, 310);
  gtk_widget_destroy (GTK_WIDGET (window));
  cachet_store_close (store);
  g_clear_object (&store);

  /* A new window comes back as the last one was. */
  store = cachet_store_new (dir);
  window = cachet_window_new (NULL, store);
  gtk_widget_show (GTK_WIDGET (window));
  wait_for_list (window);
  g_assert_cmpint (cachet_folder_tree_get_selected (window->folder_tree), ==, projects);
  g_assert_cmpint (cachet_message_list_view_get_sort (window->message_list, &descending), ==,
                   CACHET_SORT_SIZE);
  g_assert_true (descending);
  threaded = g_action_group_get_action_state (G_ACTION_GROUP (window), "threaded");
  g_assert_true (g_variant_get_boolean (threaded));
  g_assert_cmpint (gtk_paned_get_position (window->outer_paned), ==, 310);
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
  /* What gtk_test_init() does, after a g_test_init() that isolates the XDG directories
   * (gtk_test_init() would call g_test_init() again, without). */
  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  gtk_init (&argc, &argv);
  gtk_icon_theme_set_search_path (gtk_icon_theme_get_default (),
                                  (const char **) icon_path->pdata, (int) icon_path->len);

  g_test_add_func ("/ui/message-list/offered-list", test_message_list_offered);
  g_test_add_func ("/ui/message-view/headers-and-body", test_message_view_headers_and_body);
  g_test_add_func ("/ui/message-view/missing-headers", test_message_view_no_cc);
  g_test_add_func ("/ui/message-view/warnings", test_message_view_warnings);
  g_test_add_func ("/ui/message-view/from-store", test_message_view_from_store);
  g_test_add_func ("/ui/attachment-bar/save", test_attachment_bar_save);
  g_test_add_func ("/ui/folder-tree/order", test_folder_tree_order);
  g_test_add_func ("/ui/folder-tree/counts", test_folder_tree_widget);
  g_test_add_func ("/ui/window/state", test_window_state);
  return g_test_run ();
}
