/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A scripted SMTP server in a thread of the test, on 127.0.0.1: for what a real server
 * will not do on purpose (no STARTTLS, 4xx replies, garbled replies, a connection cut
 * in the middle of DATA), and to see exactly what arrived.  One connection at a time. */

typedef struct
{
  gboolean         implicit_tls;
  GTlsCertificate *certificate;     /* for implicit TLS and STARTTLS */
  const char      *greeting;        /* the whole greeting (CRLF added), instead of "220 ..." */
  gboolean         silent;          /* never greet */
  gboolean         no_ehlo;         /* 502 to EHLO: only HELO */
  gboolean         starttls;        /* offer STARTTLS (needs certificate) */
  const char      *starttls_reply;  /* instead of "220 2.0.0 Ready to start TLS" */
  gboolean         inject_after_starttls; /* "220" and a second reply in one packet */
  const char      *auth;            /* AUTH mechanisms offered, "PLAIN LOGIN CRAM-MD5"; NULL
                                     * for none.  With starttls, only inside TLS. */
  gboolean         pipelining;
  gboolean         eightbitmime;
  gboolean         smtputf8;
  guint64          size;            /* SIZE offered (0: no SIZE); MAIL with a larger SIZE=
                                     * gets 552 */
  const char      *user;
  const char      *password;
  /* "PREFIX=REPLY": a command starting with PREFIX (case-insensitive) is answered with
   * REPLY (CRLF added; "\r\n" inside for more lines) instead.  PREFIX "." is the end of
   * the message content.  REPLY "HANGUP" closes the connection, "HANG" answers nothing
   * and waits for the client to go.  NULL-terminated. */
  const char * const *replies;
  gsize            drop_in_data;    /* close after this many bytes of content */
} FakeSmtpConfig;

typedef struct _FakeSmtp FakeSmtp;

FakeSmtp   *fake_smtp_new             (const FakeSmtpConfig *config);
void        fake_smtp_free            (FakeSmtp *fake);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeSmtp, fake_smtp_free)

guint16     fake_smtp_get_port        (FakeSmtp *fake);
/* Waits until every accepted connection has ended, then returns the commands received
 * (lines as sent, without CRLF; transfer full).  Content lines are not commands. */
GPtrArray  *fake_smtp_wait_commands   (FakeSmtp *fake);
/* The contents received after "354" (as on the wire: CRLF, dot-stuffed, without the final
 * ".\r\n"), GBytes in order (after fake_smtp_wait_commands; transfer full). */
GPtrArray  *fake_smtp_get_messages    (FakeSmtp *fake);
/* The most commands received before the server answered the first of them. */
guint       fake_smtp_get_max_batch   (FakeSmtp *fake);
/* Connections accepted so far. */
guint       fake_smtp_get_connections (FakeSmtp *fake);

/* How many of @commands start with @prefix (case-insensitive). */
guint       fake_smtp_count           (GPtrArray  *commands,
                                       const char *prefix);

/* Undoes the dot-stuffing of a content as received and makes its CRLF into LF. */
GBytes     *fake_smtp_decode          (GBytes *wire);

G_END_DECLS
