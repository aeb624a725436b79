/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-message-list-model.h"
#include "cachet-store.h"

G_BEGIN_DECLS

/* What a message list shows: a folder, or the results of a search. */
typedef struct
{
  gint64            folder_id;   /* the folder, or the search scope (0: every folder) */
  char             *query;       /* NULL for a folder */
  CachetSortColumn  sort;
  gboolean          descending;
  gboolean          threaded;    /* folders only */
} CachetListQuery;

CachetListQuery *cachet_list_query_copy (const CachetListQuery *query);
void             cachet_list_query_free (CachetListQuery       *query);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetListQuery, cachet_list_query_free)

/* Runs @query in a worker thread.  With @old_ids (taken), also works out how the list
 * changed from those ids. */
void               cachet_message_list_load_async  (CachetStore           *store,
                                                    const CachetListQuery *query,
                                                    GArray                *old_ids,
                                                    GCancellable          *cancellable,
                                                    GAsyncReadyCallback    callback,
                                                    gpointer               user_data);
CachetMessageList *cachet_message_list_load_finish (CachetStore            *store,
                                                    GAsyncResult           *result,
                                                    CachetMessageListDiff **diff,
                                                    GError                **error);

/* Sorts the ids of @list (a flat list, e.g. search results) by @sort, reading the rows
 * from @store.  Blocking: for worker threads. */
gboolean cachet_message_list_sort_sync (CachetStore        *store,
                                        CachetMessageList  *list,
                                        CachetSortColumn    sort,
                                        gboolean            descending,
                                        GCancellable       *cancellable,
                                        GError            **error);

G_END_DECLS
