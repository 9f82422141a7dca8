/* ferry-outcome.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-private.h"

/**
 * FerryOutcome:
 *
 * What became of a download or upload: one of [enum@Ferry.OutcomeKind], with what a caller
 * needs for each — the file of a success, the status and sentence of a rejection, the
 * retry time of a retry, the error of a failure — and the status and the headers that
 * matter of the last response ([method@Ferry.Outcome.get_response_header]).
 */

struct _FerryOutcome
{
  GObject parent_instance;

  FerryOutcomeKind kind;
  char *identifier;
  FerryTransfer *transfer;
  GFile *file;
  guint http_status;
  char *message;
  GError *error;
  gint64 retry_at;
  GHashTable *response_headers; /* canonical name → value */
};

G_DEFINE_FINAL_TYPE (FerryOutcome, ferry_outcome, G_TYPE_OBJECT)

static void
ferry_outcome_finalize (GObject *object)
{
  FerryOutcome *self = FERRY_OUTCOME (object);

  g_free (self->identifier);
  g_clear_object (&self->transfer);
  g_clear_object (&self->file);
  g_free (self->message);
  g_clear_error (&self->error);
  g_clear_pointer (&self->response_headers, g_hash_table_unref);

  G_OBJECT_CLASS (ferry_outcome_parent_class)->finalize (object);
}

static void
ferry_outcome_class_init (FerryOutcomeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ferry_outcome_finalize;
}

static void
ferry_outcome_init (FerryOutcome *self)
{
  self->response_headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* Takes @error. A snapshot: the outcome keeps what the transfer said when it ended. */
FerryOutcome *
_ferry_outcome_new (FerryOutcomeKind  kind,
                    const char       *identifier,
                    FerryTransfer    *transfer,
                    GError           *error)
{
  FerryOutcome *self = g_object_new (FERRY_TYPE_OUTCOME, NULL);

  self->kind = kind;
  self->identifier = g_strdup (identifier);
  self->error = error;
  if (transfer != NULL)
    {
      const char *destination = ferry_transfer_get_destination (transfer);
      const char *message = ferry_transfer_get_error (transfer);

      GVariant *headers = _ferry_transfer_get_response_headers (transfer);

      self->transfer = g_object_ref (transfer);
      self->http_status = ferry_transfer_get_http_status (transfer);
      if (headers != NULL)
        {
          GVariantIter iter;
          const char *name, *value;

          g_variant_iter_init (&iter, headers);
          while (g_variant_iter_next (&iter, "{&s&s}", &name, &value))
            g_hash_table_insert (self->response_headers, g_strdup (name), g_strdup (value));
        }
      self->retry_at = ferry_transfer_get_retry_at (transfer);
      if (message != NULL && *message != '\0')
        self->message = g_strdup (message);
      if (kind == FERRY_OUTCOME_SUCCESS && destination != NULL && *destination != '\0' &&
          ferry_transfer_get_kind (transfer) == FERRY_TRANSFER_KIND_DOWNLOAD)
        self->file = g_file_new_for_path (destination);
    }
  if (self->message == NULL && error != NULL)
    self->message = g_strdup (error->message);
  return self;
}

/**
 * ferry_outcome_get_kind:
 * @self: an outcome
 *
 * Returns: what became of the transfer
 */
FerryOutcomeKind
ferry_outcome_get_kind (FerryOutcome *self)
{
  g_return_val_if_fail (FERRY_IS_OUTCOME (self), FERRY_OUTCOME_FAILED);
  return self->kind;
}

/**
 * ferry_outcome_get_identifier:
 * @self: an outcome
 *
 * Returns: the identifier the transfer was requested with
 */
const char *
ferry_outcome_get_identifier (FerryOutcome *self)
{
  g_return_val_if_fail (FERRY_IS_OUTCOME (self), NULL);
  return self->identifier;
}

/**
 * ferry_outcome_get_transfer:
 * @self: an outcome
 *
 * Returns: (transfer none) (nullable): the transfer, or %NULL when the service never took it
 */
FerryTransfer *
ferry_outcome_get_transfer (FerryOutcome *self)
{
  g_return_val_if_fail (FERRY_IS_OUTCOME (self), NULL);
  return self->transfer;
}

/**
 * ferry_outcome_get_file:
 * @self: an outcome
 *
 * Returns: (transfer none) (nullable): the downloaded file, for a successful download
 */
GFile *
ferry_outcome_get_file (FerryOutcome *self)
{
  g_return_val_if_fail (FERRY_IS_OUTCOME (self), NULL);
  return self->file;
}

/**
 * ferry_outcome_get_http_status:
 * @self: an outcome
 *
 * Returns: the status of the last response (200, 404, 503…), 0 if there was none
 */
guint
ferry_outcome_get_http_status (FerryOutcome *self)
{
  g_return_val_if_fail (FERRY_IS_OUTCOME (self), 0);
  return self->http_status;
}

/**
 * ferry_outcome_get_message:
 * @self: an outcome
 *
 * Returns: (nullable): a sentence saying what went wrong, for a person
 */
const char *
ferry_outcome_get_message (FerryOutcome *self)
{
  g_return_val_if_fail (FERRY_IS_OUTCOME (self), NULL);
  return self->message;
}

/**
 * ferry_outcome_get_error:
 * @self: an outcome
 *
 * Returns: (transfer none) (nullable): for %FERRY_OUTCOME_FAILED, the error, in the
 *   %FERRY_ERROR domain (or %G_IO_ERROR, %G_DBUS_ERROR when the service could not be reached)
 */
const GError *
ferry_outcome_get_error (FerryOutcome *self)
{
  g_return_val_if_fail (FERRY_IS_OUTCOME (self), NULL);
  return self->error;
}

/**
 * ferry_outcome_get_retry_at:
 * @self: an outcome
 *
 * Returns: for %FERRY_OUTCOME_RETRY, the Unix time of the next attempt: never before what
 *   the server asked for with `Retry-After`; else 0
 */
gint64
ferry_outcome_get_retry_at (FerryOutcome *self)
{
  g_return_val_if_fail (FERRY_IS_OUTCOME (self), 0);
  return self->kind == FERRY_OUTCOME_RETRY ? self->retry_at : 0;
}

/**
 * ferry_outcome_get_response_headers:
 * @self: an outcome
 *
 * The headers that matter of the last response, the one
 * [method@Ferry.Outcome.get_http_status] is of, by their canonical names (`Content-Type`,
 * `ETag`…). Only these are kept, each for a reason an app has: `Content-Type`,
 * `Content-Encoding` (the file holds the bytes as they came: an encoded body stays encoded),
 * `Content-Language`, `Content-Length`, `Content-Range`, `Content-Disposition` (the name the
 * server suggested), `ETag` and `Last-Modified` (for the app's own conditional requests),
 * `Cache-Control`, `Expires`, `Age`, `Date`, `Repr-Digest`, `Content-Digest`, `Retry-After`;
 * for uploads also `Location` and the resumable protocols' `Upload-*` and `Tus-*` fields.
 * Never `Set-Cookie`, an authentication challenge or a header the service does not know: a
 * server's cookies and tokens are not for other programs to read.
 *
 * The service keeps them with the transfer, so an outcome delivered after the service or
 * the app restarted has them too.
 *
 * Returns: (transfer none) (element-type utf8 utf8): the headers; empty when there was no
 *   response, or the service is older than this
 */
GHashTable *
ferry_outcome_get_response_headers (FerryOutcome *self)
{
  g_return_val_if_fail (FERRY_IS_OUTCOME (self), NULL);
  return self->response_headers;
}

/**
 * ferry_outcome_get_response_header:
 * @self: an outcome
 * @name: a header's name, in any case (`etag` finds `ETag`)
 *
 * One of [method@Ferry.Outcome.get_response_headers].
 *
 * Returns: (nullable): the header's value, or %NULL when the last response had none or it
 *   is not one the service shows
 */
const char *
ferry_outcome_get_response_header (FerryOutcome *self,
                                   const char   *name)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (FERRY_IS_OUTCOME (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  g_hash_table_iter_init (&iter, self->response_headers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_ascii_strcasecmp (key, name) == 0)
        return value;
    }
  return NULL;
}
