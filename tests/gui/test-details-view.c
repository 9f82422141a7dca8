/* test-details-view.c: the details window tells what the service knows of a transfer — the
 * address redirects led to, each attempt with its time, status, bytes and sentence, the
 * validator and the checksum — and its Open and Show in Folder buttons look different
 *
 * Under Xvfb with the real ferryd; the window opens from the row by a real Enter (xdotool).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "ferry-application.h"
#include "ferry-details-window.h"
#include "ferry-test-gui.h"
#include "ferry-transfer-item.h"
#include "ferry-transfer-row.h"
#include "ferry-window.h"

#define WAIT 30000

typedef FerryTestGui Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  ferry_test_gui_setup (f, FERRY_TEST_GUI_NONE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  ferry_test_gui_teardown (f);
}

/* -- Waits ------------------------------------------------------------------------------- */

typedef struct
{
  Fixture *f;
  guint64 id;
  FerryDetailsWindow *found;
} DetailsWait;

static gboolean
row_shown (gpointer user_data)
{
  DetailsWait *w = user_data;

  return ferry_window_find_row (w->f->window, w->id) != NULL;
}

static gboolean
details_shown (gpointer user_data)
{
  DetailsWait *w = user_data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (FERRY_IS_DETAILS_WINDOW (window) && gtk_widget_get_mapped (GTK_WIDGET (window)))
        {
          w->found = FERRY_DETAILS_WINDOW (window);
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
details_gone (gpointer user_data)
{
  DetailsWait *w = user_data;

  return w->found == NULL;
}

/* The window has read the service's facts: the final address and two attempts. */
static gboolean
details_has_facts (gpointer user_data)
{
  FerryDetailsWindow *details = user_data;
  g_auto(GStrv) attempts = ferry_details_window_dup_attempt_texts (details);

  return ferry_details_window_get_final_uri_text (details) != NULL &&
         g_strv_length (attempts) == 2;
}

typedef struct
{
  FerryTransfer *transfer;
  const char *want;
} FinalWait;

static gboolean
library_knows_final (gpointer user_data)
{
  FinalWait *w = user_data;

  return g_strcmp0 (ferry_transfer_get_final_uri (w->transfer), w->want) == 0;
}

static GBytes *
icon_contents (GtkWidget *button)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (button));
  const char *name = gtk_button_get_icon_name (GTK_BUTTON (button));
  g_autoptr(GtkIconPaintable) icon = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_assert_nonnull (name);
  g_assert_true (gtk_icon_theme_has_icon (theme, name));
  icon = gtk_icon_theme_lookup_icon (theme, name, NULL, 16, 1, GTK_TEXT_DIR_NONE, 0);
  file = gtk_icon_paintable_get_file (icon);
  g_assert_nonnull (file);
  bytes = g_file_load_bytes (file, NULL, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s: %s", name, g_file_peek_path (file));
  return g_steal_pointer (&bytes);
}

/* -- The case ------------------------------------------------------------------------------ */

/* A download behind a redirect whose target is busy once: the details show where the bytes
 * came from, both attempts (503, then 200 with every byte), the ETag a resume would use and
 * the verified SHA-256; Open and Show in Folder have different icons, tooltips and names. */
static void
test_details_facts (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (300 * 1024, 91);
  g_autofree char *sha256 = ferry_test_sha256_bytes (content);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/latest");
  g_autofree char *final = ferry_test_server_uri (f->server, "/mirror/ubuntu.iso");
  g_autofree char *path = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want_checksum = NULL;
  g_autofree char *size = g_format_size (300 * 1024);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) open_icon = NULL;
  g_autoptr(GBytes) folder_icon = NULL;
  g_auto(GStrv) attempts = NULL;
  FerryDetailsWindow *details;
  FerryTransferItem *item;
  GtkWidget *row;
  GVariantDict options;
  DetailsWait dw = { f, 0, NULL };
  FinalWait fw;

  ferry_test_server_add_file (f->server, "/mirror/ubuntu.iso", content, "\"u-24\"");
  ferry_test_server_queue_status (f->server, "/mirror/ubuntu.iso", 503, "1");
  ferry_test_server_add_redirect (f->server, "/latest", "/mirror/ubuntu.iso");

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "destination", "s", f->daemon->download_dir);
  g_variant_dict_insert (&options, "sha256", "s", sha256);
  path = ferry_test_daemon_add (f->daemon, uri, g_variant_dict_end (&options), &error);
  g_assert_no_error (error);
  dw.id = g_ascii_strtoull (strrchr (path, '/') + 1, NULL, 10);
  t = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_true (ferry_test_wait_state (t, "completed", WAIT));
  got = ferry_test_sha256_file (ferry_transfer1_get_destination (t));
  g_assert_cmpstr (got, ==, sha256);

  /* Enter on the finished row opens the file; the details come from its menu's action,
   * as Details in the row's menu does. */
  g_assert_true (ferry_test_wait_until (row_shown, &dw, WAIT));
  row = ferry_window_find_row (f->window, dw.id);
  ferry_test_gui_wait_drawn (row);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-details", "t", dw.id);
  g_assert_true (ferry_test_wait_until (details_shown, &dw, WAIT));
  details = dw.found;
  gtk_window_set_default_size (GTK_WINDOW (details), 560, 1000);
  g_assert_true (ferry_test_wait_until (details_has_facts, details, WAIT));

  g_assert_cmpstr (ferry_details_window_get_final_uri_text (details), ==, final);
  attempts = ferry_details_window_dup_attempt_texts (details);
  g_test_message ("Attempts shown:\n%s\n%s", attempts[0], attempts[1]);
  /* Newest first: the one that went well, with every byte; then the busy one. */
  g_assert_nonnull (strstr (attempts[0], "HTTP 200"));
  g_assert_nonnull (strstr (attempts[0], size));
  g_assert_nonnull (strstr (attempts[0], "succeeded"));
  g_assert_nonnull (strstr (attempts[1], "HTTP 503"));
  g_assert_nonnull (strstr (attempts[1], "The server is busy or down for maintenance"));
  g_assert_cmpstr (ferry_details_window_get_validator_text (details), ==, "\"u-24\"");
  want_checksum = g_strdup_printf ("Verified: SHA-256 %s", sha256);
  g_assert_cmpstr (ferry_details_window_get_checksum_text (details), ==, want_checksum);

  /* The library's own transfer heard the same from the service's signals. */
  item = ferry_details_window_get_item (details);
  fw = (FinalWait) { ferry_transfer_item_get_transfer (item), final };
  g_assert_true (ferry_test_wait_until (library_knows_final, &fw, WAIT));
  g_assert_cmpstr (ferry_transfer_get_validator (fw.transfer), ==, "\"u-24\"");
  g_assert_cmpuint (g_variant_n_children (ferry_transfer_get_attempt_log (fw.transfer)), ==, 2);

  /* Two buttons, two pictures: the icons are different files with different drawings. */
  open_icon = icon_contents (ferry_details_window_get_open_button (details));
  folder_icon = icon_contents (ferry_details_window_get_folder_button (details));
  g_assert_false (g_bytes_equal (open_icon, folder_icon));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (ferry_details_window_get_open_button (details)),
                   ==, "Open");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (
                     ferry_details_window_get_folder_button (details)), ==, "Show in Folder");

  ferry_test_gui_wait_drawn (GTK_WIDGET (details));
  ferry_test_gui_screenshot (GTK_WIDGET (details), "details-facts");

  /* Escape, a real key, closes it. */
  g_object_add_weak_pointer (G_OBJECT (details), (gpointer *) &dw.found);
  ferry_test_gui_press_keys (GTK_WIDGET (details), "Escape");
  g_assert_true (ferry_test_wait_until (details_gone, &dw, WAIT));
}

static gboolean
state_says_rule (gpointer user_data)
{
  FerryDetailsWindow *details = user_data;
  const char *text = ferry_details_window_get_state_text (details);

  return text != NULL && g_str_has_prefix (text, "Running") &&
         strstr (text, "Pauses if the network becomes metered") != NULL;
}

static gboolean
state_lost_rule (gpointer user_data)
{
  FerryDetailsWindow *details = user_data;
  const char *text = ferry_details_window_get_state_text (details);

  return text != NULL && g_str_has_prefix (text, "Running") &&
         strstr (text, "Pauses if the network becomes metered") == NULL;
}

/* A running download kept off metered networks says, in Details, what a metered network
 * would do to it, while the network is unmetered; one allowed on them does not. */
static void
test_details_network_rule (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (4 * 1024 * 1024, 17);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/big.bin");
  g_autofree char *path = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict options;
  DetailsWait dw = { f, 0, NULL };
  FerryDetailsWindow *details;

  ferry_test_server_add_file (f->server, "/big.bin", content, "\"big-1\"");
  ferry_test_server_set_throttle (f->server, "/big.bin", 64 * 1024);

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "destination", "s", f->daemon->download_dir);
  g_variant_dict_insert (&options, "allow-metered", "b", FALSE);
  path = ferry_test_daemon_add (f->daemon, uri, g_variant_dict_end (&options), &error);
  g_assert_no_error (error);
  dw.id = g_ascii_strtoull (strrchr (path, '/') + 1, NULL, 10);
  t = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_true (ferry_test_wait_state (t, "running", WAIT));

  g_assert_true (ferry_test_wait_until (row_shown, &dw, WAIT));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-details", "t", dw.id);
  g_assert_true (ferry_test_wait_until (details_shown, &dw, WAIT));
  details = dw.found;
  g_assert_true (ferry_test_wait_until (state_says_rule, details, WAIT));
  g_test_message ("State: %s", ferry_details_window_get_state_text (details));

  /* Allowed on metered networks now: the rule is gone from the same window. */
  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "allow-metered", "b", TRUE);
  g_assert_true (ferry_transfer1_call_update_sync (t, g_variant_dict_end (&options), NULL,
                                                   &error));
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_until (state_lost_rule, details, WAIT));
  gtk_window_destroy (GTK_WINDOW (details));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (g_getenv ("DISPLAY") == NULL)
    {
      g_print ("1..1\nok 1 # SKIP no X display (these tests need xvfb-run and xdotool)\n");
      return 0;
    }

  g_test_add ("/gui/details-facts", Fixture, NULL, fixture_setup, test_details_facts,
              fixture_teardown);
  g_test_add ("/gui/details-network-rule", Fixture, NULL, fixture_setup,
              test_details_network_rule, fixture_teardown);

  return g_test_run ();
}
