/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-wizard"

#include "config.h"

#include "cachet-wizard-test-page.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-account-wizard-private.h"
#include "cachet-certificate-dialog.h"
#include "cachet-login-check.h"
#include "cachet-net-error.h"

/* Row 0 is the incoming server (POP3), row 1 the outgoing one (SMTP).  Both checks run at
 * once, each in its own worker; a certificate question is asked one at a time. */

G_DEFINE_FINAL_TYPE (CachetWizardTestPage, cachet_wizard_test_page, GTK_TYPE_BOX)

enum
{
  PASSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *const protocols[] = { "pop3", "smtp" };

static const CachetServerSettings *
server_of (CachetWizardTestPage *self,
           int                   i)
{
  return i == 0 ? cachet_account_get_pop3 (self->account) : cachet_account_get_smtp (self->account);
}

static void
wipe_password (CachetWizardTestPage *self)
{
  if (self->password != NULL)
    {
      explicit_bzero (self->password, strlen (self->password));
      g_clear_pointer (&self->password, g_free);
    }
}

static void
set_row_state (CachetWizardCheckRow *row,
               const char           *icon,
               const char           *words)
{
  GtkSpinner *spinner = GTK_SPINNER (gtk_stack_get_child_by_name (row->icon_stack, "spinner"));

  if (icon == NULL)
    {
      gtk_spinner_start (spinner);
      gtk_stack_set_visible_child_name (row->icon_stack, "spinner");
    }
  else
    {
      gtk_spinner_stop (spinner);
      gtk_image_set_from_icon_name (row->state_image, icon, GTK_ICON_SIZE_DND);
      gtk_stack_set_visible_child_name (row->icon_stack, "state");
    }
  atk_object_set_name (gtk_widget_get_accessible (GTK_WIDGET (row->state_image)), words);
}

static void
show_server (CachetWizardTestPage *self,
             int                   i)
{
  const CachetServerSettings *s = server_of (self, i);
  g_autofree char *where = cachet_format_host_port (s->host, s->port);
  g_autofree char *text = NULL;
  const char *security = s->security == CACHET_SECURITY_TLS ? _("TLS")
                         : s->security == CACHET_SECURITY_STARTTLS ? _("STARTTLS")
                         : _("not encrypted");

  /* Translators: "Incoming mail (POP3): pop.example.com:995, TLS, user jo@example.com" */
  text = g_strdup_printf (i == 0 ? _("Incoming mail (POP3): %s, %s, user %s")
                                 : _("Outgoing mail (SMTP): %s, %s, user %s"),
                          where, security, s->user != NULL ? s->user : "");
  gtk_label_set_text (self->rows[i].server_label, text);
}

static void ask_certificate (CachetWizardTestPage *self, int i);
static void run_check (CachetWizardTestPage *self, int i);

static void
finish_if_done (CachetWizardTestPage *self)
{
  if (self->rows[0].running || self->rows[1].running || self->passed)
    return;
  if (self->rows[0].ok && self->rows[1].ok)
    {
      self->passed = TRUE;
      gtk_widget_set_sensitive (self->retry_button, FALSE);
      gtk_label_set_text (self->status_label, _("Both servers accepted the login."));
      wipe_password (self);
      g_signal_emit (self, signals[PASSED], 0);
      return;
    }
  gtk_widget_set_sensitive (self->retry_button, self->password != NULL);
  gtk_label_set_text (self->status_label,
                      _("The login did not work everywhere. Go back to change the settings, "
                        "or try again."));
}

/* The user trusts the certificate @sha256 of row @i's host: pin it, and check again
 * every row that stopped at that very certificate on that host. */
static void
trust (CachetWizardTestPage *self,
       int                   i,
       const char           *sha256)
{
  /* A copy: pinning replaces the account's server settings, host and all. */
  g_autofree char *host = g_strdup (server_of (self, i)->host);

  for (int j = 0; j < 2; j++)
    {
      CachetWizardCheckRow *row = &self->rows[j];

      if (j != i && (row->tls_check == NULL || row->running
                     || g_strcmp0 (row->tls_check->sha256_hex, sha256) != 0
                     || g_strcmp0 (server_of (self, j)->host, host) != 0))
        continue;
      g_free (self->trusted_sha256[j]);
      self->trusted_sha256[j] = g_strdup (sha256);
      cachet_account_pin_certificate (self->account, protocols[j], sha256);
      show_server (self, j);
      run_check (self, j);
    }
}

void
_cachet_wizard_test_page_show_result (CachetWizardTestPage *self,
                                      gboolean              smtp,
                                      const GError         *error,
                                      CachetTlsCheck       *tls_check)
{
  int i = smtp ? 1 : 0;
  CachetWizardCheckRow *row = &self->rows[i];
  const CachetServerSettings *s = server_of (self, i);
  g_autofree char *plain = NULL;
  g_autofree char *detail = NULL;
  const char *other_trusted = self->trusted_sha256[1 - i];

  row->running = FALSE;
  g_clear_pointer (&row->tls_check, cachet_tls_check_free);
  row->ok = error == NULL;
  gtk_widget_hide (row->certificate_button);
  if (error == NULL)
    {
      set_row_state (row, "object-select-symbolic", _("Passed"));
      gtk_label_set_text (row->result_label,
                          smtp ? _("Logged in: you can send mail through this server.")
                               : _("Logged in: Cachet can get your mail from this server."));
      gtk_label_set_text (row->detail_label, "");
      return;
    }

  plain = cachet_login_check_explain (error, smtp, s);
  if (g_error_matches (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE)
      && tls_check != NULL)
    {
      row->tls_check = tls_check;
      detail = cachet_tls_check_describe (tls_check, s->host);
      set_row_state (row, "dialog-warning-symbolic", _("Certificate not verified"));
      gtk_widget_show (row->certificate_button);
    }
  else
    {
      if (tls_check != NULL)
        cachet_tls_check_free (tls_check);
      detail = g_strdup (error->message);
      set_row_state (row, "dialog-error-symbolic", _("Failed"));
    }
  gtk_label_set_text (row->result_label, plain != NULL ? plain : "");
  gtk_label_set_text (row->detail_label, detail);

  /* The same certificate the user just trusted for the other server of this host. */
  if (row->tls_check != NULL && other_trusted != NULL
      && g_strcmp0 (row->tls_check->sha256_hex, other_trusted) == 0
      && g_strcmp0 (server_of (self, 1 - i)->host, s->host) == 0 && self->password != NULL)
    {
      trust (self, i, other_trusted);
      return;
    }
  if (row->tls_check != NULL && !row->asked && self->certificate_dialog == NULL
      && gtk_widget_get_mapped (GTK_WIDGET (self)))
    ask_certificate (self, i);
}

typedef struct
{
  CachetWizardTestPage *self;
  GCancellable         *cancellable;
  int                   index;
} CheckCall;

static void
check_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  CheckCall *call = data;
  g_autoptr(CachetWizardTestPage) self = call->self;
  g_autoptr(GCancellable) cancellable = call->cancellable;
  g_autoptr(GError) error = NULL;
  CachetTlsCheck *tls_check = NULL;
  int i = call->index;

  g_free (call);
  cachet_login_check_finish (result, &tls_check, &error);
  if (g_cancellable_is_cancelled (cancellable) || self->rows[i].cancellable != cancellable)
    {
      g_clear_pointer (&tls_check, cachet_tls_check_free);
      return;   /* stopped, or started again */
    }
  g_clear_object (&self->rows[i].cancellable);
  _cachet_wizard_test_page_show_result (self, i == 1, error, tls_check);
  finish_if_done (self);
}

static void
run_check (CachetWizardTestPage *self,
           int                   i)
{
  CachetWizardCheckRow *row = &self->rows[i];
  CheckCall *call;

  if (self->password == NULL)
    return;
  if (row->cancellable != NULL)
    g_cancellable_cancel (row->cancellable);
  g_clear_object (&row->cancellable);
  row->cancellable = g_cancellable_new ();
  row->running = TRUE;
  row->ok = FALSE;
  g_clear_pointer (&row->tls_check, cachet_tls_check_free);
  set_row_state (row, NULL, _("Checking"));
  gtk_label_set_text (row->result_label, _("Logging in…"));
  gtk_label_set_text (row->detail_label, "");
  gtk_widget_hide (row->certificate_button);
  gtk_widget_set_sensitive (self->retry_button, FALSE);
  gtk_label_set_text (self->status_label,
                      _("Cachet logs in to both servers to check the settings and the "
                        "password. Nothing is fetched or sent."));

  call = g_new0 (CheckCall, 1);
  call->self = g_object_ref (self);
  call->cancellable = g_object_ref (row->cancellable);
  call->index = i;
  cachet_login_check_async (server_of (self, i), i == 1,
                            cachet_account_get_ca_file (self->account), self->password,
                            row->cancellable, check_done_cb, call);
}

static void
certificate_response_cb (GtkDialog            *dialog,
                         int                   response,
                         CachetWizardTestPage *self)
{
  g_autofree char *sha256 = g_strdup (cachet_certificate_dialog_get_fingerprint (
                                        CACHET_CERTIFICATE_DIALOG (dialog)));
  int i = self->dialog_row;

  self->certificate_dialog = NULL;
  gtk_widget_destroy (GTK_WIDGET (dialog));
  if (response == GTK_RESPONSE_ACCEPT && self->rows[i].tls_check != NULL)
    trust (self, i, sha256);
  /* The other server may be waiting with a question of its own. */
  for (int j = 0; j < 2; j++)
    if (self->certificate_dialog == NULL && self->rows[j].tls_check != NULL
        && !self->rows[j].asked && !self->rows[j].running)
      ask_certificate (self, j);
}

static void
ask_certificate (CachetWizardTestPage *self,
                 int                   i)
{
  GtkWidget *toplevel = gtk_widget_get_toplevel (GTK_WIDGET (self));
  const char *name = cachet_account_get_name (self->account);

  if (self->certificate_dialog != NULL || self->rows[i].tls_check == NULL)
    return;
  self->rows[i].asked = TRUE;
  self->dialog_row = i;
  self->certificate_dialog =
    cachet_certificate_dialog_new (GTK_IS_WINDOW (toplevel) ? GTK_WINDOW (toplevel) : NULL,
                                   name != NULL ? name : cachet_account_get_address (self->account),
                                   server_of (self, i)->host, self->rows[i].tls_check);
  g_signal_connect_object (self->certificate_dialog, "response",
                           G_CALLBACK (certificate_response_cb), self, 0);
  gtk_widget_show (self->certificate_dialog);
}

static void
certificate_clicked_cb (GtkButton            *button,
                        CachetWizardTestPage *self)
{
  for (int i = 0; i < 2; i++)
    if (GTK_WIDGET (button) == self->rows[i].certificate_button)
      ask_certificate (self, i);
}

static void
retry_clicked_cb (CachetWizardTestPage *self)
{
  for (int i = 0; i < 2; i++)
    if (!self->rows[i].ok && !self->rows[i].running)
      {
        self->rows[i].asked = FALSE;
        run_check (self, i);
      }
}

static void
add_row (CachetWizardTestPage *self,
         int                   i)
{
  CachetWizardCheckRow *row = &self->rows[i];
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkLabel *labels[3];
  PangoAttrList *bold = pango_attr_list_new ();

  row->icon_stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_valign (GTK_WIDGET (row->icon_stack), GTK_ALIGN_START);
  gtk_stack_add_named (row->icon_stack, gtk_spinner_new (), "spinner");
  row->state_image = GTK_IMAGE (gtk_image_new ());
  gtk_stack_add_named (row->icon_stack, GTK_WIDGET (row->state_image), "state");

  for (int l = 0; l < 3; l++)
    {
      labels[l] = GTK_LABEL (gtk_label_new (""));
      gtk_label_set_xalign (labels[l], 0);
      gtk_label_set_line_wrap (labels[l], TRUE);
      gtk_label_set_line_wrap_mode (labels[l], PANGO_WRAP_WORD_CHAR);
      gtk_label_set_max_width_chars (labels[l], 64);
      gtk_label_set_selectable (labels[l], l > 0);
      gtk_widget_set_can_focus (GTK_WIDGET (labels[l]), FALSE);
      gtk_container_add (GTK_CONTAINER (box), GTK_WIDGET (labels[l]));
    }
  row->server_label = labels[0];
  row->result_label = labels[1];
  row->detail_label = labels[2];
  pango_attr_list_insert (bold, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  gtk_label_set_attributes (row->server_label, bold);
  pango_attr_list_unref (bold);
  gtk_style_context_add_class (gtk_widget_get_style_context (GTK_WIDGET (row->detail_label)),
                               "dim-label");
  atk_object_set_name (gtk_widget_get_accessible (GTK_WIDGET (row->result_label)),
                       i == 0 ? _("Incoming server result") : _("Outgoing server result"));
  atk_object_set_name (gtk_widget_get_accessible (GTK_WIDGET (row->detail_label)),
                       i == 0 ? _("Incoming server details") : _("Outgoing server details"));

  row->certificate_button = gtk_button_new_with_mnemonic (_("_Look at the Certificate…"));
  gtk_widget_set_halign (row->certificate_button, GTK_ALIGN_START);
  gtk_widget_set_no_show_all (row->certificate_button, TRUE);
  atk_object_set_name (gtk_widget_get_accessible (row->certificate_button),
                       i == 0 ? _("Look at the incoming server’s certificate")
                              : _("Look at the outgoing server’s certificate"));
  g_signal_connect (row->certificate_button, "clicked", G_CALLBACK (certificate_clicked_cb),
                    self);
  gtk_container_add (GTK_CONTAINER (box), row->certificate_button);
  gtk_widget_set_hexpand (box, TRUE);

  gtk_grid_attach (self->rows_grid, GTK_WIDGET (row->icon_stack), 0, i, 1, 1);
  gtk_grid_attach (self->rows_grid, box, 1, i, 1, 1);
  gtk_widget_show_all (GTK_WIDGET (row->icon_stack));
  gtk_widget_show_all (box);
  gtk_widget_hide (row->certificate_button);
}

/* Stops what runs; touches no widget (also for dispose). */
static void
stop_checks (CachetWizardTestPage *self)
{
  for (int i = 0; i < 2; i++)
    {
      CachetWizardCheckRow *row = &self->rows[i];

      if (row->cancellable != NULL)
        g_cancellable_cancel (row->cancellable);
      g_clear_object (&row->cancellable);
      row->running = FALSE;
    }
  g_clear_pointer (&self->certificate_dialog, gtk_widget_destroy);
  wipe_password (self);
}

static void
cachet_wizard_test_page_dispose (GObject *object)
{
  CachetWizardTestPage *self = CACHET_WIZARD_TEST_PAGE (object);

  stop_checks (self);
  g_clear_object (&self->account);
  G_OBJECT_CLASS (cachet_wizard_test_page_parent_class)->dispose (object);
}

static void
cachet_wizard_test_page_finalize (GObject *object)
{
  CachetWizardTestPage *self = CACHET_WIZARD_TEST_PAGE (object);

  wipe_password (self);
  for (int i = 0; i < 2; i++)
    {
      g_clear_pointer (&self->rows[i].tls_check, cachet_tls_check_free);
      g_free (self->trusted_sha256[i]);
    }
  G_OBJECT_CLASS (cachet_wizard_test_page_parent_class)->finalize (object);
}

static void
cachet_wizard_test_page_class_init (CachetWizardTestPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_wizard_test_page_dispose;
  object_class->finalize = cachet_wizard_test_page_finalize;

  signals[PASSED] = g_signal_new ("passed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-wizard-test-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetWizardTestPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, CachetWizardTestPage, rows_grid);
  gtk_widget_class_bind_template_child (widget_class, CachetWizardTestPage, retry_button);
  gtk_widget_class_bind_template_callback (widget_class, retry_clicked_cb);
}

static void
cachet_wizard_test_page_init (CachetWizardTestPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  add_row (self, 0);
  add_row (self, 1);
}

GtkWidget *
cachet_wizard_test_page_new (void)
{
  return g_object_new (CACHET_TYPE_WIZARD_TEST_PAGE, NULL);
}

void
cachet_wizard_test_page_start (CachetWizardTestPage *self,
                               CachetAccount        *account,
                               const char           *password)
{
  g_return_if_fail (CACHET_IS_WIZARD_TEST_PAGE (self));
  g_return_if_fail (CACHET_IS_ACCOUNT (account));
  g_return_if_fail (password != NULL);

  cachet_wizard_test_page_stop (self);
  g_set_object (&self->account, account);
  self->password = g_strdup (password);
  self->passed = FALSE;
  for (int i = 0; i < 2; i++)
    {
      self->rows[i].asked = FALSE;
      g_clear_pointer (&self->trusted_sha256[i], g_free);
      show_server (self, i);
    }
  run_check (self, 0);
  run_check (self, 1);
}

void
cachet_wizard_test_page_stop (CachetWizardTestPage *self)
{
  g_return_if_fail (CACHET_IS_WIZARD_TEST_PAGE (self));

  stop_checks (self);
  gtk_widget_set_sensitive (self->retry_button, FALSE);
}

gboolean
cachet_wizard_test_page_has_passed (CachetWizardTestPage *self)
{
  g_return_val_if_fail (CACHET_IS_WIZARD_TEST_PAGE (self), FALSE);
  return self->passed;
}

void
cachet_wizard_test_page_set_status (CachetWizardTestPage *self,
                                    const char           *text)
{
  g_return_if_fail (CACHET_IS_WIZARD_TEST_PAGE (self));
  gtk_label_set_text (self->status_label, text);
}
