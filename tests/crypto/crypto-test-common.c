/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-crypto"

#include "config.h"

#include "crypto-test-common.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cachet-crypto-error.h"
#include "cachet-draft.h"

static GPtrArray *made_dirs;
static gint encrypt_count;

static GLogWriterOutput
count_writer (GLogLevelFlags   level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0
        && strstr (fields[i].value, "toy encrypt called") != NULL)
      g_atomic_int_inc (&encrypt_count);
  return g_log_writer_default (level, fields, n_fields, user_data);
}

void
crypto_test_init_log (void)
{
  g_log_set_writer_func (count_writer, NULL, NULL);
}

guint
crypto_test_encrypt_count (void)
{
  return (guint) g_atomic_int_get (&encrypt_count);
}

static void
install_plugin (const char *dir,
                const char *name)
{
  g_autofree char *file = g_strconcat ("crypto-", name, ".so", NULL);
  g_autofree char *src = g_build_filename (CRYPTO_BUILD_DIR, "plugins", file, NULL);
  g_autofree char *dest = g_build_filename (dir, file, NULL);
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (src, &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (dest, contents, (gssize) len, G_FILE_SET_CONTENTS_NONE, 0644, &error);
  g_assert_no_error (error);
  g_assert_no_errno (chmod (dest, 0644));
}

CachetCryptoRegistry *
crypto_test_registry (const char *const *plugins)
{
  g_autofree char *base = g_build_filename (CRYPTO_BUILD_DIR, "crypto-tmp", NULL);
  g_autofree char *tmpl = g_build_filename (base, "run-XXXXXX", NULL);
  g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (NULL);
  GPtrArray *entries;
  char *dir;

  g_assert_no_errno (g_mkdir_with_parents (base, 0755));
  g_assert_no_errno (chmod (base, 0755));
  dir = g_mkdtemp_full (g_steal_pointer (&tmpl), 0755);
  g_assert_nonnull (dir);
  if (made_dirs == NULL)
    made_dirs = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (made_dirs, dir);

  for (gsize i = 0; plugins != NULL && plugins[i] != NULL; i++)
    install_plugin (dir, plugins[i]);
  cachet_crypto_registry_scan (registry, dir, FALSE);

  entries = cachet_crypto_registry_get_entries (registry);
  for (guint i = 0; i < entries->len; i++)
    {
      CachetCryptoEntry *entry = g_ptr_array_index (entries, i);

      if (entry->state != CACHET_CRYPTO_ENTRY_LOADED)
        {
          g_autofree char *why = g_strdup_printf ("the toy plugin was not loaded: %s", entry->reason);

          /* A build directory under a folder others may write to (/tmp)
           * cannot hold plugins: the loader is right to refuse. */
          if (strstr (entry->path, "/tmp/") != NULL)
            {
              g_message ("%s", why);
              return NULL;
            }
          g_error ("%s", why);
        }
    }
  return g_steal_pointer (&registry);
}

gboolean
crypto_test_skip_without (CachetCryptoRegistry *registry)
{
  if (registry != NULL)
    return FALSE;
  g_test_skip ("the build directory cannot hold plugins (it is under /tmp)");
  return TRUE;
}

void
crypto_test_cleanup (void)
{
  for (guint i = 0; made_dirs != NULL && i < made_dirs->len; i++)
    {
      const char *path = g_ptr_array_index (made_dirs, i);
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          g_unlink (child);
        }
      g_rmdir (path);
    }
  g_clear_pointer (&made_dirs, g_ptr_array_unref);
}

GBytes *
crypto_test_attachment (void)
{
  guint8 data[700];

  for (gsize i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 7 + 3);
  return g_bytes_new (data, sizeof data);
}

GBytes *
crypto_test_draft (const char *from,
                   const char *to,
                   const char *body,
                   gboolean    attach)
{
  g_autoptr(CachetDraft) draft = cachet_draft_new ();
  g_autoptr(GError) error = NULL;
  GBytes *built;

  cachet_draft_set_from (draft, "Alice", from != NULL ? from : "alice@example.org");
  cachet_draft_set_to (draft, to != NULL ? to : "Bob <bob@example.org>");
  cachet_draft_set_subject (draft, "Sealed test");
  cachet_draft_set_body (draft, body);
  if (attach)
    {
      g_autoptr(GBytes) data = crypto_test_attachment ();

      cachet_draft_add_data (draft, "data.bin", "application/octet-stream", data);
    }
  built = cachet_draft_build (draft, CACHET_DRAFT_BUILD_SEND, &error);
  g_assert_no_error (error);
  return built;
}

GBytes *
crypto_test_seal (CachetCryptoRegistry *registry,
                  GBytes               *message,
                  const char           *protocol,
                  gboolean              sign,
                  gboolean              encrypt,
                  const char           *sender,
                  const char *const    *recipients,
                  GError              **error)
{
  static const char *const bob[] = { "bob@example.org", NULL };
  CachetCryptoSealOptions options = { 0 };
  GBytes *sealed;

  options.sign = sign;
  options.encrypt = encrypt;
  options.protocol = protocol;
  options.sender = sender != NULL ? sender : "alice@example.org";
  options.recipients = recipients != NULL ? recipients : bob;
  sealed = cachet_crypto_seal (registry, message, &options, error);
  /* CRYPTO_TEST_DUMP=1 shows what was made, for a human to read. */
  if (sealed != NULL && g_getenv ("CRYPTO_TEST_DUMP") != NULL)
    g_printerr ("----- sealed -----\n%.*s\n", (int) g_bytes_get_size (sealed),
                (const char *) g_bytes_get_data (sealed, NULL));
  return sealed;
}

CachetCryptoOpened *
crypto_test_open (CachetCryptoRegistry *registry,
                  GBytes               *message)
{
  CachetCryptoOpenOptions options = { 0 };
  g_autoptr(GError) error = NULL;
  CachetCryptoOpened *opened = cachet_crypto_open (registry, message, &options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (opened);
  g_assert_nonnull (opened->message);
  g_assert_nonnull (opened->signatures);
  return opened;
}

gboolean
crypto_test_is_7bit (GBytes *message)
{
  gsize n;
  const guint8 *data = g_bytes_get_data (message, &n);
  gsize line = 0;

  for (gsize i = 0; i < n; i++)
    {
      if (data[i] >= 0x80 || data[i] == 0)
        return FALSE;
      if (data[i] == '\n')
        line = 0;
      else if (++line > 998)
        return FALSE;
    }
  return TRUE;
}

GBytes *
crypto_test_replace (GBytes     *data,
                     const char *find,
                     const char *replace)
{
  gsize n;
  const char *raw = g_bytes_get_data (data, &n);
  char *copy = g_memdup2 (raw, n);
  char *hit = memmem (copy, n, find, strlen (find));

  g_assert_nonnull (hit);
  g_assert_cmpuint (strlen (find), ==, strlen (replace));
  memcpy (hit, replace, strlen (replace));
  return g_bytes_new_take (copy, n);
}
