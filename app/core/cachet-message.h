/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-part.h"

G_BEGIN_DECLS

#define CACHET_TYPE_MESSAGE (cachet_message_get_type ())
G_DECLARE_FINAL_TYPE (CachetMessage, cachet_message, CACHET, MESSAGE, GObject)

/* Parses a message (RFC 5322 + MIME) with libetpan.  Never fails on bad input: what can be
 * parsed is shown, problems are listed in the warnings, and a message libetpan rejects
 * entirely keeps its raw text as the body with a notice (see cachet_message_is_raw()). */
CachetMessage *cachet_message_new_from_bytes (GBytes       *data);
CachetMessage *cachet_message_new_from_file  (const char   *path,
                                              GError      **error);

GBytes      *cachet_message_get_bytes        (CachetMessage *self);

/* Decoded (UTF-8) headers. */
const char  *cachet_message_get_subject      (CachetMessage *self);
GPtrArray   *cachet_message_get_from         (CachetMessage *self);  /* CachetAddress */
GPtrArray   *cachet_message_get_sender       (CachetMessage *self);
GPtrArray   *cachet_message_get_reply_to     (CachetMessage *self);
GPtrArray   *cachet_message_get_to           (CachetMessage *self);
GPtrArray   *cachet_message_get_cc           (CachetMessage *self);
GPtrArray   *cachet_message_get_bcc          (CachetMessage *self);
GDateTime   *cachet_message_get_date         (CachetMessage *self);  /* may be NULL */
/* Message-ID without angle brackets, or NULL. */
const char  *cachet_message_get_message_id   (CachetMessage *self);
const char  *cachet_message_get_in_reply_to  (CachetMessage *self);
/* References in order, without angle brackets; never NULL. */
const char * const *cachet_message_get_references (CachetMessage *self);

/* Every header field in order: name as written, value decoded (RFC 2047) and unfolded. */
guint        cachet_message_get_n_headers    (CachetMessage *self);
const char  *cachet_message_get_header_name  (CachetMessage *self,
                                              guint          i);
const char  *cachet_message_get_header_value (CachetMessage *self,
                                              guint          i);
/* First header of that name (case-insensitive), decoded; NULL when absent. */
const char  *cachet_message_get_header       (CachetMessage *self,
                                              const char    *name);

CachetPart  *cachet_message_get_root         (CachetMessage *self);  /* never NULL */

/* The parts a viewer shows as the body, in order (text/plain preferred in alternatives). */
GPtrArray   *cachet_message_get_body_parts   (CachetMessage *self);
/* The body as the viewer shows it, in UTF-8: text parts joined, notices for what could not
 * be shown.  Cached. */
const char  *cachet_message_get_body_text    (CachetMessage *self);
/* Parts offered as attachments (with a file name or disposition attachment, or not text). */
GPtrArray   *cachet_message_get_attachments  (CachetMessage *self);
gboolean     cachet_message_has_attachments  (CachetMessage *self);

/* Problems found while parsing, each a sentence for the user; never NULL. */
GPtrArray   *cachet_message_get_warnings     (CachetMessage *self);
/* TRUE when libetpan could not parse the message and it is shown raw. */
gboolean     cachet_message_is_raw           (CachetMessage *self);

G_END_DECLS
