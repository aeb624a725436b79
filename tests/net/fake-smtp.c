/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fake-smtp.h"

#include <string.h>

#define CRAM_CHALLENGE "<1896.697170952@fake.example.test>"

struct _FakeSmtp
{
  FakeSmtpConfig  config;
  GSocket        *listener;
  guint16         port;
  GThread        *thread;
  GCancellable   *stop;

  GMutex          lock;
  GCond           cond;
  GPtrArray      *commands;     /* char * */
  GPtrArray      *messages;     /* GBytes */
  guint           accepted;
  guint           finished;
  guint           max_batch;
  guint           queued;
  GSocket        *current;      /* the connection being served */
};

typedef struct
{
  FakeSmtp      *fake;
  GIOStream     *io;
  GInputStream  *in;
  GOutputStream *out;
  guint8         buf[16384];
  gsize          start;
  gsize          end;
  GByteArray    *pending;       /* output not yet written */
  gboolean       tls;
  gboolean       authenticated;
  gboolean       in_mail;
  guint          recipients;
} Conn;

/* Connection I/O --------------------------------------------------------------------- */

static gboolean
conn_flush (Conn *c)
{
  gboolean ok = TRUE;

  if (c->pending->len > 0)
    ok = g_output_stream_write_all (c->out, c->pending->data, c->pending->len, NULL, NULL,
                                    NULL);
  g_byte_array_set_size (c->pending, 0);
  return ok;
}

static gboolean
conn_send (Conn       *c,
           const char *text)
{
  g_byte_array_append (c->pending, (const guint8 *) text, strlen (text));
  return TRUE;
}

static gboolean
conn_sendf (Conn       *c,
            const char *format,
            ...) G_GNUC_PRINTF (2, 3);

static gboolean
conn_sendf (Conn       *c,
            const char *format,
            ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  return conn_send (c, text);
}

/* Reads more input, after sending what is pending (as a real server answers a group of
 * commands once it has no more of them).  FALSE at the end of the connection. */
static gboolean
conn_fill (Conn *c)
{
  gssize n;

  if (c->start > 0)
    {
      memmove (c->buf, c->buf + c->start, c->end - c->start);
      c->end -= c->start;
      c->start = 0;
    }
  if (c->end == sizeof c->buf)
    return FALSE;
  if (!conn_flush (c))
    return FALSE;
  n = g_input_stream_read (c->in, c->buf + c->end, sizeof c->buf - c->end, NULL, NULL);
  if (n <= 0)
    return FALSE;
  c->end += n;
  return TRUE;
}

/* The next line with its line end (raw), or NULL at the end of the connection. */
static GBytes *
conn_read_raw_line (Conn *c)
{
  for (;;)
    {
      guint8 *nl = memchr (c->buf + c->start, '\n', c->end - c->start);

      if (nl != NULL)
        {
          gsize len = nl - (c->buf + c->start) + 1;
          GBytes *line = g_bytes_new (c->buf + c->start, len);

          c->start += len;
          return line;
        }
      if (!conn_fill (c))
        return NULL;
    }
}

/* The next command line (without CRLF), or NULL at the end of the connection. */
static char *
conn_read_line (Conn *c)
{
  g_autoptr(GBytes) raw = conn_read_raw_line (c);
  gsize len;
  const char *data;
  guint batch = 1;
  char *line;

  if (raw == NULL)
    return NULL;
  data = g_bytes_get_data (raw, &len);
  line = g_strndup (data, len - 1);
  if (len >= 2 && line[len - 2] == '\r')
    line[len - 2] = '\0';
  for (gsize i = c->start; i < c->end; i++)
    if (c->buf[i] == '\n')
      batch++;
  g_mutex_lock (&c->fake->lock);
  c->fake->max_batch = MAX (c->fake->max_batch, batch);
  g_mutex_unlock (&c->fake->lock);
  return line;
}

static void
conn_wait_hangup (Conn *c)
{
  guint8 scratch[4096];

  conn_flush (c);
  while (g_input_stream_read (c->in, scratch, sizeof scratch, NULL, NULL) > 0)
    ;
}

static void
conn_set_io (Conn      *c,
             GIOStream *io)
{
  g_set_object (&c->io, io);
  c->in = g_io_stream_get_input_stream (io);
  c->out = g_io_stream_get_output_stream (io);
}

static GIOStream *
tls_wrap (FakeSmtp  *fake,
          GIOStream *base)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = g_tls_server_connection_new (base, fake->config.certificate,
                                                          &error);

  if (tls == NULL)
    return NULL;
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
    {
      g_debug ("fake SMTP: handshake failed: %s", error->message);
      return NULL;
    }
  return g_steal_pointer (&tls);
}

/* Scripted replies ------------------------------------------------------------------- */

/* The scripted reply for @line, or NULL. */
static const char *
scripted (Conn       *c,
          const char *line)
{
  const char * const *replies = c->fake->config.replies;

  for (guint i = 0; replies != NULL && replies[i] != NULL; i++)
    {
      const char *eq = strchr (replies[i], '=');
      gsize n;

      if (eq == NULL)
        continue;
      n = eq - replies[i];
      if (strlen (line) >= n && g_ascii_strncasecmp (line, replies[i], n) == 0)
        return eq + 1;
    }
  return NULL;
}

typedef enum
{
  REPLIED,       /* go on */
  CLOSE,         /* the connection ends here */
  NOT_SCRIPTED,  /* the normal reply is up to the caller */
} Scripted;

static Scripted
reply_scripted (Conn       *c,
                const char *line,
                guint      *code)
{
  const char *reply = scripted (c, line);

  if (reply == NULL)
    return NOT_SCRIPTED;
  if (g_str_equal (reply, "HANGUP"))
    {
      conn_flush (c);
      return CLOSE;
    }
  if (g_str_equal (reply, "HANG"))
    {
      conn_wait_hangup (c);
      return CLOSE;
    }
  if (code != NULL)
    *code = (guint) g_ascii_strtoull (reply, NULL, 10);
  conn_sendf (c, "%s\r\n", reply);
  return REPLIED;
}

/* Commands --------------------------------------------------------------------------- */

static gboolean
auth_offered (Conn       *c,
              const char *mech)
{
  const FakeSmtpConfig *cfg = &c->fake->config;
  g_auto(GStrv) mechs = NULL;

  if (cfg->auth == NULL || (cfg->starttls && !c->tls))
    return FALSE;
  mechs = g_strsplit (cfg->auth, " ", -1);
  for (guint i = 0; mechs[i] != NULL; i++)
    if (g_ascii_strcasecmp (mechs[i], mech) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
do_ehlo (Conn *c)
{
  const FakeSmtpConfig *cfg = &c->fake->config;

  if (cfg->no_ehlo)
    return conn_send (c, "502 5.5.2 Error: command not recognized\r\n");
  conn_send (c, "250-fake.example.test\r\n");
  if (cfg->pipelining)
    conn_send (c, "250-PIPELINING\r\n");
  if (cfg->size > 0)
    conn_sendf (c, "250-SIZE %" G_GUINT64_FORMAT "\r\n", cfg->size);
  if (cfg->starttls && !c->tls)
    conn_send (c, "250-STARTTLS\r\n");
  if (cfg->auth != NULL && !(cfg->starttls && !c->tls))
    conn_sendf (c, "250-AUTH %s\r\n", cfg->auth);
  if (cfg->eightbitmime)
    conn_send (c, "250-8BITMIME\r\n");
  if (cfg->smtputf8)
    conn_send (c, "250-SMTPUTF8\r\n");
  return conn_send (c, "250 ENHANCEDSTATUSCODES\r\n");
}

static gboolean
do_starttls (Conn *c)
{
  const FakeSmtpConfig *cfg = &c->fake->config;
  g_autoptr(GIOStream) tls = NULL;

  if (c->tls || !cfg->starttls)
    return conn_send (c, "502 5.5.1 Error: command not implemented\r\n");
  if (cfg->starttls_reply != NULL)
    return conn_sendf (c, "%s\r\n", cfg->starttls_reply);
  if (cfg->inject_after_starttls)
    {
      conn_send (c, "220 2.0.0 Ready to start TLS\r\n250 injected\r\n");
      conn_wait_hangup (c);
      return FALSE;
    }
  conn_send (c, "220 2.0.0 Ready to start TLS\r\n");
  if (!conn_flush (c))
    return FALSE;
  tls = tls_wrap (c->fake, c->io);
  if (tls == NULL)
    return FALSE;
  conn_set_io (c, tls);
  c->tls = TRUE;
  c->in_mail = FALSE;
  c->recipients = 0;
  return TRUE;
}

static gboolean
check_login (Conn       *c,
             const char *user,
             const char *password)
{
  const FakeSmtpConfig *cfg = &c->fake->config;

  if (g_strcmp0 (user, cfg->user) != 0 || g_strcmp0 (password, cfg->password) != 0)
    return conn_send (c, "535 5.7.8 Error: authentication failed: authentication failure\r\n");
  c->authenticated = TRUE;
  return conn_send (c, "235 2.7.0 Authentication successful\r\n");
}

/* The client's answer to a 334, decoded; NULL when it cancelled ("*") or left. */
static char *
read_response (Conn    *c,
               gboolean *gone)
{
  g_autofree char *line = NULL;
  g_autofree guchar *decoded = NULL;
  gsize len;

  conn_flush (c);
  line = conn_read_line (c);
  *gone = line == NULL;
  if (line == NULL)
    return NULL;
  g_mutex_lock (&c->fake->lock);
  g_ptr_array_add (c->fake->commands, g_strdup (line));
  g_mutex_unlock (&c->fake->lock);
  if (g_str_equal (line, "*"))
    {
      conn_send (c, "501 5.7.0 Authentication aborted\r\n");
      return NULL;
    }
  decoded = g_base64_decode (line, &len);
  return g_strndup ((const char *) decoded, len);
}

static gboolean
do_auth (Conn *c,
         char *arg)
{
  char *mech = arg != NULL ? arg : (char *) "";
  char *initial = strchr (mech, ' ');
  gboolean gone = FALSE;

  if (initial != NULL)
    *initial++ = '\0';
  if (c->authenticated)
    return conn_send (c, "503 5.5.1 Error: already authenticated\r\n");
  if (!auth_offered (c, mech))
    return conn_send (c, "535 5.7.8 Error: authentication failed: Invalid authentication "
                         "mechanism\r\n");

  if (g_ascii_strcasecmp (mech, "PLAIN") == 0)
    {
      g_autofree guchar *decoded = NULL;
      g_autofree char *response = NULL;
      gsize len;
      const char *user, *pass;

      if (initial == NULL)
        {
          conn_send (c, "334 \r\n");
          response = read_response (c, &gone);
          if (response == NULL)
            return !gone;
          decoded = (guchar *) g_strdup (response);
          len = strlen (response);   /* NULs cut it: fine for a wrong one */
        }
      else
        decoded = g_base64_decode (initial, &len);
      if (len < 3 || decoded[0] != '\0' || memchr (decoded + 1, '\0', len - 1) == NULL)
        return conn_send (c, "535 5.7.8 Error: authentication failed: malformed\r\n");
      user = (const char *) decoded + 1;
      pass = user + strlen (user) + 1;
      {
        g_autofree char *pass_copy = g_strndup (pass, len - (pass - (const char *) decoded));
        return check_login (c, user, pass_copy);
      }
    }
  if (g_ascii_strcasecmp (mech, "LOGIN") == 0)
    {
      g_autofree char *user = NULL;
      g_autofree char *pass = NULL;

      conn_send (c, "334 VXNlcm5hbWU6\r\n");
      user = read_response (c, &gone);
      if (user == NULL)
        return !gone;
      conn_send (c, "334 UGFzc3dvcmQ6\r\n");
      pass = read_response (c, &gone);
      if (pass == NULL)
        return !gone;
      return check_login (c, user, pass);
    }
  if (g_ascii_strcasecmp (mech, "CRAM-MD5") == 0)
    {
      g_autofree char *challenge = g_base64_encode ((const guchar *) CRAM_CHALLENGE,
                                                    strlen (CRAM_CHALLENGE));
      g_autofree char *response = NULL;
      g_autofree char *expected = NULL;
      const char *password = c->fake->config.password;
      char *space;

      conn_sendf (c, "334 %s\r\n", challenge);
      response = read_response (c, &gone);
      if (response == NULL)
        return !gone;
      space = strrchr (response, ' ');
      if (space == NULL)
        return conn_send (c, "535 5.7.8 Error: authentication failed: malformed\r\n");
      *space++ = '\0';
      expected = g_compute_hmac_for_string (G_CHECKSUM_MD5, (const guchar *) password,
                                            strlen (password), CRAM_CHALLENGE, -1);
      return check_login (c, response, g_str_equal (space, expected) ? password : "");
    }
  return conn_send (c, "535 5.7.8 Error: authentication failed: Invalid authentication "
                       "mechanism\r\n");
}

static gboolean
do_mail (Conn       *c,
         const char *line)
{
  const FakeSmtpConfig *cfg = &c->fake->config;
  const char *size = strstr (line, " SIZE=");

  if (c->in_mail)
    return conn_send (c, "503 5.5.1 Error: nested MAIL command\r\n");
  if (cfg->auth != NULL && !c->authenticated)
    return conn_send (c, "530 5.7.0 Authentication required\r\n");
  if (size != NULL && cfg->size > 0 && g_ascii_strtoull (size + 6, NULL, 10) > cfg->size)
    return conn_send (c, "552 5.3.4 Message size exceeds fixed limit\r\n");
  if (strstr (line, "BODY=8BITMIME") != NULL && !cfg->eightbitmime)
    return conn_send (c, "555 5.5.4 Unsupported option: BODY=8BITMIME\r\n");
  c->in_mail = TRUE;
  c->recipients = 0;
  return conn_send (c, "250 2.1.0 Ok\r\n");
}

/* FALSE: the connection ends here. */
static gboolean
do_data (Conn *c)
{
  const FakeSmtpConfig *cfg = &c->fake->config;
  g_autoptr(GByteArray) content = g_byte_array_new ();
  guint code = 250;
  gboolean drop = FALSE;

  if (!c->in_mail)
    return conn_send (c, "503 5.5.1 Error: need RCPT command\r\n");
  if (c->recipients == 0)
    return conn_send (c, "554 5.5.1 Error: no valid recipients\r\n");
  conn_send (c, "354 End data with <CR><LF>.<CR><LF>\r\n");
  if (!conn_flush (c))
    return FALSE;
  for (;;)
    {
      g_autoptr(GBytes) raw = conn_read_raw_line (c);
      gsize len;
      const guint8 *data;

      if (raw == NULL)
        return FALSE;
      data = g_bytes_get_data (raw, &len);
      if (len == 3 && memcmp (data, ".\r\n", 3) == 0)
        break;
      g_byte_array_append (content, data, len);
      if (cfg->drop_in_data > 0 && content->len >= cfg->drop_in_data)
        {
          drop = TRUE;
          break;
        }
    }
  if (drop)
    return FALSE;

  g_mutex_lock (&c->fake->lock);
  g_ptr_array_add (c->fake->messages, g_bytes_new (content->data, content->len));
  c->fake->queued++;
  g_mutex_unlock (&c->fake->lock);
  c->in_mail = FALSE;
  c->recipients = 0;
  switch (reply_scripted (c, ".", &code))
    {
    case CLOSE:
      return FALSE;
    case REPLIED:
      return TRUE;
    case NOT_SCRIPTED:
    default:
      return conn_sendf (c, "250 2.0.0 Ok: queued as FAKE%u\r\n", c->fake->queued);
    }
}

/* FALSE ends the connection. */
static gboolean
dispatch (Conn *c,
          char *line)
{
  g_autofree char *copy = g_strdup (line);
  char *arg = strchr (line, ' ');
  g_autofree char *verb = NULL;
  guint code = 0;

  if (arg != NULL)
    *arg++ = '\0';
  verb = g_ascii_strup (line, -1);

  switch (reply_scripted (c, copy, &code))
    {
    case CLOSE:
      return FALSE;
    case REPLIED:
      /* Keep the transaction's state as a real server would after such a reply. */
      if (g_str_equal (verb, "MAIL") && code / 100 == 2)
        {
          c->in_mail = TRUE;
          c->recipients = 0;
        }
      else if (g_str_equal (verb, "RCPT") && code / 100 == 2)
        c->recipients++;
      else if (g_str_equal (verb, "AUTH") && code == 235)
        c->authenticated = TRUE;
      if (code == 421)
        {
          conn_flush (c);
          return FALSE;
        }
      return TRUE;
    case NOT_SCRIPTED:
    default:
      break;
    }

  if (g_str_equal (verb, "EHLO"))
    return do_ehlo (c);
  if (g_str_equal (verb, "HELO"))
    return conn_send (c, "250 fake.example.test\r\n");
  if (g_str_equal (verb, "STARTTLS"))
    return do_starttls (c);
  if (g_str_equal (verb, "AUTH"))
    return do_auth (c, arg);
  if (g_str_equal (verb, "MAIL"))
    return do_mail (c, copy);
  if (g_str_equal (verb, "RCPT"))
    {
      if (!c->in_mail)
        return conn_send (c, "503 5.5.1 Error: need MAIL command\r\n");
      c->recipients++;
      return conn_send (c, "250 2.1.5 Ok\r\n");
    }
  if (g_str_equal (verb, "DATA"))
    return do_data (c);
  if (g_str_equal (verb, "RSET"))
    {
      c->in_mail = FALSE;
      c->recipients = 0;
      return conn_send (c, "250 2.0.0 Ok\r\n");
    }
  if (g_str_equal (verb, "NOOP"))
    return conn_send (c, "250 2.0.0 Ok\r\n");
  if (g_str_equal (verb, "QUIT"))
    {
      conn_send (c, "221 2.0.0 Bye\r\n");
      conn_flush (c);
      return FALSE;
    }
  return conn_send (c, "502 5.5.2 Error: command not recognized\r\n");
}

static void
serve (FakeSmtp *fake,
       GSocket  *socket)
{
  const FakeSmtpConfig *cfg = &fake->config;
  g_autoptr(GSocketConnection) connection =
    g_socket_connection_factory_create_connection (socket);
  Conn c = { 0 };
  char *line;

  c.fake = fake;
  c.pending = g_byte_array_new ();
  conn_set_io (&c, G_IO_STREAM (connection));
  if (cfg->implicit_tls)
    {
      g_autoptr(GIOStream) tls = tls_wrap (fake, G_IO_STREAM (connection));

      if (tls == NULL)
        goto out;
      conn_set_io (&c, tls);
      c.tls = TRUE;
    }
  if (cfg->silent)
    {
      conn_wait_hangup (&c);
      goto out;
    }
  if (cfg->greeting != NULL)
    conn_sendf (&c, "%s\r\n", cfg->greeting);
  else
    conn_send (&c, "220 fake.example.test ESMTP Fake\r\n");

  while ((line = conn_read_line (&c)) != NULL)
    {
      gboolean go_on;

      g_mutex_lock (&fake->lock);
      g_ptr_array_add (fake->commands, g_strdup (line));
      g_mutex_unlock (&fake->lock);
      go_on = dispatch (&c, line);
      g_free (line);
      if (!go_on)
        break;
    }
  conn_flush (&c);

out:
  if (c.io != NULL)
    g_io_stream_close (c.io, NULL, NULL);
  g_clear_object (&c.io);
  g_byte_array_unref (c.pending);
}

static gpointer
server_thread (gpointer data)
{
  FakeSmtp *fake = data;

  for (;;)
    {
      g_autoptr(GSocket) socket = g_socket_accept (fake->listener, fake->stop, NULL);

      if (socket == NULL)
        break;
      g_socket_set_blocking (socket, TRUE);
      g_socket_set_timeout (socket, 60);
      g_mutex_lock (&fake->lock);
      fake->accepted++;
      g_set_object (&fake->current, socket);
      g_mutex_unlock (&fake->lock);

      serve (fake, socket);

      g_mutex_lock (&fake->lock);
      g_clear_object (&fake->current);
      fake->finished++;
      g_cond_broadcast (&fake->cond);
      g_mutex_unlock (&fake->lock);
    }
  return NULL;
}

FakeSmtp *
fake_smtp_new (const FakeSmtpConfig *config)
{
  FakeSmtp *fake = g_new0 (FakeSmtp, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  fake->config = *config;
  if (config->certificate != NULL)
    g_object_ref (config->certificate);
  fake->commands = g_ptr_array_new_with_free_func (g_free);
  fake->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  fake->stop = g_cancellable_new ();
  g_mutex_init (&fake->lock);
  g_cond_init (&fake->cond);

  fake->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (fake->listener, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (fake->listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (fake->listener, &error);
  g_assert_no_error (error);
  fake->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  fake->thread = g_thread_new ("fake-smtp", server_thread, fake);
  return fake;
}

void
fake_smtp_free (FakeSmtp *fake)
{
  if (fake == NULL)
    return;
  g_mutex_lock (&fake->lock);
  if (fake->current != NULL)
    g_socket_shutdown (fake->current, TRUE, TRUE, NULL);
  g_mutex_unlock (&fake->lock);
  g_cancellable_cancel (fake->stop);
  g_thread_join (fake->thread);
  g_object_unref (fake->listener);
  g_object_unref (fake->stop);
  g_clear_object (&fake->config.certificate);
  g_ptr_array_unref (fake->commands);
  g_ptr_array_unref (fake->messages);
  g_mutex_clear (&fake->lock);
  g_cond_clear (&fake->cond);
  g_free (fake);
}

guint16
fake_smtp_get_port (FakeSmtp *fake)
{
  return fake->port;
}

GPtrArray *
fake_smtp_wait_commands (FakeSmtp *fake)
{
  GPtrArray *copy;

  g_mutex_lock (&fake->lock);
  while (fake->finished < fake->accepted)
    g_cond_wait (&fake->cond, &fake->lock);
  copy = g_ptr_array_copy (fake->commands, (GCopyFunc) g_strdup, NULL);
  g_ptr_array_set_free_func (copy, g_free);
  g_mutex_unlock (&fake->lock);
  return copy;
}

static gpointer
ref_bytes (gconstpointer src,
           gpointer      data)
{
  return g_bytes_ref ((GBytes *) src);
}

GPtrArray *
fake_smtp_get_messages (FakeSmtp *fake)
{
  GPtrArray *copy;

  g_mutex_lock (&fake->lock);
  copy = g_ptr_array_copy (fake->messages, ref_bytes, NULL);
  g_ptr_array_set_free_func (copy, (GDestroyNotify) g_bytes_unref);
  g_mutex_unlock (&fake->lock);
  return copy;
}

guint
fake_smtp_get_max_batch (FakeSmtp *fake)
{
  guint n;

  g_mutex_lock (&fake->lock);
  n = fake->max_batch;
  g_mutex_unlock (&fake->lock);
  return n;
}

guint
fake_smtp_get_connections (FakeSmtp *fake)
{
  guint n;

  g_mutex_lock (&fake->lock);
  n = fake->accepted;
  g_mutex_unlock (&fake->lock);
  return n;
}

guint
fake_smtp_count (GPtrArray  *commands,
                 const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < commands->len; i++)
    if (g_ascii_strncasecmp (g_ptr_array_index (commands, i), prefix, strlen (prefix)) == 0)
      n++;
  return n;
}

GBytes *
fake_smtp_decode (GBytes *wire)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (wire, &len);
  const guint8 *end = p + len;
  GByteArray *out = g_byte_array_sized_new (len);

  while (p < end)
    {
      const guint8 *nl = memchr (p, '\n', end - p);
      const guint8 *stop = nl != NULL ? nl : end;
      const guint8 *line = p;

      if (*line == '.')
        line++;
      if (nl != NULL && stop > line && stop[-1] == '\r')
        g_byte_array_append (out, line, stop - 1 - line);
      else
        g_byte_array_append (out, line, stop - line);
      if (nl == NULL)
        break;
      g_byte_array_append (out, (const guint8 *) "\n", 1);
      p = nl + 1;
    }
  return g_byte_array_free_to_bytes (out);
}
