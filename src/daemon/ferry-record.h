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
  gint64 retry_at;
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
} FerryRecord;

FerryRecord *ferry_record_new (void);
void         ferry_record_free (FerryRecord *record);

/* Forgets what was learnt about the remote file so the next attempt starts from zero. */
void         ferry_record_reset_validators (FerryRecord *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryRecord, ferry_record_free)

G_END_DECLS
