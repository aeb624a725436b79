/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cachet-store.h"

G_BEGIN_DECLS

/* Each takes argv from the command name on and returns the exit status:
 * 0 success, 1 failure (reason on stderr), 2 usage error. */
int _cachet_cli_show        (int argc, char **argv);
int _cachet_cli_import_mbox (int argc, char **argv);
int _cachet_cli_search      (int argc, char **argv);
int _cachet_cli_account     (int argc, char **argv);
int _cachet_cli_fetch       (int argc, char **argv);
int _cachet_cli_bounce      (int argc, char **argv);
int _cachet_cli_discover    (int argc, char **argv);
int _cachet_cli_profile     (int argc, char **argv);
int _cachet_cli_send        (int argc, char **argv);
int _cachet_cli_check_plugin (int argc, char **argv);
int _cachet_cli_probe_plugin (int argc, char **argv);

/* The mail store for a command, its signals going to a private main context (pushed as the
 * thread default while it is open).  Opening prints why it failed. */
typedef struct
{
  GMainContext *context;
  CachetStore  *store;
} CliStore;

gboolean _cachet_cli_store_open  (CliStore   *cli,
                                  const char *command);
void     _cachet_cli_store_close (CliStore   *cli);

G_END_DECLS
