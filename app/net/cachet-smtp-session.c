/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-smtp"

#include "config.h"

#include "cachet-smtp-session.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-net-error.h"
#include "cachet-net-stream.h"
#include "cachet-smtp-session-private.h"

/* How the pieces fit (the twin of cachet-pop3-session.c):
 *  - cachet-net-stream connects (GIO: IPv4 and IPv6, TCP_NODELAY, timeout, cancellable)
 *    and carries the bytes, plain or over GIO's TLS, under a libetpan mailstream; it makes
 *    the TLS handshake (implicit TLS, or after STARTTLS) and has the certificate checked
 *    by cachet-tls inside it, so nothing is sent to a server we do not trust.
 *  - mailsmtp reads the greeting (mailsmtp_connect on our stream) and does EHLO (HELO for
 *    a server that refuses it) and STARTTLS; cachet_net_stream_starttls() then upgrades the
 *    same stream in place and EHLO is said again.
 *  - The rest is written and read here (cachet-smtp-auth.c, cachet-smtp-send.c): libetpan's
 *    AUTH needs Cyrus SASL at run time and leaves the password in buffers we cannot wipe;
 *    its MAIL, RCPT and DATA wait for each reply (no PIPELINING), know no BODY=8BITMIME and
 *    want the whole message converted in memory.  Commands of one group are buffered and
 *    flushed once: with TCP_NODELAY, no Nagle / delayed-ACK stall.
 *  - Cancellation interrupts any blocking read or write at once; the session is then
 *    finished (free it).  So is a session whose connection dropped or timed out, or whose
 *    server made no sense. */

#define DEFAULT_TIMEOUT 60
#define MAX_LINE 8192
#define MAX_REPLY_LINES 1000
#define MAX_REPLY_TEXT 2000

G_DEFINE_QUARK (cachet-smtp-error-quark, cachet_smtp_error)

static gboolean
trace_enabled (void)
{
  const char *value = g_getenv ("CACHET_PROTOCOL_TRACE");

  return value != NULL && *value != '\0' && g_strcmp0 (value, "0") != 0;
}

static void
recipient_result_free (CachetSmtpRecipientResult *r)
{
  g_free (r->address);
  g_free (r->reply);
  g_free (r);
}

void
cachet_smtp_send_result_free (CachetSmtpSendResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->recipients, g_ptr_array_unref);
  g_free (result->data_reply);
  g_free (result);
}

GPtrArray *
_cachet_smtp_recipient_results_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) recipient_result_free);
}

CachetSmtpSession *
cachet_smtp_session_new (void)
{
  CachetSmtpSession *self = g_new0 (CachetSmtpSession, 1);

  self->trace = trace_enabled ();
  self->extensions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->buf = g_malloc (CACHET_SMTP_READ_SIZE);
  self->line = g_string_sized_new (256);
  return self;
}

void
_cachet_smtp_close (CachetSmtpSession *self)
{
  if (self->smtp != NULL)
    self->smtp->stream = NULL;   /* so that mailsmtp_free() sends no QUIT */
  if (self->stream != NULL)
    {
      mailstream_close (self->stream);   /* closes the connection */
      self->stream = NULL;
    }
  if (self->net != NULL)
    {
      cachet_net_stream_close (self->net);
      g_clear_pointer (&self->net, cachet_net_stream_unref);
    }
  self->connected = FALSE;
  self->buf_start = self->buf_end = 0;
}

void
cachet_smtp_session_free (CachetSmtpSession *self)
{
  if (self == NULL)
    return;
  _cachet_smtp_close (self);
  if (self->smtp != NULL)
    mailsmtp_free (self->smtp);
  g_free (self->host);
  cachet_tls_check_free (self->tls_check);
  g_hash_table_unref (self->extensions);
  g_free (self->buf);
  g_free (self->chunk);
  g_string_free (self->line, TRUE);
  g_free (self);
}

/* Operations, cancellation, errors -------------------------------------------------- */

gboolean
_cachet_smtp_op_begin (CachetSmtpSession *self,
                       GCancellable      *cancellable,
                       GError           **error)
{
  self->cancellable = cancellable;
  if (self->net != NULL)
    cachet_net_stream_set_cancellable (self->net, cancellable);
  return _cachet_smtp_check_cancelled (self, error);
}

void
_cachet_smtp_op_end (CachetSmtpSession *self)
{
  if (self->net != NULL)
    cachet_net_stream_set_cancellable (self->net, NULL);
  self->cancellable = NULL;
}

gboolean
_cachet_smtp_check_cancelled (CachetSmtpSession *self,
                              GError           **error)
{
  if (self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable))
    self->cancelled = TRUE;
  if (!self->cancelled)
    return TRUE;
  self->broken = TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));
  return FALSE;
}

gboolean
_cachet_smtp_check_usable (CachetSmtpSession *self,
                           GError           **error)
{
  if (self->broken || !self->connected)
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED,
                   _("The connection to %s is closed. Connect again."),
                   self->host != NULL ? self->host : "?");
      return FALSE;
    }
  return TRUE;
}

void
_cachet_smtp_set_io_error (CachetSmtpSession *self,
                           GError           **error)
{
  g_autoptr(GError) local_error = NULL;

  self->broken = TRUE;
  if (!_cachet_smtp_check_cancelled (self, error))
    return;
  if (self->net == NULL)
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED,
                   _("The connection to %s was closed unexpectedly. Try again later."),
                   self->host);
      return;
    }
  cachet_net_stream_set_io_error (self->net, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->cancelled = TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
}

void
_cachet_smtp_set_protocol_error (CachetSmtpSession *self,
                                 const char        *what,
                                 const char        *line,
                                 GError           **error)
{
  g_autofree char *shown = _cachet_smtp_sanitize (line != NULL ? line : "", -1, 100);

  self->broken = TRUE;
  g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_PROTOCOL,
               _("%s sent something this program does not understand (%s: “%s”). "
                 "Try again later, or tell your provider."),
               self->host, what, shown);
}

void
_cachet_smtp_set_temporary_error (CachetSmtpSession     *self,
                                  const CachetSmtpReply *reply,
                                  GError               **error)
{
  g_autofree char *said = _cachet_smtp_reply_describe (reply);

  if (reply->code == 421)
    {
      self->broken = TRUE;
      g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TEMPORARY,
                   _("%s is not taking mail right now and closed the connection (it said: "
                     "“%s”). Try again later."),
                   self->host, said);
      return;
    }
  g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TEMPORARY,
               _("%s cannot take this right now (it said: “%s”). Try again later."),
               self->host, said);
}

void
_cachet_smtp_reply_clear (CachetSmtpReply *reply)
{
  reply->code = 0;
  g_clear_pointer (&reply->text, g_free);
}

char *
_cachet_smtp_reply_describe (const CachetSmtpReply *reply)
{
  if (reply->text == NULL || *reply->text == '\0')
    return g_strdup_printf ("%u", reply->code);
  return g_strdup_printf ("%u %s", reply->code, reply->text);
}

/* Reading and writing ---------------------------------------------------------------- */

static gboolean
fill (CachetSmtpSession *self,
      GError           **error)
{
  gsize space;
  ssize_t n;

  if (!_cachet_smtp_check_cancelled (self, error))
    return FALSE;
  if (self->buf_start == self->buf_end)
    self->buf_start = self->buf_end = 0;
  else if (self->buf_end == CACHET_SMTP_READ_SIZE)
    {
      memmove (self->buf, self->buf + self->buf_start, self->buf_end - self->buf_start);
      self->buf_end -= self->buf_start;
      self->buf_start = 0;
    }
  space = CACHET_SMTP_READ_SIZE - self->buf_end;

  /* What libetpan has buffered first (mailstream_read() would wait for a whole count
   * beyond it), else one read of the low level, which returns what is there. */
  if (self->stream->read_buffer_len > 0)
    n = mailstream_read (self->stream, self->buf + self->buf_end,
                         MIN (space, self->stream->read_buffer_len));
  else
    n = mailstream_low_read (mailstream_get_low (self->stream),
                             self->buf + self->buf_end, space);
  if (n <= 0)
    {
      _cachet_smtp_set_io_error (self, error);
      return FALSE;
    }
  self->buf_end += n;
  return TRUE;
}

static const char *
read_line (CachetSmtpSession *self,
           GError           **error)
{
  g_string_truncate (self->line, 0);
  for (;;)
    {
      guint8 *start = self->buf + self->buf_start;
      gsize avail = self->buf_end - self->buf_start;
      guint8 *nl = avail > 0 ? memchr (start, '\n', avail) : NULL;
      gsize take = nl != NULL ? (gsize) (nl - start) + 1 : avail;

      if (self->line->len + take > MAX_LINE)
        {
          _cachet_smtp_set_protocol_error (self, _("a line that never ends"),
                                           self->line->str, error);
          return NULL;
        }
      g_string_append_len (self->line, (const char *) start, take);
      self->buf_start += take;
      if (nl != NULL)
        break;
      if (!fill (self, error))
        return NULL;
    }
  g_string_truncate (self->line, self->line->len - 1);
  if (self->line->len > 0 && self->line->str[self->line->len - 1] == '\r')
    g_string_truncate (self->line, self->line->len - 1);
  return self->line->str;
}

gboolean
_cachet_smtp_read_reply (CachetSmtpSession *self,
                         CachetSmtpReply   *reply,
                         GError           **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint first = 0;

  reply->code = 0;
  reply->text = NULL;
  for (guint n = 0;; n++)
    {
      const char *line = read_line (self, error);
      const char *rest;
      gboolean more;
      guint code;

      if (line == NULL)
        return FALSE;
      if (self->trace)
        {
          g_autofree char *shown = _cachet_smtp_sanitize (line, -1, 300);
          g_debug ("S: %s", shown);
        }
      if (!_cachet_smtp_parse_reply_line (line, &code, &more, &rest))
        {
          _cachet_smtp_set_protocol_error (self, _("not a reply"), line, error);
          return FALSE;
        }
      if (n == 0)
        first = code;
      else if (code != first)
        {
          _cachet_smtp_set_protocol_error (self, _("a reply whose lines disagree"), line,
                                           error);
          return FALSE;
        }
      if (n == MAX_REPLY_LINES)
        {
          _cachet_smtp_set_protocol_error (self, _("a reply that never ends"), line, error);
          return FALSE;
        }
      if (text->len < MAX_REPLY_TEXT && *rest != '\0')
        {
          if (text->len > 0)
            g_string_append_c (text, ' ');
          g_string_append (text, rest);
        }
      if (!more)
        break;
    }
  reply->code = first;
  reply->text = _cachet_smtp_sanitize (text->str, -1, 1000);
  return TRUE;
}

gboolean
_cachet_smtp_queue (CachetSmtpSession *self,
                    const char        *command,
                    const char        *shown,
                    GError           **error)
{
  gsize len = strlen (command);

  if (self->trace)
    g_debug ("C: %s", shown != NULL ? shown : command);
  if (mailstream_write (self->stream, command, len) != (ssize_t) len
      || mailstream_write (self->stream, "\r\n", 2) != 2)
    {
      _cachet_smtp_set_io_error (self, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
_cachet_smtp_flush (CachetSmtpSession *self,
                    GError           **error)
{
  if (mailstream_flush (self->stream) < 0)
    {
      _cachet_smtp_set_io_error (self, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
_cachet_smtp_write (CachetSmtpSession *self,
                    const guint8      *data,
                    gsize              len,
                    GError           **error)
{
  if (!_cachet_smtp_check_cancelled (self, error))
    return FALSE;
  if (mailstream_write (self->stream, data, len) != (ssize_t) len)
    {
      _cachet_smtp_set_io_error (self, error);
      return FALSE;
    }
  return TRUE;
}

/* Connecting ------------------------------------------------------------------------- */

static gboolean
connect_stream (CachetSmtpSession *self,
                GCancellable      *cancellable,
                GError           **error)
{
  self->net = cachet_net_stream_connect (self->host, self->port, self->timeout, cancellable,
                                         error);
  if (self->net == NULL)
    return FALSE;
  cachet_net_stream_set_cancellable (self->net, cancellable);
  return _cachet_smtp_check_cancelled (self, error);
}

/* After a handshake, good or bad: the check stays with the session for the user. */
static gboolean
take_tls_check (CachetSmtpSession *self,
                gboolean           ok)
{
  cachet_tls_check_free (self->tls_check);
  self->tls_check = cachet_net_stream_steal_tls_check (self->net);
  if (!ok)
    {
      self->broken = TRUE;
      if (!self->cancelled && self->cancellable != NULL
          && g_cancellable_is_cancelled (self->cancellable))
        self->cancelled = TRUE;
      return FALSE;
    }
  self->tls = TRUE;
  return TRUE;
}

static gboolean
open_stream (CachetSmtpSession *self,
             const char        *extra_ca_file,
             const char        *pinned_sha256,
             GError           **error)
{
  if (self->security == CACHET_SECURITY_TLS
      && !take_tls_check (self, cachet_net_stream_handshake (self->net, extra_ca_file,
                                                             pinned_sha256, error)))
    return FALSE;
  self->stream = cachet_net_stream_open_mailstream (self->net);
  return TRUE;
}

/* The reply libetpan read last, in the trace: its text holds the lines without their
 * codes, one a line. */
static void
trace_etpan_reply (CachetSmtpSession *self)
{
  g_auto(GStrv) lines = NULL;
  guint n;

  if (!self->trace || self->smtp->response == NULL)
    return;
  lines = g_strsplit (self->smtp->response, "\n", -1);
  n = g_strv_length (lines);
  if (n > 0 && *lines[n - 1] == '\0')
    n--;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *shown = _cachet_smtp_sanitize (lines[i], -1, 300);
      g_debug ("S: %d%s%s", self->smtp->response_code, i + 1 < n ? "-" : " ", shown);
    }
}

/* The reply libetpan read last, for messages (newly allocated). */
static CachetSmtpReply
etpan_reply (CachetSmtpSession *self)
{
  CachetSmtpReply reply;
  g_autofree char *joined = NULL;

  reply.code = (guint) self->smtp->response_code;
  joined = g_strdup (self->smtp->response != NULL ? self->smtp->response : "");
  g_strstrip (g_strdelimit (joined, "\n", ' '));
  reply.text = _cachet_smtp_sanitize (joined, -1, 1000);
  return reply;
}

typedef enum
{
  STEP_GREETING,
  STEP_EHLO,
  STEP_STARTTLS,
} Step;

/* A libetpan call failed: a dead connection, nonsense, a 4xx, or a refusal. */
static gboolean
etpan_failed (CachetSmtpSession *self,
              Step               step,
              GError           **error)
{
  CachetSmtpReply reply = etpan_reply (self);
  g_autofree char *said = _cachet_smtp_reply_describe (&reply);
  const char *what = step == STEP_GREETING ? _("its greeting")
                     : step == STEP_EHLO ? _("its answer to EHLO")
                     : _("its answer to STARTTLS");

  self->broken = TRUE;
  if (cachet_net_stream_is_broken (self->net))
    _cachet_smtp_set_io_error (self, error);
  else if (reply.code == 0 && *reply.text == '\0')
    _cachet_smtp_set_io_error (self, error);
  else if (reply.code < 400 || reply.code > 599)
    /* libetpan says 0 for a line that is no reply; a success code where another one
     * belongs makes no sense either. */
    _cachet_smtp_set_protocol_error (self, what, reply.text, error);
  else if (reply.code >= 400 && reply.code < 500)
    _cachet_smtp_set_temporary_error (self, &reply, error);
  else if (step == STEP_GREETING)
    g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_SERVER,
                 _("%s refused the connection (it said: “%s”). Try again later, or check "
                   "the outgoing server's name and port."),
                 self->host, said);
  else
    g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_SERVER,
                 _("%s refused to start the session (it said: “%s”). Try again later, or "
                   "tell your provider."),
                 self->host, said);
  _cachet_smtp_reply_clear (&reply);
  return FALSE;
}

static gboolean
read_greeting (CachetSmtpSession *self,
               GError           **error)
{
  int r;

  self->smtp = mailsmtp_new (0, NULL);
  if (self->smtp == NULL)
    g_error ("out of memory");
  r = mailsmtp_connect (self->smtp, self->stream);
  trace_etpan_reply (self);
  if (r == MAILSMTP_NO_ERROR)
    return TRUE;
  /* mailsmtp_connect() closed the stream (and with it the connection). */
  self->stream = NULL;
  self->smtp->stream = NULL;
  return etpan_failed (self, STEP_GREETING, error);
}

static gboolean
say_ehlo (CachetSmtpSession *self,
          GError           **error)
{
  int r;
  int code;

  g_hash_table_remove_all (self->extensions);
  self->esmtp = FALSE;
  /* The local address as an address literal ("[192.0.2.1]") rather than the computer's
   * name, which the server would write into the message's Received header.  libetpan
   * cannot make the literal for IPv6: then the name it is. */
  if (self->trace)
    g_debug ("C: EHLO");
  r = mailesmtp_ehlo_with_ip (self->smtp, 1);
  if (r == MAILSMTP_ERROR_HOSTNAME)
    r = mailesmtp_ehlo (self->smtp);
  trace_etpan_reply (self);
  if (r == MAILSMTP_NO_ERROR)
    {
      self->esmtp = TRUE;
      _cachet_smtp_parse_ehlo (self->smtp->response, self->extensions);
      return TRUE;
    }

  code = self->smtp->response_code;
  if (r != MAILSMTP_ERROR_STREAM && (code == 500 || code == 502 || code == 504 || code == 550))
    {
      /* An old server that knows only HELO: no extensions (so no STARTTLS, no AUTH). */
      if (self->trace)
        g_debug ("C: HELO");
      r = mailsmtp_helo_with_ip (self->smtp, 1);
      if (r == MAILSMTP_ERROR_HOSTNAME)
        r = mailsmtp_helo (self->smtp);
      trace_etpan_reply (self);
      if (r == MAILSMTP_NO_ERROR)
        return TRUE;
    }
  return etpan_failed (self, STEP_EHLO, error);
}

static gboolean
start_tls (CachetSmtpSession *self,
           const char        *extra_ca_file,
           const char        *pinned_sha256,
           GError           **error)
{
  int r;

  if (!cachet_smtp_session_has_extension (self, "STARTTLS"))
    {
      self->broken = TRUE;
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_STARTTLS_MISSING,
                   _("%s does not offer STARTTLS, so the connection cannot be protected; "
                     "the password and the message were not sent. Choose TLS if the server "
                     "offers it on port 465, or ask your provider."),
                   self->host);
      return FALSE;
    }

  if (self->trace)
    g_debug ("C: STARTTLS");
  r = mailesmtp_starttls (self->smtp);
  trace_etpan_reply (self);
  if (r == MAILSMTP_ERROR_STREAM)
    return etpan_failed (self, STEP_STARTTLS, error);
  if (r == MAILSMTP_ERROR_SSL && self->smtp->response_code == 220)
    {
      /* libetpan found more than the reply in its buffer (CVE-2020-15953): what came
       * after it came in the clear, and could be injected. */
      self->broken = TRUE;
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS,
                   _("%s sent data before the secure connection started, which could be an "
                     "attack; nothing was sent."),
                   self->host);
      return FALSE;
    }
  if (r != MAILSMTP_NO_ERROR)
    {
      CachetSmtpReply reply = etpan_reply (self);
      g_autofree char *said = _cachet_smtp_reply_describe (&reply);

      self->broken = TRUE;
      if (reply.code >= 400 && reply.code < 500)
        g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TEMPORARY,
                     _("%s cannot protect the connection right now (it said: “%s”); the "
                       "password and the message were not sent. Try again later."),
                     self->host, said);
      else
        g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_STARTTLS_MISSING,
                     _("%s refused STARTTLS (it said: “%s”), so the connection cannot be "
                       "protected; the password and the message were not sent. Choose TLS "
                       "on port 465, or ask your provider."),
                     self->host, said);
      _cachet_smtp_reply_clear (&reply);
      return FALSE;
    }
  /* Refuses what the server sent in the clear after its reply (injection), then puts a
   * TLS driver under the stream; everything learnt before TLS is forgotten. */
  return take_tls_check (self, cachet_net_stream_starttls (self->net, self->stream,
                                                           extra_ca_file, pinned_sha256,
                                                           error))
         && say_ehlo (self, error);
}

gboolean
cachet_smtp_session_connect (CachetSmtpSession          *self,
                             const CachetServerSettings *server,
                             const char                 *extra_ca_file,
                             guint                       timeout_seconds,
                             GCancellable               *cancellable,
                             GError                    **error)
{
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (server != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->connected || self->broken || self->host != NULL)
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_FAILED,
                   _("This connection was used already; make a new one."));
      return FALSE;
    }
  if (server->host == NULL || *server->host == '\0')
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_FAILED,
                   _("No outgoing mail server is set for this account."));
      return FALSE;
    }

  self->host = g_strdup (server->host);
  self->security = server->security;
  self->port = server->port != 0 ? server->port
               : server->security == CACHET_SECURITY_TLS ? 465 : 587;
  self->timeout = timeout_seconds != 0 ? timeout_seconds : DEFAULT_TIMEOUT;
  if (self->trace)
    g_debug ("connecting to %s port %u (%s)", self->host, self->port,
             self->security == CACHET_SECURITY_TLS ? "TLS"
             : self->security == CACHET_SECURITY_STARTTLS ? "STARTTLS" : "plain");

  ok = _cachet_smtp_op_begin (self, cancellable, error)
       && connect_stream (self, cancellable, error)
       && open_stream (self, extra_ca_file, server->pinned_sha256, error)
       && read_greeting (self, error)
       && say_ehlo (self, error)
       && (self->security != CACHET_SECURITY_STARTTLS
           || start_tls (self, extra_ca_file, server->pinned_sha256, error));
  _cachet_smtp_op_end (self);

  if (!ok)
    {
      self->broken = TRUE;
      _cachet_smtp_close (self);
      return FALSE;
    }
  self->connected = TRUE;
  return TRUE;
}

const CachetTlsCheck *
cachet_smtp_session_get_tls_check (CachetSmtpSession *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->tls_check;
}

gboolean
cachet_smtp_session_has_extension (CachetSmtpSession *self,
                                   const char        *extension)
{
  g_autofree char *name = NULL;
  const char *space;
  const char *args;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (extension != NULL, FALSE);

  /* "AUTH CRAM-MD5" asks for an argument of a keyword too. */
  space = strchr (extension, ' ');
  name = g_ascii_strup (extension, space != NULL ? space - extension : -1);
  args = g_hash_table_lookup (self->extensions, name);
  if (args == NULL)
    return FALSE;
  if (space == NULL)
    return TRUE;

  {
    g_auto(GStrv) words = g_strsplit_set (args, " \t", -1);
    for (guint i = 0; words[i] != NULL; i++)
      if (g_ascii_strcasecmp (words[i], space + 1) == 0)
        return TRUE;
  }
  return FALSE;
}

guint64
cachet_smtp_session_get_max_size (CachetSmtpSession *self)
{
  const char *args;
  guint64 size;
  char *end;

  g_return_val_if_fail (self != NULL, 0);

  args = g_hash_table_lookup (self->extensions, "SIZE");
  if (args == NULL || !g_ascii_isdigit (*args))
    return 0;
  size = g_ascii_strtoull (args, &end, 10);
  return *end == '\0' || *end == ' ' ? size : 0;
}

/* Closing ---------------------------------------------------------------------------- */

gboolean
cachet_smtp_session_quit (CachetSmtpSession *self,
                          GError           **error)
{
  CachetSmtpReply reply = { 0, NULL };
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_cachet_smtp_check_usable (self, error))
    {
      _cachet_smtp_close (self);
      return FALSE;
    }

  ok = _cachet_smtp_op_begin (self, NULL, error)
       && _cachet_smtp_queue (self, "QUIT", NULL, error)
       && _cachet_smtp_flush (self, error)
       && _cachet_smtp_read_reply (self, &reply, error);
  _cachet_smtp_op_end (self);

  /* Whatever it says, every message sent was accepted before: only a note. */
  if (ok && reply.code != 221)
    g_debug ("%s answered QUIT with %u", self->host, reply.code);
  _cachet_smtp_reply_clear (&reply);
  _cachet_smtp_close (self);
  self->logged_in = FALSE;
  self->broken = TRUE;   /* finished: a session is used once */
  return ok;
}
