/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-crypto-loader.h"

G_BEGIN_DECLS

/* Running one operation of a loaded plugin: the host side of Call and
 * ResultSink.  Every function here blocks; call it on a worker thread,
 * never on the GTK main thread. */

typedef enum
{
  CACHET_CRYPTO_OP_ENCRYPT,
  CACHET_CRYPTO_OP_DECRYPT,
  CACHET_CRYPTO_OP_SIGN,
  CACHET_CRYPTO_OP_VERIFY,
  CACHET_CRYPTO_OP_KEY_LOOKUP,
  CACHET_CRYPTO_OP_KEY_IMPORT,
} CachetCryptoOp;

/* Errors of an operation (domain CACHET_CRYPTO_CALL_ERROR).  A cancelled
 * operation fails with G_IO_ERROR_CANCELLED instead.  The message is the
 * plugin's sentence for the user when it gave one, else a plain one of
 * ours. */
#define CACHET_CRYPTO_CALL_ERROR (cachet_crypto_call_error_quark ())
typedef enum
{
  CACHET_CRYPTO_CALL_ERROR_FAILED,
  CACHET_CRYPTO_CALL_ERROR_UNSUPPORTED,    /* the plugin has no such op */
  CACHET_CRYPTO_CALL_ERROR_NO_KEY,
  CACHET_CRYPTO_CALL_ERROR_BAD_PASSPHRASE,
  CACHET_CRYPTO_CALL_ERROR_BAD_DATA,
} CachetCryptoCallError;

GQuark cachet_crypto_call_error_quark (void);

/* Asks the user for a passphrase, on the worker thread (the function
 * itself marshals to the UI and waits).  Returns a passphrase the caller
 * wipes and frees with cachet_crypto_passphrase_free, or NULL when the
 * user cancelled.  AGAIN is TRUE when the previous one was wrong. */
typedef char *(*CachetCryptoPassphraseFunc) (const char *key_hint,
                                             const char *description,
                                             gboolean    again,
                                             gpointer    user_data);

/* Wipes and frees a passphrase. */
void cachet_crypto_passphrase_free (char *passphrase);

/* What to do.  Streams are borrowed for the call; INPUT is read to its end
 * and OUTPUT written (not closed).  Unused members stay NULL / 0. */
typedef struct
{
  CachetCryptoOp              op;
  guint32                     flags;            /* CACHET_CRYPTO_FLAG_* */
  const char                 *protocol;         /* "openpgp", "smime" */
  const char *const          *recipients;       /* NULL-terminated; may be NULL */
  const char                 *signer;
  const char                 *sender;
  GInputStream               *input;            /* all ops but KEY_LOOKUP */
  GInputStream               *signature;        /* VERIFY of a detached signature */
  GOutputStream              *output;           /* ENCRYPT, DECRYPT, SIGN; VERIFY opaque */
  GCancellable               *cancellable;
  CachetCryptoPassphraseFunc  ask_passphrase;   /* NULL: the plugin's asks are cancelled */
  gpointer                    ask_passphrase_data;
} CachetCryptoRequest;

/* One signature the plugin reported, as the host's own copy (strings are
 * valid UTF-8, unknown constants already read as SIG_ERROR / VALIDITY_UNKNOWN). */
typedef struct
{
  int     status;            /* CACHET_CRYPTO_SIG_* */
  guint32 summary;           /* CACHET_CRYPTO_SIG_SUMMARY_* */
  int     validity;          /* CACHET_CRYPTO_VALIDITY_* */
  char   *fingerprint;
  char   *signer_uid;
  char   *pubkey_algorithm;
  char   *hash_algorithm;
  gint64  created;
  gint64  expires;
  char   *detail;
} CachetCryptoSignatureResult;

void cachet_crypto_signature_result_free (gpointer signature);

typedef struct
{
  int     validity;          /* CACHET_CRYPTO_VALIDITY_* */
  guint32 flags;             /* CACHET_CRYPTO_KEY_* */
  char   *fingerprint;
  char   *user_id;
  char   *address;
  gint64  created;
  gint64  expires;
} CachetCryptoKeyResult;

void cachet_crypto_key_result_free (gpointer key);

/* What an operation produced besides its output. */
typedef struct
{
  GPtrArray  *signatures;    /* CachetCryptoSignatureResult * */
  GPtrArray  *keys;          /* CachetCryptoKeyResult * */
  GHashTable *values;        /* result key -> value, e.g. "micalg" -> "pgp-sha256" */
} CachetCryptoOutcome;

void cachet_crypto_outcome_free (CachetCryptoOutcome *outcome);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetCryptoOutcome, cachet_crypto_outcome_free)

/* Runs REQUEST->op of LOADED and blocks until it returns.  Calls of a
 * plugin that claims CACHET_CRYPTO_CAP_SERIALIZE_CALLS wait for each other.
 * A bad signature is a result (in the outcome), not an error.  On error
 * returns NULL; whatever was written to OUTPUT must be thrown away. */
CachetCryptoOutcome *cachet_crypto_run (CachetCryptoLoaded         *loaded,
                                        const CachetCryptoRequest  *request,
                                        GError                    **error);

/* The part type the plugin's classify op says PART is
 * (CACHET_CRYPTO_PART_*); NONE without a classify op. */
int cachet_crypto_classify (CachetCryptoLoaded         *loaded,
                            const CachetCryptoPartInfo *part);

G_END_DECLS
