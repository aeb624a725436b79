/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-net-error.h"

G_DEFINE_QUARK (cachet-net-error-quark, cachet_net_error)
