/* test-rows.c: the app as a person uses it, under Xvfb with the real ferryd
 *
 * Keys and clicks are real X input (xdotool) where GTK 4.8 offers nothing else: Enter and
 * Ctrl+Enter in the dialogs, a right-click and the Menu key on a row, Space and Delete on the
 * focused row, Ctrl+A in the list. Each case waits on states (a row's words, a D-Bus State,
 * a file), never on time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include "ferry-add-dialog.h"
#include "ferry-application.h"
#include "ferry-client.h"
#include "ferry-details-window.h"
#include "ferry-speed-graph.h"
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
  ferry_test_gui_setup (f, FERRY_TEST_GUI_UPLOADS);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  ferry_test_gui_teardown (f);
}

/* -- Helpers ----------------------------------------------------------------------------- */

/* As a person closes a toast: once it is on screen (libadwaita 1.2 crashes when a toast is
 * dismissed during its show animation). */
static void
dismiss (AdwToast *toast)
{
  ferry_test_sleep (500);
  adw_toast_dismiss (toast);
  ferry_test_sleep (300);
}

static GtkWidget *
list_item_of (FerryTransferRow *row)
{
  return gtk_widget_get_parent (GTK_WIDGET (row));
}

static gboolean
message_dialog_gone (gpointer user_data)
{
  GtkWindow *dialog = ferry_test_gui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);

  return dialog == NULL || !gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

/* -- Losing work ------------------------------------------------------------------------- */

/* Ctrl+V's dialog opens with the focus in the links; Ctrl+Enter there adds them. The upload
 * dialog's Address sends on Enter. Both with real key presses. */
static void
test_dialog_keys (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (100000, 71);
  g_autofree char *good = ferry_test_server_uri (f->server, "/report.pdf");
  g_autofree char *local = g_build_filename (g_get_user_data_dir (), "notes.txt", NULL);
  g_autofree char *target = ferry_test_upload_server_uri (f->uploads, "/plain/");
  GtkWindow *dialog;
  GtkWidget *focus;
  FerryTestGuiCount w = { f, 1 };

  ferry_test_server_add_file (f->server, "/report.pdf", content, "\"r\"");

  ferry_window_add_links (f->window, good);
  dialog = ferry_test_gui_wait_toplevel (FERRY_TYPE_ADD_DIALOG);
  focus = gtk_root_get_focus (GTK_ROOT (dialog));
  g_assert_nonnull (focus);
  g_assert_true (GTK_IS_TEXT_VIEW (focus));

  /* Enter alone is a new line in the list: nothing is added, nothing thrown away. */
  ferry_test_gui_press_keys (GTK_WIDGET (dialog), "Return");
  g_assert_true (ferry_test_gui_find_toplevel (FERRY_TYPE_ADD_DIALOG) == dialog);
  /* A start time already past is refused in words, and what Ctrl+Enter does adds nothing. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);
    g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);
    FerryAddDialog *add = FERRY_ADD_DIALOG (dialog);

    ferry_add_dialog_set_start (add, yesterday);
    g_assert_nonnull (ferry_add_dialog_get_problems (add));
    g_assert_nonnull (strstr (ferry_add_dialog_get_problems (add), "already passed"));
    g_assert_false (gtk_widget_get_sensitive (ferry_add_dialog_get_add_button (add)));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add", NULL));
    g_assert_true (ferry_test_gui_find_toplevel (FERRY_TYPE_ADD_DIALOG) == dialog);
    g_assert_cmpuint (ferry_test_gui_n_listed (f), ==, 0);

    /* Tomorrow is fine; and back to Now, for the download to finish here. */
    ferry_add_dialog_set_start (add, tomorrow);
    g_assert_null (ferry_add_dialog_get_problems (add));
    ferry_add_dialog_set_start (add, yesterday);
    ferry_add_dialog_set_start (add, NULL);
    g_assert_null (ferry_add_dialog_get_problems (add));
  }
  g_assert_true (GTK_IS_TEXT_VIEW (gtk_root_get_focus (GTK_ROOT (dialog))));
  ferry_test_gui_press_keys (GTK_WIDGET (dialog), "ctrl+Return");
  g_assert_true (ferry_test_wait_until (ferry_test_gui_listed_at_least, &w, WAIT));
  g_assert_null (ferry_test_gui_find_toplevel (FERRY_TYPE_ADD_DIALOG));

  /* The upload dialog: the address has the focus, Enter sends. */
  g_assert_true (g_file_set_contents (local, "some notes\n", -1, NULL));
  {
    const char *paths[] = { local, NULL };

    gtk_window_present (GTK_WINDOW (ferry_upload_dialog_new (GTK_WINDOW (f->window), paths)));
  }
  dialog = ferry_test_gui_wait_toplevel (FERRY_TYPE_UPLOAD_DIALOG);
  gtk_editable_set_text (ferry_upload_dialog_get_target (FERRY_UPLOAD_DIALOG (dialog)), target);
  focus = gtk_root_get_focus (GTK_ROOT (dialog));
  g_assert_nonnull (focus);
  g_assert_nonnull (gtk_widget_get_ancestor (focus, ADW_TYPE_ENTRY_ROW));
  ferry_test_gui_press_keys (GTK_WIDGET (dialog), "Return");
  w.n = 2;
  g_assert_true (ferry_test_wait_until (ferry_test_gui_listed_at_least, &w, WAIT));
}


static gboolean
popover_shown (gpointer user_data)
{
  GtkPopover *popover = gtk_menu_button_get_popover (user_data);

  return popover != NULL && gtk_widget_get_mapped (GTK_WIDGET (popover));
}

static void
close_menu (GtkWidget *menu_button)
{
  gtk_menu_button_popdown (GTK_MENU_BUTTON (menu_button));
  g_assert_false (popover_shown (menu_button));
}

/* The row's menu opens by a right-click and by the Menu key and Shift+F10 on the focused
 * row; Cancel from it only pauses until its toast goes, and Undo lets the transfer go on.
 * Space pauses and resumes the focused row; Delete removes it, with Undo. */
static void
test_row_menu_and_keys (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) big = ferry_test_make_content (12 * MiB, 72);
  g_autoptr(FerryTransfer1) t = NULL;
  FerryTransferRow *row;
  GtkWidget *menu;
  AdwToast *toast;
  guint64 id;
  FerryTestGuiRow gone;

  ferry_test_server_add_file (f->server, "/fedora.iso", big, "\"f\"");
  ferry_test_server_set_throttle (f->server, "/fedora.iso", MiB);
  id = ferry_test_gui_add_download (f, "/fedora.iso", FALSE);
  t = ferry_test_gui_transfer (f, id);
  g_assert_true (ferry_test_wait_state (t, "running", WAIT));
  row = ferry_test_gui_wait_row (f, id, "");

  /* At the default width, the header shows the count and the rate. */
  {
    GtkWidget *w = GTK_WIDGET (f->window);

    ferry_test_gui_wait_drawn (w);
    g_test_message ("%d px wide: “%s”", gtk_widget_get_width (w),
                    ferry_window_get_aggregate_text (f->window));
    g_assert_nonnull (ferry_window_get_aggregate_text (f->window));
    g_assert_true (g_str_has_prefix (ferry_window_get_aggregate_text (f->window), "1 active — "));
  }

  /* One main button, and a menu; neither is a Tab stop. */
  g_assert_nonnull (ferry_transfer_row_get_button (row, "pause"));
  g_assert_null (ferry_transfer_row_get_button (row, "resume"));
  menu = ferry_transfer_row_get_button (row, "menu");
  g_assert_nonnull (menu);
  g_assert_false (gtk_widget_get_focusable (ferry_transfer_row_get_button (row, "pause")));

  /* A right-click anywhere on the row opens its menu. */
  ferry_test_gui_right_click (GTK_WIDGET (row));
  g_assert_true (ferry_test_wait_until (popover_shown, menu, WAIT));
  close_menu (menu);

  /* The Menu key and Shift+F10 on the focused row. */
  g_assert_true (gtk_widget_grab_focus (list_item_of (row)));
  ferry_test_gui_press_keys (GTK_WIDGET (row), "Menu");
  g_assert_true (ferry_test_wait_until (popover_shown, menu, WAIT));
  close_menu (menu);
  g_assert_true (gtk_widget_grab_focus (list_item_of (row)));
  ferry_test_gui_press_keys (GTK_WIDGET (row), "shift+F10");
  g_assert_true (ferry_test_wait_until (popover_shown, menu, WAIT));
  close_menu (menu);

  /* Cancel, from the menu's action: paused while the toast shows; Undo lets it run on. */
  gtk_widget_activate_action (GTK_WIDGET (row), "win.cancel-transfer", "t", id);
  g_assert_true (ferry_test_wait_state (t, "paused", WAIT));
  toast = ferry_window_get_last_toast (f->window);
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "“fedora.iso” canceled");
  g_signal_emit_by_name (toast, "button-clicked");
  dismiss (toast);
  g_assert_true (ferry_test_wait_state (t, "running", WAIT));

  /* Space on the focused row pauses it, and again resumes it. */
  row = ferry_test_gui_wait_row (f, id, "");
  g_assert_true (gtk_widget_grab_focus (list_item_of (row)));
  ferry_test_gui_press_keys (GTK_WIDGET (row), "space");
  g_assert_true (ferry_test_wait_state (t, "paused", WAIT));
  row = ferry_test_gui_wait_row (f, id, "Paused");
  g_assert_true (gtk_widget_grab_focus (list_item_of (row)));
  ferry_test_gui_press_keys (GTK_WIDGET (row), "space");
  g_assert_true (ferry_test_wait_state (t, "running", WAIT));

  /* Cancel without Undo: once the toast is gone, the transfer is canceled. */
  gtk_widget_activate_action (GTK_WIDGET (row), "win.cancel-transfer", "t", id);
  toast = ferry_window_get_last_toast (f->window);
  g_assert_nonnull (toast);
  dismiss (toast);
  g_assert_true (ferry_test_wait_state (t, "canceled", WAIT));

  /* Delete on the focused row removes it, with Undo. */
  row = ferry_test_gui_wait_row (f, id, "");
  g_assert_nonnull (ferry_transfer_row_get_button (row, "retry"));
  g_assert_true (gtk_widget_grab_focus (list_item_of (row)));
  ferry_test_gui_press_keys (GTK_WIDGET (row), "Delete");
  gone = (FerryTestGuiRow) { f, id, NULL };
  g_assert_true (ferry_test_wait_until (ferry_test_gui_row_gone, &gone, WAIT));
  toast = ferry_window_get_last_toast (f->window);
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "“fedora.iso” removed");
  g_assert_cmpuint (ferry_test_gui_n_listed (f), ==, 1);
}

static gboolean
file_gone (gpointer user_data)
{
  return !g_file_test (user_data, G_FILE_TEST_EXISTS);
}

/* Remove and Delete File asks first; Enter answers the safe way (the file stays). */
static void
test_remove_and_delete (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (300000, 73);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autofree char *file = NULL;
  GtkWindow *dialog;
  FerryTestGuiCount w = { f, 1 };
  guint64 id;

  ferry_test_server_add_file (f->server, "/photos.zip", content, "\"p\"");
  id = ferry_test_gui_add_download (f, "/photos.zip", FALSE);
  t = ferry_test_gui_transfer (f, id);
  g_assert_true (ferry_test_wait_state (t, "completed", WAIT));
  ferry_test_gui_wait_row (f, id, "Completed");
  file = g_strdup (ferry_transfer1_get_destination (t));
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.remove-and-delete", "t", id);
  dialog = ferry_test_gui_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "cancel");
  ferry_test_gui_press_keys (GTK_WIDGET (dialog), "Return");
  g_assert_true (ferry_test_wait_until (message_dialog_gone, NULL, WAIT));
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (ferry_test_gui_n_listed (f), ==, 1);

  /* Delete File: the file and the transfer go. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.remove-and-delete", "t", id);
  dialog = ferry_test_gui_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "delete");
  gtk_window_destroy (dialog);
  g_assert_true (ferry_test_wait_until (ferry_test_gui_listed_fewer, &w, WAIT));
  g_assert_true (ferry_test_wait_until (file_gone, file, WAIT));
}

typedef struct
{
  FerrySpeedGraph *graph;
  guint64 at_least;
} GraphWait;

static gboolean
graph_peak (gpointer user_data)
{
  GraphWait *w = user_data;

  return ferry_speed_graph_get_peak (w->graph) >= w->at_least;
}

/* The service's own count, read when the window opened. */
static gboolean
details_says_attempts (gpointer user_data)
{
  const char *text = ferry_details_window_get_attempts_text (user_data);

  return text != NULL && *text != '\0';
}

static gboolean
has_failed (gpointer user_data)
{
  const char *state = ferry_transfer1_get_state (user_data);

  return g_strcmp0 (state, "failed") == 0 || g_strcmp0 (state, "rejected") == 0;
}

static gboolean
has_error (gpointer user_data)
{
  const char *error = ferry_transfer1_get_error (user_data);

  return error != NULL && *error != '\0';
}

typedef struct
{
  GdkClipboard *clipboard;
  char *text;           /* the last text read */
  gboolean pending;
  const char *want;
} ClipboardWait;

static void
on_clipboard_text (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ClipboardWait *w = user_data;

  g_free (w->text);
  w->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  w->pending = FALSE;
}

static gboolean
clipboard_holds (gpointer user_data)
{
  ClipboardWait *w = user_data;

  if (g_strcmp0 (w->text, w->want) == 0)
    return TRUE;
  if (!w->pending)
    {
      w->pending = TRUE;
      gdk_clipboard_read_text_async (w->clipboard, NULL, on_clipboard_text, w);
    }
  return FALSE;
}

/* Activating a running row (Enter) opens its details: the speed graph rises with the bytes,
 * and draws nothing while hidden. A failed transfer's row is red, its icon says so, and
 * the whole error is in its details, with a Copy button. */
static void
test_details (Fixture       *f,
              gconstpointer  data)
{
  /* Long enough that bytes still come after the screenshot, which a sanitized app on a busy
   * machine takes seconds to make: 32 s at the server's 1 MiB/s on the one connection. */
  g_autoptr(GBytes) big = ferry_test_make_content (32 * MiB, 74);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(FerryTransfer1) broken = NULL;
  g_autofree char *copied = NULL;
  FerryDetailsWindow *details;
  FerryTransferRow *row;
  GraphWait gw;
  guint draws;
  guint64 id, broken_id;

  ferry_test_server_add_file (f->server, "/debian-12.iso", big, "\"d\"");
  ferry_test_server_set_throttle (f->server, "/debian-12.iso", MiB);
  /* The throttle holds each connection: one, for the rate below to be the server's. */
  id = ferry_test_gui_add_download_on (f, "/debian-12.iso", FALSE, 1);
  t = ferry_test_gui_transfer (f, id);
  g_assert_true (ferry_test_wait_state (t, "running", WAIT));
  row = ferry_test_gui_wait_row (f, id, "");

  g_assert_true (gtk_widget_grab_focus (list_item_of (row)));
  ferry_test_gui_press_keys (GTK_WIDGET (row), "Return");
  details = FERRY_DETAILS_WINDOW (ferry_test_gui_wait_toplevel (FERRY_TYPE_DETAILS_WINDOW));
  g_assert_cmpuint (ferry_transfer_item_get_id (ferry_details_window_get_item (details)), ==, id);
  g_assert_true (g_str_has_prefix (ferry_details_window_get_state_text (details), "Running — "));

  /* The graph shows the rate the server allows, about 1 MiB/s. */
  gw = (GraphWait) { FERRY_SPEED_GRAPH (ferry_details_window_get_graph (details)), MiB / 4 };
  g_assert_true (ferry_test_wait_until (graph_peak, &gw, WAIT));
  g_assert_cmpuint (ferry_speed_graph_get_peak (gw.graph), <, 4 * MiB);
  g_assert_true (ferry_test_wait_until (details_says_attempts, details, WAIT));
  /* A picture with a few seconds of graph in it. */
  gtk_window_set_default_size (GTK_WINDOW (details), 520, 720);
  g_assert_true (ferry_test_wait_bytes (t, 8 * MiB, WAIT));
  /* For README and data/screenshots: the details view, light. */
  ferry_test_gui_screenshot (GTK_WIDGET (details), "details");

  /* Hidden, the graph is not drawn, however many bytes arrive. */
  gtk_widget_set_visible (GTK_WIDGET (details), FALSE);
  draws = ferry_speed_graph_get_n_draws (gw.graph);
  g_assert_true (ferry_test_wait_bytes (t, ferry_transfer1_get_bytes_done (t) + 2 * MiB, WAIT));
  g_assert_cmpuint (ferry_speed_graph_get_n_draws (gw.graph), ==, draws);
  gtk_window_destroy (GTK_WINDOW (details));

  /* A download the server does not have. */
  broken_id = ferry_test_gui_add_download (f, "/gone-missing.tar.gz", FALSE);
  broken = ferry_test_gui_transfer (f, broken_id);
  g_assert_true (ferry_test_wait_until (has_failed, broken, WAIT));
  g_assert_true (ferry_test_wait_until (has_error, broken, WAIT));
  g_test_message ("The error: %s", ferry_transfer1_get_error (broken));
  row = ferry_test_gui_wait_row (f, broken_id, "Failed");
  g_assert_true (gtk_widget_has_css_class (ferry_transfer_row_get_icon (row), "error"));
  g_assert_nonnull (ferry_transfer_row_get_button (row, "retry"));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-details", "t", broken_id);
  details = FERRY_DETAILS_WINDOW (ferry_test_gui_wait_toplevel (FERRY_TYPE_DETAILS_WINDOW));
  g_assert_cmpstr (ferry_details_window_get_error_text (details), ==,
                   ferry_transfer1_get_error (broken));
  /* The error is at the bottom, scrolled out of a small window: the button is activated as
   * the keyboard would (Xvfb has no window manager to stack the windows for a click). */
  ferry_test_gui_wait_drawn (GTK_WIDGET (details));
  gtk_widget_activate (ferry_details_window_get_copy_error_button (details));
  {
    /* The X selection changes hands in a round trip: read until it holds the sentence. */
    ClipboardWait cw = { gtk_widget_get_clipboard (GTK_WIDGET (details)), NULL, FALSE,
                         ferry_transfer1_get_error (broken) };

    ferry_test_wait_until (clipboard_holds, &cw, WAIT);
    copied = g_steal_pointer (&cw.text);
  }
  g_assert_cmpstr (copied, ==, ferry_transfer1_get_error (broken));
}

static gboolean
status_is_one_line (gpointer user_data)
{
  return !ferry_transfer_row_get_status_wraps (user_data);
}

static gboolean
page_shows (gpointer user_data)
{
  GtkStack *stack = user_data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), "no-results") == 0;
}

static gboolean
has_toast (gpointer user_data)
{
  Fixture *f = user_data;

  return ferry_window_get_last_toast (f->window) != NULL;
}

/* New transfers say so ("2 downloads added", Show); a search that finds nothing says so;
 * icons are symbolic even for an .iso; Clear Finished empties the Finished page with Undo. */
static void
test_list_feedback (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (200000, 75);
  g_autofree char *one = ferry_test_server_uri (f->server, "/one.iso");
  g_autofree char *two = ferry_test_server_uri (f->server, "/two.bin");
  const char *uris[] = { one, two, NULL };
  g_auto(GStrv) paths = NULL;
  GVariantDict options;
  AdwToast *toast;
  FerryTransferRow *row;
  FerryTestGuiCount w = { f, 2 };
  guint64 ids[2];

  /* The app's icon is found in a run from the build directory, for the About window. */
  g_assert_true (gtk_icon_theme_has_icon (
    gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (f->window))),
    FERRY_APP_ID));

  ferry_test_server_add_file (f->server, "/one.iso", content, "\"1\"");
  ferry_test_server_add_file (f->server, "/two.bin", content, "\"2\"");
  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "destination", "s", f->daemon->download_dir);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "add",
                                  g_variant_new ("(^as@a{sv})", uris,
                                                 g_variant_dict_end (&options)));
  g_assert_true (ferry_test_wait_until (ferry_test_gui_listed_at_least, &w, WAIT));
  g_assert_true (ferry_test_wait_until (has_toast, f, WAIT));
  toast = ferry_window_get_last_toast (f->window);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "2 downloads added");
  g_assert_cmpstr (adw_toast_get_button_label (toast), ==, "_Show");

  paths = ferry_test_daemon_list (f->daemon, "");
  for (guint i = 0; i < 2; i++)
    ids[i] = g_ascii_strtoull (strrchr (paths[i], '/') + 1, NULL, 10);
  for (guint i = 0; i < 2; i++)
    {
      GtkWidget *image;
      g_autoptr(GtkIconPaintable) paintable = NULL;
      g_autoptr(GFile) file = NULL;

      /* What the icon theme draws for it: a symbolic icon, recoloured with the text. */
      row = ferry_test_gui_wait_row (f, ids[i], "Completed");
      image = ferry_transfer_row_get_icon (row);
      paintable = gtk_icon_theme_lookup_by_gicon (
        gtk_icon_theme_get_for_display (gtk_widget_get_display (image)),
        gtk_image_get_gicon (GTK_IMAGE (image)), 32, 1, GTK_TEXT_DIR_LTR, 0);
      file = gtk_icon_paintable_get_file (paintable);
      g_test_message ("%s: %s", i == 0 ? "one.iso" : "two.bin",
                      file ? g_file_peek_path (file) : "(no file)");
      g_assert_true (gtk_icon_paintable_is_symbolic (paintable));
    }

  /* A search with no match says so. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.search", NULL);
  {
    GtkWidget *entry = ferry_test_gui_find_descendant (GTK_WIDGET (f->window),
                                                       GTK_TYPE_SEARCH_ENTRY);
    GtkStack *stack;

    g_assert_nonnull (entry);
    gtk_editable_set_text (GTK_EDITABLE (entry), "no-such-thing");
    stack = GTK_STACK (gtk_widget_get_ancestor (GTK_WIDGET (row), GTK_TYPE_STACK));
    g_assert_true (ferry_test_wait_until (page_shows, stack, WAIT));
    gtk_editable_set_text (GTK_EDITABLE (entry), "");
  }
  row = ferry_test_gui_wait_row (f, ids[0], "Completed");

  /* At 360 px the status line wraps rather than being cut; wide, it is one line. */
  g_assert_false (ferry_transfer_row_get_status_wraps (row));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 600);
  g_assert_true (ferry_test_wait_until ((FerryTestCondition) ferry_transfer_row_get_status_wraps,
                                        row, WAIT));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 760, 600);
  g_assert_true (ferry_test_wait_until (status_is_one_line, row, WAIT));

  /* Clear Finished: both go at once, with one Undo. */
  dismiss (toast);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.clear-finished", NULL);
  toast = ferry_window_get_last_toast (f->window);
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "2 transfers removed");
  dismiss (toast);
  w.n = 1;
  g_assert_true (ferry_test_wait_until (ferry_test_gui_listed_fewer, &w, WAIT));
}

static gboolean
all_paused (gpointer user_data)
{
  FerryTransfer1 **t = user_data;

  for (guint i = 0; t[i] != NULL; i++)
    {
      if (g_strcmp0 (ferry_transfer1_get_state (t[i]), "paused") != 0)
        return FALSE;
    }
  return TRUE;
}

/* Ctrl+A selects every row; the selection's Pause pauses them all. */
static void
test_multi_select (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) big = ferry_test_make_content (8 * MiB, 76);
  FerryTransfer1 *t[4] = { NULL };
  FerryTransferRow *row = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("/part-%u.iso", i);
      guint64 id;

      ferry_test_server_add_file (f->server, name, big, "\"p\"");
      ferry_test_server_set_throttle (f->server, name, MiB / 2);
      id = ferry_test_gui_add_download (f, name, FALSE);
      t[i] = ferry_test_gui_transfer (f, id);
      /* Running or queued behind the others: either can be paused. */
      row = ferry_test_gui_wait_row (f, id, "");
    }

  g_assert_true (gtk_widget_grab_focus (list_item_of (row)));
  ferry_test_gui_press_keys (GTK_WIDGET (row), "ctrl+a");
  {
    GtkWidget *bar = ferry_test_gui_find_descendant (GTK_WIDGET (f->window), GTK_TYPE_REVEALER);

    /* The selection's bar slides in. */
    bar = ferry_test_gui_find_descendant (GTK_WIDGET (f->window), GTK_TYPE_ACTION_BAR);
    bar = gtk_widget_get_ancestor (bar, GTK_TYPE_REVEALER);
    g_assert_nonnull (bar);
    g_assert_true (ferry_test_wait_until ((FerryTestCondition) gtk_revealer_get_reveal_child,
                                          bar, WAIT));
  }
  {
    GtkSelectionModel *model = gtk_list_view_get_model (
      GTK_LIST_VIEW (gtk_widget_get_ancestor (GTK_WIDGET (row), GTK_TYPE_LIST_VIEW)));
    g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (model);

    g_assert_cmpuint (gtk_bitset_get_size (selected), ==, 3);
  }
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.pause-selected", NULL);
  g_assert_true (ferry_test_wait_until (all_paused, t, WAIT));
  for (guint i = 0; i < 3; i++)
    g_object_unref (t[i]);
}

/* -- Accessibility ----------------------------------------------------------------------- */

static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) ||
         GTK_IS_SEARCH_ENTRY (widget) || GTK_IS_SWITCH (widget) || GTK_IS_SPIN_BUTTON (widget) ||
         GTK_IS_TEXT_VIEW (widget) || GTK_IS_PROGRESS_BAR (widget) || GTK_IS_LIST_VIEW (widget);
}

/* The name a screen reader gets: an accessible label, a label relation, or a button's own
 * text. A button inside a named GtkMenuButton is that menu button. */
static gboolean
has_name (GtkWidget *widget)
{
  GtkAccessible *accessible = GTK_ACCESSIBLE (widget);
  GtkWidget *parent = gtk_widget_get_parent (widget);

  if (gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL) ||
      gtk_test_accessible_has_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return TRUE;
  if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL &&
      gtk_button_get_icon_name (GTK_BUTTON (widget)) == NULL)
    return TRUE;
  if (GTK_IS_BUTTON (widget) && GTK_IS_LABEL (gtk_button_get_child (GTK_BUTTON (widget))))
    return TRUE;
  if (parent != NULL && GTK_IS_MENU_BUTTON (parent))
    return has_name (parent);
  if (GTK_IS_PROGRESS_BAR (widget))
    return gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT);
  return FALSE;
}

static void
collect_unnamed (GtkWidget *widget,
                 GString   *unnamed)
{
  /* What is not on screen (a closed popover's list) is not read out either. */
  if (!gtk_widget_get_mapped (widget))
    return;
  /* libadwaita's own inner parts (window controls, the entry row's text) are its to name. */
  if (is_control (widget) && !has_name (widget) &&
      gtk_widget_get_ancestor (widget, GTK_TYPE_WINDOW_CONTROLS) == NULL &&
      gtk_widget_get_ancestor (widget, ADW_TYPE_ENTRY_ROW) == NULL &&
      gtk_widget_get_ancestor (widget, ADW_TYPE_EXPANDER_ROW) == NULL &&
      gtk_widget_get_ancestor (widget, ADW_TYPE_COMBO_ROW) == NULL)
    {
      const char *tooltip = gtk_widget_get_tooltip_text (widget);

      g_string_append_printf (unnamed, "  %s (tooltip “%s”, in %s)\n",
                              G_OBJECT_TYPE_NAME (widget), tooltip ? tooltip : "",
                              G_OBJECT_TYPE_NAME (gtk_widget_get_parent (widget)));
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_unnamed (c, unnamed);
}

static void
assert_all_named (GtkWidget  *root,
                  const char *what)
{
  g_autoptr(GString) unnamed = g_string_new (NULL);

  collect_unnamed (root, unnamed);
  if (unnamed->len > 0)
    g_error ("Unnamed controls in %s:\n%s", what, unnamed->str);
}

/* Every control of the main window (rows in several states), the add dialog and the details
 * view has a name a screen reader can say. */
static void
test_accessible_names (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (4 * MiB, 77);
  g_autoptr(FerryTransfer1) t = NULL;
  GtkWindow *dialog;
  guint64 running, paused, done;

  ferry_test_server_add_file (f->server, "/live.iso", content, "\"l\"");
  ferry_test_server_add_file (f->server, "/done.iso", content, "\"d\"");
  ferry_test_server_set_throttle (f->server, "/live.iso", MiB);
  done = ferry_test_gui_add_download (f, "/done.iso", FALSE);
  running = ferry_test_gui_add_download (f, "/live.iso", FALSE);
  paused = ferry_test_gui_add_download (f, "/later.iso", TRUE);
  ferry_test_gui_wait_row (f, done, "Completed");
  ferry_test_gui_wait_row (f, paused, "Paused");
  t = ferry_test_gui_transfer (f, running);
  g_assert_true (ferry_test_wait_state (t, "running", WAIT));
  ferry_test_gui_wait_row (f, running, "");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.search", NULL);
  assert_all_named (GTK_WIDGET (f->window), "the main window");

  ferry_window_add_links (f->window, NULL);
  dialog = ferry_test_gui_wait_toplevel (FERRY_TYPE_ADD_DIALOG);
  assert_all_named (GTK_WIDGET (dialog), "the add dialog");
  gtk_window_destroy (dialog);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-details", "t", running);
  dialog = ferry_test_gui_wait_toplevel (FERRY_TYPE_DETAILS_WINDOW);
  assert_all_named (GTK_WIDGET (dialog), "the details view");
}

static gboolean
app_saw_service_go (gpointer user_data)
{
  Fixture *f = user_data;
  FerrySession *session = ferry_client_get_session (ferry_application_get_client (f->app));

  return session != NULL && !ferry_session_get_service_running (session);
}

/* The service leaves when it has nothing to do (here it is made to): the header does not
 * call that "Offline", which is about the network. */
static void
test_service_gone (Fixture       *f,
                   gconstpointer  data)
{
  const char *text;

  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 600);
  ferry_test_gui_wait_drawn (GTK_WIDGET (f->window));
  text = ferry_window_get_aggregate_text (f->window);
  g_test_message ("With the service there: “%s”", text ? text : "(none)");
  g_assert_cmpstr (text, !=, "Offline");

  ferry_test_daemon_kill (f->daemon);
  g_assert_true (ferry_test_wait_until (app_saw_service_go, f, WAIT));
  ferry_test_gui_wait_drawn (GTK_WIDGET (f->window));
  text = ferry_window_get_aggregate_text (f->window);
  g_test_message ("With the service gone: “%s”", text ? text : "(none)");
  g_assert_cmpstr (text, !=, "Offline");
}

/* -- A real drag ---------------------------------------------------------------------------- */

static void
on_xdotool_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error);
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_set (gpointer user_data)
{
  return *(gboolean *) user_data;
}

/* xdotool run while the main loop goes on: a drag needs both ends answering as it moves. */
static void
xdotool_async (const char *command)
{
  g_autofree char *line = g_strdup_printf ("xdotool %s", command);
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  gboolean done = FALSE;

  g_test_message ("%s", line);
  g_assert_true (g_shell_parse_argv (line, NULL, &argv, &error));
  proc = g_subprocess_newv ((const char *const *) argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (proc, NULL, on_xdotool_done, &done);
  g_assert_true (ferry_test_wait_until (flag_set, &done, WAIT));
}

/* A link dragged from another window (a GtkDragSource, as a browser's) and dropped on Ferry's
 * list is downloaded, and a toast says so. */
static void
test_real_drag (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (150000, 79);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/dragged.iso");
  g_autofree char *command = NULL;
  gulong from, to;
  GtkWidget *source_window = gtk_window_new ();
  GtkWidget *label = gtk_label_new ("Drag this link");
  GtkDragSource *drag = gtk_drag_source_new ();
  g_autoptr(GdkContentProvider) provider = NULL;
  FerryTestGuiCount w = { f, 1 };

  ferry_test_server_add_file (f->server, "/dragged.iso", content, "\"g\"");

  provider = gdk_content_provider_new_typed (G_TYPE_STRING, uri);
  gtk_drag_source_set_content (drag, provider);
  gtk_drag_source_set_actions (drag, GDK_ACTION_COPY);
  gtk_widget_add_controller (label, GTK_EVENT_CONTROLLER (drag));
  gtk_widget_set_size_request (label, 240, 120);
  gtk_window_set_child (GTK_WINDOW (source_window), label);
  gtk_window_set_default_size (GTK_WINDOW (source_window), 240, 120);
  gtk_window_present (GTK_WINDOW (source_window));
  ferry_test_gui_wait_drawn (label);
  ferry_test_gui_wait_drawn (GTK_WIDGET (f->window));

  /* Beside Ferry's window: Xvfb has no window manager to place it. */
  command = g_strdup_printf ("windowmove %lu 1000 100", ferry_test_gui_xid (label));
  ferry_test_gui_xdotool (command);
  ferry_test_gui_wait_drawn (label);
  g_clear_pointer (&command, g_free);
  from = ferry_test_gui_xid (label);
  to = ferry_test_gui_xid (GTK_WIDGET (f->window));
  command = g_strdup_printf ("mousemove --window %lu 120 60 mousedown 1 "
                             "mousemove --window %lu 140 70 sleep 0.3 "
                             "mousemove --window %lu 160 80 sleep 0.3 "
                             "mousemove --window %lu 400 300 sleep 0.3 "
                             "mousemove --window %lu 420 320 sleep 0.5 mouseup 1",
                             from, from, from, to, to);
  xdotool_async (command);

  g_assert_true (ferry_test_wait_until (ferry_test_gui_listed_at_least, &w, WAIT));
  g_assert_true (ferry_test_wait_until (has_toast, f, WAIT));
  g_assert_cmpstr (adw_toast_get_title (ferry_window_get_last_toast (f->window)), ==,
                   "1 download added");
  gtk_window_destroy (GTK_WINDOW (source_window));
}

/* -- Languages ---------------------------------------------------------------------------- */

static void
collect_strings (GtkWidget  *widget,
                 GPtrArray  *strings)
{
  const char *tooltip;

  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget))
    g_ptr_array_add (strings, g_strdup (gtk_label_get_label (GTK_LABEL (widget))));
  if (GTK_IS_SEARCH_ENTRY (widget))
    {
      g_autofree char *placeholder = NULL;

      g_object_get (widget, "placeholder-text", &placeholder, NULL);
      if (placeholder != NULL)
        g_ptr_array_add (strings, g_steal_pointer (&placeholder));
    }
  if (ADW_IS_PREFERENCES_ROW (widget))
    g_ptr_array_add (strings,
                     g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget))));
  if (ADW_IS_STATUS_PAGE (widget) && gtk_widget_get_mapped (widget))
    {
      g_ptr_array_add (strings, g_strdup (adw_status_page_get_title (ADW_STATUS_PAGE (widget))));
      g_ptr_array_add (strings,
                       g_strdup (adw_status_page_get_description (ADW_STATUS_PAGE (widget))));
    }
  tooltip = gtk_widget_get_tooltip_text (widget);
  /* A row's tooltips are worded when the pointer rests on them. */
  if (tooltip == NULL && gtk_widget_get_ancestor (widget, FERRY_TYPE_TRANSFER_ROW) != NULL)
    tooltip = ferry_transfer_row_get_tooltip (
      FERRY_TRANSFER_ROW (gtk_widget_get_ancestor (widget, FERRY_TYPE_TRANSFER_ROW)), widget);
  if (tooltip != NULL)
    g_ptr_array_add (strings, g_strdup (tooltip));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_strings (c, strings);
}

/* Writes every text the main window (with rows and its menus' titles) and the add dialog
 * show to $FERRY_STRINGS_OUT, one a line; tests/gui/check-locales.py finds the untranslated
 * ones among them, under each language. */
static void
test_strings (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (100000, 78);
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *path = g_getenv ("FERRY_STRINGS_OUT");
  GtkWindow *dialog;
  FerryTransferRow *row;
  guint64 done, paused;

  if (path == NULL)
    {
      g_test_skip ("FERRY_STRINGS_OUT names no file (tests/gui/check-locales.py sets it)");
      return;
    }

  ferry_test_server_add_file (f->server, "/done.iso", content, "\"d\"");
  done = ferry_test_gui_add_download (f, "/done.iso", FALSE);
  paused = ferry_test_gui_add_download (f, "/later.iso", TRUE);
  ferry_test_gui_wait_row (f, done, "");
  row = ferry_test_gui_wait_row (f, paused, "");
  g_assert_true (ferry_test_wait_state (ferry_test_gui_transfer (f, done), "completed", WAIT));
  ferry_test_gui_wait_drawn (GTK_WIDGET (row));
  collect_strings (GTK_WIDGET (f->window), strings);
  /* Each page's empty state, as a first run shows it. */
  ferry_window_set_page (f->window, "scheduled");
  ferry_test_gui_wait_drawn (GTK_WIDGET (f->window));
  collect_strings (GTK_WIDGET (f->window), strings);

  ferry_window_add_links (f->window, NULL);
  dialog = ferry_test_gui_wait_toplevel (FERRY_TYPE_ADD_DIALOG);
  ferry_test_gui_wait_drawn (GTK_WIDGET (dialog));
  collect_strings (GTK_WIDGET (dialog), strings);
  g_ptr_array_add (strings, g_strdup (gtk_window_get_title (dialog)));

  for (guint i = 0; i < strings->len; i++)
    {
      const char *s = g_ptr_array_index (strings, i);

      /* One a line: a text's own line breaks are written as \n, as in a .po file. */
      if (s != NULL && *s != '\0')
        {
          g_auto(GStrv) lines = g_strsplit (s, "\n", -1);
          g_autofree char *joined = g_strjoinv ("\\n", lines);

          g_string_append_printf (out, "%s\n", joined);
        }
    }
  g_assert_cmpuint (strings->len, >, 20);
  g_assert_true (g_file_set_contents (path, out->str, -1, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  /* As the app's main() does: FERRY_LOCALEDIR points at the build's catalogues. */
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

  g_test_add ("/gui/dialog-keys", Fixture, NULL, fixture_setup, test_dialog_keys,
              fixture_teardown);
  g_test_add ("/gui/row-menu-and-keys", Fixture, NULL, fixture_setup, test_row_menu_and_keys,
              fixture_teardown);
  g_test_add ("/gui/remove-and-delete", Fixture, NULL, fixture_setup, test_remove_and_delete,
              fixture_teardown);
  g_test_add ("/gui/details", Fixture, NULL, fixture_setup, test_details, fixture_teardown);
  g_test_add ("/gui/list-feedback", Fixture, NULL, fixture_setup, test_list_feedback,
              fixture_teardown);
  g_test_add ("/gui/multi-select", Fixture, NULL, fixture_setup, test_multi_select,
              fixture_teardown);
  g_test_add ("/gui/accessible-names", Fixture, NULL, fixture_setup, test_accessible_names,
              fixture_teardown);
  g_test_add ("/gui/strings", Fixture, NULL, fixture_setup, test_strings, fixture_teardown);
  g_test_add ("/gui/service-gone", Fixture, NULL, fixture_setup, test_service_gone,
              fixture_teardown);
  g_test_add ("/gui/real-drag", Fixture, NULL, fixture_setup, test_real_drag, fixture_teardown);

  return g_test_run ();
}
