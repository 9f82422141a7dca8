/* test-first-frame.c: the app's window over a list longer than one page of the service's
 * listing, under Xvfb against the real ferryd on a private bus
 *
 * The window's first frame shows the newest rows and the rest follow it: once drawn, the
 * list holds every transfer, newest first, and the newest has its row on screen. Before
 * the list is read, no page says it is empty.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-application.h"
#include "ferry-client.h"
#include "ferry-test-gui.h"
#include "ferry-window.h"

/* More than GetTransfersPage's 5,000: the list comes in two pages. */
#define COUNT 7000

typedef FerryTestGui Fixture;

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
  ferry_test_daemon_fill_store (f->daemon, COUNT, "org.example.Mirror",
                                "https://mirror.example.org/file-", ".tar.xz");
  ferry_test_gui_open_app (f, FERRY_TEST_GUI_NONE);
}

/* The window over an empty store, made before the service answered. */
static void
fixture_setup_unread (Fixture       *f,
                      gconstpointer  data)
{
  f->daemon = ferry_test_daemon_new ();
  f->daemon->stop_only = TRUE;
  ferry_test_gui_open_app (f, FERRY_TEST_GUI_UNREAD);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  ferry_test_gui_teardown (f);
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

/* The pages' stacks ("list", "empty" or "no-results"), joined by spaces. */
static void
collect_pages (GtkWidget *widget,
               GString   *pages)
{
  if (GTK_IS_STACK (widget) && gtk_stack_get_child_by_name (GTK_STACK (widget), "empty"))
    g_string_append_printf (pages, "%s%s", pages->len > 0 ? " " : "",
                            gtk_stack_get_visible_child_name (GTK_STACK (widget)));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_pages (c, pages);
}

static char *
pages_shown (FerryWindow *window)
{
  GString *pages = g_string_new (NULL);

  collect_pages (GTK_WIDGET (window), pages);
  return g_string_free (pages, FALSE);
}

static gboolean
client_ready (gpointer user_data)
{
  return ferry_client_is_ready (user_data);
}

/* Until the service's list is read, no page says there is nothing ("No Transfers" showed
 * at every start, before the rows); once read, an empty list says so. */
static void
test_before_the_list (Fixture       *f,
                      gconstpointer  data)
{
  FerryClient *client = ferry_application_get_client (f->app);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  /* No answer can have been read: the main loop has not run since the window was made. */
  g_assert_false (ferry_client_is_ready (client));
  before = pages_shown (f->window);
  g_assert_cmpstr (before, ==, "list list list list");

  g_assert_true (ferry_test_wait_until (client_ready, client, 60000));
  after = pages_shown (f->window);
  g_assert_cmpstr (after, ==, "empty empty empty empty");
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
  g_test_add ("/gui/first-frame/before-the-list", Fixture, NULL, fixture_setup_unread,
              test_before_the_list, fixture_teardown);

  return g_test_run ();
}
