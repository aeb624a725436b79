/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-cli"

#include "config.h"

#include "cachet-cli.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "cachet-cli-private.h"

static const struct
{
  const char *name;
  int (*run) (int argc, char **argv);
} commands[] = {
  { "show", _cachet_cli_show },
  { "import-mbox", _cachet_cli_import_mbox },
  { "search", _cachet_cli_search },
  { "account", _cachet_cli_account },
  { "fetch", _cachet_cli_fetch },
  { "bounce", _cachet_cli_bounce },  /* for debugging and the corpus test; not in --help */
  { "discover", _cachet_cli_discover },
  { "profile", _cachet_cli_profile },
  { "send", _cachet_cli_send },
  { "--check-plugin", _cachet_cli_check_plugin },
  /* The helper process that checks a plugin before the app loads it; not in --help. */
  { "--probe-plugin", _cachet_cli_probe_plugin },
};

static void
print_help (FILE *out)
{
  fprintf (out, "%s", _("Usage: cachet [COMMAND] [ARGUMENTS…]\n"
                        "\n"
                        "Without a command, Cachet opens its window.\n"
                        "\n"
                        "Commands:\n"
                        "  show FILE.eml [--all-headers]     Print a message as the viewer shows it\n"
                        "  import-mbox FILE [--folder NAME]  Import the messages of an mbox file\n"
                        "  search QUERY [--folder NAME]      Search the mail store\n"
                        "  account add|list|remove …         Add, list or remove mail accounts\n"
                        "                                    (cachet account --help says how)\n"
                        "  fetch [ACCOUNT] [--password-stdin] [--accept-certificate SHA256]\n"
                        "                                    Get new mail from every account, or "
                        "one\n"
                        "  discover ADDRESS [--all] [--local] Find the mail servers of an address\n"
                        "                                    (never logs in)\n"
                        "  profile check FILE.xml…           Check an ISP profile for problems\n"
                        "  send [FILE.eml] [--account A] [--password-stdin]\n"
                        "                                    Send a message (To, Cc and Bcc say "
                        "to whom),\n"
                        "                                    or what waits in the Outbox\n"
                        "  --check-plugin FILE               Check a crypto plugin and print its\n"
                        "                                    info, or why it is refused\n"
                        "\n"
                        "Options:\n"
                        "  --import-profile FILE.xml         Open the window and set up an "
                        "account\n"
                        "                                    with an ISP's profile\n"
                        "  --safe-mode                       Open the window without loading any\n"
                        "                                    crypto plugin\n"
                        "  --version                         Print the version and exit\n"
                        "  --help                            Print this help and exit\n"));
}

gboolean
cachet_cli_handles (int    argc,
                    char **argv)
{
  if (argc < 2)
    return FALSE;
  if (g_str_equal (argv[1], "--version") || g_str_equal (argv[1], "--help")
      || g_str_equal (argv[1], "-h"))
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return TRUE;
  return FALSE;
}

int
cachet_cli_run (int    argc,
                char **argv)
{
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("cachet %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_help (stdout);
      return 0;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  print_help (stderr);
  return 2;
}
