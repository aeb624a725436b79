/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-store.h"

G_BEGIN_DECLS

/* The changes that turn one id list into another without reordering what stays. */
typedef struct
{
  GArray *removed;   /* guint: rows of the old list, ascending */
  GArray *inserted;  /* guint: rows of the new list, ascending */
} CachetMessageListDiff;

CachetMessageListDiff *cachet_message_list_diff_new  (GArray                  *old_ids,
                                                      const CachetMessageList *new_list);
void                   cachet_message_list_diff_free (CachetMessageListDiff   *diff);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetMessageListDiff, cachet_message_list_diff_free)

G_END_DECLS
