/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-bounce"

#include "config.h"

#include "cachet-bounce-private.h"

#include <string.h>

#include "cachet-address.h"

/* Bounces that are not RFC 3464 reports: recognised by who sends them and what their
 * subject and text say, then read for the addresses that failed.  The phrases are the
 * ones mail systems have used for decades (Sendmail, Postfix, qmail, Exim, Exchange,
 * Notes, Gmail, Yahoo, ...), in the languages seen in real bounces; the reading itself is
 * general: an address that heads a line under a "could not be delivered" sentence, with
 * the lines after it as the reason. */

/* ---- patterns --------------------------------------------------------------------- */

#define SUBJECT_BOUNCE \
  "undeliver|undelivered|returned mail|returning message|return(ed)? to sender" \
  "|delivery (status )?notification|delivery (has )?failed|delivery failure|failed delivery" \
  "|failure delivery|failure notice|mail delivery|delivery status|delivery report" \
  "|delivery problem|non[- ]?delivery|not (be )?delivered|could not (be )?(delivered|sent)" \
  "|couldn'?t be delivered|mail failure|mail failed|mail system error|error sending" \
  "|delivery error|delayed mail|message delayed|delivery delayed|has been delayed" \
  "|could not send (message|mail)|cannot send message|postmaster notify|error mail report" \
  "|mail could not|message you sent blocked|apparently from you|in mail from you" \
  "|unzustellbar|nicht zustellbar|non remis|non recapitabile|onbestelbaar" \
  "|no se puede entregar|no entregado|n[ãa]o (foi )?entregue|olevererbar|kan ikke leveres" \
  "|ei voitu toimittaa|nie dostarczono|nedoru[cč]iteln|k[ée]zbes[íi]thetetlen" \
  "|не доставлено|недоставленн|не может быть доставлено|配信できません|送信エラー" \
  "|配信不能|未達|エラーメール|退信|投递失败|无法投递|無法傳遞|전달되지 않|반송"

#define SUBJECT_DELAY \
  "delay|warning|still being retried|will be retried|verzögert|retardé|遅延|延迟"

#define SUBJECT_FAILED \
  "undeliver|returned|returning|fail|error|could not be delivered|non[- ]?delivery"

#define SUBJECT_REPLY \
  "^\\s*(re|aw|sv|antw|odp|ynt|vs|回复|答复)\\s*(\\[[0-9]+\\])?\\s*:"

#define SUBJECT_AUTOREPLY \
  "^\\s*(auto(matic|matische|matique)?[ -]?(reply|response|antwort|r[ée]ponse|answer)" \
  "|out of (the )?office|abwesen|vacation|on leave|absence|autoreply|auto:" \
  "|respuesta autom|risposta automatica|自動応答|自动回复|自動回覆)"

#define DAEMON_NAME \
  "mail ?delivery|mailer.?daemon|postmaster|system administrator|mail administrator" \
  "|\\bndr\\b|delivery (status|notification|subsystem)|mail system|interscan"

#define BODY_BOUNCE \
  "could ?n[o']t be delivered|cannot be delivered|can'?t be delivered|could not deliver" \
  "|unable to deliver|was ?n[o']t able to deliver|not able to deliver" \
  "|(was|were|has|have) not (been )?delivered|did not reach|delivery (to .{0,80})?(has )?failed" \
  "|delivery failure|failed permanently|permanent (fatal )?error" \
  "|following (addresses|address|recipients?)" \
  "|address(\\(es\\)|es)? failed|had (permanent )?(fatal )?(delivery )?(errors|problems)" \
  "|undeliverable|returned mail|mail delivery (system|subsystem|software|failed)" \
  "|recipient (address )?rejected|user unknown|unknown user|no such user" \
  "|mailbox (is )?(full|unavailable)" \
  "|error (has )?occurred while (attempting|trying) to deliver|error delivering" \
  "|trouble delivering" \
  "|transcript of session|final-recipient:|delivery status notification|not delivered to" \
  "|delivery has failed|message could not|mail could not|could not send" \
  "|delivery to .{1,80} failed" \
  "|banned file|bulk email|blocked" \
  "|не может быть доставлено|не доставлено|не удалось доставить|送信できませんでした" \
  "|配信できませんでした|配信できません|送信に失敗|配信に失敗|宛先.{0,20}(エラー|不明|存在しません)" \
  "|nicht zugestellt|nicht zustellbar|n'a pas pu [êe]tre (remis|distribu)" \
  "|non [èe] stato possibile|no se pudo entregar|n[ãa]o foi poss[íi]vel entregar|退信|投递失败"

#define BODY_DELAY \
  "this is a warning|warning message only|will (keep|continue) (trying|to try)" \
  "|will be retried|will retry|still (being|trying) |not yet been delivered|has been delayed" \
  "|delivery (is|has been) delayed|no action is required|still in (the )?queue|delayed \\d+ hours"

/* The line before the returned message, decorated ("----- Original message -----")... */
#define SEPARATOR_DECORATED \
  "(original|copy of|returned (message|mail)|unsent message|message (text|headers?|body) follow" \
  "|header of the original|headers? follow|below this line|rejected message" \
  "|undelivered message|message follows|元のメッセージ|元のメール|原始邮件|исходное сообщение" \
  "|original-nachricht|urspr[üu]ngliche nachricht|message d'origine|mensaje original" \
  "|messaggio originale|returned message)"

/* ... or a line of its own. */
#define SEPARATOR_PLAIN \
  "^(original message( follows| headers)?|message headers follow|original message headers" \
  "|included is a copy of the message header|below is a copy of the original message" \
  "|the original message (headers? )?(is|are) (attached|included|below|following)" \
  "|original (mail|e-?mail|headers)|message text follows|unsent message follows" \
  "|returned message|(this is )?a copy of (the|your) (original )?message( header)?( follows)?" \
  "|(\\S+ )?the header of the original message is following)\\s*[.:]?$"

/* Header lines that start a returned message in running text. */
#define HEADER_LINE \
  "^(received|return-path|message-id|dkim-signature|delivered-to|authentication-results" \
  "|arc-[a-z-]+|x-received|domainkey-signature|from|to|cc|subject|date|reply-to|sender" \
  "|mime-version|content-type|content-transfer-encoding|references|in-reply-to" \
  "|x-[a-z0-9-]+|thread-index|thread-topic|user-agent|errors-to|precedence|importance" \
  "|list-[a-z-]+|received-spf|x-original-to|resent-[a-z-]+)\\s*:"

#define HEADER_STRONG \
  "^(received|return-path|message-id|dkim-signature|delivered-to|authentication-results" \
  "|arc-[a-z-]+|x-received|domainkey-signature|received-spf|x-original-to)\\s*:"

/* Words near an address that failed. */
#define TRIGGER \
  "fail|could ?n[o']t|cannot|can'?t|unable|not (be )?delivered|undeliver|did not reach" \
  "|following|recipient|unknown|no such|not listed|reject|refused|denied|error|permanent" \
  "|quota|full|disabled|does ?n[o']t exist|not exist|invalid|bounce|problem|delay|deferred" \
  "|retry|mailbox|user|address|配信|送信|宛先|エラー|失敗|доставлен|получател|адрес" \
  "|destinatario|destinataire|empf[äa]nger|zustell"

/* Words that make an address the sender, a contact or something else than a recipient. */
#define NOT_RECIPIENT \
  "mail from|from:|sender|reply-to|return-path|envelope-from|contact|send (an? )?(e-?)?mail" \
  "|write to|e-?mail us|please|assistance|support|expanded from|message-?id|msgid|queue" \
  "|://|\\bid\\b|@$|=$"

#define ADDRESS \
  "[^\\s<>()\\[\\],;:\"@/=]+@[A-Za-z0-9\\x{80}-\\x{10FFFF}_-]+" \
  "(?:\\.[A-Za-z0-9\\x{80}-\\x{10FFFF}_-]+)*"

typedef enum
{
  RE_SUBJECT_BOUNCE,
  RE_SUBJECT_DELAY,
  RE_SUBJECT_FAILED,
  RE_SUBJECT_REPLY,
  RE_SUBJECT_AUTOREPLY,
  RE_DAEMON_NAME,
  RE_BODY_BOUNCE,
  RE_BODY_DELAY,
  RE_SEPARATOR_DECORATED,
  RE_SEPARATOR_PLAIN,
  RE_HEADER_LINE,
  RE_HEADER_STRONG,
  RE_TRIGGER,
  RE_NOT_RECIPIENT,
  RE_ADDRESS,
  N_RE
} RegexId;

static GRegex *
regex (RegexId id)
{
  static const char * const patterns[N_RE] = {
    SUBJECT_BOUNCE, SUBJECT_DELAY, SUBJECT_FAILED, SUBJECT_REPLY, SUBJECT_AUTOREPLY,
    DAEMON_NAME, BODY_BOUNCE, BODY_DELAY, SEPARATOR_DECORATED, SEPARATOR_PLAIN, HEADER_LINE,
    HEADER_STRONG, TRIGGER, NOT_RECIPIENT, ADDRESS,
  };
  static GRegex *compiled[N_RE];

  if (g_once_init_enter (&compiled[id]))
    {
      g_autoptr(GError) error = NULL;
      GRegexCompileFlags flags = G_REGEX_OPTIMIZE;
      GRegex *r;

      if (id != RE_ADDRESS)
        flags |= G_REGEX_CASELESS;
      r = g_regex_new (patterns[id], flags, 0, &error);
      if (r == NULL)
        g_error ("bounce pattern %d: %s", id, error->message);
      g_once_init_leave (&compiled[id], r);
    }
  return compiled[id];
}

static gboolean
matches (RegexId     id,
         const char *text)
{
  return text != NULL && g_regex_match (regex (id), text, 0, NULL);
}

/* ---- headers ---------------------------------------------------------------------- */

static gboolean
is_daemon_local_part (const char *email)
{
  static const char * const names[] = {
    "mailer-daemon", "mailer_daemon", "mailerdaemon", "maildaemon", "mail-daemon",
    "postmaster", "mail.delivery.system", "mail-delivery-system", "mdaemon", "mailadmin",
  };
  g_autofree char *local = NULL;
  const char *at;

  at = strchr (email, '@');
  local = g_ascii_strdown (email, at ? at - email : -1);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (local, names[i]))
      return TRUE;
  return FALSE;
}

void
_cachet_bounce_read_hints (CachetMessage     *message,
                           CachetBounceHints *hints)
{
  const char *subject = cachet_message_get_subject (message);
  const char *return_path = cachet_message_get_header (message, "Return-Path");
  const char *raw_from = cachet_message_get_header (message, "From");
  GPtrArray *from = cachet_message_get_from (message);

  memset (hints, 0, sizeof *hints);
  if (subject != NULL)
    {
      hints->subject_bounce = matches (RE_SUBJECT_BOUNCE, subject);
      hints->subject_delay = matches (RE_SUBJECT_DELAY, subject)
                             && !matches (RE_SUBJECT_FAILED, subject);
      hints->subject_reply = matches (RE_SUBJECT_REPLY, subject);
      hints->subject_autoreply = matches (RE_SUBJECT_AUTOREPLY, subject);
    }

  /* "From: <>", "From: MAILER-DAEMON", "Mail Delivery System <...>"; a message without
   * a From at all is no sign of anything. */
  if (raw_from != NULL)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (raw_from));
      if (g_str_equal (trimmed, "<>") || g_str_has_suffix (trimmed, "<>"))
        hints->sender_daemon = TRUE;
    }
  for (guint i = 0; i < from->len; i++)
    {
      CachetAddress *a = g_ptr_array_index (from, i);

      if ((a->email != NULL && *a->email != '\0' && is_daemon_local_part (a->email))
          || matches (RE_DAEMON_NAME, a->name))
        hints->sender_daemon = TRUE;
    }

  if (return_path != NULL)
    {
      g_autofree char *rp = g_strdup (return_path);
      g_strstrip (rp);
      hints->null_return_path = g_str_equal (rp, "<>") || g_str_equal (rp, "")
                                || g_str_equal (rp, "< >");
    }
  hints->list_message = cachet_message_get_header (message, "List-Id") != NULL
                        || cachet_message_get_header (message, "List-Post") != NULL;
}

gboolean
_cachet_bounce_text_says_bounce (const char *report)
{
  return matches (RE_BODY_BOUNCE, report);
}

gboolean
_cachet_bounce_text_says_delay (const char *report)
{
  return matches (RE_BODY_DELAY, report);
}

/* ---- splitting the text ----------------------------------------------------------- */

/* Strips quoting ("> ", "| ") and white space from the start of a line. */
static const char *
unquote (const char *line)
{
  while (*line == '>' || *line == ' ' || *line == '\t' || *line == '|')
    line++;
  return line;
}

static gboolean
is_decorated_separator (const char *line)
{
  static const char decorations[] = "-=*_#|~";
  gboolean decorated = FALSE;

  for (const char *d = decorations; *d; d++)
    {
      char run[4] = { *d, *d, *d, '\0' };
      if (strstr (line, run) != NULL)
        decorated = TRUE;
    }
  return decorated && matches (RE_SEPARATOR_DECORATED, line);
}

/* A run of header lines at @lines[i]: two or more, one of them typical of a message
 * (Received, Return-Path, Message-ID, ...) or From with To, Subject or Date. */
static gboolean
is_header_block (char **lines,
                 guint  i,
                 guint  n)
{
  guint count = 0;
  gboolean strong = FALSE;
  gboolean from = FALSE;

  for (guint j = i; j < n && count < 6; j++)
    {
      const char *l = lines[j];

      if (l[0] == ' ' || l[0] == '\t')
        {
          if (count == 0)
            return FALSE;
          continue;  /* folded */
        }
      if (!matches (RE_HEADER_LINE, l))
        break;
      count++;
      if (matches (RE_HEADER_STRONG, l))
        strong = TRUE;
      if (g_ascii_strncasecmp (l, "from:", 5) == 0)
        from = TRUE;
    }
  return count >= 2 && (strong || from);
}

static char *
normalise_newlines (const char *text)
{
  char *copy = g_strdup (text);
  char *out = copy;

  for (const char *p = text; *p; p++)
    {
      if (*p == '\r')
        {
          *out++ = '\n';
          if (p[1] == '\n')
            p++;
        }
      else
        *out++ = *p;
    }
  *out = '\0';
  return copy;
}

void
_cachet_bounce_split_text (const char  *text,
                           char       **report,
                           char       **returned)
{
  g_autofree char *copy = normalise_newlines (text ? text : "");
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);
  guint n = g_strv_length (lines);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (unquote (lines[i])));
      guint from = G_MAXUINT;

      if (*trimmed == '\0')
        continue;
      if (strlen (trimmed) < 160
          && (is_decorated_separator (trimmed) || matches (RE_SEPARATOR_PLAIN, trimmed)))
        from = i + 1;
      else if (is_header_block (lines, i, n))
        from = i;
      if (from != G_MAXUINT)
        {
          char *saved = lines[i];
          char **rest = lines + from;

          lines[i] = NULL;
          *report = g_strjoinv ("\n", lines);
          lines[i] = saved;
          *returned = from < n ? g_strjoinv ("\n", rest) : g_strdup ("");
          return;
        }
    }
  *report = g_strjoinv ("\n", lines);
  *returned = NULL;
}

/* ---- finding the recipients ------------------------------------------------------- */

typedef struct
{
  char  *address;   /* as written */
  char  *key;       /* lower case */
  int    score;
  guint  line;      /* of the best occurrence */
  guint  order;     /* first occurrence */
} Candidate;

static void
candidate_free (Candidate *c)
{
  g_free (c->address);
  g_free (c->key);
  g_free (c);
}

static gboolean
is_sender (const CachetBounceText *text,
           const char             *key)
{
  if (text->senders == NULL)
    return FALSE;
  for (guint i = 0; i < text->senders->len; i++)
    if (g_str_equal (g_ptr_array_index (text->senders, i), key))
      return TRUE;
  return FALSE;
}

static gboolean
is_role_address (const char *key)
{
  static const char * const roles[] = {
    "postmaster@", "mailer-daemon@", "abuse@", "hostmaster@", "webmaster@", "noreply@",
    "no-reply@", "support@", "help@",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_str_has_prefix (key, roles[i]))
      return TRUE;
  return FALSE;
}

/* Only decoration before the address: it heads its line.  So does an address after
 * nothing but a reply code, as in Sendmail's "550 <a@b>... User unknown". */
static gboolean leads_line (const char *before);

static gboolean
follows_reply_code (const char *before)
{
  const char *p = before + strspn (before, " \t<>");

  if (!(p[0] == '4' || p[0] == '5') || !g_ascii_isdigit (p[1]) || !g_ascii_isdigit (p[2]))
    return FALSE;
  p += 3;
  if (*p == '-' || *p == ' ')
    p++;
  /* An enhanced status code may follow ("550 5.1.1 <a@b>"). */
  if ((p[0] == '4' || p[0] == '5') && p[1] == '.')
    {
      p += 2;
      while (g_ascii_isdigit (*p) || *p == '.')
        p++;
    }
  return leads_line (p);
}

static gboolean
leads_line (const char *before)
{
  static const char * const bullets[] = { "•", "·", "・", "※", "＊", "◆", "■", "●", "→", "　" };

  for (const char *p = before; *p; )
    {
      gboolean bullet = FALSE;

      if (strchr (" \t<>\"'*-[(:|#", *p))
        {
          p++;
          continue;
        }
      for (gsize i = 0; i < G_N_ELEMENTS (bullets); i++)
        if (g_str_has_prefix (p, bullets[i]))
          {
            p += strlen (bullets[i]);
            bullet = TRUE;
            break;
          }
      if (!bullet)
        return FALSE;
    }
  return TRUE;
}

/* A field of a delivery status notification ("Final-Recipient: ...", "Action: ..."). */
static gboolean
is_dsn_field_line (const char *line)
{
  static const char * const names[] = {
    "final-recipient:", "original-recipient:", "x-actual-recipient:", "action:", "status:",
    "remote-mta:", "diagnostic-code:", "last-attempt-date:", "will-retry-until:",
    "reporting-mta:", "received-from-mta:", "arrival-date:", "x-postfix-", "x-original-message-id:",
    "original-envelope-id:",
  };
  const char *p = unquote (line);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strncasecmp (p, names[i], strlen (names[i])) == 0)
      return TRUE;
  return FALSE;
}

/* After the address: nothing, or the start of a reason (":", "...", "on DATE", "(..."). */
static gboolean
ends_item (const char *after)
{
  while (*after == '>' || *after == '"' || *after == '\'' || *after == ']')
    after++;
  while (*after == ' ' || *after == '\t')
    after++;
  return *after == '\0' || *after == ':' || *after == '(' || *after == '[' || *after == ','
         || *after == ';' || *after == '<' || g_str_has_prefix (after, "...")
         || g_str_has_prefix (after, "on ") || g_str_has_prefix (after, "- ")
         || g_str_has_prefix (after, "--");
}

static char *
trim_address (const char *match)
{
  gsize len = strlen (match);
  const char *start = match;

  while (*start == '\'' || *start == '.' || *start == '*' || *start == '-')
    start++, len--;
  while (len > 0 && (start[len - 1] == '.' || start[len - 1] == '\'' || start[len - 1] == '-'))
    len--;
  if (len == 0 || memchr (start, '@', len) == NULL || start[0] == '@' || start[len - 1] == '@')
    return NULL;
  return g_strndup (start, len);
}

static int
score_occurrence (char                  **lines,
                  guint                   i,
                  const char             *line,
                  gint                    start,
                  gint                    end,
                  const char             *key,
                  const CachetBounceText *text)
{
  g_autofree char *before = g_strndup (line, start);
  const char *after = line + end;
  int score = 0;
  const char *at = strchr (key, '@');

  if (matches (RE_NOT_RECIPIENT, before))
    score -= 8;
  if (leads_line (before) || follows_reply_code (before))
    {
      score += 4;
      if (ends_item (after))
        score += 2;
      /* A list of addresses under a heading that says what went wrong. */
      for (guint back = 1; back <= 4 && back <= i; back++)
        {
          const char *prev = unquote (lines[i - back]);
          if (matches (RE_TRIGGER, prev))
            {
              score += 2;
              break;
            }
        }
    }
  else if (matches (RE_TRIGGER, before))
    score += 3;
  if (strstr (before, "RCPT TO") != NULL || strstr (before, "rcpt to") != NULL
      || strstr (before, "RCPT To") != NULL)
    score += 3;
  if (g_ascii_strncasecmp (unquote (line), "to:", 3) == 0)
    score -= 2;
  if (is_sender (text, key))
    score -= 6;
  if (is_role_address (key))
    score -= 3;
  if (at != NULL && strchr (at, '.') == NULL)
    score -= 1;
  /* A message identifier rather than an address: long runs of digits and dots. */
  {
    guint digits = 0;
    for (const char *p = key; p < at; p++)
      if (g_ascii_isdigit (*p) || *p == '.' || *p == '$')
        digits++;
    if (at != NULL && digits >= 10 && digits * 2 > (guint) (at - key))
      score -= 6;
  }
  return score;
}

static GPtrArray *
find_candidates (const CachetBounceText *text,
                 char                  **lines)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  guint order = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;
      const char *line = lines[i];

      if (strchr (line, '@') == NULL)
        continue;
      g_regex_match (regex (RE_ADDRESS), line, 0, &match);
      while (g_match_info_matches (match))
        {
          g_autofree char *raw = g_match_info_fetch (match, 0);
          g_autofree char *address = trim_address (raw);
          gint start, end;

          g_match_info_fetch_pos (match, 0, &start, &end);
          if (address != NULL)
            {
              g_autofree char *key = g_utf8_strdown (address, -1);
              int score;
              Candidate *c;

              if (text->bounce_from != NULL && g_str_equal (key, text->bounce_from))
                {
                  g_match_info_next (match, NULL);
                  continue;
                }
              score = score_occurrence (lines, i, line, start, end, key, text);
              c = g_hash_table_lookup (seen, key);
              if (c == NULL)
                {
                  c = g_new0 (Candidate, 1);
                  c->address = g_steal_pointer (&address);
                  c->key = g_steal_pointer (&key);
                  c->score = score;
                  c->line = i;
                  c->order = order++;
                  g_hash_table_insert (seen, c->key, c);
                  g_ptr_array_add (candidates, c);
                }
              else if (score > c->score)
                {
                  c->score = score;
                  c->line = i;
                }
            }
          g_match_info_next (match, NULL);
        }
    }
  return candidates;
}

static char **
report_lines (const char *report)
{
  g_autofree char *copy = normalise_newlines (report);
  return g_strsplit (copy, "\n", -1);
}

/* ---- the reason next to an address -------------------------------------------------- */

static gboolean
has_words (const char *s)
{
  guint n = 0;
  for (const char *p = s; *p; p++)
    if (g_ascii_isalpha (*p) || (guchar) *p >= 0x80)
      n++;
  return n >= 3;
}

static gboolean
line_leads_with_other_address (const char *line,
                               const char *key)
{
  g_autoptr(GMatchInfo) match = NULL;
  gint start;

  if (strchr (line, '@') == NULL || !g_regex_match (regex (RE_ADDRESS), line, 0, &match))
    return FALSE;
  g_match_info_fetch_pos (match, 0, &start, NULL);
  {
    g_autofree char *before = g_strndup (line, start);
    g_autofree char *raw = g_match_info_fetch (match, 0);
    g_autofree char *address = trim_address (raw);
    g_autofree char *other = address ? g_utf8_strdown (address, -1) : NULL;

    return (leads_line (before) || follows_reply_code (before)) && other != NULL
           && !g_str_equal (other, key);
  }
}

static gboolean
is_smtp_reply_line (const char *line)
{
  const char *p = unquote (line);

  if (g_ascii_isdigit (p[0]) && g_ascii_isdigit (p[1]) && g_ascii_isdigit (p[2])
      && (p[0] == '4' || p[0] == '5') && (p[3] == ' ' || p[3] == '-'))
    return TRUE;
  return FALSE;
}

char *
_cachet_bounce_reason_for (const char *report,
                           const char *address)
{
  g_auto(GStrv) lines = report_lines (report);
  g_autofree char *key = g_utf8_strdown (address, -1);
  g_autoptr(GString) reason = g_string_new (NULL);
  guint n = g_strv_length (lines);
  guint best = G_MAXUINT;
  const char *rest = NULL;
  guint taken = 0;
  char last_reply[4] = "";
  g_autofree char *lead_in = NULL;
  g_autofree char *status = NULL;

  /* The line where the address heads the line, else the first that has it. */
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *lower = g_utf8_strdown (lines[i], -1);
      const char *hit = strstr (lower, key);

      if (hit == NULL || is_dsn_field_line (lines[i]))
        continue;
      {
        g_autofree char *before = g_strndup (lines[i], hit - lower);
        if (leads_line (before) || follows_reply_code (before))
          {
            best = i;
            rest = lines[i] + (hit - lower) + strlen (key);
            g_clear_pointer (&lead_in, g_free);
            break;
          }
      }
      if (best == G_MAXUINT)
        {
          best = i;
          rest = lines[i] + (hit - lower) + strlen (key);
          lead_in = g_strndup (lines[i], hit - lower);
        }
    }
  if (best == G_MAXUINT)
    return NULL;

  /* The rest of the line, without the punctuation and an Exchange "on DATE". */
  while (*rest && strchr (">\"']):.;, \t", *rest))
    rest++;
  if (g_str_has_prefix (rest, "<mailto:"))
    rest = strchr (rest, '>') ? strchr (rest, '>') + 1 : "";
  if (g_str_has_prefix (rest, "(expanded from"))
    {
      const char *close = strchr (rest, ')');
      rest = close ? close + 1 : "";
      while (*rest && strchr (">\"']):.;, \t", *rest))
        rest++;
    }
  if (g_str_has_prefix (rest, "on ") && g_regex_match_simple ("^on [A-Za-z]{3},? |^on [0-9]",
                                                              rest, 0, 0))
    rest = "";
  if (has_words (rest))
    g_string_append (reason, rest);

  for (guint j = best + 1, blanks = 0; j < n && taken < 8; j++)
    {
      g_autofree char *t = g_strstrip (g_strdup (unquote (lines[j])));

      if (*t == '\0')
        {
          /* The reason may follow after a blank line (Gmail), or after a heading and a
           * blank line ("because:"), but not after two; a multi-line reply ("550-...")
           * goes on past a blank line (CR CR LF line ends read as two). */
          if (reason->len > 0 && reason->str[reason->len - 1] != ':'
              && !(last_reply[0] != '\0' && j + 1 < n
                   && g_str_has_prefix (unquote (lines[j + 1]), last_reply)))
            break;
          if (++blanks > 1)
            break;
          continue;
        }
      blanks = 0;
      /* "550-" of a reply that goes on */
      if (is_smtp_reply_line (t) && t[3] == '-')
        {
          memcpy (last_reply, t, 3);
          last_reply[3] = '\0';
        }
      else
        last_reply[0] = '\0';
      if (is_decorated_separator (t) || matches (RE_SEPARATOR_PLAIN, t)
          || line_leads_with_other_address (t, key) || is_dsn_field_line (t))
        break;
      if (strspn (t, "-=*_#|~") == strlen (t))
        break;
      if (reason->len > 0)
        g_string_append_c (reason, ' ');
      g_string_append (reason, t);
      taken++;
    }

  /* "Unknown user: a@b": the words before the address are the reason. */
  if (reason->len == 0 && lead_in != NULL)
    {
      g_autofree char *words = g_strstrip (g_strdup (unquote (lead_in)));
      gsize len = strlen (words);

      while (len > 0 && strchr ("<:\"'( \t", words[len - 1]))
        words[--len] = '\0';
      if (has_words (words) && !matches (RE_NOT_RECIPIENT, words) && len < 120)
        g_string_append (reason, words);
    }

  /* No server reply near the address: take the first reply line after it. */
  if ((status = _cachet_bounce_find_status (reason->str, TRUE)) == NULL
      && !g_regex_match_simple ("(?<![0-9.])[45][0-9][0-9][ -]", reason->str, 0, 0))
    for (guint j = best + 1; j < n && j < best + 16; j++)
      if (is_smtp_reply_line (lines[j]))
        {
          g_autofree char *t = g_strstrip (g_strdup (unquote (lines[j])));
          if (reason->len > 0 && !has_words (reason->str))
            g_string_truncate (reason, 0);
          if (reason->len > 0)
            g_string_append_c (reason, ' ');
          g_string_append (reason, t);
          break;
        }

  {
    char *out = _cachet_bounce_squeeze (reason->str);
    static const char * const lead[] = { "because:", "because", "reason:", "(reason:",
                                         "Reason:", "(Reason:",
                                         "Technical details of permanent failure:",
                                         "Technical details of temporary failure:",
                                         "For the following reason:" };

    for (gsize i = 0; out != NULL && i < G_N_ELEMENTS (lead); i++)
      if (g_str_has_prefix (out, lead[i]))
        {
          char *shorter = _cachet_bounce_squeeze (out + strlen (lead[i]));
          g_free (out);
          out = shorter;
        }
    if (out != NULL && g_utf8_strlen (out, -1) > 480)
      {
        char *cut = g_utf8_substring (out, 0, 480);
        g_free (out);
        out = g_strconcat (cut, "…", NULL);
        g_free (cut);
      }
    /* "[User unknown]" */
    if (out != NULL && out[0] == '[' && out[strlen (out) - 1] == ']'
        && strchr (out + 1, '[') == NULL)
      {
        char *inner = g_strndup (out + 1, strlen (out) - 2);
        g_free (out);
        out = inner;
      }
    if (out != NULL && !has_words (out))
      g_clear_pointer (&out, g_free);
    return out;
  }
}

guint
_cachet_bounce_scan_recipients (CachetBounce           *bounce,
                                const CachetBounceText *text)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) candidates = NULL;
  int best = G_MININT;
  int floor;
  guint added = 0;

  if (text->report == NULL)
    return 0;
  lines = report_lines (text->report);
  candidates = find_candidates (text, lines);
  for (guint i = 0; i < candidates->len; i++)
    best = MAX (best, ((Candidate *) g_ptr_array_index (candidates, i))->score);
  if (candidates->len == 0 || best < 1)
    return 0;
  /* The clear cases, or else the one best guess. */
  floor = best >= 4 ? MAX (4, best - 2) : best;

  for (guint i = 0; i < candidates->len && added < 64; i++)
    {
      Candidate *c = g_ptr_array_index (candidates, i);
      CachetBounceRecipient *r;

      if (c->score < floor)
        continue;
      r = _cachet_bounce_recipient_new ();
      r->recipient = g_strdup (c->address);
      r->diagnostic = _cachet_bounce_reason_for (text->report, c->address);
      r->status = _cachet_bounce_find_status (r->diagnostic, TRUE);
      g_ptr_array_add (bounce->recipients, r);
      added++;
      if (best < 4)
        break;
    }
  return added;
}
