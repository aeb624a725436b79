/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-draft"

#include "config.h"

#include "cachet-draft.h"
#include "cachet-draft-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-address.h"
#include "cachet-core-error.h"
#include "cachet-header.h"

/* RFC 6068: mailto:[addr-spec *("," addr-spec)][?hfname=hfvalue *("&" hfname=hfvalue)],
 * everything percent-encoded UTF-8.  Only to, cc, bcc, subject, body and in-reply-to are
 * taken; other header fields a link asks for are ignored (section 3 lets a mail program
 * refuse any it does not consider safe). */

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static char *
percent_decode (const char  *text,
                gsize        len,
                GError     **error)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      if (text[i] != '%')
        {
          g_string_append_c (out, text[i]);
          continue;
        }
      if (i + 2 >= len || hex_digit (text[i + 1]) < 0 || hex_digit (text[i + 2]) < 0
          || (hex_digit (text[i + 1]) == 0 && hex_digit (text[i + 2]) == 0))
        {
          g_autofree char *bad = g_strndup (text + i, MIN (3, len - i));
          g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID,
                       _("The mailto: link has a broken escape “%s”."), bad);
          g_string_free (out, TRUE);
          return NULL;
        }
      g_string_append_c (out, (char) (hex_digit (text[i + 1]) * 16 + hex_digit (text[i + 2])));
      i += 2;
    }
  if (!g_utf8_validate (out->str, out->len, NULL))
    {
      g_set_error_literal (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID,
                           _("The mailto: link contains text that is not UTF-8."));
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static gboolean
add_addresses (GPtrArray   *list,
               const char  *text,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) parsed = _cachet_draft_parse_addresses (text, &local_error);

  if (parsed == NULL)
    {
      g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID,
                   _("The mailto: link has a bad address: %s"), local_error->message);
      return FALSE;
    }
  for (guint i = 0; i < parsed->len; i++)
    g_ptr_array_add (list, cachet_address_copy (g_ptr_array_index (parsed, i)));
  return TRUE;
}

static char *
format_or_null (GPtrArray *list)
{
  return list->len > 0 ? _cachet_draft_format_for_editing (list) : NULL;
}

CachetDraft *
cachet_draft_new_from_mailto (const char  *uri,
                              GError     **error)
{
  g_autoptr(CachetDraft) draft = NULL;
  g_autoptr(GPtrArray) to = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_address_free);
  g_autoptr(GPtrArray) cc = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_address_free);
  g_autoptr(GPtrArray) bcc = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_address_free);
  g_autofree char *copy = NULL;
  g_autofree char *path = NULL;
  g_autofree char *to_text = NULL;
  g_autofree char *cc_text = NULL;
  g_autofree char *bcc_text = NULL;
  const char *rest;
  const char *query;

  if (uri != NULL)
    copy = g_strstrip (g_strdup (uri));
  if (copy == NULL || g_ascii_strncasecmp (copy, "mailto:", 7) != 0)
    {
      g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID,
                   _("“%s” is not a mailto: link."), uri != NULL ? uri : "");
      return NULL;
    }
  /* A fragment is not part of a mailto: link's meaning. */
  if (strchr (copy, '#') != NULL)
    *strchr (copy, '#') = '\0';
  rest = copy + strlen ("mailto:");
  query = strchr (rest, '?');

  draft = cachet_draft_new ();
  path = percent_decode (rest, query != NULL ? (gsize) (query - rest) : strlen (rest), error);
  if (path == NULL || !add_addresses (to, path, error))
    return NULL;

  if (query != NULL && query[1] != '\0')
    {
      g_auto(GStrv) fields = g_strsplit (query + 1, "&", -1);

      for (char **f = fields; *f != NULL; f++)
        {
          const char *eq = strchr (*f, '=');
          g_autofree char *name = NULL;
          g_autofree char *value = NULL;

          if (**f == '\0')
            continue;  /* "&&" or a trailing "&" */
          if (eq == NULL || eq == *f)
            {
              g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID,
                           _("The mailto: link has a field without a name or a value: “%s”."),
                           *f);
              return NULL;
            }
          name = percent_decode (*f, eq - *f, error);
          if (name == NULL)
            return NULL;
          value = percent_decode (eq + 1, strlen (eq + 1), error);
          if (value == NULL)
            return NULL;

          if (g_ascii_strcasecmp (name, "to") == 0)
            {
              if (!add_addresses (to, value, error))
                return NULL;
            }
          else if (g_ascii_strcasecmp (name, "cc") == 0)
            {
              if (!add_addresses (cc, value, error))
                return NULL;
            }
          else if (g_ascii_strcasecmp (name, "bcc") == 0)
            {
              if (!add_addresses (bcc, value, error))
                return NULL;
            }
          else if (g_ascii_strcasecmp (name, "subject") == 0)
            {
              /* Encoded words (RFC 2047) in a link read as the text they stand for. */
              g_autofree char *subject = cachet_header_decode (value, NULL);
              cachet_draft_set_subject (draft, subject);
            }
          else if (g_ascii_strcasecmp (name, "body") == 0)
            cachet_draft_set_body (draft, value);
          else if (g_ascii_strcasecmp (name, "in-reply-to") == 0)
            cachet_draft_set_in_reply_to (draft, value);
          else
            g_debug ("mailto: ignoring the header field “%s”", name);
        }
    }

  to_text = format_or_null (to);
  cc_text = format_or_null (cc);
  bcc_text = format_or_null (bcc);
  cachet_draft_set_to (draft, to_text);
  cachet_draft_set_cc (draft, cc_text);
  cachet_draft_set_bcc (draft, bcc_text);
  return g_steal_pointer (&draft);
}
