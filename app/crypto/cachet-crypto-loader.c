/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto"

#include "config.h"

#include "cachet-crypto-loader.h"

#include <dlfcn.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachet-crypto-error.h"
#include "cachet-crypto-file.h"
#include "cachet-crypto-host.h"

/* Longest string member we accept from a plugin's info. */
#define MAX_INFO_STRING 512

static void *
open_shared_object (const char  *path,
                    GError     **error)
{
  struct stat st;
  char fd_path[64];
  void *handle;
  int fd = cachet_crypto_file_open (path, &st, error);

  if (fd < 0)
    return NULL;
  /* Load the very file that was checked, not whatever the path names now.
   * RTLD_NODELETE: a plugin is never unloaded, and we never dlclose. */
  g_snprintf (fd_path, sizeof fd_path, "/proc/self/fd/%d", fd);
  handle = dlopen (fd_path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (handle == NULL)
    {
      close (fd);
      const char *reason = dlerror ();
      g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_LOAD,
                   _("The plugin cannot be loaded: %s."),
                   reason != NULL ? reason : _("unknown error"));
      return NULL;
    }
  /* The descriptor stays open for the life of the process: the dynamic
   * linker remembers the object by the name "/proc/self/fd/N", and a later
   * dlopen of the same name (the number reused for another plugin) would
   * return this object instead of loading the new file. */
  return handle;
}

/* No entry symbol for our major: a later major's symbol means "needs a newer
 * Cachet", otherwise it is not a Cachet crypto plugin. */
static void
set_no_entry_error (void    *handle,
                    GError **error)
{
  for (int major = CACHET_CRYPTO_ABI_MAJOR + 1; major <= 9; major++)
    {
      char name[64];

      g_snprintf (name, sizeof name, "cachet_crypto_plugin_v%d", major);
      if (dlsym (handle, name) != NULL)
        {
          g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_NEWER_MAJOR,
                       _("The plugin needs a newer Cachet (plugin interface %d; this "
                         "Cachet has %d)."),
                       major, CACHET_CRYPTO_ABI_MAJOR);
          return;
        }
    }
  g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_NO_ENTRY,
               _("The file is not a Cachet crypto plugin (it has no %s function)."),
               CACHET_CRYPTO_PLUGIN_ENTRY);
}

static gboolean
string_ok (const char *s)
{
  return s != NULL && s[0] != '\0' && strnlen (s, MAX_INFO_STRING + 1) <= MAX_INFO_STRING
         && g_utf8_validate (s, -1, NULL);
}

static gboolean
optional_string_ok (const char *s)
{
  return s == NULL || s[0] == '\0' || string_ok (s);
}

/* Magic, size, major, minor and id, in the contract's order.  INFO is the
 * plugin's own table; LOCAL receives the zero-padded copy. */
static gboolean
validate_info (const CachetCryptoPluginInfo *info,
               GHashTable                   *known_ids,
               CachetCryptoPluginInfo       *local,
               GError                      **error)
{
  memset (local, 0, sizeof *local);
  if (info == NULL)
    {
      g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_NO_INFO,
                           _("The plugin did not describe itself."));
      return FALSE;
    }
  if (info->magic != CACHET_CRYPTO_PLUGIN_MAGIC)
    {
      g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_BAD_MAGIC,
                           _("The plugin’s description is damaged (wrong magic number)."));
      return FALSE;
    }
  if (info->struct_size < CACHET_CRYPTO_PLUGIN_INFO_SIZE_1_0)
    {
      g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_SHORT_INFO,
                   _("The plugin’s description is too short (%u bytes; at least %u "
                     "are needed)."),
                   (unsigned) info->struct_size, (unsigned) CACHET_CRYPTO_PLUGIN_INFO_SIZE_1_0);
      return FALSE;
    }
  /* A longer info from a newer header: its tail is ignored. */
  memcpy (local, info, MIN ((size_t) info->struct_size, sizeof *local));
  if (local->abi_major != CACHET_CRYPTO_ABI_MAJOR)
    {
      g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_MAJOR,
                   _("The plugin says it is for plugin interface %u but exports the "
                     "function of interface %d."),
                   (unsigned) local->abi_major, CACHET_CRYPTO_ABI_MAJOR);
      return FALSE;
    }
  if (local->abi_minor_required > CACHET_CRYPTO_ABI_MINOR)
    {
      g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_MINOR_TOO_NEW,
                   _("The plugin needs a newer Cachet (plugin interface %d.%u; this "
                     "Cachet has %d.%d)."),
                   CACHET_CRYPTO_ABI_MAJOR, (unsigned) local->abi_minor_required,
                   CACHET_CRYPTO_ABI_MAJOR, CACHET_CRYPTO_ABI_MINOR);
      return FALSE;
    }
  if (!string_ok (local->id))
    {
      g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_NO_ID,
                           _("The plugin has no id."));
      return FALSE;
    }
  if (known_ids != NULL && g_hash_table_contains (known_ids, local->id))
    {
      g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_DUPLICATE_ID,
                   _("Another plugin with the id “%s” is already loaded."), local->id);
      return FALSE;
    }
  if (!optional_string_ok (local->name) || !optional_string_ok (local->version)
      || !optional_string_ok (local->license) || !optional_string_ok (local->url)
      || !optional_string_ok (local->gettext_domain))
    {
      g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_BAD_MAGIC,
                           _("The plugin’s description is damaged (a text is not valid "
                             "UTF-8 or too long)."));
      return FALSE;
    }
  return TRUE;
}

/* Every claimed capability has its op. */
static gboolean
validate_ops (const CachetCryptoPluginInfo *info,
              CachetCryptoOps              *ops,
              GError                      **error)
{
  static const struct
  {
    uint32_t    cap;
    size_t      offset;
    const char *name;
  } needs[] = {
    { CACHET_CRYPTO_CAP_ENCRYPT, offsetof (CachetCryptoOps, encrypt), "encrypt" },
    { CACHET_CRYPTO_CAP_DECRYPT, offsetof (CachetCryptoOps, decrypt), "decrypt" },
    { CACHET_CRYPTO_CAP_SIGN, offsetof (CachetCryptoOps, sign), "sign" },
    { CACHET_CRYPTO_CAP_VERIFY, offsetof (CachetCryptoOps, verify), "verify" },
    { CACHET_CRYPTO_CAP_KEY_LOOKUP, offsetof (CachetCryptoOps, key_lookup), "key_lookup" },
    { CACHET_CRYPTO_CAP_KEY_IMPORT, offsetof (CachetCryptoOps, key_import), "key_import" },
  };

  memset (ops, 0, sizeof *ops);
  if (info->ops != NULL)
    {
      if (info->ops->struct_size < CACHET_CRYPTO_OPS_SIZE_1_0)
        {
          g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_MISSING_OP,
                       _("The plugin’s table of operations is too short (%u bytes; at "
                         "least %u are needed)."),
                       (unsigned) info->ops->struct_size, (unsigned) CACHET_CRYPTO_OPS_SIZE_1_0);
          return FALSE;
        }
      memcpy (ops, info->ops, MIN ((size_t) info->ops->struct_size, sizeof *ops));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (needs); i++)
    {
      void (*op) (void);

      if ((info->capabilities & needs[i].cap) == 0)
        continue;
      memcpy (&op, (const char *) ops + needs[i].offset, sizeof op);
      if (op == NULL)
        {
          g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_MISSING_OP,
                       _("The plugin claims it can %s but has no %s operation."),
                       needs[i].name, needs[i].name);
          return FALSE;
        }
    }
  if (info->init == NULL)
    {
      g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_MISSING_OP,
                           _("The plugin has no init function."));
      return FALSE;
    }
  return TRUE;
}

static char **
copy_protocols (const char *const *protocols)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (gsize i = 0; protocols != NULL && protocols[i] != NULL && i < 16; i++)
    if (string_ok (protocols[i]))
      g_strv_builder_add (builder, protocols[i]);
  return g_strv_builder_end (builder);
}

CachetCryptoLoaded *
cachet_crypto_load (const char  *path,
                    GHashTable  *known_ids,
                    GError     **error)
{
  g_autoptr(CachetCryptoLoaded) loaded = NULL;
  CachetCryptoPluginEntry entry;
  void *handle;
  void *symbol;
  int32_t status;

  g_return_val_if_fail (path != NULL, NULL);

  handle = open_shared_object (path, error);
  if (handle == NULL)
    return NULL;
  symbol = dlsym (handle, CACHET_CRYPTO_PLUGIN_ENTRY);
  if (symbol == NULL)
    {
      set_no_entry_error (handle, error);
      return NULL;
    }
  memcpy (&entry, &symbol, sizeof entry);

  loaded = g_new0 (CachetCryptoLoaded, 1);
  g_mutex_init (&loaded->call_lock);
  loaded->path = g_strdup (path);
  if (!validate_info (entry (), known_ids, &loaded->info, error)
      || !validate_ops (&loaded->info, &loaded->ops, error))
    return NULL;
  loaded->protocols = copy_protocols (loaded->info.protocols);

  loaded->host = _cachet_crypto_host_new (loaded->info.id);
  status = loaded->info.init (_cachet_crypto_host_api (), loaded->host, &loaded->plugin);
  if (status != CACHET_CRYPTO_STATUS_OK)
    {
      g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_INIT,
                   _("The plugin failed to start (status %d)."), (int) status);
      loaded->plugin = NULL;
      loaded->info.shutdown = NULL;  /* init failed: nothing to shut down */
      return NULL;
    }
  return g_steal_pointer (&loaded);
}

void
cachet_crypto_loaded_free (CachetCryptoLoaded *loaded)
{
  if (loaded == NULL)
    return;
  if (loaded->host != NULL && loaded->info.shutdown != NULL)
    loaded->info.shutdown (loaded->plugin);
  _cachet_crypto_host_free (loaded->host);
  g_strfreev (loaded->protocols);
  g_free (loaded->path);
  g_mutex_clear (&loaded->call_lock);
  g_free (loaded);
}

char *
cachet_crypto_loaded_describe (const CachetCryptoLoaded *loaded)
{
  static const struct
  {
    uint32_t    cap;
    const char *name;
  } caps[] = {
    { CACHET_CRYPTO_CAP_ENCRYPT, "encrypt" },
    { CACHET_CRYPTO_CAP_DECRYPT, "decrypt" },
    { CACHET_CRYPTO_CAP_SIGN, "sign" },
    { CACHET_CRYPTO_CAP_VERIFY, "verify" },
    { CACHET_CRYPTO_CAP_KEY_LOOKUP, "key-lookup" },
    { CACHET_CRYPTO_CAP_KEY_IMPORT, "key-import" },
    { CACHET_CRYPTO_CAP_SERIALIZE_CALLS, "serialize-calls" },
  };
  const CachetCryptoPluginInfo *info = &loaded->info;
  GString *out = g_string_new (NULL);
  g_autofree char *protocols = g_strjoinv (", ", loaded->protocols);
  GString *capabilities = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (caps); i++)
    if (info->capabilities & caps[i].cap)
      g_string_append_printf (capabilities, "%s%s", capabilities->len ? ", " : "", caps[i].name);

  g_string_append_printf (out, _("Id: %s\n"), info->id);
  g_string_append_printf (out, _("Name: %s\n"), info->name != NULL ? info->name : "");
  g_string_append_printf (out, _("Version: %s\n"), info->version != NULL ? info->version : "");
  g_string_append_printf (out, _("Licence: %s\n"), info->license != NULL ? info->license : "");
  g_string_append_printf (out, _("Website: %s\n"), info->url != NULL ? info->url : "");
  g_string_append_printf (out, _("Plugin interface: %u.%u (needs Cachet with %u.%u or later)\n"),
                          (unsigned) info->abi_major, (unsigned) info->abi_minor_built,
                          (unsigned) info->abi_major, (unsigned) info->abi_minor_required);
  g_string_append_printf (out, _("Protocols: %s\n"), protocols);
  g_string_append_printf (out, _("Capabilities: %s\n"), capabilities->str);
  g_string_free (capabilities, TRUE);
  return g_string_free (out, FALSE);
}
