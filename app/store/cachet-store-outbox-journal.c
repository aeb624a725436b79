/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachet-maildir-private.h"
#include "cachet-store-private.h"

/* The outbox journal: "mail/.cachet-outbox", one record a line, fields separated by one
 * space, every byte outside '!'..'~' and every '%' written as "%XX":
 *
 *   Q <base> <account> <recipient>...   queued (the envelope); synced
 *   W <base>                            withdrawn: no longer queued; synced
 *   R <base>                            the user chose to send it again (clears a doubt); synced
 *   B <boot id> <base>...               a sender is about to send these; synced
 *   T <base>                            trying: its SMTP transaction starts now
 *   S <base>                            sent: the server accepted it
 *   F <base>                            failed: not sent, the transaction is over
 *   E                                   the last batch (B) ended; synced
 *
 * Why a journal, and why there: the Maildir is the truth and the index a cache that can be
 * lost, but a queued message's envelope is not in its file (Bcc recipients are never in
 * the headers of what is sent, and the account is not either), and whether a message was
 * sent must survive anything, above all a lost index, or a rebuild would send it again.  A
 * mark in the file name (a flag letter) would need a rename per message and cannot carry
 * an envelope; a header in the file would be sent along.  So, as with the POP3 tombstones,
 * a small file beside the folders keeps what the files cannot, and a rebuilt index gets
 * its outbox rows back from it.  Only the records of messages still in the Outbox matter;
 * the sender rewrites the file with just those now and then.
 *
 * Durability: T, S and F are written, not synced, for speed (one sync per session instead
 * of two per message): a killed or crashed process loses nothing the kernel has.  Only a
 * power cut loses them, and the machine then boots with a new boot id: the messages of a
 * batch whose B record carries another boot id, and whose outcome is not in the file, are
 * then "in doubt" (they may have been sent) instead of "waiting".  Within one boot a
 * message is in doubt only when its T has no S or F after it.  The B record is synced
 * before any of its messages is tried, and E (which makes every S durable) before the
 * sent messages are moved to Sent.
 *
 * Appending takes a shared lock on "outbox.lock" in the data directory (a queueing holds
 * it from its Q record until its index commit); rewriting the file takes it exclusively,
 * and only when nobody holds it (a rewrite is never urgent), so no record of another
 * process is ever lost in a rewrite.  A record cut short (no newline) is skipped. */

#define JOURNAL  ".cachet-outbox"
#define LOCKFILE "outbox.lock"

static char *
journal_path (CachetStore *self)
{
  return g_build_filename (self->mail_dir, JOURNAL, NULL);
}

static int
take_lock (CachetStore *self,
           int          operation,
           GError     **error)
{
  g_autofree char *path = g_build_filename (self->data_dir, LOCKFILE, NULL);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      _cachet_store_set_io_error (error, errno, _("Opening the file"), path);
      return -1;
    }
  while (flock (fd, operation) != 0)
    {
      int saved = errno;
      if (saved == EINTR)
        continue;
      close (fd);
      if (saved == EWOULDBLOCK)
        return -2;
      _cachet_store_set_io_error (error, saved, _("Locking the file"), path);
      return -1;
    }
  return fd;
}

int
_cachet_outbox_journal_lock (CachetStore *self,
                             GError     **error)
{
  return take_lock (self, LOCK_SH, error);
}

void
_cachet_outbox_journal_unlock (int lock_fd)
{
  if (lock_fd >= 0)
    close (lock_fd);
}

const char *
_cachet_outbox_boot_id (void)
{
  static char *boot_id;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      char *text = NULL;

      /* Without one, every process counts as a boot of its own: safe, only more doubt. */
      if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &text, NULL, NULL))
        text = g_uuid_string_random ();
      boot_id = g_strstrip (text);
      g_once_init_leave (&initialized, 1);
    }
  return boot_id;
}

static void
append_escaped (GString    *line,
                const char *field)
{
  for (const char *p = field; *p; p++)
    {
      guchar c = (guchar) *p;
      if (c <= ' ' || c > '~' || c == '%')
        g_string_append_printf (line, "%%%02X", c);
      else
        g_string_append_c (line, (char) c);
    }
}

static gboolean
write_all (int          fd,
           const char  *data,
           gsize        len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = ENOSPC;
          return FALSE;
        }
      data += n;
      len -= n;
    }
  return TRUE;
}

gboolean
_cachet_outbox_journal_append (CachetStore        *self,
                               const char         *kind,
                               const char * const *fields,
                               gboolean            durable,
                               GError            **error)
{
  g_autofree char *path = journal_path (self);
  g_autoptr(GString) line = g_string_new (kind);
  gboolean created = FALSE;
  struct stat st;
  int lock_fd, fd;
  char last = '\n';

  for (gsize i = 0; fields != NULL && fields[i] != NULL; i++)
    {
      g_string_append_c (line, ' ');
      append_escaped (line, fields[i]);
    }
  g_string_append_c (line, '\n');

  lock_fd = take_lock (self, LOCK_SH, error);
  if (lock_fd < 0)
    return FALSE;
  fd = open (path, O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    {
      fd = open (path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
      created = TRUE;
    }
  if (fd < 0)
    {
      _cachet_store_set_io_error (error, errno, _("Opening the file"), path);
      close (lock_fd);
      return FALSE;
    }
  /* A record cut short by a power cut would swallow this one: start a line of our own. */
  if (fstat (fd, &st) == 0 && st.st_size > 0 && pread (fd, &last, 1, st.st_size - 1) == 1
      && last != '\n')
    g_string_prepend_c (line, '\n');
  if (!write_all (fd, line->str, line->len) || (durable && fdatasync (fd) != 0))
    {
      _cachet_store_set_io_error (error, errno, _("Writing the file"), path);
      close (fd);
      close (lock_fd);
      return FALSE;
    }
  close (fd);
  close (lock_fd);
  if (created && durable)
    return _cachet_maildir_fsync_dir (self->mail_dir, error);
  return TRUE;
}

gboolean
_cachet_outbox_journal_sync (CachetStore *self,
                             GError     **error)
{
  g_autofree char *path = journal_path (self);
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      _cachet_store_set_io_error (error, errno, _("Opening the file"), path);
      return FALSE;
    }
  if (fdatasync (fd) != 0)
    {
      _cachet_store_set_io_error (error, errno, _("Writing the file"), path);
      close (fd);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Parsing */

typedef struct
{
  char    *account_id;
  char   **recipients;
  gboolean queued;
  gboolean sent;
  gboolean tried;
  int      batch;      /* index into the batches, -1: none */
} Parsed;

typedef struct
{
  char    *boot_id;
  gboolean ended;
} Batch;

static void
parsed_free (Parsed *p)
{
  g_free (p->account_id);
  g_strfreev (p->recipients);
  g_free (p);
}

static void
batch_clear (Batch *b)
{
  g_free (b->boot_id);
}

static void
journal_entry_free (CachetJournalEntry *e)
{
  g_free (e->account_id);
  g_strfreev (e->recipients);
  g_free (e);
}

static char *
unescape (const char *field)
{
  /* g_uri_unescape_string() refuses "%00" (and so do we: no field holds a NUL). */
  return g_uri_unescape_string (field, NULL);
}

GHashTable *
_cachet_outbox_journal_parse (const char *text,
                              const char *boot_id)
{
  g_autoptr(GHashTable) parsed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) parsed_free);
  g_autoptr(GArray) batches = g_array_new (FALSE, TRUE, sizeof (Batch));
  GHashTable *entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) journal_entry_free);
  const char *line = text;
  GHashTableIter iter;
  gpointer key, value;

  g_array_set_clear_func (batches, (GDestroyNotify) batch_clear);
  while (line != NULL && *line != '\0')
    {
      const char *end = strchr (line, '\n');
      g_autofree char *copy = NULL;
      g_auto(GStrv) f = NULL;
      guint n;

      if (end == NULL)
        break;  /* cut short */
      copy = g_strndup (line, end - line);
      line = end + 1;
      f = g_strsplit (copy, " ", -1);
      n = g_strv_length (f);
      if (n == 0 || strlen (f[0]) != 1)
        continue;

      if (f[0][0] == 'Q' && n >= 4)
        {
          Parsed *p = g_new0 (Parsed, 1);
          g_autoptr(GPtrArray) rcpts = g_ptr_array_new_with_free_func (g_free);
          gboolean ok = TRUE;

          p->account_id = unescape (f[2]);
          for (guint i = 3; i < n && ok; i++)
            {
              char *r = unescape (f[i]);
              ok = r != NULL && *r != '\0';
              if (r != NULL)
                g_ptr_array_add (rcpts, r);
            }
          g_ptr_array_add (rcpts, NULL);
          p->recipients = (char **) g_ptr_array_free (g_steal_pointer (&rcpts), FALSE);
          p->queued = TRUE;
          p->batch = -1;
          if (!ok || p->account_id == NULL || *p->account_id == '\0')
            {
              parsed_free (p);
              continue;
            }
          g_hash_table_replace (parsed, g_strdup (f[1]), p);
        }
      else if (f[0][0] == 'B' && n >= 2)
        {
          Batch b = { g_strdup (f[1]), FALSE };

          g_array_append_val (batches, b);
          for (guint i = 2; i < n; i++)
            {
              Parsed *p = g_hash_table_lookup (parsed, f[i]);
              if (p != NULL)
                p->batch = (int) batches->len - 1;
            }
        }
      else if (f[0][0] == 'E' && n == 1)
        {
          if (batches->len > 0)
            g_array_index (batches, Batch, batches->len - 1).ended = TRUE;
        }
      else if (n == 2 && strchr ("WRTSF", f[0][0]) != NULL)
        {
          Parsed *p = g_hash_table_lookup (parsed, f[1]);

          if (p == NULL)
            continue;
          switch (f[0][0])
            {
            case 'W':
              p->queued = FALSE;
              break;
            case 'T':
              p->tried = TRUE;
              break;
            case 'S':
              p->sent = TRUE;
              p->tried = FALSE;
              break;
            case 'R':
            case 'F':
            default:
              p->tried = FALSE;
              p->batch = -1;
              break;
            }
        }
    }

  g_hash_table_iter_init (&iter, parsed);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Parsed *p = value;
      CachetJournalEntry *e = g_new0 (CachetJournalEntry, 1);
      Batch *b = p->batch >= 0 ? &g_array_index (batches, Batch, p->batch) : NULL;

      if (!p->queued)
        e->status = CACHET_JOURNAL_NOT_QUEUED;
      else if (p->sent)
        e->status = CACHET_JOURNAL_SENT;
      else if (p->tried)
        e->status = CACHET_JOURNAL_IN_DOUBT;
      else if (b != NULL && !b->ended && g_strcmp0 (b->boot_id, boot_id) != 0)
        e->status = CACHET_JOURNAL_IN_DOUBT;  /* a power cut may have lost its T and S */
      else
        e->status = CACHET_JOURNAL_WAITING;
      e->account_id = g_steal_pointer (&p->account_id);
      e->recipients = g_steal_pointer (&p->recipients);
      g_hash_table_insert (entries, g_strdup (key), e);
    }
  return entries;
}

GHashTable *
_cachet_outbox_journal_read (CachetStore *self,
                             GError     **error)
{
  g_autofree char *path = journal_path (self);
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_get_contents (path, &text, NULL, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_IO, "%s",
                       local_error->message);
          return NULL;
        }
    }
  return _cachet_outbox_journal_parse (text, _cachet_outbox_boot_id ());
}

static void
append_record (GString            *out,
               const char         *kind,
               const char * const *fields)
{
  g_string_append (out, kind);
  for (gsize i = 0; fields[i] != NULL; i++)
    {
      g_string_append_c (out, ' ');
      append_escaped (out, fields[i]);
    }
  g_string_append_c (out, '\n');
}

gboolean
_cachet_outbox_journal_rewrite (CachetStore *self,
                                GHashTable  *live,
                                GError     **error)
{
  g_autofree char *path = journal_path (self);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GList) bases = g_hash_table_get_keys (live);
  int lock_fd;
  gboolean ok;

  lock_fd = take_lock (self, LOCK_EX | LOCK_NB, error);
  if (lock_fd == -2)
    {
      g_debug ("Not tidying the outbox journal: it is in use");
      return TRUE;
    }
  if (lock_fd < 0)
    return FALSE;

  /* In a stable order, so that a test (or a person) can read it. */
  bases = g_list_sort (bases, (GCompareFunc) strcmp);
  for (GList *l = bases; l != NULL; l = l->next)
    {
      const char *base = l->data;
      CachetJournalEntry *e = g_hash_table_lookup (live, base);
      g_autoptr(GPtrArray) fields = g_ptr_array_new ();
      const char *one[] = { base, NULL };

      if (e->status == CACHET_JOURNAL_NOT_QUEUED)
        continue;
      g_ptr_array_add (fields, (gpointer) base);
      g_ptr_array_add (fields, e->account_id);
      for (gsize i = 0; e->recipients[i] != NULL; i++)
        g_ptr_array_add (fields, e->recipients[i]);
      g_ptr_array_add (fields, NULL);
      append_record (text, "Q", (const char * const *) fields->pdata);
      if (e->status == CACHET_JOURNAL_SENT)
        append_record (text, "S", one);
      else if (e->status == CACHET_JOURNAL_IN_DOUBT)
        append_record (text, "T", one);  /* a T with no outcome is a doubt in any boot */
    }

  if (text->len == 0)
    {
      ok = g_unlink (path) == 0 || errno == ENOENT;
      if (!ok)
        _cachet_store_set_io_error (error, errno, _("Removing"), path);
      else
        ok = _cachet_maildir_fsync_dir (self->mail_dir, error);
    }
  else
    {
      ok = g_file_set_contents_full (path, text->str, text->len,
                                     G_FILE_SET_CONTENTS_CONSISTENT
                                     | G_FILE_SET_CONTENTS_DURABLE, 0600, &local_error);
      if (!ok)
        g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_IO, "%s",
                     local_error->message);
    }
  close (lock_fd);
  return ok;
}
