/* ferry-details-window.h: everything about one transfer, with its speed graph
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ferry-transfer-item.h"

G_BEGIN_DECLS

#define FERRY_TYPE_DETAILS_WINDOW (ferry_details_window_get_type ())

G_DECLARE_FINAL_TYPE (FerryDetailsWindow, ferry_details_window, FERRY, DETAILS_WINDOW, AdwWindow)

GtkWidget         *ferry_details_window_new (GtkWindow         *parent,
                                             FerryTransferItem *item);
FerryTransferItem *ferry_details_window_get_item (FerryDetailsWindow *self);

/* For tests: the state line, the whole error sentence (NULL when there is none), the graph,
 * and the error's Copy button. */
const char        *ferry_details_window_get_state_text (FerryDetailsWindow *self);
const char        *ferry_details_window_get_error_text (FerryDetailsWindow *self);
GtkWidget         *ferry_details_window_get_graph (FerryDetailsWindow *self);
GtkWidget         *ferry_details_window_get_copy_error_button (FerryDetailsWindow *self);
/* For tests: the attempts line, "2" once known. */
const char        *ferry_details_window_get_attempts_text (FerryDetailsWindow *self);

const char        *ferry_details_window_get_final_uri_text (FerryDetailsWindow *self);
GStrv              ferry_details_window_dup_attempt_texts (FerryDetailsWindow *self);
const char        *ferry_details_window_get_validator_text (FerryDetailsWindow *self);
const char        *ferry_details_window_get_checksum_text (FerryDetailsWindow *self);
GtkWidget         *ferry_details_window_get_open_button (FerryDetailsWindow *self);
GtkWidget         *ferry_details_window_get_folder_button (FerryDetailsWindow *self);

G_END_DECLS
