/* ferry-record.h: one transfer as the store keeps it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ferry-types.h"

G_BEGIN_DECLS

typedef enum
{
  FERRY_KIND_DOWNLOAD,
  FERRY_KIND_UPLOAD,
} FerryKind;

typedef enum
{
  FERRY_UPLOAD_AUTO,     /* whatever the server shows it supports, else plain */
  FERRY_UPLOAD_IETF,     /* draft-ietf-httpbis-resumable-upload */
  FERRY_UPLOAD_TUS,      /* tus 1.0 */
  FERRY_UPLOAD_PLAIN,    /* one PUT or POST, started over after an interruption */
} FerryUploadProtocol;

#define FERRY_IETF_INTEROP_DEFAULT 9

/* How many attempts a transfer remembers for its details. */
#define FERRY_ATTEMPT_LOG_MAX 20

typedef enum
{
  FERRY_CHECKSUM_NONE,     /* no digest was known, or it was not checked yet */
  FERRY_CHECKSUM_VERIFIED,
  FERRY_CHECKSUM_MISMATCH,
} FerryChecksumResult;

typedef struct
{
  guint64 id;
  FerryKind kind;
  char *uri;             /* as added or updated */
  char *final_uri;       /* after redirects; where a resume asks first */
  char *directory;       /* destination directory */
  char *filename;        /* the sanitised name the file will get, once known */
  gboolean filename_from_caller;
  char *destination;     /* final path once completed */
  char *partial_name;    /* partial file, inside directory */
  char *session;
  char *identifier;
  FerryState state;
  FerryWaitReasons wait_reasons;
  guint64 bytes_done;    /* checkpoint: bytes known to be on disk */
  guint64 bytes_total;   /* 0 = unknown */
  gint64 earliest_begin;
  gboolean allow_metered;
  gboolean discretionary;
  int priority;
  gint64 retry_at;       /* Unix seconds, rounded up from retry_due_usec */
  gint64 retry_due_usec; /* the exact due time in real µs; not stored, so trusted only while
                          * it still rounds up to retry_at */
  gboolean retry_from_server; /* retry_at is the server's Retry-After, not Ferry's backoff */
  guint attempts;
  guint http_status;
  char *error;
  gboolean resumable;
  char *etag;            /* strong ETag of the representation being received */
  char *last_modified;   /* only when usable as a validator */
  char *sha256;          /* expected digest from the caller, hex */
  GVariant *headers;     /* a{ss}, may be NULL */
  gboolean notify;
  guint64 rate_limit;    /* bytes per second for this transfer alone, 0 = none */
  gint64 created_at;
  gint64 finished_at;

  /* Uploads: what to send, and the resume data. */
  char *method;                      /* POST or PUT */
  FerryUploadProtocol protocol;      /* as asked */
  FerryUploadProtocol protocol_used; /* as found; AUTO until known */
  guint interop;                     /* IETF draft interop version */
  gboolean interop_pinned;           /* chosen by the caller, or the upload exists in it;
                                      * otherwise Ferry may try the others the server takes */
  char *upload_url;                  /* the server's upload resource, once created */
  char *content_type;
  char *form_field;                  /* plain POST as multipart/form-data */
  char *source_path;                 /* the file, reopened for each attempt */
  guint64 source_dev;
  guint64 source_ino;
  gint64 source_mtime;               /* nanoseconds */
  gboolean source_is_copy;           /* a private copy Ferry deletes when done */

  /* Downloads: the destination folder as pinned when it was checked (directory is its
   * resolved path), and the completed file Ferry made; 0, 0 when not known. */
  guint64 dir_dev;
  guint64 dir_ino;
  guint64 file_dev;
  guint64 file_ino;

  /* a{ss}: what the last response said that a client may read (Transfer1's
   * ResponseHeaders, ferry_http_shown_response_headers()); NULL before any response. Read
   * from the store it is untrusted, not yet checked to be in normal form: only read it with
   * GVariant's accessors (ResponseHeaders makes it normal when asked). */
  GVariant *response_headers;
  /* Details: what a person looks at to see how a transfer went. */
  GVariant *attempt_log;     /* a(xuts), oldest first, at most FERRY_ATTEMPT_LOG_MAX: when
                              * each attempt started (Unix s), its last HTTP status (0:
                              * none), the bytes it moved, and how it ended ("" when well) */
  FerryChecksumResult checksum_result;
  char *checksum_expected;   /* the digest the file was checked against, hex */
  /* The three above as the store holds them (a serialised a{sv}), until first read with
   * ferry_record_read_details(): call it before reading or changing any of them. */
  GBytes *stored_details;
  /* The attempt under way; not stored (an attempt cut by a restart is not logged). */
  gint64 attempt_started;    /* Unix s, 0 while none runs */
  guint attempt_status;      /* this attempt's last HTTP status, 0 before an answer */
  /* Segmented downloads: the ranges of the part file known to be on disk, as
   * "start-end,start-end" (end exclusive; bytes_done is then their sum), NULL when the
   * checkpoint is one offset; and the connections the caller allows (0: as many as help,
   * 1: never split). */
  char *segments;
  guint connections;
} FerryRecord;

FerryRecord *ferry_record_new (void);
void         ferry_record_free (FerryRecord *record);

/* Forgets what was learnt about the remote file so the next attempt starts from zero. */
void         ferry_record_reset_validators (FerryRecord *record);

/* Notes the start of an attempt, and the end of the one under way (@error NULL or "" when
 * it went well), keeping the last FERRY_ATTEMPT_LOG_MAX. */
void         ferry_record_attempt_started (FerryRecord *record);
void         ferry_record_attempt_ended (FerryRecord *record,
                                         guint64      moved,
                                         const char  *error);
/* Reads the stored details (attempt_log, checksum_result, checksum_expected) if they are not
 * read yet. */
void         ferry_record_read_details (FerryRecord *record);
const char  *ferry_checksum_result_to_string (FerryChecksumResult result);

const char  *ferry_upload_protocol_to_string (FerryUploadProtocol protocol);
gboolean     ferry_upload_protocol_from_string (const char          *str,
                                                FerryUploadProtocol *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryRecord, ferry_record_free)

G_END_DECLS
