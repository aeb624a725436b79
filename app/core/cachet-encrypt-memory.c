/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-encrypt-memory"

#include "config.h"

#include "cachet-encrypt-memory.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cachet-core-error.h"

#define FILE_HEADER "# Cachet: people to send encrypted mail to, one address a line.\n"
#define MAX_ADDRESS 254   /* RFC 5321 4.5.3.1.3, as bytes of the path without brackets */

struct _CachetEncryptMemory
{
  gatomicrefcount  ref_count;
  GMutex           lock;
  char            *path;
  GHashTable      *addresses;   /* normalized address -> itself */
};

/* "Name <Alice@Example.ORG>" -> "alice@example.org"; NULL when it is not an address. */
static char *
normalize (const char *text)
{
  g_autofree char *copy = NULL;
  const char *start, *end;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;
  start = strrchr (text, '<');
  if (start != NULL)
    {
      start++;
      end = strchr (start, '>');
      if (end == NULL)
        return NULL;
    }
  else
    {
      start = text;
      end = text + strlen (text);
    }
  copy = g_strstrip (g_strndup (start, end - start));
  if (*copy == '\0' || strlen (copy) > MAX_ADDRESS)
    return NULL;
  for (const char *p = copy; *p != '\0'; p++)
    if ((guchar) *p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' || *p == ',')
      return NULL;
  end = strrchr (copy, '@');
  if (end == NULL || end == copy || end[1] == '\0')
    return NULL;
  return g_utf8_strdown (copy, -1);
}

static char *
default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "cachet", "encrypt-to", NULL);
}

static void
load (CachetEncryptMemory *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (self->path, &contents, NULL, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
          && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
        g_warning ("Could not read the list of people to encrypt to: %s", error->message);
      return;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *address = NULL;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      address = normalize (lines[i]);
      if (address == NULL)
        {
          g_debug ("%s:%u is not an address; skipped", self->path, i + 1);
          continue;
        }
      g_hash_table_add (self->addresses, g_steal_pointer (&address));
    }
}

CachetEncryptMemory *
cachet_encrypt_memory_new (const char *path)
{
  CachetEncryptMemory *self = g_new0 (CachetEncryptMemory, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  self->path = path != NULL ? g_strdup (path) : default_path ();
  self->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  load (self);
  return self;
}

CachetEncryptMemory *
cachet_encrypt_memory_ref (CachetEncryptMemory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cachet_encrypt_memory_unref (CachetEncryptMemory *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_hash_table_unref (self->addresses);
  g_free (self->path);
  g_mutex_clear (&self->lock);
  g_free (self);
}

CachetEncryptMemory *
cachet_encrypt_memory_get_default (void)
{
  static CachetEncryptMemory *memory;

  if (g_once_init_enter (&memory))
    g_once_init_leave (&memory, cachet_encrypt_memory_new (NULL));
  return memory;
}

const char *
cachet_encrypt_memory_get_path (CachetEncryptMemory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

static gboolean
contains_locked (CachetEncryptMemory *self,
                 const char          *address)
{
  g_autofree char *key = normalize (address);

  return key != NULL && g_hash_table_contains (self->addresses, key);
}

gboolean
cachet_encrypt_memory_contains (CachetEncryptMemory *self,
                                const char          *address)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  locker = g_mutex_locker_new (&self->lock);
  return contains_locked (self, address);
}

gboolean
cachet_encrypt_memory_contains_all (CachetEncryptMemory *self,
                                    const char * const  *addresses)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  if (addresses == NULL || addresses[0] == NULL)
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  for (guint i = 0; addresses[i] != NULL; i++)
    if (!contains_locked (self, addresses[i]))
      return FALSE;
  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static GStrv
dup_all_locked (CachetEncryptMemory *self)
{
  guint n;
  GStrv all = (GStrv) g_hash_table_get_keys_as_array (self->addresses, &n);

  for (guint i = 0; i < n; i++)
    all[i] = g_strdup (all[i]);
  qsort (all, n, sizeof (char *), compare_strings);
  return all;
}

/* Writes the whole list to a new file renamed over the old one (and synced), so a crash
 * leaves either the old list or the new one. */
static gboolean
save_locked (CachetEncryptMemory  *self,
             GError              **error)
{
  g_auto(GStrv) all = dup_all_locked (self);
  g_autoptr(GString) text = g_string_new (FILE_HEADER);
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autoptr(GError) local_error = NULL;

  for (guint i = 0; all[i] != NULL; i++)
    {
      g_string_append (text, all[i]);
      g_string_append_c (text, '\n');
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_IO,
                   _("Could not create the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  if (!g_file_set_contents_full (self->path, text->str, text->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_IO,
                   _("Could not save the list of people to encrypt to: %s"),
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
change (CachetEncryptMemory  *self,
        const char * const   *addresses,
        gboolean              add,
        GError              **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  gboolean changed = FALSE;

  for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
    {
      g_autofree char *key = normalize (addresses[i]);

      if (key == NULL)
        continue;
      if (add)
        changed |= g_hash_table_add (self->addresses, g_steal_pointer (&key));
      else
        changed |= g_hash_table_remove (self->addresses, key);
    }
  if (!changed)
    return TRUE;
  return save_locked (self, error);
}

gboolean
cachet_encrypt_memory_remember (CachetEncryptMemory  *self,
                                const char * const   *addresses,
                                GError              **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return change (self, addresses, TRUE, error);
}

gboolean
cachet_encrypt_memory_forget (CachetEncryptMemory  *self,
                              const char * const   *addresses,
                              GError              **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return change (self, addresses, FALSE, error);
}

GStrv
cachet_encrypt_memory_dup_all (CachetEncryptMemory *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  locker = g_mutex_locker_new (&self->lock);
  return dup_all_locked (self);
}
