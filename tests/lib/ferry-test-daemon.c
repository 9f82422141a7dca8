/* ferry-test-daemon.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/types.h>

#include <glib/gstdio.h>

#include "ferry-error.h"
#include "ferry-test-daemon.h"
#include "ferry-test-server.h"

/* A service directory whose ferryd runs under valgrind's memcheck, logging into the directory
 * FERRY_TEST_VALGRIND names (tests/valgrind-check reads the logs). */
static char *
valgrind_service_dir (const char *service_dir)
{
  g_autoptr(GDir) dir = g_dir_open (service_dir, 0, NULL);
  g_autofree char *out_dir = g_build_filename (g_get_user_runtime_dir (), "valgrind-services", NULL);
  const char *logs = g_getenv ("FERRY_TEST_VALGRIND");
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (out_dir, 0700), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (service_dir, name, NULL);
      g_autofree char *out_path = g_build_filename (out_dir, name, NULL);
      g_autoptr(GKeyFile) service = g_key_file_new ();
      g_autofree char *exec = NULL;
      g_autofree char *wrapped = NULL;

      if (!g_str_has_suffix (name, ".service") ||
          !g_key_file_load_from_file (service, path, G_KEY_FILE_NONE, NULL))
        continue;
      exec = g_key_file_get_string (service, "D-BUS Service", "Exec", NULL);
      g_assert_nonnull (exec);
      wrapped = g_strdup_printf ("/usr/bin/valgrind --tool=memcheck --leak-check=full "
                                 "--errors-for-leak-kinds=definite --show-leak-kinds=definite "
                                 "--suppressions=%s/valgrind.supp "
                                 "--num-callers=30 --log-file=%s/ferryd-%%p.log %s",
                                 g_getenv ("G_TEST_SRCDIR"), logs, exec);
      g_key_file_set_string (service, "D-BUS Service", "Exec", wrapped);
      g_assert_true (g_key_file_save_to_file (service, out_path, NULL));
    }
  return g_steal_pointer (&out_dir);
}

void
ferry_test_die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* GLib 2.74's GTestDBus watches this process through a pipe that the bus daemon inherits:
 * when a failed assertion aborts the test, the watcher waits for an end of the pipe that
 * the bus it should kill keeps open, and meson waits for both until its timeout. So an
 * abort kills the bus first; ferryd, losing its bus, ends too. */
static volatile sig_atomic_t bus_pid;

static void
on_abort (int signum)
{
  if (bus_pid > 0)
    kill ((pid_t) bus_pid, SIGKILL);
  /* Returning lets abort() go on: it raises SIGABRT again with the default action. */
}

static void
kill_bus_on_abort (GDBusConnection *connection)
{
  g_autoptr(GVariant) reply = NULL;
  struct sigaction action = { 0 };

  /* The bus daemon answers for its own name with its own process. */
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", "org.freedesktop.DBus"),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       NULL);
  if (reply == NULL)
    return;
  g_variant_get (reply, "(u)", &bus_pid);

  action.sa_handler = on_abort;
  sigemptyset (&action.sa_mask);
  sigaction (SIGABRT, &action, NULL);
}

void
ferry_test_fork_bus_watcher (void)
{
  g_autoptr(GTestDBus) first = g_test_dbus_new (G_TEST_DBUS_NONE);
  /* g_test_dbus_up() unsets DISPLAY; the GUI tests draw on Xvfb's. */
  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));

  g_test_dbus_up (first);
  g_test_dbus_down (first);
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);
}

FerryTestDaemon *
ferry_test_daemon_new (void)
{
  FerryTestDaemon *daemon = g_new0 (FerryTestDaemon, 1);
  const char *service_dir = g_getenv ("FERRY_SERVICE_DIR");
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (service_dir);
  (void) FERRY_ERROR;

  /* ferryd inherits the bus's environment, not this process's isolated directories: hand
   * them on explicitly, with a short stall timeout for the tests. */
  g_setenv ("HOME", g_get_home_dir (), TRUE);
  g_setenv ("XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_setenv ("XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_setenv ("XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_setenv ("XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  /* Isolation also empties XDG_DATA_DIRS; GIO's modules need the system's schemas. */
  g_setenv ("XDG_DATA_DIRS", "/usr/local/share:/usr/share", TRUE);
  g_setenv ("FERRY_STALL_TIMEOUT", "4", TRUE);
  g_setenv ("FERRY_DISK_RETRY_SECONDS", "1", TRUE);

  daemon->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  if (g_getenv ("FERRY_TEST_VALGRIND") != NULL)
    service_dir = daemon->valgrind_services = valgrind_service_dir (service_dir);
  g_test_dbus_add_service_dir (daemon->bus, service_dir);
  /* Other apps' services (the example client) for the tests that need them. */
  if (g_getenv ("FERRY_TEST_EXTRA_SERVICE_DIR") != NULL)
    g_test_dbus_add_service_dir (daemon->bus, g_getenv ("FERRY_TEST_EXTRA_SERVICE_DIR"));
  {
    /* g_test_dbus_up() unsets DISPLAY; the GUI tests draw on Xvfb's. */
    g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));

    g_test_dbus_up (daemon->bus);
    if (display != NULL)
      g_setenv ("DISPLAY", display, TRUE);
  }

  daemon->connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  kill_bus_on_abort (daemon->connection);

  daemon->manager = ferry_manager1_proxy_new_sync (daemon->connection,
                                                   G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START_AT_CONSTRUCTION,
                                                   "io.github.ferryhq.Ferry.Daemon",
                                                   "/io/github/ferryhq/Ferry/Daemon",
                                                   NULL, &error);
  g_assert_no_error (error);

  daemon->download_dir = g_build_filename (g_get_user_data_dir (), "downloads", NULL);
  g_assert_cmpint (g_mkdir_with_parents (daemon->download_dir, 0755), ==, 0);

  return daemon;
}

void
ferry_test_daemon_free (FerryTestDaemon *daemon)
{
  bus_pid = 0;
  g_clear_object (&daemon->manager);
  g_clear_object (&daemon->connection);
  /* Closing the bus ends ferryd too: it exits when it loses its connection. */
  if (daemon->stop_only)
    {
      /* Disposing a GTestDBus runs g_test_dbus_down(), which waits for the connection this
       * process keeps: the stopped bus object stays until the process ends (held here, so
       * that it is not a leak). */
      static GPtrArray *stopped_buses = NULL;

      g_test_dbus_stop (daemon->bus);
      if (stopped_buses == NULL)
        stopped_buses = g_ptr_array_new ();
      g_ptr_array_add (stopped_buses, g_steal_pointer (&daemon->bus));
    }
  else
    {
      g_test_dbus_down (daemon->bus);
      g_clear_object (&daemon->bus);
    }
  g_free (daemon->download_dir);
  g_free (daemon->valgrind_services);
  g_free (daemon);
}

char **
ferry_test_daemon_list (FerryTestDaemon *daemon,
                        const char      *session)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  char **paths = NULL;

  reply = g_dbus_connection_call_sync (daemon->connection, "io.github.ferryhq.Ferry.Daemon",
                                       "/io/github/ferryhq/Ferry/Daemon",
                                       "io.github.ferryhq.Ferry.Manager1", "ListTransfers",
                                       g_variant_new ("(s)", session), G_VARIANT_TYPE ("(ao)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(^ao)", &paths);
  return paths;
}

char *
ferry_test_daemon_add (FerryTestDaemon *daemon,
                       const char      *uri,
                       GVariant        *options,
                       GError         **error)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (options);
  char *path = NULL;

  if (!g_variant_dict_contains (&dict, "destination"))
    g_variant_dict_insert (&dict, "destination", "s", daemon->download_dir);

  if (options != NULL)
    g_variant_unref (g_variant_ref_sink (options));

  if (!ferry_manager1_call_add_download_sync (daemon->manager, uri, g_variant_dict_end (&dict),
                                              &path, NULL, error))
    return NULL;

  return path;
}

FerryTransfer1 *
ferry_test_daemon_transfer (FerryTestDaemon *daemon,
                            const char      *path)
{
  g_autoptr(GError) error = NULL;
  FerryTransfer1 *proxy = ferry_transfer1_proxy_new_sync (daemon->connection,
                                                          G_DBUS_PROXY_FLAGS_NONE,
                                                          "io.github.ferryhq.Ferry.Daemon",
                                                          path, NULL, &error);

  g_assert_no_error (error);
  return proxy;
}

FerryTransfer1 *
ferry_test_daemon_add_from (FerryTestDaemon *daemon,
                            gpointer         server,
                            const char      *server_path,
                            GVariant        *options)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = ferry_test_server_uri (server, server_path);
  g_autofree char *object_path = ferry_test_daemon_add (daemon, uri, options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (object_path);
  return ferry_test_daemon_transfer (daemon, object_path);
}

GPid
ferry_test_daemon_pid (FerryTestDaemon *daemon)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint32 pid;

  reply = g_dbus_connection_call_sync (daemon->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", "io.github.ferryhq.Ferry.Daemon"),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &pid);
  return (GPid) pid;
}

gboolean
ferry_test_name_has_owner (GDBusConnection *connection,
                           const char      *name)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gboolean has_owner = FALSE;

  /* The bus always answers this; a test whose bus is gone has failed. */
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "NameHasOwner", g_variant_new ("(s)", name),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &has_owner);
  return has_owner;
}

static gboolean
name_has_no_owner (gpointer user_data)
{
  FerryTestDaemon *daemon = user_data;

  return !ferry_test_name_has_owner (daemon->connection, "io.github.ferryhq.Ferry.Daemon");
}

static gboolean
proxy_has_no_owner (gpointer user_data)
{
  g_autofree char *owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (user_data));

  return owner == NULL;
}

void
ferry_test_daemon_kill (FerryTestDaemon *daemon)
{
  GPid pid = ferry_test_daemon_pid (daemon);

  g_test_message ("kill -9 ferryd (pid %d)", (int) pid);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_true (ferry_test_wait_until (name_has_no_owner, daemon, 5000));
  /* Proxies send to the owner they last saw; wait until ours has seen it go. */
  g_assert_true (ferry_test_wait_until (proxy_has_no_owner, daemon->manager, 5000));
}

void
ferry_test_daemon_fill_store (FerryTestDaemon *daemon,
                              guint            count,
                              const char      *session,
                              const char      *uri_prefix,
                              const char      *uri_suffix)
{
  g_autofree char *db_path = g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR,
                                               "ferry.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *insert = NULL;

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO transfers (kind, uri, directory, "
                                       "session, identifier, state, created_at) "
                                       "VALUES (0, ?, ?, ?, ?, 3, ?)", -1, &insert, NULL),
                   ==, SQLITE_OK);
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *uri = g_strdup_printf ("%s%05u%s", uri_prefix, i, uri_suffix);
      g_autofree char *identifier = g_strdup_printf ("id-%u", i);

      sqlite3_bind_text (insert, 1, uri, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 2, daemon->download_dir, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 3, session, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 4, identifier, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (insert, 5, g_get_real_time () / G_USEC_PER_SEC);
      g_assert_cmpint (sqlite3_step (insert), ==, SQLITE_DONE);
      sqlite3_reset (insert);
    }
  sqlite3_finalize (insert);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
ferry_test_wait_until (FerryTestCondition condition,
                       gpointer           user_data,
                       guint              timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint wake = g_timeout_add (20, wake_up, NULL);
  gboolean ok = TRUE;

  while (!condition (user_data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          ok = FALSE;
          break;
        }
      g_main_context_iteration (NULL, TRUE);
    }

  g_source_remove (wake);
  return ok;
}

typedef struct
{
  FerryTransfer1 *transfer;
  const char *state;
  guint64 bytes;
} WaitData;

static gboolean
has_state (gpointer user_data)
{
  WaitData *data = user_data;

  return g_strcmp0 (ferry_transfer1_get_state (data->transfer), data->state) == 0;
}

gboolean
ferry_test_wait_state (FerryTransfer1 *transfer,
                       const char     *state,
                       guint           timeout_ms)
{
  WaitData data = { transfer, state, 0 };
  gboolean ok = ferry_test_wait_until (has_state, &data, timeout_ms);

  if (!ok)
    g_test_message ("Still %s (%s) after %u ms, waiting for %s",
                    ferry_transfer1_get_state (transfer), ferry_transfer1_get_error (transfer),
                    timeout_ms, state);
  return ok;
}

static gboolean
has_bytes (gpointer user_data)
{
  WaitData *data = user_data;

  return ferry_transfer1_get_bytes_done (data->transfer) >= data->bytes;
}

gboolean
ferry_test_wait_bytes (FerryTransfer1 *transfer,
                       guint64         at_least,
                       guint           timeout_ms)
{
  WaitData data = { transfer, NULL, at_least };

  return ferry_test_wait_until (has_bytes, &data, timeout_ms);
}

static gboolean
never (gpointer user_data)
{
  return FALSE;
}

void
ferry_test_sleep (guint ms)
{
  ferry_test_wait_until (never, NULL, ms);
}

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  FerryTestRun *run = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err,
                                        &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_if_exited (G_SUBPROCESS (source))
                  ? g_subprocess_get_exit_status (G_SUBPROCESS (source))
                  : -1;
  run->done = TRUE;
}

void
ferry_test_run_start (GSubprocess  *proc,
                      FerryTestRun *run)
{
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, on_communicated, run);
}

gboolean
ferry_test_run_done (gpointer run)
{
  return ((FerryTestRun *) run)->done;
}

void
ferry_test_run_finish (GSubprocess  *proc,
                       FerryTestRun *run)
{
  ferry_test_run_start (proc, run);
  g_assert_true (ferry_test_wait_until (ferry_test_run_done, run, 60000));
  g_test_message ("status %d\nstdout:\n%s\nstderr:\n%s", run->status, run->out, run->err);
}

void
ferry_test_run_clear (FerryTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
  run->done = FALSE;
  run->status = 0;
}

static char *saved_asan_options;

void
ferry_test_preload_shim_begin (const char *dir)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *exe_dir = g_path_get_dirname (exe);
  g_autofree char *shim = g_build_filename (exe_dir, "..", "lib", "ferry-test-eio.so", NULL);

  g_assert_true (g_file_test (shim, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_setenv ("LD_PRELOAD", shim, TRUE);
  g_setenv ("FERRY_TEST_EIO_DIR", dir, TRUE);
  /* Under AddressSanitizer the shim comes before its runtime: allow that. */
  saved_asan_options = g_strdup (g_getenv ("ASAN_OPTIONS"));
  if (saved_asan_options != NULL)
    {
      g_autofree char *options = g_strconcat (saved_asan_options, ":verify_asan_link_order=0",
                                              NULL);

      g_setenv ("ASAN_OPTIONS", options, TRUE);
    }
}

void
ferry_test_preload_shim_end (void)
{
  g_unsetenv ("LD_PRELOAD");
  g_unsetenv ("FERRY_TEST_EIO_DIR");
  if (saved_asan_options != NULL)
    g_setenv ("ASAN_OPTIONS", saved_asan_options, TRUE);
  g_clear_pointer (&saved_asan_options, g_free);
}

void
ferry_test_write_settings (const char *lines)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "glib-2.0", "settings",
                                           NULL);
  g_autofree char *path = g_build_filename (dir, "keyfile", NULL);
  g_autofree char *contents = g_strdup_printf ("[io/github/ferryhq/Ferry]\n%s", lines);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

char *
ferry_test_mount_small_tmpfs (const char *dir,
                              const char *size)
{
  g_autofree char *mount_cmd = g_strdup_printf ("mount -t tmpfs -o size=%s tmpfs '%s'", size, dir);
  int status = -1;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  if (getuid () != 0 || !g_spawn_command_line_sync (mount_cmd, NULL, NULL, &status, NULL) ||
      status != 0)
    {
      g_test_skip ("Mounting a small tmpfs needs root and mount permission here");
      return NULL;
    }
  return g_strdup_printf ("umount -l '%s'", dir);
}
