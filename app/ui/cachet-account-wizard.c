/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-wizard"

#include "config.h"

#include "cachet-account-wizard.h"

#include <glib/gi18n.h>

#include "cachet-account-wizard-private.h"
#include "cachet-window.h"

/* The assistant only moves data between its pages (one class each, cachet-wizard-*-page.c)
 * and decides when to go on by itself: after the search, and after saving.  Saving is in
 * cachet-account-wizard-save.c. */

G_DEFINE_FINAL_TYPE (CachetAccountWizard, cachet_account_wizard, GTK_TYPE_ASSISTANT)

enum
{
  ACCOUNT_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
is_current (CachetAccountWizard *self,
            gpointer             page)
{
  int n = gtk_assistant_get_current_page (GTK_ASSISTANT (self));

  return n >= 0 && gtk_assistant_get_nth_page (GTK_ASSISTANT (self), n) == page;
}

/* The main window, for the first fetch: the one this wizard belongs to, else any. */
static CachetWindow *
main_window (CachetAccountWizard *self)
{
  GApplication *app = g_application_get_default ();

  for (GtkWindow *w = gtk_window_get_transient_for (GTK_WINDOW (self)); w != NULL;
       w = gtk_window_get_transient_for (w))
    if (CACHET_IS_WINDOW (w))
      return CACHET_WINDOW (w);
  if (GTK_IS_APPLICATION (app))
    for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
      if (CACHET_IS_WINDOW (l->data))
        return l->data;
  return NULL;
}

static gboolean
start_first_fetch (CachetAccountWizard *self)
{
  CachetWindow *window = main_window (self);
  GAction *action = window != NULL ? g_action_map_lookup_action (G_ACTION_MAP (window),
                                                                 "get-mail")
                                   : NULL;

  if (action == NULL || !g_action_get_enabled (action))
    return FALSE;
  g_action_activate (action, NULL);
  return TRUE;
}

/* A new account with the identity and the reviewed servers; nothing saved. */
static CachetAccount *
stage_account (CachetAccountWizard *self)
{
  g_autofree char *name = cachet_wizard_identity_page_dup_name (self->identity_page);
  g_autofree char *address = cachet_wizard_identity_page_dup_address (self->identity_page);
  g_autofree char *id = cachet_account_list_make_id (self->accounts, address);
  CachetAccount *account = cachet_account_new_with_id (id, address);

  cachet_account_set_address (account, address);
  cachet_account_set_display_name (account, name);
  cachet_wizard_review_page_apply (self->review_page, account);
  return account;
}

static void
prepare_cb (GtkAssistant *assistant,
            GtkWidget    *page,
            gpointer      data)
{
  CachetAccountWizard *self = CACHET_ACCOUNT_WIZARD (assistant);
  GtkWidget *before = self->shown;

  self->shown = page;
  /* Leaving the login test (Back): it stops, and forgets the password it had. */
  if (before == GTK_WIDGET (self->test_page) && page != GTK_WIDGET (self->done_page))
    cachet_wizard_test_page_stop (self->test_page);

  if (page == GTK_WIDGET (self->discovery_page))
    {
      g_autofree char *name = cachet_wizard_identity_page_dup_name (self->identity_page);
      g_autofree char *address = cachet_wizard_identity_page_dup_address (self->identity_page);
      CachetWizardDiscoveryPage *d = self->discovery_page;

      /* Search again for another address, or after a search that was cancelled; coming
       * back from the settings shows what the search found. */
      if (!cachet_wizard_discovery_page_ran_for (d, address, name, self->profile)
          || (d->stopped && before == GTK_WIDGET (self->identity_page)))
        {
          gtk_assistant_set_page_type (assistant, page, GTK_ASSISTANT_PAGE_PROGRESS);
          cachet_wizard_discovery_page_start (d, address, name, self->profile);
        }
    }
  else if (page == GTK_WIDGET (self->review_page))
    {
      CachetDiscoveryResult *result =
        cachet_wizard_discovery_page_get_result (self->discovery_page);

      /* Filled once per search: coming back from the login test keeps what was typed. */
      if (!self->review_filled || result != self->reviewed)
        {
          g_autofree char *address = cachet_wizard_identity_page_dup_address (self->identity_page);

          g_clear_pointer (&self->reviewed, cachet_discovery_result_unref);
          if (result != NULL)
            self->reviewed = cachet_discovery_result_ref (result);
          cachet_wizard_review_page_set_result (self->review_page, result, address);
          self->review_filled = TRUE;
        }
    }
  else if (page == GTK_WIDGET (self->test_page))
    {
      const char *password = cachet_wizard_identity_page_get_password (self->identity_page);

      g_clear_object (&self->staged);
      self->staged = stage_account (self);
      gtk_assistant_set_page_complete (assistant, page, FALSE);
      cachet_wizard_test_page_start (self->test_page, self->staged, password);
    }
  else if (page == GTK_WIDGET (self->done_page) && self->saved != NULL)
    {
      if (!self->fetch_started)
        self->fetch_started = start_first_fetch (self);
      cachet_wizard_done_page_set_account (self->done_page, self->saved, self->in_keyring,
                                           self->fetch_started);
    }
}

static void
discovery_finished_cb (CachetWizardDiscoveryPage *page,
                       CachetAccountWizard       *self)
{
  /* Its results stay to look at, with Back and Next. */
  gtk_assistant_set_page_type (GTK_ASSISTANT (self), GTK_WIDGET (page),
                               GTK_ASSISTANT_PAGE_CONTENT);
  if (is_current (self, page))
    gtk_assistant_next_page (GTK_ASSISTANT (self));
}

static void
test_passed_cb (CachetWizardTestPage *page,
                CachetAccountWizard  *self)
{
  cachet_wizard_test_page_set_status (page, _("Both servers accepted the login. Saving the "
                                              "account…"));
  _cachet_account_wizard_save (self);
}

void
_cachet_account_wizard_saved (CachetAccountWizard *self,
                              const char          *error_message)
{
  if (error_message != NULL)
    {
      cachet_wizard_test_page_set_status (self->test_page, error_message);
      return;
    }
  /* Nothing to go back to: the account exists. */
  cachet_wizard_identity_page_clear_password (self->identity_page);
  gtk_assistant_set_page_complete (GTK_ASSISTANT (self), GTK_WIDGET (self->test_page), TRUE);
  gtk_assistant_commit (GTK_ASSISTANT (self));
  g_signal_emit (self, signals[ACCOUNT_ADDED], 0, self->saved);
  if (is_current (self, self->test_page))
    gtk_assistant_next_page (GTK_ASSISTANT (self));
}

static void
cancel_cb (GtkAssistant *assistant,
           gpointer      data)
{
  gtk_widget_destroy (GTK_WIDGET (assistant));
}

static void
close_cb (GtkAssistant *assistant,
          gpointer      data)
{
  gtk_widget_destroy (GTK_WIDGET (assistant));
}

static void
complete_cb (GtkWidget           *page,
             GParamSpec          *pspec,
             CachetAccountWizard *self)
{
  gboolean complete = FALSE;

  g_object_get (page, "complete", &complete, NULL);
  gtk_assistant_set_page_complete (GTK_ASSISTANT (self), page, complete);
}

static void
cachet_account_wizard_dispose (GObject *object)
{
  CachetAccountWizard *self = CACHET_ACCOUNT_WIZARD (object);

  /* The pages stop their own work when they go. */
  _cachet_account_wizard_forget (self);
  g_clear_object (&self->accounts);
  g_clear_pointer (&self->profile, cachet_isp_profile_unref);
  g_clear_pointer (&self->reviewed, cachet_discovery_result_unref);
  g_clear_object (&self->staged);
  g_clear_object (&self->saved);
  G_OBJECT_CLASS (cachet_account_wizard_parent_class)->dispose (object);
}

static void
cachet_account_wizard_class_init (CachetAccountWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_account_wizard_dispose;

  signals[ACCOUNT_ADDED] = g_signal_new ("account-added", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, CACHET_TYPE_ACCOUNT);

  g_type_ensure (CACHET_TYPE_WIZARD_IDENTITY_PAGE);
  g_type_ensure (CACHET_TYPE_WIZARD_DISCOVERY_PAGE);
  g_type_ensure (CACHET_TYPE_WIZARD_REVIEW_PAGE);
  g_type_ensure (CACHET_TYPE_WIZARD_TEST_PAGE);
  g_type_ensure (CACHET_TYPE_WIZARD_DONE_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-account-wizard.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetAccountWizard, identity_page);
  gtk_widget_class_bind_template_child (widget_class, CachetAccountWizard, discovery_page);
  gtk_widget_class_bind_template_child (widget_class, CachetAccountWizard, review_page);
  gtk_widget_class_bind_template_child (widget_class, CachetAccountWizard, test_page);
  gtk_widget_class_bind_template_child (widget_class, CachetAccountWizard, done_page);
  gtk_widget_class_bind_template_callback (widget_class, prepare_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_cb);
  gtk_widget_class_bind_template_callback (widget_class, close_cb);
}

static void
cachet_account_wizard_init (CachetAccountWizard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->identity_page, "notify::complete", G_CALLBACK (complete_cb), self);
  g_signal_connect (self->discovery_page, "notify::complete", G_CALLBACK (complete_cb), self);
  g_signal_connect (self->review_page, "notify::complete", G_CALLBACK (complete_cb), self);
  g_signal_connect (self->discovery_page, "finished", G_CALLBACK (discovery_finished_cb), self);
  g_signal_connect (self->test_page, "passed", G_CALLBACK (test_passed_cb), self);
  atk_object_set_name (gtk_widget_get_accessible (GTK_WIDGET (self)), _("Add Mail Account"));
}

GtkWidget *
cachet_account_wizard_new (GtkWindow         *parent,
                           CachetAccountList *accounts,
                           CachetIspProfile  *profile)
{
  CachetAccountWizard *self;

  g_return_val_if_fail (CACHET_IS_ACCOUNT_LIST (accounts), NULL);

  self = g_object_new (CACHET_TYPE_ACCOUNT_WIZARD, "transient-for", parent, NULL);
  self->accounts = g_object_ref (accounts);
  if (profile != NULL)
    self->profile = cachet_isp_profile_ref (profile);
  cachet_wizard_identity_page_set_accounts (self->identity_page, accounts);
  cachet_wizard_identity_page_set_profile (self->identity_page, profile);
  return GTK_WIDGET (self);
}

CachetAccount *
cachet_account_wizard_get_account (CachetAccountWizard *self)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT_WIZARD (self), NULL);
  return self->saved;
}
