/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-pop3"

#include "config.h"

#include "cachet-pop3-session.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-net-error.h"
#include "cachet-net-private.h"
#include "cachet-net-stream.h"
#include "cachet-pop3-session-private.h"

/* How the pieces fit:
 *  - cachet-net-stream connects (GIO: IPv4 and IPv6, timeout, cancellable) and carries
 *    the bytes, plain or over GIO's TLS, under a libetpan mailstream; it makes the TLS
 *    handshake (implicit TLS, or after STLS) and has the certificate checked by
 *    cachet-tls inside it, so nothing is sent to a server we do not trust.
 *  - mailpop3 does CAPA and STLS.  The rest (greeting, login, LIST, UIDL, RETR, DELE,
 *    QUIT) is read here, line by line or streamed through the decoder: mailpop3_retr
 *    holds whole messages in memory and knows no pipelining, mailpop3_connect cannot
 *    tell a dead connection from a server that is not POP3, and its login commands
 *    would leave the password in buffers we cannot wipe.
 *  - Cancellation interrupts any blocking read or write at once (every call of the
 *    stream waits on the operation's cancellable); the session is then finished (free
 *    it: nothing was committed on the server).
 *  - Freeing without QUIT never sends QUIT (mailpop3_free would: its stream is detached
 *    first), so messages marked for deletion stay on the server (RFC 1939). */

#define DEFAULT_TIMEOUT 60
#define MAX_LINE 8192

static gboolean
trace_enabled (void)
{
  const char *value = g_getenv ("CACHET_PROTOCOL_TRACE");

  return value != NULL && *value != '\0' && g_strcmp0 (value, "0") != 0;
}

CachetPop3Session *
cachet_pop3_session_new (void)
{
  CachetPop3Session *self = g_new0 (CachetPop3Session, 1);

  self->trace = trace_enabled ();
  self->capabilities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->sizes = g_array_new (FALSE, FALSE, sizeof (CachetPop3Size));
  self->buf = g_malloc (CACHET_POP3_READ_SIZE);
  self->out = g_malloc (CACHET_POP3_READ_SIZE + 2);
  self->line = g_string_sized_new (256);
  return self;
}

void
_cachet_pop3_close (CachetPop3Session *self)
{
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
  if (self->pop3 != NULL)
    self->pop3->pop3_stream = NULL;
  self->connected = FALSE;
  self->buf_start = self->buf_end = 0;
}

void
cachet_pop3_session_free (CachetPop3Session *self)
{
  if (self == NULL)
    return;
  /* No QUIT: with the stream detached, mailpop3_free cannot send one either. */
  _cachet_pop3_close (self);
  if (self->pop3 != NULL)
    {
      free (self->pop3->pop3_timestamp);
      self->pop3->pop3_timestamp = NULL;
      mailpop3_free (self->pop3);
    }
  g_free (self->host);
  cachet_tls_check_free (self->tls_check);
  g_hash_table_unref (self->capabilities);
  g_free (self->timestamp);
  g_array_unref (self->sizes);
  g_free (self->buf);
  g_free (self->out);
  g_string_free (self->line, TRUE);
  g_free (self);
}

/* Operations, cancellation, errors -------------------------------------------------- */

gboolean
_cachet_pop3_op_begin (CachetPop3Op      *op,
                       CachetPop3Session *self,
                       GCancellable      *cancellable,
                       GError           **error)
{
  op->self = self;
  self->cancellable = cancellable;
  if (self->net != NULL)
    cachet_net_stream_set_cancellable (self->net, cancellable);
  return _cachet_pop3_check_cancelled (self, error);
}

void
_cachet_pop3_op_end (CachetPop3Op *op)
{
  CachetPop3Session *self = op->self;

  if (self->net != NULL)
    cachet_net_stream_set_cancellable (self->net, NULL);
  self->cancellable = NULL;
}

/* TRUE when not cancelled. */
gboolean
_cachet_pop3_check_cancelled (CachetPop3Session *self,
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
_cachet_pop3_check_usable (CachetPop3Session *self,
                           gboolean           need_login,
                           GError           **error)
{
  if (self->broken || !self->connected)
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED,
                   _("The connection to %s is closed. Connect again."),
                   self->host != NULL ? self->host : "?");
      return FALSE;
    }
  if (need_login && !self->logged_in)
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_FAILED,
                   _("Not logged in to %s."), self->host);
      return FALSE;
    }
  return TRUE;
}

void
_cachet_pop3_set_io_error (CachetPop3Session *self,
                           GError           **error)
{
  g_autoptr(GError) local_error = NULL;

  self->broken = TRUE;
  if (!_cachet_pop3_check_cancelled (self, error))
    return;
  cachet_net_stream_set_io_error (self->net, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->cancelled = TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
}

void
_cachet_pop3_set_protocol_error (CachetPop3Session *self,
                                 const char        *what,
                                 const char        *line,
                                 GError           **error)
{
  g_autofree char *shown = _cachet_pop3_sanitize (line != NULL ? line : "", -1, 100);

  self->broken = TRUE;
  g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_PROTOCOL,
               _("%s sent something this program does not understand (%s: “%s”). "
                 "Try again later, or tell your provider."),
               self->host, what, shown);
}

/* Reading and writing ---------------------------------------------------------------- */

gboolean
_cachet_pop3_fill (CachetPop3Session *self,
                   GError           **error)
{
  gsize space;
  ssize_t n;

  if (!_cachet_pop3_check_cancelled (self, error))
    return FALSE;
  if (self->buf_start == self->buf_end)
    self->buf_start = self->buf_end = 0;
  else if (self->buf_end == CACHET_POP3_READ_SIZE)
    {
      memmove (self->buf, self->buf + self->buf_start, self->buf_end - self->buf_start);
      self->buf_end -= self->buf_start;
      self->buf_start = 0;
    }
  space = CACHET_POP3_READ_SIZE - self->buf_end;

  /* mailstream_read() waits for the whole count when it exceeds its own buffer: take
   * what it holds, else read once from the low level, which returns what is there. */
  if (self->stream->read_buffer_len > 0)
    n = mailstream_read (self->stream, self->buf + self->buf_end,
                         MIN (space, self->stream->read_buffer_len));
  else
    n = mailstream_low_read (mailstream_get_low (self->stream),
                             self->buf + self->buf_end, space);
  if (n <= 0)
    {
      _cachet_pop3_set_io_error (self, error);
      return FALSE;
    }
  self->buf_end += n;
  return TRUE;
}

const char *
_cachet_pop3_read_line (CachetPop3Session *self,
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
          _cachet_pop3_set_protocol_error (self, _("a line that never ends"),
                                           self->line->str, error);
          return NULL;
        }
      g_string_append_len (self->line, (const char *) start, take);
      self->buf_start += take;
      if (nl != NULL)
        break;
      if (!_cachet_pop3_fill (self, error))
        return NULL;
    }
  g_string_truncate (self->line, self->line->len - 1);
  if (self->line->len > 0 && self->line->str[self->line->len - 1] == '\r')
    g_string_truncate (self->line, self->line->len - 1);
  return self->line->str;
}

gboolean
_cachet_pop3_read_reply (CachetPop3Session *self,
                         CachetPop3Reply   *reply,
                         GError           **error)
{
  const char *line = _cachet_pop3_read_line (self, error);

  if (line == NULL)
    return FALSE;
  if (self->trace)
    {
      g_autofree char *shown = _cachet_pop3_sanitize (line, -1, 300);
      g_debug ("S: %s", shown);
    }
  if (!_cachet_pop3_reply_parse (line, reply))
    {
      _cachet_pop3_set_protocol_error (self, _("not a reply"), line, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
_cachet_pop3_queue (CachetPop3Session *self,
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
      _cachet_pop3_set_io_error (self, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
_cachet_pop3_flush (CachetPop3Session *self,
                    GError           **error)
{
  if (mailstream_flush (self->stream) < 0)
    {
      _cachet_pop3_set_io_error (self, error);
      return FALSE;
    }
  return TRUE;
}

/* Sends a command that carries a secret, then wipes every copy we own. */
static gboolean
send_secret (CachetPop3Session *self,
             char              *command,   /* wiped */
             const char        *shown,
             GError           **error)
{
  gboolean ok = _cachet_pop3_queue (self, command, shown, error)
                && _cachet_pop3_flush (self, error);

  explicit_bzero (command, strlen (command));
  if (self->stream != NULL && self->stream->write_buffer != NULL)
    explicit_bzero (self->stream->write_buffer, self->stream->buffer_max_size);
  return ok;
}

/* Connecting ------------------------------------------------------------------------- */

static gboolean
connect_stream (CachetPop3Session *self,
                GCancellable      *cancellable,
                GError           **error)
{
  self->net = cachet_net_stream_connect (self->host, self->port, self->timeout, cancellable,
                                         error);
  if (self->net == NULL)
    return FALSE;
  cachet_net_stream_set_cancellable (self->net, cancellable);
  return _cachet_pop3_check_cancelled (self, error);
}

/* After a handshake, good or bad: the check stays with the session for the user. */
static gboolean
take_tls_check (CachetPop3Session *self,
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
open_stream (CachetPop3Session *self,
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

/* Server words with a response code become the right error for the user. */
void
_cachet_pop3_set_refusal_error (CachetPop3Session     *self,
                                const CachetPop3Reply *reply,
                                gboolean               login,
                                GError               **error)
{
  const char *code = reply->code != NULL ? reply->code : "";

  if (g_str_equal (code, "IN-USE"))
    g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_LOCKED,
                 _("The mailbox on %s is in use by another mail program (the server said: "
                   "“%s”). Close other programs that check this account, or wait a few "
                   "minutes, then try again."),
                 self->host, reply->text);
  else if (g_str_has_prefix (code, "SYS/") || g_str_equal (code, "LOGIN-DELAY"))
    g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_SERVER,
                 _("%s has a problem on its side and refused the request (it said: “%s”). "
                   "Try again later."),
                 self->host, reply->text);
  else if (login)
    g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH,
                 _("%s refused the login (it said: “%s”). Check the user name and the "
                   "password."),
                 self->host, reply->text);
  else
    g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_SERVER,
                 _("%s refused the request (it said: “%s”). Try again later."),
                 self->host, reply->text);
}

/* The greeting is read here rather than by mailpop3_connect(), which cannot tell a dead
 * connection from something that is not a POP3 server. */
static gboolean
read_greeting (CachetPop3Session *self,
               GError           **error)
{
  CachetPop3Reply reply;

  if (!_cachet_pop3_read_reply (self, &reply, error))
    return FALSE;
  if (reply.kind != CACHET_POP3_REPLY_OK)
    {
      _cachet_pop3_set_refusal_error (self, &reply, FALSE, error);
      _cachet_pop3_reply_clear (&reply);
      self->broken = TRUE;
      return FALSE;
    }
  self->timestamp = _cachet_pop3_greeting_timestamp (self->line->str);
  _cachet_pop3_reply_clear (&reply);
  /* mailpop3 reads from the mailstream's own buffer: nothing may wait in ours. */
  if (self->buf_start != self->buf_end)
    {
      _cachet_pop3_set_protocol_error (self, _("more than a greeting"), "", error);
      return FALSE;
    }
  self->pop3 = mailpop3_new (0, NULL);
  self->pop3->pop3_stream = self->stream;
  return TRUE;
}

static gboolean
read_capabilities (CachetPop3Session *self,
                   GError           **error)
{
  clist *list = NULL;
  int r;

  g_hash_table_remove_all (self->capabilities);
  self->have_capa = FALSE;
  if (self->trace)
    g_debug ("C: CAPA");
  r = mailpop3_capa (self->pop3, &list);
  if (r == MAILPOP3_ERROR_CAPA_NOT_SUPPORTED)
    {
      if (self->trace)
        g_debug ("S: -ERR %s", self->pop3->pop3_response ? self->pop3->pop3_response : "");
      return TRUE;
    }
  if (r != MAILPOP3_NO_ERROR)
    {
      _cachet_pop3_set_io_error (self, error);
      return FALSE;
    }
  self->have_capa = TRUE;
  for (clistiter *i = clist_begin (list); i != NULL; i = clist_next (i))
    {
      struct mailpop3_capa *capa = clist_content (i);
      GString *args = g_string_new (NULL);

      for (clistiter *j = clist_begin (capa->cap_param); j != NULL; j = clist_next (j))
        {
          if (args->len > 0)
            g_string_append_c (args, ' ');
          g_string_append (args, clist_content (j));
        }
      if (self->trace)
        g_debug ("S: %s%s%s", capa->cap_name, args->len ? " " : "", args->str);
      g_hash_table_replace (self->capabilities, g_ascii_strup (capa->cap_name, -1),
                            g_string_free (args, FALSE));
    }
  mailpop3_capa_resp_free (list);
  return TRUE;
}

static gboolean
start_tls (CachetPop3Session *self,
           const char        *extra_ca_file,
           const char        *pinned_sha256,
           GError           **error)
{
  int r;

  if (!cachet_pop3_session_has_capability (self, "STLS"))
    {
      self->broken = TRUE;
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_STARTTLS_MISSING,
                   _("%s does not offer STARTTLS, so the connection cannot be protected; "
                     "the password was not sent. Choose TLS if the server offers it on "
                     "port 995, or ask your provider."),
                   self->host);
      return FALSE;
    }

  if (self->trace)
    g_debug ("C: STLS");
  r = mailpop3_stls (self->pop3);
  if (r == MAILPOP3_ERROR_STLS_NOT_SUPPORTED)
    {
      g_autofree char *said = _cachet_pop3_sanitize (self->pop3->pop3_response
                                                     ? self->pop3->pop3_response : "",
                                                     -1, 300);
      if (self->trace)
        g_debug ("S: -ERR %s", said);
      self->broken = TRUE;
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_STARTTLS_MISSING,
                   _("%s refused STARTTLS (it said: “%s”), so the connection cannot be "
                     "protected; the password was not sent. Try again later, or choose TLS "
                     "on port 995."),
                   self->host, said);
      return FALSE;
    }
  if (r == MAILPOP3_ERROR_STREAM)
    {
      _cachet_pop3_set_io_error (self, error);
      return FALSE;
    }
  if (self->trace)
    g_debug ("S: +OK %s", self->pop3->pop3_response ? self->pop3->pop3_response : "");
  /* Refuses what the server sent in the clear after its reply (injection), then puts a
   * TLS driver under the stream. */
  return take_tls_check (self, cachet_net_stream_starttls (self->net, self->stream,
                                                           extra_ca_file, pinned_sha256,
                                                           error))
         && read_capabilities (self, error);
}

gboolean
cachet_pop3_session_connect (CachetPop3Session          *self,
                             const CachetServerSettings *server,
                             const char                 *extra_ca_file,
                             guint                       timeout_seconds,
                             GCancellable               *cancellable,
                             GError                    **error)
{
  CachetPop3Op op;
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
                   _("No incoming mail server is set for this account."));
      return FALSE;
    }

  self->host = g_strdup (server->host);
  self->security = server->security;
  self->port = server->port != 0 ? server->port
               : server->security == CACHET_SECURITY_TLS ? 995 : 110;
  self->timeout = timeout_seconds != 0 ? timeout_seconds : DEFAULT_TIMEOUT;
  if (self->trace)
    g_debug ("connecting to %s port %u (%s)", self->host, self->port,
             self->security == CACHET_SECURITY_TLS ? "TLS"
             : self->security == CACHET_SECURITY_STARTTLS ? "STARTTLS" : "plain");

  ok = _cachet_pop3_op_begin (&op, self, cancellable, error)
       && connect_stream (self, cancellable, error)
       && open_stream (self, extra_ca_file, server->pinned_sha256, error)
       && read_greeting (self, error)
       && read_capabilities (self, error)
       && (self->security != CACHET_SECURITY_STARTTLS
           || start_tls (self, extra_ca_file, server->pinned_sha256, error));
  _cachet_pop3_op_end (&op);

  if (!ok)
    {
      self->broken = TRUE;
      _cachet_pop3_close (self);
      return FALSE;
    }
  self->connected = TRUE;
  return TRUE;
}

const CachetTlsCheck *
cachet_pop3_session_get_tls_check (CachetPop3Session *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->tls_check;
}

gboolean
cachet_pop3_session_has_capability (CachetPop3Session *self,
                                    const char        *capability)
{
  g_autofree char *name = NULL;
  const char *space;
  const char *args;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (capability != NULL, FALSE);

  /* "SASL PLAIN" asks for an argument of a capability too. */
  space = strchr (capability, ' ');
  name = g_ascii_strup (capability, space != NULL ? space - capability : -1);
  args = g_hash_table_lookup (self->capabilities, name);
  if (args == NULL)
    return FALSE;
  if (space == NULL)
    return TRUE;

  {
    g_auto(GStrv) words = g_strsplit (args, " ", -1);
    for (guint i = 0; words[i] != NULL; i++)
      if (g_ascii_strcasecmp (words[i], space + 1) == 0)
        return TRUE;
  }
  return FALSE;
}

/* Logging in ------------------------------------------------------------------------- */

static gboolean
finish_login_step (CachetPop3Session *self,
                   GError           **error)
{
  CachetPop3Reply reply;
  gboolean ok;

  if (!_cachet_pop3_read_reply (self, &reply, error))
    return FALSE;
  ok = reply.kind == CACHET_POP3_REPLY_OK;
  if (reply.kind == CACHET_POP3_REPLY_ERR)
    _cachet_pop3_set_refusal_error (self, &reply, TRUE, error);
  else if (!ok)
    {
      /* A SASL challenge after the initial response: give up the exchange. */
      CachetPop3Reply last;

      if (_cachet_pop3_queue (self, "*", NULL, error) && _cachet_pop3_flush (self, error)
          && _cachet_pop3_read_reply (self, &last, error))
        {
          _cachet_pop3_reply_clear (&last);
          g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED,
                       _("%s did not accept the login data of AUTH PLAIN. Choose another "
                         "login method."),
                       self->host);
        }
    }
  _cachet_pop3_reply_clear (&reply);
  return ok;
}

static gboolean
login_user_pass (CachetPop3Session *self,
                 const char        *user,
                 const char        *password,
                 GError           **error)
{
  g_autofree char *user_command = g_strconcat ("USER ", user, NULL);
  char *pass_command;
  gboolean ok;

  if (!_cachet_pop3_queue (self, user_command, NULL, error)
      || !_cachet_pop3_flush (self, error)
      || !finish_login_step (self, error))
    return FALSE;
  pass_command = g_strconcat ("PASS ", password, NULL);
  ok = send_secret (self, pass_command, "PASS ****", error);
  g_free (pass_command);
  return ok && finish_login_step (self, error);
}

static gboolean
login_sasl_plain (CachetPop3Session *self,
                  const char        *user,
                  const char        *password,
                  GError           **error)
{
  gsize user_len = strlen (user), pass_len = strlen (password);
  gsize len = user_len + pass_len + 2;
  guint8 *message = g_malloc (len);
  char *encoded;
  char *command;
  gboolean ok;

  /* RFC 4616: authzid (empty) NUL authcid NUL password; RFC 5034 initial response. */
  message[0] = '\0';
  memcpy (message + 1, user, user_len);
  message[1 + user_len] = '\0';
  memcpy (message + 2 + user_len, password, pass_len);
  encoded = g_base64_encode (message, len);
  explicit_bzero (message, len);
  g_free (message);
  command = g_strconcat ("AUTH PLAIN ", encoded, NULL);
  explicit_bzero (encoded, strlen (encoded));
  g_free (encoded);

  ok = send_secret (self, command, "AUTH PLAIN ****", error);
  g_free (command);
  return ok && finish_login_step (self, error);
}

static gboolean
login_apop (CachetPop3Session *self,
            const char        *user,
            const char        *password,
            GError           **error)
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  g_autofree char *shown = g_strconcat ("APOP ", user, " ****", NULL);
  char *command;
  gboolean ok;

  g_checksum_update (md5, (const guchar *) self->timestamp, -1);
  g_checksum_update (md5, (const guchar *) password, -1);
  command = g_strconcat ("APOP ", user, " ", g_checksum_get_string (md5), NULL);
  ok = send_secret (self, command, shown, error);
  g_free (command);
  return ok && finish_login_step (self, error);
}

static gboolean
check_credentials (CachetPop3Session *self,
                   const char *user,
                   const char *password,
                   GError    **error)
{
  return _cachet_net_check_credentials (self->host, user, password, error);
}

gboolean
cachet_pop3_session_login (CachetPop3Session *self,
                           const char        *user,
                           const char        *password,
                           CachetAuthMethod   method,
                           GCancellable      *cancellable,
                           GError           **error)
{
  CachetPop3Op op;
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_cachet_pop3_check_usable (self, FALSE, error)
      || !check_credentials (self, user, password, error))
    return FALSE;
  if (self->logged_in)
    return TRUE;
  if (!self->tls && self->security != CACHET_SECURITY_PLAIN)
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_FAILED,
                   _("The connection to %s is not protected; the password was not sent."),
                   self->host);
      return FALSE;
    }

  if (method == CACHET_AUTH_AUTO)
    method = cachet_pop3_session_has_capability (self, "SASL PLAIN")
             ? CACHET_AUTH_SASL_PLAIN : CACHET_AUTH_PASSWORD;

  if (method == CACHET_AUTH_SASL_PLAIN && self->have_capa
      && !cachet_pop3_session_has_capability (self, "SASL PLAIN"))
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED,
                   _("%s does not offer the login method SASL PLAIN. Choose “password” or "
                     "“automatic” in the account settings."),
                   self->host);
      return FALSE;
    }
  if (method == CACHET_AUTH_APOP && strchr (user, ' ') != NULL)
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED,
                   _("APOP cannot log in a user name with spaces. Choose another login "
                     "method in the account settings."));
      return FALSE;
    }
  if (method == CACHET_AUTH_APOP && self->timestamp == NULL)
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED,
                   _("%s does not offer the login method APOP (its greeting has no "
                     "challenge). Choose another login method in the account settings."),
                   self->host);
      return FALSE;
    }
  if (method != CACHET_AUTH_PASSWORD && method != CACHET_AUTH_SASL_PLAIN
      && method != CACHET_AUTH_APOP)
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED,
                   _("The chosen login method does not exist for POP3. Choose “automatic” "
                     "in the account settings."));
      return FALSE;
    }

  if (_cachet_pop3_op_begin (&op, self, cancellable, error))
    {
      switch (method)
        {
        case CACHET_AUTH_SASL_PLAIN:
          ok = login_sasl_plain (self, user, password, error);
          break;
        case CACHET_AUTH_APOP:
          ok = login_apop (self, user, password, error);
          break;
        default:
          ok = login_user_pass (self, user, password, error);
          break;
        }
    }
  _cachet_pop3_op_end (&op);
  self->logged_in = ok;
  return ok;
}
