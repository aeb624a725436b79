/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-crypto-plugin.h"

/* The host API functions that act on a call or its result sink; the table
 * in cachet-crypto-host.c points at them. */
void    _cachet_crypto_call_set_error      (CachetCryptoCall *call, int32_t status,
                                            const char *user_message,
                                            const char *debug_message);
int32_t _cachet_crypto_call_is_cancelled   (CachetCryptoCall *call);
int32_t _cachet_crypto_call_ask_passphrase (CachetCryptoCall *call, const char *key_hint,
                                            const char *description, int32_t previous_was_bad,
                                            const char **passphrase, size_t *length);
void    _cachet_crypto_call_progress       (CachetCryptoCall *call, uint64_t done,
                                            uint64_t total);
void    _cachet_crypto_sink_add_signature  (CachetCryptoResultSink *sink,
                                            const CachetCryptoSignature *signature);
void    _cachet_crypto_sink_add_key        (CachetCryptoResultSink *sink,
                                            const CachetCryptoKey *key);
void    _cachet_crypto_sink_set_result     (CachetCryptoResultSink *sink, const char *key,
                                            const char *value);
