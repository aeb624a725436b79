/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cachet-net-error.h"
#include "cachet-tls.h"
#include "net-test-certs.h"

typedef struct
{
  char     *dir;
  TestCert *ca;
  char     *ca_file;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  f->dir = g_dir_make_tmp ("cachet-tls-XXXXXX", NULL);
  f->ca = test_cert_new_ca ("Cachet Test CA");
  f->ca_file = g_build_filename (f->dir, "ca.pem", NULL);
  test_cert_write_pem (f->ca, f->ca_file);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_unlink (f->ca_file);
  g_rmdir (f->dir);
  g_free (f->ca_file);
  g_free (f->dir);
  test_cert_free (f->ca);
}

static GPtrArray *
chain_of (TestCert *leaf,
          TestCert *ca)
{
  GPtrArray *chain = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_ptr_array_add (chain, test_cert_get_der (leaf));
  if (ca != NULL)
    g_ptr_array_add (chain, test_cert_get_der (ca));
  return chain;
}

static CachetTlsCheck *
check (GPtrArray  *chain,
       const char *host,
       const char *ca_file,
       const char *pin)
{
  g_autoptr(GError) error = NULL;
  CachetTlsCheck *result = cachet_tls_check_chain (chain, host, ca_file, pin, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpuint (strlen (result->sha256_hex), ==, 64);
  return result;
}

static void
test_ca_verified (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(TestCert) leaf = test_cert_new_server (f->ca, "localhost");
  g_autoptr(GPtrArray) chain = chain_of (leaf, f->ca);
  g_autoptr(CachetTlsCheck) c = check (chain, "localhost", f->ca_file, NULL);
  g_autofree char *sha = test_cert_get_sha256 (leaf);

  g_assert_true (c->trusted);
  g_assert_false (c->pinned);
  g_assert_false (c->pin_mismatch);
  g_assert_cmpuint (c->problems, ==, 0);
  g_assert_cmpstr (c->sha256_hex, ==, sha);
  g_assert_nonnull (strstr (c->subject, "CN=localhost"));
  g_assert_nonnull (strstr (c->issuer, "Cachet Test CA"));
  g_assert_nonnull (c->not_after);

  /* The leaf alone is enough when the CA is in the file. */
  {
    g_autoptr(GPtrArray) leaf_only = chain_of (leaf, NULL);
    g_autoptr(CachetTlsCheck) c2 = check (leaf_only, "localhost", f->ca_file, NULL);
    g_assert_true (c2->trusted);
  }
  /* A pin set for another certificate changes nothing for one that verifies. */
  {
    g_autoptr(CachetTlsCheck) c3 = check (chain, "localhost", f->ca_file,
                                          "00112233445566778899aabbccddeeff"
                                          "00112233445566778899aabbccddeeff");
    g_assert_true (c3->trusted);
    g_assert_false (c3->pinned);
    g_assert_false (c3->pin_mismatch);
  }
}

static void
test_unknown_ca (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr(TestCert) leaf = test_cert_new_server (f->ca, "localhost");
  g_autoptr(GPtrArray) chain = chain_of (leaf, f->ca);
  /* Without the account's CA file, the system store does not know the test CA. */
  g_autoptr(CachetTlsCheck) c = check (chain, "localhost", NULL, NULL);
  g_autofree char *text = cachet_tls_check_describe (c, "localhost");

  g_assert_false (c->trusted);
  g_assert_true (c->problems & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_nonnull (strstr (text, "Cachet Test CA"));
  g_assert_nonnull (strstr (text, "SHA-256"));
}

static void
test_wrong_host (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr(TestCert) leaf = test_cert_new_server (f->ca, "localhost");
  g_autoptr(GPtrArray) chain = chain_of (leaf, f->ca);
  g_autoptr(CachetTlsCheck) c = check (chain, "mail.example.org", f->ca_file, NULL);
  g_autofree char *text = cachet_tls_check_describe (c, "mail.example.org");

  g_assert_false (c->trusted);
  g_assert_cmpuint (c->problems, ==, G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_assert_nonnull (strstr (text, "mail.example.org"));
  g_assert_nonnull (strstr (text, "different server"));
}

static void
test_ip_address (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr(TestCert) leaf = test_cert_new_server (f->ca, "localhost");
  g_autoptr(GPtrArray) chain = chain_of (leaf, f->ca);
  g_autoptr(CachetTlsCheck) v4 = check (chain, "127.0.0.1", f->ca_file, NULL);
  g_autoptr(CachetTlsCheck) v6 = check (chain, "::1", f->ca_file, NULL);
  g_autoptr(CachetTlsCheck) other = check (chain, "127.0.0.2", f->ca_file, NULL);

  g_assert_true (v4->trusted);
  g_assert_true (v6->trusted);
  g_assert_false (other->trusted);
  g_assert_true (other->problems & G_TLS_CERTIFICATE_BAD_IDENTITY);
}

static void
test_self_signed_pin (Fixture      *f,
                      gconstpointer data)
{
  const char *dns[] = { "localhost", NULL };
  TestCertOptions o = { .common_name = "localhost", .dns_names = dns,
                        .not_before = -60, .not_after = 86400 };
  g_autoptr(TestCert) self_signed = test_cert_new (&o);
  g_autoptr(GPtrArray) chain = chain_of (self_signed, NULL);
  g_autofree char *sha = test_cert_get_sha256 (self_signed);
  g_autoptr(CachetTlsCheck) refused = check (chain, "localhost", f->ca_file, NULL);
  g_autoptr(CachetTlsCheck) accepted = check (chain, "localhost", f->ca_file, sha);
  g_autofree char *upper = g_ascii_strup (sha, -1);
  g_autoptr(GString) colons = g_string_new (NULL);
  g_autoptr(CachetTlsCheck) accepted2 = NULL;
  g_autofree char *text = cachet_tls_check_describe (refused, "localhost");
  g_autofree char *text2 = cachet_tls_check_describe (accepted, "localhost");

  g_assert_false (refused->trusted);
  g_assert_false (refused->pin_mismatch);
  g_assert_true (refused->problems & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_nonnull (strstr (text, "self-signed"));
  g_assert_nonnull (strstr (text, "localhost"));

  g_assert_true (accepted->trusted);
  g_assert_true (accepted->pinned);
  g_assert_false (accepted->pin_mismatch);
  g_assert_nonnull (strstr (text2, "accepted it before"));

  /* A pin written as tools print it compares equal. */
  for (guint i = 0; upper[i] != '\0'; i += 2)
    g_string_append_printf (colons, "%s%.2s", i > 0 ? ":" : "", upper + i);
  accepted2 = check (chain, "localhost", NULL, colons->str);
  g_assert_true (accepted2->pinned);
  g_assert_nonnull (strstr (text, colons->str));
}

static void
test_pin_changed (Fixture      *f,
                  gconstpointer data)
{
  const char *dns[] = { "localhost", NULL };
  TestCertOptions o = { .common_name = "localhost", .dns_names = dns,
                        .not_before = -60, .not_after = 86400 };
  g_autoptr(TestCert) first = test_cert_new (&o);
  g_autoptr(TestCert) second = test_cert_new (&o);
  g_autofree char *first_sha = test_cert_get_sha256 (first);
  g_autoptr(GPtrArray) chain = chain_of (second, NULL);
  g_autoptr(CachetTlsCheck) c = check (chain, "localhost", NULL, first_sha);
  g_autofree char *text = cachet_tls_check_describe (c, "localhost");

  g_assert_false (c->trusted);
  g_assert_false (c->pinned);
  g_assert_true (c->pin_mismatch);
  g_assert_true (c->problems & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_nonnull (strstr (text, "changed"));

  /* A shortened or wrong-length pin never matches. */
  {
    g_autofree char *second_sha = test_cert_get_sha256 (second);
    g_autofree char *prefix = g_strndup (second_sha, 63);
    g_autoptr(CachetTlsCheck) c2 = check (chain, "localhost", NULL, prefix);
    g_assert_false (c2->trusted);
    g_assert_true (c2->pin_mismatch);
  }
}

static void
test_dates (Fixture      *f,
            gconstpointer data)
{
  const char *dns[] = { "localhost", NULL };
  TestCertOptions expired_o = { .common_name = "localhost", .dns_names = dns,
                                .issuer = f->ca, .not_before = -10 * 86400,
                                .not_after = -86400 };
  TestCertOptions future_o = { .common_name = "localhost", .dns_names = dns,
                               .issuer = f->ca, .not_before = 86400,
                               .not_after = 10 * 86400 };
  g_autoptr(TestCert) expired = test_cert_new (&expired_o);
  g_autoptr(TestCert) future = test_cert_new (&future_o);
  g_autoptr(GPtrArray) expired_chain = chain_of (expired, f->ca);
  g_autoptr(GPtrArray) future_chain = chain_of (future, f->ca);
  g_autoptr(CachetTlsCheck) e = check (expired_chain, "localhost", f->ca_file, NULL);
  g_autoptr(CachetTlsCheck) n = check (future_chain, "localhost", f->ca_file, NULL);
  g_autofree char *e_text = cachet_tls_check_describe (e, "localhost");
  g_autofree char *n_text = cachet_tls_check_describe (n, "localhost");

  g_assert_false (e->trusted);
  g_assert_true (e->problems & G_TLS_CERTIFICATE_EXPIRED);
  g_assert_nonnull (strstr (e_text, "expired"));
  g_assert_false (n->trusted);
  g_assert_true (n->problems & G_TLS_CERTIFICATE_NOT_ACTIVATED);
  g_assert_nonnull (strstr (n_text, "not valid yet"));
}

static void
test_describe (void)
{
  CachetTlsCheck c = { 0 };
  struct { GTlsCertificateFlags flag; const char *words; } cases[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, "unknown issuer" },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, "different server" },
    { G_TLS_CERTIFICATE_EXPIRED, "expired on 2020-02-03" },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, "not valid yet" },
    { G_TLS_CERTIFICATE_REVOKED, "revoked" },
    { G_TLS_CERTIFICATE_INSECURE, "insecure" },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, "could not be checked" },
  };

  c.sha256_hex = (char *) "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  c.subject = (char *) "O=Example\\, Inc.,CN=other.example.org";
  c.issuer = c.subject;
  c.not_after = g_date_time_new_utc (2020, 2, 3, 4, 5, 6);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = NULL;

      c.problems = cases[i].flag;
      text = cachet_tls_check_describe (&c, "mail.example.org");
      g_test_message ("%s", text);
      g_assert_nonnull (strstr (text, cases[i].words));
      g_assert_nonnull (strstr (text, "mail.example.org"));
      g_assert_nonnull (strstr (text, "01:23:45:67:89:AB:CD:EF:01:23"));
    }
  /* Several problems at once are all named. */
  {
    g_autofree char *text = NULL;

    c.problems = G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_BAD_IDENTITY;
    text = cachet_tls_check_describe (&c, "mail.example.org");
    g_assert_nonnull (strstr (text, "expired"));
    /* The server's name, not the whole distinguished name. */
    g_assert_nonnull (strstr (text, "(“other.example.org”)"));
  }
  g_date_time_unref (c.not_after);
}

static void
test_bad_input (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) empty = g_ptr_array_new ();
  g_autoptr(GPtrArray) garbage = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(TestCert) leaf = test_cert_new_server (f->ca, "localhost");
  g_autoptr(GPtrArray) chain = chain_of (leaf, NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing.pem", NULL);
  CachetTlsCheck *c;

  c = cachet_tls_check_chain (NULL, "localhost", NULL, NULL, &error);
  g_assert_null (c);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE);
  g_clear_error (&error);

  c = cachet_tls_check_chain (empty, "localhost", NULL, NULL, &error);
  g_assert_null (c);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE);
  g_clear_error (&error);

  g_ptr_array_add (garbage, g_bytes_new_static ("\x30\x03\x02\x01\x00", 5));
  c = cachet_tls_check_chain (garbage, "localhost", NULL, NULL, &error);
  g_assert_null (c);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE);
  g_clear_error (&error);

  c = cachet_tls_check_chain (chain, "localhost", missing, NULL, &error);
  g_assert_null (c);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "missing.pem"));
}

static void
skip_no_backend (void)
{
  g_test_skip ("GLib has no TLS backend: install glib-networking");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_add_func ("/net/tls/no-backend", skip_no_backend);
      return g_test_run ();
    }

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/net/tls/ca-verified", test_ca_verified);
  ADD ("/net/tls/unknown-ca", test_unknown_ca);
  ADD ("/net/tls/wrong-host", test_wrong_host);
  ADD ("/net/tls/ip-address", test_ip_address);
  ADD ("/net/tls/self-signed-pin", test_self_signed_pin);
  ADD ("/net/tls/pin-changed", test_pin_changed);
  ADD ("/net/tls/dates", test_dates);
  ADD ("/net/tls/bad-input", test_bad_input);
#undef ADD
  g_test_add_func ("/net/tls/describe", test_describe);

  return g_test_run ();
}
