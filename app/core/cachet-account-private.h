/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-account.h"

G_BEGIN_DECLS

/* Gives an account that is not yet in a list another id (the list makes ids unique). */
void _cachet_account_set_id (CachetAccount *self,
                             const char    *id);

/* For tests: the next write of the accounts file fails (as a full disk would) after
 * @bytes bytes; -1 (the default) writes normally. */
void _cachet_account_list_set_write_limit (CachetAccountList *self,
                                           gssize             bytes);

G_END_DECLS
