/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-cli"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cachet-account.h"
#include "cachet-cli-private.h"
#include "cachet-secrets.h"

/* `cachet account add|list|remove`: accounts for scripts and ISPs' setup tools.  Passwords
 * come only from standard input (never from argv, which other users can read in /proc),
 * are kept in one buffer that is wiped after use, and go only to the keyring. */

#define PASSWORD_MAX 4096

static void
print_usage (FILE *out)
{
  fprintf (out, "%s", _(
    "Usage:\n"
    "  cachet account add NAME --address ADDRESS --user USER\n"
    "                     --pop3 HOST[:PORT] [--pop3-security tls|starttls|plain]\n"
    "                     --smtp HOST[:PORT] [--smtp-security tls|starttls|plain]\n"
    "                     [--smtp-user USER] [--display-name NAME] [--ca-file FILE]\n"
    "                     [--pop3-auth METHOD] [--smtp-auth METHOD] [--password-stdin]\n"
    "  cachet account list\n"
    "  cachet account remove NAME [--keep-password]\n"
    "\n"
    "Security is tls when not given; plain (no encryption) only when asked for.\n"
    "Ports default to 995 (POP3, tls), 110 (POP3, starttls or plain), 465 (SMTP, tls)\n"
    "and 587 (SMTP, starttls or plain). Write IPv6 addresses in brackets: [::1]:995.\n"
    "Login methods: auto, password, sasl-plain, apop (POP3), cram-md5 (SMTP), none (SMTP).\n"
    "\n"
    "--password-stdin reads the password from the first line of standard input and\n"
    "stores it in the desktop keyring for both servers. When --smtp-user names another\n"
    "user, a second line, if there is one, is the SMTP password. Passwords are never\n"
    "taken from the command line and never written to a file.\n"
    "\n"
    "remove also deletes the account's passwords from the keyring, unless\n"
    "--keep-password is given.\n"));
}

static int
usage_error (const char *command,
             const char *message)
{
  fprintf (stderr, "cachet account %s: %s\n", command, message);
  fprintf (stderr, "%s", _("Run “cachet account --help” for how to use it.\n"));
  return 2;
}

/* NULL when the file cannot be used (the reason is on stderr).  *partial: some accounts in
 * it could not be read; they stay in the file untouched, so adding or removing others is
 * safe, while a file that cannot be parsed at all is not written over here. */
static CachetAccountList *
load_accounts (const char *command,
               gboolean   *partial)
{
  g_autoptr(CachetAccountList) list = cachet_account_list_new (NULL);
  g_autoptr(GError) error = NULL;

  *partial = FALSE;
  if (!cachet_account_list_load (list, &error))
    {
      fprintf (stderr, "cachet account %s: %s\n", command, error->message);
      if (!g_error_matches (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_INVALID))
        return NULL;
      *partial = TRUE;
    }
  return g_steal_pointer (&list);
}

/* Standard input ---------------------------------------------------------------------------- */

typedef struct
{
  char  buffer[PASSWORD_MAX + 2];
  char *first;
  char *second;   /* NULL when there is no second line */
} Passwords;

static void
passwords_wipe (Passwords *p)
{
  explicit_bzero (p->buffer, sizeof p->buffer);
  p->first = p->second = NULL;
}

/* Reads up to two lines from standard input; on a terminal, without echo. */
static gboolean
read_passwords (Passwords  *p,
                const char *command)
{
  struct termios saved, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  gsize len = 0;
  char *newline;

  memset (p, 0, sizeof *p);
  if (tty)
    {
      fprintf (stderr, "%s", _("Password: "));
      fflush (stderr);
      if (tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          quiet = saved;
          quiet.c_lflag &= ~(ECHO);
          tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
        }
      else
        tty = FALSE;
    }
  while (len < sizeof p->buffer - 1)
    {
      gssize n = read (STDIN_FILENO, p->buffer + len, sizeof p->buffer - 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += n;
      /* On a terminal one line is all there is. */
      if (tty && memchr (p->buffer, '\n', len) != NULL)
        break;
    }
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      fputc ('\n', stderr);
    }
  p->buffer[len] = '\0';

  p->first = p->buffer;
  newline = strchr (p->buffer, '\n');
  if (newline == NULL && len >= sizeof p->buffer - 1)
    {
      passwords_wipe (p);
      fprintf (stderr, _("cachet account %s: the password on standard input is longer than "
                         "%d bytes.\n"), command, PASSWORD_MAX);
      return FALSE;
    }
  if (newline != NULL)
    {
      *newline = '\0';
      p->second = newline + 1;
      newline = strchr (p->second, '\n');
      if (newline != NULL)
        *newline = '\0';
      p->second[strcspn (p->second, "\r")] = '\0';
      if (p->second[0] == '\0')
        p->second = NULL;
    }
  /* A password file written on Windows. */
  if (strlen (p->first) > 0 && p->first[strlen (p->first) - 1] == '\r')
    p->first[strlen (p->first) - 1] = '\0';

  if (p->first[0] == '\0')
    {
      passwords_wipe (p);
      fprintf (stderr, _("cachet account %s: no password on standard input (--password-stdin "
                         "reads it from the first line).\n"), command);
      return FALSE;
    }
  if (!g_utf8_validate (p->first, -1, NULL)
      || (p->second != NULL && !g_utf8_validate (p->second, -1, NULL)))
    {
      passwords_wipe (p);
      fprintf (stderr, _("cachet account %s: the password on standard input is not UTF-8 "
                         "text.\n"), command);
      return FALSE;
    }
  return TRUE;
}

/* add ----------------------------------------------------------------------------------------- */

static gboolean
parse_server (const char           *command,
              const char           *option,
              const char           *host_port,
              const char           *security_word,
              const char           *auth_word,
              gboolean              smtp,
              CachetServerSettings *server,
              int                  *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  server->security = CACHET_SECURITY_TLS;
  if (security_word != NULL && !cachet_security_from_string (security_word, &server->security))
    {
      message = g_strdup_printf (_("--%s-security must be tls, starttls or plain, not “%s”."),
                                 option, security_word);
      *status = usage_error (command, message);
      return FALSE;
    }
  if (auth_word != NULL && !cachet_auth_method_from_string (auth_word, &server->auth))
    {
      message = g_strdup_printf (_("--%s-auth must be auto, password, sasl-plain, apop, "
                                   "cram-md5 or none, not “%s”."), option, auth_word);
      *status = usage_error (command, message);
      return FALSE;
    }
  g_clear_pointer (&server->host, g_free);
  if (!cachet_parse_host_port (host_port, cachet_security_default_port (server->security, smtp),
                               &server->host, &server->port, &error))
    {
      message = g_strdup_printf ("--%s: %s", option, error->message);
      *status = usage_error (command, message);
      return FALSE;
    }
  return TRUE;
}

static void
warn_plain (const char *command,
            CachetAccount *account)
{
  if (cachet_account_get_pop3 (account)->security == CACHET_SECURITY_PLAIN)
    fprintf (stderr, _("cachet account %s: warning: the incoming server (POP3) is used "
                       "without encryption. Your password and your mail travel over the "
                       "network in the clear, readable by anyone on the way.\n"), command);
  if (cachet_account_get_smtp (account)->security == CACHET_SECURITY_PLAIN)
    fprintf (stderr, _("cachet account %s: warning: the outgoing server (SMTP) is used "
                       "without encryption. Your password and the mail you send travel over "
                       "the network in the clear, readable by anyone on the way.\n"), command);
}

static int
account_add (int    argc,
             char **argv)
{
  g_autofree char *address = NULL, *user = NULL, *smtp_user = NULL, *display_name = NULL;
  g_autofree char *pop3 = NULL, *pop3_security = NULL, *pop3_auth = NULL;
  g_autofree char *smtp = NULL, *smtp_security = NULL, *smtp_auth = NULL;
  g_autofree char *ca_file = NULL;
  g_auto(GStrv) rest = NULL;
  gboolean password_stdin = FALSE;
  GOptionEntry entries[] = {
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, N_("Email address"), N_("ADDRESS") },
    { "display-name", 0, 0, G_OPTION_ARG_STRING, &display_name,
      N_("Your name, as others see it"), N_("NAME") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("User name on the servers"), N_("USER") },
    { "smtp-user", 0, 0, G_OPTION_ARG_STRING, &smtp_user,
      N_("Another user name for the outgoing server"), N_("USER") },
    { "pop3", 0, 0, G_OPTION_ARG_STRING, &pop3, N_("Incoming server"), N_("HOST[:PORT]") },
    { "pop3-security", 0, 0, G_OPTION_ARG_STRING, &pop3_security,
      N_("tls, starttls or plain"), N_("SECURITY") },
    { "pop3-auth", 0, 0, G_OPTION_ARG_STRING, &pop3_auth, N_("Login method"), N_("METHOD") },
    { "smtp", 0, 0, G_OPTION_ARG_STRING, &smtp, N_("Outgoing server"), N_("HOST[:PORT]") },
    { "smtp-security", 0, 0, G_OPTION_ARG_STRING, &smtp_security,
      N_("tls, starttls or plain"), N_("SECURITY") },
    { "smtp-auth", 0, 0, G_OPTION_ARG_STRING, &smtp_auth, N_("Login method"), N_("METHOD") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file,
      N_("An extra CA certificate to trust for this account"), N_("FILE") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin,
      N_("Read the password from standard input"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, N_("NAME") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetAccountList) list = NULL;
  g_autoptr(CachetAccount) account = NULL;
  g_autoptr(CachetServerSettings) in = cachet_server_settings_new (FALSE);
  g_autoptr(CachetServerSettings) out = cachet_server_settings_new (TRUE);
  Passwords passwords;
  const char *missing = NULL;
  gboolean partial;
  int status = 0;

  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      /* Not error->message: it would repeat the argument ("--password=…"). */
      if (strstr (error->message, "--password") != NULL)
        return usage_error ("add", _("passwords are never taken from the command line: use "
                                     "--password-stdin and give it on standard input."));
      return usage_error ("add", error->message);
    }
  if (rest == NULL || rest[0] == NULL)
    return usage_error ("add", _("give the account a name: cachet account add NAME …"));
  if (rest[1] != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("unexpected argument “%s”."), rest[1]);
      return usage_error ("add", message);
    }
  if (address == NULL)
    missing = "--address";
  else if (pop3 == NULL)
    missing = "--pop3";
  else if (smtp == NULL)
    missing = "--smtp";
  else if (user == NULL)
    missing = "--user";
  if (missing != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("%s is missing."), missing);
      return usage_error ("add", message);
    }

  if (!parse_server ("add", "pop3", pop3, pop3_security, pop3_auth, FALSE, in, &status)
      || !parse_server ("add", "smtp", smtp, smtp_security, smtp_auth, TRUE, out, &status))
    return status;
  in->user = g_strdup (user);
  if (out->auth != CACHET_AUTH_NONE)
    out->user = g_strdup (smtp_user ? smtp_user : user);

  account = cachet_account_new (rest[0]);
  cachet_account_set_address (account, address);
  cachet_account_set_display_name (account, display_name);
  cachet_account_set_pop3 (account, in);
  cachet_account_set_smtp (account, out);
  if (ca_file != NULL)
    {
      g_autofree char *absolute = g_canonicalize_filename (ca_file, NULL);
      cachet_account_set_ca_file (account, absolute);
    }
  if (!cachet_account_validate (account, &error))
    return usage_error ("add", error->message);

  list = load_accounts ("add", &partial);
  if (list == NULL)
    return 1;
  if (cachet_account_list_find (list, rest[0]) != NULL)
    {
      fprintf (stderr, _("cachet account add: there is an account called “%s” already.\n"),
               cachet_account_get_name (cachet_account_list_find (list, rest[0])));
      return 1;
    }

  /* The password first: nothing is added when it cannot be read. */
  if (password_stdin && !read_passwords (&passwords, "add"))
    return 2;

  if (!cachet_account_list_add (list, account, &error))
    {
      if (password_stdin)
        passwords_wipe (&passwords);
      fprintf (stderr, "cachet account add: %s\n", error->message);
      return 1;
    }

  if (password_stdin)
    {
      CachetSecretKey pop3_key = { cachet_account_get_id (account), "pop3", in->host, in->user };
      CachetSecretKey smtp_key = { cachet_account_get_id (account), "smtp", out->host,
                                   out->user };
      gboolean other_user = out->user != NULL && g_strcmp0 (out->user, in->user) != 0;
      const char *smtp_password = other_user && passwords.second ? passwords.second
                                                                 : passwords.first;

      if (!cachet_secrets_store_sync (&pop3_key, passwords.first, 0, NULL, &error)
          || (out->user != NULL
              && !cachet_secrets_store_sync (&smtp_key, smtp_password, 0, NULL, &error)))
        {
          g_autoptr(GError) undo_error = NULL;

          passwords_wipe (&passwords);
          fprintf (stderr, _("cachet account add: the password could not be stored: %s\n"),
                   error->message);
          /* Without its password the account is of no use here: take it back. */
          cachet_secrets_clear_sync (&pop3_key, 0, NULL, NULL);
          if (!cachet_account_list_remove (list, account, &undo_error))
            fprintf (stderr, "cachet account add: %s\n", undo_error->message);
          else
            fprintf (stderr, "%s", _("The account was not added.\n"));
          return 1;
        }
      passwords_wipe (&passwords);
    }

  warn_plain ("add", account);
  printf (_("Added the account “%s” (id %s).\n"), cachet_account_get_name (account),
          cachet_account_get_id (account));
  if (!password_stdin)
    printf ("%s", _("No password was stored; Cachet asks for it when it needs it.\n"));
  return 0;
}

/* list ---------------------------------------------------------------------------------------- */

static char *
describe_server (const CachetServerSettings *s)
{
  g_autofree char *where = s->host ? cachet_format_host_port (s->host, s->port)
                                   : g_strdup (_("(no server)"));
  const char *security;

  switch (s->security)
    {
    case CACHET_SECURITY_TLS:
      security = _("TLS");
      break;
    case CACHET_SECURITY_STARTTLS:
      security = _("STARTTLS");
      break;
    case CACHET_SECURITY_PLAIN:
    default:
      security = _("plain, NOT ENCRYPTED");
      break;
    }
  if (s->user == NULL)
    return g_strdup_printf (_("%s, %s, without login"), where, security);
  return g_strdup_printf (_("%s, %s, user %s"), where, security, s->user);
}

static int
account_list (int    argc,
              char **argv)
{
  g_autoptr(CachetAccountList) list = NULL;
  GPtrArray *all;
  gboolean partial;

  if (argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("unexpected argument “%s”."), argv[1]);
      return usage_error ("list", message);
    }
  /* When some accounts were left out, the others are listed, and the status says so. */
  list = load_accounts ("list", &partial);
  if (list == NULL)
    return 1;

  all = cachet_account_list_get_all (list);
  if (all->len == 0)
    printf ("%s", _("No accounts.\n"));
  for (guint i = 0; i < all->len; i++)
    {
      CachetAccount *account = g_ptr_array_index (all, i);
      g_autofree char *in = describe_server (cachet_account_get_pop3 (account));
      g_autofree char *out = describe_server (cachet_account_get_smtp (account));

      if (i > 0)
        printf ("\n");
      printf ("%s (%s)\n", cachet_account_get_name (account), cachet_account_get_id (account));
      printf (_("  Address:  %s\n"), cachet_account_get_address (account)
                                     ? cachet_account_get_address (account) : "");
      if (cachet_account_get_display_name (account) != NULL)
        printf (_("  Name:     %s\n"), cachet_account_get_display_name (account));
      printf (_("  Incoming: POP3 %s\n"), in);
      printf (_("  Outgoing: SMTP %s\n"), out);
      if (cachet_account_get_ca_file (account) != NULL)
        printf (_("  CA file:  %s\n"), cachet_account_get_ca_file (account));
    }
  return partial ? 1 : 0;
}

/* remove -------------------------------------------------------------------------------------- */

static int
account_remove (int    argc,
                char **argv)
{
  gboolean keep_password = FALSE;
  g_auto(GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "keep-password", 0, 0, G_OPTION_ARG_NONE, &keep_password,
      N_("Leave the passwords in the keyring"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, N_("NAME") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetAccountList) list = NULL;
  g_autoptr(CachetAccount) account = NULL;
  g_autofree char *name = NULL;
  gboolean partial;

  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error ("remove", error->message);
  if (rest == NULL || rest[0] == NULL)
    return usage_error ("remove", _("say which account: cachet account remove NAME"));
  if (rest[1] != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("unexpected argument “%s”."), rest[1]);
      return usage_error ("remove", message);
    }

  list = load_accounts ("remove", &partial);
  if (list == NULL)
    return 1;
  account = cachet_account_list_find (list, rest[0]);
  if (account == NULL)
    {
      fprintf (stderr, _("cachet account remove: there is no account called “%s”.\n"),
               rest[0]);
      return 1;
    }
  g_object_ref (account);
  name = g_strdup (cachet_account_get_name (account));

  /* The keyring first: an account is not removed while its passwords would stay behind. */
  if (!keep_password)
    {
      const CachetServerSettings *servers[] = { cachet_account_get_pop3 (account),
                                                cachet_account_get_smtp (account) };
      const char *protocols[] = { "pop3", "smtp" };

      for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
        {
          CachetSecretKey key = { cachet_account_get_id (account), protocols[i],
                                  servers[i]->host, servers[i]->user };

          if (key.host == NULL || key.user == NULL)
            continue;
          if (!cachet_secrets_clear_sync (&key, 0, NULL, &error))
            {
              fprintf (stderr, _("cachet account remove: the passwords of “%s” could not be "
                                 "removed from the keyring: %s\n"
                                 "The account was not removed; to remove it and leave its "
                                 "passwords in the keyring, add --keep-password.\n"),
                       name, error->message);
              return 1;
            }
        }
    }

  if (!cachet_account_list_remove (list, account, &error))
    {
      fprintf (stderr, "cachet account remove: %s\n", error->message);
      return 1;
    }
  if (keep_password)
    printf (_("Removed the account “%s”; its passwords stay in the keyring.\n"), name);
  else
    printf (_("Removed the account “%s” and its passwords.\n"), name);
  return 0;
}

int
_cachet_cli_account (int    argc,
                     char **argv)
{
  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")
      || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return 0;
    }
  if (g_str_equal (argv[1], "add"))
    return account_add (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "list"))
    return account_list (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "remove"))
    return account_remove (argc - 1, argv + 1);

  fprintf (stderr, _("cachet account: unknown command “%s”.\n"), argv[1]);
  print_usage (stderr);
  return 2;
}
