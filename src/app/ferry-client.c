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

#include "ferry-client.h"
#include "ferry-error.h"

struct _FerryClient
{
  GObject parent_instance;

  GDBusObjectManager *object_manager;
  FerryManager1 *manager;
  GListStore *transfers;
  GHashTable *by_path;     /* object path → FerryTransferItem */
  gboolean ready;
};

G_DEFINE_FINAL_TYPE (FerryClient, ferry_client, G_TYPE_OBJECT)

enum {
  READY,
  ERROR,
  STATE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ferry_client_dispose (GObject *object)
{
  FerryClient *self = FERRY_CLIENT (object);

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  if (self->object_manager != NULL)
    g_signal_handlers_disconnect_by_data (self->object_manager, self);
  g_clear_object (&self->object_manager);
  g_clear_object (&self->manager);
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
  /* A transfer's State changed: (item, old state name). Filters re-evaluate on it. */
  signals[STATE_CHANGED] = g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, FERRY_TYPE_TRANSFER_ITEM);
}

static void
ferry_client_init (FerryClient *self)
{
  self->transfers = g_list_store_new (FERRY_TYPE_TRANSFER_ITEM);
  self->by_path = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

static void
on_item_properties_changed (GDBusProxy *proxy,
                            GVariant   *changed,
                            GStrv       invalidated,
                            gpointer    user_data)
{
  FerryClient *self = user_data;
  FerryTransferItem *item = g_hash_table_lookup (self->by_path,
                                                 g_dbus_proxy_get_object_path (proxy));

  if (item != NULL && g_variant_lookup (changed, "State", "&s", NULL))
    g_signal_emit (self, signals[STATE_CHANGED], 0, item);
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

static FerryTransferItem *
track (FerryClient *self,
       GDBusObject *object)
{
  g_autoptr(FerryTransfer1) proxy = ferry_object_get_transfer1 (FERRY_OBJECT (object));
  const char *path = g_dbus_object_get_object_path (object);
  FerryTransferItem *item;

  if (proxy == NULL || g_hash_table_contains (self->by_path, path))
    return NULL;

  item = ferry_transfer_item_new (proxy);
  g_hash_table_insert (self->by_path, g_strdup (path), item);
  g_signal_connect_object (proxy, "g-properties-changed",
                           G_CALLBACK (on_item_properties_changed), self, 0);
  return item;
}

static void
on_object_added (GDBusObjectManager *manager,
                 GDBusObject        *object,
                 FerryClient        *self)
{
  FerryTransferItem *item = track (self, object);

  if (item != NULL)
    g_list_store_insert_sorted (self->transfers, item, compare_newest_first, NULL);
}

static void
on_object_removed (GDBusObjectManager *manager,
                   GDBusObject        *object,
                   FerryClient        *self)
{
  const char *path = g_dbus_object_get_object_path (object);
  FerryTransferItem *item = g_hash_table_lookup (self->by_path, path);
  guint position;

  if (item == NULL)
    return;

  if (g_list_store_find (self->transfers, item, &position))
    g_list_store_remove (self->transfers, position);
  g_hash_table_remove (self->by_path, path);
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

      if (item != NULL)
        ferry_transfer_item_set_progress (item, done, total, rate);
    }
}

static int
compare_items (FerryTransferItem **a,
               FerryTransferItem **b)
{
  return compare_newest_first (*a, *b, NULL);
}

static void
load_all (FerryClient *self)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new ();
  GList *objects = g_dbus_object_manager_get_objects (self->object_manager);

  for (GList *l = objects; l != NULL; l = l->next)
    {
      FerryTransferItem *item = track (self, l->data);

      if (item != NULL)
        g_ptr_array_add (items, item);
    }
  g_list_free_full (objects, g_object_unref);

  /* One splice for the whole list: one items-changed, not one per transfer. */
  g_ptr_array_sort_with_data (items, (GCompareDataFunc) compare_items, NULL);
  g_list_store_splice (self->transfers, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->transfers)),
                       items->pdata, items->len);
}

static void
on_object_manager (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(FerryClient) self = user_data;
  g_autoptr(GError) error = NULL;

  self->object_manager = ferry_object_manager_client_new_for_bus_finish (result, &error);
  if (self->object_manager == NULL)
    {
      g_signal_emit (self, signals[ERROR], 0, error->message);
      return;
    }

  g_signal_connect_object (self->object_manager, "object-added", G_CALLBACK (on_object_added),
                           self, 0);
  g_signal_connect_object (self->object_manager, "object-removed",
                           G_CALLBACK (on_object_removed), self, 0);
  load_all (self);

  self->ready = TRUE;
  g_signal_emit (self, signals[READY], 0);
}

static void
on_manager (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(FerryClient) self = user_data;
  g_autoptr(GError) error = NULL;

  self->manager = ferry_manager1_proxy_new_for_bus_finish (result, &error);
  if (self->manager == NULL)
    {
      g_signal_emit (self, signals[ERROR], 0, error->message);
      return;
    }

  g_signal_connect_object (self->manager, "progress", G_CALLBACK (on_progress), self, 0);

  /* The manager proxy started the service; now fetch every transfer at once. */
  ferry_object_manager_client_new_for_bus (G_BUS_TYPE_SESSION,
                                           G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                           FERRY_DAEMON_ID, FERRY_DAEMON_PATH, NULL,
                                           on_object_manager, g_object_ref (self));
}

FerryClient *
ferry_client_new (void)
{
  FerryClient *self = g_object_new (FERRY_TYPE_CLIENT, NULL);

  (void) FERRY_ERROR;
  ferry_manager1_proxy_new_for_bus (G_BUS_TYPE_SESSION, G_DBUS_PROXY_FLAGS_NONE,
                                    FERRY_DAEMON_ID, FERRY_DAEMON_PATH, NULL, on_manager,
                                    g_object_ref (self));
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

  if (!ferry_manager1_call_add_download_finish (FERRY_MANAGER1 (source), &path, result, &error))
    {
      g_dbus_error_strip_remote_error (error);
      g_ptr_array_add (data->errors, g_strdup (error->message));
    }

  if (--data->pending == 0)
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
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  AddData *data = g_new0 (AddData, 1);
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (options);
  g_autoptr(GVariant) sunk = options ? g_variant_ref_sink (options) : NULL;
  g_autoptr(GVariant) final_options = NULL;

  g_task_set_source_tag (task, ferry_client_add_downloads);
  data->errors = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, data, (GDestroyNotify) add_data_free);

  /* The app's own transfers: its session, and the service tells the app when they end. */
  if (!g_variant_dict_contains (&dict, "session"))
    g_variant_dict_insert (&dict, "session", "s", FERRY_APP_SESSION);
  if (!g_variant_dict_contains (&dict, "notify"))
    g_variant_dict_insert (&dict, "notify", "b", TRUE);
  final_options = g_variant_ref_sink (g_variant_dict_end (&dict));

  if (self->manager == NULL || uris == NULL || uris[0] == NULL)
    {
      if (self->manager == NULL)
        g_ptr_array_add (data->errors, g_strdup ("The Ferry service is not available"));
      g_task_return_pointer (task, g_ptr_array_ref (data->errors),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  for (guint i = 0; uris[i] != NULL; i++)
    {
      data->pending++;
      ferry_manager1_call_add_download (self->manager, uris[i], final_options, NULL, on_added,
                                        g_object_ref (task));
    }
}

GPtrArray *
ferry_client_add_downloads_finish (FerryClient  *self,
                                   GAsyncResult *result)
{
  return g_task_propagate_pointer (G_TASK (result), NULL);
}
