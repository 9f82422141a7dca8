/* ferry-window.h: the list of transfers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ferry-client.h"

G_BEGIN_DECLS

#define FERRY_TYPE_WINDOW (ferry_window_get_type ())

G_DECLARE_FINAL_TYPE (FerryWindow, ferry_window, FERRY, WINDOW, AdwApplicationWindow)

FerryWindow *ferry_window_new (GtkApplication *application,
                               FerryClient    *client);
void         ferry_window_show_toast (FerryWindow *self,
                                      const char  *text);
/* Opens the add dialog with @text's links filled in. */
void         ferry_window_add_links (FerryWindow *self,
                                     const char  *text);
/* "2 downloads added", with Show. */
void         ferry_window_announce_added (FerryWindow *self,
                                          guint        n_downloads,
                                          guint        n_uploads);

/* For tests: the row showing transfer @id on the visible page, if it is drawn. */
GtkWidget   *ferry_window_find_row (FerryWindow *self,
                                    guint64      id);
/* For tests: "3 active — 18.4 MB/s" where the header shows it, NULL where it has no room. */
const char  *ferry_window_get_aggregate_text (FerryWindow *self);
/* For tests: what drops on the window go to. */
GtkDropTarget *ferry_window_get_drop_target (FerryWindow *self);
/* For tests: the toast shown last, while it is still shown. */
AdwToast    *ferry_window_get_last_toast (FerryWindow *self);
/* "all", "active", "scheduled", "finished". */
void         ferry_window_set_page (FerryWindow *self,
                                    const char  *name);

G_END_DECLS
