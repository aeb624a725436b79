/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Converts HTML (already UTF-8) to readable plain text with libxml2's HTML parser: no
 * scripts, styles or remote loads; block structure kept as line breaks, lists as bullets,
 * links kept as "text <url>", images as their alt text. */
char *cachet_html_to_text (const char *html,
                           gssize      len);

G_END_DECLS
