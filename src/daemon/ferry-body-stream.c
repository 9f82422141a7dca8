/* ferry-body-stream.c
 *
 * libsoup 3.2 moves every request body through GLib's 8 KiB splice; the source decides the
 * speed (PROTOCOLS.md §4), and for this stream the splice takes 256 KiB steps (large_splice,
 * below). This stream is always readable and reads straight from the file
 * with pread, so the body of a PATCH from a resume offset is the file from that offset and
 * nothing else. It is read on the upload's worker thread: waiting for the rate limiters
 * blocks that thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-upload"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ferry-body-stream.h"
#include "ferry-i18n.h"

#define READ_AHEAD (1024 * 1024)
/* What a write to the connection carries, instead of GLib's 8 KiB (see large_splice). */
#define SPLICE_BUFFER_SIZE (256 * 1024)
/* A read at least this large goes straight into the caller's buffer: no read-ahead copy. */
#define DIRECT_READ_SIZE (64 * 1024)

struct _FerryBodyStream
{
  GInputStream parent_instance;

  int fd;
  guint64 offset;
  guint64 length;
  GBytes *prefix;
  GBytes *suffix;
  guint64 position;     /* in the whole body */
  guint8 *buffer;       /* the file is read ahead in large blocks: libsoup asks for 8 KiB */
  guint64 buffer_start; /* file offset of buffer[0] */
  gsize buffer_len;
  FerryRateLimiter *shared;
  FerryRateLimiter *own;
  FerryBodyReachedFunc reached;
  gpointer reached_data;
  GDestroyNotify reached_destroy;
  gboolean read_once;   /* install_large_splice () was tried again at the first read */
};

G_DEFINE_FINAL_TYPE (FerryBodyStream, ferry_body_stream, G_TYPE_INPUT_STREAM)

static gsize
bytes_size (GBytes *bytes)
{
  return bytes != NULL ? g_bytes_get_size (bytes) : 0;
}

/* Copies from @part (which starts at @start in the body) what lies at the position. */
static gssize
read_part (FerryBodyStream *self,
           GBytes          *part,
           guint64          start,
           void            *buffer,
           gsize            count)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (part, &size);
  gsize at = (gsize) (self->position - start);
  gsize n = MIN (count, size - at);

  memcpy (buffer, data + at, n);
  self->position += n;
  return (gssize) n;
}

/* Waits, a little at a time so a cancellation is noticed, until the limiters allow a read. */
static gboolean
wait_for_limiters (FerryBodyStream *self,
                   GCancellable    *cancellable,
                   GError         **error)
{
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 delay = MAX (ferry_rate_limiter_delay (self->shared, now),
                          ferry_rate_limiter_delay (self->own, now));

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (delay <= 0)
        return TRUE;
      g_usleep ((gulong) MIN (delay, G_USEC_PER_SEC / 10));
    }
}

static gboolean
is_limited (FerryBodyStream *self)
{
  return (self->shared != NULL && ferry_rate_limiter_get_rate (self->shared) > 0) ||
         (self->own != NULL && ferry_rate_limiter_get_rate (self->own) > 0);
}

/* -- Larger writes to the connection -----------------------------------------------------
 *
 * libsoup 3.2 sends every request body with g_output_stream_splice () into its private
 * SoupBodyOutputStream, and GLib's default splice moves 8 KiB per step: per 8 KiB one send ()
 * and two signal emissions, which made a 1 GiB PUT cost 131,000 send () calls and about twice
 * curl's CPU (docs/performance.md). For a body that is a FerryBodyStream, large_splice does
 * the same copy in 256 KiB steps. Any other source, a splice asked to close its target, or a
 * libsoup whose stream has another name or a splice of its own keeps GLib's. libsoup's type
 * exists once this process has made any HTTP request; before that, a body goes at 8 KiB. */

static GOutputStreamClass *soup_body_class;
static gssize (*glib_splice) (GOutputStream            *stream,
                              GInputStream             *source,
                              GOutputStreamSpliceFlags  flags,
                              GCancellable             *cancellable,
                              GError                  **error);

static gssize
large_splice (GOutputStream            *stream,
              GInputStream             *source,
              GOutputStreamSpliceFlags  flags,
              GCancellable             *cancellable,
              GError                  **error)
{
  GOutputStreamClass *klass = G_OUTPUT_STREAM_GET_CLASS (stream);
  g_autofree char *buffer = NULL;
  gssize copied = 0;
  gboolean ok = TRUE;

  if (!FERRY_IS_BODY_STREAM (source) || (flags & G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET) != 0 ||
      klass->write_fn == NULL)
    return glib_splice (stream, source, flags, cancellable, error);

  /* As GLib's own: g_output_stream_splice () has marked the stream pending, so it is
   * written through its write_fn. */
  buffer = g_malloc (SPLICE_BUFFER_SIZE);
  while (ok)
    {
      gssize n = g_input_stream_read (source, buffer, SPLICE_BUFFER_SIZE, cancellable, error);
      const char *p = buffer;

      if (n <= 0)
        {
          ok = n == 0;
          break;
        }
      while (n > 0)
        {
          gssize written = klass->write_fn (stream, p, (gsize) n, cancellable, error);

          if (written < 0)
            {
              ok = FALSE;
              break;
            }
          p += written;
          n -= written;
          copied += written;
        }
    }

  if ((flags & G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE) != 0)
    g_input_stream_close (source, cancellable, NULL);
  return ok ? copied : -1;
}

static void
install_large_splice (void)
{
  static GMutex lock;
  static gboolean tried_all;
  GType type;

  if (g_atomic_int_get (&tried_all))
    return;

  g_mutex_lock (&lock);
  type = g_type_from_name ("SoupBodyOutputStream");
  if (soup_body_class == NULL && type != 0)
    {
      if (g_type_is_a (type, G_TYPE_OUTPUT_STREAM))
        {
          GOutputStreamClass *base = g_type_class_ref (G_TYPE_OUTPUT_STREAM);
          GOutputStreamClass *klass = g_type_class_ref (type);

          /* Only where libsoup uses GLib's default splice: anything else is left alone. */
          if (klass->splice == base->splice)
            {
              glib_splice = klass->splice;
              g_atomic_pointer_set (&klass->splice, large_splice);
            }
          soup_body_class = klass;
          g_type_class_unref (base);
        }
      g_atomic_int_set (&tried_all, TRUE);
    }
  g_mutex_unlock (&lock);
}

static gssize
ferry_body_stream_read (GInputStream  *stream,
                        void          *buffer,
                        gsize          count,
                        GCancellable  *cancellable,
                        GError       **error)
{
  FerryBodyStream *self = FERRY_BODY_STREAM (stream);
  guint64 prefix_size = bytes_size (self->prefix);
  guint64 file_end = prefix_size + self->length;
  gssize n = 0;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  /* The first body in this process may be the one that brought libsoup's type in. */
  if (!self->read_once)
    {
      self->read_once = TRUE;
      install_large_splice ();
    }

  if (self->position < prefix_size)
    return read_part (self, self->prefix, 0, buffer, count);

  if (self->position >= file_end)
    {
      if (self->position >= file_end + bytes_size (self->suffix))
        return 0;
      return read_part (self, self->suffix, file_end, buffer, count);
    }

  if (!wait_for_limiters (self, cancellable, error))
    return -1;

  /* Under a speed limit, steps as small as before: the limiters see every 8 KiB. */
  if (is_limited (self))
    count = MIN (count, 8192);
  count = (gsize) MIN ((guint64) count, file_end - self->position);
  {
    guint64 at = self->offset + (self->position - prefix_size);
    gboolean buffered = at >= self->buffer_start && at < self->buffer_start + self->buffer_len;

    if (!buffered && count >= DIRECT_READ_SIZE)
      {
        /* A large step (large_splice): the file goes straight into it, with no copy. */
        do
          n = pread (self->fd, buffer, count, (off_t) at);
        while (n < 0 && errno == EINTR);
      }
    else
      {
        if (!buffered)
          {
            gsize want = (gsize) MIN ((guint64) READ_AHEAD, file_end - self->position);

            if (self->buffer == NULL)
              self->buffer = g_malloc (READ_AHEAD);
            do
              n = pread (self->fd, self->buffer, want, (off_t) at);
            while (n < 0 && errno == EINTR);
            self->buffer_start = at;
            self->buffer_len = n > 0 ? (gsize) n : 0;
          }

        if (self->buffer_len > 0)
          {
            n = (gssize) MIN (count, self->buffer_len - (gsize) (at - self->buffer_start));
            memcpy (buffer, self->buffer + (at - self->buffer_start), (gsize) n);
          }
      }
  }

  if (n < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   N_ ("The file to upload cannot be read: %s"), g_strerror (saved));
      return -1;
    }
  if (n == 0)
    {
      /* Shorter than it was when the upload began. */
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           N_ ("The file changed while it was being uploaded"));
      return -1;
    }

  {
    gint64 now = g_get_monotonic_time ();

    ferry_rate_limiter_consume (self->shared, now, (guint64) n);
    ferry_rate_limiter_consume (self->own, now, (guint64) n);
  }
  self->position += (guint64) n;
  if (self->reached != NULL)
    self->reached (self->offset + (self->position - prefix_size), self->reached_data);
  return n;
}

static gboolean
ferry_body_stream_close (GInputStream  *stream,
                         GCancellable  *cancellable,
                         GError       **error)
{
  FerryBodyStream *self = FERRY_BODY_STREAM (stream);

  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }
  return TRUE;
}

static void
ferry_body_stream_finalize (GObject *object)
{
  FerryBodyStream *self = FERRY_BODY_STREAM (object);

  if (self->fd >= 0)
    close (self->fd);
  g_free (self->buffer);
  g_clear_pointer (&self->prefix, g_bytes_unref);
  g_clear_pointer (&self->suffix, g_bytes_unref);
  g_clear_pointer (&self->shared, ferry_rate_limiter_unref);
  g_clear_pointer (&self->own, ferry_rate_limiter_unref);
  if (self->reached_destroy != NULL)
    self->reached_destroy (self->reached_data);

  G_OBJECT_CLASS (ferry_body_stream_parent_class)->finalize (object);
}

static void
ferry_body_stream_class_init (FerryBodyStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = ferry_body_stream_finalize;
  stream_class->read_fn = ferry_body_stream_read;
  stream_class->close_fn = ferry_body_stream_close;
}

static void
ferry_body_stream_init (FerryBodyStream *self)
{
  self->fd = -1;
}

GInputStream *
ferry_body_stream_new (int                   fd,
                       guint64               offset,
                       guint64               length,
                       GBytes               *prefix,
                       GBytes               *suffix,
                       FerryRateLimiter     *shared,
                       FerryRateLimiter     *own,
                       FerryBodyReachedFunc  reached,
                       gpointer              reached_data,
                       GDestroyNotify        reached_destroy)
{
  FerryBodyStream *self = g_object_new (FERRY_TYPE_BODY_STREAM, NULL);

  install_large_splice ();
  self->fd = fd;
  self->offset = offset;
  self->length = length;
  self->prefix = prefix ? g_bytes_ref (prefix) : NULL;
  self->suffix = suffix ? g_bytes_ref (suffix) : NULL;
  self->shared = shared ? ferry_rate_limiter_ref (shared) : NULL;
  self->own = own ? ferry_rate_limiter_ref (own) : NULL;
  self->reached = reached;
  self->reached_data = reached_data;
  self->reached_destroy = reached_destroy;
  return G_INPUT_STREAM (self);
}

guint64
ferry_body_stream_get_size (FerryBodyStream *self)
{
  return bytes_size (self->prefix) + self->length + bytes_size (self->suffix);
}
