/* ferry-client-name.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-client-name.h"

char *
ferry_client_name (const char *app_id,
                   const char *unique_name)
{
  g_autoptr(GString) name = NULL;

  if (unique_name == NULL || unique_name[0] != ':' || unique_name[1] == '\0')
    return NULL;

  /* ":1.42" becomes "c1_42": an element may not start with a digit nor hold a dot. The owner
   * is what ferryd compares, so two unique names that map alike prove nothing wrong. */
  name = g_string_new (app_id);
  g_string_append (name, ".Client.c");
  for (const char *p = unique_name + 1; *p != '\0'; p++)
    g_string_append_c (name, g_ascii_isalnum (*p) || *p == '-' ? *p : '_');
  if (!g_dbus_is_name (name->str) || g_dbus_is_unique_name (name->str))
    return NULL;
  return g_string_free (g_steal_pointer (&name), FALSE);
}

gboolean
ferry_client_name_claim (GDBusConnection *bus,
                         const char      *app_id)
{
  g_autofree char *name = ferry_client_name (app_id, g_dbus_connection_get_unique_name (bus));
  g_autoptr(GVariant) reply = NULL;
  guint32 result = 0;

  if (name == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", name, 4 /* DO_NOT_QUEUE */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(u)", &result);
  return result == 1;   /* PRIMARY_OWNER */
}
