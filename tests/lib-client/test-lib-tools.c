/* test-lib-tools.c: what libferry gives a tool such as ferryctl — adding without an outcome,
 * lookups by number, a refresh with every property, and whether the service runs — against
 * the real ferryd on a private bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include <ferry.h>

#include "ferry-test-client.h"
#include "ferry-test-daemon.h"
#include "ferry-test-server.h"
#include "ferry-test-upload-server.h"

typedef FerryTestClient Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  /* "": every transfer the caller may see, as ferryctl follows them. */
  ferry_test_client_setup (f, NULL, FALSE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  ferry_test_client_teardown (f);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_in (gpointer user_data)
{
  return *(GAsyncResult **) user_data != NULL;
}

static FerryTransfer *
add_finish (Fixture       *f,
            GAsyncResult **result)
{
  g_autoptr(GError) error = NULL;
  FerryTransfer *t;

  g_assert_true (ferry_test_wait_until (result_in, result, 30000));
  t = ferry_session_add_finish (f->session, *result, &error);
  g_clear_object (result);
  g_assert_no_error (error);
  g_assert_nonnull (t);
  return t;
}

static void
refresh (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ferry_session_refresh_async (f->session, NULL, got_result, &result);
  g_assert_true (ferry_test_wait_until (result_in, &result, 30000));
  g_assert_true (ferry_session_refresh_finish (f->session, result, &error));
  g_assert_no_error (error);
}

typedef struct
{
  FerryTransfer *transfer;
  FerryTransferState state;
} StateWait;

static gboolean
has_state (gpointer user_data)
{
  StateWait *w = user_data;
  FerryTransferState state = ferry_transfer_get_state (w->transfer);

  return state == w->state || state >= FERRY_TRANSFER_STATE_COMPLETED;
}

/* Until @t is in @state, or has ended otherwise (which fails at once). */
static void
wait_state (FerryTransfer      *t,
            FerryTransferState  state)
{
  StateWait w = { t, state };

  g_assert_true (ferry_test_wait_until (has_state, &w, 60000));
  if (ferry_transfer_get_state (t) != state)
    g_test_message ("ended with: %s", ferry_transfer_get_error (t));
  g_assert_cmpint (ferry_transfer_get_state (t), ==, state);
}

/* A download handed over without an identifier completes and stays listed, in the session's
 * list and on the service, until someone removes it; refresh brings the times the list
 * does not carry. */
static void
test_add_keeps (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (300000, 7);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/kept.bin");
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *got = NULL;
  g_autoptr(FerryRequest) request = ferry_request_new ();
  g_autoptr(GFile) folder = g_file_new_for_path (f->daemon->download_dir);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(FerryTransfer) t = NULL;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;

  ferry_test_server_add_file (f->server, "/kept.bin", content, "\"k\"");
  ferry_request_set_destination (request, folder);
  ferry_session_add_download_async (f->session, uri, NULL, request, NULL, got_result, &result);
  t = add_finish (f, &result);

  g_assert_true (ferry_session_lookup_id (f->session, ferry_transfer_get_id (t)) == t);
  wait_state (t, FERRY_TRANSFER_STATE_COMPLETED);
  got = ferry_test_sha256_file (ferry_transfer_get_destination (t));
  g_assert_cmpstr (got, ==, want);

  refresh (f);
  g_assert_cmpint (ferry_transfer_get_created_at (t), >=, before - 1);
  g_assert_cmpint (ferry_transfer_get_finished_at (t), >=, ferry_transfer_get_created_at (t));
  g_assert_cmpuint (ferry_transfer_get_attempts (t), ==, 0);
  g_assert_true (ferry_session_lookup_id (f->session, ferry_transfer_get_id (t)) == t);
  g_assert_cmpuint (ferry_test_client_count_session (f), ==, 1);
  g_assert_null (ferry_session_lookup_id (f->session, ferry_transfer_get_id (t) + 1));
}

/* A session for adding only: the service takes the transfer, the session's list stays empty
 * (it never asked for it). */
static void
test_add_only (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *uri = ferry_test_server_uri (f->server, "/only.bin");
  g_autoptr(FerryRequest) request = ferry_request_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(FerryTransfer) t = NULL;

  g_clear_object (&f->session);
  f->session = ferry_session_new_for_adding (f->daemon->connection, "org.example.Adder");
  ferry_request_set_paused (request, TRUE);
  ferry_session_add_download_async (f->session, uri, "only", request, NULL, got_result,
                                    &result);
  t = add_finish (f, &result);

  g_assert_cmpuint (ferry_transfer_get_id (t), >, 0);
  g_assert_cmpstr (ferry_transfer_get_session (t), ==, "org.example.Adder");
  g_assert_cmpint (ferry_transfer_get_state (t), ==, FERRY_TRANSFER_STATE_PAUSED);
  g_assert_cmpuint (ferry_test_client_count_session (f), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (ferry_session_get_transfers (f->session)), ==, 0);
  g_assert_null (ferry_session_lookup_id (f->session, ferry_transfer_get_id (t)));
}

/* The service refuses with a sentence, and nothing is listed. */
static void
test_add_refused (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryTransfer) t = NULL;

  ferry_session_add_download_async (f->session, "ftp://example.org/x", NULL, NULL, NULL,
                                    got_result, &result);
  g_assert_true (ferry_test_wait_until (result_in, &result, 30000));
  t = ferry_session_add_finish (f->session, result, &error);
  g_assert_null (t);
  g_assert_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "only http:// and https://"));
  g_assert_null (strstr (error->message, "GDBus.Error"));
  g_assert_cmpuint (ferry_test_client_count_session (f), ==, 0);
}

/* An upload to a server that speaks only the draft's interop version 6 completes when the
 * request names that version; refresh brings its bytes sent. */
static void
test_upload_interop (Fixture       *f,
                     gconstpointer  data)
{
  FerryTestUploadServer *server = NULL;
  g_autoptr(GBytes) content = ferry_test_make_content (200000, 3);
  g_autofree char *file = g_build_filename (g_get_user_data_dir (), "six.bin", NULL);
  g_autofree char *uri = NULL;
  g_autoptr(FerryRequest) request = ferry_request_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(FerryTransfer) t = NULL;
  g_autoptr(GBytes) received = NULL;
  gboolean complete = FALSE;
  int fd;

  server = ferry_test_upload_server_new (6);
  uri = ferry_test_upload_server_uri (server, "/ietf");
  g_assert_true (g_file_set_contents (file, g_bytes_get_data (content, NULL),
                                      g_bytes_get_size (content), NULL));
  ferry_request_set_protocol (request, FERRY_UPLOAD_PROTOCOL_IETF);
  ferry_request_set_interop_version (request, 6);

  fd = open (file, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  ferry_session_add_upload_fd_async (f->session, uri, fd, "six", request, NULL, got_result,
                                     &result);
  close (fd);
  t = add_finish (f, &result);
  g_assert_cmpint (ferry_transfer_get_kind (t), ==, FERRY_TRANSFER_KIND_UPLOAD);
  g_assert_cmpstr (ferry_transfer_get_identifier (t), ==, "six");

  wait_state (t, FERRY_TRANSFER_STATE_COMPLETED);
  received = ferry_test_upload_server_get_upload (server, 0, &complete);
  g_assert_true (complete);
  g_assert_true (g_bytes_equal (received, content));

  refresh (f);
  g_assert_cmpuint (ferry_transfer_get_bytes_sent (t), ==, g_bytes_get_size (content));
  ferry_test_upload_server_free (server);
}

static gboolean
service_stopped (gpointer user_data)
{
  return !ferry_session_get_service_running (user_data);
}

static gboolean
service_running (gpointer user_data)
{
  return ferry_session_get_service_running (user_data);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

/* kill -9 of ferryd: the session says the service stopped, and a refresh starts it again
 * with the transfers it had. */
static void
test_service_running (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *uri = ferry_test_server_uri (f->server, "/later.bin");
  g_autoptr(FerryRequest) request = ferry_request_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(FerryTransfer) t = NULL;
  guint64 id;
  guint notified = 0;
  GPid pid;

  ferry_request_set_paused (request, TRUE);
  ferry_session_add_download_async (f->session, uri, "later", request, NULL, got_result,
                                    &result);
  t = add_finish (f, &result);
  id = ferry_transfer_get_id (t);
  g_assert_true (ferry_test_wait_until (service_running, f->session, 30000));
  g_signal_connect (f->session, "notify::service-running", G_CALLBACK (on_notify), &notified);

  pid = ferry_test_daemon_pid (f->daemon);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_true (ferry_test_wait_until (service_stopped, f->session, 30000));
  g_assert_cmpuint (notified, ==, 1);

  refresh (f);
  g_assert_true (ferry_test_wait_until (service_running, f->session, 30000));
  g_assert_cmpuint (notified, ==, 2);
  g_assert_cmpint (ferry_test_daemon_pid (f->daemon), !=, pid);
  g_assert_nonnull (ferry_session_lookup_id (f->session, id));
  g_assert_cmpint (ferry_transfer_get_state (ferry_session_lookup_id (f->session, id)), ==,
                   FERRY_TRANSFER_STATE_PAUSED);
  g_signal_handlers_disconnect_by_data (f->session, &notified);
}

/* 500 where the sanitizers make ferryd many times slower: 10,000 then outlast a D-Bus
 * call's 25 s on a loaded machine. */
#define LIST_COUNT (g_getenv ("FERRY_TEST_SANITIZED") != NULL ? 500u : 10000u)

/* `ferryctl list --json` over 10,000 stored transfers: every one printed, in order; the time
 * is reported (ferryctl reads the list and every property once each). */
static void
test_list_10000 (Fixture       *f,
                 gconstpointer  data)
{
  const char *ctl = g_getenv ("FERRY_CTL");
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *last = NULL;
  g_auto(GStrv) paths = NULL;
  FerryTestRun r = { 0 };
  const char *p;
  guint count = 0;
  gint64 start;

  g_assert_nonnull (ctl);
  /* The store exists once the service ran; then it is filled behind its back. */
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  ferry_test_daemon_kill (f->daemon);

  ferry_test_daemon_fill_store (f->daemon, LIST_COUNT, "org.example.Many",
                                "https://mirror.example.org/file-", ".tar.xz");

  /* Once to start the service, once to measure. */
  for (guint round = 0; round < 2; round++)
    {
      g_clear_object (&proc);
      ferry_test_run_clear (&r);
      start = g_get_monotonic_time ();
      proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error, ctl, "list", "--json", NULL);
      g_assert_no_error (error);
      ferry_test_run_finish (proc, &r);
      g_test_message ("ferryctl list --json, %u transfers, ferryd %s: %.0f ms", LIST_COUNT,
                      round == 0 ? "started by the call" : "running",
                      (g_get_monotonic_time () - start) / 1000.0);
      g_assert_cmpint (r.status, ==, 0);
    }

  /* Adding one more with that many stored. */
  {
    g_autoptr(GSubprocess) add = NULL;
    g_autofree char *next_id = g_strdup_printf ("%u\n", LIST_COUNT + 1);
    FerryTestRun added = { 0 };

    start = g_get_monotonic_time ();
    add = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error, ctl, "add", "--paused",
                            "https://mirror.example.org/one-more.tar.xz", NULL);
    g_assert_no_error (error);
    ferry_test_run_finish (add, &added);
    g_test_message ("ferryctl add, %u transfers stored: %.0f ms", LIST_COUNT,
                    (g_get_monotonic_time () - start) / 1000.0);
    g_assert_cmpint (added.status, ==, 0);
    g_assert_cmpstr (added.out, ==, next_id);
    ferry_test_run_clear (&added);
  }

  for (p = strstr (r.out, "{\"id\": "); p != NULL; p = strstr (p + 1, "{\"id\": "))
    count++;
  g_assert_cmpuint (count, ==, LIST_COUNT);
  last = g_strdup_printf ("\"identifier\": \"id-%u\", \"state\": \"paused\"", LIST_COUNT - 1);
  g_assert_nonnull (strstr (r.out, last));
  g_assert_true (g_str_has_suffix (r.out, "}\n]\n"));
  ferry_test_run_clear (&r);
}

/* -- A service that goes away while it answers ------------------------------------------- */

/* Stands in for a ferryd that is quitting: it owns the service's name, takes the list's
 * first page and never answers it, and answers ListTransfers at once, as the successor that
 * a refresh starts would. */
typedef struct
{
  GDBusConnection *connection;
  guint registration;
  gboolean owned;
  gboolean listed;
  GPtrArray *pages;         /* GDBusMethodInvocation, held unanswered (the handler's own
                             * reference: a method call hands it over) */
} FakeService;

static void
fake_method_call (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *object_path,
                  const char            *interface_name,
                  const char            *method_name,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  FakeService *fake = user_data;

  if (g_str_equal (method_name, "GetTransfersPage"))
    {
      g_ptr_array_add (fake->pages, invocation);
      return;
    }
  if (g_str_equal (method_name, "ListTransfers"))
    {
      fake->listed = TRUE;
      g_dbus_method_invocation_return_value (
        invocation, g_variant_new ("(@ao)", g_variant_new_array (G_VARIANT_TYPE_OBJECT_PATH,
                                                               NULL, 0)));
      return;
    }
  g_dbus_method_invocation_return_dbus_error (invocation,
                                              "org.freedesktop.DBus.Error.UnknownMethod",
                                              "Not in this test's service");
}

static const GDBusInterfaceVTable fake_vtable = { fake_method_call, NULL, NULL, { 0 } };

static void
on_fake_name (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  ((FakeService *) user_data)->owned = TRUE;
}

static gboolean
fake_owns_name (gpointer user_data)
{
  return ((FakeService *) user_data)->owned;
}

static gboolean
fake_has_page (gpointer user_data)
{
  return ((FakeService *) user_data)->pages->len > 0;
}

static gboolean
fake_listed (gpointer user_data)
{
  return ((FakeService *) user_data)->listed;
}

/* The race seen with ferryctl list: ferryd quits (inactivity) as a tool starts; the tool's
 * first page goes to the quitting one, its refresh starts the next one and is answered, and
 * only then does the first page fail. The refresh must answer with the list, not with an
 * empty one. */
static void
test_refresh_service_went_away (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(FerrySession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  FakeService fake = { NULL, 0, FALSE, FALSE, g_ptr_array_new_with_free_func (g_object_unref) };
  guint owner;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("/stored-%u", i);
      g_autoptr(GVariantDict) dict = g_variant_dict_new (NULL);
      g_autoptr(FerryTransfer1) proxy = NULL;

      g_variant_dict_insert (dict, "paused", "b", TRUE);
      proxy = ferry_test_daemon_add_from (f->daemon, f->server, path, g_variant_dict_end (dict));
    }
  /* The fixture's session goes first, whole: it could start ferryd again. */
  ferry_test_client_drop_session (f);
  ferry_test_daemon_kill (f->daemon);

  fake.connection = g_dbus_connection_new_for_address_sync (
    g_test_dbus_get_bus_address (f->daemon->bus),
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &error);
  g_assert_no_error (error);
  fake.registration =
    g_dbus_connection_register_object (fake.connection, "/io/github/ferryhq/Ferry/Daemon",
                                       ferry_manager1_interface_info (), &fake_vtable, &fake,
                                       NULL, &error);
  g_assert_no_error (error);
  owner = g_bus_own_name_on_connection (fake.connection, FERRY_DAEMON_ID,
                                        G_BUS_NAME_OWNER_FLAGS_NONE, on_fake_name, NULL, &fake,
                                        NULL);
  g_assert_true (ferry_test_wait_until (fake_owns_name, &fake, 30000));

  session = ferry_session_new_for_connection (f->daemon->connection, NULL);
  g_assert_true (ferry_test_wait_until (fake_has_page, &fake, 30000));
  ferry_session_refresh_async (session, NULL, got_result, &result);
  g_assert_true (ferry_test_wait_until (fake_listed, &fake, 30000));

  /* The fake quits without answering the page: its ListTransfers answer went out first,
   * and the bus answers the page with NoReply after it. */
  g_bus_unown_name (owner);
  g_ptr_array_set_size (fake.pages, 0);
  g_dbus_connection_unregister_object (fake.connection, fake.registration);
  g_dbus_connection_close_sync (fake.connection, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&fake.connection);
  g_ptr_array_unref (fake.pages);

  g_assert_true (ferry_test_wait_until (result_in, &result, 60000));
  g_assert_true (ferry_session_refresh_finish (session, result, &error));
  g_assert_no_error (error);
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (paths), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (ferry_session_get_transfers (session)), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/lib-tools/add-keeps", Fixture, NULL, fixture_setup, test_add_keeps,
              fixture_teardown);
  g_test_add ("/lib-tools/add-only", Fixture, NULL, fixture_setup, test_add_only,
              fixture_teardown);
  g_test_add ("/lib-tools/add-refused", Fixture, NULL, fixture_setup, test_add_refused,
              fixture_teardown);
  g_test_add ("/lib-tools/upload-interop", Fixture, NULL, fixture_setup, test_upload_interop,
              fixture_teardown);
  g_test_add ("/lib-tools/service-running", Fixture, NULL, fixture_setup,
              test_service_running, fixture_teardown);

  g_test_add ("/lib-tools/list-10000", Fixture, NULL, fixture_setup, test_list_10000,
              fixture_teardown);
  g_test_add ("/lib-tools/refresh-service-went-away", Fixture, NULL, fixture_setup,
              test_refresh_service_went_away, fixture_teardown);

  return g_test_run ();
}
