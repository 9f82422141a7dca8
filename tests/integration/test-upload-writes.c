/* test-upload-writes.c: how ferryd sends an upload's body — in large writes to the socket,
 * not in libsoup's 8 KiB steps (docs/performance.md), with the exact bytes arriving
 *
 * ferryd's send () calls are counted with strace attached to every one of its threads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>

#include "ferry-test-daemon.h"
#include "ferry-test-server.h"
#include "ferry-test-upload-server.h"

#define MiB (1024 * 1024)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryTestUploadServer, ferry_test_upload_server_free)

typedef struct
{
  GPid pid;
  GPid tracer;
} Traced;

/* Every thread of ferryd has the tracer attached: none of its sends is missed. */
static gboolean
all_threads_traced (gpointer data)
{
  Traced *traced = data;
  g_autofree char *dir_path = g_strdup_printf ("/proc/%d/task", (int) traced->pid);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *tid;
  guint threads = 0;

  if (dir == NULL)
    return FALSE;
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s/status", dir_path, tid);
      g_autofree char *status = NULL;
      const char *line;

      if (!g_file_get_contents (path, &status, NULL, NULL))
        continue;
      line = strstr (status, "TracerPid:");
      if (line == NULL || atoi (line + strlen ("TracerPid:")) != (int) traced->tracer)
        return FALSE;
      threads++;
    }
  return threads > 0;
}

/* The number of sendto () calls in strace's output, and the bytes they sent. */
static guint
count_sends (const char *log,
             guint64    *bytes)
{
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);
  guint sends = 0;

  *bytes = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *call = strstr (lines[i], "sendto(");
      const char *result = strrchr (lines[i], '=');

      if (call == NULL || result == NULL)
        continue;
      sends++;
      if (atoll (result + 1) > 0)
        *bytes += (guint64) atoll (result + 1);
    }
  return sends;
}

/* A 16 MiB PUT goes in fewer than 512 send () calls (32 KiB each on average; libsoup's own
 * splice makes it 2,048 or more), and the server has the file's exact bytes. */
static void
test_large_writes (void)
{
  g_autoptr(FerryTestUploadServer) server = NULL;
  g_autoptr(FerryTestDaemon) daemon = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GBytes) content = ferry_test_make_content (16 * MiB, 61);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) strace = NULL;
  g_auto(GStrv) transfers = NULL;
  g_autofree char *strace_path = g_find_program_in_path ("strace");
  g_autofree char *source = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *log = NULL;
  g_autofree char *pid_arg = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *object_path = NULL;
  GVariantDict options;
  Traced traced;
  guint64 bytes;
  guint sends;
  int fd;

  if (strace_path == NULL)
    {
      g_test_skip ("strace is not installed");
      return;
    }

  server = ferry_test_upload_server_new (9);
  daemon = ferry_test_daemon_new ();
  source = g_build_filename (g_get_user_data_dir (), "film.mkv", NULL);
  g_assert_true (g_file_set_contents (source, g_bytes_get_data (content, NULL),
                                      (gssize) g_bytes_get_size (content), NULL));

  /* ferryd starts on the first call. */
  ferry_manager1_call_list_transfers_sync (daemon->manager, "", &transfers, NULL, &error);
  g_assert_no_error (error);
  traced.pid = ferry_test_daemon_pid (daemon);

  log_path = g_build_filename (g_get_user_data_dir (), "strace.log", NULL);
  pid_arg = g_strdup_printf ("%d", (int) traced.pid);
  strace = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, strace_path, "-f", "-qq",
                             "-e", "trace=sendto", "-e", "signal=none", "-o", log_path,
                             "-p", pid_arg, NULL);
  g_assert_no_error (error);
  traced.tracer = (GPid) atoi (g_subprocess_get_identifier (strace));
  if (!ferry_test_wait_until (all_threads_traced, &traced, 30000))
    {
      /* ptrace may be refused here (a container's policy, Yama): nothing to count with. */
      g_subprocess_force_exit (strace);
      g_test_skip ("strace could not attach to ferryd");
      return;
    }

  /* auto: an OPTIONS request (no resumable protocol offered), then the PUT. */
  uri = ferry_test_upload_server_uri (server, "/plain/film.mkv");
  fd = open (source, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_unix_fd_list_append (fds, fd, NULL);
  close (fd);
  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "method", "s", "PUT");
  ferry_manager1_call_add_upload_sync (daemon->manager, uri, g_variant_new_handle (0),
                                       g_variant_dict_end (&options), fds, &object_path, NULL,
                                       NULL, &error);
  g_assert_no_error (error);
  t = ferry_test_daemon_transfer (daemon, object_path);
  g_assert_true (ferry_test_wait_state (t, "completed", 60000));

  /* strace detaches on SIGINT and writes out what it has. */
  g_subprocess_send_signal (strace, SIGINT);
  g_subprocess_wait (strace, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));

  got = ferry_test_upload_server_get_plain (server, "film.mkv", NULL);
  g_assert_nonnull (got);
  g_assert_cmpuint (g_bytes_get_size (got), ==, g_bytes_get_size (content));
  g_assert_true (g_bytes_equal (got, content));

  sends = count_sends (log, &bytes);
  g_test_message ("%u sendto () calls carried %" G_GUINT64_FORMAT " bytes", sends, bytes);
  /* The body went through what was counted: the count means something. */
  g_assert_cmpuint (bytes, >=, 16 * MiB);
  g_assert_cmpuint (sends, <, 512);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/upload-writes/large-writes", test_large_writes);

  return g_test_run ();
}
