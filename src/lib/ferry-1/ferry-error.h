/* ferry-error.h: the errors of the Ferry service, as a GError domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (FERRY_INSIDE) && !defined (FERRY_COMPILATION)
#error "Only <ferry.h> can be included directly."
#endif

#include <glib.h>

#include "ferry-version.h"

G_BEGIN_DECLS

/**
 * FERRY_ERROR:
 *
 * The error domain of the Ferry service and of libferry. Each code maps to the D-Bus error
 * `io.github.ferryhq.Ferry.Error.<Name>`, so an error the service returns arrives with its
 * code; its message is a sentence meant for a person.
 */
#define FERRY_ERROR (ferry_error_quark ())

/**
 * FerryError:
 * @FERRY_ERROR_INVALID_ARGUMENT: an option, URI or destination was refused; nothing was stored
 * @FERRY_ERROR_NOT_FOUND: the transfer does not exist (any more)
 * @FERRY_ERROR_ACCESS_DENIED: the transfer belongs to another app
 * @FERRY_ERROR_UNSUPPORTED: the service cannot do this
 * @FERRY_ERROR_FAILED: the transfer failed; the message says why
 * @FERRY_ERROR_CANCELED: someone canceled the transfer
 *
 * Error codes in the %FERRY_ERROR domain.
 */
typedef enum
{
  FERRY_ERROR_INVALID_ARGUMENT,
  FERRY_ERROR_NOT_FOUND,
  FERRY_ERROR_ACCESS_DENIED,
  FERRY_ERROR_UNSUPPORTED,
  FERRY_ERROR_FAILED,
  FERRY_ERROR_CANCELED,
} FerryError;

FERRY_AVAILABLE_IN_0_1
GQuark ferry_error_quark (void);

G_END_DECLS
