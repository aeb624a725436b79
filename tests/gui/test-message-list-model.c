/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cachet-message-list-loader.h"
#include "cachet-message-list-model.h"
#include "cachet-message-list-view.h"
#include "cachet-store.h"

/* A store with N_MESSAGES generated messages in the Inbox: threads of THREAD_LEN (each
 * reply answers the one before), dates scrambled against the order of import, senders,
 * sizes and flags varied.  Made once; the tests that change it run last. */
#define N_MESSAGES 2000
#define THREAD_LEN 5
#define N_THREADS (N_MESSAGES / THREAD_LEN)

static CachetStore *store;
static gint64 inbox_id;
static char *store_dir;

static gint64
thread_date (guint thread)
{
  /* A permutation of the threads over ~N_THREADS days from 2023-11-14. */
  return 1700000000 + (gint64) ((thread * 7919u) % N_THREADS) * 86400;
}

static char *
write_mbox (const char *dir)
{
  g_autoptr(GString) mbox = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "generated.mbox", NULL);

  for (guint i = 0; i < N_MESSAGES; i++)
    {
      guint thread = i / THREAD_LEN, pos = i % THREAD_LEN;
      g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (thread_date (thread)
                                                                 + pos * 600);
      g_autofree char *date_text = g_date_time_format (date, "%a, %d %b %Y %H:%M:%S +0000");

      g_string_append (mbox, "From sender@example.org Mon Jan  1 00:00:00 2024\n");
      g_string_append_printf (mbox, "From: %s Sender %03u <s%03u@example.org>\n",
                              (i % 3) == 0 ? "alpha" : "Beta", (i * 37) % 101, i % 101);
      g_string_append (mbox, "To: Bob <bob@example.org>\n");
      g_string_append_printf (mbox, "Subject: %sTopic %04u\n", pos > 0 ? "Re: " : "",
                              (thread * 31) % N_THREADS);
      g_string_append_printf (mbox, "Date: %s\n", date_text);
      g_string_append_printf (mbox, "Message-ID: <m%u@example.org>\n", i);
      if (pos > 0)
        {
          g_string_append_printf (mbox, "In-Reply-To: <m%u@example.org>\n", i - 1);
          g_string_append (mbox, "References:");
          for (guint j = thread * THREAD_LEN; j < i; j++)
            g_string_append_printf (mbox, " <m%u@example.org>", j);
          g_string_append_c (mbox, '\n');
        }
      g_string_append_printf (mbox, "Status: %s\n", (i % 2) == 0 ? "RO" : "O");
      if (i % 7 == 0)
        g_string_append (mbox, "X-Status: F\n");
      g_string_append (mbox, "\n");
      for (guint line = 0; line <= (i * 13) % 29; line++)
        g_string_append_printf (mbox, "Line %u of message %u, with some words to index.\n",
                                line, i);
      g_string_append (mbox, "\n");
    }

  g_file_set_contents (path, mbox->str, (gssize) mbox->len, &error);
  g_assert_no_error (error);
  return path;
}

static void
setup_store (void)
{
  g_autoptr(GError) dir_error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *mbox = NULL;
  g_autoptr(CachetFolderInfo) inbox = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  /* Shared by all tests, so outside the per-test directories of G_TEST_OPTION_ISOLATE_DIRS;
   * removed at the end. */
  store_dir = g_dir_make_tmp ("cachet-model-XXXXXX", &dir_error);
  g_assert_no_error (dir_error);
  dir = g_build_filename (store_dir, "data", NULL);
  mbox = write_mbox (store_dir);
  store = cachet_store_new (dir);
  cachet_store_open_sync (store, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  inbox = cachet_store_get_folder_by_role (store, CACHET_FOLDER_ROLE_INBOX);
  g_assert_nonnull (inbox);
  inbox_id = inbox->id;
  cachet_store_import_mbox_sync (store, mbox, inbox_id, NULL, NULL, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, N_MESSAGES);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_clear_pointer (&dir, g_dir_close);
  g_rmdir (path);
}

static CachetMessageListModel *
inbox_model (CachetSortColumn sort,
             gboolean         descending,
             gboolean         threaded)
{
  g_autoptr(GError) error = NULL;
  CachetMessageList *list;

  list = cachet_store_list_messages_sync (store, inbox_id, sort, descending, threaded,
                                          NULL, &error);
  g_assert_no_error (error);
  return cachet_message_list_model_new (store, list);
}

static void
spin_until (gboolean *done)
{
  /* Bounded by the test's meson timeout; no timed assertion. */
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

/* Row count, flags, iteration without fetching */

static void
test_row_count (void)
{
  g_autoptr(CachetMessageListModel) model = inbox_model (CACHET_SORT_DATE, TRUE, FALSE);
  GtkTreeModel *tree_model = GTK_TREE_MODEL (model);
  GtkTreeIter iter;
  guint n = 0;

  g_assert_cmpint (gtk_tree_model_iter_n_children (tree_model, NULL), ==, N_MESSAGES);
  g_assert_cmpuint (cachet_message_list_model_get_n_rows (model), ==, N_MESSAGES);
  g_assert_true (gtk_tree_model_get_flags (tree_model) & GTK_TREE_MODEL_LIST_ONLY);
  g_assert_true (gtk_tree_model_get_flags (tree_model) & GTK_TREE_MODEL_ITERS_PERSIST);
  g_assert_cmpint (gtk_tree_model_get_n_columns (tree_model), ==,
                   CACHET_MESSAGE_LIST_N_COLUMNS);

  /* Walking the rows (as a tree view does when it gets the model) reads nothing. */
  if (gtk_tree_model_get_iter_first (tree_model, &iter))
    do
      {
        g_assert_false (gtk_tree_model_iter_has_child (tree_model, &iter));
        n++;
      }
    while (gtk_tree_model_iter_next (tree_model, &iter));
  g_assert_cmpuint (n, ==, N_MESSAGES);
  g_assert_cmpuint (cachet_message_list_model_get_n_fetches (model), ==, 0);
  g_assert_false (gtk_tree_model_iter_nth_child (tree_model, &iter, NULL, N_MESSAGES));
}

/* Rows are read a page at a time, only when asked for, and the cache is bounded */

static void
test_lazy_fetch (void)
{
  g_autoptr(CachetMessageListModel) model = inbox_model (CACHET_SORT_DATE, TRUE, FALSE);
  GtkTreeModel *tree_model = GTK_TREE_MODEL (model);
  g_autofree char *subject = NULL;
  GtkTreeIter iter;
  gint64 id;

  g_assert_cmpuint (cachet_message_list_model_get_n_cached_pages (model), ==, 0);

  g_assert_true (gtk_tree_model_iter_nth_child (tree_model, &iter, NULL, 1500));
  gtk_tree_model_get (tree_model, &iter,
                      CACHET_MESSAGE_LIST_COLUMN_ID, &id,
                      CACHET_MESSAGE_LIST_COLUMN_SUBJECT, &subject,
                      -1);
  g_assert_cmpint (id, ==, cachet_message_list_model_get_id (model, 1500));
  g_assert_true (g_str_has_prefix (subject, "Topic ") || g_str_has_prefix (subject, "Re: Topic "));
  g_assert_cmpuint (cachet_message_list_model_get_n_fetches (model), ==, 1);
  g_assert_cmpuint (cachet_message_list_model_get_n_cached_pages (model), ==, 1);

  /* The same page again: no new read. */
  g_assert_nonnull (cachet_message_list_model_get_summary (model, 1500 + 1));
  g_assert_cmpuint (cachet_message_list_model_get_n_fetches (model), ==, 1);

  /* The whole list: one read per page. */
  for (guint row = 0; row < N_MESSAGES; row++)
    g_assert_cmpint (cachet_message_list_model_get_summary (model, row)->id, ==,
                     cachet_message_list_model_get_id (model, row));
  g_assert_cmpuint (cachet_message_list_model_get_n_fetches (model), ==,
                    (N_MESSAGES + CACHET_MESSAGE_LIST_MODEL_PAGE_SIZE - 1)
                    / CACHET_MESSAGE_LIST_MODEL_PAGE_SIZE);
}

static void
test_cache_bounded (void)
{
  g_autoptr(CachetMessageListModel) model = NULL;
  CachetMessageList *list = g_new0 (CachetMessageList, 1);
  const guint n = 100 * CACHET_MESSAGE_LIST_MODEL_PAGE_SIZE;

  /* Ids the store does not have: their rows come back empty (id 0) without an error. */
  list->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < n; i++)
    {
      gint64 id = G_GINT64_CONSTANT (1000000000) + i;

      g_array_append_val (list->ids, id);
    }
  model = cachet_message_list_model_new (store, list);

  for (guint row = 0; row < n; row++)
    {
      const CachetMessageSummary *summary = cachet_message_list_model_get_summary (model, row);

      g_assert_cmpint (summary->id, ==, 0);
      g_assert_cmpuint (cachet_message_list_model_get_n_cached_pages (model), <=,
                        CACHET_MESSAGE_LIST_MODEL_MAX_PAGES);
    }
  g_assert_cmpuint (cachet_message_list_model_get_n_fetches (model), ==, 100);
  g_assert_cmpuint (cachet_message_list_model_get_n_cached_pages (model), ==,
                    CACHET_MESSAGE_LIST_MODEL_MAX_PAGES);
}

/* Sorting, through the list view (worker thread, model swap) */

typedef struct
{
  GtkWidget             *window;
  CachetMessageListView *view;
  gboolean               loaded;
} ViewFixture;

static void
loaded_cb (CachetMessageListView *view,
           gboolean              *loaded)
{
  *loaded = TRUE;
}

static void
view_setup (ViewFixture   *fixture,
            gconstpointer  data)
{
  fixture->window = gtk_window_new (GTK_WINDOW_TOPLEVEL);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 800, 600);
  fixture->view = CACHET_MESSAGE_LIST_VIEW (cachet_message_list_view_new ());
  gtk_container_add (GTK_CONTAINER (fixture->window), GTK_WIDGET (fixture->view));
  g_signal_connect (fixture->view, "loaded", G_CALLBACK (loaded_cb), &fixture->loaded);
  cachet_message_list_view_set_store (fixture->view, store);
  gtk_widget_show_all (fixture->window);

  cachet_message_list_view_show_folder (fixture->view, inbox_id);
  spin_until (&fixture->loaded);
  gtk_test_widget_wait_for_draw (fixture->window);
}

static void
view_teardown (ViewFixture   *fixture,
               gconstpointer  data)
{
  gtk_widget_destroy (fixture->window);
}

static void
view_reload (ViewFixture *fixture)
{
  fixture->loaded = FALSE;
  spin_until (&fixture->loaded);
}

static char *
subject_key (const char *subject)
{
  if (g_str_has_prefix (subject, "Re: "))
    subject += 4;
  return g_utf8_casefold (subject, -1);
}

/* Compares rows @a and @b by @sort: <0, 0, >0. */
static int
compare_by (CachetSortColumn            sort,
            const CachetMessageSummary *a,
            const CachetMessageSummary *b)
{
  switch (sort)
    {
    case CACHET_SORT_FROM:
      {
        g_autofree char *ka = g_utf8_casefold (a->from, -1);
        g_autofree char *kb = g_utf8_casefold (b->from, -1);
        return strcmp (ka, kb);
      }
    case CACHET_SORT_SUBJECT:
      {
        g_autofree char *ka = subject_key (a->subject);
        g_autofree char *kb = subject_key (b->subject);
        return strcmp (ka, kb);
      }
    case CACHET_SORT_SIZE:
      return (a->size > b->size) - (a->size < b->size);
    case CACHET_SORT_FLAGS:
      return (a->flags > b->flags) - (a->flags < b->flags);
    case CACHET_SORT_DATE:
    default:
      return (a->date > b->date) - (a->date < b->date);
    }
}

static void
assert_sorted (CachetMessageListModel *model,
               CachetSortColumn        sort,
               gboolean                descending)
{
  guint n = cachet_message_list_model_get_n_rows (model);
  CachetMessageSummary previous = { 0 };
  guint changes = 0;

  g_assert_cmpuint (n, ==, N_MESSAGES);
  for (guint row = 0; row < n; row++)
    {
      const CachetMessageSummary *summary = cachet_message_list_model_get_summary (model, row);

      if (row > 0)
        {
          int cmp = compare_by (sort, &previous, summary);

          if (descending ? cmp < 0 : cmp > 0)
            g_error ("rows %u and %u are out of order for sort %d%s", row - 1, row,
                     (int) sort, descending ? " descending" : "");
          changes += cmp != 0;
        }
      cachet_message_summary_clear (&previous);
      previous = *summary;
      previous.from = g_strdup (summary->from);
      previous.to = g_strdup (summary->to);
      previous.subject = g_strdup (summary->subject);
    }
  cachet_message_summary_clear (&previous);
  /* The generated messages differ in every sorted column. */
  g_assert_cmpuint (changes, >, 1);
}

static void
test_sort (ViewFixture   *fixture,
           gconstpointer  data)
{
  CachetSortColumn sort = GPOINTER_TO_INT (data);
  gboolean descending;

  for (int i = 0; i < 2; i++)
    {
      descending = i == 0;
      cachet_message_list_view_set_sort (fixture->view, sort, descending);
      if (!(sort == CACHET_SORT_DATE && descending))   /* the default: no reload */
        view_reload (fixture);
      assert_sorted (cachet_message_list_view_get_model (fixture->view), sort, descending);
    }
}

/* A click on a column header sorts by it; another click reverses. */
static void
test_sort_by_header (ViewFixture   *fixture,
                     gconstpointer  data)
{
  GtkTreeView *tree_view = cachet_message_list_view_get_tree_view (fixture->view);
  GtkTreeViewColumn *size_column = gtk_tree_view_get_column (tree_view, 3);
  gboolean descending;

  g_assert_cmpstr (gtk_tree_view_column_get_title (size_column), ==, "Size");

  gtk_tree_view_column_clicked (size_column);
  view_reload (fixture);
  g_assert_cmpint (cachet_message_list_view_get_sort (fixture->view, &descending), ==,
                   CACHET_SORT_SIZE);
  g_assert_true (descending);
  g_assert_true (gtk_tree_view_column_get_sort_indicator (size_column));
  assert_sorted (cachet_message_list_view_get_model (fixture->view), CACHET_SORT_SIZE, TRUE);

  gtk_tree_view_column_clicked (size_column);
  view_reload (fixture);
  g_assert_cmpint (cachet_message_list_view_get_sort (fixture->view, &descending), ==,
                   CACHET_SORT_SIZE);
  g_assert_false (descending);
  assert_sorted (cachet_message_list_view_get_model (fixture->view), CACHET_SORT_SIZE, FALSE);
}

/* Search results, sorted by the loader in its worker */
static void
test_sort_search_results (void)
{
  for (int sort = CACHET_SORT_DATE; sort <= CACHET_SORT_FLAGS; sort++)
    for (int descending = 0; descending < 2; descending++)
      {
        g_autoptr(GError) error = NULL;
        CachetMessageList *list = cachet_store_search_sync (store, "words", inbox_id,
                                                            NULL, &error);
        g_autoptr(CachetMessageListModel) model = NULL;

        g_assert_no_error (error);
        g_assert_cmpuint (list->ids->len, ==, N_MESSAGES);
        cachet_message_list_sort_sync (store, list, sort, descending, NULL, &error);
        g_assert_no_error (error);
        model = cachet_message_list_model_new (store, list);
        assert_sorted (model, sort, descending);
      }
}

/* Threads: each root followed by its replies, one level deeper each */
static void
test_threaded (ViewFixture   *fixture,
               gconstpointer  data)
{
  CachetMessageListModel *model;
  guint roots = 0;
  g_autofree char *root_topic = NULL;

  cachet_message_list_view_set_threaded (fixture->view, TRUE);
  view_reload (fixture);
  model = cachet_message_list_view_get_model (fixture->view);
  g_assert_true (cachet_message_list_model_is_threaded (model));
  g_assert_cmpuint (cachet_message_list_model_get_n_rows (model), ==, N_MESSAGES);

  for (guint row = 0; row < N_MESSAGES; row++)
    {
      const CachetMessageSummary *summary = cachet_message_list_model_get_summary (model, row);
      guint depth = cachet_message_list_model_get_depth (model, row);
      GtkTreeIter iter;
      guint column_depth;

      cachet_message_list_model_get_iter_at_row (model, row, &iter);
      gtk_tree_model_get (GTK_TREE_MODEL (model), &iter,
                          CACHET_MESSAGE_LIST_COLUMN_DEPTH, &column_depth, -1);
      g_assert_cmpuint (column_depth, ==, depth);

      /* Each reply answers the one before it: depth = position in the thread. */
      g_assert_cmpuint (depth, ==, row % THREAD_LEN);
      if (depth == 0)
        {
          roots++;
          g_assert_true (g_str_has_prefix (summary->subject, "Topic "));
          g_free (root_topic);
          root_topic = g_strdup (summary->subject);
        }
      else
        {
          g_assert_true (g_str_has_prefix (summary->subject, "Re: "));
          g_assert_cmpstr (summary->subject + 4, ==, root_topic);
        }
    }
  g_assert_cmpuint (roots, ==, N_THREADS);

  cachet_message_list_view_set_threaded (fixture->view, FALSE);
  view_reload (fixture);
  g_assert_false (cachet_message_list_model_is_threaded (cachet_message_list_view_get_model (fixture->view)));
}

/* Changes from the store */

typedef struct
{
  gint     changed_row;
  gint     deleted_row;
  gboolean seen;
} RowSignals;

static void
row_changed_cb (GtkTreeModel *model,
                GtkTreePath  *path,
                GtkTreeIter  *iter,
                RowSignals   *signals)
{
  signals->changed_row = gtk_tree_path_get_indices (path)[0];
  signals->seen = TRUE;
}

static void
row_deleted_cb (GtkTreeModel *model,
                GtkTreePath  *path,
                RowSignals   *signals)
{
  signals->deleted_row = gtk_tree_path_get_indices (path)[0];
  signals->seen = TRUE;
}

static void
test_flag_change (void)
{
  g_autoptr(CachetMessageListModel) model = inbox_model (CACHET_SORT_DATE, TRUE, FALSE);
  RowSignals signals = { -1, -1, FALSE };
  g_autoptr(GError) error = NULL;
  CachetFlags before;
  gint64 id;
  guint fetches;

  g_signal_connect (model, "row-changed", G_CALLBACK (row_changed_cb), &signals);

  /* A row on screen (cached): re-read and announced. */
  before = cachet_message_list_model_get_summary (model, 10)->flags;
  id = cachet_message_list_model_get_id (model, 10);
  cachet_store_set_flags_sync (store, &id, 1,
                               (before & CACHET_FLAG_FLAGGED) ? 0 : CACHET_FLAG_FLAGGED,
                               (before & CACHET_FLAG_FLAGGED) ? CACHET_FLAG_FLAGGED : 0,
                               NULL, &error);
  g_assert_no_error (error);
  spin_until (&signals.seen);
  g_assert_cmpint (signals.changed_row, ==, 10);
  g_assert_cmpuint (cachet_message_list_model_get_summary (model, 10)->flags ^ before, ==,
                    CACHET_FLAG_FLAGGED);

  /* A row never shown: announced, but not read until asked for. */
  fetches = cachet_message_list_model_get_n_fetches (model);
  signals.seen = FALSE;
  id = cachet_message_list_model_get_id (model, 1900);
  cachet_store_set_flags_sync (store, &id, 1, CACHET_FLAG_REPLIED, 0, NULL, &error);
  g_assert_no_error (error);
  spin_until (&signals.seen);
  g_assert_cmpint (signals.changed_row, ==, 1900);
  g_assert_cmpuint (cachet_message_list_model_get_n_fetches (model), ==, fetches);
  g_assert_true (cachet_message_list_model_get_summary (model, 1900)->flags
                 & CACHET_FLAG_REPLIED);
}

/* A removed row goes with its own signal; iters of other rows stay valid. */
static void
test_remove_keeps_iters (void)
{
  g_autoptr(CachetMessageListModel) model = inbox_model (CACHET_SORT_DATE, TRUE, FALSE);
  GtkTreeModel *tree_model = GTK_TREE_MODEL (model);
  RowSignals signals = { -1, -1, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkTreePath) path = NULL;
  GtkTreeIter later;
  gint64 id, later_id;
  guint n = cachet_message_list_model_get_n_rows (model);

  g_signal_connect (model, "row-deleted", G_CALLBACK (row_deleted_cb), &signals);
  g_assert_true (gtk_tree_model_iter_nth_child (tree_model, &later, NULL, 20));
  later_id = cachet_message_list_model_get_id (model, 20);

  id = cachet_message_list_model_get_id (model, 5);
  cachet_store_delete_sync (store, &id, 1, NULL, &error);
  g_assert_no_error (error);
  spin_until (&signals.seen);

  g_assert_cmpint (signals.deleted_row, ==, 5);
  g_assert_cmpuint (cachet_message_list_model_get_n_rows (model), ==, n - 1);
  g_assert_cmpint (cachet_message_list_model_find_id (model, id), ==, -1);

  path = gtk_tree_model_get_path (tree_model, &later);
  g_assert_nonnull (path);
  g_assert_cmpint (gtk_tree_path_get_indices (path)[0], ==, 19);
  {
    gint64 value;

    gtk_tree_model_get (tree_model, &later, CACHET_MESSAGE_LIST_COLUMN_ID, &value, -1);
    g_assert_cmpint (value, ==, later_id);
  }
}

/* A new message appears in place, keeping the selection. */
static void
test_add_keeps_selection (ViewFixture   *fixture,
                          gconstpointer  data)
{
  static const char newest[] = "From: New <new@example.org>\r\n"
                               "Subject: Newest of all\r\n"
                               "Date: Fri, 01 Jan 2038 00:00:00 +0000\r\n"
                               "Message-ID: <newest@example.org>\r\n"
                               "\r\nHello\r\n";
  CachetMessageListModel *model = cachet_message_list_view_get_model (fixture->view);
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  guint n = cachet_message_list_model_get_n_rows (model);
  gint64 selected, added;

  g_assert_true (cachet_message_list_view_move_cursor (fixture->view, 1, FALSE));
  g_assert_true (cachet_message_list_view_move_cursor (fixture->view, 1, FALSE));
  selected = cachet_message_list_view_get_selected_id (fixture->view);
  g_assert_cmpint (selected, ==, cachet_message_list_model_get_id (model, 1));

  message = g_bytes_new_static (newest, strlen (newest));
  added = cachet_store_add_message_sync (store, inbox_id, message, 0, NULL, &error);
  g_assert_no_error (error);
  view_reload (fixture);

  /* The same model, one row more at the top, the selection moved along with its row. */
  g_assert_true (cachet_message_list_view_get_model (fixture->view) == model);
  g_assert_cmpuint (cachet_message_list_model_get_n_rows (model), ==, n + 1);
  g_assert_cmpint (cachet_message_list_model_get_id (model, 0), ==, added);
  g_assert_cmpint (cachet_message_list_view_get_selected_id (fixture->view), ==, selected);
}

/* n / p: the next and previous unread rows. */
static void
test_next_unread (ViewFixture   *fixture,
                  gconstpointer  data)
{
  CachetMessageListModel *model = cachet_message_list_view_get_model (fixture->view);
  gint64 id;
  CachetFlags flags;
  gint row, previous = -1;

  for (int i = 0; i < 5; i++)
    {
      g_assert_true (cachet_message_list_view_move_cursor (fixture->view, 1, TRUE));
      id = cachet_message_list_view_get_selected_id (fixture->view);
      g_assert_true (cachet_message_list_view_get_flags (fixture->view, id, &flags));
      g_assert_false (flags & CACHET_FLAG_SEEN);
      row = cachet_message_list_model_find_id (model, id);
      g_assert_cmpint (row, >, previous);
      /* No unread row was skipped. */
      for (gint r = previous + 1; r < row; r++)
        g_assert_true (cachet_message_list_model_get_summary (model, (guint) r)->flags
                       & CACHET_FLAG_SEEN);
      previous = row;
    }
  g_assert_true (cachet_message_list_view_move_cursor (fixture->view, -1, TRUE));
  g_assert_cmpint (cachet_message_list_model_find_id (model, cachet_message_list_view_get_selected_id (fixture->view)),
                   <, previous);
}

/* The diff between two id lists */
static void
test_diff (void)
{
  const gint64 old_ids[] = { 1, 2, 3, 4 };
  const gint64 new_ids[] = { 0, 2, 3, 5, 4 };
  const gint64 moved_ids[] = { 3, 2, 4 };
  g_autoptr(GArray) old = g_array_new (FALSE, FALSE, sizeof (gint64));
  CachetMessageList list = { NULL, NULL };
  g_autoptr(CachetMessageListDiff) diff = NULL;
  g_autoptr(CachetMessageListDiff) none = NULL;

  g_array_append_vals (old, old_ids, G_N_ELEMENTS (old_ids));
  list.ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_vals (list.ids, new_ids, G_N_ELEMENTS (new_ids));
  diff = cachet_message_list_diff_new (old, &list);
  g_assert_nonnull (diff);
  g_assert_cmpuint (diff->removed->len, ==, 1);
  g_assert_cmpuint (g_array_index (diff->removed, guint, 0), ==, 0);
  g_assert_cmpuint (diff->inserted->len, ==, 2);
  g_assert_cmpuint (g_array_index (diff->inserted, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (diff->inserted, guint, 1), ==, 3);

  /* Rows that stay but change order cannot be expressed: NULL. */
  g_array_set_size (list.ids, 0);
  g_array_append_vals (list.ids, moved_ids, G_N_ELEMENTS (moved_ids));
  none = cachet_message_list_diff_new (old, &list);
  g_assert_null (none);
  g_array_unref (list.ids);
}

/* Deleting the selected message selects the next one, as mail programs do. */
static void
test_delete_selects_next (ViewFixture   *fixture,
                          gconstpointer  data)
{
  CachetMessageListModel *model = cachet_message_list_view_get_model (fixture->view);
  RowSignals signals = { -1, -1, FALSE };
  g_autoptr(GError) error = NULL;
  gint64 selected, next;

  g_assert_true (cachet_message_list_view_select_id (fixture->view,
                                                     cachet_message_list_model_get_id (model, 3)));
  selected = cachet_message_list_view_get_selected_id (fixture->view);
  next = cachet_message_list_model_get_id (model, 4);
  g_signal_connect (model, "row-deleted", G_CALLBACK (row_deleted_cb), &signals);

  cachet_store_delete_sync (store, &selected, 1, NULL, &error);
  g_assert_no_error (error);
  spin_until (&signals.seen);
  g_assert_cmpint (signals.deleted_row, ==, 3);
  g_assert_cmpint (cachet_message_list_view_get_selected_id (fixture->view), ==, next);
}

int
main (int   argc,
      char *argv[])
{
  int status;

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
  setup_store ();

  g_test_add_func ("/ui/model/diff", test_diff);
  g_test_add_func ("/ui/model/row-count", test_row_count);
  g_test_add_func ("/ui/model/lazy-fetch", test_lazy_fetch);
  g_test_add_func ("/ui/model/cache-bounded", test_cache_bounded);
  g_test_add ("/ui/model/sort/date", ViewFixture, GINT_TO_POINTER (CACHET_SORT_DATE),
              view_setup, test_sort, view_teardown);
  g_test_add ("/ui/model/sort/from", ViewFixture, GINT_TO_POINTER (CACHET_SORT_FROM),
              view_setup, test_sort, view_teardown);
  g_test_add ("/ui/model/sort/subject", ViewFixture, GINT_TO_POINTER (CACHET_SORT_SUBJECT),
              view_setup, test_sort, view_teardown);
  g_test_add ("/ui/model/sort/size", ViewFixture, GINT_TO_POINTER (CACHET_SORT_SIZE),
              view_setup, test_sort, view_teardown);
  g_test_add ("/ui/model/sort/flags", ViewFixture, GINT_TO_POINTER (CACHET_SORT_FLAGS),
              view_setup, test_sort, view_teardown);
  g_test_add ("/ui/model/sort/header-click", ViewFixture, NULL,
              view_setup, test_sort_by_header, view_teardown);
  g_test_add_func ("/ui/model/sort/search-results", test_sort_search_results);
  g_test_add ("/ui/model/threaded", ViewFixture, NULL,
              view_setup, test_threaded, view_teardown);
  g_test_add ("/ui/model/next-unread", ViewFixture, NULL,
              view_setup, test_next_unread, view_teardown);
  /* These change the store: a sub-suite added last runs last. */
  g_test_add_func ("/ui/model/changes/flag", test_flag_change);
  g_test_add_func ("/ui/model/changes/remove-keeps-iters", test_remove_keeps_iters);
  g_test_add ("/ui/model/changes/add-keeps-selection", ViewFixture, NULL,
              view_setup, test_add_keeps_selection, view_teardown);
  g_test_add ("/ui/model/changes/delete-selects-next", ViewFixture, NULL,
              view_setup, test_delete_selects_next, view_teardown);

  status = g_test_run ();
  cachet_store_close (store);
  g_clear_object (&store);
  remove_tree (store_dir);
  g_free (store_dir);
  return status;
}
