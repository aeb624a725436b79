/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-store.h"

G_BEGIN_DECLS

/* A fresh data directory under the test's isolated XDG data dir. */
char        *store_test_new_data_dir   (void);
CachetStore *store_test_open           (const char *data_dir);
void         store_test_close          (CachetStore *store);
/* A small valid message; any argument may be NULL. */
GBytes      *store_test_message        (const char *message_id,
                                        const char *subject,
                                        const char *from,
                                        const char *date,
                                        const char *in_reply_to,
                                        const char *references,
                                        const char *body);
gint64       store_test_folder_id      (CachetStore     *store,
                                        const char      *path);
/* Every file name in @folder_dir/cur and /new (sorted), and the messages the index lists. */
GPtrArray   *store_test_list_files     (const char *folder_dir,
                                        const char *sub);
guint        store_test_count_files    (CachetStore *store,
                                        const char  *folder_path);
CachetMessageList *store_test_list     (CachetStore *store,
                                        gint64       folder_id);
/* Checks that index and files of a folder agree: one file per row, flags as in the name. */
void         store_test_assert_consistent (CachetStore *store,
                                           const char  *folder_path);
/* Receives @data as the message @uidl (in two pieces, as a session would hand it over). */
void         store_test_receive        (CachetStoreIncoming *incoming,
                                        const char          *uidl,
                                        GBytes              *data);
/* Runs the default main context until nothing is pending. */
void         store_test_drain          (void);

G_END_DECLS
