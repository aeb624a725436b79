/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include <string.h>

#include "cachet-store-private.h"

/* Threading of one folder's messages: a simplified JWZ.  A message's parent is the last of
 * its References that is in the folder (else its In-Reply-To); a message whose parent is not
 * there is a root.  A Message-ID seen twice belongs to the first message (lowest id); a link
 * that would close a cycle is skipped (the next older reference is tried).  No grouping by
 * subject. */

/* Walking up further than this to look for a cycle: treat it as one (bounds the cost on
 * absurdly deep chains). */
#define MAX_WALK 100000

typedef struct
{
  gint64 key;    /* thread order: newest date in the thread, or the root's rank */
  guint  rank;
  guint  root;
} ThreadRoot;

static gboolean
creates_cycle (const gint *parent,
               gint        child,
               gint        candidate)
{
  guint steps = 0;

  for (gint p = candidate; p >= 0; p = parent[p])
    if (p == child || ++steps > MAX_WALK)
      return TRUE;
  return FALSE;
}

static gint
lookup (GHashTable *ids,
        const char *message_id)
{
  gpointer value;

  if (message_id == NULL || *message_id == '\0')
    return -1;
  value = g_hash_table_lookup (ids, message_id);
  return value ? GPOINTER_TO_INT (value) - 1 : -1;
}

static gint
find_parent (CachetThreadRow *rows,
             GHashTable      *ids,
             const gint      *parent,
             gint             i)
{
  const char *refs = rows[i].references;

  /* References, last first, without copying: walk tokens from the end. */
  if (refs != NULL)
    {
      const char *end = refs + strlen (refs);
      while (end > refs)
        {
          const char *start = end;
          g_autofree char *token = NULL;
          gint p;

          while (start > refs && start[-1] != ' ')
            start--;
          if (end > start)
            {
              token = g_strndup (start, end - start);
              p = lookup (ids, token);
              if (p >= 0 && p != i && !creates_cycle (parent, i, p))
                return p;
            }
          end = start;
          while (end > refs && end[-1] == ' ')
            end--;
        }
    }
  {
    gint p = lookup (ids, rows[i].in_reply_to);
    if (p >= 0 && p != i && !creates_cycle (parent, i, p))
      return p;
  }
  return -1;
}

static gint
compare_by_id (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  const CachetThreadRow *rows = data;
  gint64 ia = rows[*(const gint *) a].id, ib = rows[*(const gint *) b].id;
  return (ia > ib) - (ia < ib);
}

static gint
compare_children (gconstpointer a,
                  gconstpointer b,
                  gpointer      data)
{
  const CachetThreadRow *rows = data;
  const CachetThreadRow *ra = &rows[*(const gint *) a];
  const CachetThreadRow *rb = &rows[*(const gint *) b];

  if (ra->date != rb->date)
    return ra->date < rb->date ? -1 : 1;
  return (ra->id > rb->id) - (ra->id < rb->id);
}

static int
compare_roots_asc (gconstpointer a,
                   gconstpointer b)
{
  const ThreadRoot *ra = a, *rb = b;
  if (ra->key != rb->key)
    return ra->key < rb->key ? -1 : 1;
  return (ra->rank > rb->rank) - (ra->rank < rb->rank);
}

static int
compare_roots_desc (gconstpointer a,
                    gconstpointer b)
{
  const ThreadRoot *ra = a, *rb = b;
  if (ra->key != rb->key)
    return ra->key > rb->key ? -1 : 1;
  return (ra->rank > rb->rank) - (ra->rank < rb->rank);
}

CachetMessageList *
_cachet_store_thread_rows (CachetThreadRow *rows,
                           guint            n_rows,
                           gboolean         by_newest,
                           gboolean         descending)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree gint *parent = g_new (gint, MAX (n_rows, 1));
  g_autofree guint *first_child = g_new0 (guint, n_rows + 1);
  g_autofree gint *children = g_new (gint, MAX (n_rows, 1));
  g_autofree gint *order = g_new (gint, MAX (n_rows, 1));
  g_autofree guint *fill = NULL;
  g_autoptr(GArray) roots = g_array_new (FALSE, FALSE, sizeof (ThreadRoot));
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr(GArray) stack_depth = g_array_new (FALSE, FALSE, sizeof (guint));
  CachetMessageList *list = g_new0 (CachetMessageList, 1);

  list->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_rows);
  list->depths = g_array_sized_new (FALSE, FALSE, sizeof (guint16), n_rows);

  /* Message-IDs: the lowest id wins a duplicate. */
  for (guint i = 0; i < n_rows; i++)
    {
      gint other = lookup (ids, rows[i].message_id);
      if (rows[i].message_id == NULL || *rows[i].message_id == '\0')
        continue;
      if (other < 0 || rows[i].id < rows[other].id)
        g_hash_table_insert (ids, (gpointer) rows[i].message_id, GINT_TO_POINTER (i + 1));
    }

  /* Links are made in id (arrival) order, so that which link of a cycle is dropped does
   * not depend on the sort. */
  for (guint i = 0; i < n_rows; i++)
    {
      parent[i] = -1;
      order[i] = i;
    }
  g_qsort_with_data (order, n_rows, sizeof (gint), compare_by_id, rows);
  for (guint i = 0; i < n_rows; i++)
    parent[order[i]] = find_parent (rows, ids, parent, order[i]);

  /* Children, in a flat array per parent (counting sort by parent). */
  for (guint i = 0; i < n_rows; i++)
    if (parent[i] >= 0)
      first_child[parent[i] + 1]++;
  for (guint i = 0; i < n_rows; i++)
    first_child[i + 1] += first_child[i];
  fill = g_memdup2 (first_child, sizeof (guint) * (n_rows + 1));
  for (guint i = 0; i < n_rows; i++)
    if (parent[i] >= 0)
      children[fill[parent[i]]++] = i;
  for (guint i = 0; i < n_rows; i++)
    if (first_child[i + 1] - first_child[i] > 1)
      g_qsort_with_data (children + first_child[i], first_child[i + 1] - first_child[i],
                         sizeof (gint), compare_children, rows);

  /* Roots, with the newest date of their thread when sorting by date. */
  for (guint i = 0; i < n_rows; i++)
    if (parent[i] < 0)
      {
        ThreadRoot root = { rows[i].date, i, i };
        if (by_newest)
          {
            g_array_set_size (stack, 0);
            g_array_append_val (stack, i);
            while (stack->len > 0)
              {
                gint n = g_array_index (stack, gint, stack->len - 1);
                g_array_set_size (stack, stack->len - 1);
                root.key = MAX (root.key, rows[n].date);
                for (guint c = first_child[n]; c < first_child[n + 1]; c++)
                  g_array_append_val (stack, children[c]);
              }
          }
        g_array_append_val (roots, root);
      }
  if (by_newest)
    g_array_sort (roots, descending ? compare_roots_desc : compare_roots_asc);
  /* Otherwise the roots are in rank order already: the rows came sorted. */

  for (guint r = 0; r < roots->len; r++)
    {
      gint root = g_array_index (roots, ThreadRoot, r).root;
      guint zero = 0;

      g_array_set_size (stack, 0);
      g_array_set_size (stack_depth, 0);
      g_array_append_val (stack, root);
      g_array_append_val (stack_depth, zero);
      while (stack->len > 0)
        {
          gint n = g_array_index (stack, gint, stack->len - 1);
          guint depth = g_array_index (stack_depth, guint, stack->len - 1);
          guint16 d16 = MIN (depth, G_MAXUINT16);

          g_array_set_size (stack, stack->len - 1);
          g_array_set_size (stack_depth, stack_depth->len - 1);
          g_array_append_val (list->ids, rows[n].id);
          g_array_append_val (list->depths, d16);
          /* Push children in reverse so the oldest comes out first. */
          for (guint c = first_child[n + 1]; c > first_child[n]; c--)
            {
              guint child_depth = depth + 1;
              g_array_append_val (stack, children[c - 1]);
              g_array_append_val (stack_depth, child_depth);
            }
        }
    }
  return list;
}
