/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-servers"

#include "config.h"

#include "cachet-test-servers.h"
#include "cachet-test-servers-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Mailbox helpers: messages into and out of Maildirs, made-up messages,
 * comparing sets of messages. */

static gboolean
write_all (int          fd,
           const char  *data,
           gsize        length,
           const char  *path,
           GError     **error)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       "Cannot write %s: %s", path, g_strerror (saved));
          return FALSE;
        }
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

char *
cachet_test_maildir_add (const char  *maildir,
                         const void  *data,
                         gsize        length,
                         GError     **error)
{
  static gint counter;
  g_autofree char *name = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *new_path = NULL;
  gint64 now = g_get_real_time ();
  int fd;

  g_return_val_if_fail (maildir != NULL, NULL);
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  /* time.MusecPpidQn.host, as delivery agents name them */
  name = g_strdup_printf ("%" G_GINT64_FORMAT ".M%06dP%dQ%d.cachet-test",
                          now / G_USEC_PER_SEC, (int) (now % G_USEC_PER_SEC),
                          (int) getpid (), g_atomic_int_add (&counter, 1));
  tmp_path = g_build_filename (maildir, "tmp", name, NULL);
  new_path = g_build_filename (maildir, "new", name, NULL);

  fd = open (tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Cannot create %s: %s", tmp_path, g_strerror (saved));
      return NULL;
    }
  /* readable by the server whatever the umask: one unreadable file makes
   * Dovecot refuse the whole login */
  if (fchmod (fd, 0644) != 0 || !write_all (fd, data, length, tmp_path, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                     "Cannot chmod %s: %s", tmp_path, g_strerror (errno));
      close (fd);
      unlink (tmp_path);
      return NULL;
    }
  close (fd);
  if (rename (tmp_path, new_path) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Cannot move %s to new/: %s", tmp_path, g_strerror (saved));
      unlink (tmp_path);
      return NULL;
    }
  return g_steal_pointer (&new_path);
}

static const CachetTestUser *
lookup_user (CachetTestServers  *servers,
             const char         *user,
             GError            **error)
{
  const CachetTestUser *u = cachet_test_servers_get_user (servers, user);

  if (u == NULL)
    g_set_error (error, CACHET_TEST_SERVERS_ERROR, CACHET_TEST_SERVERS_ERROR_FAILED,
                 "No test user %s", user);
  return u;
}

char *
cachet_test_servers_add_message (CachetTestServers  *servers,
                                 const char         *user,
                                 GBytes             *message,
                                 GError            **error)
{
  const CachetTestUser *u = lookup_user (servers, user, error);
  gsize length;
  const void *data;

  if (u == NULL)
    return NULL;
  data = g_bytes_get_data (message, &length);
  return cachet_test_maildir_add (u->maildir, data != NULL ? data : "", length, error);
}

gboolean
cachet_test_servers_fill (CachetTestServers  *servers,
                          const char         *user,
                          guint               first_index,
                          guint               n,
                          gsize               size,
                          GError            **error)
{
  const CachetTestUser *u = lookup_user (servers, user, error);

  if (u == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) message = cachet_test_message_new (first_index + i, size);
      g_autofree char *path = NULL;
      gsize length;
      const void *data = g_bytes_get_data (message, &length);

      path = cachet_test_maildir_add (u->maildir, data, length, error);
      if (path == NULL)
        return FALSE;
    }
  return TRUE;
}

/* --- Made-up messages --------------------------------------------------------- */

static const char *const words[] = {
  "mail", "server", "letter", "Grüße", "naïve", "window", "kettle", "river", "paper",
  "seventeen", "über", "café", "a", "the", "of", "and", "delivery", "postman",
  "envelope", "stamp", "Zürich", "garden", "cachet", "morning", "evening", "tea",
};

GBytes *
cachet_test_message_new (guint index,
                         gsize size)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (index * 2654435761u + 1);
  g_autoptr(GDateTime) base = g_date_time_new_utc (2024, 3, 1, 9, 0, 0);
  g_autoptr(GDateTime) date = g_date_time_add_seconds (base, (double) index * 61);
  g_autofree char *date_text = g_date_time_format (date, "%a, %d %b %Y %H:%M:%S +0000");
  GString *s = g_string_sized_new (size + 512);
  gboolean long_line_done = FALSE;
  guint line = 0;

  g_string_append_printf (s,
                          "Return-Path: <alice@example.test>\n"
                          "From: Alice Example <alice@example.test>\n"
                          "To: Bob Example <bob@example.test>\n"
                          "Subject: Test message %u\n"
                          "Date: %s\n"
                          "Message-ID: <cachet-test-%u@example.test>\n"
                          "X-Cachet-Test-Index: %u\n"
                          "MIME-Version: 1.0\n"
                          "Content-Type: text/plain; charset=utf-8\n"
                          "Content-Transfer-Encoding: 8bit\n"
                          "\n"
                          "Message %u.\n"
                          ".A line that starts with a dot (dot-stuffed in POP3).\n"
                          "..Two dots.\n",
                          index, date_text, index, index, index);
  while (s->len < size)
    {
      gsize start = s->len;
      gsize width = 60 + (gsize) g_rand_int_range (rand, 0, 16);

      line++;
      if (line == 20)
        {
          /* a line of one dot, the POP3 end marker when not stuffed */
          g_string_append (s, ".\n");
          continue;
        }
      if (!long_line_done && line == 40)
        {
          width = 900;
          long_line_done = TRUE;
        }
      while (s->len - start < width)
        {
          if (s->len > start)
            g_string_append_c (s, ' ');
          g_string_append (s, words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
        }
      g_string_append_c (s, '\n');
    }
  g_string_append_printf (s, "End of message %u.\n", index);
  return g_string_free_to_bytes (s);
}

/* --- Reading and comparing ------------------------------------------------------ */

static gint
bytes_cmp (gconstpointer a,
           gconstpointer b)
{
  return g_bytes_compare (*(GBytes * const *) a, *(GBytes * const *) b);
}

/* A file listed but gone before it is read (a server renaming it: new/ to cur/, or to add
 * flags) counts in @vanished, so that the caller reads again. */
static gboolean
read_subdir (const char  *maildir,
             const char  *sub,
             GPtrArray   *out,
             guint       *vanished,
             GError     **error)
{
  g_autofree char *path = g_build_filename (maildir, sub, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      char *contents;
      gsize length;

      g_autoptr(GError) local_error = NULL;

      if (name[0] == '.')
        continue;
      if (!g_file_test (file, G_FILE_TEST_EXISTS))
        {
          (*vanished)++;
          continue;
        }
      if (!g_file_test (file, G_FILE_TEST_IS_REGULAR))
        continue;
      if (!g_file_get_contents (file, &contents, &length, &local_error))
        {
          if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            {
              (*vanished)++;
              continue;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_ptr_array_add (out, g_bytes_new_take (contents, length));
    }
  return TRUE;
}

GPtrArray *
cachet_test_maildir_read (const char  *maildir,
                          GError     **error)
{
  /* A live server may be renaming files while they are read: read again until a pass
   * sees every file it listed. */
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(GPtrArray) out =
        g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      guint vanished = 0;

      if (!read_subdir (maildir, "new", out, &vanished, error)
          || !read_subdir (maildir, "cur", out, &vanished, error))
        return NULL;
      if (vanished == 0 || attempt == 50)
        {
          if (vanished > 0)
            g_warning ("%s: files kept vanishing while it was read", maildir);
          g_ptr_array_sort (out, bytes_cmp);
          return g_steal_pointer (&out);
        }
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
    }
}

static guint
count_subdir (const char *maildir,
              const char *sub)
{
  g_autofree char *path = g_build_filename (maildir, sub, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      n++;
  return n;
}

guint
cachet_test_maildir_count (const char *maildir)
{
  return count_subdir (maildir, "new") + count_subdir (maildir, "cur");
}

GPtrArray *
cachet_test_servers_read_mailbox (CachetTestServers  *servers,
                                  const char         *user,
                                  GError            **error)
{
  const CachetTestUser *u = lookup_user (servers, user, error);

  return u != NULL ? cachet_test_maildir_read (u->maildir, error) : NULL;
}

gboolean
cachet_test_maildir_wait_for (const char *maildir,
                              guint       n,
                              guint       timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (cachet_test_maildir_count (maildir) < n)
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_usleep (20 * 1000);
    }
  return TRUE;
}

static GBytes *
lf_only (GBytes *bytes)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  GString *s;

  if (data == NULL || memmem (data, length, "\r\n", 2) == NULL)
    return g_bytes_ref (bytes);
  s = g_string_sized_new (length);
  for (gsize i = 0; i < length; i++)
    if (!(data[i] == '\r' && i + 1 < length && data[i + 1] == '\n'))
      g_string_append_c (s, data[i]);
  return g_string_free_to_bytes (s);
}

static GPtrArray *
prepared (GPtrArray              *messages,
          CachetTestCompareFlags  flags)
{
  GPtrArray *out = g_ptr_array_new_full (messages->len, (GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < messages->len; i++)
    {
      GBytes *b = g_ptr_array_index (messages, i);

      g_ptr_array_add (out, (flags & CACHET_TEST_COMPARE_LINE_ENDS) ? lf_only (b)
                                                                     : g_bytes_ref (b));
    }
  g_ptr_array_sort (out, bytes_cmp);
  return out;
}

/* The Message-ID of a message, or its first bytes, for a diagnostic. */
static char *
describe (GBytes *message)
{
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  const char *id = data != NULL ? g_strstr_len (data, (gssize) length, "Message-ID:") : NULL;
  gsize n;

  if (id != NULL)
    {
      const char *end = memchr (id, '\n', length - (gsize) (id - data));

      n = end != NULL ? (gsize) (end - id) : length - (gsize) (id - data);
      return g_strdup_printf ("%.*s (%" G_GSIZE_FORMAT " bytes)", (int) MIN (n, 200), id, length);
    }
  {
    g_autofree char *head = g_strndup (data != NULL ? data : "", MIN (length, 60));
    g_autofree char *escaped = g_strescape (head, NULL);

    return g_strdup_printf ("\"%s\" (%" G_GSIZE_FORMAT " bytes)", escaped, length);
  }
}

gboolean
cachet_test_messages_equal (GPtrArray               *a,
                            GPtrArray               *b,
                            CachetTestCompareFlags   flags,
                            char                   **why)
{
  g_autoptr(GPtrArray) x = prepared (a, flags);
  g_autoptr(GPtrArray) y = prepared (b, flags);
  g_autoptr(GString) diff = g_string_new (NULL);
  guint i = 0, j = 0, only_a = 0, only_b = 0;

  while (i < x->len || j < y->len)
    {
      int c;

      if (i == x->len)
        c = 1;
      else if (j == y->len)
        c = -1;
      else
        c = g_bytes_compare (g_ptr_array_index (x, i), g_ptr_array_index (y, j));
      if (c == 0)
        {
          i++;
          j++;
          continue;
        }
      if (c < 0)
        {
          if (only_a++ < 3)
            {
              g_autofree char *d = describe (g_ptr_array_index (x, i));
              g_string_append_printf (diff, "; only in the first: %s", d);
            }
          i++;
        }
      else
        {
          if (only_b++ < 3)
            {
              g_autofree char *d = describe (g_ptr_array_index (y, j));
              g_string_append_printf (diff, "; only in the second: %s", d);
            }
          j++;
        }
    }
  if (only_a == 0 && only_b == 0)
    return TRUE;
  if (why != NULL)
    *why = g_strdup_printf ("%u messages against %u; %u only in the first, %u only in the second%s",
                            x->len, y->len, only_a, only_b, diff->str);
  return FALSE;
}
