/* ferry-outcome.h: what became of a download or upload
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
#include "ferry-transfer.h"

G_BEGIN_DECLS

#define FERRY_TYPE_OUTCOME (ferry_outcome_get_type ())

FERRY_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (FerryOutcome, ferry_outcome, FERRY, OUTCOME, GObject)

FERRY_AVAILABLE_IN_0_1
FerryOutcomeKind  ferry_outcome_get_kind        (FerryOutcome *self);
FERRY_AVAILABLE_IN_0_1
const char       *ferry_outcome_get_identifier  (FerryOutcome *self);
FERRY_AVAILABLE_IN_0_1
FerryTransfer    *ferry_outcome_get_transfer    (FerryOutcome *self);
FERRY_AVAILABLE_IN_0_1
GFile            *ferry_outcome_get_file        (FerryOutcome *self);
FERRY_AVAILABLE_IN_0_1
guint             ferry_outcome_get_http_status (FerryOutcome *self);
FERRY_AVAILABLE_IN_0_1
const char       *ferry_outcome_get_message     (FerryOutcome *self);
FERRY_AVAILABLE_IN_0_1
const GError     *ferry_outcome_get_error       (FerryOutcome *self);
FERRY_AVAILABLE_IN_0_1
gint64            ferry_outcome_get_retry_at    (FerryOutcome *self);
FERRY_AVAILABLE_IN_0_1
GHashTable       *ferry_outcome_get_response_headers (FerryOutcome *self);
FERRY_AVAILABLE_IN_0_1
const char       *ferry_outcome_get_response_header  (FerryOutcome *self,
                                                      const char   *name);

G_END_DECLS
