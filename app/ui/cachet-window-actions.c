/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cachet-folder-chooser-dialog.h"
#include "cachet-folder-dialog.h"
#include "cachet-window-private.h"

/* The window's actions: messages, folders, import, navigation.  Every write goes through
 * the store's _async API; a failure is shown in the window's notification bar. */

static const char * const message_actions[] = {
  "mark-read", "mark-unread", "flag", "unflag", "delete", "move",
};

static void
set_enabled (CachetWindow *self,
             const char   *name,
             gboolean      enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  if (action != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* The folder selected in the tree when it is one of the user's (transfer full). */
static CachetFolderInfo *
selected_user_folder (CachetWindow *self)
{
  g_autoptr(CachetFolderInfo) info = NULL;

  if (!self->store_open)
    return NULL;
  info = cachet_store_get_folder (self->store, cachet_folder_tree_get_selected (self->folder_tree));
  if (info == NULL || info->role != CACHET_FOLDER_ROLE_NONE)
    return NULL;
  return g_steal_pointer (&info);
}

void
_cachet_window_update_actions (CachetWindow *self)
{
  gboolean open = self->store_open;
  gboolean have_messages = FALSE;
  g_autoptr(CachetFolderInfo) folder = selected_user_folder (self);
  gboolean user_folder = folder != NULL;

  if (open)
    {
      g_autoptr(GArray) ids = cachet_message_list_view_dup_selected_ids (self->message_list);

      have_messages = ids->len > 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (message_actions); i++)
    set_enabled (self, message_actions[i], have_messages);
  set_enabled (self, "rename-folder", user_folder);
  set_enabled (self, "delete-folder", user_folder);
  set_enabled (self, "new-folder", open);
  set_enabled (self, "import-mbox", open && self->import_cancellable == NULL);
  set_enabled (self, "get-mail", open && !_cachet_window_is_getting_mail (self));
  set_enabled (self, "search", open);
  _cachet_window_outbox_update (self);
  _cachet_window_compose_update_actions (self);
}

/* Writes */

typedef struct
{
  CachetWindow *self;
  char         *what;   /* "Could not …", the reason follows */
} WriteData;

static WriteData *
write_data_new (CachetWindow *self,
                const char   *what)
{
  WriteData *data = g_new0 (WriteData, 1);

  data->self = g_object_ref (self);
  data->what = g_strdup (what);
  return data;
}

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  WriteData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!cachet_store_write_finish (CACHET_STORE (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: what failed, then why, e.g. "Could not delete the messages: Disk full" */
      g_autofree char *text = g_strdup_printf (_("%s: %s"), data->what, error->message);

      _cachet_window_show_error (data->self, text);
    }
  g_object_unref (data->self);
  g_free (data->what);
  g_free (data);
}

static void
set_flags (CachetWindow *self,
           CachetFlags   add,
           CachetFlags   remove,
           const char   *what)
{
  g_autoptr(GArray) ids = cachet_message_list_view_dup_selected_ids (self->message_list);

  if (ids->len == 0)
    return;
  cachet_store_set_flags_async (self->store, (const gint64 *) (gpointer) ids->data, ids->len,
                                add, remove, self->cancellable,
                                write_done_cb, write_data_new (self, what));
}

void
_cachet_window_mark_read (CachetWindow *self,
                          gint64        id)
{
  CachetFlags flags;

  if (!cachet_message_list_view_get_flags (self->message_list, id, &flags)
      || (flags & CACHET_FLAG_SEEN) != 0)
    return;
  cachet_store_set_flags_async (self->store, &id, 1, CACHET_FLAG_SEEN, CACHET_FLAG_NONE,
                                self->cancellable, write_done_cb,
                                write_data_new (self, _("Could not mark the message as read")));
}

static void
mark_read_cb (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  set_flags (user_data, CACHET_FLAG_SEEN, CACHET_FLAG_NONE,
             _("Could not mark the messages as read"));
}

static void
mark_unread_cb (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  set_flags (user_data, CACHET_FLAG_NONE, CACHET_FLAG_SEEN,
             _("Could not mark the messages as unread"));
}

static void
flag_cb (GSimpleAction *action,
         GVariant      *param,
         gpointer       user_data)
{
  set_flags (user_data, CACHET_FLAG_FLAGGED, CACHET_FLAG_NONE,
             _("Could not flag the messages"));
}

static void
unflag_cb (GSimpleAction *action,
           GVariant      *param,
           gpointer       user_data)
{
  set_flags (user_data, CACHET_FLAG_NONE, CACHET_FLAG_FLAGGED,
             _("Could not remove the flag"));
}

static void
delete_ids (CachetWindow *self,
            GArray       *ids)
{
  cachet_store_delete_async (self->store, (const gint64 *) (gpointer) ids->data, ids->len,
                             self->cancellable, write_done_cb,
                             write_data_new (self, _("Could not delete the messages")));
}

static void
confirm_delete_response_cb (GtkDialog *dialog,
                            int        response,
                            gpointer   user_data)
{
  CachetWindow *self = CACHET_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  GArray *ids = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    delete_ids (self, ids);
  g_array_unref (ids);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void delete_folder_cb (GSimpleAction *action,
                              GVariant      *param,
                              gpointer       user_data);

static void
delete_cb (GSimpleAction *action,
           GVariant      *param,
           gpointer       user_data)
{
  CachetWindow *self = user_data;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(CachetFolderInfo) folder = NULL;
  GtkWidget *dialog, *button;

  /* Delete in the folder tree means the folder (after asking), as in other mail programs. */
  if (gtk_widget_has_focus (GTK_WIDGET (cachet_folder_tree_get_tree_view (self->folder_tree))))
    {
      delete_folder_cb (NULL, NULL, self);
      return;
    }

  ids = cachet_message_list_view_dup_selected_ids (self->message_list);
  folder = cachet_store_get_folder (self->store, self->folder_id);
  if (ids->len == 0)
    return;

  /* Deleting in the Trash is for good: ask first.  Elsewhere messages go to the Trash. */
  if (folder == NULL || folder->role != CACHET_FOLDER_ROLE_TRASH
      || cachet_message_list_view_is_searching (self->message_list))
    {
      delete_ids (self, ids);
      return;
    }

  dialog = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   ngettext ("Delete this message for good?",
                                             "Delete these %u messages for good?", ids->len),
                                   ids->len);
  gtk_window_set_title (GTK_WINDOW (dialog), _("Delete Messages"));
  atk_object_set_name (gtk_widget_get_accessible (dialog), _("Delete Messages"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("Messages deleted from the Trash cannot be "
                                              "brought back."));
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Delete"), GTK_RESPONSE_ACCEPT);
  gtk_style_context_add_class (gtk_widget_get_style_context (button), "destructive-action");
  g_signal_connect (dialog, "response", G_CALLBACK (confirm_delete_response_cb),
                    g_steal_pointer (&ids));
  gtk_widget_show (dialog);
}

static void
move_response_cb (GtkDialog *dialog,
                  int        response,
                  gpointer   user_data)
{
  CachetWindow *self = CACHET_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  GArray *ids = user_data;
  gint64 folder_id;

  folder_id = cachet_folder_chooser_dialog_get_folder_id (CACHET_FOLDER_CHOOSER_DIALOG (dialog));
  if (response == GTK_RESPONSE_ACCEPT && folder_id != 0)
    cachet_store_move_async (self->store, (const gint64 *) (gpointer) ids->data, ids->len,
                             folder_id, self->cancellable, write_done_cb,
                             write_data_new (self, _("Could not move the messages")));
  g_array_unref (ids);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
move_cb (GSimpleAction *action,
         GVariant      *param,
         gpointer       user_data)
{
  CachetWindow *self = user_data;
  g_autoptr(GArray) ids = cachet_message_list_view_dup_selected_ids (self->message_list);
  GtkWidget *dialog;

  if (ids->len == 0)
    return;
  dialog = cachet_folder_chooser_dialog_new (GTK_WINDOW (self), self->store,
                                             _("Move Messages"),
                                             _("_Move the selected messages to:"),
                                             _("_Move"));
  cachet_folder_chooser_dialog_select (CACHET_FOLDER_CHOOSER_DIALOG (dialog), self->folder_id);
  g_signal_connect (dialog, "response", G_CALLBACK (move_response_cb), g_steal_pointer (&ids));
  gtk_widget_show (dialog);
}

/* Folders */

static void
set_folder_id (GtkWidget *dialog,
               gint64     folder_id)
{
  g_object_set_data_full (G_OBJECT (dialog), "cachet-folder-id",
                          g_memdup2 (&folder_id, sizeof folder_id), g_free);
}

static gint64
get_folder_id (GtkDialog *dialog)
{
  const gint64 *id = g_object_get_data (G_OBJECT (dialog), "cachet-folder-id");

  return id != NULL ? *id : 0;
}

static void
new_folder_response_cb (GtkDialog    *dialog,
                        int           response,
                        CachetWindow *self)
{
  CachetFolderDialog *folder_dialog = CACHET_FOLDER_DIALOG (dialog);

  if (response == GTK_RESPONSE_ACCEPT)
    cachet_store_create_folder_async (self->store,
                                      cachet_folder_dialog_get_parent_id (folder_dialog),
                                      cachet_folder_dialog_get_name (folder_dialog),
                                      self->cancellable, write_done_cb,
                                      write_data_new (self,
                                                      _("Could not create the folder")));
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
new_folder_cb (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  CachetWindow *self = user_data;
  g_autoptr(CachetFolderInfo) parent = selected_user_folder (self);
  GtkWidget *dialog;

  dialog = cachet_folder_dialog_new_create (GTK_WINDOW (self), self->store,
                                            parent != NULL ? parent->id : 0);
  g_signal_connect_object (dialog, "response", G_CALLBACK (new_folder_response_cb), self, 0);
  gtk_widget_show (dialog);
}

static void
rename_folder_response_cb (GtkDialog    *dialog,
                           int           response,
                           CachetWindow *self)
{
  gint64 folder_id = get_folder_id (dialog);

  if (response == GTK_RESPONSE_ACCEPT)
    cachet_store_rename_folder_async (self->store, folder_id,
                                      cachet_folder_dialog_get_name (CACHET_FOLDER_DIALOG (dialog)),
                                      self->cancellable, write_done_cb,
                                      write_data_new (self,
                                                      _("Could not rename the folder")));
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
rename_folder_cb (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  CachetWindow *self = user_data;
  g_autoptr(CachetFolderInfo) folder = selected_user_folder (self);
  GtkWidget *dialog;

  if (folder == NULL)
    {
      _cachet_window_show_info (self, _("Standard folders cannot be renamed."));
      return;
    }
  dialog = cachet_folder_dialog_new_rename (GTK_WINDOW (self), folder);
  set_folder_id (dialog, folder->id);
  g_signal_connect_object (dialog, "response", G_CALLBACK (rename_folder_response_cb), self, 0);
  gtk_widget_show (dialog);
}

static void
delete_folder_response_cb (GtkDialog    *dialog,
                           int           response,
                           CachetWindow *self)
{
  gint64 folder_id = get_folder_id (dialog);

  if (response == GTK_RESPONSE_ACCEPT)
    cachet_store_delete_folder_async (self->store, folder_id, self->cancellable, write_done_cb,
                                      write_data_new (self,
                                                      _("Could not delete the folder")));
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
delete_folder_cb (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  CachetWindow *self = user_data;
  g_autoptr(CachetFolderInfo) folder = selected_user_folder (self);
  GtkWidget *dialog, *button;

  if (folder == NULL)
    {
      _cachet_window_show_info (self, _("Standard folders cannot be deleted."));
      return;
    }
  dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Delete the folder “%s”?"), folder->name);
  gtk_window_set_title (GTK_WINDOW (dialog), _("Delete Folder"));
  atk_object_set_name (gtk_widget_get_accessible (dialog), _("Delete Folder"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("Its subfolders are deleted too. All their "
                                              "messages are moved to the Trash."));
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Delete"), GTK_RESPONSE_ACCEPT);
  gtk_style_context_add_class (gtk_widget_get_style_context (button), "destructive-action");
  set_folder_id (dialog, folder->id);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_folder_response_cb), self, 0);
  gtk_widget_show (dialog);
}

/* Import */

typedef struct
{
  CachetWindow *self;
  char         *path;
  char         *folder_name;
} ImportData;

static void
import_data_free (ImportData *data)
{
  g_object_unref (data->self);
  g_free (data->path);
  g_free (data->folder_name);
  g_free (data);
}

static void
import_progress_cb (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  CachetWindow *self = user_data;

  if (self->import_progress == NULL)
    return;
  if (total > 0)
    gtk_progress_bar_set_fraction (self->import_progress, MIN (1.0, (double) done / total));
  else
    gtk_progress_bar_pulse (self->import_progress);
}

static void
import_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ImportData *data = user_data;
  CachetWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  gint64 n;

  n = cachet_store_write_finish_int (CACHET_STORE (source), result, &error);
  g_clear_object (&self->import_cancellable);
  if (self->import_revealer != NULL)
    {
      gtk_revealer_set_reveal_child (self->import_revealer, FALSE);
      _cachet_window_update_actions (self);
    }

  if (error == NULL)
    {
      g_autofree char *text =
        g_strdup_printf (ngettext ("Imported %u message into %s.",
                                   "Imported %u messages into %s.", (gulong) n),
                         (guint) n, data->folder_name);

      _cachet_window_show_info (self, text);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *name = g_filename_display_basename (data->path);
      g_autofree char *text = g_strdup_printf (_("Could not import “%s”: %s"), name,
                                               error->message);

      _cachet_window_show_error (self, text);
    }
  import_data_free (data);
}

static void
start_import (CachetWindow *self,
              const char   *path,
              gint64        folder_id)
{
  g_autoptr(CachetFolderInfo) folder = cachet_store_get_folder (self->store, folder_id);
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *label = g_strdup_printf (_("Importing “%s”…"), name);
  ImportData *data;

  if (folder == NULL)
    return;

  data = g_new0 (ImportData, 1);
  data->self = g_object_ref (self);
  data->path = g_strdup (path);
  data->folder_name = g_strdup (cachet_folder_get_display_name (folder));

  self->import_cancellable = g_cancellable_new ();
  gtk_label_set_text (self->import_label, label);
  gtk_progress_bar_set_fraction (self->import_progress, 0);
  gtk_revealer_set_reveal_child (self->import_revealer, TRUE);
  _cachet_window_update_actions (self);

  cachet_store_import_mbox_async (self->store, path, folder_id,
                                  import_progress_cb, g_object_ref (self), g_object_unref,
                                  self->import_cancellable, import_done_cb, data);
}

static void
import_folder_response_cb (GtkDialog *dialog,
                           int        response,
                           gpointer   user_data)
{
  CachetWindow *self = CACHET_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  g_autofree char *path = user_data;
  gint64 folder_id;

  folder_id = cachet_folder_chooser_dialog_get_folder_id (CACHET_FOLDER_CHOOSER_DIALOG (dialog));
  gtk_widget_destroy (GTK_WIDGET (dialog));
  if (response == GTK_RESPONSE_ACCEPT && folder_id != 0 && self->import_cancellable == NULL)
    start_import (self, path, folder_id);
}

static void
import_file_response_cb (GtkNativeDialog *chooser,
                         int              response,
                         gpointer         user_data)
{
  CachetWindow *self = user_data;
  g_autofree char *path = NULL;
  g_autoptr(CachetFolderInfo) inbox = NULL;
  GtkWidget *dialog;

  if (response == GTK_RESPONSE_ACCEPT)
    path = gtk_file_chooser_get_filename (GTK_FILE_CHOOSER (chooser));
  g_object_unref (chooser);
  if (path == NULL || !self->store_open)
    {
      g_object_unref (self);
      return;
    }

  dialog = cachet_folder_chooser_dialog_new (GTK_WINDOW (self), self->store,
                                             _("Import Mailbox"),
                                             _("_Import the messages into:"),
                                             _("_Import"));
  inbox = cachet_store_get_folder_by_role (self->store, CACHET_FOLDER_ROLE_INBOX);
  if (inbox != NULL)
    cachet_folder_chooser_dialog_select (CACHET_FOLDER_CHOOSER_DIALOG (dialog), inbox->id);
  g_signal_connect (dialog, "response", G_CALLBACK (import_folder_response_cb),
                    g_steal_pointer (&path));
  gtk_widget_show (dialog);
  g_object_unref (self);
}

static void
import_mbox_cb (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  CachetWindow *self = user_data;
  GtkFileChooserNative *chooser;
  GtkFileFilter *filter;

  chooser = gtk_file_chooser_native_new (_("Import Mailbox"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  /* Mailboxes exported by other programs usually land in the home folder. */
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), g_get_home_dir ());

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Mailboxes (mbox)"));
  gtk_file_filter_add_pattern (filter, "*.mbox");
  gtk_file_filter_add_pattern (filter, "*.mbx");
  gtk_file_filter_add_mime_type (filter, "application/mbox");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("All files"));
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);

  g_signal_connect (chooser, "response", G_CALLBACK (import_file_response_cb),
                    g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Search and navigation */

static void
search_cb (GSimpleAction *action,
           GVariant      *param,
           gpointer       user_data)
{
  CachetWindow *self = user_data;

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
search_all_folders_cb (GSimpleAction *action,
                       GVariant      *state,
                       gpointer       user_data)
{
  g_simple_action_set_state (action, state);
  _cachet_window_run_search (user_data);
}

static void
threaded_cb (GSimpleAction *action,
             GVariant      *state,
             gpointer       user_data)
{
  CachetWindow *self = user_data;
  gboolean threaded = g_variant_get_boolean (state);

  g_simple_action_set_state (action, state);
  cachet_message_list_view_set_threaded (self->message_list, threaded);
  if (self->settings != NULL)
    g_settings_set_boolean (self->settings, "threaded", threaded);
}

static void
navigate (CachetWindow *self,
          gint          direction,
          gboolean      unread_only)
{
  GtkTreeView *tree_view = cachet_message_list_view_get_tree_view (self->message_list);

  if (!cachet_message_list_view_move_cursor (self->message_list, direction, unread_only))
    gtk_widget_error_bell (GTK_WIDGET (self));
  else if (!gtk_widget_has_focus (GTK_WIDGET (tree_view)))
    gtk_widget_grab_focus (GTK_WIDGET (tree_view));
}

static void
next_unread_cb (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  navigate (user_data, 1, TRUE);
}

static void
previous_unread_cb (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  navigate (user_data, -1, TRUE);
}

static void
next_message_cb (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  navigate (user_data, 1, FALSE);
}

static void
previous_message_cb (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  navigate (user_data, -1, FALSE);
}

void
_cachet_window_add_actions (CachetWindow *self)
{
  const GActionEntry entries[] = {
    { "mark-read", mark_read_cb, NULL, NULL, NULL, { 0 } },
    { "mark-unread", mark_unread_cb, NULL, NULL, NULL, { 0 } },
    { "flag", flag_cb, NULL, NULL, NULL, { 0 } },
    { "unflag", unflag_cb, NULL, NULL, NULL, { 0 } },
    { "delete", delete_cb, NULL, NULL, NULL, { 0 } },
    { "move", move_cb, NULL, NULL, NULL, { 0 } },
    { "new-folder", new_folder_cb, NULL, NULL, NULL, { 0 } },
    { "rename-folder", rename_folder_cb, NULL, NULL, NULL, { 0 } },
    { "delete-folder", delete_folder_cb, NULL, NULL, NULL, { 0 } },
    { "import-mbox", import_mbox_cb, NULL, NULL, NULL, { 0 } },
    { "search", search_cb, NULL, NULL, NULL, { 0 } },
    { "search-all-folders", NULL, NULL, "false", search_all_folders_cb, { 0 } },
    { "threaded", NULL, NULL, "false", threaded_cb, { 0 } },
    { "next-unread", next_unread_cb, NULL, NULL, NULL, { 0 } },
    { "previous-unread", previous_unread_cb, NULL, NULL, NULL, { 0 } },
    { "next-message", next_message_cb, NULL, NULL, NULL, { 0 } },
    { "previous-message", previous_message_cb, NULL, NULL, NULL, { 0 } },
  };
  GAction *threaded;

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);

  threaded = g_action_map_lookup_action (G_ACTION_MAP (self), "threaded");
  if (self->settings != NULL)
    g_simple_action_set_state (G_SIMPLE_ACTION (threaded),
                               g_variant_new_boolean (g_settings_get_boolean (self->settings,
                                                                              "threaded")));
}
