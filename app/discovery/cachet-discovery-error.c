/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-discovery-error.h"

G_DEFINE_QUARK (cachet-discovery-error-quark, cachet_discovery_error)
