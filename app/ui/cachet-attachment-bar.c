/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-attachments"

#include "config.h"

#include "cachet-attachment-bar.h"

#include <glib/gi18n.h>

struct _CachetAttachmentBar
{
  GtkBox        parent_instance;

  /* template */
  GtkFlowBox   *flow_box;

  GPtrArray    *parts;     /* CachetPart, one per button */
  GPtrArray    *buttons;   /* GtkButton, borrowed */
  GCancellable *cancellable;
};

enum
{
  SIGNAL_SAVED,
  SIGNAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CachetAttachmentBar, cachet_attachment_bar, GTK_TYPE_BOX)

static const char *
part_name (CachetPart *part)
{
  const char *name = cachet_part_get_filename (part);

  return name != NULL && *name != '\0' ? name : _("Unnamed attachment");
}

/* Saving */

typedef struct
{
  CachetPart *part;
  char       *path;
} SaveJob;

static void
save_job_free (gpointer data)
{
  SaveJob *job = data;

  g_clear_pointer (&job->part, cachet_part_unref);
  g_free (job->path);
  g_free (job);
}

static void
save_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveJob *job = task_data;
  GError *error = NULL;

  if (cachet_part_save_to_file (job->part, job->path, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
save_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CachetAttachmentBar *self = CACHET_ATTACHMENT_BAR (source);
  SaveJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_signal_emit (self, signals[SIGNAL_SAVED], 0, job->path);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Could not save the attachment “%s”: %s"),
                                               part_name (job->part), error->message);

      g_signal_emit (self, signals[SIGNAL_ERROR], 0, text);
    }
}

void
cachet_attachment_bar_save (CachetAttachmentBar *self,
                            guint                index,
                            const char          *path)
{
  g_autoptr(GTask) task = NULL;
  SaveJob *job;

  g_return_if_fail (CACHET_IS_ATTACHMENT_BAR (self));
  g_return_if_fail (index < self->parts->len);
  g_return_if_fail (path != NULL);

  job = g_new0 (SaveJob, 1);
  job->part = cachet_part_ref (g_ptr_array_index (self->parts, index));
  job->path = g_strdup (path);

  task = g_task_new (self, self->cancellable, save_done_cb, NULL);
  g_task_set_source_tag (task, cachet_attachment_bar_save);
  g_task_set_task_data (task, job, save_job_free);
  g_task_run_in_thread (task, save_worker);
}

typedef struct
{
  CachetAttachmentBar *self;
  guint                index;
} ChooserData;

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  ChooserData *data = user_data;

  if (response == GTK_RESPONSE_ACCEPT && data->index < data->self->parts->len)
    {
      g_autofree char *path = gtk_file_chooser_get_filename (GTK_FILE_CHOOSER (chooser));

      if (path != NULL)
        cachet_attachment_bar_save (data->self, data->index, path);
    }

  g_object_unref (data->self);
  g_free (data);
  g_object_unref (chooser);
}

static void
button_clicked_cb (GtkButton           *button,
                   CachetAttachmentBar *self)
{
  GtkWidget *toplevel = gtk_widget_get_toplevel (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;
  ChooserData *data;
  const char *downloads;
  guint index;

  if (!g_ptr_array_find (self->buttons, button, &index))
    return;

  chooser = gtk_file_chooser_native_new (_("Save Attachment"),
                                         GTK_IS_WINDOW (toplevel) ? GTK_WINDOW (toplevel) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_do_overwrite_confirmation (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser),
                                     part_name (g_ptr_array_index (self->parts, index)));
  downloads = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
  if (downloads != NULL && g_file_test (downloads, G_FILE_TEST_IS_DIR))
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), downloads);

  data = g_new0 (ChooserData, 1);
  data->self = g_object_ref (self);
  data->index = index;
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Buttons */

static GtkWidget *
make_button (CachetAttachmentBar *self,
             CachetPart          *part,
             guint64              size)
{
  const char *mime_type = cachet_part_get_mime_type (part);
  g_autofree char *content_type = g_content_type_from_mime_type (mime_type);
  g_autofree char *description = NULL;
  g_autofree char *size_text = g_format_size (size);
  g_autofree char *details = NULL;
  g_autofree char *accessible = NULL;
  g_autofree char *tooltip = NULL;
  g_autoptr(GIcon) icon = NULL;
  GtkWidget *button, *box, *image, *labels, *name_label, *details_label;

  if (content_type != NULL)
    {
      description = g_content_type_get_description (content_type);
      icon = g_content_type_get_symbolic_icon (content_type);
    }
  if (description == NULL)
    description = g_strdup (mime_type);

  /* Translators: an attachment's type and size, e.g. "PDF document, 1.2 MB" */
  details = g_strdup_printf (_("%s, %s"), description, size_text);
  /* Translators: accessible name of an attachment button: name, type and size */
  accessible = g_strdup_printf (_("%s (%s)"), part_name (part), details);
  tooltip = g_strdup_printf (_("Save “%s”…"), part_name (part));

  button = gtk_button_new ();
  gtk_widget_set_tooltip_text (button, tooltip);
  atk_object_set_name (gtk_widget_get_accessible (button), accessible);
  g_signal_connect_object (button, "clicked", G_CALLBACK (button_clicked_cb), self, 0);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  image = icon != NULL ? gtk_image_new_from_gicon (icon, GTK_ICON_SIZE_LARGE_TOOLBAR)
                       : gtk_image_new_from_icon_name ("text-x-generic-symbolic",
                                                       GTK_ICON_SIZE_LARGE_TOOLBAR);
  labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  name_label = gtk_label_new (part_name (part));
  gtk_label_set_ellipsize (GTK_LABEL (name_label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (name_label), 32);
  gtk_label_set_xalign (GTK_LABEL (name_label), 0);
  details_label = gtk_label_new (details);
  gtk_label_set_ellipsize (GTK_LABEL (details_label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (details_label), 32);
  gtk_label_set_xalign (GTK_LABEL (details_label), 0);
  gtk_style_context_add_class (gtk_widget_get_style_context (details_label), "dim-label");

  gtk_container_add (GTK_CONTAINER (labels), name_label);
  gtk_container_add (GTK_CONTAINER (labels), details_label);
  gtk_container_add (GTK_CONTAINER (box), image);
  gtk_container_add (GTK_CONTAINER (box), labels);
  gtk_container_add (GTK_CONTAINER (button), box);
  gtk_widget_show_all (button);
  return button;
}

static void
cachet_attachment_bar_dispose (GObject *object)
{
  CachetAttachmentBar *self = CACHET_ATTACHMENT_BAR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->parts, g_ptr_array_unref);
  g_clear_pointer (&self->buttons, g_ptr_array_unref);

  G_OBJECT_CLASS (cachet_attachment_bar_parent_class)->dispose (object);
}

static void
cachet_attachment_bar_class_init (CachetAttachmentBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_attachment_bar_dispose;

  /* An attachment was saved: (path). */
  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* Saving failed: (a sentence for the user). */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-attachment-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetAttachmentBar, flow_box);
}

static void
cachet_attachment_bar_init (CachetAttachmentBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_part_unref);
  self->buttons = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
cachet_attachment_bar_new (void)
{
  return g_object_new (CACHET_TYPE_ATTACHMENT_BAR, NULL);
}

void
cachet_attachment_bar_set_attachments (CachetAttachmentBar *self,
                                       GPtrArray           *parts,
                                       const guint64       *sizes)
{
  GList *children;

  g_return_if_fail (CACHET_IS_ATTACHMENT_BAR (self));

  children = gtk_container_get_children (GTK_CONTAINER (self->flow_box));
  for (GList *l = children; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);
  g_list_free (children);
  g_ptr_array_set_size (self->parts, 0);
  g_ptr_array_set_size (self->buttons, 0);

  for (guint i = 0; parts != NULL && i < parts->len; i++)
    {
      CachetPart *part = g_ptr_array_index (parts, i);
      guint64 size = sizes != NULL ? sizes[i] : cachet_part_get_encoded_size (part);
      GtkWidget *button = make_button (self, part, size);

      g_ptr_array_add (self->parts, cachet_part_ref (part));
      g_ptr_array_add (self->buttons, button);
      gtk_container_add (GTK_CONTAINER (self->flow_box), button);
    }
  gtk_widget_set_visible (GTK_WIDGET (self), self->parts->len > 0);
}

guint
cachet_attachment_bar_get_n_attachments (CachetAttachmentBar *self)
{
  g_return_val_if_fail (CACHET_IS_ATTACHMENT_BAR (self), 0);
  return self->parts->len;
}

GtkButton *
cachet_attachment_bar_get_button (CachetAttachmentBar *self,
                                  guint                index)
{
  g_return_val_if_fail (CACHET_IS_ATTACHMENT_BAR (self), NULL);
  g_return_val_if_fail (index < self->buttons->len, NULL);
  return g_ptr_array_index (self->buttons, index);
}
