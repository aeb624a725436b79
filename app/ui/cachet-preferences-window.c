/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-ui"

#include "config.h"

#include "cachet-preferences-window.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-preferences-window-private.h"

G_DEFINE_FINAL_TYPE (CachetPreferencesWindow, cachet_preferences_window, GTK_TYPE_WINDOW)

/* The enabled-plugins setting --------------------------------------------------------- */

static gboolean
value_has_sha (const char *value,
               const char *sha256)
{
  const char *eq = strrchr (value, '=');

  return eq != NULL && sha256 != NULL && g_ascii_strcasecmp (eq + 1, sha256) == 0;
}

static gboolean
is_enabled (CachetPreferencesWindow *self,
            const CachetCryptoEntry *entry)
{
  g_auto(GStrv) values = NULL;

  if (self->settings == NULL || entry->sha256 == NULL)
    return FALSE;
  values = g_settings_get_strv (self->settings, "enabled-plugins");
  for (gsize i = 0; values[i] != NULL; i++)
    if (value_has_sha (values[i], entry->sha256))
      return TRUE;
  return FALSE;
}

/* Sets VALUE ("ID=SHA256") for ENTRY, replacing what was there for its
 * file or its id; VALUE NULL removes ENTRY's file. */
static void
write_enabled (CachetPreferencesWindow *self,
               const CachetCryptoEntry *entry,
               const char              *value)
{
  g_auto(GStrv) values = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) result = NULL;
  g_autofree char *id_prefix = entry->id != NULL ? g_strconcat (entry->id, "=", NULL) : NULL;

  if (self->settings == NULL)
    return;
  values = g_settings_get_strv (self->settings, "enabled-plugins");
  for (gsize i = 0; values[i] != NULL; i++)
    {
      if (value_has_sha (values[i], entry->sha256)
          || (value != NULL && id_prefix != NULL && g_str_has_prefix (values[i], id_prefix)))
        continue;
      g_strv_builder_add (builder, values[i]);
    }
  if (value != NULL)
    g_strv_builder_add (builder, value);
  result = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "enabled-plugins", (const char *const *) result);
}

/* One row --------------------------------------------------------------------------- */

static void
row_update (CachetPluginRow *row)
{
  CachetCryptoEntry *entry = row->entry;
  g_autofree char *base = g_path_get_basename (entry->path);
  g_autofree char *state = NULL;
  g_autofree char *subtitle = NULL;
  GString *details = g_string_new (NULL);

  gtk_label_set_text (GTK_LABEL (row->title_label), entry->name != NULL ? entry->name : base);
  if (entry->id != NULL && entry->version != NULL)
    /* Translators: a plugin's version and its id, e.g. "Version 1.0 · org.example.Pgp" */
    subtitle = g_strdup_printf (_("Version %s · %s"), entry->version, entry->id);
  else if (entry->id != NULL)
    subtitle = g_strdup (entry->id);
  else if (entry->user && entry->state == CACHET_CRYPTO_ENTRY_DISABLED)
    subtitle = g_strdup (_("Not run yet: its name and version show once it is turned on."));
  else
    subtitle = g_strdup (_("Its name and version are not known."));
  gtk_label_set_text (GTK_LABEL (row->subtitle_label), subtitle);

  if (row->turned_off)
    state = g_strdup (_("Turned off. It stays loaded until Cachet starts again."));
  else
    switch (entry->state)
      {
      case CACHET_CRYPTO_ENTRY_LOADED:
        state = g_strdup (_("Loaded"));
        break;
      case CACHET_CRYPTO_ENTRY_REFUSED:
        /* Translators: %s is the reason, one sentence */
        state = g_strdup_printf (_("Refused: %s"), entry->reason);
        break;
      case CACHET_CRYPTO_ENTRY_DISABLED:
      default:
        /* Translators: %s is the reason, one sentence */
        state = g_strdup_printf (_("Off: %s"), entry->reason != NULL ? entry->reason : "");
        break;
      }
  gtk_label_set_text (GTK_LABEL (row->state_label), state);
  atk_object_set_description (gtk_widget_get_accessible (row->row), state);

  if (entry->description != NULL)
    g_string_append (details, entry->description);
  g_string_append_printf (details, _("File: %s\n"), entry->path);
  if (entry->sha256 != NULL)
    g_string_append_printf (details, _("SHA-256: %s\n"), entry->sha256);
  g_string_append (details, entry->user ? _("From your own plugin folder.")
                                        : _("From the system’s plugin folder."));
  gtk_label_set_text (GTK_LABEL (row->details_label), details->str);
  g_string_free (details, TRUE);

  if (row->enable_switch != NULL)
    {
      /* On: turned on by the user and not since turned off, by the user or after a
       * crash (flipping it on again then retries). */
      gboolean on = is_enabled (row->window, entry) && !row->turned_off
                    && entry->state != CACHET_CRYPTO_ENTRY_DISABLED;

      row->window->updating = TRUE;
      gtk_switch_set_active (GTK_SWITCH (row->enable_switch), on);
      gtk_switch_set_state (GTK_SWITCH (row->enable_switch), on);
      row->window->updating = FALSE;
      gtk_widget_set_sensitive (row->enable_switch, row->window->settings != NULL);
    }
}

static gboolean
switch_state_set_cb (GtkSwitch       *sw,
                     gboolean         on,
                     CachetPluginRow *row)
{
  CachetPreferencesWindow *self = row->window;
  CachetCryptoEntry *entry = row->entry;

  if (self->updating)
    return FALSE;
  if (on && entry->state == CACHET_CRYPTO_ENTRY_LOADED)
    {
      /* Turned off and on again in one session: still loaded. */
      g_autofree char *value = g_strdup_printf ("%s=%s", entry->loaded->info.id, entry->sha256);

      row->turned_off = FALSE;
      write_enabled (self, entry, value);
    }
  else if (on)
    {
      g_autofree char *value = NULL;
      g_autoptr(GError) error = NULL;

      /* Checked in the helper process and loaded now; a refusal is shown
       * in the row and the switch goes back off. */
      if (cachet_crypto_registry_enable (self->registry, entry, &value, &error))
        write_enabled (self, entry, value);
      else
        g_message ("The plugin %s was not turned on: %s", entry->path, error->message);
    }
  else
    {
      write_enabled (self, entry, NULL);
      row->turned_off = entry->state == CACHET_CRYPTO_ENTRY_LOADED;
    }
  row_update (row);
  return TRUE;
}

static GtkWidget *
new_label (const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 60);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_can_focus (label, FALSE);
  if (css_class != NULL)
    gtk_style_context_add_class (gtk_widget_get_style_context (label), css_class);
  return label;
}

static CachetPluginRow *
row_new (CachetPreferencesWindow *self,
         CachetCryptoEntry       *entry)
{
  CachetPluginRow *row = g_new0 (CachetPluginRow, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  PangoAttrList *bold = pango_attr_list_new ();

  row->window = self;
  row->entry = entry;
  row->row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row->row), FALSE);
  g_object_set (box, "margin", 12, NULL);

  row->title_label = new_label (NULL);
  pango_attr_list_insert (bold, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  gtk_label_set_attributes (GTK_LABEL (row->title_label), bold);
  pango_attr_list_unref (bold);
  row->subtitle_label = new_label ("dim-label");
  row->state_label = new_label (NULL);
  gtk_box_pack_start (GTK_BOX (texts), row->title_label, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (texts), row->subtitle_label, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (texts), row->state_label, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (top), texts, TRUE, TRUE, 0);

  if (entry->user)
    {
      row->enable_switch = gtk_switch_new ();
      gtk_widget_set_valign (row->enable_switch, GTK_ALIGN_START);
      gtk_widget_set_tooltip_text (row->enable_switch,
                                   _("Turn on this plugin from your own folder"));
      g_signal_connect (row->enable_switch, "state-set", G_CALLBACK (switch_state_set_cb), row);
      gtk_box_pack_end (GTK_BOX (top), row->enable_switch, FALSE, FALSE, 0);
    }
  gtk_box_pack_start (GTK_BOX (box), top, FALSE, FALSE, 0);

  row->expander = gtk_expander_new_with_mnemonic (_("_Details"));
  row->details_label = new_label (NULL);
  g_object_set (row->details_label, "margin-top", 6, "margin-start", 18, NULL);
  gtk_container_add (GTK_CONTAINER (row->expander), row->details_label);
  gtk_box_pack_start (GTK_BOX (box), row->expander, FALSE, FALSE, 0);

  gtk_container_add (GTK_CONTAINER (row->row), box);
  gtk_widget_show_all (row->row);
  row_update (row);
  {
    g_autofree char *base = g_path_get_basename (entry->path);

    atk_object_set_name (gtk_widget_get_accessible (row->row),
                         entry->name != NULL ? entry->name : base);
    if (row->enable_switch != NULL)
      {
        g_autofree char *name = g_strdup_printf (_("Turn on %s"),
                                                 entry->name != NULL ? entry->name : base);

        atk_object_set_name (gtk_widget_get_accessible (row->enable_switch), name);
      }
  }
  return row;
}

/* The page ------------------------------------------------------------------------- */

static void
show_status (CachetPreferencesWindow *self,
             const char              *text)
{
  gtk_label_set_text (self->status_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL);
}

void
cachet_preferences_window_set_plugins (CachetPreferencesWindow *self,
                                       CachetCryptoRegistry    *registry,
                                       gboolean                 safe_mode)
{
  GPtrArray *entries;

  g_return_if_fail (CACHET_IS_PREFERENCES_WINDOW (self));

  gtk_container_foreach (GTK_CONTAINER (self->plugin_list), (GtkCallback) gtk_widget_destroy,
                         NULL);
  g_ptr_array_set_size (self->rows, 0);
  self->registry = registry;
  if (registry == NULL)
    {
      show_status (self, safe_mode
                   ? _("Cachet runs in safe mode: no plugin was loaded. Start Cachet without "
                       "--safe-mode to load them.")
                   : _("Looking for plugins…"));
      return;
    }
  entries = cachet_crypto_registry_get_entries (registry);
  show_status (self, entries->len == 0 ? _("No plugins were found.") : NULL);
  if (self->settings == NULL)
    show_status (self, _("Cachet’s settings are not installed, so plugins from your own "
                         "folder cannot be turned on."));
  for (guint i = 0; i < entries->len; i++)
    {
      CachetPluginRow *row = row_new (self, g_ptr_array_index (entries, i));

      g_ptr_array_add (self->rows, row);
      gtk_container_add (GTK_CONTAINER (self->plugin_list), row->row);
    }
}

static void
cachet_preferences_window_dispose (GObject *object)
{
  CachetPreferencesWindow *self = CACHET_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (cachet_preferences_window_parent_class)->dispose (object);
}

static void
cachet_preferences_window_finalize (GObject *object)
{
  CachetPreferencesWindow *self = CACHET_PREFERENCES_WINDOW (object);

  g_ptr_array_unref (self->rows);
  G_OBJECT_CLASS (cachet_preferences_window_parent_class)->finalize (object);
}

static void
cachet_preferences_window_class_init (CachetPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_preferences_window_dispose;
  object_class->finalize = cachet_preferences_window_finalize;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetPreferencesWindow, notebook);
  gtk_widget_class_bind_template_child (widget_class, CachetPreferencesWindow, intro_label);
  gtk_widget_class_bind_template_child (widget_class, CachetPreferencesWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, CachetPreferencesWindow, plugin_list);
}

static void
cachet_preferences_window_init (CachetPreferencesWindow *self)
{
  g_autofree char *user_dir = cachet_crypto_user_plugin_dir ();
  g_autofree char *intro = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new_with_free_func (g_free);
  intro = g_strdup_printf (_("Plugins add encryption to Cachet. Plugins in the system’s folder "
                             "(%s) load by themselves; plugins in your own folder (%s) stay off "
                             "until you turn them on here, and again after their file changes. "
                             "A plugin is checked in a separate process before it is loaded."),
                           cachet_crypto_system_plugin_dir (), user_dir);
  gtk_label_set_text (self->intro_label, intro);
  show_status (self, _("Looking for plugins…"));
}

GtkWidget *
cachet_preferences_window_new (GtkWindow *parent,
                               GSettings *settings)
{
  CachetPreferencesWindow *self = g_object_new (CACHET_TYPE_PREFERENCES_WINDOW,
                                                "transient-for", parent,
                                                NULL);

  if (settings != NULL)
    self->settings = g_object_ref (settings);
  return GTK_WIDGET (self);
}
