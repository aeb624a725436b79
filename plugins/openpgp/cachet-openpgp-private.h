/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The OpenPGP plugin's insides: plain C over GPGME and libc, no GLib. */
#ifndef CACHET_OPENPGP_PRIVATE_H
#define CACHET_OPENPGP_PRIVATE_H

#include <gpgme.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "cachet-crypto-plugin.h"

#define OPENPGP_PROTOCOL "openpgp"

/* How often one op asks for a passphrase before it gives up.  gpg-agent in
 * loopback mode takes one answer per operation, so the plugin repeats the
 * operation itself. */
#define OPENPGP_PASSPHRASE_TRIES 3

/* The most input kept in memory so that an op can be run again after a
 * wrong passphrase.  Past it, a wrong passphrase ends the op. */
#define OPENPGP_REPLAY_MAX ((size_t) 64 * 1024 * 1024)

struct CachetCryptoPlugin
{
  CachetCryptoHostApi  api;     /* zero-padded copy of the host's table */
  CachetCryptoHost    *host;
};

/* A growable byte buffer, wiped before it is freed or grown (it may hold
 * plaintext). */
typedef struct
{
  unsigned char *data;
  size_t         len;
  size_t         cap;
} OpenpgpBuffer;

int  openpgp_buffer_append (OpenpgpBuffer *buffer, const void *data, size_t len);
void openpgp_buffer_clear  (OpenpgpBuffer *buffer);

/* One operation: the plugin, the host's call and what the data callbacks
 * and the passphrase callback found out. */
typedef struct
{
  CachetCryptoPlugin *plugin;
  CachetCryptoCall   *call;
  int                 attempt;          /* 1 for the first run of the op */
  int                 asked;            /* passphrase asked in this attempt */
  int                 user_cancelled;   /* the host's prompt was cancelled */
  int                 ask_failed;       /* the host's prompt failed */
  int                 stream_failed;    /* a host stream returned an error */
  int                 cancelled;        /* is_cancelled said so in a callback */
  const char         *sender;           /* the message's From address, or NULL */
} OpenpgpOp;

/* Input from a host stream.  While RECORDING, what is read is also kept so
 * that the op can be run again (after a wrong passphrase) from the start. */
typedef struct
{
  OpenpgpOp                 *op;
  CachetCryptoInStream       stream;     /* local copy */
  OpenpgpBuffer              replay;
  size_t                     pos;        /* read position within REPLAY */
  int                        recording;
  int                        overflowed; /* REPLAY was dropped: no rerun */
  int                        ended;
  struct gpgme_data_cbs      cbs;
} OpenpgpSource;

/* Output to a host stream, or held in memory until the op succeeds. */
typedef struct
{
  OpenpgpOp                 *op;
  CachetCryptoOutStream      stream;     /* local copy */
  int                        hold;       /* keep in HELD until flushed */
  OpenpgpBuffer              held;
  int                        written;    /* something reached the host */
  OpenpgpSource             *stop_recording; /* first output ends its replay */
  struct gpgme_data_cbs      cbs;
} OpenpgpSink;

/* cachet-openpgp-data.c */
int  openpgp_source_init   (OpenpgpSource *source, OpenpgpOp *op,
                            const CachetCryptoInStream *stream, int recording);
int  openpgp_source_rewind (OpenpgpSource *source);
void openpgp_source_clear  (OpenpgpSource *source);
gpgme_error_t openpgp_source_data (OpenpgpSource *source, gpgme_data_t *data);

int  openpgp_sink_init   (OpenpgpSink *sink, OpenpgpOp *op,
                          const CachetCryptoOutStream *stream, int hold);
int  openpgp_sink_flush  (OpenpgpSink *sink);
void openpgp_sink_reset  (OpenpgpSink *sink);
void openpgp_sink_clear  (OpenpgpSink *sink);
gpgme_error_t openpgp_sink_data (OpenpgpSink *sink, gpgme_data_t *data);

/* SIGPIPE blocked on this thread while GPGME writes to gpg's pipes; a
 * SIGPIPE raised meanwhile is taken off the thread afterwards. */
typedef struct
{
  sigset_t old_mask;
  int      was_pending;
  int      blocked;
} OpenpgpSigpipe;

void openpgp_sigpipe_block   (OpenpgpSigpipe *state);
void openpgp_sigpipe_restore (OpenpgpSigpipe *state);

/* cachet-openpgp-plugin.c */
void openpgp_log (CachetCryptoPlugin *plugin, int32_t level, const char *format, ...)
  __attribute__ ((format (printf, 3, 4)));
/* Sets the call's error: USER is a sentence for the user (printf format),
 * ERR (may be 0) adds GPGME's text to the log message. */
int32_t openpgp_fail (OpenpgpOp *op, int32_t status, gpgme_error_t err,
                      const char *format, ...)
  __attribute__ ((format (printf, 4, 5)));
int  openpgp_is_cancelled (OpenpgpOp *op);
int  openpgp_new_context (OpenpgpOp *op, gpgme_ctx_t *ctx, int with_passphrase);
char *openpgp_strdup (const char *text);
char *openpgp_strdup_printf (const char *format, ...)
  __attribute__ ((format (printf, 1, 2)));
int  openpgp_ascii_casecmp (const char *a, const char *b);
/* Maps a failed GPGME op to a status and the call's error.  WHAT is the
 * user's sentence for a plain failure. */
int32_t openpgp_fail_from_gpgme (OpenpgpOp *op, gpgme_error_t err, const char *what);

/* cachet-openpgp-keys.c */
int  openpgp_is_fingerprint (const char *text);
int32_t openpgp_find_recipient (OpenpgpOp *op, gpgme_ctx_t ctx, const char *who,
                                gpgme_key_t *key);
int32_t openpgp_find_signer (OpenpgpOp *op, gpgme_ctx_t ctx, const char *who,
                             gpgme_key_t *key);
int32_t openpgp_key_lookup (CachetCryptoPlugin *plugin, CachetCryptoCall *call,
                            const CachetCryptoParams *params, CachetCryptoResultSink *sink);
int32_t openpgp_key_import (CachetCryptoPlugin *plugin, CachetCryptoCall *call,
                            const CachetCryptoParams *params,
                            const CachetCryptoInStream *input, CachetCryptoResultSink *sink);
void openpgp_report_signatures (OpenpgpOp *op, gpgme_verify_result_t result,
                                CachetCryptoResultSink *sink);

/* cachet-openpgp-ops.c */
int32_t openpgp_encrypt (CachetCryptoPlugin *plugin, CachetCryptoCall *call,
                         const CachetCryptoParams *params,
                         const CachetCryptoInStream *input, const CachetCryptoOutStream *output,
                         CachetCryptoResultSink *sink);
int32_t openpgp_decrypt (CachetCryptoPlugin *plugin, CachetCryptoCall *call,
                         const CachetCryptoParams *params,
                         const CachetCryptoInStream *input, const CachetCryptoOutStream *output,
                         CachetCryptoResultSink *sink);
int32_t openpgp_sign (CachetCryptoPlugin *plugin, CachetCryptoCall *call,
                      const CachetCryptoParams *params,
                      const CachetCryptoInStream *input, const CachetCryptoOutStream *output,
                      CachetCryptoResultSink *sink);
int32_t openpgp_verify (CachetCryptoPlugin *plugin, CachetCryptoCall *call,
                        const CachetCryptoParams *params,
                        const CachetCryptoInStream *input, const CachetCryptoInStream *signature,
                        const CachetCryptoOutStream *output, CachetCryptoResultSink *sink);

/* Copies the host's params into a zeroed local; 0 when too short. */
int openpgp_copy_params (const CachetCryptoParams *params, CachetCryptoParams *local);

#endif /* CACHET_OPENPGP_PRIVATE_H */
