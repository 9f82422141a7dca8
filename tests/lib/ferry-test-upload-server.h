/* ferry-test-upload-server.h: a server that takes uploads, on 127.0.0.1, for the tests
 *
 * It speaks the IETF resumable upload draft (interop 9 or 6) under /ietf, and takes plain
 * PUT and POST (raw or multipart/form-data) under /plain/NAME. Like a real draft server it
 * keeps the bytes it received when a connection drops in the middle of a PATCH. Knobs make it
 * drop connections, forget uploads and disagree about offsets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _FerryTestUploadServer FerryTestUploadServer;

/* @interop: the draft interop version it speaks (9 or 6). */
FerryTestUploadServer *ferry_test_upload_server_new  (guint interop);
void                   ferry_test_upload_server_free (FerryTestUploadServer *server);
char                  *ferry_test_upload_server_uri  (FerryTestUploadServer *server,
                                                      const char            *path);

/* The next @times request bodies are cut after @bytes (of this request's body), the
 * connection closed without an answer. */
void     ferry_test_upload_server_set_drop          (FerryTestUploadServer *server,
                                                     guint64                bytes,
                                                     guint                  times);
/* Bytes per second request bodies are read at (0: as fast as possible). */
void     ferry_test_upload_server_set_throttle      (FerryTestUploadServer *server,
                                                     guint64                bytes_per_second);
/* The draft's Upload-Limit max-append-size (0: none); larger PATCHes get 413. */
void     ferry_test_upload_server_set_max_append    (FerryTestUploadServer *server,
                                                     guint64                bytes);
/* Enforce max-append-size without announcing it in Upload-Limit (the client learns by 413). */
void     ferry_test_upload_server_hide_limit        (FerryTestUploadServer *server,
                                                     gboolean               hide);
/* The first PATCH that comes once the server holds @at bytes finds the upload gone (as
 * when it expired): 404. Once only. */
void     ferry_test_upload_server_expire_at         (FerryTestUploadServer *server,
                                                     guint64                at);
/* The first PATCH that comes once the server holds @at bytes finds it with only @offset
 * (it lost the rest): 409. Once only. */
void     ferry_test_upload_server_conflict_at       (FerryTestUploadServer *server,
                                                     guint64                at,
                                                     guint64                offset);

/* What the server holds: the draft upload made @index-th (0 first), complete or not. */
GBytes  *ferry_test_upload_server_get_upload        (FerryTestUploadServer *server,
                                                     guint                  index,
                                                     gboolean              *out_complete);
guint    ferry_test_upload_server_count_uploads     (FerryTestUploadServer *server);
/* A plain upload's file (for multipart, the file part), and the form field it came in. */
GBytes  *ferry_test_upload_server_get_plain         (FerryTestUploadServer *server,
                                                     const char            *name,
                                                     char                 **out_field);
/* Requests with @method so far ("PATCH", "DELETE", "HEAD", ...). */
/* The first append that leaves the server with @at bytes or more also gets @bytes of
 * garbage after it, and the answer counts them (a server that did not stop an older
 * append). Once only. */
void     ferry_test_upload_server_mix_at            (FerryTestUploadServer *server,
                                                     guint64                at,
                                                     guint64                bytes);
/* The status OPTIONS answers with (0: 204, with the draft's headers under /ietf). */
void     ferry_test_upload_server_set_options_status (FerryTestUploadServer *server,
                                                      guint                  status);
/* How many expiries, conflicts and mixes (the knobs above) were served. */
guint    ferry_test_upload_server_count_faults      (FerryTestUploadServer *server);
guint    ferry_test_upload_server_count_method      (FerryTestUploadServer *server,
                                                     const char            *method);

/* Request body bytes read so far, whole requests or cut short. */
guint64  ferry_test_upload_server_get_bytes_received (FerryTestUploadServer *server);

/* The server takes requests in draft interop @interop too (8 with 9, say, as a server does
 * for iOS 26 and newer clients at once). */
void     ferry_test_upload_server_also_speak        (FerryTestUploadServer *server,
                                                     guint                  interop);
/* OPTIONS under /ietf names these versions in Upload-Draft-Interop-Version ("8, 6"). */
void     ferry_test_upload_server_announce_interop  (FerryTestUploadServer *server,
                                                     const char            *versions);
/* Draft requests accepted in interop @interop so far. */
guint    ferry_test_upload_server_count_interop     (FerryTestUploadServer *server,
                                                     guint                  interop);

/* More header lines ("Name: value\r\n"…) in the 201 a plain upload gets; NULL for none. */
void     ferry_test_upload_server_set_plain_headers (FerryTestUploadServer *server,
                                                     const char            *headers);

G_END_DECLS
