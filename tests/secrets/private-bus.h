/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A D-Bus session bus of a test's own (dbus-daemon), optionally with a real gnome-keyring
 * on it, or a Secret Service that never answers.  The daemons die with the process that
 * started them, even when it aborts. */
typedef struct
{
  GSubprocess     *bus;
  GSubprocess     *keyring;
  char            *address;
  char            *dir;
  GDBusConnection *connection;   /* the test's own connection to it */
  GDBusConnection *silent;       /* the never-answering service's connection */
} PrivateBus;

/* The tools the private bus needs, or NULL when they are all there. */
const char *private_bus_missing_tool (void);

/* @with_services: the bus can start the desktop's services (the keyring's prompter);
 * @with_display: they get this process's DISPLAY. */
PrivateBus *private_bus_start          (gboolean    with_services,
                                        gboolean    with_display);
void        private_bus_start_keyring  (PrivateBus *self,
                                        const char *password);
/* Owns org.freedesktop.secrets and drops every call to it without a reply. */
void        private_bus_start_silent_service (PrivateBus *self);
void        private_bus_lock_keyring   (PrivateBus *self);
void        private_bus_stop           (PrivateBus *self);

G_END_DECLS
