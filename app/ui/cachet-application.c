/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-app"

#include "config.h"

#include "cachet-application.h"

#include <glib/gi18n.h>

#include "cachet-account-wizard.h"
#include "cachet-accounts-dialog.h"
#include "cachet-composer.h"
#include "cachet-fetcher.h"
#include "cachet-isp-profile.h"
#include "cachet-preferences-window.h"
#include "cachet-secrets.h"
#include "cachet-window.h"
#include "cachet-window-private.h"

/* What the folder shown at start is listed with, and the list once it is in. */
typedef struct
{
  CachetStore       *store;
  char              *folder_path;
  CachetSortColumn   sort;
  gboolean           descending;
  gboolean           threaded;
  gint64             folder_id;
  CachetMessageList *list;
} StartList;

struct _CachetApplication
{
  GtkApplication  parent_instance;

  CachetStore    *store;
  CachetSender   *sender;
  CachetAccountList *accounts;
  char           *accounts_error;  /* why the accounts file could not be read, or NULL */
  GtkWidget      *accounts_dialog;
  GtkWidget      *wizard;          /* the account wizard opened at start or for a profile */
  char           *import_path;     /* --import-profile, until the window is there */
  GThread        *start_thread;
  GMutex          start_lock;
  StartList      *start;        /* owned by start_thread until it is joined */
  gboolean        start_done;   /* under start_lock */

  gboolean        safe_mode;       /* --safe-mode: no crypto plugin */
  CachetCryptoRegistry *crypto_registry;  /* once scanned; NULL in safe mode */
  gboolean        crypto_scanning;
  char           *plugin_notice;   /* for the main window, until it is shown */
  GtkWidget      *preferences;
};

enum
{
  SIGNAL_CRYPTO_REGISTRY_READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CachetApplication, cachet_application, GTK_TYPE_APPLICATION)

GSettings *
cachet_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL)
    {
      g_message ("The settings schema %s is not installed: window state is not kept",
                 APPLICATION_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static void
start_list_free (StartList *start)
{
  g_clear_object (&start->store);
  g_free (start->folder_path);
  g_clear_pointer (&start->list, cachet_message_list_free);
  g_free (start);
}

/* Opens the store and lists the folder the window will show first, while GTK starts on
 * the main thread: both take tens of milliseconds and need not wait for each other. */
static gpointer
start_list_worker (gpointer data)
{
  CachetApplication *self = data;
  StartList *start = self->start;
  g_autoptr(CachetFolderInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  if (cachet_store_open_sync (start->store, NULL, NULL, NULL, &error))
    {
      if (start->folder_path != NULL && *start->folder_path != '\0')
        info = cachet_store_get_folder_by_path (start->store, start->folder_path);
      if (info == NULL)
        info = cachet_store_get_folder_by_role (start->store, CACHET_FOLDER_ROLE_INBOX);
      if (info != NULL)
        {
          start->folder_id = info->id;
          start->list = cachet_store_list_messages_sync (start->store, info->id, start->sort,
                                                         start->descending, start->threaded,
                                                         NULL, NULL);
        }
    }
  else
    g_debug ("Opening the store at start failed: %s", error->message);

  g_mutex_lock (&self->start_lock);
  self->start_done = TRUE;
  g_mutex_unlock (&self->start_lock);
  return NULL;
}

static void
start_listing (CachetApplication *self)
{
  g_autoptr(GSettings) settings = cachet_settings_new ();
  StartList *start = g_new0 (StartList, 1);

  start->store = g_object_ref (self->store);
  start->sort = CACHET_SORT_DATE;
  start->descending = TRUE;
  if (settings != NULL)
    {
      start->folder_path = g_settings_get_string (settings, "last-folder");
      start->sort = g_settings_get_enum (settings, "sort-column");
      start->descending = g_settings_get_boolean (settings, "sort-descending");
      start->threaded = g_settings_get_boolean (settings, "threaded");
    }
  self->start = start;
  self->start_thread = g_thread_new ("cachet-start", start_list_worker, self);
}

CachetMessageList *
cachet_application_take_start_list (CachetApplication *self,
                                    gint64             folder_id,
                                    CachetSortColumn   sort,
                                    gboolean           descending,
                                    gboolean           threaded)
{
  gboolean done;
  CachetMessageList *list = NULL;

  g_return_val_if_fail (CACHET_IS_APPLICATION (self), NULL);

  g_mutex_lock (&self->start_lock);
  done = self->start_done;
  g_mutex_unlock (&self->start_lock);
  if (self->start == NULL || !done)
    return NULL;

  g_thread_join (g_steal_pointer (&self->start_thread));
  if (self->start->folder_id == folder_id && self->start->sort == sort
      && self->start->descending == descending && self->start->threaded == threaded)
    list = g_steal_pointer (&self->start->list);
  g_clear_pointer (&self->start, start_list_free);
  return list;
}

/* Crypto plugins ----------------------------------------------------------------------- */

/* The crash sentinel: written before a plugin's init, removed after; found at start, the
 * plugin it names is turned off (see cachet_crypto_registry_set_sentinel). */
static char *
plugin_sentinel_path (void)
{
  return g_build_filename (g_get_user_state_dir (), "cachet", "crypto-plugin-sentinel", NULL);
}

static void
scan_plugins_thread (GTask        *task,
                     gpointer      source,
                     gpointer      data,
                     GCancellable *cancellable)
{
  /* Plugin inits run here, off the main thread; the registry is handed to the main thread
   * only once the scan is over. */
  cachet_crypto_registry_scan_default (data);
  g_task_return_boolean (task, TRUE);
}

static void
show_plugin_notice (CachetApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (self->plugin_notice == NULL)
    return;
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self));
       window == NULL || !CACHET_IS_WINDOW (window); l = l->next)
    {
      if (l == NULL)
        return;  /* no main window yet: shown when it maps */
      window = l->data;
    }
  if (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    return;
  _cachet_window_show_warning (CACHET_WINDOW (window), self->plugin_notice);
  g_clear_pointer (&self->plugin_notice, g_free);
}

static void
scan_plugins_done_cb (GObject      *source,
                      GAsyncResult *res,
                      gpointer      data)
{
  CachetApplication *self = CACHET_APPLICATION (source);
  CachetCryptoRegistry *registry = g_task_get_task_data (G_TASK (res));
  CachetCryptoEntry *crashed;

  g_task_propagate_boolean (G_TASK (res), NULL);
  self->crypto_scanning = FALSE;
  /* The task's data is the registry; it now belongs to the application. */
  self->crypto_registry = registry;
  crashed = cachet_crypto_registry_get_crashed (registry);
  if (crashed != NULL)
    {
      g_autofree char *base = g_path_get_basename (crashed->path);

      /* Told once: the sentinel is gone now. */
      self->plugin_notice =
        g_strdup_printf (_("The crypto plugin “%s” crashed Cachet the last time it started, "
                           "so it is turned off. Preferences ▸ Plugins shows more."),
                         crashed->name != NULL ? crashed->name : base);
      show_plugin_notice (self);
    }
  if (self->preferences != NULL)
    cachet_preferences_window_set_plugins (CACHET_PREFERENCES_WINDOW (self->preferences),
                                           registry, FALSE);
  g_signal_emit (self, signals[SIGNAL_CRYPTO_REGISTRY_READY], 0);
}

/* Starts the plugin scan: the system folder, then the user's (only plugins the user turned
 * on, from the enabled-plugins setting).  New or changed plugin files are first checked by
 * this same program in a helper process (`--probe-plugin`). */
static void
start_plugin_scan (CachetApplication *self)
{
  g_autoptr(GSettings) settings = cachet_settings_new ();
  g_auto(GStrv) enabled = NULL;
  g_autofree char *sentinel = plugin_sentinel_path ();
  g_autoptr(GTask) task = NULL;
  CachetCryptoRegistry *registry;

  if (self->safe_mode)
    {
      g_message ("Safe mode: no crypto plugin is loaded");
      return;
    }
  if (settings != NULL)
    enabled = g_settings_get_strv (settings, "enabled-plugins");
  registry = cachet_crypto_registry_new ((const char *const *) enabled);
  cachet_crypto_registry_set_sentinel (registry, sentinel);
  cachet_crypto_registry_set_probe (registry, "/proc/self/exe", NULL);
  self->crypto_scanning = TRUE;
  task = g_task_new (self, NULL, scan_plugins_done_cb, NULL);
  g_task_set_task_data (task, registry, NULL);
  g_task_run_in_thread (task, scan_plugins_thread);
}

CachetCryptoRegistry *
cachet_application_get_crypto_registry (CachetApplication *app)
{
  g_return_val_if_fail (CACHET_IS_APPLICATION (app), NULL);
  return app->crypto_registry;
}

gboolean
cachet_application_get_safe_mode (CachetApplication *app)
{
  g_return_val_if_fail (CACHET_IS_APPLICATION (app), FALSE);
  return app->safe_mode;
}

static void
preferences_cb (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  CachetApplication *self = user_data;

  if (self->preferences == NULL)
    {
      g_autoptr(GSettings) settings = cachet_settings_new ();

      self->preferences =
        cachet_preferences_window_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                       settings);
      g_object_add_weak_pointer (G_OBJECT (self->preferences), (gpointer *) &self->preferences);
      cachet_preferences_window_set_plugins (CACHET_PREFERENCES_WINDOW (self->preferences),
                                             self->crypto_registry, self->safe_mode);
    }
  gtk_window_present (GTK_WINDOW (self->preferences));
}

static void
about_cb (GSimpleAction *action,
          GVariant      *param,
          gpointer       user_data)
{
  GtkApplication *app = user_data;
  const char *authors[] = { "The Cachet authors", NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (app),
                         "program-name", _("Cachet"),
                         "logo-icon-name", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Read your mail, sealed."),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", authors,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
accounts_cb (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  CachetApplication *self = user_data;

  /* `cachet account add` may have changed the file since it was read. */
  if (cachet_account_list_changed_on_disk (self->accounts))
    {
      g_autoptr(GError) error = NULL;

      g_clear_pointer (&self->accounts_error, g_free);
      if (!cachet_account_list_load (self->accounts, &error))
        self->accounts_error = g_strdup (error->message);
      if (self->accounts_dialog != NULL && self->accounts_error != NULL)
        cachet_accounts_dialog_show_error (CACHET_ACCOUNTS_DIALOG (self->accounts_dialog),
                                           self->accounts_error);
    }
  if (self->accounts_dialog == NULL)
    {
      self->accounts_dialog =
        cachet_accounts_dialog_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                    self->accounts);
      g_object_add_weak_pointer (G_OBJECT (self->accounts_dialog),
                                 (gpointer *) &self->accounts_dialog);
      if (self->accounts_error != NULL)
        cachet_accounts_dialog_show_error (CACHET_ACCOUNTS_DIALOG (self->accounts_dialog),
                                           self->accounts_error);
    }
  gtk_window_present (GTK_WINDOW (self->accounts_dialog));
}

/* The account wizard ------------------------------------------------------------------- */

static void
open_wizard (CachetApplication *self,
             CachetIspProfile  *profile)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (self->wizard != NULL)
    gtk_widget_destroy (self->wizard);
  self->wizard = cachet_account_wizard_new (parent, self->accounts, profile);
  g_object_add_weak_pointer (G_OBJECT (self->wizard), (gpointer *) &self->wizard);
  gtk_window_present (GTK_WINDOW (self->wizard));
}

/* "FILE:LINE: error: message" lines, as `cachet profile check` prints them. */
static char *
describe_problems (const char *path,
                   GPtrArray  *problems,
                   GError     *error)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      CachetIspProblem *p = problems->pdata[i];
      const char *kind = p->severity == CACHET_ISP_PROBLEM_ERROR ? _("error") : _("warning");

      if (text->len > 0)
        g_string_append_c (text, '\n');
      if (p->line > 0)
        g_string_append_printf (text, "%s:%u: %s: %s", path, p->line, kind, p->message);
      else
        g_string_append_printf (text, "%s: %s: %s", path, kind, p->message);
    }
  if (text->len == 0 && error != NULL)
    g_string_append_printf (text, "%s: %s: %s", path, _("error"), error->message);
  return g_string_free (text, FALSE);
}

static void
show_profile_problems (CachetApplication *self,
                       const char        *path,
                       const char        *problems)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *base = g_path_get_basename (path);
  GtkWidget *dialog;

  dialog = gtk_message_dialog_new (parent, GTK_DIALOG_DESTROY_WITH_PARENT, GTK_MESSAGE_ERROR,
                                   GTK_BUTTONS_CLOSE, _("The profile “%s” cannot be used"),
                                   base);
  gtk_window_set_title (GTK_WINDOW (dialog), _("Profile Problems"));
  atk_object_set_name (gtk_widget_get_accessible (dialog), _("Profile Problems"));
  gtk_message_dialog_format_secondary_text (
    GTK_MESSAGE_DIALOG (dialog), "%s\n\n%s", problems,
    _("Ask your provider for a corrected profile, or add the account without it."));
  g_signal_connect (dialog, "response", G_CALLBACK (gtk_widget_destroy), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Opens the wizard with the profile at @path, or says what is wrong with it. */
static void
import_profile (CachetApplication *self,
                const char        *path)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetIspProfile) profile = cachet_isp_profile_load (path, &problems, &error);

  if (profile == NULL)
    {
      g_autofree char *text = describe_problems (path, problems, error);

      show_profile_problems (self, path, text);
      return;
    }
  if (cachet_isp_profile_get_pop3 (profile) == NULL
      && cachet_isp_profile_get_smtp (profile) == NULL)
    {
      g_autofree char *text =
        g_strdup_printf (_("%s: it has no POP3 or SMTP server that Cachet can use."), path);

      show_profile_problems (self, path, text);
      return;
    }
  open_wizard (self, profile);
}

static void
import_profile_cb (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  CachetApplication *self = user_data;
  const char *path = g_variant_get_bytestring (param);

  /* From another `cachet --import-profile`: the window may still have to be made. */
  g_application_activate (G_APPLICATION (self));
  import_profile (self, path);
}

/* The first time the window is shown with no account at all, the wizard opens; after the
 * window's first frame, so that the window appears as fast as ever. */
static gboolean
first_run_cb (gpointer data)
{
  CachetApplication *self = data;

  if (self->import_path != NULL)
    {
      g_autofree char *path = g_steal_pointer (&self->import_path);

      import_profile (self, path);
    }
  else if (self->wizard == NULL && self->accounts_error == NULL
           && cachet_account_list_get_all (self->accounts)->len == 0)
    open_wizard (self, NULL);
  return G_SOURCE_REMOVE;
}

static void
window_mapped_cb (GtkWidget         *window,
                  CachetApplication *self)
{
  g_signal_handlers_disconnect_by_func (window, window_mapped_cb, self);
  show_plugin_notice (self);
  g_idle_add_full (G_PRIORITY_LOW, first_run_cb, g_object_ref (self), g_object_unref);
}

static void
quit_cb (GSimpleAction *action,
         GVariant      *param,
         gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows = gtk_application_get_windows (app);

  /* Destroying the windows saves their state; the application then ends. */
  while (windows != NULL)
    {
      gtk_widget_destroy (windows->data);
      windows = gtk_application_get_windows (app);
    }
}

static const struct
{
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.quit", { "<Primary>q", NULL } },
  { "app.preferences", { "<Primary>comma", NULL } },
  { "win.get-mail", { "F5", "F9", NULL } },
  { "win.search", { "<Primary>f", "<Primary>k", NULL } },
  { "win.mark-read", { "<Primary>i", NULL } },
  { "win.mark-unread", { "<Primary>u", NULL } },
  { "win.flag", { "<Primary>s", NULL } },
  { "win.unflag", { "<Primary>d", NULL } },
  { "win.move", { "<Primary>m", NULL } },
  { "win.delete", { "Delete", "KP_Delete", NULL } },
  { "win.next-unread", { "n", NULL } },
  { "win.previous-unread", { "p", NULL } },
  { "win.next-message", { "j", NULL } },
  { "win.previous-message", { "k", NULL } },
  { "win.threaded", { "<Primary>t", NULL } },
  { "win.new-folder", { "<Primary><Shift>n", NULL } },
  { "win.import-mbox", { "<Primary>o", NULL } },
  { "win.show-help-overlay", { "<Primary>question", "<Primary>F1", NULL } },
  { "win.compose", { "<Primary>n", NULL } },
  { "win.reply", { "<Primary>r", NULL } },
  { "win.reply-all", { "<Primary><Shift>r", NULL } },
  { "win.forward", { "<Primary>l", NULL } },
  /* The composer's; Ctrl+S is also the main window's "flag": each window has only one. */
  { "win.send", { "<Primary>Return", "<Primary>KP_Enter", NULL } },
  { "win.save-draft", { "<Primary>s", NULL } },
  { "win.attach", { "<Primary><Shift>a", NULL } },
  { "win.close", { "<Primary>w", NULL } },
};

static void
cachet_application_startup (GApplication *app)
{
  CachetApplication *self = CACHET_APPLICATION (app);
  const GActionEntry entries[] = {
    { "about", about_cb, NULL, NULL, NULL, { 0 } },
    { "accounts", accounts_cb, NULL, NULL, NULL, { 0 } },
    { "import-profile", import_profile_cb, "ay", NULL, NULL, { 0 } },
    { "preferences", preferences_cb, NULL, NULL, NULL, { 0 } },
    { "quit", quit_cb, NULL, NULL, NULL, { 0 } },
  };
  const char *data_dir = g_getenv ("CACHET_DATA_DIR");
  g_autoptr(GError) error = NULL;

  /* Open the mail store and list the first folder while GTK starts: the two overlap, and
   * the window's own open request later joins this one (opening twice is allowed). */
  if (data_dir != NULL && *data_dir != '\0')
    self->store = cachet_store_new (data_dir);
  else
    self->store = cachet_store_new_default ();
  start_listing (self);
  start_plugin_scan (self);

  /* A small file: read at once.  A problem with it is shown in the Accounts dialog; the
   * file itself is never written over unread (see CachetAccountList). */
  self->accounts = cachet_account_list_new (NULL);
  if (!cachet_account_list_load (self->accounts, &error))
    {
      g_message ("%s", error->message);
      self->accounts_error = g_strdup (error->message);
    }

  G_APPLICATION_CLASS (cachet_application_parent_class)->startup (app);

  g_set_application_name (_("Cachet"));
  gtk_window_set_default_icon_name (APPLICATION_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  for (gsize i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action,
                                           accels[i].accels);
}

static void
cachet_application_activate (GApplication *app)
{
  CachetApplication *self = CACHET_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      CachetWindow *new_window = cachet_window_new (self, self->store);

      g_signal_connect_object (new_window, "map", G_CALLBACK (window_mapped_cb), self,
                               G_CONNECT_AFTER);
      cachet_window_present_when_ready (new_window);
      return;
    }
  gtk_window_present (window);
}

/* --import-profile FILE: checked here (its problems printed, for a terminal), then handed
 * to the running Cachet if there is one. */
static int
cachet_application_handle_local_options (GApplication *app,
                                         GVariantDict *options)
{
  CachetApplication *self = CACHET_APPLICATION (app);
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) register_error = NULL;
  g_autoptr(CachetIspProfile) profile = NULL;

  if (g_variant_dict_contains (options, "safe-mode"))
    self->safe_mode = TRUE;
  if (!g_variant_dict_lookup (options, "import-profile", "^ay", &file))
    return -1;
  path = g_canonicalize_filename (file, NULL);
  profile = cachet_isp_profile_load (path, &problems, &error);
  if (problems != NULL && problems->len > 0)
    {
      g_autofree char *text = describe_problems (path, problems, error);

      g_printerr ("%s\n", text);
    }
  else if (profile == NULL)
    g_printerr ("%s: %s: %s\n", path, _("error"), error->message);

  if (!g_application_register (app, NULL, &register_error))
    {
      g_printerr ("%s\n", register_error->message);
      return 1;
    }
  if (g_application_get_is_remote (app))
    {
      g_action_group_activate_action (G_ACTION_GROUP (app), "import-profile",
                                      g_variant_new_bytestring (path));
      return 0;
    }
  g_free (self->import_path);
  self->import_path = g_steal_pointer (&path);
  return -1;
}

/* `cachet mailto:…` and the desktop's mailto: handler (the desktop file's MimeType
 * x-scheme-handler/mailto) open a composer for each link; nothing else is opened. */
static void
cachet_application_open (GApplication  *app,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  CachetApplication *self = CACHET_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);
      g_autoptr(GError) error = NULL;
      CachetDraft *draft;

      if (g_ascii_strncasecmp (uri, "mailto:", 7) != 0)
        {
          g_autofree char *name = g_file_get_parse_name (files[i]);
          g_message (_("Cachet opens mailto: links only, not “%s”."), name);
          continue;
        }
      draft = cachet_draft_new_from_mailto (uri, &error);
      if (draft == NULL)
        g_message (_("The link “%s” cannot be written to: %s"), uri, error->message);
      cachet_application_compose (self, draft, 0);
    }
}

static void
cachet_application_shutdown (GApplication *app)
{
  CachetApplication *self = CACHET_APPLICATION (app);

  G_APPLICATION_CLASS (cachet_application_parent_class)->shutdown (app);

  if (self->start_thread != NULL)
    g_thread_join (g_steal_pointer (&self->start_thread));
  g_clear_pointer (&self->start, start_list_free);
  /* A fetch still running (quit with Ctrl+Q, or the window closed mid-fetch) is cancelled
   * and waited for: the batch it is committing ends in the store before the store closes. */
  cachet_fetcher_cancel_all (15000);
  /* So is sending: the message being sent is finished first when it can be (a message cut
   * off in its transaction would wait, in doubt, for the user). */
  cachet_sender_cancel_all (15000);
  g_clear_object (&self->sender);
  if (self->store != NULL)
    cachet_store_close (self->store);
  g_clear_object (&self->store);
  /* Passwords typed "for this session only" end with the session. */
  cachet_secrets_forget_session ();
}

static void
cachet_application_finalize (GObject *object)
{
  CachetApplication *self = CACHET_APPLICATION (object);

  if (self->start_thread != NULL)
    g_thread_join (g_steal_pointer (&self->start_thread));
  g_clear_pointer (&self->start, start_list_free);
  g_clear_object (&self->sender);
  g_clear_object (&self->store);
  g_clear_object (&self->accounts);
  g_free (self->accounts_error);
  g_free (self->import_path);
  g_free (self->plugin_notice);
  /* Plugins are shut down; their code stays mapped. */
  g_clear_pointer (&self->crypto_registry, cachet_crypto_registry_free);
  g_mutex_clear (&self->start_lock);

  G_OBJECT_CLASS (cachet_application_parent_class)->finalize (object);
}

static void
cachet_application_class_init (CachetApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = cachet_application_finalize;
  app_class->startup = cachet_application_startup;
  app_class->handle_local_options = cachet_application_handle_local_options;
  app_class->activate = cachet_application_activate;
  app_class->open = cachet_application_open;
  app_class->shutdown = cachet_application_shutdown;

  /* The crypto plugin scan has finished: cachet_application_get_crypto_registry () has
   * the registry now.  Never emitted in safe mode. */
  signals[SIGNAL_CRYPTO_REGISTRY_READY] =
    g_signal_new ("crypto-registry-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cachet_application_init (CachetApplication *self)
{
  const GOptionEntry options[] = {
    { "import-profile", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Set up an account with the settings of an ISP profile (Mozilla autoconfig XML)"),
      N_("FILE") },
    { "safe-mode", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Start without loading any crypto plugin"), NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };

  g_mutex_init (&self->start_lock);
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

CachetApplication *
cachet_application_new (void)
{
  return g_object_new (CACHET_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS | G_APPLICATION_HANDLES_OPEN,
                       NULL);
}

CachetAccountList *
cachet_application_get_accounts (CachetApplication *self)
{
  g_return_val_if_fail (CACHET_IS_APPLICATION (self), NULL);
  return self->accounts;
}

CachetSender *
cachet_application_get_sender (CachetApplication *self)
{
  g_return_val_if_fail (CACHET_IS_APPLICATION (self), NULL);
  if (self->sender == NULL && self->store != NULL && cachet_store_is_open (self->store))
    self->sender = cachet_sender_new (self->store, self->accounts);
  return self->sender;
}

CachetStore *
cachet_application_get_store (CachetApplication *self)
{
  g_return_val_if_fail (CACHET_IS_APPLICATION (self), NULL);
  return self->store;
}

CachetComposer *
cachet_application_compose (CachetApplication *self,
                            CachetDraft       *draft,
                            gint64             draft_id)
{
  CachetComposer *composer;

  g_return_val_if_fail (CACHET_IS_APPLICATION (self), NULL);

  /* A draft is continued in one window only. */
  if (draft_id != 0)
    for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
      if (CACHET_IS_COMPOSER (l->data)
          && cachet_composer_get_draft_id (CACHET_COMPOSER (l->data)) == draft_id)
        {
          g_clear_pointer (&draft, cachet_draft_free);
          gtk_window_present (GTK_WINDOW (l->data));
          return CACHET_COMPOSER (l->data);
        }

  /* The sender comes with the open store; a composer opened before (a mailto: link at
   * start) asks for it when it sends. */
  composer = cachet_composer_new (GTK_APPLICATION (self), self->store, self->accounts, draft,
                                  draft_id);
  cachet_composer_set_sender (composer, cachet_application_get_sender (self));
  gtk_window_present (GTK_WINDOW (composer));
  return composer;
}
