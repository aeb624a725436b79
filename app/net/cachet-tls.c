/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-tls"

#include "config.h"

#include "cachet-tls.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-net-error.h"

/* libetpan hands over the peer's chain and does not judge it; GIO's TLS backend
 * (glib-networking) does the judging here.  Two databases take part: the system's
 * (g_tls_backend_get_default_database) and, when the account names one, a
 * GTlsFileDatabase holding only the account's own CA certificates.  Verifying against
 * each on its own keeps the system store exactly as it is: the extra CA is never added
 * to the defaults. */

void
cachet_tls_check_free (CachetTlsCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->sha256_hex);
  g_free (check->subject);
  g_free (check->issuer);
  g_clear_pointer (&check->not_after, g_date_time_unref);
  g_free (check);
}

static GTlsCertificate *
certificate_from_der (GBytes          *der,
                      GTlsCertificate *issuer,
                      GError         **error)
{
  GTlsBackend *backend = g_tls_backend_get_default ();
  g_autoptr(GByteArray) array = g_bytes_unref_to_array (g_bytes_ref (der));

  return g_initable_new (g_tls_backend_get_certificate_type (backend), NULL, error,
                         "certificate", array,
                         "issuer", issuer,
                         NULL);
}

/* Builds the GTlsCertificate chain (leaf first, each linked to the next as issuer). */
static GTlsCertificate *
chain_from_der (GPtrArray *der_chain,
                GError   **error)
{
  g_autoptr(GTlsCertificate) issuer = NULL;

  for (guint i = der_chain->len; i > 0; i--)
    {
      GBytes *der = g_ptr_array_index (der_chain, i - 1);
      g_autoptr(GError) local_error = NULL;
      GTlsCertificate *cert;

      if (der == NULL || g_bytes_get_size (der) == 0)
        {
          g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE,
                       _("The server sent an empty certificate."));
          return NULL;
        }
      cert = certificate_from_der (der, issuer, &local_error);
      if (cert == NULL)
        {
          g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE,
                       _("The server’s certificate could not be read: %s"),
                       local_error->message);
          return NULL;
        }
      g_set_object (&issuer, cert);
      g_object_unref (cert);
    }
  return g_steal_pointer (&issuer);
}

static char *
sha256_hex (GBytes *der)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (der, &len);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
}

/* Lower-case hex without separators; accepts upper case and colon-separated pairs
 * too, so that a pin copied from another tool still compares equal. */
static gboolean
fingerprint_equal (const char *hex,
                   const char *pin)
{
  const char *p = pin;
  gsize i = 0;

  for (; *p != '\0'; p++)
    {
      if (*p == ':' || *p == ' ')
        continue;
      if (hex[i] == '\0' || g_ascii_tolower (*p) != hex[i])
        return FALSE;
      i++;
    }
  return i == 64 && hex[i] == '\0';
}

static GTlsCertificateFlags
verify_with (GTlsDatabase        *database,
             GTlsCertificate     *chain,
             GSocketConnectable  *identity)
{
  g_autoptr(GError) local_error = NULL;
  GTlsCertificateFlags flags;

  flags = g_tls_database_verify_chain (database, chain,
                                       G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                       identity, NULL, G_TLS_DATABASE_VERIFY_NONE,
                                       NULL, &local_error);
  if (local_error != NULL)
    {
      g_debug ("certificate verification failed: %s", local_error->message);
      flags |= G_TLS_CERTIFICATE_GENERIC_ERROR;
    }
  return flags;
}

CachetTlsCheck *
cachet_tls_check_chain (GPtrArray   *der_chain,
                        const char  *hostname,
                        const char  *extra_ca_file,
                        const char  *pinned_sha256,
                        GError     **error)
{
  g_autoptr(CachetTlsCheck) check = NULL;
  g_autoptr(GTlsCertificate) chain = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  GTlsBackend *backend;
  g_autoptr(GTlsDatabase) system_db = NULL;
  GTlsCertificateFlags flags;

  g_return_val_if_fail (hostname != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (der_chain == NULL || der_chain->len == 0)
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE,
                   _("The server %s sent no certificate."), hostname);
      return NULL;
    }

  backend = g_tls_backend_get_default ();
  if (!g_tls_backend_supports_tls (backend))
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE,
                   _("Certificates cannot be checked because GLib’s TLS support "
                     "(glib-networking) is not installed."));
      return NULL;
    }

  chain = chain_from_der (der_chain, error);
  if (chain == NULL)
    return NULL;

  check = g_new0 (CachetTlsCheck, 1);
  check->sha256_hex = sha256_hex (g_ptr_array_index (der_chain, 0));
  check->subject = g_tls_certificate_get_subject_name (chain);
  check->issuer = g_tls_certificate_get_issuer_name (chain);
  check->not_after = g_tls_certificate_get_not_valid_after (chain);

  identity = g_network_address_new (hostname, 0);
  system_db = g_tls_backend_get_default_database (backend);
  flags = verify_with (system_db, chain, identity);

  if (flags != 0 && extra_ca_file != NULL && *extra_ca_file != '\0')
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GTlsDatabase) extra_db = g_tls_file_database_new (extra_ca_file, &local_error);
      GTlsCertificateFlags extra_flags;

      if (extra_db == NULL)
        {
          g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE,
                       _("The account’s CA certificate file “%s” could not be read: %s"),
                       extra_ca_file, local_error->message);
          return NULL;
        }
      extra_flags = verify_with (extra_db, chain, identity);
      /* The chain leads to the account's CA: its verdict is the one that counts
       * (a wrong host name or an expired certificate stays a problem). */
      if (!(extra_flags & G_TLS_CERTIFICATE_UNKNOWN_CA))
        flags = extra_flags;
    }

  check->problems = flags;
  if (flags == 0)
    check->trusted = TRUE;
  else if (pinned_sha256 != NULL && *pinned_sha256 != '\0')
    {
      if (fingerprint_equal (check->sha256_hex, pinned_sha256))
        check->trusted = check->pinned = TRUE;
      else
        check->pin_mismatch = TRUE;
    }

  g_debug ("certificate of %s: %s (problems 0x%x%s%s)", hostname, check->sha256_hex,
           (guint) flags, check->pinned ? ", pinned" : "",
           check->pin_mismatch ? ", pin mismatch" : "");
  return g_steal_pointer (&check);
}

/* "AB:CD:..." as tools like `openssl x509 -fingerprint -sha256` show it. */
static char *
format_fingerprint (const char *hex)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; hex != NULL && hex[i] != '\0' && hex[i + 1] != '\0'; i += 2)
    {
      if (i > 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (hex[i]));
      g_string_append_c (out, g_ascii_toupper (hex[i + 1]));
    }
  return g_string_free (out, FALSE);
}

/* The CN of a distinguished name ("O=Example,CN=mail.example.org"), or the whole name. */
static char *
common_name (const char *dn)
{
  const char *p = dn;

  while (p != NULL && *p != '\0')
    {
      if (g_ascii_strncasecmp (p, "CN=", 3) == 0 && (p == dn || p[-1] == ','))
        {
          GString *out = g_string_new (NULL);

          for (p += 3; *p != '\0' && *p != ','; p++)
            {
              if (*p == '\\' && p[1] != '\0')
                p++;
              g_string_append_c (out, *p);
            }
          return g_string_free (out, FALSE);
        }
      p = strchr (p, ',');
      if (p != NULL)
        p++;
    }
  return g_strdup (dn);
}

static char *
format_date (GDateTime *when)
{
  if (when == NULL)
    return g_strdup (_("an unknown date"));
  return g_date_time_format (when, "%Y-%m-%d");
}

char *
cachet_tls_check_describe (const CachetTlsCheck *check,
                           const char           *hostname)
{
  g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *fingerprint = NULL;
  g_autofree char *joined = NULL;
  GTlsCertificateFlags problems;

  g_return_val_if_fail (check != NULL, NULL);
  g_return_val_if_fail (hostname != NULL, NULL);

  fingerprint = format_fingerprint (check->sha256_hex);

  if (check->pin_mismatch)
    return g_strdup_printf (_("The certificate of %s has changed since you accepted it. "
                              "A provider may change its certificate, but so may someone "
                              "who intercepts the connection: connect only after your "
                              "provider confirms the new fingerprint (SHA-256 %s)."),
                            hostname, fingerprint);

  if (check->trusted && check->pinned)
    return g_strdup_printf (_("The certificate of %s could not be verified, but you "
                              "accepted it before (SHA-256 %s)."),
                            hostname, fingerprint);
  if (check->trusted)
    return g_strdup_printf (_("The certificate of %s is valid (SHA-256 %s)."),
                            hostname, fingerprint);

  problems = check->problems;
  if (problems & G_TLS_CERTIFICATE_UNKNOWN_CA)
    {
      if (check->issuer != NULL && g_strcmp0 (check->issuer, check->subject) != 0)
        {
          g_autofree char *issuer = common_name (check->issuer);
          g_ptr_array_add (reasons,
                           g_strdup_printf (_("its issuer “%s” is not an authority this "
                                              "computer trusts"), issuer));
        }
      else
        g_ptr_array_add (reasons,
                         g_strdup (_("it is self-signed or from an unknown issuer, "
                                     "not from an authority this computer trusts")));
    }
  if (problems & G_TLS_CERTIFICATE_BAD_IDENTITY)
    {
      if (check->subject != NULL)
        {
          g_autofree char *subject = common_name (check->subject);
          g_ptr_array_add (reasons,
                           g_strdup_printf (_("it was made for a different server (“%s”), "
                                              "not for the name %s"),
                                            subject, hostname));
        }
      else
        g_ptr_array_add (reasons,
                         g_strdup_printf (_("it was made for a different server, not for "
                                            "the name %s"), hostname));
    }
  if (problems & G_TLS_CERTIFICATE_EXPIRED)
    {
      g_autofree char *date = format_date (check->not_after);
      g_ptr_array_add (reasons, g_strdup_printf (_("it expired on %s"), date));
    }
  if (problems & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    g_ptr_array_add (reasons, g_strdup (_("it is not valid yet (check the computer’s "
                                          "date and time)")));
  if (problems & G_TLS_CERTIFICATE_REVOKED)
    g_ptr_array_add (reasons, g_strdup (_("its issuer has revoked it")));
  if (problems & G_TLS_CERTIFICATE_INSECURE)
    g_ptr_array_add (reasons, g_strdup (_("it uses an insecure algorithm")));
  if (reasons->len == 0)
    g_ptr_array_add (reasons, g_strdup (_("it could not be checked")));

  g_ptr_array_add (reasons, NULL);
  /* TRANSLATORS: joins the reasons why a certificate is refused */
  joined = g_strjoinv (_("; "), (char **) reasons->pdata);
  return g_strdup_printf (_("The certificate of %s cannot be trusted: %s. Someone may be "
                            "intercepting the connection. Accept it only if your provider "
                            "confirms this fingerprint: SHA-256 %s."),
                          hostname, joined, fingerprint);
}
