/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-bounce"

#include "config.h"

#include "cachet-bounce-private.h"

#include <string.h>

/* The fields of a delivery status notification (RFC 3464 section 2.2 and 2.3; RFC 6533
 * uses the same names for message/global-delivery-status). */

typedef enum
{
  FIELD_OTHER,
  FIELD_REPORTING_MTA,
  FIELD_ORIGINAL_RECIPIENT,
  FIELD_FINAL_RECIPIENT,
  FIELD_ACTION,
  FIELD_STATUS,
  FIELD_DIAGNOSTIC,
  FIELD_REMOTE_MTA,
  FIELD_LAST_ATTEMPT,
  FIELD_WILL_RETRY,
} FieldKind;

static const struct
{
  const char *name;
  FieldKind   kind;
} fields[] = {
  { "reporting-mta", FIELD_REPORTING_MTA },
  { "original-recipient", FIELD_ORIGINAL_RECIPIENT },
  { "final-recipient", FIELD_FINAL_RECIPIENT },
  { "action", FIELD_ACTION },
  { "status", FIELD_STATUS },
  { "diagnostic-code", FIELD_DIAGNOSTIC },
  { "remote-mta", FIELD_REMOTE_MTA },
  { "last-attempt-date", FIELD_LAST_ATTEMPT },
  { "will-retry-until", FIELD_WILL_RETRY },
};

/* One per-recipient group while it is read. */
typedef struct
{
  guint  seen;          /* 1 << FieldKind of the fields already read */
  char  *original;
  char  *final;
  char  *action;
  char  *status;
  char  *status_comment;
  char  *diagnostic;
} Group;

static void
group_clear (Group *group)
{
  g_free (group->original);
  g_free (group->final);
  g_free (group->action);
  g_free (group->status);
  g_free (group->status_comment);
  g_free (group->diagnostic);
  memset (group, 0, sizeof *group);
}

static GRegex *
status_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    {
      /* Not part of a longer dotted number (an IP address, a version) nor of a word. */
      GRegex *r = g_regex_new ("(?<![0-9A-Za-z.])([245])\\.([0-9]{1,3})\\.([0-9]{1,3})"
                               "(?![0-9]|\\.[0-9])", G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&regex, r);
    }
  return regex;
}

char *
_cachet_bounce_find_status (const char *text,
                            gboolean    failures_only)
{
  g_autoptr(GMatchInfo) match = NULL;

  if (text == NULL)
    return NULL;
  g_regex_match (status_regex (), text, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      char *status = g_match_info_fetch (match, 0);

      /* In a text, "250 2.1.5 Ok" is a step of the transcript that went well. */
      if (!failures_only || status[0] != '2')
        return status;
      g_free (status);
    }
  return NULL;
}

char *
_cachet_bounce_squeeze (const char *text)
{
  GString *out;
  gboolean space = FALSE;

  if (text == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (const char *p = text; *p; p++)
    {
      if (g_ascii_isspace (*p))
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, *p);
    }
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* RFC 6533 3.2: "\x{HEX}" in a utf-8-addr-unitext stands for that character. */
static char *
decode_unitext (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    {
      if (p[0] == '\\' && p[1] == 'x' && p[2] == '{')
        {
          char *end = NULL;
          guint64 c = g_ascii_strtoull (p + 3, &end, 16);

          if (end != NULL && end > p + 3 && *end == '}' && c > 0 && c <= 0x10FFFF
              && g_unichar_validate ((gunichar) c))
            {
              g_string_append_unichar (out, (gunichar) c);
              p = end;
              continue;
            }
        }
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char *
_cachet_bounce_clean_address (const char *value)
{
  g_autofree char *copy = NULL;
  g_auto(GStrv) tokens = NULL;
  const char *semi;
  char *s;
  char *lt;

  if (value == NULL)
    return NULL;
  /* "rfc822; a@b": the address type goes (a single word before the semicolon). */
  semi = strchr (value, ';');
  if (semi != NULL)
    {
      const char *p = value + strspn (value, " \t");
      gsize n = strspn (p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

      if (n > 0 && p + n + strspn (p + n, " \t") == semi)
        value = semi + 1;
    }
  copy = decode_unitext (value);
  s = g_strstrip (copy);

  /* <a@b> anywhere wins. */
  lt = strchr (s, '<');
  if (lt != NULL)
    {
      char *gt = strchr (lt, '>');
      if (gt != NULL && memchr (lt, '@', gt - lt) != NULL)
        {
          *gt = '\0';
          s = g_strstrip (lt + 1);
        }
    }

  /* A quoted local part ("a..b"@example.org) stays as it is. */
  if (*s == '"')
    {
      const char *close = strstr (s + 1, "\"@");

      if (close != NULL)
        {
          const char *end = close + 2;

          while (*end && !g_ascii_isspace (*end) && !strchr ("<>,;()", *end))
            end++;
          if (end > close + 2)
            return g_strndup (s, end - s);
        }
    }

  tokens = g_strsplit_set (s, " \t\r\n", -1);
  for (int pass = 0; pass < 2; pass++)
    for (char **t = tokens; *t; t++)
      {
        char *tok = *t;
        gsize len;

        if (**t == '\0' || (pass == 0 && strchr (tok, '@') == NULL))
          continue;
        /* Leading and trailing punctuation around an address in running text. */
        while (*tok && strchr ("<>\"'()[],;:", *tok))
          tok++;
        len = strlen (tok);
        while (len > 0 && strchr ("<>\"'()[],;:.", tok[len - 1]))
          tok[--len] = '\0';
        if (len == 0)
          continue;
        return g_strdup (tok);
      }
  return NULL;
}

static FieldKind
field_kind (const char *name,
            gsize       len)
{
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (strlen (fields[i].name) == len && g_ascii_strncasecmp (fields[i].name, name, len) == 0)
      return fields[i].kind;
  return FIELD_OTHER;
}

/* "Name: value" at the start of @line: the name's length, or 0. */
static gsize
field_name_length (const char *line)
{
  const char *p = line;

  if (!g_ascii_isalpha (*p))
    return 0;
  while (g_ascii_isalnum (*p) || *p == '-' || *p == '_')
    p++;
  {
    const char *q = p;
    while (*q == ' ' || *q == '\t')
      q++;
    if (*q != ':')
      return 0;
  }
  return p - line;
}

static const char *
field_value (const char *line)
{
  const char *colon = strchr (line, ':');
  return colon ? colon + 1 : "";
}

/* The word after the type: "smtp; 550 ..." -> "550 ...". */
static const char *
skip_type (const char *value)
{
  const char *semi = strchr (value, ';');

  if (semi == NULL || semi - value > 24)
    return value;
  for (const char *p = value; p < semi; p++)
    if (!(g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.' || *p == ' '))
      return value;
  return semi + 1;
}

static void
group_finish (CachetBounce *bounce,
              Group        *group,
              guint        *added)
{
  CachetBounceRecipient *r;

  if (group->seen == 0)
    return;
  if (group->final == NULL && group->original == NULL && group->status == NULL
      && group->action == NULL)
    {
      group_clear (group);
      return;
    }
  r = _cachet_bounce_recipient_new ();
  r->recipient = _cachet_bounce_clean_address (group->final);
  if (r->recipient == NULL)
    r->recipient = _cachet_bounce_clean_address (group->original);
  /* The same recipient twice (a report repeated in one message) is listed once. */
  for (guint i = 0; i < bounce->recipients->len; i++)
    {
      CachetBounceRecipient *other = g_ptr_array_index (bounce->recipients, i);

      if (r->recipient != NULL && g_strcmp0 (other->recipient, r->recipient) == 0
          && g_strcmp0 (other->status, group->status) == 0
          && g_strcmp0 (other->action, group->action) == 0)
        {
          _cachet_bounce_recipient_free (r);
          group_clear (group);
          return;
        }
    }
  r->status = g_steal_pointer (&group->status);
  r->action = g_steal_pointer (&group->action);
  r->diagnostic = _cachet_bounce_squeeze (group->diagnostic ? skip_type (group->diagnostic)
                                                            : NULL);
  if (r->diagnostic == NULL && group->status_comment != NULL)
    r->diagnostic = g_steal_pointer (&group->status_comment);
  if (r->status == NULL)
    r->status = _cachet_bounce_find_status (r->diagnostic, TRUE);
  g_ptr_array_add (bounce->recipients, r);
  (*added)++;
  group_clear (group);
}

static void
set_field (CachetBounce *bounce,
           Group        *group,
           FieldKind     kind,
           const char   *value,
           guint        *added)
{
  g_autofree char *squeezed = NULL;

  if (kind == FIELD_OTHER)
    return;
  if (kind == FIELD_REPORTING_MTA)
    {
      if (bounce->reporting_mta == NULL)
        {
          g_autofree char *mta = _cachet_bounce_squeeze (skip_type (value));

          if (mta != NULL)
            g_strstrip (g_strdelimit (mta, "<>", ' '));
          if (mta != NULL && *mta != '\0')
            bounce->reporting_mta = g_steal_pointer (&mta);
        }
      return;
    }
  /* A field the group already has starts the next recipient (no blank line between). */
  if (group->seen & (1u << kind))
    group_finish (bounce, group, added);
  group->seen |= 1u << kind;

  squeezed = _cachet_bounce_squeeze (value);
  switch (kind)
    {
    case FIELD_ORIGINAL_RECIPIENT:
      group->original = g_steal_pointer (&squeezed);
      break;
    case FIELD_FINAL_RECIPIENT:
      group->final = g_steal_pointer (&squeezed);
      break;
    case FIELD_ACTION:
      if (squeezed != NULL)
        {
          char *space = strpbrk (squeezed, " (;");
          if (space != NULL)
            *space = '\0';
          group->action = g_ascii_strdown (squeezed, -1);
        }
      break;
    case FIELD_STATUS:
      group->status = _cachet_bounce_find_status (squeezed, FALSE);
      if (group->status != NULL && squeezed != NULL)
        {
          const char *rest = strstr (squeezed, group->status) + strlen (group->status);
          g_autofree char *comment = g_strdup (rest);

          g_strstrip (g_strdelimit (comment, "()", ' '));
          if (*comment)
            group->status_comment = _cachet_bounce_squeeze (comment);
        }
      break;
    case FIELD_DIAGNOSTIC:
      group->diagnostic = g_steal_pointer (&squeezed);
      break;
    case FIELD_OTHER:
    case FIELD_REPORTING_MTA:
    case FIELD_REMOTE_MTA:
    case FIELD_LAST_ATTEMPT:
    case FIELD_WILL_RETRY:
      break;
    }
}

guint
_cachet_bounce_parse_dsn (CachetBounce *bounce,
                          const char   *text,
                          gsize         len,
                          gboolean      in_text)
{
  g_autofree char *copy = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) value = g_string_new (NULL);
  FieldKind kind = FIELD_OTHER;
  gboolean in_field = FALSE;
  Group group = { 0 };
  guint added = 0;

  g_return_val_if_fail (bounce != NULL, 0);
  if (text == NULL || len == 0)
    return 0;

  copy = g_strndup (text, len);
  /* Any line ends: CRLF, CR alone, LF. */
  for (char *p = copy; *p; p++)
    if (*p == '\r')
      *p = p[1] == '\n' ? ' ' : '\n';
  lines = g_strsplit (copy, "\n", -1);

  for (char **l = lines; ; l++)
    {
      const char *line = *l;
      const char *start;
      gsize name_len;
      gboolean blank;

      if (line != NULL && (line[0] == ' ' || line[0] == '\t') && in_field)
        {
          const char *t = line + strspn (line, " \t");
          gsize n = in_text ? field_name_length (t) : 0;

          /* A continuation line, unless (in text) it is an indented field of its own. */
          if (n == 0 || field_kind (t, n) == FIELD_OTHER)
            {
              g_string_append_c (value, ' ');
              g_string_append (value, t);
              continue;
            }
        }
      /* The previous field is complete. */
      if (in_field)
        {
          set_field (bounce, &group, kind, value->str, &added);
          in_field = FALSE;
        }
      if (line == NULL)
        break;

      start = line;
      if (in_text)
        {
          /* Quoted ("> ") or indented fields in a text bounce. */
          while (*start == '>' || *start == ' ' || *start == '\t' || *start == '|')
            start++;
        }
      blank = TRUE;
      for (const char *p = start; *p; p++)
        if (!g_ascii_isspace (*p))
          blank = FALSE;
      if (blank)
        {
          group_finish (bounce, &group, &added);
          continue;
        }
      name_len = field_name_length (start);
      if (name_len == 0)
        {
          if (in_text)
            group_finish (bounce, &group, &added);
          continue;
        }
      kind = field_kind (start, name_len);
      if (in_text && kind == FIELD_OTHER)
        {
          group_finish (bounce, &group, &added);
          continue;
        }
      in_field = TRUE;
      g_string_assign (value, field_value (start));
    }
  group_finish (bounce, &group, &added);
  return added;
}
