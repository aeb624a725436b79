/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-list-view"

#include "config.h"

#include <glib/gi18n.h>

#include "cachet-message-list-view-private.h"

/* The columns of the message list view: From, Subject (indented by thread depth), Date,
 * Size and Flags (icons), unread rows in bold, the flags spelled out in a tooltip. */

/* Deeper thread levels are drawn at this depth. */
#define MAX_INDENT_DEPTH 12
#define INDENT_PIXELS 14

/* Cell data: read straight from the model's cached rows, no GValue copies. */

static const CachetMessageSummary *
summary_for_iter (GtkTreeModel *model,
                  GtkTreeIter  *iter)
{
  guint row;

  if (!CACHET_IS_MESSAGE_LIST_MODEL (model)
      || !cachet_message_list_model_get_row (CACHET_MESSAGE_LIST_MODEL (model), iter, &row))
    return NULL;
  return cachet_message_list_model_get_summary (CACHET_MESSAGE_LIST_MODEL (model), row);
}

static void
set_text (GtkCellRenderer            *renderer,
          const CachetMessageSummary *summary,
          const char                 *text)
{
  gboolean unread = summary->id != 0 && (summary->flags & CACHET_FLAG_SEEN) == 0;

  g_object_set (renderer,
                "text", text != NULL ? text : "",
                "weight", unread ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL,
                NULL);
}

static void
from_data_func (GtkTreeViewColumn *column,
                GtkCellRenderer   *renderer,
                GtkTreeModel      *model,
                GtkTreeIter       *iter,
                gpointer           user_data)
{
  const CachetMessageSummary *summary = summary_for_iter (model, iter);

  if (summary != NULL)
    set_text (renderer, summary, summary->from);
}

static void
subject_data_func (GtkTreeViewColumn *column,
                   GtkCellRenderer   *renderer,
                   GtkTreeModel      *model,
                   GtkTreeIter       *iter,
                   gpointer           user_data)
{
  const CachetMessageSummary *summary = summary_for_iter (model, iter);
  guint row, depth = 0;

  if (summary == NULL)
    return;
  if (cachet_message_list_model_get_row (CACHET_MESSAGE_LIST_MODEL (model), iter, &row))
    depth = cachet_message_list_model_get_depth (CACHET_MESSAGE_LIST_MODEL (model), row);
  gtk_cell_renderer_set_padding (renderer, 2 + (int) MIN (depth, MAX_INDENT_DEPTH) * INDENT_PIXELS,
                                 2);
  set_text (renderer, summary, summary->subject);
}

void
_cachet_message_list_view_update_day_boundaries (CachetMessageListView *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) today = g_date_time_new_local (g_date_time_get_year (now),
                                                      g_date_time_get_month (now),
                                                      g_date_time_get_day_of_month (now),
                                                      0, 0, 0);
  g_autoptr(GDateTime) year = g_date_time_new_local (g_date_time_get_year (now), 1, 1,
                                                     0, 0, 0);

  self->today_start = g_date_time_to_unix (today);
  self->year_start = g_date_time_to_unix (year);
}

static void
date_data_func (GtkTreeViewColumn *column,
                GtkCellRenderer   *renderer,
                GtkTreeModel      *model,
                GtkTreeIter       *iter,
                gpointer           user_data)
{
  CachetMessageListView *self = user_data;
  const CachetMessageSummary *summary = summary_for_iter (model, iter);
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *text = NULL;

  if (summary == NULL)
    return;
  if (summary->date != 0)
    date = g_date_time_new_from_unix_local (summary->date);
  if (date != NULL)
    {
      const char *format;

      if (summary->date >= self->today_start && summary->date < self->today_start + 86400)
        /* Translators: date of a message from today in the list (strftime format) */
        format = C_("list date", "%H:%M");
      else if (summary->date >= self->year_start && summary->date < self->today_start)
        /* Translators: date of a message from this year in the list (strftime format) */
        format = C_("list date", "%b %-d, %H:%M");
      else
        /* Translators: date of an older message in the list (strftime format) */
        format = C_("list date", "%Y-%m-%d");
      text = g_date_time_format (date, format);
    }
  set_text (renderer, summary, text);
}

static void
size_data_func (GtkTreeViewColumn *column,
                GtkCellRenderer   *renderer,
                GtkTreeModel      *model,
                GtkTreeIter       *iter,
                gpointer           user_data)
{
  const CachetMessageSummary *summary = summary_for_iter (model, iter);
  g_autofree char *text = NULL;

  if (summary == NULL)
    return;
  if (summary->id != 0)
    text = g_format_size (summary->size);
  set_text (renderer, summary, text);
}

static void
flags_data_func (GtkTreeViewColumn *column,
                 GtkCellRenderer   *renderer,
                 GtkTreeModel      *model,
                 GtkTreeIter       *iter,
                 gpointer           user_data)
{
  CachetMessageListView *self = user_data;
  const CachetMessageSummary *summary = summary_for_iter (model, iter);
  const char *icon = NULL;

  if (summary == NULL || summary->id == 0)
    ;
  else if (renderer == self->unread_renderer)
    icon = (summary->flags & CACHET_FLAG_SEEN) ? NULL : "mail-unread-symbolic";
  else if (renderer == self->flagged_renderer)
    icon = (summary->flags & CACHET_FLAG_FLAGGED) ? "starred-symbolic" : NULL;
  else if (renderer == self->replied_renderer)
    icon = (summary->flags & CACHET_FLAG_REPLIED) ? "mail-replied-symbolic" : NULL;
  else if (renderer == self->attachment_renderer)
    icon = summary->has_attachment ? "mail-attachment-symbolic" : NULL;
  g_object_set (renderer, "icon-name", icon, NULL);
}

static char *
describe_flags (const CachetMessageSummary *summary)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new ();

  if ((summary->flags & CACHET_FLAG_SEEN) == 0)
    g_ptr_array_add (words, (gpointer) _("Unread"));
  if (summary->flags & CACHET_FLAG_FLAGGED)
    g_ptr_array_add (words, (gpointer) _("Flagged"));
  if (summary->flags & CACHET_FLAG_REPLIED)
    g_ptr_array_add (words, (gpointer) _("Replied"));
  if (summary->has_attachment)
    g_ptr_array_add (words, (gpointer) _("Has attachments"));
  if (words->len == 0)
    return NULL;
  g_ptr_array_add (words, NULL);
  /* Translators: separates the states of a message in a tooltip, e.g. "Unread, Flagged" */
  return g_strjoinv (_(", "), (char **) words->pdata);
}

gboolean
_cachet_message_list_view_query_tooltip_cb (GtkWidget             *widget,
                                            int                    x,
                                            int                    y,
                                            gboolean               keyboard_mode,
                                            GtkTooltip            *tooltip,
                                            CachetMessageListView *self)
{
  g_autoptr(GtkTreePath) path = NULL;
  GtkTreeModel *model = NULL;
  GtkTreeViewColumn *column = NULL;
  const CachetMessageSummary *summary;
  g_autofree char *text = NULL;
  GtkTreeIter iter;

  if (!gtk_tree_view_get_tooltip_context (self->tree_view, &x, &y, keyboard_mode,
                                          &model, &path, &iter))
    return FALSE;
  if (!keyboard_mode
      && (!gtk_tree_view_get_path_at_pos (self->tree_view, x, y, NULL, &column, NULL, NULL)
          || column != self->flags_column))
    return FALSE;

  summary = summary_for_iter (model, &iter);
  if (summary == NULL || summary->id == 0 || (text = describe_flags (summary)) == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  gtk_tree_view_set_tooltip_cell (self->tree_view, tooltip, path, self->flags_column, NULL);
  return TRUE;
}

/* Sorting */

CachetSortColumn
_cachet_message_list_view_column_sort (CachetMessageListView *self,
                                       GtkTreeViewColumn     *column)
{
  if (column == self->from_column)
    return CACHET_SORT_FROM;
  if (column == self->subject_column)
    return CACHET_SORT_SUBJECT;
  if (column == self->size_column)
    return CACHET_SORT_SIZE;
  if (column == self->flags_column)
    return CACHET_SORT_FLAGS;
  return CACHET_SORT_DATE;
}

void
_cachet_message_list_view_update_sort_indicators (CachetMessageListView *self)
{
  GtkTreeViewColumn *columns[] = {
    self->from_column, self->subject_column, self->date_column,
    self->size_column, self->flags_column,
  };

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      gboolean sorted = _cachet_message_list_view_column_sort (self, columns[i]) == self->query.sort;

      gtk_tree_view_column_set_sort_indicator (columns[i], sorted);
      if (sorted)
        gtk_tree_view_column_set_sort_order (columns[i], self->query.descending
                                                         ? GTK_SORT_DESCENDING
                                                         : GTK_SORT_ASCENDING);
    }
}

void
_cachet_message_list_view_setup_columns (CachetMessageListView *self)
{
  GtkCellRenderer *flag_renderers[] = {
    self->unread_renderer, self->flagged_renderer, self->replied_renderer,
    self->attachment_renderer,
  };

  gtk_tree_view_column_set_cell_data_func (self->from_column, self->from_renderer,
                                           from_data_func, self, NULL);
  gtk_tree_view_column_set_cell_data_func (self->subject_column, self->subject_renderer,
                                           subject_data_func, self, NULL);
  gtk_tree_view_column_set_cell_data_func (self->date_column, self->date_renderer,
                                           date_data_func, self, NULL);
  gtk_tree_view_column_set_cell_data_func (self->size_column, self->size_renderer,
                                           size_data_func, self, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (flag_renderers); i++)
    gtk_tree_view_column_set_cell_data_func (self->flags_column, flag_renderers[i],
                                             flags_data_func, self, NULL);
  _cachet_message_list_view_update_sort_indicators (self);
  _cachet_message_list_view_update_day_boundaries (self);
}
