/* ferry-transfer.h: one transfer as the service holds it — its record, its D-Bus object and
 * its live progress
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ferry-engine.h"
#include "ferry-record.h"
#include "ferry-store.h"

G_BEGIN_DECLS

#define FERRY_TRANSFER_ERROR (ferry_transfer_error_quark ())

/* How an attempt ended, when it did not complete. The message is a sentence for people. */
typedef enum
{
  FERRY_TRANSFER_ERROR_TRANSIENT,  /* network trouble, 408, 429, 5xx, stall: retry later */
  FERRY_TRANSFER_ERROR_REJECTED,   /* the server refused (4xx), TLS failure */
  FERRY_TRANSFER_ERROR_FAILED,     /* a local error, or the data failed verification */
  FERRY_TRANSFER_ERROR_NO_SPACE,   /* the disk is full: wait for space */
  FERRY_TRANSFER_ERROR_LINK_EXPIRED, /* the address answers with something else: wait */
} FerryTransferError;

GQuark ferry_transfer_error_quark (void);

/* Seconds without a byte after which an attempt counts as stalled: 30, or
 * FERRY_STALL_TIMEOUT (the tests' shorter one). */
guint  ferry_transfer_stall_seconds (void);

/* What a failed exchange with the server (not a cancellation) means for a transfer, in
 * words: a failed secure connection (@tls_failed, or an error of its own domain) is
 * rejected, as retrying will not mend it; a server that could not be reached or a
 * connection that broke is transient. */
GError *ferry_transfer_error_from_network (const GError *error,
                                           gboolean      tls_failed);
/* The same for a server certificate that was refused: says which of its faults (@flags, as
 * soup_message_get_tls_peer_certificate_errors() gives them) made it so. */
GError *ferry_transfer_error_from_certificate (const GError         *error,
                                               GTlsCertificateFlags  flags);

#define FERRY_TRANSFERS_PATH FERRY_DAEMON_PATH "/transfers"

#define FERRY_TYPE_TRANSFER (ferry_transfer_get_type ())

G_DECLARE_FINAL_TYPE (FerryTransfer, ferry_transfer, FERRY, TRANSFER, GObject)

FerryTransfer       *ferry_transfer_new (FerryStore  *store,
                                         FerryRecord *record);
FerryRecord         *ferry_transfer_get_record (FerryTransfer *self);
FerryStore          *ferry_transfer_get_store (FerryTransfer *self);
guint64              ferry_transfer_get_id (FerryTransfer *self);
FerryState           ferry_transfer_get_state (FerryTransfer *self);
const char          *ferry_transfer_get_object_path (FerryTransfer *self);

/* Transfer1 properties, read from the record when a client asks: the service keeps no
 * per-transfer D-Bus objects, so 10,000 stored transfers cost only their records. */
GVariant            *ferry_transfer_dup_property (FerryTransfer *self,
                                                  const char    *name);
/* a{sv} of every Transfer1 property. */
GVariant            *ferry_transfer_dup_properties (FerryTransfer *self);

/* (otssssssastttxxxxusbb): this transfer as Manager1.GetTransfers lists it. */
GVariant            *ferry_transfer_dup_summary (FerryTransfer *self);

/* Writes the record to the store. Announcing it (ferry_transfer_publish()) is the
 * scheduler's, after this and after the transaction it may be part of has committed. */
gboolean             ferry_transfer_persist (FerryTransfer *self,
                                             GError       **error);
/* Announces what changed since the last announcement ("properties-changed" with the a{sv}
 * of changed values), including live values (bytes, rate) that are not stored. */
void                 ferry_transfer_publish (FerryTransfer *self);

guint64              ferry_transfer_get_live_bytes (FerryTransfer *self);
/* For an upload while it runs: how far into the file the bytes sent reach. */
void                 ferry_transfer_set_sent_bytes (FerryTransfer *self,
                                                    guint64        bytes);
void                 ferry_transfer_set_live_bytes (FerryTransfer *self,
                                                    guint64        bytes);
guint64              ferry_transfer_get_rate (FerryTransfer *self);
/* Called by the progress tick: returns TRUE when the bytes changed since the last call. */
gboolean             ferry_transfer_update_rate (FerryTransfer *self,
                                                 gint64         now_usec);

FerryEngine         *ferry_transfer_get_engine (FerryTransfer *self);
void                 ferry_transfer_set_engine (FerryTransfer *self,
                                                FerryEngine   *engine);

/* Whether @error says the server could not be reached at all (refused, unknown host). */
gboolean ferry_transfer_error_is_unreachable (const GError *error);

G_END_DECLS
