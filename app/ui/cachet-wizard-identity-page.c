/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-wizard"

#include "config.h"

#include "cachet-wizard-identity-page.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-account-wizard-private.h"
#include "cachet-discovery.h"

/* Name, address and password.  The address is checked as it is typed, but a problem is
 * shown only once the field was left (or Enter pressed), not while the first letters go
 * in. */

G_DEFINE_FINAL_TYPE (CachetWizardIdentityPage, cachet_wizard_identity_page, GTK_TYPE_BOX)

enum
{
  PROP_0,
  PROP_COMPLETE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
cachet_wizard_check_address (const char        *address,
                             CachetAccountList *accounts)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *domain = NULL;
  const char *at;

  if (address == NULL || *address == '\0')
    return g_strdup (_("Type your email address."));
  at = strrchr (address, '@');
  for (const char *p = address; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      return g_strdup (_("An email address has no spaces in it."));
  if (at == NULL)
    return g_strdup (_("An email address has an @ in it, like jo@example.com."));
  if (memchr (address, '@', (gsize) (at - address)) != NULL)
    return g_strdup (_("An email address has only one @ in it."));
  if (at == address)
    return g_strdup (_("Before the @ comes your name at the provider, like jo@example.com."));
  domain = cachet_discovery_address_domain (address, &error);
  if (domain == NULL)
    return g_strdup (error->message);

  if (accounts != NULL)
    {
      GPtrArray *all = cachet_account_list_get_all (accounts);

      for (guint i = 0; i < all->len; i++)
        {
          const char *other = cachet_account_get_address (all->pdata[i]);

          if (other != NULL && g_ascii_strcasecmp (other, address) == 0)
            return g_strdup_printf (_("You have an account for %s already (“%s”)."), address,
                                    cachet_account_get_name (all->pdata[i]));
        }
    }
  return NULL;
}

static char *
stripped (GtkEntry *entry)
{
  return g_strstrip (g_strdup (gtk_entry_get_text (entry)));
}

static void
update (CachetWizardIdentityPage *self)
{
  g_autofree char *name = stripped (self->name_entry);
  g_autofree char *address = stripped (self->address_entry);
  g_autofree char *problem = cachet_wizard_check_address (address, self->accounts);
  gboolean complete;

  complete = name[0] != '\0' && problem == NULL
             && gtk_entry_get_text_length (self->password_entry) > 0;

  /* An empty field needs no words; a wrong address does, once it was left. */
  g_clear_pointer (&self->problem, g_free);
  if (problem != NULL && address[0] != '\0' && self->address_left)
    self->problem = g_steal_pointer (&problem);
  gtk_label_set_text (self->problem_label, self->problem != NULL ? self->problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), self->problem != NULL);

  if (complete != self->complete)
    {
      self->complete = complete;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
    }
}

static void
changed_cb (CachetWizardIdentityPage *self)
{
  update (self);
}

static gboolean
address_focus_out_cb (CachetWizardIdentityPage *self)
{
  _cachet_wizard_identity_page_leave_address (self);
  return GDK_EVENT_PROPAGATE;
}

void
_cachet_wizard_identity_page_leave_address (CachetWizardIdentityPage *self)
{
  self->address_left = TRUE;
  update (self);
}

static void
address_activate_cb (GtkEntry                 *entry,
                     CachetWizardIdentityPage *self)
{
  _cachet_wizard_identity_page_leave_address (self);
}

static void
cachet_wizard_identity_page_dispose (GObject *object)
{
  CachetWizardIdentityPage *self = CACHET_WIZARD_IDENTITY_PAGE (object);

  g_clear_object (&self->accounts);
  G_OBJECT_CLASS (cachet_wizard_identity_page_parent_class)->dispose (object);
}

static void
cachet_wizard_identity_page_finalize (GObject *object)
{
  CachetWizardIdentityPage *self = CACHET_WIZARD_IDENTITY_PAGE (object);

  g_free (self->problem);
  G_OBJECT_CLASS (cachet_wizard_identity_page_parent_class)->finalize (object);
}

static void
cachet_wizard_identity_page_get_property (GObject    *object,
                                          guint       prop_id,
                                          GValue     *value,
                                          GParamSpec *pspec)
{
  CachetWizardIdentityPage *self = CACHET_WIZARD_IDENTITY_PAGE (object);

  switch (prop_id)
    {
    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cachet_wizard_identity_page_class_init (CachetWizardIdentityPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_wizard_identity_page_dispose;
  object_class->finalize = cachet_wizard_identity_page_finalize;
  object_class->get_property = cachet_wizard_identity_page_get_property;

  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-wizard-identity-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetWizardIdentityPage, profile_label);
  gtk_widget_class_bind_template_child (widget_class, CachetWizardIdentityPage, name_entry);
  gtk_widget_class_bind_template_child (widget_class, CachetWizardIdentityPage, address_entry);
  gtk_widget_class_bind_template_child (widget_class, CachetWizardIdentityPage, problem_label);
  gtk_widget_class_bind_template_child (widget_class, CachetWizardIdentityPage, password_entry);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, address_focus_out_cb);
}

static void
cachet_wizard_identity_page_init (CachetWizardIdentityPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->address_entry, "activate", G_CALLBACK (address_activate_cb), self);
}

GtkWidget *
cachet_wizard_identity_page_new (void)
{
  return g_object_new (CACHET_TYPE_WIZARD_IDENTITY_PAGE, NULL);
}

void
cachet_wizard_identity_page_set_accounts (CachetWizardIdentityPage *self,
                                          CachetAccountList        *accounts)
{
  g_return_if_fail (CACHET_IS_WIZARD_IDENTITY_PAGE (self));

  g_set_object (&self->accounts, accounts);
  update (self);
}

void
cachet_wizard_identity_page_set_profile (CachetWizardIdentityPage *self,
                                         CachetIspProfile         *profile)
{
  g_autofree char *text = NULL;
  g_autofree char *example = NULL;

  g_return_if_fail (CACHET_IS_WIZARD_IDENTITY_PAGE (self));

  gtk_widget_set_visible (GTK_WIDGET (self->profile_label), profile != NULL);
  if (profile == NULL)
    return;
  /* Translators: "Settings from the profile “Demo Mail” (/home/jo/demo.xml), for
   * addresses at demo.test." */
  text = g_strdup_printf (_("Settings from the profile “%s” (%s), for addresses at %s."),
                          profile->display_name, profile->origin,
                          profile->domains[0] != NULL ? profile->domains[0] : "");
  gtk_label_set_text (self->profile_label, text);
  if (profile->domains[0] != NULL)
    {
      /* Translators: a sample address for the placeholder of the address field */
      example = g_strdup_printf (_("jo@%s"), profile->domains[0]);
      gtk_entry_set_placeholder_text (self->address_entry, example);
    }
}

gboolean
cachet_wizard_identity_page_is_complete (CachetWizardIdentityPage *self)
{
  g_return_val_if_fail (CACHET_IS_WIZARD_IDENTITY_PAGE (self), FALSE);
  return self->complete;
}

const char *
cachet_wizard_identity_page_get_problem (CachetWizardIdentityPage *self)
{
  g_return_val_if_fail (CACHET_IS_WIZARD_IDENTITY_PAGE (self), NULL);
  return self->problem;
}

char *
cachet_wizard_identity_page_dup_name (CachetWizardIdentityPage *self)
{
  g_return_val_if_fail (CACHET_IS_WIZARD_IDENTITY_PAGE (self), NULL);
  return stripped (self->name_entry);
}

char *
cachet_wizard_identity_page_dup_address (CachetWizardIdentityPage *self)
{
  g_return_val_if_fail (CACHET_IS_WIZARD_IDENTITY_PAGE (self), NULL);
  return stripped (self->address_entry);
}

const char *
cachet_wizard_identity_page_get_password (CachetWizardIdentityPage *self)
{
  g_return_val_if_fail (CACHET_IS_WIZARD_IDENTITY_PAGE (self), NULL);
  return gtk_entry_get_text (self->password_entry);
}

void
cachet_wizard_identity_page_clear_password (CachetWizardIdentityPage *self)
{
  g_return_if_fail (CACHET_IS_WIZARD_IDENTITY_PAGE (self));
  /* GtkEntryBuffer zeroes the text it replaces. */
  gtk_entry_set_text (self->password_entry, "");
}
