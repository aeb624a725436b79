/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-account.h"
#include "cachet-isp-directory.h"
#include "cachet-tls.h"

G_BEGIN_DECLS

/* Finding the POP3 and SMTP servers of an e-mail address, without logging in.
 *
 * The steps, in this order (DESIGN.md, "Account discovery"):
 *   1. PROFILE     ISP profiles on this machine (CachetIspDirectory), by the domain
 *   2. AUTOCONFIG  https://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=...,
 *                  then https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml
 *                  (both fetched at once within one time limit, the first preferred;
 *                  certificate verified, never plain HTTP, short timeouts, size limit)
 *   3. SRV         DNS SRV (RFC 6186): _submissions._tcp, _submission._tcp, _pop3s._tcp,
 *                  _pop3._tcp; a target of "." means "not offered"
 *   4. MX          the MX host's domain (and its parent domains), if a profile here knows it
 *   5. GUESS       pop3., pop., mail. and the bare domain on 995 then 110; smtp., mail. and
 *                  the bare domain on 465, 587 then 25; probed in parallel (greeting and
 *                  CAPA / EHLO, STARTTLS only when advertised, certificates verified), each
 *                  probe and the whole step with a timeout
 *
 * By default the run stops after the first step that leaves a trusted incoming and a
 * trusted outgoing server (the remaining steps are SKIPPED); CACHET_DISCOVERY_ALL_STEPS
 * runs every step.  Every server found is kept, with its source, origin and timings; the
 * first trusted one of each kind is preselected, a server with a certificate problem only
 * when no trusted one was found, and a plaintext one only when nothing else answered.
 *
 * Use from one thread (the one whose thread-default main context runs when
 * cachet_discovery_run_async() is called): signals and the callback come there. */

typedef enum
{
  CACHET_DISCOVERY_STEP_PROFILE,
  CACHET_DISCOVERY_STEP_AUTOCONFIG,
  CACHET_DISCOVERY_STEP_SRV,
  CACHET_DISCOVERY_STEP_MX,
  CACHET_DISCOVERY_STEP_GUESS,
  CACHET_DISCOVERY_N_STEPS
} CachetDiscoveryStep;

typedef enum
{
  CACHET_DISCOVERY_STEP_PENDING,
  CACHET_DISCOVERY_STEP_RUNNING,
  CACHET_DISCOVERY_STEP_FOUND,       /* found at least one server */
  CACHET_DISCOVERY_STEP_NOTHING,     /* ran and found nothing (detail says why) */
  CACHET_DISCOVERY_STEP_FAILED,      /* could not run (detail says why) */
  CACHET_DISCOVERY_STEP_TIMED_OUT,   /* stopped at its time limit; what it had is kept */
  CACHET_DISCOVERY_STEP_SKIPPED,     /* not needed: servers were found already */
  CACHET_DISCOVERY_STEP_CANCELLED,
} CachetDiscoveryStepState;

typedef enum
{
  CACHET_DISCOVERY_PROTOCOL_POP3,
  CACHET_DISCOVERY_PROTOCOL_SMTP,
} CachetDiscoveryProtocol;

typedef enum
{
  CACHET_DISCOVERY_FLAGS_NONE      = 0,
  CACHET_DISCOVERY_ALL_STEPS       = 1 << 0,  /* do not stop once servers were found */
  CACHET_DISCOVERY_NO_NETWORK      = 1 << 1,  /* only the profiles on this machine */
} CachetDiscoveryFlags;

/* One server found. */
typedef struct
{
  CachetDiscoveryProtocol  protocol;
  CachetDiscoveryStep      source;
  char                    *origin;      /* where exactly: a file, a URL, a DNS record, a probe */
  char                    *provider;    /* the provider's name (profiles), or NULL */
  CachetServerSettings    *server;      /* host, port, security, user, auth */
  gboolean                 trusted;     /* may be used as it is (see below) */
  gboolean                 confirmed;   /* a probe spoke to it and it answered the protocol */
  gboolean                 plaintext;   /* no TLS at all: password and mail in the clear */
  CachetTlsCheck          *tls_check;   /* the certificate check of a probe, or NULL */
  char                    *problem;     /* why it is not trusted, a sentence; or NULL */
  char                    *capabilities; /* what the server offered (CAPA / EHLO), or NULL */
  gint64                   found_us;    /* since the start of the run */
  gint64                   probe_us;    /* how long its probe took (0: not probed) */
  /* From a profile's <pop3> block (POP3 only) */
  gboolean                 has_server_policy;
  CachetServerPolicy       server_policy;
  guint                    delete_after_days;
  guint                    check_interval;   /* minutes, 0: not given */
} CachetDiscoveryCandidate;

#define CACHET_TYPE_DISCOVERY_CANDIDATE (cachet_discovery_candidate_get_type ())
GType                     cachet_discovery_candidate_get_type (void) G_GNUC_CONST;
CachetDiscoveryCandidate *cachet_discovery_candidate_copy (const CachetDiscoveryCandidate *c);
void                      cachet_discovery_candidate_free (CachetDiscoveryCandidate *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetDiscoveryCandidate, cachet_discovery_candidate_free)

typedef struct
{
  CachetDiscoveryStepState  state;
  gint64                    started_us;   /* since the start of the run; -1: never started */
  gint64                    elapsed_us;
  char                     *detail;       /* one sentence: what it found, or why not */
  GPtrArray                *notes;        /* char *: one line per URL, record or probe */
} CachetDiscoveryStepReport;

typedef struct _CachetDiscoveryResult CachetDiscoveryResult;
struct _CachetDiscoveryResult
{
  char                      *address;
  char                      *domain;
  CachetDiscoveryStepReport  steps[CACHET_DISCOVERY_N_STEPS];
  GPtrArray                 *incoming;     /* CachetDiscoveryCandidate (POP3), in step order */
  GPtrArray                 *outgoing;     /* CachetDiscoveryCandidate (SMTP) */
  int                        preferred_incoming;  /* index, or -1 */
  int                        preferred_outgoing;
  char                      *provider;     /* the name of the preferred incoming's provider */
  gboolean                   imap_only;    /* a profile or autoconfig offered only IMAP */
  gint64                     elapsed_us;
};

#define CACHET_TYPE_DISCOVERY_RESULT (cachet_discovery_result_get_type ())
GType                  cachet_discovery_result_get_type (void) G_GNUC_CONST;
CachetDiscoveryResult *cachet_discovery_result_ref   (CachetDiscoveryResult *result);
void                   cachet_discovery_result_unref (CachetDiscoveryResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetDiscoveryResult, cachet_discovery_result_unref)
/* The preselected servers, or NULL. */
const CachetDiscoveryCandidate *cachet_discovery_result_get_incoming (CachetDiscoveryResult *r);
const CachetDiscoveryCandidate *cachet_discovery_result_get_outgoing (CachetDiscoveryResult *r);

const char *cachet_discovery_step_to_string       (CachetDiscoveryStep      step);   /* "profile" */
const char *cachet_discovery_step_describe        (CachetDiscoveryStep      step);   /* translated */
const char *cachet_discovery_step_state_to_string (CachetDiscoveryStepState state);  /* "found" */

#define CACHET_TYPE_DISCOVERY (cachet_discovery_get_type ())
G_DECLARE_FINAL_TYPE (CachetDiscovery, cachet_discovery, CACHET, DISCOVERY, GObject)

/* Signals (in the run's main context):
 *   step-changed (CachetDiscoveryStep step): a step started or ended; see
 *                cachet_discovery_get_step_report()
 *   candidate-found (CachetDiscoveryCandidate *candidate): a server was found */

/* @address: the e-mail address; @real_name: for %REALNAME% (may be NULL). */
CachetDiscovery *cachet_discovery_new (const char *address,
                                       const char *real_name);
void  cachet_discovery_set_flags          (CachetDiscovery     *self,
                                           CachetDiscoveryFlags flags);
/* NULL: the default folders (loaded by the run). */
void  cachet_discovery_set_isp_directory  (CachetDiscovery     *self,
                                           CachetIspDirectory  *directory);
/* A profile the user opened (`cachet --import-profile FILE`), or NULL: for the domains it
 * names, the profile step uses it instead of the folders' profiles.  (Added with the
 * wizard; a compatible extension.) */
void  cachet_discovery_set_profile        (CachetDiscovery     *self,
                                           CachetIspProfile    *profile);
/* Time limits in milliseconds (0 keeps the default): each HTTPS request (8,000), each DNS
 * step (5,000), each probe (6,000) and the whole guessing step (15,000). */
void  cachet_discovery_set_timeouts       (CachetDiscovery     *self,
                                           guint                http_ms,
                                           guint                dns_ms,
                                           guint                probe_ms,
                                           guint                guess_ms);

/* Runs the steps.  Fails only for an unusable address (CACHET_DISCOVERY_ERROR_ADDRESS) or
 * when cancelled (G_IO_ERROR_CANCELLED); finding nothing is a result with no servers. */
void                   cachet_discovery_run_async  (CachetDiscovery      *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
CachetDiscoveryResult *cachet_discovery_run_finish (CachetDiscovery      *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* The run so far (also while it runs). */
const CachetDiscoveryStepReport *cachet_discovery_get_step_report (CachetDiscovery     *self,
                                                                   CachetDiscoveryStep  step);
CachetDiscoveryResult           *cachet_discovery_get_result      (CachetDiscovery     *self);

/* The domain of an address ("user@Example.COM" -> "example.com"), or NULL (error set)
 * when it is no address discovery can use. */
char *cachet_discovery_address_domain (const char  *address,
                                       GError     **error);

G_END_DECLS
