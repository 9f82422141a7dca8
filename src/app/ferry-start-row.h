/* ferry-start-row.h: when a transfer starts, as a date and a time of day
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define FERRY_TYPE_START_ROW (ferry_start_row_get_type ())

G_DECLARE_FINAL_TYPE (FerryStartRow, ferry_start_row, FERRY, START_ROW, AdwActionRow)

GtkWidget   *ferry_start_row_new (void);
/* The chosen moment in Unix seconds, or 0 while the time typed is not a time. */
gint64       ferry_start_row_get_start (FerryStartRow *self);
void         ferry_start_row_set_start (FerryStartRow *self,
                                        GDateTime     *when);
/* What is wrong with the choice, in words (also shown under the row's title), or NULL. */
const char  *ferry_start_row_get_problem (FerryStartRow *self);
/* For tests: the time of day field, and the date button with its calendar. */
GtkEditable *ferry_start_row_get_time_entry (FerryStartRow *self);
GtkWidget   *ferry_start_row_get_date_button (FerryStartRow *self);
GtkCalendar *ferry_start_row_get_calendar (FerryStartRow *self);

G_END_DECLS
