/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cachet-crypto-mime.h"
#include "cachet-message.h"

G_BEGIN_DECLS

/* A registry with the named toy plugins ("toy-pgp", "toy-smime") copied
 * into a fresh 0755 directory under the build directory and scanned, or
 * NULL when the build directory cannot hold plugins. */
CachetCryptoRegistry *crypto_test_registry (const char *const *plugins);

/* TRUE (and the test skipped) when REGISTRY is NULL. */
gboolean crypto_test_skip_without (CachetCryptoRegistry *registry);

/* Removes the directories crypto_test_registry made. */
void crypto_test_cleanup (void);

/* A message as CachetDraft builds it for sending: From Alice (or FROM),
 * to TO, BODY (UTF-8), with an attachment "data.bin" of binary bytes
 * when ATTACH. */
GBytes *crypto_test_draft (const char *from,
                           const char *to,
                           const char *body,
                           gboolean    attach);

/* The binary attachment crypto_test_draft adds. */
GBytes *crypto_test_attachment (void);

/* How many times a toy plugin's encrypt ran (counted from its log). */
guint crypto_test_encrypt_count (void);

/* Installs the log writer that counts; call first in main. */
void crypto_test_init_log (void);

/* Seals MESSAGE with the usual options. */
GBytes *crypto_test_seal (CachetCryptoRegistry *registry,
                          GBytes               *message,
                          const char           *protocol,
                          gboolean              sign,
                          gboolean              encrypt,
                          const char           *sender,
                          const char *const    *recipients,
                          GError              **error);

/* Opens MESSAGE without a passphrase callback; asserts no error. */
CachetCryptoOpened *crypto_test_open (CachetCryptoRegistry *registry,
                                      GBytes               *message);

/* TRUE when every byte is 7bit and no line is longer than 998. */
gboolean crypto_test_is_7bit (GBytes *message);

/* Replaces the first FIND in DATA by REPLACE (same length). */
GBytes *crypto_test_replace (GBytes     *data,
                             const char *find,
                             const char *replace);

G_END_DECLS
