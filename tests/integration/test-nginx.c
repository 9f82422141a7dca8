/* test-nginx.c: resuming against a real server — nginx on 127.0.0.1, with strong ETags,
 * If-Range and limit_rate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <gio/gunixfdlist.h>

#include <string.h>

#include <glib/gstdio.h>

#include "ferry-test-daemon.h"
#include "ferry-test-nginx.h"
#include "ferry-test-server.h"

#define MiB (1024 * 1024)

typedef struct
{
  FerryTestDaemon *daemon;
  FerryTestNginx *nginx;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  FerryTestNginxConfig config = {
    .log_format = "$status \"$http_range\" \"$http_if_range\" $body_bytes_sent "
                  "$request_method $request_length",
    .server = "    location /slow/ { limit_rate 2m; }\n"
              "    location /dav/ { dav_methods PUT DELETE; create_full_put_path on;\n"
              "                     client_max_body_size 0; }",
  };

  f->nginx = ferry_test_nginx_start (&config);
  if (f->nginx == NULL)
    return;
  f->daemon = ferry_test_daemon_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->nginx, ferry_test_nginx_stop);
}

static FerryTransfer1 *
add (Fixture    *f,
     const char *name)
{
  g_autofree char *uri = ferry_test_nginx_uri (f->nginx, name);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ferry_test_daemon_add (f->daemon, uri, NULL, &error);

  g_assert_no_error (error);
  return ferry_test_daemon_transfer (f->daemon, path);
}

/* Responses that continued a file: 206 to a Range request that carried an If-Range. */
static guint
count_resumes (Fixture *f)
{
  g_autofree char *log = ferry_test_nginx_read_log (f->nginx);
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);
  guint resumes = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "206 \"bytes=") && strstr (lines[i], "\" \"-\"") == NULL)
        resumes++;
    }
  return resumes;
}

static void
test_pause_resume (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) content = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;

  if (f->nginx == NULL)
    {
      g_test_skip ("nginx is not installed (FERRY_NGINX)");
      return;
    }

  content = ferry_test_nginx_publish (f->nginx, "slow/image.iso", 6 * MiB, 21);
  t = add (f, "slow/image.iso");
  g_assert_true (ferry_test_wait_bytes (t, MiB, 10000));
  ferry_transfer1_call_pause_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "paused", 3000));
  ferry_test_sleep (300);
  ferry_transfer1_call_resume_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "completed", 20000));

  want = ferry_test_sha256_bytes (content);
  got = ferry_test_sha256_file (ferry_transfer1_get_destination (t));
  g_assert_cmpstr (got, ==, want);
  g_assert_true (ferry_transfer1_get_resumable (t));
  g_assert_cmpuint (count_resumes (f), ==, 1);
}

static void
test_kill_resume (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) content = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;

  if (f->nginx == NULL)
    {
      g_test_skip ("nginx is not installed (FERRY_NGINX)");
      return;
    }

  content = ferry_test_nginx_publish (f->nginx, "slow/kill.bin", 10 * MiB, 22);
  t = add (f, "slow/kill.bin");
  g_assert_true (ferry_test_wait_bytes (t, 5 * MiB, 15000));
  ferry_test_daemon_kill (f->daemon);

  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (t, "completed", 20000));

  want = ferry_test_sha256_bytes (content);
  got = ferry_test_sha256_file (ferry_transfer1_get_destination (t));
  g_assert_cmpstr (got, ==, want);
  g_assert_cmpuint (count_resumes (f), ==, 1);
}

/* A plain PUT to nginx's WebDAV module, interrupted by kill -9 of ferryd: the next attempt
 * sends the file again from its first byte, and nginx ends up with the exact file. */
static void
test_upload_put (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "to-send", NULL);
  g_autofree char *source = g_build_filename (dir, "holiday.mp4", NULL);
  g_autofree char *target = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *path = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  g_autofree char *log = NULL;
  g_autoptr(GBytes) content = ferry_test_make_content (6 * MiB, 71);
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  GVariantDict options;
  int fd;

  if (f->nginx == NULL)
    {
      g_test_skip ("nginx is not installed (FERRY_NGINX)");
      return;
    }

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (source, g_bytes_get_data (content, NULL),
                                      (gssize) g_bytes_get_size (content), NULL));
  want = ferry_test_sha256_bytes (content);
  fd = open (source, O_RDONLY | O_CLOEXEC);
  g_unix_fd_list_append (fds, fd, NULL);
  close (fd);

  uri = ferry_test_nginx_uri (f->nginx, "dav/holiday.mp4");
  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "method", "s", "PUT");
  g_variant_dict_insert (&options, "rate-limit", "t", (guint64) 2 * MiB);
  ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0),
                                       g_variant_dict_end (&options), fds, &path, NULL, NULL,
                                       &error);
  g_assert_no_error (error);
  t = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_true (ferry_test_wait_state (t, "running", 5000));
  ferry_test_sleep (1200);

  ferry_test_daemon_kill (f->daemon);
  g_clear_object (&t);
  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL,
                                                          &error));
  g_assert_no_error (error);
  t = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_true (ferry_test_wait_state (t, "completed", 30000));
  g_assert_false (ferry_transfer1_get_resumable (t));

  target = g_build_filename (f->nginx->root, "dav", "holiday.mp4", NULL);
  got = ferry_test_sha256_file (target);
  g_assert_cmpstr (got, ==, want);

  /* The last PUT carried the whole file (the log has each request's length). */
  log = ferry_test_nginx_read_log (f->nginx);
  g_assert_nonnull (strstr (log, "201 \"-\" \"-\" 0 PUT"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/nginx/pause-resume", Fixture, NULL, fixture_setup, test_pause_resume,
              fixture_teardown);
  g_test_add ("/nginx/upload-put", Fixture, NULL, fixture_setup, test_upload_put,
              fixture_teardown);
  g_test_add ("/nginx/kill-resume", Fixture, NULL, fixture_setup, test_kill_resume,
              fixture_teardown);

  return g_test_run ();
}
