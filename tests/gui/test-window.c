/* test-window.c: the real app window under Xvfb, against the real ferryd on a private bus
 *
 * What a person would notice: a row appears and says "Completed"; the row's Pause and Resume
 * buttons change the state on D-Bus; and screenshots, light and dark, busy, empty and narrow,
 * are written to the build directory for someone to look at.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>

#include "ferry-add-dialog.h"
#include "ferry-application.h"
#include "ferry-client.h"
#include "ferry-test-gui.h"
#include "ferry-upload-dialog.h"
#include "ferry-transfer-row.h"
#include "ferry-window.h"

#define MiB (1024 * 1024)

typedef FerryTestGui Fixture;

/* The summaries of the notifications sent so far. */
static GPtrArray *
notification_summaries (Fixture *f)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) calls = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *summaries = g_ptr_array_new_with_free_func (g_free);
  GVariant *args;
  guint64 timestamp;

  reply = g_dbus_connection_call_sync (f->daemon->connection, "org.freedesktop.Notifications",
                                       "/org/freedesktop/Notifications",
                                       "org.freedesktop.DBus.Mock", "GetMethodCalls",
                                       g_variant_new ("(s)", "Notify"), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(a(tav))", &calls);
  while (g_variant_iter_next (calls, "(t@av)", &timestamp, &args))
    {
      g_autoptr(GVariant) summary = g_variant_get_child_value (args, 3);
      g_autoptr(GVariant) inner = g_variant_get_variant (summary);

      g_ptr_array_add (summaries, g_variant_dup_string (inner, NULL));
      g_variant_unref (args);
    }
  return summaries;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  FerryTestGuiFlags flags = FERRY_TEST_GUI_UPLOADS;

  if (data != NULL && g_str_equal (data, "no-window"))
    flags |= FERRY_TEST_GUI_NO_WINDOW;
  ferry_test_gui_setup (f, flags);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  ferry_test_gui_teardown (f);
}

static gboolean
upload_moving (gpointer user_data)
{
  FerryTransferItem *item = user_data;

  return ferry_transfer_item_get_bytes_sent (item) >= MiB &&
         ferry_transfer_item_get_bytes_done (item) == 0;
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

/* "3 active — 2.5 MB/s": two downloads and an upload (fewer, if one ended meanwhile on a
 * slow machine). */
static gboolean
aggregate_shown (gpointer user_data)
{
  const char *text = ferry_window_get_aggregate_text (FERRY_WINDOW (user_data));

  return text != NULL && g_regex_match_simple ("^[1-3] active — [0-9.]+.[kM]?B/s$", text, 0, 0);
}

static void
assert_aggregate (Fixture *f)
{
  const char *text;

  /* The header places it once the new size is laid out, which may take a few frames. */
  ferry_test_wait_until (aggregate_shown, f->window, 10000);
  text = ferry_window_get_aggregate_text (f->window);
  g_test_message ("Aggregate: %s", text ? text : "(none)");
  g_assert_nonnull (text);
  g_assert_true (g_regex_match_simple ("^[1-3] active — [0-9.]+.[kM]?B/s$", text, 0, 0));
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
  ferry_test_gui_screenshot (GTK_WIDGET (f->window), "empty");

  ferry_test_server_add_file (f->server, "/ubuntu-24.04-desktop-amd64.iso", small, "\"u\"");
  ferry_test_server_add_file (f->server, "/fedora-workstation.iso", big, "\"f\"");
  ferry_test_server_add_file (f->server, "/debian-12-netinst.iso", other, "\"d\"");
  ferry_test_server_set_throttle (f->server, "/fedora-workstation.iso", MiB);
  ferry_test_server_set_throttle (f->server, "/debian-12-netinst.iso", 3 * MiB / 2);

  /* A download added from the app completes, and its row says so. */
  done_id = add_via_app (f, "/ubuntu-24.04-desktop-amd64.iso");
  g_assert_true (ferry_test_gui_wait_row_within (f, done_id, "Completed", 10000));

  /* A running one: its row's Pause button pauses it on the service. */
  live_id = add_via_app (f, "/fedora-workstation.iso");
  other_id = add_via_app (f, "/debian-12-netinst.iso");
  path = g_strdup_printf ("/io/github/ferryhq/Ferry/Daemon/transfers/%" G_GUINT64_FORMAT, live_id);
  t = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_true (ferry_test_wait_bytes (t, MiB, 10000));
  g_assert_true (ferry_test_gui_wait_row_within (f, live_id, "", 1000));
  row = ferry_window_find_row (f->window, live_id);
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_visible (ferry_transfer_row_get_button (FERRY_TRANSFER_ROW (row),
                                                                        "pause")));

  /* Another app's transfer shows which app asked for it, by the name it is installed as. */
  {
    g_autofree char *apps = g_build_filename (g_get_user_data_dir (), "applications", NULL);
    g_autofree char *desktop = g_build_filename (apps, "org.gnome.Fractal.desktop", NULL);
    g_autofree char *uri = ferry_test_server_uri (f->server, "/holiday-photos.zip");
    g_autofree char *fractal_path = NULL;
    g_autoptr(GError) error = NULL;
    GVariantDict options;
    FerryTestGuiRow w = { f, 0, "Paused" };

    g_assert_cmpint (g_mkdir_with_parents (apps, 0755), ==, 0);
    g_assert_true (g_file_set_contents (desktop,
                                        "[Desktop Entry]\nType=Application\nName=Fractal\n"
                                        "Exec=true\n", -1, NULL));
    g_variant_dict_init (&options, NULL);
    g_variant_dict_insert (&options, "session", "s", "org.gnome.Fractal");
    g_variant_dict_insert (&options, "paused", "b", TRUE);
    fractal_path = ferry_test_daemon_add (f->daemon, uri, g_variant_dict_end (&options), &error);
    g_assert_no_error (error);
    w.id = g_ascii_strtoull (strrchr (fractal_path, '/') + 1, NULL, 10);
    g_assert_true (ferry_test_wait_until (ferry_test_gui_row_says, &w, 5000));
    g_assert_cmpstr (ferry_transfer_row_get_via_text (
                       FERRY_TRANSFER_ROW (ferry_window_find_row (f->window, w.id))),
                     ==, "via Fractal");
    g_assert_null (ferry_transfer_row_get_via_text (FERRY_TRANSFER_ROW (row)));
  }

  /* A plain upload is acknowledged only at its end: its row moves with what has been sent. */
  {
    g_autoptr(GBytes) video = ferry_test_make_content (6 * MiB, 66);
    g_autofree char *file = g_build_filename (g_get_user_data_dir (), "birthday.mp4", NULL);
    g_autofree char *uri = ferry_test_upload_server_uri (f->uploads, "/plain/birthday.mp4");
    g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
    g_autofree char *upload_path = NULL;
    g_autoptr(GError) error = NULL;
    GVariantDict options;
    FerryTestGuiRow w = { f, 0, "Uploaded " };
    FerryTransferItem *item;
    int fd;

    g_assert_true (g_file_set_contents (file, g_bytes_get_data (video, NULL),
                                        (gssize) g_bytes_get_size (video), NULL));
    fd = open (file, O_RDONLY | O_CLOEXEC);
    g_unix_fd_list_append (fds, fd, NULL);
    close (fd);
    g_variant_dict_init (&options, NULL);
    g_variant_dict_insert (&options, "method", "s", "PUT");
    g_variant_dict_insert (&options, "protocol", "s", "plain");
    g_variant_dict_insert (&options, "rate-limit", "t", (guint64) MiB / 2);
    ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0),
                                         g_variant_dict_end (&options), fds, &upload_path, NULL,
                                         NULL, &error);
    g_assert_no_error (error);
    w.id = g_ascii_strtoull (strrchr (upload_path, '/') + 1, NULL, 10);
    g_assert_true (ferry_test_gui_wait_row_within (f, w.id, w.prefix, 5000));
    item = ferry_transfer_row_get_item (FERRY_TRANSFER_ROW (ferry_window_find_row (f->window,
                                                                                   w.id)));
    g_assert_true (ferry_test_wait_until (upload_moving, item, 5000));
  }
  ferry_test_gui_screenshot (GTK_WIDGET (f->window), "busy-light");

  gtk_widget_activate (ferry_transfer_row_get_button (FERRY_TRANSFER_ROW (row), "pause"));
  g_assert_true (ferry_test_wait_state (t, "paused", 5000));
  g_assert_true (ferry_test_gui_wait_row_within (f, live_id, "Paused", 5000));

  /* …and its Resume button lets it go on, to the end. */
  row = ferry_window_find_row (f->window, live_id);
  g_assert_true (gtk_widget_get_visible (ferry_transfer_row_get_button (FERRY_TRANSFER_ROW (row),
                                                                        "resume")));
  /* Slow enough that it still runs through the screenshots below, however long a slow
   * machine (a sanitized build) takes over them; it is let go at the end. */
  ferry_test_server_set_throttle (f->server, "/fedora-workstation.iso", 64 * 1024);
  gtk_widget_activate (ferry_transfer_row_get_button (FERRY_TRANSFER_ROW (row), "resume"));
  g_assert_true (ferry_test_wait_state (t, "running", 5000));
  g_assert_true (ferry_test_gui_wait_row_within (f, other_id, "", 1000));

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  ferry_test_gui_screenshot (GTK_WIDGET (f->window), "busy-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  /* The aggregate shows in the header: beside the Add button when the window is wide, as
   * the title's subtitle when narrow. */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 560);
  ferry_test_gui_screenshot (GTK_WIDGET (f->window), "wide");
  assert_aggregate (f);

  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 600);
  ferry_test_gui_screenshot (GTK_WIDGET (f->window), "narrow");
  assert_aggregate (f);

  /* The server keeps a response's throttle to its end: the rest comes in a new request. */
  ferry_test_server_set_throttle (f->server, "/fedora-workstation.iso", 0);
  g_assert_true (ferry_transfer1_call_pause_sync (t, NULL, NULL));
  g_assert_true (ferry_test_wait_state (t, "paused", 5000));
  g_assert_true (ferry_transfer1_call_resume_sync (t, NULL, NULL));
  g_assert_true (ferry_test_wait_state (t, "completed", 20000));
  g_assert_true (ferry_test_gui_wait_row_within (f, live_id, "Completed", 5000));
  {
    g_autofree char *want = ferry_test_sha256_bytes (big);
    g_autofree char *got = ferry_test_sha256_file (ferry_transfer1_get_destination (t));

    g_assert_cmpstr (got, ==, want);
  }
}

/* Drops @value on the window as a drag from another app would. */
static gboolean
drop_value (Fixture      *f,
            const GValue *value)
{
  gboolean accepted = FALSE;

  g_signal_emit_by_name (ferry_window_get_drop_target (f->window), "drop", value, 10.0, 10.0,
                         &accepted);
  return accepted;
}

/* As a person closes a toast: once it is on screen (libadwaita 1.2 crashes when a toast is
 * dismissed during its show animation). */
static void
dismiss (AdwToast *toast)
{
  ferry_test_sleep (500);
  adw_toast_dismiss (toast);
  ferry_test_sleep (500);
}

static gboolean
transfer_listed (Fixture *f,
                 guint64  id)
{
  g_autofree char *path = g_strdup_printf (FERRY_DAEMON_PATH "/transfers/%" G_GUINT64_FORMAT, id);
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;

  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  return g_strv_contains ((const char *const *) paths, path);
}

static gboolean
transfer_unlisted (gpointer user_data)
{
  FerryTestGuiRow *w = user_data;

  return !transfer_listed (w->gui, w->id);
}

static void
test_drop_and_remove (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (200000, 64);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/dropped.tar.xz");
  g_autofree char *text = g_strdup_printf ("Get it from %s — thanks!", uri);
  g_autofree char *local = g_build_filename (g_get_user_data_dir (), "notes.txt", NULL);
  g_autoptr(GFile) local_file = g_file_new_for_path (local);
  g_auto(GValue) links = G_VALUE_INIT;
  g_auto(GValue) files = G_VALUE_INIT;
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;
  GSList *list = NULL;
  AdwToast *toast;
  FerryTestGuiRow w = { f, 0, "Completed" };

  ferry_test_server_add_file (f->server, "/dropped.tar.xz", content, "\"x\"");

  /* Text with a link in it, dropped on the window: the link is downloaded. */
  g_value_init (&links, G_TYPE_STRING);
  g_value_set_string (&links, text);
  g_assert_true (drop_value (f, &links));
  for (gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       (paths == NULL || paths[0] == NULL) && g_get_monotonic_time () < end;)
    {
      g_clear_pointer (&paths, g_strfreev);
      ferry_test_sleep (50);
      ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (g_strv_length (paths), ==, 1);
  w.id = g_ascii_strtoull (strrchr (paths[0], '/') + 1, NULL, 10);
  g_assert_true (ferry_test_wait_until (ferry_test_gui_row_says, &w, 10000));

  /* A local file is an upload: the dialog asks where to, and the upload shows as a row. */
  {
    g_autoptr(GBytes) notes = ferry_test_make_content (300000, 65);
    g_autoptr(GBytes) received = NULL;
    g_autofree char *target = NULL;
    FerryUploadDialog *dialog;
    FerryTestGuiRow up = { f, 0, "Completed" };

    g_assert_true (g_file_set_contents (local, g_bytes_get_data (notes, NULL),
                                        (gssize) g_bytes_get_size (notes), NULL));
    list = g_slist_prepend (NULL, local_file);
    g_value_init (&files, GDK_TYPE_FILE_LIST);
    g_value_take_boxed (&files, gdk_file_list_new_from_list (list));
    g_slist_free (list);
    g_assert_true (drop_value (f, &files));

    dialog = FERRY_UPLOAD_DIALOG (ferry_test_gui_find_toplevel (FERRY_TYPE_UPLOAD_DIALOG));
    g_assert_nonnull (dialog);
    /* An address that cannot take uploads is marked and not sent. */
    gtk_editable_set_text (ferry_upload_dialog_get_target (dialog), "ftp://example.org/");
    g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog),
                                                             "upload"));
    target = ferry_test_upload_server_uri (f->uploads, "/plain/");
    gtk_editable_set_text (ferry_upload_dialog_get_target (dialog), target);
    g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog),
                                                            "upload"));
    ferry_test_gui_screenshot (GTK_WIDGET (dialog), "upload-dialog");
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "upload");
    gtk_window_destroy (GTK_WINDOW (dialog));

    for (gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
         g_strv_length (paths) < 2 && g_get_monotonic_time () < end;)
      {
        g_clear_pointer (&paths, g_strfreev);
        ferry_test_sleep (50);
        ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
      }
    g_assert_cmpuint (g_strv_length (paths), ==, 2);
    up.id = g_ascii_strtoull (strrchr (paths[1], '/') + 1, NULL, 10);
    g_assert_true (ferry_test_wait_until (ferry_test_gui_row_says, &up, 10000));
    received = ferry_test_upload_server_get_plain (f->uploads, "notes.txt", NULL);
    g_assert_nonnull (received);
    g_assert_true (g_bytes_equal (received, notes));
  }

  /* Remove hides the row at once and offers Undo; the service still has the transfer. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.remove-transfer", "t", w.id);
  g_assert_true (ferry_test_wait_until (ferry_test_gui_row_gone, &w, 2000));
  toast = ferry_window_get_last_toast (f->window);
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "“dropped.tar.xz” removed");
  ferry_test_gui_screenshot (GTK_WIDGET (f->window), "removed-undo");
  g_assert_true (transfer_listed (f, w.id));

  /* Undo brings the row back, and nothing is removed when the toast goes. */
  g_signal_emit_by_name (toast, "button-clicked");
  dismiss (toast);
  g_assert_true (ferry_test_wait_until (ferry_test_gui_row_says, &w, 2000));
  ferry_test_sleep (300);
  g_assert_true (transfer_listed (f, w.id));

  /* Without Undo, the service forgets it once the toast is gone; the file stays. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.remove-transfer", "t", w.id);
  toast = ferry_window_get_last_toast (f->window);
  g_assert_nonnull (toast);
  dismiss (toast);
  g_assert_true (ferry_test_wait_until (transfer_unlisted, &w, 5000));
  g_assert_true (ferry_test_wait_until (ferry_test_gui_row_gone, &w, 2000));
}

static gboolean
has_transfers (gpointer user_data)
{
  Fixture *f = user_data;
  g_auto(GStrv) paths = NULL;

  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "io.github.ferryhq.Ferry",
                                           &paths, NULL, NULL);
  return paths != NULL && paths[0] != NULL;
}

static void
test_add_dialog (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (200000, 64);
  g_autofree char *good = ferry_test_server_uri (f->server, "/report.pdf");
  g_autofree char *mixed = g_strdup_printf ("%s\nftp://files.example.org/old.tar\nnot a link",
                                            good);
  FerryAddDialog *dialog;
  GtkWindow *preferences;
  g_auto(GStrv) paths = NULL;
  g_autoptr(FerryTransfer1) t = NULL;

  ferry_test_server_add_file (f->server, "/report.pdf", content, "\"r\"");

  /* What Ctrl+V and the + button open, filled with a pasted list. */
  ferry_window_add_links (f->window, mixed);
  dialog = FERRY_ADD_DIALOG (ferry_test_gui_find_toplevel (FERRY_TYPE_ADD_DIALOG));
  g_assert_nonnull (dialog);

  /* Invalid links are named, and nothing can be sent. */
  g_assert_nonnull (ferry_add_dialog_get_problems (dialog));
  g_assert_nonnull (strstr (ferry_add_dialog_get_problems (dialog),
                            "ftp://files.example.org/old.tar"));
  g_assert_nonnull (strstr (ferry_add_dialog_get_problems (dialog), "only http:// and https://"));
  g_assert_false (gtk_widget_get_sensitive (ferry_add_dialog_get_add_button (dialog)));
  ferry_test_gui_screenshot (GTK_WIDGET (dialog), "add-dialog");

  /* Only good links: the Add button sends them, in the app's own session. */
  ferry_add_dialog_set_links (dialog, good);
  g_assert_null (ferry_add_dialog_get_problems (dialog));
  g_assert_true (gtk_widget_get_sensitive (ferry_add_dialog_get_add_button (dialog)));
  gtk_widget_activate (ferry_add_dialog_get_add_button (dialog));
  g_assert_true (ferry_test_wait_until (has_transfers, f, 5000));

  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "io.github.ferryhq.Ferry", &paths,
                                           NULL, NULL);
  t = ferry_test_daemon_transfer (f->daemon, paths[0]);
  g_assert_true (ferry_test_wait_state (t, "completed", 10000));
  g_assert_cmpstr (ferry_transfer1_get_session (t), ==, "io.github.ferryhq.Ferry");

  /* The window is not focused (Xvfb has no window manager to focus it): the app says that
   * the download finished, naming the file. */
  {
    g_autoptr(GPtrArray) summaries = NULL;

    for (guint i = 0; i < 50; i++)
      {
        g_clear_pointer (&summaries, g_ptr_array_unref);
        summaries = notification_summaries (f);
        if (summaries->len > 0)
          break;
        ferry_test_sleep (100);
      }
    g_assert_cmpuint (summaries->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (summaries, 0), ==, "Download finished: report.pdf");
  }

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
  preferences = ferry_test_gui_find_toplevel (ADW_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  ferry_test_gui_screenshot (GTK_WIDGET (preferences), "preferences");
  gtk_window_destroy (preferences);
}

static void
on_added_from_app (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GPtrArray) errors = ferry_client_add_downloads_finish (FERRY_CLIENT (source), result);

  g_assert_cmpuint (errors->len, ==, 0);
}

/* The window closed: the app learns of finished downloads from ferryd's ActivateAction
 * ("transfers-finished") and says so in notifications. */
static void
test_notify_window_closed (Fixture       *f,
                           gconstpointer  data)
{
  const char *names[] = { "/one.iso", "/two.tar.gz" };
  g_autoptr(GPtrArray) uris = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) summaries = NULL;
  GVariantDict options;

  g_assert_null (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GBytes) content = ferry_test_make_content (100000, 90 + i);

      ferry_test_server_add_file (f->server, names[i], content, "\"n\"");
      g_ptr_array_add (uris, ferry_test_server_uri (f->server, names[i]));
    }
  g_ptr_array_add (uris, NULL);

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "destination", "s", f->daemon->download_dir);
  ferry_client_add_downloads (ferry_application_get_client (f->app),
                              (const char *const *) uris->pdata, g_variant_dict_end (&options),
                              on_added_from_app, NULL);

  for (guint i = 0; i < 100; i++)
    {
      g_clear_pointer (&summaries, g_ptr_array_unref);
      summaries = notification_summaries (f);
      if (summaries->len >= 2)
        break;
      ferry_test_sleep (100);
    }
  ferry_test_sleep (1500);   /* nothing more may come */
  g_clear_pointer (&summaries, g_ptr_array_unref);
  summaries = notification_summaries (f);
  g_assert_cmpuint (summaries->len, ==, 2);
  g_assert_true (g_ptr_array_find_with_equal_func (summaries, "Download finished: one.iso",
                                                   g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (summaries, "Download finished: two.tar.gz",
                                                   g_str_equal, NULL));
  /* Still no window: the app only spoke. */
  g_assert_null (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
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

  g_test_add ("/gui/add-pause-resume", Fixture, NULL, fixture_setup, test_add_pause_resume,
              fixture_teardown);
  g_test_add ("/gui/drop-and-remove", Fixture, NULL, fixture_setup, test_drop_and_remove,
              fixture_teardown);
  g_test_add ("/gui/add-dialog", Fixture, NULL, fixture_setup, test_add_dialog,
              fixture_teardown);
  g_test_add ("/gui/notify-window-closed", Fixture, "no-window", fixture_setup,
              test_notify_window_closed, fixture_teardown);

  return g_test_run ();
}
