/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto-ui"

#include "config.h"

#include "cachet-crypto-ui.h"

CachetCryptoRegistry *
_cachet_crypto_ui_get_registry (GtkWidget *widget)
{
  GtkWidget *toplevel;
  GtkApplication *app;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  toplevel = gtk_widget_get_toplevel (widget);
  if (!GTK_IS_WINDOW (toplevel))
    return NULL;
  app = gtk_window_get_application (GTK_WINDOW (toplevel));
  if (!CACHET_IS_APPLICATION (app))
    return NULL;
  return cachet_application_get_crypto_registry (CACHET_APPLICATION (app));
}
