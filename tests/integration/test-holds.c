/* test-holds.c: what keeps ferryd running while it has work
 *
 * ferryd leaves after an inactivity timeout. An attempt that still runs after its transfer
 * was paused (the final check of a big file goes on to its end) is work: ferryd stays until
 * it has ended, and the transfer is then paused with its bytes, not lost with the process.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ferry-test-daemon.h"
#include "ferry-test-server.h"

/* Big enough that checking it outlasts the inactivity timeout below many times over. */
#define BIG_SIZE (256 * 1024 * 1024)

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
  /* A daemon that leaves 200 ms after it last had something to do. */
  g_setenv ("FERRY_INACTIVITY_TIMEOUT_MSEC", "200", TRUE);
  f->daemon = ferry_test_daemon_new ();
  g_unsetenv ("FERRY_INACTIVITY_TIMEOUT_MSEC");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_server_free);
}

typedef struct
{
  FerryTransfer1 *transfer;
  guint64 total;
} Checking;

/* Every byte arrived and the transfer is still running: it is checking the file. */
static gboolean
is_checking (gpointer user_data)
{
  Checking *c = user_data;

  return ferry_transfer1_get_bytes_done (c->transfer) == c->total &&
         g_strcmp0 (ferry_transfer1_get_state (c->transfer), "running") == 0;
}

static gboolean
nothing_running (gpointer user_data)
{
  return ferry_manager1_get_running (FERRY_MANAGER1 (user_data)) == 0;
}

/* ferryd's unique name on the bus now, or NULL while none runs (asked without starting
 * one). */
static char *
name_owner (Fixture *f)
{
  g_autoptr(GVariant) reply = NULL;
  char *owner = NULL;

  reply = g_dbus_connection_call_sync (f->daemon->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "GetNameOwner",
                                       g_variant_new ("(s)", "io.github.ferryhq.Ferry.Daemon"),
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(s)", &owner);
  return owner;
}

static void
test_pause_while_checking (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (BIG_SIZE, 91);
  g_autofree char *want = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, content);
  g_autofree char *final = g_build_filename (f->daemon->download_dir, "big.iso", NULL);
  g_autofree char *owner = NULL;
  g_autofree char *owner_after = NULL;
  g_autofree char *got = NULL;
  g_autoptr(FerryTransfer1) transfer = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict dict;
  Checking c;

  ferry_test_server_add_file (f->server, "/big.iso", content, "\"big\"");
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "sha256", "s", want);
  /* One connection: what the server sent is then the file, once. (Segments cut short send
   * a little more, which they throw away: test-segments.c's business, not this one's.) */
  g_variant_dict_insert (&dict, "connections", "u", 1);
  transfer = ferry_test_daemon_add_from (f->daemon, f->server, "/big.iso",
                                         g_variant_dict_end (&dict));
  owner = name_owner (f);
  g_assert_nonnull (owner);

  c.transfer = transfer;
  c.total = BIG_SIZE;
  g_assert_true (ferry_test_wait_until (is_checking, &c, 120000));
  g_assert_true (ferry_transfer1_call_pause_sync (transfer, NULL, &error));
  g_assert_no_error (error);

  /* The check runs to its end with the same ferryd, which then says paused. */
  g_assert_true (ferry_test_wait_until (nothing_running, f->daemon->manager, 120000));
  owner_after = name_owner (f);
  g_assert_cmpstr (owner_after, ==, owner);
  g_assert_cmpstr (ferry_transfer1_get_state (transfer), ==, "paused");
  g_assert_false (g_file_test (final, G_FILE_TEST_EXISTS));

  /* And Resume completes it with the bytes already on disk. */
  g_assert_true (ferry_transfer1_call_resume_sync (transfer, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (transfer, "completed", 120000));
  g_assert_cmpstr (ferry_transfer1_get_destination (transfer), ==, final);
  got = ferry_test_sha256_file (final);
  g_assert_cmpstr (got, ==, want);
  g_assert_cmpuint (ferry_test_server_get_bytes_sent (f->server), ==, BIG_SIZE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/holds/pause-while-checking", Fixture, NULL, fixture_setup,
              test_pause_while_checking, fixture_teardown);

  return g_test_run ();
}
