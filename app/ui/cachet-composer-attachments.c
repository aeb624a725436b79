/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-composer"

#include "config.h"

#include "cachet-composer-attachments.h"

#include <glib/gi18n.h>

typedef struct
{
  char      *name;
  char      *content_type;
  guint64    size;
  GtkWidget *row;        /* borrowed: the list box owns it */
  GtkWidget *remove;     /* borrowed */
} Item;

struct _CachetComposerAttachments
{
  GtkBox      parent_instance;

  /* template */
  GtkListBox *list_box;
  GtkLabel   *summary_label;

  GPtrArray  *items;     /* Item */
};

enum
{
  SIGNAL_REMOVE_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CachetComposerAttachments, cachet_composer_attachments, GTK_TYPE_BOX)

static void
item_free (Item *item)
{
  g_free (item->name);
  g_free (item->content_type);
  g_free (item);
}

static char *
details (Item *item)
{
  g_autofree char *type = NULL;
  g_autofree char *size = g_format_size (item->size);

  if (item->content_type != NULL)
    type = g_content_type_get_description (item->content_type);
  if (type == NULL || *type == '\0')
    {
      g_free (type);
      type = g_strdup (_("Unknown type"));
    }
  /* Translators: an attachment's type and size, e.g. "PDF document, 1.2 kB" */
  return g_strdup_printf (_("%s, %s"), type, size);
}

static void
update_summary (CachetComposerAttachments *self)
{
  guint64 total = 0;
  g_autofree char *size = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < self->items->len; i++)
    total += ((Item *) g_ptr_array_index (self->items, i))->size;
  size = g_format_size (total);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u attachment, %s",
                                       "%u attachments, %s", self->items->len),
                          self->items->len, size);
  gtk_label_set_text (self->summary_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self), self->items->len > 0);
}

static void
remove_clicked_cb (GtkButton                 *button,
                   CachetComposerAttachments *self)
{
  for (guint i = 0; i < self->items->len; i++)
    if (((Item *) g_ptr_array_index (self->items, i))->remove == GTK_WIDGET (button))
      {
        g_signal_emit (self, signals[SIGNAL_REMOVE_REQUESTED], 0, i);
        return;
      }
}

void
cachet_composer_attachments_append (CachetComposerAttachments *self,
                                    const char                *name,
                                    const char                *content_type,
                                    guint64                    size)
{
  Item *item;
  GtkWidget *box, *image, *label, *detail_label, *button;
  g_autoptr(GIcon) icon = NULL;
  g_autofree char *text = NULL;
  g_autofree char *remove_name = NULL;

  g_return_if_fail (CACHET_IS_COMPOSER_ATTACHMENTS (self));
  g_return_if_fail (name != NULL);

  item = g_new0 (Item, 1);
  item->name = g_strdup (name);
  item->content_type = g_strdup (content_type);
  item->size = size;
  g_ptr_array_add (self->items, item);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  icon = content_type != NULL ? g_content_type_get_symbolic_icon (content_type)
                              : g_themed_icon_new ("text-x-generic-symbolic");
  image = gtk_image_new_from_gicon (icon, GTK_ICON_SIZE_BUTTON);
  gtk_container_add (GTK_CONTAINER (box), image);

  label = gtk_label_new (name);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_container_add (GTK_CONTAINER (box), label);

  text = details (item);
  detail_label = gtk_label_new (text);
  gtk_style_context_add_class (gtk_widget_get_style_context (detail_label), "dim-label");
  gtk_container_add (GTK_CONTAINER (box), detail_label);

  button = gtk_button_new_from_icon_name ("list-remove-symbolic", GTK_ICON_SIZE_BUTTON);
  gtk_button_set_relief (GTK_BUTTON (button), GTK_RELIEF_NONE);
  /* Translators: the accessible name and tooltip of the button that removes one attachment */
  remove_name = g_strdup_printf (_("Remove %s"), name);
  gtk_widget_set_tooltip_text (button, remove_name);
  atk_object_set_name (gtk_widget_get_accessible (button), remove_name);
  g_signal_connect (button, "clicked", G_CALLBACK (remove_clicked_cb), self);
  gtk_container_add (GTK_CONTAINER (box), button);
  item->remove = button;

  item->row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (item->row), FALSE);
  gtk_container_add (GTK_CONTAINER (item->row), box);
  /* Screen readers read the row as "name, type, size". */
  {
    g_autofree char *row_name = g_strdup_printf ("%s, %s", name, text);
    atk_object_set_name (gtk_widget_get_accessible (item->row), row_name);
  }
  gtk_widget_show_all (item->row);
  gtk_container_add (GTK_CONTAINER (self->list_box), item->row);
  update_summary (self);
}

void
cachet_composer_attachments_remove (CachetComposerAttachments *self,
                                    guint                      index)
{
  Item *item;

  g_return_if_fail (CACHET_IS_COMPOSER_ATTACHMENTS (self));
  g_return_if_fail (index < self->items->len);

  item = g_ptr_array_index (self->items, index);
  gtk_widget_destroy (item->row);
  g_ptr_array_remove_index (self->items, index);
  update_summary (self);
}

guint
cachet_composer_attachments_get_n_items (CachetComposerAttachments *self)
{
  g_return_val_if_fail (CACHET_IS_COMPOSER_ATTACHMENTS (self), 0);
  return self->items->len;
}

const char *
cachet_composer_attachments_get_name (CachetComposerAttachments *self,
                                      guint                      index)
{
  g_return_val_if_fail (CACHET_IS_COMPOSER_ATTACHMENTS (self), NULL);
  g_return_val_if_fail (index < self->items->len, NULL);
  return ((Item *) g_ptr_array_index (self->items, index))->name;
}

guint64
cachet_composer_attachments_get_size (CachetComposerAttachments *self,
                                      guint                      index)
{
  g_return_val_if_fail (CACHET_IS_COMPOSER_ATTACHMENTS (self), 0);
  g_return_val_if_fail (index < self->items->len, 0);
  return ((Item *) g_ptr_array_index (self->items, index))->size;
}

char *
cachet_composer_attachments_dup_details (CachetComposerAttachments *self,
                                         guint                      index)
{
  g_return_val_if_fail (CACHET_IS_COMPOSER_ATTACHMENTS (self), NULL);
  g_return_val_if_fail (index < self->items->len, NULL);
  return details (g_ptr_array_index (self->items, index));
}

GtkButton *
cachet_composer_attachments_get_remove_button (CachetComposerAttachments *self,
                                               guint                      index)
{
  g_return_val_if_fail (CACHET_IS_COMPOSER_ATTACHMENTS (self), NULL);
  g_return_val_if_fail (index < self->items->len, NULL);
  return GTK_BUTTON (((Item *) g_ptr_array_index (self->items, index))->remove);
}

static void
cachet_composer_attachments_finalize (GObject *object)
{
  CachetComposerAttachments *self = CACHET_COMPOSER_ATTACHMENTS (object);

  g_ptr_array_unref (self->items);

  G_OBJECT_CLASS (cachet_composer_attachments_parent_class)->finalize (object);
}

static void
cachet_composer_attachments_class_init (CachetComposerAttachmentsClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = cachet_composer_attachments_finalize;

  /* Emitted when the Remove button of attachment @index is clicked. */
  signals[SIGNAL_REMOVE_REQUESTED] =
    g_signal_new ("remove-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-composer-attachments.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetComposerAttachments, list_box);
  gtk_widget_class_bind_template_child (widget_class, CachetComposerAttachments, summary_label);
}

static void
cachet_composer_attachments_init (CachetComposerAttachments *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  gtk_widget_set_no_show_all (GTK_WIDGET (self), TRUE);
  update_summary (self);
}

GtkWidget *
cachet_composer_attachments_new (void)
{
  return g_object_new (CACHET_TYPE_COMPOSER_ATTACHMENTS, NULL);
}
