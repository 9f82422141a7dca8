/* ferry-transfer-row.h: a transfer in the list — icon, name, progress, status, actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ferry-transfer-item.h"

G_BEGIN_DECLS

#define FERRY_TYPE_TRANSFER_ROW (ferry_transfer_row_get_type ())

G_DECLARE_FINAL_TYPE (FerryTransferRow, ferry_transfer_row, FERRY, TRANSFER_ROW, GtkWidget)

GtkWidget         *ferry_transfer_row_new (void);
void               ferry_transfer_row_set_item (FerryTransferRow  *self,
                                                FerryTransferItem *item);
FerryTransferItem *ferry_transfer_row_get_item (FerryTransferRow *self);
/* Redraws what changed while the row was out of view. */
void               ferry_transfer_row_catch_up (FerryTransferRow *self);

/* In a narrow window the status line wraps rather than being cut. */
void               ferry_transfer_row_set_compact (FerryTransferRow *self,
                                                   gboolean          compact);
/* Opens the row's menu, as its menu button, a right-click or the Menu key do. */
void               ferry_transfer_row_popup_menu (FerryTransferRow *self);

/* For tests: the status line as shown, and the row's button for an action ("pause",
 * "resume", "retry", "open", "copy-link": the main button while it does that; "menu"). */
const char        *ferry_transfer_row_get_status_text (FerryTransferRow *self);
/* For tests: "via Fractal" when another app asked for the transfer, else NULL. */
const char        *ferry_transfer_row_get_via_text (FerryTransferRow *self);
GtkWidget         *ferry_transfer_row_get_button (FerryTransferRow *self,
                                                  const char       *which);
/* For tests: whether the status line wraps (narrow windows, errors) or is cut. */
gboolean           ferry_transfer_row_get_status_wraps (FerryTransferRow *self);
/* The tooltip the row's @part shows when the pointer rests on it (worded then), or NULL. */
const char        *ferry_transfer_row_get_tooltip (FerryTransferRow *self,
                                                   GtkWidget        *part);
/* For tests: the file-type icon. */
GtkWidget         *ferry_transfer_row_get_icon (FerryTransferRow *self);

/* For tests: how many buttons the row shows (one when narrow), and its menu's popover once
 * it opened (from the menu button, or from the row itself when narrow). */
guint              ferry_transfer_row_count_buttons (FerryTransferRow *self);
GtkWidget         *ferry_transfer_row_get_menu (FerryTransferRow *self);

G_END_DECLS
