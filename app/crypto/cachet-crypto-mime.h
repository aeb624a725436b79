/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-crypto-call.h"
#include "cachet-crypto-registry.h"

G_BEGIN_DECLS

/* The host owns MIME: it builds and takes apart RFC 3156 (PGP/MIME) and
 * RFC 8551 (S/MIME) structure, reads inline PGP, and hands plugins only the
 * bytes to encrypt, decrypt, sign or verify.  Every function that talks to
 * a plugin blocks: call it on a worker thread. */

#define CACHET_CRYPTO_MIME_ERROR (cachet_crypto_mime_error_quark ())
typedef enum
{
  CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN,   /* no loaded plugin can do it */
  CACHET_CRYPTO_MIME_ERROR_NO_KEY,      /* a recipient has no usable key; the message names them */
  CACHET_CRYPTO_MIME_ERROR_MALFORMED,   /* the message or its crypto structure is broken */
} CachetCryptoMimeError;

GQuark cachet_crypto_mime_error_quark (void);

/* ------------------------------------------------------------------------ */
/* Sending                                                                  */

typedef struct
{
  gboolean                    encrypt;
  gboolean                    sign;
  const char                 *protocol;        /* "openpgp" (NULL means that) or "smime" */
  const char *const          *recipients;      /* every envelope address (To, Cc, Bcc) */
  const char                 *sender;          /* From: signs with its key; encrypted to too */
  CachetCryptoPassphraseFunc  ask_passphrase;
  gpointer                    ask_passphrase_data;
  GCancellable               *cancellable;
} CachetCryptoSealOptions;

/* MESSAGE is a whole RFC 5322 message as CachetDraft builds it.  Returns
 * the message to queue: the same outer headers (From, To, Subject, Date,
 * Message-ID, ...), its body replaced by multipart/signed (canonical CRLF
 * text, micalg from the plugin) and/or multipart/encrypted, attachments
 * included.  Encrypting checks every recipient's key first and fails with
 * NO_KEY naming them before anything is encrypted. */
GBytes *cachet_crypto_seal (CachetCryptoRegistry          *registry,
                            GBytes                        *message,
                            const CachetCryptoSealOptions *options,
                            GError                       **error);

/* The addresses among RECIPIENTS without a valid key to encrypt to (an
 * empty vector when every one has one), or NULL with ERROR when no plugin
 * can look keys up.  For the composer's privacy line and toggles. */
char **cachet_crypto_missing_keys (CachetCryptoRegistry *registry,
                                   const char           *protocol,
                                   const char *const    *recipients,
                                   GCancellable         *cancellable,
                                   GError              **error);

/* ------------------------------------------------------------------------ */
/* Reading                                                                  */

/* TRUE when MESSAGE (headers and a quick look at the body, no plugin) has
 * PGP/MIME, S/MIME or inline PGP content worth opening. */
gboolean cachet_crypto_looks_sealed (GBytes *message);

typedef struct
{
  CachetCryptoPassphraseFunc  ask_passphrase;
  gpointer                    ask_passphrase_data;
  GCancellable               *cancellable;
} CachetCryptoOpenOptions;

typedef struct
{
  gboolean    encrypted;     /* some content was encrypted */
  gboolean    decrypted;     /* ... and was decrypted */
  gboolean    is_signed;     /* some content was signed (see signatures) */
  gboolean    inline_pgp;    /* found as inline PGP blocks in a text part */
  gboolean    partial;       /* only part of the message is encrypted / signed */
  char       *protocol;      /* "openpgp", "smime", or NULL */
  char       *problem;       /* why decrypting or verifying could not be done, or NULL */
  GPtrArray  *signatures;    /* CachetCryptoSignatureResult * */
  GBytes     *message;       /* what to show: the outer headers with the opened
                              * content; the input itself when nothing was opened */
} CachetCryptoOpened;

void cachet_crypto_opened_free (CachetCryptoOpened *opened);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetCryptoOpened, cachet_crypto_opened_free)

/* Decrypts and verifies what MESSAGE holds.  Trouble with the crypto
 * (no plugin, no secret key, bad data, cancelled prompt) is reported in
 * PROBLEM with MESSAGE shown as it is; only a cancelled CANCELLABLE
 * fails (G_IO_ERROR_CANCELLED). */
CachetCryptoOpened *cachet_crypto_open (CachetCryptoRegistry          *registry,
                                        GBytes                        *message,
                                        const CachetCryptoOpenOptions *options,
                                        GError                       **error);

/* ------------------------------------------------------------------------ */
/* What the status bar above a message says                                 */

typedef enum
{
  CACHET_CRYPTO_VERDICT_GOOD,      /* decrypted and/or a good signature from a verified key matching From */
  CACHET_CRYPTO_VERDICT_INFO,      /* e.g. "signed, but the key is not verified" */
  CACHET_CRYPTO_VERDICT_WARNING,   /* signer differs from From, unknown key, expired, cannot decrypt */
  CACHET_CRYPTO_VERDICT_BAD,       /* bad signature, revoked key */
} CachetCryptoVerdictLevel;

typedef struct
{
  CachetCryptoVerdictLevel level;
  char                    *title;    /* one line: "Decrypted · Signature good (alice@example.org)" */
  char                    *detail;   /* several lines for a details view */
} CachetCryptoVerdict;

void cachet_crypto_verdict_free (CachetCryptoVerdict *verdict);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetCryptoVerdict, cachet_crypto_verdict_free)

/* The honest summary of OPENED for a message whose From: address is
 * FROM_ADDRESS (may be NULL); NULL when nothing was encrypted or signed. */
CachetCryptoVerdict *cachet_crypto_verdict_new (const CachetCryptoOpened *opened,
                                                const char               *from_address);

/* ------------------------------------------------------------------------ */
/* Keys                                                                     */

/* Imports the keys in KEYDATA (an application/pgp-keys attachment, armored
 * or binary).  Returns the imported keys (CachetCryptoKeyResult *). */
GPtrArray *cachet_crypto_import_keys (CachetCryptoRegistry *registry,
                                      const char           *protocol,
                                      GBytes               *keydata,
                                      GCancellable         *cancellable,
                                      GError              **error);

G_END_DECLS
