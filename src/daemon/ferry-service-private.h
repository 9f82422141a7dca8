/* ferry-service-private.h: what the files of FerryService share
 *
 * ferry-service.c is the core (the application's life cycle, the store, holds) and starts
 * the others: ferry-service-manager.c serves Manager1, ferry-service-transfers.c the
 * Transfer1 objects and the ObjectManager, ferry-service-relaunch.c tells apps that their
 * transfers ended. ferry-service-callers.c is what all of them do with a caller. Each file
 * calls only the ones after it in that order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ferry-caller.h"
#include "ferry-dbus.h"
#include "ferry-scheduler.h"
#include "ferry-service.h"
#include "ferry-store.h"
#include "ferry-transfer.h"

G_BEGIN_DECLS

#define INACTIVITY_TIMEOUT_MSEC (10 * 1000)
/* Transfers one session may have (finished ones count until removed), and AddUpload calls in
 * flight count too: each transfer costs memory and a row for as long as it is listed. An app
 * in a sandbox gets a bounded share; a program of the user's own, trusted with the user's
 * files anyway, a limit only a runaway script reaches. FERRY_MAX_TRANSFERS_PER_SESSION sets
 * both (for tests and administrators). */
#define MAX_TRANSFERS_PER_APP 2000
#define MAX_TRANSFERS_PER_HOST_SESSION 100000

/* The most a listing reply may hold. The D-Bus specification caps an array at 64 MiB and a
 * message at 128 MiB, and dbus-daemon drops the connection of a peer that sends more: the
 * daemon would vanish from the bus with every client's calls. A listing that would pass
 * this is refused with a sentence naming the paged method instead. */
#define MAX_REPLY_BYTES (32 * 1024 * 1024)
/* A page of GetTransfersPage: at most this many transfers, and at most PAGE_BYTES. */
#define PAGE_MAX_TRANSFERS 5000
#define PAGE_BYTES (4 * 1024 * 1024)


struct _FerryService
{
  GApplication parent_instance;

  FerryStore *store;
  FerryScheduler *scheduler;
  GDBusConnection *connection;
  FerryCallers *callers;
  guint object_manager_id;
  guint subtree_id;
  FerryManager1 *manager;
  GHashTable *transfers;      /* id → FerryTransfer */
  GPtrArray *ordered;         /* the same transfers by id, oldest first: every listing */
  GHashTable *identifiers;    /* "session\nidentifier" → FerryTransfer */
  /* "session\nidentifier" of an AddUpload still adopting its file → GPtrArray of the
   * invocations that named the same pair meanwhile, answered with its outcome. */
  GHashTable *adding;
  GHashTable *session_counts; /* session → transfers it has, and AddUpload calls in flight */
  guint max_per_app;
  guint max_per_host_session;
  gboolean held;
  gboolean quitting;

  /* Relaunch: identifiers that ended, per session (an app id), sent at most once a second. */
  GHashTable *finished;       /* session → GPtrArray of identifiers */
  guint finished_source;
  GHashTable *unreachable;    /* sessions whose app could not be activated: said once */

  /* Transfers that notified changes not yet sent as PropertiesChanged → GPtrArray of the
   * GParamSpecs; sent once per main-loop iteration, and before the reply of a call. */
  GHashTable *unannounced;
  guint announce_source;
};

/* ferry-service-callers.c */
char          *_ferry_service_identifier_key      (const FerryRecord     *r);
void           _ferry_service_touch               (FerryService          *self);
void           _ferry_service_return_error        (GDBusMethodInvocation *invocation,
                                                   GError                *error);
const char    *_ferry_service_confinement_of      (FerryService          *self,
                                                   const char            *sender,
                                                   GError               **error);
const char    *_ferry_service_caller_confinement  (FerryService          *self,
                                                   GDBusMethodInvocation *invocation);
gboolean       _ferry_service_may_see             (const char            *confinement,
                                                   FerryTransfer         *transfer);
gboolean       _ferry_service_check_may_see       (const char            *confinement,
                                                   FerryTransfer         *transfer,
                                                   GError               **error);
void           _ferry_service_return_new_error    (GDBusMethodInvocation *invocation,
                                                   GQuark                 domain,
                                                   int                    code,
                                                   const char            *format,
                                                   ...) G_GNUC_PRINTF (4, 5);
GVariant      *_ferry_service_translate_properties (GVariant             *properties,
                                                    const char           *peer);
GVariant      *_ferry_service_translate_summary   (GVariant              *summary,
                                                   const char            *peer);

/* ferry-service-transfers.c */
gboolean       _ferry_service_transfers_register   (FerryService          *self,
                                                    GDBusConnection       *connection,
                                                    GError               **error);
void           _ferry_service_transfers_unregister (FerryService          *self,
                                                    GDBusConnection       *connection);
void           _ferry_service_track               (FerryService          *self,
                                                   FerryTransfer         *transfer,
                                                   gboolean               announce);
/* Stops tracking every transfer, when the service goes. */
void           _ferry_service_untrack_all         (FerryService          *self);
GPtrArray     *_ferry_service_sorted_transfers    (FerryService          *self);
FerryTransfer *_ferry_service_transfer_for_node   (FerryService          *self,
                                                   const char            *node);
void           _ferry_service_count_in_session    (FerryService          *self,
                                                   const char            *session,
                                                   int                    delta);
void           _ferry_service_return_too_many     (GDBusMethodInvocation *invocation,
                                                   guint                  max);
/* Sends what the transfers announced since the last time: before a reply, so that a
 * caller that sees the reply has seen the change it made. */
void           _ferry_service_announce            (FerryService          *self);

/* ferry-service-manager.c */
void           _ferry_service_manager_init        (FerryService          *self);
void           _ferry_service_manager_watch       (FerryService          *self);

/* ferry-service-relaunch.c */
void           _ferry_service_relaunch_watch      (FerryService          *self);

G_END_DECLS
