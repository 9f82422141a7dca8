/* ferry-session.c
 *
 * One session follows its transfers with four signal subscriptions (PropertiesChanged of
 * every transfer, InterfacesAdded, InterfacesRemoved, the manager's batched Progress) and
 * the list read a page at a time (Manager1.GetTransfersPage: one call per 5,000 transfers
 * or 4 MiB, however many the service holds): no proxy, no call per transfer.
 *
 * How an outcome is delivered exactly once: the service keeps an ended transfer until a
 * client removes it, so the transfer itself is the record of an outcome not yet delivered.
 * Once the callback of the `_async` call that got the outcome has returned, the session
 * removes the transfer from the service (keeping the downloaded file). The next launch's
 * call with that identifier therefore starts new work instead of delivering the old outcome
 * again, and an outcome whose process died before its callback ran is still there for the
 * next launch. A RETRY outcome does not end the transfer and removes nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>

#include "ferry-private.h"

/**
 * FerrySession:
 *
 * An app's transfers, handed to the Ferry service and named by identifiers the app
 * chooses, as a background `URLSession` is on Apple systems.
 *
 * Call ferry_session_download_async() or ferry_session_upload_async() on every launch for
 * the work the app wants done: a transfer whose identifier is already in flight is
 * reconnected to, not started again, and the call completes — in this process or, after
 * the app quit, in the one the service relaunches — with a [class@Ferry.Outcome].
 *
 * [method@Ferry.Session.get_transfers] is a live list of the session's transfers.
 *
 * A session works in the main context that was the thread-default one when it was made:
 * its signals, notifications and callbacks come there, and it is used from that thread.
 */

typedef struct
{
  FerrySession *session;
  GTask *task;
  char *identifier;
  char *uri;
  char *path;               /* once the service took it */
  FerryTransferKind kind;
  FerryRequestFlags flags;
  FerryRequest *request;
  GUnixFDList *fds;
  gboolean started;
  gboolean retried;
  GCancellable *cancellable;
  gulong cancel_id;
} Op;

/* Loads in a row that a service which went away while answering may cost before the
 * refreshes that wait for the list are answered without it. */
#define MAX_FAILED_LOADS 3

struct _FerrySession
{
  GObject parent_instance;

  char *id;
  GDBusConnection *connection;
  GMainContext *context;
  GListStore *transfers;
  GHashTable *by_path;      /* object path → FerryTransfer */
  guint properties_id;
  guint added_id;
  guint removed_id;
  guint progress_id;
  guint watch_id;
  gboolean loaded;
  gboolean loading;
  gboolean load_again;
  guint failed_loads;       /* loads in a row that the service went away from */
  GPtrArray *ops;           /* Op, pending */
  guint adding;             /* Add calls in flight */
  GApplication *application;
  GPtrArray *batches;       /* GStrv: identifiers of a transfers-finished call */
  gboolean service_running;
  GHashTable *asking;       /* paths whose properties are asked for before an outcome */
  GHashTable *listed;       /* while loading: the paths the pages so far held */
  GPtrArray *refreshes;     /* GTask: refreshes waiting for the list's last page */

  /* The service's totals (Manager1's properties), followed by one more subscription. */
  guint manager_properties_id;
  guint running;
  guint64 download_rate;
  guint64 upload_rate;
  gboolean online;
  gboolean metered;
};

G_DEFINE_FINAL_TYPE (FerrySession, ferry_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_LOADED,
  PROP_SERVICE_RUNNING,
  PROP_RUNNING,
  PROP_DOWNLOAD_RATE,
  PROP_UPLOAD_RATE,
  PROP_ONLINE,
  PROP_METERED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void start_op (FerrySession *self,
                      Op           *op);
static void load (FerrySession *self);
static void check_batches (FerrySession *self);
static void set_service_running (FerrySession *self,
                                 gboolean      running);
static void install_service_property (void);
static void install_totals_properties (void);
static void follow_totals (FerrySession *self);
static void load_totals (FerrySession *self);
static void clear_totals (FerrySession *self);
static void call_add (GDBusConnection     *connection,
                      FerryTransferKind    kind,
                      const char          *uri,
                      GVariant            *options,
                      GUnixFDList         *fds,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data);

static void
op_free (Op *op)
{
  if (op->cancel_id != 0)
    g_cancellable_disconnect (op->cancellable, op->cancel_id);
  g_clear_object (&op->cancellable);
  g_clear_object (&op->task);
  g_free (op->identifier);
  g_free (op->uri);
  g_free (op->path);
  g_clear_object (&op->request);
  g_clear_object (&op->fds);
  g_free (op);
}

static void
ferry_session_dispose (GObject *object)
{
  FerrySession *self = FERRY_SESSION (object);

  if (self->connection != NULL)
    {
      guint *ids[] = { &self->properties_id, &self->added_id, &self->removed_id,
                       &self->progress_id, &self->manager_properties_id };

      for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
        {
          if (*ids[i] != 0)
            g_dbus_connection_signal_unsubscribe (self->connection, *ids[i]);
          *ids[i] = 0;
        }
    }
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  if (self->application != NULL)
    {
      for (guint i = 0; self->batches != NULL && i < self->batches->len; i++)
        g_application_release (self->application);
      g_object_remove_weak_pointer (G_OBJECT (self->application),
                                    (gpointer *) &self->application);
      self->application = NULL;
    }
  g_clear_pointer (&self->batches, g_ptr_array_unref);
  g_clear_pointer (&self->ops, g_ptr_array_unref);
  g_clear_object (&self->transfers);
  g_clear_pointer (&self->by_path, g_hash_table_unref);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (ferry_session_parent_class)->dispose (object);
}

static void
ferry_session_finalize (GObject *object)
{
  FerrySession *self = FERRY_SESSION (object);

  g_free (self->id);
  g_hash_table_unref (self->asking);
  g_clear_pointer (&self->listed, g_hash_table_unref);
  g_ptr_array_unref (self->refreshes);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (ferry_session_parent_class)->finalize (object);
}

static void
ferry_session_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  FerrySession *self = FERRY_SESSION (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    case PROP_SERVICE_RUNNING:
      g_value_set_boolean (value, self->service_running);
      break;
    case PROP_RUNNING:
      g_value_set_uint (value, self->running);
      break;
    case PROP_DOWNLOAD_RATE:
      g_value_set_uint64 (value, self->download_rate);
      break;
    case PROP_UPLOAD_RATE:
      g_value_set_uint64 (value, self->upload_rate);
      break;
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    case PROP_METERED:
      g_value_set_boolean (value, self->metered);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_session_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  FerrySession *self = FERRY_SESSION (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      if (self->id == NULL)
        self->id = g_strdup ("");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_session_class_init (FerrySessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ferry_session_dispose;
  object_class->finalize = ferry_session_finalize;
  object_class->get_property = ferry_session_get_property;
  object_class->set_property = ferry_session_set_property;

  /**
   * FerrySession:id:
   *
   * The session's name, usually the application id; "" follows every transfer the caller
   * may see.
   */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * FerrySession:loaded:
   *
   * Whether the list of transfers holds what the service had when the session asked.
   */
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  install_service_property ();
  install_totals_properties ();
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ferry_session_init (FerrySession *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->transfers = g_list_store_new (FERRY_TYPE_TRANSFER);
  self->by_path = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->ops = g_ptr_array_new_with_free_func ((GDestroyNotify) op_free);
  self->batches = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  self->asking = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->refreshes = g_ptr_array_new ();
}

/* -- Outcomes ----------------------------------------------------------------------------- */

typedef struct
{
  FerrySession *session;
  FerryTransfer *transfer;
} Removal;

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(FerrySession) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Already removed (a second call for the same identifier) is what was wanted; with the
   * bus gone the outcome stays for the next launch. */
  if (!ferry_transfer_remove_finish (FERRY_TRANSFER (source), result, &error) &&
      !g_error_matches (error, FERRY_ERROR, FERRY_ERROR_NOT_FOUND) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    g_warning ("Could not remove a delivered transfer: %s", error->message);
  if (self->application != NULL)
    g_application_release (self->application);
}

/* The callback ran: the outcome is delivered, and the service may forget it. */
static void
on_task_completed (GTask      *task,
                   GParamSpec *pspec,
                   Removal    *removal)
{
  FerrySession *self = removal->session;

  if (self->application != NULL)
    g_application_hold (self->application);
  ferry_transfer_remove_async (removal->transfer, FALSE, NULL, on_removed,
                               g_object_ref (self));
}

static void
removal_free (gpointer data,
              GClosure *closure)
{
  Removal *removal = data;

  g_object_unref (removal->session);
  g_object_unref (removal->transfer);
  g_free (removal);
}

static void
deliver (FerrySession *self,
         Op           *op,
         FerryOutcome *outcome)
{
  FerryTransfer *transfer = ferry_outcome_get_transfer (outcome);
  g_autoptr(GTask) task = g_object_ref (op->task);

  if (transfer != NULL && ferry_outcome_get_kind (outcome) != FERRY_OUTCOME_RETRY)
    {
      Removal *removal = g_new0 (Removal, 1);

      removal->session = g_object_ref (self);
      removal->transfer = g_object_ref (transfer);
      g_signal_connect_data (task, "notify::completed", G_CALLBACK (on_task_completed),
                             removal, removal_free, 0);
    }
  g_ptr_array_remove (self->ops, op);
  g_task_return_pointer (task, outcome, g_object_unref);
  check_batches (self);
}

static void
deliver_error (FerrySession *self,
               Op           *op,
               GError       *error)
{
  deliver (self, op, _ferry_outcome_new (FERRY_OUTCOME_FAILED, op->identifier, NULL, error));
}

static void check_ops_for (FerrySession  *self,
                           FerryTransfer *transfer);

static void
on_outcome_details (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FerrySession *self = g_task_get_source_object (task);
  const char *path = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  FerryTransfer *transfer;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (self->connection == NULL)
    return;
  g_hash_table_remove (self->asking, path);
  transfer = g_hash_table_lookup (self->by_path, path);
  if (transfer == NULL)
    return;
  if (reply != NULL)
    {
      g_autoptr(GVariant) props = g_variant_get_child_value (reply, 0);

      _ferry_transfer_update (transfer, props);
    }
  else
    g_debug ("Could not read the last response of %s: %s", path, error->message);
  /* Whatever the answer, the outcome waits no longer. */
  _ferry_transfer_set_response_headers_unknown (transfer);
  check_ops_for (self, transfer);
  check_batches (self);
}

/* A transfer known from a summary (a list loaded after it ended, a reconnect) lacks the
 * last response's headers: one GetAll before its outcome, which carries them. Returns
 * whether the outcome must wait for it. */
static gboolean
ask_outcome_details (FerrySession  *self,
                     FerryTransfer *transfer)
{
  const char *path = ferry_transfer_get_object_path (transfer);
  GTask *task;

  if (_ferry_transfer_get_response_headers (transfer) != NULL || self->connection == NULL)
    return FALSE;
  if (g_hash_table_contains (self->asking, path))
    return TRUE;

  g_hash_table_add (self->asking, g_strdup (path));
  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_dbus_connection_call (self->connection, FERRY_BUS_NAME, path,
                          "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", FERRY_TRANSFER_INTERFACE),
                          G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          on_outcome_details, task);
  return TRUE;
}

/* Whether @transfer's state answers @op; if so, completes it. */
static gboolean
check_op (FerrySession  *self,
          Op            *op,
          FerryTransfer *transfer)
{
  const char *message = ferry_transfer_get_error (transfer);
  gboolean has_message = message != NULL && *message != '\0';
  FerryOutcomeKind kind;
  GError *error = NULL;

  switch (ferry_transfer_get_state (transfer))
    {
    case FERRY_TRANSFER_STATE_COMPLETED:
      kind = FERRY_OUTCOME_SUCCESS;
      break;
    case FERRY_TRANSFER_STATE_REJECTED:
      kind = FERRY_OUTCOME_REJECTED;
      break;
    case FERRY_TRANSFER_STATE_FAILED:
      kind = FERRY_OUTCOME_FAILED;
      error = g_error_new_literal (FERRY_ERROR, FERRY_ERROR_FAILED,
                                   has_message ? message : "The transfer failed");
      break;
    case FERRY_TRANSFER_STATE_CANCELED:
      kind = FERRY_OUTCOME_FAILED;
      error = g_error_new_literal (FERRY_ERROR, FERRY_ERROR_CANCELED,
                                   "The transfer was canceled");
      break;
    case FERRY_TRANSFER_STATE_WAITING:
      if ((op->flags & FERRY_REQUEST_NO_WAIT) == 0 ||
          !_ferry_transfer_has_wait_reason (transfer, "retry"))
        return FALSE;
      kind = FERRY_OUTCOME_RETRY;
      break;
    case FERRY_TRANSFER_STATE_QUEUED:
    case FERRY_TRANSFER_STATE_RUNNING:
    case FERRY_TRANSFER_STATE_PAUSED:
    default:
      return FALSE;
    }

  if (ask_outcome_details (self, transfer))
    {
      g_clear_error (&error);
      return FALSE;
    }
  deliver (self, op, _ferry_outcome_new (kind, op->identifier, transfer, error));
  return TRUE;
}

static void
check_ops_for (FerrySession  *self,
               FerryTransfer *transfer)
{
  const char *path = ferry_transfer_get_object_path (transfer);

  /* The transfer stays alive while an outcome holds it. */
  g_object_ref (transfer);
  for (guint i = 0; i < self->ops->len;)
    {
      Op *op = g_ptr_array_index (self->ops, i);

      if (g_strcmp0 (op->path, path) == 0 && check_op (self, op, transfer))
        continue;
      i++;
    }
  g_object_unref (transfer);
}

/* A transfer that went away before it ended. */
static void
fail_ops_for_path (FerrySession *self,
                   const char   *path)
{
  for (guint i = 0; i < self->ops->len;)
    {
      Op *op = g_ptr_array_index (self->ops, i);

      if (g_strcmp0 (op->path, path) == 0)
        {
          deliver_error (self, op, g_error_new_literal (FERRY_ERROR, FERRY_ERROR_NOT_FOUND,
                                                        "The transfer was removed before it "
                                                        "ended"));
          continue;
        }
      i++;
    }
}

/* -- The list ----------------------------------------------------------------------------- */

static gboolean
ours (FerrySession *self,
      const char   *session)
{
  return *self->id == '\0' || g_strcmp0 (self->id, session) == 0;
}

static FerryTransfer *
insert_transfer (FerrySession  *self,
                 FerryTransfer *transfer)
{
  g_hash_table_insert (self->by_path, g_strdup (ferry_transfer_get_object_path (transfer)),
                       transfer);
  g_list_store_append (self->transfers, transfer);
  return transfer;
}

static void
remove_transfer (FerrySession *self,
                 const char   *path)
{
  FerryTransfer *transfer = g_hash_table_lookup (self->by_path, path);
  guint position = 0;

  if (transfer == NULL)
    return;
  if (g_list_store_find (self->transfers, transfer, &position))
    g_list_store_remove (self->transfers, position);
  g_hash_table_remove (self->by_path, path);
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
  FerrySession *self = user_data;
  FerryTransfer *transfer = g_hash_table_lookup (self->by_path, object_path);
  g_autoptr(GVariant) changed = NULL;

  if (transfer == NULL || !g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;
  changed = g_variant_get_child_value (parameters, 1);
  if (_ferry_transfer_update (transfer, changed))
    check_ops_for (self, transfer);
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
  FerrySession *self = user_data;
  g_autoptr(GVariant) interfaces = NULL;
  g_autoptr(GVariant) props = NULL;
  const char *path, *session = NULL;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(oa{sa{sv}})")))
    return;
  g_variant_get (parameters, "(&o@a{sa{sv}})", &path, &interfaces);
  props = g_variant_lookup_value (interfaces, FERRY_TRANSFER_INTERFACE, G_VARIANT_TYPE_VARDICT);
  if (props == NULL || g_hash_table_contains (self->by_path, path))
    return;
  g_variant_lookup (props, "Session", "&s", &session);
  if (!ours (self, session))
    return;
  check_ops_for (self, insert_transfer (self, _ferry_transfer_new (self->connection, path,
                                                                   props)));
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
  FerrySession *self = user_data;
  const char *path;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(oas)")))
    return;
  g_variant_get (parameters, "(&o@as)", &path, NULL);
  fail_ops_for_path (self, path);
  remove_transfer (self, path);
}

static void
on_progress (GDBusConnection *connection,
             const char      *sender,
             const char      *object_path,
             const char      *interface_name,
             const char      *signal_name,
             GVariant        *parameters,
             gpointer         user_data)
{
  FerrySession *self = user_data;
  g_autoptr(GVariantIter) iter = NULL;
  const char *path;
  guint64 done, total, rate;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(a(ottt))")))
    return;
  g_variant_get (parameters, "(a(ottt))", &iter);
  while (g_variant_iter_next (iter, "(&ottt)", &path, &done, &total, &rate))
    {
      FerryTransfer *transfer = g_hash_table_lookup (self->by_path, path);

      if (transfer != NULL)
        _ferry_transfer_set_progress (transfer, done, total, rate);
    }
}

static void load_page (FerrySession *self,
                       guint64       after);
static void ask_details (FerrySession *self,
                         GTask        *task);

/* The list is read (or could not be): the refreshes that waited for it go on. */
static void
loading_ended (FerrySession *self)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->refreshes);

  self->loading = FALSE;
  self->refreshes = g_ptr_array_new ();
  for (guint i = 0; i < waiting->len; i++)
    ask_details (self, g_ptr_array_index (waiting, i));
}

/* The list a page at a time; after the service restarted, reconciled in place. Each page
 * shows at once (a long list fills from its oldest), and what is gone is known once the
 * last page came. */
static void
on_transfers (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(FerrySession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) list = NULL;
  g_autoptr(GPtrArray) fresh = NULL;
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GPtrArray) gone = NULL;
  GHashTableIter hiter;
  gpointer key;
  GVariantIter iter;
  GVariant *summary;
  guint64 next = 0;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (self->connection == NULL)
    return;
  if (reply == NULL)
    g_clear_pointer (&self->listed, g_hash_table_unref);
  if (reply == NULL && (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
                        g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)))
    {
      g_debug ("The Ferry service did not answer: %s", error->message);
      /* The service went away while it answered. Its successor may already be running,
       * and may already have answered a refresh that now waits for this list: asking
       * the successor again is the only way that refresh gets the list (no name will
       * appear for it any more). A service that keeps going away while it answers ends
       * the wait after a few tries. Otherwise the list is fetched when it is back. */
      self->loading = FALSE;
      if ((self->service_running || self->refreshes->len > 0) &&
          self->failed_loads++ < MAX_FAILED_LOADS)
        {
          load (self);
          return;
        }
      self->failed_loads = 0;
      loading_ended (self);
      return;
    }
  if (reply == NULL)
    loading_ended (self);
  if (reply == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    return;
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      /* Another app's session is not ours to list; ferry_session_refresh_finish() says so. */
      if (g_error_matches (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED))
        g_debug ("Could not list the transfers of session “%s”: %s", self->id, error->message);
      else
        g_warning ("Could not list the transfers of session “%s”: %s", self->id,
                   error->message);
      return;
    }

  self->failed_loads = 0;
  g_variant_get (reply, "(@a(otssssssastttxxxxusbb)t)", &list, &next);
  /* The service builds the next page while this one is read. */
  if (next != 0)
    load_page (self, next);
  fresh = g_ptr_array_new ();
  changed = g_ptr_array_new_with_free_func (g_object_unref);

  g_variant_iter_init (&iter, list);
  while ((summary = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autoptr(GVariant) path_value = g_variant_get_child_value (summary, 0);
      const char *path = g_variant_get_string (path_value, NULL);
      FerryTransfer *transfer;

      transfer = g_hash_table_lookup (self->by_path, path);
      if (transfer != NULL)
        {
          _ferry_transfer_set_summary (transfer, summary);
          g_ptr_array_add (changed, g_object_ref (transfer));
        }
      else
        {
          transfer = _ferry_transfer_new_from_summary (self->connection, summary);
          g_hash_table_insert (self->by_path, g_strdup (path), transfer);
          g_ptr_array_add (fresh, transfer);
        }
      g_hash_table_add (self->listed, g_strdup (ferry_transfer_get_object_path (transfer)));
      g_variant_unref (summary);
    }

  /* One splice a page: one items-changed for thousands of transfers, not one each. */
  g_list_store_splice (self->transfers, g_list_model_get_n_items (G_LIST_MODEL (self->transfers)),
                       0, fresh->pdata, fresh->len);

  if (next == 0)
    {
      g_autoptr(GHashTable) listed = g_steal_pointer (&self->listed);

      gone = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_iter_init (&hiter, self->by_path);
      while (g_hash_table_iter_next (&hiter, &key, NULL))
        {
          if (!g_hash_table_contains (listed, key))
            g_ptr_array_add (gone, g_strdup (key));
        }
      for (guint i = 0; i < gone->len; i++)
        {
          fail_ops_for_path (self, g_ptr_array_index (gone, i));
          remove_transfer (self, g_ptr_array_index (gone, i));
        }

      if (!self->loaded)
        {
          self->loaded = TRUE;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
        }
      loading_ended (self);
    }

  for (guint i = 0; i < fresh->len; i++)
    check_ops_for (self, g_ptr_array_index (fresh, i));
  for (guint i = 0; i < changed->len; i++)
    check_ops_for (self, g_ptr_array_index (changed, i));
  check_batches (self);

  if (!self->loading && self->load_again)
    {
      self->load_again = FALSE;
      load (self);
    }
}

/* Tells the service this program's languages, for its answers to this connection: its
 * sentences (errors, a transfer's Error) come in the first it has. A service started later
 * is told again by the next call that sends this (a list's load, an add). */
static void
set_languages (GDBusConnection *connection)
{
  g_dbus_connection_call (connection, FERRY_BUS_NAME, FERRY_MANAGER_PATH,
                          FERRY_MANAGER_INTERFACE, "SetLanguages",
                          g_variant_new ("(^as)", g_get_language_names ()), NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
}

static void
load_page (FerrySession *self,
           guint64       after)
{
  /* A call to the name starts the service if it is not running, and makes it send this
   * connection the signals about its transfers. Transfers added while the pages come have
   * higher Ids than the ones listed: a later page holds them. */
  g_dbus_connection_call (self->connection, FERRY_BUS_NAME, FERRY_MANAGER_PATH,
                          FERRY_MANAGER_INTERFACE, "GetTransfersPage",
                          g_variant_new ("(stu)", self->id, after, 0),
                          G_VARIANT_TYPE ("(a(otssssssastttxxxxusbb)t)"),
                          /* A service that starts on this call with 100,000 transfers stored,
                           * on a slow machine, may take longer than GDBus's 25 s: the list
                           * would stay empty. Nothing waits on this call but the list. */
                          G_DBUS_CALL_FLAGS_NONE, G_MAXINT, NULL, on_transfers,
                          g_object_ref (self));
}

static void
load (FerrySession *self)
{
  if (self->loading)
    {
      self->load_again = TRUE;
      return;
    }
  self->loading = TRUE;
  /* Sent first on the same connection, so the service words the listing, and everything
   * after, in this program's language. */
  set_languages (self->connection);
  self->listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  load_page (self, 0);
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  FerrySession *self = user_data;

  set_service_running (self, TRUE);
  /* A new service (after a restart or a crash) sends signals only to clients that called
   * it, and what changed meanwhile is fetched again. */
  if (self->loaded || !self->loading)
    load (self);
  load_totals (self);
}

static void
on_name_vanished (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  FerrySession *self = user_data;

  set_service_running (self, FALSE);
  clear_totals (self);
  /* Calls wait for outcomes: start the service again, which goes on with their transfers.
   * Without them the service is left to exit when idle. */
  if (self->ops->len > 0)
    load (self);
}

static void
set_up (FerrySession    *self,
        GDBusConnection *connection)
{
  self->connection = g_object_ref (connection);
  self->properties_id =
    g_dbus_connection_signal_subscribe (connection, FERRY_BUS_NAME,
                                        "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                        NULL, FERRY_TRANSFER_INTERFACE, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_properties_changed, self, NULL);
  self->added_id =
    g_dbus_connection_signal_subscribe (connection, FERRY_BUS_NAME,
                                        "org.freedesktop.DBus.ObjectManager", "InterfacesAdded",
                                        FERRY_MANAGER_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_interfaces_added, self, NULL);
  self->removed_id =
    g_dbus_connection_signal_subscribe (connection, FERRY_BUS_NAME,
                                        "org.freedesktop.DBus.ObjectManager",
                                        "InterfacesRemoved", FERRY_MANAGER_PATH, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_interfaces_removed, self,
                                        NULL);
  self->progress_id =
    g_dbus_connection_signal_subscribe (connection, FERRY_BUS_NAME, FERRY_MANAGER_INTERFACE,
                                        "Progress", FERRY_MANAGER_PATH, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_progress, self, NULL);
  self->watch_id = g_bus_watch_name_on_connection (connection, FERRY_BUS_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   on_name_appeared, on_name_vanished, self,
                                                   NULL);
  follow_totals (self);
  load (self);
  for (guint i = 0; i < self->ops->len; i++)
    start_op (self, g_ptr_array_index (self->ops, i));
}

static void
on_bus (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(FerrySession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = g_bus_get_finish (result, &error);

  if (self->ops == NULL)
    return;
  if (connection == NULL)
    {
      while (self->ops->len > 0)
        deliver_error (self, g_ptr_array_index (self->ops, 0), g_error_copy (error));
      g_warning ("Ferry's session bus is not available: %s", error->message);
      return;
    }
  set_up (self, connection);
}

/**
 * ferry_session_new:
 * @session_id: (nullable): the session's name, usually the application id; %NULL or ""
 *   for a session that lists every transfer the caller may see
 *
 * Makes a session on the session bus; it connects in the background. For a sandboxed
 * caller the service uses the app's id whatever is passed.
 *
 * Returns: (transfer full): a new session
 */
FerrySession *
ferry_session_new (const char *session_id)
{
  FerrySession *self = g_object_new (FERRY_TYPE_SESSION, "id", session_id, NULL);

  g_bus_get (G_BUS_TYPE_SESSION, NULL, on_bus, g_object_ref (self));
  return self;
}

/**
 * ferry_session_new_for_connection:
 * @connection: a connection to the bus where the Ferry service is
 * @session_id: (nullable): as for ferry_session_new()
 *
 * Returns: (transfer full): a new session
 */
FerrySession *
ferry_session_new_for_connection (GDBusConnection *connection,
                                  const char      *session_id)
{
  FerrySession *self;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);

  self = g_object_new (FERRY_TYPE_SESSION, "id", session_id, NULL);
  set_up (self, connection);
  return self;
}

/**
 * ferry_session_get_id:
 * @self: a session
 *
 * Returns: the session's name
 */
const char *
ferry_session_get_id (FerrySession *self)
{
  g_return_val_if_fail (FERRY_IS_SESSION (self), NULL);
  return self->id;
}

/**
 * ferry_session_get_transfers:
 * @self: a session
 *
 * The session's transfers, oldest first, kept current: transfers come and go as they are
 * added and removed, by this process or any other, and their properties notify.
 *
 * Returns: (transfer none): a list of [class@Ferry.Transfer]
 */
GListModel *
ferry_session_get_transfers (FerrySession *self)
{
  g_return_val_if_fail (FERRY_IS_SESSION (self), NULL);
  return G_LIST_MODEL (self->transfers);
}

/**
 * ferry_session_get_loaded:
 * @self: a session
 *
 * Returns: whether the list holds the service's transfers
 */
gboolean
ferry_session_get_loaded (FerrySession *self)
{
  g_return_val_if_fail (FERRY_IS_SESSION (self), FALSE);
  return self->loaded;
}

/**
 * ferry_session_lookup:
 * @self: a session
 * @identifier: a transfer's identifier
 *
 * Returns: (transfer none) (nullable): the session's transfer of that identifier, if listed
 */
FerryTransfer *
ferry_session_lookup (FerrySession *self,
                      const char   *identifier)
{
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (FERRY_IS_SESSION (self), NULL);
  g_return_val_if_fail (identifier != NULL, NULL);

  g_hash_table_iter_init (&iter, self->by_path);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (g_strcmp0 (ferry_transfer_get_identifier (value), identifier) == 0)
        return value;
    }
  return NULL;
}

/* -- Adding ------------------------------------------------------------------------------- */

static void
on_properties (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FerrySession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) props = NULL;
  const char *path = g_task_get_task_data (task);
  FerryTransfer *transfer;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  self->adding--;
  if (self->connection == NULL)
    return;

  transfer = g_hash_table_lookup (self->by_path, path);
  if (transfer == NULL && reply != NULL)
    {
      props = g_variant_get_child_value (reply, 0);
      transfer = insert_transfer (self, _ferry_transfer_new (self->connection, path, props));
    }
  if (transfer != NULL)
    check_ops_for (self, transfer);
  else
    {
      /* Gone between the add and now: removed by someone else. */
      fail_ops_for_path (self, path);
    }
  check_batches (self);
}

static Op *
find_op (FerrySession *self,
         GTask        *task)
{
  for (guint i = 0; i < self->ops->len; i++)
    {
      Op *op = g_ptr_array_index (self->ops, i);

      if (op->task == task)
        return op;
    }
  return NULL;
}

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FerrySession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *path;
  FerryTransfer *transfer;
  Op *op;

  reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source), NULL,
                                                           result, &error);
  self->adding--;
  if (self->connection == NULL)
    return;
  op = find_op (self, task);

  if (reply == NULL && op != NULL && !op->retried &&
      (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
       g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)))
    {
      /* The service died while it took the call: whether it stored the transfer or not,
       * adding it again by identifier is safe, and starts the service again. */
      op->retried = TRUE;
      op->started = FALSE;
      start_op (self, op);
      return;
    }
  if (reply == NULL)
    {
      if (op != NULL)
        {
          (void) FERRY_ERROR;
          g_dbus_error_strip_remote_error (error);
          deliver_error (self, op, g_steal_pointer (&error));
        }
      check_batches (self);
      return;
    }

  g_variant_get (reply, "(&o)", &path);
  if (op != NULL)
    op->path = g_strdup (path);

  transfer = g_hash_table_lookup (self->by_path, path);
  if (transfer != NULL)
    {
      check_ops_for (self, transfer);
      check_batches (self);
      return;
    }

  /* Not listed yet (the list is loading, or the signal is on its way): one GetAll. */
  {
    GTask *props = g_task_new (self, NULL, NULL, NULL);

    g_task_set_task_data (props, g_strdup (path), g_free);
    self->adding++;
    g_dbus_connection_call (self->connection, FERRY_BUS_NAME, path,
                            "org.freedesktop.DBus.Properties", "GetAll",
                            g_variant_new ("(s)", FERRY_TRANSFER_INTERFACE),
                            G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                            on_properties, props);
  }
}

static void
start_op (FerrySession *self,
          Op           *op)
{
  GVariantDict dict;
  GVariant *options;

  if (op->started)
    return;
  op->started = TRUE;

  g_variant_dict_init (&dict, NULL);
  if (op->request != NULL)
    _ferry_request_fill_options (op->request, &dict, op->kind);
  if (*self->id != '\0')
    g_variant_dict_insert (&dict, "session", "s", self->id);
  g_variant_dict_insert (&dict, "identifier", "s", op->identifier);
  /* The service relaunches the app only when it will take the call. */
  if (self->application != NULL)
    g_variant_dict_insert (&dict, "notify", "b", TRUE);
  options = g_variant_dict_end (&dict);

  self->adding++;
  /* No cancellable: the caller's cancellable ends the wait, never the transfer. */
  call_add (self->connection, op->kind, op->uri, options, op->fds, NULL, on_added,
            g_object_ref (op->task));
}

typedef struct
{
  FerrySession *session;
  GTask *task;
} Cancel;

static void
cancel_free (gpointer data)
{
  Cancel *cancel = data;

  g_object_unref (cancel->session);
  g_object_unref (cancel->task);
  g_free (cancel);
}

static gboolean
cancel_in_context (gpointer data)
{
  Cancel *cancel = data;
  FerrySession *self = cancel->session;
  Op *op = self->ops != NULL ? find_op (self, cancel->task) : NULL;

  if (op != NULL)
    {
      g_autoptr(GTask) task = g_object_ref (op->task);

      /* Only the wait ends: the transfer goes on, and a later call for the identifier
       * reconnects to it. */
      g_ptr_array_remove (self->ops, op);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "The wait for the transfer’s outcome was canceled; the "
                               "transfer goes on");
      check_batches (self);
    }
  return G_SOURCE_REMOVE;
}

/* May run in any thread: the work is done in the session's context. */
static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  Cancel *cancel = data;
  Cancel *copy = g_new0 (Cancel, 1);
  g_autoptr(GSource) source = g_idle_source_new ();

  copy->session = g_object_ref (cancel->session);
  copy->task = g_object_ref (cancel->task);
  g_source_set_callback (source, cancel_in_context, copy, cancel_free);
  g_source_attach (source, cancel->session->context);
}

static void
add_op (FerrySession        *self,
        FerryTransferKind    kind,
        const char          *uri,
        const char          *identifier,
        FerryRequest        *request,
        GUnixFDList         *fds,
        GError              *error,
        gpointer             source_tag,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  Op *op = g_new0 (Op, 1);

  op->session = self;
  op->task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (op->task, source_tag);
  op->kind = kind;
  op->uri = g_strdup (uri);
  op->identifier = g_strdup (identifier);
  op->request = request != NULL ? g_object_ref (request) : NULL;
  op->flags = request != NULL ? ferry_request_get_flags (request) : FERRY_REQUEST_NONE;
  op->fds = fds != NULL ? g_object_ref (fds) : NULL;
  g_ptr_array_add (self->ops, op);

  if (error != NULL)
    {
      deliver_error (self, op, error);
      return;
    }

  if (cancellable != NULL)
    {
      Cancel *cancel = g_new0 (Cancel, 1);

      cancel->session = g_object_ref (self);
      cancel->task = g_object_ref (op->task);
      op->cancellable = g_object_ref (cancellable);
      op->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), cancel,
                                             cancel_free);
    }

  if (self->connection != NULL)
    start_op (self, op);
}

/**
 * ferry_session_download_async:
 * @self: a session
 * @uri: an absolute `http://` or `https://` URI
 * @identifier: the app's stable name for this download
 * @request: (nullable): options
 * @cancellable: (nullable): ends the wait for the outcome, not the download
 * @callback: (scope async): called with the outcome
 * @user_data: (closure): data for @callback
 *
 * Starts the download, or reconnects to the one in flight with @identifier in this
 * session (whatever its URI and options), and waits for its outcome. Call it again on
 * every launch: the call made in the process that is running when the download ends gets
 * the outcome, once; after that the session removes the transfer from the service (the
 * file stays).
 *
 * Canceling @cancellable completes the call with %G_IO_ERROR_CANCELLED and leaves the
 * download running; ferry_transfer_cancel_async() cancels the download.
 */
void
ferry_session_download_async (FerrySession        *self,
                              const char          *uri,
                              const char          *identifier,
                              FerryRequest        *request,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (FERRY_IS_SESSION (self));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (identifier != NULL);
  g_return_if_fail (request == NULL || FERRY_IS_REQUEST (request));

  add_op (self, FERRY_TRANSFER_KIND_DOWNLOAD, uri, identifier, request, NULL, NULL,
          ferry_session_download_async, cancellable, callback, user_data);
}

static FerryOutcome *
finish_op (FerrySession  *self,
           GAsyncResult  *result,
           gpointer       source_tag,
           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ferry_session_download_finish:
 * @self: a session
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the outcome; %NULL only when the call's cancellable was
 *   canceled (%G_IO_ERROR_CANCELLED); every other failure is a %FERRY_OUTCOME_FAILED
 */
FerryOutcome *
ferry_session_download_finish (FerrySession  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish_op (self, result, ferry_session_download_async, error);
}

static void
upload (FerrySession        *self,
        const char          *uri,
        int                  fd,
        GError              *error,
        const char          *identifier,
        FerryRequest        *request,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  g_autoptr(GUnixFDList) fds = NULL;

  if (error == NULL)
    {
      fds = g_unix_fd_list_new ();
      if (g_unix_fd_list_append (fds, fd, &error) < 0)
        g_clear_object (&fds);
    }
  add_op (self, FERRY_TRANSFER_KIND_UPLOAD, uri, identifier, request, fds, error,
          ferry_session_upload_async, cancellable, callback, user_data);
}

/**
 * ferry_session_upload_async:
 * @self: a session
 * @uri: the upload target
 * @file: the file to upload, opened here for reading (the service never opens a path it
 *   is given)
 * @identifier: the app's stable name for this upload
 * @request: (nullable): options
 * @cancellable: (nullable): ends the wait for the outcome, not the upload
 * @callback: (scope async): called with the outcome
 * @user_data: (closure): data for @callback
 *
 * As ferry_session_download_async(), for an upload. The service fails the upload, rather
 * than send a mix, if the file changes.
 */
void
ferry_session_upload_async (FerrySession        *self,
                            const char          *uri,
                            GFile               *file,
                            const char          *identifier,
                            FerryRequest        *request,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *path = NULL;
  GError *error = NULL;
  int fd = -1;

  g_return_if_fail (FERRY_IS_SESSION (self));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (identifier != NULL);

  path = g_file_get_path (file);
  if (path == NULL)
    error = g_error_new (FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                         "“%s” is not a local file; Ferry uploads only local files",
                         g_file_peek_path (file) ? g_file_peek_path (file) : "?");
  else if ((fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
    {
      int saved = errno;
      g_autofree char *name = g_filename_display_basename (path);

      error = g_error_new (G_IO_ERROR, g_io_error_from_errno (saved), "Cannot read “%s”: %s",
                           name, g_strerror (saved));
    }
  upload (self, uri, fd, error, identifier, request, cancellable, callback, user_data);
  if (fd >= 0)
    close (fd);
}

/**
 * ferry_session_upload_fd_async:
 * @self: a session
 * @uri: the upload target
 * @fd: a descriptor of the file, open for reading; the session duplicates it
 * @identifier: the app's stable name for this upload
 * @request: (nullable): options
 * @cancellable: (nullable): ends the wait for the outcome, not the upload
 * @callback: (scope async): called with the outcome
 * @user_data: (closure): data for @callback
 *
 * As ferry_session_upload_async(), for a file the app has open (one from the document
 * portal, say).
 */
void
ferry_session_upload_fd_async (FerrySession        *self,
                               const char          *uri,
                               int                  fd,
                               const char          *identifier,
                               FerryRequest        *request,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (FERRY_IS_SESSION (self));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (fd >= 0);
  g_return_if_fail (identifier != NULL);

  upload (self, uri, fd, NULL, identifier, request, cancellable, callback, user_data);
}

/**
 * ferry_session_upload_finish:
 * @self: a session
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the outcome; %NULL only when the call's cancellable was
 *   canceled
 */
FerryOutcome *
ferry_session_upload_finish (FerrySession  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return finish_op (self, result, ferry_session_upload_async, error);
}

/* -- Relaunch ----------------------------------------------------------------------------- */

static gboolean
batch_done (FerrySession      *self,
            const char *const *identifiers)
{
  /* Until the list is in and every add has been answered, an outcome may still come. */
  if (!self->loaded || self->adding > 0)
    return FALSE;
  for (guint i = 0; i < self->ops->len; i++)
    {
      Op *op = g_ptr_array_index (self->ops, i);

      if (g_strv_contains (identifiers, op->identifier))
        return FALSE;
    }
  return TRUE;
}

static void
check_batches (FerrySession *self)
{
  for (guint i = 0; self->batches != NULL && i < self->batches->len;)
    {
      if (batch_done (self, g_ptr_array_index (self->batches, i)))
        {
          g_ptr_array_remove_index (self->batches, i);
          if (self->application != NULL)
            g_application_release (self->application);
          continue;
        }
      i++;
    }
}

static void
on_transfers_finished (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  FerrySession *self = user_data;

  if (self->application == NULL || parameter == NULL)
    return;

  /* Held until the calls this launch made for these identifiers have their outcomes (and
   * the service has forgotten them); a service-started app then exits when idle. */
  g_application_hold (self->application);
  g_ptr_array_add (self->batches, g_variant_dup_strv (parameter, NULL));
  if (self->loaded)
    load (self);
  check_batches (self);
}

/**
 * ferry_session_bind_application:
 * @self: a session
 * @application: the app the service relaunches when the session's transfers end
 *
 * Installs the `transfers-finished` action the service activates on @application, and asks
 * the service to relaunch the app (D-Bus activation) when the session's transfers end.
 * Bind before calling ferry_session_download_async(), in the app's `startup`, and issue the
 * calls there too: in the relaunched process they get the outcomes, while the session holds
 * the application; then it exits when idle. The app's D-Bus service file must start it with
 * `--gapplication-service`.
 *
 * This is what `handleEventsForBackgroundURLSession` does on Apple systems.
 */
void
ferry_session_bind_application (FerrySession *self,
                                GApplication *application)
{
  g_autoptr(GSimpleAction) action = NULL;

  g_return_if_fail (FERRY_IS_SESSION (self));
  g_return_if_fail (G_IS_APPLICATION (application));
  g_return_if_fail (self->application == NULL);

  self->application = application;
  g_object_add_weak_pointer (G_OBJECT (application), (gpointer *) &self->application);

  action = g_simple_action_new (FERRY_APPLICATION_ACTION, G_VARIANT_TYPE_STRING_ARRAY);
  g_signal_connect_object (action, "activate", G_CALLBACK (on_transfers_finished), self, 0);
  g_action_map_add_action (G_ACTION_MAP (application), G_ACTION (action));
}

/* -- For tools: whether the service runs, adding without an outcome, lookups, refresh ----- */

static void
install_service_property (void)
{
  /**
   * FerrySession:service-running:
   *
   * Whether the Ferry service is on the bus. It is started on demand and exits when idle;
   * a tool that follows transfers while it stops (it crashed, or was killed) can call
   * ferry_session_refresh_async() to start it again, as a pending
   * ferry_session_download_async() does by itself.
   */
  properties[PROP_SERVICE_RUNNING] =
    g_param_spec_boolean ("service-running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static void
set_service_running (FerrySession *self,
                     gboolean      running)
{
  if (self->service_running == running)
    return;
  self->service_running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVICE_RUNNING]);
}

/**
 * ferry_session_get_service_running:
 * @self: a session
 *
 * Returns: whether the Ferry service is on the bus
 */
gboolean
ferry_session_get_service_running (FerrySession *self)
{
  g_return_val_if_fail (FERRY_IS_SESSION (self), FALSE);
  return self->service_running;
}

/* Manager1.AddUpload or AddDownload; a floating @options is consumed. */
static void
call_add (GDBusConnection     *connection,
          FerryTransferKind    kind,
          const char          *uri,
          GVariant            *options,
          GUnixFDList         *fds,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  gboolean upload = kind == FERRY_TRANSFER_KIND_UPLOAD;
  GVariant *parameters = upload ? g_variant_new ("(sh@a{sv})", uri, 0, options)
                                : g_variant_new ("(s@a{sv})", uri, options);

  /* Sent first on the same connection, so the service answers this call, and tells of its
   * transfer, in this program's language; also from a session that only adds, which lists
   * nothing. A service older than SetLanguages answers with an error that changes nothing
   * (where a "language" option would fail the add). */
  set_languages (connection);

  g_dbus_connection_call_with_unix_fd_list (connection, FERRY_BUS_NAME, FERRY_MANAGER_PATH,
                                            FERRY_MANAGER_INTERFACE,
                                            upload ? "AddUpload" : "AddDownload", parameters,
                                            G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                            upload ? fds : NULL, cancellable, callback,
                                            user_data);
}

typedef struct
{
  FerryTransferKind kind;
  char *uri;
  GVariant *options;
  GUnixFDList *fds;
  char *path;
} Add;

static void
add_free (Add *add)
{
  g_free (add->uri);
  g_clear_pointer (&add->options, g_variant_unref);
  g_clear_object (&add->fds);
  g_free (add->path);
  g_free (add);
}

static GDBusConnection *
task_connection (GTask *task)
{
  return g_object_get_data (G_OBJECT (task), "ferry-connection");
}

static void
on_add_properties (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FerrySession *self = g_task_get_source_object (task);
  Add *add = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) props = NULL;
  FerryTransfer *transfer;
  const char *session = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  /* Listed meanwhile, by its InterfacesAdded: that is the one to return. */
  transfer = self->by_path != NULL ? g_hash_table_lookup (self->by_path, add->path) : NULL;
  if (transfer != NULL)
    {
      g_task_return_pointer (task, g_object_ref (transfer), g_object_unref);
      return;
    }
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  props = g_variant_get_child_value (reply, 0);
  transfer = _ferry_transfer_new (task_connection (task), add->path, props);
  g_variant_lookup (props, "Session", "&s", &session);
  /* Only a session that follows its list keeps it current. */
  if (self->by_path != NULL && self->properties_id != 0 &&
      self->connection == task_connection (task) && ours (self, session))
    {
      insert_transfer (self, transfer);
      g_task_return_pointer (task, g_object_ref (transfer), g_object_unref);
      return;
    }
  g_task_return_pointer (task, transfer, g_object_unref);
}

static void
on_add_reply (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FerrySession *self = g_task_get_source_object (task);
  Add *add = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GCancellable *cancellable;
  FerryTransfer *transfer;

  reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source), NULL,
                                                           result, &error);
  if (reply == NULL)
    {
      (void) FERRY_ERROR;
      g_dbus_error_strip_remote_error (error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_variant_get (reply, "(o)", &add->path);
  transfer = self->by_path != NULL ? g_hash_table_lookup (self->by_path, add->path) : NULL;
  if (transfer != NULL)
    {
      g_task_return_pointer (task, g_object_ref (transfer), g_object_unref);
      return;
    }
  cancellable = g_task_get_cancellable (task);
  g_dbus_connection_call (G_DBUS_CONNECTION (source), FERRY_BUS_NAME, add->path,
                          "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", FERRY_TRANSFER_INTERFACE),
                          G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1,
                          cancellable, on_add_properties, g_steal_pointer (&task));
}

static void
send_add (GTask           *task,
          GDBusConnection *connection)
{
  Add *add = g_task_get_task_data (task);

  g_object_set_data_full (G_OBJECT (task), "ferry-connection", g_object_ref (connection),
                          g_object_unref);
  call_add (connection, add->kind, add->uri, add->options, add->fds,
            g_task_get_cancellable (task), on_add_reply, task);
}

static void
on_add_bus (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  g_autoptr(GDBusConnection) connection = g_bus_get_finish (result, &error);

  if (connection == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  send_add (task, connection);
}

static void
add_transfer (FerrySession        *self,
              FerryTransferKind    kind,
              const char          *uri,
              int                  fd,
              const char          *identifier,
              FerryRequest        *request,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Add *add = g_new0 (Add, 1);
  GVariantDict dict;
  GError *error = NULL;

  g_task_set_source_tag (task, ferry_session_add_finish);
  g_task_set_task_data (task, add, (GDestroyNotify) add_free);
  add->kind = kind;
  add->uri = g_strdup (uri);

  g_variant_dict_init (&dict, NULL);
  if (request != NULL)
    _ferry_request_fill_options (request, &dict, kind);
  if (*self->id != '\0')
    g_variant_dict_insert (&dict, "session", "s", self->id);
  if (identifier != NULL)
    g_variant_dict_insert (&dict, "identifier", "s", identifier);
  add->options = g_variant_ref_sink (g_variant_dict_end (&dict));

  if (kind == FERRY_TRANSFER_KIND_UPLOAD)
    {
      add->fds = g_unix_fd_list_new ();
      if (g_unix_fd_list_append (add->fds, fd, &error) < 0)
        {
          g_task_return_error (task, error);
          g_object_unref (task);
          return;
        }
    }

  if (self->connection != NULL)
    send_add (task, self->connection);
  else
    g_bus_get (G_BUS_TYPE_SESSION, cancellable, on_add_bus, task);
}

/**
 * ferry_session_add_download_async:
 * @self: a session
 * @uri: an absolute `http://` or `https://` URI
 * @identifier: (nullable): a stable name for the download, or %NULL
 * @request: (nullable): options
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the service has taken the download
 * @user_data: (closure): data for @callback
 *
 * Hands a download to the service and completes as soon as the service has stored it,
 * without waiting for an outcome: the transfer stays listed, ended or not, until someone
 * removes it. This is what a command-line tool or a download manager does; an app that
 * wants to hear the outcome, in this process or a relaunched one, calls
 * ferry_session_download_async() instead. An @identifier already in flight in the session
 * gives the transfer that has it.
 */
void
ferry_session_add_download_async (FerrySession        *self,
                                  const char          *uri,
                                  const char          *identifier,
                                  FerryRequest        *request,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (FERRY_IS_SESSION (self));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (request == NULL || FERRY_IS_REQUEST (request));

  add_transfer (self, FERRY_TRANSFER_KIND_DOWNLOAD, uri, -1, identifier, request, cancellable,
                callback, user_data);
}

/**
 * ferry_session_add_upload_fd_async:
 * @self: a session
 * @uri: the upload target
 * @fd: a descriptor of the file, open for reading; the session duplicates it
 * @identifier: (nullable): a stable name for the upload, or %NULL
 * @request: (nullable): options
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the service has taken the upload
 * @user_data: (closure): data for @callback
 *
 * As ferry_session_add_download_async(), for an upload of a file the caller has open.
 */
void
ferry_session_add_upload_fd_async (FerrySession        *self,
                                   const char          *uri,
                                   int                  fd,
                                   const char          *identifier,
                                   FerryRequest        *request,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (FERRY_IS_SESSION (self));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (fd >= 0);
  g_return_if_fail (request == NULL || FERRY_IS_REQUEST (request));

  add_transfer (self, FERRY_TRANSFER_KIND_UPLOAD, uri, fd, identifier, request, cancellable,
                callback, user_data);
}

/**
 * ferry_session_add_finish:
 * @self: a session
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the transfer the service took, in the session's list when the
 *   session lists its session (a transfer added with another session's id, or that the
 *   service placed in the caller's own, is returned but not kept current); %NULL with the
 *   service's error (%FERRY_ERROR_INVALID_ARGUMENT with a sentence, for one) when it
 *   refused
 */
FerryTransfer *
ferry_session_add_finish (FerrySession  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ferry_session_add_finish,
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ferry_session_new_for_adding:
 * @connection: a connection to the bus where the Ferry service is
 * @session_id: (nullable): the session to add to, as for ferry_session_new()
 *
 * A session that only hands transfers over, with ferry_session_add_download_async() and
 * ferry_session_add_upload_fd_async(): it neither fetches nor follows the list, so an add
 * costs one call however many transfers the service keeps (a command-line tool that adds
 * and exits). Its list stays empty and the transfers it returns are not kept current.
 *
 * Returns: (transfer full): a new session
 */
FerrySession *
ferry_session_new_for_adding (GDBusConnection *connection,
                              const char      *session_id)
{
  FerrySession *self;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);

  self = g_object_new (FERRY_TYPE_SESSION, "id", session_id, NULL);
  self->connection = g_object_ref (connection);
  return self;
}

/**
 * ferry_session_lookup_id:
 * @self: a session
 * @id: the service's number for a transfer, as [property@Ferry.Transfer:id] has it
 *
 * Returns: (transfer none) (nullable): the listed transfer with that number
 */
FerryTransfer *
ferry_session_lookup_id (FerrySession *self,
                         guint64       id)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (FERRY_IS_SESSION (self), NULL);

  path = g_strdup_printf (FERRY_TRANSFERS_PATH "%" G_GUINT64_FORMAT, id);
  return g_hash_table_lookup (self->by_path, path);
}

static void
on_refresh_details (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FerrySession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL && g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED))
    {
      /* More transfers than one message of every property can carry (some 50,000): the
       * list keeps what the summaries say, and the details come as they change. */
      g_debug ("The transfers' details are too many to fetch at once: %s", error->message);
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->by_path == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  objects = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      FerryTransfer *transfer = g_hash_table_lookup (self->by_path, path);
      g_autoptr(GVariant) props = NULL;

      if (transfer != NULL)
        props = g_variant_lookup_value (interfaces, FERRY_TRANSFER_INTERFACE,
                                        G_VARIANT_TYPE_VARDICT);
      if (props != NULL && _ferry_transfer_update (transfer, props))
        check_ops_for (self, transfer);
      g_variant_unref (interfaces);
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_refresh_list (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  FerrySession *self;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The list's first page came in before this answer, by the load the session made when
   * it was set up or saw the service (re)appear: the connection keeps the order of the
   * replies. Later pages may still be on their way. */
  self = g_task_get_source_object (task);
  /* A service that this very call started: the session's load waits for the name to
   * appear, which may come after this answer. Load now, and answer once it ends. */
  if (!self->loading && !self->loaded && self->connection != NULL)
    load (self);
  if (self->loading && self->connection != NULL)
    g_ptr_array_add (self->refreshes, g_steal_pointer (&task));
  else
    ask_details (self, g_steal_pointer (&task));
}

/* Takes @task. */
static void
ask_details (FerrySession *self,
             GTask        *task)
{
  if (self->connection == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  /* Every property of every transfer in one answer: tens of megabytes for thousands of
   * transfers with long addresses, which a slow machine takes more than GDBus's 25 s to
   * build and carry. As long as it takes, as the list's pages; the caller's cancellable
   * ends the wait. */
  g_dbus_connection_call (self->connection, FERRY_BUS_NAME, FERRY_MANAGER_PATH,
                          "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL,
                          G_VARIANT_TYPE ("(a{oa{sa{sv}}})"), G_DBUS_CALL_FLAGS_NONE, G_MAXINT,
                          g_task_get_cancellable (task), on_refresh_details, task);
}

/**
 * ferry_session_refresh_async:
 * @self: a session
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the list is current
 * @user_data: (closure): data for @callback
 *
 * Asks the service for the session's transfers with every property, including those the
 * list learns only once they change (bytes sent, attempts, the times it was added and
 * ended), and starts the service if it is not running. This is what a tool that prints the
 * list once needs; an app's live list needs no refresh.
 *
 * It fails with the service's error, %FERRY_ERROR_ACCESS_DENIED with a sentence when a
 * sandboxed app asks for another app's session. Call it on a connected session: one made
 * with ferry_session_new_for_connection(), or one from ferry_session_new() once
 * [property@Ferry.Session:loaded].
 */
void
ferry_session_refresh_async (FerrySession        *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (FERRY_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ferry_session_refresh_async);
  if (self->connection == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               "The session is not connected to the bus yet");
      g_object_unref (task);
      return;
    }
  (void) FERRY_ERROR;
  /* The paths alone: the service's verdict on this caller and session, cheaply (the list
   * itself is the session's load). As long as it takes, as the load's pages: a service that
   * starts on this call with a large store on a slow machine may take more than 25 s, and
   * the caller's cancellable ends the wait. */
  g_dbus_connection_call (self->connection, FERRY_BUS_NAME, FERRY_MANAGER_PATH,
                          FERRY_MANAGER_INTERFACE, "ListTransfers",
                          g_variant_new ("(s)", self->id), NULL, G_DBUS_CALL_FLAGS_NONE,
                          G_MAXINT, cancellable, on_refresh_list, task);
}

/**
 * ferry_session_refresh_finish:
 * @self: a session
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the list is current
 */
gboolean
ferry_session_refresh_finish (FerrySession  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ferry_session_refresh_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- The service's totals ----------------------------------------------------------------- */

static void
install_totals_properties (void)
{
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  /**
   * FerrySession:running:
   *
   * How many transfers the service is running now, of every session: what a window's
   * header counts. 0 while the service is not running.
   */
  properties[PROP_RUNNING] = g_param_spec_uint ("running", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * FerrySession:download-rate:
   *
   * Bytes per second all downloads receive together, of every session.
   */
  properties[PROP_DOWNLOAD_RATE] = g_param_spec_uint64 ("download-rate", NULL, NULL, 0,
                                                        G_MAXUINT64, 0, flags);
  /**
   * FerrySession:upload-rate:
   *
   * Bytes per second all uploads send together, of every session.
   */
  properties[PROP_UPLOAD_RATE] = g_param_spec_uint64 ("upload-rate", NULL, NULL, 0,
                                                      G_MAXUINT64, 0, flags);
  /**
   * FerrySession:online:
   *
   * Whether the service has a network to work on, as it last said. It keeps its value while
   * the service is not running (it left because it was idle, which says nothing about the
   * network).
   */
  properties[PROP_ONLINE] = g_param_spec_boolean ("online", NULL, NULL, FALSE, flags);
  /**
   * FerrySession:metered:
   *
   * Whether that network is metered, as the service last said.
   */
  properties[PROP_METERED] = g_param_spec_boolean ("metered", NULL, NULL, FALSE, flags);
}

#define SET_TOTAL(self, field, value, prop) \
  G_STMT_START { \
    if ((self)->field != (value)) \
      { \
        (self)->field = (value); \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); \
      } \
  } G_STMT_END

/* From Manager1's GetAll or PropertiesChanged: an a{sv}. */
static void
set_totals (FerrySession *self,
            GVariant     *props)
{
  guint32 running;
  guint64 rate;
  gboolean flag;

  g_object_freeze_notify (G_OBJECT (self));
  if (g_variant_lookup (props, "Running", "u", &running))
    SET_TOTAL (self, running, running, PROP_RUNNING);
  if (g_variant_lookup (props, "DownloadRate", "t", &rate))
    SET_TOTAL (self, download_rate, rate, PROP_DOWNLOAD_RATE);
  if (g_variant_lookup (props, "UploadRate", "t", &rate))
    SET_TOTAL (self, upload_rate, rate, PROP_UPLOAD_RATE);
  if (g_variant_lookup (props, "Online", "b", &flag))
    SET_TOTAL (self, online, !!flag, PROP_ONLINE);
  if (g_variant_lookup (props, "Metered", "b", &flag))
    SET_TOTAL (self, metered, !!flag, PROP_METERED);
  g_object_thaw_notify (G_OBJECT (self));
}

/* The service left: nothing runs. */
static void
clear_totals (FerrySession *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  SET_TOTAL (self, running, 0, PROP_RUNNING);
  SET_TOTAL (self, download_rate, 0, PROP_DOWNLOAD_RATE);
  SET_TOTAL (self, upload_rate, 0, PROP_UPLOAD_RATE);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
on_manager_properties_changed (GDBusConnection *connection,
                               const char      *sender,
                               const char      *object_path,
                               const char      *interface_name,
                               const char      *signal_name,
                               GVariant        *parameters,
                               gpointer         user_data)
{
  FerrySession *self = user_data;
  g_autoptr(GVariant) changed = NULL;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;
  changed = g_variant_get_child_value (parameters, 1);
  set_totals (self, changed);
}

static void
on_totals (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(FerrySession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) props = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (self->connection == NULL)
    return;
  if (reply == NULL)
    {
      g_debug ("Could not read the service's totals: %s", error->message);
      return;
    }
  props = g_variant_get_child_value (reply, 0);
  set_totals (self, props);
}

static void
follow_totals (FerrySession *self)
{
  self->manager_properties_id =
    g_dbus_connection_signal_subscribe (self->connection, FERRY_BUS_NAME,
                                        "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                        FERRY_MANAGER_PATH, FERRY_MANAGER_INTERFACE,
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_manager_properties_changed,
                                        self, NULL);
}

static void
load_totals (FerrySession *self)
{
  g_dbus_connection_call (self->connection, FERRY_BUS_NAME, FERRY_MANAGER_PATH,
                          "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", FERRY_MANAGER_INTERFACE),
                          G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          on_totals, g_object_ref (self));
}

/**
 * ferry_session_get_running:
 * @self: a session
 *
 * Returns: how many transfers the service runs now, of every session
 */
guint
ferry_session_get_running (FerrySession *self)
{
  g_return_val_if_fail (FERRY_IS_SESSION (self), 0);
  return self->running;
}

/**
 * ferry_session_get_download_rate:
 * @self: a session
 *
 * Returns: bytes per second all downloads receive together
 */
guint64
ferry_session_get_download_rate (FerrySession *self)
{
  g_return_val_if_fail (FERRY_IS_SESSION (self), 0);
  return self->download_rate;
}

/**
 * ferry_session_get_upload_rate:
 * @self: a session
 *
 * Returns: bytes per second all uploads send together
 */
guint64
ferry_session_get_upload_rate (FerrySession *self)
{
  g_return_val_if_fail (FERRY_IS_SESSION (self), 0);
  return self->upload_rate;
}

/**
 * ferry_session_get_online:
 * @self: a session
 *
 * Returns: whether the service has a network to work on, as it last said
 */
gboolean
ferry_session_get_online (FerrySession *self)
{
  g_return_val_if_fail (FERRY_IS_SESSION (self), FALSE);
  return self->online;
}

/**
 * ferry_session_get_metered:
 * @self: a session
 *
 * Returns: whether that network is metered, as the service last said
 */
gboolean
ferry_session_get_metered (FerrySession *self)
{
  g_return_val_if_fail (FERRY_IS_SESSION (self), FALSE);
  return self->metered;
}

static void
on_all_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
call_all (FerrySession        *self,
          const char          *method,
          gpointer             tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  if (self->connection == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               "The session is not connected to the bus yet");
      g_object_unref (task);
      return;
    }
  (void) FERRY_ERROR;
  g_dbus_connection_call (self->connection, FERRY_BUS_NAME, FERRY_MANAGER_PATH,
                          FERRY_MANAGER_INTERFACE, method, NULL, NULL, G_DBUS_CALL_FLAGS_NONE,
                          -1, cancellable, on_all_done, task);
}

/**
 * ferry_session_pause_all_async:
 * @self: a session
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the service paused them
 * @user_data: (closure): data for @callback
 *
 * Pauses every transfer the caller may act on that has not ended (a sandboxed app: its
 * own), as [method@Ferry.Transfer.pause_async] does one.
 */
void
ferry_session_pause_all_async (FerrySession        *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (FERRY_IS_SESSION (self));
  call_all (self, "PauseAll", ferry_session_pause_all_async, cancellable, callback, user_data);
}

/**
 * ferry_session_pause_all_finish:
 * @self: a session
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the service paused them
 */
gboolean
ferry_session_pause_all_finish (FerrySession  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ferry_session_pause_all_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ferry_session_resume_all_async:
 * @self: a session
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the service resumed them
 * @user_data: (closure): data for @callback
 *
 * Resumes every paused transfer the caller may act on.
 */
void
ferry_session_resume_all_async (FerrySession        *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (FERRY_IS_SESSION (self));
  call_all (self, "ResumeAll", ferry_session_resume_all_async, cancellable, callback, user_data);
}

/**
 * ferry_session_resume_all_finish:
 * @self: a session
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the service resumed them
 */
gboolean
ferry_session_resume_all_finish (FerrySession  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ferry_session_resume_all_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
