/* test-download.c: the real ferryd, on a private bus, against a server with fault knobs
 *
 * Every test asserts what a user would notice: the bytes on disk and their checksum, the
 * state and error on D-Bus, what the server was asked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gunixfdlist.h>

#include <fcntl.h>

#include <glib/gstdio.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include "ferry-error.h"
#include "ferry-test-daemon.h"
#include "ferry-test-server.h"

#define MiB (1024 * 1024)

typedef struct
{
  FerryTestDaemon *daemon;
  FerryTestServer *server;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = ferry_test_server_new ();
  f->daemon = ferry_test_daemon_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_server_free);
}

static FerryTransfer1 *
add (Fixture    *f,
     const char *path,
     GVariant   *options)
{
  return ferry_test_daemon_add_from (f->daemon, f->server, path, options);
}

static void
assert_file_sha256 (const char *path,
                    GBytes     *expected)
{
  g_autofree char *actual = ferry_test_sha256_file (path);
  g_autofree char *want = ferry_test_sha256_bytes (expected);

  g_assert_nonnull (actual);
  g_assert_cmpstr (actual, ==, want);
}

/* No partial file may be left behind once a transfer is over. */
static void
assert_no_partial_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_assert_false (g_str_has_suffix (name, ".part"));
}

static guint64
range_start (const FerryTestRequest *request)
{
  g_assert_nonnull (request->range);
  g_assert_true (g_str_has_prefix (request->range, "bytes="));
  return g_ascii_strtoull (request->range + 6, NULL, 10);
}

/* -- Tests ------------------------------------------------------------------------------- */

static void
test_complete (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (3 * MiB + 17, 1);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autofree char *expected_path = NULL;

  ferry_test_server_add_file (f->server, "/files/disk.img", content, "\"v1\"");
  t = add (f, "/files/disk.img", NULL);

  g_assert_true (ferry_test_wait_state (t, "completed", 20000));
  expected_path = g_build_filename (f->daemon->download_dir, "disk.img", NULL);
  g_assert_cmpstr (ferry_transfer1_get_destination (t), ==, expected_path);
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (t), ==, g_bytes_get_size (content));
  g_assert_cmpuint (ferry_transfer1_get_bytes_total (t), ==, g_bytes_get_size (content));
  g_assert_cmpuint (ferry_transfer1_get_http_status (t), ==, 200);
  g_assert_cmpint (ferry_transfer1_get_finished_at (t), >, 0);
  assert_file_sha256 (expected_path, content);
  assert_no_partial_files (f->daemon->download_dir);
}

static void
test_pause_resume (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (6 * MiB, 2);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  FerryTestRequest *last;

  ferry_test_server_add_file (f->server, "/slow.bin", content, "\"abc\"");
  ferry_test_server_set_throttle (f->server, "/slow.bin", 2 * MiB);
  t = add (f, "/slow.bin", NULL);

  g_assert_true (ferry_test_wait_bytes (t, MiB, 10000));
  ferry_transfer1_call_pause_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "paused", 2000));

  /* Once the attempt has let go, the bytes it kept are the checkpoint. */
  ferry_test_sleep (500);
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (t), >=, MiB);
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (t), <, g_bytes_get_size (content));

  ferry_test_server_set_throttle (f->server, "/slow.bin", 0);
  ferry_transfer1_call_resume_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "completed", 20000));

  requests = ferry_test_server_get_requests (f->server, "/slow.bin");
  g_assert_cmpuint (requests->len, ==, 2);
  last = g_ptr_array_index (requests, 1);
  g_assert_cmpuint (last->status, ==, 206);
  g_assert_cmpuint (range_start (last), >=, MiB);
  g_assert_cmpstr (last->if_range, ==, "\"abc\"");
  assert_file_sha256 (ferry_transfer1_get_destination (t), content);
}

static void
test_validator_change (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) old_content = ferry_test_make_content (4 * MiB, 3);
  g_autoptr(GBytes) new_content = ferry_test_make_content (5 * MiB, 4);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  FerryTestRequest *last;

  ferry_test_server_add_file (f->server, "/release.iso", old_content, "\"old\"");
  ferry_test_server_set_throttle (f->server, "/release.iso", 2 * MiB);
  t = add (f, "/release.iso", NULL);

  g_assert_true (ferry_test_wait_bytes (t, MiB, 10000));
  ferry_transfer1_call_pause_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "paused", 2000));
  ferry_test_sleep (300);

  /* The file changes on the server while the download is paused. */
  ferry_test_server_set_content (f->server, "/release.iso", new_content, "\"new\"");
  ferry_test_server_set_throttle (f->server, "/release.iso", 0);

  ferry_transfer1_call_resume_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "completed", 20000));

  /* Ferry asked to continue only if the file was the same; it was not, so it got the whole
   * new file — and the result is exactly the new file, never old bytes spliced with new. */
  requests = ferry_test_server_get_requests (f->server, "/release.iso");
  last = g_ptr_array_index (requests, requests->len - 1);
  g_assert_cmpstr (last->if_range, ==, "\"old\"");
  g_assert_cmpuint (last->status, ==, 200);
  g_assert_cmpuint (ferry_transfer1_get_bytes_total (t), ==, g_bytes_get_size (new_content));
  assert_file_sha256 (ferry_transfer1_get_destination (t), new_content);
}

static void
test_no_range_support (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (4 * MiB, 5);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  FerryTestRequest *last;

  /* An ETag, but the server ignores Range and always answers 200. */
  ferry_test_server_add_file (f->server, "/norange", content, "\"etag\"");
  ferry_test_server_set_ranges (f->server, "/norange", FALSE);
  ferry_test_server_set_throttle (f->server, "/norange", 2 * MiB);
  t = add (f, "/norange", NULL);

  g_assert_true (ferry_test_wait_bytes (t, MiB, 10000));
  ferry_transfer1_call_pause_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "paused", 2000));
  ferry_test_sleep (300);
  ferry_test_server_set_throttle (f->server, "/norange", 0);
  ferry_transfer1_call_resume_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "completed", 20000));

  requests = ferry_test_server_get_requests (f->server, "/norange");
  last = g_ptr_array_index (requests, requests->len - 1);
  g_assert_cmpuint (last->status, ==, 200);
  g_assert_false (ferry_transfer1_get_resumable (t));
  assert_file_sha256 (ferry_transfer1_get_destination (t), content);
}

static void
test_drop_retry (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (3 * MiB, 6);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  FerryTestRequest *second;

  /* The connection drops after 1 MiB, twice. */
  ferry_test_server_add_file (f->server, "/flaky", content, "\"f1\"");
  ferry_test_server_set_drop (f->server, "/flaky", MiB, 2);
  t = add (f, "/flaky", NULL);

  g_assert_true (ferry_test_wait_state (t, "completed", 30000));
  requests = ferry_test_server_get_requests (f->server, "/flaky");
  g_assert_cmpuint (requests->len, ==, 3);
  second = g_ptr_array_index (requests, 1);
  /* It went on from what it had, not from zero. */
  g_assert_cmpuint (range_start (second), ==, MiB);
  g_assert_cmpuint (second->status, ==, 206);
  assert_file_sha256 (ferry_transfer1_get_destination (t), content);
}

static void
test_truncated_body (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (2 * MiB, 7);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  gboolean saw_retry;

  /* No validator, no ranges: a body cut short with Connection: close ends in a clean EOF.
   * Ferry counts bytes against Content-Length and must not call it complete. */
  ferry_test_server_add_file (f->server, "/short", content, NULL);
  ferry_test_server_set_ranges (f->server, "/short", FALSE);
  ferry_test_server_set_drop (f->server, "/short", MiB / 2, 1);
  t = add (f, "/short", NULL);

  saw_retry = ferry_test_wait_state (t, "waiting", 10000);
  g_assert_true (saw_retry);
  g_assert_cmpstr (ferry_transfer1_get_wait_reasons (t)[0], ==, "retry");
  g_assert_nonnull (strstr (ferry_transfer1_get_error (t), "closed the connection early"));

  g_assert_true (ferry_test_wait_state (t, "completed", 20000));
  requests = ferry_test_server_get_requests (f->server, "/short");
  g_assert_cmpuint (requests->len, ==, 2);
  /* Without a validator nothing is resumed: the second request starts from zero. */
  g_assert_null (((FerryTestRequest *) g_ptr_array_index (requests, 1))->range);
  assert_file_sha256 (ferry_transfer1_get_destination (t), content);
}

/* A server where nothing listens: the transfer waits to retry and says why in words. */
static void
test_unreachable (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *path = NULL;

  /* A port that was free a moment ago, and is closed again. */
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  uri = g_strdup_printf ("http://127.0.0.1:%u/nothing.iso",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  path = ferry_test_daemon_add (f->daemon, uri, NULL, &error);
  g_assert_no_error (error);
  t = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_true (ferry_test_wait_state (t, "waiting", 10000));
  g_assert_cmpstr (ferry_transfer1_get_wait_reasons (t)[0], ==, "retry");
  g_test_message ("%s", ferry_transfer1_get_error (t));
  g_assert_true (g_str_has_prefix (ferry_transfer1_get_error (t), "Could not reach the server: "));
}

static void
test_retry_after (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (64 * 1024, 8);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  gint64 now, retry_at, gap;

  ferry_test_server_add_file (f->server, "/busy", content, "\"b\"");
  ferry_test_server_queue_status (f->server, "/busy", 503, "2");
  t = add (f, "/busy", NULL);

  g_assert_true (ferry_test_wait_state (t, "waiting", 10000));
  now = g_get_real_time () / G_USEC_PER_SEC;
  retry_at = ferry_transfer1_get_retry_at (t);
  g_assert_cmpint (retry_at - now, >=, 1);
  g_assert_cmpint (retry_at - now, <=, 3);
  g_assert_cmpuint (ferry_transfer1_get_http_status (t), ==, 503);
  g_assert_nonnull (strstr (ferry_transfer1_get_error (t), "busy"));

  g_assert_true (ferry_test_wait_state (t, "completed", 10000));
  requests = ferry_test_server_get_requests (f->server, "/busy");
  g_assert_cmpuint (requests->len, ==, 2);
  gap = ((FerryTestRequest *) g_ptr_array_index (requests, 1))->time_usec -
        ((FerryTestRequest *) g_ptr_array_index (requests, 0))->time_usec;
  g_test_message ("Retried after %.2f s", gap / 1e6);
  /* Retry-After is whole seconds; the retry time is rounded to a second. */
  g_assert_cmpint (gap, >=, 1 * G_USEC_PER_SEC);
  g_assert_cmpint (gap, <=, 4 * G_USEC_PER_SEC);
  assert_file_sha256 (ferry_transfer1_get_destination (t), content);
}

static void
test_stall (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (2 * MiB, 18);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;

  /* After 512 KiB the server goes silent for 60 s with the connection open. ferryd gives up
   * on it after its stall timeout (4 s in the tests, 30 s by default) and resumes. */
  ferry_test_server_add_file (f->server, "/stuck", content, "\"st\"");
  ferry_test_server_set_stall (f->server, "/stuck", 512 * 1024, 60, 1);
  t = add (f, "/stuck", NULL);

  g_assert_true (ferry_test_wait_state (t, "waiting", 15000));
  g_assert_nonnull (strstr (ferry_transfer1_get_error (t), "stopped sending data"));
  g_assert_true (ferry_test_wait_state (t, "completed", 15000));

  requests = ferry_test_server_get_requests (f->server, "/stuck");
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_cmpuint (range_start (g_ptr_array_index (requests, 1)), ==, 512 * 1024);
  assert_file_sha256 (ferry_transfer1_get_destination (t), content);
}

static void
test_not_found (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = add (f, "/missing.zip", NULL);
  g_autoptr(GDir) dir = NULL;

  g_assert_true (ferry_test_wait_state (t, "rejected", 10000));
  g_assert_cmpuint (ferry_transfer1_get_http_status (t), ==, 404);
  g_assert_cmpstr (ferry_transfer1_get_error (t), ==,
                   "The server no longer has this file (HTTP 404)");
  /* The error page never becomes a file, and no partial file is left. */
  dir = g_dir_open (f->daemon->download_dir, 0, NULL);
  g_assert_null (g_dir_read_name (dir));
}

static gboolean
has_partial_file (gpointer user_data)
{
  const char *dir_path = user_data;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_suffix (name, ".part"))
        return TRUE;
    }
  return FALSE;
}

static gboolean
has_no_partial_file (gpointer user_data)
{
  return !has_partial_file (user_data);
}

static void
test_kill_resume (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (8 * MiB, 9);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  FerryTestRequest *last;

  ferry_test_server_add_file (f->server, "/big.iso", content, "\"k\"");
  ferry_test_server_set_throttle (f->server, "/big.iso", 2 * MiB);
  t = add (f, "/big.iso", NULL);

  /* Past the first checkpoint (every 2 s), then power is cut. */
  g_assert_true (ferry_test_wait_bytes (t, 5 * MiB, 15000));
  g_assert_true (has_partial_file (f->daemon->download_dir));
  ferry_test_daemon_kill (f->daemon);
  ferry_test_server_set_throttle (f->server, "/big.iso", 0);

  /* The next call activates ferryd again; it restores the queue and goes on. */
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (paths), ==, 1);
  g_assert_true (ferry_test_wait_state (t, "completed", 20000));

  requests = ferry_test_server_get_requests (f->server, "/big.iso");
  last = g_ptr_array_index (requests, requests->len - 1);
  g_assert_cmpuint (last->status, ==, 206);
  g_assert_cmpuint (range_start (last), >=, 2 * MiB);
  assert_file_sha256 (ferry_transfer1_get_destination (t), content);
  assert_no_partial_files (f->daemon->download_dir);
}

static void
test_content_disposition (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 10);
  g_autoptr(FerryTransfer1) first = NULL;
  g_autoptr(FerryTransfer1) second = NULL;
  g_autofree char *name1 = NULL;
  g_autofree char *name2 = NULL;

  ferry_test_server_add_file (f->server, "/dl", content, "\"cd\"");
  ferry_test_server_set_header (f->server, "/dl", "Content-Disposition",
                                "attachment; filename=\"../../.bashrc\"; "
                                "filename*=UTF-8''r%C3%A9sum%C3%A9%E2%80%AEfdp.exe");

  first = add (f, "/dl", NULL);
  g_assert_true (ferry_test_wait_state (first, "completed", 10000));
  second = add (f, "/dl", NULL);
  g_assert_true (ferry_test_wait_state (second, "completed", 10000));

  /* filename* wins, the bidi override is gone, and the name stays in the folder. */
  name1 = g_path_get_basename (ferry_transfer1_get_destination (first));
  name2 = g_path_get_basename (ferry_transfer1_get_destination (second));
  g_assert_cmpstr (name1, ==, "résuméfdp.exe");
  g_assert_cmpstr (name2, ==, "résuméfdp (1).exe");
  g_assert_true (g_str_has_prefix (ferry_transfer1_get_destination (first),
                                   f->daemon->download_dir));
  g_assert_false (g_file_test (ferry_transfer1_get_destination (first), G_FILE_TEST_IS_EXECUTABLE));
  assert_file_sha256 (ferry_transfer1_get_destination (second), content);
}

static void
test_redirect (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (200000, 11);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autofree char *name = NULL;

  ferry_test_server_add_file (f->server, "/mirror/real-name.tar.gz", content, "\"r\"");
  ferry_test_server_add_redirect (f->server, "/latest", "/mirror/real-name.tar.gz");
  t = add (f, "/latest", NULL);

  g_assert_true (ferry_test_wait_state (t, "completed", 10000));
  /* The name comes from the final address. */
  name = g_path_get_basename (ferry_transfer1_get_destination (t));
  g_assert_cmpstr (name, ==, "real-name.tar.gz");
  assert_file_sha256 (ferry_transfer1_get_destination (t), content);
}

static void
test_sha256 (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (300000, 12);
  g_autofree char *good = ferry_test_sha256_bytes (content);
  g_autoptr(FerryTransfer1) ok = NULL;
  g_autoptr(FerryTransfer1) bad = NULL;
  GVariantDict dict;

  ferry_test_server_add_file (f->server, "/checked", content, "\"s\"");

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "sha256", "s", good);
  g_variant_dict_insert (&dict, "filename", "s", "good.bin");
  ok = add (f, "/checked", g_variant_dict_end (&dict));

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "sha256", "s",
                         "0000000000000000000000000000000000000000000000000000000000000000");
  g_variant_dict_insert (&dict, "filename", "s", "bad.bin");
  bad = add (f, "/checked", g_variant_dict_end (&dict));

  g_assert_true (ferry_test_wait_state (ok, "completed", 10000));
  g_assert_true (ferry_test_wait_state (bad, "failed", 10000));
  g_assert_nonnull (strstr (ferry_transfer1_get_error (bad), "does not match the checksum"));
  assert_file_sha256 (ferry_transfer1_get_destination (ok), content);
  /* A file that failed its checksum never gets the name. */
  {
    g_autofree char *bad_path = g_build_filename (f->daemon->download_dir, "bad.bin", NULL);

    g_assert_false (g_file_test (bad_path, G_FILE_TEST_EXISTS));
  }
  assert_no_partial_files (f->daemon->download_dir);
}

static void
test_repr_digest (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (100000, 13);
  g_autoptr(FerryTransfer1) t = NULL;
  guint8 digest[32];
  gsize len = sizeof digest;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *b64 = NULL;
  g_autofree char *header = NULL;

  /* The server's digest is of other bytes: the server lies, Ferry notices. */
  g_checksum_update (checksum, (const guchar *) "something else", 14);
  g_checksum_get_digest (checksum, digest, &len);
  b64 = g_base64_encode (digest, len);
  header = g_strdup_printf ("sha-256=:%s:", b64);

  ferry_test_server_add_file (f->server, "/lying", content, "\"l\"");
  ferry_test_server_set_header (f->server, "/lying", "Repr-Digest", header);
  t = add (f, "/lying", NULL);

  g_assert_true (ferry_test_wait_state (t, "failed", 10000));
  g_assert_nonnull (strstr (ferry_transfer1_get_error (t), "Repr-Digest"));
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  struct {
    const char *uri;
    const char *key;
    GVariant *value;
    const char *expect;
  } cases[] = {
    { "ftp://example.com/file", NULL, NULL, "only http:// and https://" },
    { "file:///etc/passwd", NULL, NULL, "only http:// and https://" },
    { "not a uri at all", NULL, NULL, "not a valid address" },
    { "http://", NULL, NULL, "" },
    { "http://127.0.0.1/x", "destination", g_variant_new_string ("relative/dir"), "absolute" },
    { "http://127.0.0.1/x", "destination", g_variant_new_string ("/nonexistent/dir"),
      "does not exist" },
    { "http://127.0.0.1/x", "destination", g_variant_new_string ("/etc/passwd"), "not a folder" },
    { "http://127.0.0.1/x", "colour", g_variant_new_string ("blue"), "Unknown option" },
    { "http://127.0.0.1/x", "priority", g_variant_new_string ("high"), "must be of type i" },
    { "http://127.0.0.1/x", "sha256", g_variant_new_string ("abc"), "64 hexadecimal" },
    { "http://127.0.0.1/x", "filename", g_variant_new_string ("../.."), "contains “/”" },
    { "http://127.0.0.1/x", "filename", g_variant_new_string (".."), "cannot be used" },
    { "http://127.0.0.1/x", "method", g_variant_new_string ("PUT"), "only for uploads" },
  };
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GVariantDict dict;
      g_autoptr(GError) add_error = NULL;
      g_autofree char *path = NULL;

      g_variant_dict_init (&dict, NULL);
      g_variant_dict_insert (&dict, "destination", "s", f->daemon->download_dir);
      if (cases[i].key != NULL)
        g_variant_dict_insert_value (&dict, cases[i].key, cases[i].value);

      ferry_manager1_call_add_download_sync (f->daemon->manager, cases[i].uri,
                                             g_variant_dict_end (&dict), &path, NULL,
                                             &add_error);
      g_test_message ("%s %s → %s", cases[i].uri, cases[i].key ? cases[i].key : "",
                      add_error ? add_error->message : "accepted");
      g_assert_error (add_error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (add_error->message, cases[i].expect));
    }

  /* Nothing was stored. */
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (paths), ==, 0);
}

static void
test_identifier (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 14);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/same");
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *after_kill = NULL;
  g_autofree char *other_session = NULL;
  GVariantDict dict;

  ferry_test_server_add_file (f->server, "/same", content, "\"i\"");

#define OPTIONS(session)                                                   \
  (g_variant_dict_init (&dict, NULL),                                      \
   g_variant_dict_insert (&dict, "session", "s", session),                 \
   g_variant_dict_insert (&dict, "identifier", "s", "backup-2026-11"),     \
   g_variant_dict_insert (&dict, "paused", "b", TRUE),                     \
   g_variant_dict_end (&dict))

  first = ferry_test_daemon_add (f->daemon, uri, OPTIONS ("org.example.App"), &error);
  g_assert_no_error (error);
  again = ferry_test_daemon_add (f->daemon, uri, OPTIONS ("org.example.App"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, again);

  ferry_test_daemon_kill (f->daemon);
  after_kill = ferry_test_daemon_add (f->daemon, uri, OPTIONS ("org.example.App"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, after_kill);

  other_session = ferry_test_daemon_add (f->daemon, uri, OPTIONS ("org.example.Other"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, !=, other_session);
#undef OPTIONS
}

static void
test_restore_states (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 15);
  g_autoptr(FerryTransfer1) done = NULL;
  g_autoptr(FerryTransfer1) paused = NULL;
  g_autoptr(FerryTransfer1) rejected = NULL;
  GVariantDict dict;

  ferry_test_server_add_file (f->server, "/a", content, "\"a\"");
  done = add (f, "/a", NULL);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "paused", "b", TRUE);
  paused = add (f, "/a", g_variant_dict_end (&dict));
  rejected = add (f, "/gone", NULL);
  g_assert_true (ferry_test_wait_state (done, "completed", 10000));
  g_assert_true (ferry_test_wait_state (rejected, "rejected", 10000));
  g_assert_cmpstr (ferry_transfer1_get_state (paused), ==, "paused");

  ferry_test_daemon_kill (f->daemon);
  {
    g_auto(GStrv) paths = NULL;
    g_autoptr(GError) error = NULL;

    ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (paths), ==, 3);
  }

  /* Every outcome is still there after the restart, as it was. */
  g_assert_true (ferry_test_wait_state (done, "completed", 5000));
  g_assert_true (ferry_test_wait_state (paused, "paused", 5000));
  g_assert_true (ferry_test_wait_state (rejected, "rejected", 5000));
  g_assert_cmpuint (ferry_transfer1_get_http_status (rejected), ==, 404);
}

static void
test_cancel_remove (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (4 * MiB, 16);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(FerryTransfer1) done = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  g_autofree char *done_path = NULL;

  ferry_test_server_add_file (f->server, "/c", content, "\"c\"");
  ferry_test_server_set_throttle (f->server, "/c", MiB);
  t = add (f, "/c", NULL);
  g_assert_true (ferry_test_wait_bytes (t, 256 * 1024, 10000));

  ferry_transfer1_call_cancel_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "canceled", 2000));
  /* Canceling deletes the partial data. */
  g_assert_true (ferry_test_wait_until (has_no_partial_file, f->daemon->download_dir, 3000));

  /* Remove with delete_data removes the completed file too. */
  ferry_test_server_set_throttle (f->server, "/c", 0);
  done = add (f, "/c", NULL);
  g_assert_true (ferry_test_wait_state (done, "completed", 10000));
  done_path = g_strdup (ferry_transfer1_get_destination (done));
  g_assert_true (g_file_test (done_path, G_FILE_TEST_EXISTS));
  ferry_transfer1_call_remove_sync (done, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (done_path, G_FILE_TEST_EXISTS));

  ferry_transfer1_call_remove_sync (t, FALSE, NULL, &error);
  g_assert_no_error (error);
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (paths), ==, 0);
}

static void
test_corrupt_store (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "ferry", NULL);
  g_autofree char *db = g_build_filename (dir, "ferry.db", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  g_autoptr(GDir) d = NULL;
  const char *name;
  gboolean moved = FALSE;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (db, "this is not a database, it is a shopping list\n"
                                      "eggs\nmilk\n", -1, NULL));

  /* ferryd starts anyway, with an empty list, and keeps the broken file. */
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (paths), ==, 0);

  d = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (g_str_has_prefix (name, "ferry.db.broken-"))
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);
          g_autofree char *text = NULL;

          g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
          g_assert_true (g_str_has_prefix (text, "this is not a database"));
          moved = TRUE;
        }
    }
  g_assert_true (moved);
}

/* The store's own disk fills up: the service says so, keeps running, and what it had stored
 * is still there, intact, after a restart. */
static void
test_store_disk_full (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 18);
  g_autofree char *uri = ferry_test_server_uri (f->server, "/small");
  g_autofree char *store_dir = g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR, NULL);
  g_autofree char *filler = g_build_filename (store_dir, "filler", NULL);
  g_autofree char *umount_cmd = NULL;
  g_autofree char *fill_cmd = NULL;
  g_autofree char *first = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *after = NULL;
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict dict;

  /* A 1 MiB tmpfs where ferryd keeps its store, mounted before ferryd first starts. */
  umount_cmd = ferry_test_mount_small_tmpfs (store_dir, "1m");
  if (umount_cmd == NULL)
    return;
  ferry_test_server_add_file (f->server, "/small", content, "\"s\"");

#define PAUSED_OPTIONS()                                                      \
  (g_variant_dict_init (&dict, NULL),                                         \
   g_variant_dict_insert (&dict, "paused", "b", TRUE),                        \
   g_variant_dict_end (&dict))

  first = ferry_test_daemon_add (f->daemon, uri, PAUSED_OPTIONS (), &error);
  g_assert_no_error (error);

  /* The disk fills up. */
  fill_cmd = g_strdup_printf ("dd if=/dev/zero of='%s' bs=64k", filler);
  g_spawn_command_line_sync (fill_cmd, NULL, NULL, NULL, NULL);

  refused = ferry_test_daemon_add (f->daemon, uri, PAUSED_OPTIONS (), &error);
  g_assert_null (refused);
  g_assert_nonnull (error);
  g_test_message ("Adding on a full disk: %s", error->message);
  g_assert_nonnull (strstr (error->message, "the disk is full"));
  g_clear_error (&error);

  /* Still running, and what it had is still listed. */
  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL,
                                                          &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (paths), ==, 1);
  g_assert_cmpstr (paths[0], ==, first);
  g_clear_pointer (&paths, g_strfreev);

  /* An upload whose file must be copied (it has no path left) has nowhere to go either. */
  {
    g_autofree char *source = g_build_filename (g_get_user_cache_dir (), "gone.bin", NULL);
    g_autofree char *target = ferry_test_server_uri (f->server, "/upload-here");
    g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
    g_autofree char *upload = NULL;
    int fd;

    g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0755), ==, 0);
    g_assert_true (g_file_set_contents (source, g_bytes_get_data (content, NULL), 1000, NULL));
    fd = open (source, O_RDONLY | O_CLOEXEC);
    g_assert_cmpint (g_unlink (source), ==, 0);
    g_unix_fd_list_append (fds, fd, NULL);
    close (fd);
    ferry_manager1_call_add_upload_sync (f->daemon->manager, target, g_variant_new_handle (0),
                                         PAUSED_OPTIONS (), fds, &upload, NULL, NULL, &error);
    g_assert_null (upload);
    g_assert_nonnull (error);
    g_test_message ("Uploading on a full disk: %s", error->message);
    g_assert_nonnull (strstr (error->message, "no room"));
    g_clear_error (&error);
  }

  /* Room again: adding works, and after kill -9 the store holds both, nothing moved aside. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  after = ferry_test_daemon_add (f->daemon, uri, PAUSED_OPTIONS (), &error);
  g_assert_no_error (error);
  ferry_test_daemon_kill (f->daemon);
  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL,
                                                          &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (paths), ==, 2);
  g_assert_true (g_strv_contains ((const char *const *) paths, first));
  g_assert_true (g_strv_contains ((const char *const *) paths, after));
#undef PAUSED_OPTIONS

  {
    g_autoptr(GDir) dir = g_dir_open (store_dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      g_assert_false (g_str_has_prefix (name, "ferry.db.broken"));
  }

  ferry_test_daemon_free (f->daemon);
  f->daemon = NULL;
  g_spawn_command_line_sync (umount_cmd, NULL, NULL, NULL, NULL);
}

/* A real full disk: a 2 MiB tmpfs for a 5 MiB file. */
static void
test_disk_full (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (5 * MiB, 17);
  g_autofree char *mountpoint = g_build_filename (g_get_user_data_dir (), "small-disk", NULL);
  g_autofree char *grow_cmd = NULL;
  g_autofree char *umount_cmd = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  GVariantDict dict;
  int status = -1;

  umount_cmd = ferry_test_mount_small_tmpfs (mountpoint, "2m");
  if (umount_cmd == NULL)
    return;

  ferry_test_server_add_file (f->server, "/huge", content, "\"h\"");
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "destination", "s", mountpoint);
  t = add (f, "/huge", g_variant_dict_end (&dict));

  g_assert_true (ferry_test_wait_state (t, "waiting", 10000));
  g_assert_cmpstr (ferry_transfer1_get_wait_reasons (t)[0], ==, "disk-space");
  g_assert_nonnull (strstr (ferry_transfer1_get_error (t), "disk is full"));
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (t), >, 0);

  /* Space comes back: the download goes on by itself and the file is exact. */
  grow_cmd = g_strdup_printf ("mount -o remount,size=16m '%s'", mountpoint);
  g_assert_true (g_spawn_command_line_sync (grow_cmd, NULL, NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  g_assert_true (ferry_test_wait_state (t, "completed", 20000));
  assert_file_sha256 (ferry_transfer1_get_destination (t), content);

  g_spawn_command_line_sync (umount_cmd, NULL, NULL, NULL, NULL);
}

static gboolean
daemon_has_name (gpointer user_data)
{
  FerryTestDaemon *daemon = user_data;

  return ferry_test_name_has_owner (daemon->connection, "io.github.ferryhq.Ferry.Daemon");
}

/* At login: nothing pending, ferryd exits at once; something pending, it becomes the service. */
static void
test_autostart (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *ferryd = g_build_filename (g_getenv ("FERRY_SERVICE_DIR"), "..", "..", "src",
                                              "daemon", "ferryd", NULL);
  g_autoptr(GSubprocess) idle = NULL;
  g_autoptr(GSubprocess) busy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = ferry_test_server_uri (f->server, "/later.bin");
  GVariantDict dict;
  gint64 started;

  started = g_get_monotonic_time ();
  idle = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, ferryd, "--autostart", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (idle, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("With nothing pending, ferryd --autostart exited after %.0f ms",
                  (g_get_monotonic_time () - started) / 1e3);
  g_assert_false (daemon_has_name (f->daemon));

  /* Something to do later: a transfer waiting for its start time. */
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "earliest-begin", "x", g_get_real_time () / G_USEC_PER_SEC + 3600);
  path = ferry_test_daemon_add (f->daemon, uri, g_variant_dict_end (&dict), &error);
  g_assert_no_error (error);
  ferry_test_daemon_kill (f->daemon);

  busy = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, ferryd, "--autostart", NULL);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_until (daemon_has_name, f->daemon, 5000));
  ferry_test_sleep (500);
  g_assert_true (daemon_has_name (f->daemon));
  g_subprocess_send_signal (busy, SIGTERM);
  g_subprocess_wait (busy, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/download/complete", test_complete);
  ADD ("/download/pause-resume", test_pause_resume);
  ADD ("/download/validator-change", test_validator_change);
  ADD ("/download/no-range-support", test_no_range_support);
  ADD ("/download/drop-retry", test_drop_retry);
  ADD ("/download/truncated-body", test_truncated_body);
  ADD ("/download/retry-after", test_retry_after);
  ADD ("/download/unreachable", test_unreachable);
  ADD ("/download/stall", test_stall);
  ADD ("/download/not-found", test_not_found);
  ADD ("/download/kill-resume", test_kill_resume);
  ADD ("/download/content-disposition", test_content_disposition);
  ADD ("/download/redirect", test_redirect);
  ADD ("/download/sha256", test_sha256);
  ADD ("/download/repr-digest", test_repr_digest);
  ADD ("/download/bad-input", test_bad_input);
  ADD ("/download/identifier", test_identifier);
  ADD ("/download/store-disk-full", test_store_disk_full);
  ADD ("/download/restore-states", test_restore_states);
  ADD ("/download/cancel-remove", test_cancel_remove);
  ADD ("/download/corrupt-store", test_corrupt_store);
  ADD ("/download/disk-full", test_disk_full);
  ADD ("/download/autostart", test_autostart);
#undef ADD

  return g_test_run ();
}
