/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cachet-store.h"
#include "store-test-util.h"

typedef struct
{
  char        *data_dir;
  CachetStore *store;
  gint64       inbox;
  gint64       work;
  gint64       ids[6];
} Fixture;

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  static const struct
  {
    const char *from;
    const char *subject;
    const char *date;
    const char *body;
    gboolean    work;
  } msgs[] = {
    { "Alice Liddell <alice@wonderland.example>", "Tea party invitation",
      "Mon, 01 Jan 2024 10:00:00 +0000", "Please come to the mad tea party.\r\n", FALSE },
    { "Bob Builder <bob@builders.example>", "Quarterly report",
      "Tue, 02 Jan 2024 10:00:00 +0000", "The quarterly numbers are attached.\r\n", TRUE },
    { "Carol <carol@example.org>", "Re: Tea party invitation",
      "Wed, 03 Jan 2024 10:00:00 +0000", "I will bring scones. Caf\xc3\xa9 too.\r\n", FALSE },
    { "Dave <dave@example.org>", "Party NEAR the river",
      "Thu, 04 Jan 2024 10:00:00 +0000", "subject: body from: nobody\r\n", TRUE },
    { "Eve <eve@example.org>", "Reporting lines",
      "Fri, 05 Jan 2024 10:00:00 +0000", "Reports and reporters.\r\n", FALSE },
    { "Frank <frank@example.org>", "Nothing",
      "Sat, 06 Jan 2024 10:00:00 +0000", "Nothing to see \"here\" (really).\r\n", FALSE },
  };

  f->data_dir = store_test_new_data_dir ();
  f->store = store_test_open (f->data_dir);
  f->inbox = store_test_folder_id (f->store, "Inbox");
  f->work = cachet_store_create_folder_sync (f->store, 0, "Work", NULL, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (msgs); i++)
    {
      g_autoptr(GBytes) m = store_test_message (NULL, msgs[i].subject, msgs[i].from,
                                                msgs[i].date, NULL, NULL, msgs[i].body);
      f->ids[i] = cachet_store_add_message_sync (f->store, msgs[i].work ? f->work : f->inbox,
                                                 m, 0, NULL, &error);
      g_assert_no_error (error);
    }
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  store_test_close (f->store);
  g_free (f->data_dir);
}

/* Searches and returns the hits as indexes into f->ids ("2,0"), newest first. */
static char *
search (Fixture    *f,
        const char *query,
        gint64      folder_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMessageList) hits = cachet_store_search_sync (f->store, query, folder_id,
                                                                NULL, &error);
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (hits);
  for (guint i = 0; i < hits->ids->len; i++)
    for (gsize j = 0; j < G_N_ELEMENTS (f->ids); j++)
      if (f->ids[j] == g_array_index (hits->ids, gint64, i))
        g_string_append_printf (out, "%s%zu", out->len ? "," : "", j);
  return g_string_free (out, FALSE);
}

#define assert_search(f, q, folder, expected) \
  G_STMT_START { \
    g_autofree char *_got = search ((f), (q), (folder)); \
    g_assert_cmpstr (_got, ==, (expected)); \
  } G_STMT_END

static void
test_words (Fixture      *f,
            gconstpointer data)
{
  assert_search (f, "tea", 0, "2,0");
  assert_search (f, "TEA Party", 0, "2,0");
  assert_search (f, "party", 0, "3,2,0");
  assert_search (f, "scones", 0, "2");
  assert_search (f, "cafe", 0, "2");          /* diacritics folded */
  assert_search (f, "nonexistentword", 0, "");
}

static void
test_prefix (Fixture      *f,
             gconstpointer data)
{
  assert_search (f, "report*", 0, "4,1");
  assert_search (f, "quarter*", 0, "1");
  assert_search (f, "report", 0, "1");
}

static void
test_phrase (Fixture      *f,
             gconstpointer data)
{
  assert_search (f, "\"tea party\"", 0, "2,0");
  assert_search (f, "\"party tea\"", 0, "");
  assert_search (f, "\"mad tea\" party", 0, "0");
  assert_search (f, "\"quarterly num\"*", 0, "1");
}

static void
test_columns (Fixture      *f,
              gconstpointer data)
{
  assert_search (f, "from:alice", 0, "0");
  assert_search (f, "from:wonderland.example", 0, "0");
  assert_search (f, "from:\"Bob Builder\"", 0, "1");
  assert_search (f, "to:bob", 0, "5,4,3,2,1,0");
  assert_search (f, "subject:report*", 0, "4,1");
  assert_search (f, "subject:party -re", 0, "3,0");
  assert_search (f, "FROM:carol tea", 0, "2");
}

static void
test_folder_filter (Fixture      *f,
                    gconstpointer data)
{
  assert_search (f, "party", f->work, "3");
  assert_search (f, "party", f->inbox, "2,0");
  assert_search (f, "report*", f->inbox, "4");
}

static void
test_hostile (Fixture      *f,
              gconstpointer data)
{
  static const char * const queries[] = {
    "\"", "\"\"", "\"\"\"", "(", ")", "()", "(party", "party)", "NEAR", "NEAR(tea party)",
    "tea NEAR party", "AND", "OR", "NOT", "tea OR", "NOT tea", "party AND", "*", "**", "* *",
    "tea*party", "^tea", "subject:", "from:", "subject:*", "body:(", "sender:bob", "rowid:1",
    "messages_fts:tea", "{subject}:tea", "subject : tea", "'", "tea'; DROP TABLE messages;--",
    "\\", "%", "_", "-", "--", "-tea", "- tea", "+tea", ":", "::", "a:b:c", "\xff\xfe",
    "caf\xc3", "tea\"party", "\"unterminated phrase", "NEAR/3", "col:tea", "x\ty\nz",
  };
  g_autoptr(GString) huge = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CachetMessageList) hits = cachet_store_search_sync (f->store, queries[i], 0,
                                                                    NULL, &error);
      /* An empty result or a query error, never a database error. */
      if (hits == NULL)
        g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_QUERY);
      else
        g_assert_no_error (error);
    }
  /* Operators typed by the user are plain words. */
  assert_search (f, "NEAR", 0, "3");
  assert_search (f, "subject: body", 0, "3");
  assert_search (f, "\"here\"", 0, "5");
  assert_search (f, "(really)", 0, "5");
  assert_search (f, "tea OR", 0, "");
  assert_search (f, "*", 0, "");
  assert_search (f, "", 0, "");
  assert_search (f, "   ", 0, "");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CachetMessageList) hits = cachet_store_search_sync (f->store, "-tea", 0, NULL,
                                                                  &error);
    g_assert_null (hits);
    g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_QUERY);
  }

  for (int i = 0; i < 20000; i++)
    g_string_append (huge, i % 3 ? "party " : "(\"NEAR* ");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CachetMessageList) hits = cachet_store_search_sync (f->store, huge->str, 0,
                                                                  NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (hits);
  }
}

/* Threading */

static gint64
add_threaded (CachetStore *store,
              gint64       folder,
              const char  *mid,
              const char  *subject,
              int          day,
              const char  *in_reply_to,
              const char  *refs)
{
  g_autofree char *date = g_strdup_printf ("%02d Jan 2024 10:00:00 +0000", day);
  g_autoptr(GBytes) m = store_test_message (mid, subject, NULL, date, in_reply_to, refs, NULL);
  g_autoptr(GError) error = NULL;
  gint64 id = cachet_store_add_message_sync (store, folder, m, 0, NULL, &error);
  g_assert_no_error (error);
  return id;
}

static char *
threaded (CachetStore     *store,
          gint64           folder,
          CachetSortColumn sort,
          gboolean         descending,
          GHashTable      *names)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMessageList) list = cachet_store_list_messages_sync (store, folder, sort,
                                                                       descending, TRUE, NULL,
                                                                       &error);
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (list->depths);
  g_assert_cmpuint (list->depths->len, ==, list->ids->len);
  for (guint i = 0; i < list->ids->len; i++)
    {
      gint64 id = g_array_index (list->ids, gint64, i);
      g_string_append_printf (out, "%s%s%u", out->len ? " " : "",
                              (const char *) g_hash_table_lookup (names, &id),
                              g_array_index (list->depths, guint16, i));
    }
  return g_string_free (out, FALSE);
}

static void
name_id (GHashTable *names,
         gint64      id,
         const char *name)
{
  gint64 *key = g_new (gint64, 1);
  *key = id;
  g_hash_table_insert (names, key, (gpointer) name);
}

static void
test_threads (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                       NULL);
  gint64 inbox = store_test_folder_id (store, "Inbox");
  g_autofree char *got = NULL;

  /* A: root.  B replies to A, C to B, D to A (later than C).  E: its parent "missing" is not
   * here, so E is a root.  F and G reference each other (a cycle: the link made first, F's,
   * stays).  H and I share a
   * Message-ID; J replies to that id.  K has no Message-ID at all. */
  name_id (names, add_threaded (store, inbox, "a@x", "A", 1, NULL, NULL), "A");
  name_id (names, add_threaded (store, inbox, "b@x", "B", 2, "a@x", "<a@x>"), "B");
  name_id (names, add_threaded (store, inbox, "c@x", "C", 3, "b@x", "<a@x> <b@x>"), "C");
  name_id (names, add_threaded (store, inbox, "d@x", "D", 5, "a@x", "<a@x>"), "D");
  name_id (names, add_threaded (store, inbox, "e@x", "E", 4, "missing@x", "<missing@x>"), "E");
  name_id (names, add_threaded (store, inbox, "f@x", "F", 6, "g@x", "<g@x>"), "F");
  name_id (names, add_threaded (store, inbox, "g@x", "G", 7, "f@x", "<f@x>"), "G");
  name_id (names, add_threaded (store, inbox, "dup@x", "H", 8, NULL, NULL), "H");
  name_id (names, add_threaded (store, inbox, "dup@x", "I", 9, NULL, NULL), "I");
  name_id (names, add_threaded (store, inbox, "j@x", "J", 10, "dup@x", "<dup@x>"), "J");
  name_id (names, add_threaded (store, inbox, NULL, "K", 11, NULL, NULL), "K");
  /* L references an unknown id last, a known one before: parent is the known one. */
  name_id (names, add_threaded (store, inbox, "l@x", "L", 12, NULL, "<c@x> <zzz@x>"), "L");
  /* M refers to itself. */
  name_id (names, add_threaded (store, inbox, "m@x", "M", 13, "m@x", "<m@x>"), "M");

  /* By date, oldest thread first: a thread sorts by its newest message (A's thread: L on
   * the 12th); children by date. */
  got = threaded (store, inbox, CACHET_SORT_DATE, FALSE, names);
  g_assert_cmpstr (got, ==, "E0 G0 F1 I0 H0 J1 K0 A0 B1 C2 L3 D1 M0");
  g_clear_pointer (&got, g_free);
  got = threaded (store, inbox, CACHET_SORT_DATE, TRUE, names);
  g_assert_cmpstr (got, ==, "M0 A0 B1 C2 L3 D1 K0 H0 J1 I0 G0 F1 E0");
  /* By subject: threads in the order of their roots' subjects. */
  g_clear_pointer (&got, g_free);
  got = threaded (store, inbox, CACHET_SORT_SUBJECT, FALSE, names);
  g_assert_cmpstr (got, ==, "A0 B1 C2 L3 D1 E0 G0 F1 H0 J1 I0 K0 M0");

  /* Unthreaded lists have no depths. */
  {
    g_autoptr(CachetMessageList) flat = store_test_list (store, inbox);
    g_assert_null (flat->depths);
    g_assert_cmpuint (flat->ids->len, ==, 13);
  }
  store_test_close (store);
}

static void
test_sorting (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  gint64 inbox = store_test_folder_id (store, "Inbox");
  g_autoptr(GBytes) m1 = store_test_message (NULL, "Re: banana", "Zed <z@x>",
                                             "01 Jan 2024 10:00:00 +0000", NULL, NULL, "short");
  g_autoptr(GBytes) m2 = store_test_message (NULL, "apple", "adam <a@x>",
                                             "03 Jan 2024 10:00:00 +0000", NULL, NULL,
                                             "a much longer body than the others, really");
  g_autoptr(GBytes) m3 = store_test_message (NULL, "Cherry", "Mike <m@x>",
                                             "02 Jan 2024 10:00:00 +0000", NULL, NULL, "mid");
  gint64 a = cachet_store_add_message_sync (store, inbox, m1, CACHET_FLAG_SEEN, NULL, NULL);
  gint64 b = cachet_store_add_message_sync (store, inbox, m2, 0, NULL, NULL);
  gint64 c = cachet_store_add_message_sync (store, inbox, m3, CACHET_FLAG_FLAGGED, NULL, NULL);
  struct
  {
    CachetSortColumn sort;
    gboolean         desc;
    gint64           order[3];
  } cases[] = {
    { CACHET_SORT_DATE, FALSE, { a, c, b } },
    { CACHET_SORT_DATE, TRUE, { b, c, a } },
    { CACHET_SORT_FROM, FALSE, { b, c, a } },      /* case-insensitive */
    { CACHET_SORT_SUBJECT, FALSE, { b, a, c } },   /* "Re: " ignored */
    { CACHET_SORT_SIZE, TRUE, { b, a, c } },
    { CACHET_SORT_FLAGS, FALSE, { b, a, c } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CachetMessageList) list =
        cachet_store_list_messages_sync (store, inbox, cases[i].sort, cases[i].desc, FALSE,
                                         NULL, NULL);
      g_assert_cmpuint (list->ids->len, ==, 3);
      for (guint j = 0; j < 3; j++)
        g_assert_cmpint (g_array_index (list->ids, gint64, j), ==, cases[i].order[j]);
    }
  store_test_close (store);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/store/search/words", test_words);
  ADD ("/store/search/prefix", test_prefix);
  ADD ("/store/search/phrase", test_phrase);
  ADD ("/store/search/columns", test_columns);
  ADD ("/store/search/folder-filter", test_folder_filter);
  ADD ("/store/search/hostile-input", test_hostile);
#undef ADD
  g_test_add_func ("/store/list/threads", test_threads);
  g_test_add_func ("/store/list/sorting", test_sorting);
  return g_test_run ();
}
