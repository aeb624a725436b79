/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-part.h"

G_BEGIN_DECLS

typedef struct
{
  char *name;
  char *raw_value;   /* as written, folded */
  char *value;       /* unfolded, RFC 2047 decoded, UTF-8 */
} CachetHeaderField;

void cachet_header_field_free (CachetHeaderField *field);

struct _CachetPart
{
  gatomicrefcount ref;
  CachetPartKind  kind;

  GBytes     *raw;            /* the bytes the offsets below refer to */
  gsize       body_offset;    /* encoded body (single) or embedded message (message) */
  gsize       body_length;
  int         encoding;       /* MAILMIME_MECHANISM_* */
  char       *encoding_name;

  char       *mime_type;      /* "type/subtype", lower case */
  char       *charset;
  GHashTable *params;         /* Content-Type parameters, decoded */
  char       *disposition;
  GHashTable *disp_params;
  char       *filename;
  char       *content_id;
  char       *description;
  char       *path;

  GPtrArray  *children;       /* CachetPart */
  CachetPart *parent;         /* weak */

  GPtrArray  *headers;        /* message parts: the embedded message's CachetHeaderField */
  GBytes     *decoded;        /* cache */
};

CachetPart *_cachet_part_new        (CachetPartKind kind,
                                     GBytes        *raw);
void        _cachet_part_add_child  (CachetPart    *parent,
                                     CachetPart    *child);
char       *_cachet_part_safe_filename (const char *name);
/* Message parts: first embedded header of that name, decoded, or NULL. */
const char *_cachet_part_get_header (CachetPart    *part,
                                     const char    *name);

G_END_DECLS
