/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cachet-crypto-loader.h"

G_BEGIN_DECLS

typedef enum
{
  CACHET_CRYPTO_ENTRY_LOADED,
  CACHET_CRYPTO_ENTRY_REFUSED,    /* a check failed; REASON says which */
  CACHET_CRYPTO_ENTRY_DISABLED,   /* a user-directory plugin not (or no longer) enabled */
} CachetCryptoEntryState;

/* One plugin file found in a plugin directory. */
typedef struct
{
  char                   *path;
  char                   *sha256;   /* of the file, for enabling user plugins */
  gboolean                user;     /* from the user's directory */
  CachetCryptoEntryState  state;
  char                   *reason;   /* a sentence, when refused or disabled */
  CachetCryptoLoaded     *loaded;   /* when loaded */
} CachetCryptoEntry;

typedef struct _CachetCryptoRegistry CachetCryptoRegistry;

/* ENABLED lists the user-directory plugins the user turned on, each as
 * "ID=SHA256" (the file's hash when it was enabled); may be NULL. */
CachetCryptoRegistry *cachet_crypto_registry_new  (const char *const *enabled);
void                  cachet_crypto_registry_free (CachetCryptoRegistry *registry);

/* PATH (e.g. in $XDG_STATE_HOME) is written before a plugin is loaded
 * and removed after its init returns.  If it is there now, the plugin it
 * names crashed the last start: it is disabled this time (its entry says
 * so) and the file removed.  Call before the first scan. */
void cachet_crypto_registry_set_sentinel (CachetCryptoRegistry *registry,
                                          const char           *path);

/* The system directory ($libdir/cachet/crypto-plugins-1) and the user's
 * ($XDG_DATA_HOME/cachet/crypto-plugins-1). */
const char *cachet_crypto_system_plugin_dir (void);
char       *cachet_crypto_user_plugin_dir   (void);

/* Loads every "*.so" in DIR (absolute; never the current directory), in
 * name order, skipping ids already loaded.  USER: DIR is the user's, whose
 * plugins load only when enabled.  A missing DIR is no error. */
void cachet_crypto_registry_scan (CachetCryptoRegistry *registry,
                                  const char           *dir,
                                  gboolean              user);

/* Scans the system directory, then the user's. */
void cachet_crypto_registry_scan_default (CachetCryptoRegistry *registry);

/* The entries, in scan order (CachetCryptoEntry *). */
GPtrArray *cachet_crypto_registry_get_entries (CachetCryptoRegistry *registry);

/* The first loaded plugin that speaks PROTOCOL ("openpgp", "smime") and
 * has every bit of CAPABILITIES (CACHET_CRYPTO_CAP_*), or NULL. */
CachetCryptoLoaded *cachet_crypto_registry_find (CachetCryptoRegistry *registry,
                                                 const char           *protocol,
                                                 guint32               capabilities);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetCryptoRegistry, cachet_crypto_registry_free)

G_END_DECLS
