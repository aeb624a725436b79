/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/* Frozen copy of plugins/include/cachet-crypto-plugin.h at ABI 1.0, names
 * prefixed.  Never edit: a new release adds a new frozen copy. */
/*
 * cachet-crypto-plugin.h — the one public header for Cachet crypto plugins.
 *
 * ABI major 1.  A plugin built against any 1.x header keeps loading in every
 * Cachet with ABI major 1.  Rules (see plugins/README.md):
 *
 *  - Every struct that crosses the boundary starts with uint32_t struct_size
 *    (the plugin info starts with its magic, then struct_size).  Members are
 *    only ever appended; a deprecated member keeps its slot.
 *  - The reader of a struct checks struct_size >= the size at 1.0, then copies
 *    min (struct_size, sizeof local) into a zeroed local before use.
 *  - Nothing is freed by the other side.  Everything passed into a call is
 *    borrowed for that call; the receiver copies what it keeps.
 *  - Constants are append-only with explicit values.  An unknown status reads
 *    as "failed", an unknown validity as "unknown".
 *  - Strings are UTF-8 and NUL-terminated.
 *
 * Plain C99; no GLib, GTK or GPGME type.
 */
#ifndef FROZEN10_FROZEN10_CACHET_CRYPTO_PLUGIN_H
#define FROZEN10_FROZEN10_CACHET_CRYPTO_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Versions                                                                 */

#define FROZEN10_CACHET_CRYPTO_ABI_MAJOR 1
/* Goes up for every appended member, host function, constant or capability. */
#define FROZEN10_CACHET_CRYPTO_ABI_MINOR 0

/* "CCP1", first member of Frozen10CachetCryptoPluginInfo. */
#define FROZEN10_CACHET_CRYPTO_PLUGIN_MAGIC 0x31504343u

/* The one symbol a plugin exports; the major version is in its name. */
#define FROZEN10_CACHET_CRYPTO_PLUGIN_ENTRY "cachet_crypto_plugin_v1"

/* Offset of MEMBER within a struct of TYPE that the other side says is
 * STRUCT_SIZE bytes long: true when that side knows the member. */
#define FROZEN10_CACHET_CRYPTO_HAS_MEMBER(type, struct_size, member) \
  (offsetof (type, member) + sizeof (((type *) 0)->member) <= (size_t) (struct_size))

/* True when the host API table API has the function MEMBER (it is inside the
 * table's struct_size and not NULL).  Use before calling any function added
 * after the minor version your plugin requires. */
#define FROZEN10_CACHET_CRYPTO_HOST_HAS(api, member) \
  ((api) != NULL \
   && FROZEN10_CACHET_CRYPTO_HAS_MEMBER (Frozen10CachetCryptoHostApi, (api)->struct_size, member) \
   && (api)->member != NULL)

/* ------------------------------------------------------------------------ */
/* Opaque handles                                                           */

typedef struct Frozen10CachetCryptoHost Frozen10CachetCryptoHost;             /* host-owned */
typedef struct Frozen10CachetCryptoCall Frozen10CachetCryptoCall;             /* host-owned, one operation */
typedef struct Frozen10CachetCryptoResultSink Frozen10CachetCryptoResultSink; /* host-owned, one operation */
typedef struct Frozen10CachetCryptoPlugin Frozen10CachetCryptoPlugin;         /* plugin-owned */

/* ------------------------------------------------------------------------ */
/* Constants (int32_t / uint32_t values; append-only)                       */

/* Status returned by init and every op. Unknown values read as FAILED. */
#define FROZEN10_CACHET_CRYPTO_STATUS_OK             0
#define FROZEN10_CACHET_CRYPTO_STATUS_FAILED         1
#define FROZEN10_CACHET_CRYPTO_STATUS_CANCELLED      2
#define FROZEN10_CACHET_CRYPTO_STATUS_UNSUPPORTED    3
#define FROZEN10_CACHET_CRYPTO_STATUS_NO_KEY         4
#define FROZEN10_CACHET_CRYPTO_STATUS_BAD_PASSPHRASE 5
#define FROZEN10_CACHET_CRYPTO_STATUS_BAD_DATA       6

/* Capability bits of Frozen10CachetCryptoPluginInfo.capabilities.  Each claimed
 * operation needs its op in the ops table. */
#define FROZEN10_CACHET_CRYPTO_CAP_ENCRYPT         (1u << 0)
#define FROZEN10_CACHET_CRYPTO_CAP_DECRYPT         (1u << 1)
#define FROZEN10_CACHET_CRYPTO_CAP_SIGN            (1u << 2)
#define FROZEN10_CACHET_CRYPTO_CAP_VERIFY          (1u << 3)
#define FROZEN10_CACHET_CRYPTO_CAP_KEY_LOOKUP      (1u << 4)
#define FROZEN10_CACHET_CRYPTO_CAP_KEY_IMPORT      (1u << 5)
/* The host must not run two calls of this plugin at once. */
#define FROZEN10_CACHET_CRYPTO_CAP_SERIALIZE_CALLS (1u << 6)

/* Flags of Frozen10CachetCryptoParams.flags. */
#define FROZEN10_CACHET_CRYPTO_FLAG_ARMOR     (1u << 0) /* ASCII-armoured output */
#define FROZEN10_CACHET_CRYPTO_FLAG_ALSO_SIGN (1u << 1) /* encrypt: sign too; decrypt: verify too */
#define FROZEN10_CACHET_CRYPTO_FLAG_DETACHED  (1u << 2) /* sign: detached signature */
#define FROZEN10_CACHET_CRYPTO_FLAG_OPAQUE    (1u << 3) /* sign: opaque (signed data inside) */
#define FROZEN10_CACHET_CRYPTO_FLAG_TO_SELF   (1u << 4) /* encrypt: also to the sender */

/* What classify says a part is. */
#define FROZEN10_CACHET_CRYPTO_PART_NONE      0
#define FROZEN10_CACHET_CRYPTO_PART_ENCRYPTED 1
#define FROZEN10_CACHET_CRYPTO_PART_SIGNED    2
#define FROZEN10_CACHET_CRYPTO_PART_SIGNATURE 3
#define FROZEN10_CACHET_CRYPTO_PART_KEYS      4

/* Signature status.  A bad signature is a result, not an error. */
#define FROZEN10_CACHET_CRYPTO_SIG_GOOD   0
#define FROZEN10_CACHET_CRYPTO_SIG_BAD    1
#define FROZEN10_CACHET_CRYPTO_SIG_NO_KEY 2
#define FROZEN10_CACHET_CRYPTO_SIG_ERROR  3

/* Signature summary bits. */
#define FROZEN10_CACHET_CRYPTO_SIG_SUMMARY_VALID       (1u << 0)
#define FROZEN10_CACHET_CRYPTO_SIG_SUMMARY_KEY_EXPIRED (1u << 1)
#define FROZEN10_CACHET_CRYPTO_SIG_SUMMARY_KEY_REVOKED (1u << 2)
#define FROZEN10_CACHET_CRYPTO_SIG_SUMMARY_SIG_EXPIRED (1u << 3)
#define FROZEN10_CACHET_CRYPTO_SIG_SUMMARY_KEY_MISSING (1u << 4)

/* Key / signer validity.  Unknown values read as UNKNOWN. */
#define FROZEN10_CACHET_CRYPTO_VALIDITY_UNKNOWN   0
#define FROZEN10_CACHET_CRYPTO_VALIDITY_UNDEFINED 1
#define FROZEN10_CACHET_CRYPTO_VALIDITY_NEVER     2
#define FROZEN10_CACHET_CRYPTO_VALIDITY_MARGINAL  3
#define FROZEN10_CACHET_CRYPTO_VALIDITY_FULL      4
#define FROZEN10_CACHET_CRYPTO_VALIDITY_ULTIMATE  5

/* Key flags. */
#define FROZEN10_CACHET_CRYPTO_KEY_CAN_ENCRYPT (1u << 0)
#define FROZEN10_CACHET_CRYPTO_KEY_CAN_SIGN    (1u << 1)
#define FROZEN10_CACHET_CRYPTO_KEY_SECRET      (1u << 2)
#define FROZEN10_CACHET_CRYPTO_KEY_EXPIRED     (1u << 3)
#define FROZEN10_CACHET_CRYPTO_KEY_REVOKED     (1u << 4)
#define FROZEN10_CACHET_CRYPTO_KEY_DISABLED    (1u << 5)
#define FROZEN10_CACHET_CRYPTO_KEY_INVALID     (1u << 6)

/* Log levels for Frozen10CachetCryptoHostApi.log. */
#define FROZEN10_CACHET_CRYPTO_LOG_DEBUG   0
#define FROZEN10_CACHET_CRYPTO_LOG_INFO    1
#define FROZEN10_CACHET_CRYPTO_LOG_WARNING 2

/* ------------------------------------------------------------------------ */
/* Streams: blocking callbacks, run on a host worker thread.                */

/* read: fills up to SIZE bytes of BUFFER; returns the number read, 0 at the
 * end, -1 on error (or cancellation). */
typedef struct
{
  uint32_t struct_size;
  void    *user_data;
  int64_t (*read) (void *user_data, void *buffer, size_t size);
} Frozen10CachetCryptoInStream;

/* write: takes SIZE bytes of BUFFER; returns the number taken (> 0), -1 on
 * error (or cancellation). */
typedef struct
{
  uint32_t struct_size;
  void    *user_data;
  int64_t (*write) (void *user_data, const void *buffer, size_t size);
} Frozen10CachetCryptoOutStream;

/* ------------------------------------------------------------------------ */
/* Data passed by value (borrowed for the call)                             */

/* A MIME part's headers, for classify (no I/O).  Any member may be NULL. */
typedef struct
{
  uint32_t    struct_size;
  const char *content_type;     /* "multipart/encrypted", lower case */
  const char *protocol;         /* the protocol parameter */
  const char *micalg;           /* the micalg parameter */
  const char *smime_type;       /* the smime-type parameter */
  const char *filename;
} Frozen10CachetCryptoPartInfo;

typedef struct
{
  uint32_t           struct_size;
  uint32_t           flags;          /* FROZEN10_CACHET_CRYPTO_FLAG_* */
  const char        *protocol;       /* "openpgp", "smime" */
  const char *const *recipients;     /* fingerprints or addresses */
  size_t             n_recipients;
  const char        *signer;         /* fingerprint or address, or NULL */
  const char        *sender;         /* the From: address, or NULL */
} Frozen10CachetCryptoParams;

typedef struct
{
  uint32_t    struct_size;
  int32_t     status;           /* FROZEN10_CACHET_CRYPTO_SIG_* */
  uint32_t    summary;          /* FROZEN10_CACHET_CRYPTO_SIG_SUMMARY_* */
  int32_t     validity;         /* FROZEN10_CACHET_CRYPTO_VALIDITY_* */
  const char *fingerprint;
  const char *signer_uid;
  const char *pubkey_algorithm;
  const char *hash_algorithm;
  int64_t     created;          /* seconds since the epoch, 0 unknown */
  int64_t     expires;          /* seconds since the epoch, 0 never */
  const char *detail;           /* plain text, for the details view */
} Frozen10CachetCryptoSignature;

typedef struct
{
  uint32_t    struct_size;
  int32_t     validity;         /* FROZEN10_CACHET_CRYPTO_VALIDITY_* */
  uint32_t    flags;            /* FROZEN10_CACHET_CRYPTO_KEY_* */
  uint32_t    reserved;         /* 0; keeps the pointers aligned */
  const char *fingerprint;
  const char *user_id;          /* "Name <address>" */
  const char *address;
  int64_t     created;
  int64_t     expires;
} Frozen10CachetCryptoKey;

/* ------------------------------------------------------------------------ */
/* Host API (host-owned table, valid from init until shutdown returns)     */

typedef struct
{
  uint32_t struct_size;

  void    (*log)            (Frozen10CachetCryptoHost *host, int32_t level, const char *message);
  /* The error of the call: a sentence for the user, and one for the log. */
  void    (*set_error)      (Frozen10CachetCryptoCall *call, int32_t status,
                             const char *user_message, const char *debug_message);
  int32_t (*is_cancelled)   (Frozen10CachetCryptoCall *call);
  /* Blocks the worker while the host asks the user.  On OK, *passphrase is a
   * host-owned buffer of *length bytes (NUL-terminated), valid until the call
   * ends or the next ask; the host wipes it.  Returns CANCELLED if the user
   * cancelled.  PREVIOUS_WAS_BAD is non-zero when asking again. */
  int32_t (*ask_passphrase) (Frozen10CachetCryptoCall *call, const char *key_hint,
                             const char *description, int32_t previous_was_bad,
                             const char **passphrase, size_t *length);
  void    (*progress)       (Frozen10CachetCryptoCall *call, uint64_t done, uint64_t total);
  /* Copy out into BUFFER (SIZE bytes, NUL-terminated if SIZE > 0); return
   * the length the whole value needs, without the NUL, or 0 if unset. */
  size_t  (*plugin_data_dir) (Frozen10CachetCryptoHost *host, char *buffer, size_t size);
  size_t  (*get_setting)    (Frozen10CachetCryptoHost *host, const char *key,
                             char *buffer, size_t size);
  void    (*add_signature)  (Frozen10CachetCryptoResultSink *sink, const Frozen10CachetCryptoSignature *signature);
  void    (*add_key)        (Frozen10CachetCryptoResultSink *sink, const Frozen10CachetCryptoKey *key);
  /* KEY is e.g. "micalg" or "content-type"; the host ignores unknown keys. */
  void    (*set_result)     (Frozen10CachetCryptoResultSink *sink, const char *key, const char *value);
  void    (*secure_zero)    (void *buffer, size_t size);
} Frozen10CachetCryptoHostApi;

/* ------------------------------------------------------------------------ */
/* Ops (plugin-owned static table; any op may be NULL = unsupported)        */

typedef struct
{
  uint32_t struct_size;

  int32_t (*classify)   (Frozen10CachetCryptoPlugin *plugin, const Frozen10CachetCryptoPartInfo *part);
  int32_t (*encrypt)    (Frozen10CachetCryptoPlugin *plugin, Frozen10CachetCryptoCall *call,
                         const Frozen10CachetCryptoParams *params,
                         const Frozen10CachetCryptoInStream *input, const Frozen10CachetCryptoOutStream *output,
                         Frozen10CachetCryptoResultSink *sink);
  int32_t (*decrypt)    (Frozen10CachetCryptoPlugin *plugin, Frozen10CachetCryptoCall *call,
                         const Frozen10CachetCryptoParams *params,
                         const Frozen10CachetCryptoInStream *input, const Frozen10CachetCryptoOutStream *output,
                         Frozen10CachetCryptoResultSink *sink);
  int32_t (*sign)       (Frozen10CachetCryptoPlugin *plugin, Frozen10CachetCryptoCall *call,
                         const Frozen10CachetCryptoParams *params,
                         const Frozen10CachetCryptoInStream *input, const Frozen10CachetCryptoOutStream *output,
                         Frozen10CachetCryptoResultSink *sink);
  /* Detached: SIGNATURE is the signature and OUTPUT is NULL.  Opaque:
   * SIGNATURE is NULL and the signed data is written to OUTPUT. */
  int32_t (*verify)     (Frozen10CachetCryptoPlugin *plugin, Frozen10CachetCryptoCall *call,
                         const Frozen10CachetCryptoParams *params,
                         const Frozen10CachetCryptoInStream *input, const Frozen10CachetCryptoInStream *signature,
                         const Frozen10CachetCryptoOutStream *output, Frozen10CachetCryptoResultSink *sink);
  /* Keys for params->recipients, each reported through add_key. */
  int32_t (*key_lookup) (Frozen10CachetCryptoPlugin *plugin, Frozen10CachetCryptoCall *call,
                         const Frozen10CachetCryptoParams *params, Frozen10CachetCryptoResultSink *sink);
  int32_t (*key_import) (Frozen10CachetCryptoPlugin *plugin, Frozen10CachetCryptoCall *call,
                         const Frozen10CachetCryptoParams *params,
                         const Frozen10CachetCryptoInStream *input, Frozen10CachetCryptoResultSink *sink);
} Frozen10CachetCryptoOps;

/* ------------------------------------------------------------------------ */
/* Plugin info (static const data returned by the entry point)              */

typedef struct
{
  uint32_t magic;                /* FROZEN10_CACHET_CRYPTO_PLUGIN_MAGIC */
  uint32_t struct_size;          /* sizeof (Frozen10CachetCryptoPluginInfo) */
  uint32_t abi_major;            /* FROZEN10_CACHET_CRYPTO_ABI_MAJOR */
  uint32_t abi_minor_built;      /* FROZEN10_CACHET_CRYPTO_ABI_MINOR */
  uint32_t abi_minor_required;   /* lowest host minor the plugin needs */
  uint32_t capabilities;         /* FROZEN10_CACHET_CRYPTO_CAP_* */

  const char        *id;         /* unique, reverse-DNS: "org.example.Rot13" */
  const char        *name;
  const char        *version;
  const char        *license;    /* SPDX expression */
  const char        *url;
  const char        *gettext_domain;
  const char *const *protocols;  /* NULL-terminated: "openpgp", "smime" */

  int32_t (*init)     (const Frozen10CachetCryptoHostApi *host_api, Frozen10CachetCryptoHost *host,
                       Frozen10CachetCryptoPlugin **plugin);
  void    (*shutdown) (Frozen10CachetCryptoPlugin *plugin);
  const Frozen10CachetCryptoOps *ops;
} Frozen10CachetCryptoPluginInfo;

/* Sizes at ABI 1.0: the least struct_size a reader accepts. */
#define FROZEN10_CACHET_CRYPTO_SIZE_AT(type, last) (offsetof (type, last) + sizeof (((type *) 0)->last))
#define FROZEN10_CACHET_CRYPTO_PLUGIN_INFO_SIZE_1_0 FROZEN10_CACHET_CRYPTO_SIZE_AT (Frozen10CachetCryptoPluginInfo, ops)
#define FROZEN10_CACHET_CRYPTO_OPS_SIZE_1_0         FROZEN10_CACHET_CRYPTO_SIZE_AT (Frozen10CachetCryptoOps, key_import)
#define FROZEN10_CACHET_CRYPTO_HOST_API_SIZE_1_0    FROZEN10_CACHET_CRYPTO_SIZE_AT (Frozen10CachetCryptoHostApi, secure_zero)
#define FROZEN10_CACHET_CRYPTO_IN_STREAM_SIZE_1_0   FROZEN10_CACHET_CRYPTO_SIZE_AT (Frozen10CachetCryptoInStream, read)
#define FROZEN10_CACHET_CRYPTO_OUT_STREAM_SIZE_1_0  FROZEN10_CACHET_CRYPTO_SIZE_AT (Frozen10CachetCryptoOutStream, write)
#define FROZEN10_CACHET_CRYPTO_PART_INFO_SIZE_1_0   FROZEN10_CACHET_CRYPTO_SIZE_AT (Frozen10CachetCryptoPartInfo, filename)
#define FROZEN10_CACHET_CRYPTO_PARAMS_SIZE_1_0      FROZEN10_CACHET_CRYPTO_SIZE_AT (Frozen10CachetCryptoParams, sender)
#define FROZEN10_CACHET_CRYPTO_SIGNATURE_SIZE_1_0   FROZEN10_CACHET_CRYPTO_SIZE_AT (Frozen10CachetCryptoSignature, detail)
#define FROZEN10_CACHET_CRYPTO_KEY_SIZE_1_0         FROZEN10_CACHET_CRYPTO_SIZE_AT (Frozen10CachetCryptoKey, expires)

/* ------------------------------------------------------------------------ */
/* Entry point                                                              */

typedef const Frozen10CachetCryptoPluginInfo *(*Frozen10CachetCryptoPluginEntry) (void);

#if defined(__GNUC__) || defined(__clang__)
# define FROZEN10_CACHET_CRYPTO_PLUGIN_EXPORT __attribute__ ((visibility ("default")))
#else
# define FROZEN10_CACHET_CRYPTO_PLUGIN_EXPORT
#endif

/* Defined by the plugin; returns static const data; runs no other code. */
FROZEN10_CACHET_CRYPTO_PLUGIN_EXPORT const Frozen10CachetCryptoPluginInfo *frozen10_cachet_crypto_plugin_v1 (void);

#ifdef __cplusplus
}
#endif

#endif /* FROZEN10_FROZEN10_CACHET_CRYPTO_PLUGIN_H */
