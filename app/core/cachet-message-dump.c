/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-message"

#include "config.h"

#include "cachet-message-dump.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-address.h"
#include "cachet-part-private.h"

static void
dump_addresses (GString    *out,
                const char *label,
                GPtrArray  *addresses)
{
  g_autofree char *text = NULL;

  if (addresses == NULL || addresses->len == 0)
    return;
  text = cachet_address_list_format (addresses);
  g_string_append_printf (out, "%s: %s\n", label, text);
}

static void
dump_part (GString    *out,
           CachetPart *part,
           int         depth)
{
  const char *path = cachet_part_get_path (part);

  for (int i = 0; i < depth + 1; i++)
    g_string_append (out, "  ");
  if (*path)
    g_string_append_printf (out, "%s ", path);
  g_string_append (out, cachet_part_get_mime_type (part));

  if (cachet_part_get_charset (part) != NULL)
    g_string_append_printf (out, " charset=%s", cachet_part_get_charset (part));
  if (cachet_part_get_filename (part) != NULL)
    g_string_append_printf (out, " name=\"%s\"", cachet_part_get_filename (part));

  if (part->kind == CACHET_PART_SINGLE)
    {
      g_autoptr(GBytes) decoded = cachet_part_get_decoded (part);
      const char *encoding = cachet_part_get_transfer_encoding (part);

      g_string_append_printf (out, " %s, %" G_GSIZE_FORMAT " bytes", encoding,
                              cachet_part_get_encoded_size (part));
      if (g_bytes_get_size (decoded) != cachet_part_get_encoded_size (part))
        g_string_append_printf (out, " (%" G_GSIZE_FORMAT " decoded)",
                                g_bytes_get_size (decoded));
    }
  if (cachet_part_get_disposition (part) != NULL)
    g_string_append_printf (out, ", %s", cachet_part_get_disposition (part));
  g_string_append_c (out, '\n');

  if (part->kind == CACHET_PART_MESSAGE)
    {
      const char *subject = _cachet_part_get_header (part, "Subject");
      for (int i = 0; i < depth + 2; i++)
        g_string_append (out, "  ");
      g_string_append_printf (out, "(message: %s)\n", subject ? subject : "no subject");
    }

  for (guint i = 0; i < part->children->len; i++)
    dump_part (out, g_ptr_array_index (part->children, i), depth + 1);
}

char *
cachet_message_dump (CachetMessage *message)
{
  GString *out = g_string_new (NULL);
  GDateTime *date = cachet_message_get_date (message);
  const char *raw_date = cachet_message_get_header (message, "Date");
  GPtrArray *attachments;

  if (date != NULL)
    {
      g_autofree char *text = g_date_time_format (date, "%Y-%m-%d %H:%M:%S %z");
      g_string_append_printf (out, "Date: %s\n", text);
    }
  else if (raw_date != NULL)
    g_string_append_printf (out, "Date: %s (not understood)\n", raw_date);

  dump_addresses (out, "From", cachet_message_get_from (message));
  dump_addresses (out, "Sender", cachet_message_get_sender (message));
  dump_addresses (out, "Reply-To", cachet_message_get_reply_to (message));
  dump_addresses (out, "To", cachet_message_get_to (message));
  dump_addresses (out, "Cc", cachet_message_get_cc (message));
  dump_addresses (out, "Bcc", cachet_message_get_bcc (message));
  if (cachet_message_get_subject (message) != NULL)
    g_string_append_printf (out, "Subject: %s\n", cachet_message_get_subject (message));
  if (cachet_message_get_message_id (message) != NULL)
    g_string_append_printf (out, "Message-ID: <%s>\n", cachet_message_get_message_id (message));
  if (cachet_message_get_in_reply_to (message) != NULL)
    g_string_append_printf (out, "In-Reply-To: <%s>\n",
                            cachet_message_get_in_reply_to (message));
  {
    const char * const *refs = cachet_message_get_references (message);
    if (refs != NULL && refs[0] != NULL)
      {
        g_string_append (out, "References:");
        for (; *refs; refs++)
          g_string_append_printf (out, " <%s>", *refs);
        g_string_append_c (out, '\n');
      }
  }

  g_string_append (out, "\nMIME structure:\n");
  if (cachet_message_is_raw (message))
    g_string_append (out, "  (not parsed: shown raw)\n");
  else
    dump_part (out, cachet_message_get_root (message), 0);

  attachments = cachet_message_get_attachments (message);
  if (attachments->len > 0)
    {
      g_string_append (out, "\nAttachments:\n");
      for (guint i = 0; i < attachments->len; i++)
        {
          CachetPart *part = g_ptr_array_index (attachments, i);
          g_autoptr(GBytes) decoded = cachet_part_get_decoded (part);
          const char *name = cachet_part_get_filename (part);
          g_string_append_printf (out, "  %s %s (%s, %" G_GSIZE_FORMAT " bytes)\n",
                                  cachet_part_get_path (part),
                                  name ? name : "(no name)",
                                  cachet_part_get_mime_type (part),
                                  part->kind == CACHET_PART_MESSAGE
                                    ? cachet_part_get_encoded_size (part)
                                    : g_bytes_get_size (decoded));
        }
    }

  g_string_append (out, "\n────────────────────────────────────────\n");
  g_string_append (out, cachet_message_get_body_text (message));
  return g_string_free (out, FALSE);
}

char *
cachet_message_dup_index_text (CachetMessage *message,
                               gsize          max_bytes)
{
  const char *body = cachet_message_get_body_text (message);
  gsize len = strlen (body);
  const char *end;

  if (len <= max_bytes)
    return g_strdup (body);
  end = g_utf8_find_prev_char (body, body + max_bytes + 1);
  return g_strndup (body, end ? (gsize) (end - body) : 0);
}
