/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-draft"

#include "config.h"

#include "cachet-draft.h"
#include "cachet-draft-private.h"

#include <glib/gi18n.h>
#include <libetpan/libetpan.h>
#include <string.h>

#include "cachet-address.h"
#include "cachet-core-error.h"

/* The message is put together with libetpan's builders (mailimf_fields for the header,
 * a mailmime tree for the body) and written by mailmime_write_mem().  What libetpan cannot
 * write as the RFCs want (see cachet-draft-encode.c) is prepared before: header values
 * already encoded, bodies already encoded (mailmime_data marked as encoded), and an RFC
 * 2231 file name given as the disposition's text, since libetpan quotes every parameter
 * value.  libetpan writes CRLF; the result is turned into LF line ends at the end. */

typedef struct
{
  gboolean   keep;       /* CACHET_DRAFT_BUILD_DRAFT */
  GPtrArray *buffers;    /* encoded bodies: libetpan points into them until written */
  GPtrArray *bodies;     /* the same, for the boundary check */
} Build;

static char *
keep_buffer (Build *b,
             char  *data)
{
  g_ptr_array_add (b->buffers, data);
  g_ptr_array_add (b->bodies, data);
  return data;
}

/* ---- header ------------------------------------------------------------------------- */

/* Room for the first token after "Name: " on the first line, as libetpan folds (it starts
 * a new line when a word would pass column 72). */
static gsize
first_room (const char *name)
{
  gsize used = strlen (name) + 2 + 1;
  return used < 72 ? 72 - used : 0;
}

static void
add_custom (struct mailimf_fields *fields,
            const char            *name,
            const char            *value)
{
  mailimf_fields_add (fields, mailimf_field_new_custom (strdup (name), strdup (value)));
}

static struct mailimf_field *
date_field (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  gint64 minutes = g_date_time_get_utc_offset (now) / G_TIME_SPAN_MINUTE;
  int zone = (int) ((ABS (minutes) / 60) * 100 + ABS (minutes) % 60);
  struct mailimf_date_time *dt;

  dt = mailimf_date_time_new (g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                              g_date_time_get_year (now), g_date_time_get_hour (now),
                              g_date_time_get_minute (now), g_date_time_get_second (now),
                              minutes < 0 ? -zone : zone);
  return mailimf_field_new (MAILIMF_FIELD_ORIG_DATE, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                            NULL, mailimf_orig_date_new (dt), NULL, NULL, NULL, NULL, NULL,
                            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
}

static char *
new_message_id (const char *from_address)
{
  const char *at = from_address != NULL ? strrchr (from_address, '@') : NULL;
  const char *domain = at != NULL && at[1] != '\0' ? at + 1 : "cachet.invalid";
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strdup_printf ("%s@%s", uuid, domain);
}

static clist *
id_list (const char * const *ids)
{
  clist *list = clist_new ();

  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    clist_append (list, strdup (ids[i]));
  return list;
}

static struct mailimf_field *
message_id_field (const char *id)
{
  return mailimf_field_new (MAILIMF_FIELD_MESSAGE_ID, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                            mailimf_message_id_new (strdup (id)), NULL, NULL, NULL, NULL, NULL,
                            NULL);
}

static struct mailimf_field *
in_reply_to_field (const char *id)
{
  const char *ids[] = { id, NULL };

  return mailimf_field_new (MAILIMF_FIELD_IN_REPLY_TO, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                            mailimf_in_reply_to_new (id_list (ids)), NULL, NULL, NULL, NULL,
                            NULL);
}

static struct mailimf_field *
references_field (const char * const *ids)
{
  return mailimf_field_new (MAILIMF_FIELD_REFERENCES, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                            mailimf_references_new (id_list (ids)), NULL, NULL, NULL, NULL);
}

/* An address field: parsed and checked; in a draft, text that is not (yet) a list of
 * addresses is kept as typed in X-Cachet-Draft-<name> instead. */
static gboolean
add_address_field (Build                  *b,
                   struct mailimf_fields  *fields,
                   const char             *name,
                   const char             *text,
                   guint                  *count,
                   GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) list = _cachet_draft_parse_addresses (text, &local_error);

  if (list == NULL && !b->keep)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (list == NULL)
    {
      g_autofree char *header = g_strconcat ("X-Cachet-Draft-", name, NULL);
      g_autofree char *value = _cachet_draft_encode_unstructured (text, first_room (header));
      add_custom (fields, header, value);
      return TRUE;
    }
  if (list->len > 0)
    {
      g_autofree char *value = _cachet_draft_format_address_list (list, first_room (name));
      add_custom (fields, name, value);
    }
  *count += list->len;
  return TRUE;
}

static struct mailimf_fields *
build_header (Build        *b,
              CachetDraft  *draft,
              GError      **error)
{
  struct mailimf_fields *fields = mailimf_fields_new_empty ();
  g_autofree char *from = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *subject = NULL;
  guint recipients = 0;

  if (draft->from_address != NULL && *draft->from_address != '\0')
    {
      from = _cachet_draft_normalize_addr_spec (draft->from_address);
      if (from == NULL)
        {
          g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID,
                       _("The sender “%s” is not a valid e-mail address."),
                       draft->from_address);
          goto fail;
        }
    }
  else if (!b->keep)
    {
      g_set_error_literal (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID,
                           _("The message has no sender. Choose the account to send it from."));
      goto fail;
    }

  mailimf_fields_add (fields, date_field ());
  if (from != NULL)
    {
      g_autofree char *value = _cachet_draft_format_mailbox (draft->from_name, from,
                                                             first_room ("From"));
      add_custom (fields, "From", value);
    }
  if (!add_address_field (b, fields, "To", draft->to, &recipients, error)
      || !add_address_field (b, fields, "Cc", draft->cc, &recipients, error))
    goto fail;
  if (b->keep && !add_address_field (b, fields, "Bcc", draft->bcc, &recipients, error))
    goto fail;
  if (!b->keep)
    {
      /* Bcc is not written, but its addresses must be good and count as recipients. */
      g_autoptr(GPtrArray) bcc = _cachet_draft_parse_addresses (draft->bcc, error);
      if (bcc == NULL)
        goto fail;
      recipients += bcc->len;
      if (recipients == 0)
        {
          g_set_error_literal (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID,
                               _("The message has no recipient. Add at least one address."));
          goto fail;
        }
    }
  /* White space around a subject is not part of it (readers drop it too). */
  subject = g_strstrip (g_strdup (draft->subject != NULL ? draft->subject : ""));
  if (*subject != '\0')
    {
      g_autofree char *value = _cachet_draft_encode_unstructured (subject,
                                                                  first_room ("Subject"));
      add_custom (fields, "Subject", value);
    }

  message_id = new_message_id (from);
  mailimf_fields_add (fields, message_id_field (message_id));
  if (draft->in_reply_to != NULL)
    mailimf_fields_add (fields, in_reply_to_field (draft->in_reply_to));
  if (draft->references != NULL && draft->references[0] != NULL)
    mailimf_fields_add (fields, references_field ((const char * const *) draft->references));
  add_custom (fields, "User-Agent", "Cachet/" PACKAGE_VERSION);
  if (b->keep && draft->account_id != NULL && *draft->account_id != '\0')
    {
      g_autofree char *value = _cachet_draft_encode_unstructured (draft->account_id,
                                                                  first_room ("X-Cachet-Account"));
      add_custom (fields, "X-Cachet-Account", value);
    }
  return fields;

fail:
  mailimf_fields_free (fields);
  return NULL;
}

/* ---- body --------------------------------------------------------------------------- */

static struct mailmime *
single_part (struct mailmime_content     *content,
             int                          encoding,
             struct mailmime_disposition *disposition,
             const char                  *data)
{
  struct mailmime_fields *fields = mailmime_fields_new_encoding (encoding);

  if (disposition != NULL)
    mailmime_fields_add (fields, mailmime_field_new (MAILMIME_FIELD_DISPOSITION, NULL, NULL,
                                                     NULL, NULL, 0, disposition, NULL, NULL));
  return mailmime_new (MAILMIME_SINGLE, NULL, 0, fields, content,
                       mailmime_data_new_data (encoding, 1, data, strlen (data)),
                       NULL, NULL, NULL, NULL, NULL);
}

static void
add_param (struct mailmime_content *content,
           const char              *name,
           const char              *value)
{
  clist_append (content->ct_parameters, mailmime_parameter_new (strdup (name), strdup (value)));
}

/* 7bit when the text can go as it is: ASCII, short lines, ending in a line break, nothing
 * that transports change (white space before a line end, "From " at a line start; in
 * format=flowed both are taken care of).  Otherwise quoted-printable for text that is
 * mostly ASCII (it stays readable), base64 when more than a third of the bytes are 8-bit
 * (Cyrillic, Greek, CJK, ...: quoted-printable would triple them). */
static int
text_encoding (const char *text,
               gboolean    flowed,
               char      **encoded)
{
  gsize len = strlen (text);
  gboolean seven_bit = len == 0 || text[len - 1] == '\n';
  gsize line = 0;
  gsize eight_bit = 0;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) text[i];

      if (c == '\n')
        {
          if (!flowed && line > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t'))
            seven_bit = FALSE;
          line = 0;
          continue;
        }
      if (c >= 0x80)
        eight_bit++;
      if (c >= 0x7f || (c < 0x20 && c != '\t'))
        seven_bit = FALSE;
      if (line == 0 && !flowed && strncmp (text + i, "From ", 5) == 0)
        seven_bit = FALSE;
      if (++line > 78)
        seven_bit = FALSE;
    }
  if (seven_bit)
    {
      *encoded = g_strdup (text);
      return MAILMIME_MECHANISM_7BIT;
    }

  if (eight_bit * 3 > len)
    {
      *encoded = _cachet_draft_base64_encode ((const guint8 *) text, len);
      return MAILMIME_MECHANISM_BASE64;
    }
  *encoded = _cachet_draft_qp_encode (text, len);
  return MAILMIME_MECHANISM_QUOTED_PRINTABLE;
}

static struct mailmime *
text_part (Build       *b,
           CachetDraft *draft)
{
  /* Sent mail is format=flowed; a draft keeps the text exactly as typed (trailing spaces
   * included, which format=flowed cannot carry). */
  gboolean flowed = !b->keep;
  g_autofree char *text = flowed ? _cachet_draft_flowed_encode (draft->body)
                                 : g_strdup (draft->body != NULL ? draft->body : "");
  struct mailmime_content *content = mailmime_content_new_with_str ("text/plain");
  char *encoded = NULL;
  int encoding = text_encoding (text, flowed, &encoded);

  add_param (content, "charset", "utf-8");
  if (flowed)
    add_param (content, "format", "flowed");
  return single_part (content, encoding, NULL, keep_buffer (b, encoded));
}

static struct mailmime_disposition *
attachment_disposition (const char *filename)
{
  if (filename == NULL || _cachet_draft_filename_is_simple (filename))
    return mailmime_disposition_new_with_data (MAILMIME_DISPOSITION_TYPE_ATTACHMENT,
                                               filename != NULL ? strdup (filename) : NULL,
                                               NULL, NULL, NULL, (size_t) -1);
  return mailmime_disposition_new (
    mailmime_disposition_type_new (MAILMIME_DISPOSITION_TYPE_EXTENSION,
                                   _cachet_draft_format_disposition ("attachment", filename)),
    clist_new ());
}

/* libetpan's parameters are freed with free(); strings made by GLib are handed over as
 * malloc() copies. */
static char *
dup_for_libetpan (char *glib_string)
{
  char *copy = strdup (glib_string);
  g_free (glib_string);
  return copy;
}

static void
add_name_param (struct mailmime_content *content,
                const char              *filename)
{
  clistiter *it = clist_begin (content->ct_parameters);

  /* Ours replaces any name the content type had. */
  while (it != NULL)
    {
      struct mailmime_parameter *p = clist_content (it);
      if (g_ascii_strcasecmp (p->pa_name, "name") == 0)
        {
          mailmime_parameter_free (p);
          it = clist_delete (content->ct_parameters, it);
        }
      else
        it = clist_next (it);
    }
  if (filename == NULL)
    return;
  if (_cachet_draft_filename_is_simple (filename))
    add_param (content, "name", filename);
  else
    {
      /* Readers that decode the words inside the quotes (libetpan does) stop at a quote
       * mark; this name is only a fallback for the RFC 2231 one, so it does without. */
      g_autofree char *fallback = g_strdelimit (g_strdup (filename), "\"\\", '_');

      clist_append (content->ct_parameters,
                    mailmime_parameter_new (strdup ("name"),
                                            dup_for_libetpan (
                                              _cachet_draft_encode_param_words (fallback))));
    }
}

/* message/rfc822 may only be 7bit or 8bit (RFC 2046 5.2.1); a message with NUL bytes or
 * lines past 998 octets could not survive that, and goes as base64 (which readers,
 * Cachet's among them, decode). */
static int
message_encoding (const char *data,
                  gsize       len)
{
  gboolean eight_bit = FALSE;
  gsize line = 0;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) data[i];

      if (c == '\0')
        return MAILMIME_MECHANISM_BASE64;
      if (c >= 0x80)
        eight_bit = TRUE;
      if (c == '\n')
        line = 0;
      else if (++line > 998)
        return MAILMIME_MECHANISM_BASE64;
    }
  return eight_bit ? MAILMIME_MECHANISM_8BIT : MAILMIME_MECHANISM_7BIT;
}

static gboolean
is_message_type (struct mailmime_content *content)
{
  return content->ct_type->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE
         && content->ct_type->tp_data.tp_composite_type->ct_type
            == MAILMIME_COMPOSITE_TYPE_MESSAGE
         && g_ascii_strcasecmp (content->ct_subtype, "rfc822") == 0;
}

static struct mailmime *
attachment_part (Build                 *b,
                 CachetDraftAttachment *attachment,
                 GBytes                *data)
{
  struct mailmime_content *content = NULL;
  gsize len;
  const char *bytes = g_bytes_get_data (data, &len);
  int encoding;
  char *encoded;

  if (attachment->content_type != NULL)
    content = mailmime_content_new_with_str (attachment->content_type);
  /* A leaf cannot be a multipart, and message/partial and the like are not ours to make. */
  if (content != NULL && content->ct_type->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE
      && !is_message_type (content))
    g_clear_pointer (&content, mailmime_content_free);
  if (content == NULL)
    content = mailmime_content_new_with_str ("application/octet-stream");
  add_name_param (content, attachment->filename);

  if (attachment->kind == CACHET_DRAFT_ATTACHMENT_MESSAGE || is_message_type (content))
    encoding = message_encoding (bytes != NULL ? bytes : "", len);
  else
    encoding = MAILMIME_MECHANISM_BASE64;  /* a file comes back byte for byte */

  if (encoding == MAILMIME_MECHANISM_BASE64)
    encoded = _cachet_draft_base64_encode ((const guint8 *) bytes, len);
  else
    encoded = g_strndup (bytes != NULL ? bytes : "", len);
  return single_part (content, encoding, attachment_disposition (attachment->filename),
                      keep_buffer (b, encoded));
}

static GBytes *
attachment_data (CachetDraftAttachment  *attachment,
                 GError                **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) local_error = NULL;
  char *contents = NULL;
  gsize len = 0;

  if (attachment->kind != CACHET_DRAFT_ATTACHMENT_FILE)
    return g_bytes_ref (attachment->data);
  file = g_file_new_for_path (attachment->path);
  if (!g_file_load_contents (file, NULL, &contents, &len, NULL, &local_error))
    {
      g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_IO,
                   _("The attachment “%s” cannot be read: %s"),
                   attachment->filename != NULL ? attachment->filename : attachment->path,
                   local_error->message);
      return NULL;
    }
  return g_bytes_new_take (contents, len);
}

/* A boundary that no part contains.  "=_" never occurs in quoted-printable or base64. */
static char *
make_boundary (Build *b)
{
  for (;;)
    {
      char *boundary = g_strdup_printf ("=_cachet_%08x%08x%08x", g_random_int (),
                                        g_random_int (), g_random_int ());
      gboolean clash = FALSE;

      for (guint i = 0; i < b->bodies->len && !clash; i++)
        clash = strstr (g_ptr_array_index (b->bodies, i), boundary) != NULL;
      if (!clash)
        return boundary;
      g_free (boundary);
    }
}

static struct mailmime *
build_body (Build        *b,
            CachetDraft  *draft,
            GError      **error)
{
  struct mailmime *text = text_part (b, draft);
  struct mailmime *mixed;
  struct mailmime_content *content;
  g_autoptr(GPtrArray) parts = NULL;
  g_autofree char *boundary = NULL;

  if (draft->attachments->len == 0)
    return text;

  parts = g_ptr_array_new ();
  for (guint i = 0; i < draft->attachments->len; i++)
    {
      CachetDraftAttachment *attachment = g_ptr_array_index (draft->attachments, i);
      g_autoptr(GBytes) data = attachment_data (attachment, error);

      if (data == NULL)
        {
          for (guint j = 0; j < parts->len; j++)
            mailmime_free (g_ptr_array_index (parts, j));
          mailmime_free (text);
          return NULL;
        }
      g_ptr_array_add (parts, attachment_part (b, attachment, data));
    }

  content = mailmime_content_new_with_str ("multipart/mixed");
  boundary = make_boundary (b);
  add_param (content, "boundary", boundary);
  mixed = mailmime_new (MAILMIME_MULTIPLE, NULL, 0, mailmime_fields_new_empty (), content,
                        NULL, NULL, NULL, clist_new (), NULL, NULL);
  mailmime_add_part (mixed, text);
  for (guint i = 0; i < parts->len; i++)
    mailmime_add_part (mixed, g_ptr_array_index (parts, i));
  return mixed;
}

/* ---- the whole message -------------------------------------------------------------- */

static GBytes *
to_lf (const char *data,
       gsize       len)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
        continue;
      g_string_append_c (out, data[i]);
    }
  return g_string_free_to_bytes (out);
}

GBytes *
cachet_draft_build (CachetDraft            *draft,
                    CachetDraftBuildFlags   flags,
                    GError                **error)
{
  g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) bodies = g_ptr_array_new ();
  Build b = { (flags & CACHET_DRAFT_BUILD_DRAFT) != 0, buffers, bodies };
  struct mailimf_fields *fields;
  struct mailmime *body;
  struct mailmime *message;
  MMAPString *out;
  GBytes *result = NULL;
  int col = 0;
  int r;

  g_return_val_if_fail (draft != NULL, NULL);

  fields = build_header (&b, draft, error);
  if (fields == NULL)
    return NULL;
  body = build_body (&b, draft, error);
  if (body == NULL)
    {
      mailimf_fields_free (fields);
      return NULL;
    }

  message = mailmime_new_message_data (NULL);
  mailmime_set_imf_fields (message, fields);
  mailmime_add_part (message, body);

  out = mmap_string_new ("");
  r = mailmime_write_mem (out, &col, message);
  if (r == MAILIMF_NO_ERROR)
    result = to_lf (out->str, out->len);
  else
    g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_INVALID,
                 _("The message could not be put together (libetpan error %d)."), r);
  mmap_string_free (out);
  mailmime_free (message);
  return result;
}
