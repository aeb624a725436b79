/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Discovery over the network, all on 127.0.0.1: autoconfig against a local HTTPS server
 * (libsoup's SoupServer in this process, with a test CA made at start), SRV records faked
 * by resolv_wrapper (LD_PRELOAD, RESOLV_WRAPPER_HOSTS: see meson.build), MX records and
 * host names by test-resolver.c, timeouts against listeners that never answer, never
 * speak or speak another protocol. */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "cachet-discovery-error.h"
#include "discovery-test-util.h"
#include "net-test-certs.h"
#include "test-resolver.h"

static TestResolver *resolver;
static char *ca_file;          /* trusted by the discoveries (test hook) */
static guint16 https_port;
static GHashTable *responses;  /* "host path" -> Response */
static char *last_emailaddress;
static GString *answered;      /* "host path" of each answer, in the order they were sent */
static GString *events;        /* "asked:host path;" of each request, in order */
static GPtrArray *waiting;     /* Delayed answers held until another was sent */

typedef struct
{
  guint  status;
  char  *body;
  gsize  length;
  char  *location;
  gboolean hang;
  char  *after;                /* answered only once this "host path" was */
  gboolean after_asked;        /* ... was asked for, rather than answered */
} Response;

#define PROFILE(domain, pop3_line) \
  "<?xml version=\"1.0\"?>\n<clientConfig version=\"1.1\"><emailProvider id=\"" domain "\">" \
  "<domain>" domain "</domain><displayName>Provider of " domain "</displayName>\n" \
  pop3_line \
  "<outgoingServer type=\"smtp\"><hostname>smtp." domain "</hostname><port>587</port>" \
  "<socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username>" \
  "<authentication>password-cleartext</authentication></outgoingServer>\n" \
  "</emailProvider></clientConfig>\n"
#define POP3_LINE(domain) \
  "<incomingServer type=\"pop3\"><hostname>pop." domain "</hostname><port>995</port>" \
  "<socketType>SSL</socketType><username>%EMAILLOCALPART%</username>" \
  "<authentication>password-cleartext</authentication></incomingServer>\n"
#define IMAP_LINE(domain) \
  "<incomingServer type=\"imap\"><hostname>imap." domain "</hostname><port>993</port>" \
  "<socketType>SSL</socketType><username>%EMAILADDRESS%</username>" \
  "<authentication>password-cleartext</authentication></incomingServer>\n"

#define AUTOCONFIG_PATH "/mail/config-v1.1.xml"
#define WELL_KNOWN_PATH "/.well-known/autoconfig/mail/config-v1.1.xml"

static void
respond (const char *host,
         const char *path,
         guint       status,
         const char *body,
         gsize       length,
         const char *location,
         gboolean    hang)
{
  Response *r = g_new0 (Response, 1);

  r->status = status;
  r->body = body != NULL ? g_memdup2 (body, length) : NULL;
  r->length = length;
  r->location = g_strdup (location);
  r->hang = hang;
  g_hash_table_insert (responses, g_strdup_printf ("%s %s", host, path), r);
  test_resolver_add_host (resolver, host);
}

/* The answer of @host @path is held until the one of @after_key was sent. */
static void
respond_after (const char *host,
               const char *path,
               const char *after_key)
{
  g_autofree char *key = g_strdup_printf ("%s %s", host, path);
  Response *r = g_hash_table_lookup (responses, key);

  g_assert_nonnull (r);
  g_free (r->after);
  r->after = g_strdup (after_key);
}

/* The answer of @host @path is held until @asked_key was asked for. */
static void
respond_when_asked (const char *host,
                    const char *path,
                    const char *asked_key)
{
  g_autofree char *key = g_strdup_printf ("%s %s", host, path);
  Response *r;

  respond_after (host, path, asked_key);
  r = g_hash_table_lookup (responses, key);
  r->after_asked = TRUE;
}

/* Whether what R waits for has happened.  Keys end with a path, so
 * "x.test /p;" never ends another key. */
static gboolean
may_answer (const Response *r)
{
  g_autofree char *needle = NULL;

  if (r->after == NULL)
    return TRUE;
  if (r->after_asked)
    {
      needle = g_strdup_printf ("asked:%s;", r->after);
      return strstr (events->str, needle) != NULL;
    }
  needle = g_strdup_printf ("%s;", r->after);
  return g_str_has_prefix (answered->str, needle) || strstr (answered->str, needle) != NULL;
}

static void answer_waiting (void);

static void
answer (SoupServerMessage *msg,
        Response          *r,
        const char        *key)
{
  g_string_append_printf (answered, "%s;", key);
  answer_waiting ();
  if (r->location != NULL)
    {
      soup_server_message_set_redirect (msg, r->status, r->location);
      return;
    }
  soup_server_message_set_status (msg, r->status, NULL);
  if (r->body != NULL)
    soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_COPY, r->body,
                                      r->length);
}

typedef struct
{
  SoupServerMessage *msg;
  Response          *r;
  char              *key;
} Delayed;

static gboolean
delayed_cb (gpointer user_data)
{
  Delayed *delayed = user_data;

  answer (delayed->msg, delayed->r, delayed->key);
  soup_server_message_unpause (delayed->msg);
  g_object_unref (delayed->msg);
  g_free (delayed->key);
  g_free (delayed);
  return G_SOURCE_REMOVE;
}

static void
answer_waiting (void)
{
  for (guint i = 0; waiting != NULL && i < waiting->len; i++)
    {
      Delayed *delayed = g_ptr_array_index (waiting, i);

      if (may_answer (delayed->r))
        {
          g_ptr_array_remove_index (waiting, i);
          delayed_cb (delayed);
          return;   /* delayed_cb answered, which looked at the rest */
        }
    }
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  const char *host = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Host");
  g_autofree char *name = g_strdup (host != NULL ? host : "");
  g_autofree char *key = NULL;
  Response *r;

  if (strchr (name, ':') != NULL)
    *strchr (name, ':') = '\0';
  key = g_strdup_printf ("%s %s", name, path);
  if (query != NULL && g_hash_table_lookup (query, "emailaddress") != NULL)
    {
      g_free (last_emailaddress);
      last_emailaddress = g_strdup (g_hash_table_lookup (query, "emailaddress"));
    }
  g_string_append_printf (events, "asked:%s;", key);
  answer_waiting ();
  r = g_hash_table_lookup (responses, key);
  if (r == NULL)
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  if (r->hang)
    {
      soup_server_message_pause (msg);   /* never answered */
      return;
    }
  if (!may_answer (r))
    {
      Delayed *delayed = g_new0 (Delayed, 1);

      delayed->msg = g_object_ref (msg);
      delayed->r = r;
      delayed->key = g_steal_pointer (&key);
      soup_server_message_pause (msg);
      g_ptr_array_add (waiting, delayed);
      return;
    }
  answer (msg, r, key);
}

static void
start_https_server (void)
{
  const char *names[] = {
    "autoconfig.ac1.test", "ac2.test", "autoconfig.ac3.test", "ac3.test",
    "autoconfig.ac4.test", "ac4.test", "autoconfig.ac5.test", "autoconfig.ac6.test",
    "autoconfig.ac7.test", "ac7.test", "autoconfig.ac8.test", "ac8.test",
    "autoconfig.ac9.test", "ac9.test", "autoconfig.ac10.test", "ac10.test", NULL
  };
  const char *ips[] = { "127.0.0.1", NULL };
  g_autoptr(TestCert) ca = test_cert_new_ca ("Discovery Test CA");
  TestCertOptions options = {
    .common_name = "autoconfig.ac1.test",
    .dns_names = names,
    .ip_addresses = ips,
    .issuer = ca,
    .not_before = -3600,
    .not_after = 86400,
  };
  g_autoptr(TestCert) cert = test_cert_new (&options);
  g_autoptr(GTlsCertificate) tls = test_cert_get_tls (cert, NULL);
  g_autoptr(GError) error = NULL;
  SoupServer *server;
  GSList *uris;

  ca_file = g_build_filename (g_get_tmp_dir (), "discovery-ca.pem", NULL);
  test_cert_write_pem (ca, ca_file);
  server = soup_server_new ("tls-certificate", tls, NULL);
  soup_server_add_handler (server, NULL, server_cb, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0,
                                           SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  https_port = (guint16) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  /* the server lives as long as the program */
}

static CachetDiscovery *
new_discovery (const char         *address,
               CachetIspDirectory *directory,
               gboolean            trust_test_ca)
{
  CachetDiscovery *d = cachet_discovery_new (address, "Jo Tester");
  g_autoptr(CachetIspDirectory) empty = NULL;

  if (directory == NULL)
    directory = empty = discovery_test_empty_directory ();
  cachet_discovery_set_isp_directory (d, directory);
  cachet_discovery_set_timeouts (d, 4000, 2000, 1500, 4000);
  _cachet_discovery_set_test_port (d, 443, https_port);
  /* Guesses on these test domains find nothing quickly: nothing listens there */
  _cachet_discovery_set_test_port (d, 995, discovery_test_closed_port ());
  if (trust_test_ca)
    _cachet_discovery_set_test_ca_file (d, ca_file);
  return d;
}

/* Autoconfig ----------------------------------------------------------------------------- */

static void
test_autoconfig_first_url (void)
{
  g_autoptr(CachetDiscovery) d = new_discovery ("jo+x@ac1.test", NULL, TRUE);
  g_autoptr(CachetDiscoveryResult) r = NULL;
  g_autoptr(GError) error = NULL;
  const CachetDiscoveryCandidate *in, *out;

  respond ("autoconfig.ac1.test", AUTOCONFIG_PATH, 200,
           PROFILE ("ac1.test", POP3_LINE ("ac1.test")), strlen (PROFILE ("ac1.test", POP3_LINE ("ac1.test"))),
           NULL, FALSE);
  r = discovery_test_run (d, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_PROFILE].state, ==, CACHET_DISCOVERY_STEP_NOTHING);
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_AUTOCONFIG].state, ==, CACHET_DISCOVERY_STEP_FOUND);
  /* Found: the rest is not needed */
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_SRV].state, ==, CACHET_DISCOVERY_STEP_SKIPPED);
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_GUESS].state, ==, CACHET_DISCOVERY_STEP_SKIPPED);
  in = cachet_discovery_result_get_incoming (r);
  out = cachet_discovery_result_get_outgoing (r);
  g_assert_nonnull (in);
  g_assert_nonnull (out);
  g_assert_cmpint (in->source, ==, CACHET_DISCOVERY_STEP_AUTOCONFIG);
  g_assert_true (in->trusted);
  g_assert_cmpstr (in->server->host, ==, "pop.ac1.test");
  g_assert_cmpstr (in->server->user, ==, "jo+x");
  g_assert_cmpstr (out->server->user, ==, "jo+x@ac1.test");
  g_assert_true (g_str_has_prefix (in->origin, "https://autoconfig.ac1.test:"));
  g_assert_cmpstr (r->provider, ==, "Provider of ac1.test");
  /* The address went along, escaped on the way */
  g_assert_cmpstr (last_emailaddress, ==, "jo+x@ac1.test");
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_AUTOCONFIG].started_us, >=, 0);
}

static void
test_autoconfig_well_known (void)
{
  /* autoconfig.ac2.test does not exist; ac2.test has the well-known file */
  g_autoptr(CachetDiscovery) d = new_discovery ("jo@ac2.test", NULL, TRUE);
  g_autoptr(CachetDiscoveryResult) r = NULL;
  const char *body = PROFILE ("ac2.test", POP3_LINE ("ac2.test"));

  respond ("ac2.test", WELL_KNOWN_PATH, 200, body, strlen (body), NULL, FALSE);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_AUTOCONFIG].state, ==, CACHET_DISCOVERY_STEP_FOUND);
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_AUTOCONFIG, "autoconfig.ac2.test"));
  g_assert_nonnull (cachet_discovery_result_get_incoming (r));
  g_assert_nonnull (strstr (cachet_discovery_result_get_incoming (r)->origin, "/.well-known/"));
}

static void
test_autoconfig_untrusted (void)
{
  /* The same server as ac1, but its CA is not trusted: nothing is taken from it */
  g_autoptr(CachetDiscovery) d = new_discovery ("jo@ac1.test", NULL, FALSE);
  g_autoptr(CachetDiscoveryResult) r = NULL;

  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_AUTOCONFIG].state, ==, CACHET_DISCOVERY_STEP_NOTHING);
  g_assert_cmpuint (discovery_test_count (r->incoming, CACHET_DISCOVERY_STEP_AUTOCONFIG), ==, 0);
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_AUTOCONFIG, "certificate"));
}

static void
test_autoconfig_refused (void)
{
  g_autoptr(CachetDiscovery) d = new_discovery ("jo@ac3.test", NULL, TRUE);
  g_autoptr(CachetDiscoveryResult) r = NULL;
  g_autoptr(GString) huge = g_string_new (PROFILE ("ac3.test", POP3_LINE ("ac3.test")));

  while (huge->len <= CACHET_ISP_PROFILE_MAX_SIZE)
    g_string_append (huge, "<!-- padding padding padding padding padding padding -->\n");
  respond ("autoconfig.ac3.test", AUTOCONFIG_PATH, 302, NULL, 0,
           "http://ac3.test/mail/config-v1.1.xml", FALSE);
  respond ("ac3.test", WELL_KNOWN_PATH, 200, huge->str, huge->len, NULL, FALSE);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_AUTOCONFIG].state, ==, CACHET_DISCOVERY_STEP_NOTHING);
  g_assert_cmpuint (discovery_test_count (r->incoming, CACHET_DISCOVERY_STEP_AUTOCONFIG), ==, 0);
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_AUTOCONFIG, "unencrypted"));
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_AUTOCONFIG, "KiB"));
}

static void
test_autoconfig_timeout (void)
{
  g_autoptr(CachetDiscovery) d = new_discovery ("jo@ac4.test", NULL, TRUE);
  g_autoptr(CachetDiscoveryResult) r = NULL;

  respond ("autoconfig.ac4.test", AUTOCONFIG_PATH, 200, NULL, 0, NULL, TRUE);
  respond ("ac4.test", WELL_KNOWN_PATH, 500, "oops", 4, NULL, FALSE);
  cachet_discovery_set_timeouts (d, 1000, 0, 0, 0);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_AUTOCONFIG].state, ==, CACHET_DISCOVERY_STEP_NOTHING);
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_AUTOCONFIG, "in time"));
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_AUTOCONFIG, "500"));
}

static void
test_autoconfig_imap_only (void)
{
  g_autoptr(CachetDiscovery) d = new_discovery ("jo@ac5.test", NULL, TRUE);
  g_autoptr(CachetDiscoveryResult) r = NULL;
  const char *body = PROFILE ("ac5.test", IMAP_LINE ("ac5.test"));

  respond ("autoconfig.ac5.test", AUTOCONFIG_PATH, 200, body, strlen (body), NULL, FALSE);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);
  g_assert_true (r->imap_only);
  g_assert_cmpuint (discovery_test_count (r->incoming, CACHET_DISCOVERY_STEP_AUTOCONFIG), ==, 0);
  g_assert_cmpuint (discovery_test_count (r->outgoing, CACHET_DISCOVERY_STEP_AUTOCONFIG), ==, 1);
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_AUTOCONFIG, "IMAP"));
  /* Without a POP3 server the later steps still run */
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_GUESS].state, !=, CACHET_DISCOVERY_STEP_SKIPPED);
}

static void
test_autoconfig_broken (void)
{
  g_autoptr(CachetDiscovery) d = new_discovery ("jo@ac6.test", NULL, TRUE);
  g_autoptr(CachetDiscoveryResult) r = NULL;
  const char *body = "<clientConfig version=\"1.1\"><emailProvider>\n<domain>x";

  respond ("autoconfig.ac6.test", AUTOCONFIG_PATH, 200, body, strlen (body), NULL, FALSE);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_AUTOCONFIG].state, ==, CACHET_DISCOVERY_STEP_NOTHING);
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_AUTOCONFIG, "line 2"));
}

/* The two URLs are fetched at once.  The first hangs, the second answers a little before
 * the time limit: its profile is used as soon as the first has failed, so the step ends
 * after about one time limit, not after the first's time limit plus the second's wait. */
static void
test_autoconfig_parallel_first_hangs (void)
{
  const guint http_ms = 3000;
  g_autoptr(CachetDiscovery) d = new_discovery ("jo@ac7.test", NULL, TRUE);
  g_autoptr(CachetDiscoveryResult) r = NULL;
  const char *body = PROFILE ("ac7.test", POP3_LINE ("ac7.test"));
  const CachetDiscoveryStepReport *step;
  const CachetDiscoveryCandidate *in;

  respond ("autoconfig.ac7.test", AUTOCONFIG_PATH, 200, NULL, 0, NULL, TRUE);
  respond ("ac7.test", WELL_KNOWN_PATH, 200, body, strlen (body), NULL, FALSE);
  cachet_discovery_set_timeouts (d, http_ms, 0, 0, 0);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);
  step = &r->steps[CACHET_DISCOVERY_STEP_AUTOCONFIG];
  g_assert_cmpint (step->state, ==, CACHET_DISCOVERY_STEP_FOUND);
  in = cachet_discovery_result_get_incoming (r);
  g_assert_nonnull (in);
  g_assert_cmpint (in->source, ==, CACHET_DISCOVERY_STEP_AUTOCONFIG);
  g_assert_cmpstr (in->server->host, ==, "pop.ac7.test");
  g_assert_nonnull (strstr (in->origin, "/.well-known/"));
  /* Taken only once the first had failed (at its time limit) ... */
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_AUTOCONFIG,
                                          "autoconfig.ac7.test"));
  g_assert_cmpint (step->elapsed_us, >=, (gint64) http_ms * 1000 * 9 / 10);
}

/* Both answer, the second first: the first URL's profile is still the one used. */
static void
test_autoconfig_parallel_first_preferred (void)
{
  g_autoptr(CachetDiscovery) d = new_discovery ("jo@ac8.test", NULL, TRUE);
  g_autoptr(CachetDiscoveryResult) r = NULL;
  const char *first = PROFILE ("ac8.test", POP3_LINE ("ac8.test"));
  const char *second = PROFILE ("ac8.test", POP3_LINE ("second.ac8.test"));
  const CachetDiscoveryCandidate *in;
  const char *first_answer, *second_answer;

  respond ("autoconfig.ac8.test", AUTOCONFIG_PATH, 200, first, strlen (first), NULL, FALSE);
  respond_after ("autoconfig.ac8.test", AUTOCONFIG_PATH, "ac8.test " WELL_KNOWN_PATH);
  respond ("ac8.test", WELL_KNOWN_PATH, 200, second, strlen (second), NULL, FALSE);
  g_string_truncate (answered, 0);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_AUTOCONFIG].state, ==,
                   CACHET_DISCOVERY_STEP_FOUND);
  /* The second URL did answer, and before the first */
  first_answer = strstr (answered->str, "autoconfig.ac8.test " AUTOCONFIG_PATH ";");
  second_answer = strstr (answered->str, "ac8.test " WELL_KNOWN_PATH ";");
  g_assert_nonnull (first_answer);
  g_assert_nonnull (second_answer);
  g_assert_true (second_answer < first_answer);
  in = cachet_discovery_result_get_incoming (r);
  g_assert_nonnull (in);
  g_assert_cmpstr (in->server->host, ==, "pop.ac8.test");
  g_assert_true (g_str_has_prefix (in->origin, "https://autoconfig.ac8.test:"));
  g_assert_cmpuint (discovery_test_count (r->incoming, CACHET_DISCOVERY_STEP_AUTOCONFIG), ==, 1);
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_AUTOCONFIG, "not used"));
}

/* Both URLs are asked at once: the first is answered only once the second
 * was asked for.  Asked one after the other, the first would wait for its
 * time limit (an hour here) and the run would never end. */
static void
test_autoconfig_parallel_asked_together (void)
{
  g_autoptr(CachetDiscovery) d = new_discovery ("jo@ac10.test", NULL, TRUE);
  g_autoptr(CachetDiscoveryResult) r = NULL;
  const char *first = PROFILE ("ac10.test", POP3_LINE ("ac10.test"));
  const char *second = PROFILE ("ac10.test", POP3_LINE ("second.ac10.test"));
  const CachetDiscoveryCandidate *in;

  respond ("autoconfig.ac10.test", AUTOCONFIG_PATH, 200, first, strlen (first), NULL, FALSE);
  respond_when_asked ("autoconfig.ac10.test", AUTOCONFIG_PATH, "ac10.test " WELL_KNOWN_PATH);
  respond ("ac10.test", WELL_KNOWN_PATH, 200, second, strlen (second), NULL, FALSE);
  cachet_discovery_set_timeouts (d, 3600 * 1000, 0, 0, 0);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);
  in = cachet_discovery_result_get_incoming (r);
  g_assert_nonnull (in);
  g_assert_cmpstr (in->server->host, ==, "pop.ac10.test");
}

/* Cancelled while both requests hang: the run ends at once, as cancelled. */
static void
test_autoconfig_parallel_cancel (void)
{
  g_autoptr(CachetDiscovery) d = new_discovery ("jo@ac9.test", NULL, TRUE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetDiscoveryResult) r = NULL;
  const CachetDiscoveryStepReport *step;

  respond ("autoconfig.ac9.test", AUTOCONFIG_PATH, 200, NULL, 0, NULL, TRUE);
  respond ("ac9.test", WELL_KNOWN_PATH, 200, NULL, 0, NULL, TRUE);
  cachet_discovery_set_timeouts (d, 60000, 0, 0, 0);
  r = discovery_test_run (d, cancellable, 500, &error);
  g_assert_null (r);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  step = cachet_discovery_get_step_report (d, CACHET_DISCOVERY_STEP_AUTOCONFIG);
  g_assert_cmpint (step->state, ==, CACHET_DISCOVERY_STEP_CANCELLED);
}

/* SRV through resolv_wrapper ------------------------------------------------------------ */

static void
test_srv (void)
{
  const char *preload = g_getenv ("CACHET_TEST_PRELOADED");
  g_autofree char *hosts = g_build_filename (g_get_tmp_dir (), "rwrap-hosts", NULL);
  g_autoptr(CachetDiscovery) d = NULL;
  g_autoptr(CachetDiscoveryResult) r = NULL;
  CachetDiscoveryCandidate *c;

  /* meson.build preloads libresolv_wrapper.so and says so; run alone, the test cannot work */
  if (preload == NULL || strstr (preload, "resolv_wrapper") == NULL)
    {
      g_test_fail_printf ("resolv_wrapper is not preloaded (install libresolv-wrapper and run "
                          "through meson test)");
      return;
    }
  g_assert_true (g_file_set_contents (hosts,
    "SRV _pop3s._tcp.srv1.test pop.srv1.test 9995 10 5\n"
    "SRV _pop3._tcp.srv1.test . 0\n"
    "SRV _submissions._tcp.srv1.test mail.elsewhere.test 9465 0 0\n"
    "SRV _submission._tcp.srv1.test submit.srv1.test 9587 20 0\n", -1, NULL));
  g_setenv ("RESOLV_WRAPPER_HOSTS", hosts, TRUE);
  d = new_discovery ("jo@srv1.test", NULL, TRUE);
  cachet_discovery_set_flags (d, CACHET_DISCOVERY_ALL_STEPS);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_SRV].state, ==, CACHET_DISCOVERY_STEP_FOUND);
  g_assert_cmpuint (discovery_test_count (r->incoming, CACHET_DISCOVERY_STEP_SRV), ==, 1);
  g_assert_cmpuint (discovery_test_count (r->outgoing, CACHET_DISCOVERY_STEP_SRV), ==, 2);
  c = r->incoming->pdata[0];
  g_assert_cmpstr (c->server->host, ==, "pop.srv1.test");
  g_assert_cmpuint (c->server->port, ==, 9995);
  g_assert_cmpint (c->server->security, ==, CACHET_SECURITY_TLS);
  g_assert_cmpstr (c->server->user, ==, "jo@srv1.test");
  g_assert_true (c->trusted);
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_SRV, "not offered"));
  /* Implicit TLS first; a target outside the domain needs the user's word */
  c = r->outgoing->pdata[0];
  g_assert_cmpstr (c->server->host, ==, "mail.elsewhere.test");
  g_assert_cmpint (c->server->security, ==, CACHET_SECURITY_TLS);
  g_assert_false (c->trusted);
  g_assert_nonnull (strstr (c->problem, "outside"));
  c = r->outgoing->pdata[1];
  g_assert_cmpstr (c->server->host, ==, "submit.srv1.test");
  g_assert_cmpint (c->server->security, ==, CACHET_SECURITY_STARTTLS);
  g_assert_true (c->trusted);
  /* The trusted one is preselected */
  g_assert_true (cachet_discovery_result_get_outgoing (r) == c);

  /* No records at all: the names are asked, nothing found, no real DNS */
  g_clear_object (&d);
  g_clear_pointer (&r, cachet_discovery_result_unref);
  d = new_discovery ("jo@srv2.test", NULL, TRUE);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_SRV].state, ==, CACHET_DISCOVERY_STEP_NOTHING);
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_SRV, "_submissions._tcp.srv2.test"));
  g_unsetenv ("RESOLV_WRAPPER_HOSTS");
}

/* MX --------------------------------------------------------------------------------------- */

static void
test_mx (void)
{
  const char *dirs[] = { g_getenv ("CACHET_ISP_SOURCE_DIR"), NULL };
  g_autoptr(CachetIspDirectory) shipped = cachet_isp_directory_new (dirs);
  g_autoptr(CachetDiscovery) d = NULL;
  g_autoptr(CachetDiscoveryResult) r = NULL;
  const CachetDiscoveryCandidate *in;

  g_assert_nonnull (dirs[0]);
  test_resolver_add_mx (resolver, "vanity.test", 20, "mx01.gmx.net.");
  test_resolver_add_mx (resolver, "vanity.test", 10, "mx00.GMX.net.");
  d = new_discovery ("jo@vanity.test", shipped, TRUE);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_MX].state, ==, CACHET_DISCOVERY_STEP_FOUND);
  in = cachet_discovery_result_get_incoming (r);
  g_assert_nonnull (in);
  g_assert_cmpint (in->source, ==, CACHET_DISCOVERY_STEP_MX);
  g_assert_cmpstr (in->server->host, ==, "pop.gmx.net");
  g_assert_cmpstr (in->server->user, ==, "jo@vanity.test");
  g_assert_nonnull (strstr (in->origin, "mx00.gmx.net"));
  g_assert_cmpstr (r->provider, ==, "GMX Freemail");
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_GUESS].state, ==, CACHET_DISCOVERY_STEP_SKIPPED);

  /* An MX no profile knows */
  g_clear_object (&d);
  g_clear_pointer (&r, cachet_discovery_result_unref);
  test_resolver_add_mx (resolver, "other.test", 10, "mx.hoster.test");
  d = new_discovery ("jo@other.test", shipped, TRUE);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_MX].state, ==, CACHET_DISCOVERY_STEP_NOTHING);
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_MX, "mx.hoster.test"));
  g_assert_null (cachet_discovery_result_get_incoming (r));
}

/* Profiles on this machine, the stop rule ------------------------------------------------ */

static void
step_changed_cb (CachetDiscovery *d,
                 guint            step,
                 GString         *log)
{
  g_string_append_printf (log, "%s:%s ", cachet_discovery_step_to_string (step),
                          cachet_discovery_step_state_to_string (
                            cachet_discovery_get_step_report (d, step)->state));
}

static void
test_profile_step (void)
{
  const char *dirs[] = { g_getenv ("CACHET_ISP_SOURCE_DIR"), NULL };
  g_autoptr(CachetIspDirectory) shipped = cachet_isp_directory_new (dirs);
  g_autoptr(CachetDiscovery) d = new_discovery ("jo@demo.test", shipped, TRUE);
  g_autoptr(CachetDiscoveryResult) r = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  const CachetDiscoveryCandidate *in;
  guint found = 0;

  g_signal_connect (d, "step-changed", G_CALLBACK (step_changed_cb), log);
  g_signal_connect_swapped (d, "candidate-found", G_CALLBACK (g_atomic_int_inc), &found);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);
  g_assert_cmpstr (log->str, ==, "profile:running profile:found autoconfig:skipped srv:skipped "
                                 "mx:skipped guess:skipped ");
  g_assert_cmpuint (found, ==, 2);
  in = cachet_discovery_result_get_incoming (r);
  g_assert_cmpstr (in->server->host, ==, "127.0.0.1");
  g_assert_cmpuint (in->server->port, ==, 18995);
  g_assert_true (in->has_server_policy);
  g_assert_cmpint (in->server_policy, ==, CACHET_KEEP_ON_SERVER);
  g_assert_cmpint (in->source, ==, CACHET_DISCOVERY_STEP_PROFILE);

  /* Local only, nothing known: no step goes to the network */
  g_clear_object (&d);
  g_clear_pointer (&r, cachet_discovery_result_unref);
  d = new_discovery ("jo@nowhere.test", shipped, TRUE);
  cachet_discovery_set_flags (d, CACHET_DISCOVERY_NO_NETWORK);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_PROFILE].state, ==, CACHET_DISCOVERY_STEP_NOTHING);
  for (guint s = CACHET_DISCOVERY_STEP_AUTOCONFIG; s < CACHET_DISCOVERY_N_STEPS; s++)
    g_assert_cmpint (r->steps[s].state, ==, CACHET_DISCOVERY_STEP_SKIPPED);
  g_assert_null (cachet_discovery_result_get_incoming (r));
}

/* A profile the user opened wins over the folders, only for its own domains. */
static void
test_opened_profile (void)
{
  const char *dirs[] = { g_getenv ("CACHET_ISP_SOURCE_DIR"), NULL };
  g_autoptr(CachetIspDirectory) shipped = cachet_isp_directory_new (dirs);
  const char *xml = PROFILE ("demo.test", POP3_LINE ("demo.test"));
  g_autoptr(CachetIspProfile) opened = cachet_isp_profile_parse (xml, strlen (xml),
                                                                 "/home/jo/isp.xml", NULL, NULL);
  g_autoptr(CachetDiscovery) d = NULL;
  g_autoptr(CachetDiscoveryResult) r = NULL;
  const CachetDiscoveryCandidate *in;

  g_assert_nonnull (opened);
  d = new_discovery ("jo@demo.test", shipped, TRUE);
  cachet_discovery_set_profile (d, opened);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);
  in = cachet_discovery_result_get_incoming (r);
  g_assert_nonnull (in);
  /* the opened profile, not the shipped demo.test.xml (127.0.0.1:18995) */
  g_assert_cmpstr (in->server->host, ==, "pop.demo.test");
  g_assert_cmpstr (in->server->user, ==, "jo");
  g_assert_cmpstr (in->origin, ==, "/home/jo/isp.xml");
  g_assert_cmpint (in->source, ==, CACHET_DISCOVERY_STEP_PROFILE);
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_PROFILE, "/home/jo/isp.xml"));

  /* Another domain: the folders as always */
  g_clear_object (&d);
  g_clear_pointer (&r, cachet_discovery_result_unref);
  d = new_discovery ("jo@gmx.net", shipped, TRUE);
  cachet_discovery_set_profile (d, opened);
  r = discovery_test_run (d, NULL, 0, NULL);
  in = cachet_discovery_result_get_incoming (r);
  g_assert_nonnull (in);
  g_assert_cmpstr (in->origin, !=, "/home/jo/isp.xml");
  g_assert_true (g_str_has_suffix (in->origin, "gmx.net.xml"));
}

static void
test_bad_address (void)
{
  const char *bad[] = { "no-at-sign", "@x.test", "jo@", "jo@127.0.0.1", "jo@localhost",
                        "jo@exa mple.test", "", "jo@[::1]" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(CachetDiscovery) d = new_discovery (bad[i], NULL, TRUE);
      g_autoptr(GError) error = NULL;
      g_autoptr(CachetDiscoveryResult) r = discovery_test_run (d, NULL, 0, &error);

      g_assert_null (r);
      g_assert_error (error, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_ADDRESS);
    }
}

/* Timeouts -------------------------------------------------------------------------------- */

static CachetDiscovery *
slow_discovery (guint probe_ms,
                guint guess_ms)
{
  static guint16 dead, silent, ssh, pop3_banner;
  const char *names[] = { "pop3.slow.test", "pop.slow.test", "mail.slow.test", "slow.test",
                          "smtp.slow.test" };
  CachetDiscovery *d = new_discovery ("jo@slow.test", NULL, TRUE);

  if (dead == 0)
    {
      dead = discovery_test_dead_port ();
      silent = discovery_test_silent_port ();
      ssh = discovery_test_banner_port ("SSH-2.0-OpenSSH_9.2 not a mail server\r\n");
      pop3_banner = discovery_test_banner_port ("+OK a POP3 server on an SMTP port\r\n");
      for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        test_resolver_add_host (resolver, names[i]);
    }
  _cachet_discovery_set_test_port (d, 995, dead);
  _cachet_discovery_set_test_port (d, 110, silent);
  _cachet_discovery_set_test_port (d, 465, ssh);
  _cachet_discovery_set_test_port (d, 587, pop3_banner);
  _cachet_discovery_set_test_port (d, 25, silent);
  cachet_discovery_set_timeouts (d, 1000, 1000, probe_ms, guess_ms);
  return d;
}

static void
test_guess_probe_timeouts (void)
{
  /* Each probe is cut at 1 s; the step ends long before its 20 s */
  g_autoptr(CachetDiscovery) d = slow_discovery (1000, 20000);
  g_autoptr(CachetDiscoveryResult) r = discovery_test_run (d, NULL, 0, NULL);
  CachetDiscoveryStepReport *guess;

  g_assert_nonnull (r);
  guess = &r->steps[CACHET_DISCOVERY_STEP_GUESS];
  g_assert_cmpint (guess->state, ==, CACHET_DISCOVERY_STEP_NOTHING);
  g_assert_cmpuint (r->incoming->len + r->outgoing->len, ==, 0);
  g_assert_cmpuint (guess->notes->len, ==, 17);
  /* dead (995) and silent (110): no answer in time; SSH on 465: no TLS; a POP3 greeting on
   * 587: not SMTP */
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_GUESS, "pop3.slow.test:995 (TLS): no answer in time"));
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_GUESS, "pop3.slow.test:110 (STARTTLS): no answer in time"));
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_GUESS, "smtp.slow.test:465 (TLS): secure connection failed"));
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_GUESS, "not a SMTP server"));
  /* The state says the step ended on its own (NOTHING), not at its 20 s
   * limit (TIMED_OUT): each probe was cut at its own limit. */
}

static void
test_guess_overall_timeout (void)
{
  /* Probes may take 60 s each; the step stops them at 1.5 s */
  g_autoptr(CachetDiscovery) d = slow_discovery (60000, 1500);
  g_autoptr(CachetDiscoveryResult) r = discovery_test_run (d, NULL, 0, NULL);
  CachetDiscoveryStepReport *guess;

  g_assert_nonnull (r);
  guess = &r->steps[CACHET_DISCOVERY_STEP_GUESS];
  g_assert_cmpint (guess->state, ==, CACHET_DISCOVERY_STEP_TIMED_OUT);
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_GUESS, "no answer in time"));
  g_assert_true (discovery_test_note_has (r, CACHET_DISCOVERY_STEP_GUESS, "not a SMTP server"));
}

static void
test_cancel (void)
{
  g_autoptr(CachetDiscovery) d = slow_discovery (60000, 60000);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetDiscoveryResult) r = NULL;
  const CachetDiscoveryStepReport *guess;

  cachet_discovery_set_flags (d, CACHET_DISCOVERY_ALL_STEPS);
  r = discovery_test_run (d, cancellable, 2500, &error);
  g_assert_null (r);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  guess = cachet_discovery_get_step_report (d, CACHET_DISCOVERY_STEP_GUESS);
  g_assert_cmpint (guess->state, ==, CACHET_DISCOVERY_STEP_CANCELLED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* Children (none here) must not inherit the preloaded resolver wrapper */
  g_unsetenv ("LD_PRELOAD");
  resolver = test_resolver_install ();
  responses = g_hash_table_new (g_str_hash, g_str_equal);
  answered = g_string_new (NULL);
  events = g_string_new (NULL);
  waiting = g_ptr_array_new ();
  start_https_server ();

  g_test_add_func ("/discovery/autoconfig/first-url", test_autoconfig_first_url);
  g_test_add_func ("/discovery/autoconfig/well-known", test_autoconfig_well_known);
  g_test_add_func ("/discovery/autoconfig/untrusted-certificate", test_autoconfig_untrusted);
  g_test_add_func ("/discovery/autoconfig/no-http-no-huge", test_autoconfig_refused);
  g_test_add_func ("/discovery/autoconfig/timeout", test_autoconfig_timeout);
  g_test_add_func ("/discovery/autoconfig/imap-only", test_autoconfig_imap_only);
  g_test_add_func ("/discovery/autoconfig/broken-profile", test_autoconfig_broken);
  g_test_add_func ("/discovery/autoconfig/parallel-first-hangs",
                   test_autoconfig_parallel_first_hangs);
  g_test_add_func ("/discovery/autoconfig/parallel-first-preferred",
                   test_autoconfig_parallel_first_preferred);
  g_test_add_func ("/discovery/autoconfig/parallel-asked-together",
                   test_autoconfig_parallel_asked_together);
  g_test_add_func ("/discovery/autoconfig/parallel-cancel", test_autoconfig_parallel_cancel);
  g_test_add_func ("/discovery/srv/resolv-wrapper", test_srv);
  g_test_add_func ("/discovery/mx/known-provider", test_mx);
  g_test_add_func ("/discovery/run/profile-stops-early", test_profile_step);
  g_test_add_func ("/discovery/run/opened-profile", test_opened_profile);
  g_test_add_func ("/discovery/run/bad-address", test_bad_address);
  g_test_add_func ("/discovery/guess/probe-timeouts", test_guess_probe_timeouts);
  g_test_add_func ("/discovery/guess/overall-timeout", test_guess_overall_timeout);
  g_test_add_func ("/discovery/run/cancel", test_cancel);
  return g_test_run ();
}
