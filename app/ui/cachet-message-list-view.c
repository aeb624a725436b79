/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-list-view"

#include "config.h"

#include "cachet-message-list-view.h"

#include <glib/gi18n.h>

#include "cachet-message-list-view-private.h"
#include "cachet-message-tree-view.h"

/* Additions are gathered for this long before the list is asked for again. */
#define REFRESH_DELAY_MS 120
/* At most this many selected rows are kept across a reload. */
#define MAX_KEPT_SELECTION 2000


enum
{
  SIGNAL_SELECTION_CHANGED,
  SIGNAL_LOADED,
  SIGNAL_SORT_CHANGED,
  SIGNAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CachetMessageListView, cachet_message_list_view, GTK_TYPE_BOX)

static void reload               (CachetMessageListView *self,
                                  gboolean               incremental);
static void selection_changed_cb (GtkTreeSelection      *selection,
                                  CachetMessageListView *self);

static void
column_clicked_cb (GtkTreeViewColumn     *column,
                   CachetMessageListView *self)
{
  CachetSortColumn sort = _cachet_message_list_view_column_sort (self, column);
  gboolean descending;

  if (sort == self->query.sort)
    descending = !self->query.descending;
  else
    /* Newest, largest and flagged first; names from A. */
    descending = sort == CACHET_SORT_DATE || sort == CACHET_SORT_SIZE
                 || sort == CACHET_SORT_FLAGS;

  cachet_message_list_view_set_sort (self, sort, descending);
  g_signal_emit (self, signals[SIGNAL_SORT_CHANGED], 0, (int) sort, descending);
}

/* Models and loading */

static void
update_empty_label (CachetMessageListView *self)
{
  const char *text = NULL;

  if (self->model != NULL && !self->loading
      && cachet_message_list_model_get_n_rows (self->model) == 0)
    text = self->query.query != NULL ? _("No messages match the search")
                                     : _("This folder is empty");
  gtk_label_set_text (self->empty_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), text != NULL);
}

static void
model_rows_changed_cb (CachetMessageListView *self)
{
  update_empty_label (self);
}

static gint
cursor_row (CachetMessageListView *self)
{
  g_autoptr(GtkTreePath) path = NULL;

  gtk_tree_view_get_cursor (self->tree_view, &path, NULL);
  if (path == NULL || gtk_tree_path_get_depth (path) != 1)
    return -1;
  return gtk_tree_path_get_indices (path)[0];
}

static void
set_cursor_row (CachetMessageListView *self,
                gint                   row)
{
  g_autoptr(GtkTreePath) path = gtk_tree_path_new_from_indices (row, -1);

  gtk_tree_view_set_cursor (self->tree_view, path, NULL, FALSE);
  gtk_tree_view_scroll_to_cell (self->tree_view, path, NULL, FALSE, 0, 0);
}

/* Shows @model (taken), keeping the selection and cursor where their rows still are. */
static void
set_model (CachetMessageListView  *self,
           CachetMessageListModel *model)
{
  g_autoptr(GArray) selected = NULL;
  gint64 cursor_id = 0;
  gint row;

  if (self->model != NULL)
    {
      selected = cachet_message_list_view_dup_selected_ids (self);
      row = cursor_row (self);
      if (row >= 0)
        cursor_id = cachet_message_list_model_get_id (self->model, (guint) row);
      g_signal_handlers_disconnect_by_data (self->model, self);
    }

  g_signal_handlers_block_by_func (self->selection, selection_changed_cb, self);
  g_clear_object (&self->model);
  self->model = model;
  gtk_tree_view_set_model (self->tree_view, GTK_TREE_MODEL (model));
  /* The tree view clears the indicators when its model changes. */
  _cachet_message_list_view_update_sort_indicators (self);

  g_signal_connect_object (model, "row-inserted", G_CALLBACK (model_rows_changed_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (model, "row-deleted", G_CALLBACK (model_rows_changed_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  if (cursor_id != 0 && (row = cachet_message_list_model_find_id (model, cursor_id)) >= 0)
    set_cursor_row (self, row);
  else
    gtk_adjustment_set_value (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->tree_view)),
                              0);
  if (selected != NULL && selected->len > 0 && selected->len <= MAX_KEPT_SELECTION)
    {
      g_autoptr(GHashTable) set = g_hash_table_new (g_int64_hash, g_int64_equal);
      guint n = cachet_message_list_model_get_n_rows (model);

      for (guint i = 0; i < selected->len; i++)
        g_hash_table_add (set, &g_array_index (selected, gint64, i));
      for (guint i = 0; i < n && g_hash_table_size (set) > 0; i++)
        {
          gint64 id = cachet_message_list_model_get_id (model, i);

          if (g_hash_table_remove (set, &id))
            {
              g_autoptr(GtkTreePath) path = gtk_tree_path_new_from_indices ((gint) i, -1);

              gtk_tree_selection_select_path (self->selection, path);
            }
        }
    }

  g_signal_handlers_unblock_by_func (self->selection, selection_changed_cb, self);
  update_empty_label (self);
  g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0);
}

typedef struct
{
  CachetMessageListView *self;
  guint                  generation;
} LoadData;

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LoadData *data = user_data;
  g_autoptr(CachetMessageListView) self = data->self;
  guint generation = data->generation;
  g_autoptr(CachetMessageListDiff) diff = NULL;
  g_autoptr(CachetMessageList) list = NULL;
  g_autoptr(GError) error = NULL;

  g_free (data);
  list = cachet_message_list_load_finish (CACHET_STORE (source), result, &diff, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->load_cancellable);
  self->loading = FALSE;

  if (list == NULL)
    {
      g_autofree char *text = NULL;

      if (self->query.query != NULL)
        text = g_strdup_printf (_("The search failed: %s"), error->message);
      else
        text = g_strdup_printf (_("Could not list the messages of this folder: %s"),
                                error->message);
      update_empty_label (self);
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, text);
      return;
    }

  if (diff != NULL && self->model != NULL
      && cachet_message_list_model_apply_diff (self->model, generation, diff, list))
    {
      update_empty_label (self);
    }
  else
    {
      gint64 start = g_get_monotonic_time ();
      guint n = list->ids->len;

      set_model (self, cachet_message_list_model_new (self->store, g_steal_pointer (&list)));
      g_debug ("Showing a list of %u messages took %.1f ms", n,
               (g_get_monotonic_time () - start) / 1000.0);
    }
  g_signal_emit (self, signals[SIGNAL_LOADED], 0);
}

/* Asks the store for the list again.  @incremental keeps the model and applies the
 * difference when the new list only adds and removes rows. */
static void
reload (CachetMessageListView *self,
        gboolean               incremental)
{
  GArray *old_ids = NULL;
  LoadData *data;

  if (self->store == NULL || !self->have_query)
    return;

  /* A list made at start-up for this very folder is shown without loading again. */
  if (self->offered != NULL && !incremental && self->query.query == NULL
      && self->offered_folder == self->query.folder_id)
    {
      g_clear_handle_id (&self->refresh_source, g_source_remove);
      g_cancellable_cancel (self->load_cancellable);
      g_clear_object (&self->load_cancellable);
      self->loading = FALSE;
      _cachet_message_list_view_update_day_boundaries (self);
      set_model (self, cachet_message_list_model_new (self->store,
                                                      g_steal_pointer (&self->offered)));
      update_empty_label (self);
      g_signal_emit (self, signals[SIGNAL_LOADED], 0);
      return;
    }
  g_clear_pointer (&self->offered, cachet_message_list_free);

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  self->loading = TRUE;
  _cachet_message_list_view_update_day_boundaries (self);
  update_empty_label (self);

  data = g_new0 (LoadData, 1);
  data->self = g_object_ref (self);
  if (incremental && self->model != NULL)
    {
      /* The diff is computed against this generation of the model. */
      old_ids = cachet_message_list_model_dup_ids (self->model);
      data->generation = cachet_message_list_model_get_generation (self->model);
    }

  cachet_message_list_load_async (self->store, &self->query, old_ids, self->load_cancellable,
                                  load_done_cb, data);
}

static gboolean
refresh_cb (gpointer user_data)
{
  CachetMessageListView *self = user_data;

  self->refresh_source = 0;
  reload (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
store_messages_changed_cb (CachetStore           *store,
                           gint64                 folder_id,
                           int                    kind,
                           GArray                *ids,
                           CachetMessageListView *self)
{
  gboolean affects;

  if (!self->have_query)
    return;

  if (self->query.query != NULL)
    affects = kind == CACHET_CHANGE_ADDED
              && (self->query.folder_id == 0 || self->query.folder_id == folder_id);
  else
    affects = folder_id == self->query.folder_id
              && (kind == CACHET_CHANGE_ADDED
                  || (kind == CACHET_CHANGE_REMOVED && self->query.threaded));

  /* Flag changes and removals of flat rows are handled by the model in place. */
  if (affects && self->refresh_source == 0)
    self->refresh_source = g_timeout_add (REFRESH_DELAY_MS, refresh_cb, self);
}

/* Selection and menus */

static void
selection_changed_cb (GtkTreeSelection      *selection,
                      CachetMessageListView *self)
{
  g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0);
}

static void
popup_context_menu (CachetMessageListView *self,
                    const GdkEvent        *event)
{
  if (self->context_popup == NULL)
    {
      self->context_popup = gtk_menu_new_from_model (self->context_menu);
      gtk_menu_attach_to_widget (GTK_MENU (self->context_popup), GTK_WIDGET (self->tree_view),
                                 NULL);
    }

  if (event != NULL)
    {
      gtk_menu_popup_at_pointer (GTK_MENU (self->context_popup), event);
    }
  else
    {
      g_autoptr(GtkTreePath) path = NULL;
      GdkRectangle rect = { 0, 0, 1, 1 };

      gtk_tree_view_get_cursor (self->tree_view, &path, NULL);
      if (path != NULL)
        gtk_tree_view_get_cell_area (self->tree_view, path, self->subject_column, &rect);
      gtk_menu_popup_at_rect (GTK_MENU (self->context_popup),
                              gtk_tree_view_get_bin_window (self->tree_view), &rect,
                              GDK_GRAVITY_SOUTH_WEST, GDK_GRAVITY_NORTH_WEST, NULL);
    }
}

static gboolean
button_press_cb (GtkWidget             *widget,
                 GdkEventButton        *event,
                 CachetMessageListView *self)
{
  g_autoptr(GtkTreePath) path = NULL;

  if (!gdk_event_triggers_context_menu ((GdkEvent *) event)
      || event->window != gtk_tree_view_get_bin_window (self->tree_view))
    return GDK_EVENT_PROPAGATE;

  if (gtk_tree_view_get_path_at_pos (self->tree_view, (int) event->x, (int) event->y,
                                     &path, NULL, NULL, NULL)
      && !gtk_tree_selection_path_is_selected (self->selection, path))
    gtk_tree_view_set_cursor (self->tree_view, path, NULL, FALSE);

  gtk_widget_grab_focus (GTK_WIDGET (self->tree_view));
  popup_context_menu (self, (GdkEvent *) event);
  return GDK_EVENT_STOP;
}

static gboolean
popup_menu_cb (GtkWidget             *widget,
               CachetMessageListView *self)
{
  popup_context_menu (self, NULL);
  return TRUE;
}

/* GObject */

static void
cachet_message_list_view_dispose (GObject *object)
{
  CachetMessageListView *self = CACHET_MESSAGE_LIST_VIEW (object);

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->context_popup != NULL)
    gtk_menu_detach (GTK_MENU (self->context_popup));
  self->context_popup = NULL;
  g_clear_object (&self->model);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cachet_message_list_view_parent_class)->dispose (object);
}

static void
cachet_message_list_view_finalize (GObject *object)
{
  CachetMessageListView *self = CACHET_MESSAGE_LIST_VIEW (object);

  g_free (self->query.query);
  g_clear_pointer (&self->offered, cachet_message_list_free);

  G_OBJECT_CLASS (cachet_message_list_view_parent_class)->finalize (object);
}

static void
cachet_message_list_view_class_init (CachetMessageListViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_message_list_view_dispose;
  object_class->finalize = cachet_message_list_view_finalize;

  /* The selection changed (or the rows under it). */
  signals[SIGNAL_SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A new list is shown. */
  signals[SIGNAL_LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The user chose another order: (CachetSortColumn, gboolean descending). */
  signals[SIGNAL_SORT_CHANGED] =
    g_signal_new ("sort-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_BOOLEAN);
  /* Something failed; the argument says what, for the user. */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (CACHET_TYPE_MESSAGE_TREE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-message-list-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, tree_view);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, selection);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, from_column);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, subject_column);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, date_column);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, size_column);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, flags_column);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, from_renderer);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, subject_renderer);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, date_renderer);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, size_renderer);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, unread_renderer);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, flagged_renderer);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, replied_renderer);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView,
                                        attachment_renderer);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, empty_label);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageListView, context_menu);
  gtk_widget_class_bind_template_callback (widget_class, button_press_cb);
  gtk_widget_class_bind_template_callback (widget_class, popup_menu_cb);
  gtk_widget_class_bind_template_callback_full (widget_class, "query_tooltip_cb",
                                                G_CALLBACK (_cachet_message_list_view_query_tooltip_cb));
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, column_clicked_cb);
}

static void
cachet_message_list_view_init (CachetMessageListView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->query.sort = CACHET_SORT_DATE;
  self->query.descending = TRUE;

  _cachet_message_list_view_setup_columns (self);
}

/* Public API */

GtkWidget *
cachet_message_list_view_new (void)
{
  return g_object_new (CACHET_TYPE_MESSAGE_LIST_VIEW, NULL);
}

void
cachet_message_list_view_set_store (CachetMessageListView *self,
                                    CachetStore           *store)
{
  g_return_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self));
  g_return_if_fail (store == NULL || CACHET_IS_STORE (store));

  if (self->store == store)
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    g_signal_connect_object (store, "messages-changed",
                             G_CALLBACK (store_messages_changed_cb), self, 0);
}

void
cachet_message_list_view_show_folder (CachetMessageListView *self,
                                      gint64                 folder_id)
{
  g_return_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self));

  g_clear_pointer (&self->query.query, g_free);
  self->query.folder_id = folder_id;
  self->have_query = TRUE;
  /* The old list stays up until the new one is in: no blank flash. */
  reload (self, FALSE);
}

void
cachet_message_list_view_show_search (CachetMessageListView *self,
                                      const char            *query,
                                      gint64                 folder_id)
{
  g_return_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self));
  g_return_if_fail (query != NULL);

  g_free (self->query.query);
  self->query.query = g_strdup (query);
  self->query.folder_id = folder_id;
  self->have_query = TRUE;
  reload (self, FALSE);
}

gboolean
cachet_message_list_view_get_threaded (CachetMessageListView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self), FALSE);
  return self->query.threaded;
}

void
cachet_message_list_view_offer_list (CachetMessageListView *self,
                                     gint64                 folder_id,
                                     CachetMessageList     *list)
{
  g_return_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self));
  g_return_if_fail (list != NULL);

  g_clear_pointer (&self->offered, cachet_message_list_free);
  self->offered = list;
  self->offered_folder = folder_id;
}

gint64
cachet_message_list_view_get_folder_id (CachetMessageListView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self), 0);
  return self->query.folder_id;
}

gboolean
cachet_message_list_view_is_searching (CachetMessageListView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self), FALSE);
  return self->query.query != NULL;
}

gboolean
cachet_message_list_view_is_loading (CachetMessageListView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self), FALSE);
  return self->loading || self->refresh_source != 0;
}

void
cachet_message_list_view_set_sort (CachetMessageListView *self,
                                   CachetSortColumn       sort,
                                   gboolean               descending)
{
  g_return_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self));

  if (self->query.sort == sort && self->query.descending == descending)
    return;
  self->query.sort = sort;
  self->query.descending = descending;
  _cachet_message_list_view_update_sort_indicators (self);
  reload (self, FALSE);
}

CachetSortColumn
cachet_message_list_view_get_sort (CachetMessageListView *self,
                                   gboolean              *descending)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self), CACHET_SORT_DATE);
  if (descending != NULL)
    *descending = self->query.descending;
  return self->query.sort;
}

void
cachet_message_list_view_set_threaded (CachetMessageListView *self,
                                       gboolean               threaded)
{
  g_return_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self));

  threaded = !!threaded;
  if (self->query.threaded == threaded)
    return;
  self->query.threaded = threaded;
  if (self->query.query == NULL)
    reload (self, FALSE);
}

GArray *
cachet_message_list_view_dup_selected_ids (CachetMessageListView *self)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GList *rows;

  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self), ids);

  if (self->model == NULL)
    return ids;
  rows = gtk_tree_selection_get_selected_rows (self->selection, NULL);
  for (GList *l = rows; l != NULL; l = l->next)
    {
      gint row = gtk_tree_path_get_indices (l->data)[0];
      gint64 id = cachet_message_list_model_get_id (self->model, (guint) row);

      g_array_append_val (ids, id);
    }
  g_list_free_full (rows, (GDestroyNotify) gtk_tree_path_free);
  return ids;
}

gint64
cachet_message_list_view_get_selected_id (CachetMessageListView *self)
{
  gint row;

  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self), 0);

  /* Counting walks every row (about a millisecond at 100,000); the cursor row is the
   * selected one nearly always, so no second walk to find it. */
  if (self->model == NULL || gtk_tree_selection_count_selected_rows (self->selection) != 1)
    return 0;
  row = cursor_row (self);
  if (row >= 0)
    {
      g_autoptr(GtkTreePath) path = gtk_tree_path_new_from_indices (row, -1);

      if (gtk_tree_selection_path_is_selected (self->selection, path))
        return cachet_message_list_model_get_id (self->model, (guint) row);
    }
  {
    g_autoptr(GArray) ids = cachet_message_list_view_dup_selected_ids (self);

    return ids->len == 1 ? g_array_index (ids, gint64, 0) : 0;
  }
}

gboolean
cachet_message_list_view_get_flags (CachetMessageListView *self,
                                    gint64                 id,
                                    CachetFlags           *flags)
{
  const CachetMessageSummary *summary;
  gint row;

  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self), FALSE);

  if (self->model == NULL || (row = cachet_message_list_model_find_id (self->model, id)) < 0)
    return FALSE;
  summary = cachet_message_list_model_get_summary (self->model, (guint) row);
  if (summary->id == 0)
    return FALSE;
  if (flags != NULL)
    *flags = summary->flags;
  return TRUE;
}

gboolean
cachet_message_list_view_select_id (CachetMessageListView *self,
                                    gint64                 id)
{
  gint row;

  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self), FALSE);

  if (self->model == NULL || (row = cachet_message_list_model_find_id (self->model, id)) < 0)
    return FALSE;
  set_cursor_row (self, row);
  return TRUE;
}

gboolean
cachet_message_list_view_move_cursor (CachetMessageListView *self,
                                      gint                   direction,
                                      gboolean               unread_only)
{
  gint n, row, target;

  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self), FALSE);
  g_return_val_if_fail (direction == 1 || direction == -1, FALSE);

  if (self->model == NULL || (n = (gint) cachet_message_list_model_get_n_rows (self->model)) == 0)
    return FALSE;

  row = cursor_row (self);
  if (row < 0)
    row = direction > 0 ? -1 : n;
  if (unread_only)
    target = cachet_message_list_model_find_unread (self->model, row, direction);
  else
    target = row + direction;
  if (target < 0 || target >= n)
    return FALSE;

  set_cursor_row (self, target);
  return TRUE;
}

CachetMessageListModel *
cachet_message_list_view_get_model (CachetMessageListView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self), NULL);
  return self->model;
}

GtkTreeView *
cachet_message_list_view_get_tree_view (CachetMessageListView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_VIEW (self), NULL);
  return self->tree_view;
}
