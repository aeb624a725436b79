/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CACHET_CRYPTO_ERROR (cachet_crypto_error_quark ())

/* Why a plugin is refused.  Each has its own sentence for the user. */
typedef enum
{
  CACHET_CRYPTO_ERROR_PATH,            /* not an absolute path, or in the current directory */
  CACHET_CRYPTO_ERROR_NOT_FOUND,       /* cannot be opened or read */
  CACHET_CRYPTO_ERROR_SYMLINK,         /* the file is a symbolic link */
  CACHET_CRYPTO_ERROR_NOT_REGULAR,     /* not a regular file */
  CACHET_CRYPTO_ERROR_OWNER,           /* file or directory owned by someone else */
  CACHET_CRYPTO_ERROR_WRITABLE,        /* file or directory writable by group or others */
  CACHET_CRYPTO_ERROR_CHANGED,         /* the file changed while being opened */
  CACHET_CRYPTO_ERROR_NOT_SHARED_OBJECT,
  CACHET_CRYPTO_ERROR_TRUNCATED,
  CACHET_CRYPTO_ERROR_WRONG_ARCH,
  CACHET_CRYPTO_ERROR_LOAD,            /* dlopen failed (e.g. an unresolved symbol) */
  CACHET_CRYPTO_ERROR_NEWER_MAJOR,     /* only a later major's entry symbol */
  CACHET_CRYPTO_ERROR_NO_ENTRY,
  CACHET_CRYPTO_ERROR_NO_INFO,         /* the entry point returned NULL */
  CACHET_CRYPTO_ERROR_BAD_MAGIC,
  CACHET_CRYPTO_ERROR_SHORT_INFO,
  CACHET_CRYPTO_ERROR_MAJOR,           /* info's major disagrees with the symbol */
  CACHET_CRYPTO_ERROR_MINOR_TOO_NEW,
  CACHET_CRYPTO_ERROR_NO_ID,
  CACHET_CRYPTO_ERROR_DUPLICATE_ID,
  CACHET_CRYPTO_ERROR_MISSING_OP,      /* a claimed capability without its op */
  CACHET_CRYPTO_ERROR_INIT,            /* init failed */
} CachetCryptoError;

GQuark cachet_crypto_error_quark (void);

G_END_DECLS
