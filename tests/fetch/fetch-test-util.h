/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-account.h"
#include "cachet-fetcher.h"
#include "cachet-store.h"
#include "cachet-test-servers.h"

G_BEGIN_DECLS

/* Helpers of the fetch tests, on top of the test servers library (tests/servers). */

/* An account "NAME" for the server user @user on @host:@port, trusting the test CA
 * (@ca_file), its password remembered for the session (no keyring needed). */
CachetAccount *test_account_new      (const CachetTestUser *user,
                                      const char           *name,
                                      const char           *host,
                                      guint16               port,
                                      CachetSecurity        security,
                                      const char           *ca_file);
/* Points the account at another server (and remembers the password for it). */
void         test_account_set_server (CachetAccount        *account,
                                      const CachetTestUser *user,
                                      const char           *host,
                                      guint16               port,
                                      CachetSecurity        security);
/* Adds it to the accounts file of the test's config directory. */
void         test_account_save       (CachetAccount        *account);

/* Runs a fetch to the end (iterating the thread-default main context). */
CachetFetchResult *test_fetch        (CachetStore   *store,
                                      CachetAccount *account,
                                      GError       **error);

/* Every message file of a store folder (GBytes, sorted like cachet_test_maildir_read()). */
GPtrArray   *test_store_messages     (CachetStore   *store,
                                      const char    *folder);
/* @got holds exactly the messages of @expected, each once, byte for byte. */
void         test_assert_same_messages (GPtrArray   *expected,
                                        GPtrArray   *got);
void         test_assert_no_tmp_files (CachetStore  *store);

G_END_DECLS
