/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-list-model"

#include "config.h"

#include "cachet-message-list-diff.h"

static GHashTable *
id_set_new (const gint64 *ids,
            guint         n_ids)
{
  GHashTable *set = g_hash_table_new (g_int64_hash, g_int64_equal);

  /* The keys point into @ids, which must outlive the set. */
  for (guint i = 0; i < n_ids; i++)
    g_hash_table_add (set, (gpointer) &ids[i]);
  return set;
}

/* How a refreshed list differs from the one shown, so the model can apply the change row
 * by row and the view keep its scroll position and selection.  Pure: runs in the loader's
 * worker thread on copies of the ids. */

/* NULL when rows that stay have changed order (then the list must be replaced). */
CachetMessageListDiff *
cachet_message_list_diff_new (GArray                  *old_ids,
                              const CachetMessageList *new_list)
{
  g_autoptr(CachetMessageListDiff) diff = g_new0 (CachetMessageListDiff, 1);
  g_autoptr(GHashTable) new_set = NULL;
  g_autoptr(GHashTable) kept_set = NULL;
  g_autoptr(GArray) kept = NULL;
  const gint64 *old = (const gint64 *) (gpointer) old_ids->data;
  const gint64 *new = (const gint64 *) (gpointer) new_list->ids->data;
  guint j = 0;

  diff->removed = g_array_new (FALSE, FALSE, sizeof (guint));
  diff->inserted = g_array_new (FALSE, FALSE, sizeof (guint));

  new_set = id_set_new (new, new_list->ids->len);
  kept = g_array_sized_new (FALSE, FALSE, sizeof (gint64), old_ids->len);
  for (guint i = 0; i < old_ids->len; i++)
    {
      if (g_hash_table_contains (new_set, &old[i]))
        g_array_append_val (kept, old[i]);
      else
        g_array_append_val (diff->removed, i);
    }

  kept_set = id_set_new ((const gint64 *) (gpointer) kept->data, kept->len);
  for (guint r = 0; r < new_list->ids->len; r++)
    {
      if (!g_hash_table_contains (kept_set, &new[r]))
        g_array_append_val (diff->inserted, r);
      else if (j < kept->len && g_array_index (kept, gint64, j) == new[r])
        j++;
      else
        return NULL;
    }

  return g_steal_pointer (&diff);
}

void
cachet_message_list_diff_free (CachetMessageListDiff *diff)
{
  if (diff == NULL)
    return;
  g_clear_pointer (&diff->removed, g_array_unref);
  g_clear_pointer (&diff->inserted, g_array_unref);
  g_free (diff);
}
