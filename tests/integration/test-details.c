/* test-details.c: what the details view is told — the address after redirects, each attempt
 * with its status, the validator a resume uses, the checksum's outcome — and the daemon's
 * sentences in each caller's language
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ferry-test-daemon.h"
#include "ferry-test-server.h"

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
assert_file_sha256 (FerryTransfer1 *t,
                    GBytes         *content)
{
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *got = ferry_test_sha256_file (ferry_transfer1_get_destination (t));

  g_assert_cmpstr (got, ==, want);
}

/* -- Facts ------------------------------------------------------------------------------- */

static void
test_final_uri (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (50000, 1);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autofree char *added = NULL;
  g_autofree char *final = NULL;

  ferry_test_server_add_file (f->server, "/mirror/real.bin", content, "\"m\"");
  ferry_test_server_add_redirect (f->server, "/latest", "/mirror/real.bin");
  t = add (f, "/latest", NULL);

  g_assert_true (ferry_test_wait_state (t, "completed", 30000));
  assert_file_sha256 (t, content);
  added = ferry_test_server_uri (f->server, "/latest");
  final = ferry_test_server_uri (f->server, "/mirror/real.bin");
  g_assert_cmpstr (ferry_transfer1_get_uri (t), ==, added);
  g_assert_cmpstr (ferry_transfer1_get_final_uri (t), ==, final);
}

static void
test_attempts (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (70000, 2);
  g_autoptr(FerryTransfer1) t = NULL;
  GVariant *log;
  gint64 started1, started2;
  guint status1, status2;
  guint64 bytes1, bytes2;
  const char *error1, *error2;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;

  ferry_test_server_add_file (f->server, "/busy", content, "\"b\"");
  ferry_test_server_queue_status (f->server, "/busy", 503, "1");
  t = add (f, "/busy", NULL);

  g_assert_true (ferry_test_wait_state (t, "completed", 30000));
  assert_file_sha256 (t, content);

  log = ferry_transfer1_get_attempt_log (t);
  g_assert_nonnull (log);
  g_test_message ("AttemptLog: %s", g_variant_print (log, TRUE));
  g_assert_cmpuint (g_variant_n_children (log), ==, 2);
  g_variant_get_child (log, 0, "(xut&s)", &started1, &status1, &bytes1, &error1);
  g_variant_get_child (log, 1, "(xut&s)", &started2, &status2, &bytes2, &error2);
  g_assert_cmpuint (status1, ==, 503);
  g_assert_cmpuint (bytes1, ==, 0);
  g_assert_nonnull (strstr (error1, "HTTP 503"));
  g_assert_cmpuint (status2, ==, 200);
  g_assert_cmpuint (bytes2, ==, g_bytes_get_size (content));
  g_assert_cmpstr (error2, ==, "");
  g_assert_cmpint (started1, >=, before);
  g_assert_cmpint (started2, >=, started1);
}

/* The log outlives a restart of the service: it is in the store. */
static void
test_attempts_persist (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (10000, 3);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(FerryTransfer1) again = NULL;
  g_autofree char *path = NULL;
  GVariant *log;
  guint status;

  ferry_test_server_add_file (f->server, "/gone", content, "\"g\"");
  ferry_test_server_queue_status (f->server, "/gone", 404, NULL);
  t = add (f, "/gone", NULL);
  g_assert_true (ferry_test_wait_state (t, "rejected", 30000));
  path = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (t)));

  ferry_test_daemon_kill (f->daemon);
  again = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_cmpstr (ferry_transfer1_get_state (again), ==, "rejected");
  log = ferry_transfer1_get_attempt_log (again);
  g_assert_cmpuint (g_variant_n_children (log), ==, 1);
  g_variant_get_child (log, 0, "(xuts)", NULL, &status, NULL, NULL);
  g_assert_cmpuint (status, ==, 404);
}

static void
test_checksum (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (120000, 4);
  g_autofree char *good = ferry_test_sha256_bytes (content);
  const char *wrong = "00000000000000000000000000000000000000000000000000000000000000ff";
  g_autoptr(FerryTransfer1) ok = NULL;
  g_autoptr(FerryTransfer1) bad = NULL;
  g_autoptr(FerryTransfer1) plain = NULL;
  GVariantDict dict;
  const char *result, *expected;

  ferry_test_server_add_file (f->server, "/checked", content, "\"c\"");

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "sha256", "s", good);
  g_variant_dict_insert (&dict, "filename", "s", "good.bin");
  ok = add (f, "/checked", g_variant_dict_end (&dict));
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "sha256", "s", wrong);
  g_variant_dict_insert (&dict, "filename", "s", "bad.bin");
  bad = add (f, "/checked", g_variant_dict_end (&dict));
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "filename", "s", "plain.bin");
  plain = add (f, "/checked", g_variant_dict_end (&dict));

  g_assert_true (ferry_test_wait_state (ok, "completed", 30000));
  g_assert_true (ferry_test_wait_state (bad, "failed", 30000));
  g_assert_true (ferry_test_wait_state (plain, "completed", 30000));
  assert_file_sha256 (ok, content);

  g_variant_get (ferry_transfer1_get_checksum_result (ok), "(&s&s)", &result, &expected);
  g_assert_cmpstr (result, ==, "verified");
  g_assert_cmpstr (expected, ==, good);
  g_variant_get (ferry_transfer1_get_checksum_result (bad), "(&s&s)", &result, &expected);
  g_assert_cmpstr (result, ==, "mismatch");
  g_assert_cmpstr (expected, ==, wrong);
  g_variant_get (ferry_transfer1_get_checksum_result (plain), "(&s&s)", &result, &expected);
  g_assert_cmpstr (result, ==, "none");
  g_assert_cmpstr (expected, ==, "");
}

static void
test_validator (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (2 * 1024 * 1024, 5);
  g_autoptr(FerryTransfer1) t = NULL;

  ferry_test_server_add_file (f->server, "/big", content, "\"v-42\"");
  ferry_test_server_set_throttle (f->server, "/big", 512 * 1024);
  t = add (f, "/big", NULL);

  /* While it runs, the validator a resume would use is the server's ETag. */
  g_assert_true (ferry_test_wait_bytes (t, 1, 30000));
  g_assert_cmpstr (ferry_transfer1_get_validator (t), ==, "\"v-42\"");
  g_assert_true (ferry_test_wait_state (t, "completed", 60000));
  assert_file_sha256 (t, content);
  g_assert_cmpstr (ferry_transfer1_get_validator (t), ==, "\"v-42\"");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, fn) g_test_add (name, Fixture, NULL, fixture_setup, fn, fixture_teardown)

  ADD ("/details/final-uri", test_final_uri);
  ADD ("/details/attempts", test_attempts);
  ADD ("/details/attempts-persist", test_attempts_persist);
  ADD ("/details/checksum", test_checksum);
  ADD ("/details/validator", test_validator);

#undef ADD

  return g_test_run ();
}
