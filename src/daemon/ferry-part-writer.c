/* ferry-part-writer.c
 *
 * A download's bytes go to its part file from a thread, so the main loop reads the socket
 * while the disk works, and never waits for it. The body is read into a few large buffers;
 * each full one is written in a thread, one write at a time and in order, while the next is
 * filled. Where the file system takes O_DIRECT, a buffer that starts and ends on a 4 KiB
 * boundary is written with it: no copy into the page cache (half of a download's CPU time
 * before), and the checkpoint's fdatasync finds nothing left to write back, only metadata
 * and the disk's cache. The head of a body that starts off a boundary (a resume) fills a
 * buffer only up to the next one, and what is left at the end of a body goes through the
 * plain descriptor; the two never cover the same page at once, and the kernel writes back
 * and drops cached pages of a range before writing it directly in any case.
 *
 * Durability is unchanged: the writer only says which bytes reached the file; the download
 * records a checkpoint only after an fdatasync that started once they had (rule 2).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-part-writer"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>

#include "ferry-part-writer.h"

#define ALIGNMENT 4096

typedef struct
{
  guint8 *data;
  gsize len;
  gsize capacity;
  guint64 pos;

  /* What the thread writes through, and what it found; read when its task returns. */
  int fd;
  int direct_fd;
  gsize done;
  int error;
  gboolean refused;    /* O_DIRECT refused the write: the plain descriptor took it */
} Buffer;

struct _FerryPartWriter
{
  GObject *owner;
  int fd;
  int direct_fd;
  FerryPartWriterNotify notify;
  gpointer user_data;

  Buffer buffers[FERRY_PART_WRITER_MAX_BUFFERS];
  guint n_buffers;
  gsize buffer_size;
  guint first;         /* the oldest buffer in use */
  guint used;          /* buffers in use, from first on: written, waiting, filled */
  gboolean filling;    /* the newest buffer in use takes bytes */
  gboolean writing;    /* the first is being written */
  guint64 next;        /* the file position of the next byte committed */
  guint64 written;
  int error;
};

int
ferry_part_writer_open_direct (int fd)
{
  char path[64];
  struct stat a, b;
  int direct_fd;

  /* Through /proc (a link to the open file, not a name): the same file, not whatever has
   * its name now; checked below all the same. */
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  direct_fd = open (path, O_WRONLY | O_DIRECT | O_CLOEXEC);
  if (direct_fd < 0)
    {
      g_debug ("Writing through the page cache: O_DIRECT refused (%s)", g_strerror (errno));
      return -1;
    }

  if (fstat (fd, &a) != 0 || fstat (direct_fd, &b) != 0 || a.st_dev != b.st_dev ||
      a.st_ino != b.st_ino)
    {
      close (direct_fd);
      return -1;
    }

  return direct_fd;
}

FerryPartWriter *
ferry_part_writer_new (GObject              *owner,
                       int                   fd,
                       int                   direct_fd,
                       gsize                 buffer_size,
                       guint                 n_buffers,
                       FerryPartWriterNotify notify,
                       gpointer              user_data)
{
  FerryPartWriter *self = g_new0 (FerryPartWriter, 1);

  g_assert (n_buffers > 0 && n_buffers <= FERRY_PART_WRITER_MAX_BUFFERS);
  g_assert (buffer_size > 0 && buffer_size % ALIGNMENT == 0);
  self->n_buffers = n_buffers;
  self->buffer_size = buffer_size;

  self->owner = owner;
  self->fd = fd;
  self->direct_fd = direct_fd;
  self->notify = notify;
  self->user_data = user_data;
  return self;
}

void
ferry_part_writer_free (FerryPartWriter *self)
{
  if (self == NULL)
    return;

  g_warn_if_fail (!self->writing);
  for (guint i = 0; i < FERRY_PART_WRITER_MAX_BUFFERS; i++)
    free (self->buffers[i].data);
  if (self->direct_fd >= 0)
    close (self->direct_fd);
  g_free (self);
}

void
ferry_part_writer_reset (FerryPartWriter *self,
                         guint64          position)
{
  g_return_if_fail (!self->writing);

  self->first = 0;
  self->used = 0;
  self->filling = FALSE;
  self->next = position;
  self->written = position;
  self->error = 0;
}

gboolean
ferry_part_writer_is_idle (FerryPartWriter *self)
{
  return !self->writing &&
         (self->used == 0 ||
          (self->used == 1 && self->filling && self->buffers[self->first].len == 0));
}

guint64
ferry_part_writer_get_written (FerryPartWriter *self)
{
  return self->written;
}

int
ferry_part_writer_get_error (FerryPartWriter *self)
{
  return self->error;
}

gboolean
ferry_part_writer_is_direct (FerryPartWriter *self)
{
  return self->direct_fd >= 0;
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Buffer *buf = task_data;
  const guint8 *data = buf->data;
  gsize len = buf->len;
  guint64 pos = buf->pos;
  gboolean direct = buf->direct_fd >= 0 && pos % ALIGNMENT == 0 && len % ALIGNMENT == 0;

  while (len > 0)
    {
      ssize_t n = pwrite (direct ? buf->direct_fd : buf->fd, data, len, (off_t) pos);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && direct && errno == EINVAL)
        {
          /* Opened, but not for this file system's alignment: the page cache it is. */
          buf->refused = TRUE;
          direct = FALSE;
          continue;
        }
      if (n <= 0)
        {
          buf->error = n < 0 ? errno : EIO;
          break;
        }

      data += n;
      len -= (gsize) n;
      pos += (guint64) n;
      buf->done += (gsize) n;
      /* A short direct write leaves an unaligned rest. */
      if (n % ALIGNMENT != 0)
        direct = FALSE;
    }

  g_task_return_boolean (task, TRUE);
}

static void on_written (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data);

static guint
waiting (FerryPartWriter *self)
{
  return self->used - (self->filling ? 1 : 0) - (self->writing ? 1 : 0);
}

static void
start_next (FerryPartWriter *self)
{
  g_autoptr(GTask) task = NULL;
  Buffer *buf;

  if (self->writing || waiting (self) == 0)
    return;

  buf = &self->buffers[self->first];
  buf->fd = self->fd;
  buf->direct_fd = self->direct_fd;
  buf->done = 0;
  buf->error = 0;
  buf->refused = FALSE;
  self->writing = TRUE;

  task = g_task_new (self->owner, NULL, on_written, self);
  g_task_set_source_tag (task, start_next);
  g_task_set_task_data (task, buf, NULL);
  g_task_run_in_thread (task, write_thread);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  FerryPartWriter *self = user_data;
  Buffer *buf = &self->buffers[self->first];

  self->writing = FALSE;
  self->written += buf->done;
  if (buf->refused && self->direct_fd >= 0)
    {
      g_debug ("Writing through the page cache: O_DIRECT refused a write");
      close (self->direct_fd);
      self->direct_fd = -1;
    }

  self->first = (self->first + 1) % self->n_buffers;
  self->used--;

  if (buf->error != 0 && self->error == 0)
    {
      /* Nothing after a failed write: the bytes past it would not be what the file holds.
       * What is being filled is kept as scratch, and dropped at the next commit. */
      self->error = buf->error;
      while (waiting (self) > 0)
        {
          self->first = (self->first + 1) % self->n_buffers;
          self->used--;
        }
    }

  start_next (self);
  self->notify (self->user_data, buf->pos, buf->done);
}

static gsize
capacity_at (FerryPartWriter *self,
             guint64          pos)
{
  /* Up to the next boundary first, so that every later buffer is aligned. */
  if (self->direct_fd >= 0 && pos % ALIGNMENT != 0)
    return ALIGNMENT - pos % ALIGNMENT;
  return self->buffer_size;
}

guint8 *
ferry_part_writer_space (FerryPartWriter *self,
                         gsize           *len)
{
  Buffer *buf;

  if (!self->filling)
    {
      if (self->used == self->n_buffers)
        {
          *len = 0;
          return NULL;
        }

      buf = &self->buffers[(self->first + self->used) % self->n_buffers];
      if (buf->data == NULL &&
          posix_memalign ((void **) &buf->data, ALIGNMENT, self->buffer_size) != 0)
        g_error ("Out of memory for a download buffer");
      buf->len = 0;
      buf->pos = self->next;
      buf->capacity = capacity_at (self, self->next);
      self->used++;
      self->filling = TRUE;
    }

  buf = &self->buffers[(self->first + self->used - 1) % self->n_buffers];
  *len = buf->capacity - buf->len;
  return buf->data + buf->len;
}

void
ferry_part_writer_commit (FerryPartWriter *self,
                          gsize            len)
{
  Buffer *buf;

  g_return_if_fail (self->filling);

  buf = &self->buffers[(self->first + self->used - 1) % self->n_buffers];
  g_return_if_fail (buf->len + len <= buf->capacity);

  if (self->error != 0)
    return;

  buf->len += len;
  self->next += len;
  if (buf->len == buf->capacity)
    {
      self->filling = FALSE;
      start_next (self);
    }
}

void
ferry_part_writer_flush (FerryPartWriter *self)
{
  Buffer *buf;

  if (!self->filling)
    return;

  buf = &self->buffers[(self->first + self->used - 1) % self->n_buffers];
  self->filling = FALSE;
  if (buf->len == 0 || self->error != 0)
    {
      self->used--;
      return;
    }
  start_next (self);
}

void
ferry_part_writer_seek (FerryPartWriter *self,
                        guint64          position)
{
  ferry_part_writer_flush (self);
  self->next = position;
}

void
ferry_part_writer_add_pending (FerryPartWriter *self,
                               GArray          *ranges)
{
  for (guint i = 0; i < self->used; i++)
    {
      Buffer *buf = &self->buffers[(self->first + i) % self->n_buffers];
      guint64 pair[2] = { buf->pos, buf->pos + buf->len };

      if (buf->len > 0 && self->error == 0)
        g_array_append_vals (ranges, pair, 1);
    }
}
