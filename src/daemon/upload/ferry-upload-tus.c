/* ferry-upload-tus.c: tus 1.0
 *
 * POST with Upload-Length and Upload-Metadata, PATCH with application/offset+octet-stream
 * and Upload-Checksum when the server offers sha1 or sha256; done when the offset reaches
 * the length.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-upload"

#include "config.h"

#include <unistd.h>

#include "ferry-i18n.h"
#include "ferry-upload-private.h"

#define TUS_VERSION "1.0.0"

static gboolean
tus_recognises (SoupMessage *options)
{
  return ferry_http_list_has_token (ferry_upload_header (options, "Tus-Version"), TUS_VERSION);
}

/* The strongest checksum both sides know. */
static void
tus_discovered (Job         *job,
                SoupMessage *options)
{
  const char *algorithms = ferry_upload_header (options, "Tus-Checksum-Algorithm");

  if (ferry_http_list_has_token (algorithms, "sha256"))
    job->tus_checksum = G_CHECKSUM_SHA256;
  else if (ferry_http_list_has_token (algorithms, "sha1"))
    job->tus_checksum = G_CHECKSUM_SHA1;
}

static void
tus_set_headers (SoupMessage *msg,
                 guint        interop)
{
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Tus-Resumable",
                                TUS_VERSION);
}

static const char *
tus_creation_method (Job *job)
{
  return "POST";
}

static void
tus_prepare_creation (Job         *job,
                      SoupMessage *msg)
{
  g_autofree char *metadata = ferry_http_tus_metadata (job->filename, job->content_type);

  if (*metadata != '\0')
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Upload-Metadata",
                                  metadata);
}

static gboolean
tus_is_complete (Job         *job,
                 SoupMessage *msg)
{
  return job->offset == job->length;
}

/* The digest of @length bytes of @fd from @offset, base64, for Upload-Checksum. */
static char *
digest_of_range (GChecksumType type,
                 int           fd,
                 guint64       offset,
                 guint64       length,
                 GCancellable *cancellable)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (type);
  g_autofree guint8 *buffer = g_malloc (1024 * 1024);
  guint8 digest[64];
  gsize digest_len = sizeof digest;

  while (length > 0)
    {
      gssize n = pread (fd, buffer, (size_t) MIN (length, 1024 * 1024), (off_t) offset);

      if (n <= 0 || g_cancellable_is_cancelled (cancellable))
        return NULL;
      g_checksum_update (checksum, buffer, (gsize) n);
      offset += (guint64) n;
      length -= (guint64) n;
    }

  g_checksum_get_digest (checksum, digest, &digest_len);
  return g_base64_encode (digest, digest_len);
}

static gboolean
tus_prepare_append (Job          *job,
                    SoupMessage  *msg,
                    const Append *append,
                    GError      **error)
{
  g_autofree char *digest = NULL;
  g_autofree char *value = NULL;

  if (job->tus_checksum == 0)
    return TRUE;

  digest = digest_of_range (job->tus_checksum, append->fd, job->offset, append->size,
                            append->cancellable);
  if (digest == NULL)
    {
      g_propagate_error (error, g_cancellable_is_cancelled (append->cancellable)
                                  ? g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                         N_ ("Stopped"))
                                  : g_error_new_literal (FERRY_TRANSFER_ERROR,
                                                         FERRY_TRANSFER_ERROR_FAILED,
                                                         N_ ("The file changed while it "
                                                             "was being uploaded")));
      return FALSE;
    }
  value = g_strdup_printf ("%s %s", job->tus_checksum == G_CHECKSUM_SHA256 ? "sha256" : "sha1",
                           digest);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Upload-Checksum",
                                value);
  return TRUE;
}

const FerryUploadOps ferry_upload_tus = {
  .protocol = FERRY_UPLOAD_TUS,
  .recognises = tus_recognises,
  .discovered = tus_discovered,
  .set_headers = tus_set_headers,
  .creation_method = tus_creation_method,
  .prepare_creation = tus_prepare_creation,
  .is_complete = tus_is_complete,
  .prepare_append = tus_prepare_append,
  .append_content_type = "application/offset+octet-stream",
  .done_at_length = TRUE,
};
