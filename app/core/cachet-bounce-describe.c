/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-bounce"

#include "config.h"

#include "cachet-bounce.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-bounce-private.h"

/* The one line the viewer shows for a bounce: who could not be reached and why, in the
 * server's words made readable, or the status code's meaning in plain words. */

/* RFC 3463 in plain words, for a report that gives no reason of its own. */
static const char *
status_meaning (const char *status)
{
  static const struct
  {
    const char *detail;   /* "1.1": subject.detail */
    const char *text;
  } meanings[] = {
    { "1.0", N_("The address was not accepted") },
    { "1.1", N_("The mailbox does not exist") },
    { "1.2", N_("The domain does not exist or does not receive mail") },
    { "1.3", N_("The address is not valid") },
    { "1.6", N_("The mailbox has moved") },
    { "1.10", N_("The domain does not receive mail") },
    { "2.0", N_("The mailbox cannot receive mail") },
    { "2.1", N_("The mailbox is disabled") },
    { "2.2", N_("The mailbox is full") },
    { "2.3", N_("The message is too large for the mailbox") },
    { "3.4", N_("The message is too large") },
    { "4.0", N_("The receiving server could not be reached") },
    { "4.1", N_("The receiving server did not answer") },
    { "4.4", N_("No route to the receiving server") },
    { "4.7", N_("Delivery took too long and was given up") },
    { "5.3", N_("The message has too many recipients") },
    { "7.0", N_("The message was refused by the receiving server's policy") },
    { "7.1", N_("The message was refused by the receiving server") },
  };
  const char *dot;

  if (status == NULL || (dot = strchr (status, '.')) == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (meanings); i++)
    if (g_str_equal (dot + 1, meanings[i].detail))
      return _(meanings[i].text);
  return NULL;
}

/* "host mx.example.com [192.0.2.1]:", "remote host said:", "returned '": what a mail
 * system writes before the reply it quotes. */
static gboolean
is_preamble (const char *text,
             gsize       len)
{
  while (len > 0 && g_ascii_isspace (text[len - 1]))
    len--;
  if (len == 0)
    return FALSE;
  if (strchr (":]'\"(.", text[len - 1]) != NULL)
    return TRUE;
  return (len >= 4 && g_ascii_strncasecmp (text + len - 4, "said", 4) == 0)
         || (len >= 3 && g_ascii_strncasecmp (text + len - 3, "was", 3) == 0);
}

/* A server's reply made readable: "smtp; 550-5.1.1 <a@b>... User unknown" -> "User unknown". */
static char *
tidy_reason (const char *diagnostic)
{
  g_autofree char *s = NULL;
  g_autoptr(GRegex) codes = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  char *out;

  if (diagnostic == NULL)
    return NULL;
  /* A reply code with its enhanced code ("550-5.1.1 "), qmail's "(#5.1.1)", or an enhanced
   * code at the start; not one inside a sentence ("see DSN code 5.1.1 in ..."). */
  codes = g_regex_new ("(?<![0-9A-Za-z._])[245][0-9][0-9](?:[ :-]|$)"
                       "(?:#?[245]\\.[0-9]{1,3}\\.[0-9]{1,3}(?![0-9]|\\.[0-9])\\s*)?"
                       "|\\(#?[245]\\.[0-9]{1,3}\\.[0-9]{1,3}\\)"
                       "|(?<![0-9A-Za-z.])#[245]\\.[0-9]{1,3}\\.[0-9]{1,3}(?![0-9]|\\.[0-9])"
                       "|^\\s*[245]\\.[0-9]{1,3}\\.[0-9]{1,3}(?![0-9]|\\.[0-9])",
                       0, 0, NULL);
  s = g_strdup (diagnostic);
  /* What comes before the server's first reply code is the MTA's preamble. */
  if (g_regex_match (codes, s, 0, &match))
    {
      gint start;

      g_match_info_fetch_pos (match, 0, &start, NULL);
      /* Only a three-digit reply, not a bare "(#4.4.1)" after a sentence. */
      if (!(g_ascii_isdigit (s[start]) && g_ascii_isdigit (s[start + 1])
            && g_ascii_isdigit (s[start + 2])))
        start = 0;
      if (start > 0 && strlen (s) - start > 12 && is_preamble (s, start))
        {
          char *rest = g_strdup (s + start);
          g_free (s);
          s = rest;
        }
    }
  {
    char *stripped = g_regex_replace_literal (codes, s, -1, 0, " ", 0, NULL);
    g_free (s);
    s = stripped;
  }
  {
    g_autoptr(GRegex) lead = g_regex_new ("^[\\s:;,.-]*(smtp;\\s*)?(<[^<>\\s]+@[^<>\\s]+>"
                                          "(\\.\\.\\.|:)?\\s*)?[\\s:;,.-]*",
                                          G_REGEX_CASELESS, 0, NULL);
    char *stripped = g_regex_replace_literal (lead, s, -1, 0, "", 0, NULL);
    g_free (s);
    s = stripped;
  }
  out = _cachet_bounce_squeeze (s);
  /* A long reason: its first sentence says it ("The email account that you tried to reach
   * does not exist."); the rest is advice and links. */
  if (out != NULL && g_utf8_strlen (out, -1) > 120)
    {
      char *end = NULL;

      for (char *p = out + 20; *p && end == NULL; p++)
        if ((p[0] == '.' && p[1] == ' ' && !g_ascii_isdigit (p[-1]))
            || g_str_has_prefix (p, "。"))
          end = p;
      if (end != NULL && end - out < 200)
        {
          char *shorter = g_strndup (out, end - out + (*end == '.' ? 1 : strlen ("。")));
          g_free (out);
          out = shorter;
        }
    }
  /* "... example.ne.jp ." */
  if (out != NULL)
    {
      gsize len = strlen (out);
      if (len > 2 && out[len - 1] == '.' && out[len - 2] == ' ')
        {
          out[len - 2] = '.';
          out[len - 1] = '\0';
        }
    }
  if (out != NULL && g_utf8_strlen (out, -1) > 200)
    {
      g_autofree char *cut = g_utf8_substring (out, 0, 199);
      char *space = strrchr (cut, ' ');

      if (space != NULL && space - cut > 120)
        *space = '\0';
      g_free (out);
      out = g_strconcat (cut, "…", NULL);
    }
  if (out != NULL && g_utf8_strlen (out, -1) < 3)
    g_clear_pointer (&out, g_free);
  return out;
}

char *
cachet_bounce_describe (const CachetBounce *bounce)
{
  g_autoptr(GString) who = g_string_new (NULL);
  g_autofree char *reason = NULL;
  const CachetBounceRecipient *first = NULL;
  guint named = 0;
  guint shown = 0;

  g_return_val_if_fail (bounce != NULL, NULL);

  for (guint i = 0; i < bounce->recipients->len; i++)
    {
      const CachetBounceRecipient *r = g_ptr_array_index (bounce->recipients, i);

      if (bounce->delayed_only ? _cachet_bounce_recipient_is_success (r)
                               : !_cachet_bounce_recipient_is_failed (r))
        continue;
      if (first == NULL)
        first = r;
      if (r->recipient == NULL)
        continue;
      named++;
      if (shown < 2)
        {
          if (who->len > 0)
            g_string_append (who, ", ");
          g_string_append (who, r->recipient);
          shown++;
        }
    }
  if (named > shown)
    {
      g_autofree char *more = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%s and %u other",
                                                            "%s and %u others",
                                                            named - shown),
                                               who->str, named - shown);
      g_string_assign (who, more);
    }

  if (first != NULL)
    {
      reason = tidy_reason (first->diagnostic);
      if (reason == NULL && status_meaning (first->status) != NULL)
        reason = g_strdup (status_meaning (first->status));
    }

  if (bounce->delayed_only)
    {
      if (who->len > 0 && reason != NULL)
        return g_strdup_printf (_("Delivery to %s is delayed: %s"), who->str, reason);
      if (who->len > 0)
        return g_strdup_printf (_("Delivery to %s is delayed"), who->str);
      if (reason != NULL)
        return g_strdup_printf (_("Delivery is delayed: %s"), reason);
      return g_strdup (_("Delivery of a message you sent is delayed"));
    }
  if (who->len > 0 && reason != NULL)
    return g_strdup_printf (_("Undeliverable to %s: %s"), who->str, reason);
  if (who->len > 0)
    return g_strdup_printf (_("Undeliverable to %s"), who->str);
  if (reason != NULL)
    return g_strdup_printf (_("Undeliverable: %s"), reason);
  return g_strdup (_("A message you sent could not be delivered"));
}
