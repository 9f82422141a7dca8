/* ferry-download.h: one attempt at a download
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ferry-engine.h"
#include "ferry-origins.h"
#include "ferry-transfer.h"

G_BEGIN_DECLS

#define FERRY_TYPE_DOWNLOAD (ferry_download_get_type ())

G_DECLARE_FINAL_TYPE (FerryDownload, ferry_download, FERRY, DOWNLOAD, GObject)

FerryDownload *ferry_download_new (FerryTransfer *transfer,
                                   SoupSession   *session);
/* The connection budget shared with every transfer to the same server, for the segments
 * of a large file (ferry-segments.c); without it a download uses one connection. */
void           ferry_download_set_origins (FerryDownload *self,
                                           FerryOrigins  *origins,
                                           guint          max_per_host);

/* A FerryEngine: whatever the end of an attempt, the bytes received are synced and
 * checkpointed in the store before the callback of ferry_engine_run_async() runs. */

G_END_DECLS
