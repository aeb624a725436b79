/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A minimal crypto plugin for the abi suite.  Built several times with one
 * FIXTURE_* define each, to make the plugins the loader must refuse. */
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cachet-crypto-plugin.h"

#ifndef FIXTURE_ID
# define FIXTURE_ID "org.cachet.test.Minimal"
#endif

struct CachetCryptoPlugin
{
  const CachetCryptoHostApi *api;
  CachetCryptoHost          *host;
};

#if !defined(FIXTURE_INIT_FAILS) && !defined(FIXTURE_INIT_CRASHES)
static struct CachetCryptoPlugin the_plugin;
#endif

#ifdef FIXTURE_UNRESOLVED
extern int cachet_test_no_such_function (void);
#endif

static int32_t
fixture_init (const CachetCryptoHostApi *api,
              CachetCryptoHost          *host,
              CachetCryptoPlugin       **plugin)
{
#if defined(FIXTURE_INIT_FAILS)
  return CACHET_CRYPTO_STATUS_FAILED;
#elif defined(FIXTURE_INIT_CRASHES)
  raise (SIGSEGV);
  return CACHET_CRYPTO_STATUS_FAILED;
#else
# ifdef FIXTURE_CRASH_IF_ASKED
  /* Passes the helper's check, then crashes Cachet itself when asked. */
  if (getenv ("ABI_FIXTURE_CRASH") != NULL)
    raise (SIGSEGV);
# endif
# ifdef FIXTURE_UNRESOLVED
  if (cachet_test_no_such_function () != 0)
    return CACHET_CRYPTO_STATUS_FAILED;
# endif
  if (api == NULL || api->struct_size < CACHET_CRYPTO_HOST_API_SIZE_1_0)
    return CACHET_CRYPTO_STATUS_FAILED;
  the_plugin.api = api;
  the_plugin.host = host;
  if (CACHET_CRYPTO_HOST_HAS (api, log))
    api->log (host, CACHET_CRYPTO_LOG_DEBUG, "started");
  *plugin = &the_plugin;
  return CACHET_CRYPTO_STATUS_OK;
#endif
}

static void
fixture_shutdown (CachetCryptoPlugin *plugin)
{
  memset (plugin, 0, sizeof *plugin);
}

/* "Encrypts" by copying input to output. */
static int32_t
fixture_copy (CachetCryptoPlugin           *plugin,
              CachetCryptoCall             *call,
              const CachetCryptoParams     *params,
              const CachetCryptoInStream   *input,
              const CachetCryptoOutStream  *output,
              CachetCryptoResultSink       *sink)
{
  char buf[4096];
  int64_t n;

  while ((n = input->read (input->user_data, buf, sizeof buf)) > 0)
    if (output->write (output->user_data, buf, (size_t) n) != n)
      return CACHET_CRYPTO_STATUS_FAILED;
  return n == 0 ? CACHET_CRYPTO_STATUS_OK : CACHET_CRYPTO_STATUS_FAILED;
}

static const CachetCryptoOps fixture_ops = {
  .struct_size = sizeof (CachetCryptoOps),
  .encrypt = fixture_copy,
#ifndef FIXTURE_CAP_WITHOUT_OP
  .decrypt = fixture_copy,
#endif
};

static const char *const fixture_protocols[] = { "openpgp", NULL };

/* An info struct from a newer header: one more member at the end. */
typedef struct
{
  CachetCryptoPluginInfo base;
  const char            *from_the_future;
} LongerInfo;

static const LongerInfo fixture_info = {
  .base = {
#ifdef FIXTURE_BAD_MAGIC
    .magic = 0x12345678u,
#else
    .magic = CACHET_CRYPTO_PLUGIN_MAGIC,
#endif
#if defined(FIXTURE_SHORT_SIZE)
    .struct_size = offsetof (CachetCryptoPluginInfo, ops),
#elif defined(FIXTURE_LONGER_INFO)
    .struct_size = sizeof (LongerInfo),
#else
    .struct_size = sizeof (CachetCryptoPluginInfo),
#endif
#ifdef FIXTURE_WRONG_MAJOR
    .abi_major = CACHET_CRYPTO_ABI_MAJOR + 1,
#else
    .abi_major = CACHET_CRYPTO_ABI_MAJOR,
#endif
    .abi_minor_built = CACHET_CRYPTO_ABI_MINOR,
#ifdef FIXTURE_MINOR_TOO_NEW
    .abi_minor_required = CACHET_CRYPTO_ABI_MINOR + 1,
#else
    .abi_minor_required = 0,
#endif
    .capabilities = CACHET_CRYPTO_CAP_ENCRYPT | CACHET_CRYPTO_CAP_DECRYPT,
#ifndef FIXTURE_NO_ID
    .id = FIXTURE_ID,
#endif
    .name = "Test plugin",
    .version = "1.0",
    .license = "GPL-3.0-or-later",
    .url = "https://example.org/",
    .gettext_domain = NULL,
    .protocols = fixture_protocols,
    .init = fixture_init,
    .shutdown = fixture_shutdown,
    .ops = &fixture_ops,
  },
  .from_the_future = "ignored",
};

#if defined(FIXTURE_NO_ENTRY)
CACHET_CRYPTO_PLUGIN_EXPORT const CachetCryptoPluginInfo *cachet_crypto_plugin (void);
CACHET_CRYPTO_PLUGIN_EXPORT const CachetCryptoPluginInfo *
cachet_crypto_plugin (void)
{
  return &fixture_info.base;
}
#elif defined(FIXTURE_ONLY_V2)
CACHET_CRYPTO_PLUGIN_EXPORT const CachetCryptoPluginInfo *cachet_crypto_plugin_v2 (void);
CACHET_CRYPTO_PLUGIN_EXPORT const CachetCryptoPluginInfo *
cachet_crypto_plugin_v2 (void)
{
  return &fixture_info.base;
}
#else
const CachetCryptoPluginInfo *
cachet_crypto_plugin_v1 (void)
{
  return &fixture_info.base;
}
#endif
