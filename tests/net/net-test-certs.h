/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Certificates made at test time with GnuTLS (ECDSA P-256: fast). */
typedef struct _TestCert TestCert;

typedef struct
{
  const char        *common_name;
  const char *const *dns_names;     /* NULL-terminated, or NULL */
  const char *const *ip_addresses;  /* NULL-terminated, or NULL */
  TestCert          *issuer;        /* NULL: self-signed */
  gboolean           is_ca;
  gint64             not_before;    /* seconds from now (negative: in the past) */
  gint64             not_after;
} TestCertOptions;

TestCert        *test_cert_new          (const TestCertOptions *options);
void             test_cert_free         (TestCert *cert);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestCert, test_cert_free)

GBytes          *test_cert_get_der      (TestCert *cert);
char            *test_cert_get_pem      (TestCert *cert);
/* Writes @cert's PEM to @path. */
void             test_cert_write_pem    (TestCert   *cert,
                                         const char *path);
/* Certificate (followed by @chain when given) and key, for a test server. */
GTlsCertificate *test_cert_get_tls      (TestCert *cert,
                                         TestCert *chain);
/* Lower-case hex SHA-256 of the DER. */
char            *test_cert_get_sha256   (TestCert *cert);

/* A CA and a server certificate it signed for "localhost" and 127.0.0.1. */
TestCert        *test_cert_new_ca       (const char *name);
TestCert        *test_cert_new_server   (TestCert   *ca,
                                         const char *host);

G_END_DECLS
