/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A fixture plugin for the contract tests (suite plugins).  What it does
 * is chosen by params->signer, a mode word, and in several modes it
 * misbehaves on purpose.  Built twice: as is, and with CONTRACT_SERIALIZE
 * (it then claims CACHET_CRYPTO_CAP_SERIALIZE_CALLS and fails any call
 * that overlaps another). */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "cachet-crypto-plugin.h"

#ifdef CONTRACT_SERIALIZE
# define CONTRACT_ID "org.cachet.test.ContractSerial"
# define CONTRACT_CAPS CACHET_CRYPTO_CAP_SERIALIZE_CALLS
#else
# define CONTRACT_ID "org.cachet.test.Contract"
# define CONTRACT_CAPS 0u
#endif

#define CHUNK (64 * 1024)

struct CachetCryptoPlugin
{
  const CachetCryptoHostApi *api;
  CachetCryptoHost          *host;
  int                        in_call;      /* calls inside an op now */
  int                        max_in_call;  /* the most seen at once */
  CachetCryptoCall          *stashed;      /* a handle kept past its call */
  int                        arrived;      /* calls in mode "meet" so far */
};

static struct CachetCryptoPlugin the_plugin;

/* Structs from a newer header: one more member at the end, which the host
 * must not read.  A bad pointer, so reading it as a string crashes. */
typedef struct
{
  CachetCryptoSignature base;
  const char           *from_the_future;
} LongerSignature;

typedef struct
{
  CachetCryptoKey base;
  const char     *from_the_future;
} LongerKey;

#define POISON ((const char *) (uintptr_t) 0x10)

static int
mode_is (const CachetCryptoParams *params,
         const char               *mode)
{
  return params->signer != NULL && strcmp (params->signer, mode) == 0;
}

static const char *
first_recipient (const CachetCryptoParams *params)
{
  return params->n_recipients > 0 ? params->recipients[0] : NULL;
}

static void
enter (CachetCryptoPlugin *plugin)
{
  int now = __atomic_add_fetch (&plugin->in_call, 1, __ATOMIC_SEQ_CST);
  int max = __atomic_load_n (&plugin->max_in_call, __ATOMIC_SEQ_CST);

  while (now > max
         && !__atomic_compare_exchange_n (&plugin->max_in_call, &max, now, 0,
                                          __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
    ;
}

/* Non-zero when another call was inside at the same time. */
static int
leave (CachetCryptoPlugin *plugin)
{
  return __atomic_sub_fetch (&plugin->in_call, 1, __ATOMIC_SEQ_CST) != 0;
}

static int32_t
stream_failed (CachetCryptoPlugin *plugin,
               CachetCryptoCall   *call)
{
  return plugin->api->is_cancelled (call) ? CACHET_CRYPTO_STATUS_CANCELLED
                                          : CACHET_CRYPTO_STATUS_FAILED;
}

/* Reads INPUT to its end, XORs each byte with 0xa5 and writes OUTPUT, a
 * chunk at a time: its own inverse, so encrypt and decrypt are alike. */
static int32_t
xor_copy (CachetCryptoPlugin          *plugin,
          CachetCryptoCall            *call,
          const CachetCryptoInStream  *input,
          const CachetCryptoOutStream *output)
{
  unsigned char buf[CHUNK];
  int64_t n;

  if (input == NULL || output == NULL)
    return CACHET_CRYPTO_STATUS_FAILED;
  while ((n = input->read (input->user_data, buf, sizeof buf)) > 0)
    {
      if (n > (int64_t) sizeof buf)
        return CACHET_CRYPTO_STATUS_FAILED;
      for (int64_t i = 0; i < n; i++)
        buf[i] ^= 0xa5;
      for (int64_t done = 0; done < n;)
        {
          int64_t w = output->write (output->user_data, buf + done, (size_t) (n - done));
          if (w <= 0)
            return stream_failed (plugin, call);
          done += w;
        }
    }
  return n < 0 ? stream_failed (plugin, call) : CACHET_CRYPTO_STATUS_OK;
}

/* The usual op: tags the outcome with the first recipient (so a test can
 * tell whose outcome it got), copies, and under CONTRACT_SERIALIZE fails
 * if another call was inside at the same time. */
static int32_t
op_copy (CachetCryptoPlugin          *plugin,
         CachetCryptoCall            *call,
         const CachetCryptoParams    *params,
         const CachetCryptoInStream  *input,
         const CachetCryptoOutStream *output,
         CachetCryptoResultSink      *sink)
{
  const char *tag = first_recipient (params);
  struct timespec pause = { 0, 200 * 1000 };
  int32_t status;
  int overlapped;

  enter (plugin);
  if (tag != NULL)
    {
      CachetCryptoSignature sig = { sizeof sig };

      sig.status = CACHET_CRYPTO_SIG_GOOD;
      sig.validity = CACHET_CRYPTO_VALIDITY_FULL;
      sig.fingerprint = tag;
      plugin->api->set_result (sink, "micalg", tag);
      plugin->api->add_signature (sink, &sig);
    }
  /* Stay inside a little, so calls the host lets overlap do overlap. */
  nanosleep (&pause, NULL);
  status = xor_copy (plugin, call, input, output);
  overlapped = leave (plugin);
#ifdef CONTRACT_SERIALIZE
  if (overlapped)
    {
      plugin->api->set_error (call, CACHET_CRYPTO_STATUS_FAILED,
                              "Two calls overlapped.", NULL);
      return CACHET_CRYPTO_STATUS_FAILED;
    }
#else
  (void) overlapped;
#endif
  return status;
}

/* Asks for the passphrase "right" up to three times. */
static int32_t
op_passphrase (CachetCryptoPlugin          *plugin,
               CachetCryptoCall            *call,
               const CachetCryptoOutStream *output)
{
  for (int attempt = 0; attempt < 3; attempt++)
    {
      const char *passphrase = NULL;
      size_t length = 0;
      int32_t status = plugin->api->ask_passphrase (call, "KEY\xff" "1234",
                                                    "Unlock the test key", attempt > 0,
                                                    &passphrase, &length);

      if (status != CACHET_CRYPTO_STATUS_OK)
        return status;
      if (passphrase == NULL || strlen (passphrase) != length)
        return CACHET_CRYPTO_STATUS_FAILED;
      if (length == 5 && memcmp (passphrase, "right", 5) == 0)
        {
          if (output != NULL && output->write (output->user_data, "unlocked", 8) != 8)
            return stream_failed (plugin, call);
          return CACHET_CRYPTO_STATUS_OK;
        }
    }
  plugin->api->set_error (call, CACHET_CRYPTO_STATUS_BAD_PASSPHRASE,
                          "The passphrase was wrong three times.", "3 bad passphrases");
  return CACHET_CRYPTO_STATUS_BAD_PASSPHRASE;
}

/* Result values: known keys, unknown keys, NULLs, invalid UTF-8. */
static void
report_values (CachetCryptoPlugin     *plugin,
               CachetCryptoResultSink *sink)
{
  const CachetCryptoHostApi *api = plugin->api;

  api->set_result (sink, "micalg", "pgp-sha256");
  api->set_result (sink, "x-unknown-key", "ignored");
  api->set_result (sink, "MICALG", "wrong case");
  api->set_result (sink, "", "empty key");
  api->set_result (sink, NULL, "no key");
  api->set_result (sink, "protocol", NULL);
  api->set_result (sink, "content-type", "text/plain; name=\"caf\xe9\xff\"");
}

/* Signatures and keys with short, longer and odd structs. */
static void
report_structs (CachetCryptoPlugin     *plugin,
                CachetCryptoResultSink *sink)
{
  const CachetCryptoHostApi *api = plugin->api;
  CachetCryptoSignature sig = { sizeof sig };
  CachetCryptoKey key = { sizeof key };
  LongerSignature long_sig = { { sizeof long_sig } };
  LongerKey long_key = { { sizeof long_key } };

  /* Short: one byte less than the 1.0 size.  Ignored. */
  sig.struct_size = CACHET_CRYPTO_SIGNATURE_SIZE_1_0 - 1;
  sig.fingerprint = "SHORT";
  api->add_signature (sink, &sig);
  key.struct_size = CACHET_CRYPTO_KEY_SIZE_1_0 - 1;
  key.fingerprint = "SHORT";
  api->add_key (sink, &key);
  api->add_signature (sink, NULL);
  api->add_key (sink, NULL);

  /* Longer: read up to what the host knows, the tail ignored. */
  long_sig.base.status = CACHET_CRYPTO_SIG_BAD;
  long_sig.base.summary = CACHET_CRYPTO_SIG_SUMMARY_KEY_EXPIRED;
  long_sig.base.validity = CACHET_CRYPTO_VALIDITY_MARGINAL;
  long_sig.base.fingerprint = "LONG";
  long_sig.base.signer_uid = "Long <long@example.org>";
  long_sig.base.pubkey_algorithm = "ed25519";
  long_sig.base.hash_algorithm = "sha512";
  long_sig.base.created = 1700000000;
  long_sig.base.expires = 1800000000;
  long_sig.base.detail = "longer struct";
  long_sig.from_the_future = POISON;
  api->add_signature (sink, &long_sig.base);
  long_key.base.validity = CACHET_CRYPTO_VALIDITY_ULTIMATE;
  long_key.base.flags = CACHET_CRYPTO_KEY_CAN_SIGN | CACHET_CRYPTO_KEY_SECRET;
  long_key.base.fingerprint = "LONG";
  long_key.base.user_id = "Long <long@example.org>";
  long_key.base.address = "long@example.org";
  long_key.base.created = 1600000000;
  long_key.base.expires = 0;
  long_key.from_the_future = POISON;
  api->add_key (sink, &long_key.base);

  /* Unknown constants: read as SIG_ERROR and VALIDITY_UNKNOWN. */
  sig.struct_size = sizeof sig;
  sig.status = 77;
  sig.validity = 99;
  sig.fingerprint = "UNKNOWN";
  api->add_signature (sink, &sig);
  sig.status = -1;
  sig.validity = -3;
  sig.fingerprint = "NEGATIVE";
  api->add_signature (sink, &sig);
  key.struct_size = sizeof key;
  key.validity = 42;
  key.fingerprint = "UNKNOWN";
  api->add_key (sink, &key);

  /* Invalid UTF-8 everywhere: made valid. */
  sig.status = CACHET_CRYPTO_SIG_GOOD;
  sig.validity = CACHET_CRYPTO_VALIDITY_FULL;
  sig.fingerprint = "UTF8\xff";
  sig.signer_uid = "Jos\xe9 <jose@example.org>";
  sig.pubkey_algorithm = "\xc3";
  sig.hash_algorithm = "sha\x80";
  sig.detail = "bad \xed\xa0\x80 surrogate";
  api->add_signature (sink, &sig);
  key.validity = CACHET_CRYPTO_VALIDITY_FULL;
  key.fingerprint = "UTF8\xff";
  key.user_id = "Jos\xe9 <jose@example.org>";
  key.address = "jose@\xfe.example";
  api->add_key (sink, &key);
}

/* Every host function with NULL handles and NULL arguments. */
static void
call_with_nulls (CachetCryptoPlugin *plugin)
{
  const CachetCryptoHostApi *api = plugin->api;
  CachetCryptoSignature sig = { sizeof sig };
  CachetCryptoKey key = { sizeof key };
  const char *passphrase = "untouched";
  size_t length = 7;
  char buf[8];

  sig.fingerprint = "NULL";
  key.fingerprint = "NULL";
  api->log (NULL, CACHET_CRYPTO_LOG_WARNING, "no host");
  api->log (plugin->host, CACHET_CRYPTO_LOG_DEBUG, NULL);
  api->log (plugin->host, -7, "an unknown log level");
  api->set_error (NULL, CACHET_CRYPTO_STATUS_FAILED, "no call", "no call");
  (void) api->is_cancelled (NULL);
  (void) api->ask_passphrase (NULL, "hint", "text", 0, &passphrase, &length);
  api->progress (NULL, 1, 2);
  (void) api->plugin_data_dir (NULL, buf, sizeof buf);
  (void) api->plugin_data_dir (plugin->host, NULL, 0);
  (void) api->get_setting (NULL, "key", buf, sizeof buf);
  (void) api->get_setting (plugin->host, NULL, NULL, 0);
  api->add_signature (NULL, &sig);
  api->add_key (NULL, &key);
  api->set_result (NULL, "micalg", "null sink");
  api->secure_zero (NULL, 16);
}

/* The handle of a call that has ended, used in another call. */
static void
call_with_stale (CachetCryptoPlugin *plugin)
{
  const CachetCryptoHostApi *api = plugin->api;
  CachetCryptoCall *stale = plugin->stashed;
  CachetCryptoResultSink *stale_sink = (CachetCryptoResultSink *) plugin->stashed;
  CachetCryptoSignature sig = { sizeof sig };
  CachetCryptoKey key = { sizeof key };
  const char *passphrase = NULL;
  size_t length = 0;

  if (stale == NULL)
    return;
  sig.fingerprint = "STALE";
  key.fingerprint = "STALE";
  api->set_error (stale, CACHET_CRYPTO_STATUS_NO_KEY, "stale", "stale");
  (void) api->is_cancelled (stale);
  (void) api->ask_passphrase (stale, "hint", "stale", 0, &passphrase, &length);
  api->progress (stale, 1, 2);
  api->add_signature (stale_sink, &sig);
  api->add_key (stale_sink, &key);
  api->set_result (stale_sink, "micalg", "stale");
}

static int32_t
run_mode (CachetCryptoPlugin          *plugin,
          CachetCryptoCall            *call,
          const CachetCryptoParams    *params,
          const CachetCryptoInStream  *input,
          const CachetCryptoOutStream *output,
          CachetCryptoResultSink      *sink)
{
  if (params == NULL || params->struct_size < CACHET_CRYPTO_PARAMS_SIZE_1_0)
    return CACHET_CRYPTO_STATUS_FAILED;
  if (mode_is (params, "passphrase"))
    return op_passphrase (plugin, call, output);
  if (mode_is (params, "values"))
    {
      report_values (plugin, sink);
      return CACHET_CRYPTO_STATUS_OK;
    }
  if (mode_is (params, "structs"))
    {
      report_structs (plugin, sink);
      return CACHET_CRYPTO_STATUS_OK;
    }
  if (mode_is (params, "bad-status"))
    return 77;
  if (mode_is (params, "nulls"))
    {
      call_with_nulls (plugin);
      return op_copy (plugin, call, params, input, output, sink);
    }
  if (mode_is (params, "stash"))
    {
      plugin->stashed = call;
      return CACHET_CRYPTO_STATUS_OK;
    }
  if (mode_is (params, "stale"))
    {
      call_with_stale (plugin);
      return CACHET_CRYPTO_STATUS_OK;
    }
  if (mode_is (params, "meet"))
    {
      /* Waits (up to 10 s) for a second call to arrive: only possible if
       * the host runs the two at once. */
      struct timespec pause = { 0, 1000 * 1000 };
      CachetCryptoKey key = { sizeof key };

      __atomic_add_fetch (&plugin->arrived, 1, __ATOMIC_SEQ_CST);
      for (int i = 0; i < 10000 && __atomic_load_n (&plugin->arrived, __ATOMIC_SEQ_CST) < 2; i++)
        nanosleep (&pause, NULL);
      key.fingerprint = "MEET";
      key.created = __atomic_load_n (&plugin->arrived, __ATOMIC_SEQ_CST) >= 2;
      plugin->api->add_key (sink, &key);
      return CACHET_CRYPTO_STATUS_OK;
    }
  if (mode_is (params, "report"))
    {
      CachetCryptoKey key = { sizeof key };

      key.fingerprint = "REPORT";
      key.created = __atomic_load_n (&plugin->max_in_call, __ATOMIC_SEQ_CST);
      plugin->api->add_key (sink, &key);
      return CACHET_CRYPTO_STATUS_OK;
    }
  return op_copy (plugin, call, params, input, output, sink);
}

static int32_t
contract_encrypt (CachetCryptoPlugin          *plugin,
                  CachetCryptoCall            *call,
                  const CachetCryptoParams    *params,
                  const CachetCryptoInStream  *input,
                  const CachetCryptoOutStream *output,
                  CachetCryptoResultSink      *sink)
{
  return run_mode (plugin, call, params, input, output, sink);
}

static int32_t
contract_init (const CachetCryptoHostApi *api,
               CachetCryptoHost          *host,
               CachetCryptoPlugin       **plugin)
{
  if (api == NULL || api->struct_size < CACHET_CRYPTO_HOST_API_SIZE_1_0)
    return CACHET_CRYPTO_STATUS_FAILED;
  the_plugin.api = api;
  the_plugin.host = host;
  *plugin = &the_plugin;
  return CACHET_CRYPTO_STATUS_OK;
}

static void
contract_shutdown (CachetCryptoPlugin *plugin)
{
  memset (plugin, 0, sizeof *plugin);
}

static const CachetCryptoOps contract_ops = {
  .struct_size = sizeof (CachetCryptoOps),
  .encrypt = contract_encrypt,
  .decrypt = contract_encrypt,
};

static const char *const contract_protocols[] = { "contract", NULL };

static const CachetCryptoPluginInfo contract_info = {
  .magic = CACHET_CRYPTO_PLUGIN_MAGIC,
  .struct_size = sizeof (CachetCryptoPluginInfo),
  .abi_major = CACHET_CRYPTO_ABI_MAJOR,
  .abi_minor_built = CACHET_CRYPTO_ABI_MINOR,
  .abi_minor_required = 0,
  .capabilities = CACHET_CRYPTO_CAP_ENCRYPT | CACHET_CRYPTO_CAP_DECRYPT | CONTRACT_CAPS,
  .id = CONTRACT_ID,
  .name = "Contract test plugin",
  .version = "1.0",
  .license = "GPL-3.0-or-later",
  .protocols = contract_protocols,
  .init = contract_init,
  .shutdown = contract_shutdown,
  .ops = &contract_ops,
};

const CachetCryptoPluginInfo *
cachet_crypto_plugin_v1 (void)
{
  return &contract_info;
}
