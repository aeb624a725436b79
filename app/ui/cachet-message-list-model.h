/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-message-list-diff.h"
#include "cachet-store.h"

G_BEGIN_DECLS

typedef enum
{
  CACHET_MESSAGE_LIST_COLUMN_ID,              /* gint64 */
  CACHET_MESSAGE_LIST_COLUMN_FOLDER_ID,       /* gint64 */
  CACHET_MESSAGE_LIST_COLUMN_FROM,            /* string */
  CACHET_MESSAGE_LIST_COLUMN_TO,              /* string */
  CACHET_MESSAGE_LIST_COLUMN_SUBJECT,         /* string */
  CACHET_MESSAGE_LIST_COLUMN_DATE,            /* gint64, Unix time */
  CACHET_MESSAGE_LIST_COLUMN_SIZE,            /* guint64 */
  CACHET_MESSAGE_LIST_COLUMN_FLAGS,           /* guint, CachetFlags */
  CACHET_MESSAGE_LIST_COLUMN_HAS_ATTACHMENT,  /* gboolean */
  CACHET_MESSAGE_LIST_COLUMN_DEPTH,           /* guint, thread depth (0 when flat) */
  CACHET_MESSAGE_LIST_N_COLUMNS
} CachetMessageListColumn;

/* Rows are fetched from the store in pages of this many. */
#define CACHET_MESSAGE_LIST_MODEL_PAGE_SIZE 128
/* At most this many pages are kept. */
#define CACHET_MESSAGE_LIST_MODEL_MAX_PAGES 48

#define CACHET_TYPE_MESSAGE_LIST_MODEL (cachet_message_list_model_get_type ())
G_DECLARE_FINAL_TYPE (CachetMessageListModel, cachet_message_list_model,
                      CACHET, MESSAGE_LIST_MODEL, GObject)

CachetMessageListModel *cachet_message_list_model_new (CachetStore       *store,
                                                       CachetMessageList *list);

CachetStore *cachet_message_list_model_get_store       (CachetMessageListModel *self);
guint        cachet_message_list_model_get_n_rows      (CachetMessageListModel *self);
gboolean     cachet_message_list_model_is_threaded     (CachetMessageListModel *self);
gint64       cachet_message_list_model_get_id          (CachetMessageListModel *self,
                                                        guint                   row);
guint        cachet_message_list_model_get_depth       (CachetMessageListModel *self,
                                                        guint                   row);
/* Fetches the row's page when it is not cached.  The pointer stays valid until the next
 * call into the model.  A row whose message vanished has id 0 and NULL strings. */
const CachetMessageSummary *
             cachet_message_list_model_get_summary     (CachetMessageListModel *self,
                                                        guint                   row);
gboolean     cachet_message_list_model_get_row         (CachetMessageListModel *self,
                                                        GtkTreeIter            *iter,
                                                        guint                  *row);
void         cachet_message_list_model_get_iter_at_row (CachetMessageListModel *self,
                                                        guint                   row,
                                                        GtkTreeIter            *iter);
/* -1 when the id is not in the list. */
gint         cachet_message_list_model_find_id         (CachetMessageListModel *self,
                                                        gint64                  id);
/* The next row from @start (exclusive) in @direction (+1 / -1) whose message is unread,
 * or -1. */
gint         cachet_message_list_model_find_unread     (CachetMessageListModel *self,
                                                        gint                    start,
                                                        gint                    direction);

/* Structural changes. */
GArray      *cachet_message_list_model_dup_ids         (CachetMessageListModel *self);
guint        cachet_message_list_model_get_generation  (CachetMessageListModel *self);
gboolean     cachet_message_list_model_apply_diff      (CachetMessageListModel *self,
                                                        guint                   generation,
                                                        CachetMessageListDiff  *diff,
                                                        CachetMessageList      *new_list);
void         cachet_message_list_model_remove_ids      (CachetMessageListModel *self,
                                                        const gint64           *ids,
                                                        guint                   n_ids);
void         cachet_message_list_model_refresh_ids     (CachetMessageListModel *self,
                                                        const gint64           *ids,
                                                        guint                   n_ids);

/* For tests. */
guint        cachet_message_list_model_get_n_cached_pages (CachetMessageListModel *self);
guint        cachet_message_list_model_get_n_fetches      (CachetMessageListModel *self);

G_END_DECLS
