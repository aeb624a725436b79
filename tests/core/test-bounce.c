/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cachet-bounce.h"
#include "cachet-bounce-private.h"
#include "cachet-message.h"

/* Golden cases: every message under tests/data/bounces/ (real bounces from other
 * projects, and messages that must not be taken for one) is run through
 * cachet_bounce_detect() and the result compared with NAME.expected.  With
 * CACHET_UPDATE_GOLDEN=1 the expected files are written instead (then read them against
 * the message, by hand, before committing). */

static gboolean
is_message_file (const char *name)
{
  return !g_str_has_suffix (name, ".expected") && !g_str_has_suffix (name, ".md")
         && !g_str_has_prefix (name, "LICENSE") && !g_str_has_prefix (name, "MIT-LICENSE")
         && !g_str_has_prefix (name, ".");
}

static void
append_field (GString    *out,
              const char *indent,
              const char *name,
              const char *value)
{
  g_string_append_printf (out, "%s%s: %s\n", indent, name, value ? value : "(none)");
}

static char *
render_bounce (CachetMessage *message)
{
  g_autoptr(CachetBounce) bounce = cachet_bounce_detect (message);
  g_autofree char *banner = NULL;
  GString *out;

  if (bounce == NULL)
    return g_strdup ("bounce: no\n");

  out = g_string_new ("bounce: yes\n");
  append_field (out, "", "standard", bounce->standard ? "yes" : "no");
  append_field (out, "", "delayed", bounce->delayed_only ? "yes" : "no");
  append_field (out, "", "original-message-id", bounce->original_message_id);
  append_field (out, "", "reporting-mta", bounce->reporting_mta);
  for (guint i = 0; i < bounce->recipients->len; i++)
    {
      const CachetBounceRecipient *r = g_ptr_array_index (bounce->recipients, i);

      append_field (out, "", "recipient", r->recipient);
      append_field (out, "  ", "action", r->action);
      append_field (out, "  ", "status", r->status);
      append_field (out, "  ", "diagnostic", r->diagnostic);
    }
  banner = cachet_bounce_describe (bounce);
  append_field (out, "", "banner", banner);
  return g_string_free (out, FALSE);
}

static char *
render (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMessage) message = cachet_message_new_from_file (path, &error);

  g_assert_no_error (error);
  return render_bounce (message);
}

static void
test_golden (gconstpointer data)
{
  const char *path = data;
  g_autofree char *expected_path = g_strconcat (path, ".expected", NULL);
  g_autofree char *got = render (path);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_utf8_validate (got, -1, NULL));

  if (g_getenv ("CACHET_UPDATE_GOLDEN") != NULL)
    {
      g_assert_true (g_file_set_contents (expected_path, got, -1, &error));
      g_assert_no_error (error);
      return;
    }
  if (!g_file_get_contents (expected_path, &expected, NULL, &error))
    g_error ("%s: no expected result (run with CACHET_UPDATE_GOLDEN=1, then check it by "
             "reading): %s", path, error->message);
  g_assert_cmpstr (got, ==, expected);
}

static CachetMessage *
message_from_string (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  return cachet_message_new_from_bytes (bytes);
}

static CachetBounce *
detect_string (const char *text)
{
  g_autoptr(CachetMessage) message = message_from_string (text);
  return cachet_bounce_detect (message);
}

/* ---- RFC 3464 fields ------------------------------------------------------------- */

#define DSN_HEAD \
  "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n" \
  "To: alice@example.org\r\n" \
  "Subject: Undelivered Mail Returned to Sender\r\n" \
  "MIME-Version: 1.0\r\n" \
  "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n" \
  "\r\n" \
  "--b\r\n" \
  "Content-Type: text/plain\r\n" \
  "\r\n" \
  "Your message could not be delivered.\r\n" \
  "--b\r\n" \
  "Content-Type: message/delivery-status\r\n" \
  "\r\n"

static void
test_dsn_two_recipients (void)
{
  g_autoptr(CachetBounce) bounce = detect_string (
    DSN_HEAD
    "Reporting-MTA: dns; mx.example.org\r\n"
    "\r\n"
    "Final-Recipient: rfc822; <bob@example.net>\r\n"
    "Action: failed\r\n"
    "Status: 5.1.1\r\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <bob@example.net>: Recipient address\r\n"
    "    rejected: User unknown\r\n"
    "\r\n"
    "Original-Recipient: rfc822;carol@example.net\r\n"
    "Action: delayed\r\n"
    "Status: 4.4.1\r\n"
    "--b--\r\n");
  const CachetBounceRecipient *bob, *carol;

  g_assert_nonnull (bounce);
  g_assert_true (bounce->standard);
  g_assert_false (bounce->delayed_only);
  g_assert_cmpstr (bounce->reporting_mta, ==, "mx.example.org");
  g_assert_cmpuint (bounce->recipients->len, ==, 2);
  bob = g_ptr_array_index (bounce->recipients, 0);
  carol = g_ptr_array_index (bounce->recipients, 1);
  g_assert_cmpstr (bob->recipient, ==, "bob@example.net");
  g_assert_cmpstr (bob->status, ==, "5.1.1");
  g_assert_cmpstr (bob->action, ==, "failed");
  /* Unfolded, the address type gone. */
  g_assert_cmpstr (bob->diagnostic, ==,
                   "550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown");
  /* No Final-Recipient: the Original-Recipient stands in. */
  g_assert_cmpstr (carol->recipient, ==, "carol@example.net");
  g_assert_cmpstr (carol->action, ==, "delayed");
}

static void
test_dsn_address_forms (void)
{
  g_autoptr(CachetBounce) bounce = detect_string (
    DSN_HEAD
    "Reporting-MTA: dns; mx.example.org\r\n"
    "\r\n"
    "Final-Recipient: rfc822; \"john..doe\"@example.net\r\n"
    "Action: failed\r\n"
    "Status: 5.1.1\r\n"
    "\r\n"
    "Final-Recipient: RFC822;<carol@example.net>  (expanded)\r\n"
    "Action: failed\r\n"
    "Status: 5.1.1\r\n"
    "\r\n"
    "Final-Recipient: utf-8; \\x{5C71}\\x{7530}@example.jp\r\n"
    "Action: failed\r\n"
    "Status: 5.1.1\r\n"
    "\r\n"
    "Final-Recipient: rfc822;\r\n"
    "Action: failed\r\n"
    "Status: 5.0.0\r\n"
    "--b--\r\n");
  const char *expected[] = { "\"john..doe\"@example.net", "carol@example.net",
                             "\xe5\xb1\xb1\xe7\x94\xb0@example.jp", NULL };

  g_assert_nonnull (bounce);
  g_assert_cmpuint (bounce->recipients->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (((CachetBounceRecipient *) g_ptr_array_index (bounce->recipients, i))
                       ->recipient, ==, expected[i]);
}

static void
test_dsn_delayed_only (void)
{
  g_autoptr(CachetBounce) bounce = detect_string (
    DSN_HEAD
    "Reporting-MTA: dns; mx.example.org\r\n"
    "\r\n"
    "Final-Recipient: rfc822; bob@example.net\r\n"
    "Action: delayed\r\n"
    "Status: 4.4.7\r\n"
    "--b--\r\n");
  g_autofree char *banner = NULL;

  g_assert_nonnull (bounce);
  g_assert_true (bounce->delayed_only);
  banner = cachet_bounce_describe (bounce);
  g_assert_true (g_str_has_prefix (banner, "Delivery to bob@example.net is delayed"));
}

static void
test_dsn_success_is_no_bounce (void)
{
  /* A delivery report (NOTIFY=SUCCESS) says all is well. */
  g_autoptr(CachetBounce) bounce = detect_string (
    DSN_HEAD
    "Reporting-MTA: dns; mx.example.org\r\n"
    "\r\n"
    "Final-Recipient: rfc822; bob@example.net\r\n"
    "Action: delivered\r\n"
    "Status: 2.0.0\r\n"
    "--b--\r\n");

  g_assert_null (bounce);
}

static void
test_dsn_status_not_an_ip_address (void)
{
  /* The status comes from the Status field; the IP address in the diagnostic (whose
   * "2.0.2" could look like a code) is not taken for one. */
  g_autoptr(CachetBounce) bounce = detect_string (
    "From: MAILER-DAEMON@mx.example.org\r\n"
    "Subject: failure notice\r\n"
    "\r\n"
    "Hi. This is the qmail-send program at mx.example.org.\r\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
    "\r\n"
    "<bob@example.net>:\r\n"
    "Connected to 192.0.2.20 but sender was rejected.\r\n"
    "Remote host said: 571 Relaying denied (#5.7.1)\r\n");
  const CachetBounceRecipient *r;

  g_assert_nonnull (bounce);
  g_assert_false (bounce->standard);
  g_assert_cmpuint (bounce->recipients->len, ==, 1);
  r = g_ptr_array_index (bounce->recipients, 0);
  g_assert_cmpstr (r->recipient, ==, "bob@example.net");
  g_assert_cmpstr (r->status, ==, "5.7.1");
  g_assert_cmpstr (r->action, ==, "failed");
}

/* ---- what is not a bounce ---------------------------------------------------------- */

static void
test_bad_input (void)
{
  static const char * const inputs[] = {
    "",
    "\r\n\r\n",
    "Subject: Undelivered Mail Returned to Sender\r\n",
    "From: MAILER-DAEMON\r\nContent-Type: multipart/report; report-type=delivery-status\r\n"
    "\r\n--\r\n--\r\n",
    "Content-Type: message/delivery-status\r\n\r\nFinal-Recipient:\r\nAction:\r\nStatus: 9.9\r\n",
    "Content-Type: message/delivery-status\r\n\r\n:\r\n \r\n\t\r\nFinal-Recipient: ;;;;\r\n",
    "From: <>\r\nSubject: failure notice\r\n\r\n@\r\n@@\r\n<>@<>\r\n\"@\":\r\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(CachetBounce) bounce = detect_string (inputs[i]);

      /* Whatever it makes of them, it says so in valid UTF-8. */
      if (bounce != NULL)
        {
          g_autofree char *banner = cachet_bounce_describe (bounce);
          g_assert_true (g_utf8_validate (banner, -1, NULL));
          for (guint j = 0; j < bounce->recipients->len; j++)
            {
              const CachetBounceRecipient *r = g_ptr_array_index (bounce->recipients, j);
              g_assert_true (r->recipient == NULL || *r->recipient != '\0');
            }
        }
    }
  /* A subject alone, from a person, is not a bounce. */
  {
    g_autoptr(CachetBounce) bounce = detect_string (
      "From: Alice <alice@example.org>\r\nSubject: Re: Undeliverable: lunch\r\n\r\n"
      "Sorry, my reply to your bounce.\r\n");
    g_assert_null (bounce);
  }
}

static void
test_binary_garbage (void)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  GRand *rand = g_rand_new_with_seed (3464);
  static const char head[] = "From: MAILER-DAEMON@example.org\r\n"
                             "Subject: Returned mail: see transcript for details\r\n\r\n";

  g_byte_array_append (data, (const guint8 *) head, sizeof head - 1);
  for (guint i = 0; i < 64 * 1024; i++)
    {
      guint8 byte = (guint8) g_rand_int_range (rand, 0, 256);
      /* Now and then something that looks like an address or a field. */
      if (i % 997 == 0)
        g_byte_array_append (data, (const guint8 *) "\n<x@y.z>:\nStatus: 5.", 21);
      g_byte_array_append (data, &byte, 1);
    }
  g_rand_free (rand);
  {
    g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&data));
    g_autoptr(CachetMessage) message = cachet_message_new_from_bytes (bytes);
    g_autoptr(CachetBounce) bounce = cachet_bounce_detect (message);
    g_autofree char *banner = NULL;

    /* The subject and sender say bounce; nothing in the text can be trusted. */
    g_assert_nonnull (bounce);
    banner = cachet_bounce_describe (bounce);
    g_assert_true (g_utf8_validate (banner, -1, NULL));
  }
}

/* ---- the banner ------------------------------------------------------------------ */

static CachetBounce *
make_bounce (gboolean delayed,
             ...)
{
  CachetBounce *bounce = _cachet_bounce_new ();
  va_list args;
  const char *address;

  bounce->delayed_only = delayed;
  va_start (args, delayed);
  while ((address = va_arg (args, const char *)) != NULL)
    {
      CachetBounceRecipient *r = _cachet_bounce_recipient_new ();
      const char *status = va_arg (args, const char *);
      const char *diagnostic = va_arg (args, const char *);

      r->recipient = *address ? g_strdup (address) : NULL;
      r->status = g_strdup (status);
      r->diagnostic = g_strdup (diagnostic);
      r->action = g_strdup (delayed ? "delayed" : "failed");
      g_ptr_array_add (bounce->recipients, r);
    }
  va_end (args);
  return bounce;
}

static void
test_describe (void)
{
  static const struct
  {
    gboolean    delayed;
    const char *a, *a_status, *a_diag;
    const char *b, *b_status, *b_diag;
    const char *c;
    const char *expected;
  } cases[] = {
    { FALSE, "bob@example.net", "5.1.1",
      "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try\n"
      "550-5.1.1 double-checking the recipient's email address.", NULL, NULL, NULL, NULL,
      "Undeliverable to bob@example.net: The email account that you tried to reach does not "
      "exist. Please try double-checking the recipient's email address." },
    /* The preamble of an MTA before the server's reply goes. */
    { FALSE, "bob@example.net", "5.7.0",
      "SMTP error from remote mail server after RCPT TO:<bob@example.net>: host mx.example.net "
      "[192.0.2.20]: 550 5.7.0 <bob@example.net>... Relaying denied", NULL, NULL, NULL, NULL,
      "Undeliverable to bob@example.net: Relaying denied" },
    /* No words of its own: the status in plain words. */
    { FALSE, "bob@example.net", "5.2.2", NULL, NULL, NULL, NULL, NULL,
      "Undeliverable to bob@example.net: The mailbox is full" },
    { FALSE, "bob@example.net", NULL, NULL, NULL, NULL, NULL, NULL,
      "Undeliverable to bob@example.net" },
    { FALSE, "a@example.net", "5.1.1", NULL, "b@example.net", "5.1.1", NULL, "c@example.net",
      "Undeliverable to a@example.net, b@example.net and 1 other: The mailbox does not exist" },
    { FALSE, "", NULL, "550 Host unknown", NULL, NULL, NULL, NULL,
      "Undeliverable: Host unknown" },
    { FALSE, "", NULL, NULL, NULL, NULL, NULL, NULL,
      "A message you sent could not be delivered" },
    { TRUE, "bob@example.net", "4.4.7", NULL, NULL, NULL, NULL, NULL,
      "Delivery to bob@example.net is delayed: Delivery took too long and was given up" },
    { TRUE, "bob@example.net", NULL, NULL, NULL, NULL, NULL, NULL,
      "Delivery to bob@example.net is delayed" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CachetBounce) bounce = NULL;
      g_autofree char *banner = NULL;

      if (cases[i].c != NULL)
        bounce = make_bounce (cases[i].delayed, cases[i].a, cases[i].a_status, cases[i].a_diag,
                              cases[i].b, cases[i].b_status, cases[i].b_diag,
                              cases[i].c, NULL, NULL, NULL);
      else if (cases[i].b != NULL)
        bounce = make_bounce (cases[i].delayed, cases[i].a, cases[i].a_status, cases[i].a_diag,
                              cases[i].b, cases[i].b_status, cases[i].b_diag, NULL);
      else
        bounce = make_bounce (cases[i].delayed, cases[i].a, cases[i].a_status, cases[i].a_diag,
                              NULL);
      banner = cachet_bounce_describe (bounce);
      g_assert_cmpstr (banner, ==, cases[i].expected);
    }
}

/* ---- main ------------------------------------------------------------------------ */

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
collect (const char *dir,
         GPtrArray  *files)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect (path, files);
      else if (is_message_file (name))
        g_ptr_array_add (files, g_steal_pointer (&path));
    }
}

int
main (int   argc,
      char *argv[])
{
  const char *data_dir;
  g_autofree char *bounces = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/bounce/dsn/two-recipients", test_dsn_two_recipients);
  g_test_add_func ("/core/bounce/dsn/address-forms", test_dsn_address_forms);
  g_test_add_func ("/core/bounce/dsn/delayed-only", test_dsn_delayed_only);
  g_test_add_func ("/core/bounce/dsn/success-is-no-bounce", test_dsn_success_is_no_bounce);
  g_test_add_func ("/core/bounce/text/status-not-an-ip-address",
                   test_dsn_status_not_an_ip_address);
  g_test_add_func ("/core/bounce/bad-input", test_bad_input);
  g_test_add_func ("/core/bounce/binary-garbage", test_binary_garbage);
  g_test_add_func ("/core/bounce/describe", test_describe);

  data_dir = g_getenv ("CACHET_TEST_DATA");
  g_assert_nonnull (data_dir);
  bounces = g_build_filename (data_dir, "bounces", NULL);
  collect (bounces, files);
  g_ptr_array_sort (files, compare_paths);
  /* An empty tree would make this test pass without checking anything. */
  g_assert_cmpuint (files->len, >=, 40);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *test_path = g_strconcat ("/core/bounce/golden/",
                                                path + strlen (bounces) + 1, NULL);
      g_test_add_data_func (test_path, path, test_golden);
    }

  return g_test_run ();
}
