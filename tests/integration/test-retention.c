/* test-retention.c: finished transfers leave the store after the keep-finished-days setting,
 * unless their session holds them (they have an identifier); the rest stays
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ferry-test-daemon.h"

typedef struct
{
  FerryTestDaemon *daemon;
} Fixture;

/* @data: settings lines for ferryd, or NULL. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  if (data != NULL)
    ferry_test_write_settings (data);
  f->daemon = ferry_test_daemon_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
}

/* Stops ferryd and writes, behind its back, transfers as months of use would leave them:
 * (identifier, state, days since finished; -1: not finished). */
static void
write_history (Fixture *f)
{
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), "ferry", "ferry.db", NULL);
  const char *script =
    "import sqlite3, sys, time\n"
    "db = sqlite3.connect(sys.argv[1])\n"
    "now = int(time.time())\n"
    "rows = [('old-anonymous', '', 4, 100), ('old-named', 'photos-2026', 4, 100),\n"
    "        ('old-failed', '', 6, 200), ('recent', '', 4, 10), ('old-paused', '', 3, -1)]\n"
    "for name, ident, state, days in rows:\n"
    "    finished = now - days * 86400 if days >= 0 else 0\n"
    "    db.execute('INSERT INTO transfers (kind, uri, directory, session, identifier, state,'\n"
    "               ' created_at, finished_at) VALUES (0, ?, ?, ?, ?, ?, ?, ?)',\n"
    "               ('https://example.org/' + name, sys.argv[2], 'org.example.App', ident,\n"
    "                state, now - 400 * 86400, finished))\n"
    "db.commit()\n";
  const char *argv[] = { "/usr/bin/python3", "-c", script, db, f->daemon->download_dir, NULL };
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  ferry_test_daemon_kill (f->daemon);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* The names (the last segment of each listed transfer's Uri), sorted, joined by commas. */
static char *
listed_names (Fixture *f)
{
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(FerryTransfer1) t = ferry_test_daemon_transfer (f->daemon, paths[i]);
      const char *uri = ferry_transfer1_get_uri (t);

      g_assert_nonnull (uri);
      g_ptr_array_add (names, g_strdup (strrchr (uri, '/') + 1));
    }
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

static void
test_default_90_days (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *names = NULL;

  write_history (f);
  names = listed_names (f);
  g_assert_cmpstr (names, ==, "old-named,old-paused,recent");
}

static void
test_shorter (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *names = NULL;

  write_history (f);
  names = listed_names (f);
  g_assert_cmpstr (names, ==, "old-named,old-paused");
}

static void
test_keep_all (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *names = NULL;

  write_history (f);
  names = listed_names (f);
  g_assert_cmpstr (names, ==, "old-anonymous,old-failed,old-named,old-paused,recent");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/retention/default-90-days", Fixture, NULL, fixture_setup, test_default_90_days,
              fixture_teardown);
  g_test_add ("/retention/shorter", Fixture, "keep-finished-days=5\n", fixture_setup,
              test_shorter, fixture_teardown);
  g_test_add ("/retention/keep-all", Fixture, "keep-finished-days=0\n", fixture_setup,
              test_keep_all, fixture_teardown);

  return g_test_run ();
}
