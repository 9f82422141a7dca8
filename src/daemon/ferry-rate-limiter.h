/* ferry-rate-limiter.h: a token bucket, shared by the transfers it limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FerryRateLimiter FerryRateLimiter;

FerryRateLimiter *ferry_rate_limiter_new (guint64 bytes_per_second);
FerryRateLimiter *ferry_rate_limiter_ref (FerryRateLimiter *self);
void              ferry_rate_limiter_unref (FerryRateLimiter *self);

/* 0 means no limit. */
void              ferry_rate_limiter_set_rate (FerryRateLimiter *self,
                                               guint64           bytes_per_second);
guint64           ferry_rate_limiter_get_rate (FerryRateLimiter *self);

/* How much to read at a time under both limits, either of which may be NULL or unlimited:
 * an eighth of a second's worth at the tighter rate, so the flow stays even, between 4 KiB
 * and @most; @most when nothing limits. */
gsize             ferry_rate_limiter_read_size (FerryRateLimiter *shared,
                                                FerryRateLimiter *own,
                                                gsize             most);

/* Microseconds to wait before the next read, 0 when it may go now. */
gint64            ferry_rate_limiter_delay (FerryRateLimiter *self,
                                            gint64            now_usec);
/* Takes @bytes that were just read. */
void              ferry_rate_limiter_consume (FerryRateLimiter *self,
                                              gint64            now_usec,
                                              guint64           bytes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryRateLimiter, ferry_rate_limiter_unref)

G_END_DECLS
