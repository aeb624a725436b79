/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cachet-core-error.h"
#include "cachet-mbox.h"

static char *
write_mbox (const char *content,
            gssize      len)
{
  g_autofree char *dir = g_dir_make_tmp ("cachet-mbox-XXXXXX", NULL);
  char *path = g_build_filename (dir, "test.mbox", NULL);

  g_assert_true (g_file_set_contents (path, content, len, NULL));
  return path;
}

/* Reads all messages; returns them as strings. */
static GPtrArray *
read_all (const char *content,
          gssize      len)
{
  g_autofree char *path = write_mbox (content, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMboxReader) reader = cachet_mbox_reader_open (path, &error);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  GBytes *msg;

  g_assert_no_error (error);
  g_assert_nonnull (reader);
  while ((msg = cachet_mbox_reader_next (reader, NULL, &error)) != NULL)
    {
      gsize n;
      const char *data = g_bytes_get_data (msg, &n);
      g_ptr_array_add (out, g_strndup (data ? data : "", n));
      g_bytes_unref (msg);
    }
  g_assert_no_error (error);
  g_assert_cmpint (cachet_mbox_reader_get_offset (reader), ==,
                   cachet_mbox_reader_get_size (reader));
  return out;
}

static void
test_two_messages (void)
{
  g_autoptr(GPtrArray) m = read_all ("From alice@example.org Mon Jan  1 00:00:00 2001\n"
                                     "Subject: one\n\nbody one\n\n"
                                     "From bob@example.org Tue Jan  2 00:00:00 2001\n"
                                     "Subject: two\n\nbody two\n", -1);

  g_assert_cmpuint (m->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (m, 0), ==, "Subject: one\n\nbody one\n");
  g_assert_cmpstr (g_ptr_array_index (m, 1), ==, "Subject: two\n\nbody two\n");
}

static void
test_mboxrd_unquoting (void)
{
  g_autoptr(GPtrArray) m = read_all ("From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n"
                                     "Subject: quoted\n\n"
                                     ">From the start\n"
                                     ">>From twice quoted\n"
                                     "> From not a From line\n", -1);

  g_assert_cmpuint (m->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (m, 0), ==,
                   "Subject: quoted\n\nFrom the start\n>From twice quoted\n"
                   "> From not a From line\n");
}

static void
test_unquoted_from_in_body (void)
{
  /* mboxo writers that did not quote: a "From " line that is not an envelope, or not
   * followed by a header, stays in the body. */
  g_autoptr(GPtrArray) m = read_all ("From - \n"
                                     "From: J <j@example.org>\nSubject: film\n\n"
                                     "My favourite film:\n\n"
                                     "From Russia with love\n"
                                     "Year: 1963\n\n"
                                     "From time to time\n"
                                     "it happens.\n", -1);

  g_assert_cmpuint (m->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (m, 0), "\nFrom Russia with love\nYear: 1963\n"));
  g_assert_nonnull (strstr (g_ptr_array_index (m, 0), "\nFrom time to time\n"));
}

static void
test_content_length (void)
{
  /* The body holds an unquoted envelope-like line; Content-Length tells where it ends. */
  const char *mbox = "From a@example.org Mon Jan  1 00:00:00 2001\n"
                     "Content-Length: 55\n"
                     "Subject: cl\n\n"
                     "line\n\n"
                     "From b@example.org Mon Jan  1 00:00:00 2001\n"
                     "X: y\n\n"
                     "From c@example.org Mon Jan  1 00:00:00 2001\n"
                     "Subject: next\n\nbody\n";
  g_autoptr(GPtrArray) m = read_all (mbox, -1);

  g_assert_cmpuint (m->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (m, 0), "From b@example.org"));
  g_assert_cmpstr (g_ptr_array_index (m, 1), ==, "Subject: next\n\nbody\n");
}

static void
test_wrong_content_length (void)
{
  /* A Content-Length that does not end at a separator is ignored. */
  g_autoptr(GPtrArray) m = read_all ("From a@example.org Mon Jan  1 00:00:00 2001\n"
                                     "Content-Length: 3\n\nlong body\n\n"
                                     "From b@example.org Mon Jan  1 00:00:00 2001\n"
                                     "Subject: b\n\nb\n", -1);

  g_assert_cmpuint (m->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (m, 0), ==, "Content-Length: 3\n\nlong body\n");
}

static void
test_crlf_and_bom (void)
{
  g_autoptr(GPtrArray) m = read_all ("\xEF\xBB\xBF" "From a@example.org Mon Jan  1 00:00:00 2001\r\n"
                                     "Subject: one\r\n\r\nbody\r\n\r\n"
                                     "From b@example.org Mon Jan  1 00:00:00 2001\r\n"
                                     "Subject: two\r\n\r\nbody\r\n", -1);

  g_assert_cmpuint (m->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (m, 0), ==, "Subject: one\r\n\r\nbody\r\n");
}

static void
test_binary_bytes (void)
{
  static const char mbox[] = "From a@example.org Mon Jan  1 00:00:00 2001\n"
                             "Subject: nul\n\na\0b\xff\n";
  g_autoptr(GPtrArray) m = read_all (mbox, sizeof mbox - 1);

  g_assert_cmpuint (m->len, ==, 1);
}

static void
test_empty_and_invalid (void)
{
  g_autoptr(GPtrArray) empty = read_all ("", 0);
  g_autofree char *path = write_mbox ("Subject: not an mbox\n\nbody\n", -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMboxReader) reader = cachet_mbox_reader_open (path, &error);
  g_autoptr(CachetMboxReader) missing = NULL;

  g_assert_cmpuint (empty->len, ==, 0);
  g_assert_null (reader);
  g_assert_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_MBOX);
  g_clear_error (&error);

  missing = cachet_mbox_reader_open ("/nonexistent/cachet.mbox", &error);
  g_assert_null (missing);
  g_assert_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_IO);
}

static void
test_envelope_and_cancel (void)
{
  g_autofree char *path = write_mbox ("From alice@example.org Mon Jan  1 00:00:00 2001\n"
                                      "Subject: one\n\nx\n\n"
                                      "From bob@example.org Mon Jan  1 00:00:00 2001\n"
                                      "Subject: two\n\ny\n", -1);
  g_autoptr(CachetMboxReader) reader = cachet_mbox_reader_open (path, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) first = cachet_mbox_reader_next (reader, cancellable, &error);
  g_autoptr(GBytes) second = NULL;

  g_assert_nonnull (first);
  g_assert_cmpstr (cachet_mbox_reader_get_envelope (reader), ==,
                   "From alice@example.org Mon Jan  1 00:00:00 2001");
  g_cancellable_cancel (cancellable);
  second = cachet_mbox_reader_next (reader, cancellable, &error);
  g_assert_null (second);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/mbox/two-messages", test_two_messages);
  g_test_add_func ("/core/mbox/mboxrd-unquoting", test_mboxrd_unquoting);
  g_test_add_func ("/core/mbox/unquoted-from-in-body", test_unquoted_from_in_body);
  g_test_add_func ("/core/mbox/content-length", test_content_length);
  g_test_add_func ("/core/mbox/wrong-content-length", test_wrong_content_length);
  g_test_add_func ("/core/mbox/crlf-and-bom", test_crlf_and_bom);
  g_test_add_func ("/core/mbox/binary-bytes", test_binary_bytes);
  g_test_add_func ("/core/mbox/empty-and-invalid", test_empty_and_invalid);
  g_test_add_func ("/core/mbox/envelope-and-cancel", test_envelope_and_cancel);

  return g_test_run ();
}
