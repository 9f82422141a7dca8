/* ferry-transfer-item.h: one transfer in the app's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include <ferry.h>

#include "ferry-types.h"

G_BEGIN_DECLS

#define FERRY_TYPE_TRANSFER_ITEM (ferry_transfer_item_get_type ())

G_DECLARE_FINAL_TYPE (FerryTransferItem, ferry_transfer_item, FERRY, TRANSFER_ITEM, GObject)

/* Called when @item's transfer changed: @state_changed for its State (shown at once), else
 * its bytes or rate (the client batches redraws). */
typedef void (*FerryTransferItemNotify) (FerryTransferItem *item,
                                         gboolean           state_changed,
                                         gpointer           user_data);

/* A row's view of libferry's @transfer; @notify may be NULL. */
FerryTransferItem *ferry_transfer_item_new (FerryTransfer          *transfer,
                                            FerryTransferItemNotify notify,
                                            gpointer                user_data);
FerryTransfer     *ferry_transfer_item_get_transfer (FerryTransferItem *self);
/* Stops calling the notify function (the client went away). */
void               ferry_transfer_item_detach (FerryTransferItem *self);

const char        *ferry_transfer_item_get_object_path (FerryTransferItem *self);
guint64            ferry_transfer_item_get_id (FerryTransferItem *self);
FerryState         ferry_transfer_item_get_state (FerryTransferItem *self);
FerryWaitReasons   ferry_transfer_item_get_wait_reasons (FerryTransferItem *self);
gboolean           ferry_transfer_item_is_upload (FerryTransferItem *self);
const char        *ferry_transfer_item_get_uri (FerryTransferItem *self);
const char        *ferry_transfer_item_get_destination (FerryTransferItem *self);
const char        *ferry_transfer_item_get_session (FerryTransferItem *self);
const char        *ferry_transfer_item_get_identifier (FerryTransferItem *self);
const char        *ferry_transfer_item_get_error (FerryTransferItem *self);
gint64             ferry_transfer_item_get_earliest_begin (FerryTransferItem *self);
gint64             ferry_transfer_item_get_retry_at (FerryTransferItem *self);
/* The file's name, or the address's last part while the name is not known. */
const char        *ferry_transfer_item_get_name (FerryTransferItem *self);
char              *ferry_transfer_item_dup_host (FerryTransferItem *self);
guint64            ferry_transfer_item_get_bytes_done (FerryTransferItem *self);
/* For a running upload, how far the bytes sent reach (the server acknowledges them later);
 * otherwise the bytes done. */
guint64            ferry_transfer_item_get_bytes_sent (FerryTransferItem *self);
guint64            ferry_transfer_item_get_bytes_total (FerryTransferItem *self);
guint64            ferry_transfer_item_get_rate (FerryTransferItem *self);

void               ferry_transfer_item_emit_changed (FerryTransferItem *self);

/* Seconds of rate the speed graph shows. */
#define FERRY_RATE_HISTORY 180
/* Fills @samples (FERRY_RATE_HISTORY of them) with the rate of each second, oldest first,
 * up to now; returns how many there are (0 before any progress). */
guint              ferry_transfer_item_get_rate_history (FerryTransferItem *self,
                                                         guint64           *samples);

/* Calls a Transfer1 method (Pause, Resume, Cancel, Remove with "(b)", Update with
 * "(a{sv})") through libferry; finish with ferry_transfer_item_call_finish(). */
void               ferry_transfer_item_call (FerryTransferItem  *self,
                                             const char         *method,
                                             GVariant           *parameters,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
gboolean           ferry_transfer_item_call_finish (FerryTransferItem  *self,
                                                    GAsyncResult       *result,
                                                    GError            **error);

/* Hidden while a removal can still be undone. */
gboolean           ferry_transfer_item_get_hidden (FerryTransferItem *self);
void               ferry_transfer_item_set_hidden (FerryTransferItem *self,
                                                   gboolean           hidden);

G_END_DECLS
