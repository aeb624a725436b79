/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The dialog that asks for the passphrase of a secret key, and the prompt that crypto
 * workers call (a CachetCryptoPassphraseFunc, cachet-crypto-call.h). */
#define CACHET_TYPE_PASSPHRASE_DIALOG (cachet_passphrase_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CachetPassphraseDialog, cachet_passphrase_dialog, CACHET,
                      PASSPHRASE_DIALOG, GtkDialog)

/* @key_hint: which key ("Alice <alice@example.org> (ABCD 1234)"), may be NULL;
 * @description: what it is for, from the plugin, may be NULL; @again: the passphrase
 * given before was wrong.  GTK_RESPONSE_OK with a passphrase typed, else cancelled. */
GtkWidget  *cachet_passphrase_dialog_new            (GtkWindow              *parent,
                                                     const char             *key_hint,
                                                     const char             *description,
                                                     gboolean                again);
/* The passphrase typed (borrowed).  cachet_passphrase_dialog_wipe() clears the entry;
 * GtkEntryBuffer zeroes the memory it frees. */
const char *cachet_passphrase_dialog_get_passphrase (CachetPassphraseDialog *self);
void        cachet_passphrase_dialog_wipe           (CachetPassphraseDialog *self);

/* What a worker needs to ask: the window to put the dialog over and the work's
 * cancellable (cancelling it closes the dialog as cancelled).  Made on the main thread,
 * freed anywhere. */
typedef struct _CachetPassphrasePrompt CachetPassphrasePrompt;

CachetPassphrasePrompt *cachet_passphrase_prompt_new  (GtkWindow              *parent,
                                                       GCancellable           *cancellable);
void                    cachet_passphrase_prompt_free (CachetPassphrasePrompt *prompt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetPassphrasePrompt, cachet_passphrase_prompt_free)

/* A CachetCryptoPassphraseFunc; @user_data is a CachetPassphrasePrompt.  Called on a worker
 * thread, it shows the dialog in the main context and blocks until it is answered; called
 * on the main thread, it runs the dialog there.  Returns the passphrase (free it with
 * cachet_crypto_passphrase_free()) or NULL when cancelled. */
char *cachet_passphrase_prompt_ask (const char *key_hint,
                                    const char *description,
                                    gboolean    again,
                                    gpointer    user_data);

/* How many passphrase dialogs are open now (for tests). */
guint cachet_passphrase_prompt_get_n_open (void);

G_END_DECLS
