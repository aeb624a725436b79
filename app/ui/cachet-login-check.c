/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-login-check"

#include "config.h"

#include "cachet-login-check.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-net-error.h"
#include "cachet-pop3-session.h"
#include "cachet-smtp-session.h"

/* Seconds for connecting, the handshake and each reply: a server that takes longer is no
 * use for mail either, and the person waiting sees a spinner. */
#define CHECK_TIMEOUT_S 20

typedef struct
{
  CachetServerSettings *server;
  gboolean              smtp;
  char                 *ca_file;
  char                 *password;
  CachetTlsCheck       *tls_check;   /* set by the worker on a certificate problem */
} CheckJob;

static void
check_job_free (CheckJob *job)
{
  cachet_server_settings_free (job->server);
  g_free (job->ca_file);
  if (job->password != NULL)
    {
      explicit_bzero (job->password, strlen (job->password));
      g_free (job->password);
    }
  g_clear_pointer (&job->tls_check, cachet_tls_check_free);
  g_free (job);
}

CachetTlsCheck *
cachet_login_check_copy_tls_check (const CachetTlsCheck *check)
{
  CachetTlsCheck *copy;

  if (check == NULL)
    return NULL;
  copy = g_new0 (CachetTlsCheck, 1);
  copy->trusted = check->trusted;
  copy->pinned = check->pinned;
  copy->pin_mismatch = check->pin_mismatch;
  copy->sha256_hex = g_strdup (check->sha256_hex);
  copy->subject = g_strdup (check->subject);
  copy->issuer = g_strdup (check->issuer);
  copy->not_after = check->not_after != NULL ? g_date_time_ref (check->not_after) : NULL;
  copy->problems = check->problems;
  return copy;
}

static gboolean
is_certificate_error (const GError *error)
{
  return g_error_matches (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE)
         || g_error_matches (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE_CHANGED);
}

static gboolean
check_pop3 (CheckJob      *job,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(CachetPop3Session) session = cachet_pop3_session_new ();

  if (!cachet_pop3_session_connect (session, job->server, job->ca_file, CHECK_TIMEOUT_S,
                                    cancellable, error))
    {
      if (error != NULL && is_certificate_error (*error))
        job->tls_check = cachet_login_check_copy_tls_check (
                           cachet_pop3_session_get_tls_check (session));
      return FALSE;
    }
  if (!cachet_pop3_session_login (session, job->server->user, job->password, job->server->auth,
                                  cancellable, error))
    return FALSE;
  /* Nothing was marked deleted: QUIT changes nothing on the server. */
  cachet_pop3_session_quit (session, NULL);
  return TRUE;
}

static gboolean
check_smtp (CheckJob      *job,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(CachetSmtpSession) session = cachet_smtp_session_new ();

  if (!cachet_smtp_session_connect (session, job->server, job->ca_file, CHECK_TIMEOUT_S,
                                    cancellable, error))
    {
      if (error != NULL && is_certificate_error (*error))
        job->tls_check = cachet_login_check_copy_tls_check (
                           cachet_smtp_session_get_tls_check (session));
      return FALSE;
    }
  if (job->server->auth != CACHET_AUTH_NONE
      && !cachet_smtp_session_login (session, job->server->user, job->password,
                                     job->server->auth, cancellable, error))
    return FALSE;
  cachet_smtp_session_quit (session, NULL);
  return TRUE;
}

static void
check_worker (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckJob *job = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = job->smtp ? check_smtp (job, cancellable, &error) : check_pop3 (job, cancellable, &error);
  /* The password is no longer needed: wipe it now, not when the task goes. */
  explicit_bzero (job->password, strlen (job->password));
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
cachet_login_check_async (const CachetServerSettings *server,
                          gboolean                    smtp,
                          const char                 *extra_ca_file,
                          const char                 *password,
                          GCancellable               *cancellable,
                          GAsyncReadyCallback         callback,
                          gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;
  CheckJob *job;

  g_return_if_fail (server != NULL);
  g_return_if_fail (password != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cachet_login_check_async);
  job = g_new0 (CheckJob, 1);
  job->server = cachet_server_settings_copy (server);
  job->smtp = smtp;
  job->ca_file = g_strdup (extra_ca_file);
  job->password = g_strdup (password);
  g_task_set_task_data (task, job, (GDestroyNotify) check_job_free);
  g_task_run_in_thread (task, check_worker);
}

gboolean
cachet_login_check_finish (GAsyncResult    *result,
                           CachetTlsCheck **tls_check,
                           GError         **error)
{
  CheckJob *job;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  job = g_task_get_task_data (G_TASK (result));
  if (tls_check != NULL)
    *tls_check = g_steal_pointer (&job->tls_check);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Words servers use when the user does not exist (POP3 USER, SMTP AUTH): few say it. */
gboolean
cachet_login_check_is_unknown_user (const GError *error)
{
  static const char *const words[] = {
    "no such user", "unknown user", "user unknown", "user not found", "no such mailbox",
    "mailbox unavailable", "invalid user", "unknown account", "no such account",
  };
  g_autofree char *lower = NULL;

  if (!g_error_matches (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH))
    return FALSE;
  lower = g_utf8_strdown (error->message, -1);
  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    if (strstr (lower, words[i]) != NULL)
      return TRUE;
  return FALSE;
}

char *
cachet_login_check_explain (const GError               *error,
                            gboolean                    smtp,
                            const CachetServerSettings *server)
{
  const char *host = server->host != NULL ? server->host : "";
  const char *user = server->user != NULL ? server->user : "";

  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return NULL;
  if (error->domain != CACHET_NET_ERROR)
    return g_strdup (_("The check did not work."));

  switch ((CachetNetError) error->code)
    {
    case CACHET_NET_ERROR_AUTH:
      if (cachet_login_check_is_unknown_user (error))
        /* Translators: "There is no user “jo@example.com” on mail.example.com." */
        return g_strdup_printf (_("There is no user “%s” on %s. Check the user name: many "
                                  "providers want the whole email address."), user, host);
      return g_strdup_printf (_("Wrong password or user name: %s did not accept the login "
                                "of “%s”. Check the password, and the user name."),
                              host, user);
    case CACHET_NET_ERROR_CERTIFICATE:
      return g_strdup_printf (_("The certificate of %s could not be verified, so Cachet "
                                "cannot be sure it talks to the real server."), host);
    case CACHET_NET_ERROR_CERTIFICATE_CHANGED:
      return g_strdup_printf (_("The certificate of %s is not the one you trusted before."),
                              host);
    case CACHET_NET_ERROR_UNREACHABLE:
      return g_strdup_printf (_("Cachet could not reach %s on port %u. Check the server name "
                                "and the port, and that this computer is online."),
                              host, (guint) server->port);
    case CACHET_NET_ERROR_TLS:
      return g_strdup_printf (_("No secure connection could be made with %s on port %u. "
                                "Check the security setting and the port."),
                              host, (guint) server->port);
    case CACHET_NET_ERROR_STARTTLS_MISSING:
      return g_strdup_printf (_("%s does not offer STARTTLS on port %u, so the connection "
                                "cannot be protected. Choose TLS and its port instead."),
                              host, (guint) server->port);
    case CACHET_NET_ERROR_AUTH_UNSUPPORTED:
      return g_strdup_printf (_("%s offers no way of logging in that Cachet can use here."),
                              host);
    case CACHET_NET_ERROR_LOCKED:
      return g_strdup (_("The mailbox is in use by another mail program right now."));
    case CACHET_NET_ERROR_PROTOCOL:
    case CACHET_NET_ERROR_DISCONNECTED:
      return smtp ? g_strdup_printf (_("%s on port %u does not answer like an outgoing (SMTP) "
                                       "mail server. Check the server name and the port."),
                                     host, (guint) server->port)
                  : g_strdup_printf (_("%s on port %u does not answer like an incoming (POP3) "
                                       "mail server. Check the server name and the port."),
                                     host, (guint) server->port);
    case CACHET_NET_ERROR_SERVER:
      return g_strdup_printf (_("%s has a problem and refused the login for now."), host);
    case CACHET_NET_ERROR_FAILED:
    default:
      return g_strdup (_("The check did not work."));
    }
}
