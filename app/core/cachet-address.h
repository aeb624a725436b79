/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* One mailbox of an address header, decoded to UTF-8.  A group ("undisclosed-recipients:;")
 * contributes its members; an empty group contributes nothing. */
typedef struct
{
  char *name;   /* display name, or NULL */
  char *email;  /* addr-spec as written (local@domain), or NULL when none could be found */
} CachetAddress;

#define CACHET_TYPE_ADDRESS (cachet_address_get_type ())

GType          cachet_address_get_type (void) G_GNUC_CONST;
CachetAddress *cachet_address_new      (const char          *name,
                                        const char          *email);
CachetAddress *cachet_address_copy     (const CachetAddress *address);
void           cachet_address_free     (CachetAddress       *address);
char          *cachet_address_to_string (const CachetAddress *address);
const char    *cachet_address_get_display (const CachetAddress *address);

GPtrArray     *cachet_address_list_parse  (const char *raw_header_value);
char          *cachet_address_list_format (GPtrArray  *addresses);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetAddress, cachet_address_free)

G_END_DECLS
