/* ferry-options.h: checks the a{sv} option dictionaries of the D-Bus API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ferry-record.h"

G_BEGIN_DECLS

#define FERRY_MAX_HEADERS 64
#define FERRY_MAX_HEADER_BYTES 8192
/* All of one transfer's headers together (names and values): a quota, since each transfer's
 * headers are kept in memory and in the store for its whole life. */
#define FERRY_MAX_HEADERS_TOTAL_BYTES (16 * 1024)
#define FERRY_MAX_NAME_BYTES 255
#define FERRY_MAX_URI_BYTES 8192

typedef enum
{
  FERRY_OPTIONS_ADD_DOWNLOAD,
  FERRY_OPTIONS_ADD_UPLOAD,
  FERRY_OPTIONS_UPDATE,
} FerryOptionsKind;

/* Checks @uri (http or https, absolute, with a host). */
gboolean ferry_options_check_uri (const char *uri,
                                  GError    **error);

/* Checks every key and value of @options and applies them to @record. Unknown keys, wrong
 * types and bad values are FERRY_ERROR_INVALID_ARGUMENT; @record is then left as it was
 * only in the fields it had not reached — callers apply options to a fresh record or a copy.
 * @default_directory is used when a download names no destination. */
gboolean ferry_options_apply (FerryRecord     *record,
                              GVariant        *options,
                              FerryOptionsKind kind,
                              gboolean        *out_paused,
                              GError         **error);

G_END_DECLS
