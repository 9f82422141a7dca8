/* test-schedule.c: when transfers may run — metered and offline networks (a fake
 * NetworkManager from python3-dbusmock), power saving, start times, limits, priorities — and
 * that they always say why they wait
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ferry-test-daemon.h"
#include "ferry-test-server.h"
#include "ferry-test-system.h"

#define MiB (1024 * 1024)

typedef struct
{
  FerryTestSystem *system;
  FerryTestDaemon *daemon;
  FerryTestServer *server;
  FerryTestServer *other;      /* a second server, for the tests that need one */
} Fixture;


static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *settings = data;

  f->system = ferry_test_system_new ();
  if (f->system == NULL)
    return;
  ferry_test_write_settings (settings ? settings : "");
  f->server = ferry_test_server_new ();
  f->daemon = ferry_test_daemon_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_server_free);
  g_clear_pointer (&f->other, ferry_test_server_free);
  g_clear_pointer (&f->system, ferry_test_system_free);
}

#define REQUIRE_MOCKS(f)                                                           \
  G_STMT_START {                                                                   \
    if ((f)->system == NULL)                                                       \
      {                                                                            \
        g_test_skip ("python3-dbusmock is not installed (/usr/bin/python3)");     \
        return;                                                                    \
      }                                                                            \
  } G_STMT_END

static FerryTransfer1 *
add (Fixture    *f,
     const char *path,
     GVariant   *options)
{
  return ferry_test_daemon_add_from (f->daemon, f->server, path, options);
}

static gboolean
waits_for (FerryTransfer1 *t,
           const char     *reason)
{
  const char *const *reasons = ferry_transfer1_get_wait_reasons (t);

  return g_strcmp0 (ferry_transfer1_get_state (t), "waiting") == 0 && reasons != NULL &&
         g_strv_contains (reasons, reason);
}

typedef struct
{
  FerryTransfer1 *t;
  const char *reason;
} WaitReason;

static gboolean
check_reason (gpointer user_data)
{
  WaitReason *w = user_data;

  return waits_for (w->t, w->reason);
}

static gboolean
wait_reason (FerryTransfer1 *t,
             const char     *reason,
             guint           timeout_ms)
{
  WaitReason w = { t, reason };

  return ferry_test_wait_until (check_reason, &w, timeout_ms);
}

static gboolean
manager_metered (gpointer user_data)
{
  return ferry_manager1_get_metered (user_data);
}

static gboolean
manager_offline (gpointer user_data)
{
  return !ferry_manager1_get_online (user_data);
}

static gboolean
manager_online (gpointer user_data)
{
  return ferry_manager1_get_online (user_data);
}

static void
assert_sha256 (FerryTransfer1 *t,
               GBytes         *content)
{
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *got = ferry_test_sha256_file (ferry_transfer1_get_destination (t));

  g_assert_cmpstr (got, ==, want);
}

static guint64
last_range_start (Fixture    *f,
                  const char *path)
{
  g_autoptr(GPtrArray) requests = ferry_test_server_get_requests (f->server, path);
  FerryTestRequest *last = g_ptr_array_index (requests, requests->len - 1);

  return last->range ? g_ascii_strtoull (last->range + 6, NULL, 10) : 0;
}

static void
test_metered (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (6 * MiB, 41);
  g_autoptr(FerryTransfer1) t = NULL;
  GVariantDict dict;
  guint64 kept;

  REQUIRE_MOCKS (f);
  ferry_test_system_set_metered (f->system, 1);
  ferry_test_server_add_file (f->server, "/update.img", content, "\"m\"");
  ferry_test_server_set_throttle (f->server, "/update.img", 2 * MiB);

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "allow-metered", "b", FALSE);
  t = add (f, "/update.img", g_variant_dict_end (&dict));

  /* Metered: it waits and says so, and no byte is fetched. */
  g_assert_true (wait_reason (t, "metered", 5000));
  g_assert_true (ferry_test_wait_until (manager_metered, f->daemon->manager, 3000));
  ferry_test_sleep (500);
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/update.img"), ==, 0);

  /* Unmetered: it starts on its own. */
  ferry_test_system_set_metered (f->system, 2);
  g_assert_true (ferry_test_wait_bytes (t, 2 * MiB, 10000));

  /* Metered again mid-way: it stops at a checkpoint and keeps its bytes. */
  ferry_test_system_set_metered (f->system, 1);
  g_assert_true (wait_reason (t, "metered", 5000));
  ferry_test_sleep (500);
  kept = ferry_transfer1_get_bytes_done (t);
  g_assert_cmpuint (kept, >=, 2 * MiB);
  g_assert_cmpuint (kept, <, g_bytes_get_size (content));

  /* Unmetered: it goes on from there, not from zero, and ends exact. */
  ferry_test_server_set_throttle (f->server, "/update.img", 0);
  ferry_test_system_set_metered (f->system, 2);
  g_assert_true (ferry_test_wait_state (t, "completed", 15000));
  g_assert_cmpuint (last_range_start (f, "/update.img"), ==, kept);
  assert_sha256 (t, content);
}

static void
test_allow_metered_update (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (MiB, 42);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict dict;

  REQUIRE_MOCKS (f);
  ferry_test_system_set_metered (f->system, 1);
  ferry_test_server_add_file (f->server, "/small", content, "\"s\"");

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "allow-metered", "b", FALSE);
  t = add (f, "/small", g_variant_dict_end (&dict));
  g_assert_true (wait_reason (t, "metered", 5000));

  /* The person says it may use the metered network: it goes at once. */
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "allow-metered", "b", TRUE);
  ferry_transfer1_call_update_sync (t, g_variant_dict_end (&dict), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "completed", 5000));
  g_assert_true (ferry_transfer1_get_allow_metered (t));
  assert_sha256 (t, content);
}

static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (6 * MiB, 43);
  g_autoptr(FerryTransfer1) t = NULL;
  guint64 kept;
  gint64 back;

  REQUIRE_MOCKS (f);
  ferry_test_server_add_file (f->server, "/o.bin", content, "\"o\"");
  ferry_test_server_set_throttle (f->server, "/o.bin", 2 * MiB);
  t = add (f, "/o.bin", NULL);
  g_assert_true (ferry_test_wait_bytes (t, 2 * MiB, 10000));
  g_assert_true (ferry_test_wait_until (manager_online, f->daemon->manager, 3000));

  /* The network goes: the transfer stops at a checkpoint and waits for it. */
  ferry_test_system_set_network (f->system, 20, 1);
  g_assert_true (wait_reason (t, "network", 5000));
  ferry_test_sleep (300);
  g_assert_true (ferry_test_wait_until (manager_offline, f->daemon->manager, 3000));
  kept = ferry_transfer1_get_bytes_done (t);
  g_assert_cmpuint (kept, >=, 2 * MiB);

  /* It comes back: the transfer resumes within seconds, from where it was. */
  ferry_test_server_set_throttle (f->server, "/o.bin", 0);
  back = g_get_monotonic_time ();
  ferry_test_system_set_network (f->system, 70, 4);
  g_assert_true (ferry_test_wait_state (t, "completed", 10000));
  g_test_message ("Completed %.2f s after the network came back",
                  (g_get_monotonic_time () - back) / 1e6);
  g_assert_cmpuint (last_range_start (f, "/o.bin"), ==, kept);
  assert_sha256 (t, content);
}

static void
test_earliest_begin (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (100000, 44);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  GVariantDict dict;
  gint64 now_usec = g_get_real_time ();
  gint64 begin = now_usec / G_USEC_PER_SEC + 4;
  gint64 added_mono, started_mono;
  double expected;

  REQUIRE_MOCKS (f);
  ferry_test_server_add_file (f->server, "/later", content, "\"l\"");
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "earliest-begin", "x", begin);
  added_mono = g_get_monotonic_time ();
  t = add (f, "/later", g_variant_dict_end (&dict));

  g_assert_true (wait_reason (t, "schedule", 30000));
  g_assert_cmpint (ferry_transfer1_get_earliest_begin (t), ==, begin);
  g_assert_true (ferry_test_wait_state (t, "completed", 30000));

  requests = ferry_test_server_get_requests (f->server, "/later");
  g_assert_cmpuint (requests->len, ==, 1);
  started_mono = ((FerryTestRequest *) g_ptr_array_index (requests, 0))->time_usec;
  expected = (double) (begin * G_USEC_PER_SEC - now_usec) / G_USEC_PER_SEC;
  g_test_message ("Started %.2f s after being added; due after %.2f s",
                  (started_mono - added_mono) / 1e6, expected);
  /* Not earlier than the time, and within a second of it (of a few where the sanitizers make
   * ferryd many times slower on a loaded machine). */
  g_assert_cmpfloat ((started_mono - added_mono) / 1e6, >=, expected - 0.05);
  g_assert_cmpfloat ((started_mono - added_mono) / 1e6, <=,
                     expected + (g_getenv ("FERRY_TEST_SANITIZED") != NULL ? 5.0 : 1.0));
  assert_sha256 (t, content);
}

static void
test_wait_reasons_combined (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 45);
  const char *const *reasons;
  GVariantDict dict;

  REQUIRE_MOCKS (f);
  ferry_test_system_set_metered (f->system, 1);
  ferry_test_server_add_file (f->server, "/both", content, "\"b\"");
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "earliest-begin", "x", g_get_real_time () / G_USEC_PER_SEC + 3600);
  g_variant_dict_insert (&dict, "allow-metered", "b", FALSE);
  t = add (f, "/both", g_variant_dict_end (&dict));

  g_assert_true (wait_reason (t, "schedule", 3000));
  reasons = ferry_transfer1_get_wait_reasons (t);
  g_assert_cmpuint (g_strv_length ((char **) reasons), ==, 2);
  g_assert_cmpstr (reasons[0], ==, "schedule");
  g_assert_cmpstr (reasons[1], ==, "metered");
}

static void
test_power_saver (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (MiB, 46);
  g_autoptr(FerryTransfer1) discretionary = NULL;
  g_autoptr(FerryTransfer1) normal = NULL;
  GVariantDict dict;

  REQUIRE_MOCKS (f);
  ferry_test_system_set_power_profile (f->system, "power-saver");
  ferry_test_server_add_file (f->server, "/d", content, "\"d\"");

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "discretionary", "b", TRUE);
  discretionary = add (f, "/d", g_variant_dict_end (&dict));
  normal = add (f, "/d", NULL);

  /* Power saving holds back only what may wait. */
  g_assert_true (ferry_test_wait_state (normal, "completed", 5000));
  g_assert_true (wait_reason (discretionary, "power-saver", 5000));

  ferry_test_system_set_power_profile (f->system, "balanced");
  g_assert_true (ferry_test_wait_state (discretionary, "completed", 5000));
  assert_sha256 (discretionary, content);
}

typedef struct
{
  gint64 time;
  guint64 bytes;
} Sample;

static void
on_progress (FerryManager1 *manager,
             GVariant      *updates,
             GArray        *samples)
{
  GVariantIter iter;
  const char *path;
  guint64 done, total, rate;

  g_variant_iter_init (&iter, updates);
  while (g_variant_iter_next (&iter, "(&ottt)", &path, &done, &total, &rate))
    {
      Sample s = { g_get_monotonic_time (), done };

      g_array_append_val (samples, s);
    }
}

static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (80 * 1000 * 1000, 47);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  g_autoptr(GError) error = NULL;
  Sample *first = NULL, *last = NULL;
  double rate;

  REQUIRE_MOCKS (f);
  ferry_test_server_add_file (f->server, "/fast", content, "\"r\"");
  g_signal_connect (f->daemon->manager, "progress", G_CALLBACK (on_progress), samples);
  t = add (f, "/fast", NULL);

  /* Measure from 2 s in (past the first burst) for 10 s. */
  ferry_test_sleep (12500);
  g_signal_handlers_disconnect_by_data (f->daemon->manager, samples);
  for (guint i = 0; i < samples->len; i++)
    {
      Sample *s = &g_array_index (samples, Sample, i);

      if (first == NULL && s->time - g_array_index (samples, Sample, 0).time >= 2 * G_USEC_PER_SEC)
        first = s;
      if (first != NULL && s->time - first->time <= 10 * G_USEC_PER_SEC)
        last = s;
    }
  g_assert_nonnull (first);
  g_assert_nonnull (last);
  rate = (double) (last->bytes - first->bytes) * G_USEC_PER_SEC / (double) (last->time - first->time);
  g_test_message ("Averaged %.2f MB/s over %.1f s with a 4 MB/s limit", rate / 1e6,
                  (last->time - first->time) / 1e6);
  g_assert_cmpfloat ((last->time - first->time) / 1e6, >=, 9.0);
  g_assert_cmpfloat (rate, >=, 3.6e6);
  g_assert_cmpfloat (rate, <=, 4.4e6);

  ferry_transfer1_call_cancel_sync (t, NULL, &error);
  g_assert_no_error (error);
}

static void
test_per_host_limit (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (MiB, 48);
  FerryTransfer1 *t[5];

  REQUIRE_MOCKS (f);
  ferry_test_server_add_file (f->server, "/p", content, "\"p\"");
  ferry_test_server_set_throttle (f->server, "/p", MiB);

  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    t[i] = add (f, "/p", NULL);

  /* The last ones wait for a slot, and say so. */
  g_assert_true (wait_reason (t[4], "slot", 3000));

  /* Another server on the same machine (another port) is another server: it does not wait
   * for this one's slots. */
  {
    g_autoptr(FerryTransfer1) elsewhere = NULL;

    f->other = ferry_test_server_new ();
    ferry_test_server_add_file (f->other, "/q", content, "\"q\"");
    elsewhere = ferry_test_daemon_add_from (f->daemon, f->other, "/q", NULL);
    g_assert_true (ferry_test_wait_state (elsewhere, "completed", 10000));
    assert_sha256 (elsewhere, content);
    g_assert_true (waits_for (t[4], "slot"));
  }

  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    {
      g_assert_true (ferry_test_wait_state (t[i], "completed", 20000));
      assert_sha256 (t[i], content);
    }
  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    g_object_unref (t[i]);

  /* Counted at the server: never more than two at once to this host. */
  g_test_message ("At most %u connections at once", ferry_test_server_get_max_in_flight (f->server));
  g_assert_cmpuint (ferry_test_server_get_max_in_flight (f->server), ==, 2);
}

/* As many at once as the settings allow, well past what libsoup allows by default: a
 * transfer counted as running really moves bytes. */
static void
test_many_per_host (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (3 * MiB / 4, 49);
  FerryTransfer1 *t[24];

  /* Each body takes 12 s: all 24 are still being sent when the last one starts, even on a
   * machine as slow as a sanitizer build under load (where 2 s each was not enough). */
  ferry_test_server_add_file (f->server, "/m", content, "\"m\"");
  ferry_test_server_set_throttle (f->server, "/m", MiB / 16);

  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    t[i] = add (f, "/m", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    g_assert_true (ferry_test_wait_bytes (t[i], 1, 30000));

  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    {
      g_assert_true (ferry_test_wait_state (t[i], "completed", 60000));
      assert_sha256 (t[i], content);
      g_object_unref (t[i]);
    }

  g_test_message ("At most %u connections at once", ferry_test_server_get_max_in_flight (f->server));
  g_assert_cmpuint (ferry_test_server_get_max_in_flight (f->server), ==, G_N_ELEMENTS (t));
}

static void
test_priority_and_live_limit (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (2 * MiB, 49);
  g_autoptr(FerryTransfer1) low = NULL;
  g_autoptr(FerryTransfer1) high = NULL;
  g_autoptr(FerryTransfer1) mid = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict dict;
  const char *paths[] = { "/low", "/high", "/mid" };
  int priorities[] = { 0, 10, 5 };
  FerryTransfer1 **slots[] = { &low, &high, &mid };
  gint64 first_request[3];

  REQUIRE_MOCKS (f);
  for (guint i = 0; i < 3; i++)
    {
      ferry_test_server_add_file (f->server, paths[i], content, "\"x\"");
      /* 4 s each: a transfer is still running when the test looks, however loaded the
       * machine. */
      ferry_test_server_set_throttle (f->server, paths[i], MiB / 2);
      g_variant_dict_init (&dict, NULL);
      g_variant_dict_insert (&dict, "priority", "i", priorities[i]);
      g_variant_dict_insert (&dict, "paused", "b", TRUE);
      *slots[i] = add (f, paths[i], g_variant_dict_end (&dict));
    }

  /* One at a time (max-running=1): the highest priority goes first, the others wait for a
   * slot and say so. */
  ferry_manager1_call_resume_all_sync (f->daemon->manager, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (high, "running", 10000));
  g_assert_true (wait_reason (mid, "slot", 10000));
  g_assert_true (wait_reason (low, "slot", 10000));

  /* The limit changes while they run: the others start at once. */
  ferry_test_write_settings ("max-running=3\n");
  g_assert_true (ferry_test_wait_state (mid, "running", 10000));
  g_assert_true (ferry_test_wait_state (low, "running", 10000));

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GPtrArray) requests = NULL;

      g_assert_true (ferry_test_wait_state (*slots[i], "completed", 60000));
      requests = ferry_test_server_get_requests (f->server, paths[i]);
      g_assert_cmpuint (requests->len, >=, 1);
      first_request[i] = ((FerryTestRequest *) g_ptr_array_index (requests, 0))->time_usec;
    }
  g_assert_cmpint (first_request[1], <, first_request[2]);   /* high before mid */
  g_assert_cmpint (first_request[1], <, first_request[0]);   /* high before low */
}

static gboolean
one_sleep_inhibitor (gpointer system)
{
  return ferry_test_system_count_inhibitors (system, "sleep") == 1;
}

static gboolean
no_sleep_inhibitor (gpointer system)
{
  return ferry_test_system_count_inhibitors (system, "sleep") == 0;
}

static void
test_inhibit_sleep (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (4 * MiB, 50);
  g_autoptr(FerryTransfer1) t = NULL;

  REQUIRE_MOCKS (f);
  ferry_test_server_add_file (f->server, "/i", content, "\"i\"");
  /* 8 s: still running when the inhibitor is looked for. */
  ferry_test_server_set_throttle (f->server, "/i", MiB / 2);
  t = add (f, "/i", NULL);

  /* Taken while bytes flow (logind is asked asynchronously: wait for its answer to be
   * there, not for a time), and released once nothing runs. */
  g_assert_true (ferry_test_wait_bytes (t, MiB, 10000));
  g_assert_true (ferry_test_wait_until (one_sleep_inhibitor, f->system, 10000));
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "running");

  g_assert_true (ferry_test_wait_state (t, "completed", 30000));
  g_assert_true (ferry_test_wait_until (no_sleep_inhibitor, f->system, 10000));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, settings, func) \
  g_test_add (name, Fixture, settings, fixture_setup, func, fixture_teardown)
  ADD ("/schedule/metered", NULL, test_metered);
  ADD ("/schedule/allow-metered-update", NULL, test_allow_metered_update);
  ADD ("/schedule/offline", NULL, test_offline);
  ADD ("/schedule/earliest-begin", NULL, test_earliest_begin);
  ADD ("/schedule/wait-reasons-combined", NULL, test_wait_reasons_combined);
  ADD ("/schedule/power-saver", NULL, test_power_saver);
  ADD ("/schedule/rate-limit", "download-limit=4000000\n", test_rate_limit);
  ADD ("/schedule/per-host-limit", "max-per-host=2\nmax-running=5\n", test_per_host_limit);
  ADD ("/schedule/many-per-host", "max-per-host=24\nmax-running=30\n", test_many_per_host);
  ADD ("/schedule/priority-live-limit", "max-running=1\nmax-per-host=4\n",
       test_priority_and_live_limit);
  ADD ("/schedule/inhibit-sleep", NULL, test_inhibit_sleep);
#undef ADD

  return g_test_run ();
}
