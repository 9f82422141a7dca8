/* test-describe.c: the words a row uses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-describe.h"
#include "ferry-links.h"

#include <string.h>

static GDateTime *
local (int y, int mo, int d, int h, int mi)
{
  return g_date_time_new_local (y, mo, d, h, mi, 0);
}

static void
check (const FerryStatus *s,
       GDateTime         *now,
       const char        *expected)
{
  g_autofree char *text = ferry_describe_status (s, now);

  g_test_message ("%s", text);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_states (void)
{
  g_autoptr(GDateTime) now = local (2026, 11, 21, 20, 0);
  gint64 now_unix = g_date_time_to_unix (now);
  FerryStatus running = { .state = FERRY_STATE_RUNNING, .done = 312000000,
                          .total = 4700000000, .rate = 11200000 };
  FerryStatus metered = { .state = FERRY_STATE_WAITING, .reasons = FERRY_WAIT_METERED };
  FerryStatus later = { .state = FERRY_STATE_WAITING,
                        .reasons = FERRY_WAIT_SCHEDULE | FERRY_WAIT_METERED,
                        .earliest_begin = now_unix + 3 * 3600 };
  FerryStatus tomorrow = { .state = FERRY_STATE_WAITING, .reasons = FERRY_WAIT_SCHEDULE,
                           .earliest_begin = now_unix + 11 * 3600 + 30 * 60 };
  FerryStatus retry = { .state = FERRY_STATE_WAITING, .reasons = FERRY_WAIT_RETRY,
                        .retry_at = now_unix + 40,
                        .error = "The server is busy or down for maintenance (HTTP 503)" };
  FerryStatus failed = { .state = FERRY_STATE_REJECTED,
                         .error = "The server no longer has this file (HTTP 404)" };
  FerryStatus done = { .state = FERRY_STATE_COMPLETED, .done = 4700000000,
                       .total = 4700000000 };
  FerryStatus paused = { .state = FERRY_STATE_PAUSED };
  /* A plain upload: nothing acknowledged until the end, 1.2 GB of 4 GB on its way. */
  FerryStatus sending = { .state = FERRY_STATE_RUNNING, .upload = TRUE, .done = 0,
                          .sent = 1200000000, .total = 4000000000, .rate = 40000000 };
  FerryStatus offline = { .state = FERRY_STATE_WAITING,
                          .reasons = FERRY_WAIT_NETWORK | FERRY_WAIT_RETRY };

  check (&running, now, "312.0\u00a0MB of 4.7\u00a0GB — 11.2\u00a0MB/s — 7 minutes left");
  check (&metered, now, "Waiting for an unmetered network");
  check (&later, now, "Starts today at 23:00, on an unmetered network");
  check (&tomorrow, now, "Starts tomorrow at 07:30");
  check (&retry, now, "Retrying in 40 seconds — the server is busy or down for maintenance "
                      "(HTTP 503)");
  check (&failed, now, "Failed: the server no longer has this file (HTTP 404)");
  check (&done, now, "Completed — 4.7\u00a0GB");
  check (&paused, now, "Paused");
  check (&sending, now, "Uploaded 1.2\u00a0GB of 4.0\u00a0GB — 40.0\u00a0MB/s — 1 minute left");
  /* Offline is what the person can act on, not the retry behind it. */
  check (&offline, now, "Waiting for a network connection");
}

static void
test_links (void)
{
  g_autoptr(GPtrArray) links = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *bad = NULL;
  g_autoptr(GVariant) headers = NULL;

  ferry_links_parse ("https://a.example/x.iso\n  http://b.example/y  ftp://c.example/z\n"
                     "some words here https://a.example/x.iso https:///nohost\n\n", links,
                     problems);
  g_assert_cmpuint (links->len, ==, 2);   /* the duplicate counts once */
  g_assert_cmpstr (g_ptr_array_index (links, 0), ==, "https://a.example/x.iso");
  g_assert_cmpstr (g_ptr_array_index (links, 1), ==, "http://b.example/y");
  g_assert_cmpuint (problems->len, ==, 3);
  g_assert_nonnull (strstr (g_ptr_array_index (problems, 0), "only http:// and https://"));
  g_assert_nonnull (strstr (g_ptr_array_index (problems, 1), "names no server"));
  /* The words of a line are one problem, not one per word. */
  g_assert_cmpstr (g_ptr_array_index (problems, 2), ==, "“some words here” is not a link");

  headers = ferry_links_parse_headers ("Authorization: Bearer x:y\n\nX-Token:  abc  \n", &bad);
  g_assert_nonnull (headers);
  g_assert_cmpuint (g_variant_n_children (headers), ==, 2);
  g_assert_null (ferry_links_parse_headers ("just words", &bad));
  g_assert_cmpstr (bad, ==, "just words");
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/describe/states", test_states);
  g_test_add_func ("/describe/links", test_links);

  return g_test_run ();
}
