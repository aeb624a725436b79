/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-discovery"

#include "config.h"

#include "cachet-discovery.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-discovery-error.h"
#include "cachet-discovery-private.h"

/* The steps run one after the other in the caller's main context; each is asynchronous
 * (libsoup, GResolver, the probe threads of cachet-discovery-guess.c; the profile folders
 * are read on a GTask thread).  See cachet-discovery.h for what each does. */

#define DEFAULT_HTTP_MS 8000
#define DEFAULT_DNS_MS 5000
#define DEFAULT_PROBE_MS 6000
#define DEFAULT_GUESS_MS 15000
#define MAX_MX_HOSTS 3

struct _CachetDiscovery
{
  GObject                parent_instance;

  char                  *address;
  char                  *real_name;
  CachetDiscoveryFlags   flags;
  CachetIspDirectory    *directory;
  guint                  http_ms;
  guint                  dns_ms;
  guint                  probe_ms;
  guint                  guess_ms;
  GHashTable            *test_ports;     /* port -> real port */
  char                  *test_ca_file;
  CachetIspProfile      *opened;         /* a profile the user opened, or NULL */

  /* The run */
  GTask                 *task;
  CachetDiscoveryResult *result;
  CachetDiscoveryStep    step;
  gint64                 start_us;
  CachetIspProfile      *profile;        /* found by the profile step */
  SoupSession           *session;
  GPtrArray             *mx_hosts;
};

G_DEFINE_FINAL_TYPE (CachetDiscovery, cachet_discovery, G_TYPE_OBJECT)

enum
{
  STEP_CHANGED,
  CANDIDATE_FOUND,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void run_step (CachetDiscovery *self);

/* Small helpers ------------------------------------------------------------------------- */

gint64
_cachet_ms (gint64 us)
{
  return (us + 500) / 1000;
}

static void
deadline_cancelled_cb (GCancellable   *parent,
                       CachetDeadline *deadline)
{
  g_cancellable_cancel (deadline->cancellable);
}

static gboolean
deadline_expired_cb (gpointer user_data)
{
  CachetDeadline *deadline = user_data;

  deadline->expired = TRUE;
  g_cancellable_cancel (deadline->cancellable);
  return G_SOURCE_REMOVE;
}

CachetDeadline *
_cachet_deadline_new (GCancellable *parent,
                      guint         ms)
{
  CachetDeadline *deadline = g_new0 (CachetDeadline, 1);

  deadline->cancellable = g_cancellable_new ();
  if (parent != NULL)
    {
      deadline->parent = g_object_ref (parent);
      deadline->parent_handler = g_cancellable_connect (parent, G_CALLBACK (deadline_cancelled_cb),
                                                        deadline, NULL);
    }
  deadline->timer = g_timeout_source_new (ms);
  g_source_set_callback (deadline->timer, deadline_expired_cb, deadline, NULL);
  g_source_attach (deadline->timer, g_main_context_get_thread_default ());
  return deadline;
}

void
_cachet_deadline_free (CachetDeadline *deadline)
{
  if (deadline == NULL)
    return;
  if (deadline->parent != NULL)
    g_cancellable_disconnect (deadline->parent, deadline->parent_handler);
  g_clear_object (&deadline->parent);
  g_source_destroy (deadline->timer);
  g_source_unref (deadline->timer);
  g_clear_object (&deadline->cancellable);
  g_free (deadline);
}

/* Candidates and results ---------------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (CachetDiscoveryCandidate, cachet_discovery_candidate,
                     cachet_discovery_candidate_copy, cachet_discovery_candidate_free)

CachetDiscoveryCandidate *
_cachet_candidate_new (CachetDiscoveryProtocol  protocol,
                       CachetDiscoveryStep      source,
                       const char              *origin,
                       CachetServerSettings    *server)
{
  CachetDiscoveryCandidate *c = g_new0 (CachetDiscoveryCandidate, 1);

  c->protocol = protocol;
  c->source = source;
  c->origin = g_strdup (origin);
  c->server = server;
  c->plaintext = server->security == CACHET_SECURITY_PLAIN;
  return c;
}

static CachetTlsCheck *
tls_check_copy (const CachetTlsCheck *check)
{
  CachetTlsCheck *copy;

  if (check == NULL)
    return NULL;
  copy = g_new0 (CachetTlsCheck, 1);
  *copy = *check;
  copy->sha256_hex = g_strdup (check->sha256_hex);
  copy->subject = g_strdup (check->subject);
  copy->issuer = g_strdup (check->issuer);
  copy->not_after = check->not_after != NULL ? g_date_time_ref (check->not_after) : NULL;
  return copy;
}

CachetDiscoveryCandidate *
cachet_discovery_candidate_copy (const CachetDiscoveryCandidate *c)
{
  CachetDiscoveryCandidate *copy;

  g_return_val_if_fail (c != NULL, NULL);
  copy = g_new0 (CachetDiscoveryCandidate, 1);
  *copy = *c;
  copy->origin = g_strdup (c->origin);
  copy->provider = g_strdup (c->provider);
  copy->server = cachet_server_settings_copy (c->server);
  copy->tls_check = tls_check_copy (c->tls_check);
  copy->problem = g_strdup (c->problem);
  copy->capabilities = g_strdup (c->capabilities);
  return copy;
}

void
cachet_discovery_candidate_free (CachetDiscoveryCandidate *c)
{
  if (c == NULL)
    return;
  g_free (c->origin);
  g_free (c->provider);
  cachet_server_settings_free (c->server);
  cachet_tls_check_free (c->tls_check);
  g_free (c->problem);
  g_free (c->capabilities);
  g_free (c);
}

void
_cachet_candidates_from_profile (CachetIspProfile   *profile,
                                 CachetDiscoveryStep source,
                                 const char         *origin,
                                 const char         *address,
                                 const char         *real_name,
                                 GPtrArray          *incoming,
                                 GPtrArray          *outgoing)
{
  for (int smtp = 0; smtp <= 1; smtp++)
    {
      GPtrArray *servers = smtp ? profile->outgoing : profile->incoming;

      for (guint i = 0; i < servers->len; i++)
        {
          const CachetIspServer *s = servers->pdata[i];
          CachetDiscoveryCandidate *c;

          if (!cachet_isp_server_is_usable (s, smtp))
            continue;
          c = _cachet_candidate_new (smtp ? CACHET_DISCOVERY_PROTOCOL_SMTP
                                          : CACHET_DISCOVERY_PROTOCOL_POP3,
                                     source, origin,
                                     cachet_isp_server_to_settings (s, smtp, address, real_name));
          c->provider = g_strdup (profile->display_name);
          c->trusted = !c->plaintext;
          if (c->plaintext)
            c->problem = g_strdup (_("This server is set up without encryption: the password "
                                     "and the mail would travel in the clear."));
          c->check_interval = s->check_interval;
          if (!smtp && s->has_leave_on_server)
            {
              c->has_server_policy = TRUE;
              if (!s->leave_on_server)
                c->server_policy = CACHET_DELETE_AFTER_FETCH;
              else if (s->days_to_leave > 0)
                {
                  c->server_policy = CACHET_DELETE_AFTER_DAYS;
                  c->delete_after_days = (guint) s->days_to_leave;
                }
              else
                c->server_policy = CACHET_KEEP_ON_SERVER;
            }
          g_ptr_array_add (smtp ? outgoing : incoming, c);
        }
    }
}

static void
result_clear (CachetDiscoveryResult *result)
{
  g_free (result->address);
  g_free (result->domain);
  for (guint i = 0; i < CACHET_DISCOVERY_N_STEPS; i++)
    {
      g_free (result->steps[i].detail);
      g_clear_pointer (&result->steps[i].notes, g_ptr_array_unref);
    }
  g_clear_pointer (&result->incoming, g_ptr_array_unref);
  g_clear_pointer (&result->outgoing, g_ptr_array_unref);
  g_free (result->provider);
}

G_DEFINE_BOXED_TYPE (CachetDiscoveryResult, cachet_discovery_result,
                     cachet_discovery_result_ref, cachet_discovery_result_unref)

CachetDiscoveryResult *
cachet_discovery_result_ref (CachetDiscoveryResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  return g_atomic_rc_box_acquire (result);
}

void
cachet_discovery_result_unref (CachetDiscoveryResult *result)
{
  if (result != NULL)
    g_atomic_rc_box_release_full (result, (GDestroyNotify) result_clear);
}

static CachetDiscoveryResult *
result_new (const char *address,
            const char *domain)
{
  CachetDiscoveryResult *result = g_atomic_rc_box_new0 (CachetDiscoveryResult);

  result->address = g_strdup (address);
  result->domain = g_strdup (domain);
  for (guint i = 0; i < CACHET_DISCOVERY_N_STEPS; i++)
    {
      result->steps[i].started_us = -1;
      result->steps[i].notes = g_ptr_array_new_with_free_func (g_free);
    }
  result->incoming = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_discovery_candidate_free);
  result->outgoing = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_discovery_candidate_free);
  result->preferred_incoming = -1;
  result->preferred_outgoing = -1;
  return result;
}

const CachetDiscoveryCandidate *
cachet_discovery_result_get_incoming (CachetDiscoveryResult *r)
{
  g_return_val_if_fail (r != NULL, NULL);
  return r->preferred_incoming >= 0 ? r->incoming->pdata[r->preferred_incoming] : NULL;
}

const CachetDiscoveryCandidate *
cachet_discovery_result_get_outgoing (CachetDiscoveryResult *r)
{
  g_return_val_if_fail (r != NULL, NULL);
  return r->preferred_outgoing >= 0 ? r->outgoing->pdata[r->preferred_outgoing] : NULL;
}

/* Trusted first; then anything encrypted (a certificate to accept, a server outside the
 * domain to confirm); plaintext only when nothing else answered. */
static int
preferred (GPtrArray *list)
{
  for (guint i = 0; i < list->len; i++)
    if (((CachetDiscoveryCandidate *) list->pdata[i])->trusted)
      return (int) i;
  for (guint i = 0; i < list->len; i++)
    if (!((CachetDiscoveryCandidate *) list->pdata[i])->plaintext)
      return (int) i;
  return list->len > 0 ? 0 : -1;
}

static gboolean
has_trusted (GPtrArray *list)
{
  for (guint i = 0; i < list->len; i++)
    if (((CachetDiscoveryCandidate *) list->pdata[i])->trusted)
      return TRUE;
  return FALSE;
}

const char *
cachet_discovery_step_to_string (CachetDiscoveryStep step)
{
  static const char *const names[] = { "profile", "autoconfig", "srv", "mx", "guess" };

  g_return_val_if_fail (step < CACHET_DISCOVERY_N_STEPS, "?");
  return names[step];
}

const char *
cachet_discovery_step_describe (CachetDiscoveryStep step)
{
  switch (step)
    {
    case CACHET_DISCOVERY_STEP_PROFILE:
      return _("Provider profiles on this computer");
    case CACHET_DISCOVERY_STEP_AUTOCONFIG:
      return _("Provider's configuration server (HTTPS)");
    case CACHET_DISCOVERY_STEP_SRV:
      return _("DNS service records");
    case CACHET_DISCOVERY_STEP_MX:
      return _("Mail exchanger (MX) of the domain");
    case CACHET_DISCOVERY_STEP_GUESS:
      return _("Trying the usual server names");
    case CACHET_DISCOVERY_N_STEPS:
    default:
      return "?";
    }
}

const char *
cachet_discovery_step_state_to_string (CachetDiscoveryStepState state)
{
  static const char *const names[] = {
    "pending", "running", "found", "nothing", "failed", "timed-out", "skipped", "cancelled",
  };

  g_return_val_if_fail (state <= CACHET_DISCOVERY_STEP_CANCELLED, "?");
  return names[state];
}

char *
cachet_discovery_address_domain (const char  *address,
                                 GError     **error)
{
  const char *at = address != NULL ? strrchr (address, '@') : NULL;
  g_autofree char *domain = NULL;

  if (at == NULL || at == address || at[1] == '\0')
    {
      g_set_error (error, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_ADDRESS,
                   _("“%s” is not an e-mail address: it needs a name, an @ and a domain, "
                     "like jo@example.com."), address != NULL ? address : "");
      return NULL;
    }
  domain = g_ascii_strdown (at + 1, -1);
  if (g_str_has_suffix (domain, ".") && strlen (domain) > 1)
    domain[strlen (domain) - 1] = '\0';
  if (!cachet_host_is_valid (domain) || g_hostname_is_ip_address (domain)
      || strchr (domain, '.') == NULL || strchr (domain, ':') != NULL)
    {
      g_set_error (error, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_ADDRESS,
                   _("“%s” has no domain name that could be looked up after the @."), address);
      return NULL;
    }
  return g_steal_pointer (&domain);
}

/* GObject ------------------------------------------------------------------------------- */

static void
cachet_discovery_dispose (GObject *object)
{
  CachetDiscovery *self = CACHET_DISCOVERY (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (cachet_discovery_parent_class)->dispose (object);
}

static void
cachet_discovery_finalize (GObject *object)
{
  CachetDiscovery *self = CACHET_DISCOVERY (object);

  g_free (self->address);
  g_free (self->real_name);
  g_clear_pointer (&self->directory, cachet_isp_directory_unref);
  g_clear_pointer (&self->test_ports, g_hash_table_unref);
  g_free (self->test_ca_file);
  g_clear_pointer (&self->opened, cachet_isp_profile_unref);
  g_clear_pointer (&self->result, cachet_discovery_result_unref);
  g_clear_pointer (&self->profile, cachet_isp_profile_unref);
  g_clear_pointer (&self->mx_hosts, g_ptr_array_unref);
  G_OBJECT_CLASS (cachet_discovery_parent_class)->finalize (object);
}

static void
cachet_discovery_class_init (CachetDiscoveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cachet_discovery_dispose;
  object_class->finalize = cachet_discovery_finalize;

  signals[STEP_CHANGED] = g_signal_new ("step-changed", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[CANDIDATE_FOUND] = g_signal_new ("candidate-found", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1,
                                           CACHET_TYPE_DISCOVERY_CANDIDATE | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
cachet_discovery_init (CachetDiscovery *self)
{
  self->http_ms = DEFAULT_HTTP_MS;
  self->dns_ms = DEFAULT_DNS_MS;
  self->probe_ms = DEFAULT_PROBE_MS;
  self->guess_ms = DEFAULT_GUESS_MS;
}

CachetDiscovery *
cachet_discovery_new (const char *address,
                      const char *real_name)
{
  CachetDiscovery *self = g_object_new (CACHET_TYPE_DISCOVERY, NULL);

  self->address = g_strdup (address);
  self->real_name = g_strdup (real_name);
  return self;
}

void
cachet_discovery_set_flags (CachetDiscovery     *self,
                            CachetDiscoveryFlags flags)
{
  g_return_if_fail (CACHET_IS_DISCOVERY (self));
  self->flags = flags;
}

void
cachet_discovery_set_isp_directory (CachetDiscovery    *self,
                                    CachetIspDirectory *directory)
{
  g_return_if_fail (CACHET_IS_DISCOVERY (self));
  g_return_if_fail (self->task == NULL);
  g_clear_pointer (&self->directory, cachet_isp_directory_unref);
  if (directory != NULL)
    self->directory = cachet_isp_directory_ref (directory);
}

void
cachet_discovery_set_profile (CachetDiscovery  *self,
                              CachetIspProfile *profile)
{
  g_return_if_fail (CACHET_IS_DISCOVERY (self));
  g_return_if_fail (self->task == NULL);
  g_clear_pointer (&self->opened, cachet_isp_profile_unref);
  if (profile != NULL)
    self->opened = cachet_isp_profile_ref (profile);
}

void
cachet_discovery_set_timeouts (CachetDiscovery *self,
                               guint            http_ms,
                               guint            dns_ms,
                               guint            probe_ms,
                               guint            guess_ms)
{
  g_return_if_fail (CACHET_IS_DISCOVERY (self));
  if (http_ms != 0)
    self->http_ms = http_ms;
  if (dns_ms != 0)
    self->dns_ms = dns_ms;
  if (probe_ms != 0)
    self->probe_ms = probe_ms;
  if (guess_ms != 0)
    self->guess_ms = guess_ms;
}

void
_cachet_discovery_set_test_port (CachetDiscovery *self,
                                 guint16          port,
                                 guint16          real_port)
{
  g_return_if_fail (CACHET_IS_DISCOVERY (self));
  if (self->test_ports == NULL)
    self->test_ports = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (self->test_ports, GUINT_TO_POINTER (port), GUINT_TO_POINTER (real_port));
}

void
_cachet_discovery_set_test_ca_file (CachetDiscovery *self,
                                    const char      *path)
{
  g_return_if_fail (CACHET_IS_DISCOVERY (self));
  g_free (self->test_ca_file);
  self->test_ca_file = g_strdup (path);
}

const CachetDiscoveryStepReport *
cachet_discovery_get_step_report (CachetDiscovery     *self,
                                  CachetDiscoveryStep  step)
{
  g_return_val_if_fail (CACHET_IS_DISCOVERY (self), NULL);
  g_return_val_if_fail (step < CACHET_DISCOVERY_N_STEPS, NULL);
  return self->result != NULL ? &self->result->steps[step] : NULL;
}

CachetDiscoveryResult *
cachet_discovery_get_result (CachetDiscovery *self)
{
  g_return_val_if_fail (CACHET_IS_DISCOVERY (self), NULL);
  return self->result;
}

/* The run -------------------------------------------------------------------------------- */

static gint64
now_us (CachetDiscovery *self)
{
  return g_get_monotonic_time () - self->start_us;
}

static CachetDiscoveryStepReport *
report (CachetDiscovery *self)
{
  return &self->result->steps[self->step];
}

static void
add_note (CachetDiscovery *self,
          char            *note)   /* transfer full */
{
  g_ptr_array_add (report (self)->notes, note);
}

static void
add_candidates (CachetDiscovery *self,
                GPtrArray       *incoming,
                GPtrArray       *outgoing)
{
  for (int smtp = 0; smtp <= 1; smtp++)
    {
      GPtrArray *list = smtp ? outgoing : incoming;

      for (guint i = 0; i < list->len; i++)
        {
          CachetDiscoveryCandidate *c = list->pdata[i];

          c->found_us = now_us (self);
          g_ptr_array_add (smtp ? self->result->outgoing : self->result->incoming, c);
          g_signal_emit (self, signals[CANDIDATE_FOUND], 0, c);
        }
      /* the candidates now belong to the result */
      g_ptr_array_set_free_func (list, NULL);
      g_ptr_array_set_size (list, 0);
    }
}

static void
set_state (CachetDiscovery          *self,
           CachetDiscoveryStep       step,
           CachetDiscoveryStepState  state,
           char                     *detail)   /* transfer full */
{
  CachetDiscoveryStepReport *r = &self->result->steps[step];

  r->state = state;
  if (state == CACHET_DISCOVERY_STEP_RUNNING)
    r->started_us = now_us (self);
  else if (r->started_us >= 0)
    r->elapsed_us = now_us (self) - r->started_us;
  if (detail != NULL)
    {
      g_free (r->detail);
      r->detail = detail;
    }
  g_debug ("step %s: %s%s%s", cachet_discovery_step_to_string (step),
           cachet_discovery_step_state_to_string (state), r->detail != NULL ? ": " : "",
           r->detail != NULL ? r->detail : "");
  g_signal_emit (self, signals[STEP_CHANGED], 0, (guint) step);
}

static void
finish_run (CachetDiscovery *self)
{
  CachetDiscoveryResult *result = self->result;
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  const CachetDiscoveryCandidate *in, *out;

  result->preferred_incoming = preferred (result->incoming);
  result->preferred_outgoing = preferred (result->outgoing);
  in = cachet_discovery_result_get_incoming (result);
  out = cachet_discovery_result_get_outgoing (result);
  g_free (result->provider);
  result->provider = g_strdup (in != NULL && in->provider != NULL ? in->provider
                               : out != NULL ? out->provider : NULL);
  result->elapsed_us = now_us (self);
  g_clear_object (&self->session);
  g_task_return_pointer (task, cachet_discovery_result_ref (result),
                         (GDestroyNotify) cachet_discovery_result_unref);
}

static void
cancel_run (CachetDiscovery *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  for (guint i = self->step; i < CACHET_DISCOVERY_N_STEPS; i++)
    set_state (self, i, CACHET_DISCOVERY_STEP_CANCELLED, NULL);
  g_clear_object (&self->session);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                           _("Operation was cancelled"));
}

/* Ends the current step and goes on (or not). */
static void
step_done (CachetDiscovery          *self,
           CachetDiscoveryStepState  state,
           char                     *detail)   /* transfer full */
{
  if (g_cancellable_is_cancelled (g_task_get_cancellable (self->task)))
    {
      g_free (detail);
      cancel_run (self);
      return;
    }
  set_state (self, self->step, state, detail);
  self->step++;
  if (self->step < CACHET_DISCOVERY_N_STEPS && !(self->flags & CACHET_DISCOVERY_ALL_STEPS)
      && has_trusted (self->result->incoming) && has_trusted (self->result->outgoing))
    {
      for (; self->step < CACHET_DISCOVERY_N_STEPS; self->step++)
        set_state (self, self->step, CACHET_DISCOVERY_STEP_SKIPPED,
                   g_strdup (_("Not needed: servers were found already.")));
    }
  else if (self->step < CACHET_DISCOVERY_N_STEPS && (self->flags & CACHET_DISCOVERY_NO_NETWORK))
    {
      for (; self->step < CACHET_DISCOVERY_N_STEPS; self->step++)
        set_state (self, self->step, CACHET_DISCOVERY_STEP_SKIPPED,
                   g_strdup (_("Not tried: no network asked for.")));
    }
  if (self->step >= CACHET_DISCOVERY_N_STEPS)
    finish_run (self);
  else
    run_step (self);
}

static char *
count_detail (guint n_in,
              guint n_out)
{
  return g_strdup_printf (_("%u incoming and %u outgoing servers."), n_in, n_out);
}

/* 1. Profiles on this machine ------------------------------------------------------------ */

typedef struct
{
  CachetIspDirectory *directory;
  CachetIspProfile   *opened;
  char               *domain;
} ProfileJob;

static void
profile_job_free (ProfileJob *job)
{
  cachet_isp_directory_unref (job->directory);
  g_clear_pointer (&job->opened, cachet_isp_profile_unref);
  g_free (job->domain);
  g_free (job);
}

static void
profile_worker (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ProfileJob *job = task_data;

  /* The profile the user opened wins over every folder, for the domains it names. */
  if (job->opened != NULL && cachet_isp_profile_has_domain (job->opened, job->domain))
    {
      g_task_return_pointer (task, cachet_isp_profile_ref (job->opened),
                             (GDestroyNotify) cachet_isp_profile_unref);
      return;
    }
  cachet_isp_directory_load (job->directory);
  g_task_return_pointer (task, cachet_isp_directory_lookup (job->directory, job->domain),
                         (GDestroyNotify) cachet_isp_profile_unref);
}

static void
profile_cb (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  CachetDiscovery *self = user_data;
  g_autoptr(CachetIspProfile) profile = g_task_propagate_pointer (G_TASK (res), NULL);
  g_autoptr(GPtrArray) in = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_discovery_candidate_free);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_discovery_candidate_free);
  GPtrArray *skipped = cachet_isp_directory_get_skipped (self->directory);
  const char *const *dirs = cachet_isp_directory_get_dirs (self->directory);
  g_autofree char *joined = g_strjoinv (", ", (char **) dirs);
  guint n_in, n_out;

  for (guint i = 0; i < skipped->len; i++)
    add_note (self, g_strdup_printf (_("skipped %s"), (char *) skipped->pdata[i]));
  if (profile == NULL)
    {
      add_note (self, g_strdup_printf (_("searched: %s"), joined));
      step_done (self, CACHET_DISCOVERY_STEP_NOTHING,
                 g_strdup_printf (_("No profile for %s."), self->result->domain));
      g_object_unref (self);
      return;
    }
  self->profile = cachet_isp_profile_ref (profile);
  if (profile == self->opened)
    add_note (self, g_strdup_printf (_("opened by you: %s"), profile->origin));
  _cachet_candidates_from_profile (profile, CACHET_DISCOVERY_STEP_PROFILE, profile->origin,
                                   self->address, self->real_name, in, out);
  n_in = in->len;
  n_out = out->len;
  add_candidates (self, in, out);
  if (cachet_isp_profile_is_imap_only (profile))
    {
      self->result->imap_only = TRUE;
      add_note (self, g_strdup_printf (_("%s offers only IMAP (or no POP3 login Cachet can "
                                         "use) for incoming mail."), profile->display_name));
    }
  step_done (self, n_in + n_out > 0 ? CACHET_DISCOVERY_STEP_FOUND : CACHET_DISCOVERY_STEP_NOTHING,
             g_strdup_printf (_("Profile “%s” (%s): %u incoming and %u outgoing servers."),
                              profile->display_name, profile->origin, n_in, n_out));
  g_object_unref (self);
}

static void
run_profile (CachetDiscovery *self)
{
  g_autoptr(GTask) task = g_task_new (NULL, g_task_get_cancellable (self->task), profile_cb,
                                      g_object_ref (self));
  ProfileJob *job = g_new0 (ProfileJob, 1);

  if (self->directory == NULL)
    self->directory = cachet_isp_directory_new (NULL);
  job->directory = cachet_isp_directory_ref (self->directory);
  if (self->opened != NULL)
    job->opened = cachet_isp_profile_ref (self->opened);
  job->domain = g_strdup (self->result->domain);
  g_task_set_task_data (task, job, (GDestroyNotify) profile_job_free);
  g_task_run_in_thread (task, profile_worker);
}

/* 2. Autoconfig over HTTPS --------------------------------------------------------------- */

static guint16
port_for (CachetDiscovery *self,
          guint16          port)
{
  gpointer real = self->test_ports != NULL
                    ? g_hash_table_lookup (self->test_ports, GUINT_TO_POINTER (port)) : NULL;

  return real != NULL ? (guint16) GPOINTER_TO_UINT (real) : port;
}

static char *
autoconfig_url (CachetDiscovery *self,
                guint            index)
{
  guint16 port = port_for (self, 443);
  g_autofree char *hostport = NULL;
  g_autofree char *query = NULL;

  if (index == 0)
    {
      g_autofree char *host = g_strconcat ("autoconfig.", self->result->domain, NULL);

      hostport = port == 443 ? g_strdup (host) : g_strdup_printf ("%s:%u", host, port);
      query = g_uri_escape_string (self->address, NULL, FALSE);
      return g_strdup_printf ("https://%s/mail/config-v1.1.xml?emailaddress=%s", hostport, query);
    }
  hostport = port == 443 ? g_strdup (self->result->domain)
                         : g_strdup_printf ("%s:%u", self->result->domain, port);
  return g_strdup_printf ("https://%s/.well-known/autoconfig/mail/config-v1.1.xml", hostport);
}

/* Both URLs are fetched at once, each within http_ms from the start of the step, so that
 * the step has one deadline instead of two in a row.  The first URL stays preferred: its
 * profile wins whenever it gives one; the second's is taken as soon as the first has
 * failed, never before.  Once that is decided the other request is cancelled.  The run
 * lives until both callbacks have come back; after the decision they touch nothing but
 * their own slot. */

#define N_AUTOCONFIG_URLS 2

typedef struct _AutoconfigRun AutoconfigRun;

typedef struct
{
  AutoconfigRun    *run;
  char             *url;
  gboolean          done;
  CachetIspProfile *profile;     /* when it gave one */
  char             *failure;     /* why not, a sentence */
  gint64            elapsed_us;
} AutoconfigUrl;

struct _AutoconfigRun
{
  CachetDiscovery *self;
  GCancellable    *cancellable;  /* both requests; cancelled with the run, or by the decision */
  GCancellable    *parent;
  gulong           parent_handler;
  gint64           start_us;
  gboolean         decided;
  guint            pending;      /* callbacks not yet back */
  AutoconfigUrl    urls[N_AUTOCONFIG_URLS];
};

static void
autoconfig_run_free (AutoconfigRun *run)
{
  /* Not from inside the parent's "cancelled" emission: once it is cancelled the handler
   * never runs again, and it holds its own reference. */
  if (run->parent != NULL && !g_cancellable_is_cancelled (run->parent))
    g_cancellable_disconnect (run->parent, run->parent_handler);
  g_clear_object (&run->parent);
  g_clear_object (&run->cancellable);
  for (guint i = 0; i < N_AUTOCONFIG_URLS; i++)
    {
      g_free (run->urls[i].url);
      g_clear_pointer (&run->urls[i].profile, cachet_isp_profile_unref);
      g_free (run->urls[i].failure);
    }
  g_object_unref (run->self);
  g_free (run);
}

static void
autoconfig_parent_cancelled_cb (GCancellable *parent,
                                GCancellable *cancellable)
{
  g_cancellable_cancel (cancellable);
}

/* One line per URL, in the order of preference, whatever the order of the answers. */
static char *
autoconfig_url_note (const AutoconfigUrl *u,
                     const AutoconfigUrl *winner)
{
  /* An unsigned int, not a gint64: gettext cannot see through G_GINT64_FORMAT. */
  guint ms = (guint) CLAMP (_cachet_ms (u->elapsed_us), 0, G_MAXUINT);

  if (!u->done)
    return g_strdup_printf (_("%s: stopped after %u ms: the first "
                              "address answered."), u->url, ms);
  if (u->profile == NULL)
    return g_strdup_printf (_("after %u ms: %s"), ms, u->failure);
  if (u == winner)
    return g_strdup_printf (_("%s: “%s” (%u ms)"), u->url,
                            u->profile->display_name, ms);
  return g_strdup_printf (_("%s: “%s” (%u ms), not used: the first "
                            "address answered too."), u->url, u->profile->display_name, ms);
}

static void
autoconfig_decide (AutoconfigRun *run)
{
  CachetDiscovery *self = run->self;
  AutoconfigUrl *first = &run->urls[0], *second = &run->urls[1], *winner = NULL;
  g_autoptr(GPtrArray) in = NULL;
  g_autoptr(GPtrArray) out = NULL;
  CachetIspProfile *profile;
  guint n_in, n_out;

  if (!first->done)
    return;                           /* whatever the second says, the first may still win */
  if (first->profile != NULL)
    winner = first;
  else if (!second->done)
    return;
  else if (second->profile != NULL)
    winner = second;

  run->decided = TRUE;
  for (guint i = 0; i < N_AUTOCONFIG_URLS; i++)
    {
      if (!run->urls[i].done)
        run->urls[i].elapsed_us = g_get_monotonic_time () - run->start_us;
      add_note (self, autoconfig_url_note (&run->urls[i], winner));
    }
  /* The other request, if still running: its callback comes back later and does nothing */
  g_cancellable_cancel (run->cancellable);

  if (winner == NULL)
    {
      step_done (self, CACHET_DISCOVERY_STEP_NOTHING,
                 g_strdup_printf (_("No configuration file for %s."), self->result->domain));
      return;
    }
  profile = winner->profile;
  in = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_discovery_candidate_free);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_discovery_candidate_free);
  _cachet_candidates_from_profile (profile, CACHET_DISCOVERY_STEP_AUTOCONFIG, winner->url,
                                   self->address, self->real_name, in, out);
  n_in = in->len;
  n_out = out->len;
  add_candidates (self, in, out);
  if (cachet_isp_profile_is_imap_only (profile))
    {
      self->result->imap_only = TRUE;
      add_note (self, g_strdup_printf (_("%s offers only IMAP (or no POP3 login Cachet can "
                                         "use) for incoming mail."), profile->display_name));
    }
  step_done (self, n_in + n_out > 0 ? CACHET_DISCOVERY_STEP_FOUND : CACHET_DISCOVERY_STEP_NOTHING,
             g_strdup_printf (_("“%s” from %s: %u incoming and %u outgoing servers."),
                              profile->display_name, winner->url, n_in, n_out));
}

static void
autoconfig_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  AutoconfigUrl *u = user_data;
  AutoconfigRun *run = u->run;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetTlsCheck) check = NULL;
  g_autoptr(GBytes) body = _cachet_autoconfig_fetch_finish (res, &check, &error);

  u->done = TRUE;
  u->elapsed_us = g_get_monotonic_time () - run->start_us;
  if (!run->decided)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Only the run's own cancellable can have done that before the decision */
          run->decided = TRUE;
          g_cancellable_cancel (run->cancellable);
          step_done (run->self, CACHET_DISCOVERY_STEP_CANCELLED, NULL);
        }
      else
        {
          if (body != NULL)
            u->profile = cachet_isp_profile_parse (g_bytes_get_data (body, NULL),
                                                   g_bytes_get_size (body), u->url, NULL,
                                                   &error);
          if (u->profile == NULL)
            u->failure = g_strdup (error->message);
          autoconfig_decide (run);
        }
    }
  if (--run->pending == 0)
    autoconfig_run_free (run);
}

static void
run_autoconfig (CachetDiscovery *self)
{
  AutoconfigRun *run = g_new0 (AutoconfigRun, 1);
  GCancellable *parent = g_task_get_cancellable (self->task);

  if (self->session == NULL)
    self->session = _cachet_autoconfig_session_new (self->http_ms);
  run->self = g_object_ref (self);
  run->cancellable = g_cancellable_new ();
  if (parent != NULL)
    {
      run->parent = g_object_ref (parent);
      run->parent_handler = g_cancellable_connect (parent,
                                                   G_CALLBACK (autoconfig_parent_cancelled_cb),
                                                   g_object_ref (run->cancellable),
                                                   g_object_unref);
    }
  run->start_us = g_get_monotonic_time ();
  for (guint i = 0; i < N_AUTOCONFIG_URLS; i++)
    {
      run->urls[i].run = run;
      run->urls[i].url = autoconfig_url (self, i);
    }
  /* Both are counted before either starts: a callback may come back at once. */
  run->pending = N_AUTOCONFIG_URLS;
  for (guint i = 0; i < N_AUTOCONFIG_URLS; i++)
    _cachet_autoconfig_fetch_async (self->session, run->urls[i].url, self->test_ca_file,
                                    self->http_ms, run->cancellable, autoconfig_cb,
                                    &run->urls[i]);
}

/* 3. SRV --------------------------------------------------------------------------------- */

static void
srv_add_cb (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  CachetDiscovery *self = user_data;
  g_autoptr(GPtrArray) in = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_discovery_candidate_free);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_discovery_candidate_free);
  g_autoptr(GError) error = NULL;
  guint n_in, n_out;

  if (!_cachet_dns_srv_finish (res, in, out, report (self)->notes, &error))
    {
      step_done (self, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                         ? CACHET_DISCOVERY_STEP_CANCELLED : CACHET_DISCOVERY_STEP_FAILED,
                 g_strdup (error->message));
      g_object_unref (self);
      return;
    }
  n_in = in->len;
  n_out = out->len;
  add_candidates (self, in, out);
  step_done (self, n_in + n_out > 0 ? CACHET_DISCOVERY_STEP_FOUND : CACHET_DISCOVERY_STEP_NOTHING,
             n_in + n_out > 0 ? count_detail (n_in, n_out)
                              : g_strdup_printf (_("No usable SRV records for %s."),
                                                 self->result->domain));
  g_object_unref (self);
}

static void
run_srv (CachetDiscovery *self)
{
  _cachet_dns_srv_async (self->result->domain, self->address, self->dns_ms,
                         g_task_get_cancellable (self->task), srv_add_cb, g_object_ref (self));
}

/* 4. MX ---------------------------------------------------------------------------------- */

static void
mx_cb (GObject      *source,
       GAsyncResult *res,
       gpointer      user_data)
{
  CachetDiscovery *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hosts = _cachet_dns_mx_finish (res, &error);
  g_autoptr(GPtrArray) in = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_discovery_candidate_free);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_discovery_candidate_free);

  if (hosts == NULL)
    {
      CachetDiscoveryStepState state = CACHET_DISCOVERY_STEP_FAILED;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        state = CACHET_DISCOVERY_STEP_CANCELLED;
      else if (g_error_matches (error, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_TIMED_OUT))
        state = CACHET_DISCOVERY_STEP_TIMED_OUT;
      else if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
        state = CACHET_DISCOVERY_STEP_NOTHING;
      step_done (self, state, g_strdup (error->message));
      g_object_unref (self);
      return;
    }

  for (guint i = 0; i < hosts->len && i < MAX_MX_HOSTS && in->len + out->len == 0; i++)
    {
      const char *host = hosts->pdata[i];

      add_note (self, g_strdup_printf (_("MX %s"), host));
      /* The host's parent domains, longest first, down to two labels */
      for (const char *d = strchr (host, '.'); d != NULL && strchr (d + 1, '.') != NULL;
           d = strchr (d + 1, '.'))
        {
          g_autoptr(CachetIspProfile) profile = cachet_isp_directory_lookup (self->directory,
                                                                             d + 1);
          g_autofree char *origin = NULL;

          if (profile == NULL)
            continue;
          if (profile == self->profile)
            {
              add_note (self, g_strdup_printf (_("%s: the profile found in step 1"), d + 1));
              break;
            }
          origin = g_strdup_printf (_("MX %s → %s"), host, profile->origin);
          _cachet_candidates_from_profile (profile, CACHET_DISCOVERY_STEP_MX, origin,
                                           self->address, self->real_name, in, out);
          add_note (self, g_strdup_printf (_("%s: profile “%s”"), d + 1, profile->display_name));
          break;
        }
    }
  if (in->len + out->len > 0)
    {
      guint n_in = in->len, n_out = out->len;

      add_candidates (self, in, out);
      step_done (self, CACHET_DISCOVERY_STEP_FOUND, count_detail (n_in, n_out));
    }
  else
    step_done (self, CACHET_DISCOVERY_STEP_NOTHING,
               g_strdup (_("No profile here knows the domain's mail exchanger.")));
  g_object_unref (self);
}

static void
run_mx (CachetDiscovery *self)
{
  _cachet_dns_mx_async (self->result->domain, self->dns_ms, g_task_get_cancellable (self->task),
                        mx_cb, g_object_ref (self));
}

/* 5. Guessing ---------------------------------------------------------------------------- */

static void
guess_cb (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  CachetDiscovery *self = user_data;
  g_autoptr(GPtrArray) in = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_discovery_candidate_free);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_discovery_candidate_free);
  g_autoptr(GError) error = NULL;
  gboolean timed_out = FALSE;
  guint n_in, n_out;

  if (!_cachet_guess_finish (res, in, out, report (self)->notes, &timed_out, &error))
    {
      step_done (self, CACHET_DISCOVERY_STEP_CANCELLED, g_strdup (error->message));
      g_object_unref (self);
      return;
    }
  n_in = in->len;
  n_out = out->len;
  add_candidates (self, in, out);
  if (timed_out)
    step_done (self, CACHET_DISCOVERY_STEP_TIMED_OUT,
               g_strdup_printf (_("Stopped after %u seconds: %u incoming and %u outgoing "
                                  "servers answered."), (self->guess_ms + 500) / 1000, n_in, n_out));
  else
    step_done (self, n_in + n_out > 0 ? CACHET_DISCOVERY_STEP_FOUND : CACHET_DISCOVERY_STEP_NOTHING,
               n_in + n_out > 0 ? count_detail (n_in, n_out)
                                : g_strdup (_("No server answered at the usual names.")));
  g_object_unref (self);
}

static void
run_guess (CachetDiscovery *self)
{
  CachetGuessPlan plan = {
    .domain = self->result->domain,
    .address = self->address,
    .ports = self->test_ports,
    .extra_ca_file = self->test_ca_file,
    .probe_ms = self->probe_ms,
    .overall_ms = self->guess_ms,
  };

  _cachet_guess_async (&plan, g_task_get_cancellable (self->task), guess_cb, g_object_ref (self));
}

static void
run_step (CachetDiscovery *self)
{
  set_state (self, self->step, CACHET_DISCOVERY_STEP_RUNNING, NULL);
  switch (self->step)
    {
    case CACHET_DISCOVERY_STEP_PROFILE:
      run_profile (self);
      break;
    case CACHET_DISCOVERY_STEP_AUTOCONFIG:
      run_autoconfig (self);
      break;
    case CACHET_DISCOVERY_STEP_SRV:
      run_srv (self);
      break;
    case CACHET_DISCOVERY_STEP_MX:
      run_mx (self);
      break;
    case CACHET_DISCOVERY_STEP_GUESS:
      run_guess (self);
      break;
    case CACHET_DISCOVERY_N_STEPS:
    default:
      g_assert_not_reached ();
    }
}

void
cachet_discovery_run_async (CachetDiscovery     *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *domain = NULL;

  g_return_if_fail (CACHET_IS_DISCOVERY (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, cachet_discovery_run_async);
  domain = cachet_discovery_address_domain (self->address, &error);
  if (domain == NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->task);

      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_pointer (&self->result, cachet_discovery_result_unref);
  g_clear_pointer (&self->profile, cachet_isp_profile_unref);
  self->result = result_new (self->address, domain);
  self->start_us = g_get_monotonic_time ();
  self->step = CACHET_DISCOVERY_STEP_PROFILE;
  run_step (self);
}

CachetDiscoveryResult *
cachet_discovery_run_finish (CachetDiscovery  *self,
                             GAsyncResult     *result,
                             GError          **error)
{
  g_return_val_if_fail (CACHET_IS_DISCOVERY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
