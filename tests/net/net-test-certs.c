/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "net-test-certs.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

struct _TestCert
{
  gnutls_x509_crt_t     crt;
  gnutls_x509_privkey_t key;
};

#define CHECK(expr) g_assert_cmpint ((expr), >=, 0)

TestCert *
test_cert_new (const TestCertOptions *o)
{
  TestCert *cert = g_new0 (TestCert, 1);
  g_autofree char *dn = g_strdup_printf ("CN=%s,O=Cachet tests", o->common_name);
  time_t now = time (NULL);
  static guint serial_counter = 1;
  guint8 serial[8];
  guint8 key_id[64];
  size_t key_id_len = sizeof key_id;
  gnutls_x509_crt_t issuer_crt;
  gnutls_x509_privkey_t issuer_key;

  CHECK (gnutls_global_init ());
  CHECK (gnutls_x509_privkey_init (&cert->key));
  CHECK (gnutls_x509_privkey_generate (cert->key, GNUTLS_PK_ECDSA,
                                       GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0));
  CHECK (gnutls_x509_crt_init (&cert->crt));
  CHECK (gnutls_x509_crt_set_version (cert->crt, 3));
  for (guint i = 0; i < sizeof serial; i++)
    serial[i] = (guint8) g_random_int ();
  serial[0] = 0x40 | (serial_counter++ & 0x3f);
  CHECK (gnutls_x509_crt_set_serial (cert->crt, serial, sizeof serial));
  CHECK (gnutls_x509_crt_set_activation_time (cert->crt, now + o->not_before));
  CHECK (gnutls_x509_crt_set_expiration_time (cert->crt, now + o->not_after));
  CHECK (gnutls_x509_crt_set_dn (cert->crt, dn, NULL));
  CHECK (gnutls_x509_crt_set_key (cert->crt, cert->key));
  CHECK (gnutls_x509_crt_set_basic_constraints (cert->crt, o->is_ca, -1));
  if (o->is_ca)
    CHECK (gnutls_x509_crt_set_key_usage (cert->crt,
                                          GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN
                                          | GNUTLS_KEY_DIGITAL_SIGNATURE));
  else
    {
      CHECK (gnutls_x509_crt_set_key_usage (cert->crt, GNUTLS_KEY_DIGITAL_SIGNATURE));
      CHECK (gnutls_x509_crt_set_key_purpose_oid (cert->crt, GNUTLS_KP_TLS_WWW_SERVER, 0));
    }
  for (guint i = 0; o->dns_names != NULL && o->dns_names[i] != NULL; i++)
    CHECK (gnutls_x509_crt_set_subject_alt_name (cert->crt, GNUTLS_SAN_DNSNAME,
                                                 o->dns_names[i], strlen (o->dns_names[i]),
                                                 GNUTLS_FSAN_APPEND));
  for (guint i = 0; o->ip_addresses != NULL && o->ip_addresses[i] != NULL; i++)
    {
      guint8 addr[16];
      gboolean v6 = strchr (o->ip_addresses[i], ':') != NULL;

      g_assert_cmpint (inet_pton (v6 ? AF_INET6 : AF_INET, o->ip_addresses[i], addr), ==, 1);
      CHECK (gnutls_x509_crt_set_subject_alt_name (cert->crt, GNUTLS_SAN_IPADDRESS, addr,
                                                   v6 ? 16 : 4, GNUTLS_FSAN_APPEND));
    }
  CHECK (gnutls_x509_crt_get_key_id (cert->crt, 0, key_id, &key_id_len));
  CHECK (gnutls_x509_crt_set_subject_key_id (cert->crt, key_id, key_id_len));

  issuer_crt = o->issuer != NULL ? o->issuer->crt : cert->crt;
  issuer_key = o->issuer != NULL ? o->issuer->key : cert->key;
  if (o->issuer != NULL)
    {
      key_id_len = sizeof key_id;
      CHECK (gnutls_x509_crt_get_subject_key_id (issuer_crt, key_id, &key_id_len, NULL));
      CHECK (gnutls_x509_crt_set_authority_key_id (cert->crt, key_id, key_id_len));
    }
  CHECK (gnutls_x509_crt_sign2 (cert->crt, issuer_crt, issuer_key, GNUTLS_DIG_SHA256, 0));
  return cert;
}

void
test_cert_free (TestCert *cert)
{
  if (cert == NULL)
    return;
  gnutls_x509_crt_deinit (cert->crt);
  gnutls_x509_privkey_deinit (cert->key);
  g_free (cert);
  gnutls_global_deinit ();
}

static GBytes *
export_crt (TestCert               *cert,
            gnutls_x509_crt_fmt_t   format)
{
  gnutls_datum_t out = { NULL, 0 };
  GBytes *bytes;

  CHECK (gnutls_x509_crt_export2 (cert->crt, format, &out));
  bytes = g_bytes_new (out.data, out.size);
  gnutls_free (out.data);
  return bytes;
}

GBytes *
test_cert_get_der (TestCert *cert)
{
  return export_crt (cert, GNUTLS_X509_FMT_DER);
}

char *
test_cert_get_pem (TestCert *cert)
{
  g_autoptr(GBytes) pem = export_crt (cert, GNUTLS_X509_FMT_PEM);
  gsize len;
  const char *data = g_bytes_get_data (pem, &len);

  return g_strndup (data, len);
}

void
test_cert_write_pem (TestCert   *cert,
                     const char *path)
{
  g_autofree char *pem = test_cert_get_pem (cert);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, pem, -1, &error);
  g_assert_no_error (error);
}

GTlsCertificate *
test_cert_get_tls (TestCert *cert,
                   TestCert *chain)
{
  gnutls_datum_t key = { NULL, 0 };
  g_autofree char *pem = test_cert_get_pem (cert);
  g_autofree char *chain_pem = chain != NULL ? test_cert_get_pem (chain) : g_strdup ("");
  g_autofree char *all = NULL;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *tls;

  CHECK (gnutls_x509_privkey_export2 (cert->key, GNUTLS_X509_FMT_PEM, &key));
  all = g_strdup_printf ("%s%s%.*s", pem, chain_pem, (int) key.size, key.data);
  gnutls_free (key.data);
  tls = g_tls_certificate_new_from_pem (all, -1, &error);
  g_assert_no_error (error);
  return tls;
}

char *
test_cert_get_sha256 (TestCert *cert)
{
  g_autoptr(GBytes) der = test_cert_get_der (cert);

  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, der);
}

TestCert *
test_cert_new_ca (const char *name)
{
  TestCertOptions o = { .common_name = name, .is_ca = TRUE,
                        .not_before = -3600, .not_after = 30 * 86400 };

  return test_cert_new (&o);
}

TestCert *
test_cert_new_server (TestCert   *ca,
                      const char *host)
{
  const char *dns[] = { host, NULL };
  const char *ips[] = { "127.0.0.1", "::1", NULL };
  TestCertOptions o = { .common_name = host, .dns_names = dns, .ip_addresses = ips,
                        .issuer = ca, .not_before = -3600, .not_after = 30 * 86400 };

  return test_cert_new (&o);
}
