/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Shared by the POP3 and SMTP sessions. */

/* FALSE with CACHET_NET_ERROR_AUTH when @user is empty or either holds a line break (which
 * would end a command early and start another one). */
gboolean _cachet_net_check_credentials (const char  *host,
                                        const char  *user,
                                        const char  *password,
                                        GError     **error);

G_END_DECLS
