/* test-sessions.c: background sessions — an app hands its downloads to ferryd, quits, and is
 * activated by ferryd when they end (examples/ferry-example.py)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ferry-test-daemon.h"
#include "ferry-test-server.h"

#define EXAMPLE_ID "org.example.FerryClient"

typedef struct
{
  FerryTestServer *server;
  FerryTestDaemon *daemon;
  char *log;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "services", NULL);
  g_autofree char *service = g_build_filename (dir, EXAMPLE_ID ".service", NULL);
  g_autofree char *example = g_build_filename (g_getenv ("FERRY_EXAMPLES_DIR"),
                                               "ferry-example.py", NULL);
  g_autofree char *contents = g_strdup_printf ("[D-BUS Service]\nName=" EXAMPLE_ID "\n"
                                               "Exec=/usr/bin/python3 %s --gapplication-service\n",
                                               example);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (service, contents, -1, NULL));
  f->log = g_build_filename (g_get_user_data_dir (), "example.log", NULL);
  g_setenv ("FERRY_TEST_EXTRA_SERVICE_DIR", dir, TRUE);
  g_setenv ("FERRY_EXAMPLE_LOG", f->log, TRUE);

  f->server = ferry_test_server_new ();
  f->daemon = ferry_test_daemon_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_server_free);
  g_unsetenv ("FERRY_TEST_EXTRA_SERVICE_DIR");
  g_free (f->log);
}

static gboolean
log_written (gpointer user_data)
{
  return g_file_test (user_data, G_FILE_TEST_EXISTS);
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *s = text; *s != '\0'; s++)
    n += *s == '\n';
  return n;
}

static void
test_relaunch (Fixture       *f,
               gconstpointer  data)
{
  const char *names[] = { "/a.bin", "/b.bin", "/c.bin" };
  g_autofree char *example = g_build_filename (g_getenv ("FERRY_EXAMPLES_DIR"),
                                               "ferry-example.py", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) identifiers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) left = NULL;

  g_ptr_array_add (argv, g_strdup ("/usr/bin/python3"));
  g_ptr_array_add (argv, g_strdup (example));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GBytes) content = ferry_test_make_content (300000 + i, 70 + i);
      char *uri = ferry_test_server_uri (f->server, names[i]);
      g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, uri, -1);

      ferry_test_server_add_file (f->server, names[i], content, "\"x\"");
      /* Slow enough that the client is gone before they end. */
      ferry_test_server_set_throttle (f->server, names[i], 600000);
      g_ptr_array_add (argv, uri);
      g_ptr_array_add (identifiers, g_strndup (sha, 16));
    }
  g_ptr_array_add (argv, NULL);

  /* The client adds its downloads and quits at once. */
  client = g_subprocess_newv ((const char *const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                              &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (f->log, G_FILE_TEST_EXISTS));

  /* They end within a second of each other: ferryd activates the client once, with all. */
  g_assert_true (ferry_test_wait_until (log_written, f->log, 20000));
  ferry_test_sleep (2500);
  g_assert_true (g_file_get_contents (f->log, &text, NULL, NULL));
  g_test_message ("The client recorded:\n%s", text);
  g_assert_cmpuint (count_lines (text), ==, 1);
  for (guint i = 0; i < identifiers->len; i++)
    g_assert_nonnull (strstr (text, g_ptr_array_index (identifiers, i)));
  g_assert_nonnull (strstr (text, "\"State\": \"completed\""));
  g_assert_null (strstr (text, "\"State\": \"failed\""));

  /* It read the outcomes and removed what it handled. */
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, EXAMPLE_ID, &left, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (left), ==, 0);
}

static void
test_unreachable_app (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 80);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/x");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  GVariantDict dict;

  /* An app that cannot be activated: the outcome stays listed and nothing loops. */
  ferry_test_server_add_file (f->server, "/x", content, "\"x\"");
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "session", "s", "org.example.NotInstalled");
  g_variant_dict_insert (&dict, "identifier", "s", "x");
  g_variant_dict_insert (&dict, "notify", "b", TRUE);
  path = ferry_test_daemon_add (f->daemon, uri, g_variant_dict_end (&dict), &error);
  g_assert_no_error (error);
  t = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_true (ferry_test_wait_state (t, "completed", 10000));
  ferry_test_sleep (2500);
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "completed");
  g_assert_cmpstr (ferry_transfer1_get_identifier (t), ==, "x");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_print ("1..1\nok 1 # SKIP the example client needs /usr/bin/python3 with gi\n");
      return 0;
    }

  g_test_add ("/sessions/relaunch", Fixture, NULL, fixture_setup, test_relaunch,
              fixture_teardown);
  g_test_add ("/sessions/unreachable-app", Fixture, NULL, fixture_setup, test_unreachable_app,
              fixture_teardown);

  return g_test_run ();
}
