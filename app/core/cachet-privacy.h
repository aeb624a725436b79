/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cachet-account.h"

G_BEGIN_DECLS

/* How well a message is protected on its way, told honestly in the composer. */
typedef enum
{
  CACHET_PRIVACY_END_TO_END,    /* encrypted by a crypto plugin for every recipient */
  CACHET_PRIVACY_TLS_TO_SERVER, /* TLS or STARTTLS to the outgoing server, plain after it */
  CACHET_PRIVACY_CLEAR,         /* plain SMTP: anyone on the way can read it */
} CachetPrivacy;

/* @smtp NULL (no outgoing server) counts as CLEAR. */
CachetPrivacy cachet_privacy_for_sending   (const CachetServerSettings *smtp,
                                            gboolean                    end_to_end);
/* A short line ("Protected only on the way to your server") and a sentence or two that
 * explain it in plain words; translated. */
const char   *cachet_privacy_get_title       (CachetPrivacy privacy);
const char   *cachet_privacy_get_explanation (CachetPrivacy privacy);

G_END_DECLS
