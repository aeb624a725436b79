/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-address.h"

typedef struct
{
  const char *raw;
  const char *formatted;  /* cachet_address_list_format of the result */
  guint       count;
} Case;

static void
check (const Case *cases,
       gsize       n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GPtrArray) list = cachet_address_list_parse (cases[i].raw);
      g_autofree char *text = cachet_address_list_format (list);
      /* Escaped: raw 8-bit input would make the TAP output invalid UTF-8. */
      g_autofree char *shown = g_strescape (cases[i].raw, NULL);

      g_test_message ("input: %s", shown);
      g_assert_cmpuint (list->len, ==, cases[i].count);
      g_assert_cmpstr (text, ==, cases[i].formatted);
      g_assert_true (g_utf8_validate (text, -1, NULL));
    }
}

static void
test_valid (void)
{
  static const Case cases[] = {
    { "alice@example.org", "alice@example.org", 1 },
    { "Alice <alice@example.org>", "Alice <alice@example.org>", 1 },
    { "\"Doe, Jane\" <jane@example.org>", "\"Doe, Jane\" <jane@example.org>", 1 },
    { "a@example.org, B <b@example.org>", "a@example.org, B <b@example.org>", 2 },
    { "Team: a@example.org, b@example.org;", "a@example.org, b@example.org", 2 },
    { "undisclosed-recipients:;", "", 0 },
    { "", "", 0 },
    { "  ", "", 0 },
    { "Alice\r\n <alice@example.org>", "Alice <alice@example.org>", 1 },
  };
  check (cases, G_N_ELEMENTS (cases));
}

static void
test_encoded (void)
{
  static const Case cases[] = {
    { "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>",
      "Keld Jørn Simonsen <keld@dkuug.dk>", 1 },
    { "=?UTF-8?B?Rm9vLCBCYXI=?= <foo.bar@example.com>", "\"Foo, Bar\" <foo.bar@example.com>", 1 },
    /* Encoded word inside quotes, and a doubly quoted name. */
    { "\"=?utf-8?q?M=C3=BCller?=\" <m@example.org>", "Müller <m@example.org>", 1 },
    { "\"\\\"Name\\\"\" <n@example.org>", "Name <n@example.org>", 1 },
    /* Raw UTF-8 (RFC 6532) and raw Latin-1 names. */
    { "J\xc3\xb6rg <j@example.org>", "Jörg <j@example.org>", 1 },
    { "J\xf6rg <j@example.org>", "Jörg <j@example.org>", 1 },
  };
  check (cases, G_N_ELEMENTS (cases));
}

static void
test_broken (void)
{
  static const Case cases[] = {
    /* Old comment form. */
    { "barry@digicool.com (Barry A. Warsaw)", "Barry A. Warsaw <barry@digicool.com>", 1 },
    /* Unquoted comma in a name: two items, nothing lost. */
    { "Doe, Jane <jane@example.org>", "Doe, Jane <jane@example.org>", 2 },
    /* Missing closing bracket. */
    { "Alice <alice@example.org", "Alice <alice@example.org>", 1 },
    /* Unquoted special characters. */
    { "Dr. A. Smith <smith@example.org>", "Dr. A. Smith <smith@example.org>", 1 },
    /* Just a name. */
    { "Somebody", "Somebody", 1 },
    /* Stray semicolon separators. */
    { "a@example.org; b@example.org", "a@example.org, b@example.org", 2 },
    /* Invalid bytes in the address itself are made valid. */
    { "\xb4google@example.com", "\xef\xbf\xbdgoogle@example.com", 1 },
  };
  check (cases, G_N_ELEMENTS (cases));
}

static void
test_display (void)
{
  g_autoptr(CachetAddress) named = cachet_address_new ("  Alice ", "alice@example.org");
  g_autoptr(CachetAddress) bare = cachet_address_new (NULL, "bob@example.org");
  g_autoptr(CachetAddress) empty = cachet_address_new ("", "");
  g_autoptr(CachetAddress) copy = cachet_address_copy (named);

  g_assert_cmpstr (cachet_address_get_display (named), ==, "Alice");
  g_assert_cmpstr (cachet_address_get_display (bare), ==, "bob@example.org");
  g_assert_cmpstr (cachet_address_get_display (empty), ==, "");
  g_assert_null (empty->name);
  g_assert_null (empty->email);
  g_assert_cmpstr (copy->email, ==, "alice@example.org");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/address/valid", test_valid);
  g_test_add_func ("/core/address/encoded", test_encoded);
  g_test_add_func ("/core/address/broken", test_broken);
  g_test_add_func ("/core/address/display", test_display);

  return g_test_run ();
}
