/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Unfolds and decodes an unstructured header value (RFC 5322 + RFC 2047) to UTF-8.
 * Tolerates the broken forms seen in real mail: encoded words inside quoted strings or
 * words, no whitespace between words, multibyte characters split across words, lowercase
 * 'q'/'b', unknown charsets, raw 8-bit bytes (taken as UTF-8 when valid, else as
 * @fallback_charset, else Windows-1252).  Never fails; always returns valid UTF-8. */
char *cachet_header_decode (const char *raw,
                            const char *fallback_charset);

/* Unfolds a header value: CRLF/LF followed by whitespace becomes the whitespace. */
char *cachet_header_unfold (const char *raw);

G_END_DECLS
