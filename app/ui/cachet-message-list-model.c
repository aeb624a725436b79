/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-list-model"

#include "config.h"

#include "cachet-message-list-model.h"

#include <string.h>

/* A flat GtkTreeModel over an id list from the index.  Only the ids (8 bytes a row, plus
 * 2 for the depth in threaded order) are held for every row; the columns are fetched from
 * the store a page at a time when a row is first asked for, and at most MAX_PAGES pages
 * are kept, the least recently used going first.
 *
 * Iters carry the row number and the message id.  When rows come or go before a row, its
 * number changes but its id does not, so an old iter is found again by id: iters persist
 * for as long as their row exists. */

#define PAGE_SIZE CACHET_MESSAGE_LIST_MODEL_PAGE_SIZE
#define MAX_PAGES CACHET_MESSAGE_LIST_MODEL_MAX_PAGES
/* Past this many changes a new model is cheaper than row-by-row signals. */
#define MAX_DIFF_CHANGES 2000

typedef struct
{
  guint                index;
  guint                n_rows;
  guint64              tick;
  CachetMessageSummary rows[PAGE_SIZE];
} Page;

struct _CachetMessageListModel
{
  GObject            parent_instance;

  CachetStore       *store;
  CachetMessageList *list;
  int                stamp;
  guint              generation;

  GHashTable        *pages;      /* page index -> Page */
  Page              *last_page;
  guint64            tick;
  guint              n_fetches;
};

static void cachet_message_list_model_tree_model_init (GtkTreeModelIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CachetMessageListModel, cachet_message_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_TREE_MODEL,
                                                      cachet_message_list_model_tree_model_init))

static void
page_free (gpointer data)
{
  Page *page = data;

  for (guint i = 0; i < page->n_rows; i++)
    cachet_message_summary_clear (&page->rows[i]);
  g_free (page);
}

static inline guint
n_rows (CachetMessageListModel *self)
{
  return self->list->ids->len;
}

static inline gint64
row_id (CachetMessageListModel *self,
        guint                   row)
{
  return g_array_index (self->list->ids, gint64, row);
}

static void
clear_cache (CachetMessageListModel *self)
{
  self->last_page = NULL;
  g_hash_table_remove_all (self->pages);
}

static void
evict_oldest (CachetMessageListModel *self)
{
  GHashTableIter iter;
  gpointer key, value;
  Page *oldest = NULL;

  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Page *page = value;

      if (oldest == NULL || page->tick < oldest->tick)
        oldest = page;
    }
  if (oldest == NULL)
    return;
  if (self->last_page == oldest)
    self->last_page = NULL;
  g_hash_table_remove (self->pages, GUINT_TO_POINTER (oldest->index));
}

static Page *
ensure_page (CachetMessageListModel *self,
             guint                   index)
{
  Page *page = self->last_page;

  if (page == NULL || page->index != index)
    page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));

  if (page == NULL)
    {
      g_autoptr(GError) error = NULL;
      guint start = index * PAGE_SIZE;

      if (g_hash_table_size (self->pages) >= MAX_PAGES)
        evict_oldest (self);

      page = g_new0 (Page, 1);
      page->index = index;
      page->n_rows = MIN (PAGE_SIZE, n_rows (self) - start);
      if (!cachet_store_get_summaries (self->store,
                                       &g_array_index (self->list->ids, gint64, start),
                                       page->n_rows, page->rows, &error))
        g_debug ("Could not read rows %u-%u of the list: %s",
                 start, start + page->n_rows, error->message);
      self->n_fetches++;
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (index), page);
    }

  page->tick = ++self->tick;
  self->last_page = page;
  return page;
}

static void
iter_set (CachetMessageListModel *self,
          GtkTreeIter            *iter,
          guint                   row)
{
  guint64 id = (guint64) row_id (self, row);

  iter->stamp = self->stamp;
  iter->user_data = GUINT_TO_POINTER (row);
  iter->user_data2 = GSIZE_TO_POINTER ((gsize) (id & 0xffffffffu));
  iter->user_data3 = GSIZE_TO_POINTER ((gsize) (id >> 32));
}

static gint
find_id_near (CachetMessageListModel *self,
              gint64                  id,
              guint                   hint)
{
  guint n = n_rows (self);

  /* Rows usually move by a few places only. */
  for (guint d = 1; d <= 64; d++)
    {
      if (hint >= d && hint - d < n && row_id (self, hint - d) == id)
        return (gint) (hint - d);
      if (hint + d < n && row_id (self, hint + d) == id)
        return (gint) (hint + d);
    }
  return cachet_message_list_model_find_id (self, id);
}

static gboolean
iter_resolve (CachetMessageListModel *self,
              GtkTreeIter            *iter,
              guint                  *row_out)
{
  guint row;
  gint64 id;
  gint found;

  if (iter == NULL || iter->stamp != self->stamp)
    return FALSE;

  row = GPOINTER_TO_UINT (iter->user_data);
  id = (gint64) (((guint64) GPOINTER_TO_SIZE (iter->user_data3) << 32)
                 | (guint64) GPOINTER_TO_SIZE (iter->user_data2));
  if (row < n_rows (self) && row_id (self, row) == id)
    {
      *row_out = row;
      return TRUE;
    }

  found = find_id_near (self, id, row);
  if (found < 0)
    return FALSE;
  iter->user_data = GUINT_TO_POINTER ((guint) found);
  *row_out = (guint) found;
  return TRUE;
}

static void
emit_row_changed (CachetMessageListModel *self,
                  guint                   row)
{
  g_autoptr(GtkTreePath) path = gtk_tree_path_new_from_indices ((gint) row, -1);
  GtkTreeIter iter;

  iter_set (self, &iter, row);
  gtk_tree_model_row_changed (GTK_TREE_MODEL (self), path, &iter);
}

static GHashTable *
id_set_new (const gint64 *ids,
            guint         n_ids)
{
  GHashTable *set = g_hash_table_new (g_int64_hash, g_int64_equal);

  /* The keys point into @ids, which must outlive the set. */
  for (guint i = 0; i < n_ids; i++)
    g_hash_table_add (set, (gpointer) &ids[i]);
  return set;
}

static void
on_messages_changed (CachetStore            *store,
                     gint64                  folder_id,
                     int                     kind,
                     GArray                 *ids,
                     CachetMessageListModel *self)
{
  if (ids == NULL || ids->len == 0)
    return;

  switch (kind)
    {
    case CACHET_CHANGE_FLAGS:
      cachet_message_list_model_refresh_ids (self, (const gint64 *) (gpointer) ids->data,
                                             ids->len);
      break;
    case CACHET_CHANGE_REMOVED:
      cachet_message_list_model_remove_ids (self, (const gint64 *) (gpointer) ids->data,
                                            ids->len);
      break;
    default:
      /* Additions need the store's order: the list view asks for a new list. */
      break;
    }
}

/* GtkTreeModel */

static GtkTreeModelFlags
model_get_flags (GtkTreeModel *model)
{
  return GTK_TREE_MODEL_LIST_ONLY | GTK_TREE_MODEL_ITERS_PERSIST;
}

static gint
model_get_n_columns (GtkTreeModel *model)
{
  return CACHET_MESSAGE_LIST_N_COLUMNS;
}

static GType
model_get_column_type (GtkTreeModel *model,
                       gint          column)
{
  switch ((CachetMessageListColumn) column)
    {
    case CACHET_MESSAGE_LIST_COLUMN_ID:
    case CACHET_MESSAGE_LIST_COLUMN_FOLDER_ID:
    case CACHET_MESSAGE_LIST_COLUMN_DATE:
      return G_TYPE_INT64;
    case CACHET_MESSAGE_LIST_COLUMN_FROM:
    case CACHET_MESSAGE_LIST_COLUMN_TO:
    case CACHET_MESSAGE_LIST_COLUMN_SUBJECT:
      return G_TYPE_STRING;
    case CACHET_MESSAGE_LIST_COLUMN_SIZE:
      return G_TYPE_UINT64;
    case CACHET_MESSAGE_LIST_COLUMN_FLAGS:
    case CACHET_MESSAGE_LIST_COLUMN_DEPTH:
      return G_TYPE_UINT;
    case CACHET_MESSAGE_LIST_COLUMN_HAS_ATTACHMENT:
      return G_TYPE_BOOLEAN;
    case CACHET_MESSAGE_LIST_N_COLUMNS:
    default:
      return G_TYPE_INVALID;
    }
}

static gboolean
model_get_iter (GtkTreeModel *model,
                GtkTreeIter  *iter,
                GtkTreePath  *path)
{
  CachetMessageListModel *self = CACHET_MESSAGE_LIST_MODEL (model);
  gint depth;
  gint *indices = gtk_tree_path_get_indices_with_depth (path, &depth);

  if (depth != 1 || indices[0] < 0 || (guint) indices[0] >= n_rows (self))
    return FALSE;
  iter_set (self, iter, (guint) indices[0]);
  return TRUE;
}

static GtkTreePath *
model_get_path (GtkTreeModel *model,
                GtkTreeIter  *iter)
{
  CachetMessageListModel *self = CACHET_MESSAGE_LIST_MODEL (model);
  guint row;

  if (!iter_resolve (self, iter, &row))
    return NULL;
  return gtk_tree_path_new_from_indices ((gint) row, -1);
}

static void
model_get_value (GtkTreeModel *model,
                 GtkTreeIter  *iter,
                 gint          column,
                 GValue       *value)
{
  CachetMessageListModel *self = CACHET_MESSAGE_LIST_MODEL (model);
  const CachetMessageSummary *summary = NULL;
  guint row;

  g_value_init (value, model_get_column_type (model, column));
  if (!iter_resolve (self, iter, &row))
    return;
  if (column != CACHET_MESSAGE_LIST_COLUMN_ID && column != CACHET_MESSAGE_LIST_COLUMN_DEPTH)
    summary = cachet_message_list_model_get_summary (self, row);

  switch ((CachetMessageListColumn) column)
    {
    case CACHET_MESSAGE_LIST_COLUMN_ID:
      g_value_set_int64 (value, row_id (self, row));
      break;
    case CACHET_MESSAGE_LIST_COLUMN_FOLDER_ID:
      g_value_set_int64 (value, summary->folder_id);
      break;
    case CACHET_MESSAGE_LIST_COLUMN_FROM:
      g_value_set_string (value, summary->from);
      break;
    case CACHET_MESSAGE_LIST_COLUMN_TO:
      g_value_set_string (value, summary->to);
      break;
    case CACHET_MESSAGE_LIST_COLUMN_SUBJECT:
      g_value_set_string (value, summary->subject);
      break;
    case CACHET_MESSAGE_LIST_COLUMN_DATE:
      g_value_set_int64 (value, summary->date);
      break;
    case CACHET_MESSAGE_LIST_COLUMN_SIZE:
      g_value_set_uint64 (value, summary->size);
      break;
    case CACHET_MESSAGE_LIST_COLUMN_FLAGS:
      g_value_set_uint (value, summary->flags);
      break;
    case CACHET_MESSAGE_LIST_COLUMN_HAS_ATTACHMENT:
      g_value_set_boolean (value, summary->has_attachment);
      break;
    case CACHET_MESSAGE_LIST_COLUMN_DEPTH:
      g_value_set_uint (value, cachet_message_list_model_get_depth (self, row));
      break;
    case CACHET_MESSAGE_LIST_N_COLUMNS:
    default:
      g_return_if_reached ();
    }
}

static gboolean
model_iter_next (GtkTreeModel *model,
                 GtkTreeIter  *iter)
{
  CachetMessageListModel *self = CACHET_MESSAGE_LIST_MODEL (model);
  guint row;

  if (!iter_resolve (self, iter, &row) || row + 1 >= n_rows (self))
    {
      iter->stamp = 0;
      return FALSE;
    }
  iter_set (self, iter, row + 1);
  return TRUE;
}

static gboolean
model_iter_previous (GtkTreeModel *model,
                     GtkTreeIter  *iter)
{
  CachetMessageListModel *self = CACHET_MESSAGE_LIST_MODEL (model);
  guint row;

  if (!iter_resolve (self, iter, &row) || row == 0)
    {
      iter->stamp = 0;
      return FALSE;
    }
  iter_set (self, iter, row - 1);
  return TRUE;
}

static gboolean
model_iter_nth_child (GtkTreeModel *model,
                      GtkTreeIter  *iter,
                      GtkTreeIter  *parent,
                      gint          n)
{
  CachetMessageListModel *self = CACHET_MESSAGE_LIST_MODEL (model);

  if (parent != NULL || n < 0 || (guint) n >= n_rows (self))
    {
      iter->stamp = 0;
      return FALSE;
    }
  iter_set (self, iter, (guint) n);
  return TRUE;
}

static gboolean
model_iter_children (GtkTreeModel *model,
                     GtkTreeIter  *iter,
                     GtkTreeIter  *parent)
{
  return model_iter_nth_child (model, iter, parent, 0);
}

static gboolean
model_iter_has_child (GtkTreeModel *model,
                      GtkTreeIter  *iter)
{
  return FALSE;
}

static gint
model_iter_n_children (GtkTreeModel *model,
                       GtkTreeIter  *iter)
{
  CachetMessageListModel *self = CACHET_MESSAGE_LIST_MODEL (model);

  return iter == NULL ? (gint) n_rows (self) : 0;
}

static gboolean
model_iter_parent (GtkTreeModel *model,
                   GtkTreeIter  *iter,
                   GtkTreeIter  *child)
{
  iter->stamp = 0;
  return FALSE;
}

static void
cachet_message_list_model_tree_model_init (GtkTreeModelIface *iface)
{
  iface->get_flags = model_get_flags;
  iface->get_n_columns = model_get_n_columns;
  iface->get_column_type = model_get_column_type;
  iface->get_iter = model_get_iter;
  iface->get_path = model_get_path;
  iface->get_value = model_get_value;
  iface->iter_next = model_iter_next;
  iface->iter_previous = model_iter_previous;
  iface->iter_children = model_iter_children;
  iface->iter_has_child = model_iter_has_child;
  iface->iter_n_children = model_iter_n_children;
  iface->iter_nth_child = model_iter_nth_child;
  iface->iter_parent = model_iter_parent;
}

/* GObject */

static void
cachet_message_list_model_finalize (GObject *object)
{
  CachetMessageListModel *self = CACHET_MESSAGE_LIST_MODEL (object);

  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_pointer (&self->list, cachet_message_list_free);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cachet_message_list_model_parent_class)->finalize (object);
}

static void
cachet_message_list_model_class_init (CachetMessageListModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cachet_message_list_model_finalize;
}

static void
cachet_message_list_model_init (CachetMessageListModel *self)
{
  self->stamp = (int) g_random_int_range (1, G_MAXINT32);
  self->pages = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, page_free);
}

/* Public API */

/* Takes @list (may be NULL for an empty list). */
CachetMessageListModel *
cachet_message_list_model_new (CachetStore       *store,
                               CachetMessageList *list)
{
  CachetMessageListModel *self;

  g_return_val_if_fail (CACHET_IS_STORE (store), NULL);

  self = g_object_new (CACHET_TYPE_MESSAGE_LIST_MODEL, NULL);
  self->store = g_object_ref (store);
  if (list == NULL)
    {
      list = g_new0 (CachetMessageList, 1);
      list->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
    }
  if (list->depths != NULL && list->depths->len != list->ids->len)
    g_clear_pointer (&list->depths, g_array_unref);
  self->list = list;

  g_signal_connect_object (store, "messages-changed",
                           G_CALLBACK (on_messages_changed), self, 0);
  return self;
}

CachetStore *
cachet_message_list_model_get_store (CachetMessageListModel *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self), NULL);
  return self->store;
}

guint
cachet_message_list_model_get_n_rows (CachetMessageListModel *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self), 0);
  return n_rows (self);
}

gboolean
cachet_message_list_model_is_threaded (CachetMessageListModel *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self), FALSE);
  return self->list->depths != NULL;
}

gint64
cachet_message_list_model_get_id (CachetMessageListModel *self,
                                  guint                   row)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self), 0);
  g_return_val_if_fail (row < n_rows (self), 0);
  return row_id (self, row);
}

guint
cachet_message_list_model_get_depth (CachetMessageListModel *self,
                                     guint                   row)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self), 0);
  if (self->list->depths == NULL || row >= self->list->depths->len)
    return 0;
  return g_array_index (self->list->depths, guint16, row);
}

const CachetMessageSummary *
cachet_message_list_model_get_summary (CachetMessageListModel *self,
                                       guint                   row)
{
  Page *page;

  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self), NULL);
  g_return_val_if_fail (row < n_rows (self), NULL);

  page = ensure_page (self, row / PAGE_SIZE);
  return &page->rows[row % PAGE_SIZE];
}

gboolean
cachet_message_list_model_get_row (CachetMessageListModel *self,
                                   GtkTreeIter            *iter,
                                   guint                  *row)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self), FALSE);
  return iter_resolve (self, iter, row);
}

void
cachet_message_list_model_get_iter_at_row (CachetMessageListModel *self,
                                           guint                   row,
                                           GtkTreeIter            *iter)
{
  g_return_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self));
  g_return_if_fail (row < n_rows (self));
  iter_set (self, iter, row);
}

gint
cachet_message_list_model_find_id (CachetMessageListModel *self,
                                   gint64                  id)
{
  const gint64 *ids;
  guint n;

  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self), -1);

  ids = (const gint64 *) (gpointer) self->list->ids->data;
  n = n_rows (self);
  for (guint i = 0; i < n; i++)
    if (ids[i] == id)
      return (gint) i;
  return -1;
}

gint
cachet_message_list_model_find_unread (CachetMessageListModel *self,
                                       gint                    start,
                                       gint                    direction)
{
  gint n;

  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self), -1);
  g_return_val_if_fail (direction == 1 || direction == -1, -1);

  n = (gint) n_rows (self);
  for (gint row = start + direction; row >= 0 && row < n; row += direction)
    {
      const CachetMessageSummary *summary =
        cachet_message_list_model_get_summary (self, (guint) row);

      if (summary->id != 0 && (summary->flags & CACHET_FLAG_SEEN) == 0)
        return row;
    }
  return -1;
}

GArray *
cachet_message_list_model_dup_ids (CachetMessageListModel *self)
{
  GArray *copy;

  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self), NULL);

  copy = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_rows (self));
  g_array_append_vals (copy, self->list->ids->data, n_rows (self));
  return copy;
}

guint
cachet_message_list_model_get_generation (CachetMessageListModel *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self), 0);
  return self->generation;
}

static void
remove_row (CachetMessageListModel *self,
            guint                   row)
{
  g_autoptr(GtkTreePath) path = gtk_tree_path_new_from_indices ((gint) row, -1);

  g_array_remove_index (self->list->ids, row);
  if (self->list->depths != NULL)
    g_array_remove_index (self->list->depths, row);
  gtk_tree_model_row_deleted (GTK_TREE_MODEL (self), path);
}

/* Applies @diff, computed from the ids of generation @generation to @new_list, with one
 * signal per row.  FALSE when the model has changed since, or the change is too large or
 * of another shape (threading on/off): the caller then makes a new model. */
gboolean
cachet_message_list_model_apply_diff (CachetMessageListModel *self,
                                      guint                   generation,
                                      CachetMessageListDiff  *diff,
                                      CachetMessageList      *new_list)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self), FALSE);
  g_return_val_if_fail (diff != NULL && new_list != NULL, FALSE);

  if (generation != self->generation
      || (self->list->depths != NULL) != (new_list->depths != NULL)
      || diff->removed->len + diff->inserted->len > MAX_DIFF_CHANGES
      || n_rows (self) - diff->removed->len + diff->inserted->len != new_list->ids->len)
    return FALSE;

  self->generation++;
  if (diff->removed->len == 0 && diff->inserted->len == 0 && new_list->depths == NULL)
    return TRUE;

  clear_cache (self);
  for (guint i = diff->removed->len; i > 0; i--)
    remove_row (self, g_array_index (diff->removed, guint, i - 1));

  for (guint i = 0; i < diff->inserted->len; i++)
    {
      guint row = g_array_index (diff->inserted, guint, i);
      g_autoptr(GtkTreePath) path = gtk_tree_path_new_from_indices ((gint) row, -1);
      GtkTreeIter iter;

      g_array_insert_val (self->list->ids, row, g_array_index (new_list->ids, gint64, row));
      if (self->list->depths != NULL)
        g_array_insert_val (self->list->depths, row,
                            g_array_index (new_list->depths, guint16, row));
      iter_set (self, &iter, row);
      gtk_tree_model_row_inserted (GTK_TREE_MODEL (self), path, &iter);
    }

  /* In threaded order a row can move in or out of a thread without moving. */
  if (self->list->depths != NULL)
    for (guint row = 0; row < n_rows (self); row++)
      {
        guint16 *old_depth = &g_array_index (self->list->depths, guint16, row);
        guint16 new_depth = g_array_index (new_list->depths, guint16, row);

        if (*old_depth != new_depth)
          {
            *old_depth = new_depth;
            emit_row_changed (self, row);
          }
      }
  return TRUE;
}

void
cachet_message_list_model_remove_ids (CachetMessageListModel *self,
                                      const gint64           *ids,
                                      guint                   n_ids)
{
  g_autoptr(GHashTable) set = NULL;
  g_autoptr(GArray) rows = NULL;

  g_return_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self));

  if (n_ids == 0 || n_rows (self) == 0)
    return;

  set = id_set_new (ids, n_ids);
  rows = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint row = 0; row < n_rows (self); row++)
    if (g_hash_table_contains (set, &g_array_index (self->list->ids, gint64, row)))
      g_array_append_val (rows, row);
  if (rows->len == 0)
    return;

  self->generation++;
  clear_cache (self);
  for (guint i = rows->len; i > 0; i--)
    remove_row (self, g_array_index (rows, guint, i - 1));
}

/* Reads the rows of @ids again (their flags changed) and tells the views. */
void
cachet_message_list_model_refresh_ids (CachetMessageListModel *self,
                                       const gint64           *ids,
                                       guint                   n_ids)
{
  g_autoptr(GHashTable) set = NULL;

  g_return_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self));

  if (n_ids == 0)
    return;

  set = id_set_new (ids, n_ids);
  for (guint row = 0; row < n_rows (self); row++)
    {
      gint64 *id = &g_array_index (self->list->ids, gint64, row);
      Page *page;

      if (!g_hash_table_contains (set, id))
        continue;

      page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (row / PAGE_SIZE));
      if (page != NULL)
        {
          CachetMessageSummary *summary = &page->rows[row % PAGE_SIZE];
          g_autoptr(GError) error = NULL;

          cachet_message_summary_clear (summary);
          memset (summary, 0, sizeof *summary);
          if (!cachet_store_get_summaries (self->store, id, 1, summary, &error))
            g_debug ("Could not read message %" G_GINT64_FORMAT ": %s", *id, error->message);
        }
      emit_row_changed (self, row);
    }
}

guint
cachet_message_list_model_get_n_cached_pages (CachetMessageListModel *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self), 0);
  return g_hash_table_size (self->pages);
}

guint
cachet_message_list_model_get_n_fetches (CachetMessageListModel *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_LIST_MODEL (self), 0);
  return self->n_fetches;
}
