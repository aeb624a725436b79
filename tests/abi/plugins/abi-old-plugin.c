/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A plugin as it was built against the 1.0 header: it sees only the frozen
 * copy (names prefixed), so it knows nothing added since.  It implements
 * every op with toy "crypto" (XOR and a checksum) so that test-abi-old-
 * plugin can run the whole op matrix through today's host.
 *
 * With OLD_LONGER_INFO its info and ops tables are longer than 1.0's, as
 * if from a later 1.x header, with bad pointers in the tails: the host must
 * ignore them.  It still requires only 1.0. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachet-crypto-plugin-1.0.h"

typedef Frozen10CachetCryptoPlugin Plugin;
typedef Frozen10CachetCryptoCall Call;
typedef Frozen10CachetCryptoResultSink Sink;
typedef Frozen10CachetCryptoParams Params;
typedef Frozen10CachetCryptoInStream InStream;
typedef Frozen10CachetCryptoOutStream OutStream;

#define OK          FROZEN10_CACHET_CRYPTO_STATUS_OK
#define FAILED      FROZEN10_CACHET_CRYPTO_STATUS_FAILED
#define CANCELLED   FROZEN10_CACHET_CRYPTO_STATUS_CANCELLED
#define NO_KEY      FROZEN10_CACHET_CRYPTO_STATUS_NO_KEY
#define BAD_PASS    FROZEN10_CACHET_CRYPTO_STATUS_BAD_PASSPHRASE
#define BAD_DATA    FROZEN10_CACHET_CRYPTO_STATUS_BAD_DATA

#define XOR_KEY 0x3c
#define LOCKED_SIGNER "locked@example.org"

struct Frozen10CachetCryptoPlugin
{
  const Frozen10CachetCryptoHostApi *api;
  Frozen10CachetCryptoHost          *host;
};

static struct Frozen10CachetCryptoPlugin the_plugin;

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

typedef struct
{
  char   *data;
  size_t  len;
} Buffer;

/* Reads all of INPUT (a fixture may buffer; a real plugin streams). */
static int
read_all (const InStream *input,
          Buffer         *buf)
{
  size_t cap = 4096;
  int64_t n;

  buf->len = 0;
  buf->data = malloc (cap + 1);
  if (buf->data == NULL || input == NULL)
    return -1;
  for (;;)
    {
      if (cap - buf->len < 1024)
        {
          char *bigger = realloc (buf->data, cap * 2 + 1);
          if (bigger == NULL)
            return -1;
          buf->data = bigger;
          cap *= 2;
        }
      n = input->read (input->user_data, buf->data + buf->len, cap - buf->len);
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      buf->len += (size_t) n;
    }
  buf->data[buf->len] = '\0';
  return 0;
}

static int
write_all (const OutStream *output,
           const void      *data,
           size_t           len)
{
  const char *p = data;

  if (output == NULL)
    return -1;
  while (len > 0)
    {
      int64_t n = output->write (output->user_data, p, len);
      if (n <= 0)
        return -1;
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

static int
write_str (const OutStream *output,
           const char      *text)
{
  return write_all (output, text, strlen (text));
}

/* FNV-1a, 32 bits: a checksum, not a signature. */
static uint32_t
checksum (const char *data,
          size_t      len)
{
  uint32_t h = 2166136261u;

  for (size_t i = 0; i < len; i++)
    {
      h ^= (unsigned char) data[i];
      h *= 16777619u;
    }
  return h;
}

static void
report_signature (Plugin     *plugin,
                  Sink       *sink,
                  const char *signer,
                  int         good)
{
  Frozen10CachetCryptoSignature sig = { sizeof sig };
  char fingerprint[160];

  snprintf (fingerprint, sizeof fingerprint, "OLD10-%s", signer);
  sig.status = good ? FROZEN10_CACHET_CRYPTO_SIG_GOOD : FROZEN10_CACHET_CRYPTO_SIG_BAD;
  sig.summary = good ? FROZEN10_CACHET_CRYPTO_SIG_SUMMARY_VALID : 0;
  sig.validity = FROZEN10_CACHET_CRYPTO_VALIDITY_FULL;
  sig.fingerprint = fingerprint;
  sig.signer_uid = signer;
  sig.pubkey_algorithm = "old-xor";
  sig.hash_algorithm = "old-fnv";
  sig.created = 1500000000;
  sig.expires = 0;
  sig.detail = good ? "checksum matches" : "checksum differs";
  plugin->api->add_signature (sink, &sig);
}

static int32_t
fail (Plugin     *plugin,
      Call       *call,
      int32_t     status,
      const char *message)
{
  plugin->api->set_error (call, status, message, message);
  return status;
}

/* The passphrase for LOCKED_SIGNER is "open sesame". */
static int32_t
unlock (Plugin     *plugin,
        Call       *call,
        const char *signer)
{
  const char *passphrase = NULL;
  size_t length = 0;
  int32_t status;

  if (signer == NULL || strcmp (signer, LOCKED_SIGNER) != 0)
    return OK;
  status = plugin->api->ask_passphrase (call, "OLD10-" LOCKED_SIGNER, "Unlock the old key",
                                        0, &passphrase, &length);
  if (status != OK)
    return status;
  if (length != 11 || memcmp (passphrase, "open sesame", 11) != 0)
    return fail (plugin, call, BAD_PASS, "The old key stays locked.");
  return OK;
}

/* ------------------------------------------------------------------------ */
/* Ops                                                                      */

static int32_t
old_classify (Plugin                             *plugin,
              const Frozen10CachetCryptoPartInfo *part)
{
  if (part == NULL || part->struct_size < FROZEN10_CACHET_CRYPTO_PART_INFO_SIZE_1_0
      || part->content_type == NULL)
    return FROZEN10_CACHET_CRYPTO_PART_NONE;
  if (strcmp (part->content_type, "multipart/encrypted") == 0 && part->protocol != NULL
      && strcmp (part->protocol, "application/x-old10-encrypted") == 0)
    return FROZEN10_CACHET_CRYPTO_PART_ENCRYPTED;
  if (strcmp (part->content_type, "multipart/signed") == 0 && part->protocol != NULL
      && strcmp (part->protocol, "application/x-old10-signature") == 0)
    return FROZEN10_CACHET_CRYPTO_PART_SIGNED;
  if (strcmp (part->content_type, "application/x-old10-signature") == 0)
    return FROZEN10_CACHET_CRYPTO_PART_SIGNATURE;
  if (strcmp (part->content_type, "application/x-old10-keys") == 0)
    return FROZEN10_CACHET_CRYPTO_PART_KEYS;
  return FROZEN10_CACHET_CRYPTO_PART_NONE;
}

/* "OLD1\nto=A,B\nby=SIGNER or -\n" then the text XORed. */
static int32_t
old_encrypt (Plugin          *plugin,
             Call            *call,
             const Params    *params,
             const InStream  *input,
             const OutStream *output,
             Sink            *sink)
{
  int sign = (params->flags & FROZEN10_CACHET_CRYPTO_FLAG_ALSO_SIGN) != 0;
  Buffer text;
  int32_t status;

  if (params->n_recipients == 0)
    return fail (plugin, call, NO_KEY, "Nobody to encrypt to.");
  if (sign && (status = unlock (plugin, call, params->signer)) != OK)
    return status;
  if (read_all (input, &text) < 0)
    {
      free (text.data);
      return FAILED;
    }
  status = write_str (output, "OLD1\nto=");
  for (size_t i = 0; status == 0 && i < params->n_recipients; i++)
    status = write_str (output, params->recipients[i])
             || (i + 1 < params->n_recipients && write_str (output, ","));
  if (status == 0)
    status = write_str (output, "\nby=")
             || write_str (output, sign && params->signer != NULL ? params->signer : "-")
             || write_str (output, "\n");
  for (size_t i = 0; i < text.len; i++)
    text.data[i] ^= XOR_KEY;
  if (status == 0)
    status = write_all (output, text.data, text.len);
  free (text.data);
  if (status != 0)
    return FAILED;
  plugin->api->set_result (sink, "content-type", "application/x-old10-encrypted");
  return OK;
}

static int32_t
old_decrypt (Plugin          *plugin,
             Call            *call,
             const Params    *params,
             const InStream  *input,
             const OutStream *output,
             Sink            *sink)
{
  Buffer data;
  char *to, *by, *body;
  int32_t status = OK;

  if (read_all (input, &data) < 0)
    {
      free (data.data);
      return FAILED;
    }
  to = strncmp (data.data, "OLD1\nto=", 8) == 0 ? data.data + 8 : NULL;
  by = to != NULL ? strstr (to, "\nby=") : NULL;
  body = by != NULL ? strchr (by + 1, '\n') : NULL;
  if (body == NULL)
    {
      free (data.data);
      return fail (plugin, call, BAD_DATA, "This is not an old-1.0 message.");
    }
  *by = '\0';
  by += 4;
  *body++ = '\0';
  for (char *p = body; p < data.data + data.len; p++)
    *p ^= XOR_KEY;
  if (write_all (output, body, (size_t) (data.data + data.len - body)) < 0)
    status = FAILED;
  else if (strcmp (by, "-") != 0)
    report_signature (plugin, sink, by, 1);
  free (data.data);
  return status;
}

/* Detached: "OLDSIG SIGNER HEX\n".  Opaque: "OLDSIGNED SIGNER HEX\n" then
 * the text. */
static int32_t
old_sign (Plugin          *plugin,
          Call            *call,
          const Params    *params,
          const InStream  *input,
          const OutStream *output,
          Sink            *sink)
{
  int opaque = (params->flags & FROZEN10_CACHET_CRYPTO_FLAG_OPAQUE) != 0;
  char line[256];
  Buffer text;
  int32_t status;

  if (params->signer == NULL)
    return fail (plugin, call, NO_KEY, "No signer.");
  if ((status = unlock (plugin, call, params->signer)) != OK)
    return status;
  if (read_all (input, &text) < 0)
    {
      free (text.data);
      return FAILED;
    }
  snprintf (line, sizeof line, "%s %s %08x\n", opaque ? "OLDSIGNED" : "OLDSIG",
            params->signer, (unsigned) checksum (text.data, text.len));
  status = write_str (output, line) == 0
           && (!opaque || write_all (output, text.data, text.len) == 0) ? OK : FAILED;
  free (text.data);
  if (status == OK)
    plugin->api->set_result (sink, "micalg", "pgp-old10");
  return status;
}

/* Parses "WORD SIGNER HEX\n" at the start of TEXT; returns what follows. */
static char *
parse_sig_line (char        *text,
                const char  *word,
                char       **signer,
                uint32_t    *sum)
{
  size_t n = strlen (word);
  char *space, *end;

  if (strncmp (text, word, n) != 0 || text[n] != ' ')
    return NULL;
  *signer = text + n + 1;
  space = strchr (*signer, ' ');
  end = space != NULL ? strchr (space, '\n') : NULL;
  if (end == NULL)
    return NULL;
  *space = '\0';
  *end = '\0';
  *sum = (uint32_t) strtoul (space + 1, NULL, 16);
  return end + 1;
}

static int32_t
old_verify (Plugin          *plugin,
            Call            *call,
            const Params    *params,
            const InStream  *input,
            const InStream  *signature,
            const OutStream *output,
            Sink            *sink)
{
  Buffer data = { 0 }, sig = { 0 };
  char *signer = NULL;
  char *text;
  uint32_t sum = 0;
  int32_t status = OK;

  if (read_all (input, &data) < 0 || (signature != NULL && read_all (signature, &sig) < 0))
    status = FAILED;
  else if (signature != NULL)
    {
      if (parse_sig_line (sig.data, "OLDSIG", &signer, &sum) == NULL)
        status = fail (plugin, call, BAD_DATA, "This is not an old-1.0 signature.");
      else
        report_signature (plugin, sink, signer, checksum (data.data, data.len) == sum);
    }
  else if ((text = parse_sig_line (data.data, "OLDSIGNED", &signer, &sum)) == NULL)
    status = fail (plugin, call, BAD_DATA, "This is not an old-1.0 signed message.");
  else
    {
      size_t len = (size_t) (data.data + data.len - text);

      if (write_all (output, text, len) < 0)
        status = FAILED;
      else
        report_signature (plugin, sink, signer, checksum (text, len) == sum);
    }
  free (data.data);
  free (sig.data);
  return status;
}

static void
report_key (Plugin     *plugin,
            Sink       *sink,
            const char *address,
            int32_t     validity)
{
  Frozen10CachetCryptoKey key = { sizeof key };
  char fingerprint[160], user_id[200];

  snprintf (fingerprint, sizeof fingerprint, "OLD10-%s", address);
  snprintf (user_id, sizeof user_id, "Old Key <%s>", address);
  key.validity = validity;
  key.flags = FROZEN10_CACHET_CRYPTO_KEY_CAN_ENCRYPT | FROZEN10_CACHET_CRYPTO_KEY_CAN_SIGN;
  key.fingerprint = fingerprint;
  key.user_id = user_id;
  key.address = address;
  key.created = 1400000000;
  key.expires = 1900000000;
  plugin->api->add_key (sink, &key);
}

static int32_t
old_key_lookup (Plugin       *plugin,
                Call         *call,
                const Params *params,
                Sink         *sink)
{
  for (size_t i = 0; i < params->n_recipients; i++)
    if (strncmp (params->recipients[i], "nobody@", 7) == 0)
      {
        char message[200];

        snprintf (message, sizeof message, "No key for %s.", params->recipients[i]);
        return fail (plugin, call, NO_KEY, message);
      }
  for (size_t i = 0; i < params->n_recipients; i++)
    report_key (plugin, sink, params->recipients[i], FROZEN10_CACHET_CRYPTO_VALIDITY_FULL);
  return OK;
}

/* "OLD10-KEYS\n" then one address a line. */
static int32_t
old_key_import (Plugin         *plugin,
                Call           *call,
                const Params   *params,
                const InStream *input,
                Sink           *sink)
{
  Buffer data;
  char *line, *next;

  if (read_all (input, &data) < 0)
    {
      free (data.data);
      return FAILED;
    }
  if (strncmp (data.data, "OLD10-KEYS\n", 11) != 0)
    {
      free (data.data);
      return fail (plugin, call, BAD_DATA, "No old-1.0 keys here.");
    }
  for (line = data.data + 11; *line != '\0'; line = next)
    {
      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';
      else
        next = line + strlen (line);
      if (*line != '\0')
        report_key (plugin, sink, line, FROZEN10_CACHET_CRYPTO_VALIDITY_UNKNOWN);
    }
  free (data.data);
  return OK;
}

/* ------------------------------------------------------------------------ */
/* Tables                                                                   */

static int32_t
old_init (const Frozen10CachetCryptoHostApi *api,
          Frozen10CachetCryptoHost          *host,
          Frozen10CachetCryptoPlugin       **plugin)
{
  if (api == NULL || api->struct_size < FROZEN10_CACHET_CRYPTO_HOST_API_SIZE_1_0)
    return FAILED;
  the_plugin.api = api;
  the_plugin.host = host;
  *plugin = &the_plugin;
  return OK;
}

static void
old_shutdown (Frozen10CachetCryptoPlugin *plugin)
{
  plugin->api = NULL;
}

/* Tables from a "later" header: the 1.0 table and a tail. */
typedef struct
{
  Frozen10CachetCryptoOps base;
#ifdef OLD_LONGER_INFO
  void                  (*from_the_future) (void);
#endif
} OldOps;

typedef struct
{
  Frozen10CachetCryptoPluginInfo base;
#ifdef OLD_LONGER_INFO
  const char                    *from_the_future;
  uint32_t                       more_capabilities;
#endif
} OldInfo;

#define POISON 0x10

static const OldOps old_ops = {
  .base = {
    .struct_size = sizeof (OldOps),
    .classify = old_classify,
    .encrypt = old_encrypt,
    .decrypt = old_decrypt,
    .sign = old_sign,
    .verify = old_verify,
    .key_lookup = old_key_lookup,
    .key_import = old_key_import,
  },
#ifdef OLD_LONGER_INFO
  .from_the_future = (void (*) (void)) (uintptr_t) POISON,
#endif
};

static const char *const old_protocols[] = { "old10", NULL };

static const OldInfo old_info = {
  .base = {
    .magic = FROZEN10_CACHET_CRYPTO_PLUGIN_MAGIC,
    .struct_size = sizeof (OldInfo),
    .abi_major = FROZEN10_CACHET_CRYPTO_ABI_MAJOR,
#ifdef OLD_LONGER_INFO
    .abi_minor_built = FROZEN10_CACHET_CRYPTO_ABI_MINOR + 7,
    .id = "org.cachet.test.Old10Longer",
#else
    .abi_minor_built = FROZEN10_CACHET_CRYPTO_ABI_MINOR,
    .id = "org.cachet.test.Old10",
#endif
    .abi_minor_required = FROZEN10_CACHET_CRYPTO_ABI_MINOR,
    .capabilities = FROZEN10_CACHET_CRYPTO_CAP_ENCRYPT | FROZEN10_CACHET_CRYPTO_CAP_DECRYPT
                    | FROZEN10_CACHET_CRYPTO_CAP_SIGN | FROZEN10_CACHET_CRYPTO_CAP_VERIFY
                    | FROZEN10_CACHET_CRYPTO_CAP_KEY_LOOKUP
                    | FROZEN10_CACHET_CRYPTO_CAP_KEY_IMPORT,
    .name = "Plugin built against ABI 1.0",
    .version = "1.0",
    .license = "GPL-3.0-or-later",
    .protocols = old_protocols,
    .init = old_init,
    .shutdown = old_shutdown,
    .ops = &old_ops.base,
  },
#ifdef OLD_LONGER_INFO
  .from_the_future = (const char *) (uintptr_t) POISON,
  .more_capabilities = 0xffffffffu,
#endif
};

__attribute__ ((visibility ("default"))) const Frozen10CachetCryptoPluginInfo *cachet_crypto_plugin_v1 (void);

const Frozen10CachetCryptoPluginInfo *
cachet_crypto_plugin_v1 (void)
{
  return &old_info.base;
}
