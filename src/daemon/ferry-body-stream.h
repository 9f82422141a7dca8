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

/* Told, on the reading thread, the file offset the body has been read up to. */
typedef void (*FerryBodyReachedFunc) (guint64  reached,
                                      gpointer user_data);

/* @length bytes of @fd from @offset, between @prefix and @suffix (either may be NULL). The
 * stream reads @fd with pread and never moves its file offset; it closes @fd when closed.
 * Reads of the file wait for @shared and @own, either of which may be NULL. After each read
 * of the file, @reached (which may be NULL) learns how far it got. */
GInputStream *ferry_body_stream_new (int                   fd,
                                     guint64               offset,
                                     guint64               length,
                                     GBytes               *prefix,
                                     GBytes               *suffix,
                                     FerryRateLimiter     *shared,
                                     FerryRateLimiter     *own,
                                     FerryBodyReachedFunc  reached,
                                     gpointer              reached_data,
                                     GDestroyNotify        reached_destroy);

/* The whole body's size: prefix, range and suffix. */
guint64       ferry_body_stream_get_size (FerryBodyStream *self);

G_END_DECLS
