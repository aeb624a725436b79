/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-cli"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cachet-account.h"
#include "cachet-address.h"
#include "cachet-cli-private.h"
#include "cachet-header.h"
#include "cachet-net-error.h"
#include "cachet-secrets.h"
#include "cachet-sender.h"

/* cachet send [FILE.eml] [--account ACCOUNT] [--password-stdin] [--accept-certificate SHA256]
 *
 * Puts the message of FILE into the Outbox and sends it at once, with everything else that
 * is due (the window's sender does the same).  The envelope recipients are the addresses of
 * To, Cc and Bcc; the Bcc header is taken out of what is sent.  The account is the one
 * named, else the one whose address is in From, else the only one.  Without FILE it sends
 * what is waiting, at once (not the messages in doubt: they need the window's "Retry").
 * With --accept-certificate, a certificate the outgoing server presents that cannot be
 * verified is trusted for the account (pinned) when it has that fingerprint, and what
 * failed on it is sent again; never one the server did not present, nor one that replaced
 * a pinned certificate.
 * Exit status 0 when it was sent, 1 when not (the reason on standard error; the message
 * stays in the Outbox) or when the server refused some of its recipients (it went to the
 * others, and is in Sent), 2 for a usage error. */

typedef struct
{
  gboolean  queued;
  gint64    message_id;
  GError   *error;
  guint     n_sent;
  GPtrArray *notices;
} SendRun;

/* The header block of @text (LF line ends): each field with its continuation lines. */
typedef struct
{
  const char *start;   /* the field's first byte */
  gsize       len;     /* through its last LF */
  char       *name;    /* lower case */
  char       *value;   /* unfolded */
} Field;

static void
field_clear (gpointer data)
{
  Field *f = data;
  g_free (f->name);
  g_free (f->value);
}

static GArray *
header_fields (const char *text,
               gsize       len)
{
  GArray *fields = g_array_new (FALSE, TRUE, sizeof (Field));
  const char *p = text, *end = text + len;

  g_array_set_clear_func (fields, field_clear);
  while (p < end && *p != '\n')
    {
      const char *line_end = memchr (p, '\n', end - p);
      const char *colon = memchr (p, ':', (line_end ? line_end : end) - p);
      const char *q = line_end ? line_end + 1 : end;
      Field f = { p, 0, NULL, NULL };
      g_autofree char *raw = NULL;

      while (q < end && (*q == ' ' || *q == '\t'))
        {
          const char *next = memchr (q, '\n', end - q);
          q = next ? next + 1 : end;
        }
      f.len = q - p;
      if (colon != NULL)
        {
          f.name = g_ascii_strdown (p, colon - p);
          g_strstrip (f.name);
          raw = g_strndup (colon + 1, (p + f.len) - (colon + 1));
          f.value = cachet_header_unfold (raw);
        }
      else
        f.name = g_strdup ("");
      g_array_append_val (fields, f);
      p = q;
    }
  return fields;
}

static void
add_addresses (GPtrArray  *recipients,
               GHashTable *seen,
               const char *value)
{
  g_autoptr(GPtrArray) list = cachet_address_list_parse (value);

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      CachetAddress *a = g_ptr_array_index (list, i);
      g_autofree char *key = NULL;

      if (a->email == NULL || *a->email == '\0')
        continue;
      key = g_utf8_casefold (a->email, -1);
      if (g_hash_table_contains (seen, key))
        continue;
      g_hash_table_add (seen, g_steal_pointer (&key));
      g_ptr_array_add (recipients, g_strdup (a->email));
    }
}

/* The message as it will be sent (LF line ends, no Bcc), its envelope recipients and the
 * address in From. */
static GBytes *
prepare_message (const char  *data,
                 gsize        len,
                 GStrv       *recipients_out,
                 char       **from_out)
{
  g_autoptr(GString) lf = g_string_sized_new (len);
  g_autoptr(GString) out = NULL;
  g_autoptr(GArray) fields = NULL;
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gsize header_len = 0;

  for (gsize i = 0; i < len; i++)
    if (!(data[i] == '\r' && i + 1 < len && data[i + 1] == '\n'))
      g_string_append_c (lf, data[i]);
  fields = header_fields (lf->str, lf->len);
  out = g_string_sized_new (lf->len);
  for (guint i = 0; i < fields->len; i++)
    {
      Field *f = &g_array_index (fields, Field, i);

      header_len += f->len;
      if (g_str_equal (f->name, "to") || g_str_equal (f->name, "cc")
          || g_str_equal (f->name, "bcc"))
        add_addresses (recipients, seen, f->value);
      if (g_str_equal (f->name, "from") && *from_out == NULL)
        {
          g_autoptr(GPtrArray) from = cachet_address_list_parse (f->value);
          if (from != NULL && from->len > 0)
            *from_out = g_strdup (((CachetAddress *) g_ptr_array_index (from, 0))->email);
        }
      if (!g_str_equal (f->name, "bcc"))
        g_string_append_len (out, f->start, f->len);
    }
  g_string_append_len (out, lf->str + header_len, lf->len - header_len);
  g_ptr_array_add (recipients, NULL);
  *recipients_out = (GStrv) g_ptr_array_free (g_steal_pointer (&recipients), FALSE);
  return g_string_free_to_bytes (g_steal_pointer (&out));
}

static CachetAccount *
choose_account (CachetAccountList *list,
                const char        *name,
                const char        *from)
{
  GPtrArray *all = cachet_account_list_get_all (list);

  if (name != NULL)
    {
      CachetAccount *account = cachet_account_list_find (list, name);
      if (account == NULL)
        fprintf (stderr, _("cachet send: there is no account “%s”.\n"), name);
      return account;
    }
  for (guint i = 0; from != NULL && i < all->len; i++)
    {
      CachetAccount *account = g_ptr_array_index (all, i);
      const char *address = cachet_account_get_address (account);
      if (address != NULL && g_ascii_strcasecmp (address, from) == 0)
        return account;
    }
  if (all->len == 1)
    return g_ptr_array_index (all, 0);
  if (all->len == 0)
    fprintf (stderr, _("cachet send: there are no accounts yet. Add one with "
                       "“cachet account add”.\n"));
  else
    fprintf (stderr, _("cachet send: no account has the address in From; name one with "
                       "--account.\n"));
  return NULL;
}

static void
queued_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  SendRun *run = data;

  run->message_id = cachet_sender_queue_finish (CACHET_SENDER (source), result, &run->error);
  run->queued = TRUE;
}

static void
sent_cb (CachetSender *sender,
         gint64        message_id,
         gint64        sent_id,
         SendRun      *run)
{
  run->n_sent++;
}

static void
notice_cb (CachetSender *sender,
           gint64        message_id,
           const char   *text,
           SendRun      *run)
{
  if (run->message_id == 0 || message_id == run->message_id)
    g_ptr_array_add (run->notices, g_strdup (text));
}

static gboolean
interrupt_cb (gpointer data)
{
  /* Stop after the message being sent; cut it off only if that takes long. */
  cachet_sender_cancel_all (20000);
  return G_SOURCE_CONTINUE;
}

static char *
read_password (void)
{
  GString *line = g_string_new (NULL);
  int c;

  while ((c = getchar ()) != EOF && c != '\n')
    g_string_append_c (line, (char) c);
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);
  return g_string_free (line, FALSE);
}

static void
wait_idle (CachetSender *sender,
           GMainContext *context)
{
  while (cachet_sender_is_busy (sender))
    g_main_context_iteration (context, TRUE);
  while (g_main_context_iteration (context, FALSE))
    ;
}

/* What became of our message; TRUE when it was sent. */
static gboolean
report (CachetStore  *store,
        CachetSender *sender,
        GMainContext *context,
        SendRun      *run)
{
  g_autoptr(CachetOutboxRecord) record = NULL;
  g_autoptr(CachetFolderInfo) sent = cachet_store_get_folder_by_role (store,
                                                                      CACHET_FOLDER_ROLE_SENT);
  g_autoptr(GError) error = NULL;

  record = cachet_store_outbox_get (store, run->message_id, &error);
  if (record != NULL && record->state == CACHET_OUTBOX_WAITING && record->attempts == 0)
    {
      /* Not tried yet (queued just as a run ended): once more. */
      cachet_sender_retry (sender, run->message_id);
      wait_idle (sender, context);
      g_clear_pointer (&record, cachet_outbox_record_free);
      g_clear_error (&error);
      record = cachet_store_outbox_get (store, run->message_id, &error);
    }
  if (record == NULL)
    {
      CachetMessageSummary s = { 0 };
      gboolean in_sent = cachet_store_get_summaries (store, &run->message_id, 1, &s, NULL)
                         && sent != NULL && s.id != 0 && s.folder_id == sent->id;

      cachet_message_summary_clear (&s);
      if (in_sent)
        return TRUE;
      fprintf (stderr, _("cachet send: the message left the Outbox, but is not in Sent.\n"));
      return FALSE;
    }
  if (record->state == CACHET_OUTBOX_WAITING)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (record->next_try);
      g_autofree char *time = when ? g_date_time_format (when, "%X") : g_strdup ("?");

      fprintf (stderr, _("cachet send: not sent yet: %s\n"),
               record->reason ? record->reason : _("no reason given"));
      fprintf (stderr, _("The message stays in the Outbox and is tried again at %s (or run "
                         "“cachet send” again).\n"), time);
    }
  else
    {
      const CachetTlsCheck *check = record->account_id
                                    ? cachet_sender_get_tls_check (sender, record->account_id)
                                    : NULL;

      fprintf (stderr, _("cachet send: not sent: %s\n"),
               record->reason ? record->reason : _("no reason given"));
      fprintf (stderr, _("The message stays in the Outbox until you edit, retry or delete "
                         "it.\n"));
      if (check != NULL && !check->pin_mismatch)
        fprintf (stderr, _("If you have checked that this is your outgoing server’s "
                           "certificate, send what waits with: cachet send --account %s "
                           "--accept-certificate %s\n"),
                 record->account_id, check->sha256_hex);
    }
  return FALSE;
}

static char *
normalize_fingerprint (const char *text)
{
  GString *hex = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    if (g_ascii_isxdigit (*p))
      g_string_append_c (hex, g_ascii_tolower (*p));
  return g_string_free (hex, FALSE);
}

/* --accept-certificate: when the server of @account presented a certificate that was
 * refused, trusts it if it is the one the user named, and sends again what failed on it. */
static void
accept_certificate (CachetSender  *sender,
                    CachetAccount *account,
                    const char    *accept_hex,
                    GMainContext  *context)
{
  const char *id = cachet_account_get_id (account);
  g_autoptr(GError) error = NULL;

  if (cachet_sender_get_tls_check (sender, id) == NULL)
    return;
  if (!cachet_sender_accept_certificate (sender, id, accept_hex, &error))
    {
      fprintf (stderr, _("cachet send: %s: %s\n"), cachet_account_get_name (account),
               error->message);
      return;
    }
  fprintf (stderr, _("%s: the certificate %s is now trusted for this account.\n"),
           cachet_account_get_name (account), accept_hex);
  wait_idle (sender, context);
}

int
_cachet_cli_send (int    argc,
                  char **argv)
{
  gboolean password_stdin = FALSE;
  g_autofree char *account_name = NULL;
  g_autofree char *accept = NULL;
  g_autofree char *accept_hex = NULL;
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetAccountList) list = NULL;
  g_autoptr(CachetSender) sender = NULL;
  g_autoptr(GBytes) message = NULL;
  g_auto(GStrv) recipients = NULL;
  g_autofree char *from = NULL;
  CachetAccount *account = NULL;
  CliStore cli = { NULL, NULL };
  SendRun run = { 0 };
  GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &account_name,
      N_("Send with this account (default: the one whose address is in From)"),
      N_("ACCOUNT") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin,
      N_("Read the outgoing server’s password (one line) from standard input, for this run "
         "only"), NULL },
    { "accept-certificate", 0, 0, G_OPTION_ARG_STRING, &accept,
      N_("Trust the outgoing server’s certificate with this SHA-256 fingerprint for the "
         "account"), N_("SHA256") },
    { NULL }
  };
  gboolean ok;
  GSource *sigint, *sigterm;

  options = g_option_context_new (_("[FILE.eml] — send a message"));
  g_option_context_set_translation_domain (options, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (options, &argc, &argv, &error) || argc > 2)
    {
      fprintf (stderr, _("cachet send: %s\n"), error ? error->message : _("give one file"));
      return 2;
    }
  if (argc == 2)
    {
      g_autofree char *data = NULL;
      gsize len = 0;

      if (!g_file_get_contents (argv[1], &data, &len, &error))
        {
          fprintf (stderr, _("cachet send: %s\n"), error->message);
          return 1;
        }
      message = prepare_message (data, len, &recipients, &from);
      if (recipients[0] == NULL)
        {
          fprintf (stderr, _("cachet send: %s has no recipient (no address in To, Cc or "
                             "Bcc).\n"), argv[1]);
          return 1;
        }
    }
  else if ((password_stdin || accept != NULL) && account_name == NULL)
    {
      fprintf (stderr, _("cachet send: --password-stdin and --accept-certificate need a "
                         "file or --account.\n"));
      return 2;
    }
  if (accept != NULL)
    {
      accept_hex = normalize_fingerprint (accept);
      if (strlen (accept_hex) != 64)
        {
          fprintf (stderr, _("cachet send: “%s” is not a SHA-256 fingerprint.\n"), accept);
          return 2;
        }
    }

  list = cachet_account_list_new (NULL);
  if (!cachet_account_list_load (list, &error))
    {
      fprintf (stderr, _("cachet send: cannot read the accounts: %s\n"), error->message);
      return 1;
    }
  if (message != NULL || account_name != NULL)
    {
      account = choose_account (list, account_name, from);
      if (account == NULL)
        return 1;
    }
  if (password_stdin)
    {
      const CachetServerSettings *smtp = cachet_account_get_smtp (account);
      CachetSecretKey key = { cachet_account_get_id (account), "smtp",
                              smtp ? smtp->host : NULL, smtp ? smtp->user : NULL };
      char *password = read_password ();

      if (key.host != NULL && key.user != NULL)
        cachet_secrets_remember_for_session (&key, password);
      cachet_secrets_password_free (password);
    }

  if (!_cachet_cli_store_open (&cli, "send"))
    {
      _cachet_cli_store_close (&cli);
      return 1;
    }
  run.notices = g_ptr_array_new_with_free_func (g_free);
  sigint = g_unix_signal_source_new (SIGINT);
  g_source_set_callback (sigint, interrupt_cb, NULL, NULL);
  g_source_attach (sigint, cli.context);
  sigterm = g_unix_signal_source_new (SIGTERM);
  g_source_set_callback (sigterm, interrupt_cb, NULL, NULL);
  g_source_attach (sigterm, cli.context);

  /* Creating it starts a run: what an earlier run left, and everything due. */
  sender = cachet_sender_new (cli.store, list);
  g_signal_connect (sender, "sent", G_CALLBACK (sent_cb), &run);
  g_signal_connect (sender, "notice", G_CALLBACK (notice_cb), &run);
  if (message == NULL)
    cachet_sender_send_now (sender);
  else
    {
      cachet_sender_queue_async (sender, cachet_account_get_id (account), message,
                                 (const char * const *) recipients, NULL, queued_cb, &run);
      while (!run.queued)
        g_main_context_iteration (cli.context, TRUE);
    }
  wait_idle (sender, cli.context);
  if (accept_hex != NULL && run.error == NULL)
    accept_certificate (sender, account, accept_hex, cli.context);

  if (run.error != NULL)
    {
      fprintf (stderr, _("cachet send: could not put the message in the Outbox: %s\n"),
               run.error->message);
      ok = FALSE;
    }
  else if (message != NULL)
    ok = report (cli.store, sender, cli.context, &run);
  else
    {
      /* Everything due was tried: what is still waiting or failed was not sent. */
      g_autoptr(GPtrArray) left = cachet_sender_list (sender);
      guint n_failed = 0;

      for (guint i = 0; i < left->len; i++)
        {
          CachetOutboxEntry *e = g_ptr_array_index (left, i);
          if (e->attempts == 0 && e->state == CACHET_OUTBOX_WAITING)
            continue;
          n_failed++;
          fprintf (stderr, _("cachet send: message %" PRId64 " not sent: %s\n"),
                   e->message_id, e->reason ? e->reason : _("no reason given"));
        }
      ok = n_failed == 0;
    }
  for (guint i = 0; i < run.notices->len; i++)
    {
      fprintf (stderr, "cachet send: %s\n", (const char *) g_ptr_array_index (run.notices, i));
      ok = FALSE;
    }
  printf (g_dngettext (GETTEXT_PACKAGE, "%u message sent\n", "%u messages sent\n", run.n_sent),
          run.n_sent);

  g_signal_handlers_disconnect_by_data (sender, &run);
  g_clear_object (&sender);
  g_source_destroy (sigint);
  g_source_destroy (sigterm);
  g_source_unref (sigint);
  g_source_unref (sigterm);
  cachet_secrets_forget_session ();
  _cachet_cli_store_close (&cli);
  g_clear_error (&run.error);
  g_ptr_array_unref (run.notices);
  return ok ? 0 : 1;
}
