/* ferry-test-client.c: libferry-1 against the real ferryd on a private bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-test-client"

#include "config.h"

#include "ferry-test-client.h"

void
ferry_test_client_setup (FerryTestClient *client,
                         const char      *session_id,
                         gboolean         own_connection)
{
  client->session_id = session_id;
  client->daemon = ferry_test_daemon_new ();
  client->server = ferry_test_server_new ();
  if (own_connection)
    client->session = ferry_session_new (session_id);
  else
    client->session = ferry_session_new_for_connection (client->daemon->connection, session_id);
}

void
ferry_test_client_teardown (FerryTestClient *client)
{
  g_clear_object (&client->session);
  g_clear_pointer (&client->daemon, ferry_test_daemon_free);
  g_clear_pointer (&client->server, ferry_test_server_free);
}

static gboolean
pointer_is_null (gpointer user_data)
{
  return *(gpointer *) user_data == NULL;
}

void
ferry_test_client_drop_session (FerryTestClient *client)
{
  gpointer gone = client->session;

  g_object_add_weak_pointer (gone, &gone);
  g_clear_object (&client->session);
  g_assert_true (ferry_test_wait_until (pointer_is_null, &gone, 30000));
}

FerryRequest *
ferry_test_client_request_into (FerryTestClient *client)
{
  FerryRequest *request = ferry_request_new ();
  g_autoptr(GFile) folder = g_file_new_for_path (client->daemon->download_dir);

  ferry_request_set_destination (request, folder);
  return request;
}

guint
ferry_test_client_count_session (FerryTestClient *client)
{
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;

  ferry_manager1_call_list_transfers_sync (client->daemon->manager,
                                           client->session_id ? client->session_id : "",
                                           &paths, NULL, &error);
  g_assert_no_error (error);
  return g_strv_length (paths);
}

void
ferry_test_on_download (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  FerryTestResult *r = user_data;

  r->outcome = ferry_session_download_finish (FERRY_SESSION (source), result, &r->error);
  r->done = TRUE;
}

void
ferry_test_on_upload (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  FerryTestResult *r = user_data;

  r->outcome = ferry_session_upload_finish (FERRY_SESSION (source), result, &r->error);
  r->done = TRUE;
}

gboolean
ferry_test_result_done (gpointer result)
{
  return ((FerryTestResult *) result)->done;
}

void
ferry_test_result_clear (FerryTestResult *result)
{
  g_clear_object (&result->outcome);
  g_clear_error (&result->error);
  result->done = FALSE;
}

void
ferry_test_on_added (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  FerryTestAdded *a = user_data;

  a->transfer = ferry_session_add_finish (FERRY_SESSION (source), result, &a->error);
  a->done = TRUE;
}

gboolean
ferry_test_added_done (gpointer added)
{
  return ((FerryTestAdded *) added)->done;
}

gboolean
ferry_test_transfer_completed (gpointer transfer)
{
  return ferry_transfer_get_state (transfer) == FERRY_TRANSFER_STATE_COMPLETED;
}
