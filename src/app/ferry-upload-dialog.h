/* ferry-upload-dialog.h: where dropped files go, and how
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ferry-start-row.h"

G_BEGIN_DECLS

#define FERRY_TYPE_UPLOAD_DIALOG (ferry_upload_dialog_get_type ())

G_DECLARE_FINAL_TYPE (FerryUploadDialog, ferry_upload_dialog, FERRY, UPLOAD_DIALOG,
                      AdwMessageDialog)

/* Asks where to upload @paths; "Upload" activates the application's "upload" action. */
GtkWidget *ferry_upload_dialog_new (GtkWindow         *parent,
                                    const char *const *paths);

/* For tests: the address field. */
GtkEditable *ferry_upload_dialog_get_target (FerryUploadDialog *self);

/* For tests: "Start Later" (its switch) and its date and time row. */
AdwExpanderRow *ferry_upload_dialog_get_later_row (FerryUploadDialog *self);
FerryStartRow  *ferry_upload_dialog_get_start_row (FerryUploadDialog *self);

G_END_DECLS
