/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Shared by the files of the test servers library. */

const char *_cachet_test_servers_srcdir (void);
char       *_cachet_test_servers_script (void);
char       *_cachet_test_make_dir       (const char          *prefix,
                                         GError             **error);
void        _cachet_test_remove_dir     (const char          *dir);
int         _cachet_test_run_script     (const char * const  *args,
                                         char               **out,
                                         GError             **error);
GHashTable *_cachet_test_read_env       (const char          *file,
                                         GError             **error);

G_END_DECLS
