/* test-lib-add.c: libferry's adds that do not wait for the outcome, as a transfer list wants
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include <ferry.h>

#include "ferry-test-client.h"
#include "ferry-test-daemon.h"
#include "ferry-test-server.h"

#define SESSION_ID "org.example.LibAdd"

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

static gboolean
in_model (GListModel    *model,
          FerryTransfer *transfer)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(FerryTransfer) listed = g_list_model_get_item (model, i);

      if (listed == transfer)
        return TRUE;
    }
  return FALSE;
}

/* The add completes once the service took the download, with its transfer; the download
 * completes, and stays on the service and in the list: nothing removes it behind the back
 * of an app that shows its transfers. */
static void
test_download_kept (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (300000, 7);
  g_autofree char *uri = NULL;
  g_autofree char *expected = ferry_test_sha256_bytes (content);
  g_autofree char *on_disk = NULL;
  g_autoptr(FerryRequest) request = ferry_request_new ();
  g_autoptr(GFile) folder = g_file_new_for_path (f->daemon->download_dir);
  FerryTestAdded a = { 0 };

  ferry_test_server_add_file (f->server, "/report.pdf", content, "\"r1\"");
  uri = ferry_test_server_uri (f->server, "/report.pdf");
  ferry_request_set_destination (request, folder);

  ferry_session_add_download_async (f->session, uri, "report", request, NULL,
                                    ferry_test_on_added, &a);
  g_assert_true (ferry_test_wait_until (ferry_test_added_done, &a, 30000));
  g_assert_no_error (a.error);
  g_assert_nonnull (a.transfer);
  g_assert_cmpstr (ferry_transfer_get_identifier (a.transfer), ==, "report");
  g_assert_cmpstr (ferry_transfer_get_session (a.transfer), ==, SESSION_ID);
  g_assert_true (in_model (ferry_session_get_transfers (f->session), a.transfer));

  g_assert_true (ferry_test_wait_until (ferry_test_transfer_completed, a.transfer, 60000));
  on_disk = ferry_test_sha256_file (ferry_transfer_get_destination (a.transfer));
  g_assert_cmpstr (on_disk, ==, expected);

  /* A round trip to the service after the completion: a removal would have been sent
   * before it, and answered first. */
  g_assert_cmpuint (ferry_test_client_count_session (f), ==, 1);
  g_assert_true (in_model (ferry_session_get_transfers (f->session), a.transfer));
  g_assert_true (ferry_session_lookup (f->session, "report") == a.transfer);

  g_clear_object (&a.transfer);
}

/* What the service refuses comes back as its sentence in FERRY_ERROR, and nothing is
 * stored. */
static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  FerryTestAdded a = { 0 };

  ferry_session_add_download_async (f->session, "ftp://example.org/file.iso", "iso", NULL,
                                    NULL, ferry_test_on_added, &a);
  g_assert_true (ferry_test_wait_until (ferry_test_added_done, &a, 30000));
  g_assert_null (a.transfer);
  g_assert_error (a.error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT);
  g_test_message ("The service said: %s", a.error->message);
  g_assert_false (g_str_has_prefix (a.error->message, "GDBus.Error"));
  g_assert_cmpuint (ferry_test_client_count_session (f), ==, 0);
  g_clear_error (&a.error);
}

/* An upload from a descriptor the app opened, with an identifier; the service reads the
 * file through it. */
static void
test_upload_fd (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (5000, 9);
  g_autofree char *path = g_build_filename (f->daemon->download_dir, "notes.txt", NULL);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/uploads/notes.txt");
  FerryTestAdded a = { 0 };
  int fd;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (content, NULL),
                                      (gssize) g_bytes_get_size (content), NULL));
  fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  ferry_session_add_upload_fd_async (f->session, uri, fd, "notes", NULL, NULL,
                                     ferry_test_on_added, &a);
  close (fd);
  g_assert_true (ferry_test_wait_until (ferry_test_added_done, &a, 30000));
  g_assert_no_error (a.error);
  g_assert_cmpint (ferry_transfer_get_kind (a.transfer), ==, FERRY_TRANSFER_KIND_UPLOAD);
  g_assert_cmpstr (ferry_transfer_get_identifier (a.transfer), ==, "notes");
  g_assert_cmpuint (ferry_test_client_count_session (f), ==, 1);
  g_clear_object (&a.transfer);
}

/* A session that follows every transfer (a transfer manager's) adds to the session its
 * request names, and lists the transfer with the others. */
static void
test_manager_session (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(FerrySession) all = ferry_session_new_for_connection (f->daemon->connection, "");
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 3);
  g_autofree char *uri = NULL;
  g_autoptr(FerryRequest) request = ferry_request_new ();
  g_autoptr(GFile) folder = g_file_new_for_path (f->daemon->download_dir);
  FerryTestAdded a = { 0 };

  ferry_test_server_add_file (f->server, "/map.png", content, NULL);
  uri = ferry_test_server_uri (f->server, "/map.png");
  ferry_request_set_destination (request, folder);
  ferry_request_set_session (request, SESSION_ID);
  ferry_request_set_paused (request, TRUE);

  ferry_session_add_download_async (all, uri, "map", request, NULL, ferry_test_on_added, &a);
  g_assert_true (ferry_test_wait_until (ferry_test_added_done, &a, 30000));
  g_assert_no_error (a.error);
  g_assert_cmpstr (ferry_transfer_get_session (a.transfer), ==, SESSION_ID);
  g_assert_cmpuint (ferry_test_client_count_session (f), ==, 1);
  g_assert_true (in_model (ferry_session_get_transfers (all), a.transfer));
  g_clear_object (&a.transfer);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/lib-add/download-kept", Fixture, NULL, fixture_setup, test_download_kept,
              fixture_teardown);
  g_test_add ("/lib-add/refused", Fixture, NULL, fixture_setup, test_refused,
              fixture_teardown);
  g_test_add ("/lib-add/upload-fd", Fixture, NULL, fixture_setup, test_upload_fd,
              fixture_teardown);
  g_test_add ("/lib-add/manager-session", Fixture, NULL, fixture_setup, test_manager_session,
              fixture_teardown);
  return g_test_run ();
}
