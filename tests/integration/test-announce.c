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

/* What a test saw announced: the states other than the one every transfer was in. */
typedef struct
{
  const char *before;
  guint changes;
} Seen;

static void
on_changed (GDBusProxy *proxy,
            GVariant   *changed,
            GStrv       invalidated,
            Seen       *seen)
{
  const char *state;

  /* A transfer's first announcement, sent around when this began watching, says all its
   * properties, its state unchanged among them. */
  if (g_variant_lookup (changed, "State", "&s", &state) && !g_str_equal (state, seen->before))
    seen->changes++;
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
  return ((Seen *) user_data)->changes >= N_TRANSFERS;
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
call_all (FerryTestDaemon *daemon,
          const Case      *c,
          GError         **error)
{
  if (c->pause)
    return ferry_manager1_call_pause_all_sync (daemon->manager, NULL, error);
  return ferry_manager1_call_resume_all_sync (daemon->manager, NULL, error);
}

/* PauseAll or ResumeAll while the store's disk is full: its one transaction cannot commit.
 * The call fails and says why, no transfer announced a new state, each is still what it
 * was; with room again, the same call changes them all and each says so. */
static void
test_all_store_full (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *store_dir = g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR, NULL);
  /* A 1 MiB tmpfs where ferryd keeps its store, mounted before ferryd first starts. */
  g_autofree char *umount_cmd = ferry_test_mount_small_tmpfs (store_dir, "1m");
  g_autofree char *filler = g_build_filename (store_dir, "filler", NULL);
  g_autofree char *fill_cmd = NULL;
  g_autoptr(GPtrArray) transfers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  FerryTestDaemon *daemon;
  Seen seen = { c->before, 0 };

  if (umount_cmd == NULL)
    return;
  daemon = ferry_test_daemon_new ();

  /* A begin an hour away: nothing runs, nothing else changes them. */
  for (guint i = 0; i < N_TRANSFERS; i++)
    {
      g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:9/file-%u", i);
      g_autofree char *path = NULL;
      FerryTransfer1 *t;
      GVariantDict dict;

      g_variant_dict_init (&dict, NULL);
      g_variant_dict_insert (&dict, "earliest-begin", "x",
                             g_get_real_time () / G_USEC_PER_SEC + 3600);
      g_variant_dict_insert (&dict, "paused", "b", c->added_paused);
      path = ferry_test_daemon_add (daemon, uri, g_variant_dict_end (&dict), &error);
      g_assert_no_error (error);
      t = ferry_test_daemon_transfer (daemon, path);
      g_ptr_array_add (transfers, t);
      g_assert_true (ferry_test_wait_state (t, c->before, 30000));
    }
  for (guint i = 0; i < transfers->len; i++)
    g_signal_connect (transfers->pdata[i], "g-properties-changed", G_CALLBACK (on_changed),
                      &seen);

  fill_cmd = g_strdup_printf ("dd if=/dev/zero of='%s' bs=64k", filler);
  g_spawn_command_line_sync (fill_cmd, NULL, NULL, NULL, NULL);

  g_assert_false (call_all (daemon, c, &error));
  g_assert_nonnull (error);
  g_test_message ("On a full disk: %s", error->message);
  g_assert_nonnull (strstr (error->message, "the disk is full"));
  g_assert_nonnull (strstr (error->message, c->undone));
  g_clear_error (&error);

  run_delivered ();
  g_assert_cmpuint (seen.changes, ==, 0);
  for (guint i = 0; i < transfers->len; i++)
    {
      g_autoptr(FerryTransfer1) fresh = ferry_test_daemon_transfer (
        daemon, g_dbus_proxy_get_object_path (transfers->pdata[i]));

      g_assert_cmpstr (ferry_transfer1_get_state (fresh), ==, c->before);
    }

  /* Room again: the same call changes them, and that is announced. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  g_assert_true (call_all (daemon, c, &error));
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_until (seen_changes, &seen, 30000));
  for (guint i = 0; i < transfers->len; i++)
    g_assert_true (ferry_test_wait_state (transfers->pdata[i], c->after, 30000));

  g_ptr_array_set_size (transfers, 0);
  ferry_test_daemon_free (daemon);
  g_spawn_command_line_sync (umount_cmd, NULL, NULL, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_data_func ("/announce/pause-all-store-full", &pause_all, test_all_store_full);
  g_test_add_data_func ("/announce/resume-all-store-full", &resume_all, test_all_store_full);

  return g_test_run ();
}
