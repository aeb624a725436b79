/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cachet-pop3-session.h"

G_BEGIN_DECLS

/* The pure parts of the POP3 client: replies, listings and the multi-line decoder.  No
 * I/O here, so the tests can feed them anything. */

typedef enum
{
  CACHET_POP3_REPLY_OK,    /* +OK */
  CACHET_POP3_REPLY_ERR,   /* -ERR */
  CACHET_POP3_REPLY_MORE,  /* "+ " SASL continuation */
} CachetPop3ReplyKind;

typedef struct
{
  CachetPop3ReplyKind kind;
  char *code;   /* RFC 2449 response code without brackets ("AUTH", "IN-USE", "SYS/TEMP"),
                   upper case, or NULL */
  char *text;   /* the rest of the line after the status word (the code included), made
                   valid UTF-8 without control characters: safe to show */
} CachetPop3Reply;

void     _cachet_pop3_reply_clear        (CachetPop3Reply *reply);
/* FALSE when @line is not a POP3 status line. */
gboolean _cachet_pop3_reply_parse        (const char      *line,
                                          CachetPop3Reply *reply);

/* Server text made safe for a message: valid UTF-8, no control characters, at most
 * @max_chars characters (an ellipsis marks a cut). */
char    *_cachet_pop3_sanitize           (const char *text,
                                          gssize      len,
                                          guint       max_chars);

/* The APOP challenge ("<...>") of a greeting, or NULL. */
char    *_cachet_pop3_greeting_timestamp (const char *greeting);

/* "n size" of a LIST reply; FALSE when malformed. */
gboolean _cachet_pop3_parse_list_line    (const char *line,
                                          guint      *number,
                                          guint64    *size);
/* "n uid" of a UIDL reply; FALSE when malformed (RFC 1939: 1 to 70 characters 0x21-0x7E). */
gboolean _cachet_pop3_parse_uidl_line    (const char  *line,
                                          guint       *number,
                                          const char **uid,
                                          gsize       *uid_len);

/* Merges UIDL lines into entries (sorted by number).  A line that is malformed, names a
 * message LIST did not, or repeats a number is skipped; a unique id that two messages
 * share is taken from both (uidl NULL: the message cannot be told apart, so it is never
 * deleted).  Returns how many lines or ids were refused. */
guint    _cachet_pop3_merge_uidl         (GPtrArray  *entries,
                                          GPtrArray  *uidl_lines);

/* Decodes the body of a multi-line reply as it arrives: undoes dot-stuffing, turns CRLF
 * into LF (a lone CR or LF stays as it is) and finds the terminating ".".  A dot line
 * ended by a bare LF ends the reply too. */
typedef struct
{
  int state;
} CachetPop3Decoder;

void     _cachet_pop3_decoder_init       (CachetPop3Decoder *decoder);
/* Decodes from @in until the terminator or the end of @in.  @out must hold @len + 2
 * bytes.  Returns the number of bytes of @in consumed (the rest belongs to the next
 * reply when *@done is set); *@out_len is the number of bytes written to @out. */
gsize    _cachet_pop3_decoder_feed       (CachetPop3Decoder *decoder,
                                          const guint8      *in,
                                          gsize              len,
                                          guint8            *out,
                                          gsize             *out_len,
                                          gboolean          *done);

G_END_DECLS
