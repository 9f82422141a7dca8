/* ferry-error.h: the error domain shared by the service and its clients
 *
 * There is one: libferry's public FERRY_ERROR (src/lib/ferry-1/ferry-error.h, built from
 * src/lib/ferry-error.c into both libferry and this library), so the service, the app,
 * ferryctl and every app on libferry read the same codes with the same registered D-Bus
 * error names, io.github.ferryhq.Ferry.Error.<Name>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifdef FERRY_INSIDE
#include "../lib/ferry-1/ferry-error.h"
#else
#define FERRY_INSIDE
#include "../lib/ferry-1/ferry-error.h"
#undef FERRY_INSIDE
#endif

#define FERRY_N_ERRORS (FERRY_ERROR_CANCELED + 1)
