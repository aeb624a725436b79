/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-composer"

#include "config.h"

#include "cachet-address-completion.h"

#include <string.h>

#include "cachet-address.h"

/* How many addresses are offered, and how long a prefix must be before the store is asked
 * (one letter matches half the address book). */
#define MAX_ROWS       12
#define MIN_PREFIX     2

enum
{
  COLUMN_TEXT,
  N_COLUMNS
};

struct _CachetAddressCompletion
{
  GtkEntryCompletion  parent_instance;

  CachetStore        *store;
  GtkEntry           *entry;      /* weak */
  GtkListStore       *model;
  GCancellable       *cancellable;  /* the lookup running, or NULL */
  char               *prefix;       /* what the rows were found for */
  gboolean            poking;       /* re-emitting "changed" to show the popup */
};

G_DEFINE_FINAL_TYPE (CachetAddressCompletion, cachet_address_completion,
                     GTK_TYPE_ENTRY_COMPLETION)

char *
cachet_address_completion_get_token (const char *text,
                                     gsize      *start)
{
  gboolean quoted = FALSE, escaped = FALSE;
  gsize begin = 0;

  for (gsize i = 0; text[i] != '\0'; i++)
    {
      if (escaped)
        escaped = FALSE;
      else if (quoted && text[i] == '\\')
        escaped = TRUE;
      else if (text[i] == '"')
        quoted = !quoted;
      else if (!quoted && (text[i] == ',' || text[i] == ';'))
        begin = i + 1;
    }
  while (text[begin] == ' ' || text[begin] == '\t')
    begin++;
  if (start != NULL)
    *start = begin;
  return g_strdup (text + begin);
}

char *
cachet_address_completion_format (const char *name,
                                  const char *email)
{
  GString *out;

  if (name == NULL || *name == '\0')
    return g_strdup (email);
  out = g_string_new (NULL);
  /* RFC 5322 specials in a name need a quoted string. */
  if (strpbrk (name, "()<>[]:;@\\,.\"") != NULL)
    {
      g_string_append_c (out, '"');
      for (const char *p = name; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, name);
  g_string_append_printf (out, " <%s>", email);
  return g_string_free (out, FALSE);
}

static void
show_popup (CachetAddressCompletion *self)
{
  /* GtkEntryCompletion pops up from its own "changed" handler only; the rows came later. */
  if (self->entry == NULL || !gtk_widget_has_focus (GTK_WIDGET (self->entry)))
    return;
  self->poking = TRUE;
  g_signal_emit_by_name (self->entry, "changed");
  self->poking = FALSE;
}

static void
found_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CachetAddressCompletion) self = user_data;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;

  found = cachet_store_find_addresses_finish (CACHET_STORE (source), result, &error);
  if (found == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("No addresses to complete: %s", error->message);
          g_clear_object (&self->cancellable);
        }
      return;
    }
  g_clear_object (&self->cancellable);

  gtk_list_store_clear (self->model);
  for (guint i = 0; i < found->len; i++)
    {
      CachetAddress *address = g_ptr_array_index (found, i);
      g_autofree char *text = NULL;

      if (address->email == NULL)
        continue;
      text = cachet_address_completion_format (address->name, address->email);
      gtk_list_store_insert_with_values (self->model, NULL, -1, COLUMN_TEXT, text, -1);
    }
  if (found->len > 0)
    show_popup (self);
}

static void
entry_changed_cb (GtkEntry                *entry,
                  CachetAddressCompletion *self)
{
  g_autofree char *token = NULL;

  if (self->poking)
    return;
  token = cachet_address_completion_get_token (gtk_entry_get_text (entry), NULL);
  g_strstrip (token);
  if (g_strcmp0 (token, self->prefix) == 0)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_free (self->prefix);
  self->prefix = g_strdup (token);
  if (g_utf8_strlen (token, -1) < MIN_PREFIX || self->store == NULL
      || !cachet_store_is_open (self->store))
    {
      gtk_list_store_clear (self->model);
      return;
    }
  self->cancellable = g_cancellable_new ();
  cachet_store_find_addresses_async (self->store, token, MAX_ROWS, self->cancellable, found_cb,
                                     g_object_ref (self));
}

/* The store already chose the rows for what is typed. */
static gboolean
match_func (GtkEntryCompletion *completion,
            const char         *key,
            GtkTreeIter        *iter,
            gpointer            user_data)
{
  CachetAddressCompletion *self = CACHET_ADDRESS_COMPLETION (completion);

  return self->prefix != NULL && g_utf8_strlen (self->prefix, -1) >= MIN_PREFIX;
}

static gboolean
cachet_address_completion_match_selected (GtkEntryCompletion *completion,
                                          GtkTreeModel       *model,
                                          GtkTreeIter        *iter)
{
  CachetAddressCompletion *self = CACHET_ADDRESS_COMPLETION (completion);
  g_autofree char *chosen = NULL;
  g_autofree char *text = NULL;
  gsize start;

  if (self->entry == NULL)
    return FALSE;
  gtk_tree_model_get (model, iter, COLUMN_TEXT, &chosen, -1);
  text = g_strdup (gtk_entry_get_text (self->entry));
  g_free (cachet_address_completion_get_token (text, &start));
  text[start] = '\0';
  {
    g_autofree char *result = g_strconcat (text, chosen, ", ", NULL);

    /* The new text is complete: no lookup for it. */
    g_free (self->prefix);
    self->prefix = g_strdup ("");
    g_signal_handlers_block_by_func (self->entry, entry_changed_cb, self);
    gtk_entry_set_text (self->entry, result);
    g_signal_handlers_unblock_by_func (self->entry, entry_changed_cb, self);
    gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
  }
  gtk_list_store_clear (self->model);
  return TRUE;
}

static void
cachet_address_completion_dispose (GObject *object)
{
  CachetAddressCompletion *self = CACHET_ADDRESS_COMPLETION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->entry != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->entry, entry_changed_cb, self);
      g_object_remove_weak_pointer (G_OBJECT (self->entry), (gpointer *) &self->entry);
      self->entry = NULL;
    }
  g_clear_object (&self->store);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (cachet_address_completion_parent_class)->dispose (object);
}

static void
cachet_address_completion_finalize (GObject *object)
{
  CachetAddressCompletion *self = CACHET_ADDRESS_COMPLETION (object);

  g_free (self->prefix);

  G_OBJECT_CLASS (cachet_address_completion_parent_class)->finalize (object);
}

static void
cachet_address_completion_class_init (CachetAddressCompletionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cachet_address_completion_dispose;
  object_class->finalize = cachet_address_completion_finalize;
  GTK_ENTRY_COMPLETION_CLASS (klass)->match_selected =
    cachet_address_completion_match_selected;
}

static void
cachet_address_completion_init (CachetAddressCompletion *self)
{
  self->model = gtk_list_store_new (N_COLUMNS, G_TYPE_STRING);
}

CachetAddressCompletion *
cachet_address_completion_attach (GtkEntry    *entry,
                                  CachetStore *store)
{
  CachetAddressCompletion *self;

  g_return_val_if_fail (GTK_IS_ENTRY (entry), NULL);
  g_return_val_if_fail (store == NULL || CACHET_IS_STORE (store), NULL);

  self = g_object_new (CACHET_TYPE_ADDRESS_COMPLETION,
                       "model", NULL,
                       "minimum-key-length", MIN_PREFIX,
                       "inline-completion", FALSE,
                       "popup-single-match", TRUE,
                       NULL);
  gtk_entry_completion_set_model (GTK_ENTRY_COMPLETION (self), GTK_TREE_MODEL (self->model));
  gtk_entry_completion_set_text_column (GTK_ENTRY_COMPLETION (self), COLUMN_TEXT);
  gtk_entry_completion_set_match_func (GTK_ENTRY_COMPLETION (self), match_func, NULL, NULL);
  self->store = store != NULL ? g_object_ref (store) : NULL;
  self->entry = entry;
  g_object_add_weak_pointer (G_OBJECT (entry), (gpointer *) &self->entry);
  g_signal_connect (entry, "changed", G_CALLBACK (entry_changed_cb), self);
  gtk_entry_set_completion (entry, GTK_ENTRY_COMPLETION (self));
  g_object_unref (self);  /* the entry keeps it */
  return self;
}

guint
cachet_address_completion_get_n_rows (CachetAddressCompletion *self)
{
  g_return_val_if_fail (CACHET_IS_ADDRESS_COMPLETION (self), 0);
  return (guint) gtk_tree_model_iter_n_children (GTK_TREE_MODEL (self->model), NULL);
}

gboolean
cachet_address_completion_is_busy (CachetAddressCompletion *self)
{
  g_return_val_if_fail (CACHET_IS_ADDRESS_COMPLETION (self), FALSE);
  return self->cancellable != NULL;
}
