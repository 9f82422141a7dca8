/* test-upload.c: uploads — the IETF resumable upload draft against the suite's own draft
 * server (interop 9 and 6; negotiation in test-interop.c), plain PUT and multipart POST, interruptions, kill -9, and files
 * that change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>

#include "ferry-error.h"
#include "ferry-test-daemon.h"
#include "ferry-test-server.h"
#include "ferry-test-upload-server.h"

#define MiB (1024 * 1024)

typedef struct
{
  FerryTestDaemon *daemon;
  FerryTestUploadServer *server;
  char *source;      /* the file uploaded */
  GBytes *content;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  guint interop = GPOINTER_TO_UINT (data) ? GPOINTER_TO_UINT (data) : 9;

  f->server = ferry_test_upload_server_new (interop);
  f->daemon = ferry_test_daemon_new ();
  f->source = g_build_filename (g_get_user_data_dir (), "holiday.mp4", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_upload_server_free);
  g_clear_pointer (&f->content, g_bytes_unref);
  g_free (f->source);
}

static void
write_source (Fixture *f,
              gsize    size,
              guint    seed)
{
  g_clear_pointer (&f->content, g_bytes_unref);
  f->content = ferry_test_make_content (size, seed);
  g_assert_true (g_file_set_contents (f->source, g_bytes_get_data (f->content, NULL),
                                      (gssize) size, NULL));
}

/* AddUpload of @path (opened here, passed as a descriptor) to @server_path. */
static char *
add_upload (Fixture    *f,
            const char *path,
            const char *server_path,
            GVariant   *options,
            GError    **error)
{
  g_autofree char *uri = ferry_test_upload_server_uri (f->server, server_path);
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GVariant) owned = g_variant_ref_sink (options ? options
                                                          : g_variant_new_array (G_VARIANT_TYPE ("{sv}"),
                                                                                 NULL, 0));
  char *object_path = NULL;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_unix_fd_list_append (fds, fd, NULL);
  close (fd);

  ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0), owned,
                                       fds, &object_path, NULL, NULL, error);
  return object_path;
}

static FerryTransfer1 *
upload (Fixture    *f,
        const char *server_path,
        GVariant   *options)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = add_upload (f, f->source, server_path, options, &error);

  g_assert_no_error (error);
  return ferry_test_daemon_transfer (f->daemon, path);
}

static GVariant *
options_of (const char *first_key,
            ...) G_GNUC_NULL_TERMINATED;

/* key, GVariant*, key, GVariant*, …, NULL */
static GVariant *
options_of (const char *first_key,
            ...)
{
  GVariantDict dict;
  va_list args;

  g_variant_dict_init (&dict, NULL);
  va_start (args, first_key);
  for (const char *key = first_key; key != NULL; key = va_arg (args, const char *))
    g_variant_dict_insert_value (&dict, key, va_arg (args, GVariant *));
  va_end (args);
  return g_variant_dict_end (&dict);
}

static void
assert_same_bytes (GBytes *got,
                   GBytes *want)
{
  g_autofree char *got_sha = NULL;
  g_autofree char *want_sha = ferry_test_sha256_bytes (want);

  g_assert_nonnull (got);
  got_sha = ferry_test_sha256_bytes (got);
  g_assert_cmpuint (g_bytes_get_size (got), ==, g_bytes_get_size (want));
  g_assert_cmpstr (got_sha, ==, want_sha);
}

static void
assert_upload_complete (Fixture *f,
                        guint    index)
{
  gboolean complete = FALSE;
  g_autoptr(GBytes) got = ferry_test_upload_server_get_upload (f->server, index, &complete);

  assert_same_bytes (got, f->content);
  g_assert_true (complete);
}

/* A connection lost in the middle of an append: the next attempt asks the server how much
 * it has and sends the rest, not the whole file again. */
static void
test_ietf_resume (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;

  write_source (f, 6 * MiB, 81);
  ferry_test_upload_server_set_drop (f->server, 3 * MiB, 1);

  t = upload (f, "/ietf", options_of ("protocol", g_variant_new_string ("ietf"),
                                      "interop-version",
                                      g_variant_new_uint32 (GPOINTER_TO_UINT (data) ?: 9),
                                      NULL));
  g_assert_cmpstr (ferry_transfer1_get_kind (t), ==, "upload");
  g_assert_cmpstr (ferry_transfer1_get_destination (t), ==, "holiday.mp4");
  g_assert_cmpuint (ferry_transfer1_get_bytes_total (t), ==, 6 * MiB);

  g_assert_true (ferry_test_wait_state (t, "completed", 20000));
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (t), ==, 6 * MiB);
  g_assert_true (ferry_transfer1_get_resumable (t));
  assert_upload_complete (f, 0);
  /* One upload resource, resumed after a HEAD. */
  g_assert_cmpuint (ferry_test_upload_server_count_uploads (f->server), ==, 1);
  g_assert_cmpuint (ferry_test_upload_server_count_method (f->server, "HEAD"), >=, 1);
}

/* The caller chose an interop version the server does not speak: the server does not
 * recognise the upload and refuses it; nothing is retried forever. */
static void
test_ietf_wrong_version (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;

  write_source (f, 1000, 82);
  t = upload (f, "/ietf", options_of ("protocol", g_variant_new_string ("ietf"),
                                      "interop-version", g_variant_new_uint32 (9), NULL));
  g_assert_true (ferry_test_wait_state (t, "rejected", 10000));
  g_assert_cmpuint (ferry_transfer1_get_http_status (t), ==, 400);
}

/* The server lost the end of what it had (409 with its offset), then forgot the upload
 * altogether (404): the upload continues from the server's offset, then starts over. */
static void
test_ietf_conflict_and_expiry (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;

  write_source (f, 3 * MiB, 83);
  /* Small appends, so there is a middle for things to go wrong in. */
  ferry_test_upload_server_set_max_append (f->server, MiB / 2);
  ferry_test_upload_server_conflict_at (f->server, MiB, MiB / 4);
  ferry_test_upload_server_expire_at (f->server, 2 * MiB);

  t = upload (f, "/ietf", options_of ("protocol", g_variant_new_string ("ietf"), NULL));
  g_assert_true (ferry_test_wait_state (t, "completed", 20000));

  g_assert_cmpuint (ferry_test_upload_server_count_faults (f->server), ==, 2);
  g_assert_cmpuint (ferry_test_upload_server_count_uploads (f->server), ==, 2);
  assert_upload_complete (f, 1);
}

/* The server answers an append with more bytes than Ferry has sent: its copy is not the
 * file. Ferry asks it to delete that upload and sends the file again in a new one, instead
 * of finishing a mix. */
static void
test_ietf_mixed (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;

  write_source (f, 3 * MiB, 99);
  ferry_test_upload_server_set_max_append (f->server, MiB / 2);
  ferry_test_upload_server_mix_at (f->server, MiB, 64 * 1024);

  t = upload (f, "/ietf", options_of ("protocol", g_variant_new_string ("ietf"), NULL));
  g_assert_true (ferry_test_wait_state (t, "completed", 20000));

  g_assert_cmpuint (ferry_test_upload_server_count_faults (f->server), ==, 1);
  g_assert_cmpuint (ferry_test_upload_server_count_uploads (f->server), ==, 2);
  g_assert_cmpuint (ferry_test_upload_server_count_method (f->server, "DELETE"), ==, 1);
  assert_upload_complete (f, 1);
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (t), ==, 3 * MiB);
}

/* A server that takes smaller appends than Ferry sends, without saying so beforehand: 413,
 * and Ferry sends less at a time until it fits. */
static void
test_ietf_too_large (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;

  write_source (f, 3 * MiB, 94);
  ferry_test_upload_server_set_max_append (f->server, 700 * 1024);
  ferry_test_upload_server_hide_limit (f->server, TRUE);
  t = upload (f, "/ietf", options_of ("protocol", g_variant_new_string ("ietf"), NULL));
  g_assert_true (ferry_test_wait_state (t, "completed", 20000));
  assert_upload_complete (f, 0);
  /* 8 MiB, 4 MiB, … refused; 512 KiB appends taken. */
  g_assert_cmpuint (ferry_test_upload_server_count_method (f->server, "PATCH"), >=, 6 + 4);
}

/* ferryctl upload, as a script would use it. */
static void
test_ferryctl_upload (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *uri = ferry_test_upload_server_uri (f->server, "/plain/report.pdf");
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GError) error = NULL;
  FerryTestRun run = { 0 };

  write_source (f, 2 * MiB + 3, 95);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           &error, g_getenv ("FERRY_CTL"), "upload", f->source, uri, "--method",
                           "PUT", "--wait", NULL);
  g_assert_no_error (error);
  ferry_test_run_finish (proc, &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "completed"));
  got = ferry_test_upload_server_get_plain (f->server, "report.pdf", NULL);
  assert_same_bytes (got, f->content);
  ferry_test_run_clear (&run);

  /* A file that is not there: exit status 1 and the reason. */
  g_clear_object (&proc);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           &error, g_getenv ("FERRY_CTL"), "upload", "/nonexistent/file", uri,
                           NULL);
  ferry_test_run_finish (proc, &run);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "cannot open /nonexistent/file"));
  ferry_test_run_clear (&run);
}

/* kill -9 of ferryd in the middle: activation brings it back, and the upload goes on from
 * the server's offset in the same upload resource. */
static void
test_ietf_kill (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(FerryTransfer1) again = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;

  write_source (f, 8 * MiB, 84);
  ferry_test_upload_server_set_throttle (f->server, 4 * MiB);
  t = upload (f, "/ietf", NULL);
  path = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (t)));
  g_assert_true (ferry_test_wait_bytes (t, 2 * MiB, 10000));

  ferry_test_daemon_kill (f->daemon);
  ferry_test_upload_server_set_throttle (f->server, 0);

  /* Any call brings ferryd back, and it takes up its queue. */
  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL,
                                                          &error));
  g_assert_no_error (error);
  again = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_true (ferry_test_wait_state (again, "completed", 20000));

  g_assert_cmpuint (ferry_test_upload_server_count_uploads (f->server), ==, 1);
  assert_upload_complete (f, 0);
}

static gboolean
has_upload (gpointer user_data)
{
  return ferry_test_upload_server_count_uploads (user_data) > 0;
}

/* Cancel asks the server to forget the upload. */
static void
test_ietf_cancel (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;

  write_source (f, 4 * MiB, 85);
  ferry_test_upload_server_set_throttle (f->server, MiB);
  t = upload (f, "/ietf", NULL);
  g_assert_true (ferry_test_wait_until (has_upload, f->server, 10000));
  ferry_test_sleep (300);

  ferry_transfer1_call_cancel_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "canceled", 5000));
  for (guint i = 0; i < 50 && ferry_test_upload_server_count_method (f->server, "DELETE") == 0; i++)
    ferry_test_sleep (100);
  g_assert_cmpuint (ferry_test_upload_server_count_method (f->server, "DELETE"), ==, 1);
}

/* A plain PUT interrupted starts over from byte 0, and says it is not resumable. */
static void
test_plain_put (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GBytes) got = NULL;

  write_source (f, 3 * MiB, 86);
  ferry_test_upload_server_set_drop (f->server, MiB, 1);
  t = upload (f, "/plain/holiday.mp4", options_of ("method", g_variant_new_string ("PUT"), NULL));
  g_assert_true (ferry_test_wait_state (t, "completed", 20000));
  g_assert_false (ferry_transfer1_get_resumable (t));
  g_assert_cmpuint (ferry_transfer1_get_http_status (t), ==, 201);
  /* auto found no resumable protocol: two PUTs, the second whole. */
  g_assert_cmpuint (ferry_test_upload_server_count_method (f->server, "PUT"), ==, 2);
  got = ferry_test_upload_server_get_plain (f->server, "holiday.mp4", NULL);
  assert_same_bytes (got, f->content);
}

/* A server that does not implement OPTIONS (501) offers no resumable protocol: auto sends
 * the file plainly at once, without waiting to ask again. */
static void
test_options_not_implemented (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GBytes) got = NULL;

  write_source (f, 300 * 1000, 98);
  ferry_test_upload_server_set_options_status (f->server, 501);
  t = upload (f, "/plain/minutes.pdf", options_of ("method", g_variant_new_string ("PUT"), NULL));
  g_assert_true (ferry_test_wait_state (t, "completed", 10000));
  g_assert_cmpuint (ferry_transfer1_get_attempts (t), ==, 0);
  g_assert_cmpuint (ferry_test_upload_server_count_method (f->server, "OPTIONS"), ==, 1);
  got = ferry_test_upload_server_get_plain (f->server, "minutes.pdf", NULL);
  assert_same_bytes (got, f->content);
}

static gboolean
sent_ahead (gpointer data)
{
  FerryTransfer1 *t = data;

  return ferry_transfer1_get_bytes_sent (t) >= MiB &&
         g_str_equal (ferry_transfer1_get_state (t), "running");
}

static gboolean
manager_uploading (gpointer data)
{
  FerryManager1 *manager = data;

  return ferry_manager1_get_upload_rate (manager) > 0;
}

/* A plain upload is acknowledged only at its end; until then BytesSent and Rate show it
 * moving, and BytesDone stays at what the server confirmed. */
static void
test_plain_progress (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GBytes) got = NULL;

  write_source (f, 4 * MiB, 97);
  t = upload (f, "/plain/slow.bin", options_of ("protocol", g_variant_new_string ("plain"),
                                                "method", g_variant_new_string ("PUT"),
                                                "rate-limit", g_variant_new_uint64 (MiB),
                                                NULL));
  g_assert_true (ferry_test_wait_until (sent_ahead, t, 10000));
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (t), ==, 0);
  g_assert_cmpuint (ferry_transfer1_get_bytes_sent (t), <, 4 * MiB);
  g_assert_cmpuint (ferry_transfer1_get_rate (t), >, 0);
  /* The service's totals put it with the uploads. */
  g_assert_true (ferry_test_wait_until (manager_uploading, f->daemon->manager, 5000));
  g_assert_cmpuint (ferry_manager1_get_download_rate (f->daemon->manager), ==, 0);

  g_assert_true (ferry_test_wait_state (t, "completed", 20000));
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (t), ==, 4 * MiB);
  g_assert_cmpuint (ferry_transfer1_get_bytes_sent (t), ==, 4 * MiB);
  got = ferry_test_upload_server_get_plain (f->server, "slow.bin", NULL);
  assert_same_bytes (got, f->content);
}

static void
test_multipart (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GBytes) got = NULL;
  g_autofree char *field = NULL;

  write_source (f, 700 * 1000, 87);
  t = upload (f, "/plain/form", options_of ("form-field", g_variant_new_string ("attachment"),
                                            "content-type", g_variant_new_string ("video/mp4"),
                                            NULL));
  g_assert_true (ferry_test_wait_state (t, "completed", 10000));
  got = ferry_test_upload_server_get_plain (f->server, "form", &field);
  assert_same_bytes (got, f->content);
  g_assert_cmpstr (field, ==, "attachment");
}

/* A file that changes between attempts is never sent as a mix of two versions. */
static void
test_changed_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;

  write_source (f, 2 * MiB, 88);
  t = upload (f, "/ietf", options_of ("paused", g_variant_new_boolean (TRUE), NULL));
  g_assert_true (ferry_test_wait_state (t, "paused", 5000));

  /* Same size, other bytes, a later modification time. */
  ferry_test_sleep (20);
  write_source (f, 2 * MiB, 89);

  ferry_transfer1_call_resume_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "failed", 10000));
  g_assert_cmpstr (ferry_transfer1_get_error (t), ==,
                   "The file changed while it was being uploaded");
  g_assert_cmpuint (ferry_test_upload_server_count_method (f->server, "PATCH"), ==, 0);
}

/* A descriptor whose file has no path ferryd can open again: ferryd keeps a private copy,
 * uploads from it, and deletes it when done. */
static void
test_private_copy (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *uploads = g_build_filename (g_get_user_data_dir (), "ferry-devel", "uploads",
                                               NULL);
  g_autofree char *uploads_release = g_build_filename (g_get_user_data_dir (), "ferry",
                                                       "uploads", NULL);
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = ferry_test_upload_server_uri (f->server, "/ietf");
  g_autofree char *path = NULL;
  g_autoptr(GDir) dir = NULL;
  int fd;

  write_source (f, MiB + 17, 90);
  fd = open (f->source, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (g_unlink (f->source), ==, 0);
  g_unix_fd_list_append (fds, fd, NULL);
  close (fd);

  ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0),
                                       options_of ("filename", g_variant_new_string ("notes.bin"),
                                                   NULL),
                                       fds, &path, NULL, NULL, &error);
  g_assert_no_error (error);
  t = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_cmpstr (ferry_transfer1_get_destination (t), ==, "notes.bin");
  g_assert_true (ferry_test_wait_state (t, "completed", 10000));
  assert_upload_complete (f, 0);

  /* The copy is gone once the upload is complete. */
  dir = g_dir_open (g_file_test (uploads, G_FILE_TEST_IS_DIR) ? uploads : uploads_release, 0,
                    NULL);
  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
}

/* -- tus: @tus/server from npm, a real peer ------------------------------------------- */

typedef struct
{
  GSubprocess *node;
  GDataInputStream *out;
  char *store;
  guint16 port;
} TusServer;

static void
tus_server_stop (TusServer *tus)
{
  if (tus->node != NULL)
    {
      g_subprocess_force_exit (tus->node);
      g_subprocess_wait (tus->node, NULL, NULL);
    }
  g_clear_object (&tus->out);
  g_clear_object (&tus->node);
  g_free (tus->store);
}

/* Starts tests/tus/server.mjs in @mode ("" or one of its checksum modes); FALSE (the test
 * skipped, saying why) when node or the npm modules are not there. */
static gboolean
tus_server_start (TusServer  *tus,
                  const char *mode)
{
  const char *modules = g_getenv ("FERRY_TUS_MODULES");
  g_autofree char *script = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "tus", "server.mjs",
                                              NULL);
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *server_module = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;

  server_module = modules ? g_build_filename (modules, "@tus", "server", NULL) : NULL;
  if (node == NULL || server_module == NULL || !g_file_test (server_module, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("@tus/server is not installed (node and npm install it; build-aux/dev test "
                   "does)");
      return FALSE;
    }

  tus->store = g_build_filename (g_get_user_data_dir (), "tus-store", NULL);
  g_assert_cmpint (g_mkdir_with_parents (tus->store, 0755), ==, 0);
  {
    g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

    g_subprocess_launcher_set_child_setup (launcher, ferry_test_die_with_parent, NULL, NULL);
    tus->node = g_subprocess_launcher_spawn (launcher, &error, node, script, tus->store, mode,
                                             NULL);
  }
  g_assert_no_error (error);
  tus->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (tus->node));
  line = g_data_input_stream_read_line (tus->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "port "));
  tus->port = (guint16) g_ascii_strtoull (line + 5, NULL, 10);
  return TRUE;
}

/* The one upload in the tus store: its data file (the store also keeps ID.json). */
static char *
tus_stored_file (TusServer *tus)
{
  g_autoptr(GDir) dir = g_dir_open (tus->store, 0, NULL);
  const char *name;
  char *found = NULL;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      if (!g_str_has_suffix (name, ".json"))
        {
          g_assert_null (found);   /* one upload, not a second from the start */
          found = g_build_filename (tus->store, name, NULL);
        }
    }
  return found;
}

static FerryTransfer1 *
tus_upload (Fixture   *f,
            TusServer *tus,
            guint64    rate_limit)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/files", tus->port);
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  GVariantDict options;
  int fd = open (f->source, O_RDONLY | O_CLOEXEC);

  g_unix_fd_list_append (fds, fd, NULL);
  close (fd);
  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "content-type", "s", "video/mp4");
  if (rate_limit > 0)
    g_variant_dict_insert (&options, "rate-limit", "t", rate_limit);
  ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0),
                                       g_variant_dict_end (&options), fds, &path, NULL, NULL,
                                       &error);
  g_assert_no_error (error);
  return ferry_test_daemon_transfer (f->daemon, path);
}

/* Found by itself (auto), interrupted by kill -9 of ferryd, resumed from the server's offset
 * in the same upload, and the stored file is the source, byte for byte. */
static void
test_tus_kill_resume (Fixture       *f,
                      gconstpointer  data)
{
  TusServer tus = { 0 };
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(FerryTransfer1) again = NULL;
  g_autofree char *path = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_path = NULL;
  g_auto(GStrv) paths = NULL;

  if (!tus_server_start (&tus, ""))
    return;

  write_source (f, 24 * MiB, 92);
  want = ferry_test_sha256_bytes (f->content);
  t = tus_upload (f, &tus, 4 * MiB);
  path = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (t)));
  g_assert_true (ferry_test_wait_bytes (t, 8 * MiB, 20000));
  g_assert_true (ferry_transfer1_get_resumable (t));

  ferry_test_daemon_kill (f->daemon);
  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL,
                                                          NULL));
  again = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_true (ferry_test_wait_state (again, "completed", 30000));

  stored = tus_stored_file (&tus);
  g_assert_nonnull (stored);
  got = ferry_test_sha256_file (stored);
  g_assert_cmpstr (got, ==, want);

  /* The metadata tus carries: the file's name and type. */
  json_path = g_strconcat (stored, ".json", NULL);
  g_assert_true (g_file_get_contents (json_path, &json, NULL, NULL));
  g_assert_nonnull (strstr (json, "\"filename\":\"holiday.mp4\""));
  g_assert_nonnull (strstr (json, "\"filetype\":\"video/mp4\""));

  tus_server_stop (&tus);
}

/* Cancel terminates the upload on the server (DELETE): its data is gone from the store. */
static void
test_tus_cancel (Fixture       *f,
                 gconstpointer  data)
{
  TusServer tus = { 0 };
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;

  if (!tus_server_start (&tus, ""))
    return;

  write_source (f, 16 * MiB, 93);
  t = tus_upload (f, &tus, 2 * MiB);
  g_assert_true (ferry_test_wait_bytes (t, 1, 20000));
  stored = tus_stored_file (&tus);
  g_assert_nonnull (stored);

  ferry_transfer1_call_cancel_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "canceled", 5000));
  for (guint i = 0; i < 50 && g_file_test (stored, G_FILE_TEST_EXISTS); i++)
    ferry_test_sleep (100);
  g_assert_false (g_file_test (stored, G_FILE_TEST_EXISTS));

  tus_server_stop (&tus);
}

/* A tus server that checks Upload-Checksum: Ferry sends the strongest digest it offers with
 * every append (sha1 when that is all it offers); an append damaged on the way is refused
 * (460), sent again, and the stored file is the source. */
static void
test_tus_checksum (Fixture       *f,
                   gconstpointer  data)
{
  TusServer tus = { 0 };
  g_autoptr(FerryTransfer1) t = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  /* data: the digest the server offers alone, or NULL for both and a damaged append. */
  const char *only = data;
  g_autofree char *mode = only ? g_strconcat ("checksum-", only, NULL)
                               : g_strdup ("checksum-damage-first");
  g_autofree char *checked_line = g_strconcat ("checked ", only ? only : "sha256", NULL);
  guint checked = 0, mismatches = 0, unchecked = 0;

  if (!tus_server_start (&tus, mode))
    return;

  write_source (f, 6 * MiB + 5, 96);
  want = ferry_test_sha256_bytes (f->content);
  t = tus_upload (f, &tus, 0);
  g_assert_true (ferry_test_wait_state (t, "completed", 30000));

  /* What the server saw, up to the end of the upload. */
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (tus.out, NULL, NULL, NULL);

      g_assert_nonnull (line);
      if (g_str_has_prefix (line, "finished "))
        break;
      if (g_str_equal (line, checked_line))
        checked++;
      else if (g_str_equal (line, "mismatch"))
        mismatches++;
      else if (g_str_equal (line, "unchecked"))
        unchecked++;
    }
  g_assert_cmpuint (mismatches, ==, only ? 0 : 1);
  g_assert_cmpuint (checked, >=, 1);
  g_assert_cmpuint (unchecked, ==, 0);

  stored = tus_stored_file (&tus);
  g_assert_nonnull (stored);
  got = ferry_test_sha256_file (stored);
  g_assert_cmpstr (got, ==, want);

  tus_server_stop (&tus);
}

/* What cannot be uploaded is refused at once, in words, and nothing is stored. */
static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *uri = ferry_test_upload_server_uri (f->server, "/ietf");
  g_auto(GStrv) paths = NULL;
  int pipe_fds[2];

  write_source (f, 10, 91);

  {
    /* A pipe is not a file that can be found again. */
    g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;

    g_assert_cmpint (pipe (pipe_fds), ==, 0);
    g_unix_fd_list_append (fds, pipe_fds[0], NULL);
    close (pipe_fds[0]);
    close (pipe_fds[1]);
    ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0),
                                         options_of (NULL, NULL), fds, &path, NULL, NULL, &error);
    g_assert_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "uploads files"));
  }

  {
    /* No descriptor at all. */
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;

    ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0),
                                         options_of (NULL, NULL), NULL, &path, NULL, NULL, &error);
    g_assert_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT);
  }

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *path = add_upload (f, f->source, "/ietf",
                                        options_of ("destination",
                                                    g_variant_new_string ("/tmp"), NULL),
                                        &error);

    g_assert_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "only for downloads"));
  }

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *path = add_upload (f, f->source, "/ietf",
                                        options_of ("protocol", g_variant_new_string ("ftp"),
                                                    NULL),
                                        &error);

    g_assert_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "auto, ietf, tus or plain"));
  }

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *path = add_upload (f, f->source, "/ietf",
                                        options_of ("method", g_variant_new_string ("PUT"),
                                                    "form-field", g_variant_new_string ("f"),
                                                    NULL),
                                        &error);

    g_assert_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT);
  }

  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL,
                                                          NULL));
  g_assert_cmpuint (g_strv_length (paths), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, data, func) \
  g_test_add (name, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("/upload/ietf-resume", NULL, test_ietf_resume);
  ADD ("/upload/ietf-resume-interop-6", GUINT_TO_POINTER (6), test_ietf_resume);
  ADD ("/upload/ietf-wrong-version", GUINT_TO_POINTER (6), test_ietf_wrong_version);
  ADD ("/upload/ietf-conflict-and-expiry", NULL, test_ietf_conflict_and_expiry);
  ADD ("/upload/ietf-too-large", NULL, test_ietf_too_large);
  ADD ("/upload/ietf-kill", NULL, test_ietf_kill);
  ADD ("/upload/ietf-cancel", NULL, test_ietf_cancel);
  ADD ("/upload/plain-put", NULL, test_plain_put);
  ADD ("/upload/multipart", NULL, test_multipart);
  ADD ("/upload/changed-file", NULL, test_changed_file);
  ADD ("/upload/private-copy", NULL, test_private_copy);
  ADD ("/upload/bad-input", NULL, test_bad_input);
  ADD ("/upload/ferryctl", NULL, test_ferryctl_upload);
  ADD ("/upload/tus-kill-resume", NULL, test_tus_kill_resume);
  ADD ("/upload/tus-cancel", NULL, test_tus_cancel);
  ADD ("/upload/tus-checksum", NULL, test_tus_checksum);
  ADD ("/upload/tus-checksum-sha1", "sha1", test_tus_checksum);
  ADD ("/upload/plain-progress", NULL, test_plain_progress);
  ADD ("/upload/options-not-implemented", NULL, test_options_not_implemented);
  ADD ("/upload/ietf-mixed", NULL, test_ietf_mixed);
#undef ADD

  return g_test_run ();
}
