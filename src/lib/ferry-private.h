/* ferry-private.h: what the library's parts share and do not export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ferry.h"

G_BEGIN_DECLS

/* The service's D-Bus names, written here once. The bus name carries the build's profile
 * (a development build talks to its own service). */
#define FERRY_BUS_NAME           FERRY_DAEMON_ID
#define FERRY_MANAGER_PATH       "/io/github/ferryhq/Ferry/Daemon"
#define FERRY_MANAGER_INTERFACE  "io.github.ferryhq.Ferry.Manager1"
#define FERRY_TRANSFER_INTERFACE "io.github.ferryhq.Ferry.Transfer1"
#define FERRY_APPLICATION_ACTION "transfers-finished"

void        _ferry_request_fill_options   (FerryRequest    *self,
                                           GVariantDict    *dict,
                                           FerryTransferKind kind);
void        _ferry_request_fill_update    (FerryRequest    *self,
                                           GVariantDict    *dict);

FerryTransfer *_ferry_transfer_new_from_summary (GDBusConnection *connection,
                                                 GVariant        *summary);
FerryTransfer *_ferry_transfer_new        (GDBusConnection *connection,
                                           const char      *path,
                                           GVariant        *properties);
/* Return TRUE when the state, wait reasons or retry time changed. */
gboolean    _ferry_transfer_update        (FerryTransfer   *self,
                                           GVariant        *properties);
gboolean    _ferry_transfer_set_summary   (FerryTransfer   *self,
                                           GVariant        *summary);
void        _ferry_transfer_set_progress  (FerryTransfer   *self,
                                           guint64          done,
                                           guint64          total,
                                           guint64          rate);
void        _ferry_transfer_set_connection (FerryTransfer   *self,
                                            GDBusConnection *connection);
gboolean    _ferry_transfer_has_wait_reason (FerryTransfer *self,
                                             const char    *reason);
/* a{ss}, or NULL while the service has not said (a transfer known from a summary). */
GVariant   *_ferry_transfer_get_response_headers (FerryTransfer *self);
/* The service did not say when asked: take it as none. */
void        _ferry_transfer_set_response_headers_unknown (FerryTransfer *self);

FerryOutcome *_ferry_outcome_new          (FerryOutcomeKind  kind,
                                           const char       *identifier,
                                           FerryTransfer    *transfer,
                                           GError           *error);

gboolean    _ferry_state_from_string      (const char         *str,
                                           FerryTransferState *state);

/* Where the service exports each transfer: this, then its number. */
#define FERRY_TRANSFERS_PATH FERRY_MANAGER_PATH "/transfers/"

G_END_DECLS
