/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-draft"

#include "config.h"

#include "cachet-draft-private.h"

#include <string.h>

#include "cachet-address.h"
#include "cachet-charset.h"

/* How the parts of an outgoing message are written.  libetpan's writers fold header values
 * again at every space (runs of white space become one space), put a display name made of
 * several words in quotes (where RFC 2047 forbids encoded words) and quote every MIME
 * parameter value (RFC 2231 extended values must not be quoted); its quoted-printable
 * writer doubles a space before a line end.  So the values handed to libetpan are made
 * here, in a form its writers keep intact: tokens of at most 76 characters separated by
 * single spaces, and bodies already encoded. */

/* ---- RFC 2047 encoded words ---------------------------------------------------------- */

#define WORD_OVERHEAD 12  /* "=?utf-8?q?" and "?=" */

/* Characters Q encoding may leave as they are in any header, phrases included (RFC 2047
 * section 5 (3)). */
static gboolean
q_literal (guchar c)
{
  return g_ascii_isalnum (c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

static gsize
q_cost (const char *p,
        gsize       n)
{
  gsize cost = 0;

  for (gsize i = 0; i < n; i++)
    cost += q_literal ((guchar) p[i]) || p[i] == ' ' ? 1 : 3;
  return cost;
}

static void
append_q (GString    *out,
          const char *p,
          gsize       n)
{
  for (gsize i = 0; i < n; i++)
    {
      guchar c = (guchar) p[i];

      if (c == ' ')
        g_string_append_c (out, '_');
      else if (q_literal (c))
        g_string_append_c (out, (char) c);
      else
        g_string_append_printf (out, "=%02X", c);
    }
}

/* @text (valid UTF-8, not empty) as encoded words joined by @separator: the first at most
 * @first_max characters long, the others at most @max.  Q or B, whichever is shorter for
 * the whole text; a word always ends at a character boundary. */
static void
append_encoded_words (GString    *out,
                      const char *text,
                      gsize       first_max,
                      gsize       max,
                      const char *separator)
{
  gsize len = strlen (text);
  gboolean use_b = 4 * ((len + 2) / 3) < q_cost (text, len);
  const char *p = text;
  gsize limit = first_max;
  gboolean first = TRUE;

  /* Room for the widest character (4 bytes in Q: 12 characters) or leave it to folding. */
  if (limit < WORD_OVERHEAD + 12 || limit > max)
    limit = max;

  while (*p != '\0')
    {
      const char *start = p;
      gsize bytes = 0;
      gsize cost = 0;

      while (*p != '\0')
        {
          const char *next = g_utf8_next_char (p);
          gsize n = next - p;
          gsize new_cost = use_b ? 4 * ((bytes + n + 2) / 3) : cost + q_cost (p, n);

          if (bytes > 0 && WORD_OVERHEAD + new_cost > limit)
            break;
          cost = new_cost;
          bytes += n;
          p = next;
        }

      if (!first)
        g_string_append (out, separator);
      if (use_b)
        {
          g_autofree char *b64 = g_base64_encode ((const guchar *) start, bytes);
          g_string_append_printf (out, "=?utf-8?b?%s?=", b64);
        }
      else
        {
          g_string_append (out, "=?utf-8?q?");
          append_q (out, start, bytes);
          g_string_append (out, "?=");
        }
      first = FALSE;
      limit = max;
    }
}

/* Valid UTF-8 on one line: line breaks would end the header, and readers show other
 * control characters (tabs included) as spaces anyway. */
char *
_cachet_draft_header_text (const char *text)
{
  char *clean = cachet_utf8_make_valid_len (text != NULL ? text : "", -1);

  for (char *p = clean; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  return clean;
}

static gboolean
plain_word (const char *word,
            gsize       max)
{
  gsize n = strlen (word);

  if (n == 0 || n > max)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if ((guchar) word[i] < 0x21 || (guchar) word[i] > 0x7e)
      return FALSE;
  /* Text that looks like an encoded word would be decoded by the reader. */
  return strstr (word, "=?") == NULL && strstr (word, "?=") == NULL;
}

char *
_cachet_draft_encode_unstructured (const char *text,
                                   gsize       first_room)
{
  g_autofree char *clean = _cachet_draft_header_text (text);
  g_auto(GStrv) words = g_strsplit (clean, " ", -1);
  guint n = g_strv_length (words);
  g_autofree gboolean *plain = g_new0 (gboolean, MAX (n, 1));
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    plain[i] = plain_word (words[i], i == 0 ? MIN (first_room, CACHET_DRAFT_MAX_WORD)
                                            : CACHET_DRAFT_MAX_WORD);
  /* An empty word is a space more than one between words, or a space at either end: only
   * inside an encoded word does it survive folding.  Its neighbour goes with it, so that
   * no encoded word is empty. */
  for (guint i = 0; i < n; i++)
    if (*words[i] == '\0')
      {
        if (i + 1 < n)
          plain[i + 1] = FALSE;
        else if (i > 0)
          plain[i - 1] = FALSE;
      }

  /* Plain words and runs of encoded ones, separated by one literal space each; the
   * spaces inside a run are encoded (white space between encoded words is ignored). */
  for (guint i = 0; i < n;)
    {
      g_autoptr(GString) run = NULL;
      guint j;

      if (out->len > 0)
        g_string_append_c (out, ' ');
      if (plain[i])
        {
          g_string_append (out, words[i]);
          i++;
          continue;
        }
      run = g_string_new (NULL);
      for (j = i; j < n && !plain[j]; j++)
        {
          if (j > i)
            g_string_append_c (run, ' ');
          g_string_append (run, words[j]);
        }
      if (run->len > 0)
        append_encoded_words (out, run->str, i == 0 ? first_room : CACHET_DRAFT_MAX_WORD,
                              CACHET_DRAFT_MAX_WORD, " ");
      else if (out->len > 0)
        g_string_truncate (out, out->len - 1);
      i = j;
    }
  return g_string_free (out, FALSE);
}

gboolean
_cachet_draft_is_atext (guchar c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

char *
_cachet_draft_encode_phrase (const char *name,
                             gsize       first_room)
{
  g_autofree char *clean = _cachet_draft_header_text (name);
  g_auto(GStrv) words = g_strsplit (clean, " ", -1);
  gboolean ascii = strstr (clean, "=?") == NULL && strstr (clean, "?=") == NULL;
  gboolean atoms = TRUE;
  GString *out;

  for (char **w = words; *w != NULL && ascii; w++)
    {
      /* Runs of spaces and very long words would not survive folding. */
      if (**w == '\0' || strlen (*w) > 70)
        ascii = FALSE;
      for (const char *p = *w; *p; p++)
        {
          if ((guchar) *p < 0x20 || (guchar) *p > 0x7e)
            ascii = FALSE;
          if (!_cachet_draft_is_atext ((guchar) *p))
            atoms = FALSE;
        }
    }
  if (ascii && atoms)
    return g_steal_pointer (&clean);

  out = g_string_new (NULL);
  if (ascii)
    {
      g_string_append_c (out, '"');
      for (const char *p = clean; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else if (*clean != '\0')
    append_encoded_words (out, clean, first_room, CACHET_DRAFT_MAX_WORD, " ");
  return g_string_free (out, FALSE);
}

char *
_cachet_draft_format_mailbox (const char *name,
                              const char *address,
                              gsize       first_room)
{
  g_autofree char *phrase = NULL;

  if (name == NULL || *name == '\0')
    return g_strdup (address);
  phrase = _cachet_draft_encode_phrase (name, first_room);
  if (*phrase == '\0')
    return g_strdup (address);
  return g_strdup_printf ("%s <%s>", phrase, address);
}

char *
_cachet_draft_format_address_list (GPtrArray *addresses,
                                   gsize      first_room)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < addresses->len; i++)
    {
      CachetAddress *a = g_ptr_array_index (addresses, i);
      g_autofree char *one = _cachet_draft_format_mailbox (a->name, a->email,
                                                           i == 0 ? first_room
                                                                  : CACHET_DRAFT_MAX_WORD);
      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, one);
    }
  return g_string_free (out, FALSE);
}

/* ---- MIME parameters ---------------------------------------------------------------- */

gboolean
_cachet_draft_filename_is_simple (const char *filename)
{
  gsize n = filename != NULL ? strlen (filename) : 0;

  if (n == 0 || n > 60 || filename[0] == ' ' || filename[n - 1] == ' ')
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if ((guchar) filename[i] < 0x20 || (guchar) filename[i] > 0x7e
        || filename[i] == '"' || filename[i] == '\\')
      return FALSE;
  /* Readers fold runs of white space in quoted strings. */
  return strstr (filename, "=?") == NULL && strstr (filename, "  ") == NULL;
}

/* RFC 2231 attribute-char: anything but specials, space, controls, "*", "'" and "%". */
static gboolean
attribute_char (guchar c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$&+-.^_`|~", c) != NULL);
}

#define SECTION_ROOM 60

char *
_cachet_draft_format_disposition (const char *disposition,
                                  const char *filename)
{
  g_autofree char *clean = _cachet_draft_header_text (filename);
  g_autoptr(GPtrArray) chars = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (disposition);
  gsize total = strlen ("utf-8''");

  /* Each character percent-encoded on its own, so that sections end between characters. */
  for (const char *p = clean; *p; p = g_utf8_next_char (p))
    {
      GString *one = g_string_new (NULL);

      for (const char *b = p; b < g_utf8_next_char (p); b++)
        {
          if (attribute_char ((guchar) *b))
            g_string_append_c (one, *b);
          else
            g_string_append_printf (one, "%%%02X", (guchar) *b);
        }
      total += one->len;
      g_ptr_array_add (chars, g_string_free (one, FALSE));
    }

  if (total <= SECTION_ROOM)
    {
      g_string_append (out, ";\r\n filename*=utf-8''");
      for (guint i = 0; i < chars->len; i++)
        g_string_append (out, g_ptr_array_index (chars, i));
      return g_string_free (out, FALSE);
    }

  /* Continuations (RFC 2231 section 3), each on its own line. */
  for (guint i = 0, section = 0; i < chars->len; section++)
    {
      gsize room = SECTION_ROOM;

      g_string_append_printf (out, ";\r\n filename*%u*=", section);
      if (section == 0)
        {
          g_string_append (out, "utf-8''");
          room -= strlen ("utf-8''");
        }
      for (gsize used = 0; i < chars->len; i++)
        {
          const char *one = g_ptr_array_index (chars, i);

          if (used > 0 && used + strlen (one) > room)
            break;
          g_string_append (out, one);
          used += strlen (one);
        }
    }
  return g_string_free (out, FALSE);
}

char *
_cachet_draft_encode_param_words (const char *value)
{
  g_autofree char *clean = _cachet_draft_header_text (value);
  GString *out = g_string_new (NULL);

  /* ' name="' comes first on its line, the closing quote and ";" after the last word. */
  if (*clean != '\0')
    append_encoded_words (out, clean, 68, 68, "\r\n ");
  return g_string_free (out, FALSE);
}

/* ---- bodies ------------------------------------------------------------------------- */

#define FLOWED_WIDTH 72

/* Where the next line of a flowed paragraph ends: all of @p when it fits in @width
 * characters, else just after the last space within @width, else (one long word) just after
 * the next space, else at the end. */
static const char *
flowed_segment_end (const char *p,
                    gsize       width)
{
  const char *q = p;
  const char *after_space = NULL;
  gsize chars = 0;

  while (*q != '\0' && chars < width)
    {
      if (*q == ' ')
        after_space = q + 1;
      q = g_utf8_next_char (q);
      chars++;
    }
  if (*q == '\0')
    return q;
  if (*q == ' ')
    after_space = q + 1;
  /* "-- " alone on a line would read as the signature separator, which never flows. */
  if (after_space != NULL && !(after_space - p == 3 && strncmp (p, "-- ", 3) == 0))
    return after_space;
  q = strchr (q, ' ');
  return q != NULL ? q + 1 : p + strlen (p);
}

static void
append_flowed_line (GString    *out,
                    const char *line)
{
  g_autofree char *text = NULL;
  const char *content;
  gsize depth = 0;
  gsize len;
  gsize width;

  if (strcmp (line, "-- ") == 0)
    {
      g_string_append (out, "-- \n");
      return;
    }
  while (line[depth] == '>')
    depth++;
  content = line + depth;
  if (depth > 0 && *content == ' ')
    content++;

  /* A space before a hard break would make it soft (RFC 3676 4.2). */
  text = g_strdup (content);
  len = strlen (text);
  while (len > 0 && text[len - 1] == ' ')
    text[--len] = '\0';
  if (len == 0)
    {
      for (gsize i = 0; i < depth; i++)
        g_string_append_c (out, '>');
      g_string_append_c (out, '\n');
      return;
    }

  width = depth + 1 + 30 < FLOWED_WIDTH ? FLOWED_WIDTH - (depth > 0 ? depth + 1 : 0) : 30;
  for (const char *p = text; *p != '\0';)
    {
      const char *end = flowed_segment_end (p, width);

      if (depth > 0)
        {
          for (gsize i = 0; i < depth; i++)
            g_string_append_c (out, '>');
          g_string_append_c (out, ' ');
        }
      else if (*p == ' ' || *p == '>' || g_str_has_prefix (p, "From "))
        g_string_append_c (out, ' ');  /* space-stuffing (RFC 3676 4.4) */
      g_string_append_len (out, p, end - p);
      g_string_append_c (out, '\n');
      p = end;
    }
}

char *
_cachet_draft_flowed_encode (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  GString *out = g_string_new (NULL);

  for (char **l = lines; *l != NULL; l++)
    {
      /* After a final line break there is no further line. */
      if (l[1] == NULL && **l == '\0')
        break;
      append_flowed_line (out, *l);
    }
  return g_string_free (out, FALSE);
}

#define QP_MAX 75  /* characters before the soft break's "=" */

char *
_cachet_draft_qp_encode (const char *data,
                         gsize       len)
{
  GString *out = g_string_sized_new (len + len / 8 + 4);
  gsize col = 0;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) data[i];
      gboolean literal = FALSE;

      if (c == '\n')
        {
          g_string_append_c (out, '\n');
          col = 0;
          continue;
        }
      for (int pass = 0; pass < 2; pass++)
        {
          gboolean at_end = i + 1 == len || data[i + 1] == '\n';

          if (c == ' ' || c == '\t')
            literal = !at_end;  /* white space before a line end would be lost */
          else
            literal = c >= 33 && c <= 126 && c != '=';
          /* "From " is mangled by mbox tools, a lone "." by broken SMTP code. */
          if (col == 0 && (c == '.' || (c == 'F' && len - i >= 5
                                        && memcmp (data + i, "From ", 5) == 0)))
            literal = FALSE;
          if (col + (literal ? 1 : 3) <= QP_MAX)
            break;
          g_string_append (out, "=\n");
          col = 0;
        }
      if (literal)
        g_string_append_c (out, (char) c);
      else
        g_string_append_printf (out, "=%02X", c);
      col += literal ? 1 : 3;
    }
  /* The part ends with a line break; a soft one when the data has none. */
  if (len > 0 && data[len - 1] != '\n')
    g_string_append (out, "=\n");
  return g_string_free (out, FALSE);
}

char *
_cachet_draft_base64_encode (const guint8 *data,
                             gsize         len)
{
  g_autofree char *flat = g_base64_encode (data, len);
  gsize n = strlen (flat);
  GString *out = g_string_sized_new (n + n / 76 + 2);

  for (gsize i = 0; i < n; i += 76)
    {
      g_string_append_len (out, flat + i, MIN (76, n - i));
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}
