/* ferry-application.h: io.github.ferryhq.Ferry, a client of the Ferry service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ferry-client.h"

G_BEGIN_DECLS

#define FERRY_TYPE_APPLICATION (ferry_application_get_type ())

G_DECLARE_FINAL_TYPE (FerryApplication, ferry_application, FERRY, APPLICATION, AdwApplication)

FerryApplication *ferry_application_new (void);
FerryClient      *ferry_application_get_client (FerryApplication *self);

G_END_DECLS
