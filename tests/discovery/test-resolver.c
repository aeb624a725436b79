/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "test-resolver.h"

#include <string.h>

struct _TestResolver
{
  GResolver   parent_instance;
  GResolver  *real;
  GMutex      lock;
  GHashTable *hosts;   /* lower-case name -> TRUE */
  GHashTable *mx;      /* lower-case domain -> GPtrArray of GVariant "(qs)" */
};

G_DEFINE_FINAL_TYPE (TestResolver, test_resolver, G_TYPE_RESOLVER)

static gboolean
is_test_name (const char *name)
{
  return g_str_has_suffix (name, ".test") || g_str_has_suffix (name, ".test.");
}

static GList *
lookup_by_name_with_flags (GResolver                *resolver,
                           const char               *hostname,
                           GResolverNameLookupFlags  flags,
                           GCancellable             *cancellable,
                           GError                  **error)
{
  TestResolver *self = TEST_RESOLVER (resolver);
  g_autofree char *key = g_ascii_strdown (hostname, -1);
  gboolean known;

  g_mutex_lock (&self->lock);
  known = g_hash_table_contains (self->hosts, key);
  g_mutex_unlock (&self->lock);
  if (known && !(flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY))
    return g_list_prepend (NULL, g_inet_address_new_from_string ("127.0.0.1"));
  if (known || is_test_name (key))
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                   "Error resolving “%s”: Name or service not known", hostname);
      return NULL;
    }
  return g_resolver_lookup_by_name_with_flags (self->real, hostname, flags, cancellable, error);
}

static GList *
lookup_by_name (GResolver    *resolver,
                const char   *hostname,
                GCancellable *cancellable,
                GError      **error)
{
  return lookup_by_name_with_flags (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                    cancellable, error);
}

static GList *
lookup_records (GResolver           *resolver,
                const char          *rrname,
                GResolverRecordType  type,
                GCancellable        *cancellable,
                GError             **error)
{
  TestResolver *self = TEST_RESOLVER (resolver);

  if (type == G_RESOLVER_RECORD_MX)
    {
      g_autofree char *key = g_ascii_strdown (rrname, -1);
      GList *list = NULL;
      GPtrArray *records;

      g_mutex_lock (&self->lock);
      records = g_hash_table_lookup (self->mx, key);
      for (guint i = 0; records != NULL && i < records->len; i++)
        list = g_list_append (list, g_variant_ref (records->pdata[i]));
      g_mutex_unlock (&self->lock);
      if (list == NULL)
        g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                     "No DNS record of the requested type for “%s”", rrname);
      return list;
    }
  return g_resolver_lookup_records (self->real, rrname, type, cancellable, error);
}

static gchar *
lookup_by_address (GResolver     *resolver,
                   GInetAddress  *address,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return g_resolver_lookup_by_address (TEST_RESOLVER (resolver)->real, address, cancellable,
                                       error);
}

/* The asynchronous forms: the synchronous ones in a thread. */
typedef struct
{
  char                     *name;
  GResolverNameLookupFlags  flags;
  GResolverRecordType       type;
  GInetAddress             *address;
} Query;

static void
query_free (Query *q)
{
  g_free (q->name);
  g_clear_object (&q->address);
  g_free (q);
}

static void
free_addresses (gpointer list)
{
  g_resolver_free_addresses (list);
}

static void
free_records (gpointer list)
{
  g_list_free_full (list, (GDestroyNotify) g_variant_unref);
}

static void
names_worker (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Query *q = data;
  GError *error = NULL;
  GList *list = lookup_by_name_with_flags (source, q->name, q->flags, cancellable, &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, free_addresses);
}

static void
records_worker (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Query *q = data;
  GError *error = NULL;
  GList *list = lookup_records (source, q->name, q->type, cancellable, &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, free_records);
}

static void
address_worker (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Query *q = data;
  GError *error = NULL;
  char *name = lookup_by_address (source, q->address, cancellable, &error);

  if (name == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, name, g_free);
}

static void
run_query (GResolver          *resolver,
           Query              *q,
           GTaskThreadFunc     worker,
           GCancellable       *cancellable,
           GAsyncReadyCallback callback,
           gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);

  g_task_set_task_data (task, q, (GDestroyNotify) query_free);
  g_task_run_in_thread (task, worker);
}

static void
lookup_by_name_with_flags_async (GResolver                *resolver,
                                 const char               *hostname,
                                 GResolverNameLookupFlags  flags,
                                 GCancellable             *cancellable,
                                 GAsyncReadyCallback       callback,
                                 gpointer                  user_data)
{
  Query *q = g_new0 (Query, 1);

  q->name = g_strdup (hostname);
  q->flags = flags;
  run_query (resolver, q, names_worker, cancellable, callback, user_data);
}

static void
lookup_by_name_async (GResolver          *resolver,
                      const char         *hostname,
                      GCancellable       *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer            user_data)
{
  lookup_by_name_with_flags_async (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                   cancellable, callback, user_data);
}

static GList *
list_finish (GResolver     *resolver,
             GAsyncResult  *result,
             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
lookup_records_async (GResolver           *resolver,
                      const char          *rrname,
                      GResolverRecordType  type,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  Query *q = g_new0 (Query, 1);

  q->name = g_strdup (rrname);
  q->type = type;
  run_query (resolver, q, records_worker, cancellable, callback, user_data);
}

static void
lookup_by_address_async (GResolver          *resolver,
                         GInetAddress       *address,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  Query *q = g_new0 (Query, 1);

  q->address = g_object_ref (address);
  run_query (resolver, q, address_worker, cancellable, callback, user_data);
}

static gchar *
lookup_by_address_finish (GResolver     *resolver,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_resolver_finalize (GObject *object)
{
  TestResolver *self = TEST_RESOLVER (object);

  g_clear_object (&self->real);
  g_hash_table_unref (self->hosts);
  g_hash_table_unref (self->mx);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (test_resolver_parent_class)->finalize (object);
}

static void
test_resolver_class_init (TestResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_resolver_finalize;
  resolver_class->lookup_by_name = lookup_by_name;
  resolver_class->lookup_by_name_async = lookup_by_name_async;
  resolver_class->lookup_by_name_finish = list_finish;
  resolver_class->lookup_by_name_with_flags = lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = list_finish;
  resolver_class->lookup_records = lookup_records;
  resolver_class->lookup_records_async = lookup_records_async;
  resolver_class->lookup_records_finish = list_finish;
  resolver_class->lookup_by_address = lookup_by_address;
  resolver_class->lookup_by_address_async = lookup_by_address_async;
  resolver_class->lookup_by_address_finish = lookup_by_address_finish;
}

static void
test_resolver_init (TestResolver *self)
{
  g_mutex_init (&self->lock);
  self->real = g_resolver_get_default ();
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->mx = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) g_ptr_array_unref);
}

TestResolver *
test_resolver_install (void)
{
  static TestResolver *resolver;

  if (resolver == NULL)
    {
      resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);
      g_resolver_set_default (G_RESOLVER (resolver));
    }
  return resolver;
}

void
test_resolver_add_host (TestResolver *self,
                        const char   *name)
{
  g_mutex_lock (&self->lock);
  g_hash_table_add (self->hosts, g_ascii_strdown (name, -1));
  g_mutex_unlock (&self->lock);
}

void
test_resolver_add_mx (TestResolver *self,
                      const char   *domain,
                      guint16       preference,
                      const char   *host)
{
  g_autofree char *key = g_ascii_strdown (domain, -1);
  GPtrArray *records;

  g_mutex_lock (&self->lock);
  records = g_hash_table_lookup (self->mx, key);
  if (records == NULL)
    {
      records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
      g_hash_table_insert (self->mx, g_strdup (key), records);
    }
  g_ptr_array_add (records, g_variant_ref_sink (g_variant_new ("(qs)", preference, host)));
  g_mutex_unlock (&self->lock);
}
