/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The host's streams as GPGME data objects, and SIGPIPE while GPGME runs. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cachet-openpgp-private.h"

/* ------------------------------------------------------------------------ */
/* Buffers                                                                  */

static void
wipe (CachetCryptoPlugin *plugin,
      void               *data,
      size_t              len)
{
  volatile unsigned char *p = data;

  if (data == NULL || len == 0)
    return;
  if (plugin != NULL && plugin->api.secure_zero != NULL)
    {
      plugin->api.secure_zero (data, len);
      return;
    }
  while (len-- > 0)
    *p++ = 0;
}

int
openpgp_buffer_append (OpenpgpBuffer *buffer,
                       const void    *data,
                       size_t         len)
{
  if (len == 0)
    return 1;
  if (len > SIZE_MAX - buffer->len)
    return 0;
  if (buffer->len + len > buffer->cap)
    {
      size_t cap = buffer->cap > 0 ? buffer->cap : 16384;
      unsigned char *grown;

      while (cap < buffer->len + len)
        {
          if (cap > SIZE_MAX / 2)
            {
              cap = buffer->len + len;
              break;
            }
          cap *= 2;
        }
      /* No realloc: the old block may hold plaintext and is wiped first. */
      grown = malloc (cap);
      if (grown == NULL)
        return 0;
      if (buffer->len > 0)
        memcpy (grown, buffer->data, buffer->len);
      wipe (NULL, buffer->data, buffer->len);
      free (buffer->data);
      buffer->data = grown;
      buffer->cap = cap;
    }
  memcpy (buffer->data + buffer->len, data, len);
  buffer->len += len;
  return 1;
}

void
openpgp_buffer_clear (OpenpgpBuffer *buffer)
{
  wipe (NULL, buffer->data, buffer->len);
  free (buffer->data);
  buffer->data = NULL;
  buffer->len = 0;
  buffer->cap = 0;
}

/* ------------------------------------------------------------------------ */
/* Input                                                                    */

static void
source_stop_recording (OpenpgpSource *source)
{
  source->recording = 0;
  if (source->pos >= source->replay.len)
    {
      openpgp_buffer_clear (&source->replay);
      source->pos = 0;
    }
}

static ssize_t
source_read (void   *handle,
             void   *buffer,
             size_t  size)
{
  OpenpgpSource *source = handle;
  int64_t n;

  if (openpgp_is_cancelled (source->op))
    {
      errno = ECANCELED;
      return -1;
    }
  if (size == 0)
    return 0;

  /* Replaying what an earlier run of the op already read. */
  if (source->pos < source->replay.len)
    {
      size_t left = source->replay.len - source->pos;
      size_t take = left < size ? left : size;

      memcpy (buffer, source->replay.data + source->pos, take);
      source->pos += take;
      if (!source->recording && source->pos >= source->replay.len)
        source_stop_recording (source);
      return (ssize_t) take;
    }
  if (source->ended)
    return 0;

  if (size > (size_t) SSIZE_MAX)
    size = (size_t) SSIZE_MAX;
  n = source->stream.read (source->stream.user_data, buffer, size);
  if (n < 0 || (uint64_t) n > (uint64_t) size)
    {
      if (openpgp_is_cancelled (source->op))
        errno = ECANCELED;
      else
        {
          source->op->stream_failed = 1;
          errno = EIO;
        }
      return -1;
    }
  if (n == 0)
    {
      source->ended = 1;
      return 0;
    }

  if (source->recording)
    {
      if (source->replay.len + (size_t) n > OPENPGP_REPLAY_MAX
          || !openpgp_buffer_append (&source->replay, buffer, (size_t) n))
        {
          openpgp_buffer_clear (&source->replay);
          source->overflowed = 1;
          source->recording = 0;
        }
      source->pos = source->replay.len;
    }
  return (ssize_t) n;
}

int
openpgp_source_init (OpenpgpSource              *source,
                     OpenpgpOp                  *op,
                     const CachetCryptoInStream *stream,
                     int                         recording)
{
  memset (source, 0, sizeof *source);
  source->op = op;
  if (stream == NULL || stream->struct_size < CACHET_CRYPTO_IN_STREAM_SIZE_1_0)
    return 0;
  memcpy (&source->stream, stream,
          stream->struct_size < sizeof source->stream
          ? stream->struct_size : sizeof source->stream);
  if (source->stream.read == NULL)
    return 0;
  source->recording = recording;
  source->cbs.read = source_read;
  return 1;
}

/* Back to the start for another run of the op; 0 when what was read is no
 * longer all kept. */
int
openpgp_source_rewind (OpenpgpSource *source)
{
  if (!source->recording || source->overflowed)
    return 0;
  source->pos = 0;
  return 1;
}

void
openpgp_source_clear (OpenpgpSource *source)
{
  openpgp_buffer_clear (&source->replay);
  source->pos = 0;
}

gpgme_error_t
openpgp_source_data (OpenpgpSource *source,
                     gpgme_data_t  *data)
{
  return gpgme_data_new_from_cbs (data, &source->cbs, source);
}

/* ------------------------------------------------------------------------ */
/* Output                                                                   */

static int
sink_write_host (OpenpgpSink *sink,
                 const void  *buffer,
                 size_t       size)
{
  const unsigned char *p = buffer;

  while (size > 0)
    {
      int64_t n;

      if (sink->stream.write == NULL)
        return 1;       /* no host stream: the output is thrown away */
      n = sink->stream.write (sink->stream.user_data, p, size);
      if (n <= 0 || (uint64_t) n > (uint64_t) size)
        {
          if (!openpgp_is_cancelled (sink->op))
            sink->op->stream_failed = 1;
          return 0;
        }
      sink->written = 1;
      p += n;
      size -= (size_t) n;
    }
  return 1;
}

static ssize_t
sink_write (void       *handle,
            const void *buffer,
            size_t      size)
{
  OpenpgpSink *sink = handle;

  if (openpgp_is_cancelled (sink->op))
    {
      errno = ECANCELED;
      return -1;
    }
  if (size == 0)
    return 0;
  if (size > (size_t) SSIZE_MAX)
    size = (size_t) SSIZE_MAX;
  if (sink->hold)
    {
      if (!openpgp_buffer_append (&sink->held, buffer, size))
        {
          errno = ENOMEM;
          return -1;
        }
      return (ssize_t) size;
    }
  /* Output means gpg got past the passphrase: no rerun from here on. */
  if (sink->stop_recording != NULL)
    {
      source_stop_recording (sink->stop_recording);
      sink->stop_recording = NULL;
    }
  if (!sink_write_host (sink, buffer, size))
    {
      errno = openpgp_is_cancelled (sink->op) ? ECANCELED : EIO;
      return -1;
    }
  return (ssize_t) size;
}

int
openpgp_sink_init (OpenpgpSink                 *sink,
                   OpenpgpOp                   *op,
                   const CachetCryptoOutStream *stream,
                   int                          hold)
{
  memset (sink, 0, sizeof *sink);
  sink->op = op;
  sink->hold = hold;
  sink->cbs.write = sink_write;
  if (stream == NULL)
    return 1;   /* discard */
  if (stream->struct_size < CACHET_CRYPTO_OUT_STREAM_SIZE_1_0)
    return 0;
  memcpy (&sink->stream, stream,
          stream->struct_size < sizeof sink->stream
          ? stream->struct_size : sizeof sink->stream);
  return sink->stream.write != NULL;
}

/* Writes what was held to the host. */
int
openpgp_sink_flush (OpenpgpSink *sink)
{
  int ok = 1;

  if (sink->held.len > 0)
    ok = sink_write_host (sink, sink->held.data, sink->held.len);
  openpgp_buffer_clear (&sink->held);
  return ok;
}

/* Forgets what a failed run of the op wrote (only held output can be). */
void
openpgp_sink_reset (OpenpgpSink *sink)
{
  openpgp_buffer_clear (&sink->held);
}

void
openpgp_sink_clear (OpenpgpSink *sink)
{
  openpgp_buffer_clear (&sink->held);
}

gpgme_error_t
openpgp_sink_data (OpenpgpSink  *sink,
                   gpgme_data_t *data)
{
  return gpgme_data_new_from_cbs (data, &sink->cbs, sink);
}

/* ------------------------------------------------------------------------ */
/* SIGPIPE                                                                  */

/* GPGME writes to gpg's pipes with write(2); if gpg quits early (garbage
 * input, a cancelled op) that raises SIGPIPE, which would end the whole
 * mail client.  The plugin must not change the process's signal handling,
 * so it blocks SIGPIPE on its own thread for the op and then takes back a
 * SIGPIPE that the op raised (a thread-directed signal stays pending on
 * the thread that wrote). */
void
openpgp_sigpipe_block (OpenpgpSigpipe *state)
{
  sigset_t pipe_set, pending;

  memset (state, 0, sizeof *state);
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  sigemptyset (&pending);
  if (sigpending (&pending) == 0)
    state->was_pending = sigismember (&pending, SIGPIPE) == 1;
  state->blocked = pthread_sigmask (SIG_BLOCK, &pipe_set, &state->old_mask) == 0;
}

void
openpgp_sigpipe_restore (OpenpgpSigpipe *state)
{
  sigset_t pipe_set, pending;

  if (!state->blocked)
    return;
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  sigemptyset (&pending);
  if (!state->was_pending && sigpending (&pending) == 0
      && sigismember (&pending, SIGPIPE) == 1)
    {
      const struct timespec zero = { 0, 0 };
      int saved = errno;

      while (sigtimedwait (&pipe_set, NULL, &zero) < 0 && errno == EINTR)
        ;
      errno = saved;
    }
  pthread_sigmask (SIG_SETMASK, &state->old_mask, NULL);
}
