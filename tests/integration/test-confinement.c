/* test-confinement.c: what was checked stays what is used
 *
 * A sandboxed app that may only write to ~/Downloads must not reach outside it later by
 * swapping a folder for a symlink, or make Ferry delete a file that is not the one it
 * downloaded; nor learn of other apps' transfers. And a download paused or canceled while
 * its file is being checked ends as it was told, with a file that agrees.
 *
 * The sandbox is bubblewrap with a /.flatpak-info naming org.example.Sandboxed, as in
 * test-sandbox.c; inside runs the real ferryctl (or gdbus), talking to ferryd on the test's
 * private bus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ferry-test-daemon.h"
#include "ferry-test-sandbox.h"
#include "ferry-test-server.h"

#define SANDBOXED_ID "org.example.Sandboxed"
#define OTHER_ID "org.example.Other"
#define DAEMON_ID "io.github.ferryhq.Ferry.Daemon"
#define TRANSFERS_PATH FERRY_DAEMON_PATH "/transfers"
#define FERRY_TRANSFER_INTERFACE "io.github.ferryhq.Ferry.Transfer1"

typedef struct
{
  FerryTestDaemon *daemon;
  FerryTestServer *server;
  char *flatpak_info;
  char *downloads;
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
  f->downloads = g_build_filename (g_get_home_dir (), "Downloads", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->downloads, 0755), ==, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_server_free);
  g_free (f->flatpak_info);
  g_free (f->downloads);
}

/* @command inside a sandbox that has /usr, /etc, /tmp, the build and source trees, and the
 * fake /.flatpak-info on a root of its own (as in test-sandbox.c). */
static GSubprocess *
spawn_sandboxed (Fixture           *f,
                 const char *const *command)
{
  return ferry_test_sandbox_spawn (f->flatpak_info, command);
}

/* Runs @first… (a program and its arguments) in the sandbox to its end. */
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

  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (command, (gpointer) a);
  va_end (args);
  g_ptr_array_add (command, NULL);

  proc = spawn_sandboxed (f, (const char *const *) command->pdata);
  ferry_test_run_finish (proc, run);
}

#define CTL g_getenv ("FERRY_CTL")

static gboolean
sandbox_works (Fixture *f)
{
  return ferry_test_sandbox_works (f->flatpak_info);
}

/* The transfer the sandboxed `ferryctl add` printed the id of. */
static FerryTransfer1 *
added_transfer (Fixture      *f,
                FerryTestRun *add,
                char        **out_id)
{
  g_autofree char *path = NULL;

  g_autofree char *id = NULL;

  /* The id comes first; with --wait, on each progress line. */
  g_assert_cmpint (add->status, ==, 0);
  id = g_strndup (add->out, strcspn (add->out, " \n"));
  path = g_strconcat (TRANSFERS_PATH "/", id, NULL);
  if (out_id != NULL)
    *out_id = g_steal_pointer (&id);
  return ferry_test_daemon_transfer (f->daemon, path);
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
assert_file_is (const char *path,
                const char *content)
{
  g_autofree char *got = NULL;

  g_assert_true (g_file_get_contents (path, &got, NULL, NULL));
  g_assert_cmpstr (got, ==, content);
}

/* -- A folder swapped after the check -------------------------------------------------- */

static void
test_folder_swapped (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (200 * 1000, 71);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/evil.desktop");
  g_autofree char *sub = g_build_filename (f->downloads, "sub", NULL);
  g_autofree char *moved = g_build_filename (f->downloads, "sub.moved", NULL);
  g_autofree char *other = g_build_filename (f->downloads, "other", NULL);
  g_autofree char *other_moved = g_build_filename (f->downloads, "other.moved", NULL);
  g_autofree char *autostart = g_build_filename (g_get_home_dir (), ".config", "autostart",
                                                 NULL);
  g_autofree char *id = NULL;
  g_autofree char *other_id = NULL;
  g_autoptr(FerryTransfer1) transfer = NULL;
  g_autoptr(FerryTransfer1) replaced = NULL;
  FerryTestRun add = { 0 }, add_other = { 0 }, resume = { 0 }, resume_other = { 0 };

  if (!sandbox_works (f))
    return;

  ferry_test_server_add_file (f->server, "/evil.desktop", content, "\"e\"");
  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (other, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (autostart, 0755), ==, 0);

  /* Added paused into folders inside Downloads: allowed. */
  run_sandboxed (f, &add, CTL, "add", uri, "--to", sub, "--name", "evil.desktop", "--paused",
                 NULL);
  transfer = added_transfer (f, &add, &id);
  run_sandboxed (f, &add_other, CTL, "add", uri, "--to", other, "--name", "evil.desktop",
                 "--paused", NULL);
  replaced = added_transfer (f, &add_other, &other_id);

  /* Then sub becomes a symlink to a folder the app was never given, and other a folder of
   * the same name that is not the one checked. */
  g_assert_cmpint (g_rename (sub, moved), ==, 0);
  g_assert_cmpint (symlink (autostart, sub), ==, 0);
  g_assert_cmpint (g_rename (other, other_moved), ==, 0);
  g_assert_cmpint (g_mkdir (other, 0755), ==, 0);

  run_sandboxed (f, &resume, CTL, "resume", id, NULL);
  g_assert_cmpint (resume.status, ==, 0);
  run_sandboxed (f, &resume_other, CTL, "resume", other_id, NULL);
  g_assert_cmpint (resume_other.status, ==, 0);

  /* Both fail, saying why... */
  g_assert_true (ferry_test_wait_state (transfer, "failed", 30000));
  g_assert_nonnull (strstr (ferry_transfer1_get_error (transfer),
                            "was replaced since the download was added"));
  g_assert_true (ferry_test_wait_state (replaced, "failed", 30000));
  g_assert_nonnull (strstr (ferry_transfer1_get_error (replaced),
                            "was replaced since the download was added"));

  /* ...and nothing was written anywhere: not into autostart, not into the new folder, not
   * into the folders checked (now under other names), and nothing was even fetched. */
  g_assert_cmpuint (count_entries (autostart), ==, 0);
  g_assert_cmpuint (count_entries (other), ==, 0);
  g_assert_cmpuint (count_entries (moved), ==, 0);
  g_assert_cmpuint (count_entries (other_moved), ==, 0);
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/evil.desktop"), ==, 0);

  ferry_test_run_clear (&add);
  ferry_test_run_clear (&add_other);
  ferry_test_run_clear (&resume);
  ferry_test_run_clear (&resume_other);
}

/* A host program's own symlink in the path is resolved when it adds the download, once:
 * the folder it named then is where the file goes, whatever the link points to later. */
static void
test_host_link_resolved_once (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (100 * 1000, 72);
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *real = g_build_filename (f->daemon->download_dir, "real", NULL);
  g_autofree char *elsewhere = g_build_filename (f->daemon->download_dir, "elsewhere", NULL);
  g_autofree char *link = g_build_filename (f->daemon->download_dir, "link", NULL);
  g_autofree char *landed = g_build_filename (real, "data.bin", NULL);
  g_autofree char *got = NULL;
  g_autoptr(FerryTransfer1) transfer = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict dict;

  ferry_test_server_add_file (f->server, "/data.bin", content, "\"d\"");
  g_assert_cmpint (g_mkdir_with_parents (real, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (elsewhere, 0755), ==, 0);
  g_assert_cmpint (symlink (real, link), ==, 0);

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "destination", "s", link);
  g_variant_dict_insert (&dict, "paused", "b", TRUE);
  transfer = ferry_test_daemon_add_from (f->daemon, f->server, "/data.bin",
                                         g_variant_dict_end (&dict));

  /* The link now points elsewhere; the download still goes where it pointed. */
  g_assert_cmpint (g_unlink (link), ==, 0);
  g_assert_cmpint (symlink (elsewhere, link), ==, 0);

  g_assert_true (ferry_transfer1_call_resume_sync (transfer, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (transfer, "completed", 30000));
  g_assert_cmpstr (ferry_transfer1_get_destination (transfer), ==, landed);
  got = ferry_test_sha256_file (landed);
  g_assert_cmpstr (got, ==, want);
  g_assert_cmpuint (count_entries (elsewhere), ==, 0);
}

/* What was pinned is kept in the store: after ferryd was killed, the folder and the completed
 * file are still told from the ones put in their place. */
static void
test_pins_survive_restart (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (100 * 1000, 76);
  g_autofree char *sub = g_build_filename (f->daemon->download_dir, "sub", NULL);
  g_autofree char *moved = g_build_filename (f->daemon->download_dir, "sub.moved", NULL);
  g_autofree char *outside = g_build_filename (g_get_home_dir (), "outside", NULL);
  g_autofree char *done_path = g_build_filename (f->daemon->download_dir, "done.bin", NULL);
  g_autofree char *done_new = g_build_filename (f->daemon->download_dir, "done.bin.new", NULL);
  g_autoptr(FerryTransfer1) paused = NULL;
  g_autoptr(FerryTransfer1) done = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  g_autofree char *paused_path = NULL;
  g_autofree char *done_object = NULL;
  GVariantDict dict;

  ferry_test_server_add_file (f->server, "/later.bin", content, "\"l\"");
  ferry_test_server_add_file (f->server, "/done.bin", content, "\"d\"");
  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (outside, 0755), ==, 0);

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "destination", "s", sub);
  g_variant_dict_insert (&dict, "paused", "b", TRUE);
  paused = ferry_test_daemon_add_from (f->daemon, f->server, "/later.bin",
                                       g_variant_dict_end (&dict));
  done = ferry_test_daemon_add_from (f->daemon, f->server, "/done.bin", NULL);
  g_assert_true (ferry_test_wait_state (done, "completed", 30000));
  g_assert_cmpstr (ferry_transfer1_get_destination (done), ==, done_path);

  ferry_test_daemon_kill (f->daemon);

  g_assert_cmpint (g_rename (sub, moved), ==, 0);
  g_assert_cmpint (symlink (outside, sub), ==, 0);
  g_assert_true (g_file_set_contents (done_new, "the user's own\n", -1, NULL));
  g_assert_cmpint (g_rename (done_new, done_path), ==, 0);

  /* The next call activates ferryd again, which restores both from the store. New proxies:
   * the old ones may still name the killed process. */
  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL,
                                                          &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (paths), ==, 2);
  paused_path = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (paused)));
  done_object = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (done)));
  g_clear_object (&paused);
  g_clear_object (&done);
  paused = ferry_test_daemon_transfer (f->daemon, paused_path);
  done = ferry_test_daemon_transfer (f->daemon, done_object);

  g_assert_true (ferry_transfer1_call_resume_sync (paused, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (paused, "failed", 30000));
  g_assert_nonnull (strstr (ferry_transfer1_get_error (paused),
                            "was replaced since the download was added"));
  g_assert_cmpuint (count_entries (outside), ==, 0);

  g_assert_false (ferry_transfer1_call_remove_sync (done, TRUE, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "is no longer the file Ferry downloaded"));
  g_clear_error (&error);
  assert_file_is (done_path, "the user's own\n");
}

/* -- Remove (delete_data) deletes only Ferry's own file -------------------------------- */

static void
test_remove_only_own_file (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (100 * 1000, 73);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/id_ed25519");
  g_autofree char *uri2 = ferry_test_server_uri (f->server, "/notes.txt");
  g_autofree char *sub = g_build_filename (f->downloads, "sub", NULL);
  g_autofree char *moved = g_build_filename (f->downloads, "sub.moved", NULL);
  g_autofree char *ssh = g_build_filename (g_get_home_dir (), ".ssh", NULL);
  g_autofree char *key = g_build_filename (ssh, "id_ed25519", NULL);
  g_autofree char *notes = g_build_filename (f->downloads, "notes.txt", NULL);
  g_autofree char *notes_new = g_build_filename (f->downloads, "notes.txt.new", NULL);
  g_autofree char *id = NULL;
  g_autofree char *id2 = NULL;
  g_autofree char *own = NULL;
  g_autoptr(FerryTransfer1) transfer = NULL;
  g_autoptr(FerryTransfer1) transfer2 = NULL;
  g_auto(GStrv) all = NULL;
  g_autoptr(GError) error = NULL;
  FerryTestRun add = { 0 }, add2 = { 0 }, remove = { 0 }, remove2 = { 0 };

  if (!sandbox_works (f))
    return;

  ferry_test_server_add_file (f->server, "/id_ed25519", content, "\"k\"");
  ferry_test_server_add_file (f->server, "/notes.txt", content, "\"n\"");
  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (ssh, 0700), ==, 0);
  g_assert_true (g_file_set_contents (key, "the user's own key\n", -1, NULL));

  /* A completed download in Downloads/sub, with the name of a file outside. */
  run_sandboxed (f, &add, CTL, "add", uri, "--to", sub, "--name", "id_ed25519", "--wait",
                 NULL);
  transfer = added_transfer (f, &add, &id);
  g_assert_cmpstr (ferry_transfer1_get_state (transfer), ==, "completed");
  own = g_build_filename (sub, "id_ed25519", NULL);
  g_assert_cmpstr (ferry_transfer1_get_destination (transfer), ==, own);

  /* sub becomes a symlink to ~/.ssh: the completed file's path now names the user's key. */
  g_assert_cmpint (g_rename (sub, moved), ==, 0);
  g_assert_cmpint (symlink (ssh, sub), ==, 0);

  run_sandboxed (f, &remove, CTL, "remove", "--delete", id, NULL);
  g_assert_cmpint (remove.status, !=, 0);
  g_assert_nonnull (strstr (remove.err, "was replaced since the download was added"));
  assert_file_is (key, "the user's own key\n");

  /* A completed file replaced by another file of the same name is not Ferry's to delete. */
  run_sandboxed (f, &add2, CTL, "add", uri2, "--name", "notes.txt", "--wait", NULL);
  transfer2 = added_transfer (f, &add2, &id2);
  g_assert_cmpstr (ferry_transfer1_get_state (transfer2), ==, "completed");
  g_assert_true (g_file_set_contents (notes_new, "written by the user since\n", -1, NULL));
  g_assert_cmpint (g_rename (notes_new, notes), ==, 0);

  run_sandboxed (f, &remove2, CTL, "remove", "--delete", id2, NULL);
  g_assert_cmpint (remove2.status, !=, 0);
  g_assert_nonnull (strstr (remove2.err, "is no longer the file Ferry downloaded"));
  assert_file_is (notes, "written by the user since\n");

  /* Both transfers are still there to be removed without deleting. */
  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, SANDBOXED_ID,
                                                          &all, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (all), ==, 2);

  ferry_test_run_clear (&add);
  ferry_test_run_clear (&add2);
  ferry_test_run_clear (&remove);
  ferry_test_run_clear (&remove2);
}

/* The file Ferry made is still deleted when it is the one in place. */
static void
test_remove_deletes_own_file (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (100 * 1000, 74);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/mine.bin");
  g_autofree char *mine = g_build_filename (f->downloads, "mine.bin", NULL);
  g_autofree char *id = NULL;
  g_autoptr(FerryTransfer1) transfer = NULL;
  FerryTestRun add = { 0 }, remove = { 0 };

  if (!sandbox_works (f))
    return;

  ferry_test_server_add_file (f->server, "/mine.bin", content, "\"m\"");
  run_sandboxed (f, &add, CTL, "add", uri, "--name", "mine.bin", "--wait", NULL);
  transfer = added_transfer (f, &add, &id);
  g_assert_cmpstr (ferry_transfer1_get_state (transfer), ==, "completed");
  g_assert_true (g_file_test (mine, G_FILE_TEST_IS_REGULAR));

  run_sandboxed (f, &remove, CTL, "remove", "--delete", id, NULL);
  g_assert_cmpint (remove.status, ==, 0);
  g_assert_false (g_file_test (mine, G_FILE_TEST_EXISTS));

  ferry_test_run_clear (&add);
  ferry_test_run_clear (&remove);
}

/* -- Other apps' transfers are not there ------------------------------------------------ */

/* @text with "transfers/@id" made "transfers/ID", to compare answers about two ids. */
static char *
without_id (const char *text,
            const char *id)
{
  g_autofree char *needle = g_strconcat ("transfers/", id, NULL);
  g_auto(GStrv) parts = g_strsplit (text, needle, -1);

  return g_strjoinv ("transfers/ID", parts);
}

/* @a (about @a_id) and @b (about @b_id) read the same once their ids are taken out. */
#define assert_same_but_id(a, a_id, b, b_id) \
  G_STMT_START { \
    g_autofree char *a_ = without_id ((a), (a_id)); \
    g_autofree char *b_ = without_id ((b), (b_id)); \
    g_assert_cmpstr (a_, ==, b_); \
  } G_STMT_END

static void
test_introspect (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 75);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/x.bin");
  g_autofree char *theirs = NULL;
  g_autofree char *theirs_id = NULL;
  g_autofree char *theirs_path = NULL;
  g_autofree char *nothing_id = NULL;
  g_autofree char *nothing_path = NULL;
  g_autofree char *mine_id = NULL;
  g_autofree char *mine_node = NULL;
  g_autofree char *theirs_node = NULL;
  g_autoptr(FerryTransfer1) mine = NULL;
  g_autoptr(FerryTransfer1) other = NULL;
  g_autoptr(GError) error = NULL;
  FerryTestRun add = { 0 }, tree = { 0 };
  FerryTestRun intro_theirs = { 0 }, intro_nothing = { 0 };
  FerryTestRun get_theirs = { 0 }, get_nothing = { 0 };
  FerryTestRun pause_theirs = { 0 }, pause_nothing = { 0 };
  FerryTestRun ctl_theirs = { 0 }, ctl_nothing = { 0 };
  GVariantDict dict;
  guint64 n;

  if (!sandbox_works (f))
    return;

  ferry_test_server_add_file (f->server, "/x.bin", content, "\"x\"");

  /* Another app's transfer, added from outside any sandbox. */
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "session", "s", OTHER_ID);
  g_variant_dict_insert (&dict, "paused", "b", TRUE);
  theirs = ferry_test_daemon_add (f->daemon, uri, g_variant_dict_end (&dict), &error);
  g_assert_no_error (error);
  other = ferry_test_daemon_transfer (f->daemon, theirs);
  theirs_id = g_path_get_basename (theirs);
  theirs_path = g_strdup (theirs);

  run_sandboxed (f, &add, CTL, "add", uri, "--paused", NULL);
  mine = added_transfer (f, &add, &mine_id);

  /* An id that never existed. */
  g_assert_true (g_ascii_string_to_unsigned (mine_id, 10, 1, G_MAXUINT64, &n, NULL));
  nothing_id = g_strdup_printf ("%" G_GUINT64_FORMAT, n + 1000);
  nothing_path = g_strconcat (TRANSFERS_PATH "/", nothing_id, NULL);

  /* The transfers folder lists the app's own transfer only. */
  run_sandboxed (f, &tree, "gdbus", "introspect", "--session", "--dest", DAEMON_ID,
                 "--object-path", TRANSFERS_PATH, NULL);
  g_assert_cmpint (tree.status, ==, 0);
  mine_node = g_strdup_printf ("node %s ", mine_id);
  theirs_node = g_strdup_printf ("node %s ", theirs_id);
  g_assert_nonnull (strstr (tree.out, mine_node));
  g_assert_null (strstr (tree.out, theirs_node));

  /* Introspecting, reading and calling the other app's transfer answers exactly as for an
   * id that does not exist. */
  run_sandboxed (f, &intro_theirs, "gdbus", "introspect", "--session", "--dest",
                 DAEMON_ID, "--object-path", theirs_path, NULL);
  run_sandboxed (f, &intro_nothing, "gdbus", "introspect", "--session", "--dest",
                 DAEMON_ID, "--object-path", nothing_path, NULL);
  g_assert_cmpint (intro_theirs.status, ==, intro_nothing.status);
  assert_same_but_id (intro_theirs.out, theirs_id, intro_nothing.out, nothing_id);
  assert_same_but_id (intro_theirs.err, theirs_id, intro_nothing.err, nothing_id);
  g_assert_null (strstr (intro_theirs.out, "Transfer1"));

  run_sandboxed (f, &get_theirs, "gdbus", "call", "--session", "--dest", DAEMON_ID,
                 "--object-path", theirs_path, "--method", "org.freedesktop.DBus.Properties.Get",
                 FERRY_TRANSFER_INTERFACE, "Uri", NULL);
  run_sandboxed (f, &get_nothing, "gdbus", "call", "--session", "--dest", DAEMON_ID,
                 "--object-path", nothing_path, "--method", "org.freedesktop.DBus.Properties.Get",
                 FERRY_TRANSFER_INTERFACE, "Uri", NULL);
  g_assert_cmpint (get_theirs.status, !=, 0);
  g_assert_cmpint (get_theirs.status, ==, get_nothing.status);
  assert_same_but_id (get_theirs.err, theirs_id, get_nothing.err, nothing_id);
  g_assert_null (strstr (get_theirs.err, OTHER_ID));
  g_assert_null (strstr (get_theirs.out, uri));

  run_sandboxed (f, &pause_theirs, "gdbus", "call", "--session", "--dest", DAEMON_ID,
                 "--object-path", theirs_path, "--method", FERRY_TRANSFER_INTERFACE ".Cancel",
                 NULL);
  run_sandboxed (f, &pause_nothing, "gdbus", "call", "--session", "--dest", DAEMON_ID,
                 "--object-path", nothing_path, "--method", FERRY_TRANSFER_INTERFACE ".Cancel",
                 NULL);
  g_assert_cmpint (pause_theirs.status, !=, 0);
  assert_same_but_id (pause_theirs.err, theirs_id, pause_nothing.err, nothing_id);
  g_assert_null (strstr (pause_theirs.err, OTHER_ID));

  /* ferryctl, which asks why a transfer cannot be read, hears the same for both. */
  run_sandboxed (f, &ctl_theirs, CTL, "resume", theirs_id, NULL);
  run_sandboxed (f, &ctl_nothing, CTL, "resume", nothing_id, NULL);
  g_assert_cmpint (ctl_theirs.status, !=, 0);
  g_assert_cmpint (ctl_theirs.status, ==, ctl_nothing.status);
  {
    g_auto(GStrv) a = g_strsplit (ctl_theirs.err, theirs_id, -1);
    g_auto(GStrv) b = g_strsplit (ctl_nothing.err, nothing_id, -1);
    g_autofree char *ja = g_strjoinv ("ID", a);
    g_autofree char *jb = g_strjoinv ("ID", b);

    g_assert_cmpstr (ja, ==, jb);
  }
  g_assert_null (strstr (ctl_theirs.err, OTHER_ID));

  /* Nothing of theirs changed. */
  g_assert_cmpstr (ferry_transfer1_get_state (other), ==, "paused");

  ferry_test_run_clear (&add);
  ferry_test_run_clear (&tree);
  ferry_test_run_clear (&intro_theirs);
  ferry_test_run_clear (&intro_nothing);
  ferry_test_run_clear (&get_theirs);
  ferry_test_run_clear (&get_nothing);
  ferry_test_run_clear (&pause_theirs);
  ferry_test_run_clear (&pause_nothing);
  ferry_test_run_clear (&ctl_theirs);
  ferry_test_run_clear (&ctl_nothing);
}

/* -- Pause and Cancel while the file is being checked ---------------------------------- */

/* Big enough that checking it (fdatasync, then the caller's SHA-256 and the server's
 * Repr-Digest, two passes over the file) takes far longer than one D-Bus call. */
#define BIG_SIZE (256 * 1024 * 1024)

typedef struct
{
  FerryTransfer1 *transfer;
  guint64 total;
} Checking;

/* Every byte arrived and the transfer is still running: it is checking the file. */
static gboolean
is_checking (gpointer user_data)
{
  Checking *c = user_data;

  return ferry_transfer1_get_bytes_done (c->transfer) == c->total &&
         g_strcmp0 (ferry_transfer1_get_state (c->transfer), "running") == 0;
}

static gboolean
nothing_running (gpointer user_data)
{
  return ferry_manager1_get_running (FERRY_MANAGER1 (user_data)) == 0;
}

static gboolean
something_running (gpointer user_data)
{
  return ferry_manager1_get_running (FERRY_MANAGER1 (user_data)) > 0;
}

/* A download of a big file with a sha256 option and a Repr-Digest, caught while its file is
 * checked. */
static FerryTransfer1 *
start_checked_download (Fixture    *f,
                        const char *path,
                        guint32     seed,
                        char      **out_sha256)
{
  g_autoptr(GBytes) content = ferry_test_make_content (BIG_SIZE, seed);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autofree char *b64 = NULL;
  g_autofree char *repr = NULL;
  FerryTransfer1 *transfer;
  GVariantDict dict;
  Checking c;

  g_checksum_update (checksum, g_bytes_get_data (content, NULL), g_bytes_get_size (content));
  g_checksum_get_digest (checksum, digest, &digest_len);
  b64 = g_base64_encode (digest, digest_len);
  repr = g_strdup_printf ("sha-256=:%s:", b64);
  *out_sha256 = g_strdup (g_checksum_get_string (checksum));

  ferry_test_server_add_file (f->server, path, content, "\"big\"");
  ferry_test_server_set_header (f->server, path, "Repr-Digest", repr);

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "sha256", "s", *out_sha256);
  /* One connection: what the server sent is then the file, once. (Segments cut short send
   * a little more, which they throw away: test-segments.c's business, not this one's.) */
  g_variant_dict_insert (&dict, "connections", "u", 1);
  transfer = ferry_test_daemon_add_from (f->daemon, f->server, path, g_variant_dict_end (&dict));

  c.transfer = transfer;
  c.total = BIG_SIZE;
  g_assert_true (ferry_test_wait_until (is_checking, &c, 120000));
  g_assert_true (ferry_test_wait_until (something_running, f->daemon->manager, 30000));
  return transfer;
}

static void
test_pause_while_checking (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *want = NULL;
  g_autofree char *final = g_build_filename (f->daemon->download_dir, "big.iso", NULL);
  g_autofree char *second = g_build_filename (f->daemon->download_dir, "big (1).iso", NULL);
  g_autofree char *got = NULL;
  g_autoptr(FerryTransfer1) transfer = NULL;
  g_autoptr(GError) error = NULL;
  gint64 paused_at;
  guint64 sent;

  transfer = start_checked_download (f, "/big.iso", 81, &want);
  g_assert_true (ferry_transfer1_call_pause_sync (transfer, NULL, &error));
  g_assert_no_error (error);
  paused_at = g_get_monotonic_time ();

  /* Once the check has ended, paused means paused: no final file, the bytes kept. */
  g_assert_true (ferry_test_wait_until (nothing_running, f->daemon->manager, 120000));
  g_test_message ("The check went on for %" G_GINT64_FORMAT " ms after Pause returned",
                  (g_get_monotonic_time () - paused_at) / 1000);
  g_assert_cmpstr (ferry_transfer1_get_state (transfer), ==, "paused");
  g_assert_false (g_file_test (final, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_entries (f->daemon->download_dir), ==, 1);
  sent = ferry_test_server_get_bytes_sent (f->server);
  g_assert_cmpuint (sent, ==, BIG_SIZE);

  /* Resume checks the bytes on disk again and claims the name, downloading nothing. */
  g_assert_true (ferry_transfer1_call_resume_sync (transfer, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (transfer, "completed", 120000));
  g_assert_cmpstr (ferry_transfer1_get_destination (transfer), ==, final);
  g_assert_false (g_file_test (second, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_entries (f->daemon->download_dir), ==, 1);
  g_assert_cmpuint (ferry_test_server_get_bytes_sent (f->server), ==, sent);
  got = ferry_test_sha256_file (final);
  g_assert_cmpstr (got, ==, want);
}

static gboolean
folder_is_empty (gpointer user_data)
{
  return count_entries (user_data) == 0;
}

static void
test_cancel_while_checking (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *want = NULL;
  g_autofree char *final = g_build_filename (f->daemon->download_dir, "big.iso", NULL);
  g_autoptr(FerryTransfer1) transfer = NULL;
  g_autoptr(GError) error = NULL;

  transfer = start_checked_download (f, "/big.iso", 82, &want);
  g_assert_true (ferry_transfer1_call_cancel_sync (transfer, NULL, &error));
  g_assert_no_error (error);

  /* Cancel gives the slot back at once, before the check has ended; the part file goes only
   * once the attempt has let go of it, so an empty folder means the check is over. Then:
   * canceled, and nothing of it left on disk. */
  g_assert_true (ferry_test_wait_until (nothing_running, f->daemon->manager, 30000));
  g_assert_true (ferry_test_wait_until (folder_is_empty, f->daemon->download_dir, 120000));
  g_assert_cmpstr (ferry_transfer1_get_state (transfer), ==, "canceled");
  g_assert_false (g_file_test (final, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/confinement/folder-swapped", Fixture, NULL, fixture_setup,
              test_folder_swapped, fixture_teardown);
  g_test_add ("/confinement/host-link-resolved-once", Fixture, NULL, fixture_setup,
              test_host_link_resolved_once, fixture_teardown);
  g_test_add ("/confinement/pins-survive-restart", Fixture, NULL, fixture_setup,
              test_pins_survive_restart, fixture_teardown);
  g_test_add ("/confinement/remove-only-own-file", Fixture, NULL, fixture_setup,
              test_remove_only_own_file, fixture_teardown);
  g_test_add ("/confinement/remove-deletes-own-file", Fixture, NULL, fixture_setup,
              test_remove_deletes_own_file, fixture_teardown);
  g_test_add ("/confinement/introspect", Fixture, NULL, fixture_setup, test_introspect,
              fixture_teardown);
  g_test_add ("/confinement/pause-while-checking", Fixture, NULL, fixture_setup,
              test_pause_while_checking, fixture_teardown);
  g_test_add ("/confinement/cancel-while-checking", Fixture, NULL, fixture_setup,
              test_cancel_while_checking, fixture_teardown);

  return g_test_run ();
}
