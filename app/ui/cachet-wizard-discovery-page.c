/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-wizard"

#include "config.h"

#include "cachet-wizard-discovery-page.h"

#include <glib/gi18n.h>

#include "cachet-account-wizard-private.h"

/* One row per step of the discovery (a spinner while it runs, then an icon whose
 * accessible name says the state, and the step's own sentence), and below them the
 * servers as they are found. */

G_DEFINE_FINAL_TYPE (CachetWizardDiscoveryPage, cachet_wizard_discovery_page, GTK_TYPE_BOX)

enum
{
  PROP_0,
  PROP_COMPLETE,
  N_PROPS
};

enum
{
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *
state_icon (CachetDiscoveryStepState state)
{
  switch (state)
    {
    case CACHET_DISCOVERY_STEP_FOUND:
      return "object-select-symbolic";
    case CACHET_DISCOVERY_STEP_NOTHING:
      return "action-unavailable-symbolic";
    case CACHET_DISCOVERY_STEP_FAILED:
    case CACHET_DISCOVERY_STEP_TIMED_OUT:
      return "dialog-warning-symbolic";
    case CACHET_DISCOVERY_STEP_CANCELLED:
      return "process-stop-symbolic";
    case CACHET_DISCOVERY_STEP_SKIPPED:
      return "media-skip-forward-symbolic";
    case CACHET_DISCOVERY_STEP_PENDING:
    case CACHET_DISCOVERY_STEP_RUNNING:
    default:
      return "content-loading-symbolic";
    }
}

static const char *
state_words (CachetDiscoveryStepState state)
{
  switch (state)
    {
    case CACHET_DISCOVERY_STEP_PENDING:
      return _("Waiting");
    case CACHET_DISCOVERY_STEP_RUNNING:
      return _("Looking");
    case CACHET_DISCOVERY_STEP_FOUND:
      return _("Found");
    case CACHET_DISCOVERY_STEP_NOTHING:
      return _("Nothing found");
    case CACHET_DISCOVERY_STEP_FAILED:
      return _("Did not work");
    case CACHET_DISCOVERY_STEP_TIMED_OUT:
      return _("Took too long");
    case CACHET_DISCOVERY_STEP_SKIPPED:
      return _("Not needed");
    case CACHET_DISCOVERY_STEP_CANCELLED:
    default:
      return _("Cancelled");
    }
}

static void
show_step (CachetWizardDiscoveryPage *self,
           CachetDiscoveryStep        step)
{
  CachetWizardStepRow *row = &self->rows[step];
  const CachetDiscoveryStepReport *report =
    self->discovery != NULL ? cachet_discovery_get_step_report (self->discovery, step) : NULL;
  CachetDiscoveryStepState state = report != NULL ? report->state : CACHET_DISCOVERY_STEP_PENDING;
  GtkSpinner *spinner = GTK_SPINNER (gtk_stack_get_child_by_name (row->icon_stack, "spinner"));

  if (state == CACHET_DISCOVERY_STEP_RUNNING)
    {
      gtk_spinner_start (spinner);
      gtk_stack_set_visible_child_name (row->icon_stack, "spinner");
    }
  else
    {
      gtk_spinner_stop (spinner);
      gtk_image_set_from_icon_name (row->state_image, state_icon (state), GTK_ICON_SIZE_BUTTON);
      gtk_widget_set_opacity (GTK_WIDGET (row->state_image),
                              state == CACHET_DISCOVERY_STEP_PENDING ? 0.3
                              : state == CACHET_DISCOVERY_STEP_SKIPPED ? 0.5 : 1.0);
      gtk_stack_set_visible_child_name (row->icon_stack, "state");
    }
  atk_object_set_name (gtk_widget_get_accessible (GTK_WIDGET (row->state_image)),
                       state_words (state));
  gtk_label_set_text (row->detail_label,
                      report != NULL && report->detail != NULL ? report->detail : "");
}

static void
step_changed_cb (CachetDiscovery           *discovery,
                 guint                      step,
                 CachetWizardDiscoveryPage *self)
{
  if (discovery == self->discovery && step < CACHET_DISCOVERY_N_STEPS)
    show_step (self, step);
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

static void
candidate_found_cb (CachetDiscovery           *discovery,
                    CachetDiscoveryCandidate  *c,
                    CachetWizardDiscoveryPage *self)
{
  g_autofree char *where = NULL;

  if (discovery != self->discovery)
    return;
  where = cachet_format_host_port (c->server->host, c->server->port);
  if (self->found->len > 0)
    g_string_append_c (self->found, '\n');
  /* Translators: "Incoming (POP3): pop.example.com:995, TLS — profile" */
  g_string_append_printf (self->found,
                          c->protocol == CACHET_DISCOVERY_PROTOCOL_POP3
                          ? _("Incoming (POP3): %s, %s — %s")
                          : _("Outgoing (SMTP): %s, %s — %s"),
                          where, security_words (c->server->security),
                          cachet_discovery_step_describe (c->source));
  gtk_label_set_text (self->found_label, self->found->str);
}

static void
set_complete (CachetWizardDiscoveryPage *self,
              gboolean                   running)
{
  self->running = running;
  gtk_widget_set_sensitive (self->cancel_button, running);
  gtk_widget_set_visible (self->cancel_button, running);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
}

static void
run_cb (GObject      *source,
        GAsyncResult *res,
        gpointer      data)
{
  g_autoptr(CachetWizardDiscoveryPage) self = data;
  CachetDiscovery *discovery = CACHET_DISCOVERY (source);
  g_autoptr(CachetDiscoveryResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const CachetDiscoveryCandidate *in, *out;

  result = cachet_discovery_run_finish (discovery, res, &error);
  if (discovery != self->discovery)
    return;   /* a run that was replaced */
  if (result == NULL)
    {
      /* Stopped: what was found so far is still worth showing. */
      result = cachet_discovery_get_result (discovery);
      if (result != NULL)
        cachet_discovery_result_ref (result);
    }
  g_clear_pointer (&self->result, cachet_discovery_result_unref);
  self->result = g_steal_pointer (&result);
  g_clear_object (&self->cancellable);

  in = self->result != NULL ? cachet_discovery_result_get_incoming (self->result) : NULL;
  out = self->result != NULL ? cachet_discovery_result_get_outgoing (self->result) : NULL;
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_label_set_text (self->heading_label, error->message);
  else if (self->stopped)
    gtk_label_set_text (self->heading_label,
                        _("The search was cancelled. Type the settings on the next page."));
  else if (in != NULL && out != NULL)
    gtk_label_set_text (self->heading_label, _("Found the servers of your address."));
  else if (in != NULL || out != NULL)
    gtk_label_set_text (self->heading_label,
                        _("Found only some of the servers. Type the others on the next page."));
  else
    gtk_label_set_text (self->heading_label,
                        _("No servers were found. Type the settings your provider gives you "
                          "on the next page."));
  set_complete (self, FALSE);
  g_signal_emit (self, signals[FINISHED], 0);
}

static void
cancel_clicked_cb (CachetWizardDiscoveryPage *self)
{
  cachet_wizard_discovery_page_stop (self);
}

static void
forget_run (CachetWizardDiscoveryPage *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->discovery != NULL)
    g_signal_handlers_disconnect_by_data (self->discovery, self);
  g_clear_object (&self->discovery);
  g_clear_pointer (&self->result, cachet_discovery_result_unref);
}

static void
cachet_wizard_discovery_page_dispose (GObject *object)
{
  CachetWizardDiscoveryPage *self = CACHET_WIZARD_DISCOVERY_PAGE (object);

  forget_run (self);
  g_clear_pointer (&self->profile, cachet_isp_profile_unref);
  g_clear_pointer (&self->directory, cachet_isp_directory_unref);
  G_OBJECT_CLASS (cachet_wizard_discovery_page_parent_class)->dispose (object);
}

static void
cachet_wizard_discovery_page_finalize (GObject *object)
{
  CachetWizardDiscoveryPage *self = CACHET_WIZARD_DISCOVERY_PAGE (object);

  g_string_free (self->found, TRUE);
  g_free (self->address);
  g_free (self->real_name);
  G_OBJECT_CLASS (cachet_wizard_discovery_page_parent_class)->finalize (object);
}

static void
cachet_wizard_discovery_page_get_property (GObject    *object,
                                           guint       prop_id,
                                           GValue     *value,
                                           GParamSpec *pspec)
{
  CachetWizardDiscoveryPage *self = CACHET_WIZARD_DISCOVERY_PAGE (object);

  switch (prop_id)
    {
    case PROP_COMPLETE:
      g_value_set_boolean (value, !self->running && self->discovery != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cachet_wizard_discovery_page_class_init (CachetWizardDiscoveryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_wizard_discovery_page_dispose;
  object_class->finalize = cachet_wizard_discovery_page_finalize;
  object_class->get_property = cachet_wizard_discovery_page_get_property;

  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/org/cachet/Cachet/cachet-wizard-discovery-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetWizardDiscoveryPage, heading_label);
  gtk_widget_class_bind_template_child (widget_class, CachetWizardDiscoveryPage, steps_grid);
  gtk_widget_class_bind_template_child (widget_class, CachetWizardDiscoveryPage, found_label);
  gtk_widget_class_bind_template_child (widget_class, CachetWizardDiscoveryPage, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
}

static void
add_row (CachetWizardDiscoveryPage *self,
         CachetDiscoveryStep        step)
{
  CachetWizardStepRow *row = &self->rows[step];
  GtkWidget *name = gtk_label_new (cachet_discovery_step_describe (step));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  PangoAttrList *bold = pango_attr_list_new ();

  row->icon_stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_valign (GTK_WIDGET (row->icon_stack), GTK_ALIGN_START);
  gtk_stack_add_named (row->icon_stack, gtk_spinner_new (), "spinner");
  row->state_image = GTK_IMAGE (gtk_image_new ());
  gtk_stack_add_named (row->icon_stack, GTK_WIDGET (row->state_image), "state");

  pango_attr_list_insert (bold, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  gtk_label_set_attributes (GTK_LABEL (name), bold);
  pango_attr_list_unref (bold);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  row->detail_label = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_xalign (row->detail_label, 0);
  gtk_label_set_line_wrap (row->detail_label, TRUE);
  gtk_label_set_line_wrap_mode (row->detail_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (row->detail_label, 60);
  gtk_label_set_selectable (row->detail_label, TRUE);
  gtk_widget_set_can_focus (GTK_WIDGET (row->detail_label), FALSE);
  gtk_style_context_add_class (gtk_widget_get_style_context (GTK_WIDGET (row->detail_label)),
                               "dim-label");
  gtk_container_add (GTK_CONTAINER (box), name);
  gtk_container_add (GTK_CONTAINER (box), GTK_WIDGET (row->detail_label));
  gtk_widget_set_hexpand (box, TRUE);

  gtk_grid_attach (self->steps_grid, GTK_WIDGET (row->icon_stack), 0, (int) step, 1, 1);
  gtk_grid_attach (self->steps_grid, box, 1, (int) step, 1, 1);
  gtk_widget_show_all (GTK_WIDGET (row->icon_stack));
  gtk_widget_show_all (box);
}

static void
cachet_wizard_discovery_page_init (CachetWizardDiscoveryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->found = g_string_new (NULL);
  for (guint step = 0; step < CACHET_DISCOVERY_N_STEPS; step++)
    {
      add_row (self, step);
      show_step (self, step);
    }
}

GtkWidget *
cachet_wizard_discovery_page_new (void)
{
  return g_object_new (CACHET_TYPE_WIZARD_DISCOVERY_PAGE, NULL);
}

void
_cachet_wizard_discovery_page_set_options (CachetWizardDiscoveryPage *self,
                                           CachetIspDirectory        *directory,
                                           CachetDiscoveryFlags       flags)
{
  g_clear_pointer (&self->directory, cachet_isp_directory_unref);
  if (directory != NULL)
    self->directory = cachet_isp_directory_ref (directory);
  self->flags = flags;
}

void
cachet_wizard_discovery_page_start (CachetWizardDiscoveryPage *self,
                                    const char                *address,
                                    const char                *real_name,
                                    CachetIspProfile          *profile)
{
  g_autofree char *heading = NULL;

  g_return_if_fail (CACHET_IS_WIZARD_DISCOVERY_PAGE (self));
  g_return_if_fail (address != NULL);

  forget_run (self);
  g_free (self->address);
  self->address = g_strdup (address);
  g_free (self->real_name);
  self->real_name = g_strdup (real_name);
  g_clear_pointer (&self->profile, cachet_isp_profile_unref);
  if (profile != NULL)
    self->profile = cachet_isp_profile_ref (profile);
  self->stopped = FALSE;
  g_string_truncate (self->found, 0);
  gtk_label_set_text (self->found_label, "");
  /* Translators: "Looking for the mail servers of jo@example.com…" */
  heading = g_strdup_printf (_("Looking for the mail servers of %s…"), address);
  gtk_label_set_text (self->heading_label, heading);

  self->discovery = cachet_discovery_new (address, real_name);
  cachet_discovery_set_profile (self->discovery, profile);
  if (self->directory != NULL)
    cachet_discovery_set_isp_directory (self->discovery, self->directory);
  cachet_discovery_set_flags (self->discovery, self->flags);
  g_signal_connect (self->discovery, "step-changed", G_CALLBACK (step_changed_cb), self);
  g_signal_connect (self->discovery, "candidate-found", G_CALLBACK (candidate_found_cb), self);
  self->cancellable = g_cancellable_new ();
  for (guint step = 0; step < CACHET_DISCOVERY_N_STEPS; step++)
    show_step (self, step);
  set_complete (self, TRUE);
  cachet_discovery_run_async (self->discovery, self->cancellable, run_cb, g_object_ref (self));
}

void
cachet_wizard_discovery_page_stop (CachetWizardDiscoveryPage *self)
{
  g_return_if_fail (CACHET_IS_WIZARD_DISCOVERY_PAGE (self));

  if (!self->running)
    return;
  self->stopped = TRUE;
  g_cancellable_cancel (self->cancellable);
}

gboolean
cachet_wizard_discovery_page_is_running (CachetWizardDiscoveryPage *self)
{
  g_return_val_if_fail (CACHET_IS_WIZARD_DISCOVERY_PAGE (self), FALSE);
  return self->running;
}

gboolean
cachet_wizard_discovery_page_ran_for (CachetWizardDiscoveryPage *self,
                                      const char                *address,
                                      const char                *real_name,
                                      CachetIspProfile          *profile)
{
  g_return_val_if_fail (CACHET_IS_WIZARD_DISCOVERY_PAGE (self), FALSE);
  return self->discovery != NULL && g_strcmp0 (self->address, address) == 0
         && g_strcmp0 (self->real_name, real_name) == 0 && self->profile == profile;
}

CachetDiscoveryResult *
cachet_wizard_discovery_page_get_result (CachetWizardDiscoveryPage *self)
{
  g_return_val_if_fail (CACHET_IS_WIZARD_DISCOVERY_PAGE (self), NULL);
  return self->running ? NULL : self->result;
}
