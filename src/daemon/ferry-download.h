/* ferry-download.h: one attempt at a download
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ferry-rate-limiter.h"
#include "ferry-transfer.h"

G_BEGIN_DECLS

#define FERRY_TYPE_DOWNLOAD (ferry_download_get_type ())

G_DECLARE_FINAL_TYPE (FerryDownload, ferry_download, FERRY, DOWNLOAD, GObject)

FerryDownload *ferry_download_new (FerryTransfer *transfer,
                                   SoupSession   *session);

/* Runs until the file is complete (TRUE), the attempt ends with a FERRY_TRANSFER_ERROR, or
 * @cancellable stops it (G_IO_ERROR_CANCELLED). Whatever the end, the bytes received are
 * synced and checkpointed in the store before the callback runs. */
void     ferry_download_run_async (FerryDownload      *self,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);
gboolean ferry_download_run_finish (FerryDownload *self,
                                    GAsyncResult  *result,
                                    GError       **error);

/* Limits applied before each read: @shared by every download, @own by this one; either may
 * be NULL. */
void     ferry_download_set_rate_limiters (FerryDownload    *self,
                                           FerryRateLimiter *shared,
                                           FerryRateLimiter *own);

/* Seconds the server asked to wait (Retry-After), or -1. */
gint64   ferry_download_get_retry_after (FerryDownload *self);
/* Bytes received in this attempt that advanced the file. */
guint64  ferry_download_get_progress (FerryDownload *self);
/* After a completed attempt: a sentence saying why the file's end could not be confirmed
 * (no length, no digest, and a server that cannot answer past the end), or NULL when the
 * completion was verified. */
const char *ferry_download_get_unconfirmed (FerryDownload *self);

G_END_DECLS
