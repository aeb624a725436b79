/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-composer"

#include "config.h"

#include <glib/gi18n.h>

#include "cachet-composer-private.h"
#include "cachet-crypto-mime.h"
#include "cachet-crypto-passphrase.h"
#include "cachet-crypto-ui.h"
#include "cachet-privacy.h"

/* Encrypt and Sign in the composer.
 *
 * Encrypt follows the memory of who the user encrypts to until the user sets it by hand.
 * While it is on, the recipients' keys are looked up (cachet_crypto_missing_keys) in a
 * worker, 400 ms after the last change to To, Cc or Bcc; a look-up still running when they
 * change again is cancelled.  The privacy line claims "Encrypted end to end" only for the
 * recipients the last finished look-up found keys for all of.
 *
 * Sending with Encrypt or Sign on seals the built message in a worker (encrypted to the
 * recipients and to the sender, so the Sent copy stays readable; signed with the sender's
 * key), asking for a passphrase in a dialog over the composer; only the sealed message
 * goes to the Outbox.
 *
 * Copies in Drafts follow Encrypt: sealed to the sender's own key alone (no signature, so
 * no passphrase) by the draft saver, with Encrypt and Sign kept in them, so that the
 * plaintext of a message meant to be encrypted (a reply quoting a decrypted one, say) is
 * not left on disk.  Without a key of the sender's own, the draft is not stored: the
 * composer says why, once, and keeps it open (see cachet-draft-saver.h). */

typedef enum
{
  KEYS_UNKNOWN,        /* Encrypt is off, or not looked up yet */
  KEYS_NO_RECIPIENTS,
  KEYS_INVALID,        /* an address is not complete */
  KEYS_CHECKING,
  KEYS_OK,
  KEYS_MISSING,
  KEYS_ERROR,          /* no plugin, or the look-up failed */
} KeysState;

#define PROTOCOL "openpgp"

static CachetCryptoRegistry *
registry (CachetComposer *self,
          gboolean       *loading)
{
  if (loading != NULL)
    *loading = FALSE;
  if (self->registry_set)
    return self->registry;
  return _cachet_crypto_ui_get_registry (GTK_WIDGET (self), loading);
}

static void recheck_keys (CachetComposer *self);

/* The application has loaded its plugins: the keys can be looked up now. */
static void
plugins_ready_cb (CachetComposer *self)
{
  if (self->keys == KEYS_CHECKING && self->keys_source == 0 && self->keys_cancellable == NULL)
    recheck_keys (self);
}

static CachetEncryptMemory *
memory (CachetComposer *self)
{
  return self->memory != NULL ? self->memory : cachet_encrypt_memory_get_default ();
}

static gboolean
action_state (CachetComposer *self,
              const char     *name)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);
  g_autoptr(GVariant) state = action != NULL ? g_action_get_state (action) : NULL;

  return state != NULL && g_variant_get_boolean (state);
}

gboolean
_cachet_composer_get_encrypt (CachetComposer *self)
{
  return action_state (self, "encrypt");
}

gboolean
_cachet_composer_get_sign (CachetComposer *self)
{
  return action_state (self, "sign");
}

static void
set_action_state (CachetComposer *self,
                  const char     *name,
                  gboolean        on)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (on));
}

static const char *
sender_address (CachetComposer *self)
{
  CachetAccount *account = NULL;

  if (self->account_id != NULL && self->accounts != NULL)
    account = cachet_account_list_find (self->accounts, self->account_id);
  return account != NULL ? cachet_account_get_address (account) : NULL;
}

/* The privacy line ------------------------------------------------------------------------- */

static char *
join_addresses (const char * const *addresses)
{
  /* Translators: between addresses in a list: "a@b, c@d" */
  return g_strjoinv (_(", "), (char **) addresses);
}

void
_cachet_composer_update_privacy (CachetComposer *self)
{
  CachetAccount *account = NULL;
  const CachetServerSettings *smtp;
  CachetPrivacy transport;
  g_autofree char *title = NULL;
  g_autofree char *explanation = NULL;
  const char *icon = "dialog-warning-symbolic";

  if (self->account_id != NULL && self->accounts != NULL)
    account = cachet_account_list_find (self->accounts, self->account_id);
  smtp = account != NULL ? cachet_account_get_smtp (account) : NULL;
  transport = cachet_privacy_for_sending (smtp, FALSE);

  if (!_cachet_composer_get_encrypt (self))
    {
      cachet_privacy_line_set_problem (self->privacy_line, NULL, NULL, NULL);
      cachet_privacy_line_set_privacy (self->privacy_line, transport);
      return;
    }

  switch ((KeysState) self->keys)
    {
    case KEYS_OK:
      cachet_privacy_line_set_problem (self->privacy_line, NULL, NULL, NULL);
      cachet_privacy_line_set_privacy (self->privacy_line,
                                       cachet_privacy_for_sending (smtp, TRUE));
      return;
    case KEYS_MISSING:
      {
        g_autofree char *who = join_addresses ((const char * const *) self->missing);
        guint n = g_strv_length (self->missing);

        title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "Cannot be encrypted: no key for %s",
                                              "Cannot be encrypted: no keys for %s", n), who);
        explanation = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    "Your keyring has no usable key of %s, so "
                                                    "the message cannot be encrypted for them. "
                                                    "Import their key, or turn Encrypt off to "
                                                    "send it unencrypted.",
                                                    "Your keyring has no usable keys of %s, so "
                                                    "the message cannot be encrypted for them. "
                                                    "Import their keys, or turn Encrypt off to "
                                                    "send it unencrypted.", n), who);
        break;
      }
    case KEYS_ERROR:
      title = g_strdup_printf (_("Cannot be encrypted: %s"),
                               self->keys_error != NULL ? self->keys_error : _("unknown error"));
      explanation = g_strdup (_("The recipients’ keys could not be looked up. Check the "
                                "encryption plugins in Preferences, or turn Encrypt off to "
                                "send the message unencrypted."));
      break;
    case KEYS_INVALID:
      icon = "security-medium-symbolic";
      title = g_strdup (_("Encrypted once every address is complete"));
      explanation = g_strdup (_("An address in To, Cc or Bcc is not complete yet, so its "
                                "key cannot be looked up."));
      break;
    case KEYS_NO_RECIPIENTS:
      icon = "security-medium-symbolic";
      title = g_strdup (_("Encrypted for the recipients you add"));
      explanation = g_strdup (_("Add recipients: their keys are looked up as you type."));
      break;
    case KEYS_CHECKING:
    case KEYS_UNKNOWN:
    default:
      icon = "content-loading-symbolic";
      title = g_strdup (_("Looking up the recipients’ keys…"));
      explanation = g_strdup (_("The message is encrypted only if every recipient has a key."));
      break;
    }
  cachet_privacy_line_set_privacy (self->privacy_line, transport);
  cachet_privacy_line_set_problem (self->privacy_line, icon, title, explanation);
}

/* Looking up keys -------------------------------------------------------------------------- */

/* To, Cc and Bcc as addresses (deduplicated); NULL when one does not parse. */
static GStrv
parse_recipients (CachetComposer *self)
{
  g_autoptr(CachetDraft) draft = cachet_draft_new ();
  g_autoptr(GError) error = NULL;
  GStrv recipients;

  cachet_draft_set_to (draft, gtk_entry_get_text (self->to_entry));
  cachet_draft_set_cc (draft, gtk_entry_get_text (self->cc_entry));
  cachet_draft_set_bcc (draft, gtk_entry_get_text (self->bcc_entry));
  recipients = cachet_draft_get_envelope_recipients (draft, &error);
  if (recipients == NULL)
    g_debug ("Recipients not complete: %s", error->message);
  return recipients;
}

/* The application's registry lives as long as the application: a worker that borrows it
 * keeps the application. */
static GApplication *
hold_application (void)
{
  GApplication *app = g_application_get_default ();

  return app != NULL ? g_object_ref (app) : NULL;
}

typedef struct
{
  CachetCryptoRegistry *registry;
  GApplication         *app;
  GStrv                 recipients;
} KeysJob;

static void
keys_job_free (gpointer data)
{
  KeysJob *job = data;

  g_clear_object (&job->app);
  g_strfreev (job->recipients);
  g_free (job);
}

static void
keys_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  KeysJob *job = task_data;
  GError *error = NULL;
  char **missing;

  missing = cachet_crypto_missing_keys (job->registry, PROTOCOL,
                                        (const char * const *) job->recipients, cancellable,
                                        &error);
  if (missing == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, missing, (GDestroyNotify) g_strfreev);
}

static void
keys_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CachetComposer) self = user_data;
  g_autoptr(GError) error = NULL;
  char **missing;

  missing = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_task_get_cancellable (G_TASK (result)) != self->keys_cancellable)
    {
      g_strfreev (missing);
      return;
    }
  g_clear_object (&self->keys_cancellable);
  g_clear_pointer (&self->missing, g_strfreev);
  g_clear_pointer (&self->keys_error, g_free);
  if (missing == NULL)
    {
      self->keys = KEYS_ERROR;
      self->keys_error = g_strdup (error->message);
    }
  else if (missing[0] != NULL)
    {
      self->keys = KEYS_MISSING;
      self->missing = missing;
    }
  else
    {
      self->keys = KEYS_OK;
      g_strfreev (missing);
    }
  _cachet_composer_update_privacy (self);
  g_signal_emit_by_name (self, "keys-checked");
}

static gboolean
look_up_keys_cb (gpointer user_data)
{
  CachetComposer *self = user_data;
  gboolean loading;
  CachetCryptoRegistry *plugins = registry (self, &loading);
  g_autoptr(GTask) task = NULL;
  KeysJob *job;

  self->keys_source = 0;
  if (plugins == NULL && loading)
    {
      /* Still loading: looked up once they are there (the line says "Looking up"). */
      if (self->ready_handler == 0)
        self->ready_handler = _cachet_crypto_ui_when_ready (GTK_WIDGET (self),
                                                            G_CALLBACK (plugins_ready_cb));
      if (self->ready_handler != 0)
        return G_SOURCE_REMOVE;
    }
  if (plugins == NULL)
    {
      self->keys = KEYS_ERROR;
      g_free (self->keys_error);
      self->keys_error = g_strdup (_("no encryption plugin is loaded"));
      _cachet_composer_update_privacy (self);
      g_signal_emit_by_name (self, "keys-checked");
      return G_SOURCE_REMOVE;
    }
  self->keys_cancellable = g_cancellable_new ();
  job = g_new0 (KeysJob, 1);
  job->registry = plugins;
  job->app = hold_application ();
  job->recipients = g_strdupv (self->recipients);
  task = g_task_new (NULL, self->keys_cancellable, keys_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, look_up_keys_cb);
  g_task_set_task_data (task, job, keys_job_free);
  g_task_run_in_thread (task, keys_worker);
  return G_SOURCE_REMOVE;
}

static void
cancel_look_up (CachetComposer *self)
{
  g_clear_handle_id (&self->keys_source, g_source_remove);
  g_cancellable_cancel (self->keys_cancellable);
  g_clear_object (&self->keys_cancellable);
}

/* The recipients or Encrypt changed: what is known of the keys is out of date. */
static void
recheck_keys (CachetComposer *self)
{
  cancel_look_up (self);
  g_clear_pointer (&self->missing, g_strfreev);
  g_clear_pointer (&self->keys_error, g_free);
  if (!_cachet_composer_get_encrypt (self))
    self->keys = KEYS_UNKNOWN;
  else if (self->recipients == NULL)
    self->keys = KEYS_INVALID;
  else if (self->recipients[0] == NULL)
    self->keys = KEYS_NO_RECIPIENTS;
  else
    {
      self->keys = KEYS_CHECKING;
      self->keys_source = g_timeout_add (self->keys_delay_ms, look_up_keys_cb, self);
    }
  _cachet_composer_update_privacy (self);
}

static void
recipients_changed_cb (GtkEntry       *entry,
                       CachetComposer *self)
{
  g_auto(GStrv) before = g_steal_pointer (&self->recipients);

  self->recipients = parse_recipients (self);
  if (before != NULL && self->recipients != NULL
      && g_strv_equal ((const char * const *) before, (const char * const *) self->recipients))
    return;
  /* Until the user says otherwise, Encrypt follows who the message is to. */
  if (!self->encrypt_user_set)
    set_action_state (self, "encrypt",
                      self->recipients != NULL
                      && cachet_encrypt_memory_contains_all (memory (self),
                                                             (const char * const *) self->recipients));
  recheck_keys (self);
}

/* Actions ---------------------------------------------------------------------------------- */

/* A copy already in Drafts was written for the other state: write it again. */
static void
toggled (CachetComposer *self)
{
  if (self->saver != NULL && cachet_draft_saver_get_draft_id (self->saver) != 0)
    _cachet_composer_changed (self);
}

static void
encrypt_change_state_cb (GSimpleAction *action,
                         GVariant      *state,
                         gpointer       user_data)
{
  CachetComposer *self = user_data;

  gboolean before = _cachet_composer_get_encrypt (self);

  self->encrypt_user_set = TRUE;
  g_simple_action_set_state (action, state);
  recheck_keys (self);
  if (before != g_variant_get_boolean (state))
    toggled (self);
}

static void
sign_change_state_cb (GSimpleAction *action,
                      GVariant      *state,
                      gpointer       user_data)
{
  gboolean before = _cachet_composer_get_sign (user_data);

  g_simple_action_set_state (action, state);
  if (before != g_variant_get_boolean (state))
    toggled (user_data);
}

/* Sending ---------------------------------------------------------------------------------- */

gboolean
_cachet_composer_crypto_can_send (CachetComposer *self)
{
  gboolean encrypt = _cachet_composer_get_encrypt (self);
  g_autofree char *text = NULL;
  gboolean loading;

  if (!encrypt && !_cachet_composer_get_sign (self))
    return TRUE;
  if (registry (self, &loading) == NULL && loading)
    text = g_strdup (_("The encryption plugins are still loading. Try again in a moment."));
  else if (registry (self, NULL) == NULL)
    text = g_strdup (encrypt ? _("The message cannot be encrypted: no encryption plugin is "
                                 "loaded. Turn Encrypt off to send it unencrypted.")
                             : _("The message cannot be signed: no encryption plugin is "
                                 "loaded. Turn Sign off to send it unsigned."));
  else if (encrypt && self->keys == KEYS_MISSING)
    {
      g_autofree char *who = join_addresses ((const char * const *) self->missing);

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "The message was not sent: there is no key to "
                                           "encrypt to %s. Import their key, or turn Encrypt "
                                           "off to send it unencrypted.",
                                           "The message was not sent: there are no keys to "
                                           "encrypt to %s. Import their keys, or turn Encrypt "
                                           "off to send it unencrypted.",
                                           g_strv_length (self->missing)), who);
    }
  if (text == NULL)
    return TRUE;
  _cachet_composer_show_error (self, text);
  return FALSE;
}

void
_cachet_composer_crypto_push (CachetComposer *self)
{
  cachet_draft_saver_set_crypto (self->saver, registry (self, NULL), sender_address (self),
                                 _cachet_composer_get_encrypt (self),
                                 _cachet_composer_get_sign (self));
}

typedef struct
{
  CachetCryptoRegistry   *registry;
  GApplication           *app;        /* keeps the registry */
  GBytes                 *message;
  GStrv                   recipients;
  char                   *sender;
  gboolean                encrypt;
  gboolean                sign;
  CachetPassphrasePrompt *prompt;
} SealJob;

static void
seal_job_free (gpointer data)
{
  SealJob *job = data;

  g_clear_pointer (&job->message, g_bytes_unref);
  g_clear_object (&job->app);
  g_strfreev (job->recipients);
  g_free (job->sender);
  g_clear_pointer (&job->prompt, cachet_passphrase_prompt_free);
  g_free (job);
}

static void
seal_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SealJob *job = task_data;
  CachetCryptoSealOptions options = {
    .encrypt = job->encrypt,
    .sign = job->sign,
    .protocol = PROTOCOL,
    .recipients = (const char * const *) job->recipients,
    .sender = job->sender,
    .ask_passphrase = cachet_passphrase_prompt_ask,
    .ask_passphrase_data = job->prompt,
    .cancellable = cancellable,
  };
  GError *error = NULL;
  GBytes *sealed;

  sealed = cachet_crypto_seal (job->registry, job->message, &options, &error);
  if (sealed == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, sealed, (GDestroyNotify) g_bytes_unref);
}

void
_cachet_composer_seal_async (CachetComposer      *self,
                             GBytes              *message,
                             const char * const  *recipients,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, callback, user_data);
  gboolean encrypt = _cachet_composer_get_encrypt (self);
  gboolean sign = _cachet_composer_get_sign (self);
  SealJob *job;

  g_task_set_source_tag (task, _cachet_composer_seal_async);
  if (!encrypt && !sign)
    {
      g_task_return_pointer (task, g_bytes_ref (message), (GDestroyNotify) g_bytes_unref);
      return;
    }
  if (registry (self, NULL) == NULL)
    {
      g_task_return_new_error (task, CACHET_CRYPTO_MIME_ERROR,
                               CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN,
                               _("No encryption plugin is loaded."));
      return;
    }
  job = g_new0 (SealJob, 1);
  job->registry = registry (self, NULL);
  job->app = hold_application ();
  job->message = g_bytes_ref (message);
  job->recipients = g_strdupv ((char **) recipients);
  job->sender = g_strdup (sender_address (self));
  job->encrypt = encrypt;
  job->sign = sign;
  job->prompt = cachet_passphrase_prompt_new (GTK_WINDOW (self), self->cancellable);
  g_task_set_task_data (task, job, seal_job_free);
  g_task_run_in_thread (task, seal_worker);
}

GBytes *
_cachet_composer_seal_finish (CachetComposer  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  CachetEncryptMemory *memory;
  GStrv                recipients;
  gboolean             remember;
} RememberJob;

static void
remember_job_free (gpointer data)
{
  RememberJob *job = data;

  cachet_encrypt_memory_unref (job->memory);
  g_strfreev (job->recipients);
  g_free (job);
}

/* The file is synced to disk: not on the main thread. */
static void
remember_worker (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  RememberJob *job = task_data;
  const char * const *recipients = (const char * const *) job->recipients;
  g_autoptr(GError) error = NULL;
  gboolean done;

  if (job->remember)
    done = cachet_encrypt_memory_remember (job->memory, recipients, &error);
  else
    done = cachet_encrypt_memory_forget (job->memory, recipients, &error);
  if (!done)
    g_message ("%s", error->message);
  g_task_return_boolean (task, done);
}

void
_cachet_composer_crypto_sent (CachetComposer     *self,
                              const char * const *recipients)
{
  CachetEncryptMemory *people = memory (self);
  gboolean encrypt = _cachet_composer_get_encrypt (self);
  g_autoptr(GTask) task = NULL;
  RememberJob *job;

  /* Sent encrypted: remember them.  Sent in the clear although all were remembered, with
   * Encrypt turned off by hand: the user changed their mind about them. */
  if (!encrypt && !(self->encrypt_user_set
                    && cachet_encrypt_memory_contains_all (people, recipients)))
    return;
  job = g_new0 (RememberJob, 1);
  job->memory = cachet_encrypt_memory_ref (people);
  job->recipients = g_strdupv ((char **) recipients);
  job->remember = encrypt;
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, _cachet_composer_crypto_sent);
  g_task_set_task_data (task, job, remember_job_free);
  g_task_run_in_thread (task, remember_worker);
}

/* Life ------------------------------------------------------------------------------------- */

void
_cachet_composer_crypto_init (CachetComposer *self)
{
  const GActionEntry entries[] = {
    { "encrypt", NULL, NULL, "false", encrypt_change_state_cb, { 0 } },
    { "sign", NULL, NULL, "false", sign_change_state_cb, { 0 } },
  };

  self->keys_delay_ms = 400;
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  g_signal_connect (self->to_entry, "changed", G_CALLBACK (recipients_changed_cb), self);
  g_signal_connect (self->cc_entry, "changed", G_CALLBACK (recipients_changed_cb), self);
  g_signal_connect (self->bcc_entry, "changed", G_CALLBACK (recipients_changed_cb), self);
}

void
_cachet_composer_crypto_dispose (CachetComposer *self)
{
  cancel_look_up (self);
  g_clear_pointer (&self->memory, cachet_encrypt_memory_unref);
  g_clear_pointer (&self->recipients, g_strfreev);
  g_clear_pointer (&self->missing, g_strfreev);
  g_clear_pointer (&self->keys_error, g_free);
  g_clear_pointer (&self->save_error, g_free);
}

/* Public API ------------------------------------------------------------------------------- */

void
cachet_composer_set_crypto_registry (CachetComposer       *self,
                                     CachetCryptoRegistry *plugins)
{
  g_return_if_fail (CACHET_IS_COMPOSER (self));
  self->registry = plugins;
  self->registry_set = TRUE;
  recheck_keys (self);
}

void
cachet_composer_set_encrypt_memory (CachetComposer      *self,
                                    CachetEncryptMemory *people)
{
  g_return_if_fail (CACHET_IS_COMPOSER (self));
  g_clear_pointer (&self->memory, cachet_encrypt_memory_unref);
  self->memory = people != NULL ? cachet_encrypt_memory_ref (people) : NULL;
  /* Opened with recipients already (a reply): they may be remembered in this one. */
  g_clear_pointer (&self->recipients, g_strfreev);
  recipients_changed_cb (self->to_entry, self);
}

gboolean
cachet_composer_get_encrypt (CachetComposer *self)
{
  g_return_val_if_fail (CACHET_IS_COMPOSER (self), FALSE);
  return _cachet_composer_get_encrypt (self);
}

void
cachet_composer_set_encrypt (CachetComposer *self,
                             gboolean        encrypt)
{
  g_return_if_fail (CACHET_IS_COMPOSER (self));
  g_action_group_change_action_state (G_ACTION_GROUP (self), "encrypt",
                                      g_variant_new_boolean (encrypt));
}

gboolean
cachet_composer_get_sign (CachetComposer *self)
{
  g_return_val_if_fail (CACHET_IS_COMPOSER (self), FALSE);
  return _cachet_composer_get_sign (self);
}

gboolean
cachet_composer_is_checking_keys (CachetComposer *self)
{
  g_return_val_if_fail (CACHET_IS_COMPOSER (self), FALSE);
  return self->keys_source != 0 || self->keys_cancellable != NULL;
}
