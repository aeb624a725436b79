/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-window.h"

#include "cachet-folder-tree.h"
#include "cachet-message-list-view.h"
#include "cachet-message-view.h"
#include "cachet-sender.h"
#include "cachet-store.h"

G_BEGIN_DECLS

typedef struct _CachetWindowFetch CachetWindowFetch;
typedef struct _CachetWindowOutbox CachetWindowOutbox;

struct _CachetWindow
{
  GtkApplicationWindow   parent_instance;

  /* template */
  GtkHeaderBar          *header_bar;
  GtkSearchEntry        *search_entry;
  GtkInfoBar            *info_bar;
  GtkLabel              *info_label;
  GtkRevealer           *import_revealer;
  GtkLabel              *import_label;
  GtkProgressBar        *import_progress;
  GtkRevealer           *fetch_revealer;
  GtkLabel              *fetch_label;
  GtkProgressBar        *fetch_progress;
  GtkRevealer           *outbox_revealer;
  GtkLabel              *outbox_label;
  GtkStack              *main_stack;
  GtkWidget             *loading_box;
  GtkSpinner            *spinner;
  GtkLabel              *failed_label;
  GtkPaned              *outer_paned;
  GtkPaned              *inner_paned;
  CachetFolderTree      *folder_tree;
  CachetMessageListView *message_list;
  CachetMessageView     *message_view;

  CachetStore           *store;
  GSettings             *settings;     /* NULL when the schema is not installed */
  GCancellable          *cancellable;  /* cancelled when the window goes */
  GCancellable          *import_cancellable;
  CachetWindowFetch     *fetch;        /* getting mail: cachet-window-fetch.c */
  CachetWindowOutbox    *outbox;       /* the Outbox's state: cachet-window-outbox.c */
  gboolean               store_open;
  gboolean               list_focused;  /* the list had the keyboard once */
  gboolean               sync_pending;  /* sync the folder once its list is shown */
  guint                  present_source; /* present once the first list is in, or then */
  guint                  ready_source;   /* the store was open at construction */
  gint64                 folder_id;    /* the folder shown (also while searching) */
  gint64                 select_folder_id; /* select_id there once its list is in */
  gint64                 select_id;        /* (a bounce's original, for instance) */

  int                    width;
  int                    height;
  gboolean               maximized;
};

/* cachet-window-actions.c */
void _cachet_window_add_actions    (CachetWindow *self);
void _cachet_window_update_actions (CachetWindow *self);
void _cachet_window_mark_read      (CachetWindow *self,
                                    gint64        id);

/* cachet-window-compose.c */
void _cachet_window_compose_init           (CachetWindow *self);
void _cachet_window_compose_update_actions (CachetWindow *self);

/* cachet-window-fetch.c */
void     _cachet_window_fetch_init        (CachetWindow   *self);
void     _cachet_window_fetch_class_init  (GtkWidgetClass *widget_class);
void     _cachet_window_fetch_store_ready (CachetWindow   *self);
void     _cachet_window_fetch_dispose     (CachetWindow   *self);
/* Fetches every account; @periodic: started by the timer, so it asks nothing. */
void     _cachet_window_get_mail          (CachetWindow   *self,
                                           gboolean        periodic);
gboolean _cachet_window_is_getting_mail   (CachetWindow   *self);

/* cachet-window-outbox.c */
void          _cachet_window_outbox_init        (CachetWindow   *self);
void          _cachet_window_outbox_class_init  (GtkWidgetClass *widget_class);
void          _cachet_window_outbox_store_ready (CachetWindow   *self);
void          _cachet_window_outbox_dispose     (CachetWindow   *self);
/* Brings the Outbox bar and its actions up to date (the folder or selection changed). */
void          _cachet_window_outbox_update      (CachetWindow   *self);
CachetSender *_cachet_window_get_sender         (CachetWindow   *self);

/* cachet-window.c */
void _cachet_window_show_error     (CachetWindow *self,
                                    const char   *text);
/* In the main window's notification bar (a plugin that crashed Cachet last time). */
void _cachet_window_show_warning   (CachetWindow *self,
                                    const char   *text);
void _cachet_window_show_info      (CachetWindow *self,
                                    const char   *text);
void _cachet_window_end_search     (CachetWindow *self);
void _cachet_window_run_search     (CachetWindow *self);

G_END_DECLS
