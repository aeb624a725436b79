/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cachet-account.h"
#include "cachet-cli-private.h"
#include "cachet-fetcher.h"
#include "cachet-net-error.h"
#include "cachet-secrets.h"

/* cachet fetch [ACCOUNT] [--password-stdin] [--accept-certificate SHA256]
 *
 * Fetches every account (or the one named) like the window's Get Mail, with a progress line
 * on standard error (redrawn with a carriage return on a terminal, one line per step
 * otherwise) and "N new messages" on standard output.  Exit status 1 when any account
 * failed, the reason on standard error; 2 for a usage error. */

typedef struct
{
  GMainContext      *context;
  gboolean           tty;
  gboolean           done;
  CachetFetchResult *result;
  GError            *error;
  CachetFetchStage   last_stage;
  guint              last_tenth;
  gsize              line_len;
} FetchRun;

static void
clear_line (FetchRun *run)
{
  if (!run->tty || run->line_len == 0)
    return;
  fputc ('\r', stderr);
  for (gsize i = 0; i < run->line_len; i++)
    fputc (' ', stderr);
  fputc ('\r', stderr);
  run->line_len = 0;
}

static void
show_line (FetchRun   *run,
           const char *text)
{
  if (run->tty)
    {
      glong width = g_utf8_strlen (text, -1);
      clear_line (run);
      fputs (text, stderr);
      run->line_len = (gsize) width;
    }
  else
    fprintf (stderr, "%s\n", text);
  fflush (stderr);
}

static char *
describe_progress (const CachetFetchProgress *p)
{
  g_autofree char *done = NULL;
  g_autofree char *total = NULL;

  switch (p->stage)
    {
    case CACHET_FETCH_STAGE_PASSWORD:
      return g_strdup_printf (_("%s: looking up the password…"), p->account_name);
    case CACHET_FETCH_STAGE_CONNECTING:
      return g_strdup_printf (_("%s: connecting…"), p->account_name);
    case CACHET_FETCH_STAGE_LISTING:
      return g_strdup_printf (_("%s: checking for new mail…"), p->account_name);
    case CACHET_FETCH_STAGE_RECEIVING:
      if (p->n_total == 0)
        return g_strdup_printf (_("%s: no new mail"), p->account_name);
      done = g_format_size (p->bytes_done);
      total = g_format_size (p->bytes_total);
      /* Translators: "Alice: message 3 of 10 (1.2 MB of 5.0 MB)" */
      return g_strdup_printf (_("%s: message %u of %u (%s of %s)"), p->account_name,
                              MIN (p->n_done + 1, p->n_total), p->n_total, done, total);
    case CACHET_FETCH_STAGE_DELETING:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%s: deleting %u message on the server…",
                                           "%s: deleting %u messages on the server…",
                                           p->n_total),
                              p->account_name, p->n_total);
    case CACHET_FETCH_STAGE_DONE:
    default:
      return NULL;
    }
}

static void
progress_cb (const CachetFetchProgress *p,
             gpointer                   data)
{
  FetchRun *run = data;
  g_autofree char *text = NULL;

  /* Without a terminal, one line per step and per tenth of the messages. */
  if (!run->tty && p->stage == run->last_stage)
    {
      guint tenth = p->n_total > 0 ? p->n_done * 10 / p->n_total : 0;
      if (p->stage != CACHET_FETCH_STAGE_RECEIVING || tenth == run->last_tenth)
        return;
      run->last_tenth = tenth;
    }
  run->last_stage = p->stage;
  text = describe_progress (p);
  if (text != NULL)
    show_line (run, text);
}

static void
fetch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  FetchRun *run = data;

  run->result = cachet_fetcher_fetch_finish (CACHET_FETCHER (source), result, &run->error);
  run->done = TRUE;
}

static gboolean
interrupt_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_CONTINUE;
}

/* In the thread-default context, which the command iterates. */
static GSource *
watch_signal (int           signum,
              GCancellable *cancellable)
{
  GSource *source = g_unix_signal_source_new (signum);

  g_source_set_callback (source, interrupt_cb, cancellable, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

/* "AB:cd:..." or "abcd...", either case: the plain lower-case hex. */
static char *
normalize_fingerprint (const char *text)
{
  GString *hex = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    if (g_ascii_isxdigit (*p))
      g_string_append_c (hex, g_ascii_tolower (*p));
  return g_string_free (hex, FALSE);
}

static void
print_error (CachetAccount     *account,
             CachetFetchResult *result,
             const GError      *error)
{
  const char *name = cachet_account_get_name (account);

  if (error->domain == CACHET_SECRETS_ERROR)
    {
      fprintf (stderr, _("cachet fetch: %s: no password: %s\n"), name, error->message);
      fprintf (stderr, _("Store it in the keyring with “cachet account add”, or give it on "
                         "standard input with --password-stdin.\n"));
    }
  else if (g_error_matches (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE)
           && result != NULL && result->tls_check != NULL)
    {
      g_autofree char *why = cachet_tls_check_describe (result->tls_check,
                                                        cachet_account_get_pop3 (account)->host);
      fprintf (stderr, _("cachet fetch: %s: %s\n"), name, why);
      fprintf (stderr, _("If you have checked that this is your server’s certificate, "
                         "trust it for this account with:\n  cachet fetch %s "
                         "--accept-certificate %s\n"),
               cachet_account_get_id (account), result->tls_check->sha256_hex);
    }
  else
    fprintf (stderr, _("cachet fetch: %s: %s\n"), name, error->message);
}

/* Fetches one account; pins the certificate and tries again when the user named it. */
static gboolean
fetch_one (CachetFetcher     *fetcher,
           CachetAccountList *list,
           CachetAccount     *account,
           const char        *accept_sha256,
           GCancellable      *cancellable,
           gboolean           tty,
           guint             *n_new)
{
  for (int attempt = 0; attempt < 2; attempt++)
    {
      FetchRun run = { 0 };
      gboolean ok;

      run.context = g_main_context_get_thread_default ();
      run.tty = tty;
      run.last_stage = (CachetFetchStage) -1;
      cachet_fetcher_fetch_async (fetcher, account, progress_cb, &run, NULL, cancellable,
                                  fetch_done_cb, &run);
      while (!run.done)
        g_main_context_iteration (run.context, TRUE);
      /* Progress events still queued would redraw the line after the summary. */
      while (g_main_context_iteration (run.context, FALSE))
        ;
      clear_line (&run);

      *n_new += run.result ? run.result->n_new : 0;
      ok = run.error == NULL;
      if (run.result != NULL)
        for (guint i = 0; i < run.result->notices->len; i++)
          fprintf (stderr, "%s: %s\n", cachet_account_get_name (account),
                   (const char *) g_ptr_array_index (run.result->notices, i));

      if (!ok && attempt == 0 && accept_sha256 != NULL
          && g_error_matches (run.error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE)
          && run.result->tls_check != NULL
          && g_str_equal (run.result->tls_check->sha256_hex, accept_sha256))
        {
          g_autoptr(GError) error = NULL;

          cachet_account_pin_certificate (account, "pop3", accept_sha256);
          if (!cachet_account_list_save (list, &error))
            {
              fprintf (stderr, _("cachet fetch: could not save the accounts: %s\n"),
                       error->message);
              g_clear_error (&run.error);
              cachet_fetch_result_free (run.result);
              return FALSE;
            }
          fprintf (stderr, _("%s: the certificate %s is now trusted for this account.\n"),
                   cachet_account_get_name (account), accept_sha256);
          g_clear_error (&run.error);
          cachet_fetch_result_free (run.result);
          continue;
        }
      if (!ok && !g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        print_error (account, run.result, run.error);
      else if (!ok)
        fprintf (stderr, _("cachet fetch: %s: cancelled\n"), cachet_account_get_name (account));
      g_clear_error (&run.error);
      cachet_fetch_result_free (run.result);
      return ok;
    }
  return FALSE;
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

int
_cachet_cli_fetch (int    argc,
                   char **argv)
{
  gboolean password_stdin = FALSE;
  g_autofree char *accept = NULL;
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetAccountList) list = NULL;
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(CachetFetcher) fetcher = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *accept_hex = NULL;
  CliStore cli = { NULL, NULL };
  GOptionEntry entries[] = {
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin,
      N_("Read the password (one line) from standard input, for this run only"), NULL },
    { "accept-certificate", 0, 0, G_OPTION_ARG_STRING, &accept,
      N_("Trust the server certificate with this SHA-256 fingerprint for the account"),
      N_("SHA256") },
    { NULL }
  };
  gboolean tty = isatty (STDERR_FILENO);
  guint n_new = 0, n_failed = 0;
  GSource *sigint, *sigterm;

  options = g_option_context_new (_("[ACCOUNT] — get new mail"));
  g_option_context_set_translation_domain (options, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (options, &argc, &argv, &error) || argc > 2)
    {
      fprintf (stderr, _("cachet fetch: %s\n"),
               error ? error->message : _("give at most one account"));
      return 2;
    }

  list = cachet_account_list_new (NULL);
  if (!cachet_account_list_load (list, &error))
    {
      fprintf (stderr, _("cachet fetch: cannot read the accounts: %s\n"), error->message);
      return 1;
    }
  if (argc == 2)
    {
      CachetAccount *account = cachet_account_list_find (list, argv[1]);
      if (account == NULL)
        {
          fprintf (stderr, _("cachet fetch: there is no account “%s”.\n"), argv[1]);
          return 1;
        }
      g_ptr_array_add (accounts, g_object_ref (account));
    }
  else
    {
      GPtrArray *all = cachet_account_list_get_all (list);
      for (guint i = 0; i < all->len; i++)
        g_ptr_array_add (accounts, g_object_ref (g_ptr_array_index (all, i)));
    }
  if (accounts->len == 0)
    {
      fprintf (stderr, _("cachet fetch: there are no accounts yet. Add one with "
                         "“cachet account add”.\n"));
      return 1;
    }
  if ((password_stdin || accept != NULL) && accounts->len != 1)
    {
      fprintf (stderr, _("cachet fetch: --password-stdin and --accept-certificate need the "
                         "name of one account.\n"));
      return 2;
    }
  if (accept != NULL)
    {
      accept_hex = normalize_fingerprint (accept);
      if (strlen (accept_hex) != 64)
        {
          fprintf (stderr, _("cachet fetch: “%s” is not a SHA-256 fingerprint.\n"), accept);
          return 2;
        }
    }
  if (password_stdin)
    {
      CachetAccount *account = g_ptr_array_index (accounts, 0);
      const CachetServerSettings *pop3 = cachet_account_get_pop3 (account);
      CachetSecretKey key = { cachet_account_get_id (account), "pop3",
                              pop3 ? pop3->host : NULL, pop3 ? pop3->user : NULL };
      char *password = read_password ();

      if (key.host != NULL && key.user != NULL)
        cachet_secrets_remember_for_session (&key, password);
      cachet_secrets_password_free (password);
    }

  if (!_cachet_cli_store_open (&cli, "fetch"))
    {
      _cachet_cli_store_close (&cli);
      return 1;
    }
  /* Ctrl+C: stop, keeping what was stored (the server keeps the rest). */
  sigint = watch_signal (SIGINT, cancellable);
  sigterm = watch_signal (SIGTERM, cancellable);
  fetcher = cachet_fetcher_new (cli.store);
  for (guint i = 0; i < accounts->len; i++)
    {
      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (!fetch_one (fetcher, list, g_ptr_array_index (accounts, i), accept_hex, cancellable,
                      tty, &n_new))
        n_failed++;
    }
  g_source_destroy (sigint);
  g_source_destroy (sigterm);
  g_source_unref (sigint);
  g_source_unref (sigterm);
  g_clear_object (&fetcher);
  cachet_secrets_forget_session ();
  _cachet_cli_store_close (&cli);

  printf (g_dngettext (GETTEXT_PACKAGE, "%u new message\n", "%u new messages\n", n_new), n_new);
  return n_failed > 0 || g_cancellable_is_cancelled (cancellable) ? 1 : 0;
}
