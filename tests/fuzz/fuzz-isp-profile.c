/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the ISP profile parser (Mozilla clientConfig 1.1) over arbitrary
 * bytes.  Seeds: data/isp/*.xml, e.g.
 *   build-fuzz/tests/fuzz/fuzz-isp-profile -max_len=65536 CORPUS data/isp */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "cachet-isp-profile.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetIspProfile) profile = NULL;

  profile = cachet_isp_profile_parse ((const char *) data, size, "fuzz.xml", &problems, &error);
  g_assert (problems != NULL);
  g_assert ((profile == NULL) == (error != NULL));
  if (profile != NULL)
    {
      const CachetIspServer *pop3 = cachet_isp_profile_get_pop3 (profile);
      const CachetIspServer *smtp = cachet_isp_profile_get_smtp (profile);

      g_assert (profile->domains != NULL && profile->domains[0] != NULL);
      if (pop3 != NULL)
        {
          g_autoptr(CachetServerSettings) s =
            cachet_isp_server_to_settings (pop3, FALSE, "jo@example.com", "Jo");
          g_assert (s->host != NULL && s->port > 0);
        }
      if (smtp != NULL)
        {
          g_autoptr(CachetServerSettings) s =
            cachet_isp_server_to_settings (smtp, TRUE, "jo@example.com", NULL);
          g_assert (s->host != NULL && s->port > 0);
        }
    }
  for (guint i = 0; i < problems->len; i++)
    g_assert (((CachetIspProblem *) problems->pdata[i])->message != NULL);
  return 0;
}
