/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cachet-crypto-mime.h"
#include "cachet-crypto-registry.h"
#include "cachet-draft.h"
#include "cachet-fetcher.h"
#include "cachet-message.h"
#include "cachet-part.h"
#include "cachet-sender.h"
#include "send-test-util.h"
#include "store-test-util.h"

/* Sealed mail end to end against the real Postfix and Dovecot of tests/servers:
 * composed with CachetDraft, sealed by the host's MIME layer with the built
 * OpenPGP plugin (installed into this test's own user plugin directory and
 * enabled by "ID=SHA256", as a user does), sent through the outbox over
 * submission, fetched back over POP3 and opened: decrypted, a good signature,
 * the attachment byte for byte; the Sent copy readable with the sender's own
 * key; a byte changed in a delivered signed message makes the signature bad.
 * Keys live in a throwaway GNUPGHOME made by gpg-home.sh. */

#define ALICE_PASSPHRASE "alice-passphrase"
#define PLUGIN_ID "org.cachet.OpenPGP"

static CachetTestServers *servers;
static char *plugin;
static char *gpg_home_sh;
static char *gnupghome;

typedef struct
{
  char              *data_dir;
  CachetStore       *store;
  CachetAccountList *accounts;
  CachetSender      *sender;
  CachetCryptoRegistry *registry;
  guint              n_asked;
} Fixture;

static CachetCryptoRegistry *install_plugin (const char *path);

static const CachetTestUser *
user (const char *name)
{
  const CachetTestUser *u = cachet_test_servers_get_user (servers, name);
  g_assert_nonnull (u);
  return u;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->data_dir = store_test_new_data_dir ();
  f->store = store_test_open (f->data_dir);
  f->accounts = cachet_account_list_new (NULL);
  /* This test's own $XDG_DATA_HOME (the directories are isolated per test). */
  if (servers != NULL)
    f->registry = install_plugin (plugin);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->sender != NULL)
    {
      send_test_wait_idle (f->sender);
      g_clear_object (&f->sender);
    }
  g_clear_object (&f->accounts);
  g_clear_pointer (&f->registry, cachet_crypto_registry_free);
  store_test_close (f->store);
  g_free (f->data_dir);
}

static gboolean
skip_without_servers (void)
{
  if (servers != NULL)
    return FALSE;
  g_test_skip ("the test mail servers are not running");
  return TRUE;
}

/* The host's passphrase prompt, answered with alice's passphrase once. */
static char *
ask_passphrase (const char *key_hint,
                const char *description,
                gboolean    again,
                gpointer    user_data)
{
  Fixture *f = user_data;

  f->n_asked++;
  if (again)
    return NULL;
  return g_strdup (ALICE_PASSPHRASE);
}

static GBytes *
store_file (CachetStore *store,
            gint64       id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = cachet_store_dup_message_path (store, id, &error);
  char *contents = NULL;
  gsize len = 0;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_bytes_new_take (contents, len);
}

typedef struct
{
  gboolean           done;
  CachetFetchResult *result;
  GError            *error;
} FetchWait;

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  FetchWait *w = data;

  w->result = cachet_fetcher_fetch_finish (CACHET_FETCHER (source), result, &w->error);
  w->done = TRUE;
}

/* Fetches ACCOUNT's mailbox from Dovecot into the store's Inbox. */
static void
fetch (CachetStore   *store,
       CachetAccount *account)
{
  g_autoptr(CachetFetcher) fetcher = cachet_fetcher_new (store);
  FetchWait w = { FALSE, NULL, NULL };

  cachet_fetcher_set_timeouts (fetcher, 5000, 20);
  cachet_fetcher_fetch_async (fetcher, account, NULL, NULL, NULL, NULL, fetched_cb, &w);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (w.error);
  cachet_fetch_result_free (w.result);
}

/* The Inbox message whose Message-ID is MESSAGE_ID. */
static GBytes *
inbox_message (CachetStore *store,
               const char  *message_id)
{
  g_autoptr(CachetMessageList) list =
    store_test_list (store, store_test_folder_id (store, "Inbox"));

  for (guint i = 0; i < list->ids->len; i++)
    {
      GBytes *b = store_file (store, g_array_index (list->ids, gint64, i));
      g_autoptr(CachetMessage) m = cachet_message_new_from_bytes (b);

      if (g_strcmp0 (cachet_message_get_message_id (m), message_id) == 0)
        return b;
      g_bytes_unref (b);
    }
  return NULL;
}

/* The delivered file in a server user's Maildir with MESSAGE_ID. */
static GBytes *
delivered_message (const char *name,
                   const char *message_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = cachet_test_servers_read_mailbox (servers, name, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      GBytes *b = g_ptr_array_index (all, i);
      g_autoptr(CachetMessage) m = cachet_message_new_from_bytes (b);

      if (g_strcmp0 (cachet_message_get_message_id (m), message_id) == 0)
        return g_bytes_ref (b);
    }
  return NULL;
}

static CachetCryptoOpened *
open_message (Fixture *f,
              GBytes  *message,
              gboolean with_passphrase)
{
  CachetCryptoOpenOptions options = { NULL, NULL, NULL };
  g_autoptr(GError) error = NULL;
  CachetCryptoOpened *opened;

  if (with_passphrase)
    {
      options.ask_passphrase = ask_passphrase;
      options.ask_passphrase_data = f;
    }
  opened = cachet_crypto_open (f->registry, message, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (opened);
  return opened;
}

/* The decoded bytes of the attachment called FILENAME in MESSAGE, or NULL. */
static GBytes *
attachment (GBytes     *message,
            const char *filename)
{
  g_autoptr(CachetMessage) m = cachet_message_new_from_bytes (message);
  GPtrArray *parts = cachet_message_get_attachments (m);

  for (guint i = 0; i < parts->len; i++)
    {
      CachetPart *part = g_ptr_array_index (parts, i);

      if (g_strcmp0 (cachet_part_get_filename (part), filename) == 0)
        return cachet_part_get_decoded (part);
    }
  return NULL;
}

static char *
text_of (GBytes *message)
{
  return g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message));
}

static char *
alice_fingerprint (void)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "gpg", "--batch", "--with-colons", "--list-keys",
                         "alice@example.test", NULL };
  const char *fpr;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, NULL, &error);
  g_assert_no_error (error);
  fpr = strstr (out, "\nfpr:::::::::");
  g_assert_nonnull (fpr);
  return g_strndup (fpr + strlen ("\nfpr:::::::::"), 40);
}

/* Composes alice -> bob, seals it, queues it through the outbox and waits
 * until Postfix has delivered it.  Returns the sealed bytes; the outbox id
 * in ID, the Message-ID in MESSAGE_ID. */
static GBytes *
compose_seal_send (Fixture     *f,
                   gboolean     encrypt,
                   GBytes      *file,
                   gint64      *id,
                   char       **message_id)
{
  g_autoptr(CachetDraft) draft = cachet_draft_new ();
  g_autoptr(GBytes) built = NULL;
  g_autoptr(CachetMessage) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envelope = NULL;
  g_autofree char *to = g_strdup_printf ("Bob Tester <%s>", user ("bob")->login);
  CachetCryptoSealOptions options = { 0 };
  GBytes *sealed;

  g_autoptr(CachetAccount) alice =
    send_test_account (servers, f->accounts, "alice-e2e", "alice", servers->submission_port,
                       CACHET_SECURITY_STARTTLS, CACHET_AUTH_AUTO, NULL);

  cachet_draft_set_account_id (draft, "alice-e2e");
  cachet_draft_set_from (draft, "Alice Tester", user ("alice")->login);
  cachet_draft_set_to (draft, to);
  cachet_draft_set_subject (draft, encrypt ? "Sealed report" : "Signed report");
  cachet_draft_set_body (draft, "Hallo Bob,\n\nanbei der Bericht. Gr\xc3\xbc\xc3\x9f" "e!\n"
                                ".\nFrom the desk of Alice\n\n-- \nAlice\n");
  cachet_draft_add_data (draft, "Bericht M\xc3\xa4rz.bin", "application/octet-stream", file);
  built = cachet_draft_build (draft, CACHET_DRAFT_BUILD_SEND, &error);
  g_assert_no_error (error);
  envelope = cachet_draft_get_envelope_recipients (draft, &error);
  g_assert_no_error (error);

  options.encrypt = encrypt;
  options.sign = TRUE;
  options.recipients = (const char *const *) envelope;
  options.sender = user ("alice")->login;
  options.ask_passphrase = ask_passphrase;
  options.ask_passphrase_data = f;
  sealed = cachet_crypto_seal (f->registry, built, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sealed);
  g_assert_cmpuint (f->n_asked, >=, 1);   /* alice's key has a passphrase */

  parsed = cachet_message_new_from_bytes (sealed);
  *message_id = g_strdup (cachet_message_get_message_id (parsed));
  g_assert_nonnull (*message_id);

  f->sender = cachet_sender_new (f->store, f->accounts);
  cachet_sender_set_timeouts (f->sender, 5000, 20);
  send_test_wait_idle (f->sender);
  *id = send_test_queue (f->sender, "alice-e2e", sealed, (const char *const *) envelope);
  send_test_wait_idle (f->sender);
  g_assert_null (send_test_record (f->store, *id));
  send_test_wait_queue_empty (servers);
  return sealed;
}

static GBytes *
random_file (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_random_int_range (0, 256);
  return g_bytes_new_take (data, size);
}

static void
test_encrypted_signed (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) in_sent = NULL;
  g_autoptr(GBytes) fetched = NULL;
  g_autoptr(GBytes) got = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;
  g_autoptr(CachetCryptoOpened) sent_opened = NULL;
  g_autoptr(CachetCryptoOpened) sent_locked = NULL;
  g_autoptr(CachetCryptoVerdict) verdict = NULL;
  g_autoptr(CachetAccount) bob = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *text = NULL;
  g_autofree char *fpr = NULL;
  g_autofree char *why = NULL;
  const CachetCryptoSignatureResult *sig;
  gint64 id;

  if (skip_without_servers ())
    return;
  file = random_file (48 * 1024);
  sealed = compose_seal_send (f, TRUE, file, &id, &message_id);

  /* Nothing of the text or the attachment's name travels in the clear. */
  text = text_of (sealed);
  g_assert_nonnull (strstr (text, "multipart/encrypted"));
  g_assert_null (strstr (text, "From the desk of Alice"));
  g_assert_null (strstr (text, "Bericht"));

  /* The Sent copy is what went out. */
  in_sent = store_file (f->store, id);
  g_assert_true (g_bytes_equal (in_sent, sealed));

  /* Delivered by Postfix to Dovecot, fetched as bob: the same bytes below the trace. */
  bob = send_test_account (servers, NULL, "bob-e2e", "bob", servers->submission_port,
                           CACHET_SECURITY_STARTTLS, CACHET_AUTH_AUTO, NULL);
  fetch (f->store, bob);
  fetched = inbox_message (f->store, message_id);
  g_assert_nonnull (fetched);
  if (!send_test_same_below_trace (sealed, fetched, &why))
    g_error ("%s", why);

  /* Opened: decrypted, alice's good signature, the attachment byte for byte. */
  opened = open_message (f, fetched, FALSE);
  g_assert_null (opened->problem);
  g_assert_true (opened->encrypted);
  g_assert_true (opened->decrypted);
  g_assert_true (opened->is_signed);
  g_assert_cmpuint (opened->signatures->len, ==, 1);
  sig = g_ptr_array_index (opened->signatures, 0);
  g_assert_cmpint (sig->status, ==, CACHET_CRYPTO_SIG_GOOD);
  fpr = alice_fingerprint ();
  g_assert_cmpstr (sig->fingerprint, ==, fpr);
  verdict = cachet_crypto_verdict_new (opened, user ("alice")->login);
  g_assert_nonnull (verdict);
  g_assert_cmpint (verdict->level, ==, CACHET_CRYPTO_VERDICT_GOOD);
  g_test_message ("verdict: %s", verdict->title);
  g_clear_pointer (&text, g_free);
  text = text_of (opened->message);
  g_assert_nonnull (strstr (text, "Subject: Sealed report"));
  got = attachment (opened->message, "Bericht M\xc3\xa4rz.bin");
  g_assert_nonnull (got);
  g_assert_true (g_bytes_equal (got, file));

  /* The Sent copy without bob's secret key: it opens with alice's own key (her
   * passphrase), encrypt to self; without her passphrase it does not. */
  {
    g_autofree char *out = NULL;
    g_autofree char *fpr_bob = NULL;
    g_autoptr(GError) error = NULL;
    const char *list[] = { "gpg", "--batch", "--with-colons", "--list-secret-keys",
                           "bob@example.test", NULL };
    const char *p;
    int status;

    g_spawn_sync (NULL, (char **) list, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, &out, NULL, &status, &error);
    g_assert_no_error (error);
    p = strstr (out, "\nfpr:::::::::");
    g_assert_nonnull (p);
    fpr_bob = g_strndup (p + strlen ("\nfpr:::::::::"), 40);
    {
      const char *del[] = { "gpg", "--batch", "--yes", "--delete-secret-keys", fpr_bob, NULL };

      g_spawn_sync (NULL, (char **) del, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                    | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
    }
  }
  sent_locked = open_message (f, in_sent, FALSE);
  g_assert_true (sent_locked->encrypted);
  g_assert_false (sent_locked->decrypted);
  f->n_asked = 0;
  sent_opened = open_message (f, in_sent, TRUE);
  g_assert_true (sent_opened->decrypted);
  g_assert_cmpuint (f->n_asked, >=, 1);
  g_clear_pointer (&got, g_bytes_unref);
  got = attachment (sent_opened->message, "Bericht M\xc3\xa4rz.bin");
  g_assert_nonnull (got);
  g_assert_true (g_bytes_equal (got, file));
}

/* Changes one byte of the text inside the signed part of MESSAGE. */
static GBytes *
tamper (GBytes *message)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  char *copy = g_memdup2 (data, len);
  char *at = g_strstr_len (copy, (gssize) len, "From the desk of Alice");

  g_assert_nonnull (at);
  at[5] = 'T';   /* "From The desk" */
  return g_bytes_new_take (copy, len);
}

static void
test_signed_tampered (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) delivered = NULL;
  g_autoptr(GBytes) fetched = NULL;
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(GBytes) got = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;
  g_autoptr(CachetCryptoOpened) bad = NULL;
  g_autoptr(CachetCryptoVerdict) verdict = NULL;
  g_autoptr(CachetAccount) bob = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *text = NULL;
  const CachetCryptoSignatureResult *sig;
  gint64 id;

  if (skip_without_servers ())
    return;
  file = random_file (20 * 1024);
  sealed = compose_seal_send (f, FALSE, file, &id, &message_id);
  text = text_of (sealed);
  g_assert_nonnull (strstr (text, "multipart/signed"));
  g_assert_nonnull (strstr (text, "From the desk of Alice"));

  /* Fetched through Dovecot: a good signature, the attachment intact. */
  bob = send_test_account (servers, NULL, "bob-e2e-s", "bob", servers->submission_port,
                           CACHET_SECURITY_STARTTLS, CACHET_AUTH_AUTO, NULL);
  fetch (f->store, bob);
  fetched = inbox_message (f->store, message_id);
  g_assert_nonnull (fetched);
  opened = open_message (f, fetched, FALSE);
  g_assert_false (opened->encrypted);
  g_assert_true (opened->is_signed);
  g_assert_cmpuint (opened->signatures->len, ==, 1);
  sig = g_ptr_array_index (opened->signatures, 0);
  g_assert_cmpint (sig->status, ==, CACHET_CRYPTO_SIG_GOOD);
  got = attachment (opened->message, "Bericht M\xc3\xa4rz.bin");
  g_assert_nonnull (got);
  g_assert_true (g_bytes_equal (got, file));

  /* The file Dovecot delivered, one byte changed in its signed part: bad. */
  delivered = delivered_message ("bob", message_id);
  g_assert_nonnull (delivered);
  tampered = tamper (delivered);
  bad = open_message (f, tampered, FALSE);
  g_assert_true (bad->is_signed);
  g_assert_cmpuint (bad->signatures->len, ==, 1);
  sig = g_ptr_array_index (bad->signatures, 0);
  g_assert_cmpint (sig->status, ==, CACHET_CRYPTO_SIG_BAD);
  verdict = cachet_crypto_verdict_new (bad, user ("alice")->login);
  g_assert_nonnull (verdict);
  g_assert_cmpint (verdict->level, ==, CACHET_CRYPTO_VERDICT_BAD);
  g_test_message ("verdict: %s", verdict->title);
}

/* Runs gpg-home.sh with ARGS; its standard output. */
static char *
gpg_home (const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;

  g_ptr_array_add (argv, gpg_home_sh);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_strstrip (out);
}

/* Copies PLUGIN into $XDG_DATA_HOME/cachet/crypto-plugins-1 (0755 folders) and
 * loads the plugins as the app does, this one enabled by its hash. */
static CachetCryptoRegistry *
install_plugin (const char *path)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "cachet",
                                           "crypto-plugins-1", NULL);
  g_autofree char *dest = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *enabled = NULL;
  g_autoptr(GError) error = NULL;
  const char *list[2] = { NULL, NULL };
  CachetCryptoRegistry *reg;
  gsize len;

  g_assert_no_errno (g_mkdir_with_parents (dir, 0755));
  g_assert_no_errno (chmod (dir, 0755));
  {
    g_autofree char *parent = g_path_get_dirname (dir);
    g_assert_no_errno (chmod (parent, 0755));
  }
  dest = g_build_filename (dir, "openpgp.so", NULL);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (dest, contents, (gssize) len, G_FILE_SET_CONTENTS_NONE, 0644, &error);
  g_assert_no_error (error);
  g_assert_no_errno (chmod (dest, 0644));
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  enabled = g_strdup_printf ("%s=%s", PLUGIN_ID, sha256);
  list[0] = enabled;
  reg = cachet_crypto_registry_new (list);
  cachet_crypto_registry_scan_default (reg);
  if (cachet_crypto_registry_find (reg, "openpgp", 0) == NULL)
    {
      GPtrArray *entries = cachet_crypto_registry_get_entries (reg);

      for (guint i = 0; i < entries->len; i++)
        {
          CachetCryptoEntry *e = g_ptr_array_index (entries, i);
          g_printerr ("# %s: %s\n", e->path, e->reason != NULL ? e->reason : "loaded");
        }
      g_error ("the OpenPGP plugin did not load from %s", dir);
    }
  return reg;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *skip = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "plugin", 0, 0, G_OPTION_ARG_FILENAME, &plugin, "The built OpenPGP plugin", "FILE" },
    { "gpg-home", 0, 0, G_OPTION_ARG_FILENAME, &gpg_home_sh, "gpg-home.sh", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (plugin == NULL || *plugin == '\0')
    return cachet_test_skip_all ("the OpenPGP plugin is not built");
  g_assert_nonnull (gpg_home_sh);

  servers = cachet_test_servers_start (CACHET_TEST_SERVERS_SMTP, &skip, &error);
  if (skip != NULL)
    return cachet_test_skip_all (skip);
  g_assert_no_error (error);

  {
    const char *new_args[] = { "new", NULL };
    gnupghome = gpg_home (new_args);
  }
  g_setenv ("GNUPGHOME", gnupghome, TRUE);
  {
    const char *keys_args[] = { "keys", gnupghome, NULL };
    g_free (gpg_home (keys_args));
  }

  g_test_add ("/crypto/e2e/encrypted-signed-attachment", Fixture, NULL, fixture_set_up,
              test_encrypted_signed, fixture_tear_down);
  g_test_add ("/crypto/e2e/signed-tampered", Fixture, NULL, fixture_set_up,
              test_signed_tampered, fixture_tear_down);
  status = g_test_run ();

  /* The agent the keys' home started is stopped with it. */
  {
    const char *kill_args[] = { "kill", gnupghome, NULL };
    g_free (gpg_home (kill_args));
  }
  g_free (gnupghome);
  g_free (gpg_home_sh);
  g_free (plugin);
  cachet_test_servers_free (servers);
  return status;
}
