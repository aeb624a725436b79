/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A scripted POP3 server in a thread of the test, on 127.0.0.1: for what a real server
 * will not do on purpose (drops, truncated replies, malformed UIDL, missing STLS), and
 * to see exactly which commands arrived.  One connection at a time. */

typedef enum
{
  FAKE_TLS_NONE,
  FAKE_TLS_IMPLICIT,
  FAKE_TLS_CAPTURE_HELLO,  /* read the TLS ClientHello, keep it, hang up */
} FakeTls;

typedef struct
{
  FakeTls          tls;
  GTlsCertificate *certificate;     /* for TLS and STLS */
  gboolean         no_capa;         /* -ERR to CAPA */
  gboolean         stls;            /* offer STLS (needs certificate) */
  gboolean         refuse_stls;     /* offer it, then -ERR */
  gboolean         inject_after_stls; /* "+OK" and a second reply in one packet */
  gboolean         pipelining;
  gboolean         sasl_plain;
  gboolean         no_uidl;
  const char      *timestamp;       /* APOP challenge in the greeting, or NULL */
  const char      *greeting;        /* whole greeting line instead of "+OK ..." */
  gboolean         silent;          /* never greet */
  const char      *user;
  const char      *password;
  const char      *login_reply;     /* sent instead of +OK to a correct login */
  const char      *uidl_body;       /* UIDL listing lines as sent (CRLF each), no "." */
  guint            drop_in_retr;    /* message number: hang up halfway through it */
  guint            truncate_retr;   /* message number: "+O" and hang up */
  guint            garbage_retr;    /* message number: a reply that is no reply */
  guint            refuse_retr;     /* message number: -ERR */
  guint            stall_in_retr;   /* message number: send part, then wait for hang-up */
} FakePop3Config;

typedef struct _FakePop3 FakePop3;

FakePop3   *fake_pop3_new              (const FakePop3Config *config);
void        fake_pop3_free             (FakePop3 *fake);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakePop3, fake_pop3_free)

guint16     fake_pop3_get_port         (FakePop3 *fake);
/* A message with LF line ends, as the client must deliver it; sent dot-stuffed with CRLF. */
void        fake_pop3_add_message      (FakePop3   *fake,
                                        const char *uidl,
                                        GBytes     *content);
/* A generated message of about @size bytes (see fake_pop3_generated_content). */
void        fake_pop3_add_generated    (FakePop3   *fake,
                                        const char *uidl,
                                        gsize       size);
/* Feeds the LF form of a generated message of @size to @checksum, returns its length. */
gsize       fake_pop3_generated_content (gsize      size,
                                         GChecksum *checksum);
guint       fake_pop3_count_messages   (FakePop3 *fake);

/* Waits until every accepted connection has ended, then returns the commands received
 * (lines as sent, without CRLF; transfer full). */
GPtrArray  *fake_pop3_wait_commands    (FakePop3 *fake);
/* The ClientHello bytes of FAKE_TLS_CAPTURE_HELLO (after fake_pop3_wait_commands). */
GBytes     *fake_pop3_get_hello        (FakePop3 *fake);
/* The most commands received before the server answered the first of them. */
guint       fake_pop3_get_max_batch    (FakePop3 *fake);

G_END_DECLS
