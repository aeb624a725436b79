/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-bounce"

#include "config.h"

#include "cachet-bounce.h"

#include <string.h>

#include "cachet-address.h"
#include "cachet-bounce-private.h"
#include "cachet-part-private.h"

/* How much of a bounce's text is read: the report is at the start, the rest is the
 * returned message. */
#define MAX_TEXT (256 * 1024)

/* ---- allocation ------------------------------------------------------------------- */

CachetBounceRecipient *
_cachet_bounce_recipient_new (void)
{
  return g_new0 (CachetBounceRecipient, 1);
}

void
_cachet_bounce_recipient_free (CachetBounceRecipient *recipient)
{
  if (recipient == NULL)
    return;
  g_free (recipient->recipient);
  g_free (recipient->status);
  g_free (recipient->diagnostic);
  g_free (recipient->action);
  g_free (recipient);
}

CachetBounce *
_cachet_bounce_new (void)
{
  CachetBounce *bounce = g_new0 (CachetBounce, 1);

  bounce->recipients = g_ptr_array_new_with_free_func (
    (GDestroyNotify) _cachet_bounce_recipient_free);
  return bounce;
}

void
cachet_bounce_free (CachetBounce *bounce)
{
  if (bounce == NULL)
    return;
  g_clear_pointer (&bounce->recipients, g_ptr_array_unref);
  g_free (bounce->original_message_id);
  g_free (bounce->reporting_mta);
  g_free (bounce);
}

/* ---- the parts of a bounce -------------------------------------------------------- */

typedef struct
{
  CachetPart *report;            /* the first multipart/report */
  GPtrArray  *dsn_parts;         /* message/(global-)delivery-status, each with its standard */
  GArray     *dsn_in_report;     /* gboolean per dsn part: inside a multipart/report */
  gboolean    other_report;      /* an MDN or an abuse report: not a bounce */
  CachetPart *returned;          /* message/rfc822 or message/global */
  CachetPart *returned_headers;  /* text/rfc822-headers, message/global-headers */
  GPtrArray  *text_parts;        /* what the bounce says, in order */
} Parts;

static gboolean
is_type (CachetPart  *part,
         const char  *type)
{
  return g_str_equal (cachet_part_get_mime_type (part), type);
}

static void
walk (CachetPart *part,
      Parts      *parts,
      gboolean    in_report,
      int         depth)
{
  const char *type = cachet_part_get_mime_type (part);

  if (depth > 32)
    return;
  switch (cachet_part_get_kind (part))
    {
    case CACHET_PART_MESSAGE:
      /* The returned message: what it contains is the original, not the bounce. */
      if (parts->returned == NULL)
        parts->returned = part;
      return;

    case CACHET_PART_MULTIPART:
      {
        GPtrArray *children = cachet_part_get_children (part);

        if (is_type (part, "multipart/report"))
          {
            if (parts->report == NULL)
              parts->report = part;
            in_report = TRUE;
          }
        for (guint i = 0; i < children->len; i++)
          walk (g_ptr_array_index (children, i), parts, in_report, depth + 1);
      }
      return;

    case CACHET_PART_SINGLE:
      break;
    }

  if (g_str_equal (type, "message/delivery-status")
      || g_str_equal (type, "message/global-delivery-status"))
    {
      g_ptr_array_add (parts->dsn_parts, part);
      g_array_append_val (parts->dsn_in_report, in_report);
    }
  else if (g_str_equal (type, "message/disposition-notification")
           || g_str_equal (type, "message/global-disposition-notification")
           || g_str_equal (type, "message/feedback-report"))
    parts->other_report = TRUE;
  else if (g_str_equal (type, "text/rfc822-headers")
           || g_str_equal (type, "message/rfc822-headers")
           || g_str_equal (type, "message/global-headers"))
    {
      if (parts->returned_headers == NULL)
        parts->returned_headers = part;
    }
  else if (g_str_equal (type, "message/rfc822") || g_str_equal (type, "message/global"))
    {
      if (parts->returned == NULL)
        parts->returned = part;
    }
  else if (g_str_has_prefix (type, "text/") || g_str_has_prefix (type, "multipart/"))
    g_ptr_array_add (parts->text_parts, part);
}

static char *
part_text (CachetPart *part)
{
  char *text = cachet_part_get_text (part, NULL);

  if (strlen (text) > MAX_TEXT)
    {
      const char *end = text + MAX_TEXT;
      g_utf8_validate (text, MAX_TEXT, &end);
      text[end - text] = '\0';
    }
  return text;
}

static gboolean
is_nearly_empty (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p && n < 40; p++)
    if (!g_ascii_isspace (*p))
      n++;
  return n < 40;
}

/* The body as it is written, for a multipart whose delimiters do not match its boundary
 * (so that no part was found): the report is in there all the same. */
static char *
raw_body_text (CachetMessage *message)
{
  gsize len;
  const char *data = g_bytes_get_data (cachet_message_get_bytes (message), &len);
  const char *body = NULL;

  if (data == NULL)
    return NULL;
  len = MIN (len, MAX_TEXT);
  for (gsize i = 0; i + 1 < len && body == NULL; i++)
    {
      if (data[i] == '\n' && data[i + 1] == '\n')
        body = data + i + 2;
      else if (data[i] == '\n' && data[i + 1] == '\r' && i + 2 < len && data[i + 2] == '\n')
        body = data + i + 3;
      else if (data[i] == '\r' && data[i + 1] == '\r')
        body = data + i + 2;
    }
  if (body == NULL)
    return NULL;
  return g_utf8_make_valid (body, data + len - body);
}

/* A message (or header block) given as text, parsed for its headers. */
static CachetMessage *
parse_headers (const char *text,
               gsize       len)
{
  g_autoptr(GBytes) bytes = NULL;

  if (text == NULL)
    return NULL;
  /* Skip to the first header line. */
  while (len > 0)
    {
      const char *nl = memchr (text, '\n', len);
      gsize line = nl ? (gsize) (nl - text) : len;
      const char *colon = memchr (text, ':', line);
      gboolean header = colon != NULL && colon > text;

      for (const char *p = text; header && p < colon; p++)
        if (!(g_ascii_isalnum (*p) || *p == '-' || *p == '_'))
          header = FALSE;
      if (header)
        break;
      if (nl == NULL)
        return NULL;
      len -= line + 1;
      text = nl + 1;
    }
  if (len == 0)
    return NULL;
  bytes = g_bytes_new (text, len);
  return cachet_message_new_from_bytes (bytes);
}

static char *
strip_angles (const char *id)
{
  g_autofree char *copy = NULL;
  char *s;
  gsize len;

  if (id == NULL)
    return NULL;
  copy = g_strdup (id);
  s = g_strstrip (copy);
  if (*s == '<')
    s++;
  len = strlen (s);
  if (len > 0 && s[len - 1] == '>')
    s[--len] = '\0';
  {
    char *space = strpbrk (s, " \t>");
    if (space != NULL)
      *space = '\0';
  }
  return *s ? g_strdup (s) : NULL;
}

static void
add_addresses (GPtrArray  *into,
               const char *raw)
{
  g_autoptr(GPtrArray) list = NULL;

  if (raw == NULL)
    return;
  list = cachet_address_list_parse (raw);
  for (guint i = 0; i < list->len; i++)
    {
      CachetAddress *a = g_ptr_array_index (list, i);
      if (a->email != NULL && strchr (a->email, '@') != NULL)
        g_ptr_array_add (into, g_utf8_strdown (a->email, -1));
    }
}

/* What is known of the returned message: its Message-ID, sender and recipients. */
typedef struct
{
  char      *message_id;
  GPtrArray *from;        /* char*, lower case */
  GPtrArray *to;          /* char*, as written */
} Returned;

static void
returned_from_message (Returned      *out,
                       CachetMessage *message)
{
  const char *from = cachet_message_get_header (message, "From");
  const char *rp = cachet_message_get_header (message, "Return-Path");

  if (out->message_id == NULL)
    out->message_id = g_strdup (cachet_message_get_message_id (message));
  if (out->from->len == 0)
    {
      add_addresses (out->from, from);
      add_addresses (out->from, rp);
    }
  if (out->to->len == 0)
    {
      add_addresses (out->to, cachet_message_get_header (message, "To"));
      add_addresses (out->to, cachet_message_get_header (message, "Cc"));
    }
}

static void
read_returned (Returned   *out,
               Parts      *parts,
               const char *returned_text)
{
  if (parts->returned != NULL && cachet_part_get_kind (parts->returned) == CACHET_PART_MESSAGE)
    {
      CachetPart *p = parts->returned;

      out->message_id = strip_angles (_cachet_part_get_header (p, "Message-ID"));
      add_addresses (out->from, _cachet_part_get_header (p, "From"));
      add_addresses (out->from, _cachet_part_get_header (p, "Return-Path"));
      add_addresses (out->to, _cachet_part_get_header (p, "To"));
      add_addresses (out->to, _cachet_part_get_header (p, "Cc"));
    }
  else if (parts->returned != NULL)
    {
      g_autofree char *text = part_text (parts->returned);
      g_autoptr(CachetMessage) m = parse_headers (text, strlen (text));
      if (m != NULL)
        returned_from_message (out, m);
    }
  if (parts->returned_headers != NULL && (out->message_id == NULL || out->to->len == 0))
    {
      g_autofree char *text = part_text (parts->returned_headers);
      g_autoptr(CachetMessage) m = parse_headers (text, strlen (text));
      if (m != NULL)
        returned_from_message (out, m);
    }
  if (returned_text != NULL && (out->message_id == NULL || out->to->len == 0))
    {
      g_autoptr(CachetMessage) m = parse_headers (returned_text, strlen (returned_text));
      if (m != NULL)
        returned_from_message (out, m);
    }
}

/* "Message-ID: <...>" quoted in the report itself ("This report relates to a message you
 * sent with the following header fields: ..."). */
static char *
message_id_in_text (const char *text)
{
  g_autoptr(GMatchInfo) match = NULL;

  if (text == NULL)
    return NULL;
  if (!g_regex_match_simple ("message-id", text, G_REGEX_CASELESS, 0))
    return NULL;
  {
    g_autoptr(GRegex) re = g_regex_new ("^[ \\t>]*message-id:[ \\t]*<([^<>\\s]+@[^<>\\s]+)>",
                                        G_REGEX_CASELESS | G_REGEX_MULTILINE, 0, NULL);
    if (g_regex_match (re, text, 0, &match))
      return g_match_info_fetch (match, 1);
  }
  return NULL;
}

/* ---- deciding --------------------------------------------------------------------- */

/* RFC 3464 actions, and Postfix's "deliverable" for an address verification report. */
gboolean
_cachet_bounce_recipient_is_success (const CachetBounceRecipient *r)
{
  return r->action != NULL && (g_str_equal (r->action, "delivered")
                               || g_str_equal (r->action, "relayed")
                               || g_str_equal (r->action, "expanded")
                               || g_str_equal (r->action, "deliverable"));
}

gboolean
_cachet_bounce_recipient_is_failed (const CachetBounceRecipient *r)
{
  if (r->action != NULL)
    return !g_str_equal (r->action, "delayed") && !_cachet_bounce_recipient_is_success (r);
  return r->status == NULL || r->status[0] != '4';
}

/* A plain-text bounce: who sent it, its subject and what it says. */
static gboolean
looks_like_bounce (const CachetBounceHints *hints,
                   const char              *report,
                   gboolean                 has_returned)
{
  gboolean says = _cachet_bounce_text_says_bounce (report);

  if (hints->subject_autoreply)
    return FALSE;
  /* A post to a mailing list (perhaps about bounces) is not one, unless a mail system
   * sent it: a list never posts with a null return path. */
  if (hints->list_message)
    return hints->null_return_path && hints->sender_daemon && hints->subject_bounce && says;
  /* Someone answering a bounce. */
  if (hints->subject_reply && !hints->sender_daemon)
    return FALSE;
  if (hints->subject_bounce && (hints->sender_daemon || hints->null_return_path || says))
    return TRUE;
  if (hints->sender_daemon && (says || has_returned))
    return TRUE;
  if (hints->null_return_path && says)
    return TRUE;
  return FALSE;
}

static void
add_failed_recipients_header (CachetBounce  *bounce,
                              CachetMessage *message,
                              const char    *report)
{
  const char *value = cachet_message_get_header (message, "X-Failed-Recipients");
  g_auto(GStrv) list = NULL;

  if (value == NULL)
    return;
  list = g_strsplit_set (value, ",", -1);
  for (char **a = list; *a; a++)
    {
      g_autofree char *address = _cachet_bounce_clean_address (*a);
      CachetBounceRecipient *r;

      if (address == NULL)
        continue;
      r = _cachet_bounce_recipient_new ();
      r->diagnostic = _cachet_bounce_reason_for (report, address);
      r->status = _cachet_bounce_find_status (r->diagnostic, TRUE);
      r->recipient = g_steal_pointer (&address);
      g_ptr_array_add (bounce->recipients, r);
    }
}

/* The first line of @report that carries a server's reply or a status code. */
static char *
first_reply_line (const char *report)
{
  g_autoptr(GRegex) re = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *line = NULL;

  if (report == NULL)
    return NULL;
  re = g_regex_new ("^.*((?<![0-9.])[45][0-9][0-9][ -]|#?(?<![0-9.])[45]\\.[0-9]{1,3}"
                    "\\.[0-9]{1,3}(?![0-9]|\\.[0-9])).*$", G_REGEX_MULTILINE, 0, NULL);
  if (!g_regex_match (re, report, 0, &match))
    return NULL;
  line = g_match_info_fetch (match, 0);
  return _cachet_bounce_squeeze (line);
}

/* No address could be found: one recipient without one, with what the text says. */
static void
add_unknown_recipient (CachetBounce *bounce,
                       const char   *report,
                       Returned     *returned)
{
  CachetBounceRecipient *r = _cachet_bounce_recipient_new ();
  guint candidates = 0;
  const char *only = NULL;

  /* The returned message's one recipient (not its sender) is the likely one. */
  for (guint i = 0; i < returned->to->len; i++)
    {
      const char *to = g_ptr_array_index (returned->to, i);
      gboolean sender = FALSE;

      for (guint j = 0; j < returned->from->len; j++)
        if (g_str_equal (g_ptr_array_index (returned->from, j), to))
          sender = TRUE;
      if (!sender)
        {
          candidates++;
          only = to;
        }
    }
  if (candidates == 1)
    {
      r->recipient = g_strdup (only);
      r->diagnostic = _cachet_bounce_reason_for (report, only);
    }
  if (r->diagnostic == NULL)
    r->diagnostic = first_reply_line (report);
  r->status = _cachet_bounce_find_status (r->diagnostic, TRUE);
  g_ptr_array_add (bounce->recipients, r);
}

static CachetBounce *detect (CachetMessage *message,
                             int            depth);

/* A bounce forwarded inside another message (a provider's notice wrapping the mail
 * system's bounce, or a bounce forwarded by a person): read the inner one. */
static gboolean
adopt_inner_bounce (CachetBounce *bounce,
                    Parts        *parts,
                    const char   *returned_text,
                    int           depth)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CachetMessage) inner = NULL;
  g_autoptr(CachetBounce) found = NULL;
  gboolean named = FALSE;

  if (depth >= 2)
    return FALSE;
  if (parts->returned != NULL && cachet_part_get_kind (parts->returned) == CACHET_PART_MESSAGE)
    bytes = g_bytes_new_from_bytes (parts->returned->raw, parts->returned->body_offset,
                                    parts->returned->body_length);
  else if (returned_text != NULL)
    bytes = g_bytes_new (returned_text, strlen (returned_text));
  if (bytes == NULL)
    return FALSE;
  inner = cachet_message_new_from_bytes (bytes);
  found = detect (inner, depth + 1);
  if (found == NULL)
    return FALSE;
  for (guint i = 0; i < found->recipients->len; i++)
    if (((CachetBounceRecipient *) g_ptr_array_index (found->recipients, i))->recipient != NULL)
      named = TRUE;
  if (!named)
    return FALSE;
  while (found->recipients->len > 0)
    g_ptr_array_add (bounce->recipients, g_ptr_array_steal_index (found->recipients, 0));
  if (found->original_message_id != NULL)
    {
      g_free (bounce->original_message_id);
      bounce->original_message_id = g_steal_pointer (&found->original_message_id);
    }
  if (bounce->reporting_mta == NULL)
    bounce->reporting_mta = g_steal_pointer (&found->reporting_mta);
  return TRUE;
}

CachetBounce *
cachet_bounce_detect (CachetMessage *message)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE (message), NULL);

  return detect (message, 0);
}

static CachetBounce *
detect (CachetMessage *message,
        int            depth)
{
  g_autoptr(CachetBounce) bounce = NULL;
  g_autoptr(GPtrArray) dsn_parts = g_ptr_array_new ();
  g_autoptr(GArray) dsn_in_report = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_autoptr(GPtrArray) text_parts = g_ptr_array_new ();
  g_autoptr(GString) report = g_string_new (NULL);
  g_autoptr(GString) returned_text = NULL;
  g_autoptr(GPtrArray) senders = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *bounce_from = NULL;
  Returned returned = { NULL, g_ptr_array_new_with_free_func (g_free),
                        g_ptr_array_new_with_free_func (g_free) };
  Parts parts = { NULL, dsn_parts, dsn_in_report, FALSE, NULL, NULL, text_parts };
  CachetBounceHints hints;
  CachetBounceText text = { 0 };
  const char *report_type = NULL;
  gboolean declared;
  gboolean failed = FALSE;
  gboolean delayed = FALSE;
  gboolean success_only = TRUE;
  guint from_dsn = 0;

  walk (cachet_message_get_root (message), &parts, FALSE, 0);
  if (parts.report != NULL)
    report_type = cachet_part_get_parameter (parts.report, "report-type");
  /* Read receipts and abuse reports are reports too, but not bounces. */
  if (dsn_parts->len == 0
      && (parts.other_report
          || (report_type != NULL
              && (g_ascii_strcasecmp (report_type, "disposition-notification") == 0
                  || g_ascii_strcasecmp (report_type, "feedback-report") == 0))))
    goto not_bounce;

  /* A report that says it is about delivery is a bounce, even when nothing in it can be
   * read (a truncated message, a body that does not match its boundary). */
  declared = report_type != NULL
             && (g_ascii_strcasecmp (report_type, "delivery-status") == 0
                 || g_ascii_strcasecmp (report_type, "global-delivery-status") == 0);
  _cachet_bounce_read_hints (message, &hints);
  bounce = _cachet_bounce_new ();

  for (guint i = 0; i < dsn_parts->len; i++)
    {
      g_autofree char *fields = part_text (g_ptr_array_index (dsn_parts, i));
      guint n = _cachet_bounce_parse_dsn (bounce, fields, strlen (fields), FALSE);

      if (n > 0 && g_array_index (dsn_in_report, gboolean, i))
        bounce->standard = TRUE;
      from_dsn += n;
    }

  if (from_dsn == 0 && !(hints.subject_bounce || hints.sender_daemon || hints.null_return_path
                         || parts.report != NULL))
    goto not_bounce;

  /* What the bounce says, cut where the returned message starts. */
  for (guint i = 0; i < text_parts->len; i++)
    {
      g_autofree char *t = part_text (g_ptr_array_index (text_parts, i));
      g_autofree char *said = NULL;
      g_autofree char *rest = NULL;

      if (returned_text != NULL)
        {
          g_string_append_c (returned_text, '\n');
          g_string_append (returned_text, t);
          continue;
        }
      _cachet_bounce_split_text (t, &said, &rest);
      if (report->len > 0)
        g_string_append_c (report, '\n');
      g_string_append (report, said);
      if (rest != NULL)
        returned_text = g_string_new (rest);
    }

  if (from_dsn == 0 && is_nearly_empty (report->str) && returned_text == NULL)
    {
      g_autofree char *raw = raw_body_text (message);
      g_autofree char *said = NULL;
      g_autofree char *rest = NULL;

      if (raw != NULL)
        {
          _cachet_bounce_split_text (raw, &said, &rest);
          g_string_assign (report, said);
          if (rest != NULL)
            returned_text = g_string_new (rest);
        }
    }

  if (from_dsn == 0 && !declared && !looks_like_bounce (&hints, report->str,
                                           parts.returned != NULL
                                           || parts.returned_headers != NULL
                                           || returned_text != NULL))
    goto not_bounce;

  read_returned (&returned, &parts, returned_text ? returned_text->str : NULL);
  if (returned.message_id == NULL)
    returned.message_id = message_id_in_text (report->str);
  bounce->original_message_id = g_steal_pointer (&returned.message_id);

  add_addresses (senders, cachet_message_get_header (message, "To"));
  for (guint i = 0; i < returned.from->len; i++)
    g_ptr_array_add (senders, g_strdup (g_ptr_array_index (returned.from, i)));
  {
    GPtrArray *from = cachet_message_get_from (message);
    if (from->len > 0 && ((CachetAddress *) g_ptr_array_index (from, 0))->email != NULL)
      bounce_from = g_utf8_strdown (((CachetAddress *) g_ptr_array_index (from, 0))->email, -1);
  }
  text.report = report->str;
  text.returned = returned_text ? returned_text->str : NULL;
  text.senders = senders;
  text.bounce_from = bounce_from;

  if (from_dsn == 0)
    {
      /* Fields of a report pasted into the text; an explicit header; the text itself. */
      _cachet_bounce_parse_dsn (bounce, report->str, report->len, TRUE);
      if (bounce->recipients->len == 0)
        add_failed_recipients_header (bounce, message, report->str);
      if (bounce->recipients->len == 0)
        _cachet_bounce_scan_recipients (bounce, &text);
      if (bounce->recipients->len == 0)
        adopt_inner_bounce (bounce, &parts, text.returned, depth);
      if (bounce->recipients->len == 0)
        add_unknown_recipient (bounce, report->str, &returned);
    }

  for (guint i = 0; i < bounce->recipients->len; i++)
    {
      CachetBounceRecipient *r = g_ptr_array_index (bounce->recipients, i);

      /* The report's words where its fields give no reason; for a single recipient, the
       * server's reply wherever it stands. */
      if (r->diagnostic == NULL && r->recipient != NULL)
        r->diagnostic = _cachet_bounce_reason_for (report->str, r->recipient);
      if (r->diagnostic == NULL && bounce->recipients->len == 1)
        r->diagnostic = first_reply_line (report->str);
      if (r->status == NULL)
        r->status = _cachet_bounce_find_status (r->diagnostic, TRUE);
    }

  /* Is it a failure, only a delay, or (a delivery report) no bounce at all? */
  if (from_dsn == 0 || bounce->recipients->len == 0)
    {
      gboolean delay = hints.subject_delay
                       || (_cachet_bounce_text_says_delay (report->str)
                           && !hints.subject_bounce
                           && strstr (report->str, "permanent") == NULL);

      for (guint i = 0; i < bounce->recipients->len; i++)
        {
          CachetBounceRecipient *r = g_ptr_array_index (bounce->recipients, i);
          if (r->action == NULL)
            r->action = g_strdup (delay ? "delayed" : "failed");
        }
    }
  for (guint i = 0; i < bounce->recipients->len; i++)
    {
      CachetBounceRecipient *r = g_ptr_array_index (bounce->recipients, i);

      if (_cachet_bounce_recipient_is_failed (r))
        failed = TRUE;
      else if (!_cachet_bounce_recipient_is_success (r))
        delayed = TRUE;
      if (!_cachet_bounce_recipient_is_success (r))
        success_only = FALSE;
    }
  if (success_only && bounce->recipients->len > 0)
    goto not_bounce;
  bounce->delayed_only = delayed && !failed;

  g_ptr_array_unref (returned.from);
  g_ptr_array_unref (returned.to);
  return g_steal_pointer (&bounce);

not_bounce:
  g_free (returned.message_id);
  g_ptr_array_unref (returned.from);
  g_ptr_array_unref (returned.to);
  return NULL;
}
