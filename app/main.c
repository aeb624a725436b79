/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cachet-application.h"
#include "cachet-cli.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CachetApplication) app = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Headless commands (show, search, import-mbox, ...) never touch GTK, so they work
   * without a display and start fast. */
  if (cachet_cli_handles (argc, argv))
    return cachet_cli_run (argc, argv);

  app = cachet_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);
  return status;
}
