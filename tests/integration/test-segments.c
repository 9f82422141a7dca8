/* test-segments.c: a large file over several connections — nginx with a per-connection
 * limit_rate, and the suite's own server where it has to misbehave
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "ferry-test-daemon.h"
#include "ferry-test-nginx.h"
#include "ferry-test-server.h"

#define MiB (1024 * 1024)

typedef struct
{
  FerryTestDaemon *daemon;
  FerryTestServer *server;
  FerryTestNginx *nginx;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  /* nginx logs which connection served each request, when it ended and how long it took:
   * enough to count connections and how many were open at once. */
  FerryTestNginxConfig config = {
    .log_format = "$connection $msec $request_time $status \"$http_range\" "
                  "\"$http_if_range\" $body_bytes_sent",
    /* As a CDN caps each connection */
    .server = "    location /capped/ { limit_rate 8m; }",
    .connections = 256,
  };

  ferry_test_write_settings (data != NULL ? data : "max-per-host=8\n");
  f->nginx = ferry_test_nginx_start (&config);
  f->server = ferry_test_server_new ();
  f->daemon = ferry_test_daemon_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_server_free);
  g_clear_pointer (&f->nginx, ferry_test_nginx_stop);
}

static gboolean
need_nginx (Fixture *f)
{
  if (f->nginx != NULL)
    return TRUE;
  g_test_skip ("nginx is not installed (FERRY_NGINX)");
  return FALSE;
}

static FerryTransfer1 *
add_nginx (Fixture    *f,
           const char *name,
           GVariant   *options)
{
  g_autofree char *uri = ferry_test_nginx_uri (f->nginx, name);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ferry_test_daemon_add (f->daemon, uri, options, &error);

  g_assert_no_error (error);
  return ferry_test_daemon_transfer (f->daemon, path);
}

static GVariant *
connections_option (guint connections)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "connections", "u", connections);
  return g_variant_dict_end (&dict);
}

static void
assert_file (FerryTransfer1 *t,
             GBytes         *content)
{
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *got = ferry_test_sha256_file (ferry_transfer1_get_destination (t));

  g_assert_cmpstr (got, ==, want);
}

static void
assert_completed (FerryTransfer1 *t,
                  guint           timeout_ms)
{
  if (!ferry_test_wait_state (t, "completed", timeout_ms))
    g_error ("The download did not complete: %s (%s)", ferry_transfer1_get_state (t),
             ferry_transfer1_get_error (t));
}

/* -- What nginx saw ---------------------------------------------------------------------- */

typedef struct
{
  guint64 connection;
  double start;
  double end;
  guint status;
  char *range;
} Served;

static void
served_free (Served *s)
{
  g_free (s->range);
  g_free (s);
}

static GPtrArray *
read_access_log (Fixture *f)
{
  GPtrArray *served = g_ptr_array_new_with_free_func ((GDestroyNotify) served_free);
  g_autofree char *log = ferry_test_nginx_read_log (f->nginx);
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 5);
      Served *s;

      if (g_strv_length (fields) < 5)
        continue;
      s = g_new0 (Served, 1);
      s->connection = g_ascii_strtoull (fields[0], NULL, 10);
      s->end = g_ascii_strtod (fields[1], NULL);
      s->start = s->end - g_ascii_strtod (fields[2], NULL);
      s->status = (guint) g_ascii_strtoull (fields[3], NULL, 10);
      s->range = g_strdup (fields[4]);
      g_ptr_array_add (served, s);
    }
  return served;
}

static guint
count_connections (GPtrArray *served)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = 0; i < served->len; i++)
    {
      Served *s = g_ptr_array_index (served, i);

      g_hash_table_add (seen, &s->connection);
    }
  return g_hash_table_size (seen);
}

/* The most connections nginx was answering on at one moment. One connection's requests
 * follow each other: nginx's times are in milliseconds, so the next may seem to begin before
 * the last ended, and each connection counts once. */
static guint
max_simultaneous (GPtrArray *served)
{
  guint most = 0;

  for (guint i = 0; i < served->len; i++)
    {
      Served *a = g_ptr_array_index (served, i);
      g_autoptr(GHashTable) open = g_hash_table_new (g_int64_hash, g_int64_equal);

      for (guint j = 0; j < served->len; j++)
        {
          Served *b = g_ptr_array_index (served, j);

          /* b was open when a began */
          if (b->start <= a->start && a->start < b->end)
            g_hash_table_add (open, &b->connection);
        }
      most = MAX (most, g_hash_table_size (open));
    }
  return most;
}

/* -- Cases ------------------------------------------------------------------------------- */

/* The disk fills while several connections write: the segments stop with the full disk's
 * sentence, what reached the file before is kept, and with space back the file is exact. */
static void
test_disk_full (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *mountpoint = g_build_filename (g_get_user_data_dir (), "small-disk", NULL);
  g_autofree char *grow_cmd = NULL;
  g_autofree char *umount_cmd = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) served = NULL;
  GVariantDict dict;
  int status = -1;

  if (!need_nginx (f))
    return;
  umount_cmd = ferry_test_mount_small_tmpfs (mountpoint, "12m");
  if (umount_cmd == NULL)
    return;

  content = ferry_test_nginx_publish (f->nginx, "capped/full.iso", 32 * MiB, 75);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "destination", "s", mountpoint);
  t = add_nginx (f, "capped/full.iso", g_variant_dict_end (&dict));

  if (!ferry_test_wait_state (t, "waiting", 30000))
    g_error ("The full disk did not stop the download: %s (%s), %" G_GUINT64_FORMAT " bytes",
             ferry_transfer1_get_state (t), ferry_transfer1_get_error (t),
             ferry_transfer1_get_bytes_done (t));
  g_assert_cmpstr (ferry_transfer1_get_wait_reasons (t)[0], ==, "disk-space");
  g_assert_nonnull (strstr (ferry_transfer1_get_error (t), "disk is full"));
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (t), >, 0);
  served = read_access_log (f);
  g_assert_cmpuint (count_connections (served), >, 1);

  grow_cmd = g_strdup_printf ("mount -o remount,size=64m '%s'", mountpoint);
  g_assert_true (g_spawn_command_line_sync (grow_cmd, NULL, NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  assert_completed (t, 60000);
  assert_file (t, content);

  g_spawn_command_line_sync (umount_cmd, NULL, NULL, NULL, NULL);
}

/* A file system that takes O_DIRECT at open but refuses every such write
 * (tests/lib/ferry-test-eio.c): each segment's writer goes on through the page cache. */
static void
direct_refused_setup (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (g_get_user_runtime_dir (), "eio", NULL);

  g_setenv ("FERRY_TEST_NO_DIRECT", "write", TRUE);
  ferry_test_preload_shim_begin (dir);
  fixture_setup (f, data);
  ferry_test_preload_shim_end ();
  g_unsetenv ("FERRY_TEST_NO_DIRECT");
}

static void
test_direct_refused (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) content = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) served = NULL;
  g_autofree char *refused = g_build_filename (g_get_user_runtime_dir (), "eio", "refused",
                                               NULL);

  if (!need_nginx (f))
    return;

  content = ferry_test_nginx_publish (f->nginx, "capped/refused.iso", 40 * MiB + 4321, 73);
  t = add_nginx (f, "capped/refused.iso", NULL);
  assert_completed (t, 60000);
  assert_file (t, content);

  served = read_access_log (f);
  g_assert_cmpuint (count_connections (served), >, 1);
  g_assert_true (g_file_test (refused, G_FILE_TEST_EXISTS));
}

/* One connection is capped at 8 MB/s: Ferry opens more, and the bytes are the file's. */
static void
test_nginx_split (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) content = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) served = NULL;
  guint whole = 0;

  if (!need_nginx (f))
    return;

  content = ferry_test_nginx_publish (f->nginx, "capped/big.iso", 64 * MiB, 71);
  t = add_nginx (f, "capped/big.iso", NULL);
  assert_completed (t, 60000);
  assert_file (t, content);

  served = read_access_log (f);
  g_assert_cmpuint (count_connections (served), >, 1);
  g_assert_cmpuint (max_simultaneous (served), >, 1);
  g_assert_cmpuint (max_simultaneous (served), <=, 8);
  /* One request for the whole file; every other asks a range, re-validated with the ETag. */
  for (guint i = 0; i < served->len; i++)
    {
      Served *s = g_ptr_array_index (served, i);

      if (g_str_has_prefix (s->range, "\"-\""))
        whole++;
      else
        g_assert_true (g_str_has_prefix (s->range, "\"bytes=") && strstr (s->range, "\"-\"") == NULL);
    }
  g_assert_cmpuint (whole, ==, 1);
}

/* max-per-host counts connections, at the server. */
static void
test_max_per_host (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) content = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) served = NULL;

  if (!need_nginx (f))
    return;

  content = ferry_test_nginx_publish (f->nginx, "capped/budget.iso", 48 * MiB, 72);
  t = add_nginx (f, "capped/budget.iso", NULL);
  assert_completed (t, 60000);
  assert_file (t, content);

  served = read_access_log (f);
  g_assert_cmpuint (max_simultaneous (served), >, 1);
  g_assert_cmpuint (max_simultaneous (served), <=, 3);
}

/* connections=1: one GET, as before segments. */
static void
test_one_connection (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) content = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) served = NULL;

  if (!need_nginx (f))
    return;

  content = ferry_test_nginx_publish (f->nginx, "capped/single.iso", 24 * MiB, 73);
  t = add_nginx (f, "capped/single.iso", connections_option (1));
  assert_completed (t, 60000);
  assert_file (t, content);

  served = read_access_log (f);
  g_assert_cmpuint (served->len, ==, 1);
  g_assert_cmpuint (count_connections (served), ==, 1);
}

/* A server without ranges: one request, one connection. */
static void
test_no_ranges (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (24 * MiB, 74);
  g_autoptr(FerryTransfer1) t = NULL;

  ferry_test_server_add_file (f->server, "/plain.bin", content, "\"p1\"");
  ferry_test_server_set_ranges (f->server, "/plain.bin", FALSE);
  ferry_test_server_set_throttle (f->server, "/plain.bin", 12 * MiB);
  t = ferry_test_daemon_add_from (f->daemon, f->server, "/plain.bin", NULL);
  assert_completed (t, 60000);
  assert_file (t, content);
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/plain.bin"), ==, 1);
  g_assert_cmpuint (ferry_test_server_get_max_in_flight (f->server), ==, 1);
}

typedef struct
{
  FerryTestServer *server;
  const char *path;
  guint at_least;
} CountWait;

static gboolean
in_flight_reaches (gpointer user_data)
{
  CountWait *w = user_data;

  return ferry_test_server_get_in_flight (w->server) >= w->at_least;
}

static gboolean
requests_reach (gpointer user_data)
{
  CountWait *w = user_data;

  return ferry_test_server_count_requests (w->server, w->path) >= w->at_least;
}

/* The file changes on the server between segments: the segment's If-Range fails, and the
 * download starts over and ends as the new file, with nothing of the old one. */
static void
test_changed_between_segments (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GBytes) old_content = ferry_test_make_content (32 * MiB, 75);
  g_autoptr(GBytes) new_content = ferry_test_make_content (32 * MiB, 76);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  CountWait w = { f->server, "/changing.bin", 2 };
  gboolean restarted = FALSE;

  ferry_test_server_add_file (f->server, "/changing.bin", old_content, "\"old\"");
  ferry_test_server_set_throttle (f->server, "/changing.bin", 4 * MiB);
  t = ferry_test_daemon_add_from (f->daemon, f->server, "/changing.bin", NULL);

  /* The second request is the first segment's: the file changes while they run. */
  g_assert_true (ferry_test_wait_until (requests_reach, &w, 30000));
  ferry_test_server_set_content (f->server, "/changing.bin", new_content, "\"new\"");
  ferry_test_server_set_throttle (f->server, "/changing.bin", 0);

  assert_completed (t, 60000);
  assert_file (t, new_content);

  /* Some request asked a range with the old validator and was answered with the whole
   * new file; a request without a range then started over. */
  requests = ferry_test_server_get_requests (f->server, "/changing.bin");
  for (guint i = 1; i < requests->len; i++)
    {
      FerryTestRequest *r = g_ptr_array_index (requests, i);

      if (r->range == NULL && r->status == 200)
        restarted = TRUE;
      if (r->range != NULL)
        g_assert_nonnull (r->if_range);
    }
  g_assert_true (restarted);
}

/* A 429 on one segment: that connection goes, the budget shrinks, the others finish. */
static void
test_429_backs_off (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (24 * MiB, 77);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  CountWait w = { f->server, "/busy.bin", 3 };
  guint throttled_at = G_MAXUINT;
  guint after = 0;

  ferry_test_server_add_file (f->server, "/busy.bin", content, "\"b\"");
  ferry_test_server_set_throttle (f->server, "/busy.bin", 4 * MiB);
  t = ferry_test_daemon_add_from (f->daemon, f->server, "/busy.bin", connections_option (4));

  g_assert_true (ferry_test_wait_until (in_flight_reaches, &w, 30000));
  ferry_test_server_queue_status (f->server, "/busy.bin", 429, "1");

  assert_completed (t, 60000);
  assert_file (t, content);

  requests = ferry_test_server_get_requests (f->server, "/busy.bin");
  for (guint i = 0; i < requests->len; i++)
    {
      FerryTestRequest *r = g_ptr_array_index (requests, i);

      g_test_message ("request %u: %s, %u, %u in flight", i, r->range, r->status,
                      ferry_test_server_get_in_flight_at (f->server, "/busy.bin", i));
      if (r->status == 429)
        throttled_at = i;
      else if (i > throttled_at)
        {
          /* Halved from the connections open at the 429 (at least 3, at most 4). */
          g_assert_cmpuint (ferry_test_server_get_in_flight_at (f->server, "/busy.bin", i),
                            <=, 2);
          after++;
        }
    }
  g_assert_cmpuint (throttled_at, !=, G_MAXUINT);
  g_assert_cmpuint (ferry_test_server_get_max_in_flight (f->server), <=, 4);
  g_assert_cmpuint (ferry_test_server_get_max_in_flight (f->server), >=, 3);
  /* The 429's bytes were fetched again by the others. */
  g_assert_cmpuint (after, >, 0);
}

/* -- kill -9 with segments in flight ------------------------------------------------------ */

/* Runs @sql on the store with Debian's Python; its first column's first row, or NULL. */
static char *
query_store (const char *sql)
{
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR, "ferry.db",
                                          NULL);
  const char *argv[] = {
    "/usr/bin/python3", "-c",
    "import sqlite3, sys\n"
    "c = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True, timeout=5)\n"
    "row = c.execute(sys.argv[2]).fetchone()\n"
    "print(row[0] if row and row[0] is not None else '')\n",
    db, sql, NULL
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status;

  if (!g_file_test (db, G_FILE_TEST_EXISTS))
    return NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, &out, NULL, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    return NULL;
  g_strstrip (out);
  return out[0] != '\0' ? g_steal_pointer (&out) : NULL;
}

typedef struct
{
  gint64 last_look;
  guint ranges;
} StoreWait;

/* The store records at least this many durable ranges (looked at five times a second). */
static gboolean
store_has_ranges (gpointer user_data)
{
  StoreWait *w = user_data;
  g_autofree char *segments = NULL;

  if (g_get_monotonic_time () - w->last_look < G_USEC_PER_SEC / 5)
    return FALSE;
  w->last_look = g_get_monotonic_time ();
  segments = query_store ("SELECT segments FROM transfers");
  if (segments == NULL)
    return FALSE;
  {
    g_auto(GStrv) parts = g_strsplit (segments, ",", -1);

    return g_strv_length (parts) >= w->ranges;
  }
}

static void
test_kill_resumes_each_segment (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (48 * MiB, 78);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *segments = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) ranges = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  StoreWait sw = { 0, 2 };
  guint before;
  guint resumed = 0;

  ferry_test_server_add_file (f->server, "/crash.bin", content, "\"c\"");
  ferry_test_server_set_throttle (f->server, "/crash.bin", 3 * MiB);
  t = ferry_test_daemon_add_from (f->daemon, f->server, "/crash.bin", NULL);
  path = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (t)));

  /* Several segments have bytes on disk, recorded: then the power goes. */
  g_assert_true (ferry_test_wait_until (store_has_ranges, &sw, 30000));
  ferry_test_daemon_kill (f->daemon);
  segments = query_store ("SELECT segments FROM transfers");
  g_assert_nonnull (segments);
  g_test_message ("durable ranges at the kill: %s", segments);
  before = ferry_test_server_count_requests (f->server, "/crash.bin");
  ferry_test_server_set_throttle (f->server, "/crash.bin", 8 * MiB);

  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL,
                                                          &error));
  g_assert_no_error (error);
  g_clear_object (&t);
  t = ferry_test_daemon_transfer (f->daemon, path);
  assert_completed (t, 60000);
  assert_file (t, content);

  /* Each durable range that ends before the file does is continued exactly where it ends;
   * nothing after the restart asks from zero. */
  requests = ferry_test_server_get_requests (f->server, "/crash.bin");
  ranges = g_strsplit (segments, ",", -1);
  g_assert_cmpuint (g_strv_length (ranges), >=, 2);
  for (guint i = 0; ranges[i] != NULL; i++)
    {
      guint64 end = g_ascii_strtoull (strchr (ranges[i], '-') + 1, NULL, 10);
      g_autofree char *want = g_strdup_printf ("bytes=%" G_GUINT64_FORMAT "-", end);
      gboolean found = FALSE;

      if (end >= 48 * MiB)
        continue;
      for (guint j = before; j < requests->len; j++)
        {
          FerryTestRequest *r = g_ptr_array_index (requests, j);

          if (r->range != NULL && g_str_has_prefix (r->range, want))
            found = TRUE;
        }
      g_assert_true (found);
      resumed++;
    }
  g_assert_cmpuint (resumed, >=, 2);
  for (guint j = before; j < requests->len; j++)
    {
      FerryTestRequest *r = g_ptr_array_index (requests, j);

      g_assert_nonnull (r->range);
      g_assert_false (g_str_has_prefix (r->range, "bytes=0-"));
      g_assert_cmpstr (r->if_range, ==, "\"c\"");
    }
}

/* Two downloads from one server: the first has every connection max-per-host allows, and
 * the second is not kept waiting until the first ends: the first gives one back at the end
 * of a piece, and the two never hold more than the setting between them. */
static void
test_shares_the_server (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) big = ferry_test_make_content (160 * MiB, 78);
  g_autoptr(GBytes) small = ferry_test_make_content (2 * MiB, 79);
  g_autoptr(FerryTransfer1) first = NULL;
  g_autoptr(FerryTransfer1) second = NULL;
  CountWait w = { f->server, "/big.bin", 3 };

  ferry_test_server_add_file (f->server, "/big.bin", big, "\"big\"");
  ferry_test_server_set_throttle (f->server, "/big.bin", 2 * MiB);
  ferry_test_server_add_file (f->server, "/small.bin", small, "\"small\"");
  first = ferry_test_daemon_add_from (f->daemon, f->server, "/big.bin", NULL);
  g_assert_true (ferry_test_wait_until (in_flight_reaches, &w, 30000));

  second = ferry_test_daemon_add_from (f->daemon, f->server, "/small.bin", NULL);
  assert_completed (second, 60000);
  assert_file (second, small);
  /* At 2 MiB/s on each of three connections the first needs about 27 s; the second came in
   * when one of its pieces (16 MiB at the most: 8 s) ended. */
  g_assert_cmpstr (ferry_transfer1_get_state (first), ==, "running");
  g_assert_cmpuint (ferry_test_server_get_max_in_flight (f->server), <=, 3);

  /* Its bytes are the other cases' business: it need not run on for 20 s more. */
  g_assert_true (ferry_transfer1_call_cancel_sync (first, NULL, NULL));
}

/* ferryctl add --connections: 1 keeps one connection to the server; a number past 64 is
 * refused in words before anything is added. */
static void
test_ferryctl_connections (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (24 * MiB, 80);
  g_autofree char *uri = NULL;
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *saved = NULL;
  g_autofree char *got = NULL;
  FerryTestRun r = { 0 };

  ferry_test_server_add_file (f->server, "/one.bin", content, "\"one\"");
  ferry_test_server_set_throttle (f->server, "/one.bin", 8 * MiB);
  uri = ferry_test_server_uri (f->server, "/one.bin");

  {
    const char *argv[] = { g_getenv ("FERRY_CTL"), "add", "--connections", "99", uri, NULL };
    g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                     G_SUBPROCESS_FLAGS_STDERR_PIPE, NULL);

    ferry_test_run_finish (proc, &r);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "--connections takes a number from 1 to 64"));
    g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/one.bin"), ==, 0);
    ferry_test_run_clear (&r);
  }
  {
    const char *argv[] = { g_getenv ("FERRY_CTL"), "add", "--connections", "1", "--wait",
                           "--to", f->daemon->download_dir, uri, NULL };
    g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                     G_SUBPROCESS_FLAGS_STDERR_PIPE, NULL);

    ferry_test_run_finish (proc, &r);
    g_assert_cmpint (r.status, ==, 0);
    ferry_test_run_clear (&r);
  }
  saved = g_build_filename (f->daemon->download_dir, "one.bin", NULL);
  got = ferry_test_sha256_file (saved);
  g_assert_cmpstr (got, ==, want);
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/one.bin"), ==, 1);
  g_assert_cmpuint (ferry_test_server_get_max_in_flight (f->server), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, settings, func) \
  g_test_add (name, Fixture, settings, fixture_setup, func, fixture_teardown)
  ADD ("/segments/nginx-split", NULL, test_nginx_split);
  ADD ("/segments/max-per-host", "max-per-host=3\n", test_max_per_host);
  ADD ("/segments/one-connection", NULL, test_one_connection);
  ADD ("/segments/no-ranges", NULL, test_no_ranges);
  ADD ("/segments/changed-between-segments", NULL, test_changed_between_segments);
  ADD ("/segments/429-backs-off", NULL, test_429_backs_off);
  ADD ("/segments/kill-resumes-each-segment", NULL, test_kill_resumes_each_segment);
  ADD ("/segments/shares-the-server", "max-per-host=3\n", test_shares_the_server);
  ADD ("/segments/ferryctl-connections", NULL, test_ferryctl_connections);
  ADD ("/segments/disk-full", NULL, test_disk_full);
  g_test_add ("/segments/direct-refused", Fixture, NULL, direct_refused_setup,
              test_direct_refused, fixture_teardown);

  return g_test_run ();
}
