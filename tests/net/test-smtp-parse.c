/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cachet-smtp-private.h"

/* The pure parts of the SMTP client: reply lines, EHLO keywords, the message scan and
 * the DATA encoder. */

static void
test_reply_lines (void)
{
  struct
  {
    const char *line;
    gboolean    ok;
    guint       code;
    gboolean    more;
    const char *text;
  } cases[] = {
    { "250 2.0.0 Ok: queued as 4Xyz", TRUE, 250, FALSE, "2.0.0 Ok: queued as 4Xyz" },
    { "250-PIPELINING", TRUE, 250, TRUE, "PIPELINING" },
    { "354 End data with <CR><LF>.<CR><LF>", TRUE, 354, FALSE, "End data with <CR><LF>.<CR><LF>" },
    { "535 5.7.8 Error: authentication failed", TRUE, 535, FALSE, "5.7.8 Error: authentication failed" },
    { "220", TRUE, 220, FALSE, "" },
    { "334 ", TRUE, 334, FALSE, "" },
    { "421-closing", TRUE, 421, TRUE, "closing" },
    /* not replies */
    { "", FALSE, 0, FALSE, NULL },
    { "25", FALSE, 0, FALSE, NULL },
    { "2500 x", FALSE, 0, FALSE, NULL },
    { "250x", FALSE, 0, FALSE, NULL },
    { "HELLO THERE", FALSE, 0, FALSE, NULL },
    { "150 old", FALSE, 0, FALSE, NULL },
    { "650 no", FALSE, 0, FALSE, NULL },
    { "260 no", FALSE, 0, FALSE, NULL },
    { " 250 x", FALSE, 0, FALSE, NULL },
    { "+OK POP3", FALSE, 0, FALSE, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint code = 0;
      gboolean more = FALSE;
      const char *text = NULL;
      gboolean ok = _cachet_smtp_parse_reply_line (cases[i].line, &code, &more, &text);

      g_test_message ("%s", cases[i].line);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        continue;
      g_assert_cmpuint (code, ==, cases[i].code);
      g_assert_cmpint (more, ==, cases[i].more);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
  g_assert_false (_cachet_smtp_parse_reply_line (NULL, NULL, NULL, NULL));
}

static void
test_enhanced_code (void)
{
  struct
  {
    const char *text;
    const char *code;
  } cases[] = {
    { "5.7.8 Error: authentication failed", "5.7.8" },
    { "2.0.0 Ok", "2.0.0" },
    { "4.7.0 Temporary", "4.7.0" },
    { "5.1.10", "5.1.10" },
    { "5.100.100 x", "5.100.100" },
    { "5.1000.1 x", NULL },
    { "3.0.0 x", NULL },
    { "5.7 x", NULL },
    { "5..7 x", NULL },
    { "5.7.8x", NULL },
    { "Ok", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *code = _cachet_smtp_enhanced_code (cases[i].text);

      g_assert_cmpstr (code, ==, cases[i].code);
    }
  g_assert_null (_cachet_smtp_enhanced_code (NULL));
}

static void
test_ehlo (void)
{
  g_autoptr(GHashTable) ext = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* As libetpan keeps it: the lines' texts, one a line, the greeting line first. */
  _cachet_smtp_parse_ehlo ("mail.example.test Hello\n"
                           "PIPELINING\n"
                           "SIZE 52428800\n"
                           "auth PLAIN LOGIN\n"
                           "AUTH=CRAM-MD5\n"
                           "8BITMIME\n"
                           "X-ODD_THING value\n"
                           "-bad\n"
                           " \n"
                           "ENHANCEDSTATUSCODES\n",
                           ext);
  g_assert_cmpuint (g_hash_table_size (ext), ==, 5);
  g_assert_cmpstr (g_hash_table_lookup (ext, "PIPELINING"), ==, "");
  g_assert_cmpstr (g_hash_table_lookup (ext, "SIZE"), ==, "52428800");
  g_assert_cmpstr (g_hash_table_lookup (ext, "AUTH"), ==, "PLAIN LOGIN CRAM-MD5");
  g_assert_cmpstr (g_hash_table_lookup (ext, "8BITMIME"), ==, "");
  g_assert_cmpstr (g_hash_table_lookup (ext, "ENHANCEDSTATUSCODES"), ==, "");
  /* The greeting line is no keyword. */
  g_assert_false (g_hash_table_contains (ext, "MAIL.EXAMPLE.TEST"));

  g_hash_table_remove_all (ext);
  _cachet_smtp_parse_ehlo ("only a name", ext);
  _cachet_smtp_parse_ehlo (NULL, ext);
  g_assert_cmpuint (g_hash_table_size (ext), ==, 0);
}

/* The reference encoder: byte by byte. */
static GBytes *
reference_encode (const char *in,
                  gsize       len,
                  guint64    *unstuffed_size)
{
  GByteArray *out = g_byte_array_new ();
  gboolean line_start = TRUE;
  guint64 size = 0;

  for (gsize i = 0; i < len; i++)
    {
      if (line_start && in[i] == '.')
        g_byte_array_append (out, (const guint8 *) ".", 1);
      line_start = FALSE;
      if (in[i] == '\n')
        {
          if (i == 0 || in[i - 1] != '\r')
            {
              g_byte_array_append (out, (const guint8 *) "\r", 1);
              size++;
            }
          line_start = TRUE;
        }
      g_byte_array_append (out, (const guint8 *) in + i, 1);
      size++;
    }
  if (!line_start)
    {
      if (in[len - 1] != '\r')
        {
          g_byte_array_append (out, (const guint8 *) "\r", 1);
          size++;
        }
      g_byte_array_append (out, (const guint8 *) "\n", 1);
      size++;
    }
  g_byte_array_append (out, (const guint8 *) ".\r\n", 3);
  *unstuffed_size = size;
  return g_byte_array_free_to_bytes (out);
}

/* Encodes @in with output buffers of @out_size (and input pieces of @in_piece). */
static GBytes *
encode (const char *in,
        gsize       len,
        gsize       out_size,
        gsize       in_piece)
{
  GByteArray *result = g_byte_array_new ();
  g_autofree guint8 *out = g_malloc (MAX (out_size, 5));
  CachetSmtpEncoder encoder;
  gsize pos = 0;
  guint stuck = 0;

  _cachet_smtp_encoder_init (&encoder);
  while (pos < len)
    {
      gsize consumed = 0;
      gsize piece = MIN (in_piece, len - pos);
      gsize n = _cachet_smtp_encode (&encoder, (const guint8 *) in + pos, piece, &consumed,
                                     out, out_size);

      g_assert_cmpuint (n, <=, out_size);
      g_assert_cmpuint (consumed, <=, piece);
      g_byte_array_append (result, out, n);
      pos += consumed;
      /* Progress with every call but a full buffer. */
      if (consumed == 0 && n == 0)
        g_assert_cmpuint (++stuck, <, 2);
      else
        stuck = 0;
    }
  g_byte_array_append (result, out, _cachet_smtp_encode_finish (&encoder, out));
  return g_byte_array_free_to_bytes (result);
}

static void
check_encoding (const char *in,
                gsize       len)
{
  guint64 expected_size = 0;
  g_autoptr(GBytes) expected = reference_encode (in, len, &expected_size);
  const gsize out_sizes[] = { 2, 3, 5, 7, 64, 65536 };
  const gsize pieces[] = { 1, 2, 3, 1000000 };
  guint64 size;
  gboolean eight_bit;

  _cachet_smtp_scan_message ((const guint8 *) in, len, &size, &eight_bit);
  g_assert_cmpuint (size, ==, len > 0 ? expected_size : 0);
  for (guint i = 0; i < G_N_ELEMENTS (out_sizes); i++)
    for (guint j = 0; j < G_N_ELEMENTS (pieces); j++)
      {
        g_autoptr(GBytes) got = encode (in, len, out_sizes[i], pieces[j]);

        if (!g_bytes_equal (got, expected))
          {
            g_autofree char *a = g_strescape (g_bytes_get_data (expected, NULL), NULL);
            g_autofree char *b = g_strndup (g_bytes_get_data (got, NULL), g_bytes_get_size (got));
            g_autofree char *c = g_strescape (b, NULL);
            g_error ("out %zu, in %zu: expected \"%.*s\" got \"%s\"", out_sizes[i], pieces[j],
                     (int) g_bytes_get_size (expected), a, c);
          }
      }
}

static void
test_encode (void)
{
  const char *cases[] = {
    "",
    "a",
    ".",
    "\n",
    "\r\n",
    "\r",
    "a\r",
    ".\n",
    "..\n",
    "From: a@example.test\nSubject: x\n\nbody\n.\n..\n.dot\nend\n",
    "From: a@example.test\r\nSubject: x\r\n\r\nbody\r\n.\r\n.dot\r\nno end",
    "mixed\r\nline\nends\r\n.and\n.dots",
    "bare\rcr\r\n.\rx\n",
    "\n\n\n...\n",
    ".a\n.b\r\n.c",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_encoding (cases[i], strlen (cases[i]));

  /* A NUL and 8-bit bytes go through untouched. */
  {
    const char binary[] = "a\0b\n.\xff\xfe\n\x80";
    check_encoding (binary, sizeof binary - 1);
  }

  /* Random input made of the bytes that matter. */
  {
    g_autoptr(GRand) rand = g_rand_new_with_seed (4);
    const char alphabet[] = "\r\n.ax";

    for (guint round = 0; round < 300; round++)
      {
        gsize len = g_rand_int_range (rand, 0, 60);
        g_autofree char *text = g_malloc (len + 1);

        for (gsize k = 0; k < len; k++)
          text[k] = alphabet[g_rand_int_range (rand, 0, 5)];
        text[len] = '\0';
        check_encoding (text, len);
      }
  }
}

static void
test_scan (void)
{
  guint64 size;
  gboolean eight_bit;

  _cachet_smtp_scan_message ((const guint8 *) "ascii\n", 6, &size, &eight_bit);
  g_assert_cmpuint (size, ==, 7);
  g_assert_false (eight_bit);
  _cachet_smtp_scan_message ((const guint8 *) "Gr\xc3\xbc\xc3\x9f\x65\r\n", 9, &size, &eight_bit);
  g_assert_cmpuint (size, ==, 9);
  g_assert_true (eight_bit);
  /* The top bit on the last line, without a line end. */
  _cachet_smtp_scan_message ((const guint8 *) "a\nb\x80", 4, &size, &eight_bit);
  g_assert_cmpuint (size, ==, 7);
  g_assert_true (eight_bit);
  _cachet_smtp_scan_message ((const guint8 *) "", 0, &size, &eight_bit);
  g_assert_cmpuint (size, ==, 0);
  g_assert_false (eight_bit);
}

static void
test_addresses (void)
{
  gboolean non_ascii = TRUE;

  g_assert_true (_cachet_smtp_address_ok ("alice@example.test", &non_ascii));
  g_assert_false (non_ascii);
  g_assert_true (_cachet_smtp_address_ok ("", &non_ascii));   /* the null sender */
  g_assert_true (_cachet_smtp_address_ok ("j\xc3\xb6rg@b\xc3\xbc\x63her.example", &non_ascii));
  g_assert_true (non_ascii);
  g_assert_false (_cachet_smtp_address_ok ("a@b\r\nRCPT TO:<x@y>", NULL));
  g_assert_false (_cachet_smtp_address_ok ("a b@example.test", NULL));
  g_assert_false (_cachet_smtp_address_ok ("<a@example.test>", NULL));
  g_assert_false (_cachet_smtp_address_ok ("a@example.test>", NULL));
  g_assert_false (_cachet_smtp_address_ok ("a\t@example.test", NULL));
  g_assert_false (_cachet_smtp_address_ok ("\xff@example.test", NULL));   /* not UTF-8 */
  g_assert_false (_cachet_smtp_address_ok (NULL, NULL));
}

static void
test_relay (void)
{
  g_assert_true (_cachet_smtp_reply_is_relay (554, "5.7.1 <x@elsewhere.example>: Relay access denied"));
  g_assert_true (_cachet_smtp_reply_is_relay (550, "5.7.1 <x@y>... Relaying denied"));
  g_assert_true (_cachet_smtp_reply_is_relay (550, "5.7.54 SMTP; Unable to relay recipient"));
  g_assert_false (_cachet_smtp_reply_is_relay (550, "5.1.1 <x@y>: Recipient address rejected: "
                                                    "User unknown in virtual mailbox table"));
  g_assert_false (_cachet_smtp_reply_is_relay (450, "4.7.1 relay temporarily refused"));
  g_assert_false (_cachet_smtp_reply_is_relay (554, NULL));
}

static void
test_sanitize (void)
{
  g_autofree char *a = _cachet_smtp_sanitize ("ok\r\x1b[31mred\x7f", -1, 100);
  g_autofree char *b = _cachet_smtp_sanitize ("abcdef", -1, 3);
  g_autofree char *c = _cachet_smtp_sanitize ("\xff\xfe", -1, 10);

  g_assert_cmpstr (a, ==, "ok  [31mred ");
  g_assert_cmpstr (b, ==, "abc…");
  g_assert_true (g_utf8_validate (c, -1, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/net/smtp/parse/reply-lines", test_reply_lines);
  g_test_add_func ("/net/smtp/parse/enhanced-code", test_enhanced_code);
  g_test_add_func ("/net/smtp/parse/ehlo", test_ehlo);
  g_test_add_func ("/net/smtp/parse/encode", test_encode);
  g_test_add_func ("/net/smtp/parse/scan", test_scan);
  g_test_add_func ("/net/smtp/parse/addresses", test_addresses);
  g_test_add_func ("/net/smtp/parse/relay", test_relay);
  g_test_add_func ("/net/smtp/parse/sanitize", test_sanitize);

  return g_test_run ();
}
