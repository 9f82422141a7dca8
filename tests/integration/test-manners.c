/* test-manners.c: Ferry minds each server's word for every app at once — a Retry-After that
 * one session's download was given holds every other session's transfers to that origin, and
 * a 429 shrinks how many connections Ferry opens to it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ferry-test-daemon.h"
#include "ferry-test-server.h"

#define KiB 1024
#define MiB (1024 * 1024)

typedef struct
{
  FerryTestDaemon *daemon;
  FerryTestServer *server;
  FerryTestServer *other;   /* the same host on another port: another origin */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = ferry_test_server_new ();
  f->other = ferry_test_server_new ();
  f->daemon = ferry_test_daemon_new ();
}

/* Ferry's own backoff made long (300 s and more), so a hold it sets outlasts the test. */
static void
fixture_setup_long_backoff (Fixture       *f,
                            gconstpointer  data)
{
  g_setenv ("FERRY_FIRST_BACKOFF_SECONDS", "300", TRUE);
  fixture_setup (f, data);
  g_unsetenv ("FERRY_FIRST_BACKOFF_SECONDS");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_server_free);
  g_clear_pointer (&f->other, ferry_test_server_free);
}

static GVariant *
in_session (const char *session)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "session", "s", session);
  return g_variant_dict_end (&dict);
}

static void
assert_sha256 (FerryTransfer1 *t,
               GBytes         *content)
{
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *got = ferry_test_sha256_file (ferry_transfer1_get_destination (t));

  g_assert_cmpstr (got, ==, want);
}

typedef struct
{
  FerryTransfer1 *transfer;
  const char *reason;
} ReasonWait;

static gboolean
has_reason (gpointer user_data)
{
  ReasonWait *w = user_data;
  const char *const *reasons = ferry_transfer1_get_wait_reasons (w->transfer);

  return g_strcmp0 (ferry_transfer1_get_state (w->transfer), "waiting") == 0 &&
         reasons != NULL && g_strv_contains (reasons, w->reason);
}

static gboolean
wait_reason (FerryTransfer1 *transfer,
             const char     *reason,
             guint           timeout_ms)
{
  ReasonWait w = { transfer, reason };

  return ferry_test_wait_until (has_reason, &w, timeout_ms);
}

/* One app's download is told 429 with Retry-After: 600. Another app's download from the same
 * server waits with it, RetryAt the server's time, without asking the server; a download from
 * the same host on another port is another origin and completes. */
static void
test_retry_after_holds_other_sessions (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (256 * KiB, 171);
  g_autoptr(FerryTransfer1) busy = NULL;
  g_autoptr(FerryTransfer1) held = NULL;
  g_autoptr(FerryTransfer1) elsewhere = NULL;
  gint64 retry_at, now;

  ferry_test_server_add_file (f->server, "/busy", content, "\"b\"");
  ferry_test_server_add_file (f->server, "/also", content, "\"a\"");
  ferry_test_server_add_file (f->other, "/also", content, "\"a\"");
  ferry_test_server_queue_status (f->server, "/busy", 429, "600");

  busy = ferry_test_daemon_add_from (f->daemon, f->server, "/busy", in_session ("org.example.One"));
  g_assert_true (wait_reason (busy, "retry", 30000));
  now = g_get_real_time () / G_USEC_PER_SEC;
  retry_at = ferry_transfer1_get_retry_at (busy);
  g_assert_cmpint (retry_at, >=, now + 590);
  g_assert_cmpint (retry_at, <=, now + 601);

  held = ferry_test_daemon_add_from (f->daemon, f->server, "/also", in_session ("org.example.Two"));
  elsewhere = ferry_test_daemon_add_from (f->daemon, f->other, "/also",
                                          in_session ("org.example.Two"));

  /* The other port is not held: it completes, with the right bytes. */
  g_assert_true (ferry_test_wait_state (elsewhere, "completed", 30000));
  assert_sha256 (elsewhere, content);

  /* The held one says why and until when, and the busy server was not asked for it. */
  g_assert_true (wait_reason (held, "retry", 30000));
  g_assert_cmpint (ferry_transfer1_get_retry_at (held), ==, retry_at);
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/also"), ==, 0);
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/busy"), ==, 1);
}

/* A server that answered 429 gets one connection at a time: after the Retry-After, the
 * three downloads to it run one after the other, although max-per-host allows two. */
static void
test_429_shrinks_budget (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (512 * KiB, 172);
  g_autoptr(FerryTransfer1) first = NULL;
  g_autoptr(FerryTransfer1) second = NULL;
  g_autoptr(FerryTransfer1) third = NULL;

  ferry_test_server_add_file (f->server, "/1", content, "\"1\"");
  ferry_test_server_add_file (f->server, "/2", content, "\"2\"");
  ferry_test_server_add_file (f->server, "/3", content, "\"3\"");
  /* Slow enough that two running at once would overlap at the server. */
  ferry_test_server_set_throttle (f->server, "/1", 512 * KiB);
  ferry_test_server_set_throttle (f->server, "/2", 512 * KiB);
  ferry_test_server_set_throttle (f->server, "/3", 512 * KiB);
  ferry_test_server_queue_status (f->server, "/1", 429, "1");

  first = ferry_test_daemon_add_from (f->daemon, f->server, "/1", in_session ("org.example.One"));
  g_assert_true (wait_reason (first, "retry", 30000));
  second = ferry_test_daemon_add_from (f->daemon, f->server, "/2", in_session ("org.example.Two"));
  third = ferry_test_daemon_add_from (f->daemon, f->server, "/3", in_session ("org.example.Two"));

  g_assert_true (ferry_test_wait_state (first, "completed", 60000));
  g_assert_true (ferry_test_wait_state (second, "completed", 60000));
  g_assert_true (ferry_test_wait_state (third, "completed", 60000));
  assert_sha256 (first, content);
  assert_sha256 (second, content);
  assert_sha256 (third, content);
  g_assert_cmpuint (ferry_test_server_get_max_in_flight (f->server), ==, 1);
}

/* A port on 127.0.0.1 where nothing listens: connections to it are refused. */
static guint16
refusing_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;

  g_assert_nonnull (socket);
  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  return port;
}

/* One app's download finds the server refusing connections: another app's download from
 * that server waits for the same RetryAt without knocking itself (no attempt of its own). */
static void
test_refused_holds_other_sessions (Fixture       *f,
                                   gconstpointer  data)
{
  guint16 port = refusing_port ();
  g_autofree char *first_uri = g_strdup_printf ("http://127.0.0.1:%u/first", port);
  g_autofree char *second_uri = g_strdup_printf ("http://127.0.0.1:%u/second", port);
  g_autofree char *first_path = NULL;
  g_autofree char *second_path = NULL;
  g_autoptr(FerryTransfer1) first = NULL;
  g_autoptr(FerryTransfer1) second = NULL;
  g_autoptr(GError) error = NULL;

  first_path = ferry_test_daemon_add (f->daemon, first_uri, in_session ("org.example.One"),
                                      &error);
  g_assert_no_error (error);
  first = ferry_test_daemon_transfer (f->daemon, first_path);
  g_assert_true (wait_reason (first, "retry", 30000));
  g_assert_cmpuint (ferry_transfer1_get_attempts (first), ==, 1);

  second_path = ferry_test_daemon_add (f->daemon, second_uri, in_session ("org.example.Two"),
                                       &error);
  g_assert_no_error (error);
  second = ferry_test_daemon_transfer (f->daemon, second_path);
  g_assert_true (wait_reason (second, "retry", 30000));
  g_assert_cmpint (ferry_transfer1_get_retry_at (second), ==,
                   ferry_transfer1_get_retry_at (first));
  g_assert_cmpuint (ferry_transfer1_get_attempts (second), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/manners/retry-after-holds-other-sessions", Fixture, NULL, fixture_setup,
              test_retry_after_holds_other_sessions, fixture_teardown);
  g_test_add ("/manners/429-shrinks-budget", Fixture, NULL, fixture_setup,
              test_429_shrinks_budget, fixture_teardown);
  g_test_add ("/manners/refused-holds-other-sessions", Fixture, NULL, fixture_setup_long_backoff,
              test_refused_holds_other_sessions, fixture_teardown);

  return g_test_run ();
}
