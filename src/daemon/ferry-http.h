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

/* Whether two addresses have the same origin: scheme, host (without case) and port, a
 * missing port being the scheme's own. FALSE when either is not an http(s) address. */
gboolean    ferry_http_same_origin (const char *uri_a,
                                    const char *uri_b);

/* Whether a caller header carries a credential: Authorization, Proxy-Authorization and
 * Cookie, and any name that says it is one (containing "auth", "token", "secret", "key",
 * "cookie", "session", "passw", "credential", "signature", "csrf" or "xsrf", without
 * case: X-Api-Key, X-Auth-Token, X-Amz-Security-Token...). These never go to another
 * origin and leave the store when a transfer ends. */
gboolean    ferry_http_header_is_secret (const char *name);

/* The caller's headers without the secret ones; NULL when none is left. */
GVariant   *ferry_http_public_headers (GVariant *caller_headers);

/* Sets the caller's extra headers (an a{ss}, validated when added; may be NULL) on a
 * request, replacing any of the same name. @msg is a SoupMessage. The secret ones
 * (ferry_http_header_is_secret()) go only when the request's address has the origin of
 * @caller_uri, the address the caller gave: never to where a redirect or a server-given
 * upload address leads elsewhere, on this attempt or a later one. A request without a
 * User-Agent of the caller's gets Ferry's (the session sets none: libsoup would replace the
 * caller's, a browser's that a server may answer differently). */
void        ferry_http_add_caller_headers (gpointer    msg,
                                           GVariant   *caller_headers,
                                           const char *caller_uri);

/* "Ferry/VERSION libsoup/VERSION". */
const char *ferry_http_user_agent (void);

/* Whether a status is worth retrying later: 408, 429 and 5xx. */
gboolean    ferry_http_status_is_transient (guint status);
/* A sentence for such a status. */
const char *ferry_http_transient_reason (guint status);

/* -- Uploads -------------------------------------------------------------------------- */

/* A non-negative structured-field integer (RFC 9651: at most 15 digits), as in
 * Upload-Offset and Upload-Length of the IETF draft, and the plain digits of tus. */
gboolean ferry_http_parse_offset (const char *value,
                                  guint64    *out_offset);

/* A structured-field boolean: "?1" or "?0" (Upload-Complete). */
gboolean ferry_http_parse_sf_boolean (const char *value,
                                      gboolean   *out_value);

/* The Upload-Limit dictionary; members Ferry does not know, and parameters, are skipped.
 * A member given as anything but a non-negative integer makes the whole field invalid. */
typedef struct
{
  guint64 max_size;          /* 0: not given */
  guint64 min_size;
  guint64 max_append_size;
  guint64 min_append_size;
  guint64 max_age;
} FerryUploadLimit;

gboolean ferry_http_parse_upload_limit (const char       *value,
                                        FerryUploadLimit *out_limit);

/* Whether a comma-separated list (Tus-Version, Tus-Extension, Tus-Checksum-Algorithm)
 * has @token, compared without case. */
gboolean ferry_http_list_has_token (const char *value,
                                    const char *token);

/* "filename <base64>,filetype <base64>" for tus's Upload-Metadata; NULL values are left
 * out. */
char    *ferry_http_tus_metadata (const char *filename,
                                  const char *content_type);

G_END_DECLS

/* -- What a response says, for the client ----------------------------------------------- */

/* The a{ss} of the response headers Ferry shows its clients (Transfer1's ResponseHeaders)
 * of @headers (a SoupMessageHeaders), by canonical name: only those named in a fixed list,
 * each for a reason a client has, and for @upload the upload protocols' own. Never
 * Set-Cookie, an authentication challenge or a header Ferry does not know: a server's
 * cookies and tokens are for the server's client, and an unknown header may be either. A
 * value that is not UTF-8, or longer than 4 KiB, is left out. Never NULL (an empty
 * dictionary instead). */
GVariant   *ferry_http_shown_response_headers (gpointer headers,
                                               gboolean upload);
