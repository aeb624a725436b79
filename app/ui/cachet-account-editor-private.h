/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-account-editor.h"

G_BEGIN_DECLS

/* The editor's widgets, for its own files and for tests. */
struct _CachetAccountEditor
{
  GtkDialog          parent_instance;

  /* template */
  GtkInfoBar        *info_bar;
  GtkLabel          *error_label;
  GtkStack          *stack;
  GtkEntry          *name_entry;
  GtkEntry          *address_entry;
  GtkEntry          *display_name_entry;
  GtkEntry          *password_entry;
  GtkLabel          *password_hint_label;
  GtkWidget         *ca_file_button;
  GtkLabel          *ca_file_label;
  GtkWidget         *ca_file_clear_button;
  GtkEntry          *pop3_host_entry;
  GtkSpinButton     *pop3_port_spin;
  GtkComboBox       *pop3_security_combo;
  GtkWidget         *pop3_plain_label;
  GtkEntry          *pop3_user_entry;
  GtkComboBox       *pop3_auth_combo;
  GtkEntry          *smtp_host_entry;
  GtkSpinButton     *smtp_port_spin;
  GtkComboBox       *smtp_security_combo;
  GtkWidget         *smtp_plain_label;
  GtkEntry          *smtp_user_entry;
  GtkComboBox       *smtp_auth_combo;
  GtkToggleButton   *smtp_own_password_check;
  GtkEntry          *smtp_password_entry;
  GtkToggleButton   *keep_radio;
  GtkToggleButton   *delete_days_radio;
  GtkSpinButton     *delete_days_spin;
  GtkToggleButton   *delete_fetch_radio;
  GtkToggleButton   *delete_local_check;
  GtkComboBox       *large_combo;
  GtkSpinButton     *large_size_spin;
  GtkSpinButton     *interval_spin;
  GtkTextView       *signature_view;
  GtkWidget         *save_button;

  char              *ca_file;        /* chosen, or NULL */
  GtkFileChooserNative *ca_chooser;

  CachetAccountList *accounts;
  CachetAccount     *account;        /* being edited, or NULL */
  CachetAccount     *staged;         /* checked settings, while saving */
  CachetAccount     *saved;          /* after GTK_RESPONSE_ACCEPT */
  CachetSecurity     pop3_security;  /* shown before the last change */
  CachetSecurity     smtp_security;
  gboolean           filling;        /* setting widgets from code: no questions */
  GPtrArray         *secrets;        /* PendingSecret, while saving */
  guint              secrets_done;
  GPtrArray         *stale_keys;     /* keyring entries to drop once saved */
  GCancellable      *cancellable;

  /* Open questions (tests answer them with gtk_dialog_response()). */
  GtkWidget         *plain_dialog;
  GtkWidget         *keyring_dialog;
};

/* cachet-account-editor.c */
CachetAccount *_cachet_account_editor_read_form  (CachetAccountEditor *self);
void           _cachet_account_editor_show_error (CachetAccountEditor *self,
                                                  const char          *message);
/* What choosing a file in the CA certificate chooser does (NULL: none). */
void           _cachet_account_editor_set_ca_file (CachetAccountEditor *self,
                                                   const char          *path);

/* cachet-account-editor-save.c */
void           _cachet_account_editor_save       (CachetAccountEditor *self);
/* Stops saving and wipes the passwords it held. */
void           _cachet_account_editor_forget     (CachetAccountEditor *self);

G_END_DECLS
