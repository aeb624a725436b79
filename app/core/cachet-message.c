/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-message"

#include "config.h"

#include "cachet-message.h"

#include <glib/gi18n.h>
#include <libetpan/libetpan.h>
#include <string.h>

#include "cachet-address.h"
#include "cachet-charset.h"
#include "cachet-core-error.h"
#include "cachet-date.h"
#include "cachet-header.h"
#include "cachet-mime-params.h"
#include "cachet-message-private.h"
#include "cachet-part-private.h"

/* Nesting deeper than this is not real mail; such parts are listed as unreadable. */
#define MAX_MIME_DEPTH 48


G_DEFINE_FINAL_TYPE (CachetMessage, cachet_message, G_TYPE_OBJECT)

static void
cachet_message_finalize (GObject *object)
{
  CachetMessage *self = CACHET_MESSAGE (object);

  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_pointer (&self->headers, g_ptr_array_unref);
  g_free (self->subject);
  g_clear_pointer (&self->from, g_ptr_array_unref);
  g_clear_pointer (&self->sender, g_ptr_array_unref);
  g_clear_pointer (&self->reply_to, g_ptr_array_unref);
  g_clear_pointer (&self->to, g_ptr_array_unref);
  g_clear_pointer (&self->cc, g_ptr_array_unref);
  g_clear_pointer (&self->bcc, g_ptr_array_unref);
  g_clear_pointer (&self->date, g_date_time_unref);
  g_free (self->message_id);
  g_free (self->in_reply_to);
  g_strfreev (self->references);
  g_clear_pointer (&self->root, cachet_part_unref);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_pointer (&self->body_parts, g_ptr_array_unref);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_free (self->body_text);

  G_OBJECT_CLASS (cachet_message_parent_class)->finalize (object);
}

static void
cachet_message_class_init (CachetMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cachet_message_finalize;
}

static void
cachet_message_init (CachetMessage *self)
{
  self->warnings = g_ptr_array_new_with_free_func (g_free);
}

void
_cachet_message_add_warning (CachetMessage *self,
                             char          *text)
{
  for (guint i = 0; i < self->warnings->len; i++)
    if (g_str_equal (g_ptr_array_index (self->warnings, i), text))
      {
        g_free (text);
        return;
      }
  g_ptr_array_add (self->warnings, text);
}

/* ---- header fields ---------------------------------------------------------------- */

/* The header block as raw name/value pairs, parsed by libetpan; stops where libetpan's
 * MIME parser also stops (the blank line, or the first line that is not a header). */
static GPtrArray *
parse_header_fields (const char *data,
                     gsize       len)
{
  GPtrArray *headers = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_header_field_free);
  struct mailimf_fields *fields = NULL;
  size_t idx = 0;

  if (len == 0)
    return headers;
  if (mailimf_optional_fields_parse (data, len, &idx, &fields) != MAILIMF_NO_ERROR)
    return headers;

  for (clistiter *it = clist_begin (fields->fld_list); it != NULL; it = clist_next (it))
    {
      struct mailimf_field *field = clist_content (it);
      struct mailimf_optional_field *opt = field->fld_data.fld_optional_field;
      CachetHeaderField *f;

      if (field->fld_type != MAILIMF_FIELD_OPTIONAL_FIELD || opt == NULL)
        continue;
      f = g_new0 (CachetHeaderField, 1);
      f->name = cachet_utf8_make_valid_len (opt->fld_name, -1);
      f->raw_value = g_strdup (opt->fld_value ? opt->fld_value : "");
      g_ptr_array_add (headers, f);
    }
  mailimf_fields_free (fields);
  return headers;
}

static void
decode_header_fields (GPtrArray  *headers,
                      const char *fallback_charset)
{
  for (guint i = 0; i < headers->len; i++)
    {
      CachetHeaderField *f = g_ptr_array_index (headers, i);
      if (f->value == NULL)
        f->value = cachet_header_decode (f->raw_value, fallback_charset);
    }
}

const char *
_cachet_message_find_raw_header (GPtrArray  *headers,
                                 const char *name)
{
  for (guint i = 0; i < headers->len; i++)
    {
      CachetHeaderField *f = g_ptr_array_index (headers, i);
      if (g_ascii_strcasecmp (f->name, name) == 0)
        return f->raw_value;
    }
  return NULL;
}

/* All "<id>" tokens of a Message-ID / In-Reply-To / References value, without brackets.
 * Without any brackets, whitespace-separated tokens that look like ids (contain '@'). */
static GPtrArray *
extract_msg_ids (const char *raw)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *value = NULL;

  if (raw == NULL)
    return ids;
  value = cachet_header_unfold (raw);

  for (const char *p = value; (p = strchr (p, '<')) != NULL;)
    {
      const char *end = strchr (p + 1, '>');
      if (end == NULL)
        break;
      if (end > p + 1)
        {
          g_autofree char *id = cachet_utf8_make_valid_len (p + 1, end - p - 1);
          g_strstrip (id);
          if (*id != '\0' && strpbrk (id, " \t<") == NULL)
            g_ptr_array_add (ids, g_steal_pointer (&id));
        }
      p = end + 1;
    }
  if (ids->len == 0)
    {
      g_auto(GStrv) tokens = g_strsplit_set (value, " \t,", -1);
      for (char **t = tokens; *t; t++)
        if (strchr (*t, '@') != NULL)
          g_ptr_array_add (ids, cachet_utf8_make_valid_len (*t, -1));
    }
  return ids;
}

/* ---- MIME tree from libetpan -------------------------------------------------------- */

typedef struct
{
  CachetMessage *message;
  GBytes        *bytes;
  const char    *base;
  gsize          len;
} Builder;

static char *
mime_type_string (struct mailmime_content *ct,
                  const char              *fallback)
{
  const char *type = NULL;
  g_autofree char *result = NULL;

  if (ct == NULL || ct->ct_type == NULL || ct->ct_subtype == NULL)
    return g_strdup (fallback);

  if (ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE && ct->ct_type->tp_data.tp_discrete_type)
    {
      struct mailmime_discrete_type *d = ct->ct_type->tp_data.tp_discrete_type;
      switch (d->dt_type)
        {
        case MAILMIME_DISCRETE_TYPE_TEXT: type = "text"; break;
        case MAILMIME_DISCRETE_TYPE_IMAGE: type = "image"; break;
        case MAILMIME_DISCRETE_TYPE_AUDIO: type = "audio"; break;
        case MAILMIME_DISCRETE_TYPE_VIDEO: type = "video"; break;
        case MAILMIME_DISCRETE_TYPE_APPLICATION: type = "application"; break;
        case MAILMIME_DISCRETE_TYPE_EXTENSION: type = d->dt_extension; break;
        default: break;
        }
    }
  else if (ct->ct_type->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE
           && ct->ct_type->tp_data.tp_composite_type)
    {
      struct mailmime_composite_type *c = ct->ct_type->tp_data.tp_composite_type;
      switch (c->ct_type)
        {
        case MAILMIME_COMPOSITE_TYPE_MESSAGE: type = "message"; break;
        case MAILMIME_COMPOSITE_TYPE_MULTIPART: type = "multipart"; break;
        case MAILMIME_COMPOSITE_TYPE_EXTENSION: type = c->ct_token; break;
        default: break;
        }
    }
  if (type == NULL)
    return g_strdup (fallback);

  result = g_strdup_printf ("%s/%s", type, ct->ct_subtype);
  {
    g_autofree char *lower = g_ascii_strdown (result, -1);
    return cachet_utf8_make_valid_len (lower, -1);
  }
}

static gboolean
range_of (Builder    *b,
          const char *ptr,
          gsize       len,
          gsize      *offset)
{
  if (ptr == NULL || ptr < b->base || ptr > b->base + b->len
      || len > (gsize) (b->base + b->len - ptr))
    return FALSE;
  *offset = ptr - b->base;
  return TRUE;
}

static void
read_mime_fields (CachetPart             *part,
                  struct mailmime_fields *fields)
{
  g_autoptr(CachetMimeParams) disp = cachet_mime_params_new ();
  gboolean have_disp = FALSE;

  if (fields == NULL)
    return;

  for (clistiter *it = clist_begin (fields->fld_list); it != NULL; it = clist_next (it))
    {
      struct mailmime_field *f = clist_content (it);

      switch (f->fld_type)
        {
        case MAILMIME_FIELD_TRANSFER_ENCODING:
          if (f->fld_data.fld_encoding != NULL)
            {
              part->encoding = f->fld_data.fld_encoding->enc_type;
              g_free (part->encoding_name);
              switch (part->encoding)
                {
                case MAILMIME_MECHANISM_7BIT: part->encoding_name = g_strdup ("7bit"); break;
                case MAILMIME_MECHANISM_8BIT: part->encoding_name = g_strdup ("8bit"); break;
                case MAILMIME_MECHANISM_BINARY: part->encoding_name = g_strdup ("binary"); break;
                case MAILMIME_MECHANISM_BASE64: part->encoding_name = g_strdup ("base64"); break;
                case MAILMIME_MECHANISM_QUOTED_PRINTABLE:
                  part->encoding_name = g_strdup ("quoted-printable");
                  break;
                default:
                  part->encoding_name = f->fld_data.fld_encoding->enc_token
                    ? cachet_utf8_make_valid_len (f->fld_data.fld_encoding->enc_token, -1)
                    : g_strdup ("7bit");
                  {
                    char *lower = g_ascii_strdown (part->encoding_name, -1);
                    g_free (part->encoding_name);
                    part->encoding_name = lower;
                  }
                  g_strstrip (part->encoding_name);
                  break;
                }
            }
          break;
        case MAILMIME_FIELD_ID:
          g_free (part->content_id);
          part->content_id = f->fld_data.fld_id
                             ? cachet_utf8_make_valid_len (f->fld_data.fld_id, -1) : NULL;
          break;
        case MAILMIME_FIELD_DESCRIPTION:
          g_free (part->description);
          part->description = cachet_header_decode (f->fld_data.fld_description, NULL);
          break;
        case MAILMIME_FIELD_DISPOSITION:
          if (f->fld_data.fld_disposition != NULL && !have_disp)
            {
              struct mailmime_disposition *d = f->fld_data.fld_disposition;
              have_disp = TRUE;
              if (d->dsp_type != NULL)
                {
                  switch (d->dsp_type->dsp_type)
                    {
                    case MAILMIME_DISPOSITION_TYPE_INLINE:
                      part->disposition = g_strdup ("inline");
                      break;
                    case MAILMIME_DISPOSITION_TYPE_ATTACHMENT:
                      part->disposition = g_strdup ("attachment");
                      break;
                    case MAILMIME_DISPOSITION_TYPE_EXTENSION:
                      if (d->dsp_type->dsp_extension != NULL)
                        {
                          g_autofree char *lower = g_ascii_strdown (d->dsp_type->dsp_extension,
                                                                    -1);
                          part->disposition = cachet_utf8_make_valid_len (lower, -1);
                        }
                      break;
                    default:
                      break;
                    }
                }
              for (clistiter *jt = d->dsp_parms ? clist_begin (d->dsp_parms) : NULL; jt != NULL;
                   jt = clist_next (jt))
                {
                  struct mailmime_disposition_parm *p = clist_content (jt);
                  if (p->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME)
                    cachet_mime_params_add_raw (disp, "filename", p->pa_data.pa_filename);
                  else if (p->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER
                           && p->pa_data.pa_parameter != NULL)
                    cachet_mime_params_add_raw (disp, p->pa_data.pa_parameter->pa_name,
                                                p->pa_data.pa_parameter->pa_value);
                }
            }
          break;
        default:
          break;
        }
    }
  part->disp_params = cachet_mime_params_finish (disp);
}

static void
read_content_type (CachetPart              *part,
                   struct mailmime_content *ct,
                   const char              *default_type)
{
  g_autoptr(CachetMimeParams) params = cachet_mime_params_new ();

  part->mime_type = mime_type_string (ct, default_type);
  if (ct != NULL && ct->ct_parameters != NULL)
    for (clistiter *it = clist_begin (ct->ct_parameters); it != NULL; it = clist_next (it))
      {
        struct mailmime_parameter *p = clist_content (it);
        cachet_mime_params_add_raw (params, p->pa_name, p->pa_value);
      }
  part->params = cachet_mime_params_finish (params);

  {
    const char *charset = g_hash_table_lookup (part->params, "charset");
    if (charset != NULL && *charset != '\0')
      {
        part->charset = g_ascii_strdown (charset, -1);
        g_strstrip (part->charset);
      }
  }
}

/* libetpan's MIME parser turns 8-bit bytes in MIME header fields into '?', which destroys
 * raw UTF-8 file names (RFC 6532 mail, and many mailers that never encoded them).  When a
 * part's header block has 8-bit bytes, its parameters are read again from the raw fields
 * with libetpan's field parsers, which keep the bytes. */
static void
reread_8bit_parameters (Builder    *b,
                        CachetPart *part,
                        gsize       header_offset)
{
  g_autoptr(GPtrArray) fields = NULL;
  gsize end = MIN (b->len, header_offset + 64 * 1024);
  gboolean needed = FALSE;

  if (header_offset >= b->len)
    return;
  for (gsize i = header_offset; i < end && !needed; i++)
    {
      guchar c = (guchar) b->base[i];
      gboolean line_start = i == header_offset || b->base[i - 1] == '\n';

      if (c >= 0x80)
        needed = TRUE;
      /* Content-Type: "application/pdf" (quoted) makes libetpan fall back to text/plain. */
      else if (line_start && end - i > 14 && g_ascii_strncasecmp (b->base + i, "content-type:", 13) == 0)
        {
          gsize j = i + 13;
          while (j < end && (b->base[j] == ' ' || b->base[j] == '\t'))
            j++;
          needed = j < end && b->base[j] == '"';
        }
      else if (c == '\n' && i + 1 < end && (b->base[i + 1] == '\n'
                                            || (b->base[i + 1] == '\r' && i + 2 < end
                                                && b->base[i + 2] == '\n')))
        break;
    }
  if (!needed)
    return;

  fields = parse_header_fields (b->base + header_offset, end - header_offset);
  for (guint i = 0; i < fields->len; i++)
    {
      CachetHeaderField *f = g_ptr_array_index (fields, i);
      size_t idx = 0;

      if (g_ascii_strcasecmp (f->name, "Content-Type") == 0)
        {
          struct mailmime_content *ct = NULL;
          g_autoptr(CachetMimeParams) params = NULL;
          g_autofree char *value = g_strdup (f->raw_value);
          char *type = value + strspn (value, " \t");

          if (*type == '"')
            {
              /* Unquote the type: "application/pdf"; name=x */
              char *close = strchr (type + 1, '"');
              if (close == NULL)
                continue;
              memmove (close, close + 1, strlen (close));
              memmove (type, type + 1, strlen (type));
            }
          if (mailmime_content_parse (value, strlen (value), &idx, &ct) != MAILIMF_NO_ERROR)
            continue;
          if (ct->ct_type != NULL)
            {
              g_autofree char *mime_type = mime_type_string (ct, part->mime_type);
              g_free (part->mime_type);
              part->mime_type = g_steal_pointer (&mime_type);
            }
          params = cachet_mime_params_new ();
          for (clistiter *it = clist_begin (ct->ct_parameters); it != NULL; it = clist_next (it))
            {
              struct mailmime_parameter *p = clist_content (it);
              cachet_mime_params_add_raw (params, p->pa_name, p->pa_value);
            }
          g_hash_table_unref (part->params);
          part->params = cachet_mime_params_finish (params);
          mailmime_content_free (ct);
        }
      else if (g_ascii_strcasecmp (f->name, "Content-Disposition") == 0)
        {
          struct mailmime_disposition *d = NULL;
          g_autoptr(CachetMimeParams) params = NULL;

          if (mailmime_disposition_parse (f->raw_value, strlen (f->raw_value), &idx, &d)
              != MAILIMF_NO_ERROR)
            continue;
          params = cachet_mime_params_new ();
          for (clistiter *jt = d->dsp_parms ? clist_begin (d->dsp_parms) : NULL; jt != NULL;
               jt = clist_next (jt))
            {
              struct mailmime_disposition_parm *p = clist_content (jt);
              if (p->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME)
                cachet_mime_params_add_raw (params, "filename", p->pa_data.pa_filename);
              else if (p->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER
                       && p->pa_data.pa_parameter != NULL)
                cachet_mime_params_add_raw (params, p->pa_data.pa_parameter->pa_name,
                                            p->pa_data.pa_parameter->pa_value);
            }
          g_clear_pointer (&part->disp_params, g_hash_table_unref);
          part->disp_params = cachet_mime_params_finish (params);
          mailmime_disposition_free (d);
        }
    }
}

static void
choose_filename (CachetPart *part)
{
  const char *name = NULL;

  if (part->disp_params != NULL)
    name = g_hash_table_lookup (part->disp_params, "filename");
  if (name == NULL || *name == '\0')
    name = g_hash_table_lookup (part->params, "name");
  if (name != NULL && *name != '\0')
    part->filename = _cachet_part_safe_filename (name);
}

static CachetPart *parse_embedded (Builder    *b,
                                   GBytes     *bytes,
                                   const char *path,
                                   int         depth);
static CachetPart *build_part (Builder         *b,
                               struct mailmime *mime,
                               gssize           header_offset,
                               const char      *path,
                               const char      *default_type,
                               int              depth);

static CachetPart *
parse_embedded (Builder    *b,
                GBytes     *bytes,
                const char *path,
                int         depth);

static void
build_message_part (Builder         *b,
                    CachetPart      *part,
                    struct mailmime *mime,
                    const char      *path,
                    int              depth)
{
  struct mailmime_data *body = mime->mm_body;
  gsize offset;

  if (body != NULL && body->dt_type == MAILMIME_DATA_TEXT
      && range_of (b, body->dt_data.dt_text.dt_data, body->dt_data.dt_text.dt_length, &offset))
    {
      part->body_offset = offset;
      part->body_length = body->dt_data.dt_text.dt_length;
    }

  /* message/rfc822 must not be base64 or quoted-printable, but sometimes is: decode it and
   * parse the result rather than libetpan's reading of the encoded text. */
  if (part->encoding == MAILMIME_MECHANISM_BASE64
      || part->encoding == MAILMIME_MECHANISM_QUOTED_PRINTABLE)
    {
      g_autoptr(GBytes) decoded = cachet_part_get_decoded (part);
      CachetPart *child = parse_embedded (b, decoded, path, depth + 1);
      gsize dlen;
      const char *ddata = g_bytes_get_data (decoded, &dlen);

      part->headers = parse_header_fields (ddata ? ddata : "", dlen);
      decode_header_fields (part->headers, NULL);
      if (child != NULL)
        _cachet_part_add_child (part, child);
      return;
    }

  part->headers = parse_header_fields (b->base + part->body_offset, part->body_length);
  decode_header_fields (part->headers, NULL);
  if (mime->mm_data.mm_message.mm_msg_mime != NULL)
    {
      CachetPart *child = build_part (b, mime->mm_data.mm_message.mm_msg_mime,
                                      part->body_offset, path, "text/plain", depth + 1);
      if (child != NULL)
        _cachet_part_add_child (part, child);
    }
}

/* In a multipart/digest a part with no header lines is a message/rfc822 (RFC 2046 5.1.5);
 * libetpan skips the blank line and reads the message's headers as MIME headers, losing
 * them.  Such a part is parsed as the message it is. */
static CachetPart *
build_digest_message (Builder         *b,
                      struct mailmime *mime,
                      gsize            offset,
                      const char      *path,
                      int              depth)
{
  gsize skip = 0;
  gsize end = offset + mime->mm_length;
  g_autoptr(GBytes) embedded = NULL;
  CachetPart *part;
  CachetPart *child;
  gsize len;
  const char *data;
  const char *p = b->base + offset;

  if (end > b->len || offset >= end)
    return NULL;
  /* libetpan starts the part after the blank line; look behind for it (the delimiter
   * line's end, then an empty line). */
  if (p[0] == '\n' || p[0] == '\r')
    skip = p[0] == '\r' && offset + 1 < end && p[1] == '\n' ? 2 : 1;
  else if (!((offset >= 2 && p[-1] == '\n' && p[-2] == '\n')
             || (offset >= 4 && p[-1] == '\n' && p[-2] == '\r' && p[-3] == '\n'
                 && p[-4] == '\r')))
    return NULL;
  if (offset + skip >= end)
    return NULL;

  part = _cachet_part_new (CACHET_PART_MESSAGE, b->bytes);
  part->path = g_strdup (path);
  part->mime_type = g_strdup ("message/rfc822");
  part->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  part->body_offset = offset + skip;
  part->body_length = end - offset - skip;

  embedded = g_bytes_new_from_bytes (b->bytes, part->body_offset, part->body_length);
  data = g_bytes_get_data (embedded, &len);
  part->headers = parse_header_fields (data, len);
  decode_header_fields (part->headers, NULL);
  child = parse_embedded (b, embedded, path, depth + 1);
  if (child != NULL)
    _cachet_part_add_child (part, child);
  return part;
}

static CachetPart *
build_part (Builder         *b,
            struct mailmime *mime,
            gssize           header_offset,
            const char      *path,
            const char      *default_type,
            int              depth)
{
  CachetPart *part;

  if (depth > MAX_MIME_DEPTH)
    {
      _cachet_message_add_warning (b->message,
                   g_strdup (_("The message nests MIME parts too deeply; the innermost parts "
                               "are not shown.")));
      return NULL;
    }

  switch (mime->mm_type)
    {
    case MAILMIME_MULTIPLE:
      part = _cachet_part_new (CACHET_PART_MULTIPART, b->bytes);
      break;
    case MAILMIME_MESSAGE:
      part = _cachet_part_new (CACHET_PART_MESSAGE, b->bytes);
      break;
    default:
      part = _cachet_part_new (CACHET_PART_SINGLE, b->bytes);
      break;
    }
  part->path = g_strdup (path);
  read_content_type (part, mime->mm_content_type, default_type);
  read_mime_fields (part, mime->mm_mime_fields);
  if (header_offset >= 0)
    reread_8bit_parameters (b, part, header_offset);
  choose_filename (part);

  switch (mime->mm_type)
    {
    case MAILMIME_MULTIPLE:
      {
        const char *child_default = g_str_equal (part->mime_type, "multipart/digest")
                                    ? "message/rfc822" : "text/plain";
        guint n = 0;

        gsize offset;

        if (mime->mm_body != NULL && mime->mm_body->dt_type == MAILMIME_DATA_TEXT
            && range_of (b, mime->mm_body->dt_data.dt_text.dt_data,
                         mime->mm_body->dt_data.dt_text.dt_length, &offset))
          {
            part->body_offset = offset;
            part->body_length = mime->mm_body->dt_data.dt_text.dt_length;
          }
        if (mime->mm_data.mm_multipart.mm_mp_list == NULL)
          break;
        for (clistiter *it = clist_begin (mime->mm_data.mm_multipart.mm_mp_list); it != NULL;
             it = clist_next (it))
          {
            g_autofree char *child_path = NULL;
            CachetPart *child;

            n++;
            child_path = *path ? g_strdup_printf ("%s.%u", path, n) : g_strdup_printf ("%u", n);
            struct mailmime *child_mime = clist_content (it);
            gsize child_offset;

            if (!range_of (b, child_mime->mm_mime_start, 0, &child_offset))
              child_offset = (gsize) -1;
            child = NULL;
            if (g_str_equal (child_default, "message/rfc822") && child_offset != (gsize) -1)
              child = build_digest_message (b, child_mime, child_offset, child_path, depth + 1);
            if (child == NULL)
              child = build_part (b, child_mime, (gssize) child_offset, child_path,
                                  child_default, depth + 1);
            if (child != NULL)
              _cachet_part_add_child (part, child);
          }
      }
      break;

    case MAILMIME_MESSAGE:
      build_message_part (b, part, mime, path, depth);
      break;

    default:
      {
        struct mailmime_data *data = mime->mm_data.mm_single;
        gsize offset;

        if (data != NULL && data->dt_type == MAILMIME_DATA_TEXT
            && range_of (b, data->dt_data.dt_text.dt_data, data->dt_data.dt_text.dt_length,
                         &offset))
          {
            part->body_offset = offset;
            part->body_length = data->dt_data.dt_text.dt_length;
          }
      }
      break;
    }
  return part;
}

/* Parses a whole message (top level or embedded) and returns its body's root part. */
static CachetPart *
parse_embedded (Builder    *outer,
                GBytes     *bytes,
                const char *path,
                int         depth)
{
  Builder b = { outer->message, bytes, NULL, 0 };
  struct mailmime *mime = NULL;
  size_t idx = 0;
  CachetPart *root = NULL;

  b.base = g_bytes_get_data (bytes, &b.len);
  if (b.base == NULL || b.len == 0)
    return NULL;
  if (mailmime_parse (b.base, b.len, &idx, &mime) != MAILIMF_NO_ERROR || mime == NULL)
    return NULL;
  if (mime->mm_type == MAILMIME_MESSAGE && mime->mm_data.mm_message.mm_msg_mime != NULL)
    root = build_part (&b, mime->mm_data.mm_message.mm_msg_mime, 0, path, "text/plain",
                       depth);
  mailmime_free (mime);
  return root;
}

/* ---- construction ---------------------------------------------------------------- */

static const char *
first_text_charset (CachetPart *part)
{
  if (part->charset != NULL && g_str_has_prefix (part->mime_type, "text/"))
    return part->charset;
  for (guint i = 0; i < part->children->len; i++)
    {
      const char *cs = first_text_charset (g_ptr_array_index (part->children, i));
      if (cs != NULL)
        return cs;
    }
  return NULL;
}

static void
make_raw (CachetMessage *self,
          gsize          offset)
{
  gsize len;

  g_bytes_get_data (self->bytes, &len);
  g_clear_pointer (&self->root, cachet_part_unref);
  self->raw = TRUE;
  self->root = _cachet_part_new (CACHET_PART_SINGLE, self->bytes);
  self->root->mime_type = g_strdup ("text/plain");
  self->root->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->root->path = g_strdup ("");
  self->root->body_offset = 0;
  self->root->body_length = len;
  (void) offset;
}

static void
fill_envelope (CachetMessage *self)
{
  const char *raw;
  g_autoptr(GPtrArray) ids = NULL;

  raw = _cachet_message_find_raw_header (self->headers, "Subject");
  self->subject = raw ? cachet_header_decode (raw, first_text_charset (self->root)) : NULL;

  self->from = cachet_address_list_parse (_cachet_message_find_raw_header (self->headers, "From"));
  self->sender = cachet_address_list_parse (_cachet_message_find_raw_header (self->headers, "Sender"));
  self->reply_to = cachet_address_list_parse (_cachet_message_find_raw_header (self->headers, "Reply-To"));
  self->to = cachet_address_list_parse (_cachet_message_find_raw_header (self->headers, "To"));
  self->cc = cachet_address_list_parse (_cachet_message_find_raw_header (self->headers, "Cc"));
  self->bcc = cachet_address_list_parse (_cachet_message_find_raw_header (self->headers, "Bcc"));

  raw = _cachet_message_find_raw_header (self->headers, "Date");
  if (raw != NULL)
    {
      g_autofree char *unfolded = cachet_header_unfold (raw);
      self->date = cachet_date_parse (unfolded);
      if (self->date == NULL)
        _cachet_message_add_warning (self, g_strdup_printf (_("The date “%s” could not be understood."),
                                            g_strstrip (unfolded)));
    }

  ids = extract_msg_ids (_cachet_message_find_raw_header (self->headers, "Message-ID"));
  if (ids->len > 0)
    self->message_id = g_strdup (g_ptr_array_index (ids, 0));
  g_ptr_array_unref (g_steal_pointer (&ids));

  ids = extract_msg_ids (_cachet_message_find_raw_header (self->headers, "In-Reply-To"));
  if (ids->len > 0)
    self->in_reply_to = g_strdup (g_ptr_array_index (ids, ids->len - 1));
  g_ptr_array_unref (g_steal_pointer (&ids));

  ids = extract_msg_ids (_cachet_message_find_raw_header (self->headers, "References"));
  g_ptr_array_add (ids, NULL);
  self->references = (GStrv) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

/* Parses @bytes from @start with libetpan; NULL when libetpan rejects it. */
static CachetPart *
parse_tree (CachetMessage *self,
            GBytes        *bytes,
            gsize          start,
            gboolean      *rejected)
{
  Builder b = { self, bytes, NULL, 0 };
  struct mailmime *mime = NULL;
  size_t idx = start;
  CachetPart *root = NULL;

  b.base = g_bytes_get_data (bytes, &b.len);
  *rejected = FALSE;
  if (mailmime_parse (b.base, b.len, &idx, &mime) != MAILIMF_NO_ERROR || mime == NULL)
    {
      *rejected = TRUE;
      return NULL;
    }
  if (mime->mm_type == MAILMIME_MESSAGE && mime->mm_data.mm_message.mm_msg_mime)
    root = build_part (&b, mime->mm_data.mm_message.mm_msg_mime, start, "", "text/plain", 0);
  else if (mime->mm_type != MAILMIME_MESSAGE)
    root = build_part (&b, mime, start, "", "text/plain", 0);
  mailmime_free (mime);

  if (root == NULL)
    {
      /* Headers only, no body. */
      root = _cachet_part_new (CACHET_PART_SINGLE, bytes);
      root->mime_type = g_strdup ("text/plain");
      root->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      root->path = g_strdup ("");
      root->body_offset = b.len;
    }
  /* IMAP numbering: the body of a single-part message is part 1. */
  if (root->kind != CACHET_PART_MULTIPART && *root->path == '\0')
    {
      g_free (root->path);
      root->path = g_strdup ("1");
    }
  return root;
}

/* Boundaries of multiparts whose closing delimiter never comes (a truncated message, or
 * a careless generator), each with the boundary of the multipart around it (or NULL).
 * libetpan drops the content of such a multipart, or of the parts after it. */
static void
find_unclosed (CachetPart *part,
               GBytes     *bytes,
               const char *parent_boundary,
               GPtrArray  *unclosed)
{
  const char *boundary = NULL;

  if (part->kind == CACHET_PART_MULTIPART)
    {
      boundary = g_hash_table_lookup (part->params, "boundary");
      if (boundary != NULL && (*boundary == '\0' || strlen (boundary) > 200))
        boundary = NULL;
      if (boundary != NULL)
        {
          g_autofree char *closer = g_strdup_printf ("--%s--", boundary);
          gsize len;
          const char *data = g_bytes_get_data (bytes, &len);
          gboolean known = FALSE;

          for (guint i = 0; i < unclosed->len; i += 2)
            if (g_str_equal (g_ptr_array_index (unclosed, i), boundary))
              known = TRUE;
          if (!known && data != NULL
              && memmem (data, len, closer, strlen (closer)) == NULL)
            {
              g_ptr_array_add (unclosed, g_strdup (boundary));
              g_ptr_array_add (unclosed, g_strdup (parent_boundary));
            }
        }
    }
  for (guint i = 0; i < part->children->len; i++)
    find_unclosed (g_ptr_array_index (part->children, i), bytes,
                   boundary != NULL ? boundary : parent_boundary, unclosed);
}

static guint
count_parts (CachetPart *part)
{
  guint n = 1;
  for (guint i = 0; i < part->children->len; i++)
    n += count_parts (g_ptr_array_index (part->children, i));
  return n;
}

/* Puts each missing closing delimiter just before the closing delimiter of the multipart
 * around it, or at the end of the message. */
static GBytes *
add_closers (GBytes    *data,
             GPtrArray *unclosed)
{
  gsize len;
  const char *base = g_bytes_get_data (data, &len);
  const char *nl = memchr (base, '\n', len);
  const char *eol = nl != NULL && nl > base && nl[-1] == '\r' ? "\r\n" : "\n";
  GString *s;

  /* Trailing blank lines after a last delimiter confuse libetpan; they carry nothing. */
  while (len > 0 && g_ascii_isspace (base[len - 1]))
    len--;
  s = g_string_new_len (base, len);

  for (guint i = 0; i < unclosed->len; i += 2)
    {
      const char *boundary = g_ptr_array_index (unclosed, i);
      const char *parent = g_ptr_array_index (unclosed, i + 1);
      g_autofree char *closer = g_strdup_printf ("--%s--%s", boundary, eol);
      g_autofree char *delimiter = g_strdup_printf ("\n--%s", boundary);
      const char *at = NULL;

      if (parent != NULL)
        {
          g_autofree char *parent_closer = g_strdup_printf ("\n--%s--", parent);
          at = memmem (s->str, s->len, parent_closer, strlen (parent_closer));
        }
      if (at != NULL)
        g_string_insert (s, at - s->str + 1, closer);
      else if (g_str_has_suffix (s->str, delimiter))
        /* A dangling last delimiter ("--b" at the very end) becomes the closing one. */
        g_string_append_printf (s, "--%s", eol);
      else
        g_string_append_printf (s, "%s%s", eol, closer);
    }
  return g_string_free_to_bytes (s);
}

CachetMessage *
cachet_message_new_from_bytes (GBytes *data)
{
  CachetMessage *self;
  g_autoptr(GBytes) parse_data = NULL;
  const char *base;
  gsize len;
  gsize start = 0;

  g_return_val_if_fail (data != NULL, NULL);

  self = g_object_new (CACHET_TYPE_MESSAGE, NULL);
  self->bytes = g_bytes_ref (data);
  parse_data = g_bytes_ref (data);
  base = g_bytes_get_data (data, &len);
  if (base == NULL)
    base = "";

  /* Old Mac mail has CR-only line ends, which libetpan does not take as line ends. */
  if (memchr (base, '\n', MIN (len, 65536)) == NULL && memchr (base, '\r', MIN (len, 65536)))
    {
      GString *crlf = g_string_sized_new (len + len / 16);
      for (gsize i = 0; i < len; i++)
        {
          g_string_append_c (crlf, base[i]);
          if (base[i] == '\r' && (i + 1 >= len || base[i + 1] != '\n'))
            g_string_append_c (crlf, '\n');
        }
      g_clear_pointer (&parse_data, g_bytes_unref);
      parse_data = g_string_free_to_bytes (crlf);
      base = g_bytes_get_data (parse_data, &len);
    }

  /* A message saved from an mbox may still start with its "From " envelope line. */
  if (len > 5 && memcmp (base, "From ", 5) == 0)
    {
      const char *nl = memchr (base, '\n', len);
      start = nl ? (gsize) (nl - base + 1) : len;
    }
  /* A first header line indented by mistake would make every header a continuation. */
  if (start < len && (base[start] == ' ' || base[start] == '\t'))
    {
      gsize p = start;
      while (p < len && (base[p] == ' ' || base[p] == '\t'))
        p++;
      {
        gsize q = p;
        while (q < len && base[q] > 32 && base[q] < 127 && base[q] != ':')
          q++;
        if (q > p && q < len && base[q] == ':')
          {
            start = p;
            _cachet_message_add_warning (self, g_strdup (_("The first header line is indented; the "
                                           "indentation was ignored.")));
          }
      }
    }

  self->headers = parse_header_fields (base + start, len - start);

  if (len - start == 0)
    {
      _cachet_message_add_warning (self, g_strdup (_("The message is empty.")));
      make_raw (self, start);
    }
  else
    {
      g_autoptr(GPtrArray) unclosed = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GBytes) parsed = g_bytes_ref (parse_data);
      gboolean rejected = FALSE;

      guint first_count = 0;

      for (int attempt = 0; attempt < 8; attempt++)
        {
          guint before = unclosed->len;

          g_clear_pointer (&self->root, cachet_part_unref);
          self->root = parse_tree (self, parsed, start, &rejected);
          if (self->root == NULL)
            break;
          if (attempt == 0)
            first_count = count_parts (self->root);
          find_unclosed (self->root, parsed, NULL, unclosed);
          if (unclosed->len == before)
            break;
          g_bytes_unref (parsed);
          parsed = add_closers (parse_data, unclosed);
        }
      /* Say so when the message ends inside its outermost multipart (truncated), or when
       * closing the parts recovered something libetpan had dropped; an inner part closed
       * only by its parent's end is merely sloppy. */
      gboolean truncated = FALSE;
      for (guint i = 0; i < unclosed->len; i += 2)
        if (g_ptr_array_index (unclosed, i + 1) == NULL)
          truncated = TRUE;
      if (self->root != NULL && (truncated || count_parts (self->root) > first_count))
        _cachet_message_add_warning (self, g_strdup (_("The message ends before all its parts are closed; it "
                                       "may be incomplete.")));
      if (self->root == NULL)
        {
          _cachet_message_add_warning (self, g_strdup (_("The message could not be parsed; it is shown as "
                                         "raw text.")));
          make_raw (self, start);
        }
    }

  decode_header_fields (self->headers, first_text_charset (self->root));
  fill_envelope (self);
  return self;
}

CachetMessage *
cachet_message_new_from_file (const char *path,
                              GError    **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;

  mapped = g_mapped_file_new (path, FALSE, error);
  if (mapped == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (mapped);
  return cachet_message_new_from_bytes (bytes);
}

/* ---- accessors ---------------------------------------------------------------------- */

GBytes *
cachet_message_get_bytes (CachetMessage *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), NULL);
  return self->bytes;
}

const char *
cachet_message_get_subject (CachetMessage *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), NULL);
  return self->subject;
}

#define ADDRESS_GETTER(field)                                             \
  GPtrArray *                                                             \
  cachet_message_get_##field (CachetMessage *self)                        \
  {                                                                       \
    g_return_val_if_fail (CACHET_IS_MESSAGE (self), NULL);                \
    return self->field;                                                   \
  }

ADDRESS_GETTER (from)
ADDRESS_GETTER (sender)
ADDRESS_GETTER (reply_to)
ADDRESS_GETTER (to)
ADDRESS_GETTER (cc)
ADDRESS_GETTER (bcc)

GDateTime *
cachet_message_get_date (CachetMessage *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), NULL);
  return self->date;
}

const char *
cachet_message_get_message_id (CachetMessage *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), NULL);
  return self->message_id;
}

const char *
cachet_message_get_in_reply_to (CachetMessage *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), NULL);
  return self->in_reply_to;
}

const char * const *
cachet_message_get_references (CachetMessage *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), NULL);
  return (const char * const *) self->references;
}

guint
cachet_message_get_n_headers (CachetMessage *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), 0);
  return self->headers->len;
}

const char *
cachet_message_get_header_name (CachetMessage *self,
                                guint          i)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (i < self->headers->len, NULL);
  return ((CachetHeaderField *) g_ptr_array_index (self->headers, i))->name;
}

const char *
cachet_message_get_header_value (CachetMessage *self,
                                 guint          i)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (i < self->headers->len, NULL);
  return ((CachetHeaderField *) g_ptr_array_index (self->headers, i))->value;
}

const char *
cachet_message_get_header (CachetMessage *self,
                           const char    *name)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), NULL);
  for (guint i = 0; i < self->headers->len; i++)
    {
      CachetHeaderField *f = g_ptr_array_index (self->headers, i);
      if (g_ascii_strcasecmp (f->name, name) == 0)
        return f->value;
    }
  return NULL;
}

CachetPart *
cachet_message_get_root (CachetMessage *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), NULL);
  return self->root;
}

GPtrArray *
cachet_message_get_warnings (CachetMessage *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), NULL);
  /* Charset notes are found while the body is rendered. */
  cachet_message_get_body_text (self);
  return self->warnings;
}

gboolean
cachet_message_is_raw (CachetMessage *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (self), FALSE);
  return self->raw;
}
