/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-charset.h"

static void
expect (const char         *data,
        const char         *charset,
        const char         *expected,
        CachetCharsetResult expected_result)
{
  CachetCharsetResult result = 99;
  g_autofree char *got = cachet_charset_to_utf8 (data, -1, charset, &result);

  g_test_message ("charset %s", charset ? charset : "(none)");
  g_assert_true (g_utf8_validate (got, -1, NULL));
  g_assert_cmpstr (got, ==, expected);
  g_assert_cmpint (result, ==, expected_result);
}

static void
test_known (void)
{
  expect ("plain ascii", "us-ascii", "plain ascii", CACHET_CHARSET_OK);
  expect ("caf\xc3\xa9", "UTF-8", "café", CACHET_CHARSET_OK);
  expect ("caf\xc3\xa9", "\"utf-8\"", "café", CACHET_CHARSET_OK);
  expect ("caf\xe9", "iso-8859-1", "café", CACHET_CHARSET_OK);
  expect ("\x80 \x93x\x94", "iso-8859-1", "€ “x”", CACHET_CHARSET_OK);  /* read as 1252 */
  expect ("\xa4", "iso-8859-15", "€", CACHET_CHARSET_OK);
  expect ("\xf4\xc5\xd3\xd4", "koi8-r", "Тест", CACHET_CHARSET_OK);
  expect ("\xd2\xe5\xf1\xf2", "cp-1251", "Тест", CACHET_CHARSET_OK);
  expect ("\xd2\xe5\xf1\xf2", "win-1251", "Тест", CACHET_CHARSET_OK);
  expect ("\xc4\xe3\xba\xc3", "gb2312", "你好", CACHET_CHARSET_OK);
  expect ("\xa7\x41\xa6\x6e", "big5", "你好", CACHET_CHARSET_OK);
  expect ("\x93\xfa\x96\x7b", "shift_jis", "日本", CACHET_CHARSET_OK);
  expect ("\xc7\xd1\xb1\xdb", "ks_c_5601-1987", "한글", CACHET_CHARSET_OK);
  expect ("+AGEAYgBj-", "unicode-1-1-utf-7", "abc", CACHET_CHARSET_OK);
  /* ISO-2022-JP with an NEC extension character (No.), which plain iconv refuses. */
  expect ("\x1b$B-b\x1b(B41", "iso-2022-jp", "№41", CACHET_CHARSET_OK);
}

static void
test_fallbacks (void)
{
  /* Unknown charset: valid UTF-8 is kept, anything else read as Windows-1252. */
  expect ("caf\xc3\xa9", "x-klingon", "café", CACHET_CHARSET_UNKNOWN);
  expect ("caf\xe9", "x-klingon", "café", CACHET_CHARSET_UNKNOWN);
  /* No charset and 8-bit text. */
  expect ("caf\xe9", NULL, "café", CACHET_CHARSET_UNKNOWN);
  expect ("caf\xc3\xa9", NULL, "café", CACHET_CHARSET_OK);
  expect ("plain", NULL, "plain", CACHET_CHARSET_OK);
  /* Declared UTF-8 with stray Latin-1 bytes. */
  expect ("Det h\xe4r \xe4r", "utf-8", "Det här är", CACHET_CHARSET_INVALID);
  /* Bytes that are invalid in the declared charset become U+FFFD. */
  expect ("a\xff" "b", "euc-jp", "a\xef\xbf\xbd" "b", CACHET_CHARSET_INVALID);
}

static void
test_nul (void)
{
  CachetCharsetResult result;
  g_autofree char *got = cachet_charset_to_utf8 ("a\0b", 3, "utf-8", &result);

  g_assert_cmpstr (got, ==, "a\xef\xbf\xbd" "b");
  g_assert_cmpint (result, ==, CACHET_CHARSET_INVALID);
}

static void
test_canonical (void)
{
  g_assert_cmpstr (cachet_charset_canonical ("UTF8"), ==, "UTF-8");
  g_assert_cmpstr (cachet_charset_canonical (" 'Latin1' "), ==, "WINDOWS-1252");
  g_assert_null (cachet_charset_canonical ("x-unknown"));
  g_assert_null (cachet_charset_canonical (""));
  g_assert_null (cachet_charset_canonical (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/charset/known", test_known);
  g_test_add_func ("/core/charset/fallbacks", test_fallbacks);
  g_test_add_func ("/core/charset/nul", test_nul);
  g_test_add_func ("/core/charset/canonical", test_canonical);

  return g_test_run ();
}
