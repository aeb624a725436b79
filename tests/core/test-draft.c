/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cachet-address.h"
#include "cachet-core-error.h"
#include "cachet-draft.h"
#include "draft-test-util.h"

static CachetDraft *
simple_draft (void)
{
  CachetDraft *draft = cachet_draft_new ();

  cachet_draft_set_from (draft, "Ann Sender", "ann@example.org");
  cachet_draft_set_to (draft, "bob@example.net");
  cachet_draft_set_subject (draft, "Hello");
  cachet_draft_set_body (draft, "Hi Bob.\n");
  return draft;
}

static CachetAddress *
first (GPtrArray *list)
{
  g_assert_cmpuint (list->len, >, 0);
  return g_ptr_array_index (list, 0);
}

/* ---- headers ------------------------------------------------------------------------ */

static void
test_headers (void)
{
  g_autoptr(CachetDraft) draft = cachet_draft_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CachetMessage) msg = NULL;
  g_autofree char *block = NULL;
  const char *refs[] = { "<root@example.org>", "parent@example.org", "bad id", NULL };
  const char * const *got_refs;
  GPtrArray *to, *cc;
  GDateTime *date;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  cachet_draft_set_account_id (draft, "work");
  cachet_draft_set_from (draft, "Jörg Müller", "joerg@bücher.example");
  cachet_draft_set_to (draft, "\"Doe, John\" <john@example.org>, Ann Example <ann@example.org>,"
                              " 日本語の名前 <jp@example.jp>");
  cachet_draft_set_cc (draft, "carol@example.org (Carol C.)");
  cachet_draft_set_bcc (draft, "hidden@example.org");
  cachet_draft_set_subject (draft, "Grüße aus Köln");
  cachet_draft_set_body (draft, "Hallo!\n");
  cachet_draft_set_in_reply_to (draft, "<parent@example.org>");
  cachet_draft_set_references (draft, refs);

  msg = draft_test_build (draft, CACHET_DRAFT_BUILD_SEND, &bytes);
  block = draft_test_header_block (bytes);

  g_assert_cmpstr (cachet_message_get_subject (msg), ==, "Grüße aus Köln");
  g_assert_cmpstr (first (cachet_message_get_from (msg))->name, ==, "Jörg Müller");
  /* The domain goes out in its IDNA form. */
  g_assert_cmpstr (first (cachet_message_get_from (msg))->email, ==,
                   "joerg@xn--bcher-kva.example");
  to = cachet_message_get_to (msg);
  g_assert_cmpuint (to->len, ==, 3);
  g_assert_cmpstr (((CachetAddress *) to->pdata[0])->name, ==, "Doe, John");
  g_assert_cmpstr (((CachetAddress *) to->pdata[0])->email, ==, "john@example.org");
  g_assert_cmpstr (((CachetAddress *) to->pdata[1])->name, ==, "Ann Example");
  g_assert_cmpstr (((CachetAddress *) to->pdata[2])->name, ==, "日本語の名前");
  g_assert_cmpstr (((CachetAddress *) to->pdata[2])->email, ==, "jp@example.jp");
  cc = cachet_message_get_cc (msg);
  g_assert_cmpuint (cc->len, ==, 1);
  g_assert_cmpstr (first (cc)->name, ==, "Carol C.");
  g_assert_cmpstr (first (cc)->email, ==, "carol@example.org");

  /* Sent mail carries no Bcc and nothing of Cachet's own. */
  g_assert_cmpuint (cachet_message_get_bcc (msg)->len, ==, 0);
  g_assert_null (draft_test_raw_field (block, "Bcc"));
  g_assert_null (strstr (block, "X-Cachet"));

  g_assert_true (g_str_has_suffix (cachet_message_get_message_id (msg),
                                   "@xn--bcher-kva.example"));
  g_assert_cmpstr (cachet_message_get_in_reply_to (msg), ==, "parent@example.org");
  got_refs = cachet_message_get_references (msg);
  g_assert_cmpstr (got_refs[0], ==, "root@example.org");
  g_assert_cmpstr (got_refs[1], ==, "parent@example.org");
  g_assert_null (got_refs[2]);
  date = cachet_message_get_date (msg);
  g_assert_nonnull (date);
  g_assert_cmpint (ABS (g_date_time_difference (now, date)), <, 48 * G_TIME_SPAN_HOUR);
  g_assert_cmpstr (cachet_message_get_header (msg, "MIME-Version"), ==, "1.0");
  g_assert_true (g_str_has_prefix (cachet_message_get_header (msg, "User-Agent"), "Cachet/"));

  /* Single part: text/plain; charset=utf-8; format=flowed. */
  {
    CachetPart *root = cachet_message_get_root (msg);
    g_assert_cmpstr (cachet_part_get_mime_type (root), ==, "text/plain");
    g_assert_cmpstr (cachet_part_get_charset (root), ==, "utf-8");
    g_assert_cmpstr (cachet_part_get_parameter (root, "format"), ==, "flowed");
    g_assert_cmpstr (cachet_part_get_transfer_encoding (root), ==, "7bit");
  }
  g_assert_cmpstr (cachet_message_get_body_text (msg), ==, "Hallo!\n");
}

static void
test_subjects (void)
{
  g_autofree char *long_ascii = NULL;
  g_autofree char *long_word = NULL;
  g_autofree char *cjk = NULL;
  g_autofree char *emoji = NULL;
  GString *s;
  const char *fixed[] = {
    "Hello world",
    "Grüße aus Köln — über den Rhein",
    " leading space",
    "trailing space ",
    "double  spaces  inside",
    "tab\there",
    "looks like =?utf-8?q?encoded?= but is not",
    "   ",
    "a",
    "Re: Ünïcödé ☃ snowman, 100% sure?",
    "=?",
    "plain ascii_with-punctuation! (and) [brackets] <angles> \"quotes\" back\\slash",
  };

  s = g_string_new (NULL);
  for (int i = 0; i < 30; i++)
    g_string_append (s, i ? " word" : "word");
  long_ascii = g_string_free (s, FALSE);
  s = g_string_new ("https://example.org/");
  for (int i = 0; i < 15; i++)
    g_string_append (s, "0123456789");
  long_word = g_string_free (s, FALSE);
  s = g_string_new (NULL);
  for (int i = 0; i < 12; i++)
    g_string_append (s, "日本語のテキスト");
  cjk = g_string_free (s, FALSE);
  s = g_string_new (NULL);
  for (int i = 0; i < 20; i++)
    g_string_append (s, "😀 smile 😀😀 ");
  g_string_append (s, "end");
  emoji = g_string_free (s, FALSE);

  const char *made[] = { long_ascii, long_word, cjk, emoji };

  for (guint i = 0; i < G_N_ELEMENTS (fixed) + G_N_ELEMENTS (made); i++)
    {
      const char *subject = i < G_N_ELEMENTS (fixed) ? fixed[i] : made[i - G_N_ELEMENTS (fixed)];
      g_autoptr(CachetDraft) draft = simple_draft ();
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(CachetMessage) msg = NULL;
      g_autofree char *block = NULL;
      g_autofree char *raw = NULL;

      g_autofree char *expected = g_strstrip (g_strdelimit (g_strdup (subject), "\t", ' '));

      g_test_message ("subject: “%s”", subject);
      cachet_draft_set_subject (draft, subject);
      msg = draft_test_build (draft, CACHET_DRAFT_BUILD_SEND, &bytes);
      block = draft_test_header_block (bytes);
      raw = draft_test_raw_field (block, "Subject");
      /* White space around the subject is dropped; an empty one is left out. */
      if (*expected == '\0')
        {
          g_assert_null (raw);
          g_assert_null (cachet_message_get_subject (msg));
          continue;
        }
      g_assert_cmpstr (cachet_message_get_subject (msg), ==, expected);
      g_assert_nonnull (raw);
      /* Simple ASCII stays readable; long text is folded. */
      if (i == 0 || i == G_N_ELEMENTS (fixed) - 1)
        g_assert_cmpuint (draft_test_check_encoded_words (raw), ==, 0);
      if (strlen (subject) > 70)
        g_assert_nonnull (strchr (raw, '\n'));
    }
}

static void
test_display_names (void)
{
  g_autofree char *long_name = NULL;
  GString *s = g_string_new (NULL);
  const char *names[] = {
    "Ann Example",
    "Doe, John",
    "O'Brien \"Bob\" back\\slash",
    "J. R. R. Tolkien",
    "Jörg Müller",
    "日本語の名前",
    "spaced  out",
    "=?utf-8?q?not_encoded?=",
    NULL,
  };

  for (int i = 0; i < 12; i++)
    g_string_append (s, i ? " Ünïcödé" : "Ünïcödé");
  long_name = g_string_free (s, FALSE);
  names[G_N_ELEMENTS (names) - 1] = long_name;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(CachetDraft) draft = simple_draft ();
      g_autoptr(CachetMessage) msg = NULL;
      g_autoptr(GPtrArray) typed = g_ptr_array_new_with_free_func (
        (GDestroyNotify) cachet_address_free);
      g_autofree char *to_text = NULL;
      GPtrArray *to;

      g_test_message ("name: “%s”", names[i]);
      cachet_draft_set_from (draft, names[i], "sender@example.org");
      /* The same name typed into To, as the composer would hand it over. */
      g_ptr_array_add (typed, cachet_address_new (names[i], "rcpt@example.org"));
      g_ptr_array_add (typed, cachet_address_new ("Second", "second@example.org"));
      to_text = cachet_address_list_format (typed);
      cachet_draft_set_to (draft, to_text);

      msg = draft_test_build (draft, CACHET_DRAFT_BUILD_SEND, NULL);
      g_assert_cmpstr (first (cachet_message_get_from (msg))->name, ==, names[i]);
      g_assert_cmpstr (first (cachet_message_get_from (msg))->email, ==, "sender@example.org");
      to = cachet_message_get_to (msg);
      g_assert_cmpuint (to->len, ==, 2);
      g_assert_cmpstr (first (to)->name, ==, names[i]);
      g_assert_cmpstr (((CachetAddress *) to->pdata[1])->email, ==, "second@example.org");
    }
}

/* ---- bodies ------------------------------------------------------------------------- */

typedef struct
{
  const char *input;
  const char *shown;     /* the text a reader gets back (format=flowed decoded) */
  const char *encoding;
} BodyCase;

static void
test_body_flowed (void)
{
  g_autofree char *paragraph = NULL;
  g_autofree char *long_word = NULL;
  g_autofree char *quoted_in = NULL;
  g_autofree char *german = NULL;
  g_autofree char *russian = NULL;
  g_autofree char *long_word_line = NULL;
  GString *s;

  s = g_string_new (NULL);
  for (int i = 0; i < 40; i++)
    g_string_append (s, i ? " paragraph" : "A");
  g_string_append (s, ".\n");
  paragraph = g_string_free (s, FALSE);
  long_word = g_strnfill (200, 'x');
  long_word_line = g_strdup_printf ("before %s after\n", long_word);
  quoted_in = g_strdup_printf ("> %s>> deeper %s", paragraph, paragraph);
  s = g_string_new (NULL);
  for (int i = 0; i < 10; i++)
    g_string_append (s, "Schöne Grüße über die Straße. ");
  g_string_append (s, "Ende\n");
  german = g_string_free (s, FALSE);
  s = g_string_new (NULL);
  for (int i = 0; i < 10; i++)
    g_string_append (s, "Привет, как дела? ");
  g_string_append (s, "Пока\n");
  russian = g_string_free (s, FALSE);

  {
    const BodyCase cases[] = {
      { "Hi Bob.\n", "Hi Bob.\n", "7bit" },
      { paragraph, paragraph, "7bit" },
      { "From me to you\nFrom here\n", "From me to you\nFrom here\n", "7bit" },
      { ".\n..\n. dot\n", ".\n..\n. dot\n", "7bit" },
      { "trailing   \nspaces \n", "trailing\nspaces\n", "7bit" },
      { "   indented\n  twice\n", "   indented\n  twice\n", "7bit" },
      { "text\n-- \nSignature\n", "text\n-- \nSignature\n", "7bit" },
      { quoted_in, quoted_in, "7bit" },
      { long_word_line, long_word_line, "quoted-printable" },
      { german, german, "quoted-printable" },
      { russian, russian, "base64" },
      { "no final line break", "no final line break\n", "7bit" },
      { "", "", "7bit" },
      { "tab\tseparated\n", "tab\tseparated\n", "7bit" },
      { "a >b c\n", "a >b c\n", "7bit" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(CachetDraft) draft = simple_draft ();
        g_autoptr(GBytes) bytes = NULL;
        g_autoptr(CachetMessage) msg = NULL;
        CachetPart *root;
        g_autoptr(GBytes) decoded = NULL;
        g_autofree char *shown = NULL;
        g_autofree char *wire = NULL;

        g_test_message ("body case %u", i);
        cachet_draft_set_body (draft, cases[i].input);
        msg = draft_test_build (draft, CACHET_DRAFT_BUILD_SEND, &bytes);
        root = cachet_message_get_root (msg);
        g_assert_cmpstr (cachet_part_get_parameter (root, "format"), ==, "flowed");
        g_assert_cmpstr (cachet_part_get_transfer_encoding (root), ==, cases[i].encoding);
        shown = cachet_part_get_text (root, NULL);
        g_assert_cmpstr (shown, ==, cases[i].shown);

        /* On the wire: flowed lines of at most 78 characters (one long word aside), with
         * "From " and leading spaces stuffed. */
        decoded = cachet_part_get_decoded (root);
        wire = g_strndup (g_bytes_get_data (decoded, NULL), g_bytes_get_size (decoded));
        {
          g_auto(GStrv) lines = g_strsplit (wire, "\n", -1);
          for (char **l = lines; *l != NULL; l++)
            {
              g_strdelimit (*l, "\r", '\0');
              if (strstr (*l, long_word) == NULL)
                g_assert_cmpint (g_utf8_strlen (*l, -1), <=, 78);
              g_assert_false (g_str_has_prefix (*l, "From "));
            }
        }
      }
  }
}

static void
test_body_draft_exact (void)
{
  g_autofree char *long_line = g_strnfill (2000, 'y');
  g_autofree char *with_long = g_strdup_printf ("start\n%s\nend\n", long_line);
  const char *bodies[] = {
    "trailing   \nspaces\t\nkept  ",
    "From the start\nFrom here\n",
    ".\n..\n.\n",
    "no final line break",
    "Grüße\r\nwith CRLF\rand CR\n",
    "\n\nleading blank lines\n\n\n",
    "control \x1b[1m chars\n",
    "> quoted\n>> deeper\n>\n",
    with_long,
    "Привет мир\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(CachetDraft) draft = simple_draft ();
      g_autoptr(CachetMessage) msg = NULL;
      g_autoptr(CachetDraft) again = NULL;
      CachetPart *root;

      g_test_message ("draft body case %u", i);
      cachet_draft_set_body (draft, bodies[i]);
      msg = draft_test_build (draft, CACHET_DRAFT_BUILD_DRAFT, NULL);
      root = cachet_message_get_root (msg);
      g_assert_null (cachet_part_get_parameter (root, "format"));
      again = cachet_draft_new_from_message (msg);
      g_assert_cmpstr (cachet_draft_get_body (again), ==, cachet_draft_get_body (draft));
    }
}

/* ---- attachments -------------------------------------------------------------------- */

static GBytes *
pattern_bytes (gsize len,
               guint seed)
{
  guint8 *data = g_malloc (len);
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < len; i++)
    data[i] = seed == 0 ? (guint8) i : (guint8) g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);
  return g_bytes_new_take (data, len);
}

static void
test_attachments (void)
{
  g_autoptr(CachetDraft) draft = simple_draft ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CachetMessage) msg = NULL;
  g_autofree char *long_name = NULL;
  GPtrArray *attachments;
  GString *s = g_string_new (NULL);
  struct
  {
    const char *name;
    const char *type;
    GBytes     *data;
  } files[] = {
    { "report.pdf", "application/pdf", pattern_bytes (256 * 40, 0) },
    { "Ünïcödé name with spaces.bin", "application/octet-stream", pattern_bytes (100000, 7) },
    { "a  b  c.txt", "text/plain", g_bytes_new_static ("line\r\nwindows\r\n", 15) },
    { "quote\"d; semi=colon (x).txt", "text/plain", g_bytes_new_static ("unix\nlines\n", 11) },
    { "=?utf-8?q?fake?=.txt", "text/plain", g_bytes_new_static ("", 0) },
    { "日本語のファイル.txt", "text/plain; charset=utf-8",
      g_bytes_new_static ("テキスト\n", 13) },
    { NULL, "image/png", pattern_bytes (3000, 3) },
    { NULL, "application/x-unknown", g_bytes_new_static ("no trailing newline", 19) },
  };

  /* 189 bytes: under the 200 a file name may have, over several RFC 2231 sections. */
  for (int i = 0; i < 5; i++)
    g_string_append (s, "Sehr langer Dateiname mit Ümläuten ");
  g_string_append (s, ".odt");
  long_name = g_string_free (s, FALSE);
  files[6].name = long_name;

  cachet_draft_set_body (draft, "Files attached.\n");
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    g_assert_cmpuint (cachet_draft_add_data (draft, files[i].name, files[i].type, files[i].data),
                      ==, i);
  g_assert_cmpuint (cachet_draft_get_n_attachments (draft), ==, G_N_ELEMENTS (files));

  msg = draft_test_build (draft, CACHET_DRAFT_BUILD_SEND, &bytes);
  g_assert_cmpstr (cachet_part_get_mime_type (cachet_message_get_root (msg)), ==,
                   "multipart/mixed");
  g_assert_cmpstr (cachet_message_get_body_text (msg), ==, "Files attached.\n");
  attachments = cachet_message_get_attachments (msg);
  g_assert_cmpuint (attachments->len, ==, G_N_ELEMENTS (files));
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      CachetPart *part = g_ptr_array_index (attachments, i);
      g_autoptr(GBytes) decoded = cachet_part_get_decoded (part);
      g_autofree char *type = g_strndup (files[i].type, strcspn (files[i].type, ";"));
      const char *expected_name = files[i].name;

      g_test_message ("attachment %u: %s", i, expected_name ? expected_name : "(none)");
      g_assert_cmpstr (cachet_part_get_filename (part), ==, expected_name);
      /* The RFC 2047 name= for old readers says the same (libetpan's parser makes runs
       * of spaces in quoted parameters one, and decodes what looks like an encoded word
       * once more). */
      if (expected_name != NULL && strstr (expected_name, "=?") == NULL)
        {
          g_autoptr(GRegex) runs = g_regex_new ("  +", 0, 0, NULL);
          g_autofree char *legacy = g_regex_replace_literal (runs, expected_name, -1, 0, " ",
                                                             0, NULL);
          g_strdelimit (legacy, "\"", '_');
          g_assert_cmpstr (cachet_part_get_parameter (part, "name"), ==, legacy);
        }
      else if (expected_name == NULL)
        g_assert_null (cachet_part_get_parameter (part, "name"));
      g_assert_cmpstr (cachet_part_get_mime_type (part), ==, type);
      g_assert_cmpstr (cachet_part_get_disposition (part), ==, "attachment");
      g_assert_cmpstr (cachet_part_get_transfer_encoding (part), ==, "base64");
      g_assert_true (g_bytes_equal (decoded, files[i].data));
    }
  g_assert_cmpstr (cachet_part_get_charset (g_ptr_array_index (attachments, 5)), ==, "utf-8");

  /* The draft lists what it holds. */
  {
    const char *name, *type;
    guint64 size;

    cachet_draft_get_attachment (draft, 1, &name, &type, &size);
    g_assert_cmpstr (name, ==, files[1].name);
    g_assert_cmpstr (type, ==, "application/octet-stream");
    g_assert_cmpuint (size, ==, 100000);
    cachet_draft_remove_attachment (draft, 1);
    g_assert_cmpuint (cachet_draft_get_n_attachments (draft), ==, G_N_ELEMENTS (files) - 1);
    cachet_draft_get_attachment (draft, 1, &name, NULL, NULL);
    g_assert_cmpstr (name, ==, files[2].name);
  }

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    g_bytes_unref (files[i].data);
}

static void
test_attachment_file (void)
{
  g_autoptr(CachetDraft) draft = simple_draft ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = pattern_bytes (5000, 11);
  g_autofree char *dir = g_dir_make_tmp ("cachet-draft-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "Bild vom Ürlaub.png", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.txt", NULL);
  g_autoptr(CachetMessage) msg = NULL;
  g_autoptr(GBytes) built = NULL;
  const char *name, *type;
  guint64 size;
  CachetPart *part;
  g_autoptr(GBytes) decoded = NULL;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (data, NULL),
                                      g_bytes_get_size (data), NULL));

  /* A file that is not there cannot be added. */
  g_assert_cmpuint (cachet_draft_add_file (draft, missing, NULL, &error), ==, G_MAXUINT);
  g_assert_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "missing.txt"));
  g_clear_error (&error);
  g_assert_cmpuint (cachet_draft_add_file (draft, dir, NULL, &error), ==, G_MAXUINT);
  g_assert_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_IO);
  g_clear_error (&error);

  /* Guessed from the name and contents (the test's isolated data directories may have
   * no MIME database: then it is application/octet-stream), or as given. */
  g_assert_cmpuint (cachet_draft_add_file (draft, path, NULL, &error), ==, 0);
  g_assert_no_error (error);
  cachet_draft_get_attachment (draft, 0, &name, &type, &size);
  g_assert_cmpstr (name, ==, "Bild vom Ürlaub.png");
  g_assert_nonnull (strchr (type, '/'));
  g_assert_cmpuint (size, ==, 5000);
  cachet_draft_remove_attachment (draft, 0);
  g_assert_cmpuint (cachet_draft_add_file (draft, path, "image/png", &error), ==, 0);
  cachet_draft_get_attachment (draft, 0, NULL, &type, NULL);
  g_assert_cmpstr (type, ==, "image/png");

  msg = draft_test_build (draft, CACHET_DRAFT_BUILD_SEND, NULL);
  part = g_ptr_array_index (cachet_message_get_attachments (msg), 0);
  decoded = cachet_part_get_decoded (part);
  g_assert_cmpstr (cachet_part_get_filename (part), ==, "Bild vom Ürlaub.png");
  g_assert_cmpstr (cachet_part_get_mime_type (part), ==, "image/png");
  g_assert_true (g_bytes_equal (decoded, data));

  /* Gone by the time the message is built: the error names it. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  built = cachet_draft_build (draft, CACHET_DRAFT_BUILD_SEND, &error);
  g_assert_null (built);
  g_assert_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "Bild vom Ürlaub.png"));
  g_rmdir (dir);
}

static const char original_message[] =
  "From: Carol <carol@example.org>\r\n"
  "To: ann@example.org\r\n"
  "Subject: =?utf-8?q?Origin=C3=A4l?=\r\n"
  "Date: Tue, 3 Jun 2008 11:05:30 +0200\r\n"
  "Message-ID: <orig@example.org>\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "Content-Transfer-Encoding: 8bit\r\n"
  "\r\n"
  "Grüße vom Original.\r\n"
  "From the original, a line that starts with From.\r\n";

static void
test_message_attachment (void)
{
  const char *ascii = "From: a@example.org\nSubject: plain\n\nbody\n";
  g_autoptr(GBytes) eight_bit = g_bytes_new_static (original_message, strlen (original_message));
  g_autoptr(GBytes) seven_bit = g_bytes_new_static (ascii, strlen (ascii));
  g_autoptr(CachetDraft) draft = simple_draft ();
  g_autoptr(CachetMessage) msg = NULL;
  g_autofree char *dump = NULL;
  GPtrArray *attachments;
  const char *name;

  g_assert_cmpuint (cachet_draft_add_message (draft, eight_bit), ==, 0);
  g_assert_cmpuint (cachet_draft_add_message (draft, seven_bit), ==, 1);
  cachet_draft_get_attachment (draft, 0, &name, NULL, NULL);
  g_assert_cmpstr (name, ==, "Originäl.eml");

  msg = draft_test_build (draft, CACHET_DRAFT_BUILD_SEND, NULL);
  attachments = cachet_message_get_attachments (msg);
  g_assert_cmpuint (attachments->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      CachetPart *part = g_ptr_array_index (attachments, i);
      g_autoptr(GBytes) decoded = cachet_part_get_decoded (part);
      g_autofree char *expected = NULL;
      GPtrArray *children = cachet_part_get_children (part);

      g_assert_cmpint (cachet_part_get_kind (part), ==, CACHET_PART_MESSAGE);
      g_assert_cmpstr (cachet_part_get_mime_type (part), ==, "message/rfc822");
      g_assert_cmpstr (cachet_part_get_transfer_encoding (part), ==, i == 0 ? "8bit" : "7bit");
      g_assert_cmpuint (children->len, ==, 1);
      /* The message itself, its line ends made LF like the rest. */
      expected = g_strdup (i == 0 ? original_message : ascii);
      {
        g_autoptr(GString) lf = g_string_new (expected);
        g_string_replace (lf, "\r\n", "\n", 0);
        g_assert_cmpmem (g_bytes_get_data (decoded, NULL), g_bytes_get_size (decoded),
                         lf->str, lf->len);
      }
    }
  dump = cachet_message_dump (msg);
  g_assert_nonnull (strstr (dump, "Originäl.eml"));
}

/* ---- errors and recipients ---------------------------------------------------------- */

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  {
    g_autoptr(CachetDraft) draft = simple_draft ();
    cachet_draft_set_to (draft, NULL);
    bytes = cachet_draft_build (draft, CACHET_DRAFT_BUILD_SEND, &error);
    g_assert_null (bytes);
    g_assert_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID);
    g_clear_error (&error);
    /* A draft may have no recipient yet. */
    bytes = cachet_draft_build (draft, CACHET_DRAFT_BUILD_DRAFT, &error);
    g_assert_no_error (error);
    g_clear_pointer (&bytes, g_bytes_unref);
    /* Bcc alone is enough to send. */
    cachet_draft_set_bcc (draft, "secret@example.org");
    bytes = cachet_draft_build (draft, CACHET_DRAFT_BUILD_SEND, &error);
    g_assert_no_error (error);
    g_assert_null (strstr (g_bytes_get_data (bytes, NULL), "secret@"));
    g_clear_pointer (&bytes, g_bytes_unref);
  }
  {
    g_autoptr(CachetDraft) draft = simple_draft ();
    cachet_draft_set_cc (draft, "ok@example.org, bob@, other@example.org");
    bytes = cachet_draft_build (draft, CACHET_DRAFT_BUILD_SEND, &error);
    g_assert_null (bytes);
    g_assert_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "“bob@”"));
    g_clear_error (&error);
  }
  {
    g_autoptr(CachetDraft) draft = simple_draft ();
    cachet_draft_set_bcc (draft, "Ann <ann@example.org");
    bytes = cachet_draft_build (draft, CACHET_DRAFT_BUILD_SEND, &error);
    g_assert_null (bytes);
    g_assert_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID);
    g_clear_error (&error);
  }
  {
    g_autoptr(CachetDraft) draft = simple_draft ();
    cachet_draft_set_from (draft, NULL, NULL);
    bytes = cachet_draft_build (draft, CACHET_DRAFT_BUILD_SEND, &error);
    g_assert_null (bytes);
    g_assert_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID);
    g_clear_error (&error);
    cachet_draft_set_from (draft, "Me", "not an address");
    bytes = cachet_draft_build (draft, CACHET_DRAFT_BUILD_DRAFT, &error);
    g_assert_null (bytes);
    g_assert_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID);
    g_clear_error (&error);
  }
}

static void
test_envelope (void)
{
  g_autoptr(CachetDraft) draft = simple_draft ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) rcpt = NULL;
  const char *expected[] = {
    "bob@example.net", "Carol@example.org", "dave@xn--mller-kva.example",
    "\"quoted local\"@example.org", "eve@[192.0.2.1]", NULL
  };

  cachet_draft_set_to (draft, "Bob <bob@example.net>, Carol <Carol@Example.org>; "
                              "dave@müller.example");
  cachet_draft_set_cc (draft, "carol@example.org, BOB@example.net, \"quoted local\"@example.org");
  cachet_draft_set_bcc (draft, "Team: eve@[192.0.2.1], bob@example.net;");
  rcpt = cachet_draft_get_envelope_recipients (draft, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (rcpt, expected);

  {
    const char *bad[] = {
      "bob", "bob@", "@example.org", "a@b@", "a b@example.org", "a@exa mple.org",
      "a..b@example.org", ".a@example.org", "a@-example.org", "a@example..org",
      "Ann", "x@y, Ann Example", "a@example.org b@example.org", "jörg@example.org",
      "<a@example.org> trailing", "\"unclosed@example.org",
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_auto(GStrv) none = NULL;

        g_test_message ("bad address: %s", bad[i]);
        cachet_draft_set_to (draft, bad[i]);
        none = cachet_draft_get_envelope_recipients (draft, &error);
        g_assert_null (none);
        g_assert_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID);
        g_clear_error (&error);
      }
  }
}

/* ---- drafts ------------------------------------------------------------------------- */

static void
test_draft_roundtrip (void)
{
  g_autoptr(CachetDraft) draft = cachet_draft_new ();
  g_autoptr(CachetDraft) again = NULL;
  g_autoptr(CachetMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) binary = pattern_bytes (70000, 5);
  g_autoptr(GBytes) text = g_bytes_new_static ("a text file\n", 12);
  g_autoptr(GBytes) inner = g_bytes_new_static (original_message, strlen (original_message));
  g_autofree char *block = NULL;
  g_autofree char *bcc = NULL;
  const char *refs[] = { "root@example.org", "parent@example.org", NULL };

  cachet_draft_set_account_id (draft, "home-2");
  cachet_draft_set_from (draft, "Ann Sender", "ann@example.org");
  cachet_draft_set_to (draft, "\"Doe, John\" <john@example.org>, Jörg <joerg@bücher.example>");
  cachet_draft_set_cc (draft, "carol@example.org");
  cachet_draft_set_bcc (draft, "Hidden <hidden@example.org>, also@example.org");
  cachet_draft_set_subject (draft, "Unfinished: Grüße  with two spaces");
  cachet_draft_set_body (draft, "Dear John,  \n\nFrom the top.\n-- \nAnn");
  cachet_draft_set_in_reply_to (draft, "parent@example.org");
  cachet_draft_set_references (draft, refs);
  cachet_draft_add_data (draft, "Bilanz 2024 – Entwurf.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         binary);
  cachet_draft_add_data (draft, "notes.txt", "text/plain", text);
  cachet_draft_add_message (draft, inner);

  msg = draft_test_build (draft, CACHET_DRAFT_BUILD_DRAFT, &bytes);
  block = draft_test_header_block (bytes);
  bcc = draft_test_raw_field (block, "Bcc");
  g_assert_cmpstr (bcc, ==, " Hidden <hidden@example.org>, also@example.org");
  g_assert_cmpstr (cachet_message_get_header (msg, "X-Cachet-Account"), ==, "home-2");

  again = cachet_draft_new_from_message (msg);
  g_assert_cmpstr (cachet_draft_get_account_id (again), ==, "home-2");
  g_assert_cmpstr (cachet_draft_get_to (again), ==, cachet_draft_get_to (draft));
  g_assert_cmpstr (cachet_draft_get_cc (again), ==, cachet_draft_get_cc (draft));
  g_assert_cmpstr (cachet_draft_get_bcc (again), ==, cachet_draft_get_bcc (draft));
  g_assert_cmpstr (cachet_draft_get_subject (again), ==, cachet_draft_get_subject (draft));
  g_assert_cmpstr (cachet_draft_get_body (again), ==, cachet_draft_get_body (draft));
  g_assert_cmpuint (cachet_draft_get_n_attachments (again), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const char *name_a, *type_a, *name_b, *type_b;
      guint64 size_a, size_b;

      cachet_draft_get_attachment (draft, i, &name_a, &type_a, &size_a);
      cachet_draft_get_attachment (again, i, &name_b, &type_b, &size_b);
      g_assert_cmpstr (name_a, ==, name_b);
      g_assert_cmpstr (type_a, ==, type_b);
      g_assert_cmpuint (size_a, ==, size_b);
    }

  /* The same draft saved again gives the same message, but for Date and Message-ID. */
  {
    g_autoptr(GBytes) second = NULL;
    g_autoptr(CachetMessage) msg2 = draft_test_build (again, CACHET_DRAFT_BUILD_DRAFT, &second);
    GPtrArray *a1 = cachet_message_get_attachments (msg);
    GPtrArray *a2 = cachet_message_get_attachments (msg2);
    const char * const *r = cachet_message_get_references (msg2);

    g_assert_cmpstr (first (cachet_message_get_from (msg2))->name, ==, "Ann Sender");
    g_assert_cmpstr (cachet_message_get_in_reply_to (msg2), ==, "parent@example.org");
    g_assert_cmpstr (r[0], ==, "root@example.org");
    g_assert_cmpstr (r[1], ==, "parent@example.org");
    g_assert_cmpuint (a1->len, ==, a2->len);
    for (guint i = 0; i < a1->len; i++)
      {
        g_autoptr(GBytes) d1 = cachet_part_get_decoded (g_ptr_array_index (a1, i));
        g_autoptr(GBytes) d2 = cachet_part_get_decoded (g_ptr_array_index (a2, i));
        g_assert_true (g_bytes_equal (d1, d2));
      }
  }
}

static void
test_draft_keeps_unfinished_addresses (void)
{
  g_autoptr(CachetDraft) draft = simple_draft ();
  g_autoptr(CachetDraft) again = NULL;
  g_autoptr(CachetMessage) msg = NULL;

  cachet_draft_set_to (draft, "bob@example.net, ann");
  cachet_draft_set_cc (draft, "Jörg Mü");
  cachet_draft_set_bcc (draft, "ok@example.org");
  msg = draft_test_build (draft, CACHET_DRAFT_BUILD_DRAFT, NULL);
  g_assert_cmpuint (cachet_message_get_to (msg)->len, ==, 0);
  again = cachet_draft_new_from_message (msg);
  g_assert_cmpstr (cachet_draft_get_to (again), ==, "bob@example.net, ann");
  g_assert_cmpstr (cachet_draft_get_cc (again), ==, "Jörg Mü");
  g_assert_cmpstr (cachet_draft_get_bcc (again), ==, "ok@example.org");
}

static void
test_boundary (void)
{
  g_autoptr(CachetDraft) draft = simple_draft ();
  g_autoptr(CachetMessage) msg = NULL;
  /* A message that itself holds Cachet-style boundaries. */
  const char *inner = "Subject: inner\nContent-Type: multipart/mixed; boundary=\"=_cachet_x\"\n\n"
                      "--=_cachet_x\n\nhi\n--=_cachet_x--\n";
  g_autoptr(GBytes) inner_bytes = g_bytes_new_static (inner, strlen (inner));

  cachet_draft_add_message (draft, inner_bytes);
  msg = draft_test_build (draft, CACHET_DRAFT_BUILD_SEND, NULL);
  g_assert_cmpuint (cachet_message_get_attachments (msg)->len, ==, 1);
  g_assert_cmpstr (cachet_message_get_body_text (msg), ==, "Hi Bob.\n");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/draft/headers", test_headers);
  g_test_add_func ("/core/draft/subjects", test_subjects);
  g_test_add_func ("/core/draft/display-names", test_display_names);
  g_test_add_func ("/core/draft/body-flowed", test_body_flowed);
  g_test_add_func ("/core/draft/body-draft-exact", test_body_draft_exact);
  g_test_add_func ("/core/draft/attachments", test_attachments);
  g_test_add_func ("/core/draft/attachment-file", test_attachment_file);
  g_test_add_func ("/core/draft/message-attachment", test_message_attachment);
  g_test_add_func ("/core/draft/boundary", test_boundary);
  g_test_add_func ("/core/draft/errors", test_errors);
  g_test_add_func ("/core/draft/envelope", test_envelope);
  g_test_add_func ("/core/draft/draft-roundtrip", test_draft_roundtrip);
  g_test_add_func ("/core/draft/draft-unfinished-addresses",
                   test_draft_keeps_unfinished_addresses);
  return g_test_run ();
}
