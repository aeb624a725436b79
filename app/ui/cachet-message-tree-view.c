/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-list-view"

#include "config.h"

#include "cachet-message-tree-view.h"

#include <glib/gi18n.h>

/* The tree view of the message list.  It differs from GtkTreeView in one thing: its
 * accessible object, and with it the accessible name "Messages", is made only when an
 * assistive technology asks for it.
 *
 * Once GTK 3's tree view has an accessible object, every new model makes it announce each
 * cell as added ("children-changed::add", rows × columns signals): half a million for a
 * 100,000-message folder, which takes longer than the rest of showing the folder.  Naming
 * the view in the .ui file would make the accessible object at start for everyone. */

struct _CachetMessageTreeView
{
  GtkTreeView parent_instance;

  gboolean    named;
};

G_DEFINE_FINAL_TYPE (CachetMessageTreeView, cachet_message_tree_view, GTK_TYPE_TREE_VIEW)

static AtkObject *
cachet_message_tree_view_get_accessible (GtkWidget *widget)
{
  CachetMessageTreeView *self = CACHET_MESSAGE_TREE_VIEW (widget);
  AtkObject *accessible;

  accessible = GTK_WIDGET_CLASS (cachet_message_tree_view_parent_class)->get_accessible (widget);
  if (!self->named && accessible != NULL)
    {
      self->named = TRUE;
      atk_object_set_name (accessible, _("Messages"));
    }
  return accessible;
}

static void
cachet_message_tree_view_class_init (CachetMessageTreeViewClass *klass)
{
  GTK_WIDGET_CLASS (klass)->get_accessible = cachet_message_tree_view_get_accessible;
}

static void
cachet_message_tree_view_init (CachetMessageTreeView *self)
{
}
