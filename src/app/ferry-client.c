/* ferry-client.c
 *
 * The app's list is libferry's: one FerrySession for every transfer ("" as the session id)
 * keeps them current, read a page at a time and followed by one subscription per signal, no
 * proxy per transfer. Its model is oldest first; the app's is newest first, of FerryTransferItem
 * (a row's view of a FerryTransfer), mirrored from it. The app's own transfers are added
 * through the same session with the app's id as theirs; the service tells the app when
 * they end.
 * The service's totals (running, rates, online) are the session's too: the app speaks no
 * D-Bus of its own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-client"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "ferry-client.h"
#include "ferry-links.h"

struct _FerryClient
{
  GObject parent_instance;

  GDBusConnection *connection;
  FerrySession *session;    /* every transfer: the list, and what the app adds */
  GPtrArray *mirror;        /* FerryTransfer, in the session model's order */
  GListStore *transfers;    /* FerryTransferItem, newest first */
  GHashTable *by_transfer;  /* FerryTransfer → FerryTransferItem */
  GHashTable *by_id;        /* id → FerryTransferItem */
  gboolean ready;

  /* Progress arrives four times a second for every running transfer; rows are redrawn at
   * most once a second. The timer runs only while progress flows. */
  GHashTable *progressed;   /* FerryTransferItem set */
  guint progress_source;

  /* A state and its wait reasons are notified one after the other: filters re-evaluate
   * once for both. */
  GHashTable *state_changed; /* FerryTransferItem set */
  guint state_source;

  /* A window's first frame shows only the newest rows: GTK 4.8's list view builds and binds
   * some two hundred rows for a long list, the most of its first frame's CPU. The rest of
   * the first fill is listed once that frame is painted (ferry_client_show_all()). */
  guint first_rows;         /* 0: list everything at once */
  GPtrArray *waiting;       /* FerryTransferItem made before the list was loaded */
  GPtrArray *held;          /* FerryTransferItem, newest first, for after the first frame */
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

static void
ferry_client_dispose (GObject *object)
{
  FerryClient *self = FERRY_CLIENT (object);
  GHashTableIter iter;
  gpointer item;

  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (ferry_session_get_transfers (self->session), self);
    }
  if (self->by_transfer != NULL)
    {
      g_hash_table_iter_init (&iter, self->by_transfer);
      while (g_hash_table_iter_next (&iter, NULL, &item))
        ferry_transfer_item_detach (item);
    }
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_pointer (&self->progressed, g_hash_table_unref);
  g_clear_handle_id (&self->state_source, g_source_remove);
  g_clear_pointer (&self->state_changed, g_hash_table_unref);
  g_clear_object (&self->session);
  g_clear_object (&self->connection);
  g_clear_object (&self->transfers);
  g_clear_pointer (&self->mirror, g_ptr_array_unref);
  g_clear_pointer (&self->by_transfer, g_hash_table_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);
  g_clear_pointer (&self->held, g_ptr_array_unref);

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
  self->mirror = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_transfer = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->progressed = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->state_changed = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
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

static gboolean
flush_state_changed (gpointer user_data)
{
  FerryClient *self = user_data;
  g_autoptr(GHashTable) items = g_steal_pointer (&self->state_changed);
  GHashTableIter iter;
  gpointer item;

  self->state_source = 0;
  self->state_changed = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  g_hash_table_iter_init (&iter, items);
  while (g_hash_table_iter_next (&iter, &item, NULL))
    g_signal_emit (self, signals[STATE_CHANGED], 0, item);
  return G_SOURCE_REMOVE;
}

static void
on_item_notify (FerryTransferItem *item,
                gboolean           state_changed,
                gpointer           user_data)
{
  FerryClient *self = user_data;

  if (state_changed)
    {
      /* A new state shows at once; byte counts wait for the next redraw. */
      ferry_transfer_item_emit_changed (item);
      if (!g_hash_table_contains (self->state_changed, item))
        g_hash_table_add (self->state_changed, g_object_ref (item));
      if (self->state_source == 0)
        self->state_source = g_idle_add (flush_state_changed, self);
    }
  else
    {
      mark_progressed (self, item);
    }
}

static guint64 *
id_key (FerryTransferItem *item)
{
  /* The item's id field lives as long as the item: a stable key. */
  return (guint64 *) g_object_get_data (G_OBJECT (item), "ferry-client-id");
}

static void
forget_item (FerryClient   *self,
             FerryTransfer *transfer)
{
  FerryTransferItem *item = g_hash_table_lookup (self->by_transfer, transfer);
  guint position = 0;

  if (item == NULL)
    return;

  ferry_transfer_item_detach (item);
  g_hash_table_remove (self->progressed, item);
  if (id_key (item) != NULL)
    g_hash_table_remove (self->by_id, id_key (item));
  if (g_list_store_find (self->transfers, item, &position))
    g_list_store_remove (self->transfers, position);
  else if (self->waiting == NULL || !g_ptr_array_remove (self->waiting, item))
    {
      if (self->held != NULL)
        g_ptr_array_remove (self->held, item);
    }
  g_hash_table_remove (self->by_transfer, transfer);
}

static FerryTransferItem *
make_item (FerryClient   *self,
           FerryTransfer *transfer)
{
  FerryTransferItem *item = ferry_transfer_item_new (transfer, on_item_notify, self);
  guint64 *key = g_new (guint64, 1);

  *key = ferry_transfer_item_get_id (item);
  g_object_set_data_full (G_OBJECT (item), "ferry-client-id", key, g_free);
  g_hash_table_insert (self->by_transfer, transfer, item);
  g_hash_table_insert (self->by_id, key, item);
  return item;
}

/* Whether @item goes above every item listed (newest first). */
static gboolean
newer_than_all (FerryClient       *self,
                FerryTransferItem *item)
{
  GListModel *model = G_LIST_MODEL (self->transfers);
  g_autoptr(FerryTransferItem) newest = g_list_model_get_item (model, 0);

  return newest == NULL ||
         ferry_transfer_item_get_id (item) > ferry_transfer_item_get_id (newest);
}

/* libferry's list changed: the same change, in the app's order. */
static void
on_items_changed (GListModel  *model,
                  guint        position,
                  guint        removed,
                  guint        added,
                  FerryClient *self)
{
  g_autoptr(GPtrArray) fresh = g_ptr_array_new ();

  for (guint i = position; i < position + removed && i < self->mirror->len; i++)
    forget_item (self, g_ptr_array_index (self->mirror, i));
  g_ptr_array_remove_range (self->mirror, MIN (position, self->mirror->len),
                            MIN (removed, self->mirror->len - MIN (position, self->mirror->len)));

  for (guint i = 0; i < added; i++)
    {
      FerryTransfer *transfer = g_list_model_get_item (model, position + i);

      g_ptr_array_insert (self->mirror, (int) (position + i), transfer);
      if (!g_hash_table_contains (self->by_transfer, transfer))
        g_ptr_array_add (fresh, make_item (self, transfer));
    }

  if (fresh->len == 0)
    return;
  if (self->first_rows > 0 && !self->ready)
    {
      /* Listed at once when the whole list is there: check_ready(). */
      if (self->waiting == NULL)
        self->waiting = g_ptr_array_new ();
      g_ptr_array_extend (self->waiting, fresh, NULL, NULL);
      return;
    }
  g_ptr_array_sort (fresh, (GCompareFunc) compare_items);
  if (newer_than_all (self, g_ptr_array_index (fresh, fresh->len - 1)))
    {
      /* The list's first fill, or the next page of it (libferry's pages come oldest first,
       * each newer than the last): one splice at the top, one items-changed, not one per
       * transfer, which would make every filter look at the whole list each time. */
      g_list_store_splice (self->transfers, 0, 0, fresh->pdata, fresh->len);
    }
  else
    {
      for (guint i = 0; i < fresh->len; i++)
        g_list_store_insert_sorted (self->transfers, g_ptr_array_index (fresh, i),
                                    compare_newest_first, NULL);
    }
}

static void
check_ready (FerryClient *self)
{
  if (self->ready || self->session == NULL || !ferry_session_get_loaded (self->session))
    return;
  if (self->waiting != NULL)
    {
      g_autoptr(GPtrArray) items = g_steal_pointer (&self->waiting);
      guint shown = MIN (items->len, self->first_rows);

      g_ptr_array_sort (items, (GCompareFunc) compare_items);
      g_list_store_splice (self->transfers, 0, 0, items->pdata, shown);
      if (shown < items->len)
        {
          self->held = g_ptr_array_new ();
          g_ptr_array_extend (self->held, items, NULL, NULL);
          g_ptr_array_remove_range (self->held, 0, shown);
        }
    }
  self->ready = TRUE;
  g_signal_emit (self, signals[READY], 0);
}

/* libferry's session waits quietly for a service that is not there; the window says so. */
static void
on_pinged (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(FerryClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                             &error);

  if (reply == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    {
      g_dbus_error_strip_remote_error (error);
      g_signal_emit (self, signals[ERROR], 0, error->message);
    }
}

static void
set_up (FerryClient *self)
{
  GListModel *model;

  /* libferry's session starts the service, follows its restarts and reloads the list. */
  self->session = ferry_session_new_for_connection (self->connection, "");
  model = ferry_session_get_transfers (self->session);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), self);
  g_signal_connect_swapped (self->session, "notify::loaded", G_CALLBACK (check_ready), self);
  on_items_changed (model, 0, 0, g_list_model_get_n_items (model), self);

  /* libferry's session waits quietly for a service that cannot be started; a ping of the
   * name asks for it once, and its error is the window's to show. */
  g_dbus_connection_call (self->connection, FERRY_DAEMON_ID, FERRY_DAEMON_PATH,
                          "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_pinged, g_object_ref (self));
  check_ready (self);
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
  set_up (self);
}

FerryClient *
ferry_client_new (void)
{
  FerryClient *self = g_object_new (FERRY_TYPE_CLIENT, NULL);
  GApplication *application = g_application_get_default ();
  GDBusConnection *connection = NULL;

  /* A registered application is on the bus already: the list is asked for now, and the
   * service reads it while the window is being built. */
  if (application != NULL)
    connection = g_application_get_dbus_connection (application);
  if (connection != NULL)
    {
      self->connection = g_object_ref (connection);
      set_up (self);
    }
  else
    g_bus_get (G_BUS_TYPE_SESSION, NULL, on_bus, g_object_ref (self));
  return self;
}

GListModel *
ferry_client_get_transfers (FerryClient *self)
{
  return G_LIST_MODEL (self->transfers);
}

void
ferry_client_set_first_rows (FerryClient *self,
                             guint        rows)
{
  if (!self->ready)
    self->first_rows = rows;
}

void
ferry_client_show_all (FerryClient *self)
{
  g_autoptr(GPtrArray) held = g_steal_pointer (&self->held);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->transfers));
  g_autoptr(FerryTransferItem) oldest = NULL;

  self->first_rows = 0;
  if (held == NULL || held->len == 0)
    return;
  oldest = n_items > 0 ? g_list_model_get_item (G_LIST_MODEL (self->transfers), n_items - 1)
                       : NULL;
  if (oldest == NULL || ferry_transfer_item_get_id (g_ptr_array_index (held, 0)) <
                          ferry_transfer_item_get_id (oldest))
    {
      /* Older than every row shown: one splice below them. */
      g_list_store_splice (self->transfers, n_items, 0, held->pdata, held->len);
      return;
    }
  for (guint i = 0; i < held->len; i++)
    g_list_store_insert_sorted (self->transfers, g_ptr_array_index (held, i),
                                compare_newest_first, NULL);
}

guint
ferry_client_count_transfers (FerryClient *self)
{
  return self->mirror->len;
}

FerrySession *
ferry_client_get_session (FerryClient *self)
{
  return self->session;
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

  g_hash_table_iter_init (&iter, self->by_transfer);
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
  return g_hash_table_lookup (self->by_id, &id);
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
  g_autoptr(FerryTransfer) transfer = ferry_session_add_finish (FERRY_SESSION (source), result,
                                                                &error);

  if (transfer == NULL)
    g_ptr_array_add (data->errors, g_strdup (error->message));

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
  if (self->session == NULL)
    g_ptr_array_add (data->errors, g_strdup (_("The Ferry service is not available")));
  return task;
}

static FerryUploadProtocol
protocol_from_name (const char *name)
{
  if (g_strcmp0 (name, "ietf") == 0)
    return FERRY_UPLOAD_PROTOCOL_IETF;
  if (g_strcmp0 (name, "tus") == 0)
    return FERRY_UPLOAD_PROTOCOL_TUS;
  if (g_strcmp0 (name, "plain") == 0)
    return FERRY_UPLOAD_PROTOCOL_PLAIN;
  return FERRY_UPLOAD_PROTOCOL_AUTO;
}

/* The add action's options (AddDownload's and AddUpload's names, what a drop, the dialogs and
 * other clients pass) as libferry's request. */
static FerryRequest *
request_from_options (GVariant *options)
{
  FerryRequest *request = ferry_request_new ();
  const char *text;
  gint64 begin;
  gboolean flag;
  int priority;
  guint64 rate_limit;
  g_autoptr(GVariant) headers = NULL;

  /* The app's own transfers: its session, and the service tells the app when they end. */
  ferry_request_set_session (request, FERRY_APP_SESSION);
  if (options == NULL || !g_variant_lookup (options, "notify", "b", &flag) || flag)
    ferry_request_set_notify (request, TRUE);

  if (options == NULL)
    return request;
  if (g_variant_lookup (options, "destination", "&s", &text))
    {
      g_autoptr(GFile) folder = g_file_new_for_path (text);

      ferry_request_set_destination (request, folder);
    }
  if (g_variant_lookup (options, "filename", "&s", &text))
    ferry_request_set_name (request, text);
  if (g_variant_lookup (options, "sha256", "&s", &text))
    ferry_request_set_sha256 (request, text);
  if (g_variant_lookup (options, "earliest-begin", "x", &begin))
    ferry_request_set_earliest_begin (request, begin);
  if (g_variant_lookup (options, "allow-metered", "b", &flag))
    ferry_request_set_allow_metered (request, flag);
  if (g_variant_lookup (options, "discretionary", "b", &flag))
    ferry_request_set_discretionary (request, flag);
  if (g_variant_lookup (options, "paused", "b", &flag))
    ferry_request_set_paused (request, flag);
  if (g_variant_lookup (options, "priority", "i", &priority))
    ferry_request_set_priority (request, priority);
  if (g_variant_lookup (options, "rate-limit", "t", &rate_limit))
    ferry_request_set_rate_limit (request, rate_limit);
  if (g_variant_lookup (options, "protocol", "&s", &text))
    ferry_request_set_protocol (request, protocol_from_name (text));
  if (g_variant_lookup (options, "method", "&s", &text))
    ferry_request_set_method (request, text);
  if (g_variant_lookup (options, "content-type", "&s", &text))
    ferry_request_set_content_type (request, text);
  if (g_variant_lookup (options, "form-field", "&s", &text))
    ferry_request_set_form_field (request, text);
  headers = g_variant_lookup_value (options, "headers", G_VARIANT_TYPE ("a{ss}"));
  if (headers != NULL)
    {
      GVariantIter iter;
      const char *name, *value;

      g_variant_iter_init (&iter, headers);
      while (g_variant_iter_next (&iter, "{&s&s}", &name, &value))
        ferry_request_set_header (request, name, value);
    }
  return request;
}

/* Each of the app's own transfers gets an identifier, by which the service names it when
 * it activates the app. */
static char *
own_identifier (GVariant *options)
{
  const char *identifier = NULL;

  if (options != NULL)
    g_variant_lookup (options, "identifier", "&s", &identifier);
  return identifier != NULL ? g_strdup (identifier) : g_uuid_string_random ();
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
  g_autoptr(FerryRequest) request = request_from_options (sunk);
  AddData *data = g_task_get_task_data (task);

  for (guint i = 0; self->session != NULL && paths != NULL && paths[i] != NULL; i++)
    {
      g_autofree char *uri = ferry_links_upload_uri (target, paths[i]);
      g_autofree char *identifier = NULL;
      int fd = open (paths[i], O_RDONLY | O_CLOEXEC | O_NOCTTY);

      if (fd < 0)
        {
          int saved = errno;
          g_autofree char *name = g_filename_display_basename (paths[i]);

          g_ptr_array_add (data->errors, g_strdup_printf (_("Cannot read “%s”: %s"), name,
                                                          g_strerror (saved)));
          continue;
        }

      identifier = own_identifier (sunk);
      data->pending++;
      ferry_session_add_upload_fd_async (self->session, uri, fd, identifier, request, NULL,
                                         on_added, g_object_ref (task));
      close (fd);
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
  g_autoptr(FerryRequest) request = request_from_options (sunk);
  AddData *data = g_task_get_task_data (task);

  for (guint i = 0; self->session != NULL && uris != NULL && uris[i] != NULL; i++)
    {
      g_autofree char *identifier = own_identifier (sunk);

      data->pending++;
      ferry_session_add_download_async (self->session, uris[i], identifier, request, NULL,
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
