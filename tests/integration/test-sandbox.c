/* test-sandbox.c: an app in a Flatpak sandbox sees and changes only its own transfers
 *
 * The sandbox is bubblewrap with a /.flatpak-info naming org.example.Sandboxed, as Flatpak
 * builds it; inside runs the real ferryctl, talking to ferryd on the test's private bus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "ferry-test-daemon.h"
#include "ferry-test-sandbox.h"
#include "ferry-test-server.h"

#define SANDBOXED_ID "org.example.Sandboxed"
#define OTHER_ID "org.example.Other"

typedef struct
{
  FerryTestDaemon *daemon;
  FerryTestServer *server;
  char *flatpak_info;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = ferry_test_server_new ();
  f->daemon = ferry_test_daemon_new ();
  f->flatpak_info = g_build_filename (g_get_user_runtime_dir (), "flatpak-info", NULL);
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_runtime_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (f->flatpak_info,
                                      "[Application]\nname=" SANDBOXED_ID "\n"
                                      "runtime=runtime/org.gnome.Platform/x86_64/49\n",
                                      -1, NULL));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_server_free);
  g_free (f->flatpak_info);
}

/* ferryctl with @args, inside a sandbox that has /usr, /etc, /tmp and the build tree, and
 * the fake /.flatpak-info on a root of its own. */
static GSubprocess *
spawn_sandboxed (Fixture           *f,
                 const char *const *command);

static void
run_sandboxed (Fixture      *f,
               FerryTestRun *run,
               const char   *first,
               ...) G_GNUC_NULL_TERMINATED;

static void
run_sandboxed (Fixture      *f,
               FerryTestRun *run,
               const char   *first,
               ...)
{
  g_autoptr(GPtrArray) command = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  va_list args;

  g_ptr_array_add (command, (gpointer) g_getenv ("FERRY_CTL"));
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (command, (gpointer) a);
  va_end (args);
  g_ptr_array_add (command, NULL);

  proc = spawn_sandboxed (f, (const char *const *) command->pdata);
  ferry_test_run_finish (proc, run);
}

/* @command inside a sandbox that has /usr, /etc, /tmp, the build and source trees, and the
 * fake /.flatpak-info on a root of its own. */
static GSubprocess *
spawn_sandboxed (Fixture           *f,
                 const char *const *command)
{
  return ferry_test_sandbox_spawn (f->flatpak_info, command);
}

static gboolean
sandbox_works (Fixture *f)
{
  return ferry_test_sandbox_works (f->flatpak_info);
}

static char *
transfer_id (const char *path)
{
  return g_path_get_basename (path);
}

static void
test_isolation (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (300 * 1000, 61);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/report.pdf");
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *downloads = g_build_filename (g_get_home_dir (), "Downloads", NULL);
  g_autofree char *escape = g_build_filename (downloads, "escape", NULL);
  g_autofree char *landed = g_build_filename (downloads, "report.pdf", NULL);
  g_autofree char *got = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *theirs_id = NULL;
  g_autoptr(FerryTransfer1) other = NULL;
  g_autoptr(FerryTransfer1) mine = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) all = NULL;
  g_autofree char *mine_path = NULL;
  FerryTestRun list = { 0 }, list_other = { 0 }, resume = { 0 }, remove = { 0 };
  FerryTestRun add = { 0 }, add_outside = { 0 }, add_symlink = { 0 }, fetch = { 0 };
  FerryTestRun list_after = { 0 };
  GVariantDict dict;

  if (!sandbox_works (f))
    return;

  ferry_test_server_add_file (f->server, "/report.pdf", content, "\"r\"");

  /* Another app's transfer, added from outside any sandbox. */
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "session", "s", OTHER_ID);
  g_variant_dict_insert (&dict, "identifier", "s", "secret");
  g_variant_dict_insert (&dict, "paused", "b", TRUE);
  theirs = ferry_test_daemon_add (f->daemon, uri, g_variant_dict_end (&dict), &error);
  g_assert_no_error (error);
  theirs_id = transfer_id (theirs);
  other = ferry_test_daemon_transfer (f->daemon, theirs);

  /* It is invisible from the sandbox... */
  run_sandboxed (f, &list, "list", "--json", NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_cmpstr (list.out, ==, "[]\n");

  /* ...and asking for it by session is refused, in words; by id, it is not there. */
  run_sandboxed (f, &list_other, "list", "--session", OTHER_ID, NULL);
  g_assert_cmpint (list_other.status, !=, 0);
  g_assert_nonnull (strstr (list_other.err, SANDBOXED_ID " may only list its own transfers"));

  run_sandboxed (f, &resume, "resume", theirs_id, NULL);
  g_assert_cmpint (resume.status, !=, 0);
  g_assert_nonnull (strstr (resume.err, "There is no transfer"));

  run_sandboxed (f, &remove, "remove", theirs_id, NULL);
  g_assert_cmpint (remove.status, !=, 0);
  g_assert_nonnull (strstr (remove.err, "There is no transfer"));

  /* Nothing of theirs changed. */
  g_assert_cmpstr (ferry_transfer1_get_state (other), ==, "paused");
  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, OTHER_ID, &all,
                                                          NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (all), ==, 1);
  g_assert_cmpstr (all[0], ==, theirs);

  /* Its own session is forced on it, whatever it asks for... */
  run_sandboxed (f, &add, "add", uri, "--session", OTHER_ID, "--id", "secret", "--paused", NULL);
  g_assert_cmpint (add.status, ==, 0);
  g_strchomp (add.out);
  mine_path = g_strconcat (FERRY_DAEMON_PATH "/transfers/", add.out, NULL);
  g_assert_cmpstr (mine_path, !=, theirs);
  mine = ferry_test_daemon_transfer (f->daemon, mine_path);
  g_assert_cmpstr (ferry_transfer1_get_session (mine), ==, SANDBOXED_ID);
  g_assert_cmpstr (ferry_transfer1_get_identifier (mine), ==, "secret");

  /* ...and its downloads stay inside the Downloads folder, symlinks or not. */
  run_sandboxed (f, &add_outside, "add", uri, "--to", f->daemon->download_dir, NULL);
  g_assert_cmpint (add_outside.status, !=, 0);
  g_assert_nonnull (strstr (add_outside.err, "may only download into the Downloads folder"));

  g_assert_cmpint (g_mkdir_with_parents (downloads, 0755), ==, 0);
  g_assert_cmpint (symlink (f->daemon->download_dir, escape), ==, 0);
  run_sandboxed (f, &add_symlink, "add", uri, "--to", escape, NULL);
  g_assert_cmpint (add_symlink.status, !=, 0);
  g_assert_nonnull (strstr (add_symlink.err, "may only download into the Downloads folder"));

  run_sandboxed (f, &fetch, "add", uri, "--name", "report.pdf", "--wait", NULL);
  g_assert_cmpint (fetch.status, ==, 0);
  got = ferry_test_sha256_file (landed);
  g_assert_cmpstr (got, ==, want);

  /* It lists what is its own, and only that. */
  run_sandboxed (f, &list_after, "list", "--json", NULL);
  g_assert_cmpint (list_after.status, ==, 0);
  g_assert_nonnull (strstr (list_after.out, mine_path + strlen (FERRY_DAEMON_PATH "/transfers/")));
  g_assert_null (strstr (list_after.out, "\"session\": \"" OTHER_ID "\""));
  g_assert_nonnull (strstr (list_after.out, "\"session\": \"" SANDBOXED_ID "\""));

  ferry_test_run_clear (&list);
  ferry_test_run_clear (&list_other);
  ferry_test_run_clear (&resume);
  ferry_test_run_clear (&remove);
  ferry_test_run_clear (&add);
  ferry_test_run_clear (&add_outside);
  ferry_test_run_clear (&add_symlink);
  ferry_test_run_clear (&fetch);
  ferry_test_run_clear (&list_after);
}

/* Signals carry what they are about: a sandboxed app that listens hears of its own transfers
 * and not of other apps'. */
static void
test_signals (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (3 * 1024 * 1024, 62);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/film.mkv");
  g_autofree char *script = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "integration",
                                              "sandbox-listener.py", NULL);
  g_autofree char *theirs = NULL;
  g_autoptr(FerryTransfer1) other = NULL;
  g_autoptr(GSubprocess) listener = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *mine = NULL;
  FerryTestRun run = { 0 };
  GVariantDict dict;
  const char *command[] = { "/usr/bin/python3", script, uri, "4", NULL };

  if (!sandbox_works (f))
    return;

  ferry_test_server_add_file (f->server, "/film.mkv", content, "\"m\"");
  ferry_test_server_set_throttle (f->server, "/film.mkv", 1024 * 1024);

  listener = spawn_sandboxed (f, command);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (listener));
  {
    g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (line, ==, "listening");
  }

  /* Another app's download, moving bytes while the sandboxed app listens. */
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "session", "s", OTHER_ID);
  theirs = ferry_test_daemon_add (f->daemon, uri, g_variant_dict_end (&dict), &error);
  g_assert_no_error (error);
  other = ferry_test_daemon_transfer (f->daemon, theirs);

  ferry_test_run_start (listener, &run);
  g_assert_true (ferry_test_wait_until (ferry_test_run_done, &run, 30000));
  g_test_message ("The sandboxed listener heard:\n%s%s", run.out ? run.out : "", run.err ? run.err : "");
  g_assert_cmpint (run.status, ==, 0);

  /* This process (outside any sandbox) saw the other app's transfer move. */
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (other), >, 0);

  /* The listener heard of its own download, and of nothing of the other app's. */
  g_assert_nonnull (strstr (run.out, "added /io/github/ferryhq/Ferry/Daemon/transfers/"));
  mine = g_strdup (strstr (run.out, "added ") + strlen ("added "));
  *strchr (mine, '\n') = '\0';
  g_assert_nonnull (strstr (run.out, "InterfacesAdded"));
  g_assert_nonnull (strstr (run.out, mine));
  g_assert_null (strstr (run.out, theirs));
  g_assert_null (strstr (run.out, OTHER_ID));
  ferry_test_run_clear (&run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/sandbox/isolation", Fixture, NULL, fixture_setup, test_isolation,
              fixture_teardown);
  g_test_add ("/sandbox/signals", Fixture, NULL, fixture_setup, test_signals,
              fixture_teardown);

  return g_test_run ();
}
