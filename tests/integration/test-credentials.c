/* test-credentials.c: the caller's credentials stay with their origin
 *
 * What the receiving server was sent (its request log), what is left in the store's files
 * once a transfer ended, and an authenticating proxy (tinyproxy) that Ferry gets through.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gunixfdlist.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ferry-error.h"
#include "ferry-test-daemon.h"
#include "ferry-test-listener.h"
#include "ferry-test-nginx.h"
#include "ferry-test-server.h"

#define MiB (1024 * 1024)

#define SECRET_AUTHORIZATION "Bearer s3cret-t0ken-4711"
#define SECRET_COOKIE "sid=c00kie-value-0815"
#define SECRET_API_KEY "k3y-value-1234"
#define PLAIN_NOTE "visible-note"

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

/* The options of a transfer that carries credentials and one harmless header. */
static GVariant *
secret_options (gboolean paused)
{
  GVariantBuilder headers;
  GVariantDict options;

  g_variant_builder_init (&headers, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&headers, "{ss}", "Authorization", SECRET_AUTHORIZATION);
  g_variant_builder_add (&headers, "{ss}", "Cookie", SECRET_COOKIE);
  g_variant_builder_add (&headers, "{ss}", "X-Api-Key", SECRET_API_KEY);
  g_variant_builder_add (&headers, "{ss}", "X-Note", PLAIN_NOTE);

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert_value (&options, "headers", g_variant_builder_end (&headers));
  if (paused)
    g_variant_dict_insert (&options, "paused", "b", TRUE);
  return g_variant_dict_end (&options);
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

static void
assert_has_credentials (GHashTable *headers)
{
  g_assert_cmpstr (g_hash_table_lookup (headers, "authorization"), ==, SECRET_AUTHORIZATION);
  g_assert_cmpstr (g_hash_table_lookup (headers, "cookie"), ==, SECRET_COOKIE);
  g_assert_cmpstr (g_hash_table_lookup (headers, "x-api-key"), ==, SECRET_API_KEY);
  g_assert_cmpstr (g_hash_table_lookup (headers, "x-note"), ==, PLAIN_NOTE);
}

/* None of the credentials, but the harmless header still. */
static void
assert_no_credentials (GHashTable *headers)
{
  g_assert_null (g_hash_table_lookup (headers, "authorization"));
  g_assert_null (g_hash_table_lookup (headers, "cookie"));
  g_assert_null (g_hash_table_lookup (headers, "x-api-key"));
  g_assert_cmpstr (g_hash_table_lookup (headers, "x-note"), ==, PLAIN_NOTE);
}

/* -- Downloads ---------------------------------------------------------------------------- */

/* A redirect on the same server keeps the caller's credentials; one to another origin (the
 * same host, another port) sends none there, neither on that hop nor on the attempt that
 * resumes after the connection dropped. */
static void
test_download_redirect (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(FerryTestServer) other = ferry_test_server_new ();
  g_autoptr(GBytes) here = ferry_test_make_content (MiB, 31);
  g_autoptr(GBytes) moved = ferry_test_make_content (3 * MiB, 32);
  g_autofree char *moved_uri = ferry_test_server_uri (other, "/moved");
  g_autoptr(FerryTransfer1) same = NULL;
  g_autoptr(FerryTransfer1) away = NULL;
  g_autoptr(GPtrArray) requests = NULL;

  ferry_test_server_add_file (f->server, "/here", here, "\"h1\"");
  ferry_test_server_add_redirect (f->server, "/same", "/here");
  ferry_test_server_add_file (other, "/moved", moved, "\"m1\"");
  ferry_test_server_set_drop (other, "/moved", MiB, 1);
  ferry_test_server_add_redirect (f->server, "/away", moved_uri);

  same = ferry_test_daemon_add_from (f->daemon, f->server, "/same", secret_options (FALSE));
  g_assert_true (ferry_test_wait_state (same, "completed", 60000));
  assert_file_sha256 (ferry_transfer1_get_destination (same), here);
  requests = ferry_test_server_get_requests (f->server, "/here");
  g_assert_cmpuint (requests->len, ==, 1);
  assert_has_credentials (((FerryTestRequest *) g_ptr_array_index (requests, 0))->headers);
  g_clear_pointer (&requests, g_ptr_array_unref);

  away = ferry_test_daemon_add_from (f->daemon, f->server, "/away", secret_options (FALSE));
  g_assert_true (ferry_test_wait_state (away, "completed", 60000));
  assert_file_sha256 (ferry_transfer1_get_destination (away), moved);

  /* The origin the caller named got them. */
  requests = ferry_test_server_get_requests (f->server, "/away");
  g_assert_cmpuint (requests->len, >=, 1);
  assert_has_credentials (((FerryTestRequest *) g_ptr_array_index (requests, 0))->headers);
  g_clear_pointer (&requests, g_ptr_array_unref);

  /* The other one: the first attempt and the resumed one. */
  requests = ferry_test_server_get_requests (other, "/moved");
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_nonnull (((FerryTestRequest *) g_ptr_array_index (requests, 1))->range);
  for (guint i = 0; i < requests->len; i++)
    assert_no_credentials (((FerryTestRequest *) g_ptr_array_index (requests, i))->headers);

  /* ferryd's idle connections would hold the other server's handlers: it goes first. */
  ferry_test_daemon_kill (f->daemon);
}

/* -- Uploads ------------------------------------------------------------------------------ */

/* A plain upload server of a few lines: PUT /start answers 307 to @redirect_to (when set),
 * anything else takes the body and answers 201. It keeps every request's headers. */
typedef struct
{
  FerryTestListener *listener;
  GMutex lock;
  char *redirect_to;
  GPtrArray *headers;   /* GHashTable per request */
  GBytes *body;         /* the last body taken */
} MiniServer;

static GHashTable *
copy_table (GHashTable *table)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
  return copy;
}

/* The request body, by Content-Length or chunked. NULL when the connection broke. */
static GBytes *
read_body (GInputStream *in,
           GHashTable   *headers)
{
  const char *length = g_hash_table_lookup (headers, "content-length");
  const char *encoding = g_hash_table_lookup (headers, "transfer-encoding");
  g_autoptr(GByteArray) body = g_byte_array_new ();

  if (encoding != NULL && g_ascii_strcasecmp (encoding, "chunked") == 0)
    {
      g_autoptr(GDataInputStream) data = g_data_input_stream_new (in);

      g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (data), FALSE);
      g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (data), 1);
      for (;;)
        {
          g_autofree char *line = g_data_input_stream_read_line (data, NULL, NULL, NULL);
          guint64 size;

          if (line == NULL)
            return NULL;
          size = g_ascii_strtoull (line, NULL, 16);
          if (size == 0)
            {
              g_autofree char *end = g_data_input_stream_read_line (data, NULL, NULL, NULL);
              break;
            }
          {
            g_autofree guint8 *chunk = g_malloc (size + 2);
            gsize got = 0;

            if (!g_input_stream_read_all (G_INPUT_STREAM (data), chunk, size + 2, &got, NULL,
                                          NULL) || got != size + 2)
              return NULL;
            g_byte_array_append (body, chunk, (guint) size);
          }
        }
    }
  else if (length != NULL)
    {
      guint64 size = g_ascii_strtoull (length, NULL, 10);
      g_autofree guint8 *bytes = g_malloc (MAX (size, 1));
      gsize got = 0;

      if (!g_input_stream_read_all (in, bytes, size, &got, NULL, NULL) || got != size)
        return NULL;
      g_byte_array_append (body, bytes, (guint) size);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&body));
}

static gboolean
mini_answer (GOutputStream *out,
             const char    *status_line,
             const char    *extra)
{
  g_autofree char *reply = g_strdup_printf ("HTTP/1.1 %s\r\n%sContent-Length: 0\r\n\r\n",
                                            status_line, extra ? extra : "");

  return g_output_stream_write_all (out, reply, strlen (reply), NULL, NULL, NULL);
}

static gboolean
mini_request (GInputStream  *in,
              GOutputStream *out,
              GStrv          parts,
              GHashTable    *headers,
              gpointer       user_data)
{
  MiniServer *server = user_data;
  g_autoptr(GBytes) body = read_body (in, headers);
  g_autofree char *location = NULL;

  if (body == NULL)
    return FALSE;

  g_mutex_lock (&server->lock);
  g_ptr_array_add (server->headers, copy_table (headers));
  if (server->redirect_to != NULL && g_str_equal (parts[1], "/start"))
    location = g_strdup_printf ("Location: %s\r\n", server->redirect_to);
  else
    {
      g_clear_pointer (&server->body, g_bytes_unref);
      server->body = g_bytes_ref (body);
    }
  g_mutex_unlock (&server->lock);

  if (location != NULL)
    return mini_answer (out, "307 Temporary Redirect", location);
  return mini_answer (out, "201 Created", NULL);
}

static MiniServer *
mini_server_new (void)
{
  MiniServer *server = g_new0 (MiniServer, 1);

  g_mutex_init (&server->lock);
  server->headers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  server->listener = ferry_test_listener_new (4, mini_request, server);
  return server;
}

static char *
mini_server_uri (MiniServer *server,
                 const char *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", ferry_test_listener_get_port (server->listener),
                          path);
}

static void
mini_server_free (MiniServer *server)
{
  if (!ferry_test_listener_free (server->listener, "mini upload server"))
    return;
  g_ptr_array_unref (server->headers);
  g_clear_pointer (&server->body, g_bytes_unref);
  g_free (server->redirect_to);
  g_mutex_clear (&server->lock);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MiniServer, mini_server_free)

static GHashTable *
mini_server_headers (MiniServer *server,
                     guint       index)
{
  GHashTable *headers = NULL;

  g_mutex_lock (&server->lock);
  if (index < server->headers->len)
    headers = copy_table (g_ptr_array_index (server->headers, index));
  g_mutex_unlock (&server->lock);
  return headers;
}

/* An upload's 307 to another origin: the file goes there, the credentials do not. */
static void
test_upload_redirect (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(MiniServer) start = mini_server_new ();
  g_autoptr(MiniServer) elsewhere = mini_server_new ();
  g_autoptr(GBytes) content = ferry_test_make_content (MiB, 33);
  g_autofree char *source = g_build_filename (g_get_user_cache_dir (), "report.bin", NULL);
  g_autofree char *uri = mini_server_uri (start, "/start");
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GVariant) options = NULL;
  g_autoptr(GVariant) secret = NULL;
  g_autoptr(GVariant) headers = NULL;
  g_autoptr(GHashTable) first = NULL;
  g_autoptr(GHashTable) second = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *object_path = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;
  GVariantDict dict;
  int fd;

  start->redirect_to = mini_server_uri (elsewhere, "/put");
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (source, g_bytes_get_data (content, NULL),
                                      (gssize) g_bytes_get_size (content), NULL));

  secret = g_variant_ref_sink (secret_options (FALSE));
  headers = g_variant_lookup_value (secret, "headers", G_VARIANT_TYPE ("a{ss}"));
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, "headers", headers);
  g_variant_dict_insert (&dict, "protocol", "s", "plain");
  g_variant_dict_insert (&dict, "method", "s", "PUT");
  options = g_variant_ref_sink (g_variant_dict_end (&dict));

  fd = open (source, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_unix_fd_list_append (fds, fd, NULL);
  close (fd);
  ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0),
                                       options, fds, &object_path, NULL, NULL, &error);
  g_assert_no_error (error);
  t = ferry_test_daemon_transfer (f->daemon, object_path);

  g_assert_true (ferry_test_wait_state (t, "completed", 60000));

  first = mini_server_headers (start, 0);
  g_assert_nonnull (first);
  assert_has_credentials (first);
  second = mini_server_headers (elsewhere, 0);
  g_assert_nonnull (second);
  assert_no_credentials (second);

  g_mutex_lock (&elsewhere->lock);
  got = ferry_test_sha256_bytes (elsewhere->body);
  g_mutex_unlock (&elsewhere->lock);
  want = ferry_test_sha256_bytes (content);
  g_assert_cmpstr (got, ==, want);

  /* ferryd's idle connections would hold the servers' handlers: it goes first. */
  ferry_test_daemon_kill (f->daemon);
}

/* -- The store ---------------------------------------------------------------------------- */

static char *
store_path (const char *suffix)
{
  return g_strconcat (g_get_user_data_dir (), "/", FERRY_STORE_DIR, "/ferry.db", suffix, NULL);
}

/* Whether @needle is anywhere in the store's files (the database, its WAL and shared
 * memory), and that each of them is the user's alone. */
static gboolean
store_contains (const char *needle)
{
  const char *suffixes[] = { "", "-wal", "-shm" };
  gboolean found = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = store_path (suffixes[i]);
      g_autofree char *bytes = NULL;
      gsize size = 0;
      struct stat st;

      if (g_stat (path, &st) != 0)
        {
          g_assert_cmpint (errno, ==, ENOENT);
          /* The database itself is always there. */
          g_assert_cmpstr (suffixes[i], !=, "");
          continue;
        }
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      g_assert_true (g_file_get_contents (path, &bytes, &size, NULL));
      if (memmem (bytes, size, needle, strlen (needle)) != NULL)
        found = TRUE;
    }
  return found;
}

/* While a transfer may still run, its credentials are stored (a restart needs them); once
 * it ended, completed or cancelled, none is left in any of the store's files, and they are
 * 0600 throughout. */
static void
test_store_forgets (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (2 * MiB, 34);
  g_autoptr(FerryTransfer1) done = NULL;
  g_autoptr(FerryTransfer1) paused = NULL;
  g_autoptr(GError) error = NULL;
  const char *secrets[] = { SECRET_AUTHORIZATION, SECRET_COOKIE, SECRET_API_KEY };

  ferry_test_server_add_file (f->server, "/file", content, "\"s1\"");
  ferry_test_server_set_drop (f->server, "/file", MiB, 1);
  ferry_test_server_add_file (f->server, "/later", content, "\"s2\"");

  /* Stored while it waits: the check below can see them. */
  paused = ferry_test_daemon_add_from (f->daemon, f->server, "/later", secret_options (TRUE));
  g_assert_true (ferry_test_wait_state (paused, "paused", 30000));
  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    g_assert_true (store_contains (secrets[i]));

  done = ferry_test_daemon_add_from (f->daemon, f->server, "/file", secret_options (FALSE));
  g_assert_true (ferry_test_wait_state (done, "completed", 60000));
  assert_file_sha256 (ferry_transfer1_get_destination (done), content);
  g_assert_true (ferry_transfer1_call_cancel_sync (paused, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (paused, "canceled", 30000));

  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    g_assert_false (store_contains (secrets[i]));
  /* What is no credential stays. */
  g_assert_true (store_contains (PLAIN_NOTE));
}

/* A caller's User-Agent (a browser's, handing a download over) reaches the server as given;
 * without one, the request says it is Ferry's. */
static void
test_user_agent (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (64 * 1024, 42);
  g_autoptr(FerryTransfer1) given = NULL;
  g_autoptr(FerryTransfer1) own = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  GVariantBuilder headers;
  GVariantDict options;
  const char *agent;

  ferry_test_server_add_file (f->server, "/given", content, "\"a1\"");
  ferry_test_server_add_file (f->server, "/own", content, "\"a2\"");

  g_variant_builder_init (&headers, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&headers, "{ss}", "User-Agent", "Mozilla/5.0 (X11; Linux) Test/1");
  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert_value (&options, "headers", g_variant_builder_end (&headers));
  given = ferry_test_daemon_add_from (f->daemon, f->server, "/given",
                                      g_variant_dict_end (&options));
  own = ferry_test_daemon_add_from (f->daemon, f->server, "/own", NULL);
  g_assert_true (ferry_test_wait_state (given, "completed", 30000));
  g_assert_true (ferry_test_wait_state (own, "completed", 30000));

  requests = ferry_test_server_get_requests (f->server, "/given");
  g_assert_cmpuint (requests->len, ==, 1);
  agent = g_hash_table_lookup (((FerryTestRequest *) g_ptr_array_index (requests, 0))->headers,
                               "user-agent");
  g_assert_cmpstr (agent, ==, "Mozilla/5.0 (X11; Linux) Test/1");
  g_clear_pointer (&requests, g_ptr_array_unref);

  requests = ferry_test_server_get_requests (f->server, "/own");
  g_assert_cmpuint (requests->len, ==, 1);
  agent = g_hash_table_lookup (((FerryTestRequest *) g_ptr_array_index (requests, 0))->headers,
                               "user-agent");
  g_assert_nonnull (agent);
  g_assert_true (g_str_has_prefix (agent, "Ferry/"));
}

/* A transfer refused (401) forgets its credentials as it ends; Update gives them again, and
 * the resumed transfer sends them and completes. An empty set removes them. */
static void
test_update_headers (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (MiB, 41);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder headers;
  GVariantDict options;

  ferry_test_server_add_file (f->server, "/login", content, "\"u1\"");
  ferry_test_server_queue_status (f->server, "/login", 401, NULL);

  t = ferry_test_daemon_add_from (f->daemon, f->server, "/login", secret_options (FALSE));
  g_assert_true (ferry_test_wait_state (t, "rejected", 30000));
  g_assert_false (store_contains (SECRET_AUTHORIZATION));

  /* Headers of the wrong shape are refused, and change nothing. */
  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "headers", "s", "Authorization: x");
  g_assert_false (ferry_transfer1_call_update_sync (t, g_variant_dict_end (&options), NULL,
                                                    &error));
  g_assert_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_variant_builder_init (&headers, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&headers, "{ss}", "Authorization", SECRET_AUTHORIZATION);
  g_variant_builder_add (&headers, "{ss}", "Cookie", SECRET_COOKIE);
  g_variant_builder_add (&headers, "{ss}", "X-Api-Key", SECRET_API_KEY);
  g_variant_builder_add (&headers, "{ss}", "X-Note", PLAIN_NOTE);
  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert_value (&options, "headers", g_variant_builder_end (&headers));
  g_assert_true (ferry_transfer1_call_update_sync (t, g_variant_dict_end (&options), NULL,
                                                   &error));
  g_assert_no_error (error);
  g_assert_true (store_contains (SECRET_AUTHORIZATION));

  g_assert_true (ferry_transfer1_call_resume_sync (t, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "completed", 60000));
  assert_file_sha256 (ferry_transfer1_get_destination (t), content);

  requests = ferry_test_server_get_requests (f->server, "/login");
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_cmpuint (((FerryTestRequest *) g_ptr_array_index (requests, 0))->status, ==, 401);
  assert_has_credentials (((FerryTestRequest *) g_ptr_array_index (requests, 1))->headers);
  g_assert_false (store_contains (SECRET_AUTHORIZATION));
}

/* A transfer that ended while its credentials were still stored (ferryd stopped before it
 * forgot them, or an older Ferry kept them): they go when ferryd next starts. */
static void
test_store_forgets_on_restart (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (MiB, 39);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = store_path ("");
  g_auto(GStrv) paths = NULL;
  const char *argv[] = {
    "/usr/bin/python3", "-c",
    "import sqlite3, sys\n"
    "c = sqlite3.connect(sys.argv[1])\n"
    "c.execute('UPDATE transfers SET state = 4')\n"   /* FERRY_STATE_COMPLETED */
    "c.commit()\n",
    db, NULL
  };
  int status;

  ferry_test_server_add_file (f->server, "/old", content, "\"o1\"");
  t = ferry_test_daemon_add_from (f->daemon, f->server, "/old", secret_options (TRUE));
  g_assert_true (ferry_test_wait_state (t, "paused", 30000));
  g_clear_object (&t);
  ferry_test_daemon_kill (f->daemon);

  /* As stored by a Ferry that ended it and kept the headers. */
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (store_contains (SECRET_AUTHORIZATION));

  /* The next call starts ferryd again. */
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (paths), ==, 1);
  g_assert_false (store_contains (SECRET_AUTHORIZATION));
  g_assert_false (store_contains (SECRET_COOKIE));
  g_assert_false (store_contains (SECRET_API_KEY));
  g_assert_true (store_contains (PLAIN_NOTE));
}

/* -- An authenticating proxy -------------------------------------------------------------- */

#define PROXY_USER "ferry"
#define PROXY_PASSWORD "pr0xy-pa55-6789"
#define WRONG_PASSWORD "wr0ng-pa55-2468"

/* What a test of this part needs, as flags in its data. */
enum
{
  WANT_PROXY = 1 << 0,   /* tinyproxy asking for PROXY_USER and PROXY_PASSWORD */
  WANT_TLS = 1 << 1,     /* nginx over https with a CA of the test's, trusted by ferryd */
  WANT_WRONG_PASSWORD = 1 << 2,   /* the user's proxy address has another password */
  WANT_GNOME_SETTINGS = 1 << 3,   /* the proxy is in GNOME's settings, not in http_proxy */
  WANT_REDIRECT = 1 << 4,         /* the upload test's server redirects (307) */
};

typedef struct
{
  FerryTestDaemon *daemon;
  FerryTestServer *server;
  GSubprocess *proxy;
  guint16 proxy_port;
  char *dir;
  char *daemon_log;
  char *proxy_log;
  FerryTestNginx *nginx;
  guint16 tls_port;
  guint16 plain_port;      /* where the https server's upload address points: nothing */
  char *installed_ca;      /* the CA file added to the system's trust, removed after */
  GSubprocess *ca_remover;
  const char *skip;
} ProxyFixture;

static gboolean
proxy_listens (gpointer user_data)
{
  return ferry_test_port_answers (((ProxyFixture *) user_data)->proxy_port);
}

static void
run_shell (const char *script)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "/bin/sh", "-ec", script, NULL };
  g_autofree char *err = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                               NULL, NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", script, err);
}

/* A CA and a certificate for 127.0.0.1 signed by it, and nginx with them; trust_ca() makes
 * ferryd trust the CA (glib-networking reads only the system's trust: no variable points it
 * elsewhere). */
static void
tls_setup (ProxyFixture *f)
{
  g_autofree char *script = NULL;
  g_autofree char *server = NULL;
  FerryTestNginxConfig config = {
    .dir = f->dir,
    .log_format = "$request_method $uri $status",
    .listen = "ssl",
  };

  if (!ferry_test_nginx_available () ||
      !g_file_test ("/usr/bin/openssl", G_FILE_TEST_IS_EXECUTABLE) ||
      !g_file_test ("/usr/sbin/update-ca-certificates", G_FILE_TEST_IS_EXECUTABLE))
    {
      f->skip = "nginx, openssl or update-ca-certificates is missing";
      return;
    }
  if (access ("/usr/local/share/ca-certificates", W_OK) != 0)
    {
      f->skip = "the test cannot add its CA to the system's trust (needs root): "
                "glib-networking reads no other";
      return;
    }

  script = g_strdup_printf (
    "cd '%s'\n"
    "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1 "
    "  -subj '/CN=Ferry test CA %d' -addext basicConstraints=critical,CA:TRUE "
    "  -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null\n"
    "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
    "  -subj /CN=127.0.0.1 2>/dev/null\n"
    "printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > ext\n"
    "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
    "  -out server.crt -days 1 -extfile ext 2>/dev/null\n",
    f->dir, (int) getpid ());
  run_shell (script);

  f->plain_port = ferry_test_free_port ();
  server = g_strdup_printf (
    "    ssl_certificate %s/server.crt;\n"
    "    ssl_certificate_key %s/server.key;\n"
    /* A tus server that hands out an upload address in the clear. */
    "    location = /files {\n"
    "      add_header Tus-Resumable 1.0.0 always;\n"
    "      add_header Tus-Version 1.0.0 always;\n"
    "      add_header Location http://127.0.0.1:%u/files/1 always;\n"
    "      return 201;\n"
    "    }\n"
    "    location = /moved { return 307 http://127.0.0.1:%u/put; }",
    f->dir, f->dir, f->plain_port, f->plain_port);
  config.server = server;
  f->nginx = ferry_test_nginx_start (&config);
  f->tls_port = f->nginx->port;
}

/* GNOME's proxy settings as the user's session has them, with authentication; nothing
 * ignored (the default ignores 127.0.0.0/8). */
static void
write_gnome_proxy_settings (ProxyFixture *f)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "glib-2.0", "settings",
                                           NULL);
  g_autofree char *path = g_build_filename (dir, "keyfile", NULL);
  g_autofree char *contents = NULL;

  contents = g_strdup_printf ("[system/proxy]\nmode='manual'\nignore-hosts=@as []\n"
                              "[system/proxy/http]\nhost='127.0.0.1'\nport=%u\n"
                              "use-authentication=true\n"
                              "authentication-user='" PROXY_USER "'\n"
                              "authentication-password='" PROXY_PASSWORD "'\n",
                              f->proxy_port);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  g_setenv ("XDG_CURRENT_DESKTOP", "GNOME", TRUE);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "gnome", TRUE);
}

static void
new_session (gpointer user_data)
{
  setsid ();
}

/* The test's CA joins the system's trust, and leaves it when the pipe to a helper ends: at
 * teardown, or when a failed assertion or a timeout ends the test (the helper has a session
 * of its own, out of reach of a kill of the test's process group). Called once the test
 * bus runs: GTestDBus forks a watcher that would hold the pipe open. */
static void
trust_ca (ProxyFixture *f)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;

  f->installed_ca = g_strdup_printf ("/usr/local/share/ca-certificates/ferry-test-%d.crt",
                                     (int) getpid ());
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, new_session, NULL, NULL);
  f->ca_remover = g_subprocess_launcher_spawn (launcher, &error, "/bin/sh", "-c",
                                               "cat >/dev/null; rm -f \"$1\"; "
                                               "update-ca-certificates --fresh",
                                               "sh", f->installed_ca, NULL);
  g_assert_no_error (error);

  script = g_strdup_printf ("cp '%s/ca.crt' '%s' && update-ca-certificates >/dev/null",
                            f->dir, f->installed_ca);
  run_shell (script);
}

static void
start_proxy (ProxyFixture *f,
             gboolean      wrong_password,
             gboolean      gnome)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *conf_path = g_build_filename (f->dir, "tinyproxy.conf", NULL);
  g_autofree char *proxy_uri = NULL;

  f->proxy_port = ferry_test_free_port ();
  f->proxy_log = g_build_filename (f->dir, "tinyproxy.log", NULL);
  /* CONNECT is allowed to the https server's port only. */
  conf = g_strdup_printf ("Port %u\nListen 127.0.0.1\nTimeout 60\nMaxClients 10\n"
                          "Allow 127.0.0.1\nLogLevel Info\nLogFile \"%s\"\n"
                          "ConnectPort %u\n"
                          "BasicAuth " PROXY_USER " " PROXY_PASSWORD "\n",
                          f->proxy_port, f->proxy_log, f->tls_port ? f->tls_port : 443);
  g_assert_true (g_file_set_contents (conf_path, conf, -1, NULL));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, ferry_test_die_with_parent, NULL, NULL);
  f->proxy = g_subprocess_launcher_spawn (launcher, &error, "/usr/bin/tinyproxy", "-d", "-c",
                                          conf_path, NULL);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_until (proxy_listens, f, 30000));

  /* What a user sets, as ferryd's activation environment: the bus hands on this process's.
   * Nothing is exempt, so 127.0.0.1 goes through the proxy. */
  if (gnome)
    {
      write_gnome_proxy_settings (f);
      return;
    }
  proxy_uri = g_strdup_printf ("http://" PROXY_USER ":%s@127.0.0.1:%u",
                               wrong_password ? WRONG_PASSWORD : PROXY_PASSWORD,
                               f->proxy_port);
  g_setenv ("http_proxy", proxy_uri, TRUE);
  g_setenv ("https_proxy", proxy_uri, TRUE);
  g_setenv ("no_proxy", "", TRUE);
  g_unsetenv ("NO_PROXY");
}

static void
proxy_setup (ProxyFixture  *f,
             gconstpointer  data)
{
  guint want = GPOINTER_TO_UINT (data);
  g_autoptr(GError) error = NULL;
  int saved_stdout, saved_stderr, log_fd;

  if ((want & WANT_PROXY) && !g_file_test ("/usr/bin/tinyproxy", G_FILE_TEST_IS_EXECUTABLE))
    {
      f->skip = "tinyproxy is not installed (apt-get install tinyproxy)";
      return;
    }

  f->server = ferry_test_server_new ();
  f->dir = g_dir_make_tmp ("ferry-credentials-XXXXXX", &error);
  g_assert_no_error (error);

  if (want & WANT_TLS)
    {
      tls_setup (f);
      if (f->skip != NULL)
        return;
    }
  if (want & WANT_PROXY)
    start_proxy (f, (want & WANT_WRONG_PASSWORD) != 0, (want & WANT_GNOME_SETTINGS) != 0);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);

  /* The bus daemon, and the ferryd it starts, write to the standard output and error they
   * inherit: a file, for the whole of ferryd's output (GLib logs debug and info messages
   * to the standard output, the rest to the standard error). */
  f->daemon_log = g_build_filename (f->dir, "ferryd.log", NULL);
  log_fd = open (f->daemon_log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  g_assert_cmpint (log_fd, >=, 0);
  fflush (stdout);
  fflush (stderr);
  saved_stdout = dup (STDOUT_FILENO);
  saved_stderr = dup (STDERR_FILENO);
  g_assert_cmpint (dup2 (log_fd, STDOUT_FILENO), ==, STDOUT_FILENO);
  g_assert_cmpint (dup2 (log_fd, STDERR_FILENO), ==, STDERR_FILENO);
  f->daemon = ferry_test_daemon_new ();
  fflush (stdout);
  fflush (stderr);
  g_assert_cmpint (dup2 (saved_stdout, STDOUT_FILENO), ==, STDOUT_FILENO);
  g_assert_cmpint (dup2 (saved_stderr, STDERR_FILENO), ==, STDERR_FILENO);
  close (saved_stdout);
  close (saved_stderr);
  close (log_fd);

  /* Before ferryd starts (at the first call), which reads the trust then. */
  if (want & WANT_TLS)
    trust_ca (f);

  g_unsetenv ("G_MESSAGES_DEBUG");
  g_unsetenv ("http_proxy");
  g_unsetenv ("https_proxy");
  g_unsetenv ("no_proxy");
  g_unsetenv ("XDG_CURRENT_DESKTOP");
  g_unsetenv ("GIO_USE_PROXY_RESOLVER");
}

static void
stop_child (GSubprocess **child)
{
  if (*child == NULL)
    return;
  g_subprocess_force_exit (*child);
  g_subprocess_wait (*child, NULL, NULL);
  g_clear_object (child);
}

static void
proxy_teardown (ProxyFixture  *f,
                gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_server_free);
  stop_child (&f->proxy);
  g_clear_pointer (&f->nginx, ferry_test_nginx_stop);
  if (f->ca_remover != NULL)
    {
      g_output_stream_close (g_subprocess_get_stdin_pipe (f->ca_remover), NULL, NULL);
      g_subprocess_wait (f->ca_remover, NULL, NULL);
      g_assert_false (g_file_test (f->installed_ca, G_FILE_TEST_EXISTS));
      g_clear_object (&f->ca_remover);
    }
  if (f->dir != NULL)
    {
      g_autofree char *script = g_strdup_printf ("rm -rf '%s'", f->dir);

      run_shell (script);
    }
  g_clear_pointer (&f->installed_ca, g_free);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->daemon_log, g_free);
  g_clear_pointer (&f->proxy_log, g_free);
}

static void
assert_log_has_no_password (ProxyFixture *f)
{
  g_autofree char *log = NULL;

  g_assert_true (g_file_get_contents (f->daemon_log, &log, NULL, NULL));
  /* ferryd did write here (its completion message)... */
  g_assert_nonnull (strstr (log, "completed"));
  /* ...and never the password, nor a caller's credential. */
  g_assert_null (strstr (log, PROXY_PASSWORD));
  g_assert_null (strstr (log, SECRET_AUTHORIZATION));
  g_assert_null (strstr (log, SECRET_COOKIE));
  g_assert_null (strstr (log, SECRET_API_KEY));
}

/* http_proxy=http://user:password@host:port (or GNOME's proxy settings with authentication)
 * with a proxy that asks (407): the download goes through it and completes, and neither the
 * password nor the caller's credentials are anywhere in ferryd's output (all of it, debug
 * messages included). */
static void
test_proxy_auth (ProxyFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (2 * MiB, 35);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  const char *via;

  if (f->skip != NULL)
    {
      g_test_skip (f->skip);
      return;
    }

  ferry_test_server_add_file (f->server, "/through", content, "\"p1\"");
  t = ferry_test_daemon_add_from (f->daemon, f->server, "/through", secret_options (FALSE));
  g_assert_true (ferry_test_wait_state (t, "completed", 60000));
  assert_file_sha256 (ferry_transfer1_get_destination (t), content);

  /* It came by the proxy (tinyproxy says so in Via), not around it. */
  requests = ferry_test_server_get_requests (f->server, "/through");
  g_assert_cmpuint (requests->len, ==, 1);
  via = g_hash_table_lookup (((FerryTestRequest *) g_ptr_array_index (requests, 0))->headers,
                             "via");
  g_assert_nonnull (via);
  g_assert_nonnull (strstr (via, "tinyproxy"));

  assert_log_has_no_password (f);
}

/* The same proxy for https: libsoup opens a CONNECT tunnel, the proxy asks (407), and the
 * download completes through the tunnel. */
static void
test_proxy_connect (ProxyFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (2 * MiB, 36);
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *object_path = NULL;
  g_autofree char *proxy_log = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;

  if (f->skip != NULL)
    {
      g_test_skip (f->skip);
      return;
    }

  path = g_build_filename (f->dir, "www", "secure.bin", NULL);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (content, NULL),
                                      (gssize) g_bytes_get_size (content), NULL));
  uri = g_strdup_printf ("https://127.0.0.1:%u/secure.bin", f->tls_port);
  object_path = ferry_test_daemon_add (f->daemon, uri, NULL, &error);
  g_assert_no_error (error);
  t = ferry_test_daemon_transfer (f->daemon, object_path);
  if (!ferry_test_wait_state (t, "completed", 60000))
    g_error ("The download through the tunnel ended %s: %s",
             ferry_transfer1_get_state (t), ferry_transfer1_get_error (t));
  assert_file_sha256 (ferry_transfer1_get_destination (t), content);

  /* Through the proxy's tunnel, not around it. */
  g_assert_true (g_file_get_contents (f->proxy_log, &proxy_log, NULL, NULL));
  g_assert_nonnull (strstr (proxy_log, "CONNECT"));
  assert_log_has_no_password (f);
}

/* Uploads have sessions of their own (on a worker thread): the same proxy, the same
 * answer to its 407. */
static void
test_proxy_upload (ProxyFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(MiniServer) server = NULL;
  g_autoptr(GBytes) content = ferry_test_make_content (MiB, 40);
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GHashTable) headers = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *object_path = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;
  GVariantDict dict;
  const char *via;
  int fd;

  if (f->skip != NULL)
    {
      g_test_skip (f->skip);
      return;
    }

  server = mini_server_new ();
  source = g_build_filename (f->dir, "upload.bin", NULL);
  g_assert_true (g_file_set_contents (source, g_bytes_get_data (content, NULL),
                                      (gssize) g_bytes_get_size (content), NULL));
  uri = mini_server_uri (server, "/put");
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "protocol", "s", "plain");
  g_variant_dict_insert (&dict, "method", "s", "PUT");
  fd = open (source, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_unix_fd_list_append (fds, fd, NULL);
  close (fd);
  ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0),
                                       g_variant_dict_end (&dict), fds, &object_path, NULL,
                                       NULL, &error);
  g_assert_no_error (error);
  t = ferry_test_daemon_transfer (f->daemon, object_path);
  g_assert_true (ferry_test_wait_state (t, "completed", 60000));

  headers = mini_server_headers (server, 0);
  g_assert_nonnull (headers);
  via = g_hash_table_lookup (headers, "via");
  g_assert_nonnull (via);
  g_assert_nonnull (strstr (via, "tinyproxy"));
  /* The proxy's credentials are the proxy's: not passed on to the server. */
  g_assert_null (g_hash_table_lookup (headers, "proxy-authorization"));
  g_mutex_lock (&server->lock);
  got = ferry_test_sha256_bytes (server->body);
  g_mutex_unlock (&server->lock);
  want = ferry_test_sha256_bytes (content);
  g_assert_cmpstr (got, ==, want);
  assert_log_has_no_password (f);

  /* ferryd's idle connections would hold the server's handlers: it goes first. */
  ferry_test_daemon_kill (f->daemon);
}

/* A password the proxy does not take: the download ends, saying so, rather than asking
 * again and again; the password is not in ferryd's output either. @data says http or
 * https. */
static void
test_proxy_wrong_password (ProxyFixture  *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (MiB, 38);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *object_path = NULL;
  g_autofree char *log = NULL;
  g_autoptr(GError) error = NULL;

  if (f->skip != NULL)
    {
      g_test_skip (f->skip);
      return;
    }

  if (GPOINTER_TO_UINT (data) & WANT_TLS)
    {
      g_autofree char *path = g_build_filename (f->dir, "www", "secure.bin", NULL);

      g_assert_true (g_file_set_contents (path, g_bytes_get_data (content, NULL),
                                          (gssize) g_bytes_get_size (content), NULL));
      uri = g_strdup_printf ("https://127.0.0.1:%u/secure.bin", f->tls_port);
    }
  else
    {
      ferry_test_server_add_file (f->server, "/through", content, "\"w1\"");
      uri = ferry_test_server_uri (f->server, "/through");
    }
  object_path = ferry_test_daemon_add (f->daemon, uri, NULL, &error);
  g_assert_no_error (error);
  t = ferry_test_daemon_transfer (f->daemon, object_path);

  /* tinyproxy answers wrong credentials with 401, where others (squid) send 407 again. */
  g_assert_true (ferry_test_wait_state (t, "rejected", 60000));
  g_assert_true (strstr (ferry_transfer1_get_error (t), "(HTTP 401)") != NULL ||
                 strstr (ferry_transfer1_get_error (t), "(HTTP 407)") != NULL);
  g_assert_true (g_file_get_contents (f->daemon_log, &log, NULL, NULL));
  g_assert_null (strstr (log, WRONG_PASSWORD));
}

/* An https upload whose server gives an http address to send the file to (tus's Location),
 * or redirects it there (307): refused, with a sentence, and nothing goes there. */
static void
test_upload_insecure (ProxyFixture  *f,
                      gconstpointer  data)
{
  gboolean redirect = (GPOINTER_TO_UINT (data) & WANT_REDIRECT) != 0;
  g_autoptr(GBytes) content = ferry_test_make_content (MiB, 37);
  g_autofree char *source = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *object_path = NULL;
  g_autofree char *access_log = NULL;
  g_autofree char *access_path = NULL;
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict dict;
  int fd;

  if (f->skip != NULL)
    {
      g_test_skip (f->skip);
      return;
    }

  source = g_build_filename (f->dir, "upload.bin", NULL);
  g_assert_true (g_file_set_contents (source, g_bytes_get_data (content, NULL),
                                      (gssize) g_bytes_get_size (content), NULL));
  uri = g_strdup_printf ("https://127.0.0.1:%u/%s", f->tls_port, redirect ? "moved" : "files");
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "protocol", "s", redirect ? "plain" : "tus");
  if (redirect)
    g_variant_dict_insert (&dict, "method", "s", "PUT");
  fd = open (source, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_unix_fd_list_append (fds, fd, NULL);
  close (fd);
  ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0),
                                       g_variant_dict_end (&dict), fds, &object_path, NULL,
                                       NULL, &error);
  g_assert_no_error (error);
  t = ferry_test_daemon_transfer (f->daemon, object_path);

  g_assert_true (ferry_test_wait_state (t, "rejected", 60000));
  g_assert_nonnull (strstr (ferry_transfer1_get_error (t),
                            redirect ? "from a secure address to an insecure one"
                                     : "insecure (http) address"));
  /* The request reached the https server (so TLS was good), and nothing went in the clear:
   * nothing listens at the http address (a try would have failed there, and been retried),
   * and no append was tried. */
  access_path = g_build_filename (f->dir, "access.log", NULL);
  g_assert_true (g_file_get_contents (access_path, &access_log, NULL, NULL));
  g_assert_nonnull (strstr (access_log, redirect ? "PUT /moved 307" : "POST /files 201"));
  g_assert_null (strstr (access_log, "PATCH"));
  g_assert_null (strstr (access_log, "HEAD"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/credentials/download-redirect", test_download_redirect);
  ADD ("/credentials/upload-redirect", test_upload_redirect);
  ADD ("/credentials/update-headers", test_update_headers);
  ADD ("/credentials/user-agent", test_user_agent);
  ADD ("/credentials/store-forgets", test_store_forgets);
  ADD ("/credentials/store-forgets-on-restart", test_store_forgets_on_restart);
#undef ADD
  g_test_add ("/credentials/proxy-auth", ProxyFixture, GUINT_TO_POINTER (WANT_PROXY),
              proxy_setup, test_proxy_auth, proxy_teardown);
  g_test_add ("/credentials/proxy-auth-gnome", ProxyFixture,
              GUINT_TO_POINTER (WANT_PROXY | WANT_GNOME_SETTINGS), proxy_setup,
              test_proxy_auth, proxy_teardown);
  g_test_add ("/credentials/proxy-upload", ProxyFixture, GUINT_TO_POINTER (WANT_PROXY),
              proxy_setup, test_proxy_upload, proxy_teardown);
  g_test_add ("/credentials/proxy-connect", ProxyFixture,
              GUINT_TO_POINTER (WANT_PROXY | WANT_TLS), proxy_setup, test_proxy_connect,
              proxy_teardown);
  g_test_add ("/credentials/proxy-wrong-password", ProxyFixture,
              GUINT_TO_POINTER (WANT_PROXY | WANT_WRONG_PASSWORD), proxy_setup,
              test_proxy_wrong_password, proxy_teardown);
  g_test_add ("/credentials/proxy-connect-wrong-password", ProxyFixture,
              GUINT_TO_POINTER (WANT_PROXY | WANT_TLS | WANT_WRONG_PASSWORD), proxy_setup,
              test_proxy_wrong_password, proxy_teardown);
  g_test_add ("/credentials/upload-insecure-location", ProxyFixture,
              GUINT_TO_POINTER (WANT_TLS), proxy_setup, test_upload_insecure, proxy_teardown);
  g_test_add ("/credentials/upload-insecure-redirect", ProxyFixture,
              GUINT_TO_POINTER (WANT_TLS | WANT_REDIRECT), proxy_setup, test_upload_insecure,
              proxy_teardown);

  return g_test_run ();
}
