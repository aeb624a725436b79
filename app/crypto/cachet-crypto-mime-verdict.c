/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-crypto-mime-private.h"

/* What the status bar says.  It says "good" only when it is: a good
 * signature from a key the user's keyring holds as fully valid, made by
 * the address the message claims to be from, over the whole message. */

typedef struct
{
  CachetCryptoVerdictLevel  level;
  GPtrArray                *titles;
  GString                  *detail;
} Summary;

static void
add (Summary                  *s,
     CachetCryptoVerdictLevel  level,
     char                     *title)
{
  if (level > s->level)
    s->level = level;
  for (guint i = 0; i < s->titles->len; i++)
    if (g_strcmp0 (g_ptr_array_index (s->titles, i), title) == 0)
      {
        g_free (title);
        return;
      }
  g_ptr_array_add (s->titles, title);
}

static const char *
validity_name (int validity)
{
  switch (validity)
    {
    case CACHET_CRYPTO_VALIDITY_ULTIMATE: return C_("key validity", "ultimate");
    case CACHET_CRYPTO_VALIDITY_FULL: return C_("key validity", "full");
    case CACHET_CRYPTO_VALIDITY_MARGINAL: return C_("key validity", "marginal");
    case CACHET_CRYPTO_VALIDITY_NEVER: return C_("key validity", "never");
    case CACHET_CRYPTO_VALIDITY_UNDEFINED: return C_("key validity", "undefined");
    default: return C_("key validity", "unknown");
    }
}

/* The signer's address when the plugin named one. */
static char *
signer_address (const CachetCryptoSignatureResult *sig)
{
  g_autofree char *bare = _cachet_crypto_mime_bare_address (sig->signer_uid);

  if (bare == NULL || strchr (bare, '@') == NULL)
    return NULL;
  return g_steal_pointer (&bare);
}

static void
judge_signature (Summary                           *s,
                 const CachetCryptoSignatureResult *sig,
                 const char                        *from)
{
  g_autofree char *address = signer_address (sig);
  const char *key = sig->fingerprint != NULL && sig->fingerprint[0] != '\0'
                    ? sig->fingerprint : _("unknown key");
  const char *who = address != NULL ? address : key;
  const char *status;

  if (sig->status == CACHET_CRYPTO_SIG_BAD)
    {
      status = _("bad: the message was changed after it was signed");
      add (s, CACHET_CRYPTO_VERDICT_BAD,
           g_strdup (_("Bad signature: this message was changed after it was signed")));
    }
  else if (sig->summary & CACHET_CRYPTO_SIG_SUMMARY_KEY_REVOKED)
    {
      status = _("made with a revoked key");
      add (s, CACHET_CRYPTO_VERDICT_BAD,
           g_strdup_printf (_("Signed with a revoked key (%s)"), who));
    }
  else if (sig->status == CACHET_CRYPTO_SIG_NO_KEY
           || (sig->summary & CACHET_CRYPTO_SIG_SUMMARY_KEY_MISSING))
    {
      status = _("not checked: the key is not in your keyring");
      add (s, CACHET_CRYPTO_VERDICT_WARNING,
           g_strdup_printf (_("Signed with a key you do not have (%s)"), key));
    }
  else if (sig->status != CACHET_CRYPTO_SIG_GOOD)
    {
      status = _("could not be checked");
      add (s, CACHET_CRYPTO_VERDICT_WARNING, g_strdup (_("The signature could not be checked")));
    }
  else if (sig->summary & CACHET_CRYPTO_SIG_SUMMARY_SIG_EXPIRED)
    {
      status = _("expired");
      add (s, CACHET_CRYPTO_VERDICT_WARNING,
           g_strdup_printf (_("The signature has expired (%s)"), who));
    }
  else if (sig->summary & CACHET_CRYPTO_SIG_SUMMARY_KEY_EXPIRED)
    {
      status = _("made with an expired key");
      add (s, CACHET_CRYPTO_VERDICT_WARNING,
           g_strdup_printf (_("Signed with an expired key (%s)"), who));
    }
  else if (from != NULL && (address == NULL || g_ascii_strcasecmp (address, from) != 0))
    {
      status = _("good, but from another address");
      add (s, CACHET_CRYPTO_VERDICT_WARNING,
           /* Translators: the signer's address (or key), then the From: address */
           g_strdup_printf (_("Signed by %s, but the message is from %s"), who, from));
    }
  else if (sig->validity == CACHET_CRYPTO_VALIDITY_FULL
           || sig->validity == CACHET_CRYPTO_VALIDITY_ULTIMATE)
    {
      status = _("good");
      add (s, CACHET_CRYPTO_VERDICT_GOOD, g_strdup_printf (_("Signature good (%s)"), who));
    }
  else
    {
      status = _("good, but the key is not verified");
      add (s, CACHET_CRYPTO_VERDICT_INFO,
           g_strdup_printf (_("Signed by %s, but the key is not verified"), who));
    }

  g_string_append_printf (s->detail, _("Signature: %s"), status);
  g_string_append_c (s->detail, '\n');
  if (sig->signer_uid != NULL)
    {
      g_string_append_printf (s->detail, _("Signer: %s"), sig->signer_uid);
      g_string_append_c (s->detail, '\n');
    }
  g_string_append_printf (s->detail, _("Key: %s (validity: %s)"), key, validity_name (sig->validity));
  g_string_append_c (s->detail, '\n');
  if (sig->hash_algorithm != NULL || sig->pubkey_algorithm != NULL)
    {
      g_string_append_printf (s->detail, _("Algorithms: %s %s"),
                              sig->pubkey_algorithm != NULL ? sig->pubkey_algorithm : "",
                              sig->hash_algorithm != NULL ? sig->hash_algorithm : "");
      g_string_append_c (s->detail, '\n');
    }
  if (sig->created > 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (sig->created);
      g_autofree char *text = when != NULL ? g_date_time_format_iso8601 (when) : NULL;

      if (text != NULL)
        {
          g_string_append_printf (s->detail, _("Signed on: %s"), text);
          g_string_append_c (s->detail, '\n');
        }
    }
  if (sig->detail != NULL && sig->detail[0] != '\0')
    {
      g_string_append (s->detail, sig->detail);
      g_string_append_c (s->detail, '\n');
    }
}

/* The first line of PROBLEM. */
static char *
first_line (const char *problem)
{
  const char *nl = strchr (problem, '\n');

  return nl != NULL ? g_strndup (problem, nl - problem) : g_strdup (problem);
}

CachetCryptoVerdict *
cachet_crypto_verdict_new (const CachetCryptoOpened *opened,
                           const char               *from_address)
{
  g_autofree char *from = NULL;
  Summary s = { CACHET_CRYPTO_VERDICT_GOOD, NULL, NULL };
  gboolean problem_told = FALSE;
  CachetCryptoVerdict *verdict;

  g_return_val_if_fail (opened != NULL, NULL);

  if (!opened->encrypted && !opened->is_signed)
    return NULL;

  from = _cachet_crypto_mime_bare_address (from_address);
  if (from != NULL && from[0] == '\0')
    g_clear_pointer (&from, g_free);
  s.titles = g_ptr_array_new_with_free_func (g_free);
  s.detail = g_string_new (NULL);

  if (opened->encrypted && opened->decrypted)
    {
      add (&s, CACHET_CRYPTO_VERDICT_GOOD, g_strdup (_("Decrypted")));
      g_string_append (s.detail, _("The message was encrypted and has been decrypted."));
      g_string_append_c (s.detail, '\n');
    }
  else if (opened->encrypted)
    {
      g_autofree char *why = opened->problem != NULL ? first_line (opened->problem) : NULL;

      add (&s, CACHET_CRYPTO_VERDICT_WARNING,
           why != NULL ? g_strdup_printf (_("Could not decrypt: %s"), why)
                       : g_strdup (_("Could not decrypt this message")));
      problem_told = TRUE;
    }

  for (guint i = 0; opened->signatures != NULL && i < opened->signatures->len; i++)
    judge_signature (&s, g_ptr_array_index (opened->signatures, i), from);

  if (opened->is_signed && (opened->signatures == NULL || opened->signatures->len == 0)
      && !(opened->encrypted && !opened->decrypted))
    {
      g_autofree char *why = opened->problem != NULL ? first_line (opened->problem) : NULL;

      add (&s, CACHET_CRYPTO_VERDICT_WARNING,
           why != NULL ? g_strdup_printf (_("The signature could not be checked: %s"), why)
                       : g_strdup (_("The signature could not be checked")));
      problem_told = TRUE;
    }

  /* Trouble with another sealed part: never a plain "good". */
  if (opened->problem != NULL && !problem_told)
    add (&s, CACHET_CRYPTO_VERDICT_WARNING, first_line (opened->problem));

  if (opened->partial)
    add (&s, CACHET_CRYPTO_VERDICT_WARNING,
         g_strdup (opened->is_signed ? _("Only part of this message is signed")
                                     : _("Only part of this message is encrypted")));

  if (opened->problem != NULL)
    {
      g_string_append_printf (s.detail, _("Problem: %s"), opened->problem);
      g_string_append_c (s.detail, '\n');
    }
  if (s.titles->len == 0)
    add (&s, CACHET_CRYPTO_VERDICT_WARNING, g_strdup (_("The signature could not be checked")));

  g_ptr_array_add (s.titles, NULL);
  verdict = g_new0 (CachetCryptoVerdict, 1);
  verdict->level = s.level;
  verdict->title = g_strjoinv (" · ", (char **) s.titles->pdata);
  if (s.detail->len > 0 && s.detail->str[s.detail->len - 1] == '\n')
    g_string_truncate (s.detail, s.detail->len - 1);
  verdict->detail = g_string_free (s.detail, FALSE);
  g_ptr_array_unref (s.titles);
  return verdict;
}

void
cachet_crypto_verdict_free (CachetCryptoVerdict *verdict)
{
  if (verdict == NULL)
    return;
  g_free (verdict->title);
  g_free (verdict->detail);
  g_free (verdict);
}
