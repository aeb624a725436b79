/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto"

#include "config.h"

#include "cachet-crypto-probe.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cachet-crypto-loader.h"

/* What the helper prints: a key file with one group. */
#define PROBE_GROUP "probe"
/* A plugin whose init has not returned by then is taken as hanging. */
#define PROBE_TIMEOUT_SECONDS 30

void
cachet_crypto_probe_result_free (CachetCryptoProbeResult *result)
{
  if (result == NULL)
    return;
  g_free (result->reason);
  g_free (result->id);
  g_free (result->name);
  g_free (result->version);
  g_free (result->description);
  g_free (result);
}

/* The helper ------------------------------------------------------------------------ */

static gboolean
write_all (int         fd,
           const char *data,
           gsize       len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static void
set_optional (GKeyFile   *file,
              const char *key,
              const char *value)
{
  if (value != NULL && *value != '\0')
    g_key_file_set_string (file, PROBE_GROUP, key, value);
}

int
cachet_crypto_probe_main (const char *path)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoLoaded) loaded = NULL;
  g_autofree char *data = NULL;
  gsize len;
  gboolean ok;
  int out;

  /* The answer goes to the original standard output; whatever the plugin
   * prints there goes to standard error instead. */
  out = dup (STDOUT_FILENO);
  if (out < 0 || dup2 (STDERR_FILENO, STDOUT_FILENO) < 0)
    return 2;

  loaded = cachet_crypto_load (path, NULL, &error);
  ok = loaded != NULL;
  if (ok)
    {
      g_autofree char *description = cachet_crypto_loaded_describe (loaded);

      g_key_file_set_string (file, PROBE_GROUP, "verdict", "ok");
      g_key_file_set_string (file, PROBE_GROUP, "id", loaded->info.id);
      set_optional (file, "name", loaded->info.name);
      set_optional (file, "version", loaded->info.version);
      g_key_file_set_string (file, PROBE_GROUP, "description", description);
      /* Its shutdown runs here, in the helper, too. */
      g_clear_pointer (&loaded, cachet_crypto_loaded_free);
    }
  else
    {
      g_key_file_set_string (file, PROBE_GROUP, "verdict", "refused");
      g_key_file_set_string (file, PROBE_GROUP, "reason", error->message);
    }
  /* Written only once the plugin has been stopped: an answer without
   * "end" means the helper died on the way. */
  g_key_file_set_boolean (file, PROBE_GROUP, "end", TRUE);
  data = g_key_file_to_data (file, &len, NULL);
  if (!write_all (out, data, len))
    return 2;
  close (out);
  return ok ? 0 : 1;
}

/* The caller ------------------------------------------------------------------------ */

static CachetCryptoProbeResult *
result_new (CachetCryptoProbeVerdict  verdict,
            char                     *reason)
{
  CachetCryptoProbeResult *result = g_new0 (CachetCryptoProbeResult, 1);

  result->verdict = verdict;
  result->reason = reason;
  return result;
}

static const char *
describe_signal (int sig)
{
  switch (sig)
    {
    case SIGSEGV:
      return _("segmentation fault");
    case SIGBUS:
      return _("bus error");
    case SIGILL:
      return _("illegal instruction");
    case SIGFPE:
      return _("arithmetic error");
    case SIGABRT:
      return _("aborted");
    case SIGKILL:
      return _("killed");
    default:
      return NULL;
    }
}

/* The helper's answer, or NULL when it is not a complete one. */
static CachetCryptoProbeResult *
parse_answer (GBytes *answer)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *verdict = NULL;
  CachetCryptoProbeResult *result;
  gsize len = 0;
  const char *data = answer != NULL ? g_bytes_get_data (answer, &len) : NULL;

  if (data == NULL || len == 0
      || !g_key_file_load_from_data (file, data, len, G_KEY_FILE_NONE, NULL)
      || !g_key_file_get_boolean (file, PROBE_GROUP, "end", NULL))
    return NULL;
  verdict = g_key_file_get_string (file, PROBE_GROUP, "verdict", NULL);
  if (g_strcmp0 (verdict, "ok") == 0)
    {
      result = result_new (CACHET_CRYPTO_PROBE_OK, NULL);
      result->id = g_key_file_get_string (file, PROBE_GROUP, "id", NULL);
      result->name = g_key_file_get_string (file, PROBE_GROUP, "name", NULL);
      result->version = g_key_file_get_string (file, PROBE_GROUP, "version", NULL);
      result->description = g_key_file_get_string (file, PROBE_GROUP, "description", NULL);
      if (result->id == NULL)
        g_clear_pointer (&result, cachet_crypto_probe_result_free);
      return result;
    }
  if (g_strcmp0 (verdict, "refused") == 0)
    {
      char *reason = g_key_file_get_string (file, PROBE_GROUP, "reason", NULL);

      if (reason == NULL)
        return NULL;
      return result_new (CACHET_CRYPTO_PROBE_REFUSED, reason);
    }
  return NULL;
}

typedef struct
{
  gboolean  done;
  gboolean  timed_out;
  GBytes   *answer;
} ProbeWait;

static void
communicate_cb (GObject      *source,
                GAsyncResult *res,
                gpointer      data)
{
  ProbeWait *wait = data;

  g_subprocess_communicate_finish (G_SUBPROCESS (source), res, &wait->answer, NULL, NULL);
  wait->done = TRUE;
}

static gboolean
timeout_cb (gpointer data)
{
  GSubprocess *process = data;

  g_object_set_data (G_OBJECT (process), "cachet-timed-out", GINT_TO_POINTER (1));
  g_subprocess_force_exit (process);
  return G_SOURCE_REMOVE;
}

CachetCryptoProbeResult *
cachet_crypto_probe_run (const char *program,
                         const char *path)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GSource) timeout = NULL;
  g_autoptr(GError) error = NULL;
  CachetCryptoProbeResult *result;
  ProbeWait wait = { 0 };

  g_return_val_if_fail (program != NULL && path != NULL, NULL);

  /* A private main context: this runs on the start-up worker thread too. */
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  process = g_subprocess_launcher_spawn (launcher, &error, program, "--probe-plugin", path, NULL);
  if (process == NULL)
    {
      g_main_context_pop_thread_default (context);
      g_warning ("cannot run the plugin check %s: %s", program, error->message);
      return result_new (CACHET_CRYPTO_PROBE_REFUSED,
                         g_strdup_printf (_("The plugin could not be checked: %s."),
                                          error->message));
    }
  timeout = g_timeout_source_new_seconds (PROBE_TIMEOUT_SECONDS);
  g_source_set_callback (timeout, timeout_cb, process, NULL);
  g_source_attach (timeout, context);
  g_subprocess_communicate_async (process, NULL, NULL, communicate_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (context, TRUE);
  g_subprocess_wait (process, NULL, NULL);
  g_source_destroy (timeout);
  wait.timed_out = g_object_get_data (G_OBJECT (process), "cachet-timed-out") != NULL;
  g_main_context_pop_thread_default (context);

  if (wait.timed_out)
    result = result_new (CACHET_CRYPTO_PROBE_CRASHED,
                         g_strdup_printf (_("The plugin did not finish starting within %d "
                                            "seconds while being checked."),
                                          PROBE_TIMEOUT_SECONDS));
  else if (g_subprocess_get_if_signaled (process))
    {
      int sig = g_subprocess_get_term_sig (process);
      const char *what = describe_signal (sig);

      if (what != NULL)
        result = result_new (CACHET_CRYPTO_PROBE_CRASHED,
                             g_strdup_printf (_("The plugin crashed while being checked (%s)."),
                                              what));
      else
        result = result_new (CACHET_CRYPTO_PROBE_CRASHED,
                             g_strdup_printf (_("The plugin crashed while being checked "
                                                "(signal %d)."),
                                              sig));
    }
  else
    {
      int status = g_subprocess_get_exit_status (process);

      result = parse_answer (wait.answer);
      if (result != NULL && (status == 0) != (result->verdict == CACHET_CRYPTO_PROBE_OK))
        g_clear_pointer (&result, cachet_crypto_probe_result_free);
      if (result == NULL)
        /* Exited on its own without finishing (exit() in init, or a sanitizer's
         * report). */
        result = result_new (CACHET_CRYPTO_PROBE_CRASHED,
                             g_strdup_printf (_("The plugin crashed while being checked "
                                                "(exit status %d)."),
                                              status));
    }
  g_clear_pointer (&wait.answer, g_bytes_unref);
  return result;
}
