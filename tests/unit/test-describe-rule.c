/* test-describe-rule.c: a transfer's network rule in its words, and times as the clock
 * shows them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <locale.h>

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

/* AllowMetered off, on an unmetered network (no "metered" among the reasons): the rule is
 * said all the same, and a metered network says the same thing. */
static void
test_unmetered_rule (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 21, 20, 0, 0);
  gint64 now_unix = g_date_time_to_unix (now);
  FerryStatus tonight = { .state = FERRY_STATE_WAITING, .reasons = FERRY_WAIT_SCHEDULE,
                          .earliest_begin = now_unix + 3 * 3600, .unmetered_only = TRUE };
  FerryStatus tonight_metered = tonight;
  FerryStatus queued = { .state = FERRY_STATE_QUEUED, .unmetered_only = TRUE };
  FerryStatus slot = { .state = FERRY_STATE_WAITING, .reasons = FERRY_WAIT_SLOT,
                       .unmetered_only = TRUE };
  FerryStatus running = { .state = FERRY_STATE_RUNNING, .done = 1000000, .total = 4000000,
                          .rate = 1000000, .unmetered_only = TRUE };
  FerryStatus free_running = running;
  FerryStatus done = { .state = FERRY_STATE_COMPLETED, .done = 1, .total = 1,
                       .unmetered_only = TRUE };
  FerryStatus paused = { .state = FERRY_STATE_PAUSED, .earliest_begin = now_unix + 3 * 3600,
                         .unmetered_only = TRUE };

  tonight_metered.reasons |= FERRY_WAIT_METERED;
  free_running.unmetered_only = FALSE;

  check (&tonight, now, "Starts today at 23:00 · unmetered networks only");
  check (&tonight_metered, now, "Starts today at 23:00 · unmetered networks only");
  check (&queued, now, "Queued · unmetered networks only");
  check (&slot, now, "Queued — waiting for other transfers to finish · unmetered networks only");
  /* Pause All keeps the schedule in sight. */
  check (&paused, now, "Paused — was to start today at 23:00");

  /* Running, the row's words stay short; the details say what a metered network would do. */
  g_assert_cmpstr (ferry_describe_network_rule (&running), ==,
                   "Pauses if the network becomes metered, and goes on when it is not");
  g_assert_cmpstr (ferry_describe_network_rule (&tonight), ==, "Runs on unmetered networks only");
  g_assert_null (ferry_describe_network_rule (&free_running));
  g_assert_null (ferry_describe_network_rule (&done));
}

/* GNOME's clock set to 12 hours: "11:00 PM" in the row and in the time field. */
static void
test_twelve_hours (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 21, 20, 0, 0);
  g_autoptr(GDateTime) night = g_date_time_new_local (2026, 11, 21, 23, 0, 0);
  g_autoptr(GDateTime) morning = g_date_time_new_local (2026, 11, 22, 7, 5, 0);
  g_autofree char *clock = NULL;
  g_autofree char *early = NULL;
  FerryStatus later = { .state = FERRY_STATE_WAITING, .reasons = FERRY_WAIT_SCHEDULE,
                        .earliest_begin = g_date_time_to_unix (night) };

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "clock-format"))
    {
      g_test_skip ("gsettings-desktop-schemas is not installed");
      return;
    }

  settings = g_settings_new ("org.gnome.desktop.interface");
  g_settings_set_string (settings, "clock-format", "24h");
  g_assert_false (ferry_describe_clock_is_12h ());
  clock = ferry_describe_clock (night);
  g_assert_cmpstr (clock, ==, "23:00");

  g_settings_set_string (settings, "clock-format", "12h");
  g_assert_true (ferry_describe_clock_is_12h ());
  g_clear_pointer (&clock, g_free);
  clock = ferry_describe_clock (night);
  g_assert_cmpstr (clock, ==, "11:00 PM");
  early = ferry_describe_clock (morning);
  g_assert_cmpstr (early, ==, "7:05 AM");
  check (&later, now, "Starts today at 11:00 PM");
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/describe/unmetered-rule", test_unmetered_rule);
  g_test_add_func ("/describe/twelve-hours", test_twelve_hours);
  return g_test_run ();
}
