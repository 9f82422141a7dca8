/* ferry-upload-ietf.c: the IETF resumable upload draft
 *
 * Interop 9, 8 or 6: the first the server takes unless the caller chose one, then the one
 * the upload was created in. Careful creation (an empty request with Upload-Complete: ?0,
 * then PATCH with application/partial-upload), HEAD for the offset after an interruption,
 * 409 → the server's offset, 404/410 → start over, 413 → smaller appends within
 * Upload-Limit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-upload"

#include "config.h"

#include "ferry-i18n.h"
#include "ferry-upload-private.h"

/* The draft's interop versions Ferry speaks, in the order it tries them: 9 (the wire format
 * of -12 and later), 8 (iOS 26), 6 (iOS 18.1, tusd). */
static const guint interop_versions[] = { FERRY_IETF_INTEROP_DEFAULT, 8, 6 };

/* @version's place in interop_versions, or -1 when Ferry does not speak it. */
static int
interop_rank (guint64 version)
{
  for (guint i = 0; i < G_N_ELEMENTS (interop_versions); i++)
    if (interop_versions[i] == version)
      return (int) i;
  return -1;
}

/* A server that names its interop version(s) in an answer (Upload-Draft-Interop-Version,
 * one number or a list) is spoken to in the one of them Ferry prefers, unless the version is
 * fixed already. */
static void
adopt_server_interop (Job         *job,
                      SoupMessage *msg)
{
  const char *value = ferry_upload_header (msg, "Upload-Draft-Interop-Version");
  g_auto(GStrv) items = NULL;
  guint best = 0;

  if (value == NULL || job->interop_pinned)
    return;

  items = g_strsplit (value, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      guint64 version;
      int rank;

      if (!g_ascii_string_to_unsigned (g_strstrip (items[i]), 10, 1, 1000, &version, NULL))
        continue;
      rank = interop_rank (version);
      if (rank >= 0 && (best == 0 || rank < interop_rank (best)))
        best = (guint) version;
    }

  if (best != 0 && best != job->interop)
    {
      g_debug ("Upload %" G_GUINT64_FORMAT ": the server speaks interop %u", job->id, best);
      job->interop = best;
    }
}

/* The interop version to try after @job's was refused, or 0 when none is left. */
static guint
next_interop (Job *job)
{
  for (guint i = 0; i + 1 < G_N_ELEMENTS (interop_versions); i++)
    if (interop_versions[i] == job->interop)
      return interop_versions[i + 1];
  return 0;
}

static void
read_limit (Job         *job,
            SoupMessage *msg)
{
  const char *limit = ferry_upload_header (msg, "Upload-Limit");

  if (limit != NULL)
    ferry_http_parse_upload_limit (limit, &job->limit);
}

static gboolean
ietf_recognises (SoupMessage *options)
{
  return ferry_upload_header (options, "Upload-Limit") != NULL ||
         ferry_upload_header (options, "Upload-Draft-Interop-Version") != NULL;
}

static void
ietf_set_headers (SoupMessage *msg,
                  guint        interop)
{
  g_autofree char *version = g_strdup_printf ("%u", interop);

  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "Upload-Draft-Interop-Version", version);
}

static const char *
ietf_creation_method (Job *job)
{
  return job->method;
}

/* Upload-Complete: ?0 ("careful" creation: the address arrives before any byte is sent) and
 * what is known of the representation. */
static void
ietf_prepare_creation (Job         *job,
                       SoupMessage *msg)
{
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_headers_replace (headers, "Upload-Complete", "?0");
  if (job->sha256 != NULL)
    {
      g_autofree char *encoded = NULL;
      g_autofree char *digest = NULL;
      guint8 bytes[32];

      for (guint i = 0; i < 32; i++)
        bytes[i] = (guint8) (g_ascii_xdigit_value (job->sha256[2 * i]) * 16 +
                             g_ascii_xdigit_value (job->sha256[2 * i + 1]));
      encoded = g_base64_encode (bytes, sizeof bytes);
      digest = g_strdup_printf ("sha-256=:%s:", encoded);
      soup_message_headers_replace (headers, "Repr-Digest", digest);
    }
  if (job->content_type != NULL)
    soup_message_headers_replace (headers, "Content-Type", job->content_type);
}

/* A server of another draft version does not recognise the request: tusd answers 412 (it
 * takes it for tus without Tus-Resumable), others 400. Try the next version. */
static gboolean
ietf_retry_creation (Job     *job,
                     GError **error)
{
  guint next;

  if (job->interop_pinned || (job->http_status != 400 && job->http_status != 412))
    return FALSE;

  next = next_interop (job);
  if (next != 0)
    {
      g_debug ("Upload %" G_GUINT64_FORMAT ": interop %u refused (HTTP %u), trying %u",
               job->id, job->interop, job->http_status, next);
      job->interop = next;
      return TRUE;
    }

  g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
               N_ ("The server refused the upload in each version of the resumable upload "
                   "draft Ferry speaks (interop 9, 8 and 6; HTTP %u); choose the plain "
                   "protocol, or the version the server speaks"), job->http_status);
  return FALSE;
}

static void
ietf_created (Job         *job,
              SoupMessage *msg)
{
  adopt_server_interop (job, msg);
  /* The upload exists in this version now: its resumption speaks it too. */
  job->interop_pinned = TRUE;
  read_limit (job, msg);
}

static gboolean
ietf_is_complete (Job         *job,
                  SoupMessage *msg)
{
  gboolean complete = FALSE;

  ferry_http_parse_sf_boolean (ferry_upload_header (msg, "Upload-Complete"), &complete);
  read_limit (job, msg);
  return complete;
}

static gboolean
ietf_prepare_append (Job          *job,
                     SoupMessage  *msg,
                     const Append *append,
                     GError      **error)
{
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Upload-Complete",
                                append->last ? "?1" : "?0");
  return TRUE;
}

const FerryUploadOps ferry_upload_ietf = {
  .protocol = FERRY_UPLOAD_IETF,
  .recognises = ietf_recognises,
  .discovered = adopt_server_interop,
  .set_headers = ietf_set_headers,
  .creation_method = ietf_creation_method,
  .prepare_creation = ietf_prepare_creation,
  .retry_creation = ietf_retry_creation,
  .created = ietf_created,
  .is_complete = ietf_is_complete,
  .prepare_append = ietf_prepare_append,
  .append_content_type = "application/partial-upload",
};
