/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto-status"

#include "config.h"

#include "cachet-crypto-status.h"

#include <glib/gi18n.h>

struct _CachetCryptoStatus
{
  GtkBox           parent_instance;

  /* template */
  GtkInfoBar      *bar;
  GtkImage        *icon;
  GtkLabel        *title_label;
  GtkRevealer     *detail_revealer;
  GtkLabel        *detail_label;
  GtkToggleButton *details_button;

  const char      *icon_name;
  gboolean         shown;
};

G_DEFINE_FINAL_TYPE (CachetCryptoStatus, cachet_crypto_status, GTK_TYPE_BOX)

static void
details_toggled_cb (GtkToggleButton    *button,
                    CachetCryptoStatus *self)
{
  gtk_revealer_set_reveal_child (self->detail_revealer, gtk_toggle_button_get_active (button));
}

static void
show (CachetCryptoStatus *self,
      GtkMessageType      type,
      const char         *icon_name,
      const char         *title,
      const char         *detail)
{
  gboolean has_detail = detail != NULL && *detail != '\0';

  self->icon_name = icon_name;
  self->shown = TRUE;
  gtk_info_bar_set_message_type (self->bar, type);
  /* GtkInfoBar names itself after the type ("Warning"); AT finds the bar by this name. */
  atk_object_set_name (gtk_widget_get_accessible (GTK_WIDGET (self->bar)),
                       _("Security status"));
  gtk_image_set_from_icon_name (self->icon, icon_name, GTK_ICON_SIZE_LARGE_TOOLBAR);
  gtk_label_set_text (self->title_label, title != NULL ? title : "");
  gtk_label_set_text (self->detail_label, has_detail ? detail : "");
  atk_object_set_description (gtk_widget_get_accessible (GTK_WIDGET (self->bar)),
                              title != NULL ? title : "");
  gtk_toggle_button_set_active (self->details_button, FALSE);
  gtk_revealer_set_reveal_child (self->detail_revealer, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->details_button), has_detail);
  gtk_widget_show (GTK_WIDGET (self));
}

static void
cachet_crypto_status_class_init (CachetCryptoStatusClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-crypto-status.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetCryptoStatus, bar);
  gtk_widget_class_bind_template_child (widget_class, CachetCryptoStatus, icon);
  gtk_widget_class_bind_template_child (widget_class, CachetCryptoStatus, title_label);
  gtk_widget_class_bind_template_child (widget_class, CachetCryptoStatus, detail_revealer);
  gtk_widget_class_bind_template_child (widget_class, CachetCryptoStatus, detail_label);
  gtk_widget_class_bind_template_child (widget_class, CachetCryptoStatus, details_button);
  gtk_widget_class_bind_template_callback (widget_class, details_toggled_cb);
}

static void
cachet_crypto_status_init (CachetCryptoStatus *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cachet_crypto_status_clear (self);
}

GtkWidget *
cachet_crypto_status_new (void)
{
  return g_object_new (CACHET_TYPE_CRYPTO_STATUS, NULL);
}

void
cachet_crypto_status_set_verdict (CachetCryptoStatus       *self,
                                  CachetCryptoVerdictLevel  level,
                                  const char               *title,
                                  const char               *detail)
{
  g_return_if_fail (CACHET_IS_CRYPTO_STATUS (self));

  switch (level)
    {
    case CACHET_CRYPTO_VERDICT_GOOD:
      show (self, GTK_MESSAGE_INFO, "security-high-symbolic", title, detail);
      break;
    case CACHET_CRYPTO_VERDICT_INFO:
      show (self, GTK_MESSAGE_INFO, "security-medium-symbolic", title, detail);
      break;
    case CACHET_CRYPTO_VERDICT_BAD:
      show (self, GTK_MESSAGE_ERROR, "dialog-error-symbolic", title, detail);
      break;
    case CACHET_CRYPTO_VERDICT_WARNING:
    default:
      /* An unknown level is not good news. */
      show (self, GTK_MESSAGE_WARNING, "dialog-warning-symbolic", title, detail);
      break;
    }
}

void
cachet_crypto_status_set_busy (CachetCryptoStatus *self,
                               const char         *text)
{
  g_return_if_fail (CACHET_IS_CRYPTO_STATUS (self));
  show (self, GTK_MESSAGE_OTHER, "content-loading-symbolic", text, NULL);
}

void
cachet_crypto_status_clear (CachetCryptoStatus *self)
{
  g_return_if_fail (CACHET_IS_CRYPTO_STATUS (self));

  self->shown = FALSE;
  self->icon_name = NULL;
  gtk_label_set_text (self->title_label, "");
  gtk_label_set_text (self->detail_label, "");
  gtk_toggle_button_set_active (self->details_button, FALSE);
  gtk_widget_hide (GTK_WIDGET (self));
}

const char *
cachet_crypto_status_get_title (CachetCryptoStatus *self)
{
  g_return_val_if_fail (CACHET_IS_CRYPTO_STATUS (self), NULL);
  return self->shown ? gtk_label_get_text (self->title_label) : NULL;
}

const char *
cachet_crypto_status_get_detail (CachetCryptoStatus *self)
{
  g_return_val_if_fail (CACHET_IS_CRYPTO_STATUS (self), NULL);
  return self->shown ? gtk_label_get_text (self->detail_label) : NULL;
}

const char *
cachet_crypto_status_get_icon_name (CachetCryptoStatus *self)
{
  g_return_val_if_fail (CACHET_IS_CRYPTO_STATUS (self), NULL);
  return self->icon_name;
}

GtkMessageType
cachet_crypto_status_get_message_type (CachetCryptoStatus *self)
{
  g_return_val_if_fail (CACHET_IS_CRYPTO_STATUS (self), GTK_MESSAGE_OTHER);
  return gtk_info_bar_get_message_type (self->bar);
}

gboolean
cachet_crypto_status_get_details_shown (CachetCryptoStatus *self)
{
  g_return_val_if_fail (CACHET_IS_CRYPTO_STATUS (self), FALSE);
  return gtk_revealer_get_reveal_child (self->detail_revealer);
}
