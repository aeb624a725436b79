/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto"

#include "config.h"

#include "cachet-crypto-file.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cachet-crypto-error.h"

/* Owned by root or by us, and not writable by group or others. */
static gboolean
check_owner_and_mode (const char        *path,
                      const struct stat *st,
                      gboolean           is_dir,
                      GError           **error)
{
  if (st->st_uid != 0 && st->st_uid != getuid ())
    {
      if (is_dir)
        g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_OWNER,
                     _("The folder “%s” belongs to another user."), path);
      else
        g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_OWNER,
                             _("The file belongs to another user."));
      return FALSE;
    }
  if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
    {
      if (is_dir)
        g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_WRITABLE,
                     _("The folder “%s” can be changed by other users."), path);
      else
        g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_WRITABLE,
                             _("The file can be changed by other users."));
      return FALSE;
    }
  return TRUE;
}

/* Every directory from the file's own up to the root. */
static gboolean
check_directories (const char *path,
                   GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  gboolean own_folder = TRUE;

  for (;;)
    {
      struct stat st;
      g_autofree char *parent = NULL;

      if (g_stat (dir, &st) != 0)
        {
          int saved = errno;
          g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_NOT_FOUND,
                       _("The folder “%s” cannot be read: %s."), dir, g_strerror (saved));
          return FALSE;
        }
      /* Above the plugin's own folder, a root-owned folder with the sticky bit (/tmp) is
       * safe although anyone may write to it: nobody but the owner of an entry may rename
       * or remove it.  The plugin's own folder must not be writable by others at all (they
       * could put a plugin there). */
      if (!(!own_folder && st.st_uid == 0 && (st.st_mode & S_ISVTX) != 0)
          && !check_owner_and_mode (dir, &st, TRUE, error))
        return FALSE;
      own_folder = FALSE;
      parent = g_path_get_dirname (dir);
      if (g_str_equal (parent, dir))
        return TRUE;
      g_free (dir);
      dir = g_steal_pointer (&parent);
    }
}

/* The ELF header of this process, to compare a plugin's class, byte order
 * and machine with. */
static gboolean
read_own_elf_header (Elf64_Ehdr *own)
{
  int fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return FALSE;
  n = pread (fd, own, sizeof *own, 0);
  close (fd);
  return n >= (ssize_t) sizeof (Elf32_Ehdr);
}

static gboolean
check_elf (int                fd,
           const struct stat *st,
           GError           **error)
{
  unsigned char buf[sizeof (Elf64_Ehdr)] = { 0 };
  Elf64_Ehdr own;
  ssize_t n = pread (fd, buf, sizeof buf, 0);
  guint64 phend, shend;
  guint16 machine, type;

  if (n < (ssize_t) sizeof (Elf32_Ehdr) || memcmp (buf, ELFMAG, SELFMAG) != 0)
    {
      g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_NOT_SHARED_OBJECT,
                           _("The file is not a shared object (a compiled plugin)."));
      return FALSE;
    }
  if (read_own_elf_header (&own)
      && (buf[EI_CLASS] != own.e_ident[EI_CLASS] || buf[EI_DATA] != own.e_ident[EI_DATA]))
    {
      g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_WRONG_ARCH,
                           _("The plugin was built for another kind of computer."));
      return FALSE;
    }
  if (buf[EI_CLASS] == ELFCLASS64)
    {
      Elf64_Ehdr h;
      memcpy (&h, buf, sizeof h);
      type = h.e_type;
      machine = h.e_machine;
      phend = h.e_phoff + (guint64) h.e_phnum * h.e_phentsize;
      shend = h.e_shoff + (guint64) h.e_shnum * h.e_shentsize;
    }
  else
    {
      Elf32_Ehdr h;
      memcpy (&h, buf, sizeof h);
      type = h.e_type;
      machine = h.e_machine;
      phend = h.e_phoff + (guint64) h.e_phnum * h.e_phentsize;
      shend = h.e_shoff + (guint64) h.e_shnum * h.e_shentsize;
    }
  if (type != ET_DYN)
    {
      g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_NOT_SHARED_OBJECT,
                           _("The file is not a shared object (a compiled plugin)."));
      return FALSE;
    }
  if (read_own_elf_header (&own) && machine != own.e_machine)
    {
      g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_WRONG_ARCH,
                           _("The plugin was built for another kind of computer."));
      return FALSE;
    }
  /* A file cut short can kill the process inside dlopen; the tables the
   * header points at must be inside the file. */
  if (phend > (guint64) st->st_size || shend > (guint64) st->st_size)
    {
      g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_TRUNCATED,
                           _("The plugin file is incomplete (cut short)."));
      return FALSE;
    }
  return TRUE;
}

int
cachet_crypto_file_open (const char   *path,
                         struct stat  *st,
                         GError      **error)
{
  struct stat lst;
  int fd;

  g_return_val_if_fail (path != NULL, -1);
  g_return_val_if_fail (st != NULL, -1);

  if (!g_path_is_absolute (path) || strstr (path, "/../") != NULL
      || g_str_has_suffix (path, "/.."))
    {
      g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_PATH,
                   _("Plugins are only loaded by their full path, not “%s”."), path);
      return -1;
    }
  if (g_lstat (path, &lst) != 0)
    {
      int saved = errno;
      g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_NOT_FOUND,
                   _("The file cannot be read: %s."), g_strerror (saved));
      return -1;
    }
  if (S_ISLNK (lst.st_mode))
    {
      g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_SYMLINK,
                           _("The file is a symbolic link; plugins must be real files in "
                             "their folder."));
      return -1;
    }
  if (!S_ISREG (lst.st_mode))
    {
      g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_NOT_REGULAR,
                           _("The file is not a regular file."));
      return -1;
    }
  if (!check_directories (path, error))
    return -1;

  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_NOT_FOUND,
                   _("The file cannot be read: %s."), g_strerror (saved));
      return -1;
    }
  if (fstat (fd, st) != 0 || st->st_dev != lst.st_dev || st->st_ino != lst.st_ino
      || !S_ISREG (st->st_mode))
    {
      g_set_error_literal (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_CHANGED,
                           _("The file changed while it was being checked."));
      close (fd);
      return -1;
    }
  if (!check_owner_and_mode (path, st, FALSE, error) || !check_elf (fd, st, error))
    {
      close (fd);
      return -1;
    }
  return fd;
}
