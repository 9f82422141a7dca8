/* ferry-service.h: ferryd, the GApplication that owns the queue and exports the D-Bus API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FERRY_TYPE_SERVICE (ferry_service_get_type ())

G_DECLARE_FINAL_TYPE (FerryService, ferry_service, FERRY, SERVICE, GApplication)

FerryService *ferry_service_new (void);

G_END_DECLS
