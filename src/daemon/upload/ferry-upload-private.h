/* ferry-upload-private.h: what the upload engine (ferry-upload.c) and its protocols
 * (upload/ferry-upload-{ietf,tus,plain}.c) share
 *
 * ferry-upload.c runs an attempt: it finds the protocol (OPTIONS), and for a resumable one
 * creates the upload, asks for its offset and appends until the server has the file. Each
 * protocol says, in its FerryUploadOps, what its requests carry and how its answers read;
 * the shared part never asks which protocol it speaks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sys/stat.h>

#include <libsoup/soup.h>

#include "ferry-http.h"
#include "ferry-upload.h"

G_BEGIN_DECLS

/* What the thread works from: a copy of the record's fields, taken on the main thread. */
typedef struct
{
  guint64 id;
  char *uri;
  char *method;
  FerryUploadProtocol protocol;
  FerryUploadProtocol used;
  guint interop;
  gboolean interop_pinned;      /* chosen by the caller, or the upload exists in it */
  char *upload_url;
  guint64 offset;
  guint64 length;
  char *content_type;
  char *form_field;
  char *filename;
  char *sha256;
  GVariant *headers;
  char *source_path;
  guint64 source_dev;
  guint64 source_ino;
  gint64 source_mtime;
  struct stat opened;           /* the source as the attempt found it */

  FerryUploadLimit limit;
  GChecksumType tus_checksum;   /* Upload-Checksum the server verifies; 0 (MD5, never used): none */
  guint starts_over;
  guint64 append_size;
  guint http_status;
  gint64 retry_after;
  GVariant *response_headers;   /* of the response http_status is of */
} Job;

/* What a request's body is, to give it again when libsoup re-sends the message on its own
 * (a kept-alive connection that failed before the answer): the stream it had is spent. */
typedef struct
{
  FerryUpload *upload;
  const char *content_type;
  int fd;
  guint64 offset;
  guint64 length;
  GBytes *prefix;
  GBytes *suffix;
} Body;

/* One append: @size bytes from job->offset of @fd; @last: they end the file. */
typedef struct
{
  int fd;
  guint64 size;
  gboolean last;
  GCancellable *cancellable;
} Append;

/* What a request carries beyond new_message()'s defaults, set anew for each address. */
typedef void (*PrepareRequest) (Job         *job,
                                SoupMessage *msg,
                                gpointer     data);

/* One protocol. NULL members: the protocol has no such step. */
typedef struct
{
  FerryUploadProtocol protocol;

  /* From the OPTIONS answer: whether it shows the server speaks this protocol (for "auto",
   * asked in the order of ferry-upload.c's table), and what it says of this protocol's
   * options, whichever protocol is chosen. */
  gboolean    (*recognises)       (SoupMessage  *options);
  void        (*discovered)       (Job          *job,
                                   SoupMessage  *options);
  /* The header(s) every request of the protocol carries. */
  void        (*set_headers)      (SoupMessage  *msg,
                                   guint         interop);
  /* The whole attempt once the protocol is known, for a protocol that needs nothing of the
   * server: no OPTIONS first, no upload resource kept there, every attempt from byte 0.
   * NULL for a resumable one, which ferry-upload.c runs through the steps below: the
   * server keeps its upload between requests, an interrupted one goes on from the server's
   * offset, and one given up is deleted there. */
  gboolean    (*run)              (FerryUpload  *self,
                                   Job          *job,
                                   SoupSession  *session,
                                   int           fd,
                                   GCancellable *cancellable,
                                   GError      **error);

  const char *(*creation_method)  (Job          *job);
  /* The creation request's headers beyond Upload-Length. */
  void        (*prepare_creation) (Job          *job,
                                   SoupMessage  *msg);
  /* A creation refused (job->http_status): TRUE to send it again, changed; FALSE, with
   * @error when the protocol has its own words for it. */
  gboolean    (*retry_creation)   (Job          *job,
                                   GError      **error);
  /* The creation's answer, accepted, beyond its Location. */
  void        (*created)          (Job          *job,
                                   SoupMessage  *msg);
  /* Whether the answer to HEAD (its Upload-Offset already read into job->offset) says the
   * server has the whole file. */
  gboolean    (*is_complete)      (Job          *job,
                                   SoupMessage  *msg);
  /* An append's headers beyond Upload-Offset. */
  gboolean    (*prepare_append)   (Job          *job,
                                   SoupMessage  *msg,
                                   const Append *append,
                                   GError      **error);
  const char *append_content_type;
  /* Done once the offset reaches the length; otherwise a last append ends the file, empty
   * when every byte is there already. */
  gboolean done_at_length;
} FerryUploadOps;

extern const FerryUploadOps ferry_upload_ietf;
extern const FerryUploadOps ferry_upload_tus;
extern const FerryUploadOps ferry_upload_plain;

/* Shared by the protocols, in ferry-upload.c. */
const char  *ferry_upload_header        (SoupMessage    *msg,
                                         const char     *name);
void         ferry_upload_attach_body   (SoupMessage    *msg,
                                         Body           *body);
void         ferry_upload_keep_response (Job            *job,
                                         SoupMessage    *msg);
SoupMessage *ferry_upload_send_to_target (Job           *job,
                                          SoupSession   *session,
                                          const char    *method,
                                          PrepareRequest prepare,
                                          gpointer       data,
                                          GCancellable  *cancellable,
                                          GError       **error);
gboolean     ferry_upload_source_unchanged (Job         *job,
                                            int          fd,
                                            GError     **error);
/* Stores what a restart needs. Called on the thread; applied on the main thread in order. */
void         ferry_upload_post_state    (FerryUpload    *self,
                                         Job            *job);

G_END_DECLS
