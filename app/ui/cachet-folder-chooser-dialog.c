/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-folder-chooser"

#include "config.h"

#include "cachet-folder-chooser-dialog.h"

#include <glib/gi18n.h>

#include "cachet-folder-tree.h"

struct _CachetFolderChooserDialog
{
  GtkDialog         parent_instance;

  /* template */
  GtkLabel         *prompt_label;
  GtkTreeView      *tree_view;
  GtkTreeSelection *selection;
  GtkTreeStore     *folder_store;
  GtkButton        *accept_button;
};

G_DEFINE_FINAL_TYPE (CachetFolderChooserDialog, cachet_folder_chooser_dialog, GTK_TYPE_DIALOG)

static void
selection_changed_cb (GtkTreeSelection          *selection,
                      CachetFolderChooserDialog *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->accept_button),
                            gtk_tree_selection_count_selected_rows (selection) > 0);
}

static void
row_activated_cb (GtkTreeView               *tree_view,
                  GtkTreePath               *path,
                  GtkTreeViewColumn         *column,
                  CachetFolderChooserDialog *self)
{
  gtk_dialog_response (GTK_DIALOG (self), GTK_RESPONSE_ACCEPT);
}

static void
cachet_folder_chooser_dialog_class_init (CachetFolderChooserDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-folder-chooser-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetFolderChooserDialog, prompt_label);
  gtk_widget_class_bind_template_child (widget_class, CachetFolderChooserDialog, tree_view);
  gtk_widget_class_bind_template_child (widget_class, CachetFolderChooserDialog, selection);
  gtk_widget_class_bind_template_child (widget_class, CachetFolderChooserDialog, folder_store);
  gtk_widget_class_bind_template_child (widget_class, CachetFolderChooserDialog, accept_button);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
}

static void
cachet_folder_chooser_dialog_init (CachetFolderChooserDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cachet_folder_chooser_dialog_new (GtkWindow   *parent,
                                  CachetStore *store,
                                  const char  *title,
                                  const char  *prompt,
                                  const char  *accept_label)
{
  g_autoptr(GPtrArray) folders = NULL;
  CachetFolderChooserDialog *self;

  g_return_val_if_fail (CACHET_IS_STORE (store), NULL);

  self = g_object_new (CACHET_TYPE_FOLDER_CHOOSER_DIALOG,
                       "use-header-bar", TRUE,
                       "transient-for", parent,
                       "title", title,
                       NULL);
  gtk_label_set_text_with_mnemonic (self->prompt_label, prompt);
  gtk_button_set_label (self->accept_button, accept_label);
  folders = cachet_store_list_folders (store);
  cachet_folder_tree_fill_store (self->folder_store, folders);
  gtk_tree_view_expand_all (self->tree_view);
  selection_changed_cb (self->selection, self);
  return GTK_WIDGET (self);
}

void
cachet_folder_chooser_dialog_select (CachetFolderChooserDialog *self,
                                     gint64                     folder_id)
{
  g_autoptr(GtkTreePath) path = NULL;
  GtkTreeIter iter;

  g_return_if_fail (CACHET_IS_FOLDER_CHOOSER_DIALOG (self));

  if (!cachet_folder_tree_find (GTK_TREE_MODEL (self->folder_store), folder_id, &iter))
    return;
  path = gtk_tree_model_get_path (GTK_TREE_MODEL (self->folder_store), &iter);
  gtk_tree_view_expand_to_path (self->tree_view, path);
  gtk_tree_view_set_cursor (self->tree_view, path, NULL, FALSE);
}

gint64
cachet_folder_chooser_dialog_get_folder_id (CachetFolderChooserDialog *self)
{
  GtkTreeModel *model;
  GtkTreeIter iter;
  gint64 id = 0;

  g_return_val_if_fail (CACHET_IS_FOLDER_CHOOSER_DIALOG (self), 0);

  if (gtk_tree_selection_get_selected (self->selection, &model, &iter))
    gtk_tree_model_get (model, &iter, CACHET_FOLDER_COLUMN_ID, &id, -1);
  return id;
}
