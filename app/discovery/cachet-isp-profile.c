/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-discovery"

#include "config.h"

#include "cachet-isp-profile.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-discovery-error.h"

/* The parser keeps a stack of open elements.  Only the elements of the clientConfig 1.1
 * format that matter for POP3 and SMTP are read; every other element (documentation,
 * webMail, oAuth2, ...) is skipped with its contents.  Text is collected only inside the
 * leaf elements we read. */

#define MAX_DEPTH 32
#define MAX_SERVERS 64
#define MAX_DOMAINS 4096
#define MAX_VALUE 1024

static const char *const placeholders[] = {
  "%EMAILADDRESS%", "%EMAILLOCALPART%", "%EMAILDOMAIN%", "%REALNAME%", NULL
};

typedef enum
{
  EL_UNKNOWN,          /* skipped with everything inside */
  EL_CLIENT_CONFIG,
  EL_PROVIDER,
  EL_DOMAIN,
  EL_DISPLAY_NAME,
  EL_SHORT_NAME,
  EL_INCOMING,
  EL_OUTGOING,
  EL_HOSTNAME,
  EL_PORT,
  EL_SOCKET_TYPE,
  EL_USERNAME,
  EL_AUTHENTICATION,
  EL_POP3,
  EL_LEAVE,
  EL_DAYS,
  EL_BIFF,
  EL_CHECK_INTERVAL,
} Element;

typedef struct
{
  CachetIspServer *server;
  gboolean         smtp;
  gboolean         seen_hostname;
  gboolean         seen_port;
  gboolean         seen_socket_type;
  gboolean         seen_username;
  gboolean         port_ok;
  gboolean         socket_type_ok;
  GPtrArray       *auth;            /* char * */
} ServerState;

typedef struct
{
  GMarkupParseContext *context;
  const char          *origin;
  GPtrArray           *problems;
  guint                n_errors;

  Element              stack[MAX_DEPTH];
  guint                depth;
  guint                skip_depth;    /* > 0: inside an unknown element */
  GString             *text;
  guint                text_line;

  CachetIspProfile    *profile;
  gboolean             seen_root;
  gboolean             seen_provider;
  gboolean             in_first_provider;
  GPtrArray           *domains;       /* char * */
  ServerState         *server;        /* the open <incomingServer>/<outgoingServer> */
} Parser;

void
cachet_isp_problem_free (CachetIspProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->message);
  g_free (problem);
}

static void
server_free (CachetIspServer *server)
{
  g_free (server->type);
  g_free (server->hostname);
  g_free (server->username);
  g_strfreev (server->authentication);
  g_free (server);
}

static void
profile_clear (CachetIspProfile *profile)
{
  g_free (profile->id);
  g_free (profile->display_name);
  g_free (profile->short_name);
  g_strfreev (profile->domains);
  g_clear_pointer (&profile->incoming, g_ptr_array_unref);
  g_clear_pointer (&profile->outgoing, g_ptr_array_unref);
  g_free (profile->origin);
}

G_DEFINE_BOXED_TYPE (CachetIspProfile, cachet_isp_profile,
                     cachet_isp_profile_ref, cachet_isp_profile_unref)

CachetIspProfile *
cachet_isp_profile_ref (CachetIspProfile *profile)
{
  g_return_val_if_fail (profile != NULL, NULL);
  return g_atomic_rc_box_acquire (profile);
}

void
cachet_isp_profile_unref (CachetIspProfile *profile)
{
  if (profile != NULL)
    g_atomic_rc_box_release_full (profile, (GDestroyNotify) profile_clear);
}

/* Problems ------------------------------------------------------------------------------ */

static void
add_problem_at (Parser                   *p,
                CachetIspProblemSeverity  severity,
                guint                     line,
                guint                     column,
                const char               *format,
                ...) G_GNUC_PRINTF (5, 6);

static void
add_problem_at (Parser                   *p,
                CachetIspProblemSeverity  severity,
                guint                     line,
                guint                     column,
                const char               *format,
                ...)
{
  CachetIspProblem *problem = g_new0 (CachetIspProblem, 1);
  va_list args;

  va_start (args, format);
  problem->message = g_strdup_vprintf (format, args);
  va_end (args);
  problem->severity = severity;
  problem->line = line;
  problem->column = column;
  if (severity == CACHET_ISP_PROBLEM_ERROR)
    p->n_errors++;
  g_ptr_array_add (p->problems, problem);
}

#define here_line(p) (position (p, TRUE))
#define here_column(p) (position (p, FALSE))

static guint
position (Parser  *p,
          gboolean line)
{
  int l = 0, c = 0;

  g_markup_parse_context_get_position (p->context, &l, &c);
  /* GMarkup counts a line break as soon as it stands on it: right after a tag that ends
   * its line, it says "line + 1, character 1".  That tag is on the line before. */
  if (c == 1 && l > 1)
    {
      l--;
      c = 0;
    }
  return (guint) MAX (line ? l : c, 0);
}

#define error_here(p, ...) \
  add_problem_at ((p), CACHET_ISP_PROBLEM_ERROR, here_line (p), here_column (p), __VA_ARGS__)
#define warning_here(p, ...) \
  add_problem_at ((p), CACHET_ISP_PROBLEM_WARNING, here_line (p), here_column (p), __VA_ARGS__)

/* Words --------------------------------------------------------------------------------- */

gboolean
cachet_isp_socket_type_parse (const char     *text,
                              CachetSecurity *security)
{
  CachetSecurity s;

  if (g_ascii_strcasecmp (text, "SSL") == 0)
    s = CACHET_SECURITY_TLS;
  else if (g_ascii_strcasecmp (text, "STARTTLS") == 0)
    s = CACHET_SECURITY_STARTTLS;
  else if (g_ascii_strcasecmp (text, "plain") == 0)
    s = CACHET_SECURITY_PLAIN;
  else
    return FALSE;
  if (security != NULL)
    *security = s;
  return TRUE;
}

gboolean
cachet_isp_auth_parse (const char       *text,
                       gboolean          smtp,
                       CachetAuthMethod *method,
                       gboolean         *usable)
{
  CachetAuthMethod m = CACHET_AUTH_AUTO;
  gboolean ok = TRUE;

  /* "plain" and "secure" are the old names of the password-* ones. */
  if (g_ascii_strcasecmp (text, "password-cleartext") == 0
      || g_ascii_strcasecmp (text, "plain") == 0)
    m = CACHET_AUTH_AUTO;   /* USER/PASS or SASL PLAIN (POP3), PLAIN or LOGIN (SMTP) */
  else if (g_ascii_strcasecmp (text, "password-encrypted") == 0
           || g_ascii_strcasecmp (text, "secure") == 0)
    m = smtp ? CACHET_AUTH_CRAM_MD5 : CACHET_AUTH_APOP;
  else if (g_ascii_strcasecmp (text, "none") == 0
           || g_ascii_strcasecmp (text, "client-IP-address") == 0
           || g_ascii_strcasecmp (text, "smtp-after-pop") == 0)
    {
      m = CACHET_AUTH_NONE;
      ok = smtp;            /* a POP3 server always needs a login */
    }
  else if (g_ascii_strcasecmp (text, "OAuth2") == 0
           || g_ascii_strcasecmp (text, "GSSAPI") == 0
           || g_ascii_strcasecmp (text, "NTLM") == 0
           || g_ascii_strcasecmp (text, "TLS-client-cert") == 0)
    ok = FALSE;
  else
    return FALSE;
  if (method != NULL)
    *method = m;
  if (usable != NULL)
    *usable = ok;
  return TRUE;
}

/* An unknown %WORD% in @text, newly allocated, or NULL. */
static char *
unknown_placeholder (const char *text)
{
  const char *p = text;

  while ((p = strchr (p, '%')) != NULL)
    {
      const char *end = strchr (p + 1, '%');
      gboolean known = FALSE;

      if (end == NULL)
        return NULL;
      for (guint i = 0; placeholders[i] != NULL; i++)
        if (strncmp (p, placeholders[i], (gsize) (end - p + 1)) == 0
            && strlen (placeholders[i]) == (gsize) (end - p + 1))
          known = TRUE;
      if (!known)
        return g_strndup (p, (gsize) (end - p + 1));
      p = end + 1;
    }
  return NULL;
}

static gboolean
parse_bool (const char *text,
            gboolean   *value)
{
  if (g_str_equal (text, "true"))
    *value = TRUE;
  else if (g_str_equal (text, "false"))
    *value = FALSE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
parse_uint (const char *text,
            guint       max,
            guint      *value)
{
  guint64 v;

  if (*text == '\0' || strlen (text) > 9)
    return FALSE;
  for (const char *c = text; *c; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  v = g_ascii_strtoull (text, NULL, 10);
  if (v > max)
    return FALSE;
  *value = (guint) v;
  return TRUE;
}

/* Element names ----------------------------------------------------------------------- */

static Element
element_of (Parser     *p,
            const char *name)
{
  Element parent = p->depth > 0 ? p->stack[p->depth - 1] : EL_UNKNOWN;

  if (p->depth == 0)
    return g_str_equal (name, "clientConfig") ? EL_CLIENT_CONFIG : EL_UNKNOWN;
  switch (parent)
    {
    case EL_CLIENT_CONFIG:
      if (g_str_equal (name, "emailProvider"))
        return EL_PROVIDER;
      break;
    case EL_PROVIDER:
      if (g_str_equal (name, "domain"))
        return EL_DOMAIN;
      if (g_str_equal (name, "displayName"))
        return EL_DISPLAY_NAME;
      if (g_str_equal (name, "displayShortName"))
        return EL_SHORT_NAME;
      if (g_str_equal (name, "incomingServer"))
        return EL_INCOMING;
      if (g_str_equal (name, "outgoingServer"))
        return EL_OUTGOING;
      break;
    case EL_INCOMING:
    case EL_OUTGOING:
      if (g_str_equal (name, "hostname"))
        return EL_HOSTNAME;
      if (g_str_equal (name, "port"))
        return EL_PORT;
      if (g_str_equal (name, "socketType"))
        return EL_SOCKET_TYPE;
      if (g_str_equal (name, "username"))
        return EL_USERNAME;
      if (g_str_equal (name, "authentication"))
        return EL_AUTHENTICATION;
      if (parent == EL_INCOMING && g_str_equal (name, "pop3"))
        return EL_POP3;
      break;
    case EL_POP3:
      if (g_str_equal (name, "leaveMessagesOnServer"))
        return EL_LEAVE;
      if (g_str_equal (name, "daysToLeaveMessagesOnServer"))
        return EL_DAYS;
      if (g_str_equal (name, "downloadOnBiff"))
        return EL_BIFF;
      if (g_str_equal (name, "checkInterval"))
        return EL_CHECK_INTERVAL;
      break;
    case EL_UNKNOWN:
    case EL_DOMAIN:
    case EL_DISPLAY_NAME:
    case EL_SHORT_NAME:
    case EL_HOSTNAME:
    case EL_PORT:
    case EL_SOCKET_TYPE:
    case EL_USERNAME:
    case EL_AUTHENTICATION:
    case EL_LEAVE:
    case EL_DAYS:
    case EL_BIFF:
    case EL_CHECK_INTERVAL:
    default:
      break;
    }
  return EL_UNKNOWN;
}

static gboolean
is_leaf (Element el)
{
  switch (el)
    {
    case EL_DOMAIN:
    case EL_DISPLAY_NAME:
    case EL_SHORT_NAME:
    case EL_HOSTNAME:
    case EL_PORT:
    case EL_SOCKET_TYPE:
    case EL_USERNAME:
    case EL_AUTHENTICATION:
    case EL_LEAVE:
    case EL_DAYS:
    case EL_BIFF:
      return TRUE;
    case EL_UNKNOWN:
    case EL_CLIENT_CONFIG:
    case EL_PROVIDER:
    case EL_INCOMING:
    case EL_OUTGOING:
    case EL_POP3:
    case EL_CHECK_INTERVAL:
    default:
      return FALSE;
    }
}

static const char *
attribute (const char **names,
           const char **values,
           const char  *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], name))
      return values[i];
  return NULL;
}

/* Start and end of elements ------------------------------------------------------------ */

static void
start_server (Parser      *p,
              gboolean     smtp,
              const char **names,
              const char **values)
{
  const char *type = attribute (names, values, "type");
  guint count = p->profile->incoming->len + p->profile->outgoing->len;
  ServerState *s;

  if (count >= MAX_SERVERS)
    {
      if (count == MAX_SERVERS)
        warning_here (p, _("More than %u servers: the rest are ignored."), MAX_SERVERS);
      return;
    }
  s = g_new0 (ServerState, 1);
  s->smtp = smtp;
  s->auth = g_ptr_array_new_with_free_func (g_free);
  s->server = g_new0 (CachetIspServer, 1);
  s->server->line = here_line (p);
  s->server->days_to_leave = -1;
  s->server->security = CACHET_SECURITY_TLS;
  if (type == NULL || *type == '\0')
    {
      error_here (p, smtp ? _("<outgoingServer> needs a type attribute (type=\"smtp\").")
                          : _("<incomingServer> needs a type attribute (type=\"pop3\" or "
                              "type=\"imap\")."));
      s->server->type = g_strdup ("");
    }
  else
    s->server->type = g_ascii_strdown (type, -1);
  p->server = s;
}

static gboolean
server_is_used (ServerState *s)
{
  return g_str_equal (s->server->type, s->smtp ? "smtp" : "pop3");
}

static void
end_server (Parser *p)
{
  ServerState *s = p->server;
  CachetIspServer *server;
  const char *what;
  gboolean used;

  if (s == NULL)
    return;
  p->server = NULL;
  server = s->server;
  used = server_is_used (s);
  what = s->smtp ? _("outgoing server") : _("incoming server");

  g_ptr_array_add (s->auth, NULL);
  server->authentication = (GStrv) g_ptr_array_free (g_steal_pointer (&s->auth), FALSE);

  /* Only the servers we would use must be complete: an IMAP block of a profile that also
   * has POP3 is none of our business beyond being listed. */
  if (used)
    {
      if (!s->seen_hostname)
        add_problem_at (p, CACHET_ISP_PROBLEM_ERROR, server->line, 0,
                        _("The %s (%s) has no <hostname>."), what, server->type);
      if (!s->seen_port)
        add_problem_at (p, CACHET_ISP_PROBLEM_ERROR, server->line, 0,
                        _("The %s (%s) has no <port>."), what, server->type);
      if (!s->seen_socket_type)
        add_problem_at (p, CACHET_ISP_PROBLEM_ERROR, server->line, 0,
                        _("The %s (%s) has no <socketType> (SSL, STARTTLS or plain)."),
                        what, server->type);
      if (server->authentication[0] == NULL)
        add_problem_at (p, CACHET_ISP_PROBLEM_ERROR, server->line, 0,
                        _("The %s (%s) has no <authentication>."), what, server->type);
      else if (!server->auth_usable)
        add_problem_at (p, CACHET_ISP_PROBLEM_WARNING, server->line, 0,
                        _("The %s (%s) allows only login methods Cachet cannot use (%s), "
                          "so it is not offered."),
                        what, server->type, server->authentication[0]);
      if (!s->seen_username && !(s->smtp && server->auth == CACHET_AUTH_NONE))
        add_problem_at (p, CACHET_ISP_PROBLEM_ERROR, server->line, 0,
                        _("The %s (%s) has no <username> (for example %%EMAILADDRESS%%)."),
                        what, server->type);
    }
  else if (s->smtp)
    add_problem_at (p, CACHET_ISP_PROBLEM_WARNING, server->line, 0,
                    _("Outgoing server of type “%s” ignored: Cachet sends with SMTP."),
                    server->type);

  if (!used || (s->seen_port && s->port_ok && s->seen_socket_type && s->socket_type_ok
                && s->seen_hostname && server->hostname != NULL))
    g_ptr_array_add (s->smtp ? p->profile->outgoing : p->profile->incoming, server);
  else
    server_free (server);
  g_free (s);
}

static void
start_element_cb (GMarkupParseContext  *context,
                  const char           *name,
                  const char          **names,
                  const char          **values,
                  gpointer              user_data,
                  GError              **error)
{
  Parser *p = user_data;
  Element el;

  if (p->depth >= MAX_DEPTH)
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                   _("Elements are nested more than %u deep."), MAX_DEPTH);
      return;
    }
  el = p->skip_depth > 0 ? EL_UNKNOWN : element_of (p, name);
  p->stack[p->depth++] = el;

  if (p->depth == 1)
    {
      const char *version = attribute (names, values, "version");

      if (el != EL_CLIENT_CONFIG)
        {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                       _("This is not an e-mail profile: the outermost element is <%s>, "
                         "not <clientConfig>."), name);
          return;
        }
      p->seen_root = TRUE;
      if (version == NULL)
        warning_here (p, _("<clientConfig> has no version; version 1.1 is assumed."));
      else if (!g_str_equal (version, "1.1"))
        warning_here (p, _("<clientConfig> version “%s” is not 1.1; read as 1.1."), version);
      return;
    }

  if (el == EL_UNKNOWN)
    {
      p->skip_depth++;
      return;
    }

  switch (el)
    {
    case EL_PROVIDER:
      if (p->seen_provider)
        {
          warning_here (p, _("Only the first <emailProvider> is used."));
          p->stack[p->depth - 1] = EL_UNKNOWN;
          p->skip_depth++;
          return;
        }
      p->seen_provider = TRUE;
      p->in_first_provider = TRUE;
      g_free (p->profile->id);
      p->profile->id = g_strdup (attribute (names, values, "id"));
      break;
    case EL_INCOMING:
    case EL_OUTGOING:
      start_server (p, el == EL_OUTGOING, names, values);
      if (p->server == NULL)
        {
          p->stack[p->depth - 1] = EL_UNKNOWN;
          p->skip_depth++;
        }
      break;
    case EL_CHECK_INTERVAL:
      {
        const char *minutes = attribute (names, values, "minutes");
        guint value;

        if (minutes != NULL && parse_uint (minutes, 10080, &value) && value > 0)
          p->server->server->check_interval = value;
        else
          warning_here (p, _("<checkInterval> needs minutes=\"N\" (1 to 10080); ignored."));
      }
      break;
    case EL_UNKNOWN:
    case EL_CLIENT_CONFIG:
    case EL_DOMAIN:
    case EL_DISPLAY_NAME:
    case EL_SHORT_NAME:
    case EL_HOSTNAME:
    case EL_PORT:
    case EL_SOCKET_TYPE:
    case EL_USERNAME:
    case EL_AUTHENTICATION:
    case EL_POP3:
    case EL_LEAVE:
    case EL_DAYS:
    case EL_BIFF:
    default:
      break;
    }
  if (is_leaf (el))
    {
      g_string_truncate (p->text, 0);
      p->text_line = here_line (p);
    }
}

/* Sets *@slot to @value, or reports a second one. */
static gboolean
set_once (Parser     *p,
          gboolean   *seen,
          const char *element)
{
  if (*seen)
    {
      error_here (p, _("<%s> is given twice in one server."), element);
      return FALSE;
    }
  *seen = TRUE;
  return TRUE;
}

static void
end_leaf (Parser     *p,
          Element     el,
          const char *name)
{
  g_autofree char *value = g_strstrip (g_strdup (p->text->str));
  CachetIspServer *server = p->server != NULL ? p->server->server : NULL;
  ServerState *s = p->server;
  guint number;

  if (p->text->len > MAX_VALUE)
    {
      error_here (p, _("<%s> is longer than %u characters."), name, MAX_VALUE);
      return;
    }
  switch (el)
    {
    case EL_DOMAIN:
      if (!cachet_host_is_valid (value) || g_hostname_is_ip_address (value))
        warning_here (p, _("“%s” is not a domain name; ignored."), value);
      else if (p->domains->len < MAX_DOMAINS)
        g_ptr_array_add (p->domains, g_ascii_strdown (value, -1));
      break;
    case EL_DISPLAY_NAME:
      g_free (p->profile->display_name);
      p->profile->display_name = g_steal_pointer (&value);
      break;
    case EL_SHORT_NAME:
      g_free (p->profile->short_name);
      p->profile->short_name = g_steal_pointer (&value);
      break;
    case EL_HOSTNAME:
      if (set_once (p, &s->seen_hostname, name))
        {
          g_autofree char *sample = cachet_isp_expand (value, "user@example.com", NULL);
          g_autofree char *unknown = unknown_placeholder (value);

          if (unknown != NULL)
            error_here (p, _("Unknown placeholder %s in <hostname>."), unknown);
          else if (!cachet_host_is_valid (sample))
            error_here (p, _("“%s” is not a host name or an IP address."), value);
          else
            server->hostname = g_steal_pointer (&value);
        }
      break;
    case EL_PORT:
      if (set_once (p, &s->seen_port, name))
        {
          if (parse_uint (value, 65535, &number) && number > 0)
            {
              server->port = (guint16) number;
              s->port_ok = TRUE;
            }
          else
            error_here (p, _("The port “%s” is not a number from 1 to 65535."), value);
        }
      break;
    case EL_SOCKET_TYPE:
      if (set_once (p, &s->seen_socket_type, name))
        {
          if (cachet_isp_socket_type_parse (value, &server->security))
            s->socket_type_ok = TRUE;
          else
            error_here (p, _("Unknown <socketType> “%s”: use SSL, STARTTLS or plain."), value);
        }
      break;
    case EL_USERNAME:
      if (set_once (p, &s->seen_username, name))
        {
          g_autofree char *unknown = unknown_placeholder (value);

          if (unknown != NULL)
            error_here (p, _("Unknown placeholder %s in <username>: use %%EMAILADDRESS%%, "
                             "%%EMAILLOCALPART%%, %%EMAILDOMAIN%% or %%REALNAME%%."), unknown);
          else if (*value == '\0')
            error_here (p, _("<username> is empty."));
          else
            server->username = g_steal_pointer (&value);
        }
      break;
    case EL_AUTHENTICATION:
      {
        CachetAuthMethod method;
        gboolean usable;

        if (!cachet_isp_auth_parse (value, s->smtp, &method, &usable))
          warning_here (p, _("Unknown <authentication> “%s”; ignored."), value);
        else if (usable && !server->auth_usable)
          {
            server->auth = method;
            server->auth_usable = TRUE;
          }
        g_ptr_array_add (s->auth, g_steal_pointer (&value));
      }
      break;
    case EL_LEAVE:
      if (parse_bool (value, &server->leave_on_server))
        server->has_leave_on_server = TRUE;
      else
        warning_here (p, _("<%s> must be true or false; ignored."), name);
      break;
    case EL_BIFF:
      if (parse_bool (value, &server->download_on_biff))
        server->has_download_on_biff = TRUE;
      else
        warning_here (p, _("<%s> must be true or false; ignored."), name);
      break;
    case EL_DAYS:
      if (parse_uint (value, 36500, &number))
        server->days_to_leave = (int) number;
      else
        warning_here (p, _("<%s> must be a number of days (0 to 36500); ignored."), name);
      break;
    case EL_UNKNOWN:
    case EL_CLIENT_CONFIG:
    case EL_PROVIDER:
    case EL_INCOMING:
    case EL_OUTGOING:
    case EL_POP3:
    case EL_CHECK_INTERVAL:
    default:
      break;
    }
}

static void
end_element_cb (GMarkupParseContext  *context,
                const char           *name,
                gpointer              user_data,
                GError              **error)
{
  Parser *p = user_data;
  Element el = p->stack[--p->depth];

  if (el == EL_UNKNOWN && p->depth > 0)
    {
      p->skip_depth--;
      return;
    }
  if (is_leaf (el))
    end_leaf (p, el, name);
  else if (el == EL_INCOMING || el == EL_OUTGOING)
    end_server (p);
  else if (el == EL_PROVIDER)
    p->in_first_provider = FALSE;
}

static void
text_cb (GMarkupParseContext  *context,
         const char           *text,
         gsize                 length,
         gpointer              user_data,
         GError              **error)
{
  Parser *p = user_data;

  if (p->depth == 0 || p->skip_depth > 0 || !is_leaf (p->stack[p->depth - 1]))
    return;
  if (p->text->len <= MAX_VALUE)
    g_string_append_len (p->text, text, (gssize) MIN (length, MAX_VALUE + 1));
}

static const GMarkupParser markup_parser = {
  .start_element = start_element_cb,
  .end_element = end_element_cb,
  .text = text_cb,
  .passthrough = NULL,
  .error = NULL,
};

/* GMarkup's messages start with "Error on line N char M: "; the line is ours to say. */
static const char *
strip_position (const char *message)
{
  const char *colon;

  if (!g_str_has_prefix (message, "Error on line ") || (colon = strstr (message, ": ")) == NULL)
    return message;
  return colon + 2;
}

static void
finish (Parser *p)
{
  CachetIspProfile *profile = p->profile;
  gboolean pop3 = FALSE, smtp = FALSE;

  if (!p->seen_provider)
    {
      add_problem_at (p, CACHET_ISP_PROBLEM_ERROR, 0, 0,
                      _("The profile has no <emailProvider>."));
      return;
    }
  if (p->domains->len == 0)
    add_problem_at (p, CACHET_ISP_PROBLEM_ERROR, 0, 0,
                    _("The profile names no <domain>: it would never be used."));
  if (profile->id == NULL || *profile->id == '\0')
    add_problem_at (p, CACHET_ISP_PROBLEM_WARNING, 0, 0,
                    _("<emailProvider> has no id attribute."));
  if (profile->display_name == NULL || *profile->display_name == '\0')
    {
      add_problem_at (p, CACHET_ISP_PROBLEM_WARNING, 0, 0,
                      _("The profile has no <displayName>; its first domain is shown."));
      g_free (profile->display_name);
      profile->display_name = p->domains->len > 0 ? g_strdup (p->domains->pdata[0]) : NULL;
    }
  for (guint i = 0; i < profile->incoming->len; i++)
    pop3 = pop3 || cachet_isp_server_is_usable (profile->incoming->pdata[i], FALSE);
  for (guint i = 0; i < profile->outgoing->len; i++)
    smtp = smtp || cachet_isp_server_is_usable (profile->outgoing->pdata[i], TRUE);
  if (profile->incoming->len == 0 && p->n_errors == 0)
    add_problem_at (p, CACHET_ISP_PROBLEM_ERROR, 0, 0,
                    _("The profile has no <incomingServer>."));
  else if (!pop3 && p->n_errors == 0)
    add_problem_at (p, CACHET_ISP_PROBLEM_WARNING, 0, 0,
                    _("The profile offers no POP3 server that Cachet can use (IMAP only?): "
                      "Cachet can receive mail only with POP3."));
  if (!smtp && p->n_errors == 0)
    add_problem_at (p, CACHET_ISP_PROBLEM_WARNING, 0, 0,
                    _("The profile offers no SMTP server that Cachet can use."));
  g_ptr_array_add (p->domains, NULL);
  profile->domains = (GStrv) g_ptr_array_free (g_steal_pointer (&p->domains), FALSE);
}

/* @data is not NUL-terminated */
static gboolean
only_whitespace (const char *data,
                 gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r' && data[i] != '\n')
      return FALSE;
  return TRUE;
}

static void
set_first_error (GPtrArray   *problems,
                 const char  *origin,
                 GError     **error)
{
  for (guint i = 0; i < problems->len; i++)
    {
      CachetIspProblem *problem = problems->pdata[i];

      if (problem->severity != CACHET_ISP_PROBLEM_ERROR)
        continue;
      if (problem->line > 0)
        g_set_error (error, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_PROFILE,
                     _("%s, line %u: %s"), origin, problem->line, problem->message);
      else
        g_set_error (error, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_PROFILE,
                     _("%s: %s"), origin, problem->message);
      return;
    }
}

CachetIspProfile *
cachet_isp_profile_parse (const char  *data,
                          gsize        length,
                          const char  *origin,
                          GPtrArray  **problems,
                          GError     **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_isp_problem_free);
  g_autoptr(GError) markup_error = NULL;
  Parser p = { 0 };
  CachetIspProfile *result = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (origin == NULL)
    origin = _("the profile");
  p.origin = origin;
  p.problems = list;
  if (length > CACHET_ISP_PROFILE_MAX_SIZE)
    {
      add_problem_at (&p, CACHET_ISP_PROBLEM_ERROR, 0, 0,
                      _("The profile is %llu bytes long; profiles larger than %u KiB are "
                        "refused."),
                      (unsigned long long) length, CACHET_ISP_PROFILE_MAX_SIZE / 1024);
      g_set_error (error, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_TOO_LARGE,
                   _("%s: %s"), origin, ((CachetIspProblem *) list->pdata[0])->message);
      if (problems != NULL)
        *problems = g_steal_pointer (&list);
      return NULL;
    }
  if (memchr (data, '\0', length) != NULL)
    add_problem_at (&p, CACHET_ISP_PROBLEM_ERROR, 0, 0,
                    _("The profile contains a NUL byte: it is not a text file."));
  else
    {
      p.profile = g_atomic_rc_box_new0 (CachetIspProfile);
      p.profile->incoming = g_ptr_array_new_with_free_func ((GDestroyNotify) server_free);
      p.profile->outgoing = g_ptr_array_new_with_free_func ((GDestroyNotify) server_free);
      p.profile->origin = g_strdup (origin);
      p.domains = g_ptr_array_new_with_free_func (g_free);
      p.text = g_string_new (NULL);
      p.context = g_markup_parse_context_new (&markup_parser, G_MARKUP_PREFIX_ERROR_POSITION,
                                              &p, NULL);
      if (!g_markup_parse_context_parse (p.context, data, (gssize) length, &markup_error)
          || !g_markup_parse_context_end_parse (p.context, &markup_error))
        {
          if (only_whitespace (data, length))
            add_problem_at (&p, CACHET_ISP_PROBLEM_ERROR, 0, 0, _("The profile is empty."));
          else if (!p.seen_root && markup_error->code != G_MARKUP_ERROR_INVALID_CONTENT)
            add_problem_at (&p, CACHET_ISP_PROBLEM_ERROR, here_line (&p), here_column (&p),
                            _("This is not valid XML: %s"), strip_position (markup_error->message));
          else
            add_problem_at (&p, CACHET_ISP_PROBLEM_ERROR, here_line (&p), here_column (&p),
                            "%s", strip_position (markup_error->message));
        }
      else
        finish (&p);
      if (p.server != NULL)
        {
          server_free (p.server->server);
          g_ptr_array_unref (p.server->auth);
          g_free (p.server);
        }
      g_markup_parse_context_free (p.context);
      g_string_free (p.text, TRUE);
      g_clear_pointer (&p.domains, g_ptr_array_unref);
      if (p.n_errors == 0)
        result = g_steal_pointer (&p.profile);
      g_clear_pointer (&p.profile, cachet_isp_profile_unref);
    }
  if (result == NULL)
    set_first_error (list, origin, error);
  if (problems != NULL)
    *problems = g_steal_pointer (&list);
  return result;
}

CachetIspProfile *
cachet_isp_profile_load (const char  *path,
                         GPtrArray  **problems,
                         GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (problems != NULL)
    *problems = NULL;
  file = g_file_new_for_path (path);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, &local_error);
  if (info != NULL && g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_PROFILE,
                   _("%s is not a regular file."), path);
      return NULL;
    }
  if (info != NULL && g_file_info_get_size (info) > CACHET_ISP_PROFILE_MAX_SIZE)
    return cachet_isp_profile_parse ("", (gsize) g_file_info_get_size (info), path,
                                     problems, error);
  if (info == NULL || !g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_PROFILE,
                   _("Could not read %s: %s"), path, local_error->message);
      return NULL;
    }
  return cachet_isp_profile_parse (data, length, path, problems, error);
}

/* Using a profile ------------------------------------------------------------------------ */

gboolean
cachet_isp_profile_has_domain (const CachetIspProfile *profile,
                               const char             *domain)
{
  g_return_val_if_fail (profile != NULL, FALSE);
  for (guint i = 0; profile->domains != NULL && profile->domains[i] != NULL; i++)
    if (g_ascii_strcasecmp (profile->domains[i], domain) == 0)
      return TRUE;
  return FALSE;
}

gboolean
cachet_isp_server_is_usable (const CachetIspServer *server,
                             gboolean               smtp)
{
  return g_str_equal (server->type, smtp ? "smtp" : "pop3") && server->auth_usable
         && server->hostname != NULL && server->port != 0
         && (server->username != NULL || (smtp && server->auth == CACHET_AUTH_NONE));
}

static const CachetIspServer *
first_usable (GPtrArray *servers,
              gboolean   smtp)
{
  for (guint i = 0; servers != NULL && i < servers->len; i++)
    if (cachet_isp_server_is_usable (servers->pdata[i], smtp))
      return servers->pdata[i];
  return NULL;
}

const CachetIspServer *
cachet_isp_profile_get_pop3 (const CachetIspProfile *profile)
{
  g_return_val_if_fail (profile != NULL, NULL);
  return first_usable (profile->incoming, FALSE);
}

const CachetIspServer *
cachet_isp_profile_get_smtp (const CachetIspProfile *profile)
{
  g_return_val_if_fail (profile != NULL, NULL);
  return first_usable (profile->outgoing, TRUE);
}

gboolean
cachet_isp_profile_is_imap_only (const CachetIspProfile *profile)
{
  g_return_val_if_fail (profile != NULL, FALSE);
  return profile->incoming->len > 0 && cachet_isp_profile_get_pop3 (profile) == NULL;
}

char *
cachet_isp_expand (const char *template_,
                   const char *address,
                   const char *real_name)
{
  const char *at = address != NULL ? strrchr (address, '@') : NULL;
  g_autofree char *local = at != NULL ? g_strndup (address, (gsize) (at - address))
                                      : g_strdup (address != NULL ? address : "");
  const char *domain = at != NULL ? at + 1 : "";
  GString *out = g_string_new (NULL);
  const char *p = template_;

  while (*p != '\0')
    {
      if (g_str_has_prefix (p, "%EMAILADDRESS%"))
        {
          g_string_append (out, address != NULL ? address : "");
          p += strlen ("%EMAILADDRESS%");
        }
      else if (g_str_has_prefix (p, "%EMAILLOCALPART%"))
        {
          g_string_append (out, local);
          p += strlen ("%EMAILLOCALPART%");
        }
      else if (g_str_has_prefix (p, "%EMAILDOMAIN%"))
        {
          g_string_append (out, domain);
          p += strlen ("%EMAILDOMAIN%");
        }
      else if (g_str_has_prefix (p, "%REALNAME%"))
        {
          g_string_append (out, real_name != NULL ? real_name : "");
          p += strlen ("%REALNAME%");
        }
      else
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

CachetServerSettings *
cachet_isp_server_to_settings (const CachetIspServer *server,
                               gboolean               smtp,
                               const char            *address,
                               const char            *real_name)
{
  CachetServerSettings *settings;

  g_return_val_if_fail (server != NULL, NULL);

  settings = cachet_server_settings_new (smtp);
  settings->host = cachet_isp_expand (server->hostname, address, real_name);
  settings->port = server->port;
  settings->security = server->security;
  settings->auth = server->auth_usable ? server->auth : CACHET_AUTH_AUTO;
  if (server->username != NULL && !(smtp && server->auth == CACHET_AUTH_NONE))
    settings->user = cachet_isp_expand (server->username, address, real_name);
  return settings;
}
