/* test-ferryctl-commands.c: ferryctl's commands on libferry — help for one command, the
 * details `list --json` prints, by number and by object path, and a wait that hears its
 * transfer removed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ferry-test-daemon.h"
#include "ferry-test-server.h"
#include "ferry-test-upload-server.h"

#define TRANSFERS FERRY_DAEMON_PATH "/transfers/"

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
spawnv (const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  g_ptr_array_add (argv, (gpointer) g_getenv ("FERRY_CTL"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char *const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);
  return proc;
}

static void
run (FerryTestRun      *r,
     const char *const *args)
{
  g_autoptr(GSubprocess) proc = spawnv (args);

  ferry_test_run_finish (proc, r);
}

/* "ferryctl help add" is "ferryctl add --help", as "gio help copy" is. */
static void
test_help_command (Fixture       *f,
                   gconstpointer  data)
{
  const char *const commands[][3] = {
    { "add", "add URL", "--sha256" },
    { "upload", "upload FILE URL", "--interop-version" },
    { "list", "list —", "--json" },
    { "remove", "remove ID", "--delete" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *args[] = { "help", commands[i][0], NULL };
      FerryTestRun r = { 0 };

      run (&r, args);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, commands[i][1]));
      g_assert_nonnull (strstr (r.out, commands[i][2]));
      g_assert_nonnull (strstr (r.out, "Exit status"));
      ferry_test_run_clear (&r);
    }

  /* Plain "help" still lists the commands. */
  {
    const char *args[] = { "help", NULL };
    FerryTestRun r = { 0 };

    run (&r, args);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "Commands:"));
    ferry_test_run_clear (&r);
  }
}

/* A finished download in `list --json`: the name escaped, the times and counts that only a
 * full read of the transfer carries. */
static void
test_list_json_details (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (123456, 9);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/quote.txt");
  g_autofree char *landed = g_build_filename (f->daemon->download_dir, "say \"hi\".txt",
                                              NULL);
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *got = NULL;
  g_autofree char *escaped = NULL;
  const char *json[] = { "list", "--json", NULL };
  const char *plain[] = { "list", NULL };
  FerryTestRun add = { 0 }, list = { 0 }, list_plain = { 0 };
  const char *at;

  ferry_test_server_add_file (f->server, "/quote.txt", content, "\"q\"");
  {
    const char *args[] = { "add", uri, "--to", f->daemon->download_dir,
                           "--name", "say \"hi\".txt", "--wait", NULL };

    run (&add, args);
  }
  g_assert_cmpint (add.status, ==, 0);
  got = ferry_test_sha256_file (landed);
  g_assert_cmpstr (got, ==, want);

  run (&list, json);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_true (g_str_has_prefix (list.out, "[\n  {\"id\": 1, \"kind\": \"download\""));
  g_assert_true (g_str_has_suffix (list.out, "}\n]\n"));
  escaped = g_strdup_printf ("\"destination\": \"%s/say \\\"hi\\\".txt\"",
                             f->daemon->download_dir);
  g_assert_nonnull (strstr (list.out, escaped));
  g_assert_nonnull (strstr (list.out, "\"state\": \"completed\""));
  g_assert_nonnull (strstr (list.out, "\"wait_reasons\": []"));
  g_assert_nonnull (strstr (list.out, "\"bytes_sent\": 123456"));
  g_assert_nonnull (strstr (list.out, "\"attempts\": 0"));
  g_assert_nonnull (strstr (list.out, "\"resumable\": true"));
  at = strstr (list.out, "\"created_at\": ");
  g_assert_nonnull (at);
  g_assert_cmpint (g_ascii_strtoll (at + strlen ("\"created_at\": "), NULL, 10), >, 0);
  at = strstr (list.out, "\"finished_at\": ");
  g_assert_nonnull (at);
  g_assert_cmpint (g_ascii_strtoll (at + strlen ("\"finished_at\": "), NULL, 10), >, 0);

  run (&list_plain, plain);
  g_assert_cmpint (list_plain.status, ==, 0);
  g_assert_nonnull (strstr (list_plain.out, "   1  completed  say \"hi\".txt  completed — "));

  ferry_test_run_clear (&add);
  ferry_test_run_clear (&list);
  ferry_test_run_clear (&list_plain);
}

/* pause and resume take a number or the full object path; a path of something else is no
 * transfer. */
static void
test_by_number_and_path (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;
  g_autofree char *path = NULL;
  FerryTestRun pause = { 0 }, resume = { 0 }, wrong = { 0 };

  t = ferry_test_daemon_add_from (f->daemon, f->server, "/never.bin",
                                  g_variant_new_parsed ("{'paused': <false>, "
                                                        "'earliest-begin': <@x 4102444800>}"));
  path = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (t)));
  g_assert_true (ferry_test_wait_state (t, "waiting", 30000));

  {
    const char *args[] = { "pause", path, NULL };

    run (&pause, args);
  }
  g_assert_cmpint (pause.status, ==, 0);
  g_assert_true (ferry_test_wait_state (t, "paused", 30000));

  {
    const char *args[] = { "resume", path + strlen (TRANSFERS), NULL };

    run (&resume, args);
  }
  g_assert_cmpint (resume.status, ==, 0);
  g_assert_true (ferry_test_wait_state (t, "waiting", 30000));

  {
    const char *args[] = { "pause", "/org/example/transfers/1", NULL };

    run (&wrong, args);
  }
  g_assert_cmpint (wrong.status, ==, 1);
  g_assert_nonnull (strstr (wrong.err, "There is no transfer /org/example/transfers/1"));
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "waiting");

  ferry_test_run_clear (&pause);
  ferry_test_run_clear (&resume);
  ferry_test_run_clear (&wrong);
}

/* `wait` on a transfer someone removes: exit status 1 and a sentence, not a hang. */
static void
test_wait_removed (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *err = NULL;
  const char *path;

  t = ferry_test_daemon_add_from (f->daemon, f->server, "/held.bin",
                                  g_variant_new_parsed ("{'paused': <true>}"));
  path = g_dbus_proxy_get_object_path (G_DBUS_PROXY (t));
  {
    const char *args[] = { "wait", path + strlen (TRANSFERS), NULL };

    proc = spawnv (args);
  }

  /* Its first line says it follows the transfer. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "paused"));

  g_assert_true (ferry_transfer1_call_remove_sync (t, FALSE, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  g_assert_nonnull (strstr (err, "was removed"));
}

/* `watch` with nothing active says so and ends. */
static void
test_watch_nothing (Fixture       *f,
                    gconstpointer  data)
{
  const char *args[] = { "watch", NULL };
  FerryTestRun r = { 0 };

  run (&r, args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "No transfer is active"));
  ferry_test_run_clear (&r);
}

/* `watch` follows what is active until it has ended; a paused transfer does not hold it. */
static void
test_watch_follows (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (400000, 4);
  g_autoptr(FerryTransfer1) held = NULL;
  g_autoptr(FerryTransfer1) moving = NULL;
  g_autofree char *landed = g_build_filename (f->daemon->download_dir, "moving.bin", NULL);
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *got = NULL;
  const char *args[] = { "watch", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) shown = g_string_new (NULL);
  g_autofree char *line = NULL;
  FerryTestRun r = { 0 };

  ferry_test_server_add_file (f->server, "/moving.bin", content, "\"m\"");
  /* Slow until watch has shown it: 400 kB at 10 kB/s cannot end before. */
  ferry_test_server_set_throttle (f->server, "/moving.bin", 10000);
  held = ferry_test_daemon_add_from (f->daemon, f->server, "/held.bin",
                                     g_variant_new_parsed ("{'paused': <true>}"));
  moving = ferry_test_daemon_add_from (f->daemon, f->server, "/moving.bin", NULL);

  proc = spawnv (args);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  while (line == NULL || strstr (line, "moving.bin") == NULL)
    {
      g_free (line);
      line = g_data_input_stream_read_line (out, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_string_append_printf (shown, "%s\n", line);
    }
  ferry_test_server_set_throttle (f->server, "/moving.bin", 0);

  /* The rest while the main loop runs: the test's server serves from it. */
  ferry_test_run_start (proc, &r);
  g_assert_true (ferry_test_wait_until (ferry_test_run_done, &r, 60000));
  g_string_append (shown, r.out);
  g_test_message ("watch said:\n%s", shown->str);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (shown->str, "moving.bin: completed"));
  /* ferryctl heard the end on its own connection; this test's proxy hears it on another,
   * maybe a moment later. */
  g_assert_true (ferry_test_wait_state (moving, "completed", 30000));
  g_assert_cmpstr (ferry_transfer1_get_state (held), ==, "paused");
  got = ferry_test_sha256_file (landed);
  g_assert_cmpstr (got, ==, want);
  ferry_test_run_clear (&r);
}

/* `upload --wait` shows the upload to its end; the server has every byte. */
static void
test_upload_wait (Fixture       *f,
                  gconstpointer  data)
{
  FerryTestUploadServer *server = ferry_test_upload_server_new (9);
  g_autoptr(GBytes) content = ferry_test_make_content (300000, 12);
  g_autofree char *file = g_build_filename (g_get_user_data_dir (), "report.pdf", NULL);
  g_autofree char *uri = ferry_test_upload_server_uri (server, "/ietf");
  g_autoptr(GBytes) received = NULL;
  gboolean complete = FALSE;
  FerryTestRun r = { 0 };

  g_assert_true (g_file_set_contents (file, g_bytes_get_data (content, NULL),
                                      g_bytes_get_size (content), NULL));
  {
    const char *args[] = { "upload", file, uri, "--protocol", "ietf", "--wait", NULL };

    run (&r, args);
  }
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "report.pdf: completed"));
  received = ferry_test_upload_server_get_upload (server, 0, &complete);
  g_assert_true (complete);
  g_assert_true (g_bytes_equal (received, content));
  ferry_test_run_clear (&r);

  /* A protocol Ferry does not speak: the service's sentence, nothing queued. */
  {
    const char *args[] = { "upload", file, uri, "--protocol", "carrier-pigeon", NULL };

    run (&r, args);
  }
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "The upload protocol must be auto, ietf, tus or plain"));
  ferry_test_run_clear (&r);
  ferry_test_upload_server_free (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/ferryctl-commands/help-command", Fixture, NULL, fixture_setup,
              test_help_command, fixture_teardown);
  g_test_add ("/ferryctl-commands/list-json-details", Fixture, NULL, fixture_setup,
              test_list_json_details, fixture_teardown);
  g_test_add ("/ferryctl-commands/by-number-and-path", Fixture, NULL, fixture_setup,
              test_by_number_and_path, fixture_teardown);
  g_test_add ("/ferryctl-commands/wait-removed", Fixture, NULL, fixture_setup,
              test_wait_removed, fixture_teardown);
  g_test_add ("/ferryctl-commands/watch-nothing", Fixture, NULL, fixture_setup,
              test_watch_nothing, fixture_teardown);

  g_test_add ("/ferryctl-commands/watch-follows", Fixture, NULL, fixture_setup,
              test_watch_follows, fixture_teardown);
  g_test_add ("/ferryctl-commands/upload-wait", Fixture, NULL, fixture_setup,
              test_upload_wait, fixture_teardown);

  return g_test_run ();
}
