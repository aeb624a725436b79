/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-store.h"

G_BEGIN_DECLS

#define CACHET_TYPE_FOLDER_DIALOG (cachet_folder_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CachetFolderDialog, cachet_folder_dialog, CACHET, FOLDER_DIALOG, GtkDialog)

/* Asks for the name (and place) of a new folder.  Responds GTK_RESPONSE_ACCEPT. */
GtkWidget   *cachet_folder_dialog_new_create    (GtkWindow              *parent,
                                                 CachetStore            *store,
                                                 gint64                  parent_id);
/* Asks for a new name for @folder. */
GtkWidget   *cachet_folder_dialog_new_rename    (GtkWindow              *parent,
                                                 const CachetFolderInfo *folder);
const char  *cachet_folder_dialog_get_name      (CachetFolderDialog     *self);
/* The folder to create the new one in, 0 for the top level. */
gint64       cachet_folder_dialog_get_parent_id (CachetFolderDialog     *self);

G_END_DECLS
