/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CACHET_DISCOVERY_ERROR (cachet_discovery_error_quark ())

/* Errors of the discovery layer.  Network failures of a probe keep the CACHET_NET_ERROR
 * of app/net; cancellation is always G_IO_ERROR_CANCELLED. */
typedef enum
{
  CACHET_DISCOVERY_ERROR_FAILED,
  CACHET_DISCOVERY_ERROR_PROFILE,     /* a profile is not valid XML or misses something */
  CACHET_DISCOVERY_ERROR_TOO_LARGE,   /* a profile or a download is larger than allowed */
  CACHET_DISCOVERY_ERROR_ADDRESS,     /* the e-mail address cannot be used for discovery */
  CACHET_DISCOVERY_ERROR_HTTP,        /* an autoconfig download failed */
  CACHET_DISCOVERY_ERROR_TIMED_OUT,   /* a step did not finish within its time */
} CachetDiscoveryError;

GQuark cachet_discovery_error_quark (void);

G_END_DECLS
