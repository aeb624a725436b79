/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-crypto-registry.h"
#include "cachet-store.h"

G_BEGIN_DECLS

/* The message a reply, a forward or a continued draft starts from, as the user would read
 * it: loaded from the store and, when it is sealed, opened (decrypted, verified) on a
 * worker, asking for a passphrase in a dialog over a window.  An encrypted message that
 * cannot be opened is given back without its content, so that nothing of the ciphertext
 * is quoted or passed on, with the reason. */
typedef struct
{
  CachetMessage *message;    /* to write from */
  gboolean       encrypted;  /* it came encrypted: write back with Encrypt on */
  gboolean       decrypted;  /* ... and was decrypted: message has the opened content */
  char          *problem;    /* encrypted, not opened: why (message has its headers only) */
} CachetComposeSource;

void cachet_compose_source_free (CachetComposeSource *source);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetComposeSource, cachet_compose_source_free)

/* @registry may be NULL (no plugin: @loading says whether they are still loading); it is
 * borrowed, and the default application (which keeps it) is held while the worker runs.
 * @parent is the window for the passphrase dialog; cancelling @cancellable closes it. */
void                 cachet_compose_source_load_async  (CachetStore          *store,
                                                        gint64                id,
                                                        CachetCryptoRegistry *registry,
                                                        gboolean              loading,
                                                        GtkWindow            *parent,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
CachetComposeSource *cachet_compose_source_load_finish (GAsyncResult         *result,
                                                        GError              **error);

/* TRUE when @bytes has encrypted content (PGP/MIME, S/MIME enveloped, an inline PGP
 * message), as opposed to only signed; a quick look, no plugin. */
gboolean             cachet_compose_source_looks_encrypted (GBytes *bytes);

G_END_DECLS
