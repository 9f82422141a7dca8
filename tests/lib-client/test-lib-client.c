/* test-lib-client.c: libferry-1 against the real ferryd on a private bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <ferry.h>

#include "ferry-test-client.h"
#include "ferry-test-daemon.h"
#include "ferry-test-server.h"
#include "ferry-test-upload-server.h"

#define SESSION_ID "org.example.LibClient"

typedef FerryTestClient Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  ferry_test_client_setup (f, SESSION_ID, TRUE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  ferry_test_client_teardown (f);
}

static void
download (Fixture         *f,
          const char      *server_path,
          const char      *identifier,
          FerryRequest    *request,
          GCancellable    *cancellable,
          FerryTestResult *r)
{
  g_autofree char *uri = ferry_test_server_uri (f->server, server_path);

  ferry_session_download_async (f->session, uri, identifier, request, cancellable,
                                ferry_test_on_download, r);
}

static void
wait_result (FerryTestResult *r)
{
  g_assert_true (ferry_test_wait_until (ferry_test_result_done, r, 60000));
}

static gboolean
session_empty (gpointer user_data)
{
  return ferry_test_client_count_session (user_data) == 0;
}

typedef struct
{
  Fixture *f;
  const char *identifier;
} Lookup;

static gboolean
listed (gpointer user_data)
{
  Lookup *l = user_data;

  return ferry_session_lookup (l->f->session, l->identifier) != NULL;
}

static FerryTransfer *
wait_listed (Fixture    *f,
             const char *identifier)
{
  Lookup l = { f, identifier };

  g_assert_true (ferry_test_wait_until (listed, &l, 30000));
  return ferry_session_lookup (f->session, identifier);
}

static void
on_done_boolean (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  /* Every transfer method's _finish has this shape; the tag tells them apart. */
  if (g_task_get_source_tag (G_TASK (result)) == ferry_transfer_resume_async)
    ferry_transfer_resume_finish (FERRY_TRANSFER (source), result, &error);
  else if (g_task_get_source_tag (G_TASK (result)) == ferry_transfer_cancel_async)
    ferry_transfer_cancel_finish (FERRY_TRANSFER (source), result, &error);
  else if (g_task_get_source_tag (G_TASK (result)) == ferry_transfer_remove_async)
    ferry_transfer_remove_finish (FERRY_TRANSFER (source), result, &error);
  else
    ferry_transfer_pause_finish (FERRY_TRANSFER (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

static gboolean
is_true (gpointer user_data)
{
  return *(gboolean *) user_data;
}

static void
resume (FerryTransfer *t)
{
  gboolean done = FALSE;

  ferry_transfer_resume_async (t, NULL, on_done_boolean, &done);
  g_assert_true (ferry_test_wait_until (is_true, &done, 30000));
}

static void
assert_file_sha256 (FerryOutcome *outcome,
                    GBytes       *content)
{
  GFile *file = ferry_outcome_get_file (outcome);
  g_autofree char *path = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = ferry_test_sha256_bytes (content);

  g_assert_nonnull (file);
  path = g_file_get_path (file);
  got = ferry_test_sha256_file (path);
  g_assert_cmpstr (got, ==, want);
}

/* -- Outcome classes ---------------------------------------------------------------------- */

/* A 200: SUCCESS with the file and its status; the transfer is removed from the service
 * once the callback ran (the outcome is delivered), and the file stays. */
static void
test_success (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (300000, 1);
  g_autoptr(FerryRequest) request = ferry_test_client_request_into (f);
  g_autofree char *sha = ferry_test_sha256_bytes (content);
  FerryTestResult r = { 0 };

  ferry_test_server_add_file (f->server, "/ep42.mp3", content, "\"a\"");
  ferry_request_set_sha256 (request, sha);
  download (f, "/ep42.mp3", "episode-42", request, NULL, &r);
  wait_result (&r);

  g_assert_no_error (r.error);
  g_assert_cmpint (ferry_outcome_get_kind (r.outcome), ==, FERRY_OUTCOME_SUCCESS);
  g_assert_cmpstr (ferry_outcome_get_identifier (r.outcome), ==, "episode-42");
  g_assert_cmpuint (ferry_outcome_get_http_status (r.outcome), ==, 200);
  g_assert_null (ferry_outcome_get_error (r.outcome));
  assert_file_sha256 (r.outcome, content);

  g_assert_true (ferry_test_wait_until (session_empty, f, 30000));
  assert_file_sha256 (r.outcome, content);
  ferry_test_result_clear (&r);
}

/* A 404: REJECTED with the status and the service's sentence. */
static void
test_rejected (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(FerryRequest) request = ferry_test_client_request_into (f);
  FerryTestResult r = { 0 };

  download (f, "/missing.iso", "missing", request, NULL, &r);
  wait_result (&r);

  g_assert_no_error (r.error);
  g_assert_cmpint (ferry_outcome_get_kind (r.outcome), ==, FERRY_OUTCOME_REJECTED);
  g_assert_cmpuint (ferry_outcome_get_http_status (r.outcome), ==, 404);
  g_assert_nonnull (ferry_outcome_get_message (r.outcome));
  g_assert_cmpstr (ferry_outcome_get_message (r.outcome), !=, "");
  g_assert_null (ferry_outcome_get_file (r.outcome));
  g_test_message ("rejected: %s", ferry_outcome_get_message (r.outcome));
  ferry_test_result_clear (&r);
}

/* A 503 with Retry-After, asked not to wait: RETRY with the server's time; the transfer is
 * still the service's, waiting to retry. Without the flag the same call keeps waiting. */
static void
test_retry (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 2);
  g_autoptr(FerryRequest) request = ferry_test_client_request_into (f);
  g_autoptr(FerryRequest) waiting = ferry_test_client_request_into (f);
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  FerryTransfer *t;
  FerryTestResult r = { 0 };
  FerryTestResult w = { 0 };

  ferry_test_server_add_file (f->server, "/busy", content, NULL);
  ferry_test_server_queue_status (f->server, "/busy", 503, "120");
  ferry_request_set_flags (request, FERRY_REQUEST_NO_WAIT);
  download (f, "/busy", "busy", waiting, cancellable, &w);
  download (f, "/busy", "busy", request, NULL, &r);
  wait_result (&r);

  g_assert_no_error (r.error);
  g_assert_cmpint (ferry_outcome_get_kind (r.outcome), ==, FERRY_OUTCOME_RETRY);
  g_assert_cmpint (ferry_outcome_get_retry_at (r.outcome), >=, before + 120);
  g_assert_cmpuint (ferry_outcome_get_http_status (r.outcome), ==, 503);

  t = ferry_outcome_get_transfer (r.outcome);
  g_assert_cmpint (ferry_transfer_get_state (t), ==, FERRY_TRANSFER_STATE_WAITING);
  g_assert_true (g_strv_contains (ferry_transfer_get_wait_reasons (t), "retry"));
  g_assert_cmpuint (ferry_test_client_count_session (f), ==, 1);
  g_assert_false (w.done);
  g_cancellable_cancel (cancellable);
  wait_result (&w);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  ferry_test_result_clear (&w);
  ferry_test_result_clear (&r);
}

/* A file that fails its checksum: FAILED with FERRY_ERROR_FAILED and the service's
 * sentence; no file. */
static void
test_checksum (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (50000, 3);
  g_autoptr(FerryRequest) request = ferry_test_client_request_into (f);
  g_autofree char *partial = NULL;
  const GError *error;
  FerryTestResult r = { 0 };

  ferry_test_server_add_file (f->server, "/tampered", content, "\"t\"");
  ferry_request_set_sha256 (request,
                            "0000000000000000000000000000000000000000000000000000000000000000");
  download (f, "/tampered", "tampered", request, NULL, &r);
  wait_result (&r);

  g_assert_no_error (r.error);
  g_assert_cmpint (ferry_outcome_get_kind (r.outcome), ==, FERRY_OUTCOME_FAILED);
  error = ferry_outcome_get_error (r.outcome);
  g_assert_error ((GError *) error, FERRY_ERROR, FERRY_ERROR_FAILED);
  g_test_message ("failed: %s", error->message);
  g_assert_null (ferry_outcome_get_file (r.outcome));
  partial = g_build_filename (f->daemon->download_dir, "tampered", NULL);
  g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));
  ferry_test_result_clear (&r);
}

/* What the service refuses to store: FAILED with the D-Bus error mapped to its code. */
static void
test_invalid (Fixture       *f,
              gconstpointer  data)
{
  FerryTestResult r = { 0 };

  ferry_session_download_async (f->session, "ftp://example.org/file", "ftp", NULL, NULL,
                                ferry_test_on_download, &r);
  wait_result (&r);

  g_assert_cmpint (ferry_outcome_get_kind (r.outcome), ==, FERRY_OUTCOME_FAILED);
  g_assert_error ((GError *) ferry_outcome_get_error (r.outcome), FERRY_ERROR,
                  FERRY_ERROR_INVALID_ARGUMENT);
  g_assert_null (ferry_outcome_get_transfer (r.outcome));
  g_assert_cmpuint (ferry_test_client_count_session (f), ==, 0);
  ferry_test_result_clear (&r);
}

/* -- Cancellation ------------------------------------------------------------------------- */

/* Canceling the call's GCancellable ends the wait, not the transfer: it stays, a second
 * call reconnects to it and gets its outcome. ferry_transfer_cancel_async() cancels it. */
static void
test_cancellable (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (200000, 4);
  g_autoptr(FerryRequest) paused = ferry_test_client_request_into (f);
  g_autoptr(FerryRequest) plain = ferry_test_client_request_into (f);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(FerryTransfer) t = NULL;
  gboolean done = FALSE;
  FerryTestResult r = { 0 };
  FerryTestResult again = { 0 };
  FerryTestResult gone = { 0 };

  ferry_test_server_add_file (f->server, "/big", content, "\"b\"");
  ferry_test_server_add_file (f->server, "/other", content, "\"o\"");
  ferry_request_set_paused (paused, TRUE);
  download (f, "/big", "big", paused, cancellable, &r);
  t = g_object_ref (wait_listed (f, "big"));
  g_assert_cmpint (ferry_transfer_get_state (t), ==, FERRY_TRANSFER_STATE_PAUSED);

  g_cancellable_cancel (cancellable);
  wait_result (&r);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (r.outcome);
  /* Still the service's, still paused. */
  g_assert_cmpuint (ferry_test_client_count_session (f), ==, 1);
  g_assert_cmpint (ferry_transfer_get_state (t), ==, FERRY_TRANSFER_STATE_PAUSED);

  download (f, "/big", "big", plain, NULL, &again);
  resume (t);
  wait_result (&again);
  g_assert_cmpint (ferry_outcome_get_kind (again.outcome), ==, FERRY_OUTCOME_SUCCESS);
  g_assert_true (ferry_outcome_get_transfer (again.outcome) == t);
  assert_file_sha256 (again.outcome, content);
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/big"), ==, 1);

  /* Only the transfer's own cancel cancels it. */
  download (f, "/other", "other", paused, NULL, &gone);
  g_clear_object (&t);
  t = g_object_ref (wait_listed (f, "other"));
  ferry_transfer_cancel_async (t, NULL, on_done_boolean, &done);
  wait_result (&gone);
  g_assert_true (ferry_test_wait_until (is_true, &done, 30000));
  g_assert_cmpint (ferry_outcome_get_kind (gone.outcome), ==, FERRY_OUTCOME_FAILED);
  g_assert_error ((GError *) ferry_outcome_get_error (gone.outcome), FERRY_ERROR,
                  FERRY_ERROR_CANCELED);
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/other"), ==, 0);
  /* Both outcomes delivered: both transfers removed. */
  g_assert_true (ferry_test_wait_until (session_empty, f, 30000));
  ferry_test_result_clear (&again);
  ferry_test_result_clear (&gone);
  ferry_test_result_clear (&r);
}

/* -- Reconnecting ------------------------------------------------------------------------- */

static gboolean
bytes_at_least (gpointer user_data)
{
  FerryTransfer *t = user_data;

  return ferry_transfer_get_bytes_done (t) >= 100000 &&
         ferry_transfer_get_state (t) == FERRY_TRANSFER_STATE_RUNNING;
}

/* kill -9 of ferryd in the middle: the pending call gets the outcome of the same transfer,
 * which the service resumed (the session starts it again, as calls wait). */
static void
test_reconnect_kill (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (600000, 5);
  g_autoptr(FerryRequest) request = ferry_test_client_request_into (f);
  FerryTransfer *t;
  GPid pid;
  FerryTestResult r = { 0 };

  ferry_test_server_add_file (f->server, "/slow", content, "\"s\"");
  ferry_test_server_set_throttle (f->server, "/slow", 200000);
  download (f, "/slow", "slow", request, NULL, &r);
  t = wait_listed (f, "slow");
  g_assert_true (ferry_test_wait_until (bytes_at_least, t, 30000));

  pid = ferry_test_daemon_pid (f->daemon);
  g_test_message ("kill -9 ferryd (pid %d)", (int) pid);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  ferry_test_server_set_throttle (f->server, "/slow", 0);

  wait_result (&r);
  g_assert_cmpint (ferry_outcome_get_kind (r.outcome), ==, FERRY_OUTCOME_SUCCESS);
  assert_file_sha256 (r.outcome, content);
  g_assert_cmpint (ferry_test_daemon_pid (f->daemon), !=, pid);
  /* One transfer, resumed: the second request asked for the rest. */
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/slow"), >=, 2);
  g_assert_true (ferry_test_wait_until (session_empty, f, 30000));
  ferry_test_result_clear (&r);
}

/* ferryd dies with the add in its queue, unanswered: the session adds again (safe, by
 * identifier), which starts ferryd again, and the call gets its outcome. */
static void
test_reconnect_add_in_flight (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (70000, 10);
  g_autoptr(FerryRequest) request = ferry_test_client_request_into (f);
  g_autoptr(GVariant) id = NULL;
  g_autoptr(GError) error = NULL;
  GPid pid;
  FerryTestResult r = { 0 };

  ferry_test_server_add_file (f->server, "/queued", content, "\"q\"");
  g_assert_true (ferry_test_wait_until ((FerryTestCondition) ferry_session_get_loaded,
                                        f->session, 30000));
  pid = ferry_test_daemon_pid (f->daemon);
  g_assert_cmpint (kill (pid, SIGSTOP), ==, 0);
  download (f, "/queued", "queued", request, NULL, &r);
  /* Messages on a connection are kept in order: once the bus answers this, it has handed
   * the add to the stopped ferryd. */
  id = g_dbus_connection_call_sync (f->daemon->connection, "org.freedesktop.DBus",
                                    "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId",
                                    NULL, G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                    NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);

  wait_result (&r);
  g_assert_cmpint (ferry_outcome_get_kind (r.outcome), ==, FERRY_OUTCOME_SUCCESS);
  assert_file_sha256 (r.outcome, content);
  g_assert_cmpint (ferry_test_daemon_pid (f->daemon), !=, pid);
  g_assert_true (ferry_test_wait_until (session_empty, f, 30000));
  ferry_test_result_clear (&r);
}

/* A client process hands a download over and exits; the next process's call with the same
 * identifier reconnects to it (one transfer, one request to the server). */
static void
test_reconnect_process (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (100000, 6);
  g_autoptr(FerryRequest) request = ferry_test_client_request_into (f);
  g_autofree char *uri = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  FerryTestRun run = { 0 };
  g_autofree char *path_before = NULL;
  FerryTransfer *t;
  FerryTestResult r = { 0 };

  ferry_test_server_add_file (f->server, "/report.pdf", content, "\"r\"");
  uri = ferry_test_server_uri (f->server, "/report.pdf");
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error, g_test_get_filename (G_TEST_BUILT, "lib-client",
                                                         "test-lib-client", NULL),
                            "--hand-over", uri, "report", f->daemon->download_dir, NULL);
  g_assert_no_error (error);
  ferry_test_run_finish (child, &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (ferry_test_client_count_session (f), ==, 1);
  path_before = g_strstrip (g_strdup (run.out));
  ferry_test_run_clear (&run);

  download (f, "/report.pdf", "report", request, NULL, &r);
  t = wait_listed (f, "report");
  g_assert_cmpstr (ferry_transfer_get_object_path (t), ==, path_before);
  g_assert_cmpint (ferry_transfer_get_state (t), ==, FERRY_TRANSFER_STATE_PAUSED);
  resume (t);
  wait_result (&r);
  g_assert_cmpint (ferry_outcome_get_kind (r.outcome), ==, FERRY_OUTCOME_SUCCESS);
  assert_file_sha256 (r.outcome, content);
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/report.pdf"), ==, 1);
  ferry_test_result_clear (&r);
}

/* The child of test_reconnect_process: adds the download paused, prints its path once the
 * session lists it, and exits with the call still pending. */
static int
hand_over (const char *uri,
           const char *identifier,
           const char *folder_path)
{
  g_autoptr(FerrySession) session = ferry_session_new (SESSION_ID);
  g_autoptr(FerryRequest) request = ferry_request_new ();
  g_autoptr(GFile) folder = g_file_new_for_path (folder_path);
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  FerryTestResult r = { 0 };

  ferry_request_set_destination (request, folder);
  ferry_request_set_paused (request, TRUE);
  ferry_session_download_async (session, uri, identifier, request, NULL,
                                ferry_test_on_download, &r);
  while (ferry_session_lookup (session, identifier) == NULL && !r.done)
    g_main_context_iteration (context, TRUE);
  if (r.done)
    return 1;
  g_print ("%s\n", ferry_transfer_get_object_path (ferry_session_lookup (session, identifier)));
  return 0;
}

/* -- Uploads ------------------------------------------------------------------------------ */

/* An upload by GFile (resumable, IETF, cut once) and one by descriptor (a plain PUT): both
 * SUCCESS with the server's status, the server has the bytes, bytes-sent reached the end. */
static void
test_upload (Fixture       *f,
             gconstpointer  data)
{
  FerryTestUploadServer *server = ferry_test_upload_server_new (9);
  g_autoptr(GBytes) content = ferry_test_make_content (900000, 11);
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "holiday.mp4", NULL);
  g_autofree char *ietf = ferry_test_upload_server_uri (server, "/ietf");
  g_autofree char *plain = ferry_test_upload_server_uri (server, "/plain/holiday.mp4");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(FerryRequest) resumable = ferry_request_new ();
  g_autoptr(FerryRequest) put = ferry_request_new ();
  g_autoptr(GBytes) got = NULL;
  gboolean complete = FALSE;
  FerryTransfer *t;
  FerryTestResult r = { 0 };
  FerryTestResult p = { 0 };
  int fd;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (content, NULL),
                                      g_bytes_get_size (content), NULL));
  ferry_test_upload_server_set_drop (server, 400000, 1);
  ferry_request_set_protocol (resumable, FERRY_UPLOAD_PROTOCOL_IETF);
  ferry_session_upload_async (f->session, ietf, file, "holiday", resumable, NULL,
                              ferry_test_on_upload, &r);
  wait_result (&r);
  g_assert_no_error (r.error);
  g_assert_cmpint (ferry_outcome_get_kind (r.outcome), ==, FERRY_OUTCOME_SUCCESS);
  g_assert_null (ferry_outcome_get_file (r.outcome));
  t = ferry_outcome_get_transfer (r.outcome);
  g_assert_cmpint (ferry_transfer_get_kind (t), ==, FERRY_TRANSFER_KIND_UPLOAD);
  g_assert_cmpuint (ferry_transfer_get_bytes_done (t), ==, 900000);
  g_assert_cmpuint (ferry_transfer_get_bytes_sent (t), ==, 900000);
  g_assert_true (ferry_transfer_get_resumable (t));
  got = ferry_test_upload_server_get_upload (server, 0, &complete);
  g_assert_true (complete);
  g_assert_true (g_bytes_equal (got, content));
  g_clear_pointer (&got, g_bytes_unref);

  fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  ferry_request_set_method (put, "PUT");
  ferry_request_set_protocol (put, FERRY_UPLOAD_PROTOCOL_PLAIN);
  ferry_session_upload_fd_async (f->session, plain, fd, "holiday-put", put, NULL,
                                 ferry_test_on_upload, &p);
  close (fd);
  wait_result (&p);
  g_assert_cmpint (ferry_outcome_get_kind (p.outcome), ==, FERRY_OUTCOME_SUCCESS);
  g_assert_cmpuint (ferry_outcome_get_http_status (p.outcome), ==, 201);
  got = ferry_test_upload_server_get_plain (server, "holiday.mp4", NULL);
  g_assert_true (g_bytes_equal (got, content));
  g_assert_true (ferry_test_wait_until (session_empty, f, 30000));
  ferry_test_result_clear (&r);
  ferry_test_result_clear (&p);
  ferry_test_upload_server_free (server);
}

/* -- The live list ------------------------------------------------------------------------ */

typedef struct
{
  GPtrArray *states;
  guint notifies;
} Seen;

static void
on_state (FerryTransfer *t,
          GParamSpec    *pspec,
          Seen          *seen)
{
  g_ptr_array_add (seen->states, GINT_TO_POINTER (ferry_transfer_get_state (t)));
}

static gboolean
n_items_is (gpointer user_data)
{
  gpointer *args = user_data;

  return g_list_model_get_n_items (args[0]) == GPOINTER_TO_UINT (args[1]);
}

static gboolean
state_is_completed (gpointer user_data)
{
  return ferry_transfer_get_state (user_data) == FERRY_TRANSFER_STATE_COMPLETED;
}

/* A transfer another client adds to the session appears in the list; its properties notify
 * as it runs; removed by that client, it leaves the list. */
static void
test_model_live (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (400000, 7);
  GListModel *model = ferry_session_get_transfers (f->session);
  g_autoptr(FerryTransfer1) proxy = NULL;
  g_autoptr(FerryTransfer) t = NULL;
  g_autoptr(GError) error = NULL;
  Seen seen = { g_ptr_array_new (), 0 };
  GVariantDict dict;
  gpointer args[2] = { model, GUINT_TO_POINTER (1) };

  ferry_test_server_add_file (f->server, "/live", content, "\"l\"");
  ferry_test_server_set_throttle (f->server, "/live", 400000);
  g_assert_true (ferry_test_wait_until ((FerryTestCondition) ferry_session_get_loaded,
                                        f->session, 30000));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "session", "s", SESSION_ID);
  g_variant_dict_insert (&dict, "identifier", "s", "live");
  g_variant_dict_insert (&dict, "paused", "b", TRUE);
  proxy = ferry_test_daemon_add_from (f->daemon, f->server, "/live", g_variant_dict_end (&dict));
  g_assert_true (ferry_test_wait_until (n_items_is, args, 30000));

  t = g_list_model_get_item (model, 0);
  g_assert_cmpstr (ferry_transfer_get_identifier (t), ==, "live");
  g_assert_cmpstr (ferry_transfer_get_session (t), ==, SESSION_ID);
  g_assert_cmpint (ferry_transfer_get_kind (t), ==, FERRY_TRANSFER_KIND_DOWNLOAD);
  g_assert_cmpint (ferry_transfer_get_state (t), ==, FERRY_TRANSFER_STATE_PAUSED);
  g_signal_connect (t, "notify::state", G_CALLBACK (on_state), &seen);

  ferry_transfer1_call_resume_sync (proxy, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_until (state_is_completed, t, 30000));
  g_assert_cmpuint (ferry_transfer_get_bytes_done (t), ==, 400000);
  g_assert_cmpuint (ferry_transfer_get_bytes_total (t), ==, 400000);
  g_assert_cmpuint (ferry_transfer_get_http_status (t), ==, 200);
  g_assert_cmpuint (seen.states->len, >=, 2);
  g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (seen.states, seen.states->len - 1)), ==,
                   FERRY_TRANSFER_STATE_COMPLETED);

  ferry_transfer1_call_remove_sync (proxy, FALSE, NULL, &error);
  g_assert_no_error (error);
  args[1] = GUINT_TO_POINTER (0);
  g_assert_true (ferry_test_wait_until (n_items_is, args, 30000));
  g_ptr_array_unref (seen.states);
}

/* 500 where the sanitizers make ferryd and the library many times slower: 10,000 then
 * outlast a D-Bus call's 25 s on a loaded machine. */
#define MODEL_COUNT (g_getenv ("FERRY_TEST_SANITIZED") != NULL ? 500u : 10000u)

static gboolean
daemon_is_running (Fixture *f)
{
  return ferry_test_name_has_owner (f->daemon->connection, "io.github.ferryhq.Ferry.Daemon");
}

static void
test_model_10000 (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryTransfer) first = NULL;
  g_autoptr(FerryTransfer) last = NULL;
  g_autofree char *last_id = NULL;
  g_autofree char *middle_id = NULL;
  GListModel *model;
  gpointer args[2];
  gint64 start, filled;
  gboolean removed = FALSE;

  /* The fixture's session goes first, whole: one still answering a call of its own could
   * start ferryd again while the rows below go in. */
  ferry_test_client_drop_session (f);
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  ferry_test_daemon_kill (f->daemon);
  ferry_test_daemon_fill_store (f->daemon, MODEL_COUNT, SESSION_ID,
                                "https://mirror.example.org/file-", ".tar.xz");

  /* A session left from the fixture may have started ferryd again while the rows went in;
   * that one read the store before them. */
  if (daemon_is_running (f))
    ferry_test_daemon_kill (f->daemon);

  /* From nothing (ferryd not running) to a filled list. */
  start = g_get_monotonic_time ();
  f->session = ferry_session_new_for_connection (f->daemon->connection, SESSION_ID);
  model = ferry_session_get_transfers (f->session);
  g_assert_true (ferry_test_wait_until ((FerryTestCondition) ferry_session_get_loaded,
                                        f->session, 60000));
  filled = g_get_monotonic_time () - start;
  g_test_message ("%u transfers: list filled %.0f ms after ferry_session_new (ferryd started "
                  "by the call)", MODEL_COUNT, filled / 1000.0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, MODEL_COUNT);

  /* With ferryd running: what the library itself costs (one call, 10,000 objects). */
  {
    g_autoptr(FerrySession) warm = NULL;

    start = g_get_monotonic_time ();
    warm = ferry_session_new_for_connection (f->daemon->connection, SESSION_ID);
    g_assert_true (ferry_test_wait_until ((FerryTestCondition) ferry_session_get_loaded,
                                          warm, 60000));
    g_test_message ("%u transfers: list filled %.0f ms after ferry_session_new (ferryd "
                    "running)", MODEL_COUNT, (g_get_monotonic_time () - start) / 1000.0);
    g_assert_cmpuint (g_list_model_get_n_items (ferry_session_get_transfers (warm)), ==,
                      MODEL_COUNT);
  }

  first = g_list_model_get_item (model, 0);
  last = g_list_model_get_item (model, MODEL_COUNT - 1);
  g_assert_cmpstr (ferry_transfer_get_identifier (first), ==, "id-0");
  last_id = g_strdup_printf ("id-%u", MODEL_COUNT - 1);
  middle_id = g_strdup_printf ("id-%u", MODEL_COUNT / 2);
  g_assert_cmpstr (ferry_transfer_get_identifier (last), ==, last_id);
  g_assert_cmpint (ferry_transfer_get_state (last), ==, FERRY_TRANSFER_STATE_PAUSED);
  g_assert_true (ferry_session_lookup (f->session, middle_id) != NULL);

  /* Still live: a removal leaves the list. */
  ferry_transfer_remove_async (first, FALSE, NULL, on_done_boolean, &removed);
  args[0] = model;
  args[1] = GUINT_TO_POINTER (MODEL_COUNT - 1);
  g_assert_true (ferry_test_wait_until (n_items_is, args, 30000));
  g_assert_true (ferry_test_wait_until (is_true, &removed, 30000));
}

/* -- Update and threads ------------------------------------------------------------------- */

static void
on_updated (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  ferry_transfer_update_finish (FERRY_TRANSFER (source), result, &error);
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
on_notify_count (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

/* An expired link swapped for a new one to the same file: the transfer fetches from the new
 * one only, its uri property notifies, the call gets the file. */
static void
test_update_uri (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (80000, 8);
  g_autoptr(FerryRequest) request = ferry_test_client_request_into (f);
  g_autoptr(FerryRequest) changes = ferry_request_new ();
  g_autofree char *new_uri = ferry_test_server_uri (f->server, "/fresh/file.bin");
  FerryTransfer *t;
  gboolean updated = FALSE;
  guint uri_notifies = 0;
  FerryTestResult r = { 0 };

  ferry_test_server_add_file (f->server, "/expired/file.bin", content, "\"same\"");
  ferry_test_server_add_file (f->server, "/fresh/file.bin", content, "\"same\"");
  ferry_request_set_paused (request, TRUE);
  download (f, "/expired/file.bin", "swap", request, NULL, &r);
  t = wait_listed (f, "swap");
  g_signal_connect (t, "notify::uri", G_CALLBACK (on_notify_count), &uri_notifies);

  ferry_request_set_priority (changes, 5);
  ferry_transfer_update_async (t, new_uri, changes, NULL, on_updated, &updated);
  g_assert_true (ferry_test_wait_until (is_true, &updated, 30000));
  resume (t);
  wait_result (&r);

  g_assert_cmpint (ferry_outcome_get_kind (r.outcome), ==, FERRY_OUTCOME_SUCCESS);
  assert_file_sha256 (r.outcome, content);
  g_assert_cmpstr (ferry_transfer_get_uri (t), ==, new_uri);
  g_assert_cmpuint (uri_notifies, >=, 1);
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/expired/file.bin"), ==, 0);
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/fresh/file.bin"), ==, 1);
  ferry_test_result_clear (&r);
}

typedef struct
{
  Fixture *f;
  char *uri;
  GMainContext *caller;
  FerryTestResult r;
  GThread *callback_thread;
  guint items;
} ThreadRun;

static void
on_thread_download (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ThreadRun *run = user_data;

  run->callback_thread = g_thread_self ();
  ferry_test_on_download (source, result, &run->r);
}

static void
on_thread_items (GListModel *model,
                 guint       position,
                 guint       removed,
                 guint       added,
                 ThreadRun  *run)
{
  g_assert_true (g_main_context_is_owner (g_main_context_get_thread_default ()));
  run->items += added;
}

static gpointer
thread_main (gpointer user_data)
{
  ThreadRun *run = user_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(FerrySession) session = NULL;
  g_autoptr(FerryRequest) request = NULL;

  g_main_context_push_thread_default (context);
  session = ferry_session_new (SESSION_ID);
  request = ferry_test_client_request_into (run->f);
  g_signal_connect (ferry_session_get_transfers (session), "items-changed",
                    G_CALLBACK (on_thread_items), run);
  ferry_session_download_async (session, run->uri, "threaded", request, NULL,
                                on_thread_download, run);
  while (!run->r.done)
    g_main_context_iteration (context, TRUE);
  /* The delivered transfer's removal, answered in this context too. */
  while (ferry_session_lookup (session, "threaded") != NULL)
    g_main_context_iteration (context, TRUE);
  /* Nothing in flight (the Remove's reply) holds the session before its context goes. */
  while (g_atomic_int_get (&G_OBJECT (session)->ref_count) > 1)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_main_context_wakeup (run->caller);
  return g_thread_self ();
}

static gboolean
thread_finished (gpointer user_data)
{
  ThreadRun *run = user_data;

  return run->r.done && run->items > 0 && session_empty (run->f);
}

/* A session made in a worker thread with its own main context works there: its calls,
 * signals and callbacks come in that context, never in the main one. */
static void
test_thread (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (60000, 9);
  ThreadRun run = { f, NULL, g_main_context_default (), { 0 }, NULL, 0 };
  GThread *thread;
  gpointer worker;

  ferry_test_server_add_file (f->server, "/threaded", content, "\"th\"");
  run.uri = ferry_test_server_uri (f->server, "/threaded");
  thread = g_thread_new ("libferry-client", thread_main, &run);
  g_assert_true (ferry_test_wait_until (thread_finished, &run, 60000));
  worker = g_thread_join (thread);

  g_assert_true (run.callback_thread == worker);
  g_assert_cmpint (ferry_outcome_get_kind (run.r.outcome), ==, FERRY_OUTCOME_SUCCESS);
  assert_file_sha256 (run.r.outcome, content);
  ferry_test_result_clear (&run.r);
  g_free (run.uri);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 5 && g_str_equal (argv[1], "--hand-over"))
    return hand_over (argv[2], argv[3], argv[4]);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/lib-client/outcome/success", test_success);
  ADD ("/lib-client/outcome/rejected", test_rejected);
  ADD ("/lib-client/outcome/retry", test_retry);
  ADD ("/lib-client/outcome/checksum", test_checksum);
  ADD ("/lib-client/outcome/invalid", test_invalid);
  ADD ("/lib-client/cancellable", test_cancellable);
  ADD ("/lib-client/reconnect/kill", test_reconnect_kill);
  ADD ("/lib-client/reconnect/process", test_reconnect_process);
  ADD ("/lib-client/reconnect/add-in-flight", test_reconnect_add_in_flight);
  ADD ("/lib-client/upload", test_upload);
  ADD ("/lib-client/model/live", test_model_live);
  ADD ("/lib-client/model/10000", test_model_10000);
  ADD ("/lib-client/update-uri", test_update_uri);
  ADD ("/lib-client/thread", test_thread);
#undef ADD

  return g_test_run ();
}
