/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-bounce.h"

G_BEGIN_DECLS

/* What the headers of a message say about it being a bounce (cachet-bounce-text.c). */
typedef struct
{
  gboolean subject_bounce;   /* "Undelivered Mail Returned to Sender", "failure notice", ... */
  gboolean subject_delay;    /* "Delivery Status Notification (Delay)", "Warning: ..." */
  gboolean subject_reply;    /* "Re: ..." */
  gboolean subject_autoreply;/* "Out of office", "Automatic reply: ..." */
  gboolean sender_daemon;    /* MAILER-DAEMON, postmaster, "Mail Delivery System", no address */
  gboolean null_return_path; /* Return-Path: <> */
  gboolean list_message;     /* List-Id or List-Post: a mailing list's post */
} CachetBounceHints;

/* The text of a bounce split up for reading (cachet-bounce-text.c). */
typedef struct
{
  char      *report;        /* what the bounce says itself, up to the returned message */
  char      *returned;      /* the returned message (or its headers) as text, or NULL */
  GPtrArray *senders;       /* char*, lower case: the bounce's To and the original's From */
  char      *bounce_from;   /* lower case, or NULL */
} CachetBounceText;

CachetBounceRecipient *_cachet_bounce_recipient_new  (void);
void                   _cachet_bounce_recipient_free (CachetBounceRecipient *recipient);
CachetBounce          *_cachet_bounce_new            (void);
/* By the action (or, without one, the status class): failed, or nothing to worry about
 * (delivered, relayed, expanded; Postfix's "deliverable"). */
gboolean _cachet_bounce_recipient_is_failed  (const CachetBounceRecipient *recipient);
gboolean _cachet_bounce_recipient_is_success (const CachetBounceRecipient *recipient);

/* cachet-bounce-dsn.c */
/* Reads the fields of a delivery-status body (RFC 3464 section 2.1-2.3, RFC 6533) and
 * appends one recipient per per-recipient group to @bounce.  Tolerates missing or doubled
 * blank lines between groups, any line ends, folded fields and fields in any order; with
 * @in_text, lines that are not fields are skipped (DSN fields pasted into a plain text
 * bounce).  Returns the number of recipients added. */
guint  _cachet_bounce_parse_dsn           (CachetBounce *bounce,
                                           const char   *text,
                                           gsize         len,
                                           gboolean      in_text);
/* "5.1.1" from a Status field or text ("#5.1.1", "550 5.1.1 ...", "5.2.2 (mailbox full)"),
 * or NULL.  IP addresses and version numbers are not mistaken for one; with
 * @failures_only, success codes (2.x.x, a transcript's "250 2.1.5 Ok") are passed over. */
char  *_cachet_bounce_find_status         (const char   *text,
                                           gboolean      failures_only);
/* An address as written in a DSN or bounce text: "rfc822; <a@b>" -> "a@b"; NULL if empty. */
char  *_cachet_bounce_clean_address       (const char   *value);
/* Unfolds and collapses white space; NULL for an empty result. */
char  *_cachet_bounce_squeeze             (const char   *text);

/* cachet-bounce-text.c */
void     _cachet_bounce_read_hints        (CachetMessage      *message,
                                           CachetBounceHints  *hints);
/* TRUE when the text says in words that mail was not delivered (or is delayed). */
gboolean _cachet_bounce_text_says_bounce  (const char         *report);
gboolean _cachet_bounce_text_says_delay   (const char         *report);
/* Splits plain text into what the bounce says and the returned message after it. */
void     _cachet_bounce_split_text        (const char         *text,
                                           char              **report,
                                           char              **returned);
/* Finds failed recipients named in a non-standard bounce's text, with the reason given
 * next to each; appends to @bounce.  Returns the number found. */
guint    _cachet_bounce_scan_recipients   (CachetBounce       *bounce,
                                           const CachetBounceText *text);
/* The words near @address in @report: the reason its delivery failed, or NULL. */
char    *_cachet_bounce_reason_for        (const char         *report,
                                           const char         *address);

G_END_DECLS
