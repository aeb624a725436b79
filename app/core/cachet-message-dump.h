/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-message.h"

G_BEGIN_DECLS

/* The text `cachet show` prints: decoded headers, the MIME tree with types, charsets and
 * sizes, then the body as the viewer shows it.  Stable: golden files depend on it. */
char *cachet_message_dump (CachetMessage *message);

/* Text for the full-text index: body text with quoting kept, trimmed to a limit. */
char *cachet_message_dup_index_text (CachetMessage *message,
                                     gsize          max_bytes);

G_END_DECLS
