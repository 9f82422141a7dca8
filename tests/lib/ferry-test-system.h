/* ferry-test-system.h: a private system bus with python3-dbusmock's NetworkManager,
 * power-profiles-daemon and logind, for ferryd to watch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GPid bus_pid;
  char *address;
  GDBusConnection *connection;
  GArray *mock_pids;
} FerryTestSystem;

/* Starts the bus and the mocks, and points DBUS_SYSTEM_BUS_ADDRESS and
 * GIO_USE_NETWORK_MONITOR at them: call it before ferry_test_daemon_new(), whose bus (and so
 * ferryd) inherits the environment. Returns NULL when dbusmock is not installed. */
FerryTestSystem *ferry_test_system_new (void);
void             ferry_test_system_free (FerryTestSystem *system);

/* NetworkManager: metered 1 = yes, 2 = no. */
void ferry_test_system_set_metered (FerryTestSystem *system,
                                    guint            metered);
/* NetworkManager: State (70 connected, 20 disconnected) and Connectivity (4 full, 1 none). */
void ferry_test_system_set_network (FerryTestSystem *system,
                                    guint            state,
                                    guint            connectivity);
/* power-profiles-daemon: "power-saver", "balanced", "performance". */
void ferry_test_system_set_power_profile (FerryTestSystem *system,
                                          const char      *profile);
/* logind's inhibitors whose "what" is @what. */
guint ferry_test_system_count_inhibitors (FerryTestSystem *system,
                                          const char      *what);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryTestSystem, ferry_test_system_free)

G_END_DECLS
