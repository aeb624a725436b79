/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Encrypt, decrypt, sign and verify over the host's streams. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cachet-openpgp-private.h"

typedef gpgme_error_t (*RunFunc) (gpgme_ctx_t   ctx,
                                  gpgme_data_t  in,
                                  gpgme_data_t  out,
                                  void         *user_data);

/* Runs RUN with fresh data objects over SOURCE and SINK.  After a wrong
 * passphrase it runs again from the start of the input, asking again, as
 * long as the input was kept and nothing reached the host's output. */
static gpgme_error_t
run_op (OpenpgpOp     *op,
        gpgme_ctx_t    ctx,
        OpenpgpSource *source,
        OpenpgpSink   *sink,
        RunFunc        run,
        void          *user_data)
{
  gpgme_error_t err;

  for (op->attempt = 1;; op->attempt++)
    {
      gpgme_data_t in = NULL, out = NULL;
      OpenpgpSigpipe sigpipe;

      op->asked = 0;
      err = openpgp_source_data (source, &in);
      if (err == 0)
        err = openpgp_sink_data (sink, &out);
      if (err == 0)
        {
          openpgp_sigpipe_block (&sigpipe);
          err = run (ctx, in, out, user_data);
          openpgp_sigpipe_restore (&sigpipe);
        }
      gpgme_data_release (in);
      gpgme_data_release (out);
      if (err == 0)
        return 0;
      if (gpgme_err_code (err) == GPG_ERR_BAD_PASSPHRASE && op->asked
          && op->attempt < OPENPGP_PASSPHRASE_TRIES
          && !op->user_cancelled && !openpgp_is_cancelled (op)
          && !sink->written && openpgp_source_rewind (source))
        {
          openpgp_log (op->plugin, CACHET_CRYPTO_LOG_DEBUG,
                       "wrong passphrase; asking again (try %d)", op->attempt + 1);
          openpgp_sink_reset (sink);
          continue;
        }
      return err;
    }
}

static int32_t
fail_no_streams (OpenpgpOp *op)
{
  return openpgp_fail (op, CACHET_CRYPTO_STATUS_FAILED, 0,
                       "The operation was called without its input or output.");
}

/* ------------------------------------------------------------------------ */
/* Encrypt                                                                  */

typedef struct
{
  gpgme_key_t  *keys;  /* NULL-terminated */
  const char  **whos;  /* who each key is for */
  int           sign;
} EncryptData;

/* The recipient whose key (or subkey) has fingerprint FPR, as the host
 * named them. */
static const char *
recipient_name (const CachetCryptoParams *params,
                gpgme_key_t              *keys,
                size_t                    n_keys,
                const char              **whos,
                const char               *fpr)
{
  if (fpr != NULL)
    for (size_t i = 0; i < n_keys; i++)
      for (gpgme_subkey_t sub = keys[i]->subkeys; sub != NULL; sub = sub->next)
        if (sub->fpr != NULL && strcmp (sub->fpr, fpr) == 0)
          return whos[i];
  if (fpr != NULL)
    return fpr;
  return params->n_recipients == 1 && params->recipients[0] != NULL
         ? params->recipients[0] : "a recipient";
}

static gpgme_error_t
run_encrypt (gpgme_ctx_t   ctx,
             gpgme_data_t  in,
             gpgme_data_t  out,
             void         *user_data)
{
  EncryptData *data = user_data;
  /* Never GPGME_ENCRYPT_ALWAYS_TRUST: the keys were checked to be valid. */
  gpgme_encrypt_flags_t flags = 0;

  if (data->sign)
    return gpgme_op_encrypt_sign (ctx, data->keys, flags, in, out);
  return gpgme_op_encrypt (ctx, data->keys, flags, in, out);
}

static int
add_key_once (EncryptData *data,
              size_t      *n,
              gpgme_key_t  key,
              const char  *who)
{
  for (size_t i = 0; i < *n; i++)
    if (data->keys[i]->fpr != NULL && key->fpr != NULL
        && strcmp (data->keys[i]->fpr, key->fpr) == 0)
      {
        gpgme_key_unref (key);
        return 0;
      }
  data->whos[*n] = who;
  data->keys[(*n)++] = key;
  return 1;
}

int32_t
openpgp_encrypt (CachetCryptoPlugin          *plugin,
                 CachetCryptoCall            *call,
                 const CachetCryptoParams    *params,
                 const CachetCryptoInStream  *input,
                 const CachetCryptoOutStream *output,
                 CachetCryptoResultSink      *sink_handle)
{
  OpenpgpOp op = { .plugin = plugin, .call = call, .attempt = 1 };
  CachetCryptoParams local;
  OpenpgpSource source;
  OpenpgpSink sink;
  EncryptData data = { 0 };
  gpgme_ctx_t ctx = NULL;
  gpgme_key_t signer = NULL;
  size_t n_keys = 0;
  int32_t status = CACHET_CRYPTO_STATUS_OK;
  int sign;
  gpgme_error_t err;

  if (!openpgp_copy_params (params, &local))
    return openpgp_fail (&op, CACHET_CRYPTO_STATUS_FAILED, 0, "The request was not understood.");
  sign = (local.flags & CACHET_CRYPTO_FLAG_ALSO_SIGN) != 0;
  /* Signing may ask for a passphrase: keep the input for a second run and
   * hold the output until the op has succeeded. */
  if (!openpgp_source_init (&source, &op, input, sign)
      || output == NULL || !openpgp_sink_init (&sink, &op, output, sign))
    return fail_no_streams (&op);
  if (local.n_recipients == 0 && !(local.flags & CACHET_CRYPTO_FLAG_TO_SELF))
    return openpgp_fail (&op, CACHET_CRYPTO_STATUS_NO_KEY, 0,
                         "The message has no recipients to encrypt to.");
  if (!openpgp_new_context (&op, &ctx, sign))
    return CACHET_CRYPTO_STATUS_FAILED;

  data.keys = calloc (local.n_recipients + 2, sizeof *data.keys);
  data.whos = calloc (local.n_recipients + 2, sizeof *data.whos);
  if (data.keys == NULL || data.whos == NULL)
    {
      status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_FAILED, 0, "Out of memory.");
      goto out;
    }

  /* Every recipient needs a usable, valid key, or nothing is encrypted. */
  for (size_t i = 0; i < local.n_recipients; i++)
    {
      gpgme_key_t key = NULL;
      const char *who = local.recipients[i];

      if (who == NULL || who[0] == '\0')
        continue;
      status = openpgp_find_recipient (&op, ctx, who, &key);
      if (status != CACHET_CRYPTO_STATUS_OK)
        goto out;
      add_key_once (&data, &n_keys, key, who);
    }
  if (local.flags & CACHET_CRYPTO_FLAG_TO_SELF)
    {
      const char *self = local.sender != NULL ? local.sender : local.signer;
      gpgme_key_t key = NULL;

      if (self == NULL || self[0] == '\0')
        {
          status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_NO_KEY, 0,
                                 "There is no sender address to encrypt to yourself.");
          goto out;
        }
      status = openpgp_find_recipient (&op, ctx, self, &key);
      if (status != CACHET_CRYPTO_STATUS_OK)
        goto out;
      add_key_once (&data, &n_keys, key, self);
    }
  if (n_keys == 0)
    {
      status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_NO_KEY, 0,
                             "The message has no recipients to encrypt to.");
      goto out;
    }
  if (sign)
    {
      const char *who = local.signer != NULL ? local.signer : local.sender;

      if (who != NULL && who[0] != '\0')
        {
          status = openpgp_find_signer (&op, ctx, who, &signer);
          if (status != CACHET_CRYPTO_STATUS_OK)
            goto out;
          err = gpgme_signers_add (ctx, signer);
          if (err != 0)
            {
              status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_FAILED, err,
                                     "The signing key could not be used.");
              goto out;
            }
        }
    }
  gpgme_set_armor (ctx, (local.flags & CACHET_CRYPTO_FLAG_ARMOR) != 0);

  data.sign = sign;
  err = run_op (&op, ctx, &source, &sink, run_encrypt, &data);
  if (err != 0)
    {
      gpgme_encrypt_result_t result = gpgme_op_encrypt_result (ctx);

      if (result != NULL && result->invalid_recipients != NULL && !op.cancelled)
        status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_NO_KEY, err,
                               "No usable OpenPGP key for %s: GnuPG refused the key.",
                               recipient_name (&local, data.keys, n_keys, data.whos,
                                               result->invalid_recipients->fpr));
      else
        status = openpgp_fail_from_gpgme (&op, err, "The message could not be encrypted.");
      goto out;
    }
  if (!openpgp_sink_flush (&sink))
    status = openpgp_fail_from_gpgme (&op, gpg_error (GPG_ERR_EIO),
                                      "The encrypted message could not be written.");

out:
  if (data.keys != NULL)
    for (size_t i = 0; i < n_keys; i++)
      gpgme_key_unref (data.keys[i]);
  free (data.keys);
  free (data.whos);
  if (signer != NULL)
    gpgme_key_unref (signer);
  openpgp_source_clear (&source);
  openpgp_sink_clear (&sink);
  gpgme_release (ctx);
  return status;
}

/* ------------------------------------------------------------------------ */
/* Decrypt                                                                  */

static gpgme_error_t
run_decrypt (gpgme_ctx_t   ctx,
             gpgme_data_t  in,
             gpgme_data_t  out,
             void         *user_data)
{
  if (*(int *) user_data)
    return gpgme_op_decrypt_verify (ctx, in, out);
  return gpgme_op_decrypt (ctx, in, out);
}

int32_t
openpgp_decrypt (CachetCryptoPlugin          *plugin,
                 CachetCryptoCall            *call,
                 const CachetCryptoParams    *params,
                 const CachetCryptoInStream  *input,
                 const CachetCryptoOutStream *output,
                 CachetCryptoResultSink      *sink_handle)
{
  OpenpgpOp op = { .plugin = plugin, .call = call, .attempt = 1 };
  CachetCryptoParams local;
  OpenpgpSource source;
  OpenpgpSink sink;
  gpgme_ctx_t ctx = NULL;
  int32_t status = CACHET_CRYPTO_STATUS_OK;
  int verify;
  gpgme_error_t err;

  if (!openpgp_copy_params (params, &local))
    return openpgp_fail (&op, CACHET_CRYPTO_STATUS_FAILED, 0, "The request was not understood.");
  verify = (local.flags & CACHET_CRYPTO_FLAG_ALSO_SIGN) != 0;
  op.sender = local.sender;
  /* The input is kept until the first plaintext comes out: gpg asks for
   * the passphrase before that. */
  if (!openpgp_source_init (&source, &op, input, 1)
      || output == NULL || !openpgp_sink_init (&sink, &op, output, 0))
    return fail_no_streams (&op);
  sink.stop_recording = &source;
  if (!openpgp_new_context (&op, &ctx, 1))
    return CACHET_CRYPTO_STATUS_FAILED;

  err = run_op (&op, ctx, &source, &sink, run_decrypt, &verify);
  if (err != 0)
    {
      gpgme_decrypt_result_t result = gpgme_op_decrypt_result (ctx);
      int no_seckey = 0, others = 0;

      if (result != NULL)
        for (gpgme_recipient_t r = result->recipients; r != NULL; r = r->next)
          {
            if (gpgme_err_code (r->status) == GPG_ERR_NO_SECKEY)
              no_seckey++;
            else
              others++;
          }
      if (no_seckey > 0 && others == 0 && !op.cancelled && !op.user_cancelled
          && !op.stream_failed)
        status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_NO_KEY, err,
                               "This message is not encrypted to any of your keys.");
      else if (gpgme_err_code (err) == GPG_ERR_DECRYPT_FAILED && !op.cancelled
               && !op.user_cancelled && !op.stream_failed)
        status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_BAD_DATA, err,
                               "The message could not be decrypted: it is damaged "
                               "or not OpenPGP data.");
      else
        status = openpgp_fail_from_gpgme (&op, err, "The message could not be decrypted.");
      goto out;
    }
  if (verify)
    openpgp_report_signatures (&op, gpgme_op_verify_result (ctx), sink_handle);

out:
  openpgp_source_clear (&source);
  openpgp_sink_clear (&sink);
  gpgme_release (ctx);
  return status;
}

/* ------------------------------------------------------------------------ */
/* Sign                                                                     */

static gpgme_error_t
run_sign (gpgme_ctx_t   ctx,
          gpgme_data_t  in,
          gpgme_data_t  out,
          void         *user_data)
{
  return gpgme_op_sign (ctx, in, out, *(gpgme_sig_mode_t *) user_data);
}

/* "pgp-sha256" for SHA256 (RFC 3156's micalg). */
static void
report_micalg (OpenpgpOp              *op,
               gpgme_sign_result_t     result,
               CachetCryptoResultSink *sink)
{
  const char *name;
  char micalg[64];
  size_t i;

  if (result == NULL || result->signatures == NULL || op->plugin->api.set_result == NULL)
    return;
  name = gpgme_hash_algo_name (result->signatures->hash_algo);
  if (name == NULL || strlen (name) > sizeof micalg - 5)
    return;
  memcpy (micalg, "pgp-", 4);
  for (i = 0; name[i] != '\0'; i++)
    micalg[4 + i] = (char) tolower ((unsigned char) name[i]);
  micalg[4 + i] = '\0';
  op->plugin->api.set_result (sink, "micalg", micalg);
}

int32_t
openpgp_sign (CachetCryptoPlugin          *plugin,
              CachetCryptoCall            *call,
              const CachetCryptoParams    *params,
              const CachetCryptoInStream  *input,
              const CachetCryptoOutStream *output,
              CachetCryptoResultSink      *sink_handle)
{
  OpenpgpOp op = { .plugin = plugin, .call = call, .attempt = 1 };
  CachetCryptoParams local;
  OpenpgpSource source;
  OpenpgpSink sink;
  gpgme_ctx_t ctx = NULL;
  gpgme_key_t signer = NULL;
  gpgme_sig_mode_t mode;
  gpgme_sign_result_t result;
  const char *who;
  int32_t status = CACHET_CRYPTO_STATUS_OK;
  gpgme_error_t err;

  if (!openpgp_copy_params (params, &local))
    return openpgp_fail (&op, CACHET_CRYPTO_STATUS_FAILED, 0, "The request was not understood.");
  if (!openpgp_source_init (&source, &op, input, 1)
      || output == NULL || !openpgp_sink_init (&sink, &op, output, 1))
    return fail_no_streams (&op);
  if (!openpgp_new_context (&op, &ctx, 1))
    return CACHET_CRYPTO_STATUS_FAILED;

  if (local.flags & CACHET_CRYPTO_FLAG_DETACHED)
    mode = GPGME_SIG_MODE_DETACH;
  else if (local.flags & CACHET_CRYPTO_FLAG_OPAQUE)
    mode = GPGME_SIG_MODE_NORMAL;
  else
    mode = GPGME_SIG_MODE_CLEAR;
  gpgme_set_armor (ctx, (local.flags & CACHET_CRYPTO_FLAG_ARMOR) != 0);

  who = local.signer != NULL ? local.signer : local.sender;
  if (who != NULL && who[0] != '\0')
    {
      status = openpgp_find_signer (&op, ctx, who, &signer);
      if (status != CACHET_CRYPTO_STATUS_OK)
        goto out;
      err = gpgme_signers_add (ctx, signer);
      if (err != 0)
        {
          status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_FAILED, err,
                                 "The signing key could not be used.");
          goto out;
        }
    }

  err = run_op (&op, ctx, &source, &sink, run_sign, &mode);
  result = gpgme_op_sign_result (ctx);
  if (err != 0)
    {
      if (result != NULL && result->invalid_signers != NULL && !op.cancelled
          && gpgme_err_code (err) != GPG_ERR_BAD_PASSPHRASE && !op.user_cancelled)
        status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_NO_KEY, err,
                               "The OpenPGP key %s cannot sign.",
                               result->invalid_signers->fpr != NULL
                               ? result->invalid_signers->fpr : "");
      else
        status = openpgp_fail_from_gpgme (&op, err, "The message could not be signed.");
      goto out;
    }
  if (result == NULL || result->signatures == NULL)
    {
      status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_FAILED, 0,
                             "GnuPG made no signature.");
      goto out;
    }
  report_micalg (&op, result, sink_handle);
  if (!openpgp_sink_flush (&sink))
    status = openpgp_fail_from_gpgme (&op, gpg_error (GPG_ERR_EIO),
                                      "The signed message could not be written.");

out:
  if (signer != NULL)
    gpgme_key_unref (signer);
  openpgp_source_clear (&source);
  openpgp_sink_clear (&sink);
  gpgme_release (ctx);
  return status;
}

/* ------------------------------------------------------------------------ */
/* Verify                                                                   */

int32_t
openpgp_verify (CachetCryptoPlugin          *plugin,
                CachetCryptoCall            *call,
                const CachetCryptoParams    *params,
                const CachetCryptoInStream  *input,
                const CachetCryptoInStream  *signature,
                const CachetCryptoOutStream *output,
                CachetCryptoResultSink      *sink_handle)
{
  OpenpgpOp op = { .plugin = plugin, .call = call, .attempt = 1 };
  CachetCryptoParams local;
  OpenpgpSource source, sig_source;
  OpenpgpSink sink;
  OpenpgpSigpipe sigpipe;
  gpgme_ctx_t ctx = NULL;
  gpgme_data_t in = NULL, sig = NULL, out = NULL;
  gpgme_verify_result_t result;
  int32_t status = CACHET_CRYPTO_STATUS_OK;
  int detached = signature != NULL;
  gpgme_error_t err;

  memset (&sig_source, 0, sizeof sig_source);
  if (params != NULL && openpgp_copy_params (params, &local))
    op.sender = local.sender;
  if (!openpgp_source_init (&source, &op, input, 0)
      || (detached && !openpgp_source_init (&sig_source, &op, signature, 0))
      || !openpgp_sink_init (&sink, &op, detached ? NULL : output, 0))
    return fail_no_streams (&op);
  if (!openpgp_new_context (&op, &ctx, 0))
    return CACHET_CRYPTO_STATUS_FAILED;

  err = openpgp_source_data (&source, &in);
  if (err == 0 && detached)
    err = openpgp_source_data (&sig_source, &sig);
  if (err == 0 && !detached)
    err = openpgp_sink_data (&sink, &out);
  if (err == 0)
    {
      openpgp_sigpipe_block (&sigpipe);
      if (detached)
        err = gpgme_op_verify (ctx, sig, in, NULL);
      else
        err = gpgme_op_verify (ctx, in, NULL, out);
      openpgp_sigpipe_restore (&sigpipe);
    }
  gpgme_data_release (in);
  gpgme_data_release (sig);
  gpgme_data_release (out);

  result = err == 0 ? gpgme_op_verify_result (ctx) : NULL;
  if (err != 0)
    status = openpgp_fail_from_gpgme (&op, err, "The signature could not be checked.");
  else if (openpgp_is_cancelled (&op))
    status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_CANCELLED, 0,
                           "The operation was cancelled.");
  else if (result == NULL || result->signatures == NULL)
    status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_BAD_DATA, 0,
                           "No OpenPGP signature was found in the data.");
  else
    openpgp_report_signatures (&op, result, sink_handle);

  openpgp_source_clear (&source);
  openpgp_source_clear (&sig_source);
  openpgp_sink_clear (&sink);
  gpgme_release (ctx);
  return status;
}
