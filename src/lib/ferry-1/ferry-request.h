/* ferry-request.h: the options of a download or upload, as typed setters
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

G_BEGIN_DECLS

#define FERRY_TYPE_REQUEST (ferry_request_get_type ())

FERRY_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (FerryRequest, ferry_request, FERRY, REQUEST, GObject)

FERRY_AVAILABLE_IN_0_1
FerryRequest      *ferry_request_new                (void);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_flags          (FerryRequest        *self,
                                                     FerryRequestFlags    flags);
FERRY_AVAILABLE_IN_0_1
FerryRequestFlags  ferry_request_get_flags          (FerryRequest        *self);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_header         (FerryRequest        *self,
                                                     const char          *name,
                                                     const char          *value);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_sha256         (FerryRequest        *self,
                                                     const char          *sha256);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_earliest_begin (FerryRequest        *self,
                                                     gint64               unix_time);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_allow_metered  (FerryRequest        *self,
                                                     gboolean             allow_metered);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_discretionary  (FerryRequest        *self,
                                                     gboolean             discretionary);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_priority       (FerryRequest        *self,
                                                     int                  priority);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_rate_limit     (FerryRequest        *self,
                                                     guint64              bytes_per_second);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_connections    (FerryRequest        *self,
                                                     guint                connections);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_paused         (FerryRequest        *self,
                                                     gboolean             paused);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_destination    (FerryRequest        *self,
                                                     GFile               *folder);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_name           (FerryRequest        *self,
                                                     const char          *name);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_protocol       (FerryRequest        *self,
                                                     FerryUploadProtocol  protocol);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_method         (FerryRequest        *self,
                                                     const char          *method);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_content_type   (FerryRequest        *self,
                                                     const char          *content_type);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_form_field     (FerryRequest        *self,
                                                     const char          *form_field);

FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_interop_version (FerryRequest       *self,
                                                      guint               version);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_session        (FerryRequest        *self,
                                                     const char          *session_id);
FERRY_AVAILABLE_IN_0_1
const char        *ferry_request_get_session        (FerryRequest        *self);
FERRY_AVAILABLE_IN_0_1
void               ferry_request_set_notify         (FerryRequest        *self,
                                                     gboolean             notify);

G_END_DECLS
