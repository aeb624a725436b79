/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-discovery.h"
#include "cachet-discovery-private.h"

G_BEGIN_DECLS

/* Runs @discovery to its end in a private main context (fails the test after 120 s);
 * returns the result, or NULL with @error set. */
CachetDiscoveryResult *discovery_test_run (CachetDiscovery  *discovery,
                                           GCancellable     *cancel_after_ms_source,
                                           guint             cancel_after_ms,
                                           GError          **error);

/* An ISP directory with nothing in it (a new empty temporary folder). */
CachetIspDirectory *discovery_test_empty_directory (void);

/* The candidates of @list that came from @step. */
guint discovery_test_count (GPtrArray           *list,
                            CachetDiscoveryStep  step);

/* Does any note of @step contain @needle? */
gboolean discovery_test_note_has (CachetDiscoveryResult *result,
                                  CachetDiscoveryStep    step,
                                  const char            *needle);

/* Prints the result (with --verbose). */
void discovery_test_dump (CachetDiscoveryResult *result);

/* Local listeners that misbehave, on 127.0.0.1 (the port is returned). */
guint16 discovery_test_dead_port   (void);   /* SYNs dropped: connecting hangs */
guint16 discovery_test_silent_port (void);   /* accepts, never says anything */
guint16 discovery_test_banner_port (const char *banner);  /* accepts, sends @banner, waits */
guint16 discovery_test_closed_port (void);   /* nothing listens: refused at once */

G_END_DECLS
