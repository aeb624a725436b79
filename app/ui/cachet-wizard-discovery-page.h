/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-discovery.h"

G_BEGIN_DECLS

#define CACHET_TYPE_WIZARD_DISCOVERY_PAGE (cachet_wizard_discovery_page_get_type ())
G_DECLARE_FINAL_TYPE (CachetWizardDiscoveryPage, cachet_wizard_discovery_page, CACHET,
                      WIZARD_DISCOVERY_PAGE, GtkBox)

/* The second page: the servers of an address being looked for, with each step of
 * CachetDiscovery shown as it runs (what it found, or why not) and a button to stop.  It
 * never logs in.  "finished" is emitted when the run is over (found, found nothing, or
 * stopped); "complete" (a boolean property) is TRUE then. */
GtkWidget *cachet_wizard_discovery_page_new        (void);
/* Starts a run (stopping one under way). */
void       cachet_wizard_discovery_page_start      (CachetWizardDiscoveryPage *self,
                                                    const char                *address,
                                                    const char                *real_name,
                                                    CachetIspProfile          *profile);
void       cachet_wizard_discovery_page_stop       (CachetWizardDiscoveryPage *self);
gboolean   cachet_wizard_discovery_page_is_running (CachetWizardDiscoveryPage *self);
/* Did the last run (running or over) look for exactly these? */
gboolean   cachet_wizard_discovery_page_ran_for    (CachetWizardDiscoveryPage *self,
                                                    const char                *address,
                                                    const char                *real_name,
                                                    CachetIspProfile          *profile);
/* What was found once the run is over (also when it was stopped); else NULL. */
CachetDiscoveryResult *
           cachet_wizard_discovery_page_get_result (CachetWizardDiscoveryPage *self);

G_END_DECLS
