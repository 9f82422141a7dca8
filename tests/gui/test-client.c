/* test-client.c: the app's client of the service, without a window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ferry-client.h"
#include "ferry-test-daemon.h"

static void
on_error (FerryClient *client,
          const char  *message,
          char       **out)
{
  g_free (*out);
  *out = g_strdup (message);
}

static gboolean
have_message (gpointer user_data)
{
  return *(char **) user_data != NULL;
}

/* On a bus where the service cannot be started, the window is told why (it shows "Could
 * not reach the Ferry service: …") rather than wait for a list that never comes. */
static void
test_service_missing (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(FerryClient) client = NULL;
  g_autofree char *message = NULL;

  g_test_dbus_up (bus);
  client = ferry_client_new ();
  g_signal_connect (client, "error", G_CALLBACK (on_error), &message);

  g_assert_true (ferry_test_wait_until (have_message, &message, 30000));
  g_test_message ("The window would say: %s", message);
  g_assert_nonnull (strstr (message, FERRY_DAEMON_ID));
  g_assert_false (ferry_client_is_ready (client));

  g_signal_handlers_disconnect_by_data (client, &message);
  g_clear_object (&client);
  g_test_dbus_down (bus);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/client/service-missing", test_service_missing);
  return g_test_run ();
}
