/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "cachet-cli-private.h"
#include "cachet-store.h"

int
_cachet_cli_import_mbox (int    argc,
                         char **argv)
{
  fprintf (stderr, "%s", _("cachet import-mbox: the mail store is not available yet.\n"));
  return 1;
}

int
_cachet_cli_search (int    argc,
                    char **argv)
{
  fprintf (stderr, "%s", _("cachet search: the mail store is not available yet.\n"));
  return 1;
}
