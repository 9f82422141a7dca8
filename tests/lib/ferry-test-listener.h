/* ferry-test-listener.h: what the test HTTP servers share — a loopback listener that reads
 * requests on handler threads and can be stopped with its threads waited for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _FerryTestListener FerryTestListener;

/* A threaded socket service listening on 127.0.0.1 at a free port, not started yet: the
 * test servers' and the flaky proxy's. */
GSocketService    *ferry_test_loopback_service_new  (guint                 max_threads,
                                                     guint16              *out_port);

/* Answers one request: @parts holds the method, the target and the version, @headers the
 * headers by lowercase name; the body, if any, is to be read from @in. FALSE ends the
 * connection. Called on a handler thread. */
typedef gboolean (*FerryTestRequestFunc) (GInputStream  *in,
                                          GOutputStream *out,
                                          GStrv          parts,
                                          GHashTable    *headers,
                                          gpointer       user_data);

/* Listens on 127.0.0.1 (a free port) with up to @max_threads connections at once. */
FerryTestListener *ferry_test_listener_new          (guint                 max_threads,
                                                     FerryTestRequestFunc  handle,
                                                     gpointer              user_data);
guint16            ferry_test_listener_get_port     (FerryTestListener    *listener);
/* TRUE once ferry_test_listener_free() began: handlers that wait or loop stop early. */
gboolean           ferry_test_listener_is_stopping  (FerryTestListener    *listener);
/* Stops listening and waits (10 s at most) for the handlers to end. FALSE, with a warning
 * naming @name, when some still run: then nothing they use may be freed. */
gboolean           ferry_test_listener_free         (FerryTestListener    *listener,
                                                     const char           *name);

G_END_DECLS
