/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-secrets"

#include "config.h"

#include "cachet-secrets.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "cachet-secrets-private.h"

/* Keyring access through libsecret's asynchronous API.  Each call gets a cancellable of its
 * own, cancelled by the caller's cancellable or by a timeout: a keyring that waits for an
 * unlock prompt nobody can see (a locked keyring, a display without a desktop) would
 * otherwise keep the call waiting forever.  The _sync forms run the same code in a private
 * main context, so they work in threads without a main loop and never wait on the
 * default one.  Passwords travel in libsecret's non-pageable memory, which is wiped when
 * freed; they never go into a GError, a log line or a label. */

const SecretSchema *
_cachet_secrets_get_schema (void)
{
  static const SecretSchema schema = {
    "org.cachet.Cachet.Password", SECRET_SCHEMA_NONE,
    {
      { "account-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "protocol", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

gboolean
_cachet_secret_key_is_valid (const CachetSecretKey *key)
{
  return key != NULL
         && key->account_id != NULL && key->account_id[0] != '\0'
         && key->protocol != NULL && key->protocol[0] != '\0'
         && key->host != NULL && key->host[0] != '\0'
         && key->user != NULL && key->user[0] != '\0';
}

static GHashTable *
key_attributes (const CachetSecretKey *key)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, (gpointer) "account-id", g_strdup (key->account_id));
  g_hash_table_insert (attributes, (gpointer) "protocol", g_strdup (key->protocol));
  g_hash_table_insert (attributes, (gpointer) "host", g_strdup (key->host));
  g_hash_table_insert (attributes, (gpointer) "user", g_strdup (key->user));
  return attributes;
}

/* One keyring operation --------------------------------------------------------------------- *
 *
 * The GTask has one reference for the call in flight (GDBus, then libsecret), dropped when
 * that call reports back.  The result can be returned earlier: when the timeout fires or
 * the caller cancels, the task returns at once, because libsecret does not always finish
 * after a cancel (a cancelled unlock prompt waits for the prompter to answer, and a
 * prompter on a display nobody sees never does).  The late answer is then dropped. */

typedef enum
{
  OP_LOOKUP,
  OP_STORE,
  OP_CLEAR,
} OpKind;

typedef struct
{
  OpKind        kind;
  GTask        *task;         /* not a reference */
  GHashTable   *attributes;
  char         *account_id;
  char         *protocol_key; /* as given ("pop3") */
  char         *user;         /* also for messages */
  char         *host;
  char         *protocol;
  SecretValue  *value;        /* OP_STORE: the password, in non-pageable memory */
  guint         timeout_ms;
  GCancellable *cancellable;  /* ours: cancelled on timeout or by the caller's */
  GSource      *timeout;
  GSource      *caller_source;
  gboolean      caller_cancelled;
  gboolean      timed_out;
  gboolean      returned;
} Op;

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
op_free (Op *op)
{
  destroy_source (&op->timeout);
  destroy_source (&op->caller_source);
  g_clear_object (&op->cancellable);
  g_clear_pointer (&op->attributes, g_hash_table_unref);
  g_clear_pointer (&op->value, secret_value_unref);
  g_free (op->account_id);
  g_free (op->protocol_key);
  g_free (op->user);
  g_free (op->host);
  g_free (op->protocol);
  g_free (op);
}

/* Returns the task's result once; later attempts (a late answer) are ignored. */
static gboolean
op_claim (Op *op)
{
  if (op->returned)
    return FALSE;
  op->returned = TRUE;
  destroy_source (&op->timeout);
  destroy_source (&op->caller_source);
  return TRUE;
}

static gboolean
timeout_cb (gpointer data)
{
  Op *op = data;
  guint seconds = (op->timeout_ms + 999) / 1000;

  g_clear_pointer (&op->timeout, g_source_unref);
  op->timed_out = TRUE;
  g_cancellable_cancel (op->cancellable);
  if (op_claim (op))
    g_task_return_new_error (op->task, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_TIMEOUT,
                             ngettext ("The keyring did not answer within %u second. It may "
                                       "be locked and waiting for a password nobody can "
                                       "type here.",
                                       "The keyring did not answer within %u seconds. It may "
                                       "be locked and waiting for a password nobody can "
                                       "type here.",
                                       seconds), seconds);
  return G_SOURCE_REMOVE;
}

static gboolean
caller_cancelled_cb (GCancellable *caller,
                     gpointer      data)
{
  Op *op = data;

  g_clear_pointer (&op->caller_source, g_source_unref);
  op->caller_cancelled = TRUE;
  g_cancellable_cancel (op->cancellable);
  if (op_claim (op))
    g_task_return_new_error (op->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
  return G_SOURCE_REMOVE;
}

/* Turns what libsecret or GDBus said into one of our codes with a sentence for the user. */
static GError *
map_error (const GError *error)
{
  g_debug ("keyring error: %s %d: %s", g_quark_to_string (error->domain), error->code,
           error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD))
    /* Cancelled without our doing: the unlock prompt was dismissed.  An unknown object:
     * gnome-keyring has no unlocked default keyring and could not ask for one. */
    return g_error_new_literal (CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_LOCKED,
                                _("The keyring is locked and could not be unlocked. Unlock "
                                  "it (for example by logging in to the desktop again) and "
                                  "try again."));
  if (error->domain == G_DBUS_ERROR
      && (error->code == G_DBUS_ERROR_SERVICE_UNKNOWN
          || error->code == G_DBUS_ERROR_NAME_HAS_NO_OWNER
          || error->code == G_DBUS_ERROR_SPAWN_EXEC_FAILED
          || error->code == G_DBUS_ERROR_SPAWN_CHILD_EXITED
          || error->code == G_DBUS_ERROR_SPAWN_CHILD_SIGNALED
          || error->code == G_DBUS_ERROR_SPAWN_FAILED
          || error->code == G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND
          || error->code == G_DBUS_ERROR_SPAWN_SERVICE_INVALID
          || error->code == G_DBUS_ERROR_NO_SERVER
          || error->code == G_DBUS_ERROR_DISCONNECTED
          || error->code == G_DBUS_ERROR_NO_REPLY
          || error->code == G_DBUS_ERROR_TIMEOUT))
    return g_error_new_literal (CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NO_SERVICE,
                                _("No keyring (Secret Service) is running in this desktop "
                                  "session, so passwords cannot be kept safely. Install or "
                                  "start GNOME Keyring or KWallet."));
  return g_error_new (CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_FAILED,
                      _("The keyring failed: %s"), error->message);
}

/* The call in flight reported back: return its outcome unless the task returned already,
 * then drop the call's reference. */
static void
op_done (GTask    *task,
         GError   *error,
         char     *password,
         gboolean  missing)
{
  Op *op = g_task_get_task_data (task);

  if (!op_claim (op))
    {
      cachet_secrets_password_free (password);
      g_clear_error (&error);
    }
  else if (error != NULL)
    {
      g_task_return_error (task, map_error (error));
      g_error_free (error);
    }
  else if (missing)
    g_task_return_new_error (task, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NOT_FOUND,
                             _("No password for %s on %s is stored in the keyring."),
                             op->user, op->host);
  else if (op->kind == OP_LOOKUP)
    g_task_return_pointer (task, password, (GDestroyNotify) cachet_secrets_password_free);
  else
    {
      if (op->kind == OP_STORE)
        {
          /* The keyring has it now; an older copy for this session would hide it. */
          CachetSecretKey key = { op->account_id, op->protocol_key, op->host, op->user };

          _cachet_secrets_session_forget (&key);
        }
      g_task_return_boolean (task, TRUE);
    }
  g_object_unref (task);
}

static void
search_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  GError *error = NULL;
  GList *found = secret_password_search_finish (result, &error);

  if (found != NULL)
    /* There is one, but the lookup could not unlock it (no prompt could be shown, or it
     * was dismissed). */
    error = g_error_new_literal (SECRET_ERROR, SECRET_ERROR_IS_LOCKED, "locked");
  g_list_free_full (found, g_object_unref);
  op_done (data, error, NULL, error == NULL && ((Op *) g_task_get_task_data (data))->kind
                                               == OP_LOOKUP);
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  GTask *task = data;
  Op *op = g_task_get_task_data (task);
  GError *error = NULL;
  char *password = secret_password_lookup_nonpageable_finish (result, &error);

  if (error == NULL && password == NULL && !op->returned)
    {
      /* Not found, or found locked: libsecret's lookup does not tell them apart. */
      secret_password_searchv (_cachet_secrets_get_schema (), op->attributes,
                               SECRET_SEARCH_NONE, op->cancellable, search_cb, task);
      return;
    }
  op_done (task, error, password, FALSE);
}

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  GError *error = NULL;

  secret_password_store_finish (result, &error);
  op_done (data, error, NULL, FALSE);
}

static void
clear_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  GTask *task = data;
  Op *op = g_task_get_task_data (task);
  GError *error = NULL;

  /* FALSE without an error: nothing was removed, which is fine when there was nothing;
   * but a locked keyring that could not be unlocked says the same. */
  if (!secret_password_clear_finish (result, &error) && error == NULL && !op->returned)
    {
      secret_password_searchv (_cachet_secrets_get_schema (), op->attributes,
                               SECRET_SEARCH_NONE, op->cancellable, search_cb, task);
      return;
    }
  op_done (task, error, NULL, FALSE);
}

static void
bus_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      data)
{
  GTask *task = data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GDBusConnection) bus = NULL;
  GError *error = NULL;

  bus = g_bus_get_finish (result, &error);
  if (bus == NULL)
    {
      g_debug ("no session bus: %s", error->message);
      g_clear_error (&error);
      if (op_claim (op))
        g_task_return_new_error (task, CACHET_SECRETS_ERROR, CACHET_SECRETS_ERROR_NO_SERVICE,
                                 _("There is no desktop session bus, so the keyring cannot be "
                                   "reached and passwords cannot be kept safely."));
      g_object_unref (task);
      return;
    }
  if (op->returned)
    {
      g_object_unref (task);
      return;
    }

  switch (op->kind)
    {
    case OP_LOOKUP:
      secret_password_lookupv (_cachet_secrets_get_schema (), op->attributes,
                               op->cancellable, lookup_cb, task);
      break;
    case OP_STORE:
      {
        g_autofree char *label =
          /* TRANSLATORS: the name of a password in the keyring (Seahorse shows it):
           * "Cachet: alice@example.org on pop.example.org (POP3)" */
          g_strdup_printf (_("Cachet: %s on %s (%s)"), op->user, op->host, op->protocol);

        secret_password_storev (_cachet_secrets_get_schema (), op->attributes,
                                SECRET_COLLECTION_DEFAULT, label,
                                secret_value_get_text (op->value),
                                op->cancellable, store_cb, task);
        /* libsecret took its own copy: ours is wiped now, not whenever a call that timed
         * out comes back. */
        g_clear_pointer (&op->value, secret_value_unref);
      }
      break;
    case OP_CLEAR:
      secret_password_clearv (_cachet_secrets_get_schema (), op->attributes,
                              op->cancellable, clear_cb, task);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Starts an operation: connects to the session bus first (no bus is NO_SERVICE), then
 * bus_cb() calls libsecret. */
static void
op_start (OpKind                 kind,
          const CachetSecretKey *key,
          const char            *password,
          guint                  timeout_ms,
          GCancellable          *cancellable,
          GAsyncReadyCallback    callback,
          gpointer               user_data,
          gpointer               source_tag)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);

  g_task_set_source_tag (task, source_tag);
  /* Cancellation is reported by caller_cancelled_cb(), in this context. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  op->kind = kind;
  op->task = task;
  op->attributes = key_attributes (key);
  op->account_id = g_strdup (key->account_id);
  op->protocol_key = g_strdup (key->protocol);
  op->user = g_strdup (key->user);
  op->host = g_strdup (key->host);
  op->protocol = g_ascii_strup (key->protocol, -1);
  if (password != NULL)
    op->value = secret_value_new (password, -1, "text/plain");
  op->timeout_ms = timeout_ms > 0 ? timeout_ms : CACHET_SECRETS_DEFAULT_TIMEOUT_MS;
  op->cancellable = g_cancellable_new ();

  op->timeout = g_timeout_source_new (op->timeout_ms);
  g_source_set_callback (op->timeout, timeout_cb, op, NULL);
  g_source_set_static_name (op->timeout, "[cachet] keyring timeout");
  g_source_attach (op->timeout, g_task_get_context (task));
  if (cancellable != NULL)
    {
      op->caller_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (op->caller_source, G_SOURCE_FUNC (caller_cancelled_cb), op, NULL);
      g_source_attach (op->caller_source, g_task_get_context (task));
    }

  /* The task's own reference goes to the call in flight. */
  g_bus_get (G_BUS_TYPE_SESSION, op->cancellable, bus_cb, task);
}

/* Public API --------------------------------------------------------------------------------- */

void
cachet_secrets_lookup_async (const CachetSecretKey *key,
                             guint                  timeout_ms,
                             GCancellable          *cancellable,
                             GAsyncReadyCallback    callback,
                             gpointer               user_data)
{
  char *remembered;

  g_return_if_fail (_cachet_secret_key_is_valid (key));

  remembered = _cachet_secrets_session_lookup (key);
  if (remembered != NULL)
    {
      GTask *task = g_task_new (NULL, cancellable, callback, user_data);

      g_task_set_source_tag (task, cachet_secrets_lookup_async);
      g_task_return_pointer (task, remembered, (GDestroyNotify) cachet_secrets_password_free);
      g_object_unref (task);
      return;
    }
  op_start (OP_LOOKUP, key, NULL, timeout_ms, cancellable, callback, user_data,
            cachet_secrets_lookup_async);
}

char *
cachet_secrets_lookup_finish (GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cachet_secrets_lookup_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cachet_secrets_store_async (const CachetSecretKey *key,
                            const char            *password,
                            guint                  timeout_ms,
                            GCancellable          *cancellable,
                            GAsyncReadyCallback    callback,
                            gpointer               user_data)
{
  g_return_if_fail (_cachet_secret_key_is_valid (key));
  g_return_if_fail (password != NULL);

  op_start (OP_STORE, key, password, timeout_ms, cancellable, callback, user_data,
            cachet_secrets_store_async);
}

gboolean
cachet_secrets_store_finish (GAsyncResult *result,
                             GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cachet_secrets_store_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cachet_secrets_clear_async (const CachetSecretKey *key,
                            guint                  timeout_ms,
                            GCancellable          *cancellable,
                            GAsyncReadyCallback    callback,
                            gpointer               user_data)
{
  g_return_if_fail (_cachet_secret_key_is_valid (key));

  _cachet_secrets_session_forget (key);
  op_start (OP_CLEAR, key, NULL, timeout_ms, cancellable, callback, user_data,
            cachet_secrets_clear_async);
}

gboolean
cachet_secrets_clear_finish (GAsyncResult *result,
                             GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cachet_secrets_clear_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Synchronous forms: the asynchronous call in a private main context, iterated until it
 * is done.  Nothing is dispatched on the caller's (or the default) context meanwhile. */

typedef struct
{
  GMainContext *context;
  GAsyncResult *result;
} Sync;

static void
sync_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Sync *sync = data;

  sync->result = g_object_ref (result);
  g_main_context_wakeup (sync->context);
}

static void
sync_begin (Sync *sync)
{
  sync->context = g_main_context_new ();
  sync->result = NULL;
  g_main_context_push_thread_default (sync->context);
}

static void
sync_wait_and_end (Sync *sync)
{
  while (sync->result == NULL)
    g_main_context_iteration (sync->context, TRUE);
  /* Whatever the finished call left behind (cancelled sources) goes with the context. */
  while (g_main_context_iteration (sync->context, FALSE))
    ;
  g_main_context_pop_thread_default (sync->context);
  g_main_context_unref (sync->context);
}

char *
cachet_secrets_lookup_sync (const CachetSecretKey *key,
                            guint                  timeout_ms,
                            GCancellable          *cancellable,
                            GError               **error)
{
  Sync sync;
  char *password;

  g_return_val_if_fail (_cachet_secret_key_is_valid (key), NULL);

  sync_begin (&sync);
  cachet_secrets_lookup_async (key, timeout_ms, cancellable, sync_cb, &sync);
  sync_wait_and_end (&sync);
  password = cachet_secrets_lookup_finish (sync.result, error);
  g_object_unref (sync.result);
  return password;
}

gboolean
cachet_secrets_store_sync (const CachetSecretKey *key,
                           const char            *password,
                           guint                  timeout_ms,
                           GCancellable          *cancellable,
                           GError               **error)
{
  Sync sync;
  gboolean ok;

  g_return_val_if_fail (_cachet_secret_key_is_valid (key), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  sync_begin (&sync);
  cachet_secrets_store_async (key, password, timeout_ms, cancellable, sync_cb, &sync);
  sync_wait_and_end (&sync);
  ok = cachet_secrets_store_finish (sync.result, error);
  g_object_unref (sync.result);
  return ok;
}

gboolean
cachet_secrets_clear_sync (const CachetSecretKey *key,
                           guint                  timeout_ms,
                           GCancellable          *cancellable,
                           GError               **error)
{
  Sync sync;
  gboolean ok;

  g_return_val_if_fail (_cachet_secret_key_is_valid (key), FALSE);

  sync_begin (&sync);
  cachet_secrets_clear_async (key, timeout_ms, cancellable, sync_cb, &sync);
  sync_wait_and_end (&sync);
  ok = cachet_secrets_clear_finish (sync.result, error);
  g_object_unref (sync.result);
  return ok;
}

void
cachet_secrets_password_free (char *password)
{
  if (password != NULL)
    secret_password_free (password);   /* wipes, then frees the non-pageable memory */
}
