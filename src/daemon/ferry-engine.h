/* ferry-engine.h: one attempt at a transfer, whatever its kind
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ferry-rate-limiter.h"
#include "ferry-record.h"

G_BEGIN_DECLS

#define FERRY_TYPE_ENGINE (ferry_engine_get_type ())

G_DECLARE_INTERFACE (FerryEngine, ferry_engine, FERRY, ENGINE, GObject)

/* What the scheduler asks of an engine. The engine owns its task and whatever the attempt
 * holds open (a file, a thread), so it alone can keep the rule every implementation
 * follows: whatever the end, what was moved is checkpointed (ferry_engine_checkpoint())
 * before the callback of run_async runs, so a restart continues from there. */
struct _FerryEngineInterface
{
  GTypeInterface parent_iface;

  void        (*run_async)       (FerryEngine        *self,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
  gboolean    (*run_finish)      (FerryEngine        *self,
                                  GAsyncResult       *result,
                                  GError            **error);
  void        (*set_rate_limiters) (FerryEngine      *self,
                                    FerryRateLimiter *shared,
                                    FerryRateLimiter *own);
  guint64     (*get_progress)    (FerryEngine        *self);
  guint64     (*get_sent)        (FerryEngine        *self);
  gint64      (*get_retry_after) (FerryEngine        *self);
  const char *(*get_unconfirmed) (FerryEngine        *self);
  void        (*settle)          (FerryEngine        *self,
                                  FerryState          state);
  void        (*discard)         (FerryEngine        *self);
  gboolean    (*delete_data)     (FerryEngine        *self,
                                  gboolean          (*forget) (gpointer   user_data,
                                                               GError   **error),
                                  gpointer            user_data,
                                  GError            **error);
};

/* Runs until the transfer is complete (TRUE), the attempt ends with a FERRY_TRANSFER_ERROR,
 * or @cancellable stops it (G_IO_ERROR_CANCELLED). */
void        ferry_engine_run_async         (FerryEngine        *self,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean    ferry_engine_run_finish        (FerryEngine        *self,
                                            GAsyncResult       *result,
                                            GError            **error);

/* Limits applied as bytes move: @shared by every transfer of this kind, @own by this one;
 * either may be NULL. */
void        ferry_engine_set_rate_limiters (FerryEngine        *self,
                                            FerryRateLimiter   *shared,
                                            FerryRateLimiter   *own);

/* Bytes this attempt moved the transfer forward (received and written, or acknowledged by
 * the server). */
guint64     ferry_engine_get_progress      (FerryEngine        *self);
/* How far into the file the body has been handed to the network, acknowledged or not; 0
 * for an engine that only counts what it keeps. Any thread. */
guint64     ferry_engine_get_sent          (FerryEngine        *self);
/* Seconds the server asked to wait (Retry-After), or -1. */
gint64      ferry_engine_get_retry_after   (FerryEngine        *self);
/* After a completed attempt: a sentence saying why the end could not be confirmed, or NULL
 * when the completion was verified. */
const char *ferry_engine_get_unconfirmed   (FerryEngine        *self);

/* For an engine, on the main thread: what it wrote in its transfer's record (the bytes kept,
 * the validators, the name) must be kept now. Whoever runs the engine handles the
 * "checkpoint" signal, (gboolean) (FerryEngine *, GError **): it stores the record, then
 * announces it. FALSE with @error when it could not be stored. */
gboolean    ferry_engine_checkpoint        (FerryEngine        *self,
                                            GError            **error);

/* The transfer ended in @state: lets go of what no retry can use (a partial file that
 * cannot be continued, a private copy of an uploaded file once the server has it). */
void        ferry_engine_settle            (FerryEngine        *self,
                                            FerryState          state);
/* The transfer is canceled or removed before it completed: deletes what it left behind and
 * tells the server to forget a half-received upload. Only once no attempt runs. */
void        ferry_engine_discard           (FerryEngine        *self);

/* Remove with its data: deletes what the transfer made for the user (a completed download's
 * file), around @forget, which removes the transfer from the store. Checks first that it
 * may (the file is still the one Ferry made, in the folder it pinned), then calls @forget,
 * then deletes. FALSE with @error when the check or @forget failed: the transfer stays. An
 * upload's data is the caller's own file, never deleted: there only @forget is called. */
gboolean    ferry_engine_delete_data       (FerryEngine        *self,
                                            gboolean          (*forget) (gpointer   user_data,
                                                                         GError   **error),
                                            gpointer            user_data,
                                            GError            **error);

G_END_DECLS
