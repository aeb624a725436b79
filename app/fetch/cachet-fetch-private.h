/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-fetcher.h"

G_BEGIN_DECLS

/* What the account says about deleting and large messages. */
typedef struct
{
  CachetServerPolicy       server_policy;
  guint                    delete_after_days;
  gboolean                 delete_when_deleted_locally;
  CachetLargeMessagePolicy large_policy;
  guint64                  large_size;        /* 0: no limit */
  gboolean                 safe_mode;         /* no UIDL: never delete */
} CachetFetchPolicy;

typedef enum
{
  CACHET_FETCH_KNOWN,         /* in the ledger: stored before */
  CACHET_FETCH_FULL,          /* to RETR */
  CACHET_FETCH_HEADERS,       /* to TOP n 0 (larger than the limit) */
  CACHET_FETCH_SKIP,          /* larger than the limit: left alone */
  CACHET_FETCH_DUPLICATE,     /* the server listed this UIDL before: left alone */
} CachetFetchAction;

/* One message on the server. */
typedef struct
{
  guint             number;
  guint64           size;
  char             *uidl;        /* the server's, or the header hash (by_headers) */
  gboolean          by_headers;  /* the server gave no usable UIDL: never deleted */
  CachetFetchAction action;
  /* From the ledger when KNOWN. */
  gboolean          partial;
  gboolean          deleted_locally;
  gint64            fetched;
  /* Set once a commit made it safe. */
  gboolean          stored_now;
} CachetFetchItem;

void     _cachet_fetch_item_free      (CachetFetchItem         *item);

/* Decides the action of each item from the ledger (key -> CachetLedgerEntry). */
void     _cachet_fetch_plan           (GPtrArray               *items,
                                       GHashTable              *ledger,
                                       const CachetFetchPolicy *policy);
/* Whether @item may and should be deleted on the server now. */
gboolean _cachet_fetch_should_delete  (const CachetFetchItem   *item,
                                       const CachetFetchPolicy *policy,
                                       gint64                   now);
/* The key of a message in safe mode: its size and header block. */
char    *_cachet_fetch_header_key     (guint64                  size,
                                       GChecksum               *headers);

/* cachet-fetch-worker.c */
typedef struct _CachetFetchJob CachetFetchJob;

/* The caller's progress callback and its main context, shared by the events in flight. */
typedef struct
{
  gatomicrefcount          ref;
  GMainContext            *context;
  CachetFetchProgressFunc  func;
  gpointer                 data;
  GDestroyNotify           destroy;
} CachetFetchProgressRelay;

CachetFetchProgressRelay *_cachet_fetch_progress_relay_new   (CachetFetchProgressFunc   func,
                                                              gpointer                  data,
                                                              GDestroyNotify            destroy);
void                      _cachet_fetch_progress_relay_unref (CachetFetchProgressRelay *relay);

struct _CachetFetchJob
{
  CachetStore             *store;
  char                    *account_id;
  char                    *account_name;
  CachetServerSettings    *pop3;
  char                    *ca_file;
  CachetFetchPolicy        policy;
  guint                    secrets_timeout_ms;
  guint                    network_timeout_s;

  CachetFetchProgressRelay *relay;     /* NULL: nobody listens */
  gint64                   last_progress;

  CachetFetchResult       *result;
};

void     _cachet_fetch_job_free       (CachetFetchJob          *job);
/* The whole fetch; fills job->result. */
gboolean _cachet_fetch_run            (CachetFetchJob          *job,
                                       GCancellable            *cancellable,
                                       GError                 **error);
void     _cachet_fetch_report         (CachetFetchJob          *job,
                                       CachetFetchStage         stage,
                                       guint                    n_done,
                                       guint                    n_total,
                                       guint64                  bytes_done,
                                       guint64                  bytes_total,
                                       gboolean                 force);

G_END_DECLS
