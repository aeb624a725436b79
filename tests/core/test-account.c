/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cachet-account.h"
#include "cachet-account-private.h"

/* Helpers ---------------------------------------------------------------------------------- */

/* A fresh folder under this test's own (isolated, removed afterwards) config folder. */
static char *
make_dir (void)
{
  static guint n;
  g_autofree char *name = g_strdup_printf ("%u", ++n);

  return g_build_filename (g_get_user_config_dir (), "cachet", name, NULL);
}

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return text;
}

static void
write_text (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

static CachetAccount *
make_account (const char *name,
              const char *address)
{
  CachetAccount *account = cachet_account_new (name);
  g_autoptr(CachetServerSettings) pop3 = cachet_server_settings_new (FALSE);
  g_autoptr(CachetServerSettings) smtp = cachet_server_settings_new (TRUE);

  cachet_account_set_address (account, address);
  pop3->host = g_strdup ("pop.example.test");
  pop3->user = g_strdup (address);
  smtp->host = g_strdup ("smtp.example.test");
  smtp->user = g_strdup (address);
  cachet_account_set_pop3 (account, pop3);
  cachet_account_set_smtp (account, smtp);
  return account;
}

static CachetAccountList *
load_list (const char *dir)
{
  g_autoptr(GError) error = NULL;
  CachetAccountList *list = cachet_account_list_new (dir);

  g_assert_true (cachet_account_list_load (list, &error));
  g_assert_no_error (error);
  return list;
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static gboolean
has_tmp_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, ".accounts.ini."))
      return TRUE;
  return FALSE;
}

/* The model -------------------------------------------------------------------------------- */

static void
test_defaults (void)
{
  g_autoptr(CachetAccount) account = cachet_account_new ("Home");
  const CachetServerSettings *pop3 = cachet_account_get_pop3 (account);
  const CachetServerSettings *smtp = cachet_account_get_smtp (account);

  g_assert_cmpstr (cachet_account_get_id (account), ==, "home");
  g_assert_cmpint (pop3->security, ==, CACHET_SECURITY_TLS);
  g_assert_cmpint (pop3->port, ==, 995);
  g_assert_cmpint (pop3->auth, ==, CACHET_AUTH_AUTO);
  g_assert_cmpint (smtp->security, ==, CACHET_SECURITY_TLS);
  g_assert_cmpint (smtp->port, ==, 465);
  g_assert_cmpint (cachet_account_get_server_policy (account), ==, CACHET_KEEP_ON_SERVER);
  g_assert_cmpuint (cachet_account_get_delete_after_days (account), ==, 14);
  g_assert_false (cachet_account_get_delete_when_deleted_locally (account));
  g_assert_cmpint (cachet_account_get_large_policy (account), ==, CACHET_LARGE_FETCH);
  g_assert_cmpuint (cachet_account_get_large_size (account), ==, 0);
  g_assert_null (cachet_account_get_ca_file (account));
  g_assert_cmpuint (cachet_account_get_check_interval (account), ==, 10);

  g_assert_cmpint (cachet_security_default_port (CACHET_SECURITY_STARTTLS, FALSE), ==, 110);
  g_assert_cmpint (cachet_security_default_port (CACHET_SECURITY_STARTTLS, TRUE), ==, 587);
  g_assert_cmpint (cachet_security_default_port (CACHET_SECURITY_PLAIN, TRUE), ==, 587);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    data)
{
  GPtrArray *names = data;

  g_ptr_array_add (names, g_strdup (pspec->name));
}

static void
test_notify (void)
{
  g_autoptr(CachetAccount) account = make_account ("Home", "me@example.test");
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CachetServerSettings) pop3 = NULL;

  g_signal_connect (account, "notify", G_CALLBACK (count_notify_cb), names);
  cachet_account_set_name (account, "Home");
  cachet_account_set_check_interval (account, 10);
  g_assert_cmpuint (names->len, ==, 0);

  cachet_account_set_name (account, "House");
  cachet_account_set_check_interval (account, 30);
  g_object_set (account, "display-name", "Me", NULL);
  g_assert_cmpuint (names->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "name");
  g_assert_cmpstr (g_ptr_array_index (names, 1), ==, "check-interval");
  g_assert_cmpstr (g_ptr_array_index (names, 2), ==, "display-name");

  pop3 = cachet_server_settings_copy (cachet_account_get_pop3 (account));
  cachet_account_set_pop3 (account, pop3);
  g_assert_cmpuint (names->len, ==, 3);
  pop3->port = 1995;
  cachet_account_set_pop3 (account, pop3);
  g_assert_cmpuint (names->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (names, 3), ==, "pop3");

  cachet_account_pin_certificate (account, "smtp", "AB" "00000000000000000000000000000000000000000000000000000000000000");
  g_assert_cmpuint (names->len, ==, 5);
  g_assert_cmpstr (g_ptr_array_index (names, 4), ==, "smtp");
  g_assert_cmpstr (cachet_account_get_smtp (account)->pinned_sha256, ==,
                   "ab00000000000000000000000000000000000000000000000000000000000000");

  /* Empty strings are unset. */
  cachet_account_set_display_name (account, "");
  g_assert_null (cachet_account_get_display_name (account));
}

static void
test_make_id (void)
{
  static const struct { const char *name, *id; } cases[] = {
    { "Work Mail", "work-mail" },
    { "  Work -- Mail  ", "work-mail" },
    { "Bücher & Co.", "bucher-co" },
    { "ISP", "isp" },
    { "", "account" },
    { "!!!", "account" },
    { "日本語", "account" },
    { "a-very-long-account-name-that-goes-on-and-on", "a-very-long-account-name-that-go" },
    { "Mail 2", "mail-2" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = cachet_account_make_id (cases[i].name);

      g_assert_cmpstr (id, ==, cases[i].id);
      g_assert_true (cachet_account_id_is_valid (id));
    }
  g_assert_false (cachet_account_id_is_valid (NULL));
  g_assert_false (cachet_account_id_is_valid (""));
  g_assert_false (cachet_account_id_is_valid ("Work"));
  g_assert_false (cachet_account_id_is_valid ("a b"));
  g_assert_false (cachet_account_id_is_valid ("../x"));
  g_assert_false (cachet_account_id_is_valid ("-x"));
}

static void
test_unique_ids (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(CachetAccountList) list = load_list (dir);
  g_autoptr(CachetAccount) a = make_account ("Work", "a@example.test");
  g_autoptr(CachetAccount) b = make_account ("Work!", "b@example.test");
  g_autoptr(CachetAccount) c = make_account ("work?", "c@example.test");
  g_autoptr(CachetAccount) dup = make_account ("WORK", "d@example.test");
  g_autoptr(GError) error = NULL;

  g_assert_true (cachet_account_list_add (list, a, &error));
  g_assert_no_error (error);
  g_assert_true (cachet_account_list_add (list, b, &error));
  g_assert_no_error (error);
  g_assert_true (cachet_account_list_add (list, c, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cachet_account_get_id (a), ==, "work");
  g_assert_cmpstr (cachet_account_get_id (b), ==, "work-2");
  g_assert_cmpstr (cachet_account_get_id (c), ==, "work-3");

  /* Names are unique regardless of case. */
  g_assert_false (cachet_account_list_add (list, dup, &error));
  g_assert_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "Work"));
  g_assert_cmpuint (cachet_account_list_get_all (list)->len, ==, 3);

  {
    g_autofree char *next = cachet_account_list_make_id (list, "WORK.");
    g_autofree char *free_id = cachet_account_list_make_id (list, "Home");
    g_assert_cmpstr (next, ==, "work-4");
    g_assert_cmpstr (free_id, ==, "home");
  }

  g_assert_true (cachet_account_list_find (list, "work-2") == b);
  g_assert_true (cachet_account_list_find (list, "Work!") == b);
  g_assert_true (cachet_account_list_find (list, "WORK?") == c);
  g_assert_null (cachet_account_list_find (list, "nothing"));
}

/* Host and port ---------------------------------------------------------------------------- */

static void
test_host_port (void)
{
  static const struct { const char *text, *host; guint16 port; } good[] = {
    { "pop.example.test:995", "pop.example.test", 995 },
    { "pop.example.test", "pop.example.test", 110 },
    { "127.0.0.1:11000", "127.0.0.1", 11000 },
    { "[::1]:995", "::1", 995 },
    { "[::1]", "::1", 110 },
    { "[2001:db8::1]:65535", "2001:db8::1", 65535 },
    { "bücher.example:1", "bücher.example", 1 },
    { "localhost:110", "localhost", 110 },
  };
  static const struct { const char *text, *says; } bad[] = {
    { "", "No server" },
    { "::1", "brackets" },
    { "::1:995", "brackets" },
    { "[::1", "without" },
    { "[::1]995", "after" },
    { "[1.2.3.4]:1", "not an IPv6" },
    { "[nothost]:1", "not an IPv6" },
    { "host:0", "not a port" },
    { "host:65536", "not a port" },
    { "host:-1", "not a port" },
    { "host:abc", "not a port" },
    { "host:", "not a port" },
    { "host:99999999999999999999", "not a port" },
    { ":995", "no host name" },
    { "ho st:1", "not a host name" },
    { "host..example:1", "not a host name" },
    { "-host:1", "not a host name" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *host = NULL;
      g_autofree char *again = NULL;
      guint16 port = 0;

      g_test_message ("good: %s", good[i].text);
      g_assert_true (cachet_parse_host_port (good[i].text, 110, &host, &port, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (host, ==, good[i].host);
      g_assert_cmpint (port, ==, good[i].port);
      again = cachet_format_host_port (host, port);
      g_assert_true (strchr (host, ':') == NULL || again[0] == '[');
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *host = NULL;
      guint16 port = 0;

      g_test_message ("bad: %s", bad[i].text);
      g_assert_false (cachet_parse_host_port (bad[i].text, 110, &host, &port, &error));
      g_assert_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_INVALID);
      g_assert_null (host);
      g_assert_nonnull (strstr (error->message, bad[i].says));
    }
}

static void
test_words (void)
{
  CachetSecurity security;
  CachetAuthMethod auth;
  CachetServerPolicy server;
  CachetLargeMessagePolicy large;

  g_assert_true (cachet_security_from_string ("STARTTLS", &security));
  g_assert_cmpint (security, ==, CACHET_SECURITY_STARTTLS);
  g_assert_cmpstr (cachet_security_to_string (CACHET_SECURITY_PLAIN), ==, "plain");
  g_assert_false (cachet_security_from_string ("ssl", &security));
  g_assert_false (cachet_security_from_string ("", &security));
  g_assert_false (cachet_security_from_string (NULL, &security));
  g_assert_true (cachet_auth_method_from_string ("apop", &auth));
  g_assert_cmpint (auth, ==, CACHET_AUTH_APOP);
  g_assert_true (cachet_server_policy_from_string ("delete-after-days", &server));
  g_assert_cmpint (server, ==, CACHET_DELETE_AFTER_DAYS);
  g_assert_true (cachet_large_policy_from_string ("headers-only", &large));
  g_assert_cmpint (large, ==, CACHET_LARGE_HEADERS_ONLY);
}

/* Validation ------------------------------------------------------------------------------- */

typedef void (*Mutate) (CachetAccount *account);

static void
with_pop3 (CachetAccount *account,
           void         (*change) (CachetServerSettings *s))
{
  g_autoptr(CachetServerSettings) s = cachet_server_settings_copy (cachet_account_get_pop3 (account));

  change (s);
  cachet_account_set_pop3 (account, s);
}

static void
with_smtp (CachetAccount *account,
           void         (*change) (CachetServerSettings *s))
{
  g_autoptr(CachetServerSettings) s = cachet_server_settings_copy (cachet_account_get_smtp (account));

  change (s);
  cachet_account_set_smtp (account, s);
}

static void no_host (CachetServerSettings *s) { g_clear_pointer (&s->host, g_free); }
static void bad_host (CachetServerSettings *s) { g_free (s->host); s->host = g_strdup ("a b"); }
static void no_port (CachetServerSettings *s) { s->port = 0; }
static void no_user (CachetServerSettings *s) { g_clear_pointer (&s->user, g_free); }
static void newline_user (CachetServerSettings *s) { g_free (s->user); s->user = g_strdup ("a\nb"); }
static void cram (CachetServerSettings *s) { s->auth = CACHET_AUTH_CRAM_MD5; }
static void apop (CachetServerSettings *s) { s->auth = CACHET_AUTH_APOP; }
static void bad_pin (CachetServerSettings *s) { g_free (s->pinned_sha256); s->pinned_sha256 = g_strdup ("xyz"); }

static void m_no_name (CachetAccount *a) { cachet_account_set_name (a, NULL); }
static void m_blank_name (CachetAccount *a) { cachet_account_set_name (a, "   "); }
static void m_tab_name (CachetAccount *a) { cachet_account_set_name (a, "a\tb"); }
static void m_no_address (CachetAccount *a) { cachet_account_set_address (a, NULL); }
static void m_bad_address (CachetAccount *a) { cachet_account_set_address (a, "me at example"); }
static void m_bad_address2 (CachetAccount *a) { cachet_account_set_address (a, "@example.test"); }
static void m_bad_address3 (CachetAccount *a) { cachet_account_set_address (a, "a b@example.test"); }
static void m_display (CachetAccount *a) { cachet_account_set_display_name (a, "Me\r\nBcc: x"); }
static void m_pop3_host (CachetAccount *a) { with_pop3 (a, no_host); }
static void m_pop3_bad_host (CachetAccount *a) { with_pop3 (a, bad_host); }
static void m_pop3_port (CachetAccount *a) { with_pop3 (a, no_port); }
static void m_pop3_user (CachetAccount *a) { with_pop3 (a, no_user); }
static void m_pop3_newline_user (CachetAccount *a) { with_pop3 (a, newline_user); }
static void m_pop3_cram (CachetAccount *a) { with_pop3 (a, cram); }
static void m_pop3_pin (CachetAccount *a) { with_pop3 (a, bad_pin); }
static void m_smtp_host (CachetAccount *a) { with_smtp (a, no_host); }
static void m_smtp_port (CachetAccount *a) { with_smtp (a, no_port); }
static void m_smtp_user (CachetAccount *a) { with_smtp (a, no_user); }
static void m_smtp_apop (CachetAccount *a) { with_smtp (a, apop); }
static void m_days (CachetAccount *a)
{
  cachet_account_set_server_policy (a, CACHET_DELETE_AFTER_DAYS);
  cachet_account_set_delete_after_days (a, 0);
}
static void m_skip (CachetAccount *a) { cachet_account_set_large_policy (a, CACHET_LARGE_SKIP); }
static void m_headers (CachetAccount *a)
{
  cachet_account_set_large_policy (a, CACHET_LARGE_HEADERS_ONLY);
}
static void m_ca_relative (CachetAccount *a) { cachet_account_set_ca_file (a, "ca.pem"); }
static void m_ca_missing (CachetAccount *a) { cachet_account_set_ca_file (a, "/nonexistent/ca.pem"); }
static void m_ca_dir (CachetAccount *a) { cachet_account_set_ca_file (a, "/"); }

static void
test_validation (void)
{
  static const struct { Mutate mutate; const char *says; } cases[] = {
    { m_no_name, "Give the account a name" },
    { m_blank_name, "Give the account a name" },
    { m_tab_name, "account name cannot contain" },
    { m_no_address, "Give the email address" },
    { m_bad_address, "“me at example” is not an email address" },
    { m_bad_address2, "is not an email address" },
    { m_bad_address3, "is not an email address" },
    { m_display, "line breaks" },
    { m_pop3_host, "host name of the incoming mail server (POP3)" },
    { m_pop3_bad_host, "“a b” is not a host name" },
    { m_pop3_port, "port of the incoming mail server" },
    { m_pop3_user, "user name for the incoming mail server" },
    { m_pop3_newline_user, "line breaks" },
    { m_pop3_cram, "cram-md5" },
    { m_pop3_pin, "SHA-256" },
    { m_smtp_host, "host name of the outgoing mail server (SMTP)" },
    { m_smtp_port, "port of the outgoing mail server" },
    { m_smtp_user, "user name for the outgoing mail server" },
    { m_smtp_apop, "apop" },
    { m_days, "how many days" },
    { m_skip, "left on the server" },
    { m_headers, "only the headers" },
    { m_ca_relative, "full path" },
    { m_ca_missing, "does not exist" },
    { m_ca_dir, "is not a file" },
  };
  g_autoptr(CachetAccount) good = make_account ("Home", "me@example.test");
  g_autoptr(GError) error = NULL;

  g_assert_true (cachet_account_validate (good, &error));
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CachetAccount) account = cachet_account_dup (good);

      cases[i].mutate (account);
      g_assert_false (cachet_account_validate (account, &error));
      g_test_message ("%s", error->message);
      g_assert_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, cases[i].says));
      g_clear_error (&error);
    }

  /* SMTP without logging in needs no user. */
  {
    g_autoptr(CachetAccount) account = cachet_account_dup (good);
    g_autoptr(CachetServerSettings) s = cachet_server_settings_copy (cachet_account_get_smtp (account));

    g_clear_pointer (&s->user, g_free);
    s->auth = CACHET_AUTH_NONE;
    cachet_account_set_smtp (account, s);
    g_assert_true (cachet_account_validate (account, &error));
    g_assert_no_error (error);
  }
}

/* The file ------------------------------------------------------------------------------- */

static void
test_missing_file (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *sub = g_build_filename (dir, "not", "yet", NULL);
  g_autoptr(CachetAccountList) list = load_list (sub);
  g_autoptr(CachetAccount) account = make_account ("Home", "me@example.test");
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_cmpuint (cachet_account_list_get_all (list)->len, ==, 0);
  g_assert_false (g_file_test (sub, G_FILE_TEST_EXISTS));
  g_assert_true (cachet_account_list_add (list, account, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (cachet_account_list_get_path (list), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_round_trip (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *ca = g_build_filename (dir, "ca.pem", NULL);
  g_autoptr(CachetAccountList) list = load_list (dir);
  g_autoptr(CachetAccountList) again = NULL;
  g_autoptr(CachetAccount) account = make_account ("Zuhause = Home [1]", "ich@example.test");
  g_autoptr(CachetAccount) second = make_account ("Work", "work@example.test");
  g_autoptr(CachetServerSettings) pop3 = NULL;
  g_autoptr(CachetServerSettings) smtp = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  CachetAccount *loaded;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  write_text (ca, "not checked here");
  pop3 = cachet_server_settings_copy (cachet_account_get_pop3 (account));
  g_free (pop3->host);
  pop3->host = g_strdup ("::1");
  pop3->port = 11995;
  pop3->security = CACHET_SECURITY_STARTTLS;
  pop3->auth = CACHET_AUTH_APOP;
  pop3->pinned_sha256 = g_strdup ("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  smtp = cachet_server_settings_copy (cachet_account_get_smtp (account));
  smtp->security = CACHET_SECURITY_PLAIN;
  smtp->port = 25;
  g_free (smtp->user);
  smtp->user = g_strdup ("other user; with \"quotes\" \\ and # hash");
  smtp->auth = CACHET_AUTH_CRAM_MD5;
  cachet_account_set_pop3 (account, pop3);
  cachet_account_set_smtp (account, smtp);
  cachet_account_set_display_name (account, "Jürgen Müller-Lüdenscheidt");
  cachet_account_set_server_policy (account, CACHET_DELETE_AFTER_DAYS);
  cachet_account_set_delete_after_days (account, 30);
  cachet_account_set_delete_when_deleted_locally (account, TRUE);
  cachet_account_set_large_policy (account, CACHET_LARGE_HEADERS_ONLY);
  cachet_account_set_large_size (account, G_GUINT64_CONSTANT (5) << 40);
  cachet_account_set_ca_file (account, ca);
  cachet_account_set_check_interval (account, 0);

  g_assert_true (cachet_account_list_add (list, second, &error));
  g_assert_no_error (error);
  g_assert_true (cachet_account_list_add (list, account, &error));
  g_assert_no_error (error);

  again = load_list (dir);
  g_assert_cmpuint (cachet_account_list_get_all (again)->len, ==, 2);
  g_assert_cmpstr (cachet_account_get_id (g_ptr_array_index (cachet_account_list_get_all (again), 0)),
                   ==, "work");
  loaded = cachet_account_list_find (again, cachet_account_get_id (account));
  g_assert_nonnull (loaded);
  g_assert_true (loaded != account);
  g_assert_cmpstr (cachet_account_get_id (loaded), ==, "zuhause-home-1");
  g_assert_cmpstr (cachet_account_get_name (loaded), ==, "Zuhause = Home [1]");
  g_assert_cmpstr (cachet_account_get_address (loaded), ==, "ich@example.test");
  g_assert_cmpstr (cachet_account_get_display_name (loaded), ==, "Jürgen Müller-Lüdenscheidt");
  g_assert_true (cachet_server_settings_equal (cachet_account_get_pop3 (loaded), pop3));
  g_assert_true (cachet_server_settings_equal (cachet_account_get_smtp (loaded), smtp));
  g_assert_cmpint (cachet_account_get_server_policy (loaded), ==, CACHET_DELETE_AFTER_DAYS);
  g_assert_cmpuint (cachet_account_get_delete_after_days (loaded), ==, 30);
  g_assert_true (cachet_account_get_delete_when_deleted_locally (loaded));
  g_assert_cmpint (cachet_account_get_large_policy (loaded), ==, CACHET_LARGE_HEADERS_ONLY);
  g_assert_cmpuint (cachet_account_get_large_size (loaded), ==, G_GUINT64_CONSTANT (5) << 40);
  g_assert_cmpstr (cachet_account_get_ca_file (loaded), ==, ca);
  g_assert_cmpuint (cachet_account_get_check_interval (loaded), ==, 0);

  /* Edits are saved by _save(); removal at once. */
  cachet_account_set_check_interval (loaded, 45);
  g_assert_true (cachet_account_list_save (again, &error));
  g_assert_no_error (error);
  g_assert_true (cachet_account_list_remove (again, cachet_account_list_find (again, "work"),
                                             &error));
  g_assert_no_error (error);
  g_clear_object (&again);
  again = load_list (dir);
  g_assert_cmpuint (cachet_account_list_get_all (again)->len, ==, 1);
  g_assert_cmpuint (cachet_account_get_check_interval (cachet_account_list_find (again, "zuhause-home-1")),
                    ==, 45);
  text = read_text (cachet_account_list_get_path (again));
  g_assert_null (strstr (text, "[work]"));
  g_assert_null (strstr (text, "password="));
}

static void
count_signature_cb (guint *count)
{
  (*count)++;
}

/* The signature: one form for the same text, kept across the file with its lines. */
static void
test_signature (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(CachetAccountList) list = load_list (dir);
  g_autoptr(CachetAccountList) again = NULL;
  g_autoptr(CachetAccount) account = make_account ("Home", "me@example.test");
  g_autoptr(CachetAccount) copy = NULL;
  g_autoptr(GError) error = NULL;
  CachetAccount *loaded;
  guint notified = 0;

  g_assert_null (cachet_account_get_signature (account));
  g_signal_connect_swapped (account, "notify::signature", G_CALLBACK (count_signature_cb),
                            &notified);

  cachet_account_set_signature (account, "Jürgen\r\nTel. 0123 \"45\" # 6\n\n  \n");
  g_assert_cmpstr (cachet_account_get_signature (account), ==,
                   "Jürgen\nTel. 0123 \"45\" # 6");
  g_assert_cmpuint (notified, ==, 1);
  cachet_account_set_signature (account, "Jürgen\nTel. 0123 \"45\" # 6\n");
  g_assert_cmpuint (notified, ==, 1);
  copy = cachet_account_dup (account);
  g_assert_cmpstr (cachet_account_get_signature (copy), ==, cachet_account_get_signature (account));

  g_assert_true (cachet_account_list_add (list, account, &error));
  g_assert_no_error (error);
  again = load_list (dir);
  loaded = cachet_account_list_find (again, "home");
  g_assert_nonnull (loaded);
  g_assert_cmpstr (cachet_account_get_signature (loaded), ==, "Jürgen\nTel. 0123 \"45\" # 6");

  /* Blank is none, and none leaves no key behind. */
  cachet_account_set_signature (account, " \n\n");
  g_assert_null (cachet_account_get_signature (account));
  g_assert_cmpuint (notified, ==, 2);
  g_assert_true (cachet_account_list_save (list, &error));
  g_assert_no_error (error);
  {
    g_autofree char *text = read_text (cachet_account_list_get_path (list));
    g_assert_null (strstr (text, "signature"));
  }
}

static void
test_remove_unknown (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(CachetAccountList) list = load_list (dir);
  g_autoptr(CachetAccount) account = make_account ("Home", "me@example.test");
  g_autoptr(GError) error = NULL;

  g_assert_false (cachet_account_list_remove (list, account, &error));
  g_assert_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_NOT_FOUND);
}

static void
test_add_invalid (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(CachetAccountList) list = load_list (dir);
  g_autoptr(CachetAccount) account = cachet_account_new ("Half");
  g_autoptr(GError) error = NULL;

  g_assert_false (cachet_account_list_add (list, account, &error));
  g_assert_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_INVALID);
  g_assert_cmpuint (cachet_account_list_get_all (list)->len, ==, 0);
  g_assert_false (g_file_test (cachet_account_list_get_path (list), G_FILE_TEST_EXISTS));
}

static const char hand_edited[] =
  "# My accounts, edited by hand.\n"
  "\n"
  "[home]\n"
  "# the ISP's server\n"
  "name = Home\n"
  "address=me@example.test\n"
  "pop3-host=pop.example.test\n"
  "pop3-user=me\n"
  "smtp-host=smtp.example.test\n"
  "smtp-user=me\n"
  "x-future-setting=keep me\n"
  "name[de]=Zuhause\n"
  "\n"
  "[plain]\n"
  "name=Old ISP\n"
  "address=old@example.test\n"
  "pop3-host=pop.old.example\n"
  "pop3-security=plain\n"
  "pop3-user=old\n"
  "smtp-host=smtp.old.example\n"
  "smtp-security=PLAIN\n"
  "smtp-user=old\n";

static void
test_hand_edited (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
  g_autoptr(CachetAccountList) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  CachetAccount *home, *plain;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  write_text (path, hand_edited);
  list = load_list (dir);
  home = cachet_account_list_find (list, "home");
  plain = cachet_account_list_find (list, "Old ISP");
  g_assert_nonnull (home);
  g_assert_nonnull (plain);
  g_assert_cmpstr (cachet_account_get_name (home), ==, "Home");
  /* Missing security is TLS on its port; plain only where the file says so. */
  g_assert_cmpint (cachet_account_get_pop3 (home)->security, ==, CACHET_SECURITY_TLS);
  g_assert_cmpint (cachet_account_get_pop3 (home)->port, ==, 995);
  g_assert_cmpint (cachet_account_get_smtp (home)->port, ==, 465);
  g_assert_cmpint (cachet_account_get_pop3 (plain)->security, ==, CACHET_SECURITY_PLAIN);
  g_assert_cmpint (cachet_account_get_pop3 (plain)->port, ==, 110);
  g_assert_cmpint (cachet_account_get_smtp (plain)->security, ==, CACHET_SECURITY_PLAIN);

  /* Saving keeps comments, translations and unknown keys. */
  cachet_account_set_display_name (home, "Me");
  g_assert_true (cachet_account_list_save (list, &error));
  g_assert_no_error (error);
  text = read_text (path);
  g_assert_nonnull (strstr (text, "# My accounts, edited by hand."));
  g_assert_nonnull (strstr (text, "# the ISP's server"));
  g_assert_nonnull (strstr (text, "x-future-setting=keep me"));
  g_assert_nonnull (strstr (text, "name[de]=Zuhause"));
  g_assert_nonnull (strstr (text, "display-name=Me"));
}

static void
test_syntax_error (void)
{
  static const struct { const char *text; const char *says; } cases[] = {
    { "[home]\nname=Home\nthis is not a setting\n", "line 3: “this is not a setting”" },
    { "name=Home\n[home]\n", "line 1: the setting “name=Home” comes before" },
    { "[home]\nname=Home\n[broken\n", "line 3: “[broken” is not a [group] line" },
    { "[home]\nname=H\xffome\n", "line 2 is not UTF-8" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = make_dir ();
      g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
      g_autoptr(CachetAccountList) list = cachet_account_list_new (dir);
      g_autoptr(CachetAccount) account = make_account ("New", "new@example.test");
      g_autoptr(GError) error = NULL;
      g_autofree char *kept = NULL;
      g_autofree char *now = NULL;
      g_autofree char *aside = NULL;

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      write_text (path, cases[i].text);
      g_assert_false (cachet_account_list_load (list, &error));
      g_test_message ("%s", error->message);
      g_assert_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_IO);
      g_assert_nonnull (strstr (error->message, cases[i].says));
      aside = g_strdup (cachet_account_list_get_kept_aside_path (list));
      g_assert_nonnull (aside);
      g_assert_nonnull (strstr (error->message, aside));
      g_assert_cmpuint (cachet_account_list_get_all (list)->len, ==, 0);

      /* Nothing was changed by reading. */
      now = read_text (path);
      g_assert_cmpstr (now, ==, cases[i].text);
      kept = read_text (aside);
      g_assert_cmpstr (kept, ==, cases[i].text);

      /* Loading again keeps no second copy. */
      g_clear_error (&error);
      g_assert_false (cachet_account_list_load (list, &error));
      g_assert_cmpuint (count_files (dir), ==, 2);

      /* Writing starts a new file; the copy stays. */
      g_clear_error (&error);
      g_assert_true (cachet_account_list_add (list, account, &error));
      g_assert_no_error (error);
      g_clear_pointer (&kept, g_free);
      kept = read_text (aside);
      g_assert_cmpstr (kept, ==, cases[i].text);
      g_clear_object (&list);
      list = load_list (dir);
      g_assert_cmpuint (cachet_account_list_get_all (list)->len, ==, 1);
    }
}

static const char bad_values[] =
  "[good]\n"
  "name=Good\n"
  "address=good@example.test\n"
  "pop3-host=pop.example.test\n"
  "pop3-user=good\n"
  "smtp-host=smtp.example.test\n"
  "smtp-user=good\n"
  "\n"
  "[port]\n"
  "name=Bad port\n"
  "pop3-port=nine\n"
  "\n"
  "[security]\n"
  "name=Bad security\n"
  "smtp-security=ssl\n"
  "\n"
  "[Capital Group]\n"
  "name=Bad id\n"
  "\n"
  "[noname]\n"
  "address=x@example.test\n"
  "\n"
  "[flag]\n"
  "name=Bad flag\n"
  "delete-when-deleted-locally=maybe\n"
  "\n"
  "[dup]\n"
  "name=GOOD\n";

static void
test_bad_values (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
  g_autoptr(CachetAccountList) list = cachet_account_list_new (dir);
  g_autoptr(CachetAccount) added = make_account ("Added", "added@example.test");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  CachetAccount *good;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  write_text (path, bad_values);
  g_assert_false (cachet_account_list_load (list, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "line 11 (pop3-port): “nine” is not a port number"));
  g_assert_nonnull (strstr (error->message, "line 15 (smtp-security): “ssl” is not one of"));
  g_assert_nonnull (strstr (error->message, "line 17: “[Capital Group]” is not an account id"));
  g_assert_nonnull (strstr (error->message, "line 20: the account [noname] has no name"));
  g_assert_nonnull (strstr (error->message, "line 25 (delete-when-deleted-locally): “maybe”"));
  g_assert_nonnull (strstr (error->message, "line 28 (name): another account is called"));
  g_assert_cmpuint (cachet_account_list_get_all (list)->len, ==, 1);
  good = cachet_account_list_find (list, "good");
  g_assert_nonnull (good);
  g_assert_null (cachet_account_list_get_kept_aside_path (list));
  g_clear_error (&error);

  /* The ids of groups left out are not given to new accounts, and the groups survive. */
  cachet_account_set_display_name (good, "Good One");
  g_assert_true (cachet_account_list_save (list, &error));
  g_assert_no_error (error);
  g_assert_true (cachet_account_list_add (list, added, &error));
  g_assert_no_error (error);
  text = read_text (path);
  g_assert_nonnull (strstr (text, "[port]\nname=Bad port\npop3-port=nine\n"));
  g_assert_nonnull (strstr (text, "[security]\nname=Bad security\nsmtp-security=ssl\n"));
  g_assert_nonnull (strstr (text, "[Capital Group]\nname=Bad id\n"));
  g_assert_nonnull (strstr (text, "[dup]\nname=GOOD\n"));
  g_assert_nonnull (strstr (text, "display-name=Good One"));
  g_assert_nonnull (strstr (text, "[added]"));
}

static void
test_write_failure (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(CachetAccountList) list = load_list (dir);
  g_autoptr(CachetAccount) account = make_account ("Home", "me@example.test");
  g_autoptr(CachetAccount) second = make_account ("Work", "work@example.test");
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (cachet_account_list_add (list, account, &error));
  g_assert_no_error (error);
  before = read_text (cachet_account_list_get_path (list));

  /* A disk that fills up in the middle of the write. */
  for (gssize limit = 0; limit < (gssize) strlen (before) + 40; limit += 37)
    {
      _cachet_account_list_set_write_limit (list, limit);
      cachet_account_set_display_name (account, "Changed");
      g_assert_false (cachet_account_list_save (list, &error));
      g_assert_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_IO);
      g_assert_nonnull (strstr (error->message, "left as it was"));
      g_clear_error (&error);
      g_clear_pointer (&after, g_free);
      after = read_text (cachet_account_list_get_path (list));
      g_assert_cmpstr (after, ==, before);
      g_assert_false (has_tmp_files (dir));
    }

  /* An add that cannot be written is not in the list either. */
  _cachet_account_list_set_write_limit (list, 10);
  g_assert_false (cachet_account_list_add (list, second, &error));
  g_assert_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_IO);
  g_clear_error (&error);
  g_assert_cmpuint (cachet_account_list_get_all (list)->len, ==, 1);

  /* A remove that cannot be written keeps the account. */
  _cachet_account_list_set_write_limit (list, 10);
  g_assert_false (cachet_account_list_remove (list, account, &error));
  g_clear_error (&error);
  g_assert_true (cachet_account_list_find (list, "home") == account);

  /* The next write works, with the change made meanwhile. */
  g_assert_true (cachet_account_list_save (list, &error));
  g_assert_no_error (error);
  g_clear_pointer (&after, g_free);
  after = read_text (cachet_account_list_get_path (list));
  g_assert_nonnull (strstr (after, "display-name=Changed"));
}

/* A writer killed at any moment leaves the old file or the new one, whole. */
static void
test_killed_writer (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(CachetAccountList) list = load_list (dir);
  g_autoptr(CachetAccount) account = make_account ("Home", "me@example.test");
  g_autoptr(GError) error = NULL;
  guint changed = 0;

  g_assert_true (cachet_account_list_add (list, account, &error));
  g_assert_no_error (error);

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(CachetAccountList) check = NULL;
      CachetAccount *found;
      pid_t pid = fork ();
      int status;

      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          /* Alternate between two complete states, as fast as it goes. */
          for (guint i = 0;; i++)
            {
              cachet_account_set_check_interval (account, i % 2 ? 20 : 30);
              cachet_account_set_display_name (account, i % 2 ? "Short" : "A much longer name");
              if (!cachet_account_list_save (list, NULL))
                _exit (3);
            }
        }
      g_usleep (g_random_int_range (1000, 30000));
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));

      check = load_list (dir);
      found = cachet_account_list_find (check, "home");
      g_assert_nonnull (found);
      if (cachet_account_get_check_interval (found) == 20)
        g_assert_cmpstr (cachet_account_get_display_name (found), ==, "Short");
      else if (cachet_account_get_check_interval (found) == 30)
        g_assert_cmpstr (cachet_account_get_display_name (found), ==, "A much longer name");
      else
        {
          g_assert_cmpuint (cachet_account_get_check_interval (found), ==, 10);
          g_assert_null (cachet_account_get_display_name (found));
        }
      if (cachet_account_get_check_interval (found) != 10)
        changed++;
    }
  g_test_message ("%u of 20 killed writers had written at least once", changed);
}

/* The window has the list open; `cachet account add` adds an account meanwhile. */
static void
test_concurrent_change (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(CachetAccountList) window = load_list (dir);
  g_autoptr(CachetAccountList) cli = NULL;
  g_autoptr(CachetAccountList) check = NULL;
  g_autoptr(CachetAccount) home = make_account ("Home", "me@example.test");
  g_autoptr(CachetAccount) work = make_account ("Work", "work@example.test");
  g_autoptr(CachetAccount) other = make_account ("Other", "other@example.test");
  g_autoptr(GError) error = NULL;

  g_assert_true (cachet_account_list_add (window, home, &error));
  g_assert_no_error (error);
  g_assert_false (cachet_account_list_changed_on_disk (window));

  cli = load_list (dir);
  g_assert_true (cachet_account_list_add (cli, work, &error));
  g_assert_no_error (error);
  g_clear_object (&cli);

  g_assert_true (cachet_account_list_changed_on_disk (window));
  cachet_account_set_display_name (home, "Me");
  g_assert_true (cachet_account_list_save (window, &error));
  g_assert_no_error (error);
  g_assert_false (cachet_account_list_changed_on_disk (window));
  /* The window now has both. */
  g_assert_cmpuint (cachet_account_list_get_all (window)->len, ==, 2);
  g_assert_true (cachet_account_list_find (window, "home") == home);
  g_assert_nonnull (cachet_account_list_find (window, "work"));

  /* Another program removes "work"; the window adds "other". */
  cli = load_list (dir);
  g_assert_true (cachet_account_list_remove (cli, cachet_account_list_find (cli, "work"),
                                             &error));
  g_assert_no_error (error);
  g_assert_true (cachet_account_list_add (window, other, &error));
  g_assert_no_error (error);

  check = load_list (dir);
  g_assert_cmpuint (cachet_account_list_get_all (check)->len, ==, 2);
  g_assert_nonnull (cachet_account_list_find (check, "home"));
  g_assert_nonnull (cachet_account_list_find (check, "other"));
  g_assert_cmpstr (cachet_account_get_display_name (cachet_account_list_find (check, "home")),
                   ==, "Me");
  g_assert_null (cachet_account_list_find (window, "work"));
}

static void
changed_cb (CachetAccountList *list,
            guint             *count)
{
  (*count)++;
}

static void
test_changed_signal (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(CachetAccountList) list = load_list (dir);
  g_autoptr(CachetAccount) account = make_account ("Home", "me@example.test");
  g_autoptr(GError) error = NULL;
  guint count = 0;

  g_signal_connect (list, "changed", G_CALLBACK (changed_cb), &count);
  g_assert_true (cachet_account_list_add (list, account, &error));
  g_assert_cmpuint (count, ==, 1);
  cachet_account_set_name (account, "House");
  g_assert_cmpuint (count, ==, 2);
  g_assert_true (cachet_account_list_remove (list, account, &error));
  g_assert_cmpuint (count, ==, 3);
  /* Not in the list any more: its changes are not the list's. */
  cachet_account_set_name (account, "Home");
  g_assert_cmpuint (count, ==, 3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/account/defaults", test_defaults);
  g_test_add_func ("/core/account/notify", test_notify);
  g_test_add_func ("/core/account/make-id", test_make_id);
  g_test_add_func ("/core/account/unique-ids", test_unique_ids);
  g_test_add_func ("/core/account/host-port", test_host_port);
  g_test_add_func ("/core/account/words", test_words);
  g_test_add_func ("/core/account/validation", test_validation);
  g_test_add_func ("/core/account/file/missing", test_missing_file);
  g_test_add_func ("/core/account/file/round-trip", test_round_trip);
  g_test_add_func ("/core/account/file/remove-unknown", test_remove_unknown);
  g_test_add_func ("/core/account/file/signature", test_signature);
  g_test_add_func ("/core/account/file/add-invalid", test_add_invalid);
  g_test_add_func ("/core/account/file/hand-edited", test_hand_edited);
  g_test_add_func ("/core/account/file/syntax-error", test_syntax_error);
  g_test_add_func ("/core/account/file/bad-values", test_bad_values);
  g_test_add_func ("/core/account/file/write-failure", test_write_failure);
  g_test_add_func ("/core/account/file/killed-writer", test_killed_writer);
  g_test_add_func ("/core/account/file/concurrent-change", test_concurrent_change);
  g_test_add_func ("/core/account/changed-signal", test_changed_signal);

  return g_test_run ();
}
