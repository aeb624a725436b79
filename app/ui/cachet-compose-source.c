/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-window"

#include "config.h"

#include "cachet-compose-source.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-crypto-mime.h"
#include "cachet-crypto-passphrase.h"

typedef struct
{
  gint64                  id;
  CachetCryptoRegistry   *registry;
  GApplication           *app;       /* keeps the registry */
  gboolean                loading;
  CachetPassphrasePrompt *prompt;
} LoadJob;

static void
load_job_free (gpointer data)
{
  LoadJob *job = data;

  g_clear_object (&job->app);
  g_clear_pointer (&job->prompt, cachet_passphrase_prompt_free);
  g_free (job);
}

void
cachet_compose_source_free (CachetComposeSource *source)
{
  if (source == NULL)
    return;
  g_clear_object (&source->message);
  g_free (source->problem);
  g_free (source);
}

static gboolean
contains_ascii_nocase (const char *data,
                       gsize       len,
                       const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; n <= len && i <= len - n; i++)
    if (g_ascii_strncasecmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

gboolean
cachet_compose_source_looks_encrypted (GBytes *bytes)
{
  static const char * const marks[] = {
    "multipart/encrypted", "application/pkcs7-mime", "application/x-pkcs7-mime",
    "-----BEGIN PGP MESSAGE-----",
  };
  gsize len;
  const char *data;

  g_return_val_if_fail (bytes != NULL, FALSE);

  data = g_bytes_get_data (bytes, &len);
  for (gsize i = 0; i < G_N_ELEMENTS (marks); i++)
    if (contains_ascii_nocase (data, len, marks[i]))
      return TRUE;
  return FALSE;
}

/* The headers of @bytes without its content: an empty text instead, so that a reply or a
 * forward has the subject, the addresses and the references, and no ciphertext. */
static CachetMessage *
headers_only (GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  const char *p = data, *end = data + len;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GBytes) result = NULL;
  gboolean skipping = FALSE;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *next = nl != NULL ? nl + 1 : end;
      gsize n = (gsize) ((nl != NULL ? nl : end) - p);

      if (n == 0 || (n == 1 && p[0] == '\r'))
        break;   /* the end of the headers */
      if (p[0] != ' ' && p[0] != '\t')
        skipping = g_ascii_strncasecmp (p, "Content-", 8) == 0
                   || g_ascii_strncasecmp (p, "MIME-Version:", 13) == 0;
      if (!skipping)
        {
          g_string_append_len (out, p, (gssize) n);
          g_string_append_c (out, '\n');
        }
      p = next;
    }
  g_string_append (out, "MIME-Version: 1.0\n"
                        "Content-Type: text/plain; charset=utf-8\n"
                        "\n");
  result = g_string_free_to_bytes (g_steal_pointer (&out));
  return cachet_message_new_from_bytes (result);
}

static void
load_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadJob *job = task_data;
  CachetCryptoOpenOptions options = {
    .ask_passphrase = cachet_passphrase_prompt_ask,
    .ask_passphrase_data = job->prompt,
    .cancellable = cancellable,
  };
  g_autoptr(CachetComposeSource) source = g_new0 (CachetComposeSource, 1);
  g_autoptr(CachetCryptoOpened) opened = NULL;
  GError *error = NULL;
  GBytes *bytes;

  source->message = cachet_store_load_message (CACHET_STORE (source_object), job->id, &error);
  if (source->message == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  bytes = cachet_message_get_bytes (source->message);
  if (bytes == NULL || !cachet_crypto_looks_sealed (bytes))
    {
      g_task_return_pointer (task, g_steal_pointer (&source),
                             (GDestroyNotify) cachet_compose_source_free);
      return;
    }

  if (job->registry != NULL)
    {
      opened = cachet_crypto_open (job->registry, bytes, &options, &error);
      if (opened == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      source->encrypted = opened->encrypted;
      source->decrypted = opened->decrypted;
      if (opened->encrypted && !opened->decrypted)
        source->problem = g_strdup (opened->problem != NULL ? opened->problem
                                    : _("it could not be decrypted"));
    }
  else if (cachet_compose_source_looks_encrypted (bytes))
    {
      source->encrypted = TRUE;
      source->problem = g_strdup (job->loading ? _("the encryption plugins are still loading")
                                  : _("no encryption plugin is loaded"));
    }

  if (source->problem != NULL)
    {
      g_autoptr(CachetMessage) bare = headers_only (bytes);

      g_set_object (&source->message, bare);
    }
  else if (opened != NULL && opened->message != NULL && !g_bytes_equal (opened->message, bytes))
    {
      g_autoptr(CachetMessage) clear = cachet_message_new_from_bytes (opened->message);

      /* Parsed here, not on the main thread. */
      (void) cachet_message_get_body_text (clear);
      g_set_object (&source->message, clear);
    }
  g_task_return_pointer (task, g_steal_pointer (&source),
                         (GDestroyNotify) cachet_compose_source_free);
}

void
cachet_compose_source_load_async (CachetStore          *store,
                                  gint64                id,
                                  CachetCryptoRegistry *registry,
                                  gboolean              loading,
                                  GtkWindow            *parent,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadJob *job;

  g_return_if_fail (CACHET_IS_STORE (store));

  job = g_new0 (LoadJob, 1);
  job->id = id;
  job->registry = registry;
  job->loading = loading;
  if (registry != NULL && g_application_get_default () != NULL)
    job->app = g_object_ref (g_application_get_default ());
  job->prompt = cachet_passphrase_prompt_new (parent, cancellable);
  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, cachet_compose_source_load_async);
  g_task_set_task_data (task, job, load_job_free);
  g_task_run_in_thread (task, load_worker);
}

CachetComposeSource *
cachet_compose_source_load_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cachet_compose_source_load_async,
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
