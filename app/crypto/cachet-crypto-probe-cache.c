/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto"

#include "config.h"

#include "cachet-crypto-probe.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "cachet-crypto-plugin.h"

/* The cache is a key file, one group per plugin file (its path):
 *
 *   [cache]
 *   host=0.1.0 1.0
 *   [/home/me/.local/share/cachet/crypto-plugins-1/x.so]
 *   file=2049:1234:18320:1700000000.123456789
 *   verdict=ok|refused|crashed|crashed-cachet
 *   reason=… id=… name=… version=… description=…
 *
 * "host" names the Cachet and plugin interface that wrote it: a result from
 * another version of the checks is not trusted. */

#define HOST_GROUP "cache"

struct _CachetCryptoProbeCache
{
  char     *path;
  GKeyFile *file;
  gboolean  dirty;
};

static const char *const verdicts[] = {
  [CACHET_CRYPTO_PROBE_OK] = "ok",
  [CACHET_CRYPTO_PROBE_REFUSED] = "refused",
  [CACHET_CRYPTO_PROBE_CRASHED] = "crashed",
  [CACHET_CRYPTO_PROBE_CRASHED_CACHET] = "crashed-cachet",
};

static char *
host_version (void)
{
  return g_strdup_printf ("%s %d.%d", PACKAGE_VERSION, CACHET_CRYPTO_ABI_MAJOR,
                          CACHET_CRYPTO_ABI_MINOR);
}

static char *
file_key (const struct stat *st)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ":%" G_GINT64_FORMAT
                          ":%" G_GINT64_FORMAT ".%09ld",
                          (guint64) st->st_dev, (guint64) st->st_ino, (gint64) st->st_size,
                          (gint64) st->st_mtim.tv_sec, (long) st->st_mtim.tv_nsec);
}

char *
cachet_crypto_probe_cache_default_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "cachet", "crypto-plugin-probes.ini", NULL);
}

CachetCryptoProbeCache *
cachet_crypto_probe_cache_new (const char *path)
{
  CachetCryptoProbeCache *cache = g_new0 (CachetCryptoProbeCache, 1);
  g_autofree char *host = host_version ();
  g_autofree char *written_by = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  cache->path = g_strdup (path);
  cache->file = g_key_file_new ();
  if (g_key_file_load_from_file (cache->file, path, G_KEY_FILE_NONE, NULL))
    written_by = g_key_file_get_string (cache->file, HOST_GROUP, "host", NULL);
  if (g_strcmp0 (written_by, host) != 0)
    {
      g_key_file_free (cache->file);
      cache->file = g_key_file_new ();
      g_key_file_set_string (cache->file, HOST_GROUP, "host", host);
    }
  return cache;
}

void
cachet_crypto_probe_cache_free (CachetCryptoProbeCache *cache)
{
  if (cache == NULL)
    return;
  g_key_file_free (cache->file);
  g_free (cache->path);
  g_free (cache);
}

CachetCryptoProbeResult *
cachet_crypto_probe_cache_lookup (CachetCryptoProbeCache *cache,
                                  const char             *path,
                                  const struct stat      *st)
{
  g_autofree char *key = file_key (st);
  g_autofree char *stored = NULL;
  g_autofree char *verdict = NULL;
  CachetCryptoProbeResult *result;

  g_return_val_if_fail (cache != NULL && path != NULL && st != NULL, NULL);

  if (g_str_equal (path, HOST_GROUP))
    return NULL;
  stored = g_key_file_get_string (cache->file, path, "file", NULL);
  if (g_strcmp0 (stored, key) != 0)
    return NULL;
  verdict = g_key_file_get_string (cache->file, path, "verdict", NULL);
  result = g_new0 (CachetCryptoProbeResult, 1);
  result->verdict = G_N_ELEMENTS (verdicts);
  for (gsize i = 0; i < G_N_ELEMENTS (verdicts); i++)
    if (g_strcmp0 (verdict, verdicts[i]) == 0)
      result->verdict = i;
  result->reason = g_key_file_get_string (cache->file, path, "reason", NULL);
  result->id = g_key_file_get_string (cache->file, path, "id", NULL);
  result->name = g_key_file_get_string (cache->file, path, "name", NULL);
  result->version = g_key_file_get_string (cache->file, path, "version", NULL);
  result->description = g_key_file_get_string (cache->file, path, "description", NULL);
  /* A damaged record is no record: the file is probed again. */
  if ((guint) result->verdict >= G_N_ELEMENTS (verdicts)
      || (result->verdict == CACHET_CRYPTO_PROBE_OK && result->id == NULL)
      || (result->verdict != CACHET_CRYPTO_PROBE_OK && result->reason == NULL))
    g_clear_pointer (&result, cachet_crypto_probe_result_free);
  return result;
}

static void
set_optional (GKeyFile   *file,
              const char *group,
              const char *key,
              const char *value)
{
  if (value != NULL)
    g_key_file_set_string (file, group, key, value);
}

void
cachet_crypto_probe_cache_store (CachetCryptoProbeCache        *cache,
                                 const char                    *path,
                                 const struct stat             *st,
                                 const CachetCryptoProbeResult *result)
{
  g_autofree char *key = file_key (st);

  g_return_if_fail (cache != NULL && path != NULL && st != NULL && result != NULL);
  g_return_if_fail ((guint) result->verdict < G_N_ELEMENTS (verdicts));

  if (g_str_equal (path, HOST_GROUP))
    return;
  g_key_file_remove_group (cache->file, path, NULL);
  g_key_file_set_string (cache->file, path, "file", key);
  g_key_file_set_string (cache->file, path, "verdict", verdicts[result->verdict]);
  set_optional (cache->file, path, "reason", result->reason);
  set_optional (cache->file, path, "id", result->id);
  set_optional (cache->file, path, "name", result->name);
  set_optional (cache->file, path, "version", result->version);
  set_optional (cache->file, path, "description", result->description);
  cache->dirty = TRUE;
}

void
cachet_crypto_probe_cache_forget (CachetCryptoProbeCache *cache,
                                  const char             *path)
{
  g_return_if_fail (cache != NULL && path != NULL);

  if (!g_str_equal (path, HOST_GROUP) && g_key_file_remove_group (cache->file, path, NULL))
    cache->dirty = TRUE;
}

gboolean
cachet_crypto_probe_cache_save (CachetCryptoProbeCache  *cache,
                                GError                 **error)
{
  g_auto(GStrv) groups = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *data = NULL;
  gsize len;

  g_return_val_if_fail (cache != NULL, FALSE);

  if (!cache->dirty)
    return TRUE;
  groups = g_key_file_get_groups (cache->file, NULL);
  for (gsize i = 0; groups[i] != NULL; i++)
    if (!g_str_equal (groups[i], HOST_GROUP) && !g_file_test (groups[i], G_FILE_TEST_EXISTS))
      g_key_file_remove_group (cache->file, groups[i], NULL);
  dir = g_path_get_dirname (cache->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot make %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  data = g_key_file_to_data (cache->file, &len, NULL);
  if (!g_file_set_contents_full (cache->path, data, (gssize) len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  cache->dirty = FALSE;
  return TRUE;
}
