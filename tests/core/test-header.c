/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-header.h"

typedef struct
{
  const char *raw;
  const char *expected;
} Case;

static void
check_cases (const Case *cases,
             gsize       n,
             const char *fallback)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *got = cachet_header_decode (cases[i].raw, fallback);
      g_assert_true (g_utf8_validate (got, -1, NULL));
      g_assert_cmpstr (got, ==, cases[i].expected);
    }
}

static void
test_plain (void)
{
  static const Case cases[] = {
    { "Hello world", "Hello world" },
    { "  padded  ", "padded" },
    { "", "" },
    { "tab\there", "tab here" },
    { "ctrl\x01" "char", "ctrl char" },
  };
  check_cases (cases, G_N_ELEMENTS (cases), NULL);
}

static void
test_unfold (void)
{
  g_autofree char *a = cachet_header_unfold ("one\r\n two\r\n\tthree");
  g_autofree char *b = cachet_header_unfold ("broken\nline");
  g_autofree char *c = cachet_header_decode ("=?utf-8?q?a?=\r\n =?utf-8?q?b?=", NULL);

  g_assert_cmpstr (a, ==, "one two\tthree");
  g_assert_cmpstr (b, ==, "broken line");
  /* Folding whitespace between two encoded words disappears with it. */
  g_assert_cmpstr (c, ==, "ab");
}

static void
test_rfc2047 (void)
{
  static const Case cases[] = {
    /* RFC 2047 section 8 examples */
    { "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=", "Keld Jørn Simonsen" },
    { "=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard" },
    { "(=?ISO-8859-1?Q?a?=)", "(a)" },
    { "=?ISO-8859-1?Q?a?= b", "a b" },
    { "=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab" },
    { "=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=", "ab" },
    { "=?ISO-8859-1?Q?a_b?=", "a b" },
    { "=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=", "a b" },
    { "=?UTF-8?B?TW90w7ZyaGVhZA==?=", "Motörhead" },
    { "=?utf-8?b?4pyI?= travel", "✈ travel" },
    { "=?KOI8-R?B?9MXT1A==?=", "Тест" },
    { "=?windows-1251?B?wPLo6u7iYQ==?=", "Атиковa" },
    { "=?iso-2022-jp?B?GyRCRnxLXDhsGyhC?=", "日本語" },
    /* RFC 2231 language suffix */
    { "=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore" },
  };
  check_cases (cases, G_N_ELEMENTS (cases), NULL);
}

static void
test_broken_forms (void)
{
  static const Case cases[] = {
    /* A UTF-8 character split across two words (many mailers do this). */
    { "=?UTF-8?B?w6k=?= =?UTF-8?B?w6k=?=", "éé" },
    { "=?UTF-8?B?4pw=?= =?UTF-8?B?iA==?=", "✈" },
    { "=?UTF-8?Q?=E2=9C?= =?UTF-8?Q?=88?=", "✈" },
    /* Missing base64 padding. */
    { "=?utf-8?B?TW90w7ZyaGVhZA?=", "Motörhead" },
    /* No whitespace around the word. */
    { "Re:=?utf-8?q?Gr=C3=BC=C3=9Fe?=!", "Re:Grüße!" },
    /* An encoded word inside a quoted string (not allowed, very common). */
    { "\"=?utf-8?q?M=C3=BCller?=\"", "\"Müller\"" },
    /* Unknown charset: bytes still shown, valid UTF-8 taken as such. */
    { "=?x-unknown?q?caf=C3=A9?=", "café" },
    /* Broken words stay as they were. */
    { "=?utf-8?q?unterminated", "=?utf-8?q?unterminated" },
    { "=?utf-8?x?bad_encoding?=", "=?utf-8?x?bad_encoding?=" },
    { "=??q?nocharset?=", "=??q?nocharset?=" },
    { "a =? b", "a =? b" },
    /* Spaces inside a Q word. */
    { "=?utf-8?q?hello world?=", "hello world" },
    /* Encoded control characters never reach the screen. */
    { "=?utf-8?q?a=0Ab?=", "a b" },
  };
  check_cases (cases, G_N_ELEMENTS (cases), NULL);
}

static void
test_raw_8bit (void)
{
  static const Case utf8[] = {
    { "Gr\xc3\xbc\xc3\x9f" "e", "Grüße" },
    /* Latin-1 bytes: read as Windows-1252 when no charset is known. */
    { "Gr\xfc\xdf" "e", "Grüße" },
    { "\x93quoted\x94", "“quoted”" },
    /* Mostly UTF-8 with one stray byte. */
    { "\xd0\xae\xd0\xbd\xd0\xb8 \xf1", "Юни ñ" },
  };
  static const Case koi8[] = {
    { "\xf4\xc5\xd3\xd4", "Тест" },
  };
  check_cases (utf8, G_N_ELEMENTS (utf8), NULL);
  check_cases (koi8, G_N_ELEMENTS (koi8), "koi8-r");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/header/plain", test_plain);
  g_test_add_func ("/core/header/unfold", test_unfold);
  g_test_add_func ("/core/header/rfc2047", test_rfc2047);
  g_test_add_func ("/core/header/broken-forms", test_broken_forms);
  g_test_add_func ("/core/header/raw-8bit", test_raw_8bit);

  return g_test_run ();
}
