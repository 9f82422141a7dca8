/* ferry-upload.h: one attempt at an upload
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ferry-engine.h"
#include "ferry-transfer.h"

G_BEGIN_DECLS

#define FERRY_TYPE_UPLOAD (ferry_upload_get_type ())

G_DECLARE_FINAL_TYPE (FerryUpload, ferry_upload, FERRY, UPLOAD, GObject)

FerryUpload *ferry_upload_new (FerryTransfer *transfer,
                               SoupSession   *session);

/* A FerryEngine. The protocol found, the upload's address and every offset the server
 * acknowledges are stored as they come, so a restart resumes from the last acknowledged
 * byte; ferry_engine_get_sent() counts what was handed to the network. */

G_END_DECLS
