/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The people the user sends encrypted mail to.  When a message goes out encrypted, its
 * recipients are remembered; a new message to people who are all remembered starts with
 * Encrypt on.  Kept in one small file (one address a line, lower case, sorted), by
 * default $XDG_CONFIG_HOME/cachet/encrypt-to, replaced atomically on every change.  The
 * object is safe to use from several threads. */
typedef struct _CachetEncryptMemory CachetEncryptMemory;

/* The memory kept in @path (NULL: the default file).  A missing file is an empty memory;
 * a file that cannot be read is reported once with g_warning and treated as empty (and
 * is not overwritten until the next change). */
CachetEncryptMemory *cachet_encrypt_memory_new         (const char *path);
CachetEncryptMemory *cachet_encrypt_memory_ref         (CachetEncryptMemory *self);
void                 cachet_encrypt_memory_unref       (CachetEncryptMemory *self);

/* The process's memory of the default file, made on first use. */
CachetEncryptMemory *cachet_encrypt_memory_get_default (void);

const char          *cachet_encrypt_memory_get_path    (CachetEncryptMemory *self);

/* TRUE when @address (any case, with or without a display name around it: only the
 * addr-spec counts) is remembered. */
gboolean             cachet_encrypt_memory_contains    (CachetEncryptMemory *self,
                                                        const char          *address);
/* TRUE when @addresses is not empty and every one of them is remembered. */
gboolean             cachet_encrypt_memory_contains_all (CachetEncryptMemory *self,
                                                         const char * const  *addresses);
/* Adds or removes @addresses and writes the file if that changed anything.  Text that is
 * not an address (no "@", control characters, longer than 254 bytes) is skipped. */
gboolean             cachet_encrypt_memory_remember    (CachetEncryptMemory *self,
                                                        const char * const  *addresses,
                                                        GError             **error);
gboolean             cachet_encrypt_memory_forget      (CachetEncryptMemory *self,
                                                        const char * const  *addresses,
                                                        GError             **error);
/* Everything remembered, sorted. */
GStrv                cachet_encrypt_memory_dup_all     (CachetEncryptMemory *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetEncryptMemory, cachet_encrypt_memory_unref)

G_END_DECLS
