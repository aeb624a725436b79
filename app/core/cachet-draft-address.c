/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-draft"

#include "config.h"

#include "cachet-draft-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-address.h"
#include "cachet-core-error.h"

/* Address fields as the user types them, checked before anything is sent: each entry
 * must be one addr-spec (RFC 5322 3.4.1), with or without a display name.  The parser of
 * received mail (cachet_address_list_parse()) is lenient on purpose; this one names the
 * entry that is wrong instead of guessing. */

static gboolean
valid_dot_atom (const char *s,
                gsize       len)
{
  if (len == 0 || s[0] == '.' || s[len - 1] == '.')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (s[i] == '.' && s[i + 1] == '.')
        return FALSE;
      if (s[i] != '.' && !_cachet_draft_is_atext ((guchar) s[i]))
        return FALSE;
    }
  return TRUE;
}

static gboolean
valid_quoted_local (const char *s,
                    gsize       len)
{
  if (len < 2 || s[0] != '"' || s[len - 1] != '"')
    return FALSE;
  for (gsize i = 1; i < len - 1; i++)
    {
      guchar c = (guchar) s[i];

      if (c == '\\')
        {
          if (i + 1 >= len - 1 || (guchar) s[i + 1] < 0x20 || (guchar) s[i + 1] > 0x7e)
            return FALSE;
          i++;
        }
      else if (c == '"' || c < 0x20 || c > 0x7e)
        return FALSE;
    }
  return TRUE;
}

static gboolean
valid_hostname (const char *host)
{
  g_auto(GStrv) labels = g_strsplit (host, ".", -1);

  if (strlen (host) > 253)
    return FALSE;
  for (char **l = labels; *l; l++)
    {
      gsize n = strlen (*l);

      if (n == 0 || n > 63 || (*l)[0] == '-' || (*l)[n - 1] == '-')
        return FALSE;
      for (gsize i = 0; i < n; i++)
        if (!g_ascii_isalnum ((*l)[i]) && (*l)[i] != '-' && (*l)[i] != '_')
          return FALSE;
    }
  return TRUE;
}

char *
_cachet_draft_quote_local_part (const char *local,
                                gssize      len)
{
  GString *out;

  if (len < 0)
    len = strlen (local);
  if (valid_dot_atom (local, len))
    return g_strndup (local, len);
  out = g_string_new ("\"");
  for (gssize i = 0; i < len; i++)
    {
      if (local[i] == '"' || local[i] == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, local[i]);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

/* The text inside a quoted local part, escapes undone. */
static char *
unquote_local (const char *local)
{
  gsize len = strlen (local);
  GString *out = g_string_new (NULL);

  for (gsize i = 1; i + 1 < len; i++)
    {
      if (local[i] == '\\')
        i++;
      g_string_append_c (out, local[i]);
    }
  return g_string_free (out, FALSE);
}

char *
_cachet_draft_normalize_addr_spec (const char *addr_spec)
{
  const char *at;
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;
  char *result;

  if (addr_spec == NULL || !g_utf8_validate (addr_spec, -1, NULL))
    return NULL;
  at = strrchr (addr_spec, '@');
  if (at == NULL || at == addr_spec || at[1] == '\0')
    return NULL;
  local = g_strndup (addr_spec, at - addr_spec);
  if (strlen (local) > 64
      || !(valid_dot_atom (local, strlen (local)) || valid_quoted_local (local, strlen (local))))
    return NULL;
  if (local[0] == '"')
    {
      /* One spelling for one address: quotes only where needed, escapes only for '"' and
       * '\\' (the form readers give back). */
      g_autofree char *inner = unquote_local (local);

      if (*inner == '\0')
        return NULL;
      g_free (local);
      local = _cachet_draft_quote_local_part (inner, -1);
    }

  if (at[1] == '[')
    {
      gsize n = strlen (at + 1);

      if (n < 3 || at[n] != ']')
        return NULL;
      for (gsize i = 2; i < n; i++)
        if ((guchar) at[i] < 0x21 || (guchar) at[i] > 0x7e || at[i] == '[' || at[i] == '\\')
          return NULL;
      domain = g_strdup (at + 1);
    }
  else
    {
      /* Internationalised domains go out in their ASCII (IDNA) form. */
      domain = g_hostname_to_ascii (at + 1);
      if (domain == NULL || !valid_hostname (domain))
        return NULL;
    }

  result = g_strdup_printf ("%s@%s", local, domain);
  if (strlen (result) > 254)
    g_clear_pointer (&result, g_free);
  return result;
}

/* Splits at commas and semicolons outside quotes, comments and angle brackets; a group's
 * "name:" is dropped. */
static GPtrArray *
split_items (const char *text)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_free);
  GString *cur = g_string_new (NULL);
  gboolean quoted = FALSE;
  int angle = 0, comment = 0;

  for (const char *p = text; *p; p++)
    {
      char c = *p;

      if (quoted)
        {
          if (c == '\\' && p[1] != '\0')
            {
              g_string_append_c (cur, c);
              c = *++p;
            }
          else if (c == '"')
            quoted = FALSE;
        }
      else if (c == '"')
        quoted = TRUE;
      else if (c == '(')
        comment++;
      else if (c == ')' && comment > 0)
        comment--;
      else if (comment == 0 && c == '<')
        angle++;
      else if (comment == 0 && c == '>' && angle > 0)
        angle--;
      else if (comment == 0 && angle == 0 && (c == ',' || c == ';'))
        {
          g_ptr_array_add (items, g_string_free (g_steal_pointer (&cur), FALSE));
          cur = g_string_new (NULL);
          continue;
        }
      else if (comment == 0 && angle == 0 && c == ':' && strchr (cur->str, '@') == NULL)
        {
          g_string_truncate (cur, 0);
          continue;
        }
      g_string_append_c (cur, c);
    }
  g_ptr_array_add (items, g_string_free (cur, FALSE));
  return items;
}

/* A display name as typed: quotes removed, escapes undone, comments kept as text. */
static char *
unquote_name (const char *raw)
{
  g_autofree char *s = g_strstrip (g_strdup (raw));
  gsize len = strlen (s);
  GString *out;

  if (len < 2 || s[0] != '"' || s[len - 1] != '"')
    return g_steal_pointer (&s);
  out = g_string_new (NULL);
  for (gsize i = 1; i < len - 1; i++)
    {
      if (s[i] == '\\' && i + 1 < len - 1)
        i++;
      g_string_append_c (out, s[i]);
    }
  return g_string_free (out, FALSE);
}

static const char *
find_unquoted (const char *s,
               char        c)
{
  gboolean quoted = FALSE;

  for (const char *p = s; *p; p++)
    {
      if (quoted && *p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '"')
        quoted = !quoted;
      else if (!quoted && *p == c)
        return p;
    }
  return NULL;
}

static CachetAddress *
parse_item (const char  *item,
            GError     **error)
{
  g_autofree char *name = NULL;
  g_autofree char *addr = NULL;
  g_autofree char *normal = NULL;
  const char *lt = find_unquoted (item, '<');

  if (lt != NULL)
    {
      const char *gt = find_unquoted (lt, '>');

      if (gt != NULL)
        {
          const char *rest = gt + 1;

          while (g_ascii_isspace (*rest))
            rest++;
          if (*rest == '\0')
            {
              g_autofree char *raw_name = g_strndup (item, lt - item);

              name = unquote_name (raw_name);
              addr = g_strstrip (g_strndup (lt + 1, gt - lt - 1));
            }
        }
    }
  else
    {
      const char *open = find_unquoted (item, '(');
      const char *close = open != NULL ? strrchr (open, ')') : NULL;

      if (open != NULL && close != NULL)
        {
          /* "addr@example.org (Real Name)" */
          g_autofree char *before = g_strndup (item, open - item);

          name = g_strstrip (g_strndup (open + 1, close - open - 1));
          addr = g_strconcat (g_strstrip (before), close + 1, NULL);
          g_strstrip (addr);
        }
      else
        addr = g_strdup (item);
    }

  if (addr != NULL)
    normal = _cachet_draft_normalize_addr_spec (addr);
  if (normal == NULL)
    {
      g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID,
                   _("“%s” is not a valid e-mail address."), item);
      return NULL;
    }
  return cachet_address_new (name, normal);
}

GPtrArray *
_cachet_draft_parse_addresses (const char  *text,
                               GError     **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_address_free);
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *clean = _cachet_draft_header_text (text);

  items = split_items (clean);
  for (guint i = 0; i < items->len; i++)
    {
      char *item = g_strstrip ((char *) g_ptr_array_index (items, i));
      CachetAddress *address;

      if (*item == '\0')
        continue;
      address = parse_item (item, error);
      if (address == NULL)
        return NULL;
      g_ptr_array_add (out, address);
    }
  return g_steal_pointer (&out);
}
