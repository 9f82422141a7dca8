/* test-window.c: the real app window under Xvfb, against the real ferryd on a private bus
 *
 * What a person would notice: a row appears and says "Completed"; the row's Pause and Resume
 * buttons change the state on D-Bus; and screenshots, light and dark, busy, empty and narrow,
 * are written to the build directory for someone to look at.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ferry-application.h"
#include "ferry-test-daemon.h"
#include "ferry-test-server.h"
#include "ferry-transfer-row.h"
#include "ferry-window.h"

#define MiB (1024 * 1024)

typedef struct
{
  FerryTestServer *server;
  FerryTestDaemon *daemon;
  FerryApplication *app;
  FerryWindow *window;
} Fixture;

static gboolean
client_ready (gpointer user_data)
{
  return ferry_client_is_ready (user_data);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = ferry_test_server_new ();
  f->daemon = ferry_test_daemon_new ();
  f->daemon->stop_only = TRUE;

  f->app = ferry_application_new ();
  g_application_register (G_APPLICATION (f->app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (f->app));
  f->window = FERRY_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_nonnull (f->window);
  /* The isolated test directories hide the system's icon themes: show them to GTK. */
  gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                  "/usr/share/icons");
  g_assert_true (ferry_test_wait_until (client_ready, ferry_application_get_client (f->app),
                                        10000));
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
  g_clear_pointer (&f->server, ferry_test_server_free);
}

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
enough_frames (gpointer user_data)
{
  return *(guint *) user_data >= 3;
}

/* Renders the window as it is drawn now into BUILDDIR/screenshots/NAME.png. */
static void
screenshot (Fixture    *f,
            const char *name)
{
  GtkWidget *widget = GTK_WIDGET (f->window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "screenshots", NULL);
  g_autofree char *path = NULL;
  int width, height;
  guint frames = 0;
  guint tick;

  /* Let animations and layout settle, then take what the last frames drew. */
  ferry_test_sleep (400);
  gtk_widget_queue_draw (widget);
  tick = gtk_widget_add_tick_callback (widget, count_frame, &frames, NULL);
  g_assert_true (ferry_test_wait_until (enough_frames, &frames, 5000));
  gtk_widget_remove_tick_callback (widget, tick);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s (%dx%d)", path, width, height);
}

typedef struct
{
  Fixture *f;
  guint64 id;
  const char *prefix;
} RowWait;

static gboolean
row_says (gpointer user_data)
{
  RowWait *w = user_data;
  GtkWidget *row = ferry_window_find_row (w->f->window, w->id);

  return row != NULL &&
         g_str_has_prefix (ferry_transfer_row_get_status_text (FERRY_TRANSFER_ROW (row)),
                           w->prefix);
}

static gboolean
wait_row (Fixture    *f,
          guint64     id,
          const char *prefix,
          guint       timeout_ms)
{
  RowWait w = { f, id, prefix };
  gboolean ok = ferry_test_wait_until (row_says, &w, timeout_ms);

  if (!ok)
    {
      GtkWidget *row = ferry_window_find_row (f->window, id);

      g_test_message ("Row %" G_GUINT64_FORMAT " says “%s”, not “%s…”", id,
                      row ? ferry_transfer_row_get_status_text (FERRY_TRANSFER_ROW (row)) : "(none)",
                      prefix);
    }
  return ok;
}

/* Adds through the app's own action, the one the add dialog and drops use. */
static guint64
add_via_app (Fixture    *f,
             const char *path)
{
  g_autofree char *uri = ferry_test_server_uri (f->server, path);
  const char *uris[] = { uri, NULL };
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;
  guint before;
  GVariantDict options;

  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  before = g_strv_length (paths);

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "destination", "s", f->daemon->download_dir);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "add",
                                  g_variant_new ("(^as@a{sv})", uris,
                                                 g_variant_dict_end (&options)));

  for (gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       g_get_monotonic_time () < end;)
    {
      g_clear_pointer (&paths, g_strfreev);
      ferry_test_sleep (50);
      ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
      g_assert_no_error (error);
      if (g_strv_length (paths) > before)
        return g_ascii_strtoull (strrchr (paths[before], '/') + 1, NULL, 10);
    }

  g_assert_not_reached ();
}

static void
test_add_pause_resume (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) small = ferry_test_make_content (1500000, 61);
  g_autoptr(GBytes) big = ferry_test_make_content (12 * MiB, 62);
  g_autoptr(GBytes) other = ferry_test_make_content (9 * MiB, 63);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autofree char *path = NULL;
  GtkWidget *row;
  guint64 done_id, live_id, other_id;

  gtk_window_set_default_size (GTK_WINDOW (f->window), 760, 560);
  screenshot (f, "empty");

  ferry_test_server_add_file (f->server, "/ubuntu-24.04-desktop-amd64.iso", small, "\"u\"");
  ferry_test_server_add_file (f->server, "/fedora-workstation.iso", big, "\"f\"");
  ferry_test_server_add_file (f->server, "/debian-12-netinst.iso", other, "\"d\"");
  ferry_test_server_set_throttle (f->server, "/fedora-workstation.iso", MiB);
  ferry_test_server_set_throttle (f->server, "/debian-12-netinst.iso", 3 * MiB / 2);

  /* A download added from the app completes, and its row says so. */
  done_id = add_via_app (f, "/ubuntu-24.04-desktop-amd64.iso");
  g_assert_true (wait_row (f, done_id, "Completed", 10000));

  /* A running one: its row's Pause button pauses it on the service. */
  live_id = add_via_app (f, "/fedora-workstation.iso");
  other_id = add_via_app (f, "/debian-12-netinst.iso");
  path = g_strdup_printf ("/io/github/ferryhq/Ferry/Daemon/transfers/%" G_GUINT64_FORMAT, live_id);
  t = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_true (ferry_test_wait_bytes (t, MiB, 10000));
  g_assert_true (wait_row (f, live_id, "", 1000));
  row = ferry_window_find_row (f->window, live_id);
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_visible (ferry_transfer_row_get_button (FERRY_TRANSFER_ROW (row),
                                                                        "pause")));
  screenshot (f, "busy-light");

  gtk_widget_activate (ferry_transfer_row_get_button (FERRY_TRANSFER_ROW (row), "pause"));
  g_assert_true (ferry_test_wait_state (t, "paused", 5000));
  g_assert_true (wait_row (f, live_id, "Paused", 5000));

  /* …and its Resume button lets it go on, to the end. */
  row = ferry_window_find_row (f->window, live_id);
  g_assert_true (gtk_widget_get_visible (ferry_transfer_row_get_button (FERRY_TRANSFER_ROW (row),
                                                                        "resume")));
  gtk_widget_activate (ferry_transfer_row_get_button (FERRY_TRANSFER_ROW (row), "resume"));
  g_assert_true (ferry_test_wait_state (t, "running", 5000));
  g_assert_true (wait_row (f, other_id, "", 1000));

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  screenshot (f, "busy-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 600);
  screenshot (f, "narrow");

  ferry_test_server_set_throttle (f->server, "/fedora-workstation.iso", 0);
  g_assert_true (ferry_test_wait_state (t, "completed", 20000));
  g_assert_true (wait_row (f, live_id, "Completed", 5000));
  {
    g_autofree char *want = ferry_test_sha256_bytes (big);
    g_autofree char *got = ferry_test_sha256_file (ferry_transfer1_get_destination (t));

    g_assert_cmpstr (got, ==, want);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..1\nok 1 /gui/add-pause-resume # SKIP no display (needs xvfb-run)\n");
      return 0;
    }

  g_test_add ("/gui/add-pause-resume", Fixture, NULL, fixture_setup, test_add_pause_resume,
              fixture_teardown);

  return g_test_run ();
}
