/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-composer-private.h"
#include "cachet-crypto-mime.h"
#include "cachet-crypto-passphrase.h"
#include "cachet-encrypt-memory.h"
#include "cachet-sender.h"
#include "cachet-store.h"

G_BEGIN_DECLS

/* What the test-crypto-mail-* programs share: a temporary GNUPGHOME with the keys below
 * (and a second one, "other", for keys this keyring does not have), the built OpenPGP
 * plugin loaded from a safe folder under the build folder, gpg on the command line, sealed
 * test messages, the passphrase dialog, and a store with accounts for the composer.
 * Screenshots go to $CACHET_SCREENSHOT_DIR. */

#define ME "me@home.example"
#define ANN "ann@example.org"          /* secret key here: signs the test messages */
#define CAROL "carol@example.org"      /* only her public key here, certified by me */
#define PAT "pat@example.org"          /* secret key here, with a passphrase */
#define PAT_PASSPHRASE "pat's secret"
#define STRANGER "stranger@example.com" /* signs, then the key is deleted */
#define NOKEY "nokey@home.example"     /* an account without a key */

/* Start and end.  crypto_mail_init() calls g_test_init() and sets up GTK; it returns FALSE
 * after printing a TAP skip plan where the tests cannot run (no display, no gpg): the
 * program then returns 0.  crypto_mail_run() makes the keys, loads the plugin, runs the
 * tests added meanwhile and cleans up; its result is g_test_run()'s. */
gboolean              crypto_mail_init           (int           *argc,
                                                  char        ***argv);
int                   crypto_mail_run            (void);

/* TRUE, with the test marked skipped, where the plugin could not be loaded. */
gboolean              crypto_mail_skip           (void);
CachetCryptoRegistry *crypto_mail_registry       (void);
/* The GNUPGHOME of the tests, and the other keyring. */
const char           *crypto_mail_home           (void);
const char           *crypto_mail_other_home     (void);

/* The main loop */

/* Iterates the main context until @done (@data) holds; gives up (g_error) after two
 * minutes so that a broken build fails instead of hanging. */
void                  crypto_mail_spin_until     (gboolean     (*done) (gpointer),
                                                  gpointer       data,
                                                  const char    *what);
/* Dispatches what is pending, without blocking. */
void                  crypto_mail_drain          (void);
/* For crypto_mail_spin_until(): the pointer at @data is NULL (a weak pointer). */
gboolean              crypto_mail_pointer_cleared (gpointer      data);
/* Saves @widget's window as $CACHET_SCREENSHOT_DIR/@name, when that is set. */
void                  crypto_mail_save_screenshot (GtkWidget    *widget,
                                                   const char   *name);

/* gpg on the command line, in @home, with @input on its standard input: its output. */
char                 *crypto_mail_gpg_argv       (const char         *home,
                                                  const char         *input,
                                                  const char *const  *args);
#define CRYPTO_MAIL_GPG(home, input, ...) \
  crypto_mail_gpg_argv (home, input, (const char *const[]) { __VA_ARGS__, NULL })
char                 *crypto_mail_fingerprint    (const char   *home,
                                                  const char   *pattern);
void                  crypto_mail_make_key       (const char   *home,
                                                  const char   *uid,
                                                  const char   *passphrase);

/* Messages */

GBytes               *crypto_mail_plain_message  (const char   *from,
                                                  const char   *to,
                                                  const char   *subject,
                                                  const char   *body);
/* @message signed and/or encrypted by the plugin (OpenPGP) from @sender to @recipient. */
GBytes               *crypto_mail_seal           (GBytes       *message,
                                                  gboolean      encrypt,
                                                  gboolean      sign,
                                                  const char   *sender,
                                                  const char   *recipient);
gboolean              crypto_mail_bytes_contain  (GBytes       *bytes,
                                                  const char   *text);

/* The passphrase dialog */

/* For crypto_mail_spin_until(): one dialog is asking. */
gboolean              crypto_mail_dialog_open    (gpointer      data);
CachetPassphraseDialog *crypto_mail_find_dialog  (void);
/* Answers @dialog with @text, or cancels it when @text is NULL. */
void                  crypto_mail_answer         (CachetPassphraseDialog *dialog,
                                                  const char             *text);

/* The composer: a store in the user's data folder, accounts "Me" (ME), "No Key" (NOKEY)
 * and "Pat" (PAT) whose outgoing server does not answer, so that sent mail waits in the
 * Outbox. */

typedef struct
{
  CachetStore         *store;
  CachetAccountList   *accounts;
  CachetSender        *sender;
  CachetEncryptMemory *memory;
} CryptoMailFixture;

void                  crypto_mail_fixture_setup    (CryptoMailFixture *f,
                                                    gconstpointer      data);
void                  crypto_mail_fixture_teardown (CryptoMailFixture *f,
                                                    gconstpointer      data);
/* A new composer, shown, with the registry, the sender and the memory of the fixture. */
CachetComposer       *crypto_mail_open_composer    (CryptoMailFixture *f);
/* For crypto_mail_spin_until(): the composer is not looking up keys. */
gboolean              crypto_mail_keys_settled     (gpointer           data);
/* The messages in the Outbox, as bytes. */
GPtrArray            *crypto_mail_outbox_bytes     (CryptoMailFixture *f);
/* For the composer's "sent" signal: stores the id at @out. */
void                  crypto_mail_sent_cb          (CachetComposer    *composer,
                                                    gint64             id,
                                                    gint64            *out);

#define CRYPTO_MAIL_ADD(path, func) \
  g_test_add (path, CryptoMailFixture, NULL, crypto_mail_fixture_setup, func, \
              crypto_mail_fixture_teardown)

G_END_DECLS
