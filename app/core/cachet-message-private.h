/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-message.h"

G_BEGIN_DECLS

/* Shared by cachet-message.c (parsing) and cachet-message-body.c (what the viewer shows). */
struct _CachetMessage
{
  GObject     parent_instance;

  GBytes     *bytes;
  GPtrArray  *headers;       /* CachetHeaderField */
  char       *subject;
  GPtrArray  *from;
  GPtrArray  *sender;
  GPtrArray  *reply_to;
  GPtrArray  *to;
  GPtrArray  *cc;
  GPtrArray  *bcc;
  GDateTime  *date;
  char       *message_id;
  char       *in_reply_to;
  GStrv       references;
  CachetPart *root;
  GPtrArray  *warnings;      /* char* */
  gboolean    raw;

  GPtrArray  *body_parts;    /* lazily: CachetPart */
  GPtrArray  *attachments;
  char       *body_text;
};

/* Adds @text (taken) to the message's warnings unless it is there already. */
void        _cachet_message_add_warning     (CachetMessage *self,
                                             char          *text);
/* The raw value of the first header field @name (CachetHeaderField list), or NULL. */
const char *_cachet_message_find_raw_header (GPtrArray     *headers,
                                             const char    *name);

G_END_DECLS
