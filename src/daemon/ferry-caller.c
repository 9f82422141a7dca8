/* ferry-caller.c
 *
 * A caller inside a Flatpak sandbox is told apart by the /.flatpak-info file Flatpak places at
 * the root of every sandbox, read through /proc/PID/root with the PID the bus gives for the
 * caller's connection (as xdg-desktop-portal does). The sandbox cannot write that file, and
 * a process outside a sandbox cannot make its own root have one.
 *
 * That works only while ferryd runs on the host. Installed as a Flatpak, ferryd has its own
 * PID namespace and /proc: the PID the bus reports (that of the caller, or of the
 * xdg-dbus-proxy standing in for a sandboxed caller) names no process ferryd can see, or
 * names an unrelated one of its own sandbox. dbus-daemon 1.14 reports nothing else that
 * tells apps apart (no pidfd, no container id), and ferryd's own bus proxy hides every name
 * outside its app id. What the bus can still prove is who holds a name: only Ferry's own
 * sandboxes, programs outside any sandbox and apps the person granted that name may own
 * names under Ferry's app id. So inside a sandbox a caller that holds Ferry's app id, or its
 * client name (ferry_client_name()), is Ferry itself with every right a host program
 * has; any other caller is refused with a sentence, never guessed at.
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
#include "ferry-i18n.h"
#include "ferry-client-name.h"
#include "ferry-error.h"

#define FLATPAK_INFO_MAX (64 * 1024)

struct _FerryCallers
{
  GDBusConnection *connection;
  GHashTable *apps;            /* unique name → app id, "" outside a sandbox */
  guint name_owner_changed_id;
  gboolean sandboxed;          /* ferryd itself runs in a Flatpak sandbox */
  char *own_app_id;            /* …whose app id is this, NULL when it cannot be read */
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
                           N_ ("The calling app's sandbox does not say which app it is"));
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
                   N_ ("Ferry cannot tell which app is calling (process %u: %s)"),
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
                   N_ ("Ferry cannot read the sandbox information of process %u"), pid);
      return NULL;
    }

  data = g_malloc (FLATPAK_INFO_MAX + 1);
  n = read (fd, data, FLATPAK_INFO_MAX);
  close (fd);
  if (n < 0)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED,
                   N_ ("Ferry cannot read the sandbox information of process %u"), pid);
      return NULL;
    }

  return ferry_caller_parse_flatpak_info (data, n, error);
}

char *
ferry_caller_own_sandbox (gboolean  *sandboxed,
                          GError   **error)
{
  g_autofree char *data = NULL;
  gsize length;
  g_autoptr(GError) local_error = NULL;

  *sandboxed = FALSE;
  if (!g_file_get_contents ("/.flatpak-info", &data, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      /* Something is there: a sandbox, but one we cannot read. */
      *sandboxed = TRUE;
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED,
                   N_ ("Ferry cannot read its own sandbox information: %s"), local_error->message);
      return NULL;
    }

  *sandboxed = TRUE;
  return ferry_caller_parse_flatpak_info (data, length, error);
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
    {
      g_hash_table_remove (self->apps, name);
      ferry_i18n_forget_peer (name);
    }
}

/* Whether @sender is the primary owner of @name right now. */
static gboolean
holds_name (FerryCallers *self,
            const char   *name,
            const char   *sender)
{
  g_autoptr(GVariant) reply = NULL;
  const char *owner;

  reply = g_dbus_connection_call_sync (self->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "GetNameOwner", g_variant_new ("(s)", name),
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, NULL);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(&s)", &owner);
  return g_str_equal (owner, sender);
}

static const char *
lookup_in_sandbox (FerryCallers *self,
                   const char   *sender,
                   GError      **error)
{
  g_autofree char *client_name = NULL;

  if (self->own_app_id != NULL)
    {
      client_name = ferry_client_name (self->own_app_id, sender);
      if (holds_name (self, self->own_app_id, sender) ||
          (client_name != NULL && holds_name (self, client_name, sender)))
        {
          g_debug ("Caller %s holds a name of Ferry's own", sender);
          g_hash_table_insert (self->apps, g_strdup (sender), g_strdup (""));
          return "";
        }
    }

  /* Not remembered: the caller may take its client name later and call again. */
  g_set_error (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED,
               N_ ("Ferry runs in its own Flatpak sandbox, where it cannot tell which app is "
                   "calling, so it takes requests only from its own app and from ferryctl "
                   "(flatpak run --command=ferryctl %s). To hand Ferry transfers from other apps, "
                   "install Ferry outside Flatpak"),
               self->own_app_id != NULL ? self->own_app_id : FERRY_APP_ID);
  return NULL;
}

FerryCallers *
ferry_callers_new (GDBusConnection *connection)
{
  FerryCallers *self = g_new0 (FerryCallers, 1);
  g_autoptr(GError) error = NULL;

  self->own_app_id = ferry_caller_own_sandbox (&self->sandboxed, &error);
  if (self->sandboxed && self->own_app_id == NULL)
    g_warning ("Ferry runs in a sandbox that does not say which app it is, so it will refuse "
               "every caller: %s", error->message);

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
  g_free (self->own_app_id);
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

  if (self->sandboxed)
    return lookup_in_sandbox (self, sender, error);

  reply = g_dbus_connection_call_sync (self->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &local_error);
  if (reply == NULL)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED,
                   N_ ("Ferry cannot tell which app is calling: %s"), local_error->message);
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
