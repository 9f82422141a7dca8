/* ferry-http.h: strict parsers for the HTTP header fields Ferry trusts its data to
 *
 * Every function here takes text from a server and must hold against any input: they are
 * pure, allocate only their result, and are fuzzed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FERRY_FILENAME_MAX 255

typedef struct
{
  gint64 start;   /* -1 for an unsatisfied range ("bytes * /N") */
  gint64 end;     /* inclusive; -1 with start */
  gint64 total;   /* -1 when the server says "*" */
} FerryContentRange;

gboolean ferry_http_parse_content_range (const char        *value,
                                         FerryContentRange *out_range);

char    *ferry_http_content_disposition_filename (const char *value);
char    *ferry_http_uri_filename (const char *uri);
char    *ferry_http_sanitize_filename (const char *raw);
char    *ferry_http_filename_with_counter (const char *name,
                                           guint       counter);

gboolean ferry_http_parse_retry_after (const char *value,
                                       gint64      now_unix,
                                       gint64     *out_delay_seconds);

gboolean ferry_http_etag_is_strong (const char *etag);

typedef enum
{
  FERRY_DIGEST_NONE,
  FERRY_DIGEST_SHA256,
  FERRY_DIGEST_SHA512,
} FerryDigestAlgorithm;

FerryDigestAlgorithm ferry_http_parse_repr_digest (const char *value,
                                                   char      **out_hex);

gboolean ferry_http_sha256_hex_is_valid (const char *hex);

G_END_DECLS
