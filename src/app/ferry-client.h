/* ferry-client.h: the app's view of the Ferry service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ferry-dbus.h"
#include "ferry-transfer-item.h"

G_BEGIN_DECLS

#define FERRY_APP_SESSION FERRY_APP_ID

#define FERRY_TYPE_CLIENT (ferry_client_get_type ())

G_DECLARE_FINAL_TYPE (FerryClient, ferry_client, FERRY, CLIENT, GObject)

/* Connects asynchronously; "ready" is emitted once the list is loaded (or "error"). */
FerryClient       *ferry_client_new (void);

/* Every transfer, newest first: a GListModel of FerryTransferItem. */
GListModel        *ferry_client_get_transfers (FerryClient *self);
/* Before the client is ready: its first fill lists only the newest @rows, the rest on
 * ferry_client_show_all() (a window calls it once its first frame is painted). */
void               ferry_client_set_first_rows (FerryClient *self,
                                                guint        rows);
void               ferry_client_show_all (FerryClient *self);
/* Every transfer the client knows, listed yet or not. */
guint              ferry_client_count_transfers (FerryClient *self);
/* The session of the list: the service's totals, PauseAll and ResumeAll; NULL until the
 * bus is there. */
FerrySession      *ferry_client_get_session (FerryClient *self);
gboolean           ferry_client_is_ready (FerryClient *self);
FerryTransferItem *ferry_client_lookup (FerryClient *self,
                                        guint64      id);
/* One of the app's own transfers, by the identifier the service knows it by. */
FerryTransferItem *ferry_client_lookup_identifier (FerryClient *self,
                                                   const char  *identifier);

/* Adds downloads with the app's session; @options as AddDownload's. Errors are per URI. */
void               ferry_client_add_downloads (FerryClient         *self,
                                               const char *const   *uris,
                                               GVariant            *options,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* Returns the messages of the URIs that failed, or an empty array. */
GPtrArray         *ferry_client_add_downloads_finish (FerryClient  *self,
                                                      GAsyncResult *result);

/* Uploads each of @paths (opened here and passed as descriptors) to @target (with the file's
 * name appended when @target ends in "/"); @options as AddUpload's. Finish with
 * ferry_client_add_downloads_finish(). */
void               ferry_client_add_uploads (FerryClient         *self,
                                             const char          *target,
                                             const char *const   *paths,
                                             GVariant            *options,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);

G_END_DECLS
