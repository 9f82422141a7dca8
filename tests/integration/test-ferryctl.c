/* test-ferryctl.c: the command line as a script or a person uses it — exit codes, output,
 * and a download that survives kill -9 of the service while `ferryctl add --wait` watches
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ferry-test-daemon.h"
#include "ferry-test-server.h"

#define MiB (1024 * 1024)

typedef struct
{
  FerryTestDaemon *daemon;
  FerryTestServer *server;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = ferry_test_server_new ();
  f->daemon = ferry_test_daemon_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_server_free);
}

static GSubprocess *
spawn (GError     **error,
       const char  *first,
       ...) G_GNUC_NULL_TERMINATED;

static GSubprocess *
spawn (GError     **error,
       const char  *first,
       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("FERRY_CTL"));
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  return g_subprocess_newv ((const char *const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            error);
}

static void
test_add_wait_outcomes (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (MiB, 31);
  g_autofree char *ok_uri = ferry_test_server_uri (f->server, "/ok.bin");
  g_autofree char *missing_uri = ferry_test_server_uri (f->server, "/missing.bin");
  g_autofree char *path = NULL;
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *got = NULL;
  g_autoptr(GSubprocess) p1 = NULL;
  g_autoptr(GSubprocess) p2 = NULL;
  g_autoptr(GSubprocess) p3 = NULL;
  g_autoptr(GSubprocess) p4 = NULL;
  g_autoptr(GError) error = NULL;
  FerryTestRun r1 = { 0 }, r2 = { 0 }, r3 = { 0 }, r4 = { 0 };

  ferry_test_server_add_file (f->server, "/ok.bin", content, "\"ok\"");

  p1 = spawn (&error, "add", ok_uri, "--to", f->daemon->download_dir, "--wait", NULL);
  g_assert_no_error (error);
  ferry_test_run_finish (p1, &r1);
  g_assert_cmpint (r1.status, ==, 0);
  g_assert_nonnull (strstr (r1.out, "completed"));
  path = g_build_filename (f->daemon->download_dir, "ok.bin", NULL);
  got = ferry_test_sha256_file (path);
  g_assert_cmpstr (got, ==, want);

  /* The server refuses: exit status 3, and the reason in words. */
  p2 = spawn (&error, "add", missing_uri, "--to", f->daemon->download_dir, "--wait", NULL);
  ferry_test_run_finish (p2, &r2);
  g_assert_cmpint (r2.status, ==, 3);
  g_assert_nonnull (strstr (r2.out, "no longer has this file (HTTP 404)"));

  /* Bad input never reaches the queue: exit status 1 and the service's sentence. */
  p3 = spawn (&error, "add", "ftp://example.com/x", "--wait", NULL);
  ferry_test_run_finish (p3, &r3);
  g_assert_cmpint (r3.status, ==, 1);
  g_assert_nonnull (strstr (r3.err, "only http:// and https://"));
  g_assert_null (strstr (r3.err, "GDBus.Error"));

  p4 = spawn (&error, "list", "--json", NULL);
  ferry_test_run_finish (p4, &r4);
  g_assert_cmpint (r4.status, ==, 0);
  g_assert_nonnull (strstr (r4.out, "\"state\": \"completed\""));
  g_assert_nonnull (strstr (r4.out, "\"state\": \"rejected\""));
  g_assert_nonnull (strstr (r4.out, "\"http_status\": 404"));

  ferry_test_run_clear (&r1);
  ferry_test_run_clear (&r2);
  ferry_test_run_clear (&r3);
  ferry_test_run_clear (&r4);
}

static void
test_kill_during_wait (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (8 * MiB, 32);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/live.iso");
  g_autofree char *path = g_build_filename (f->daemon->download_dir, "live.iso", NULL);
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *got = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  FerryTestRun r = { 0 };

  ferry_test_server_add_file (f->server, "/live.iso", content, "\"live\"");
  ferry_test_server_set_throttle (f->server, "/live.iso", 2 * MiB);

  proc = spawn (&error, "add", uri, "--to", f->daemon->download_dir, "--wait", NULL);
  g_assert_no_error (error);
  ferry_test_run_start (proc, &r);

  /* Find the transfer and let it get past a checkpoint. */
  while (paths == NULL || paths[0] == NULL)
    {
      g_clear_pointer (&paths, g_strfreev);
      ferry_test_sleep (100);
      ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, NULL);
    }
  t = ferry_test_daemon_transfer (f->daemon, paths[0]);
  g_assert_true (ferry_test_wait_bytes (t, 5 * MiB, 15000));

  /* The service dies; nobody but the waiting ferryctl is there to bring it back. */
  ferry_test_daemon_kill (f->daemon);
  ferry_test_server_set_throttle (f->server, "/live.iso", 0);

  g_assert_true (ferry_test_wait_until (ferry_test_run_done, &r, 30000));
  g_test_message ("stdout:\n%s\nstderr:\n%s", r.out, r.err);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "starting it again"));
  got = ferry_test_sha256_file (path);
  g_assert_cmpstr (got, ==, want);
  ferry_test_run_clear (&r);
}

/* Runs ferryctl with @argv; its transfer (it prints the id) when it exits 0. */
static FerryTransfer1 *
run_add (Fixture           *f,
         const char *const *argv)
{
  g_autoptr(GPtrArray) full = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  FerryTestRun r = { 0 };

  g_ptr_array_add (full, (gpointer) g_getenv ("FERRY_CTL"));
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (full, (gpointer) argv[i]);
  g_ptr_array_add (full, NULL);
  proc = g_subprocess_newv ((const char *const *) full->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);
  ferry_test_run_finish (proc, &r);
  if (r.status != 0)
    g_test_message ("ferryctl said: %s", r.err);
  g_assert_cmpint (r.status, ==, 0);
  path = g_strdup_printf ("/io/github/ferryhq/Ferry/Daemon/transfers/%s", g_strstrip (r.out));
  ferry_test_run_clear (&r);
  return ferry_test_daemon_transfer (f->daemon, path);
}

/* A script says when and how a transfer may run: the options arrive on D-Bus as given, and
 * what is written wrong is refused with the reason, before anything is queued. */
static void
test_schedule_options (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *uri = ferry_test_server_uri (f->server, "/nightly.iso");
  g_autofree char *file = g_build_filename (g_get_user_data_dir (), "notes.txt", NULL);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(FerryTransfer1) at_night = NULL;
  g_autoptr(FerryTransfer1) up = NULL;
  g_autoptr(GDateTime) begin = NULL;
  g_autoptr(GDateTime) upload_begin = NULL;
  g_auto(GStrv) paths = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  {
    const char *argv[] = { "add", uri, "--paused", "--start-at", "+2h", "--no-metered",
                           "--background", "--rate-limit", "512K", "--priority", "5",
                           "--id", "nightly", NULL };

    t = run_add (f, argv);
  }
  g_assert_cmpint (ferry_transfer1_get_earliest_begin (t), >=, now + 7200);
  g_assert_cmpint (ferry_transfer1_get_earliest_begin (t), <=, now + 7200 + 60);
  g_assert_false (ferry_transfer1_get_allow_metered (t));
  g_assert_true (ferry_transfer1_get_discretionary (t));
  g_assert_cmpuint (ferry_transfer1_get_rate_limit (t), ==, 512 * 1024);
  g_assert_cmpint (ferry_transfer1_get_priority (t), ==, 5);
  g_assert_cmpstr (ferry_transfer1_get_identifier (t), ==, "nightly");

  /* A time of day is the next time it comes. */
  {
    const char *argv[] = { "add", uri, "--paused", "--start-at", "23:00", NULL };

    at_night = run_add (f, argv);
  }
  begin = g_date_time_new_from_unix_local (ferry_transfer1_get_earliest_begin (at_night));
  g_assert_cmpint (g_date_time_get_hour (begin), ==, 23);
  g_assert_cmpint (g_date_time_get_minute (begin), ==, 0);
  g_assert_cmpint (ferry_transfer1_get_earliest_begin (at_night), >, now);
  g_assert_cmpint (ferry_transfer1_get_earliest_begin (at_night), <=, now + 86400);
  {
    const char *argv[] = { "add", uri, "--paused", "--start-at", "7:05", NULL };
    g_autoptr(FerryTransfer1) morning = run_add (f, argv);
    g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (
      ferry_transfer1_get_earliest_begin (morning));

    g_assert_cmpint (g_date_time_get_hour (at), ==, 7);
    g_assert_cmpint (g_date_time_get_minute (at), ==, 5);
  }

  /* Uploads take the same options. */
  g_assert_true (g_file_set_contents (file, "a few words\n", -1, NULL));
  {
    const char *argv[] = { "upload", file, "http://127.0.0.1:9/in/", "--paused", "--no-metered",
                           "--start-at", "2030-01-01 06:30", NULL };

    up = run_add (f, argv);
  }
  g_assert_false (ferry_transfer1_get_allow_metered (up));
  upload_begin = g_date_time_new_from_unix_local (ferry_transfer1_get_earliest_begin (up));
  g_assert_cmpint (g_date_time_get_year (upload_begin), ==, 2030);
  g_assert_cmpint (g_date_time_get_hour (upload_begin), ==, 6);
  g_assert_cmpint (g_date_time_get_minute (upload_begin), ==, 30);

  /* Written wrong: exit status 2, the reason, and nothing more in the queue. */
  {
    const char *wrong[][4] = {
      { "--start-at", "tomorrowish", "a time like 23:00", NULL },
      { "--start-at", "24:00", "a time like 23:00", NULL },
      { "--start-at", "2020-01-01 10:00", "has already passed", NULL },
      { "--rate-limit", "5X", "bytes per second like 500K", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
      {
        g_autoptr(GSubprocess) proc = NULL;
        g_autoptr(GError) error = NULL;
        FerryTestRun r = { 0 };

        proc = spawn (&error, "add", uri, wrong[i][0], wrong[i][1], NULL);
        ferry_test_run_finish (proc, &r);
        g_assert_cmpint (r.status, ==, 2);
        g_assert_nonnull (strstr (r.err, wrong[i][2]));
        ferry_test_run_clear (&r);
      }
  }
  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL,
                                                          NULL));
  g_assert_cmpuint (g_strv_length (paths), ==, 4);
}

static void
test_help (Fixture       *f,
           gconstpointer  data)
{
  const char *commands[] = { "add", "list", "watch", "wait", "pause", "resume", "cancel",
                             "remove" };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr(GSubprocess) proc = NULL;
      g_autoptr(GError) error = NULL;
      FerryTestRun r = { 0 };

      proc = spawn (&error, commands[i], "--help", NULL);
      ferry_test_run_finish (proc, &r);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, commands[i]));
      g_assert_nonnull (strstr (r.out, "Exit status"));
      ferry_test_run_clear (&r);
    }

  {
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) error = NULL;
    FerryTestRun r = { 0 };

    proc = spawn (&error, "frobnicate", NULL);
    ferry_test_run_finish (proc, &r);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "unknown command"));
    ferry_test_run_clear (&r);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/ferryctl/add-wait-outcomes", Fixture, NULL, fixture_setup,
              test_add_wait_outcomes, fixture_teardown);
  g_test_add ("/ferryctl/kill-during-wait", Fixture, NULL, fixture_setup,
              test_kill_during_wait, fixture_teardown);
  g_test_add ("/ferryctl/schedule-options", Fixture, NULL, fixture_setup,
              test_schedule_options, fixture_teardown);
  g_test_add ("/ferryctl/help", Fixture, NULL, fixture_setup, test_help, fixture_teardown);

  return g_test_run ();
}
