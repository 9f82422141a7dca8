/* test-first-frame.c: the app's window over a list longer than one page of the service's
 * listing, under Xvfb against the real ferryd on a private bus
 *
 * The window's first frame shows the newest rows and the rest follow it: once drawn, the
 * list holds every transfer, newest first, and the newest has its row on screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>

#include "ferry-application.h"
#include "ferry-client.h"
#include "ferry-test-daemon.h"
#include "ferry-window.h"

/* More than GetTransfersPage's 5,000: the list comes in two pages. */
#define COUNT 7000

typedef struct
{
  FerryTestDaemon *daemon;
  FerryApplication *app;
  FerryWindow *window;
} Fixture;

/* Paused downloads written into ferryd's store while it is not running, as that many
 * AddDownload calls would leave it. */
static void
fill_store (Fixture *f,
            guint    count)
{
  g_autofree char *db_path = g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR,
                                               "ferry.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *insert = NULL;

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO transfers (kind, uri, directory, "
                                       "session, identifier, state, created_at) "
                                       "VALUES (0, ?, ?, 'org.example.Mirror', ?, 3, ?)", -1,
                                       &insert, NULL),
                   ==, SQLITE_OK);
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *uri = g_strdup_printf ("https://mirror.example.org/file-%05u.tar.xz", i);
      g_autofree char *identifier = g_strdup_printf ("id-%u", i);

      sqlite3_bind_text (insert, 1, uri, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 2, f->daemon->download_dir, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 3, identifier, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (insert, 4, g_get_real_time () / G_USEC_PER_SEC);
      g_assert_cmpint (sqlite3_step (insert), ==, SQLITE_DONE);
      sqlite3_reset (insert);
    }
  sqlite3_finalize (insert);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static gboolean
client_ready (gpointer user_data)
{
  return ferry_client_is_ready (user_data);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;

  f->daemon = ferry_test_daemon_new ();
  f->daemon->stop_only = TRUE;
  /* ferryd makes its store, and goes; the rows go in while it is away. */
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  ferry_test_daemon_kill (f->daemon);
  fill_store (f, COUNT);

  f->app = ferry_application_new ();
  g_application_register (G_APPLICATION (f->app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (f->app));
  f->window = FERRY_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_nonnull (f->window);
  g_assert_true (ferry_test_wait_until (client_ready, ferry_application_get_client (f->app),
                                        60000));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  ferry_test_sleep (100);
  g_clear_object (&f->app);
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
}

static gboolean
all_listed (gpointer user_data)
{
  Fixture *f = user_data;
  GListModel *model = ferry_client_get_transfers (ferry_application_get_client (f->app));

  return g_list_model_get_n_items (model) == COUNT;
}

static gboolean
newest_row_shown (gpointer user_data)
{
  Fixture *f = user_data;
  FerryClient *client = ferry_application_get_client (f->app);
  g_autoptr(FerryTransferItem) newest =
    g_list_model_get_item (ferry_client_get_transfers (client), 0);

  return newest != NULL &&
         ferry_window_find_row (f->window, ferry_transfer_item_get_id (newest)) != NULL;
}

/* Every transfer of a two-page list is listed once the window is up, newest first, without
 * one insertion per transfer of the second page (which took minutes at this size). */
static void
test_long_list (Fixture       *f,
                gconstpointer  data)
{
  FerryClient *client = ferry_application_get_client (f->app);
  GListModel *model = ferry_client_get_transfers (client);
  guint64 previous = G_MAXUINT64;

  g_assert_cmpuint (ferry_client_count_transfers (client), ==, COUNT);
  g_assert_true (ferry_test_wait_until (newest_row_shown, f, 60000));
  g_assert_true (ferry_test_wait_until (all_listed, f, 60000));

  for (guint i = 0; i < COUNT; i++)
    {
      g_autoptr(FerryTransferItem) item = g_list_model_get_item (model, i);

      g_assert_cmpuint (ferry_transfer_item_get_id (item), <, previous);
      previous = ferry_transfer_item_get_id (item);
    }
  {
    g_autoptr(FerryTransferItem) newest = g_list_model_get_item (model, 0);
    g_autoptr(FerryTransferItem) oldest = g_list_model_get_item (model, COUNT - 1);

    g_assert_cmpstr (ferry_transfer_item_get_identifier (newest), ==, "id-6999");
    g_assert_cmpstr (ferry_transfer_item_get_identifier (oldest), ==, "id-0");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..1\nok 1 # SKIP no display (the GUI tests need xvfb-run)\n");
      return 0;
    }

  g_test_add ("/gui/first-frame/long-list", Fixture, NULL, fixture_setup, test_long_list,
              fixture_teardown);

  return g_test_run ();
}
