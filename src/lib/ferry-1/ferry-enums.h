/* ferry-enums.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (FERRY_INSIDE) && !defined (FERRY_COMPILATION)
#error "Only <ferry.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * FerryTransferState:
 * @FERRY_TRANSFER_STATE_QUEUED: waiting for its turn
 * @FERRY_TRANSFER_STATE_WAITING: held back; [property@Ferry.Transfer:wait-reasons] says why
 * @FERRY_TRANSFER_STATE_RUNNING: moving bytes
 * @FERRY_TRANSFER_STATE_PAUSED: paused by someone; it keeps its bytes
 * @FERRY_TRANSFER_STATE_COMPLETED: done: the file is in place (terminal)
 * @FERRY_TRANSFER_STATE_REJECTED: the server refused it (terminal)
 * @FERRY_TRANSFER_STATE_FAILED: retries ran out, or the file failed its checksum (terminal)
 * @FERRY_TRANSFER_STATE_CANCELED: someone canceled it (terminal)
 *
 * The state of a transfer, as the service's `State` property spells it.
 */
typedef enum
{
  FERRY_TRANSFER_STATE_QUEUED,
  FERRY_TRANSFER_STATE_WAITING,
  FERRY_TRANSFER_STATE_RUNNING,
  FERRY_TRANSFER_STATE_PAUSED,
  FERRY_TRANSFER_STATE_COMPLETED,
  FERRY_TRANSFER_STATE_REJECTED,
  FERRY_TRANSFER_STATE_FAILED,
  FERRY_TRANSFER_STATE_CANCELED,
} FerryTransferState;

/**
 * FerryTransferKind:
 * @FERRY_TRANSFER_KIND_DOWNLOAD: a download
 * @FERRY_TRANSFER_KIND_UPLOAD: an upload
 *
 * What a transfer moves, and where to.
 */
typedef enum
{
  FERRY_TRANSFER_KIND_DOWNLOAD,
  FERRY_TRANSFER_KIND_UPLOAD,
} FerryTransferKind;

/**
 * FerryOutcomeKind:
 * @FERRY_OUTCOME_SUCCESS: the transfer completed
 * @FERRY_OUTCOME_REJECTED: the server refused it: see the status and message
 * @FERRY_OUTCOME_RETRY: the transfer waits to try again at the retry time (only when the
 *   request had %FERRY_REQUEST_NO_WAIT); the transfer goes on by itself
 * @FERRY_OUTCOME_FAILED: it failed, was canceled, or could not be handed to Ferry: see the
 *   error
 *
 * What became of a transfer, as a `_finish` function returns it.
 */
typedef enum
{
  FERRY_OUTCOME_SUCCESS,
  FERRY_OUTCOME_REJECTED,
  FERRY_OUTCOME_RETRY,
  FERRY_OUTCOME_FAILED,
} FerryOutcomeKind;

/**
 * FerryRequestFlags:
 * @FERRY_REQUEST_NONE: wait for the transfer to end
 * @FERRY_REQUEST_NO_WAIT: complete with %FERRY_OUTCOME_RETRY as soon as the transfer waits
 *   to retry (a 503 with Retry-After, a lost connection), instead of waiting for its end
 *
 * How a request's `_async` call completes.
 */
typedef enum /*< flags >*/
{
  FERRY_REQUEST_NONE = 0,
  FERRY_REQUEST_NO_WAIT = 1 << 0,
} FerryRequestFlags;

/**
 * FerryUploadProtocol:
 * @FERRY_UPLOAD_PROTOCOL_AUTO: ask the server with OPTIONS
 * @FERRY_UPLOAD_PROTOCOL_IETF: the IETF resumable upload draft
 * @FERRY_UPLOAD_PROTOCOL_TUS: tus 1.0
 * @FERRY_UPLOAD_PROTOCOL_PLAIN: one request, started over when interrupted
 *
 * How an upload is sent.
 */
typedef enum
{
  FERRY_UPLOAD_PROTOCOL_AUTO,
  FERRY_UPLOAD_PROTOCOL_IETF,
  FERRY_UPLOAD_PROTOCOL_TUS,
  FERRY_UPLOAD_PROTOCOL_PLAIN,
} FerryUploadProtocol;

G_END_DECLS
