/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* One node of a message's MIME tree.  Reference counted; immutable after parsing.  A part
 * keeps a reference to the whole raw message and knows where its body lies in it. */
typedef struct _CachetPart CachetPart;

typedef enum
{
  CACHET_PART_SINGLE,     /* a leaf with a body */
  CACHET_PART_MULTIPART,  /* children in order */
  CACHET_PART_MESSAGE,    /* message/rfc822 (or global): one child, the embedded message */
} CachetPartKind;

#define CACHET_TYPE_PART (cachet_part_get_type ())

GType        cachet_part_get_type          (void) G_GNUC_CONST;
CachetPart  *cachet_part_ref               (CachetPart *part);
void         cachet_part_unref             (CachetPart *part);

CachetPartKind cachet_part_get_kind        (CachetPart *part);
/* "text/plain" in lower case; a missing or broken Content-Type gives the RFC 2045 default. */
const char  *cachet_part_get_mime_type     (CachetPart *part);
const char  *cachet_part_get_charset       (CachetPart *part);   /* lower case, or NULL */
const char  *cachet_part_get_parameter     (CachetPart *part,
                                            const char *name);   /* Content-Type parameter,
                                                                    RFC 2231 decoded */
/* "7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode" */
const char  *cachet_part_get_transfer_encoding (CachetPart *part);
/* "inline", "attachment" or NULL when absent */
const char  *cachet_part_get_disposition   (CachetPart *part);
/* From Content-Disposition filename or Content-Type name (RFC 2231 / RFC 2047 decoded),
 * reduced to a safe base name (no directories, no control characters); NULL when none. */
const char  *cachet_part_get_filename      (CachetPart *part);
const char  *cachet_part_get_content_id    (CachetPart *part);
const char  *cachet_part_get_description   (CachetPart *part);
/* The dotted position in the tree: "1", "1.2", ... ("" for the root). */
const char  *cachet_part_get_path          (CachetPart *part);

GPtrArray   *cachet_part_get_children      (CachetPart *part);   /* (element-type CachetPart) */
CachetPart  *cachet_part_get_parent        (CachetPart *part);   /* borrowed, may be NULL */

/* Size of the encoded body as stored in the message. */
gsize        cachet_part_get_encoded_size  (CachetPart *part);
/* The body with the transfer encoding removed.  Never NULL (empty on failure). */
GBytes      *cachet_part_get_decoded       (CachetPart *part);
/* For text parts: the body in UTF-8 as a viewer shows it (format=flowed joined, HTML turned
 * into safe text).  *@charset_note is set to a human-readable warning when the charset was
 * unknown or the bytes invalid in it, else NULL. */
char        *cachet_part_get_text          (CachetPart *part,
                                            char      **charset_note);

gboolean     cachet_part_is_attachment     (CachetPart *part);
gboolean     cachet_part_is_text           (CachetPart *part);

/* Writes the decoded body to @path (atomically, via a temporary file). */
gboolean     cachet_part_save_to_file      (CachetPart *part,
                                            const char *path,
                                            GError    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetPart, cachet_part_unref)

G_END_DECLS
