/* ferry-session.h: an app's transfers, handed to the Ferry service by identifier
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (FERRY_INSIDE) && !defined (FERRY_COMPILATION)
#error "Only <ferry.h> can be included directly."
#endif

#include <gio/gio.h>

#include "ferry-version.h"
#include "ferry-enums.h"
#include "ferry-request.h"
#include "ferry-transfer.h"
#include "ferry-outcome.h"

G_BEGIN_DECLS

#define FERRY_TYPE_SESSION (ferry_session_get_type ())

FERRY_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (FerrySession, ferry_session, FERRY, SESSION, GObject)

FERRY_AVAILABLE_IN_0_1
FerrySession  *ferry_session_new                  (const char          *session_id);
FERRY_AVAILABLE_IN_0_1
FerrySession  *ferry_session_new_for_connection   (GDBusConnection     *connection,
                                                   const char          *session_id);
FERRY_AVAILABLE_IN_0_1
const char    *ferry_session_get_id               (FerrySession        *self);
FERRY_AVAILABLE_IN_0_1
GListModel    *ferry_session_get_transfers        (FerrySession        *self);
FERRY_AVAILABLE_IN_0_1
gboolean       ferry_session_get_loaded           (FerrySession        *self);
FERRY_AVAILABLE_IN_0_1
FerryTransfer *ferry_session_lookup               (FerrySession        *self,
                                                   const char          *identifier);

FERRY_AVAILABLE_IN_0_1
void           ferry_session_download_async       (FerrySession        *self,
                                                   const char          *uri,
                                                   const char          *identifier,
                                                   FerryRequest        *request,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
FERRY_AVAILABLE_IN_0_1
FerryOutcome  *ferry_session_download_finish      (FerrySession        *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
FERRY_AVAILABLE_IN_0_1
void           ferry_session_upload_async         (FerrySession        *self,
                                                   const char          *uri,
                                                   GFile               *file,
                                                   const char          *identifier,
                                                   FerryRequest        *request,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
FERRY_AVAILABLE_IN_0_1
void           ferry_session_upload_fd_async      (FerrySession        *self,
                                                   const char          *uri,
                                                   int                  fd,
                                                   const char          *identifier,
                                                   FerryRequest        *request,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
FERRY_AVAILABLE_IN_0_1
FerryOutcome  *ferry_session_upload_finish        (FerrySession        *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

FERRY_AVAILABLE_IN_0_1
void           ferry_session_bind_application     (FerrySession        *self,
                                                   GApplication        *application);

FERRY_AVAILABLE_IN_0_1
gboolean       ferry_session_get_service_running  (FerrySession        *self);
FERRY_AVAILABLE_IN_0_1
void           ferry_session_add_download_async   (FerrySession        *self,
                                                   const char          *uri,
                                                   const char          *identifier,
                                                   FerryRequest        *request,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
FERRY_AVAILABLE_IN_0_1
void           ferry_session_add_upload_fd_async  (FerrySession        *self,
                                                   const char          *uri,
                                                   int                  fd,
                                                   const char          *identifier,
                                                   FerryRequest        *request,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
FERRY_AVAILABLE_IN_0_1
FerryTransfer *ferry_session_add_finish           (FerrySession        *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
FERRY_AVAILABLE_IN_0_1
FerrySession  *ferry_session_new_for_adding       (GDBusConnection     *connection,
                                                   const char          *session_id);
FERRY_AVAILABLE_IN_0_1
FerryTransfer *ferry_session_lookup_id            (FerrySession        *self,
                                                   guint64              id);
FERRY_AVAILABLE_IN_0_1
void           ferry_session_refresh_async        (FerrySession        *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
FERRY_AVAILABLE_IN_0_1
gboolean       ferry_session_refresh_finish       (FerrySession        *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

FERRY_AVAILABLE_IN_0_1
guint          ferry_session_get_running          (FerrySession        *self);
FERRY_AVAILABLE_IN_0_1
guint64        ferry_session_get_download_rate    (FerrySession        *self);
FERRY_AVAILABLE_IN_0_1
guint64        ferry_session_get_upload_rate      (FerrySession        *self);
FERRY_AVAILABLE_IN_0_1
gboolean       ferry_session_get_online           (FerrySession        *self);
FERRY_AVAILABLE_IN_0_1
gboolean       ferry_session_get_metered          (FerrySession        *self);
FERRY_AVAILABLE_IN_0_1
void           ferry_session_pause_all_async      (FerrySession        *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
FERRY_AVAILABLE_IN_0_1
gboolean       ferry_session_pause_all_finish     (FerrySession        *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
FERRY_AVAILABLE_IN_0_1
void           ferry_session_resume_all_async     (FerrySession        *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
FERRY_AVAILABLE_IN_0_1
gboolean       ferry_session_resume_all_finish    (FerrySession        *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS
