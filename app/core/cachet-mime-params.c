/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-mime"

#include "config.h"

#include "cachet-mime-params.h"

#include <stdlib.h>
#include <string.h>

#include "cachet-charset.h"
#include "cachet-header.h"

#define MAX_SECTIONS 1000

typedef struct
{
  int       index;      /* -1 for the unsectioned "name*" */
  gboolean  extended;   /* percent-encoded (trailing '*') */
  char     *value;
} Section;

struct _CachetMimeParams
{
  GHashTable *plain;     /* name -> raw value */
  GHashTable *sections;  /* name -> GPtrArray of Section */
  GPtrArray  *order;     /* names in first-seen order */
};

static void
section_free (gpointer data)
{
  Section *s = data;
  g_free (s->value);
  g_free (s);
}

CachetMimeParams *
cachet_mime_params_new (void)
{
  CachetMimeParams *p = g_new0 (CachetMimeParams, 1);

  p->plain = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  p->sections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
  p->order = g_ptr_array_new_with_free_func (g_free);
  return p;
}

void
cachet_mime_params_free (CachetMimeParams *params)
{
  if (params == NULL)
    return;
  g_hash_table_unref (params->plain);
  g_hash_table_unref (params->sections);
  g_ptr_array_unref (params->order);
  g_free (params);
}

static void
remember (CachetMimeParams *p,
          const char       *name)
{
  for (guint i = 0; i < p->order->len; i++)
    if (g_str_equal (g_ptr_array_index (p->order, i), name))
      return;
  g_ptr_array_add (p->order, g_strdup (name));
}

void
cachet_mime_params_add_raw (CachetMimeParams *params,
                            const char       *name,
                            const char       *value)
{
  g_autofree char *lower = NULL;
  char *star;

  if (name == NULL || value == NULL)
    return;
  lower = g_ascii_strdown (name, -1);
  g_strstrip (lower);
  star = strchr (lower, '*');

  if (star == NULL)
    {
      remember (params, lower);
      if (!g_hash_table_contains (params->plain, lower))
        g_hash_table_insert (params->plain, g_strdup (lower), g_strdup (value));
      return;
    }

  {
    Section *s = g_new0 (Section, 1);
    GPtrArray *list;
    const char *rest = star + 1;

    *star = '\0';
    s->value = g_strdup (value);
    if (*rest == '\0')
      {
        s->index = -1;
        s->extended = TRUE;
      }
    else
      {
        char *end = NULL;
        long n = strtol (rest, &end, 10);
        if (end == rest || n < 0 || n > MAX_SECTIONS)
          {
            section_free (s);
            return;
          }
        s->index = (int) n;
        s->extended = (*end == '*');
      }

    remember (params, lower);
    list = g_hash_table_lookup (params->sections, lower);
    if (list == NULL)
      {
        list = g_ptr_array_new_with_free_func (section_free);
        g_hash_table_insert (params->sections, g_strdup (lower), list);
      }
    g_ptr_array_add (list, s);
  }
}

static int
compare_sections (gconstpointer a,
                  gconstpointer b)
{
  const Section *sa = *(const Section * const *) a;
  const Section *sb = *(const Section * const *) b;
  return sa->index - sb->index;
}

static void
percent_decode_append (GByteArray *out,
                       const char *s)
{
  for (; *s; s++)
    {
      if (*s == '%' && g_ascii_isxdigit (s[1]) && g_ascii_isxdigit (s[2]))
        {
          guint8 b = (guint8) (g_ascii_xdigit_value (s[1]) * 16 + g_ascii_xdigit_value (s[2]));
          g_byte_array_append (out, &b, 1);
          s += 2;
        }
      else
        g_byte_array_append (out, (const guint8 *) s, 1);
    }
}

static char *
join_sections (GPtrArray *list)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autofree char *charset = NULL;
  int expected = 0;

  g_ptr_array_sort (list, compare_sections);
  for (guint i = 0; i < list->len; i++)
    {
      Section *s = g_ptr_array_index (list, i);
      const char *value = s->value;

      if (s->index >= 0)
        {
          /* Stop at a gap; duplicates keep the first. */
          if (s->index < expected)
            continue;
          if (s->index > expected)
            break;
          expected++;
        }

      if (s->extended && (i == 0 || s->index <= 0) && charset == NULL)
        {
          /* charset'language'value */
          const char *q1 = strchr (value, '\'');
          const char *q2 = q1 ? strchr (q1 + 1, '\'') : NULL;
          if (q1 != NULL && q2 != NULL)
            {
              charset = g_strndup (value, q1 - value);
              value = q2 + 1;
            }
        }
      if (s->extended)
        percent_decode_append (bytes, value);
      else
        g_byte_array_append (bytes, (const guint8 *) value, strlen (value));
      if (s->index < 0)
        break;
    }

  if (charset != NULL && *charset != '\0')
    return cachet_charset_to_utf8 ((const char *) bytes->data, bytes->len, charset, NULL);
  /* No charset: may still hold RFC 2047 words or raw UTF-8. */
  {
    g_autofree char *raw = g_strndup ((const char *) bytes->data, bytes->len);
    return cachet_header_decode (raw, NULL);
  }
}

GHashTable *
cachet_mime_params_finish (CachetMimeParams *params)
{
  GHashTable *result = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < params->order->len; i++)
    {
      const char *name = g_ptr_array_index (params->order, i);
      GPtrArray *list = g_hash_table_lookup (params->sections, name);
      const char *plain = g_hash_table_lookup (params->plain, name);
      char *value = NULL;

      if (list != NULL)
        value = join_sections (list);
      if ((value == NULL || *value == '\0') && plain != NULL)
        {
          g_free (value);
          value = cachet_header_decode (plain, NULL);
        }
      if (value != NULL)
        g_hash_table_insert (result, g_strdup (name), value);
    }
  return result;
}
