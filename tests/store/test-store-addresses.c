/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cachet-address.h"
#include "cachet-store.h"
#include "store-test-util.h"

/* Addresses seen, for the composer's completion. */

typedef struct
{
  char        *data_dir;
  CachetStore *store;
} Fixture;

static void
add (Fixture    *f,
     const char *from,
     const char *to,
     const char *date)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  gint64 inbox = store_test_folder_id (f->store, "Inbox");

  text = g_strdup_printf ("From: %s\r\nTo: %s\r\nSubject: x\r\nDate: %s\r\n\r\nHello.\r\n",
                          from, to, date);
  bytes = g_bytes_new_take (text, strlen (text));
  text = NULL;
  cachet_store_add_message_sync (f->store, inbox, bytes, 0, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  f->data_dir = store_test_new_data_dir ();
  f->store = store_test_open (f->data_dir);
  add (f, "Alice Liddell <alice@wonderland.example>", "me@example.org",
       "Mon, 01 Jan 2024 10:00:00 +0000");
  add (f, "Alice L. <ALICE@wonderland.example>", "me@example.org",
       "Tue, 02 Jan 2024 10:00:00 +0000");
  add (f, "Albert Ross <albert@sea.example>", "me@example.org",
       "Wed, 03 Jan 2024 10:00:00 +0000");
  add (f, "me@example.org", "alfred@bare.example, Named Person <named@x.example>",
       "Thu, 04 Jan 2024 10:00:00 +0000");
  add (f, "=?UTF-8?Q?=C3=89mile_Zola?= <emile@paris.example>", "me@example.org",
       "Fri, 05 Jan 2024 10:00:00 +0000");
  add (f, "Percent <100%_sure@odd.example>", "me@example.org",
       "Sat, 06 Jan 2024 10:00:00 +0000");
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  store_test_close (g_steal_pointer (&f->store));
  g_free (f->data_dir);
}

/* "Name <addr>" lines of what was found, in order. */
static char *
find (Fixture    *f,
      const char *prefix,
      guint       limit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  GString *out = g_string_new (NULL);

  found = cachet_store_find_addresses_sync (f->store, prefix, limit, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  for (guint i = 0; i < found->len; i++)
    {
      g_autofree char *text = cachet_address_to_string (g_ptr_array_index (found, i));
      g_string_append_printf (out, "%s%s", i > 0 ? "|" : "", text);
    }
  return g_string_free (out, FALSE);
}

static void
test_prefix (Fixture      *f,
             gconstpointer data)
{
  g_autofree char *al = find (f, "al", 0);
  g_autofree char *al_upper = find (f, "AL", 0);
  g_autofree char *one = find (f, "al", 1);
  g_autofree char *liddell = find (f, "lidd", 0);
  g_autofree char *inside = find (f, "ice", 0);
  g_autofree char *emile = find (f, "\xc3\xa9mi", 0);
  g_autofree char *emile_upper = find (f, "\xc3\x89MI", 0);
  g_autofree char *named = find (f, "named@", 0);
  g_autofree char *percent = find (f, "100%", 0);
  g_autofree char *wildcard = find (f, "%", 0);
  g_autofree char *nothing = find (f, "zzz", 0);

  /* Alice wrote twice (one address in two spellings): first, with the name used last;
   * then the more recent of the others. */
  g_assert_cmpstr (al, ==, "Alice L. <ALICE@wonderland.example>|alfred@bare.example|"
                           "Albert Ross <albert@sea.example>");
  g_assert_cmpstr (al_upper, ==, al);
  g_assert_cmpstr (one, ==, "Alice L. <ALICE@wonderland.example>");
  /* A word of the name (of the message that had it); not the middle of a word. */
  g_assert_cmpstr (liddell, ==, "Alice Liddell <alice@wonderland.example>");
  g_assert_cmpstr (inside, ==, "");
  g_assert_cmpstr (emile, ==, "\xc3\x89mile Zola <emile@paris.example>");
  g_assert_cmpstr (emile_upper, ==, emile);
  /* A recipient with a name is not in the index with an address. */
  g_assert_cmpstr (named, ==, "");
  /* LIKE wildcards typed are plain characters. */
  g_assert_cmpstr (percent, ==, "Percent <100%_sure@odd.example>");
  g_assert_cmpstr (wildcard, ==, "");
  g_assert_cmpstr (nothing, ==, "");
}

static void
test_word_of_name (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *ross = find (f, "ross", 0);
  g_autofree char *zola = find (f, "zola", 0);

  g_assert_cmpstr (ross, ==, "Albert Ross <albert@sea.example>");
  g_assert_cmpstr (zola, ==, "\xc3\x89mile Zola <emile@paris.example>");
}

static void
found_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = cachet_store_find_addresses_finish (CACHET_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
cancelled_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *found;

  found = cachet_store_find_addresses_finish (CACHET_STORE (source), result, &error);
  g_assert_null (found);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  *done = TRUE;
}

static void
test_async (Fixture      *f,
            gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GPtrArray *found = NULL;
  gboolean cancelled = FALSE;
  CachetAddress *first;

  cachet_store_find_addresses_async (f->store, "alb", 5, NULL, found_cb, &found);
  while (found == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (found->len, ==, 1);
  first = g_ptr_array_index (found, 0);
  g_assert_cmpstr (first->name, ==, "Albert Ross");
  g_assert_cmpstr (first->email, ==, "albert@sea.example");
  g_ptr_array_unref (found);

  g_cancellable_cancel (cancellable);
  cachet_store_find_addresses_async (f->store, "alb", 5, cancellable, cancelled_cb, &cancelled);
  while (!cancelled)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_closed (void)
{
  g_autofree char *dir = store_test_new_data_dir ();
  g_autoptr(CachetStore) store = cachet_store_new (dir);
  g_autoptr(GError) error = NULL;

  g_assert_null (cachet_store_find_addresses_sync (store, "a", 0, NULL, &error));
  g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_FAILED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/store/addresses/prefix", Fixture, NULL, fixture_setup, test_prefix,
              fixture_teardown);
  g_test_add ("/store/addresses/word-of-name", Fixture, NULL, fixture_setup,
              test_word_of_name, fixture_teardown);
  g_test_add ("/store/addresses/async", Fixture, NULL, fixture_setup, test_async,
              fixture_teardown);
  g_test_add_func ("/store/addresses/closed", test_closed);
  return g_test_run ();
}
