/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-store.h"

G_BEGIN_DECLS

typedef enum
{
  CACHET_FOLDER_COLUMN_ID,       /* gint64 */
  CACHET_FOLDER_COLUMN_NAME,     /* string, as shown (standard folders translated) */
  CACHET_FOLDER_COLUMN_PATH,     /* string */
  CACHET_FOLDER_COLUMN_ROLE,     /* gint, CachetFolderRole */
  CACHET_FOLDER_COLUMN_ICON,     /* GIcon */
  CACHET_FOLDER_COLUMN_UNREAD,   /* guint */
  CACHET_FOLDER_COLUMN_TOTAL,    /* guint */
  CACHET_FOLDER_N_COLUMNS
} CachetFolderColumn;

/* Standard folders first in role order, then the user's folders by name, nested. */
void         cachet_folder_tree_fill_store      (GtkTreeStore           *store,
                                                 GPtrArray              *folders);
const char  *cachet_folder_get_display_name     (const CachetFolderInfo *info);
gboolean     cachet_folder_tree_find            (GtkTreeModel           *model,
                                                 gint64                  folder_id,
                                                 GtkTreeIter            *iter);

#define CACHET_TYPE_FOLDER_TREE (cachet_folder_tree_get_type ())
G_DECLARE_FINAL_TYPE (CachetFolderTree, cachet_folder_tree, CACHET, FOLDER_TREE,
                      GtkScrolledWindow)

GtkWidget   *cachet_folder_tree_new              (void);
void         cachet_folder_tree_set_store        (CachetFolderTree *self,
                                                  CachetStore      *store);
/* 0 when none. */
gint64       cachet_folder_tree_get_selected     (CachetFolderTree *self);
gboolean     cachet_folder_tree_select           (CachetFolderTree *self,
                                                  gint64            folder_id);
GtkTreeView *cachet_folder_tree_get_tree_view    (CachetFolderTree *self);

G_END_DECLS
