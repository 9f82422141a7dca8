/* ferry-segments.c
 *
 * A large file over several connections. A server or CDN that caps each connection caps a
 * one-connection download; splitting the file into segments fetched side by side, each
 * with Range and If-Range and written with pwrite into the one part file, gets past that.
 *
 * - Only with ranges, a strong validator and a large file (ferry_segments_wanted): a
 *   changed file must never be spliced, so every segment request carries If-Range, and a
 *   200 or another validator on any of them discards every segment and starts over.
 * - Adaptive: two connections first (the attempt's own and one more); every half second,
 *   as many again as are open (2, 4, 8: a server that caps each connection is served at
 *   full speed within about a second and a half) while the last ones raised the aggregate rate by GROWTH_PERCENT;
 *   if they lowered it, they go again at the end of their pieces. Never beyond
 *   the caller's `connections` nor the origin's budget (max-per-host, shrunk by 429s),
 *   which counts every connection of every transfer to that origin (ferry-origins.c).
 * - A 429 or 503 on a segment closes that connection and shrinks the origin's budget; the
 *   other segments go on and take over its bytes.
 * - Writes: each segment reads into its own two buffers of a FerryPartWriter
 *   (ferry-part-writer.c), written in a thread, with O_DIRECT where the file system takes it.
 *   A range counts as written when its write has returned; bytes still in a buffer are
 *   nobody's to fetch again.
 * - Checkpoints: one fdatasync of the part file, then the store records the ranges that were
 *   written before it started (rule 2, as for the single offset). A due checkpoint first
 *   sends every partly filled buffer, and starts at the next tick. A restart resumes every
 *   missing range, each from its own durable offset.
 * - Work stealing: a segment that finishes its piece takes the first missing range, or the
 *   second half of the largest piece still in flight, so all connections stay busy to the
 *   end. A piece cut short this way ends its request by closing the connection.
 *
 * HTTP/2 (libsoup negotiates it over TLS): libsoup multiplexes the segments as streams on one
 * connection. They still help against a per-request cap, not against a per-connection one,
 * and each stream counts against max-per-host as a connection would.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-segments"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ferry-http.h"
#include "ferry-i18n.h"
#include "ferry-part-writer.h"
#include "ferry-proxy.h"
#include "ferry-segments.h"

/* Below this a second connection would hardly start before the first is done (it is added
 * after a second of measuring): a smaller file keeps one connection, as before segments.
 * aria2 splits nothing under twice its min-split-size of 20 MiB by default. */
#define SEGMENTS_MIN_SIZE ((guint64) 16 * 1024 * 1024)
/* What one request of a segment asks, at least and at most. */
#define MIN_PIECE ((guint64) 1024 * 1024)
#define MAX_PIECE ((guint64) 16 * 1024 * 1024)
#define PIECE_ALIGN ((guint64) 64 * 1024)
/* The rate is measured over windows of about this long. */
#define WINDOW_USEC (G_USEC_PER_SEC / 2)
/* One more connection is worth it while the last one raised the rate by this much. */
#define GROWTH_PERCENT 10
#define CHECKPOINT_INTERVAL_USEC (2 * G_USEC_PER_SEC)
/* The most any transfer opens, whatever its option says (as max-per-host's highest). */
#define MAX_CONNECTIONS 64
#define READ_SIZE (256 * 1024)
/* Each segment's: the disk writes one while the other fills. */
#define WRITE_BUFFERS 2
/* Reading the end of a body whose piece is written: nothing more should come. */
#define DRAIN_SIZE 4096

typedef struct
{
  guint64 start;
  guint64 end;   /* exclusive */
} Range;

typedef struct _Segment Segment;

struct _Segment
{
  FerrySegments *owner;
  SoupMessage *msg;
  GInputStream *body;
  GCancellable *cancellable;
  FerryPartWriter *writer;
  guint8 *buffer;       /* DRAIN_SIZE, for the end of a body */
  gboolean waiting_for_space; /* both buffers are being written: reading waits */
  gboolean closing;     /* closed once its writer has written what it read */
  gboolean flush_wanted; /* for a checkpoint, once the read in flight lands */
  guint64 pos;          /* the next byte it reads */
  guint64 end;          /* exclusive end of its piece; lowered when another takes a half */
  guint64 asked_end;    /* exclusive end its request asked for */
  gboolean extra;       /* holds one of the origin's connections beyond the attempt's own */
  gboolean busy;        /* a request or a read is in flight */
  gboolean stalled;
  gboolean draining;    /* its piece is written; reading the end of the body */
  gint64 last_byte;
  guint throttle_source;
};

struct _FerrySegments
{
  gboolean open_ended;          /* the server answers only "bytes=N-": pieces are cut */
  FerryTransfer *transfer;
  FerryEngine *engine;          /* not a reference: the download owns these segments */
  const FerryRecord *record;    /* the transfer's, read only (ferry-transfer.c changes it) */
  SoupSession *session;
  int fd;
  char *uri;
  char *origin;
  FerryOrigins *origins;
  guint max_per_host;
  FerryRateLimiter *shared_limiter;
  FerryRateLimiter *own_limiter;
  GCancellable *cancellable;
  gulong cancel_handler;
  FerrySegmentsDone done;
  gpointer user_data;

  guint64 total;
  GArray *written;      /* Range, sorted and merged: bytes in the file (durable or not) */
  GPtrArray *active;    /* Segment * */
  Segment *first;       /* the attempt's first response, while it runs to the end */
  guint64 piece;        /* bytes a segment asks at a time */
  guint64 progress;
  guint limit;          /* connections: the caller's option, lowered by a 429 */

  /* Growth */
  guint tick_source;
  gint64 window_start;
  guint64 window_bytes;
  guint64 rate_before;
  guint count_before;   /* connections before the last ones were added */
  gboolean just_added;
  gboolean growing;

  /* Checkpoints */
  gboolean flushed;             /* partly filled buffers went to the file for the next one */
  gboolean sync_in_flight;
  gboolean sync_failed;        /* no later sync vouches for the bytes */
  gboolean final_pending;
  gint64 last_checkpoint;

  /* The end */
  gboolean ending;
  gboolean finished;
  FerrySegmentsOutcome outcome;
  GError *error;
  gint64 retry_after;
};

static void next_or_close (Segment *seg);
static void read_next (Segment *seg);
static void segment_failed (Segment *seg,
                            GError  *error,
                            gint64   retry_after);
static void end_all (FerrySegments        *self,
                     FerrySegmentsOutcome  outcome,
                     GError               *error,
                     gint64                retry_after);

/* -- Ranges ------------------------------------------------------------------------------ */

static void
ranges_add (GArray *ranges,
            guint64 start,
            guint64 end)
{
  guint i = 0;

  if (start >= end)
    return;

  /* Skip those wholly before; merge every one that touches [start, end). */
  while (i < ranges->len && g_array_index (ranges, Range, i).end < start)
    i++;
  while (i < ranges->len && g_array_index (ranges, Range, i).start <= end)
    {
      Range *r = &g_array_index (ranges, Range, i);

      start = MIN (start, r->start);
      end = MAX (end, r->end);
      g_array_remove_index (ranges, i);
    }
  g_array_insert_val (ranges, i, ((Range) { start, end }));
}

static guint64
ranges_prefix (GArray *ranges)
{
  if (ranges->len > 0 && g_array_index (ranges, Range, 0).start == 0)
    return g_array_index (ranges, Range, 0).end;
  return 0;
}

static guint64
ranges_sum (GArray *ranges)
{
  guint64 sum = 0;

  for (guint i = 0; i < ranges->len; i++)
    sum += g_array_index (ranges, Range, i).end - g_array_index (ranges, Range, i).start;
  return sum;
}

/* "a-b,c-d"; anything malformed or past @limit is left out (the store is untrusted input
 * once it has been on disk). */
static GArray *
ranges_parse (const char *text,
              guint64     limit)
{
  GArray *ranges = g_array_new (FALSE, FALSE, sizeof (Range));
  g_auto(GStrv) parts = NULL;

  if (text == NULL)
    return ranges;

  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 start, end;
      char *dash = strchr (parts[i], '-');

      if (dash == NULL)
        continue;
      *dash = '\0';
      if (!g_ascii_string_to_unsigned (parts[i], 10, 0, G_MAXUINT64, &start, NULL) ||
          !g_ascii_string_to_unsigned (dash + 1, 10, 0, G_MAXUINT64, &end, NULL))
        continue;
      ranges_add (ranges, start, MIN (end, limit));
    }
  return ranges;
}

static char *
ranges_to_string (GArray *ranges)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < ranges->len; i++)
    g_string_append_printf (text, "%s%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT,
                            i > 0 ? "," : "", g_array_index (ranges, Range, i).start,
                            g_array_index (ranges, Range, i).end);
  return g_string_free (text, FALSE);
}

guint64
ferry_segments_resume (const FerryRecord *record,
                       guint64            file_size,
                       guint64           *resume_at,
                       guint64           *durable,
                       char             **out_ranges)
{
  g_autoptr(GArray) ranges = NULL;
  guint64 keep;

  *durable = *resume_at;
  *out_ranges = NULL;
  if (record->segments == NULL)
    return *resume_at;
  /* Nothing can be resumed without a validator. */
  if (record->etag == NULL && record->last_modified == NULL)
    return 0;

  /* The ranges hold the prefix too; bytes_done is their sum, not an offset. */
  ranges = ranges_parse (record->segments, file_size);
  keep = ranges->len > 0 ? g_array_index (ranges, Range, ranges->len - 1).end : 0;
  *out_ranges = ranges->len > 0 ? ranges_to_string (ranges) : NULL;
  *resume_at = ranges_prefix (ranges);
  *durable = ranges_sum (ranges);
  return keep;
}

/* -- When to split ----------------------------------------------------------------------- */

gboolean
ferry_segments_wanted (const FerryRecord *record,
                       SoupMessage       *msg,
                       guint64            offset,
                       gint64             body_length)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  guint status = soup_message_get_status (msg);
  const char *accept_ranges = soup_message_headers_get_one (headers, "Accept-Ranges");

  if (status != 206 && !(status == 200 && g_strcmp0 (accept_ranges, "bytes") == 0))
    return FALSE;
  if (record->etag == NULL && record->last_modified == NULL)
    return FALSE;
  if (record->bytes_total == 0 || body_length < 0 ||
      offset + (guint64) body_length != record->bytes_total)
    return FALSE;

  /* Bytes a previous attempt's segments left on disk past the prefix: only segments know
   * them, whatever the size or the option. */
  if (record->segments != NULL)
    return TRUE;

  return record->connections != 1 && record->bytes_total >= SEGMENTS_MIN_SIZE &&
         record->bytes_total - offset >= 2 * MIN_PIECE;
}

/* -- Checkpoints ------------------------------------------------------------------------- */

typedef struct
{
  int fd;
  GArray *snapshot;
  gboolean final;
} SyncData;

static void
sync_data_free (SyncData *data)
{
  g_array_unref (data->snapshot);
  g_free (data);
}

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

static GError *
write_error (FerrySegments *self,
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

static void on_synced (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data);

static void
start_sync (FerrySegments *self,
            gboolean       final)
{
  GTask *task = g_task_new (NULL, NULL, on_synced, self);
  SyncData *data = g_new0 (SyncData, 1);

  /* What is written now is what the sync vouches for; later writes wait for the next. */
  data->fd = self->fd;
  data->snapshot = g_array_copy (self->written);
  data->final = final;
  g_task_set_task_data (task, data, (GDestroyNotify) sync_data_free);
  self->sync_in_flight = TRUE;
  self->last_checkpoint = g_get_monotonic_time ();
  g_task_run_in_thread (task, sync_thread);
  g_object_unref (task);
}

static gboolean
record_ranges (FerrySegments *self,
               GArray        *durable,
               GError       **error)
{
  g_autofree char *ranges = ranges_to_string (durable);
  g_autoptr(GError) local_error = NULL;

  ferry_transfer_set_segments (self->transfer, ranges, ranges_sum (durable));
  if (ferry_engine_checkpoint (self->engine, &local_error))
    return TRUE;

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_NO_SPACE,
                 N_ ("The disk is full: Ferry could not save its progress"));
  else
    g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                 "%s", local_error->message);
  return FALSE;
}

static void
call_done (FerrySegments *self)
{
  FerrySegmentsDone done = self->done;

  self->finished = TRUE;
  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (self->cancel_handler != 0)
    {
      g_cancellable_disconnect (self->cancellable, self->cancel_handler);
      self->cancel_handler = 0;
    }
  self->done = NULL;
  done (self->user_data, self->outcome, g_steal_pointer (&self->error), self->retry_after);
}

static void
on_synced (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  FerrySegments *self = user_data;
  SyncData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  GError *failure = NULL;

  self->sync_in_flight = FALSE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* The kernel reports a lost writeback once (PROTOCOLS.md §6): nothing past the last
       * good sync is recorded again in this attempt. */
      self->sync_failed = TRUE;
      failure = write_error (self, error->code == G_IO_ERROR_NO_SPACE ? ENOSPC : EIO);
    }
  else if (!self->sync_failed && self->outcome != FERRY_SEGMENTS_RESTART)
    {
      record_ranges (self, data->snapshot, &failure);
    }

  if (failure != NULL)
    {
      if (!self->ending)
        {
          end_all (self, FERRY_SEGMENTS_FAILED, failure, -1);
        }
      else if (self->outcome == FERRY_SEGMENTS_COMPLETE)
        {
          self->outcome = FERRY_SEGMENTS_FAILED;
          g_clear_error (&self->error);
          self->error = failure;
        }
      else
        {
          g_error_free (failure);
        }
    }

  if (!data->final)
    {
      /* The segments ended while this checkpoint ran: take the final one now. */
      if (self->final_pending)
        start_sync (self, TRUE);
      return;
    }

  if (self->outcome == FERRY_SEGMENTS_COMPLETE)
    {
      /* Whole: the single offset says so, as a download without segments leaves it. */
      ferry_transfer_set_segments (self->transfer, NULL, self->total);
    }
  call_done (self);
}

/* Every segment is closed: a last checkpoint of what arrived, then the outcome. */
static void
maybe_finish (FerrySegments *self)
{
  if (self->active->len > 0 || self->final_pending)
    return;

  if (!self->ending)
    {
      /* Nothing in flight and no error: whole, unless bytes are missing that no segment
       * took (cannot happen while one remains: the last one always goes on). */
      if (ranges_sum (self->written) == self->total)
        {
          self->ending = TRUE;
          self->outcome = FERRY_SEGMENTS_COMPLETE;
        }
      else
        {
          end_all (self, FERRY_SEGMENTS_FAILED,
                   g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                                N_ ("The server's connections ended before the whole file "
                                    "arrived")), -1);
        }
    }

  g_debug ("Transfer %" G_GUINT64_FORMAT ": segments done (%d), %" G_GUINT64_FORMAT " of %"
           G_GUINT64_FORMAT " bytes", self->record->id, self->outcome,
           ranges_sum (self->written), self->total);

  self->final_pending = TRUE;
  if (!self->sync_in_flight)
    start_sync (self, TRUE);
}

/* -- Segments ---------------------------------------------------------------------------- */

static void
segment_free (Segment *seg)
{
  g_clear_handle_id (&seg->throttle_source, g_source_remove);
  if (seg->body != NULL)
    {
      /* Closing a body that has bytes left would read them all first (libsoup skips to the
       * end to keep the connection): with a cancelled cancellable it drops the connection. */
      g_autoptr(GCancellable) now = g_cancellable_new ();

      g_cancellable_cancel (now);
      g_input_stream_close (seg->body, now, NULL);
      g_clear_object (&seg->body);
    }
  g_clear_object (&seg->msg);
  g_clear_object (&seg->cancellable);
  g_clear_pointer (&seg->writer, ferry_part_writer_free);
  g_free (seg->buffer);
  g_free (seg);
}

/* Gives back the segment's connection; the attempt's own passes to another segment. */
/* Segments not closing: those that still read. */
static guint
open_segments (FerrySegments *self)
{
  guint open = 0;

  for (guint i = 0; i < self->active->len; i++)
    open += ((Segment *) g_ptr_array_index (self->active, i))->closing ? 0 : 1;
  return open;
}

static void
segment_close (Segment *seg)
{
  FerrySegments *self = seg->owner;

  /* What it read is written first; it stays active until then, with no piece of its own:
   * the rest of its piece is the others' to take. */
  ferry_part_writer_flush (seg->writer);
  if (!ferry_part_writer_is_idle (seg->writer))
    {
      seg->closing = TRUE;
      if (self->first == seg)
        self->first = NULL;
      return;
    }

  g_ptr_array_remove (self->active, seg);
  if (self->first == seg)
    self->first = NULL;
  if (seg->extra)
    {
      ferry_origins_connection_closed (self->origins, self->origin);
    }
  else if (self->active->len > 0)
    {
      Segment *heir = g_ptr_array_index (self->active, 0);

      if (heir->extra)
        {
          heir->extra = FALSE;
          ferry_origins_connection_closed (self->origins, self->origin);
        }
    }
  segment_free (seg);
  maybe_finish (self);
}

/* The next piece to fetch: the start of the first range no segment has or is fetching, or
 * else the top of what the attempt's first response has still to send (that segment then
 * stops below it). Pieces are asked as bounded ranges and read to their end, so their
 * connections are reused; only the first response, which runs to the end of the file, is
 * ever cut short, once, where it meets the others. */
static gboolean
next_piece (FerrySegments *self,
            guint64       *out_start,
            guint64       *out_end)
{
  g_autoptr(GArray) covered = g_array_copy (self->written);
  g_autoptr(GArray) pending = g_array_new (FALSE, FALSE, sizeof (Range));
  Segment *first = self->first;
  guint64 at = 0;

  for (guint i = 0; i < self->active->len; i++)
    {
      Segment *seg = g_ptr_array_index (self->active, i);

      if (!seg->closing)
        ranges_add (covered, seg->pos, seg->end);
      ferry_part_writer_add_pending (seg->writer, pending);
    }
  for (guint i = 0; i < pending->len; i++)
    ranges_add (covered, g_array_index (pending, Range, i).start,
                g_array_index (pending, Range, i).end);

  for (guint i = 0; i <= covered->len; i++)
    {
      guint64 next = i < covered->len ? g_array_index (covered, Range, i).start : self->total;

      if (next > at)
        {
          *out_start = at;
          *out_end = MIN (next, at + self->piece);
          return TRUE;
        }
      if (i < covered->len)
        at = g_array_index (covered, Range, i).end;
    }

  if (first != NULL && first->end - first->pos >= 2 * self->piece)
    {
      *out_end = first->end;
      *out_start = first->end - self->piece;
      first->end = *out_start;
      return TRUE;
    }

  return FALSE;
}

static void
on_segment_sent (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data);

static void
send_piece (Segment *seg,
            guint64  start,
            guint64  end)
{
  FerrySegments *self = seg->owner;
  const FerryRecord *r = self->record;
  SoupMessageHeaders *headers;
  g_autofree char *range = NULL;

  g_clear_object (&seg->msg);
  seg->msg = soup_message_new ("GET", self->uri);
  ferry_part_writer_seek (seg->writer, start);
  seg->pos = start;
  seg->end = end;
  seg->asked_end = self->open_ended ? self->total : end;
  seg->last_byte = g_get_monotonic_time ();
  soup_message_add_flags (seg->msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_disable_feature (seg->msg, SOUP_TYPE_CONTENT_DECODER);

  headers = soup_message_get_request_headers (seg->msg);
  ferry_http_add_caller_headers (seg->msg, r->headers, r->uri);
  soup_message_headers_replace (headers, "Accept-Encoding", "identity");
  if (self->open_ended)
    range = g_strdup_printf ("bytes=%" G_GUINT64_FORMAT "-", start);
  else
    range = g_strdup_printf ("bytes=%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT, start, end - 1);
  soup_message_headers_replace (headers, "Range", range);
  /* Every segment re-validates: a file changed since the first one is never spliced. */
  soup_message_headers_replace (headers, "If-Range", r->etag ? r->etag : r->last_modified);

  seg->busy = TRUE;
  g_debug ("Transfer %" G_GUINT64_FORMAT ": asking %s", r->id, range);
  ferry_proxy_watch (self->session, seg->msg);
  soup_session_send_async (self->session, seg->msg, G_PRIORITY_DEFAULT, seg->cancellable,
                           on_segment_sent, seg);
}

static void on_segment_written (gpointer user_data,
                                guint64  pos,
                                gsize    len);

static Segment *
segment_new (FerrySegments *self,
             gboolean       extra,
             guint64        pos)
{
  Segment *seg = g_new0 (Segment, 1);

  seg->owner = self;
  seg->extra = extra;
  seg->cancellable = g_cancellable_new ();
  seg->writer = ferry_part_writer_new (NULL, self->fd, ferry_part_writer_open_direct (self->fd),
                                       READ_SIZE, WRITE_BUFFERS, on_segment_written, seg);
  ferry_part_writer_reset (seg->writer, pos);
  seg->buffer = g_malloc (DRAIN_SIZE);
  g_ptr_array_add (self->active, seg);
  return seg;
}

/* Connections this transfer may have now: its option (Update changes it as it runs), and
 * no more than it had when a 429 came. */
static guint
limit_now (FerrySegments *self)
{
  guint option = self->record->connections > 0 ? self->record->connections : MAX_CONNECTIONS;

  return MIN (MIN (option, self->limit), MAX_CONNECTIONS);
}

/* One more connection, if the caller, the origin and the bytes left allow it. */
static gboolean
add_segment (FerrySegments *self)
{
  guint64 start, end;
  Segment *seg;

  if (self->active->len >= limit_now (self))
    return FALSE;
  if (!ferry_origins_try_open (self->origins, self->origin, self->max_per_host))
    return FALSE;
  if (!next_piece (self, &start, &end))
    {
      ferry_origins_connection_closed (self->origins, self->origin);
      return FALSE;
    }

  seg = segment_new (self, TRUE, start);
  g_debug ("Transfer %" G_GUINT64_FORMAT ": segment %u for %" G_GUINT64_FORMAT "-%"
           G_GUINT64_FORMAT, self->record->id, self->active->len, start, end);
  send_piece (seg, start, end);
  return TRUE;
}

/* The Content-Range of a segment's 206 must be exactly what was asked, of the same file. */
static gboolean
range_fits (Segment            *seg,
            SoupMessageHeaders *headers)
{
  FerrySegments *self = seg->owner;
  FerryContentRange range;
  const char *type = soup_message_headers_get_content_type (headers, NULL);
  gint64 length = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
                  ? soup_message_headers_get_content_length (headers) : -1;

  if (g_strcmp0 (type, "multipart/byteranges") == 0 ||
      !ferry_http_parse_content_range (soup_message_headers_get_one (headers, "Content-Range"),
                                       &range))
    return FALSE;

  return range.start >= 0 && (guint64) range.start == seg->pos &&
         (guint64) range.end + 1 == seg->asked_end &&
         range.total >= 0 && (guint64) range.total == self->total &&
         (length < 0 || length == range.end - range.start + 1);
}

/* What the response says of the validator the download resumes with: its ETag when the
 * record has one, else its Last-Modified; NULL when it says nothing of it. */
static const char *
response_validator (FerrySegments      *self,
                    SoupMessageHeaders *headers)
{
  return soup_message_headers_get_one (headers, self->record->etag != NULL ? "ETag"
                                                                           : "Last-Modified");
}

static const char *
record_validator (FerrySegments *self)
{
  return self->record->etag != NULL ? self->record->etag : self->record->last_modified;
}

/* The response names the validator the download resumes with: the file the segments are
 * of. */
static gboolean
same_file (FerrySegments      *self,
           SoupMessageHeaders *headers)
{
  const char *validator = response_validator (self, headers);

  return validator != NULL && g_strcmp0 (validator, record_validator (self)) == 0;
}

/* The response names another validator: the file changed. */
static gboolean
validator_changed (FerrySegments      *self,
                   SoupMessageHeaders *headers)
{
  const char *validator = response_validator (self, headers);

  return validator != NULL && g_strcmp0 (validator, record_validator (self)) != 0;
}

static void
on_segment_sent (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Segment *seg = user_data;
  FerrySegments *self = seg->owner;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  guint status;

  seg->busy = FALSE;
  seg->body = soup_session_send_finish (SOUP_SESSION (source), result, &error);

  if (seg->body == NULL)
    {
      if (self->ending)
        segment_close (seg);
      else if (seg->stalled)
        segment_failed (seg, g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                                          N_ ("The server did not answer for %u seconds"),
                                          ferry_transfer_stall_seconds ()), -1);
      else
        segment_failed (seg, ferry_transfer_error_from_network (error, FALSE), -1);
      return;
    }

  if (self->ending)
    {
      segment_close (seg);
      return;
    }

  headers = soup_message_get_response_headers (seg->msg);
  status = soup_message_get_status (seg->msg);

  if (status == 200 && !self->open_ended && same_file (self, headers))
    {
      /* The same file, whole: a server that takes "bytes=N-" (as the first request was)
       * but not a range with an end. Every piece now asks to the end of the file and is cut
       * where it meets the next, as the first response is. */
      g_autoptr(GCancellable) now = g_cancellable_new ();

      g_debug ("Transfer %" G_GUINT64_FORMAT ": the server ignores ranges with an end",
               self->record->id);
      self->open_ended = TRUE;
      g_cancellable_cancel (now);
      g_input_stream_close (seg->body, now, NULL);
      g_clear_object (&seg->body);
      send_piece (seg, seg->pos, seg->end);
      return;
    }

  if (status == 200 || status == 416 || (status == 206 && validator_changed (self, headers)))
    {
      /* If-Range did not hold: the file on the server is another one now. */
      end_all (self, FERRY_SEGMENTS_RESTART, NULL, -1);
      segment_close (seg);
      return;
    }

  if (status == 206)
    {
      if (!range_fits (seg, headers))
        {
          end_all (self, FERRY_SEGMENTS_FAILED,
                   g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                                N_ ("The server answered a request for a part of the file "
                                    "with another part (Content-Range %s); Ferry kept none "
                                    "of it"),
                                soup_message_headers_get_one (headers, "Content-Range")
                                ? soup_message_headers_get_one (headers, "Content-Range")
                                : "missing"), -1);
          segment_close (seg);
          return;
        }
      seg->last_byte = g_get_monotonic_time ();
      read_next (seg);
      return;
    }

  if (ferry_http_status_is_transient (status))
    {
      gint64 delay = -1;

      ferry_http_parse_retry_after (soup_message_headers_get_one (headers, "Retry-After"),
                                    g_get_real_time () / G_USEC_PER_SEC, &delay);
      if (status == 429 || status == 503)
        {
          /* The server has had enough connections: this one goes, the origin's budget
           * shrinks for every transfer to it, and this transfer adds no more. */
          ferry_origins_throttled (self->origins, self->origin,
                                   ferry_origins_connections (self->origins, self->origin),
                                   self->max_per_host);
          self->growing = FALSE;
          self->limit = MAX (self->active->len - 1, 1);
          g_debug ("Transfer %" G_GUINT64_FORMAT ": HTTP %u on a segment; %u connection(s) "
                   "at most now", self->record->id, status, self->limit);
        }
      segment_failed (seg, g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                                        N_ ("%s (HTTP %u)"), ferry_http_transient_reason (status),
                                        status), delay);
      return;
    }

  end_all (self, FERRY_SEGMENTS_FAILED,
           g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                        N_ ("The server refused a part of the file it had begun to send "
                            "(HTTP %u %s)"), status,
                        soup_message_get_reason_phrase (seg->msg)
                        ? soup_message_get_reason_phrase (seg->msg) : ""), -1);
  segment_close (seg);
}

/* A segment that cannot go on: the others take over its bytes; the last one ends the
 * attempt with its error. */
static void
segment_failed (Segment *seg,
                GError  *error,
                gint64   retry_after)
{
  FerrySegments *self = seg->owner;

  if (!self->ending && open_segments (self) > 1)
    {
      g_debug ("Transfer %" G_GUINT64_FORMAT ": a segment ended (%s); %u go on",
               self->record->id, error->message, open_segments (self) - 1);
      g_error_free (error);
      segment_close (seg);
      return;
    }

  end_all (self, FERRY_SEGMENTS_FAILED, error, retry_after);
  segment_close (seg);
}

static void
end_all (FerrySegments        *self,
         FerrySegmentsOutcome  outcome,
         GError               *error,
         gint64                retry_after)
{
  g_autoptr(GPtrArray) idle = g_ptr_array_new ();

  if (self->ending)
    {
      /* The first reason stands, but a changed file outranks everything. */
      if (outcome == FERRY_SEGMENTS_RESTART && self->outcome != FERRY_SEGMENTS_RESTART)
        {
          self->outcome = outcome;
          g_clear_error (&self->error);
        }
      g_clear_error (&error);
      return;
    }

  self->ending = TRUE;
  self->outcome = outcome;
  self->error = error;
  self->retry_after = retry_after;

  for (guint i = 0; i < self->active->len; i++)
    {
      Segment *seg = g_ptr_array_index (self->active, i);

      g_cancellable_cancel (seg->cancellable);
      if (!seg->busy)
        g_ptr_array_add (idle, seg);
    }
  /* Those waiting for the rate limiter have nothing in flight to be told. */
  for (guint i = 0; i < idle->len; i++)
    {
      Segment *seg = g_ptr_array_index (idle, i);

      if (seg->throttle_source != 0)
        segment_close (seg);
    }
}

/* -- Reading ----------------------------------------------------------------------------- */

static void
on_segment_read (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Segment *seg = user_data;
  FerrySegments *self = seg->owner;
  g_autoptr(GError) error = NULL;
  gssize n;
  guint64 len;

  seg->busy = FALSE;
  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (self->ending)
    {
      segment_close (seg);
      return;
    }

  if (n < 0)
    {
      if (seg->stalled)
        segment_failed (seg, g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                                          N_ ("The server stopped sending data for %u seconds"),
                                          ferry_transfer_stall_seconds ()), -1);
      else
        segment_failed (seg, ferry_transfer_error_from_network (error, FALSE), -1);
      return;
    }

  if (seg->draining)
    {
      seg->draining = FALSE;
      if (n == 0)
        next_or_close (seg);
      else
        segment_failed (seg, g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                                          N_ ("The server sent more data than it "
                                              "announced")), -1);
      return;
    }

  if (n == 0)
    {
      /* Count the bytes ourselves: a short body can end with a clean EOF. */
      segment_failed (seg, g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                                        N_ ("The server closed a connection early (%llu "
                                            "bytes of a part missing)"),
                                        (unsigned long long) (seg->end - seg->pos)), -1);
      return;
    }

  /* Another segment may have taken the second half of this piece while the read ran: the
   * bytes past its end are not committed. */
  len = MIN ((guint64) n, seg->end - seg->pos);
  ferry_part_writer_commit (seg->writer, (gsize) len);
  if (seg->flush_wanted)
    {
      seg->flush_wanted = FALSE;
      ferry_part_writer_flush (seg->writer);
    }
  seg->pos += len;
  self->progress += len;
  self->window_bytes += len;

  seg->last_byte = g_get_monotonic_time ();
  ferry_rate_limiter_consume (self->shared_limiter, seg->last_byte, (guint64) n);
  ferry_rate_limiter_consume (self->own_limiter, seg->last_byte, (guint64) n);

  if (seg->pos < seg->end)
    {
      read_next (seg);
    }
  else if (seg->asked_end == seg->end)
    {
      /* The body's end: libsoup gives the connection back for the next piece only then. */
      seg->draining = TRUE;
      seg->busy = TRUE;
      g_input_stream_read_async (seg->body, seg->buffer, DRAIN_SIZE, G_PRIORITY_DEFAULT,
                                 seg->cancellable, on_segment_read, seg);
    }
  else
    {
      next_or_close (seg);
    }
}

static gboolean
on_throttle_done (gpointer user_data)
{
  Segment *seg = user_data;

  seg->throttle_source = 0;
  read_next (seg);
  return G_SOURCE_REMOVE;
}

static gsize
read_size (FerrySegments *self)
{
  return ferry_rate_limiter_read_size (self->shared_limiter, self->own_limiter, READ_SIZE);
}

static void
read_next (Segment *seg)
{
  FerrySegments *self = seg->owner;
  gint64 now = g_get_monotonic_time ();
  gint64 delay = MAX (ferry_rate_limiter_delay (self->shared_limiter, now),
                      ferry_rate_limiter_delay (self->own_limiter, now));
  guint8 *space;
  gsize space_len;

  if (delay > 0)
    {
      seg->last_byte = MAX (seg->last_byte, now + delay);
      seg->throttle_source = g_timeout_add ((guint) ((delay + 999) / 1000), on_throttle_done,
                                            seg);
      return;
    }

  space = ferry_part_writer_space (seg->writer, &space_len);
  if (space == NULL)
    {
      seg->waiting_for_space = TRUE;
      return;
    }

  seg->busy = TRUE;
  g_input_stream_read_async (seg->body, space,
                             (gsize) MIN (MIN ((guint64) read_size (self), seg->end - seg->pos),
                                          (guint64) space_len),
                             G_PRIORITY_DEFAULT, seg->cancellable, on_segment_read, seg);
}

/* A write of a segment's writer ended: its range is in the file, and reading goes on. */
static void
on_segment_written (gpointer user_data,
                    guint64  pos,
                    gsize    len)
{
  Segment *seg = user_data;
  FerrySegments *self = seg->owner;
  int saved_errno = ferry_part_writer_get_error (seg->writer);

  if (len > 0)
    {
      ranges_add (self->written, pos, pos + len);
      ferry_transfer_set_live_bytes (self->transfer, ranges_sum (self->written));
    }

  if (saved_errno != 0 && !self->ending)
    {
      /* end_all closes the segments that wait for the rate limiter: not this one, which is
       * still in use here; it is closed below. */
      g_clear_handle_id (&seg->throttle_source, g_source_remove);
      end_all (self, FERRY_SEGMENTS_FAILED, write_error (self, saved_errno), -1);
    }

  if (seg->closing)
    {
      if (ferry_part_writer_is_idle (seg->writer))
        segment_close (seg);
      return;
    }

  if (seg->waiting_for_space)
    {
      /* The disk was slow, not the server. */
      seg->waiting_for_space = FALSE;
      seg->last_byte = MAX (seg->last_byte, g_get_monotonic_time ());
      if (self->ending)
        segment_close (seg);
      else
        read_next (seg);
      return;
    }

  /* Ending with nothing in flight for it: nothing else would close it. */
  if (self->ending && !seg->busy && seg->throttle_source == 0)
    segment_close (seg);
}

/* A piece is done: take the next one on the same connection, unless this transfer or the
 * origin has more connections than it may now. The last segment always goes on. */
static void
next_or_close (Segment *seg)
{
  FerrySegments *self = seg->owner;
  guint64 start, end;
  gboolean keep;

  keep = open_segments (self) == 1 ||
         (self->active->len <= limit_now (self) &&
          ferry_origins_connections (self->origins, self->origin) +
          ferry_origins_waiting (self->origins, self->origin) <=
          ferry_origins_budget (self->origins, self->origin, self->max_per_host));

  /* A body with bytes left (the piece was halved, or the attempt's first response ran to
   * the end of the file) closes its connection; a whole one leaves it for the next. */
  if (seg->asked_end != seg->end)
    {
      g_autoptr(GCancellable) now = g_cancellable_new ();

      g_cancellable_cancel (now);
      g_input_stream_close (seg->body, now, NULL);
    }
  g_clear_object (&seg->body);
  if (self->first == seg)
    self->first = NULL;

  /* Take it out of the count while choosing, so its own finished piece is not split. */
  seg->pos = seg->end;
  g_debug ("Transfer %" G_GUINT64_FORMAT ": a piece is done; %s its connection (%u of %u "
           "here, %u to the server)", self->record->id, keep ? "keeping" : "closing",
           self->active->len, limit_now (self),
           ferry_origins_connections (self->origins, self->origin));
  if (keep && next_piece (self, &start, &end))
    {
      send_piece (seg, start, end);
      return;
    }
  segment_close (seg);
}

/* -- Growth and stalls ------------------------------------------------------------------- */

static gboolean
on_tick (gpointer user_data)
{
  FerrySegments *self = user_data;
  gint64 now = g_get_monotonic_time ();
  guint64 rate;
  guint stall_usec = ferry_transfer_stall_seconds () * G_USEC_PER_SEC;

  if (self->ending)
    return G_SOURCE_CONTINUE;

  rate = self->window_bytes * G_USEC_PER_SEC / (guint64) MAX (now - self->window_start, 1);
  self->window_bytes = 0;
  self->window_start = now;

  if (self->just_added)
    {
      self->just_added = FALSE;
      if (rate * 100 < self->rate_before * (100 + GROWTH_PERCENT))
        {
          g_debug ("Transfer %" G_GUINT64_FORMAT ": %u connections, %" G_GUINT64_FORMAT
                   " B/s; no more (%" G_GUINT64_FORMAT " B/s with %u)",
                   self->record->id, self->active->len, rate, self->rate_before,
                   self->count_before);
          self->growing = FALSE;
          /* Slower than without them (the server or the disk has no more to give): the
           * last ones go again at the end of their pieces. */
          if (rate < self->rate_before)
            self->limit = MIN (self->limit, MAX (self->count_before, 1));
        }
    }
  if (self->growing)
    {
      guint open = self->active->len;
      guint added = 0;

      while (added < MAX (open, 1) && add_segment (self))
        added++;
      if (added > 0)
        {
          self->rate_before = rate;
          self->count_before = open;
          self->just_added = TRUE;
        }
    }

  for (guint i = 0; i < self->active->len; i++)
    {
      Segment *seg = g_ptr_array_index (self->active, i);

      /* Waiting for the disk is not the server's stall. */
      if (!seg->stalled && !seg->waiting_for_space && !seg->closing &&
          now - seg->last_byte >= (gint64) stall_usec)
        {
          seg->stalled = TRUE;
          g_cancellable_cancel (seg->cancellable);
        }
    }

  if (!self->sync_in_flight && now - self->last_checkpoint >= CHECKPOINT_INTERVAL_USEC)
    {
      if (!self->flushed)
        {
          /* What slow connections left in their buffers goes to the file first; a buffer
           * that a read is filling goes when the read lands. */
          for (guint i = 0; i < self->active->len; i++)
            {
              Segment *seg = g_ptr_array_index (self->active, i);

              if (seg->busy)
                seg->flush_wanted = TRUE;
              else
                ferry_part_writer_flush (seg->writer);
            }
          self->flushed = TRUE;
        }
      else
        {
          self->flushed = FALSE;
          start_sync (self, FALSE);
        }
    }

  return G_SOURCE_CONTINUE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  FerrySegments *self = user_data;

  end_all (self, FERRY_SEGMENTS_FAILED,
           g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, N_ ("Stopped")), -1);
}

static gboolean
on_cancelled_idle (gpointer user_data)
{
  on_cancelled (NULL, user_data);
  return G_SOURCE_REMOVE;
}

/* -- Public ------------------------------------------------------------------------------ */

FerrySegments *
ferry_segments_start (const FerrySegmentsSetup *setup,
                      SoupMessage              *msg,
                      GInputStream             *body,
                      guint64                   offset)
{
  FerrySegments *self = g_new0 (FerrySegments, 1);
  Segment *first;
  guint64 first_end;

  self->transfer = g_object_ref (setup->transfer);
  self->engine = setup->engine;
  self->record = ferry_transfer_get_record (setup->transfer);
  self->session = g_object_ref (setup->session);
  self->fd = setup->fd;
  self->uri = g_strdup (setup->uri);
  self->origin = ferry_origin_of_uri (setup->uri);
  self->origins = setup->origins;
  self->max_per_host = setup->max_per_host;
  self->shared_limiter = setup->shared_limiter ? ferry_rate_limiter_ref (setup->shared_limiter)
                                               : NULL;
  self->own_limiter = setup->own_limiter ? ferry_rate_limiter_ref (setup->own_limiter) : NULL;
  self->cancellable = g_object_ref (setup->cancellable);
  self->done = setup->done;
  self->user_data = setup->user_data;
  self->total = self->record->bytes_total;
  self->active = g_ptr_array_new ();
  /* Small enough that the connections finish together (a piece of the last round keeps
   * only its own connection busy), large enough that requests cost nothing. */
  self->piece = CLAMP (self->total / 32, MIN_PIECE, MAX_PIECE);
  self->piece -= self->piece % PIECE_ALIGN;
  self->limit = MAX_CONNECTIONS;
  self->growing = TRUE;
  self->retry_after = -1;
  self->window_start = g_get_monotonic_time ();
  self->last_checkpoint = self->window_start;

  /* What earlier attempts left on disk: the prefix and the durable ranges past it. */
  self->written = ranges_parse (self->record->segments, self->total);
  ranges_add (self->written, 0, offset);

  /* The first response runs to the end of the file; its piece ends where bytes on disk
   * begin. */
  first_end = self->total;
  for (guint i = 0; i < self->written->len; i++)
    {
      Range *r = &g_array_index (self->written, Range, i);

      if (r->start > offset)
        {
          first_end = r->start;
          break;
        }
    }

  g_debug ("Transfer %" G_GUINT64_FORMAT ": in segments, %" G_GUINT64_FORMAT " of %"
           G_GUINT64_FORMAT " bytes on disk, at most %u connections", self->record->id,
           ranges_sum (self->written), self->total, limit_now (self));

  ferry_transfer_set_live_bytes (self->transfer, ranges_sum (self->written));
  first = segment_new (self, FALSE, offset);
  first->msg = g_object_ref (msg);
  first->body = g_object_ref (body);
  first->pos = offset;
  first->end = first_end;
  first->asked_end = self->total;
  first->last_byte = g_get_monotonic_time ();
  self->first = first;

  self->tick_source = g_timeout_add (WINDOW_USEC / 1000, on_tick, self);
  if (g_cancellable_is_cancelled (self->cancellable))
    g_idle_add (on_cancelled_idle, self);
  else
    self->cancel_handler = g_cancellable_connect (self->cancellable, G_CALLBACK (on_cancelled),
                                                  self, NULL);

  if (first->pos >= first->end)
    next_or_close (first);
  else
    read_next (first);

  /* A second connection at once, as the large file and the ranges are known: against a
   * server that caps each connection the file is at full speed a window sooner, and the
   * first window then measures the two (against nothing: they go on doubling). */
  if (!self->ending && self->growing && add_segment (self))
    {
      self->rate_before = 0;
      self->count_before = 1;
      self->just_added = TRUE;
    }
  return self;
}

guint64
ferry_segments_get_progress (FerrySegments *self)
{
  return self ? self->progress : 0;
}

/* Only once done has run: nothing of it is in flight then. */
void
ferry_segments_free (FerrySegments *self)
{
  if (self == NULL)
    return;

  g_warn_if_fail (self->active->len == 0);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (self->cancel_handler != 0)
    g_cancellable_disconnect (self->cancellable, self->cancel_handler);
  g_ptr_array_unref (self->active);
  g_array_unref (self->written);
  g_clear_error (&self->error);
  g_clear_pointer (&self->shared_limiter, ferry_rate_limiter_unref);
  g_clear_pointer (&self->own_limiter, ferry_rate_limiter_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->transfer);
  g_free (self->uri);
  g_free (self->origin);
  g_free (self);
}
