/* test-interop.c: the IETF resumable upload draft's interop versions — Ferry finds the one a
 * server speaks (9, 8 for iOS 26, 6 for tusd and iOS 18) from its answers, keeps it for the
 * upload's resumption, and keeps to the version a caller chose
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>

#include "ferry-test-daemon.h"
#include "ferry-test-server.h"
#include "ferry-test-upload-server.h"

#define MiB (1024 * 1024)

typedef struct
{
  FerryTestDaemon *daemon;
  FerryTestUploadServer *server;
  char *source;
  GBytes *content;
} Fixture;

/* @data: the one interop version the server speaks. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = ferry_test_upload_server_new (GPOINTER_TO_UINT (data));
  f->daemon = ferry_test_daemon_new ();
  f->source = g_build_filename (g_get_user_data_dir (), "talk.mkv", NULL);
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
  f->content = ferry_test_make_content (size, seed);
  g_assert_true (g_file_set_contents (f->source, g_bytes_get_data (f->content, NULL),
                                      (gssize) size, NULL));
}

/* AddUpload of the source to /ietf, protocol ietf, and interop @interop unless 0. */
static FerryTransfer1 *
upload (Fixture *f,
        guint    interop)
{
  g_autofree char *uri = ferry_test_upload_server_uri (f->server, "/ietf");
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  GVariantDict dict;
  int fd = open (f->source, O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_unix_fd_list_append (fds, fd, NULL);
  close (fd);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "protocol", "s", "ietf");
  if (interop != 0)
    g_variant_dict_insert (&dict, "interop-version", "u", interop);

  ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0),
                                       g_variant_dict_end (&dict), fds, &path, NULL, NULL,
                                       &error);
  g_assert_no_error (error);
  return ferry_test_daemon_transfer (f->daemon, path);
}

static gboolean
wait_state (FerryTransfer1 *t,
            const char     *state)
{
  gboolean reached = ferry_test_wait_state (t, state, 30000);

  if (!reached)
    g_test_message ("State %s, error: %s", ferry_transfer1_get_state (t),
                    ferry_transfer1_get_error (t));
  return reached;
}

static void
assert_uploaded (Fixture *f)
{
  gboolean complete = FALSE;
  g_autoptr(GBytes) got = ferry_test_upload_server_get_upload (f->server, 0, &complete);
  g_autofree char *want = ferry_test_sha256_bytes (f->content);
  g_autofree char *have = NULL;

  g_assert_nonnull (got);
  have = ferry_test_sha256_bytes (got);
  g_assert_cmpuint (g_bytes_get_size (got), ==, g_bytes_get_size (f->content));
  g_assert_cmpstr (have, ==, want);
  g_assert_true (complete);
}

/* A server of interop 8 (as for iOS 26) that says nothing of its version: Ferry's 9 is
 * refused, 8 is taken, and the resumption after a dropped connection (HEAD, PATCH) speaks 8
 * to the same upload. */
static void
test_interop_8_by_refusal (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;

  write_source (f, 4 * MiB, 201);
  ferry_test_upload_server_set_drop (f->server, 2 * MiB, 1);
  t = upload (f, 0);

  g_assert_true (wait_state (t, "completed"));
  assert_uploaded (f);
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (t), ==, 4 * MiB);
  g_assert_cmpuint (ferry_test_upload_server_count_uploads (f->server), ==, 1);
  g_assert_cmpuint (ferry_test_upload_server_count_method (f->server, "HEAD"), >=, 1);
  g_assert_cmpuint (ferry_test_upload_server_count_interop (f->server, 8), >=, 3);
}

/* A server that speaks 6 and 8 and says so on OPTIONS (protocol auto finds the draft there):
 * Ferry takes 8, the newer, without a refused request. */
static void
test_interop_announced (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *uri = ferry_test_upload_server_uri (f->server, "/ietf");
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd;

  ferry_test_upload_server_also_speak (f->server, 8);
  ferry_test_upload_server_announce_interop (f->server, "6, 8");
  write_source (f, MiB, 202);
  fd = open (f->source, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_unix_fd_list_append (fds, fd, NULL);
  close (fd);
  ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0),
                                       g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0),
                                       fds, &path, NULL, NULL, &error);
  g_assert_no_error (error);
  t = ferry_test_daemon_transfer (f->daemon, path);

  g_assert_true (wait_state (t, "completed"));
  assert_uploaded (f);
  g_assert_cmpuint (ferry_test_upload_server_count_interop (f->server, 8), >=, 2);
  g_assert_cmpuint (ferry_test_upload_server_count_interop (f->server, 6), ==, 0);
  g_assert_cmpuint (ferry_test_upload_server_count_interop (f->server, 9), ==, 0);
}

/* A server of interop 6 (tusd, iOS 18.1): found after 9 and 8 are refused. */
static void
test_interop_6_by_refusal (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;

  write_source (f, MiB, 203);
  t = upload (f, 0);

  g_assert_true (wait_state (t, "completed"));
  assert_uploaded (f);
  g_assert_cmpuint (ferry_test_upload_server_count_interop (f->server, 6), >=, 2);
}

/* The caller chose 9: Ferry keeps to it, and the interop-8 server's refusal is the outcome. */
static void
test_interop_chosen (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;

  write_source (f, 1000, 204);
  t = upload (f, 9);

  g_assert_true (wait_state (t, "rejected"));
  g_assert_cmpuint (ferry_transfer1_get_http_status (t), ==, 400);
  g_assert_cmpuint (ferry_test_upload_server_count_interop (f->server, 8), ==, 0);
  g_assert_cmpuint (ferry_test_upload_server_count_uploads (f->server), ==, 0);
}

/* interop-version 8 is an option a caller may give, and Ferry uploads in it. */
static void
test_interop_8_chosen (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(FerryTransfer1) t = NULL;

  write_source (f, MiB, 205);
  t = upload (f, 8);

  g_assert_true (wait_state (t, "completed"));
  assert_uploaded (f);
  g_assert_cmpuint (ferry_test_upload_server_count_interop (f->server, 8), >=, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, interop, fn) \
  g_test_add (name, Fixture, GUINT_TO_POINTER (interop), fixture_setup, fn, fixture_teardown)

  ADD ("/interop/8-by-refusal", 8, test_interop_8_by_refusal);
  ADD ("/interop/announced", 6, test_interop_announced);
  ADD ("/interop/6-by-refusal", 6, test_interop_6_by_refusal);
  ADD ("/interop/chosen", 8, test_interop_chosen);
  ADD ("/interop/8-chosen", 8, test_interop_8_chosen);

#undef ADD

  return g_test_run ();
}
