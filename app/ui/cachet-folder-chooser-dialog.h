/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-store.h"

G_BEGIN_DECLS

#define CACHET_TYPE_FOLDER_CHOOSER_DIALOG (cachet_folder_chooser_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CachetFolderChooserDialog, cachet_folder_chooser_dialog,
                      CACHET, FOLDER_CHOOSER_DIALOG, GtkDialog)

/* A dialog to pick a folder, e.g. to move messages or import into.  @prompt may have a
 * mnemonic; @accept_label is the button ("_Move").  Responds GTK_RESPONSE_ACCEPT. */
GtkWidget *cachet_folder_chooser_dialog_new             (GtkWindow   *parent,
                                                         CachetStore *store,
                                                         const char  *title,
                                                         const char  *prompt,
                                                         const char  *accept_label);
void       cachet_folder_chooser_dialog_select          (CachetFolderChooserDialog *self,
                                                         gint64                     folder_id);
/* 0 when none is selected. */
gint64     cachet_folder_chooser_dialog_get_folder_id   (CachetFolderChooserDialog *self);

G_END_DECLS
