/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-account"

#include "config.h"

#include "cachet-account.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-account-private.h"

G_DEFINE_QUARK (cachet-account-error-quark, cachet_account_error)

#define ID_MAX_LEN 32

/* Server settings ------------------------------------------------------------------------ */

G_DEFINE_BOXED_TYPE (CachetServerSettings, cachet_server_settings,
                     cachet_server_settings_copy, cachet_server_settings_free)

CachetServerSettings *
cachet_server_settings_new (gboolean smtp)
{
  CachetServerSettings *settings = g_new0 (CachetServerSettings, 1);

  settings->security = CACHET_SECURITY_TLS;
  settings->port = cachet_security_default_port (settings->security, smtp);
  settings->auth = CACHET_AUTH_AUTO;
  return settings;
}

CachetServerSettings *
cachet_server_settings_copy (const CachetServerSettings *settings)
{
  CachetServerSettings *copy;

  g_return_val_if_fail (settings != NULL, NULL);

  copy = g_new0 (CachetServerSettings, 1);
  copy->host = g_strdup (settings->host);
  copy->port = settings->port;
  copy->security = settings->security;
  copy->user = g_strdup (settings->user);
  copy->auth = settings->auth;
  copy->pinned_sha256 = g_strdup (settings->pinned_sha256);
  return copy;
}

void
cachet_server_settings_free (CachetServerSettings *settings)
{
  if (settings == NULL)
    return;
  g_free (settings->host);
  g_free (settings->user);
  g_free (settings->pinned_sha256);
  g_free (settings);
}

gboolean
cachet_server_settings_equal (const CachetServerSettings *a,
                              const CachetServerSettings *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;
  return g_strcmp0 (a->host, b->host) == 0
         && a->port == b->port
         && a->security == b->security
         && g_strcmp0 (a->user, b->user) == 0
         && a->auth == b->auth
         && g_strcmp0 (a->pinned_sha256, b->pinned_sha256) == 0;
}

/* Enumerations as words ------------------------------------------------------------------ */

typedef struct
{
  int         value;
  const char *word;
} Word;

static const Word security_words[] = {
  { CACHET_SECURITY_TLS, "tls" },
  { CACHET_SECURITY_STARTTLS, "starttls" },
  { CACHET_SECURITY_PLAIN, "plain" },
};

static const Word auth_words[] = {
  { CACHET_AUTH_AUTO, "auto" },
  { CACHET_AUTH_PASSWORD, "password" },
  { CACHET_AUTH_SASL_PLAIN, "sasl-plain" },
  { CACHET_AUTH_APOP, "apop" },
  { CACHET_AUTH_CRAM_MD5, "cram-md5" },
  { CACHET_AUTH_NONE, "none" },
};

static const Word server_policy_words[] = {
  { CACHET_KEEP_ON_SERVER, "keep" },
  { CACHET_DELETE_AFTER_DAYS, "delete-after-days" },
  { CACHET_DELETE_AFTER_FETCH, "delete-after-fetch" },
};

static const Word large_policy_words[] = {
  { CACHET_LARGE_FETCH, "fetch" },
  { CACHET_LARGE_SKIP, "skip" },
  { CACHET_LARGE_HEADERS_ONLY, "headers-only" },
};

static const char *
word_for (const Word *words,
          gsize       n_words,
          int         value)
{
  for (gsize i = 0; i < n_words; i++)
    if (words[i].value == value)
      return words[i].word;
  return NULL;
}

static gboolean
value_for (const Word *words,
           gsize       n_words,
           const char *text,
           int        *value)
{
  if (text == NULL)
    return FALSE;
  for (gsize i = 0; i < n_words; i++)
    if (g_ascii_strcasecmp (words[i].word, text) == 0)
      {
        *value = words[i].value;
        return TRUE;
      }
  return FALSE;
}

#define DEFINE_WORDS(prefix, Type, words)                                        \
  const char *                                                                   \
  prefix##_to_string (Type value)                                                \
  {                                                                              \
    return word_for (words, G_N_ELEMENTS (words), (int) value);                  \
  }                                                                              \
  gboolean                                                                       \
  prefix##_from_string (const char *text,                                        \
                        Type       *value)                                       \
  {                                                                              \
    int v;                                                                       \
    g_return_val_if_fail (value != NULL, FALSE);                                 \
    if (!value_for (words, G_N_ELEMENTS (words), text, &v))                      \
      return FALSE;                                                              \
    *value = (Type) v;                                                           \
    return TRUE;                                                                 \
  }

DEFINE_WORDS (cachet_security, CachetSecurity, security_words)
DEFINE_WORDS (cachet_auth_method, CachetAuthMethod, auth_words)
DEFINE_WORDS (cachet_server_policy, CachetServerPolicy, server_policy_words)
DEFINE_WORDS (cachet_large_policy, CachetLargeMessagePolicy, large_policy_words)

guint16
cachet_security_default_port (CachetSecurity security,
                              gboolean       smtp)
{
  if (smtp)
    /* RFC 8314: submission over implicit TLS on 465; STARTTLS (and, when the user insists,
     * no protection) on the submission port 587 (RFC 6409), never the relay port 25. */
    return security == CACHET_SECURITY_TLS ? 465 : 587;
  return security == CACHET_SECURITY_TLS ? 995 : 110;
}

/* Hosts and ports ------------------------------------------------------------------------ */

gboolean
cachet_host_is_valid (const char *host)
{
  g_autofree char *ascii = NULL;
  const char *label_start;

  if (host == NULL || host[0] == '\0')
    return FALSE;
  if (g_hostname_is_ip_address (host))
    return TRUE;
  ascii = g_hostname_to_ascii (host);   /* IDN: "bücher.example" */
  if (ascii == NULL || strlen (ascii) > 253)
    return FALSE;
  label_start = ascii;
  for (const char *p = ascii;; p++)
    {
      if (*p == '.' || *p == '\0')
        {
          gsize len = p - label_start;

          /* A trailing dot (fully qualified) is fine; an empty label elsewhere is not. */
          if (len == 0 && !(*p == '\0' && p != ascii))
            return FALSE;
          if (len > 63 || (len > 0 && (label_start[0] == '-' || p[-1] == '-')))
            return FALSE;
          if (*p == '\0')
            break;
          label_start = p + 1;
        }
      else if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_port (const char *text,
            guint16    *port)
{
  guint64 value;

  if (text == NULL || text[0] == '\0' || strlen (text) > 5)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  value = g_ascii_strtoull (text, NULL, 10);
  if (value < 1 || value > 65535)
    return FALSE;
  *port = (guint16) value;
  return TRUE;
}

gboolean
cachet_parse_host_port (const char  *text,
                        guint16      default_port,
                        char       **host,
                        guint16     *port,
                        GError     **error)
{
  g_autofree char *h = NULL;
  const char *port_text = NULL;

  g_return_val_if_fail (host != NULL && port != NULL, FALSE);

  if (text == NULL || text[0] == '\0')
    {
      g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_INVALID,
                   _("No server given: write it as HOST or HOST:PORT."));
      return FALSE;
    }
  if (text[0] == '[')
    {
      const char *end = strchr (text, ']');

      if (end == NULL)
        {
          g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_INVALID,
                       _("“%s” has “[” without “]”: write an IPv6 address as [ADDRESS]:PORT."),
                       text);
          return FALSE;
        }
      h = g_strndup (text + 1, end - text - 1);
      if (!g_hostname_is_ip_address (h) || strchr (h, ':') == NULL)
        {
          g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_INVALID,
                       _("“%s” is not an IPv6 address."), h);
          return FALSE;
        }
      if (end[1] == ':')
        port_text = end + 2;
      else if (end[1] != '\0')
        {
          g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_INVALID,
                       _("“%s” has something after “]” that is not “:PORT”."), text);
          return FALSE;
        }
    }
  else
    {
      const char *colon = strchr (text, ':');

      if (colon != NULL && strchr (colon + 1, ':') != NULL)
        {
          g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_INVALID,
                       _("“%s” has more than one “:”: write an IPv6 address in brackets, "
                         "as [ADDRESS]:PORT."), text);
          return FALSE;
        }
      h = colon ? g_strndup (text, colon - text) : g_strdup (text);
      port_text = colon ? colon + 1 : NULL;
      if (!cachet_host_is_valid (h))
        {
          if (h[0] == '\0')
            g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_INVALID,
                         _("“%s” has no host name before the “:”."), text);
          else
            g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_INVALID,
                         _("“%s” is not a host name or an IP address."), h);
          return FALSE;
        }
    }

  if (port_text != NULL)
    {
      if (!parse_port (port_text, port))
        {
          g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_INVALID,
                       _("“%s” is not a port number: use a number from 1 to 65535."),
                       port_text);
          return FALSE;
        }
    }
  else
    *port = default_port;
  *host = g_steal_pointer (&h);
  return TRUE;
}

char *
cachet_format_host_port (const char *host,
                         guint16     port)
{
  g_return_val_if_fail (host != NULL, NULL);

  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", host, (guint) port);
  return g_strdup_printf ("%s:%u", host, (guint) port);
}

/* Ids ------------------------------------------------------------------------------------ */

char *
cachet_account_make_id (const char *name)
{
  g_autofree char *ascii = g_str_to_ascii (name ? name : "", "C");
  GString *id = g_string_new (NULL);

  for (const char *p = ascii; *p && id->len < ID_MAX_LEN; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (id, g_ascii_tolower (*p));
      else if (id->len > 0 && id->str[id->len - 1] != '-')
        g_string_append_c (id, '-');
    }
  while (id->len > 0 && id->str[id->len - 1] == '-')
    g_string_truncate (id, id->len - 1);
  if (id->len == 0)
    g_string_append (id, "account");
  return g_string_free (id, FALSE);
}

gboolean
cachet_account_id_is_valid (const char *id)
{
  if (id == NULL || id[0] == '\0' || strlen (id) > ID_MAX_LEN + 8)
    return FALSE;
  if (id[0] == '-')
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!(g_ascii_isdigit (*p) || (*p >= 'a' && *p <= 'z') || *p == '-'))
      return FALSE;
  return TRUE;
}

/* The account ---------------------------------------------------------------------------- */

struct _CachetAccount
{
  GObject parent_instance;

  char                    *id;
  char                    *name;
  char                    *address;
  char                    *display_name;
  CachetServerSettings    *pop3;
  CachetServerSettings    *smtp;
  CachetServerPolicy       server_policy;
  guint                    delete_after_days;
  gboolean                 delete_when_deleted_locally;
  CachetLargeMessagePolicy large_policy;
  guint64                  large_size;
  char                    *ca_file;
  guint                    check_interval;
  char                    *signature;
};

G_DEFINE_FINAL_TYPE (CachetAccount, cachet_account, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_ADDRESS,
  PROP_DISPLAY_NAME,
  PROP_POP3,
  PROP_SMTP,
  PROP_SERVER_POLICY,
  PROP_DELETE_AFTER_DAYS,
  PROP_DELETE_WHEN_DELETED_LOCALLY,
  PROP_LARGE_POLICY,
  PROP_LARGE_SIZE,
  PROP_CA_FILE,
  PROP_CHECK_INTERVAL,
  PROP_SIGNATURE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cachet_account_constructed (GObject *object)
{
  CachetAccount *self = CACHET_ACCOUNT (object);

  G_OBJECT_CLASS (cachet_account_parent_class)->constructed (object);

  if (self->id == NULL)
    self->id = cachet_account_make_id (self->name);
}

static void
cachet_account_finalize (GObject *object)
{
  CachetAccount *self = CACHET_ACCOUNT (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->address);
  g_free (self->display_name);
  cachet_server_settings_free (self->pop3);
  cachet_server_settings_free (self->smtp);
  g_free (self->ca_file);
  g_free (self->signature);

  G_OBJECT_CLASS (cachet_account_parent_class)->finalize (object);
}

static void
cachet_account_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CachetAccount *self = CACHET_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_POP3:
      g_value_set_boxed (value, self->pop3);
      break;
    case PROP_SMTP:
      g_value_set_boxed (value, self->smtp);
      break;
    case PROP_SERVER_POLICY:
      g_value_set_int (value, self->server_policy);
      break;
    case PROP_DELETE_AFTER_DAYS:
      g_value_set_uint (value, self->delete_after_days);
      break;
    case PROP_DELETE_WHEN_DELETED_LOCALLY:
      g_value_set_boolean (value, self->delete_when_deleted_locally);
      break;
    case PROP_LARGE_POLICY:
      g_value_set_int (value, self->large_policy);
      break;
    case PROP_LARGE_SIZE:
      g_value_set_uint64 (value, self->large_size);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_CHECK_INTERVAL:
      g_value_set_uint (value, self->check_interval);
      break;
    case PROP_SIGNATURE:
      g_value_set_string (value, self->signature);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cachet_account_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CachetAccount *self = CACHET_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_free (self->id);
      self->id = g_value_dup_string (value);
      break;
    case PROP_NAME:
      cachet_account_set_name (self, g_value_get_string (value));
      break;
    case PROP_ADDRESS:
      cachet_account_set_address (self, g_value_get_string (value));
      break;
    case PROP_DISPLAY_NAME:
      cachet_account_set_display_name (self, g_value_get_string (value));
      break;
    case PROP_POP3:
      if (g_value_get_boxed (value) != NULL)
        cachet_account_set_pop3 (self, g_value_get_boxed (value));
      break;
    case PROP_SMTP:
      if (g_value_get_boxed (value) != NULL)
        cachet_account_set_smtp (self, g_value_get_boxed (value));
      break;
    case PROP_SERVER_POLICY:
      cachet_account_set_server_policy (self, g_value_get_int (value));
      break;
    case PROP_DELETE_AFTER_DAYS:
      cachet_account_set_delete_after_days (self, g_value_get_uint (value));
      break;
    case PROP_DELETE_WHEN_DELETED_LOCALLY:
      cachet_account_set_delete_when_deleted_locally (self, g_value_get_boolean (value));
      break;
    case PROP_LARGE_POLICY:
      cachet_account_set_large_policy (self, g_value_get_int (value));
      break;
    case PROP_LARGE_SIZE:
      cachet_account_set_large_size (self, g_value_get_uint64 (value));
      break;
    case PROP_CA_FILE:
      cachet_account_set_ca_file (self, g_value_get_string (value));
      break;
    case PROP_CHECK_INTERVAL:
      cachet_account_set_check_interval (self, g_value_get_uint (value));
      break;
    case PROP_SIGNATURE:
      cachet_account_set_signature (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cachet_account_class_init (CachetAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = cachet_account_constructed;
  object_class->finalize = cachet_account_finalize;
  object_class->get_property = cachet_account_get_property;
  object_class->set_property = cachet_account_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, rw);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, rw);
  properties[PROP_POP3] =
    g_param_spec_boxed ("pop3", NULL, NULL, CACHET_TYPE_SERVER_SETTINGS, rw);
  properties[PROP_SMTP] =
    g_param_spec_boxed ("smtp", NULL, NULL, CACHET_TYPE_SERVER_SETTINGS, rw);
  /* Plain ints rather than registered enum types: core has no glib-mkenums step, and the
   * values are the C enums of the header. */
  properties[PROP_SERVER_POLICY] =
    g_param_spec_int ("server-policy", NULL, NULL, CACHET_KEEP_ON_SERVER,
                      CACHET_DELETE_AFTER_FETCH, CACHET_KEEP_ON_SERVER, rw);
  properties[PROP_DELETE_AFTER_DAYS] =
    g_param_spec_uint ("delete-after-days", NULL, NULL, 0, G_MAXUINT, 14, rw);
  properties[PROP_DELETE_WHEN_DELETED_LOCALLY] =
    g_param_spec_boolean ("delete-when-deleted-locally", NULL, NULL, FALSE, rw);
  properties[PROP_LARGE_POLICY] =
    g_param_spec_int ("large-policy", NULL, NULL, CACHET_LARGE_FETCH,
                      CACHET_LARGE_HEADERS_ONLY, CACHET_LARGE_FETCH, rw);
  properties[PROP_LARGE_SIZE] =
    g_param_spec_uint64 ("large-size", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  properties[PROP_CA_FILE] = g_param_spec_string ("ca-file", NULL, NULL, NULL, rw);
  properties[PROP_CHECK_INTERVAL] =
    g_param_spec_uint ("check-interval", NULL, NULL, 0, G_MAXUINT, 10, rw);
  properties[PROP_SIGNATURE] = g_param_spec_string ("signature", NULL, NULL, NULL, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cachet_account_init (CachetAccount *self)
{
  self->pop3 = cachet_server_settings_new (FALSE);
  self->smtp = cachet_server_settings_new (TRUE);
  self->server_policy = CACHET_KEEP_ON_SERVER;
  self->delete_after_days = 14;
  self->large_policy = CACHET_LARGE_FETCH;
  self->check_interval = 10;
}

CachetAccount *
cachet_account_new (const char *name)
{
  return cachet_account_new_with_id (NULL, name);
}

CachetAccount *
cachet_account_new_with_id (const char *id,
                            const char *name)
{
  g_autofree char *made = NULL;

  g_return_val_if_fail (id == NULL || cachet_account_id_is_valid (id), NULL);

  /* "name" is set after construction: make the id from it here. */
  if (id == NULL)
    id = made = cachet_account_make_id (name);
  return g_object_new (CACHET_TYPE_ACCOUNT, "id", id, "name", name, NULL);
}

void
_cachet_account_set_id (CachetAccount *self,
                        const char    *id)
{
  g_return_if_fail (CACHET_IS_ACCOUNT (self));
  g_return_if_fail (cachet_account_id_is_valid (id));

  if (g_strcmp0 (self->id, id) == 0)
    return;
  g_free (self->id);
  self->id = g_strdup (id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

CachetAccount *
cachet_account_dup (CachetAccount *self)
{
  CachetAccount *copy;

  g_return_val_if_fail (CACHET_IS_ACCOUNT (self), NULL);

  copy = g_object_new (CACHET_TYPE_ACCOUNT, "id", self->id, NULL);
  cachet_account_update_from (copy, self);
  return copy;
}

void
cachet_account_update_from (CachetAccount *self,
                            CachetAccount *other)
{
  g_return_if_fail (CACHET_IS_ACCOUNT (self));
  g_return_if_fail (CACHET_IS_ACCOUNT (other));

  g_object_freeze_notify (G_OBJECT (self));
  cachet_account_set_name (self, other->name);
  cachet_account_set_address (self, other->address);
  cachet_account_set_display_name (self, other->display_name);
  cachet_account_set_pop3 (self, other->pop3);
  cachet_account_set_smtp (self, other->smtp);
  cachet_account_set_server_policy (self, other->server_policy);
  cachet_account_set_delete_after_days (self, other->delete_after_days);
  cachet_account_set_delete_when_deleted_locally (self, other->delete_when_deleted_locally);
  cachet_account_set_large_policy (self, other->large_policy);
  cachet_account_set_large_size (self, other->large_size);
  cachet_account_set_ca_file (self, other->ca_file);
  cachet_account_set_check_interval (self, other->check_interval);
  cachet_account_set_signature (self, other->signature);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Empty strings are stored as NULL, so "unset" has one form. */
static gboolean
set_string (CachetAccount *self,
            char         **field,
            const char    *value,
            int            prop)
{
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  return TRUE;
}

const char *
cachet_account_get_id (CachetAccount *self)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT (self), NULL);
  return self->id;
}

const char *
cachet_account_get_name (CachetAccount *self)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT (self), NULL);
  return self->name;
}

void
cachet_account_set_name (CachetAccount *self,
                         const char    *name)
{
  g_return_if_fail (CACHET_IS_ACCOUNT (self));
  set_string (self, &self->name, name, PROP_NAME);
}

const char *
cachet_account_get_address (CachetAccount *self)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT (self), NULL);
  return self->address;
}

void
cachet_account_set_address (CachetAccount *self,
                            const char    *address)
{
  g_return_if_fail (CACHET_IS_ACCOUNT (self));
  set_string (self, &self->address, address, PROP_ADDRESS);
}

const char *
cachet_account_get_display_name (CachetAccount *self)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT (self), NULL);
  return self->display_name;
}

void
cachet_account_set_display_name (CachetAccount *self,
                                 const char    *display_name)
{
  g_return_if_fail (CACHET_IS_ACCOUNT (self));
  set_string (self, &self->display_name, display_name, PROP_DISPLAY_NAME);
}

const CachetServerSettings *
cachet_account_get_pop3 (CachetAccount *self)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT (self), NULL);
  return self->pop3;
}

const CachetServerSettings *
cachet_account_get_smtp (CachetAccount *self)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT (self), NULL);
  return self->smtp;
}

static void
set_server (CachetAccount               *self,
            CachetServerSettings       **field,
            const CachetServerSettings  *settings,
            int                          prop)
{
  CachetServerSettings *copy;

  if (cachet_server_settings_equal (*field, settings))
    return;
  copy = cachet_server_settings_copy (settings);
  /* Empty strings are unset, as for the account's own strings. */
  if (copy->host != NULL && copy->host[0] == '\0')
    g_clear_pointer (&copy->host, g_free);
  if (copy->user != NULL && copy->user[0] == '\0')
    g_clear_pointer (&copy->user, g_free);
  if (copy->pinned_sha256 != NULL && copy->pinned_sha256[0] == '\0')
    g_clear_pointer (&copy->pinned_sha256, g_free);
  cachet_server_settings_free (*field);
  *field = copy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
cachet_account_set_pop3 (CachetAccount              *self,
                         const CachetServerSettings *settings)
{
  g_return_if_fail (CACHET_IS_ACCOUNT (self));
  g_return_if_fail (settings != NULL);
  set_server (self, &self->pop3, settings, PROP_POP3);
}

void
cachet_account_set_smtp (CachetAccount              *self,
                         const CachetServerSettings *settings)
{
  g_return_if_fail (CACHET_IS_ACCOUNT (self));
  g_return_if_fail (settings != NULL);
  set_server (self, &self->smtp, settings, PROP_SMTP);
}

void
cachet_account_pin_certificate (CachetAccount *self,
                                const char    *protocol,
                                const char    *sha256_hex)
{
  g_autoptr(CachetServerSettings) copy = NULL;
  gboolean smtp;

  g_return_if_fail (CACHET_IS_ACCOUNT (self));
  g_return_if_fail (g_strcmp0 (protocol, "pop3") == 0 || g_strcmp0 (protocol, "smtp") == 0);

  smtp = g_str_equal (protocol, "smtp");
  copy = cachet_server_settings_copy (smtp ? self->smtp : self->pop3);
  g_free (copy->pinned_sha256);
  copy->pinned_sha256 = sha256_hex ? g_ascii_strdown (sha256_hex, -1) : NULL;
  if (smtp)
    cachet_account_set_smtp (self, copy);
  else
    cachet_account_set_pop3 (self, copy);
}

#define DEFINE_SCALAR(name, Type, PROP)                                          \
  Type                                                                           \
  cachet_account_get_##name (CachetAccount *self)                                \
  {                                                                              \
    g_return_val_if_fail (CACHET_IS_ACCOUNT (self), (Type) 0);                   \
    return self->name;                                                           \
  }                                                                              \
  void                                                                           \
  cachet_account_set_##name (CachetAccount *self,                                \
                             Type           value)                               \
  {                                                                              \
    g_return_if_fail (CACHET_IS_ACCOUNT (self));                                 \
    if (self->name == value)                                                     \
      return;                                                                    \
    self->name = value;                                                          \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);                \
  }

DEFINE_SCALAR (server_policy, CachetServerPolicy, PROP_SERVER_POLICY)
DEFINE_SCALAR (delete_after_days, guint, PROP_DELETE_AFTER_DAYS)
DEFINE_SCALAR (large_policy, CachetLargeMessagePolicy, PROP_LARGE_POLICY)
DEFINE_SCALAR (large_size, guint64, PROP_LARGE_SIZE)
DEFINE_SCALAR (check_interval, guint, PROP_CHECK_INTERVAL)

gboolean
cachet_account_get_delete_when_deleted_locally (CachetAccount *self)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT (self), FALSE);
  return self->delete_when_deleted_locally;
}

void
cachet_account_set_delete_when_deleted_locally (CachetAccount *self,
                                                gboolean       delete)
{
  g_return_if_fail (CACHET_IS_ACCOUNT (self));
  delete = !!delete;
  if (self->delete_when_deleted_locally == delete)
    return;
  self->delete_when_deleted_locally = delete;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELETE_WHEN_DELETED_LOCALLY]);
}

const char *
cachet_account_get_ca_file (CachetAccount *self)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT (self), NULL);
  return self->ca_file;
}

void
cachet_account_set_ca_file (CachetAccount *self,
                            const char    *path)
{
  g_return_if_fail (CACHET_IS_ACCOUNT (self));
  set_string (self, &self->ca_file, path, PROP_CA_FILE);
}

const char *
cachet_account_get_signature (CachetAccount *self)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT (self), NULL);
  return self->signature;
}

void
cachet_account_set_signature (CachetAccount *self,
                              const char    *signature)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CACHET_IS_ACCOUNT (self));

  /* One form for the same text: LF line ends, no trailing blank lines or spaces (they
   * would only pile up under the separator), and nothing left means no signature. */
  if (signature != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (signature, "\n", -1);
      GString *out = g_string_new (NULL);

      for (guint i = 0; lines[i] != NULL; i++)
        {
          gsize len = strlen (lines[i]);

          if (len > 0 && lines[i][len - 1] == '\r')
            lines[i][len - 1] = '\0';
          if (i > 0)
            g_string_append_c (out, '\n');
          g_string_append (out, lines[i]);
        }
      while (out->len > 0 && g_ascii_isspace (out->str[out->len - 1]))
        g_string_truncate (out, out->len - 1);
      text = g_string_free (out, FALSE);
    }
  set_string (self, &self->signature, text, PROP_SIGNATURE);
}
