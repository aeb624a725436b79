/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-date.h"

typedef struct
{
  const char *raw;
  const char *expected;  /* "%Y-%m-%d %H:%M:%S %z", or NULL for "no date" */
} Case;

static void
test_dates (void)
{
  static const Case cases[] = {
    { "Tue, 3 Jun 2008 11:05:30 +0200", "2008-06-03 11:05:30 +0200" },
    { "3 Jun 2008 11:05:30 -0700", "2008-06-03 11:05:30 -0700" },
    { "Tue, 03 Jun 2008 11:05 +0000", "2008-06-03 11:05:00 +0000" },
    /* Obsolete forms: two-digit years, named zones, comments. */
    { "Tue, 8 Oct 91 10:25:36 EDT", "1991-10-08 10:25:36 -0400" },
    { "Fri, 20 Apr 01 19:35:02 GMT", "2001-04-20 19:35:02 +0000" },
    { "Thu, 29 Apr 2010 23:34:45 +0900 (JST)", "2010-04-29 23:34:45 +0900" },
    { "Mon, 1 Jan 2001 00:00:00 UT", "2001-01-01 00:00:00 +0000" },
    /* Broken forms seen in real mail. */
    { "Tue Jun  3 11:05:30 2008", "2008-06-03 11:05:30 +0000" },
    { "Tuesday, June 3, 2008 11:05:30 AM -0400", "2008-06-03 11:05:30 -0400" },
    { "3 Jun 2008 1:05:30 PM +0100", "2008-06-03 13:05:30 +0100" },
    { "2008-06-03T11:05:30Z", "2008-06-03 11:05:30 +0000" },
    { "3-Jun-2008 11:05:30 +0000", "2008-06-03 11:05:30 +0000" },
    { "  Tue, 3 Jun 2008 11:05:30 +02:00", "2008-06-03 11:05:30 +0200" },
    /* No date at all, or impossible values. */
    { "Whenever", NULL },
    { "", NULL },
    { "Mon, 1 Jan 2001 25:00:00 +0000", NULL },
    { "31 Foo 2008", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) dt = cachet_date_parse (cases[i].raw);
      g_autofree char *got = dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S %z") : NULL;

      g_test_message ("input: %s", cases[i].raw);
      g_assert_cmpstr (got, ==, cases[i].expected);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/core/date/forms", test_dates);
  return g_test_run ();
}
