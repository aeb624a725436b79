/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-crypto-call.h"
#include "cachet-crypto-loader.h"

/* The OpenPGP plugin's test world: a temporary GNUPGHOME with keys made by
 * gpg, the built plugin loaded through cachet_crypto_load, and ops run
 * through cachet_crypto_run. */

typedef struct
{
  char *home;            /* the user's GNUPGHOME */
  char *other;           /* another person's GNUPGHOME */
  char *plugin_dir;
  CachetCryptoLoaded *loaded;
  const char *skip;
  char *alice;           /* fingerprints */
  char *bob;
  char *carol;           /* imported, not verified */
  char *dave;            /* expired */
  char *erin;            /* revoked */
  char *frank;           /* only in OTHER */
  char *grace;           /* imported and verified (lsigned by Alice) */
  char *henry;           /* only in OTHER, for import */
  GBytes *dave_sig;      /* detached signatures of SIGNED_TEXT */
  GBytes *erin_sig;
  GBytes *frank_sig;
  GBytes *henry_key;     /* armored public key */
  int cleaner_pipe;
  pid_t cleaner;
} World;

extern World world;

#define SIGNED_TEXT "Signed text.\r\n"

/* Runs gpg on HOME with INPUT on its stdin; returns its stdout. */
#define GPG(home, input, ...) \
  gpg_argv (home, input, (const char *const[]) { __VA_ARGS__, NULL })

/* A scripted passphrase prompt. */
typedef struct
{
  const char *answers[4];  /* NULL: cancel */
  int         n_asks;
  gboolean    again[4];
  char       *hint;
} Prompt;

/* One op to run. */
typedef struct
{
  CachetCryptoOp      op;
  guint32             flags;
  const char *const  *recipients;
  const char         *signer;
  const char         *sender;
  GBytes             *input;
  GBytes             *signature;
  gboolean            want_output;
  GCancellable       *cancellable;
  Prompt             *prompt;
  GInputStream       *input_stream;   /* instead of INPUT */
} Op;

#define SKIP_IF_NEEDED() \
  G_STMT_START { if (world.skip != NULL) { g_test_skip (world.skip); return; } } G_STMT_END

char *gpg_argv (const char        *home,
                const char        *input,
                const char *const *args);

void world_set_up    (void);
void world_tear_down (void);
/* Sets world.skip when the build directory is not safe for plugins. */
void load_plugin     (void);

CachetCryptoOutcome *run (const Op  *op,
                          GBytes   **output,
                          GError   **error);

GBytes *random_bytes (gsize   size,
                      guint32 seed);
/* Asserts success. */
GBytes *encrypt_to   (const char *const *recipients,
                      guint32            flags,
                      const char        *sender,
                      GBytes            *plain);
GBytes *decrypt      (GBytes               *cipher,
                      guint32               flags,
                      Prompt               *prompt,
                      CachetCryptoOutcome **outcome_out,
                      GError              **error);
GBytes *sign         (GBytes      *data,
                      guint32      flags,
                      const char  *signer,
                      Prompt      *prompt,
                      char       **micalg,
                      GError     **error);
CachetCryptoOutcome *verify_detached (GBytes  *data,
                                      GBytes  *sig,
                                      GError **error);

/* The one signature of OUTCOME (asserts there is exactly one). */
CachetCryptoSignatureResult *only_signature       (CachetCryptoOutcome *outcome);
CachetCryptoKeyResult       *find_key_result      (CachetCryptoOutcome *outcome,
                                                   const char          *fpr);
CachetCryptoKeyResult       *must_find_key_result (CachetCryptoOutcome *outcome,
                                                   const char          *fpr);
