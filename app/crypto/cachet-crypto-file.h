/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sys/stat.h>

G_BEGIN_DECLS

/* Opens PATH, a plugin file, for loading after the checks of the plugin
 * contract: an absolute path; a regular file, not a symbolic link; the file
 * and every directory above it owned by root or this user and not writable
 * by group or others; an ELF shared object of this machine's architecture,
 * not cut short.  Returns the open descriptor (close-on-exec) and its fstat,
 * or -1 with a CACHET_CRYPTO_ERROR saying why in a sentence. */
int cachet_crypto_file_open (const char   *path,
                             struct stat  *st,
                             GError      **error);

G_END_DECLS
