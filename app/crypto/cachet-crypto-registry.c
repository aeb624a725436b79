/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto"

#include "config.h"

#include "cachet-crypto-registry.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cachet-crypto-error.h"
#include "cachet-crypto-file.h"
#include "cachet-crypto-probe.h"

#define PLUGIN_SUBDIR "crypto-plugins-1"

struct _CachetCryptoRegistry
{
  GHashTable *enabled;     /* SHA256 -> ID of enabled user plugins */
  GHashTable *ids;         /* ids loaded so far (borrowed from entries) */
  GPtrArray  *entries;
  char       *sentinel;    /* path of the crash sentinel, or NULL */
  char       *crashed;     /* SHA256 of the plugin that crashed last time */
  char       *probe_program;         /* NULL: no probing */
  CachetCryptoProbeCache *probe_cache;
  guint       probe_count;
  /* Held by find (on any thread) and while enable loads an entry (on the
   * main thread): workers never see an entry half loaded. */
  GMutex      lock;
};

#define NOT_ENABLED_REASON N_("Plugins in your own folder stay off until you turn them on " \
                              "(and again after the file changes).")

static void
entry_free (gpointer data)
{
  CachetCryptoEntry *entry = data;

  /* A loaded plugin stays mapped (never dlclose); its shutdown runs. */
  cachet_crypto_loaded_free (entry->loaded);
  g_free (entry->path);
  g_free (entry->sha256);
  g_free (entry->reason);
  g_free (entry->id);
  g_free (entry->name);
  g_free (entry->version);
  g_free (entry->description);
  g_free (entry);
}

CachetCryptoRegistry *
cachet_crypto_registry_new (const char *const *enabled)
{
  CachetCryptoRegistry *registry = g_new0 (CachetCryptoRegistry, 1);

  g_mutex_init (&registry->lock);
  registry->enabled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  registry->ids = g_hash_table_new (g_str_hash, g_str_equal);
  registry->entries = g_ptr_array_new_with_free_func (entry_free);
  for (gsize i = 0; enabled != NULL && enabled[i] != NULL; i++)
    {
      const char *eq = strrchr (enabled[i], '=');

      if (eq == NULL || eq == enabled[i] || strlen (eq + 1) != 64)
        continue;
      g_hash_table_replace (registry->enabled, g_ascii_strdown (eq + 1, -1),
                            g_strndup (enabled[i], (gsize) (eq - enabled[i])));
    }
  return registry;
}

void
cachet_crypto_registry_free (CachetCryptoRegistry *registry)
{
  if (registry == NULL)
    return;
  g_hash_table_unref (registry->ids);
  g_ptr_array_unref (registry->entries);
  g_hash_table_unref (registry->enabled);
  g_free (registry->sentinel);
  g_free (registry->crashed);
  g_free (registry->probe_program);
  cachet_crypto_probe_cache_free (registry->probe_cache);
  g_mutex_clear (&registry->lock);
  g_free (registry);
}

void
cachet_crypto_registry_set_sentinel (CachetCryptoRegistry *registry,
                                     const char           *path)
{
  g_autofree char *contents = NULL;

  g_return_if_fail (registry != NULL);
  g_return_if_fail (path != NULL && g_path_is_absolute (path));

  g_free (registry->sentinel);
  registry->sentinel = g_strdup (path);
  g_clear_pointer (&registry->crashed, g_free);
  if (g_file_get_contents (path, &contents, NULL, NULL))
    {
      /* "SHA256 PATH\n" */
      if (strlen (contents) >= 64 && (contents[64] == ' ' || contents[64] == '\0'))
        registry->crashed = g_strndup (contents, 64);
      g_message ("a crypto plugin crashed Cachet while starting: %s", contents);
      g_unlink (path);
    }
}

static void
sentinel_write (CachetCryptoRegistry    *registry,
                const CachetCryptoEntry *entry)
{
  g_autofree char *dir = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  if (registry->sentinel == NULL)
    return;
  dir = g_path_get_dirname (registry->sentinel);
  g_mkdir_with_parents (dir, 0700);
  contents = g_strdup_printf ("%s %s\n", entry->sha256, entry->path);
  if (!g_file_set_contents_full (registry->sentinel, contents, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_warning ("cannot write the plugin crash sentinel: %s", error->message);
}

const char *
cachet_crypto_system_plugin_dir (void)
{
  return CACHET_SYSTEM_PLUGIN_DIR;
}

char *
cachet_crypto_user_plugin_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "cachet", PLUGIN_SUBDIR, NULL);
}

static char *
file_sha256 (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

void
cachet_crypto_registry_set_probe (CachetCryptoRegistry *registry,
                                  const char           *program,
                                  const char           *cache_path)
{
  g_autofree char *default_path = NULL;

  g_return_if_fail (registry != NULL);
  g_return_if_fail (program != NULL);

  g_free (registry->probe_program);
  registry->probe_program = g_strdup (program);
  if (cache_path == NULL)
    cache_path = default_path = cachet_crypto_probe_cache_default_path ();
  cachet_crypto_probe_cache_free (registry->probe_cache);
  registry->probe_cache = cachet_crypto_probe_cache_new (cache_path);
}

guint
cachet_crypto_registry_get_probe_count (CachetCryptoRegistry *registry)
{
  g_return_val_if_fail (registry != NULL, 0);
  return registry->probe_count;
}

static void
save_cache (CachetCryptoRegistry *registry)
{
  g_autoptr(GError) error = NULL;

  if (registry->probe_cache != NULL
      && !cachet_crypto_probe_cache_save (registry->probe_cache, &error))
    g_warning ("cannot save the plugin check cache: %s", error->message);
}

static void
set_state (CachetCryptoEntry      *entry,
           CachetCryptoEntryState  state,
           const char             *reason)
{
  entry->state = state;
  g_free (entry->reason);
  entry->reason = g_strdup (reason);
}

static void
replace (char       **field,
         const char  *value)
{
  if (value == NULL)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

static const char *
crashed_reason (const CachetCryptoEntry *entry,
                gboolean                 now)
{
  if (now)
    return _("The plugin crashed Cachet the last time it started, so it is turned off.");
  if (entry->user)
    return _("The plugin crashed Cachet once, so it stays off until you turn it on again.");
  return _("The plugin crashed Cachet once, so it stays off until it is updated.");
}

/* The helper process's verdict on ENTRY's file, kept in the cache or asked
 * now.  Returns TRUE when the plugin may be loaded here; else ENTRY says
 * why not. */
static gboolean
probe_entry (CachetCryptoRegistry *registry,
             CachetCryptoEntry    *entry)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoProbeResult) result = NULL;
  struct stat st;
  int fd;

  if (registry->probe_program == NULL)
    return TRUE;
  /* The file checks run here first: no code runs for a file they refuse,
   * and they are never cached (a chmod leaves the cache key as it was). */
  fd = cachet_crypto_file_open (entry->path, &st, &error);
  if (fd < 0)
    {
      set_state (entry, CACHET_CRYPTO_ENTRY_REFUSED, error->message);
      g_message ("crypto plugin %s refused: %s", entry->path, error->message);
      return FALSE;
    }
  close (fd);
  result = cachet_crypto_probe_cache_lookup (registry->probe_cache, entry->path, &st);
  if (result == NULL)
    {
      g_debug ("checking the crypto plugin %s in a helper process", entry->path);
      result = cachet_crypto_probe_run (registry->probe_program, entry->path);
      registry->probe_count++;
      cachet_crypto_probe_cache_store (registry->probe_cache, entry->path, &st, result);
    }
  switch (result->verdict)
    {
    case CACHET_CRYPTO_PROBE_OK:
      replace (&entry->id, result->id);
      replace (&entry->name, result->name);
      replace (&entry->version, result->version);
      replace (&entry->description, result->description);
      return TRUE;
    case CACHET_CRYPTO_PROBE_CRASHED_CACHET:
      set_state (entry, CACHET_CRYPTO_ENTRY_DISABLED, crashed_reason (entry, FALSE));
      return FALSE;
    case CACHET_CRYPTO_PROBE_REFUSED:
    case CACHET_CRYPTO_PROBE_CRASHED:
    default:
      set_state (entry, CACHET_CRYPTO_ENTRY_REFUSED, result->reason);
      g_message ("crypto plugin %s refused: %s", entry->path, result->reason);
      return FALSE;
    }
}

/* Probes (when set up) and loads ENTRY.  ENABLED_ID: the id the user
 * enabled a user plugin as. */
static void
load_entry (CachetCryptoRegistry *registry,
            CachetCryptoEntry    *entry,
            const char           *enabled_id)
{
  g_autoptr(GError) error = NULL;

  if (!probe_entry (registry, entry))
    return;
  if (enabled_id != NULL && entry->id != NULL && !g_str_equal (enabled_id, entry->id))
    {
      /* Enabled as one plugin, now says it is another: not loaded here. */
      set_state (entry, CACHET_CRYPTO_ENTRY_DISABLED, _(NOT_ENABLED_REASON));
      return;
    }

  sentinel_write (registry, entry);
  entry->loaded = cachet_crypto_load (entry->path, registry->ids, &error);
  if (registry->sentinel != NULL)
    g_unlink (registry->sentinel);
  if (entry->loaded == NULL)
    {
      set_state (entry, CACHET_CRYPTO_ENTRY_REFUSED, error->message);
      g_message ("crypto plugin %s refused: %s", entry->path, error->message);
      return;
    }
  if (enabled_id != NULL && !g_str_equal (enabled_id, entry->loaded->info.id))
    {
      set_state (entry, CACHET_CRYPTO_ENTRY_DISABLED, _(NOT_ENABLED_REASON));
      g_clear_pointer (&entry->loaded, cachet_crypto_loaded_free);
      return;
    }
  set_state (entry, CACHET_CRYPTO_ENTRY_LOADED, NULL);
  replace (&entry->id, entry->loaded->info.id);
  replace (&entry->name, entry->loaded->info.name);
  replace (&entry->version, entry->loaded->info.version);
  g_free (entry->description);
  entry->description = cachet_crypto_loaded_describe (entry->loaded);
  g_hash_table_add (registry->ids, (gpointer) entry->loaded->info.id);
}

static void
scan_one (CachetCryptoRegistry *registry,
          const char           *path,
          gboolean              user)
{
  CachetCryptoEntry *entry = g_new0 (CachetCryptoEntry, 1);
  const char *enabled_id = NULL;

  entry->path = g_strdup (path);
  entry->user = user;
  entry->sha256 = file_sha256 (path);
  g_ptr_array_add (registry->entries, entry);

  if (user)
    {
      enabled_id = entry->sha256 != NULL
                   ? g_hash_table_lookup (registry->enabled, entry->sha256) : NULL;
      if (enabled_id == NULL)
        {
          /* Not even probed: no code of a plugin the user has not turned on
           * runs, not in a helper process either. */
          set_state (entry, CACHET_CRYPTO_ENTRY_DISABLED, _(NOT_ENABLED_REASON));
          return;
        }
    }

  if (registry->crashed != NULL && g_strcmp0 (entry->sha256, registry->crashed) == 0)
    {
      struct stat st;

      set_state (entry, CACHET_CRYPTO_ENTRY_DISABLED, crashed_reason (entry, TRUE));
      entry->crashed_last_time = TRUE;
      /* Remembered until the file changes (or the user turns it on again). */
      if (registry->probe_cache != NULL && g_stat (path, &st) == 0)
        {
          CachetCryptoProbeResult record = {
            .verdict = CACHET_CRYPTO_PROBE_CRASHED_CACHET,
            .reason = (char *) crashed_reason (entry, FALSE),
          };

          cachet_crypto_probe_cache_store (registry->probe_cache, path, &st, &record);
        }
      return;
    }
  if (entry->sha256 == NULL)
    {
      set_state (entry, CACHET_CRYPTO_ENTRY_REFUSED, _("The file cannot be read."));
      return;
    }
  load_entry (registry, entry, enabled_id);
}

gboolean
cachet_crypto_registry_enable (CachetCryptoRegistry  *registry,
                               CachetCryptoEntry     *entry,
                               char                 **enabled_value,
                               GError               **error)
{
  g_return_val_if_fail (registry != NULL && entry != NULL, FALSE);
  g_return_val_if_fail (enabled_value != NULL && *enabled_value == NULL, FALSE);
  g_return_val_if_fail (entry->user && entry->loaded == NULL, FALSE);

  g_mutex_lock (&registry->lock);
  /* The hash of the file as it is now, which is what gets loaded. */
  g_free (entry->sha256);
  entry->sha256 = file_sha256 (entry->path);
  if (entry->sha256 == NULL)
    set_state (entry, CACHET_CRYPTO_ENTRY_REFUSED, _("The file cannot be read."));
  else
    {
      /* The user asks again: check again, even a plugin that crashed. */
      if (registry->probe_cache != NULL)
        cachet_crypto_probe_cache_forget (registry->probe_cache, entry->path);
      entry->crashed_last_time = FALSE;
      load_entry (registry, entry, NULL);
      save_cache (registry);
    }
  g_mutex_unlock (&registry->lock);
  if (entry->state != CACHET_CRYPTO_ENTRY_LOADED)
    {
      g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_LOAD, entry->reason);
      return FALSE;
    }
  g_hash_table_replace (registry->enabled, g_strdup (entry->sha256),
                        g_strdup (entry->loaded->info.id));
  *enabled_value = g_strdup_printf ("%s=%s", entry->loaded->info.id, entry->sha256);
  return TRUE;
}

CachetCryptoEntry *
cachet_crypto_registry_get_crashed (CachetCryptoRegistry *registry)
{
  g_return_val_if_fail (registry != NULL, NULL);

  for (guint i = 0; i < registry->entries->len; i++)
    {
      CachetCryptoEntry *entry = g_ptr_array_index (registry->entries, i);

      if (entry->crashed_last_time)
        return entry;
    }
  return NULL;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

void
cachet_crypto_registry_scan (CachetCryptoRegistry *registry,
                             const char           *dir,
                             gboolean              user)
{
  g_autoptr(GDir) handle = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_return_if_fail (registry != NULL);
  g_return_if_fail (dir != NULL);

  /* Never the current directory or a relative path. */
  if (!g_path_is_absolute (dir))
    {
      g_debug ("not scanning the relative plugin directory “%s”", dir);
      return;
    }
  handle = g_dir_open (dir, 0, NULL);
  if (handle == NULL)
    return;
  while ((name = g_dir_read_name (handle)) != NULL)
    if (g_str_has_suffix (name, ".so") && name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      scan_one (registry, path, user);
    }
  save_cache (registry);
}

void
cachet_crypto_registry_scan_default (CachetCryptoRegistry *registry)
{
  g_autofree char *user_dir = cachet_crypto_user_plugin_dir ();

  cachet_crypto_registry_scan (registry, cachet_crypto_system_plugin_dir (), FALSE);
  cachet_crypto_registry_scan (registry, user_dir, TRUE);
}

GPtrArray *
cachet_crypto_registry_get_entries (CachetCryptoRegistry *registry)
{
  return registry->entries;
}

CachetCryptoLoaded *
cachet_crypto_registry_find (CachetCryptoRegistry *registry,
                             const char           *protocol,
                             guint32               capabilities)
{
  CachetCryptoLoaded *found = NULL;

  g_return_val_if_fail (registry != NULL && protocol != NULL, NULL);

  g_mutex_lock (&registry->lock);
  for (guint i = 0; i < registry->entries->len && found == NULL; i++)
    {
      CachetCryptoEntry *entry = g_ptr_array_index (registry->entries, i);
      CachetCryptoLoaded *loaded = entry->loaded;

      if (entry->state != CACHET_CRYPTO_ENTRY_LOADED || loaded == NULL
          || (loaded->info.capabilities & capabilities) != capabilities)
        continue;
      if (g_strv_contains ((const char *const *) loaded->protocols, protocol))
        found = loaded;
    }
  g_mutex_unlock (&registry->lock);
  /* A loaded plugin stays loaded until the registry is freed. */
  return found;
}

GPtrArray *
cachet_crypto_registry_list_loaded (CachetCryptoRegistry *registry)
{
  GPtrArray *loaded = g_ptr_array_new ();

  g_return_val_if_fail (registry != NULL, loaded);

  g_mutex_lock (&registry->lock);
  for (guint i = 0; i < registry->entries->len; i++)
    {
      CachetCryptoEntry *entry = g_ptr_array_index (registry->entries, i);

      if (entry->state == CACHET_CRYPTO_ENTRY_LOADED && entry->loaded != NULL)
        g_ptr_array_add (loaded, entry->loaded);
    }
  g_mutex_unlock (&registry->lock);
  return loaded;
}
