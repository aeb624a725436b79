/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"
/* renameat2() and RENAME_NOREPLACE */
#define _GNU_SOURCE 1

#include "config.h"

#include "cachet-maildir-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachet-store-private.h"

/* The flag letters Cachet knows, in the ASCII order the info must have. */
static const struct
{
  char        letter;
  CachetFlags flag;
} flag_letters[] = {
  { 'D', CACHET_FLAG_DRAFT },
  { 'F', CACHET_FLAG_FLAGGED },
  { 'P', CACHET_FLAG_PASSED },
  { 'R', CACHET_FLAG_REPLIED },
  { 'S', CACHET_FLAG_SEEN },
  { 'T', CACHET_FLAG_TRASHED },
};

void
_cachet_store_set_io_error (GError    **error,
                            int         saved_errno,
                            const char *what,
                            const char *path)
{
  g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_IO,
               _("%s “%s” failed: %s"), what, path, g_strerror (saved_errno));
}

void
_cachet_maildir_entry_free (CachetMaildirEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->file_name);
  g_free (entry->base);
  g_free (entry);
}

gboolean
_cachet_maildir_check_name (const char *name,
                            GError    **error)
{
  if (name == NULL || *name == '\0')
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID,
                   _("A folder needs a name."));
      return FALSE;
    }
  if (!g_utf8_validate (name, -1, NULL) || strlen (name) > 200)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID,
                   _("The folder name is not valid text or is too long."));
      return FALSE;
    }
  if (strchr (name, '/') != NULL || name[0] == '.' || g_str_equal (name, "cur")
      || g_str_equal (name, "new") || g_str_equal (name, "tmp"))
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID,
                   _("“%s” cannot be a folder name: names may not contain “/”, start with "
                     "“.” or be “cur”, “new” or “tmp”."), name);
      return FALSE;
    }
  for (const char *p = name; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      {
        g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID,
                     _("A folder name may not contain control characters."));
        return FALSE;
      }
  return TRUE;
}

gboolean
_cachet_maildir_is_folder (const char *dir)
{
  g_autofree char *cur = g_build_filename (dir, "cur", NULL);
  return g_file_test (cur, G_FILE_TEST_IS_DIR);
}

gboolean
_cachet_maildir_fsync_dir (const char *dir,
                           GError    **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      _cachet_store_set_io_error (error, errno, _("Opening the directory"), dir);
      return FALSE;
    }
  if (fsync (fd) != 0)
    {
      int saved = errno;
      close (fd);
      _cachet_store_set_io_error (error, saved, _("Syncing the directory"), dir);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

gboolean
_cachet_maildir_fsync_file (const char *path,
                            GError    **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fsync (fd) != 0)
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      _cachet_store_set_io_error (error, saved, _("Syncing the file"), path);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Makes every file written so far durable in one call (syncfs(2)): cheaper than one fsync
 * per file for a batch of many small files. */
gboolean
_cachet_maildir_sync_fs (const char *dir,
                         GError    **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || syncfs (fd) != 0)
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      _cachet_store_set_io_error (error, saved, _("Syncing the file system of"), dir);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

static gboolean
make_dir (const char *path,
          GError    **error)
{
  if (g_mkdir (path, 0700) == 0 || errno == EEXIST)
    return TRUE;
  _cachet_store_set_io_error (error, errno, _("Creating the directory"), path);
  return FALSE;
}

gboolean
_cachet_maildir_ensure_folder (const char *dir,
                               GError    **error)
{
  static const char * const subdirs[] = { "tmp", "new", "cur" };
  g_autofree char *parent = g_path_get_dirname (dir);
  gboolean created = !g_file_test (dir, G_FILE_TEST_IS_DIR);

  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      _cachet_store_set_io_error (error, errno, _("Creating the directory"), parent);
      return FALSE;
    }
  if (!make_dir (dir, error))
    return FALSE;
  /* cur/ last: a directory with cur/ is a folder, so it appears complete or not at all. */
  for (gsize i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *sub = g_build_filename (dir, subdirs[i], NULL);
      if (!make_dir (sub, error))
        return FALSE;
    }
  if (!_cachet_maildir_fsync_dir (dir, error))
    return FALSE;
  if (created && !_cachet_maildir_fsync_dir (parent, error))
    return FALSE;
  return TRUE;
}

static char *
sanitized_host (void)
{
  static char *host;

  if (g_once_init_enter (&host))
    {
      char buf[256] = { 0 };
      GString *s = g_string_new (NULL);

      if (gethostname (buf, sizeof buf - 1) != 0 || buf[0] == '\0')
        g_strlcpy (buf, "localhost", sizeof buf);
      /* '/' and ':' would break the path and the info; ',' the ",S=" field. */
      for (const char *p = buf; *p; p++)
        {
          if (g_ascii_isalnum (*p) || *p == '-' || *p == '.')
            g_string_append_c (s, *p);
          else
            g_string_append_printf (s, "\\%03o", (guchar) *p);
        }
      g_once_init_leave (&host, g_string_free (s, FALSE));
    }
  return host;
}

char *
_cachet_maildir_new_base (gsize size)
{
  static gint counter;

  /* Unique as long as a pid is not reused within one second; the exclusive create in tmp/
   * and the no-replace rename catch even that (the caller then takes a new name). */
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%d_%d.%s,S=%" G_GSIZE_FORMAT,
                          g_get_real_time () / G_USEC_PER_SEC, (int) getpid (),
                          g_atomic_int_add (&counter, 1), sanitized_host (), size);
}

/* Longest base that leaves room for ":2," and every flag letter in a 255-byte name. */
#define BASE_MAX 240

char *
_cachet_maildir_pop3_key (const char *text,
                          gsize       max_len)
{
  GString *key = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    {
      guchar c = (guchar) *p;
      if (g_ascii_isalnum (c) || c == '+' || c == '@' || c == '_' || c == '-')
        g_string_append_c (key, (char) c);
      else
        g_string_append_printf (key, "=%02X", c);
      if (key->len > max_len)
        break;
    }
  if (key->len == 0 || key->len > max_len)
    {
      g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
      g_string_truncate (key, 0);
      g_string_append_c (key, '~');
      g_string_append_len (key, sum, 40);
    }
  return g_string_free (key, FALSE);
}

char *
_cachet_maildir_pop3_base (const char *account_key,
                           const char *uidl_key,
                           gboolean    partial,
                           gint64      time,
                           guint64     size)
{
  g_autofree char *head = g_strdup_printf ("%" G_GINT64_FORMAT ".pop3%s_%s_%s.", time,
                                           partial ? "h" : "", account_key, uidl_key);
  g_autofree char *tail = g_strdup_printf (",S=%" G_GUINT64_FORMAT, size);
  const char *host = sanitized_host ();
  gssize room = BASE_MAX - (gssize) strlen (head) - (gssize) strlen (tail);

  /* The host name only helps other programs tell machines apart: shorten it if needed (the
   * keys are at most 64 and 100 bytes, so there is always room for some of it). */
  return g_strdup_printf ("%s%.*s%s", head, (int) CLAMP (room, 1, (gssize) strlen (host)),
                          host, tail);
}

gboolean
_cachet_maildir_parse_pop3 (const char *base,
                            gint64     *time,
                            char      **account_key,
                            char      **uidl_key,
                            gboolean   *partial)
{
  const char *p = base;
  const char *account, *sep, *end;
  gboolean is_partial = FALSE;
  gint64 t = 0;

  if (!g_ascii_isdigit (*p))
    return FALSE;
  for (; g_ascii_isdigit (*p); p++)
    {
      if (t > G_MAXINT64 / 10 - 10)
        return FALSE;
      t = t * 10 + (*p - '0');
    }
  if (g_str_has_prefix (p, ".pop3_"))
    account = p + 6;
  else if (g_str_has_prefix (p, ".pop3h_"))
    {
      account = p + 7;
      is_partial = TRUE;
    }
  else
    return FALSE;
  sep = strchr (account, '_');
  end = strchr (account, '.');
  if (sep == NULL || end == NULL || sep > end || sep == account || end == sep + 1)
    return FALSE;
  if (time)
    *time = t;
  if (account_key)
    *account_key = g_strndup (account, sep - account);
  if (uidl_key)
    *uidl_key = g_strndup (sep + 1, end - sep - 1);
  if (partial)
    *partial = is_partial;
  return TRUE;
}

char *
_cachet_maildir_tmp_name (void)
{
  static gint counter;

  return g_strdup_printf ("%" G_GINT64_FORMAT ".%d_in%d.%s", g_get_real_time () / G_USEC_PER_SEC,
                          (int) getpid (), g_atomic_int_add (&counter, 1), sanitized_host ());
}

char *
_cachet_maildir_dup_base (const char *file_name)
{
  const char *colon = strchr (file_name, ':');
  return colon ? g_strndup (file_name, colon - file_name) : g_strdup (file_name);
}

CachetFlags
_cachet_maildir_parse_flags (const char *file_name)
{
  const char *info = strstr (file_name, ":2,");
  CachetFlags flags = 0;

  if (info == NULL)
    return 0;
  for (const char *p = info + 3; *p; p++)
    for (gsize i = 0; i < G_N_ELEMENTS (flag_letters); i++)
      if (*p == flag_letters[i].letter)
        flags |= flag_letters[i].flag;
  return flags;
}

char *
_cachet_maildir_make_name (const char *base,
                           const char *old_name,
                           CachetFlags flags)
{
  gboolean letters[128] = { FALSE };
  const char *info = old_name ? strstr (old_name, ":2,") : NULL;
  GString *name = g_string_new (base);

  if (info != NULL)
    for (const char *p = info + 3; *p; p++)
      if ((guchar) *p < 128 && g_ascii_isgraph (*p) && *p != ',')
        letters[(guchar) *p] = TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (flag_letters); i++)
    letters[(guchar) flag_letters[i].letter] = (flags & flag_letters[i].flag) != 0;

  g_string_append (name, ":2,");
  for (int c = 0; c < 128; c++)
    if (letters[c])
      g_string_append_c (name, (char) c);
  return g_string_free (name, FALSE);
}

char *
_cachet_maildir_with_new_base (const char *file_name,
                               const char *new_base)
{
  const char *colon = strchr (file_name, ':');
  return g_strconcat (new_base, colon ? colon : "", NULL);
}

gboolean
_cachet_maildir_write_tmp (const char *folder_dir,
                           const char *base,
                           GBytes     *data,
                           gboolean    do_fsync,
                           char      **tmp_path,
                           GError    **error)
{
  g_autofree char *path = g_build_filename (folder_dir, "tmp", base, NULL);
  gsize len = 0;
  const guint8 *p = g_bytes_get_data (data, &len);
  int fd;

  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      _cachet_store_set_io_error (error, errno, _("Creating the file"), path);
      return FALSE;
    }
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : ENOSPC;
          close (fd);
          g_unlink (path);
          _cachet_store_set_io_error (error, saved, _("Writing the file"), path);
          return FALSE;
        }
      p += n;
      len -= n;
    }
  if ((do_fsync && fsync (fd) != 0) || close (fd) != 0)
    {
      int saved = errno;
      g_unlink (path);
      _cachet_store_set_io_error (error, saved, _("Writing the file"), path);
      return FALSE;
    }
  *tmp_path = g_steal_pointer (&path);
  return TRUE;
}

gboolean
_cachet_maildir_rename (const char *from,
                        const char *to,
                        GError    **error)
{
  if (renameat2 (AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
    return TRUE;
  if (errno == EINVAL || errno == ENOSYS)
    {
      /* A file system without RENAME_NOREPLACE: link() never replaces either. */
      if (link (from, to) == 0)
        {
          if (g_unlink (from) == 0)
            return TRUE;
          {
            int saved = errno;
            g_unlink (to);
            errno = saved;
          }
        }
    }
  if (errno == EEXIST)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_EXISTS,
                   _("“%s” exists already."), to);
      return FALSE;
    }
  if (errno == ENOENT)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND,
                   _("“%s” is gone: another program may have moved it."), from);
      return FALSE;
    }
  _cachet_store_set_io_error (error, errno, _("Renaming"), from);
  return FALSE;
}

static gboolean
scan_subdir (GPtrArray  *entries,
             const char *folder_dir,
             const char *sub,
             GError    **error)
{
  g_autofree char *path = g_build_filename (folder_dir, sub, NULL);
  DIR *dir = opendir (path);
  struct dirent *de;

  if (dir == NULL)
    {
      if (errno == ENOENT)
        return TRUE;
      _cachet_store_set_io_error (error, errno, _("Reading the directory"), path);
      return FALSE;
    }
  while ((errno = 0, de = readdir (dir)) != NULL)
    {
      CachetMaildirEntry *entry;

      if (de->d_name[0] == '.')
        continue;
      if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN && de->d_type != DT_LNK)
        continue;
      if (de->d_type != DT_REG)
        {
          g_autofree char *full = g_build_filename (path, de->d_name, NULL);
          if (!g_file_test (full, G_FILE_TEST_IS_REGULAR))
            continue;
        }
      entry = g_new0 (CachetMaildirEntry, 1);
      entry->file_name = g_strdup (de->d_name);
      entry->base = _cachet_maildir_dup_base (de->d_name);
      entry->in_new = g_str_equal (sub, "new");
      g_ptr_array_add (entries, entry);
    }
  if (errno != 0)
    {
      int saved = errno;
      closedir (dir);
      _cachet_store_set_io_error (error, saved, _("Reading the directory"), path);
      return FALSE;
    }
  closedir (dir);
  return TRUE;
}

GPtrArray *
_cachet_maildir_scan (const char *folder_dir,
                      GError    **error)
{
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) _cachet_maildir_entry_free);

  if (!scan_subdir (entries, folder_dir, "cur", error)
      || !scan_subdir (entries, folder_dir, "new", error))
    return NULL;
  return g_steal_pointer (&entries);
}

void
_cachet_maildir_clean_tmp (const char *folder_dir,
                           gint64      max_age)
{
  g_autofree char *path = g_build_filename (folder_dir, "tmp", NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  DIR *dir = opendir (path);
  struct dirent *de;

  if (dir == NULL)
    return;
  while ((de = readdir (dir)) != NULL)
    {
      struct stat st;

      if (de->d_name[0] == '.')
        continue;
      if (fstatat (dirfd (dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0
          || !S_ISREG (st.st_mode))
        continue;
      if (max_age >= 0 && now - (gint64) st.st_mtime < max_age)
        continue;
      g_debug ("Removing a left-over file %s/%s", path, de->d_name);
      unlinkat (dirfd (dir), de->d_name, 0);
    }
  closedir (dir);
}

gboolean
_cachet_maildir_remove_folder (const char *dir,
                               GError    **error)
{
  static const char * const subdirs[] = { "cur", "new", "tmp" };
  g_autofree char *parent = g_path_get_dirname (dir);

  _cachet_maildir_clean_tmp (dir, -1);
  for (gsize i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *sub = g_build_filename (dir, subdirs[i], NULL);
      if (g_rmdir (sub) != 0 && errno != ENOENT)
        {
          _cachet_store_set_io_error (error, errno, _("Removing the directory"), sub);
          return FALSE;
        }
    }
  if (g_rmdir (dir) != 0 && errno != ENOENT)
    {
      _cachet_store_set_io_error (error, errno, _("Removing the directory"), dir);
      return FALSE;
    }
  return _cachet_maildir_fsync_dir (parent, error);
}
