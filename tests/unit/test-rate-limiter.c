/* test-rate-limiter.c: how much a download reads at a time under the service's limit and its
 * own, so that a limited transfer flows evenly and an unlimited one reads in large pieces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-rate-limiter.h"

#define MOST (1024 * 1024)

static void
test_read_size_unlimited (void)
{
  g_autoptr(FerryRateLimiter) shared = ferry_rate_limiter_new (0);
  g_autoptr(FerryRateLimiter) own = ferry_rate_limiter_new (0);

  g_assert_cmpuint (ferry_rate_limiter_read_size (NULL, NULL, MOST), ==, MOST);
  g_assert_cmpuint (ferry_rate_limiter_read_size (shared, own, MOST), ==, MOST);
  g_assert_cmpuint (ferry_rate_limiter_read_size (shared, NULL, 256 * 1024), ==, 256 * 1024);
}

static void
test_read_size_tighter_wins (void)
{
  g_autoptr(FerryRateLimiter) shared = ferry_rate_limiter_new (800000);
  g_autoptr(FerryRateLimiter) own = ferry_rate_limiter_new (80000);
  g_autoptr(FerryRateLimiter) none = ferry_rate_limiter_new (0);

  /* An eighth of a second at the tighter of the two rates, whichever holds it. */
  g_assert_cmpuint (ferry_rate_limiter_read_size (shared, own, MOST), ==, 10000);
  g_assert_cmpuint (ferry_rate_limiter_read_size (own, shared, MOST), ==, 10000);
  g_assert_cmpuint (ferry_rate_limiter_read_size (shared, NULL, MOST), ==, 100000);
  g_assert_cmpuint (ferry_rate_limiter_read_size (NULL, own, MOST), ==, 10000);
  /* An unlimited one of the two does not lift the other's limit. */
  g_assert_cmpuint (ferry_rate_limiter_read_size (none, own, MOST), ==, 10000);
  g_assert_cmpuint (ferry_rate_limiter_read_size (shared, none, MOST), ==, 100000);

  /* A changed rate counts from the next read. */
  ferry_rate_limiter_set_rate (own, 0);
  g_assert_cmpuint (ferry_rate_limiter_read_size (shared, own, MOST), ==, 100000);
}

static void
test_read_size_bounds (void)
{
  g_autoptr(FerryRateLimiter) slow = ferry_rate_limiter_new (1000);
  g_autoptr(FerryRateLimiter) fast = ferry_rate_limiter_new (G_GUINT64_CONSTANT (10) << 30);

  /* Never reads smaller than 4 KiB, nor larger than the caller's buffer. */
  g_assert_cmpuint (ferry_rate_limiter_read_size (slow, NULL, MOST), ==, 4096);
  g_assert_cmpuint (ferry_rate_limiter_read_size (fast, NULL, MOST), ==, MOST);
  g_assert_cmpuint (ferry_rate_limiter_read_size (slow, NULL, 1024), ==, 1024);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rate-limiter/read-size/unlimited", test_read_size_unlimited);
  g_test_add_func ("/rate-limiter/read-size/tighter-wins", test_read_size_tighter_wins);
  g_test_add_func ("/rate-limiter/read-size/bounds", test_read_size_bounds);
  return g_test_run ();
}
