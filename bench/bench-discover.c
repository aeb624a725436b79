/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-discover CACHET ISP_DIR [RUNS]
 *
 * 1. `cachet discover jo@demo.test` (a bundled profile) as a process, RUNS times: wall
 *    time from spawning to exit, and the time the command itself reports.  Target: under
 *    100 ms.
 * 2. The same discovery in this process (no process start-up).
 * 3. A domain where every guess is dead: its names map to 127.0.0.1 (the tests' resolver)
 *    and every guessed port to a listener whose backlog is full, so that connecting hangs
 *    as to a dead host; with the default time limits (probe 6 s, guessing 15 s) and with
 *    probes allowed 60 s (then the overall 15 s must end it).
 * Prints one "name value unit" line per figure. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery-test-util.h"
#include "test-resolver.h"

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v,
        guint   n)
{
  qsort (v, n, sizeof (double), compare_doubles);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double
in_process (const char         *address,
            CachetIspDirectory *directory,
            guint16             dead,
            guint               probe_ms,
            guint               guess_ms,
            CachetDiscoveryStepState *guess_state,
            double             *guess_elapsed_ms)
{
  g_autoptr(CachetDiscovery) d = cachet_discovery_new (address, NULL);
  g_autoptr(CachetDiscoveryResult) r = NULL;
  gint64 start;
  const guint16 ports[] = { 443, 995, 110, 465, 587, 25 };

  cachet_discovery_set_isp_directory (d, directory);
  if (dead != 0)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (ports); i++)
        _cachet_discovery_set_test_port (d, ports[i], dead);
      cachet_discovery_set_timeouts (d, 0, 0, probe_ms, guess_ms);
    }
  start = g_get_monotonic_time ();
  r = discovery_test_run (d, NULL, 0, NULL);
  if (guess_state != NULL)
    *guess_state = r->steps[CACHET_DISCOVERY_STEP_GUESS].state;
  if (guess_elapsed_ms != NULL)
    *guess_elapsed_ms = r->steps[CACHET_DISCOVERY_STEP_GUESS].elapsed_us / 1000.0;
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int    argc,
      char **argv)
{
  const char *cachet, *isp_dir;
  guint runs = argc > 3 ? (guint) atoi (argv[3]) : 20;
  g_autofree double *wall = NULL;
  g_autofree double *reported = NULL;
  const char *dirs[2] = { NULL, NULL };
  g_autoptr(CachetIspDirectory) directory = NULL;
  g_autoptr(CachetIspDirectory) empty = NULL;
  const char *names[] = { "dead.test", "pop3.dead.test", "pop.dead.test", "mail.dead.test",
                          "smtp.dead.test", "autoconfig.dead.test" };
  TestResolver *resolver;
  guint16 dead;
  CachetDiscoveryStepState state;
  double ms, guess_ms;

  if (argc < 3 || runs == 0)
    {
      fprintf (stderr, "usage: bench-discover CACHET ISP_DIR [RUNS]\n");
      return 2;
    }
  cachet = argv[1];
  isp_dir = argv[2];
  g_setenv ("CACHET_ISP_DIR", isp_dir, TRUE);
  wall = g_new0 (double, runs);
  reported = g_new0 (double, runs);

  for (guint i = 0; i < runs; i++)
    {
      const char *args[] = { cachet, "discover", "jo@demo.test", NULL };
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      const char *t;
      int status = 0;
      gint64 start = g_get_monotonic_time ();

      if (!g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                         &out, NULL, &status, &error) || !g_spawn_check_wait_status (status, NULL))
        {
          fprintf (stderr, "cachet discover failed: %s\n", error != NULL ? error->message : out);
          return 1;
        }
      wall[i] = (g_get_monotonic_time () - start) / 1000.0;
      t = strstr (out, "time: ");
      reported[i] = t != NULL ? g_ascii_strtod (t + 6, NULL) : -1;
    }
  printf ("discover_local_profile_process_median %.1f ms\n", median (wall, runs));
  printf ("discover_local_profile_process_worst %.1f ms\n", wall[runs - 1]);
  printf ("discover_local_profile_reported_median %.1f ms\n", median (reported, runs));

  dirs[0] = isp_dir;
  directory = cachet_isp_directory_new (dirs);
  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(CachetIspDirectory) fresh = cachet_isp_directory_new (dirs);   /* reads the files */

      wall[i] = in_process ("jo@demo.test", fresh, 0, 0, 0, NULL, NULL);
    }
  printf ("discover_local_profile_in_process_median %.2f ms\n", median (wall, runs));

  resolver = test_resolver_install ();
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    test_resolver_add_host (resolver, names[i]);
  dead = discovery_test_dead_port ();
  empty = discovery_test_empty_directory ();
  ms = in_process ("jo@dead.test", empty, dead, 0, 0, &state, &guess_ms);
  printf ("discover_all_dead_default_limits_total %.0f ms\n", ms);
  printf ("discover_all_dead_default_limits_guess %.0f ms (%s; probe 6 s, guess 15 s)\n", guess_ms,
          cachet_discovery_step_state_to_string (state));
  ms = in_process ("jo@dead.test", empty, dead, 60000, 15000, &state, &guess_ms);
  printf ("discover_all_dead_probe_60s_total %.0f ms\n", ms);
  printf ("discover_all_dead_probe_60s_guess %.0f ms (%s; guess limit 15 s)\n", guess_ms,
          cachet_discovery_step_state_to_string (state));
  return 0;
}
