/* test-client-name.c: the bus name by which Ferry's own programs show a sandboxed ferryd
 * who they are, taken on a real bus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "ferry-caller.h"
#include "ferry-client-name.h"
#include "ferry-error.h"

static void
test_client_name (void)
{
  g_autofree char *name = ferry_client_name ("io.github.ferryhq.Ferry", ":1.42");
  g_autofree char *other = ferry_client_name ("io.github.ferryhq.Ferry", ":1.43");

  g_assert_cmpstr (name, ==, "io.github.ferryhq.Ferry.Client.c1_42");
  g_assert_cmpstr (other, !=, name);
  g_assert_true (g_dbus_is_name (name));
  /* Well-known names and nonsense have none: only a bus-given unique name maps. */
  g_assert_null (ferry_client_name ("io.github.ferryhq.Ferry", "org.example.App"));
  g_assert_null (ferry_client_name ("io.github.ferryhq.Ferry", ":"));
  g_assert_null (ferry_client_name ("io.github.ferryhq.Ferry", NULL));
}

/* On the host (no /.flatpak-info) ferryd is not sandboxed and names no app of its own. */
static void
test_own_sandbox_on_host (void)
{
  g_autoptr(GError) error = NULL;
  gboolean sandboxed = TRUE;
  g_autofree char *app_id = NULL;

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("runs inside a Flatpak sandbox");
      return;
    }
  app_id = ferry_caller_own_sandbox (&sandboxed, &error);
  g_assert_no_error (error);
  g_assert_false (sandboxed);
  g_assert_null (app_id);
}

/* A client that took its name owns it on a real bus, and a second connection does not. */
static void
test_claim (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(GDBusConnection) a = NULL;
  g_autoptr(GDBusConnection) b = NULL;
  g_autoptr(GVariant) owner = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;
  const char *owner_name;

  g_test_dbus_up (bus);
  a = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                              G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                              NULL, NULL, &error);
  g_assert_no_error (error);
  b = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                              G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                              NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (ferry_client_name_claim (a, "io.github.ferryhq.Ferry"));
  name = ferry_client_name ("io.github.ferryhq.Ferry", g_dbus_connection_get_unique_name (a));
  owner = g_dbus_connection_call_sync (b, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetNameOwner",
                                       g_variant_new ("(s)", name), G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (owner, "(&s)", &owner_name);
  g_assert_cmpstr (owner_name, ==, g_dbus_connection_get_unique_name (a));

  g_dbus_connection_close_sync (a, NULL, NULL);
  g_dbus_connection_close_sync (b, NULL, NULL);
  g_test_dbus_down (bus);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/client-name/name", test_client_name);
  g_test_add_func ("/client-name/own-sandbox-on-host", test_own_sandbox_on_host);
  g_test_add_func ("/client-name/claim", test_claim);
  return g_test_run ();
}
