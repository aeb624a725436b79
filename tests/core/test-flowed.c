/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-flowed.h"

static void
expect (const char *input,
        gboolean    delsp,
        const char *expected)
{
  g_autofree char *got = cachet_flowed_decode (input, delsp);
  g_assert_cmpstr (got, ==, expected);
}

static void
test_soft_breaks (void)
{
  expect ("This is a \r\nflowed \r\nparagraph.\r\n", FALSE, "This is a flowed paragraph.\n");
  expect ("Hard\r\nbreaks\r\n", FALSE, "Hard\nbreaks\n");
  /* An empty line after a soft break ends the paragraph (RFC 3676 4.2). */
  expect ("one \r\n\r\ntwo\r\n", FALSE, "one \ntwo\n");
  /* LF only, as some local files have. */
  expect ("a \nb\n", FALSE, "a b\n");
}

static void
test_delsp (void)
{
  expect ("Japa \r\nnese\r\n", TRUE, "Japanese\n");
  expect ("Japa \r\nnese\r\n", FALSE, "Japa nese\n");
}

static void
test_quotes (void)
{
  expect ("> quoted \r\n> text\r\nreply\r\n", FALSE, "> quoted text\nreply\n");
  expect (">> deep \r\n>> quote\r\n", FALSE, ">> deep quote\n");
  /* A change of depth ends the paragraph even after a soft break (RFC 3676 4.5). */
  expect ("> first \r\n>> second\r\n", FALSE, "> first \n>> second\n");
  /* An empty quoted line stays as it was: no space after the quote marks. */
  expect ("> ", FALSE, ">\n");
  expect ("> a\r\n>\r\n> b\r\n", FALSE, "> a\n>\n> b\n");
  expect (">>\r\n", FALSE, ">>\n");
}

static void
test_stuffing_and_signature (void)
{
  /* One space after the quote marks (or at the start) is stuffing. */
  expect ("  indented\r\n", FALSE, " indented\n");
  expect (" From here\r\n", FALSE, "From here\n");
  /* "-- " is the signature separator, never a soft break. */
  expect ("text \r\n-- \r\nsig\r\n", FALSE, "text -- \nsig\n");
  expect ("body\r\n-- \r\nName \r\nline\r\n", FALSE, "body\n-- \nName line\n");
}

static void
test_empty (void)
{
  expect ("", FALSE, "");
  expect (NULL, FALSE, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/flowed/soft-breaks", test_soft_breaks);
  g_test_add_func ("/core/flowed/delsp", test_delsp);
  g_test_add_func ("/core/flowed/quotes", test_quotes);
  g_test_add_func ("/core/flowed/stuffing-and-signature", test_stuffing_and_signature);
  g_test_add_func ("/core/flowed/empty", test_empty);

  return g_test_run ();
}
