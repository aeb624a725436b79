/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-account.h"

G_BEGIN_DECLS

#define CACHET_TYPE_WIZARD_TEST_PAGE (cachet_wizard_test_page_get_type ())
G_DECLARE_FINAL_TYPE (CachetWizardTestPage, cachet_wizard_test_page, CACHET, WIZARD_TEST_PAGE,
                      GtkBox)

/* The login test: a real login to the incoming (POP3) and the outgoing (SMTP) server of
 * an account not saved yet, both at once, each with its result in plain words.  A
 * certificate that cannot be verified is shown (fingerprint and all) in the certificate
 * dialog, and if the user trusts it, it is pinned to the account and the login tried
 * again; the same certificate on the same host counts for both servers.  "passed" is
 * emitted once both logins worked. */
GtkWidget *cachet_wizard_test_page_new        (void);
/* Tests @account's servers with @password (copied; wiped by _stop()).  @account gets the
 * pins of the certificates the user trusts. */
void       cachet_wizard_test_page_start      (CachetWizardTestPage *self,
                                               CachetAccount        *account,
                                               const char           *password);
/* Stops the checks, closes the certificate dialog and wipes the password. */
void       cachet_wizard_test_page_stop       (CachetWizardTestPage *self);
gboolean   cachet_wizard_test_page_has_passed (CachetWizardTestPage *self);
/* A line for what happens next (saving). */
void       cachet_wizard_test_page_set_status (CachetWizardTestPage *self,
                                               const char           *text);

G_END_DECLS
