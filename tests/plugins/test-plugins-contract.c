/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-plugins"

#include "config.h"

#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "cachet-crypto-call.h"
#include "plugins-test-util.h"

/* The plugin contract as the host keeps it (PLUGIN-ABI.md, group 9), with
 * the fixture plugin contract-plugin.c.  The CI runs this under ASan and
 * UBSan as well. */

#define MIB (1024 * 1024)

typedef struct
{
  char               *dir;
  CachetCryptoLoaded *loaded;
} Fixture;

/* Test data that picks the fixture built with CONTRACT_SERIALIZE. */
static const char serialized_plugin[] = "contract-plugin-serialize.so";

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *name = data == serialized_plugin ? serialized_plugin : "contract-plugin.so";
  g_autofree char *file = g_build_filename (PLUGINS_BUILD_DIR, name, NULL);

  f->loaded = plugins_test_load_copy (PLUGINS_BUILD_DIR, file, &f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->loaded, cachet_crypto_loaded_free);
  plugins_test_remove_tree (f->dir);
  g_free (f->dir);
}

static CachetCryptoOutcome *
run_mode (Fixture             *f,
          const char          *mode,
          CachetCryptoRequest *request,
          GError             **error)
{
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) out = NULL;

  request->protocol = "contract";
  request->signer = mode;
  if (request->input == NULL)
    {
      in = g_memory_input_stream_new_from_data ("x", 1, NULL);
      request->input = in;
    }
  if (request->output == NULL)
    {
      out = g_memory_output_stream_new_resizable ();
      request->output = out;
    }
  return cachet_crypto_run (f->loaded, request, error);
}

/* ------------------------------------------------------------------------ */
/* Cancellation mid-stream                                                  */

/* A thread cancels when a stream says so; the stream waits until it has. */
typedef struct
{
  GMutex        lock;
  GCond         cond;
  gboolean      asked;
  gboolean      done;
  GCancellable *cancellable;
} Canceller;

static gpointer
canceller_worker (gpointer data)
{
  Canceller *c = data;

  g_mutex_lock (&c->lock);
  while (!c->asked)
    g_cond_wait (&c->cond, &c->lock);
  g_mutex_unlock (&c->lock);

  g_cancellable_cancel (c->cancellable);

  g_mutex_lock (&c->lock);
  c->done = TRUE;
  g_cond_broadcast (&c->cond);
  g_mutex_unlock (&c->lock);
  return NULL;
}

static void
canceller_trigger_cb (gpointer data)
{
  Canceller *c = data;

  g_mutex_lock (&c->lock);
  c->asked = TRUE;
  g_cond_broadcast (&c->cond);
  while (!c->done)
    g_cond_wait (&c->cond, &c->lock);
  g_mutex_unlock (&c->lock);
}

/* DATA: TRUE to cancel while the plugin reads (its next write must fail),
 * FALSE while it writes (its next read must fail).  Neither stream checks
 * the cancellable itself: the host must. */
static void
test_cancel_mid_stream (Fixture       *f,
                        gconstpointer  data)
{
  gboolean on_read = GPOINTER_TO_INT (data);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  CachetCryptoRequest request = { 0 };
  Canceller c = { .cancellable = cancellable };
  GThread *thread;
  gpointer weak_in, weak_out, weak_cancellable;
  guint64 produced, consumed;

  if (f->loaded == NULL)
    return;
  g_mutex_init (&c.lock);
  g_cond_init (&c.cond);
  in = plugins_test_gen_new ((guint64) 1024 * MIB, 1, NULL);
  out = plugins_test_sink_new (NULL);
  if (on_read)
    plugins_test_gen_set_trigger (PLUGINS_TEST_GEN (in), MIB, canceller_trigger_cb, &c);
  else
    plugins_test_sink_set_trigger (PLUGINS_TEST_SINK (out), MIB, canceller_trigger_cb, &c);
  thread = g_thread_new ("canceller", canceller_worker, &c);

  request.op = CACHET_CRYPTO_OP_ENCRYPT;
  request.cancellable = cancellable;
  request.input = in;
  request.output = out;
  outcome = run_mode (f, "copy", &request, &error);
  g_thread_join (thread);
  g_assert_null (outcome);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (c.done);

  /* Nothing went through after the cancel: the chunk in the plugin's
   * hands when it came is the last one. */
  produced = plugins_test_gen_get_count (PLUGINS_TEST_GEN (in));
  consumed = plugins_test_sink_get_count (PLUGINS_TEST_SINK (out));
  g_test_message ("read %" G_GUINT64_FORMAT ", written %" G_GUINT64_FORMAT, produced, consumed);
  g_assert_cmpuint (produced, >=, MIB);
  g_assert_cmpuint (produced, <=, MIB + 64 * 1024);
  if (on_read)
    g_assert_cmpuint (consumed, <, produced);   /* its write failed */
  else
    g_assert_cmpuint (consumed, ==, produced);  /* its next read failed */

  /* The host kept no reference to anything of the request. */
  weak_in = in;
  weak_out = out;
  weak_cancellable = cancellable;
  g_object_add_weak_pointer (G_OBJECT (in), &weak_in);
  g_object_add_weak_pointer (G_OBJECT (out), &weak_out);
  g_object_add_weak_pointer (G_OBJECT (cancellable), &weak_cancellable);
  g_clear_object (&in);
  g_clear_object (&out);
  g_clear_object (&cancellable);
  g_assert_null (weak_in);
  g_assert_null (weak_out);
  g_assert_null (weak_cancellable);
  g_mutex_clear (&c.lock);
  g_cond_clear (&c.cond);
}

/* ------------------------------------------------------------------------ */
/* The passphrase prompt                                                    */

typedef struct
{
  const char *const *answers;   /* one per ask; NULL: the user cancels */
  guint              n_asked;
  gboolean           again[4];
  char              *hint;
  char              *description;
  GCancellable      *cancel_during;  /* cancelled from another thread meanwhile */
} Prompt;

static gpointer
cancel_worker (gpointer data)
{
  g_cancellable_cancel (data);
  return NULL;
}

static char *
prompt_cb (const char *key_hint,
           const char *description,
           gboolean    again,
           gpointer    user_data)
{
  Prompt *p = user_data;
  const char *answer = p->answers[p->n_asked];

  g_assert_true (g_utf8_validate (key_hint, -1, NULL));
  g_assert_true (g_utf8_validate (description, -1, NULL));
  g_free (p->hint);
  g_free (p->description);
  p->hint = g_strdup (key_hint);
  p->description = g_strdup (description);
  if (p->n_asked < G_N_ELEMENTS (p->again))
    p->again[p->n_asked] = again;
  p->n_asked++;
  if (p->cancel_during != NULL)
    g_thread_join (g_thread_new ("cancel", cancel_worker, p->cancel_during));
  return g_strdup (answer);
}

static void
prompt_clear (Prompt *p)
{
  g_clear_pointer (&p->hint, g_free);
  g_clear_pointer (&p->description, g_free);
}

static void
test_passphrase (Fixture       *f,
                 gconstpointer  data)
{
  static const char *const wrong_then_right[] = { "wrong", "right" };
  static const char *const always_wrong[] = { "a", "b", "c" };
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  CachetCryptoRequest request = { 0 };
  Prompt p = { .answers = wrong_then_right };

  if (f->loaded == NULL)
    return;
  request.op = CACHET_CRYPTO_OP_DECRYPT;
  request.output = out;
  request.ask_passphrase = prompt_cb;
  request.ask_passphrase_data = &p;
  outcome = run_mode (f, "passphrase", &request, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (p.n_asked, ==, 2);
  g_assert_false (p.again[0]);
  g_assert_true (p.again[1]);
  /* The plugin's invalid UTF-8 was made valid. */
  g_assert_cmpstr (p.hint, ==, "KEY\xef\xbf\xbd" "1234");
  g_assert_cmpstr (p.description, ==, "Unlock the test key");
  g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)),
                   "unlocked", 8);
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);
  prompt_clear (&p);

  /* Wrong every time: the plugin's own sentence. */
  p = (Prompt) { .answers = always_wrong };
  request.output = NULL;
  outcome = run_mode (f, "passphrase", &request, &error);
  g_assert_null (outcome);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_BAD_PASSPHRASE);
  g_assert_cmpstr (error->message, ==, "The passphrase was wrong three times.");
  g_assert_cmpuint (p.n_asked, ==, 3);
  prompt_clear (&p);
}

static void
test_cancel_at_prompt (Fixture       *f,
                       gconstpointer  data)
{
  static const char *const cancels[] = { NULL };
  static const char *const right[] = { "right" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  CachetCryptoRequest request = { 0 };
  Prompt p = { .answers = cancels };

  if (f->loaded == NULL)
    return;
  /* The user cancels: the prompt returns NULL. */
  request.op = CACHET_CRYPTO_OP_DECRYPT;
  request.ask_passphrase = prompt_cb;
  request.ask_passphrase_data = &p;
  outcome = run_mode (f, "passphrase", &request, &error);
  g_assert_null (outcome);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (p.n_asked, ==, 1);
  g_clear_error (&error);
  prompt_clear (&p);

  /* No prompt at all: every ask is cancelled. */
  request.ask_passphrase = NULL;
  outcome = run_mode (f, "passphrase", &request, &error);
  g_assert_null (outcome);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Cancelled from another thread while the prompt is up: the answer is
   * thrown away. */
  p = (Prompt) { .answers = right, .cancel_during = cancellable };
  request.ask_passphrase = prompt_cb;
  request.cancellable = cancellable;
  outcome = run_mode (f, "passphrase", &request, &error);
  g_assert_null (outcome);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (p.n_asked, ==, 1);
  prompt_clear (&p);
}

/* ------------------------------------------------------------------------ */
/* 100 MB through encrypt and decrypt                                       */

typedef struct
{
  Fixture       *f;
  CachetCryptoOp op;
  GInputStream  *in;
  GOutputStream *out;
  GError        *error;
} Leg;

static gpointer
leg_worker (gpointer data)
{
  Leg *leg = data;
  CachetCryptoRequest request = { 0 };
  CachetCryptoOutcome *outcome;

  request.op = leg->op;
  request.protocol = "contract";
  request.signer = "copy";
  request.input = leg->in;
  request.output = leg->out;
  outcome = cachet_crypto_run (leg->f->loaded, &request, &leg->error);
  cachet_crypto_outcome_free (outcome);
  /* The end of the pipe: the other leg sees the end of its input (or a
   * broken pipe). */
  g_output_stream_close (leg->out, NULL, NULL);
  g_input_stream_close (leg->in, NULL, NULL);
  return NULL;
}

static glong
max_rss_kib (void)
{
  struct rusage usage;

  g_assert_no_errno (getrusage (RUSAGE_SELF, &usage));
  return usage.ru_maxrss;
}

/* Encrypt and decrypt run at once, joined by a pipe: a generator feeds
 * encrypt, a hashing sink takes what decrypt gives.  If the host buffered
 * a stream, the bytes in flight (made by the generator, not yet in the
 * sink) would grow with it. */
static void
test_stream_100mb (Fixture       *f,
                   gconstpointer  data)
{
  const guint64 total = 100 * MIB;
  PluginsTestFlow flow = { 0 };
  g_autoptr(GInputStream) gen = NULL;
  g_autoptr(GOutputStream) sink = NULL;
  g_autoptr(GInputStream) pipe_in = NULL;
  g_autoptr(GOutputStream) pipe_out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sent = NULL;
  g_autofree char *received = NULL;
  Leg encrypt, decrypt;
  GThread *threads[2];
  int fds[2];
  glong rss_before, rss_after;

  if (f->loaded == NULL)
    return;
  g_unix_open_pipe (fds, FD_CLOEXEC, &error);
  g_assert_no_error (error);
  pipe_in = g_unix_input_stream_new (fds[0], TRUE);
  pipe_out = g_unix_output_stream_new (fds[1], TRUE);
  gen = plugins_test_gen_new (total, 42, &flow);
  sink = plugins_test_sink_new (&flow);

  rss_before = max_rss_kib ();
  encrypt = (Leg) { f, CACHET_CRYPTO_OP_ENCRYPT, gen, pipe_out, NULL };
  decrypt = (Leg) { f, CACHET_CRYPTO_OP_DECRYPT, pipe_in, sink, NULL };
  threads[0] = g_thread_new ("encrypt", leg_worker, &encrypt);
  threads[1] = g_thread_new ("decrypt", leg_worker, &decrypt);
  g_thread_join (threads[0]);
  g_thread_join (threads[1]);
  rss_after = max_rss_kib ();

  g_assert_no_error (encrypt.error);
  g_assert_no_error (decrypt.error);
  g_assert_cmpuint (plugins_test_gen_get_count (PLUGINS_TEST_GEN (gen)), ==, total);
  g_assert_cmpuint (plugins_test_sink_get_count (PLUGINS_TEST_SINK (sink)), ==, total);
  sent = plugins_test_gen_dup_sha256 (PLUGINS_TEST_GEN (gen));
  received = plugins_test_sink_dup_sha256 (PLUGINS_TEST_SINK (sink));
  g_assert_cmpstr (sent, ==, received);

  g_test_message ("most bytes in flight: %" G_GUINT64_FORMAT "; peak RSS grew by %ld KiB",
                  flow.max_in_flight, rss_after - rss_before);
  /* A pipe (64 KiB), two plugin buffers (64 KiB each) and a read. */
  g_assert_cmpuint (flow.max_in_flight, <=, 4 * MIB);
  g_assert_cmpint (rss_after - rss_before, <, 64 * 1024);
}

/* ------------------------------------------------------------------------ */
/* Concurrent calls                                                         */

#define N_THREADS 8
#define N_CALLS   25

typedef struct
{
  Fixture *f;
  guint    index;
  guint    failures;
} Caller;

static gpointer
caller_worker (gpointer data)
{
  Caller *caller = data;

  for (guint call = 0; call < N_CALLS; call++)
    {
      g_autofree char *tag = g_strdup_printf ("thread-%u-call-%u", caller->index, call);
      const char *recipients[] = { tag, NULL };
      gsize len = 100 + caller->index * 997 + call * 131;
      g_autofree guchar *text = g_malloc (len);
      g_autofree guchar *expected = g_malloc (len);
      g_autoptr(GInputStream) in = NULL;
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
      g_autoptr(GError) error = NULL;
      g_autoptr(CachetCryptoOutcome) outcome = NULL;
      CachetCryptoRequest request = { 0 };
      CachetCryptoSignatureResult *sig;

      for (gsize i = 0; i < len; i++)
        {
          text[i] = (guchar) (i * 7 + caller->index + call);
          expected[i] = text[i] ^ 0xa5;
        }
      in = g_memory_input_stream_new_from_data (text, (gssize) len, NULL);
      request.op = call % 2 == 0 ? CACHET_CRYPTO_OP_ENCRYPT : CACHET_CRYPTO_OP_DECRYPT;
      request.protocol = "contract";
      request.signer = "copy";
      request.recipients = recipients;
      request.input = in;
      request.output = out;
      outcome = cachet_crypto_run (caller->f->loaded, &request, &error);
      if (outcome == NULL)
        {
          g_test_message ("%s: %s", tag, error->message);
          caller->failures++;
          continue;
        }
      /* Its own output, its own results, nobody else's. */
      g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                       g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)),
                       expected, len);
      g_assert_cmpstr (g_hash_table_lookup (outcome->values, "micalg"), ==, tag);
      g_assert_cmpuint (outcome->signatures->len, ==, 1);
      sig = g_ptr_array_index (outcome->signatures, 0);
      g_assert_cmpstr (sig->fingerprint, ==, tag);
    }
  return NULL;
}

static int
most_calls_at_once (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  CachetCryptoRequest request = { .op = CACHET_CRYPTO_OP_ENCRYPT };
  CachetCryptoKeyResult *key;

  outcome = run_mode (f, "report", &request, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outcome->keys->len, ==, 1);
  key = g_ptr_array_index (outcome->keys, 0);
  g_assert_cmpstr (key->fingerprint, ==, "REPORT");
  return (int) key->created;
}

/* 8 threads x N calls on one plugin.  With DATA set the fixture claims
 * SERIALIZE_CALLS and fails any call that overlaps another. */
static void
test_concurrent (Fixture       *f,
                 gconstpointer  data)
{
  gboolean serialized = data == serialized_plugin;
  Caller callers[N_THREADS];
  GThread *threads[N_THREADS];
  int most;

  if (f->loaded == NULL)
    return;
  g_assert_cmpint ((f->loaded->info.capabilities & CACHET_CRYPTO_CAP_SERIALIZE_CALLS) != 0, ==,
                   serialized);
  for (guint i = 0; i < N_THREADS; i++)
    {
      callers[i] = (Caller) { f, i, 0 };
      threads[i] = g_thread_new ("caller", caller_worker, &callers[i]);
    }
  for (guint i = 0; i < N_THREADS; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (callers[i].failures, ==, 0);
    }
  most = most_calls_at_once (f);
  g_test_message ("most calls inside the plugin at once: %d", most);
  if (serialized)
    g_assert_cmpint (most, ==, 1);
}

static gpointer
meet_worker (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;
  CachetCryptoRequest request = { .op = CACHET_CRYPTO_OP_ENCRYPT };
  CachetCryptoOutcome *outcome = run_mode (f, "meet", &request, &error);

  g_assert_no_error (error);
  return outcome;
}

/* Without SERIALIZE_CALLS, two calls do run at once: each waits inside
 * the plugin until the other has arrived. */
static void
test_not_serialized (Fixture       *f,
                     gconstpointer  data)
{
  GThread *threads[2];

  if (f->loaded == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("meet", meet_worker, f);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_autoptr(CachetCryptoOutcome) outcome = g_thread_join (threads[i]);
      CachetCryptoKeyResult *key;

      g_assert_cmpuint (outcome->keys->len, ==, 1);
      key = g_ptr_array_index (outcome->keys, 0);
      g_assert_cmpstr (key->fingerprint, ==, "MEET");
      g_assert_cmpint (key->created, ==, 1);
    }
}

/* ------------------------------------------------------------------------ */
/* What a plugin reports                                                    */

static void
test_unknown_result_keys (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  CachetCryptoRequest request = { .op = CACHET_CRYPTO_OP_ENCRYPT };
  const char *content_type;

  if (f->loaded == NULL)
    return;
  outcome = run_mode (f, "values", &request, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (outcome->values), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (outcome->values, "micalg"), ==, "pgp-sha256");
  g_assert_false (g_hash_table_contains (outcome->values, "x-unknown-key"));
  g_assert_false (g_hash_table_contains (outcome->values, "MICALG"));
  g_assert_false (g_hash_table_contains (outcome->values, "protocol"));
  content_type = g_hash_table_lookup (outcome->values, "content-type");
  g_assert_true (g_utf8_validate (content_type, -1, NULL));
  g_assert_true (g_str_has_prefix (content_type, "text/plain; name=\"caf"));
}

static CachetCryptoSignatureResult *
find_signature (CachetCryptoOutcome *outcome,
                const char          *fingerprint)
{
  for (guint i = 0; i < outcome->signatures->len; i++)
    {
      CachetCryptoSignatureResult *sig = g_ptr_array_index (outcome->signatures, i);
      if (g_strcmp0 (sig->fingerprint, fingerprint) == 0)
        return sig;
    }
  return NULL;
}

static CachetCryptoKeyResult *
find_key (CachetCryptoOutcome *outcome,
          const char          *fingerprint)
{
  for (guint i = 0; i < outcome->keys->len; i++)
    {
      CachetCryptoKeyResult *key = g_ptr_array_index (outcome->keys, i);
      if (g_strcmp0 (key->fingerprint, fingerprint) == 0)
        return key;
    }
  return NULL;
}

/* The one that must be there. */
static CachetCryptoSignatureResult *
get_signature (CachetCryptoOutcome *outcome,
               const char          *fingerprint)
{
  CachetCryptoSignatureResult *sig = find_signature (outcome, fingerprint);

  if (sig == NULL)
    g_error ("no signature %s", fingerprint);
  return sig;
}

static CachetCryptoKeyResult *
get_key (CachetCryptoOutcome *outcome,
         const char          *fingerprint)
{
  CachetCryptoKeyResult *key = find_key (outcome, fingerprint);

  if (key == NULL)
    g_error ("no key %s", fingerprint);
  return key;
}

/* Short structs ignored, longer ones read up to what the host knows,
 * unknown constants read as error / unknown, invalid UTF-8 made valid. */
static void
test_result_structs (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  CachetCryptoRequest request = { .op = CACHET_CRYPTO_OP_DECRYPT };
  CachetCryptoSignatureResult *sig;
  CachetCryptoKeyResult *key;

  if (f->loaded == NULL)
    return;
  outcome = run_mode (f, "structs", &request, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (outcome->signatures->len, ==, 4);
  g_assert_cmpuint (outcome->keys->len, ==, 3);
  g_assert_null (find_signature (outcome, "SHORT"));
  g_assert_null (find_key (outcome, "SHORT"));

  sig = get_signature (outcome, "LONG");
  g_assert_cmpint (sig->status, ==, CACHET_CRYPTO_SIG_BAD);
  g_assert_cmpuint (sig->summary, ==, CACHET_CRYPTO_SIG_SUMMARY_KEY_EXPIRED);
  g_assert_cmpint (sig->validity, ==, CACHET_CRYPTO_VALIDITY_MARGINAL);
  g_assert_cmpstr (sig->signer_uid, ==, "Long <long@example.org>");
  g_assert_cmpstr (sig->pubkey_algorithm, ==, "ed25519");
  g_assert_cmpstr (sig->hash_algorithm, ==, "sha512");
  g_assert_cmpint (sig->created, ==, 1700000000);
  g_assert_cmpint (sig->expires, ==, 1800000000);
  g_assert_cmpstr (sig->detail, ==, "longer struct");
  key = get_key (outcome, "LONG");
  g_assert_cmpint (key->validity, ==, CACHET_CRYPTO_VALIDITY_ULTIMATE);
  g_assert_cmpuint (key->flags, ==, CACHET_CRYPTO_KEY_CAN_SIGN | CACHET_CRYPTO_KEY_SECRET);
  g_assert_cmpstr (key->user_id, ==, "Long <long@example.org>");
  g_assert_cmpstr (key->address, ==, "long@example.org");
  g_assert_cmpint (key->created, ==, 1600000000);
  g_assert_cmpint (key->expires, ==, 0);

  sig = get_signature (outcome, "UNKNOWN");
  g_assert_cmpint (sig->status, ==, CACHET_CRYPTO_SIG_ERROR);
  g_assert_cmpint (sig->validity, ==, CACHET_CRYPTO_VALIDITY_UNKNOWN);
  sig = get_signature (outcome, "NEGATIVE");
  g_assert_cmpint (sig->status, ==, CACHET_CRYPTO_SIG_ERROR);
  g_assert_cmpint (sig->validity, ==, CACHET_CRYPTO_VALIDITY_UNKNOWN);
  key = get_key (outcome, "UNKNOWN");
  g_assert_cmpint (key->validity, ==, CACHET_CRYPTO_VALIDITY_UNKNOWN);

  sig = get_signature (outcome, "UTF8\xef\xbf\xbd");
  g_assert_cmpint (sig->status, ==, CACHET_CRYPTO_SIG_GOOD);
  g_assert_cmpstr (sig->signer_uid, ==, "Jos\xef\xbf\xbd <jose@example.org>");
  g_assert_true (g_utf8_validate (sig->pubkey_algorithm, -1, NULL));
  g_assert_true (g_utf8_validate (sig->hash_algorithm, -1, NULL));
  g_assert_true (g_utf8_validate (sig->detail, -1, NULL));
  g_assert_true (g_str_has_prefix (sig->detail, "bad "));
  key = get_key (outcome, "UTF8\xef\xbf\xbd");
  g_assert_cmpstr (key->user_id, ==, "Jos\xef\xbf\xbd <jose@example.org>");
  g_assert_true (g_utf8_validate (key->address, -1, NULL));
}

/* An unknown status from an op reads as failed. */
static void
test_unknown_status (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  CachetCryptoRequest request = { .op = CACHET_CRYPTO_OP_ENCRYPT };

  if (f->loaded == NULL)
    return;
  outcome = run_mode (f, "bad-status", &request, &error);
  g_assert_null (outcome);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_FAILED);
}

/* ------------------------------------------------------------------------ */
/* Handles                                                                  */

static void
test_null_handles (Fixture       *f,
                   gconstpointer  data)
{
  static const char *const recipients[] = { "mine", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  CachetCryptoRequest request = { .op = CACHET_CRYPTO_OP_ENCRYPT, .recipients = recipients };

  if (f->loaded == NULL)
    return;
  outcome = run_mode (f, "nulls", &request, &error);
  g_assert_no_error (error);
  /* Only what went to the real handles. */
  g_assert_cmpuint (outcome->signatures->len, ==, 1);
  g_assert_nonnull (find_signature (outcome, "mine"));
  g_assert_cmpuint (outcome->keys->len, ==, 0);
  g_assert_cmpstr (g_hash_table_lookup (outcome->values, "micalg"), ==, "mine");
}

static gpointer
stash_worker (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  CachetCryptoRequest request = { .op = CACHET_CRYPTO_OP_ENCRYPT };

  outcome = run_mode (f, "stash", &request, &error);
  g_assert_no_error (error);
  return NULL;
}

static char *
count_prompt_cb (const char *key_hint,
                 const char *description,
                 gboolean    again,
                 gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
  return g_strdup ("right");
}

/* The plugin keeps a call's handle and uses it in a later call: nothing
 * reaches the later call (or anything else), and nothing crashes.  DATA
 * set: the first call ran on a thread that has gone since. */
static void
test_stale_handle (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  CachetCryptoRequest request = { .op = CACHET_CRYPTO_OP_ENCRYPT };
  guint asked = 0;

  if (f->loaded == NULL)
    return;
  if (data != NULL)
    {
      g_thread_join (g_thread_new ("stash", stash_worker, f));
    }
  else
    {
      /* From this same function, so the host's stack is as it was. */
      outcome = run_mode (f, "stash", &request, &error);
      g_assert_no_error (error);
      g_clear_pointer (&outcome, cachet_crypto_outcome_free);
    }

  request.ask_passphrase = count_prompt_cb;
  request.ask_passphrase_data = &asked;
  outcome = run_mode (f, "stale", &request, &error);
  g_assert_no_error (error);
  g_assert_nonnull (outcome);
  g_assert_cmpuint (asked, ==, 0);
  g_assert_cmpuint (outcome->signatures->len, ==, 0);
  g_assert_cmpuint (outcome->keys->len, ==, 0);
  g_assert_cmpuint (g_hash_table_size (outcome->values), ==, 0);
}

static void
add (const char    *path,
     void         (*func) (Fixture *, gconstpointer),
     gconstpointer  data)
{
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down);
}

static void
add_serial (const char    *path,
            void         (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, serialized_plugin, fixture_set_up, func, fixture_tear_down);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* A leg of a pipeline may write to a pipe the other leg has closed. */
  signal (SIGPIPE, SIG_IGN);

  add ("/plugins/contract/cancel-mid-stream/read", test_cancel_mid_stream, GINT_TO_POINTER (TRUE));
  add ("/plugins/contract/cancel-mid-stream/write", test_cancel_mid_stream, GINT_TO_POINTER (FALSE));
  add ("/plugins/contract/passphrase", test_passphrase, NULL);
  add ("/plugins/contract/cancel-at-prompt", test_cancel_at_prompt, NULL);
  add ("/plugins/contract/stream-100mb", test_stream_100mb, NULL);
  add ("/plugins/contract/concurrent", test_concurrent, NULL);
  add_serial ("/plugins/contract/concurrent-serialized", test_concurrent);
  add ("/plugins/contract/not-serialized", test_not_serialized, NULL);
  add ("/plugins/contract/unknown-result-keys", test_unknown_result_keys, NULL);
  add ("/plugins/contract/result-structs", test_result_structs, NULL);
  add ("/plugins/contract/unknown-status", test_unknown_status, NULL);
  add ("/plugins/contract/null-handles", test_null_handles, NULL);
  add ("/plugins/contract/stale-handle/same-thread", test_stale_handle, NULL);
  add ("/plugins/contract/stale-handle/other-thread", test_stale_handle, GINT_TO_POINTER (1));
  return g_test_run ();
}
