/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the host's MIME structure for sealed mail.  Opens the
 * input with no plugin loaded (every structure is taken apart up to the
 * plugin call), checks that what it shows parses, and makes the input
 * seven bit as sealing does.  Build with -Dfuzzing=true and CC=clang;
 * see HACKING.md. */
#include "config.h"

#include <stdint.h>

#include "cachet-crypto-mime-private.h"
#include "cachet-message.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static CachetCryptoRegistry *registry;
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(CachetCryptoOpened) opened = NULL;
  g_autoptr(CachetCryptoVerdict) verdict = NULL;
  g_autoptr(GByteArray) crlf = NULL;
  g_autoptr(GByteArray) seven = NULL;
  g_autoptr(GError) error = NULL;

  if (registry == NULL)
    registry = cachet_crypto_registry_new (NULL);

  (void) cachet_crypto_looks_sealed (bytes);
  opened = cachet_crypto_open (registry, bytes, NULL, &error);
  g_assert (opened != NULL && error == NULL);
  g_assert (opened->message != NULL);
  /* Nothing can be opened without a plugin: the message is kept. */
  g_assert (g_bytes_equal (opened->message, bytes));
  verdict = cachet_crypto_verdict_new (opened, "alice@example.org");
  g_assert (verdict == NULL || g_utf8_validate (verdict->title, -1, NULL));

  crlf = _cachet_crypto_mime_to_crlf ((const char *) data, size);
  seven = _cachet_crypto_mime_make_7bit ((const char *) crlf->data, crlf->len, 0);
  g_assert (seven != NULL);
  return 0;
}
