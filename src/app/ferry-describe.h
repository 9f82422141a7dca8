/* ferry-describe.h: one line in plain words for what a transfer is doing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ferry-types.h"

G_BEGIN_DECLS

typedef struct
{
  FerryState state;
  FerryWaitReasons reasons;
  gboolean upload;
  guint64 done;
  guint64 sent;            /* a running upload: how far the bytes sent reach; may be 0 */
  guint64 total;
  guint64 rate;
  gint64 earliest_begin;   /* Unix seconds */
  gint64 retry_at;         /* Unix seconds */
  const char *error;
  gboolean unmetered_only; /* AllowMetered is off: said while it waits, whatever the network */
} FerryStatus;

/* "312 MB of 4.7 GB — 11.2 MB/s — 6 minutes left", "Waiting for an unmetered network",
 * "Starts today at 23:00", "Retrying in 40 seconds — the server is busy…", "Paused",
 * "Failed: the server no longer has this file (HTTP 404)", "Completed — 4.7 GB". @now is the
 * local time the sentence is written for; only waiting transfers need it (it may be NULL for
 * the others). */
char *ferry_describe_status (const FerryStatus *status,
                             GDateTime         *now);

/* "today at 23:00", "tomorrow at 07:30", "on Tuesday 24 November at 07:30". */
char *ferry_describe_time (gint64     unix_time,
                           GDateTime *now);

/* The time of day as the person's clock shows it: "23:00", or "11:00 PM" where GNOME's
 * clock-format (or, without GNOME, the locale) says 12 hours. */
char    *ferry_describe_clock (GDateTime *when);
gboolean ferry_describe_clock_is_12h (void);
/* The locale has words for AM and PM. */
gboolean ferry_describe_has_am_pm (void);

/* A transfer's network rule in words, for its details: "Pauses if the network becomes
 * metered…" for a running one kept off metered networks, NULL when it has none. */
const char *ferry_describe_network_rule (const FerryStatus *status);

/* Who handed a transfer to Ferry, for a "via" label: the app's name when @session is an
 * installed app's id ("Fractal"), the session itself otherwise, NULL for Ferry's own
 * transfers and for those without a session. */
char *ferry_describe_requester (const char *session);

G_END_DECLS
