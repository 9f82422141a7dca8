/* ferry-test-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ferry-test-listener.h"
#include "ferry-test-server.h"

typedef struct
{
  char *path;
  GBytes *content;
  char *etag;
  gboolean ranges;
  guint64 throttle;
  guint64 drop_bytes;
  guint drop_times;
  guint64 stall_bytes;
  guint stall_seconds;
  guint stall_times;
  GQueue statuses;        /* of StatusReply */
  GHashTable *headers;    /* extra headers */
  char *redirect;
  GPtrArray *requests;
  GArray *arrivals;       /* guint: responses in flight when each request arrived, itself too */
  guint64 body_bytes_sent;
} Resource;

typedef struct
{
  guint status;
  char *retry_after;
} StatusReply;

struct _FerryTestServer
{
  FerryTestListener *listener;
  GMutex mutex;
  guint in_flight;        /* responses being sent */
  guint max_in_flight;
  GHashTable *resources;  /* path → Resource */
  guint64 body_bytes_sent;  /* every body byte written, for counting what was sent twice */
};

static void
status_reply_free (StatusReply *reply)
{
  g_free (reply->retry_after);
  g_free (reply);
}

static GHashTable *copy_headers (GHashTable *headers);

void
ferry_test_request_free (FerryTestRequest *request)
{
  g_free (request->range);
  g_free (request->if_range);
  g_clear_pointer (&request->headers, g_hash_table_unref);
  g_free (request);
}

static void
resource_free (Resource *r)
{
  g_free (r->path);
  g_clear_pointer (&r->content, g_bytes_unref);
  g_free (r->etag);
  g_queue_clear_full (&r->statuses, (GDestroyNotify) status_reply_free);
  g_hash_table_unref (r->headers);
  g_free (r->redirect);
  g_ptr_array_unref (r->requests);
  g_clear_pointer (&r->arrivals, g_array_unref);
  g_free (r);
}

static Resource *
resource_get (FerryTestServer *server,
              const char      *path)
{
  Resource *r = g_hash_table_lookup (server->resources, path);

  if (r == NULL)
    {
      r = g_new0 (Resource, 1);
      r->path = g_strdup (path);
      r->ranges = TRUE;
      r->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      r->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) ferry_test_request_free);
      g_hash_table_insert (server->resources, r->path, r);
    }

  return r;
}

static gboolean
write_str (GOutputStream *out,
           const char    *str)
{
  return g_output_stream_write_all (out, str, strlen (str), NULL, NULL, NULL);
}

static gboolean
send_simple (GOutputStream *out,
             guint          status,
             const char    *reason,
             const char    *extra_headers,
             gboolean       head)
{
  g_autofree char *body = g_strdup_printf ("<html><body>%u %s</body></html>\n", status, reason);
  g_autofree char *response = g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                                               "Content-Type: text/html\r\n"
                                               "Content-Length: %zu\r\n"
                                               "%s"
                                               "\r\n%s",
                                               status, reason, strlen (body),
                                               extra_headers ? extra_headers : "",
                                               head ? "" : body);
  return write_str (out, response);
}

/* Parses "bytes=S-" or "bytes=S-E"; only the forms Ferry sends. */
static gboolean
parse_range (const char *value,
             guint64    *start,
             guint64    *end)
{
  char *endptr;

  if (value == NULL || !g_str_has_prefix (value, "bytes="))
    return FALSE;

  *start = g_ascii_strtoull (value + 6, &endptr, 10);
  if (endptr == value + 6 || *endptr != '-')
    return FALSE;

  if (endptr[1] == '\0')
    *end = G_MAXUINT64;
  else
    *end = g_ascii_strtoull (endptr + 1, NULL, 10);

  return TRUE;
}

static gboolean
handle_request (FerryTestServer   *server,
                GOutputStream     *out,
                const char        *method,
                const char        *path,
                GHashTable        *headers)
{
  Resource *r;
  g_autoptr(GBytes) content = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *redirect = NULL;
  g_autoptr(GString) extra = g_string_new (NULL);
  StatusReply *reply = NULL;
  FerryTestRequest *record;
  guint64 throttle, drop = 0, stall = 0;
  guint stall_seconds = 0;
  gboolean ranges, drop_now = FALSE, stall_now = FALSE;
  const char *range = g_hash_table_lookup (headers, "range");
  const char *if_range = g_hash_table_lookup (headers, "if-range");
  gboolean head = g_str_equal (method, "HEAD");
  guint64 start = 0, end = 0, length;
  guint status = 200;
  gsize sent;
  const guint8 *data;

  g_mutex_lock (&server->mutex);
  r = g_hash_table_lookup (server->resources, path);
  if (r == NULL)
    {
      g_mutex_unlock (&server->mutex);
      return send_simple (out, 404, "Not Found", NULL, head);
    }

  record = g_new0 (FerryTestRequest, 1);
  record->range = g_strdup (range);
  record->if_range = g_strdup (if_range);
  record->time_usec = g_get_monotonic_time ();
  record->headers = copy_headers (headers);
  g_ptr_array_add (r->requests, record);
  if (r->arrivals == NULL)
    r->arrivals = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (r->arrivals, server->in_flight);

  content = r->content ? g_bytes_ref (r->content) : NULL;
  etag = g_strdup (r->etag);
  redirect = g_strdup (r->redirect);
  ranges = r->ranges;
  throttle = r->throttle;
  reply = g_queue_pop_head (&r->statuses);
  if (reply == NULL && r->drop_times > 0)
    {
      r->drop_times--;
      drop = r->drop_bytes;
      drop_now = TRUE;
    }
  else if (reply == NULL && r->stall_times > 0)
    {
      r->stall_times--;
      stall = r->stall_bytes;
      stall_seconds = r->stall_seconds;
      stall_now = TRUE;
    }
  {
    GHashTableIter iter;
    gpointer k, v;

    g_hash_table_iter_init (&iter, r->headers);
    while (g_hash_table_iter_next (&iter, &k, &v))
      g_string_append_printf (extra, "%s: %s\r\n", (char *) k, (char *) v);
  }
  g_mutex_unlock (&server->mutex);

  if (reply != NULL)
    {
      g_autofree char *h = reply->retry_after
                           ? g_strdup_printf ("Retry-After: %s\r\n", reply->retry_after)
                           : NULL;
      gboolean ok;

      record->status = reply->status;
      ok = send_simple (out, reply->status, "Unavailable", h, head);
      status_reply_free (reply);
      return ok;
    }

  if (redirect != NULL)
    {
      g_autofree char *h = g_strdup_printf ("Location: %s\r\n", redirect);

      record->status = 302;
      return send_simple (out, 302, "Found", h, head);
    }

  length = g_bytes_get_size (content);
  end = length > 0 ? length - 1 : 0;

  if (ranges && range != NULL && (if_range == NULL || g_strcmp0 (if_range, etag) == 0) &&
      parse_range (range, &start, &end))
    {
      if (start >= length)
        {
          g_autofree char *h = g_strdup_printf ("Content-Range: bytes */%" G_GUINT64_FORMAT
                                                "\r\n", length);

          record->status = 416;
          return send_simple (out, 416, "Range Not Satisfiable", h, head);
        }
      end = MIN (end, length - 1);
      status = 206;
      g_string_append_printf (extra, "Content-Range: bytes %" G_GUINT64_FORMAT "-%"
                              G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "\r\n", start, end, length);
    }
  else
    {
      start = 0;
    }

  record->status = status;
  if (etag != NULL)
    g_string_append_printf (extra, "ETag: %s\r\n", etag);
  g_string_append_printf (extra, "Accept-Ranges: %s\r\n", ranges ? "bytes" : "none");
  if (drop_now)
    g_string_append (extra, "Connection: close\r\n");

  {
    g_autofree char *head_str = g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                                                 "Content-Type: application/octet-stream\r\n"
                                                 "Content-Length: %" G_GUINT64_FORMAT "\r\n"
                                                 "%s\r\n",
                                                 status, status == 206 ? "Partial Content" : "OK",
                                                 length == 0 ? 0 : end - start + 1, extra->str);
    if (!write_str (out, head_str))
      return FALSE;
  }

  if (head || length == 0)
    return TRUE;

  data = g_bytes_get_data (content, NULL);
  sent = 0;
  while (start + sent <= end)
    {
      gsize chunk = MIN ((gsize) (end - start + 1 - sent), 16 * 1024);

      if (drop_now && sent + chunk > drop)
        chunk = drop - sent;
      if (stall_now && sent + chunk > stall)
        chunk = stall - sent;

      if (chunk > 0 && !g_output_stream_write_all (out, data + start + sent, chunk, NULL, NULL,
                                                   NULL))
        return FALSE;
      sent += chunk;
      g_mutex_lock (&server->mutex);
      server->body_bytes_sent += chunk;
      r->body_bytes_sent += chunk;
      g_mutex_unlock (&server->mutex);

      if (drop_now && sent >= drop)
        return FALSE;   /* close the connection mid-body */

      if (stall_now && sent >= stall)
        {
          /* Silent, connection open; the client has to notice by itself. */
          for (guint i = 0; i < stall_seconds * 10 && !ferry_test_listener_is_stopping (server->listener); i++)
            g_usleep (G_USEC_PER_SEC / 10);
          return FALSE;
        }

      if (ferry_test_listener_is_stopping (server->listener))
        return FALSE;

      /* Paced between chunks; once the last is out the response is over at once, so a
       * count of responses in flight does not include those only waiting to end. */
      if (throttle > 0 && start + sent <= end)
        g_usleep ((gulong) (chunk * G_USEC_PER_SEC / throttle));
    }

  return TRUE;
}

static gboolean
on_request (GInputStream  *in,
            GOutputStream *out,
            GStrv          parts,
            GHashTable    *headers,
            gpointer       user_data)
{
  FerryTestServer *server = user_data;
  g_autofree char *path = g_strdup (parts[1]);
  char *query = strchr (path, '?');
  gboolean ok;

  if (query != NULL)
    *query = '\0';

  g_mutex_lock (&server->mutex);
  server->in_flight++;
  server->max_in_flight = MAX (server->max_in_flight, server->in_flight);
  g_mutex_unlock (&server->mutex);

  ok = handle_request (server, out, parts[0], path, headers);

  g_mutex_lock (&server->mutex);
  server->in_flight--;
  g_mutex_unlock (&server->mutex);
  return ok;
}

FerryTestServer *
ferry_test_server_new (void)
{
  FerryTestServer *server = g_new0 (FerryTestServer, 1);

  g_mutex_init (&server->mutex);
  server->resources = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) resource_free);
  server->listener = ferry_test_listener_new (32, on_request, server);
  return server;
}

void
ferry_test_server_free (FerryTestServer *server)
{
  if (!ferry_test_listener_free (server->listener, "Test server"))
    return;

  g_hash_table_unref (server->resources);
  g_mutex_clear (&server->mutex);
  g_free (server);
}

char *
ferry_test_server_uri (FerryTestServer *server,
                       const char      *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", ferry_test_listener_get_port (server->listener),
                          path);
}

void
ferry_test_server_add_file (FerryTestServer *server,
                            const char      *path,
                            GBytes          *content,
                            const char      *etag)
{
  ferry_test_server_set_content (server, path, content, etag);
}

void
ferry_test_server_set_content (FerryTestServer *server,
                               const char      *path,
                               GBytes          *content,
                               const char      *etag)
{
  Resource *r;

  g_mutex_lock (&server->mutex);
  r = resource_get (server, path);
  g_clear_pointer (&r->content, g_bytes_unref);
  r->content = g_bytes_ref (content);
  g_free (r->etag);
  r->etag = g_strdup (etag);
  g_mutex_unlock (&server->mutex);
}

void
ferry_test_server_set_ranges (FerryTestServer *server,
                              const char      *path,
                              gboolean         ranges)
{
  g_mutex_lock (&server->mutex);
  resource_get (server, path)->ranges = ranges;
  g_mutex_unlock (&server->mutex);
}

void
ferry_test_server_set_throttle (FerryTestServer *server,
                                const char      *path,
                                guint64          bytes_per_second)
{
  g_mutex_lock (&server->mutex);
  resource_get (server, path)->throttle = bytes_per_second;
  g_mutex_unlock (&server->mutex);
}

void
ferry_test_server_set_drop (FerryTestServer *server,
                            const char      *path,
                            guint64          bytes,
                            guint            times)
{
  Resource *r;

  g_mutex_lock (&server->mutex);
  r = resource_get (server, path);
  r->drop_bytes = bytes;
  r->drop_times = times;
  g_mutex_unlock (&server->mutex);
}

void
ferry_test_server_set_stall (FerryTestServer *server,
                             const char      *path,
                             guint64          bytes,
                             guint            seconds,
                             guint            times)
{
  Resource *r;

  g_mutex_lock (&server->mutex);
  r = resource_get (server, path);
  r->stall_bytes = bytes;
  r->stall_seconds = seconds;
  r->stall_times = times;
  g_mutex_unlock (&server->mutex);
}

void
ferry_test_server_queue_status (FerryTestServer *server,
                                const char      *path,
                                guint            status,
                                const char      *retry_after)
{
  StatusReply *reply = g_new0 (StatusReply, 1);

  reply->status = status;
  reply->retry_after = g_strdup (retry_after);
  g_mutex_lock (&server->mutex);
  g_queue_push_tail (&resource_get (server, path)->statuses, reply);
  g_mutex_unlock (&server->mutex);
}

void
ferry_test_server_set_header (FerryTestServer *server,
                              const char      *path,
                              const char      *name,
                              const char      *value)
{
  g_mutex_lock (&server->mutex);
  g_hash_table_insert (resource_get (server, path)->headers, g_strdup (name), g_strdup (value));
  g_mutex_unlock (&server->mutex);
}

void
ferry_test_server_add_redirect (FerryTestServer *server,
                                const char      *path,
                                const char      *target)
{
  g_mutex_lock (&server->mutex);
  g_free (resource_get (server, path)->redirect);
  resource_get (server, path)->redirect = g_strdup (target);
  g_mutex_unlock (&server->mutex);
}

GPtrArray *
ferry_test_server_get_requests (FerryTestServer *server,
                                const char      *path)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) ferry_test_request_free);
  Resource *r;

  g_mutex_lock (&server->mutex);
  r = g_hash_table_lookup (server->resources, path);
  for (guint i = 0; r != NULL && i < r->requests->len; i++)
    {
      FerryTestRequest *orig = g_ptr_array_index (r->requests, i);
      FerryTestRequest *req = g_new0 (FerryTestRequest, 1);

      req->range = g_strdup (orig->range);
      req->if_range = g_strdup (orig->if_range);
      req->status = orig->status;
      req->time_usec = orig->time_usec;
      req->headers = copy_headers (orig->headers);
      g_ptr_array_add (copy, req);
    }
  g_mutex_unlock (&server->mutex);

  return copy;
}

guint
ferry_test_server_count_requests (FerryTestServer *server,
                                  const char      *path)
{
  g_autoptr(GPtrArray) requests = ferry_test_server_get_requests (server, path);

  return requests->len;
}

GBytes *
ferry_test_make_content (gsize   size,
                         guint32 seed)
{
  guint8 *data = g_malloc (size);
  guint32 x = seed ? seed : 1;

  /* xorshift32: fast, and different seeds give different files. */
  for (gsize i = 0; i < size; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      data[i] = (guint8) x;
    }

  return g_bytes_new_take (data, size);
}

char *
ferry_test_sha256_bytes (GBytes *bytes)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);
}

char *
ferry_test_sha256_file (const char *path)
{
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);
  g_autoptr(GBytes) bytes = NULL;

  if (file == NULL)
    return NULL;

  bytes = g_mapped_file_get_bytes (file);
  return ferry_test_sha256_bytes (bytes);
}

guint
ferry_test_server_get_max_in_flight (FerryTestServer *server)
{
  guint max;

  g_mutex_lock (&server->mutex);
  max = server->max_in_flight;
  g_mutex_unlock (&server->mutex);
  return max;
}

guint64
ferry_test_server_get_bytes_sent (FerryTestServer *server)
{
  guint64 sent;

  g_mutex_lock (&server->mutex);
  sent = server->body_bytes_sent;
  g_mutex_unlock (&server->mutex);
  return sent;
}

guint64
ferry_test_server_get_bytes_sent_for (FerryTestServer *server,
                                      const char      *path)
{
  Resource *r;
  guint64 sent = 0;

  g_mutex_lock (&server->mutex);
  r = g_hash_table_lookup (server->resources, path);
  if (r != NULL)
    sent = r->body_bytes_sent;
  g_mutex_unlock (&server->mutex);
  return sent;
}

static GHashTable *
copy_headers (GHashTable *headers)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer name, value;

  g_hash_table_iter_init (&iter, headers);
  while (g_hash_table_iter_next (&iter, &name, &value))
    g_hash_table_insert (copy, g_strdup (name), g_strdup (value));
  return copy;
}

guint
ferry_test_server_get_in_flight_at (FerryTestServer *server,
                                    const char      *path,
                                    guint            index)
{
  Resource *r;
  guint n = 0;

  g_mutex_lock (&server->mutex);
  r = g_hash_table_lookup (server->resources, path);
  if (r != NULL && r->arrivals != NULL && index < r->arrivals->len)
    n = g_array_index (r->arrivals, guint, index);
  g_mutex_unlock (&server->mutex);
  return n;
}

guint
ferry_test_server_get_in_flight (FerryTestServer *server)
{
  guint n;

  g_mutex_lock (&server->mutex);
  n = server->in_flight;
  g_mutex_unlock (&server->mutex);
  return n;
}
