/* SPDX-License-Identifier: MIT */
/*
 * example-plugin.c — an example Cachet crypto plugin, and the place to
 * start writing your own.
 *
 *   *******************************************************************
 *   *  THIS PLUGIN IS NOT SECURE.  Its "encryption" is a XOR with a    *
 *   *  fixed key that is printed right here, and its "signature" is a  *
 *   *  checksum anyone can compute.  It exists to show how a plugin is *
 *   *  built and how it talks to Cachet, and so that a round trip      *
 *   *  through it means something in tests.  Never use it for mail.    *
 *   *******************************************************************
 *
 * What it shows:
 *
 *  - the one exported function, cachet_crypto_plugin_v1, returning static
 *    const info (no other code runs before init);
 *  - init / shutdown with plugin-owned state;
 *  - ops that stream: they read their input a buffer at a time and write
 *    as they go, so a 100 MB attachment never sits in memory;
 *  - errors for the user through set_error, cancellation through
 *    is_cancelled, results through set_result and add_signature;
 *  - reading a struct the host hands over: check struct_size, then use
 *    only members within it.
 *
 * Protocol "example".  Encrypt writes
 *
 *   -----BEGIN CACHET EXAMPLE MESSAGE-----
 *   <the bytes XORed with EXAMPLE_KEY, in hex, 64 digits a line>
 *   -----END CACHET EXAMPLE MESSAGE-----
 *
 * and decrypt reads it back.  Sign makes a detached "signature"
 *
 *   -----BEGIN CACHET EXAMPLE SIGNATURE-----
 *   Signer: <params->signer>
 *   Checksum: <FNV-1a 64 of the signed bytes, 16 hex digits>
 *   -----END CACHET EXAMPLE SIGNATURE-----
 *
 * and verify recomputes the checksum: equal is a "good" signature of an
 * unknown-validity signer, different is a bad one.
 *
 * Plain C99 and libc: a plugin needs no GLib (and must not assume the
 * host's).  Build it with the meson.build next to this file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cachet-crypto-plugin.h>

/* NOT SECRET: that is the point of this example. */
static const unsigned char EXAMPLE_KEY[] = "cachet-example-not-secret";
#define EXAMPLE_KEY_LEN (sizeof EXAMPLE_KEY - 1)

#define MESSAGE_BEGIN   "-----BEGIN CACHET EXAMPLE MESSAGE-----\n"
#define MESSAGE_END     "-----END CACHET EXAMPLE MESSAGE-----\n"
#define SIGNATURE_BEGIN "-----BEGIN CACHET EXAMPLE SIGNATURE-----\n"
#define SIGNATURE_END   "-----END CACHET EXAMPLE SIGNATURE-----\n"
#define MICALG          "x-example-fnv1a64"

#define BUFFER_SIZE 4096
#define HEX_PER_LINE 64
#define MAX_SIGNATURE 4096

/* Plugin-owned state: what init allocates and shutdown frees.  The host
 * hands this pointer back to every op. */
struct CachetCryptoPlugin
{
  const CachetCryptoHostApi *api;   /* valid from init until shutdown */
  CachetCryptoHost          *host;
};

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

/* Writes all of DATA; returns 0, or -1 if the host's stream failed (an
 * error or a cancellation: either way, stop). */
static int
write_all (const CachetCryptoOutStream *output,
           const void                  *data,
           size_t                       len)
{
  const unsigned char *p = data;

  while (len > 0)
    {
      int64_t n = output->write (output->user_data, p, len);

      if (n <= 0 || (uint64_t) n > len)
        return -1;
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

static int
write_text (const CachetCryptoOutStream *output,
            const char                  *text)
{
  return write_all (output, text, strlen (text));
}

/* The status for a stream that failed: the host's streams fail once the
 * user cancels, and Cachet then reports the cancellation itself. */
static int32_t
stream_failed (CachetCryptoPlugin *plugin,
               CachetCryptoCall   *call)
{
  if (plugin->api->is_cancelled (call))
    return CACHET_CRYPTO_STATUS_CANCELLED;
  return CACHET_CRYPTO_STATUS_FAILED;
}

static int32_t
fail (CachetCryptoPlugin *plugin,
      CachetCryptoCall   *call,
      int32_t             status,
      const char         *user_message)
{
  /* One sentence for the user; the host copies it. */
  plugin->api->set_error (call, status, user_message, NULL);
  return status;
}

/* The params struct comes from the host: a newer host may pass a longer
 * one (fine), never a shorter one than 1.0's, but check anyway. */
static int
params_ok (const CachetCryptoParams *params)
{
  return params != NULL && params->struct_size >= CACHET_CRYPTO_PARAMS_SIZE_1_0;
}

/* FNV-1a, 64 bits.  A checksum, NOT a signature. */
#define FNV_OFFSET UINT64_C (14695981039346656037)
#define FNV_PRIME  UINT64_C (1099511628211)

static uint64_t
fnv1a64 (uint64_t             hash,
         const unsigned char *data,
         size_t               len)
{
  for (size_t i = 0; i < len; i++)
    {
      hash ^= data[i];
      hash *= FNV_PRIME;
    }
  return hash;
}

static int
hex_value (int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* ------------------------------------------------------------------------ */
/* classify: which MIME parts are ours.  No I/O, no call handle.           */

static int32_t
example_classify (CachetCryptoPlugin         *plugin,
                  const CachetCryptoPartInfo *part)
{
  (void) plugin;
  if (part == NULL || part->struct_size < CACHET_CRYPTO_PART_INFO_SIZE_1_0
      || part->content_type == NULL)
    return CACHET_CRYPTO_PART_NONE;
  if (strcmp (part->content_type, "multipart/encrypted") == 0 && part->protocol != NULL
      && strcmp (part->protocol, "application/x-cachet-example") == 0)
    return CACHET_CRYPTO_PART_ENCRYPTED;
  if (strcmp (part->content_type, "multipart/signed") == 0 && part->protocol != NULL
      && strcmp (part->protocol, "application/x-cachet-example-signature") == 0)
    return CACHET_CRYPTO_PART_SIGNED;
  if (strcmp (part->content_type, "application/x-cachet-example-signature") == 0)
    return CACHET_CRYPTO_PART_SIGNATURE;
  return CACHET_CRYPTO_PART_NONE;
}

/* ------------------------------------------------------------------------ */
/* encrypt / decrypt                                                        */

static int32_t
example_encrypt (CachetCryptoPlugin          *plugin,
                 CachetCryptoCall            *call,
                 const CachetCryptoParams    *params,
                 const CachetCryptoInStream  *input,
                 const CachetCryptoOutStream *output,
                 CachetCryptoResultSink      *sink)
{
  static const char digits[] = "0123456789abcdef";
  unsigned char in[BUFFER_SIZE];
  /* Two hex digits a byte, plus a newline every HEX_PER_LINE digits. */
  char out[BUFFER_SIZE * 2 + BUFFER_SIZE * 2 / HEX_PER_LINE + 2];
  uint64_t offset = 0;
  int64_t n;

  (void) sink;
  if (!params_ok (params) || input == NULL || output == NULL)
    return CACHET_CRYPTO_STATUS_FAILED;
  /* A real plugin would look up params->recipients here and fail with
   * CACHET_CRYPTO_STATUS_NO_KEY, naming the recipient, if one has no
   * usable key.  This one has no keys at all. */

  if (write_text (output, MESSAGE_BEGIN) < 0)
    return stream_failed (plugin, call);
  while ((n = input->read (input->user_data, in, sizeof in)) > 0)
    {
      size_t len = 0;

      if ((uint64_t) n > sizeof in)
        return CACHET_CRYPTO_STATUS_FAILED;
      for (int64_t i = 0; i < n; i++, offset++)
        {
          unsigned char c = in[i] ^ EXAMPLE_KEY[offset % EXAMPLE_KEY_LEN];

          out[len++] = digits[c >> 4];
          out[len++] = digits[c & 0xf];
          if ((offset + 1) % (HEX_PER_LINE / 2) == 0)
            out[len++] = '\n';
        }
      if (write_all (output, out, len) < 0)
        return stream_failed (plugin, call);
      plugin->api->progress (call, offset, 0);
    }
  if (n < 0)
    return stream_failed (plugin, call);
  if ((offset % (HEX_PER_LINE / 2) != 0 && write_text (output, "\n") < 0)
      || write_text (output, MESSAGE_END) < 0)
    return stream_failed (plugin, call);

  /* Tells the host's MIME layer what to call the encrypted part. */
  plugin->api->set_result (sink, "content-type", "application/x-cachet-example");
  return CACHET_CRYPTO_STATUS_OK;
}

/* Decrypt as a small state machine over the input, a buffer at a time. */
enum { IN_BEGIN_LINE, IN_BODY, AT_END };

static int32_t
example_decrypt (CachetCryptoPlugin          *plugin,
                 CachetCryptoCall            *call,
                 const CachetCryptoParams    *params,
                 const CachetCryptoInStream  *input,
                 const CachetCryptoOutStream *output,
                 CachetCryptoResultSink      *sink)
{
  static const char begin[] = MESSAGE_BEGIN;
  unsigned char in[BUFFER_SIZE];
  unsigned char out[BUFFER_SIZE / 2 + 1];
  size_t begin_seen = 0;
  uint64_t offset = 0;
  int state = IN_BEGIN_LINE;
  int high = -1;
  int64_t n;

  (void) sink;
  if (!params_ok (params) || input == NULL || output == NULL)
    return CACHET_CRYPTO_STATUS_FAILED;

  while (state != AT_END && (n = input->read (input->user_data, in, sizeof in)) > 0)
    {
      size_t len = 0;

      if ((uint64_t) n > sizeof in)
        return CACHET_CRYPTO_STATUS_FAILED;
      for (int64_t i = 0; i < n && state != AT_END; i++)
        {
          int c = in[i];

          if (state == IN_BEGIN_LINE)
            {
              /* Mail may have turned "\n" into "\r\n", and put blank
               * lines before the armour. */
              if (c == '\r' || (c == '\n' && begin_seen == 0))
                continue;
              if (c != begin[begin_seen])
                return fail (plugin, call, CACHET_CRYPTO_STATUS_BAD_DATA,
                             "This is not a Cachet example message.");
              if (++begin_seen == sizeof begin - 1)
                state = IN_BODY;
            }
          else if (c == '-')
            {
              state = AT_END;   /* the END line; what follows is ignored */
            }
          else if (c == '\n' || c == '\r' || c == ' ' || c == '\t')
            {
              continue;
            }
          else if (hex_value (c) < 0)
            {
              return fail (plugin, call, CACHET_CRYPTO_STATUS_BAD_DATA,
                           "The example message is damaged.");
            }
          else if (high < 0)
            {
              high = hex_value (c);
            }
          else
            {
              out[len++] = (unsigned char) ((high << 4 | hex_value (c))
                                            ^ EXAMPLE_KEY[offset % EXAMPLE_KEY_LEN]);
              offset++;
              high = -1;
            }
        }
      if (write_all (output, out, len) < 0)
        return stream_failed (plugin, call);
    }
  if (state != AT_END)
    {
      if (plugin->api->is_cancelled (call))
        return CACHET_CRYPTO_STATUS_CANCELLED;
      return fail (plugin, call, CACHET_CRYPTO_STATUS_BAD_DATA,
                   "The example message is cut short.");
    }
  if (high >= 0)
    return fail (plugin, call, CACHET_CRYPTO_STATUS_BAD_DATA,
                 "The example message is damaged.");
  return CACHET_CRYPTO_STATUS_OK;
}

/* ------------------------------------------------------------------------ */
/* sign / verify                                                            */

/* Checksums all of INPUT into *HASH.  Returns 0 or -1. */
static int
checksum_stream (const CachetCryptoInStream *input,
                 uint64_t                   *hash)
{
  unsigned char buf[BUFFER_SIZE];
  int64_t n;

  *hash = FNV_OFFSET;
  while ((n = input->read (input->user_data, buf, sizeof buf)) > 0)
    {
      if ((uint64_t) n > sizeof buf)
        return -1;
      *hash = fnv1a64 (*hash, buf, (size_t) n);
    }
  return n < 0 ? -1 : 0;
}

static int32_t
example_sign (CachetCryptoPlugin          *plugin,
              CachetCryptoCall            *call,
              const CachetCryptoParams    *params,
              const CachetCryptoInStream  *input,
              const CachetCryptoOutStream *output,
              CachetCryptoResultSink      *sink)
{
  char text[600];
  uint64_t hash;

  if (!params_ok (params) || input == NULL || output == NULL)
    return CACHET_CRYPTO_STATUS_FAILED;
  if (params->flags & CACHET_CRYPTO_FLAG_OPAQUE)
    return fail (plugin, call, CACHET_CRYPTO_STATUS_UNSUPPORTED,
                 "The example plugin makes detached signatures only.");
  if (params->signer == NULL || params->signer[0] == '\0' || strlen (params->signer) > 256
      || strchr (params->signer, '\n') != NULL)
    return fail (plugin, call, CACHET_CRYPTO_STATUS_NO_KEY,
                 "The example plugin needs a signer to sign.");
  /* A real plugin would ask for the key's passphrase here, through
   * plugin->api->ask_passphrase, and wipe its copies with secure_zero. */

  if (checksum_stream (input, &hash) < 0)
    return stream_failed (plugin, call);
  snprintf (text, sizeof text, SIGNATURE_BEGIN "Signer: %s\nChecksum: %016llx\n" SIGNATURE_END,
            params->signer, (unsigned long long) hash);
  if (write_text (output, text) < 0)
    return stream_failed (plugin, call);

  /* The micalg parameter of the multipart/signed the host builds. */
  plugin->api->set_result (sink, "micalg", MICALG);
  return CACHET_CRYPTO_STATUS_OK;
}

/* Reads the whole (small) signature into BUF, NUL-terminated. */
static int
read_signature (const CachetCryptoInStream *signature,
                char                       *buf,
                size_t                      size)
{
  size_t len = 0;
  int64_t n;

  while ((n = signature->read (signature->user_data, buf + len, size - 1 - len)) > 0)
    {
      len += (size_t) n;
      if (len >= size - 1)
        return -1;   /* too long to be ours */
    }
  if (n < 0)
    return -1;
  buf[len] = '\0';
  /* Take "\r\n" line ends as "\n". */
  for (char *from = buf, *to = buf;; from++)
    {
      if (*from != '\r')
        *to++ = *from;
      if (*from == '\0')
        break;
    }
  return 0;
}

static int32_t
example_verify (CachetCryptoPlugin          *plugin,
                CachetCryptoCall            *call,
                const CachetCryptoParams    *params,
                const CachetCryptoInStream  *input,
                const CachetCryptoInStream  *signature,
                const CachetCryptoOutStream *output,
                CachetCryptoResultSink      *sink)
{
  char text[MAX_SIGNATURE];
  char signer[260];
  char fingerprint[300];
  unsigned long long claimed;
  uint64_t hash;
  const char *line;
  CachetCryptoSignature sig;

  (void) output;
  if (!params_ok (params) || input == NULL)
    return CACHET_CRYPTO_STATUS_FAILED;
  if (signature == NULL)
    return fail (plugin, call, CACHET_CRYPTO_STATUS_UNSUPPORTED,
                 "The example plugin checks detached signatures only.");
  if (read_signature (signature, text, sizeof text) < 0)
    {
      if (plugin->api->is_cancelled (call))
        return CACHET_CRYPTO_STATUS_CANCELLED;
      return fail (plugin, call, CACHET_CRYPTO_STATUS_BAD_DATA,
                   "This is not a Cachet example signature.");
    }
  line = strstr (text, "\nSigner: ");
  if (strncmp (text, SIGNATURE_BEGIN, strlen (SIGNATURE_BEGIN)) != 0 || line == NULL
      || sscanf (line, "\nSigner: %259[^\n]\nChecksum: %16llx", signer, &claimed) != 2)
    return fail (plugin, call, CACHET_CRYPTO_STATUS_BAD_DATA,
                 "This is not a Cachet example signature.");
  if (checksum_stream (input, &hash) < 0)
    return stream_failed (plugin, call);

  /* A bad signature is a result, not an error: report it and return OK.
   * Zero the struct, then set struct_size to the size you built with. */
  memset (&sig, 0, sizeof sig);
  sig.struct_size = sizeof sig;
  sig.status = hash == claimed ? CACHET_CRYPTO_SIG_GOOD : CACHET_CRYPTO_SIG_BAD;
  sig.summary = 0;                               /* never "valid": nothing is verified */
  sig.validity = CACHET_CRYPTO_VALIDITY_UNKNOWN; /* and nobody vouches for the signer */
  snprintf (fingerprint, sizeof fingerprint, "EXAMPLE:%s", signer);
  sig.fingerprint = fingerprint;
  sig.signer_uid = signer;
  sig.pubkey_algorithm = "none";
  sig.hash_algorithm = "fnv1a64";
  sig.detail = "A checksum made by the example plugin, not a real signature: "
               "anyone can make one.";
  plugin->api->add_signature (sink, &sig);   /* the host copies everything */
  return CACHET_CRYPTO_STATUS_OK;
}

/* ------------------------------------------------------------------------ */
/* init / shutdown                                                          */

static int32_t
example_init (const CachetCryptoHostApi *api,
              CachetCryptoHost          *host,
              CachetCryptoPlugin       **plugin_out)
{
  CachetCryptoPlugin *plugin;

  /* The host API table of a 1.0 host at least.  To call a function added
   * in a later minor, test it first: CACHET_CRYPTO_HOST_HAS (api, name). */
  if (api == NULL || api->struct_size < CACHET_CRYPTO_HOST_API_SIZE_1_0)
    return CACHET_CRYPTO_STATUS_FAILED;
  plugin = calloc (1, sizeof *plugin);
  if (plugin == NULL)
    return CACHET_CRYPTO_STATUS_FAILED;
  plugin->api = api;
  plugin->host = host;
  api->log (host, CACHET_CRYPTO_LOG_DEBUG, "example plugin started (NOT secure)");
  *plugin_out = plugin;
  return CACHET_CRYPTO_STATUS_OK;
}

static void
example_shutdown (CachetCryptoPlugin *plugin)
{
  free (plugin);
}

/* ------------------------------------------------------------------------ */
/* The tables and the entry point                                           */

static const CachetCryptoOps example_ops = {
  sizeof (CachetCryptoOps),
  example_classify,
  example_encrypt,
  example_decrypt,
  example_sign,
  example_verify,
  NULL,   /* key_lookup: this plugin has no keys */
  NULL,   /* key_import */
};

static const char *const example_protocols[] = { "example", NULL };

static const CachetCryptoPluginInfo example_info = {
  CACHET_CRYPTO_PLUGIN_MAGIC,
  sizeof (CachetCryptoPluginInfo),
  CACHET_CRYPTO_ABI_MAJOR,
  CACHET_CRYPTO_ABI_MINOR,   /* the header this was built with */
  0,                         /* the lowest host minor it needs: 1.0 */
  CACHET_CRYPTO_CAP_ENCRYPT | CACHET_CRYPTO_CAP_DECRYPT
  | CACHET_CRYPTO_CAP_SIGN | CACHET_CRYPTO_CAP_VERIFY,
  "org.cachet.Example",      /* unique, reverse-DNS */
  "Example (NOT secure)",
  "1.0",
  "MIT",
  "https://example.org/cachet-example-plugin",
  NULL,                      /* gettext domain: none */
  example_protocols,
  example_init,
  example_shutdown,
  &example_ops,
};

/* The one exported symbol.  Returns static data and runs no other code:
 * the host may call it in a helper process just to read the info. */
const CachetCryptoPluginInfo *
cachet_crypto_plugin_v1 (void)
{
  return &example_info;
}
