/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-message-view.h"

#include "cachet-crypto-mime.h"
#include "cachet-bounce.h"
#include "cachet-crypto-status.h"

G_BEGIN_DECLS

/* The view's parts: cachet-message-view.c loads and shows a message;
 * cachet-message-view-crypto.c opens an encrypted or signed one, fills the status bar above
 * it and offers attached keys for import. */
struct _CachetMessageView
{
  GtkStack             parent_instance;

  /* template */
  GtkLabel            *failed_label;
  GtkLabel            *subject_label;
  GtkLabel            *from_label;
  GtkWidget           *to_key;
  GtkLabel            *to_label;
  GtkWidget           *cc_key;
  GtkLabel            *cc_label;
  GtkWidget           *date_key;
  GtkLabel            *date_label;
  GtkInfoBar          *bounce_bar;
  GtkLabel            *bounce_label;
  GtkWidget           *bounce_original_button;
  CachetCryptoStatus  *crypto_status;
  GtkInfoBar          *key_bar;
  GtkLabel            *key_label;
  GtkWidget           *import_key_button;
  GtkInfoBar          *warnings_bar;
  GtkLabel            *warnings_label;
  CachetAttachmentBar *attachment_bar;
  GtkTextView         *body_view;

  CachetMessage       *message;
  gint64               message_id;
  gint64               original_id;   /* the bounced message, found in the store */
  GCancellable        *cancellable;

  /* crypto: cachet-message-view-crypto.c */
  CachetCryptoRegistry *registry;          /* set for tests; else the application's */
  gboolean             registry_set;
  GCancellable        *crypto_cancellable; /* opening or importing for the message shown */
  gboolean             opening;
  gboolean             decrypted;          /* the message shown was decrypted */
  guint                generation;         /* counts what was shown: late results are dropped */
  CachetPart          *key_part;           /* the application/pgp-keys attachment offered */
  CachetMessage       *waiting;            /* to open once the plugins are loaded */
  gulong               ready_handler;
};

/* cachet-message-view.c */
/* Shows @message (the opened one, after decrypting); leaves the crypto status alone. */
void    _cachet_message_view_show_parsed        (CachetMessageView  *self,
                                                 CachetMessage      *message,
                                                 const guint64      *attachment_sizes,
                                                 const CachetBounce *bounce,
                                                 gint64              original_id);
/* The decoded size of each attachment (guint64), off the main thread. */
GArray *_cachet_message_view_measure_attachments (CachetMessage     *message);

/* cachet-message-view-crypto.c */
void    _cachet_message_view_crypto_class_init  (GtkWidgetClass     *widget_class);
/* Something else is shown: work for the old message is dropped, the bars hidden. */
void    _cachet_message_view_crypto_reset       (CachetMessageView  *self);
/* @message was just shown: opens it when it is @sealed (cachet_crypto_looks_sealed() of
 * its bytes, found off the main thread for a large message). */
void    _cachet_message_view_crypto_start       (CachetMessageView  *self,
                                                 CachetMessage      *message,
                                                 gboolean            sealed);
/* Offers the first application/pgp-keys attachment of @message for import. */
void    _cachet_message_view_crypto_show_keys   (CachetMessageView  *self,
                                                 CachetMessage      *message);
void    _cachet_message_view_crypto_dispose     (CachetMessageView  *self);
void    _cachet_message_view_emit_opened        (CachetMessageView  *self);

G_END_DECLS
