/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-cli"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cachet-cli-private.h"
#include "cachet-mbox.h"
#include "cachet-store.h"

/* The store commands run without a main loop: they use the _sync API from this (not a GUI)
 * thread.  The store's change signals go to a private main context that is dropped at the
 * end, so nothing piles up in the default one. */

/* Opening indexes every message when the index is new or was lost: say so. */
static void
open_progress_cb (guint64  done,
                  guint64  total,
                  gpointer data)
{
  gboolean tty = GPOINTER_TO_INT (data);

  if (total < 1000)
    return;
  if (tty)
    {
      fputc ('\r', stderr);
      fprintf (stderr, _("Indexing the mail store… %" PRIu64 " of %" PRIu64), done, total);
      if (done == total)
        fputc ('\n', stderr);
    }
  else if (done == 0 || done == total)
    fprintf (stderr, _("Indexing the mail store… %" PRIu64 " of %" PRIu64
                       "\n"), done, total);
}

gboolean
_cachet_cli_store_open (CliStore   *cli,
                        const char *command)
{
  g_autoptr(GError) error = NULL;

  cli->context = g_main_context_new ();
  g_main_context_push_thread_default (cli->context);
  cli->store = cachet_store_new_default ();
  if (!cachet_store_open_sync (cli->store, open_progress_cb,
                               GINT_TO_POINTER (isatty (STDERR_FILENO)), NULL, &error))
    {
      fprintf (stderr, _("cachet %s: cannot open the mail store in “%s”: %s\n"), command,
               cachet_store_get_data_dir (cli->store), error->message);
      return FALSE;
    }
  return TRUE;
}

void
_cachet_cli_store_close (CliStore *cli)
{
  if (cli->store)
    {
      cachet_store_close (cli->store);
      g_clear_object (&cli->store);
    }
  if (cli->context)
    {
      while (g_main_context_iteration (cli->context, FALSE))
        ;
      g_main_context_pop_thread_default (cli->context);
      g_clear_pointer (&cli->context, g_main_context_unref);
    }
}

/* Finds the folder @path ("A/B"), creating the missing levels. */
static CachetFolderInfo *
ensure_folder (CachetStore *store,
               const char  *path,
               GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr(GString) sofar = g_string_new (NULL);
  gint64 parent_id = 0;
  CachetFolderInfo *info = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0')
        continue;
      if (sofar->len > 0)
        g_string_append_c (sofar, '/');
      g_string_append (sofar, parts[i]);
      g_clear_pointer (&info, cachet_folder_info_free);
      info = cachet_store_get_folder_by_path (store, sofar->str);
      if (info == NULL)
        {
          gint64 id = cachet_store_create_folder_sync (store, parent_id, parts[i], NULL, error);
          if (id == 0)
            return NULL;
          info = cachet_store_get_folder (store, id);
          if (info == NULL)
            {
              g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_FAILED,
                           _("The folder “%s” was created but cannot be found."), sofar->str);
              return NULL;
            }
        }
      parent_id = info->id;
    }
  if (info == NULL)
    g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID,
                 _("“%s” is not a folder name."), path);
  return info;
}

typedef struct
{
  gboolean tty;
  int      last;   /* per mille on a tty, per cent in steps of 10 otherwise */
} ImportProgress;

static void
import_progress_cb (guint64  done,
                    guint64  total,
                    gpointer data)
{
  ImportProgress *p = data;
  int permille = total > 0 ? (int) MIN (1000, done * 1000 / total) : 1000;

  if (p->tty)
    {
      if (permille == p->last)
        return;
      p->last = permille;
      fputc ('\r', stderr);
      fprintf (stderr, _("Importing… %3d.%d%% (%.1f of %.1f MB)"), permille / 10,
               permille % 10, done / 1e6, total / 1e6);
      fflush (stderr);
    }
  else
    {
      int step = permille / 100 * 10;
      if (step <= p->last)
        return;
      p->last = step;
      fprintf (stderr, _("Importing… %d%%\n"), step);
    }
}

int
_cachet_cli_import_mbox (int    argc,
                         char **argv)
{
  g_autofree char *folder_name = NULL;
  g_auto(GStrv) files = NULL;
  GOptionEntry entries[] = {
    { "folder", 'f', 0, G_OPTION_ARG_STRING, &folder_name,
      N_("Import into this folder (created when missing; default Inbox)"), N_("NAME") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE — import an mbox file"));
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetFolderInfo) folder = NULL;
  CliStore cli = { NULL, NULL };
  ImportProgress progress = { isatty (STDERR_FILENO), -1 };
  guint n_imported = 0;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "cachet import-mbox: %s\n", error->message);
      return 2;
    }
  if (files == NULL || files[0] == NULL || files[1] != NULL)
    {
      fprintf (stderr, "%s", _("Usage: cachet import-mbox FILE [--folder NAME]\n"));
      return 2;
    }
  /* Check the file before making a folder for it. */
  {
    g_autoptr(CachetMboxReader) reader = cachet_mbox_reader_open (files[0], &error);
    if (reader == NULL)
      {
        fprintf (stderr, "cachet import-mbox: %s\n", error->message);
        return 1;
      }
  }

  if (!_cachet_cli_store_open (&cli, "import-mbox"))
    {
      _cachet_cli_store_close (&cli);
      return 1;
    }
  folder = ensure_folder (cli.store, folder_name ? folder_name : "Inbox", &error);
  if (folder == NULL)
    {
      fprintf (stderr, _("cachet import-mbox: cannot use the folder “%s”: %s\n"),
               folder_name ? folder_name : "Inbox", error->message);
      _cachet_cli_store_close (&cli);
      return 1;
    }

  ok = cachet_store_import_mbox_sync (cli.store, files[0], folder->id, import_progress_cb,
                                      &progress, &n_imported, NULL, &error);
  if (progress.tty)
    fprintf (stderr, "\n");
  _cachet_cli_store_close (&cli);
  if (!ok)
    {
      fprintf (stderr, _("cachet import-mbox: importing “%s” failed: %s\n"), files[0],
               error->message);
      if (n_imported > 0)
        fprintf (stderr, ngettext ("cachet import-mbox: %u message was imported before that.\n",
                                   "cachet import-mbox: %u messages were imported before that.\n",
                                   n_imported), n_imported);
      return 1;
    }
  printf (ngettext ("Imported %u message into %s\n", "Imported %u messages into %s\n",
                    n_imported), n_imported, folder->path);
  return 0;
}

/* One line per hit must stay one line. */
static char *
one_line (const char *text)
{
  char *s = g_strdup (text ? text : "");
  for (char *p = s; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  return s;
}

int
_cachet_cli_search (int    argc,
                    char **argv)
{
  g_autofree char *folder_name = NULL;
  g_auto(GStrv) words = NULL;
  GOptionEntry entries[] = {
    { "folder", 'f', 0, G_OPTION_ARG_STRING, &folder_name,
      N_("Search only this folder"), N_("NAME") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &words, NULL, N_("QUERY") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (
    _("QUERY — search the mail store (words, word*, \"a phrase\", from: to: subject:)"));
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMessageList) hits = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GHashTable) folder_paths = NULL;
  g_autofree char *query = NULL;
  CliStore cli = { NULL, NULL };
  gint64 folder_id = 0;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "cachet search: %s\n", error->message);
      return 2;
    }
  if (words == NULL || words[0] == NULL)
    {
      fprintf (stderr, "%s", _("Usage: cachet search QUERY [--folder NAME]\n"));
      return 2;
    }
  query = g_strjoinv (" ", words);

  if (!_cachet_cli_store_open (&cli, "search"))
    {
      _cachet_cli_store_close (&cli);
      return 1;
    }
  if (folder_name != NULL)
    {
      g_autoptr(CachetFolderInfo) folder = cachet_store_get_folder_by_path (cli.store,
                                                                            folder_name);
      if (folder == NULL)
        {
          fprintf (stderr, _("cachet search: there is no folder “%s”.\n"), folder_name);
          _cachet_cli_store_close (&cli);
          return 1;
        }
      folder_id = folder->id;
      /* Pick up what other programs changed there, as opening it in the window would. */
      if (!cachet_store_sync_folder_sync (cli.store, folder_id, NULL, &error))
        {
          fprintf (stderr, _("cachet search: %s\n"), error->message);
          g_clear_error (&error);
        }
    }

  hits = cachet_store_search_sync (cli.store, query, folder_id, NULL, &error);
  if (hits == NULL)
    {
      fprintf (stderr, _("cachet search: %s\n"), error->message);
      _cachet_cli_store_close (&cli);
      return 1;
    }

  folders = cachet_store_list_folders (cli.store);
  folder_paths = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < folders->len; i++)
    {
      CachetFolderInfo *info = g_ptr_array_index (folders, i);
      g_hash_table_insert (folder_paths, &info->id, info->path);
    }

  for (guint start = 0; start < hits->ids->len; start += 256)
    {
      guint n = MIN (256, hits->ids->len - start);
      CachetMessageSummary rows[256];

      if (!cachet_store_get_summaries (cli.store, &g_array_index (hits->ids, gint64, start), n,
                                       rows, &error))
        {
          fprintf (stderr, _("cachet search: %s\n"), error->message);
          _cachet_cli_store_close (&cli);
          return 1;
        }
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(GDateTime) date = NULL;
          g_autofree char *when = NULL;
          g_autofree char *from = NULL;
          g_autofree char *subject = NULL;
          const char *path;

          if (rows[i].id == 0)
            continue;
          if (rows[i].date > 0 && (date = g_date_time_new_from_unix_local (rows[i].date)))
            when = g_date_time_format (date, "%Y-%m-%d %H:%M");
          from = one_line (rows[i].from);
          subject = one_line (rows[i].subject);
          path = g_hash_table_lookup (folder_paths, &rows[i].folder_id);
          printf ("%s\t%s\t%s\t%s\n", when ? when : "-", from, subject, path ? path : "?");
          cachet_message_summary_clear (&rows[i]);
        }
    }
  if (hits->ids->len == 0)
    fprintf (stderr, "%s", _("No messages found.\n"));
  _cachet_cli_store_close (&cli);
  return 0;
}
