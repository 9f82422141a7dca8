/* test-lifecycle.c: what a pinned folder and a stopped attempt still promise
 *
 * Remove with delete_data of a completed download whose folder was moved away and replaced
 * by another, real folder (no symlink anywhere): Ferry must say so and keep the transfer, as
 * it does for a folder swapped for a link, never answer "removed" with the file left behind.
 *
 * Transfers stored before folders and files were pinned (schema 4 and older) keep working
 * after an upgrade: a folder path with a link in it (/home → /var/home, a Downloads folder
 * that is a link) is resolved once and pinned from then on, not taken for a swapped folder;
 * and Remove (true) of a completed file Ferry recorded no identity for says so truly.
 *
 * Cancel gives an attempt's slot back at once, before the attempt has ended; a Resume and a
 * second Cancel while it still runs must not give it back twice: ferryd's count of running
 * attempts would wrap below zero and nothing would ever start again.
 *
 * Transfers restored from the store stay listed in the order they were added, and can be
 * resumed, updated and removed as before the restart.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include <unistd.h>

#include "ferry-test-daemon.h"
#include "ferry-test-server.h"

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

/* Remove (@delete_data) from a connection of its own, as a new caller (ferryctl, an app
 * just started) makes it: ferryd looks the caller up first. */
static gboolean
remove_as_new_caller (Fixture      *f,
                      const char   *object_path,
                      gboolean      delete_data,
                      GError      **error)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;

  connection = g_dbus_connection_new_for_address_sync (
    g_test_dbus_get_bus_address (f->daemon->bus),
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, error);
  if (connection == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (connection, "io.github.ferryhq.Ferry.Daemon", object_path,
                                       "io.github.ferryhq.Ferry.Transfer1", "Remove",
                                       g_variant_new ("(b)", delete_data), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 30000, NULL, error);
  return reply != NULL;
}

/* A folder of its own under the downloads folder, which outlives a test run. */
static char *
fresh_dir (Fixture *f)
{
  char *dir = g_build_filename (f->daemon->download_dir, "folder-XXXXXX", NULL);

  g_assert_cmpint (g_mkdir_with_parents (f->daemon->download_dir, 0755), ==, 0);
  g_assert_nonnull (g_mkdtemp (dir));
  return dir;
}

static guint
count_transfers (Fixture *f)
{
  g_auto(GStrv) all = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &all, NULL,
                                                          &error));
  g_assert_no_error (error);
  return g_strv_length (all);
}

/* The folder moved away and a new folder of the same name made: its path is the same, its
 * identity is not. The file Ferry made is in the moved folder, which Ferry was never told
 * of; Remove (true) refuses, the transfer stays, the file is untouched. Twice, from a new
 * caller each time. */
static void
test_remove_folder_replaced_by_folder (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (50 * 1000, 91);
  g_autofree char *base = fresh_dir (f);
  g_autofree char *sub = g_build_filename (base, "sub", NULL);
  g_autofree char *moved = g_build_filename (base, "sub.moved", NULL);

  ferry_test_server_add_file (f->server, "/a.bin", content, "\"a\"");
  ferry_test_server_add_file (f->server, "/b.bin", content, "\"b\"");
  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);

  for (guint round = 0; round < 2; round++)
    {
      const char *name = round == 0 ? "a.bin" : "b.bin";
      g_autofree char *server_path = g_strconcat ("/", name, NULL);
      g_autofree char *kept = g_build_filename (moved, name, NULL);
      g_autofree char *got = NULL;
      g_autofree char *want = NULL;
      g_autoptr(FerryTransfer1) transfer = NULL;
      g_autoptr(GError) error = NULL;
      guint before = count_transfers (f);
      const char *path;
      GVariantDict dict;

      g_variant_dict_init (&dict, NULL);
      g_variant_dict_insert (&dict, "destination", "s", sub);
      transfer = ferry_test_daemon_add_from (f->daemon, f->server, server_path,
                                             g_variant_dict_end (&dict));
      g_assert_true (ferry_test_wait_state (transfer, "completed", 60000));

      g_assert_cmpint (g_rename (sub, moved), ==, 0);
      g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);

      path = g_dbus_proxy_get_object_path (G_DBUS_PROXY (transfer));
      g_assert_false (remove_as_new_caller (f, path, TRUE, &error));
      g_assert_nonnull (error);
      g_test_message ("Remove answered: %s", error->message);
      g_assert_nonnull (strstr (error->message, "was replaced since the download was added"));
      g_assert_cmpuint (count_transfers (f), ==, before + 1);

      /* The file Ferry made is where the user moved it, whole. */
      got = ferry_test_sha256_file (kept);
      want = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, content);
      g_assert_cmpstr (got, ==, want);

      /* Without delete_data the transfer goes, and the file stays. */
      g_clear_error (&error);
      g_assert_true (remove_as_new_caller (f, path, FALSE, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (count_transfers (f), ==, before);
      g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));

      /* The next round starts from the new folder, which is now the one of that name. */
      g_assert_cmpint (g_rmdir (sub), ==, 0);
      g_assert_cmpint (g_rename (moved, sub), ==, 0);
    }
}

/* -- Transfers stored before pinning ------------------------------------------------- */

/* Runs @sql on the store of the stopped ferryd, with Debian's Python (sqlite3 module). */
static void
edit_store (const char *sql)
{
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR, "ferry.db",
                                          NULL);
  const char *argv[] = {
    "/usr/bin/python3", "-c",
    "import sqlite3, sys\n"
    "c = sqlite3.connect(sys.argv[1])\n"
    "n = c.execute(sys.argv[2]).rowcount\n"
    "c.commit()\n"
    "sys.exit(0 if n == 1 else 3)\n",
    db, sql, NULL
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                               &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("Could not edit the store (%s): %s", sql, err);
}

static guint64
id_of (FerryTransfer1 *transfer)
{
  const char *path = g_dbus_proxy_get_object_path (G_DBUS_PROXY (transfer));

  return g_ascii_strtoull (strrchr (path, '/') + 1, NULL, 10);
}

typedef struct
{
  Fixture *f;
  const char *path;
  const char *state;
} StateWait;

/* A property of the transfer at @path, read from ferryd itself rather than a proxy's cache. */
static char *
property_of (Fixture    *f,
             const char *path,
             const char *name)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;

  reply = g_dbus_connection_call_sync (f->daemon->connection, "io.github.ferryhq.Ferry.Daemon",
                                       path, "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", "io.github.ferryhq.Ferry.Transfer1",
                                                      name),
                                       G_VARIANT_TYPE ("(v)"), 0, 30000, NULL, NULL);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(v)", &value);
  return g_variant_dup_string (value, NULL);
}

static gboolean
has_state (gpointer user_data)
{
  StateWait *w = user_data;
  g_autofree char *state = property_of (w->f, w->path, "State");

  return g_strcmp0 (state, w->state) == 0;
}

/* The transfer at @transfer's path, as the restarted ferryd restored it. */
static FerryTransfer1 *
restarted (Fixture        *f,
           FerryTransfer1 *transfer)
{
  g_autofree char *path = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (transfer)));
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL,
                                                          &error));
  g_assert_no_error (error);
  g_object_unref (transfer);
  return ferry_test_daemon_transfer (f->daemon, path);
}

static void
test_unpinned_folder_through_link (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (60 * 1000, 92);
  g_autofree char *base = fresh_dir (f);
  g_autofree char *real = g_build_filename (base, "real", NULL);
  g_autofree char *link = g_build_filename (base, "link", NULL);
  g_autofree char *final = g_build_filename (real, "later.bin", NULL);
  g_autofree char *sql = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, content);
  g_autoptr(GError) error = NULL;
  FerryTransfer1 *transfer;
  StateWait wait;
  GVariantDict dict;

  ferry_test_server_add_file (f->server, "/later.bin", content, "\"l\"");
  g_assert_cmpint (g_mkdir_with_parents (real, 0755), ==, 0);
  g_assert_cmpint (symlink (real, link), ==, 0);

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "destination", "s", real);
  g_variant_dict_insert (&dict, "paused", "b", TRUE);
  transfer = ferry_test_daemon_add_from (f->daemon, f->server, "/later.bin",
                                         g_variant_dict_end (&dict));
  ferry_test_daemon_kill (f->daemon);

  /* As an older Ferry stored it: the folder as given, with a link in it, and no pin. */
  sql = g_strdup_printf ("UPDATE transfers SET directory = '%s', dir_dev = 0, dir_ino = 0 "
                         "WHERE id = %" G_GUINT64_FORMAT, link, id_of (transfer));
  edit_store (sql);

  transfer = restarted (f, transfer);
  g_assert_true (ferry_transfer1_call_resume_sync (transfer, NULL, &error));
  g_assert_no_error (error);
  wait.f = f;
  wait.path = g_dbus_proxy_get_object_path (G_DBUS_PROXY (transfer));
  wait.state = "completed";
  if (!ferry_test_wait_until (has_state, &wait, 30000))
    {
      g_autofree char *state = property_of (f, wait.path, "State");
      g_autofree char *message = property_of (f, wait.path, "Error");

      g_error ("Not completed: %s (%s)", state, message);
    }
  got = ferry_test_sha256_file (final);
  g_assert_cmpstr (got, ==, want);
  g_object_unref (transfer);
}

/* A completed file whose identity an older Ferry did not record: Remove (true) does not
 * delete it, and says why truly (it was neither replaced nor moved). */
static void
test_unrecorded_file_remove (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (40 * 1000, 93);
  g_autofree char *base = fresh_dir (f);
  g_autofree char *final = g_build_filename (base, "old.bin", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  FerryTransfer1 *transfer;
  GVariantDict dict;

  ferry_test_server_add_file (f->server, "/old.bin", content, "\"o\"");
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "destination", "s", base);
  transfer = ferry_test_daemon_add_from (f->daemon, f->server, "/old.bin",
                                         g_variant_dict_end (&dict));
  g_assert_true (ferry_test_wait_state (transfer, "completed", 30000));
  ferry_test_daemon_kill (f->daemon);

  sql = g_strdup_printf ("UPDATE transfers SET file_dev = 0, file_ino = 0 WHERE id = %"
                         G_GUINT64_FORMAT, id_of (transfer));
  edit_store (sql);

  transfer = restarted (f, transfer);
  g_assert_false (ferry_transfer1_call_remove_sync (transfer, TRUE, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("Remove answered: %s", error->message);
  g_assert_null (strstr (error->message, "replaced or moved"));
  g_assert_nonnull (strstr (error->message, "an older version of Ferry"));
  g_assert_true (g_file_test (final, G_FILE_TEST_IS_REGULAR));
  {
    g_autofree char *state = property_of (f, g_dbus_proxy_get_object_path (G_DBUS_PROXY (transfer)),
                                          "State");

    g_assert_cmpstr (state, ==, "completed");
  }
  g_object_unref (transfer);
}

/* -- Cancel, Resume, Cancel while the first attempt still checks its file ------------- */

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
has_part_file (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".part"))
      return TRUE;
  return FALSE;
}

static void
test_cancel_resume_cancel (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) big = ferry_test_make_content (BIG_SIZE, 94);
  g_autoptr(GBytes) small = ferry_test_make_content (30 * 1000, 95);
  g_autofree char *sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, big);
  g_autofree char *small_sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, small);
  g_autofree char *base = fresh_dir (f);
  g_autofree char *small_path = g_build_filename (base, "after.bin", NULL);
  g_autofree char *got = NULL;
  g_autoptr(FerryTransfer1) transfer = NULL;
  g_autoptr(FerryTransfer1) after = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict dict;
  Checking c;

  ferry_test_server_add_file (f->server, "/big.iso", big, "\"big\"");
  ferry_test_server_add_file (f->server, "/after.bin", small, "\"after\"");

  /* A sha256 to check makes the final check of 256 MB last a while. */
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "destination", "s", base);
  g_variant_dict_insert (&dict, "sha256", "s", sha256);
  transfer = ferry_test_daemon_add_from (f->daemon, f->server, "/big.iso",
                                         g_variant_dict_end (&dict));
  c.transfer = transfer;
  c.total = BIG_SIZE;
  g_assert_true (ferry_test_wait_until (is_checking, &c, 120000));

  g_assert_true (ferry_transfer1_call_cancel_sync (transfer, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ferry_transfer1_call_resume_sync (transfer, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ferry_transfer1_call_cancel_sync (transfer, NULL, &error));
  g_assert_no_error (error);

  /* The part file goes once the attempt has let go of it: still there, the three calls all
   * reached the attempt while it checked. */
  if (!has_part_file (base))
    {
      g_test_skip ("The check ended before Cancel, Resume and Cancel were all sent");
      return;
    }

  /* Once the check has ended: nothing runs, and the count says so, not 2³² − 1. */
  g_assert_true (ferry_test_wait_state (transfer, "canceled", 30000));
  g_assert_true (ferry_test_wait_until (nothing_running, f->daemon->manager, 120000));

  /* And a new download still gets a slot. */
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "destination", "s", base);
  after = ferry_test_daemon_add_from (f->daemon, f->server, "/after.bin",
                                      g_variant_dict_end (&dict));
  g_assert_true (ferry_test_wait_state (after, "completed", 30000));
  got = ferry_test_sha256_file (small_path);
  g_assert_cmpstr (got, ==, small_sha);
  g_assert_true (ferry_test_wait_until (nothing_running, f->daemon->manager, 30000));
}

/* The listed paths, in the order ferryd gives them. */
static GStrv
listed (Fixture *f)
{
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL,
                                                          &error));
  g_assert_no_error (error);
  return g_steal_pointer (&paths);
}

/* The Ids of every page of GetTransfersPage, @limit at a time, as object paths. */
static GStrv
paged (Fixture *f,
       guint    limit)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint64 after = 0;

  for (;;)
    {
      g_autoptr(GVariant) page = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariantIter) iter = NULL;
      const char *path;
      guint64 next;

      g_assert_true (ferry_manager1_call_get_transfers_page_sync (f->daemon->manager, "", after,
                                                                  limit, &page, &next, NULL,
                                                                  &error));
      g_assert_no_error (error);
      iter = g_variant_iter_new (page);
      while (g_variant_iter_next (iter, "(&o@t@s@s@s@s@s@s@as@t@t@t@x@x@x@x@u@s@b@b)", &path,
                                  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL))
        g_strv_builder_add (builder, path);
      if (next == 0)
        break;
      after = next;
    }
  return g_strv_builder_end (builder);
}

static gboolean
has_priority_5 (gpointer user_data)
{
  return ferry_transfer1_get_priority (user_data) == 5;
}

/* Transfers restored from the store (read once, when it is opened) are listed in the order
 * they were added, whatever was removed or added since; each can still be resumed, updated
 * (its change announced) and removed, and a removed one answers as one that never was. */
static void
test_restored_in_order (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (30 * 1000, 17);
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  g_auto(GStrv) pages = NULL;
  g_autoptr(FerryTransfer1) resumed = NULL;
  g_autoptr(FerryTransfer1) updated = NULL;
  g_autoptr(FerryTransfer1) removed = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *newest = NULL;
  g_autofree char *want_list = NULL;
  StateWait wait;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("/restored-%u.bin", i);
      g_autoptr(FerryTransfer1) t = NULL;
      GVariantDict dict;

      ferry_test_server_add_file (f->server, name, content, "\"r\"");
      g_variant_dict_init (&dict, NULL);
      g_variant_dict_insert (&dict, "paused", "b", TRUE);
      t = ferry_test_daemon_add_from (f->daemon, f->server, name, g_variant_dict_end (&dict));
      g_ptr_array_add (added, g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (t))));
    }
  ferry_test_daemon_kill (f->daemon);

  /* Restored: the same paths, oldest first. */
  g_ptr_array_add (added, NULL);
  paths = listed (f);
  g_assert_true (g_strv_equal ((const char *const *) paths,
                               (const char *const *) added->pdata));
  g_ptr_array_remove_index (added, added->len - 1);

  /* One removed from the middle. */
  removed = ferry_test_daemon_transfer (f->daemon, g_ptr_array_index (added, 2));
  g_assert_true (ferry_transfer1_call_remove_sync (removed, FALSE, NULL, &error));
  g_assert_no_error (error);
  gone = g_strdup (g_ptr_array_index (added, 2));
  g_ptr_array_remove_index (added, 2);

  /* One resumed to its end, one updated: its change is announced. */
  resumed = ferry_test_daemon_transfer (f->daemon, g_ptr_array_index (added, 1));
  g_assert_true (ferry_transfer1_call_resume_sync (resumed, NULL, &error));
  g_assert_no_error (error);
  wait.f = f;
  wait.path = g_ptr_array_index (added, 1);
  wait.state = "completed";
  g_assert_true (ferry_test_wait_until (has_state, &wait, 30000));

  updated = ferry_test_daemon_transfer (f->daemon, g_ptr_array_index (added, 2));
  {
    GVariantDict dict;

    g_variant_dict_init (&dict, NULL);
    g_variant_dict_insert (&dict, "priority", "i", 5);
    g_assert_true (ferry_transfer1_call_update_sync (updated, g_variant_dict_end (&dict), NULL,
                                                     &error));
    g_assert_no_error (error);
  }
  g_assert_true (ferry_test_wait_until (has_priority_5, updated, 30000));

  /* A new one comes last. */
  {
    g_autoptr(FerryTransfer1) t = NULL;
    GVariantDict dict;

    g_variant_dict_init (&dict, NULL);
    g_variant_dict_insert (&dict, "paused", "b", TRUE);
    t = ferry_test_daemon_add_from (f->daemon, f->server, "/restored-0.bin",
                                    g_variant_dict_end (&dict));
    newest = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (t)));
    g_ptr_array_add (added, g_strdup (newest));
  }
  g_ptr_array_add (added, NULL);
  want_list = g_strjoinv (" ", (char **) added->pdata);

  g_clear_pointer (&paths, g_strfreev);
  paths = listed (f);
  {
    g_autofree char *got = g_strjoinv (" ", paths);

    g_assert_cmpstr (got, ==, want_list);
  }
  pages = paged (f, 2);
  {
    g_autofree char *got = g_strjoinv (" ", pages);

    g_assert_cmpstr (got, ==, want_list);
  }

  /* The removed one answers as an id that never existed. */
  g_assert_null (property_of (f, gone, "State"));

  /* And all of it is so after another restart. */
  ferry_test_daemon_kill (f->daemon);
  g_clear_pointer (&paths, g_strfreev);
  paths = listed (f);
  {
    g_autofree char *got = g_strjoinv (" ", paths);
    g_autofree char *state = property_of (f, g_ptr_array_index (added, 1), "State");
    g_autoptr(FerryTransfer1) again = ferry_test_daemon_transfer (f->daemon,
                                                                 g_ptr_array_index (added, 2));

    g_assert_cmpstr (got, ==, want_list);
    g_assert_cmpstr (state, ==, "completed");
    g_assert_cmpint (ferry_transfer1_get_priority (again), ==, 5);
  }
  g_assert_null (property_of (f, gone, "State"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/lifecycle/remove-folder-replaced-by-folder", Fixture, NULL, fixture_setup,
              test_remove_folder_replaced_by_folder, fixture_teardown);

  g_test_add ("/lifecycle/unpinned-folder-through-link", Fixture, NULL, fixture_setup,
              test_unpinned_folder_through_link, fixture_teardown);
  g_test_add ("/lifecycle/unrecorded-file-remove", Fixture, NULL, fixture_setup,
              test_unrecorded_file_remove, fixture_teardown);

  g_test_add ("/lifecycle/cancel-resume-cancel", Fixture, NULL, fixture_setup,
              test_cancel_resume_cancel, fixture_teardown);

  g_test_add ("/lifecycle/restored-in-order", Fixture, NULL, fixture_setup,
              test_restored_in_order, fixture_teardown);

  return g_test_run ();
}
