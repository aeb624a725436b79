/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cachet-core-error.h"
#include "cachet-draft.h"
#include "draft-test-util.h"

typedef struct
{
  const char *uri;
  const char *to;
  const char *cc;
  const char *subject;
  const char *body;
  const char *in_reply_to;
} MailtoCase;

/* RFC 6068 section 6 (6.1 basic, 6.2 unusual addresses and non-ASCII). */
static const MailtoCase rfc_examples[] = {
  { "mailto:chris@example.com", "chris@example.com" },
  { "mailto:infobot@example.com?subject=current-issue", "infobot@example.com", NULL,
    "current-issue" },
  { "mailto:infobot@example.com?body=send%20current-issue", "infobot@example.com", NULL, NULL,
    "send current-issue" },
  { "mailto:infobot@example.com?body=send%20current-issue%0D%0Asend%20index",
    "infobot@example.com", NULL, NULL, "send current-issue\nsend index" },
  { "mailto:list@example.org?In-Reply-To=%3C3469A91.D10AF4C@example.com%3E",
    "list@example.org", NULL, NULL, NULL, "3469A91.D10AF4C@example.com" },
  { "mailto:majordomo@example.com?body=subscribe%20bamboo-l", "majordomo@example.com", NULL,
    NULL, "subscribe bamboo-l" },
  { "mailto:joe@example.com?cc=bob@example.com&body=hello", "joe@example.com",
    "bob@example.com", NULL, "hello" },
  { "mailto:gorby%25kremvax@example.com", "gorby%kremvax@example.com" },
  { "mailto:unlikely%3Faddress@example.com?blat=foop", "unlikely?address@example.com" },
  { "mailto:%22not%40me%22@example.org", "\"not@me\"@example.org" },
  { "mailto:?to=%22not%40me%22@example.org", "\"not@me\"@example.org" },
  /* "\\\"it's\ ugly\\\"" is the same local part as "\\\"it's ugly\\\"". */
  { "mailto:%22%5C%5C%5C%22it's%5C%20ugly%5C%5C%5C%22%22@example.org",
    "\"\\\\\\\"it's ugly\\\\\\\"\"@example.org" },
  { "mailto:user@example.org?subject=caf%C3%A9", "user@example.org", NULL, "café" },
  { "mailto:user@example.org?subject=%3D%3Futf-8%3FQ%3Fcaf%3DC3%3DA9%3F%3D",
    "user@example.org", NULL, "café" },
  { "mailto:user@example.org?subject=%3D%3Fiso-8859-1%3FQ%3Fcaf%3DE9%3F%3D",
    "user@example.org", NULL, "café" },
  { "mailto:user@example.org?subject=caf%C3%A9&body=caf%C3%A9", "user@example.org", NULL,
    "café", "café" },
  { "mailto:user@%E7%B4%8D%E8%B1%86.example.org?subject=Test&body=NATTO",
    "user@納豆.example.org", NULL, "Test", "NATTO" },
  { "mailto:Mike%26family@example.org", "Mike&family@example.org" },
  { "mailto:?to=joe@example.com&cc=bob@example.com&body=hello", "joe@example.com",
    "bob@example.com", NULL, "hello" },
  { "mailto:addr1@an.example,addr2@an.example", "addr1@an.example, addr2@an.example" },
  { "mailto:?to=addr1@an.example,addr2@an.example", "addr1@an.example, addr2@an.example" },
  { "mailto:addr1@an.example?to=addr2@an.example", "addr1@an.example, addr2@an.example" },
  /* Not from the RFC: forms seen in the wild. */
  { "MAILTO:Upper@Example.org", "Upper@example.org" },
  { "  mailto:a@example.org?subject=x&&body=y&  ", "a@example.org", NULL, "x", "y" },
  { "mailto:a@example.org#fragment", "a@example.org" },
  { "mailto:a@example.org?SUBJECT=1%2B1%3D2&Body=a+b", "a@example.org", NULL, "1+1=2", "a+b" },
  { "mailto:?to=Ann%20Example%20%3Cann@example.org%3E", "Ann Example <ann@example.org>" },
  { "mailto:a@example.org?bcc=hidden@example.org&x-evil=1&from=attacker@example.org",
    "a@example.org" },
  { "mailto:", NULL },
};

static void
test_rfc_examples (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rfc_examples); i++)
    {
      const MailtoCase *c = &rfc_examples[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(CachetDraft) draft = NULL;

      g_test_message ("%s", c->uri);
      draft = cachet_draft_new_from_mailto (c->uri, &error);
      g_assert_no_error (error);
      g_assert_nonnull (draft);
      g_assert_cmpstr (cachet_draft_get_to (draft), ==, c->to);
      g_assert_cmpstr (cachet_draft_get_cc (draft), ==, c->cc);
      g_assert_cmpstr (cachet_draft_get_subject (draft), ==, c->subject);
      g_assert_cmpstr (cachet_draft_get_body (draft), ==, c->body);

      /* Every draft a link makes can be saved, and read back the same. */
      {
        g_autoptr(CachetMessage) msg = NULL;
        g_autoptr(CachetDraft) again = NULL;

        cachet_draft_set_from (draft, NULL, "me@example.org");
        msg = draft_test_build (draft, CACHET_DRAFT_BUILD_DRAFT, NULL);
        g_assert_cmpstr (cachet_message_get_in_reply_to (msg), ==, c->in_reply_to);
        again = cachet_draft_new_from_message (msg);
        /* The message reader takes a quoted local part with escapes and spaces apart
         * (libetpan unquotes it, then it is no longer one address). */
        if (c->to == NULL || strchr (c->to, '\\') == NULL)
          g_assert_cmpstr (cachet_draft_get_to (again), ==, c->to);
        g_assert_cmpstr (cachet_draft_get_subject (again), ==, c->subject);
      }
    }
}

static void
test_bcc_and_envelope (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetDraft) draft = cachet_draft_new_from_mailto (
    "mailto:user@%E7%B4%8D%E8%B1%86.example.org?bcc=b1@example.org,b2@example.org", &error);
  g_auto(GStrv) rcpt = NULL;
  const char *expected[] = { "user@xn--99zt52a.example.org", "b1@example.org",
                             "b2@example.org", NULL };

  g_assert_no_error (error);
  g_assert_cmpstr (cachet_draft_get_bcc (draft), ==, "b1@example.org, b2@example.org");
  rcpt = cachet_draft_get_envelope_recipients (draft, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (rcpt, expected);
}

static void
test_malformed (void)
{
  const struct
  {
    const char *uri;
    const char *mentions;
  } bad[] = {
    { "http://example.org/", "http://example.org/" },
    { "mailto", NULL },
    { "mail:a@example.org", NULL },
    { "", NULL },
    { "mailto:a@example.org?subject=%ZZ", "%ZZ" },
    { "mailto:a@example.org?subject=abc%4", "%4" },
    { "mailto:a@example.org?subject=abc%", "%" },
    { "mailto:a@example.org?subject=caf%E9", "UTF-8" },
    { "mailto:a%00b@example.org", "%00" },
    { "mailto:not-an-address", "not-an-address" },
    { "mailto:a@example.org?=x", "=x" },
    { "mailto:a@example.org?subject", "subject" },
    { "mailto:a@example.org?cc=bad@", "bad@" },
    { "mailto:a@example.org,,@example.org", "@example.org" },
    { "mailto:a@b@example.org", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CachetDraft) draft = NULL;

      g_test_message ("%s", bad[i].uri);
      draft = cachet_draft_new_from_mailto (bad[i].uri, &error);
      g_assert_null (draft);
      g_assert_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID);
      if (bad[i].mentions != NULL)
        g_assert_nonnull (strstr (error->message, bad[i].mentions));
    }
  {
    g_autoptr(GError) error = NULL;
    g_assert_null (cachet_draft_new_from_mailto (NULL, &error));
    g_assert_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/draft/mailto/rfc6068-examples", test_rfc_examples);
  g_test_add_func ("/core/draft/mailto/bcc-and-envelope", test_bcc_and_envelope);
  g_test_add_func ("/core/draft/mailto/malformed", test_malformed);
  return g_test_run ();
}
