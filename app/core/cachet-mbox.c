/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-mbox"

#include "config.h"

#include "cachet-mbox.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachet-core-error.h"

struct _CachetMboxReader
{
  FILE    *file;
  char    *path;
  goffset  size;
  char    *line;        /* getline buffer */
  size_t   line_cap;
  char    *lookahead;   /* a "From " line read at the end of the previous message */
  char    *envelope;
  gboolean started;
  gboolean eof;
};

static gboolean
is_header_line (const char *line)
{
  const char *p = line;

  while (*p > 32 && *p < 127 && *p != ':')
    p++;
  return p > line && *p == ':';
}

/* A "From " line is a separator only when it looks like an envelope: "From " alone,
 * "From -", "From addr@host ...", "From MAILER-DAEMON ...", or with a time in it.  This
 * keeps "From Russia with love" in a body (unquoted mboxo) from splitting a message. */
static gboolean
looks_like_envelope (const char *line)
{
  const char *rest = line + 5;
  const char *end;
  g_autofree char *token = NULL;

  while (*rest == ' ' || *rest == '\t')
    rest++;
  if (*rest == '\0' || *rest == '\r' || *rest == '\n')
    return TRUE;
  end = rest + strcspn (rest, " \t\r\n");
  token = g_strndup (rest, end - rest);
  if (g_str_equal (token, "-") || strchr (token, '@') != NULL
      || g_ascii_strcasecmp (token, "MAILER-DAEMON") == 0)
    return TRUE;
  for (const char *p = rest; p[0] && p[1] && p[2] && p[3] && p[4]; p++)
    if (g_ascii_isdigit (p[0]) && g_ascii_isdigit (p[1]) && p[2] == ':'
        && g_ascii_isdigit (p[3]) && g_ascii_isdigit (p[4]))
      return TRUE;
  return FALSE;
}

CachetMboxReader *
cachet_mbox_reader_open (const char *path,
                         GError    **error)
{
  g_autoptr(CachetMboxReader) reader = g_new0 (CachetMboxReader, 1);
  GStatBuf st;
  char head[8] = { 0 };
  size_t n;

  reader->path = g_strdup (path);
  reader->file = fopen (path, "rb");
  if (reader->file == NULL)
    {
      int saved = errno;
      g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_IO,
                   _("Cannot open “%s”: %s"), path, g_strerror (saved));
      return NULL;
    }
  if (g_stat (path, &st) == 0)
    reader->size = st.st_size;

  /* Skip a UTF-8 byte order mark; the file must then start with "From ". */
  n = fread (head, 1, 3, reader->file);
  if (!(n == 3 && memcmp (head, "\xEF\xBB\xBF", 3) == 0))
    fseeko (reader->file, 0, SEEK_SET);
  n = fread (head, 1, 5, reader->file);
  if (n > 0 && (n < 5 || memcmp (head, "From ", 5) != 0))
    {
      g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_MBOX,
                   _("“%s” is not an mbox file: it does not start with a “From ” line."),
                   path);
      return NULL;
    }
  fseeko (reader->file, -(off_t) n, SEEK_CUR);
  return g_steal_pointer (&reader);
}

void
cachet_mbox_reader_free (CachetMboxReader *reader)
{
  if (reader == NULL)
    return;
  if (reader->file)
    fclose (reader->file);
  free (reader->line);
  g_free (reader->lookahead);
  g_free (reader->envelope);
  g_free (reader->path);
  g_free (reader);
}

const char *
cachet_mbox_reader_get_envelope (CachetMboxReader *reader)
{
  return reader->envelope;
}

goffset
cachet_mbox_reader_get_offset (CachetMboxReader *reader)
{
  return reader->file ? ftello (reader->file) : 0;
}

goffset
cachet_mbox_reader_get_size (CachetMboxReader *reader)
{
  return reader->size;
}

static gssize
read_line (CachetMboxReader *reader)
{
  ssize_t n = getline (&reader->line, &reader->line_cap, reader->file);
  return n;
}

static gboolean
is_blank (const char *line,
          gsize       len)
{
  return len == 0 || (len == 1 && line[0] == '\n') || (len == 2 && line[0] == '\r'
                                                       && line[1] == '\n');
}

/* With a Content-Length header, check whether the body really ends there (EOF, or a
 * separator right after); only then is it used. */
static gboolean
content_length_fits (CachetMboxReader *reader,
                     goffset           body_start,
                     goffset           length)
{
  char buf[8] = { 0 };
  size_t n;
  goffset end = body_start + length;
  gboolean ok = FALSE;

  if (length < 0 || end > reader->size)
    return FALSE;
  if (end == reader->size)
    return TRUE;
  if (fseeko (reader->file, end, SEEK_SET) != 0)
    return FALSE;
  n = fread (buf, 1, 7, reader->file);
  if (n >= 5 && memcmp (buf, "From ", 5) == 0)
    ok = TRUE;
  else if (n >= 6 && buf[0] == '\n' && memcmp (buf + 1, "From ", 5) == 0)
    ok = TRUE;
  else if (n >= 7 && buf[0] == '\r' && buf[1] == '\n' && memcmp (buf + 2, "From ", 5) == 0)
    ok = TRUE;
  fseeko (reader->file, body_start, SEEK_SET);
  return ok;
}

static void
unquote_from (GByteArray *out,
              const char *line,
              gsize       len)
{
  gsize gt = 0;

  while (gt < len && line[gt] == '>')
    gt++;
  if (gt > 0 && len - gt >= 5 && memcmp (line + gt, "From ", 5) == 0)
    g_byte_array_append (out, (const guint8 *) line + 1, len - 1);
  else
    g_byte_array_append (out, (const guint8 *) line, len);
}

GBytes *
cachet_mbox_reader_next (CachetMboxReader *reader,
                         GCancellable     *cancellable,
                         GError          **error)
{
  g_autoptr(GByteArray) msg = NULL;
  gboolean in_headers = TRUE;
  gboolean prev_blank = FALSE;
  goffset content_length = -1;
  gssize n;

  if (reader->eof)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* The envelope line. */
  g_clear_pointer (&reader->envelope, g_free);
  if (reader->lookahead != NULL)
    reader->envelope = g_steal_pointer (&reader->lookahead);
  else
    {
      n = read_line (reader);
      if (n < 0)
        {
          reader->eof = TRUE;
          if (ferror (reader->file))
            {
              g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_IO,
                           _("Reading “%s” failed."), reader->path);
            }
          return NULL;
        }
      reader->envelope = g_strndup (reader->line, n);
    }
  g_strchomp (reader->envelope);

  msg = g_byte_array_sized_new (4096);
  for (;;)
    {
      n = read_line (reader);
      if (n < 0)
        {
          reader->eof = TRUE;
          if (ferror (reader->file))
            {
              g_set_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_IO,
                           _("Reading “%s” failed."), reader->path);
              return NULL;
            }
          break;
        }

      if (in_headers)
        {
          if (is_blank (reader->line, n))
            {
              in_headers = FALSE;
              g_byte_array_append (msg, (const guint8 *) reader->line, n);
              if (content_length >= 0
                  && content_length_fits (reader, ftello (reader->file), content_length))
                {
                  gsize old = msg->len;
                  g_byte_array_set_size (msg, old + content_length);
                  if (fread (msg->data + old, 1, content_length, reader->file)
                      != (size_t) content_length)
                    g_byte_array_set_size (msg, old);
                  /* Skip the blank line that separates it from the next envelope. */
                  n = read_line (reader);
                  if (n < 0)
                    reader->eof = TRUE;
                  else if (!is_blank (reader->line, n))
                    {
                      reader->lookahead = g_strndup (reader->line, n);
                      break;
                    }
                  n = read_line (reader);
                  if (n < 0)
                    reader->eof = TRUE;
                  else
                    reader->lookahead = g_strndup (reader->line, n);
                  break;
                }
              prev_blank = TRUE;
              continue;
            }
          if (g_ascii_strncasecmp (reader->line, "Content-Length:", 15) == 0)
            content_length = g_ascii_strtoll (reader->line + 15, NULL, 10);
          g_byte_array_append (msg, (const guint8 *) reader->line, n);
          continue;
        }

      if (prev_blank && n >= 5 && memcmp (reader->line, "From ", 5) == 0
          && looks_like_envelope (reader->line))
        {
          /* A separator also needs a header after it; peek at the next line. */
          goffset here = ftello (reader->file);
          g_autofree char *from_line = g_strndup (reader->line, n);
          gssize m = read_line (reader);
          gboolean separator = m < 0 || is_header_line (reader->line)
                               || is_blank (reader->line, m);
          fseeko (reader->file, here, SEEK_SET);
          if (separator)
            {
              /* The blank line before "From " belongs to the mbox, not the message. */
              if (msg->len >= 2 && msg->data[msg->len - 2] == '\r'
                  && msg->data[msg->len - 1] == '\n')
                g_byte_array_set_size (msg, msg->len - 2);
              else if (msg->len >= 1 && msg->data[msg->len - 1] == '\n')
                g_byte_array_set_size (msg, msg->len - 1);
              reader->lookahead = g_steal_pointer (&from_line);
              break;
            }
        }

      prev_blank = is_blank (reader->line, n);
      unquote_from (msg, reader->line, n);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&msg));
}
