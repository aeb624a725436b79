/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-smtp"

#include "config.h"

#include "cachet-smtp-session.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-net-error.h"
#include "cachet-smtp-session-private.h"

/* One message: MAIL FROM, RCPT TO for each recipient, DATA, the content, ".".
 *
 * Everything that can be decided before talking is decided first: the addresses, the
 * size against the server's SIZE (RFC 1870) and 8-bit content against 8BITMIME (RFC
 * 6152), so a message that cannot go costs nothing on the wire.  With PIPELINING (RFC
 * 2920) MAIL, the RCPTs and DATA leave in one write and their replies are read after;
 * without it, one at a time, and DATA only when a recipient was accepted.  The content
 * goes out in pieces of 64 KiB (bare LF made CRLF, lines starting with "." stuffed), the
 * last piece together with the final ".", so a small message is one write.  After a
 * refusal RSET ends the transaction and the session can send the next message. */

#define CHUNK_SIZE (64 * 1024)
#define PIPELINE_WINDOW 64   /* commands sent ahead before their replies are read */

typedef struct
{
  CachetSmtpSession    *self;
  const char           *mail_command;
  const char * const   *recipients;
  guint                 n_recipients;
  CachetSmtpSendResult *result;
  gboolean              pipelining;

  guint                 next;        /* next command: 0 MAIL, 1..n RCPT, n + 1 DATA */
  guint                 answered;    /* commands whose reply was read */
  CachetSmtpReply       mail;
  CachetSmtpReply       data;
  CachetSmtpReply       closing;     /* a 421: the server is closing the connection */
  guint                 accepted;    /* recipients accepted */
} Envelope;

/* RSET after a refusal: the session stays usable.  A failure here leaves the session
 * broken, which the next call reports; the refusal is what the caller hears about now. */
static void
reset (CachetSmtpSession *self)
{
  CachetSmtpReply reply;

  if (self->broken)
    return;
  if (_cachet_smtp_queue (self, "RSET", NULL, NULL) && _cachet_smtp_flush (self, NULL)
      && _cachet_smtp_read_reply (self, &reply, NULL))
    {
      if (reply.code == 421)
        self->broken = TRUE;
      else if (reply.code / 100 != 2)
        g_debug ("%s answered RSET with %u", self->host, reply.code);
      _cachet_smtp_reply_clear (&reply);
    }
}

static gboolean
queue_next (Envelope  *env,
            GError   **error)
{
  CachetSmtpSession *self = env->self;
  guint i = env->next;

  if (i == 0)
    return _cachet_smtp_queue (self, env->mail_command, NULL, error);
  if (i <= env->n_recipients)
    {
      g_autofree char *command = g_strdup_printf ("RCPT TO:<%s>", env->recipients[i - 1]);

      return _cachet_smtp_queue (self, command, NULL, error);
    }
  return _cachet_smtp_queue (self, "DATA", NULL, error);
}

static gboolean
read_next (Envelope  *env,
           GError   **error)
{
  guint i = env->answered;
  CachetSmtpReply reply;

  if (!_cachet_smtp_read_reply (env->self, &reply, error))
    return FALSE;
  env->answered++;
  if (reply.code == 421)
    {
      /* Nothing more will come: the other replies are not read. */
      env->self->broken = TRUE;
      env->closing = reply;
      return TRUE;
    }
  if (i == 0)
    env->mail = reply;
  else if (i <= env->n_recipients)
    {
      CachetSmtpRecipientResult *r = g_ptr_array_index (env->result->recipients, i - 1);

      r->code = reply.code;
      r->reply = g_steal_pointer (&reply.text);
      if (r->code / 100 == 2)
        env->accepted++;
    }
  else
    env->data = reply;
  return TRUE;
}

/* May the next command go out now? */
static gboolean
may_send_next (Envelope *env)
{
  guint total = env->n_recipients + 2;

  if (env->next >= total)
    return FALSE;
  /* MAIL was refused: nothing after it makes sense. */
  if (env->answered > 0 && env->mail.code / 100 != 2)
    return FALSE;
  /* DATA: not when every recipient is known to be refused. */
  if (env->next == total - 1 && env->answered == env->next && env->accepted == 0)
    return FALSE;
  return TRUE;
}

/* MAIL, RCPT, DATA: sent in groups (one write each), replies read after each group. */
static gboolean
send_envelope (Envelope  *env,
               GError   **error)
{
  guint window = env->pipelining ? PIPELINE_WINDOW : 1;

  for (;;)
    {
      guint sent = 0;

      while (sent < window && may_send_next (env))
        {
          if (!queue_next (env, error))
            return FALSE;
          env->next++;
          sent++;
        }
      if (sent == 0)
        return TRUE;
      if (!_cachet_smtp_flush (env->self, error))
        return FALSE;
      while (env->answered < env->next)
        {
          if (!read_next (env, error))
            return FALSE;
          if (env->closing.code != 0)
            return TRUE;
        }
    }
}

/* "a@example.org (550 5.1.1 ...), b@example.org (...)" */
static char *
describe_refused (Envelope *env)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < env->result->recipients->len; i++)
    {
      CachetSmtpRecipientResult *r = g_ptr_array_index (env->result->recipients, i);

      if (r->code == 0 || r->code / 100 == 2)
        continue;
      if (text->len > 0)
        g_string_append (text, "; ");
      g_string_append_printf (text, "%s (%u%s%s)", r->address, r->code,
                              r->reply != NULL && *r->reply != '\0' ? " " : "",
                              r->reply != NULL ? r->reply : "");
    }
  return g_string_free (text, FALSE);
}

static void
set_recipients_error (Envelope  *env,
                      GError   **error)
{
  CachetSmtpSession *self = env->self;
  g_autofree char *refused = describe_refused (env);
  gboolean all_temporary = TRUE;
  gboolean relay = FALSE;

  for (guint i = 0; i < env->result->recipients->len; i++)
    {
      CachetSmtpRecipientResult *r = g_ptr_array_index (env->result->recipients, i);

      if (r->code / 100 != 4)
        all_temporary = FALSE;
      if (_cachet_smtp_reply_is_relay (r->code, r->reply))
        relay = TRUE;
    }

  if (all_temporary)
    g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TEMPORARY,
                 _("%s cannot take the message for its recipients right now: %s. Try again "
                   "later."),
                 self->host, refused);
  else if (relay)
    g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RELAY_REFUSED,
                 _("%s refused to pass the message on: %s. It relays mail only for users who "
                   "log in: check the outgoing server's login settings, or ask your "
                   "provider."),
                 self->host, refused);
  else if (env->n_recipients == 1)
    g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RECIPIENT_REJECTED,
                 _("%s refused the recipient %s. Check the address."), self->host, refused);
  else
    g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RECIPIENT_REJECTED,
                 _("%s refused every recipient: %s. Check the addresses."), self->host,
                 refused);
}

static void
set_mail_error (Envelope   *env,
                const char *from,
                GError    **error)
{
  CachetSmtpSession *self = env->self;
  g_autofree char *said = _cachet_smtp_reply_describe (&env->mail);

  if (env->mail.code / 100 == 4)
    _cachet_smtp_set_temporary_error (self, &env->mail, error);
  else if (env->mail.code == 552)
    g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TOO_LARGE,
                 _("%s refused the message as too large (it said: “%s”). Remove or shrink "
                   "attachments."),
                 self->host, said);
  else if (env->mail.code == 530)
    g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_SENDER_REJECTED,
                 _("%s does not take mail on this connection yet (it said: “%s”). Check the "
                   "outgoing server's security and login settings."),
                 self->host, said);
  else
    g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_SENDER_REJECTED,
                 _("%s refused the sender address “%s” (it said: “%s”). Check the account's "
                   "address, and whether this server lets you send with it."),
                 self->host, from, said);
}

/* After DATA was accepted although nothing can be delivered: end the empty content. */
static void
end_empty_data (CachetSmtpSession *self)
{
  CachetSmtpReply reply;

  if (_cachet_smtp_queue (self, ".", NULL, NULL) && _cachet_smtp_flush (self, NULL)
      && _cachet_smtp_read_reply (self, &reply, NULL))
    _cachet_smtp_reply_clear (&reply);
}

static gboolean
send_content (CachetSmtpSession *self,
              GBytes            *message,
              GError           **error)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (message, &len);
  CachetSmtpEncoder encoder;
  gsize fill = 0;

  if (self->chunk == NULL)
    self->chunk = g_malloc (CHUNK_SIZE + 8);   /* + the end: CRLF and ".\r\n" */
  _cachet_smtp_encoder_init (&encoder);
  if (self->trace)
    g_debug ("C: (the message, %" G_GSIZE_FORMAT " bytes)", len);

  while (len > 0)
    {
      gsize consumed = 0;

      fill += _cachet_smtp_encode (&encoder, p, len, &consumed, self->chunk + fill,
                                   CHUNK_SIZE - fill);
      p += consumed;
      len -= consumed;
      if (len > 0)
        {
          if (!_cachet_smtp_write (self, self->chunk, fill, error))
            return FALSE;
          fill = 0;
        }
    }
  fill += _cachet_smtp_encode_finish (&encoder, self->chunk + fill);
  if (self->trace)
    g_debug ("C: .");
  return _cachet_smtp_write (self, self->chunk, fill, error)
         && _cachet_smtp_flush (self, error);
}

/* Everything that can be refused before a byte is sent. */
static gboolean
check_message (CachetSmtpSession  *self,
               const char         *from,
               const char * const *recipients,
               GBytes             *message,
               GString            *mail_command,
               GError            **error)
{
  gboolean utf8 = FALSE;
  gboolean non_ascii;
  gboolean eight_bit;
  guint64 size;
  guint64 max;
  gsize len;
  const guint8 *data = g_bytes_get_data (message, &len);

  if (!_cachet_smtp_address_ok (from, &non_ascii))
    {
      g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_SENDER_REJECTED,
                   _("The sender address “%s” cannot be used: it contains spaces, angle "
                     "brackets or control characters."),
                   from);
      return FALSE;
    }
  utf8 = non_ascii;
  if (recipients[0] == NULL)
    {
      g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RECIPIENT_REJECTED,
                   _("The message has no recipient."));
      return FALSE;
    }
  for (guint i = 0; recipients[i] != NULL; i++)
    {
      if (!_cachet_smtp_address_ok (recipients[i], &non_ascii) || *recipients[i] == '\0')
        {
          g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RECIPIENT_REJECTED,
                       _("The recipient address “%s” cannot be used: it is empty or contains "
                         "spaces, angle brackets or control characters."),
                       recipients[i]);
          return FALSE;
        }
      utf8 |= non_ascii;
    }
  if (utf8 && !cachet_smtp_session_has_extension (self, "SMTPUTF8"))
    {
      g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RECIPIENT_REJECTED,
                   _("An address of this message has characters beyond ASCII, and %s does not "
                     "take such addresses (no SMTPUTF8). Use the address's ASCII form if it "
                     "has one."),
                   self->host);
      return FALSE;
    }

  _cachet_smtp_scan_message (data, len, &size, &eight_bit);
  max = cachet_smtp_session_get_max_size (self);
  if (max > 0 && size > max)
    {
      g_autofree char *have = g_format_size (size);
      g_autofree char *limit = g_format_size (max);

      g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TOO_LARGE,
                   _("The message is too large for %s: it is %s (%llu bytes) and the server "
                     "takes at most %s (%llu bytes). Remove or shrink attachments."),
                   self->host, have, (unsigned long long) size, limit,
                   (unsigned long long) max);
      return FALSE;
    }
  if (eight_bit && !cachet_smtp_session_has_extension (self, "8BITMIME"))
    {
      g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_NOT_8BIT,
                   _("The message has 8-bit content, which %s does not accept (no 8BITMIME). "
                     "It needs to be encoded (quoted-printable or base64) first."),
                   self->host);
      return FALSE;
    }

  g_string_printf (mail_command, "MAIL FROM:<%s>", from);
  if (cachet_smtp_session_has_extension (self, "SIZE"))
    g_string_append_printf (mail_command, " SIZE=%" G_GUINT64_FORMAT, size);
  if (eight_bit)
    g_string_append (mail_command, " BODY=8BITMIME");
  if (utf8)
    g_string_append (mail_command, " SMTPUTF8");
  return TRUE;
}

static gboolean
transaction (Envelope   *env,
             const char *from,
             GBytes     *message,
             GError    **error)
{
  CachetSmtpSession *self = env->self;
  CachetSmtpReply reply;

  if (!send_envelope (env, error))
    return FALSE;

  if (env->closing.code != 0)
    {
      _cachet_smtp_set_temporary_error (self, &env->closing, error);
      return FALSE;
    }
  if (env->mail.code / 100 != 2)
    {
      set_mail_error (env, from, error);
      if (env->data.code == 354)
        end_empty_data (self);
      reset (self);
      return FALSE;
    }
  if (env->accepted == 0)
    {
      set_recipients_error (env, error);
      if (env->data.code == 354)
        end_empty_data (self);
      reset (self);
      return FALSE;
    }
  if (env->data.code != 354)
    {
      g_autofree char *said = _cachet_smtp_reply_describe (&env->data);

      if (env->data.code / 100 == 4)
        _cachet_smtp_set_temporary_error (self, &env->data, error);
      else
        g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_DATA_REJECTED,
                     _("%s refused to take the message (it said: “%s”)."), self->host, said);
      reset (self);
      return FALSE;
    }

  if (!send_content (self, message, error)
      || !_cachet_smtp_read_reply (self, &reply, error))
    return FALSE;
  env->result->data_code = reply.code;
  env->result->data_reply = g_strdup (reply.text);
  if (reply.code / 100 != 2)
    {
      g_autofree char *said = _cachet_smtp_reply_describe (&reply);

      if (reply.code / 100 == 4)
        _cachet_smtp_set_temporary_error (self, &reply, error);
      else if (reply.code == 552)
        g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TOO_LARGE,
                     _("%s refused the message as too large (it said: “%s”). Remove or "
                       "shrink attachments."),
                     self->host, said);
      else
        g_set_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_DATA_REJECTED,
                     _("%s refused the message after receiving it (it said: “%s”)."),
                     self->host, said);
      _cachet_smtp_reply_clear (&reply);
      return FALSE;
    }
  _cachet_smtp_reply_clear (&reply);
  return TRUE;
}

gboolean
cachet_smtp_session_send (CachetSmtpSession     *self,
                          const char            *from,
                          const char * const    *recipients,
                          GBytes                *message,
                          CachetSmtpSendResult **result,
                          GCancellable          *cancellable,
                          GError               **error)
{
  g_autoptr(GString) mail_command = g_string_new (NULL);
  CachetSmtpSendResult *res;
  Envelope env = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (recipients != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (from == NULL)
    from = "";   /* the null sender, as for bounces */
  res = g_new0 (CachetSmtpSendResult, 1);
  res->recipients = _cachet_smtp_recipient_results_new ();
  for (guint i = 0; recipients[i] != NULL; i++)
    {
      CachetSmtpRecipientResult *r = g_new0 (CachetSmtpRecipientResult, 1);

      r->address = g_strdup (recipients[i]);
      g_ptr_array_add (res->recipients, r);
    }

  if (_cachet_smtp_check_usable (self, error)
      && check_message (self, from, recipients, message, mail_command, error))
    {
      env.self = self;
      env.mail_command = mail_command->str;
      env.recipients = recipients;
      env.n_recipients = res->recipients->len;
      env.result = res;
      env.pipelining = cachet_smtp_session_has_extension (self, "PIPELINING");
      if (_cachet_smtp_op_begin (self, cancellable, error))
        ok = transaction (&env, from, message, error);
      _cachet_smtp_op_end (self);
      _cachet_smtp_reply_clear (&env.mail);
      _cachet_smtp_reply_clear (&env.data);
      _cachet_smtp_reply_clear (&env.closing);
    }

  if (result != NULL)
    *result = res;
  else
    cachet_smtp_send_result_free (res);
  return ok;
}
