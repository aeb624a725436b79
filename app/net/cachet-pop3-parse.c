/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-pop3"

#include "config.h"

#include "cachet-pop3-private.h"

#include <string.h>

#define MAX_UID_LEN 512  /* RFC 1939 says 70; some servers send longer ones */
#define MAX_CODE_LEN 64

void
cachet_pop3_entry_free (CachetPop3Entry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->uidl);
  g_free (entry);
}

char *
_cachet_pop3_sanitize (const char *text,
                       gssize      len,
                       guint       max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (text, len);
  GString *out = g_string_new (NULL);
  guint count = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (count == max_chars)
        {
          g_string_append (out, "…");
          break;
        }
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
      count++;
    }
  return g_string_free (out, FALSE);
}

void
_cachet_pop3_reply_clear (CachetPop3Reply *reply)
{
  g_clear_pointer (&reply->code, g_free);
  g_clear_pointer (&reply->text, g_free);
}

static gboolean
status_word (const char  *line,
             const char  *word,
             const char **rest)
{
  gsize n = strlen (word);

  if (g_ascii_strncasecmp (line, word, n) != 0)
    return FALSE;
  if (line[n] != '\0' && line[n] != ' ')
    return FALSE;
  *rest = line[n] == ' ' ? line + n + 1 : line + n;
  return TRUE;
}

gboolean
_cachet_pop3_reply_parse (const char      *line,
                          CachetPop3Reply *reply)
{
  const char *rest;

  memset (reply, 0, sizeof *reply);
  if (status_word (line, "+OK", &rest))
    reply->kind = CACHET_POP3_REPLY_OK;
  else if (status_word (line, "-ERR", &rest))
    reply->kind = CACHET_POP3_REPLY_ERR;
  else if (status_word (line, "+", &rest))
    reply->kind = CACHET_POP3_REPLY_MORE;
  else
    return FALSE;

  if (rest[0] == '[' && reply->kind != CACHET_POP3_REPLY_MORE)
    {
      const char *end = strchr (rest, ']');

      if (end != NULL && end - rest > 1 && end - rest <= MAX_CODE_LEN)
        {
          g_autofree char *code = g_strndup (rest + 1, end - rest - 1);
          gboolean ok = TRUE;

          for (const char *p = code; *p != '\0'; p++)
            if (*p <= 0x20 || *p >= 0x7f)
              ok = FALSE;
          if (ok)
            reply->code = g_ascii_strup (code, -1);
        }
    }
  reply->text = _cachet_pop3_sanitize (rest, -1, 300);
  return TRUE;
}

char *
_cachet_pop3_greeting_timestamp (const char *greeting)
{
  const char *start;
  const char *p;

  if (greeting == NULL)
    return NULL;
  start = strchr (greeting, '<');
  if (start == NULL)
    return NULL;
  for (p = start + 1; *p != '\0' && *p != '>'; p++)
    if (*p <= 0x20 || *p >= 0x7f || *p == '<')
      return NULL;
  if (*p != '>' || p == start + 1)
    return NULL;
  return g_strndup (start, p - start + 1);
}

static gboolean
parse_number (const char **p,
              guint64      max,
              guint64     *value)
{
  guint64 v = 0;
  const char *q = *p;

  if (!g_ascii_isdigit (*q))
    return FALSE;
  for (; g_ascii_isdigit (*q); q++)
    {
      guint d = *q - '0';

      if (v > (max - d) / 10)
        return FALSE;
      v = v * 10 + d;
    }
  *value = v;
  *p = q;
  return TRUE;
}

gboolean
_cachet_pop3_parse_list_line (const char *line,
                              guint      *number,
                              guint64    *size)
{
  const char *p = line;
  guint64 n, s;

  if (!parse_number (&p, G_MAXUINT, &n) || n == 0 || *p != ' ')
    return FALSE;
  while (*p == ' ')
    p++;
  if (!parse_number (&p, G_MAXUINT64, &s))
    return FALSE;
  if (*p != '\0' && *p != ' ')
    return FALSE;
  *number = (guint) n;
  *size = s;
  return TRUE;
}

gboolean
_cachet_pop3_parse_uidl_line (const char  *line,
                              guint       *number,
                              const char **uid,
                              gsize       *uid_len)
{
  const char *p = line;
  const char *start;
  guint64 n;

  if (!parse_number (&p, G_MAXUINT, &n) || n == 0 || *p != ' ')
    return FALSE;
  while (*p == ' ')
    p++;
  start = p;
  while (*p > 0x20 && *p < 0x7f)
    p++;
  if (p == start || p - start > MAX_UID_LEN)
    return FALSE;
  for (const char *q = p; *q != '\0'; q++)
    if (*q != ' ')
      return FALSE;
  *number = (guint) n;
  *uid = start;
  *uid_len = p - start;
  return TRUE;
}

static gint
compare_number (gconstpointer key,
                gconstpointer element)
{
  guint number = *(const guint *) key;
  const CachetPop3Entry *entry = *(CachetPop3Entry * const *) element;

  return number < entry->number ? -1 : number > entry->number ? 1 : 0;
}

guint
_cachet_pop3_merge_uidl (GPtrArray *entries,
                         GPtrArray *uidl_lines)
{
  g_autofree guint8 *state = g_new0 (guint8, entries->len + 1);  /* 1 seen, 2 repeated, 3 shared */
  g_autoptr(GHashTable) by_uid = g_hash_table_new (g_str_hash, g_str_equal);
  guint refused = 0;

  for (guint i = 0; i < uidl_lines->len; i++)
    {
      const char *line = g_ptr_array_index (uidl_lines, i);
      CachetPop3Entry **found;
      const char *uid;
      gsize uid_len;
      guint number;
      gsize index;

      if (!_cachet_pop3_parse_uidl_line (line, &number, &uid, &uid_len))
        {
          g_debug ("UIDL line refused: %s", line);
          refused++;
          continue;
        }
      found = bsearch (&number, entries->pdata, entries->len, sizeof (gpointer),
                       compare_number);
      if (found == NULL)
        {
          g_debug ("UIDL names message %u, which LIST did not", number);
          refused++;
          continue;
        }
      index = found - (CachetPop3Entry **) entries->pdata;
      if (state[index] != 0)
        {
          /* The same number twice: neither line can be believed. */
          if (state[index] == 1)
            refused++;
          state[index] = 2;
          g_clear_pointer (&(*found)->uidl, g_free);
          continue;
        }
      state[index] = 1;
      (*found)->uidl = g_strndup (uid, uid_len);
    }

  /* A unique id that two messages share tells neither apart. */
  for (guint i = 0; i < entries->len; i++)
    {
      CachetPop3Entry *entry = g_ptr_array_index (entries, i);

      if (entry->uidl != NULL)
        g_hash_table_insert (by_uid, entry->uidl,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (
                               g_hash_table_lookup (by_uid, entry->uidl)) + 1));
    }
  for (guint i = 0; i < entries->len; i++)
    {
      CachetPop3Entry *entry = g_ptr_array_index (entries, i);

      if (entry->uidl != NULL
          && GPOINTER_TO_UINT (g_hash_table_lookup (by_uid, entry->uidl)) > 1)
        state[i] = 3;
    }
  g_hash_table_remove_all (by_uid);
  for (guint i = 0; i < entries->len; i++)
    if (state[i] == 3)
      {
        CachetPop3Entry *entry = g_ptr_array_index (entries, i);

        g_debug ("message %u shares its unique id %s with another", entry->number,
                 entry->uidl);
        refused++;
        g_clear_pointer (&entry->uidl, g_free);
      }
  return refused;
}

enum
{
  DEC_BOL,     /* at the start of a line */
  DEC_MID,     /* inside a line */
  DEC_CR,      /* after a CR inside a line */
  DEC_DOT,     /* after a "." at the start of a line */
  DEC_DOT_CR,  /* after ".\r" at the start of a line */
  DEC_DONE,
};

void
_cachet_pop3_decoder_init (CachetPop3Decoder *decoder)
{
  decoder->state = DEC_BOL;
}

gsize
_cachet_pop3_decoder_feed (CachetPop3Decoder *decoder,
                           const guint8      *in,
                           gsize              len,
                           guint8            *out,
                           gsize             *out_len,
                           gboolean          *done)
{
  int state = decoder->state;
  gsize o = 0;
  gsize i;

  *done = FALSE;
  for (i = 0; i < len && state != DEC_DONE; i++)
    {
      guint8 c = in[i];

      switch (state)
        {
        case DEC_BOL:
          if (c == '.')
            {
              state = DEC_DOT;
              continue;
            }
          break;
        case DEC_CR:
          if (c == '\n')
            {
              out[o++] = '\n';
              state = DEC_BOL;
              continue;
            }
          out[o++] = '\r';   /* a lone CR stays */
          break;
        case DEC_DOT:
          if (c == '\r')
            {
              state = DEC_DOT_CR;
              continue;
            }
          if (c == '\n')
            {
              state = DEC_DONE;
              continue;
            }
          break;             /* dot-stuffed: the first dot goes */
        case DEC_DOT_CR:
          if (c == '\n')
            {
              state = DEC_DONE;
              continue;
            }
          out[o++] = '\r';
          break;
        default:
          break;
        }

      /* An ordinary byte inside a line. */
      if (c == '\r')
        state = DEC_CR;
      else if (c == '\n')
        {
          out[o++] = '\n';
          state = DEC_BOL;
        }
      else
        {
          out[o++] = c;
          state = DEC_MID;
          /* The rest of the line needs no decisions. */
          while (i + 1 < len && in[i + 1] != '\r' && in[i + 1] != '\n')
            out[o++] = in[++i];
        }
    }

  decoder->state = state;
  *done = state == DEC_DONE;
  *out_len = o;
  return i;
}
