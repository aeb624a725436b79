/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A plugin as it was built against the 1.0 header: it sees only the frozen
 * copy (names prefixed), so it knows nothing added since. */
#include <stddef.h>

#include "cachet-crypto-plugin-1.0.h"

struct Frozen10CachetCryptoPlugin
{
  const Frozen10CachetCryptoHostApi *api;
};

static struct Frozen10CachetCryptoPlugin the_plugin;

static int32_t
old_init (const Frozen10CachetCryptoHostApi *api,
          Frozen10CachetCryptoHost          *host,
          Frozen10CachetCryptoPlugin       **plugin)
{
  if (api == NULL || api->struct_size < FROZEN10_CACHET_CRYPTO_HOST_API_SIZE_1_0)
    return FROZEN10_CACHET_CRYPTO_STATUS_FAILED;
  the_plugin.api = api;
  *plugin = &the_plugin;
  return FROZEN10_CACHET_CRYPTO_STATUS_OK;
}

static void
old_shutdown (Frozen10CachetCryptoPlugin *plugin)
{
  plugin->api = NULL;
}

static int32_t
old_classify (Frozen10CachetCryptoPlugin         *plugin,
              const Frozen10CachetCryptoPartInfo *part)
{
  return FROZEN10_CACHET_CRYPTO_PART_NONE;
}

static const Frozen10CachetCryptoOps old_ops = {
  .struct_size = sizeof (Frozen10CachetCryptoOps),
  .classify = old_classify,
};

static const char *const old_protocols[] = { "openpgp", NULL };

static const Frozen10CachetCryptoPluginInfo old_info = {
  .magic = FROZEN10_CACHET_CRYPTO_PLUGIN_MAGIC,
  .struct_size = sizeof (Frozen10CachetCryptoPluginInfo),
  .abi_major = FROZEN10_CACHET_CRYPTO_ABI_MAJOR,
  .abi_minor_built = FROZEN10_CACHET_CRYPTO_ABI_MINOR,
  .abi_minor_required = FROZEN10_CACHET_CRYPTO_ABI_MINOR,
  .capabilities = 0,
  .id = "org.cachet.test.Old10",
  .name = "Plugin built against ABI 1.0",
  .version = "1.0",
  .protocols = old_protocols,
  .init = old_init,
  .shutdown = old_shutdown,
  .ops = &old_ops,
};

__attribute__ ((visibility ("default"))) const Frozen10CachetCryptoPluginInfo *cachet_crypto_plugin_v1 (void);

const Frozen10CachetCryptoPluginInfo *
cachet_crypto_plugin_v1 (void)
{
  return &old_info;
}
