/* test-schedule.c: when a transfer starts, and a row at any width, under Xvfb with the real
 * ferryd
 *
 * The start time is typed into the time field with real key presses (xdotool); a time
 * already past is refused beside the field and Add stays off; a schedule set there shows in
 * the row, and is changed from the row's menu (as GNOME's 12-hour clock shows it, too). A
 * row's "unmetered networks only" rule shows while NetworkManager (python3-dbusmock) says
 * the network is unmetered. A 360-pixel window keeps one button per row. The screenshots
 * case writes the pictures of data/screenshots from a store that looks like a person's (see
 * make-screenshots.sh). Each case waits on states (a row's words, a D-Bus property), never
 * on time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>

#include "ferry-add-dialog.h"
#include "ferry-application.h"
#include "ferry-describe.h"
#include "ferry-details-window.h"
#include "ferry-start-dialog.h"
#include "ferry-start-row.h"
#include "ferry-test-gui.h"
#include "ferry-transfer-row.h"
#include "ferry-upload-dialog.h"
#include "ferry-window.h"

#define MiB (1024 * 1024)
#define WAIT 30000

typedef FerryTestGui Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  /* GNOME's clock-format is read from the system's schemas (gsettings-desktop-schemas),
   * which the isolated data directories hide. */
  g_autofree char *dirs = g_strconcat (g_getenv ("XDG_DATA_DIRS"), ":/usr/share", NULL);

  g_setenv ("XDG_DATA_DIRS", dirs, TRUE);
  /* NetworkManager says the network is unmetered (dbusmock), before ferryd and the app
   * start watching it. */
  ferry_test_gui_setup (f, FERRY_TEST_GUI_MOCK_SYSTEM | FERRY_TEST_GUI_UPLOADS);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  ferry_test_gui_teardown (f);
}

/* -- Helpers of this file ---------------------------------------------------------------- */

/* The id of the newest transfer the service lists. */
static guint64
newest_id (Fixture *f)
{
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  n = g_strv_length (paths);
  g_assert_cmpuint (n, >, 0);
  return g_ascii_strtoull (strrchr (paths[n - 1], '/') + 1, NULL, 10);
}

static gboolean
start_refused (gpointer user_data)
{
  return ferry_start_row_get_problem (user_data) != NULL;
}

static gboolean
start_accepted (gpointer user_data)
{
  return ferry_start_row_get_problem (user_data) == NULL;
}

typedef struct
{
  FerryTransfer1 *transfer;
  gint64 when;
} BeginWait;

static gboolean
begins_at (gpointer user_data)
{
  BeginWait *w = user_data;

  return ferry_transfer1_get_earliest_begin (w->transfer) == w->when;
}

/* Noon tomorrow, and @hour:@minute on that day, local time. */
static GDateTime *
tomorrow_at (int hour,
             int minute)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) noon = g_date_time_new_local (g_date_time_get_year (now),
                                                     g_date_time_get_month (now),
                                                     g_date_time_get_day_of_month (now), 12, 0,
                                                     0);
  g_autoptr(GDateTime) next = g_date_time_add_days (noon, 1);

  return g_date_time_new_local (g_date_time_get_year (next), g_date_time_get_month (next),
                                g_date_time_get_day_of_month (next), hour, minute, 0);
}

static FerryAddDialog *
open_add_dialog (Fixture    *f,
                 const char *link)
{
  FerryAddDialog *add;

  ferry_window_add_links (f->window, link);
  add = FERRY_ADD_DIALOG (ferry_test_gui_wait_toplevel (FERRY_TYPE_ADD_DIALOG));
  /* "Start: At a Date and Time". */
  adw_combo_row_set_selected (ferry_add_dialog_get_start_choice (add), 1);
  return add;
}

typedef struct
{
  GtkEditable *editable;
  const char *text;
} TextWait;

static gboolean
editable_says (gpointer user_data)
{
  TextWait *w = user_data;

  return g_strcmp0 (gtk_editable_get_text (w->editable), w->text) == 0;
}

/* Selects the whole time field and types @text over it, with real keys, until the field
 * holds all of it (X delivers the keys while the main loop runs). */
static void
type_time (FerryStartRow *start,
           const char    *text)
{
  GtkWidget *entry = GTK_WIDGET (ferry_start_row_get_time_entry (start));
  TextWait w = { GTK_EDITABLE (entry), text };

  ferry_test_gui_wait_drawn (entry);
  g_assert_true (gtk_widget_grab_focus (entry));
  ferry_test_gui_press_keys (entry, "ctrl+a");
  ferry_test_gui_type_keys (entry, text);
  g_assert_true (ferry_test_wait_until (editable_says, &w, WAIT));
}

/* Presses @keys in the time field and waits until it says @expected. */
static void
press_in_time (FerryStartRow *start,
               const char    *keys,
               const char    *expected)
{
  GtkWidget *entry = GTK_WIDGET (ferry_start_row_get_time_entry (start));
  TextWait w = { GTK_EDITABLE (entry), expected };

  ferry_test_gui_press_keys (entry, keys);
  g_assert_true (ferry_test_wait_until (editable_says, &w, WAIT));
}

static gboolean
row_menu_shown (gpointer user_data)
{
  GtkWidget *menu = ferry_transfer_row_get_menu (user_data);

  return menu != NULL && gtk_widget_get_mapped (menu);
}

/* -- Start time ---------------------------------------------------------------------------- */

/* Midnight today has passed: typed into the time field, the row says so in words beside it,
 * Add stays off and Enter adds nothing; a time tomorrow is taken, and Enter adds it. */
static void
test_past_time_refused (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *link = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) later = tomorrow_at (7, 30);
  g_autoptr(FerryTransfer1) t = NULL;
  FerryAddDialog *add;
  FerryStartRow *start;
  const char *problem;
  FerryTestGuiCount w = { f, 1 };
  BeginWait bw;

  if (f->system == NULL)
    return;

  link = ferry_test_server_uri (f->server, "/linux-6.12.tar.xz");
  add = open_add_dialog (f, link);
  start = ferry_add_dialog_get_start_row (add);

  /* In the first minutes of a day, today's midnight is too near: yesterday's. */
  today = g_date_time_get_hour (now) == 0 && g_date_time_get_minute (now) < 2
            ? g_date_time_add_days (now, -1)
            : g_date_time_ref (now);
  gtk_calendar_select_day (ferry_start_row_get_calendar (start), today);
  type_time (start, "00:00");
  g_assert_true (ferry_test_wait_until (start_refused, start, WAIT));
  problem = ferry_start_row_get_problem (start);
  g_test_message ("Refused: %s", problem);
  g_assert_nonnull (strstr (problem, "already passed"));
  /* In words beside the field: under the row's title, in the error colour. */
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (start)), ==, problem);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (start), "ferry-start-problem"));
  g_assert_false (gtk_widget_get_sensitive (ferry_add_dialog_get_add_button (add)));
  ferry_test_gui_screenshot (GTK_WIDGET (add), "add-dialog-past-time");

  /* Enter in the field would add, if it could. */
  ferry_test_gui_press_keys (GTK_WIDGET (ferry_start_row_get_time_entry (start)), "Return");
  g_assert_true (ferry_test_gui_find_toplevel (FERRY_TYPE_ADD_DIALOG) == GTK_WINDOW (add));

  /* Something that is not a time is refused too, and says what to write. */
  type_time (start, "7h");
  g_assert_true (ferry_test_wait_until (start_refused, start, WAIT));
  g_test_message ("Refused: %s", ferry_start_row_get_problem (start));
  g_assert_false (gtk_widget_get_sensitive (ferry_add_dialog_get_add_button (add)));

  /* Tomorrow at 07:30 is fine: Enter in the field adds the download with that start. */
  gtk_calendar_select_day (ferry_start_row_get_calendar (start), later);
  type_time (start, "07:30");
  g_assert_true (ferry_test_wait_until (start_accepted, start, WAIT));
  g_assert_true (gtk_widget_get_sensitive (ferry_add_dialog_get_add_button (add)));
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (start)),
                                   "Starts tomorrow at 07:30"));
  ferry_test_gui_press_keys (GTK_WIDGET (ferry_start_row_get_time_entry (start)), "Return");
  g_assert_true (ferry_test_wait_until (ferry_test_gui_listed_at_least, &w, WAIT));
  /* One transfer, the one for tomorrow: the refused Enter added nothing. */
  g_assert_cmpuint (ferry_test_gui_n_listed (f), ==, 1);
  t = ferry_test_gui_transfer (f, newest_id (f));
  bw = (BeginWait) { t, g_date_time_to_unix (later) };
  g_assert_true (ferry_test_wait_until (begins_at, &bw, WAIT));
}

/* A schedule typed in the add dialog shows in the row, "Starts tomorrow at 23:30", and the
 * row's menu changes it (the same field, Up steps it by five minutes); Pause All keeps it in
 * sight. The upload dialog has the same choice, refusing a time past. */
static void
test_schedule_row (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (200000, 81);
  g_autofree char *link = NULL;
  g_autoptr(GDateTime) night = tomorrow_at (23, 30);
  g_autoptr(GDateTime) morning = tomorrow_at (6, 20);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GMenuModel) menu = NULL;
  FerryAddDialog *add;
  FerryStartRow *start;
  FerryTransferRow *row;
  GtkWindow *dialog;
  FerryTestGuiCount w = { f, 1 };
  BeginWait bw;
  guint64 id;
  gboolean offers_change = FALSE;

  if (f->system == NULL)
    return;

  ferry_test_server_add_file (f->server, "/fedora-41-workstation.iso", content, "\"f\"");
  link = ferry_test_server_uri (f->server, "/fedora-41-workstation.iso");
  add = open_add_dialog (f, link);
  start = ferry_add_dialog_get_start_row (add);
  gtk_calendar_select_day (ferry_start_row_get_calendar (start), night);
  type_time (start, "23:30");
  g_assert_true (ferry_test_wait_until (start_accepted, start, WAIT));
  ferry_test_gui_press_keys (GTK_WIDGET (ferry_start_row_get_time_entry (start)), "Return");
  g_assert_true (ferry_test_wait_until (ferry_test_gui_listed_at_least, &w, WAIT));
  id = newest_id (f);
  t = ferry_test_gui_transfer (f, id);
  bw = (BeginWait) { t, g_date_time_to_unix (night) };
  g_assert_true (ferry_test_wait_until (begins_at, &bw, WAIT));
  g_assert_true (ferry_test_wait_state (t, "waiting", WAIT));
  row = ferry_test_gui_wait_row (f, id, "Starts tomorrow at 23:30");
  g_test_message ("Row: %s", ferry_transfer_row_get_status_text (row));

  /* The row's menu, from a real right-click, offers to change it. */
  ferry_test_gui_right_click (GTK_WIDGET (row));
  g_assert_true (ferry_test_wait_until (row_menu_shown, row, WAIT));
  menu = g_object_ref (gtk_popover_menu_get_menu_model (
    GTK_POPOVER_MENU (ferry_transfer_row_get_menu (row))));
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);

      for (int j = 0; section != NULL && j < g_menu_model_get_n_items (section); j++)
        {
          g_autofree char *action = NULL;

          if (g_menu_model_get_item_attribute (section, j, G_MENU_ATTRIBUTE_ACTION, "s", &action))
            offers_change |= g_str_equal (action, "app.change-start");
        }
    }
  g_assert_true (offers_change);
  gtk_popover_popdown (GTK_POPOVER (ferry_transfer_row_get_menu (row)));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "change-start",
                                  g_variant_new_uint64 (id));
  dialog = ferry_test_gui_wait_toplevel (FERRY_TYPE_START_DIALOG);
  start = ferry_start_dialog_get_start_row (FERRY_START_DIALOG (dialog));
  g_assert_cmpstr (gtk_editable_get_text (ferry_start_row_get_time_entry (start)), ==, "23:30");
  type_time (start, "06:15");
  press_in_time (start, "Up", "06:20");
  ferry_test_gui_press_keys (GTK_WIDGET (ferry_start_row_get_time_entry (start)), "Return");
  bw.when = g_date_time_to_unix (morning);
  g_assert_true (ferry_test_wait_until (begins_at, &bw, WAIT));
  row = ferry_test_gui_wait_row (f, id, "Starts tomorrow at 06:20");

  /* Pause All: the row still says when it was to start. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.pause-all", NULL);
  g_assert_true (ferry_test_wait_state (t, "paused", WAIT));
  row = ferry_test_gui_wait_row (f, id, "Paused — was to start tomorrow at 06:20");

  /* The upload dialog: Start Later, a past time refused there too. */
  {
    g_autofree char *local = g_build_filename (g_get_user_data_dir (), "notes.txt", NULL);
    const char *paths[] = { local, NULL };
    FerryUploadDialog *upload;

    g_assert_true (g_file_set_contents (local, "some notes\n", -1, NULL));
    gtk_window_present (GTK_WINDOW (ferry_upload_dialog_new (GTK_WINDOW (f->window), paths)));
    upload = FERRY_UPLOAD_DIALOG (ferry_test_gui_wait_toplevel (FERRY_TYPE_UPLOAD_DIALOG));
    gtk_editable_set_text (ferry_upload_dialog_get_target (upload),
                           "https://uploads.example.org/notes/");
    g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (upload),
                                                            "upload"));
    adw_expander_row_set_enable_expansion (ferry_upload_dialog_get_later_row (upload), TRUE);
    adw_expander_row_set_expanded (ferry_upload_dialog_get_later_row (upload), TRUE);
    start = ferry_upload_dialog_get_start_row (upload);
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);

      gtk_calendar_select_day (ferry_start_row_get_calendar (start), yesterday);
    }
    type_time (start, "12:00");
    g_assert_true (ferry_test_wait_until (start_refused, start, WAIT));
    g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (upload),
                                                             "upload"));
    ferry_test_gui_screenshot (GTK_WIDGET (upload), "upload-dialog-past-time");
    gtk_window_destroy (GTK_WINDOW (upload));
  }

  /* GNOME's clock set to 12 hours: the field shows it so, and takes "7:45 pm". */
  {
    g_autoptr(GSettingsSchema) schema = g_settings_schema_source_lookup (
      g_settings_schema_source_get_default (), "org.gnome.desktop.interface", TRUE);
    g_autoptr(GSettings) interface = NULL;
    g_autoptr(GDateTime) evening = tomorrow_at (19, 45);

    if (schema == NULL)
      {
        g_test_message ("gsettings-desktop-schemas is not installed: no 12-hour clock");
        return;
      }
    interface = g_settings_new_full (schema, NULL, NULL);
    g_settings_set_string (interface, "clock-format", "12h");
    g_action_group_activate_action (G_ACTION_GROUP (f->app), "change-start",
                                    g_variant_new_uint64 (id));
    dialog = ferry_test_gui_wait_toplevel (FERRY_TYPE_START_DIALOG);
    start = ferry_start_dialog_get_start_row (FERRY_START_DIALOG (dialog));
    g_assert_cmpstr (gtk_editable_get_text (ferry_start_row_get_time_entry (start)), ==,
                     "6:20 AM");
    type_time (start, "7:45 pm");
    g_assert_true (ferry_test_wait_until (start_accepted, start, WAIT));
    ferry_test_gui_press_keys (GTK_WIDGET (ferry_start_row_get_time_entry (start)), "Return");
    bw.when = g_date_time_to_unix (evening);
    g_assert_true (ferry_test_wait_until (begins_at, &bw, WAIT));
    row = ferry_test_gui_wait_row (f, id, "Paused — was to start tomorrow at 7:45 PM");
    g_settings_set_string (interface, "clock-format", "24h");
  }
}

/* -- Rows -------------------------------------------------------------------------------- */

static gboolean
row_wraps (gpointer user_data)
{
  return ferry_transfer_row_get_status_wraps (user_data);
}

static gboolean
row_has_two_buttons (gpointer user_data)
{
  return ferry_transfer_row_count_buttons (user_data) == 2;
}

static gboolean
aggregate_shown (gpointer user_data)
{
  const char *text = ferry_window_get_aggregate_text (user_data);

  return text != NULL && g_str_has_prefix (text, "1 active — ");
}

static gboolean
manager_idle (gpointer user_data)
{
  Fixture *f = user_data;

  return ferry_manager1_get_running (f->daemon->manager) == 0;
}

/* At 360 pixels a row keeps one button, its status wraps, and a right-click still opens its
 * menu. At the default width the header shows the overall status, and an idle service is
 * not "Offline". */
static void
test_narrow_one_button (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) big = ferry_test_make_content (24 * MiB, 82);
  g_autoptr(FerryTransfer1) t = NULL;
  FerryTransferRow *row;
  guint64 id;

  if (f->system == NULL)
    return;

  ferry_test_server_add_file (f->server, "/debian-12.8.0-amd64-netinst.iso", big, "\"d\"");
  ferry_test_server_set_throttle (f->server, "/debian-12.8.0-amd64-netinst.iso", MiB / 2);
  id = ferry_test_gui_add_download (f, "/debian-12.8.0-amd64-netinst.iso", FALSE);
  t = ferry_test_gui_transfer (f, id);
  g_assert_true (ferry_test_wait_state (t, "running", WAIT));
  row = ferry_test_gui_wait_row (f, id, "");

  /* The default width: a menu button beside the main one, and the overall status shown. */
  ferry_test_gui_wait_drawn (GTK_WIDGET (f->window));
  g_assert_true (ferry_test_wait_until (row_has_two_buttons, row, WAIT));
  g_assert_true (ferry_test_wait_until (aggregate_shown, f->window, WAIT));
  g_test_message ("Header: %s", ferry_window_get_aggregate_text (f->window));
  ferry_test_gui_wait_drawn (GTK_WIDGET (f->window));
  /* Stable: still there frames later, not given up for the title. */
  g_assert_true (aggregate_shown (f->window));

  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 640);
  g_assert_true (ferry_test_wait_until (row_wraps, row, WAIT));
  ferry_test_gui_wait_drawn (GTK_WIDGET (f->window));
  g_assert_cmpuint (ferry_transfer_row_count_buttons (row), ==, 1);
  g_assert_nonnull (ferry_transfer_row_get_button (row, "pause"));
  g_assert_true (gtk_widget_get_visible (ferry_transfer_row_get_button (row, "pause")));
  g_assert_true (gtk_widget_get_mapped (ferry_transfer_row_get_button (row, "pause")));
  g_assert_false (gtk_widget_get_visible (ferry_transfer_row_get_button (row, "menu")));
  /* The surface is 360 pixels, the window's resize borders included. */
  g_assert_cmpint (gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (f->window))), <=,
                   360);

  /* The menu is still there, from a right-click on the row. */
  ferry_test_gui_right_click (GTK_WIDGET (row));
  g_assert_true (ferry_test_wait_until (row_menu_shown, row, WAIT));
  gtk_popover_popdown (GTK_POPOVER (ferry_transfer_row_get_menu (row)));

  /* Wide again, the menu button is back. */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 880, 620);
  g_assert_true (ferry_test_wait_until (row_has_two_buttons, row, WAIT));

  /* Idle and online, the header says nothing rather than "Offline". */
  gtk_widget_activate (ferry_transfer_row_get_button (row, "pause"));
  g_assert_true (ferry_test_wait_state (t, "paused", WAIT));
  g_assert_true (ferry_test_wait_until (manager_idle, f, WAIT));
  ferry_test_gui_wait_drawn (GTK_WIDGET (f->window));
  g_assert_cmpstr (ferry_window_get_aggregate_text (f->window), !=, "Offline");
}

static gboolean
manager_unmetered (gpointer user_data)
{
  Fixture *f = user_data;

  return !ferry_manager1_get_metered (f->daemon->manager);
}

static gboolean
manager_metered (gpointer user_data)
{
  Fixture *f = user_data;

  return ferry_manager1_get_metered (f->daemon->manager);
}

/* A download kept off metered networks says so while the network is unmetered: "Starts
 * tomorrow at 23:00 · unmetered networks only", and the same once it is metered. */
static void
test_unmetered_shown (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *uri = NULL;
  g_autofree char *object_path = NULL;
  g_autoptr(GDateTime) night = tomorrow_at (23, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  GVariantDict options;
  guint64 id;

  if (f->system == NULL)
    return;

  uri = ferry_test_server_uri (f->server, "/openstreetmap-europe.osm.pbf");
  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "destination", "s", f->daemon->download_dir);
  g_variant_dict_insert (&options, "allow-metered", "b", FALSE);
  g_variant_dict_insert (&options, "earliest-begin", "x", g_date_time_to_unix (night));
  object_path = ferry_test_daemon_add (f->daemon, uri, g_variant_dict_end (&options), &error);
  g_assert_no_error (error);
  id = g_ascii_strtoull (strrchr (object_path, '/') + 1, NULL, 10);
  t = ferry_test_gui_transfer (f, id);
  g_assert_true (ferry_test_wait_state (t, "waiting", WAIT));
  g_assert_true (ferry_test_wait_until (manager_unmetered, f, WAIT));
  g_assert_cmpstr (ferry_manager1_get_metered (f->daemon->manager) ? "metered" : "unmetered",
                   ==, "unmetered");

  ferry_test_gui_wait_row (f, id, "Starts tomorrow at 23:00 · unmetered networks only");

  /* Metered now: the same plan, the same words. */
  ferry_test_system_set_metered (f->system, 1);
  g_assert_true (ferry_test_wait_until (manager_metered, f, WAIT));
  ferry_test_gui_wait_row (f, id, "Starts tomorrow at 23:00 · unmetered networks only");
}

/* -- Pictures ---------------------------------------------------------------------------- */

/* Where the pictures' downloads go: a person's Downloads folder. make-screenshots.sh runs
 * this case with a home of its own (FERRY_SCREENSHOT_DOWNLOADS=/home/sam/Downloads); here it
 * is the isolated home's. */
static char *
downloads_folder (void)
{
  const char *chosen = g_getenv ("FERRY_SCREENSHOT_DOWNLOADS");
  char *folder = chosen ? g_strdup (chosen)
                        : g_build_filename (g_get_home_dir (), "Downloads", NULL);

  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  return folder;
}

/* make-screenshots.sh names the test server as a real site would be named (its own
 * /etc/hosts says 127.0.0.1): FERRY_SCREENSHOT_HOST. */
static char *
site_uri (const char *uri)
{
  const char *host = g_getenv ("FERRY_SCREENSHOT_HOST");
  g_auto(GStrv) parts = NULL;

  if (host == NULL || *host == '\0')
    return g_strdup (uri);
  parts = g_strsplit (uri, "127.0.0.1", 2);
  return g_strjoinv (host, parts);
}

static guint64
add_named (Fixture    *f,
           const char *folder,
           const char *path,
           GVariant   *extra)
{
  g_autofree char *local_uri = ferry_test_server_uri (f->server, path);
  g_autofree char *uri = site_uri (local_uri);
  g_autofree char *object_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) extra_owned = extra ? g_variant_ref_sink (extra) : NULL;
  GVariantDict options;

  g_variant_dict_init (&options, extra_owned);
  g_variant_dict_insert (&options, "destination", "s", folder);
  object_path = ferry_test_daemon_add (f->daemon, uri, g_variant_dict_end (&options), &error);
  g_assert_no_error (error);
  return g_ascii_strtoull (strrchr (object_path, '/') + 1, NULL, 10);
}

static gboolean
switcher_bar_revealed (gpointer user_data)
{
  GtkWidget *bar = ferry_test_gui_find_descendant (user_data, ADW_TYPE_VIEW_SWITCHER_BAR);
  GtkWidget *revealer = bar ? ferry_test_gui_find_descendant (bar, GTK_TYPE_REVEALER) : NULL;

  return revealer != NULL && gtk_revealer_get_child_revealed (GTK_REVEALER (revealer));
}

static gboolean
has_failed_state (gpointer user_data)
{
  const char *state = ferry_transfer1_get_state (user_data);

  return g_strcmp0 (state, "failed") == 0 || g_strcmp0 (state, "rejected") == 0;
}

/* Attempts counts the failed ones: one dropped connection, then going again. */
static gboolean
retried (gpointer user_data)
{
  FerryTransfer1 *t = user_data;

  return ferry_transfer1_get_attempts (t) >= 1 &&
         g_strcmp0 (ferry_transfer1_get_state (t), "running") == 0;
}

/* The window as a person's would look on an evening of downloads: a few running (one of
 * them after a dropped connection), one tonight on unmetered networks only, one another app
 * paused, one failed, one done, an upload; light, dark, 360 pixels wide, and the running
 * download's details. */
static void
test_screenshots (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) blender = ferry_test_make_content (64 * MiB, 91);
  g_autoptr(GBytes) video = ferry_test_make_content (9 * MiB, 95);
  g_autoptr(GBytes) podcast = ferry_test_make_content (14 * MiB, 92);
  g_autoptr(GBytes) report = ferry_test_make_content (2400000, 93);
  g_autoptr(GBytes) photos = ferry_test_make_content (3 * MiB, 94);
  g_autofree char *folder = downloads_folder ();
  g_autoptr(GDateTime) night = tomorrow_at (23, 0);
  g_autoptr(FerryTransfer1) running = NULL;
  g_autoptr(FerryTransfer1) done = NULL;
  g_autoptr(FerryTransfer1) failed = NULL;
  FerryTransferRow *row;
  GtkWindow *details;
  GVariantDict options;
  guint64 running_id, done_id, failed_id, podcast_id;

  if (f->system == NULL)
    return;

  ferry_test_server_add_file (f->server, "/release/blender-4.3.0-linux-x64.tar.xz", blender,
                              "\"b43\"");
  ferry_test_server_set_throttle (f->server, "/release/blender-4.3.0-linux-x64.tar.xz",
                                  3 * MiB / 2);
  /* The connection drops once early on: Details then shows the attempt that failed. */
  ferry_test_server_set_drop (f->server, "/release/blender-4.3.0-linux-x64.tar.xz", MiB, 1);
  ferry_test_server_add_file (f->server, "/episodes/ep142-the-long-night.mp3", podcast, "\"p\"");
  ferry_test_server_set_throttle (f->server, "/episodes/ep142-the-long-night.mp3", 700 * 1024);
  ferry_test_server_add_file (f->server, "/files/quarterly-report-2026-Q3.pdf", report, "\"q\"");
  ferry_test_server_add_file (f->server, "/shared/holiday-photos.zip", photos, "\"h\"");

  /* GNOME's own window buttons: only Close. */
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 880, 620);

  done_id = add_named (f, folder, "/files/quarterly-report-2026-Q3.pdf", NULL);
  done = ferry_test_gui_transfer (f, done_id);
  g_assert_true (ferry_test_wait_state (done, "completed", WAIT));

  failed_id = add_named (f, folder, "/old-mirror/firmware-2019.bin", NULL);
  failed = ferry_test_gui_transfer (f, failed_id);
  g_assert_true (ferry_test_wait_until (has_failed_state, failed, WAIT));

  /* Another app's, paused there. */
  {
    g_autofree char *apps = g_build_filename (g_get_user_data_dir (), "applications", NULL);
    g_autofree char *desktop = g_build_filename (apps, "org.gnome.Fractal.desktop", NULL);

    g_assert_cmpint (g_mkdir_with_parents (apps, 0755), ==, 0);
    g_assert_true (g_file_set_contents (desktop, "[Desktop Entry]\nType=Application\n"
                                                 "Name=Fractal\nExec=true\n", -1, NULL));
    g_variant_dict_init (&options, NULL);
    g_variant_dict_insert (&options, "session", "s", "org.gnome.Fractal");
    g_variant_dict_insert (&options, "paused", "b", TRUE);
    add_named (f, folder, "/shared/holiday-photos.zip", g_variant_dict_end (&options));
  }

  /* Tonight, on unmetered networks only. */
  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "allow-metered", "b", FALSE);
  g_variant_dict_insert (&options, "earliest-begin", "x", g_date_time_to_unix (night));
  add_named (f, folder, "/planet/openstreetmap-europe-latest.osm.pbf",
             g_variant_dict_end (&options));

  /* A video on its way to a server that takes it in one request. */
  {
    g_autofree char *file = g_build_filename (g_get_user_data_dir (), "birthday-party.mp4",
                                              NULL);
    g_autofree char *local_uri = ferry_test_upload_server_uri (f->uploads,
                                                               "/plain/birthday-party.mp4");
    g_autofree char *uri = site_uri (local_uri);
    g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
    g_autofree char *upload_path = NULL;
    g_autoptr(GError) error = NULL;
    int fd;

    g_assert_true (g_file_set_contents (file, g_bytes_get_data (video, NULL),
                                        (gssize) g_bytes_get_size (video), NULL));
    fd = open (file, O_RDONLY | O_CLOEXEC);
    g_unix_fd_list_append (fds, fd, NULL);
    close (fd);
    g_variant_dict_init (&options, NULL);
    g_variant_dict_insert (&options, "method", "s", "PUT");
    g_variant_dict_insert (&options, "protocol", "s", "plain");
    g_variant_dict_insert (&options, "rate-limit", "t", (guint64) 400 * 1024);
    ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0),
                                         g_variant_dict_end (&options), fds, &upload_path, NULL,
                                         NULL, &error);
    g_assert_no_error (error);
  }

  podcast_id = add_named (f, folder, "/episodes/ep142-the-long-night.mp3", NULL);
  /* On one connection, so that the dropped one is an attempt that failed (segments would
   * take its bytes over within the same attempt). */
  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "connections", "u", 1);
  running_id = add_named (f, folder, "/release/blender-4.3.0-linux-x64.tar.xz",
                          g_variant_dict_end (&options));
  running = ferry_test_gui_transfer (f, running_id);
  g_assert_true (ferry_test_wait_until (retried, running, 2 * WAIT));
  g_assert_true (ferry_test_wait_bytes (running, 6 * MiB, WAIT));
  ferry_test_gui_wait_row (f, podcast_id, "");
  ferry_test_gui_wait_row (f, running_id, "");

  ferry_test_gui_screenshot (GTK_WIDGET (f->window), "ferry-busy");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  ferry_test_gui_screenshot (GTK_WIDGET (f->window), "ferry-busy-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 720);
  row = ferry_test_gui_wait_row (f, running_id, "");
  g_assert_true (ferry_test_wait_until (row_wraps, row, WAIT));
  /* The tabs have moved to the bottom, all the way. */
  g_assert_true (ferry_test_wait_until (switcher_bar_revealed, f->window, WAIT));
  ferry_test_gui_screenshot (GTK_WIDGET (f->window), "ferry-narrow");
  row = ferry_test_gui_wait_row (f, running_id, "");
  g_assert_cmpuint (ferry_transfer_row_count_buttons (row), ==, 1);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 880, 620);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-details", "t", running_id);
  details = ferry_test_gui_wait_toplevel (FERRY_TYPE_DETAILS_WINDOW);
  gtk_window_set_default_size (details, 520, 760);
  /* Half a minute of graph. */
  g_assert_true (ferry_test_wait_bytes (running, 44 * MiB, 2 * WAIT));
  ferry_test_gui_screenshot (GTK_WIDGET (details), "ferry-details");
  g_assert_cmpuint (ferry_transfer1_get_attempts (running), >=, 1);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("FERRY_LOCALEDIR") ? g_getenv ("FERRY_LOCALEDIR")
                                                                : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (g_getenv ("DISPLAY") == NULL)
    {
      g_print ("1..1\nok 1 # SKIP no X display (these tests need xvfb-run and xdotool)\n");
      return 0;
    }

  g_test_add ("/gui/past-time-refused", Fixture, NULL, fixture_setup, test_past_time_refused,
              fixture_teardown);
  g_test_add ("/gui/schedule-row", Fixture, NULL, fixture_setup, test_schedule_row,
              fixture_teardown);
  g_test_add ("/gui/narrow-one-button", Fixture, NULL, fixture_setup, test_narrow_one_button,
              fixture_teardown);
  g_test_add ("/gui/unmetered-shown", Fixture, NULL, fixture_setup, test_unmetered_shown,
              fixture_teardown);
  g_test_add ("/gui/screenshots", Fixture, NULL, fixture_setup, test_screenshots,
              fixture_teardown);

  return g_test_run ();
}
