/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-mime-params.h"

/* Parameters as libetpan hands them over: raw name/value pairs. */
static GHashTable *
collect (const char * const *pairs)
{
  g_autoptr(CachetMimeParams) params = cachet_mime_params_new ();

  for (; pairs[0] != NULL; pairs += 2)
    cachet_mime_params_add_raw (params, pairs[0], pairs[1]);
  return cachet_mime_params_finish (params);
}

static void
test_plain (void)
{
  const char *pairs[] = { "Name", "report.pdf", "charset", "utf-8", NULL };
  g_autoptr(GHashTable) t = collect (pairs);

  g_assert_cmpstr (g_hash_table_lookup (t, "name"), ==, "report.pdf");
  g_assert_cmpstr (g_hash_table_lookup (t, "charset"), ==, "utf-8");
}

static void
test_rfc2231_single (void)
{
  /* RFC 2231 section 4 */
  const char *pairs[] = { "title*", "us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A", NULL };
  g_autoptr(GHashTable) t = collect (pairs);

  g_assert_cmpstr (g_hash_table_lookup (t, "title"), ==, "This is ***fun***");
}

static void
test_rfc2231_continuations (void)
{
  /* RFC 2231 section 4.1, given out of order */
  const char *pairs[] = {
    "title*1*", "%2A%2A%2Afun%2A%2A%2A%20",
    "title*0*", "us-ascii'en'This%20is%20even%20more%20",
    "title*2", "isn't it!",
    NULL
  };
  g_autoptr(GHashTable) t = collect (pairs);

  g_assert_cmpstr (g_hash_table_lookup (t, "title"), ==, "This is even more ***fun*** isn't it!");
}

static void
test_rfc2231_charsets (void)
{
  const char *utf8[] = { "filename*", "UTF-8''%E2%9C%88%20travel.pdf", NULL };
  const char *latin1[] = { "filename*", "iso-8859-1''caf%E9.txt", NULL };
  /* A multibyte character split across two sections survives. */
  const char *split[] = { "filename*0*", "utf-8''%C3", "filename*1*", "%A9t%C3%A9.txt", NULL };
  /* Both forms given: the RFC 2231 one wins. */
  const char *both[] = { "filename", "fallback.txt", "filename*", "utf-8''r%C3%A9el.txt", NULL };
  g_autoptr(GHashTable) a = collect (utf8);
  g_autoptr(GHashTable) b = collect (latin1);
  g_autoptr(GHashTable) c = collect (split);
  g_autoptr(GHashTable) d = collect (both);

  g_assert_cmpstr (g_hash_table_lookup (a, "filename"), ==, "✈ travel.pdf");
  g_assert_cmpstr (g_hash_table_lookup (b, "filename"), ==, "café.txt");
  g_assert_cmpstr (g_hash_table_lookup (c, "filename"), ==, "été.txt");
  g_assert_cmpstr (g_hash_table_lookup (d, "filename"), ==, "réel.txt");
}

static void
test_broken (void)
{
  /* RFC 2047 in a parameter (not allowed, very common). */
  const char *encoded[] = { "name", "=?UTF-8?B?0KHQv9C40YHQvtC6LmRvYw==?=", NULL };
  /* A gap in the sections stops the value there; junk section numbers are ignored. */
  const char *gap[] = { "n*0", "one", "n*2", "three", "n*x", "junk", NULL };
  /* No charset in the first extended section. */
  const char *nocs[] = { "f*", "plain%20name", NULL };
  /* Raw 8-bit UTF-8. */
  const char *raw[] = { "filename", "Eelanal\xc3\xbc\xc3\xbcsi.jpg", NULL };
  g_autoptr(GHashTable) a = collect (encoded);
  g_autoptr(GHashTable) b = collect (gap);
  g_autoptr(GHashTable) c = collect (nocs);
  g_autoptr(GHashTable) d = collect (raw);

  g_assert_cmpstr (g_hash_table_lookup (a, "name"), ==, "Список.doc");
  g_assert_cmpstr (g_hash_table_lookup (b, "n"), ==, "one");
  g_assert_cmpstr (g_hash_table_lookup (c, "f"), ==, "plain name");
  g_assert_cmpstr (g_hash_table_lookup (d, "filename"), ==, "Eelanalüüsi.jpg");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/mime-params/plain", test_plain);
  g_test_add_func ("/core/mime-params/rfc2231-single", test_rfc2231_single);
  g_test_add_func ("/core/mime-params/rfc2231-continuations", test_rfc2231_continuations);
  g_test_add_func ("/core/mime-params/rfc2231-charsets", test_rfc2231_charsets);
  g_test_add_func ("/core/mime-params/broken", test_broken);

  return g_test_run ();
}
