/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-preferences-window.h"

G_BEGIN_DECLS

/* One row of the Plugins page. */
typedef struct
{
  CachetPreferencesWindow *window;
  CachetCryptoEntry       *entry;
  GtkWidget               *row;
  GtkWidget               *title_label;
  GtkWidget               *subtitle_label;
  GtkWidget               *state_label;
  GtkWidget               *details_label;
  GtkWidget               *expander;
  GtkWidget               *enable_switch;   /* user plugins only, else NULL */
  gboolean                 turned_off;      /* switched off while loaded */
} CachetPluginRow;

struct _CachetPreferencesWindow
{
  GtkWindow             parent_instance;

  GtkNotebook          *notebook;
  GtkLabel             *intro_label;
  GtkLabel             *status_label;
  GtkListBox           *plugin_list;

  GSettings            *settings;
  CachetCryptoRegistry *registry;
  GPtrArray            *rows;      /* CachetPluginRow */
  gboolean              updating;  /* switches set by code, not by the user */
};

G_END_DECLS
