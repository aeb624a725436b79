/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-list-loader"

#include "config.h"

#include "cachet-message-list-loader.h"

/* Rows read at a time when sorting search results. */
#define SORT_CHUNK 512

CachetListQuery *
cachet_list_query_copy (const CachetListQuery *query)
{
  CachetListQuery *copy = g_new (CachetListQuery, 1);

  *copy = *query;
  copy->query = g_strdup (query->query);
  return copy;
}

void
cachet_list_query_free (CachetListQuery *query)
{
  if (query == NULL)
    return;
  g_free (query->query);
  g_free (query);
}

typedef struct
{
  CachetListQuery *query;
  GArray          *old_ids;
} LoadJob;

typedef struct
{
  CachetMessageList     *list;
  CachetMessageListDiff *diff;
} LoadResult;

static void
load_job_free (gpointer data)
{
  LoadJob *job = data;

  cachet_list_query_free (job->query);
  g_clear_pointer (&job->old_ids, g_array_unref);
  g_free (job);
}

static void
load_result_free (gpointer data)
{
  LoadResult *result = data;

  g_clear_pointer (&result->list, cachet_message_list_free);
  g_clear_pointer (&result->diff, cachet_message_list_diff_free);
  g_free (result);
}

/* Sorting search results */

typedef struct
{
  gint64   id;
  gint64   date;
  guint64  size;
  guint    flags_key;
  char    *text_key;   /* sort key of From or Subject */
} SortRow;

typedef struct
{
  CachetSortColumn sort;
  gboolean         descending;
} SortSpec;

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const SortRow *ra = a;
  const SortRow *rb = b;
  const SortSpec *spec = user_data;
  int cmp = 0;

  switch (spec->sort)
    {
    case CACHET_SORT_FROM:
    case CACHET_SORT_SUBJECT:
      cmp = g_strcmp0 (ra->text_key, rb->text_key);
      break;
    case CACHET_SORT_SIZE:
      cmp = (ra->size > rb->size) - (ra->size < rb->size);
      break;
    case CACHET_SORT_FLAGS:
      cmp = (ra->flags_key > rb->flags_key) - (ra->flags_key < rb->flags_key);
      break;
    case CACHET_SORT_DATE:
    default:
      break;
    }
  if (cmp == 0)
    cmp = (ra->date > rb->date) - (ra->date < rb->date);
  if (cmp == 0)
    cmp = (ra->id > rb->id) - (ra->id < rb->id);
  return spec->descending ? -cmp : cmp;
}

/* The same keys as the index sorts folders by: case-folded, reply prefixes dropped from
 * subjects, compared byte by byte. */
static char *
text_key (const char *text,
          gboolean    is_subject)
{
  const char *p = text != NULL ? text : "";

  while (is_subject)
    {
      const char *q = p;

      while (*q == ' ' || *q == '\t')
        q++;
      if (g_ascii_strncasecmp (q, "re:", 3) == 0 || g_ascii_strncasecmp (q, "aw:", 3) == 0
          || g_ascii_strncasecmp (q, "sv:", 3) == 0 || g_ascii_strncasecmp (q, "fw:", 3) == 0)
        p = q + 3;
      else if (g_ascii_strncasecmp (q, "fwd:", 4) == 0)
        p = q + 4;
      else
        {
          p = q;
          break;
        }
    }
  return g_utf8_casefold (p, -1);
}

gboolean
cachet_message_list_sort_sync (CachetStore        *store,
                               CachetMessageList  *list,
                               CachetSortColumn    sort,
                               gboolean            descending,
                               GCancellable       *cancellable,
                               GError            **error)
{
  g_autofree SortRow *rows = NULL;
  g_autofree CachetMessageSummary *summaries = NULL;
  guint n = list->ids->len;
  SortSpec spec = { sort, descending };

  g_return_val_if_fail (CACHET_IS_STORE (store), FALSE);

  if (n < 2)
    return TRUE;

  rows = g_new0 (SortRow, n);
  summaries = g_new0 (CachetMessageSummary, SORT_CHUNK);
  for (guint start = 0; start < n; start += SORT_CHUNK)
    {
      guint count = MIN (SORT_CHUNK, n - start);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto failed;
      if (!cachet_store_get_summaries (store, &g_array_index (list->ids, gint64, start), count,
                                       summaries, error))
        goto failed;

      for (guint i = 0; i < count; i++)
        {
          CachetMessageSummary *s = &summaries[i];
          SortRow *row = &rows[start + i];

          row->id = g_array_index (list->ids, gint64, start + i);
          row->date = s->date;
          row->size = s->size;
          row->flags_key = s->flags;
          if (sort == CACHET_SORT_FROM)
            row->text_key = text_key (s->from, FALSE);
          else if (sort == CACHET_SORT_SUBJECT)
            row->text_key = text_key (s->subject, TRUE);
          cachet_message_summary_clear (s);
        }
    }

  g_qsort_with_data (rows, (gint) n, sizeof (SortRow), compare_rows, &spec);
  for (guint i = 0; i < n; i++)
    {
      g_array_index (list->ids, gint64, i) = rows[i].id;
      g_free (rows[i].text_key);
    }
  g_clear_pointer (&list->depths, g_array_unref);
  return TRUE;

failed:
  for (guint i = 0; i < n; i++)
    g_free (rows[i].text_key);
  return FALSE;
}

static void
load_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CachetStore *store = source_object;
  LoadJob *job = task_data;
  CachetListQuery *query = job->query;
  g_autoptr(CachetMessageList) list = NULL;
  g_autoptr(GError) error = NULL;
  LoadResult *result;

  if (query->query != NULL)
    {
      list = cachet_store_search_sync (store, query->query, query->folder_id,
                                       cancellable, &error);
      /* The store gives results newest first. */
      if (list != NULL && !(query->sort == CACHET_SORT_DATE && query->descending)
          && !cachet_message_list_sort_sync (store, list, query->sort, query->descending,
                                             cancellable, &error))
        g_clear_pointer (&list, cachet_message_list_free);
    }
  else
    {
      list = cachet_store_list_messages_sync (store, query->folder_id, query->sort,
                                              query->descending, query->threaded,
                                              cancellable, &error);
    }

  if (list == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result = g_new0 (LoadResult, 1);
  if (job->old_ids != NULL)
    result->diff = cachet_message_list_diff_new (job->old_ids, list);
  result->list = g_steal_pointer (&list);
  g_task_return_pointer (task, result, load_result_free);
}

void
cachet_message_list_load_async (CachetStore           *store,
                                const CachetListQuery *query,
                                GArray                *old_ids,
                                GCancellable          *cancellable,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadJob *job;

  g_return_if_fail (CACHET_IS_STORE (store));
  g_return_if_fail (query != NULL);

  job = g_new0 (LoadJob, 1);
  job->query = cachet_list_query_copy (query);
  job->old_ids = old_ids;

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, cachet_message_list_load_async);
  g_task_set_task_data (task, job, load_job_free);
  g_task_run_in_thread (task, load_worker);
}

CachetMessageList *
cachet_message_list_load_finish (CachetStore            *store,
                                 GAsyncResult           *result,
                                 CachetMessageListDiff **diff,
                                 GError                **error)
{
  LoadResult *load;
  CachetMessageList *list;

  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  load = g_task_propagate_pointer (G_TASK (result), error);
  if (load == NULL)
    return NULL;

  list = g_steal_pointer (&load->list);
  if (diff != NULL)
    *diff = g_steal_pointer (&load->diff);
  load_result_free (load);
  return list;
}
