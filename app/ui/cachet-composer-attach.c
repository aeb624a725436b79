/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-composer"

#include "config.h"

#include <glib/gi18n.h>

#include "cachet-composer-private.h"

/* Attachments: chosen with the file chooser or dropped on the window (also on the text,
 * where dropped files are attached rather than pasted as their names).  The list shows
 * name, type and size, read off the main thread; the draft gets the file (it is read when
 * the message is built). */

#define URI_INFO 1000

typedef struct
{
  char *path;
  char *content_type;
} AddFile;

static void
add_file_free (AddFile *add)
{
  g_free (add->path);
  g_free (add->content_type);
  g_free (add);
}

static gboolean
apply_add_file (CachetDraft *draft,
                gpointer     data,
                GError     **error)
{
  AddFile *add = data;
  GError *local_error = NULL;

  /* The error names the file. */
  cachet_draft_add_file (draft, add->path, add->content_type, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
apply_remove (CachetDraft *draft,
              gpointer     data,
              GError     **error)
{
  guint index = GPOINTER_TO_UINT (data);

  if (index < cachet_draft_get_n_attachments (draft))
    cachet_draft_remove_attachment (draft, index);
  return TRUE;
}

static void
remove_requested_cb (CachetComposerAttachments *attachments,
                     guint                      index,
                     CachetComposer            *self)
{
  if (self->sending || self->sent)
    return;
  cachet_composer_attachments_remove (attachments, index);
  cachet_draft_saver_edit (self->saver, apply_remove, GUINT_TO_POINTER (index), NULL);
  _cachet_composer_changed (self);
}

void
_cachet_composer_show_draft_attachments (CachetComposer *self,
                                         CachetDraft    *draft)
{
  guint n = cachet_draft_get_n_attachments (draft);

  for (guint i = 0; i < n; i++)
    {
      const char *filename = NULL, *content_type = NULL;
      g_autofree char *type = NULL;
      guint64 size = 0;

      cachet_draft_get_attachment (draft, i, &filename, &content_type, &size);
      /* The draft has MIME types; the list shows GIO content types. */
      if (content_type != NULL)
        type = g_content_type_from_mime_type (content_type);
      cachet_composer_attachments_append (self->attachments,
                                          filename != NULL && *filename != '\0'
                                          ? filename : _("Unnamed attachment"),
                                          type, size);
    }
}

/* Adding a file --------------------------------------------------------------------------- */

typedef struct
{
  CachetComposer *self;
  GFile          *file;
} QueryData;

static void
query_data_free (QueryData *data)
{
  g_object_unref (data->self);
  g_object_unref (data->file);
  g_free (data);
}

static void
info_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  QueryData *data = user_data;
  CachetComposer *self = data->self;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parse_name = g_file_get_parse_name (data->file);
  g_autofree char *path = g_file_get_path (data->file);
  const char *name;
  AddFile *add;

  info = g_file_query_info_finish (G_FILE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->sent || self->sending)
    {
      query_data_free (data);
      return;
    }
  if (info == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not attach “%s”: %s"), parse_name,
                                               error->message);
      _cachet_composer_show_error (self, text);
      query_data_free (data);
      return;
    }
  name = g_file_info_get_display_name (info);
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      g_autofree char *text = g_strdup_printf (_("“%s” is a folder: only files can be "
                                                 "attached."), name);
      _cachet_composer_show_error (self, text);
      query_data_free (data);
      return;
    }
  if (path == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("“%s” is not on this computer: save it "
                                                 "here first, then attach it."), parse_name);
      _cachet_composer_show_error (self, text);
      query_data_free (data);
      return;
    }

  cachet_composer_attachments_append (self->attachments, name,
                                      g_file_info_get_content_type (info),
                                      (guint64) g_file_info_get_size (info));
  add = g_new0 (AddFile, 1);
  add->path = g_steal_pointer (&path);
  /* The draft wants a MIME type; NULL lets it guess from the name and the contents. */
  if (g_file_info_get_content_type (info) != NULL)
    add->content_type = g_content_type_get_mime_type (g_file_info_get_content_type (info));
  cachet_draft_saver_edit (self->saver, apply_add_file, add, (GDestroyNotify) add_file_free);
  _cachet_composer_changed (self);
  query_data_free (data);
}

void
cachet_composer_attach_file (CachetComposer *self,
                             GFile          *file)
{
  QueryData *data;

  g_return_if_fail (CACHET_IS_COMPOSER (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->sending || self->sent)
    return;
  data = g_new0 (QueryData, 1);
  data->self = g_object_ref (self);
  data->file = g_object_ref (file);
  g_file_query_info_async (file,
                           G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                           G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE ","
                           G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                           G_FILE_ATTRIBUTE_STANDARD_TYPE,
                           G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, self->cancellable,
                           info_cb, data);
}

/* The file chooser ------------------------------------------------------------------------ */

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  g_autoptr(CachetComposer) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GSList) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

      for (GSList *l = files; l != NULL; l = l->next)
        {
          cachet_composer_attach_file (self, l->data);
          g_object_unref (l->data);
        }
    }
  g_object_unref (chooser);
}

void
_cachet_composer_choose_files (CachetComposer *self)
{
  GtkFileChooserNative *chooser;

  if (self->sending || self->sent)
    return;
  chooser = gtk_file_chooser_native_new (_("Attach Files"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Attach"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_file_chooser_set_local_only (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), g_get_home_dir ());
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Dropped files ---------------------------------------------------------------------------- */

static gboolean
attach_uris (CachetComposer   *self,
             GtkSelectionData *selection)
{
  g_auto(GStrv) uris = gtk_selection_data_get_uris (selection);

  if (uris == NULL || uris[0] == NULL)
    return FALSE;
  for (guint i = 0; uris[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_uri (uris[i]);
      cachet_composer_attach_file (self, file);
    }
  return TRUE;
}

static void
window_drop_cb (GtkWidget        *widget,
                GdkDragContext   *context,
                int               x,
                int               y,
                GtkSelectionData *selection,
                guint             info,
                guint             time,
                CachetComposer   *self)
{
  if (info == URI_INFO)
    attach_uris (self, selection);
}

static void
text_drop_cb (GtkWidget        *widget,
              GdkDragContext   *context,
              int               x,
              int               y,
              GtkSelectionData *selection,
              guint             info,
              guint             time,
              CachetComposer   *self)
{
  if (info != URI_INFO)
    return;   /* text: the view inserts it */
  gtk_drag_finish (context, attach_uris (self, selection), FALSE, time);
  g_signal_stop_emission_by_name (widget, "drag-data-received");
}

void
_cachet_composer_attach_init (CachetComposer *self)
{
  GtkTargetList *text_targets, *targets;
  GtkTargetEntry *table;
  int n;

  g_signal_connect (self->attachments, "remove-requested", G_CALLBACK (remove_requested_cb),
                    self);

  gtk_drag_dest_set (GTK_WIDGET (self), GTK_DEST_DEFAULT_ALL, NULL, 0, GDK_ACTION_COPY);
  targets = gtk_target_list_new (NULL, 0);
  gtk_target_list_add_uri_targets (targets, URI_INFO);
  gtk_drag_dest_set_target_list (GTK_WIDGET (self), targets);
  gtk_target_list_unref (targets);
  g_signal_connect (self, "drag-data-received", G_CALLBACK (window_drop_cb), self);

  /* Files first: a file manager offers the names as text too. */
  text_targets = gtk_drag_dest_get_target_list (GTK_WIDGET (self->body_view));
  targets = gtk_target_list_new (NULL, 0);
  gtk_target_list_add_uri_targets (targets, URI_INFO);
  if (text_targets != NULL)
    {
      table = gtk_target_table_new_from_list (text_targets, &n);
      gtk_target_list_add_table (targets, table, n);
      gtk_target_table_free (table, n);
    }
  gtk_drag_dest_set_target_list (GTK_WIDGET (self->body_view), targets);
  gtk_target_list_unref (targets);
  g_signal_connect (self->body_view, "drag-data-received", G_CALLBACK (text_drop_cb), self);
}
