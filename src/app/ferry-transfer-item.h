/* ferry-transfer-item.h: one transfer in the app's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ferry-dbus.h"
#include "ferry-types.h"

G_BEGIN_DECLS

#define FERRY_TYPE_TRANSFER_ITEM (ferry_transfer_item_get_type ())

G_DECLARE_FINAL_TYPE (FerryTransferItem, ferry_transfer_item, FERRY, TRANSFER_ITEM, GObject)

FerryTransferItem *ferry_transfer_item_new (FerryTransfer1 *proxy);
FerryTransfer1    *ferry_transfer_item_get_proxy (FerryTransferItem *self);
guint64            ferry_transfer_item_get_id (FerryTransferItem *self);
FerryState         ferry_transfer_item_get_state (FerryTransferItem *self);
/* The file's name, or the address while it is not known. */
char              *ferry_transfer_item_dup_name (FerryTransferItem *self);
char              *ferry_transfer_item_dup_host (FerryTransferItem *self);
guint64            ferry_transfer_item_get_bytes_done (FerryTransferItem *self);
guint64            ferry_transfer_item_get_bytes_total (FerryTransferItem *self);
guint64            ferry_transfer_item_get_rate (FerryTransferItem *self);

/* Live values from the service's batched Progress signal. */
void               ferry_transfer_item_set_progress (FerryTransferItem *self,
                                                     guint64            done,
                                                     guint64            total,
                                                     guint64            rate);

/* Hidden while a removal can still be undone. */
gboolean           ferry_transfer_item_get_hidden (FerryTransferItem *self);
void               ferry_transfer_item_set_hidden (FerryTransferItem *self,
                                                   gboolean           hidden);

G_END_DECLS
