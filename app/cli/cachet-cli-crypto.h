/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cachet-crypto-registry.h"

G_BEGIN_DECLS

/* For `cachet show`: when MESSAGE is sealed (PGP/MIME, S/MIME, inline PGP),
 * opens it with the plugins the app would load, prints the verdict as the
 * first line ("Crypto: ..."; with STATUS also the machine-readable
 * "Crypto-Status:", "Crypto-Signature:" and "Crypto-Problem:" lines) and
 * returns the message to show: the opened one, or MESSAGE itself when it is
 * not sealed.  PASSPHRASE_FILE (may be NULL) holds the passphrase on its
 * first line; without it every passphrase prompt is cancelled.  Returns NULL,
 * the reason on stderr, when the passphrase file cannot be read or the
 * opening failed outright. */
GBytes *_cachet_cli_crypto_open (GBytes     *message,
                                 const char *passphrase_file,
                                 gboolean    status);

/* The plugins the app loads: the system directory's, and the user's that
 * the user enabled (GSettings "enabled-plugins", when this build has it).
 * New or changed files are first run as `PROBE_PROGRAM --probe-plugin FILE`
 * (a cachet binary; NULL: not probed). */
CachetCryptoRegistry *_cachet_cli_crypto_registry_new (const char *probe_program);

G_END_DECLS
