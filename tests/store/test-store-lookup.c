/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-store.h"
#include "store-test-util.h"

/* cachet_store_find_by_message_id(): the original of a bounce, found in Sent. */

static gint64
add (CachetStore *store,
     gint64       folder_id,
     const char  *message_id,
     const char  *date)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m = store_test_message (message_id, "Hello", NULL, date, NULL, NULL, NULL);
  gint64 id = cachet_store_add_message_sync (store, folder_id, m, 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
test_by_message_id (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GError) error = NULL;
  gint64 inbox = store_test_folder_id (store, "Inbox");
  gint64 sent = store_test_folder_id (store, "Sent");
  gint64 in_sent, in_inbox, newer, other;

  in_sent = add (store, sent, "original-1@example.org", "Mon, 01 Jan 2024 10:00:00 +0000");
  /* The same message came back (a list, a Cc to oneself), later. */
  in_inbox = add (store, inbox, "original-1@example.org", "Tue, 02 Jan 2024 10:00:00 +0000");
  other = add (store, sent, "other@example.org", "Mon, 01 Jan 2024 11:00:00 +0000");
  add (store, inbox, NULL, NULL);

  g_assert_cmpint (cachet_store_find_by_message_id (store, "original-1@example.org", sent,
                                                    &error), ==, in_sent);
  g_assert_no_error (error);
  g_assert_cmpint (cachet_store_find_by_message_id (store, "original-1@example.org", inbox,
                                                    &error), ==, in_inbox);
  g_assert_no_error (error);
  /* Any folder: the newest. */
  g_assert_cmpint (cachet_store_find_by_message_id (store, "original-1@example.org", 0,
                                                    &error), ==, in_inbox);
  g_assert_no_error (error);
  g_assert_cmpint (cachet_store_find_by_message_id (store, "other@example.org", 0, &error),
                   ==, other);
  g_assert_no_error (error);

  /* Not there, or not in that folder: 0 and no error.  Angle brackets are not part of it. */
  g_assert_cmpint (cachet_store_find_by_message_id (store, "missing@example.org", 0, &error),
                   ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (cachet_store_find_by_message_id (store, "other@example.org", inbox, &error),
                   ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (cachet_store_find_by_message_id (store, "<other@example.org>", 0, &error),
                   ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (cachet_store_find_by_message_id (store, "", 0, &error), ==, 0);
  g_assert_no_error (error);

  /* A message moved out of Sent is found where it went. */
  g_assert_true (cachet_store_move_sync (store, &in_sent, 1, inbox, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cachet_store_find_by_message_id (store, "original-1@example.org", sent,
                                                    &error), ==, 0);
  g_assert_no_error (error);
  newer = add (store, sent, "original-1@example.org", "Wed, 03 Jan 2024 10:00:00 +0000");
  g_assert_cmpint (cachet_store_find_by_message_id (store, "original-1@example.org", sent,
                                                    &error), ==, newer);
  g_assert_no_error (error);

  /* A closed store says so. */
  cachet_store_close (store);
  g_assert_cmpint (cachet_store_find_by_message_id (store, "other@example.org", 0, &error),
                   ==, 0);
  g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_FAILED);
  store_test_close (store);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/store/lookup/by-message-id", test_by_message_id);
  return g_test_run ();
}
