/* test-announce.c: what ferryd announces on D-Bus is what its store holds — a change that
 * could not be stored is never shown, and the call that asked for it fails with a sentence
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ferry-test-daemon.h"

#define N_TRANSFERS 3

typedef struct
{
  FerryTestDaemon *daemon;
  guint changes;             /* PropertiesChanged of any transfer */
  guint subscription;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->daemon = ferry_test_daemon_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->subscription != 0)
    g_dbus_connection_signal_unsubscribe (f->daemon->connection, f->subscription);
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
}

static void
on_properties_changed (GDBusConnection *connection,
                       const char      *sender,
                       const char      *path,
                       const char      *interface,
                       const char      *signal,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  Fixture *f = user_data;

  f->changes++;
}

static void
watch_transfers (Fixture *f)
{
  f->subscription = g_dbus_connection_signal_subscribe (
    f->daemon->connection, NULL, "org.freedesktop.DBus.Properties", "PropertiesChanged",
    NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_properties_changed, f, NULL);
}

/* Signals the service sent before its reply to a call arrive before the reply: once the call
 * has returned, their handlers are queued here already, and this runs them. */
static void
run_delivered (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
seen_changes (gpointer user_data)
{
  Fixture *f = user_data;

  return f->changes >= N_TRANSFERS;
}

/* PauseAll or ResumeAll, and what it does to transfers that wait for a begin an hour away. */
typedef struct
{
  gboolean pause;
  gboolean added_paused;
  const char *before;      /* the state before, and after the call failed */
  const char *after;       /* the state once the call worked */
  const char *undone;      /* what the error says was not done */
} Case;

static const Case pause_all = { TRUE, FALSE, "waiting", "paused", "nothing was paused" };
static const Case resume_all = { FALSE, TRUE, "paused", "waiting", "nothing was resumed" };

static gboolean
call_all (Fixture     *f,
          const Case  *c,
          GError     **error)
{
  if (c->pause)
    return ferry_manager1_call_pause_all_sync (f->daemon->manager, NULL, error);
  return ferry_manager1_call_resume_all_sync (f->daemon->manager, NULL, error);
}

/* PauseAll or ResumeAll while the store's disk is full: its one transaction cannot commit.
 * The call fails and says why, no transfer announced a change, each is still what it was;
 * with room again, the same call changes them all and each says so. */
static void
test_all_store_full (Fixture       *f,
                     gconstpointer  data)
{
  const Case *c = data;
  g_autofree char *store_dir = g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR, NULL);
  /* A 1 MiB tmpfs where ferryd keeps its store, mounted before ferryd first starts. */
  g_autofree char *umount_cmd = ferry_test_mount_small_tmpfs (store_dir, "1m");
  g_autofree char *filler = g_build_filename (store_dir, "filler", NULL);
  g_autofree char *fill_cmd = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  if (umount_cmd == NULL)
    return;

  /* A begin an hour away: nothing runs, nothing else changes them. */
  for (guint i = 0; i < N_TRANSFERS; i++)
    {
      g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:9/file-%u", i);
      g_autoptr(FerryTransfer1) t = NULL;
      GVariantDict dict;
      char *path;

      g_variant_dict_init (&dict, NULL);
      g_variant_dict_insert (&dict, "earliest-begin", "x",
                             g_get_real_time () / G_USEC_PER_SEC + 3600);
      g_variant_dict_insert (&dict, "paused", "b", c->added_paused);
      path = ferry_test_daemon_add (f->daemon, uri, g_variant_dict_end (&dict), &error);
      g_assert_no_error (error);
      g_ptr_array_add (paths, path);
      t = ferry_test_daemon_transfer (f->daemon, path);
      g_assert_true (ferry_test_wait_state (t, c->before, 30000));
    }

  watch_transfers (f);
  fill_cmd = g_strdup_printf ("dd if=/dev/zero of='%s' bs=64k", filler);
  g_spawn_command_line_sync (fill_cmd, NULL, NULL, NULL, NULL);

  g_assert_false (call_all (f, c, &error));
  g_assert_nonnull (error);
  g_test_message ("On a full disk: %s", error->message);
  g_assert_nonnull (strstr (error->message, "the disk is full"));
  g_assert_nonnull (strstr (error->message, c->undone));
  g_clear_error (&error);

  run_delivered ();
  g_assert_cmpuint (f->changes, ==, 0);
  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(FerryTransfer1) t = ferry_test_daemon_transfer (f->daemon, paths->pdata[i]);

      g_assert_cmpstr (ferry_transfer1_get_state (t), ==, c->before);
    }

  /* Room again: the same call changes them, and that is announced. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  g_assert_true (call_all (f, c, &error));
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_until (seen_changes, f, 30000));
  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(FerryTransfer1) t = ferry_test_daemon_transfer (f->daemon, paths->pdata[i]);

      g_assert_true (ferry_test_wait_state (t, c->after, 30000));
    }

  ferry_test_daemon_free (f->daemon);
  f->daemon = NULL;
  f->subscription = 0;
  g_spawn_command_line_sync (umount_cmd, NULL, NULL, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/announce/pause-all-store-full", Fixture, &pause_all, fixture_setup,
              test_all_store_full, fixture_teardown);
  g_test_add ("/announce/resume-all-store-full", Fixture, &resume_all, fixture_setup,
              test_all_store_full, fixture_teardown);

  return g_test_run ();
}
