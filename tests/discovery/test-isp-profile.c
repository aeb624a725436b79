/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ISP profile parser (Mozilla clientConfig 1.1) and the profile directories. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cachet-discovery-error.h"
#include "cachet-isp-directory.h"
#include "cachet-isp-profile.h"

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<clientConfig version=\"1.1\">\n"

static const char valid[] =
  HEAD
  "  <emailProvider id=\"example.com\">\n"                           /* 3 */
  "    <domain>example.com</domain>\n"
  "    <domain>Example.NET</domain>\n"
  "    <displayName>Example Mail</displayName>\n"
  "    <displayShortName>Example</displayShortName>\n"
  "    <incomingServer type=\"imap\">\n"                             /* 8 */
  "      <hostname>imap.example.com</hostname>\n"
  "      <port>993</port>\n"
  "      <socketType>SSL</socketType>\n"
  "      <username>%EMAILADDRESS%</username>\n"
  "      <authentication>password-cleartext</authentication>\n"
  "    </incomingServer>\n"
  "    <incomingServer type=\"pop3\">\n"                             /* 15 */
  "      <hostname>pop.example.com</hostname>\n"
  "      <port>995</port>\n"
  "      <socketType>SSL</socketType>\n"
  "      <username>%EMAILLOCALPART%</username>\n"
  "      <authentication>OAuth2</authentication>\n"
  "      <authentication>password-cleartext</authentication>\n"
  "      <pop3>\n"
  "        <leaveMessagesOnServer>true</leaveMessagesOnServer>\n"
  "        <daysToLeaveMessagesOnServer>14</daysToLeaveMessagesOnServer>\n"
  "        <downloadOnBiff>false</downloadOnBiff>\n"
  "        <checkInterval minutes=\"15\"/>\n"
  "      </pop3>\n"
  "    </incomingServer>\n"
  "    <incomingServer type=\"pop3\">\n"
  "      <hostname>pop.example.com</hostname>\n"
  "      <port>110</port>\n"
  "      <socketType>STARTTLS</socketType>\n"
  "      <username>%EMAILADDRESS%</username>\n"
  "      <authentication>password-encrypted</authentication>\n"
  "    </incomingServer>\n"
  "    <outgoingServer type=\"smtp\">\n"
  "      <hostname>smtp.%EMAILDOMAIN%</hostname>\n"
  "      <port>465</port>\n"
  "      <socketType>SSL</socketType>\n"
  "      <username>%EMAILADDRESS%</username>\n"
  "      <authentication>plain</authentication>\n"
  "    </outgoingServer>\n"
  "    <outgoingServer type=\"smtp\">\n"
  "      <hostname>smtp.example.com</hostname>\n"
  "      <port>587</port>\n"
  "      <socketType>STARTTLS</socketType>\n"
  "      <username>%REALNAME%</username>\n"
  "      <authentication>secure</authentication>\n"
  "    </outgoingServer>\n"
  "    <documentation url=\"https://example.com/help\"><descr lang=\"en\">Help</descr></documentation>\n"
  "  </emailProvider>\n"
  "  <webMail><loginPage url=\"https://example.com/\"/></webMail>\n"
  "</clientConfig>\n";

static CachetIspProfile *
parse (const char  *text,
       GPtrArray  **problems,
       GError     **error)
{
  return cachet_isp_profile_parse (text, strlen (text), "test.xml", problems, error);
}

static guint
count_problems (GPtrArray               *problems,
                CachetIspProblemSeverity severity)
{
  guint n = 0;

  for (guint i = 0; i < problems->len; i++)
    if (((CachetIspProblem *) problems->pdata[i])->severity == severity)
      n++;
  return n;
}

/* The first error: its line and whether its message contains @needle. */
static void
assert_error (const char *text,
              guint       line,
              const char *needle)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetIspProfile) profile = parse (text, &problems, &error);
  CachetIspProblem *first = NULL;

  g_assert_null (profile);
  g_assert_error (error, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_PROFILE);
  g_assert_nonnull (problems);
  for (guint i = 0; i < problems->len && first == NULL; i++)
    if (((CachetIspProblem *) problems->pdata[i])->severity == CACHET_ISP_PROBLEM_ERROR)
      first = problems->pdata[i];
  g_assert_nonnull (first);
  if (g_test_verbose ())
    g_printerr ("line %u: %s (%s)\n", first->line, first->message, error->message);
  g_assert_cmpuint (first->line, ==, line);
  g_assert_nonnull (strstr (first->message, needle));
  g_assert_true (g_str_has_prefix (error->message, "test.xml"));
}

static void
test_valid (void)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetIspProfile) profile = parse (valid, &problems, &error);
  const CachetIspServer *pop3, *smtp;
  CachetIspServer *server;

  g_assert_no_error (error);
  g_assert_nonnull (profile);
  g_assert_cmpuint (count_problems (problems, CACHET_ISP_PROBLEM_ERROR), ==, 0);
  g_assert_cmpuint (count_problems (problems, CACHET_ISP_PROBLEM_WARNING), ==, 0);
  g_assert_cmpstr (profile->id, ==, "example.com");
  g_assert_cmpstr (profile->display_name, ==, "Example Mail");
  g_assert_cmpstr (profile->short_name, ==, "Example");
  g_assert_cmpuint (g_strv_length (profile->domains), ==, 2);
  g_assert_true (cachet_isp_profile_has_domain (profile, "example.net"));
  g_assert_true (cachet_isp_profile_has_domain (profile, "EXAMPLE.com"));
  g_assert_false (cachet_isp_profile_has_domain (profile, "example.org"));
  g_assert_cmpstr (profile->origin, ==, "test.xml");

  /* Every server kept, in order, IMAP too */
  g_assert_cmpuint (profile->incoming->len, ==, 3);
  g_assert_cmpuint (profile->outgoing->len, ==, 2);
  server = profile->incoming->pdata[0];
  g_assert_cmpstr (server->type, ==, "imap");
  g_assert_cmpuint (server->line, ==, 8);
  g_assert_false (cachet_isp_server_is_usable (server, FALSE));
  g_assert_false (cachet_isp_profile_is_imap_only (profile));

  pop3 = cachet_isp_profile_get_pop3 (profile);
  g_assert_true (pop3 == profile->incoming->pdata[1]);
  g_assert_cmpuint (pop3->line, ==, 15);
  g_assert_cmpstr (pop3->hostname, ==, "pop.example.com");
  g_assert_cmpuint (pop3->port, ==, 995);
  g_assert_cmpint (pop3->security, ==, CACHET_SECURITY_TLS);
  g_assert_cmpstr (pop3->username, ==, "%EMAILLOCALPART%");
  /* OAuth2 first: skipped for the first method Cachet can use */
  g_assert_cmpuint (g_strv_length (pop3->authentication), ==, 2);
  g_assert_true (pop3->auth_usable);
  g_assert_cmpint (pop3->auth, ==, CACHET_AUTH_AUTO);
  g_assert_true (pop3->has_leave_on_server);
  g_assert_true (pop3->leave_on_server);
  g_assert_cmpint (pop3->days_to_leave, ==, 14);
  g_assert_true (pop3->has_download_on_biff);
  g_assert_false (pop3->download_on_biff);
  g_assert_cmpuint (pop3->check_interval, ==, 15);

  server = profile->incoming->pdata[2];
  g_assert_cmpint (server->security, ==, CACHET_SECURITY_STARTTLS);
  g_assert_cmpint (server->auth, ==, CACHET_AUTH_APOP);
  g_assert_cmpint (server->days_to_leave, ==, -1);
  g_assert_false (server->has_leave_on_server);

  smtp = cachet_isp_profile_get_smtp (profile);
  g_assert_true (smtp == profile->outgoing->pdata[0]);
  g_assert_cmpstr (smtp->hostname, ==, "smtp.%EMAILDOMAIN%");
  g_assert_cmpint (smtp->auth, ==, CACHET_AUTH_AUTO);
  server = profile->outgoing->pdata[1];
  g_assert_cmpint (server->auth, ==, CACHET_AUTH_CRAM_MD5);
  g_assert_cmpint (server->security, ==, CACHET_SECURITY_STARTTLS);
}

static void
test_placeholders (void)
{
  g_autoptr(CachetIspProfile) profile = parse (valid, NULL, NULL);
  g_autoptr(CachetServerSettings) pop3 = NULL;
  g_autoptr(CachetServerSettings) smtp = NULL;
  g_autoptr(CachetServerSettings) smtp2 = NULL;
  g_autoptr(CachetServerSettings) pop3b = NULL;
  struct { const char *template_, *expected; } cases[] = {
    { "%EMAILADDRESS%", "Jo.Doe@Mail.Example.org" },
    { "%EMAILLOCALPART%", "Jo.Doe" },
    { "%EMAILDOMAIN%", "Mail.Example.org" },
    { "%REALNAME%", "Jo Doe" },
    { "pre-%EMAILLOCALPART%+%EMAILDOMAIN%", "pre-Jo.Doe+Mail.Example.org" },
    { "%UNKNOWN%", "%UNKNOWN%" },
    { "100%", "100%" },
    { "", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = cachet_isp_expand (cases[i].template_, "Jo.Doe@Mail.Example.org",
                                                "Jo Doe");
      g_assert_cmpstr (out, ==, cases[i].expected);
    }
  {
    g_autofree char *out = cachet_isp_expand ("%REALNAME%", "a@b.c", NULL);
    g_assert_cmpstr (out, ==, "");
  }

  g_assert_nonnull (profile);
  pop3 = cachet_isp_server_to_settings (cachet_isp_profile_get_pop3 (profile), FALSE,
                                        "jo@example.net", "Jo");
  g_assert_cmpstr (pop3->host, ==, "pop.example.com");
  g_assert_cmpstr (pop3->user, ==, "jo");
  g_assert_cmpuint (pop3->port, ==, 995);
  pop3b = cachet_isp_server_to_settings (profile->incoming->pdata[2], FALSE,
                                         "jo@example.net", "Jo");
  g_assert_cmpstr (pop3b->user, ==, "jo@example.net");
  g_assert_cmpint (pop3b->security, ==, CACHET_SECURITY_STARTTLS);
  smtp = cachet_isp_server_to_settings (cachet_isp_profile_get_smtp (profile), TRUE,
                                        "jo@example.net", "Jo");
  g_assert_cmpstr (smtp->host, ==, "smtp.example.net");
  g_assert_cmpstr (smtp->user, ==, "jo@example.net");
  smtp2 = cachet_isp_server_to_settings (profile->outgoing->pdata[1], TRUE,
                                         "jo@example.net", "Jo Doe");
  g_assert_cmpstr (smtp2->user, ==, "Jo Doe");
}

static void
test_imap_only (void)
{
  static const char text[] =
    HEAD
    "<emailProvider id=\"i\"><domain>imap.test</domain><displayName>I</displayName>\n"
    "<incomingServer type=\"imap\"><hostname>imap.imap.test</hostname><port>993</port>"
    "<socketType>SSL</socketType><username>%EMAILADDRESS%</username>"
    "<authentication>password-cleartext</authentication></incomingServer>\n"
    "<outgoingServer type=\"smtp\"><hostname>smtp.imap.test</hostname><port>587</port>"
    "<socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username>"
    "<authentication>password-cleartext</authentication></outgoingServer>\n"
    "</emailProvider></clientConfig>\n";
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(CachetIspProfile) profile = parse (text, &problems, NULL);

  /* Usable as a profile (its SMTP server is fine), reported as IMAP only */
  g_assert_nonnull (profile);
  g_assert_true (cachet_isp_profile_is_imap_only (profile));
  g_assert_null (cachet_isp_profile_get_pop3 (profile));
  g_assert_nonnull (cachet_isp_profile_get_smtp (profile));
  g_assert_cmpuint (count_problems (problems, CACHET_ISP_PROBLEM_WARNING), ==, 1);
  g_assert_nonnull (strstr (((CachetIspProblem *) problems->pdata[0])->message, "IMAP"));
}

static void
test_oauth_only (void)
{
  static const char text[] =
    HEAD
    "<emailProvider id=\"o\"><domain>oauth.test</domain><displayName>O</displayName>\n"
    "<incomingServer type=\"pop3\">\n"
    "<hostname>pop.oauth.test</hostname><port>995</port>"
    "<socketType>SSL</socketType><username>%EMAILADDRESS%</username>\n"
    "<authentication>OAuth2</authentication></incomingServer>\n"
    "</emailProvider></clientConfig>\n";
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(CachetIspProfile) profile = parse (text, &problems, NULL);
  CachetIspProblem *first;

  g_assert_nonnull (profile);
  g_assert_true (cachet_isp_profile_is_imap_only (profile));
  first = problems->pdata[0];
  g_assert_cmpint (first->severity, ==, CACHET_ISP_PROBLEM_WARNING);
  g_assert_cmpuint (first->line, ==, 4);
  g_assert_nonnull (strstr (first->message, "OAuth2"));
}

static void
test_broken_xml (void)
{
  assert_error (HEAD "<emailProvider id=\"x\">\n<domain>x.test</domain>\n</clientConfig>\n",
                5, "emailProvider");
  assert_error (HEAD "<emailProvider>\n<domain>x.test</dom>\n", 4, "dom");
  assert_error ("<?xml version=\"1.0\"?>\n<clientConfig version=\"1.1\">\n<a b=c/>\n", 3, "");
  assert_error ("not xml at all", 1, "");
  assert_error ("", 0, "empty");
  assert_error ("   \n  ", 0, "empty");
  /* The buffer need not end in NUL: only its length counts (found by the fuzzer) */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CachetIspProfile) profile = cachet_isp_profile_parse ("\n <x", 1, "ws.xml",
                                                                     NULL, &error);
    g_assert_null (profile);
    g_assert_nonnull (strstr (error->message, "empty"));
  }
  assert_error ("<html><body>404</body></html>", 1, "<clientConfig>");
  assert_error (HEAD "<emailProvider id=\"x\">\n<domain>&unknown;</domain>", 4, "");
  /* cut off in the middle */
  assert_error (HEAD "<emailProvider id=\"x\">\n<domain>x.te", 4, "");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CachetIspProfile) profile = cachet_isp_profile_parse ("<a>\0</a>", 8, "nul.xml",
                                                                     NULL, &error);
    g_assert_null (profile);
    g_assert_error (error, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_PROFILE);
    g_assert_nonnull (strstr (error->message, "NUL"));
  }
}

#define SERVER(type, body) \
  "<incomingServer type=\"" type "\">\n" body "</incomingServer>\n"
#define PROVIDER_OPEN \
  "<emailProvider id=\"x\"><domain>x.test</domain><displayName>X</displayName>\n"  /* line 3 */
#define GOOD_SMTP \
  "<outgoingServer type=\"smtp\"><hostname>smtp.x.test</hostname><port>587</port>" \
  "<socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username>" \
  "<authentication>password-cleartext</authentication></outgoingServer>\n"

static void
test_missing_fields (void)
{
  /* Line 4 is the <incomingServer> of each */
  assert_error (HEAD PROVIDER_OPEN
                SERVER ("pop3", "<port>995</port><socketType>SSL</socketType>\n"
                        "<username>%EMAILADDRESS%</username>\n"
                        "<authentication>password-cleartext</authentication>\n")
                "</emailProvider></clientConfig>", 4, "<hostname>");
  assert_error (HEAD PROVIDER_OPEN
                SERVER ("pop3", "<hostname>pop.x.test</hostname><socketType>SSL</socketType>\n"
                        "<username>%EMAILADDRESS%</username>\n"
                        "<authentication>password-cleartext</authentication>\n")
                "</emailProvider></clientConfig>", 4, "<port>");
  assert_error (HEAD PROVIDER_OPEN
                SERVER ("pop3", "<hostname>pop.x.test</hostname><port>995</port>\n"
                        "<username>%EMAILADDRESS%</username>\n"
                        "<authentication>password-cleartext</authentication>\n")
                "</emailProvider></clientConfig>", 4, "<socketType>");
  assert_error (HEAD PROVIDER_OPEN
                SERVER ("pop3", "<hostname>pop.x.test</hostname><port>995</port>\n"
                        "<socketType>SSL</socketType>\n"
                        "<authentication>password-cleartext</authentication>\n")
                "</emailProvider></clientConfig>", 4, "<username>");
  assert_error (HEAD PROVIDER_OPEN
                SERVER ("pop3", "<hostname>pop.x.test</hostname><port>995</port>\n"
                        "<socketType>SSL</socketType><username>%EMAILADDRESS%</username>\n")
                "</emailProvider></clientConfig>", 4, "<authentication>");
  assert_error (HEAD PROVIDER_OPEN
                "<incomingServer>\n<hostname>a.x.test</hostname></incomingServer>\n"
                "</emailProvider></clientConfig>", 4, "type");
  /* No domain, no provider, no incoming server: whole-file problems (line 0) */
  assert_error (HEAD "<emailProvider id=\"x\">\n"
                SERVER ("pop3", "<hostname>pop.x.test</hostname><port>995</port>\n"
                        "<socketType>SSL</socketType><username>%EMAILADDRESS%</username>\n"
                        "<authentication>password-cleartext</authentication>\n")
                "</emailProvider></clientConfig>", 0, "<domain>");
  assert_error (HEAD "</clientConfig>", 0, "<emailProvider>");
  assert_error (HEAD PROVIDER_OPEN GOOD_SMTP "</emailProvider></clientConfig>", 0,
                "<incomingServer>");
  /* An IMAP server may miss things: not ours to use */
  {
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(CachetIspProfile) profile =
      parse (HEAD PROVIDER_OPEN SERVER ("imap", "<hostname>imap.x.test</hostname>\n")
             GOOD_SMTP "</emailProvider></clientConfig>", &problems, NULL);
    g_assert_nonnull (profile);
    g_assert_true (cachet_isp_profile_is_imap_only (profile));
  }
}

static void
test_wrong_values (void)
{
  const char *socket_types[] = { "TLS", "ssl3", "", "SSL STARTTLS", "starttls-required" };

  for (gsize i = 0; i < G_N_ELEMENTS (socket_types); i++)
    {
      g_autofree char *text =
        g_strdup_printf (HEAD PROVIDER_OPEN "<incomingServer type=\"pop3\">\n"
                         "<hostname>pop.x.test</hostname><port>995</port>\n"
                         "<socketType>%s</socketType>\n"   /* line 6 */
                         "<username>%%EMAILADDRESS%%</username>\n"
                         "<authentication>password-cleartext</authentication>\n"
                         "</incomingServer></emailProvider></clientConfig>", socket_types[i]);
      assert_error (text, 6, "socketType");
    }
  /* case does not matter */
  {
    g_autoptr(CachetIspProfile) profile =
      parse (HEAD PROVIDER_OPEN SERVER ("POP3", "<hostname>pop.x.test</hostname><port>995</port>"
                                        "<socketType>ssl</socketType>"
                                        "<username>%EMAILADDRESS%</username>"
                                        "<authentication>Password-Cleartext</authentication>\n")
             GOOD_SMTP "</emailProvider></clientConfig>", NULL, NULL);
    g_assert_nonnull (profile);
    g_assert_nonnull (cachet_isp_profile_get_pop3 (profile));
  }

  {
    const char *ports[] = { "0", "65536", "-1", "99999999999", "12a", "", "0x10" };

    for (gsize i = 0; i < G_N_ELEMENTS (ports); i++)
      {
        g_autofree char *text =
          g_strdup_printf (HEAD PROVIDER_OPEN "<incomingServer type=\"pop3\">\n"
                           "<hostname>pop.x.test</hostname>\n<port>%s</port>\n"   /* line 6 */
                           "<socketType>SSL</socketType>"
                           "<username>%%EMAILADDRESS%%</username>\n"
                           "<authentication>password-cleartext</authentication>\n"
                           "</incomingServer></emailProvider></clientConfig>", ports[i]);
        assert_error (text, 6, "port");
      }
  }
  assert_error (HEAD PROVIDER_OPEN "<incomingServer type=\"pop3\">\n"
                "<hostname>pop x.test</hostname>\n", 5, "host name");
  assert_error (HEAD PROVIDER_OPEN "<incomingServer type=\"pop3\">\n"
                "<hostname>pop.x.test</hostname><port>995</port><socketType>SSL</socketType>\n"
                "<username>%EMAILADRESS%</username>\n", 6, "%EMAILADRESS%");
  assert_error (HEAD PROVIDER_OPEN "<incomingServer type=\"pop3\">\n"
                "<hostname>pop.x.test</hostname>\n<hostname>pop2.x.test</hostname>\n",
                6, "twice");
  /* POP3 without login makes no sense: "none" is not usable for incoming */
  {
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(CachetIspProfile) profile =
      parse (HEAD PROVIDER_OPEN SERVER ("pop3", "<hostname>pop.x.test</hostname><port>995</port>"
                                        "<socketType>SSL</socketType>"
                                        "<username>%EMAILADDRESS%</username>"
                                        "<authentication>none</authentication>\n")
             GOOD_SMTP "</emailProvider></clientConfig>", &problems, NULL);
    g_assert_nonnull (profile);
    g_assert_null (cachet_isp_profile_get_pop3 (profile));
  }
  /* Unknown words in optional places are warnings */
  {
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(CachetIspProfile) profile =
      parse (HEAD PROVIDER_OPEN SERVER ("pop3", "<hostname>pop.x.test</hostname><port>995</port>"
                                        "<socketType>SSL</socketType>"
                                        "<username>%EMAILADDRESS%</username>"
                                        "<authentication>magic</authentication>"
                                        "<authentication>password-cleartext</authentication>\n"
                                        "<pop3><leaveMessagesOnServer>yes</leaveMessagesOnServer>"
                                        "<daysToLeaveMessagesOnServer>-3"
                                        "</daysToLeaveMessagesOnServer></pop3>\n")
             GOOD_SMTP "</emailProvider></clientConfig>", &problems, NULL);
    const CachetIspServer *pop3;

    g_assert_nonnull (profile);
    g_assert_cmpuint (count_problems (problems, CACHET_ISP_PROBLEM_WARNING), ==, 3);
    pop3 = cachet_isp_profile_get_pop3 (profile);
    g_assert_false (pop3->has_leave_on_server);
    g_assert_cmpint (pop3->days_to_leave, ==, -1);
  }
}

static void
test_huge (void)
{
  g_autoptr(GString) text = g_string_new (HEAD PROVIDER_OPEN);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetIspProfile) profile = NULL;
  g_autofree char *path = NULL;

  while (text->len <= CACHET_ISP_PROFILE_MAX_SIZE)
    g_string_append (text, "<domain>padding.x.test</domain>\n");
  profile = cachet_isp_profile_parse (text->str, text->len, "huge.xml", &problems, &error);
  g_assert_null (profile);
  g_assert_error (error, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_TOO_LARGE);
  g_assert_cmpuint (problems->len, ==, 1);
  g_clear_error (&error);
  g_clear_pointer (&problems, g_ptr_array_unref);

  /* From a file: refused by its size */
  path = g_build_filename (g_get_tmp_dir (), "huge.xml", NULL);
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  profile = cachet_isp_profile_load (path, &problems, &error);
  g_assert_null (profile);
  g_assert_error (error, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* Deep nesting and very long values are refused, not followed */
  g_string_assign (text, HEAD PROVIDER_OPEN);
  for (guint i = 0; i < 100; i++)
    g_string_append (text, "<x>");
  g_clear_pointer (&problems, g_ptr_array_unref);
  profile = cachet_isp_profile_parse (text->str, text->len, "deep.xml", &problems, &error);
  g_assert_null (profile);
  g_assert_error (error, CACHET_DISCOVERY_ERROR, CACHET_DISCOVERY_ERROR_PROFILE);
  g_clear_error (&error);

  g_string_assign (text, HEAD PROVIDER_OPEN "<incomingServer type=\"pop3\">\n<hostname>");
  for (guint i = 0; i < 5000; i++)
    g_string_append (text, "aaaa.");
  g_string_append (text, "test</hostname>\n");
  assert_error (text->str, 5, "longer");

  g_remove (path);
}

static void
test_real_profiles (void)
{
  const char *dir = g_getenv ("CACHET_ISP_SOURCE_DIR");
  g_autoptr(GDir) d = NULL;
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GPtrArray) problems = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(CachetIspProfile) profile = NULL;

      if (!g_str_has_suffix (name, ".xml"))
        continue;
      profile = cachet_isp_profile_load (path, &problems, &error);
      g_assert_no_error (error);
      /* Shipped profiles are clean and usable for POP3 and SMTP over TLS */
      g_assert_cmpuint (problems->len, ==, 0);
      g_assert_nonnull (cachet_isp_profile_get_pop3 (profile));
      g_assert_nonnull (cachet_isp_profile_get_smtp (profile));
      g_assert_cmpint (cachet_isp_profile_get_pop3 (profile)->security, !=, CACHET_SECURITY_PLAIN);
      g_assert_cmpint (cachet_isp_profile_get_smtp (profile)->security, !=, CACHET_SECURITY_PLAIN);
      n++;
    }
  g_assert_cmpuint (n, >=, 4);
}

/* Directories ------------------------------------------------------------------------- */

static void
write_profile (const char *dir,
               const char *file,
               const char *domain,
               const char *name)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *text =
    g_strdup_printf (HEAD "<emailProvider id=\"%s\"><domain>%s</domain>"
                     "<displayName>%s</displayName>\n"
                     SERVER ("pop3", "<hostname>pop.%s</hostname><port>995</port>"
                             "<socketType>SSL</socketType><username>%%EMAILADDRESS%%</username>"
                             "<authentication>password-cleartext</authentication>\n")
                     "</emailProvider></clientConfig>\n", domain, domain, name, domain);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static char *
lookup_name (CachetIspDirectory *dir,
             const char         *domain)
{
  g_autoptr(CachetIspProfile) profile = cachet_isp_directory_lookup (dir, domain);

  return profile != NULL ? g_strdup (profile->display_name) : NULL;
}

static void
test_directory_order (void)
{
  g_autofree char *base = g_build_filename (g_get_tmp_dir (), "isp-order", NULL);
  g_autofree char *a = g_build_filename (base, "bundled", NULL);
  g_autofree char *b = g_build_filename (base, "etc", NULL);
  g_autofree char *c = g_build_filename (base, "user", NULL);
  g_autofree char *missing = g_build_filename (base, "missing", NULL);
  const char *dirs[] = { a, missing, b, c, NULL };
  g_autoptr(CachetIspDirectory) dir = NULL;
  g_autofree char *broken = g_build_filename (b, "broken.xml", NULL);
  g_autofree char *name = NULL;
  g_autoptr(GPtrArray) profiles = NULL;

  write_profile (a, "one.xml", "one.test", "one from bundled");
  write_profile (a, "two.xml", "two.test", "two from bundled");
  write_profile (a, "three.xml", "three.test", "three from bundled");
  write_profile (b, "two.xml", "two.test", "two from etc");
  write_profile (b, "three-other-name.xml", "three.test", "three from etc");
  write_profile (c, "zzz.xml", "three.test", "three from user");
  write_profile (c, "not-a-profile.txt", "one.test", "ignored: not .xml");
  g_assert_true (g_file_set_contents (broken, "<clientConfig", -1, NULL));

  dir = cachet_isp_directory_new (dirs);
  name = lookup_name (dir, "one.test");
  g_assert_cmpstr (name, ==, "one from bundled");
  g_free (name);
  name = lookup_name (dir, "TWO.test");
  g_assert_cmpstr (name, ==, "two from etc");
  g_free (name);
  name = lookup_name (dir, "three.test.");
  g_assert_cmpstr (name, ==, "three from user");
  g_free (name);
  name = lookup_name (dir, "four.test");
  g_assert_null (name);

  /* The broken file is skipped and named */
  g_assert_cmpuint (cachet_isp_directory_get_skipped (dir)->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (cachet_isp_directory_get_skipped (dir), 0),
                            "broken.xml"));
  /* Overridden profiles are not in use any more */
  profiles = cachet_isp_directory_get_profiles (dir);
  g_assert_cmpuint (profiles->len, ==, 3);
}

static void
test_default_dirs (void)
{
  g_auto(GStrv) dirs = NULL;
  g_autofree char *user = g_build_filename (g_get_user_config_dir (), "cachet", "isp", NULL);
  guint n;

  /* The bundled directory is also in XDG_DATA_DIRS (GTest's isolated two): it counts
   * at its first place */
  const char *const *data = g_get_system_data_dirs ();
  g_autofree char *data1 = g_build_filename (data[0], "cachet", "isp", NULL);
  g_autofree char *data2 = g_build_filename (data[1], "cachet", "isp", NULL);

  g_assert_cmpuint (g_strv_length ((char **) data), ==, 2);
  g_setenv ("CACHET_ISP_DIR", data1, TRUE);
  dirs = cachet_isp_directory_default_dirs ();
  n = g_strv_length (dirs);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpstr (dirs[0], ==, data1);
  g_assert_cmpstr (dirs[1], ==, "/etc/cachet/isp");
  g_assert_cmpstr (dirs[2], ==, data2);
  g_assert_cmpstr (dirs[3], ==, user);
  g_strfreev (dirs);

  g_setenv ("CACHET_ISP_DIR", "/nonexistent/bundled", TRUE);
  dirs = cachet_isp_directory_default_dirs ();
  g_assert_cmpuint (g_strv_length (dirs), ==, 5);
  g_assert_cmpstr (dirs[0], ==, "/nonexistent/bundled");
  g_assert_cmpstr (dirs[2], ==, data2);
  g_assert_cmpstr (dirs[3], ==, data1);
  g_unsetenv ("CACHET_ISP_DIR");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/discovery/profile/valid", test_valid);
  g_test_add_func ("/discovery/profile/placeholders", test_placeholders);
  g_test_add_func ("/discovery/profile/imap-only", test_imap_only);
  g_test_add_func ("/discovery/profile/oauth-only", test_oauth_only);
  g_test_add_func ("/discovery/profile/broken-xml", test_broken_xml);
  g_test_add_func ("/discovery/profile/missing-fields", test_missing_fields);
  g_test_add_func ("/discovery/profile/wrong-values", test_wrong_values);
  g_test_add_func ("/discovery/profile/huge", test_huge);
  g_test_add_func ("/discovery/profile/shipped", test_real_profiles);
  g_test_add_func ("/discovery/directory/override-order", test_directory_order);
  g_test_add_func ("/discovery/directory/default-dirs", test_default_dirs);
  return g_test_run ();
}
