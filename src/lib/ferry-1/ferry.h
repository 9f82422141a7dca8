/* ferry.h: libferry, background downloads and uploads for any app through Ferry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#define FERRY_INSIDE

#include "ferry-version.h"
#include "ferry-enums.h"
#include "ferry-enum-types.h"
#include "ferry-error.h"
#include "ferry-request.h"
#include "ferry-transfer.h"
#include "ferry-outcome.h"
#include "ferry-session.h"

#undef FERRY_INSIDE
