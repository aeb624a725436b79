/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-passphrase"

#include "config.h"

#include "cachet-crypto-passphrase.h"

#include <glib/gi18n.h>

/* The dialog ------------------------------------------------------------------------------- */

struct _CachetPassphraseDialog
{
  GtkDialog  parent_instance;

  /* template */
  GtkLabel  *key_label;
  GtkLabel  *description_label;
  GtkLabel  *again_label;
  GtkEntry  *passphrase_entry;
  GtkWidget *ok_button;
};

G_DEFINE_FINAL_TYPE (CachetPassphraseDialog, cachet_passphrase_dialog, GTK_TYPE_DIALOG)

static guint n_open;

static void
passphrase_changed_cb (GtkEntry               *entry,
                       CachetPassphraseDialog *self)
{
  gtk_widget_set_sensitive (self->ok_button, gtk_entry_get_text_length (entry) > 0);
}

static void
cachet_passphrase_dialog_dispose (GObject *object)
{
  CachetPassphraseDialog *self = CACHET_PASSPHRASE_DIALOG (object);

  if (self->passphrase_entry != NULL)
    cachet_passphrase_dialog_wipe (self);
  G_OBJECT_CLASS (cachet_passphrase_dialog_parent_class)->dispose (object);
}

static void
cachet_passphrase_dialog_class_init (CachetPassphraseDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_passphrase_dialog_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/cachet/Cachet/cachet-crypto-passphrase.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetPassphraseDialog, key_label);
  gtk_widget_class_bind_template_child (widget_class, CachetPassphraseDialog, description_label);
  gtk_widget_class_bind_template_child (widget_class, CachetPassphraseDialog, again_label);
  gtk_widget_class_bind_template_child (widget_class, CachetPassphraseDialog, passphrase_entry);
  gtk_widget_class_bind_template_child (widget_class, CachetPassphraseDialog, ok_button);
  gtk_widget_class_bind_template_callback (widget_class, passphrase_changed_cb);
}

static void
cachet_passphrase_dialog_init (CachetPassphraseDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cachet_passphrase_dialog_new (GtkWindow  *parent,
                              const char *key_hint,
                              const char *description,
                              gboolean    again)
{
  CachetPassphraseDialog *self;
  g_autofree char *key = NULL;

  self = g_object_new (CACHET_TYPE_PASSPHRASE_DIALOG, "transient-for", parent, NULL);
  if (key_hint != NULL && *key_hint != '\0')
    /* Translators: %s names the key: "Alice <alice@example.org> (ABCD 1234)" */
    key = g_strdup_printf (_("Enter the passphrase of the secret key of %s."), key_hint);
  else
    key = g_strdup (_("Enter the passphrase of your secret key."));
  gtk_label_set_text (self->key_label, key);
  gtk_label_set_text (self->description_label, description != NULL ? description : "");
  gtk_widget_set_visible (GTK_WIDGET (self->description_label),
                          description != NULL && *description != '\0');
  gtk_widget_set_visible (GTK_WIDGET (self->again_label), again);
  gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_entry));
  return GTK_WIDGET (self);
}

const char *
cachet_passphrase_dialog_get_passphrase (CachetPassphraseDialog *self)
{
  g_return_val_if_fail (CACHET_IS_PASSPHRASE_DIALOG (self), NULL);
  return gtk_entry_get_text (self->passphrase_entry);
}

void
cachet_passphrase_dialog_wipe (CachetPassphraseDialog *self)
{
  GtkEntryBuffer *buffer;

  g_return_if_fail (CACHET_IS_PASSPHRASE_DIALOG (self));
  buffer = gtk_entry_get_buffer (self->passphrase_entry);
  /* GtkEntryBuffer zeroes the bytes it deletes, and its memory when it is freed. */
  gtk_entry_buffer_delete_text (buffer, 0, -1);
}

/* The prompt ------------------------------------------------------------------------------- */

struct _CachetPassphrasePrompt
{
  GWeakRef      parent;
  GCancellable *cancellable;
  GThread      *main_thread;
};

CachetPassphrasePrompt *
cachet_passphrase_prompt_new (GtkWindow    *parent,
                              GCancellable *cancellable)
{
  CachetPassphrasePrompt *prompt = g_new0 (CachetPassphrasePrompt, 1);

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_weak_ref_init (&prompt->parent, parent);
  prompt->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  prompt->main_thread = g_thread_self ();
  return prompt;
}

void
cachet_passphrase_prompt_free (CachetPassphrasePrompt *prompt)
{
  if (prompt == NULL)
    return;
  g_weak_ref_clear (&prompt->parent);
  g_clear_object (&prompt->cancellable);
  g_free (prompt);
}

guint
cachet_passphrase_prompt_get_n_open (void)
{
  return n_open;
}

/* One question, on the worker's stack while it waits. */
typedef struct
{
  CachetPassphrasePrompt *prompt;
  const char             *key_hint;
  const char             *description;
  gboolean                again;

  GMutex                  lock;
  GCond                   cond;
  gboolean                done;
  char                   *answer;

  /* main thread only */
  GtkWidget              *dialog;
  GSource                *cancel_source;
} Ask;

/* The answer is taken, the dialog goes and the worker wakes.  Nothing touches ASK after
 * the worker was woken: it may be gone. */
static void
finish (Ask  *ask,
        char *answer)
{
  if (ask->cancel_source != NULL)
    {
      g_source_destroy (ask->cancel_source);
      g_clear_pointer (&ask->cancel_source, g_source_unref);
    }
  if (ask->dialog != NULL)
    {
      g_signal_handlers_disconnect_by_data (ask->dialog, ask);
      cachet_passphrase_dialog_wipe (CACHET_PASSPHRASE_DIALOG (ask->dialog));
      gtk_widget_destroy (ask->dialog);
      ask->dialog = NULL;
      n_open--;
    }
  g_mutex_lock (&ask->lock);
  ask->answer = answer;
  ask->done = TRUE;
  g_cond_signal (&ask->cond);
  g_mutex_unlock (&ask->lock);
}

static void
response_cb (GtkDialog *dialog,
             int        response,
             Ask       *ask)
{
  char *answer = NULL;

  if (response == GTK_RESPONSE_OK)
    {
      const char *text = cachet_passphrase_dialog_get_passphrase (CACHET_PASSPHRASE_DIALOG (dialog));

      if (*text != '\0')
        answer = g_strdup (text);
      else
        return;   /* OK with nothing typed: the button is off; Enter does nothing */
    }
  finish (ask, answer);
}

/* Gone without an answer (its parent window closed): cancelled. */
static void
destroy_cb (GtkWidget *dialog,
            Ask       *ask)
{
  g_signal_handlers_disconnect_by_data (dialog, ask);
  ask->dialog = NULL;
  n_open--;
  finish (ask, NULL);
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  Ask *ask = user_data;

  finish (ask, NULL);
  return G_SOURCE_REMOVE;
}

static GtkWidget *
make_dialog (Ask *ask)
{
  g_autoptr(GtkWindow) parent = g_weak_ref_get (&ask->prompt->parent);
  GtkWidget *dialog;

  dialog = cachet_passphrase_dialog_new (parent, ask->key_hint, ask->description, ask->again);
  n_open++;
  return dialog;
}

static gboolean
show_cb (gpointer user_data)
{
  Ask *ask = user_data;

  if (g_cancellable_is_cancelled (ask->prompt->cancellable))
    {
      finish (ask, NULL);
      return G_SOURCE_REMOVE;
    }
  ask->dialog = make_dialog (ask);
  g_signal_connect (ask->dialog, "response", G_CALLBACK (response_cb), ask);
  g_signal_connect (ask->dialog, "destroy", G_CALLBACK (destroy_cb), ask);
  if (ask->prompt->cancellable != NULL)
    {
      ask->cancel_source = g_cancellable_source_new (ask->prompt->cancellable);
      g_source_set_callback (ask->cancel_source, G_SOURCE_FUNC (cancelled_cb), ask, NULL);
      g_source_attach (ask->cancel_source, NULL);
    }
  gtk_window_present (GTK_WINDOW (ask->dialog));
  return G_SOURCE_REMOVE;
}

char *
cachet_passphrase_prompt_ask (const char *key_hint,
                              const char *description,
                              gboolean    again,
                              gpointer    user_data)
{
  CachetPassphrasePrompt *prompt = user_data;
  Ask ask = { 0 };
  char *answer;

  g_return_val_if_fail (prompt != NULL, NULL);

  if (g_cancellable_is_cancelled (prompt->cancellable))
    return NULL;
  ask.prompt = prompt;
  ask.key_hint = key_hint;
  ask.description = description;
  ask.again = again;

  if (g_thread_self () == prompt->main_thread)
    {
      /* On the main thread (a caller that blocks it anyway): a nested loop. */
      GtkWidget *dialog = make_dialog (&ask);
      int response;

      response = gtk_dialog_run (GTK_DIALOG (dialog));
      answer = NULL;
      if (response == GTK_RESPONSE_OK
          && *cachet_passphrase_dialog_get_passphrase (CACHET_PASSPHRASE_DIALOG (dialog)) != '\0')
        answer = g_strdup (cachet_passphrase_dialog_get_passphrase (CACHET_PASSPHRASE_DIALOG (dialog)));
      cachet_passphrase_dialog_wipe (CACHET_PASSPHRASE_DIALOG (dialog));
      gtk_widget_destroy (dialog);
      n_open--;
      return answer;
    }

  g_mutex_init (&ask.lock);
  g_cond_init (&ask.cond);
  g_main_context_invoke (NULL, show_cb, &ask);
  g_mutex_lock (&ask.lock);
  while (!ask.done)
    g_cond_wait (&ask.cond, &ask.lock);
  answer = ask.answer;
  g_mutex_unlock (&ask.lock);
  g_mutex_clear (&ask.lock);
  g_cond_clear (&ask.cond);
  return answer;
}
