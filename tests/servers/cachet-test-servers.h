/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Real mail servers (Dovecot, Postfix) and a scripted fake POP3 server on
 * 127.0.0.1 for GTest programs, started into a temporary directory by
 * tests/servers/mailservers.sh and tests/servers/fake-pop3.py.
 *
 * A test program starts them once, in main() before g_test_run(), and
 * stops them after it:
 *
 *   g_autofree char *skip = NULL;
 *   g_autoptr(GError) error = NULL;
 *
 *   servers = cachet_test_servers_start (CACHET_TEST_SERVERS_ALT, &skip, &error);
 *   if (skip != NULL)
 *     return cachet_test_skip_all (skip);        // prints "1..0 # SKIP ..."
 *   g_assert_no_error (error);
 *   ...
 *   status = g_test_run ();
 *   cachet_test_servers_free (servers);          // stops them, removes the directory
 *
 * If the program dies before (a failed assertion aborts), a watcher stops
 * the servers and removes the directory; the fake server ends by itself
 * too.  Set CACHET_TEST_KEEP=1 to keep the directories (logs) after a
 * normal stop. */

#define CACHET_TEST_SERVERS_ERROR (cachet_test_servers_error_quark ())
GQuark cachet_test_servers_error_quark (void);

typedef enum
{
  CACHET_TEST_SERVERS_ERROR_FAILED,
} CachetTestServersError;

typedef enum
{
  CACHET_TEST_SERVERS_POP3 = 0,        /* always: Dovecot with POP3 (STLS) and POP3S */
  CACHET_TEST_SERVERS_SMTP = 1 << 0,   /* Postfix too: SMTP, submission, SMTPS, LMTP delivery */
  CACHET_TEST_SERVERS_ALT  = 1 << 1,   /* the other certificates' listeners and APOP */
  CACHET_TEST_SERVERS_ALL  = CACHET_TEST_SERVERS_SMTP | CACHET_TEST_SERVERS_ALT,
} CachetTestServersFlags;

/* The certificates the servers can present.  All but SELF_SIGNED* are signed by
 * the test CA (ca_file). */
typedef enum
{
  CACHET_TEST_CERT_GOOD,           /* localhost + IP 127.0.0.1 */
  CACHET_TEST_CERT_WRONG_HOST,     /* only wrong.example.test */
  CACHET_TEST_CERT_SELF_SIGNED,    /* localhost + 127.0.0.1, self-signed */
  CACHET_TEST_CERT_SELF_SIGNED_2,  /* another self-signed one: a "changed" certificate */
  CACHET_TEST_CERT_EXPIRED,        /* localhost + 127.0.0.1, expired in 2020 */
  CACHET_TEST_N_CERTS
} CachetTestCert;

typedef struct
{
  char    *file;             /* PEM certificate */
  char    *key_file;         /* its PEM private key */
  char    *sha256;           /* SHA-256 of the DER certificate, lower-case hex (64) */
  /* A server presenting it (0 when not started: see the flags).  GOOD is the
   * main Dovecot / Postfix. */
  guint16  pop3_port;        /* POP3, STLS offered */
  guint16  pop3s_port;       /* POP3 over implicit TLS */
  guint16  submission_port;  /* SMTP submission, STARTTLS required */
  guint16  smtps_port;       /* SMTP over implicit TLS */
} CachetTestCertInfo;

typedef struct
{
  char *name;                /* "alice" */
  char *login;               /* the user name to log in with: "alice@example.test" */
  char *password;
  char *maildir;             /* the server's Maildir (cur/, new/, tmp/) */
} CachetTestUser;

typedef struct
{
  char              *dir;          /* the temporary directory holding everything */
  char              *host;         /* "127.0.0.1" */
  char              *domain;       /* "example.test" */
  char              *ca_file;      /* the test CA's certificate: the trust anchor */
  guint16            pop3_port;    /* = certs[CACHET_TEST_CERT_GOOD].pop3_port */
  guint16            pop3s_port;
  guint16            apop_pop3_port;   /* Dovecot offering APOP (ALT; works for
                                        * users whose password is stored in clear:
                                        * all but bob) */
  guint16            apop_pop3s_port;
  guint16            smtp_port;        /* port-25 style (SMTP): no AUTH needed for
                                        * example.test, relaying refused */
  guint16            submission_port;
  guint16            smtps_port;
  CachetTestCertInfo certs[CACHET_TEST_N_CERTS];
  GPtrArray         *users;        /* CachetTestUser: alice, bob (password stored
                                    * hashed), carol (never gets mail), bulk (for big
                                    * mailboxes), sink (all mail for other domains) */
  char              *dovecot_log;
  char              *postfix_log;  /* NULL without SMTP */
  GHashTable        *env;          /* every KEY=value of DIR/env */
  gboolean           running;
} CachetTestServers;

/* Starts the servers in a new temporary directory.  Returns NULL and sets
 * @skip_reason (when they cannot run here: packages missing, not root) or
 * @error (when they should have started but did not). */
CachetTestServers *cachet_test_servers_start (CachetTestServersFlags   flags,
                                              char                   **skip_reason,
                                              GError                 **error);
/* Stops them (by their PIDs), waits until no process of theirs is left.
 * Keeps the directory.  Safe to call twice. */
gboolean cachet_test_servers_stop (CachetTestServers  *servers,
                                   GError            **error);
/* Stops them if running, removes the directory (unless CACHET_TEST_KEEP=1). */
void cachet_test_servers_free (CachetTestServers *servers);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetTestServers, cachet_test_servers_free)

/* A value of DIR/env (see tests/servers/mailservers.sh), or NULL. */
const char *cachet_test_servers_get (CachetTestServers *servers,
                                     const char        *key);
/* The user called @name ("alice"), or NULL. */
const CachetTestUser *cachet_test_servers_get_user (CachetTestServers *servers,
                                                    const char        *name);

/* Why the real servers cannot run here (newly allocated), or NULL if they can. */
char *cachet_test_servers_unavailable (void);

/* For a test program that cannot run: prints the TAP plan "1..0 # SKIP
 * @reason" and returns 0 (the exit status to return from main()).  With
 * CACHET_TEST_REQUIRE_SERVERS=1 in the environment (CI) it prints "Bail out!"
 * instead and returns 1: there a missing tool is a failure. */
int cachet_test_skip_all (const char *reason);

/* --- Mailboxes ------------------------------------------------------------ */

/* Puts a message into a Maildir the way a delivery agent does (tmp/, then a
 * rename into new/), readable by the server (0644).  Dovecot sees it at the
 * next login or STAT of a new session.  Returns the new file's path. */
char *cachet_test_maildir_add (const char  *maildir,
                               const void  *data,
                               gsize        length,
                               GError     **error);
/* The same into a server user's mailbox. */
char *cachet_test_servers_add_message (CachetTestServers  *servers,
                                       const char         *user,
                                       GBytes             *message,
                                       GError            **error);
/* Adds @n messages made by cachet_test_message_new (first_index .. first_index
 * + n - 1, each about @size bytes): 2,000 of 20 KB take about a second. */
gboolean cachet_test_servers_fill (CachetTestServers  *servers,
                                   const char         *user,
                                   guint               first_index,
                                   guint               n,
                                   gsize               size,
                                   GError            **error);

/* A valid RFC 5322 message (LF line ends) numbered @index: unique Message-ID
 * <cachet-test-INDEX@example.test>, Subject "Test message INDEX", a header
 * X-Cachet-Test-Index, and a text body of about @size bytes in total that
 * contains lines starting with "." (POP3 dot-stuffing) and long lines. */
GBytes *cachet_test_message_new (guint index,
                                 gsize size);

/* Every message in a Maildir (new/ and cur/), as GBytes, sorted by content,
 * so two reads of the same set compare equal whatever the file names. */
GPtrArray *cachet_test_maildir_read (const char  *maildir,
                                     GError     **error);
/* The number of messages in a Maildir (new/ and cur/). */
guint cachet_test_maildir_count (const char *maildir);
/* cachet_test_maildir_read() of a server user's mailbox. */
GPtrArray *cachet_test_servers_read_mailbox (CachetTestServers  *servers,
                                             const char         *user,
                                             GError            **error);
/* Polls a Maildir until it holds at least @n messages or @timeout_ms passed
 * (for asynchronous delivery through Postfix).  Returns whether it does. */
gboolean cachet_test_maildir_wait_for (const char *maildir,
                                       guint       n,
                                       guint       timeout_ms);

typedef enum
{
  CACHET_TEST_COMPARE_EXACT     = 0,
  CACHET_TEST_COMPARE_LINE_ENDS = 1 << 0,  /* CRLF and LF count as the same */
} CachetTestCompareFlags;

/* Are @a and @b (GBytes each) the same messages, each as often (in any order)?
 * If not, and @why is given, says what differs (counts, the first message
 * only in one of them, by its Message-ID or first bytes). */
gboolean cachet_test_messages_equal (GPtrArray               *a,
                                     GPtrArray               *b,
                                     CachetTestCompareFlags   flags,
                                     char                   **why);

/* --- Fake POP3 server (tests/servers/fake-pop3.py) -------------------------- */

typedef struct
{
  GPid     pid;
  guint16  port;             /* on 127.0.0.1 */
  char    *dir;              /* its temporary directory (log, stderr, certificates) */
  char    *log_file;         /* see fake-pop3.py: "SESSION plain|tls C|S|* TEXT" */
  char    *ca_file;          /* the test CA that signed its certificate */
  char    *cert_file;        /* the certificate it presents */
  char    *messages_dir;     /* what it serves (and deletes after DELE + QUIT) */
} CachetTestFakePop3;

/* Starts fake-pop3.py serving @messages_dir (a Maildir or a plain directory),
 * with the scenario switches in @options (NULL-terminated, e.g. "--no-stls",
 * "--drop-retr=2:1000"; see fake-pop3.py --help).  TLS uses the certificate
 * "server.pem" (CACHET_TEST_CERT_GOOD) of @tls_dir, a directory as made by
 * "mailservers.sh certs" (e.g. servers->dir + "/tls"), or, when NULL, of
 * certificates made for it; pass "--cert=FILE", "--key=FILE" in @options to
 * present another.  Returns NULL and sets @skip_reason when python3 or
 * openssl is missing. */
CachetTestFakePop3 *cachet_test_fake_pop3_start (const char          *messages_dir,
                                                 const char          *tls_dir,
                                                 const char * const  *options,
                                                 char               **skip_reason,
                                                 GError             **error);
/* The commands it received, in order, as "SESSION plain|tls COMMAND LINE"
 * (e.g. "1 tls PASS secret-alice"). */
GStrv cachet_test_fake_pop3_commands (CachetTestFakePop3 *fake);
/* Its whole log. */
char *cachet_test_fake_pop3_log (CachetTestFakePop3 *fake);
/* Stops it (SIGTERM to its PID, then waits) and removes its directory. */
void cachet_test_fake_pop3_free (CachetTestFakePop3 *fake);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetTestFakePop3, cachet_test_fake_pop3_free)

G_END_DECLS
