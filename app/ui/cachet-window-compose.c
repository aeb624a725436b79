/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cachet-address.h"
#include "cachet-compose-source.h"
#include "cachet-composer-private.h"
#include "cachet-crypto-mime.h"
#include "cachet-crypto-ui.h"
#include "cachet-draft-saver.h"
#include "cachet-window-private.h"

/* Writing from the main window: a new message, reply, reply to all, forward (inline or as
 * an attachment) of the selected message, and continuing a draft (double-click or Enter on
 * it in the list).  The composer opens in its own window.
 *
 * What is written from is what the user reads: the message the viewer shows when it has
 * opened it, else the stored one opened on a worker (cachet-compose-source.h), a passphrase
 * asked for over this window.  What came encrypted is written back with Encrypt on; one
 * that cannot be decrypted is answered or passed on without any of its content (never its
 * ciphertext quoted), with the reason in the composer, and a sealed draft that cannot be
 * opened is not continued at all (its next save would replace it). */

static CachetApplication *
application (CachetWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return CACHET_IS_APPLICATION (app) ? CACHET_APPLICATION (app) : NULL;
}

/* The addresses of every account: not replied to in "reply to all". */
static GStrv
own_addresses (CachetAccountList *accounts)
{
  GPtrArray *all = accounts != NULL ? cachet_account_list_get_all (accounts) : NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; all != NULL && i < all->len; i++)
    {
      const char *address = cachet_account_get_address (g_ptr_array_index (all, i));
      if (address != NULL)
        g_strv_builder_add (builder, address);
    }
  return g_strv_builder_end (builder);
}

static gboolean
list_has_address (GPtrArray  *addresses,
                  const char *address)
{
  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      CachetAddress *a = g_ptr_array_index (addresses, i);
      if (a->email != NULL && g_ascii_strcasecmp (a->email, address) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The account the original was sent to, so the answer comes from the same address; with
 * @from, the account that wrote it. */
static const char *
account_for (CachetAccountList *accounts,
             CachetMessage     *original,
             gboolean           from)
{
  GPtrArray *all = accounts != NULL ? cachet_account_list_get_all (accounts) : NULL;
  const char *headers[] = { "Delivered-To", "X-Original-To", "Envelope-To" };

  for (guint i = 0; all != NULL && i < all->len; i++)
    {
      CachetAccount *account = g_ptr_array_index (all, i);
      const char *address = cachet_account_get_address (account);

      if (address == NULL)
        continue;
      if (from)
        {
          if (list_has_address (cachet_message_get_from (original), address))
            return cachet_account_get_id (account);
          continue;
        }
      if (list_has_address (cachet_message_get_to (original), address)
          || list_has_address (cachet_message_get_cc (original), address)
          || list_has_address (cachet_message_get_from (original), address))
        return cachet_account_get_id (account);
      for (gsize h = 0; h < G_N_ELEMENTS (headers); h++)
        {
          const char *value = cachet_message_get_header (original, headers[h]);
          g_autoptr(GPtrArray) parsed = value ? cachet_address_list_parse (value) : NULL;

          if (list_has_address (parsed, address))
            return cachet_account_get_id (account);
        }
    }
  return NULL;
}

typedef enum
{
  WRITE_REPLY,
  WRITE_REPLY_ALL,
  WRITE_FORWARD,
  WRITE_FORWARD_ATTACHED,
  WRITE_CONTINUE,
} WriteKind;

static void
write_from (CachetWindow  *self,
            WriteKind      kind,
            gint64         id,
            CachetMessage *message,
            gboolean       decrypted,
            const char    *problem)
{
  gboolean encrypt = FALSE, sign = FALSE;
  CachetApplication *app = application (self);
  CachetAccountList *accounts = app != NULL ? cachet_application_get_accounts (app) : NULL;
  g_auto(GStrv) own = own_addresses (accounts);
  CachetDraft *draft = NULL;
  CachetComposer *composer;
  CachetFlags flag = CACHET_FLAG_NONE;
  const char *account_id;

  if (app == NULL)
    return;
  switch (kind)
    {
    case WRITE_REPLY:
    case WRITE_REPLY_ALL:
      draft = cachet_draft_new_reply (message, kind == WRITE_REPLY_ALL,
                                      (const char * const *) own);
      flag = CACHET_FLAG_REPLIED;
      break;
    case WRITE_FORWARD:
    case WRITE_FORWARD_ATTACHED:
      draft = cachet_draft_new_forward (message, kind == WRITE_FORWARD_ATTACHED);
      flag = CACHET_FLAG_PASSED;
      break;
    case WRITE_CONTINUE:
    default:
      draft = cachet_draft_new_from_message (message);
      break;
    }
  if (draft == NULL)
    {
      _cachet_window_show_error (self, _("This message cannot be answered or forwarded."));
      return;
    }
  /* The account the original came to; for a draft without one (a message taken back from
   * the Outbox), the account of its From. */
  if ((kind != WRITE_CONTINUE || cachet_draft_get_account_id (draft) == NULL)
      && (account_id = account_for (accounts, message, kind == WRITE_CONTINUE)) != NULL)
    cachet_draft_set_account_id (draft, account_id);

  composer = cachet_application_compose (app, draft, kind == WRITE_CONTINUE ? id : 0);
  if (kind != WRITE_CONTINUE)
    cachet_composer_set_original (composer, id, flag);
  /* What came encrypted is not answered, passed on or sent again (a sealed message taken
   * back from the Outbox) in the clear by default. */
  if (decrypted)
    cachet_composer_set_encrypt (composer, TRUE);
  /* A draft keeps its Encrypt and Sign. */
  if (kind == WRITE_CONTINUE && cachet_draft_saver_read_crypto (message, &encrypt, &sign))
    {
      cachet_composer_set_encrypt (composer, encrypt || decrypted);
      g_action_group_change_action_state (G_ACTION_GROUP (composer), "sign",
                                          g_variant_new_boolean (sign));
    }
  if (problem != NULL)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (kind == WRITE_FORWARD || kind == WRITE_FORWARD_ATTACHED
                              ? _("The message could not be decrypted (%s), so none of its "
                                  "content is forwarded.")
                              : _("The message could not be decrypted (%s), so none of it "
                                  "is quoted."), problem);
      _cachet_composer_show_error (composer, text);
    }
}

/* The message, parsed: the one the viewer shows, or read from the store (and opened when
 * sealed) off the main thread. */

typedef struct
{
  CachetWindow *self;
  WriteKind     kind;
  gint64        id;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_object_unref (data->self);
  g_free (data);
}

static void
loaded_cb (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  LoadData *data = user_data;
  g_autoptr(CachetComposeSource) source = NULL;
  g_autoptr(GError) error = NULL;

  source = cachet_compose_source_load_finish (result, &error);
  if (source == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("Could not open the message: %s"),
                                                   error->message);
          _cachet_window_show_error (data->self, text);
        }
      load_data_free (data);
      return;
    }
  if (source->problem != NULL && data->kind == WRITE_CONTINUE)
    {
      g_autofree char *text = g_strdup_printf (_("This draft is encrypted and could not be "
                                                 "opened: %s"), source->problem);
      _cachet_window_show_error (data->self, text);
    }
  else
    write_from (data->self, data->kind, data->id, source->message, source->encrypted,
                source->problem);
  load_data_free (data);
}

/* The viewer's message will do when it is the one the user reads: opened, or not sealed. */
static gboolean
viewer_has_it (CachetWindow *self,
               gint64        id)
{
  CachetMessage *message = cachet_message_view_get_message (self->message_view);
  GBytes *bytes = message != NULL ? cachet_message_get_bytes (message) : NULL;

  if (cachet_message_view_get_message_id (self->message_view) != id || message == NULL)
    return FALSE;
  if (cachet_message_view_is_opening (self->message_view))
    return FALSE;
  return cachet_message_view_get_decrypted (self->message_view)
         || bytes == NULL || !cachet_crypto_looks_sealed (bytes);
}

static void write_from_id (CachetWindow *self,
                           WriteKind     kind,
                           gint64        id);

#define WAITING_KEY "cachet-write-waiting"
#define WAITING_HANDLER_KEY "cachet-write-waiting-handler"

/* The plugins were still loading when the user asked to write: now they are there. */
static void
plugins_ready_cb (CachetWindow *self)
{
  g_autofree LoadData *waiting = g_object_steal_data (G_OBJECT (self), WAITING_KEY);

  if (waiting != NULL)
    write_from_id (self, waiting->kind, waiting->id);
}

static void
write_from_id (CachetWindow *self,
               WriteKind     kind,
               gint64        id)
{
  CachetCryptoRegistry *registry;
  gboolean loading;
  LoadData *data;

  if (id == 0 || !self->store_open)
    return;
  if (viewer_has_it (self, id))
    {
      write_from (self, kind, id, cachet_message_view_get_message (self->message_view),
                  cachet_message_view_get_decrypted (self->message_view), NULL);
      return;
    }
  registry = _cachet_crypto_ui_get_registry (GTK_WIDGET (self), &loading);
  if (registry == NULL && loading)
    {
      /* A sealed message could not be opened yet: wait for the plugins (a moment at
       * start), the last request only. */
      if (g_object_get_data (G_OBJECT (self), WAITING_HANDLER_KEY) == NULL)
        {
          gulong handler = _cachet_crypto_ui_when_ready (GTK_WIDGET (self),
                                                         G_CALLBACK (plugins_ready_cb));

          g_object_set_data (G_OBJECT (self), WAITING_HANDLER_KEY,
                             GSIZE_TO_POINTER ((gsize) handler));
        }
      if (g_object_get_data (G_OBJECT (self), WAITING_HANDLER_KEY) != NULL)
        {
          data = g_new0 (LoadData, 1);
          data->kind = kind;
          data->id = id;
          g_object_set_data_full (G_OBJECT (self), WAITING_KEY, data, g_free);
          return;
        }
    }
  data = g_new0 (LoadData, 1);
  data->self = g_object_ref (self);
  data->kind = kind;
  data->id = id;
  cachet_compose_source_load_async (self->store, id, registry, loading, GTK_WINDOW (self),
                                    self->cancellable, loaded_cb, data);
}

static void
selected (CachetWindow *self,
          WriteKind     kind)
{
  write_from_id (self, kind, cachet_message_list_view_get_selected_id (self->message_list));
}

static void
compose_cb (GSimpleAction *action,
            GVariant      *param,
            gpointer       user_data)
{
  CachetApplication *app = application (user_data);

  if (app != NULL)
    cachet_application_compose (app, NULL, 0);
}

static void
reply_cb (GSimpleAction *action,
          GVariant      *param,
          gpointer       user_data)
{
  selected (user_data, WRITE_REPLY);
}

static void
reply_all_cb (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  selected (user_data, WRITE_REPLY_ALL);
}

static void
forward_cb (GSimpleAction *action,
            GVariant      *param,
            gpointer       user_data)
{
  selected (user_data, WRITE_FORWARD);
}

static void
forward_attached_cb (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  selected (user_data, WRITE_FORWARD_ATTACHED);
}

/* A draft in the list is continued in the composer; other messages only open. */
static void
row_activated_cb (GtkTreeView       *tree_view,
                  GtkTreePath       *path,
                  GtkTreeViewColumn *column,
                  CachetWindow      *self)
{
  gint64 id = cachet_message_list_view_get_selected_id (self->message_list);
  g_autoptr(CachetFolderInfo) folder = NULL;
  CachetFlags flags = CACHET_FLAG_NONE;

  if (id == 0 || !self->store_open)
    return;
  folder = cachet_store_get_folder (self->store, self->folder_id);
  cachet_message_list_view_get_flags (self->message_list, id, &flags);
  if ((folder != NULL && folder->role == CACHET_FOLDER_ROLE_DRAFTS
       && !cachet_message_list_view_is_searching (self->message_list))
      || (flags & CACHET_FLAG_DRAFT) != 0)
    write_from_id (self, WRITE_CONTINUE, id);
}

static const char * const selected_actions[] = {
  "reply", "reply-all", "forward", "forward-attachment",
};

void
_cachet_window_compose_update_actions (CachetWindow *self)
{
  gboolean one = self->store_open
                 && cachet_message_list_view_get_selected_id (self->message_list) != 0;

  for (guint i = 0; i < G_N_ELEMENTS (selected_actions); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), selected_actions[i]);
      if (action != NULL)
        g_simple_action_set_enabled (G_SIMPLE_ACTION (action), one);
    }
}

void
_cachet_window_compose_init (CachetWindow *self)
{
  const GActionEntry entries[] = {
    { "compose", compose_cb, NULL, NULL, NULL, { 0 } },
    { "reply", reply_cb, NULL, NULL, NULL, { 0 } },
    { "reply-all", reply_all_cb, NULL, NULL, NULL, { 0 } },
    { "forward", forward_cb, NULL, NULL, NULL, { 0 } },
    { "forward-attachment", forward_attached_cb, NULL, NULL, NULL, { 0 } },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  g_signal_connect_object (cachet_message_list_view_get_tree_view (self->message_list),
                           "row-activated", G_CALLBACK (row_activated_cb), self, 0);
  _cachet_window_compose_update_actions (self);
}
