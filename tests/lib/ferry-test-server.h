/* ferry-test-server.h: an HTTP/1.1 server on 127.0.0.1 with fault knobs, for the tests
 *
 * It runs in its own threads, so tests can block their main loop on D-Bus without stalling
 * it, and it writes raw bytes, so it can misbehave in the ways real servers do.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _FerryTestServer FerryTestServer;

typedef struct
{
  char *range;      /* Range header, or NULL */
  char *if_range;   /* If-Range header, or NULL */
  guint status;     /* status sent */
  gint64 time_usec; /* monotonic time the request arrived */
  GHashTable *headers; /* every request header: lower-case name → value */
} FerryTestRequest;

FerryTestServer *ferry_test_server_new (void);
void             ferry_test_server_free (FerryTestServer *server);
char            *ferry_test_server_uri (FerryTestServer *server,
                                        const char      *path);

/* A file at @path with @content; @etag may be NULL (no ETag sent). */
void  ferry_test_server_add_file (FerryTestServer *server,
                                  const char      *path,
                                  GBytes          *content,
                                  const char      *etag);
/* Replaces the file's content and ETag, as a server does when the file changes. */
void  ferry_test_server_set_content (FerryTestServer *server,
                                     const char      *path,
                                     GBytes          *content,
                                     const char      *etag);
void  ferry_test_server_set_ranges (FerryTestServer *server,
                                    const char      *path,
                                    gboolean         ranges);
/* Bytes per second the body is sent at (0: as fast as possible). */
void  ferry_test_server_set_throttle (FerryTestServer *server,
                                      const char      *path,
                                      guint64          bytes_per_second);
/* The next @times responses close the connection after @bytes of the body, with
 * Connection: close (a short body that ends in a clean EOF). */
void  ferry_test_server_set_drop (FerryTestServer *server,
                                  const char      *path,
                                  guint64          bytes,
                                  guint            times);
/* The next @times responses stop sending after @bytes of the body and hold the connection
 * open, silent, for @seconds (a stalled server). */
void  ferry_test_server_set_stall (FerryTestServer *server,
                                   const char      *path,
                                   guint64          bytes,
                                   guint            seconds,
                                   guint            times);
/* The next response answers @status instead, with Retry-After @retry_after if not NULL. */
void  ferry_test_server_queue_status (FerryTestServer *server,
                                      const char      *path,
                                      guint            status,
                                      const char      *retry_after);
void  ferry_test_server_set_header (FerryTestServer *server,
                                    const char      *path,
                                    const char      *name,
                                    const char      *value);
/* @path answers 302 to @target (a path on this server, or an absolute URI). */
void  ferry_test_server_add_redirect (FerryTestServer *server,
                                      const char      *path,
                                      const char      *target);

/* Copies of the requests made for @path so far. */
GPtrArray *ferry_test_server_get_requests (FerryTestServer *server,
                                           const char      *path);
guint      ferry_test_server_count_requests (FerryTestServer *server,
                                             const char      *path);

/* Response body bytes written so far, whole or cut short. */
guint64    ferry_test_server_get_bytes_sent (FerryTestServer *server);
/* The same for one path. */
guint64    ferry_test_server_get_bytes_sent_for (FerryTestServer *server,
                                                 const char      *path);

/* The most responses this server was sending at the same time. */
guint      ferry_test_server_get_max_in_flight (FerryTestServer *server);

void ferry_test_request_free (FerryTestRequest *request);

/* Deterministic pseudo-random content, and its SHA-256. */
GBytes *ferry_test_make_content (gsize  size,
                                 guint32 seed);
char   *ferry_test_sha256_bytes (GBytes *bytes);
char   *ferry_test_sha256_file (const char *path);

/* Responses (of any path) being sent when the @index-th request for @path arrived, itself
 * among them. */
guint      ferry_test_server_get_in_flight_at (FerryTestServer *server,
                                               const char      *path,
                                               guint            index);
/* Responses being sent now. */
guint      ferry_test_server_get_in_flight (FerryTestServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryTestServer, ferry_test_server_free)

G_END_DECLS
