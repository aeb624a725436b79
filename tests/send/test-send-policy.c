/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-net-error.h"
#include "cachet-secrets.h"
#include "cachet-send-private.h"

/* The sender's decisions without a server: which failures are retried, which wait for the
 * user and which leave a message in doubt; the backoff; the refused recipients. */

static void
test_backoff (void)
{
  const gint64 now = 1000000;
  const gint64 minutes[] = { 1, 2, 5, 10, 30, 60, 60, 60 };

  for (guint i = 0; i < G_N_ELEMENTS (minutes); i++)
    g_assert_cmpint (_cachet_send_next_try (i + 1, now), ==, now + minutes[i] * 60);
  g_assert_cmpint (_cachet_send_next_try (1000, now), ==, now + 3600);
  g_assert_cmpint (_cachet_send_next_try (0, now), ==, now + 60);
}

typedef struct
{
  GQuark            domain;
  int               code;
  gboolean          reached_data;
  CachetSendVerdict verdict;
} Case;

static void
test_classify (void)
{
  const Case cases[] = {
    /* The server or the way to it: wait and retry. */
    { CACHET_NET_ERROR, CACHET_NET_ERROR_UNREACHABLE, FALSE, CACHET_SEND_RETRY },
    { CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED, FALSE, CACHET_SEND_RETRY },
    { CACHET_NET_ERROR, CACHET_NET_ERROR_TLS, FALSE, CACHET_SEND_RETRY },
    { CACHET_NET_ERROR, CACHET_NET_ERROR_PROTOCOL, FALSE, CACHET_SEND_RETRY },
    { G_IO_ERROR, G_IO_ERROR_TIMED_OUT, FALSE, CACHET_SEND_RETRY },
    { G_IO_ERROR, G_IO_ERROR_CANCELLED, FALSE, CACHET_SEND_RETRY },
    { CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TEMPORARY, FALSE, CACHET_SEND_RETRY },
    { CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TEMPORARY, TRUE, CACHET_SEND_RETRY },
    { CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_LOCKED, FALSE, CACHET_SEND_RETRY },
    { CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_TIMEOUT, FALSE, CACHET_SEND_RETRY },
    /* Waiting does not help: the user must change something. */
    { CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH, FALSE, CACHET_SEND_USER },
    { CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED, FALSE, CACHET_SEND_USER },
    { CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE, FALSE, CACHET_SEND_USER },
    { CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE_CHANGED, FALSE, CACHET_SEND_USER },
    { CACHET_NET_ERROR, CACHET_NET_ERROR_STARTTLS_MISSING, FALSE, CACHET_SEND_USER },
    { CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RECIPIENT_REJECTED, FALSE, CACHET_SEND_USER },
    { CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RELAY_REFUSED, FALSE, CACHET_SEND_USER },
    { CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TOO_LARGE, FALSE, CACHET_SEND_USER },
    { CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TOO_LARGE, TRUE, CACHET_SEND_USER },
    { CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_SENDER_REJECTED, FALSE, CACHET_SEND_USER },
    { CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_NOT_8BIT, FALSE, CACHET_SEND_USER },
    { CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_DATA_REJECTED, TRUE, CACHET_SEND_USER },
    { CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NOT_FOUND, FALSE, CACHET_SEND_USER },
    { CACHET_STORE_ERROR, CACHET_STORE_ERROR_IO, FALSE, CACHET_SEND_USER },
    /* The connection broke after the recipients were accepted: maybe delivered. */
    { CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED, TRUE, CACHET_SEND_IN_DOUBT },
    { G_IO_ERROR, G_IO_ERROR_TIMED_OUT, TRUE, CACHET_SEND_IN_DOUBT },
    { G_IO_ERROR, G_IO_ERROR_CANCELLED, TRUE, CACHET_SEND_IN_DOUBT },
    { CACHET_NET_ERROR, CACHET_NET_ERROR_PROTOCOL, TRUE, CACHET_SEND_IN_DOUBT },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (cases[i].domain, cases[i].code, "x");
      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_cmpint (_cachet_send_classify (error, cases[i].reached_data), ==,
                       cases[i].verdict);
    }
}

static CachetSmtpRecipientResult *
recipient (const char *address,
           guint       code,
           const char *reply)
{
  CachetSmtpRecipientResult *r = g_new0 (CachetSmtpRecipientResult, 1);

  r->address = g_strdup (address);
  r->code = code;
  r->reply = g_strdup (reply);
  return r;
}

static void
recipient_free (gpointer data)
{
  CachetSmtpRecipientResult *r = data;
  g_free (r->address);
  g_free (r->reply);
  g_free (r);
}

static void
test_refused (void)
{
  CachetSmtpSendResult result = { 0 };
  g_autofree char *none = NULL;
  g_autofree char *some = NULL;

  result.recipients = g_ptr_array_new_with_free_func (recipient_free);
  g_assert_false (_cachet_send_reached_data (&result));
  g_assert_false (_cachet_send_reached_data (NULL));
  g_assert_null (_cachet_send_describe_refused (NULL));
  g_ptr_array_add (result.recipients, recipient ("a@example.test", 250, "2.1.5 Ok"));
  none = _cachet_send_describe_refused (&result);
  g_assert_null (none);
  g_assert_true (_cachet_send_reached_data (&result));
  g_ptr_array_add (result.recipients,
                   recipient ("b@example.test", 550, "5.1.1 <b@example.test>: User unknown"));
  g_ptr_array_add (result.recipients, recipient ("c@example.test", 0, NULL));
  g_ptr_array_add (result.recipients, recipient ("d@example.test", 450, ""));
  some = _cachet_send_describe_refused (&result);
  g_assert_cmpstr (some, ==, "b@example.test (550 5.1.1 <b@example.test>: User unknown); "
                             "d@example.test (450)");
  g_ptr_array_unref (result.recipients);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/send/policy/backoff", test_backoff);
  g_test_add_func ("/send/policy/classify", test_classify);
  g_test_add_func ("/send/policy/refused-recipients", test_refused);
  return g_test_run ();
}
