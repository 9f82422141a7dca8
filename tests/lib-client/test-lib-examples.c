/* test-lib-examples.c: libferry's examples (C, Python, JavaScript) run as their users do
 *
 * Each hands a download and an upload over and quits; the test lets the transfers run only
 * once it has quit, so ferryd must relaunch it (D-Bus activation, transfers-finished) to
 * deliver the outcomes, which it prints exactly once. Python and GJS load libferry through
 * the typelib in the build tree (GI_TYPELIB_PATH, LD_LIBRARY_PATH).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ferry-test-daemon.h"
#include "ferry-test-server.h"
#include "ferry-test-upload-server.h"

typedef struct
{
  const char *app_id;
  const char *interpreter;   /* NULL: a program of the build tree */
  const char *program;
} Example;

static const Example example_c = { "org.example.FerryLibC", NULL, "example-c" };
static const Example example_py = { "org.example.FerryLibPy", "/usr/bin/python3", "example.py" };
static const Example example_js = { "org.example.FerryLibJs", "/usr/bin/gjs", "example.js" };

typedef struct
{
  const Example *example;
  FerryTestDaemon *daemon;
  FerryTestServer *server;
  FerryTestUploadServer *uploads;
  char *log;
  char *argv0;
} Fixture;

static char *
example_path (const Example *example)
{
  if (example->interpreter == NULL)
    return g_test_build_filename (G_TEST_BUILT, "lib-client", example->program, NULL);
  return g_build_filename (g_getenv ("FERRY_EXAMPLES_DIR"), "libferry", example->program,
                           NULL);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "services", NULL);
  g_autofree char *service = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *program = NULL;
  g_autofree char *downloads = g_build_filename (g_get_user_data_dir (), "example-downloads",
                                                 NULL);
  g_autofree char *state = NULL;

  f->example = data;
  program = example_path (f->example);
  f->argv0 = g_strdup (program);
  service = g_strdup_printf ("%s/%s.service", dir, f->example->app_id);
  /* As docs/dbus-api.md says: the service file starts it with --gapplication-service. What
   * the relaunched example prints goes to stderr: the bus's stdout is this test's TAP. */
  contents = g_strdup_printf ("[D-BUS Service]\nName=%s\n"
                              "Exec=/bin/sh -c 'exec %s%s%s --gapplication-service >&2'\n",
                              f->example->app_id,
                              f->example->interpreter ? f->example->interpreter : "",
                              f->example->interpreter ? " " : "", program);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (downloads, 0755), ==, 0);
  g_assert_true (g_file_set_contents (service, contents, -1, NULL));

  /* The relaunched example inherits the bus's environment: set it before the bus starts. */
  f->log = g_build_filename (g_get_user_data_dir (), "example.log", NULL);
  g_setenv ("FERRY_EXAMPLE_LOG", f->log, TRUE);
  state = g_build_filename (g_get_user_data_dir (), "example.state", NULL);
  g_setenv ("FERRY_EXAMPLE_STATE", state, TRUE);
  g_setenv ("FERRY_EXAMPLE_DOWNLOADS", downloads, TRUE);
  g_setenv ("FERRY_TEST_EXTRA_SERVICE_DIR", dir, TRUE);
  f->daemon = ferry_test_daemon_new ();
  f->daemon->stop_only = TRUE;
  f->server = ferry_test_server_new ();
  f->uploads = ferry_test_upload_server_new (9);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_server_free);
  g_clear_pointer (&f->uploads, ferry_test_upload_server_free);
  g_unsetenv ("FERRY_TEST_EXTRA_SERVICE_DIR");
  g_free (f->log);
  g_free (f->argv0);
}

static GStrv
session_paths (Fixture *f)
{
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;

  ferry_manager1_call_list_transfers_sync (f->daemon->manager, f->example->app_id, &paths,
                                           NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&paths);
}

static gboolean
session_empty (gpointer user_data)
{
  g_auto(GStrv) paths = session_paths (user_data);

  return paths[0] == NULL;
}

static guint
count_lines (const char *text,
             const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], prefix))
        n++;
    }
  return n;
}

static gboolean
log_has_both (gpointer user_data)
{
  Fixture *f = user_data;
  g_autofree char *text = NULL;

  if (!g_file_get_contents (f->log, &text, NULL, NULL))
    return FALSE;
  return count_lines (text, "episode ") > 0 && count_lines (text, "report ") > 0;
}

static gboolean
name_has_no_owner (gpointer user_data)
{
  Fixture *f = user_data;

  return !ferry_test_name_has_owner (f->daemon->connection, f->example->app_id);
}

static void
test_relaunch (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (250000, 31);
  g_autoptr(GBytes) upload = ferry_test_make_content (120000, 32);
  g_autofree char *source = g_build_filename (g_get_user_data_dir (), "report.bin", NULL);
  g_autofree char *uri = NULL;
  g_autofree char *upload_uri = NULL;
  g_autofree char *text = NULL;
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *first_pid = NULL;
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) got = NULL;
  g_auto(GStrv) paths = NULL;
  g_auto(GStrv) lines = NULL;
  FerryTestRun run = { 0 };
  const char *pid_at;

  if (f->example->interpreter != NULL &&
      !g_file_test (f->example->interpreter, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip_printf ("%s is not installed", f->example->interpreter);
      return;
    }
  if (f->example->interpreter != NULL && g_getenv ("FERRY_TEST_SANITIZED") != NULL)
    {
      g_test_skip_printf ("%s is not built with AddressSanitizer: it cannot load the "
                          "sanitized libferry (the ASan runtime must come first); the C "
                          "example covers this build", f->example->interpreter);
      return;
    }

  ferry_test_server_add_file (f->server, "/ep42.mp3", content, "\"e\"");
  uri = ferry_test_server_uri (f->server, "/ep42.mp3");
  upload_uri = ferry_test_upload_server_uri (f->uploads, "/plain/report.bin");
  g_assert_true (g_file_set_contents (source, g_bytes_get_data (upload, NULL),
                                      g_bytes_get_size (upload), NULL));

  /* The first launch hands both over, paused, and quits. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (f->example->interpreter != NULL)
    first = g_subprocess_launcher_spawn (launcher, &error, f->example->interpreter, f->argv0,
                                         "--paused", "download", "episode", uri,
                                         "upload", "report", upload_uri, source, NULL);
  else
    first = g_subprocess_launcher_spawn (launcher, &error, f->argv0,
                                         "--paused", "download", "episode", uri,
                                         "upload", "report", upload_uri, source, NULL);
  g_assert_no_error (error);
  ferry_test_run_finish (first, &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (count_lines (run.out, "episode handed over"), ==, 1);
  g_assert_cmpuint (count_lines (run.out, "report handed over"), ==, 1);
  pid_at = strstr (run.out, "pid=");
  g_assert_nonnull (pid_at);
  first_pid = g_strdup_printf ("%.*s ", (int) strcspn (pid_at, " \n"), pid_at);
  ferry_test_run_clear (&run);
  g_assert_true (ferry_test_wait_until (name_has_no_owner, f, 30000));
  g_assert_false (g_file_test (f->log, G_FILE_TEST_EXISTS));

  /* Only now do they run: their ends relaunch the app. */
  paths = session_paths (f);
  g_assert_cmpuint (g_strv_length (paths), ==, 2);
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(FerryTransfer1) t = ferry_test_daemon_transfer (f->daemon, paths[i]);

      ferry_transfer1_call_resume_sync (t, NULL, &error);
      g_assert_no_error (error);
    }

  g_assert_true (ferry_test_wait_until (log_has_both, f, 60000));
  /* Delivered, so removed; the relaunched app then exits by itself. */
  g_assert_true (ferry_test_wait_until (session_empty, f, 30000));
  g_assert_true (ferry_test_wait_until (name_has_no_owner, f, 60000));

  g_assert_true (g_file_get_contents (f->log, &text, NULL, NULL));
  g_test_message ("The example printed:\n%s", text);
  g_assert_cmpuint (count_lines (text, "episode "), ==, 1);
  g_assert_cmpuint (count_lines (text, "report "), ==, 1);
  g_assert_cmpuint (count_lines (text, "episode SUCCESS 200 "), ==, 1);
  g_assert_cmpuint (count_lines (text, "report SUCCESS "), ==, 1);
  g_assert_null (strstr (text, first_pid));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "episode "))
        {
          g_autofree char *path = g_strdup (strrchr (lines[i], ' ') + 1);
          g_autofree char *sha = ferry_test_sha256_file (path);

          g_assert_cmpstr (sha, ==, want);
        }
    }
  got = ferry_test_upload_server_get_plain (f->uploads, "report.bin", NULL);
  g_assert_nonnull (got);
  g_assert_true (g_bytes_equal (got, upload));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/lib-examples/c", Fixture, &example_c, fixture_setup, test_relaunch,
              fixture_teardown);
  g_test_add ("/lib-examples/python", Fixture, &example_py, fixture_setup, test_relaunch,
              fixture_teardown);
  g_test_add ("/lib-examples/gjs", Fixture, &example_js, fixture_setup, test_relaunch,
              fixture_teardown);

  return g_test_run ();
}
