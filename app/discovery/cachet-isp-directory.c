/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-discovery"

#include "config.h"

#include "cachet-isp-directory.h"

#include <glib/gi18n.h>
#include <string.h>

#define MAX_FILES_PER_DIR 10000

struct _CachetIspDirectory
{
  GStrv       dirs;
  gboolean    loaded;
  GHashTable *by_domain;   /* lower-case domain -> CachetIspProfile */
  GPtrArray  *profiles;    /* CachetIspProfile, load order */
  GPtrArray  *skipped;     /* char * */
};

static void
clear (CachetIspDirectory *self)
{
  g_strfreev (self->dirs);
  g_clear_pointer (&self->by_domain, g_hash_table_unref);
  g_clear_pointer (&self->profiles, g_ptr_array_unref);
  g_clear_pointer (&self->skipped, g_ptr_array_unref);
}

GStrv
cachet_isp_directory_default_dirs (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *const *data_dirs = g_get_system_data_dirs ();
  const char *bundled = g_getenv ("CACHET_ISP_DIR");
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  guint n = 0;

  if (bundled == NULL || *bundled == '\0')
    g_ptr_array_add (all, g_build_filename (PKGDATADIR, "isp", NULL));
  else
    g_ptr_array_add (all, g_strdup (bundled));
  g_ptr_array_add (all, g_strdup ("/etc/cachet/isp"));
  while (data_dirs[n] != NULL)
    n++;
  /* XDG_DATA_DIRS lists the most important first: read it backwards, so it comes last. */
  for (guint i = n; i > 0; i--)
    g_ptr_array_add (all, g_build_filename (data_dirs[i - 1], "cachet", "isp", NULL));
  g_ptr_array_add (all, g_build_filename (g_get_user_config_dir (), "cachet", "isp", NULL));

  for (guint i = 0; i < all->len; i++)
    {
      g_autofree char *canonical = g_canonicalize_filename (all->pdata[i], NULL);

      if (g_hash_table_add (seen, g_strdup (canonical)))
        g_strv_builder_add (builder, canonical);
    }
  return g_strv_builder_end (builder);
}

CachetIspDirectory *
cachet_isp_directory_new (const char * const *dirs)
{
  CachetIspDirectory *self = g_atomic_rc_box_new0 (CachetIspDirectory);

  self->dirs = dirs != NULL ? g_strdupv ((char **) dirs) : cachet_isp_directory_default_dirs ();
  self->skipped = g_ptr_array_new_with_free_func (g_free);
  self->profiles = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_isp_profile_unref);
  self->by_domain = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) cachet_isp_profile_unref);
  return self;
}

CachetIspDirectory *
cachet_isp_directory_ref (CachetIspDirectory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_atomic_rc_box_acquire (self);
}

void
cachet_isp_directory_unref (CachetIspDirectory *self)
{
  if (self != NULL)
    g_atomic_rc_box_release_full (self, (GDestroyNotify) clear);
}

const char * const *
cachet_isp_directory_get_dirs (CachetIspDirectory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->dirs;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char **) a, *(char **) b);
}

static void
load_dir (CachetIspDirectory *self,
          const char         *dir_path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *name;

  dir = g_dir_open (dir_path, 0, &error);
  if (dir == NULL)
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
          && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
        g_ptr_array_add (self->skipped, g_strdup_printf ("%s: %s", dir_path, error->message));
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL && names->len < MAX_FILES_PER_DIR)
    if (g_str_has_suffix (name, ".xml") && name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir_path, names->pdata[i], NULL);
      g_autoptr(CachetIspProfile) profile = NULL;
      g_autoptr(GError) local_error = NULL;

      profile = cachet_isp_profile_load (path, NULL, &local_error);
      if (profile == NULL)
        {
          g_debug ("skipping %s", local_error->message);
          g_ptr_array_add (self->skipped, g_strdup (local_error->message));
          continue;
        }
      g_ptr_array_add (self->profiles, cachet_isp_profile_ref (profile));
      for (guint d = 0; profile->domains[d] != NULL; d++)
        g_hash_table_replace (self->by_domain, g_strdup (profile->domains[d]),
                              cachet_isp_profile_ref (profile));
    }
}

void
cachet_isp_directory_load (CachetIspDirectory *self)
{
  g_return_if_fail (self != NULL);

  g_hash_table_remove_all (self->by_domain);
  g_ptr_array_set_size (self->profiles, 0);
  g_ptr_array_set_size (self->skipped, 0);
  for (guint i = 0; self->dirs[i] != NULL; i++)
    load_dir (self, self->dirs[i]);
  self->loaded = TRUE;
  g_debug ("%u ISP profiles for %u domains", self->profiles->len,
           g_hash_table_size (self->by_domain));
}

CachetIspProfile *
cachet_isp_directory_lookup (CachetIspDirectory *self,
                             const char         *domain)
{
  g_autofree char *key = NULL;
  CachetIspProfile *profile;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (domain != NULL, NULL);

  if (!self->loaded)
    cachet_isp_directory_load (self);
  key = g_ascii_strdown (domain, -1);
  if (g_str_has_suffix (key, ".") && strlen (key) > 1)
    key[strlen (key) - 1] = '\0';
  profile = g_hash_table_lookup (self->by_domain, key);
  return profile != NULL ? cachet_isp_profile_ref (profile) : NULL;
}

GPtrArray *
cachet_isp_directory_get_profiles (CachetIspDirectory *self)
{
  g_autoptr(GHashTable) used = g_hash_table_new (NULL, NULL);
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_isp_profile_unref);
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (self != NULL, result);

  if (!self->loaded)
    cachet_isp_directory_load (self);
  g_hash_table_iter_init (&iter, self->by_domain);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_hash_table_add (used, value);
  for (guint i = 0; i < self->profiles->len; i++)
    if (g_hash_table_contains (used, self->profiles->pdata[i]))
      g_ptr_array_add (result, cachet_isp_profile_ref (self->profiles->pdata[i]));
  return result;
}

GPtrArray *
cachet_isp_directory_get_skipped (CachetIspDirectory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->skipped;
}
