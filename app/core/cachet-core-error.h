/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CACHET_CORE_ERROR (cachet_core_error_quark ())

typedef enum
{
  CACHET_CORE_ERROR_PARSE,    /* the input could not be parsed at all */
  CACHET_CORE_ERROR_CHARSET,  /* a charset is unknown or the text is not in it */
  CACHET_CORE_ERROR_IO,       /* reading or writing a file failed */
  CACHET_CORE_ERROR_MBOX,     /* a file is not an mbox */
  CACHET_CORE_ERROR_INVALID,  /* input that is not what it must be (an address, a URI) */
} CachetCoreError;

GQuark cachet_core_error_quark (void);

G_END_DECLS
