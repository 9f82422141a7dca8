/* ferry-test-gui.c: the real app under Xvfb against the real ferryd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-test-gui"

#include "config.h"

#include <string.h>

#include <gdk/x11/gdkx.h>

#include "ferry-client.h"
#include "ferry-test-gui.h"

/* -- The fixture ------------------------------------------------------------------------ */

/* The first page of a long list (test-first-frame's), under the sanitizers too. */
#define CLIENT_WAIT 60000

static gboolean
has_notification_server (gpointer user_data)
{
  FerryTestGui *gui = user_data;

  return ferry_test_name_has_owner (gui->daemon->connection, "org.freedesktop.Notifications");
}

/* python3-dbusmock's notification server on the test bus: the app tells of finished
 * transfers when its window is not focused, and the server records every Notify call. */
static void
start_notification_server (FerryTestGui *gui)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);

  g_subprocess_launcher_set_child_setup (launcher, ferry_test_die_with_parent, NULL, NULL);
  gui->notifications = g_subprocess_launcher_spawn (launcher, &error, "/usr/bin/python3", "-m",
                                                    "dbusmock", "--template",
                                                    "notification_daemon", NULL);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_until (has_notification_server, gui, FERRY_TEST_GUI_WAIT));
}

static gboolean
client_ready (gpointer user_data)
{
  return ferry_client_is_ready (user_data);
}

static gboolean
widget_mapped (gpointer user_data)
{
  return gtk_widget_get_mapped (user_data);
}

gboolean
ferry_test_gui_setup (FerryTestGui      *gui,
                      FerryTestGuiFlags  flags)
{
  if (flags & FERRY_TEST_GUI_MOCK_SYSTEM)
    {
      /* Before ferryd's bus, whose environment ferryd and the app inherit. */
      gui->system = ferry_test_system_new ();
      if (gui->system == NULL)
        {
          g_test_skip ("python3-dbusmock is not installed");
          return FALSE;
        }
    }
  gui->server = ferry_test_server_new ();
  if (flags & FERRY_TEST_GUI_UPLOADS)
    gui->uploads = ferry_test_upload_server_new (9);
  gui->daemon = ferry_test_daemon_new ();
  /* A registered GApplication keeps its bus connection for good. */
  gui->daemon->stop_only = TRUE;
  start_notification_server (gui);
  ferry_test_gui_open_app (gui, flags);
  return TRUE;
}

void
ferry_test_gui_open_app (FerryTestGui      *gui,
                         FerryTestGuiFlags  flags)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (gui->daemon);
  gui->app = ferry_application_new ();
  g_application_register (G_APPLICATION (gui->app), NULL, &error);
  g_assert_no_error (error);
  if (flags & FERRY_TEST_GUI_NO_WINDOW)
    {
      g_assert_true (ferry_test_wait_until (client_ready, ferry_application_get_client (gui->app),
                                            CLIENT_WAIT));
      return;
    }
  g_application_activate (G_APPLICATION (gui->app));
  gui->window = FERRY_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (gui->app)));
  g_assert_nonnull (gui->window);
  /* The isolated test directories hide the system's icon themes: show them to GTK. */
  gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                  "/usr/share/icons");
  if (flags & FERRY_TEST_GUI_UNREAD)
    return;
  g_assert_true (ferry_test_wait_until (client_ready, ferry_application_get_client (gui->app),
                                        CLIENT_WAIT));
  g_assert_true (ferry_test_wait_until (widget_mapped, gui->window, FERRY_TEST_GUI_WAIT));
}

void
ferry_test_gui_teardown (FerryTestGui *gui)
{
  if (gui->window != NULL)
    gtk_window_destroy (GTK_WINDOW (gui->window));
  gui->window = NULL;
  g_clear_object (&gui->app);
  if (gui->notifications != NULL)
    g_subprocess_force_exit (gui->notifications);
  g_clear_object (&gui->notifications);
  g_clear_pointer (&gui->daemon, ferry_test_daemon_free);
  g_clear_pointer (&gui->server, ferry_test_server_free);
  g_clear_pointer (&gui->uploads, ferry_test_upload_server_free);
  g_clear_pointer (&gui->system, ferry_test_system_free);
}

/* -- Frames and pictures ---------------------------------------------------------------- */

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
two_frames (gpointer user_data)
{
  return *(guint *) user_data >= 2;
}

static gboolean
has_size (gpointer user_data)
{
  return gtk_widget_get_mapped (user_data) && gtk_widget_get_width (user_data) > 0;
}

/* What a frame drew of @widget, at its size then: frames until one draws something. */
static GskRenderNode *
wait_drawing_frame (GtkWidget *widget,
                    int       *width,
                    int       *height)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GskRenderNode *node = NULL;

  g_assert_true (ferry_test_wait_until (has_size, widget, FERRY_TEST_GUI_WAIT));
  for (guint attempts = 0; node == NULL && attempts < 600; attempts++)
    {
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
      guint frames = 0;
      guint tick;

      tick = gtk_widget_add_tick_callback (widget, count_frame, &frames, NULL);
      gtk_widget_queue_draw (widget);
      g_assert_true (ferry_test_wait_until (two_frames, &frames, FERRY_TEST_GUI_WAIT));
      gtk_widget_remove_tick_callback (widget, tick);

      *width = gtk_widget_get_width (widget);
      *height = gtk_widget_get_height (widget);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), *width, *height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);
  return node;
}

void
ferry_test_gui_wait_drawn (GtkWidget *widget)
{
  g_autoptr(GskRenderNode) node = NULL;
  int width, height;

  node = wait_drawing_frame (widget, &width, &height);
}

static gboolean
same_picture (GdkTexture *a,
              GdkTexture *b)
{
  int width, height;
  gsize stride, size;
  g_autofree guchar *pixels_a = NULL;
  g_autofree guchar *pixels_b = NULL;

  if (a == NULL || b == NULL)
    return FALSE;
  width = gdk_texture_get_width (a);
  height = gdk_texture_get_height (a);
  if (width != gdk_texture_get_width (b) || height != gdk_texture_get_height (b))
    return FALSE;
  stride = (gsize) width * 4;
  size = stride * (gsize) height;
  pixels_a = g_malloc (size);
  pixels_b = g_malloc (size);
  gdk_texture_download (a, pixels_a, stride);
  gdk_texture_download (b, pixels_b, stride);
  return memcmp (pixels_a, pixels_b, size) == 0;
}

void
ferry_test_gui_screenshot (GtkWidget  *widget,
                           const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "screenshots", NULL);
  g_autofree char *file = g_strdup_printf ("%s.png", name);
  g_autofree char *png = g_build_filename (dir, file, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  gboolean steady = FALSE;
  int width = 0, height = 0;

  /* Until two drawing frames in a row make the same picture: what was animating (a toast
   * sliding in, another fading out, a dialog appearing) has ended. A picture that never
   * holds still is taken as the last of those frames drew it. */
  for (guint attempts = 0; !steady && attempts < 300; attempts++)
    {
      g_autoptr(GskRenderNode) node = wait_drawing_frame (widget, &width, &height);
      g_autoptr(GdkTexture) previous = g_steal_pointer (&texture);

      texture = gsk_renderer_render_texture (renderer, node,
                                             &GRAPHENE_RECT_INIT (0, 0, width, height));
      steady = same_picture (previous, texture);
    }
  if (!steady)
    g_test_message ("%s: the picture was still changing", name);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, png));
  g_test_message ("Screenshot: %s (%dx%d)", png, width, height);
}

/* -- Real input ------------------------------------------------------------------------- */

gulong
ferry_test_gui_xid (GtkWidget *widget)
{
  return gdk_x11_surface_get_xid (gtk_native_get_surface (gtk_widget_get_native (widget)));
}

void
ferry_test_gui_xdotool (const char *command)
{
  g_autofree char *line = g_strdup_printf ("xdotool %s", command);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_test_message ("%s", line);
  g_assert_true (g_spawn_command_line_sync (line, NULL, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
}

/* The keyboard's X focus to the window @widget is in, once it is drawn. */
static void
focus_window (GtkWidget *widget)
{
  g_autofree char *focus = NULL;

  ferry_test_gui_wait_drawn (widget);
  focus = g_strdup_printf ("windowfocus %lu", ferry_test_gui_xid (widget));
  ferry_test_gui_xdotool (focus);
}

void
ferry_test_gui_press_keys (GtkWidget  *widget,
                           const char *keys)
{
  g_autofree char *key = g_strdup_printf ("key --clearmodifiers %s", keys);

  focus_window (widget);
  ferry_test_gui_xdotool (key);
}

void
ferry_test_gui_type_keys (GtkWidget  *widget,
                          const char *text)
{
  g_autofree char *type = g_strdup_printf ("type --clearmodifiers --delay 40 '%s'", text);

  focus_window (widget);
  ferry_test_gui_xdotool (type);
}

static void
click_button (GtkWidget *widget,
              int        button)
{
  GtkNative *native = gtk_widget_get_native (widget);
  gulong xid = ferry_test_gui_xid (widget);
  graphene_point_t point;
  g_autofree char *command = NULL;
  double dx, dy;

  ferry_test_gui_wait_drawn (widget);
  g_assert_true (gtk_widget_compute_point (
    widget, GTK_WIDGET (native),
    &GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2, gtk_widget_get_height (widget) / 2),
    &point));
  /* The surface has the window's shadow around it. */
  gtk_native_get_surface_transform (native, &dx, &dy);
  /* Without a window manager, a newer window may lie under an older one. */
  command = g_strdup_printf ("windowraise %lu mousemove --window %lu %d %d click %d", xid, xid,
                             (int) (point.x + dx), (int) (point.y + dy), button);
  ferry_test_gui_xdotool (command);
}

void
ferry_test_gui_click (GtkWidget *widget)
{
  click_button (widget, 1);
}

void
ferry_test_gui_right_click (GtkWidget *widget)
{
  click_button (widget, 3);
}

/* -- Windows and widgets ---------------------------------------------------------------- */

GtkWindow *
ferry_test_gui_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

typedef struct
{
  GType type;
  GtkWindow *found;
} ToplevelWait;

static gboolean
toplevel_shown (gpointer user_data)
{
  ToplevelWait *w = user_data;

  w->found = ferry_test_gui_find_toplevel (w->type);
  return w->found != NULL && gtk_widget_get_mapped (GTK_WIDGET (w->found));
}

GtkWindow *
ferry_test_gui_wait_toplevel (GType type)
{
  ToplevelWait w = { type, NULL };

  g_assert_true (ferry_test_wait_until (toplevel_shown, &w, FERRY_TEST_GUI_WAIT));
  return w.found;
}

GtkWidget *
ferry_test_gui_find_descendant (GtkWidget *widget,
                                GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ferry_test_gui_find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* -- Transfers and their rows ----------------------------------------------------------- */

guint64
ferry_test_gui_add_download (FerryTestGui *gui,
                             const char   *path,
                             gboolean      paused)
{
  return ferry_test_gui_add_download_on (gui, path, paused, 0);
}

guint64
ferry_test_gui_add_download_on (FerryTestGui *gui,
                                const char   *path,
                                gboolean      paused,
                                guint         connections)
{
  g_autofree char *uri = ferry_test_server_uri (gui->server, path);
  g_autofree char *object_path = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict options;

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "destination", "s", gui->daemon->download_dir);
  if (paused)
    g_variant_dict_insert (&options, "paused", "b", TRUE);
  if (connections > 0)
    g_variant_dict_insert (&options, "connections", "u", connections);
  object_path = ferry_test_daemon_add (gui->daemon, uri, g_variant_dict_end (&options), &error);
  g_assert_no_error (error);
  return g_ascii_strtoull (strrchr (object_path, '/') + 1, NULL, 10);
}

FerryTransfer1 *
ferry_test_gui_transfer (FerryTestGui *gui,
                         guint64       id)
{
  g_autofree char *path = g_strdup_printf (FERRY_DAEMON_PATH "/transfers/%" G_GUINT64_FORMAT,
                                           id);

  return ferry_test_daemon_transfer (gui->daemon, path);
}

guint
ferry_test_gui_n_listed (FerryTestGui *gui)
{
  g_auto(GStrv) paths = ferry_test_daemon_list (gui->daemon, "");

  return g_strv_length (paths);
}

gboolean
ferry_test_gui_listed_at_least (gpointer count)
{
  FerryTestGuiCount *w = count;

  return ferry_test_gui_n_listed (w->gui) >= w->n;
}

gboolean
ferry_test_gui_listed_fewer (gpointer count)
{
  FerryTestGuiCount *w = count;

  return ferry_test_gui_n_listed (w->gui) < w->n;
}

static const char *
status_of (GtkWidget *row)
{
  return row ? ferry_transfer_row_get_status_text (FERRY_TRANSFER_ROW (row)) : NULL;
}

gboolean
ferry_test_gui_row_says (gpointer row)
{
  FerryTestGuiRow *w = row;
  const char *status = status_of (ferry_window_find_row (w->gui->window, w->id));

  return status != NULL && g_str_has_prefix (status, w->prefix);
}

gboolean
ferry_test_gui_row_gone (gpointer row)
{
  FerryTestGuiRow *w = row;

  return ferry_window_find_row (w->gui->window, w->id) == NULL;
}

gboolean
ferry_test_gui_wait_row_within (FerryTestGui *gui,
                                guint64       id,
                                const char   *prefix,
                                guint         timeout_ms)
{
  FerryTestGuiRow w = { gui, id, prefix };
  const char *status;

  if (ferry_test_wait_until (ferry_test_gui_row_says, &w, timeout_ms))
    return TRUE;
  status = status_of (ferry_window_find_row (gui->window, id));
  g_test_message ("Row %" G_GUINT64_FORMAT " says “%s”, not “%s…”", id,
                  status ? status : "(no row)", prefix);
  return FALSE;
}

FerryTransferRow *
ferry_test_gui_wait_row (FerryTestGui *gui,
                         guint64       id,
                         const char   *prefix)
{
  g_assert_true (ferry_test_gui_wait_row_within (gui, id, prefix, FERRY_TEST_GUI_WAIT));
  return FERRY_TRANSFER_ROW (ferry_window_find_row (gui->window, id));
}
