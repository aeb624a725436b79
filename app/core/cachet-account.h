/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CACHET_ACCOUNT_ERROR (cachet_account_error_quark ())

typedef enum
{
  CACHET_ACCOUNT_ERROR_INVALID,    /* a setting is missing or wrong; the message says which */
  CACHET_ACCOUNT_ERROR_EXISTS,     /* an account of that name exists */
  CACHET_ACCOUNT_ERROR_NOT_FOUND,  /* no account of that name or id */
  CACHET_ACCOUNT_ERROR_IO,         /* the accounts file could not be read or written */
} CachetAccountError;

GQuark cachet_account_error_quark (void);

/* How a connection is protected.  PLAIN is only ever used when the user chose it. */
typedef enum
{
  CACHET_SECURITY_TLS,       /* implicit TLS (POP3S 995, SMTPS 465) */
  CACHET_SECURITY_STARTTLS,  /* STLS / STARTTLS, required: never falls back */
  CACHET_SECURITY_PLAIN,     /* no encryption: password and mail in the clear */
} CachetSecurity;

typedef enum
{
  CACHET_AUTH_AUTO,          /* the best the server offers: SASL PLAIN, else USER/PASS (POP3);
                                PLAIN, else LOGIN (SMTP) — always inside TLS */
  CACHET_AUTH_PASSWORD,      /* POP3 USER/PASS, SMTP AUTH LOGIN */
  CACHET_AUTH_SASL_PLAIN,    /* POP3 AUTH PLAIN, SMTP AUTH PLAIN */
  CACHET_AUTH_APOP,          /* POP3 APOP (MD5 challenge) */
  CACHET_AUTH_CRAM_MD5,      /* SMTP AUTH CRAM-MD5 */
  CACHET_AUTH_NONE,          /* SMTP without authentication */
} CachetAuthMethod;

/* What happens to mail on the POP3 server after it is stored locally. */
typedef enum
{
  CACHET_KEEP_ON_SERVER,        /* default */
  CACHET_DELETE_AFTER_DAYS,     /* delete once it was fetched N days ago */
  CACHET_DELETE_AFTER_FETCH,    /* delete once stored (after the commit) */
} CachetServerPolicy;

typedef enum
{
  CACHET_LARGE_FETCH,           /* no size limit */
  CACHET_LARGE_SKIP,            /* leave larger messages on the server, fetch later on request */
  CACHET_LARGE_HEADERS_ONLY,    /* fetch only the headers (TOP n 0) of larger messages */
} CachetLargeMessagePolicy;

/* One server (incoming POP3 or outgoing SMTP) of an account. */
typedef struct
{
  char             *host;
  guint16           port;
  CachetSecurity    security;
  char             *user;
  CachetAuthMethod  auth;
  char             *pinned_sha256;  /* hex SHA-256 of an accepted unverifiable certificate,
                                       or NULL */
} CachetServerSettings;

#define CACHET_TYPE_SERVER_SETTINGS (cachet_server_settings_get_type ())
GType                 cachet_server_settings_get_type (void) G_GNUC_CONST;
CachetServerSettings *cachet_server_settings_copy     (const CachetServerSettings *settings);
void                  cachet_server_settings_free     (CachetServerSettings       *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetServerSettings, cachet_server_settings_free)

guint16     cachet_security_default_port (CachetSecurity security,
                                          gboolean       smtp);
const char *cachet_security_to_string    (CachetSecurity security);   /* "tls", ... */
gboolean    cachet_security_from_string  (const char     *text,
                                          CachetSecurity *security);

/* Added with the implementation (compatible extensions) -------------------------------- */

/* A server with the defaults of a new account: implicit TLS on its standard port (995 for
 * POP3, 465 for SMTP), CACHET_AUTH_AUTO, no host, no user. */
CachetServerSettings *cachet_server_settings_new   (gboolean                    smtp);
gboolean              cachet_server_settings_equal (const CachetServerSettings *a,
                                                    const CachetServerSettings *b);

/* The words used in the accounts file and on the command line. */
const char *cachet_auth_method_to_string   (CachetAuthMethod          method);  /* "auto", ... */
gboolean    cachet_auth_method_from_string (const char               *text,
                                            CachetAuthMethod         *method);
const char *cachet_server_policy_to_string (CachetServerPolicy        policy);  /* "keep", ... */
gboolean    cachet_server_policy_from_string (const char             *text,
                                              CachetServerPolicy     *policy);
const char *cachet_large_policy_to_string  (CachetLargeMessagePolicy  policy);  /* "fetch", ... */
gboolean    cachet_large_policy_from_string (const char              *text,
                                             CachetLargeMessagePolicy *policy);

/* "HOST:PORT", "HOST" (then *port is @default_port), "[IPv6]:PORT" or "[IPv6]".  A bare
 * IPv6 address without brackets is refused (its colons are ambiguous).  The error
 * (CACHET_ACCOUNT_ERROR_INVALID) says what is wrong in plain words. */
gboolean    cachet_parse_host_port  (const char  *text,
                                     guint16      default_port,
                                     char       **host,
                                     guint16     *port,
                                     GError     **error);
/* The reverse: "host:995", "[::1]:995". */
char       *cachet_format_host_port (const char  *host,
                                     guint16      port);
/* A valid host name or IP address (no port, no brackets)? */
gboolean    cachet_host_is_valid    (const char  *host);

#define CACHET_TYPE_ACCOUNT (cachet_account_get_type ())
G_DECLARE_FINAL_TYPE (CachetAccount, cachet_account, CACHET, ACCOUNT, GObject)

/* Properties (all readable and writable, "notify" on change):
 *   id (string, construct-only: stable, [a-z0-9-], made from the name when not given),
 *   name, address, display-name,
 *   pop3 (CachetServerSettings), smtp (CachetServerSettings),
 *   server-policy (CachetServerPolicy), delete-after-days (uint, default 14),
 *   delete-when-deleted-locally (bool, default FALSE),
 *   large-policy (CachetLargeMessagePolicy), large-size (uint64 bytes, default 0: none),
 *   ca-file (string or NULL: an extra CA certificate file to trust for this account),
 *   check-interval (uint minutes, 0: only on request; default 10),
 *   signature (string or NULL; see cachet_account_get_signature()). */
CachetAccount *cachet_account_new           (const char *name);
const char    *cachet_account_get_id        (CachetAccount *self);
const char    *cachet_account_get_name      (CachetAccount *self);
const char    *cachet_account_get_address   (CachetAccount *self);
const char    *cachet_account_get_display_name (CachetAccount *self);
const CachetServerSettings *cachet_account_get_pop3 (CachetAccount *self);
const CachetServerSettings *cachet_account_get_smtp (CachetAccount *self);
void           cachet_account_set_pop3      (CachetAccount              *self,
                                             const CachetServerSettings *settings);
void           cachet_account_set_smtp      (CachetAccount              *self,
                                             const CachetServerSettings *settings);
/* Records an accepted certificate for one of the account's servers ("pop3" or "smtp"). */
void           cachet_account_pin_certificate (CachetAccount *self,
                                               const char    *protocol,
                                               const char    *sha256_hex);
/* Checks that the account can be used: a name, an address, hosts, ports and users. */
gboolean       cachet_account_validate      (CachetAccount *self,
                                             GError       **error);

/* Added with the implementation (compatible extensions) -------------------------------- */

/* An account with the given id (NULL: made from @name).  The id must be valid
 * (cachet_account_id_is_valid()). */
CachetAccount *cachet_account_new_with_id   (const char *id,
                                             const char *name);
/* A copy with the same id and every setting: edit the copy, validate it, then apply it to
 * the original with cachet_account_update_from() (which notifies only what changed). */
CachetAccount *cachet_account_dup           (CachetAccount *self);
void           cachet_account_update_from   (CachetAccount *self,
                                             CachetAccount *other);
/* An id made from a name: lower-case ASCII letters, digits and "-", at most 32 long;
 * "account" when nothing is left.  cachet_account_list_add() appends "-2", "-3", ... when
 * another account has it already. */
char          *cachet_account_make_id       (const char *name);
gboolean       cachet_account_id_is_valid   (const char *id);

void           cachet_account_set_name      (CachetAccount *self,
                                             const char    *name);
void           cachet_account_set_address   (CachetAccount *self,
                                             const char    *address);
void           cachet_account_set_display_name (CachetAccount *self,
                                                const char    *display_name);
CachetServerPolicy cachet_account_get_server_policy (CachetAccount     *self);
void           cachet_account_set_server_policy     (CachetAccount     *self,
                                                     CachetServerPolicy policy);
guint          cachet_account_get_delete_after_days (CachetAccount *self);
void           cachet_account_set_delete_after_days (CachetAccount *self,
                                                     guint          days);
gboolean       cachet_account_get_delete_when_deleted_locally (CachetAccount *self);
void           cachet_account_set_delete_when_deleted_locally (CachetAccount *self,
                                                               gboolean       delete);
CachetLargeMessagePolicy cachet_account_get_large_policy (CachetAccount           *self);
void           cachet_account_set_large_policy  (CachetAccount           *self,
                                                 CachetLargeMessagePolicy policy);
guint64        cachet_account_get_large_size    (CachetAccount *self);
void           cachet_account_set_large_size    (CachetAccount *self,
                                                 guint64        bytes);
const char    *cachet_account_get_ca_file       (CachetAccount *self);
void           cachet_account_set_ca_file       (CachetAccount *self,
                                                 const char    *path);
guint          cachet_account_get_check_interval (CachetAccount *self);
void           cachet_account_set_check_interval (CachetAccount *self,
                                                  guint          minutes);

/* Added for the composer (compatible extension) ------------------------------------------ */

/* The signature put under the "-- " separator at the end of new messages from this
 * account: plain text, possibly several lines, without the separator; NULL for none.
 * Property "signature" (string); key "signature" in the accounts file. */
const char    *cachet_account_get_signature     (CachetAccount *self);
void           cachet_account_set_signature     (CachetAccount *self,
                                                 const char    *signature);

/* All accounts, kept in $XDG_CONFIG_HOME/cachet/accounts.ini (a GKeyFile, written
 * atomically; no password is ever in it).  "changed" is emitted after each change: an
 * account added or removed, the file (re)loaded, or a property of an account in the list. */
#define CACHET_TYPE_ACCOUNT_LIST (cachet_account_list_get_type ())
G_DECLARE_FINAL_TYPE (CachetAccountList, cachet_account_list, CACHET, ACCOUNT_LIST, GObject)

CachetAccountList *cachet_account_list_new        (const char *config_dir);  /* NULL: default */
gboolean           cachet_account_list_load       (CachetAccountList *self,
                                                   GError           **error);
gboolean           cachet_account_list_save       (CachetAccountList *self,
                                                   GError           **error);
GPtrArray         *cachet_account_list_get_all    (CachetAccountList *self); /* CachetAccount */
CachetAccount     *cachet_account_list_find       (CachetAccountList *self,
                                                   const char        *name_or_id);
gboolean           cachet_account_list_add        (CachetAccountList *self,
                                                   CachetAccount     *account,
                                                   GError           **error);
gboolean           cachet_account_list_remove     (CachetAccountList *self,
                                                   CachetAccount     *account,
                                                   GError           **error);
const char        *cachet_account_list_get_path   (CachetAccountList *self);

/* Added with the implementation (compatible extensions) -------------------------------- *
 *
 * Loading: a missing file is an empty list.  A file that cannot be parsed at all fails
 * with CACHET_ACCOUNT_ERROR_IO (the message names the line); a copy of it is kept beside
 * it (get_kept_aside_path()) before anything is written over it, and when no copy can be
 * made, saving refuses.  An account group with a bad value fails with
 * CACHET_ACCOUNT_ERROR_INVALID (the message names the line and the key); the other
 * accounts are loaded, and the bad group stays in the file untouched.
 *
 * Saving keeps comments, unknown keys and unreadable groups.  When another program (such
 * as `cachet account add`) changed the file since it was read, its changes are kept and
 * only the accounts changed here are written over them; the list then holds both.
 *
 * cachet_account_list_get_all() returns the list's own array (transfer none). */
const char        *cachet_account_list_get_kept_aside_path (CachetAccountList *self);
/* TRUE when the file is not what was last read or written here (another program, such as
 * `cachet account add`, changed it): then cachet_account_list_load() picks that up. */
gboolean           cachet_account_list_changed_on_disk (CachetAccountList *self);
/* An id made from @name that no account (and no group in the file) has: what
 * cachet_account_list_add() would give it.  For storing passwords before adding. */
char              *cachet_account_list_make_id    (CachetAccountList *self,
                                                   const char        *name);

G_END_DECLS
