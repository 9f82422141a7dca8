/* ferry-client.c
 *
 * One ObjectManagerClient gives every transfer with its properties in one call and keeps them
 * current with PropertiesChanged; the Manager's batched Progress signal carries the bytes of
 * everything that runs. Nothing is polled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-client"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>
#include <glib/gi18n.h>

#include "ferry-client.h"
#include "ferry-links.h"
#include "ferry-error.h"

struct _FerryClient
{
  GObject parent_instance;

  GDBusConnection *connection;
  FerryManager1 *manager;
  GListStore *transfers;
  GHashTable *by_path;     /* object path → FerryTransferItem */
  guint properties_id;
  guint added_id;
  guint removed_id;
  guint watch_id;
  gboolean ready;

  /* Progress arrives four times a second for every running transfer; rows are redrawn at
   * most once a second. The timer runs only while progress flows. */
  GHashTable *progressed;   /* FerryTransferItem set */
  guint progress_source;
};

#define PROGRESS_REDRAW_MSEC 1000

G_DEFINE_FINAL_TYPE (FerryClient, ferry_client, G_TYPE_OBJECT)

enum {
  READY,
  ERROR,
  STATE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define TRANSFER_INTERFACE "io.github.ferryhq.Ferry.Transfer1"

static void mark_progressed (FerryClient       *self,
                             FerryTransferItem *item);

static void
ferry_client_dispose (GObject *object)
{
  FerryClient *self = FERRY_CLIENT (object);

  if (self->connection != NULL)
    {
      if (self->properties_id != 0)
        g_dbus_connection_signal_unsubscribe (self->connection, self->properties_id);
      if (self->added_id != 0)
        g_dbus_connection_signal_unsubscribe (self->connection, self->added_id);
      if (self->removed_id != 0)
        g_dbus_connection_signal_unsubscribe (self->connection, self->removed_id);
      self->properties_id = self->added_id = self->removed_id = 0;
    }
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_pointer (&self->progressed, g_hash_table_unref);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->manager);
  g_clear_object (&self->connection);
  g_clear_object (&self->transfers);
  g_clear_pointer (&self->by_path, g_hash_table_unref);

  G_OBJECT_CLASS (ferry_client_parent_class)->dispose (object);
}

static void
ferry_client_class_init (FerryClientClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ferry_client_dispose;

  signals[READY] = g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* A transfer's State changed. Filters re-evaluate on it. */
  signals[STATE_CHANGED] = g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, FERRY_TYPE_TRANSFER_ITEM);
}

static void
ferry_client_init (FerryClient *self)
{
  self->transfers = g_list_store_new (FERRY_TYPE_TRANSFER_ITEM);
  self->by_path = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->progressed = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  guint64 ia = ferry_transfer_item_get_id ((FerryTransferItem *) a);
  guint64 ib = ferry_transfer_item_get_id ((FerryTransferItem *) b);

  return ia > ib ? -1 : (ia < ib ? 1 : 0);
}

static int
compare_items (FerryTransferItem **a,
               FerryTransferItem **b)
{
  return compare_newest_first (*a, *b, NULL);
}

/* Finds the Transfer1 properties in an a{sa{sv}}. */
static GVariant *
transfer_properties (GVariant *interfaces)
{
  return g_variant_lookup_value (interfaces, TRANSFER_INTERFACE, G_VARIANT_TYPE_VARDICT);
}

static void
on_properties_changed (GDBusConnection *connection,
                       const char      *sender,
                       const char      *object_path,
                       const char      *interface_name,
                       const char      *signal_name,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  FerryClient *self = user_data;
  FerryTransferItem *item = g_hash_table_lookup (self->by_path, object_path);
  g_autoptr(GVariant) changed = NULL;

  if (item == NULL || !g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;

  changed = g_variant_get_child_value (parameters, 1);
  if (ferry_transfer_item_update (item, changed))
    {
      /* A new state shows at once; byte counts wait for the next redraw. */
      ferry_transfer_item_emit_changed (item);
      g_signal_emit (self, signals[STATE_CHANGED], 0, item);
    }
  else
    {
      mark_progressed (self, item);
    }
}

static void
add_item (FerryClient *self,
          const char  *path,
          GVariant    *properties)
{
  FerryTransferItem *item;

  if (g_hash_table_contains (self->by_path, path))
    return;

  item = ferry_transfer_item_new (self->connection, path, properties);
  g_hash_table_insert (self->by_path, g_strdup (path), item);
  g_list_store_insert_sorted (self->transfers, item, compare_newest_first, NULL);
}

static void
remove_item (FerryClient *self,
             const char  *path)
{
  FerryTransferItem *item = g_hash_table_lookup (self->by_path, path);
  guint position = 0;

  if (item == NULL)
    return;

  if (g_list_store_find (self->transfers, item, &position))
    g_list_store_remove (self->transfers, position);
  g_hash_table_remove (self->by_path, path);
}

static void
on_interfaces_added (GDBusConnection *connection,
                     const char      *sender,
                     const char      *object_path,
                     const char      *interface_name,
                     const char      *signal_name,
                     GVariant        *parameters,
                     gpointer         user_data)
{
  FerryClient *self = user_data;
  const char *path;
  g_autoptr(GVariant) interfaces = NULL;
  g_autoptr(GVariant) properties = NULL;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(oa{sa{sv}})")))
    return;

  g_variant_get (parameters, "(&o@a{sa{sv}})", &path, &interfaces);
  properties = transfer_properties (interfaces);
  if (properties != NULL)
    add_item (self, path, properties);
}

static void
on_interfaces_removed (GDBusConnection *connection,
                       const char      *sender,
                       const char      *object_path,
                       const char      *interface_name,
                       const char      *signal_name,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  const char *path;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(oas)")))
    return;

  g_variant_get (parameters, "(&o@as)", &path, NULL);
  remove_item (user_data, path);
}

static gboolean
flush_progress (gpointer user_data)
{
  FerryClient *self = user_data;
  GHashTableIter iter;
  gpointer item;

  if (g_hash_table_size (self->progressed) == 0)
    {
      /* Nothing moved for a whole period: stop ticking until progress comes again. */
      self->progress_source = 0;
      return G_SOURCE_REMOVE;
    }

  g_hash_table_iter_init (&iter, self->progressed);
  while (g_hash_table_iter_next (&iter, &item, NULL))
    {
      ferry_transfer_item_emit_changed (item);
      g_hash_table_iter_remove (&iter);
    }

  return G_SOURCE_CONTINUE;
}

static void
mark_progressed (FerryClient       *self,
                 FerryTransferItem *item)
{
  if (!g_hash_table_contains (self->progressed, item))
    g_hash_table_add (self->progressed, g_object_ref (item));

  if (self->progress_source == 0)
    {
      /* The first change shows at once; the following ones at the redraw pace. */
      flush_progress (self);
      self->progress_source = g_timeout_add (PROGRESS_REDRAW_MSEC, flush_progress, self);
    }
}

static void
on_progress (FerryManager1 *manager,
             GVariant      *updates,
             FerryClient   *self)
{
  GVariantIter iter;
  const char *path;
  guint64 done, total, rate;

  g_variant_iter_init (&iter, updates);
  while (g_variant_iter_next (&iter, "(&ottt)", &path, &done, &total, &rate))
    {
      FerryTransferItem *item = g_hash_table_lookup (self->by_path, path);

      if (item != NULL && ferry_transfer_item_set_progress (item, done, total, rate))
        mark_progressed (self, item);
    }
}

/* The whole list in one call (Manager1.GetTransfers: a struct per transfer, much cheaper to
 * read than GetManagedObjects). When the service comes back after a restart, the list is
 * reconciled: existing items are updated in place, so rows stay where they are. */
static void
on_transfers (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(FerryClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) list = NULL;
  g_autoptr(GPtrArray) fresh = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter hiter;
  GVariantIter iter;
  gpointer key;
  GVariant *summary;

  if (!ferry_manager1_call_get_transfers_finish (FERRY_MANAGER1 (source), &list, result, &error))
    {
      g_dbus_error_strip_remote_error (error);
      g_signal_emit (self, signals[ERROR], 0, error->message);
      return;
    }

  g_variant_iter_init (&iter, list);
  while ((summary = g_variant_iter_next_value (&iter)) != NULL)
    {
      const char *path;
      FerryTransferItem *item;

      g_variant_get_child (summary, 0, "&o", &path);
      item = g_hash_table_lookup (self->by_path, path);
      if (item != NULL)
        {
          if (ferry_transfer_item_set_summary (item, summary))
            g_signal_emit (self, signals[STATE_CHANGED], 0, item);
        }
      else
        {
          item = ferry_transfer_item_new_from_summary (self->connection, summary);
          g_hash_table_insert (self->by_path, g_strdup (path), item);
          g_ptr_array_add (fresh, item);
        }
      g_hash_table_add (seen, (gpointer) ferry_transfer_item_get_object_path (item));
      g_variant_unref (summary);
    }

  /* Gone while the service was away. */
  g_hash_table_iter_init (&hiter, self->by_path);
  while (g_hash_table_iter_next (&hiter, &key, NULL))
    {
      if (!g_hash_table_contains (seen, key))
        g_ptr_array_add (gone, g_strdup (key));
    }
  for (guint i = 0; i < gone->len; i++)
    remove_item (self, g_ptr_array_index (gone, i));

  if (fresh->len > 0)
    {
      if (g_list_model_get_n_items (G_LIST_MODEL (self->transfers)) == 0)
        {
          /* One splice for the whole list: one items-changed, not one per transfer. */
          g_ptr_array_sort (fresh, (GCompareFunc) compare_items);
          g_list_store_splice (self->transfers, 0, 0, fresh->pdata, fresh->len);
        }
      else
        {
          for (guint i = 0; i < fresh->len; i++)
            g_list_store_insert_sorted (self->transfers, g_ptr_array_index (fresh, i),
                                        compare_newest_first, NULL);
        }
    }

  if (!self->ready)
    {
      self->ready = TRUE;
      g_signal_emit (self, signals[READY], 0);
    }
}

static void
load (FerryClient *self)
{
  /* A call to the name starts the service if it is not running. */
  ferry_manager1_call_get_transfers (self->manager, "", NULL, on_transfers, g_object_ref (self));
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  FerryClient *self = user_data;

  /* The service exits when idle and is started again by the next call; whatever changed
   * meanwhile is fetched again. The first load is done by ferry_client_new(). */
  if (self->ready)
    load (self);
}

static void
on_manager (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(FerryClient) self = user_data;
  g_autoptr(GError) error = NULL;

  self->manager = ferry_manager1_proxy_new_finish (result, &error);
  if (self->manager == NULL)
    {
      g_signal_emit (self, signals[ERROR], 0, error->message);
      return;
    }

  g_signal_connect_object (self->manager, "progress", G_CALLBACK (on_progress), self, 0);
  load (self);
}

static void
on_bus (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(FerryClient) self = user_data;
  g_autoptr(GError) error = NULL;

  self->connection = g_bus_get_finish (result, &error);
  if (self->connection == NULL)
    {
      g_signal_emit (self, signals[ERROR], 0, error->message);
      return;
    }

  /* One subscription for the properties of every transfer. */
  self->properties_id =
    g_dbus_connection_signal_subscribe (self->connection, FERRY_DAEMON_ID,
                                        "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                        NULL, TRANSFER_INTERFACE, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_properties_changed, self, NULL);
  self->added_id =
    g_dbus_connection_signal_subscribe (self->connection, FERRY_DAEMON_ID,
                                        "org.freedesktop.DBus.ObjectManager", "InterfacesAdded",
                                        FERRY_DAEMON_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_interfaces_added, self, NULL);
  self->removed_id =
    g_dbus_connection_signal_subscribe (self->connection, FERRY_DAEMON_ID,
                                        "org.freedesktop.DBus.ObjectManager",
                                        "InterfacesRemoved", FERRY_DAEMON_PATH, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_interfaces_removed, self,
                                        NULL);
  self->watch_id = g_bus_watch_name_on_connection (self->connection, FERRY_DAEMON_ID,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   on_name_appeared, NULL, self, NULL);

  ferry_manager1_proxy_new (self->connection, G_DBUS_PROXY_FLAGS_NONE, FERRY_DAEMON_ID,
                            FERRY_DAEMON_PATH, NULL, on_manager, g_object_ref (self));
}

FerryClient *
ferry_client_new (void)
{
  FerryClient *self = g_object_new (FERRY_TYPE_CLIENT, NULL);

  (void) FERRY_ERROR;
  g_bus_get (G_BUS_TYPE_SESSION, NULL, on_bus, g_object_ref (self));
  return self;
}

GListModel *
ferry_client_get_transfers (FerryClient *self)
{
  return G_LIST_MODEL (self->transfers);
}

FerryManager1 *
ferry_client_get_manager (FerryClient *self)
{
  return self->manager;
}

gboolean
ferry_client_is_ready (FerryClient *self)
{
  return self->ready;
}

FerryTransferItem *
ferry_client_lookup_identifier (FerryClient *self,
                                const char  *identifier)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->by_path);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (g_strcmp0 (ferry_transfer_item_get_session (value), FERRY_APP_SESSION) == 0 &&
          g_strcmp0 (ferry_transfer_item_get_identifier (value), identifier) == 0)
        return value;
    }
  return NULL;
}

FerryTransferItem *
ferry_client_lookup (FerryClient *self,
                     guint64      id)
{
  g_autofree char *path = g_strdup_printf (FERRY_DAEMON_PATH "/transfers/%" G_GUINT64_FORMAT,
                                           id);

  return g_hash_table_lookup (self->by_path, path);
}

/* -- Adding ------------------------------------------------------------------------------ */

typedef struct
{
  guint pending;
  GPtrArray *errors;
} AddData;

static void
add_data_free (AddData *data)
{
  g_ptr_array_unref (data->errors);
  g_free (data);
}

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AddData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  gboolean ok = g_task_get_source_tag (task) == ferry_client_add_uploads
                  ? ferry_manager1_call_add_upload_finish (FERRY_MANAGER1 (source), &path, NULL,
                                                           result, &error)
                  : ferry_manager1_call_add_download_finish (FERRY_MANAGER1 (source), &path,
                                                             result, &error);

  if (!ok)
    {
      g_dbus_error_strip_remote_error (error);
      g_ptr_array_add (data->errors, g_strdup (error->message));
    }

  if (--data->pending == 0)
    g_task_return_pointer (task, g_ptr_array_ref (data->errors),
                           (GDestroyNotify) g_ptr_array_unref);
}

/* A task collecting the errors of several adds; the service being away is the first. */
static GTask *
add_task_new (FerryClient        *self,
              gpointer            source_tag,
              GAsyncReadyCallback callback,
              gpointer            user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  AddData *data = g_new0 (AddData, 1);

  g_task_set_source_tag (task, source_tag);
  data->errors = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, data, (GDestroyNotify) add_data_free);
  if (self->manager == NULL)
    g_ptr_array_add (data->errors, g_strdup (_("The Ferry service is not available")));
  return task;
}

/* The app's own transfers: its session, and the service tells the app when they end. Each
 * gets an identifier, by which the service names it when it activates the app. */
static GVariant *
own_options (GVariant *options)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (options);
  g_autofree char *uuid = g_uuid_string_random ();

  if (!g_variant_dict_contains (&dict, "session"))
    g_variant_dict_insert (&dict, "session", "s", FERRY_APP_SESSION);
  if (!g_variant_dict_contains (&dict, "notify"))
    g_variant_dict_insert (&dict, "notify", "b", TRUE);
  if (!g_variant_dict_contains (&dict, "identifier"))
    g_variant_dict_insert (&dict, "identifier", "s", uuid);
  return g_variant_dict_end (&dict);
}

void
ferry_client_add_uploads (FerryClient         *self,
                          const char          *target,
                          const char *const   *paths,
                          GVariant            *options,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = add_task_new (self, ferry_client_add_uploads, callback, user_data);
  g_autoptr(GVariant) sunk = options ? g_variant_ref_sink (options) : NULL;
  AddData *data = g_task_get_task_data (task);

  for (guint i = 0; self->manager != NULL && paths != NULL && paths[i] != NULL; i++)
    {
      g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
      g_autofree char *uri = ferry_links_upload_uri (target, paths[i]);
      int fd = open (paths[i], O_RDONLY | O_CLOEXEC | O_NOCTTY);

      if (fd < 0)
        {
          int saved = errno;
          g_autofree char *name = g_filename_display_basename (paths[i]);

          g_ptr_array_add (data->errors, g_strdup_printf (_("Cannot read “%s”: %s"), name,
                                                          g_strerror (saved)));
          continue;
        }
      g_unix_fd_list_append (fds, fd, NULL);
      close (fd);

      data->pending++;
      ferry_manager1_call_add_upload (self->manager, uri, g_variant_new_handle (0),
                                      own_options (sunk), fds, NULL, on_added,
                                      g_object_ref (task));
    }

  if (data->pending == 0)
    g_task_return_pointer (task, g_ptr_array_ref (data->errors),
                           (GDestroyNotify) g_ptr_array_unref);
}

void
ferry_client_add_downloads (FerryClient         *self,
                            const char *const   *uris,
                            GVariant            *options,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = add_task_new (self, ferry_client_add_downloads, callback, user_data);
  g_autoptr(GVariant) sunk = options ? g_variant_ref_sink (options) : NULL;
  AddData *data = g_task_get_task_data (task);

  for (guint i = 0; self->manager != NULL && uris != NULL && uris[i] != NULL; i++)
    {
      data->pending++;
      ferry_manager1_call_add_download (self->manager, uris[i], own_options (sunk), NULL,
                                        on_added, g_object_ref (task));
    }

  if (data->pending == 0)
    g_task_return_pointer (task, g_ptr_array_ref (data->errors),
                           (GDestroyNotify) g_ptr_array_unref);
}

GPtrArray *
ferry_client_add_downloads_finish (FerryClient  *self,
                                   GAsyncResult *result)
{
  return g_task_propagate_pointer (G_TASK (result), NULL);
}
