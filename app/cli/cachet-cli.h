/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when argv names a headless command (or --version / --help), which
 * cachet_cli_run() handles without GTK. */
gboolean cachet_cli_handles (int    argc,
                             char **argv);
int      cachet_cli_run     (int    argc,
                             char **argv);

G_END_DECLS
