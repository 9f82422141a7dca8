/* ferry-error.h: the error domain shared by the service and its clients
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FERRY_ERROR (ferry_error_quark ())

/* Every code maps to a registered D-Bus error name, io.github.ferryhq.Ferry.Error.<Name>,
 * so a client's GError has the same domain and code as the service's. */
typedef enum
{
  FERRY_ERROR_INVALID_ARGUMENT,
  FERRY_ERROR_NOT_FOUND,
  FERRY_ERROR_ACCESS_DENIED,
  FERRY_ERROR_UNSUPPORTED,
  FERRY_ERROR_FAILED,
} FerryError;

#define FERRY_N_ERRORS (FERRY_ERROR_FAILED + 1)

GQuark ferry_error_quark (void);

G_END_DECLS
