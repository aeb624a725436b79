/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-message.h"

G_BEGIN_DECLS

/* A message being written, and how it becomes RFC 5322 bytes (MIME built with libetpan's
 * mailmime/mailimf writers): UTF-8 everywhere, RFC 2047 encoded words in headers, RFC 2231
 * file names, quoted-printable or base64 as fits each part, 7bit when it can be,
 * format=flowed for the text, lines folded at 78, Message-ID, Date and MIME-Version.  A
 * draft has no GTK and no store: the composer fills it, the Drafts folder keeps what
 * cachet_draft_build() makes, cachet_draft_new_from_message() reads it back. */
typedef struct _CachetDraft CachetDraft;

typedef enum
{
  /* For Outbox/SMTP: no Bcc header, no X-Cachet-* headers. */
  CACHET_DRAFT_BUILD_SEND  = 0,
  /* For the Drafts folder: Bcc and the identity kept (X-Cachet-Account), so that
   * reopening continues exactly where the user was. */
  CACHET_DRAFT_BUILD_DRAFT = 1 << 0,
} CachetDraftBuildFlags;

CachetDraft *cachet_draft_new              (void);
void         cachet_draft_free             (CachetDraft *draft);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetDraft, cachet_draft_free)

/* Account id (which account sends it) and the From identity. */
void         cachet_draft_set_account_id   (CachetDraft *draft, const char *account_id);
const char  *cachet_draft_get_account_id   (CachetDraft *draft);
void         cachet_draft_set_from         (CachetDraft *draft, const char *display_name,
                                            const char *address);
/* Address fields as the user typed them ("Ann <a@x>, b@y"); parsed when building or with
 * cachet_draft_get_envelope_recipients().  Getters return what was set. */
void         cachet_draft_set_to           (CachetDraft *draft, const char *text);
void         cachet_draft_set_cc           (CachetDraft *draft, const char *text);
void         cachet_draft_set_bcc          (CachetDraft *draft, const char *text);
const char  *cachet_draft_get_to           (CachetDraft *draft);
const char  *cachet_draft_get_cc           (CachetDraft *draft);
const char  *cachet_draft_get_bcc          (CachetDraft *draft);
void         cachet_draft_set_subject      (CachetDraft *draft, const char *subject);
const char  *cachet_draft_get_subject      (CachetDraft *draft);
/* The plain text body (UTF-8, LF line ends), signature included as the user sees it. */
void         cachet_draft_set_body         (CachetDraft *draft, const char *text);
const char  *cachet_draft_get_body         (CachetDraft *draft);
void         cachet_draft_set_in_reply_to  (CachetDraft *draft, const char *message_id);
void         cachet_draft_set_references   (CachetDraft *draft, const char * const *ids);

/* Attachments, in order.  A file is read when building (an error names it if it is gone);
 * @content_type NULL guesses from the name and contents. */
guint        cachet_draft_add_file         (CachetDraft *draft, const char *path,
                                            const char *content_type, GError **error);
guint        cachet_draft_add_data         (CachetDraft *draft, const char *filename,
                                            const char *content_type, GBytes *data);
/* A whole message as message/rfc822 (forward as attachment). */
guint        cachet_draft_add_message      (CachetDraft *draft, GBytes *message);
/* Each returns the new attachment's index; cachet_draft_add_file() returns G_MAXUINT (and
 * sets @error, CACHET_CORE_ERROR_IO) when @path is not there or not a file. */
guint        cachet_draft_get_n_attachments (CachetDraft *draft);
void         cachet_draft_get_attachment   (CachetDraft *draft, guint index,
                                            const char **filename, const char **content_type,
                                            guint64 *size);
void         cachet_draft_remove_attachment (CachetDraft *draft, guint index);

/* The addresses of To, Cc and Bcc, deduplicated, for RCPT TO.  An address that does not
 * parse is an error naming it (CACHET_CORE_ERROR_INVALID). */
GStrv        cachet_draft_get_envelope_recipients (CachetDraft *draft, GError **error);
/* The message, LF line ends.  Errors: no recipient or no sender (SEND only), a bad
 * address, an attachment that cannot be read.  In a DRAFT, address text that is not (yet)
 * a list of addresses is no error: it is kept as typed (X-Cachet-Draft-To, -Cc, -Bcc) and
 * cachet_draft_new_from_message() gives it back.  SEND makes the text format=flowed, which
 * drops spaces before a line break (RFC 3676 4.2); a DRAFT keeps the text exactly. */
GBytes      *cachet_draft_build            (CachetDraft *draft, CachetDraftBuildFlags flags,
                                            GError **error);

/* Continues a draft saved with CACHET_DRAFT_BUILD_DRAFT (or any message: "edit as new"). */
CachetDraft *cachet_draft_new_from_message (CachetMessage *message);
/* Reply: "Re: " once, To from Reply-To/From, (@all) Cc of the other recipients minus
 * @own_addresses, body quoted ("On DATE, NAME wrote:" and "> " lines, flowed-aware),
 * In-Reply-To and References. */
CachetDraft *cachet_draft_new_reply        (CachetMessage *original, gboolean all,
                                            const char * const *own_addresses);
/* Forward: "Fwd: ", inline (the original's headers and text in the body, its attachments
 * attached again) or the whole original attached as message/rfc822. */
CachetDraft *cachet_draft_new_forward      (CachetMessage *original, gboolean as_attachment);
/* An RFC 6068 mailto: URI (to, cc, bcc, subject, body, in-reply-to; percent-encoded UTF-8;
 * other headers ignored).  A URI that is not mailto: is CACHET_CORE_ERROR_INVALID. */
CachetDraft *cachet_draft_new_from_mailto  (const char *uri, GError **error);

G_END_DECLS
