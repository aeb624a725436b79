/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "cachet-cli-private.h"
#include "cachet-discovery-error.h"
#include "cachet-discovery.h"
#include "cachet-isp-profile.h"

/* cachet discover ADDRESS [--all] [--local] [--name NAME]
 *   Prints what each discovery step found (source, host, port, security, user, timings),
 *   as each step ends, then the servers a new account would start with.  Never logs in.
 *   Exit status 0 when an incoming and an outgoing server were found, 1 when not.
 *
 * cachet profile check FILE.xml...
 *   Checks ISP profiles: each problem as FILE:LINE: error|warning: text, then a summary.
 *   Exit status 1 when any file has a problem. */

typedef struct
{
  GMainLoop             *loop;
  CachetDiscoveryResult *result;
  GError                *error;
  guint                  printed;
} DiscoverRun;

static const char *
security_name (CachetSecurity security)
{
  switch (security)
    {
    case CACHET_SECURITY_TLS:
      return "TLS";
    case CACHET_SECURITY_STARTTLS:
      return "STARTTLS";
    case CACHET_SECURITY_PLAIN:
    default:
      return _("none");
    }
}

static void
print_candidate (const CachetDiscoveryCandidate *c,
                 const char                     *indent)
{
  const CachetServerSettings *s = c->server;
  g_autofree char *hostport = cachet_format_host_port (s->host, s->port);
  const char *trust = c->trusted ? _("trusted")
                      : c->plaintext ? _("NO ENCRYPTION")
                      : c->tls_check != NULL ? _("certificate not trusted")
                      : _("needs confirmation");

  printf ("%s%-4s %-28s %-9s %s %s  (%s)\n", indent,
          c->protocol == CACHET_DISCOVERY_PROTOCOL_POP3 ? "POP3" : "SMTP", hostport,
          security_name (s->security), _("user"), s->user != NULL ? s->user : _("(none)"), trust);
  if (c->probe_us > 0)
    printf ("%s     %s: %" G_GINT64_FORMAT " ms\n", indent, _("probe"), (c->probe_us + 500) / 1000);
  if (c->capabilities != NULL && *c->capabilities != '\0')
    printf ("%s     %s: %s\n", indent, _("offers"), c->capabilities);
  if (c->problem != NULL)
    printf ("%s     %s\n", indent, c->problem);
}

static void
print_step (CachetDiscovery     *discovery,
            CachetDiscoveryStep  step)
{
  const CachetDiscoveryStepReport *r = cachet_discovery_get_step_report (discovery, step);
  CachetDiscoveryResult *result = cachet_discovery_get_result (discovery);

  printf ("%u. %s: %s", step + 1, cachet_discovery_step_describe (step),
          cachet_discovery_step_state_to_string (r->state));
  if (r->started_us >= 0)
    printf (" (%" G_GINT64_FORMAT " ms)", (r->elapsed_us + 500) / 1000);
  printf ("\n");
  if (r->detail != NULL)
    printf ("   %s\n", r->detail);
  for (guint i = 0; i < r->notes->len; i++)
    printf ("   - %s\n", (char *) r->notes->pdata[i]);
  for (int smtp = 0; smtp <= 1; smtp++)
    {
      GPtrArray *list = smtp ? result->outgoing : result->incoming;

      for (guint i = 0; i < list->len; i++)
        {
          const CachetDiscoveryCandidate *c = list->pdata[i];

          if (c->source == step)
            print_candidate (c, "   ");
        }
    }
  fflush (stdout);
}

static void
step_changed_cb (CachetDiscovery *discovery,
                 guint            step,
                 DiscoverRun     *run)
{
  const CachetDiscoveryStepReport *r = cachet_discovery_get_step_report (discovery, step);

  if (r->state == CACHET_DISCOVERY_STEP_RUNNING || r->state == CACHET_DISCOVERY_STEP_PENDING)
    return;
  /* Steps end in order; print each once */
  if (step >= run->printed)
    {
      print_step (discovery, step);
      run->printed = step + 1;
    }
}

static void
discover_done_cb (GObject      *source,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  DiscoverRun *run = user_data;

  run->result = cachet_discovery_run_finish (CACHET_DISCOVERY (source), res, &run->error);
  g_main_loop_quit (run->loop);
}

static void
print_preselected (const char                     *label,
                   const CachetDiscoveryCandidate *c)
{
  if (c == NULL)
    {
      printf ("  %-9s %s\n", label, _("none found"));
      return;
    }
  printf ("  %-9s %s %s, %s %u, %s, %s %s\n", label,
          c->protocol == CACHET_DISCOVERY_PROTOCOL_POP3 ? "POP3" : "SMTP", c->server->host,
          _("port"), c->server->port, security_name (c->server->security), _("user"),
          c->server->user != NULL ? c->server->user : _("(none)"));
  printf ("  %-9s %s: %s (%s)\n", "", _("from"), cachet_discovery_step_describe (c->source),
          c->origin);
  if (c->plaintext)
    printf ("  %-9s %s\n", "", _("WARNING: no encryption; the password and the mail would "
                                 "travel in the clear."));
  else if (!c->trusted && c->problem != NULL)
    printf ("  %-9s %s\n", "", c->problem);
}

int
_cachet_cli_discover (int    argc,
                      char **argv)
{
  gboolean all = FALSE, local = FALSE;
  g_autofree char *name = NULL;
  g_auto(GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Run every step, even after servers were found"), NULL },
    { "local", 0, 0, G_OPTION_ARG_NONE, &local, N_("Only the profiles on this computer: no network"), NULL },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Your name, for profiles that use it"), N_("NAME") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, N_("ADDRESS") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ADDRESS — find the mail servers of an address"));
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetDiscovery) discovery = NULL;
  g_autoptr(GMainContext) main_context = g_main_context_new ();
  DiscoverRun run = { 0 };
  int status;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Shows what each step of the account setup finds: profiles on this computer, the "
      "provider's configuration server, DNS records, the mail exchanger, and the usual "
      "server names. It never logs in. Exit status 0 when an incoming and an outgoing "
      "server were found."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "cachet discover: %s\n", error->message);
      return 2;
    }
  if (rest == NULL || g_strv_length (rest) != 1)
    {
      fprintf (stderr, "%s", _("Usage: cachet discover ADDRESS [--all] [--local] [--name NAME]\n"));
      return 2;
    }

  g_main_context_push_thread_default (main_context);
  run.loop = g_main_loop_new (main_context, FALSE);
  discovery = cachet_discovery_new (rest[0], name);
  cachet_discovery_set_flags (discovery, (all ? CACHET_DISCOVERY_ALL_STEPS : 0)
                                         | (local ? CACHET_DISCOVERY_NO_NETWORK : 0));
  g_signal_connect (discovery, "step-changed", G_CALLBACK (step_changed_cb), &run);
  cachet_discovery_run_async (discovery, NULL, discover_done_cb, &run);
  g_main_loop_run (run.loop);
  g_main_loop_unref (run.loop);
  g_main_context_pop_thread_default (main_context);

  if (run.result == NULL)
    {
      status = g_error_matches (run.error, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_ADDRESS)
               ? 2 : 1;
      fprintf (stderr, "cachet discover: %s\n", run.error->message);
      g_error_free (run.error);
      return status;
    }
  printf ("\n%s%s%s\n", _("Servers for "), run.result->address,
          run.result->provider != NULL ? "" : ":");
  if (run.result->provider != NULL)
    printf ("  %s: %s\n", _("provider"), run.result->provider);
  print_preselected (_("incoming"), cachet_discovery_result_get_incoming (run.result));
  print_preselected (_("outgoing"), cachet_discovery_result_get_outgoing (run.result));
  if (run.result->imap_only && cachet_discovery_result_get_incoming (run.result) == NULL)
    printf ("  %s\n", _("The provider offers only IMAP for incoming mail; Cachet needs POP3."));
  printf ("%s: %" G_GINT64_FORMAT " ms\n", _("time"), (run.result->elapsed_us + 500) / 1000);
  status = cachet_discovery_result_get_incoming (run.result) != NULL
           && cachet_discovery_result_get_outgoing (run.result) != NULL ? 0 : 1;
  cachet_discovery_result_unref (run.result);
  return status;
}

/* cachet profile check ---------------------------------------------------------------- */

static gboolean
check_one (const char *path)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetIspProfile) profile = cachet_isp_profile_load (path, &problems, &error);
  const CachetIspServer *pop3, *smtp;

  if (problems == NULL)
    {
      /* could not even be read */
      fprintf (stdout, "%s: %s: %s\n", path, _("error"), error->message);
      return FALSE;
    }
  for (guint i = 0; i < problems->len; i++)
    {
      CachetIspProblem *p = problems->pdata[i];
      const char *kind = p->severity == CACHET_ISP_PROBLEM_ERROR ? _("error") : _("warning");

      if (p->line > 0 && p->column > 0)
        printf ("%s:%u:%u: %s: %s\n", path, p->line, p->column, kind, p->message);
      else if (p->line > 0)
        printf ("%s:%u: %s: %s\n", path, p->line, kind, p->message);
      else
        printf ("%s: %s: %s\n", path, kind, p->message);
    }
  if (profile == NULL)
    {
      printf (_("%s: not usable.\n"), path);
      return FALSE;
    }
  pop3 = cachet_isp_profile_get_pop3 (profile);
  smtp = cachet_isp_profile_get_smtp (profile);
  {
    g_autofree char *domains = g_strjoinv (", ", profile->domains);

    printf (_("%s: “%s” for %s\n"), path, profile->display_name, domains);
  }
  if (pop3 != NULL)
    printf ("  POP3 %s:%u %s, %s %s\n", pop3->hostname, pop3->port, security_name (pop3->security),
            _("user"), pop3->username);
  if (smtp != NULL)
    printf ("  SMTP %s:%u %s, %s %s\n", smtp->hostname, smtp->port, security_name (smtp->security),
            _("user"), smtp->username != NULL ? smtp->username : _("(none)"));
  if (problems->len == 0)
    printf (_("%s: no problems found.\n"), path);
  return problems->len == 0;
}

int
_cachet_cli_profile (int    argc,
                     char **argv)
{
  gboolean ok = TRUE;

  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      printf ("%s", _("Usage: cachet profile check FILE.xml...\n"
                      "\n"
                      "Checks ISP profiles (Mozilla autoconfig, clientConfig 1.1) as Cachet reads\n"
                      "them: each problem with its line, then what Cachet would use. Exit status 1\n"
                      "when any file has a problem.\n"));
      return 0;
    }
  if (argc < 3 || !g_str_equal (argv[1], "check"))
    {
      fprintf (stderr, "%s", _("Usage: cachet profile check FILE.xml...\n"));
      return 2;
    }
  for (int i = 2; i < argc; i++)
    ok = check_one (argv[i]) && ok;
  return ok ? 0 : 1;
}
