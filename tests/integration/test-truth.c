/* test-truth.c: "completed" only with the server's whole, real file, and links that go stale
 *
 * The real ferryd on a private bus against servers that end bodies early in the ways real
 * ones do: a 206 that covers part of the file, a chunked body cut behind nginx, a body with
 * no length from a server without ranges, an expired link's web page, a signed redirect
 * target that expired, a writeback error, and certificates that are not right. Each test
 * asserts what a user sees: the bytes on disk and their sha256, State, WaitReasons, Error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ferry-test-daemon.h"
#include "ferry-test-listener.h"
#include "ferry-test-nginx.h"
#include "ferry-test-server.h"

#define MiB (1024 * 1024)
#define WAIT_MS 30000

/* -- A server whose every address can be scripted --------------------------------------- */

typedef enum
{
  ROUTE_FILE,       /* the file, with Range, If-Range and 416 */
  ROUTE_PARTIAL,    /* a request without Range gets 206 for the first bytes only */
  ROUTE_PAGE,       /* 200 text/html, a short page, no validator */
  ROUTE_STATUS,     /* a bare status */
  ROUTE_REDIRECT,   /* 302 to target */
} RouteKind;

typedef struct
{
  RouteKind kind;
  GBytes *content;
  char *etag;
  guint64 throttle;     /* bytes per second, 0 for full speed */
  guint64 partial;      /* ROUTE_PARTIAL: bytes in the first answer */
  gboolean hide_total;  /* ROUTE_PARTIAL: that answer gives no total ("bytes 0-E/" and a star) */
  gboolean chunked;     /* a 200 is sent chunked, without Content-Length */
  gboolean bare_416;    /* a 416 has no Content-Range, as lighttpd's */
  guint64 drop_after;   /* close the connection after this much of the body... */
  guint drop_times;     /* ...this many times */
  guint status;
  char *target;
} Route;

typedef struct
{
  char *target;
  char *range;
  char *if_range;
  guint status;
} Request;

typedef struct
{
  FerryTestListener *listener;
  GMutex mutex;
  GHashTable *routes;     /* request target (path and query) → Route */
  GPtrArray *requests;    /* of Request, every one */
  guint in_flight;
} Server;

static void
route_free (Route *route)
{
  g_clear_pointer (&route->content, g_bytes_unref);
  g_free (route->etag);
  g_free (route->target);
  g_free (route);
}

static void
request_free (Request *request)
{
  g_free (request->target);
  g_free (request->range);
  g_free (request->if_range);
  g_free (request);
}

static gboolean
write_str (GOutputStream *out,
           const char    *str)
{
  return g_output_stream_write_all (out, str, strlen (str), NULL, NULL, NULL);
}

static gboolean
serve (Server        *server,
       GOutputStream *out,
       Route         *route,
       const char    *range,
       const char    *if_range,
       Request       *record)
{
  gsize length = route->content ? g_bytes_get_size (route->content) : 0;
  const guint8 *data = route->content ? g_bytes_get_data (route->content, NULL) : NULL;
  g_autofree char *head = NULL;
  g_autofree char *etag_header = route->etag ? g_strdup_printf ("ETag: %s\r\n", route->etag)
                                             : g_strdup ("");
  guint64 start = 0, end = length - 1, drop = 0;
  gboolean ranged = FALSE;
  g_autofree char *total = g_strdup_printf ("%zu", length);

  switch (route->kind)
    {
    case ROUTE_PAGE:
      {
        const char *page = "<html><body><h1>This link has expired</h1></body></html>\n";

        record->status = 200;
        head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                "Content-Length: %zu\r\n\r\n%s", strlen (page), page);
        return write_str (out, head);
      }

    case ROUTE_STATUS:
      record->status = route->status;
      head = g_strdup_printf ("HTTP/1.1 %u Refused\r\nContent-Type: text/html\r\n"
                              "Content-Length: 0\r\n\r\n", route->status);
      return write_str (out, head);

    case ROUTE_REDIRECT:
      record->status = 302;
      head = g_strdup_printf ("HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n",
                              route->target);
      return write_str (out, head);

    case ROUTE_PARTIAL:
      if (range == NULL)
        {
          ranged = TRUE;
          end = route->partial - 1;
          if (route->hide_total)
            {
              g_free (total);
              total = g_strdup ("*");
            }
        }
      break;

    case ROUTE_FILE:
    default:
      break;
    }

  if (range != NULL && g_str_has_prefix (range, "bytes=") &&
      (if_range == NULL || g_strcmp0 (if_range, route->etag) == 0))
    {
      start = g_ascii_strtoull (range + 6, NULL, 10);
      if (start >= length)
        {
          g_autofree char *content_range = route->bare_416
                                           ? g_strdup ("")
                                           : g_strdup_printf ("Content-Range: bytes */%zu\r\n",
                                                              length);

          record->status = 416;
          head = g_strdup_printf ("HTTP/1.1 416 Range Not Satisfiable\r\n"
                                  "%s%sContent-Length: 0\r\n\r\n", content_range, etag_header);
          return write_str (out, head);
        }
      ranged = TRUE;
    }

  g_mutex_lock (&server->mutex);
  if (route->drop_times > 0)
    {
      route->drop_times--;
      drop = route->drop_after;
    }
  g_mutex_unlock (&server->mutex);

  record->status = ranged ? 206 : 200;
  if (ranged)
    head = g_strdup_printf ("HTTP/1.1 206 Partial Content\r\n"
                            "Content-Type: application/octet-stream\r\n%s"
                            "Content-Range: bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                            "/%s\r\nContent-Length: %" G_GUINT64_FORMAT "\r\n%s\r\n",
                            etag_header, start, end, total, end - start + 1,
                            drop ? "Connection: close\r\n" : "");
  else if (route->chunked)
    head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n%s"
                            "Accept-Ranges: bytes\r\nTransfer-Encoding: chunked\r\n%s\r\n",
                            etag_header, drop ? "Connection: close\r\n" : "");
  else
    head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n%s"
                            "Accept-Ranges: bytes\r\nContent-Length: %zu\r\n%s\r\n",
                            etag_header, length, drop ? "Connection: close\r\n" : "");
  if (!write_str (out, head))
    return FALSE;

  for (guint64 pos = start, sent = 0; pos <= end;)
    {
      gsize chunk = (gsize) MIN (end - pos + 1, 16 * 1024);

      if (drop > 0 && sent + chunk > drop)
        chunk = (gsize) (drop - sent);
      if (chunk > 0 && !ranged && route->chunked)
        {
          g_autofree char *size_line = g_strdup_printf ("%zx\r\n", chunk);

          if (!write_str (out, size_line) ||
              !g_output_stream_write_all (out, data + pos, chunk, NULL, NULL, NULL) ||
              !write_str (out, "\r\n"))
            return FALSE;
        }
      else if (chunk > 0 && !g_output_stream_write_all (out, data + pos, chunk, NULL, NULL, NULL))
        return FALSE;
      pos += chunk;
      sent += chunk;
      /* Cut between chunks: the connection closes without the last, empty chunk. */
      if (drop > 0 && sent >= drop)
        return FALSE;
      if (ferry_test_listener_is_stopping (server->listener))
        return FALSE;
      if (route->throttle > 0)
        g_usleep ((gulong) (chunk * G_USEC_PER_SEC / route->throttle));
    }

  if (!ranged && route->chunked)
    return write_str (out, "0\r\n\r\n");
  return TRUE;
}

static gboolean
on_request (GInputStream  *in,
            GOutputStream *out,
            GStrv          parts,
            GHashTable    *headers,
            gpointer       user_data)
{
  Server *server = user_data;
  Request *record = g_new0 (Request, 1);
  Route copy = { 0 };
  Route *route;
  gboolean ok;

  record->target = g_strdup (parts[1]);
  record->range = g_strdup (g_hash_table_lookup (headers, "range"));
  record->if_range = g_strdup (g_hash_table_lookup (headers, "if-range"));

  g_mutex_lock (&server->mutex);
  g_ptr_array_add (server->requests, record);
  route = g_hash_table_lookup (server->routes, parts[1]);
  if (route != NULL)
    {
      copy = *route;
      copy.content = route->content ? g_bytes_ref (route->content) : NULL;
      copy.etag = g_strdup (route->etag);
      copy.target = g_strdup (route->target);
      /* The drop count lives in the shared route; the copy keeps the rest stable. */
      copy.drop_times = route->drop_times > 0 ? 1 : 0;
      if (route->drop_times > 0)
        route->drop_times--;
    }
  server->in_flight++;
  g_mutex_unlock (&server->mutex);

  if (route == NULL)
    {
      record->status = 404;
      ok = write_str (out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    }
  else
    {
      ok = serve (server, out, &copy, record->range, record->if_range, record);
      g_clear_pointer (&copy.content, g_bytes_unref);
      g_free (copy.etag);
      g_free (copy.target);
    }

  g_mutex_lock (&server->mutex);
  server->in_flight--;
  g_mutex_unlock (&server->mutex);
  return ok;
}

static Server *
server_new (void)
{
  Server *server = g_new0 (Server, 1);

  g_mutex_init (&server->mutex);
  server->routes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) route_free);
  server->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
  server->listener = ferry_test_listener_new (16, on_request, server);
  return server;
}

static void
server_free (Server *server)
{
  if (!ferry_test_listener_free (server->listener, "Scripted server"))
    return;
  g_hash_table_unref (server->routes);
  g_ptr_array_unref (server->requests);
  g_mutex_clear (&server->mutex);
  g_free (server);
}

static char *
server_uri (Server     *server,
            const char *target)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s",
                          ferry_test_listener_get_port (server->listener), target);
}

/* Sets what @target answers from now on; @content and the strings are copied. */
static Route *
server_route (Server     *server,
              const char *target,
              RouteKind   kind,
              GBytes     *content,
              const char *etag)
{
  Route *route = g_new0 (Route, 1);

  route->kind = kind;
  route->content = content ? g_bytes_ref (content) : NULL;
  route->etag = g_strdup (etag);
  g_mutex_lock (&server->mutex);
  g_hash_table_replace (server->routes, g_strdup (target), route);
  g_mutex_unlock (&server->mutex);
  return route;
}

static void
server_redirect (Server     *server,
                 const char *target,
                 const char *to)
{
  g_autofree char *location = server_uri (server, to);
  Route *route = server_route (server, target, ROUTE_REDIRECT, NULL, NULL);

  g_mutex_lock (&server->mutex);
  route->target = g_steal_pointer (&location);
  g_mutex_unlock (&server->mutex);
}

static void
server_status (Server     *server,
               const char *target,
               guint       status)
{
  Route *route = server_route (server, target, ROUTE_STATUS, NULL, NULL);

  g_mutex_lock (&server->mutex);
  route->status = status;
  g_mutex_unlock (&server->mutex);
}

/* Copies of the requests for @target, in order. */
static GPtrArray *
server_requests (Server     *server,
                 const char *target)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);

  g_mutex_lock (&server->mutex);
  for (guint i = 0; i < server->requests->len; i++)
    {
      Request *r = g_ptr_array_index (server->requests, i);
      Request *copy;

      if (g_strcmp0 (r->target, target) != 0)
        continue;
      copy = g_new0 (Request, 1);
      copy->target = g_strdup (r->target);
      copy->range = g_strdup (r->range);
      copy->if_range = g_strdup (r->if_range);
      copy->status = r->status;
      g_ptr_array_add (out, copy);
    }
  g_mutex_unlock (&server->mutex);
  return out;
}

static guint
server_count (Server     *server,
              const char *target)
{
  g_autoptr(GPtrArray) requests = server_requests (server, target);

  return requests->len;
}

static gboolean
server_idle (gpointer user_data)
{
  Server *server = user_data;
  gboolean idle;

  g_mutex_lock (&server->mutex);
  idle = server->in_flight == 0;
  g_mutex_unlock (&server->mutex);
  return idle;
}

/* -- Fixture ----------------------------------------------------------------------------- */

typedef struct
{
  FerryTestDaemon *daemon;
  Server *server;
  char *eio_dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = server_new ();
  f->daemon = ferry_test_daemon_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, server_free);
  g_free (f->eio_dir);
}

static FerryTransfer1 *
add_uri (Fixture    *f,
         const char *uri,
         GVariant   *options)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ferry_test_daemon_add (f->daemon, uri, options, &error);

  g_assert_no_error (error);
  return ferry_test_daemon_transfer (f->daemon, path);
}

static FerryTransfer1 *
add (Fixture    *f,
     const char *target,
     GVariant   *options)
{
  g_autofree char *uri = server_uri (f->server, target);

  return add_uri (f, uri, options);
}

static void
assert_file_is (const char *path,
                GBytes     *expected)
{
  g_autofree char *actual = ferry_test_sha256_file (path);
  g_autofree char *want = ferry_test_sha256_bytes (expected);

  g_assert_nonnull (actual);
  g_assert_cmpstr (actual, ==, want);
}

static char *
partial_file (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".part"))
      return g_build_filename (dir, name, NULL);
  return NULL;
}

static gboolean
has_reason (FerryTransfer1 *t,
            const char     *reason)
{
  const char *const *reasons = ferry_transfer1_get_wait_reasons (t);

  return g_strcmp0 (ferry_transfer1_get_state (t), "waiting") == 0 && reasons != NULL &&
         g_strv_contains (reasons, reason);
}

typedef struct
{
  FerryTransfer1 *t;
  const char *reason;
} ReasonWait;

static gboolean
reason_holds (gpointer user_data)
{
  ReasonWait *w = user_data;

  return has_reason (w->t, w->reason);
}

static gboolean
wait_reason (FerryTransfer1 *t,
             const char     *reason)
{
  ReasonWait w = { t, reason };

  return ferry_test_wait_until (reason_holds, &w, WAIT_MS);
}

static gboolean
is_over (gpointer user_data)
{
  const char *state = ferry_transfer1_get_state (user_data);

  return g_strcmp0 (state, "completed") == 0 || g_strcmp0 (state, "rejected") == 0 ||
         g_strcmp0 (state, "failed") == 0 || g_strcmp0 (state, "canceled") == 0;
}

static void
pause_at (FerryTransfer1 *t,
          Server         *server,
          guint64         bytes)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ferry_test_wait_bytes (t, bytes, WAIT_MS));
  ferry_transfer1_call_pause_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "paused", WAIT_MS));
  /* The attempt has let go once the server's answer was cut off. */
  g_assert_true (ferry_test_wait_until (server_idle, server, WAIT_MS));
}

static void
update_uri (FerryTransfer1 *t,
            const char     *uri)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(GError) error = NULL;

  g_variant_dict_insert (&dict, "uri", "s", uri);
  ferry_transfer1_call_update_sync (t, g_variant_dict_end (&dict), NULL, &error);
  g_assert_no_error (error);
}

/* -- A 206 that covers only part of the file --------------------------------------------- */

static void
test_short_206 (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 11);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *expected_path = NULL;
  Route *route;

  /* "206 bytes 0-99/1000" to a request without Range. */
  route = server_route (f->server, "/files/report.pdf", ROUTE_PARTIAL, content, "\"r1\"");
  route->partial = 100;
  t = add (f, "/files/report.pdf", NULL);

  g_assert_true (ferry_test_wait_until (is_over, t,
                                        WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "completed");
  expected_path = g_build_filename (f->daemon->download_dir, "report.pdf", NULL);
  g_assert_cmpstr (ferry_transfer1_get_destination (t), ==, expected_path);
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (t), ==, 1000);
  assert_file_is (expected_path, content);

  requests = server_requests (f->server, "/files/report.pdf");
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_null (((Request *) requests->pdata[0])->range);
  g_assert_cmpstr (((Request *) requests->pdata[1])->range, ==, "bytes=100-");
  g_assert_cmpstr (((Request *) requests->pdata[1])->if_range, ==, "\"r1\"");
}

static void
test_short_206_unknown_total (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 20);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *expected_path = NULL;
  Route *route;

  /* A 206 of bytes 0-99 with no total: the end of the file is not said, so it is asked for. */
  route = server_route (f->server, "/files/data.csv", ROUTE_PARTIAL, content, "\"d1\"");
  route->partial = 100;
  route->hide_total = TRUE;
  t = add (f, "/files/data.csv", NULL);

  g_assert_true (ferry_test_wait_until (is_over, t, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "completed");
  g_assert_cmpstr (ferry_transfer1_get_error (t), ==, "");
  expected_path = g_build_filename (f->daemon->download_dir, "data.csv", NULL);
  g_assert_cmpstr (ferry_transfer1_get_destination (t), ==, expected_path);
  assert_file_is (expected_path, content);

  requests = server_requests (f->server, "/files/data.csv");
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_cmpstr (((Request *) requests->pdata[1])->range, ==, "bytes=100-");
  g_assert_cmpstr (((Request *) requests->pdata[1])->if_range, ==, "\"d1\"");
  g_assert_cmpuint (((Request *) requests->pdata[1])->status, ==, 206);
}

static void
test_short_206_no_validator (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 12);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autofree char *name_path = NULL;
  Route *route;

  /* Without a validator the rest cannot be asked for safely: never completed short. */
  route = server_route (f->server, "/files/notes.txt", ROUTE_PARTIAL, content, NULL);
  route->partial = 100;
  t = add (f, "/files/notes.txt", NULL);

  g_assert_true (ferry_test_wait_until (is_over, t,
                                        WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "rejected");
  g_assert_nonnull (strstr (ferry_transfer1_get_error (t), "only 100 of 1000 bytes"));
  name_path = g_build_filename (f->daemon->download_dir, "notes.txt", NULL);
  g_assert_false (g_file_test (name_path, G_FILE_TEST_EXISTS));
}

/* -- Chunked bodies, confirmed by asking past their end ------------------------------- */

static void
test_chunked_confirmed (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (2 * MiB + 3, 21);
  g_autoptr(FerryTransfer1) whole = NULL;
  g_autoptr(FerryTransfer1) bare = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  Route *route;

  /* A whole chunked body: the probe's 416 "bytes * /N" confirms it. */
  route = server_route (f->server, "/chunked.bin", ROUTE_FILE, content, "\"c1\"");
  route->chunked = TRUE;
  whole = add (f, "/chunked.bin", NULL);
  g_assert_true (ferry_test_wait_until (is_over, whole, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (whole), ==, "completed");
  g_assert_cmpstr (ferry_transfer1_get_error (whole), ==, "");
  assert_file_is (ferry_transfer1_get_destination (whole), content);
  requests = server_requests (f->server, "/chunked.bin");
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_cmpuint (((Request *) requests->pdata[1])->status, ==, 416);
  g_assert_cmpstr (((Request *) requests->pdata[1])->if_range, ==, "\"c1\"");

  /* lighttpd's 416 has no Content-Range; with the validator sent it still confirms. */
  route = server_route (f->server, "/bare.bin", ROUTE_FILE, content, "\"c2\"");
  route->chunked = TRUE;
  route->bare_416 = TRUE;
  bare = add (f, "/bare.bin", NULL);
  g_assert_true (ferry_test_wait_until (is_over, bare, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (bare), ==, "completed");
  g_assert_cmpstr (ferry_transfer1_get_error (bare), ==, "");
  assert_file_is (ferry_transfer1_get_destination (bare), content);
  g_assert_cmpuint (server_count (f->server, "/bare.bin"), ==, 2);
}

static void
test_chunked_cut (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (3 * MiB, 22);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  Route *route;

  /* Cut between chunks: libsoup 3.2 reports a clean end; the probe finds the rest. */
  route = server_route (f->server, "/cut.bin", ROUTE_FILE, content, "\"c3\"");
  route->chunked = TRUE;
  route->drop_after = MiB;
  route->drop_times = 1;
  t = add (f, "/cut.bin", NULL);
  g_assert_true (ferry_test_wait_until (is_over, t, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "completed");
  g_assert_cmpstr (ferry_transfer1_get_error (t), ==, "");
  assert_file_is (ferry_transfer1_get_destination (t), content);

  requests = server_requests (f->server, "/cut.bin");
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_cmpstr (((Request *) requests->pdata[1])->range, ==, "bytes=1048576-");
  g_assert_cmpuint (((Request *) requests->pdata[1])->status, ==, 206);
}

/* -- An expired link's web page on resume ------------------------------------------------ */

static void
test_expired_link (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (6 * MiB, 13);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *part = NULL;
  g_autofree char *part_data = NULL;
  g_autofree char *fresh = NULL;
  g_autofree char *iso = NULL;
  gsize part_length = 0;
  guint64 kept;
  Route *route;

  route = server_route (f->server, "/dl/ubuntu.iso?sig=1", ROUTE_FILE, content, "\"iso\"");
  route->throttle = 2 * MiB;
  t = add (f, "/dl/ubuntu.iso?sig=1", NULL);
  pause_at (t, f->server, MiB);

  /* While paused, the signed link expires: the address now answers with a page. */
  server_route (f->server, "/dl/ubuntu.iso?sig=1", ROUTE_PAGE, NULL, NULL);
  ferry_transfer1_call_resume_sync (t, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (wait_reason (t, "link-expired"));
  g_assert_nonnull (strstr (ferry_transfer1_get_error (t), "link seems to have expired"));
  kept = ferry_transfer1_get_bytes_done (t);
  g_assert_cmpuint (kept, >, 0);

  /* The bytes on disk are still the file's, and the page went nowhere. */
  part = partial_file (f->daemon->download_dir);
  g_assert_nonnull (part);
  g_assert_true (g_file_get_contents (part, &part_data, &part_length, NULL));
  g_assert_cmpuint (part_length, >=, kept);
  g_assert_cmpmem (part_data, kept, g_bytes_get_data (content, NULL), kept);
  iso = g_build_filename (f->daemon->download_dir, "ubuntu.iso", NULL);
  g_assert_false (g_file_test (iso, G_FILE_TEST_EXISTS));

  /* A fresh link to the same file continues from the kept bytes. */
  server_route (f->server, "/dl/ubuntu.iso?sig=2", ROUTE_FILE, content, "\"iso\"");
  fresh = server_uri (f->server, "/dl/ubuntu.iso?sig=2");
  update_uri (t, fresh);
  g_assert_true (ferry_test_wait_until (is_over, t, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "completed");
  g_assert_cmpstr (ferry_transfer1_get_error (t), ==, "");
  assert_file_is (iso, content);

  requests = server_requests (f->server, "/dl/ubuntu.iso?sig=2");
  g_assert_cmpuint (requests->len, ==, 1);
  g_assert_nonnull (((Request *) requests->pdata[0])->range);
  g_assert_cmpuint (g_ascii_strtoull (((Request *) requests->pdata[0])->range + 6, NULL, 10),
                    ==, kept);
  g_assert_cmpuint (((Request *) requests->pdata[0])->status, ==, 206);
}

static void
test_expired_link_restart (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (6 * MiB, 23);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(FerryTransfer1) again = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  g_autofree char *path = NULL;
  g_autofree char *fresh = NULL;
  guint64 kept;
  Route *route;

  route = server_route (f->server, "/dl/big.img?sig=1", ROUTE_FILE, content, "\"img\"");
  route->throttle = 2 * MiB;
  t = add (f, "/dl/big.img?sig=1", NULL);
  path = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (t)));
  pause_at (t, f->server, MiB);
  server_route (f->server, "/dl/big.img?sig=1", ROUTE_PAGE, NULL, NULL);
  ferry_transfer1_call_resume_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (wait_reason (t, "link-expired"));
  kept = ferry_transfer1_get_bytes_done (t);

  /* The wait and the kept bytes outlive ferryd. */
  ferry_test_daemon_kill (f->daemon);
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (paths), ==, 1);
  again = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_true (wait_reason (again, "link-expired"));
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (again), ==, kept);

  server_route (f->server, "/dl/big.img?sig=2", ROUTE_FILE, content, "\"img\"");
  fresh = server_uri (f->server, "/dl/big.img?sig=2");
  update_uri (again, fresh);
  g_assert_true (ferry_test_wait_until (is_over, again, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (again), ==, "completed");
  assert_file_is (ferry_transfer1_get_destination (again), content);
  requests = server_requests (f->server, "/dl/big.img?sig=2");
  g_assert_cmpuint (requests->len, ==, 1);
  g_assert_cmpuint (g_ascii_strtoull (((Request *) requests->pdata[0])->range + 6, NULL, 10),
                    ==, kept);
}

/* -- A stable address that redirects to a short-lived signed one ------------------------- */

static void
test_stale_signed_redirect (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (6 * MiB, 14);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) fresh = NULL;
  g_autoptr(GError) error = NULL;
  Route *route;

  server_redirect (f->server, "/stable", "/signed?t=1");
  route = server_route (f->server, "/signed?t=1", ROUTE_FILE, content, "\"rel\"");
  route->throttle = 2 * MiB;
  t = add (f, "/stable", g_variant_new_parsed ("{'filename': <'release.tar'>}"));
  pause_at (t, f->server, MiB);
  g_assert_cmpuint (server_count (f->server, "/stable"), ==, 1);

  /* The signature expires (403, or an expired link's page); the stable address now signs a
   * new one. */
  if (g_strcmp0 (data, "page") == 0)
    server_route (f->server, "/signed?t=1", ROUTE_PAGE, NULL, NULL);
  else
    server_status (f->server, "/signed?t=1", 403);
  server_redirect (f->server, "/stable", "/signed?t=2");
  server_route (f->server, "/signed?t=2", ROUTE_FILE, content, "\"rel\"");
  ferry_transfer1_call_resume_sync (t, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (ferry_test_wait_until (is_over, t, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "completed");
  assert_file_is (ferry_transfer1_get_destination (t), content);

  /* Once at the expired target, then the stable address, then the new target. */
  g_assert_cmpuint (server_count (f->server, "/signed?t=1"), ==, 2);
  g_assert_cmpuint (server_count (f->server, "/stable"), ==, 2);
  fresh = server_requests (f->server, "/signed?t=2");
  g_assert_cmpuint (fresh->len, ==, 1);
  g_assert_cmpuint (((Request *) fresh->pdata[0])->status, ==, 206);
}

static void
test_update_same_address (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (6 * MiB, 15);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stable = server_uri (f->server, "/stable");
  Route *route;

  server_redirect (f->server, "/stable", "/signed?t=1");
  route = server_route (f->server, "/signed?t=1", ROUTE_FILE, content, "\"rel\"");
  route->throttle = 2 * MiB;
  t = add (f, "/stable", NULL);
  pause_at (t, f->server, MiB);

  /* The old target now fails in a way retrying would not mend soon (503): only a fresh look
   * at the stable address helps, and Update with that same address asks for it. */
  server_status (f->server, "/signed?t=1", 503);
  server_redirect (f->server, "/stable", "/signed?t=2");
  server_route (f->server, "/signed?t=2", ROUTE_FILE, content, "\"rel\"");
  update_uri (t, stable);
  ferry_transfer1_call_resume_sync (t, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (ferry_test_wait_until (is_over, t, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "completed");
  assert_file_is (ferry_transfer1_get_destination (t), content);
  g_assert_cmpuint (server_count (f->server, "/signed?t=1"), ==, 1);
  g_assert_cmpuint (server_count (f->server, "/stable"), ==, 2);
}

/* -- Error is cleared when a new attempt makes progress ---------------------------------- */

typedef struct
{
  FerryTransfer1 *t;
  guint64 beyond;
  char *first_error;    /* the first non-empty Error seen, however briefly it lasted */
  guint64 bytes_then;   /* BytesDone when it was seen */
} ProgressWait;

static void
on_error_changed (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  ProgressWait *w = user_data;
  const char *error = ferry_transfer1_get_error (w->t);

  if (w->first_error == NULL && error != NULL && *error != '\0')
    {
      w->first_error = g_strdup (error);
      w->bytes_then = ferry_transfer1_get_bytes_done (w->t);
    }
}

static gboolean
saw_error (gpointer user_data)
{
  return ((ProgressWait *) user_data)->first_error != NULL;
}

static gboolean
progressing_without_error (gpointer user_data)
{
  ProgressWait *w = user_data;

  return g_strcmp0 (ferry_transfer1_get_state (w->t), "running") == 0 &&
         ferry_transfer1_get_bytes_done (w->t) > w->beyond &&
         g_strcmp0 (ferry_transfer1_get_error (w->t), "") == 0;
}

static void
test_error_cleared (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (8 * MiB, 16);
  g_autoptr(FerryTransfer1) t = NULL;
  ProgressWait w = { 0 };
  Route *route;

  route = server_route (f->server, "/big.bin", ROUTE_FILE, content, "\"big\"");
  route->throttle = MiB;
  route->drop_after = MiB / 2;
  route->drop_times = 1;
  t = add (f, "/big.bin", NULL);
  w.t = t;
  g_signal_connect (t, "notify::error", G_CALLBACK (on_error_changed), &w);

  g_assert_true (ferry_test_wait_until (saw_error, &w, WAIT_MS));
  g_assert_nonnull (strstr (w.first_error, "closed the connection early"));

  /* The retry moves the file forward: the old trouble is no longer said. */
  w.beyond = w.bytes_then;
  g_assert_true (ferry_test_wait_until (progressing_without_error, &w, WAIT_MS));
  g_signal_handlers_disconnect_by_data (t, &w);

  g_assert_true (ferry_test_wait_until (is_over, t, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "completed");
  assert_file_is (ferry_transfer1_get_destination (t), content);
  g_free (w.first_error);
}

/* -- fdatasync fails with EIO ------------------------------------------------------------ */

static void
eio_setup (Fixture       *f,
           gconstpointer  data)
{
  f->eio_dir = g_build_filename (g_get_user_runtime_dir (), "eio", NULL);
  ferry_test_preload_shim_begin (f->eio_dir);
  fixture_setup (f, data);
  ferry_test_preload_shim_end ();
}

static gint64
read_note (Fixture    *f,
           const char *name)
{
  g_autofree char *path = g_build_filename (f->eio_dir, name, NULL);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  return g_ascii_strtoll (text, NULL, 10);
}

static gboolean
synced_some (gpointer user_data)
{
  return read_note (user_data, "synced") > 0;
}

static void
test_fdatasync_eio (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (8 * MiB, 17);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fail = g_build_filename (f->eio_dir, "fail", NULL);
  gint64 last_good;
  Route *route;

  route = server_route (f->server, "/disk.img", ROUTE_FILE, content, "\"img\"");
  route->throttle = MiB;
  t = add (f, "/disk.img", NULL);

  /* One checkpoint is on disk; the next writeback fails. */
  g_assert_true (ferry_test_wait_until (synced_some, f, WAIT_MS));
  g_assert_true (g_file_set_contents (fail, "", 0, NULL));

  g_assert_true (ferry_test_wait_until (is_over, t, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "failed");
  g_assert_nonnull (strstr (ferry_transfer1_get_error (t), "Input/output error"));
  last_good = read_note (f, "failed");
  g_assert_cmpint (last_good, >, 0);
  /* The store never runs past the last sync that held, though a later one "succeeded". */
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (t), <=, (guint64) last_good);

  route = server_route (f->server, "/disk.img", ROUTE_FILE, content, "\"img\"");
  ferry_transfer1_call_resume_sync (t, NULL, &error);
  g_assert_no_error (error);
  /* From "failed", is_over () would hold before the resume is seen. */
  g_assert_true (ferry_test_wait_state (t, "completed", WAIT_MS));
  assert_file_is (ferry_transfer1_get_destination (t), content);
}

/* -- O_DIRECT taken or refused ----------------------------------------------------------- */

static void
direct_setup (Fixture       *f,
              gconstpointer  data)
{
  g_setenv ("FERRY_TEST_NO_DIRECT", data, TRUE);
  eio_setup (f, data);
  g_unsetenv ("FERRY_TEST_NO_DIRECT");
}

/* The part file is written with O_DIRECT where the file system takes it ("none" refused
 * here), else through the page cache: refused at open, or at the first write. Either way the
 * file is the server's byte for byte, also after a connection cut off any 4 KiB boundary,
 * whose retry resumes there: every byte that arrived before the cut is kept. */
static void
test_direct_writes (Fixture       *f,
                    gconstpointer  data)
{
  const char *mode = data;
  const guint64 cut = 3 * MiB + 777;
  g_autoptr(GBytes) content = ferry_test_make_content (6 * MiB + 1234, 23);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *range = g_strdup_printf ("bytes=%" G_GUINT64_FORMAT "-", cut);
  Route *route;

  route = server_route (f->server, "/direct.bin", ROUTE_FILE, content, "\"d1\"");
  route->drop_after = cut;
  route->drop_times = 1;
  t = add (f, "/direct.bin", NULL);
  g_assert_true (ferry_test_wait_until (is_over, t, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "completed");
  assert_file_is (ferry_transfer1_get_destination (t), content);

  requests = server_requests (f->server, "/direct.bin");
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_cmpstr (((Request *) requests->pdata[1])->range, ==, range);
  g_assert_cmpuint (((Request *) requests->pdata[1])->status, ==, 206);

  if (g_str_equal (mode, "none"))
    g_assert_cmpint (read_note (f, "refused"), ==, -1);
  else
    g_assert_cmpint (read_note (f, "refused"), >, 0);
}

/* -- Bodies without a length: Python's http.server, and nginx in front of a dying upstream - */

/* One script, two servers. "lengthless": Python's http.server (HTTP/1.0, no Range) with
 * /lengthless sending the file with no Content-Length. "upstream": an HTTP/1.1 origin for
 * nginx that sends the file chunked, with a strong ETag and ranges; the words in the
 * control file make it misbehave: "cut" ends a whole-file answer by dying halfway, "down"
 * drops every ranged request without an answer. */
static const char server_script[] =
  "import os, socket, socketserver, sys\n"
  "from http.server import HTTPServer, SimpleHTTPRequestHandler, BaseHTTPRequestHandler\n"
  "mode, root, control = sys.argv[1], sys.argv[2], sys.argv[3]\n"
  "data = open(os.path.join(root, 'file.bin'), 'rb').read()\n"
  "class Lengthless(SimpleHTTPRequestHandler):\n"
  "    def __init__(self, *a, **k):\n"
  "        super().__init__(*a, directory=root, **k)\n"
  "    def log_message(self, *a):\n"
  "        pass\n"
  "    def handle(self):\n"
  "        try:\n"
  "            super().handle()\n"
  "        except (BrokenPipeError, ConnectionResetError):\n"
  "            pass\n"
  "    def do_GET(self):\n"
  "        if self.path != '/lengthless':\n"
  "            return super().do_GET()\n"
  "        self.send_response(200)\n"
  "        self.send_header('Content-Type', 'application/octet-stream')\n"
  "        self.end_headers()\n"
  "        for i in range(0, len(data), 65536):\n"
  "            self.wfile.write(data[i:i + 65536])\n"
  "class Upstream(BaseHTTPRequestHandler):\n"
  "    protocol_version = 'HTTP/1.1'\n"
  "    def log_message(self, *a):\n"
  "        pass\n"
  "    def do_GET(self):\n"
  "        words = open(control).read().split()\n"
  "        r = self.headers.get('Range')\n"
  "        n = len(data)\n"
  "        if r:\n"
  "            if 'down' in words:\n"
  "                self.close_connection = True\n"
  "                return\n"
  "            start = int(r[6:].split('-')[0])\n"
  "            if start >= n:\n"
  "                self.send_response(416)\n"
  "                self.send_header('Content-Range', 'bytes */%d' % n)\n"
  "                self.send_header('ETag', '\"up\"')\n"
  "                self.send_header('Content-Length', '0')\n"
  "                self.end_headers()\n"
  "                return\n"
  "            self.send_response(206)\n"
  "            self.send_header('Content-Range', 'bytes %d-%d/%d' % (start, n - 1, n))\n"
  "            self.send_header('Content-Length', str(n - start))\n"
  "            self.send_header('ETag', '\"up\"')\n"
  "            self.end_headers()\n"
  "            self.wfile.write(data[start:])\n"
  "            return\n"
  "        self.send_response(200)\n"
  "        self.send_header('Transfer-Encoding', 'chunked')\n"
  "        self.send_header('ETag', '\"up\"')\n"
  "        self.send_header('Accept-Ranges', 'bytes')\n"
  "        self.send_header('Content-Type', 'application/octet-stream')\n"
  "        self.end_headers()\n"
  "        for i in range(0, n, 65536):\n"
  "            if 'cut' in words and i >= n // 2:\n"
  "                self.close_connection = True\n"
  "                self.connection.shutdown(socket.SHUT_RDWR)\n"
  "                return\n"
  "            part = data[i:i + 65536]\n"
  "            self.wfile.write(b'%x\\r\\n' % len(part) + part + b'\\r\\n')\n"
  "        self.wfile.write(b'0\\r\\n\\r\\n')\n"
  "class Server(socketserver.ThreadingMixIn, HTTPServer):\n"
  "    daemon_threads = True\n"
  "httpd = Server(('127.0.0.1', 0), Lengthless if mode == 'lengthless' else Upstream)\n"
  "print(httpd.server_address[1], flush=True)\n"
  "httpd.serve_forever()\n";

typedef struct
{
  GSubprocess *proc;
  guint16 port;
  char *root;
  char *control;
} Script;

static void
script_start (Script     *s,
              const char *mode,
              GBytes     *content)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *script = NULL;
  g_autofree char *file = NULL;
  g_autofree char *line = NULL;

  s->root = g_build_filename (g_get_user_data_dir (), mode, NULL);
  g_assert_cmpint (g_mkdir_with_parents (s->root, 0755), ==, 0);
  script = g_build_filename (s->root, "server.py", NULL);
  file = g_build_filename (s->root, "file.bin", NULL);
  s->control = g_build_filename (s->root, "control", NULL);
  g_assert_true (g_file_set_contents (script, server_script, -1, NULL));
  g_assert_true (g_file_set_contents (file, g_bytes_get_data (content, NULL),
                                      (gssize) g_bytes_get_size (content), NULL));
  g_assert_true (g_file_set_contents (s->control, "", -1, NULL));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, ferry_test_die_with_parent, NULL, NULL);
  s->proc = g_subprocess_launcher_spawn (launcher, &error, "/usr/bin/python3", script, mode,
                                         s->root, s->control, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->proc));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  s->port = (guint16) g_ascii_strtoull (line, NULL, 10);
  g_assert_cmpuint (s->port, >, 0);
}

static void
script_control (Script     *s,
                const char *words)
{
  g_assert_true (g_file_set_contents (s->control, words, -1, NULL));
}

static void
script_stop (Script *s)
{
  if (s->proc != NULL)
    {
      g_subprocess_force_exit (s->proc);
      g_subprocess_wait (s->proc, NULL, NULL);
    }
  g_clear_object (&s->proc);
  g_free (s->root);
  g_free (s->control);
}

static void
test_lengthless_python (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (3 * MiB + 5, 18);
  g_autofree char *digest = ferry_test_sha256_bytes (content);
  g_autofree char *lengthless = NULL;
  g_autofree char *plain = NULL;
  g_autoptr(FerryTransfer1) unconfirmed = NULL;
  g_autoptr(FerryTransfer1) checked = NULL;
  g_autoptr(FerryTransfer1) sized = NULL;
  Script s = { 0 };

  script_start (&s, "lengthless", content);
  lengthless = g_strdup_printf ("http://127.0.0.1:%u/lengthless", s.port);
  plain = g_strdup_printf ("http://127.0.0.1:%u/file.bin", s.port);

  /* No length, no ranges: the end cannot be confirmed, and the transfer says so. */
  unconfirmed = add_uri (f, lengthless, g_variant_new_parsed ("{'filename': <'a.bin'>}"));
  g_assert_true (ferry_test_wait_until (is_over, unconfirmed, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (unconfirmed), ==, "completed");
  g_assert_nonnull (strstr (ferry_transfer1_get_error (unconfirmed),
                            "could not verify that the file is whole"));
  assert_file_is (ferry_transfer1_get_destination (unconfirmed), content);

  /* With the caller's checksum the same body is verified. */
  checked = add_uri (f, lengthless,
                     g_variant_new_parsed ("{'filename': <'b.bin'>, 'sha256': <%s>}", digest));
  g_assert_true (ferry_test_wait_until (is_over, checked, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (checked), ==, "completed");
  g_assert_cmpstr (ferry_transfer1_get_error (checked), ==, "");

  /* http.server's own files carry Content-Length: verified by their length. */
  sized = add_uri (f, plain, NULL);
  g_assert_true (ferry_test_wait_until (is_over, sized, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (sized), ==, "completed");
  g_assert_cmpstr (ferry_transfer1_get_error (sized), ==, "");
  assert_file_is (ferry_transfer1_get_destination (sized), content);

  script_stop (&s);
}

static void
test_nginx_chunked_cut (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (4 * MiB, 19);
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "proxy", NULL);
  g_autofree char *server = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *final = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(FerryTestNginx) nginx = NULL;
  g_autoptr(GError) error = NULL;
  Script s = { 0 };

  if (!ferry_test_nginx_available ())
    {
      g_test_skip ("nginx is not installed");
      return;
    }

  script_start (&s, "upstream", content);
  script_control (&s, "cut down");

  server = g_strdup_printf ("    location / { proxy_pass http://127.0.0.1:%u;\n"
                            "                 proxy_http_version 1.1;\n"
                            "                 proxy_buffering off; }",
                            s.port);
  nginx = ferry_test_nginx_start (&(FerryTestNginxConfig) { .dir = dir, .server = server });

  /* The upstream dies halfway through a chunked answer: nginx ends the chunked body
   * without its last chunk, which libsoup 3.2 reads as a clean end. */
  uri = ferry_test_nginx_uri (nginx, "pkg.tar");
  t = add_uri (f, uri, NULL);
  g_assert_true (wait_reason (t, "retry"));
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (t), <, g_bytes_get_size (content));
  final = g_build_filename (f->daemon->download_dir, "pkg.tar", NULL);
  g_assert_false (g_file_test (final, G_FILE_TEST_EXISTS));

  /* The upstream recovers: the rest comes by range and the file is whole. */
  script_control (&s, "");
  ferry_transfer1_call_resume_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_until (is_over, t, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "completed");
  g_assert_cmpstr (ferry_transfer1_get_error (t), ==, "");
  assert_file_is (final, content);

  g_clear_pointer (&nginx, ferry_test_nginx_stop);
  script_stop (&s);
}

/* -- Certificates that are not right, each said in words --------------------------------- */

/* Writes ca.pem and, for each case, <case>.pem (certificate and key): "expired" (for
 * 127.0.0.1, ended yesterday), "wronghost" (for www.example.invalid), "untrusted" (for
 * 127.0.0.1, valid). All are issued by a CA of the test's own that this machine does not
 * trust. */
static const char cert_script[] =
  "import datetime, sys, ipaddress\n"
  "from cryptography import x509\n"
  "from cryptography.x509.oid import NameOID\n"
  "from cryptography.hazmat.primitives import hashes, serialization\n"
  "from cryptography.hazmat.primitives.asymmetric import ec\n"
  "out = sys.argv[1]\n"
  "now = datetime.datetime.utcnow()\n"
  "day = datetime.timedelta(days=1)\n"
  "def name(cn):\n"
  "    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])\n"
  "ca_key = ec.generate_private_key(ec.SECP256R1())\n"
  "ca = (x509.CertificateBuilder().subject_name(name('Ferry Test CA'))\n"
  "      .issuer_name(name('Ferry Test CA')).public_key(ca_key.public_key())\n"
  "      .serial_number(1).not_valid_before(now - 30 * day).not_valid_after(now + 30 * day)\n"
  "      .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)\n"
  "      .sign(ca_key, hashes.SHA256()))\n"
  "open(out + '/ca.pem', 'wb').write(ca.public_bytes(serialization.Encoding.PEM))\n"
  "def leaf(case, san, start, end, serial):\n"
  "    key = ec.generate_private_key(ec.SECP256R1())\n"
  "    cert = (x509.CertificateBuilder().subject_name(name(case)).issuer_name(ca.subject)\n"
  "            .public_key(key.public_key()).serial_number(serial)\n"
  "            .not_valid_before(start).not_valid_after(end)\n"
  "            .add_extension(x509.SubjectAlternativeName([san]), critical=False)\n"
  "            .sign(ca_key, hashes.SHA256()))\n"
  "    open(out + '/' + case + '.pem', 'wb').write(\n"
  "        cert.public_bytes(serialization.Encoding.PEM) +\n"
  "        key.private_bytes(serialization.Encoding.PEM,\n"
  "                          serialization.PrivateFormat.TraditionalOpenSSL,\n"
  "                          serialization.NoEncryption()))\n"
  "ip = x509.IPAddress(ipaddress.ip_address('127.0.0.1'))\n"
  "leaf('expired', ip, now - 10 * day, now - day, 2)\n"
  "leaf('wronghost', x509.DNSName('www.example.invalid'), now - day, now + 10 * day, 3)\n"
  "leaf('untrusted', ip, now - day, now + 10 * day, 4)\n";

typedef struct
{
  GSocketService *service;
  GTlsCertificate *certificate;
  guint16 port;
} TlsServer;

static gboolean
on_tls_run (GThreadedSocketService *service,
            GSocketConnection      *connection,
            GObject                *source,
            gpointer                user_data)
{
  TlsServer *server = user_data;
  g_autoptr(GIOStream) tls = g_tls_server_connection_new (G_IO_STREAM (connection),
                                                           server->certificate, NULL);

  /* The client refuses the certificate; the handshake is all there is. */
  if (tls != NULL && g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, NULL))
    {
      const char *reply = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbad";

      g_output_stream_write_all (g_io_stream_get_output_stream (tls), reply, strlen (reply),
                                 NULL, NULL, NULL);
    }
  return TRUE;
}

static void
tls_server_start (TlsServer  *server,
                  const char *pem)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  server->certificate = g_tls_certificate_new_from_file (pem, &error);
  g_assert_no_error (error);
  server->service = g_threaded_socket_service_new (4);
  g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (server->service, "run", G_CALLBACK (on_tls_run), server);
  g_socket_service_start (server->service);
}

static void
tls_server_stop (TlsServer *server)
{
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_clear_object (&server->service);
  g_clear_object (&server->certificate);
}

static void
make_certificates (const char *dir)
{
  g_autofree char *script = g_build_filename (dir, "certs.py", NULL);
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = { "/usr/bin/python3", script, dir, NULL };

  g_assert_true (g_file_set_contents (script, cert_script, -1, NULL));
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

typedef struct
{
  const char *name;
  const char *says;
  const char *never_says;
} TlsCase;

static const TlsCase tls_cases[] = {
  { "expired", "its certificate has expired", NULL },
  { "wronghost", "issued for another name than the one in the address", "expired" },
  { "untrusted", "an authority this computer does not trust", "expired" },
};

static void
test_tls_worded (Fixture       *f,
                 gconstpointer  data)
{
  const TlsCase *c = data;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "tls", NULL);
  g_autofree char *pem = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  TlsServer server = { 0 };
  const char *message;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  make_certificates (dir);
  pem = g_strdup_printf ("%s/%s.pem", dir, c->name);
  tls_server_start (&server, pem);

  uri = g_strdup_printf ("https://127.0.0.1:%u/file.bin", server.port);
  t = add_uri (f, uri, NULL);
  g_assert_true (ferry_test_wait_until (is_over, t, WAIT_MS));
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "rejected");
  message = ferry_transfer1_get_error (t);
  g_test_message ("%s: %s", c->name, message);
  g_assert_nonnull (strstr (message, "identity could not be verified"));
  g_assert_nonnull (strstr (message, c->says));
  if (c->never_says != NULL)
    g_assert_null (strstr (message, c->never_says));

  tls_server_stop (&server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/truth/short-206", test_short_206);
  ADD ("/truth/short-206-no-validator", test_short_206_no_validator);
  ADD ("/truth/short-206-unknown-total", test_short_206_unknown_total);
  ADD ("/truth/chunked-confirmed", test_chunked_confirmed);
  ADD ("/truth/chunked-cut", test_chunked_cut);
  ADD ("/truth/expired-link", test_expired_link);
  ADD ("/truth/expired-link-restart", test_expired_link_restart);
  ADD ("/truth/stale-signed-redirect", test_stale_signed_redirect);
  g_test_add ("/truth/stale-signed-redirect-page", Fixture, "page", fixture_setup,
              test_stale_signed_redirect, fixture_teardown);
  ADD ("/truth/update-same-address", test_update_same_address);
  ADD ("/truth/error-cleared", test_error_cleared);
  ADD ("/truth/lengthless-python", test_lengthless_python);
  ADD ("/truth/nginx-chunked-cut", test_nginx_chunked_cut);
  g_test_add ("/truth/fdatasync-eio", Fixture, NULL, eio_setup, test_fdatasync_eio,
              fixture_teardown);
  g_test_add ("/truth/direct-writes", Fixture, "none", direct_setup, test_direct_writes,
              fixture_teardown);
  g_test_add ("/truth/direct-refused-open", Fixture, "open", direct_setup, test_direct_writes,
              fixture_teardown);
  g_test_add ("/truth/direct-refused-write", Fixture, "write", direct_setup,
              test_direct_writes, fixture_teardown);
  for (guint i = 0; i < G_N_ELEMENTS (tls_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/truth/tls-%s", tls_cases[i].name);

      g_test_add (name, Fixture, &tls_cases[i], fixture_setup, test_tls_worded,
                  fixture_teardown);
    }
#undef ADD

  return g_test_run ();
}
