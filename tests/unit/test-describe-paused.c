/* test-describe-paused.c: a paused transfer keeps its schedule in its words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-describe.h"

static void
check (const FerryStatus *s,
       GDateTime         *now,
       const char        *expected)
{
  g_autofree char *text = ferry_describe_status (s, now);

  g_test_message ("%s", text);
  g_assert_cmpstr (text, ==, expected);
}

/* Pause All on a transfer set for 23:00: the row still says when it was to start. */
static void
test_paused_schedule (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 21, 20, 0, 0);
  gint64 now_unix = g_date_time_to_unix (now);
  FerryStatus tonight = { .state = FERRY_STATE_PAUSED, .earliest_begin = now_unix + 3 * 3600 };
  FerryStatus tomorrow = { .state = FERRY_STATE_PAUSED,
                           .earliest_begin = now_unix + 11 * 3600 + 30 * 60 };
  FerryStatus past = { .state = FERRY_STATE_PAUSED, .earliest_begin = now_unix - 60 };
  FerryStatus plain = { .state = FERRY_STATE_PAUSED };

  check (&tonight, now, "Paused — was to start today at 23:00");
  check (&tomorrow, now, "Paused — was to start tomorrow at 07:30");
  /* A start time gone by is no schedule any more. */
  check (&past, now, "Paused");
  check (&plain, now, "Paused");
  check (&tonight, NULL, "Paused");
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/describe/paused-schedule", test_paused_schedule);
  return g_test_run ();
}
