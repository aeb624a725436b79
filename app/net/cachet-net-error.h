/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CACHET_NET_ERROR (cachet_net_error_quark ())

/* Every error reaches the user as a sentence that says what happened and what to do; the
 * server's own reply is kept in the message where there is one.  Cancellation is always
 * G_IO_ERROR_CANCELLED. */
typedef enum
{
  CACHET_NET_ERROR_FAILED,
  CACHET_NET_ERROR_UNREACHABLE,      /* name lookup, connection refused, timeout */
  CACHET_NET_ERROR_TLS,              /* the TLS handshake failed */
  CACHET_NET_ERROR_CERTIFICATE,      /* the certificate is not trusted: see CachetTlsCheck */
  CACHET_NET_ERROR_CERTIFICATE_CHANGED, /* differs from the one pinned for the account */
  CACHET_NET_ERROR_STARTTLS_MISSING, /* STARTTLS configured but not offered: never go plain */
  CACHET_NET_ERROR_AUTH,             /* the server refused the login */
  CACHET_NET_ERROR_AUTH_UNSUPPORTED, /* no authentication method both sides know */
  CACHET_NET_ERROR_LOCKED,           /* the mailbox is in use by another client */
  CACHET_NET_ERROR_PROTOCOL,         /* the server said something that makes no sense */
  CACHET_NET_ERROR_SERVER,           /* the server refused a command; its reply is kept */
  CACHET_NET_ERROR_DISCONNECTED,     /* the connection dropped */
} CachetNetError;

GQuark cachet_net_error_quark (void);

G_END_DECLS
