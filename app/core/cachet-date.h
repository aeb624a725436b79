/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parses an RFC 5322 date, also the obsolete and broken forms seen in real mail
 * (missing weekday or seconds, two-digit years, named zones, missing zone, extra text).
 * Returns NULL when no date can be found. */
GDateTime *cachet_date_parse (const char *raw);

G_END_DECLS
