/* ferry-test-system.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "ferry-test-daemon.h"
#include "ferry-test-system.h"

#define PYTHON "/usr/bin/python3"

static void
start_template (FerryTestSystem *system,
                const char      *template,
                const char      *bus_name)
{
  const char *argv[] = { PYTHON, "-m", "dbusmock", "--system", "--template", template, NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_spawn_async (NULL, (char **) argv, NULL,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                 ferry_test_die_with_parent, NULL, &pid, &error);
  g_assert_no_error (error);
  g_array_append_val (system->mock_pids, pid);

  while (!ferry_test_name_has_owner (system->connection, bus_name))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }
}

FerryTestSystem *
ferry_test_system_new (void)
{
  FerryTestSystem *system;
  const char *argv[] = { "dbus-daemon", "--session", "--nofork", "--print-address=1", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GIOChannel) channel = NULL;
  int out_fd;
  gsize length;

  {
    int status = -1;

    if (!g_file_test (PYTHON, G_FILE_TEST_IS_EXECUTABLE) ||
        !g_spawn_command_line_sync (PYTHON " -c 'import dbusmock'", NULL, NULL, &status, NULL) ||
        status != 0)
      return NULL;
  }

  /* Once the connection below has its GDBus thread, a watcher forked after it would report
   * that thread's data as leaked. */
  ferry_test_fork_bus_watcher ();

  system = g_new0 (FerryTestSystem, 1);
  system->mock_pids = g_array_new (FALSE, FALSE, sizeof (GPid));

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                            G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                            ferry_test_die_with_parent, NULL, &system->bus_pid, NULL, &out_fd, NULL,
                            &error);
  g_assert_no_error (error);
  channel = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (channel, TRUE);
  g_io_channel_read_line (channel, &system->address, &length, NULL, &error);
  g_assert_no_error (error);
  g_strstrip (system->address);

  system->connection = g_dbus_connection_new_for_address_sync (
    system->address,
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, &error);
  g_assert_no_error (error);

  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", system->address, TRUE);
  g_setenv ("GIO_USE_NETWORK_MONITOR", "networkmanager", TRUE);

  start_template (system, "networkmanager", "org.freedesktop.NetworkManager");
  start_template (system, "power_profiles_daemon", "net.hadess.PowerProfiles");
  start_template (system, "logind", "org.freedesktop.login1");

  /* The template lacks Metered; GLib reads it when connected (PROTOCOLS.md §5). */
  reply = g_dbus_connection_call_sync (system->connection, "org.freedesktop.NetworkManager",
                               "/org/freedesktop/NetworkManager", "org.freedesktop.DBus.Mock",
                               "AddProperty",
                               g_variant_new ("(ssv)", "org.freedesktop.NetworkManager",
                                              "Metered", g_variant_new_uint32 (2)),
                               NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  return system;
}

void
ferry_test_system_free (FerryTestSystem *system)
{
  for (guint i = 0; i < system->mock_pids->len; i++)
    {
      GPid pid = g_array_index (system->mock_pids, GPid, i);

      kill (pid, SIGTERM);
      waitpid (pid, NULL, 0);
    }
  g_array_unref (system->mock_pids);
  g_clear_object (&system->connection);
  kill (system->bus_pid, SIGTERM);
  waitpid (system->bus_pid, NULL, 0);
  g_free (system->address);
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE);
  g_free (system);
}

static void
update_properties (FerryTestSystem *system,
                   const char      *bus_name,
                   const char      *path,
                   const char      *interface,
                   GVariant        *properties)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (system->connection, bus_name, path, "org.freedesktop.DBus.Mock",
                               "UpdateProperties",
                               g_variant_new ("(s@a{sv})", interface, properties),
                               NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

void
ferry_test_system_set_metered (FerryTestSystem *system,
                               guint            metered)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "Metered", "u", metered);
  update_properties (system, "org.freedesktop.NetworkManager", "/org/freedesktop/NetworkManager",
                     "org.freedesktop.NetworkManager", g_variant_dict_end (&dict));
}

void
ferry_test_system_set_network (FerryTestSystem *system,
                               guint            state,
                               guint            connectivity)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "State", "u", state);
  g_variant_dict_insert (&dict, "Connectivity", "u", connectivity);
  update_properties (system, "org.freedesktop.NetworkManager", "/org/freedesktop/NetworkManager",
                     "org.freedesktop.NetworkManager", g_variant_dict_end (&dict));
}

void
ferry_test_system_set_power_profile (FerryTestSystem *system,
                                     const char      *profile)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "ActiveProfile", "s", profile);
  update_properties (system, "net.hadess.PowerProfiles", "/net/hadess/PowerProfiles",
                     "net.hadess.PowerProfiles", g_variant_dict_end (&dict));
}

guint
ferry_test_system_count_inhibitors (FerryTestSystem *system,
                                    const char      *what)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autoptr(GError) error = NULL;
  const char *w, *who, *why, *mode;
  guint32 uid, pid;
  guint count = 0;

  reply = g_dbus_connection_call_sync (system->connection, "org.freedesktop.login1",
                                       "/org/freedesktop/login1",
                                       "org.freedesktop.login1.Manager", "ListInhibitors",
                                       NULL, G_VARIANT_TYPE ("(a(ssssuu))"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(a(ssssuu))", &iter);
  while (g_variant_iter_next (iter, "(&s&s&s&suu)", &w, &who, &why, &mode, &uid, &pid))
    {
      if (g_str_equal (w, what) && g_str_equal (who, "Ferry"))
        count++;
    }
  return count;
}
