/* ferry-transfer.h: one download or upload the Ferry service carries out, kept current
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

G_BEGIN_DECLS

#define FERRY_TYPE_TRANSFER (ferry_transfer_get_type ())

FERRY_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (FerryTransfer, ferry_transfer, FERRY, TRANSFER, GObject)

FERRY_AVAILABLE_IN_0_1
const char         *ferry_transfer_get_object_path    (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
guint64             ferry_transfer_get_id             (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
FerryTransferKind   ferry_transfer_get_kind           (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
const char         *ferry_transfer_get_uri            (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
const char         *ferry_transfer_get_destination    (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
const char         *ferry_transfer_get_session        (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
const char         *ferry_transfer_get_identifier     (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
FerryTransferState  ferry_transfer_get_state          (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
const char * const *ferry_transfer_get_wait_reasons   (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
guint64             ferry_transfer_get_bytes_done     (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
guint64             ferry_transfer_get_bytes_sent     (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
guint64             ferry_transfer_get_bytes_total    (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
guint64             ferry_transfer_get_rate           (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
gint64              ferry_transfer_get_retry_at       (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
gint64              ferry_transfer_get_earliest_begin (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
guint               ferry_transfer_get_http_status    (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
const char         *ferry_transfer_get_error          (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
gboolean            ferry_transfer_get_resumable      (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
gboolean            ferry_transfer_get_allow_metered  (FerryTransfer *self);

FERRY_AVAILABLE_IN_0_1
void     ferry_transfer_pause_async   (FerryTransfer       *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
FERRY_AVAILABLE_IN_0_1
gboolean ferry_transfer_pause_finish  (FerryTransfer       *self,
                                       GAsyncResult        *result,
                                       GError             **error);
FERRY_AVAILABLE_IN_0_1
void     ferry_transfer_resume_async  (FerryTransfer       *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
FERRY_AVAILABLE_IN_0_1
gboolean ferry_transfer_resume_finish (FerryTransfer       *self,
                                       GAsyncResult        *result,
                                       GError             **error);
FERRY_AVAILABLE_IN_0_1
void     ferry_transfer_cancel_async  (FerryTransfer       *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
FERRY_AVAILABLE_IN_0_1
gboolean ferry_transfer_cancel_finish (FerryTransfer       *self,
                                       GAsyncResult        *result,
                                       GError             **error);
FERRY_AVAILABLE_IN_0_1
void     ferry_transfer_remove_async  (FerryTransfer       *self,
                                       gboolean             delete_data,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
FERRY_AVAILABLE_IN_0_1
gboolean ferry_transfer_remove_finish (FerryTransfer       *self,
                                       GAsyncResult        *result,
                                       GError             **error);
FERRY_AVAILABLE_IN_0_1
void     ferry_transfer_update_async  (FerryTransfer       *self,
                                       const char          *uri,
                                       FerryRequest        *changes,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
FERRY_AVAILABLE_IN_0_1
gboolean ferry_transfer_update_finish (FerryTransfer       *self,
                                       GAsyncResult        *result,
                                       GError             **error);

FERRY_AVAILABLE_IN_0_1
guint               ferry_transfer_get_attempts       (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
gint64              ferry_transfer_get_created_at     (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
gint64              ferry_transfer_get_finished_at    (FerryTransfer *self);

FERRY_AVAILABLE_IN_0_1
const char         *ferry_transfer_get_final_uri      (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
GVariant           *ferry_transfer_get_attempt_log    (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
const char         *ferry_transfer_get_validator      (FerryTransfer *self);
FERRY_AVAILABLE_IN_0_1
const char         *ferry_transfer_get_checksum_result (FerryTransfer  *self,
                                                        const char    **expected);

G_END_DECLS
