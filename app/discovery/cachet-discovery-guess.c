/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-discovery"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-discovery-private.h"

/* Guessing: probe the usual names and ports of a domain, all at once.
 *
 * Each probe is a blocking _cachet_probe_run() on a thread of a pool of our own (GTask's
 * shared pool is small and GIO's resolver uses it too), with its own cancellable, which
 * a timer in the caller's main context cancels after the per-probe time.  Another timer
 * ends the whole step at the overall limit: probes still running are cancelled and left
 * to finish on their own (their results are dropped), so the step never waits longer.
 *
 * The order of preference: verified implicit TLS, then verified STARTTLS, then servers
 * whose certificate is not trusted, then plaintext; within each, the order of the plan
 * (host names, then ports, as below). */

#define MAX_THREADS 32

static const char *const pop3_prefixes[] = { "pop3.", "pop.", "mail.", "", NULL };
static const char *const smtp_prefixes[] = { "smtp.", "mail.", "", NULL };
static const struct { guint16 port; gboolean tls; } pop3_ports[] = { { 995, TRUE }, { 110, FALSE } };
static const struct { guint16 port; gboolean tls; } smtp_ports[] = {
  { 465, TRUE }, { 587, FALSE }, { 25, FALSE },
};

typedef struct _Guess Guess;

typedef struct
{
  Guess             *guess;        /* weak: each running probe's job holds the guess */
  guint              index;
  char              *host;
  guint16            port;         /* as shown */
  guint16            real_port;    /* connected to (differs only in tests) */
  gboolean           smtp;
  gboolean           implicit_tls;
  guint              timeout_s;
  char              *extra_ca_file;
  GCancellable      *cancellable;
  GSource           *timer;
  gboolean           expired;
  gboolean           finished;
  CachetProbeResult *result;
} Probe;

struct _Guess
{
  GTask        *task;
  GMainContext *context;
  GPtrArray    *probes;         /* Probe */
  guint         pending;
  GCancellable *cancellable;    /* cancels every probe */
  gulong        cancel_handler;
  GCancellable *parent;
  GSource      *overall;
  gboolean      timed_out;
  gboolean      done;
  char         *address;
  guint         probe_ms;
};

typedef struct
{
  GPtrArray *incoming;
  GPtrArray *outgoing;
  GPtrArray *notes;
  gboolean   timed_out;
} GuessOutput;

static void probe_unref (Probe *probe);

static Guess *
guess_ref (Guess *guess)
{
  return g_atomic_rc_box_acquire (guess);
}

static void
guess_clear (Guess *guess)
{
  g_clear_pointer (&guess->probes, g_ptr_array_unref);
  g_clear_object (&guess->cancellable);
  g_clear_object (&guess->parent);
  g_clear_pointer (&guess->context, g_main_context_unref);
  g_free (guess->address);
}

static void
guess_unref (Guess *guess)
{
  g_atomic_rc_box_release_full (guess, (GDestroyNotify) guess_clear);
}

static void
probe_clear (Probe *probe)
{
  g_free (probe->host);
  g_free (probe->extra_ca_file);
  g_clear_object (&probe->cancellable);
  if (probe->timer != NULL)
    {
      g_source_destroy (probe->timer);
      g_source_unref (probe->timer);
    }
  _cachet_probe_result_free (probe->result);
}

static void
probe_unref (Probe *probe)
{
  g_atomic_rc_box_release_full (probe, (GDestroyNotify) probe_clear);
}

static void
output_free (GuessOutput *output)
{
  g_ptr_array_unref (output->incoming);
  g_ptr_array_unref (output->outgoing);
  g_ptr_array_unref (output->notes);
  g_free (output);
}

static const char *
security_word (CachetSecurity security)
{
  switch (security)
    {
    case CACHET_SECURITY_TLS:
      return "TLS";
    case CACHET_SECURITY_STARTTLS:
      return "STARTTLS";
    case CACHET_SECURITY_PLAIN:
    default:
      return _("no encryption");
    }
}

static int
tier (const Probe *probe)
{
  const CachetProbeResult *r = probe->result;

  if (r == NULL || !r->confirmed)
    return -1;
  switch (r->outcome)
    {
    case CACHET_PROBE_OK:
      return r->security == CACHET_SECURITY_TLS ? 0 : 1;
    case CACHET_PROBE_CERTIFICATE:
      return 2;
    case CACHET_PROBE_PLAINTEXT:
      return 3;
    default:
      return -1;
    }
}

static CachetDiscoveryCandidate *
candidate_of (Guess *guess,
              Probe *probe)
{
  CachetProbeResult *r = probe->result;
  CachetServerSettings *server = cachet_server_settings_new (probe->smtp);
  g_autofree char *origin = g_strdup_printf (_("probe of %s port %u"), probe->host, probe->port);
  CachetDiscoveryCandidate *c;

  server->host = g_strdup (probe->host);
  server->port = probe->port;
  server->security = r->security;
  server->user = g_strdup (guess->address);
  c = _cachet_candidate_new (probe->smtp ? CACHET_DISCOVERY_PROTOCOL_SMTP
                                         : CACHET_DISCOVERY_PROTOCOL_POP3,
                             CACHET_DISCOVERY_STEP_GUESS, origin, server);
  c->confirmed = TRUE;
  c->probe_us = r->elapsed_us;
  c->capabilities = g_strdup (r->capabilities);
  c->tls_check = r->tls_check;
  r->tls_check = NULL;
  c->plaintext = r->outcome == CACHET_PROBE_PLAINTEXT;
  c->trusted = r->outcome == CACHET_PROBE_OK;
  if (r->outcome == CACHET_PROBE_CERTIFICATE && c->tls_check != NULL)
    c->problem = cachet_tls_check_describe (c->tls_check, probe->host);
  else if (r->outcome != CACHET_PROBE_OK)
    c->problem = g_strdup (r->message);
  if (probe->smtp && c->trusted && r->capabilities != NULL
      && !g_regex_match_simple ("(^|, )AUTH[ =]", r->capabilities, G_REGEX_CASELESS, 0))
    {
      c->trusted = FALSE;
      c->problem = g_strdup (_("The server offers no login (AUTH): it probably accepts mail "
                               "only for its own domain, not mail to send."));
    }
  return c;
}

static char *
note_of (Probe *probe)
{
  const char *what;
  g_autofree char *detail = NULL;

  if (probe->result == NULL)
    return g_strdup_printf ("%s %s:%u (%s): %s", probe->smtp ? "SMTP" : "POP3", probe->host,
                            probe->port, probe->implicit_tls ? "TLS" : "STARTTLS",
                            _("no answer in time"));
  what = _cachet_probe_outcome_describe (probe->result->outcome);
  if (probe->result->outcome != CACHET_PROBE_OK && probe->result->message != NULL)
    detail = g_strdup_printf (" — %s", probe->result->message);
  return g_strdup_printf ("%s %s:%u (%s): %s%s (%" G_GINT64_FORMAT " ms)",
                          probe->smtp ? "SMTP" : "POP3", probe->host, probe->port,
                          security_word (probe->result->security), what,
                          detail != NULL ? detail : "", _cachet_ms (probe->result->elapsed_us));
}

/* Ends the step: the task returns what the finished probes found. */
static void
guess_complete (Guess *guess)
{
  GuessOutput *out;

  if (guess->done)
    return;
  guess->done = TRUE;
  if (guess->overall != NULL)
    {
      g_source_destroy (guess->overall);
      g_clear_pointer (&guess->overall, g_source_unref);
    }
  /* Whatever still runs is stopped; its result will be dropped. */
  g_cancellable_cancel (guess->cancellable);
  if (guess->parent != NULL)
    g_cancellable_disconnect (guess->parent, guess->cancel_handler);
  guess->cancel_handler = 0;

  if (guess->parent != NULL && g_cancellable_is_cancelled (guess->parent))
    {
      g_task_return_new_error (guess->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "%s", _("Operation was cancelled"));
      g_clear_object (&guess->task);
      return;
    }

  out = g_new0 (GuessOutput, 1);
  out->incoming = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_discovery_candidate_free);
  out->outgoing = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_discovery_candidate_free);
  out->notes = g_ptr_array_new_with_free_func (g_free);
  out->timed_out = guess->timed_out;
  for (int t = 0; t <= 3; t++)
    for (guint i = 0; i < guess->probes->len; i++)
      {
        Probe *probe = guess->probes->pdata[i];

        if (probe->finished && tier (probe) == t)
          g_ptr_array_add (probe->smtp ? out->outgoing : out->incoming,
                           candidate_of (guess, probe));
      }
  for (guint i = 0; i < guess->probes->len; i++)
    {
      Probe *probe = guess->probes->pdata[i];

      g_ptr_array_add (out->notes, probe->finished ? note_of (probe)
                                                   : g_strdup_printf ("%s %s:%u: %s",
                                                                      probe->smtp ? "SMTP" : "POP3",
                                                                      probe->host, probe->port,
                                                                      _("no answer in time")));
    }
  g_task_return_pointer (guess->task, out, (GDestroyNotify) output_free);
  g_clear_object (&guess->task);
}

static gboolean
probe_done_cb (gpointer user_data)
{
  Probe *probe = user_data;
  Guess *guess = probe->guess;

  if (probe->timer != NULL)
    {
      g_source_destroy (probe->timer);
      g_clear_pointer (&probe->timer, g_source_unref);
    }
  if (!guess->done)
    {
      probe->finished = TRUE;
      if (probe->expired && probe->result->outcome == CACHET_PROBE_CANCELLED)
        {
          probe->result->outcome = CACHET_PROBE_TIMED_OUT;
          g_free (probe->result->message);
          probe->result->message = NULL;
        }
      g_debug ("guess: %s:%u (%s) %s", probe->host, probe->port, probe->smtp ? "smtp" : "pop3",
               _cachet_probe_outcome_describe (probe->result->outcome));
      if (--guess->pending == 0)
        guess_complete (guess);
    }
  return G_SOURCE_REMOVE;
}

/* A probe's job holds the probe and the guess, in the thread and until its result was
 * handed to the main context. */
static void
job_free (Probe *probe)
{
  guess_unref (probe->guess);
  probe_unref (probe);
}

static void
probe_worker (gpointer data,
              gpointer pool_data)
{
  Probe *probe = data;

  probe->result = _cachet_probe_run (probe->host, probe->real_port, probe->smtp,
                                     probe->implicit_tls, probe->timeout_s,
                                     probe->extra_ca_file, probe->cancellable);
  g_main_context_invoke_full (probe->guess->context, G_PRIORITY_DEFAULT, probe_done_cb, probe,
                              (GDestroyNotify) job_free);
}

static gboolean
probe_timeout_cb (gpointer user_data)
{
  Probe *probe = user_data;

  probe->expired = TRUE;
  g_cancellable_cancel (probe->cancellable);
  g_clear_pointer (&probe->timer, g_source_unref);
  return G_SOURCE_REMOVE;
}

static gboolean
overall_timeout_cb (gpointer user_data)
{
  Guess *guess = user_data;

  g_debug ("guess: overall time limit reached with %u probes running", guess->pending);
  guess->timed_out = TRUE;
  g_clear_pointer (&guess->overall, g_source_unref);
  guess_complete (guess);
  return G_SOURCE_REMOVE;
}

static void
parent_cancelled_cb (GCancellable *parent,
                     gpointer      user_data)
{
  Guess *guess = user_data;

  /* Any thread: only forward; completion happens when the probes report back. */
  g_cancellable_cancel (guess->cancellable);
}

static GThreadPool *
probe_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    {
      GThreadPool *p = g_thread_pool_new (probe_worker, NULL, MAX_THREADS, FALSE, NULL);

      g_once_init_leave (&pool, p);
    }
  return pool;
}

static void
add_probe (Guess                 *guess,
           const CachetGuessPlan *plan,
           const char            *prefix,
           guint16                port,
           gboolean               tls,
           gboolean               smtp)
{
  Probe *probe = g_atomic_rc_box_new0 (Probe);
  gpointer real = plan->ports != NULL ? g_hash_table_lookup (plan->ports, GUINT_TO_POINTER (port))
                                      : NULL;

  probe->guess = guess;
  probe->index = guess->probes->len;
  probe->host = g_strconcat (prefix, plan->domain, NULL);
  probe->port = port;
  probe->real_port = real != NULL ? (guint16) GPOINTER_TO_UINT (real) : port;
  probe->smtp = smtp;
  probe->implicit_tls = tls;
  /* The timer below ends the probe; the socket timeouts only back it up */
  probe->timeout_s = plan->probe_ms / 1000 + 2;
  probe->extra_ca_file = g_strdup (plan->extra_ca_file);
  probe->cancellable = g_cancellable_new ();
  g_ptr_array_add (guess->probes, probe);
}

void
_cachet_guess_async (const CachetGuessPlan *plan,
                     GCancellable          *cancellable,
                     GAsyncReadyCallback    callback,
                     gpointer               user_data)
{
  Guess *guess = g_atomic_rc_box_new0 (Guess);

  guess->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (guess->task, _cachet_guess_async);
  g_task_set_task_data (guess->task, guess_ref (guess), (GDestroyNotify) guess_unref);
  guess->context = g_main_context_ref_thread_default ();
  guess->probes = g_ptr_array_new_with_free_func ((GDestroyNotify) probe_unref);
  guess->cancellable = g_cancellable_new ();
  guess->address = g_strdup (plan->address);
  guess->probe_ms = plan->probe_ms;

  for (guint h = 0; pop3_prefixes[h] != NULL; h++)
    for (gsize p = 0; p < G_N_ELEMENTS (pop3_ports); p++)
      add_probe (guess, plan, pop3_prefixes[h], pop3_ports[p].port, pop3_ports[p].tls, FALSE);
  for (guint h = 0; smtp_prefixes[h] != NULL; h++)
    for (gsize p = 0; p < G_N_ELEMENTS (smtp_ports); p++)
      add_probe (guess, plan, smtp_prefixes[h], smtp_ports[p].port, smtp_ports[p].tls, TRUE);

  if (cancellable != NULL)
    {
      guess->parent = g_object_ref (cancellable);
      guess->cancel_handler = g_cancellable_connect (cancellable,
                                                     G_CALLBACK (parent_cancelled_cb),
                                                     guess, NULL);
    }
  guess->overall = g_timeout_source_new (plan->overall_ms);
  g_source_set_callback (guess->overall, overall_timeout_cb, guess, NULL);
  g_source_attach (guess->overall, guess->context);

  guess->pending = guess->probes->len;
  for (guint i = 0; i < guess->probes->len; i++)
    {
      Probe *probe = guess->probes->pdata[i];
      g_autoptr(GError) error = NULL;

      /* Each probe is cancelled with the step */
      g_signal_connect_object (guess->cancellable, "cancelled",
                               G_CALLBACK (g_cancellable_cancel), probe->cancellable,
                               G_CONNECT_SWAPPED);
      probe->timer = g_timeout_source_new (plan->probe_ms);
      g_source_set_callback (probe->timer, probe_timeout_cb, probe, NULL);
      g_source_attach (probe->timer, guess->context);
      guess_ref (guess);
      if (!g_thread_pool_push (probe_pool (), g_atomic_rc_box_acquire (probe), &error))
        g_error ("cannot start a probe thread: %s", error->message);
    }
  guess_unref (guess);   /* the task data and the probes hold it */
}

gboolean
_cachet_guess_finish (GAsyncResult *result,
                      GPtrArray    *incoming,
                      GPtrArray    *outgoing,
                      GPtrArray    *notes,
                      gboolean     *timed_out,
                      GError      **error)
{
  GuessOutput *out;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  out = g_task_propagate_pointer (G_TASK (result), error);
  if (out == NULL)
    return FALSE;
  g_ptr_array_extend_and_steal (incoming, g_steal_pointer (&out->incoming));
  g_ptr_array_extend_and_steal (outgoing, g_steal_pointer (&out->outgoing));
  g_ptr_array_extend_and_steal (notes, g_steal_pointer (&out->notes));
  if (timed_out != NULL)
    *timed_out = out->timed_out;
  g_free (out);
  return TRUE;
}
