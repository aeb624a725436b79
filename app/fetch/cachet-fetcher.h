/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-account.h"
#include "cachet-store.h"
#include "cachet-tls.h"

G_BEGIN_DECLS

/* Fetching one POP3 account into the Inbox, exactly once.
 *
 * A fetch runs in a worker thread with its own POP3 session: password from the keyring (or
 * the session memory), connect and check the certificate, log in, LIST and UIDL, then RETR
 * (pipelined where offered) of every message the store's ledger does not know, streamed into
 * the store in batches (64 messages, 8 MB or half a second each) that are committed while
 * the next batch arrives.  Only after a batch is committed (durable, indexed, UIDLs
 * recorded) may its messages be deleted on the server, and only as the account's policy
 * says; deletions take effect at QUIT.  Whatever happens (a crash, a kill, a dropped
 * connection), every message is either still on the server or stored, and the next fetch
 * neither loses nor duplicates any.
 *
 * A server without UIDL gets a notice and a safe mode: messages are recognised by a hash of
 * their size and header block (TOP n 0), and nothing is ever deleted on the server.  Two
 * messages with identical headers and size would count as one; a mailbox that is never
 * emptied costs one TOP per message and fetch. */

#define CACHET_FETCH_ERROR (cachet_fetch_error_quark ())

typedef enum
{
  CACHET_FETCH_ERROR_FAILED,
  CACHET_FETCH_ERROR_BUSY,      /* this account is being fetched already (maybe elsewhere) */
} CachetFetchError;

GQuark cachet_fetch_error_quark (void);

typedef enum
{
  CACHET_FETCH_STAGE_PASSWORD,
  CACHET_FETCH_STAGE_CONNECTING,
  CACHET_FETCH_STAGE_LISTING,
  CACHET_FETCH_STAGE_RECEIVING,
  CACHET_FETCH_STAGE_DELETING,
  CACHET_FETCH_STAGE_DONE,
} CachetFetchStage;

typedef struct
{
  const char      *account_id;
  const char      *account_name;
  CachetFetchStage stage;
  guint            n_done;       /* messages received (RECEIVING) */
  guint            n_total;      /* messages to receive */
  guint64          bytes_done;
  guint64          bytes_total;  /* as the server counts them (LIST) */
} CachetFetchProgress;

/* Called in the main context of the caller of _fetch_async(). */
typedef void (*CachetFetchProgressFunc) (const CachetFetchProgress *progress,
                                         gpointer                   user_data);

typedef struct
{
  char           *account_id;
  guint           n_new;           /* messages stored by this fetch */
  guint           n_on_server;     /* messages the server listed */
  guint           n_deleted;       /* deleted on the server (confirmed by QUIT) */
  guint           n_skipped;       /* larger than the account's limit: left on the server */
  guint           n_headers_only;  /* of n_new, stored as headers only */
  gboolean        no_uidl;         /* the server has no UIDL: safe mode */
  GPtrArray      *notices;         /* char *: things the user should know */
  CachetTlsCheck *tls_check;       /* the certificate, when it was the problem */
} CachetFetchResult;

void cachet_fetch_result_free (CachetFetchResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetFetchResult, cachet_fetch_result_free)

#define CACHET_TYPE_FETCHER (cachet_fetcher_get_type ())
G_DECLARE_FINAL_TYPE (CachetFetcher, cachet_fetcher, CACHET, FETCHER, GObject)

CachetFetcher *cachet_fetcher_new               (CachetStore   *store);
CachetStore   *cachet_fetcher_get_store         (CachetFetcher *self);
/* How long to wait for the keyring (ms) and for the server (s). */
void           cachet_fetcher_set_timeouts      (CachetFetcher *self,
                                                 guint          secrets_ms,
                                                 guint          network_s);

/* Fetches @account (its settings are copied now).  The password comes from
 * cachet_secrets_lookup_*(): after the user typed one for this session, remember it there
 * with cachet_secrets_remember_for_session() and fetch again. */
void               cachet_fetcher_fetch_async   (CachetFetcher           *self,
                                                 CachetAccount           *account,
                                                 CachetFetchProgressFunc  progress,
                                                 gpointer                 progress_data,
                                                 GDestroyNotify           progress_destroy,
                                                 GCancellable            *cancellable,
                                                 GAsyncReadyCallback      callback,
                                                 gpointer                 user_data);
/* Always returns the result, also with @error set: what was stored before the failure
 * counts, and result->tls_check says which certificate was refused
 * (CACHET_NET_ERROR_CERTIFICATE: the caller may ask the user, pin it with
 * cachet_account_pin_certificate() and fetch again).  Errors: CACHET_SECRETS_ERROR (no
 * password: ask for one), CACHET_NET_ERROR, CACHET_STORE_ERROR, CACHET_FETCH_ERROR,
 * G_IO_ERROR_CANCELLED. */
CachetFetchResult *cachet_fetcher_fetch_finish  (CachetFetcher           *self,
                                                 GAsyncResult            *result,
                                                 GError                 **error);

/* For quitting: cancels every fetch still running in this process and waits up to
 * @timeout_ms for their workers to end (a batch being committed is finished, nothing on
 * the server is deleted after the cancel).  FALSE if some did not end in time. */
gboolean           cachet_fetcher_cancel_all    (guint                    timeout_ms);

G_END_DECLS
