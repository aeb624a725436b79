/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "store-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

char *
store_test_new_data_dir (void)
{
  static int n;
  char *dir = g_strdup_printf ("%s/cachet-%d", g_get_user_data_dir (), n++);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

CachetStore *
store_test_open (const char *data_dir)
{
  g_autoptr(GError) error = NULL;
  CachetStore *store = cachet_store_new (data_dir);

  g_assert_true (cachet_store_open_sync (store, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return store;
}

void
store_test_close (CachetStore *store)
{
  cachet_store_close (store);
  g_object_unref (store);
  store_test_drain ();
}

void
store_test_drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

GBytes *
store_test_message (const char *message_id,
                    const char *subject,
                    const char *from,
                    const char *date,
                    const char *in_reply_to,
                    const char *references,
                    const char *body)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "From: %s\r\n", from ? from : "Alice Example <alice@example.org>");
  g_string_append (s, "To: Bob <bob@example.net>\r\n");
  g_string_append_printf (s, "Subject: %s\r\n", subject ? subject : "Hello");
  g_string_append_printf (s, "Date: %s\r\n", date ? date : "Mon, 01 Jan 2024 10:00:00 +0000");
  if (message_id)
    g_string_append_printf (s, "Message-ID: <%s>\r\n", message_id);
  if (in_reply_to)
    g_string_append_printf (s, "In-Reply-To: <%s>\r\n", in_reply_to);
  if (references)
    g_string_append_printf (s, "References: %s\r\n", references);
  g_string_append (s, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
  g_string_append (s, body ? body : "Just a test.\r\n");
  return g_string_free_to_bytes (s);
}

gint64
store_test_folder_id (CachetStore *store,
                      const char  *path)
{
  g_autoptr(CachetFolderInfo) info = cachet_store_get_folder_by_path (store, path);
  g_assert_nonnull (info);
  return info ? info->id : 0;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
store_test_list_files (const char *folder_dir,
                       const char *sub)
{
  g_autofree char *path = g_build_filename (folder_dir, sub, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);
  return names;
}

guint
store_test_count_files (CachetStore *store,
                        const char  *folder_path)
{
  g_autofree char *dir = g_build_filename (cachet_store_get_mail_dir (store), folder_path, NULL);
  g_autoptr(GPtrArray) cur = store_test_list_files (dir, "cur");
  g_autoptr(GPtrArray) new = store_test_list_files (dir, "new");
  return cur->len + new->len;
}

CachetMessageList *
store_test_list (CachetStore *store,
                 gint64       folder_id)
{
  g_autoptr(GError) error = NULL;
  CachetMessageList *list = cachet_store_list_messages_sync (store, folder_id, CACHET_SORT_DATE,
                                                             FALSE, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}

static CachetFlags
flags_of_name (const char *name)
{
  const char *info = strstr (name, ":2,");
  CachetFlags flags = 0;

  g_assert_nonnull (info);
  for (const char *p = info + 3; *p; p++)
    switch (*p)
      {
      case 'D': flags |= CACHET_FLAG_DRAFT; break;
      case 'F': flags |= CACHET_FLAG_FLAGGED; break;
      case 'P': flags |= CACHET_FLAG_PASSED; break;
      case 'R': flags |= CACHET_FLAG_REPLIED; break;
      case 'S': flags |= CACHET_FLAG_SEEN; break;
      case 'T': flags |= CACHET_FLAG_TRASHED; break;
      default: break;
      }
  return flags;
}

void
store_test_assert_consistent (CachetStore *store,
                              const char  *folder_path)
{
  g_autofree char *dir = g_build_filename (cachet_store_get_mail_dir (store), folder_path, NULL);
  g_autoptr(GPtrArray) cur = store_test_list_files (dir, "cur");
  g_autoptr(GPtrArray) new = store_test_list_files (dir, "new");
  gint64 folder_id = store_test_folder_id (store, folder_path);
  g_autoptr(CachetMessageList) list = store_test_list (store, folder_id);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(CachetFolderInfo) info = cachet_store_get_folder (store, folder_id);
  guint unread = 0;

  g_assert_cmpuint (new->len, ==, 0);
  g_assert_cmpuint (list->ids->len, ==, cur->len);
  g_assert_cmpuint (info->total, ==, cur->len);
  for (guint i = 0; i < list->ids->len; i++)
    {
      gint64 id = g_array_index (list->ids, gint64, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *path = cachet_store_dup_message_path (store, id, &error);
      g_autofree char *name = NULL;
      CachetMessageSummary summary;

      g_assert_no_error (error);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      name = g_path_get_basename (path);
      g_assert_false (g_hash_table_contains (seen, name));
      g_hash_table_add (seen, g_steal_pointer (&name));
      g_assert_true (cachet_store_get_summaries (store, &id, 1, &summary, &error));
      g_assert_no_error (error);
      g_assert_cmpint (summary.id, ==, id);
      g_assert_cmpint (summary.folder_id, ==, folder_id);
      {
        g_autofree char *base = g_path_get_basename (path);
        g_assert_cmpint (summary.flags, ==, flags_of_name (base));
      }
      if (!(summary.flags & CACHET_FLAG_SEEN))
        unread++;
      cachet_message_summary_clear (&summary);
    }
  g_assert_cmpuint (info->unread, ==, unread);
}

void
store_test_receive (CachetStoreIncoming *incoming,
                    const char          *uidl,
                    GBytes              *data)
{
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const guint8 *p = g_bytes_get_data (data, &len);

  g_assert_true (cachet_store_incoming_begin (incoming, uidl, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (cachet_store_incoming_write (incoming, p, len / 2, &error));
  g_assert_true (cachet_store_incoming_write (incoming, p + len / 2, len - len / 2, &error));
  g_assert_true (cachet_store_incoming_end (incoming, &error));
  g_assert_no_error (error);
}
