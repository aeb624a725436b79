/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cachet-store.h"

G_BEGIN_DECLS

/* Maildir on disk: one directory per folder with cur/ new/ tmp/, child folders as further
 * subdirectories next to them ("mail/Lists/cur", "mail/Lists/GTK/cur", ...).
 *
 * File names: "<base>:2,<flags>" where base is "<time>.<pid>_<counter>.<host>,S=<size>" and
 * the flags are in ASCII order (D F P R S T).  Info letters Cachet does not know (lower-case
 * keywords of other programs) are kept when the flags change. */

/* Tmp files older than this are left over from a crash and may be removed. */
#define CACHET_MAILDIR_TMP_MAX_AGE (36 * 60 * 60)

typedef struct
{
  char    *file_name;   /* as on disk */
  char    *base;        /* file name up to the ':' of the info */
  gboolean in_new;      /* found in new/ rather than cur/ */
} CachetMaildirEntry;

void        _cachet_maildir_entry_free     (CachetMaildirEntry *entry);

gboolean    _cachet_maildir_check_name     (const char   *name,
                                            GError      **error);
gboolean    _cachet_maildir_is_folder      (const char   *dir);
gboolean    _cachet_maildir_ensure_folder  (const char   *dir,
                                            GError      **error);

char       *_cachet_maildir_new_base       (gsize         size);
char       *_cachet_maildir_dup_base       (const char   *file_name);
CachetFlags _cachet_maildir_parse_flags    (const char   *file_name);
char       *_cachet_maildir_make_name      (const char   *base,
                                            const char   *old_name,
                                            CachetFlags   flags);
char       *_cachet_maildir_with_new_base  (const char   *file_name,
                                            const char   *new_base);

gboolean    _cachet_maildir_fsync_dir      (const char   *dir,
                                            GError      **error);
gboolean    _cachet_maildir_write_tmp      (const char   *folder_dir,
                                            const char   *base,
                                            GBytes       *data,
                                            gboolean      do_fsync,
                                            char        **tmp_path,
                                            GError      **error);
gboolean    _cachet_maildir_sync_fs        (const char   *dir,
                                            GError      **error);
gboolean    _cachet_maildir_fsync_file     (const char   *path,
                                            GError      **error);
/* rename(2) that never replaces an existing file: fails with CACHET_STORE_ERROR_EXISTS. */
gboolean    _cachet_maildir_rename         (const char   *from,
                                            const char   *to,
                                            GError      **error);
/* Lists cur/ and new/ (never tmp/); hidden files are skipped. */
GPtrArray  *_cachet_maildir_scan           (const char   *folder_dir,
                                            GError      **error);
void        _cachet_maildir_clean_tmp      (const char   *folder_dir,
                                            gint64        max_age);
/* Removes a folder directory that holds no mail any more (tmp/ leftovers go too). */
gboolean    _cachet_maildir_remove_folder  (const char   *dir,
                                            GError      **error);

/* POP3 names.  A message fetched from a POP3 server is named
 * "<time>.pop3_<account>_<uidl>.<host>,S=<size>" ("pop3h_" for headers only), where the
 * account id and the UIDL are given as keys: the text with every byte outside
 * [A-Za-z0-9+@_-] written as "=XX", or, when that is too long for a file name, "~" and 40
 * hex digits of its SHA-256.  So the ledger (which UIDLs of an account are stored) can be
 * read back from the Maildir alone. */
#define CACHET_MAILDIR_POP3_ACCOUNT_MAX 64
#define CACHET_MAILDIR_POP3_UIDL_MAX    100

char       *_cachet_maildir_pop3_key       (const char   *text,
                                            gsize         max_len);
char       *_cachet_maildir_pop3_base      (const char   *account_key,
                                            const char   *uidl_key,
                                            gboolean      partial,
                                            gint64        time,
                                            guint64       size);
/* FALSE when @base is not a POP3 name; the out arguments may be NULL. */
gboolean    _cachet_maildir_parse_pop3     (const char   *base,
                                            gint64       *time,
                                            char        **account_key,
                                            char        **uidl_key,
                                            gboolean     *partial);
/* A unique name for a file being received in tmp/. */
char       *_cachet_maildir_tmp_name       (void);

void        _cachet_store_set_io_error     (GError      **error,
                                            int           saved_errno,
                                            const char   *what,
                                            const char   *path);

G_END_DECLS
