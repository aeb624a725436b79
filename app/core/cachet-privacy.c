/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-privacy"

#include "config.h"

#include "cachet-privacy.h"

#include <glib/gi18n.h>

CachetPrivacy
cachet_privacy_for_sending (const CachetServerSettings *smtp,
                            gboolean                    end_to_end)
{
  if (end_to_end)
    return CACHET_PRIVACY_END_TO_END;
  if (smtp == NULL)
    return CACHET_PRIVACY_CLEAR;
  switch (smtp->security)
    {
    case CACHET_SECURITY_TLS:
    case CACHET_SECURITY_STARTTLS:
      /* STARTTLS is required, never a fallback (cachet-account.h), so both are TLS. */
      return CACHET_PRIVACY_TLS_TO_SERVER;
    case CACHET_SECURITY_PLAIN:
    default:
      return CACHET_PRIVACY_CLEAR;
    }
}

const char *
cachet_privacy_get_title (CachetPrivacy privacy)
{
  switch (privacy)
    {
    case CACHET_PRIVACY_END_TO_END:
      return _("Encrypted end to end");
    case CACHET_PRIVACY_TLS_TO_SERVER:
      return _("Protected only on the way to your server");
    case CACHET_PRIVACY_CLEAR:
    default:
      return _("Sent in the clear");
    }
}

const char *
cachet_privacy_get_explanation (CachetPrivacy privacy)
{
  switch (privacy)
    {
    case CACHET_PRIVACY_END_TO_END:
      return _("Only the recipients can read this message. Servers on the way see who "
               "it is from and to, and when, but not what it says.");
    case CACHET_PRIVACY_TLS_TO_SERVER:
      return _("The connection to your outgoing server is encrypted. After that, the "
               "message may travel unencrypted, and every server that handles it, yours "
               "and the recipients’ included, can read it.");
    case CACHET_PRIVACY_CLEAR:
    default:
      return _("The connection to your outgoing server is not encrypted: anyone on the "
               "network between you and the server can read this message, and your "
               "password if the server asks for one.");
    }
}
