/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-store: time the mail store on a data directory.
 *
 *   bench-store DATA-DIR [--folder PATH] [--repeat N] [--query Q]...
 *
 * DATA-DIR is what Cachet uses as $XDG_DATA_HOME/cachet: Maildir folders
 * under DATA-DIR/mail/, the index in DATA-DIR/index.sqlite. Measures, in this
 * order: opening the store (a full index build from the Maildir when there
 * is no index yet), opening it again with the index in place, listing the
 * folder in several orders, fetching a screenful of row summaries, loading
 * one message, and full-text searches. Prints one result per line,
 * "name value unit", for bench/run-bench.sh to read. Never part of the tests:
 * timings belong here, not in assertions. */
#define G_LOG_DOMAIN "cachet-bench"

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "cachet-store.h"

static const char *default_queries[] = {
  "meeting",             /* a common word */
  "marmalade",           /* in one message of 200 */
  "quixotic",            /* in one message of 2,000 */
  "budget invoice",      /* two words, both must match */
  "\"please review\"",   /* a phrase */
  "conf*",               /* a prefix */
  "from:smith",
  "subject:release",
  NULL
};

static void
result (const char *name,
        double      value,
        const char *unit)
{
  printf ("%-28s %14.3f %s\n", name, value, unit);
  fflush (stdout);
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* kB value of a field of /proc/self/status, or -1. */
static double
proc_status_kb (const char *field)
{
  g_autofree char *status = NULL;
  g_auto(GStrv) lines = NULL;
  gsize field_len = strlen (field);

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  lines = g_strsplit (status, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strncmp (lines[i], field, field_len) == 0 && lines[i][field_len] == ':')
      return g_ascii_strtod (lines[i] + field_len + 1, NULL);
  return -1;
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  guint64 *last = user_data;

  if (done - *last >= 10000 || (done == total && done != *last))
    {
      fprintf (stderr, "  indexed %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT "\n",
               done, total);
      *last = done;
    }
}

static CachetStore *
open_store (const char *data_dir,
            double     *ms)
{
  g_autoptr(CachetStore) store = cachet_store_new (data_dir);
  g_autoptr(GError) error = NULL;
  guint64 last = 0;
  gint64 start = g_get_monotonic_time ();

  if (!cachet_store_open_sync (store, progress_cb, &last, NULL, &error))
    {
      fprintf (stderr, "bench-store: cannot open the store in %s: %s\n", data_dir,
               error->message);
      return NULL;
    }
  *ms = ms_since (start);
  return g_steal_pointer (&store);
}

static gboolean
time_list (CachetStore      *store,
           gint64            folder_id,
           const char       *name,
           CachetSortColumn  sort,
           gboolean          threaded,
           guint             repeat,
           CachetMessageList **list_out)
{
  g_autofree double *times = g_new0 (double, repeat);
  g_autofree char *key = g_strconcat ("list_", name, NULL);

  for (guint i = 0; i < repeat; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CachetMessageList) list = NULL;
      gint64 start = g_get_monotonic_time ();

      list = cachet_store_list_messages_sync (store, folder_id, sort, TRUE, threaded,
                                              NULL, &error);
      times[i] = ms_since (start);
      if (list == NULL)
        {
          fprintf (stderr, "bench-store: listing (%s) failed: %s\n", name, error->message);
          return FALSE;
        }
      if (list_out != NULL && i == repeat - 1)
        *list_out = g_steal_pointer (&list);
    }
  result (key, median (times, repeat), "ms");
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *folder_path = g_strdup ("Inbox");
  g_auto(GStrv) queries = NULL;
  int repeat = 5;
  GOptionEntry entries[] = {
    { "folder", 0, 0, G_OPTION_ARG_STRING, &folder_path, "Folder to list (default Inbox)",
      "PATH" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "Runs per list and query (median)", "N" },
    { "query", 0, 0, G_OPTION_ARG_STRING_ARRAY, &queries, "A search query (repeatable)", "Q" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("DATA-DIR");
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(CachetFolderInfo) folder = NULL;
  g_autoptr(CachetMessageList) list = NULL;
  g_autofree char *index_path = NULL;
  const char *const *query_list;
  gboolean had_index;
  double ms;
  guint n_rows;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 || repeat < 1)
    {
      fprintf (stderr, "usage: bench-store DATA-DIR [--folder PATH] [--repeat N] [--query Q]...\n");
      return 2;
    }
  query_list = queries != NULL ? (const char *const *) queries : default_queries;

  index_path = g_build_filename (argv[1], "index.sqlite", NULL);
  had_index = g_file_test (index_path, G_FILE_TEST_EXISTS);

  /* 1. First open: builds the index from the Maildir when there is none. */
  store = open_store (argv[1], &ms);
  if (store == NULL)
    return 1;
  folder = cachet_store_get_folder_by_path (store, folder_path);
  if (folder == NULL)
    {
      fprintf (stderr, "bench-store: no folder '%s'\n", folder_path);
      return 1;
    }
  result ("messages", folder->total, "");
  result ("unread", folder->unread, "");
  result (had_index ? "open_first_ms" : "index_build_ms", ms, "ms");
  if (!had_index)
    result ("index_build_rate", folder->total / (ms / 1000.0), "msg/s");
  result ("rss_after_build", proc_status_kb ("VmRSS") / 1024.0, "MB");
  cachet_store_close (store);
  g_clear_object (&store);
  g_clear_pointer (&folder, cachet_folder_info_free);

  /* 2. Open again, index in place: what every start of the application pays. */
  store = open_store (argv[1], &ms);
  if (store == NULL)
    return 1;
  result ("open_existing_ms", ms, "ms");
  folder = cachet_store_get_folder_by_path (store, folder_path);
  if (folder == NULL)
    return 1;

  /* 3. The message list in several orders. */
  if (!time_list (store, folder->id, "date_ms", CACHET_SORT_DATE, FALSE, repeat, &list) ||
      !time_list (store, folder->id, "subject_ms", CACHET_SORT_SUBJECT, FALSE, repeat, NULL) ||
      !time_list (store, folder->id, "size_ms", CACHET_SORT_SIZE, FALSE, repeat, NULL) ||
      !time_list (store, folder->id, "threaded_ms", CACHET_SORT_DATE, TRUE, repeat, NULL))
    return 1;
  n_rows = list->ids->len;
  result ("list_rows", n_rows, "");

  /* 4. A screenful of rows, as the list view asks for them. */
  if (n_rows > 0)
    {
      guint n = MIN (n_rows, 60);
      g_autofree CachetMessageSummary *rows = g_new0 (CachetMessageSummary, n);
      gint64 start = g_get_monotonic_time ();

      if (!cachet_store_get_summaries (store, (const gint64 *) list->ids->data, n, rows,
                                       &error))
        {
          fprintf (stderr, "bench-store: summaries failed: %s\n", error->message);
          return 1;
        }
      result ("summaries_60_ms", ms_since (start), "ms");
      for (guint i = 0; i < n; i++)
        cachet_message_summary_clear (&rows[i]);
    }

  /* 5. Open one message (parse from the Maildir file). */
  if (n_rows > 0)
    {
      g_autoptr(CachetMessage) message = NULL;
      gint64 start = g_get_monotonic_time ();

      message = cachet_store_load_message (store, g_array_index (list->ids, gint64, 0),
                                           &error);
      if (message == NULL)
        {
          fprintf (stderr, "bench-store: loading a message failed: %s\n", error->message);
          return 1;
        }
      result ("load_message_ms", ms_since (start), "ms");
    }

  /* 6. Full-text search, over every folder as the search entry does. */
  for (guint q = 0; query_list[q] != NULL; q++)
    {
      g_autofree double *times = g_new0 (double, repeat);
      g_autofree char *key = NULL;
      guint hits = 0;

      for (int i = 0; i < repeat; i++)
        {
          g_autoptr(CachetMessageList) found = NULL;
          gint64 start = g_get_monotonic_time ();

          found = cachet_store_search_sync (store, query_list[q], 0, NULL, &error);
          times[i] = ms_since (start);
          if (found == NULL)
            {
              fprintf (stderr, "bench-store: search '%s' failed: %s\n", query_list[q],
                       error->message);
              return 1;
            }
          hits = found->ids->len;
        }
      key = g_strdup_printf ("search_ms[%s]", query_list[q]);
      printf ("%-28s %14.3f ms (%u hits)\n", key, median (times, repeat), hits);
    }

  result ("rss_open", proc_status_kb ("VmRSS") / 1024.0, "MB");
  result ("rss_peak", proc_status_kb ("VmHWM") / 1024.0, "MB");
  cachet_store_close (store);
  return 0;
}
