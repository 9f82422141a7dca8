/* ferry-transfer-item.c
 *
 * A transfer as plain fields, filled from GetManagedObjects and kept current by the client's
 * one PropertiesChanged subscription and the batched Progress signal: no D-Bus proxy per
 * transfer, so 10,000 transfers cost what their fields cost.
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

  GDBusConnection *connection;
  char *object_path;
  guint64 id;
  FerryState state;
  FerryWaitReasons reasons;
  gboolean upload;
  char *uri;
  char *destination;
  char *session;
  char *identifier;
  char *error;
  char *name;
  gint64 earliest_begin;
  gint64 retry_at;
  guint64 done;
  guint64 sent;            /* uploads: how far the bytes handed to the network reach */
  guint64 total;
  guint64 rate;
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

  g_clear_object (&self->connection);
  g_free (self->object_path);
  g_free (self->uri);
  g_free (self->destination);
  g_free (self->session);
  g_free (self->identifier);
  g_free (self->error);
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

static void
ferry_transfer_item_init (FerryTransferItem *self)
{
}

static void
update_name (FerryTransferItem *self)
{
  g_free (self->name);

  if (self->destination != NULL && *self->destination != '\0')
    {
      self->name = g_path_get_basename (self->destination);
      return;
    }

  if (self->uri != NULL)
    {
      g_autoptr(GUri) parsed = g_uri_parse (self->uri, G_URI_FLAGS_ENCODED, NULL);
      const char *path = parsed ? g_uri_get_path (parsed) : NULL;
      const char *slash = path ? strrchr (path, '/') : NULL;

      self->name = slash != NULL && slash[1] != '\0' ? g_uri_unescape_string (slash + 1, NULL)
                                                     : g_strdup (self->uri);
      if (self->name == NULL)
        self->name = g_strdup (self->uri);
      return;
    }

  self->name = g_strdup ("");
}

static void
set_string (char      **field,
            GVariant   *value)
{
  g_free (*field);
  *field = g_variant_dup_string (value, NULL);
}

gboolean
ferry_transfer_item_update (FerryTransferItem *self,
                            GVariant          *changed)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;
  gboolean state_changed = FALSE;
  gboolean name_changed = FALSE;

  g_variant_iter_init (&iter, changed);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      if (g_str_equal (key, "Id") && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
        self->id = g_variant_get_uint64 (value);
      else if (g_str_equal (key, "State") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          FerryState state = self->state;

          ferry_state_from_string (g_variant_get_string (value, NULL), &state);
          state_changed = state != self->state;
          self->state = state;
          /* Settled values (paused, completed…) arrive as properties: they win. */
          self->rate = 0;
        }
      else if (g_str_equal (key, "WaitReasons") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
        {
          g_autofree const char **strv = g_variant_get_strv (value, NULL);

          self->reasons = ferry_wait_reasons_from_strv (strv);
        }
      else if (g_str_equal (key, "Kind") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        self->upload = g_str_equal (g_variant_get_string (value, NULL), "upload");
      else if (g_str_equal (key, "Uri") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        set_string (&self->uri, value), name_changed = TRUE;
      else if (g_str_equal (key, "Destination") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        set_string (&self->destination, value), name_changed = TRUE;
      else if (g_str_equal (key, "Session") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        set_string (&self->session, value);
      else if (g_str_equal (key, "Identifier") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        set_string (&self->identifier, value);
      else if (g_str_equal (key, "Error") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        set_string (&self->error, value);
      else if (g_str_equal (key, "BytesDone") && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
        self->done = g_variant_get_uint64 (value);
      else if (g_str_equal (key, "BytesSent") && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
        self->sent = g_variant_get_uint64 (value);
      else if (g_str_equal (key, "BytesTotal") && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
        self->total = g_variant_get_uint64 (value);
      else if (g_str_equal (key, "Rate") && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
        self->rate = g_variant_get_uint64 (value);
      else if (g_str_equal (key, "EarliestBegin") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        self->earliest_begin = g_variant_get_int64 (value);
      else if (g_str_equal (key, "RetryAt") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        self->retry_at = g_variant_get_int64 (value);

      g_variant_unref (value);
    }

  if (name_changed || self->name == NULL)
    update_name (self);

  return state_changed;
}

FerryTransferItem *
ferry_transfer_item_new (GDBusConnection *connection,
                         const char      *object_path,
                         GVariant        *properties)
{
  FerryTransferItem *self = g_object_new (FERRY_TYPE_TRANSFER_ITEM, NULL);

  self->connection = g_object_ref (connection);
  self->object_path = g_strdup (object_path);
  ferry_transfer_item_update (self, properties);
  return self;
}

const char *
ferry_transfer_item_get_object_path (FerryTransferItem *self)
{
  return self->object_path;
}

guint64
ferry_transfer_item_get_id (FerryTransferItem *self)
{
  return self->id;
}

FerryState
ferry_transfer_item_get_state (FerryTransferItem *self)
{
  return self->state;
}

FerryWaitReasons
ferry_transfer_item_get_wait_reasons (FerryTransferItem *self)
{
  return self->state == FERRY_STATE_WAITING ? self->reasons : FERRY_WAIT_NONE;
}

gboolean
ferry_transfer_item_is_upload (FerryTransferItem *self)
{
  return self->upload;
}

const char *
ferry_transfer_item_get_uri (FerryTransferItem *self)
{
  return self->uri ? self->uri : "";
}

const char *
ferry_transfer_item_get_destination (FerryTransferItem *self)
{
  return self->destination ? self->destination : "";
}

const char *
ferry_transfer_item_get_session (FerryTransferItem *self)
{
  return self->session ? self->session : "";
}

const char *
ferry_transfer_item_get_identifier (FerryTransferItem *self)
{
  return self->identifier ? self->identifier : "";
}

const char *
ferry_transfer_item_get_error (FerryTransferItem *self)
{
  return self->error ? self->error : "";
}

gint64
ferry_transfer_item_get_earliest_begin (FerryTransferItem *self)
{
  return self->earliest_begin;
}

gint64
ferry_transfer_item_get_retry_at (FerryTransferItem *self)
{
  return self->retry_at;
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
  return self->done;
}

guint64
ferry_transfer_item_get_bytes_sent (FerryTransferItem *self)
{
  return self->state == FERRY_STATE_RUNNING ? MAX (self->sent, self->done) : self->done;
}

guint64
ferry_transfer_item_get_bytes_total (FerryTransferItem *self)
{
  return self->total;
}

guint64
ferry_transfer_item_get_rate (FerryTransferItem *self)
{
  return self->state == FERRY_STATE_RUNNING ? self->rate : 0;
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

gboolean
ferry_transfer_item_set_progress (FerryTransferItem *self,
                                  guint64            done,
                                  guint64            total,
                                  guint64            rate)
{
  if (done == self->done && rate == self->rate && (total == 0 || total == self->total))
    return FALSE;

  self->done = done;
  if (total != 0)
    self->total = total;
  self->rate = rate;
  record_rate (self, rate);
  return TRUE;
}

void
ferry_transfer_item_emit_changed (FerryTransferItem *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

void
ferry_transfer_item_call (FerryTransferItem  *self,
                          const char         *method,
                          GVariant           *parameters,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_dbus_connection_call (self->connection, FERRY_DAEMON_ID, self->object_path,
                          "io.github.ferryhq.Ferry.Transfer1", method, parameters, NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, callback, user_data);
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

/* Returns TRUE when State changed. */
static gboolean
apply_summary (FerryTransferItem *self,
               GVariant          *summary)
{
  const char *path, *kind, *uri, *destination, *session, *identifier, *state, *error;
  g_autofree const char **reasons = NULL;
  guint64 id, done, total, rate;
  gint64 earliest_begin, retry_at, created_at, finished_at;
  guint http_status;
  gboolean allow_metered, resumable;
  FerryState new_state = self->state;
  gboolean state_changed;

  g_variant_get (summary, "(&ot&s&s&s&s&s&s^a&stttxxxxu&sbb)", &path, &id, &kind, &uri,
                 &destination, &session, &identifier, &state, &reasons, &done, &total, &rate,
                 &earliest_begin, &retry_at, &created_at, &finished_at, &http_status, &error,
                 &allow_metered, &resumable);

  ferry_state_from_string (state, &new_state);
  state_changed = new_state != self->state;
  self->id = id;
  self->state = new_state;
  self->reasons = ferry_wait_reasons_from_strv (reasons);
  self->upload = g_str_equal (kind, "upload");
  g_free (self->uri);
  self->uri = g_strdup (uri);
  g_free (self->destination);
  self->destination = g_strdup (destination);
  g_free (self->session);
  self->session = g_strdup (session);
  g_free (self->identifier);
  self->identifier = g_strdup (identifier);
  g_free (self->error);
  self->error = g_strdup (error);
  self->done = done;
  self->total = total;
  self->rate = rate;
  self->earliest_begin = earliest_begin;
  self->retry_at = retry_at;
  update_name (self);
  return state_changed;
}

FerryTransferItem *
ferry_transfer_item_new_from_summary (GDBusConnection *connection,
                                      GVariant        *summary)
{
  FerryTransferItem *self = g_object_new (FERRY_TYPE_TRANSFER_ITEM, NULL);
  const char *path;

  g_variant_get_child (summary, 0, "&o", &path);
  self->connection = g_object_ref (connection);
  self->object_path = g_strdup (path);
  apply_summary (self, summary);
  return self;
}

gboolean
ferry_transfer_item_set_summary (FerryTransferItem *self,
                                 GVariant          *summary)
{
  gboolean state_changed = apply_summary (self, summary);

  g_signal_emit (self, signals[CHANGED], 0);
  return state_changed;
}
