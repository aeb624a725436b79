/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cachet-account-wizard-private.h"
#include "cachet-certificate-dialog.h"
#include "cachet-test-servers.h"

/* The wizard's login test against the real Dovecot and Postfix of tests/servers: both
 * logins pass; a wrong password is said in plain words on both servers; an unverified
 * certificate is shown once, and trusting it pins it on both servers of the host (the
 * same certificate) and the logins pass.  In-process, under Xvfb. */

static CachetTestServers *servers;

typedef gboolean (*Condition) (gpointer data);

static void
spin_until (Condition    done,
            gpointer     data,
            const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("gave up waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
checks_over (gpointer data)
{
  CachetWizardTestPage *page = data;

  return !page->rows[0].running && !page->rows[1].running;
}

static gboolean
dialog_or_over (gpointer data)
{
  CachetWizardTestPage *page = data;

  return page->certificate_dialog != NULL || checks_over (page);
}

static CachetAccount *
account_for (CachetTestCert  cert,
             const char     *ca_file)
{
  const CachetTestUser *alice = cachet_test_servers_get_user (servers, "alice");
  CachetAccount *account = cachet_account_new (alice->login);
  g_autoptr(CachetServerSettings) pop3 = cachet_server_settings_new (FALSE);
  g_autoptr(CachetServerSettings) smtp = cachet_server_settings_new (TRUE);

  pop3->host = g_strdup ("127.0.0.1");
  pop3->port = servers->certs[cert].pop3s_port;
  pop3->security = CACHET_SECURITY_TLS;
  pop3->user = g_strdup (alice->login);
  smtp->host = g_strdup ("127.0.0.1");
  smtp->port = servers->certs[cert].submission_port;
  smtp->security = CACHET_SECURITY_STARTTLS;
  smtp->user = g_strdup (alice->login);
  cachet_account_set_address (account, alice->login);
  cachet_account_set_pop3 (account, pop3);
  cachet_account_set_smtp (account, smtp);
  cachet_account_set_ca_file (account, ca_file);
  return account;
}

static CachetWizardTestPage *
new_page (GtkWidget **window)
{
  CachetWizardTestPage *page = CACHET_WIZARD_TEST_PAGE (cachet_wizard_test_page_new ());

  *window = gtk_window_new (GTK_WINDOW_TOPLEVEL);
  gtk_container_add (GTK_CONTAINER (*window), GTK_WIDGET (page));
  gtk_widget_show_all (*window);
  gtk_test_widget_wait_for_draw (*window);
  return page;
}

static void
test_pass (void)
{
  GtkWidget *window;
  CachetWizardTestPage *page = new_page (&window);
  g_autoptr(CachetAccount) account = account_for (CACHET_TEST_CERT_GOOD, servers->ca_file);
  guint passed = 0;

  g_signal_connect_swapped (page, "passed", G_CALLBACK (g_atomic_int_inc), &passed);
  cachet_wizard_test_page_start (page, account,
                                 cachet_test_servers_get_user (servers, "alice")->password);
  spin_until (checks_over, page, "both logins");
  g_test_message ("POP3: %s %s", gtk_label_get_text (page->rows[0].result_label),
                  gtk_label_get_text (page->rows[0].detail_label));
  g_test_message ("SMTP: %s %s", gtk_label_get_text (page->rows[1].result_label),
                  gtk_label_get_text (page->rows[1].detail_label));
  g_assert_true (page->rows[0].ok);
  g_assert_true (page->rows[1].ok);
  g_assert_cmpuint (passed, ==, 1);
  g_assert_true (cachet_wizard_test_page_has_passed (page));
  g_assert_null (page->password);   /* wiped once it was no longer needed */
  g_assert_null (page->certificate_dialog);
  g_assert_null (cachet_account_get_pop3 (account)->pinned_sha256);
  g_assert_null (cachet_account_get_smtp (account)->pinned_sha256);
  g_assert_cmpstr (gtk_label_get_text (page->status_label), ==,
                   "Both servers accepted the login.");
  gtk_widget_destroy (window);
}

static void
test_wrong_password (void)
{
  GtkWidget *window;
  CachetWizardTestPage *page = new_page (&window);
  g_autoptr(CachetAccount) account = account_for (CACHET_TEST_CERT_GOOD, servers->ca_file);
  guint passed = 0;

  g_signal_connect_swapped (page, "passed", G_CALLBACK (g_atomic_int_inc), &passed);
  cachet_wizard_test_page_start (page, account, "not-alices-password");
  spin_until (checks_over, page, "both logins to be refused");
  g_assert_cmpuint (passed, ==, 0);
  for (int i = 0; i < 2; i++)
    {
      g_test_message ("%d: %s / %s", i, gtk_label_get_text (page->rows[i].result_label),
                      gtk_label_get_text (page->rows[i].detail_label));
      g_assert_false (page->rows[i].ok);
      g_assert_true (g_str_has_prefix (gtk_label_get_text (page->rows[i].result_label),
                                       "Wrong password or user name: 127.0.0.1 did not accept "
                                       "the login of “alice@example.test”."));
      /* The server's own words below */
      g_assert_nonnull (strstr (gtk_label_get_text (page->rows[i].detail_label), "said"));
    }
  g_assert_true (gtk_widget_get_sensitive (page->retry_button));
  gtk_widget_destroy (window);
}

static void
test_trust_certificate (void)
{
  GtkWidget *window;
  CachetWizardTestPage *page = new_page (&window);
  /* Self-signed: no CA file helps; the user must decide */
  g_autoptr(CachetAccount) account = account_for (CACHET_TEST_CERT_SELF_SIGNED, NULL);
  const char *sha256 = servers->certs[CACHET_TEST_CERT_SELF_SIGNED].sha256;
  guint passed = 0;

  g_signal_connect_swapped (page, "passed", G_CALLBACK (g_atomic_int_inc), &passed);
  cachet_wizard_test_page_start (page, account,
                                 cachet_test_servers_get_user (servers, "alice")->password);
  spin_until (dialog_or_over, page, "the certificate question");
  g_assert_nonnull (page->certificate_dialog);
  g_assert_cmpstr (cachet_certificate_dialog_get_fingerprint (
                     CACHET_CERTIFICATE_DIALOG (page->certificate_dialog)), ==, sha256);
  g_assert_true (gtk_widget_get_visible (page->rows[page->dialog_row].certificate_button));
  g_assert_nonnull (strstr (gtk_label_get_text (page->rows[page->dialog_row].result_label),
                            "could not be verified"));
  gtk_dialog_response (GTK_DIALOG (page->certificate_dialog), GTK_RESPONSE_ACCEPT);

  /* One question for both servers: the same certificate on the same host */
  spin_until (checks_over, page, "both logins after trusting the certificate");
  g_assert_null (page->certificate_dialog);
  g_assert_true (page->rows[0].ok);
  g_assert_true (page->rows[1].ok);
  g_assert_cmpuint (passed, ==, 1);
  g_assert_cmpstr (cachet_account_get_pop3 (account)->pinned_sha256, ==, sha256);
  g_assert_cmpstr (cachet_account_get_smtp (account)->pinned_sha256, ==, sha256);
  gtk_widget_destroy (window);
}

static void
test_refuse_certificate (void)
{
  GtkWidget *window;
  CachetWizardTestPage *page = new_page (&window);
  g_autoptr(CachetAccount) account = account_for (CACHET_TEST_CERT_SELF_SIGNED, NULL);

  cachet_wizard_test_page_start (page, account,
                                 cachet_test_servers_get_user (servers, "alice")->password);
  spin_until (dialog_or_over, page, "the certificate question");
  g_assert_nonnull (page->certificate_dialog);
  gtk_dialog_response (GTK_DIALOG (page->certificate_dialog), GTK_RESPONSE_CANCEL);
  spin_until (checks_over, page, "both checks");
  /* The other server's question comes next; refused as well */
  while (page->certificate_dialog != NULL)
    gtk_dialog_response (GTK_DIALOG (page->certificate_dialog), GTK_RESPONSE_CANCEL);
  g_assert_false (page->rows[0].ok);
  g_assert_false (page->rows[1].ok);
  g_assert_false (cachet_wizard_test_page_has_passed (page));
  g_assert_null (cachet_account_get_pop3 (account)->pinned_sha256);
  g_assert_null (cachet_account_get_smtp (account)->pinned_sha256);
  gtk_widget_destroy (window);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *skip = NULL;
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
  servers = cachet_test_servers_start (CACHET_TEST_SERVERS_ALL, &skip, &error);
  if (skip != NULL)
    return cachet_test_skip_all (skip);
  g_assert_no_error (error);
  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_init (&argc, &argv);
  gtk_icon_theme_set_search_path (gtk_icon_theme_get_default (),
                                  (const char **) icon_path->pdata, (int) icon_path->len);

  g_test_add_func ("/ui/wizard/login/pass", test_pass);
  g_test_add_func ("/ui/wizard/login/wrong-password", test_wrong_password);
  g_test_add_func ("/ui/wizard/login/trust-certificate", test_trust_certificate);
  g_test_add_func ("/ui/wizard/login/refuse-certificate", test_refuse_certificate);
  status = g_test_run ();
  cachet_test_servers_free (servers);
  return status;
}
