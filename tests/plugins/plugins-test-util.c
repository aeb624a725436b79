/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-plugins"

#include "config.h"

#include "plugins-test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cachet-crypto-error.h"

/* ------------------------------------------------------------------------ */
/* Fixture plugins                                                          */

void
plugins_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        plugins_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

CachetCryptoLoaded *
plugins_test_load_copy (const char  *base_dir,
                        const char  *file,
                        char       **dir_out)
{
  g_autofree char *base = g_build_filename (base_dir, "contract-tmp", NULL);
  g_autofree char *tmpl = g_build_filename (base, "run-XXXXXX", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *basename = g_path_get_basename (file);
  g_autoptr(GError) error = NULL;
  CachetCryptoLoaded *loaded;
  gsize len;

  g_assert_no_errno (g_mkdir_with_parents (base, 0755));
  g_assert_no_errno (chmod (base, 0755));
  dir = g_mkdtemp_full (g_steal_pointer (&tmpl), 0755);
  g_assert_nonnull (dir);

  g_file_get_contents (file, &contents, &len, &error);
  g_assert_no_error (error);
  dest = g_build_filename (dir, basename, NULL);
  g_file_set_contents_full (dest, contents, (gssize) len, G_FILE_SET_CONTENTS_NONE, 0644, &error);
  g_assert_no_error (error);
  g_assert_no_errno (chmod (dest, 0644));

  loaded = cachet_crypto_load (dest, NULL, &error);
  if (loaded == NULL
      && g_error_matches (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_WRITABLE))
    {
      g_autofree char *why = g_strdup_printf ("the build directory is not safe for plugins: %s",
                                              error->message);
      g_test_skip (why);
    }
  else
    {
      g_assert_no_error (error);
    }
  if (dir_out != NULL)
    *dir_out = g_steal_pointer (&dir);
  else
    plugins_test_remove_tree (dir);
  return loaded;
}

/* ------------------------------------------------------------------------ */
/* The generator                                                            */

struct _PluginsTestGen
{
  GInputStream        parent_instance;
  guint64             total;
  guint64             produced;
  guint64             state;
  PluginsTestFlow    *flow;
  GChecksum          *sum;
  guint64             trigger_at;
  PluginsTestTrigger  trigger;
  gpointer            trigger_data;
};

G_DEFINE_FINAL_TYPE (PluginsTestGen, plugins_test_gen, G_TYPE_INPUT_STREAM)

static guint64
next_word (guint64 *state)
{
  /* xorshift64 */
  guint64 x = *state;

  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *state = x;
}

static gssize
plugins_test_gen_read (GInputStream  *stream,
                       void          *buffer,
                       gsize          count,
                       GCancellable  *cancellable,
                       GError       **error)
{
  PluginsTestGen *self = PLUGINS_TEST_GEN (stream);
  guchar *out = buffer;
  gsize n = (gsize) MIN ((guint64) count, self->total - self->produced);

  /* Whole words only, so the sequence does not depend on read sizes. */
  if (n >= 8)
    n -= n % 8;
  for (gsize i = 0; i < n; i += 8)
    {
      guint64 word = next_word (&self->state);
      memcpy (out + i, &word, MIN ((gsize) 8, n - i));
    }
  g_checksum_update (self->sum, buffer, n);
  self->produced += n;

  if (self->flow != NULL)
    {
      guint64 produced = __atomic_add_fetch (&self->flow->produced, (guint64) n, __ATOMIC_SEQ_CST);
      guint64 consumed = __atomic_load_n (&self->flow->consumed, __ATOMIC_SEQ_CST);
      guint64 in_flight = produced > consumed ? produced - consumed : 0;

      if (in_flight > self->flow->max_in_flight)
        self->flow->max_in_flight = in_flight;  /* only the generator's thread writes it */
    }
  if (self->trigger != NULL && self->produced >= self->trigger_at)
    {
      PluginsTestTrigger trigger = self->trigger;

      self->trigger = NULL;
      trigger (self->trigger_data);
    }
  return (gssize) n;
}

static void
plugins_test_gen_finalize (GObject *object)
{
  PluginsTestGen *self = PLUGINS_TEST_GEN (object);

  g_checksum_free (self->sum);
  G_OBJECT_CLASS (plugins_test_gen_parent_class)->finalize (object);
}

static void
plugins_test_gen_class_init (PluginsTestGenClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = plugins_test_gen_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = plugins_test_gen_read;
}

static void
plugins_test_gen_init (PluginsTestGen *self)
{
  self->sum = g_checksum_new (G_CHECKSUM_SHA256);
}

GInputStream *
plugins_test_gen_new (guint64          total,
                      guint64          seed,
                      PluginsTestFlow *flow)
{
  PluginsTestGen *self = g_object_new (PLUGINS_TEST_TYPE_GEN, NULL);

  self->total = total;
  self->state = seed != 0 ? seed : 0x9e3779b97f4a7c15u;
  self->flow = flow;
  return G_INPUT_STREAM (self);
}

void
plugins_test_gen_set_trigger (PluginsTestGen     *gen,
                              guint64             at,
                              PluginsTestTrigger  trigger,
                              gpointer            data)
{
  gen->trigger_at = at;
  gen->trigger = trigger;
  gen->trigger_data = data;
}

char *
plugins_test_gen_dup_sha256 (PluginsTestGen *gen)
{
  return g_strdup (g_checksum_get_string (gen->sum));
}

guint64
plugins_test_gen_get_count (PluginsTestGen *gen)
{
  return gen->produced;
}

/* ------------------------------------------------------------------------ */
/* The sink                                                                 */

struct _PluginsTestSink
{
  GOutputStream       parent_instance;
  guint64             count;
  PluginsTestFlow    *flow;
  GChecksum          *sum;
  guint64             trigger_at;
  PluginsTestTrigger  trigger;
  gpointer            trigger_data;
};

G_DEFINE_FINAL_TYPE (PluginsTestSink, plugins_test_sink, G_TYPE_OUTPUT_STREAM)

static gssize
plugins_test_sink_write (GOutputStream  *stream,
                         const void     *buffer,
                         gsize           count,
                         GCancellable   *cancellable,
                         GError        **error)
{
  PluginsTestSink *self = PLUGINS_TEST_SINK (stream);

  g_checksum_update (self->sum, buffer, count);
  self->count += count;
  if (self->flow != NULL)
    __atomic_add_fetch (&self->flow->consumed, (guint64) count, __ATOMIC_SEQ_CST);
  if (self->trigger != NULL && self->count >= self->trigger_at)
    {
      PluginsTestTrigger trigger = self->trigger;

      self->trigger = NULL;
      trigger (self->trigger_data);
    }
  return (gssize) count;
}

static void
plugins_test_sink_finalize (GObject *object)
{
  PluginsTestSink *self = PLUGINS_TEST_SINK (object);

  g_checksum_free (self->sum);
  G_OBJECT_CLASS (plugins_test_sink_parent_class)->finalize (object);
}

static void
plugins_test_sink_class_init (PluginsTestSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = plugins_test_sink_finalize;
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = plugins_test_sink_write;
}

static void
plugins_test_sink_init (PluginsTestSink *self)
{
  self->sum = g_checksum_new (G_CHECKSUM_SHA256);
}

GOutputStream *
plugins_test_sink_new (PluginsTestFlow *flow)
{
  PluginsTestSink *self = g_object_new (PLUGINS_TEST_TYPE_SINK, NULL);

  self->flow = flow;
  return G_OUTPUT_STREAM (self);
}

void
plugins_test_sink_set_trigger (PluginsTestSink    *sink,
                               guint64             at,
                               PluginsTestTrigger  trigger,
                               gpointer            data)
{
  sink->trigger_at = at;
  sink->trigger = trigger;
  sink->trigger_data = data;
}

char *
plugins_test_sink_dup_sha256 (PluginsTestSink *sink)
{
  return g_strdup (g_checksum_get_string (sink->sum));
}

guint64
plugins_test_sink_get_count (PluginsTestSink *sink)
{
  return sink->count;
}
