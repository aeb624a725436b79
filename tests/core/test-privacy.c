/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-privacy.h"

static void
test_levels (void)
{
  g_autoptr(CachetServerSettings) smtp = cachet_server_settings_new (TRUE);

  /* No outgoing server: nothing protects the message. */
  g_assert_cmpint (cachet_privacy_for_sending (NULL, FALSE), ==, CACHET_PRIVACY_CLEAR);

  smtp->security = CACHET_SECURITY_TLS;
  g_assert_cmpint (cachet_privacy_for_sending (smtp, FALSE), ==, CACHET_PRIVACY_TLS_TO_SERVER);
  smtp->security = CACHET_SECURITY_STARTTLS;
  g_assert_cmpint (cachet_privacy_for_sending (smtp, FALSE), ==, CACHET_PRIVACY_TLS_TO_SERVER);
  smtp->security = CACHET_SECURITY_PLAIN;
  g_assert_cmpint (cachet_privacy_for_sending (smtp, FALSE), ==, CACHET_PRIVACY_CLEAR);

  /* Encrypted for every recipient: the transport no longer decides. */
  for (CachetSecurity s = CACHET_SECURITY_TLS; s <= CACHET_SECURITY_PLAIN; s++)
    {
      smtp->security = s;
      g_assert_cmpint (cachet_privacy_for_sending (smtp, TRUE), ==, CACHET_PRIVACY_END_TO_END);
    }
  g_assert_cmpint (cachet_privacy_for_sending (NULL, TRUE), ==, CACHET_PRIVACY_END_TO_END);
}

static void
test_words (void)
{
  const CachetPrivacy all[] = {
    CACHET_PRIVACY_END_TO_END, CACHET_PRIVACY_TLS_TO_SERVER, CACHET_PRIVACY_CLEAR
  };

  g_assert_cmpstr (cachet_privacy_get_title (CACHET_PRIVACY_END_TO_END), ==,
                   "Encrypted end to end");
  g_assert_cmpstr (cachet_privacy_get_title (CACHET_PRIVACY_TLS_TO_SERVER), ==,
                   "Protected only on the way to your server");
  g_assert_cmpstr (cachet_privacy_get_title (CACHET_PRIVACY_CLEAR), ==, "Sent in the clear");
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      const char *explanation = cachet_privacy_get_explanation (all[i]);

      g_assert_nonnull (explanation);
      g_assert_cmpuint (strlen (explanation), >, 40);
      for (guint j = 0; j < i; j++)
        {
          g_assert_cmpstr (explanation, !=, cachet_privacy_get_explanation (all[j]));
          g_assert_cmpstr (cachet_privacy_get_title (all[i]), !=,
                           cachet_privacy_get_title (all[j]));
        }
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/privacy/levels", test_levels);
  g_test_add_func ("/core/privacy/words", test_words);
  return g_test_run ();
}
