/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-composer"

#include "config.h"

#include "cachet-privacy-line.h"

#include <glib/gi18n.h>

struct _CachetPrivacyLine
{
  GtkBox         parent_instance;

  /* template */
  GtkImage      *icon;
  GtkLabel      *title_label;
  GtkWidget     *info_button;
  GtkLabel      *explanation_label;

  CachetPrivacy  privacy;
};

G_DEFINE_FINAL_TYPE (CachetPrivacyLine, cachet_privacy_line, GTK_TYPE_BOX)

static const char *
icon_name (CachetPrivacy privacy)
{
  switch (privacy)
    {
    case CACHET_PRIVACY_END_TO_END:
      return "security-high-symbolic";
    case CACHET_PRIVACY_TLS_TO_SERVER:
      return "security-medium-symbolic";
    case CACHET_PRIVACY_CLEAR:
    default:
      return "security-low-symbolic";
    }
}

static void
update (CachetPrivacyLine *self)
{
  const char *title = cachet_privacy_get_title (self->privacy);
  const char *explanation = cachet_privacy_get_explanation (self->privacy);

  gtk_image_set_from_icon_name (self->icon, icon_name (self->privacy), GTK_ICON_SIZE_BUTTON);
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->explanation_label, explanation);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), explanation);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->icon), explanation);
  atk_object_set_description (gtk_widget_get_accessible (GTK_WIDGET (self->title_label)),
                              explanation);
  atk_object_set_description (gtk_widget_get_accessible (GTK_WIDGET (self)), explanation);
}

static void
cachet_privacy_line_class_init (CachetPrivacyLineClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-privacy-line.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetPrivacyLine, icon);
  gtk_widget_class_bind_template_child (widget_class, CachetPrivacyLine, title_label);
  gtk_widget_class_bind_template_child (widget_class, CachetPrivacyLine, info_button);
  gtk_widget_class_bind_template_child (widget_class, CachetPrivacyLine, explanation_label);
}

static void
cachet_privacy_line_init (CachetPrivacyLine *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->privacy = CACHET_PRIVACY_CLEAR;
  update (self);
}

GtkWidget *
cachet_privacy_line_new (void)
{
  return g_object_new (CACHET_TYPE_PRIVACY_LINE, NULL);
}

void
cachet_privacy_line_set_privacy (CachetPrivacyLine *self,
                                 CachetPrivacy      privacy)
{
  g_return_if_fail (CACHET_IS_PRIVACY_LINE (self));

  self->privacy = privacy;
  update (self);
}

CachetPrivacy
cachet_privacy_line_get_privacy (CachetPrivacyLine *self)
{
  g_return_val_if_fail (CACHET_IS_PRIVACY_LINE (self), CACHET_PRIVACY_CLEAR);
  return self->privacy;
}

const char *
cachet_privacy_line_get_title (CachetPrivacyLine *self)
{
  g_return_val_if_fail (CACHET_IS_PRIVACY_LINE (self), NULL);
  return gtk_label_get_text (self->title_label);
}

const char *
cachet_privacy_line_get_icon_name (CachetPrivacyLine *self)
{
  g_return_val_if_fail (CACHET_IS_PRIVACY_LINE (self), NULL);
  return icon_name (self->privacy);
}
