/* ferry-add-dialog.h: links, destination, start time and checks for new downloads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ferry-client.h"
#include "ferry-start-row.h"

G_BEGIN_DECLS

#define FERRY_TYPE_ADD_DIALOG (ferry_add_dialog_get_type ())

G_DECLARE_FINAL_TYPE (FerryAddDialog, ferry_add_dialog, FERRY, ADD_DIALOG, AdwWindow)

GtkWidget *ferry_add_dialog_new (GtkWindow   *parent,
                                 FerryClient *client,
                                 const char  *links);

/* For tests. */
void       ferry_add_dialog_set_links (FerryAddDialog *self,
                                       const char     *links);
GtkWidget *ferry_add_dialog_get_add_button (FerryAddDialog *self);
/* The problems shown, or NULL when there are none. */
const char *ferry_add_dialog_get_problems (FerryAddDialog *self);

/* As a person picks "At a Date and Time", the day in the calendar, the hour and minute;
 * NULL: "Now". */
void        ferry_add_dialog_set_start (FerryAddDialog *self,
                                        GDateTime      *when);
/* For tests: the Start choice (Now, At a Date and Time) and the date and time row. */
AdwComboRow   *ferry_add_dialog_get_start_choice (FerryAddDialog *self);
FerryStartRow *ferry_add_dialog_get_start_row (FerryAddDialog *self);

G_END_DECLS
