/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-crypto-registry.h"
#include "cachet-draft.h"
#include "cachet-store.h"

G_BEGIN_DECLS

/* Keeps one draft and its stored copy in the Drafts folder, for a composer.
 *
 * The draft is built and written by a worker thread (building reads the attached files),
 * so while a job runs the worker owns the draft: changes made meanwhile are queued and
 * applied in order once it is done, and jobs run one after another.  A save writes the new
 * version, then removes the one it replaces (moved to the Trash and removed from there),
 * so the Drafts folder holds one copy of each draft at any time.  The application is held
 * while jobs are pending, so closing the last window or quitting waits for a save to end.
 * A saver outlives its composer for as long as it has work.
 *
 * With Encrypt on (cachet_draft_saver_set_crypto), the copy in Drafts is sealed on the
 * worker: encrypted to the sender's own key only, unsigned (no passphrase is needed).
 * When that cannot be done (no key of the sender's own, no plugin) the save fails with the
 * reason and nothing is written: a draft that was to be encrypted is never stored in the
 * clear behind the user's back.  Encrypt and Sign are kept in the copy in a private
 * header (CACHET_DRAFT_SAVER_CRYPTO_HEADER), which only CACHET_DRAFT_BUILD_DRAFT copies
 * carry: what is built to send never has it. */
#define CACHET_TYPE_DRAFT_SAVER (cachet_draft_saver_get_type ())
G_DECLARE_FINAL_TYPE (CachetDraftSaver, cachet_draft_saver, CACHET, DRAFT_SAVER, GObject)

/* A change to make to the draft; FALSE with @error when it failed (reported with the
 * "failed" signal when it ran later). */
typedef gboolean (*CachetDraftEditFunc) (CachetDraft *draft,
                                         gpointer     data,
                                         GError     **error);

/* Takes @draft.  @draft_id is its stored copy in Drafts (0: none yet). */
CachetDraftSaver *cachet_draft_saver_new          (CachetStore      *store,
                                                   CachetDraft      *draft,
                                                   gint64            draft_id);
/* The stored copy, 0 when there is none. */
gint64            cachet_draft_saver_get_draft_id (CachetDraftSaver *self);
/* The draft when no job holds it (else NULL): for reading it, and for tests. */
CachetDraft      *cachet_draft_saver_peek_draft   (CachetDraftSaver *self);
gboolean          cachet_draft_saver_is_busy      (CachetDraftSaver *self);

/* Runs @func on the draft now, or after the running job; @destroy frees @data after. */
void              cachet_draft_saver_edit         (CachetDraftSaver    *self,
                                                   CachetDraftEditFunc  func,
                                                   gpointer             data,
                                                   GDestroyNotify       destroy);

/* Writes the draft to Drafts (CACHET_DRAFT_BUILD_DRAFT) in place of the last copy.
 * _finish returns the new id; "saved" (gint64 id) is emitted too. */
void              cachet_draft_saver_save_async   (CachetDraftSaver    *self,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gint64            cachet_draft_saver_save_finish  (CachetDraftSaver    *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* The message to send (CACHET_DRAFT_BUILD_SEND) with its envelope recipients. */
void              cachet_draft_saver_build_async  (CachetDraftSaver    *self,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GBytes           *cachet_draft_saver_build_finish (CachetDraftSaver    *self,
                                                   GAsyncResult        *result,
                                                   GStrv               *recipients,
                                                   GError             **error);
/* Removes the stored copy for good (after sending, or when the user discards the draft);
 * later saves are refused. */
void              cachet_draft_saver_discard_async  (CachetDraftSaver    *self,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          cachet_draft_saver_discard_finish (CachetDraftSaver    *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* The header a copy in Drafts keeps Encrypt and Sign in: "encrypt", "sign" or both. */
#define CACHET_DRAFT_SAVER_CRYPTO_HEADER "X-Cachet-Draft-Crypto"

/* How the next saves are written: @encrypt seals them to @sender (an address) with
 * @registry (borrowed; the application keeps it while a save runs), @encrypt and @sign are
 * kept in the copy.  Takes effect from the next job started. */
void              cachet_draft_saver_set_crypto   (CachetDraftSaver     *self,
                                                   CachetCryptoRegistry *registry,
                                                   const char           *sender,
                                                   gboolean              encrypt,
                                                   gboolean              sign);
/* Reads Encrypt and Sign back from a copy's headers; FALSE when it has none. */
gboolean          cachet_draft_saver_read_crypto  (CachetMessage        *message,
                                                   gboolean             *encrypt,
                                                   gboolean             *sign);

/* Signals:
 *   "saved" (gint64 id): a new copy is in Drafts
 *   "failed" (const char *message): a save, or a change made later, failed; said in plain
 *     words for the user. */

G_END_DECLS
