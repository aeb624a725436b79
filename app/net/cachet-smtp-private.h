/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The pure parts of the SMTP client: replies, EHLO keywords, the size and 8-bit scan of
 * a message and the DATA encoder (CRLF line ends, dot-stuffing).  No I/O here, so the
 * tests can feed them anything. */

/* One line of a reply: "250-SIZE 1000" gives code 250, more TRUE, text "SIZE 1000".
 * FALSE when @line is not a reply line (three digits 200-599, then ' ', '-' or the end;
 * 1xx replies do not exist in SMTP). */
gboolean _cachet_smtp_parse_reply_line (const char  *line,
                                        guint       *code,
                                        gboolean    *more,
                                        const char **text);

/* The enhanced status code (RFC 3463) at the start of a reply's text ("5.7.8"), newly
 * allocated, or NULL. */
char    *_cachet_smtp_enhanced_code    (const char *text);

/* Adds the keywords of an EHLO reply to @extensions (upper-case keyword -> its arguments,
 * "" when none).  @lines are the reply's lines without their codes, separated by '\n'; the
 * first one is the server's name and greeting, not a keyword.  Lines that are no keyword
 * (RFC 5321: a letter or digit, then letters, digits or '-') are skipped. */
void     _cachet_smtp_parse_ehlo       (const char *lines,
                                        GHashTable *extensions);

/* What DATA will carry for @data: its size in octets with every line end made CRLF and a
 * line end added to an unfinished last line (the SIZE of RFC 1870, without dot-stuffing
 * and the final "."), and whether a byte has its top bit set (8BITMIME needed). */
void     _cachet_smtp_scan_message     (const guint8 *data,
                                        gsize         len,
                                        guint64      *wire_size,
                                        gboolean     *eight_bit);

/* Turns a message into DATA content as it goes: bare LF becomes CRLF, a line starting
 * with "." gets another one (RFC 5321 4.5.2); CR and CRLF are kept as they are. */
typedef struct
{
  gboolean line_start;   /* the next byte starts a line */
  gboolean prev_cr;      /* the last byte taken was CR */
} CachetSmtpEncoder;

void     _cachet_smtp_encoder_init     (CachetSmtpEncoder *encoder);
/* Encodes as much of @in as fits in @out (at least 2 bytes); returns the bytes written
 * and sets @consumed to the bytes of @in taken.  Call again with the rest. */
gsize    _cachet_smtp_encode           (CachetSmtpEncoder *encoder,
                                        const guint8      *in,
                                        gsize              in_len,
                                        gsize             *consumed,
                                        guint8            *out,
                                        gsize              out_size);
/* The end: a line end when the last line had none, then ".\r\n".  @out needs 5 bytes;
 * returns the bytes written. */
gsize    _cachet_smtp_encode_finish    (CachetSmtpEncoder *encoder,
                                        guint8            *out);

/* Server text made safe for a message: valid UTF-8, no control characters, at most
 * @max_chars characters (an ellipsis marks a cut). */
char    *_cachet_smtp_sanitize         (const char *text,
                                        gssize      len,
                                        guint       max_chars);

/* Is @address fit for MAIL FROM / RCPT TO: no control characters, spaces, angle
 * brackets?  @non_ascii says whether it needs SMTPUTF8. */
gboolean _cachet_smtp_address_ok       (const char *address,
                                        gboolean   *non_ascii);

/* Does a refusal of RCPT say that the server will not relay (rather than that the
 * recipient does not exist)? */
gboolean _cachet_smtp_reply_is_relay   (guint       code,
                                        const char *text);

G_END_DECLS
