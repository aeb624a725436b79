/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-send"

#include "config.h"

#include "cachet-send-private.h"

#include "cachet-net-error.h"
#include "cachet-secrets.h"

/* Which failures are worth waiting for, and how long.
 *
 * Waiting helps when the server or the way to it is down (unreachable, dropped, timed out,
 * a 4xx reply), or the keyring is locked or slow.  It does not when the server refused the
 * message or a recipient (5xx), the login (535: the password is wrong), the certificate,
 * or when the account has no password: those wait for the user, who changes something and
 * retries.
 *
 * In doubt: the server answers the final "." of a message only after it has taken it; if
 * the connection breaks, times out or is cancelled after the recipients were accepted, the
 * message may be on its way already.  Sending it again by itself could deliver it twice,
 * so it waits for the user, with a reason that says so.  (A failure before any recipient
 * was accepted cannot have delivered anything: that is a plain retry.) */

static const gint64 backoff_minutes[] = { 1, 2, 5, 10, 30 };

gint64
_cachet_send_next_try (guint  attempts,
                       gint64 now)
{
  gint64 minutes = attempts == 0 ? backoff_minutes[0]
                   : attempts <= G_N_ELEMENTS (backoff_minutes)
                   ? backoff_minutes[attempts - 1] : 60;

  return now + minutes * 60;
}

static gboolean
is_connection_error (const GError *error)
{
  if (error->domain == G_IO_ERROR)
    return TRUE;
  if (error->domain != CACHET_NET_ERROR)
    return FALSE;
  switch (error->code)
    {
    case CACHET_NET_ERROR_UNREACHABLE:
    case CACHET_NET_ERROR_TLS:
    case CACHET_NET_ERROR_DISCONNECTED:
    case CACHET_NET_ERROR_PROTOCOL:
    case CACHET_NET_ERROR_FAILED:
      return TRUE;
    default:
      return FALSE;
    }
}

CachetSendVerdict
_cachet_send_classify (const GError *error,
                       gboolean      reached_data)
{
  g_return_val_if_fail (error != NULL, CACHET_SEND_USER);

  if (reached_data && is_connection_error (error))
    return CACHET_SEND_IN_DOUBT;
  if (error->domain == G_IO_ERROR || is_connection_error (error))
    return CACHET_SEND_RETRY;
  if (error->domain == CACHET_SMTP_ERROR)
    return error->code == CACHET_SMTP_ERROR_TEMPORARY ? CACHET_SEND_RETRY : CACHET_SEND_USER;
  if (error->domain == CACHET_NET_ERROR)
    /* Certificates, STARTTLS missing, the login, a locked mailbox: the user must act;
     * SERVER (a refused command outside a message) may pass. */
    return error->code == CACHET_NET_ERROR_SERVER || error->code == CACHET_NET_ERROR_LOCKED
           ? CACHET_SEND_RETRY : CACHET_SEND_USER;
  if (error->domain == CACHET_SECRETS_ERROR)
    return error->code == CACHET_SECRETS_ERROR_NOT_FOUND ? CACHET_SEND_USER : CACHET_SEND_RETRY;
  if (error->domain == CACHET_STORE_ERROR)
    return CACHET_SEND_USER;
  return CACHET_SEND_RETRY;
}

gboolean
_cachet_send_reached_data (const CachetSmtpSendResult *result)
{
  if (result == NULL || result->recipients == NULL)
    return FALSE;
  for (guint i = 0; i < result->recipients->len; i++)
    {
      const CachetSmtpRecipientResult *r = g_ptr_array_index (result->recipients, i);
      if (r->code / 100 == 2)
        return TRUE;
    }
  return FALSE;
}

char *
_cachet_send_describe_refused (const CachetSmtpSendResult *result)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; result != NULL && result->recipients != NULL
                    && i < result->recipients->len; i++)
    {
      const CachetSmtpRecipientResult *r = g_ptr_array_index (result->recipients, i);

      if (r->code == 0 || r->code / 100 == 2)
        continue;
      if (text->len > 0)
        g_string_append (text, "; ");
      g_string_append_printf (text, "%s (%u%s%s)", r->address, r->code,
                              r->reply != NULL && *r->reply != '\0' ? " " : "",
                              r->reply != NULL ? r->reply : "");
    }
  if (text->len == 0)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  return g_string_free (text, FALSE);
}
