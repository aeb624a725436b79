/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Collects MIME parameters (Content-Type, Content-Disposition) as libetpan hands them over,
 * as raw name/value pairs, and joins RFC 2231 continuations ("name*0*=", "name*1="),
 * charset/language and percent-encoding.  Values without RFC 2231 are RFC 2047 decoded too
 * (a common non-standard form: name="=?UTF-8?B?...?=").  Names are lower case. */
typedef struct _CachetMimeParams CachetMimeParams;

CachetMimeParams *cachet_mime_params_new     (void);
void              cachet_mime_params_add_raw (CachetMimeParams *params,
                                              const char       *name,
                                              const char       *value);
/* Returns (name -> UTF-8 value), owned by the caller. */
GHashTable       *cachet_mime_params_finish  (CachetMimeParams *params);
void              cachet_mime_params_free    (CachetMimeParams *params);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetMimeParams, cachet_mime_params_free)

G_END_DECLS
