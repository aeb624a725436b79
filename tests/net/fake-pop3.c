/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fake-pop3.h"

#include <string.h>

typedef struct
{
  char   *uidl;
  GBytes *content;     /* LF line ends, or NULL for a generated message */
  gsize   generated;
} FakeMessage;

struct _FakePop3
{
  FakePop3Config  config;
  GSocket        *listener;
  guint16         port;
  GThread        *thread;
  GCancellable   *stop;

  GMutex          lock;
  GCond           cond;
  GPtrArray      *messages;     /* FakeMessage */
  GPtrArray      *commands;     /* char * */
  GBytes         *hello;
  guint           accepted;
  guint           finished;
  guint           max_batch;
  GSocket        *current;      /* the connection being served */
};

typedef struct
{
  FakePop3      *fake;
  GIOStream     *io;
  GSocket       *socket;
  GInputStream  *in;
  GOutputStream *out;
  guint8         buf[16384];
  gsize          start;
  gsize          end;
  GByteArray    *pending;       /* output not yet written */
  gboolean       tls;
  gboolean       logged_in;
  char          *user;
  GArray        *deleted;       /* guint message numbers */
} Conn;

static void
fake_message_free (FakeMessage *m)
{
  g_free (m->uidl);
  g_clear_pointer (&m->content, g_bytes_unref);
  g_free (m);
}

/* Message content -------------------------------------------------------------------- */

typedef void (*LineFunc) (const char *line,
                          gsize       len,
                          gpointer    data);

static void
generate_lines (gsize    size,
                LineFunc func,
                gpointer data)
{
  g_autofree char *header = g_strdup_printf ("From: generator@example.test\n"
                                             "Subject: generated %" G_GSIZE_FORMAT "\n"
                                             "Message-ID: <gen-%" G_GSIZE_FORMAT
                                             "@example.test>\n", size, size);
  char line[128];
  gsize total = 0;
  guint i = 0;

  for (char *p = header, *nl; (nl = strchr (p, '\n')) != NULL; p = nl + 1)
    {
      func (p, nl - p, data);
      total += nl - p + 1;
    }
  func ("", 0, data);
  total++;
  while (total < size)
    {
      int len = g_snprintf (line, sizeof line,
                            "%sline %08u of the generated message, with some text to fill it",
                            i % 5 == 0 ? "." : "", i);
      func (line, len, data);
      total += len + 1;
      i++;
    }
}

static void
for_each_line (FakeMessage *m,
               LineFunc     func,
               gpointer     data)
{
  gsize len;
  const char *p;
  const char *end;

  if (m->content == NULL)
    {
      generate_lines (m->generated, func, data);
      return;
    }
  p = g_bytes_get_data (m->content, &len);
  end = p + len;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      gsize n = nl != NULL ? (gsize) (nl - p) : (gsize) (end - p);

      func (p, n, data);
      p += n + 1;
    }
}

static void
checksum_line (const char *line,
               gsize       len,
               gpointer    data)
{
  gpointer *args = data;

  g_checksum_update (args[0], (const guchar *) line, len);
  g_checksum_update (args[0], (const guchar *) "\n", 1);
  *(gsize *) args[1] += len + 1;
}

gsize
fake_pop3_generated_content (gsize      size,
                             GChecksum *checksum)
{
  gsize total = 0;
  gpointer args[2] = { checksum, &total };

  generate_lines (size, checksum_line, args);
  return total;
}

static void
count_line (const char *line,
            gsize       len,
            gpointer    data)
{
  *(gsize *) data += len + 2;
}

static gsize
wire_size (FakeMessage *m)
{
  gsize size = 0;

  for_each_line (m, count_line, &size);
  return size;
}

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
  return c->pending->len < 32768 || conn_flush (c);
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

/* The next command line, or NULL at the end of the connection. */
static char *
conn_read_line (Conn *c)
{
  for (;;)
    {
      guint8 *nl = memchr (c->buf + c->start, '\n', c->end - c->start);
      gssize n;

      if (nl != NULL)
        {
          char *line = g_strndup ((char *) c->buf + c->start, nl - (c->buf + c->start));
          gsize len = strlen (line);
          guint batch = 1;

          c->start = nl - c->buf + 1;
          for (gsize i = c->start; i < c->end; i++)
            if (c->buf[i] == '\n')
              batch++;
          g_mutex_lock (&c->fake->lock);
          c->fake->max_batch = MAX (c->fake->max_batch, batch);
          g_mutex_unlock (&c->fake->lock);
          if (len > 0 && line[len - 1] == '\r')
            line[len - 1] = '\0';
          return line;
        }
      if (c->start > 0)
        {
          memmove (c->buf, c->buf + c->start, c->end - c->start);
          c->end -= c->start;
          c->start = 0;
        }
      if (c->end == sizeof c->buf)
        return NULL;
      if (!conn_flush (c))
        return NULL;
      n = g_input_stream_read (c->in, c->buf + c->end, sizeof c->buf - c->end, NULL, NULL);
      if (n <= 0)
        return NULL;
      c->end += n;
    }
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
tls_wrap (FakePop3  *fake,
          GIOStream *base)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = g_tls_server_connection_new (base, fake->config.certificate,
                                                          &error);

  if (tls == NULL)
    return NULL;
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
    {
      g_debug ("fake POP3: handshake failed: %s", error->message);
      return NULL;
    }
  return g_steal_pointer (&tls);
}

/* Commands --------------------------------------------------------------------------- */

static FakeMessage *
find_message (Conn       *c,
              const char *arg)
{
  guint64 n = g_ascii_strtoull (arg != NULL ? arg : "0", NULL, 10);
  FakeMessage *m = NULL;

  for (guint i = 0; i < c->deleted->len; i++)
    if (g_array_index (c->deleted, guint, i) == n)
      return NULL;
  g_mutex_lock (&c->fake->lock);
  if (n >= 1 && n <= c->fake->messages->len)
    m = g_ptr_array_index (c->fake->messages, n - 1);
  g_mutex_unlock (&c->fake->lock);
  return m;
}

typedef struct
{
  Conn    *c;
  gsize    sent;
  gsize    stop_after;   /* 0: never */
  gboolean headers_only;
  gboolean in_body;
  gboolean stopped;
} SendState;

static void
send_line (const char *line,
           gsize       len,
           gpointer    data)
{
  SendState *s = data;

  if (s->stopped || (s->headers_only && s->in_body))
    return;
  if (s->headers_only && len == 0)
    s->in_body = TRUE;
  if (line[0] == '.' && len > 0)
    g_byte_array_append (s->c->pending, (const guint8 *) ".", 1);
  g_byte_array_append (s->c->pending, (const guint8 *) line, len);
  g_byte_array_append (s->c->pending, (const guint8 *) "\r\n", 2);
  s->sent += len + 2;
  if (s->stop_after > 0 && s->sent >= s->stop_after)
    {
      s->stopped = TRUE;
      return;
    }
  if (s->c->pending->len >= 32768)
    conn_flush (s->c);
}

/* FALSE: the connection ends here. */
static gboolean
do_retr (Conn       *c,
         const char *arg,
         gboolean    headers_only)
{
  const FakePop3Config *cfg = &c->fake->config;
  guint n = (guint) g_ascii_strtoull (arg != NULL ? arg : "0", NULL, 10);
  FakeMessage *m = find_message (c, arg);
  SendState s = { c, 0, 0, headers_only, FALSE, FALSE };

  if (m == NULL)
    return conn_send (c, "-ERR no such message\r\n");
  if (n == cfg->refuse_retr)
    return conn_send (c, "-ERR [SYS/TEMP] cannot read that message now\r\n");
  if (n == cfg->truncate_retr)
    {
      conn_send (c, "+O");
      conn_flush (c);
      return FALSE;
    }
  if (n == cfg->garbage_retr)
    return conn_send (c, "HELLO THERE\r\n");

  conn_sendf (c, "+OK %" G_GSIZE_FORMAT " octets\r\n", wire_size (m));
  if (n == cfg->drop_in_retr)
    s.stop_after = wire_size (m) / 2 + 1;
  else if (n == cfg->stall_in_retr)
    s.stop_after = MIN (wire_size (m) / 2 + 1, 200000);
  for_each_line (m, send_line, &s);
  if (s.stopped)
    {
      conn_flush (c);
      if (n == cfg->stall_in_retr)
        conn_wait_hangup (c);
      return FALSE;
    }
  return conn_send (c, ".\r\n");
}

static gboolean
check_login (Conn       *c,
             const char *user,
             const char *password)
{
  const FakePop3Config *cfg = &c->fake->config;

  if (g_strcmp0 (user, cfg->user) != 0 || g_strcmp0 (password, cfg->password) != 0)
    return conn_send (c, "-ERR [AUTH] Authentication failed.\r\n");
  if (cfg->login_reply != NULL)
    {
      c->logged_in = g_str_has_prefix (cfg->login_reply, "+OK");
      return conn_sendf (c, "%s\r\n", cfg->login_reply);
    }
  c->logged_in = TRUE;
  return conn_send (c, "+OK Logged in.\r\n");
}

static gboolean
do_auth (Conn *c,
         char *arg)
{
  g_autofree char *response = NULL;
  g_autofree guchar *decoded = NULL;
  gsize len;
  char *mech = arg;
  char *initial = arg != NULL ? strchr (arg, ' ') : NULL;
  const char *user, *pass;

  if (initial != NULL)
    *initial++ = '\0';
  if (!c->fake->config.sasl_plain || g_ascii_strcasecmp (mech ? mech : "", "PLAIN") != 0)
    return conn_send (c, "-ERR Unsupported authentication mechanism.\r\n");
  if (initial == NULL)
    {
      conn_send (c, "+ \r\n");
      response = conn_read_line (c);
      if (response == NULL)
        return FALSE;
      initial = response;
    }
  decoded = g_base64_decode (initial, &len);
  /* authzid NUL authcid NUL password */
  if (len < 3 || decoded[0] != '\0' || memchr (decoded + 1, '\0', len - 1) == NULL)
    return conn_send (c, "-ERR [AUTH] Invalid base64 data in continued response\r\n");
  user = (const char *) decoded + 1;
  pass = user + strlen (user) + 1;
  {
    g_autofree char *pass_copy = g_strndup (pass, len - (pass - (const char *) decoded));
    return check_login (c, user, pass_copy);
  }
}

static gboolean
do_apop (Conn *c,
         char *arg)
{
  const FakePop3Config *cfg = &c->fake->config;
  g_auto(GStrv) words = g_strsplit (arg != NULL ? arg : "", " ", 2);
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);

  if (cfg->timestamp == NULL || g_strv_length (words) != 2)
    return conn_send (c, "-ERR APOP not available\r\n");
  g_checksum_update (md5, (const guchar *) cfg->timestamp, -1);
  g_checksum_update (md5, (const guchar *) (cfg->password ? cfg->password : ""), -1);
  if (g_strcmp0 (words[0], cfg->user) == 0
      && g_strcmp0 (words[1], g_checksum_get_string (md5)) == 0)
    return check_login (c, cfg->user, cfg->password);
  return conn_send (c, "-ERR [AUTH] Authentication failed.\r\n");
}

static gboolean
do_capa (Conn *c)
{
  const FakePop3Config *cfg = &c->fake->config;

  if (cfg->no_capa)
    return conn_send (c, "-ERR Unknown command.\r\n");
  conn_send (c, "+OK\r\nUSER\r\nTOP\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n");
  if (!cfg->no_uidl)
    conn_send (c, "UIDL\r\n");
  if (cfg->pipelining)
    conn_send (c, "PIPELINING\r\n");
  if (cfg->sasl_plain)
    conn_send (c, "SASL PLAIN LOGIN\r\n");
  if ((cfg->stls || cfg->refuse_stls || cfg->inject_after_stls) && !c->tls)
    conn_send (c, "STLS\r\n");
  return conn_send (c, ".\r\n");
}

static gboolean
do_stls (Conn *c)
{
  const FakePop3Config *cfg = &c->fake->config;
  g_autoptr(GIOStream) tls = NULL;

  if (c->tls || !(cfg->stls || cfg->refuse_stls || cfg->inject_after_stls))
    return conn_send (c, "-ERR Unknown command.\r\n");
  if (cfg->refuse_stls)
    return conn_send (c, "-ERR [SYS/TEMP] TLS is not available right now.\r\n");
  if (cfg->inject_after_stls)
    {
      conn_send (c, "+OK Begin TLS negotiation now.\r\n+OK injected\r\n");
      conn_flush (c);
      conn_wait_hangup (c);
      return FALSE;
    }
  conn_send (c, "+OK Begin TLS negotiation now.\r\n");
  if (!conn_flush (c))
    return FALSE;
  tls = tls_wrap (c->fake, c->io);
  if (tls == NULL)
    return FALSE;
  conn_set_io (c, tls);
  c->tls = TRUE;
  return TRUE;
}

static gboolean
do_list (Conn *c,
         gboolean uidl)
{
  const FakePop3Config *cfg = &c->fake->config;
  g_autoptr(GPtrArray) messages = NULL;

  if (uidl && cfg->no_uidl)
    return conn_send (c, "-ERR Unknown command.\r\n");
  if (uidl && cfg->uidl_body != NULL)
    return conn_sendf (c, "+OK\r\n%s.\r\n", cfg->uidl_body);

  g_mutex_lock (&c->fake->lock);
  messages = g_ptr_array_copy (c->fake->messages, NULL, NULL);
  g_ptr_array_set_free_func (messages, NULL);   /* the copy does not own them */
  g_mutex_unlock (&c->fake->lock);
  conn_send (c, "+OK\r\n");
  for (guint i = 0; i < messages->len; i++)
    {
      FakeMessage *m = g_ptr_array_index (messages, i);
      g_autofree char *number = g_strdup_printf ("%u", i + 1);

      if (find_message (c, number) == NULL)
        continue;
      if (uidl)
        conn_sendf (c, "%u %s\r\n", i + 1, m->uidl);
      else
        conn_sendf (c, "%u %" G_GSIZE_FORMAT "\r\n", i + 1, wire_size (m));
    }
  return conn_send (c, ".\r\n");
}

static void
apply_deletions (Conn *c)
{
  g_mutex_lock (&c->fake->lock);
  for (guint n = c->fake->messages->len; n >= 1; n--)
    for (guint i = 0; i < c->deleted->len; i++)
      if (g_array_index (c->deleted, guint, i) == n)
        {
          g_ptr_array_remove_index (c->fake->messages, n - 1);
          break;
        }
  g_mutex_unlock (&c->fake->lock);
}

/* FALSE ends the connection. */
static gboolean
dispatch (Conn *c,
          char *line)
{
  char *arg = strchr (line, ' ');
  g_autofree char *verb = NULL;

  if (arg != NULL)
    *arg++ = '\0';
  verb = g_ascii_strup (line, -1);

  if (g_str_equal (verb, "CAPA"))
    return do_capa (c);
  if (g_str_equal (verb, "STLS"))
    return do_stls (c);
  if (g_str_equal (verb, "QUIT"))
    {
      if (c->logged_in)
        apply_deletions (c);
      conn_send (c, "+OK Logging out.\r\n");
      conn_flush (c);
      return FALSE;
    }
  if (!c->logged_in)
    {
      if (g_str_equal (verb, "USER"))
        {
          g_free (c->user);
          c->user = g_strdup (arg);
          return conn_send (c, "+OK\r\n");
        }
      if (g_str_equal (verb, "PASS"))
        return check_login (c, c->user, arg);
      if (g_str_equal (verb, "AUTH"))
        return do_auth (c, arg);
      if (g_str_equal (verb, "APOP"))
        return do_apop (c, arg);
      return conn_send (c, "-ERR Unknown command.\r\n");
    }
  if (g_str_equal (verb, "LIST"))
    return do_list (c, FALSE);
  if (g_str_equal (verb, "UIDL"))
    return do_list (c, TRUE);
  if (g_str_equal (verb, "RETR"))
    return do_retr (c, arg, FALSE);
  if (g_str_equal (verb, "TOP"))
    return do_retr (c, arg, TRUE);
  if (g_str_equal (verb, "DELE"))
    {
      guint n = (guint) g_ascii_strtoull (arg != NULL ? arg : "0", NULL, 10);

      if (find_message (c, arg) == NULL)
        return conn_send (c, "-ERR no such message\r\n");
      g_array_append_val (c->deleted, n);
      return conn_send (c, "+OK Marked to be deleted.\r\n");
    }
  if (g_str_equal (verb, "NOOP") || g_str_equal (verb, "RSET"))
    return conn_send (c, "+OK\r\n");
  return conn_send (c, "-ERR Unknown command.\r\n");
}

static void
capture_hello (FakePop3 *fake,
               GSocket  *socket)
{
  g_autoptr(GByteArray) hello = g_byte_array_new ();
  guint8 buf[4096];

  for (;;)
    {
      gssize n = g_socket_receive (socket, (char *) buf, sizeof buf, NULL, NULL);

      if (n <= 0)
        break;
      g_byte_array_append (hello, buf, n);
      if (hello->len >= 5 && hello->len >= 5u + (hello->data[3] << 8 | hello->data[4]))
        break;
    }
  g_mutex_lock (&fake->lock);
  g_clear_pointer (&fake->hello, g_bytes_unref);
  fake->hello = g_bytes_new (hello->data, hello->len);
  g_mutex_unlock (&fake->lock);
}

static void
serve (FakePop3 *fake,
       GSocket  *socket)
{
  const FakePop3Config *cfg = &fake->config;
  g_autoptr(GSocketConnection) connection = g_socket_connection_factory_create_connection (socket);
  Conn c = { 0 };
  char *line;

  c.fake = fake;
  c.socket = socket;
  c.pending = g_byte_array_new ();
  c.deleted = g_array_new (FALSE, FALSE, sizeof (guint));

  if (cfg->tls == FAKE_TLS_CAPTURE_HELLO)
    {
      capture_hello (fake, socket);
      goto out;
    }
  conn_set_io (&c, G_IO_STREAM (connection));
  if (cfg->tls == FAKE_TLS_IMPLICIT)
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
  else if (cfg->timestamp != NULL)
    conn_sendf (&c, "+OK Fake POP3 ready %s\r\n", cfg->timestamp);
  else
    conn_send (&c, "+OK Fake POP3 ready.\r\n");

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
  g_array_unref (c.deleted);
  g_free (c.user);
}

static gpointer
server_thread (gpointer data)
{
  FakePop3 *fake = data;

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

FakePop3 *
fake_pop3_new (const FakePop3Config *config)
{
  FakePop3 *fake = g_new0 (FakePop3, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  fake->config = *config;
  if (config->certificate != NULL)
    g_object_ref (config->certificate);
  fake->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_message_free);
  fake->commands = g_ptr_array_new_with_free_func (g_free);
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
  fake->thread = g_thread_new ("fake-pop3", server_thread, fake);
  return fake;
}

void
fake_pop3_free (FakePop3 *fake)
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
  g_ptr_array_unref (fake->messages);
  g_ptr_array_unref (fake->commands);
  g_clear_pointer (&fake->hello, g_bytes_unref);
  g_mutex_clear (&fake->lock);
  g_cond_clear (&fake->cond);
  g_free (fake);
}

guint16
fake_pop3_get_port (FakePop3 *fake)
{
  return fake->port;
}

void
fake_pop3_add_message (FakePop3   *fake,
                       const char *uidl,
                       GBytes     *content)
{
  FakeMessage *m = g_new0 (FakeMessage, 1);

  m->uidl = g_strdup (uidl);
  m->content = g_bytes_ref (content);
  g_mutex_lock (&fake->lock);
  g_ptr_array_add (fake->messages, m);
  g_mutex_unlock (&fake->lock);
}

void
fake_pop3_add_generated (FakePop3   *fake,
                         const char *uidl,
                         gsize       size)
{
  FakeMessage *m = g_new0 (FakeMessage, 1);

  m->uidl = g_strdup (uidl);
  m->generated = size;
  g_mutex_lock (&fake->lock);
  g_ptr_array_add (fake->messages, m);
  g_mutex_unlock (&fake->lock);
}

guint
fake_pop3_count_messages (FakePop3 *fake)
{
  guint n;

  g_mutex_lock (&fake->lock);
  n = fake->messages->len;
  g_mutex_unlock (&fake->lock);
  return n;
}

GPtrArray *
fake_pop3_wait_commands (FakePop3 *fake)
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

GBytes *
fake_pop3_get_hello (FakePop3 *fake)
{
  GBytes *hello;

  g_mutex_lock (&fake->lock);
  hello = fake->hello != NULL ? g_bytes_ref (fake->hello) : NULL;
  g_mutex_unlock (&fake->lock);
  return hello;
}

guint
fake_pop3_get_max_batch (FakePop3 *fake)
{
  guint n;

  g_mutex_lock (&fake->lock);
  n = fake->max_batch;
  g_mutex_unlock (&fake->lock);
  return n;
}
