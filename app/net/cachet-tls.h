/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Certificate checks for our connections (cachet-net-stream asks during each TLS
 * handshake, with the peer's chain).  Shared by POP3 and SMTP. */

/* The result of checking a server certificate. */
typedef struct
{
  gboolean  trusted;          /* verified (chain + host name), or matches the pinned one */
  gboolean  pinned;           /* trusted because it matches the account's pin */
  gboolean  pin_mismatch;     /* unverifiable, and a different certificate was pinned */
  char     *sha256_hex;       /* fingerprint of the leaf, lower-case hex, 64 chars */
  char     *subject;          /* for showing to the user */
  char     *issuer;
  GDateTime *not_after;
  GTlsCertificateFlags problems;  /* why it is not trusted (when !trusted) */
} CachetTlsCheck;

void cachet_tls_check_free (CachetTlsCheck *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetTlsCheck, cachet_tls_check_free)

/* Checks a chain (DER certificates, leaf first) for @hostname against the system's trust
 * store plus, when given, the CA certificates in @extra_ca_file (the account's own CA, which
 * is also how tests trust their test CA; nothing else is ever added to the defaults).
 *
 * A certificate that verifies (chain and host name) is trusted.  One that does not is
 * trusted only when its SHA-256 equals @pinned_sha256 (the user accepted it before); when
 * a different pin is set, check->problems says so and the caller reports
 * CACHET_NET_ERROR_CERTIFICATE_CHANGED, else CACHET_NET_ERROR_CERTIFICATE (the user may
 * accept it, which pins it).  Never accepted silently.  Returns NULL only for unusable
 * input (error set). */
CachetTlsCheck *cachet_tls_check_chain (GPtrArray   *der_chain,      /* GBytes */
                                        const char  *hostname,
                                        const char  *extra_ca_file,
                                        const char  *pinned_sha256,
                                        GError     **error);

/* A sentence for the user saying why a certificate was refused, with its fingerprint. */
char *cachet_tls_check_describe (const CachetTlsCheck *check,
                                 const char           *hostname);

G_END_DECLS
