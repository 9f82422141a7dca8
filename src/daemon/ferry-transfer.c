/* ferry-transfer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-transfer"

#include "config.h"

#include "ferry-transfer.h"

struct _FerryTransfer
{
  GObject parent_instance;

  FerryStore *store;
  FerryRecord *record;
  char *object_path;
  FerryObjectSkeleton *object;
  FerryTransfer1 *iface;
  GObject *engine;

  guint64 live_bytes;
  guint64 rate;
  guint64 rate_bytes;      /* live_bytes at the last rate sample */
  gint64 rate_time;        /* monotonic time of that sample */
};

G_DEFINE_FINAL_TYPE (FerryTransfer, ferry_transfer, G_TYPE_OBJECT)

G_DEFINE_QUARK (ferry-transfer-error-quark, ferry_transfer_error)

static void
ferry_transfer_dispose (GObject *object)
{
  FerryTransfer *self = FERRY_TRANSFER (object);

  g_clear_object (&self->engine);
  g_clear_object (&self->iface);
  g_clear_object (&self->object);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ferry_transfer_parent_class)->dispose (object);
}

static void
ferry_transfer_finalize (GObject *object)
{
  FerryTransfer *self = FERRY_TRANSFER (object);

  g_clear_pointer (&self->record, ferry_record_free);
  g_free (self->object_path);

  G_OBJECT_CLASS (ferry_transfer_parent_class)->finalize (object);
}

static void
ferry_transfer_class_init (FerryTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ferry_transfer_dispose;
  object_class->finalize = ferry_transfer_finalize;
}

static void
ferry_transfer_init (FerryTransfer *self)
{
}

/* Takes @record, which must already be in the store (it has an id). */
FerryTransfer *
ferry_transfer_new (FerryStore  *store,
                    FerryRecord *record)
{
  FerryTransfer *self;

  g_return_val_if_fail (FERRY_IS_STORE (store), NULL);
  g_return_val_if_fail (record != NULL && record->id > 0, NULL);

  self = g_object_new (FERRY_TYPE_TRANSFER, NULL);
  self->store = g_object_ref (store);
  self->record = record;
  self->live_bytes = record->bytes_done;
  self->object_path = g_strdup_printf (FERRY_TRANSFERS_PATH "/%" G_GUINT64_FORMAT, record->id);
  self->object = ferry_object_skeleton_new (self->object_path);
  self->iface = ferry_transfer1_skeleton_new ();
  ferry_object_skeleton_set_transfer1 (self->object, self->iface);

  ferry_transfer1_set_id (self->iface, record->id);
  ferry_transfer1_set_kind (self->iface,
                            record->kind == FERRY_KIND_UPLOAD ? "upload" : "download");
  ferry_transfer1_set_created_at (self->iface, record->created_at);
  ferry_transfer_publish (self);

  return self;
}

FerryRecord *
ferry_transfer_get_record (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);
  return self->record;
}

FerryStore *
ferry_transfer_get_store (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);
  return self->store;
}

guint64
ferry_transfer_get_id (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), 0);
  return self->record->id;
}

FerryState
ferry_transfer_get_state (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), FERRY_STATE_FAILED);
  return self->record->state;
}

const char *
ferry_transfer_get_object_path (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);
  return self->object_path;
}

FerryObjectSkeleton *
ferry_transfer_get_object (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);
  return self->object;
}

static char *
destination_for_display (const FerryRecord *r)
{
  if (r->destination != NULL)
    return g_strdup (r->destination);
  if (r->directory != NULL && r->filename != NULL)
    return g_build_filename (r->directory, r->filename, NULL);
  return g_strdup ("");
}

void
ferry_transfer_publish (FerryTransfer *self)
{
  const FerryRecord *r = self->record;
  g_autofree char *destination = destination_for_display (r);
  g_auto(GStrv) reasons = ferry_wait_reasons_to_strv (r->state == FERRY_STATE_WAITING
                                                      ? r->wait_reasons : FERRY_WAIT_NONE);

  /* The generated setters only emit PropertiesChanged for values that changed. */
  ferry_transfer1_set_uri (self->iface, r->uri);
  ferry_transfer1_set_destination (self->iface, destination);
  ferry_transfer1_set_session (self->iface, r->session ? r->session : "");
  ferry_transfer1_set_identifier (self->iface, r->identifier ? r->identifier : "");
  ferry_transfer1_set_state (self->iface, ferry_state_to_string (r->state));
  ferry_transfer1_set_wait_reasons (self->iface, (const char *const *) reasons);
  ferry_transfer1_set_bytes_done (self->iface, self->live_bytes);
  ferry_transfer1_set_bytes_total (self->iface, r->bytes_total);
  ferry_transfer1_set_rate (self->iface, r->state == FERRY_STATE_RUNNING ? self->rate : 0);
  ferry_transfer1_set_earliest_begin (self->iface, r->earliest_begin);
  ferry_transfer1_set_allow_metered (self->iface, r->allow_metered);
  ferry_transfer1_set_discretionary (self->iface, r->discretionary);
  ferry_transfer1_set_priority (self->iface, r->priority);
  ferry_transfer1_set_retry_at (self->iface, r->state == FERRY_STATE_WAITING ? r->retry_at : 0);
  ferry_transfer1_set_attempts (self->iface, r->attempts);
  ferry_transfer1_set_http_status (self->iface, r->http_status);
  ferry_transfer1_set_error (self->iface, r->error ? r->error : "");
  ferry_transfer1_set_resumable (self->iface, r->resumable);
  ferry_transfer1_set_finished_at (self->iface, r->finished_at);
}

gboolean
ferry_transfer_save (FerryTransfer *self,
                     GError       **error)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), FALSE);

  if (self->engine == NULL)
    self->live_bytes = self->record->bytes_done;

  if (!ferry_store_update (self->store, self->record, error))
    return FALSE;

  ferry_transfer_publish (self);
  return TRUE;
}

guint64
ferry_transfer_get_live_bytes (FerryTransfer *self)
{
  return self->live_bytes;
}

void
ferry_transfer_set_live_bytes (FerryTransfer *self,
                               guint64        bytes)
{
  self->live_bytes = bytes;
}

guint64
ferry_transfer_get_rate (FerryTransfer *self)
{
  return self->rate;
}

gboolean
ferry_transfer_update_rate (FerryTransfer *self,
                            gint64         now_usec)
{
  gboolean changed = self->live_bytes != self->rate_bytes;

  if (self->rate_time == 0 || self->live_bytes < self->rate_bytes)
    {
      self->rate = 0;
    }
  else if (now_usec > self->rate_time)
    {
      double sample = (double) (self->live_bytes - self->rate_bytes) * G_USEC_PER_SEC /
                      (double) (now_usec - self->rate_time);

      /* Smooth over about two seconds of quarter-second ticks. */
      self->rate = self->rate == 0 ? (guint64) sample
                                   : (guint64) (0.75 * (double) self->rate + 0.25 * sample);
    }

  self->rate_bytes = self->live_bytes;
  self->rate_time = now_usec;
  return changed;
}

GObject *
ferry_transfer_get_engine (FerryTransfer *self)
{
  return self->engine;
}

void
ferry_transfer_set_engine (FerryTransfer *self,
                           GObject       *engine)
{
  g_set_object (&self->engine, engine);

  if (engine == NULL)
    {
      self->rate = 0;
      self->rate_time = 0;
      self->live_bytes = self->record->bytes_done;
    }
}
