/* ferry-rate-limiter.c
 *
 * Tokens (bytes) flow in at the rate and up to a burst of a quarter second. Reads take
 * tokens after the fact and may leave the bucket in debt; the next read waits until the
 * debt is paid. Over HTTP/1.1, not reading is what slows the sender down (TCP flow control).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-rate-limiter.h"

#define MIN_BURST (64 * 1024)

/* Upload bodies are read on worker threads: every field is under the mutex. */
struct _FerryRateLimiter
{
  gatomicrefcount ref_count;
  GMutex mutex;
  guint64 rate;
  double tokens;
  gint64 updated;
};

FerryRateLimiter *
ferry_rate_limiter_new (guint64 bytes_per_second)
{
  FerryRateLimiter *self = g_new0 (FerryRateLimiter, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->mutex);
  ferry_rate_limiter_set_rate (self, bytes_per_second);
  return self;
}

FerryRateLimiter *
ferry_rate_limiter_ref (FerryRateLimiter *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
ferry_rate_limiter_unref (FerryRateLimiter *self)
{
  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_mutex_clear (&self->mutex);
      g_free (self);
    }
}

static double
burst (FerryRateLimiter *self)
{
  return MAX ((double) MIN_BURST, (double) self->rate / 4);
}

void
ferry_rate_limiter_set_rate (FerryRateLimiter *self,
                             guint64           bytes_per_second)
{
  g_mutex_lock (&self->mutex);
  self->rate = bytes_per_second;
  self->tokens = burst (self);
  self->updated = 0;
  g_mutex_unlock (&self->mutex);
}

guint64
ferry_rate_limiter_get_rate (FerryRateLimiter *self)
{
  guint64 rate;

  g_mutex_lock (&self->mutex);
  rate = self->rate;
  g_mutex_unlock (&self->mutex);
  return rate;
}

gsize
ferry_rate_limiter_read_size (FerryRateLimiter *shared,
                              FerryRateLimiter *own,
                              gsize             most)
{
  guint64 rate = shared != NULL ? ferry_rate_limiter_get_rate (shared) : 0;
  guint64 own_rate = own != NULL ? ferry_rate_limiter_get_rate (own) : 0;

  if (own_rate > 0)
    rate = rate > 0 ? MIN (rate, own_rate) : own_rate;
  if (rate == 0)
    return most;
  return (gsize) CLAMP (rate / 8, MIN (4096, most), most);
}

static void
refill (FerryRateLimiter *self,
        gint64            now_usec)
{
  if (self->updated != 0 && now_usec > self->updated)
    self->tokens = MIN (burst (self), self->tokens +
                        (double) self->rate * (double) (now_usec - self->updated) / G_USEC_PER_SEC);
  self->updated = now_usec;
}

gint64
ferry_rate_limiter_delay (FerryRateLimiter *self,
                          gint64            now_usec)
{
  gint64 delay = 0;

  if (self == NULL)
    return 0;

  g_mutex_lock (&self->mutex);
  if (self->rate != 0)
    {
      refill (self, now_usec);
      if (self->tokens < 0)
        delay = (gint64) (-self->tokens * G_USEC_PER_SEC / (double) self->rate) + 1;
    }
  g_mutex_unlock (&self->mutex);
  return delay;
}

void
ferry_rate_limiter_consume (FerryRateLimiter *self,
                            gint64            now_usec,
                            guint64           bytes)
{
  if (self == NULL)
    return;

  g_mutex_lock (&self->mutex);
  if (self->rate != 0)
    {
      refill (self, now_usec);
      self->tokens -= (double) bytes;
    }
  g_mutex_unlock (&self->mutex);
}
