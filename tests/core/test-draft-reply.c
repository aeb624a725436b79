/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cachet-address.h"
#include "cachet-draft.h"
#include "draft-test-util.h"

static CachetMessage *
parse (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  return cachet_message_new_from_bytes (bytes);
}

static const char thread_message[] =
  "From: Carol Example <carol@example.org>\r\n"
  "To: Ann <ann@example.org>, Bob <bob@example.net>, team@example.org\r\n"
  "Cc: Dave <dave@example.com>, ANN@example.org, bob@example.net\r\n"
  "Subject: AW: Re: Sv: Quarterly report\r\n"
  "Date: Tue, 3 Jun 2008 11:05:30 +0200\r\n"
  "Message-ID: <m3@example.org>\r\n"
  "In-Reply-To: <m2@example.org>\r\n"
  "References: <m1@example.org> <m2@example.org>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: text/plain; charset=utf-8; format=flowed\r\n"
  "Content-Transfer-Encoding: 8bit\r\n"
  "\r\n"
  "First paragraph, long enough to have been flowed over two lines in the \r\n"
  "original message, with Grüße.\r\n"
  "> earlier quote\r\n"
  ">> deeper quote\r\n"
  "\r\n"
  "Last line.\r\n"
  "\r\n"
  "-- \r\n"
  "Carol\r\n";

static const char * const own[] = { "ann@example.org", NULL };

static void
test_reply (void)
{
  g_autoptr(CachetMessage) original = parse (thread_message);
  g_autoptr(CachetDraft) draft = cachet_draft_new_reply (original, FALSE, own);
  g_autoptr(CachetMessage) sent = NULL;
  const char *body = cachet_draft_get_body (draft);
  const char * const *refs;
  g_autofree char *text = NULL;
  const char *quote;

  g_assert_cmpstr (cachet_draft_get_subject (draft), ==, "Re: Quarterly report");
  g_assert_cmpstr (cachet_draft_get_to (draft), ==, "Carol Example <carol@example.org>");
  g_assert_null (cachet_draft_get_cc (draft));
  g_assert_null (cachet_draft_get_bcc (draft));

  /* Attribution, then the text quoted once more; the signature is left out. */
  g_assert_true (g_str_has_prefix (body, "On "));
  quote = strstr (body, " Carol Example wrote:\n");
  g_assert_nonnull (quote);
  g_assert_cmpstr (strchr (quote, '\n') + 1, ==,
                   "> First paragraph, long enough to have been flowed over two lines in the "
                   "original message, with Grüße.\n"
                   ">> earlier quote\n"
                   ">>> deeper quote\n"
                   ">\n"
                   "> Last line.\n"
                   "\n");

  /* Sent: threading headers, and the quotes still quotes after format=flowed. */
  cachet_draft_set_from (draft, "Ann", "ann@example.org");
  sent = draft_test_build (draft, CACHET_DRAFT_BUILD_SEND, NULL);
  g_assert_cmpstr (cachet_message_get_subject (sent), ==, "Re: Quarterly report");
  g_assert_cmpstr (cachet_message_get_in_reply_to (sent), ==, "m3@example.org");
  refs = cachet_message_get_references (sent);
  g_assert_cmpstr (refs[0], ==, "m1@example.org");
  g_assert_cmpstr (refs[1], ==, "m2@example.org");
  g_assert_cmpstr (refs[2], ==, "m3@example.org");
  g_assert_null (refs[3]);
  text = cachet_part_get_text (cachet_message_get_root (sent), NULL);
  g_assert_nonnull (strstr (text, "\n> First paragraph, long enough to have been flowed over two "
                                  "lines in the original message, with Grüße.\n"
                                  ">> earlier quote\n>>> deeper quote\n"));
}

static void
test_reply_all (void)
{
  g_autoptr(CachetMessage) original = parse (thread_message);
  g_autoptr(CachetDraft) draft = cachet_draft_new_reply (original, TRUE, own);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) rcpt = NULL;
  const char *expected[] = { "carol@example.org", "bob@example.net", "team@example.org",
                             "dave@example.com", NULL };

  g_assert_cmpstr (cachet_draft_get_to (draft), ==, "Carol Example <carol@example.org>");
  /* Own addresses (in any case) and duplicates are gone. */
  g_assert_cmpstr (cachet_draft_get_cc (draft), ==,
                   "Bob <bob@example.net>, team@example.org, Dave <dave@example.com>");
  rcpt = cachet_draft_get_envelope_recipients (draft, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (rcpt, expected);
}

static void
test_reply_to_honoured (void)
{
  g_autoptr(CachetMessage) original = parse (
    "From: Carol <carol@example.org>\n"
    "Reply-To: The List <list@lists.example.org>\n"
    "To: list@lists.example.org, ann@example.org\n"
    "Cc: eve@example.org\n"
    "Subject: [list] topic\n"
    "Message-ID: <l1@example.org>\n"
    "\n"
    "text\n");
  g_autoptr(CachetDraft) one = cachet_draft_new_reply (original, FALSE, own);
  g_autoptr(CachetDraft) all = cachet_draft_new_reply (original, TRUE, own);

  g_assert_cmpstr (cachet_draft_get_to (one), ==, "The List <list@lists.example.org>");
  g_assert_null (cachet_draft_get_cc (one));
  g_assert_cmpstr (cachet_draft_get_to (all), ==, "The List <list@lists.example.org>");
  g_assert_cmpstr (cachet_draft_get_cc (all), ==, "eve@example.org");
  g_assert_cmpstr (cachet_draft_get_subject (one), ==, "Re: [list] topic");
}

static void
test_reply_to_own_message (void)
{
  g_autoptr(CachetMessage) mine = parse ("From: Ann <ann@example.org>\n"
                                         "To: Bob <bob@example.net>\n"
                                         "Cc: carol@example.org\n"
                                         "Subject: my note\n\ntext\n");
  g_autoptr(CachetMessage) to_self = parse ("From: Ann <ann@example.org>\n"
                                            "To: ann@example.org\n"
                                            "Subject: note to self\n\ntext\n");
  g_autoptr(CachetDraft) one = cachet_draft_new_reply (mine, FALSE, own);
  g_autoptr(CachetDraft) all = cachet_draft_new_reply (mine, TRUE, own);
  g_autoptr(CachetDraft) self = cachet_draft_new_reply (to_self, TRUE, own);

  g_assert_cmpstr (cachet_draft_get_to (one), ==, "Bob <bob@example.net>");
  g_assert_null (cachet_draft_get_cc (one));
  g_assert_cmpstr (cachet_draft_get_to (all), ==, "Bob <bob@example.net>");
  g_assert_cmpstr (cachet_draft_get_cc (all), ==, "carol@example.org");
  g_assert_cmpstr (cachet_draft_get_to (self), ==, "Ann <ann@example.org>");
  g_assert_null (cachet_draft_get_cc (self));
  /* No date, no Message-ID: still a reply. */
  g_assert_true (g_str_has_prefix (cachet_draft_get_body (self), "Ann wrote:\n> text\n"));
}

static void
test_reply_references (void)
{
  GString *refs = g_string_new ("References:");
  g_autoptr(CachetMessage) original = NULL;
  g_autoptr(CachetMessage) only_parent = parse ("From: a@example.org\n"
                                                "Message-ID: <c@example.org>\n"
                                                "In-Reply-To: <p@example.org>\n\nx\n");
  g_autoptr(CachetDraft) draft = NULL;
  g_autoptr(CachetDraft) second = NULL;
  g_autoptr(CachetMessage) built = NULL;
  g_autoptr(CachetMessage) built2 = NULL;
  const char * const *got;
  g_autofree char *text = NULL;

  for (int i = 0; i < 30; i++)
    g_string_append_printf (refs, " <r%d@example.org>", i);
  text = g_strdup_printf ("From: a@example.org\nMessage-ID: <last@example.org>\n%s\n\nx\n",
                          refs->str);
  g_string_free (refs, TRUE);
  original = parse (text);
  draft = cachet_draft_new_reply (original, FALSE, NULL);
  cachet_draft_set_from (draft, NULL, "b@example.org");
  built = draft_test_build (draft, CACHET_DRAFT_BUILD_SEND, NULL);
  got = cachet_message_get_references (built);
  /* The first and the latest, the original last. */
  g_assert_cmpuint (g_strv_length ((GStrv) got), ==, 20);
  g_assert_cmpstr (got[0], ==, "r0@example.org");
  g_assert_cmpstr (got[1], ==, "r12@example.org");
  g_assert_cmpstr (got[18], ==, "r29@example.org");
  g_assert_cmpstr (got[19], ==, "last@example.org");

  /* Without References, In-Reply-To stands for them. */
  second = cachet_draft_new_reply (only_parent, FALSE, NULL);
  cachet_draft_set_from (second, NULL, "b@example.org");
  built2 = draft_test_build (second, CACHET_DRAFT_BUILD_SEND, NULL);
  got = cachet_message_get_references (built2);
  g_assert_cmpstr (got[0], ==, "p@example.org");
  g_assert_cmpstr (got[1], ==, "c@example.org");
  g_assert_null (got[2]);
  g_assert_cmpstr (cachet_message_get_in_reply_to (built2), ==, "c@example.org");
}

typedef struct
{
  const char *subject;
  const char *reply;
  const char *forward;
} SubjectCase;

static void
test_subject_prefixes (void)
{
  const SubjectCase cases[] = {
    { "Quarterly", "Re: Quarterly", "Fwd: Quarterly" },
    { "Re: x", "Re: x", "Fwd: Re: x" },
    { "RE: re: x", "Re: x", "Fwd: RE: re: x" },
    { "AW: x", "Re: x", "Fwd: AW: x" },
    { "Sv: SV:x", "Re: x", "Fwd: Sv: SV:x" },
    { "Antw: x", "Re: x", "Fwd: Antw: x" },
    { "VS: x", "Re: x", "Fwd: VS: x" },
    { "Odp: x", "Re: x", "Fwd: Odp: x" },
    { "R: x", "Re: x", "Fwd: R: x" },
    { "Re[2]: x", "Re: x", "Fwd: Re[2]: x" },
    { "Re(3): x", "Re: x", "Fwd: Re(3): x" },
    { "Re^2: x", "Re: x", "Fwd: Re^2: x" },
    { "Re : x", "Re: x", "Fwd: Re : x" },
    { "回复：x", "Re: x", "Fwd: 回复：x" },
    { "Ответ: x", "Re: x", "Fwd: Ответ: x" },
    { "Fwd: x", "Re: Fwd: x", "Fwd: x" },
    { "Fwd: FW: WG: x", "Re: Fwd: FW: WG: x", "Fwd: x" },
    { "TR: x", "Re: TR: x", "Fwd: x" },
    { "Fw: Re: x", "Re: Fw: Re: x", "Fwd: Re: x" },
    { "Regarding: x", "Re: Regarding: x", "Fwd: Regarding: x" },
    { "Rerun", "Re: Rerun", "Fwd: Rerun" },
    { "Re[x]: y", "Re: Re[x]: y", "Fwd: Re[x]: y" },
    { "Re:", "Re:", "Fwd: Re:" },
    { "", "Re:", "Fwd:" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("From: a@example.org\nSubject: %s\n\nx\n",
                                               cases[i].subject);
      g_autoptr(CachetMessage) original = parse (text);
      g_autoptr(CachetDraft) reply = cachet_draft_new_reply (original, FALSE, NULL);
      g_autoptr(CachetDraft) forward = cachet_draft_new_forward (original, TRUE);

      g_test_message ("subject: %s", cases[i].subject);
      g_assert_cmpstr (cachet_draft_get_subject (reply), ==, cases[i].reply);
      g_assert_cmpstr (cachet_draft_get_subject (forward), ==, cases[i].forward);
    }
}

static const char with_attachment[] =
  "From: Carol Example <carol@example.org>\n"
  "To: Ann <ann@example.org>\n"
  "Cc: dave@example.com\n"
  "Subject: WG: Report\n"
  "Date: Tue, 3 Jun 2008 11:05:30 +0200\n"
  "Message-ID: <att@example.org>\n"
  "MIME-Version: 1.0\n"
  "Content-Type: multipart/mixed; boundary=b\n"
  "\n"
  "--b\n"
  "Content-Type: text/plain; charset=iso-8859-1\n"
  "Content-Transfer-Encoding: quoted-printable\n"
  "\n"
  "See the r=E9sum=E9 attached.\n"
  "--b\n"
  "Content-Type: application/pdf; name=\"r=?utf-8?q?=C3=A9?=sum=?utf-8?q?=C3=A9?=.pdf\"\n"
  "Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf\n"
  "Content-Transfer-Encoding: base64\n"
  "\n"
  "JVBERi0xLjQKJcOkw7zDtsOfCg==\n"
  "--b--\n";

static void
test_forward_inline (void)
{
  g_autoptr(CachetMessage) original = parse (with_attachment);
  g_autoptr(CachetDraft) draft = cachet_draft_new_forward (original, FALSE);
  g_autoptr(CachetMessage) sent = NULL;
  const char *body = cachet_draft_get_body (draft);
  const char *name, *type;
  guint64 size;
  CachetPart *part;
  g_autoptr(GBytes) original_data = NULL;
  g_autoptr(GBytes) sent_data = NULL;

  g_assert_cmpstr (cachet_draft_get_subject (draft), ==, "Fwd: Report");
  g_assert_null (cachet_draft_get_to (draft));
  g_assert_nonnull (strstr (body, "-------- Forwarded Message --------\n"));
  g_assert_nonnull (strstr (body, "\nSubject: WG: Report\n"));
  g_assert_nonnull (strstr (body, "\nFrom: Carol Example <carol@example.org>\n"));
  g_assert_nonnull (strstr (body, "\nTo: Ann <ann@example.org>\n"));
  g_assert_nonnull (strstr (body, "\nCc: dave@example.com\n"));
  g_assert_nonnull (strstr (body, "\nDate: "));
  g_assert_nonnull (strstr (body, "\n\nSee the résumé attached.\n"));

  /* Its attachments go along again, the same bytes under the same name. */
  g_assert_cmpuint (cachet_draft_get_n_attachments (draft), ==, 1);
  cachet_draft_get_attachment (draft, 0, &name, &type, &size);
  g_assert_cmpstr (name, ==, "résumé.pdf");
  g_assert_cmpstr (type, ==, "application/pdf");
  g_assert_cmpuint (size, ==, 19);

  cachet_draft_set_from (draft, NULL, "ann@example.org");
  cachet_draft_set_to (draft, "frank@example.org");
  sent = draft_test_build (draft, CACHET_DRAFT_BUILD_SEND, NULL);
  g_assert_cmpstr (cachet_message_get_subject (sent), ==, "Fwd: Report");
  part = g_ptr_array_index (cachet_message_get_attachments (sent), 0);
  g_assert_cmpstr (cachet_part_get_filename (part), ==, "résumé.pdf");
  sent_data = cachet_part_get_decoded (part);
  original_data = cachet_part_get_decoded (
    g_ptr_array_index (cachet_message_get_attachments (original), 0));
  g_assert_true (g_bytes_equal (sent_data, original_data));
}

static void
test_forward_attachment (void)
{
  g_autoptr(CachetMessage) original = parse (with_attachment);
  g_autoptr(CachetDraft) draft = cachet_draft_new_forward (original, TRUE);
  g_autoptr(CachetMessage) sent = NULL;
  g_autofree char *dump = NULL;
  const char *name, *type;
  CachetPart *part;
  g_autoptr(GBytes) data = NULL;

  g_assert_cmpstr (cachet_draft_get_subject (draft), ==, "Fwd: Report");
  g_assert_cmpstr (cachet_draft_get_body (draft), ==, "");
  g_assert_cmpuint (cachet_draft_get_n_attachments (draft), ==, 1);
  cachet_draft_get_attachment (draft, 0, &name, &type, NULL);
  g_assert_cmpstr (name, ==, "WG_ Report.eml");
  g_assert_cmpstr (type, ==, "message/rfc822");

  cachet_draft_set_from (draft, NULL, "ann@example.org");
  cachet_draft_set_to (draft, "frank@example.org");
  sent = draft_test_build (draft, CACHET_DRAFT_BUILD_SEND, NULL);
  part = g_ptr_array_index (cachet_message_get_attachments (sent), 0);
  g_assert_cmpint (cachet_part_get_kind (part), ==, CACHET_PART_MESSAGE);
  data = cachet_part_get_decoded (part);
  g_assert_cmpmem (g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                   with_attachment, strlen (with_attachment));
  /* The viewer shows the message inside. */
  dump = cachet_message_dump (sent);
  g_assert_nonnull (strstr (dump, "WG_ Report.eml"));
  g_assert_nonnull (strstr (dump, "message/rfc822"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/draft/reply/to-sender", test_reply);
  g_test_add_func ("/core/draft/reply/all", test_reply_all);
  g_test_add_func ("/core/draft/reply/reply-to", test_reply_to_honoured);
  g_test_add_func ("/core/draft/reply/own-message", test_reply_to_own_message);
  g_test_add_func ("/core/draft/reply/references", test_reply_references);
  g_test_add_func ("/core/draft/reply/subject-prefixes", test_subject_prefixes);
  g_test_add_func ("/core/draft/forward/inline", test_forward_inline);
  g_test_add_func ("/core/draft/forward/attachment", test_forward_attachment);
  return g_test_run ();
}
