/* ferry-test-daemon.h: the real ferryd on a private bus, activated from the build tree
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ferry-dbus.h"

G_BEGIN_DECLS

typedef struct
{
  GTestDBus *bus;
  GDBusConnection *connection;
  FerryManager1 *manager;
  char *download_dir;
  /* Stop the bus without waiting for this process's connection to go (a registered
   * GApplication keeps it for good). */
  gboolean stop_only;
  char *valgrind_services;
} FerryTestDaemon;

/* GTestDBus (GLib 2.74) forks a watcher process the first time a test bus goes up; the
 * watcher leaves with exit (), where LeakSanitizer checks it. Forked while this process has
 * other threads (GDBus's, GLib's worker, a thread pool's), it holds their data with no thread
 * left to point to it, and LeakSanitizer calls that leaked. A test that starts threads before
 * its first bus calls this first: a bus that goes up and down at once has the watcher forked
 * while this process has one thread. */
void             ferry_test_fork_bus_watcher (void);

/* Starts a private session bus whose service directory is the build tree's (from
 * FERRY_SERVICE_DIR). ferryd is not started until the first call reaches it. */
FerryTestDaemon *ferry_test_daemon_new (void);
void             ferry_test_daemon_free (FerryTestDaemon *daemon);

/* The paths of @session's transfers (all for ""), asked of ferryd's well-known name: ferryd
 * leaves once idle for its inactivity timeout (a step of a sanitized run can take that long),
 * and daemon->manager, until it hears of that, sends to the unique name ferryd had, which
 * answers ServiceUnknown. The name starts ferryd again, with the same store. */
char           **ferry_test_daemon_list (FerryTestDaemon *daemon,
                                         const char      *session);

/* AddDownload into daemon->download_dir (unless @options names a destination). */
char           *ferry_test_daemon_add (FerryTestDaemon *daemon,
                                       const char      *uri,
                                       GVariant        *options,
                                       GError         **error);
FerryTransfer1 *ferry_test_daemon_transfer (FerryTestDaemon *daemon,
                                            const char      *path);
/* Adds a download of @server_path on @server (a FerryTestServer) and returns its proxy. */
FerryTransfer1 *ferry_test_daemon_add_from (FerryTestDaemon *daemon,
                                            gpointer         server,
                                            const char      *server_path,
                                            GVariant        *options);
GPid            ferry_test_daemon_pid (FerryTestDaemon *daemon);
/* kill -9, and wait until the name is free again. */
void            ferry_test_daemon_kill (FerryTestDaemon *daemon);
/* Writes @count paused downloads of @session into ferryd's store while ferryd is not
 * running, as that many AddDownload calls into daemon->download_dir would leave them: the
 * identifiers id-0, id-1 …, the addresses @uri_prefix, the number in five digits, then
 * @uri_suffix. The store must exist (ferryd ran once). */
void            ferry_test_daemon_fill_store (FerryTestDaemon *daemon,
                                              guint            count,
                                              const char      *session,
                                              const char      *uri_prefix,
                                              const char      *uri_suffix);

/* Writes ferryd's settings (@lines of "key=value") where the keyfile backend reads and
 * watches them. */
void            ferry_test_write_settings (const char *lines);

/* Between the two, a daemon that starts (ferryd gets the bus's environment, which is this
 * process's when the bus starts) runs with tests/lib/ferry-test-eio.so preloaded, its notes
 * in @dir. */
void            ferry_test_preload_shim_begin (const char *dir);
void            ferry_test_preload_shim_end (void);

/* Whether @name has an owner on the bus of @connection. */
gboolean        ferry_test_name_has_owner (GDBusConnection *connection,
                                           const char      *name);

typedef gboolean (*FerryTestCondition) (gpointer user_data);

/* Runs the main loop until @condition holds or @timeout_ms passes. */
gboolean ferry_test_wait_until (FerryTestCondition condition,
                                gpointer           user_data,
                                guint              timeout_ms);
gboolean ferry_test_wait_state (FerryTransfer1 *transfer,
                                const char     *state,
                                guint           timeout_ms);
gboolean ferry_test_wait_bytes (FerryTransfer1 *transfer,
                                guint64         at_least,
                                guint           timeout_ms);
void     ferry_test_sleep (guint ms);

/* A child setup for helper processes (servers, mocks): killed when the test process ends,
 * even by a crash or a failed assertion, so nothing keeps the test's output open. */
void     ferry_test_die_with_parent (gpointer user_data);

/* A child process's outcome, collected while the main loop goes on (the service may need
 * this process's answers, and a test may kill things while the child runs). */
typedef struct
{
  gboolean done;
  int status;
  char *out;
  char *err;
} FerryTestRun;

void     ferry_test_run_start  (GSubprocess  *proc,
                                FerryTestRun *run);
/* Starts collecting and waits up to 60 s for the end; logs what the child printed. */
void     ferry_test_run_finish (GSubprocess  *proc,
                                FerryTestRun *run);
gboolean ferry_test_run_done   (gpointer      run);
void     ferry_test_run_clear  (FerryTestRun *run);

/* Mounts a tmpfs of @size ("1m") on @dir, made if needed; returns the command that unmounts
 * it, or NULL (the test skipped) where this cannot be done (not root, no mount permission). */
char    *ferry_test_mount_small_tmpfs (const char *dir,
                                       const char *size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryTestDaemon, ferry_test_daemon_free)

G_END_DECLS
