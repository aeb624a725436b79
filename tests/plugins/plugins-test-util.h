/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-crypto-loader.h"

G_BEGIN_DECLS

/* Copies the fixture plugin FILE (a path) into a fresh 0755 folder under
 * BASE_DIR and loads it.  Returns NULL and marks the test skipped when
 * BASE_DIR sits below a folder others can write to. */
CachetCryptoLoaded *plugins_test_load_copy (const char  *base_dir,
                                            const char  *file,
                                            char       **dir_out);

void plugins_test_remove_tree (const char *path);

/* Bytes in flight between a generator and the sink at the end of a
 * pipeline: the generator checks the bound at each read. */
typedef struct
{
  guint64 produced;       /* atomic */
  guint64 consumed;       /* atomic */
  guint64 max_in_flight;  /* written by the generator's thread only */
} PluginsTestFlow;

/* Called by a stream once, when COUNT bytes have gone through it; blocks
 * the stream's read or write until it returns. */
typedef void (*PluginsTestTrigger) (gpointer data);

/* A GInputStream of TOTAL deterministic pseudo-random bytes, made as they
 * are read (never buffered); it ignores the cancellable, as memory streams
 * do.  SHA-256 of what it produced: plugins_test_gen_dup_sha256. */
#define PLUGINS_TEST_TYPE_GEN (plugins_test_gen_get_type ())
G_DECLARE_FINAL_TYPE (PluginsTestGen, plugins_test_gen, PLUGINS_TEST, GEN, GInputStream)

GInputStream *plugins_test_gen_new (guint64          total,
                                    guint64          seed,
                                    PluginsTestFlow *flow);
void          plugins_test_gen_set_trigger (PluginsTestGen     *gen,
                                            guint64             at,
                                            PluginsTestTrigger  trigger,
                                            gpointer            data);
char         *plugins_test_gen_dup_sha256 (PluginsTestGen *gen);
guint64       plugins_test_gen_get_count (PluginsTestGen *gen);

/* A GOutputStream that only hashes and counts what it is given. */
#define PLUGINS_TEST_TYPE_SINK (plugins_test_sink_get_type ())
G_DECLARE_FINAL_TYPE (PluginsTestSink, plugins_test_sink, PLUGINS_TEST, SINK, GOutputStream)

GOutputStream *plugins_test_sink_new (PluginsTestFlow *flow);
void           plugins_test_sink_set_trigger (PluginsTestSink    *sink,
                                              guint64             at,
                                              PluginsTestTrigger  trigger,
                                              gpointer            data);
char          *plugins_test_sink_dup_sha256 (PluginsTestSink *sink);
guint64        plugins_test_sink_get_count (PluginsTestSink *sink);

G_END_DECLS
