/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-store.h"

G_BEGIN_DECLS

/* Completion for an entry that holds a list of addresses ("Ann <a@x>, b@y, "): the address
 * being typed (after the last comma) is looked up among the addresses seen in the store
 * (cachet_store_find_addresses_async(), off the main thread), and choosing one replaces it
 * and adds ", " for the next. */
#define CACHET_TYPE_ADDRESS_COMPLETION (cachet_address_completion_get_type ())
G_DECLARE_FINAL_TYPE (CachetAddressCompletion, cachet_address_completion,
                      CACHET, ADDRESS_COMPLETION, GtkEntryCompletion)

/* Sets itself as @entry's completion. */
CachetAddressCompletion *cachet_address_completion_attach (GtkEntry    *entry,
                                                           CachetStore *store);
/* The address being typed in @text: what follows the last comma outside quotes, with its
 * leading spaces dropped; *@start (may be NULL) is its byte offset in @text. */
char                    *cachet_address_completion_get_token (const char *text,
                                                              gsize      *start);
/* "Name <address>", the name quoted when it needs it; the bare address without a name. */
char                    *cachet_address_completion_format    (const char *name,
                                                              const char *email);
/* Rows offered now, and whether a lookup is running (for tests). */
guint                    cachet_address_completion_get_n_rows (CachetAddressCompletion *self);
gboolean                 cachet_address_completion_is_busy   (CachetAddressCompletion *self);

G_END_DECLS
