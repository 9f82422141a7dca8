/* test-scale.c: 100,000 stored transfers — every listing call is answered and ferryd stays
 * on the bus: what fits in a D-Bus message is sent whole, what would not is refused with a
 * sentence pointing to GetTransfersPage, and the pages hold every transfer once
 *
 * Slow (the store is filled and ferryd reads it): in the "slow" suite only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ferry-test-daemon.h"

#define COUNT 100000

typedef struct
{
  FerryTestDaemon *daemon;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->daemon = ferry_test_daemon_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
}

/* Writes @count paused downloads into ferryd's store, as that many AddDownload calls would
 * leave it (each of which would also sync to disk: not what is tested here). */
static void
fill_store (Fixture *f,
            guint    count)
{
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), "ferry", "ferry.db", NULL);
  g_autofree char *script = g_strdup_printf (
    "import sqlite3, sys, time\n"
    "db = sqlite3.connect(sys.argv[1])\n"
    "now = int(time.time())\n"
    "db.executemany('INSERT INTO transfers (kind, uri, directory, session, identifier, state,"
    " created_at) VALUES (0, ?, ?, ?, ?, %d, ?)',"
    " ((f'https://mirror.example.org/pub/releases/2026/file-{i:06d}.tar.xz', sys.argv[2],"
    " 'org.example.Mirror', f'id-{i}', now) for i in range(%u)))\n"
    "db.commit()\n", 3 /* paused */, count);
  const char *argv[] = { "/usr/bin/python3", "-c", script, db, f->daemon->download_dir, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static GVariant *
call (Fixture    *f,
      const char *interface,
      const char *method,
      GVariant   *parameters,
      GError    **error)
{
  return g_dbus_connection_call_sync (f->daemon->connection, "io.github.ferryhq.Ferry.Daemon",
                                      "/io/github/ferryhq/Ferry/Daemon", interface, method,
                                      parameters, NULL, G_DBUS_CALL_FLAGS_NONE, 120000, NULL,
                                      error);
}

/* A listing either holds every transfer or is refused with LimitsExceeded, naming the paged
 * method: never a dropped connection, never a silent part. */
static void
assert_whole_or_refused (GVariant     *reply,
                         const GError *error,
                         const char   *what)
{
  if (reply == NULL)
    {
      g_test_message ("%s: %s", what, error->message);
      g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED);
      g_assert_nonnull (strstr (error->message, "GetTransfersPage"));
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (g_variant_get_child_value (reply, 0)), ==, COUNT);
}

static void
test_100000 (Fixture       *f,
             gconstpointer  data)
{
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) managed = NULL;
  g_autoptr(GVariant) listed = NULL;
  guint seen = 0;
  guint64 after = 0;
  guint pages = 0;
  GPid pid;
  gint64 t0;

  /* ferryd makes its store, then stops; the store is filled behind its back. */
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&paths, g_strfreev);
  ferry_test_daemon_kill (f->daemon);
  fill_store (f, COUNT);

  t0 = g_get_monotonic_time ();
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("Start to ListTransfers answer: %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - t0) / 1000);
  g_assert_cmpuint (g_strv_length (paths), ==, COUNT);
  pid = ferry_test_daemon_pid (f->daemon);
  g_assert_cmpint (pid, >, 0);

  managed = call (f, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL, &error);
  assert_whole_or_refused (managed, error, "GetManagedObjects");
  g_clear_error (&error);

  listed = call (f, "io.github.ferryhq.Ferry.Manager1", "GetTransfers",
                 g_variant_new ("(s)", ""), &error);
  assert_whole_or_refused (listed, error, "GetTransfers");
  g_clear_error (&error);

  /* Every transfer, once, in order, page by page. */
  for (;;)
    {
      g_autoptr(GVariant) page = call (f, "io.github.ferryhq.Ferry.Manager1", "GetTransfersPage",
                                       g_variant_new ("(stu)", "", after, 0), &error);
      g_autoptr(GVariant) list = NULL;
      guint64 next;

      g_assert_no_error (error);
      g_assert_cmpuint (++pages, <=, COUNT);
      g_variant_get (page, "(@a(otssssssastttxxxxusbb)t)", &list, &next);
      for (gsize i = 0; i < g_variant_n_children (list); i++)
        {
          g_autoptr(GVariant) entry = g_variant_get_child_value (list, i);
          guint64 id;

          /* Ascending Ids: none twice, none skipped over by a page boundary. */
          g_variant_get_child (entry, 1, "t", &id);
          g_assert_cmpuint (id, >, after);
          after = id;
          seen++;
        }
      if (next == 0)
        break;
      g_assert_cmpuint (next, ==, after);
    }
  g_test_message ("%u pages", pages);
  g_assert_cmpuint (seen, ==, COUNT);

  /* A call on one transfer and a read of its properties answer as with a few (GDBus no
   * longer lists all 100,000 before each). */
  {
    g_autoptr(GVariant) state = NULL;
    g_autoptr(GVariant) value = NULL;
    g_autoptr(GVariant) paused = NULL;

    state = g_dbus_connection_call_sync (f->daemon->connection, "io.github.ferryhq.Ferry.Daemon",
                                         paths[COUNT - 1], "org.freedesktop.DBus.Properties", "Get",
                                         g_variant_new ("(ss)", "io.github.ferryhq.Ferry.Transfer1",
                                                        "State"),
                                         G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 120000,
                                         NULL, &error);
    g_assert_no_error (error);
    g_variant_get (state, "(v)", &value);
    g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "paused");
    paused = g_dbus_connection_call_sync (f->daemon->connection, "io.github.ferryhq.Ferry.Daemon",
                                          paths[COUNT / 2], "io.github.ferryhq.Ferry.Transfer1",
                                          "Pause", NULL, NULL, G_DBUS_CALL_FLAGS_NONE, 120000,
                                          NULL, &error);
    g_assert_no_error (error);
  }

  /* The same ferryd is still there and answering: its connection was never dropped. */
  g_clear_pointer (&paths, g_strfreev);
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (paths), ==, COUNT);
  g_assert_cmpint (ferry_test_daemon_pid (f->daemon), ==, pid);

  /* ferryctl list, which asks GetManagedObjects, pages when that is refused: every
   * transfer is listed, the last one too. (It may take long enough for the idle ferryd to
   * exit and be started again: the pid is not compared after this.) */
  {
    const char *argv[] = { g_getenv ("FERRY_CTL"), "list", "--json", NULL };
    g_autoptr(GSubprocess) ctl = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *last = g_strdup_printf ("\"id\": %" G_GUINT64_FORMAT ",", after);
    guint entries = 0;

    g_assert_nonnull (argv[0]);
    ctl = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &error);
    g_assert_no_error (error);
    g_subprocess_communicate_utf8 (ctl, NULL, NULL, &out, &err, &error);
    g_assert_no_error (error);
    if (g_subprocess_get_exit_status (ctl) != 0)
      g_test_message ("ferryctl said: %s", err);
    g_assert_cmpint (g_subprocess_get_exit_status (ctl), ==, 0);
    for (const char *p = out; (p = strstr (p, "\"id\": ")) != NULL; p++)
      entries++;
    g_assert_cmpuint (entries, ==, COUNT);
    g_assert_nonnull (strstr (out, last));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/scale/100000", Fixture, NULL, fixture_setup, test_100000, fixture_teardown);

  return g_test_run ();
}
