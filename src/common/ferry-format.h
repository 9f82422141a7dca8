/* ferry-format.h: how Ferry words sizes, rates and durations for people
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *ferry_format_rate (guint64 bytes_per_second);
char *ferry_format_duration (guint64 seconds);
char *ferry_format_progress (guint64 done,
                             guint64 total,
                             guint64 rate);

G_END_DECLS
