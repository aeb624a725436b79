/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-draft"

#include "config.h"

#include "cachet-draft.h"
#include "cachet-draft-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-address.h"
#include "cachet-charset.h"
#include "cachet-core-error.h"
#include "cachet-part-private.h"

static void
attachment_free (CachetDraftAttachment *attachment)
{
  if (attachment == NULL)
    return;
  g_free (attachment->path);
  g_free (attachment->filename);
  g_free (attachment->content_type);
  g_clear_pointer (&attachment->data, g_bytes_unref);
  g_free (attachment);
}

CachetDraft *
cachet_draft_new (void)
{
  CachetDraft *draft = g_new0 (CachetDraft, 1);

  draft->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) attachment_free);
  draft->references = g_new0 (char *, 1);
  return draft;
}

void
cachet_draft_free (CachetDraft *draft)
{
  if (draft == NULL)
    return;
  g_free (draft->account_id);
  g_free (draft->from_name);
  g_free (draft->from_address);
  g_free (draft->to);
  g_free (draft->cc);
  g_free (draft->bcc);
  g_free (draft->subject);
  g_free (draft->body);
  g_free (draft->in_reply_to);
  g_strfreev (draft->references);
  g_ptr_array_unref (draft->attachments);
  g_free (draft);
}

static void
replace (char       **field,
         const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*field);
  *field = copy;
}

void
cachet_draft_set_account_id (CachetDraft *draft,
                             const char  *account_id)
{
  g_return_if_fail (draft != NULL);
  replace (&draft->account_id, account_id);
}

const char *
cachet_draft_get_account_id (CachetDraft *draft)
{
  g_return_val_if_fail (draft != NULL, NULL);
  return draft->account_id;
}

void
cachet_draft_set_from (CachetDraft *draft,
                       const char  *display_name,
                       const char  *address)
{
  g_return_if_fail (draft != NULL);
  replace (&draft->from_name, display_name);
  replace (&draft->from_address, address);
}

void
cachet_draft_set_to (CachetDraft *draft,
                     const char  *text)
{
  g_return_if_fail (draft != NULL);
  replace (&draft->to, text);
}

void
cachet_draft_set_cc (CachetDraft *draft,
                     const char  *text)
{
  g_return_if_fail (draft != NULL);
  replace (&draft->cc, text);
}

void
cachet_draft_set_bcc (CachetDraft *draft,
                      const char  *text)
{
  g_return_if_fail (draft != NULL);
  replace (&draft->bcc, text);
}

const char *
cachet_draft_get_to (CachetDraft *draft)
{
  g_return_val_if_fail (draft != NULL, NULL);
  return draft->to;
}

const char *
cachet_draft_get_cc (CachetDraft *draft)
{
  g_return_val_if_fail (draft != NULL, NULL);
  return draft->cc;
}

const char *
cachet_draft_get_bcc (CachetDraft *draft)
{
  g_return_val_if_fail (draft != NULL, NULL);
  return draft->bcc;
}

void
cachet_draft_set_subject (CachetDraft *draft,
                          const char  *subject)
{
  g_return_if_fail (draft != NULL);
  replace (&draft->subject, subject);
}

const char *
cachet_draft_get_subject (CachetDraft *draft)
{
  g_return_val_if_fail (draft != NULL, NULL);
  return draft->subject;
}

void
cachet_draft_set_body (CachetDraft *draft,
                       const char  *text)
{
  char *r, *w;

  g_return_if_fail (draft != NULL);
  replace (&draft->body, text);
  if (draft->body == NULL)
    return;
  /* LF line ends, whatever was handed in. */
  for (r = w = draft->body; *r; r++)
    {
      if (*r == '\r')
        {
          *w++ = '\n';
          if (r[1] == '\n')
            r++;
        }
      else
        *w++ = *r;
    }
  *w = '\0';
}

const char *
cachet_draft_get_body (CachetDraft *draft)
{
  g_return_val_if_fail (draft != NULL, NULL);
  return draft->body;
}

/* "<id>" or "id" → "id"; NULL when it cannot be a msg-id. */
static char *
clean_msg_id (const char *id)
{
  g_autofree char *copy = NULL;
  gsize len;

  if (id == NULL)
    return NULL;
  copy = g_strstrip (g_strdup (id));
  len = strlen (copy);
  if (len >= 2 && copy[0] == '<' && copy[len - 1] == '>')
    {
      memmove (copy, copy + 1, len - 2);
      copy[len - 2] = '\0';
      len -= 2;
    }
  if (len == 0 || len > 250)
    return NULL;
  for (gsize i = 0; i < len; i++)
    if ((guchar) copy[i] <= 0x20 || (guchar) copy[i] >= 0x7f || copy[i] == '<' || copy[i] == '>')
      return NULL;
  return g_steal_pointer (&copy);
}

void
cachet_draft_set_in_reply_to (CachetDraft *draft,
                              const char  *message_id)
{
  g_return_if_fail (draft != NULL);
  g_free (draft->in_reply_to);
  draft->in_reply_to = clean_msg_id (message_id);
}

void
_cachet_draft_set_references_take (CachetDraft *draft,
                                   GPtrArray   *ids)
{
  g_ptr_array_add (ids, NULL);
  g_strfreev (draft->references);
  draft->references = (GStrv) g_ptr_array_free (ids, FALSE);
}

void
cachet_draft_set_references (CachetDraft        *draft,
                             const char * const *ids)
{
  GPtrArray *clean = g_ptr_array_new ();

  g_return_if_fail (draft != NULL);
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      char *id = clean_msg_id (ids[i]);
      if (id != NULL)
        g_ptr_array_add (clean, id);
    }
  _cachet_draft_set_references_take (draft, clean);
}

/* ---- attachments -------------------------------------------------------------------- */

static char *
guess_content_type (const char   *filename,
                    const guchar *data,
                    gsize         len)
{
  g_autofree char *type = g_content_type_guess (filename, data, len, NULL);
  char *mime = type != NULL ? g_content_type_get_mime_type (type) : NULL;

  return mime != NULL ? mime : g_strdup ("application/octet-stream");
}

guint
cachet_draft_add_file (CachetDraft  *draft,
                       const char   *path,
                       const char   *content_type,
                       GError      **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  CachetDraftAttachment *attachment;
  g_autofree char *display = NULL;

  g_return_val_if_fail (draft != NULL, G_MAXUINT);
  g_return_val_if_fail (path != NULL, G_MAXUINT);

  display = g_filename_display_basename (path);
  file = g_file_new_for_path (path);
  info = g_file_query_info (file,
                            G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                            G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                            G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, &local_error);
  if (info == NULL)
    {
      g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_IO,
                   _("“%s” cannot be attached: %s"), display, local_error->message);
      return G_MAXUINT;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_IO,
                   _("“%s” cannot be attached: it is not a file."), display);
      return G_MAXUINT;
    }

  attachment = g_new0 (CachetDraftAttachment, 1);
  attachment->kind = CACHET_DRAFT_ATTACHMENT_FILE;
  attachment->path = g_strdup (path);
  attachment->filename = _cachet_part_safe_filename (display);
  attachment->size = (guint64) g_file_info_get_size (info);
  if (content_type != NULL)
    attachment->content_type = g_strdup (content_type);
  else if (g_file_info_get_content_type (info) != NULL)
    attachment->content_type = g_content_type_get_mime_type (
      g_file_info_get_content_type (info));
  if (attachment->content_type == NULL)
    attachment->content_type = g_strdup ("application/octet-stream");
  g_ptr_array_add (draft->attachments, attachment);
  return draft->attachments->len - 1;
}

guint
cachet_draft_add_data (CachetDraft *draft,
                       const char  *filename,
                       const char  *content_type,
                       GBytes      *data)
{
  CachetDraftAttachment *attachment;
  gsize len;
  const guchar *bytes;

  g_return_val_if_fail (draft != NULL, G_MAXUINT);
  g_return_val_if_fail (data != NULL, G_MAXUINT);

  bytes = g_bytes_get_data (data, &len);
  attachment = g_new0 (CachetDraftAttachment, 1);
  attachment->kind = CACHET_DRAFT_ATTACHMENT_DATA;
  attachment->filename = _cachet_part_safe_filename (filename);
  attachment->content_type = content_type != NULL
                             ? g_strdup (content_type)
                             : guess_content_type (filename, bytes, len);
  attachment->data = g_bytes_ref (data);
  attachment->size = len;
  g_ptr_array_add (draft->attachments, attachment);
  return draft->attachments->len - 1;
}

/* A file name for an attached message: its subject, made safe, with ".eml". */
static char *
message_filename (GBytes *message)
{
  g_autoptr(CachetMessage) parsed = cachet_message_new_from_bytes (message);
  const char *subject = cachet_message_get_subject (parsed);
  g_autofree char *safe = NULL;
  GString *name;

  if (subject != NULL)
    {
      g_autofree char *flat = g_strdup (subject);

      /* No path separators or characters file systems refuse. */
      g_strdelimit (flat, "/\\:*?\"<>|", '_');
      safe = _cachet_part_safe_filename (flat);
    }
  name = g_string_new (safe != NULL ? safe : "message");
  while (name->len > 120)
    {
      const char *cut = g_utf8_find_prev_char (name->str, name->str + 120);
      g_string_truncate (name, cut != NULL ? (gsize) (cut - name->str) : 0);
    }
  g_string_append (name, ".eml");
  return g_string_free (name, FALSE);
}

guint
_cachet_draft_add_message_named (CachetDraft *draft,
                                 GBytes      *message,
                                 const char  *filename)
{
  CachetDraftAttachment *attachment;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  GString *lf;
  gsize skip = 0;

  attachment = g_new0 (CachetDraftAttachment, 1);
  attachment->kind = CACHET_DRAFT_ATTACHMENT_MESSAGE;
  /* An mbox "From " line is not part of the message. */
  if (data != NULL && len > 5 && memcmp (data, "From ", 5) == 0)
    {
      const char *nl = memchr (data, '\n', len);
      skip = nl != NULL ? (gsize) (nl - data + 1) : len;
    }
  /* Kept with LF line ends, as the built message has them. */
  lf = g_string_sized_new (len - skip);
  for (gsize i = skip; i < len; i++)
    {
      if (data[i] == '\r')
        {
          g_string_append_c (lf, '\n');
          if (i + 1 < len && data[i + 1] == '\n')
            i++;
        }
      else
        g_string_append_c (lf, data[i]);
    }
  attachment->data = g_string_free_to_bytes (lf);
  attachment->filename = filename != NULL ? _cachet_part_safe_filename (filename)
                                          : message_filename (attachment->data);
  attachment->content_type = g_strdup ("message/rfc822");
  attachment->size = g_bytes_get_size (attachment->data);
  g_ptr_array_add (draft->attachments, attachment);
  return draft->attachments->len - 1;
}

guint
cachet_draft_add_message (CachetDraft *draft,
                          GBytes      *message)
{
  g_return_val_if_fail (draft != NULL, G_MAXUINT);
  g_return_val_if_fail (message != NULL, G_MAXUINT);
  return _cachet_draft_add_message_named (draft, message, NULL);
}

guint
cachet_draft_get_n_attachments (CachetDraft *draft)
{
  g_return_val_if_fail (draft != NULL, 0);
  return draft->attachments->len;
}

void
cachet_draft_get_attachment (CachetDraft  *draft,
                             guint         index,
                             const char  **filename,
                             const char  **content_type,
                             guint64      *size)
{
  CachetDraftAttachment *attachment;

  g_return_if_fail (draft != NULL);
  g_return_if_fail (index < draft->attachments->len);
  attachment = g_ptr_array_index (draft->attachments, index);
  if (filename != NULL)
    *filename = attachment->filename;
  if (content_type != NULL)
    *content_type = attachment->content_type;
  if (size != NULL)
    *size = attachment->size;
}

void
cachet_draft_remove_attachment (CachetDraft *draft,
                                guint        index)
{
  g_return_if_fail (draft != NULL);
  g_return_if_fail (index < draft->attachments->len);
  g_ptr_array_remove_index (draft->attachments, index);
}

/* ---- recipients --------------------------------------------------------------------- */

GStrv
cachet_draft_get_envelope_recipients (CachetDraft  *draft,
                                      GError      **error)
{
  const char *fields[] = { draft->to, draft->cc, draft->bcc };
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_return_val_if_fail (draft != NULL, NULL);

  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    {
      g_autoptr(GPtrArray) list = _cachet_draft_parse_addresses (fields[f], error);

      if (list == NULL)
        return NULL;
      for (guint i = 0; i < list->len; i++)
        {
          CachetAddress *a = g_ptr_array_index (list, i);
          char *key = g_utf8_casefold (a->email, -1);

          if (!g_hash_table_add (seen, key))
            continue;
          g_ptr_array_add (out, g_strdup (a->email));
        }
    }
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

/* ---- continuing a saved message ----------------------------------------------------- */

/* "Name <local@domain>" as the user would type it, the domain shown in Unicode. */
char *
_cachet_draft_format_for_editing (GPtrArray *addresses)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_address_free);

  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      CachetAddress *a = g_ptr_array_index (addresses, i);
      const char *at = a->email != NULL ? strrchr (a->email, '@') : NULL;
      g_autofree char *unicode = NULL;
      g_autofree char *local = NULL;
      g_autofree char *email = NULL;

      if (at == NULL)
        {
          g_ptr_array_add (shown, cachet_address_copy (a));
          continue;
        }
      /* Messages give local parts without their quotes ("not@me"@example.org). */
      if (a->email[0] == '"')
        local = g_strndup (a->email, at - a->email);
      else
        local = _cachet_draft_quote_local_part (a->email, at - a->email);
      if (g_hostname_is_ascii_encoded (at + 1))
        unicode = g_hostname_to_unicode (at + 1);
      email = g_strdup_printf ("%s@%s", local, unicode != NULL ? unicode : at + 1);
      g_ptr_array_add (shown, cachet_address_new (a->name, email));
    }
  return cachet_address_list_format (shown);
}

static char *
body_text (CachetMessage *message)
{
  GPtrArray *parts = cachet_message_get_body_parts (message);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < parts->len; i++)
    {
      CachetPart *part = g_ptr_array_index (parts, i);
      g_autofree char *text = NULL;

      if (cachet_part_get_kind (part) != CACHET_PART_SINGLE || !cachet_part_is_text (part)
          || cachet_part_get_filename (part) != NULL)
        continue;
      text = cachet_part_get_text (part, NULL);
      if (out->len > 0 && out->str[out->len - 1] != '\n')
        g_string_append_c (out, '\n');
      g_string_append (out, text);
    }
  return g_string_free (out, FALSE);
}

void
_cachet_draft_add_attachments_of (CachetDraft   *draft,
                                  CachetMessage *message)
{
  GPtrArray *attachments = cachet_message_get_attachments (message);

  for (guint i = 0; i < attachments->len; i++)
    {
      CachetPart *part = g_ptr_array_index (attachments, i);
      g_autoptr(GBytes) data = cachet_part_get_decoded (part);

      if (cachet_part_get_kind (part) == CACHET_PART_MESSAGE)
        _cachet_draft_add_message_named (draft, data, cachet_part_get_filename (part));
      else if (cachet_part_get_kind (part) == CACHET_PART_SINGLE)
        {
          g_autofree char *type = NULL;
          const char *charset = cachet_part_get_charset (part);

          if (charset != NULL && cachet_part_is_text (part))
            type = g_strdup_printf ("%s; charset=%s", cachet_part_get_mime_type (part), charset);
          else
            type = g_strdup (cachet_part_get_mime_type (part));
          cachet_draft_add_data (draft, cachet_part_get_filename (part), type, data);
        }
    }
}

static char *
restore_addresses (CachetMessage *message,
                   const char    *draft_header,
                   GPtrArray     *parsed)
{
  const char *raw = cachet_message_get_header (message, draft_header);

  /* What the user had typed, when it was not (yet) a list of addresses. */
  if (raw != NULL)
    return g_strdup (raw);
  if (parsed == NULL || parsed->len == 0)
    return NULL;
  return _cachet_draft_format_for_editing (parsed);
}

CachetDraft *
cachet_draft_new_from_message (CachetMessage *message)
{
  g_autoptr(CachetDraft) draft = cachet_draft_new ();
  GPtrArray *from;
  g_autofree char *to = NULL;
  g_autofree char *cc = NULL;
  g_autofree char *bcc = NULL;
  g_autofree char *body = NULL;

  g_return_val_if_fail (CACHET_IS_MESSAGE (message), NULL);

  cachet_draft_set_account_id (draft, cachet_message_get_header (message, "X-Cachet-Account"));
  from = cachet_message_get_from (message);
  if (from->len > 0)
    {
      CachetAddress *a = g_ptr_array_index (from, 0);
      cachet_draft_set_from (draft, a->name, a->email);
    }
  to = restore_addresses (message, "X-Cachet-Draft-To", cachet_message_get_to (message));
  cc = restore_addresses (message, "X-Cachet-Draft-Cc", cachet_message_get_cc (message));
  bcc = restore_addresses (message, "X-Cachet-Draft-Bcc", cachet_message_get_bcc (message));
  cachet_draft_set_to (draft, to);
  cachet_draft_set_cc (draft, cc);
  cachet_draft_set_bcc (draft, bcc);
  cachet_draft_set_subject (draft, cachet_message_get_subject (message));
  cachet_draft_set_in_reply_to (draft, cachet_message_get_in_reply_to (message));
  cachet_draft_set_references (draft, cachet_message_get_references (message));
  body = body_text (message);
  cachet_draft_set_body (draft, body);
  _cachet_draft_add_attachments_of (draft, message);
  return g_steal_pointer (&draft);
}
