/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-account.h"

G_BEGIN_DECLS

/* ISP profiles: Mozilla autoconfig XML, clientConfig version 1.1, read with GMarkup.
 *
 *   <clientConfig version="1.1">
 *     <emailProvider id="example.com">
 *       <domain>example.com</domain>
 *       <displayName>Example Mail</displayName>
 *       <incomingServer type="pop3">
 *         <hostname>pop.example.com</hostname>
 *         <port>995</port>
 *         <socketType>SSL</socketType>              SSL, STARTTLS or plain
 *         <username>%EMAILADDRESS%</username>       %EMAILLOCALPART% %EMAILDOMAIN% %REALNAME%
 *         <authentication>password-cleartext</authentication>
 *         <pop3>
 *           <leaveMessagesOnServer>true</leaveMessagesOnServer>
 *           <daysToLeaveMessagesOnServer>14</daysToLeaveMessagesOnServer>
 *           <downloadOnBiff>true</downloadOnBiff>
 *         </pop3>
 *       </incomingServer>
 *       <outgoingServer type="smtp">...</outgoingServer>
 *     </emailProvider>
 *   </clientConfig>
 *
 * Servers are kept in the file's order, of every type (IMAP and others too, so that an
 * IMAP-only profile can be reported as such); only "pop3" incoming and "smtp" outgoing
 * servers can be used.  Unknown elements are skipped.  Every problem is reported with its
 * line: errors make the profile unusable, warnings do not. */

/* Profiles larger than this are refused unread (the largest real ones are a few KiB). */
#define CACHET_ISP_PROFILE_MAX_SIZE (256 * 1024)

typedef enum
{
  CACHET_ISP_PROBLEM_ERROR,
  CACHET_ISP_PROBLEM_WARNING,
} CachetIspProblemSeverity;

typedef struct
{
  CachetIspProblemSeverity  severity;
  guint                     line;     /* 1-based; 0 when it concerns the whole file */
  guint                     column;   /* 1-based; 0 when unknown */
  char                     *message;  /* a sentence in plain words */
} CachetIspProblem;

void cachet_isp_problem_free (CachetIspProblem *problem);

typedef struct
{
  char              *type;           /* "pop3", "smtp", "imap", ... as written */
  guint              line;           /* of its <incomingServer> / <outgoingServer> */
  char              *hostname;       /* may hold placeholders (%EMAILDOMAIN%) */
  guint16            port;
  CachetSecurity     security;
  char              *username;       /* template with placeholders; NULL: none given */
  GStrv              authentication; /* every <authentication>, as written, in order */
  gboolean           auth_usable;    /* one of them is a method Cachet can use ... */
  CachetAuthMethod   auth;           /* ... the first such one */
  /* The <pop3> block (incoming POP3 only) */
  gboolean           has_leave_on_server;
  gboolean           leave_on_server;
  int                days_to_leave;  /* -1: not given */
  gboolean           has_download_on_biff;
  gboolean           download_on_biff;
  guint              check_interval; /* minutes, 0: not given */
} CachetIspServer;

typedef struct _CachetIspProfile CachetIspProfile;
struct _CachetIspProfile
{
  char      *id;             /* emailProvider id */
  char      *display_name;
  char      *short_name;     /* displayShortName, or NULL */
  GStrv      domains;        /* lower case */
  GPtrArray *incoming;       /* CachetIspServer, in file order */
  GPtrArray *outgoing;       /* CachetIspServer, in file order */
  char      *origin;         /* the file or URL it came from */
};

#define CACHET_TYPE_ISP_PROFILE (cachet_isp_profile_get_type ())
GType             cachet_isp_profile_get_type (void) G_GNUC_CONST;
CachetIspProfile *cachet_isp_profile_ref      (CachetIspProfile *profile);
void              cachet_isp_profile_unref    (CachetIspProfile *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetIspProfile, cachet_isp_profile_unref)

/* Parses a profile.  @origin (a path or URL) names it in messages and is kept.  Every
 * problem found goes to @problems (when given: a new array of CachetIspProblem, also on
 * failure).  Returns NULL when there is any error (then @error holds the first one,
 * CACHET_DISCOVERY_ERROR_PROFILE or _TOO_LARGE, as "line N: message"). */
CachetIspProfile *cachet_isp_profile_parse (const char  *data,
                                            gsize        length,
                                            const char  *origin,
                                            GPtrArray  **problems,
                                            GError     **error);
/* Reads and parses a file; larger files than CACHET_ISP_PROFILE_MAX_SIZE are refused
 * unread. */
CachetIspProfile *cachet_isp_profile_load  (const char  *path,
                                            GPtrArray  **problems,
                                            GError     **error);

gboolean cachet_isp_profile_has_domain (const CachetIspProfile *profile,
                                        const char             *domain);
/* The first usable POP3 incoming / SMTP outgoing server, or NULL. */
const CachetIspServer *cachet_isp_profile_get_pop3 (const CachetIspProfile *profile);
const CachetIspServer *cachet_isp_profile_get_smtp (const CachetIspProfile *profile);
/* The profile has incoming servers but no usable POP3 one (IMAP only, or POP3 only with
 * methods Cachet cannot use). */
gboolean cachet_isp_profile_is_imap_only (const CachetIspProfile *profile);

/* Is @server a POP3 (or SMTP) server that Cachet can use? */
gboolean cachet_isp_server_is_usable (const CachetIspServer *server,
                                      gboolean               smtp);

/* @template with %EMAILADDRESS%, %EMAILLOCALPART%, %EMAILDOMAIN% and %REALNAME% replaced
 * (@real_name may be NULL: empty).  Unknown placeholders stay as they are. */
char *cachet_isp_expand (const char *template_,
                         const char *address,
                         const char *real_name);

/* Server settings for an account of @address: host and user with the placeholders
 * replaced, port, security and authentication from @server. */
CachetServerSettings *cachet_isp_server_to_settings (const CachetIspServer *server,
                                                     gboolean               smtp,
                                                     const char            *address,
                                                     const char            *real_name);

/* The mapping of Mozilla's words, for messages and tests. */
gboolean cachet_isp_socket_type_parse (const char     *text,
                                       CachetSecurity *security);
/* FALSE for unknown words; *usable FALSE for known ones Cachet cannot use (OAuth2, ...). */
gboolean cachet_isp_auth_parse        (const char       *text,
                                       gboolean          smtp,
                                       CachetAuthMethod *method,
                                       gboolean         *usable);

G_END_DECLS
