/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Built with -std=c99 -pedantic -Werror (and as C++): the public header must
 * compile alone. */
#include "cachet-crypto-plugin.h"

int cachet_header_hygiene (void);
int
cachet_header_hygiene (void)
{
  return (int) sizeof (CachetCryptoPluginInfo);
}
