/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How a conversion to UTF-8 went. */
typedef enum
{
  CACHET_CHARSET_OK = 0,        /* converted from the declared charset */
  CACHET_CHARSET_UNKNOWN,       /* charset unknown: fell back (UTF-8 if valid, else Windows-1252) */
  CACHET_CHARSET_INVALID,       /* bytes not valid in the charset: bad sequences replaced */
} CachetCharsetResult;

const char *cachet_charset_canonical (const char *charset);

char *cachet_charset_to_utf8 (const char          *data,
                              gssize               len,
                              const char          *charset,
                              CachetCharsetResult *result);

char *cachet_utf8_make_valid_len (const char *data,
                                  gssize      len);

G_END_DECLS
