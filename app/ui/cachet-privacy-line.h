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
/* Instead of the level's own words, something the user must know about what they asked
 * for ("No key for bob@example.org: this message cannot be encrypted"); @title NULL goes
 * back to the level's words.  The level (get_privacy) stays what it was. */
void           cachet_privacy_line_set_problem (CachetPrivacyLine *self,
                                                const char        *icon,
                                                const char        *title,
                                                const char        *explanation);
/* What is shown: the title, the explanation and the icon's name. */
const char    *cachet_privacy_line_get_title   (CachetPrivacyLine *self);
const char    *cachet_privacy_line_get_icon_name (CachetPrivacyLine *self);
const char    *cachet_privacy_line_get_explanation (CachetPrivacyLine *self);

G_END_DECLS
