/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cachet-crypto-mime.h"

G_BEGIN_DECLS

/* Shared by the cachet-crypto-mime-*.c files.  Everything here works on
 * raw bytes with CRLF line ends (see _cachet_crypto_mime_to_crlf): the
 * host must see a signed part exactly as it was received, which a parser
 * that rebuilds MIME would not give. */

/* ------------------------------------------------------------------------ */
/* What each protocol's MIME looks like (RFC 3156, RFC 8551)               */

typedef struct
{
  const char         *protocol;              /* "openpgp", "smime": what plugins claim */
  const char         *display_name;          /* "OpenPGP", "S/MIME" */
  /* multipart/signed: its protocol parameter = the signature part's type */
  const char         *signature_type;
  const char *const  *signature_aliases;     /* older names that read the same */
  const char         *signature_filename;
  const char         *signature_description;
  gboolean            binary;                /* the plugin's output is binary: base64 it */
  const char         *micalg_prefix;         /* micalg values start so ("pgp-"), or NULL */
  /* Encrypted form: multipart/encrypted with a version part (RFC 3156)
   * when ENCRYPTED_PROTOCOL is set, else one application part (RFC 8551). */
  const char         *encrypted_protocol;    /* "application/pgp-encrypted" or NULL */
  const char         *encrypted_type;        /* the part holding the data */
  const char *const  *encrypted_aliases;
  const char         *encrypted_params;      /* extra Content-Type parameters */
  const char         *encrypted_filename;
  const char         *encrypted_description;
  const char         *encrypted_disposition;
  /* Sign and encrypt in one plugin call (RFC 3156 6.2) rather than
   * encrypting a multipart/signed entity (RFC 3156 6.1, RFC 8551 3.7). */
  gboolean            combined_sign_encrypt;
  /* Not a row of the table: a protocol only a plugin knows, labelled by
   * its classify op (reading) and its content-type / protocol results
   * (sealing), in the generic RFC 1847 form. */
  gboolean            generic;
} CachetCryptoMimeProtocol;

/* A generic protocol record and the strings it points to. */
typedef struct
{
  CachetCryptoMimeProtocol proto;
  char                    *protocol;
  char                    *display_name;
  char                    *signature_type;
  char                    *encrypted_protocol;
} CachetCryptoMimeGeneric;

void _cachet_crypto_mime_generic_clear (CachetCryptoMimeGeneric *generic);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CachetCryptoMimeGeneric, _cachet_crypto_mime_generic_clear)
/* Fills GENERIC for PROTOCOL as LOADED speaks it; types left NULL. */
void _cachet_crypto_mime_generic_init  (CachetCryptoMimeGeneric  *generic,
                                        const CachetCryptoLoaded *loaded,
                                        const char               *protocol);
/* TRUE when TYPE is a plain "type/subtype" token, safe to put in a header. */
gboolean _cachet_crypto_mime_is_type_token (const char *type);

/* NULL (meaning "openpgp") or a name. */
const CachetCryptoMimeProtocol *_cachet_crypto_mime_protocol_by_name      (const char *protocol);
/* By the protocol parameter of a multipart/signed. */
const CachetCryptoMimeProtocol *_cachet_crypto_mime_protocol_by_signature (const char *type);
/* By the protocol parameter of a multipart/encrypted. */
const CachetCryptoMimeProtocol *_cachet_crypto_mime_protocol_by_encrypted_protocol (const char *type);
/* By the type of a single encrypted part (application/pkcs7-mime). */
const CachetCryptoMimeProtocol *_cachet_crypto_mime_protocol_by_encrypted_type (const char *type);
gboolean _cachet_crypto_mime_type_is (const char        *type,
                                      const char        *name,
                                      const char *const *aliases);

/* ------------------------------------------------------------------------ */
/* Raw MIME entities                                                        */

typedef struct
{
  char  *name;          /* as written */
  char  *value;         /* unfolded, raw (not RFC 2047 decoded) */
  gsize  offset;        /* of the whole field (with its folded lines and line end) */
  gsize  length;
} CachetMimeField;

typedef struct
{
  const char *data;     /* borrowed: headers, blank line, body */
  gsize       length;
  GPtrArray  *fields;   /* CachetMimeField */
  gsize       body_offset;
  char       *type;     /* "type/subtype", lower case; text/plain when missing or broken */
  GHashTable *params;   /* lower-case name -> value */
  char       *encoding; /* lower case Content-Transfer-Encoding, or NULL */
  gboolean    has_headers;
} CachetMimeEntity;

CachetMimeEntity *_cachet_mime_entity_parse (const char *data,
                                             gsize       length);
void              _cachet_mime_entity_free  (CachetMimeEntity *entity);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetMimeEntity, _cachet_mime_entity_free)

const char *_cachet_mime_entity_param  (const CachetMimeEntity *entity,
                                        const char             *name);
const char *_cachet_mime_entity_header (const CachetMimeEntity *entity,
                                        const char             *name);
static inline const char *
_cachet_mime_entity_body (const CachetMimeEntity *entity, gsize *length)
{
  *length = entity->length - entity->body_offset;
  return entity->data + entity->body_offset;
}
/* Appends FIELD of ENTITY as written, ending in CRLF. */
void     _cachet_mime_append_field (GByteArray             *out,
                                    const CachetMimeEntity *entity,
                                    const CachetMimeField  *field);
/* TRUE for Content-* fields: they belong to the entity, the others to the message. */
gboolean _cachet_mime_field_is_content (const CachetMimeField *field);
/* The body with its transfer encoding removed. */
GBytes  *_cachet_mime_entity_decode (const CachetMimeEntity *entity);

/* Parses "type/subtype; a=b; c="d"" into a lower-case type and parameters. */
char *_cachet_mime_parse_content_type (const char  *value,
                                       GHashTable **params);

/* One body part of a multipart: where its bytes lie in the multipart's data. */
typedef struct
{
  gsize offset;
  gsize length;
} CachetMimeSpan;

/* The body parts of a multipart entity (CachetMimeSpan, offsets into
 * ENTITY->data), without the CRLF before each delimiter (it belongs to the
 * delimiter, RFC 2046 5.1.1).  *CLOSED says the close delimiter was seen. */
GArray *_cachet_mime_split (const CachetMimeEntity *entity,
                            gboolean               *closed);

/* ------------------------------------------------------------------------ */
/* Bytes                                                                    */

/* Every line end made CRLF (a lone LF becomes CRLF; a lone CR stays). */
GByteArray *_cachet_crypto_mime_to_crlf (const char *data,
                                         gsize       length);
/* TRUE when the first line end of DATA is a lone LF. */
gboolean    _cachet_crypto_mime_uses_lf (const char *data,
                                         gsize       length);
/* CRLF made LF when LF is TRUE; takes ARRAY. */
GBytes     *_cachet_crypto_mime_finish  (GByteArray *array,
                                         gboolean    lf);
/* A boundary found nowhere in DATA. */
char       *_cachet_crypto_mime_boundary (const char *data,
                                          gsize       length);
char       *_cachet_crypto_mime_qp_encode (const guint8 *data,
                                           gsize         length);
char       *_cachet_crypto_mime_base64_encode (const guint8 *data,
                                               gsize         length);
gboolean    _cachet_crypto_mime_memmem (const char *haystack,
                                        gsize       length,
                                        const char *needle);
void        _cachet_crypto_mime_append (GByteArray *array,
                                        const char *text);

/* Makes ENTITY (CRLF) safe to sign: 8bit and binary parts, long lines,
 * white space before a line end and "From " at a line start re-encoded as
 * quoted-printable (text) or base64; returns the new entity (CRLF). */
GByteArray *_cachet_crypto_mime_make_7bit (const char *data,
                                           gsize       length,
                                           guint       depth);

/* ------------------------------------------------------------------------ */
/* Plugins                                                                  */

/* A loaded plugin for PROTOCOL with CAPABILITIES, or NULL with a
 * CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN error. */
CachetCryptoLoaded *_cachet_crypto_mime_find_plugin (CachetCryptoRegistry           *registry,
                                                     const CachetCryptoMimeProtocol *protocol,
                                                     guint32                         capabilities,
                                                     GError                        **error);
/* Runs REQUEST (its streams filled in here) with INPUT and SIGNATURE (may
 * be NULL); returns what the plugin wrote (empty when WANT_OUTPUT is
 * FALSE) and *OUTCOME, or NULL with ERROR. */
GBytes *_cachet_crypto_mime_run (CachetCryptoLoaded   *loaded,
                                 CachetCryptoRequest  *request,
                                 GBytes               *input,
                                 GBytes               *signature,
                                 gboolean              want_output,
                                 CachetCryptoOutcome **outcome,
                                 GError              **error);
/* "alice@example.org" out of "Alice <alice@example.org>", or a copy. */
char *_cachet_crypto_mime_bare_address (const char *text);

/* ------------------------------------------------------------------------ */
/* Opening (cachet-crypto-mime-open.c, -inline.c)                           */

/* One cachet_crypto_open: what it found so far. */
typedef struct
{
  CachetCryptoRegistry          *registry;
  const CachetCryptoOpenOptions *options;
  CachetCryptoOpened            *opened;
  GError                        *error;       /* only cancellation */
  gboolean                       uncovered;   /* content outside any encryption or signature */
  char                          *sender;      /* the From: address, passed to plugins so they
                                               * can name the matching user ID of a signer */
} CachetCryptoMimeWalk;

/* Adds a sentence to OPENED's problem (made valid UTF-8). */
void    _cachet_mime_walk_problem  (CachetCryptoMimeWalk           *w,
                                    const char                     *text);
void    _cachet_mime_walk_protocol (CachetCryptoMimeWalk           *w,
                                    const CachetCryptoMimeProtocol *proto);
/* Runs OP of PROTO's plugin on INPUT; signatures go to OPENED.  NULL on
 * trouble (a problem added, or W->error set when cancelled). */
GBytes *_cachet_mime_walk_run      (CachetCryptoMimeWalk           *w,
                                    const CachetCryptoMimeProtocol *proto,
                                    CachetCryptoOp                  op,
                                    guint32                         flags,
                                    GBytes                         *input,
                                    GBytes                         *signature,
                                    gboolean                        want_output);
/* The content fields of ENTITY, as written, but those named in SKIP. */
void     _cachet_crypto_mime_append_content_fields (GByteArray             *out,
                                                    const CachetMimeEntity *entity,
                                                    const char *const      *skip);
gboolean _cachet_crypto_mime_is_blank (const char *data,
                                       gsize       length);
/* A text/plain part with inline PGP blocks opened, or NULL when it stays. */
GByteArray *_cachet_crypto_mime_open_inline (CachetCryptoMimeWalk *w,
                                             CachetMimeEntity     *entity,
                                             gboolean              covered);

/* Nesting deeper than this is refused. */
#define CACHET_CRYPTO_MIME_MAX_DEPTH 32

G_END_DECLS
