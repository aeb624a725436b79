/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-core-error.h"

G_DEFINE_QUARK (cachet-core-error-quark, cachet_core_error)
