/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-account.h"
#include "cachet-isp-profile.h"

G_BEGIN_DECLS

#define CACHET_TYPE_WIZARD_IDENTITY_PAGE (cachet_wizard_identity_page_get_type ())
G_DECLARE_FINAL_TYPE (CachetWizardIdentityPage, cachet_wizard_identity_page, CACHET,
                      WIZARD_IDENTITY_PAGE, GtkBox)

/* The first page of the account wizard: name, address, password.  "complete" (a boolean
 * property) is TRUE once all three are there and the address can be used: a name, an @ and
 * a domain that can be looked up, and no account has that address yet. */
GtkWidget  *cachet_wizard_identity_page_new          (void);
/* The accounts that exist (for the check that the address is new); may be NULL. */
void        cachet_wizard_identity_page_set_accounts (CachetWizardIdentityPage *self,
                                                      CachetAccountList        *accounts);
/* A profile the user opened: said on the page, and its domain suggested. */
void        cachet_wizard_identity_page_set_profile  (CachetWizardIdentityPage *self,
                                                      CachetIspProfile         *profile);
gboolean    cachet_wizard_identity_page_is_complete  (CachetWizardIdentityPage *self);
/* Why the page is not complete, when it is something to tell (an address that cannot be
 * used); NULL otherwise. */
const char *cachet_wizard_identity_page_get_problem  (CachetWizardIdentityPage *self);

/* What was typed, without surrounding spaces (newly allocated). */
char       *cachet_wizard_identity_page_dup_name     (CachetWizardIdentityPage *self);
char       *cachet_wizard_identity_page_dup_address  (CachetWizardIdentityPage *self);
/* The password as typed (owned by the entry, which wipes it when it changes). */
const char *cachet_wizard_identity_page_get_password (CachetWizardIdentityPage *self);
void        cachet_wizard_identity_page_clear_password (CachetWizardIdentityPage *self);

/* Checks an address as the page does: NULL when it can be used, else a sentence. */
char       *cachet_wizard_check_address              (const char               *address,
                                                      CachetAccountList        *accounts);

G_END_DECLS
