/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Fixture plugins in the abi tests.  Plugin folders live under the build
 * directory (ABI_BUILD_DIR), with safe permissions: /tmp is writable by
 * others and so refused by design. */

char     *abi_test_fixture_path   (const char   *name);
char     *abi_test_make_dir       (const char   *base_name);
char     *abi_test_install_plugin (const char   *dir,
                                   const char   *name,
                                   const char   *as);
gboolean  abi_test_skip_unsafe    (const GError *error);
void      abi_test_remove_tree    (const char   *path);

G_END_DECLS
