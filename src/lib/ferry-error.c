/* ferry-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "ferry-error.h"

/* The service's domain and libferry's are this one (src/common builds this file too): the
 * service's errors arrive with their codes. */
static const GDBusErrorEntry ferry_error_entries[] = {
  { FERRY_ERROR_INVALID_ARGUMENT, "io.github.ferryhq.Ferry.Error.InvalidArgument" },
  { FERRY_ERROR_NOT_FOUND, "io.github.ferryhq.Ferry.Error.NotFound" },
  { FERRY_ERROR_ACCESS_DENIED, "io.github.ferryhq.Ferry.Error.AccessDenied" },
  { FERRY_ERROR_UNSUPPORTED, "io.github.ferryhq.Ferry.Error.Unsupported" },
  { FERRY_ERROR_FAILED, "io.github.ferryhq.Ferry.Error.Failed" },
  { FERRY_ERROR_CANCELED, "io.github.ferryhq.Ferry.Error.Canceled" },
};

/* Every code has its name. */
G_STATIC_ASSERT (G_N_ELEMENTS (ferry_error_entries) == FERRY_ERROR_CANCELED + 1);

/**
 * ferry_error_quark:
 *
 * Returns: the quark of the %FERRY_ERROR domain
 */
GQuark
ferry_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("ferry-error-quark",
                                      &quark,
                                      ferry_error_entries,
                                      G_N_ELEMENTS (ferry_error_entries));
  return (GQuark) quark;
}
