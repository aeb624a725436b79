/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Group 1 of the plugin contract: one exported function taking a pointer
 * to every public type, so that abidw sees the whole header.  Never
 * installed. */
#include "cachet-crypto-plugin.h"

__attribute__ ((visibility ("default"))) void
cachet_crypto_abi_baseline (const CachetCryptoPluginInfo *info,
                            const CachetCryptoOps        *ops,
                            const CachetCryptoHostApi    *host_api,
                            const CachetCryptoInStream   *in,
                            const CachetCryptoOutStream  *out,
                            const CachetCryptoPartInfo   *part,
                            const CachetCryptoParams     *params,
                            const CachetCryptoSignature  *signature,
                            const CachetCryptoKey        *key,
                            CachetCryptoHost             *host,
                            CachetCryptoCall             *call,
                            CachetCryptoResultSink       *sink,
                            CachetCryptoPlugin           *plugin,
                            CachetCryptoPluginEntry       entry);

void
cachet_crypto_abi_baseline (const CachetCryptoPluginInfo *info,
                            const CachetCryptoOps        *ops,
                            const CachetCryptoHostApi    *host_api,
                            const CachetCryptoInStream   *in,
                            const CachetCryptoOutStream  *out,
                            const CachetCryptoPartInfo   *part,
                            const CachetCryptoParams     *params,
                            const CachetCryptoSignature  *signature,
                            const CachetCryptoKey        *key,
                            CachetCryptoHost             *host,
                            CachetCryptoCall             *call,
                            CachetCryptoResultSink       *sink,
                            CachetCryptoPlugin           *plugin,
                            CachetCryptoPluginEntry       entry)
{
}
