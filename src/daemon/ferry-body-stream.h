/* ferry-body-stream.h: a request body read with pread from a range of a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ferry-rate-limiter.h"

G_BEGIN_DECLS

#define FERRY_TYPE_BODY_STREAM (ferry_body_stream_get_type ())

G_DECLARE_FINAL_TYPE (FerryBodyStream, ferry_body_stream, FERRY, BODY_STREAM, GInputStream)

/* @length bytes of @fd from @offset, between @prefix and @suffix (either may be NULL). The
 * stream reads @fd with pread and never moves its file offset; it closes @fd when closed.
 * Reads of the file wait for @shared and @own, either of which may be NULL. */
GInputStream *ferry_body_stream_new (int               fd,
                                     guint64           offset,
                                     guint64           length,
                                     GBytes           *prefix,
                                     GBytes           *suffix,
                                     FerryRateLimiter *shared,
                                     FerryRateLimiter *own);

/* The whole body's size: prefix, range and suffix. */
guint64       ferry_body_stream_get_size (FerryBodyStream *self);

G_END_DECLS
