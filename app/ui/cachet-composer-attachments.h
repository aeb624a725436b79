/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The composer's list of attachments: for each its icon, name, type and size, and a button
 * that removes it.  It shows what the composer tells it; the Remove buttons only ask
 * ("remove-requested", guint index).  Hidden while empty. */
#define CACHET_TYPE_COMPOSER_ATTACHMENTS (cachet_composer_attachments_get_type ())
G_DECLARE_FINAL_TYPE (CachetComposerAttachments, cachet_composer_attachments,
                      CACHET, COMPOSER_ATTACHMENTS, GtkBox)

GtkWidget  *cachet_composer_attachments_new       (void);
/* @content_type a GIO content type (NULL: unknown). */
void        cachet_composer_attachments_append    (CachetComposerAttachments *self,
                                                   const char                *name,
                                                   const char                *content_type,
                                                   guint64                    size);
void        cachet_composer_attachments_remove    (CachetComposerAttachments *self,
                                                   guint                      index);
guint       cachet_composer_attachments_get_n_items (CachetComposerAttachments *self);
const char *cachet_composer_attachments_get_name  (CachetComposerAttachments *self,
                                                   guint                      index);
guint64     cachet_composer_attachments_get_size  (CachetComposerAttachments *self,
                                                   guint                      index);
/* The texts shown for one: "type, size" ("PDF document, 1.2 kB"). */
char       *cachet_composer_attachments_dup_details (CachetComposerAttachments *self,
                                                     guint                      index);
GtkButton  *cachet_composer_attachments_get_remove_button (CachetComposerAttachments *self,
                                                           guint                      index);

G_END_DECLS
