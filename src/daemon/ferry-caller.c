/* ferry-caller.c
 *
 * A caller inside a Flatpak sandbox is told apart by the /.flatpak-info file Flatpak places at
 * the root of every sandbox, read through /proc/PID/root with the PID the bus gives for the
 * caller's connection (as xdg-desktop-portal does). The sandbox cannot write that file, and
 * a process outside a sandbox cannot make its own root have one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-caller"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ferry-caller.h"
#include "ferry-error.h"

#define FLATPAK_INFO_MAX (64 * 1024)

struct _FerryCallers
{
  GDBusConnection *connection;
  GHashTable *apps;            /* unique name → app id, "" outside a sandbox */
  guint name_owner_changed_id;
};

char *
ferry_caller_parse_flatpak_info (const char *data,
                                 gsize       length,
                                 GError    **error)
{
  g_autoptr(GKeyFile) info = g_key_file_new ();
  g_autofree char *name = NULL;

  if (!g_key_file_load_from_data (info, data, length, G_KEY_FILE_NONE, NULL) ||
      (name = g_key_file_get_string (info, "Application", "name", NULL)) == NULL ||
      !g_application_id_is_valid (name))
    {
      g_set_error_literal (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED,
                           "The calling app's sandbox does not say which app it is");
      return NULL;
    }

  return g_steal_pointer (&name);
}

char *
ferry_caller_app_id_for_pid (guint32   pid,
                             GError  **error)
{
  g_autofree char *root_path = g_strdup_printf ("/proc/%u/root", pid);
  g_autofree char *data = NULL;
  struct stat st;
  int root_fd;
  int fd;
  gssize n;

  root_fd = open (root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    {
      /* The caller is gone, or its root is hidden from us: trust nothing. */
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED,
                   "Ferry cannot tell which app is calling (process %u: %s)",
                   pid, g_strerror (errno));
      return NULL;
    }

  fd = openat (root_fd, ".flatpak-info", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  close (root_fd);
  if (fd < 0 && errno == ENOENT)
    return g_strdup ("");
  if (fd < 0 || fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size > FLATPAK_INFO_MAX)
    {
      if (fd >= 0)
        close (fd);
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED,
                   "Ferry cannot read the sandbox information of process %u", pid);
      return NULL;
    }

  data = g_malloc (FLATPAK_INFO_MAX + 1);
  n = read (fd, data, FLATPAK_INFO_MAX);
  close (fd);
  if (n < 0)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED,
                   "Ferry cannot read the sandbox information of process %u", pid);
      return NULL;
    }

  return ferry_caller_parse_flatpak_info (data, n, error);
}

gboolean
ferry_caller_path_is_within (const char *path,
                             const char *folder)
{
  g_autofree char *real_path = realpath (path, NULL);
  g_autofree char *real_folder = realpath (folder, NULL);

  if (real_path == NULL || real_folder == NULL)
    return FALSE;

  return ferry_caller_real_path_is_within (real_path, real_folder);
}

gboolean
ferry_caller_real_path_is_within (const char *real_path,
                                  const char *real_folder)
{
  gsize n;

  n = strlen (real_folder);
  if (strncmp (real_path, real_folder, n) != 0)
    return FALSE;
  return real_path[n] == '\0' || real_path[n] == '/' || g_str_equal (real_folder, "/");
}

static void
on_name_owner_changed (GDBusConnection *connection,
                       const char      *sender_name,
                       const char      *object_path,
                       const char      *interface_name,
                       const char      *signal_name,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  FerryCallers *self = user_data;
  const char *name;
  const char *new_owner;

  g_variant_get (parameters, "(&s&s&s)", &name, NULL, &new_owner);
  /* A unique name is never reused: once it has left, forget what it was. */
  if (name[0] == ':' && new_owner[0] == '\0')
    g_hash_table_remove (self->apps, name);
}

FerryCallers *
ferry_callers_new (GDBusConnection *connection)
{
  FerryCallers *self = g_new0 (FerryCallers, 1);

  self->connection = g_object_ref (connection);
  self->apps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (g_dbus_connection_get_unique_name (connection) != NULL)
    self->name_owner_changed_id =
      g_dbus_connection_signal_subscribe (connection, "org.freedesktop.DBus",
                                          "org.freedesktop.DBus", "NameOwnerChanged",
                                          "/org/freedesktop/DBus", NULL,
                                          G_DBUS_SIGNAL_FLAGS_NONE,
                                          on_name_owner_changed, self, NULL);
  return self;
}

void
ferry_callers_free (FerryCallers *self)
{
  if (self->name_owner_changed_id != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->name_owner_changed_id);
  g_hash_table_unref (self->apps);
  g_object_unref (self->connection);
  g_free (self);
}

const char *
ferry_callers_lookup (FerryCallers *self,
                      const char   *sender,
                      GError      **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *known;
  char *app_id;
  guint32 pid;

  /* A peer-to-peer connection has no bus to vouch for anyone; only our own user reaches it. */
  if (sender == NULL)
    return "";

  known = g_hash_table_lookup (self->apps, sender);
  if (known != NULL)
    return known;

  reply = g_dbus_connection_call_sync (self->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &local_error);
  if (reply == NULL)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED,
                   "Ferry cannot tell which app is calling: %s", local_error->message);
      return NULL;
    }

  g_variant_get (reply, "(u)", &pid);
  app_id = ferry_caller_app_id_for_pid (pid, error);
  if (app_id == NULL)
    return NULL;

  if (*app_id != '\0')
    g_debug ("Caller %s is the sandboxed app %s", sender, app_id);
  g_hash_table_insert (self->apps, g_strdup (sender), app_id);
  return app_id;
}

void
ferry_callers_foreach (FerryCallers *self,
                       GHFunc        func,
                       gpointer      user_data)
{
  g_hash_table_foreach (self->apps, func, user_data);
}
