/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto-ui"

#include "config.h"

#include "cachet-crypto-ui.h"

#define READY_SIGNAL "crypto-registry-ready"

static CachetApplication *
application_of (GtkWidget *widget)
{
  GtkWidget *toplevel = gtk_widget_get_toplevel (widget);
  GtkApplication *app;

  if (!GTK_IS_WINDOW (toplevel))
    return NULL;
  app = gtk_window_get_application (GTK_WINDOW (toplevel));
  return CACHET_IS_APPLICATION (app) ? CACHET_APPLICATION (app) : NULL;
}

CachetCryptoRegistry *
_cachet_crypto_ui_get_registry (GtkWidget *widget,
                                gboolean  *loading)
{
  CachetApplication *app;
  CachetCryptoRegistry *registry;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  if (loading != NULL)
    *loading = FALSE;
  app = application_of (widget);
  if (app == NULL)
    return NULL;
  registry = cachet_application_get_crypto_registry (app);
  if (registry == NULL && loading != NULL)
    *loading = !cachet_application_get_safe_mode (app)
               && g_signal_lookup (READY_SIGNAL, G_OBJECT_TYPE (app)) != 0;
  return registry;
}

gulong
_cachet_crypto_ui_when_ready (GtkWidget *widget,
                              GCallback  callback)
{
  CachetApplication *app;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), 0);

  app = application_of (widget);
  if (app == NULL || g_signal_lookup (READY_SIGNAL, G_OBJECT_TYPE (app)) == 0)
    return 0;
  return g_signal_connect_object (app, READY_SIGNAL, callback, widget, G_CONNECT_SWAPPED);
}
