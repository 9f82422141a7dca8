/* ferry-transfer-item.h: one transfer in the app's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ferry-types.h"

G_BEGIN_DECLS

#define FERRY_TYPE_TRANSFER_ITEM (ferry_transfer_item_get_type ())

G_DECLARE_FINAL_TYPE (FerryTransferItem, ferry_transfer_item, FERRY, TRANSFER_ITEM, GObject)

/* @properties: the Transfer1 properties, a{sv}, as GetManagedObjects gives them. */
FerryTransferItem *ferry_transfer_item_new (GDBusConnection *connection,
                                            const char      *object_path,
                                            GVariant        *properties);
/* @summary: one element of Manager1.GetTransfers, (otssssssastttxxxxusbb). */
FerryTransferItem *ferry_transfer_item_new_from_summary (GDBusConnection *connection,
                                                         GVariant        *summary);
/* TRUE when the State changed. */
gboolean           ferry_transfer_item_set_summary (FerryTransferItem *self,
                                                    GVariant          *summary);

/* Applies changed properties (a{sv}); returns TRUE when State changed. "changed" is not
 * emitted: the client decides when rows redraw. */
gboolean           ferry_transfer_item_update (FerryTransferItem *self,
                                               GVariant          *changed);

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

/* Live values from the service's batched Progress signal. Returns whether anything changed;
 * "changed" is not emitted: the client batches that (ferry_transfer_item_emit_changed). */
gboolean           ferry_transfer_item_set_progress (FerryTransferItem *self,
                                                     guint64            done,
                                                     guint64            total,
                                                     guint64            rate);
void               ferry_transfer_item_emit_changed (FerryTransferItem *self);

/* Seconds of rate the speed graph shows. */
#define FERRY_RATE_HISTORY 180
/* Fills @samples (FERRY_RATE_HISTORY of them) with the rate of each second, oldest first,
 * up to now; returns how many there are (0 before any progress). */
guint              ferry_transfer_item_get_rate_history (FerryTransferItem *self,
                                                         guint64           *samples);

/* Calls a Transfer1 method (Pause, Resume, Cancel, Remove…) on the service. */
void               ferry_transfer_item_call (FerryTransferItem  *self,
                                             const char         *method,
                                             GVariant           *parameters,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);

/* Hidden while a removal can still be undone. */
gboolean           ferry_transfer_item_get_hidden (FerryTransferItem *self);
void               ferry_transfer_item_set_hidden (FerryTransferItem *self,
                                                   gboolean           hidden);

G_END_DECLS
