/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-crypto-mime.h"

G_BEGIN_DECLS

/* The bar above a message that says what its encryption and signatures amount to.  It is
 * part of the window, outside the message's text, so nothing a message contains can draw
 * or change it: an icon for the level, the verdict's one-line title, and a Details button
 * that shows the longer text under it. */
#define CACHET_TYPE_CRYPTO_STATUS (cachet_crypto_status_get_type ())
G_DECLARE_FINAL_TYPE (CachetCryptoStatus, cachet_crypto_status, CACHET, CRYPTO_STATUS, GtkBox)

GtkWidget  *cachet_crypto_status_new           (void);
/* Shows a verdict (cachet_crypto_verdict_new()); @detail may be NULL (no Details). */
void        cachet_crypto_status_set_verdict   (CachetCryptoStatus       *self,
                                                CachetCryptoVerdictLevel  level,
                                                const char               *title,
                                                const char               *detail);
/* Work under way ("Decrypting…"): no verdict yet. */
void        cachet_crypto_status_set_busy      (CachetCryptoStatus       *self,
                                                const char               *text);
/* Hidden: the message is neither encrypted nor signed. */
void        cachet_crypto_status_clear         (CachetCryptoStatus       *self);

/* What is shown, for tests: the title (NULL when hidden), the detail text, the icon. */
const char *cachet_crypto_status_get_title     (CachetCryptoStatus       *self);
const char *cachet_crypto_status_get_detail    (CachetCryptoStatus       *self);
const char *cachet_crypto_status_get_icon_name (CachetCryptoStatus       *self);
GtkMessageType cachet_crypto_status_get_message_type (CachetCryptoStatus *self);
gboolean    cachet_crypto_status_get_details_shown (CachetCryptoStatus   *self);

G_END_DECLS
