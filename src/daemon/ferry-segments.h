/* ferry-segments.h: one large download over several connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ferry-engine.h"
#include "ferry-origins.h"
#include "ferry-rate-limiter.h"
#include "ferry-transfer.h"

G_BEGIN_DECLS

typedef struct _FerrySegments FerrySegments;

typedef enum
{
  FERRY_SEGMENTS_COMPLETE, /* every byte is in the part file, synced and recorded */
  FERRY_SEGMENTS_RESTART,  /* the file changed on the server: start over, splice nothing */
  FERRY_SEGMENTS_FAILED,   /* the attempt ends with the error; what arrived is recorded */
} FerrySegmentsOutcome;

/* @error is the caller's (FAILED only); @retry_after the server's Retry-After or -1. */
typedef void (*FerrySegmentsDone) (gpointer             user_data,
                                   FerrySegmentsOutcome outcome,
                                   GError              *error,
                                   gint64               retry_after);

typedef struct
{
  FerryTransfer *transfer;
  FerryEngine *engine;         /* the download: stores and announces each checkpoint */
  SoupSession *session;
  int fd;                      /* the part file; the caller's, open until done */
  const char *uri;             /* where the first response came from */
  FerryOrigins *origins;
  guint max_per_host;
  FerryRateLimiter *shared_limiter;
  FerryRateLimiter *own_limiter;
  GCancellable *cancellable;   /* the attempt's */
  FerrySegmentsDone done;
  gpointer user_data;
} FerrySegmentsSetup;

/* Whether the first response of an attempt (@msg, its body starting at @offset with
 * @body_length bytes) may be split: ranges, a strong validator (already in the record), a
 * large file, and a caller who allows more than one connection; or a part file that
 * segments already began, whose durable ranges only the segments know. */
gboolean       ferry_segments_wanted (const FerryRecord *record,
                                      SoupMessage       *msg,
                                      guint64            offset,
                                      gint64             body_length);

/* Takes over the first response and fetches the rest of the file; @setup->done runs once,
 * from the main context, after the final checkpoint. */
FerrySegments *ferry_segments_start (const FerrySegmentsSetup *setup,
                                     SoupMessage              *msg,
                                     GInputStream             *body,
                                     guint64                   offset);
void           ferry_segments_free (FerrySegments *self);

/* Bytes written to the file by this attempt's segments. */
guint64        ferry_segments_get_progress (FerrySegments *self);

/* Where a download that segments began resumes: @resume_at (the checkpoint, no more than
 * @file_size) becomes the first byte not on disk, @durable the bytes on disk (what
 * bytes_done counts for such a download), @ranges the record's ranges clipped to the file
 * (NULL: none), and the part file may be kept up to the returned size, the end of its last
 * durable range. Without segments, nothing changes: the checkpoint is all. The record is
 * only read: the caller stores @ranges and @durable (ferry_transfer_set_segments()). */
guint64        ferry_segments_resume (const FerryRecord *record,
                                      guint64            file_size,
                                      guint64           *resume_at,
                                      guint64           *durable,
                                      char             **ranges);

G_END_DECLS
