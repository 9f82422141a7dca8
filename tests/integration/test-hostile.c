/* test-hostile.c: callers and upload sources that try to hold ferryd — sources swapped for
 * FIFOs, attempts stuck where a cancellation does not reach, SIGTERM with such attempts,
 * per-session quotas, concurrent adds of one identifier, a file overwritten in place while
 * it is sent, and ferryd held while AddUpload copies a file
 *
 * An attempt "stuck where a cancellation does not reach" is made real by stopping its worker
 * thread with ptrace, as a read from a hung network filesystem would: the tests that need it
 * skip where this process may not trace ferryd.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>

#include "ferry-error.h"
#include "ferry-test-daemon.h"
#include "ferry-test-server.h"
#include "ferry-test-upload-server.h"

#define KiB 1024
#define MiB (1024 * 1024)
#define DAEMON_NAME "io.github.ferryhq.Ferry.Daemon"

typedef struct
{
  FerryTestDaemon *daemon;
  FerryTestUploadServer *server;
  char *dir;          /* the files uploaded */
  GArray *frozen;     /* thread ids of ferryd stopped by this test */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  /* Four uploads to one server may all run at once. */
  ferry_test_write_settings ("max-running=4\nmax-per-host=8\n");
  f->server = ferry_test_upload_server_new (9);
  f->daemon = ferry_test_daemon_new ();
  f->dir = g_build_filename (g_get_user_data_dir (), "sources", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->dir, 0755), ==, 0);
  f->frozen = g_array_new (FALSE, FALSE, sizeof (pid_t));
}

/* For a ferryd that exits while this process traces its stopped threads. LeakSanitizer's
 * tracer cannot stop a thread that already has a tracer, so it would not read those threads'
 * stacks and would call what they hold leaked: the leak check is off for this case's ferryd,
 * AddressSanitizer's other checks stay on (and every other ferryd's leaks are checked). */
static void
fixture_setup_exits_traced (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *asan_options = g_strdup (g_getenv ("ASAN_OPTIONS"));
  g_autofree char *options = NULL;

  if (asan_options == NULL)
    {
      fixture_setup (f, data);
      return;
    }
  options = g_strconcat (asan_options, ":detect_leaks=0", NULL);
  g_setenv ("ASAN_OPTIONS", options, TRUE);
  fixture_setup (f, data);
  g_setenv ("ASAN_OPTIONS", asan_options, TRUE);
}

static void
thaw_all (Fixture *f)
{
  for (guint i = 0; i < f->frozen->len; i++)
    {
      pid_t tid = g_array_index (f->frozen, pid_t, i);
      int status;

      /* Gone (ferryd exited): collect what the kernel keeps for its tracer. */
      if (ptrace (PTRACE_DETACH, tid, NULL, NULL) != 0)
        waitpid (tid, &status, __WALL | WNOHANG);
    }
  g_array_set_size (f->frozen, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  thaw_all (f);
  g_array_unref (f->frozen);
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_upload_server_free);
  g_free (f->dir);
}

static char *
write_source (Fixture    *f,
              const char *name,
              gsize       size,
              guint       seed)
{
  g_autoptr(GBytes) content = ferry_test_make_content (size, seed);
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (content, NULL), (gssize) size,
                                      NULL));
  return path;
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
  g_autoptr(GVariant) owned = g_variant_ref_sink (options ? options : options_of (NULL, NULL));
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
        const char *path,
        const char *server_path,
        GVariant   *options)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *object_path = add_upload (f, path, server_path, options, &error);

  g_assert_no_error (error);
  return ferry_test_daemon_transfer (f->daemon, object_path);
}

static void
assert_plain_is (Fixture    *f,
                 const char *name,
                 const char *path)
{
  g_autoptr(GBytes) got = ferry_test_upload_server_get_plain (f->server, name, NULL);
  g_autofree char *want = ferry_test_sha256_file (path);
  g_autofree char *sha = NULL;

  g_assert_nonnull (got);
  sha = ferry_test_sha256_bytes (got);
  g_assert_cmpstr (sha, ==, want);
}

static gboolean
name_has_no_owner (gpointer user_data)
{
  Fixture *f = user_data;
  g_autofree char *owner = NULL;

  if (ferry_test_name_has_owner (f->daemon->connection, DAEMON_NAME))
    return FALSE;
  /* And the manager's proxy has heard (its signal comes through the main loop, after this
   * reply): until then it would send its next call to the ferryd that left. */
  owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (f->daemon->manager));
  return owner == NULL;
}

/* -- Worker threads of ferryd, stopped as a hung filesystem would stop them ------------- */

static char *
task_file (pid_t       pid,
           pid_t       tid,
           const char *name)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/%s", (int) pid, (int) tid, name);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return g_strstrip (contents);
}

static gboolean
is_frozen (Fixture *f,
           pid_t    tid)
{
  for (guint i = 0; i < f->frozen->len; i++)
    if (g_array_index (f->frozen, pid_t, i) == tid)
      return TRUE;
  return FALSE;
}

/* Stops ferryd's worker threads (GLib's pool threads) that are waiting in system call @nr:
 * SYS_futex for idle ones, SYS_clock_nanosleep for sleeping ones (nanosleep too). Returns how
 * many are stopped now; FALSE in @out_allowed where this process may not trace ferryd. */
static guint
freeze_workers (Fixture  *f,
                pid_t     pid,
                long      nr,
                gboolean *out_allowed)
{
  g_autofree char *dir_path = g_strdup_printf ("/proc/%d/task", (int) pid);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  *out_allowed = TRUE;
  if (dir == NULL)
    return f->frozen->len;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      pid_t tid = (pid_t) g_ascii_strtoll (name, NULL, 10);
      g_autofree char *comm = task_file (pid, tid, "comm");
      g_autofree char *syscall = NULL;
      long current;
      int status;

      if (comm == NULL || !g_str_has_prefix (comm, "pool") || is_frozen (f, tid))
        continue;
      syscall = task_file (pid, tid, "syscall");
      if (syscall == NULL || !g_ascii_isdigit (syscall[0]))
        continue;
      current = strtol (syscall, NULL, 10);
      if (nr == SYS_clock_nanosleep)
        {
#ifdef SYS_nanosleep
          if (current != SYS_clock_nanosleep && current != SYS_nanosleep)
            continue;
#else
          if (current != SYS_clock_nanosleep)
            continue;
#endif
        }
      else if (current != nr)
        continue;

      if (ptrace (PTRACE_SEIZE, tid, NULL, NULL) != 0)
        {
          g_test_message ("Cannot trace ferryd's thread %d: %s", (int) tid, g_strerror (errno));
          *out_allowed = FALSE;
          return f->frozen->len;
        }
      g_assert_cmpint (ptrace (PTRACE_INTERRUPT, tid, NULL, NULL), ==, 0);
      g_assert_cmpint (waitpid (tid, &status, __WALL), ==, tid);
      g_array_append_val (f->frozen, tid);
      g_test_message ("Stopped ferryd's worker thread %d (%s, in system call %ld)", (int) tid,
                      comm, current);
    }
  return f->frozen->len;
}

typedef struct
{
  Fixture *f;
  pid_t pid;
  long nr;
  guint want;
  gboolean allowed;
} FreezeWait;

static gboolean
froze_enough (gpointer user_data)
{
  FreezeWait *w = user_data;

  return freeze_workers (w->f, w->pid, w->nr, &w->allowed) >= w->want || !w->allowed;
}

/* Four uploads held back by their own rate limit, each sending: their workers spend their time
 * in nanosleep (the limiter's wait), where they are stopped. Returns FALSE (the test skipped)
 * where ferryd cannot be traced. */
static gboolean
four_stuck_uploads (Fixture        *f,
                    FerryTransfer1 *t[4])
{
  FreezeWait w = { f, 0, SYS_clock_nanosleep, 4, TRUE };

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("slow-%u.bin", i);
      g_autofree char *path = write_source (f, name, 4 * MiB, 10 + i);
      g_autofree char *server_path = g_strconcat ("/plain/", name, NULL);

      t[i] = upload (f, path, server_path,
                     options_of ("protocol", g_variant_new_string ("plain"),
                                 "method", g_variant_new_string ("PUT"),
                                 "rate-limit", g_variant_new_uint64 (64 * KiB), NULL));
    }
  for (guint i = 0; i < 4; i++)
    g_assert_true (ferry_test_wait_state (t[i], "running", 30000));

  w.pid = ferry_test_daemon_pid (f->daemon);
  g_assert_true (ferry_test_wait_until (froze_enough, &w, 30000));
  if (!w.allowed)
    {
      g_test_skip ("This process may not trace ferryd (ptrace), so no attempt can be stuck");
      return FALSE;
    }
  g_assert_cmpuint (f->frozen->len, ==, 4);
  return TRUE;
}

/* -- Upload sources swapped for FIFOs ------------------------------------------------------ */

static gboolean
all_ended (gpointer user_data)
{
  FerryTransfer1 **t = user_data;

  for (guint i = 0; i < 4; i++)
    if (!g_str_equal (ferry_transfer1_get_state (t[i]), "failed") &&
        !g_str_equal (ferry_transfer1_get_state (t[i]), "rejected"))
      return FALSE;
  return TRUE;
}

/* Four uploads whose recorded paths became FIFOs while ferryd was away (kill -9): each fails
 * with a sentence that says why, and holds no slot: a fifth upload runs. */
static void
test_fifo_after_restart (Fixture       *f,
                         gconstpointer  data)
{
  char *object_paths[4] = { NULL };
  char *files[4] = { NULL };
  FerryTransfer1 *t[4] = { NULL };
  g_autoptr(FerryTransfer1) fifth = NULL;
  g_autofree char *fifth_path = NULL;
  g_auto(GStrv) listed = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("swapped-%u.bin", i);
      g_autofree char *server_path = g_strconcat ("/plain/", name, NULL);
      g_autoptr(FerryTransfer1) added = NULL;

      files[i] = write_source (f, name, 256 * KiB, 20 + i);
      added = upload (f, files[i], server_path,
                      options_of ("protocol", g_variant_new_string ("plain"),
                                  "method", g_variant_new_string ("PUT"),
                                  "paused", g_variant_new_boolean (TRUE), NULL));
      g_assert_true (ferry_test_wait_state (added, "paused", 30000));
      object_paths[i] = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (added)));
    }

  ferry_test_daemon_kill (f->daemon);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpint (g_unlink (files[i]), ==, 0);
      g_assert_cmpint (mkfifo (files[i], 0600), ==, 0);
    }

  /* Any call brings ferryd back with its queue. */
  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &listed, NULL,
                                                          &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (listed), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      t[i] = ferry_test_daemon_transfer (f->daemon, object_paths[i]);
      ferry_transfer1_call_resume_sync (t[i], NULL, &error);
      g_assert_no_error (error);
    }

  g_assert_true (ferry_test_wait_until (all_ended, t, 30000));
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpstr (ferry_transfer1_get_state (t[i]), ==, "failed");
      g_assert_nonnull (strstr (ferry_transfer1_get_error (t[i]), "is not a file"));
    }

  fifth_path = write_source (f, "fifth.bin", 300 * KiB, 30);
  fifth = upload (f, fifth_path, "/plain/fifth.bin",
                  options_of ("protocol", g_variant_new_string ("plain"),
                              "method", g_variant_new_string ("PUT"), NULL));
  g_assert_true (ferry_test_wait_state (fifth, "completed", 30000));
  assert_plain_is (f, "fifth.bin", fifth_path);

  for (guint i = 0; i < 4; i++)
    {
      g_clear_object (&t[i]);
      g_free (object_paths[i]);
      g_free (files[i]);
    }
}

/* -- Cancel while the worker is stuck ------------------------------------------------------ */

static gboolean
nothing_running (gpointer user_data)
{
  return ferry_manager1_get_running (user_data) == 0;
}

/* Cancel gives the slot back at once, even while the attempt's thread cannot see it: with
 * four stuck uploads canceled, a fifth runs to completion. */
static void
test_cancel_frees_slot (Fixture       *f,
                        gconstpointer  data)
{
  FerryTransfer1 *t[4] = { NULL };
  g_autoptr(FerryTransfer1) fifth = NULL;
  g_autofree char *fifth_path = NULL;
  g_autoptr(GError) error = NULL;

  if (!four_stuck_uploads (f, t))
    goto out;

  for (guint i = 0; i < 4; i++)
    {
      ferry_transfer1_call_cancel_sync (t[i], NULL, &error);
      g_assert_no_error (error);
      g_assert_true (ferry_test_wait_state (t[i], "canceled", 30000));
    }

  fifth_path = write_source (f, "after-cancel.bin", 300 * KiB, 40);
  fifth = upload (f, fifth_path, "/plain/after-cancel.bin",
                  options_of ("protocol", g_variant_new_string ("plain"),
                              "method", g_variant_new_string ("PUT"), NULL));
  g_assert_true (ferry_test_wait_state (fifth, "completed", 30000));
  assert_plain_is (f, "after-cancel.bin", fifth_path);
  g_assert_true (ferry_test_wait_until (nothing_running, f->daemon->manager, 30000));

  /* Let the stuck threads go: they find their attempts canceled and leave quietly. */
  thaw_all (f);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (ferry_transfer1_get_state (t[i]), ==, "canceled");

out:
  for (guint i = 0; i < 4; i++)
    g_clear_object (&t[i]);
}

/* -- SIGTERM while attempts are stuck ------------------------------------------------------ */

/* The process has ended: gone, or a zombie (its threads traced by this test are collected by
 * thaw_all()). */
static gboolean
process_exited (gpointer user_data)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", GPOINTER_TO_INT (user_data));
  g_autofree char *stat = NULL;
  const char *end;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  end = strrchr (stat, ')');
  return end != NULL && (end[2] == 'Z' || end[2] == 'X');
}

static void
test_sigterm_stuck (Fixture       *f,
                    gconstpointer  data)
{
  FerryTransfer1 *t[4] = { NULL };
  g_auto(GStrv) listed = NULL;
  g_autoptr(GError) error = NULL;
  gint64 sent, gone;
  pid_t pid;

  if (!four_stuck_uploads (f, t))
    goto out;

  pid = ferry_test_daemon_pid (f->daemon);
  sent = g_get_monotonic_time ();
  g_assert_cmpint (kill (pid, SIGTERM), ==, 0);
  /* The requirement: gone within 5 s (the wait itself is longer, to tell "late" from
   * "never"). */
  g_assert_true (ferry_test_wait_until (process_exited, GINT_TO_POINTER (pid), 30000));
  gone = g_get_monotonic_time ();
  g_assert_true (ferry_test_wait_until (name_has_no_owner, f, 30000));
  g_test_message ("SIGTERM to exit with four stuck uploads: %.2f s",
                  (double) (gone - sent) / G_USEC_PER_SEC);
  g_assert_cmpint (gone - sent, <=, 5 * G_USEC_PER_SEC);
  thaw_all (f);

  /* Nothing was lost: the uploads are there when ferryd comes back. */
  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &listed, NULL,
                                                          &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (listed), ==, 4);

out:
  for (guint i = 0; i < 4; i++)
    g_clear_object (&t[i]);
}

static gboolean
sent_some (gpointer user_data)
{
  return ferry_transfer1_get_bytes_sent (user_data) >= 256 * KiB;
}

/* -- A file overwritten in place while it is sent ----------------------------------------- */

/* Same size, other bytes, written over the file while the server reads it slowly: the
 * upload is not called complete, and its error says the file changed. @data: the server
 * path ("/plain/…" for one PUT, "/ietf" for the draft's appends). */
static void
test_overwritten_in_place (Fixture       *f,
                           gconstpointer  data)
{
  const char *server_path = data;
  gboolean plain = g_str_has_prefix (server_path, "/plain/");
  g_autofree char *path = write_source (f, "growing.bin", 4 * MiB, 60);
  g_autoptr(GBytes) other = ferry_test_make_content (4 * MiB, 61);
  g_autoptr(FerryTransfer1) t = NULL;
  gsize size;
  const guint8 *bytes = g_bytes_get_data (other, &size);
  int fd;

  /* Read slowly (about 8 s for the file) by ferryd's own rate limit, so the body is still
   * being made from the file when it is written over. The draft sends many appends. */
  ferry_test_upload_server_set_max_append (f->server, 256 * KiB);
  t = upload (f, path, server_path,
              plain ? options_of ("protocol", g_variant_new_string ("plain"),
                                  "method", g_variant_new_string ("PUT"),
                                  "rate-limit", g_variant_new_uint64 (512 * KiB), NULL)
                    : options_of ("protocol", g_variant_new_string ("ietf"),
                                  "rate-limit", g_variant_new_uint64 (512 * KiB), NULL));
  g_assert_true (ferry_test_wait_until (sent_some, t, 30000));

  /* In place: the same inode, the same size. */
  fd = open (path, O_WRONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, bytes, size, 0), ==, (gssize) size);
  close (fd);

  g_assert_true (ferry_test_wait_state (t, "failed", 30000));
  g_assert_nonnull (strstr (ferry_transfer1_get_error (t), "a mix of two versions"));
  g_assert_cmpuint (ferry_transfer1_get_bytes_done (t), <, 4 * MiB);
}

/* -- Quotas -------------------------------------------------------------------------------- */

/* Headers of @count × @bytes (name and value). */
static GVariant *
headers_of (guint count,
            gsize bytes)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *name = g_strdup_printf ("X-Fill-%02u", i);
      g_autofree char *value = g_malloc (bytes - strlen (name) + 1);

      memset (value, 'v', bytes - strlen (name));
      value[bytes - strlen (name)] = '\0';
      g_variant_builder_add (&builder, "{ss}", name, value);
    }
  return g_variant_builder_end (&builder);
}

/* A transfer's headers may take 16 KiB together: beyond, AddDownload is refused with a
 * sentence, and ferryd goes on (the same process). */
static void
test_quota_headers (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *uri = ferry_test_upload_server_uri (f->server, "/plain/any");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  GPid pid;

  /* 16 KiB exactly: taken. */
  path = ferry_test_daemon_add (f->daemon, uri,
                                options_of ("headers", headers_of (2, 8 * KiB),
                                            "paused", g_variant_new_boolean (TRUE), NULL),
                                &error);
  g_assert_no_error (error);
  g_assert_nonnull (path);
  pid = ferry_test_daemon_pid (f->daemon);

  /* 64 headers of 8 KiB, as the hostile caller sent: refused. */
  g_clear_pointer (&path, g_free);
  path = ferry_test_daemon_add (f->daemon, uri,
                                options_of ("headers", headers_of (64, 8 * KiB),
                                            "paused", g_variant_new_boolean (TRUE), NULL),
                                &error);
  g_assert_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "16384 bytes at most"));
  g_assert_null (path);
  g_clear_error (&error);

  /* One byte over: refused too. */
  path = ferry_test_daemon_add (f->daemon, uri,
                                options_of ("headers", headers_of (3, 16 * KiB / 3 + 1),
                                            "paused", g_variant_new_boolean (TRUE), NULL),
                                &error);
  g_assert_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_cmpint (ferry_test_daemon_pid (f->daemon), ==, pid);
}

static guint64
file_size (const char *path)
{
  struct stat st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

static guint64
rss_kib (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

#define QUOTA 1000

/* One session's transfers are bounded (here at 1,000, set for the test; 2,000 for an app in a
 * sandbox): 1,000 adds as large as the options allow are taken, the next is refused with a
 * sentence, another session and a reconnecting identifier still get theirs, and ferryd stays
 * up. Prints what ferryd holds then. */
static void
test_quota_transfers (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *store = g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR, "ferry.db",
                                             NULL);
  g_autofree char *wal = g_strconcat (store, "-wal", NULL);
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *elsewhere = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) headers = g_variant_ref_sink (headers_of (2, 8 * KiB));
  g_autofree char *name = g_malloc0 (256);
  GString *uri = g_string_new (NULL);
  guint64 rss_before = 0;
  gint64 started;
  GPid pid = 0;

  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_setenv ("FERRY_MAX_TRANSFERS_PER_SESSION", G_STRINGIFY (QUOTA), TRUE);
  f->daemon = ferry_test_daemon_new ();
  g_unsetenv ("FERRY_MAX_TRANSFERS_PER_SESSION");

  /* The longest address and file name the options take. */
  g_string_append (uri, "http://127.0.0.1:9/");
  while (uri->len < 8192 - 16)
    g_string_append_c (uri, 'p');
  memset (name, 'n', 255);

  started = g_get_monotonic_time ();
  for (guint i = 0; i < QUOTA; i++)
    {
      g_autofree char *identifier = g_strdup_printf ("flood-%04u-%0240u", i, 0);
      g_autofree char *path = NULL;

      path = ferry_test_daemon_add (f->daemon, uri->str,
                                    options_of ("headers", headers,
                                                "session", g_variant_new_string ("flood"),
                                                "identifier", g_variant_new_string (identifier),
                                                "filename", g_variant_new_string (name),
                                                "paused", g_variant_new_boolean (TRUE), NULL),
                                    &error);
      g_assert_no_error (error);
      if (i == 0)
        {
          first = g_steal_pointer (&path);
          pid = ferry_test_daemon_pid (f->daemon);
          rss_before = rss_kib (pid);
        }
    }
  g_test_message ("%u maximal adds in %.1f s; ferryd's RSS %" G_GUINT64_FORMAT " KiB after "
                  "the first, %" G_GUINT64_FORMAT " KiB after all; store %" G_GUINT64_FORMAT
                  " KiB (+ %" G_GUINT64_FORMAT " KiB of WAL)", QUOTA,
                  (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC, rss_before,
                  rss_kib (pid), file_size (store) / 1024, file_size (wal) / 1024);

  refused = ferry_test_daemon_add (f->daemon, uri->str,
                                   options_of ("session", g_variant_new_string ("flood"),
                                               "paused", g_variant_new_boolean (TRUE), NULL),
                                   &error);
  g_assert_error (error, FERRY_ERROR, FERRY_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "already has " G_STRINGIFY (QUOTA) " transfers"));
  g_assert_null (refused);
  g_clear_error (&error);

  /* Reconnecting to a transfer the session has is not a new one. */
  {
    g_autofree char *identifier = g_strdup_printf ("flood-%04u-%0240u", 0, 0);

    again = ferry_test_daemon_add (f->daemon, uri->str,
                                   options_of ("session", g_variant_new_string ("flood"),
                                               "identifier", g_variant_new_string (identifier),
                                               NULL),
                                   &error);
    g_assert_no_error (error);
    g_assert_cmpstr (again, ==, first);
  }

  elsewhere = ferry_test_daemon_add (f->daemon, uri->str,
                                     options_of ("session", g_variant_new_string ("calm"),
                                                 "paused", g_variant_new_boolean (TRUE), NULL),
                                     &error);
  g_assert_no_error (error);
  g_assert_nonnull (elsewhere);
  g_assert_cmpint (ferry_test_daemon_pid (f->daemon), ==, pid);
  g_string_free (uri, TRUE);
}

/* -- AddUpload holds ferryd --------------------------------------------------------------- */

typedef struct
{
  gboolean done;
  char *path;
  GError *error;
} AddCall;

static void
on_add_upload (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AddCall *call = user_data;

  ferry_manager1_call_add_upload_finish (FERRY_MANAGER1 (source), &call->path, NULL, result,
                                         &call->error);
  call->done = TRUE;
}

static void
on_add_download (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AddCall *call = user_data;

  ferry_manager1_call_add_download_finish (FERRY_MANAGER1 (source), &call->path, result,
                                           &call->error);
  call->done = TRUE;
}

static gboolean
call_done (gpointer user_data)
{
  return ((AddCall *) user_data)->done;
}

static guint
count_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Makes ferryd's worker threads exist (an AddUpload adopts its file on one, here of a paused
 * upload without identifier) and stops them while they idle: work handed to them waits until
 * thaw_all(). FALSE (the test skipped) where ferryd cannot be traced. */
static gboolean
hold_back_workers (Fixture *f)
{
  g_autofree char *warm_path = write_source (f, "warm.bin", 64 * KiB, 50);
  g_autoptr(FerryTransfer1) warm = NULL;
  FreezeWait w = { f, 0, SYS_futex /* idle */, 1, TRUE };

  warm = upload (f, warm_path, "/plain/warm.bin",
                 options_of ("paused", g_variant_new_boolean (TRUE), NULL));
  w.pid = ferry_test_daemon_pid (f->daemon);
  g_assert_true (ferry_test_wait_until (froze_enough, &w, 30000));
  if (!w.allowed)
    {
      g_test_skip ("This process may not trace ferryd (ptrace), so no work can be held up");
      return FALSE;
    }
  return TRUE;
}

/* Property @name of the transfer at @path, read with a call (which starts ferryd if it has
 * left). */
static GVariant *
transfer_property (Fixture    *f,
                   const char *path,
                   const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariant *value = NULL;

  reply = g_dbus_connection_call_sync (f->daemon->connection, DAEMON_NAME, path,
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", "io.github.ferryhq.Ferry.Transfer1",
                                                      name),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 30000,
                                       NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return value;
}

/* An AddUpload that has to copy the file (its path is gone) and cannot get on with it (the
 * worker threads are stopped) keeps ferryd up past its inactivity timeout; once it goes on,
 * the caller gets its transfer and no copy is left without one. */
static void
test_hold_during_add_upload (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *uploads = g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR, "uploads",
                                               NULL);
  g_autofree char *gone = write_source (f, "gone.bin", 4 * MiB, 51);
  g_autofree char *uri = ferry_test_upload_server_uri (f->server, "/plain/gone.bin");
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GVariant) state = NULL;
  g_autoptr(GVariant) total = NULL;
  AddCall call = { FALSE, NULL, NULL };
  GPid pid;
  int fd;

  /* A daemon that leaves 300 ms after its last call; 2 s where the sanitizers make it many
   * times slower, so that it is still there when its workers have been stopped. */
  guint timeout_ms = g_getenv ("FERRY_TEST_SANITIZED") != NULL ? 2000 : 300;
  g_autofree char *timeout = g_strdup_printf ("%u", timeout_ms);

  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_setenv ("FERRY_INACTIVITY_TIMEOUT_MSEC", timeout, TRUE);
  f->daemon = ferry_test_daemon_new ();
  g_unsetenv ("FERRY_INACTIVITY_TIMEOUT_MSEC");
  if (!hold_back_workers (f))
    return;
  pid = ferry_test_daemon_pid (f->daemon);
  fd = open (gone, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (g_unlink (gone), ==, 0);
  g_unix_fd_list_append (fds, fd, NULL);
  close (fd);
  ferry_manager1_call_add_upload (f->daemon->manager, uri, g_variant_new_handle (0),
                                  options_of ("paused", g_variant_new_boolean (TRUE), NULL),
                                  fds, NULL, on_add_upload, &call);

  /* Ten inactivity timeouts: a ferryd without a hold would be gone. */
  g_assert_false (ferry_test_wait_until (name_has_no_owner, f, 10 * timeout_ms));
  g_assert_false (call.done);
  g_assert_cmpint (ferry_test_daemon_pid (f->daemon), ==, pid);

  thaw_all (f);
  g_assert_true (ferry_test_wait_until (call_done, &call, 30000));
  g_assert_no_error (call.error);
  /* Asked as calls, which bring ferryd back: with nothing to do (the upload is paused) it may
   * leave soon after the answer, before a proxy made now has read anything. */
  state = transfer_property (f, call.path, "State");
  g_assert_cmpstr (g_variant_get_string (state, NULL), ==, "paused");
  total = transfer_property (f, call.path, "BytesTotal");
  g_assert_cmpuint (g_variant_get_uint64 (total), ==, 4 * MiB);
  g_assert_cmpuint (count_entries (uploads), ==, 1);
  g_free (call.path);
}

/* A copy left in ferryd's uploads folder by a ferryd that ended in the middle of an
 * AddUpload (here: put there by the test) is deleted when ferryd starts again; the copy a
 * transfer uploads from stays, and that upload completes. */
static void
test_orphaned_copy (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *uploads = g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR, "uploads",
                                               NULL);
  g_autofree char *orphan = g_build_filename (uploads, "0b6f6f5e-left-by-a-killed-ferryd", NULL);
  g_autofree char *gone = write_source (f, "gone.bin", 512 * KiB, 52);
  g_autofree char *want = ferry_test_sha256_file (gone);
  g_autofree char *uri = ferry_test_upload_server_uri (f->server, "/plain/gone.bin");
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *object_path = NULL;
  g_autofree char *sha = NULL;
  int fd;

  fd = open (gone, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (g_unlink (gone), ==, 0);
  g_unix_fd_list_append (fds, fd, NULL);
  close (fd);
  ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0),
                                       options_of ("paused", g_variant_new_boolean (TRUE),
                                                   "protocol", g_variant_new_string ("plain"),
                                                   "method", g_variant_new_string ("PUT"),
                                                   NULL),
                                       fds, &object_path, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_entries (uploads), ==, 1);

  ferry_test_daemon_kill (f->daemon);
  g_assert_true (g_file_set_contents (orphan, "half a copy", -1, NULL));
  g_assert_cmpuint (count_entries (uploads), ==, 2);

  t = ferry_test_daemon_transfer (f->daemon, object_path);
  ferry_transfer1_call_resume_sync (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (orphan, G_FILE_TEST_EXISTS));
  g_assert_true (ferry_test_wait_state (t, "completed", 30000));
  got = ferry_test_upload_server_get_plain (f->server, "gone.bin", NULL);
  g_assert_nonnull (got);
  sha = ferry_test_sha256_bytes (got);
  g_assert_cmpstr (sha, ==, want);
}

/* -- Two adds of one identifier at once ---------------------------------------------------- */

/* An AddUpload still adopting its file, and meanwhile another AddUpload (or an AddDownload)
 * with the same identifier: both get the one transfer, and there is one row. @data: the kind
 * of the second call. */
static void
test_concurrent_identifier (Fixture       *f,
                            gconstpointer  data)
{
  gboolean second_is_upload = g_str_equal (data, "upload");
  g_autofree char *path = write_source (f, "report.pdf", 512 * KiB, 70);
  g_autofree char *uri = ferry_test_upload_server_uri (f->server, "/plain/report.pdf");
  AddCall calls[2] = { { FALSE, NULL, NULL }, { FALSE, NULL, NULL } };
  g_auto(GStrv) listed = NULL;
  g_autoptr(GError) error = NULL;
  guint with_identifier = 0;

  if (!hold_back_workers (f))
    return;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
      GVariant *options = options_of ("identifier", g_variant_new_string ("report"),
                                      "paused", g_variant_new_boolean (TRUE),
                                      "destination",
                                      g_variant_new_string (f->daemon->download_dir),
                                      NULL);
      int fd;

      if (i == 1 && !second_is_upload)
        {
          ferry_manager1_call_add_download (f->daemon->manager, uri, options, NULL,
                                            on_add_download, &calls[i]);
          continue;
        }

      /* Uploads take no destination. */
      g_variant_unref (g_variant_ref_sink (options));
      options = options_of ("identifier", g_variant_new_string ("report"),
                            "paused", g_variant_new_boolean (TRUE), NULL);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      g_assert_cmpint (fd, >=, 0);
      g_unix_fd_list_append (fds, fd, NULL);
      close (fd);
      ferry_manager1_call_add_upload (f->daemon->manager, uri, g_variant_new_handle (0), options,
                                      fds, NULL, on_add_upload, &calls[i]);
    }

  /* Calls from one connection are handled in order: once this one is answered, ferryd has
   * taken both adds, and the first is still waiting for a worker. */
  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &listed, NULL,
                                                          &error));
  g_assert_no_error (error);
  g_assert_false (calls[0].done);
  g_clear_pointer (&listed, g_strfreev);

  thaw_all (f);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_true (ferry_test_wait_until (call_done, &calls[i], 30000));
      g_assert_no_error (calls[i].error);
    }
  g_assert_cmpstr (calls[0].path, ==, calls[1].path);

  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &listed, NULL,
                                                          &error));
  g_assert_no_error (error);
  for (guint i = 0; listed[i] != NULL; i++)
    {
      g_autoptr(FerryTransfer1) t = ferry_test_daemon_transfer (f->daemon, listed[i]);

      if (g_str_equal (ferry_transfer1_get_identifier (t), "report"))
        with_identifier++;
    }
  g_assert_cmpuint (with_identifier, ==, 1);
  for (guint i = 0; i < 2; i++)
    g_free (calls[i].path);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, data, func) \
  g_test_add (name, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("/hostile/fifo-after-restart", NULL, test_fifo_after_restart);
  ADD ("/hostile/cancel-frees-slot", NULL, test_cancel_frees_slot);
  g_test_add ("/hostile/sigterm-stuck", Fixture, NULL, fixture_setup_exits_traced,
              test_sigterm_stuck, fixture_teardown);
  ADD ("/hostile/hold-during-add-upload", NULL, test_hold_during_add_upload);
  ADD ("/hostile/orphaned-copy", NULL, test_orphaned_copy);
  ADD ("/hostile/concurrent-identifier-upload", "upload", test_concurrent_identifier);
  ADD ("/hostile/concurrent-identifier-download", "download", test_concurrent_identifier);
  ADD ("/hostile/quota-headers", NULL, test_quota_headers);
  ADD ("/hostile/quota-transfers", NULL, test_quota_transfers);
  ADD ("/hostile/overwritten-in-place-put", "/plain/growing.bin", test_overwritten_in_place);
  ADD ("/hostile/overwritten-in-place-ietf", "/ietf", test_overwritten_in_place);
#undef ADD

  return g_test_run ();
}
