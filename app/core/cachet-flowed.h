/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Decodes text/plain; format=flowed (RFC 3676) into paragraphs: soft line breaks joined,
 * space-stuffing removed, quote depth kept ("> " prefixes), signature separator kept. */
char *cachet_flowed_decode (const char *text,
                            gboolean    delsp);

G_END_DECLS
