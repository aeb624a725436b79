/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sys/stat.h>

G_BEGIN_DECLS

/* Probing a plugin in a helper process.
 *
 * A new or changed plugin file is first loaded by a helper process (the
 * cachet binary run as `PROGRAM --probe-plugin FILE`): load with every check
 * of the contract, init, shutdown, print the result.  A plugin that kills
 * the helper (a truncated ELF can raise SIGBUS inside dlopen; a bad init can
 * segfault) is refused and Cachet carries on.  The results are kept in a
 * small cache file by the file's (device, inode, size, mtime), so an
 * unchanged file is not probed again. */

typedef enum
{
  CACHET_CRYPTO_PROBE_OK,              /* loaded, started and stopped in the helper */
  CACHET_CRYPTO_PROBE_REFUSED,         /* a check failed; REASON says which */
  CACHET_CRYPTO_PROBE_CRASHED,         /* the helper died (signal, odd exit, no answer) */
  CACHET_CRYPTO_PROBE_CRASHED_CACHET,  /* not a probe: the plugin crashed Cachet itself
                                        * (crash sentinel); kept until the file changes */
} CachetCryptoProbeVerdict;

typedef struct
{
  CachetCryptoProbeVerdict  verdict;
  char                     *reason;       /* one sentence, unless OK */
  char                     *id;           /* when OK */
  char                     *name;
  char                     *version;
  char                     *description;  /* cachet_crypto_loaded_describe (), when OK */
} CachetCryptoProbeResult;

void cachet_crypto_probe_result_free (CachetCryptoProbeResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetCryptoProbeResult, cachet_crypto_probe_result_free)

/* The helper's side, for `cachet --probe-plugin FILE`: loads FILE, starts
 * and stops it, prints the result on standard output in a machine-readable
 * form (a key file) and returns 0 when it loaded, 1 when refused.  The
 * plugin's own output on standard output goes to standard error. */
int cachet_crypto_probe_main (const char *path);

/* Runs PROGRAM --probe-plugin PATH and reads its answer.  Never fails: a
 * helper that cannot start, dies or does not answer in time gives a
 * CRASHED or REFUSED result with its sentence. */
CachetCryptoProbeResult *cachet_crypto_probe_run (const char *program,
                                                  const char *path);

/* The cache ------------------------------------------------------------------------- */

typedef struct _CachetCryptoProbeCache CachetCryptoProbeCache;

/* $XDG_CACHE_HOME/cachet/crypto-plugin-probes.ini */
char *cachet_crypto_probe_cache_default_path (void);

/* Reads the cache at PATH (a missing or damaged file is an empty cache;
 * one written by another Cachet version is ignored). */
CachetCryptoProbeCache  *cachet_crypto_probe_cache_new    (const char *path);
void                     cachet_crypto_probe_cache_free   (CachetCryptoProbeCache *cache);

/* The result kept for the file PATH whose fstat is ST, or NULL when there
 * is none or the file changed (another device, inode, size or mtime). */
CachetCryptoProbeResult *cachet_crypto_probe_cache_lookup (CachetCryptoProbeCache  *cache,
                                                           const char              *path,
                                                           const struct stat       *st);
/* Keeps RESULT (copied) for PATH as it is now (ST). */
void                     cachet_crypto_probe_cache_store  (CachetCryptoProbeCache  *cache,
                                                           const char              *path,
                                                           const struct stat       *st,
                                                           const CachetCryptoProbeResult *result);
void                     cachet_crypto_probe_cache_forget (CachetCryptoProbeCache  *cache,
                                                           const char              *path);
/* Writes the cache if it changed (atomically: a new file renamed over the
 * old), dropping files that no longer exist. */
gboolean                 cachet_crypto_probe_cache_save   (CachetCryptoProbeCache  *cache,
                                                           GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetCryptoProbeCache, cachet_crypto_probe_cache_free)

G_END_DECLS
