/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <locale.h>
#include <string.h>

#include "cachet-crypto-call.h"
#include "cachet-crypto-passphrase.h"

/* A window whose worker thread asks for a passphrase the way a plugin does, for
 * test-passphrase-dialog.py to answer over AT-SPI.  Round one asks until the answer is
 * "right" (again = TRUE after a wrong one), then says "Unlocked"; round two asks once and
 * says "Cancelled" when the dialog was cancelled.  Each result goes into the label
 * "Result". */

static GtkLabel *result_label;
static GtkWindow *window;

static gboolean
show_result_cb (gpointer data)
{
  g_autofree char *text = data;

  gtk_label_set_text (result_label, text);
  return G_SOURCE_REMOVE;
}

static void
show_result (const char *text)
{
  g_main_context_invoke (NULL, show_result_cb, g_strdup (text));
}

static gpointer
worker (gpointer data)
{
  CachetPassphrasePrompt *prompt = data;
  gboolean again = FALSE;
  char *answer;
  guint tries = 0;

  for (;;)
    {
      answer = cachet_passphrase_prompt_ask ("Test Key <key@example.org> (0123 4567)",
                                             "Unlock the key to decrypt a test message",
                                             again, prompt);
      if (answer == NULL)
        {
          show_result ("Cancelled");
          break;
        }
      tries++;
      if (strcmp (answer, "right") == 0)
        {
          g_autofree char *text = g_strdup_printf ("Unlocked after %u tries", tries);

          cachet_crypto_passphrase_free (answer);
          show_result (text);
          break;
        }
      cachet_crypto_passphrase_free (answer);
      again = TRUE;
    }

  /* Round two. */
  answer = cachet_passphrase_prompt_ask (NULL, NULL, FALSE, prompt);
  show_result (answer == NULL ? "Cancelled" : "Answered");
  cachet_crypto_passphrase_free (answer);
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CachetPassphrasePrompt) prompt = NULL;
  GtkWidget *label;

  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  g_set_prgname ("passphrase-helper");
  gtk_init (&argc, &argv);

  window = GTK_WINDOW (gtk_window_new (GTK_WINDOW_TOPLEVEL));
  gtk_window_set_title (window, "Passphrase Test");
  gtk_window_set_default_size (window, 500, 300);
  label = gtk_label_new ("Waiting");
  atk_object_set_name (gtk_widget_get_accessible (label), "Result");
  result_label = GTK_LABEL (label);
  gtk_container_add (GTK_CONTAINER (window), label);
  g_signal_connect (window, "destroy", G_CALLBACK (gtk_main_quit), NULL);
  gtk_widget_show_all (GTK_WIDGET (window));

  prompt = cachet_passphrase_prompt_new (window, NULL);
  g_thread_unref (g_thread_new ("ask", worker, prompt));
  gtk_main ();
  return 0;
}
