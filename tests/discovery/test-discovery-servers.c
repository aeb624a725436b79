/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Guessing against the real Dovecot and Postfix of tests/servers: the names discovery
 * tries for example.test are mapped to 127.0.0.1 by test-resolver.c, the usual ports to
 * the servers' ports by the test hook; nothing logs in. */
#include "config.h"

#include <string.h>

#include "cachet-test-servers.h"
#include "discovery-test-util.h"
#include "test-resolver.h"

static CachetTestServers *servers;

static CachetDiscovery *
guess_discovery (const char *address)
{
  CachetDiscovery *d = cachet_discovery_new (address, NULL);
  g_autoptr(CachetIspDirectory) empty = discovery_test_empty_directory ();
  guint16 closed = discovery_test_closed_port ();

  cachet_discovery_set_isp_directory (d, empty);
  cachet_discovery_set_timeouts (d, 2000, 2000, 5000, 20000);
  _cachet_discovery_set_test_ca_file (d, servers->ca_file);
  /* No autoconfig server: nothing listens there */
  _cachet_discovery_set_test_port (d, 443, closed);
  return d;
}

static void
test_guess_dovecot_postfix (void)
{
  g_autoptr(CachetDiscovery) d = guess_discovery ("alice@example.test");
  g_autoptr(CachetDiscoveryResult) r = NULL;
  const CachetDiscoveryCandidate *in, *out;

  _cachet_discovery_set_test_port (d, 995, servers->pop3s_port);
  _cachet_discovery_set_test_port (d, 110, servers->pop3_port);
  _cachet_discovery_set_test_port (d, 465, servers->smtps_port);
  _cachet_discovery_set_test_port (d, 587, servers->submission_port);
  _cachet_discovery_set_test_port (d, 25, servers->smtp_port);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);
  g_assert_cmpint (r->steps[CACHET_DISCOVERY_STEP_GUESS].state, ==, CACHET_DISCOVERY_STEP_FOUND);

  /* Four names answer on both POP3 ports: implicit TLS first, in the order of the names */
  g_assert_cmpuint (r->incoming->len, ==, 8);
  in = cachet_discovery_result_get_incoming (r);
  g_assert_true (in == r->incoming->pdata[0]);
  g_assert_cmpstr (in->server->host, ==, "pop3.example.test");
  g_assert_cmpuint (in->server->port, ==, 995);
  g_assert_cmpint (in->server->security, ==, CACHET_SECURITY_TLS);
  g_assert_cmpstr (in->server->user, ==, "alice@example.test");
  g_assert_true (in->trusted);
  g_assert_true (in->confirmed);
  g_assert_nonnull (strstr (in->capabilities, "UIDL"));
  g_assert_cmpint (in->probe_us, >, 0);
  {
    const CachetDiscoveryCandidate *stls = r->incoming->pdata[4];

    g_assert_cmpuint (stls->server->port, ==, 110);
    g_assert_cmpint (stls->server->security, ==, CACHET_SECURITY_STARTTLS);
    g_assert_true (stls->trusted);
    /* the capabilities read inside TLS: no STLS any more */
    g_assert_null (strstr (stls->capabilities, "STLS"));
  }

  /* SMTP: 465 (TLS), then 587 and 25 (STARTTLS, AUTH offered inside TLS) */
  out = cachet_discovery_result_get_outgoing (r);
  g_assert_nonnull (out);
  g_assert_cmpstr (out->server->host, ==, "smtp.example.test");
  g_assert_cmpuint (out->server->port, ==, 465);
  g_assert_cmpint (out->server->security, ==, CACHET_SECURITY_TLS);
  g_assert_true (out->trusted);
  g_assert_nonnull (strstr (out->capabilities, "AUTH"));
  g_assert_cmpuint (r->outgoing->len, ==, 9);
  for (guint i = 3; i < 9; i++)
    {
      const CachetDiscoveryCandidate *c = r->outgoing->pdata[i];

      g_assert_cmpint (c->server->security, ==, CACHET_SECURITY_STARTTLS);
      g_assert_true (c->confirmed);
    }
}

static void
test_guess_certificate_and_plaintext (void)
{
  g_autoptr(CachetDiscovery) d = guess_discovery ("bob@example.test");
  g_autoptr(CachetDiscoveryResult) r = NULL;
  const CachetDiscoveryCandidate *in, *out;
  g_autoptr(CachetTestFakePop3) fake = NULL;
  g_autofree char *skip = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *messages = g_dir_make_tmp ("fake-pop3-XXXXXX", NULL);
  const char *options[] = { "--no-stls", NULL };
  guint16 closed = discovery_test_closed_port ();

  fake = cachet_test_fake_pop3_start (messages, NULL, options, &skip, &error);
  g_assert_no_error (error);
  g_assert_null (skip);
  /* POP3S only with a self-signed certificate; POP3 without STARTTLS */
  _cachet_discovery_set_test_port (d, 995, servers->certs[CACHET_TEST_CERT_SELF_SIGNED].pop3s_port);
  _cachet_discovery_set_test_port (d, 110, fake->port);
  _cachet_discovery_set_test_port (d, 465, closed);
  _cachet_discovery_set_test_port (d, 587, servers->certs[CACHET_TEST_CERT_EXPIRED].submission_port);
  _cachet_discovery_set_test_port (d, 25, closed);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);

  /* The encrypted one with a certificate problem goes before plaintext, with its check;
   * the protocol was still confirmed (over a connection accepting that certificate) */
  in = cachet_discovery_result_get_incoming (r);
  g_assert_nonnull (in);
  g_assert_cmpint (in->server->security, ==, CACHET_SECURITY_TLS);
  g_assert_false (in->trusted);
  g_assert_true (in->confirmed);
  g_assert_nonnull (in->tls_check);
  g_assert_cmpstr (in->tls_check->sha256_hex, ==, servers->certs[CACHET_TEST_CERT_SELF_SIGNED].sha256);
  g_assert_nonnull (in->problem);
  g_assert_nonnull (strstr (in->capabilities, "UIDL"));
  /* plaintext listed last, flagged */
  in = r->incoming->pdata[r->incoming->len - 1];
  g_assert_true (in->plaintext);
  g_assert_false (in->trusted);
  g_assert_cmpint (in->server->security, ==, CACHET_SECURITY_PLAIN);

  /* Expired certificate after STARTTLS: reported, not used silently */
  out = cachet_discovery_result_get_outgoing (r);
  g_assert_nonnull (out);
  g_assert_false (out->trusted);
  g_assert_nonnull (out->tls_check);
  g_assert_true (out->tls_check->problems & G_TLS_CERTIFICATE_EXPIRED);
}

static void
test_guess_plaintext_only (void)
{
  g_autoptr(CachetDiscovery) d = guess_discovery ("carol@example.test");
  g_autoptr(CachetDiscoveryResult) r = NULL;
  const CachetDiscoveryCandidate *in;
  g_autoptr(CachetTestFakePop3) fake = NULL;
  g_autofree char *messages = g_dir_make_tmp ("fake-pop3-XXXXXX", NULL);
  const char *options[] = { "--no-stls", NULL };
  guint16 closed = discovery_test_closed_port ();

  g_autofree char *skip = NULL;
  g_autoptr(GError) error = NULL;

  fake = cachet_test_fake_pop3_start (messages, NULL, options, &skip, &error);
  g_assert_no_error (error);
  g_assert_null (skip);
  _cachet_discovery_set_test_port (d, 995, closed);
  _cachet_discovery_set_test_port (d, 110, fake->port);
  _cachet_discovery_set_test_port (d, 465, servers->smtps_port);
  _cachet_discovery_set_test_port (d, 587, closed);
  _cachet_discovery_set_test_port (d, 25, closed);
  r = discovery_test_run (d, NULL, 0, NULL);
  g_assert_nonnull (r);
  /* Nothing else answered: plaintext is preselected, and flagged */
  in = cachet_discovery_result_get_incoming (r);
  g_assert_nonnull (in);
  g_assert_true (in->plaintext);
  g_assert_false (in->trusted);
  g_assert_nonnull (in->problem);
  g_assert_cmpstr (in->server->host, ==, "pop3.example.test");
  g_assert_true (cachet_discovery_result_get_outgoing (r)->trusted);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *skip = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "example.test", "pop3.example.test", "pop.example.test",
                          "mail.example.test", "smtp.example.test" };
  TestResolver *resolver;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  servers = cachet_test_servers_start (CACHET_TEST_SERVERS_ALL, &skip, &error);
  if (skip != NULL)
    return cachet_test_skip_all (skip);
  g_assert_no_error (error);

  resolver = test_resolver_install ();
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    test_resolver_add_host (resolver, names[i]);

  g_test_add_func ("/discovery/guess/dovecot-postfix", test_guess_dovecot_postfix);
  g_test_add_func ("/discovery/guess/certificate-problem", test_guess_certificate_and_plaintext);
  g_test_add_func ("/discovery/guess/plaintext-only", test_guess_plaintext_only);
  status = g_test_run ();
  cachet_test_servers_free (servers);
  return status;
}
