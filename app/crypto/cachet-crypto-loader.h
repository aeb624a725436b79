/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cachet-crypto-plugin.h"

G_BEGIN_DECLS

/* A plugin that passed every check and whose init succeeded.  INFO and OPS
 * are the host's zero-padded copies of the plugin's tables (members the
 * plugin did not know read as 0 / NULL).  The shared object is never
 * unloaded. */
typedef struct
{
  char                   *path;
  CachetCryptoPluginInfo  info;
  CachetCryptoOps         ops;
  char                  **protocols;
  CachetCryptoHost       *host;
  CachetCryptoPlugin     *plugin;
  GMutex                  call_lock;  /* held around calls with SERIALIZE_CALLS */
} CachetCryptoLoaded;

/* Loads the plugin at PATH (absolute) with every check of the plugin
 * contract, in its order: the file checks (cachet_crypto_file_open), dlopen
 * through /proc/self/fd, the entry symbol, magic, struct_size, major,
 * required minor, id present and not in KNOWN_IDS (may be NULL), every
 * claimed capability has its op, then init.  On refusal returns NULL with a
 * CACHET_CRYPTO_ERROR whose message is one plain sentence. */
CachetCryptoLoaded *cachet_crypto_load (const char  *path,
                                        GHashTable  *known_ids,
                                        GError     **error);

/* Calls the plugin's shutdown and frees the host's side. */
void cachet_crypto_loaded_free (CachetCryptoLoaded *loaded);

/* The plugin's info as "Name: value" lines, for --check-plugin and the
 * preferences page. */
char *cachet_crypto_loaded_describe (const CachetCryptoLoaded *loaded);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetCryptoLoaded, cachet_crypto_loaded_free)

G_END_DECLS
