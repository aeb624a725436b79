/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-account-editor"

#include "config.h"

#include "cachet-account-editor.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-account-editor-private.h"
#include "cachet-secrets.h"

/* The form for one account.  Widgets are filled from an account and read back into a copy
 * ("staged"), which is checked with cachet_account_validate() before anything is stored.
 * Saving is in cachet-account-editor-save.c. */

G_DEFINE_FINAL_TYPE (CachetAccountEditor, cachet_account_editor, GTK_TYPE_DIALOG)

/* Widgets <-> values ------------------------------------------------------------------------ */

static char *
entry_text (GtkEntry *entry)
{
  char *text = g_strstrip (g_strdup (gtk_entry_get_text (entry)));

  if (text[0] == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

static void
set_entry (GtkEntry   *entry,
           const char *text)
{
  gtk_entry_set_text (entry, text != NULL ? text : "");
}

static CachetSecurity
combo_security (GtkComboBox *combo)
{
  CachetSecurity security = CACHET_SECURITY_TLS;

  cachet_security_from_string (gtk_combo_box_get_active_id (combo), &security);
  return security;
}

static CachetAuthMethod
combo_auth (GtkComboBox *combo)
{
  CachetAuthMethod auth = CACHET_AUTH_AUTO;

  cachet_auth_method_from_string (gtk_combo_box_get_active_id (combo), &auth);
  return auth;
}

static void
show_plain_labels (CachetAccountEditor *self)
{
  gtk_widget_set_visible (self->pop3_plain_label,
                          combo_security (self->pop3_security_combo) == CACHET_SECURITY_PLAIN);
  gtk_widget_set_visible (self->smtp_plain_label,
                          combo_security (self->smtp_security_combo) == CACHET_SECURITY_PLAIN);
}

static void
update_sensitivity (CachetAccountEditor *self)
{
  gboolean smtp_login = combo_auth (self->smtp_auth_combo) != CACHET_AUTH_NONE;
  const char *large = gtk_combo_box_get_active_id (self->large_combo);

  gtk_widget_set_sensitive (GTK_WIDGET (self->smtp_user_entry), smtp_login);
  gtk_widget_set_sensitive (GTK_WIDGET (self->smtp_own_password_check), smtp_login);
  gtk_widget_set_sensitive (GTK_WIDGET (self->smtp_password_entry),
                            smtp_login && gtk_toggle_button_get_active (self->smtp_own_password_check));
  gtk_widget_set_sensitive (GTK_WIDGET (self->delete_days_spin),
                            gtk_toggle_button_get_active (self->delete_days_radio));
  gtk_widget_set_sensitive (GTK_WIDGET (self->large_size_spin),
                            g_strcmp0 (large, "fetch") != 0);
  gtk_widget_set_sensitive (self->ca_file_clear_button, self->ca_file != NULL);
}

static void
fill_server (CachetAccountEditor        *self,
             const CachetServerSettings *s,
             gboolean                    smtp)
{
  GtkEntry *host = smtp ? self->smtp_host_entry : self->pop3_host_entry;
  GtkSpinButton *port = smtp ? self->smtp_port_spin : self->pop3_port_spin;
  GtkComboBox *security = smtp ? self->smtp_security_combo : self->pop3_security_combo;
  GtkEntry *user = smtp ? self->smtp_user_entry : self->pop3_user_entry;
  GtkComboBox *auth = smtp ? self->smtp_auth_combo : self->pop3_auth_combo;

  set_entry (host, s->host);
  gtk_spin_button_set_value (port, s->port);
  gtk_combo_box_set_active_id (security, cachet_security_to_string (s->security));
  set_entry (user, s->user);
  if (!gtk_combo_box_set_active_id (auth, cachet_auth_method_to_string (s->auth)))
    gtk_combo_box_set_active_id (auth, "auto");
  if (smtp)
    self->smtp_security = s->security;
  else
    self->pop3_security = s->security;
}

static void
fill (CachetAccountEditor *self,
      CachetAccount       *account)
{
  const CachetServerSettings *pop3 = cachet_account_get_pop3 (account);
  const CachetServerSettings *smtp = cachet_account_get_smtp (account);
  guint64 large = cachet_account_get_large_size (account);

  self->filling = TRUE;
  set_entry (self->name_entry, cachet_account_get_name (account));
  set_entry (self->address_entry, cachet_account_get_address (account));
  set_entry (self->display_name_entry, cachet_account_get_display_name (account));
  _cachet_account_editor_set_ca_file (self, cachet_account_get_ca_file (account));
  fill_server (self, pop3, FALSE);
  fill_server (self, smtp, TRUE);
  /* The SMTP user is shown only when it differs from the POP3 one. */
  if (g_strcmp0 (smtp->user, pop3->user) == 0)
    set_entry (self->smtp_user_entry, NULL);

  switch (cachet_account_get_server_policy (account))
    {
    case CACHET_DELETE_AFTER_DAYS:
      gtk_toggle_button_set_active (self->delete_days_radio, TRUE);
      break;
    case CACHET_DELETE_AFTER_FETCH:
      gtk_toggle_button_set_active (self->delete_fetch_radio, TRUE);
      break;
    case CACHET_KEEP_ON_SERVER:
    default:
      gtk_toggle_button_set_active (self->keep_radio, TRUE);
      break;
    }
  if (cachet_account_get_delete_after_days (account) > 0)
    gtk_spin_button_set_value (self->delete_days_spin,
                               cachet_account_get_delete_after_days (account));
  gtk_toggle_button_set_active (self->delete_local_check,
                                cachet_account_get_delete_when_deleted_locally (account));
  gtk_combo_box_set_active_id (self->large_combo,
                               cachet_large_policy_to_string (cachet_account_get_large_policy (account)));
  if (large > 0)
    gtk_spin_button_set_value (self->large_size_spin,
                               MAX (1, (large + (1 << 20) - 1) >> 20));
  gtk_spin_button_set_value (self->interval_spin, cachet_account_get_check_interval (account));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->signature_view),
                            cachet_account_get_signature (account) != NULL
                            ? cachet_account_get_signature (account) : "", -1);
  show_plain_labels (self);
  update_sensitivity (self);
  self->filling = FALSE;
}

static void
read_server (CachetAccountEditor  *self,
             gboolean              smtp,
             CachetServerSettings *s,
             const CachetServerSettings *before)
{
  GtkEntry *host = smtp ? self->smtp_host_entry : self->pop3_host_entry;
  GtkSpinButton *port = smtp ? self->smtp_port_spin : self->pop3_port_spin;
  GtkComboBox *security = smtp ? self->smtp_security_combo : self->pop3_security_combo;
  GtkEntry *user = smtp ? self->smtp_user_entry : self->pop3_user_entry;
  GtkComboBox *auth = smtp ? self->smtp_auth_combo : self->pop3_auth_combo;

  g_free (s->host);
  g_free (s->user);
  s->host = entry_text (host);
  /* "[::1]" typed with its brackets: they belong to host:port, not to the host. */
  if (s->host != NULL && s->host[0] == '[' && s->host[strlen (s->host) - 1] == ']')
    {
      char *bare = g_strndup (s->host + 1, strlen (s->host) - 2);
      g_free (s->host);
      s->host = bare;
    }
  s->port = (guint16) gtk_spin_button_get_value_as_int (port);
  s->security = combo_security (security);
  s->auth = combo_auth (auth);
  s->user = entry_text (user);
  if (smtp && s->auth == CACHET_AUTH_NONE)
    g_clear_pointer (&s->user, g_free);
  else if (smtp && s->user == NULL)
    s->user = entry_text (self->pop3_user_entry);
  /* An accepted certificate belongs to the server it was accepted for. */
  g_clear_pointer (&s->pinned_sha256, g_free);
  if (before != NULL && before->pinned_sha256 != NULL
      && g_strcmp0 (before->host, s->host) == 0 && before->port == s->port)
    s->pinned_sha256 = g_strdup (before->pinned_sha256);
}

/* The form as an account (a copy: the edited account is changed only once saved). */
static CachetAccount *
read_form (CachetAccountEditor *self)
{
  g_autoptr(CachetAccount) account = NULL;
  g_autoptr(CachetServerSettings) pop3 = NULL;
  g_autoptr(CachetServerSettings) smtp = NULL;
  g_autofree char *name = entry_text (self->name_entry);
  g_autofree char *address = entry_text (self->address_entry);
  g_autofree char *display_name = entry_text (self->display_name_entry);
  const char *large = gtk_combo_box_get_active_id (self->large_combo);
  CachetLargeMessagePolicy large_policy = CACHET_LARGE_FETCH;
  GtkSpinButton *spins[] = { self->pop3_port_spin, self->smtp_port_spin, self->delete_days_spin,
                             self->large_size_spin, self->interval_spin };

  /* A number typed but not yet taken (no Enter, no focus change) counts too. */
  for (gsize i = 0; i < G_N_ELEMENTS (spins); i++)
    gtk_spin_button_update (spins[i]);

  if (self->account != NULL)
    account = cachet_account_dup (self->account);
  else
    {
      g_autofree char *id = cachet_account_list_make_id (self->accounts, name);
      account = cachet_account_new_with_id (id, name);
    }
  cachet_account_set_name (account, name);
  cachet_account_set_address (account, address);
  cachet_account_set_display_name (account, display_name);

  pop3 = cachet_server_settings_copy (cachet_account_get_pop3 (account));
  smtp = cachet_server_settings_copy (cachet_account_get_smtp (account));
  read_server (self, FALSE, pop3, self->account ? cachet_account_get_pop3 (self->account) : NULL);
  read_server (self, TRUE, smtp, self->account ? cachet_account_get_smtp (self->account) : NULL);
  cachet_account_set_pop3 (account, pop3);
  cachet_account_set_smtp (account, smtp);

  if (gtk_toggle_button_get_active (self->delete_days_radio))
    cachet_account_set_server_policy (account, CACHET_DELETE_AFTER_DAYS);
  else if (gtk_toggle_button_get_active (self->delete_fetch_radio))
    cachet_account_set_server_policy (account, CACHET_DELETE_AFTER_FETCH);
  else
    cachet_account_set_server_policy (account, CACHET_KEEP_ON_SERVER);
  cachet_account_set_delete_after_days (account,
                                        gtk_spin_button_get_value_as_int (self->delete_days_spin));
  cachet_account_set_delete_when_deleted_locally (account,
                                                  gtk_toggle_button_get_active (self->delete_local_check));
  cachet_large_policy_from_string (large, &large_policy);
  cachet_account_set_large_policy (account, large_policy);
  cachet_account_set_large_size (account, large_policy == CACHET_LARGE_FETCH
                                          ? 0
                                          : (guint64) gtk_spin_button_get_value_as_int (self->large_size_spin) << 20);
  cachet_account_set_ca_file (account, self->ca_file);
  cachet_account_set_check_interval (account,
                                     gtk_spin_button_get_value_as_int (self->interval_spin));
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->signature_view);
    GtkTextIter start, end;
    g_autofree char *signature = NULL;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    signature = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    cachet_account_set_signature (account, signature);
  }
  return g_steal_pointer (&account);
}

CachetAccount *
_cachet_account_editor_read_form (CachetAccountEditor *self)
{
  return read_form (self);
}

/* Plain security: asked for explicitly -------------------------------------------------------- */

static void
set_security_silently (CachetAccountEditor *self,
                       GtkComboBox         *combo,
                       CachetSecurity       security)
{
  self->filling = TRUE;
  gtk_combo_box_set_active_id (combo, cachet_security_to_string (security));
  self->filling = FALSE;
}

/* Follows the port along when it was the default of the protection it had. */
static void
security_now (CachetAccountEditor *self,
              gboolean             smtp,
              CachetSecurity       before,
              CachetSecurity       after)
{
  GtkSpinButton *port = smtp ? self->smtp_port_spin : self->pop3_port_spin;

  if (gtk_spin_button_get_value_as_int (port) == cachet_security_default_port (before, smtp))
    gtk_spin_button_set_value (port, cachet_security_default_port (after, smtp));
  if (smtp)
    self->smtp_security = after;
  else
    self->pop3_security = after;
  show_plain_labels (self);
}

static void
plain_response_cb (GtkDialog *dialog,
                   int        response,
                   gpointer   data)
{
  CachetAccountEditor *self = data;
  gboolean smtp = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "smtp"));
  GtkComboBox *combo = smtp ? self->smtp_security_combo : self->pop3_security_combo;
  CachetSecurity before = smtp ? self->smtp_security : self->pop3_security;

  self->plain_dialog = NULL;
  gtk_widget_destroy (GTK_WIDGET (dialog));
  if (response == GTK_RESPONSE_ACCEPT)
    security_now (self, smtp, before, CACHET_SECURITY_PLAIN);
  else
    set_security_silently (self, combo, before);
}

static void
ask_plain (CachetAccountEditor *self,
           gboolean             smtp)
{
  GtkWidget *dialog, *button;

  dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE, "%s",
                                   smtp ? _("Send mail without encryption?")
                                        : _("Fetch mail without encryption?"));
  gtk_window_set_title (GTK_WINDOW (dialog), _("No Encryption"));
  atk_object_set_name (gtk_widget_get_accessible (dialog), _("No Encryption"));
  gtk_message_dialog_format_secondary_text (
    GTK_MESSAGE_DIALOG (dialog), "%s",
    _("Without encryption, your password and your mail travel over the network in the "
      "clear: anyone on the way, such as a public Wi-Fi or a provider, can read them and "
      "change them. Choose this only if the server offers no encryption at all."));
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  atk_object_set_name (gtk_widget_get_accessible (button), _("Keep encryption"));
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("Use _Without Encryption"),
                                  GTK_RESPONSE_ACCEPT);
  gtk_style_context_add_class (gtk_widget_get_style_context (button), "destructive-action");
  atk_object_set_name (gtk_widget_get_accessible (button), _("Use without encryption"));
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_object_set_data (G_OBJECT (dialog), "smtp", GINT_TO_POINTER (smtp));
  g_signal_connect (dialog, "response", G_CALLBACK (plain_response_cb), self);
  self->plain_dialog = dialog;
  gtk_widget_show (dialog);
}

static void
security_changed_cb (GtkComboBox         *combo,
                     CachetAccountEditor *self)
{
  gboolean smtp = combo == self->smtp_security_combo;
  CachetSecurity before = smtp ? self->smtp_security : self->pop3_security;
  CachetSecurity after = combo_security (combo);

  if (self->filling || before == after)
    return;
  if (after == CACHET_SECURITY_PLAIN)
    {
      /* Shown only once the user said yes. */
      ask_plain (self, smtp);
      return;
    }
  security_now (self, smtp, before, after);
}

/* Other signals -------------------------------------------------------------------------------- */

static void
field_changed_cb (GtkEditable         *editable,
                  CachetAccountEditor *self)
{
  if (!self->filling)
    gtk_widget_hide (GTK_WIDGET (self->info_bar));
}

static void
auth_changed_cb (GtkComboBox         *combo,
                 CachetAccountEditor *self)
{
  update_sensitivity (self);
}

static void
own_password_toggled_cb (GtkToggleButton     *button,
                         CachetAccountEditor *self)
{
  update_sensitivity (self);
}

static void
policy_toggled_cb (GtkToggleButton     *button,
                   CachetAccountEditor *self)
{
  update_sensitivity (self);
}

static void
large_changed_cb (GtkComboBox         *combo,
                  CachetAccountEditor *self)
{
  update_sensitivity (self);
}

void
_cachet_account_editor_set_ca_file (CachetAccountEditor *self,
                                    const char          *path)
{
  g_autofree char *name = path ? g_filename_display_name (path) : NULL;

  g_free (self->ca_file);
  self->ca_file = g_strdup (path);
  gtk_label_set_text (self->ca_file_label, name ? name : _("(None)"));
  gtk_widget_set_tooltip_text (self->ca_file_button, name);
  update_sensitivity (self);
}

static void
ca_chooser_response_cb (GtkNativeDialog     *chooser,
                        int                  response,
                        CachetAccountEditor *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autofree char *path = gtk_file_chooser_get_filename (GTK_FILE_CHOOSER (chooser));

      if (path != NULL)
        _cachet_account_editor_set_ca_file (self, path);
    }
  g_clear_object (&self->ca_chooser);
}

static void
ca_file_clicked_cb (GtkButton           *button,
                    CachetAccountEditor *self)
{
  GtkFileFilter *certificates = gtk_file_filter_new ();
  GtkFileFilter *all = gtk_file_filter_new ();

  if (self->ca_chooser != NULL)
    return;
  self->ca_chooser = gtk_file_chooser_native_new (_("Choose a CA Certificate"), GTK_WINDOW (self),
                                                  GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"),
                                                  _("_Cancel"));
  gtk_file_filter_set_name (certificates, _("Certificates (PEM)"));
  gtk_file_filter_add_pattern (certificates, "*.pem");
  gtk_file_filter_add_pattern (certificates, "*.crt");
  gtk_file_filter_add_pattern (certificates, "*.cer");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->ca_chooser), certificates);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->ca_chooser), all);
  if (self->ca_file != NULL)
    gtk_file_chooser_set_filename (GTK_FILE_CHOOSER (self->ca_chooser), self->ca_file);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->ca_chooser), TRUE);
  g_signal_connect (self->ca_chooser, "response", G_CALLBACK (ca_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->ca_chooser));
}

static void
ca_file_clear_cb (GtkButton           *button,
                  CachetAccountEditor *self)
{
  _cachet_account_editor_set_ca_file (self, NULL);
}

void
_cachet_account_editor_show_error (CachetAccountEditor *self,
                                   const char          *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_show (GTK_WIDGET (self->info_bar));
}

/* GObject -------------------------------------------------------------------------------------- */

static void
cachet_account_editor_response (GtkDialog *dialog,
                                int        response)
{
  CachetAccountEditor *self = CACHET_ACCOUNT_EDITOR (dialog);

  if (response == GTK_RESPONSE_APPLY)
    _cachet_account_editor_save (self);
  else if (response != GTK_RESPONSE_ACCEPT)
    /* Closed while saving: stop, and drop what was typed. */
    _cachet_account_editor_forget (self);
}

static void
cachet_account_editor_dispose (GObject *object)
{
  CachetAccountEditor *self = CACHET_ACCOUNT_EDITOR (object);

  _cachet_account_editor_forget (self);
  g_clear_object (&self->cancellable);
  if (self->ca_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->ca_chooser));
  g_clear_object (&self->ca_chooser);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->plain_dialog, gtk_widget_destroy);
  g_clear_pointer (&self->keyring_dialog, gtk_widget_destroy);
  g_clear_object (&self->accounts);
  g_clear_object (&self->account);
  g_clear_object (&self->staged);
  g_clear_object (&self->saved);

  G_OBJECT_CLASS (cachet_account_editor_parent_class)->dispose (object);
}

static void
cachet_account_editor_class_init (CachetAccountEditorClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = cachet_account_editor_dispose;
  GTK_DIALOG_CLASS (klass)->response = cachet_account_editor_response;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-account-editor.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CachetAccountEditor, name)
  BIND (info_bar);
  BIND (error_label);
  BIND (stack);
  BIND (name_entry);
  BIND (address_entry);
  BIND (display_name_entry);
  BIND (password_entry);
  BIND (password_hint_label);
  BIND (ca_file_button);
  BIND (ca_file_label);
  BIND (ca_file_clear_button);
  BIND (pop3_host_entry);
  BIND (pop3_port_spin);
  BIND (pop3_security_combo);
  BIND (pop3_plain_label);
  BIND (pop3_user_entry);
  BIND (pop3_auth_combo);
  BIND (smtp_host_entry);
  BIND (smtp_port_spin);
  BIND (smtp_security_combo);
  BIND (smtp_plain_label);
  BIND (smtp_user_entry);
  BIND (smtp_auth_combo);
  BIND (smtp_own_password_check);
  BIND (smtp_password_entry);
  BIND (keep_radio);
  BIND (delete_days_radio);
  BIND (delete_days_spin);
  BIND (delete_fetch_radio);
  BIND (delete_local_check);
  BIND (large_combo);
  BIND (large_size_spin);
  BIND (interval_spin);
  BIND (signature_view);
  BIND (save_button);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, security_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, auth_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, own_password_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, policy_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, large_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, ca_file_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, ca_file_clear_cb);
}

static void
cachet_account_editor_init (CachetAccountEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
cachet_account_editor_new (GtkWindow         *parent,
                           CachetAccountList *accounts,
                           CachetAccount     *account)
{
  CachetAccountEditor *self;
  g_autoptr(CachetAccount) fresh = NULL;

  g_return_val_if_fail (CACHET_IS_ACCOUNT_LIST (accounts), NULL);
  g_return_val_if_fail (account == NULL || CACHET_IS_ACCOUNT (account), NULL);

  self = g_object_new (CACHET_TYPE_ACCOUNT_EDITOR,
                       "use-header-bar", TRUE,
                       "transient-for", parent,
                       "title", account ? _("Edit Account") : _("Add Account"),
                       NULL);
  atk_object_set_name (gtk_widget_get_accessible (GTK_WIDGET (self)),
                       account ? _("Edit Account") : _("Add Account"));
  gtk_dialog_set_default_response (GTK_DIALOG (self), GTK_RESPONSE_APPLY);
  self->accounts = g_object_ref (accounts);
  if (account != NULL)
    {
      self->account = g_object_ref (account);
      gtk_entry_set_placeholder_text (self->password_entry, _("Unchanged"));
      gtk_entry_set_placeholder_text (self->smtp_password_entry, _("Unchanged"));
      gtk_label_set_text (self->password_hint_label,
                          _("Leave it empty to keep the password in the keyring."));
      fill (self, account);
    }
  else
    {
      fresh = cachet_account_new (NULL);
      fill (self, fresh);
    }
  return GTK_WIDGET (self);
}

CachetAccount *
cachet_account_editor_get_account (CachetAccountEditor *self)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT_EDITOR (self), NULL);
  return self->saved;
}
