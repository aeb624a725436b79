/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-fetch-private.h"

/* The decisions of a fetch, without a server: what is fetched, what may be deleted. */

#define DAY (24 * 60 * 60)

static GPtrArray *
make_items (const char * const *uidls,
            const guint64      *sizes,
            guint               n)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) _cachet_fetch_item_free);

  for (guint i = 0; i < n; i++)
    {
      CachetFetchItem *item = g_new0 (CachetFetchItem, 1);
      item->number = i + 1;
      item->size = sizes ? sizes[i] : 1000;
      item->uidl = g_strdup (uidls[i]);
      g_ptr_array_add (items, item);
    }
  return items;
}

static GHashTable *
make_ledger (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
ledger_add (GHashTable *ledger,
            const char *uidl,
            gint64      fetched,
            gboolean    partial,
            gboolean    deleted)
{
  CachetLedgerEntry *e = g_new0 (CachetLedgerEntry, 1);

  e->message_id = deleted ? 0 : 1;
  e->fetched = fetched;
  e->partial = partial;
  e->deleted_locally = deleted;
  g_hash_table_insert (ledger, cachet_store_ledger_key (uidl), e);
}

static CachetFetchItem *
item (GPtrArray *items,
      guint      i)
{
  return g_ptr_array_index (items, i);
}

static void
test_plan_actions (void)
{
  const char *uidls[] = { "a", "b", "c", "d", "b", "e/f" };
  const guint64 sizes[] = { 10, 20, 5000, 6000, 20, 30 };
  g_autoptr(GPtrArray) items = make_items (uidls, sizes, G_N_ELEMENTS (uidls));
  g_autoptr(GHashTable) ledger = make_ledger ();
  CachetFetchPolicy policy = { 0 };

  ledger_add (ledger, "a", 100, FALSE, FALSE);
  ledger_add (ledger, "e/f", 100, FALSE, FALSE);
  policy.large_policy = CACHET_LARGE_SKIP;
  policy.large_size = 4000;
  _cachet_fetch_plan (items, ledger, &policy);
  g_assert_cmpint (item (items, 0)->action, ==, CACHET_FETCH_KNOWN);
  g_assert_cmpint (item (items, 1)->action, ==, CACHET_FETCH_FULL);
  g_assert_cmpint (item (items, 2)->action, ==, CACHET_FETCH_SKIP);
  g_assert_cmpint (item (items, 3)->action, ==, CACHET_FETCH_SKIP);
  /* Listed twice: fetched once. */
  g_assert_cmpint (item (items, 4)->action, ==, CACHET_FETCH_DUPLICATE);
  g_assert_cmpint (item (items, 5)->action, ==, CACHET_FETCH_KNOWN);

  policy.large_policy = CACHET_LARGE_HEADERS_ONLY;
  _cachet_fetch_plan (items, ledger, &policy);
  g_assert_cmpint (item (items, 2)->action, ==, CACHET_FETCH_HEADERS);
  /* A limit of 0 is no limit. */
  policy.large_size = 0;
  _cachet_fetch_plan (items, ledger, &policy);
  g_assert_cmpint (item (items, 2)->action, ==, CACHET_FETCH_FULL);
  policy.large_policy = CACHET_LARGE_FETCH;
  policy.large_size = 4000;
  _cachet_fetch_plan (items, ledger, &policy);
  g_assert_cmpint (item (items, 3)->action, ==, CACHET_FETCH_FULL);
}

/* The delete rule: never what is not stored whole; as the policy says otherwise. */
static void
test_should_delete (void)
{
  const char *uidls[] = { "old", "young", "partial", "gone", "new", "new-failed", "big" };
  const guint64 sizes[] = { 10, 10, 10, 10, 10, 10, 99999 };
  g_autoptr(GPtrArray) items = make_items (uidls, sizes, G_N_ELEMENTS (uidls));
  g_autoptr(GHashTable) ledger = make_ledger ();
  gint64 now = 1700000000;
  CachetFetchPolicy policy = { 0 };
  struct
  {
    CachetServerPolicy policy;
    gboolean           when_deleted;
    gboolean           safe;
    gboolean           expect[7];
  } cases[] = {
    { CACHET_KEEP_ON_SERVER,     FALSE, FALSE, { 0, 0, 0, 0, 0, 0, 0 } },
    { CACHET_KEEP_ON_SERVER,     TRUE,  FALSE, { 0, 0, 0, 1, 0, 0, 0 } },
    { CACHET_DELETE_AFTER_FETCH, FALSE, FALSE, { 1, 1, 0, 1, 1, 0, 0 } },
    { CACHET_DELETE_AFTER_DAYS,  FALSE, FALSE, { 1, 0, 0, 0, 0, 0, 0 } },
    { CACHET_DELETE_AFTER_DAYS,  TRUE,  FALSE, { 1, 0, 0, 1, 0, 0, 0 } },
    /* No UIDL: nothing, whatever the policy. */
    { CACHET_DELETE_AFTER_FETCH, TRUE,  TRUE,  { 0, 0, 0, 0, 0, 0, 0 } },
  };

  ledger_add (ledger, "old", now - 15 * DAY, FALSE, FALSE);
  ledger_add (ledger, "young", now - 13 * DAY, FALSE, FALSE);
  ledger_add (ledger, "partial", now - 30 * DAY, TRUE, TRUE);
  ledger_add (ledger, "gone", now - 1 * DAY, FALSE, TRUE);
  policy.large_policy = CACHET_LARGE_HEADERS_ONLY;
  policy.large_size = 1000;
  policy.delete_after_days = 14;
  _cachet_fetch_plan (items, ledger, &policy);
  g_assert_cmpint (item (items, 6)->action, ==, CACHET_FETCH_HEADERS);
  item (items, 4)->stored_now = TRUE;
  item (items, 6)->stored_now = TRUE;

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      policy.server_policy = cases[c].policy;
      policy.delete_when_deleted_locally = cases[c].when_deleted;
      policy.safe_mode = cases[c].safe;
      for (guint i = 0; i < items->len; i++)
        {
          g_test_message ("case %" G_GSIZE_FORMAT ", %s", c, item (items, i)->uidl);
          g_assert_cmpint (_cachet_fetch_should_delete (item (items, i), &policy, now), ==,
                           cases[c].expect[i]);
        }
    }

  /* Delete after 0 days: as soon as stored. */
  policy.server_policy = CACHET_DELETE_AFTER_DAYS;
  policy.delete_when_deleted_locally = FALSE;
  policy.safe_mode = FALSE;
  policy.delete_after_days = 0;
  g_assert_true (_cachet_fetch_should_delete (item (items, 4), &policy, now));
  g_assert_false (_cachet_fetch_should_delete (item (items, 5), &policy, now));
}

static void
test_header_key (void)
{
  g_autoptr(GChecksum) a = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GChecksum) b = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *ka = NULL;
  g_autofree char *kb = NULL;
  g_autofree char *kc = NULL;
  g_autofree char *stored = NULL;

  g_checksum_update (a, (const guchar *) "Subject: x\n", -1);
  g_checksum_update (b, (const guchar *) "Subject: y\n", -1);
  ka = _cachet_fetch_header_key (100, a);
  kb = _cachet_fetch_header_key (100, b);
  kc = _cachet_fetch_header_key (101, a);
  g_assert_cmpstr (ka, !=, kb);
  g_assert_cmpstr (ka, !=, kc);
  /* Short enough to be kept as it is in the file name. */
  stored = cachet_store_ledger_key (ka);
  g_assert_cmpstr (stored, ==, ka);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/fetch/plan/actions", test_plan_actions);
  g_test_add_func ("/fetch/plan/should-delete", test_should_delete);
  g_test_add_func ("/fetch/plan/header-key", test_header_key);
  return g_test_run ();
}
