/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-draft.h"

G_BEGIN_DECLS

typedef enum
{
  CACHET_DRAFT_ATTACHMENT_FILE,     /* read from @path when building */
  CACHET_DRAFT_ATTACHMENT_DATA,     /* @data */
  CACHET_DRAFT_ATTACHMENT_MESSAGE,  /* @data is a whole message: message/rfc822 */
} CachetDraftAttachmentKind;

typedef struct
{
  CachetDraftAttachmentKind kind;
  char    *path;
  char    *filename;
  char    *content_type;
  GBytes  *data;
  guint64  size;
} CachetDraftAttachment;

struct _CachetDraft
{
  char      *account_id;
  char      *from_name;
  char      *from_address;
  char      *to;
  char      *cc;
  char      *bcc;
  char      *subject;
  char      *body;
  char      *in_reply_to;
  GStrv      references;
  GPtrArray *attachments;  /* CachetDraftAttachment */
};

/* Longest encoded word (RFC 2047 section 2). */
#define CACHET_DRAFT_MAX_WORD 75

/* ---- headers (cachet-draft-encode.c) ------------------------------------------------ */

/* Valid UTF-8 on one line, control characters made spaces. */
char     *_cachet_draft_header_text         (const char *text);
/* RFC 5322 atext. */
gboolean  _cachet_draft_is_atext            (guchar      c);

/* Unstructured text (Subject) as a header value: printable ASCII words as they are, the
 * rest as RFC 2047 encoded words of at most 75 characters, never splitting a UTF-8
 * character, tokens separated by single spaces so that folding at any space keeps the
 * text.  @first_room: how many characters fit on the header's first line. */
char     *_cachet_draft_encode_unstructured (const char *text,
                                             gsize       first_room);
/* A display name as an RFC 5322 phrase: atoms, a quoted string, or encoded words. */
char     *_cachet_draft_encode_phrase       (const char *name,
                                             gsize       first_room);
/* "phrase <addr>" or "addr" for a header. */
char     *_cachet_draft_format_mailbox      (const char *name,
                                             const char *address,
                                             gsize       first_room);
/* A whole address header value for the parsed list. */
char     *_cachet_draft_format_address_list (GPtrArray  *addresses,
                                             gsize       first_room);

/* ---- addresses (cachet-draft-address.c) -------------------------------------------- */

/* Parses an address field as typed ("Ann <a@x>, b@y") into CachetAddress items whose
 * email is a valid addr-spec with an ASCII (IDNA) domain.  Fails with
 * CACHET_CORE_ERROR_INVALID naming the first entry that is not an address. */
GPtrArray *_cachet_draft_parse_addresses    (const char  *text,
                                             GError     **error);
/* Checks one addr-spec; returns it with the domain in ASCII, or NULL. */
char      *_cachet_draft_normalize_addr_spec (const char *addr_spec);
/* A local part as written in an addr-spec: as it is when it is a dot-atom, else quoted. */
char      *_cachet_draft_quote_local_part    (const char *local,
                                              gssize      len);
/* CachetAddress items as an address field the user edits (domains in Unicode). */
char      *_cachet_draft_format_for_editing  (GPtrArray  *addresses);

/* ---- MIME parameters (cachet-draft-encode.c) ---------------------------------------- */

/* TRUE when @filename can be written as a plain quoted parameter value. */
gboolean  _cachet_draft_filename_is_simple  (const char *filename);
/* "attachment;\r\n filename*0*=utf-8''...;\r\n filename*1*=..." (RFC 2231, folded). */
char     *_cachet_draft_format_disposition  (const char *disposition,
                                             const char *filename);
/* RFC 2047 encoded words for a quoted "name" parameter, folded inside the quotes. */
char     *_cachet_draft_encode_param_words  (const char *value);

/* ---- bodies (cachet-draft-encode.c) ------------------------------------------------- */

/* RFC 3676 format=flowed: long lines soft-broken at spaces, quoted lines kept as quotes,
 * space-stuffing, trailing spaces before hard breaks removed.  LF line ends. */
char     *_cachet_draft_flowed_encode       (const char *text);
/* Quoted-printable with LF hard breaks, lines at most 76, trailing white space, "From "
 * and "." at a line start encoded; ends with a line break (a soft one if needed). */
char     *_cachet_draft_qp_encode           (const char *data,
                                             gsize       len);
/* Base64 in lines of 76 characters, each ended by LF. */
char     *_cachet_draft_base64_encode       (const guint8 *data,
                                             gsize         len);

/* ---- reply helpers (cachet-draft-reply.c) ------------------------------------------- */

/* The subject without any leading reply prefixes ("Re:", "AW:", "Sv:", "Re[2]:"). */
char     *_cachet_draft_strip_reply_prefixes   (const char *subject);
char     *_cachet_draft_strip_forward_prefixes (const char *subject);

void      _cachet_draft_set_references_take (CachetDraft *draft,
                                             GPtrArray   *ids);
guint     _cachet_draft_add_message_named   (CachetDraft *draft,
                                             GBytes      *message,
                                             const char  *filename);
/* The message's attachments as attachments of @draft (data copied, names kept). */
void      _cachet_draft_add_attachments_of  (CachetDraft   *draft,
                                             CachetMessage *message);

G_END_DECLS
