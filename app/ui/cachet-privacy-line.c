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
  char          *problem_icon;
  char          *problem_title;
  char          *problem_explanation;
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

static const char *
current_icon_name (CachetPrivacyLine *self)
{
  return self->problem_title != NULL ? self->problem_icon : icon_name (self->privacy);
}

static void
update (CachetPrivacyLine *self)
{
  const char *title = cachet_privacy_get_title (self->privacy);
  const char *explanation = cachet_privacy_get_explanation (self->privacy);

  if (self->problem_title != NULL)
    {
      title = self->problem_title;
      explanation = self->problem_explanation;
    }
  gtk_image_set_from_icon_name (self->icon, current_icon_name (self), GTK_ICON_SIZE_BUTTON);
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->explanation_label, explanation);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), explanation);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->icon), explanation);
  atk_object_set_description (gtk_widget_get_accessible (GTK_WIDGET (self->title_label)),
                              explanation);
  atk_object_set_description (gtk_widget_get_accessible (GTK_WIDGET (self)), explanation);
}

static void
cachet_privacy_line_finalize (GObject *object)
{
  CachetPrivacyLine *self = CACHET_PRIVACY_LINE (object);

  g_free (self->problem_icon);
  g_free (self->problem_title);
  g_free (self->problem_explanation);
  G_OBJECT_CLASS (cachet_privacy_line_parent_class)->finalize (object);
}

static void
cachet_privacy_line_class_init (CachetPrivacyLineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cachet_privacy_line_finalize;

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
  return current_icon_name (self);
}

void
cachet_privacy_line_set_problem (CachetPrivacyLine *self,
                                 const char        *icon,
                                 const char        *title,
                                 const char        *explanation)
{
  g_return_if_fail (CACHET_IS_PRIVACY_LINE (self));

  g_free (self->problem_icon);
  g_free (self->problem_title);
  g_free (self->problem_explanation);
  self->problem_icon = g_strdup (icon != NULL ? icon : "dialog-warning-symbolic");
  self->problem_title = g_strdup (title);
  self->problem_explanation = g_strdup (explanation != NULL ? explanation : title);
  update (self);
}

const char *
cachet_privacy_line_get_explanation (CachetPrivacyLine *self)
{
  g_return_val_if_fail (CACHET_IS_PRIVACY_LINE (self), NULL);
  return gtk_label_get_text (self->explanation_label);
}
