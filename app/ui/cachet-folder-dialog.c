/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-folder-dialog"

#include "config.h"

#include "cachet-folder-dialog.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-folder-tree.h"

struct _CachetFolderDialog
{
  GtkDialog        parent_instance;

  /* template */
  GtkEntry        *name_entry;
  GtkWidget       *parent_label;
  GtkComboBoxText *parent_combo;
  GtkLabel        *hint_label;
  GtkButton       *accept_button;

  char            *old_name;   /* when renaming */
  char            *name;       /* trimmed */
};

G_DEFINE_FINAL_TYPE (CachetFolderDialog, cachet_folder_dialog, GTK_TYPE_DIALOG)

static void
name_changed_cb (GtkEntry           *entry,
                 CachetFolderDialog *self)
{
  const char *hint = NULL;
  gboolean ok;

  g_free (self->name);
  self->name = g_strstrip (g_strdup (gtk_entry_get_text (entry)));

  if (strchr (self->name, '/') != NULL)
    hint = _("A folder name cannot contain “/”.");
  else if (g_str_equal (self->name, ".") || g_str_equal (self->name, ".."))
    hint = _("This name is reserved.");

  ok = hint == NULL && *self->name != '\0' && g_strcmp0 (self->name, self->old_name) != 0;
  gtk_widget_set_sensitive (GTK_WIDGET (self->accept_button), ok);
  gtk_label_set_text (self->hint_label, hint != NULL ? hint : "");
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label), hint != NULL);
}

typedef struct
{
  GtkComboBoxText *combo;
  gint64           select_id;
} ComboFill;

static gboolean
add_combo_row (GtkTreeModel *model,
               GtkTreePath  *path,
               GtkTreeIter  *iter,
               gpointer      user_data)
{
  ComboFill *fill = user_data;
  g_autofree char *name = NULL;
  g_autofree char *id_text = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  gint64 id;

  gtk_tree_model_get (model, iter,
                      CACHET_FOLDER_COLUMN_ID, &id,
                      CACHET_FOLDER_COLUMN_NAME, &name,
                      -1);
  for (int depth = gtk_tree_path_get_depth (path); depth > 1; depth--)
    g_string_append (text, "    ");
  g_string_append (text, name);
  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  gtk_combo_box_text_append (fill->combo, id_text, text->str);
  if (id == fill->select_id)
    gtk_combo_box_set_active_id (GTK_COMBO_BOX (fill->combo), id_text);
  return FALSE;
}

static void
cachet_folder_dialog_finalize (GObject *object)
{
  CachetFolderDialog *self = CACHET_FOLDER_DIALOG (object);

  g_free (self->old_name);
  g_free (self->name);

  G_OBJECT_CLASS (cachet_folder_dialog_parent_class)->finalize (object);
}

static void
cachet_folder_dialog_class_init (CachetFolderDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = cachet_folder_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-folder-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetFolderDialog, name_entry);
  gtk_widget_class_bind_template_child (widget_class, CachetFolderDialog, parent_label);
  gtk_widget_class_bind_template_child (widget_class, CachetFolderDialog, parent_combo);
  gtk_widget_class_bind_template_child (widget_class, CachetFolderDialog, hint_label);
  gtk_widget_class_bind_template_child (widget_class, CachetFolderDialog, accept_button);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);
}

static void
cachet_folder_dialog_init (CachetFolderDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->name = g_strdup ("");
}

GtkWidget *
cachet_folder_dialog_new_create (GtkWindow   *parent,
                                 CachetStore *store,
                                 gint64       parent_id)
{
  g_autoptr(GtkTreeStore) folders = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  CachetFolderDialog *self;
  ComboFill fill;

  g_return_val_if_fail (CACHET_IS_STORE (store), NULL);

  self = g_object_new (CACHET_TYPE_FOLDER_DIALOG,
                       "use-header-bar", TRUE,
                       "transient-for", parent,
                       "title", _("New Folder"),
                       NULL);
  gtk_button_set_label (self->accept_button, _("C_reate"));

  /* Translators: the top level of the folder tree, as a place for a new folder */
  gtk_combo_box_text_append (self->parent_combo, "0", _("Top level"));
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->parent_combo), "0");
  folders = gtk_tree_store_new (CACHET_FOLDER_N_COLUMNS, G_TYPE_INT64, G_TYPE_STRING,
                                G_TYPE_STRING, G_TYPE_INT, G_TYPE_ICON, G_TYPE_UINT,
                                G_TYPE_UINT);
  infos = cachet_store_list_folders (store);
  cachet_folder_tree_fill_store (folders, infos);
  fill.combo = self->parent_combo;
  fill.select_id = parent_id;
  gtk_tree_model_foreach (GTK_TREE_MODEL (folders), add_combo_row, &fill);

  name_changed_cb (self->name_entry, self);
  return GTK_WIDGET (self);
}

GtkWidget *
cachet_folder_dialog_new_rename (GtkWindow              *parent,
                                 const CachetFolderInfo *folder)
{
  CachetFolderDialog *self;

  g_return_val_if_fail (folder != NULL, NULL);

  self = g_object_new (CACHET_TYPE_FOLDER_DIALOG,
                       "use-header-bar", TRUE,
                       "transient-for", parent,
                       "title", _("Rename Folder"),
                       NULL);
  gtk_button_set_label (self->accept_button, _("_Rename"));
  gtk_widget_hide (self->parent_label);
  gtk_widget_hide (GTK_WIDGET (self->parent_combo));

  self->old_name = g_strdup (folder->name);
  gtk_entry_set_text (self->name_entry, folder->name != NULL ? folder->name : "");
  name_changed_cb (self->name_entry, self);
  return GTK_WIDGET (self);
}

const char *
cachet_folder_dialog_get_name (CachetFolderDialog *self)
{
  g_return_val_if_fail (CACHET_IS_FOLDER_DIALOG (self), NULL);
  return self->name;
}

gint64
cachet_folder_dialog_get_parent_id (CachetFolderDialog *self)
{
  const char *id;

  g_return_val_if_fail (CACHET_IS_FOLDER_DIALOG (self), 0);

  id = gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->parent_combo));
  return id != NULL ? g_ascii_strtoll (id, NULL, 10) : 0;
}
