/* ferry-browser-protocol.h: the browsers' native messaging framing, and checks of what the
 * extension sends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Browsers allow a host 1 MiB per message to the extension; Ferry's messages from the
 * extension are small too (a link, a cookie line), so both directions share the bound. */
#define FERRY_BROWSER_MAX_MESSAGE (1024 * 1024)
#define FERRY_BROWSER_MAX_URI 8192
#define FERRY_BROWSER_MAX_COOKIES (64 * 1024)
#define FERRY_BROWSER_MAX_HEADER 4096

typedef enum
{
  FERRY_BROWSER_READ_MESSAGE,   /* *body holds one message */
  FERRY_BROWSER_READ_END,       /* the browser closed the pipe between messages */
  FERRY_BROWSER_READ_TOO_LARGE, /* the message was skipped; the stream is still in step */
  FERRY_BROWSER_READ_BROKEN,    /* the stream cannot be followed any more */
} FerryBrowserRead;

FerryBrowserRead ferry_browser_read_message  (int      fd,
                                              char   **body,
                                              gsize   *length,
                                              GError **error);
gboolean         ferry_browser_write_message (int         fd,
                                              const char *body,
                                              gsize       length,
                                              GError    **error);

/* Parses one message: a JSON object with a string "type" and an optional "id" (a number
 * or a string, echoed in the answer). */
JsonObject      *ferry_browser_parse_request (const char *body,
                                              gsize       length,
                                              GError    **error);

/* Member checks: each fails with a sentence naming the member and what it must be.
 * An absent optional member leaves *out as NULL (or @fallback). */
gboolean ferry_browser_get_string (JsonObject  *object,
                                   const char  *member,
                                   gboolean     required,
                                   gsize        max_length,
                                   const char **out,
                                   GError     **error);
gboolean ferry_browser_get_uint   (JsonObject  *object,
                                   const char  *member,
                                   gboolean     required,
                                   guint64      fallback,
                                   guint64     *out,
                                   GError     **error);
/* http or https with a host, no user name or password in it. */
gboolean ferry_browser_check_uri  (const char  *member,
                                   const char  *uri,
                                   GError     **error);
/* A header value: printable text, no line breaks. */
gboolean ferry_browser_check_header_value (const char  *member,
                                           const char  *value,
                                           GError     **error);
/* A file name as the browser would save it: no folders, not . or .., at most 255 bytes. */
gboolean ferry_browser_check_filename (const char  *filename,
                                       GError     **error);

G_END_DECLS
