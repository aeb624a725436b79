/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cachet-account-wizard-private.h"
#include "cachet-login-check.h"
#include "cachet-net-error.h"

/* The pages of the account wizard, driven through their widgets in this process (under
 * Xvfb): what the identity page accepts, the discovery page's steps with profiles from a
 * folder of this test (no network), the review page filled from what was found, edited,
 * and what it puts into an account, the confirmation that settings without encryption
 * need, and the plain words of the login test's errors.  Logins against real servers are
 * in test-wizard-login.c, the whole wizard as a user sees it in test-wizard-gui.py. */

typedef gboolean (*Condition) (gpointer data);

static void
spin_until (Condition    done,
            gpointer     data,
            const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("gave up waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static GtkWidget *
show_in_window (GtkWidget *page)
{
  GtkWidget *window = gtk_window_new (GTK_WINDOW_TOPLEVEL);

  gtk_container_add (GTK_CONTAINER (window), page);
  gtk_widget_show_all (window);
  gtk_test_widget_wait_for_draw (window);
  return window;
}

static const char *
accessible_name (gpointer widget)
{
  return atk_object_get_name (gtk_widget_get_accessible (GTK_WIDGET (widget)));
}

/* Profiles ------------------------------------------------------------------------------------- */

#define WIZ_PROFILE \
  "<?xml version=\"1.0\"?>\n" \
  "<clientConfig version=\"1.1\"><emailProvider id=\"wiz.test\">\n" \
  "<domain>wiz.test</domain><displayName>Wizard Test Mail</displayName>\n" \
  "<incomingServer type=\"pop3\"><hostname>pop.wiz.test</hostname><port>995</port>\n" \
  "<socketType>SSL</socketType><username>%EMAILLOCALPART%</username>\n" \
  "<authentication>password-cleartext</authentication>\n" \
  "<pop3><leaveMessagesOnServer>true</leaveMessagesOnServer>\n" \
  "<daysToLeaveMessagesOnServer>7</daysToLeaveMessagesOnServer></pop3></incomingServer>\n" \
  "<incomingServer type=\"pop3\"><hostname>old.wiz.test</hostname><port>110</port>\n" \
  "<socketType>plain</socketType><username>%EMAILADDRESS%</username>\n" \
  "<authentication>password-cleartext</authentication></incomingServer>\n" \
  "<outgoingServer type=\"smtp\"><hostname>smtp.wiz.test</hostname><port>587</port>\n" \
  "<socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username>\n" \
  "<authentication>password-cleartext</authentication></outgoingServer>\n" \
  "</emailProvider></clientConfig>\n"

static char *profile_dir;
static char *profile_path;

static CachetIspDirectory *
test_directory (void)
{
  const char *dirs[] = { profile_dir, NULL };

  return cachet_isp_directory_new (dirs);
}

static gboolean
discovery_over (gpointer data)
{
  return !cachet_wizard_discovery_page_is_running (data);
}

/* Runs the discovery page for @address with the profiles of this test, no network. */
static CachetWizardDiscoveryPage *
discover (const char *address,
          GtkWidget **window)
{
  g_autoptr(CachetIspDirectory) directory = test_directory ();
  CachetWizardDiscoveryPage *page =
    CACHET_WIZARD_DISCOVERY_PAGE (cachet_wizard_discovery_page_new ());

  *window = show_in_window (GTK_WIDGET (page));
  _cachet_wizard_discovery_page_set_options (page, directory, CACHET_DISCOVERY_NO_NETWORK);
  cachet_wizard_discovery_page_start (page, address, "Jo Wizard", NULL);
  g_assert_true (cachet_wizard_discovery_page_is_running (page));
  spin_until (discovery_over, page, "the discovery to end");
  return page;
}

/* The identity page ------------------------------------------------------------------------ */

static void
test_identity (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "identity", NULL);
  g_autoptr(CachetAccountList) accounts = cachet_account_list_new (dir);
  g_autoptr(CachetAccount) existing = cachet_account_new ("Existing");
  g_autoptr(CachetServerSettings) pop3 = cachet_server_settings_new (FALSE);
  g_autoptr(CachetServerSettings) smtp = cachet_server_settings_new (TRUE);
  g_autoptr(GError) error = NULL;
  CachetWizardIdentityPage *page = CACHET_WIZARD_IDENTITY_PAGE (cachet_wizard_identity_page_new ());
  GtkWidget *window = show_in_window (GTK_WIDGET (page));
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  const char *bad[][2] = {
    { "jo", "has an @ in it" },
    { "@example.com", "Before the @" },
    { "jo@", "is not an e-mail address" },
    { "jo@localhost", "no domain name" },
    { "jo@127.0.0.1", "no domain name" },
    { "jo doe@example.com", "no spaces" },
    { "jo@exa mple.com", "no spaces" },
    { "jo@x@example.com", "only one @" },
  };

  pop3->host = g_strdup ("pop.example.com");
  pop3->user = g_strdup ("taken");
  smtp->host = g_strdup ("smtp.example.com");
  smtp->user = g_strdup ("taken");
  cachet_account_set_address (existing, "Taken@Example.com");
  cachet_account_set_pop3 (existing, pop3);
  cachet_account_set_smtp (existing, smtp);
  cachet_account_list_add (accounts, existing, &error);
  g_assert_no_error (error);
  cachet_wizard_identity_page_set_accounts (page, accounts);

  g_assert_false (cachet_wizard_identity_page_is_complete (page));
  g_assert_null (cachet_wizard_identity_page_get_problem (page));

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *why = cachet_wizard_check_address (bad[i][0], NULL);

      g_test_message ("%s: %s", bad[i][0], why);
      g_assert_nonnull (why);
      g_assert_nonnull (strstr (why, bad[i][1]));
    }
  g_assert_null (cachet_wizard_check_address ("jo.doe+mail@mail.example.com", NULL));

  gtk_entry_set_text (page->name_entry, "  Jo Wizard ");
  gtk_entry_set_text (page->password_entry, "pässword");
  /* A half-typed address is no problem to speak of while it is typed ... */
  gtk_entry_set_text (page->address_entry, "jo@exa");
  g_assert_false (cachet_wizard_identity_page_is_complete (page));
  g_assert_null (cachet_wizard_identity_page_get_problem (page));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->problem_label)));
  /* ... once the field is left, it is. */
  _cachet_wizard_identity_page_leave_address (page);
  g_assert_nonnull (cachet_wizard_identity_page_get_problem (page));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->problem_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (page->problem_label), "no domain name"));

  /* An address that has an account already */
  gtk_entry_set_text (page->address_entry, "taken@example.com");
  g_assert_false (cachet_wizard_identity_page_is_complete (page));
  g_assert_nonnull (strstr (cachet_wizard_identity_page_get_problem (page),
                            "You have an account for taken@example.com already"));

  gtk_entry_set_text (page->address_entry, " jo@example.com ");
  g_assert_true (cachet_wizard_identity_page_is_complete (page));
  g_assert_null (cachet_wizard_identity_page_get_problem (page));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->problem_label)));
  name = cachet_wizard_identity_page_dup_name (page);
  address = cachet_wizard_identity_page_dup_address (page);
  g_assert_cmpstr (name, ==, "Jo Wizard");
  g_assert_cmpstr (address, ==, "jo@example.com");
  g_assert_cmpstr (cachet_wizard_identity_page_get_password (page), ==, "pässword");

  /* Every field is needed */
  gtk_entry_set_text (page->name_entry, " ");
  g_assert_false (cachet_wizard_identity_page_is_complete (page));
  gtk_entry_set_text (page->name_entry, "Jo");
  cachet_wizard_identity_page_clear_password (page);
  g_assert_cmpstr (cachet_wizard_identity_page_get_password (page), ==, "");
  g_assert_false (cachet_wizard_identity_page_is_complete (page));

  gtk_widget_destroy (window);
}

static void
test_identity_profile (void)
{
  g_autoptr(CachetIspProfile) profile = cachet_isp_profile_load (profile_path, NULL, NULL);
  CachetWizardIdentityPage *page = CACHET_WIZARD_IDENTITY_PAGE (cachet_wizard_identity_page_new ());
  GtkWidget *window = show_in_window (GTK_WIDGET (page));

  g_assert_nonnull (profile);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->profile_label)));
  cachet_wizard_identity_page_set_profile (page, profile);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->profile_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (page->profile_label), "Wizard Test Mail"));
  g_assert_nonnull (strstr (gtk_label_get_text (page->profile_label), profile_path));
  g_assert_cmpstr (gtk_entry_get_placeholder_text (page->address_entry), ==, "jo@wiz.test");
  gtk_widget_destroy (window);
}

/* The discovery page ------------------------------------------------------------------------ */

static void
test_discovery_page (void)
{
  GtkWidget *window;
  CachetWizardDiscoveryPage *page = discover ("jo@wiz.test", &window);
  CachetDiscoveryResult *result = cachet_wizard_discovery_page_get_result (page);
  const char *found = gtk_label_get_text (page->found_label);

  g_assert_nonnull (result);
  g_assert_true (cachet_wizard_discovery_page_ran_for (page, "jo@wiz.test", "Jo Wizard", NULL));
  g_assert_false (cachet_wizard_discovery_page_ran_for (page, "jo@wiz.test", "Jo", NULL));
  g_assert_cmpstr (accessible_name (page->rows[CACHET_DISCOVERY_STEP_PROFILE].state_image), ==,
                   "Found");
  g_assert_nonnull (strstr (
    gtk_label_get_text (page->rows[CACHET_DISCOVERY_STEP_PROFILE].detail_label),
    "Wizard Test Mail"));
  for (guint step = CACHET_DISCOVERY_STEP_AUTOCONFIG; step < CACHET_DISCOVERY_N_STEPS; step++)
    g_assert_cmpstr (accessible_name (page->rows[step].state_image), ==, "Not needed");
  g_test_message ("found: %s", found);
  g_assert_nonnull (strstr (found, "Incoming (POP3): pop.wiz.test:995, TLS"));
  g_assert_nonnull (strstr (found, "Incoming (POP3): old.wiz.test:110, not encrypted"));
  g_assert_nonnull (strstr (found, "Outgoing (SMTP): smtp.wiz.test:587, STARTTLS"));
  g_assert_false (gtk_widget_get_sensitive (page->cancel_button));
  g_assert_cmpstr (gtk_label_get_text (page->heading_label), ==,
                   "Found the servers of your address.");

  /* Nothing known, nothing looked for on the network */
  cachet_wizard_discovery_page_start (page, "jo@nowhere.test", "Jo Wizard", NULL);
  spin_until (discovery_over, page, "the second discovery to end");
  g_assert_cmpstr (accessible_name (page->rows[CACHET_DISCOVERY_STEP_PROFILE].state_image), ==,
                   "Nothing found");
  g_assert_cmpstr (gtk_label_get_text (page->found_label), ==, "");
  g_assert_nonnull (strstr (gtk_label_get_text (page->heading_label), "No servers were found"));
  gtk_widget_destroy (window);
}

static void
test_discovery_cancel (void)
{
  CachetWizardDiscoveryPage *page =
    CACHET_WIZARD_DISCOVERY_PAGE (cachet_wizard_discovery_page_new ());
  GtkWidget *window = show_in_window (GTK_WIDGET (page));
  g_autoptr(CachetIspDirectory) directory = test_directory ();
  guint finished = 0;

  g_signal_connect_swapped (page, "finished", G_CALLBACK (g_atomic_int_inc), &finished);
  _cachet_wizard_discovery_page_set_options (page, directory, CACHET_DISCOVERY_NO_NETWORK);
  cachet_wizard_discovery_page_start (page, "jo@wiz.test", NULL, NULL);
  g_assert_true (gtk_widget_get_sensitive (page->cancel_button));
  gtk_button_clicked (GTK_BUTTON (page->cancel_button));
  spin_until (discovery_over, page, "the cancelled discovery to end");
  g_assert_cmpuint (finished, ==, 1);
  g_assert_true (page->stopped);
  g_assert_nonnull (strstr (gtk_label_get_text (page->heading_label), "cancelled"));
  gtk_widget_destroy (window);
}

/* The review page --------------------------------------------------------------------------- */

static CachetWizardReviewPage *
review (const char  *address,
        GtkWidget  **window)
{
  GtkWidget *discovery_window;
  CachetWizardDiscoveryPage *discovery = discover (address, &discovery_window);
  CachetWizardReviewPage *page = CACHET_WIZARD_REVIEW_PAGE (cachet_wizard_review_page_new ());

  *window = show_in_window (GTK_WIDGET (page));
  cachet_wizard_review_page_set_result (page, cachet_wizard_discovery_page_get_result (discovery),
                                        address);
  gtk_widget_destroy (discovery_window);
  return page;
}

static const char *
combo_text (GtkComboBoxText *combo)
{
  static char *text;

  g_free (text);
  text = gtk_combo_box_text_get_active_text (combo);
  return text;
}

static void
test_review_from_candidate (void)
{
  GtkWidget *window;
  CachetWizardReviewPage *page = review ("jo@wiz.test", &window);
  g_autoptr(CachetAccount) account = cachet_account_new ("jo@wiz.test");
  const CachetServerSettings *pop3, *smtp;
  const CachetDiscoveryCandidate *source;
  g_autofree char *from = g_strdup_printf ("From %s.", profile_path);

  /* The preferred (trusted) incoming server, not the plaintext one after it */
  g_assert_cmpstr (gtk_entry_get_text (page->pop3.host_entry), ==, "pop.wiz.test");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (page->pop3.port_spin), ==, 995);
  g_assert_cmpstr (gtk_combo_box_get_active_id (page->pop3.security_combo), ==, "tls");
  g_assert_cmpstr (gtk_entry_get_text (page->pop3.user_entry), ==, "jo");
  g_assert_cmpstr (combo_text (page->pop3.source_combo), ==,
                   "pop.wiz.test:995, TLS — profile “Wizard Test Mail”");
  g_assert_cmpstr (gtk_label_get_text (page->pop3.source_label), ==, from);
  g_assert_cmpstr (gtk_entry_get_text (page->smtp.host_entry), ==, "smtp.wiz.test");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (page->smtp.port_spin), ==, 587);
  g_assert_cmpstr (gtk_combo_box_get_active_id (page->smtp.security_combo), ==, "starttls");
  g_assert_cmpstr (gtk_entry_get_text (page->smtp.user_entry), ==, "jo@wiz.test");
  g_assert_nonnull (strstr (gtk_label_get_text (page->info_label), "Check what Cachet found"));
  g_assert_cmpstr (gtk_label_get_text (page->policy_label), ==,
                   "Fetched mail is deleted from the server after 7 days, as Wizard Test "
                   "Mail suggests.");
  g_assert_false (gtk_widget_get_visible (page->plain_box));
  g_assert_true (cachet_wizard_review_page_is_complete (page));

  /* Every server found is listed, then the user's own */
  g_assert_cmpint (gtk_tree_model_iter_n_children (
                     gtk_combo_box_get_model (GTK_COMBO_BOX (page->pop3.source_combo)), NULL),
                   ==, 3);
  source = cachet_wizard_review_page_get_source (page, FALSE);
  g_assert_nonnull (source);
  g_assert_cmpint (source->source, ==, CACHET_DISCOVERY_STEP_PROFILE);

  cachet_wizard_review_page_apply (page, account);
  pop3 = cachet_account_get_pop3 (account);
  smtp = cachet_account_get_smtp (account);
  g_assert_cmpstr (pop3->host, ==, "pop.wiz.test");
  g_assert_cmpuint (pop3->port, ==, 995);
  g_assert_cmpint (pop3->security, ==, CACHET_SECURITY_TLS);
  g_assert_cmpstr (pop3->user, ==, "jo");
  g_assert_null (pop3->pinned_sha256);
  g_assert_cmpstr (smtp->host, ==, "smtp.wiz.test");
  g_assert_cmpuint (smtp->port, ==, 587);
  g_assert_cmpint (smtp->security, ==, CACHET_SECURITY_STARTTLS);
  g_assert_cmpstr (smtp->user, ==, "jo@wiz.test");
  g_assert_cmpint (cachet_account_get_server_policy (account), ==, CACHET_DELETE_AFTER_DAYS);
  g_assert_cmpuint (cachet_account_get_delete_after_days (account), ==, 7);

  /* Editing a field makes the settings the user's own; the fields stay. */
  gtk_entry_set_text (page->pop3.user_entry, "jo.wizard");
  g_assert_cmpstr (gtk_combo_box_get_active_id (GTK_COMBO_BOX (page->pop3.source_combo)), ==,
                   "custom");
  g_assert_cmpstr (gtk_label_get_text (page->pop3.source_label), ==, "Your own settings.");
  g_assert_null (cachet_wizard_review_page_get_source (page, FALSE));
  g_assert_cmpstr (gtk_entry_get_text (page->pop3.host_entry), ==, "pop.wiz.test");
  g_assert_nonnull (strstr (gtk_label_get_text (page->policy_label), "stays on the server"));
  g_assert_true (cachet_wizard_review_page_is_complete (page));
  g_clear_object (&account);
  account = cachet_account_new ("jo@wiz.test");
  cachet_wizard_review_page_apply (page, account);
  g_assert_cmpstr (cachet_account_get_pop3 (account)->user, ==, "jo.wizard");
  g_assert_cmpint (cachet_account_get_server_policy (account), ==, CACHET_KEEP_ON_SERVER);

  /* Choosing a server found fills the fields again */
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (page->pop3.source_combo), "0");
  g_assert_cmpstr (gtk_entry_get_text (page->pop3.user_entry), ==, "jo");

  /* A port typed, a host that is no host name */
  gtk_entry_set_text (page->smtp.host_entry, "smtp wiz");
  g_assert_false (cachet_wizard_review_page_is_complete (page));
  gtk_entry_set_text (page->smtp.host_entry, "[::1]");
  g_assert_true (cachet_wizard_review_page_is_complete (page));
  gtk_entry_set_text (page->smtp.user_entry, "");
  g_assert_false (cachet_wizard_review_page_is_complete (page));
  gtk_entry_set_text (page->smtp.user_entry, "jo");
  gtk_entry_set_text (GTK_ENTRY (page->smtp.port_spin), "2525");
  g_clear_object (&account);
  account = cachet_account_new ("jo@wiz.test");
  cachet_wizard_review_page_apply (page, account);
  g_assert_cmpstr (cachet_account_get_smtp (account)->host, ==, "::1");
  g_assert_cmpuint (cachet_account_get_smtp (account)->port, ==, 2525);
  gtk_widget_destroy (window);
}

static void
test_review_plaintext (void)
{
  GtkWidget *window;
  CachetWizardReviewPage *page = review ("jo@wiz.test", &window);
  const char *warning;

  g_assert_true (cachet_wizard_review_page_is_complete (page));

  /* The plaintext server of the profile: listed with its problem, needs the check box */
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (page->pop3.source_combo), "1");
  g_assert_cmpstr (gtk_entry_get_text (page->pop3.host_entry), ==, "old.wiz.test");
  g_assert_cmpstr (gtk_combo_box_get_active_id (page->pop3.security_combo), ==, "plain");
  g_assert_nonnull (strstr (gtk_label_get_text (page->pop3.source_label), "without encryption"));
  g_assert_true (gtk_widget_get_visible (page->plain_box));
  warning = gtk_label_get_text (page->plain_label);
  g_assert_nonnull (strstr (warning, "incoming server is not encrypted"));
  g_assert_nonnull (strstr (warning, "in the clear"));
  g_assert_false (gtk_toggle_button_get_active (page->plain_check));
  g_assert_false (cachet_wizard_review_page_is_complete (page));
  gtk_toggle_button_set_active (page->plain_check, TRUE);
  g_assert_true (cachet_wizard_review_page_is_complete (page));

  /* A confirmation is for what it was given: the outgoing server too asks again */
  gtk_combo_box_set_active_id (page->smtp.security_combo, "plain");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (page->smtp.port_spin), ==, 587);
  g_assert_nonnull (strstr (gtk_label_get_text (page->plain_label), "Neither server"));
  g_assert_false (gtk_toggle_button_get_active (page->plain_check));
  g_assert_false (cachet_wizard_review_page_is_complete (page));
  gtk_toggle_button_set_active (page->plain_check, TRUE);
  g_assert_true (cachet_wizard_review_page_is_complete (page));

  /* Encrypted again: no warning, nothing to confirm; the port follows TLS */
  gtk_combo_box_set_active_id (page->pop3.security_combo, "tls");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (page->pop3.port_spin), ==, 995);
  gtk_combo_box_set_active_id (page->smtp.security_combo, "tls");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (page->smtp.port_spin), ==, 465);
  g_assert_false (gtk_widget_get_visible (page->plain_box));
  g_assert_true (cachet_wizard_review_page_is_complete (page));
  gtk_widget_destroy (window);
}

static void
test_review_manual (void)
{
  CachetWizardReviewPage *page = CACHET_WIZARD_REVIEW_PAGE (cachet_wizard_review_page_new ());
  GtkWidget *window = show_in_window (GTK_WIDGET (page));
  g_autoptr(CachetAccount) account = cachet_account_new ("jo@nowhere.test");

  cachet_wizard_review_page_set_result (page, NULL, "jo@nowhere.test");
  g_assert_nonnull (strstr (gtk_label_get_text (page->info_label),
                            "Cachet found no servers for jo@nowhere.test"));
  g_assert_cmpstr (gtk_entry_get_text (page->pop3.host_entry), ==, "");
  g_assert_cmpstr (gtk_entry_get_text (page->pop3.user_entry), ==, "jo@nowhere.test");
  g_assert_cmpstr (gtk_entry_get_text (page->smtp.user_entry), ==, "jo@nowhere.test");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (page->pop3.port_spin), ==, 995);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (page->smtp.port_spin), ==, 465);
  g_assert_cmpstr (combo_text (page->pop3.source_combo), ==, "Your own settings");
  g_assert_false (cachet_wizard_review_page_is_complete (page));

  gtk_entry_set_text (page->pop3.host_entry, "pop.nowhere.test");
  g_assert_false (cachet_wizard_review_page_is_complete (page));
  gtk_entry_set_text (page->smtp.host_entry, "smtp.nowhere.test");
  g_assert_true (cachet_wizard_review_page_is_complete (page));
  cachet_wizard_review_page_apply (page, account);
  g_assert_cmpstr (cachet_account_get_pop3 (account)->host, ==, "pop.nowhere.test");
  g_assert_cmpint (cachet_account_get_pop3 (account)->auth, ==, CACHET_AUTH_AUTO);
  g_assert_cmpstr (cachet_account_get_smtp (account)->user, ==, "jo@nowhere.test");
  g_assert_cmpint (cachet_account_get_server_policy (account), ==, CACHET_KEEP_ON_SERVER);
  gtk_widget_destroy (window);
}

/* Error texts ------------------------------------------------------------------------------- */

static char *
explain (int         code,
         const char *message,
         gboolean    smtp)
{
  g_autoptr(GError) error = g_error_new_literal (CACHET_NET_ERROR, code, message);
  g_autoptr(CachetServerSettings) s = cachet_server_settings_new (smtp);

  s->host = g_strdup ("mail.wiz.test");
  s->user = g_strdup ("jo@wiz.test");
  s->port = smtp ? 587 : 995;
  return cachet_login_check_explain (error, smtp, s);
}

static void
test_error_texts (void)
{
  const struct
  {
    int         code;
    const char *message;
    gboolean    smtp;
    const char *expected;
  } cases[] = {
    { CACHET_NET_ERROR_AUTH, "mail.wiz.test refused the login (it said: “[AUTH] Authentication "
      "failed.”).", FALSE, "Wrong password or user name: mail.wiz.test did not accept the login "
      "of “jo@wiz.test”. Check the password, and the user name." },
    { CACHET_NET_ERROR_AUTH, "mail.wiz.test refused the login (it said: “535 5.7.8 Error: "
      "authentication failed”).", TRUE, "Wrong password or user name" },
    { CACHET_NET_ERROR_AUTH, "mail.wiz.test refused the login (it said: “No such user "
      "here”).", FALSE, "There is no user “jo@wiz.test” on mail.wiz.test. Check the user "
      "name: many providers want the whole email address." },
    { CACHET_NET_ERROR_AUTH, "refused (it said: “550 5.1.1 User unknown”)", TRUE,
      "There is no user" },
    { CACHET_NET_ERROR_CERTIFICATE, "x", FALSE, "The certificate of mail.wiz.test could not "
      "be verified" },
    { CACHET_NET_ERROR_CERTIFICATE_CHANGED, "x", TRUE, "not the one you trusted before" },
    { CACHET_NET_ERROR_UNREACHABLE, "x", FALSE, "Cachet could not reach mail.wiz.test on "
      "port 995." },
    { CACHET_NET_ERROR_STARTTLS_MISSING, "x", TRUE, "mail.wiz.test does not offer STARTTLS "
      "on port 587" },
    { CACHET_NET_ERROR_PROTOCOL, "x", FALSE, "does not answer like an incoming (POP3) mail "
      "server" },
    { CACHET_NET_ERROR_DISCONNECTED, "x", TRUE, "does not answer like an outgoing (SMTP) mail "
      "server" },
    { CACHET_NET_ERROR_TLS, "x", FALSE, "No secure connection could be made" },
    { CACHET_NET_ERROR_AUTH_UNSUPPORTED, "x", TRUE, "no way of logging in" },
    { CACHET_NET_ERROR_LOCKED, "x", FALSE, "in use by another mail program" },
  };
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");
  g_autoptr(CachetServerSettings) s = cachet_server_settings_new (FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = explain (cases[i].code, cases[i].message, cases[i].smtp);

      g_test_message ("%d: %s", cases[i].code, text);
      g_assert_nonnull (text);
      g_assert_true (g_str_has_prefix (text, cases[i].expected)
                     || strstr (text, cases[i].expected) != NULL);
    }
  g_assert_null (cachet_login_check_explain (cancelled, FALSE, s));
}

static gboolean
checks_over (gpointer data)
{
  CachetWizardTestPage *page = data;

  return !page->rows[0].running && !page->rows[1].running;
}

/* The test page with servers that are not there, then made-up results. */
static void
test_test_page_errors (void)
{
  CachetWizardTestPage *page = CACHET_WIZARD_TEST_PAGE (cachet_wizard_test_page_new ());
  GtkWidget *window = show_in_window (GTK_WIDGET (page));
  g_autoptr(CachetAccount) account = cachet_account_new ("jo@wiz.test");
  g_autoptr(CachetServerSettings) pop3 = cachet_server_settings_new (FALSE);
  g_autoptr(CachetServerSettings) smtp = cachet_server_settings_new (TRUE);
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) auth = NULL;
  g_autoptr(GError) certificate = NULL;
  CachetTlsCheck *check;
  guint16 closed;
  guint passed = 0;

  /* A port where nothing listens: bound, then closed again */
  g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  closed = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_listener_close (listener);

  pop3->host = g_strdup ("127.0.0.1");
  pop3->port = closed;
  pop3->user = g_strdup ("jo");
  smtp->host = g_strdup ("127.0.0.1");
  smtp->port = closed;
  smtp->user = g_strdup ("jo");
  cachet_account_set_pop3 (account, pop3);
  cachet_account_set_smtp (account, smtp);
  g_signal_connect_swapped (page, "passed", G_CALLBACK (g_atomic_int_inc), &passed);

  cachet_wizard_test_page_start (page, account, "secret");
  g_assert_true (page->rows[0].running);
  g_assert_cmpstr (accessible_name (page->rows[0].state_image), ==, "Checking");
  spin_until (checks_over, page, "both checks to fail");
  g_assert_cmpuint (passed, ==, 0);
  g_assert_false (cachet_wizard_test_page_has_passed (page));
  g_assert_cmpstr (accessible_name (page->rows[0].state_image), ==, "Failed");
  g_test_message ("POP3: %s / %s", gtk_label_get_text (page->rows[0].result_label),
                  gtk_label_get_text (page->rows[0].detail_label));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (page->rows[0].result_label),
                                   "Cachet could not reach 127.0.0.1 on port"));
  g_assert_cmpstr (gtk_label_get_text (page->rows[0].detail_label), !=, "");
  g_assert_true (gtk_widget_get_sensitive (page->retry_button));
  g_assert_nonnull (strstr (gtk_label_get_text (page->status_label), "did not work"));

  /* Made-up results: a refused login, a certificate to look at */
  auth = g_error_new_literal (CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH,
                              "127.0.0.1 refused the login (it said: “[AUTH] Authentication "
                              "failed.”). Check the user name and the password.");
  _cachet_wizard_test_page_show_result (page, FALSE, auth, NULL);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (page->rows[0].result_label),
                                   "Wrong password or user name"));
  g_assert_nonnull (strstr (gtk_label_get_text (page->rows[0].detail_label),
                            "[AUTH] Authentication failed."));
  g_assert_false (gtk_widget_get_visible (page->rows[0].certificate_button));

  check = g_new0 (CachetTlsCheck, 1);
  check->sha256_hex = g_strnfill (64, 'a');
  check->subject = g_strdup ("CN=localhost");
  check->issuer = g_strdup ("CN=Someone");
  check->problems = G_TLS_CERTIFICATE_UNKNOWN_CA;
  certificate = g_error_new_literal (CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE,
                                     "not trusted");
  _cachet_wizard_test_page_show_result (page, TRUE, certificate, check);
  g_assert_cmpstr (accessible_name (page->rows[1].state_image), ==, "Certificate not verified");
  g_assert_true (g_str_has_prefix (gtk_label_get_text (page->rows[1].result_label),
                                   "The certificate of 127.0.0.1 could not be verified"));
  g_test_message ("SMTP: %s", gtk_label_get_text (page->rows[1].detail_label));
  g_assert_nonnull (strstr (gtk_label_get_text (page->rows[1].detail_label), "AA:AA:AA"));
  g_assert_true (gtk_widget_get_visible (page->rows[1].certificate_button));
  /* The certificate dialog opened by itself; not trusted, nothing pinned */
  g_assert_nonnull (page->certificate_dialog);
  gtk_dialog_response (GTK_DIALOG (page->certificate_dialog), GTK_RESPONSE_CANCEL);
  g_assert_null (page->certificate_dialog);
  g_assert_null (cachet_account_get_smtp (account)->pinned_sha256);
  /* The button opens it again */
  gtk_button_clicked (GTK_BUTTON (page->rows[1].certificate_button));
  g_assert_nonnull (page->certificate_dialog);

  cachet_wizard_test_page_stop (page);
  g_assert_null (page->certificate_dialog);
  g_assert_null (page->password);
  g_assert_false (gtk_widget_get_sensitive (page->retry_button));
  gtk_widget_destroy (window);
}

/* The whole assistant, as far as it goes without servers ------------------------------------ */

static gboolean
on_review (gpointer data)
{
  return gtk_assistant_get_current_page (data) == 2;
}

static void
test_navigation (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "navigation", NULL);
  g_autoptr(CachetAccountList) accounts = cachet_account_list_new (dir);
  CachetAccountWizard *wizard;
  CachetDiscovery *first_run;

  g_setenv ("CACHET_ISP_DIR", profile_dir, TRUE);
  wizard = CACHET_ACCOUNT_WIZARD (cachet_account_wizard_new (NULL, accounts, NULL));
  gtk_widget_show (GTK_WIDGET (wizard));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (wizard));
  g_assert_cmpint (gtk_assistant_get_current_page (GTK_ASSISTANT (wizard)), ==, 0);
  g_assert_cmpstr (accessible_name (wizard), ==, "Add Mail Account");

  gtk_entry_set_text (wizard->identity_page->name_entry, "Jo Wizard");
  gtk_entry_set_text (wizard->identity_page->address_entry, "jo@wiz.test");
  gtk_entry_set_text (wizard->identity_page->password_entry, "secret");
  g_assert_true (cachet_wizard_identity_page_is_complete (wizard->identity_page));

  /* The search runs, then the settings come by themselves */
  gtk_assistant_next_page (GTK_ASSISTANT (wizard));
  spin_until (on_review, wizard, "the settings page");
  g_assert_cmpstr (gtk_entry_get_text (wizard->review_page->pop3.host_entry), ==, "pop.wiz.test");
  gtk_entry_set_text (wizard->review_page->pop3.user_entry, "typed-by-jo");

  /* Back to the search: shown as it ended, not run again; forward keeps what was typed */
  first_run = wizard->discovery_page->discovery;
  gtk_assistant_previous_page (GTK_ASSISTANT (wizard));
  g_assert_cmpint (gtk_assistant_get_current_page (GTK_ASSISTANT (wizard)), ==, 1);
  g_assert_true (wizard->discovery_page->discovery == first_run);
  g_assert_false (cachet_wizard_discovery_page_is_running (wizard->discovery_page));
  gtk_assistant_next_page (GTK_ASSISTANT (wizard));
  g_assert_cmpint (gtk_assistant_get_current_page (GTK_ASSISTANT (wizard)), ==, 2);
  g_assert_cmpstr (gtk_entry_get_text (wizard->review_page->pop3.user_entry), ==, "typed-by-jo");

  /* Another address: another search, the settings start afresh */
  gtk_assistant_previous_page (GTK_ASSISTANT (wizard));
  gtk_assistant_previous_page (GTK_ASSISTANT (wizard));
  g_assert_cmpint (gtk_assistant_get_current_page (GTK_ASSISTANT (wizard)), ==, 0);
  gtk_entry_set_text (wizard->identity_page->address_entry, "jo.other@wiz.test");
  gtk_assistant_next_page (GTK_ASSISTANT (wizard));
  g_assert_true (wizard->discovery_page->discovery != first_run);
  spin_until (on_review, wizard, "the settings page again");
  g_assert_cmpstr (gtk_entry_get_text (wizard->review_page->pop3.user_entry), ==, "jo.other");

  /* Nothing was saved on the way */
  g_assert_cmpuint (cachet_account_list_get_all (accounts)->len, ==, 0);
  g_assert_null (cachet_account_wizard_get_account (wizard));
  gtk_widget_destroy (GTK_WIDGET (wizard));
  g_unsetenv ("CACHET_ISP_DIR");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) icon_path = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) mime_path = g_ptr_array_new_with_free_func (g_free);
  const char * const *system_dirs = g_get_system_data_dirs ();
  int status;

  /* The isolated XDG_DATA_DIRS of g_test_init() hide the system's icon themes and the
   * MIME database that loading their icons needs. */
  for (guint i = 0; system_dirs[i] != NULL; i++)
    {
      g_ptr_array_add (icon_path, g_build_filename (system_dirs[i], "icons", NULL));
      g_ptr_array_add (mime_path, g_build_filename (system_dirs[i], "mime", NULL));
    }
  g_ptr_array_add (mime_path, NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_content_type_set_mime_dirs ((const char * const *) mime_path->pdata);
  if (g_getenv ("DISPLAY") == NULL || *g_getenv ("DISPLAY") == '\0')
    {
      printf ("1..0 # SKIP no display (run under tests/run-headless.sh)\n");
      return 0;
    }
  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_init (&argc, &argv);
  gtk_icon_theme_set_search_path (gtk_icon_theme_get_default (),
                                  (const char **) icon_path->pdata, (int) icon_path->len);

  profile_dir = g_dir_make_tmp ("cachet-wizard-XXXXXX", &error);
  g_assert_no_error (error);
  profile_path = g_build_filename (profile_dir, "wiz.test.xml", NULL);
  g_file_set_contents (profile_path, WIZ_PROFILE, -1, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ui/wizard/identity", test_identity);
  g_test_add_func ("/ui/wizard/identity-profile", test_identity_profile);
  g_test_add_func ("/ui/wizard/discovery-steps", test_discovery_page);
  g_test_add_func ("/ui/wizard/discovery-cancel", test_discovery_cancel);
  g_test_add_func ("/ui/wizard/review-from-candidate", test_review_from_candidate);
  g_test_add_func ("/ui/wizard/plaintext-needs-confirmation", test_review_plaintext);
  g_test_add_func ("/ui/wizard/review-manual", test_review_manual);
  g_test_add_func ("/ui/wizard/error-texts", test_error_texts);
  g_test_add_func ("/ui/wizard/test-page-errors", test_test_page_errors);
  g_test_add_func ("/ui/wizard/navigation", test_navigation);
  status = g_test_run ();

  g_unlink (profile_path);
  g_rmdir (profile_dir);
  g_free (profile_path);
  g_free (profile_dir);
  return status;
}
