/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-composer.h"

#include "cachet-address-completion.h"
#include "cachet-composer-attachments.h"
#include "cachet-crypto-registry.h"
#include "cachet-draft-saver.h"
#include "cachet-encrypt-memory.h"
#include "cachet-privacy-line.h"

G_BEGIN_DECLS

/* The composer's parts, for its files and for tests.  cachet-composer.c: the window, the
 * fields and the draft they make; cachet-composer-send.c: saving, autosave, closing and
 * sending; cachet-composer-attach.c: attachments (chooser, dropped files). */
struct _CachetComposer
{
  GtkApplicationWindow       parent_instance;

  /* template */
  GtkHeaderBar              *header_bar;
  GtkInfoBar                *info_bar;
  GtkLabel                  *info_label;
  GtkToggleButton           *encrypt_button;
  GtkToggleButton           *sign_button;
  GtkMenuButton             *menu_button;
  GtkComboBoxText           *from_combo;
  GtkEntry                  *to_entry;
  GtkToggleButton           *cc_bcc_button;
  GtkWidget                 *cc_label;
  GtkEntry                  *cc_entry;
  GtkWidget                 *bcc_label;
  GtkEntry                  *bcc_entry;
  GtkEntry                  *subject_entry;
  CachetPrivacyLine         *privacy_line;
  GtkTextView               *body_view;
  CachetComposerAttachments *attachments;
  GtkWidget                 *content_box;

  CachetStore               *store;
  CachetAccountList         *accounts;
  CachetSender              *sender;
  CachetDraftSaver          *saver;
  GCancellable              *cancellable;   /* cancelled when the window goes */

  char                      *account_id;    /* chosen in From */
  char                      *signature;     /* the block last put in ("-- \n…"), or NULL */
  gint64                     original_id;
  CachetFlags                original_flag;

  gboolean                   filling;       /* widgets set from code: not a change */
  gboolean                   dirty;         /* changed since the last save */
  gboolean                   closing;       /* hidden, saving before it goes */
  gboolean                   sending;
  gboolean                   sent;
  guint                      autosave_source;
  guint                      autosave_ms;   /* 30 s; tests shorten it */

  /* Encryption: cachet-composer-crypto.c */
  CachetCryptoRegistry      *registry;      /* set for tests; else the application's */
  gboolean                   registry_set;
  CachetEncryptMemory       *memory;        /* who to encrypt to */
  gboolean                   encrypt_user_set;  /* the user touched Encrypt: no more guessing */
  GStrv                      recipients;    /* To, Cc, Bcc as addresses; NULL: one is not */
  int                        keys;          /* what is known of their keys: KeysState */
  GStrv                      missing;       /* those without a usable key (keys MISSING) */
  char                      *keys_error;    /* why they could not be looked up (keys ERROR) */
  guint                      keys_source;   /* the debounce of the next look-up */
  guint                      keys_delay_ms; /* 400 ms; tests shorten it */
  GCancellable              *keys_cancellable;
  gulong                     ready_handler; /* the application's plugins are loaded */
  char                      *save_error;    /* the last save failure shown: said once */
};

/* cachet-composer.c */
void     _cachet_composer_show_error     (CachetComposer *self,
                                          const char     *text);
/* Puts the fields into the saver's draft (now or after a running save). */
void     _cachet_composer_push_fields    (CachetComposer *self);
void     _cachet_composer_update_title   (CachetComposer *self);
void     _cachet_composer_emit_saved     (CachetComposer *self,
                                          gint64          id);
void     _cachet_composer_emit_sent      (CachetComposer *self,
                                          gint64          id);

/* cachet-composer-send.c */
/* A field changed: the draft needs saving (the autosave clock starts). */
void     _cachet_composer_changed        (CachetComposer *self);
void     _cachet_composer_send_init      (CachetComposer *self);
void     _cachet_composer_send_dispose   (CachetComposer *self);
void     _cachet_composer_save           (CachetComposer *self);
void     _cachet_composer_send           (CachetComposer *self);
/* TRUE: the window goes now; FALSE: it hides and goes once the draft is saved. */
gboolean _cachet_composer_close          (CachetComposer *self);
void     _cachet_composer_discard        (CachetComposer *self);

/* cachet-composer-crypto.c */
void     _cachet_composer_crypto_init    (CachetComposer *self);
void     _cachet_composer_crypto_dispose (CachetComposer *self);
/* The privacy line from the account's server, Encrypt and the recipients' keys. */
void     _cachet_composer_update_privacy (CachetComposer *self);
gboolean _cachet_composer_get_encrypt    (CachetComposer *self);
gboolean _cachet_composer_get_sign       (CachetComposer *self);
/* Before building: FALSE (and the reason shown) when Encrypt or Sign cannot be done. */
gboolean _cachet_composer_crypto_can_send (CachetComposer *self);
/* Seals @message in a worker when Encrypt or Sign is on (else returns it as it is). */
void     _cachet_composer_seal_async     (CachetComposer      *self,
                                          GBytes              *message,
                                          const char * const  *recipients,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
GBytes  *_cachet_composer_seal_finish    (CachetComposer      *self,
                                          GAsyncResult        *result,
                                          GError             **error);
/* How the saver writes the next copies in Drafts: sealed to the sender with Encrypt on,
 * the toggles kept in the copy. */
void     _cachet_composer_crypto_push    (CachetComposer      *self);
/* The message to @recipients is in the Outbox: remember them when it was encrypted. */
void     _cachet_composer_crypto_sent    (CachetComposer      *self,
                                          const char * const  *recipients);

/* cachet-composer-attach.c */
void     _cachet_composer_attach_init    (CachetComposer *self);
void     _cachet_composer_choose_files   (CachetComposer *self);
void     _cachet_composer_show_draft_attachments (CachetComposer *self,
                                                  CachetDraft    *draft);

G_END_DECLS
