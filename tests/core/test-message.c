/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cachet-address.h"
#include "cachet-message.h"

static CachetMessage *
parse (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  return cachet_message_new_from_bytes (bytes);
}

static gboolean
has_warning (CachetMessage *msg,
             const char    *fragment)
{
  GPtrArray *warnings = cachet_message_get_warnings (msg);
  for (guint i = 0; i < warnings->len; i++)
    if (strstr (g_ptr_array_index (warnings, i), fragment) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_envelope (void)
{
  g_autoptr(CachetMessage) msg = parse (
    "From: =?utf-8?q?J=C3=B6rg?= <joerg@example.org>\r\n"
    "To: a@example.org, \"B, C\" <b@example.org>\r\n"
    "Cc: c@example.org\r\n"
    "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= aus\r\n"
    "\tBerlin\r\n"
    "Date: Tue, 3 Jun 2008 11:05:30 +0200\r\n"
    "Message-ID: <abc@example.org>\r\n"
    "In-Reply-To: Your message <parent@example.org>\r\n"
    "References: <root@example.org>\r\n <parent@example.org>\r\n"
    "X-Custom: =?utf-8?q?d=C3=A9cod=C3=A9?=\r\n"
    "\r\n"
    "Body\r\n");
  GPtrArray *from = cachet_message_get_from (msg);
  const char * const *refs = cachet_message_get_references (msg);
  g_autofree char *date = g_date_time_format (cachet_message_get_date (msg), "%FT%T%z");

  g_assert_cmpstr (cachet_message_get_subject (msg), ==, "Grüße aus Berlin");
  g_assert_cmpuint (from->len, ==, 1);
  g_assert_cmpstr (((CachetAddress *) g_ptr_array_index (from, 0))->name, ==, "Jörg");
  g_assert_cmpuint (cachet_message_get_to (msg)->len, ==, 2);
  g_assert_cmpuint (cachet_message_get_cc (msg)->len, ==, 1);
  g_assert_cmpuint (cachet_message_get_bcc (msg)->len, ==, 0);
  g_assert_cmpstr (date, ==, "2008-06-03T11:05:30+0200");
  g_assert_cmpstr (cachet_message_get_message_id (msg), ==, "abc@example.org");
  g_assert_cmpstr (cachet_message_get_in_reply_to (msg), ==, "parent@example.org");
  g_assert_cmpstr (refs[0], ==, "root@example.org");
  g_assert_cmpstr (refs[1], ==, "parent@example.org");
  g_assert_null (refs[2]);
  g_assert_cmpstr (cachet_message_get_header (msg, "x-custom"), ==, "décodé");
  g_assert_cmpuint (cachet_message_get_n_headers (msg), ==, 9);
  g_assert_cmpstr (cachet_message_get_header_name (msg, 8), ==, "X-Custom");
  g_assert_cmpstr (cachet_message_get_body_text (msg), ==, "Body\n");
  g_assert_false (cachet_message_is_raw (msg));
  g_assert_cmpuint (cachet_message_get_warnings (msg)->len, ==, 0);
}

static const char alternative_with_attachment[] =
  "From: a@example.org\n"
  "Subject: report\n"
  "MIME-Version: 1.0\n"
  "Content-Type: multipart/mixed; boundary=outer\n"
  "\n"
  "--outer\n"
  "Content-Type: multipart/alternative; boundary=inner\n"
  "\n"
  "--inner\n"
  "Content-Type: text/plain; charset=iso-8859-1\n"
  "Content-Transfer-Encoding: quoted-printable\n"
  "\n"
  "Gr=FC=DFe, see the file.\n"
  "--inner\n"
  "Content-Type: text/html; charset=utf-8\n"
  "\n"
  "<p>HTML <b>version</b></p>\n"
  "--inner--\n"
  "--outer\n"
  "Content-Type: application/pdf\n"
  "Content-Disposition: attachment;\n"
  " filename*=UTF-8''%E2%9C%88%20plan.pdf\n"
  "Content-Transfer-Encoding: base64\n"
  "\n"
  "JVBERi0xLjQKJcOkw7zDtsOfCg==\n"
  "--outer--\n";

static void
test_alternative_and_attachment (void)
{
  g_autoptr(CachetMessage) msg = parse (alternative_with_attachment);
  GPtrArray *attachments = cachet_message_get_attachments (msg);
  CachetPart *pdf;
  g_autoptr(GBytes) decoded = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cachet-save-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "saved.pdf", NULL);
  g_autofree char *saved = NULL;
  gsize saved_len;
  g_autoptr(GError) error = NULL;

  /* Plain text preferred, decoded from quoted-printable Latin-1. */
  g_assert_cmpstr (cachet_message_get_body_text (msg), ==, "Grüße, see the file.\n");
  g_assert_cmpuint (cachet_message_get_body_parts (msg)->len, ==, 1);

  g_assert_true (cachet_message_has_attachments (msg));
  g_assert_cmpuint (attachments->len, ==, 1);
  pdf = g_ptr_array_index (attachments, 0);
  g_assert_cmpstr (cachet_part_get_filename (pdf), ==, "✈ plan.pdf");
  g_assert_cmpstr (cachet_part_get_mime_type (pdf), ==, "application/pdf");
  g_assert_cmpstr (cachet_part_get_disposition (pdf), ==, "attachment");
  g_assert_cmpstr (cachet_part_get_path (pdf), ==, "2");
  decoded = cachet_part_get_decoded (pdf);
  g_assert_cmpuint (g_bytes_get_size (decoded), ==, 19);
  g_assert_true (memcmp (g_bytes_get_data (decoded, NULL), "%PDF-1.4\n%", 10) == 0);

  g_assert_true (cachet_part_save_to_file (pdf, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &saved, &saved_len, NULL));
  g_assert_cmpmem (saved, saved_len, g_bytes_get_data (decoded, NULL), 19);

  /* Saving into a directory that does not exist fails cleanly. */
  g_assert_false (cachet_part_save_to_file (pdf, "/nonexistent/dir/x.pdf", &error));
  g_assert_nonnull (error);
}

static void
test_html_only (void)
{
  g_autoptr(CachetMessage) msg = parse (
    "Content-Type: text/html\n\n"
    "<html><head><meta charset=\"windows-1251\"><script>x()</script></head>"
    "<body><p>\xcf\xf0\xe8\xe2\xe5\xf2 <a href=\"https://example.org\">link</a></p>"
    "<img src=\"https://tracker.example/p.gif\"></body></html>\n");

  g_assert_cmpstr (cachet_message_get_body_text (msg), ==,
                   "Привет link <https://example.org>\n");
}

static void
test_flowed_body (void)
{
  g_autoptr(CachetMessage) msg = parse (
    "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\n\n"
    "A long para \ngraph.\n> quo \n> ted\n");

  g_assert_cmpstr (cachet_message_get_body_text (msg), ==, "A long paragraph.\n> quoted\n");
}

static void
test_embedded_message (void)
{
  g_autoptr(CachetMessage) msg = parse (
    "Subject: Fwd: hello\n"
    "Content-Type: multipart/mixed; boundary=b\n\n"
    "--b\n"
    "Content-Type: text/plain\n\nSee below.\n"
    "--b\n"
    "Content-Type: message/rfc822\n\n"
    "From: Original <o@example.org>\n"
    "Subject: =?utf-8?q?caf=C3=A9?=\n\n"
    "Original body.\n"
    "--b--\n");
  const char *body = cachet_message_get_body_text (msg);

  g_assert_nonnull (strstr (body, "See below.\n"));
  g_assert_nonnull (strstr (body, "From: Original <o@example.org>\n"));
  g_assert_nonnull (strstr (body, "Subject: café\n"));
  g_assert_nonnull (strstr (body, "Original body.\n"));
  g_assert_cmpuint (cachet_message_get_attachments (msg)->len, ==, 0);
}

static void
test_unknown_charset (void)
{
  g_autoptr(CachetMessage) msg = parse ("Content-Type: text/plain; charset=x-klingon\n\n"
                                        "caf\xe9\n");

  g_assert_cmpstr (cachet_message_get_body_text (msg), ==, "café\n");
  g_assert_true (has_warning (msg, "x-klingon"));
}

static void
test_raw_fallbacks (void)
{
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(CachetMessage) e = cachet_message_new_from_bytes (empty);
  static const guint8 junk[] = { 0x00, 0xff, 0xfe, 0x0a, 0x0a, 0x80, 0x00, 0x41 };
  g_autoptr(GBytes) junk_bytes = g_bytes_new_static (junk, sizeof junk);
  g_autoptr(CachetMessage) j = cachet_message_new_from_bytes (junk_bytes);

  g_assert_true (cachet_message_is_raw (e));
  g_assert_true (has_warning (e, "empty"));
  g_assert_cmpstr (cachet_message_get_body_text (e), ==, "");
  g_assert_null (cachet_message_get_subject (e));
  g_assert_nonnull (cachet_message_get_root (e));

  /* Whatever this is, it is shown and everything is valid UTF-8. */
  g_assert_true (g_utf8_validate (cachet_message_get_body_text (j), -1, NULL));
}

static void
test_truncated_multipart (void)
{
  g_autoptr(CachetMessage) msg = parse (
    "Content-Type: multipart/mixed; boundary=x\n\n"
    "--x\n"
    "Content-Type: text/plain\n\nfirst part\n"
    "--x\n"
    "Content-Type: application/octet-stream; name=cut.bin\n"
    "Content-Transfer-Encoding: base64\n\n"
    "QUJD\n");

  g_assert_cmpstr (cachet_message_get_body_text (msg), ==, "first part\n");
  g_assert_cmpuint (cachet_message_get_attachments (msg)->len, ==, 1);
  g_assert_true (has_warning (msg, "incomplete"));
}

static void
test_8bit_filename (void)
{
  g_autoptr(CachetMessage) msg = parse (
    "Content-Type: multipart/mixed; boundary=x\n\n"
    "--x\n"
    "Content-Type: image/jpeg; name=\"Eelanal\xc3\xbc\xc3\xbcsi.jpg\"\n"
    "Content-Disposition: attachment; filename=\"Eelanal\xc3\xbc\xc3\xbcsi.jpg\"\n\n"
    "data\n"
    "--x--\n");
  CachetPart *part = g_ptr_array_index (cachet_message_get_attachments (msg), 0);

  g_assert_cmpstr (cachet_part_get_filename (part), ==, "Eelanalüüsi.jpg");
}

static void
test_hostile_filename (void)
{
  g_autoptr(CachetMessage) msg = parse (
    "Content-Type: application/octet-stream;\n"
    " name=\"../../.bashrc\\u202Egpj.exe\"\n\nx\n");
  g_autoptr(CachetMessage) msg2 = parse (
    "Content-Type: application/octet-stream; name=\"C:\\\\Windows\\\\evil.dll\"\n\nx\n");
  const char *name = cachet_part_get_filename (cachet_message_get_root (msg));
  const char *name2 = cachet_part_get_filename (cachet_message_get_root (msg2));

  g_assert_null (strchr (name, '/'));
  g_assert_false (g_str_has_prefix (name, "."));
  g_assert_cmpstr (name2, ==, "evil.dll");
}

/* A name too long for a file system is shortened in its stem: the extension stays. */
static void
test_long_filename (void)
{
  g_autoptr(GString) text = g_string_new ("Content-Type: application/pdf;\n name=\"");
  g_autoptr(CachetMessage) msg = NULL;
  g_autoptr(CachetMessage) msg2 = NULL;
  const char *name;

  for (int i = 0; i < 150; i++)
    g_string_append (text, "\xc3\xa9");       /* 300 bytes of "é" */
  g_string_append (text, ".pdf\"\n\nx\n");
  msg = parse (text->str);
  name = cachet_part_get_filename (cachet_message_get_root (msg));
  g_assert_cmpuint (strlen (name), <=, 200);
  g_assert_true (g_str_has_suffix (name, "\xc3\xa9.pdf"));
  g_assert_true (g_utf8_validate (name, -1, NULL));

  /* No extension (or a "dot" far back): cut at 200 bytes. */
  g_string_assign (text, "Content-Type: application/pdf;\n name=\"a.");
  for (int i = 0; i < 250; i++)
    g_string_append_c (text, 'b');
  g_string_append (text, "\"\n\nx\n");
  msg2 = parse (text->str);
  name = cachet_part_get_filename (cachet_message_get_root (msg2));
  g_assert_cmpuint (strlen (name), ==, 200);
  g_assert_true (g_str_has_prefix (name, "a.bbb"));
}

static void
test_cr_only (void)
{
  g_autoptr(CachetMessage) msg = parse ("Subject: old mac\rContent-Type: text/plain\r\r"
                                        "line one\rline two\r");

  g_assert_cmpstr (cachet_message_get_subject (msg), ==, "old mac");
  g_assert_cmpstr (cachet_message_get_body_text (msg), ==, "line one\nline two\n");
}

static void
test_encrypted_notice (void)
{
  g_autoptr(CachetMessage) msg = parse (
    "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=e\n\n"
    "--e\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n"
    "--e\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\n"
    "--e--\n");

  g_assert_nonnull (strstr (cachet_message_get_body_text (msg), "encrypted"));
}

static void
test_deep_nesting (void)
{
  GString *s = g_string_new ("Subject: deep\n");
  g_autoptr(CachetMessage) msg = NULL;

  for (int i = 0; i < 200; i++)
    g_string_append_printf (s, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
  g_string_append (s, "Content-Type: text/plain\n\ninnermost\n");
  for (int i = 199; i >= 0; i--)
    g_string_append_printf (s, "--b%d--\n", i);

  msg = parse (s->str);
  g_string_free (s, TRUE);
  g_assert_true (has_warning (msg, "deeply"));
  g_assert_true (g_utf8_validate (cachet_message_get_body_text (msg), -1, NULL));
}

static void
test_huge_header (void)
{
  GString *s = g_string_new ("Subject: ");
  g_autoptr(CachetMessage) msg = NULL;

  for (int i = 0; i < 20000; i++)
    g_string_append (s, "=?utf-8?q?x?= ");
  g_string_append (s, "\nTo: ");
  for (int i = 0; i < 5000; i++)
    g_string_append_printf (s, "u%d@example.org, ", i);
  g_string_append (s, "\n\nbody\n");

  msg = parse (s->str);
  g_string_free (s, TRUE);
  g_assert_cmpuint (strlen (cachet_message_get_subject (msg)), ==, 20000);
  g_assert_cmpuint (cachet_message_get_to (msg)->len, ==, 5000);
}

static void
test_from_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMessage) missing = cachet_message_new_from_file ("/nonexistent.eml", &error);

  g_assert_null (missing);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/message/envelope", test_envelope);
  g_test_add_func ("/core/message/alternative-and-attachment", test_alternative_and_attachment);
  g_test_add_func ("/core/message/html-only", test_html_only);
  g_test_add_func ("/core/message/flowed-body", test_flowed_body);
  g_test_add_func ("/core/message/embedded-message", test_embedded_message);
  g_test_add_func ("/core/message/unknown-charset", test_unknown_charset);
  g_test_add_func ("/core/message/raw-fallbacks", test_raw_fallbacks);
  g_test_add_func ("/core/message/truncated-multipart", test_truncated_multipart);
  g_test_add_func ("/core/message/8bit-filename", test_8bit_filename);
  g_test_add_func ("/core/message/hostile-filename", test_hostile_filename);
  g_test_add_func ("/core/message/long-filename", test_long_filename);
  g_test_add_func ("/core/message/cr-only", test_cr_only);
  g_test_add_func ("/core/message/encrypted-notice", test_encrypted_notice);
  g_test_add_func ("/core/message/deep-nesting", test_deep_nesting);
  g_test_add_func ("/core/message/huge-header", test_huge_header);
  g_test_add_func ("/core/message/from-file", test_from_file);

  return g_test_run ();
}
