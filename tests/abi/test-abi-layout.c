/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-abi"

#include "config.h"

#include <glib.h>
#include <string.h>

#include "cachet-crypto-plugin.h"

/* The frozen layouts are checked at compile time by the generated
 * frozen-asserts.c linked into this test; this is its marker. */
int frozen_layout_checked (void);

static void
test_frozen_compiled (void)
{
  g_assert_cmpint (frozen_layout_checked (), ==, 1);
}

/* A host API table as an older host (1.0) would pass it: the functions added
 * later must read as absent even though the memory past struct_size holds
 * non-NULL garbage. */
static void
fake_log (CachetCryptoHost *host, int32_t level, const char *message)
{
}

static void
test_host_has (void)
{
  CachetCryptoHostApi api;

  memset (&api, 0xff, sizeof api);
  api.struct_size = CACHET_CRYPTO_HOST_API_SIZE_1_0;
  api.log = fake_log;
  g_assert_true (CACHET_CRYPTO_HOST_HAS (&api, log));
  g_assert_true (CACHET_CRYPTO_HOST_HAS (&api, secure_zero));

  api.struct_size = offsetof (CachetCryptoHostApi, log) + sizeof api.log;
  g_assert_true (CACHET_CRYPTO_HOST_HAS (&api, log));
  g_assert_false (CACHET_CRYPTO_HOST_HAS (&api, set_error));
  g_assert_false (CACHET_CRYPTO_HOST_HAS (&api, secure_zero));

  api.struct_size = sizeof api;
  api.log = NULL;
  g_assert_false (CACHET_CRYPTO_HOST_HAS (&api, log));
  g_assert_false (CACHET_CRYPTO_HOST_HAS ((const CachetCryptoHostApi *) NULL, log));
}

static void
test_constants (void)
{
  /* The entry symbol carries the major version. */
  g_autofree char *expected = g_strdup_printf ("cachet_crypto_plugin_v%d", CACHET_CRYPTO_ABI_MAJOR);

  g_assert_cmpstr (CACHET_CRYPTO_PLUGIN_ENTRY, ==, expected);
  g_assert_cmpuint (CACHET_CRYPTO_PLUGIN_MAGIC, ==, 0x31504343u);
  g_assert_cmpmem (&(uint32_t) { CACHET_CRYPTO_PLUGIN_MAGIC }, 4, G_BYTE_ORDER == G_LITTLE_ENDIAN ? "CCP1" : "1PCC", 4);
  /* Every struct starts with its size (the info after its magic). */
  g_assert_cmpuint (offsetof (CachetCryptoPluginInfo, magic), ==, 0);
  g_assert_cmpuint (offsetof (CachetCryptoPluginInfo, struct_size), ==, 4);
  g_assert_cmpuint (offsetof (CachetCryptoOps, struct_size), ==, 0);
  g_assert_cmpuint (offsetof (CachetCryptoHostApi, struct_size), ==, 0);
  g_assert_cmpuint (offsetof (CachetCryptoSignature, struct_size), ==, 0);
  g_assert_cmpuint (offsetof (CachetCryptoKey, struct_size), ==, 0);
  g_assert_cmpuint (offsetof (CachetCryptoParams, struct_size), ==, 0);
  g_assert_cmpuint (CACHET_CRYPTO_PLUGIN_INFO_SIZE_1_0, <=, sizeof (CachetCryptoPluginInfo));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/abi/layout/frozen", test_frozen_compiled);
  g_test_add_func ("/abi/layout/host-has", test_host_has);
  g_test_add_func ("/abi/layout/constants", test_constants);
  return g_test_run ();
}
