/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-message-view"

#include "config.h"

#include "cachet-message-view.h"

#include <glib/gi18n.h>

#include "cachet-address.h"
#include "cachet-bounce.h"
#include "cachet-message-view-private.h"


enum
{
  SIGNAL_LOADED,
  SIGNAL_SHOW_ORIGINAL,
  SIGNAL_OPENED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CachetMessageView, cachet_message_view, GTK_TYPE_STACK)

/* Showing */

static void
set_address_row (GtkWidget *key,
                 GtkLabel  *label,
                 GPtrArray *addresses)
{
  g_autofree char *text = cachet_address_list_format (addresses);
  gboolean visible = text != NULL && *text != '\0';

  gtk_label_set_text (label, visible ? text : "");
  if (key != NULL)
    {
      gtk_widget_set_visible (key, visible);
      gtk_widget_set_visible (GTK_WIDGET (label), visible);
    }
}

/* A bounce: "Undeliverable to a@b: reason", with a button to the original when the store
 * has it. */
static void
show_bounce (CachetMessageView  *self,
             const CachetBounce *bounce,
             gint64              original_id)
{
  g_autofree char *text = NULL;

  self->original_id = bounce != NULL ? original_id : 0;
  if (bounce == NULL)
    {
      gtk_label_set_text (self->bounce_label, "");
      gtk_widget_hide (self->bounce_original_button);
      gtk_widget_hide (GTK_WIDGET (self->bounce_bar));
      return;
    }
  text = cachet_bounce_describe (bounce);
  gtk_label_set_text (self->bounce_label, text);
  gtk_info_bar_set_message_type (self->bounce_bar, bounce->delayed_only ? GTK_MESSAGE_WARNING
                                                                        : GTK_MESSAGE_ERROR);
  gtk_widget_set_visible (self->bounce_original_button, self->original_id != 0);
  gtk_widget_show (GTK_WIDGET (self->bounce_bar));
}

static void
bounce_original_clicked_cb (GtkButton         *button,
                            CachetMessageView *self)
{
  if (self->original_id != 0)
    g_signal_emit (self, signals[SIGNAL_SHOW_ORIGINAL], 0, self->original_id);
}

void
_cachet_message_view_emit_opened (CachetMessageView *self)
{
  g_signal_emit (self, signals[SIGNAL_OPENED], 0);
}

void
_cachet_message_view_show_parsed (CachetMessageView  *self,
             CachetMessage      *message,
             const guint64      *attachment_sizes,
             const CachetBounce *bounce,
             gint64              original_id)
{
  GDateTime *date = cachet_message_get_date (message);
  GPtrArray *warnings = cachet_message_get_warnings (message);
  const char *subject = cachet_message_get_subject (message);
  const char *body = cachet_message_get_body_text (message);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  GtkTextIter start;

  g_set_object (&self->message, message);

  gtk_label_set_text (self->subject_label,
                      subject != NULL && *subject != '\0' ? subject : _("(No subject)"));
  set_address_row (NULL, self->from_label, cachet_message_get_from (message));
  set_address_row (self->to_key, self->to_label, cachet_message_get_to (message));
  set_address_row (self->cc_key, self->cc_label, cachet_message_get_cc (message));

  if (date != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (date);
      /* Translators: the date in the message header area (strftime format) */
      g_autofree char *text = g_date_time_format (local, _("%A, %-d %B %Y, %H:%M"));

      gtk_label_set_text (self->date_label, text);
    }
  gtk_widget_set_visible (self->date_key, date != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->date_label), date != NULL);

  if (warnings != NULL && warnings->len > 0)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; i < warnings->len; i++)
        {
          if (i > 0)
            g_string_append_c (text, '\n');
          g_string_append (text, g_ptr_array_index (warnings, i));
        }
      gtk_label_set_text (self->warnings_label, text->str);
      gtk_widget_show (GTK_WIDGET (self->warnings_bar));
    }
  else
    {
      gtk_label_set_text (self->warnings_label, "");
      gtk_widget_hide (GTK_WIDGET (self->warnings_bar));
    }

  show_bounce (self, bounce, original_id);
  _cachet_message_view_crypto_show_keys (self, message);

  cachet_attachment_bar_set_attachments (self->attachment_bar,
                                         cachet_message_get_attachments (message),
                                         attachment_sizes);

  gtk_text_buffer_set_text (buffer, body != NULL ? body : "", -1);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
  gtk_text_view_scroll_to_iter (self->body_view, &start, 0, FALSE, 0, 0);

  gtk_stack_set_visible_child_name (GTK_STACK (self), "message");
}

/* Loading */

typedef struct
{
  CachetStore *store;
  gint64       id;
} LoadJob;

typedef struct
{
  CachetMessage *message;
  GArray        *attachment_sizes;  /* guint64 */
  CachetBounce  *bounce;            /* NULL unless the message is a bounce */
  gint64         original_id;       /* the bounced message in the store, or 0 */
  gboolean       sealed;            /* encrypted or signed: to be opened */
} Loaded;

static void
load_job_free (gpointer data)
{
  LoadJob *job = data;

  g_clear_object (&job->store);
  g_free (job);
}

static void
loaded_free (gpointer data)
{
  Loaded *loaded = data;

  g_clear_object (&loaded->message);
  g_clear_pointer (&loaded->attachment_sizes, g_array_unref);
  g_clear_pointer (&loaded->bounce, cachet_bounce_free);
  g_free (loaded);
}

/* The message a bounce returns: in Sent, else wherever it was filed. */
static gint64
find_original (CachetStore *store,
               const char  *message_id,
               gint64       bounce_id)
{
  g_autoptr(CachetFolderInfo) sent = cachet_store_get_folder_by_role (store,
                                                                      CACHET_FOLDER_ROLE_SENT);
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  if (sent != NULL)
    id = cachet_store_find_by_message_id (store, message_id, sent->id, &error);
  if (id == 0 && error == NULL)
    id = cachet_store_find_by_message_id (store, message_id, 0, &error);
  if (error != NULL)
    g_debug ("Looking for the original of a bounce: %s", error->message);
  return id != bounce_id ? id : 0;
}

GArray *
_cachet_message_view_measure_attachments (CachetMessage *message)
{
  GPtrArray *attachments = cachet_message_get_attachments (message);
  GArray *sizes = g_array_new (FALSE, FALSE, sizeof (guint64));

  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    {
      g_autoptr(GBytes) decoded = cachet_part_get_decoded (g_ptr_array_index (attachments, i));
      guint64 size = g_bytes_get_size (decoded);

      g_array_append_val (sizes, size);
    }
  return sizes;
}

static void
load_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadJob *job = task_data;
  GError *error = NULL;
  Loaded *loaded;

  loaded = g_new0 (Loaded, 1);
  loaded->message = cachet_store_load_message (job->store, job->id, &error);
  if (loaded->message == NULL)
    {
      loaded_free (loaded);
      g_task_return_error (task, error);
      return;
    }

  /* The parts are decoded here rather than in the main thread. */
  (void) cachet_message_get_body_text (loaded->message);
  loaded->attachment_sizes = _cachet_message_view_measure_attachments (loaded->message);
  loaded->sealed = cachet_message_get_bytes (loaded->message) != NULL
                   && cachet_crypto_looks_sealed (cachet_message_get_bytes (loaded->message));

  loaded->bounce = cachet_bounce_detect (loaded->message);
  if (loaded->bounce != NULL && loaded->bounce->original_message_id != NULL)
    loaded->original_id = find_original (job->store, loaded->bounce->original_message_id,
                                         job->id);
  g_task_return_pointer (task, loaded, loaded_free);
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CachetMessageView) self = user_data;
  LoadJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  Loaded *loaded;

  loaded = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || job->id != self->message_id)
    {
      g_clear_pointer (&loaded, loaded_free);
      return;
    }

  if (loaded == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("This message could not be opened: %s"),
                                               error->message);

      g_clear_object (&self->message);
      gtk_label_set_text (self->failed_label, text);
      gtk_stack_set_visible_child_name (GTK_STACK (self), "failed");
      return;
    }

  _cachet_message_view_show_parsed (self, loaded->message,
                                    (const guint64 *) (gpointer) loaded->attachment_sizes->data,
                                    loaded->bounce, loaded->original_id);
  _cachet_message_view_crypto_start (self, loaded->message, loaded->sealed);
  loaded_free (loaded);
  g_signal_emit (self, signals[SIGNAL_LOADED], 0, job->id);
}

/* GObject */

static void
cachet_message_view_dispose (GObject *object)
{
  CachetMessageView *self = CACHET_MESSAGE_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->message);
  _cachet_message_view_crypto_dispose (self);

  G_OBJECT_CLASS (cachet_message_view_parent_class)->dispose (object);
}

static void
cachet_message_view_class_init (CachetMessageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_message_view_dispose;

  /* A message from the store is shown: (gint64 id). */
  signals[SIGNAL_LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /* "Show the Original" in a bounce's banner: (gint64 id) of the message that bounced. */
  signals[SIGNAL_SHOW_ORIGINAL] =
    g_signal_new ("show-original", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /* An encrypted or signed message was opened (or could not be) and the status bar says
   * so; also after a key import finished. */
  signals[SIGNAL_OPENED] =
    g_signal_new ("opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (CACHET_TYPE_ATTACHMENT_BAR);
  g_type_ensure (CACHET_TYPE_CRYPTO_STATUS);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-message-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, failed_label);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, subject_label);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, from_label);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, to_key);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, to_label);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, cc_key);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, cc_label);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, date_key);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, date_label);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, bounce_bar);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, bounce_label);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView,
                                        bounce_original_button);
  gtk_widget_class_bind_template_callback (widget_class, bounce_original_clicked_cb);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, warnings_bar);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, warnings_label);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, attachment_bar);
  gtk_widget_class_bind_template_child (widget_class, CachetMessageView, body_view);
  _cachet_message_view_crypto_class_init (widget_class);
}

static void
cachet_message_view_init (CachetMessageView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_stack_set_visible_child_name (GTK_STACK (self), "empty");
}

/* Public API */

GtkWidget *
cachet_message_view_new (void)
{
  return g_object_new (CACHET_TYPE_MESSAGE_VIEW, NULL);
}

void
cachet_message_view_show_message (CachetMessageView *self,
                                  CachetStore       *store,
                                  gint64             id)
{
  g_autoptr(GTask) task = NULL;
  LoadJob *job;

  g_return_if_fail (CACHET_IS_MESSAGE_VIEW (self));
  g_return_if_fail (CACHET_IS_STORE (store));

  if (id == self->message_id)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->message_id = id;
  _cachet_message_view_crypto_reset (self);
  if (id == 0)
    {
      cachet_message_view_clear (self);
      return;
    }

  self->cancellable = g_cancellable_new ();
  job = g_new0 (LoadJob, 1);
  job->store = g_object_ref (store);
  job->id = id;

  task = g_task_new (NULL, self->cancellable, load_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, cachet_message_view_show_message);
  g_task_set_task_data (task, job, load_job_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_worker);
}

void
cachet_message_view_set_message (CachetMessageView *self,
                                 CachetMessage     *message)
{
  g_autoptr(CachetBounce) bounce = NULL;

  g_return_if_fail (CACHET_IS_MESSAGE_VIEW (self));
  g_return_if_fail (CACHET_IS_MESSAGE (message));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->message_id = 0;
  _cachet_message_view_crypto_reset (self);
  /* Not from the store: there is no original to look for. */
  bounce = cachet_bounce_detect (message);
  _cachet_message_view_show_parsed (self, message, NULL, bounce, 0);
  _cachet_message_view_crypto_start (self, message,
                                     cachet_message_get_bytes (message) != NULL
                                     && cachet_crypto_looks_sealed (cachet_message_get_bytes (message)));
}

void
cachet_message_view_clear (CachetMessageView *self)
{
  g_return_if_fail (CACHET_IS_MESSAGE_VIEW (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->message_id = 0;
  _cachet_message_view_crypto_reset (self);
  g_clear_object (&self->message);
  show_bounce (self, NULL, 0);
  cachet_attachment_bar_set_attachments (self->attachment_bar, NULL, NULL);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->body_view), "", 0);
  gtk_stack_set_visible_child_name (GTK_STACK (self), "empty");
}

gint64
cachet_message_view_get_message_id (CachetMessageView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_VIEW (self), 0);
  return self->message_id;
}

CachetMessage *
cachet_message_view_get_message (CachetMessageView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_VIEW (self), NULL);
  return self->message;
}

GtkTextView *
cachet_message_view_get_body_view (CachetMessageView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_VIEW (self), NULL);
  return self->body_view;
}

CachetAttachmentBar *
cachet_message_view_get_attachment_bar (CachetMessageView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_VIEW (self), NULL);
  return self->attachment_bar;
}

const char *
cachet_message_view_get_warnings_text (CachetMessageView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_VIEW (self), NULL);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->warnings_bar)))
    return NULL;
  return gtk_label_get_text (self->warnings_label);
}

const char *
cachet_message_view_get_bounce_text (CachetMessageView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_VIEW (self), NULL);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->bounce_bar)))
    return NULL;
  return gtk_label_get_text (self->bounce_label);
}

gint64
cachet_message_view_get_original_id (CachetMessageView *self)
{
  g_return_val_if_fail (CACHET_IS_MESSAGE_VIEW (self), 0);
  return self->original_id;
}
