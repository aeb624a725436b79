/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-draft"

#include "config.h"

#include "cachet-draft.h"
#include "cachet-draft-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-address.h"

/* Prefixes that mail programs put before a subject, in the languages seen most: a reply
 * ("Re:", German "AW:", Scandinavian "Sv:", Dutch "Antw:", Finnish "VS:", Polish "Odp:",
 * Italian "R:", ...) and a forward ("Fwd:", "Fw:", German "WG:", French "TR:", Spanish
 * "RV:", ...).  Compared without case, followed by an optional counter ("Re[2]:", "Re^2:")
 * and a colon (ASCII or full-width). */
static const char * const reply_prefixes[] = {
  "re", "aw", "antw", "antwort", "sv", "svar", "vs", "vast", "odp", "ynt", "res", "rif", "r",
  "atb", "ats", "odg", "απ", "σχετ", "отв", "ответ", "回复", "回覆", "答复", NULL
};

static const char * const forward_prefixes[] = {
  "fwd", "fw", "wg", "tr", "rv", "enc", "pd", "vl", "vb", "doorst", "fs", "továbbítás",
  "πρθ", "пересл", "转发", "轉寄", NULL
};

/* Length of the prefix at @s, or 0. */
static gsize
prefix_length (const char         *s,
               const char * const *prefixes)
{
  const char *p = s;
  const char *q;
  g_autofree char *word = NULL;
  gboolean known = FALSE;

  while (*p != '\0' && g_unichar_isalpha (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  if (p == s)
    return 0;
  word = g_utf8_casefold (s, p - s);
  for (const char * const *k = prefixes; *k != NULL && !known; k++)
    {
      g_autofree char *folded = g_utf8_casefold (*k, -1);
      known = g_str_equal (word, folded);
    }
  if (!known)
    return 0;

  q = p;
  if (*q == '[' || *q == '(')
    {
      char close = *q == '[' ? ']' : ')';
      const char *digits = ++q;

      while (g_ascii_isdigit (*q))
        q++;
      if (q == digits || *q != close)
        return 0;
      q++;
    }
  else if (*q == '^')
    {
      const char *digits = ++q;

      while (g_ascii_isdigit (*q))
        q++;
      if (q == digits)
        return 0;
    }
  while (*q == ' ')
    q++;  /* French typography: "Re :" */
  if (*q == ':')
    return q + 1 - s;
  if (g_str_has_prefix (q, "\xef\xbc\x9a"))  /* full-width colon */
    return q + 3 - s;
  return 0;
}

static char *
strip_prefixes (const char         *subject,
                const char * const *prefixes)
{
  const char *p = subject != NULL ? subject : "";

  for (;;)
    {
      gsize n;

      while (g_ascii_isspace (*p))
        p++;
      n = prefix_length (p, prefixes);
      if (n == 0)
        break;
      p += n;
    }
  return g_strdup (p);
}

char *
_cachet_draft_strip_reply_prefixes (const char *subject)
{
  return strip_prefixes (subject, reply_prefixes);
}

char *
_cachet_draft_strip_forward_prefixes (const char *subject)
{
  return strip_prefixes (subject, forward_prefixes);
}

static char *
with_prefix (const char *prefix,
             const char *rest)
{
  return *rest != '\0' ? g_strdup_printf ("%s %s", prefix, rest) : g_strdup (prefix);
}

/* ---- recipients --------------------------------------------------------------------- */

static gboolean
is_own (const char         *email,
        const char * const *own_addresses)
{
  for (guint i = 0; own_addresses != NULL && own_addresses[i] != NULL; i++)
    if (g_ascii_strcasecmp (email, own_addresses[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
add_unique (GPtrArray          *out,
            GHashTable         *seen,
            GPtrArray          *addresses,
            const char * const *own_addresses)
{
  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      CachetAddress *a = g_ptr_array_index (addresses, i);

      if (a->email == NULL || is_own (a->email, own_addresses))
        continue;
      if (!g_hash_table_add (seen, g_ascii_strdown (a->email, -1)))
        continue;
      g_ptr_array_add (out, cachet_address_copy (a));
    }
}

static gboolean
all_own (GPtrArray          *addresses,
         const char * const *own_addresses)
{
  for (guint i = 0; i < addresses->len; i++)
    {
      CachetAddress *a = g_ptr_array_index (addresses, i);
      if (a->email == NULL || !is_own (a->email, own_addresses))
        return FALSE;
    }
  return addresses->len > 0;
}

static void
set_reply_recipients (CachetDraft        *draft,
                      CachetMessage      *original,
                      gboolean            all,
                      const char * const *own_addresses)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) to = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_address_free);
  g_autoptr(GPtrArray) cc = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_address_free);
  GPtrArray *reply_to = cachet_message_get_reply_to (original);
  GPtrArray *from = cachet_message_get_from (original);
  GPtrArray *primary = reply_to->len > 0 ? reply_to : from;
  gboolean mine = reply_to->len == 0 && all_own (from, own_addresses);
  g_autofree char *to_text = NULL;
  g_autofree char *cc_text = NULL;

  /* A reply to one's own message goes to the people it was sent to. */
  if (mine)
    primary = cachet_message_get_to (original);
  add_unique (to, seen, primary, own_addresses);
  if (to->len == 0)
    {
      /* Sent to oneself only: back to the sender after all. */
      add_unique (to, seen, from, NULL);
    }
  if (all)
    {
      if (!mine)
        add_unique (cc, seen, cachet_message_get_to (original), own_addresses);
      add_unique (cc, seen, cachet_message_get_cc (original), own_addresses);
    }

  to_text = _cachet_draft_format_for_editing (to);
  cc_text = _cachet_draft_format_for_editing (cc);
  cachet_draft_set_to (draft, *to_text != '\0' ? to_text : NULL);
  cachet_draft_set_cc (draft, *cc_text != '\0' ? cc_text : NULL);
}

/* References of the original plus its Message-ID (RFC 5322 3.6.4); long chains keep the
 * first and the latest. */
#define MAX_REFERENCES 20

static void
set_reply_references (CachetDraft   *draft,
                      CachetMessage *original)
{
  const char * const *refs = cachet_message_get_references (original);
  const char *id = cachet_message_get_message_id (original);
  const char *parent = cachet_message_get_in_reply_to (original);
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  GPtrArray *ids = g_ptr_array_new ();

  for (guint i = 0; refs != NULL && refs[i] != NULL; i++)
    g_ptr_array_add (chain, (gpointer) refs[i]);
  if (chain->len == 0 && parent != NULL)
    g_ptr_array_add (chain, (gpointer) parent);
  if (id != NULL)
    g_ptr_array_add (chain, (gpointer) id);

  for (guint i = 0; i < chain->len; i++)
    if (i == 0 || i + (MAX_REFERENCES - 1) >= chain->len)
      g_ptr_array_add (ids, g_strdup (g_ptr_array_index (chain, i)));
  g_ptr_array_add (ids, NULL);
  cachet_draft_set_references (draft, (const char * const *) ids->pdata);
  g_strfreev ((GStrv) g_ptr_array_free (ids, FALSE));
  cachet_draft_set_in_reply_to (draft, id);
}

/* ---- body --------------------------------------------------------------------------- */

static const char *
sender_name (CachetMessage *message)
{
  GPtrArray *from = cachet_message_get_from (message);

  if (from->len == 0)
    return _("Someone");
  return cachet_address_get_display (g_ptr_array_index (from, 0));
}

/* The text as the viewer shows it, each line quoted once more (">" before a quoted line,
 * "> " before others), without the signature and trailing blank lines.  Paragraphs of
 * format=flowed mail are single lines here; sending flows them again. */
static void
append_quoted (GString    *out,
               const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (lines[i], "-- "))
      n = i;
  while (n > 0)
    {
      g_autofree char *blank = g_strstrip (g_strdup (lines[n - 1]));
      if (*blank != '\0')
        break;
      n--;
    }
  for (guint i = 0; i < n; i++)
    {
      const char *line = lines[i];

      if (line[0] == '>')
        g_string_append_printf (out, ">%s\n", line);
      else if (line[0] == '\0')
        g_string_append (out, ">\n");
      else
        g_string_append_printf (out, "> %s\n", line);
    }
}

static char *
format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (date);
  /* Translators: the date in a reply's attribution and a forwarded message's header. */
  return g_date_time_format (local, _("%a, %d %b %Y %H:%M"));
}

CachetDraft *
cachet_draft_new_reply (CachetMessage      *original,
                        gboolean            all,
                        const char * const *own_addresses)
{
  g_autoptr(CachetDraft) draft = cachet_draft_new ();
  g_autofree char *bare = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *attribution = NULL;
  GDateTime *date;
  GString *body;

  g_return_val_if_fail (CACHET_IS_MESSAGE (original), NULL);

  bare = _cachet_draft_strip_reply_prefixes (cachet_message_get_subject (original));
  subject = with_prefix ("Re:", bare);
  cachet_draft_set_subject (draft, subject);
  set_reply_recipients (draft, original, all, own_addresses);
  set_reply_references (draft, original);

  date = cachet_message_get_date (original);
  if (date != NULL)
    {
      g_autofree char *when = format_date (date);
      /* Translators: the line before a quoted message: date, then the sender. */
      attribution = g_strdup_printf (_("On %s, %s wrote:"), when, sender_name (original));
    }
  else
    attribution = g_strdup_printf (_("%s wrote:"), sender_name (original));

  body = g_string_new (attribution);
  g_string_append_c (body, '\n');
  append_quoted (body, cachet_message_get_body_text (original));
  g_string_append_c (body, '\n');
  cachet_draft_set_body (draft, body->str);
  g_string_free (body, TRUE);
  return g_steal_pointer (&draft);
}

static void
append_header_line (GString    *out,
                    const char *label,
                    const char *value)
{
  if (value != NULL && *value != '\0')
    g_string_append_printf (out, "%s: %s\n", label, value);
}

CachetDraft *
cachet_draft_new_forward (CachetMessage *original,
                          gboolean       as_attachment)
{
  g_autoptr(CachetDraft) draft = cachet_draft_new ();
  g_autofree char *bare = NULL;
  g_autofree char *subject = NULL;

  g_return_val_if_fail (CACHET_IS_MESSAGE (original), NULL);

  bare = _cachet_draft_strip_forward_prefixes (cachet_message_get_subject (original));
  subject = with_prefix ("Fwd:", bare);
  cachet_draft_set_subject (draft, subject);

  if (as_attachment)
    {
      cachet_draft_add_message (draft, cachet_message_get_bytes (original));
      cachet_draft_set_body (draft, "");
    }
  else
    {
      GString *body = g_string_new ("\n");
      g_autofree char *from = cachet_address_list_format (cachet_message_get_from (original));
      g_autofree char *to = cachet_address_list_format (cachet_message_get_to (original));
      g_autofree char *cc = cachet_address_list_format (cachet_message_get_cc (original));
      g_autofree char *date = NULL;

      if (cachet_message_get_date (original) != NULL)
        date = format_date (cachet_message_get_date (original));
      g_string_append_printf (body, "-------- %s --------\n", _("Forwarded Message"));
      append_header_line (body, _("Subject"), cachet_message_get_subject (original));
      append_header_line (body, _("Date"), date);
      append_header_line (body, _("From"), from);
      append_header_line (body, _("To"), to);
      append_header_line (body, _("Cc"), cc);
      g_string_append_c (body, '\n');
      g_string_append (body, cachet_message_get_body_text (original));
      cachet_draft_set_body (draft, body->str);
      g_string_free (body, TRUE);
      _cachet_draft_add_attachments_of (draft, original);
    }
  return g_steal_pointer (&draft);
}
