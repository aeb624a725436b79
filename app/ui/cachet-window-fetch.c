/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cachet-account.h"
#include "cachet-certificate-dialog.h"
#include "cachet-fetcher.h"
#include "cachet-net-error.h"
#include "cachet-password-dialog.h"
#include "cachet-secrets.h"
#include "cachet-window-private.h"

/* Getting mail: the Get Mail action, the periodic check, the progress bar with its Stop
 * button, notifications of new mail, and the questions a fetch can raise (a certificate to
 * trust, a password the keyring could not give).
 *
 * A round fetches the accounts one after the other.  A round started by the timer asks
 * nothing: its problems go to the info bar, and Get Mail asks. */

/* Seconds after the window opens before the first automatic check. */
#define FIRST_CHECK_DELAY 3

struct _CachetWindowFetch
{
  CachetFetcher     *fetcher;
  CachetAccountList *accounts;     /* read again at the start of each round */
  GQueue             queue;        /* CachetAccount still to fetch in this round */
  CachetAccount     *current;
  GCancellable      *cancellable;  /* set while a round runs */
  gboolean           periodic;
  GString           *problems;     /* this round's errors, one a line */
  GString           *notes;        /* this round's notices */
  GtkWidget         *dialog;
  guint              timer;
  guint              first_check;
};

static void start_next (CachetWindow *self);

static gboolean
is_running (CachetWindow *self)
{
  return self->fetch != NULL && self->fetch->cancellable != NULL;
}

/* Progress */

static void
show_stage (CachetWindow *self,
            const char   *text)
{
  gtk_label_set_text (self->fetch_label, text);
  /* Not "0 %" while the bar only says that something happens. */
  gtk_progress_bar_set_text (self->fetch_progress, "");
  gtk_progress_bar_pulse (self->fetch_progress);
}

static void
progress_cb (const CachetFetchProgress *p,
             gpointer                   data)
{
  CachetWindow *self = data;
  g_autofree char *text = NULL;

  if (!is_running (self))
    return;
  switch (p->stage)
    {
    case CACHET_FETCH_STAGE_PASSWORD:
    case CACHET_FETCH_STAGE_CONNECTING:
      text = g_strdup_printf (_("Connecting for %s…"), p->account_name);
      show_stage (self, text);
      break;
    case CACHET_FETCH_STAGE_LISTING:
      text = g_strdup_printf (_("Checking for new mail for %s…"), p->account_name);
      show_stage (self, text);
      break;
    case CACHET_FETCH_STAGE_RECEIVING:
      if (p->n_total == 0)
        {
          text = g_strdup_printf (_("No new mail for %s"), p->account_name);
          gtk_label_set_text (self->fetch_label, text);
          gtk_progress_bar_set_text (self->fetch_progress, "");
          gtk_progress_bar_set_fraction (self->fetch_progress, 1.0);
        }
      else
        {
          g_autofree char *done = g_format_size (p->bytes_done);
          g_autofree char *total = g_format_size (p->bytes_total);
          g_autofree char *bytes = NULL;
          double fraction = p->bytes_total > 0 ? (double) p->bytes_done / p->bytes_total
                                               : (double) p->n_done / p->n_total;

          /* Translators: "Alice: message 3 of 10" */
          text = g_strdup_printf (_("%s: message %u of %u"), p->account_name,
                                  MIN (p->n_done + 1, p->n_total), p->n_total);
          /* Translators: "1.2 MB of 5.0 MB" */
          bytes = g_strdup_printf (_("%s of %s"), done, total);
          gtk_label_set_text (self->fetch_label, text);
          gtk_progress_bar_set_text (self->fetch_progress, bytes);
          gtk_progress_bar_set_fraction (self->fetch_progress, CLAMP (fraction, 0.0, 1.0));
        }
      break;
    case CACHET_FETCH_STAGE_DELETING:
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%s: deleting %u message on the server…",
                                           "%s: deleting %u messages on the server…",
                                           p->n_total),
                              p->account_name, p->n_total);
      show_stage (self, text);
      break;
    case CACHET_FETCH_STAGE_DONE:
    default:
      break;
    }
}

/* The end of a round */

static void
finish_round (CachetWindow *self)
{
  CachetWindowFetch *f = self->fetch;

  g_clear_object (&f->cancellable);
  g_clear_object (&f->accounts);
  gtk_revealer_set_reveal_child (self->fetch_revealer, FALSE);
  if (f->problems->len > 0)
    _cachet_window_show_error (self, f->problems->str);
  else if (f->notes->len > 0)
    _cachet_window_show_info (self, f->notes->str);
  _cachet_window_update_actions (self);
}

static void
add_line (GString    *text,
          const char *account_name,
          const char *line)
{
  if (text->len > 0)
    g_string_append_c (text, '\n');
  /* Translators: an account name, then what happened to it */
  g_string_append_printf (text, _("%s: %s"), account_name, line);
}

static void
notify_new_mail (CachetWindow  *self,
                 CachetAccount *account,
                 guint          n_new)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;

  /* Someone looking at the window sees the list grow. */
  if (app == NULL || !g_application_get_is_registered (app)
      || (!self->fetch->periodic && gtk_window_is_active (GTK_WINDOW (self))))
    return;
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new message for %s",
                                       "%u new messages for %s", n_new),
                          n_new, cachet_account_get_name (account));
  notification = g_notification_new (_("New mail"));
  g_notification_set_body (notification, body);
  g_notification_set_icon (notification, G_ICON (g_themed_icon_new (APPLICATION_ID)));
  id = g_strdup_printf ("new-mail-%s", cachet_account_get_id (account));
  g_application_send_notification (app, id, notification);
}

/* Questions */

typedef struct
{
  CachetWindow  *self;
  CachetAccount *account;
} Question;

static void
question_free (gpointer  data,
               GClosure *closure)
{
  Question *q = data;

  g_object_unref (q->self);
  g_object_unref (q->account);
  g_free (q);
}

/* Fetches @account again, first in the queue. */
static void
retry (CachetWindow  *self,
       CachetAccount *account)
{
  g_queue_push_head (&self->fetch->queue, g_object_ref (account));
}

static void
certificate_response_cb (GtkDialog *dialog,
                         int        response,
                         gpointer   data)
{
  Question *q = data;
  g_autoptr(CachetWindow) self = g_object_ref (q->self);
  g_autoptr(CachetAccount) account = g_object_ref (q->account);
  g_autofree char *sha256 = g_strdup (cachet_certificate_dialog_get_fingerprint (
                                        CACHET_CERTIFICATE_DIALOG (dialog)));

  gtk_widget_destroy (GTK_WIDGET (dialog));
  if (self->fetch == NULL)
    return;
  self->fetch->dialog = NULL;
  if (response == GTK_RESPONSE_ACCEPT && self->fetch->accounts != NULL)
    {
      g_autoptr(GError) error = NULL;

      cachet_account_pin_certificate (account, "pop3", sha256);
      if (cachet_account_list_save (self->fetch->accounts, &error))
        retry (self, account);
      else
        add_line (self->fetch->problems, cachet_account_get_name (account), error->message);
    }
  else
    add_line (self->fetch->problems, cachet_account_get_name (account),
              _("not fetched: the server’s certificate was not trusted."));
  start_next (self);
}

static void
ask_certificate (CachetWindow      *self,
                 CachetAccount     *account,
                 CachetFetchResult *result)
{
  Question *q = g_new0 (Question, 1);
  const CachetServerSettings *pop3 = cachet_account_get_pop3 (account);

  q->self = g_object_ref (self);
  q->account = g_object_ref (account);
  self->fetch->dialog = cachet_certificate_dialog_new (GTK_WINDOW (self),
                                                       cachet_account_get_name (account),
                                                       pop3->host, result->tls_check);
  g_signal_connect_data (self->fetch->dialog, "response", G_CALLBACK (certificate_response_cb),
                         q, question_free, 0);
  gtk_widget_show (self->fetch->dialog);
}

static void
password_response_cb (GtkDialog *dialog,
                      int        response,
                      gpointer   data)
{
  Question *q = data;
  g_autoptr(CachetWindow) self = g_object_ref (q->self);
  g_autoptr(CachetAccount) account = g_object_ref (q->account);

  if (self->fetch != NULL && response == GTK_RESPONSE_ACCEPT)
    {
      const CachetServerSettings *pop3 = cachet_account_get_pop3 (account);
      CachetSecretKey key = { cachet_account_get_id (account), "pop3", pop3->host,
                              pop3->user };

      cachet_secrets_remember_for_session (
        &key, cachet_password_dialog_get_password (CACHET_PASSWORD_DIALOG (dialog)));
      retry (self, account);
    }
  gtk_widget_destroy (GTK_WIDGET (dialog));
  if (self->fetch == NULL)
    return;
  self->fetch->dialog = NULL;
  start_next (self);
}

static void
ask_password (CachetWindow  *self,
              CachetAccount *account,
              const GError  *error)
{
  Question *q = g_new0 (Question, 1);
  const CachetServerSettings *pop3 = cachet_account_get_pop3 (account);

  q->self = g_object_ref (self);
  q->account = g_object_ref (account);
  self->fetch->dialog = cachet_password_dialog_new (GTK_WINDOW (self),
                                                    cachet_account_get_name (account),
                                                    pop3->user, pop3->host, error->message);
  g_signal_connect_data (self->fetch->dialog, "response", G_CALLBACK (password_response_cb),
                         q, question_free, 0);
  gtk_widget_show (self->fetch->dialog);
}

/* One account done */

static void
fetch_done_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      data)
{
  g_autoptr(CachetWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(CachetAccount) account = NULL;
  CachetWindowFetch *f = self->fetch;
  const char *name;

  result = cachet_fetcher_fetch_finish (CACHET_FETCHER (source), res, &error);
  if (f == NULL)
    return;  /* the window is gone */
  account = g_steal_pointer (&f->current);
  name = cachet_account_get_name (account);

  if (result != NULL && result->n_new > 0)
    notify_new_mail (self, account, result->n_new);
  for (guint i = 0; result != NULL && i < result->notices->len; i++)
    add_line (f->notes, name, g_ptr_array_index (result->notices, i));

  if (error == NULL)
    ;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_queue_clear_full (&f->queue, g_object_unref);
    }
  else if (error->domain == CACHET_SECRETS_ERROR && !f->periodic)
    {
      ask_password (self, account, error);
      return;
    }
  else if (g_error_matches (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE)
           && result != NULL && result->tls_check != NULL && !f->periodic)
    {
      ask_certificate (self, account, result);
      return;
    }
  else if (g_error_matches (error, CACHET_FETCH_ERROR, CACHET_FETCH_ERROR_BUSY) && f->periodic)
    ;  /* another window or `cachet fetch` is on it */
  else if (error->domain == CACHET_SECRETS_ERROR || error->domain == CACHET_NET_ERROR)
    {
      g_autofree char *line = NULL;

      if (error->domain == CACHET_SECRETS_ERROR)
        line = g_strdup_printf (_("no password: %s Use Get Mail to type it."), error->message);
      else if (g_error_matches (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE))
        line = g_strdup_printf (_("%s Use Get Mail to look at the certificate."),
                                error->message);
      else
        line = g_strdup (error->message);
      add_line (f->problems, name, line);
    }
  else
    add_line (f->problems, name, error->message);
  start_next (self);
}

static void
start_next (CachetWindow *self)
{
  CachetWindowFetch *f = self->fetch;
  g_autofree char *text = NULL;

  if (f->dialog != NULL)
    return;
  f->current = g_queue_pop_head (&f->queue);
  if (f->current == NULL || g_cancellable_is_cancelled (f->cancellable))
    {
      g_clear_object (&f->current);
      finish_round (self);
      return;
    }
  text = g_strdup_printf (_("Getting mail for %s…"), cachet_account_get_name (f->current));
  show_stage (self, text);
  gtk_progress_bar_set_fraction (self->fetch_progress, 0);
  cachet_fetcher_fetch_async (f->fetcher, f->current, progress_cb, g_object_ref (self),
                              g_object_unref, f->cancellable, fetch_done_cb,
                              g_object_ref (self));
}

void
_cachet_window_get_mail (CachetWindow *self,
                         gboolean      periodic)
{
  CachetWindowFetch *f = self->fetch;
  g_autoptr(GError) error = NULL;
  GtkApplication *app;
  GPtrArray *all;

  if (f == NULL || !self->store_open || is_running (self))
    return;
  /* The application's accounts (those of the accounts dialog), read again when another
   * program (such as `cachet account add`) changed the file; a window of its own (tests)
   * reads the file itself. */
  app = gtk_window_get_application (GTK_WINDOW (self));
  if (CACHET_IS_APPLICATION (app))
    f->accounts = g_object_ref (cachet_application_get_accounts (CACHET_APPLICATION (app)));
  else
    f->accounts = cachet_account_list_new (NULL);
  if ((!CACHET_IS_APPLICATION (app) || cachet_account_list_changed_on_disk (f->accounts))
      && !cachet_account_list_load (f->accounts, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the accounts: %s"),
                                               error->message);
      g_clear_object (&f->accounts);
      _cachet_window_show_error (self, text);
      return;
    }
  all = cachet_account_list_get_all (f->accounts);
  for (guint i = 0; i < all->len; i++)
    {
      CachetAccount *account = g_ptr_array_index (all, i);
      const CachetServerSettings *pop3 = cachet_account_get_pop3 (account);

      if (pop3 == NULL || pop3->host == NULL || *pop3->host == '\0')
        continue;
      if (periodic && cachet_account_get_check_interval (account) == 0)
        continue;
      g_queue_push_tail (&f->queue, g_object_ref (account));
    }
  if (g_queue_is_empty (&f->queue))
    {
      g_clear_object (&f->accounts);
      if (!periodic)
        _cachet_window_show_info (self, _("There is no account to get mail for yet."));
      return;
    }

  if (f->fetcher == NULL)
    f->fetcher = cachet_fetcher_new (self->store);
  f->cancellable = g_cancellable_new ();
  f->periodic = periodic;
  g_string_truncate (f->problems, 0);
  g_string_truncate (f->notes, 0);
  if (!periodic)
    gtk_info_bar_set_revealed (self->info_bar, FALSE);
  gtk_revealer_set_reveal_child (self->fetch_revealer, TRUE);
  _cachet_window_update_actions (self);
  start_next (self);
}

gboolean
_cachet_window_is_getting_mail (CachetWindow *self)
{
  return is_running (self);
}

static void
get_mail_cb (GSimpleAction *action,
             GVariant      *param,
             gpointer       data)
{
  _cachet_window_get_mail (data, FALSE);
}

static void
fetch_cancel_cb (GtkButton    *button,
                 CachetWindow *self)
{
  if (is_running (self))
    g_cancellable_cancel (self->fetch->cancellable);
}

/* The periodic check */

static gboolean
check_cb (gpointer data)
{
  _cachet_window_get_mail (data, TRUE);
  return G_SOURCE_CONTINUE;
}

static gboolean
first_check_cb (gpointer data)
{
  CachetWindow *self = data;

  self->fetch->first_check = 0;
  _cachet_window_get_mail (self, TRUE);
  return G_SOURCE_REMOVE;
}

static guint
check_interval (CachetWindow *self)
{
  return self->settings ? g_settings_get_uint (self->settings, "check-interval") : 10;
}

static void
restart_timer (CachetWindow *self)
{
  guint minutes = check_interval (self);

  g_clear_handle_id (&self->fetch->timer, g_source_remove);
  if (minutes > 0)
    self->fetch->timer = g_timeout_add_seconds (minutes * 60, check_cb, self);
}

static void
interval_changed_cb (GSettings    *settings,
                     const char   *key,
                     CachetWindow *self)
{
  if (self->fetch != NULL && self->store_open)
    restart_timer (self);
}

void
_cachet_window_fetch_store_ready (CachetWindow *self)
{
  if (self->fetch == NULL)
    return;
  restart_timer (self);
  if (check_interval (self) > 0 && self->fetch->first_check == 0)
    self->fetch->first_check = g_timeout_add_seconds (FIRST_CHECK_DELAY, first_check_cb, self);
}

void
_cachet_window_fetch_init (CachetWindow *self)
{
  const GActionEntry entries[] = {
    { "get-mail", get_mail_cb, NULL, NULL, NULL, { 0 } },
  };

  self->fetch = g_new0 (CachetWindowFetch, 1);
  g_queue_init (&self->fetch->queue);
  self->fetch->problems = g_string_new (NULL);
  self->fetch->notes = g_string_new (NULL);
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed::check-interval",
                             G_CALLBACK (interval_changed_cb), self, 0);
}

void
_cachet_window_fetch_dispose (CachetWindow *self)
{
  CachetWindowFetch *f = self->fetch;

  if (f == NULL)
    return;
  self->fetch = NULL;
  if (f->cancellable)
    g_cancellable_cancel (f->cancellable);
  g_clear_handle_id (&f->timer, g_source_remove);
  g_clear_handle_id (&f->first_check, g_source_remove);
  g_clear_pointer (&f->dialog, gtk_widget_destroy);
  g_queue_clear_full (&f->queue, g_object_unref);
  g_clear_object (&f->current);
  g_clear_object (&f->cancellable);
  g_clear_object (&f->accounts);
  g_clear_object (&f->fetcher);
  g_string_free (f->problems, TRUE);
  g_string_free (f->notes, TRUE);
  g_free (f);
}

void
_cachet_window_fetch_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, fetch_cancel_cb);
}
