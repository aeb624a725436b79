/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-discovery"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-discovery-error.h"
#include "cachet-discovery-private.h"

/* DNS SRV (RFC 6186, with RFC 8314's preference for implicit TLS) and MX, with GIO's
 * GResolver (g_resolver_lookup_records: the threaded resolver asks res_nquery()). */

static const struct
{
  const char     *service;
  gboolean        smtp;
  CachetSecurity  security;
} srv_services[] = {
  { "_pop3s._tcp", FALSE, CACHET_SECURITY_TLS },
  { "_pop3._tcp", FALSE, CACHET_SECURITY_STARTTLS },
  { "_submissions._tcp", TRUE, CACHET_SECURITY_TLS },
  { "_submission._tcp", TRUE, CACHET_SECURITY_STARTTLS },
};

#define N_SRV G_N_ELEMENTS (srv_services)

typedef struct
{
  char           *domain;
  char           *address;
  guint           pending;
  CachetDeadline *deadline;
  GList          *records[N_SRV];   /* GVariant */
  GError         *errors[N_SRV];
} SrvJob;

static void
srv_job_free (SrvJob *job)
{
  g_free (job->domain);
  g_free (job->address);
  g_clear_pointer (&job->deadline, _cachet_deadline_free);
  for (gsize i = 0; i < N_SRV; i++)
    {
      g_list_free_full (job->records[i], (GDestroyNotify) g_variant_unref);
      g_clear_error (&job->errors[i]);
    }
  g_free (job);
}

typedef struct
{
  GTask *task;
  gsize  index;
} SrvLookup;

static void
srv_lookup_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  SrvLookup *lookup = user_data;
  g_autoptr(GTask) task = lookup->task;
  SrvJob *job = g_task_get_task_data (task);
  gsize i = lookup->index;

  g_free (lookup);
  job->records[i] = g_resolver_lookup_records_finish (G_RESOLVER (source), result, &job->errors[i]);
  if (--job->pending > 0)
    return;
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                             _("Operation was cancelled"));
  else
    g_task_return_boolean (task, TRUE);
}

void
_cachet_dns_srv_async (const char         *domain,
                       const char         *address,
                       guint               timeout_ms,
                       GCancellable       *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer            user_data)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  SrvJob *job = g_new0 (SrvJob, 1);

  g_task_set_source_tag (task, _cachet_dns_srv_async);
  job->domain = g_strdup (domain);
  job->address = g_strdup (address);
  job->deadline = _cachet_deadline_new (cancellable, timeout_ms);
  job->pending = N_SRV;
  g_task_set_task_data (task, job, (GDestroyNotify) srv_job_free);
  for (gsize i = 0; i < N_SRV; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.%s", srv_services[i].service, domain);
      SrvLookup *lookup = g_new0 (SrvLookup, 1);

      lookup->task = g_object_ref (task);
      lookup->index = i;
      g_resolver_lookup_records_async (resolver, name, G_RESOLVER_RECORD_SRV,
                                       job->deadline->cancellable, srv_lookup_cb, lookup);
    }
}

static int
compare_srv (gconstpointer a,
             gconstpointer b)
{
  guint16 pa, wa, pb, wb;

  g_variant_get (*(GVariant **) a, "(qqq&s)", &pa, &wa, NULL, NULL);
  g_variant_get (*(GVariant **) b, "(qqq&s)", &pb, &wb, NULL, NULL);
  if (pa != pb)
    return pa < pb ? -1 : 1;
  return wa == wb ? 0 : (wa > wb ? -1 : 1);    /* heavier first: deterministic */
}

static gboolean
in_domain (const char *host,
           const char *domain)
{
  gsize hl = strlen (host), dl = strlen (domain);

  return g_ascii_strcasecmp (host, domain) == 0
         || (hl > dl + 1 && host[hl - dl - 1] == '.'
             && g_ascii_strcasecmp (host + hl - dl, domain) == 0);
}

gboolean
_cachet_dns_srv_finish (GAsyncResult *result,
                        GPtrArray    *incoming,
                        GPtrArray    *outgoing,
                        GPtrArray    *notes,
                        GError      **error)
{
  SrvJob *job;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  job = g_task_get_task_data (G_TASK (result));

  for (gsize i = 0; i < N_SRV; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.%s", srv_services[i].service, job->domain);
      g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

      if (job->records[i] == NULL)
        {
          if (job->deadline->expired)
            g_ptr_array_add (notes, g_strdup_printf (_("%s: no answer in time"), name));
          else if (g_error_matches (job->errors[i], G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
            g_ptr_array_add (notes, g_strdup_printf (_("%s: no record"), name));
          else
            g_ptr_array_add (notes, g_strdup_printf ("%s: %s", name,
                                                     job->errors[i] != NULL
                                                       ? job->errors[i]->message : "?"));
          continue;
        }
      for (GList *l = job->records[i]; l != NULL; l = l->next)
        g_ptr_array_add (sorted, l->data);
      g_ptr_array_sort (sorted, compare_srv);
      for (guint r = 0; r < sorted->len; r++)
        {
          guint16 priority, weight, port;
          const char *target;
          g_autofree char *host = NULL;
          CachetServerSettings *server;
          CachetDiscoveryCandidate *c;
          g_autofree char *origin = NULL;

          g_variant_get (sorted->pdata[r], "(qqq&s)", &priority, &weight, &port, &target);
          if (g_str_equal (target, ".") || *target == '\0')
            {
              g_ptr_array_add (notes, g_strdup_printf (_("%s: target “.”: not offered"), name));
              continue;
            }
          host = g_strdup (target);
          if (g_str_has_suffix (host, "."))
            host[strlen (host) - 1] = '\0';
          if (!cachet_host_is_valid (host) || port == 0)
            {
              g_ptr_array_add (notes, g_strdup_printf (_("%s: unusable record (%s port %u)"),
                                                       name, host, port));
              continue;
            }
          origin = g_strdup_printf ("SRV %s", name);
          g_ptr_array_add (notes, g_strdup_printf ("%s: %s:%u (%s %u, %s %u)", name, host, port,
                                                   _("priority"), priority, _("weight"), weight));
          server = cachet_server_settings_new (srv_services[i].smtp);
          server->host = g_steal_pointer (&host);
          server->port = port;
          server->security = srv_services[i].security;
          server->user = g_strdup (job->address);
          c = _cachet_candidate_new (srv_services[i].smtp ? CACHET_DISCOVERY_PROTOCOL_SMTP
                                                          : CACHET_DISCOVERY_PROTOCOL_POP3,
                                     CACHET_DISCOVERY_STEP_SRV, origin, server);
          /* RFC 6186, section 6: DNS answers are not authenticated; a server outside the
           * domain needs the user's confirmation. */
          c->trusted = in_domain (c->server->host, job->domain);
          if (!c->trusted)
            c->problem = g_strdup_printf (_("The DNS record points to %s, outside %s, and DNS "
                                            "answers are not signed: check that this is your "
                                            "provider's server."),
                                          c->server->host, job->domain);
          g_ptr_array_add (srv_services[i].smtp ? outgoing : incoming, c);
        }
    }
  return TRUE;
}

/* MX ------------------------------------------------------------------------------------ */

/* By preference, then name: deterministic */
static int
compare_mx (gconstpointer a,
            gconstpointer b)
{
  guint16 pa, pb;
  const char *ha, *hb;

  g_variant_get (*(GVariant **) a, "(q&s)", &pa, &ha);
  g_variant_get (*(GVariant **) b, "(q&s)", &pb, &hb);
  if (pa != pb)
    return pa < pb ? -1 : 1;
  return g_ascii_strcasecmp (ha, hb);
}

static void
mx_lookup_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GList *records = g_resolver_lookup_records_finish (G_RESOLVER (source), result, &error);
  CachetDeadline *deadline = g_task_get_task_data (task);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  GPtrArray *hosts;

  if (records == NULL)
    {
      if (deadline->expired)
        g_task_return_new_error (task, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_TIMED_OUT,
                                 "%s", _("The DNS lookup did not finish in time."));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (GList *l = records; l != NULL; l = l->next)
    g_ptr_array_add (sorted, l->data);
  g_ptr_array_sort (sorted, compare_mx);
  hosts = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < sorted->len; i++)
    {
      const char *exchange;
      char *host;

      g_variant_get (sorted->pdata[i], "(q&s)", NULL, &exchange);
      host = g_ascii_strdown (exchange, -1);
      if (g_str_has_suffix (host, ".") && strlen (host) > 1)
        host[strlen (host) - 1] = '\0';
      if (cachet_host_is_valid (host))
        g_ptr_array_add (hosts, host);
      else
        g_free (host);
    }
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
  g_task_return_pointer (task, hosts, (GDestroyNotify) g_ptr_array_unref);
}

void
_cachet_dns_mx_async (const char         *domain,
                      guint               timeout_ms,
                      GCancellable       *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer            user_data)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  CachetDeadline *deadline = _cachet_deadline_new (cancellable, timeout_ms);

  g_task_set_source_tag (task, _cachet_dns_mx_async);
  g_task_set_task_data (task, deadline, (GDestroyNotify) _cachet_deadline_free);
  g_resolver_lookup_records_async (resolver, domain, G_RESOLVER_RECORD_MX,
                                   deadline->cancellable, mx_lookup_cb, task);
}

GPtrArray *
_cachet_dns_mx_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
