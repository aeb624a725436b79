/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "cachet-cli-private.h"
#include "cachet-crypto-loader.h"
#include "cachet-crypto-probe.h"

/* cachet --check-plugin FILE: run every check of the plugin contract on FILE,
 * start and stop the plugin, and print its info or why it is refused. */
int
_cachet_cli_check_plugin (int    argc,
                          char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoLoaded) loaded = NULL;
  g_autofree char *path = NULL;
  g_autofree char *description = NULL;

  if (argc != 2 || argv[1][0] == '-')
    {
      fprintf (stderr, "%s", _("Usage: cachet --check-plugin FILE\n"));
      return 2;
    }
  /* The file the user named; the loader itself only takes full paths. */
  path = g_canonicalize_filename (argv[1], NULL);
  loaded = cachet_crypto_load (path, NULL, &error);
  if (loaded == NULL)
    {
      fprintf (stderr, _("cachet --check-plugin: “%s” is refused: %s\n"), path, error->message);
      return 1;
    }
  description = cachet_crypto_loaded_describe (loaded);
  printf (_("File: %s\n"), path);
  fputs (description, stdout);
  printf ("%s", _("The plugin can be loaded.\n"));
  return 0;
}

/* cachet --probe-plugin FILE: the helper process the app runs before it
 * loads a new or changed plugin itself (see cachet-crypto-probe.h).  Its
 * output is for the app, not for people. */
int
_cachet_cli_probe_plugin (int    argc,
                          char **argv)
{
  if (argc != 2 || !g_path_is_absolute (argv[1]))
    {
      fprintf (stderr, "%s", "Usage: cachet --probe-plugin /FULL/PATH\n");
      return 2;
    }
  return cachet_crypto_probe_main (argv[1]);
}
