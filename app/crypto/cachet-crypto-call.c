/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto"

#include "config.h"

#include "cachet-crypto-call.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-crypto-call-private.h"

/* One operation in flight.  The plugin never sees its address: its Call
 * and ResultSink handle is a token, a number never used twice, that the
 * host looks up in the table of live calls.  A NULL, stale or made-up
 * handle finds nothing, so a plugin that keeps a handle past its call
 * cannot reach a later call or memory that is gone. */
struct CachetCryptoCall
{
  gpointer                    token;
  const char                 *plugin_id;
  const CachetCryptoRequest  *request;
  /* Guarded by calls_lock: */
  int32_t                     error_status;
  char                       *user_message;
  GError                     *stream_error;
  char                       *passphrase;
  size_t                      passphrase_length;
  CachetCryptoOutcome        *outcome;
};

G_DEFINE_QUARK (cachet-crypto-call-error-quark, cachet_crypto_call_error)

/* Live calls by token, and the lock for them and their mutable members. */
static GMutex calls_lock;
static GHashTable *live_calls;
static guintptr last_token;

/* The live call HANDLE stands for, or NULL.  Call with calls_lock held;
 * the call stays live while it is held. */
static CachetCryptoCall *
call_from_handle (const void *handle)
{
  if (handle == NULL || live_calls == NULL)
    return NULL;
  return g_hash_table_lookup (live_calls, handle);
}

static void
call_register (CachetCryptoCall *call)
{
  g_mutex_lock (&calls_lock);
  if (live_calls == NULL)
    live_calls = g_hash_table_new (g_direct_hash, g_direct_equal);
  do
    last_token++;
  while (last_token == 0);
  call->token = GSIZE_TO_POINTER ((gsize) last_token);
  g_hash_table_insert (live_calls, call->token, call);
  g_mutex_unlock (&calls_lock);
}

static void
call_unregister (CachetCryptoCall *call)
{
  g_mutex_lock (&calls_lock);
  g_hash_table_remove (live_calls, call->token);
  g_mutex_unlock (&calls_lock);
}

/* A plugin string as valid UTF-8 of our own, or NULL. */
static char *
copy_text (const char *text)
{
  if (text == NULL)
    return NULL;
  return g_utf8_make_valid (text, -1);
}

void
cachet_crypto_passphrase_free (char *passphrase)
{
  if (passphrase == NULL)
    return;
  explicit_bzero (passphrase, strlen (passphrase));
  g_free (passphrase);
}

void
cachet_crypto_signature_result_free (gpointer data)
{
  CachetCryptoSignatureResult *sig = data;

  g_free (sig->fingerprint);
  g_free (sig->signer_uid);
  g_free (sig->pubkey_algorithm);
  g_free (sig->hash_algorithm);
  g_free (sig->detail);
  g_free (sig);
}

void
cachet_crypto_key_result_free (gpointer data)
{
  CachetCryptoKeyResult *key = data;

  g_free (key->fingerprint);
  g_free (key->user_id);
  g_free (key->address);
  g_free (key);
}

void
cachet_crypto_outcome_free (CachetCryptoOutcome *outcome)
{
  if (outcome == NULL)
    return;
  g_ptr_array_unref (outcome->signatures);
  g_ptr_array_unref (outcome->keys);
  g_hash_table_unref (outcome->values);
  g_free (outcome);
}

static CachetCryptoOutcome *
outcome_new (void)
{
  CachetCryptoOutcome *outcome = g_new0 (CachetCryptoOutcome, 1);

  outcome->signatures = g_ptr_array_new_with_free_func (cachet_crypto_signature_result_free);
  outcome->keys = g_ptr_array_new_with_free_func (cachet_crypto_key_result_free);
  outcome->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return outcome;
}

static void
wipe_passphrase (CachetCryptoCall *call)
{
  cachet_crypto_passphrase_free (call->passphrase);
  call->passphrase = NULL;
  call->passphrase_length = 0;
}

/* ------------------------------------------------------------------------ */
/* Host API functions on a call                                             */

void
_cachet_crypto_call_set_error (CachetCryptoCall *handle,
                               int32_t           status,
                               const char       *user_message,
                               const char       *debug_message)
{
  CachetCryptoCall *call;

  g_mutex_lock (&calls_lock);
  call = call_from_handle (handle);
  if (call != NULL)
    {
      if (debug_message != NULL)
        {
          g_autofree char *text = copy_text (debug_message);
          g_debug ("%s: %s", call->plugin_id, text);
        }
      call->error_status = status;
      g_free (call->user_message);
      call->user_message = copy_text (user_message);
    }
  g_mutex_unlock (&calls_lock);
}

int32_t
_cachet_crypto_call_is_cancelled (CachetCryptoCall *handle)
{
  CachetCryptoCall *call;
  int32_t cancelled = 0;

  g_mutex_lock (&calls_lock);
  call = call_from_handle (handle);
  if (call != NULL)
    cancelled = g_cancellable_is_cancelled (call->request->cancellable) ? 1 : 0;
  g_mutex_unlock (&calls_lock);
  return cancelled;
}

int32_t
_cachet_crypto_call_ask_passphrase (CachetCryptoCall  *handle,
                                    const char        *key_hint,
                                    const char        *description,
                                    int32_t            previous_was_bad,
                                    const char       **passphrase,
                                    size_t            *length)
{
  CachetCryptoCall *call;
  CachetCryptoPassphraseFunc ask = NULL;
  gpointer ask_data = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autofree char *hint = NULL;
  g_autofree char *text = NULL;
  char *answer;

  if (passphrase != NULL)
    *passphrase = NULL;
  if (length != NULL)
    *length = 0;
  if (passphrase == NULL || length == NULL)
    return CACHET_CRYPTO_STATUS_FAILED;

  /* What to ask with, taken while the call is surely live; the prompt
   * itself blocks, so it runs without the lock. */
  g_mutex_lock (&calls_lock);
  call = call_from_handle (handle);
  if (call != NULL)
    {
      wipe_passphrase (call);
      ask = call->request->ask_passphrase;
      ask_data = call->request->ask_passphrase_data;
      if (call->request->cancellable != NULL)
        cancellable = g_object_ref (call->request->cancellable);
    }
  g_mutex_unlock (&calls_lock);
  if (call == NULL)
    return CACHET_CRYPTO_STATUS_FAILED;

  if (ask == NULL || g_cancellable_is_cancelled (cancellable))
    return CACHET_CRYPTO_STATUS_CANCELLED;

  hint = copy_text (key_hint);
  text = copy_text (description);
  answer = ask (hint, text, previous_was_bad != 0, ask_data);
  if (answer == NULL || g_cancellable_is_cancelled (cancellable))
    {
      cachet_crypto_passphrase_free (answer);
      return CACHET_CRYPTO_STATUS_CANCELLED;
    }

  g_mutex_lock (&calls_lock);
  call = call_from_handle (handle);
  if (call != NULL)
    {
      wipe_passphrase (call);
      call->passphrase = answer;
      call->passphrase_length = strlen (answer);
      *passphrase = call->passphrase;
      *length = call->passphrase_length;
    }
  g_mutex_unlock (&calls_lock);
  if (call == NULL)
    {
      /* The call ended while the user answered. */
      cachet_crypto_passphrase_free (answer);
      return CACHET_CRYPTO_STATUS_CANCELLED;
    }
  return CACHET_CRYPTO_STATUS_OK;
}

void
_cachet_crypto_call_progress (CachetCryptoCall *handle,
                              uint64_t          done,
                              uint64_t          total)
{
  /* Accepted and ignored: operations on a message are short. */
}

static int
known_sig_status (int32_t status)
{
  switch (status)
    {
    case CACHET_CRYPTO_SIG_GOOD:
    case CACHET_CRYPTO_SIG_BAD:
    case CACHET_CRYPTO_SIG_NO_KEY:
    case CACHET_CRYPTO_SIG_ERROR:
      return status;
    default:
      return CACHET_CRYPTO_SIG_ERROR;
    }
}

static int
known_validity (int32_t validity)
{
  if (validity < CACHET_CRYPTO_VALIDITY_UNKNOWN || validity > CACHET_CRYPTO_VALIDITY_ULTIMATE)
    return CACHET_CRYPTO_VALIDITY_UNKNOWN;
  return validity;
}

void
_cachet_crypto_sink_add_signature (CachetCryptoResultSink      *sink,
                                   const CachetCryptoSignature *signature)
{
  CachetCryptoCall *call;
  CachetCryptoSignature local = { 0 };
  CachetCryptoSignatureResult *sig;

  if (sink == NULL || signature == NULL
      || signature->struct_size < CACHET_CRYPTO_SIGNATURE_SIZE_1_0)
    return;
  memcpy (&local, signature, MIN ((size_t) signature->struct_size, sizeof local));

  sig = g_new0 (CachetCryptoSignatureResult, 1);
  sig->status = known_sig_status (local.status);
  sig->summary = local.summary;
  sig->validity = known_validity (local.validity);
  sig->fingerprint = copy_text (local.fingerprint);
  sig->signer_uid = copy_text (local.signer_uid);
  sig->pubkey_algorithm = copy_text (local.pubkey_algorithm);
  sig->hash_algorithm = copy_text (local.hash_algorithm);
  sig->created = local.created;
  sig->expires = local.expires;
  sig->detail = copy_text (local.detail);

  g_mutex_lock (&calls_lock);
  call = call_from_handle (sink);
  if (call != NULL)
    g_ptr_array_add (call->outcome->signatures, g_steal_pointer (&sig));
  g_mutex_unlock (&calls_lock);
  if (sig != NULL)
    cachet_crypto_signature_result_free (sig);
}

void
_cachet_crypto_sink_add_key (CachetCryptoResultSink *sink,
                             const CachetCryptoKey  *key)
{
  CachetCryptoCall *call;
  CachetCryptoKey local = { 0 };
  CachetCryptoKeyResult *result;

  if (sink == NULL || key == NULL || key->struct_size < CACHET_CRYPTO_KEY_SIZE_1_0)
    return;
  memcpy (&local, key, MIN ((size_t) key->struct_size, sizeof local));

  result = g_new0 (CachetCryptoKeyResult, 1);
  result->validity = known_validity (local.validity);
  result->flags = local.flags;
  result->fingerprint = copy_text (local.fingerprint);
  result->user_id = copy_text (local.user_id);
  result->address = copy_text (local.address);
  result->created = local.created;
  result->expires = local.expires;

  g_mutex_lock (&calls_lock);
  call = call_from_handle (sink);
  if (call != NULL)
    g_ptr_array_add (call->outcome->keys, g_steal_pointer (&result));
  g_mutex_unlock (&calls_lock);
  if (result != NULL)
    cachet_crypto_key_result_free (result);
}

void
_cachet_crypto_sink_set_result (CachetCryptoResultSink *sink,
                                const char             *key,
                                const char             *value)
{
  static const char *const known[] = { "micalg", "content-type", "protocol", "filename" };
  CachetCryptoCall *call;

  if (sink == NULL || key == NULL || value == NULL)
    return;
  /* Unknown keys are ignored, as the contract says. */
  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    if (strcmp (key, known[i]) == 0)
      {
        g_mutex_lock (&calls_lock);
        call = call_from_handle (sink);
        if (call != NULL)
          g_hash_table_replace (call->outcome->values, g_strdup (known[i]), copy_text (value));
        g_mutex_unlock (&calls_lock);
        return;
      }
}

/* ------------------------------------------------------------------------ */
/* Streams                                                                  */

typedef struct
{
  CachetCryptoCall *call;
  GInputStream     *stream;
  gboolean          ended;
} InSide;

typedef struct
{
  CachetCryptoCall *call;
  GOutputStream    *stream;
} OutSide;

static void
keep_stream_error (CachetCryptoCall *call,
                   GError           *error)
{
  g_mutex_lock (&calls_lock);
  if (call->stream_error == NULL)
    call->stream_error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&calls_lock);
}

static int64_t
in_read (void   *user_data,
         void   *buffer,
         size_t  size)
{
  InSide *side = user_data;
  GError *error = NULL;
  gssize n;

  if (buffer == NULL && size > 0)
    return -1;
  if (side->ended || size == 0)
    return 0;
  /* Not every stream looks at its cancellable (memory streams do not):
   * once cancelled, the plugin gets no more data. */
  if (g_cancellable_set_error_if_cancelled (side->call->request->cancellable, &error))
    {
      keep_stream_error (side->call, error);
      return -1;
    }
  n = g_input_stream_read (side->stream, buffer, MIN (size, (size_t) G_MAXSSIZE),
                           side->call->request->cancellable, &error);
  if (n < 0)
    {
      keep_stream_error (side->call, error);
      return -1;
    }
  if (n == 0)
    side->ended = TRUE;
  return n;
}

static int64_t
out_write (void       *user_data,
           const void *buffer,
           size_t      size)
{
  OutSide *side = user_data;
  GError *error = NULL;

  if (buffer == NULL || size == 0)
    return size == 0 ? 0 : -1;
  if (g_cancellable_set_error_if_cancelled (side->call->request->cancellable, &error))
    {
      keep_stream_error (side->call, error);
      return -1;
    }
  if (!g_output_stream_write_all (side->stream, buffer, size, NULL,
                                  side->call->request->cancellable, &error))
    {
      keep_stream_error (side->call, error);
      return -1;
    }
  return (int64_t) size;
}

/* ------------------------------------------------------------------------ */
/* Running an op                                                            */

static const char *
op_name (CachetCryptoOp op)
{
  switch (op)
    {
    case CACHET_CRYPTO_OP_ENCRYPT: return "encrypt";
    case CACHET_CRYPTO_OP_DECRYPT: return "decrypt";
    case CACHET_CRYPTO_OP_SIGN: return "sign";
    case CACHET_CRYPTO_OP_VERIFY: return "verify";
    case CACHET_CRYPTO_OP_KEY_LOOKUP: return "key lookup";
    case CACHET_CRYPTO_OP_KEY_IMPORT: return "key import";
    default: return "?";
    }
}

static gboolean
op_present (const CachetCryptoOps *ops,
            CachetCryptoOp         op)
{
  switch (op)
    {
    case CACHET_CRYPTO_OP_ENCRYPT: return ops->encrypt != NULL;
    case CACHET_CRYPTO_OP_DECRYPT: return ops->decrypt != NULL;
    case CACHET_CRYPTO_OP_SIGN: return ops->sign != NULL;
    case CACHET_CRYPTO_OP_VERIFY: return ops->verify != NULL;
    case CACHET_CRYPTO_OP_KEY_LOOKUP: return ops->key_lookup != NULL;
    case CACHET_CRYPTO_OP_KEY_IMPORT: return ops->key_import != NULL;
    default: return FALSE;
    }
}

static void
set_status_error (CachetCryptoCall  *call,
                  int32_t            status,
                  GError           **error)
{
  const char *fallback;
  int code;

  switch (status)
    {
    case CACHET_CRYPTO_STATUS_CANCELLED:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The operation was cancelled."));
      return;
    case CACHET_CRYPTO_STATUS_UNSUPPORTED:
      code = CACHET_CRYPTO_CALL_ERROR_UNSUPPORTED;
      fallback = _("The encryption plugin cannot do this.");
      break;
    case CACHET_CRYPTO_STATUS_NO_KEY:
      code = CACHET_CRYPTO_CALL_ERROR_NO_KEY;
      fallback = _("No usable key was found.");
      break;
    case CACHET_CRYPTO_STATUS_BAD_PASSPHRASE:
      code = CACHET_CRYPTO_CALL_ERROR_BAD_PASSPHRASE;
      fallback = _("The passphrase was wrong.");
      break;
    case CACHET_CRYPTO_STATUS_BAD_DATA:
      code = CACHET_CRYPTO_CALL_ERROR_BAD_DATA;
      fallback = _("The encrypted or signed data is damaged or not in a known format.");
      break;
    default:
      code = CACHET_CRYPTO_CALL_ERROR_FAILED;
      fallback = _("The encryption plugin failed.");
      break;
    }
  g_set_error_literal (error, CACHET_CRYPTO_CALL_ERROR, code,
                       call->user_message != NULL && call->user_message[0] != '\0'
                       ? call->user_message : fallback);
}

static int32_t
dispatch (CachetCryptoLoaded          *loaded,
          CachetCryptoCall            *call,
          const CachetCryptoParams    *params,
          const CachetCryptoInStream  *input,
          const CachetCryptoInStream  *signature,
          const CachetCryptoOutStream *output)
{
  const CachetCryptoOps *ops = &loaded->ops;
  CachetCryptoPlugin *plugin = loaded->plugin;
  CachetCryptoCall *handle = call->token;
  CachetCryptoResultSink *sink = call->token;

  switch (call->request->op)
    {
    case CACHET_CRYPTO_OP_ENCRYPT:
      return ops->encrypt (plugin, handle, params, input, output, sink);
    case CACHET_CRYPTO_OP_DECRYPT:
      return ops->decrypt (plugin, handle, params, input, output, sink);
    case CACHET_CRYPTO_OP_SIGN:
      return ops->sign (plugin, handle, params, input, output, sink);
    case CACHET_CRYPTO_OP_VERIFY:
      return ops->verify (plugin, handle, params, input, signature, output, sink);
    case CACHET_CRYPTO_OP_KEY_LOOKUP:
      return ops->key_lookup (plugin, handle, params, sink);
    case CACHET_CRYPTO_OP_KEY_IMPORT:
      return ops->key_import (plugin, handle, params, input, sink);
    default:
      return CACHET_CRYPTO_STATUS_UNSUPPORTED;
    }
}

CachetCryptoOutcome *
cachet_crypto_run (CachetCryptoLoaded         *loaded,
                   const CachetCryptoRequest  *request,
                   GError                    **error)
{
  CachetCryptoCall call = { 0 };
  CachetCryptoParams params = { 0 };
  InSide in_side = { 0 }, sig_side = { 0 };
  OutSide out_side = { 0 };
  CachetCryptoInStream input = { 0 }, signature = { 0 };
  CachetCryptoOutStream output = { 0 };
  gboolean serialize;
  int32_t status;
  CachetCryptoOutcome *outcome = NULL;

  g_return_val_if_fail (loaded != NULL && loaded->plugin != NULL, NULL);
  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!op_present (&loaded->ops, request->op))
    {
      g_set_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_UNSUPPORTED,
                   _("The plugin “%s” cannot %s."), loaded->info.name, op_name (request->op));
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (request->cancellable, error))
    return NULL;

  call.plugin_id = loaded->info.id;
  call.request = request;
  call.outcome = outcome_new ();
  call_register (&call);

  params.struct_size = sizeof params;
  params.flags = request->flags;
  params.protocol = request->protocol;
  params.recipients = request->recipients;
  params.n_recipients = request->recipients != NULL
                        ? g_strv_length ((char **) request->recipients) : 0;
  params.signer = request->signer;
  params.sender = request->sender;

  in_side = (InSide) { .call = &call, .stream = request->input };
  input = (CachetCryptoInStream) { sizeof input, &in_side, in_read };
  sig_side = (InSide) { .call = &call, .stream = request->signature };
  signature = (CachetCryptoInStream) { sizeof signature, &sig_side, in_read };
  out_side = (OutSide) { .call = &call, .stream = request->output };
  output = (CachetCryptoOutStream) { sizeof output, &out_side, out_write };

  serialize = (loaded->info.capabilities & CACHET_CRYPTO_CAP_SERIALIZE_CALLS) != 0;
  if (serialize)
    g_mutex_lock (&loaded->call_lock);
  status = dispatch (loaded, &call, &params,
                     request->input != NULL ? &input : NULL,
                     request->signature != NULL ? &signature : NULL,
                     request->output != NULL ? &output : NULL);
  if (serialize)
    g_mutex_unlock (&loaded->call_lock);

  /* The plugin is done with the call; nothing it kept may reach us now. */
  call_unregister (&call);
  wipe_passphrase (&call);

  if (g_cancellable_is_cancelled (request->cancellable))
    g_cancellable_set_error_if_cancelled (request->cancellable, error);
  else if (call.stream_error != NULL)
    g_propagate_error (error, g_steal_pointer (&call.stream_error));
  else if (status != CACHET_CRYPTO_STATUS_OK)
    set_status_error (&call, status, error);
  else
    outcome = g_steal_pointer (&call.outcome);

  g_clear_error (&call.stream_error);
  g_free (call.user_message);
  cachet_crypto_outcome_free (call.outcome);
  return outcome;
}

int
cachet_crypto_classify (CachetCryptoLoaded         *loaded,
                        const CachetCryptoPartInfo *part)
{
  CachetCryptoPartInfo local = { 0 };
  int32_t kind;

  g_return_val_if_fail (loaded != NULL && part != NULL, CACHET_CRYPTO_PART_NONE);

  if (loaded->ops.classify == NULL)
    return CACHET_CRYPTO_PART_NONE;
  memcpy (&local, part, MIN ((size_t) part->struct_size, sizeof local));
  local.struct_size = sizeof local;
  kind = loaded->ops.classify (loaded->plugin, &local);
  if (kind < CACHET_CRYPTO_PART_NONE || kind > CACHET_CRYPTO_PART_KEYS)
    return CACHET_CRYPTO_PART_NONE;
  return kind;
}
