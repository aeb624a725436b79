/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-privacy.h"

G_BEGIN_DECLS

/* One line in the composer that says how well the message is protected on its way: an
 * icon, the short title of cachet-privacy.h, and its explanation (in a tooltip, in a
 * popover behind the info button, and as the accessible description). */
#define CACHET_TYPE_PRIVACY_LINE (cachet_privacy_line_get_type ())
G_DECLARE_FINAL_TYPE (CachetPrivacyLine, cachet_privacy_line, CACHET, PRIVACY_LINE, GtkBox)

GtkWidget     *cachet_privacy_line_new         (void);
void           cachet_privacy_line_set_privacy (CachetPrivacyLine *self,
                                                CachetPrivacy      privacy);
CachetPrivacy  cachet_privacy_line_get_privacy (CachetPrivacyLine *self);
/* What is shown: the title and the icon's name. */
const char    *cachet_privacy_line_get_title   (CachetPrivacyLine *self);
const char    *cachet_privacy_line_get_icon_name (CachetPrivacyLine *self);

G_END_DECLS
