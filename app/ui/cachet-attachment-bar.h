/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-message.h"

G_BEGIN_DECLS

#define CACHET_TYPE_ATTACHMENT_BAR (cachet_attachment_bar_get_type ())
G_DECLARE_FINAL_TYPE (CachetAttachmentBar, cachet_attachment_bar, CACHET, ATTACHMENT_BAR, GtkBox)

GtkWidget  *cachet_attachment_bar_new               (void);
/* One button per part; @sizes (nullable) are the decoded sizes, in the same order. */
void        cachet_attachment_bar_set_attachments   (CachetAttachmentBar *self,
                                                     GPtrArray           *parts,
                                                     const guint64       *sizes);
guint       cachet_attachment_bar_get_n_attachments (CachetAttachmentBar *self);
GtkButton  *cachet_attachment_bar_get_button        (CachetAttachmentBar *self,
                                                     guint                index);
/* Saves attachment @index to @path in a worker thread; emits "saved" (path) or "error"
 * (a sentence for the user) when done.  The button asks for the path with a file
 * chooser, then calls this. */
void        cachet_attachment_bar_save              (CachetAttachmentBar *self,
                                                     guint                index,
                                                     const char          *path);

G_END_DECLS
