/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each takes argv from the command name on and returns the exit status:
 * 0 success, 1 failure (reason on stderr), 2 usage error. */
int _cachet_cli_show        (int argc, char **argv);
int _cachet_cli_import_mbox (int argc, char **argv);
int _cachet_cli_search      (int argc, char **argv);
int _cachet_cli_account     (int argc, char **argv);

G_END_DECLS
