/* ferry-service.c
 *
 * The service exports io.github.ferryhq.Ferry.Manager1 and an ObjectManager of Transfer1
 * objects. It holds itself while anything is queued, waiting or running, and otherwise exits
 * after an inactivity timeout; D-Bus activation brings it back, and it restores every
 * transfer from the store.
 *
 * This file is the core: the application's life cycle, the store and holds. The Transfer1
 * subtree and the ObjectManager are in ferry-service-transfers.c, Manager1 in
 * ferry-service-manager.c, telling apps their transfers ended in ferry-service-relaunch.c,
 * what every handler does with its caller in ferry-service-callers.c;
 * ferry-service-private.h is what they share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-service"

#include "config.h"

#include <stdlib.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "ferry-error.h"
#include "ferry-service-private.h"
#include "ferry-settings.h"

#define INACTIVITY_TIMEOUT_MSEC (10 * 1000)

G_DEFINE_FINAL_TYPE (FerryService, ferry_service, G_TYPE_APPLICATION)

/* -- Holds ------------------------------------------------------------------------------- */

static void
on_pending_changed (FerryScheduler *scheduler,
                    gboolean        pending,
                    FerryService   *self)
{
  if (pending && !self->held)
    {
      g_application_hold (G_APPLICATION (self));
      self->held = TRUE;
    }
  else if (!pending && self->held)
    {
      g_application_release (G_APPLICATION (self));
      self->held = FALSE;
    }
}

/* -- GApplication ------------------------------------------------------------------------ */

static char *
store_path (void)
{
  return g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR, "ferry.db", NULL);
}

/* Copies of files to upload that no transfer names: left by a ferryd that ended (kill -9,
 * power loss) while an AddUpload was still copying. Nothing else writes there. */
static void
delete_orphaned_copies (GPtrArray *transfers)
{
  g_autofree char *dir_path = g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR,
                                                "uploads", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GHashTable) used = g_hash_table_new (g_str_hash, g_str_equal);
  const char *name;

  if (dir == NULL)
    return;

  for (guint i = 0; i < transfers->len; i++)
    {
      const FerryRecord *r = ferry_transfer_get_record (g_ptr_array_index (transfers, i));

      if (r->source_is_copy && r->source_path != NULL)
        g_hash_table_add (used, r->source_path);
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);

      if (g_hash_table_contains (used, path))
        continue;
      if (g_unlink (path) == 0)
        g_message ("Deleted %s, a copy of a file to upload that no transfer uses", path);
    }
}

/* Finished transfers older than the keep-finished-days setting leave the store, unless
 * their session holds them: a transfer the client named with an identifier is held, as a
 * background-session client reconnects to it by (session, identifier) to collect its
 * outcome and removes it itself (DESIGN.md, sessions). The nameless ones (ferryctl add,
 * the app's add dialog, a browser link) are what a person forgets about. Their files stay;
 * a failed upload's private copy, Ferry's own, goes with the record. */
static void
prune_finished (FerryStore *store,
                GPtrArray  *records)
{
  g_autoptr(GSettings) settings = ferry_settings_new ();
  guint days = ferry_settings_get_uint (settings, "keep-finished-days", 90);
  gint64 before = g_get_real_time () / G_USEC_PER_SEC - (gint64) days * 24 * 3600;
  guint pruned = 0;
  gboolean batch;

  if (days == 0)
    return;

  batch = ferry_store_begin (store, NULL);
  for (guint i = records->len; i > 0; i--)
    {
      FerryRecord *r = g_ptr_array_index (records, i - 1);
      g_autoptr(GError) error = NULL;

      if (r->state < FERRY_STATE_COMPLETED || r->finished_at <= 0 || r->finished_at >= before ||
          (r->identifier != NULL && *r->identifier != '\0'))
        continue;
      if (!ferry_store_delete (store, r->id, &error))
        {
          g_warning ("Could not forget transfer %" G_GUINT64_FORMAT ": %s", r->id,
                     error->message);
          continue;
        }
      if (r->source_is_copy && r->source_path != NULL)
        g_unlink (r->source_path);
      g_ptr_array_remove_index (records, i - 1);
      pruned++;
    }
  if (batch && !ferry_store_commit (store, NULL))
    g_warning ("Could not forget the finished transfers older than %u days", days);
  if (pruned > 0)
    g_message ("Forgot %u finished transfers older than %u days", pruned, days);
}

static gboolean
load_store (FerryService *self,
            GError      **error)
{
  g_autofree char *path = store_path ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) transfers = NULL;

  self->store = ferry_store_open (path, error);
  if (self->store == NULL)
    return FALSE;

  records = ferry_store_load (self->store, error);
  if (records == NULL)
    return FALSE;
  prune_finished (self->store, records);

  /* Each transfer takes its record. */
  g_ptr_array_set_free_func (records, NULL);
  transfers = g_ptr_array_new_full (records->len, g_object_unref);
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (transfers, ferry_transfer_new (self->store, g_ptr_array_index (records, i)));

  self->scheduler = ferry_scheduler_new (self->store);
  g_signal_connect_object (self->scheduler, "pending-changed", G_CALLBACK (on_pending_changed),
                           self, 0);
  _ferry_service_manager_watch (self);
  _ferry_service_relaunch_watch (self);

  for (guint i = 0; i < transfers->len; i++)
    _ferry_service_track (self, g_ptr_array_index (transfers, i), FALSE);

  delete_orphaned_copies (transfers);
  ferry_scheduler_restore (self->scheduler, transfers);
  g_debug ("Restored %u transfers", transfers->len);
  return TRUE;
}

static gboolean
ferry_service_dbus_register (GApplication    *application,
                             GDBusConnection *connection,
                             const char      *object_path,
                             GError         **error)
{
  FerryService *self = FERRY_SERVICE (application);

  if (!G_APPLICATION_CLASS (ferry_service_parent_class)->dbus_register (application, connection,
                                                                       object_path, error))
    return FALSE;

  _ferry_service_manager_init (self);

  /* Restore before the name is owned: a client never sees a half-loaded queue. */
  if (!load_store (self, error))
    return FALSE;

  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->manager), connection,
                                         FERRY_DAEMON_PATH, error))
    return FALSE;

  if (!_ferry_service_transfers_register (self, connection, error))
    return FALSE;

  self->connection = g_object_ref (connection);
  self->callers = ferry_callers_new (connection);
  return TRUE;
}

static void
ferry_service_dbus_unregister (GApplication    *application,
                               GDBusConnection *connection,
                               const char      *object_path)
{
  FerryService *self = FERRY_SERVICE (application);

  if (self->manager != NULL &&
      g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (self->manager)) != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->manager));
  _ferry_service_transfers_unregister (self, connection);
  g_clear_pointer (&self->callers, ferry_callers_free);
  g_clear_object (&self->connection);

  G_APPLICATION_CLASS (ferry_service_parent_class)->dbus_unregister (application, connection,
                                                                    object_path);
}

static void
on_stopped (gpointer user_data)
{
  FerryService *self = user_data;

  g_application_quit (G_APPLICATION (self));
}

/* SIGTERM (logout, shutdown): take a checkpoint of every running transfer, then quit. */
static gboolean
on_terminate (gpointer user_data)
{
  FerryService *self = user_data;

  if (self->quitting)
    return G_SOURCE_CONTINUE;

  self->quitting = TRUE;
  g_message ("Stopping: saving the progress of running transfers");
  if (self->scheduler != NULL)
    ferry_scheduler_shutdown (self->scheduler, G_CALLBACK (on_stopped), self);
  else
    g_application_quit (G_APPLICATION (self));

  return G_SOURCE_CONTINUE;
}

static void
ferry_service_startup (GApplication *application)
{
  G_APPLICATION_CLASS (ferry_service_parent_class)->startup (application);

  g_unix_signal_add (SIGTERM, on_terminate, application);
  g_unix_signal_add (SIGINT, on_terminate, application);
}

static void
ferry_service_activate (GApplication *application)
{
  /* Nothing to show: the service is reached over D-Bus. */
}

static void
ferry_service_dispose (GObject *object)
{
  FerryService *self = FERRY_SERVICE (object);

  g_clear_pointer (&self->identifiers, g_hash_table_unref);
  g_clear_pointer (&self->adding, g_hash_table_unref);
  g_clear_pointer (&self->session_counts, g_hash_table_unref);
  _ferry_service_untrack_all (self);
  g_clear_handle_id (&self->finished_source, g_source_remove);
  g_clear_pointer (&self->finished, g_hash_table_unref);
  g_clear_pointer (&self->unreachable, g_hash_table_unref);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->connection);
  g_clear_object (&self->manager);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ferry_service_parent_class)->dispose (object);
}

static void
ferry_service_class_init (FerryServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ferry_service_dispose;
  app_class->dbus_register = ferry_service_dbus_register;
  app_class->dbus_unregister = ferry_service_dbus_unregister;
  app_class->startup = ferry_service_startup;
  app_class->activate = ferry_service_activate;
}

static void
ferry_service_init (FerryService *self)
{
  self->transfers = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_object_unref);
  self->ordered = g_ptr_array_new ();
  self->identifiers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->adding = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_ptr_array_unref);
  self->session_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->max_per_app = MAX_TRANSFERS_PER_APP;
  self->max_per_host_session = MAX_TRANSFERS_PER_HOST_SESSION;
  if (g_getenv ("FERRY_MAX_TRANSFERS_PER_SESSION") != NULL)
    {
      guint64 max = g_ascii_strtoull (g_getenv ("FERRY_MAX_TRANSFERS_PER_SESSION"), NULL, 10);

      if (max > 0 && max <= G_MAXUINT)
        self->max_per_app = self->max_per_host_session = (guint) max;
    }
  self->finished = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_ptr_array_unref);
  self->unreachable = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

FerryService *
ferry_service_new (void)
{
  const char *timeout = g_getenv ("FERRY_INACTIVITY_TIMEOUT_MSEC");

  /* Make sure the error domain is registered before any call can be answered. */
  (void) FERRY_ERROR;

  return g_object_new (FERRY_TYPE_SERVICE,
                       "application-id", FERRY_DAEMON_ID,
                       "flags", G_APPLICATION_IS_SERVICE,
                       "inactivity-timeout",
                       timeout ? (guint) g_ascii_strtoull (timeout, NULL, 10)
                               : INACTIVITY_TIMEOUT_MSEC,
                       NULL);
}
