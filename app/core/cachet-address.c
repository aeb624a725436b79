/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-address"

#include "config.h"

#include "cachet-address.h"

#include <libetpan/libetpan.h>
#include <string.h>

#include "cachet-charset.h"
#include "cachet-header.h"

G_DEFINE_BOXED_TYPE (CachetAddress, cachet_address, cachet_address_copy, cachet_address_free)

static char *
nonempty_or_null (char *s)
{
  if (s != NULL)
    g_strstrip (s);
  if (s != NULL && *s == '\0')
    g_clear_pointer (&s, g_free);
  return s;
}

/* Senders that quote an already quoted name end up with "\"Name\"": show Name. */
static char *
strip_outer_quotes (char *name)
{
  gsize len;

  if (name == NULL)
    return NULL;
  g_strstrip (name);
  len = strlen (name);
  while (len >= 2 && ((name[0] == '"' && name[len - 1] == '"')
                      || (name[0] == '\'' && name[len - 1] == '\'')))
    {
      memmove (name, name + 1, len - 2);
      name[len - 2] = '\0';
      g_strstrip (name);
      len = strlen (name);
    }
  return name;
}

CachetAddress *
cachet_address_new (const char *name,
                    const char *email)
{
  CachetAddress *address = g_new0 (CachetAddress, 1);

  /* Everything shown must be UTF-8; raw bytes in addresses are made valid here. */
  address->name = nonempty_or_null (strip_outer_quotes (name ? cachet_utf8_make_valid_len (name, -1)
                                                             : NULL));
  address->email = nonempty_or_null (email ? cachet_utf8_make_valid_len (email, -1) : NULL);
  return address;
}

CachetAddress *
cachet_address_copy (const CachetAddress *address)
{
  return cachet_address_new (address->name, address->email);
}

void
cachet_address_free (CachetAddress *address)
{
  if (address == NULL)
    return;
  g_free (address->name);
  g_free (address->email);
  g_free (address);
}

const char *
cachet_address_get_display (const CachetAddress *address)
{
  if (address->name != NULL)
    return address->name;
  if (address->email != NULL)
    return address->email;
  return "";
}

static gboolean
name_needs_quotes (const char *name)
{
  for (const char *p = name; *p; p++)
    if (strchr ("<>:;@,\"", *p) != NULL)
      return TRUE;
  return FALSE;
}

/* "Name <local@domain>" for display (UTF-8, not RFC 2047 encoded). */
char *
cachet_address_to_string (const CachetAddress *address)
{
  if (address->name != NULL && address->email != NULL)
    {
      if (name_needs_quotes (address->name))
        {
          GString *s = g_string_new ("\"");
          for (const char *p = address->name; *p; p++)
            {
              if (*p == '"' || *p == '\\')
                g_string_append_c (s, '\\');
              g_string_append_c (s, *p);
            }
          g_string_append_printf (s, "\" <%s>", address->email);
          return g_string_free (s, FALSE);
        }
      return g_strdup_printf ("%s <%s>", address->name, address->email);
    }
  if (address->email != NULL)
    return g_strdup (address->email);
  return g_strdup (address->name != NULL ? address->name : "");
}

char *
cachet_address_list_format (GPtrArray *addresses)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      g_autofree char *one = cachet_address_to_string (g_ptr_array_index (addresses, i));
      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append (s, one);
    }
  return g_string_free (s, FALSE);
}

static void
add_mailbox (GPtrArray              *out,
             struct mailimf_mailbox *mb)
{
  g_autofree char *name = NULL;

  if (mb == NULL)
    return;
  if (mb->mb_display_name != NULL)
    name = cachet_header_decode (mb->mb_display_name, NULL);
  g_ptr_array_add (out, cachet_address_new (name, mb->mb_addr_spec));
}

/* libetpan's obsolete-syntax rules accept things like "Name<a@b" as one local part. */
static gboolean
plausible_mailbox (struct mailimf_mailbox *mb)
{
  return mb == NULL || mb->mb_addr_spec == NULL
         || strpbrk (mb->mb_addr_spec, "<>()\", \t") == NULL;
}

static gboolean
plausible_list (struct mailimf_address_list *list)
{
  for (clistiter *it = clist_begin (list->ad_list); it != NULL; it = clist_next (it))
    {
      struct mailimf_address *addr = clist_content (it);
      if (addr->ad_type == MAILIMF_ADDRESS_MAILBOX && !plausible_mailbox (addr->ad_data.ad_mailbox))
        return FALSE;
      if (addr->ad_type == MAILIMF_ADDRESS_GROUP && addr->ad_data.ad_group != NULL
          && addr->ad_data.ad_group->grp_mb_list != NULL)
        for (clistiter *jt = clist_begin (addr->ad_data.ad_group->grp_mb_list->mb_list);
             jt != NULL; jt = clist_next (jt))
          if (!plausible_mailbox (clist_content (jt)))
            return FALSE;
    }
  return TRUE;
}

static gboolean
parse_with_libetpan (const char *value,
                     GPtrArray  *out)
{
  struct mailimf_address_list *list = NULL;
  size_t len = strlen (value);
  size_t idx = 0;
  clistiter *it;

  if (mailimf_address_list_parse (value, len, &idx, &list) != MAILIMF_NO_ERROR)
    return FALSE;
  while (idx < len && g_ascii_isspace (value[idx]))
    idx++;
  if (idx < len)
    {
      /* Parsed only a prefix: the rest would be lost, so use the tolerant reader. */
      mailimf_address_list_free (list);
      return FALSE;
    }

  if (!plausible_list (list))
    {
      mailimf_address_list_free (list);
      return FALSE;
    }

  for (it = clist_begin (list->ad_list); it != NULL; it = clist_next (it))
    {
      struct mailimf_address *addr = clist_content (it);

      if (addr->ad_type == MAILIMF_ADDRESS_MAILBOX)
        add_mailbox (out, addr->ad_data.ad_mailbox);
      else if (addr->ad_type == MAILIMF_ADDRESS_GROUP && addr->ad_data.ad_group != NULL
               && addr->ad_data.ad_group->grp_mb_list != NULL)
        {
          clistiter *jt;
          for (jt = clist_begin (addr->ad_data.ad_group->grp_mb_list->mb_list); jt != NULL;
               jt = clist_next (jt))
            add_mailbox (out, clist_content (jt));
        }
    }
  mailimf_address_list_free (list);
  return TRUE;
}

/* Splits at commas and semicolons outside quotes, comments and angle brackets. */
static GPtrArray *
split_items (const char *value)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_free);
  GString *cur = g_string_new (NULL);
  gboolean in_quote = FALSE;
  int angle = 0, comment = 0;

  for (const char *p = value; *p; p++)
    {
      char c = *p;
      if (in_quote)
        {
          if (c == '\\' && p[1])
            {
              g_string_append_c (cur, c);
              c = *++p;
            }
          else if (c == '"')
            in_quote = FALSE;
        }
      else if (c == '"')
        in_quote = TRUE;
      else if (c == '(')
        comment++;
      else if (c == ')' && comment > 0)
        comment--;
      else if (c == '<' && comment == 0)
        angle++;
      else if (c == '>' && angle > 0 && comment == 0)
        angle--;
      else if ((c == ',' || c == ';') && angle == 0 && comment == 0)
        {
          g_ptr_array_add (items, g_string_free (g_steal_pointer (&cur), FALSE));
          cur = g_string_new (NULL);
          continue;
        }
      else if (c == ':' && angle == 0 && comment == 0 && strchr (cur->str, '@') == NULL)
        {
          /* "Group name:" — the members follow. */
          g_string_truncate (cur, 0);
          continue;
        }
      g_string_append_c (cur, c);
    }
  g_ptr_array_add (items, g_string_free (cur, FALSE));
  return items;
}

static char *
strip_comments_and_quotes (const char *s)
{
  GString *out = g_string_new (NULL);
  int comment = 0;
  gboolean in_quote = FALSE;

  for (const char *p = s; *p; p++)
    {
      if (!in_quote && *p == '(')
        comment++;
      else if (!in_quote && *p == ')' && comment > 0)
        comment--;
      else if (comment > 0)
        continue;
      else if (*p == '"')
        in_quote = !in_quote;
      else if (in_quote && *p == '\\' && p[1])
        g_string_append_c (out, *++p);
      else
        g_string_append_c (out, *p);
    }
  return g_strstrip (g_string_free (out, FALSE));
}

static char *
comment_text (const char *s)
{
  const char *open = strchr (s, '(');
  const char *close = open ? strrchr (open, ')') : NULL;

  if (open == NULL || close == NULL)
    return NULL;
  return g_strndup (open + 1, close - open - 1);
}

static void
parse_tolerant (const char *value,
                GPtrArray  *out)
{
  g_autoptr(GPtrArray) items = split_items (value);

  for (guint i = 0; i < items->len; i++)
    {
      char *item = g_strstrip ((char *) g_ptr_array_index (items, i));
      const char *lt = strrchr (item, '<');
      const char *gt = lt ? strchr (lt, '>') : NULL;
      g_autofree char *name = NULL;
      g_autofree char *email = NULL;

      if (*item == '\0')
        continue;

      if (lt != NULL)
        {
          g_autofree char *raw_name = g_strndup (item, lt - item);
          email = g_strndup (lt + 1, gt ? (gsize) (gt - lt - 1) : strlen (lt + 1));
          g_strstrip (email);
          name = strip_comments_and_quotes (raw_name);
        }
      else if (strchr (item, '@') != NULL)
        {
          /* "addr@example.org (Real Name)" or a bare address. */
          g_autofree char *comment = comment_text (item);
          g_autofree char *bare = strip_comments_and_quotes (item);
          char *space = strpbrk (bare, " \t");
          if (space)
            *space = '\0';
          email = g_strdup (bare);
          name = g_steal_pointer (&comment);
        }
      else
        name = strip_comments_and_quotes (item);

      if (email != NULL && *email == '\0')
        g_clear_pointer (&email, g_free);
      if (name != NULL)
        {
          g_autofree char *decoded = cachet_header_decode (name, NULL);
          g_free (name);
          name = g_steal_pointer (&decoded);
        }
      if ((name == NULL || *name == '\0') && email == NULL)
        continue;
      g_ptr_array_add (out, cachet_address_new (name, email));
    }
}

GPtrArray *
cachet_address_list_parse (const char *raw_header_value)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_address_free);
  g_autofree char *value = NULL;

  if (raw_header_value == NULL)
    return out;

  value = cachet_header_unfold (raw_header_value);
  g_strstrip (value);
  if (*value == '\0')
    return out;

  if (!parse_with_libetpan (value, out))
    {
      g_ptr_array_set_size (out, 0);
      parse_tolerant (value, out);
    }
  return out;
}
