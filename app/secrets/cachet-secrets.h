/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Passwords live only in the desktop keyring (Secret Service, through libsecret), under a
 * schema of our own ("org.cachet.Cachet.Password": account id, protocol, host, user), or,
 * when the user chose so after the keyring failed, in this process's memory for the
 * session.  Never in a file, a log line, an error message or argv. */

#define CACHET_SECRETS_ERROR (cachet_secrets_error_quark ())

typedef enum
{
  CACHET_SECRETS_ERROR_NO_SERVICE,  /* no session bus or no Secret Service provider */
  CACHET_SECRETS_ERROR_LOCKED,      /* the keyring is locked and could not be unlocked */
  CACHET_SECRETS_ERROR_TIMEOUT,     /* no answer in time (e.g. an unlock prompt nobody sees) */
  CACHET_SECRETS_ERROR_NOT_FOUND,   /* no password stored for this account */
  CACHET_SECRETS_ERROR_FAILED,      /* anything else; the message says what */
} CachetSecretsError;

GQuark cachet_secrets_error_quark (void);

/* Which password: one account's login on one server. */
typedef struct
{
  const char *account_id;
  const char *protocol;   /* "pop3" or "smtp" */
  const char *host;
  const char *user;
} CachetSecretKey;

/* Default time to wait for the keyring before CACHET_SECRETS_ERROR_TIMEOUT; a timeout_ms
 * of 0 below means this default.  All four fields of a key must be set (a server without
 * a user has no password). */
#define CACHET_SECRETS_DEFAULT_TIMEOUT_MS 10000

/* The password (caller frees with cachet_secrets_password_free(), which wipes it).  Looks
 * in the session memory first, then in the keyring. */
void     cachet_secrets_lookup_async  (const CachetSecretKey *key,
                                       guint                  timeout_ms,
                                       GCancellable          *cancellable,
                                       GAsyncReadyCallback    callback,
                                       gpointer               user_data);
char    *cachet_secrets_lookup_finish (GAsyncResult          *result,
                                       GError               **error);
char    *cachet_secrets_lookup_sync   (const CachetSecretKey *key,
                                       guint                  timeout_ms,
                                       GCancellable          *cancellable,
                                       GError               **error);

gboolean cachet_secrets_store_sync    (const CachetSecretKey *key,
                                       const char            *password,
                                       guint                  timeout_ms,
                                       GCancellable          *cancellable,
                                       GError               **error);
void     cachet_secrets_store_async   (const CachetSecretKey *key,
                                       const char            *password,
                                       guint                  timeout_ms,
                                       GCancellable          *cancellable,
                                       GAsyncReadyCallback    callback,
                                       gpointer               user_data);
gboolean cachet_secrets_store_finish  (GAsyncResult          *result,
                                       GError               **error);

/* Removes the keyring entry (and the session copy); not finding one is not an error. */
gboolean cachet_secrets_clear_sync    (const CachetSecretKey *key,
                                       guint                  timeout_ms,
                                       GCancellable          *cancellable,
                                       GError               **error);

/* Added with the implementation (compatible extension): the asynchronous form of
 * cachet_secrets_clear_sync(), for the main thread. */
void     cachet_secrets_clear_async   (const CachetSecretKey *key,
                                       guint                  timeout_ms,
                                       GCancellable          *cancellable,
                                       GAsyncReadyCallback    callback,
                                       gpointer               user_data);
gboolean cachet_secrets_clear_finish  (GAsyncResult          *result,
                                       GError               **error);

/* Keeps @password in memory for this process only (the user's choice when the keyring is
 * missing or locked); a later lookup finds it first. */
void     cachet_secrets_remember_for_session (const CachetSecretKey *key,
                                              const char            *password);
void     cachet_secrets_forget_session       (void);

void     cachet_secrets_password_free (char *password);

G_END_DECLS
