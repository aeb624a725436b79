/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-net-error.h"
#include "cachet-net-private.h"

#include <glib/gi18n.h>
#include <string.h>

G_DEFINE_QUARK (cachet-net-error-quark, cachet_net_error)

gboolean
_cachet_net_check_credentials (const char  *host,
                               const char  *user,
                               const char  *password,
                               GError     **error)
{
  if (user == NULL || *user == '\0' || strpbrk (user, "\r\n") != NULL)
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH,
                   _("The user name for %s is empty or contains a line break."), host);
      return FALSE;
    }
  if (password == NULL || strpbrk (password, "\r\n") != NULL)
    {
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH,
                   _("The password for %s is missing or contains a line break."), host);
      return FALSE;
    }
  return TRUE;
}
