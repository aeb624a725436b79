/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-certificate-dialog"

#include "config.h"

#include "cachet-certificate-dialog.h"

#include <glib/gi18n.h>

struct _CachetCertificateDialog
{
  GtkDialog  parent_instance;

  /* template */
  GtkLabel  *heading_label;
  GtkLabel  *problem_label;
  GtkLabel  *subject_label;
  GtkLabel  *issuer_label;
  GtkLabel  *expiry_label;
  GtkLabel  *fingerprint_label;

  char      *sha256_hex;
};

G_DEFINE_FINAL_TYPE (CachetCertificateDialog, cachet_certificate_dialog, GTK_TYPE_DIALOG)

char *
cachet_format_fingerprint (const char *sha256_hex)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; sha256_hex != NULL && sha256_hex[i] != '\0'; i++)
    {
      if (i > 0 && i % 2 == 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (sha256_hex[i]));
    }
  return g_string_free (out, FALSE);
}

static void
cachet_certificate_dialog_finalize (GObject *object)
{
  CachetCertificateDialog *self = CACHET_CERTIFICATE_DIALOG (object);

  g_free (self->sha256_hex);
  G_OBJECT_CLASS (cachet_certificate_dialog_parent_class)->finalize (object);
}

static void
cachet_certificate_dialog_class_init (CachetCertificateDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = cachet_certificate_dialog_finalize;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-certificate-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetCertificateDialog, heading_label);
  gtk_widget_class_bind_template_child (widget_class, CachetCertificateDialog, problem_label);
  gtk_widget_class_bind_template_child (widget_class, CachetCertificateDialog, subject_label);
  gtk_widget_class_bind_template_child (widget_class, CachetCertificateDialog, issuer_label);
  gtk_widget_class_bind_template_child (widget_class, CachetCertificateDialog, expiry_label);
  gtk_widget_class_bind_template_child (widget_class, CachetCertificateDialog,
                                        fingerprint_label);
}

static void
cachet_certificate_dialog_init (CachetCertificateDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cachet_certificate_dialog_new (GtkWindow            *parent,
                               const char           *account_name,
                               const char           *host,
                               const CachetTlsCheck *check)
{
  CachetCertificateDialog *self;
  g_autofree char *heading = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *expiry = NULL;

  g_return_val_if_fail (check != NULL, NULL);
  self = g_object_new (CACHET_TYPE_CERTIFICATE_DIALOG, "transient-for", parent, NULL);
  self->sha256_hex = g_strdup (check->sha256_hex);

  /* Translators: "Is this really mail.example.com (account Alice)?" */
  heading = g_strdup_printf (_("Is this really %s (account %s)?"), host, account_name);
  problem = cachet_tls_check_describe (check, host);
  fingerprint = cachet_format_fingerprint (check->sha256_hex);
  if (check->not_after != NULL)
    expiry = g_date_time_format (check->not_after, "%x");
  gtk_label_set_text (self->heading_label, heading);
  gtk_label_set_text (self->problem_label, problem);
  gtk_label_set_text (self->subject_label, check->subject ? check->subject : "");
  gtk_label_set_text (self->issuer_label, check->issuer ? check->issuer : "");
  gtk_label_set_text (self->expiry_label, expiry ? expiry : "");
  gtk_label_set_text (self->fingerprint_label, fingerprint);
  return GTK_WIDGET (self);
}

const char *
cachet_certificate_dialog_get_fingerprint (CachetCertificateDialog *self)
{
  g_return_val_if_fail (CACHET_IS_CERTIFICATE_DIALOG (self), NULL);
  return self->sha256_hex;
}
