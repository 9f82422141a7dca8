/* ferry-upload.h: one attempt at an upload
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ferry-rate-limiter.h"
#include "ferry-transfer.h"

G_BEGIN_DECLS

#define FERRY_TYPE_UPLOAD (ferry_upload_get_type ())

G_DECLARE_FINAL_TYPE (FerryUpload, ferry_upload, FERRY, UPLOAD, GObject)

FerryUpload *ferry_upload_new (FerryTransfer *transfer);

/* Runs until the server has the whole file (TRUE), the attempt ends with a
 * FERRY_TRANSFER_ERROR, or @cancellable stops it (G_IO_ERROR_CANCELLED). The protocol found,
 * the upload's address and every offset the server acknowledges are stored as they come,
 * so a restart resumes from the last acknowledged byte. */
void     ferry_upload_run_async (FerryUpload        *self,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data);
gboolean ferry_upload_run_finish (FerryUpload  *self,
                                  GAsyncResult *result,
                                  GError      **error);

/* Limits applied to the body as it is read: @shared by every upload, @own by this one. */
void     ferry_upload_set_rate_limiters (FerryUpload      *self,
                                         FerryRateLimiter *shared,
                                         FerryRateLimiter *own);

/* Seconds the server asked to wait (Retry-After), or -1. */
gint64   ferry_upload_get_retry_after (FerryUpload *self);
/* How far into the file the body has been handed to the network; any thread. */
guint64  ferry_upload_get_sent (FerryUpload *self);
/* Bytes the server acknowledged in this attempt beyond what it had before. */
guint64  ferry_upload_get_progress (FerryUpload *self);

/* Asks the server to forget an upload that will not be finished (DELETE, for the IETF draft
 * and tus); nothing to do for a plain upload. The answer is not waited for. */
void     ferry_upload_terminate (FerryRecord *record,
                                 SoupSession *session);

G_END_DECLS
