/* ferry-transfer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-transfer"

#include "config.h"

#include "ferry-i18n.h"
#include "ferry-provenance.h"
#include "ferry-settings.h"
#include "ferry-transfer.h"

#define DEFAULT_STALL_SECONDS 30

struct _FerryTransfer
{
  GObject parent_instance;

  FerryStore *store;
  FerryRecord *record;
  char *object_path;        /* made when first asked: listing 100,000 needs none */
  GVariant *published;     /* a{sv} last announced; NULL until something changed */
  FerryEngine *engine;
  FerryTransferWatch watch;
  gpointer watch_data;

  guint64 live_bytes;
  guint64 sent_bytes;      /* uploads, while running: how far the bytes sent reach */
  guint64 rate;
  guint64 rate_bytes;      /* moving_bytes () at the last rate sample */
  gint64 rate_time;        /* monotonic time of that sample */
};

G_DEFINE_FINAL_TYPE (FerryTransfer, ferry_transfer, G_TYPE_OBJECT)

G_DEFINE_QUARK (ferry-transfer-error-quark, ferry_transfer_error)


static void
ferry_transfer_dispose (GObject *object)
{
  FerryTransfer *self = FERRY_TRANSFER (object);

  g_clear_object (&self->engine);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ferry_transfer_parent_class)->dispose (object);
}

static void
ferry_transfer_finalize (GObject *object)
{
  FerryTransfer *self = FERRY_TRANSFER (object);

  g_clear_pointer (&self->record, ferry_record_free);
  g_clear_pointer (&self->published, g_variant_unref);
  g_free (self->object_path);

  G_OBJECT_CLASS (ferry_transfer_parent_class)->finalize (object);
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

  return self;
}

const FerryRecord *
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

static char *
object_path_of (const FerryRecord *r)
{
  return g_strdup_printf (FERRY_TRANSFERS_PATH "/%" G_GUINT64_FORMAT, r->id);
}

const char *
ferry_transfer_get_object_path (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);

  if (self->object_path == NULL)
    self->object_path = object_path_of (self->record);
  return self->object_path;
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

typedef GVariant *(*PropertyGetter) (FerryTransfer *self);

/* BytesSent, and the bytes the rate follows: for an upload, how far the bytes sent reach,
 * which moves while the server's acknowledgements wait for the end of a request. */
static guint64
moving_bytes (FerryTransfer *self)
{
  return MAX (self->sent_bytes, self->live_bytes);
}

#define R (self->record)

static GVariant *get_id (FerryTransfer *self) { return g_variant_new_uint64 (R->id); }
static GVariant *get_kind (FerryTransfer *self)
{
  return g_variant_new_string (R->kind == FERRY_KIND_UPLOAD ? "upload" : "download");
}
static GVariant *get_uri (FerryTransfer *self) { return g_variant_new_string (R->uri); }
static GVariant *get_destination (FerryTransfer *self)
{
  return g_variant_new_take_string (destination_for_display (R));
}
static GVariant *get_session (FerryTransfer *self)
{
  return g_variant_new_string (R->session ? R->session : "");
}
static GVariant *get_identifier (FerryTransfer *self)
{
  return g_variant_new_string (R->identifier ? R->identifier : "");
}
static GVariant *get_state (FerryTransfer *self)
{
  return g_variant_new_string (ferry_state_to_string (R->state));
}
static GVariant *get_wait_reasons (FerryTransfer *self)
{
  g_auto(GStrv) reasons = ferry_wait_reasons_to_strv (R->state == FERRY_STATE_WAITING
                                                      ? R->wait_reasons : FERRY_WAIT_NONE);

  return g_variant_new_strv ((const char *const *) reasons, -1);
}
static GVariant *get_bytes_done (FerryTransfer *self) { return g_variant_new_uint64 (self->live_bytes); }
static GVariant *get_bytes_sent (FerryTransfer *self) { return g_variant_new_uint64 (moving_bytes (self)); }
static GVariant *get_bytes_total (FerryTransfer *self) { return g_variant_new_uint64 (R->bytes_total); }
static GVariant *get_rate (FerryTransfer *self)
{
  return g_variant_new_uint64 (R->state == FERRY_STATE_RUNNING ? self->rate : 0);
}
static GVariant *get_earliest_begin (FerryTransfer *self) { return g_variant_new_int64 (R->earliest_begin); }
static GVariant *get_allow_metered (FerryTransfer *self) { return g_variant_new_boolean (R->allow_metered); }
static GVariant *get_discretionary (FerryTransfer *self) { return g_variant_new_boolean (R->discretionary); }
static GVariant *get_priority (FerryTransfer *self) { return g_variant_new_int32 (R->priority); }
static GVariant *get_retry_at (FerryTransfer *self)
{
  return g_variant_new_int64 (R->state == FERRY_STATE_WAITING ? R->retry_at : 0);
}
static GVariant *get_attempts (FerryTransfer *self) { return g_variant_new_uint32 (R->attempts); }
static GVariant *get_http_status (FerryTransfer *self) { return g_variant_new_uint32 (R->http_status); }
static GVariant *get_error (FerryTransfer *self)
{
  return g_variant_new_string (R->error ? R->error : "");
}
static GVariant *get_resumable (FerryTransfer *self) { return g_variant_new_boolean (R->resumable); }
static GVariant *get_rate_limit (FerryTransfer *self) { return g_variant_new_uint64 (R->rate_limit); }
static GVariant *get_created_at (FerryTransfer *self) { return g_variant_new_int64 (R->created_at); }
static GVariant *get_finished_at (FerryTransfer *self) { return g_variant_new_int64 (R->finished_at); }
static GVariant *get_response_headers (FerryTransfer *self)
{
  /* A floating instance over the stored bytes, as the other getters return; those read
   * from the store are checked here, the first time (a copy if they are not normal). */
  if (R->response_headers != NULL)
    {
      g_autoptr(GVariant) normal = g_variant_get_normal_form (R->response_headers);
      g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes (normal);

      return g_variant_new_from_bytes (G_VARIANT_TYPE ("a{ss}"), bytes, TRUE);
    }
  return g_variant_new_array (G_VARIANT_TYPE ("{ss}"), NULL, 0);
}
/* Where the bytes come from once redirects are followed, without what may be a credential
 * (user name, password, and the query, where signed links carry their token). */
static GVariant *get_final_uri (FerryTransfer *self)
{
  g_autofree char *uri = ferry_provenance_public_uri (R->final_uri ? R->final_uri : R->uri);

  return g_variant_new_string (uri ? uri : "");
}
static GVariant *get_attempt_log (FerryTransfer *self)
{
  ferry_record_read_details (R);
  /* Floating, as the other getters return: the caller sinks it. */
  if (R->attempt_log != NULL)
    {
      g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes (R->attempt_log);

      return g_variant_new_from_bytes (G_VARIANT_TYPE ("a(xuts)"), bytes, TRUE);
    }
  return g_variant_new_array (G_VARIANT_TYPE ("(xuts)"), NULL, 0);
}
static GVariant *get_validator (FerryTransfer *self)
{
  return g_variant_new_string (R->etag ? R->etag : R->last_modified ? R->last_modified : "");
}
static GVariant *get_checksum_result (FerryTransfer *self)
{
  ferry_record_read_details (R);
  return g_variant_new ("(ss)", ferry_checksum_result_to_string (R->checksum_result),
                        R->checksum_expected ? R->checksum_expected
                                             : R->sha256 ? R->sha256 : "");
}

#undef R

/* In the order of the interface XML. */
static const struct
{
  const char *name;
  PropertyGetter get;
} properties[] = {
  { "Id", get_id },
  { "Kind", get_kind },
  { "Uri", get_uri },
  { "Destination", get_destination },
  { "Session", get_session },
  { "Identifier", get_identifier },
  { "State", get_state },
  { "WaitReasons", get_wait_reasons },
  { "BytesDone", get_bytes_done },
  { "BytesTotal", get_bytes_total },
  { "Rate", get_rate },
  { "EarliestBegin", get_earliest_begin },
  { "AllowMetered", get_allow_metered },
  { "Discretionary", get_discretionary },
  { "Priority", get_priority },
  { "RetryAt", get_retry_at },
  { "Attempts", get_attempts },
  { "HttpStatus", get_http_status },
  { "Error", get_error },
  { "Resumable", get_resumable },
  { "CreatedAt", get_created_at },
  { "FinishedAt", get_finished_at },
  { "RateLimit", get_rate_limit },
  { "BytesSent", get_bytes_sent },
  { "ResponseHeaders", get_response_headers },
  { "FinalUri", get_final_uri },
  { "AttemptLog", get_attempt_log },
  { "Validator", get_validator },
  { "ChecksumResult", get_checksum_result },
};

/* One GObject property per Transfer1 property, named as GObject names go ("bytes-done" for
 * BytesDone; the nick is the D-Bus name), whose value is the GVariant a client reads. */
static GParamSpec *pspecs[G_N_ELEMENTS (properties)];

static void
ferry_transfer_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  FerryTransfer *self = FERRY_TRANSFER (object);

  if (prop_id == 0 || prop_id > G_N_ELEMENTS (properties))
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_value_take_variant (value, g_variant_ref_sink (properties[prop_id - 1].get (self)));
}

static const char *
property_name_of (const char *dbus_name)
{
  g_autoptr(GString) name = g_string_new (NULL);

  for (const char *c = dbus_name; *c != '\0'; c++)
    {
      if (g_ascii_isupper (*c) && c != dbus_name)
        g_string_append_c (name, '-');
      g_string_append_c (name, g_ascii_tolower (*c));
    }
  return g_intern_string (name->str);
}

static void
ferry_transfer_class_init (FerryTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ferry_transfer_dispose;
  object_class->finalize = ferry_transfer_finalize;
  object_class->get_property = ferry_transfer_get_property;

  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    pspecs[i] = g_param_spec_variant (property_name_of (properties[i].name), properties[i].name,
                                      NULL, G_VARIANT_TYPE_ANY, NULL,
                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                      G_PARAM_EXPLICIT_NOTIFY);
  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    g_object_class_install_property (object_class, i + 1, pspecs[i]);
}

GVariant *
ferry_transfer_dup_property (FerryTransfer *self,
                             const char    *name)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    {
      if (g_str_equal (properties[i].name, name))
        return g_variant_ref_sink (properties[i].get (self));
    }

  return NULL;
}

GVariant *
ferry_transfer_dup_properties (FerryTransfer *self)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    g_variant_builder_add (&builder, "{sv}", properties[i].name, properties[i].get (self));

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* Made of the same getters as the properties, so a field never says other than its
 * property (Rate only while running, RetryAt and WaitReasons only while waiting…). */
GVariant *
ferry_transfer_dup_summary (FerryTransfer *self)
{
  /* The path is not kept: reading every page of 100,000 would otherwise keep one each. */
  g_autofree char *path = self->object_path == NULL ? object_path_of (self->record) : NULL;

  return g_variant_ref_sink (
    g_variant_new ("(o@t@s@s@s@s@s@s@as@t@t@t@x@x@x@x@u@s@b@b)",
                   path != NULL ? path : self->object_path, get_id (self), get_kind (self),
                   get_uri (self), get_destination (self), get_session (self), get_identifier (self),
                   get_state (self), get_wait_reasons (self), get_bytes_done (self),
                   get_bytes_total (self), get_rate (self), get_earliest_begin (self),
                   get_retry_at (self), get_created_at (self), get_finished_at (self),
                   get_http_status (self), get_error (self), get_allow_metered (self),
                   get_resumable (self)));
}

void
ferry_transfer_publish (FerryTransfer *self)
{
  g_autoptr(GVariant) current = ferry_transfer_dup_properties (self);
  g_autoptr(GVariant) previous = g_steal_pointer (&self->published);

  self->published = g_steal_pointer (&current);
  /* Serialised, the snapshot is one block instead of a tree of small instances. */
  (void) g_variant_get_data (self->published);

  /* Without an earlier announcement, everything counts as changed; afterwards only what
   * differs. Snapshots exist only for transfers that changed since the service started. */
  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    {
      g_autoptr(GVariant) value = g_variant_get_child_value (self->published, i);
      g_autoptr(GVariant) inner = g_variant_get_child_value (value, 1);
      g_autoptr(GVariant) old_value = NULL;
      g_autoptr(GVariant) old_inner = NULL;

      if (previous != NULL)
        {
          old_value = g_variant_get_child_value (previous, i);
          old_inner = g_variant_get_child_value (old_value, 1);
          if (g_variant_equal (old_inner, inner))
            continue;
        }

      g_object_notify_by_pspec (G_OBJECT (self), pspecs[i]);
      if (self->watch != NULL)
        self->watch (self, pspecs[i], self->watch_data);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
ferry_transfer_set_watch (FerryTransfer      *self,
                          FerryTransferWatch  watch,
                          gpointer            user_data)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  self->watch = watch;
  self->watch_data = watch != NULL ? user_data : NULL;
}

GVariant *
ferry_transfer_dup_published (FerryTransfer *self,
                              GParamSpec    *pspec)
{
  g_autoptr(GVariant) entry = NULL;
  g_autoptr(GVariant) boxed = NULL;
  guint i;

  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);

  i = pspec->param_id - 1;
  if (self->published == NULL || i >= G_N_ELEMENTS (properties) || pspecs[i] != pspec)
    return NULL;
  entry = g_variant_get_child_value (self->published, i);
  boxed = g_variant_get_child_value (entry, 1);
  return g_variant_get_variant (boxed);
}

gboolean
ferry_transfer_persist (FerryTransfer *self,
                        GError       **error)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), FALSE);

  if (self->engine == NULL)
    self->live_bytes = self->record->bytes_done;

  return ferry_store_update (self->store, self->record, error);
}

/* -- Changes ------------------------------------------------------------------------------
 * Every change of a live transfer's record goes through these, the scheduler's and the
 * engines' alike. None announces anything: ferry_transfer_publish() does, once the record is
 * stored, and notifies only the properties whose value changed. */

/* @value may be the field's own string, or a part of it. */
static void
replace_string (char       **field,
                const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*field);
  *field = copy;
}

void
ferry_transfer_set_state (FerryTransfer    *self,
                          FerryState        state,
                          FerryWaitReasons  wait_reasons)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  self->record->state = state;
  self->record->wait_reasons = wait_reasons;
}

void
ferry_transfer_set_retry (FerryTransfer *self,
                          gint64         due_usec,
                          gboolean       from_server)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  /* RetryAt is the whole second rounded up, so neither it nor the retry comes before the
   * time a server asked for (Retry-After: 2 means 2 s, not 1.1 s). */
  self->record->retry_due_usec = due_usec;
  self->record->retry_at = due_usec > 0 ? (due_usec + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC : 0;
  self->record->retry_from_server = from_server;
}

void
ferry_transfer_clear_retry (FerryTransfer *self)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  self->record->retry_at = 0;
}

void
ferry_transfer_set_error (FerryTransfer *self,
                          const char    *message)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  replace_string (&self->record->error, message);
}

void
ferry_transfer_set_attempts (FerryTransfer *self,
                             guint          attempts)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  self->record->attempts = attempts;
}

void
ferry_transfer_set_finished_at (FerryTransfer *self,
                                gint64         finished_at)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  self->record->finished_at = finished_at;
}

void
ferry_transfer_set_uri (FerryTransfer *self,
                        const char    *uri)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));
  g_return_if_fail (uri != NULL);

  replace_string (&self->record->uri, uri);
  /* Where it redirected before is asked afresh. */
  g_clear_pointer (&self->record->final_uri, g_free);
}

void
ferry_transfer_set_headers (FerryTransfer *self,
                            GVariant      *headers)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  if (headers != NULL && g_variant_n_children (headers) == 0)
    headers = NULL;
  if (headers != NULL)
    g_variant_ref_sink (headers);
  g_clear_pointer (&self->record->headers, g_variant_unref);
  self->record->headers = headers;
}

void
ferry_transfer_set_schedule (FerryTransfer *self,
                             gint64         earliest_begin,
                             int            priority,
                             gboolean       allow_metered,
                             gboolean       discretionary)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  self->record->earliest_begin = earliest_begin;
  self->record->priority = priority;
  self->record->allow_metered = allow_metered;
  self->record->discretionary = discretionary;
}

void
ferry_transfer_set_rate_limit (FerryTransfer *self,
                               guint64        rate_limit)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  self->record->rate_limit = rate_limit;
}

void
ferry_transfer_forget_validators (FerryTransfer *self)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  ferry_record_reset_validators (self->record);
}

void
ferry_transfer_set_representation (FerryTransfer *self,
                                   const char    *etag,
                                   const char    *last_modified,
                                   gboolean       resumable,
                                   guint64        bytes_total,
                                   const char    *filename)
{
  FerryRecord *r;
  char *etag_copy;
  char *last_modified_copy;

  g_return_if_fail (FERRY_IS_TRANSFER (self));

  /* Copied first: the values may be the record's own. */
  etag_copy = g_strdup (etag);
  last_modified_copy = g_strdup (last_modified);
  r = self->record;
  ferry_record_reset_validators (r);
  r->etag = etag_copy;
  r->last_modified = last_modified_copy;
  r->resumable = resumable;
  r->bytes_total = bytes_total;
  if (filename != NULL)
    replace_string (&r->filename, filename);
}

void
ferry_transfer_set_size (FerryTransfer *self,
                         guint64        bytes_total)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  self->record->bytes_total = bytes_total;
}

void
ferry_transfer_set_folder (FerryTransfer *self,
                           const char    *directory,
                           guint64        dev,
                           guint64        ino)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));
  g_return_if_fail (directory != NULL);

  replace_string (&self->record->directory, directory);
  self->record->dir_dev = dev;
  self->record->dir_ino = ino;
}

void
ferry_transfer_set_partial (FerryTransfer *self,
                            const char    *partial_name)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));
  g_return_if_fail (partial_name != NULL);

  replace_string (&self->record->partial_name, partial_name);
  self->record->bytes_done = 0;
}

void
ferry_transfer_forget_partial (FerryTransfer *self)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  g_clear_pointer (&self->record->partial_name, g_free);
  ferry_record_reset_validators (self->record);
}

void
ferry_transfer_set_checksum_result (FerryTransfer       *self,
                                    FerryChecksumResult  result,
                                    const char          *expected)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  /* Details not read yet would otherwise come back over these when first asked for. */
  ferry_record_read_details (self->record);
  self->record->checksum_result = result;
  replace_string (&self->record->checksum_expected, expected);
}

void
ferry_transfer_set_completed_file (FerryTransfer *self,
                                   const char    *destination,
                                   guint64        dev,
                                   guint64        ino,
                                   guint64        length)
{
  FerryRecord *r;

  g_return_if_fail (FERRY_IS_TRANSFER (self));
  g_return_if_fail (destination != NULL);

  r = self->record;
  replace_string (&r->destination, destination);
  r->file_dev = dev;
  r->file_ino = ino;
  r->bytes_done = r->bytes_total = length;
  g_clear_pointer (&r->partial_name, g_free);
  /* Shown at once, as the bytes read are while the attempt runs. */
  self->live_bytes = length;
}

void
ferry_transfer_set_bytes_done (FerryTransfer *self,
                               guint64        bytes_done)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  self->record->bytes_done = bytes_done;
}

void
ferry_transfer_set_response (FerryTransfer *self,
                             guint          http_status,
                             GVariant      *headers,
                             const char    *final_uri)
{
  FerryRecord *r;

  g_return_if_fail (FERRY_IS_TRANSFER (self));

  r = self->record;
  /* The attempt under way answered so too (AttemptLog). */
  if (http_status != 0)
    r->http_status = r->attempt_status = http_status;
  if (headers != NULL)
    {
      g_variant_ref_sink (headers);
      g_clear_pointer (&r->response_headers, g_variant_unref);
      r->response_headers = headers;
    }
  if (final_uri != NULL && g_strcmp0 (r->final_uri, final_uri) != 0)
    replace_string (&r->final_uri, final_uri);
}

void
ferry_transfer_forget_final_uri (FerryTransfer *self)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  g_clear_pointer (&self->record->final_uri, g_free);
}

void
ferry_transfer_set_connections (FerryTransfer *self,
                                guint          connections)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  self->record->connections = connections;
}

/* A segmented download's durable ranges ("start-end,…", ferry-segments.c) and the bytes
 * they hold, which is what BytesDone counts for it. */
void
ferry_transfer_set_segments (FerryTransfer *self,
                             const char    *ranges,
                             guint64        bytes_done)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  replace_string (&self->record->segments, ranges);
  self->record->bytes_done = bytes_done;
}

/* The attempt log (AttemptLog): an attempt begins, and one ends having moved @moved bytes,
 * with @error (NULL when it went well). */
void
ferry_transfer_attempt_started (FerryTransfer *self)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  ferry_record_attempt_started (self->record);
}

void
ferry_transfer_attempt_ended (FerryTransfer *self,
                              guint64        moved,
                              const char    *error)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));

  ferry_record_attempt_ended (self->record, moved, error);
}

void
ferry_transfer_set_upload_resource (FerryTransfer       *self,
                                    FerryUploadProtocol  used,
                                    gboolean             resumable,
                                    const char          *upload_url,
                                    guint                interop,
                                    gboolean             interop_pinned)
{
  FerryRecord *r;

  g_return_if_fail (FERRY_IS_TRANSFER (self));

  r = self->record;
  r->protocol_used = used;
  r->resumable = resumable;
  replace_string (&r->upload_url, upload_url);
  r->interop = interop;
  r->interop_pinned = interop_pinned;
}

/* -- Live values --------------------------------------------------------------------------- */

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

void
ferry_transfer_set_sent_bytes (FerryTransfer *self,
                               guint64        bytes)
{
  self->sent_bytes = bytes;
}

gboolean
ferry_transfer_update_rate (FerryTransfer *self,
                            gint64         now_usec)
{
  guint64 moving = moving_bytes (self);
  gboolean changed = moving != self->rate_bytes;

  if (self->rate_time == 0 || moving < self->rate_bytes)
    {
      self->rate = 0;
    }
  else if (now_usec > self->rate_time)
    {
      double sample = (double) (moving - self->rate_bytes) * G_USEC_PER_SEC /
                      (double) (now_usec - self->rate_time);

      /* Smooth over about two seconds of quarter-second ticks. */
      self->rate = self->rate == 0 ? (guint64) sample
                                   : (guint64) (0.75 * (double) self->rate + 0.25 * sample);
    }

  self->rate_bytes = moving;
  self->rate_time = now_usec;
  return changed;
}

FerryEngine *
ferry_transfer_get_engine (FerryTransfer *self)
{
  return self->engine;
}

void
ferry_transfer_set_engine (FerryTransfer *self,
                           FerryEngine   *engine)
{
  g_set_object (&self->engine, engine);

  if (engine == NULL)
    {
      self->rate = 0;
      self->rate_time = 0;
      self->sent_bytes = 0;
      self->live_bytes = self->record->bytes_done;
    }
}

/* The start of the message of a server that could not be reached (refused, unknown,
 * unreachable), which holds every transfer to it; see ferry_transfer_error_is_unreachable(). */
#define UNREACHABLE_PREFIX "Could not reach the server: "
#define UNREACHABLE_FORMAT N_ ("Could not reach the server: %s")

GError *
ferry_transfer_error_from_network (const GError *error,
                                   gboolean      tls_failed)
{
  if (tls_failed || error->domain == G_TLS_ERROR)
    return g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                        N_ ("The secure connection to the server failed: %s"), error->message);

  if (error->domain == G_RESOLVER_ERROR ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    return g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                        UNREACHABLE_FORMAT, error->message);

  return g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                      N_ ("The connection to the server was lost: %s"), error->message);
}

GError *
ferry_transfer_error_from_certificate (const GError         *error,
                                       GTlsCertificateFlags  flags)
{
  g_autoptr(GString) faults = g_string_new (NULL);
  static const struct
  {
    GTlsCertificateFlags flag;
    const char *words;
  } table[] = {
    { G_TLS_CERTIFICATE_EXPIRED, N_ ("its certificate has expired") },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, N_ ("its certificate is not valid yet (check this "
                                           "computer's clock)") },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, N_ ("its certificate was issued for another name than "
                                          "the one in the address") },
    { G_TLS_CERTIFICATE_UNKNOWN_CA, N_ ("its certificate was issued by an authority this "
                                        "computer does not trust") },
    { G_TLS_CERTIFICATE_REVOKED, N_ ("its certificate was revoked") },
    { G_TLS_CERTIFICATE_INSECURE, N_ ("its certificate uses insecure cryptography") },
  };

  if (flags == 0)
    return ferry_transfer_error_from_network (error, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      if (!(flags & table[i].flag))
        continue;
      if (faults->len > 0)
        g_string_append (faults, "; ");
      g_string_append (faults, table[i].words);
    }
  if (faults->len == 0)
    g_string_append (faults, N_ ("its certificate could not be checked"));

  /* Retrying will not mend a certificate, and Ferry never bypasses one. */
  return g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                      N_ ("The server's identity could not be verified, so Ferry did not connect: "
                          "%s"), faults->str);
}

guint
ferry_transfer_stall_seconds (void)
{
  static gsize seconds;

  /* Read once: downloads ask at every stall check, uploads from their worker threads. */
  if (g_once_init_enter (&seconds))
    g_once_init_leave (&seconds, ferry_settings_env_seconds ("FERRY_STALL_TIMEOUT",
                                                             DEFAULT_STALL_SECONDS, 3599));
  return (guint) seconds;
}

gboolean
ferry_transfer_error_is_unreachable (const GError *error)
{
  return error != NULL &&
         g_error_matches (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT) &&
         g_str_has_prefix (error->message, UNREACHABLE_PREFIX);
}
