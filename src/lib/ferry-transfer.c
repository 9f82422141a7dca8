/* ferry-transfer.c
 *
 * A transfer is plain data kept current by its session: the session's one subscription to
 * the service's signals feeds every transfer, so following 10,000 costs no proxy, no match
 * rule and no call per transfer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-private.h"

/**
 * FerryTransfer:
 *
 * One download or upload the Ferry service carries out. Its properties follow the
 * service's and notify when they change, in the main context of the session that made it.
 * It is owned by its [class@Ferry.Session]'s list.
 */

struct _FerryTransfer
{
  GObject parent_instance;

  GDBusConnection *connection;
  char *path;
  guint64 id;
  FerryTransferKind kind;
  char *uri;
  char *destination;
  char *session;
  char *identifier;
  FerryTransferState state;
  GStrv wait_reasons;
  guint64 bytes_done;
  guint64 bytes_sent;
  guint64 bytes_total;
  guint64 rate;
  gint64 retry_at;
  gint64 earliest_begin;
  guint http_status;
  char *error;
  gboolean resumable;
  gboolean allow_metered;
  gboolean has_bytes_sent;
  guint attempts;
  gint64 created_at;
  gint64 finished_at;
  GVariant *response_headers;   /* a{ss}; NULL until the service said (summaries do not) */
  char *final_uri;
  GVariant *attempt_log;
  char *validator;
  char *checksum_result;
  char *checksum_expected;
};

G_DEFINE_FINAL_TYPE (FerryTransfer, ferry_transfer, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_OBJECT_PATH,
  PROP_ID,
  PROP_KIND,
  PROP_URI,
  PROP_DESTINATION,
  PROP_SESSION,
  PROP_IDENTIFIER,
  PROP_STATE,
  PROP_WAIT_REASONS,
  PROP_BYTES_DONE,
  PROP_BYTES_SENT,
  PROP_BYTES_TOTAL,
  PROP_RATE,
  PROP_RETRY_AT,
  PROP_EARLIEST_BEGIN,
  PROP_HTTP_STATUS,
  PROP_ERROR,
  PROP_RESUMABLE,
  PROP_ALLOW_METERED,
  PROP_ATTEMPTS,
  PROP_CREATED_AT,
  PROP_FINISHED_AT,
  PROP_FINAL_URI,
  PROP_ATTEMPT_LOG,
  PROP_VALIDATOR,
  PROP_CHECKSUM_RESULT,
  PROP_CHECKSUM_EXPECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void install_detail_properties (GParamFlags flags);
static void update_details (FerryTransfer *self,
                            GVariant      *props);
static void update_facts (FerryTransfer *self,
                          GVariant      *props);

static const char *const state_names[] = {
  "queued", "waiting", "running", "paused", "completed", "rejected", "failed", "canceled",
};

gboolean
_ferry_state_from_string (const char         *str,
                          FerryTransferState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    {
      if (g_strcmp0 (str, state_names[i]) == 0)
        {
          *state = i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
ferry_transfer_finalize (GObject *object)
{
  FerryTransfer *self = FERRY_TRANSFER (object);

  g_clear_object (&self->connection);
  g_free (self->path);
  g_free (self->uri);
  g_free (self->destination);
  g_free (self->session);
  g_free (self->identifier);
  g_strfreev (self->wait_reasons);
  g_free (self->error);
  g_clear_pointer (&self->response_headers, g_variant_unref);
  g_free (self->final_uri);
  g_clear_pointer (&self->attempt_log, g_variant_unref);
  g_free (self->validator);
  g_free (self->checksum_result);
  g_free (self->checksum_expected);

  G_OBJECT_CLASS (ferry_transfer_parent_class)->finalize (object);
}

static void
ferry_transfer_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  FerryTransfer *self = FERRY_TRANSFER (object);

  switch (prop_id)
    {
    case PROP_OBJECT_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_ID:
      g_value_set_uint64 (value, self->id);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_DESTINATION:
      g_value_set_string (value, self->destination);
      break;
    case PROP_SESSION:
      g_value_set_string (value, self->session);
      break;
    case PROP_IDENTIFIER:
      g_value_set_string (value, self->identifier);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_WAIT_REASONS:
      g_value_set_boxed (value, self->wait_reasons);
      break;
    case PROP_BYTES_DONE:
      g_value_set_uint64 (value, self->bytes_done);
      break;
    case PROP_BYTES_SENT:
      g_value_set_uint64 (value, ferry_transfer_get_bytes_sent (self));
      break;
    case PROP_BYTES_TOTAL:
      g_value_set_uint64 (value, self->bytes_total);
      break;
    case PROP_RATE:
      g_value_set_uint64 (value, self->rate);
      break;
    case PROP_RETRY_AT:
      g_value_set_int64 (value, self->retry_at);
      break;
    case PROP_EARLIEST_BEGIN:
      g_value_set_int64 (value, self->earliest_begin);
      break;
    case PROP_HTTP_STATUS:
      g_value_set_uint (value, self->http_status);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_RESUMABLE:
      g_value_set_boolean (value, self->resumable);
      break;
    case PROP_ALLOW_METERED:
      g_value_set_boolean (value, self->allow_metered);
      break;
    case PROP_ATTEMPTS:
      g_value_set_uint (value, self->attempts);
      break;
    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;
    case PROP_FINISHED_AT:
      g_value_set_int64 (value, self->finished_at);
      break;
    case PROP_FINAL_URI:
      g_value_set_string (value, self->final_uri);
      break;
    case PROP_ATTEMPT_LOG:
      g_value_set_variant (value, self->attempt_log);
      break;
    case PROP_VALIDATOR:
      g_value_set_string (value, self->validator);
      break;
    case PROP_CHECKSUM_RESULT:
      g_value_set_string (value, self->checksum_result);
      break;
    case PROP_CHECKSUM_EXPECTED:
      g_value_set_string (value, self->checksum_expected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_transfer_class_init (FerryTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = ferry_transfer_finalize;
  object_class->get_property = ferry_transfer_get_property;

  /**
   * FerryTransfer:object-path:
   *
   * The transfer's D-Bus object path, for callers that also use the D-Bus API.
   */
  properties[PROP_OBJECT_PATH] = g_param_spec_string ("object-path", NULL, NULL, NULL, flags);
  /**
   * FerryTransfer:id:
   *
   * The service's number for the transfer.
   */
  properties[PROP_ID] = g_param_spec_uint64 ("id", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /**
   * FerryTransfer:kind:
   *
   * Download or upload.
   */
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, FERRY_TYPE_TRANSFER_KIND,
                                             FERRY_TRANSFER_KIND_DOWNLOAD, flags);
  /**
   * FerryTransfer:uri:
   *
   * The URI the transfer was added with, or last updated to.
   */
  properties[PROP_URI] = g_param_spec_string ("uri", NULL, NULL, NULL, flags);
  /**
   * FerryTransfer:destination:
   *
   * The full path of the file once known; for an upload, the source's name.
   */
  properties[PROP_DESTINATION] = g_param_spec_string ("destination", NULL, NULL, NULL, flags);
  /**
   * FerryTransfer:session:
   *
   * The session the transfer belongs to.
   */
  properties[PROP_SESSION] = g_param_spec_string ("session", NULL, NULL, NULL, flags);
  /**
   * FerryTransfer:identifier:
   *
   * The app's name for the transfer.
   */
  properties[PROP_IDENTIFIER] = g_param_spec_string ("identifier", NULL, NULL, NULL, flags);
  /**
   * FerryTransfer:state:
   *
   * Where the transfer is.
   */
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, FERRY_TYPE_TRANSFER_STATE,
                                              FERRY_TRANSFER_STATE_QUEUED, flags);
  /**
   * FerryTransfer:wait-reasons:
   *
   * While waiting, every reason that holds the transfer back: `schedule`, `network`,
   * `metered`, `power-saver`, `slot`, `retry`, `disk-space`.
   */
  properties[PROP_WAIT_REASONS] = g_param_spec_boxed ("wait-reasons", NULL, NULL, G_TYPE_STRV,
                                                      flags);
  /**
   * FerryTransfer:bytes-done:
   *
   * Bytes received, or for an upload acknowledged by the server.
   */
  properties[PROP_BYTES_DONE] = g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64,
                                                     0, flags);
  /**
   * FerryTransfer:bytes-sent:
   *
   * For an upload, how far into the file the bytes handed to the network reach; for a
   * download, the bytes received.
   */
  properties[PROP_BYTES_SENT] = g_param_spec_uint64 ("bytes-sent", NULL, NULL, 0, G_MAXUINT64,
                                                     0, flags);
  /**
   * FerryTransfer:bytes-total:
   *
   * The size of the file; 0 when unknown.
   */
  properties[PROP_BYTES_TOTAL] = g_param_spec_uint64 ("bytes-total", NULL, NULL, 0,
                                                      G_MAXUINT64, 0, flags);
  /**
   * FerryTransfer:rate:
   *
   * Bytes per second, while running.
   */
  properties[PROP_RATE] = g_param_spec_uint64 ("rate", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /**
   * FerryTransfer:retry-at:
   *
   * While waiting to retry, the Unix time of the next attempt; else 0.
   */
  properties[PROP_RETRY_AT] = g_param_spec_int64 ("retry-at", NULL, NULL, 0, G_MAXINT64, 0,
                                                  flags);
  /**
   * FerryTransfer:earliest-begin:
   *
   * The Unix time before which the transfer does not start; 0 for none.
   */
  properties[PROP_EARLIEST_BEGIN] = g_param_spec_int64 ("earliest-begin", NULL, NULL,
                                                        G_MININT64, G_MAXINT64, 0, flags);
  /**
   * FerryTransfer:http-status:
   *
   * The status of the last response; 0 before any.
   */
  properties[PROP_HTTP_STATUS] = g_param_spec_uint ("http-status", NULL, NULL, 0, G_MAXUINT, 0,
                                                    flags);
  /**
   * FerryTransfer:error:
   *
   * A sentence saying what went wrong last, or "".
   */
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, flags);
  /**
   * FerryTransfer:resumable:
   *
   * Whether an interruption keeps the bytes so far.
   */
  properties[PROP_RESUMABLE] = g_param_spec_boolean ("resumable", NULL, NULL, FALSE, flags);
  /**
   * FerryTransfer:allow-metered:
   *
   * Whether the transfer may run on a metered network.
   */
  properties[PROP_ALLOW_METERED] = g_param_spec_boolean ("allow-metered", NULL, NULL, TRUE,
                                                         flags);
  install_detail_properties (flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ferry_transfer_init (FerryTransfer *self)
{
  self->wait_reasons = g_new0 (char *, 1);
  self->allow_metered = TRUE;
}

static void
set_string (FerryTransfer *self,
            char         **field,
            const char    *value,
            guint          prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

#define SET_NUMBER(self, field, value, prop) \
  G_STMT_START { \
    if ((self)->field != (value)) \
      { \
        (self)->field = (value); \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); \
      } \
  } G_STMT_END

static gboolean
set_state (FerryTransfer *self,
           const char    *name)
{
  FerryTransferState state;

  if (!_ferry_state_from_string (name, &state) || state == self->state)
    return FALSE;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  return TRUE;
}

static gboolean
set_wait_reasons (FerryTransfer     *self,
                  const char *const *reasons)
{
  if (g_strv_equal ((const char *const *) self->wait_reasons, reasons))
    return FALSE;
  g_strfreev (self->wait_reasons);
  self->wait_reasons = g_strdupv ((char **) reasons);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAIT_REASONS]);
  return TRUE;
}

static void
set_kind (FerryTransfer *self,
          const char    *kind)
{
  FerryTransferKind value = g_strcmp0 (kind, "upload") == 0 ? FERRY_TRANSFER_KIND_UPLOAD
                                                            : FERRY_TRANSFER_KIND_DOWNLOAD;

  SET_NUMBER (self, kind, value, PROP_KIND);
}

static void
set_bytes_done (FerryTransfer *self,
                guint64        done)
{
  guint64 sent_before = ferry_transfer_get_bytes_sent (self);

  SET_NUMBER (self, bytes_done, done, PROP_BYTES_DONE);
  if (ferry_transfer_get_bytes_sent (self) != sent_before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_SENT]);
}

FerryTransfer *
_ferry_transfer_new (GDBusConnection *connection,
                     const char      *path,
                     GVariant        *props)
{
  FerryTransfer *self = g_object_new (FERRY_TYPE_TRANSFER, NULL);

  self->connection = g_object_ref (connection);
  self->path = g_strdup (path);
  _ferry_transfer_update (self, props);
  return self;
}

/* From the struct of Manager1.GetTransfers: (otssssssastttxxxxusbb). */
gboolean
_ferry_transfer_set_summary (FerryTransfer *self,
                             GVariant      *summary)
{
  const char *kind, *uri, *destination, *session, *identifier, *state, *error;
  g_autofree const char **reasons = NULL;
  guint64 id, done, total, rate;
  gint64 earliest, retry_at, created, finished;
  guint status;
  gboolean allow_metered, resumable, changed = FALSE;

  g_variant_get (summary, "(&ot&s&s&s&s&s&s^a&stttxxxxu&sbb)", NULL, &id, &kind, &uri,
                 &destination, &session, &identifier, &state, &reasons, &done, &total, &rate,
                 &earliest, &retry_at, &created, &finished, &status, &error, &allow_metered,
                 &resumable);

  g_object_freeze_notify (G_OBJECT (self));
  SET_NUMBER (self, id, id, PROP_ID);
  set_kind (self, kind);
  set_string (self, &self->uri, uri, PROP_URI);
  set_string (self, &self->destination, destination, PROP_DESTINATION);
  set_string (self, &self->session, session, PROP_SESSION);
  set_string (self, &self->identifier, identifier, PROP_IDENTIFIER);
  changed |= set_state (self, state);
  changed |= set_wait_reasons (self, reasons);
  set_bytes_done (self, done);
  SET_NUMBER (self, bytes_total, total, PROP_BYTES_TOTAL);
  SET_NUMBER (self, rate, rate, PROP_RATE);
  SET_NUMBER (self, earliest_begin, earliest, PROP_EARLIEST_BEGIN);
  if (self->retry_at != retry_at)
    changed = TRUE;
  SET_NUMBER (self, retry_at, retry_at, PROP_RETRY_AT);
  SET_NUMBER (self, http_status, status, PROP_HTTP_STATUS);
  set_string (self, &self->error, error, PROP_ERROR);
  SET_NUMBER (self, allow_metered, allow_metered, PROP_ALLOW_METERED);
  SET_NUMBER (self, resumable, resumable, PROP_RESUMABLE);
  SET_NUMBER (self, created_at, created, PROP_CREATED_AT);
  SET_NUMBER (self, finished_at, finished, PROP_FINISHED_AT);
  g_object_thaw_notify (G_OBJECT (self));
  return changed;
}

/* A new object has no one to notify: its fields are filled directly, which is what keeps a
 * list of 10,000 quick to build. Each field is read as a child, not through a format
 * string: parsing "(otssssssastttxxxxusbb)" for every transfer cost more than the rest. */
FerryTransfer *
_ferry_transfer_new_from_summary (GDBusConnection *connection,
                                  GVariant        *summary)
{
  FerryTransfer *self = g_object_new (FERRY_TYPE_TRANSFER, NULL);
  GVariant *field[20];

  g_assert (g_variant_n_children (summary) == G_N_ELEMENTS (field));
  for (guint i = 0; i < G_N_ELEMENTS (field); i++)
    field[i] = g_variant_get_child_value (summary, i);

  self->connection = g_object_ref (connection);
  self->path = g_variant_dup_string (field[0], NULL);
  self->id = g_variant_get_uint64 (field[1]);
  self->kind = g_strcmp0 (g_variant_get_string (field[2], NULL), "upload") == 0
                 ? FERRY_TRANSFER_KIND_UPLOAD : FERRY_TRANSFER_KIND_DOWNLOAD;
  self->uri = g_variant_dup_string (field[3], NULL);
  self->destination = g_variant_dup_string (field[4], NULL);
  self->session = g_variant_dup_string (field[5], NULL);
  self->identifier = g_variant_dup_string (field[6], NULL);
  _ferry_state_from_string (g_variant_get_string (field[7], NULL), &self->state);
  g_strfreev (self->wait_reasons);
  self->wait_reasons = g_variant_dup_strv (field[8], NULL);
  self->bytes_done = g_variant_get_uint64 (field[9]);
  self->bytes_total = g_variant_get_uint64 (field[10]);
  self->rate = g_variant_get_uint64 (field[11]);
  self->earliest_begin = g_variant_get_int64 (field[12]);
  self->retry_at = g_variant_get_int64 (field[13]);
  self->created_at = g_variant_get_int64 (field[14]);
  self->finished_at = g_variant_get_int64 (field[15]);
  self->http_status = g_variant_get_uint32 (field[16]);
  self->error = g_variant_dup_string (field[17], NULL);
  self->allow_metered = g_variant_get_boolean (field[18]);
  self->resumable = g_variant_get_boolean (field[19]);

  for (guint i = 0; i < G_N_ELEMENTS (field); i++)
    g_variant_unref (field[i]);
  return self;
}

/* From GetAll or PropertiesChanged: an a{sv} of Transfer1 properties. */
gboolean
_ferry_transfer_update (FerryTransfer *self,
                        GVariant      *props)
{
  GVariantIter iter;
  const char *name;
  GVariant *value;
  gboolean changed = FALSE;

  g_object_freeze_notify (G_OBJECT (self));
  g_variant_iter_init (&iter, props);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      if (g_str_equal (name, "State") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        changed |= set_state (self, g_variant_get_string (value, NULL));
      else if (g_str_equal (name, "WaitReasons") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
        {
          g_autofree const char **reasons = g_variant_get_strv (value, NULL);

          changed |= set_wait_reasons (self, reasons);
        }
      else if (g_str_equal (name, "RetryAt") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        {
          if (self->retry_at != g_variant_get_int64 (value))
            changed = TRUE;
          SET_NUMBER (self, retry_at, g_variant_get_int64 (value), PROP_RETRY_AT);
        }
      else if (g_str_equal (name, "Id") && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
        SET_NUMBER (self, id, g_variant_get_uint64 (value), PROP_ID);
      else if (g_str_equal (name, "Kind") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        set_kind (self, g_variant_get_string (value, NULL));
      else if (g_str_equal (name, "Uri") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        set_string (self, &self->uri, g_variant_get_string (value, NULL), PROP_URI);
      else if (g_str_equal (name, "Destination") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        set_string (self, &self->destination, g_variant_get_string (value, NULL),
                    PROP_DESTINATION);
      else if (g_str_equal (name, "Session") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        set_string (self, &self->session, g_variant_get_string (value, NULL), PROP_SESSION);
      else if (g_str_equal (name, "Identifier") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        set_string (self, &self->identifier, g_variant_get_string (value, NULL),
                    PROP_IDENTIFIER);
      else if (g_str_equal (name, "BytesDone") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
        set_bytes_done (self, g_variant_get_uint64 (value));
      else if (g_str_equal (name, "BytesSent") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
        {
          self->has_bytes_sent = TRUE;
          SET_NUMBER (self, bytes_sent, g_variant_get_uint64 (value), PROP_BYTES_SENT);
        }
      else if (g_str_equal (name, "BytesTotal") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
        SET_NUMBER (self, bytes_total, g_variant_get_uint64 (value), PROP_BYTES_TOTAL);
      else if (g_str_equal (name, "Rate") && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
        SET_NUMBER (self, rate, g_variant_get_uint64 (value), PROP_RATE);
      else if (g_str_equal (name, "EarliestBegin") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        SET_NUMBER (self, earliest_begin, g_variant_get_int64 (value), PROP_EARLIEST_BEGIN);
      else if (g_str_equal (name, "HttpStatus") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
        SET_NUMBER (self, http_status, g_variant_get_uint32 (value), PROP_HTTP_STATUS);
      else if (g_str_equal (name, "Error") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        set_string (self, &self->error, g_variant_get_string (value, NULL), PROP_ERROR);
      else if (g_str_equal (name, "Resumable") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
        SET_NUMBER (self, resumable, g_variant_get_boolean (value), PROP_RESUMABLE);
      else if (g_str_equal (name, "AllowMetered") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
        SET_NUMBER (self, allow_metered, g_variant_get_boolean (value), PROP_ALLOW_METERED);
      else if (g_str_equal (name, "ResponseHeaders") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE ("a{ss}")))
        {
          g_clear_pointer (&self->response_headers, g_variant_unref);
          self->response_headers = g_variant_ref (value);
        }
      g_variant_unref (value);
    }
  update_details (self, props);
  g_object_thaw_notify (G_OBJECT (self));
  return changed;
}

void
_ferry_transfer_set_progress (FerryTransfer *self,
                              guint64        done,
                              guint64        total,
                              guint64        rate)
{
  /* Progress comes four times a second for every running transfer, mostly unchanged for
   * stalled ones: no notification machinery for those. */
  if (done == self->bytes_done && total == self->bytes_total && rate == self->rate)
    return;
  g_object_freeze_notify (G_OBJECT (self));
  set_bytes_done (self, done);
  SET_NUMBER (self, bytes_total, total, PROP_BYTES_TOTAL);
  SET_NUMBER (self, rate, rate, PROP_RATE);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_ferry_transfer_set_connection (FerryTransfer   *self,
                                GDBusConnection *connection)
{
  g_set_object (&self->connection, connection);
}

GVariant *
_ferry_transfer_get_response_headers (FerryTransfer *self)
{
  return self->response_headers;
}

void
_ferry_transfer_set_response_headers_unknown (FerryTransfer *self)
{
  /* A service from before ResponseHeaders: say so once, rather than ask again. */
  if (self->response_headers == NULL)
    self->response_headers = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{ss}"),
                                                                      NULL, 0));
}

gboolean
_ferry_transfer_has_wait_reason (FerryTransfer *self,
                                 const char    *reason)
{
  return g_strv_contains ((const char *const *) self->wait_reasons, reason);
}

/**
 * ferry_transfer_get_object_path:
 * @self: a transfer
 *
 * Returns: the transfer's D-Bus object path
 */
const char *
ferry_transfer_get_object_path (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);
  return self->path;
}

/**
 * ferry_transfer_get_id:
 * @self: a transfer
 *
 * Returns: the service's number for the transfer
 */
guint64
ferry_transfer_get_id (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), 0);
  return self->id;
}

/**
 * ferry_transfer_get_kind:
 * @self: a transfer
 *
 * Returns: download or upload
 */
FerryTransferKind
ferry_transfer_get_kind (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), FERRY_TRANSFER_KIND_DOWNLOAD);
  return self->kind;
}

/**
 * ferry_transfer_get_uri:
 * @self: a transfer
 *
 * Returns: (nullable): the transfer's URI
 */
const char *
ferry_transfer_get_uri (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);
  return self->uri;
}

/**
 * ferry_transfer_get_destination:
 * @self: a transfer
 *
 * Returns: (nullable): the file's full path once known (for an upload, the source's name)
 */
const char *
ferry_transfer_get_destination (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);
  return self->destination;
}

/**
 * ferry_transfer_get_session:
 * @self: a transfer
 *
 * Returns: (nullable): the session the transfer belongs to
 */
const char *
ferry_transfer_get_session (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);
  return self->session;
}

/**
 * ferry_transfer_get_identifier:
 * @self: a transfer
 *
 * Returns: (nullable): the app's name for the transfer
 */
const char *
ferry_transfer_get_identifier (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);
  return self->identifier;
}

/**
 * ferry_transfer_get_state:
 * @self: a transfer
 *
 * Returns: the transfer's state
 */
FerryTransferState
ferry_transfer_get_state (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), FERRY_TRANSFER_STATE_QUEUED);
  return self->state;
}

/**
 * ferry_transfer_get_wait_reasons:
 * @self: a transfer
 *
 * Returns: (transfer none): what holds a waiting transfer back
 */
const char * const *
ferry_transfer_get_wait_reasons (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);
  return (const char * const *) self->wait_reasons;
}

/**
 * ferry_transfer_get_bytes_done:
 * @self: a transfer
 *
 * Returns: bytes received, or acknowledged for an upload
 */
guint64
ferry_transfer_get_bytes_done (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), 0);
  return self->bytes_done;
}

/**
 * ferry_transfer_get_bytes_sent:
 * @self: a transfer
 *
 * Returns: for an upload, how far into the file the bytes sent reach; else bytes received
 */
guint64
ferry_transfer_get_bytes_sent (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), 0);
  if (self->kind == FERRY_TRANSFER_KIND_UPLOAD && self->has_bytes_sent)
    return MAX (self->bytes_sent, self->bytes_done);
  return self->bytes_done;
}

/**
 * ferry_transfer_get_bytes_total:
 * @self: a transfer
 *
 * Returns: the file's size, 0 when unknown
 */
guint64
ferry_transfer_get_bytes_total (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), 0);
  return self->bytes_total;
}

/**
 * ferry_transfer_get_rate:
 * @self: a transfer
 *
 * Returns: bytes per second while running
 */
guint64
ferry_transfer_get_rate (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), 0);
  return self->rate;
}

/**
 * ferry_transfer_get_retry_at:
 * @self: a transfer
 *
 * Returns: while waiting to retry, the Unix time of the next attempt; else 0
 */
gint64
ferry_transfer_get_retry_at (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), 0);
  return self->retry_at;
}

/**
 * ferry_transfer_get_earliest_begin:
 * @self: a transfer
 *
 * Returns: the Unix time before which the transfer does not start; 0 for none
 */
gint64
ferry_transfer_get_earliest_begin (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), 0);
  return self->earliest_begin;
}

/**
 * ferry_transfer_get_http_status:
 * @self: a transfer
 *
 * Returns: the status of the last response, 0 before any
 */
guint
ferry_transfer_get_http_status (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), 0);
  return self->http_status;
}

/**
 * ferry_transfer_get_error:
 * @self: a transfer
 *
 * Returns: (nullable): a sentence saying what went wrong last
 */
const char *
ferry_transfer_get_error (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);
  return self->error;
}

/**
 * ferry_transfer_get_resumable:
 * @self: a transfer
 *
 * Returns: whether an interruption keeps the bytes so far
 */
gboolean
ferry_transfer_get_resumable (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), FALSE);
  return self->resumable;
}

/**
 * ferry_transfer_get_allow_metered:
 * @self: a transfer
 *
 * Returns: whether the transfer may run on a metered network
 */
gboolean
ferry_transfer_get_allow_metered (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), TRUE);
  return self->allow_metered;
}

/* -- Methods ------------------------------------------------------------------------------ */

static void
on_method_reply (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      (void) FERRY_ERROR;
      g_dbus_error_strip_remote_error (error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
call_method (FerryTransfer       *self,
             const char          *method,
             GVariant            *parameters,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_dbus_connection_call (self->connection, FERRY_BUS_NAME, self->path,
                          FERRY_TRANSFER_INTERFACE, method, parameters, G_VARIANT_TYPE ("()"),
                          G_DBUS_CALL_FLAGS_NONE, -1, cancellable, on_method_reply, task);
}

static gboolean
finish_method (FerryTransfer *self,
               GAsyncResult  *result,
               gpointer       source_tag,
               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ferry_transfer_pause_async:
 * @self: a transfer
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the service has paused it
 * @user_data: (closure): data for @callback
 *
 * Stops the transfer at a checkpoint; it keeps its bytes.
 */
void
ferry_transfer_pause_async (FerryTransfer       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));
  call_method (self, "Pause", NULL, ferry_transfer_pause_async, cancellable, callback,
               user_data);
}

/**
 * ferry_transfer_pause_finish:
 * @self: a transfer
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the service paused it
 */
gboolean
ferry_transfer_pause_finish (FerryTransfer  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  return finish_method (self, result, ferry_transfer_pause_async, error);
}

/**
 * ferry_transfer_resume_async:
 * @self: a transfer
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the service has resumed it
 * @user_data: (closure): data for @callback
 *
 * Lets a paused transfer run again; a failed or rejected one tries again, a canceled one
 * starts over.
 */
void
ferry_transfer_resume_async (FerryTransfer       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));
  call_method (self, "Resume", NULL, ferry_transfer_resume_async, cancellable, callback,
               user_data);
}

/**
 * ferry_transfer_resume_finish:
 * @self: a transfer
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the service resumed it
 */
gboolean
ferry_transfer_resume_finish (FerryTransfer  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return finish_method (self, result, ferry_transfer_resume_async, error);
}

/**
 * ferry_transfer_cancel_async:
 * @self: a transfer
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the service has canceled it
 * @user_data: (closure): data for @callback
 *
 * Stops the transfer for good and deletes its partial data. A pending
 * ferry_session_download_async() for it completes with %FERRY_OUTCOME_FAILED and
 * %FERRY_ERROR_CANCELED. This, not the cancellable of an `_async` call, cancels a transfer.
 */
void
ferry_transfer_cancel_async (FerryTransfer       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));
  call_method (self, "Cancel", NULL, ferry_transfer_cancel_async, cancellable, callback,
               user_data);
}

/**
 * ferry_transfer_cancel_finish:
 * @self: a transfer
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the service canceled it
 */
gboolean
ferry_transfer_cancel_finish (FerryTransfer  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return finish_method (self, result, ferry_transfer_cancel_async, error);
}

/**
 * ferry_transfer_remove_async:
 * @self: a transfer
 * @delete_data: also delete the completed file
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the service has forgotten it
 * @user_data: (closure): data for @callback
 *
 * Forgets the transfer, canceling it first when it has not ended.
 */
void
ferry_transfer_remove_async (FerryTransfer       *self,
                             gboolean             delete_data,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (FERRY_IS_TRANSFER (self));
  call_method (self, "Remove", g_variant_new ("(b)", delete_data), ferry_transfer_remove_async,
               cancellable, callback, user_data);
}

/**
 * ferry_transfer_remove_finish:
 * @self: a transfer
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the service forgot it
 */
gboolean
ferry_transfer_remove_finish (FerryTransfer  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return finish_method (self, result, ferry_transfer_remove_async, error);
}

/**
 * ferry_transfer_update_async:
 * @self: a transfer
 * @uri: (nullable): a new link to the same file (an expired link swapped, bytes kept: the
 *   service checks the validator), or %NULL
 * @changes: (nullable): new scheduling options: earliest begin, allow-metered,
 *   discretionary, priority and rate limit are taken from it when set
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the service has taken the changes
 * @user_data: (closure): data for @callback
 *
 * Changes a transfer in flight.
 */
void
ferry_transfer_update_async (FerryTransfer       *self,
                             const char          *uri,
                             FerryRequest        *changes,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GVariantDict dict;

  g_return_if_fail (FERRY_IS_TRANSFER (self));
  g_return_if_fail (changes == NULL || FERRY_IS_REQUEST (changes));

  g_variant_dict_init (&dict, NULL);
  if (uri != NULL)
    g_variant_dict_insert (&dict, "uri", "s", uri);
  if (changes != NULL)
    _ferry_request_fill_update (changes, &dict);
  call_method (self, "Update", g_variant_new ("(@a{sv})", g_variant_dict_end (&dict)),
               ferry_transfer_update_async, cancellable, callback, user_data);
}

/**
 * ferry_transfer_update_finish:
 * @self: a transfer
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the service took the changes
 */
gboolean
ferry_transfer_update_finish (FerryTransfer  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return finish_method (self, result, ferry_transfer_update_async, error);
}

/* -- Details a listing shows ------------------------------------------------------------- */

static void
install_detail_properties (GParamFlags flags)
{
  /**
   * FerryTransfer:attempts:
   *
   * Attempts that failed in a row without progress.
   */
  properties[PROP_ATTEMPTS] = g_param_spec_uint ("attempts", NULL, NULL, 0, G_MAXUINT, 0,
                                                 flags);
  /**
   * FerryTransfer:created-at:
   *
   * The Unix time the transfer was added.
   */
  properties[PROP_CREATED_AT] = g_param_spec_int64 ("created-at", NULL, NULL, G_MININT64,
                                                    G_MAXINT64, 0, flags);
  /**
   * FerryTransfer:finished-at:
   *
   * The Unix time the transfer ended; 0 while it has not.
   */
  properties[PROP_FINISHED_AT] = g_param_spec_int64 ("finished-at", NULL, NULL, G_MININT64,
                                                     G_MAXINT64, 0, flags);
  /**
   * FerryTransfer:final-uri:
   *
   * The address the bytes come from once redirects are followed, without user name,
   * password and query.
   */
  properties[PROP_FINAL_URI] = g_param_spec_string ("final-uri", NULL, NULL, NULL, flags);
  /**
   * FerryTransfer:attempt-log:
   *
   * The last attempts, oldest first, as an `a(xuts)`: when each started (Unix time), the
   * HTTP status of its last response (0: none), the bytes it moved, and the sentence it
   * ended with ("" when it went well).
   */
  properties[PROP_ATTEMPT_LOG] = g_param_spec_variant ("attempt-log", NULL, NULL,
                                                       G_VARIANT_TYPE ("a(xuts)"), NULL,
                                                       flags);
  /**
   * FerryTransfer:validator:
   *
   * The ETag or Last-Modified a resume asks with; "" when there is none.
   */
  properties[PROP_VALIDATOR] = g_param_spec_string ("validator", NULL, NULL, NULL, flags);
  /**
   * FerryTransfer:checksum-result:
   *
   * "none", "verified" or "mismatch".
   */
  properties[PROP_CHECKSUM_RESULT] = g_param_spec_string ("checksum-result", NULL, NULL, NULL,
                                                          flags);
  /**
   * FerryTransfer:checksum-expected:
   *
   * The SHA-256 (hex) the file is or was checked against; "" when none is known.
   */
  properties[PROP_CHECKSUM_EXPECTED] = g_param_spec_string ("checksum-expected", NULL, NULL,
                                                            NULL, flags);
}

static void
update_facts (FerryTransfer *self,
              GVariant      *props)
{
  const char *str;
  const char *result;
  const char *expected;
  g_autoptr(GVariant) log = g_variant_lookup_value (props, "AttemptLog",
                                                    G_VARIANT_TYPE ("a(xuts)"));

  if (g_variant_lookup (props, "FinalUri", "&s", &str))
    set_string (self, &self->final_uri, str, PROP_FINAL_URI);
  if (g_variant_lookup (props, "Validator", "&s", &str))
    set_string (self, &self->validator, str, PROP_VALIDATOR);
  if (g_variant_lookup (props, "ChecksumResult", "(&s&s)", &result, &expected))
    {
      set_string (self, &self->checksum_result, result, PROP_CHECKSUM_RESULT);
      set_string (self, &self->checksum_expected, expected, PROP_CHECKSUM_EXPECTED);
    }
  if (log != NULL && (self->attempt_log == NULL || !g_variant_equal (log, self->attempt_log)))
    {
      g_clear_pointer (&self->attempt_log, g_variant_unref);
      self->attempt_log = g_steal_pointer (&log);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTEMPT_LOG]);
    }
}

/* What GetTransfers' summaries do not carry; PropertiesChanged and GetAll do. */
static void
update_details (FerryTransfer *self,
                GVariant      *props)
{
  guint32 attempts;
  gint64 created, finished;

  if (g_variant_lookup (props, "Attempts", "u", &attempts))
    SET_NUMBER (self, attempts, attempts, PROP_ATTEMPTS);
  if (g_variant_lookup (props, "CreatedAt", "x", &created))
    SET_NUMBER (self, created_at, created, PROP_CREATED_AT);
  if (g_variant_lookup (props, "FinishedAt", "x", &finished))
    SET_NUMBER (self, finished_at, finished, PROP_FINISHED_AT);
  update_facts (self, props);
}

/**
 * ferry_transfer_get_attempts:
 * @self: a transfer
 *
 * A session's list keeps this current once it changes; ferry_session_refresh_async() fetches
 * it for every transfer.
 *
 * Returns: attempts that failed in a row without progress
 */
guint
ferry_transfer_get_attempts (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), 0);
  return self->attempts;
}

/**
 * ferry_transfer_get_created_at:
 * @self: a transfer
 *
 * Returns: the Unix time the transfer was added
 */
gint64
ferry_transfer_get_created_at (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), 0);
  return self->created_at;
}

/**
 * ferry_transfer_get_finished_at:
 * @self: a transfer
 *
 * Returns: the Unix time the transfer ended; 0 while it has not
 */
gint64
ferry_transfer_get_finished_at (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), 0);
  return self->finished_at;
}

/**
 * ferry_transfer_get_final_uri:
 * @self: a transfer
 *
 * Like ferry_transfer_get_attempts(), kept current once it changes.
 *
 * Returns: (nullable): the address after redirects, without user name, password and query
 */
const char *
ferry_transfer_get_final_uri (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);
  return self->final_uri;
}

/**
 * ferry_transfer_get_attempt_log:
 * @self: a transfer
 *
 * Returns: (nullable) (transfer none): the last attempts as an `a(xuts)`, oldest first: start
 *   (Unix time), HTTP status (0: none), bytes moved, and the sentence it ended with
 */
GVariant *
ferry_transfer_get_attempt_log (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);
  return self->attempt_log;
}

/**
 * ferry_transfer_get_validator:
 * @self: a transfer
 *
 * Returns: (nullable): the ETag or Last-Modified a resume asks with
 */
const char *
ferry_transfer_get_validator (FerryTransfer *self)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);
  return self->validator;
}

/**
 * ferry_transfer_get_checksum_result:
 * @self: a transfer
 * @expected: (out) (optional) (transfer none): the digest (hex) it was checked against
 *
 * Returns: (nullable): "none", "verified" or "mismatch"
 */
const char *
ferry_transfer_get_checksum_result (FerryTransfer  *self,
                                    const char    **expected)
{
  g_return_val_if_fail (FERRY_IS_TRANSFER (self), NULL);
  if (expected != NULL)
    *expected = self->checksum_expected;
  return self->checksum_result;
}
