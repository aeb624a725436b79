/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-account.h"
#include "cachet-discovery.h"

G_BEGIN_DECLS

#define CACHET_TYPE_WIZARD_REVIEW_PAGE (cachet_wizard_review_page_get_type ())
G_DECLARE_FINAL_TYPE (CachetWizardReviewPage, cachet_wizard_review_page, CACHET,
                      WIZARD_REVIEW_PAGE, GtkBox)

/* The settings found (or typed: manual setup is the same page): for the incoming and the
 * outgoing server, every server found with where it came from (the first trustworthy one
 * chosen), and its host, port, security and user name, editable.  Settings without
 * encryption are shown with a warning and need the check box ticked.  "complete" (a
 * boolean property) is TRUE when both servers are filled in and any plaintext is
 * confirmed. */
GtkWidget *cachet_wizard_review_page_new         (void);
/* Shows @result (may be NULL, or have no servers: then the fields wait for the user) for
 * @address; the user name defaults to the address. */
void       cachet_wizard_review_page_set_result  (CachetWizardReviewPage *self,
                                                  CachetDiscoveryResult  *result,
                                                  const char             *address);
gboolean   cachet_wizard_review_page_is_complete (CachetWizardReviewPage *self);
/* Puts the servers shown (and, from a provider's profile, what to do with mail on the
 * server and how often to check) into @account. */
void       cachet_wizard_review_page_apply       (CachetWizardReviewPage *self,
                                                  CachetAccount          *account);
/* The candidate the settings of a server are from, or NULL when they are the user's own. */
const CachetDiscoveryCandidate *
           cachet_wizard_review_page_get_source  (CachetWizardReviewPage *self,
                                                  gboolean                smtp);

/* Words for where a server was found: "profile “Demo Mail”" (newly allocated). */
char      *cachet_wizard_describe_source         (const CachetDiscoveryCandidate *candidate);

G_END_DECLS
