/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-message-list-model.h"
#include "cachet-store.h"

G_BEGIN_DECLS

#define CACHET_TYPE_MESSAGE_LIST_VIEW (cachet_message_list_view_get_type ())
G_DECLARE_FINAL_TYPE (CachetMessageListView, cachet_message_list_view,
                      CACHET, MESSAGE_LIST_VIEW, GtkBox)

GtkWidget   *cachet_message_list_view_new            (void);
void         cachet_message_list_view_set_store      (CachetMessageListView *self,
                                                      CachetStore           *store);

/* What is shown.  Both load in the background and emit "loaded" when the list is in. */
void         cachet_message_list_view_show_folder    (CachetMessageListView *self,
                                                      gint64                 folder_id);
/* @folder_id 0 searches every folder. */
void         cachet_message_list_view_show_search    (CachetMessageListView *self,
                                                      const char            *query,
                                                      gint64                 folder_id);
/* Hands over a list of @folder_id made elsewhere (at start-up, while GTK started) in the
 * view's current order: the next cachet_message_list_view_show_folder() of that folder
 * shows it at once instead of loading.  Takes @list. */
void         cachet_message_list_view_offer_list     (CachetMessageListView *self,
                                                      gint64                 folder_id,
                                                      CachetMessageList     *list);
gint64       cachet_message_list_view_get_folder_id  (CachetMessageListView *self);
gboolean     cachet_message_list_view_is_searching   (CachetMessageListView *self);
gboolean     cachet_message_list_view_is_loading     (CachetMessageListView *self);

void         cachet_message_list_view_set_sort       (CachetMessageListView *self,
                                                      CachetSortColumn       sort,
                                                      gboolean               descending);
CachetSortColumn cachet_message_list_view_get_sort   (CachetMessageListView *self,
                                                      gboolean              *descending);
void         cachet_message_list_view_set_threaded   (CachetMessageListView *self,
                                                      gboolean               threaded);
gboolean     cachet_message_list_view_get_threaded   (CachetMessageListView *self);

/* Selection */
GArray      *cachet_message_list_view_dup_selected_ids (CachetMessageListView *self);
/* The id when exactly one message is selected, else 0. */
gint64       cachet_message_list_view_get_selected_id  (CachetMessageListView *self);
/* Flags of a message in the list; FALSE when it is not there. */
gboolean     cachet_message_list_view_get_flags        (CachetMessageListView *self,
                                                        gint64                 id,
                                                        CachetFlags           *flags);
gboolean     cachet_message_list_view_select_id        (CachetMessageListView *self,
                                                        gint64                 id);
/* Moves the cursor by one row (+1 / -1), or to the next unread row. */
gboolean     cachet_message_list_view_move_cursor      (CachetMessageListView *self,
                                                        gint                   direction,
                                                        gboolean               unread_only);

CachetMessageListModel *cachet_message_list_view_get_model     (CachetMessageListView *self);
GtkTreeView            *cachet_message_list_view_get_tree_view (CachetMessageListView *self);

G_END_DECLS
