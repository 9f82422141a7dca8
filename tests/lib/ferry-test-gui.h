/* ferry-test-gui.h: the real app under Xvfb against the real ferryd — the window fixture,
 * real keys and clicks (xdotool), waits for frames that draw, and screenshots
 *
 * Every wait is on a state or a frame, never on time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ferry-application.h"
#include "ferry-test-daemon.h"
#include "ferry-test-server.h"
#include "ferry-test-system.h"
#include "ferry-test-upload-server.h"
#include "ferry-transfer-row.h"
#include "ferry-window.h"

G_BEGIN_DECLS

/* How long a wait of these helpers may take before the test fails. */
#define FERRY_TEST_GUI_WAIT 30000

typedef enum
{
  FERRY_TEST_GUI_NONE = 0,
  /* An upload server (IETF draft, interop version 9; tus; plain) in gui->uploads. */
  FERRY_TEST_GUI_UPLOADS = 1 << 0,
  /* A system bus of the test's with dbusmock's NetworkManager in gui->system, for ferryd
   * and the app to watch; the test skips where dbusmock is not installed. */
  FERRY_TEST_GUI_MOCK_SYSTEM = 1 << 1,
  /* The app registers, but no window is shown (as when ferryd activates it). */
  FERRY_TEST_GUI_NO_WINDOW = 1 << 2,
  /* ferry_test_gui_open_app() returns once the window is made, before the main loop ran:
   * the client has read nothing yet. */
  FERRY_TEST_GUI_UNREAD = 1 << 3,
} FerryTestGuiFlags;

/* What a GUI test runs against; the fields a flag does not ask for stay NULL. */
typedef struct
{
  FerryTestSystem *system;
  FerryTestServer *server;
  FerryTestUploadServer *uploads;
  FerryTestDaemon *daemon;
  FerryApplication *app;
  FerryWindow *window;
  GSubprocess *notifications;
} FerryTestGui;

/* The test server, ferryd on a private bus, dbusmock's notification server on it, and the
 * app with its window mapped and its client ready. Returns FALSE when the test skipped. */
gboolean ferry_test_gui_setup (FerryTestGui      *gui,
                               FerryTestGuiFlags  flags);
/* The app alone, for a test that prepared gui->daemon itself (stop_only set): registered,
 * its client ready, and (unless FERRY_TEST_GUI_NO_WINDOW) its window mapped. */
void     ferry_test_gui_open_app (FerryTestGui      *gui,
                                  FerryTestGuiFlags  flags);
/* Frees what setup made, the window first. */
void     ferry_test_gui_teardown (FerryTestGui *gui);

/* -- Frames and pictures ---------------------------------------------------------------- */

/* @widget is laid out and on screen, and a frame since this call drew something of it (a
 * dialog still fading in draws nothing). */
void ferry_test_gui_wait_drawn (GtkWidget *widget);
/* Waits as ferry_test_gui_wait_drawn() does, and on until two drawing frames in a row make
 * the same picture (animations have ended), then writes that picture of @widget into
 * $G_TEST_BUILDDIR/screenshots/@name.png. */
void ferry_test_gui_screenshot (GtkWidget  *widget,
                                const char *name);

/* -- Real input ------------------------------------------------------------------------- */

/* The X window @widget is in. */
gulong ferry_test_gui_xid (GtkWidget *widget);
/* Runs "xdotool @command" and asserts it succeeded. */
void   ferry_test_gui_xdotool (const char *command);
/* Key presses as the keyboard makes them ("ctrl+a Return"), to the window @widget is in,
 * which gets the X focus first (Xvfb has no window manager to give it). */
void   ferry_test_gui_press_keys (GtkWidget  *widget,
                                  const char *keys);
/* Types @text as the keyboard would, into the focused widget of @widget's window. */
void   ferry_test_gui_type_keys (GtkWidget  *widget,
                                 const char *text);
/* A click of the first or the third button in the middle of @widget, once it is drawn. */
void   ferry_test_gui_click (GtkWidget *widget);
void   ferry_test_gui_right_click (GtkWidget *widget);

/* -- Windows and widgets ---------------------------------------------------------------- */

/* A visible toplevel of @type, or NULL. */
GtkWindow *ferry_test_gui_find_toplevel (GType type);
/* Waits until a toplevel of @type is mapped, and returns it. */
GtkWindow *ferry_test_gui_wait_toplevel (GType type);
/* @widget or the first of its descendants (depth first) that is a @type, or NULL. */
GtkWidget *ferry_test_gui_find_descendant (GtkWidget *widget,
                                           GType      type);

/* -- Transfers and their rows ----------------------------------------------------------- */

/* Adds a download of @path on gui->server into the daemon's download folder, as another
 * client would, and returns its id. */
guint64           ferry_test_gui_add_download (FerryTestGui *gui,
                                               const char   *path,
                                               gboolean      paused);
/* The same on @connections (0: as many as ferryd chooses). */
guint64           ferry_test_gui_add_download_on (FerryTestGui *gui,
                                                  const char   *path,
                                                  gboolean      paused,
                                                  guint         connections);
FerryTransfer1   *ferry_test_gui_transfer (FerryTestGui *gui,
                                           guint64       id);
/* How many transfers the service lists (all sessions), by ferry_test_daemon_list(). */
guint             ferry_test_gui_n_listed (FerryTestGui *gui);

typedef struct
{
  FerryTestGui *gui;
  guint n;
} FerryTestGuiCount;

/* Conditions on a FerryTestGuiCount: at least, or fewer than, n transfers listed. */
gboolean ferry_test_gui_listed_at_least (gpointer count);
gboolean ferry_test_gui_listed_fewer (gpointer count);

typedef struct
{
  FerryTestGui *gui;
  guint64 id;
  const char *prefix;
} FerryTestGuiRow;

/* Conditions on a FerryTestGuiRow: the row of id shows and its status starts with prefix;
 * the row of id is gone. */
gboolean ferry_test_gui_row_says (gpointer row);
gboolean ferry_test_gui_row_gone (gpointer row);
/* Waits up to @timeout_ms until the row of @id says @prefix…; says what it said instead. */
gboolean          ferry_test_gui_wait_row_within (FerryTestGui *gui,
                                                  guint64       id,
                                                  const char   *prefix,
                                                  guint         timeout_ms);
/* The same, asserted, within FERRY_TEST_GUI_WAIT; returns the row. */
FerryTransferRow *ferry_test_gui_wait_row (FerryTestGui *gui,
                                           guint64       id,
                                           const char   *prefix);

G_END_DECLS
