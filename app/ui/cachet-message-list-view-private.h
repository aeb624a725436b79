/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-message-list-loader.h"
#include "cachet-message-list-view.h"

G_BEGIN_DECLS

struct _CachetMessageListView
{
  GtkBox                  parent_instance;

  /* template */
  GtkTreeView            *tree_view;
  GtkTreeSelection       *selection;
  GtkTreeViewColumn      *from_column;
  GtkTreeViewColumn      *subject_column;
  GtkTreeViewColumn      *date_column;
  GtkTreeViewColumn      *size_column;
  GtkTreeViewColumn      *flags_column;
  GtkCellRenderer        *from_renderer;
  GtkCellRenderer        *subject_renderer;
  GtkCellRenderer        *date_renderer;
  GtkCellRenderer        *size_renderer;
  GtkCellRenderer        *unread_renderer;
  GtkCellRenderer        *flagged_renderer;
  GtkCellRenderer        *replied_renderer;
  GtkCellRenderer        *attachment_renderer;
  GtkLabel               *empty_label;
  GMenuModel             *context_menu;

  GtkWidget              *context_popup;
  CachetStore            *store;
  CachetMessageListModel *model;
  CachetListQuery         query;
  gboolean                have_query;
  GCancellable           *load_cancellable;
  guint                   refresh_source;
  gboolean                loading;
  CachetMessageList      *offered;         /* see cachet_message_list_view_offer_list() */
  gint64                  offered_folder;

  /* For the date column: the start of today and of this year, local time. */
  gint64                  today_start;
  gint64                  year_start;
};

/* cachet-message-list-view-columns.c: how the rows are drawn */
void             _cachet_message_list_view_setup_columns          (CachetMessageListView *self);
void             _cachet_message_list_view_update_day_boundaries  (CachetMessageListView *self);
void             _cachet_message_list_view_update_sort_indicators (CachetMessageListView *self);
CachetSortColumn _cachet_message_list_view_column_sort            (CachetMessageListView *self,
                                                                   GtkTreeViewColumn     *column);
gboolean         _cachet_message_list_view_query_tooltip_cb       (GtkWidget             *widget,
                                                                   int                    x,
                                                                   int                    y,
                                                                   gboolean               keyboard_mode,
                                                                   GtkTooltip            *tooltip,
                                                                   CachetMessageListView *self);

G_END_DECLS
