/* ferry-scheduler.h: decides which transfers run, and when the others may
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ferry-transfer.h"

G_BEGIN_DECLS

#define FERRY_TYPE_SCHEDULER (ferry_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (FerryScheduler, ferry_scheduler, FERRY, SCHEDULER, GObject)

FerryScheduler *ferry_scheduler_new (FerryStore *store);

/* Takes the transfers restored from the store: interrupted ones run again. */
void      ferry_scheduler_restore (FerryScheduler *self,
                                   GPtrArray      *transfers);
void      ferry_scheduler_add (FerryScheduler *self,
                               FerryTransfer  *transfer);
gboolean  ferry_scheduler_pause (FerryScheduler *self,
                                 FerryTransfer  *transfer,
                                 GError        **error);
gboolean  ferry_scheduler_resume (FerryScheduler *self,
                                  FerryTransfer  *transfer,
                                  GError        **error);
gboolean  ferry_scheduler_cancel (FerryScheduler *self,
                                  FerryTransfer  *transfer,
                                  GError        **error);
gboolean  ferry_scheduler_remove (FerryScheduler *self,
                                  FerryTransfer  *transfer,
                                  gboolean        delete_data,
                                  GError        **error);
/* PauseAll and ResumeAll over @transfers: every unfinished one paused, every paused one
 * resumed, in one store transaction (one sync to disk, not one per transfer), announced
 * once it has committed. When it cannot be stored, nothing changed and @error says so. */
gboolean  ferry_scheduler_pause_all (FerryScheduler *self,
                                     GPtrArray      *transfers,
                                     GError        **error);
gboolean  ferry_scheduler_resume_all (FerryScheduler *self,
                                      GPtrArray      *transfers,
                                      GError        **error);
/* Update: @changes holds the fields Update may change, already checked; @uri_named and
 * @headers_named say whether the caller gave them. The transfer is stored, then plans are
 * made again; a running attempt restarts when its address, headers or limit changed. */
gboolean  ferry_scheduler_update (FerryScheduler *self,
                                  FerryTransfer  *transfer,
                                  FerryRecord    *changes,
                                  gboolean        uri_named,
                                  gboolean        headers_named,
                                  GError        **error);

/* Stops every attempt at a checkpoint; @callback runs once all have stopped. */
void      ferry_scheduler_shutdown (FerryScheduler *self,
                                    GCallback       callback,
                                    gpointer        user_data);

guint     ferry_scheduler_get_running (FerryScheduler *self);
gboolean  ferry_scheduler_has_pending (FerryScheduler *self);
guint64   ferry_scheduler_get_download_rate (FerryScheduler *self);
guint64   ferry_scheduler_get_upload_rate (FerryScheduler *self);
gboolean  ferry_scheduler_get_online (FerryScheduler *self);
gboolean  ferry_scheduler_get_metered (FerryScheduler *self);
/* NULL when the settings schema is not installed. */
GSettings *ferry_scheduler_get_settings (FerryScheduler *self);

G_END_DECLS
