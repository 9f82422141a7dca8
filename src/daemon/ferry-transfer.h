/* ferry-transfer.h: one transfer as the service holds it — its record, its D-Bus object and
 * its live progress
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ferry-engine.h"
#include "ferry-record.h"
#include "ferry-store.h"

G_BEGIN_DECLS

#define FERRY_TRANSFER_ERROR (ferry_transfer_error_quark ())

/* How an attempt ended, when it did not complete. The message is a sentence for people. */
typedef enum
{
  FERRY_TRANSFER_ERROR_TRANSIENT,  /* network trouble, 408, 429, 5xx, stall: retry later */
  FERRY_TRANSFER_ERROR_REJECTED,   /* the server refused (4xx), TLS failure */
  FERRY_TRANSFER_ERROR_FAILED,     /* a local error, or the data failed verification */
  FERRY_TRANSFER_ERROR_NO_SPACE,   /* the disk is full: wait for space */
  FERRY_TRANSFER_ERROR_LINK_EXPIRED, /* the address answers with something else: wait */
} FerryTransferError;

GQuark ferry_transfer_error_quark (void);

/* Seconds without a byte after which an attempt counts as stalled: 30, or
 * FERRY_STALL_TIMEOUT (the tests' shorter one). */
guint  ferry_transfer_stall_seconds (void);

/* What a failed exchange with the server (not a cancellation) means for a transfer, in
 * words: a failed secure connection (@tls_failed, or an error of its own domain) is
 * rejected, as retrying will not mend it; a server that could not be reached or a
 * connection that broke is transient. */
GError *ferry_transfer_error_from_network (const GError *error,
                                           gboolean      tls_failed);
/* The same for a server certificate that was refused: says which of its faults (@flags, as
 * soup_message_get_tls_peer_certificate_errors() gives them) made it so. */
GError *ferry_transfer_error_from_certificate (const GError         *error,
                                               GTlsCertificateFlags  flags);

#define FERRY_TRANSFERS_PATH FERRY_DAEMON_PATH "/transfers"

#define FERRY_TYPE_TRANSFER (ferry_transfer_get_type ())

G_DECLARE_FINAL_TYPE (FerryTransfer, ferry_transfer, FERRY, TRANSFER, GObject)

FerryTransfer       *ferry_transfer_new (FerryStore  *store,
                                         FerryRecord *record);
/* Read only: a live transfer's record changes through the setters below. */
const FerryRecord   *ferry_transfer_get_record (FerryTransfer *self);
FerryStore          *ferry_transfer_get_store (FerryTransfer *self);
guint64              ferry_transfer_get_id (FerryTransfer *self);
FerryState           ferry_transfer_get_state (FerryTransfer *self);
const char          *ferry_transfer_get_object_path (FerryTransfer *self);

/* Transfer1 properties, read from the record when a client asks: the service keeps no
 * per-transfer D-Bus objects, so 10,000 stored transfers cost only their records. */
GVariant            *ferry_transfer_dup_property (FerryTransfer *self,
                                                  const char    *name);
/* a{sv} of every Transfer1 property. */
GVariant            *ferry_transfer_dup_properties (FerryTransfer *self);

/* (otssssssastttxxxxusbb): this transfer as Manager1.GetTransfers lists it. */
GVariant            *ferry_transfer_dup_summary (FerryTransfer *self);

/* Writes the record to the store. Announcing it (ferry_transfer_publish()) is the
 * scheduler's, after this and after the transaction it may be part of has committed. */
gboolean             ferry_transfer_persist (FerryTransfer *self,
                                             GError       **error);
/* Announces what changed since the last announcement, including live values (bytes, rate)
 * that are not stored: "notify" for each GObject property (one per Transfer1 property, the
 * D-Bus name its nick: "bytes-done", BytesDone) whose value changed, and only those. */
void                 ferry_transfer_publish (FerryTransfer *self);
/* Who hears of what ferry_transfer_publish() announces, one call per changed property, in
 * place of a "notify" handler per transfer: a handler and its closure cost about 250 bytes
 * and, connected with g_signal_connect_object(), a linear search of the service's closures
 * to disconnect, which made stopping with 100,000 transfers take seconds. One watch per
 * transfer; NULL @watch stops it. */
typedef void (*FerryTransferWatch) (FerryTransfer *transfer,
                                    GParamSpec    *pspec,
                                    gpointer       user_data);
void                 ferry_transfer_set_watch (FerryTransfer      *self,
                                               FerryTransferWatch  watch,
                                               gpointer            user_data);
/* The value of @pspec (one of this transfer's properties) as last announced, or NULL. */
GVariant            *ferry_transfer_dup_published (FerryTransfer *self,
                                                   GParamSpec    *pspec);

/* Changes of the record, grouped by meaning; none announces (see ferry_transfer_publish()). */
void                 ferry_transfer_set_state (FerryTransfer    *self,
                                               FerryState        state,
                                               FerryWaitReasons  wait_reasons);
/* A retry due at @due_usec (real µs; 0: none), as a server asked (@from_server) or as
 * Ferry's backoff. */
void                 ferry_transfer_set_retry (FerryTransfer *self,
                                               gint64         due_usec,
                                               gboolean       from_server);
void                 ferry_transfer_clear_retry (FerryTransfer *self);
/* @message: a sentence, or NULL for none. */
void                 ferry_transfer_set_error (FerryTransfer *self,
                                               const char    *message);
void                 ferry_transfer_set_attempts (FerryTransfer *self,
                                                  guint          attempts);
void                 ferry_transfer_set_finished_at (FerryTransfer *self,
                                                     gint64         finished_at);
/* A new address (or the same one again): where it redirected to is forgotten. */
void                 ferry_transfer_set_uri (FerryTransfer *self,
                                             const char    *uri);
/* a{ss}, or NULL: the headers sent with each request. */
void                 ferry_transfer_set_headers (FerryTransfer *self,
                                                 GVariant      *headers);
void                 ferry_transfer_set_schedule (FerryTransfer *self,
                                                  gint64         earliest_begin,
                                                  int            priority,
                                                  gboolean       allow_metered,
                                                  gboolean       discretionary);
void                 ferry_transfer_set_rate_limit (FerryTransfer *self,
                                                    guint64        rate_limit);
/* What was learnt about the remote file, so the next attempt starts from zero. */
void                 ferry_transfer_forget_validators (FerryTransfer *self);
/* A download begins a new representation of the file: its validators (NULL when it has no
 * usable one), whether an interruption can go on from the bytes kept (@resumable), its
 * length (0: unknown) and the name the file will get (NULL: the one it has stays). Nothing
 * of an earlier representation is kept: the checkpoint is zero, the segments forgotten. */
void                 ferry_transfer_set_representation (FerryTransfer *self,
                                                        const char    *etag,
                                                        const char    *last_modified,
                                                        gboolean       resumable,
                                                        guint64        bytes_total,
                                                        const char    *filename);
/* The file's length, learnt after its representation began (0: unknown). */
void                 ferry_transfer_set_size (FerryTransfer *self,
                                              guint64        bytes_total);
/* A download's folder, resolved (@directory) and pinned by device and inode
 * (ferry_folder_pin()). */
void                 ferry_transfer_set_folder (FerryTransfer *self,
                                                const char    *directory,
                                                guint64        dev,
                                                guint64        ino);
/* A download's part file, inside its folder: a new one, of which nothing is kept yet. */
void                 ferry_transfer_set_partial (FerryTransfer *self,
                                                 const char    *partial_name);
/* The part file was deleted: nothing of it can be resumed. */
void                 ferry_transfer_forget_partial (FerryTransfer *self);
/* How the digest the file was held to (@expected, hex) compared. */
void                 ferry_transfer_set_checksum_result (FerryTransfer       *self,
                                                         FerryChecksumResult  result,
                                                         const char          *expected);
/* A download's file is whole and has its final name: @destination (its path), the file
 * Ferry made (@dev, @ino; 0, 0 when not known) and its @length, which every byte counts
 * (BytesDone, BytesTotal); the part file is no more. */
void                 ferry_transfer_set_completed_file (FerryTransfer *self,
                                                        const char    *destination,
                                                        guint64        dev,
                                                        guint64        ino,
                                                        guint64        length);
/* The checkpoint: bytes known to be kept (on disk, or acknowledged by the server). */
void                 ferry_transfer_set_bytes_done (FerryTransfer *self,
                                                    guint64        bytes_done);
/* What the last response said: its HTTP status (0: none came, the last one stays), the
 * headers a client may read (ferry_http_shown_response_headers(); NULL: the last ones stay)
 * and, for a download that got the file, the address it came from once redirects were
 * followed (NULL: unchanged). */
void                 ferry_transfer_set_response (FerryTransfer *self,
                                                  guint          http_status,
                                                  GVariant      *headers,
                                                  const char    *final_uri);
/* The stored redirect target failed: the next request asks the address itself. */
void                 ferry_transfer_forget_final_uri (FerryTransfer *self);
void                 ferry_transfer_set_connections (FerryTransfer *self,
                                                     guint          connections);
void                 ferry_transfer_set_segments (FerryTransfer *self,
                                                  const char    *ranges,
                                                  guint64        bytes_done);
void                 ferry_transfer_attempt_started (FerryTransfer *self);
void                 ferry_transfer_attempt_ended (FerryTransfer *self,
                                                   guint64        moved,
                                                   const char    *error);
/* An upload's resource on the server, as the protocol @used found it (NULL: none yet, or
 * forgotten), whether an interruption can go on from the server's offset (@resumable), and
 * the IETF draft version it speaks. */
void                 ferry_transfer_set_upload_resource (FerryTransfer       *self,
                                                         FerryUploadProtocol  used,
                                                         gboolean             resumable,
                                                         const char          *upload_url,
                                                         guint                interop,
                                                         gboolean             interop_pinned);

guint64              ferry_transfer_get_live_bytes (FerryTransfer *self);
/* For an upload while it runs: how far into the file the bytes sent reach. */
void                 ferry_transfer_set_sent_bytes (FerryTransfer *self,
                                                    guint64        bytes);
void                 ferry_transfer_set_live_bytes (FerryTransfer *self,
                                                    guint64        bytes);
guint64              ferry_transfer_get_rate (FerryTransfer *self);
/* Called by the progress tick: returns TRUE when the bytes changed since the last call. */
gboolean             ferry_transfer_update_rate (FerryTransfer *self,
                                                 gint64         now_usec);

FerryEngine         *ferry_transfer_get_engine (FerryTransfer *self);
void                 ferry_transfer_set_engine (FerryTransfer *self,
                                                FerryEngine   *engine);

/* Whether @error says the server could not be reached at all (refused, unknown host). */
gboolean ferry_transfer_error_is_unreachable (const GError *error);

G_END_DECLS
