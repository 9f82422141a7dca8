/* ferry-request.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-private.h"

/**
 * FerryRequest:
 *
 * The options of a download or upload: what a caller may set, each with its own setter.
 * Options never set are left to the service's defaults.
 *
 * ```c
 * g_autoptr(FerryRequest) request = ferry_request_new ();
 *
 * ferry_request_set_allow_metered (request, FALSE);
 * ferry_request_set_sha256 (request, "9f86d0…");
 * ferry_session_download_async (session, uri, "episode-42", request, NULL, on_done, self);
 * ```
 */

enum
{
  SET_SHA256 = 1 << 0,
  SET_EARLIEST_BEGIN = 1 << 1,
  SET_ALLOW_METERED = 1 << 2,
  SET_DISCRETIONARY = 1 << 3,
  SET_PRIORITY = 1 << 4,
  SET_RATE_LIMIT = 1 << 5,
  SET_PAUSED = 1 << 6,
  SET_PROTOCOL = 1 << 7,
  SET_CONNECTIONS = 1 << 8,
};

struct _FerryRequest
{
  GObject parent_instance;

  guint set;
  FerryRequestFlags flags;
  GHashTable *headers;
  char *sha256;
  gint64 earliest_begin;
  gboolean allow_metered;
  gboolean discretionary;
  gboolean paused;
  int priority;
  guint64 rate_limit;
  GFile *destination;
  char *name;
  FerryUploadProtocol protocol;
  char *method;
  char *content_type;
  char *form_field;
  guint interop_version;
  guint connections;
};

G_DEFINE_FINAL_TYPE (FerryRequest, ferry_request, G_TYPE_OBJECT)

static void
ferry_request_finalize (GObject *object)
{
  FerryRequest *self = FERRY_REQUEST (object);

  g_clear_pointer (&self->headers, g_hash_table_unref);
  g_free (self->sha256);
  g_clear_object (&self->destination);
  g_free (self->name);
  g_free (self->method);
  g_free (self->content_type);
  g_free (self->form_field);

  G_OBJECT_CLASS (ferry_request_parent_class)->finalize (object);
}

static void
ferry_request_class_init (FerryRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ferry_request_finalize;
}

static void
ferry_request_init (FerryRequest *self)
{
  self->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * ferry_request_new:
 *
 * Returns: (transfer full): a request with no option set
 */
FerryRequest *
ferry_request_new (void)
{
  return g_object_new (FERRY_TYPE_REQUEST, NULL);
}

/**
 * ferry_request_set_flags:
 * @self: a request
 * @flags: how the `_async` call completes
 *
 * With %FERRY_REQUEST_NO_WAIT, a transfer that waits to retry completes the call with
 * %FERRY_OUTCOME_RETRY and the server's retry time; without, the call waits for the end.
 */
void
ferry_request_set_flags (FerryRequest      *self,
                         FerryRequestFlags  flags)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  self->flags = flags;
}

/**
 * ferry_request_get_flags:
 * @self: a request
 *
 * Returns: the request's flags
 */
FerryRequestFlags
ferry_request_get_flags (FerryRequest *self)
{
  g_return_val_if_fail (FERRY_IS_REQUEST (self), FERRY_REQUEST_NONE);
  return self->flags;
}

/**
 * ferry_request_set_header:
 * @self: a request
 * @name: a header name, such as `Authorization`
 * @value: (nullable): its value, or %NULL to unset it
 *
 * An extra request header. The service never logs nor shows it.
 */
void
ferry_request_set_header (FerryRequest *self,
                          const char   *name,
                          const char   *value)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  g_return_if_fail (name != NULL);

  if (value == NULL)
    g_hash_table_remove (self->headers, name);
  else
    g_hash_table_insert (self->headers, g_strdup (name), g_strdup (value));
}

/**
 * ferry_request_set_sha256:
 * @self: a request
 * @sha256: (nullable): the expected SHA-256 of the file, 64 hex digits
 *
 * A download whose file does not match fails (%FERRY_OUTCOME_FAILED) and keeps no file; an
 * upload sends it as `Repr-Digest`.
 */
void
ferry_request_set_sha256 (FerryRequest *self,
                          const char   *sha256)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  g_free (self->sha256);
  self->sha256 = g_strdup (sha256);
  if (sha256 != NULL)
    self->set |= SET_SHA256;
  else
    self->set &= ~SET_SHA256;
}

/**
 * ferry_request_set_earliest_begin:
 * @self: a request
 * @unix_time: Unix time (UTC seconds) before which the transfer does not start
 */
void
ferry_request_set_earliest_begin (FerryRequest *self,
                                  gint64        unix_time)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  self->earliest_begin = unix_time;
  self->set |= SET_EARLIEST_BEGIN;
}

/**
 * ferry_request_set_allow_metered:
 * @self: a request
 * @allow_metered: whether the transfer may run on a metered network (the default)
 */
void
ferry_request_set_allow_metered (FerryRequest *self,
                                 gboolean      allow_metered)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  self->allow_metered = !!allow_metered;
  self->set |= SET_ALLOW_METERED;
}

/**
 * ferry_request_set_discretionary:
 * @self: a request
 * @discretionary: run only on an unmetered network and outside power-saver mode
 */
void
ferry_request_set_discretionary (FerryRequest *self,
                                 gboolean      discretionary)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  self->discretionary = !!discretionary;
  self->set |= SET_DISCRETIONARY;
}

/**
 * ferry_request_set_priority:
 * @self: a request
 * @priority: higher runs first; 0 by default
 */
void
ferry_request_set_priority (FerryRequest *self,
                            int           priority)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  self->priority = priority;
  self->set |= SET_PRIORITY;
}

/**
 * ferry_request_set_rate_limit:
 * @self: a request
 * @bytes_per_second: the most this transfer alone may use; 0 for no limit of its own
 */
void
ferry_request_set_rate_limit (FerryRequest *self,
                              guint64       bytes_per_second)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  self->rate_limit = bytes_per_second;
  self->set |= SET_RATE_LIMIT;
}

/**
 * ferry_request_set_connections:
 * @self: a request
 * @connections: the most connections a download may open at once: 0 (the default) lets
 *   Ferry add connections while they raise the speed, 1 never splits the file; at most 64
 *
 * A large file from a server that takes ranges is fetched in segments over several
 * connections; every one counts against the service's per-server limit. Only for downloads:
 * an upload ignores it.
 */
void
ferry_request_set_connections (FerryRequest *self,
                               guint         connections)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  self->connections = connections;
  self->set |= SET_CONNECTIONS;
}

/**
 * ferry_request_set_paused:
 * @self: a request
 * @paused: add the transfer paused; it starts on ferry_transfer_resume_async()
 */
void
ferry_request_set_paused (FerryRequest *self,
                          gboolean      paused)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  self->paused = !!paused;
  self->set |= SET_PAUSED;
}

/**
 * ferry_request_set_destination:
 * @self: a request
 * @folder: (nullable): an existing, writable folder for a download; the Downloads folder
 *   by default
 */
void
ferry_request_set_destination (FerryRequest *self,
                               GFile        *folder)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  g_return_if_fail (folder == NULL || G_IS_FILE (folder));
  g_set_object (&self->destination, folder);
}

/**
 * ferry_request_set_name:
 * @self: a request
 * @name: (nullable): for a download, the name of the file to create (sanitised and made
 *   unique); for an upload, the name told to the server
 */
void
ferry_request_set_name (FerryRequest *self,
                        const char   *name)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  g_free (self->name);
  self->name = g_strdup (name);
}

/**
 * ferry_request_set_protocol:
 * @self: a request
 * @protocol: how an upload is sent
 */
void
ferry_request_set_protocol (FerryRequest        *self,
                            FerryUploadProtocol  protocol)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  self->protocol = protocol;
  self->set |= SET_PROTOCOL;
}

/**
 * ferry_request_set_method:
 * @self: a request
 * @method: (nullable): `POST` (the default) or `PUT`, for an upload
 */
void
ferry_request_set_method (FerryRequest *self,
                          const char   *method)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  g_free (self->method);
  self->method = g_strdup (method);
}

/**
 * ferry_request_set_content_type:
 * @self: a request
 * @content_type: (nullable): the upload's `Content-Type`
 */
void
ferry_request_set_content_type (FerryRequest *self,
                                const char   *content_type)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  g_free (self->content_type);
  self->content_type = g_strdup (content_type);
}

/**
 * ferry_request_set_form_field:
 * @self: a request
 * @form_field: (nullable): send the upload as a `multipart/form-data` POST with this field
 */
void
ferry_request_set_form_field (FerryRequest *self,
                              const char   *form_field)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  g_free (self->form_field);
  self->form_field = g_strdup (form_field);
}

static void fill_upload_details (FerryRequest *self,
                                 GVariantDict *dict);

static const char *
protocol_name (FerryUploadProtocol protocol)
{
  switch (protocol)
    {
    case FERRY_UPLOAD_PROTOCOL_IETF:
      return "ietf";
    case FERRY_UPLOAD_PROTOCOL_TUS:
      return "tus";
    case FERRY_UPLOAD_PROTOCOL_PLAIN:
      return "plain";
    case FERRY_UPLOAD_PROTOCOL_AUTO:
    default:
      return "auto";
    }
}

/* The options that Update takes, shared with AddDownload and AddUpload. */
static void fill_add_details (FerryRequest *self,
                              GVariantDict *dict);

void
_ferry_request_fill_update (FerryRequest *self,
                            GVariantDict *dict)
{
  if (self->set & SET_EARLIEST_BEGIN)
    g_variant_dict_insert (dict, "earliest-begin", "x", self->earliest_begin);
  if (self->set & SET_ALLOW_METERED)
    g_variant_dict_insert (dict, "allow-metered", "b", self->allow_metered);
  if (self->set & SET_DISCRETIONARY)
    g_variant_dict_insert (dict, "discretionary", "b", self->discretionary);
  if (self->set & SET_PRIORITY)
    g_variant_dict_insert (dict, "priority", "i", self->priority);
  if (self->set & SET_RATE_LIMIT)
    g_variant_dict_insert (dict, "rate-limit", "t", self->rate_limit);
}

void
_ferry_request_fill_options (FerryRequest      *self,
                             GVariantDict      *dict,
                             FerryTransferKind  kind)
{
  _ferry_request_fill_update (self, dict);

  if (self->set & SET_SHA256)
    g_variant_dict_insert (dict, "sha256", "s", self->sha256);
  if (self->set & SET_PAUSED)
    g_variant_dict_insert (dict, "paused", "b", self->paused);
  if (self->name != NULL)
    g_variant_dict_insert (dict, "filename", "s", self->name);
  if (g_hash_table_size (self->headers) > 0)
    {
      GVariantBuilder builder;
      GHashTableIter iter;
      gpointer name, value;

      g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
      g_hash_table_iter_init (&iter, self->headers);
      while (g_hash_table_iter_next (&iter, &name, &value))
        g_variant_builder_add (&builder, "{ss}", name, value);
      g_variant_dict_insert_value (dict, "headers", g_variant_builder_end (&builder));
    }

  if (kind == FERRY_TRANSFER_KIND_DOWNLOAD)
    {
      if (self->set & SET_CONNECTIONS)
        g_variant_dict_insert (dict, "connections", "u", self->connections);
      if (self->destination != NULL)
        {
          g_autofree char *path = g_file_get_path (self->destination);

          /* A folder without a local path cannot be written by the service: say so. */
          g_variant_dict_insert (dict, "destination", "s", path != NULL ? path : "");
        }
    }
  else
    {
      if (self->set & SET_PROTOCOL)
        g_variant_dict_insert (dict, "protocol", "s", protocol_name (self->protocol));
      if (self->method != NULL)
        g_variant_dict_insert (dict, "method", "s", self->method);
      if (self->content_type != NULL)
        g_variant_dict_insert (dict, "content-type", "s", self->content_type);
      if (self->form_field != NULL)
        g_variant_dict_insert (dict, "form-field", "s", self->form_field);
      fill_upload_details (self, dict);
    }

  fill_add_details (self, dict);
}

/* -- For adds: the session and the service's word at the end ------------------------------ */

/* Kept as object data, not fields: read only when an add's options are filled. */
#define SESSION_KEY "ferry-request-session"
#define NOTIFY_KEY "ferry-request-notify"

/**
 * ferry_request_set_session:
 * @self: a request
 * @session_id: (nullable): the session to add the transfer to, or %NULL
 *
 * For a session that follows every transfer (made with "" as its id, as a transfer
 * manager's is), the session the transfer is added to, usually an application id. A named
 * session always adds to itself, and the service fixes the session of a sandboxed caller
 * whatever is asked.
 *
 * Since: 0.1
 */
void
ferry_request_set_session (FerryRequest *self,
                           const char   *session_id)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));

  g_object_set_data_full (G_OBJECT (self), SESSION_KEY, g_strdup (session_id), g_free);
}

/**
 * ferry_request_get_session:
 * @self: a request
 *
 * Returns: (nullable): the session set with ferry_request_set_session()
 *
 * Since: 0.1
 */
const char *
ferry_request_get_session (FerryRequest *self)
{
  g_return_val_if_fail (FERRY_IS_REQUEST (self), NULL);

  return g_object_get_data (G_OBJECT (self), SESSION_KEY);
}

/**
 * ferry_request_set_notify:
 * @self: a request
 * @notify: whether the service activates the app's `transfers-finished` action
 *
 * Whether the service starts the app (D-Bus activation), or tells the running one, through
 * its `transfers-finished` action when the transfer ends. ferry_session_bind_application()
 * asks so for every ferry_session_download_async() and ferry_session_upload_async(); an app
 * that adds with ferry_session_add_download_async() and handles the action itself asks
 * here.
 *
 * Since: 0.1
 */
void
ferry_request_set_notify (FerryRequest *self,
                          gboolean      notify)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));

  g_object_set_data (G_OBJECT (self), NOTIFY_KEY, GINT_TO_POINTER (notify ? 1 : 0));
}

static void
fill_add_details (FerryRequest *self,
                  GVariantDict *dict)
{
  const char *session = g_object_get_data (G_OBJECT (self), SESSION_KEY);

  if (session != NULL)
    g_variant_dict_insert (dict, "session", "s", session);
  if (g_object_get_data (G_OBJECT (self), NOTIFY_KEY) != NULL)
    g_variant_dict_insert (dict, "notify", "b", TRUE);
}

/* -- The resumable upload draft's version ------------------------------------------------- */

/**
 * ferry_request_set_interop_version:
 * @self: a request
 * @version: the IETF resumable upload draft's interop version: 9 or 6; 0 for the service's
 *   default (9)
 *
 * For an upload with %FERRY_UPLOAD_PROTOCOL_IETF (or one found to speak the draft), which
 * interop version of the draft to speak to a server that knows only an older one. The
 * service refuses other versions.
 */
void
ferry_request_set_interop_version (FerryRequest *self,
                                   guint         version)
{
  g_return_if_fail (FERRY_IS_REQUEST (self));
  self->interop_version = version;
}

static void
fill_upload_details (FerryRequest *self,
                     GVariantDict *dict)
{
  if (self->interop_version != 0)
    g_variant_dict_insert (dict, "interop-version", "u", self->interop_version);
}
