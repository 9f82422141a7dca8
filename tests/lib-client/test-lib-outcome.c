/* test-lib-outcome.c: what an outcome says of the last response, and the list of a store
 * larger than one message, against the real ferryd on a private bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <ferry.h>

#include "ferry-test-client.h"
#include "ferry-test-daemon.h"
#include "ferry-test-server.h"
#include "ferry-test-upload-server.h"

#define SESSION_ID "org.example.LibOutcome"

typedef FerryTestClient Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  ferry_test_client_setup (f, SESSION_ID, FALSE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  ferry_test_client_teardown (f);
}

/* A file whose answer carries what an app wants to read back, and what it must not. */
static GBytes *
serve_episode (Fixture    *f,
               const char *path)
{
  GBytes *content = ferry_test_make_content (300000, 14);

  ferry_test_server_add_file (f->server, path, content, "\"ep-v1\"");
  ferry_test_server_set_header (f->server, path, "Last-Modified",
                                "Tue, 01 Dec 2026 10:00:00 GMT");
  ferry_test_server_set_header (f->server, path, "Cache-Control", "max-age=3600");
  ferry_test_server_set_header (f->server, path, "Set-Cookie", "sid=s3cr3t; HttpOnly");
  ferry_test_server_set_header (f->server, path, "X-Request-Token", "tok-123");
  return content;
}

/* What a user of the outcome sees: the file, and the headers that matter, without the
 * server's cookie or a header Ferry does not know. */
static void
assert_episode_outcome (FerryOutcome *outcome,
                        GBytes       *content)
{
  GHashTable *headers = ferry_outcome_get_response_headers (outcome);
  g_autofree char *path = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = ferry_test_sha256_bytes (content);
  GHashTableIter iter;
  gpointer name, value;

  g_assert_cmpint (ferry_outcome_get_kind (outcome), ==, FERRY_OUTCOME_SUCCESS);
  g_assert_cmpuint (ferry_outcome_get_http_status (outcome), ==, 200);
  g_assert_nonnull (ferry_outcome_get_file (outcome));
  path = g_file_get_path (ferry_outcome_get_file (outcome));
  got = ferry_test_sha256_file (path);
  g_assert_cmpstr (got, ==, want);

  g_assert_cmpstr (ferry_outcome_get_response_header (outcome, "ETag"), ==, "\"ep-v1\"");
  g_assert_cmpstr (ferry_outcome_get_response_header (outcome, "etag"), ==, "\"ep-v1\"");
  g_assert_cmpstr (ferry_outcome_get_response_header (outcome, "Content-Type"), ==,
                   "application/octet-stream");
  g_assert_cmpstr (ferry_outcome_get_response_header (outcome, "Content-Length"), ==,
                   "300000");
  g_assert_cmpstr (ferry_outcome_get_response_header (outcome, "Last-Modified"), ==,
                   "Tue, 01 Dec 2026 10:00:00 GMT");
  g_assert_cmpstr (ferry_outcome_get_response_header (outcome, "Cache-Control"), ==,
                   "max-age=3600");
  g_assert_null (ferry_outcome_get_response_header (outcome, "Set-Cookie"));
  g_assert_null (ferry_outcome_get_response_header (outcome, "X-Request-Token"));

  /* Nothing of the cookie or the token anywhere in what the outcome shows. */
  g_hash_table_iter_init (&iter, headers);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      g_assert_cmpint (g_ascii_strcasecmp (name, "Set-Cookie"), !=, 0);
      g_assert_null (strstr (value, "s3cr3t"));
      g_assert_null (strstr (value, "tok-123"));
    }
}

/* A 200 with an ETag and a Content-Type: the SUCCESS outcome has them, with the status; the
 * Set-Cookie the server sent and a header Ferry does not know are not there. */
static void
test_headers_success (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) content = serve_episode (f, "/ep43.mp3");
  g_autoptr(FerryRequest) request = ferry_test_client_request_into (f);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/ep43.mp3");
  FerryTestResult r = { 0 };

  ferry_session_download_async (f->session, uri, "episode-43", request, NULL,
                                ferry_test_on_download, &r);
  g_assert_true (ferry_test_wait_until (ferry_test_result_done, &r, 60000));
  g_assert_no_error (r.error);
  assert_episode_outcome (r.outcome, content);
  ferry_test_result_clear (&r);
}

/* A plain POST answered 201 with where the file now is: the upload's SUCCESS has that
 * Location (shown for uploads), never the server's cookie or a token it sent along. */
static void
test_headers_upload (Fixture       *f,
                     gconstpointer  data)
{
  FerryTestUploadServer *server = ferry_test_upload_server_new (9);
  g_autoptr(GBytes) content = ferry_test_make_content (50000, 16);
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "notes.txt", NULL);
  g_autofree char *uri = ferry_test_upload_server_uri (server, "/plain/notes.txt");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(FerryRequest) request = ferry_request_new ();
  g_autoptr(GBytes) got = NULL;
  FerryTestResult r = { 0 };

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (content, NULL),
                                      g_bytes_get_size (content), NULL));
  ferry_test_upload_server_set_plain_headers (server,
                                              "Location: /files/notes-1.txt\r\n"
                                              "ETag: \"n1\"\r\n"
                                              "Set-Cookie: upload=s3cr3t\r\n"
                                              "X-Upload-Token: tok-123\r\n");
  ferry_request_set_protocol (request, FERRY_UPLOAD_PROTOCOL_PLAIN);
  ferry_session_upload_async (f->session, uri, file, "notes", request, NULL,
                              ferry_test_on_upload, &r);
  g_assert_true (ferry_test_wait_until (ferry_test_result_done, &r, 60000));
  g_assert_no_error (r.error);

  g_assert_cmpint (ferry_outcome_get_kind (r.outcome), ==, FERRY_OUTCOME_SUCCESS);
  g_assert_cmpuint (ferry_outcome_get_http_status (r.outcome), ==, 201);
  g_assert_cmpstr (ferry_outcome_get_response_header (r.outcome, "location"), ==,
                   "/files/notes-1.txt");
  g_assert_cmpstr (ferry_outcome_get_response_header (r.outcome, "ETag"), ==, "\"n1\"");
  g_assert_null (ferry_outcome_get_response_header (r.outcome, "Set-Cookie"));
  g_assert_null (ferry_outcome_get_response_header (r.outcome, "X-Upload-Token"));
  got = ferry_test_upload_server_get_plain (server, "notes.txt", NULL);
  g_assert_true (g_bytes_equal (got, content));
  ferry_test_result_clear (&r);
  ferry_test_upload_server_free (server);
}

static void
assert_dbus_headers (Fixture    *f,
                     const char *path)
{
  g_autoptr(FerryTransfer1) proxy = ferry_test_daemon_transfer (f->daemon, path);
  GVariant *headers = ferry_transfer1_get_response_headers (proxy);
  const char *value = NULL;

  g_assert_nonnull (headers);
  g_assert_true (g_variant_lookup (headers, "ETag", "&s", &value));
  g_assert_cmpstr (value, ==, "\"ep-v1\"");
  g_assert_false (g_variant_lookup (headers, "Set-Cookie", "&s", &value));
  g_assert_false (g_variant_lookup (headers, "X-Request-Token", "&s", &value));
}

/* The transfer ended while no one waited for it; ferryd is killed (-9) and started again,
 * and an app's call with the identifier reconnects: its SUCCESS has the same headers,
 * from the store, and the server was asked once. */
static void
test_headers_after_kill (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) content = serve_episode (f, "/ep44.mp3");
  g_autoptr(FerryRequest) request = ferry_test_client_request_into (f);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/ep44.mp3");
  g_autofree char *path = NULL;
  g_autoptr(FerrySession) relaunched = NULL;
  FerryTestAdded a = { 0 };
  FerryTestResult r = { 0 };
  GPid pid;

  ferry_session_add_download_async (f->session, uri, "episode-44", request, NULL,
                                    ferry_test_on_added, &a);
  g_assert_true (ferry_test_wait_until (ferry_test_added_done, &a, 30000));
  g_assert_no_error (a.error);
  g_assert_true (ferry_test_wait_until (ferry_test_transfer_completed, a.transfer, 60000));
  path = g_strdup (ferry_transfer_get_object_path (a.transfer));
  assert_dbus_headers (f, path);
  g_clear_object (&a.transfer);
  g_clear_object (&f->session);

  pid = ferry_test_daemon_pid (f->daemon);
  g_test_message ("kill -9 ferryd (pid %d)", (int) pid);
  ferry_test_daemon_kill (f->daemon);

  /* The app's next launch: a new session, the same call. It starts ferryd again. */
  relaunched = ferry_session_new_for_connection (f->daemon->connection, SESSION_ID);
  ferry_session_download_async (relaunched, uri, "episode-44", request, NULL,
                                ferry_test_on_download, &r);
  g_assert_true (ferry_test_wait_until (ferry_test_result_done, &r, 60000));
  g_assert_no_error (r.error);
  g_assert_cmpint (ferry_test_daemon_pid (f->daemon), !=, pid);
  g_assert_cmpstr (ferry_transfer_get_object_path (ferry_outcome_get_transfer (r.outcome)), ==,
                   path);
  assert_episode_outcome (r.outcome, content);
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/ep44.mp3"), ==, 1);
  ferry_test_result_clear (&r);
}

/* -- A list past one message --------------------------------------------------------------- */

#define PAGES_COUNT 9000
#define PAGES_URI_PAD 4000

typedef struct
{
  gboolean done;
  GError *error;
} Refreshed;

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Refreshed *r = user_data;

  ferry_session_refresh_finish (FERRY_SESSION (source), result, &r->error);
  r->done = TRUE;
}

static gboolean
refreshed_done (gpointer user_data)
{
  return ((Refreshed *) user_data)->done;
}

/* A store whose list does not fit in one D-Bus message (the service refuses GetTransfers
 * for it): the session's list still holds every transfer, once each, oldest first. */
static void
test_model_pages (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) whole = NULL;
  g_autoptr(FerryTransfer) first = NULL;
  g_autoptr(FerryTransfer) middle = NULL;
  g_autoptr(FerryTransfer) last = NULL;
  g_autoptr(GHashTable) identifiers = g_hash_table_new (g_str_hash, g_str_equal);
  GListModel *model;
  gint64 start;
  /* Some 40 MB listed twice (the session's pages; the tool's pages, then 32 MiB of details
   * that ferryd builds and finds too many): under the sanitizers, on a busy machine, the
   * refresh alone took from 40 s to more than 120 s. */
  guint wait_ms = g_getenv ("FERRY_TEST_SANITIZED") != NULL ? 600000 : 120000;

  /* The fixture's session goes first, whole: one still answering could start ferryd again
   * while the rows go in. */
  ferry_test_client_drop_session (f);
  /* ferryd makes its store, and goes. */
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  ferry_test_daemon_kill (f->daemon);
  {
    g_autofree char *pad = g_strnfill (PAGES_URI_PAD, 'x');
    g_autofree char *signature = g_strconcat ("?sig=", pad, NULL);

    /* Long addresses: signed links are often this long. */
    ferry_test_daemon_fill_store (f->daemon, PAGES_COUNT, SESSION_ID,
                                  "https://cdn.example.org/file-", signature);
  }

  /* What the test is about: the list is too big for the one-call listing. */
  whole = g_dbus_connection_call_sync (f->daemon->connection, "io.github.ferryhq.Ferry.Daemon",
                                       "/io/github/ferryhq/Ferry/Daemon",
                                       "io.github.ferryhq.Ferry.Manager1", "GetTransfers",
                                       g_variant_new ("(s)", SESSION_ID), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 120000, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED);
  g_clear_error (&error);

  start = g_get_monotonic_time ();
  f->session = ferry_session_new_for_connection (f->daemon->connection, SESSION_ID);
  model = ferry_session_get_transfers (f->session);
  g_assert_true (ferry_test_wait_until ((FerryTestCondition) ferry_session_get_loaded,
                                        f->session, wait_ms));
  g_test_message ("%u transfers of %u-byte addresses: list filled %.0f ms after "
                  "ferry_session_new", PAGES_COUNT, PAGES_URI_PAD,
                  (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, PAGES_COUNT);

  /* Every transfer once, oldest first. */
  for (guint i = 0; i < PAGES_COUNT; i++)
    {
      g_autoptr(FerryTransfer) t = g_list_model_get_item (model, i);
      g_autofree char *want = g_strdup_printf ("id-%u", i);

      g_assert_cmpstr (ferry_transfer_get_identifier (t), ==, want);
      g_assert_true (g_hash_table_add (identifiers, (gpointer) ferry_transfer_get_identifier (t)));
    }
  first = g_list_model_get_item (model, 0);
  middle = g_list_model_get_item (model, PAGES_COUNT / 2);
  last = g_list_model_get_item (model, PAGES_COUNT - 1);
  g_assert_cmpuint (ferry_transfer_get_id (first), <, ferry_transfer_get_id (middle));
  g_assert_cmpuint (ferry_transfer_get_id (middle), <, ferry_transfer_get_id (last));
  g_assert_true (g_str_has_prefix (ferry_transfer_get_uri (last),
                                   "https://cdn.example.org/file-08999?sig=xxx"));
  g_assert_cmpint (ferry_transfer_get_state (last), ==, FERRY_TRANSFER_STATE_PAUSED);
  g_assert_true (ferry_session_lookup (f->session, "id-4500") == middle);

  /* A tool's refresh on a new session (ferryctl list) ends with the whole list, not the
   * first page. */
  {
    g_autoptr(FerrySession) tool = ferry_session_new_for_connection (f->daemon->connection,
                                                                     SESSION_ID);
    Refreshed refreshed = { FALSE, NULL };

    start = g_get_monotonic_time ();
    ferry_session_refresh_async (tool, NULL, on_refreshed, &refreshed);
    g_assert_true (ferry_test_wait_until (refreshed_done, &refreshed, wait_ms));
    g_test_message ("refreshed %.0f ms after ferry_session_refresh_async",
                    (g_get_monotonic_time () - start) / 1000.0);
    g_assert_no_error (refreshed.error);
    g_assert_cmpuint (g_list_model_get_n_items (ferry_session_get_transfers (tool)), ==,
                      PAGES_COUNT);
    g_assert_true (ferry_session_get_loaded (tool));
  }
}

/* -- The service's totals ----------------------------------------------------------------- */

static gboolean
one_running_with_rate (gpointer user_data)
{
  FerrySession *session = user_data;

  return ferry_session_get_running (session) == 1 &&
         ferry_session_get_download_rate (session) > 0;
}

static gboolean
none_running (gpointer user_data)
{
  FerrySession *session = user_data;

  return ferry_session_get_running (session) == 0 &&
         ferry_session_get_download_rate (session) == 0;
}

static gboolean
transfer_paused (gpointer user_data)
{
  return ferry_transfer_get_state (user_data) == FERRY_TRANSFER_STATE_PAUSED;
}

static void
on_all_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  if (g_task_get_source_tag (G_TASK (result)) == ferry_session_pause_all_async)
    g_assert_true (ferry_session_pause_all_finish (FERRY_SESSION (source), result, &error));
  else
    g_assert_true (ferry_session_resume_all_finish (FERRY_SESSION (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static gboolean
is_true (gpointer user_data)
{
  return *(gboolean *) user_data;
}

/* What a window's header shows comes from the session: how many transfers run and how fast,
 * following the service; pause-all and resume-all change them. */
static void
test_totals (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (2000000, 15);
  g_autoptr(FerryRequest) request = ferry_test_client_request_into (f);
  g_autofree char *uri = NULL;
  FerryTestAdded a = { 0 };
  gboolean paused = FALSE, resumed = FALSE;

  ferry_test_server_add_file (f->server, "/slow.iso", content, "\"slow\"");
  ferry_test_server_set_throttle (f->server, "/slow.iso", 100000);
  uri = ferry_test_server_uri (f->server, "/slow.iso");
  ferry_session_add_download_async (f->session, uri, "slow", request, NULL,
                                    ferry_test_on_added, &a);
  g_assert_true (ferry_test_wait_until (ferry_test_added_done, &a, 30000));
  g_assert_no_error (a.error);

  g_assert_true (ferry_test_wait_until (one_running_with_rate, f->session, 30000));
  g_assert_true (ferry_session_get_online (f->session));

  ferry_session_pause_all_async (f->session, NULL, on_all_done, &paused);
  g_assert_true (ferry_test_wait_until (is_true, &paused, 30000));
  g_assert_true (ferry_test_wait_until (transfer_paused, a.transfer, 30000));
  g_assert_true (ferry_test_wait_until (none_running, f->session, 30000));

  ferry_session_resume_all_async (f->session, NULL, on_all_done, &resumed);
  g_assert_true (ferry_test_wait_until (is_true, &resumed, 30000));
  g_assert_true (ferry_test_wait_until (one_running_with_rate, f->session, 30000));
  g_clear_object (&a.transfer);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/lib-outcome/headers/success", test_headers_success);
  ADD ("/lib-outcome/headers/after-kill", test_headers_after_kill);
  ADD ("/lib-outcome/headers/upload", test_headers_upload);
  ADD ("/lib-outcome/model/pages", test_model_pages);
  ADD ("/lib-outcome/totals", test_totals);
#undef ADD

  return g_test_run ();
}
