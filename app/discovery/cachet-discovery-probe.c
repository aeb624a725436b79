/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-discovery"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-discovery-private.h"
#include "cachet-net-error.h"
#include "cachet-net-stream.h"

/* One probe: is there a POP3 (or SMTP) server at host:port, and how is it protected?
 *
 * Over app/net's transport (cachet-net-stream: GIO underneath, our certificate checks),
 * with a line reader of our own on the libetpan mailstream that caps what a server may
 * send (a probe talks to servers nobody vouched for).  Never logs in: greeting, CAPA or
 * EHLO, STLS / STARTTLS when advertised on a plain port, CAPA / EHLO again inside TLS
 * (SMTP servers often offer AUTH only there), QUIT.
 *
 * A certificate that fails our check is reported with its CachetTlsCheck.  With implicit
 * TLS the protocol is then confirmed over a second connection that accepts exactly that
 * certificate (its fingerprint as pin), so the user learns "a POP3 server whose
 * certificate is not trusted" rather than "something". */

#define MAX_LINE 2048
#define MAX_LINES 200

typedef struct
{
  CachetNetStream *net;
  mailstream      *stream;
  gboolean         smtp;
} Conn;

void
_cachet_probe_result_free (CachetProbeResult *result)
{
  if (result == NULL)
    return;
  cachet_tls_check_free (result->tls_check);
  g_free (result->greeting);
  g_free (result->capabilities);
  g_free (result->message);
  g_free (result);
}

const char *
_cachet_probe_outcome_describe (CachetProbeOutcome outcome)
{
  switch (outcome)
    {
    case CACHET_PROBE_OK:
      return _("answers, secure connection verified");
    case CACHET_PROBE_PLAINTEXT:
      return _("answers, but offers no encryption");
    case CACHET_PROBE_CERTIFICATE:
      return _("certificate not trusted");
    case CACHET_PROBE_TLS_FAILED:
      return _("secure connection failed");
    case CACHET_PROBE_WRONG_PROTOCOL:
      return _("answers, but not as a mail server of this kind");
    case CACHET_PROBE_REFUSED:
      return _("refuses connections");
    case CACHET_PROBE_UNREACHABLE:
      return _("not reachable");
    case CACHET_PROBE_TIMED_OUT:
      return _("no answer in time");
    case CACHET_PROBE_CANCELLED:
      return _("stopped");
    default:
      return "?";
    }
}

static void
conn_close (Conn *c)
{
  if (c->stream != NULL)
    mailstream_close (c->stream);   /* closes the connection, drops its reference */
  c->stream = NULL;
  g_clear_pointer (&c->net, cachet_net_stream_unref);
}

/* One line without its CRLF, at most MAX_LINE bytes. */
static char *
read_line (Conn    *c,
           GError **error)
{
  GString *line = g_string_new (NULL);

  for (;;)
    {
      char ch;
      ssize_t n = mailstream_read (c->stream, &ch, 1);

      if (n <= 0)
        {
          cachet_net_stream_set_io_error (c->net, error);
          g_string_free (line, TRUE);
          return NULL;
        }
      if (ch == '\n')
        break;
      if (line->len >= MAX_LINE)
        {
          g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_PROTOCOL,
                       _("%s sent a line longer than %u bytes."),
                       cachet_net_stream_get_host (c->net), MAX_LINE);
          g_string_free (line, TRUE);
          return NULL;
        }
      g_string_append_c (line, ch);
    }
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);
  return g_string_free (line, FALSE);
}

static gboolean
send_line (Conn       *c,
           const char *text,
           GError    **error)
{
  g_autofree char *line = g_strconcat (text, "\r\n", NULL);

  if (mailstream_write (c->stream, line, strlen (line)) < 0 || mailstream_flush (c->stream) < 0)
    {
      cachet_net_stream_set_io_error (c->net, error);
      return FALSE;
    }
  return TRUE;
}

/* CAPA (POP3) or EHLO (SMTP): the capabilities, space-separated (upper case words as
 * sent), or "" when the server has none to tell; NULL on a failure. */
static char *
ask_capabilities (Conn    *c,
                  GError **error)
{
  g_autoptr(GString) caps = g_string_new (NULL);
  g_autofree char *first = NULL;

  if (!send_line (c, c->smtp ? "EHLO localhost" : "CAPA", error))
    return NULL;
  if (!c->smtp)
    {
      first = read_line (c, error);
      if (first == NULL)
        return NULL;
      if (!g_str_has_prefix (first, "+OK"))
        return g_strdup ("");     /* an old server without CAPA */
      for (guint i = 0; i < MAX_LINES; i++)
        {
          g_autofree char *line = read_line (c, error);

          if (line == NULL)
            return NULL;
          if (g_str_equal (line, "."))
            return g_string_free (g_steal_pointer (&caps), FALSE);
          if (caps->len > 0)
            g_string_append (caps, ", ");
          g_string_append (caps, line);
        }
    }
  else
    {
      for (guint i = 0; i < MAX_LINES; i++)
        {
          g_autofree char *line = read_line (c, error);

          if (line == NULL)
            return NULL;
          if (strlen (line) < 3 || !g_ascii_isdigit (line[0]))
            break;
          if (line[0] != '2')
            {
              /* No ESMTP: HELO would do, but tells nothing */
              if (!send_line (c, "HELO localhost", error))
                return NULL;
              g_free (read_line (c, NULL));
              return g_strdup ("");
            }
          if (i > 0 && strlen (line) > 4)
            {
              if (caps->len > 0)
                g_string_append (caps, ", ");
              g_string_append (caps, line + 4);
            }
          if (line[3] == ' ' || line[3] == '\0')
            return g_string_free (g_steal_pointer (&caps), FALSE);
        }
    }
  g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_PROTOCOL,
               _("%s sent a list of capabilities that makes no sense."),
               cachet_net_stream_get_host (c->net));
  return NULL;
}

static gboolean
has_capability (const char *caps,
                const char *word)
{
  g_auto(GStrv) items = g_strsplit (caps, ", ", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit (items[i], " ", 2);

      if (words[0] != NULL && g_ascii_strcasecmp (words[0], word) == 0)
        return TRUE;
    }
  return FALSE;
}

static CachetProbeOutcome
outcome_of (const GError *error,
            Conn         *c)
{
  const GError *io = c->net != NULL ? cachet_net_stream_get_last_error (c->net) : NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return CACHET_PROBE_CANCELLED;
  if (g_error_matches (io, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return CACHET_PROBE_TIMED_OUT;
  if (error->domain == CACHET_NET_ERROR)
    switch (error->code)
      {
      case CACHET_NET_ERROR_CERTIFICATE:
      case CACHET_NET_ERROR_CERTIFICATE_CHANGED:
        return CACHET_PROBE_CERTIFICATE;
      case CACHET_NET_ERROR_TLS:
        return CACHET_PROBE_TLS_FAILED;
      case CACHET_NET_ERROR_UNREACHABLE:
        return CACHET_PROBE_UNREACHABLE;
      default:
        break;
      }
  return CACHET_PROBE_WRONG_PROTOCOL;
}

/* Connects (and makes the TLS handshake for implicit TLS, with @pin accepted). */
static gboolean
conn_open (Conn         *c,
           const char   *host,
           guint16       port,
           gboolean      implicit_tls,
           guint         timeout_s,
           const char   *extra_ca_file,
           const char   *pin,
           GCancellable *cancellable,
           CachetTlsCheck **check,
           GError      **error)
{
  c->net = cachet_net_stream_connect (host, port, timeout_s, cancellable, error);
  if (c->net == NULL)
    return FALSE;
  cachet_net_stream_set_cancellable (c->net, cancellable);
  if (implicit_tls)
    {
      gboolean ok = cachet_net_stream_handshake (c->net, extra_ca_file, pin, error);

      if (check != NULL)
        *check = cachet_net_stream_steal_tls_check (c->net);
      if (!ok)
        return FALSE;
    }
  c->stream = cachet_net_stream_open_mailstream (c->net);
  return TRUE;
}

/* Greeting and capabilities; FALSE with @result filled when it is not the protocol. */
static gboolean
talk (Conn              *c,
      CachetProbeResult *result,
      GError           **error)
{
  g_autofree char *greeting = read_line (c, error);

  if (greeting == NULL)
    return FALSE;
  g_free (result->greeting);
  result->greeting = g_strdup (greeting);
  if (c->smtp ? g_str_has_prefix (greeting, "220") : g_str_has_prefix (greeting, "+OK"))
    result->confirmed = TRUE;
  else if (c->smtp ? (g_str_has_prefix (greeting, "421") || g_str_has_prefix (greeting, "554"))
                   : g_str_has_prefix (greeting, "-ERR"))
    {
      result->confirmed = TRUE;
      result->outcome = CACHET_PROBE_REFUSED;
      result->message = g_strdup_printf (_("The server refuses connections: “%s”."), greeting);
      return FALSE;
    }
  else
    {
      result->outcome = CACHET_PROBE_WRONG_PROTOCOL;
      result->message = g_strdup_printf (_("This is not a %s server; it said “%.80s”."),
                                         c->smtp ? "SMTP" : "POP3", greeting);
      return FALSE;
    }
  g_free (result->capabilities);
  result->capabilities = ask_capabilities (c, error);
  return result->capabilities != NULL;
}

static gboolean
starttls (Conn              *c,
          CachetProbeResult *result,
          const char        *extra_ca_file,
          GError           **error)
{
  g_autofree char *reply = NULL;
  gboolean ok;

  if (!send_line (c, c->smtp ? "STARTTLS" : "STLS", error) || (reply = read_line (c, error)) == NULL)
    return FALSE;
  if (c->smtp ? !g_str_has_prefix (reply, "220") : !g_str_has_prefix (reply, "+OK"))
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS,
                   _("The server offers STARTTLS but refused it: “%.80s”."), reply);
      return FALSE;
    }
  ok = cachet_net_stream_starttls (c->net, c->stream, extra_ca_file, NULL, error);
  result->tls_check = cachet_net_stream_steal_tls_check (c->net);
  if (!ok)
    return FALSE;
  g_free (result->capabilities);
  result->capabilities = ask_capabilities (c, error);
  return result->capabilities != NULL;
}

static void
set_failure (CachetProbeResult *result,
             GError            *error,
             Conn              *c)
{
  if (result->message == NULL)
    result->message = g_strdup (error->message);
  if (result->outcome == CACHET_PROBE_OK)
    result->outcome = outcome_of (error, c);
}

CachetProbeResult *
_cachet_probe_run (const char   *host,
                   guint16       port,
                   gboolean      smtp,
                   gboolean      implicit_tls,
                   guint         timeout_s,
                   const char   *extra_ca_file,
                   GCancellable *cancellable)
{
  CachetProbeResult *result = g_new0 (CachetProbeResult, 1);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  Conn c = { .smtp = smtp };

  result->outcome = CACHET_PROBE_OK;
  result->security = implicit_tls ? CACHET_SECURITY_TLS : CACHET_SECURITY_STARTTLS;

  if (!conn_open (&c, host, port, implicit_tls, timeout_s, extra_ca_file, NULL, cancellable,
                  &result->tls_check, &error))
    {
      set_failure (result, error, &c);
      conn_close (&c);
      /* Not trusted: is it the protocol at all?  Once more, accepting this certificate. */
      if (result->outcome == CACHET_PROBE_CERTIFICATE && result->tls_check != NULL)
        {
          g_autoptr(GError) again = NULL;
          CachetProbeResult confirm = { 0 };

          if (conn_open (&c, host, port, TRUE, timeout_s, extra_ca_file,
                         result->tls_check->sha256_hex, cancellable, NULL, &again)
              && talk (&c, &confirm, &again))
            {
              result->confirmed = TRUE;
              result->greeting = g_steal_pointer (&confirm.greeting);
              result->capabilities = g_steal_pointer (&confirm.capabilities);
              send_line (&c, "QUIT", NULL);
            }
          else if (confirm.outcome == CACHET_PROBE_WRONG_PROTOCOL
                   || confirm.outcome == CACHET_PROBE_REFUSED)
            {
              result->outcome = confirm.outcome;
              g_free (result->message);
              result->message = g_steal_pointer (&confirm.message);
            }
          g_free (confirm.greeting);
          g_free (confirm.capabilities);
          g_free (confirm.message);
          conn_close (&c);
        }
      result->elapsed_us = g_get_monotonic_time () - start;
      return result;
    }

  if (!talk (&c, result, &error))
    {
      if (error != NULL)
        set_failure (result, error, &c);
    }
  else if (!implicit_tls)
    {
      if (has_capability (result->capabilities, smtp ? "STARTTLS" : "STLS"))
        {
          if (!starttls (&c, result, extra_ca_file, &error))
            set_failure (result, error, &c);
          else
            send_line (&c, "QUIT", NULL);
        }
      else
        {
          result->outcome = CACHET_PROBE_PLAINTEXT;
          result->security = CACHET_SECURITY_PLAIN;
          result->message = g_strdup (_("The server offers no STARTTLS: the password and the "
                                        "mail would travel unencrypted."));
          send_line (&c, "QUIT", NULL);
        }
    }
  else
    send_line (&c, "QUIT", NULL);
  conn_close (&c);
  result->elapsed_us = g_get_monotonic_time () - start;
  return result;
}
