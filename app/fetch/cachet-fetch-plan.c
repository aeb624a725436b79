/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-fetch"

#include "config.h"

#include "cachet-fetch-private.h"

/* The decisions of a fetch, kept apart from the protocol so they can be read (and tested)
 * on their own: what to fetch, and what may be deleted on the server.
 *
 * The one rule everything else follows: a message is deleted on the server only when the
 * ledger says it is stored whole (fetched before, or committed by this fetch), never in
 * safe mode (no UIDL) nor when the server gave that message no usable UIDL, never when only
 * its headers were fetched, and only as the account's policy says. */

void
_cachet_fetch_item_free (CachetFetchItem *item)
{
  if (item == NULL)
    return;
  g_free (item->uidl);
  g_free (item);
}

void
_cachet_fetch_plan (GPtrArray               *items,
                    GHashTable              *ledger,
                    const CachetFetchPolicy *policy)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < items->len; i++)
    {
      CachetFetchItem *item = g_ptr_array_index (items, i);
      g_autofree char *key = cachet_store_ledger_key (item->uidl);
      CachetLedgerEntry *entry = g_hash_table_lookup (ledger, key);

      if (g_hash_table_contains (seen, key))
        {
          /* A server that lists one UIDL twice: take the first, leave the other alone. */
          item->action = CACHET_FETCH_DUPLICATE;
          continue;
        }
      g_hash_table_add (seen, g_steal_pointer (&key));
      if (entry != NULL)
        {
          item->action = CACHET_FETCH_KNOWN;
          item->partial = entry->partial;
          item->deleted_locally = entry->deleted_locally;
          item->fetched = entry->fetched;
        }
      else if (policy->large_size > 0 && item->size > policy->large_size
               && policy->large_policy == CACHET_LARGE_SKIP)
        item->action = CACHET_FETCH_SKIP;
      else if (policy->large_size > 0 && item->size > policy->large_size
               && policy->large_policy == CACHET_LARGE_HEADERS_ONLY)
        item->action = CACHET_FETCH_HEADERS;
      else
        item->action = CACHET_FETCH_FULL;
    }
}

gboolean
_cachet_fetch_should_delete (const CachetFetchItem   *item,
                             const CachetFetchPolicy *policy,
                             gint64                   now)
{
  gboolean whole;
  gint64 fetched;

  if (policy->safe_mode || item->by_headers)
    return FALSE;
  switch (item->action)
    {
    case CACHET_FETCH_KNOWN:
      whole = !item->partial;
      fetched = item->fetched;
      break;
    case CACHET_FETCH_FULL:
      whole = item->stored_now;
      fetched = now;
      break;
    case CACHET_FETCH_HEADERS:
    case CACHET_FETCH_SKIP:
    case CACHET_FETCH_DUPLICATE:
    default:
      return FALSE;
    }
  if (!whole)
    return FALSE;
  if (item->deleted_locally && policy->delete_when_deleted_locally)
    return TRUE;
  switch (policy->server_policy)
    {
    case CACHET_DELETE_AFTER_FETCH:
      return TRUE;
    case CACHET_DELETE_AFTER_DAYS:
      return fetched <= now - (gint64) policy->delete_after_days * 24 * 60 * 60;
    case CACHET_KEEP_ON_SERVER:
    default:
      return FALSE;
    }
}

char *
_cachet_fetch_header_key (guint64    size,
                          GChecksum *headers)
{
  return g_strdup_printf ("top-%" G_GUINT64_FORMAT "-%s", size,
                          g_checksum_get_string (headers));
}
