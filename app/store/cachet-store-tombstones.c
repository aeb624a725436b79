/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cachet-maildir-private.h"
#include "cachet-store-private.h"

/* Tombstones: the POP3 messages removed locally, kept in the Maildir root as
 * "mail/.cachet-pop3-removed", one line each: "<account key> <uidl key> <fetch time>
 * <headers only 0|1>".
 *
 * The ledger can be read back from the file names of the messages that are stored, but a
 * message removed for good leaves no file: without these lines a lost index would forget
 * that it was fetched, and the next fetch would bring it back (with "delete when deleted
 * locally", it would also never be deleted on the server).  A line is written, and synced,
 * before the file goes (or, for a file another program removed, before its row does), so
 * a crash between the two leaves a tombstone for a message still there, which does no harm:
 * indexing the file clears the mark.  Lines only ever get added, until the ledger forgets
 * rows (the server no longer has those messages): then the file is written again from the
 * rows still marked. */

#define TOMBSTONES ".cachet-pop3-removed"

static char *
tombstones_path (CachetStore *self)
{
  return g_build_filename (self->mail_dir, TOMBSTONES, NULL);
}

gboolean
_cachet_store_note_removed (CachetStore *self,
                            GPtrArray   *bases,
                            GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GString) lines = g_string_new (NULL);
  const char *p;
  gsize left;
  int fd;

  for (guint i = 0; i < bases->len; i++)
    {
      g_autofree char *account = NULL;
      g_autofree char *uidl = NULL;
      gboolean partial = FALSE;
      gint64 time = 0;

      if (_cachet_maildir_parse_pop3 (g_ptr_array_index (bases, i), &time, &account, &uidl,
                                      &partial))
        g_string_append_printf (lines, "%s %s %" G_GINT64_FORMAT " %d\n", account, uidl,
                                time, partial ? 1 : 0);
    }
  if (lines->len == 0)
    return TRUE;

  path = tombstones_path (self);
  fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      _cachet_store_set_io_error (error, errno, _("Opening the file"), path);
      return FALSE;
    }
  for (p = lines->str, left = lines->len; left > 0;)
    {
      ssize_t n = write (fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : ENOSPC;
          close (fd);
          _cachet_store_set_io_error (error, saved, _("Writing the file"), path);
          return FALSE;
        }
      p += n;
      left -= n;
    }
  if (fsync (fd) != 0)
    {
      int saved = errno;
      close (fd);
      _cachet_store_set_io_error (error, saved, _("Writing the file"), path);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* After the index was made anew: the rows of the messages removed locally (the files
 * indexed afterwards clear the mark of any that came back). */
gboolean
_cachet_store_load_tombstones (CachetStore *self,
                               GError     **error)
{
  g_autofree char *path = tombstones_path (self);
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &text, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_IO, "%s",
                   local_error->message);
      return FALSE;
    }
  lines = g_strsplit (text, "\n", -1);
  if (!_cachet_index_begin (self->index, error))
    return FALSE;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 5);
      gint64 time;

      /* A line cut short by a crash, or anything else odd, is skipped. */
      if (g_strv_length (fields) != 4 || *fields[0] == '\0' || *fields[1] == '\0'
          || !g_ascii_string_to_signed (fields[2], 10, 0, G_MAXINT64, &time, NULL)
          || (!g_str_equal (fields[3], "0") && !g_str_equal (fields[3], "1")))
        continue;
      if (!_cachet_index_ledger_add_removed (self->index, fields[0], fields[1], time,
                                             g_str_equal (fields[3], "1"), error))
        {
          _cachet_index_rollback (self->index);
          return FALSE;
        }
      n++;
    }
  if (!_cachet_index_commit (self->index, error))
    {
      _cachet_index_rollback (self->index);
      return FALSE;
    }
  g_debug ("%u messages removed locally, from the tombstones", n);
  return TRUE;
}

/* Writes the file again from the rows still marked (after rows were forgotten). */
gboolean
_cachet_store_rewrite_tombstones (CachetStore *self,
                                  GError     **error)
{
  g_autofree char *path = tombstones_path (self);
  g_autoptr(GString) lines = _cachet_index_ledger_removed_lines (self->index, error);
  g_autoptr(GError) local_error = NULL;

  if (lines == NULL)
    return FALSE;
  if (lines->len == 0)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          _cachet_store_set_io_error (error, errno, _("Removing"), path);
          return FALSE;
        }
      return TRUE;
    }
  /* Written aside, synced and renamed over the old one. */
  if (!g_file_set_contents_full (path, lines->str, lines->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT
                                 | G_FILE_SET_CONTENTS_DURABLE, 0600, &local_error))
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_IO, "%s",
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}
