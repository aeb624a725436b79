/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cachet-pop3-private.h"

/* Decodes @input fed in pieces of @chunk bytes; returns the output, sets *@consumed. */
static char *
decode (const char *input,
        gsize       len,
        gsize       chunk,
        gsize      *consumed,
        gboolean   *done)
{
  CachetPop3Decoder decoder;
  GString *out = g_string_new (NULL);
  guint8 *buf = g_malloc (chunk + 2);
  gsize pos = 0;

  _cachet_pop3_decoder_init (&decoder);
  *done = FALSE;
  while (pos < len && !*done)
    {
      gsize n = MIN (chunk, len - pos);
      gsize out_len = 0;
      gsize used = _cachet_pop3_decoder_feed (&decoder, (const guint8 *) input + pos, n,
                                              buf, &out_len, done);

      g_assert_cmpuint (used, <=, n);
      g_assert_cmpuint (out_len, <=, n + 2);
      if (!*done)
        g_assert_cmpuint (used, ==, n);
      g_string_append_len (out, (const char *) buf, out_len);
      pos += used;
    }
  g_free (buf);
  *consumed = pos;
  return g_string_free (out, FALSE);
}

/* Every way of cutting @input in pieces of equal size gives @expected. */
static void
assert_decodes (const char *input,
                const char *expected,
                gssize      expected_consumed)   /* -1: all of input */
{
  gsize len = strlen (input);

  for (gsize chunk = 1; chunk <= len; chunk++)
    {
      gsize consumed;
      gboolean done;
      g_autofree char *out = decode (input, len, chunk, &consumed, &done);

      g_assert_cmpstr (out, ==, expected);
      g_assert_true (done);
      g_assert_cmpuint (consumed, ==, expected_consumed < 0 ? len : (gsize) expected_consumed);
    }
}

static void
test_decoder_basic (void)
{
  assert_decodes ("Hello\r\n.\r\n", "Hello\n", -1);
  assert_decodes (".\r\n", "", -1);
  assert_decodes ("\r\n.\r\n", "\n", -1);
  assert_decodes ("a\r\nb\r\n\r\nc\r\n.\r\n", "a\nb\n\nc\n", -1);
}

static void
test_decoder_dot_stuffing (void)
{
  assert_decodes ("..dot\r\n.\r\n", ".dot\n", -1);
  assert_decodes ("...\r\n.\r\n", "..\n", -1);
  assert_decodes ("..\r\n.\r\n", ".\n", -1);
  assert_decodes ("a\r\n..\r\n..b\r\n.\r\n", "a\n.\n.b\n", -1);
  /* A dot that was not doubled loses it anyway (RFC 1939). */
  assert_decodes (". x\r\n.\r\n", " x\n", -1);
  /* Dots inside a line stay. */
  assert_decodes ("a.b.\r\n.\r\n", "a.b.\n", -1);
}

static void
test_decoder_line_ends (void)
{
  assert_decodes ("a\rb\r\n.\r\n", "a\rb\n", -1);       /* a lone CR stays */
  assert_decodes ("x\r\r\n.\r\n", "x\r\n", -1);
  assert_decodes (".\rx\r\n.\r\n", "\rx\n", -1);
  assert_decodes ("a\nb\n.\n", "a\nb\n", -1);           /* bare LF server */
  assert_decodes ("a\r\n.\n", "a\n", -1);
  assert_decodes ("a\r\n\r\n.\r\n", "a\n\n", -1);
}

static void
test_decoder_next_reply (void)
{
  /* Pipelined: the next reply follows at once and must not be eaten. */
  assert_decodes ("body\r\n.\r\n+OK next\r\n", "body\n", 9);
  assert_decodes (".\r\n-ERR x\r\n", "", 3);
}

static void
test_decoder_unterminated (void)
{
  const char *input = "abc\r\n.x\r\n";
  gsize consumed;
  gboolean done;
  g_autofree char *out = decode (input, strlen (input), 3, &consumed, &done);

  g_assert_false (done);
  g_assert_cmpuint (consumed, ==, strlen (input));
  g_assert_cmpstr (out, ==, "abc\nx\n");
}

static void
test_decoder_random (void)
{
  for (guint round = 0; round < 200; round++)
    {
      GString *plain = g_string_new (NULL);
      GString *wire = g_string_new (NULL);
      guint lines = g_test_rand_int_range (0, 40);
      g_autofree char *out = NULL;
      gsize consumed;
      gboolean done;

      for (guint i = 0; i < lines; i++)
        {
          guint n = g_test_rand_int_range (0, 30);
          GString *line = g_string_new (NULL);

          for (guint j = 0; j < n; j++)
            {
              static const char alphabet[] = "..ab. \t\x01\xff.";
              g_string_append_c (line, alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)]);
            }
          g_string_append_printf (plain, "%s\n", line->str);
          g_string_append_printf (wire, "%s%s\r\n", line->str[0] == '.' ? "." : "", line->str);
          g_string_free (line, TRUE);
        }
      g_string_append (wire, ".\r\nRETR");
      out = decode (wire->str, wire->len, g_test_rand_int_range (1, 17), &consumed, &done);
      g_assert_true (done);
      g_assert_cmpuint (consumed, ==, wire->len - 4);
      g_assert_cmpmem (out, strlen (out), plain->str, plain->len);
      g_string_free (plain, TRUE);
      g_string_free (wire, TRUE);
    }
}

static void
test_reply_parse (void)
{
  CachetPop3Reply r;

  g_assert_true (_cachet_pop3_reply_parse ("+OK ready", &r));
  g_assert_cmpint (r.kind, ==, CACHET_POP3_REPLY_OK);
  g_assert_null (r.code);
  g_assert_cmpstr (r.text, ==, "ready");
  _cachet_pop3_reply_clear (&r);

  g_assert_true (_cachet_pop3_reply_parse ("+OK", &r));
  g_assert_cmpstr (r.text, ==, "");
  _cachet_pop3_reply_clear (&r);

  g_assert_true (_cachet_pop3_reply_parse ("-ERR [AUTH] Authentication failed.", &r));
  g_assert_cmpint (r.kind, ==, CACHET_POP3_REPLY_ERR);
  g_assert_cmpstr (r.code, ==, "AUTH");
  g_assert_cmpstr (r.text, ==, "[AUTH] Authentication failed.");
  _cachet_pop3_reply_clear (&r);

  g_assert_true (_cachet_pop3_reply_parse ("-ERR [in-use] locked", &r));
  g_assert_cmpstr (r.code, ==, "IN-USE");
  _cachet_pop3_reply_clear (&r);

  g_assert_true (_cachet_pop3_reply_parse ("-ERR [SYS/TEMP] try later", &r));
  g_assert_cmpstr (r.code, ==, "SYS/TEMP");
  _cachet_pop3_reply_clear (&r);

  g_assert_true (_cachet_pop3_reply_parse ("-ERR [not a code", &r));
  g_assert_null (r.code);
  _cachet_pop3_reply_clear (&r);

  g_assert_true (_cachet_pop3_reply_parse ("+ ", &r));
  g_assert_cmpint (r.kind, ==, CACHET_POP3_REPLY_MORE);
  _cachet_pop3_reply_clear (&r);

  /* Control characters and broken UTF-8 never reach a message. */
  g_assert_true (_cachet_pop3_reply_parse ("-ERR bad\x1b[31m \xff end", &r));
  g_assert_true (g_utf8_validate (r.text, -1, NULL));
  g_assert_null (strchr (r.text, '\x1b'));
  _cachet_pop3_reply_clear (&r);

  g_assert_false (_cachet_pop3_reply_parse ("", &r));
  g_assert_false (_cachet_pop3_reply_parse ("OK", &r));
  g_assert_false (_cachet_pop3_reply_parse ("+OKAY", &r));
  g_assert_false (_cachet_pop3_reply_parse ("-ERROR", &r));
  g_assert_false (_cachet_pop3_reply_parse ("* OK imap", &r));
}

static void
test_sanitize (void)
{
  g_autofree char *a = _cachet_pop3_sanitize ("abc\r\ndef\x7f", -1, 100);
  g_autofree char *b = _cachet_pop3_sanitize ("äöüäöü", -1, 3);

  g_assert_cmpstr (a, ==, "abc  def ");
  g_assert_cmpstr (b, ==, "äöü…");
}

static void
test_greeting_timestamp (void)
{
  struct { const char *greeting; const char *expected; } cases[] = {
    { "POP3 server ready <1896.697170952@dbc.mtview.ca.us>", "<1896.697170952@dbc.mtview.ca.us>" },
    { "Dovecot ready.", NULL },
    { "ready <>", NULL },
    { "ready <a b>", NULL },
    { "ready <unterminated", NULL },
    { "ready <a<b>", NULL },
    { NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *ts = _cachet_pop3_greeting_timestamp (cases[i].greeting);
      g_assert_cmpstr (ts, ==, cases[i].expected);
    }
}

static void
test_list_line (void)
{
  guint n;
  guint64 size;

  g_assert_true (_cachet_pop3_parse_list_line ("1 120", &n, &size));
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (size, ==, 120);
  g_assert_true (_cachet_pop3_parse_list_line ("42  9000000000 extra", &n, &size));
  g_assert_cmpuint (n, ==, 42);
  g_assert_cmpuint (size, ==, 9000000000);

  g_assert_false (_cachet_pop3_parse_list_line ("", &n, &size));
  g_assert_false (_cachet_pop3_parse_list_line ("0 10", &n, &size));
  g_assert_false (_cachet_pop3_parse_list_line ("-1 10", &n, &size));
  g_assert_false (_cachet_pop3_parse_list_line ("1", &n, &size));
  g_assert_false (_cachet_pop3_parse_list_line ("1 x", &n, &size));
  g_assert_false (_cachet_pop3_parse_list_line ("1 10x", &n, &size));
  g_assert_false (_cachet_pop3_parse_list_line ("99999999999 10", &n, &size));
  g_assert_false (_cachet_pop3_parse_list_line ("1 99999999999999999999999", &n, &size));
}

static void
test_uidl_line (void)
{
  const char *uid;
  gsize len;
  guint n;
  g_autofree char *long_uid = g_strnfill (513, 'a');
  g_autofree char *long_line = g_strdup_printf ("1 %s", long_uid);

  g_assert_true (_cachet_pop3_parse_uidl_line ("3 000000a55f0e7b3e", &n, &uid, &len));
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpmem (uid, len, "000000a55f0e7b3e", 16);
  g_assert_true (_cachet_pop3_parse_uidl_line ("3 whq1 ", &n, &uid, &len));
  g_assert_cmpmem (uid, len, "whq1", 4);

  g_assert_false (_cachet_pop3_parse_uidl_line ("3", &n, &uid, &len));
  g_assert_false (_cachet_pop3_parse_uidl_line ("3 ", &n, &uid, &len));
  g_assert_false (_cachet_pop3_parse_uidl_line ("x abc", &n, &uid, &len));
  g_assert_false (_cachet_pop3_parse_uidl_line ("3 two words", &n, &uid, &len));
  g_assert_false (_cachet_pop3_parse_uidl_line ("3 tab\tuid", &n, &uid, &len));
  g_assert_false (_cachet_pop3_parse_uidl_line ("3 \xc3\xa4", &n, &uid, &len));
  g_assert_false (_cachet_pop3_parse_uidl_line (long_line, &n, &uid, &len));
}

static GPtrArray *
entries_1_to (guint count)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_pop3_entry_free);

  for (guint i = 1; i <= count; i++)
    {
      CachetPop3Entry *e = g_new0 (CachetPop3Entry, 1);
      e->number = i;
      e->size = 100 * i;
      g_ptr_array_add (entries, e);
    }
  return entries;
}

static const char *
uidl_of (GPtrArray *entries,
         guint      number)
{
  return ((CachetPop3Entry *) g_ptr_array_index (entries, number - 1))->uidl;
}

static void
test_uidl_merge (void)
{
  g_autoptr(GPtrArray) entries = entries_1_to (8);
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();
  const char *raw[] = {
    "1 aaa",
    "2 bbb",
    "3 two words",  /* malformed */
    "4 ddd",
    "9 zzz",        /* not in LIST */
    "5 shared",
    "6 shared",     /* the same id twice */
    "7 ggg",
    "7 ggg2",       /* the same number twice */
    "garbage",
  };
  guint refused;

  for (guint i = 0; i < G_N_ELEMENTS (raw); i++)
    g_ptr_array_add (lines, (gpointer) raw[i]);
  refused = _cachet_pop3_merge_uidl (entries, lines);

  g_assert_cmpstr (uidl_of (entries, 1), ==, "aaa");
  g_assert_cmpstr (uidl_of (entries, 2), ==, "bbb");
  g_assert_null (uidl_of (entries, 3));
  g_assert_cmpstr (uidl_of (entries, 4), ==, "ddd");
  g_assert_null (uidl_of (entries, 5));
  g_assert_null (uidl_of (entries, 6));
  g_assert_null (uidl_of (entries, 7));
  g_assert_null (uidl_of (entries, 8));   /* no line at all */
  /* malformed, unknown number, repeated number, garbage, two shared */
  g_assert_cmpuint (refused, ==, 6);
}

static void
test_uidl_merge_clean (void)
{
  g_autoptr(GPtrArray) entries = entries_1_to (3);
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();

  g_ptr_array_add (lines, (gpointer) "3 c");
  g_ptr_array_add (lines, (gpointer) "1 a");
  g_ptr_array_add (lines, (gpointer) "2 b");
  g_assert_cmpuint (_cachet_pop3_merge_uidl (entries, lines), ==, 0);
  g_assert_cmpstr (uidl_of (entries, 1), ==, "a");
  g_assert_cmpstr (uidl_of (entries, 2), ==, "b");
  g_assert_cmpstr (uidl_of (entries, 3), ==, "c");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/net/pop3/decoder/basic", test_decoder_basic);
  g_test_add_func ("/net/pop3/decoder/dot-stuffing", test_decoder_dot_stuffing);
  g_test_add_func ("/net/pop3/decoder/line-ends", test_decoder_line_ends);
  g_test_add_func ("/net/pop3/decoder/next-reply", test_decoder_next_reply);
  g_test_add_func ("/net/pop3/decoder/unterminated", test_decoder_unterminated);
  g_test_add_func ("/net/pop3/decoder/random", test_decoder_random);
  g_test_add_func ("/net/pop3/reply-parse", test_reply_parse);
  g_test_add_func ("/net/pop3/sanitize", test_sanitize);
  g_test_add_func ("/net/pop3/greeting-timestamp", test_greeting_timestamp);
  g_test_add_func ("/net/pop3/list-line", test_list_line);
  g_test_add_func ("/net/pop3/uidl-line", test_uidl_line);
  g_test_add_func ("/net/pop3/uidl-merge", test_uidl_merge);
  g_test_add_func ("/net/pop3/uidl-merge-clean", test_uidl_merge_clean);

  return g_test_run ();
}
