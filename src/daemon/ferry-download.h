/* ferry-download.h: one attempt at a download
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ferry-engine.h"
#include "ferry-transfer.h"

G_BEGIN_DECLS

#define FERRY_TYPE_DOWNLOAD (ferry_download_get_type ())

G_DECLARE_FINAL_TYPE (FerryDownload, ferry_download, FERRY, DOWNLOAD, GObject)

FerryDownload *ferry_download_new (FerryTransfer *transfer,
                                   SoupSession   *session);

/* A FerryEngine: whatever the end of an attempt, the bytes received are synced and
 * checkpointed in the store before the callback of ferry_engine_run_async() runs. */

G_END_DECLS
