/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include <string.h>

#include "cachet-address.h"
#include "cachet-message-dump.h"
#include "cachet-message.h"
#include "cachet-store-private.h"

/* Body text kept in the full-text index per message. */
#define INDEX_TEXT_MAX (64 * 1024)

/* Parsing (libetpan, charset conversion, HTML to text) is most of the cost of indexing, so
 * it runs on a pool of threads while the writer thread inserts the previous batch. */
#define PARSE_THREADS 2

struct _CachetParseBatch
{
  GPtrArray *items;      /* CachetParseItem, owned by the caller */
  GMutex     mutex;
  GCond      cond;
  guint      pending;
};

typedef struct
{
  CachetParseBatch *batch;
  CachetParseItem  *item;
} ParseWork;

void
_cachet_parse_item_free (CachetParseItem *item)
{
  if (item == NULL)
    return;
  g_free (item->path);
  g_clear_pointer (&item->data, g_bytes_unref);
  _cachet_index_fields_free (item->fields);
  g_clear_error (&item->error);
  g_free (item);
}

/* "Re: Fwd: [list] Subject" sorts as "subject" (with the list tag kept: it groups). */
static char *
subject_sort_key (const char *subject)
{
  const char *p = subject ? subject : "";

  for (;;)
    {
      const char *q = p;
      while (*q == ' ' || *q == '\t')
        q++;
      if (g_ascii_strncasecmp (q, "re:", 3) == 0 || g_ascii_strncasecmp (q, "aw:", 3) == 0
          || g_ascii_strncasecmp (q, "sv:", 3) == 0 || g_ascii_strncasecmp (q, "fw:", 3) == 0)
        p = q + 3;
      else if (g_ascii_strncasecmp (q, "fwd:", 4) == 0)
        p = q + 4;
      else
        {
          p = q;
          break;
        }
    }
  return g_utf8_casefold (p, -1);
}

static void
append_addresses (GString   *out,
                  GPtrArray *addresses)
{
  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      CachetAddress *a = g_ptr_array_index (addresses, i);
      if (out->len > 0)
        g_string_append_c (out, ' ');
      if (a->name)
        g_string_append (out, a->name);
      if (a->name && a->email)
        g_string_append_c (out, ' ');
      if (a->email)
        g_string_append (out, a->email);
    }
}

static char *
display_list (GPtrArray *addresses)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append (out, cachet_address_get_display (g_ptr_array_index (addresses, i)));
    }
  return g_string_free (out, FALSE);
}

static CachetIndexFields *
fields_from_message (CachetMessage *message)
{
  CachetIndexFields *f = g_new0 (CachetIndexFields, 1);
  GPtrArray *from = cachet_message_get_from (message);
  const char * const *refs = cachet_message_get_references (message);
  GDateTime *date = cachet_message_get_date (message);
  const char *status;
  GString *s;

  f->message_id = g_strdup (cachet_message_get_message_id (message));
  f->in_reply_to = g_strdup (cachet_message_get_in_reply_to (message));
  if (refs != NULL && refs[0] != NULL)
    f->references = g_strjoinv (" ", (char **) refs);
  f->date = date ? g_date_time_to_unix (date) : 0;
  if (f->date < 0)
    f->date = 0;
  if (from != NULL && from->len > 0)
    {
      CachetAddress *a = g_ptr_array_index (from, 0);
      f->from_name = g_strdup (a->name);
      f->from_addr = g_strdup (a->email);
      f->sort_from = g_utf8_casefold (cachet_address_get_display (a), -1);
    }
  else
    f->sort_from = g_strdup ("");
  f->to_text = display_list (cachet_message_get_to (message));
  f->subject = g_strdup (cachet_message_get_subject (message));
  f->sort_subject = subject_sort_key (f->subject);
  f->has_attachment = cachet_message_has_attachments (message);
  status = cachet_message_get_header (message, "Status");
  if (status && strchr (status, 'R'))
    f->mbox_flags |= CACHET_FLAG_SEEN;
  status = cachet_message_get_header (message, "X-Status");
  if (status && strchr (status, 'A'))
    f->mbox_flags |= CACHET_FLAG_REPLIED;
  if (status && strchr (status, 'F'))
    f->mbox_flags |= CACHET_FLAG_FLAGGED;

  s = g_string_new (NULL);
  append_addresses (s, from);
  append_addresses (s, cachet_message_get_sender (message));
  f->fts_sender = g_string_free (s, FALSE);
  s = g_string_new (NULL);
  append_addresses (s, cachet_message_get_to (message));
  append_addresses (s, cachet_message_get_cc (message));
  append_addresses (s, cachet_message_get_bcc (message));
  f->fts_recipients = g_string_free (s, FALSE);
  f->fts_body = cachet_message_dup_index_text (message, INDEX_TEXT_MAX);
  return f;
}

static void
parse_item (CachetParseItem *item)
{
  g_autoptr(CachetMessage) message = NULL;

  if (item->data == NULL)
    {
      char *contents = NULL;
      gsize len = 0;

      if (!g_file_get_contents (item->path, &contents, &len, &item->error))
        return;
      item->data = g_bytes_new_take (contents, len);
    }
  item->size = g_bytes_get_size (item->data);
  message = cachet_message_new_from_bytes (item->data);
  item->fields = fields_from_message (message);
  /* The bytes are not needed any more once parsed (the file is on disk). */
  if (item->path != NULL)
    g_clear_pointer (&item->data, g_bytes_unref);
}

static void
parse_worker (gpointer data,
              gpointer user_data)
{
  ParseWork *work = data;
  CachetParseBatch *batch = work->batch;

  parse_item (work->item);
  g_free (work);

  g_mutex_lock (&batch->mutex);
  if (--batch->pending == 0)
    g_cond_signal (&batch->cond);
  g_mutex_unlock (&batch->mutex);
}

GThreadPool *
_cachet_store_parse_pool_new (void)
{
  guint n = MIN (PARSE_THREADS, MAX (1, g_get_num_processors ()));
  return g_thread_pool_new (parse_worker, NULL, n, FALSE, NULL);
}

CachetParseBatch *
_cachet_store_parse_start (GThreadPool *pool,
                           GPtrArray   *items)
{
  CachetParseBatch *batch = g_new0 (CachetParseBatch, 1);

  g_mutex_init (&batch->mutex);
  g_cond_init (&batch->cond);
  batch->items = items;
  batch->pending = items->len;
  if (pool == NULL)
    {
      for (guint i = 0; i < items->len; i++)
        parse_item (g_ptr_array_index (items, i));
      batch->pending = 0;
      return batch;
    }
  for (guint i = 0; i < items->len; i++)
    {
      ParseWork *work = g_new0 (ParseWork, 1);
      work->batch = batch;
      work->item = g_ptr_array_index (items, i);
      g_thread_pool_push (pool, work, NULL);
    }
  return batch;
}

/* Waits for every item of the batch and frees the batch (not the items). */
void
_cachet_store_parse_wait (CachetParseBatch *batch)
{
  if (batch == NULL)
    return;
  g_mutex_lock (&batch->mutex);
  while (batch->pending > 0)
    g_cond_wait (&batch->cond, &batch->mutex);
  g_mutex_unlock (&batch->mutex);
  g_mutex_clear (&batch->mutex);
  g_cond_clear (&batch->cond);
  g_free (batch);
}
