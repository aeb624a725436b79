/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CACHET_TYPE_MESSAGE_TREE_VIEW (cachet_message_tree_view_get_type ())
G_DECLARE_FINAL_TYPE (CachetMessageTreeView, cachet_message_tree_view,
                      CACHET, MESSAGE_TREE_VIEW, GtkTreeView)

G_END_DECLS
