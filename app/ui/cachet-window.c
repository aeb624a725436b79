/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-window"

#include "config.h"

#include "cachet-window.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cachet-window-private.h"

G_DEFINE_FINAL_TYPE (CachetWindow, cachet_window, GTK_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];


/* The notification bar */

static void
show_message (CachetWindow   *self,
              GtkMessageType  type,
              const char     *text)
{
  if (self->info_bar == NULL)
    return;
  gtk_info_bar_set_message_type (self->info_bar, type);
  gtk_label_set_text (self->info_label, text);
  gtk_info_bar_set_revealed (self->info_bar, TRUE);
}

void
_cachet_window_show_error (CachetWindow *self,
                           const char   *text)
{
  show_message (self, GTK_MESSAGE_ERROR, text);
}

void
_cachet_window_show_info (CachetWindow *self,
                          const char   *text)
{
  show_message (self, GTK_MESSAGE_INFO, text);
}

void
_cachet_window_show_warning (CachetWindow *self,
                             const char   *text)
{
  show_message (self, GTK_MESSAGE_WARNING, text);
}

static void
info_bar_response_cb (GtkInfoBar   *bar,
                      int           response,
                      CachetWindow *self)
{
  gtk_info_bar_set_revealed (bar, FALSE);
}

static void
error_cb (GtkWidget    *widget,
          const char   *text,
          CachetWindow *self)
{
  _cachet_window_show_error (self, text);
}

/* For bench/measure-gui.py: with CACHET_BENCH_EXIT_AFTER_PAINT=1 the window prints
 * "painted <ms>" (milliseconds since the process started) once the message list has been
 * drawn with its rows, then quits. */

static double
ms_since_process_start (void)
{
#ifdef __linux__
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;
  struct timespec now;

  /* Field 22 of /proc/self/stat is the start time in clock ticks since boot; the fields
   * after the command name (field 2, in parentheses) start at field 3. */
  if (g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL)
      && (after_name = strrchr (stat, ')')) != NULL
      && (fields = g_strsplit (after_name + 2, " ", 0)) != NULL
      && g_strv_length (fields) > 19
      && clock_gettime (CLOCK_BOOTTIME, &now) == 0)
    return now.tv_sec * 1000.0 + now.tv_nsec / 1e6
           - g_ascii_strtod (fields[19], NULL) * 1000.0 / sysconf (_SC_CLK_TCK);
#endif
  return -1;
}

static gboolean
bench_draw_cb (GtkWidget    *tree_view,
               cairo_t      *cr,
               CachetWindow *self)
{
  GtkTreeModel *model = gtk_tree_view_get_model (GTK_TREE_VIEW (tree_view));

  if (model == NULL || gtk_tree_model_iter_n_children (model, NULL) == 0)
    return GDK_EVENT_PROPAGATE;

  g_signal_handlers_disconnect_by_func (tree_view, bench_draw_cb, self);
  printf ("painted %.1f\n", ms_since_process_start ());
  fflush (stdout);
  g_application_quit (g_application_get_default ());
  return GDK_EVENT_PROPAGATE;
}

/* Folders */

static void
sync_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CachetWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cachet_store_write_finish (CACHET_STORE (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Could not check the folder for changes "
                                                 "made by other programs: %s"),
                                               error->message);

      _cachet_window_show_error (self, text);
    }
}

static void
update_title (CachetWindow *self)
{
  g_autoptr(CachetFolderInfo) info = cachet_store_get_folder (self->store, self->folder_id);
  g_autofree char *title = NULL;

  if (info == NULL)
    return;
  /* Translators: window title: folder name, then the application name */
  title = g_strdup_printf (_("%s — Cachet"), cachet_folder_get_display_name (info));
  gtk_window_set_title (GTK_WINDOW (self), title);
}

static void
folders_changed_cb (CachetStore  *store,
                    CachetWindow *self)
{
  update_title (self);
  _cachet_window_update_actions (self);
}

static void
folder_selected_cb (CachetFolderTree *tree,
                    gint64            folder_id,
                    CachetWindow     *self)
{
  g_autoptr(CachetFolderInfo) info = cachet_store_get_folder (self->store, folder_id);

  self->folder_id = folder_id;

  /* Choosing a folder ends a search. */
  if (*gtk_entry_get_text (GTK_ENTRY (self->search_entry)) != '\0')
    {
      g_signal_handlers_block_matched (self->search_entry, G_SIGNAL_MATCH_DATA,
                                       0, 0, NULL, NULL, self);
      gtk_entry_set_text (GTK_ENTRY (self->search_entry), "");
      g_signal_handlers_unblock_matched (self->search_entry, G_SIGNAL_MATCH_DATA,
                                         0, 0, NULL, NULL, self);
    }

  /* What the index knows is shown at once; once it is in, the Maildir is checked for
   * changes that other programs made, which arrive as "messages-changed". */
  self->sync_pending = TRUE;
  cachet_message_list_view_show_folder (self->message_list, folder_id);

  update_title (self);
  if (info != NULL && self->settings != NULL)
    g_settings_set_string (self->settings, "last-folder", info->path);
  _cachet_window_update_actions (self);
}

static void
select_initial_folder (CachetWindow *self)
{
  g_autofree char *path = NULL;
  g_autoptr(CachetFolderInfo) info = NULL;

  if (self->settings != NULL)
    path = g_settings_get_string (self->settings, "last-folder");
  if (path != NULL && *path != '\0')
    info = cachet_store_get_folder_by_path (self->store, path);
  if (info == NULL)
    info = cachet_store_get_folder_by_role (self->store, CACHET_FOLDER_ROLE_INBOX);
  if (info == NULL)
    return;

  /* The application listed this folder while GTK started: show that list at once. */
  {
    GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
    CachetSortColumn sort;
    gboolean descending;
    CachetMessageList *list = NULL;

    sort = cachet_message_list_view_get_sort (self->message_list, &descending);
    if (CACHET_IS_APPLICATION (app))
      list = cachet_application_take_start_list (CACHET_APPLICATION (app), info->id, sort,
                                                 descending,
                                                 cachet_message_list_view_get_threaded (
                                                   self->message_list));
    if (list != NULL)
      cachet_message_list_view_offer_list (self->message_list, info->id, list);
  }
  cachet_folder_tree_select (self->folder_tree, info->id);
}

static void store_ready (CachetWindow *self);

static gboolean
store_ready_idle_cb (gpointer user_data)
{
  CachetWindow *self = user_data;

  self->ready_source = 0;
  store_ready (self);
  return G_SOURCE_REMOVE;
}

static void
open_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CachetWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cachet_store_open_finish (CACHET_STORE (source), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Your mail could not be opened.\n\n%s"), error->message);
      gtk_label_set_text (self->failed_label, text);
      gtk_spinner_stop (self->spinner);
      gtk_widget_hide (self->loading_box);
      gtk_stack_set_visible_child_name (self->main_stack, "failed");
      return;
    }

  store_ready (self);
}

/* The store is open: fill the folder tree and show the folder of last time. */
static void
store_ready (CachetWindow *self)
{
  self->store_open = TRUE;
  g_debug ("Store open at %.1f ms", ms_since_process_start ());
  gtk_spinner_stop (self->spinner);
  gtk_widget_hide (self->loading_box);
  cachet_message_list_view_set_store (self->message_list, self->store);
  cachet_folder_tree_set_store (self->folder_tree, self->store);
  g_signal_connect_object (self->store, "folders-changed", G_CALLBACK (folders_changed_cb),
                           self, 0);
  if (g_strcmp0 (g_getenv ("CACHET_BENCH_EXIT_AFTER_PAINT"), "1") == 0)
    g_signal_connect_object (cachet_message_list_view_get_tree_view (self->message_list), "draw",
                             G_CALLBACK (bench_draw_cb), self, G_CONNECT_AFTER);
  select_initial_folder (self);
  _cachet_window_outbox_store_ready (self);
  _cachet_window_update_actions (self);
  _cachet_window_fetch_store_ready (self);
}

/* Messages */

static void
list_selection_changed_cb (CachetMessageListView *list,
                           CachetWindow          *self)
{
  gint64 id = cachet_message_list_view_get_selected_id (list);

  if (id != 0)
    cachet_message_view_show_message (self->message_view, self->store, id);
  else
    cachet_message_view_clear (self->message_view);
  _cachet_window_update_actions (self);
}

static gboolean
present_cb (gpointer user_data)
{
  CachetWindow *self = user_data;

  self->present_source = 0;
  gtk_window_present (GTK_WINDOW (self));
  return G_SOURCE_REMOVE;
}

/* How long a new window waits for its first list before showing anyway. */
#define PRESENT_WAIT_MS 250

void
cachet_window_present_when_ready (CachetWindow *self)
{
  g_return_if_fail (CACHET_IS_WINDOW (self));

  /* The store was open at construction and the start-up list is waiting: map the window
   * first (realizing it costs the same with or without rows), then give it the list; the
   * first frame, drawn from the main loop, has the rows. */
  if (self->ready_source != 0)
    {
      g_clear_handle_id (&self->ready_source, g_source_remove);
      gtk_window_present (GTK_WINDOW (self));
      store_ready (self);
      return;
    }

  /* Without an open store there is nothing to wait for: show the spinner at once. */
  if (!self->store_open || !cachet_message_list_view_is_loading (self->message_list))
    {
      gtk_window_present (GTK_WINDOW (self));
      return;
    }
  if (self->present_source == 0)
    self->present_source = g_timeout_add (PRESENT_WAIT_MS, present_cb, self);
}

/* A message selected once the list of its folder is in. */
static void
select_pending (CachetWindow *self)
{
  CachetMessageListView *list = self->message_list;

  if (self->select_id == 0 || cachet_message_list_view_is_searching (list)
      || cachet_message_list_view_is_loading (list)
      || cachet_message_list_view_get_folder_id (list) != self->select_folder_id)
    return;
  cachet_message_list_view_select_id (list, self->select_id);
  self->select_id = 0;
  self->select_folder_id = 0;
}

static void
list_loaded_cb (CachetMessageListView *list,
                CachetWindow          *self)
{
  if (self->present_source != 0)
    {
      g_clear_handle_id (&self->present_source, g_source_remove);
      gtk_window_present (GTK_WINDOW (self));
    }

  /* The list gets the keyboard once its first rows are in, not before: focusing the tree
   * view makes GTK create its accessible object, and with one, GTK 3 announces every cell
   * of a new model to it (500,000 signals for a 100,000-message folder). */
  if (!self->list_focused)
    {
      self->list_focused = TRUE;
      gtk_widget_grab_focus (GTK_WIDGET (cachet_message_list_view_get_tree_view (list)));
    }

  select_pending (self);

  /* The folder's list is in (so the sync does not slow down showing it): now look for
   * changes made by other programs. */
  if (self->sync_pending && !cachet_message_list_view_is_searching (list))
    {
      self->sync_pending = FALSE;
      cachet_store_sync_folder_async (self->store, self->folder_id, self->cancellable,
                                      sync_done_cb, g_object_ref (self));
    }
}

static void
message_loaded_cb (CachetMessageView *view,
                   gint64             id,
                   CachetWindow      *self)
{
  /* A message is marked read as soon as it is shown. */
  _cachet_window_mark_read (self, id);
}

/* "Show the Original" in a bounce's banner: the message that bounced, in its folder. */
static void
message_show_original_cb (CachetMessageView *view,
                          gint64             id,
                          CachetWindow      *self)
{
  CachetMessageSummary summary = { 0 };
  gint64 folder_id;

  if (!cachet_store_get_summaries (self->store, &id, 1, &summary, NULL) || summary.id == 0)
    {
      cachet_message_summary_clear (&summary);
      _cachet_window_show_error (self, _("The message that could not be delivered is no "
                                         "longer in your mail."));
      return;
    }
  folder_id = summary.folder_id;
  cachet_message_summary_clear (&summary);

  self->select_id = id;
  self->select_folder_id = folder_id;
  if (folder_id != self->folder_id)
    {
      /* Ends a search too; the list's "loaded" selects the message. */
      cachet_folder_tree_select (self->folder_tree, folder_id);
      return;
    }
  if (cachet_message_list_view_is_searching (self->message_list))
    {
      g_signal_handlers_block_matched (self->search_entry, G_SIGNAL_MATCH_DATA,
                                       0, 0, NULL, NULL, self);
      gtk_entry_set_text (GTK_ENTRY (self->search_entry), "");
      g_signal_handlers_unblock_matched (self->search_entry, G_SIGNAL_MATCH_DATA,
                                         0, 0, NULL, NULL, self);
      _cachet_window_end_search (self);
      return;
    }
  select_pending (self);
}

static void
list_sort_changed_cb (CachetMessageListView *list,
                      int                    sort,
                      gboolean               descending,
                      CachetWindow          *self)
{
  if (self->settings == NULL)
    return;
  g_settings_set_enum (self->settings, "sort-column", sort);
  g_settings_set_boolean (self->settings, "sort-descending", descending);
}

static void
attachment_saved_cb (CachetAttachmentBar *bar,
                     const char          *path,
                     CachetWindow        *self)
{
  g_autofree char *name = g_filename_display_name (path);
  g_autofree char *text = g_strdup_printf (_("Saved as “%s”."), name);

  _cachet_window_show_info (self, text);
}

/* Search */

void
_cachet_window_run_search (CachetWindow *self)
{
  const char *text = gtk_entry_get_text (GTK_ENTRY (self->search_entry));
  GAction *all = g_action_map_lookup_action (G_ACTION_MAP (self), "search-all-folders");
  g_autoptr(GVariant) state = g_action_get_state (all);

  if (!self->store_open || *text == '\0')
    return;
  cachet_message_list_view_show_search (self->message_list, text,
                                        g_variant_get_boolean (state) ? 0 : self->folder_id);
}

void
_cachet_window_end_search (CachetWindow *self)
{
  if (cachet_message_list_view_is_searching (self->message_list))
    cachet_message_list_view_show_folder (self->message_list, self->folder_id);
}

/* GtkSearchEntry already waits 150 ms after the last key before "search-changed". */
static void
search_changed_cb (GtkSearchEntry *entry,
                   CachetWindow   *self)
{
  if (*gtk_entry_get_text (GTK_ENTRY (entry)) == '\0')
    _cachet_window_end_search (self);
  else
    _cachet_window_run_search (self);
}

static void
stop_search_cb (GtkSearchEntry *entry,
                CachetWindow   *self)
{
  gtk_entry_set_text (GTK_ENTRY (entry), "");
  _cachet_window_end_search (self);
  gtk_widget_grab_focus (GTK_WIDGET (cachet_message_list_view_get_tree_view (self->message_list)));
}

static void
search_activate_cb (GtkSearchEntry *entry,
                    CachetWindow   *self)
{
  GtkTreeView *tree_view = cachet_message_list_view_get_tree_view (self->message_list);

  gtk_widget_grab_focus (GTK_WIDGET (tree_view));
  if (cachet_message_list_view_get_selected_id (self->message_list) == 0)
    cachet_message_list_view_move_cursor (self->message_list, 1, FALSE);
}

static void
import_cancel_cb (GtkButton    *button,
                  CachetWindow *self)
{
  g_cancellable_cancel (self->import_cancellable);
}

/* Window state */

static void
restore_state (CachetWindow *self)
{
  CachetSortColumn sort;
  gboolean descending;

  if (self->settings == NULL)
    return;

  self->width = g_settings_get_int (self->settings, "window-width");
  self->height = g_settings_get_int (self->settings, "window-height");
  self->maximized = g_settings_get_boolean (self->settings, "window-maximized");
  gtk_window_set_default_size (GTK_WINDOW (self), self->width, self->height);
  if (self->maximized)
    gtk_window_maximize (GTK_WINDOW (self));

  g_settings_bind (self->settings, "folder-pane-width", self->outer_paned, "position",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "list-pane-height", self->inner_paned, "position",
                   G_SETTINGS_BIND_DEFAULT);

  sort = (CachetSortColumn) g_settings_get_enum (self->settings, "sort-column");
  descending = g_settings_get_boolean (self->settings, "sort-descending");
  cachet_message_list_view_set_sort (self->message_list, sort, descending);
  cachet_message_list_view_set_threaded (self->message_list,
                                         g_settings_get_boolean (self->settings, "threaded"));
}

static void
save_state (CachetWindow *self)
{
  if (self->settings == NULL)
    return;
  g_settings_set_int (self->settings, "window-width", self->width);
  g_settings_set_int (self->settings, "window-height", self->height);
  g_settings_set_boolean (self->settings, "window-maximized", self->maximized);
}

static void
cachet_window_size_allocate (GtkWidget     *widget,
                             GtkAllocation *allocation)
{
  CachetWindow *self = CACHET_WINDOW (widget);

  GTK_WIDGET_CLASS (cachet_window_parent_class)->size_allocate (widget, allocation);
  if (!self->maximized)
    gtk_window_get_size (GTK_WINDOW (widget), &self->width, &self->height);
}

static gboolean
cachet_window_window_state_event (GtkWidget           *widget,
                                  GdkEventWindowState *event)
{
  CachetWindow *self = CACHET_WINDOW (widget);

  self->maximized = (event->new_window_state & GDK_WINDOW_STATE_MAXIMIZED) != 0;
  return GTK_WIDGET_CLASS (cachet_window_parent_class)->window_state_event (widget, event);
}

static gboolean
cachet_window_key_press_event (GtkWidget   *widget,
                               GdkEventKey *event)
{
  CachetWindow *self = CACHET_WINDOW (widget);
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (widget));
  GdkModifierType mods = event->state & gtk_accelerator_get_default_mod_mask ();

  /* The single-key shortcuts (n, p, j, k, Delete) must not take keys from a text entry:
   * the entry gets the key first. */
  if (focus != NULL && GTK_IS_EDITABLE (focus)
      && (mods & (GDK_CONTROL_MASK | GDK_MOD1_MASK)) == 0
      && gtk_window_propagate_key_event (GTK_WINDOW (widget), event))
    return GDK_EVENT_STOP;

  /* Escape outside the search entry also ends a search. */
  if (event->keyval == GDK_KEY_Escape && mods == 0
      && cachet_message_list_view_is_searching (self->message_list))
    {
      stop_search_cb (self->search_entry, self);
      return GDK_EVENT_STOP;
    }

  return GTK_WIDGET_CLASS (cachet_window_parent_class)->key_press_event (widget, event);
}

/* GObject */

static void
cachet_window_constructed (GObject *object)
{
  CachetWindow *self = CACHET_WINDOW (object);

  G_OBJECT_CLASS (cachet_window_parent_class)->constructed (object);

  _cachet_window_add_actions (self);
  _cachet_window_compose_init (self);
  _cachet_window_fetch_init (self);
  _cachet_window_outbox_init (self);
  restore_state (self);
  _cachet_window_update_actions (self);

  g_signal_connect_object (cachet_message_view_get_attachment_bar (self->message_view),
                           "error", G_CALLBACK (error_cb), self, 0);
  g_signal_connect_object (cachet_message_view_get_attachment_bar (self->message_view),
                           "saved", G_CALLBACK (attachment_saved_cb), self, 0);

  g_debug ("Window built at %.1f ms", ms_since_process_start ());
  /* The application usually has the store open by now (it starts opening before GTK);
   * then the list is shown before the first frame: at once when the application presents
   * the window (its "application" is only set after construction), else from an idle. */
  if (self->store != NULL && cachet_store_is_open (self->store))
    self->ready_source = g_idle_add_full (G_PRIORITY_HIGH, store_ready_idle_cb, self, NULL);
  else if (self->store != NULL)
    cachet_store_open_async (self->store, self->cancellable, open_done_cb, g_object_ref (self));
}

static void
cachet_window_dispose (GObject *object)
{
  CachetWindow *self = CACHET_WINDOW (object);

  save_state (self);
  _cachet_window_fetch_dispose (self);
  _cachet_window_outbox_dispose (self);
  g_clear_handle_id (&self->present_source, g_source_remove);
  g_clear_handle_id (&self->ready_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->import_cancellable);
  g_clear_object (&self->import_cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cachet_window_parent_class)->dispose (object);
}

static void
cachet_window_finalize (GObject *object)
{
  CachetWindow *self = CACHET_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cachet_window_parent_class)->finalize (object);
}

static void
cachet_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CachetWindow *self = CACHET_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cachet_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CachetWindow *self = CACHET_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cachet_window_class_init (CachetWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = cachet_window_constructed;
  object_class->dispose = cachet_window_dispose;
  object_class->finalize = cachet_window_finalize;
  object_class->get_property = cachet_window_get_property;
  object_class->set_property = cachet_window_set_property;
  widget_class->size_allocate = cachet_window_size_allocate;
  widget_class->window_state_event = cachet_window_window_state_event;
  widget_class->key_press_event = cachet_window_key_press_event;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CACHET_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CACHET_TYPE_FOLDER_TREE);
  g_type_ensure (CACHET_TYPE_MESSAGE_LIST_VIEW);
  g_type_ensure (CACHET_TYPE_MESSAGE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, info_bar);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, info_label);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, import_revealer);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, import_label);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, import_progress);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, fetch_revealer);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, fetch_label);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, fetch_progress);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, loading_box);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, failed_label);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, outer_paned);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, inner_paned);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, folder_tree);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, message_list);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, message_view);
  gtk_widget_class_bind_template_callback (widget_class, info_bar_response_cb);
  gtk_widget_class_bind_template_callback (widget_class, error_cb);
  gtk_widget_class_bind_template_callback (widget_class, folder_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_selection_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_sort_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_loaded_cb);
  gtk_widget_class_bind_template_callback (widget_class, message_loaded_cb);
  gtk_widget_class_bind_template_callback (widget_class, message_show_original_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, import_cancel_cb);
  _cachet_window_fetch_class_init (widget_class);
  _cachet_window_outbox_class_init (widget_class);
}

static void
cachet_window_init (CachetWindow *self)
{
  GList *children;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->settings = cachet_settings_new ();
  self->width = 1100;
  self->height = 720;
  /* The panes are laid out under the "Opening your mail…" cover while the store opens in
   * the background, so that work is done by the time the list arrives. */
  gtk_stack_set_visible_child_name (self->main_stack, "mail");

  /* The info bar's own close button has no name for screen readers. */
  children = gtk_container_get_children (GTK_CONTAINER (gtk_info_bar_get_action_area (self->info_bar)));
  for (GList *l = children; l != NULL; l = l->next)
    if (GTK_IS_BUTTON (l->data))
      atk_object_set_name (gtk_widget_get_accessible (l->data), _("Close notification"));
  g_list_free (children);
}

CachetWindow *
cachet_window_new (CachetApplication *app,
                   CachetStore       *store)
{
  return g_object_new (CACHET_TYPE_WINDOW, "application", app, "store", store, NULL);
}

CachetStore *
cachet_window_get_store (CachetWindow *self)
{
  g_return_val_if_fail (CACHET_IS_WINDOW (self), NULL);
  return self->store;
}
