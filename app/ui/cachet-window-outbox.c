/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cachet-certificate-dialog.h"
#include "cachet-sender.h"
#include "cachet-window-private.h"

/* The Outbox in the window: while the Outbox is shown, a bar under the header says what
 * became of the selected message (waiting, sending, not sent and why) or of the whole
 * Outbox, with Retry Now, Edit (taken out of the queue and moved to Drafts) and Delete.
 * A message that fails, and a message that reached only some recipients, are also told in
 * the notification bar, once, whatever folder is shown.
 *
 * A certificate of the outgoing server that cannot be verified is shown in the certificate
 * dialog, as for getting mail: trusting it pins it to the account's SMTP settings and sends
 * the messages that failed on it again.  A certificate that replaced a pinned one is
 * refused without a dialog (the failure's reason says so).
 *
 * The sender is the application's (one per process); a window of its own (tests) makes
 * one. */

struct _CachetWindowOutbox
{
  CachetSender *sender;
  GHashTable   *told;      /* message ids whose failure was shown */
  gint64        outbox_id;
  guint         update;    /* a coalesced update of the bar */
  GtkWidget    *dialog;    /* the certificate dialog, or NULL */
  char         *dialog_account;
};

static gboolean
outbox_shown (CachetWindow *self)
{
  return self->outbox != NULL && self->outbox->sender != NULL && self->outbox->outbox_id != 0
         && self->folder_id == self->outbox->outbox_id
         && !cachet_message_list_view_is_searching (self->message_list);
}

/* The record of the one message selected in the Outbox (transfer full), or NULL. */
static CachetOutboxRecord *
selected_record (CachetWindow *self)
{
  g_autoptr(GArray) ids = NULL;

  if (!outbox_shown (self))
    return NULL;
  ids = cachet_message_list_view_dup_selected_ids (self->message_list);
  if (ids->len != 1)
    return NULL;
  /* One row of the index: cheap enough for the main thread. */
  return cachet_store_outbox_get (self->store, g_array_index (ids, gint64, 0), NULL);
}

static char *
describe_record (const CachetOutboxRecord *e)
{
  if (e->account_id == NULL)
    return g_strdup (e->reason);
  switch (e->state)
    {
    case CACHET_OUTBOX_SENDING:
      return g_strdup (_("Sending…"));
    case CACHET_OUTBOX_SENT:
      return g_strdup (_("Sent; it is being moved to Sent."));
    case CACHET_OUTBOX_FAILED:
      if (e->in_doubt)
        return g_strdup_printf (_("Maybe sent already: %s"), e->reason ? e->reason : "");
      return g_strdup_printf (_("Not sent: %s"), e->reason ? e->reason : "");
    case CACHET_OUTBOX_WAITING:
    default:
      if (e->attempts > 0 && e->next_try > g_get_real_time () / G_USEC_PER_SEC)
        {
          g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (e->next_try);
          g_autofree char *time = g_date_time_format (when, "%X");

          /* Translators: "Not sent yet; next try at 14:05. The server said: …" */
          return g_strdup_printf (_("Not sent yet; next try at %s. %s"), time,
                                  e->reason ? e->reason : "");
        }
      return g_strdup (_("Waiting to be sent."));
    }
}

static char *
describe_outbox (GPtrArray *entries)
{
  guint waiting = 0, failed = 0;

  if (entries->len == 0)
    return g_strdup (_("Nothing is waiting to be sent."));
  for (guint i = 0; i < entries->len; i++)
    {
      CachetOutboxEntry *e = g_ptr_array_index (entries, i);
      if (e->state == CACHET_OUTBOX_FAILED)
        failed++;
      else
        waiting++;
    }
  if (failed == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u message waits to be sent.",
                                         "%u messages wait to be sent.", waiting), waiting);
  if (waiting == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u message could not be sent: select it to see why.",
                                         "%u messages could not be sent: select one to see "
                                         "why.", failed), failed);
  /* Translators: "2 messages wait to be sent; 1 could not be sent." */
  return g_strdup_printf (_("%u waiting to be sent; %u could not be sent: select one to see "
                            "why."), waiting, failed);
}

static void
set_enabled (CachetWindow *self,
             const char   *name,
             gboolean      enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  if (action != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
update_now (CachetWindow *self)
{
  g_autoptr(CachetOutboxRecord) e = NULL;
  g_autofree char *text = NULL;
  gboolean shown = outbox_shown (self);
  gboolean busy;

  if (self->outbox_revealer == NULL)
    return;
  gtk_revealer_set_reveal_child (self->outbox_revealer, shown);
  e = selected_record (self);
  busy = e != NULL && (e->state == CACHET_OUTBOX_SENDING || e->state == CACHET_OUTBOX_SENT);
  set_enabled (self, "outbox-retry", e != NULL && e->account_id != NULL && !busy);
  set_enabled (self, "outbox-edit", e != NULL && !busy);
  set_enabled (self, "outbox-delete", e != NULL && !busy);
  if (!shown)
    return;
  if (e != NULL)
    text = describe_record (e);
  else
    {
      g_autoptr(GPtrArray) entries = cachet_sender_list (self->outbox->sender);
      text = describe_outbox (entries);
    }
  gtk_label_set_text (self->outbox_label, text);
}

void
_cachet_window_outbox_update (CachetWindow *self)
{
  if (self->outbox != NULL)
    g_clear_handle_id (&self->outbox->update, g_source_remove);
  update_now (self);
}

static gboolean
update_cb (gpointer data)
{
  CachetWindow *self = data;

  self->outbox->update = 0;
  update_now (self);
  return G_SOURCE_REMOVE;
}

/* While a run sends many messages, news come in bursts: the bar follows once a burst is
 * over (low priority: after the events waiting), not once per message. */
static void
update_later (CachetWindow *self)
{
  if (self->outbox->update == 0)
    self->outbox->update = g_idle_add_full (G_PRIORITY_LOW, update_cb, self, NULL);
}

/* The sender's news */

static void
changed_cb (CachetSender *sender,
            gint64        message_id,
            CachetWindow *self)
{
  g_autoptr(CachetOutboxRecord) e = cachet_store_outbox_get (self->store, message_id, NULL);

  /* A failure that needs the user is told once, wherever the user is (not while the
   * certificate dialog asks about it). */
  if (e != NULL && e->state == CACHET_OUTBOX_FAILED && e->account_id != NULL
      && !g_hash_table_contains (self->outbox->told, &e->message_id)
      && !(self->outbox->dialog != NULL
           && g_strcmp0 (self->outbox->dialog_account, e->account_id) == 0))
    {
      g_autofree char *text = g_strdup_printf (_("A message in the Outbox was not sent: %s"),
                                               e->reason ? e->reason : "");

      g_hash_table_add (self->outbox->told, g_memdup2 (&e->message_id, sizeof (gint64)));
      _cachet_window_show_error (self, text);
    }
  update_later (self);
}

static void
sent_cb (CachetSender *sender,
         gint64        message_id,
         gint64        sent_id,
         CachetWindow *self)
{
  g_hash_table_remove (self->outbox->told, &message_id);
  update_later (self);
}

static void
notice_cb (CachetSender *sender,
           gint64        message_id,
           const char   *text,
           CachetWindow *self)
{
  _cachet_window_show_info (self, text);
}

typedef struct
{
  CachetWindow *self;
  char         *account_id;
  char         *account_name;
} Question;

static void
question_free (gpointer  data,
               GClosure *closure)
{
  Question *q = data;

  g_object_unref (q->self);
  g_free (q->account_id);
  g_free (q->account_name);
  g_free (q);
}

static void
certificate_response_cb (GtkDialog *dialog,
                         int        response,
                         gpointer   data)
{
  Question *q = data;
  CachetWindow *self = q->self;
  g_autofree char *sha256 = g_strdup (cachet_certificate_dialog_get_fingerprint (
                                        CACHET_CERTIFICATE_DIALOG (dialog)));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  gtk_widget_destroy (GTK_WIDGET (dialog));
  if (self->outbox == NULL)
    return;  /* the window is going */
  self->outbox->dialog = NULL;
  g_clear_pointer (&self->outbox->dialog_account, g_free);
  if (response != GTK_RESPONSE_ACCEPT)
    /* Translators: "… of the outgoing server of Alice was not trusted." */
    text = g_strdup_printf (_("Messages in the Outbox were not sent: the certificate of the "
                              "outgoing server of %s was not trusted."), q->account_name);
  else if (!cachet_sender_accept_certificate (self->outbox->sender, q->account_id, sha256,
                                              &error))
    text = g_strdup_printf (_("Messages in the Outbox were not sent: %s"), error->message);
  if (text != NULL)
    _cachet_window_show_error (self, text);
  update_later (self);
}

static void
certificate_cb (CachetSender *sender,
                const char   *account_id,
                CachetWindow *self)
{
  CachetWindowOutbox *o = self->outbox;
  const CachetTlsCheck *check = cachet_sender_get_tls_check (sender, account_id);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(CachetAccountList) accounts = NULL;
  CachetAccount *account;
  const CachetServerSettings *smtp;
  Question *q;

  /* A changed certificate is refused outright; one question at a time, in one window. */
  if (check == NULL || check->pin_mismatch || o->dialog != NULL
      || (app != NULL && gtk_application_get_active_window (app) != GTK_WINDOW (self)))
    return;
  g_object_get (sender, "accounts", &accounts, NULL);
  account = accounts ? cachet_account_list_find (accounts, account_id) : NULL;
  smtp = account ? cachet_account_get_smtp (account) : NULL;
  if (smtp == NULL)
    return;
  q = g_new0 (Question, 1);
  q->self = g_object_ref (self);
  q->account_id = g_strdup (account_id);
  q->account_name = g_strdup (cachet_account_get_name (account));
  o->dialog = cachet_certificate_dialog_new (GTK_WINDOW (self), q->account_name, smtp->host,
                                             check);
  o->dialog_account = g_strdup (account_id);
  g_signal_connect_data (o->dialog, "response", G_CALLBACK (certificate_response_cb), q,
                         question_free, 0);
  gtk_widget_show (o->dialog);
}

/* Actions */

static void
retry_cb (GSimpleAction *action,
          GVariant      *param,
          gpointer       data)
{
  CachetWindow *self = data;
  g_autoptr(CachetOutboxRecord) e = selected_record (self);

  if (e == NULL || e->account_id == NULL)
    return;
  g_hash_table_remove (self->outbox->told, &e->message_id);
  cachet_sender_retry (self->outbox->sender, e->message_id);
}

typedef struct
{
  CachetWindow *self;
  gint64        message_id;
  gboolean      to_drafts;
} TakeOut;

static void
take_out_free (TakeOut *t)
{
  g_object_unref (t->self);
  g_free (t);
}

static void
moved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  TakeOut *t = data;
  g_autoptr(GError) error = NULL;

  if (!cachet_store_write_finish (CACHET_STORE (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text =
        g_strdup_printf (t->to_drafts ? _("Could not move the message to Drafts: %s")
                                      : _("Could not delete the message: %s"),
                         error->message);
      _cachet_window_show_error (t->self, text);
    }
  take_out_free (t);
}

static void
withdrawn_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  TakeOut *t = data;
  CachetWindow *self = t->self;
  g_autoptr(GError) error = NULL;

  if (!cachet_sender_withdraw_finish (CACHET_SENDER (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("The message stays in the Outbox: %s"),
                                                   error->message);
          _cachet_window_show_error (self, text);
        }
      take_out_free (t);
      return;
    }
  if (t->to_drafts)
    {
      g_autoptr(CachetFolderInfo) drafts =
        cachet_store_get_folder_by_role (self->store, CACHET_FOLDER_ROLE_DRAFTS);

      if (drafts == NULL)
        {
          _cachet_window_show_error (self, _("There is no Drafts folder."));
          take_out_free (t);
          return;
        }
      /* The composer opens it from there; until then it waits in Drafts. */
      cachet_store_move_async (self->store, &t->message_id, 1, drafts->id, self->cancellable,
                               moved_cb, t);
    }
  else
    cachet_store_delete_async (self->store, &t->message_id, 1, self->cancellable, moved_cb,
                               t);
}

static void
take_out (CachetWindow *self,
          gboolean      to_drafts)
{
  g_autoptr(CachetOutboxRecord) e = selected_record (self);
  TakeOut *t;

  if (e == NULL)
    return;
  t = g_new0 (TakeOut, 1);
  t->self = g_object_ref (self);
  t->message_id = e->message_id;
  t->to_drafts = to_drafts;
  g_hash_table_remove (self->outbox->told, &e->message_id);
  /* Out of the queue first (refused while it is being sent), then moved. */
  cachet_sender_withdraw_async (self->outbox->sender, e->message_id, self->cancellable,
                                withdrawn_cb, t);
}

static void
edit_cb (GSimpleAction *action,
         GVariant      *param,
         gpointer       data)
{
  take_out (data, TRUE);
}

static void
delete_cb (GSimpleAction *action,
           GVariant      *param,
           gpointer       data)
{
  take_out (data, FALSE);
}

/* Life */

void
_cachet_window_outbox_init (CachetWindow *self)
{
  const GActionEntry entries[] = {
    { "outbox-retry", retry_cb, NULL, NULL, NULL, { 0 } },
    { "outbox-edit", edit_cb, NULL, NULL, NULL, { 0 } },
    { "outbox-delete", delete_cb, NULL, NULL, NULL, { 0 } },
  };

  self->outbox = g_new0 (CachetWindowOutbox, 1);
  self->outbox->told = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
}

void
_cachet_window_outbox_store_ready (CachetWindow *self)
{
  CachetWindowOutbox *o = self->outbox;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(CachetFolderInfo) outbox =
    cachet_store_get_folder_by_role (self->store, CACHET_FOLDER_ROLE_OUTBOX);

  if (o == NULL || o->sender != NULL)
    return;
  o->outbox_id = outbox ? outbox->id : 0;
  if (CACHET_IS_APPLICATION (app))
    o->sender = cachet_application_get_sender (CACHET_APPLICATION (app));
  if (o->sender != NULL)
    g_object_ref (o->sender);
  else
    {
      g_autoptr(CachetAccountList) accounts = cachet_account_list_new (NULL);
      g_autoptr(GError) error = NULL;

      if (!cachet_account_list_load (accounts, &error))
        g_message ("Sending without accounts: %s", error->message);
      o->sender = cachet_sender_new (self->store, accounts);
    }
  g_signal_connect_object (o->sender, "changed", G_CALLBACK (changed_cb), self, 0);
  g_signal_connect_object (o->sender, "sent", G_CALLBACK (sent_cb), self, 0);
  g_signal_connect_object (o->sender, "notice", G_CALLBACK (notice_cb), self, 0);
  g_signal_connect_object (o->sender, "certificate", G_CALLBACK (certificate_cb), self, 0);
  _cachet_window_outbox_update (self);
}

CachetSender *
_cachet_window_get_sender (CachetWindow *self)
{
  return self->outbox ? self->outbox->sender : NULL;
}

void
_cachet_window_outbox_dispose (CachetWindow *self)
{
  CachetWindowOutbox *o = self->outbox;

  if (o == NULL)
    return;
  self->outbox = NULL;
  g_clear_handle_id (&o->update, g_source_remove);
  if (o->sender != NULL)
    g_signal_handlers_disconnect_by_data (o->sender, self);
  g_clear_object (&o->sender);
  if (o->dialog != NULL)
    gtk_widget_destroy (o->dialog);
  g_free (o->dialog_account);
  g_hash_table_unref (o->told);
  g_free (o);
}

void
_cachet_window_outbox_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, outbox_revealer);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, outbox_label);
}
