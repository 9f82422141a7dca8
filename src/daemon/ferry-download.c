/* ferry-download.c
 *
 * One attempt: open the partial file, ask for the rest with Range + If-Range, decide from the
 * response whether the bytes on disk may be kept (PROTOCOLS.md §1), stream the body to the
 * file through a writer thread (ferry-part-writer.c: O_DIRECT where the file system takes
 * it), checkpoint (fdatasync of what the writer has written, then the store), and on the
 * last byte verify length and digests before the file takes its final name.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-download"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ferry-download.h"
#include "ferry-folder.h"
#include "ferry-http.h"
#include "ferry-i18n.h"
#include "ferry-part-writer.h"
#include "ferry-provenance.h"
#include "ferry-proxy.h"
#include "ferry-segments.h"

#define READ_SIZE (1024 * 1024)
/* Four buffers of a read each: the disk writes one while the next ones fill. */
#define WRITE_BUFFERS 4
#define CHECKPOINT_INTERVAL_USEC (2 * G_USEC_PER_SEC)
#define MAX_REDIRECTS 10
#define MAX_RESTARTS 2

struct _FerryDownload
{
  GObject parent_instance;

  FerryTransfer *transfer;
  /* The transfer's, read only: every change of it is one of ferry-transfer.c's setters. */
  const FerryRecord *record;
  SoupSession *session;

  GTask *task;
  GCancellable *io_cancellable;
  gulong cancel_handler;
  SoupMessage *msg;
  GInputStream *body;
  FerryPartWriter *writer;     /* the body's bytes go to the part file through it */
  gboolean waiting_for_space;  /* every buffer is being written: reading waits */
  gboolean eof_pending;        /* the body ended: decide once every byte is written */
  gboolean finish_pending;     /* the attempt ends once every byte is written */
  gboolean write_failed;
  gboolean checkpoint_waiting; /* a checkpoint is due once the writer reaches checkpoint_at */
  guint64 checkpoint_at;

  int dir_fd;
  int fd;
  guint64 offset;              /* where this response's body starts in the file */
  guint64 received;            /* bytes of this response's body written */
  gint64 expected;             /* body length of this response, -1 unknown */
  guint64 progress;            /* bytes that advanced the file in this attempt */
  char *current_uri;
  guint redirects;
  guint restarts;
  gint64 retry_after;

  /* Trust in the end of the body (rule 4). */
  gint64 representation_total; /* the file's length as this response's Content-Range gave it */
  gboolean probing;            /* asking past the end of a body that came without a length */
  gboolean total_unknown;      /* a 206 whose Content-Range gives no total */
  gboolean asked_original;     /* the stored redirect target failed: the address was asked */
  char *repr_digest;           /* Repr-Digest of the representation, kept across requests */
  char *unconfirmed;           /* why a completion could not be verified, or NULL */

  /* Checkpoints run fdatasync in a thread while reading goes on. */
  guint generation;            /* bumped when the file is truncated */
  gboolean sync_in_flight;
  gboolean finishing;          /* take the final checkpoint when the one in flight lands */
  gboolean sync_failed;        /* an fdatasync failed: no later one vouches for the bytes */
  gint64 last_checkpoint;

  gint64 last_byte_time;
  guint stall_source;

  FerryRateLimiter *shared_limiter;
  FerryRateLimiter *own_limiter;
  guint throttle_source;
  gboolean stalled;

  GError *pending_error;       /* how the attempt ends, once the final checkpoint is done */

  /* A large file over several connections (ferry-segments.c). */
  FerryOrigins *origins;       /* the scheduler's; NULL: one connection */
  guint max_per_host;
  FerrySegments *segments;
};

static void ferry_download_engine_init (FerryEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FerryDownload, ferry_download, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FERRY_TYPE_ENGINE,
                                                      ferry_download_engine_init))

static void send_request (FerryDownload *self);
static void read_next (FerryDownload *self);
static void ask_for_rest (FerryDownload *self);
static void probe_end (FerryDownload *self);
static void finish_with_error (FerryDownload *self,
                               GError        *error);


static void
ferry_download_dispose (GObject *object)
{
  FerryDownload *self = FERRY_DOWNLOAD (object);

  g_clear_handle_id (&self->stall_source, g_source_remove);
  g_clear_handle_id (&self->throttle_source, g_source_remove);
  g_clear_pointer (&self->segments, ferry_segments_free);
  g_clear_pointer (&self->shared_limiter, ferry_rate_limiter_unref);
  g_clear_pointer (&self->own_limiter, ferry_rate_limiter_unref);
  g_clear_object (&self->body);
  g_clear_object (&self->msg);
  g_clear_object (&self->io_cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->transfer);

  G_OBJECT_CLASS (ferry_download_parent_class)->dispose (object);
}

static void
ferry_download_finalize (GObject *object)
{
  FerryDownload *self = FERRY_DOWNLOAD (object);

  g_clear_pointer (&self->writer, ferry_part_writer_free);
  if (self->fd >= 0)
    close (self->fd);
  if (self->dir_fd >= 0)
    close (self->dir_fd);
  g_free (self->current_uri);
  g_free (self->repr_digest);
  g_free (self->unconfirmed);
  g_clear_error (&self->pending_error);

  G_OBJECT_CLASS (ferry_download_parent_class)->finalize (object);
}

static void
ferry_download_class_init (FerryDownloadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ferry_download_dispose;
  object_class->finalize = ferry_download_finalize;
}

static void
ferry_download_init (FerryDownload *self)
{
  self->fd = -1;
  self->dir_fd = -1;
  self->retry_after = -1;
  self->expected = -1;
  self->representation_total = -1;
}

FerryDownload *
ferry_download_new (FerryTransfer *transfer,
                    SoupSession   *session)
{
  FerryDownload *self;

  g_return_val_if_fail (FERRY_IS_TRANSFER (transfer), NULL);
  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);

  self = g_object_new (FERRY_TYPE_DOWNLOAD, NULL);
  self->transfer = g_object_ref (transfer);
  self->record = ferry_transfer_get_record (transfer);
  self->session = g_object_ref (session);
  return self;
}

void
ferry_download_set_origins (FerryDownload *self,
                            FerryOrigins  *origins,
                            guint          max_per_host)
{
  self->origins = origins;
  self->max_per_host = max_per_host;
}

static void
ferry_download_set_rate_limiters (FerryEngine      *engine,
                                  FerryRateLimiter *shared,
                                  FerryRateLimiter *own)
{
  FerryDownload *self = FERRY_DOWNLOAD (engine);

  g_clear_pointer (&self->shared_limiter, ferry_rate_limiter_unref);
  g_clear_pointer (&self->own_limiter, ferry_rate_limiter_unref);
  self->shared_limiter = shared ? ferry_rate_limiter_ref (shared) : NULL;
  self->own_limiter = own ? ferry_rate_limiter_ref (own) : NULL;
}

static gint64
ferry_download_get_retry_after (FerryEngine *engine)
{
  return FERRY_DOWNLOAD (engine)->retry_after;
}

static guint64
ferry_download_get_progress (FerryEngine *engine)
{
  FerryDownload *self = FERRY_DOWNLOAD (engine);

  return self->progress + ferry_segments_get_progress (self->segments);
}

static const char *
ferry_download_get_unconfirmed (FerryEngine *engine)
{
  return FERRY_DOWNLOAD (engine)->unconfirmed;
}

static guint64
file_position (FerryDownload *self)
{
  return self->offset + self->received;
}

/* What a checkpoint may vouch for once its fdatasync returns: the bytes that reached the
 * file, not those still in the writer's buffers. */
static guint64
written_position (FerryDownload *self)
{
  return self->writer != NULL ? ferry_part_writer_get_written (self->writer)
                              : file_position (self);
}

static gboolean
save_record (FerryDownload *self,
             GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (ferry_engine_checkpoint (FERRY_ENGINE (self), &local_error))
    return TRUE;

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_NO_SPACE,
                 N_ ("The disk is full: Ferry could not save its progress"));
  else
    g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                 "%s", local_error->message);
  return FALSE;
}

static GError *
write_error (FerryDownload *self,
             int            saved_errno)
{
  if (saved_errno == ENOSPC || saved_errno == EDQUOT)
    return g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_NO_SPACE,
                        N_ ("The disk is full: free some space in %s and the download goes on"),
                        self->record->directory);

  return g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                      N_ ("Could not write to the folder %s: %s"),
                      self->record->directory, g_strerror (saved_errno));
}

/* -- Checkpoints ------------------------------------------------------------------------- */

typedef struct
{
  int fd;
  guint64 position;
  guint generation;
} SyncData;

static void
sync_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SyncData *data = task_data;

  if (fdatasync (data->fd) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               "%s", g_strerror (saved_errno));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
start_sync (FerryDownload      *self,
            GAsyncReadyCallback callback)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, NULL);
  SyncData *data = g_new0 (SyncData, 1);

  data->fd = self->fd;
  data->position = written_position (self);
  data->generation = self->generation;
  g_task_set_task_data (task, data, g_free);
  g_task_set_source_tag (task, start_sync);
  self->sync_in_flight = TRUE;
  self->last_checkpoint = g_get_monotonic_time ();
  g_task_run_in_thread (task, sync_thread);
}

/* The store learns the offset only once the bytes below it are on disk (rule 2). */
static gboolean
record_synced (FerryDownload *self,
               GAsyncResult  *result,
               GError       **error)
{
  SyncData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) local_error = NULL;

  self->sync_in_flight = FALSE;

  if (!g_task_propagate_boolean (G_TASK (result), &local_error))
    {
      /* The kernel reports a lost writeback once: the next fdatasync succeeds although the
       * pages are gone (PROTOCOLS.md §6). So nothing past the last good sync is ever
       * recorded in this attempt; the next one truncates to it and asks again. */
      self->sync_failed = TRUE;
      g_propagate_error (error, write_error (self, local_error->code == G_IO_ERROR_NO_SPACE
                                                   ? ENOSPC : EIO));
      return FALSE;
    }

  if (self->sync_failed)
    return TRUE;

  if (data->generation != self->generation || data->position == self->record->bytes_done)
    return TRUE;

  ferry_transfer_set_bytes_done (self->transfer, data->position);
  return save_record (self, error);
}

static void on_final_sync (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data);

static void
on_checkpoint_synced (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  FerryDownload *self = FERRY_DOWNLOAD (source);
  g_autoptr(GError) error = NULL;

  if (!record_synced (self, result, &error) && self->pending_error == NULL)
    {
      /* Stop the stream; the read callback ends the attempt with this error. */
      self->pending_error = g_steal_pointer (&error);
      g_cancellable_cancel (self->io_cancellable);
    }

  if (self->finishing)
    start_sync (self, on_final_sync);
}

static void
maybe_checkpoint (FerryDownload *self)
{
  if (self->sync_in_flight || self->checkpoint_waiting ||
      g_get_monotonic_time () - self->last_checkpoint < CHECKPOINT_INTERVAL_USEC)
    return;

  /* Bytes still in a buffer (a slow server fills one slowly) are written first, and the
   * checkpoint vouches for them, as it did for every byte read before it. */
  ferry_part_writer_flush (self->writer);
  if (!ferry_part_writer_is_idle (self->writer))
    {
      self->checkpoint_waiting = TRUE;
      self->checkpoint_at = file_position (self);
      return;
    }

  start_sync (self, on_checkpoint_synced);
}

/* -- The end of an attempt --------------------------------------------------------------- */

static void
return_result (FerryDownload *self,
               GError        *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_clear_handle_id (&self->stall_source, g_source_remove);
  g_clear_handle_id (&self->throttle_source, g_source_remove);
  if (self->cancel_handler != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), self->cancel_handler);
      self->cancel_handler = 0;
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_final_sync (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  FerryDownload *self = FERRY_DOWNLOAD (source);
  g_autoptr(GError) error = NULL;

  self->finishing = FALSE;
  if (!record_synced (self, result, &error))
    g_warning ("Could not checkpoint transfer %" G_GUINT64_FORMAT ": %s",
               self->record->id, error->message);

  return_result (self, g_steal_pointer (&self->pending_error));
}

/* The last checkpoint, of every byte that reached the file, then the attempt's outcome. */
static void
finish_after_writes (FerryDownload *self)
{
  self->checkpoint_waiting = FALSE;
  if (self->sync_in_flight)
    {
      self->finishing = TRUE;
      return;
    }

  start_sync (self, on_final_sync);
}

/* Ends the attempt with @error after a last checkpoint of what reached the file. */
static void
finish_with_error (FerryDownload *self,
                   GError        *error)
{
  g_assert (error != NULL);

  g_clear_pointer (&self->pending_error, g_error_free);
  self->pending_error = error;
  g_clear_object (&self->body);

  if (self->fd < 0)
    {
      return_result (self, g_steal_pointer (&self->pending_error));
      return;
    }

  /* What arrived is written first, as it was before the error. (After a failed write the
   * writer drops what it holds: idle at once.) */
  if (self->writer != NULL)
    ferry_part_writer_flush (self->writer);
  if (self->writer != NULL && !ferry_part_writer_is_idle (self->writer))
    {
      self->finish_pending = TRUE;
      return;
    }

  finish_after_writes (self);
}

static GError *
stopped_error (FerryDownload *self)
{
  if (self->pending_error != NULL)
    return g_steal_pointer (&self->pending_error);

  if (self->stalled)
    return g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                        N_ ("The server stopped sending data for %u seconds"),
                        ferry_transfer_stall_seconds ());

  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, N_ ("Stopped"));
}

/* -- Verification and the final name ----------------------------------------------------- */

typedef struct
{
  int fd;
  guint64 length;
  GChecksumType type;
  char *expected;      /* lower-case hex */
  char *source;        /* who promised it: "you" or "server" */
  char *expected2;     /* a second digest (the caller's sha256 and the server's) */
  GChecksumType type2;
  char *source2;
  FerryChecksumResult outcome; /* of the digests checked, set on the thread */
} VerifyData;

static void
verify_data_free (VerifyData *data)
{
  g_free (data->expected);
  g_free (data->source);
  g_free (data->expected2);
  g_free (data->source2);
  g_free (data);
}

static char *
hash_file (int           fd,
           guint64       length,
           GChecksumType type,
           GError      **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (type);
  g_autofree guint8 *buf = g_malloc (1024 * 1024);
  guint64 pos = 0;

  while (pos < length)
    {
      ssize_t n = pread (fd, buf, MIN ((guint64) 1024 * 1024, length - pos), (off_t) pos);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                       N_ ("Could not read the downloaded file back to check it: %s"),
                       n < 0 ? g_strerror (errno) : "it is shorter than expected");
          return NULL;
        }
      g_checksum_update (checksum, buf, (gsize) n);
      pos += (guint64) n;
    }

  return g_strdup (g_checksum_get_string (checksum));
}

static gboolean
check_digest (VerifyData   *data,
              GChecksumType type,
              const char   *expected,
              const char   *source,
              GError      **error)
{
  g_autofree char *actual = NULL;

  if (expected == NULL)
    return TRUE;

  actual = hash_file (data->fd, data->length, type, error);
  if (actual == NULL)
    return FALSE;

  if (g_ascii_strcasecmp (actual, expected) != 0)
    {
      data->outcome = FERRY_CHECKSUM_MISMATCH;
      /* One whole sentence per party that gave the digest, for translators. */
      if (g_str_equal (source, "server"))
        g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                     N_ ("The downloaded file does not match the checksum the server gave "
                         "(Repr-Digest: expected %s, got %s); it was deleted"),
                     expected, actual);
      else
        g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                     N_ ("The downloaded file does not match the checksum you gave "
                         "(expected %s, got %s); it was deleted"),
                     expected, actual);
      return FALSE;
    }

  data->outcome = FERRY_CHECKSUM_VERIFIED;
  return TRUE;
}

static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  VerifyData *data = task_data;
  GError *error = NULL;
  struct stat st;

  if (fdatasync (data->fd) != 0 || fstat (data->fd, &st) != 0)
    {
      g_task_return_new_error (task, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                               N_ ("Could not save the downloaded file: %s"), g_strerror (errno));
      return;
    }

  if ((guint64) st.st_size != data->length)
    {
      g_task_return_new_error (task, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                               N_ ("The file on disk has %llu bytes instead of %llu"),
                               (unsigned long long) st.st_size,
                               (unsigned long long) data->length);
      return;
    }

  if (!check_digest (data, data->type, data->expected, data->source, &error) ||
      !check_digest (data, data->type2, data->expected2, data->source2, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static gboolean
name_is_free (int         dir_fd,
              const char *name)
{
  struct stat st;

  return fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT;
}

/* Reserves a name no file has (O_EXCL, no symlink followed) and moves the partial file over
 * the reservation: a file of someone else's is never replaced. */
static char *
claim_final_name (FerryDownload *self,
                  GError       **error)
{
  const char *name = self->record->filename ? self->record->filename : "download";

  for (guint counter = 0; counter < 10000; counter++)
    {
      g_autofree char *candidate = counter == 0 ? g_strdup (name)
                                                : ferry_http_filename_with_counter (name, counter);
      int fd;

      if (!name_is_free (self->dir_fd, candidate))
        continue;

      fd = openat (self->dir_fd, candidate,
                   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0)
        {
          if (errno == EEXIST)
            continue;
          g_propagate_error (error, write_error (self, errno));
          return NULL;
        }
      close (fd);

      if (renameat (self->dir_fd, self->record->partial_name, self->dir_fd, candidate) != 0)
        {
          int saved_errno = errno;

          unlinkat (self->dir_fd, candidate, 0);
          g_propagate_error (error, write_error (self, saved_errno));
          return NULL;
        }

      fsync (self->dir_fd);
      return g_steal_pointer (&candidate);
    }

  g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
               N_ ("Could not find a free file name for %s in %s"), name, self->record->directory);
  return NULL;
}

static void
on_verified (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  FerryDownload *self = FERRY_DOWNLOAD (source);
  VerifyData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *final_name = NULL;
  g_autofree char *destination = NULL;
  const FerryRecord *r = self->record;
  struct stat st;
  guint64 dev = 0, ino = 0;

  /* The details say which digest the file was held to, and how that went. */
  if (data->outcome != FERRY_CHECKSUM_NONE)
    ferry_transfer_set_checksum_result (self->transfer, data->outcome,
                                        data->expected ? data->expected : data->expected2);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED))
        {
          /* Bytes that fail verification are not the file: never resume from them. */
          unlinkat (self->dir_fd, r->partial_name, 0);
          ferry_transfer_forget_validators (self->transfer);
          self->generation++;
        }
      else
        {
          ferry_transfer_set_bytes_done (self->transfer, MIN (r->bytes_done, data->length));
        }
      save_record (self, NULL);
      return_result (self, g_steal_pointer (&error));
      return;
    }

  /* Paused, canceled or stopped while the file was being checked: the outcome decided then
   * is the one that holds, so no final name is claimed. The checked bytes are on disk
   * (verify_thread synced them) and stay the part file: a resume claims them without
   * downloading again, a cancel deletes them. */
  if (g_cancellable_is_cancelled (self->io_cancellable))
    {
      /* The body ended where it should (or cleanly, of a length not announced): whole. */
      ferry_transfer_set_size (self->transfer, data->length);
      ferry_transfer_set_bytes_done (self->transfer, data->length);
      if (!save_record (self, &error))
        {
          return_result (self, g_steal_pointer (&error));
          return;
        }
      return_result (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, N_ ("Stopped")));
      return;
    }

  final_name = claim_final_name (self, &error);
  if (final_name == NULL)
    {
      return_result (self, g_steal_pointer (&error));
      return;
    }

  /* What Remove (delete_data) may delete: this file, not whatever has its name later. */
  if (fstat (self->fd, &st) == 0)
    {
      dev = (guint64) st.st_dev;
      ino = (guint64) st.st_ino;
    }
  ferry_provenance_record (self->fd, r);

  destination = g_build_filename (r->directory, final_name, NULL);
  ferry_transfer_set_completed_file (self->transfer, destination, dev, ino, data->length);

  /* The caller marks the transfer completed and saves; a crash before that leaves a
   * completed file and a record that re-downloads: the store never runs ahead of the disk. */
  return_result (self, NULL);
}

static void
complete (FerryDownload *self,
          guint64        length,
          const char    *repr_digest)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, on_verified, NULL);
  VerifyData *data = g_new0 (VerifyData, 1);
  g_autofree char *server_hex = NULL;
  FerryDigestAlgorithm algorithm = ferry_http_parse_repr_digest (repr_digest, &server_hex);

  g_clear_handle_id (&self->stall_source, g_source_remove);
  g_clear_object (&self->body);

  /* Every byte is in: said at once (BytesDone reaches the length) rather than at the next
   * progress tick, for checking a big file takes a while. What the store counts as kept
   * stays what the last checkpoint synced; the check syncs the rest. */
  ferry_transfer_set_live_bytes (self->transfer, length);
  {
    g_autoptr(GError) error = NULL;

    if (!save_record (self, &error))
      g_debug ("Could not announce the end of the body: %s", error->message);
  }

  data->fd = self->fd;
  data->length = length;
  if (self->record->sha256 != NULL)
    {
      data->type = G_CHECKSUM_SHA256;
      data->expected = g_ascii_strdown (self->record->sha256, -1);
      data->source = g_strdup ("you");
    }
  if (algorithm != FERRY_DIGEST_NONE)
    {
      data->type2 = algorithm == FERRY_DIGEST_SHA512 ? G_CHECKSUM_SHA512 : G_CHECKSUM_SHA256;
      data->expected2 = g_steal_pointer (&server_hex);
      data->source2 = g_strdup ("server");
    }

  g_task_set_task_data (task, data, (GDestroyNotify) verify_data_free);
  g_task_set_source_tag (task, complete);
  self->sync_in_flight = TRUE;   /* no periodic checkpoint may start now */
  g_task_run_in_thread (task, verify_thread);
}

/* -- Reading the body -------------------------------------------------------------------- */

/* The body ended cleanly and every byte of it is in the file: whole, or what is missing. */
static void
body_ended (FerryDownload *self)
{
  if (self->write_failed)
    {
      finish_with_error (self, stopped_error (self));
      return;
    }

  /* Count the bytes ourselves: a close-delimited or HTTP/1.0 body that ends early ends
   * with a clean EOF, and must never pass for a complete file. */
  if (self->expected >= 0 && self->received < (guint64) self->expected)
    {
      finish_with_error (self, g_error_new (FERRY_TRANSFER_ERROR,
                                            FERRY_TRANSFER_ERROR_TRANSIENT,
                                            N_ ("The server closed the connection early "
                                                "(%llu of %lld bytes)"),
                                            (unsigned long long) self->received,
                                            (long long) self->expected));
      return;
    }

  /* A 206 that stops before the end of a file of known length: the rest is asked for,
   * never taken for the whole. */
  if (self->representation_total >= 0 &&
      file_position (self) < (guint64) self->representation_total)
    {
      ask_for_rest (self);
      return;
    }

  /* No length: libsoup 3.2 ends a chunked body cut between chunks as cleanly as a
   * whole one (PROTOCOLS.md §6), and a close-delimited body ends the same way when the
   * server dies. Ask the server what lies past this end before calling it whole. */
  if ((self->expected < 0 || self->total_unknown) && !self->probing)
    {
      probe_end (self);
      return;
    }

  complete (self, file_position (self), self->repr_digest);
}

/* A write of the writer's thread ended: reading goes on, or what waited for it. */
static void
on_writer_progress (gpointer user_data,
                    guint64  pos,
                    gsize    len)
{
  FerryDownload *self = user_data;
  int saved_errno = ferry_part_writer_get_error (self->writer);

  if (saved_errno != 0 && !self->write_failed)
    {
      /* Stop the stream; the attempt ends with this error once the writer is idle. */
      self->write_failed = TRUE;
      if (self->pending_error == NULL && !self->finish_pending)
        self->pending_error = write_error (self, saved_errno);
      g_cancellable_cancel (self->io_cancellable);
    }

  if (self->checkpoint_waiting && !self->sync_in_flight && !self->write_failed &&
      ferry_part_writer_get_written (self->writer) >= self->checkpoint_at)
    {
      self->checkpoint_waiting = FALSE;
      start_sync (self, on_checkpoint_synced);
    }

  if (self->waiting_for_space)
    {
      /* The disk was slow, not the server: the stall clock starts again. */
      self->waiting_for_space = FALSE;
      self->last_byte_time = MAX (self->last_byte_time, g_get_monotonic_time ());
      read_next (self);
      return;
    }

  if (!ferry_part_writer_is_idle (self->writer))
    return;

  if (self->eof_pending)
    {
      self->eof_pending = FALSE;
      body_ended (self);
    }
  else if (self->finish_pending)
    {
      self->finish_pending = FALSE;
      finish_after_writes (self);
    }
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(FerryDownload) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish_with_error (self, stopped_error (self));
      else
        finish_with_error (self, ferry_transfer_error_from_network (error, FALSE));
      return;
    }

  if (n == 0)
    {
      ferry_part_writer_flush (self->writer);
      if (!ferry_part_writer_is_idle (self->writer))
        {
          self->eof_pending = TRUE;
          return;
        }
      body_ended (self);
      return;
    }

  if (self->expected >= 0 && self->received + (guint64) n > (guint64) self->expected)
    {
      finish_with_error (self, g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                                            N_ ("The server sent more data than it announced")));
      return;
    }

  ferry_part_writer_commit (self->writer, (gsize) n);
  self->received += (guint64) n;
  self->progress += (guint64) n;

  self->last_byte_time = g_get_monotonic_time ();
  ferry_rate_limiter_consume (self->shared_limiter, self->last_byte_time, (guint64) n);
  ferry_rate_limiter_consume (self->own_limiter, self->last_byte_time, (guint64) n);
  ferry_transfer_set_live_bytes (self->transfer, file_position (self));
  maybe_checkpoint (self);
  read_next (self);
}

static gboolean
on_throttle_done (gpointer user_data)
{
  FerryDownload *self = user_data;

  self->throttle_source = 0;
  read_next (self);
  return G_SOURCE_REMOVE;
}

static gsize
read_size (FerryDownload *self)
{
  return ferry_rate_limiter_read_size (self->shared_limiter, self->own_limiter, READ_SIZE);
}

static void
read_next (FerryDownload *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 delay = MAX (ferry_rate_limiter_delay (self->shared_limiter, now),
                      ferry_rate_limiter_delay (self->own_limiter, now));
  guint8 *space;
  gsize space_len;

  if (g_cancellable_is_cancelled (self->io_cancellable))
    {
      finish_with_error (self, stopped_error (self));
      return;
    }

  if (delay > 0)
    {
      /* Not reading is what slows the server down; the stall clock does not run meanwhile. */
      self->last_byte_time = MAX (self->last_byte_time, now + delay);
      self->throttle_source = g_timeout_add ((guint) ((delay + 999) / 1000), on_throttle_done,
                                             self);
      return;
    }

  /* Straight into the writer's buffer; none free means the disk is behind the network. */
  space = ferry_part_writer_space (self->writer, &space_len);
  if (space == NULL)
    {
      self->waiting_for_space = TRUE;
      return;
    }

  g_input_stream_read_async (self->body, space, MIN (read_size (self), space_len),
                             G_PRIORITY_DEFAULT, self->io_cancellable, on_read,
                             g_object_ref (self));
}

static gboolean
check_stall (gpointer user_data)
{
  FerryDownload *self = user_data;

  /* Waiting for the disk is not the server's stall. */
  if (!self->waiting_for_space &&
      g_get_monotonic_time () - self->last_byte_time >= (gint64) ferry_transfer_stall_seconds () * G_USEC_PER_SEC)
    {
      g_debug ("Transfer %" G_GUINT64_FORMAT " stalled", self->record->id);
      self->stalled = TRUE;
      self->stall_source = 0;
      g_cancellable_cancel (self->io_cancellable);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

/* -- Deciding what the response means ---------------------------------------------------- */

static gboolean
truncate_to (FerryDownload *self,
             guint64        length,
             GError       **error)
{
  if (ftruncate (self->fd, (off_t) length) != 0)
    {
      g_propagate_error (error, write_error (self, errno));
      return FALSE;
    }
  if (self->writer != NULL)
    ferry_part_writer_reset (self->writer, length);
  return TRUE;
}

/* Learns the validators and name of a new representation, stores them with a checkpoint of
 * zero, and only then empties the partial file (rule 1 and 2). */
static gboolean
begin_representation (FerryDownload      *self,
                      SoupMessageHeaders *headers,
                      gint64              total,
                      GError            **error)
{
  const char *etag = soup_message_headers_get_one (headers, "ETag");
  const char *last_modified = soup_message_headers_get_one (headers, "Last-Modified");
  const char *date = soup_message_headers_get_one (headers, "Date");
  const char *accept_ranges = soup_message_headers_get_one (headers, "Accept-Ranges");
  const char *strong_etag = NULL;
  const char *strong_last_modified = NULL;
  g_autofree char *name = NULL;

  self->generation++;

  if (ferry_http_etag_is_strong (etag))
    {
      strong_etag = etag;
    }
  else if (etag == NULL && last_modified != NULL && date != NULL)
    {
      g_autoptr(GDateTime) lm = soup_date_time_new_from_http_string (last_modified);
      g_autoptr(GDateTime) d = soup_date_time_new_from_http_string (date);

      /* Last-Modified is strong only when the response came well after it (RFC 9110 §8.8.2.2). */
      if (lm != NULL && d != NULL && g_date_time_difference (d, lm) >= 60 * G_USEC_PER_SEC)
        strong_last_modified = last_modified;
    }

  if (!self->record->filename_from_caller)
    {
      g_autofree char *raw = ferry_http_content_disposition_filename (
        soup_message_headers_get_one (headers, "Content-Disposition"));

      name = ferry_http_sanitize_filename (raw);
      if (name == NULL)
        {
          g_autofree char *from_uri = ferry_http_uri_filename (self->current_uri);

          name = ferry_http_sanitize_filename (from_uri);
        }
      if (name == NULL)
        name = g_strdup ("download");
    }

  ferry_transfer_set_representation (self->transfer, strong_etag, strong_last_modified,
                                     (strong_etag != NULL || strong_last_modified != NULL) &&
                                     g_strcmp0 (accept_ranges, "none") != 0,
                                     total > 0 ? (guint64) total : 0, name);

  if (!save_record (self, error))
    return FALSE;

  self->offset = 0;
  return truncate_to (self, 0, error);
}

static GError *
rejected_error (guint       status,
                const char *reason)
{
  const char *what;

  switch (status)
    {
    case 400:
      what = N_ ("The server did not understand the request");
      break;
    case 401:
      what = N_ ("The server requires a login for this file");
      break;
    case 403:
      what = N_ ("The server refused access to this file");
      break;
    case 404:
      what = N_ ("The server no longer has this file");
      break;
    case 407:
      what = N_ ("The proxy did not take the user name and password of the proxy settings");
      break;
    case 410:
      what = N_ ("The file was removed from the server");
      break;
    default:
      return g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                          N_ ("The server refused the download (HTTP %u %s)"),
                          status, reason ? reason : "");
    }

  return g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                      N_ ("%s (HTTP %u)"), what, status);
}

static void
restart_from_zero (FerryDownload *self,
                   const char    *why)
{
  g_autoptr(GError) error = NULL;

  g_debug ("Transfer %" G_GUINT64_FORMAT ": starting over (%s)", self->record->id, why);

  if (++self->restarts > MAX_RESTARTS)
    {
      finish_with_error (self, g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                                            N_ ("The server keeps answering with the wrong part "
                                                "of the file")));
      return;
    }

  ferry_transfer_forget_validators (self->transfer);
  self->generation++;
  if (!save_record (self, &error) || !truncate_to (self, 0, &error))
    {
      finish_with_error (self, g_steal_pointer (&error));
      return;
    }

  self->offset = 0;
  g_clear_object (&self->body);
  send_request (self);
}

/* The segments are done: their outcome is the attempt's (their final checkpoint is taken). */
static void
on_segments_done (gpointer             user_data,
                  FerrySegmentsOutcome outcome,
                  GError              *error,
                  gint64               retry_after)
{
  FerryDownload *self = user_data;

  switch (outcome)
    {
    case FERRY_SEGMENTS_COMPLETE:
      complete (self, self->record->bytes_total, self->repr_digest);
      break;
    case FERRY_SEGMENTS_RESTART:
      restart_from_zero (self, "the file changed while its segments were fetched");
      break;
    case FERRY_SEGMENTS_FAILED:
    default:
      self->retry_after = retry_after;
      g_clear_object (&self->body);
      return_result (self, error);
      break;
    }
}

/* A large file from a server with ranges goes on over more connections. */
static gboolean
start_segments (FerryDownload *self,
                gint64         body_length)
{
  FerrySegmentsSetup setup = {
    .transfer = self->transfer,
    .engine = FERRY_ENGINE (self),
    .session = self->session,
    .fd = self->fd,
    .uri = self->current_uri,
    .origins = self->origins,
    .max_per_host = self->max_per_host,
    .shared_limiter = self->shared_limiter,
    .own_limiter = self->own_limiter,
    .cancellable = self->io_cancellable,
    .done = on_segments_done,
    .user_data = self,
  };
  g_autoptr(GInputStream) body = NULL;

  if (self->origins == NULL || self->probing ||
      !ferry_segments_wanted (self->record, self->msg, self->offset, body_length))
    {
      if (self->record->segments != NULL)
        {
          /* One connection from the first missing byte on rewrites what segments left past
           * it: only that byte counts again. */
          ferry_transfer_set_segments (self->transfer, NULL, self->offset);
          save_record (self, NULL);
        }
      return FALSE;
    }

  body = g_steal_pointer (&self->body);
  self->progress += ferry_segments_get_progress (self->segments);
  g_clear_pointer (&self->segments, ferry_segments_free);
  self->segments = ferry_segments_start (&setup, self->msg, body, self->offset);
  return TRUE;
}

static void
start_body (FerryDownload *self,
            gint64         body_length)
{
  const char *digest = soup_message_headers_get_one (
    soup_message_get_response_headers (self->msg), "Repr-Digest");

  self->received = 0;
  self->expected = body_length;
  if (digest != NULL)
    {
      g_free (self->repr_digest);
      self->repr_digest = g_strdup (digest);
    }
  if (start_segments (self, body_length))
    return;
  ferry_part_writer_reset (self->writer, self->offset);
  self->last_byte_time = g_get_monotonic_time ();
  ferry_transfer_set_live_bytes (self->transfer, self->offset);
  if (self->stall_source == 0)
    self->stall_source = g_timeout_add_seconds (MAX (1, ferry_transfer_stall_seconds () / 6), check_stall, self);
  read_next (self);
}

static gint64
content_length (SoupMessageHeaders *headers)
{
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    return -1;
  return soup_message_headers_get_content_length (headers);
}

static gboolean
has_validator (const FerryRecord *r)
{
  return r->etag != NULL || r->last_modified != NULL;
}

/* Sends the next request of this attempt from where the file now ends. */
static void
continue_from_here (FerryDownload *self)
{
  self->offset = file_position (self);
  self->received = 0;
  self->expected = -1;
  self->representation_total = -1;
  self->total_unknown = FALSE;
  g_clear_object (&self->body);
  send_request (self);
}

static void
ask_for_rest (FerryDownload *self)
{
  const FerryRecord *r = self->record;

  if (self->received == 0)
    {
      finish_with_error (self, g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                                            N_ ("The server sent an empty part of the file")));
      return;
    }

  if (!has_validator (r))
    {
      /* Without a validator the rest could belong to another version of the file. */
      finish_with_error (self, g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                                            N_ ("The server sent only %llu of %lld bytes and no "
                                                "way to check that the rest belongs to the same "
                                                "file; Ferry did not keep a partial file as if "
                                                "it were whole"),
                                            (unsigned long long) file_position (self),
                                            (long long) self->representation_total));
      return;
    }

  g_debug ("Transfer %" G_GUINT64_FORMAT ": the server sent up to %" G_GUINT64_FORMAT
           " of %" G_GINT64_FORMAT "; asking for the rest", r->id, file_position (self),
           self->representation_total);
  continue_from_here (self);
}

/* Asks for the bytes past the end of a body that came without a length: 416 with
 * "bytes * /N" (N our size) confirms the end, 206 continues the file. */
static void
probe_end (FerryDownload *self)
{
  g_debug ("Transfer %" G_GUINT64_FORMAT ": confirming the end of a body without a length at "
           "%" G_GUINT64_FORMAT, self->record->id, file_position (self));
  self->probing = TRUE;
  continue_from_here (self);
}

/* Completes a file whose end the server could not confirm, saying so. */
static void
complete_unconfirmed (FerryDownload *self)
{
  g_free (self->unconfirmed);
  if (self->record->sha256 == NULL && self->repr_digest == NULL)
    self->unconfirmed = g_strdup (N_ ("The server sent this file without a length and cannot "
                                      "confirm where it ends: Ferry kept what arrived but could "
                                      "not verify that the file is whole"));
  self->received = 0;
  complete (self, self->offset, self->repr_digest);
}

/* A 401/403/404/410, or a page where the file was, from a redirect target stored by an
 * earlier attempt: signed targets are short-lived (RFC 9110: a 302/303/307 target is
 * temporary), so the address itself is asked again before giving up. TRUE if it was. */
static gboolean
ask_original_address (FerryDownload *self)
{
  const FerryRecord *r = self->record;
  g_autoptr(GError) error = NULL;

  if (self->asked_original || self->redirects > 0 || r->final_uri == NULL ||
      g_strcmp0 (r->final_uri, r->uri) == 0 || g_strcmp0 (self->current_uri, r->final_uri) != 0)
    return FALSE;

  g_debug ("Transfer %" G_GUINT64_FORMAT ": the stored redirect target failed; asking %s "
           "again", r->id, r->uri);
  self->asked_original = TRUE;
  ferry_transfer_forget_final_uri (self->transfer);
  if (!save_record (self, &error))
    {
      finish_with_error (self, g_steal_pointer (&error));
      return TRUE;
    }

  g_free (self->current_uri);
  self->current_uri = g_strdup (r->uri);
  g_clear_object (&self->body);
  send_request (self);
  return TRUE;
}

/* On a resume, whether a 200 can be a new version of the file rather than something else
 * (an expired link's web page): NULL if it can, else what it looks like. */
static const char *
not_the_file (FerryDownload      *self,
              SoupMessageHeaders *headers,
              gint64              length)
{
  const FerryRecord *r = self->record;
  const char *type = soup_message_headers_get_content_type (headers, NULL);

  if (type != NULL && g_ascii_strcasecmp (type, "text/html") == 0 &&
      (r->filename == NULL ||
       !(g_str_has_suffix (r->filename, ".html") || g_str_has_suffix (r->filename, ".htm"))))
    return "a web page";

  if (soup_message_headers_get_one (headers, "ETag") == NULL &&
      soup_message_headers_get_one (headers, "Last-Modified") == NULL)
    return "an answer that carries no validator";

  if (length >= 0 && r->bytes_total > 0 &&
      ((guint64) length < r->bytes_total / 2 || (guint64) length / 2 > r->bytes_total))
    return "a file of a very different size";

  return NULL;
}

static GError *
link_expired_error (FerryDownload *self,
                    const char    *what)
{
  g_autofree char *kept = g_format_size (self->offset);

  return g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_LINK_EXPIRED,
                      N_ ("The link seems to have expired: the server answered with %s instead "
                          "of the file. The %s already downloaded are kept; give the transfer a "
                          "new address to continue"), what, kept);
}

static gboolean
handle_redirect (FerryDownload *self,
                 guint          status,
                 SoupMessageHeaders *headers)
{
  const char *location = soup_message_headers_get_one (headers, "Location");
  g_autoptr(GUri) base = NULL;
  g_autoptr(GUri) target = NULL;
  const char *scheme;

  if (location == NULL)
    return FALSE;

  base = g_uri_parse (self->current_uri, SOUP_HTTP_URI_FLAGS, NULL);
  target = base ? g_uri_parse_relative (base, location, SOUP_HTTP_URI_FLAGS, NULL) : NULL;
  scheme = target ? g_uri_get_scheme (target) : NULL;

  if (target == NULL || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0))
    {
      finish_with_error (self, g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                                            N_ ("The server redirected to an address Ferry cannot "
                                                "use (HTTP %u)"), status));
      return TRUE;
    }

  if (g_str_equal (scheme, "http") && g_str_equal (g_uri_get_scheme (base), "https"))
    {
      finish_with_error (self, g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                                            N_ ("The server redirected from a secure address to an "
                                                "insecure one; Ferry does not follow that")));
      return TRUE;
    }

  if (++self->redirects > MAX_REDIRECTS)
    {
      finish_with_error (self, g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                                            N_ ("The server redirected more than %d times"),
                                            MAX_REDIRECTS));
      return TRUE;
    }

  g_free (self->current_uri);
  self->current_uri = g_uri_to_string (target);
  g_clear_object (&self->body);
  send_request (self);
  return TRUE;
}

static void
handle_response (FerryDownload *self)
{
  const FerryRecord *r = self->record;
  SoupMessageHeaders *headers = soup_message_get_response_headers (self->msg);
  guint status = soup_message_get_status (self->msg);
  const char *reason = soup_message_get_reason_phrase (self->msg);
  g_autoptr(GVariant) shown = ferry_http_shown_response_headers (headers, FALSE);
  g_autoptr(GError) error = NULL;

  /* Where a later attempt asks first: the address that gave the file (or a part of it). */
  ferry_transfer_set_response (self->transfer, status, shown,
                               status >= 200 && status < 300 ? self->current_uri : NULL);

  if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308)
    {
      if (handle_redirect (self, status, headers))
        return;
    }

  if ((status == 401 || status == 403 || status == 404 || status == 410) &&
      ask_original_address (self))
    return;

  if (status == 200 && self->probing)
    {
      /* The server ignored the range. Its length, if it gives one, settles the question. */
      gint64 length = content_length (headers);
      const char *etag = soup_message_headers_get_one (headers, "ETag");

      if (length < 0)
        {
          g_clear_object (&self->body);
          complete_unconfirmed (self);
          return;
        }
      if ((guint64) length == self->offset &&
          (etag == NULL || r->etag == NULL || g_strcmp0 (etag, r->etag) == 0))
        {
          g_clear_object (&self->body);
          self->received = 0;
          complete (self, self->offset, self->repr_digest);
          return;
        }
      /* Another length or validator: what arrived was not all of it, or the file changed;
       * this answer is taken as the file, from the start. */
    }

  if (status == 200 && self->offset > 0 && !self->probing)
    {
      const char *what = not_the_file (self, headers, content_length (headers));

      if (what != NULL)
        {
          if (ask_original_address (self))
            return;
          finish_with_error (self, link_expired_error (self, what));
          return;
        }
    }

  if (status == 200)
    {
      gint64 length = content_length (headers);

      self->probing = FALSE;
      if (self->offset > 0)
        g_debug ("Transfer %" G_GUINT64_FORMAT ": the server sent the whole file (the file "
                 "changed or ranges are not supported); starting over", r->id);

      if (!begin_representation (self, headers, length, &error))
        {
          finish_with_error (self, g_steal_pointer (&error));
          return;
        }
      start_body (self, length);
      return;
    }

  if (status == 206)
    {
      FerryContentRange range;
      const char *content_type = soup_message_headers_get_content_type (headers, NULL);
      const char *etag = soup_message_headers_get_one (headers, "ETag");

      if (g_strcmp0 (content_type, "multipart/byteranges") == 0 ||
          !ferry_http_parse_content_range (soup_message_headers_get_one (headers,
                                                                         "Content-Range"),
                                           &range) ||
          range.start < 0 || (guint64) range.start != self->offset ||
          (self->offset > 0 && range.total >= 0 && r->bytes_total > 0 &&
           (guint64) range.total != r->bytes_total) ||
          (self->offset > 0 && etag != NULL && r->etag != NULL && g_strcmp0 (etag, r->etag) != 0) ||
          (self->probing && !has_validator (r)) ||
          (content_length (headers) >= 0 &&
           content_length (headers) != range.end - range.start + 1))
        {
          restart_from_zero (self, "the partial response does not continue the file");
          return;
        }

      if (self->offset == 0)
        {
          /* A 206 to a request without a range starts a representation like a 200 does:
           * its validators and its name (from the address) are learnt. */
          if (!begin_representation (self, headers, range.total, &error))
            {
              finish_with_error (self, g_steal_pointer (&error));
              return;
            }
        }
      else if (range.total >= 0 && r->bytes_total == 0)
        {
          ferry_transfer_set_size (self->transfer, (guint64) range.total);
          if (!save_record (self, &error))
            {
              finish_with_error (self, g_steal_pointer (&error));
              return;
            }
        }

      self->probing = FALSE;
      self->representation_total = range.total;
      self->total_unknown = range.total < 0;
      start_body (self, range.end - range.start + 1);
      return;
    }

  if (status == 416)
    {
      FerryContentRange range;
      const char *etag = soup_message_headers_get_one (headers, "ETag");

      /* The file may already be whole (the final response was lost): only if the server
       * agrees on both the size and the validator. */
      if (self->offset > 0 &&
          ferry_http_parse_content_range (soup_message_headers_get_one (headers, "Content-Range"),
                                          &range) &&
          range.start < 0 && (guint64) range.total == self->offset &&
          (r->bytes_total == 0 || r->bytes_total == self->offset) &&
          (etag == NULL || g_strcmp0 (etag, r->etag) == 0))
        {
          self->received = 0;
          complete (self, self->offset, self->repr_digest);
          return;
        }

      /* lighttpd's 416 has no Content-Range: with the validator sent in If-Range, it still
       * says that nothing lies past our end; without one it might be another file's. */
      if (self->probing && soup_message_headers_get_one (headers, "Content-Range") == NULL)
        {
          if (has_validator (r))
            {
              self->received = 0;
              complete (self, self->offset, self->repr_digest);
            }
          else
            {
              complete_unconfirmed (self);
            }
          return;
        }

      restart_from_zero (self, "the server cannot satisfy the range");
      return;
    }

  if (ferry_http_status_is_transient (status))
    {
      gint64 delay;

      if (ferry_http_parse_retry_after (soup_message_headers_get_one (headers, "Retry-After"),
                                        g_get_real_time () / G_USEC_PER_SEC, &delay))
        self->retry_after = delay;

      finish_with_error (self, g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                                            N_ ("%s (HTTP %u)"),
                                            ferry_http_transient_reason (status),
                                            status));
      return;
    }

  if (status >= 400 && status < 500)
    {
      finish_with_error (self, rejected_error (status, reason));
      return;
    }

  finish_with_error (self, g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                                        N_ ("The server sent an unexpected answer (HTTP %u %s)"),
                                        status, reason ? reason : ""));
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(FerryDownload) self = user_data;
  g_autoptr(GError) error = NULL;

  self->body = soup_session_send_finish (SOUP_SESSION (source), result, &error);

  if (self->body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish_with_error (self, stopped_error (self));
      else
        finish_with_error (self, ferry_transfer_error_from_certificate (
                                   error,
                                   soup_message_get_tls_peer_certificate_errors (self->msg)));
      return;
    }

  handle_response (self);
}

static void
send_request (FerryDownload *self)
{
  const FerryRecord *r = self->record;
  SoupMessageHeaders *headers;

  g_clear_object (&self->msg);
  self->msg = soup_message_new ("GET", self->current_uri);
  if (self->msg == NULL)
    {
      finish_with_error (self, g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                                            N_ ("The address %s is not valid"), self->current_uri));
      return;
    }

  /* Redirects are followed here, to refuse https → http and to know the final address. */
  soup_message_add_flags (self->msg, SOUP_MESSAGE_NO_REDIRECT);
  /* Bytes on disk are the representation as sent: never a decoded variant. */
  soup_message_disable_feature (self->msg, SOUP_TYPE_CONTENT_DECODER);

  headers = soup_message_get_request_headers (self->msg);
  /* Decided per request against the address the caller gave: a redirect, or a stored final
   * address on a later attempt, that leads to another origin gets no credentials. */
  ferry_http_add_caller_headers (self->msg, r->headers, r->uri);
  soup_message_headers_replace (headers, "Accept-Encoding", "identity");
  soup_message_headers_replace (headers, "Want-Repr-Digest", "sha-256=10, sha-512=3");

  if (self->offset > 0)
    {
      g_autofree char *range = g_strdup_printf ("bytes=%" G_GUINT64_FORMAT "-", self->offset);

      soup_message_headers_replace (headers, "Range", range);
      /* Without a validator only a probe past the end of a lengthless body asks a range. */
      if (r->etag != NULL || r->last_modified != NULL)
        soup_message_headers_replace (headers, "If-Range", r->etag ? r->etag : r->last_modified);
    }

  ferry_proxy_watch (self->session, self->msg);
  soup_session_send_async (self->session, self->msg, G_PRIORITY_DEFAULT, self->io_cancellable,
                           on_sent, g_object_ref (self));
}

static gboolean
open_files (FerryDownload *self,
            GError       **error)
{
  const FerryRecord *r = self->record;
  g_autofree char *ranges = NULL;
  struct stat st;
  guint64 resume_at;
  guint64 keep;
  guint64 durable;
  gboolean moved;

  /* Added before folders were pinned: its folder is resolved and pinned now, once, as
   * AddDownload does, and reached only as pinned from then on. */
  if (r->dir_dev == 0 && r->dir_ino == 0)
    {
      g_autoptr(GError) pin_error = NULL;
      g_autofree char *real_path = NULL;
      guint64 dev, ino;

      if (!ferry_folder_pin (r->directory, &real_path, &dev, &ino, &pin_error))
        {
          g_set_error_literal (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                               pin_error->message);
          return FALSE;
        }
      ferry_transfer_set_folder (self->transfer, real_path, dev, ino);
    }

  /* The folder pinned when the download was added, reached without following a link: the
   * part file and the final name are only ever relative to it. */
  self->dir_fd = ferry_folder_open (r->directory, r->dir_dev, r->dir_ino, error);
  if (self->dir_fd < 0)
    return FALSE;

  if (r->partial_name == NULL)
    {
      g_autofree char *partial_name = g_strdup_printf (".ferry-%" G_GUINT64_FORMAT ".part",
                                                       r->id);

      ferry_transfer_set_partial (self->transfer, partial_name);
    }

  self->fd = openat (self->dir_fd, r->partial_name,
                     O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (self->fd < 0 || fstat (self->fd, &st) != 0)
    {
      g_propagate_error (error, write_error (self, errno));
      return FALSE;
    }

  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                   N_ ("The partial file %s in %s is not a regular file"),
                   r->partial_name, r->directory);
      return FALSE;
    }

  self->writer = ferry_part_writer_new (G_OBJECT (self), self->fd,
                                        ferry_part_writer_open_direct (self->fd),
                                        READ_SIZE, WRITE_BUFFERS, on_writer_progress, self);

  /* The store never runs ahead of the disk; anything past the checkpoint was not synced and
   * may be garbage after a power loss. A file shorter than the checkpoint lost its tail: keep
   * what is left. Without a validator nothing can be resumed, unless nothing is left to
   * ask for: a whole file came from one response and splices nothing. */
  resume_at = MIN ((guint64) st.st_size, r->bytes_done);
  if (r->etag == NULL && r->last_modified == NULL &&
      !(r->bytes_total > 0 && resume_at == r->bytes_total))
    resume_at = 0;
  /* Segments (ferry-segments.c) keep their durable ranges past the first missing byte. */
  keep = ferry_segments_resume (r, (guint64) st.st_size, &resume_at, &durable, &ranges);
  if (keep != (guint64) st.st_size && !truncate_to (self, keep, error))
    return FALSE;

  moved = durable != r->bytes_done;
  ferry_transfer_set_segments (self->transfer, ranges, durable);
  if (moved && !save_record (self, error))
    return FALSE;

  self->offset = resume_at;
  ferry_part_writer_reset (self->writer, resume_at);
  return TRUE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  FerryDownload *self = user_data;

  g_cancellable_cancel (self->io_cancellable);
}

static void
ferry_download_run_async (FerryEngine        *engine,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  FerryDownload *self = FERRY_DOWNLOAD (engine);
  g_autoptr(GError) error = NULL;

  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, ferry_download_run_async);

  self->io_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    self->cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                                  self, NULL);

  self->current_uri = g_strdup (self->record->final_uri ? self->record->final_uri
                                                        : self->record->uri);
  self->last_checkpoint = g_get_monotonic_time ();

  if (!open_files (self, &error))
    {
      finish_with_error (self, g_steal_pointer (&error));
      return;
    }

  /* Every byte is already on disk (an attempt stopped while it checked them): check them
   * again and take the final name, without asking the server for anything. */
  if (self->record->bytes_total > 0 && self->offset == self->record->bytes_total)
    {
      complete (self, self->offset, NULL);
      return;
    }

  send_request (self);
}

static gboolean
ferry_download_run_finish (FerryEngine  *engine,
                           GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The partial file, only in the folder pinned: a name in a folder put in its place is
 * someone else's. */
static void
delete_partial (FerryDownload *self)
{
  const FerryRecord *r = self->record;

  if (r->directory != NULL && r->partial_name != NULL)
    {
      g_autoptr(GError) error = NULL;
      int dir_fd = ferry_folder_open (r->directory, r->dir_dev, r->dir_ino, &error);

      if (dir_fd < 0)
        g_warning ("Could not delete the partial file %s: %s", r->partial_name,
                   error->message);
      else if (unlinkat (dir_fd, r->partial_name, 0) != 0 && errno != ENOENT)
        g_warning ("Could not delete %s in %s: %s", r->partial_name, r->directory,
                   g_strerror (errno));
      if (dir_fd >= 0)
        close (dir_fd);
    }
  ferry_transfer_forget_partial (self->transfer);
}

/* Bytes that a retry could continue from are kept; anything else is litter. */
static void
ferry_download_settle (FerryEngine *engine,
                       FerryState   state)
{
  FerryDownload *self = FERRY_DOWNLOAD (engine);

  if (state != FERRY_STATE_COMPLETED && (!self->record->resumable ||
                                         self->record->bytes_done == 0))
    delete_partial (self);
}

static void
ferry_download_discard (FerryEngine *engine)
{
  delete_partial (FERRY_DOWNLOAD (engine));
}

/* The completed file is deleted only in the folder pinned, and only if it is still the file
 * Ferry completed; otherwise the transfer stays and the caller is told why. */
static gboolean
ferry_download_delete_data (FerryEngine *engine,
                            gboolean   (*forget) (gpointer   user_data,
                                                  GError   **error),
                            gpointer     user_data,
                            GError     **error)
{
  const FerryRecord *r = FERRY_DOWNLOAD (engine)->record;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;
  gboolean gone;
  int dir_fd;

  if (r->state != FERRY_STATE_COMPLETED || r->destination == NULL)
    return forget (user_data, error);

  name = g_path_get_basename (r->destination);
  dir_fd = ferry_folder_open (r->directory, r->dir_dev, r->dir_ino, &local_error);
  if (dir_fd < 0 && errno != ENOENT)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* The folder is gone, and the file with it: nothing left to delete. */
  if (dir_fd < 0)
    return forget (user_data, error);

  if (!ferry_folder_check_file (dir_fd, r->directory, name, r->file_dev, r->file_ino, &gone,
                                error) ||
      !forget (user_data, error))
    {
      close (dir_fd);
      return FALSE;
    }

  if (!ferry_folder_delete_file (dir_fd, r->directory, name, r->file_dev, r->file_ino,
                                 &local_error))
    g_warning ("%s", local_error->message);
  close (dir_fd);
  return TRUE;
}

static void
ferry_download_engine_init (FerryEngineInterface *iface)
{
  iface->run_async = ferry_download_run_async;
  iface->run_finish = ferry_download_run_finish;
  iface->set_rate_limiters = ferry_download_set_rate_limiters;
  iface->get_progress = ferry_download_get_progress;
  iface->get_retry_after = ferry_download_get_retry_after;
  iface->get_unconfirmed = ferry_download_get_unconfirmed;
  iface->settle = ferry_download_settle;
  iface->discard = ferry_download_discard;
  iface->delete_data = ferry_download_delete_data;
}
