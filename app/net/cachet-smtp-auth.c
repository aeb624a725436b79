/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-smtp"

#include "config.h"

#include "cachet-smtp-session.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-net-error.h"
#include "cachet-net-private.h"
#include "cachet-smtp-session-private.h"

/* SMTP AUTH (RFC 4954) with PLAIN (RFC 4616, initial response), LOGIN and CRAM-MD5
 * (RFC 2195), written here: libetpan's mailesmtp_auth_sasl() needs Cyrus SASL and its
 * plugins at run time and keeps copies of the password we cannot wipe.  Every line that
 * carries a credential shows as "****" in the protocol trace, and the copies we own (and
 * the stream's write buffer) are wiped once sent. */

typedef enum
{
  MECH_PLAIN,
  MECH_LOGIN,
  MECH_CRAM_MD5,
} Mech;

static const char *
mech_name (Mech mech)
{
  switch (mech)
    {
    case MECH_PLAIN:
      return "PLAIN";
    case MECH_LOGIN:
      return "LOGIN";
    case MECH_CRAM_MD5:
    default:
      return "CRAM-MD5";
    }
}

static void
wipe_string (char *text)
{
  if (text != NULL)
    {
      explicit_bzero (text, strlen (text));
      g_free (text);
    }
}

/* Sends one line that carries a secret, then wipes every copy we own. */
static gboolean
send_secret (CachetSmtpSession *self,
             char              *line,    /* wiped and freed */
             const char        *shown,
             GError           **error)
{
  gboolean ok;

  mailstream_set_privacy (self->stream, 0);
  ok = _cachet_smtp_queue (self, line, shown, error) && _cachet_smtp_flush (self, error);
  mailstream_set_privacy (self->stream, 1);
  wipe_string (line);
  if (self->stream != NULL && self->stream->write_buffer != NULL)
    explicit_bzero (self->stream->write_buffer, self->stream->buffer_max_size);
  return ok;
}

static char *
base64_secret (const char *text)
{
  return g_base64_encode ((const guchar *) text, strlen (text));
}

/* A final reply that is not 235. */
static void
set_refused (CachetSmtpSession     *self,
             const CachetSmtpReply *reply,
             Mech                   mech,
             GError               **error)
{
  g_autofree char *said = _cachet_smtp_reply_describe (reply);

  if (reply->code >= 400 && reply->code < 500)
    _cachet_smtp_set_temporary_error (self, reply, error);
  else if (reply->code == 504 || reply->code == 534 || reply->code == 538)
    /* mechanism unknown, too weak, or wants encryption */
    g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED,
                 _("%s did not accept the login method %s (it said: “%s”). Choose another "
                   "login method in the account settings."),
                 self->host, mech_name (mech), said);
  else
    g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH,
                 _("%s refused the login (it said: “%s”). Check the user name and the "
                   "password."),
                 self->host, said);
}

/* The server wants another step where we have nothing more to say: cancel the exchange
 * ("*", RFC 4954) and read its answer. */
static gboolean
abort_exchange (CachetSmtpSession *self,
                Mech               mech,
                GError           **error)
{
  CachetSmtpReply last;

  if (!_cachet_smtp_queue (self, "*", NULL, error) || !_cachet_smtp_flush (self, error)
      || !_cachet_smtp_read_reply (self, &last, error))
    return FALSE;
  _cachet_smtp_reply_clear (&last);
  g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED,
               _("%s did not finish the login with %s as it should. Choose another login "
                 "method in the account settings."),
               self->host, mech_name (mech));
  return FALSE;
}

/* Reads the reply to one step.  TRUE with *done when logged in, TRUE without when the
 * server asks for more (334: @challenge, decoded, may be NULL), FALSE with @error. */
static gboolean
read_step (CachetSmtpSession *self,
           Mech               mech,
           gboolean          *done,
           GBytes           **challenge,
           GError           **error)
{
  CachetSmtpReply reply;

  *done = FALSE;
  if (!_cachet_smtp_read_reply (self, &reply, error))
    return FALSE;
  if (reply.code >= 200 && reply.code < 300)
    {
      *done = TRUE;
      _cachet_smtp_reply_clear (&reply);
      return TRUE;
    }
  if (reply.code == 334)
    {
      if (challenge != NULL)
        {
          gsize len = 0;
          guchar *data = g_base64_decode (reply.text, &len);

          *challenge = g_bytes_new_take (data, len);
        }
      _cachet_smtp_reply_clear (&reply);
      return TRUE;
    }
  set_refused (self, &reply, mech, error);
  _cachet_smtp_reply_clear (&reply);
  return FALSE;
}

static gboolean
auth_plain (CachetSmtpSession *self,
            const char        *user,
            const char        *password,
            GError           **error)
{
  gsize user_len = strlen (user), pass_len = strlen (password);
  gsize len = user_len + pass_len + 2;
  guint8 *message = g_malloc (len);
  char *encoded;
  gboolean done;

  /* authzid (empty) NUL authcid NUL password, as the initial response */
  message[0] = '\0';
  memcpy (message + 1, user, user_len);
  message[1 + user_len] = '\0';
  memcpy (message + 2 + user_len, password, pass_len);
  encoded = g_base64_encode (message, len);
  explicit_bzero (message, len);
  g_free (message);

  if (!send_secret (self, g_strconcat ("AUTH PLAIN ", encoded, NULL), "AUTH PLAIN ****",
                    error))
    {
      wipe_string (encoded);
      return FALSE;
    }
  wipe_string (encoded);
  if (!read_step (self, MECH_PLAIN, &done, NULL, error))
    return FALSE;
  return done || abort_exchange (self, MECH_PLAIN, error);
}

static gboolean
auth_login (CachetSmtpSession *self,
            const char        *user,
            const char        *password,
            GError           **error)
{
  gboolean done;

  if (!_cachet_smtp_queue (self, "AUTH LOGIN", NULL, error) || !_cachet_smtp_flush (self, error)
      || !read_step (self, MECH_LOGIN, &done, NULL, error))
    return FALSE;
  if (done)
    return TRUE;
  if (!send_secret (self, base64_secret (user), "****", error)
      || !read_step (self, MECH_LOGIN, &done, NULL, error))
    return FALSE;
  if (done)
    return TRUE;
  if (!send_secret (self, base64_secret (password), "****", error)
      || !read_step (self, MECH_LOGIN, &done, NULL, error))
    return FALSE;
  return done || abort_exchange (self, MECH_LOGIN, error);
}

/* HMAC-MD5 (RFC 2104) of @challenge with @password as the key, in lower-case hex. */
static char *
cram_md5_digest (const char *password,
                 GBytes     *challenge)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_MD5, (const guchar *) password,
                                      strlen (password));
  gsize len;
  const guchar *data = g_bytes_get_data (challenge, &len);

  g_hmac_update (hmac, data, len);
  return g_strdup (g_hmac_get_string (hmac));
}

static gboolean
auth_cram_md5 (CachetSmtpSession *self,
               const char        *user,
               const char        *password,
               GError           **error)
{
  g_autoptr(GBytes) challenge = NULL;
  char *digest;
  char *response;
  char *encoded;
  gboolean done;

  if (!_cachet_smtp_queue (self, "AUTH CRAM-MD5", NULL, error)
      || !_cachet_smtp_flush (self, error)
      || !read_step (self, MECH_CRAM_MD5, &done, &challenge, error))
    return FALSE;
  if (done)
    return TRUE;
  if (challenge == NULL || g_bytes_get_size (challenge) == 0)
    return abort_exchange (self, MECH_CRAM_MD5, error);

  digest = cram_md5_digest (password, challenge);
  response = g_strconcat (user, " ", digest, NULL);
  encoded = base64_secret (response);
  wipe_string (digest);
  wipe_string (response);
  if (!send_secret (self, encoded, "****", error)
      || !read_step (self, MECH_CRAM_MD5, &done, NULL, error))
    return FALSE;
  return done || abort_exchange (self, MECH_CRAM_MD5, error);
}

static gboolean
check_credentials (CachetSmtpSession *self,
                   const char *user,
                   const char *password,
                   GError    **error)
{
  return _cachet_net_check_credentials (self->host, user, password, error);
}

/* The mechanism for @method, when the server offers it; FALSE with @error when not. */
static gboolean
choose_mech (CachetSmtpSession *self,
             CachetAuthMethod   method,
             Mech              *mech,
             GError           **error)
{
  const char *wanted;

  switch (method)
    {
    case CACHET_AUTH_AUTO:
      if (cachet_smtp_session_has_extension (self, "AUTH PLAIN"))
        *mech = MECH_PLAIN;
      else if (cachet_smtp_session_has_extension (self, "AUTH LOGIN"))
        *mech = MECH_LOGIN;
      else if (cachet_smtp_session_has_extension (self, "AUTH CRAM-MD5"))
        *mech = MECH_CRAM_MD5;
      else
        {
          if (cachet_smtp_session_has_extension (self, "AUTH"))
            g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED,
                         _("%s offers no login method this program knows (it offers: %s). "
                           "Ask your provider."),
                         self->host,
                         (const char *) g_hash_table_lookup (self->extensions, "AUTH"));
          else
            g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED,
                         _("%s does not offer to log in (no SMTP AUTH). Choose “no login” "
                           "for the outgoing server if it takes mail without one, or check "
                           "the port."),
                         self->host);
          return FALSE;
        }
      return TRUE;
    case CACHET_AUTH_SASL_PLAIN:
      *mech = MECH_PLAIN;
      break;
    case CACHET_AUTH_PASSWORD:
      *mech = MECH_LOGIN;
      break;
    case CACHET_AUTH_CRAM_MD5:
      *mech = MECH_CRAM_MD5;
      break;
    case CACHET_AUTH_APOP:
    case CACHET_AUTH_NONE:
    default:
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED,
                   _("The chosen login method does not exist for SMTP. Choose “automatic” "
                     "in the account settings."));
      return FALSE;
    }

  wanted = mech_name (*mech);
  {
    g_autofree char *extension = g_strconcat ("AUTH ", wanted, NULL);

    if (!cachet_smtp_session_has_extension (self, extension))
      {
        g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED,
                     _("%s does not offer the login method %s. Choose “automatic” in the "
                       "account settings."),
                     self->host, wanted);
        return FALSE;
      }
  }
  return TRUE;
}

gboolean
cachet_smtp_session_login (CachetSmtpSession *self,
                           const char        *user,
                           const char        *password,
                           CachetAuthMethod   method,
                           GCancellable      *cancellable,
                           GError           **error)
{
  gboolean ok = FALSE;
  Mech mech;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_cachet_smtp_check_usable (self, error))
    return FALSE;
  if (method == CACHET_AUTH_NONE || self->logged_in)
    return TRUE;
  if (!check_credentials (self, user, password, error))
    return FALSE;
  if (!self->tls && self->security != CACHET_SECURITY_PLAIN)
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_FAILED,
                   _("The connection to %s is not protected; the password was not sent."),
                   self->host);
      return FALSE;
    }
  if (!choose_mech (self, method, &mech, error))
    return FALSE;

  if (_cachet_smtp_op_begin (self, cancellable, error))
    {
      switch (mech)
        {
        case MECH_PLAIN:
          ok = auth_plain (self, user, password, error);
          break;
        case MECH_LOGIN:
          ok = auth_login (self, user, password, error);
          break;
        case MECH_CRAM_MD5:
        default:
          ok = auth_cram_md5 (self, user, password, error);
          break;
        }
    }
  _cachet_smtp_op_end (self);
  self->logged_in = ok;
  return ok;
}
