/* ferry-start-dialog.h: a new start time for a transfer already added
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ferry-start-row.h"
#include "ferry-transfer-item.h"

G_BEGIN_DECLS

#define FERRY_TYPE_START_DIALOG (ferry_start_dialog_get_type ())

G_DECLARE_FINAL_TYPE (FerryStartDialog, ferry_start_dialog, FERRY, START_DIALOG,
                      AdwMessageDialog)

/* Asks when @item should start; "Change" activates the application's "set-start" action. */
GtkWidget     *ferry_start_dialog_new (GtkWindow         *parent,
                                       FerryTransferItem *item);
/* For tests. */
FerryStartRow *ferry_start_dialog_get_start_row (FerryStartDialog *self);

G_END_DECLS
