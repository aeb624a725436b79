/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keys: finding recipients and signers, key lookup, key import, and the
 * signature report. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cachet-openpgp-private.h"

/* "0x" optional, then a v4 (40) or v5 (64) hex fingerprint. */
int
openpgp_is_fingerprint (const char *text)
{
  size_t n = 0;

  if (text == NULL)
    return 0;
  if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    text += 2;
  for (; text[n] != '\0'; n++)
    if (!isxdigit ((unsigned char) text[n]))
      return 0;
  return n == 40 || n == 64;
}

static const char *
skip_0x (const char *text)
{
  if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    return text + 2;
  return text;
}

static int
fingerprint_equal (const char *a,
                   const char *b)
{
  return a != NULL && b != NULL && openpgp_ascii_casecmp (skip_0x (a), skip_0x (b)) == 0;
}

/* The uid of KEY that WHO names: for an address, a uid with that address;
 * for a fingerprint, the best uid.  Revoked and invalid uids count only
 * when there is nothing else.  NULL when WHO is an address no uid has. */
static gpgme_user_id_t
matching_uid (gpgme_key_t  key,
              const char  *who)
{
  int by_fpr = openpgp_is_fingerprint (who);
  gpgme_user_id_t best = NULL;

  for (gpgme_user_id_t uid = key->uids; uid != NULL; uid = uid->next)
    {
      if (!by_fpr && (uid->email == NULL || openpgp_ascii_casecmp (uid->email, who) != 0))
        continue;
      if (best == NULL
          || ((best->revoked || best->invalid) && !(uid->revoked || uid->invalid))
          || (!(uid->revoked || uid->invalid) && uid->validity > best->validity))
        best = uid;
    }
  return best;
}

static int
key_matches (gpgme_key_t  key,
             const char  *who)
{
  if (openpgp_is_fingerprint (who))
    {
      if (fingerprint_equal (key->fpr, who))
        return 1;
      for (gpgme_subkey_t sub = key->subkeys; sub != NULL; sub = sub->next)
        if (fingerprint_equal (sub->fpr, who))
          return 1;
      return 0;
    }
  return matching_uid (key, who) != NULL;
}

/* Lists the keys that WHO names (SECRET: secret keys only).  The caller
 * frees with free_keys.  Returns the GPGME error of the listing. */
static gpgme_error_t
list_keys (gpgme_ctx_t   ctx,
           const char   *who,
           int           secret,
           gpgme_key_t **keys,
           size_t       *n_keys)
{
  char *pattern;
  gpgme_error_t err;
  gpgme_key_t key;
  size_t cap = 0;

  *keys = NULL;
  *n_keys = 0;
  /* "<address>" makes gpg match the address exactly. */
  if (openpgp_is_fingerprint (who))
    pattern = openpgp_strdup (skip_0x (who));
  else
    pattern = openpgp_strdup_printf ("<%s>", who);
  if (pattern == NULL)
    return gpg_error (GPG_ERR_ENOMEM);

  err = gpgme_op_keylist_start (ctx, pattern, secret);
  free (pattern);
  while (err == 0)
    {
      err = gpgme_op_keylist_next (ctx, &key);
      if (err != 0)
        break;
      if (!key_matches (key, who))
        {
          gpgme_key_unref (key);
          continue;
        }
      if (*n_keys == cap)
        {
          size_t new_cap = cap > 0 ? cap * 2 : 4;
          gpgme_key_t *grown = realloc (*keys, new_cap * sizeof *grown);

          if (grown == NULL)
            {
              gpgme_key_unref (key);
              err = gpg_error (GPG_ERR_ENOMEM);
              break;
            }
          *keys = grown;
          cap = new_cap;
        }
      (*keys)[(*n_keys)++] = key;
    }
  gpgme_op_keylist_end (ctx);
  if (gpgme_err_code (err) == GPG_ERR_EOF)
    err = 0;
  return err;
}

static void
free_keys (gpgme_key_t *keys,
           size_t       n_keys)
{
  for (size_t i = 0; i < n_keys; i++)
    gpgme_key_unref (keys[i]);
  free (keys);
}

/* Why KEY cannot be used for WHO, or NULL when it can. */
static const char *
unusable_reason (gpgme_key_t  key,
                 const char  *who,
                 int          for_signing)
{
  gpgme_user_id_t uid = matching_uid (key, who);

  if (key->revoked)
    return "the key was revoked";
  if (key->expired)
    return "the key has expired";
  if (key->disabled)
    return "the key is disabled";
  if (key->invalid)
    return "the key is not valid";
  if (for_signing ? !key->can_sign : !key->can_encrypt)
    return for_signing ? "the key cannot sign" : "the key cannot encrypt";
  if (uid == NULL || uid->revoked || uid->invalid)
    return "the user ID of the key was revoked";
  /* Never "always trust": a key not at least fully valid is refused. */
  if (!for_signing && uid->validity < GPGME_VALIDITY_FULL)
    return "the key is not verified";
  return NULL;
}

/* Of the usable keys, the most valid, then the newest. */
static int
better_key (gpgme_key_t  a,
            gpgme_key_t  b,
            const char  *who)
{
  gpgme_user_id_t ua = matching_uid (a, who);
  gpgme_user_id_t ub = matching_uid (b, who);
  long ta = a->subkeys != NULL ? a->subkeys->timestamp : 0;
  long tb = b->subkeys != NULL ? b->subkeys->timestamp : 0;

  if (ua != NULL && ub != NULL && ua->validity != ub->validity)
    return ua->validity > ub->validity;
  return ta > tb;
}

static int32_t
find_key (OpenpgpOp    *op,
          gpgme_ctx_t   ctx,
          const char   *who,
          int           for_signing,
          gpgme_key_t  *found)
{
  gpgme_key_t *keys = NULL;
  size_t n_keys = 0;
  gpgme_key_t best = NULL;
  const char *reason = NULL;
  gpgme_error_t err;

  *found = NULL;
  err = list_keys (ctx, who, for_signing, &keys, &n_keys);
  if (err != 0)
    {
      free_keys (keys, n_keys);
      return openpgp_fail (op, CACHET_CRYPTO_STATUS_FAILED, err,
                           "Your OpenPGP keyring could not be read.");
    }
  for (size_t i = 0; i < n_keys; i++)
    {
      const char *why = unusable_reason (keys[i], who, for_signing);

      if (why != NULL)
        {
          if (reason == NULL)
            reason = why;
          continue;
        }
      if (best == NULL || better_key (keys[i], best, who))
        best = keys[i];
    }
  if (best != NULL)
    {
      gpgme_key_ref (best);
      free_keys (keys, n_keys);
      *found = best;
      return CACHET_CRYPTO_STATUS_OK;
    }
  free_keys (keys, n_keys);

  if (for_signing)
    return openpgp_fail (op, CACHET_CRYPTO_STATUS_NO_KEY, 0,
                         "No usable OpenPGP secret key to sign as %s: %s.", who,
                         reason != NULL ? reason : "there is no secret key for it in your keyring");
  return openpgp_fail (op, CACHET_CRYPTO_STATUS_NO_KEY, 0,
                       "No usable OpenPGP key for %s: %s.", who,
                       reason != NULL ? reason : "there is no key for it in your keyring");
}

int32_t
openpgp_find_recipient (OpenpgpOp    *op,
                        gpgme_ctx_t   ctx,
                        const char   *who,
                        gpgme_key_t  *key)
{
  return find_key (op, ctx, who, 0, key);
}

int32_t
openpgp_find_signer (OpenpgpOp    *op,
                     gpgme_ctx_t   ctx,
                     const char   *who,
                     gpgme_key_t  *key)
{
  return find_key (op, ctx, who, 1, key);
}

/* ------------------------------------------------------------------------ */
/* Reporting keys                                                           */

static int32_t
validity_from_gpgme (gpgme_validity_t validity)
{
  switch (validity)
    {
    case GPGME_VALIDITY_UNDEFINED: return CACHET_CRYPTO_VALIDITY_UNDEFINED;
    case GPGME_VALIDITY_NEVER: return CACHET_CRYPTO_VALIDITY_NEVER;
    case GPGME_VALIDITY_MARGINAL: return CACHET_CRYPTO_VALIDITY_MARGINAL;
    case GPGME_VALIDITY_FULL: return CACHET_CRYPTO_VALIDITY_FULL;
    case GPGME_VALIDITY_ULTIMATE: return CACHET_CRYPTO_VALIDITY_ULTIMATE;
    case GPGME_VALIDITY_UNKNOWN:
    default:
      return CACHET_CRYPTO_VALIDITY_UNKNOWN;
    }
}

static int
has_secret (gpgme_ctx_t  ctx,
            const char  *fpr)
{
  gpgme_key_t key = NULL;

  if (fpr == NULL || gpgme_get_key (ctx, fpr, &key, 1) != 0 || key == NULL)
    return 0;
  gpgme_key_unref (key);
  return 1;
}

/* Adds KEY as WHO sees it (WHO may be NULL: its first uid). */
static void
report_key (OpenpgpOp              *op,
            gpgme_ctx_t             secret_ctx,
            gpgme_key_t             key,
            const char             *who,
            CachetCryptoResultSink *sink)
{
  gpgme_user_id_t uid = who != NULL ? matching_uid (key, who) : NULL;
  CachetCryptoKey out;

  if (uid == NULL)
    uid = matching_uid (key, key->fpr != NULL ? key->fpr : "");
  if (uid == NULL)
    uid = key->uids;

  memset (&out, 0, sizeof out);
  out.struct_size = sizeof out;
  out.validity = validity_from_gpgme (uid != NULL ? uid->validity : GPGME_VALIDITY_UNKNOWN);
  if (key->can_encrypt)
    out.flags |= CACHET_CRYPTO_KEY_CAN_ENCRYPT;
  if (key->can_sign)
    out.flags |= CACHET_CRYPTO_KEY_CAN_SIGN;
  if (key->secret || has_secret (secret_ctx, key->fpr))
    out.flags |= CACHET_CRYPTO_KEY_SECRET;
  if (key->expired)
    out.flags |= CACHET_CRYPTO_KEY_EXPIRED;
  if (key->revoked)
    out.flags |= CACHET_CRYPTO_KEY_REVOKED;
  if (key->disabled)
    out.flags |= CACHET_CRYPTO_KEY_DISABLED;
  if (key->invalid)
    out.flags |= CACHET_CRYPTO_KEY_INVALID;
  out.fingerprint = key->fpr != NULL ? key->fpr
                    : key->subkeys != NULL ? key->subkeys->fpr : NULL;
  out.user_id = uid != NULL ? uid->uid : NULL;
  out.address = uid != NULL ? uid->email : NULL;
  if (key->subkeys != NULL)
    {
      out.created = key->subkeys->timestamp > 0 ? key->subkeys->timestamp : 0;
      out.expires = key->subkeys->expires > 0 ? key->subkeys->expires : 0;
    }
  if (op->plugin->api.add_key != NULL)
    op->plugin->api.add_key (sink, &out);
}

int32_t
openpgp_key_lookup (CachetCryptoPlugin       *plugin,
                    CachetCryptoCall         *call,
                    const CachetCryptoParams *params,
                    CachetCryptoResultSink   *sink)
{
  OpenpgpOp op = { .plugin = plugin, .call = call, .attempt = 1 };
  CachetCryptoParams local;
  gpgme_ctx_t ctx = NULL, secret_ctx = NULL;
  int32_t status = CACHET_CRYPTO_STATUS_OK;

  if (!openpgp_copy_params (params, &local))
    return openpgp_fail (&op, CACHET_CRYPTO_STATUS_FAILED, 0, "The request was not understood.");
  if (!openpgp_new_context (&op, &ctx, 0) || !openpgp_new_context (&op, &secret_ctx, 0))
    {
      if (ctx != NULL)
        gpgme_release (ctx);
      return CACHET_CRYPTO_STATUS_FAILED;
    }

  for (size_t i = 0; i < local.n_recipients && status == CACHET_CRYPTO_STATUS_OK; i++)
    {
      const char *who = local.recipients[i];
      gpgme_key_t *keys = NULL;
      size_t n_keys = 0;
      gpgme_error_t err;

      if (openpgp_is_cancelled (&op))
        {
          status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_CANCELLED, 0,
                                 "The operation was cancelled.");
          break;
        }
      if (who == NULL || who[0] == '\0')
        continue;
      err = list_keys (ctx, who, 0, &keys, &n_keys);
      if (err != 0)
        status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_FAILED, err,
                               "Your OpenPGP keyring could not be read.");
      else
        for (size_t k = 0; k < n_keys; k++)
          report_key (&op, secret_ctx, keys[k], who, sink);
      free_keys (keys, n_keys);
    }
  gpgme_release (ctx);
  gpgme_release (secret_ctx);
  return status;
}

/* OK when SOURCE holds no secret key (it is rewound for the import);
 * else the error status, set on the call. */
static int32_t
refuse_secret_keys (OpenpgpOp     *op,
                    OpenpgpSource *source)
{
  gpgme_ctx_t ctx = NULL;
  gpgme_data_t data = NULL;
  gpgme_key_t key = NULL;
  gpgme_error_t err;
  OpenpgpSigpipe sigpipe;
  int secret = 0;

  if (!openpgp_new_context (op, &ctx, 0))
    return CACHET_CRYPTO_STATUS_FAILED;
  err = openpgp_source_data (source, &data);
  if (err == 0)
    {
      openpgp_sigpipe_block (&sigpipe);
      err = gpgme_op_keylist_from_data_start (ctx, data, 0);
      while (err == 0 && (err = gpgme_op_keylist_next (ctx, &key)) == 0)
        {
          if (key->secret)
            secret = 1;
          gpgme_key_unref (key);
        }
      gpgme_op_keylist_end (ctx);
      openpgp_sigpipe_restore (&sigpipe);
    }
  gpgme_data_release (data);
  gpgme_release (ctx);

  if (openpgp_is_cancelled (op))
    return openpgp_fail (op, CACHET_CRYPTO_STATUS_CANCELLED, 0, "Cancelled.");
  if (secret)
    return openpgp_fail (op, CACHET_CRYPTO_STATUS_BAD_DATA, 0,
                         "This key data holds a secret key. Keys are taken from mail only "
                         "when they are public; import a secret key with GnuPG itself.");
  if (!openpgp_source_rewind (source))
    return openpgp_fail (op, CACHET_CRYPTO_STATUS_FAILED, 0,
                         "The key data is too large to import.");
  return CACHET_CRYPTO_STATUS_OK;
}

int32_t
openpgp_key_import (CachetCryptoPlugin         *plugin,
                    CachetCryptoCall           *call,
                    const CachetCryptoParams   *params,
                    const CachetCryptoInStream *input,
                    CachetCryptoResultSink     *sink)
{
  OpenpgpOp op = { .plugin = plugin, .call = call, .attempt = 1 };
  OpenpgpSource source;
  OpenpgpSigpipe sigpipe;
  gpgme_ctx_t ctx = NULL, secret_ctx = NULL;
  gpgme_data_t data = NULL;
  gpgme_import_result_t result;
  gpgme_error_t err;
  int32_t status = CACHET_CRYPTO_STATUS_OK;

  if (!openpgp_source_init (&source, &op, input, 1))
    return openpgp_fail (&op, CACHET_CRYPTO_STATUS_FAILED, 0, "There is no key data to import.");
  if (!openpgp_new_context (&op, &ctx, 0))
    {
      openpgp_source_clear (&source);
      return CACHET_CRYPTO_STATUS_FAILED;
    }

  /* Keys come from mail: only public keys are taken.  A secret key sent
   * by someone else has no business in the user's keyring, so data with
   * one is refused whole, before anything is imported. */
  status = refuse_secret_keys (&op, &source);
  if (status != CACHET_CRYPTO_STATUS_OK)
    {
      openpgp_source_clear (&source);
      gpgme_release (ctx);
      return status;
    }

  err = openpgp_source_data (&source, &data);
  if (err == 0)
    {
      openpgp_sigpipe_block (&sigpipe);
      err = gpgme_op_import (ctx, data);
      openpgp_sigpipe_restore (&sigpipe);
    }
  gpgme_data_release (data);
  result = err == 0 ? gpgme_op_import_result (ctx) : NULL;

  if (err != 0)
    status = openpgp_fail_from_gpgme (&op, err, "The key could not be imported.");
  else if (result == NULL || result->considered == 0)
    status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_BAD_DATA, 0,
                           "The data contains no OpenPGP key.");
  else if (result->imports == NULL)
    status = openpgp_fail (&op, CACHET_CRYPTO_STATUS_BAD_DATA, 0,
                           "No key in the data could be imported.");
  else if (openpgp_new_context (&op, &secret_ctx, 0))
    {
      /* gpg reports a key once for its public and once for its secret
       * part; each key is reported once. */
      for (gpgme_import_status_t imp = result->imports; imp != NULL; imp = imp->next)
        {
          gpgme_key_t key = NULL;
          int seen = 0;

          if (imp->fpr == NULL || imp->result != 0)
            continue;
          for (gpgme_import_status_t before = result->imports; before != imp; before = before->next)
            if (before->result == 0 && fingerprint_equal (before->fpr, imp->fpr))
              seen = 1;
          if (seen)
            continue;
          if (gpgme_get_key (secret_ctx, imp->fpr, &key, 0) == 0 && key != NULL)
            {
              report_key (&op, secret_ctx, key, NULL, sink);
              gpgme_key_unref (key);
            }
        }
      gpgme_release (secret_ctx);
    }
  else
    status = CACHET_CRYPTO_STATUS_FAILED;

  openpgp_source_clear (&source);
  gpgme_release (ctx);
  return status;
}

/* ------------------------------------------------------------------------ */
/* Signatures                                                               */

static const char *
validity_words (gpgme_validity_t validity)
{
  switch (validity)
    {
    case GPGME_VALIDITY_ULTIMATE: return "the key is your own (ultimately trusted)";
    case GPGME_VALIDITY_FULL: return "the key is verified";
    case GPGME_VALIDITY_MARGINAL: return "the key is only marginally verified";
    case GPGME_VALIDITY_NEVER: return "the key is marked as not to be trusted";
    default: return "the key is not verified";
    }
}

void
openpgp_report_signatures (OpenpgpOp              *op,
                           gpgme_verify_result_t   result,
                           CachetCryptoResultSink *sink)
{
  gpgme_ctx_t ctx = NULL;

  if (result == NULL || op->plugin->api.add_signature == NULL)
    return;
  /* A context of its own for the signers' keys: the op's context still
   * holds RESULT. */
  if (!openpgp_new_context (op, &ctx, 0))
    ctx = NULL;

  for (gpgme_signature_t sig = result->signatures; sig != NULL; sig = sig->next)
    {
      CachetCryptoSignature out;
      gpgme_key_t key = NULL;
      gpgme_err_code_t code = gpgme_err_code (sig->status);
      char *detail = NULL;
      char errtext[256];

      memset (&out, 0, sizeof out);
      out.struct_size = sizeof out;
      switch (code)
        {
        case GPG_ERR_NO_ERROR:
        case GPG_ERR_KEY_EXPIRED:     /* a good signature by an expired key */
        case GPG_ERR_CERT_REVOKED:    /* ... by a revoked key */
        case GPG_ERR_SIG_EXPIRED:     /* ... that has expired itself */
          out.status = CACHET_CRYPTO_SIG_GOOD;
          break;
        case GPG_ERR_BAD_SIGNATURE:
          out.status = CACHET_CRYPTO_SIG_BAD;
          break;
        case GPG_ERR_NO_PUBKEY:
          out.status = CACHET_CRYPTO_SIG_NO_KEY;
          break;
        default:
          out.status = CACHET_CRYPTO_SIG_ERROR;
          break;
        }
      if (sig->summary & GPGME_SIGSUM_VALID)
        out.summary |= CACHET_CRYPTO_SIG_SUMMARY_VALID;
      if ((sig->summary & GPGME_SIGSUM_KEY_EXPIRED) || code == GPG_ERR_KEY_EXPIRED)
        out.summary |= CACHET_CRYPTO_SIG_SUMMARY_KEY_EXPIRED;
      if ((sig->summary & GPGME_SIGSUM_KEY_REVOKED) || code == GPG_ERR_CERT_REVOKED)
        out.summary |= CACHET_CRYPTO_SIG_SUMMARY_KEY_REVOKED;
      if ((sig->summary & GPGME_SIGSUM_SIG_EXPIRED) || code == GPG_ERR_SIG_EXPIRED)
        out.summary |= CACHET_CRYPTO_SIG_SUMMARY_SIG_EXPIRED;
      if ((sig->summary & GPGME_SIGSUM_KEY_MISSING) || code == GPG_ERR_NO_PUBKEY)
        out.summary |= CACHET_CRYPTO_SIG_SUMMARY_KEY_MISSING;
      /* Only a good signature can say anything about its signer. */
      out.validity = out.status == CACHET_CRYPTO_SIG_GOOD
                     ? validity_from_gpgme (sig->validity) : CACHET_CRYPTO_VALIDITY_UNKNOWN;
      if (out.status != CACHET_CRYPTO_SIG_GOOD)
        out.summary &= ~CACHET_CRYPTO_SIG_SUMMARY_VALID;
      out.fingerprint = sig->fpr;
      out.pubkey_algorithm = gpgme_pubkey_algo_name (sig->pubkey_algo);
      out.hash_algorithm = gpgme_hash_algo_name (sig->hash_algo);
      out.created = sig->timestamp;
      out.expires = sig->exp_timestamp;

      if (ctx != NULL && sig->fpr != NULL && code != GPG_ERR_NO_PUBKEY
          && gpgme_get_key (ctx, sig->fpr, &key, 0) == 0 && key != NULL)
        {
          gpgme_user_id_t uid = NULL;

          /* The user ID with the message's From address, when the key has
           * one: the host compares the signer with From, and the validity
           * shown must be that address's own, not the key's best. */
          for (gpgme_user_id_t u = key->uids; u != NULL && op->sender != NULL; u = u->next)
            if (!u->revoked && !u->invalid && u->email != NULL
                && strcasecmp (u->email, op->sender) == 0)
              {
                uid = u;
                if (out.status == CACHET_CRYPTO_SIG_GOOD)
                  out.validity = validity_from_gpgme (u->validity < sig->validity
                                                      ? u->validity : sig->validity);
                break;
              }
          for (gpgme_user_id_t u = key->uids; u != NULL && uid == NULL; u = u->next)
            if (!u->revoked && !u->invalid)
              uid = u;
          out.signer_uid = uid != NULL ? uid->uid : key->uids != NULL ? key->uids->uid : NULL;
        }

      switch (out.status)
        {
        case CACHET_CRYPTO_SIG_GOOD:
          detail = openpgp_strdup_printf (
            "Good signature%s%s; %s%s%s%s.",
            out.signer_uid != NULL ? " from " : "",
            out.signer_uid != NULL ? out.signer_uid : "",
            validity_words (sig->validity),
            (out.summary & CACHET_CRYPTO_SIG_SUMMARY_KEY_EXPIRED) ? "; the key has expired" : "",
            (out.summary & CACHET_CRYPTO_SIG_SUMMARY_KEY_REVOKED) ? "; the key was revoked" : "",
            (out.summary & CACHET_CRYPTO_SIG_SUMMARY_SIG_EXPIRED) ? "; the signature has expired" : "");
          break;
        case CACHET_CRYPTO_SIG_BAD:
          detail = openpgp_strdup ("Bad signature: the signed data was changed or the signature is damaged.");
          break;
        case CACHET_CRYPTO_SIG_NO_KEY:
          detail = openpgp_strdup_printf ("The signer's key (%s) is not in your keyring.",
                                          sig->fpr != NULL ? sig->fpr : "unknown");
          break;
        default:
          if (gpgme_strerror_r (sig->status, errtext, sizeof errtext) != 0)
            errtext[0] = '\0';
          detail = openpgp_strdup_printf ("The signature could not be checked: %s.", errtext);
          break;
        }
      out.detail = detail;
      op->plugin->api.add_signature (sink, &out);
      free (detail);
      if (key != NULL)
        gpgme_key_unref (key);
    }
  if (ctx != NULL)
    gpgme_release (ctx);
}
