/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-account.h"
#include "cachet-composer.h"
#include "cachet-crypto-registry.h"
#include "cachet-sender.h"
#include "cachet-store.h"

G_BEGIN_DECLS

#define CACHET_TYPE_APPLICATION (cachet_application_get_type ())
G_DECLARE_FINAL_TYPE (CachetApplication, cachet_application, CACHET, APPLICATION, GtkApplication)

CachetApplication *cachet_application_new       (void);
/* The mail store: $CACHET_DATA_DIR when set, else $XDG_DATA_HOME/cachet. */
CachetStore       *cachet_application_get_store (CachetApplication *self);

/* The mail accounts, loaded at start from $XDG_CONFIG_HOME/cachet/accounts.ini. */
CachetAccountList *cachet_application_get_accounts (CachetApplication *self);

/* The outbox's sender: one per process, made once the store is open (NULL before). */
CachetSender      *cachet_application_get_sender (CachetApplication *self);

/* The message list of the folder shown at start, listed while GTK was starting, when it is
 * ready and was listed for exactly this folder and order; else NULL.  Taken once. */
CachetMessageList *cachet_application_take_start_list (CachetApplication *self,
                                                       gint64             folder_id,
                                                       CachetSortColumn   sort,
                                                       gboolean           descending,
                                                       gboolean           threaded);

/* Opens a composer for @draft (taken; NULL: a new message), or presents the one already
 * open for the stored draft @draft_id (then @draft is dropped).  Returns it (borrowed). */
CachetComposer    *cachet_application_compose   (CachetApplication *self,
                                                 CachetDraft       *draft,
                                                 gint64             draft_id);

/* The crypto plugins: one registry per process, filled at start on a worker thread (so
 * that the window does not wait for it).  Returns NULL in safe mode (`--safe-mode`: no
 * plugin is loaded) and until that scan has finished; "crypto-registry-ready" is emitted
 * on the main thread when it has (never in safe mode).  The registry lives as long as the
 * application: it is freed when the application is finalized.  Once scanned it is used
 * read-only, so crypto workers may use it from their threads; a worker that does keeps a
 * reference to the application (g_application_get_default ()) until it is done, so that
 * quitting while it runs does not free the registry under it.  The one change after the
 * scan, turning a plugin on in Preferences (cachet_crypto_registry_enable), is made on the
 * main thread, to the entry of a plugin that was not loaded. */
CachetCryptoRegistry *cachet_application_get_crypto_registry (CachetApplication *app);
/* TRUE when Cachet was started with --safe-mode. */
gboolean              cachet_application_get_safe_mode       (CachetApplication *app);

/* The application's settings, or NULL when the schema is not installed (a build run in
 * place still works; it only forgets its state). */
GSettings         *cachet_settings_new          (void);

G_END_DECLS
