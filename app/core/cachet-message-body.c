/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-message"

#include "config.h"

#include "cachet-message.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-address.h"
#include "cachet-charset.h"
#include "cachet-header.h"
#include "cachet-message-private.h"
#include "cachet-part-private.h"

/* Which parts of a parsed message are its body and which its attachments, and the body
 * text as the viewer shows it (the parsing is in cachet-message.c). */

/* ---- what the viewer shows ---------------------------------------------------------- */

static gboolean
is_displayable_single (CachetPart *part)
{
  /* A multipart without a boundary never got split: its text is shown as it is. */
  if (part->kind == CACHET_PART_SINGLE && g_str_has_prefix (part->mime_type, "multipart/"))
    return TRUE;
  static const char * const types[] = {
    "text/plain", "text/html", "text/enriched", "text/richtext", "text/rfc822-headers",
    "message/delivery-status", "message/global-delivery-status",
    "message/disposition-notification", "message/feedback-report",
    "message/global-headers", NULL
  };
  for (const char * const *t = types; *t; t++)
    if (g_str_equal (part->mime_type, *t))
      return TRUE;
  return FALSE;
}

static gboolean
is_signature (CachetPart *part)
{
  return g_str_equal (part->mime_type, "application/pgp-signature")
         || g_str_equal (part->mime_type, "application/pkcs7-signature")
         || g_str_equal (part->mime_type, "application/x-pkcs7-signature");
}

static gboolean
contains_text (CachetPart *part)
{
  if (part->kind == CACHET_PART_SINGLE)
    return is_displayable_single (part)
           && !(part->disposition && g_str_equal (part->disposition, "attachment"));
  for (guint i = 0; i < part->children->len; i++)
    if (contains_text (g_ptr_array_index (part->children, i)))
      return TRUE;
  return FALSE;
}

static void collect (CachetMessage *self, CachetPart *part, GPtrArray *body, GPtrArray *att);

static gboolean
same_content_id (const char *a,
                 const char *b)
{
  gsize la, lb;

  while (*a == '<' || *a == ' ')
    a++;
  while (*b == '<' || *b == ' ')
    b++;
  la = strcspn (a, "> ");
  lb = strcspn (b, "> ");
  return la == lb && la > 0 && g_ascii_strncasecmp (a, b, la) == 0;
}

static CachetPart *
related_root (CachetPart *part)
{
  const char *start = cachet_part_get_parameter (part, "start");
  const char *type = cachet_part_get_parameter (part, "type");

  if (part->children->len == 0)
    return NULL;
  for (guint i = 0; start != NULL && i < part->children->len; i++)
    {
      CachetPart *c = g_ptr_array_index (part->children, i);
      if (c->content_id != NULL && same_content_id (c->content_id, start))
        return c;
    }
  /* Some generators put the resources first; the "type" parameter names the root's type. */
  for (guint i = 0; type != NULL && i < part->children->len; i++)
    {
      CachetPart *c = g_ptr_array_index (part->children, i);
      if (g_ascii_strcasecmp (c->mime_type, type) == 0)
        return c;
    }
  return g_ptr_array_index (part->children, 0);
}

static void
collect_all_as_attachments (CachetPart *part,
                            GPtrArray  *att)
{
  if (part->kind == CACHET_PART_MULTIPART)
    {
      for (guint i = 0; i < part->children->len; i++)
        collect_all_as_attachments (g_ptr_array_index (part->children, i), att);
    }
  else if (!is_signature (part))
    g_ptr_array_add (att, cachet_part_ref (part));
}

static gboolean
has_visible_text (CachetPart *part)
{
  g_autoptr(GBytes) decoded = cachet_part_get_decoded (part);
  gsize len;
  const char *data = g_bytes_get_data (decoded, &len);

  for (gsize i = 0; data != NULL && i < len; i++)
    if (!g_ascii_isspace (data[i]))
      return TRUE;
  return FALSE;
}

static void
collect_alternative (CachetMessage *self,
                     CachetPart    *part,
                     GPtrArray     *body,
                     GPtrArray     *att)
{
  CachetPart *best = NULL;

  /* Plain text first (what the sender typed, no remote content); then a structure that
   * holds text (multipart/related with the HTML); then HTML; then the last part. */
  for (guint i = 0; i < part->children->len && best == NULL; i++)
    {
      CachetPart *c = g_ptr_array_index (part->children, i);
      if (g_str_equal (c->mime_type, "text/plain") && has_visible_text (c))
        best = c;
    }
  for (guint i = 0; i < part->children->len && best == NULL; i++)
    {
      CachetPart *c = g_ptr_array_index (part->children, i);
      if (c->kind == CACHET_PART_MULTIPART && contains_text (c))
        best = c;
    }
  for (guint i = 0; i < part->children->len && best == NULL; i++)
    {
      CachetPart *c = g_ptr_array_index (part->children, i);
      if (c->kind == CACHET_PART_SINGLE && is_displayable_single (c) && has_visible_text (c))
        best = c;
    }
  for (guint i = 0; i < part->children->len && best == NULL; i++)
    {
      CachetPart *c = g_ptr_array_index (part->children, i);
      if (c->kind == CACHET_PART_SINGLE && is_displayable_single (c))
        best = c;
    }
  if (best == NULL && part->children->len > 0)
    best = g_ptr_array_index (part->children, part->children->len - 1);
  if (best != NULL)
    collect (self, best, body, att);

  /* Files inside the alternatives not shown (e.g. images of the HTML version) and
   * alternatives that are not text versions (text/calendar invitations) are still
   * offered, so nothing in the message is out of reach. */
  for (guint i = 0; i < part->children->len; i++)
    {
      CachetPart *c = g_ptr_array_index (part->children, i);
      if (c != best && c->kind == CACHET_PART_SINGLE && !is_displayable_single (c))
        g_ptr_array_add (att, cachet_part_ref (c));
      else if (c != best && c->kind == CACHET_PART_MULTIPART)
        {
          g_autoptr(GPtrArray) ignored = g_ptr_array_new_with_free_func (
            (GDestroyNotify) cachet_part_unref);
          g_autoptr(GPtrArray) extra = g_ptr_array_new_with_free_func (
            (GDestroyNotify) cachet_part_unref);
          collect_all_as_attachments (c, extra);
          for (guint j = 0; j < extra->len; j++)
            {
              CachetPart *e = g_ptr_array_index (extra, j);
              if (!is_displayable_single (e) || e->filename != NULL)
                g_ptr_array_add (att, cachet_part_ref (e));
            }
        }
    }
}

static void
collect (CachetMessage *self,
         CachetPart    *part,
         GPtrArray     *body,
         GPtrArray     *att)
{
  switch (part->kind)
    {
    case CACHET_PART_MULTIPART:
      if (g_str_equal (part->mime_type, "multipart/alternative"))
        collect_alternative (self, part, body, att);
      else if (g_str_equal (part->mime_type, "multipart/encrypted"))
        {
          /* Shown as a notice; the crypto host decrypts it when a plugin can. */
          g_ptr_array_add (body, cachet_part_ref (part));
        }
      else if (g_str_equal (part->mime_type, "multipart/signed"))
        {
          for (guint i = 0; i < part->children->len; i++)
            {
              CachetPart *c = g_ptr_array_index (part->children, i);
              if (i == 0)
                collect (self, c, body, att);
              else if (!is_signature (c))
                g_ptr_array_add (att, cachet_part_ref (c));
            }
        }
      else if (g_str_equal (part->mime_type, "multipart/related"))
        {
          /* The root (RFC 2387: the "start" part, else the first) is the document; the rest
           * are its resources. */
          CachetPart *root = related_root (part);
          for (guint i = 0; i < part->children->len; i++)
            {
              CachetPart *c = g_ptr_array_index (part->children, i);
              if (c == root)
                collect (self, c, body, att);
              else
                collect_all_as_attachments (c, att);
            }
        }
      else if (part->children->len == 0 && part->body_length > 0)
        {
          /* libetpan found no parts at all (no usable boundary): show the text as it is
           * rather than nothing. */
          g_ptr_array_add (body, cachet_part_ref (part));
        }
      else
        {
          for (guint i = 0; i < part->children->len; i++)
            collect (self, g_ptr_array_index (part->children, i), body, att);
        }
      break;

    case CACHET_PART_MESSAGE:
      if (part->disposition != NULL && g_str_equal (part->disposition, "attachment"))
        g_ptr_array_add (att, cachet_part_ref (part));
      else
        {
          g_ptr_array_add (body, cachet_part_ref (part));
          if (part->children->len > 0)
            collect (self, g_ptr_array_index (part->children, 0), body, att);
        }
      break;

    case CACHET_PART_SINGLE:
    default:
      if (is_displayable_single (part)
          && !(part->disposition && g_str_equal (part->disposition, "attachment")))
        {
          g_ptr_array_add (body, cachet_part_ref (part));
          if (part->filename != NULL)
            g_ptr_array_add (att, cachet_part_ref (part));
        }
      else if (!is_signature (part) || part->parent == NULL
               || !g_str_equal (part->parent->mime_type, "multipart/signed"))
        g_ptr_array_add (att, cachet_part_ref (part));
      break;
    }
}

/* "1.2" before "1.10" before "2". */
static int
compare_document_order (gconstpointer a,
                        gconstpointer b)
{
  const char *pa = (*(CachetPart * const *) a)->path;
  const char *pb = (*(CachetPart * const *) b)->path;

  while (*pa && *pb)
    {
      char *ea, *eb;
      guint64 na = g_ascii_strtoull (pa, &ea, 10);
      guint64 nb = g_ascii_strtoull (pb, &eb, 10);
      if (na != nb)
        return na < nb ? -1 : 1;
      pa = *ea == '.' ? ea + 1 : ea;
      pb = *eb == '.' ? eb + 1 : eb;
      if (ea == pa && eb == pb)
        break;
    }
  return (*pa != '\0') - (*pb != '\0');
}

static void
ensure_collected (CachetMessage *self)
{
  if (self->body_parts != NULL)
    return;
  self->body_parts = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_part_unref);
  self->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_part_unref);
  if (self->raw)
    g_ptr_array_add (self->body_parts, cachet_part_ref (self->root));
  else
    collect (self, self->root, self->body_parts, self->attachments);
  g_ptr_array_sort (self->attachments, compare_document_order);
}

GPtrArray *
cachet_message_get_body_parts (CachetMessage *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), NULL);
  ensure_collected (self);
  return self->body_parts;
}

GPtrArray *
cachet_message_get_attachments (CachetMessage *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), NULL);
  ensure_collected (self);
  return self->attachments;
}

gboolean
cachet_message_has_attachments (CachetMessage *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), FALSE);
  ensure_collected (self);
  return self->attachments->len > 0;
}

static void
append_embedded_headers (GString    *out,
                         CachetPart *part)
{
  static const char * const names[] = { "From", "Date", "Subject", "To", "Cc", NULL };

  g_string_append (out, _("──────── Attached message ────────"));
  g_string_append_c (out, '\n');
  for (const char * const *n = names; *n; n++)
    {
      const char *value = _cachet_part_get_header (part, *n);
      g_autofree char *formatted = NULL;

      if (value == NULL || *value == '\0')
        continue;
      if (g_str_equal (*n, "From") || g_str_equal (*n, "To") || g_str_equal (*n, "Cc"))
        {
          g_autoptr(GPtrArray) list = cachet_address_list_parse (_cachet_message_find_raw_header (part->headers,
                                                                                  *n));
          formatted = cachet_address_list_format (list);
          if (*formatted != '\0')
            value = formatted;
        }
      g_string_append_printf (out, "%s: %s\n", *n, value);
    }
  g_string_append_c (out, '\n');
}

const char *
cachet_message_get_body_text (CachetMessage *self)
{
  GString *out;

  g_return_val_if_fail (CACHET_IS_MESSAGE (self), NULL);
  if (self->body_text != NULL)
    return self->body_text;

  ensure_collected (self);
  out = g_string_new (NULL);
  for (guint i = 0; i < self->body_parts->len; i++)
    {
      CachetPart *part = g_ptr_array_index (self->body_parts, i);
      CachetPart *previous = i > 0 ? g_ptr_array_index (self->body_parts, i - 1) : NULL;

      if (out->len > 0 && out->str[out->len - 1] != '\n')
        g_string_append_c (out, '\n');
      /* A blank line between parts, but not between an attached message's header block
       * (which ends with one) and its body. */
      if (out->len > 0 && !(previous != NULL && previous->kind == CACHET_PART_MESSAGE))
        g_string_append_c (out, '\n');

      if (part->kind == CACHET_PART_MESSAGE)
        append_embedded_headers (out, part);
      else if (part->kind == CACHET_PART_MULTIPART
               && !g_str_equal (part->mime_type, "multipart/encrypted"))
        {
          g_autoptr(GBytes) raw = g_bytes_new_from_bytes (part->raw, part->body_offset,
                                                          part->body_length);
          gsize rlen;
          const char *rdata = g_bytes_get_data (raw, &rlen);
          g_autofree char *text = cachet_charset_to_utf8 (rdata ? rdata : "", rlen, NULL, NULL);

          g_string_append (out, text);
          _cachet_message_add_warning (self, g_strdup_printf (_("Part %s (%s) could not be split into its "
                                                "parts; it is shown as raw text."),
                                              *part->path ? part->path : "1", part->mime_type));
        }
      else if (part->kind == CACHET_PART_MULTIPART)
        {
          const char *protocol = cachet_part_get_parameter (part, "protocol");
          g_string_append_printf (out, _("[This part is encrypted (%s). No installed plugin "
                                         "can decrypt it.]\n"),
                                  protocol ? protocol : part->mime_type);
        }
      else
        {
          g_autofree char *note = NULL;
          g_autofree char *text = cachet_part_get_text (part, &note);

          if (g_str_has_prefix (part->mime_type, "multipart/"))
            _cachet_message_add_warning (self, g_strdup_printf (_("Part %s (%s) has no boundary, so it could "
                                                  "not be split into its parts; it is shown "
                                                  "as raw text."),
                                                part->path, part->mime_type));
          /* Trailing blank lines and spaces carry nothing. */
          g_strchomp (text);
          g_string_append (out, text);
          if (note != NULL)
            _cachet_message_add_warning (self, g_steal_pointer (&note));
        }
    }
  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  self->body_text = g_string_free (out, FALSE);
  return self->body_text;
}
