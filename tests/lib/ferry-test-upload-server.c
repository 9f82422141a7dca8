/* ferry-test-upload-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ferry-test-listener.h"
#include "ferry-test-upload-server.h"

typedef struct
{
  GByteArray *data;
  gboolean complete;
  gboolean gone;
  guint generation;   /* bumped by every request to the upload: an older append stops */
} Upload;

struct _FerryTestUploadServer
{
  FerryTestListener *listener;
  guint interop;
  GMutex mutex;

  GPtrArray *uploads;          /* Upload*, in creation order */
  GHashTable *plain;           /* name → GBytes */
  GHashTable *fields;          /* name → form field */
  GHashTable *methods;         /* method → count */
  guint64 drop_bytes;
  guint drop_times;
  guint64 throttle;
  guint64 max_append;
  guint64 expire_at;           /* G_MAXUINT64: never */
  guint64 conflict_at;
  guint64 conflict_offset;
  guint64 mix_at;              /* G_MAXUINT64: never */
  guint64 mix_bytes;
  guint faults;                /* expiries, conflicts and mixes served */
  guint options_status;        /* what OPTIONS answers; 0: 204 */
  guint64 bytes_received;      /* every body byte read, whole requests or not */
  gboolean hide_limit;         /* max_append enforced but not announced */
  guint64 speaks;              /* bit N: interop N accepted too, besides interop */
  char *announce;              /* Upload-Draft-Interop-Version of OPTIONS answers, or NULL */
  guint interop_requests[64];  /* draft requests accepted, by interop version */
  char *plain_headers;         /* more header lines of a plain upload's 201, or NULL */
};

static void
upload_free (Upload *upload)
{
  g_byte_array_unref (upload->data);
  g_free (upload);
}

static gboolean
write_str (GOutputStream *out,
           const char    *str)
{
  return g_output_stream_write_all (out, str, strlen (str), NULL, NULL, NULL);
}

static gboolean
reply (GOutputStream *out,
       guint          status,
       const char    *reason,
       const char    *extra)
{
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %u %s\r\n%sContent-Length: 0\r\n\r\n",
                                           status, reason, extra ? extra : "");

  return write_str (out, head);
}

/* Reads @length body bytes into @sink (which may be NULL), keeping what arrived even when
 * the connection breaks or the drop knob cuts it. FALSE when the body did not all arrive.
 *
 * With @owner, bytes go into @sink only while no newer request has come for that upload
 * (@generation is still its generation): a client that restarts asks for the offset while
 * the bytes its dead connection had in flight may still be arriving, and the draft has the
 * server stop the older append then, so that the offset it answers stays true. */
static gboolean
read_body_for (FerryTestUploadServer *server,
               GInputStream          *in,
               guint64                length,
               GByteArray            *sink,
               Upload                *owner,
               guint                  generation)
{
  guint8 buffer[16 * 1024];
  guint64 got = 0;
  guint64 cut = G_MAXUINT64;
  guint64 throttle;

  g_mutex_lock (&server->mutex);
  if (server->drop_times > 0)
    {
      server->drop_times--;
      cut = server->drop_bytes;
    }
  throttle = server->throttle;
  g_mutex_unlock (&server->mutex);

  while (got < length)
    {
      gsize want = (gsize) MIN ((guint64) sizeof buffer, length - got);
      gssize n;

      if (got + want > cut)
        want = (gsize) (cut - got);
      if (want == 0)
        return FALSE;

      n = g_input_stream_read (in, buffer, want, NULL, NULL);
      if (n <= 0 || ferry_test_listener_is_stopping (server->listener))
        return FALSE;

      if (sink != NULL)
        {
          gboolean superseded;

          g_mutex_lock (&server->mutex);
          superseded = owner != NULL && owner->generation != generation;
          if (!superseded)
            g_byte_array_append (sink, buffer, (guint) n);
          g_mutex_unlock (&server->mutex);
          if (superseded)
            return FALSE;
        }
      got += (guint64) n;
      g_mutex_lock (&server->mutex);
      server->bytes_received += (guint64) n;
      g_mutex_unlock (&server->mutex);

      if (throttle > 0)
        g_usleep ((gulong) ((guint64) n * G_USEC_PER_SEC / throttle));
    }
  return TRUE;
}

static gboolean
read_body (FerryTestUploadServer *server,
           GInputStream          *in,
           guint64                length,
           GByteArray            *sink)
{
  return read_body_for (server, in, length, sink, NULL, 0);
}

static guint64
content_length (GHashTable *headers)
{
  const char *value = g_hash_table_lookup (headers, "content-length");

  return value ? g_ascii_strtoull (value, NULL, 10) : 0;
}

static Upload *
upload_at (FerryTestUploadServer *server,
           const char            *path)
{
  guint64 index;

  if (!g_str_has_prefix (path, "/ietf/u/") ||
      !g_ascii_string_to_unsigned (path + strlen ("/ietf/u/"), 10, 0, G_MAXUINT, &index, NULL) ||
      index >= server->uploads->len)
    return NULL;
  return g_ptr_array_index (server->uploads, index);
}

/* The file part of a multipart/form-data body, and its field name. */
static GBytes *
parse_multipart (const char *content_type,
                 GByteArray *body,
                 char      **out_field)
{
  const char *b = strstr (content_type, "boundary=");
  g_autofree char *delimiter = NULL;
  const guint8 *start;
  const guint8 *end;
  const char *name;
  const char *headers_end;
  g_autofree char *head = NULL;

  if (b == NULL)
    return NULL;
  delimiter = g_strdup_printf ("--%s", b + strlen ("boundary="));
  start = memmem (body->data, body->len, delimiter, strlen (delimiter));
  if (start == NULL)
    return NULL;
  headers_end = memmem (start, body->len - (gsize) (start - body->data), "\r\n\r\n", 4);
  if (headers_end == NULL)
    return NULL;
  head = g_strndup ((const char *) start, (gsize) (headers_end - (const char *) start));
  name = strstr (head, "name=\"");
  if (name != NULL)
    *out_field = g_strndup (name + 6, strcspn (name + 6, "\""));
  start = (const guint8 *) headers_end + 4;
  end = memmem (start, body->len - (gsize) (start - body->data), delimiter, strlen (delimiter));
  if (end == NULL || end - start < 2)
    return NULL;
  return g_bytes_new (start, (gsize) (end - start) - 2);   /* without the CRLF */
}

static gboolean
handle_plain (FerryTestUploadServer *server,
              GInputStream          *in,
              GOutputStream         *out,
              const char            *path,
              GHashTable            *headers)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  const char *type = g_hash_table_lookup (headers, "content-type");
  g_autofree char *field = NULL;
  g_autofree char *extra = NULL;
  GBytes *content;

  if (!read_body (server, in, content_length (headers), body))
    return FALSE;

  if (type != NULL && g_str_has_prefix (type, "multipart/form-data"))
    {
      content = parse_multipart (type, body, &field);
      if (content == NULL)
        return reply (out, 400, "Bad Request", NULL);
    }
  else
    {
      content = g_bytes_new (body->data, body->len);
    }

  g_mutex_lock (&server->mutex);
  g_hash_table_replace (server->plain, g_strdup (path + strlen ("/plain/")), content);
  if (field != NULL)
    g_hash_table_replace (server->fields, g_strdup (path + strlen ("/plain/")),
                          g_steal_pointer (&field));
  extra = g_strdup (server->plain_headers);
  g_mutex_unlock (&server->mutex);
  return reply (out, 201, "Created", extra);
}

static gboolean
handle_ietf (FerryTestUploadServer *server,
             GInputStream          *in,
             GOutputStream         *out,
             const char            *method,
             const char            *path,
             GHashTable            *headers)
{
  const char *version = g_hash_table_lookup (headers, "upload-draft-interop-version");
  g_autofree char *mine = g_strdup_printf ("%u", server->interop);
  g_autofree char *limit = NULL;
  Upload *upload;
  guint generation = 0;
  guint64 offset;
  gboolean complete;

  guint64 asked = 0;

  if (version != NULL && g_ascii_string_to_unsigned (version, 10, 1, 63, &asked, NULL) &&
      asked != server->interop && (server->speaks & (G_GUINT64_CONSTANT (1) << asked)))
    {
      g_free (mine);
      mine = g_strdup (version);
    }
  if (g_strcmp0 (version, mine) == 0)
    {
      g_mutex_lock (&server->mutex);
      server->interop_requests[asked < 64 ? asked : 0]++;
      g_mutex_unlock (&server->mutex);
    }

  if (g_strcmp0 (version, mine) != 0)
    {
      /* Another version of the draft: as a server that does not speak it. An empty body
       * leaves the knobs for the requests that carry bytes. */
      if (content_length (headers) > 0)
        read_body (server, in, content_length (headers), NULL);
      return reply (out, 400, "Bad Request", NULL);
    }

  limit = server->max_append > 0 && !server->hide_limit
            ? g_strdup_printf ("Upload-Limit: max-size=1099511627776, max-append-size=%"
                               G_GUINT64_FORMAT "\r\n", server->max_append)
            : g_strdup ("Upload-Limit: max-size=1099511627776\r\n");

  if (g_str_equal (path, "/ietf") && (g_str_equal (method, "POST") || g_str_equal (method, "PUT")))
    {
      g_autofree char *extra = NULL;
      guint index;

      if (g_strcmp0 (g_hash_table_lookup (headers, "upload-complete"), "?0") != 0 ||
          content_length (headers) != 0)
        {
          read_body (server, in, content_length (headers), NULL);
          return reply (out, 400, "Bad Request", NULL);
        }

      upload = g_new0 (Upload, 1);
      upload->data = g_byte_array_new ();
      g_mutex_lock (&server->mutex);
      index = server->uploads->len;
      g_ptr_array_add (server->uploads, upload);
      g_mutex_unlock (&server->mutex);

      extra = g_strdup_printf ("Location: /ietf/u/%u\r\n%s", index, limit);
      return reply (out, 201, "Created", extra);
    }

  g_mutex_lock (&server->mutex);
  upload = upload_at (server, path);
  if (upload != NULL)
    generation = ++upload->generation;
  if (upload != NULL && g_str_equal (method, "PATCH") && upload->data->len >= server->expire_at)
    {
      server->expire_at = G_MAXUINT64;
      server->faults++;
      upload->gone = TRUE;
    }
  if (upload != NULL && g_str_equal (method, "PATCH") &&
      upload->data->len >= server->conflict_at)
    {
      server->conflict_at = G_MAXUINT64;
      server->faults++;
      g_byte_array_set_size (upload->data, (guint) MIN (server->conflict_offset,
                                                        upload->data->len));
    }
  g_mutex_unlock (&server->mutex);

  if (upload == NULL || upload->gone)
    {
      read_body (server, in, content_length (headers), NULL);
      return reply (out, 404, "Not Found", NULL);
    }

  if (g_str_equal (method, "HEAD"))
    {
      g_autofree char *extra = g_strdup_printf ("Upload-Offset: %u\r\nUpload-Complete: %s\r\n"
                                                "Cache-Control: no-store\r\n%s",
                                                upload->data->len,
                                                upload->complete ? "?1" : "?0", limit);

      return reply (out, 204, "No Content", extra);
    }

  if (g_str_equal (method, "DELETE"))
    {
      upload->gone = TRUE;
      return reply (out, 204, "No Content", NULL);
    }

  if (!g_str_equal (method, "PATCH"))
    return reply (out, 405, "Method Not Allowed", NULL);

  if (g_strcmp0 (g_hash_table_lookup (headers, "content-type"), "application/partial-upload") != 0)
    {
      read_body (server, in, content_length (headers), NULL);
      return reply (out, 415, "Unsupported Media Type", NULL);
    }

  offset = g_ascii_strtoull (g_hash_table_lookup (headers, "upload-offset") ?: "x", NULL, 10);
  if (offset != upload->data->len || upload->complete)
    {
      g_autofree char *extra = g_strdup_printf ("Upload-Offset: %u\r\n", upload->data->len);

      read_body (server, in, content_length (headers), NULL);
      return reply (out, 409, "Conflict", extra);
    }

  if (server->max_append > 0 && content_length (headers) > server->max_append)
    {
      read_body (server, in, content_length (headers), NULL);
      return reply (out, 413, "Content Too Large", server->hide_limit ? NULL : limit);
    }

  if (!read_body_for (server, in, content_length (headers), upload->data, upload, generation))
    return FALSE;

  complete = g_strcmp0 (g_hash_table_lookup (headers, "upload-complete"), "?1") == 0;
  if (complete)
    {
      upload->complete = TRUE;
      return reply (out, 200, "OK", NULL);
    }

  {
    g_autofree char *extra = NULL;

    g_mutex_lock (&server->mutex);
    if (upload->data->len >= server->mix_at)
      {
        /* Bytes from elsewhere land in the upload, as from an append it did not stop. */
        guint at = upload->data->len;

        server->mix_at = G_MAXUINT64;
        server->faults++;
        g_byte_array_set_size (upload->data, at + (guint) server->mix_bytes);
        memset (upload->data->data + at, 0xee, server->mix_bytes);
      }
    extra = g_strdup_printf ("Upload-Offset: %u\r\n", upload->data->len);
    g_mutex_unlock (&server->mutex);

    return reply (out, 204, "No Content", extra);
  }
}

static gboolean
on_request (GInputStream  *in,
            GOutputStream *out,
            GStrv          parts,
            GHashTable    *headers,
            gpointer       user_data)
{
  FerryTestUploadServer *server = user_data;

  g_debug ("%s %s (Content-Length %s, Content-Type %s)", parts[0], parts[1],
           (char *) g_hash_table_lookup (headers, "content-length"),
           (char *) g_hash_table_lookup (headers, "content-type"));
  g_mutex_lock (&server->mutex);
  g_hash_table_replace (server->methods, g_strdup (parts[0]),
                        GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (server->methods,
                                                                                 parts[0])) + 1));
  g_mutex_unlock (&server->mutex);

  if (g_str_equal (parts[0], "OPTIONS") && server->options_status != 0)
    return reply (out, server->options_status, "Not Implemented", NULL);
  if (g_str_equal (parts[0], "OPTIONS") && server->announce != NULL &&
      g_str_has_prefix (parts[1], "/ietf"))
    {
      g_autofree char *extra = g_strdup_printf ("Upload-Limit: max-size=1099511627776\r\n"
                                                "Upload-Draft-Interop-Version: %s\r\n",
                                                server->announce);

      return reply (out, 204, "No Content", extra);
    }
  if (g_str_equal (parts[0], "OPTIONS"))
    return reply (out, 204, "No Content",
                  g_str_has_prefix (parts[1], "/ietf")
                    ? "Upload-Limit: max-size=1099511627776\r\n" : NULL);
  if (g_str_has_prefix (parts[1], "/plain/") &&
      (g_str_equal (parts[0], "PUT") || g_str_equal (parts[0], "POST")))
    return handle_plain (server, in, out, parts[1], headers);
  if (g_str_has_prefix (parts[1], "/ietf"))
    return handle_ietf (server, in, out, parts[0], parts[1], headers);
  return reply (out, 404, "Not Found", NULL);
}

FerryTestUploadServer *
ferry_test_upload_server_new (guint interop)
{
  FerryTestUploadServer *server = g_new0 (FerryTestUploadServer, 1);

  g_mutex_init (&server->mutex);
  server->interop = interop;
  server->expire_at = G_MAXUINT64;
  server->conflict_at = G_MAXUINT64;
  server->mix_at = G_MAXUINT64;
  server->uploads = g_ptr_array_new_with_free_func ((GDestroyNotify) upload_free);
  server->plain = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_bytes_unref);
  server->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  server->methods = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->listener = ferry_test_listener_new (16, on_request, server);
  return server;
}

void
ferry_test_upload_server_free (FerryTestUploadServer *server)
{
  if (!ferry_test_listener_free (server->listener, "Upload server"))
    return;

  g_ptr_array_unref (server->uploads);
  g_hash_table_unref (server->plain);
  g_hash_table_unref (server->fields);
  g_hash_table_unref (server->methods);
  g_free (server->announce);
  g_free (server->plain_headers);
  g_mutex_clear (&server->mutex);
  g_free (server);
}

char *
ferry_test_upload_server_uri (FerryTestUploadServer *server,
                              const char            *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", ferry_test_listener_get_port (server->listener),
                          path);
}

#define SETTER(body)                   \
  G_STMT_START {                       \
    g_mutex_lock (&server->mutex);     \
    body;                              \
    g_mutex_unlock (&server->mutex);   \
  } G_STMT_END

void
ferry_test_upload_server_set_drop (FerryTestUploadServer *server,
                                   guint64                bytes,
                                   guint                  times)
{
  SETTER (server->drop_bytes = bytes; server->drop_times = times);
}

void
ferry_test_upload_server_set_throttle (FerryTestUploadServer *server,
                                       guint64                bytes_per_second)
{
  SETTER (server->throttle = bytes_per_second);
}

void
ferry_test_upload_server_set_max_append (FerryTestUploadServer *server,
                                         guint64                bytes)
{
  SETTER (server->max_append = bytes);
}

void
ferry_test_upload_server_expire_at (FerryTestUploadServer *server,
                                    guint64                at)
{
  SETTER (server->expire_at = at);
}

void
ferry_test_upload_server_conflict_at (FerryTestUploadServer *server,
                                      guint64                at,
                                      guint64                offset)
{
  SETTER (server->conflict_at = at; server->conflict_offset = offset);
}

GBytes *
ferry_test_upload_server_get_upload (FerryTestUploadServer *server,
                                     guint                  index,
                                     gboolean              *out_complete)
{
  GBytes *bytes = NULL;

  g_mutex_lock (&server->mutex);
  if (index < server->uploads->len)
    {
      Upload *upload = g_ptr_array_index (server->uploads, index);

      bytes = g_bytes_new (upload->data->data, upload->data->len);
      if (out_complete != NULL)
        *out_complete = upload->complete && !upload->gone;
    }
  g_mutex_unlock (&server->mutex);
  return bytes;
}

guint
ferry_test_upload_server_count_uploads (FerryTestUploadServer *server)
{
  guint n;

  SETTER (n = server->uploads->len);
  return n;
}

GBytes *
ferry_test_upload_server_get_plain (FerryTestUploadServer *server,
                                    const char            *name,
                                    char                 **out_field)
{
  GBytes *bytes;

  g_mutex_lock (&server->mutex);
  bytes = g_hash_table_lookup (server->plain, name);
  if (bytes != NULL)
    g_bytes_ref (bytes);
  if (out_field != NULL)
    *out_field = g_strdup (g_hash_table_lookup (server->fields, name));
  g_mutex_unlock (&server->mutex);
  return bytes;
}

void
ferry_test_upload_server_mix_at (FerryTestUploadServer *server,
                                 guint64                at,
                                 guint64                bytes)
{
  SETTER (server->mix_at = at; server->mix_bytes = bytes);
}

void
ferry_test_upload_server_set_options_status (FerryTestUploadServer *server,
                                             guint                  status)
{
  SETTER (server->options_status = status);
}

guint
ferry_test_upload_server_count_faults (FerryTestUploadServer *server)
{
  guint n;

  SETTER (n = server->faults);
  return n;
}

guint
ferry_test_upload_server_count_method (FerryTestUploadServer *server,
                                       const char            *method)
{
  guint n;

  SETTER (n = GPOINTER_TO_UINT (g_hash_table_lookup (server->methods, method)));
  return n;
}

guint64
ferry_test_upload_server_get_bytes_received (FerryTestUploadServer *server)
{
  guint64 n;

  SETTER (n = server->bytes_received);
  return n;
}

void
ferry_test_upload_server_hide_limit (FerryTestUploadServer *server,
                                     gboolean               hide)
{
  SETTER (server->hide_limit = hide);
}

void
ferry_test_upload_server_also_speak (FerryTestUploadServer *server,
                                     guint                  interop)
{
  g_assert_cmpuint (interop, <, 64);
  SETTER (server->speaks |= G_GUINT64_CONSTANT (1) << interop);
}

void
ferry_test_upload_server_announce_interop (FerryTestUploadServer *server,
                                           const char            *versions)
{
  SETTER (g_free (server->announce); server->announce = g_strdup (versions));
}

guint
ferry_test_upload_server_count_interop (FerryTestUploadServer *server,
                                        guint                  interop)
{
  guint n;

  g_assert_cmpuint (interop, <, 64);
  SETTER (n = server->interop_requests[interop]);
  return n;
}

void
ferry_test_upload_server_set_plain_headers (FerryTestUploadServer *server,
                                            const char            *headers)
{
  g_mutex_lock (&server->mutex);
  g_free (server->plain_headers);
  server->plain_headers = g_strdup (headers);
  g_mutex_unlock (&server->mutex);
}
