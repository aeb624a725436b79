/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-wizard"

#include "config.h"

#include "cachet-wizard-review-page.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-account-wizard-private.h"

/* Each server has a "Settings from" list: every candidate of the discovery, in the order
 * found, then "Your own settings".  Choosing a candidate fills the fields; changing a
 * field makes the settings the user's own (the list says so, the fields stay). */

G_DEFINE_FINAL_TYPE (CachetWizardReviewPage, cachet_wizard_review_page, GTK_TYPE_BOX)

enum
{
  PROP_0,
  PROP_COMPLETE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define CUSTOM_ID "custom"

static CachetWizardServerForm *
form_of (CachetWizardReviewPage *self,
         gboolean                smtp)
{
  return smtp ? &self->smtp : &self->pop3;
}

static const char *
security_words (CachetSecurity security)
{
  switch (security)
    {
    case CACHET_SECURITY_TLS:
      return _("TLS");
    case CACHET_SECURITY_STARTTLS:
      return _("STARTTLS");
    case CACHET_SECURITY_PLAIN:
    default:
      return _("not encrypted");
    }
}

char *
cachet_wizard_describe_source (const CachetDiscoveryCandidate *c)
{
  g_return_val_if_fail (c != NULL, NULL);

  switch (c->source)
    {
    case CACHET_DISCOVERY_STEP_PROFILE:
      /* Translators: where settings come from: "profile “Demo Mail”" */
      return g_strdup_printf (_("profile “%s”"), c->provider != NULL ? c->provider : "?");
    case CACHET_DISCOVERY_STEP_AUTOCONFIG:
      return g_strdup (_("your provider’s configuration server"));
    case CACHET_DISCOVERY_STEP_SRV:
      return g_strdup (_("DNS service record"));
    case CACHET_DISCOVERY_STEP_MX:
      /* Translators: "profile of the mail exchanger’s provider “Demo Mail”" */
      return g_strdup_printf (_("profile of the mail exchanger’s provider “%s”"),
                              c->provider != NULL ? c->provider : "?");
    case CACHET_DISCOVERY_STEP_GUESS:
      return g_strdup (c->confirmed ? _("guessed; the server answered")
                                    : _("guessed"));
    case CACHET_DISCOVERY_N_STEPS:
    default:
      return g_strdup ("?");
    }
}

/* The candidate the list shows, or NULL for "Your own settings". */
static const CachetDiscoveryCandidate *
selected (CachetWizardServerForm *form)
{
  const char *id = gtk_combo_box_get_active_id (GTK_COMBO_BOX (form->source_combo));
  guint64 index;

  if (form->custom || id == NULL || g_str_equal (id, CUSTOM_ID) || form->candidates == NULL
      || !g_ascii_string_to_unsigned (id, 10, 0, G_MAXUINT, &index, NULL)
      || index >= form->candidates->len)
    return NULL;
  return form->candidates->pdata[index];
}

static CachetSecurity
shown_security (CachetWizardServerForm *form)
{
  CachetSecurity security = CACHET_SECURITY_TLS;

  cachet_security_from_string (gtk_combo_box_get_active_id (form->security_combo), &security);
  return security;
}

static char *
shown_host (CachetWizardServerForm *form)
{
  char *host = g_strstrip (g_strdup (gtk_entry_get_text (form->host_entry)));
  gsize len = strlen (host);

  /* "[::1]" typed with its brackets: they belong to host:port, not to the host. */
  if (len > 2 && host[0] == '[' && host[len - 1] == ']')
    {
      char *bare = g_strndup (host + 1, len - 2);
      g_free (host);
      host = bare;
    }
  return host;
}

static char *
shown_user (CachetWizardServerForm *form)
{
  return g_strstrip (g_strdup (gtk_entry_get_text (form->user_entry)));
}

static void
fill_fields (CachetWizardReviewPage     *self,
             CachetWizardServerForm     *form,
             const CachetServerSettings *s)
{
  gboolean filling = self->filling;

  self->filling = TRUE;
  gtk_entry_set_text (form->host_entry, s->host != NULL ? s->host : "");
  gtk_spin_button_set_value (form->port_spin, s->port);
  gtk_combo_box_set_active_id (form->security_combo, cachet_security_to_string (s->security));
  gtk_entry_set_text (form->user_entry, s->user != NULL ? s->user : "");
  form->security = s->security;
  self->filling = filling;
}

static void
show_source (CachetWizardReviewPage *self,
             CachetWizardServerForm *form)
{
  const CachetDiscoveryCandidate *c = selected (form);
  g_autoptr(GString) text = g_string_new (NULL);

  if (c == NULL)
    {
      g_string_append (text, _("Your own settings."));
    }
  else
    {
      /* Translators: "From /usr/share/cachet/isp/demo.test.xml." */
      g_string_append_printf (text, _("From %s."), c->origin != NULL ? c->origin : "?");
      if (c->problem != NULL)
        g_string_append_printf (text, "\n%s", c->problem);
      else if (!c->trusted)
        g_string_append_printf (text, "\n%s",
                                _("Not confirmed by your provider: check these settings."));
    }
  gtk_label_set_text (form->source_label, text->str);
}

static void
show_policy (CachetWizardReviewPage *self)
{
  const CachetDiscoveryCandidate *c = selected (&self->pop3);
  const char *provider = c != NULL && c->provider != NULL ? c->provider : NULL;
  g_autofree char *text = NULL;

  if (c == NULL || !c->has_server_policy || provider == NULL)
    text = g_strdup (_("Fetched mail stays on the server. You can change that later in the "
                       "account’s settings."));
  else if (c->server_policy == CACHET_DELETE_AFTER_FETCH)
    /* Translators: %s is the provider's name */
    text = g_strdup_printf (_("Fetched mail is deleted from the server, as %s suggests."),
                            provider);
  else if (c->server_policy == CACHET_DELETE_AFTER_DAYS)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Fetched mail is deleted from the server after %u "
                                         "day, as %s suggests.",
                                         "Fetched mail is deleted from the server after %u "
                                         "days, as %s suggests.", c->delete_after_days),
                            c->delete_after_days, provider);
  else
    text = g_strdup_printf (_("Fetched mail stays on the server, as %s suggests."), provider);
  gtk_label_set_text (self->policy_label, text);
}

static gboolean
form_ready (CachetWizardServerForm *form)
{
  g_autofree char *host = shown_host (form);
  g_autofree char *user = shown_user (form);

  return host[0] != '\0' && cachet_host_is_valid (host) && user[0] != '\0'
         && gtk_spin_button_get_value_as_int (form->port_spin) > 0;
}

static void
update (CachetWizardReviewPage *self)
{
  guint mask = (shown_security (&self->pop3) == CACHET_SECURITY_PLAIN ? 1 : 0)
               | (shown_security (&self->smtp) == CACHET_SECURITY_PLAIN ? 2 : 0);
  gboolean complete;

  /* A confirmation covers exactly what it was given for. */
  if (mask != self->plain_mask)
    {
      self->plain_mask = mask;
      gtk_toggle_button_set_active (self->plain_check, FALSE);
      switch (mask)
        {
        case 1:
          gtk_label_set_text (self->plain_label,
                              _("The incoming server is not encrypted: your password and your "
                                "mail travel over the network in the clear, and anyone on the "
                                "way can read them."));
          break;
        case 2:
          gtk_label_set_text (self->plain_label,
                              _("The outgoing server is not encrypted: your password and the "
                                "mail you send travel over the network in the clear, and "
                                "anyone on the way can read them."));
          break;
        case 3:
          gtk_label_set_text (self->plain_label,
                              _("Neither server is encrypted: your password and all your mail "
                                "travel over the network in the clear, and anyone on the way "
                                "can read them."));
          break;
        default:
          break;
        }
      gtk_widget_set_visible (self->plain_box, mask != 0);
    }
  show_policy (self);

  complete = form_ready (&self->pop3) && form_ready (&self->smtp)
             && (mask == 0 || gtk_toggle_button_get_active (self->plain_check));
  if (complete != self->complete)
    {
      self->complete = complete;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
    }
}

static CachetWizardServerForm *
form_with (CachetWizardReviewPage *self,
           gpointer                widget)
{
  CachetWizardServerForm *forms[] = { &self->pop3, &self->smtp };

  for (gsize i = 0; i < G_N_ELEMENTS (forms); i++)
    if (widget == forms[i]->source_combo || widget == forms[i]->host_entry
        || widget == forms[i]->port_spin || widget == forms[i]->security_combo
        || widget == forms[i]->user_entry)
      return forms[i];
  return NULL;
}

/* The user changed a field: the settings are theirs now. */
static void
make_custom (CachetWizardReviewPage *self,
             CachetWizardServerForm *form)
{
  gboolean filling = self->filling;

  if (form->custom)
    return;
  form->custom = TRUE;
  self->filling = TRUE;
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (form->source_combo), CUSTOM_ID);
  self->filling = filling;
  show_source (self, form);
}

static void
source_changed_cb (CachetWizardReviewPage *self,
                   GtkComboBox            *combo)
{
  CachetWizardServerForm *form = form_with (self, combo);
  const CachetDiscoveryCandidate *c;

  if (form == NULL || self->filling)
    return;
  form->custom = g_strcmp0 (gtk_combo_box_get_active_id (combo), CUSTOM_ID) == 0;
  c = selected (form);
  if (c != NULL)
    fill_fields (self, form, c->server);
  show_source (self, form);
  update (self);
}

static void
field_changed_cb (CachetWizardReviewPage *self,
                  GtkWidget              *widget)
{
  CachetWizardServerForm *form = form_with (self, widget);

  if (form == NULL || self->filling)
    return;
  make_custom (self, form);
  update (self);
}

static void
security_changed_cb (CachetWizardReviewPage *self,
                     GtkComboBox            *combo)
{
  CachetWizardServerForm *form = form_with (self, combo);
  CachetSecurity after;
  gboolean smtp;

  if (form == NULL || self->filling)
    return;
  smtp = form == &self->smtp;
  after = shown_security (form);
  make_custom (self, form);
  /* The port follows along when it was the usual one of the protection it had. */
  if (gtk_spin_button_get_value_as_int (form->port_spin)
      == cachet_security_default_port (form->security, smtp))
    {
      self->filling = TRUE;
      gtk_spin_button_set_value (form->port_spin, cachet_security_default_port (after, smtp));
      self->filling = FALSE;
    }
  form->security = after;
  update (self);
}

static void
plain_toggled_cb (CachetWizardReviewPage *self)
{
  update (self);
}

static void
clear_form (CachetWizardServerForm *form)
{
  g_clear_pointer (&form->candidates, g_ptr_array_unref);
}

static void
cachet_wizard_review_page_dispose (GObject *object)
{
  CachetWizardReviewPage *self = CACHET_WIZARD_REVIEW_PAGE (object);

  clear_form (&self->pop3);
  clear_form (&self->smtp);
  g_clear_pointer (&self->result, cachet_discovery_result_unref);
  G_OBJECT_CLASS (cachet_wizard_review_page_parent_class)->dispose (object);
}

static void
cachet_wizard_review_page_finalize (GObject *object)
{
  CachetWizardReviewPage *self = CACHET_WIZARD_REVIEW_PAGE (object);

  g_free (self->address);
  G_OBJECT_CLASS (cachet_wizard_review_page_parent_class)->finalize (object);
}

static void
cachet_wizard_review_page_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  CachetWizardReviewPage *self = CACHET_WIZARD_REVIEW_PAGE (object);

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
cachet_wizard_review_page_class_init (CachetWizardReviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_wizard_review_page_dispose;
  object_class->finalize = cachet_wizard_review_page_finalize;
  object_class->get_property = cachet_wizard_review_page_get_property;

  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-wizard-review-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetWizardReviewPage, info_label);
  gtk_widget_class_bind_template_child (widget_class, CachetWizardReviewPage, policy_label);
  gtk_widget_class_bind_template_child (widget_class, CachetWizardReviewPage, plain_box);
  gtk_widget_class_bind_template_child (widget_class, CachetWizardReviewPage, plain_label);
  gtk_widget_class_bind_template_child (widget_class, CachetWizardReviewPage, plain_check);
#define BIND(proto, field) \
  gtk_widget_class_bind_template_child_full (widget_class, #proto "_" #field, FALSE, \
                                             G_STRUCT_OFFSET (CachetWizardReviewPage, proto.field))
  BIND (pop3, source_combo);
  BIND (pop3, source_label);
  BIND (pop3, host_entry);
  BIND (pop3, port_spin);
  BIND (pop3, security_combo);
  BIND (pop3, user_entry);
  BIND (smtp, source_combo);
  BIND (smtp, source_label);
  BIND (smtp, host_entry);
  BIND (smtp, port_spin);
  BIND (smtp, security_combo);
  BIND (smtp, user_entry);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, source_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, security_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, plain_toggled_cb);
}

static void
cachet_wizard_review_page_init (CachetWizardReviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cachet_wizard_review_page_set_result (self, NULL, NULL);
}

GtkWidget *
cachet_wizard_review_page_new (void)
{
  return g_object_new (CACHET_TYPE_WIZARD_REVIEW_PAGE, NULL);
}

static void
set_form (CachetWizardReviewPage *self,
          CachetWizardServerForm *form,
          gboolean                smtp)
{
  GPtrArray *found = self->result == NULL ? NULL
                     : smtp ? self->result->outgoing : self->result->incoming;
  int preferred = self->result == NULL ? -1
                  : smtp ? self->result->preferred_outgoing : self->result->preferred_incoming;
  g_autoptr(CachetServerSettings) empty = cachet_server_settings_new (smtp);

  clear_form (form);
  form->candidates = g_ptr_array_new ();
  gtk_combo_box_text_remove_all (form->source_combo);
  for (guint i = 0; found != NULL && i < found->len; i++)
    {
      const CachetDiscoveryCandidate *c = found->pdata[i];
      g_autofree char *id = g_strdup_printf ("%u", i);
      g_autofree char *where = cachet_format_host_port (c->server->host, c->server->port);
      g_autofree char *source = cachet_wizard_describe_source (c);
      g_autofree char *text = NULL;

      /* Translators: "pop.example.com:995, TLS — profile “Example Mail”" */
      text = g_strdup_printf (_("%s, %s — %s"), where, security_words (c->server->security),
                              source);
      g_ptr_array_add (form->candidates, (gpointer) c);
      gtk_combo_box_text_append (form->source_combo, id, text);
    }
  gtk_combo_box_text_append (form->source_combo, CUSTOM_ID, _("Your own settings"));

  if (preferred >= 0 && (guint) preferred < form->candidates->len)
    {
      g_autofree char *id = g_strdup_printf ("%d", preferred);
      const CachetDiscoveryCandidate *c = form->candidates->pdata[preferred];

      form->custom = FALSE;
      gtk_combo_box_set_active_id (GTK_COMBO_BOX (form->source_combo), id);
      fill_fields (self, form, c->server);
    }
  else
    {
      form->custom = TRUE;
      g_free (empty->user);
      empty->user = g_strdup (self->address);
      gtk_combo_box_set_active_id (GTK_COMBO_BOX (form->source_combo), CUSTOM_ID);
      fill_fields (self, form, empty);
    }
  show_source (self, form);
}

void
cachet_wizard_review_page_set_result (CachetWizardReviewPage *self,
                                      CachetDiscoveryResult  *result,
                                      const char             *address)
{
  const CachetDiscoveryCandidate *in, *out;

  g_return_if_fail (CACHET_IS_WIZARD_REVIEW_PAGE (self));

  if (result != NULL)
    cachet_discovery_result_ref (result);
  g_clear_pointer (&self->result, cachet_discovery_result_unref);
  self->result = result;
  g_free (self->address);
  self->address = g_strdup (address);

  self->filling = TRUE;
  set_form (self, &self->pop3, FALSE);
  set_form (self, &self->smtp, TRUE);
  self->filling = FALSE;

  in = result != NULL ? cachet_discovery_result_get_incoming (result) : NULL;
  out = result != NULL ? cachet_discovery_result_get_outgoing (result) : NULL;
  if (in != NULL && out != NULL)
    gtk_label_set_text (self->info_label,
                        _("Check what Cachet found, and change what your provider tells you "
                          "otherwise. Nothing is sent to these servers until the next page, "
                          "which tests the login."));
  else if (result != NULL && result->imap_only && in == NULL)
    gtk_label_set_text (self->info_label,
                        _("Your provider offers only IMAP for incoming mail, which Cachet "
                          "cannot use. If it offers POP3 too, type its settings."));
  else if (in != NULL || out != NULL)
    gtk_label_set_text (self->info_label,
                        _("Cachet found only some of the settings. Type the others as your "
                          "provider gives them."));
  else if (address != NULL)
    {
      g_autofree char *text =
        g_strdup_printf (_("Cachet found no servers for %s. Type the settings your provider "
                           "gives you."), address);
      gtk_label_set_text (self->info_label, text);
    }
  else
    gtk_label_set_text (self->info_label, _("Type the settings your provider gives you."));
  self->plain_mask = G_MAXUINT;   /* the warning is set up afresh */
  update (self);
}

gboolean
cachet_wizard_review_page_is_complete (CachetWizardReviewPage *self)
{
  g_return_val_if_fail (CACHET_IS_WIZARD_REVIEW_PAGE (self), FALSE);
  return self->complete;
}

const CachetDiscoveryCandidate *
cachet_wizard_review_page_get_source (CachetWizardReviewPage *self,
                                      gboolean                smtp)
{
  g_return_val_if_fail (CACHET_IS_WIZARD_REVIEW_PAGE (self), NULL);
  return selected (form_of (self, smtp));
}

static CachetServerSettings *
read_form (CachetWizardServerForm *form,
           gboolean                smtp)
{
  const CachetDiscoveryCandidate *c = selected (form);
  CachetServerSettings *s = cachet_server_settings_new (smtp);

  gtk_spin_button_update (form->port_spin);
  s->host = shown_host (form);
  s->port = (guint16) gtk_spin_button_get_value_as_int (form->port_spin);
  s->security = shown_security (form);
  s->user = shown_user (form);
  /* The method a provider names; else the best the server offers. */
  s->auth = c != NULL ? c->server->auth : CACHET_AUTH_AUTO;
  return s;
}

void
cachet_wizard_review_page_apply (CachetWizardReviewPage *self,
                                 CachetAccount          *account)
{
  g_autoptr(CachetServerSettings) pop3 = NULL;
  g_autoptr(CachetServerSettings) smtp = NULL;
  const CachetDiscoveryCandidate *c;

  g_return_if_fail (CACHET_IS_WIZARD_REVIEW_PAGE (self));
  g_return_if_fail (CACHET_IS_ACCOUNT (account));

  pop3 = read_form (&self->pop3, FALSE);
  smtp = read_form (&self->smtp, TRUE);
  cachet_account_set_pop3 (account, pop3);
  cachet_account_set_smtp (account, smtp);

  c = selected (&self->pop3);
  if (c != NULL && c->has_server_policy)
    {
      cachet_account_set_server_policy (account, c->server_policy);
      if (c->server_policy == CACHET_DELETE_AFTER_DAYS && c->delete_after_days > 0)
        cachet_account_set_delete_after_days (account, c->delete_after_days);
    }
  if (c != NULL && c->check_interval > 0)
    cachet_account_set_check_interval (account, c->check_interval);
}
