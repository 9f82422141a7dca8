/* ferry-test-client.h: libferry-1 against the real ferryd on a private bus — the fixture of
 * the library's tests and what their async calls complete into
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <ferry.h>

#include "ferry-test-daemon.h"
#include "ferry-test-server.h"

G_BEGIN_DECLS

typedef struct
{
  FerryTestDaemon *daemon;
  FerryTestServer *server;
  FerrySession *session;
  /* The session's id; NULL is every transfer the caller may see, as ferryctl follows them. */
  const char *session_id;
} FerryTestClient;

/* ferryd on a private bus, the test server, and a session of @session_id: on the daemon's
 * connection, or with @own_connection on one of its own to the same bus, as an app has. */
void ferry_test_client_setup (FerryTestClient *client,
                              const char      *session_id,
                              gboolean         own_connection);
void ferry_test_client_teardown (FerryTestClient *client);

/* Drops client->session and waits until it is gone, so that nothing of it still answering
 * starts ferryd again. */
void          ferry_test_client_drop_session (FerryTestClient *client);
/* A request whose destination is the daemon's download folder. */
FerryRequest *ferry_test_client_request_into (FerryTestClient *client);
/* How many transfers the service lists in the session's id. */
guint         ferry_test_client_count_session (FerryTestClient *client);

/* A download's or an upload's outcome, collected while the main loop runs: pass
 * ferry_test_on_download or ferry_test_on_upload as the callback, the result as its data,
 * and wait with ferry_test_result_done. */
typedef struct
{
  gboolean done;
  FerryOutcome *outcome;
  GError *error;
} FerryTestResult;

void     ferry_test_on_download (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data);
void     ferry_test_on_upload (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data);
gboolean ferry_test_result_done (gpointer result);
void     ferry_test_result_clear (FerryTestResult *result);

/* An add's transfer (ferry_session_add_*_async), collected the same way. */
typedef struct
{
  gboolean done;
  FerryTransfer *transfer;
  GError *error;
} FerryTestAdded;

void     ferry_test_on_added (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data);
gboolean ferry_test_added_done (gpointer added);

/* Conditions on a FerryTransfer. */
gboolean ferry_test_transfer_completed (gpointer transfer);

G_END_DECLS
