/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-account.h"
#include "cachet-tls.h"

G_BEGIN_DECLS

/* A real login to one server of an account being set up, before anything is saved: POP3
 * (connect, STLS or implicit TLS, CAPA, login, QUIT) or SMTP (connect, EHLO, STARTTLS or
 * implicit TLS, AUTH, QUIT).  Nothing is fetched or sent.  Runs in a worker thread with a
 * copy of the settings and of the password (wiped when done); certificates are checked as
 * for fetching, with the pin in @server. */
void     cachet_login_check_async  (const CachetServerSettings *server,
                                    gboolean                    smtp,
                                    const char                 *extra_ca_file,
                                    const char                 *password,
                                    GCancellable               *cancellable,
                                    GAsyncReadyCallback         callback,
                                    gpointer                    user_data);
/* On CACHET_NET_ERROR_CERTIFICATE(_CHANGED), @tls_check (when given) gets the check so that
 * the user can look at the certificate and choose to trust it. */
gboolean cachet_login_check_finish (GAsyncResult               *result,
                                    CachetTlsCheck            **tls_check,
                                    GError                    **error);

/* What went wrong, in one plain sentence for someone who is not a mail expert ("The
 * password was not accepted…"); the error's own message (with the server's words) goes
 * below it.  NULL for cancellation. */
char    *cachet_login_check_explain (const GError               *error,
                                     gboolean                    smtp,
                                     const CachetServerSettings *server);

/* Does a refused login look like "no such user" rather than "wrong password"?  Only when
 * the server says so (most servers do not tell the two apart, on purpose). */
gboolean cachet_login_check_is_unknown_user (const GError *error);

CachetTlsCheck *cachet_login_check_copy_tls_check (const CachetTlsCheck *check);

G_END_DECLS
