/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-discovery"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-discovery-error.h"
#include "cachet-discovery-private.h"

/* Fetching an autoconfig file over HTTPS with libsoup 3.
 *
 * Only https: URLs are fetched, and redirects are followed by hand, only to https: and at
 * most MAX_REDIRECTS times (libsoup would follow one to plain HTTP).  The certificate is
 * verified by GIO against the system's authorities; one that fails there is judged by
 * cachet_tls_check_chain() with the test CA file, which only tests ever give, so that
 * the same check as for mail servers decides and its CachetTlsCheck says why.  The body
 * may be at most CACHET_ISP_PROFILE_MAX_SIZE bytes; the whole request, redirects
 * included, has one deadline.  No proxy: like the mail connections (app/net). */

#define MAX_REDIRECTS 3
#define CHUNK 16384

typedef struct
{
  SoupSession    *session;
  GUri           *uri;
  char           *extra_ca_file;
  guint           redirects;
  CachetDeadline *deadline;
  SoupMessage    *message;
  GInputStream   *stream;
  GByteArray     *body;
  CachetTlsCheck *check;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_clear_object (&fetch->session);
  g_clear_pointer (&fetch->uri, g_uri_unref);
  g_free (fetch->extra_ca_file);
  g_clear_pointer (&fetch->deadline, _cachet_deadline_free);
  g_clear_object (&fetch->message);
  g_clear_object (&fetch->stream);
  g_clear_pointer (&fetch->body, g_byte_array_unref);
  cachet_tls_check_free (fetch->check);
  g_free (fetch);
}

SoupSession *
_cachet_autoconfig_session_new (guint timeout_ms)
{
  guint seconds = MAX (1, (timeout_ms + 999) / 1000);
  SoupSession *session = soup_session_new_with_options ("timeout", seconds,
                                                        "idle-timeout", seconds,
                                                        "user-agent", "Cachet/" PACKAGE_VERSION,
                                                        "max-conns-per-host", 2,
                                                        NULL);

  soup_session_set_proxy_resolver (session, NULL);
  return session;
}

static GPtrArray *
der_chain (GTlsCertificate *leaf)
{
  GPtrArray *der = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint n = 0; leaf != NULL && n < 16; n++, leaf = g_tls_certificate_get_issuer (leaf))
    {
      GByteArray *bytes = NULL;

      g_object_get (leaf, "certificate", &bytes, NULL);
      if (bytes == NULL)
        break;
      g_ptr_array_add (der, g_byte_array_free_to_bytes (bytes));
    }
  return der;
}

static gboolean
accept_certificate_cb (SoupMessage          *message,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(GPtrArray) der = der_chain (peer);
  g_autoptr(GError) error = NULL;

  cachet_tls_check_free (fetch->check);
  fetch->check = cachet_tls_check_chain (der, g_uri_get_host (soup_message_get_uri (message)),
                                         fetch->extra_ca_file, NULL, &error);
  if (fetch->check == NULL)
    g_debug ("certificate check: %s", error->message);
  return fetch->check != NULL && fetch->check->trusted;
}

static void send_request (GTask *task);

static void
return_error (GTask  *task,
              GError *error)   /* transfer full */
{
  Fetch *fetch = g_task_get_task_data (task);
  g_autofree char *url = g_uri_to_string (fetch->uri);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      g_error_free (error);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                               _("Operation was cancelled"));
      return;
    }
  if (fetch->deadline->expired)
    {
      g_error_free (error);
      error = g_error_new (CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_TIMED_OUT,
                           _("%s did not answer in time."), url);
    }
  else if (fetch->check != NULL && !fetch->check->trusted)
    {
      g_autofree char *why = cachet_tls_check_describe (fetch->check,
                                                        g_uri_get_host (fetch->uri));
      g_error_free (error);
      error = g_error_new (CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_HTTP, "%s", why);
    }
  else if (error->domain != CACHET_DISCOVERY_ERROR)
    {
      GError *wrapped = g_error_new (CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_HTTP,
                                     _("%s could not be fetched: %s"), url, error->message);
      g_error_free (error);
      error = wrapped;
    }
  g_task_return_error (task, error);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &error);

  if (chunk == NULL)
    {
      return_error (task, error);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      g_input_stream_close (fetch->stream, NULL, NULL);
      g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&fetch->body)),
                             (GDestroyNotify) g_bytes_unref);
      return;
    }
  if (fetch->body->len + g_bytes_get_size (chunk) > CACHET_ISP_PROFILE_MAX_SIZE)
    {
      g_autofree char *url = g_uri_to_string (fetch->uri);

      return_error (task, g_error_new (CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_TOO_LARGE,
                                       _("%s is larger than %u KiB: not read."), url,
                                       CACHET_ISP_PROFILE_MAX_SIZE / 1024));
      return;
    }
  g_byte_array_append (fetch->body, g_bytes_get_data (chunk, NULL), (guint) g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (fetch->stream, CHUNK, G_PRIORITY_DEFAULT,
                                   fetch->deadline->cancellable, read_cb, g_steal_pointer (&task));
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  GError *error = NULL;
  g_autofree char *url = g_uri_to_string (fetch->uri);
  guint status;
  goffset length;

  fetch->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (fetch->stream == NULL)
    {
      return_error (task, error);
      return;
    }
  status = soup_message_get_status (fetch->message);
  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      const char *location = soup_message_headers_get_one (
        soup_message_get_response_headers (fetch->message), "Location");
      g_autoptr(GUri) next = location != NULL
                               ? g_uri_parse_relative (fetch->uri, location, SOUP_HTTP_URI_FLAGS, NULL)
                               : NULL;

      g_input_stream_close (fetch->stream, NULL, NULL);
      g_clear_object (&fetch->stream);
      if (next == NULL || ++fetch->redirects > MAX_REDIRECTS)
        return_error (task, g_error_new (CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_HTTP,
                                         _("%s redirects too often or to nowhere."), url));
      else if (g_ascii_strcasecmp (g_uri_get_scheme (next), "https") != 0)
        return_error (task, g_error_new (CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_HTTP,
                                         _("%s redirects to an unencrypted address; it was not "
                                           "followed."), url));
      else
        {
          g_uri_unref (fetch->uri);
          fetch->uri = g_steal_pointer (&next);
          send_request (g_steal_pointer (&task));
        }
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      return_error (task, g_error_new (CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_HTTP,
                                       _("%s answered “%u %s”."), url, status,
                                       soup_message_get_reason_phrase (fetch->message)));
      return;
    }
  length = soup_message_headers_get_content_length (
    soup_message_get_response_headers (fetch->message));
  if (length > CACHET_ISP_PROFILE_MAX_SIZE)
    {
      return_error (task, g_error_new (CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_TOO_LARGE,
                                       _("%s is larger than %u KiB: not read."), url,
                                       CACHET_ISP_PROFILE_MAX_SIZE / 1024));
      return;
    }
  fetch->body = g_byte_array_new ();
  g_input_stream_read_bytes_async (fetch->stream, CHUNK, G_PRIORITY_DEFAULT,
                                   fetch->deadline->cancellable, read_cb, g_steal_pointer (&task));
}

static void
send_request (GTask *task)   /* transfer full */
{
  Fetch *fetch = g_task_get_task_data (task);
  g_autofree char *url = g_uri_to_string (fetch->uri);

  g_clear_object (&fetch->message);
  fetch->message = soup_message_new_from_uri (SOUP_METHOD_GET, fetch->uri);
  soup_message_add_flags (fetch->message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (fetch->message), "Accept",
                                "application/xml, text/xml");
  g_signal_connect (fetch->message, "accept-certificate", G_CALLBACK (accept_certificate_cb), fetch);
  g_debug ("GET %s", url);
  soup_session_send_async (fetch->session, fetch->message, G_PRIORITY_DEFAULT,
                           fetch->deadline->cancellable, send_cb, task);
}

void
_cachet_autoconfig_fetch_async (SoupSession        *session,
                                const char         *url,
                                const char         *extra_ca_file,
                                guint               timeout_ms,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Fetch *fetch = g_new0 (Fetch, 1);
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, _cachet_autoconfig_fetch_async);
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);
  fetch->session = g_object_ref (session);
  fetch->extra_ca_file = g_strdup (extra_ca_file);
  fetch->deadline = _cachet_deadline_new (cancellable, timeout_ms);
  fetch->uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &error);
  if (fetch->uri == NULL || g_ascii_strcasecmp (g_uri_get_scheme (fetch->uri), "https") != 0)
    {
      g_task_return_new_error (task, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_HTTP,
                               _("“%s” is not an https: address."), url);
      g_object_unref (task);
      return;
    }
  send_request (task);
}

GBytes *
_cachet_autoconfig_fetch_finish (GAsyncResult    *result,
                                 CachetTlsCheck **check,
                                 GError         **error)
{
  Fetch *fetch;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  fetch = g_task_get_task_data (G_TASK (result));
  if (check != NULL)
    *check = fetch->check != NULL && !fetch->check->trusted ? g_steal_pointer (&fetch->check)
                                                             : NULL;
  return g_task_propagate_pointer (G_TASK (result), error);
}
