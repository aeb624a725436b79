/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-account-wizard.h"
#include "cachet-discovery.h"
#include "cachet-wizard-discovery-page.h"
#include "cachet-wizard-done-page.h"
#include "cachet-wizard-identity-page.h"
#include "cachet-wizard-review-page.h"
#include "cachet-wizard-test-page.h"

G_BEGIN_DECLS

/* The wizard's classes, open to each other's files and to the tests. */

struct _CachetWizardIdentityPage
{
  GtkBox             parent_instance;

  /* template */
  GtkLabel          *profile_label;
  GtkEntry          *name_entry;
  GtkEntry          *address_entry;
  GtkLabel          *problem_label;
  GtkEntry          *password_entry;

  CachetAccountList *accounts;
  char              *problem;        /* shown under the address, or NULL */
  gboolean           address_left;   /* the address field was left once: problems show */
  gboolean           complete;
};

/* As leaving the address field does: problems with it are shown from now on. */
void _cachet_wizard_identity_page_leave_address (CachetWizardIdentityPage *self);

typedef struct
{
  GtkStack  *icon_stack;      /* "spinner" or "state" */
  GtkImage  *state_image;     /* its accessible name says the state in words */
  GtkLabel  *detail_label;
} CachetWizardStepRow;

struct _CachetWizardDiscoveryPage
{
  GtkBox                 parent_instance;

  /* template */
  GtkLabel              *heading_label;
  GtkGrid               *steps_grid;
  GtkLabel              *found_label;
  GtkWidget             *cancel_button;

  CachetWizardStepRow    rows[CACHET_DISCOVERY_N_STEPS];
  CachetDiscovery       *discovery;    /* the run (also when it is over) */
  CachetDiscoveryResult *result;       /* once it is over */
  GCancellable          *cancellable;
  GString               *found;
  char                  *address;      /* what the run was for */
  char                  *real_name;
  CachetIspProfile      *profile;
  gboolean               running;
  gboolean               stopped;      /* by the user */
  /* For tests: where profiles come from and which steps run (NULL, 0: the defaults). */
  CachetIspDirectory    *directory;
  CachetDiscoveryFlags   flags;
};

void _cachet_wizard_discovery_page_set_options (CachetWizardDiscoveryPage *self,
                                                CachetIspDirectory        *directory,
                                                CachetDiscoveryFlags       flags);

/* One server on the review page. */
typedef struct
{
  GtkComboBoxText *source_combo;    /* one row per candidate, then "custom" */
  GtkLabel        *source_label;
  GtkEntry        *host_entry;
  GtkSpinButton   *port_spin;
  GtkComboBox     *security_combo;  /* ids "tls", "starttls", "plain" */
  GtkEntry        *user_entry;
  GPtrArray       *candidates;      /* CachetDiscoveryCandidate (borrowed from the result) */
  CachetSecurity   security;        /* shown before the last change */
  gboolean         custom;          /* changed by the user: no candidate's any more */
} CachetWizardServerForm;

struct _CachetWizardReviewPage
{
  GtkBox                  parent_instance;

  /* template */
  GtkLabel               *info_label;
  GtkLabel               *policy_label;
  GtkWidget              *plain_box;
  GtkLabel               *plain_label;
  GtkToggleButton        *plain_check;

  CachetWizardServerForm  pop3;
  CachetWizardServerForm  smtp;
  CachetDiscoveryResult  *result;
  char                   *address;
  guint                   plain_mask;   /* 1: POP3 without TLS, 2: SMTP without TLS */
  gboolean                filling;
  gboolean                complete;
};

typedef struct
{
  GtkStack        *icon_stack;      /* "spinner" or "state" */
  GtkImage        *state_image;
  GtkLabel        *server_label;
  GtkLabel        *result_label;    /* the plain sentence */
  GtkLabel        *detail_label;    /* the error's own words, the fingerprint */
  GtkWidget       *certificate_button;
  GCancellable    *cancellable;     /* while its check runs */
  CachetTlsCheck  *tls_check;       /* a certificate to look at, or NULL */
  gboolean         running;
  gboolean         ok;
  gboolean         asked;           /* its certificate was shown to the user */
} CachetWizardCheckRow;

struct _CachetWizardTestPage
{
  GtkBox                parent_instance;

  /* template */
  GtkLabel             *status_label;
  GtkGrid              *rows_grid;
  GtkWidget            *retry_button;

  CachetWizardCheckRow  rows[2];       /* 0: POP3, 1: SMTP */
  CachetAccount        *account;       /* staged: gets the pins the user accepts */
  char                 *password;      /* wiped when the page stops */
  char                 *trusted_sha256[2];  /* accepted by the user here, per server */
  GtkWidget            *certificate_dialog;
  int                   dialog_row;
  gboolean              passed;
};

/* What the end of one check does to its row (tests call it with made-up errors). */
void _cachet_wizard_test_page_show_result (CachetWizardTestPage *self,
                                           gboolean              smtp,
                                           const GError         *error,
                                           CachetTlsCheck       *tls_check);

struct _CachetWizardDonePage
{
  GtkBox     parent_instance;

  /* template */
  GtkLabel  *summary_label;
};

struct _CachetAccountWizard
{
  GtkAssistant               parent_instance;

  /* template */
  CachetWizardIdentityPage  *identity_page;
  CachetWizardDiscoveryPage *discovery_page;
  CachetWizardReviewPage    *review_page;
  CachetWizardTestPage      *test_page;
  CachetWizardDonePage      *done_page;

  CachetAccountList         *accounts;
  CachetIspProfile          *profile;        /* opened by the user, or NULL */
  CachetDiscoveryResult     *reviewed;       /* the result the review page shows */
  gboolean                   review_filled;
  CachetAccount             *staged;         /* being checked and saved */
  CachetAccount             *saved;          /* once added */
  GCancellable              *cancellable;    /* saving */
  GtkWidget                 *shown;          /* the page shown (prepared) last */
  GtkWidget                 *keyring_dialog;
  guint                      secrets_done;   /* 0, 1 (POP3 stored), 2 (SMTP stored) */
  gboolean                   saving;
  gboolean                   in_keyring;     /* FALSE: for this session only */
  gboolean                   fetch_started;
};

/* cachet-account-wizard-save.c */
void _cachet_account_wizard_save   (CachetAccountWizard *self);
void _cachet_account_wizard_forget (CachetAccountWizard *self);
/* cachet-account-wizard.c */
void _cachet_account_wizard_saved  (CachetAccountWizard *self,
                                    const char          *error_message);

G_END_DECLS
