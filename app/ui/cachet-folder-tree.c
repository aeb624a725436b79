/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-folder-tree"

#include "config.h"

#include "cachet-folder-tree.h"

#include <glib/gi18n.h>

struct _CachetFolderTree
{
  GtkScrolledWindow  parent_instance;

  /* template */
  GtkTreeView       *tree_view;
  GtkTreeSelection  *selection;
  GtkTreeStore      *folder_store;
  GtkTreeViewColumn *column;
  GtkCellRenderer   *name_renderer;
  GtkCellRenderer   *count_renderer;
  GMenuModel        *context_menu;

  GtkWidget         *context_popup;
  CachetStore       *store;
  char              *shape;       /* what the folders look like, to see when to rebuild */
  gint64             selected_id;
};

enum
{
  SIGNAL_FOLDER_SELECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CachetFolderTree, cachet_folder_tree, GTK_TYPE_SCROLLED_WINDOW)

static void selection_changed_cb (GtkTreeSelection *selection,
                                  CachetFolderTree *self);

/* Filling the store (also used by the folder dialogs) */

const char *
cachet_folder_get_display_name (const CachetFolderInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  switch (info->role)
    {
    case CACHET_FOLDER_ROLE_INBOX:
      return C_("folder", "Inbox");
    case CACHET_FOLDER_ROLE_DRAFTS:
      return C_("folder", "Drafts");
    case CACHET_FOLDER_ROLE_OUTBOX:
      return C_("folder", "Outbox");
    case CACHET_FOLDER_ROLE_SENT:
      return C_("folder", "Sent");
    case CACHET_FOLDER_ROLE_TRASH:
      return C_("folder", "Trash");
    case CACHET_FOLDER_ROLE_JUNK:
      return C_("folder", "Junk");
    case CACHET_FOLDER_ROLE_NONE:
    default:
      return info->name != NULL ? info->name : "";
    }
}

static GIcon *
folder_icon (CachetFolderRole role)
{
  static const char * const inbox[] = { "mail-inbox-symbolic", "mail-unread-symbolic", NULL };
  static const char * const drafts[] = { "mail-drafts-symbolic", "document-edit-symbolic", NULL };
  static const char * const outbox[] = { "mail-outbox-symbolic", "mail-send-receive-symbolic",
                                         NULL };
  static const char * const sent[] = { "mail-sent-symbolic", "mail-send-symbolic", NULL };
  static const char * const trash[] = { "user-trash-symbolic", NULL };
  static const char * const junk[] = { "mail-mark-junk-symbolic", NULL };
  static const char * const folder[] = { "folder-symbolic", NULL };
  const char * const *names;

  switch (role)
    {
    case CACHET_FOLDER_ROLE_INBOX:  names = inbox; break;
    case CACHET_FOLDER_ROLE_DRAFTS: names = drafts; break;
    case CACHET_FOLDER_ROLE_OUTBOX: names = outbox; break;
    case CACHET_FOLDER_ROLE_SENT:   names = sent; break;
    case CACHET_FOLDER_ROLE_TRASH:  names = trash; break;
    case CACHET_FOLDER_ROLE_JUNK:   names = junk; break;
    case CACHET_FOLDER_ROLE_NONE:
    default:                        names = folder; break;
    }
  return g_themed_icon_new_from_names ((char **) names, -1);
}

static int
compare_folders (gconstpointer a,
                 gconstpointer b)
{
  const CachetFolderInfo *fa = *(const CachetFolderInfo * const *) a;
  const CachetFolderInfo *fb = *(const CachetFolderInfo * const *) b;

  /* Standard folders first, in role order. */
  if ((fa->role != CACHET_FOLDER_ROLE_NONE) != (fb->role != CACHET_FOLDER_ROLE_NONE))
    return fa->role != CACHET_FOLDER_ROLE_NONE ? -1 : 1;
  if (fa->role != fb->role)
    return (int) fa->role - (int) fb->role;
  return g_utf8_collate (cachet_folder_get_display_name (fa),
                         cachet_folder_get_display_name (fb));
}

static void
append_folder (GtkTreeStore           *store,
               GtkTreeIter            *parent,
               const CachetFolderInfo *info,
               GPtrArray              *sorted)
{
  g_autoptr(GIcon) icon = folder_icon (info->role);
  GtkTreeIter iter;

  gtk_tree_store_insert_with_values (store, &iter, parent, -1,
                                     CACHET_FOLDER_COLUMN_ID, info->id,
                                     CACHET_FOLDER_COLUMN_NAME,
                                     cachet_folder_get_display_name (info),
                                     CACHET_FOLDER_COLUMN_PATH, info->path,
                                     CACHET_FOLDER_COLUMN_ROLE, (int) info->role,
                                     CACHET_FOLDER_COLUMN_ICON, icon,
                                     CACHET_FOLDER_COLUMN_UNREAD, info->unread,
                                     CACHET_FOLDER_COLUMN_TOTAL, info->total,
                                     -1);

  for (guint i = 0; i < sorted->len; i++)
    {
      const CachetFolderInfo *child = g_ptr_array_index (sorted, i);

      if (child->parent_id == info->id && child->id != info->id)
        append_folder (store, &iter, child, sorted);
    }
}

void
cachet_folder_tree_fill_store (GtkTreeStore *store,
                               GPtrArray    *folders)
{
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(GHashTable) ids = NULL;

  g_return_if_fail (GTK_IS_TREE_STORE (store));

  gtk_tree_store_clear (store);
  if (folders == NULL)
    return;

  sorted = g_ptr_array_new ();
  ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < folders->len; i++)
    {
      CachetFolderInfo *info = g_ptr_array_index (folders, i);

      g_ptr_array_add (sorted, info);
      g_hash_table_add (ids, &info->id);
    }
  g_ptr_array_sort (sorted, compare_folders);

  /* Top level: folders without a parent, or whose parent is not in the list. */
  for (guint i = 0; i < sorted->len; i++)
    {
      const CachetFolderInfo *info = g_ptr_array_index (sorted, i);

      if (info->parent_id == 0 || !g_hash_table_contains (ids, &info->parent_id))
        append_folder (store, NULL, info, sorted);
    }
}

typedef struct
{
  gint64      id;
  GtkTreeIter iter;
  gboolean    found;
} FindData;

static gboolean
find_func (GtkTreeModel *model,
           GtkTreePath  *path,
           GtkTreeIter  *iter,
           gpointer      user_data)
{
  FindData *data = user_data;
  gint64 id;

  gtk_tree_model_get (model, iter, CACHET_FOLDER_COLUMN_ID, &id, -1);
  if (id != data->id)
    return FALSE;
  data->iter = *iter;
  data->found = TRUE;
  return TRUE;
}

gboolean
cachet_folder_tree_find (GtkTreeModel *model,
                         gint64        folder_id,
                         GtkTreeIter  *iter)
{
  FindData data = { folder_id, { 0 }, FALSE };

  g_return_val_if_fail (GTK_IS_TREE_MODEL (model), FALSE);

  gtk_tree_model_foreach (model, find_func, &data);
  if (data.found && iter != NULL)
    *iter = data.iter;
  return data.found;
}

/* The widget */

static void
count_data_func (GtkTreeViewColumn *column,
                 GtkCellRenderer   *renderer,
                 GtkTreeModel      *model,
                 GtkTreeIter       *iter,
                 gpointer           user_data)
{
  CachetFolderTree *self = user_data;
  guint unread;
  char text[16] = "";

  gtk_tree_model_get (model, iter, CACHET_FOLDER_COLUMN_UNREAD, &unread, -1);
  if (unread > 0)
    g_snprintf (text, sizeof text, "%u", unread);

  if (renderer == self->count_renderer)
    g_object_set (renderer, "text", text, "weight", PANGO_WEIGHT_BOLD, NULL);
  else
    g_object_set (renderer, "weight", unread > 0 ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL,
                  NULL);
}

static char *
folders_shape (GPtrArray *folders)
{
  GString *shape = g_string_new (NULL);

  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      const CachetFolderInfo *info = g_ptr_array_index (folders, i);

      g_string_append_printf (shape, "%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT ":%d:%s\n",
                              info->id, info->parent_id, (int) info->role, info->path);
    }
  return g_string_free (shape, FALSE);
}

static gboolean
update_counts_func (GtkTreeModel *model,
                    GtkTreePath  *path,
                    GtkTreeIter  *iter,
                    gpointer      user_data)
{
  CachetFolderTree *self = user_data;
  g_autoptr(CachetFolderInfo) info = NULL;
  guint unread, total;
  gint64 id;

  gtk_tree_model_get (model, iter,
                      CACHET_FOLDER_COLUMN_ID, &id,
                      CACHET_FOLDER_COLUMN_UNREAD, &unread,
                      CACHET_FOLDER_COLUMN_TOTAL, &total,
                      -1);
  info = cachet_store_get_folder (self->store, id);
  if (info != NULL && (info->unread != unread || info->total != total))
    gtk_tree_store_set (self->folder_store, iter,
                        CACHET_FOLDER_COLUMN_UNREAD, info->unread,
                        CACHET_FOLDER_COLUMN_TOTAL, info->total,
                        -1);
  return FALSE;
}

static void
reload_folders (CachetFolderTree *self)
{
  g_autoptr(GPtrArray) folders = cachet_store_list_folders (self->store);
  g_autofree char *shape = folders_shape (folders);
  gint64 selected = self->selected_id;
  gboolean found;

  if (g_strcmp0 (shape, self->shape) == 0)
    {
      /* Only the counts changed (the usual case): no flicker, nothing to reselect. */
      gtk_tree_model_foreach (GTK_TREE_MODEL (self->folder_store), update_counts_func, self);
      return;
    }

  g_free (self->shape);
  self->shape = g_steal_pointer (&shape);

  g_signal_handlers_block_by_func (self->selection, selection_changed_cb, self);
  cachet_folder_tree_fill_store (self->folder_store, folders);
  gtk_tree_view_expand_all (self->tree_view);
  found = selected != 0 && cachet_folder_tree_select (self, selected);
  g_signal_handlers_unblock_by_func (self->selection, selection_changed_cb, self);

  if (!found)
    {
      /* The shown folder went away (deleted), or none was shown yet: the Inbox. */
      g_autoptr(CachetFolderInfo) inbox =
        cachet_store_get_folder_by_role (self->store, CACHET_FOLDER_ROLE_INBOX);

      if (selected != 0 && inbox != NULL)
        cachet_folder_tree_select (self, inbox->id);
    }
}

static void
folders_changed_cb (CachetStore      *store,
                    CachetFolderTree *self)
{
  reload_folders (self);
}

static void
selection_changed_cb (GtkTreeSelection *selection,
                      CachetFolderTree *self)
{
  GtkTreeModel *model;
  GtkTreeIter iter;
  gint64 id = 0;

  if (gtk_tree_selection_get_selected (selection, &model, &iter))
    gtk_tree_model_get (model, &iter, CACHET_FOLDER_COLUMN_ID, &id, -1);
  if (id == self->selected_id || id == 0)
    return;

  self->selected_id = id;
  g_signal_emit (self, signals[SIGNAL_FOLDER_SELECTED], 0, id);
}

static void
popup_context_menu (CachetFolderTree *self,
                    const GdkEvent   *event)
{
  if (self->context_popup == NULL)
    {
      self->context_popup = gtk_menu_new_from_model (self->context_menu);
      gtk_menu_attach_to_widget (GTK_MENU (self->context_popup), GTK_WIDGET (self->tree_view),
                                 NULL);
    }
  if (event != NULL)
    gtk_menu_popup_at_pointer (GTK_MENU (self->context_popup), event);
  else
    gtk_menu_popup_at_widget (GTK_MENU (self->context_popup), GTK_WIDGET (self->tree_view),
                              GDK_GRAVITY_CENTER, GDK_GRAVITY_NORTH_WEST, NULL);
}

static gboolean
button_press_cb (GtkWidget        *widget,
                 GdkEventButton   *event,
                 CachetFolderTree *self)
{
  g_autoptr(GtkTreePath) path = NULL;

  if (!gdk_event_triggers_context_menu ((GdkEvent *) event)
      || event->window != gtk_tree_view_get_bin_window (self->tree_view))
    return GDK_EVENT_PROPAGATE;

  if (gtk_tree_view_get_path_at_pos (self->tree_view, (int) event->x, (int) event->y,
                                     &path, NULL, NULL, NULL))
    gtk_tree_view_set_cursor (self->tree_view, path, NULL, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->tree_view));
  popup_context_menu (self, (GdkEvent *) event);
  return GDK_EVENT_STOP;
}

static gboolean
key_press_cb (GtkWidget        *widget,
              GdkEventKey      *event,
              CachetFolderTree *self)
{
  GActionGroup *actions;

  /* Delete here means the folder (the window's Delete shortcut, for messages, comes first
   * and hands over to the same action when the tree has the focus). */
  if ((event->keyval != GDK_KEY_Delete && event->keyval != GDK_KEY_KP_Delete)
      || (event->state & gtk_accelerator_get_default_mod_mask ()) != 0
      || (actions = gtk_widget_get_action_group (widget, "win")) == NULL
      || !g_action_group_get_action_enabled (actions, "delete-folder"))
    return GDK_EVENT_PROPAGATE;

  g_action_group_activate_action (actions, "delete-folder", NULL);
  return GDK_EVENT_STOP;
}

static gboolean
popup_menu_cb (GtkWidget        *widget,
               CachetFolderTree *self)
{
  popup_context_menu (self, NULL);
  return TRUE;
}

static void
cachet_folder_tree_dispose (GObject *object)
{
  CachetFolderTree *self = CACHET_FOLDER_TREE (object);

  if (self->context_popup != NULL)
    gtk_menu_detach (GTK_MENU (self->context_popup));
  self->context_popup = NULL;
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cachet_folder_tree_parent_class)->dispose (object);
}

static void
cachet_folder_tree_finalize (GObject *object)
{
  CachetFolderTree *self = CACHET_FOLDER_TREE (object);

  g_free (self->shape);

  G_OBJECT_CLASS (cachet_folder_tree_parent_class)->finalize (object);
}

static void
cachet_folder_tree_class_init (CachetFolderTreeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_folder_tree_dispose;
  object_class->finalize = cachet_folder_tree_finalize;

  /* The user (or the program) chose a folder: (gint64 folder id). */
  signals[SIGNAL_FOLDER_SELECTED] =
    g_signal_new ("folder-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-folder-tree.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetFolderTree, tree_view);
  gtk_widget_class_bind_template_child (widget_class, CachetFolderTree, selection);
  gtk_widget_class_bind_template_child (widget_class, CachetFolderTree, folder_store);
  gtk_widget_class_bind_template_child (widget_class, CachetFolderTree, column);
  gtk_widget_class_bind_template_child (widget_class, CachetFolderTree, name_renderer);
  gtk_widget_class_bind_template_child (widget_class, CachetFolderTree, count_renderer);
  gtk_widget_class_bind_template_child (widget_class, CachetFolderTree, context_menu);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, button_press_cb);
  gtk_widget_class_bind_template_callback (widget_class, popup_menu_cb);
  gtk_widget_class_bind_template_callback (widget_class, key_press_cb);
}

static void
cachet_folder_tree_init (CachetFolderTree *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_tree_view_column_set_cell_data_func (self->column, self->name_renderer,
                                           count_data_func, self, NULL);
  gtk_tree_view_column_set_cell_data_func (self->column, self->count_renderer,
                                           count_data_func, self, NULL);
}

GtkWidget *
cachet_folder_tree_new (void)
{
  return g_object_new (CACHET_TYPE_FOLDER_TREE, NULL);
}

void
cachet_folder_tree_set_store (CachetFolderTree *self,
                              CachetStore      *store)
{
  g_return_if_fail (CACHET_IS_FOLDER_TREE (self));
  g_return_if_fail (store == NULL || CACHET_IS_STORE (store));

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  g_clear_pointer (&self->shape, g_free);
  if (store == NULL)
    {
      gtk_tree_store_clear (self->folder_store);
      return;
    }
  g_signal_connect_object (store, "folders-changed", G_CALLBACK (folders_changed_cb), self, 0);
  reload_folders (self);
}

gint64
cachet_folder_tree_get_selected (CachetFolderTree *self)
{
  g_return_val_if_fail (CACHET_IS_FOLDER_TREE (self), 0);
  return self->selected_id;
}

gboolean
cachet_folder_tree_select (CachetFolderTree *self,
                           gint64            folder_id)
{
  g_autoptr(GtkTreePath) path = NULL;
  GtkTreeIter iter;

  g_return_val_if_fail (CACHET_IS_FOLDER_TREE (self), FALSE);

  if (!cachet_folder_tree_find (GTK_TREE_MODEL (self->folder_store), folder_id, &iter))
    return FALSE;

  path = gtk_tree_model_get_path (GTK_TREE_MODEL (self->folder_store), &iter);
  gtk_tree_view_expand_to_path (self->tree_view, path);
  gtk_tree_view_set_cursor (self->tree_view, path, NULL, FALSE);
  return TRUE;
}

GtkTreeView *
cachet_folder_tree_get_tree_view (CachetFolderTree *self)
{
  g_return_val_if_fail (CACHET_IS_FOLDER_TREE (self), NULL);
  return self->tree_view;
}
