/* ferry-upload.c
 *
 * An attempt runs on a worker thread with libsoup's blocking API, the fast path for request
 * bodies in libsoup 3.2 (PROTOCOLS.md §4), on a session of its own. What the thread learns
 * that a restart needs — the protocol, the upload's address, each acknowledged offset — is
 * handed to the main thread, which stores it before anything else happens.
 *
 * The protocols are in upload/: ferry-upload-ietf.c (the IETF draft), ferry-upload-tus.c
 * (tus 1.0) and ferry-upload-plain.c (one PUT or POST); each is a FerryUploadOps
 * (upload/ferry-upload-private.h). What is here is theirs in common: finding the protocol,
 * the requests and their redirects, the body, and the resumable loop (create, ask for the
 * offset, append). Appends grow from 8 MiB while each takes under a second, so the offset
 * the server acknowledges, which is what BytesDone shows, moves at least about once a
 * second.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-upload"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ferry-body-stream.h"
#include "ferry-http.h"
#include "ferry-i18n.h"
#include "ferry-proxy.h"
#include "ferry-source.h"
#include "ferry-upload.h"
#include "upload/ferry-upload-private.h"

#define FIRST_APPEND_SIZE (8 * 1024 * 1024)
#define MAX_APPEND_SIZE (G_GUINT64_CONSTANT (1) << 30)
#define MIN_APPEND_SIZE (64 * 1024)
#define MAX_REDIRECTS 5
#define MAX_STARTS_OVER 3

struct _FerryUpload
{
  GObject parent_instance;

  FerryTransfer *transfer;
  SoupSession *session;    /* the daemon's, for telling the server to forget an upload */
  GMainContext *context;
  FerryRateLimiter *shared_limiter;
  FerryRateLimiter *own_limiter;
  gint64 retry_after;
  guint64 start_offset;
  guint64 acknowledged;

  GMutex sent_lock;        /* sent is written by the worker, read by the progress tick */
  guint64 sent;
};

static void ferry_upload_engine_init (FerryEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FerryUpload, ferry_upload, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FERRY_TYPE_ENGINE,
                                                      ferry_upload_engine_init))

/* Every protocol, in the order "auto" looks for them in a server's OPTIONS answer; the last,
 * which needs nothing of the server, is what "auto" takes when it finds none. */
static const FerryUploadOps *const protocols[] = {
  &ferry_upload_tus,
  &ferry_upload_ietf,
  &ferry_upload_plain,
};

/* The protocol @protocol names, or NULL for "auto". */
static const FerryUploadOps *
ops_for (FerryUploadProtocol protocol)
{
  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    if (protocols[i]->protocol == protocol)
      return protocols[i];
  return NULL;
}

/* Whether the server keeps the upload between requests: what ferry-upload.c runs step by
 * step, resumed from the server's offset and deleted there when given up. */
static gboolean
is_resumable (const FerryUploadOps *ops)
{
  return ops != NULL && ops->run == NULL;
}

static void
job_free (Job *job)
{
  g_free (job->uri);
  g_free (job->method);
  g_free (job->upload_url);
  g_free (job->content_type);
  g_free (job->form_field);
  g_free (job->filename);
  g_free (job->sha256);
  g_clear_pointer (&job->headers, g_variant_unref);
  g_free (job->source_path);
  g_clear_pointer (&job->response_headers, g_variant_unref);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)


/* -- Handing state to the main thread ------------------------------------------------------ */

typedef struct
{
  FerryUpload *upload;
  FerryUploadProtocol used;
  char *upload_url;
  guint64 offset;
  guint http_status;
  guint interop;
  gboolean interop_pinned;
  GVariant *response_headers;
} Update;

static void
update_free (Update *update)
{
  g_object_unref (update->upload);
  g_free (update->upload_url);
  g_clear_pointer (&update->response_headers, g_variant_unref);
  g_free (update);
}

static gboolean
apply_update (gpointer user_data)
{
  Update *update = user_data;
  FerryUpload *self = update->upload;
  const FerryRecord *r = ferry_transfer_get_record (self->transfer);
  g_autoptr(GError) error = NULL;

  ferry_transfer_set_upload_resource (self->transfer, update->used,
                                      is_resumable (ops_for (update->used)), update->upload_url,
                                      update->interop, update->interop_pinned);
  ferry_transfer_set_bytes_done (self->transfer, update->offset);
  ferry_transfer_set_response (self->transfer, update->http_status, update->response_headers,
                               NULL);
  self->acknowledged = update->offset;

  if (!ferry_engine_checkpoint (FERRY_ENGINE (self), &error))
    g_warning ("Could not store the progress of upload %" G_GUINT64_FORMAT ": %s",
               r->id, error->message);
  ferry_transfer_set_live_bytes (self->transfer, update->offset);
  return G_SOURCE_REMOVE;
}

void
ferry_upload_post_state (FerryUpload *self,
                         Job         *job)
{
  Update *update = g_new0 (Update, 1);

  update->upload = g_object_ref (self);
  update->used = job->used;
  update->upload_url = g_strdup (job->upload_url);
  update->offset = job->offset;
  update->http_status = job->http_status;
  if (job->response_headers != NULL)
    update->response_headers = g_variant_ref (job->response_headers);
  update->interop = job->interop;
  update->interop_pinned = job->interop_pinned;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, apply_update, update,
                              (GDestroyNotify) update_free);
}

/* -- HTTP on the worker thread ------------------------------------------------------------- */

/* A request to the upload's server: libsoup follows no redirect (a 302 would turn PATCH or
 * PUT into a GET without a body; 307 and 308 are followed here), the caller's headers go
 * along (their credentials only to the origin of @caller_uri, the target the caller gave),
 * and so does the header the protocol in use wants on every request. NULL when @uri is not
 * an address. */
static SoupMessage *
upload_request (const char          *method,
                const char          *uri,
                const char          *caller_uri,
                GVariant            *caller_headers,
                FerryUploadProtocol  used,
                guint                interop)
{
  SoupMessage *msg = soup_message_new (method, uri);

  if (msg == NULL)
    return NULL;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  ferry_http_add_caller_headers (msg, caller_headers, caller_uri);
  if (ops_for (used) != NULL && ops_for (used)->set_headers != NULL)
    ops_for (used)->set_headers (msg, interop);
  return msg;
}

static SoupMessage *
new_message (Job        *job,
             const char *method,
             const char *uri,
             GError    **error)
{
  SoupMessage *msg = upload_request (method, uri, job->uri, job->headers, job->used,
                                     job->interop);

  if (msg == NULL)
    g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                 N_ ("The address %s is not valid"), uri);
  return msg;
}

static void
set_empty_body (SoupMessage *msg)
{
  soup_message_set_request_body_from_bytes (msg, NULL, NULL);
  soup_message_headers_set_content_length (soup_message_get_request_headers (msg), 0);
}

/* Sends @msg and reads its (small) answer to the end. FALSE only when no answer came. */
static gboolean
exchange (SoupSession  *session,
          SoupMessage  *msg,
          GCancellable *cancellable,
          GError      **error)
{
  g_autoptr(GInputStream) body = NULL;
  g_autoptr(GError) local_error = NULL;
  char buffer[4096];
  gsize total = 0;
  gssize n;

  ferry_proxy_authorize_ahead (session, msg);
  ferry_proxy_watch (session, msg);
  body = soup_session_send (session, msg, cancellable, &local_error);
  if (body == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
        /* The body stream's own words: the file changed while it was being sent. */
        g_set_error_literal (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                             local_error->message);
      else
        g_propagate_error (error, ferry_transfer_error_from_network (
                                    local_error,
                                    soup_message_get_tls_peer_certificate_errors (msg) != 0));
      return FALSE;
    }

  /* The answer's body is not used; a server that sends a lot is not read for long. */
  while ((n = g_input_stream_read (body, buffer, sizeof buffer, cancellable, NULL)) > 0 &&
         (total += (gsize) n) < 1024 * 1024)
    ;
  g_input_stream_close (body, NULL, NULL);
  return TRUE;
}

const char *
ferry_upload_header (SoupMessage *msg,
                     const char  *name)
{
  return soup_message_headers_get_one (soup_message_get_response_headers (msg), name);
}

/* The answer the transfer reports: its status, and what a client may read of its headers. */
void
ferry_upload_keep_response (Job         *job,
                            SoupMessage *msg)
{
  job->http_status = soup_message_get_status (msg);
  g_clear_pointer (&job->response_headers, g_variant_unref);
  job->response_headers =
    ferry_http_shown_response_headers (soup_message_get_response_headers (msg), TRUE);
}

/* The error for an answer that is not what the step needed. */
static GError *
status_error (Job         *job,
              SoupMessage *msg)
{
  guint status = soup_message_get_status (msg);
  const char *reason = soup_message_get_reason_phrase (msg);

  ferry_upload_keep_response (job, msg);

  if (ferry_http_status_is_transient (status))
    {
      gint64 delay;

      if (ferry_http_parse_retry_after (ferry_upload_header (msg, "Retry-After"),
                                        g_get_real_time () / G_USEC_PER_SEC, &delay))
        job->retry_after = delay;
      return g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT, N_ ("%s (HTTP %u)"),
                          ferry_http_transient_reason (status), status);
    }

  switch (status)
    {
    case 401:
      return g_error_new_literal (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                                  N_ ("The server requires a login to upload here (HTTP 401)"));
    case 403:
      return g_error_new_literal (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                                  N_ ("The server refused the upload (HTTP 403)"));
    case 407:
      return g_error_new_literal (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                                  N_ ("The proxy did not take the user name and password of the "
                                      "proxy settings (HTTP 407)"));
    case 404:
      return g_error_new_literal (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                                  N_ ("There is nothing at this address to upload to (HTTP 404)"));
    case 405:
      return g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                          N_ ("The server does not take uploads with %s here (HTTP 405)"),
                          job->method);
    case 413:
      return g_error_new_literal (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                                  N_ ("The file is larger than the server accepts (HTTP 413)"));
    default:
      break;
    }

  if (status >= 300 && status < 400)
    return g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                        N_ ("The server moved the upload elsewhere in a way that would lose the "
                            "file (HTTP %u)"), status);

  return g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                      N_ ("The server refused the upload (HTTP %u %s)"),
                      status, reason ? reason : "");
}

/* Resolves the Location of @msg against the address it was sent to. */
static char *
location_of (SoupMessage *msg)
{
  const char *location = ferry_upload_header (msg, "Location");
  g_autoptr(GUri) resolved = NULL;

  if (location == NULL)
    return NULL;
  resolved = g_uri_parse_relative (soup_message_get_uri (msg), location, SOUP_HTTP_URI_FLAGS,
                                   NULL);
  if (resolved == NULL)
    return NULL;
  if (g_strcmp0 (g_uri_get_scheme (resolved), "http") != 0 &&
      g_strcmp0 (g_uri_get_scheme (resolved), "https") != 0)
    return NULL;
  return g_uri_to_string (resolved);
}

/* 307 and 308 keep the method and the body: follow them, not from https to http. */
static char *
redirect_target (SoupMessage *msg)
{
  guint status = soup_message_get_status (msg);
  g_autofree char *target = NULL;

  if (status != 307 && status != 308)
    return NULL;
  target = location_of (msg);
  if (target == NULL)
    return NULL;
  if (g_str_equal (g_uri_get_scheme (soup_message_get_uri (msg)), "https") &&
      !g_str_has_prefix (target, "https:"))
    return NULL;
  return g_steal_pointer (&target);
}

/* A 307 or 308 from https to http, which redirect_target() does not follow. */
static gboolean
redirects_to_insecure (SoupMessage *msg)
{
  guint status = soup_message_get_status (msg);
  g_autofree char *target = NULL;

  if (status != 307 && status != 308)
    return FALSE;
  target = location_of (msg);
  return target != NULL && g_str_equal (g_uri_get_scheme (soup_message_get_uri (msg)), "https") &&
         !g_str_has_prefix (target, "https:");
}

static void
on_body_reached (guint64  reached,
                 gpointer user_data)
{
  FerryUpload *self = user_data;

  g_mutex_lock (&self->sent_lock);
  self->sent = reached;
  g_mutex_unlock (&self->sent_lock);
}

static GInputStream *
body_for (FerryUpload *self,
          int          fd,
          guint64      offset,
          guint64      length,
          GBytes      *prefix,
          GBytes      *suffix)
{
  return ferry_body_stream_new (dup (fd), offset, length, prefix, suffix, self->shared_limiter,
                                self->own_limiter, on_body_reached, g_object_ref (self),
                                g_object_unref);
}

static void
set_body (SoupMessage *msg,
          Body        *body)
{
  g_autoptr(GInputStream) stream = body_for (body->upload, body->fd, body->offset, body->length,
                                             body->prefix, body->suffix);

  soup_message_set_request_body (msg, body->content_type, stream,
                                 (gssize) ferry_body_stream_get_size (FERRY_BODY_STREAM (stream)));
}

static void
on_restarted (SoupMessage *msg,
              Body        *body)
{
  g_debug ("Upload: the request is sent again; so is its body, from its start");
  set_body (msg, body);
}

/* Gives @msg its body, now and whenever libsoup sends it again; @body must outlive the
 * exchange. */
void
ferry_upload_attach_body (SoupMessage *msg,
                          Body        *body)
{
  set_body (msg, body);
  g_signal_connect (msg, "restarted", G_CALLBACK (on_restarted), body);
}

/* Whether the source is still the file the attempt opened: written to in place, even with
 * its size and modification time put back, it has a new ctime. Checked after the last byte
 * is read and before the upload is called complete, since what was sent may be a mix. */
gboolean
ferry_upload_source_unchanged (Job     *job,
                               int      fd,
                               GError **error)
{
  struct stat st;

  if (fstat (fd, &st) == 0 && st.st_size == job->opened.st_size &&
      st.st_mtim.tv_sec == job->opened.st_mtim.tv_sec &&
      st.st_mtim.tv_nsec == job->opened.st_mtim.tv_nsec &&
      st.st_ctim.tv_sec == job->opened.st_ctim.tv_sec &&
      st.st_ctim.tv_nsec == job->opened.st_ctim.tv_nsec)
    return TRUE;

  g_message ("Upload %" G_GUINT64_FORMAT ": the file was written to while it was sent",
             job->id);
  g_set_error_literal (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                       N_ ("The file changed while it was being uploaded, so the server may have "
                           "a mix of two versions; upload it again once it is no longer being "
                           "written"));
  return FALSE;
}

/* -- Finding the protocol ------------------------------------------------------------------ */

static gboolean
discover (Job          *job,
          SoupSession  *session,
          GCancellable *cancellable,
          GError      **error)
{
  g_autoptr(SoupMessage) msg = new_message (job, "OPTIONS", job->uri, error);
  guint status;

  if (msg == NULL)
    return FALSE;

  /* Asked in every protocol's words at once. */
  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    if (protocols[i]->set_headers != NULL)
      protocols[i]->set_headers (msg, job->interop);
  if (!exchange (session, msg, cancellable, error))
    return FALSE;

  status = soup_message_get_status (msg);
  /* A server busy or down is asked again later; one that does not implement OPTIONS (501)
   * offers no resumable protocol, like one that refuses it (405). */
  if (ferry_http_status_is_transient (status) && status != SOUP_STATUS_NOT_IMPLEMENTED)
    {
      g_propagate_error (error, status_error (job, msg));
      return FALSE;
    }

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      const char *limit = ferry_upload_header (msg, "Upload-Limit");

      if (limit != NULL)
        ferry_http_parse_upload_limit (limit, &job->limit);
      for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
        if (protocols[i]->discovered != NULL)
          protocols[i]->discovered (job, msg);

      for (guint i = 0; ops_for (job->protocol) == NULL && i < G_N_ELEMENTS (protocols); i++)
        if (protocols[i]->recognises != NULL && protocols[i]->recognises (msg))
          {
            job->used = protocols[i]->protocol;
            break;
          }
    }

  if (ops_for (job->used) == NULL)
    job->used = ops_for (job->protocol) != NULL ? job->protocol
                                                : protocols[G_N_ELEMENTS (protocols) - 1]->protocol;

  g_debug ("Upload %" G_GUINT64_FORMAT ": %s", job->id,
           ferry_upload_protocol_to_string (job->used));
  return TRUE;
}

/* Sends a @method request to the upload's target, again to the new address of a 307 or 308
 * (up to MAX_REDIRECTS; these keep the method and the body). Returns the message once it
 * answered with a success; NULL with @error otherwise. */
SoupMessage *
ferry_upload_send_to_target (Job            *job,
                             SoupSession    *session,
                             const char     *method,
                             PrepareRequest  prepare,
                             gpointer        data,
                             GCancellable   *cancellable,
                             GError        **error)
{
  g_autofree char *target = g_strdup (job->uri);

  for (guint hops = 0;; hops++)
    {
      g_autoptr(SoupMessage) msg = new_message (job, method, target, error);
      g_autofree char *next = NULL;

      if (msg == NULL)
        return NULL;

      prepare (job, msg, data);
      if (!exchange (session, msg, cancellable, error))
        return NULL;

      next = redirect_target (msg);
      if (next == NULL && redirects_to_insecure (msg))
        {
          g_set_error_literal (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                               N_ ("The server redirected the upload from a secure address to an "
                                   "insecure one; Ferry does not follow that"));
          return NULL;
        }
      if (next != NULL && hops < MAX_REDIRECTS)
        {
          g_free (target);
          target = g_steal_pointer (&next);
          continue;
        }

      if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
        {
          g_propagate_error (error, status_error (job, msg));
          return NULL;
        }
      return g_steal_pointer (&msg);
    }
}

/* -- Resumable: the IETF draft and tus ----------------------------------------------------- */

/* The creation request's headers: the length, and what the protocol adds. */
static void
prepare_creation (Job         *job,
                  SoupMessage *msg,
                  gpointer     data)
{
  g_autofree char *length = g_strdup_printf ("%" G_GUINT64_FORMAT, job->length);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Upload-Length",
                                length);
  ops_for (job->used)->prepare_creation (job, msg);
  set_empty_body (msg);
}

/* Creates the upload resource: an empty request with the length and, for the draft,
 * Upload-Complete: ?0 ("careful" creation: the address arrives before any byte is sent). */
static gboolean
create (FerryUpload  *self,
        Job          *job,
        SoupSession  *session,
        GCancellable *cancellable,
        GError      **error)
{
  const FerryUploadOps *ops = ops_for (job->used);
  g_autoptr(SoupMessage) msg = NULL;

  for (;;)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(GError) own = NULL;

      msg = ferry_upload_send_to_target (job, session, ops->creation_method (job),
                                         prepare_creation, NULL, cancellable, &local);
      if (msg != NULL)
        break;

      if (ops->retry_creation != NULL && ops->retry_creation (job, &own))
        continue;

      g_propagate_error (error, own != NULL ? g_steal_pointer (&own) : g_steal_pointer (&local));
      return FALSE;
    }

  if (ops->created != NULL)
    ops->created (job, msg);

  g_free (job->upload_url);
  job->upload_url = location_of (msg);
  if (job->upload_url == NULL)
    {
      g_set_error_literal (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                           N_ ("The server accepted the upload but gave no address to send the "
                               "file to"));
      return FALSE;
    }
  /* The file would travel in the clear, and the address is kept for later attempts. */
  if (g_str_equal (g_uri_get_scheme (soup_message_get_uri (msg)), "https") &&
      !g_str_has_prefix (job->upload_url, "https:"))
    {
      g_clear_pointer (&job->upload_url, g_free);
      g_set_error_literal (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_REJECTED,
                           N_ ("The server asked for the file to be sent to an insecure (http) "
                               "address although the upload began on a secure one; Ferry sent "
                               "nothing there"));
      return FALSE;
    }
  job->offset = 0;
  ferry_upload_post_state (self, job);
  return TRUE;
}

typedef enum
{
  OFFSET_KNOWN,      /* job->offset is what the server has */
  OFFSET_COMPLETE,   /* the server has the whole file (the last answer was lost) */
  OFFSET_GONE,       /* the upload expired or was removed: start over */
  OFFSET_MIXED,      /* the server has more than the file: not what Ferry sent, start over */
} OffsetResult;

/* Asks the server how much it has (HEAD on the upload's address). */
static gboolean
retrieve_offset (Job          *job,
                 SoupSession  *session,
                 GCancellable *cancellable,
                 OffsetResult *result,
                 GError      **error)
{
  g_autoptr(SoupMessage) msg = new_message (job, "HEAD", job->upload_url, error);
  guint status;
  guint64 offset;
  gboolean complete = FALSE;

  if (msg == NULL)
    return FALSE;
  if (!exchange (session, msg, cancellable, error))
    return FALSE;

  status = soup_message_get_status (msg);
  if (status == 404 || status == 410)
    {
      *result = OFFSET_GONE;
      return TRUE;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_propagate_error (error, status_error (job, msg));
      return FALSE;
    }

  if (!ferry_http_parse_offset (ferry_upload_header (msg, "Upload-Offset"), &offset))
    {
      g_set_error_literal (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                           N_ ("The server did not say how much of the file it has"));
      return FALSE;
    }
  if (offset > job->length)
    {
      *result = OFFSET_MIXED;
      return TRUE;
    }

  job->offset = offset;
  complete = ops_for (job->used)->is_complete (job, msg);
  *result = complete && offset == job->length ? OFFSET_COMPLETE : OFFSET_KNOWN;
  return TRUE;
}

static guint64
append_size (Job *job)
{
  guint64 size = job->append_size;

  if (job->limit.max_append_size > 0)
    size = MIN (size, job->limit.max_append_size);
  if (job->limit.min_append_size > 0)
    size = MAX (size, job->limit.min_append_size);
  return MIN (size, job->length - job->offset);
}

/* One PATCH from the offset. */
typedef enum
{
  APPEND_DONE,        /* the server took the bytes */
  APPEND_CONFLICT,    /* the offsets disagreed; job->offset is what to send next, or HEAD */
  APPEND_TOO_LARGE,   /* 413: send less at a time */
  APPEND_GONE,        /* 404/410: start over */
  APPEND_MIXED,       /* the server counts bytes Ferry did not send: start over */
} AppendResult;

static gboolean
append (FerryUpload  *self,
        Job          *job,
        SoupSession  *session,
        int           fd,
        GCancellable *cancellable,
        AppendResult *result,
        GError      **error)
{
  guint64 size = append_size (job);
  gboolean last = job->offset + size == job->length;
  g_autoptr(SoupMessage) msg = new_message (job, "PATCH", job->upload_url, error);
  Body body = { 0 };
  SoupMessageHeaders *headers;
  g_autofree char *offset = NULL;
  guint status;
  guint64 server_offset;
  gint64 started;

  if (msg == NULL)
    return FALSE;

  headers = soup_message_get_request_headers (msg);
  offset = g_strdup_printf ("%" G_GUINT64_FORMAT, job->offset);
  soup_message_headers_replace (headers, "Upload-Offset", offset);

  if (!ops_for (job->used)->prepare_append (job, msg, &(Append) { fd, size, last, cancellable },
                                            error))
    return FALSE;

  body.upload = self;
  body.content_type = ops_for (job->used)->append_content_type;
  body.fd = fd;
  body.offset = job->offset;
  body.length = size;
  ferry_upload_attach_body (msg, &body);

  started = g_get_monotonic_time ();
  if (!exchange (session, msg, cancellable, error))
    return FALSE;

  status = soup_message_get_status (msg);
  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      /* The server's word on its offset wins, where it gives one that makes sense. More than
       * was sent means bytes from elsewhere (an older append it did not stop, say) are mixed
       * into the upload: it cannot be finished into the file. */
      gboolean told = ferry_http_parse_offset (ferry_upload_header (msg, "Upload-Offset"),
                                               &server_offset);

      if (told && server_offset > job->offset + size)
        {
          g_message ("Upload %" G_GUINT64_FORMAT ": the server counts %" G_GUINT64_FORMAT
                     " bytes after Ferry sent %" G_GUINT64_FORMAT, job->id, server_offset,
                     job->offset + size);
          *result = APPEND_MIXED;
          return TRUE;
        }
      if (told && server_offset >= job->offset)
        job->offset = server_offset;
      else
        job->offset += size;
      if (job->offset == job->length)
        ferry_upload_keep_response (job, msg);

      /* Grow the appends while each is quick, so acknowledgements come about once a second. */
      if (g_get_monotonic_time () - started < G_USEC_PER_SEC / 2 && job->append_size < MAX_APPEND_SIZE)
        job->append_size *= 2;
      *result = APPEND_DONE;
      return TRUE;
    }

  switch (status)
    {
    case 409:
      /* The server has another offset; the draft says which, tus needs a HEAD. */
      if (ferry_http_parse_offset (ferry_upload_header (msg, "Upload-Offset"), &server_offset) &&
          server_offset <= job->length)
        job->offset = server_offset;
      else
        job->offset = G_MAXUINT64;
      *result = APPEND_CONFLICT;
      return TRUE;

    case 413:
      if (ferry_upload_header (msg, "Upload-Limit") != NULL)
        ferry_http_parse_upload_limit (ferry_upload_header (msg, "Upload-Limit"), &job->limit);
      if (size <= MIN_APPEND_SIZE)
        {
          g_propagate_error (error, status_error (job, msg));
          return FALSE;
        }
      job->append_size = MAX (size / 2, MIN_APPEND_SIZE);
      *result = APPEND_TOO_LARGE;
      return TRUE;

    case 404:
    case 410:
      *result = APPEND_GONE;
      return TRUE;

    case 460:
      g_set_error_literal (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                           N_ ("The server received the data damaged (checksum mismatch)"));
      return FALSE;

    default:
      g_propagate_error (error, status_error (job, msg));
      return FALSE;
    }
}

/* Leaves the upload resource the server has (@mixed: asking it to delete it, as its bytes
 * are not the file's) and begins a new one, a few times at most. */
static gboolean
start_over (FerryUpload  *self,
            Job          *job,
            SoupSession  *session,
            gboolean      mixed,
            GCancellable *cancellable,
            GError      **error)
{
  if (++job->starts_over > MAX_STARTS_OVER)
    {
      g_set_error_literal (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_TRANSIENT,
                           mixed ? N_ ("The server keeps counting bytes that Ferry did not send")
                                 : N_ ("The server keeps forgetting the upload"));
      return FALSE;
    }

  if (mixed)
    {
      g_autoptr(SoupMessage) msg = new_message (job, "DELETE", job->upload_url, NULL);

      g_message ("Upload %" G_GUINT64_FORMAT ": the server's copy is not the file; starting "
                 "over in a new upload", job->id);
      if (msg != NULL)
        exchange (session, msg, cancellable, NULL);
    }
  else
    g_debug ("Upload %" G_GUINT64_FORMAT ": the server forgot it; starting over", job->id);
  g_clear_pointer (&job->upload_url, g_free);
  job->offset = 0;
  ferry_upload_post_state (self, job);
  return TRUE;
}

static gboolean
run_resumable (FerryUpload  *self,
               Job          *job,
               SoupSession  *session,
               int           fd,
               GCancellable *cancellable,
               GError      **error)
{
  /* An address from an earlier attempt: ask where that one got to. */
  gboolean need_offset = job->upload_url != NULL;

  for (;;)
    {
      AppendResult result;

      if (job->upload_url == NULL)
        {
          if (!create (self, job, session, cancellable, error))
            return FALSE;
          need_offset = FALSE;
        }

      if (need_offset)
        {
          OffsetResult where;

          if (!retrieve_offset (job, session, cancellable, &where, error))
            return FALSE;
          need_offset = FALSE;
          if (where == OFFSET_GONE || where == OFFSET_MIXED)
            {
              if (!start_over (self, job, session, where == OFFSET_MIXED, cancellable, error))
                return FALSE;
              continue;
            }
          ferry_upload_post_state (self, job);
          if (where == OFFSET_COMPLETE)
            return ferry_upload_source_unchanged (job, fd, error);
        }

      /* tus is done when the offset reaches the length; the draft needs a last append
       * that says Upload-Complete: ?1, empty if every byte is there already. */
      if (ops_for (job->used)->done_at_length && job->offset == job->length)
        return ferry_upload_source_unchanged (job, fd, error);

      /* Bytes sent before this append came from a file written to since: none of it (and
       * for the draft, no Upload-Complete: ?1) is sent on top. */
      if (!ferry_upload_source_unchanged (job, fd, error))
        return FALSE;

      if (!append (self, job, session, fd, cancellable, &result, error))
        {
          ferry_upload_post_state (self, job);
          return FALSE;
        }

      switch (result)
        {
        case APPEND_DONE:
          ferry_upload_post_state (self, job);
          if (job->offset == job->length)
            return ferry_upload_source_unchanged (job, fd, error);
          break;

        case APPEND_CONFLICT:
          if (job->offset == G_MAXUINT64)
            need_offset = TRUE;
          else
            ferry_upload_post_state (self, job);
          break;

        case APPEND_TOO_LARGE:
          break;

        case APPEND_MIXED:
        case APPEND_GONE:
        default:
          if (!start_over (self, job, session, result == APPEND_MIXED, cancellable, error))
            return FALSE;
          break;
        }
    }
}

/* -- The attempt --------------------------------------------------------------------------- */

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  FerryUpload *self = source_object;
  Job *job = task_data;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;
  int fd;

  fd = ferry_source_open (job->source_path, job->source_dev, job->source_ino, job->length,
                          job->source_mtime, &error);
  if (fd < 0 || fstat (fd, &job->opened) != 0)
    {
      if (fd >= 0)
        close (fd);
      g_task_return_error (task, error ? g_steal_pointer (&error)
                                       : g_error_new_literal (FERRY_TRANSFER_ERROR,
                                                              FERRY_TRANSFER_ERROR_FAILED,
                                                              N_ ("The file to upload cannot be "
                                                                  "read")));
      return;
    }

  /* A session for this attempt alone: used from this thread only, with the stall timeout
   * as its I/O timeout. */
  session = soup_session_new_with_options ("timeout", ferry_transfer_stall_seconds (),
                                           "idle-timeout", 30,
                                           "proxy-resolver",
                                           ferry_proxy_resolver_get_default (),
                                           NULL);

  /* OPTIONS tells the protocol (auto), tus's checksums and the draft's limits; a protocol
   * asked for or found that needs nothing of the server (it has its own run) is not asked. */
  if (ops_for (job->used) == NULL && ops_for (job->protocol) != NULL &&
      ops_for (job->protocol)->run != NULL)
    job->used = job->protocol;
  ok = (ops_for (job->used) != NULL && ops_for (job->used)->run != NULL) ||
       discover (job, session, cancellable, &error);
  if (ok)
    {
      const FerryUploadOps *ops = ops_for (job->used);

      ferry_upload_post_state (self, job);
      ok = ops->run != NULL ? ops->run (self, job, session, fd, cancellable, &error)
                            : run_resumable (self, job, session, fd, cancellable, &error);
    }
  close (fd);

  /* Read on the main thread once the task has returned. */
  self->retry_after = job->retry_after;

  if (!ok)
    {
      /* The status the server answered with, stored before the outcome is applied. */
      if (job->http_status != 0)
        ferry_upload_post_state (self, job);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    g_task_return_boolean (task, TRUE);
}

static void
ferry_upload_dispose (GObject *object)
{
  FerryUpload *self = FERRY_UPLOAD (object);

  g_clear_object (&self->transfer);
  g_clear_object (&self->session);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->shared_limiter, ferry_rate_limiter_unref);
  g_clear_pointer (&self->own_limiter, ferry_rate_limiter_unref);

  G_OBJECT_CLASS (ferry_upload_parent_class)->dispose (object);
}

static void
ferry_upload_finalize (GObject *object)
{
  FerryUpload *self = FERRY_UPLOAD (object);

  g_mutex_clear (&self->sent_lock);

  G_OBJECT_CLASS (ferry_upload_parent_class)->finalize (object);
}

static void
ferry_upload_class_init (FerryUploadClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ferry_upload_dispose;
  G_OBJECT_CLASS (klass)->finalize = ferry_upload_finalize;
}

static void
ferry_upload_init (FerryUpload *self)
{
  self->retry_after = -1;
  g_mutex_init (&self->sent_lock);
}

FerryUpload *
ferry_upload_new (FerryTransfer *transfer,
                  SoupSession   *session)
{
  FerryUpload *self = g_object_new (FERRY_TYPE_UPLOAD, NULL);

  self->transfer = g_object_ref (transfer);
  self->session = g_object_ref (session);
  self->context = g_main_context_ref_thread_default ();
  return self;
}

static void
ferry_upload_set_rate_limiters (FerryEngine      *engine,
                                FerryRateLimiter *shared,
                                FerryRateLimiter *own)
{
  FerryUpload *self = FERRY_UPLOAD (engine);

  g_clear_pointer (&self->shared_limiter, ferry_rate_limiter_unref);
  g_clear_pointer (&self->own_limiter, ferry_rate_limiter_unref);
  self->shared_limiter = shared ? ferry_rate_limiter_ref (shared) : NULL;
  self->own_limiter = own ? ferry_rate_limiter_ref (own) : NULL;
}

static gint64
ferry_upload_get_retry_after (FerryEngine *engine)
{
  return FERRY_UPLOAD (engine)->retry_after;
}

static guint64
ferry_upload_get_sent (FerryEngine *engine)
{
  FerryUpload *self = FERRY_UPLOAD (engine);
  guint64 sent;

  g_mutex_lock (&self->sent_lock);
  sent = self->sent;
  g_mutex_unlock (&self->sent_lock);
  return sent;
}

static guint64
ferry_upload_get_progress (FerryEngine *engine)
{
  FerryUpload *self = FERRY_UPLOAD (engine);

  return self->acknowledged > self->start_offset ? self->acknowledged - self->start_offset : 0;
}

static Job *
job_new (const FerryRecord *r)
{
  Job *job = g_new0 (Job, 1);

  job->id = r->id;
  job->uri = g_strdup (r->uri);
  job->method = g_strdup (r->method ? r->method : "POST");
  job->protocol = r->protocol;
  job->used = r->protocol_used;
  job->interop = r->interop ? r->interop : FERRY_IETF_INTEROP_DEFAULT;
  /* An upload created before versions were negotiated exists in the one it was made in. */
  job->interop_pinned = r->interop_pinned || r->upload_url != NULL;
  job->upload_url = g_strdup (r->upload_url);
  job->offset = job->upload_url != NULL ? r->bytes_done : 0;
  job->length = r->bytes_total;
  job->content_type = g_strdup (r->content_type);
  job->form_field = g_strdup (r->form_field);
  job->filename = g_strdup (r->filename);
  job->sha256 = g_strdup (r->sha256);
  job->headers = r->headers ? g_variant_ref (r->headers) : NULL;
  job->source_path = g_strdup (r->source_path);
  job->source_dev = r->source_dev;
  job->source_ino = r->source_ino;
  job->source_mtime = r->source_mtime;
  job->append_size = FIRST_APPEND_SIZE;
  job->retry_after = -1;
  return job;
}

static void
ferry_upload_run_async (FerryEngine        *engine,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  FerryUpload *self = FERRY_UPLOAD (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  const FerryRecord *r = ferry_transfer_get_record (self->transfer);

  g_task_set_source_tag (task, ferry_upload_run_async);
  /* The upload's address is only known to be current with its offset; plain uploads always
   * begin at zero. */
  self->start_offset = r->upload_url != NULL ? r->bytes_done : 0;
  self->acknowledged = self->start_offset;
  self->sent = self->start_offset;
  g_task_set_task_data (task, job_new (r), (GDestroyNotify) job_free);
  g_task_run_in_thread (task, run_thread);
}

static gboolean
ferry_upload_run_finish (FerryEngine  *engine,
                         GAsyncResult *result,
                         GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Asks the server to forget an upload that will not be finished (DELETE, for the IETF draft
 * and tus); nothing to do for a plain upload. The answer is not waited for. */
static void
terminate (const FerryRecord *record,
           SoupSession       *session)
{
  g_autoptr(SoupMessage) msg = NULL;

  if (record->upload_url == NULL || !is_resumable (ops_for (record->protocol_used)))
    return;

  msg = upload_request ("DELETE", record->upload_url, record->uri, record->headers,
                        record->protocol_used, record->interop);
  if (msg == NULL)
    return;

  g_debug ("Upload %" G_GUINT64_FORMAT ": asking the server to forget it", record->id);
  ferry_proxy_watch (session, msg);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_LOW, NULL, NULL, NULL);
}

/* The private copy Ferry made of a file to upload, once nothing can need it again. */
static void
delete_source_copy (const FerryRecord *r)
{
  if (r->source_is_copy && r->source_path != NULL &&
      g_unlink (r->source_path) != 0 && errno != ENOENT)
    g_warning ("Could not delete %s: %s", r->source_path, g_strerror (errno));
}

/* The source stays for a retry until the server has all of it. */
static void
ferry_upload_settle (FerryEngine *engine,
                     FerryState   state)
{
  if (state == FERRY_STATE_COMPLETED)
    delete_source_copy (ferry_transfer_get_record (FERRY_UPLOAD (engine)->transfer));
}

/* The server's half-received upload is deleted with the caller's credentials, which are
 * still in the record; then the copy of the source goes. */
static void
ferry_upload_discard (FerryEngine *engine)
{
  FerryUpload *self = FERRY_UPLOAD (engine);
  const FerryRecord *r = ferry_transfer_get_record (self->transfer);

  if (r->state != FERRY_STATE_COMPLETED)
    terminate (r, self->session);
  ferry_transfer_set_upload_resource (self->transfer, r->protocol_used, r->resumable, NULL,
                                      r->interop, r->interop_pinned);
  ferry_transfer_set_bytes_done (self->transfer, 0);
  delete_source_copy (r);
}

static void
ferry_upload_engine_init (FerryEngineInterface *iface)
{
  iface->run_async = ferry_upload_run_async;
  iface->run_finish = ferry_upload_run_finish;
  iface->set_rate_limiters = ferry_upload_set_rate_limiters;
  iface->get_progress = ferry_upload_get_progress;
  iface->get_sent = ferry_upload_get_sent;
  iface->get_retry_after = ferry_upload_get_retry_after;
  iface->settle = ferry_upload_settle;
  iface->discard = ferry_upload_discard;
}
