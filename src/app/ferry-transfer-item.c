/* ferry-transfer-item.c
 *
 * A row's view of one of libferry's FerryTransfer objects: the app's enums and name, what a
 * row redraws from, the rate history of the speed graph and whether the row is hidden while
 * a removal can be undone. The transfer is kept current by libferry (one subscription for
 * every transfer, no proxy); its notifications reach the client through one callback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-transfer-item"

#include "config.h"

#include <string.h>

#include "ferry-transfer-item.h"

struct _FerryTransferItem
{
  GObject parent_instance;

  FerryTransfer *transfer;
  FerryTransferItemNotify notify;
  gpointer notify_data;
  guint64 id;
  FerryWaitReasons reasons;
  char *name;
  gboolean hidden;

  /* The rate, one sample a second, for the speed graph: a ring made at the first progress,
   * so a list of ten thousand finished transfers holds none. */
  guint64 *history;
  guint history_head;      /* where the next sample goes */
  guint history_len;
  gint64 history_second;   /* monotonic second of the newest sample */
};

G_DEFINE_FINAL_TYPE (FerryTransferItem, ferry_transfer_item, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ferry_transfer_item_finalize (GObject *object)
{
  FerryTransferItem *self = FERRY_TRANSFER_ITEM (object);

  g_signal_handlers_disconnect_by_data (self->transfer, self);
  g_clear_object (&self->transfer);
  g_free (self->name);
  g_free (self->history);

  G_OBJECT_CLASS (ferry_transfer_item_parent_class)->finalize (object);
}

static void
ferry_transfer_item_class_init (FerryTransferItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ferry_transfer_item_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

/* The transfer's properties the item follows, looked up once: progress notifies several
 * times a second for every running transfer. */
static GParamSpec *pspec_state, *pspec_wait_reasons, *pspec_uri, *pspec_destination,
                  *pspec_id, *pspec_rate, *pspec_bytes_done;

static void
find_pspecs (void)
{
  GObjectClass *transfer_class = g_type_class_ref (FERRY_TYPE_TRANSFER);

  /* The class stays referenced: the pointers live as long as the program. */
  pspec_state = g_object_class_find_property (transfer_class, "state");
  pspec_wait_reasons = g_object_class_find_property (transfer_class, "wait-reasons");
  pspec_uri = g_object_class_find_property (transfer_class, "uri");
  pspec_destination = g_object_class_find_property (transfer_class, "destination");
  pspec_id = g_object_class_find_property (transfer_class, "id");
  pspec_rate = g_object_class_find_property (transfer_class, "rate");
  pspec_bytes_done = g_object_class_find_property (transfer_class, "bytes-done");
}

static void
ferry_transfer_item_init (FerryTransferItem *self)
{
}

static void
update_name (FerryTransferItem *self)
{
  const char *destination = ferry_transfer_get_destination (self->transfer);
  const char *uri = ferry_transfer_get_uri (self->transfer);

  g_free (self->name);

  if (destination != NULL && *destination != '\0')
    {
      self->name = g_path_get_basename (destination);
      return;
    }

  if (uri != NULL)
    {
      g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
      const char *path = parsed ? g_uri_get_path (parsed) : NULL;
      const char *slash = path ? strrchr (path, '/') : NULL;

      self->name = slash != NULL && slash[1] != '\0' ? g_uri_unescape_string (slash + 1, NULL)
                                                     : g_strdup (uri);
      if (self->name == NULL)
        self->name = g_strdup (uri);
      return;
    }

  self->name = g_strdup ("");
}

static void record_rate (FerryTransferItem *self,
                         guint64            rate);

static void
on_notify (FerryTransfer     *transfer,
           GParamSpec        *pspec,
           FerryTransferItem *self)
{
  gboolean state_changed = FALSE;

  /* What a waiting row says is part of its state: shown at once, whichever of the two the
   * transfer notifies first. */
  if (pspec == pspec_state)
    state_changed = TRUE;
  else if (pspec == pspec_wait_reasons)
    {
      self->reasons = ferry_wait_reasons_from_strv (ferry_transfer_get_wait_reasons (transfer));
      state_changed = TRUE;
    }
  else if (pspec == pspec_uri || pspec == pspec_destination)
    update_name (self);
  else if (pspec == pspec_id)
    self->id = ferry_transfer_get_id (transfer);
  else if (pspec == pspec_rate || pspec == pspec_bytes_done)
    {
      if (ferry_transfer_get_state (transfer) == FERRY_TRANSFER_STATE_RUNNING)
        record_rate (self, ferry_transfer_get_rate (transfer));
    }

  if (self->notify != NULL)
    self->notify (self, state_changed, self->notify_data);
}

FerryTransferItem *
ferry_transfer_item_new (FerryTransfer          *transfer,
                         FerryTransferItemNotify notify,
                         gpointer                user_data)
{
  FerryTransferItem *self = g_object_new (FERRY_TYPE_TRANSFER_ITEM, NULL);

  if (pspec_state == NULL)
    find_pspecs ();
  self->transfer = g_object_ref (transfer);
  self->notify = notify;
  self->notify_data = user_data;
  self->id = ferry_transfer_get_id (transfer);
  self->reasons = ferry_wait_reasons_from_strv (ferry_transfer_get_wait_reasons (transfer));
  update_name (self);
  g_signal_connect (transfer, "notify", G_CALLBACK (on_notify), self);
  return self;
}

FerryTransfer *
ferry_transfer_item_get_transfer (FerryTransferItem *self)
{
  return self->transfer;
}

void
ferry_transfer_item_detach (FerryTransferItem *self)
{
  self->notify = NULL;
  self->notify_data = NULL;
}

const char *
ferry_transfer_item_get_object_path (FerryTransferItem *self)
{
  return ferry_transfer_get_object_path (self->transfer);
}

guint64
ferry_transfer_item_get_id (FerryTransferItem *self)
{
  return self->id;
}

/* The library's states are the service's, in the same order. */
G_STATIC_ASSERT ((int) FERRY_TRANSFER_STATE_CANCELED == (int) FERRY_STATE_CANCELED);
G_STATIC_ASSERT ((int) FERRY_TRANSFER_STATE_PAUSED == (int) FERRY_STATE_PAUSED);

FerryState
ferry_transfer_item_get_state (FerryTransferItem *self)
{
  return (FerryState) ferry_transfer_get_state (self->transfer);
}

FerryWaitReasons
ferry_transfer_item_get_wait_reasons (FerryTransferItem *self)
{
  return ferry_transfer_item_get_state (self) == FERRY_STATE_WAITING ? self->reasons
                                                                     : FERRY_WAIT_NONE;
}

gboolean
ferry_transfer_item_is_upload (FerryTransferItem *self)
{
  return ferry_transfer_get_kind (self->transfer) == FERRY_TRANSFER_KIND_UPLOAD;
}

static const char *
or_empty (const char *s)
{
  return s != NULL ? s : "";
}

const char *
ferry_transfer_item_get_uri (FerryTransferItem *self)
{
  return or_empty (ferry_transfer_get_uri (self->transfer));
}

const char *
ferry_transfer_item_get_destination (FerryTransferItem *self)
{
  return or_empty (ferry_transfer_get_destination (self->transfer));
}

const char *
ferry_transfer_item_get_session (FerryTransferItem *self)
{
  return or_empty (ferry_transfer_get_session (self->transfer));
}

const char *
ferry_transfer_item_get_identifier (FerryTransferItem *self)
{
  return or_empty (ferry_transfer_get_identifier (self->transfer));
}

const char *
ferry_transfer_item_get_error (FerryTransferItem *self)
{
  return or_empty (ferry_transfer_get_error (self->transfer));
}

gint64
ferry_transfer_item_get_earliest_begin (FerryTransferItem *self)
{
  return ferry_transfer_get_earliest_begin (self->transfer);
}

gint64
ferry_transfer_item_get_retry_at (FerryTransferItem *self)
{
  return ferry_transfer_get_retry_at (self->transfer);
}

const char *
ferry_transfer_item_get_name (FerryTransferItem *self)
{
  return self->name;
}

char *
ferry_transfer_item_dup_host (FerryTransferItem *self)
{
  g_autoptr(GUri) parsed = g_uri_parse (ferry_transfer_item_get_uri (self), G_URI_FLAGS_NONE,
                                        NULL);

  return g_strdup (parsed && g_uri_get_host (parsed) ? g_uri_get_host (parsed) : "");
}

guint64
ferry_transfer_item_get_bytes_done (FerryTransferItem *self)
{
  return ferry_transfer_get_bytes_done (self->transfer);
}

guint64
ferry_transfer_item_get_bytes_sent (FerryTransferItem *self)
{
  return ferry_transfer_item_get_state (self) == FERRY_STATE_RUNNING
           ? ferry_transfer_get_bytes_sent (self->transfer)
           : ferry_transfer_get_bytes_done (self->transfer);
}

guint64
ferry_transfer_item_get_bytes_total (FerryTransferItem *self)
{
  return ferry_transfer_get_bytes_total (self->transfer);
}

guint64
ferry_transfer_item_get_rate (FerryTransferItem *self)
{
  /* Settled values (paused, completed…) show no speed, whatever the last progress said. */
  return ferry_transfer_item_get_state (self) == FERRY_STATE_RUNNING
           ? ferry_transfer_get_rate (self->transfer)
           : 0;
}

static void
push_sample (FerryTransferItem *self,
             guint64            rate)
{
  self->history[self->history_head] = rate;
  self->history_head = (self->history_head + 1) % FERRY_RATE_HISTORY;
  self->history_len = MIN (self->history_len + 1, FERRY_RATE_HISTORY);
}

static void
record_rate (FerryTransferItem *self,
             guint64            rate)
{
  gint64 second = g_get_monotonic_time () / G_USEC_PER_SEC;

  if (self->history == NULL)
    {
      self->history = g_new0 (guint64, FERRY_RATE_HISTORY);
      self->history_second = second;
      push_sample (self, rate);
      return;
    }

  if (second == self->history_second)
    {
      /* Several updates in one second: the last one stands for it. */
      self->history[(self->history_head + FERRY_RATE_HISTORY - 1) % FERRY_RATE_HISTORY] = rate;
      return;
    }

  /* Seconds without progress moved nothing. */
  for (gint64 s = self->history_second + 1; s < second && s < self->history_second +
       FERRY_RATE_HISTORY; s++)
    push_sample (self, 0);
  push_sample (self, rate);
  self->history_second = second;
}

guint
ferry_transfer_item_get_rate_history (FerryTransferItem *self,
                                      guint64           *samples)
{
  gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;
  guint idle, kept, n = 0;

  if (self->history == NULL)
    return 0;

  /* Since the last progress, nothing moved. */
  idle = (guint) MIN (MAX (now - self->history_second, 0), FERRY_RATE_HISTORY);
  kept = MIN (self->history_len, FERRY_RATE_HISTORY - idle);
  for (guint i = kept; i > 0; i--)
    samples[n++] = self->history[(self->history_head + FERRY_RATE_HISTORY - i) %
                                 FERRY_RATE_HISTORY];
  for (guint i = 0; i < idle; i++)
    samples[n++] = 0;
  return n;
}

void
ferry_transfer_item_emit_changed (FerryTransferItem *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_call_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FerryTransfer *transfer = FERRY_TRANSFER (source);
  const char *method = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean ok;

  if (g_str_equal (method, "Pause"))
    ok = ferry_transfer_pause_finish (transfer, result, &error);
  else if (g_str_equal (method, "Resume"))
    ok = ferry_transfer_resume_finish (transfer, result, &error);
  else if (g_str_equal (method, "Cancel"))
    ok = ferry_transfer_cancel_finish (transfer, result, &error);
  else if (g_str_equal (method, "Remove"))
    ok = ferry_transfer_remove_finish (transfer, result, &error);
  else
    ok = ferry_transfer_update_finish (transfer, result, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* The options of Transfer1.Update the app sends, as libferry's request. */
static FerryRequest *
update_request (GVariant *options)
{
  FerryRequest *request = ferry_request_new ();
  gint64 begin;
  gboolean metered, discretionary;
  int priority;
  guint64 rate_limit;

  if (g_variant_lookup (options, "earliest-begin", "x", &begin))
    ferry_request_set_earliest_begin (request, begin);
  if (g_variant_lookup (options, "allow-metered", "b", &metered))
    ferry_request_set_allow_metered (request, metered);
  if (g_variant_lookup (options, "discretionary", "b", &discretionary))
    ferry_request_set_discretionary (request, discretionary);
  if (g_variant_lookup (options, "priority", "i", &priority))
    ferry_request_set_priority (request, priority);
  if (g_variant_lookup (options, "rate-limit", "t", &rate_limit))
    ferry_request_set_rate_limit (request, rate_limit);
  return request;
}

void
ferry_transfer_item_call (FerryTransferItem  *self,
                          const char         *method,
                          GVariant           *parameters,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_autoptr(GVariant) sunk = parameters != NULL ? g_variant_ref_sink (parameters) : NULL;
  GTask *task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, ferry_transfer_item_call);
  g_task_set_task_data (task, g_strdup (method), g_free);

  if (g_str_equal (method, "Pause"))
    ferry_transfer_pause_async (self->transfer, NULL, on_call_done, task);
  else if (g_str_equal (method, "Resume"))
    ferry_transfer_resume_async (self->transfer, NULL, on_call_done, task);
  else if (g_str_equal (method, "Cancel"))
    ferry_transfer_cancel_async (self->transfer, NULL, on_call_done, task);
  else if (g_str_equal (method, "Remove"))
    {
      gboolean delete_data = FALSE;

      if (sunk != NULL && g_variant_is_of_type (sunk, G_VARIANT_TYPE ("(b)")))
        g_variant_get (sunk, "(b)", &delete_data);
      ferry_transfer_remove_async (self->transfer, delete_data, NULL, on_call_done, task);
    }
  else if (g_str_equal (method, "Update") && sunk != NULL &&
           g_variant_is_of_type (sunk, G_VARIANT_TYPE ("(a{sv})")))
    {
      g_autoptr(GVariant) options = g_variant_get_child_value (sunk, 0);
      g_autoptr(FerryRequest) changes = update_request (options);
      const char *uri = NULL;

      g_variant_lookup (options, "uri", "&s", &uri);
      ferry_transfer_update_async (self->transfer, uri, changes, NULL, on_call_done, task);
    }
  else
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "No such transfer method: %s", method);
      g_object_unref (task);
    }
}

gboolean
ferry_transfer_item_call_finish (FerryTransferItem  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
ferry_transfer_item_get_hidden (FerryTransferItem *self)
{
  return self->hidden;
}

void
ferry_transfer_item_set_hidden (FerryTransferItem *self,
                                gboolean           hidden)
{
  self->hidden = hidden;
  g_signal_emit (self, signals[CHANGED], 0);
}
