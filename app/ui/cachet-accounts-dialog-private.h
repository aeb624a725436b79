/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-accounts-dialog.h"

G_BEGIN_DECLS

/* The dialog's widgets, for tests. */
struct _CachetAccountsDialog
{
  GtkDialog          parent_instance;

  /* template */
  GtkInfoBar        *info_bar;
  GtkLabel          *info_label;
  GtkListBox        *list_box;
  GtkWidget         *add_button;      /* the wizard */
  GtkWidget         *manual_button;   /* the editor */
  GtkWidget         *edit_button;
  GtkWidget         *remove_button;

  CachetAccountList *accounts;
  GCancellable      *cancellable;

  /* Open dialogs (tests answer them with gtk_dialog_response()). */
  GtkWidget         *editor;
  GtkWidget         *wizard;
  GtkWidget         *remove_dialog;
  GtkToggleButton   *remove_keyring_check;
  gboolean           removing;   /* keyring entries are being deleted */
};

/* The account a row of the list shows. */
CachetAccount *_cachet_accounts_dialog_row_account (GtkListBoxRow *row);

G_END_DECLS
