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
  /* What is known of the plugin without its info in hand: from the helper
   * process that checked it, or from the loaded plugin.  NULL when it was
   * never run (a user plugin not turned on, a file refused before). */
  char                   *id;
  char                   *name;
  char                   *version;
  char                   *description;  /* cachet_crypto_loaded_describe () text */
  /* The crash sentinel named this plugin at this start (tell the user). */
  gboolean                crashed_last_time;
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

/* Probe plugins in a helper process before loading them here: a new or
 * changed file is first run as `PROGRAM --probe-plugin FILE` (PROGRAM is
 * the cachet binary: "/proc/self/exe" in the app, the built binary in
 * tests).  A plugin refused or killed there is refused here without being
 * loaded.  Results are cached in the file CACHE_PATH (NULL: the default,
 * $XDG_CACHE_HOME/cachet/crypto-plugin-probes.ini) by the file's device,
 * inode, size and mtime, so an unchanged file is not probed again; a
 * changed one is.  The file checks (owner, mode, symlink, ELF header) run
 * in this process every time, before any probe, and are never cached.
 *
 * With the probe cache a plugin that crashed Cachet itself (the crash
 * sentinel) stays disabled until its file changes, or, for a user plugin,
 * until the user turns it on again (cachet_crypto_registry_enable ());
 * without, only at the next start.
 *
 * The check guards against plugins that crash, not against files swapped
 * between the check and the load: the folders' owner and mode checks are
 * what keep others from changing plugin files.
 *
 * Without this call nothing is probed.  Call before the first scan. */
void  cachet_crypto_registry_set_probe       (CachetCryptoRegistry *registry,
                                              const char           *program,
                                              const char           *cache_path);
/* How many helper processes this registry ran (for tests: an unchanged
 * file is not probed twice). */
guint cachet_crypto_registry_get_probe_count (CachetCryptoRegistry *registry);

/* The entry the crash sentinel disabled at this start, or NULL. */
CachetCryptoEntry *cachet_crypto_registry_get_crashed (CachetCryptoRegistry *registry);

/* Turns on ENTRY, a user-directory plugin that is not loaded: the user
 * asked for it, so its code may run.  Probes it (again, even after a crash),
 * loads it and, on success, returns TRUE with the "ID=SHA256" value to add
 * to the enabled list in ENABLED_VALUE.  On refusal ENTRY says why (REFUSED
 * and its reason) and ERROR has the same sentence. */
gboolean cachet_crypto_registry_enable (CachetCryptoRegistry  *registry,
                                        CachetCryptoEntry     *entry,
                                        char                 **enabled_value,
                                        GError               **error);

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

/* The loaded plugins (CachetCryptoLoaded *, borrowed: a loaded plugin
 * stays until the registry is freed), in scan order; safe on any thread. */
GPtrArray *cachet_crypto_registry_list_loaded (CachetCryptoRegistry *registry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetCryptoRegistry, cachet_crypto_registry_free)

G_END_DECLS
