/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-address.h"
#include "cachet-store-private.h"

/* Addresses seen, for completing To/Cc/Bcc in the composer.
 *
 * The index keeps the first sender of each message as a name and an address (from_name,
 * from_addr) and the To header only in its display form (to_text: "Name, Name, a@b", the
 * name where there is one).  So senders are found with their names, and recipients only
 * where they had no name (their display form is the address).  Nothing is added to the
 * index for this: one scan of the messages table in a worker thread is quick enough for a
 * person typing, and the answer is never stale. */

/* At most this many To lines are read for one prefix (a prefix matching your own address
 * matches nearly every message you received). */
#define MAX_TO_ROWS 20000

typedef struct
{
  char   *name;
  char   *email;
  guint   count;
  gint64  date;
} Seen;

static void
seen_free (Seen *seen)
{
  g_free (seen->name);
  g_free (seen->email);
  g_free (seen);
}

static int
seen_compare (gconstpointer a,
              gconstpointer b)
{
  const Seen *x = *(const Seen * const *) a;
  const Seen *y = *(const Seen * const *) b;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  if (x->date != y->date)
    return x->date > y->date ? -1 : 1;
  return g_strcmp0 (x->email, y->email);
}

/* @prefix for LIKE, with its own wildcards escaped. */
static char *
like_escape (const char *prefix)
{
  GString *out = g_string_new (NULL);

  for (const char *p = prefix; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* Does @text (or, with @words, a word of it) start with @folded (casefolded)? */
static gboolean
starts_with (const char *text,
             const char *folded,
             gboolean    words)
{
  g_autofree char *t = NULL;
  gsize len = strlen (folded);

  if (text == NULL)
    return FALSE;
  t = g_utf8_casefold (text, -1);
  if (strncmp (t, folded, len) == 0)
    return TRUE;
  if (!words)
    return FALSE;
  for (const char *p = t; *p != '\0'; p++)
    if ((*p == ' ' || *p == '.' || *p == '-' || *p == '"' || *p == '(')
        && strncmp (p + 1, folded, len) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
read_senders (CachetDb     *conn,
              const char   *like,
              const char   *like_word,
              const char   *folded,
              GHashTable   *seen,
              GError      **error)
{
  /* One row per address; the bare column from_name comes from the row of max(date), so
   * the name is the one the sender used last. */
  static const char sql[] =
    "SELECT from_name, from_addr, count(*), max(date) FROM messages"
    " WHERE from_addr IS NOT NULL AND from_addr <> ''"
    "  AND (from_addr LIKE ?1 ESCAPE '\\' OR from_name LIKE ?1 ESCAPE '\\'"
    "       OR from_name LIKE ?2 ESCAPE '\\')"
    " GROUP BY lower(from_addr)";
  sqlite3_stmt *stmt = _cachet_db_stmt (conn, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, like, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, like_word, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      const char *email = (const char *) sqlite3_column_text (stmt, 1);
      Seen *s;

      /* LIKE folds ASCII only: check again with Unicode case folding, which also drops
       * the rows where the prefix was inside a word. */
      if (!starts_with (email, folded, FALSE) && !starts_with (name, folded, TRUE))
        continue;
      s = g_new0 (Seen, 1);
      s->name = name != NULL && *name != '\0' ? g_strdup (name) : NULL;
      s->email = g_strdup (email);
      s->count = (guint) sqlite3_column_int64 (stmt, 2);
      s->date = sqlite3_column_int64 (stmt, 3);
      g_hash_table_replace (seen, g_ascii_strdown (email, -1), s);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cachet_db_set_error (error, conn, "addresses");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_recipients (CachetDb     *conn,
                 const char   *like_any,
                 const char   *folded,
                 GHashTable   *seen,
                 GError      **error)
{
  static const char sql[] =
    "SELECT to_text, date FROM messages WHERE to_text LIKE ?1 ESCAPE '\\' LIMIT ?2";
  sqlite3_stmt *stmt = _cachet_db_stmt (conn, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, like_any, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, MAX_TO_ROWS);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *to = (const char *) sqlite3_column_text (stmt, 0);
      gint64 date = sqlite3_column_int64 (stmt, 1);
      g_auto(GStrv) parts = g_strsplit (to != NULL ? to : "", ", ", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          char *email = g_strstrip (parts[i]);
          g_autofree char *key = NULL;
          Seen *s;

          /* A display form that is an address: no name was given. */
          if (strchr (email, '@') == NULL || strchr (email, ' ') != NULL
              || !starts_with (email, folded, FALSE))
            continue;
          key = g_ascii_strdown (email, -1);
          s = g_hash_table_lookup (seen, key);
          if (s == NULL)
            {
              s = g_new0 (Seen, 1);
              s->email = g_strdup (email);
              g_hash_table_insert (seen, g_steal_pointer (&key), s);
            }
          s->count++;
          s->date = MAX (s->date, date);
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cachet_db_set_error (error, conn, "addresses");
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
cachet_store_find_addresses_sync (CachetStore  *self,
                                  const char   *prefix,
                                  guint         limit,
                                  GCancellable *cancellable,
                                  GError      **error)
{
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GPtrArray) sorted = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *like = NULL;
  g_autofree char *like_word = NULL;
  g_autofree char *like_any = NULL;
  GPtrArray *result;
  CachetIndexReader *reader;
  GHashTableIter iter;
  gpointer value;
  gboolean ok;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);

  if (self->index == NULL || !self->opened)
    {
      g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_FAILED,
                   _("The mail store is not open."));
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  stripped = g_strstrip (g_strdup (prefix));
  folded = g_utf8_casefold (stripped, -1);
  /* SQLite's LIKE folds ASCII letters only: a prefix with other letters ("Ém") is looked
   * for in C alone. */
  escaped = g_str_is_ascii (stripped) ? like_escape (stripped) : g_strdup ("");
  like = g_strconcat (escaped, "%", NULL);
  like_word = g_strconcat ("% ", escaped, "%", NULL);
  like_any = g_strconcat ("%", escaped, "%", NULL);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) seen_free);

  reader = _cachet_index_reader_acquire (self->index, error);
  if (reader == NULL)
    return NULL;
  ok = read_senders (_cachet_index_reader_db (reader), like, like_word, folded, seen, error)
       && !g_cancellable_set_error_if_cancelled (cancellable, error)
       && read_recipients (_cachet_index_reader_db (reader), like_any, folded, seen, error);
  _cachet_index_reader_release (self->index, reader);
  if (!ok || g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  sorted = g_ptr_array_sized_new (g_hash_table_size (seen));
  g_hash_table_iter_init (&iter, seen);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (sorted, value);
  g_ptr_array_sort (sorted, seen_compare);
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_address_free);
  for (guint i = 0; i < sorted->len && (limit == 0 || i < limit); i++)
    {
      Seen *s = g_ptr_array_index (sorted, i);
      g_ptr_array_add (result, cachet_address_new (s->name, s->email));
    }
  return result;
}

typedef struct
{
  char  *prefix;
  guint  limit;
} FindJob;

static void
find_job_free (FindJob *job)
{
  g_free (job->prefix);
  g_free (job);
}

static void
find_worker (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  FindJob *job = data;
  GError *error = NULL;
  GPtrArray *found;

  found = cachet_store_find_addresses_sync (source, job->prefix, job->limit, cancellable,
                                            &error);
  if (found != NULL)
    g_task_return_pointer (task, found, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

void
cachet_store_find_addresses_async (CachetStore        *self,
                                   const char         *prefix,
                                   guint               limit,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  FindJob *job;

  g_return_if_fail (CACHET_IS_STORE (self));
  g_return_if_fail (prefix != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cachet_store_find_addresses_async);
  job = g_new0 (FindJob, 1);
  job->prefix = g_strdup (prefix);
  job->limit = limit;
  g_task_set_task_data (task, job, (GDestroyNotify) find_job_free);
  g_task_run_in_thread (task, find_worker);
}

GPtrArray *
cachet_store_find_addresses_finish (CachetStore  *self,
                                    GAsyncResult *result,
                                    GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
