/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-message.h"

G_BEGIN_DECLS

/* Bounces: a delivery status notification (multipart/report; report-type=delivery-status,
 * RFC 3464) and the common non-standard formats (Postfix, Exim, qmail, Sendmail, Exchange,
 * Gmail, Yahoo, Lotus Notes ... plain-text bounces with a recognisable subject and sender)
 * are recognised and read for the recipients that failed and why. */
typedef struct
{
  char *recipient;        /* the failed address (Final-Recipient, else Original-Recipient,
                             else what the text names); may be NULL if none can be found */
  char *status;           /* enhanced status code "5.1.1", or NULL */
  char *diagnostic;       /* the remote server's words, or the bounce text's reason */
  char *action;           /* "failed", "delayed", ... (DSN) or NULL */
} CachetBounceRecipient;

typedef struct
{
  gboolean   standard;      /* a real RFC 3464 report */
  gboolean   delayed_only;  /* only "delayed" notices: not undeliverable (yet) */
  GPtrArray *recipients;    /* CachetBounceRecipient */
  char      *original_message_id; /* of the returned message, when included, or NULL */
  char      *reporting_mta;
} CachetBounce;

void          cachet_bounce_free   (CachetBounce *bounce);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetBounce, cachet_bounce_free)

/* NULL when @message is not a bounce. */
CachetBounce *cachet_bounce_detect (CachetMessage *message);
/* "Undeliverable to a@b: The email account that you tried to reach does not exist." —
 * one line for the viewer's banner, translated. */
char         *cachet_bounce_describe (const CachetBounce *bounce);

G_END_DECLS
