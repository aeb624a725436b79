/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "cachet-discovery.h"
#include "cachet-isp-profile.h"

G_BEGIN_DECLS

/* For tests only ------------------------------------------------------------------------ *
 * Connect to @real_port (on the same host) wherever discovery would use @port: HTTPS 443
 * for autoconfig, the guessed ports.  Ports found in profiles, autoconfig files and SRV
 * records are used as they are. */
void _cachet_discovery_set_test_port    (CachetDiscovery *self,
                                         guint16          port,
                                         guint16          real_port);
/* Trust the CA certificates of @path too (HTTPS and probes).  Never set outside tests. */
void _cachet_discovery_set_test_ca_file (CachetDiscovery *self,
                                         const char      *path);

/* A deadline: a cancellable cancelled when @parent is, or when @ms have passed (then
 * `expired` is TRUE).  The timer runs in the thread-default main context. */
typedef struct
{
  GCancellable *cancellable;
  GCancellable *parent;
  gulong        parent_handler;
  GSource      *timer;
  gboolean      expired;
} CachetDeadline;

CachetDeadline *_cachet_deadline_new  (GCancellable   *parent,
                                       guint           ms);
void            _cachet_deadline_free (CachetDeadline *deadline);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetDeadline, _cachet_deadline_free)

gint64 _cachet_ms (gint64 us);

/* Candidates ---------------------------------------------------------------------------- */

CachetDiscoveryCandidate *_cachet_candidate_new (CachetDiscoveryProtocol  protocol,
                                                 CachetDiscoveryStep      source,
                                                 const char              *origin,
                                                 CachetServerSettings    *server); /* full */
/* The usable POP3 and SMTP servers of @profile, in its order, appended to @incoming and
 * @outgoing; trusted unless plaintext. */
void _cachet_candidates_from_profile (CachetIspProfile *profile,
                                      CachetDiscoveryStep source,
                                      const char       *origin,
                                      const char       *address,
                                      const char       *real_name,
                                      GPtrArray        *incoming,
                                      GPtrArray        *outgoing);

/* Autoconfig over HTTPS (cachet-discovery-autoconfig.c) -------------------------------- */

SoupSession *_cachet_autoconfig_session_new   (guint               timeout_ms);
/* GETs @url (https only; redirects followed only to https, at most 3), at most
 * CACHET_ISP_PROFILE_MAX_SIZE bytes, within @timeout_ms.  On a certificate problem,
 * *@check (when given) says why. */
void         _cachet_autoconfig_fetch_async   (SoupSession        *session,
                                               const char         *url,
                                               const char         *extra_ca_file,
                                               guint               timeout_ms,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
GBytes      *_cachet_autoconfig_fetch_finish  (GAsyncResult       *result,
                                               CachetTlsCheck    **check,
                                               GError            **error);

/* DNS (cachet-discovery-dns.c) ---------------------------------------------------------- */

/* SRV records of RFC 6186 for @domain: candidates (user %EMAILADDRESS%) in @incoming /
 * @outgoing, one line per record name in @notes. */
void      _cachet_dns_srv_async  (const char         *domain,
                                  const char         *address,
                                  guint               timeout_ms,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
gboolean  _cachet_dns_srv_finish (GAsyncResult       *result,
                                  GPtrArray          *incoming,
                                  GPtrArray          *outgoing,
                                  GPtrArray          *notes,
                                  GError            **error);
/* MX hosts of @domain, best preference first (char *). */
void       _cachet_dns_mx_async  (const char         *domain,
                                  guint               timeout_ms,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
GPtrArray *_cachet_dns_mx_finish (GAsyncResult       *result,
                                  GError            **error);

/* Probing one server (cachet-discovery-probe.c) ---------------------------------------- */

typedef enum
{
  CACHET_PROBE_OK,               /* protocol confirmed, TLS verified (implicit or STARTTLS) */
  CACHET_PROBE_PLAINTEXT,        /* protocol confirmed, no STARTTLS offered */
  CACHET_PROBE_CERTIFICATE,      /* protocol confirmed (or not), certificate not trusted */
  CACHET_PROBE_TLS_FAILED,       /* no TLS where it should be, or an outdated version */
  CACHET_PROBE_WRONG_PROTOCOL,   /* answered, but not with POP3 / SMTP */
  CACHET_PROBE_REFUSED,          /* the protocol's greeting says "go away" */
  CACHET_PROBE_UNREACHABLE,      /* no such name, connection refused */
  CACHET_PROBE_TIMED_OUT,
  CACHET_PROBE_CANCELLED,
} CachetProbeOutcome;

typedef struct
{
  CachetProbeOutcome  outcome;
  CachetSecurity      security;      /* what works: TLS, STARTTLS or PLAIN */
  gboolean            confirmed;     /* the greeting was the protocol's */
  CachetTlsCheck     *tls_check;
  char               *greeting;
  char               *capabilities;  /* space-separated, after TLS when there was TLS */
  char               *message;       /* what went wrong, a sentence; or NULL */
  gint64              elapsed_us;
} CachetProbeResult;

void               _cachet_probe_result_free (CachetProbeResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetProbeResult, _cachet_probe_result_free)
const char        *_cachet_probe_outcome_describe (CachetProbeOutcome outcome);

/* Blocking: connect to @host:@port (implicit TLS or not), read the greeting, CAPA or EHLO,
 * STARTTLS when advertised on a plain port, then QUIT.  Never logs in.  @timeout_s bounds
 * each connect, handshake, read and write; @cancellable stops it at once. */
CachetProbeResult *_cachet_probe_run (const char   *host,
                                      guint16       port,
                                      gboolean      smtp,
                                      gboolean      implicit_tls,
                                      guint         timeout_s,
                                      const char   *extra_ca_file,
                                      GCancellable *cancellable);

/* Guessing (cachet-discovery-guess.c) ---------------------------------------------------- */

typedef struct
{
  char       *domain;
  char       *address;
  GHashTable *ports;          /* test port map: GUINT_TO_POINTER (port) -> real port */
  char       *extra_ca_file;
  guint       probe_ms;
  guint       overall_ms;
} CachetGuessPlan;

void      _cachet_guess_async  (const CachetGuessPlan *plan,
                                GCancellable          *cancellable,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data);
/* Candidates in order of preference; @timed_out when the overall limit stopped it. */
gboolean  _cachet_guess_finish (GAsyncResult          *result,
                                GPtrArray             *incoming,
                                GPtrArray             *outgoing,
                                GPtrArray             *notes,
                                gboolean              *timed_out,
                                GError               **error);

G_END_DECLS
