/* test-format.c: how sizes, rates and time left read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-format.h"
#include "ferry-types.h"

static void
test_duration (void)
{
  struct { guint64 seconds; const char *text; } cases[] = {
    { 0, "0 seconds" }, { 1, "1 second" }, { 40, "40 seconds" }, { 60, "1 minute" },
    { 359, "6 minutes" }, { 3600, "1 hour" }, { 7500, "2 hours 5 minutes" },
    { 3 * 86400, "3 days" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ferry_format_duration (cases[i].seconds);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_progress (void)
{
  g_autofree char *full = ferry_format_progress (312000000, 4700000000, 11200000);
  g_autofree char *unknown = ferry_format_progress (1500000, 0, 0);

  /* g_format_size() keeps number and unit together with a no-break space. */

  g_assert_cmpstr (full, ==, "312.0\u00a0MB of 4.7\u00a0GB — 11.2\u00a0MB/s — 7 minutes left");
  g_assert_cmpstr (unknown, ==, "1.5\u00a0MB");
}

static void
test_states (void)
{
  g_auto(GStrv) reasons = ferry_wait_reasons_to_strv (FERRY_WAIT_SCHEDULE | FERRY_WAIT_METERED);
  const char *const back[] = { "metered", "schedule", "nonsense", NULL };
  FerryState state;

  g_assert_cmpstr (reasons[0], ==, "schedule");
  g_assert_cmpstr (reasons[1], ==, "metered");
  g_assert_null (reasons[2]);
  g_assert_cmpint (ferry_wait_reasons_from_strv (back), ==,
                   FERRY_WAIT_SCHEDULE | FERRY_WAIT_METERED);

  for (guint s = 0; s < FERRY_N_STATES; s++)
    {
      g_assert_true (ferry_state_from_string (ferry_state_to_string (s), &state));
      g_assert_cmpint (state, ==, s);
    }
  g_assert_false (ferry_state_from_string ("done", &state));
  g_assert_true (ferry_state_is_terminal (FERRY_STATE_CANCELED));
  g_assert_false (ferry_state_is_terminal (FERRY_STATE_PAUSED));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/format/duration", test_duration);
  g_test_add_func ("/format/progress", test_progress);
  g_test_add_func ("/format/states", test_states);

  return g_test_run ();
}
