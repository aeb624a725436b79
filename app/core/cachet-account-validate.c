/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-account"

#include "config.h"

#include "cachet-account.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

/* Checks of an account before it is used or saved.  Each failure is one sentence for the
 * user that names the setting and says what to do; the first problem found is reported. */

static gboolean
has_control_chars (const char *text)
{
  if (text == NULL)
    return FALSE;
  if (!g_utf8_validate (text, -1, NULL))
    return TRUE;
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;   /* not blank; has_control_chars() refuses it */
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static gboolean
address_is_valid (const char *address)
{
  const char *at = strrchr (address, '@');

  if (at == NULL || at == address || at[1] == '\0')
    return FALSE;
  for (const char *p = address; p < at; p++)
    if (*p == ' ' || *p == '<' || *p == '>' || *p == ',' || *p == ';')
      return FALSE;
  return cachet_host_is_valid (at + 1) && strchr (at + 1, ':') == NULL;
}

static gboolean
fingerprint_is_valid (const char *hex)
{
  if (strlen (hex) != 64)
    return FALSE;
  for (const char *p = hex; *p; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
invalid (GError    **error,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError    **error,
         const char *format,
         ...)
{
  va_list args;
  char *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_INVALID, message);
  g_free (message);
  return FALSE;
}

static gboolean
validate_pop3 (const CachetServerSettings *s,
               GError                    **error)
{
  if (s->host == NULL)
    return invalid (error, _("Give the host name of the incoming mail server (POP3)."));
  if (!cachet_host_is_valid (s->host))
    return invalid (error, _("“%s” is not a host name or an IP address "
                             "(incoming mail server, POP3)."), s->host);
  if (s->port == 0)
    return invalid (error, _("Give the port of the incoming mail server (POP3): "
                             "a number from 1 to 65535."));
  if ((guint) s->security > CACHET_SECURITY_PLAIN)
    return invalid (error, _("Choose how the connection to the incoming mail server (POP3) "
                             "is protected."));
  if (s->user == NULL)
    return invalid (error, _("Give the user name for the incoming mail server (POP3)."));
  if (has_control_chars (s->user))
    return invalid (error, _("The user name for the incoming mail server (POP3) cannot "
                             "contain line breaks or control characters."));
  if (s->auth == CACHET_AUTH_CRAM_MD5 || s->auth == CACHET_AUTH_NONE
      || (guint) s->auth > CACHET_AUTH_NONE)
    return invalid (error, _("The incoming mail server (POP3) cannot log in with the method "
                             "“%s”: choose automatic, password, SASL PLAIN or APOP."),
                    cachet_auth_method_to_string (s->auth) ?: "?");
  if (s->pinned_sha256 != NULL && !fingerprint_is_valid (s->pinned_sha256))
    return invalid (error, _("The accepted certificate of the incoming mail server (POP3) is "
                             "not recorded as a SHA-256 fingerprint (64 hexadecimal digits)."));
  return TRUE;
}

static gboolean
validate_smtp (const CachetServerSettings *s,
               GError                    **error)
{
  if (s->host == NULL)
    return invalid (error, _("Give the host name of the outgoing mail server (SMTP)."));
  if (!cachet_host_is_valid (s->host))
    return invalid (error, _("“%s” is not a host name or an IP address "
                             "(outgoing mail server, SMTP)."), s->host);
  if (s->port == 0)
    return invalid (error, _("Give the port of the outgoing mail server (SMTP): "
                             "a number from 1 to 65535."));
  if ((guint) s->security > CACHET_SECURITY_PLAIN)
    return invalid (error, _("Choose how the connection to the outgoing mail server (SMTP) "
                             "is protected."));
  if (s->auth == CACHET_AUTH_APOP || (guint) s->auth > CACHET_AUTH_NONE)
    return invalid (error, _("The outgoing mail server (SMTP) cannot log in with the method "
                             "“%s”: choose automatic, password, SASL PLAIN, CRAM-MD5 or "
                             "none."),
                    cachet_auth_method_to_string (s->auth) ?: "?");
  if (s->auth != CACHET_AUTH_NONE && s->user == NULL)
    return invalid (error, _("Give the user name for the outgoing mail server (SMTP), or "
                             "choose to send without logging in."));
  if (has_control_chars (s->user))
    return invalid (error, _("The user name for the outgoing mail server (SMTP) cannot "
                             "contain line breaks or control characters."));
  if (s->pinned_sha256 != NULL && !fingerprint_is_valid (s->pinned_sha256))
    return invalid (error, _("The accepted certificate of the outgoing mail server (SMTP) is "
                             "not recorded as a SHA-256 fingerprint (64 hexadecimal digits)."));
  return TRUE;
}

gboolean
cachet_account_validate (CachetAccount *self,
                         GError       **error)
{
  const char *name, *address, *display_name, *ca_file;

  g_return_val_if_fail (CACHET_IS_ACCOUNT (self), FALSE);

  name = cachet_account_get_name (self);
  address = cachet_account_get_address (self);
  display_name = cachet_account_get_display_name (self);
  ca_file = cachet_account_get_ca_file (self);

  if (is_blank (name))
    return invalid (error, _("Give the account a name."));
  if (has_control_chars (name))
    return invalid (error, _("The account name cannot contain line breaks or control "
                             "characters."));
  if (address == NULL)
    return invalid (error, _("Give the email address of the account."));
  if (!address_is_valid (address))
    return invalid (error, _("“%s” is not an email address: it should look like "
                             "name@example.com."), address);
  if (has_control_chars (display_name))
    return invalid (error, _("Your name (shown to the people you write to) cannot contain "
                             "line breaks or control characters."));

  if (!validate_pop3 (cachet_account_get_pop3 (self), error)
      || !validate_smtp (cachet_account_get_smtp (self), error))
    return FALSE;

  switch (cachet_account_get_server_policy (self))
    {
    case CACHET_KEEP_ON_SERVER:
    case CACHET_DELETE_AFTER_FETCH:
      break;
    case CACHET_DELETE_AFTER_DAYS:
      if (cachet_account_get_delete_after_days (self) == 0)
        return invalid (error, _("Say after how many days mail is deleted from the server: "
                                 "at least 1."));
      break;
    default:
      return invalid (error, _("Choose what happens to mail on the server after it is "
                               "fetched."));
    }

  switch (cachet_account_get_large_policy (self))
    {
    case CACHET_LARGE_FETCH:
      break;
    case CACHET_LARGE_SKIP:
      if (cachet_account_get_large_size (self) == 0)
        return invalid (error, _("Give the size above which messages are left on the "
                                 "server."));
      break;
    case CACHET_LARGE_HEADERS_ONLY:
      if (cachet_account_get_large_size (self) == 0)
        return invalid (error, _("Give the size above which only the headers of a message "
                                 "are fetched."));
      break;
    default:
      return invalid (error, _("Choose what happens to large messages."));
    }

  if (ca_file != NULL)
    {
      if (!g_path_is_absolute (ca_file))
        return invalid (error, _("Give the CA certificate file “%s” with its full path."),
                        ca_file);
      if (!g_file_test (ca_file, G_FILE_TEST_EXISTS))
        return invalid (error, _("The CA certificate file “%s” does not exist."), ca_file);
      if (!g_file_test (ca_file, G_FILE_TEST_IS_REGULAR))
        return invalid (error, _("The CA certificate file “%s” is not a file."), ca_file);
    }
  return TRUE;
}
