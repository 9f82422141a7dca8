/* ferry-service.c
 *
 * The service exports io.github.ferryhq.Ferry.Manager1 and an ObjectManager of Transfer1
 * objects. It holds itself while anything is queued, waiting or running, and otherwise exits
 * after an inactivity timeout; D-Bus activation brings it back, and it restores every
 * transfer from the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-service"

#include "config.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>

#include "ferry-caller.h"
#include "ferry-dbus.h"
#include "ferry-error.h"
#include "ferry-folder.h"
#include "ferry-options.h"
#include "ferry-scheduler.h"
#include "ferry-service.h"
#include "ferry-settings.h"
#include "ferry-source.h"
#include "ferry-store.h"
#include "ferry-transfer.h"

#define INACTIVITY_TIMEOUT_MSEC (10 * 1000)
/* Transfers one session may have (finished ones count until removed), and AddUpload calls in
 * flight count too: each transfer costs memory and a row for as long as it is listed. An app
 * in a sandbox gets a bounded share; a program of the user's own, trusted with the user's
 * files anyway, a limit only a runaway script reaches. FERRY_MAX_TRANSFERS_PER_SESSION sets
 * both (for tests and administrators). */
#define MAX_TRANSFERS_PER_APP 2000
#define MAX_TRANSFERS_PER_HOST_SESSION 100000

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
};

G_DEFINE_FINAL_TYPE (FerryService, ferry_service, G_TYPE_APPLICATION)

static char *
identifier_key (const FerryRecord *r)
{
  if (r->identifier == NULL || *r->identifier == '\0')
    return NULL;
  return g_strconcat (r->session ? r->session : "", "\n", r->identifier, NULL);
}

static void
touch (FerryService *self)
{
  /* Each call restarts the inactivity timeout. */
  g_application_hold (G_APPLICATION (self));
  g_application_release (G_APPLICATION (self));
}

static void
return_error (GDBusMethodInvocation *invocation,
              GError                *error)
{
  /* Errors of the engine's domain reach clients as the registered D-Bus errors. */
  if (error->domain != FERRY_ERROR)
    {
      int code = FERRY_ERROR_FAILED;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        code = FERRY_ERROR_FAILED;
      g_dbus_method_invocation_return_error_literal (invocation, FERRY_ERROR, code,
                                                     error->message);
      return;
    }

  g_dbus_method_invocation_return_gerror (invocation, error);
}

/* -- Callers -----------------------------------------------------------------------------
 *
 * A caller inside a sandbox is confined to the session named by its app id: it sees and acts
 * on that session's transfers only. A program of the user's own is confined to nothing ("").
 */

/* The session @sender is confined to; NULL, with @error, when it cannot be told. */
static const char *
confinement_of (FerryService *self,
                const char   *sender,
                GError      **error)
{
  if (self->callers == NULL)
    {
      g_set_error_literal (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED,
                           "Ferry is shutting down");
      return NULL;
    }
  return ferry_callers_lookup (self->callers, sender, error);
}

/* As confinement_of(), answering @invocation with the error when there is one. */
static const char *
caller_confinement (FerryService          *self,
                    GDBusMethodInvocation *invocation)
{
  g_autoptr(GError) error = NULL;
  const char *confinement = confinement_of (self,
                                            g_dbus_method_invocation_get_sender (invocation),
                                            &error);

  if (confinement == NULL)
    return_error (invocation, error);
  return confinement;
}

static gboolean
may_see (const char    *confinement,
         FerryTransfer *transfer)
{
  return *confinement == '\0' ||
         g_strcmp0 (ferry_transfer_get_record (transfer)->session, confinement) == 0;
}

static gboolean
check_may_see (const char    *confinement,
               FerryTransfer *transfer,
               GError       **error)
{
  if (may_see (confinement, transfer))
    return TRUE;

  /* Another app's transfer answers as one that does not exist: even that it exists, and
   * whose it is, is not this caller's to learn. */
  g_set_error (error, FERRY_ERROR, FERRY_ERROR_NOT_FOUND,
               "Transfer %" G_GUINT64_FORMAT " no longer exists",
               ferry_transfer_get_id (transfer));
  return FALSE;
}

/* -- Transfers ---------------------------------------------------------------------------
 *
 * Transfers are served from one subtree registration: properties are read from the records
 * when asked, and the ObjectManager is the service's own. No D-Bus object exists per
 * transfer, so a queue of 10,000 costs what its records cost.
 */

static const char object_manager_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.DBus.ObjectManager'>"
  "    <method name='GetManagedObjects'>"
  "      <arg type='a{oa{sa{sv}}}' name='objects' direction='out'/>"
  "    </method>"
  "    <signal name='InterfacesAdded'>"
  "      <arg type='o' name='object_path'/>"
  "      <arg type='a{sa{sv}}' name='interfaces_and_properties'/>"
  "    </signal>"
  "    <signal name='InterfacesRemoved'>"
  "      <arg type='o' name='object_path'/>"
  "      <arg type='as' name='interfaces'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

#define TRANSFER_INTERFACE "io.github.ferryhq.Ferry.Transfer1"

/* The most a listing reply may hold. The D-Bus specification caps an array at 64 MiB and a
 * message at 128 MiB, and dbus-daemon drops the connection of a peer that sends more: the
 * daemon would vanish from the bus with every client's calls. A listing that would pass
 * this is refused with a sentence naming the paged method instead. */
#define MAX_REPLY_BYTES (32 * 1024 * 1024)
/* A page of GetTransfersPage: at most this many transfers, and at most PAGE_BYTES. */
#define PAGE_MAX_TRANSFERS 5000
#define PAGE_BYTES (4 * 1024 * 1024)

static void
return_too_many (GDBusMethodInvocation *invocation,
                 guint                  count)
{
  g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                                         "Ferry holds %u transfers, more than one D-Bus message "
                                         "can describe; ask io.github.ferryhq.Ferry.Manager1."
                                         "GetTransfersPage for them a page at a time", count);
}

static GVariant *
interfaces_and_properties (FerryTransfer *transfer)
{
  g_autoptr(GVariant) properties = ferry_transfer_dup_properties (transfer);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_variant_builder_add (&builder, "{s@a{sv}}", TRANSFER_INTERFACE, properties);
  return g_variant_builder_end (&builder);
}

/* What a transfer's signals say is for the peers that may see it: signals are sent to each
 * peer that has called the service (and so is listening), never broadcast, so an app in a
 * sandbox does not hear of other apps' transfers. */
typedef struct
{
  FerryService *self;
  FerryTransfer *transfer;
  const char *path;
  const char *interface;
  const char *name;
  GVariant *parameters;
} SignalDelivery;

static void
deliver_signal (gpointer key,
                gpointer value,
                gpointer user_data)
{
  SignalDelivery *d = user_data;
  g_autoptr(GError) error = NULL;

  if (!may_see (value, d->transfer))
    return;
  if (!g_dbus_connection_emit_signal (d->self->connection, key, d->path, d->interface, d->name,
                                      d->parameters, &error))
    g_debug ("Could not send %s to %s: %s", d->name, (const char *) key, error->message);
}

static void
emit_signal (FerryService  *self,
             FerryTransfer *transfer,
             const char    *path,
             const char    *interface,
             const char    *name,
             GVariant      *parameters)
{
  SignalDelivery d = { self, transfer, path, interface, name, g_variant_ref_sink (parameters) };

  if (self->connection != NULL && self->callers != NULL)
    ferry_callers_foreach (self->callers, deliver_signal, &d);
  g_variant_unref (d.parameters);
}

static void
on_transfer_properties_changed (FerryTransfer *transfer,
                                GVariant      *changed,
                                FerryService  *self)
{
  emit_signal (self, transfer, ferry_transfer_get_object_path (transfer),
               "org.freedesktop.DBus.Properties", "PropertiesChanged",
               g_variant_new ("(s@a{sv}@as)", TRANSFER_INTERFACE, changed,
                              g_variant_new_strv (NULL, 0)));
}

static void
count_in_session (FerryService *self,
                  const char   *session,
                  int           change)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->session_counts,
                                                       session ? session : ""));

  g_assert (change > 0 || count > 0);
  count = (guint) ((int) count + change);
  if (count == 0)
    g_hash_table_remove (self->session_counts, session ? session : "");
  else
    g_hash_table_insert (self->session_counts, g_strdup (session ? session : ""),
                         GUINT_TO_POINTER (count));
}

static void
track (FerryService  *self,
       FerryTransfer *transfer,
       gboolean       announce)
{
  FerryRecord *r = ferry_transfer_get_record (transfer);
  char *key = identifier_key (r);

  g_hash_table_insert (self->transfers, &r->id, g_object_ref (transfer));
  if (key != NULL)
    g_hash_table_insert (self->identifiers, key, transfer);
  count_in_session (self, r->session, 1);

  g_signal_connect_object (transfer, "properties-changed",
                           G_CALLBACK (on_transfer_properties_changed), self, 0);

  if (announce)
    emit_signal (self, transfer, FERRY_DAEMON_PATH, "org.freedesktop.DBus.ObjectManager",
                 "InterfacesAdded",
                 g_variant_new ("(o@a{sa{sv}})", ferry_transfer_get_object_path (transfer),
                                interfaces_and_properties (transfer)));
}

static void
untrack (FerryService  *self,
         FerryTransfer *transfer)
{
  FerryRecord *r = ferry_transfer_get_record (transfer);
  g_autofree char *key = identifier_key (r);
  const char *interfaces[] = { TRANSFER_INTERFACE, NULL };
  guint64 id = r->id;

  g_signal_handlers_disconnect_by_data (transfer, self);
  emit_signal (self, transfer, FERRY_DAEMON_PATH, "org.freedesktop.DBus.ObjectManager",
               "InterfacesRemoved",
               g_variant_new ("(o^as)", ferry_transfer_get_object_path (transfer), interfaces));
  if (key != NULL)
    g_hash_table_remove (self->identifiers, key);
  count_in_session (self, r->session, -1);
  g_hash_table_remove (self->transfers, &id);
}

static FerryTransfer *
transfer_for_node (FerryService *self,
                   const char   *node)
{
  guint64 id;

  if (node == NULL || !g_ascii_string_to_unsigned (node, 10, 1, G_MAXUINT64, &id, NULL))
    return NULL;
  return g_hash_table_lookup (self->transfers, &id);
}

typedef gboolean (*TransferOperation) (FerryScheduler *scheduler,
                                       FerryTransfer  *transfer,
                                       GError        **error);

/* Pause, Resume and Cancel: one scheduler operation, and its error if it refuses. */
static void
handle_operation (FerryService          *self,
                  FerryTransfer         *transfer,
                  GDBusMethodInvocation *invocation,
                  TransferOperation      operation)
{
  g_autoptr(GError) error = NULL;

  if (!operation (self->scheduler, transfer, &error))
    return_error (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
handle_remove (FerryService          *self,
               FerryTransfer         *transfer,
               GDBusMethodInvocation *invocation,
               gboolean               delete_data)
{
  g_autoptr(FerryTransfer) ref = g_object_ref (transfer);
  g_autoptr(GError) error = NULL;

  if (!ferry_scheduler_remove (self->scheduler, transfer, delete_data, &error))
    {
      return_error (invocation, error);
      return;
    }

  untrack (self, transfer);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
handle_update (FerryService          *self,
               FerryTransfer         *transfer,
               GDBusMethodInvocation *invocation,
               GVariant              *options)
{
  g_autoptr(FerryRecord) scratch = NULL;
  g_autoptr(GError) error = NULL;
  FerryRecord *r = ferry_transfer_get_record (transfer);
  g_autoptr(GVariant) new_uri = g_variant_lookup_value (options, "uri", G_VARIANT_TYPE_STRING);
  g_autoptr(GVariant) new_headers = NULL;
  gboolean uri_changed;
  gboolean restart;

  /* Validate on a copy of the fields Update may change; apply only if all are good. */
  scratch = ferry_record_new ();
  scratch->uri = g_strdup (r->uri);
  scratch->allow_metered = r->allow_metered;
  scratch->discretionary = r->discretionary;
  scratch->earliest_begin = r->earliest_begin;
  scratch->priority = r->priority;
  scratch->rate_limit = r->rate_limit;
  new_headers = g_variant_lookup_value (options, "headers", G_VARIANT_TYPE ("a{ss}"));

  if (!ferry_options_apply (scratch, options, FERRY_OPTIONS_UPDATE, NULL, &error))
    {
      return_error (invocation, error);
      return;
    }

  if (r->state == FERRY_STATE_COMPLETED)
    {
      g_dbus_method_invocation_return_error (invocation, FERRY_ERROR,
                                             FERRY_ERROR_INVALID_ARGUMENT,
                                             "This transfer has already completed");
      return;
    }

  uri_changed = g_strcmp0 (scratch->uri, r->uri) != 0;
  if (uri_changed)
    {
      /* The bytes stay; the validator decides at the next response whether they may. */
      g_free (r->uri);
      r->uri = g_steal_pointer (&scratch->uri);
      g_clear_pointer (&r->final_uri, g_free);
    }
  if (new_uri != NULL)
    {
      /* The same address again: where it redirected before may have expired, so it is
       * asked afresh; a wait for a new link ends. */
      uri_changed = uri_changed || r->final_uri != NULL;
      g_clear_pointer (&r->final_uri, g_free);
      if (r->state == FERRY_STATE_WAITING &&
          (r->wait_reasons & (FERRY_WAIT_LINK_EXPIRED | FERRY_WAIT_RETRY)))
        {
          r->state = FERRY_STATE_QUEUED;
          r->wait_reasons = FERRY_WAIT_NONE;
          r->retry_at = 0;
        }
    }
  r->allow_metered = scratch->allow_metered;
  r->discretionary = scratch->discretionary;
  r->earliest_begin = scratch->earliest_begin;
  r->priority = scratch->priority;
  /* A running attempt keeps the address, headers and limit it started with: restart it. */
  restart = uri_changed || scratch->rate_limit != r->rate_limit;
  r->rate_limit = scratch->rate_limit;
  if (new_headers != NULL)
    {
      /* The whole set is replaced: how a client gives credentials again (they leave the
       * store when a transfer ends) or fresh cookies with a fresh link. */
      g_clear_pointer (&r->headers, g_variant_unref);
      if (g_variant_n_children (scratch->headers) > 0)
        r->headers = g_variant_ref (scratch->headers);
      restart = TRUE;
    }

  if (!ferry_transfer_save (transfer, &error))
    {
      return_error (invocation, error);
      return;
    }

  if (restart)
    ferry_scheduler_restart (self->scheduler, transfer);
  else
    ferry_scheduler_replan (self->scheduler);

  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
transfer_method_call (GDBusConnection       *connection,
                      const char            *sender,
                      const char            *object_path,
                      const char            *interface_name,
                      const char            *method_name,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data)
{
  FerryService *self = user_data;
  g_autofree char *node = g_path_get_basename (object_path);
  FerryTransfer *transfer = transfer_for_node (self, node);
  g_autoptr(GError) error = NULL;
  const char *confinement;

  touch (self);

  if (transfer == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, FERRY_ERROR, FERRY_ERROR_NOT_FOUND,
                                             "Transfer %s no longer exists", node);
      return;
    }

  confinement = caller_confinement (self, invocation);
  if (confinement == NULL)
    return;
  if (!check_may_see (confinement, transfer, &error))
    {
      return_error (invocation, error);
      return;
    }

  if (g_str_equal (method_name, "Pause"))
    handle_operation (self, transfer, invocation, ferry_scheduler_pause);
  else if (g_str_equal (method_name, "Resume"))
    handle_operation (self, transfer, invocation, ferry_scheduler_resume);
  else if (g_str_equal (method_name, "Cancel"))
    handle_operation (self, transfer, invocation, ferry_scheduler_cancel);
  else if (g_str_equal (method_name, "Remove"))
    {
      gboolean delete_data;

      g_variant_get (parameters, "(b)", &delete_data);
      handle_remove (self, transfer, invocation, delete_data);
    }
  else if (g_str_equal (method_name, "Update"))
    {
      g_autoptr(GVariant) options = NULL;

      g_variant_get (parameters, "(@a{sv})", &options);
      handle_update (self, transfer, invocation, options);
    }
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                           G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "No method %s", method_name);
}

static GVariant *
transfer_get_property (GDBusConnection *connection,
                       const char      *sender,
                       const char      *object_path,
                       const char      *interface_name,
                       const char      *property_name,
                       GError         **error,
                       gpointer         user_data)
{
  FerryService *self = user_data;
  g_autofree char *node = g_path_get_basename (object_path);
  FerryTransfer *transfer = transfer_for_node (self, node);
  const char *confinement;

  if (transfer == NULL)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_NOT_FOUND,
                   "Transfer %s no longer exists", node);
      return NULL;
    }

  confinement = confinement_of (self, sender, error);
  if (confinement == NULL || !check_may_see (confinement, transfer, error))
    return NULL;

  return ferry_transfer_dup_property (transfer, property_name);
}

static const GDBusInterfaceVTable transfer_vtable = {
  transfer_method_call,
  transfer_get_property,
  NULL,
  { 0 }
};

static char **
subtree_enumerate (GDBusConnection *connection,
                   const char      *sender,
                   const char      *object_path,
                   gpointer         user_data)
{
  FerryService *self = user_data;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *confinement = confinement_of (self, sender, NULL);
  GHashTableIter iter;
  gpointer value;

  /* Only what the caller may see: GDBus answers for any other node (Introspect, Get, a
   * method call) exactly as for one that does not exist. */
  g_hash_table_iter_init (&iter, self->transfers);
  while (confinement != NULL && g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_autofree char *node = NULL;

      if (!may_see (confinement, value))
        continue;
      node = g_strdup_printf ("%" G_GUINT64_FORMAT, ferry_transfer_get_id (value));
      g_strv_builder_add (builder, node);
    }

  return g_strv_builder_end (builder);
}

static GDBusInterfaceInfo **
subtree_introspect (GDBusConnection *connection,
                    const char      *sender,
                    const char      *object_path,
                    const char      *node,
                    gpointer         user_data)
{
  FerryService *self = user_data;
  GPtrArray *infos;

  if (transfer_for_node (self, node) == NULL)
    return NULL;

  infos = g_ptr_array_new ();
  g_ptr_array_add (infos, g_dbus_interface_info_ref (ferry_transfer1_interface_info ()));
  g_ptr_array_add (infos, NULL);
  return (GDBusInterfaceInfo **) g_ptr_array_free (infos, FALSE);
}

static const GDBusInterfaceVTable *
subtree_dispatch (GDBusConnection *connection,
                  const char      *sender,
                  const char      *object_path,
                  const char      *interface_name,
                  const char      *node,
                  gpointer        *out_user_data,
                  gpointer         user_data)
{
  FerryService *self = user_data;

  if (g_strcmp0 (interface_name, TRANSFER_INTERFACE) != 0 ||
      transfer_for_node (self, node) == NULL)
    return NULL;

  *out_user_data = self;
  return &transfer_vtable;
}

static const GDBusSubtreeVTable subtree_vtable = {
  subtree_enumerate,
  subtree_introspect,
  subtree_dispatch,
  { 0 }
};

static GPtrArray *sorted_transfers (FerryService *self);

/* Each object's entry is serialised as soon as it is built, so the reply never exists as a
 * tree of hundreds of thousands of small values. */
static void
object_manager_method_call (GDBusConnection       *connection,
                            const char            *sender,
                            const char            *object_path,
                            const char            *interface_name,
                            const char            *method_name,
                            GVariant              *parameters,
                            GDBusMethodInvocation *invocation,
                            gpointer               user_data)
{
  FerryService *self = user_data;
  g_autoptr(GPtrArray) all = NULL;
  const char *confinement;
  GVariantBuilder builder;

  touch (self);

  confinement = caller_confinement (self, invocation);
  if (confinement == NULL)
    return;

  all = sorted_transfers (self);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{oa{sa{sv}}}"));
  for (guint i = 0, size = 0; i < all->len; i++)
    {
      FerryTransfer *t = g_ptr_array_index (all, i);
      GVariant *entry;

      if (!may_see (confinement, t))
        continue;
      entry = g_variant_ref_sink (
        g_variant_new ("{o@a{sa{sv}}}", ferry_transfer_get_object_path (t),
                       interfaces_and_properties (t)));

      (void) g_variant_get_data (entry);
      size += (guint) g_variant_get_size (entry) + 8;
      g_variant_builder_add_value (&builder, entry);
      g_variant_unref (entry);
      if (size > MAX_REPLY_BYTES)
        {
          g_variant_builder_clear (&builder);
          return_too_many (invocation, all->len);
          /* Tens of MiB were built and thrown away: give them back to the system. */
          malloc_trim (0);
          return;
        }
    }

  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(@a{oa{sa{sv}}})",
                                                        g_variant_builder_end (&builder)));
  /* The reply was many small values: without this their pages stay with ferryd for good. */
  malloc_trim (0);
}

static const GDBusInterfaceVTable object_manager_vtable = {
  object_manager_method_call,
  NULL,
  NULL,
  { 0 }
};

/* -- Manager ----------------------------------------------------------------------------- */

static char *
default_directory (FerryService *self)
{
  return ferry_settings_dup_download_folder (ferry_scheduler_get_settings (self->scheduler));
}

/* Stores @record and starts it; answers @invocation with its path. Returns the transfer
 * (owned by the service), or NULL with @error set when it could not be stored. */
static FerryTransfer *
add_record (FerryService          *self,
            GDBusMethodInvocation *invocation,
            FerryRecord           *record_in,
            gboolean               paused,
            GError               **out_error)
{
  g_autoptr(FerryRecord) record = record_in;
  g_autoptr(FerryTransfer) transfer = NULL;
  g_autoptr(GError) error = NULL;

  record->state = paused ? FERRY_STATE_PAUSED : FERRY_STATE_QUEUED;
  record->created_at = g_get_real_time () / G_USEC_PER_SEC;
  if (record->session == NULL)
    record->session = g_strdup ("");

  /* Persist before announce: the caller gets a path only for a stored transfer. */
  if (!ferry_store_insert (self->store, record, &error))
    {
      if (record->source_is_copy && record->source_path != NULL)
        g_unlink (record->source_path);
      if (out_error != NULL)
        *out_error = g_error_copy (error);
      return_error (invocation, error);
      return NULL;
    }

  transfer = ferry_transfer_new (self->store, g_steal_pointer (&record));
  track (self, transfer, TRUE);
  ferry_scheduler_add (self->scheduler, transfer);

  g_debug ("Added transfer %" G_GUINT64_FORMAT, ferry_transfer_get_id (transfer));
  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(o)",
                                                        ferry_transfer_get_object_path (transfer)));
  return transfer;
}

/* Answers the calls that named @key while an AddUpload of it was adopting its file: with the
 * transfer it made, or with its error. */
static void
answer_waiting (FerryService  *self,
                const char    *key,
                FerryTransfer *transfer,
                const GError  *error)
{
  g_autofree char *stolen_key = NULL;
  g_autoptr(GPtrArray) waiting = NULL;

  if (key == NULL ||
      !g_hash_table_steal_extended (self->adding, key, (gpointer *) &stolen_key,
                                    (gpointer *) &waiting))
    return;

  for (guint i = 0; i < waiting->len; i++)
    {
      GDBusMethodInvocation *invocation = g_ptr_array_index (waiting, i);

      if (transfer != NULL)
        {
          const char *path = ferry_transfer_get_object_path (transfer);

          g_dbus_method_invocation_return_value (g_object_ref (invocation),
                                                 g_variant_new ("(o)", path));
        }
      else
        {
          g_autoptr(GError) copy = g_error_copy (error);

          return_error (g_object_ref (invocation), copy);
        }
    }
}

/* Resolves the destination folder once and pins it (path, device and inode): later
 * attempts reach only that folder, whatever its path comes to name. */
static gboolean
pin_folder (FerryRecord *record,
            GError     **error)
{
  g_autofree char *real_path = NULL;

  if (record->dir_dev != 0 || record->dir_ino != 0)
    return TRUE;
  if (!ferry_folder_pin (record->directory, &real_path, &record->dir_dev, &record->dir_ino,
                         error))
    return FALSE;
  g_free (record->directory);
  record->directory = g_steal_pointer (&real_path);
  return TRUE;
}

/* A sandboxed app's transfers are in its own session, and its downloads land in the
 * Downloads folder or a folder inside it (symlinks resolved), never elsewhere. */
static gboolean
confine_record (FerryService *self,
                const char   *confinement,
                FerryRecord  *record,
                GError      **error)
{
  g_autofree char *downloads = NULL;
  g_autofree char *real_downloads = NULL;

  if (*confinement == '\0')
    return TRUE;

  g_free (record->session);
  record->session = g_strdup (confinement);

  if (record->directory == NULL)
    return TRUE;

  /* The folder checked is the folder pinned: the check looks at the resolved path, and
   * nothing resolves it again later. */
  if (!pin_folder (record, error))
    return FALSE;

  downloads = default_directory (self);
  real_downloads = realpath (downloads, NULL);
  if (real_downloads == NULL ||
      !ferry_caller_real_path_is_within (record->directory, real_downloads))
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED,
                   "An app in a sandbox may only download into the Downloads folder (%s) "
                   "or a folder inside it, not into %s", downloads, record->directory);
      return FALSE;
    }
  return TRUE;
}

/* The first steps of AddDownload and AddUpload: the caller's confinement, then the address
 * and options checked and applied to a new record of @kind. NULL once @invocation is answered:
 * with the error, or with the path of the transfer the (session, identifier) already names
 * (restart-or-reconnect: the same pair is the same transfer, whatever its state). */
static FerryRecord *
new_record (FerryService          *self,
            GDBusMethodInvocation *invocation,
            FerryKind              kind,
            const char            *uri,
            GVariant              *options,
            gboolean              *out_paused)
{
  g_autoptr(FerryRecord) record = ferry_record_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  FerryTransfer *existing;
  GPtrArray *waiting;
  const char *confinement;

  touch (self);

  confinement = caller_confinement (self, invocation);
  if (confinement == NULL)
    return NULL;

  record->kind = kind;
  /* New transfers follow the settings unless the caller says otherwise. */
  record->allow_metered = ferry_settings_get_boolean (ferry_scheduler_get_settings (self->scheduler),
                                                      "allow-metered", TRUE);

  if (!ferry_options_check_uri (uri, &error) ||
      !ferry_options_apply (record, options,
                            kind == FERRY_KIND_UPLOAD ? FERRY_OPTIONS_ADD_UPLOAD
                                                      : FERRY_OPTIONS_ADD_DOWNLOAD,
                            out_paused, &error) ||
      !confine_record (self, confinement, record, &error))
    {
      return_error (invocation, error);
      return NULL;
    }

  key = identifier_key (record);
  existing = key ? g_hash_table_lookup (self->identifiers, key) : NULL;
  if (existing != NULL)
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(o)",
                                                            ferry_transfer_get_object_path (existing)));
      return NULL;
    }

  /* An AddUpload of the same pair is still adopting its file: this call gets its transfer
   * (two concurrent adds are one transfer, never a second row). */
  waiting = key ? g_hash_table_lookup (self->adding, key) : NULL;
  if (waiting != NULL)
    {
      /* The array holds the reference the answer will use. */
      g_ptr_array_add (waiting, invocation);
      return NULL;
    }

  {
    guint limit = *confinement != '\0' ? self->max_per_app : self->max_per_host_session;
    guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->session_counts,
                                                         record->session ? record->session : ""));

    if (count >= limit)
      {
        g_dbus_method_invocation_return_error (invocation, FERRY_ERROR, FERRY_ERROR_FAILED,
                                               "This session already has %u transfers, the "
                                               "most Ferry keeps for one session; remove "
                                               "finished ones before adding more", limit);
        return NULL;
      }
  }

  record->uri = g_strdup (uri);
  return g_steal_pointer (&record);
}

static gboolean
handle_add_download (FerryManager1         *manager,
                     GDBusMethodInvocation *invocation,
                     const char            *uri,
                     GVariant              *options,
                     FerryService          *self)
{
  gboolean paused = FALSE;
  g_autoptr(FerryRecord) record = new_record (self, invocation, FERRY_KIND_DOWNLOAD, uri,
                                              options, &paused);
  g_autoptr(GError) error = NULL;

  if (record == NULL)
    return G_DBUS_METHOD_INVOCATION_HANDLED;

  if (record->directory == NULL)
    {
      record->directory = default_directory (self);
      if (g_mkdir_with_parents (record->directory, 0755) != 0)
        {
          g_dbus_method_invocation_return_error (invocation, FERRY_ERROR,
                                                 FERRY_ERROR_INVALID_ARGUMENT,
                                                 "The Downloads folder %s cannot be created; "
                                                 "give a destination",
                                                 record->directory);
          return G_DBUS_METHOD_INVOCATION_HANDLED;
        }
    }

  if (!pin_folder (record, &error))
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  add_record (self, invocation, g_steal_pointer (&record), paused, NULL);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

typedef struct
{
  FerryService *service;
  GDBusMethodInvocation *invocation;
  FerryRecord *record;
  gboolean paused;
  int fd;
  char *copy_dir;
  char *key;            /* its (session, identifier), if it has one */
  char *session;
} AddUpload;

static void
add_upload_free (AddUpload *add)
{
  g_clear_object (&add->service);
  g_clear_object (&add->invocation);
  g_clear_pointer (&add->record, ferry_record_free);
  if (add->fd >= 0)
    close (add->fd);
  g_free (add->copy_dir);
  g_free (add->key);
  g_free (add->session);
  g_free (add);
}

/* Finding the file again may mean copying it: not on the main thread. */
static void
adopt_source_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  AddUpload *add = task_data;
  GError *error = NULL;

  if (ferry_source_adopt (add->fd, add->copy_dir, add->record, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_source_adopted (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  AddUpload *add = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  FerryTransfer *transfer;

  count_in_session (add->service, add->session, -1);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      answer_waiting (add->service, add->key, NULL, error);
      return_error (add->invocation, error);
      g_application_release (G_APPLICATION (add->service));
      return;
    }

  /* The name the transfer shows is the file's. */
  g_free (add->record->destination);
  add->record->destination = g_strdup (add->record->filename);
  transfer = add_record (add->service, add->invocation, g_steal_pointer (&add->record),
                         add->paused, &error);
  answer_waiting (add->service, add->key, transfer, error);
  /* Held since the call came in; a stored transfer that has work holds on its own. */
  g_application_release (G_APPLICATION (add->service));
}

static gboolean
handle_add_upload (FerryManager1         *manager,
                   GDBusMethodInvocation *invocation,
                   GUnixFDList           *fd_list,
                   const char            *uri,
                   GVariant              *source,
                   GVariant              *options,
                   FerryService          *self)
{
  gboolean paused = FALSE;
  g_autoptr(FerryRecord) record = new_record (self, invocation, FERRY_KIND_UPLOAD, uri, options,
                                              &paused);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  AddUpload *add;
  int fd = -1;

  if (record == NULL)
    return G_DBUS_METHOD_INVOCATION_HANDLED;

  if (fd_list != NULL)
    fd = g_unix_fd_list_get (fd_list, g_variant_get_handle (source), NULL);
  if (!ferry_source_check (fd, &error))
    {
      if (fd >= 0)
        close (fd);
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  if (record->method == NULL)
    record->method = g_strdup ("POST");
  if (record->form_field != NULL && !g_str_equal (record->method, "POST"))
    {
      close (fd);
      g_dbus_method_invocation_return_error_literal (invocation, FERRY_ERROR,
                                                     FERRY_ERROR_INVALID_ARGUMENT,
                                                     "A form field is sent with POST, not PUT");
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  add = g_new0 (AddUpload, 1);
  add->service = g_object_ref (self);
  add->invocation = g_object_ref (invocation);
  add->record = g_steal_pointer (&record);
  add->paused = paused;
  add->fd = fd;
  add->copy_dir = g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR, "uploads", NULL);
  add->key = identifier_key (add->record);
  /* Counted against the session's quota while it adopts the file: many uploads at once
   * cannot all slip under it. */
  count_in_session (self, add->record->session, 1);
  add->session = g_strdup (add->record->session);
  if (add->key != NULL)
    g_hash_table_insert (self->adding, g_strdup (add->key),
                         g_ptr_array_new_with_free_func (g_object_unref));

  /* Copying the file can outlast the inactivity timeout: without a hold ferryd could exit
   * before it answers, and leave the copy behind. */
  g_application_hold (G_APPLICATION (self));
  task = g_task_new (NULL, NULL, on_source_adopted, NULL);
  g_task_set_task_data (task, add, (GDestroyNotify) add_upload_free);
  g_task_run_in_thread (task, adopt_source_thread);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  guint64 ia = ferry_transfer_get_id (*(FerryTransfer **) a);
  guint64 ib = ferry_transfer_get_id (*(FerryTransfer **) b);

  return ia < ib ? -1 : (ia > ib ? 1 : 0);
}

static GPtrArray *
sorted_transfers (FerryService *self)
{
  GPtrArray *all = g_ptr_array_sized_new (g_hash_table_size (self->transfers));
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->transfers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (all, value);

  g_ptr_array_sort (all, compare_ids);
  return all;
}

/* The transfers of @session ("" for all), oldest first: what a caller confined to it sees. */
static GPtrArray *
session_transfers (FerryService *self,
                   const char   *session)
{
  GPtrArray *all = sorted_transfers (self);
  GPtrArray *mine;

  if (*session == '\0')
    return all;

  mine = g_ptr_array_new ();
  for (guint i = 0; i < all->len; i++)
    {
      FerryTransfer *t = g_ptr_array_index (all, i);

      if (may_see (session, t))
        g_ptr_array_add (mine, t);
    }
  g_ptr_array_unref (all);
  return mine;
}

/* The session a listing of @session by this caller covers: a sandboxed app asking for all
 * gets its own; asking for another app's is refused. NULL once the call is answered. */
static const char *
listed_session (FerryService          *self,
                GDBusMethodInvocation *invocation,
                const char            *session)
{
  const char *confinement = caller_confinement (self, invocation);

  if (confinement == NULL || *confinement == '\0')
    return confinement == NULL ? NULL : session;
  if (*session == '\0' || g_str_equal (session, confinement))
    return confinement;

  g_dbus_method_invocation_return_error (invocation, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED,
                                         "%s may only list its own transfers, not those of %s",
                                         confinement, session);
  return NULL;
}

static gboolean
handle_list_transfers (FerryManager1         *manager,
                       GDBusMethodInvocation *invocation,
                       const char            *session,
                       FerryService          *self)
{
  g_autoptr(GPtrArray) transfers = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  touch (self);

  session = listed_session (self, invocation, session);
  if (session == NULL)
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  transfers = session_transfers (self, session);

  for (guint i = 0, size = 0; i < transfers->len; i++)
    {
      FerryTransfer *t = g_ptr_array_index (transfers, i);
      const char *path = ferry_transfer_get_object_path (t);

      size += (guint) strlen (path) + 5;
      if (size > MAX_REPLY_BYTES)
        {
          return_too_many (invocation, transfers->len);
          return G_DBUS_METHOD_INVOCATION_HANDLED;
        }
      g_ptr_array_add (paths, (gpointer) path);
    }
  g_ptr_array_add (paths, NULL);

  ferry_manager1_complete_list_transfers (manager, invocation,
                                          (const char *const *) paths->pdata);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_transfers (FerryManager1         *manager,
                      GDBusMethodInvocation *invocation,
                      const char            *session,
                      FerryService          *self)
{
  g_autoptr(GPtrArray) transfers = NULL;
  GVariantBuilder builder;

  touch (self);

  session = listed_session (self, invocation, session);
  if (session == NULL)
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  transfers = session_transfers (self, session);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(otssssssastttxxxxusbb)"));
  for (guint i = 0, size = 0; i < transfers->len; i++)
    {
      g_autoptr(GVariant) summary = ferry_transfer_dup_summary (g_ptr_array_index (transfers, i));

      (void) g_variant_get_data (summary);
      size += (guint) g_variant_get_size (summary) + 8;
      if (size > MAX_REPLY_BYTES)
        {
          g_variant_builder_clear (&builder);
          return_too_many (invocation, transfers->len);
          malloc_trim (0);
          return G_DBUS_METHOD_INVOCATION_HANDLED;
        }
      g_variant_builder_add_value (&builder, summary);
    }

  ferry_manager1_complete_get_transfers (manager, invocation, g_variant_builder_end (&builder));
  malloc_trim (0);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* GetTransfers a page at a time, by Id: a page ends at @limit transfers or PAGE_BYTES,
 * whichever comes first, so any number of transfers can be read within the bus's limits. */
static gboolean
handle_get_transfers_page (FerryManager1         *manager,
                           GDBusMethodInvocation *invocation,
                           const char            *session,
                           guint64                after,
                           guint                  limit,
                           FerryService          *self)
{
  g_autoptr(GPtrArray) transfers = NULL;
  GVariantBuilder builder;
  guint64 next = 0;
  guint taken = 0;
  gsize size = 0;

  touch (self);

  session = listed_session (self, invocation, session);
  if (session == NULL)
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  transfers = session_transfers (self, session);
  limit = limit == 0 ? PAGE_MAX_TRANSFERS : MIN (limit, PAGE_MAX_TRANSFERS);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(otssssssastttxxxxusbb)"));
  for (guint i = 0; i < transfers->len; i++)
    {
      FerryTransfer *t = g_ptr_array_index (transfers, i);
      guint64 id = ferry_transfer_get_record (t)->id;
      g_autoptr(GVariant) summary = NULL;

      if (id <= after)
        continue;
      if (taken == limit || size >= PAGE_BYTES)
        {
          /* More remain: the page ends after the last one it holds. */
          next = ferry_transfer_get_record (g_ptr_array_index (transfers, i - 1))->id;
          break;
        }
      summary = ferry_transfer_dup_summary (t);
      (void) g_variant_get_data (summary);
      size += g_variant_get_size (summary) + 8;
      g_variant_builder_add_value (&builder, summary);
      taken++;
    }

  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(@a(otssssssastttxxxxusbb)t)",
                                                        g_variant_builder_end (&builder),
                                                        next));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
is_unfinished (FerryState state)
{
  return !ferry_state_is_terminal (state);
}

static gboolean
is_paused (FerryState state)
{
  return state == FERRY_STATE_PAUSED;
}

/* PauseAll and ResumeAll: @operation on every transfer the caller may act on (a sandboxed app
 * its own only) in a state @applies to, in one transaction (one sync to disk, not one per
 * transfer). FALSE once @invocation is answered with an error. */
static gboolean
apply_to_all (FerryService          *self,
              GDBusMethodInvocation *invocation,
              gboolean             (*applies) (FerryState state),
              TransferOperation      operation)
{
  g_autoptr(GPtrArray) all = NULL;
  const char *confinement;
  gboolean batch;

  touch (self);

  confinement = caller_confinement (self, invocation);
  if (confinement == NULL)
    return FALSE;

  all = session_transfers (self, confinement);
  batch = ferry_store_begin (self->store, NULL);
  for (guint i = 0; i < all->len; i++)
    {
      FerryTransfer *t = g_ptr_array_index (all, i);

      if (applies (ferry_transfer_get_state (t)))
        operation (self->scheduler, t, NULL);
    }

  if (batch)
    ferry_store_commit (self->store, NULL);
  return TRUE;
}

static gboolean
handle_pause_all (FerryManager1         *manager,
                  GDBusMethodInvocation *invocation,
                  FerryService          *self)
{
  if (apply_to_all (self, invocation, is_unfinished, ferry_scheduler_pause))
    ferry_manager1_complete_pause_all (manager, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_resume_all (FerryManager1         *manager,
                   GDBusMethodInvocation *invocation,
                   FerryService          *self)
{
  if (apply_to_all (self, invocation, is_paused, ferry_scheduler_resume))
    ferry_manager1_complete_resume_all (manager, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* -- Scheduler events -------------------------------------------------------------------- */

typedef struct
{
  FerryService *self;
  GVariant *updates;        /* a(ottt) of every running transfer */
  GHashTable *filtered;     /* confinement → its share of the updates, made when needed */
} ProgressDelivery;

static GVariant *
progress_for (ProgressDelivery *d,
              const char       *confinement)
{
  GVariantBuilder builder;
  GVariantIter iter;
  GVariant *entry;
  GVariant *mine;

  if (*confinement == '\0')
    return d->updates;

  if (d->filtered == NULL)
    d->filtered = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) g_variant_unref);
  mine = g_hash_table_lookup (d->filtered, confinement);
  if (mine != NULL)
    return mine;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ottt)"));
  g_variant_iter_init (&iter, d->updates);
  while ((entry = g_variant_iter_next_value (&iter)) != NULL)
    {
      const char *path;
      g_autofree char *node = NULL;
      FerryTransfer *t;

      g_variant_get_child (entry, 0, "&o", &path);
      node = g_path_get_basename (path);
      t = transfer_for_node (d->self, node);
      if (t != NULL && may_see (confinement, t))
        g_variant_builder_add_value (&builder, entry);
      g_variant_unref (entry);
    }
  mine = g_variant_ref_sink (g_variant_builder_end (&builder));
  g_hash_table_insert (d->filtered, (gpointer) confinement, mine);
  return mine;
}

static void
deliver_progress (gpointer key,
                  gpointer value,
                  gpointer user_data)
{
  ProgressDelivery *d = user_data;
  GVariant *updates = progress_for (d, value);
  g_autoptr(GError) error = NULL;

  if (g_variant_n_children (updates) == 0)
    return;
  if (!g_dbus_connection_emit_signal (d->self->connection, key, FERRY_DAEMON_PATH,
                                      "io.github.ferryhq.Ferry.Manager1", "Progress",
                                      g_variant_new ("(@a(ottt))", updates), &error))
    g_debug ("Could not send Progress to %s: %s", (const char *) key, error->message);
}

static void
on_progress (FerryScheduler *scheduler,
             GVariant       *updates,
             FerryService   *self)
{
  ProgressDelivery d = { self, updates, NULL };

  /* Each peer gets the updates of the transfers it may see. */
  if (self->connection != NULL && self->callers != NULL)
    ferry_callers_foreach (self->callers, deliver_progress, &d);
  g_clear_pointer (&d.filtered, g_hash_table_unref);
}

static void
on_running_changed (FerryScheduler *scheduler,
                    FerryService   *self)
{
  ferry_manager1_set_running (self->manager, ferry_scheduler_get_running (scheduler));
  ferry_manager1_set_download_rate (self->manager, ferry_scheduler_get_download_rate (scheduler));
  ferry_manager1_set_upload_rate (self->manager, ferry_scheduler_get_upload_rate (scheduler));
}

static void
on_pending_changed (FerryScheduler *scheduler,
                    gboolean        pending,
                    FerryService   *self)
{
  if (pending && !self->held)
    {
      g_application_hold (G_APPLICATION (self));
      self->held = TRUE;
    }
  else if (!pending && self->held)
    {
      g_application_release (G_APPLICATION (self));
      self->held = FALSE;
    }
}

static void
on_environment_changed (FerryScheduler *scheduler,
                        FerryService   *self)
{
  ferry_manager1_set_online (self->manager, ferry_scheduler_get_online (scheduler));
  ferry_manager1_set_metered (self->manager, ferry_scheduler_get_metered (scheduler));
}

/* -- Relaunch ---------------------------------------------------------------------------- */

#define FINISHED_COALESCE_MSEC 1000

/* org.freedesktop.Application's object path for an app id (GApplication's rule). */
static char *
application_path (const char *app_id)
{
  g_autoptr(GString) path = g_string_new ("/");

  for (const char *s = app_id; *s != '\0'; s++)
    g_string_append_c (path, *s == '.' ? '/' : (*s == '-' ? '_' : *s));
  return g_string_free (g_steal_pointer (&path), FALSE);
}

typedef struct
{
  FerryService *self;
  char *session;
} ActivateData;

static void
on_activated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ActivateData *data = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      /* Not retried: the outcomes stay listed for when the app comes back. Said once. */
      if (!g_hash_table_contains (data->self->unreachable, data->session))
        {
          g_warning ("Could not tell %s that its transfers ended: %s", data->session,
                     error->message);
          g_hash_table_add (data->self->unreachable, g_strdup (data->session));
        }
    }
  else
    {
      g_hash_table_remove (data->self->unreachable, data->session);
    }

  g_application_release (G_APPLICATION (data->self));
  g_object_unref (data->self);
  g_free (data->session);
  g_free (data);
}

static gboolean
send_finished (gpointer user_data)
{
  FerryService *self = user_data;
  GHashTableIter iter;
  gpointer key, value;

  self->finished_source = 0;
  if (self->connection == NULL)
    {
      g_hash_table_remove_all (self->finished);
      return G_SOURCE_REMOVE;
    }

  g_hash_table_iter_init (&iter, self->finished);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *session = key;
      GPtrArray *identifiers = value;
      g_autofree char *path = application_path (session);
      ActivateData *data = g_new0 (ActivateData, 1);
      GVariantBuilder parameter;

      g_ptr_array_add (identifiers, NULL);
      g_variant_builder_init (&parameter, G_VARIANT_TYPE ("av"));
      g_variant_builder_add (&parameter, "v",
                             g_variant_new_strv ((const char *const *) identifiers->pdata, -1));

      data->self = g_object_ref (self);
      data->session = g_strdup (session);
      /* Held until the app answered: the service does not exit with a call in flight. */
      g_application_hold (G_APPLICATION (self));
      g_dbus_connection_call (self->connection, session, path, "org.freedesktop.Application",
                              "ActivateAction",
                              g_variant_new ("(sava{sv})", "transfers-finished", &parameter,
                                             NULL),
                              NULL, G_DBUS_CALL_FLAGS_NONE, 60000, NULL, on_activated, data);
      g_debug ("Told %s that %u transfers ended", session, identifiers->len - 1);
    }

  g_hash_table_remove_all (self->finished);
  return G_SOURCE_REMOVE;
}

static void
on_finished (FerryScheduler *scheduler,
             FerryTransfer  *transfer,
             FerryService   *self)
{
  const FerryRecord *r = ferry_transfer_get_record (transfer);
  GPtrArray *identifiers;

  if (!r->notify || r->session == NULL || !g_application_id_is_valid (r->session) ||
      r->identifier == NULL || *r->identifier == '\0')
    return;

  identifiers = g_hash_table_lookup (self->finished, r->session);
  if (identifiers == NULL)
    {
      identifiers = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (self->finished, g_strdup (r->session), identifiers);
    }
  g_ptr_array_add (identifiers, g_strdup (r->identifier));

  /* Whatever else ends within the second goes in the same call. */
  if (self->finished_source == 0)
    self->finished_source = g_timeout_add (FINISHED_COALESCE_MSEC, send_finished, self);
}

/* -- GApplication ------------------------------------------------------------------------ */

static char *
store_path (void)
{
  return g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR, "ferry.db", NULL);
}

/* Copies of files to upload that no transfer names: left by a ferryd that ended (kill -9,
 * power loss) while an AddUpload was still copying. Nothing else writes there. */
static void
delete_orphaned_copies (GPtrArray *transfers)
{
  g_autofree char *dir_path = g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR,
                                                "uploads", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GHashTable) used = g_hash_table_new (g_str_hash, g_str_equal);
  const char *name;

  if (dir == NULL)
    return;

  for (guint i = 0; i < transfers->len; i++)
    {
      FerryRecord *r = ferry_transfer_get_record (g_ptr_array_index (transfers, i));

      if (r->source_is_copy && r->source_path != NULL)
        g_hash_table_add (used, r->source_path);
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);

      if (g_hash_table_contains (used, path))
        continue;
      if (g_unlink (path) == 0)
        g_message ("Deleted %s, a copy of a file to upload that no transfer uses", path);
    }
}

/* Finished transfers older than the keep-finished-days setting leave the store, unless
 * their session holds them: a transfer the client named with an identifier is held, as a
 * background-session client reconnects to it by (session, identifier) to collect its
 * outcome and removes it itself (DESIGN.md, sessions). The nameless ones (ferryctl add,
 * the app's add dialog, a browser link) are what a person forgets about. Their files stay;
 * a failed upload's private copy, Ferry's own, goes with the record. */
static void
prune_finished (FerryStore *store,
                GPtrArray  *records)
{
  g_autoptr(GSettings) settings = ferry_settings_new ();
  guint days = ferry_settings_get_uint (settings, "keep-finished-days", 90);
  gint64 before = g_get_real_time () / G_USEC_PER_SEC - (gint64) days * 24 * 3600;
  guint pruned = 0;
  gboolean batch;

  if (days == 0)
    return;

  batch = ferry_store_begin (store, NULL);
  for (guint i = records->len; i > 0; i--)
    {
      FerryRecord *r = g_ptr_array_index (records, i - 1);
      g_autoptr(GError) error = NULL;

      if (r->state < FERRY_STATE_COMPLETED || r->finished_at <= 0 || r->finished_at >= before ||
          (r->identifier != NULL && *r->identifier != '\0'))
        continue;
      if (!ferry_store_delete (store, r->id, &error))
        {
          g_warning ("Could not forget transfer %" G_GUINT64_FORMAT ": %s", r->id,
                     error->message);
          continue;
        }
      if (r->source_is_copy && r->source_path != NULL)
        g_unlink (r->source_path);
      g_ptr_array_remove_index (records, i - 1);
      pruned++;
    }
  if (batch && !ferry_store_commit (store, NULL))
    g_warning ("Could not forget the finished transfers older than %u days", days);
  if (pruned > 0)
    g_message ("Forgot %u finished transfers older than %u days", pruned, days);
}

static gboolean
load_store (FerryService *self,
            GError      **error)
{
  g_autofree char *path = store_path ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) transfers = NULL;

  self->store = ferry_store_open (path, error);
  if (self->store == NULL)
    return FALSE;

  records = ferry_store_load (self->store, error);
  if (records == NULL)
    return FALSE;
  prune_finished (self->store, records);

  /* Each transfer takes its record. */
  g_ptr_array_set_free_func (records, NULL);
  transfers = g_ptr_array_new_full (records->len, g_object_unref);
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (transfers, ferry_transfer_new (self->store, g_ptr_array_index (records, i)));

  self->scheduler = ferry_scheduler_new (self->store);
  g_signal_connect_object (self->scheduler, "progress", G_CALLBACK (on_progress), self, 0);
  g_signal_connect_object (self->scheduler, "running-changed", G_CALLBACK (on_running_changed),
                           self, 0);
  g_signal_connect_object (self->scheduler, "pending-changed", G_CALLBACK (on_pending_changed),
                           self, 0);
  g_signal_connect_object (self->scheduler, "environment-changed",
                           G_CALLBACK (on_environment_changed), self, 0);
  g_signal_connect_object (self->scheduler, "finished", G_CALLBACK (on_finished), self, 0);
  on_environment_changed (self->scheduler, self);

  for (guint i = 0; i < transfers->len; i++)
    track (self, g_ptr_array_index (transfers, i), FALSE);

  delete_orphaned_copies (transfers);
  ferry_scheduler_restore (self->scheduler, transfers);
  g_debug ("Restored %u transfers", transfers->len);
  return TRUE;
}

static gboolean
ferry_service_dbus_register (GApplication    *application,
                             GDBusConnection *connection,
                             const char      *object_path,
                             GError         **error)
{
  FerryService *self = FERRY_SERVICE (application);

  if (!G_APPLICATION_CLASS (ferry_service_parent_class)->dbus_register (application, connection,
                                                                       object_path, error))
    return FALSE;

  self->manager = ferry_manager1_skeleton_new ();
  ferry_manager1_set_version (self->manager, PACKAGE_VERSION);
  g_signal_connect_object (self->manager, "handle-add-download",
                           G_CALLBACK (handle_add_download), self, 0);
  g_signal_connect_object (self->manager, "handle-add-upload",
                           G_CALLBACK (handle_add_upload), self, 0);
  g_signal_connect_object (self->manager, "handle-list-transfers",
                           G_CALLBACK (handle_list_transfers), self, 0);
  g_signal_connect_object (self->manager, "handle-get-transfers",
                           G_CALLBACK (handle_get_transfers), self, 0);
  g_signal_connect_object (self->manager, "handle-get-transfers-page",
                           G_CALLBACK (handle_get_transfers_page), self, 0);
  g_signal_connect_object (self->manager, "handle-pause-all",
                           G_CALLBACK (handle_pause_all), self, 0);
  g_signal_connect_object (self->manager, "handle-resume-all",
                           G_CALLBACK (handle_resume_all), self, 0);

  /* Restore before the name is owned: a client never sees a half-loaded queue. */
  if (!load_store (self, error))
    return FALSE;

  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->manager), connection,
                                         FERRY_DAEMON_PATH, error))
    return FALSE;

  {
    g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (object_manager_xml, NULL);

    g_assert (info != NULL);
    self->object_manager_id =
      g_dbus_connection_register_object (connection, FERRY_DAEMON_PATH, info->interfaces[0],
                                         &object_manager_vtable, self, NULL, error);
    if (self->object_manager_id == 0)
      return FALSE;
  }

  self->subtree_id = g_dbus_connection_register_subtree (connection, FERRY_TRANSFERS_PATH,
                                                         &subtree_vtable,
                                                         G_DBUS_SUBTREE_FLAGS_NONE,
                                                         self, NULL, error);
  if (self->subtree_id == 0)
    return FALSE;

  self->connection = g_object_ref (connection);
  self->callers = ferry_callers_new (connection);
  return TRUE;
}

static void
ferry_service_dbus_unregister (GApplication    *application,
                               GDBusConnection *connection,
                               const char      *object_path)
{
  FerryService *self = FERRY_SERVICE (application);

  if (self->manager != NULL &&
      g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (self->manager)) != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->manager));
  if (self->subtree_id != 0)
    g_dbus_connection_unregister_subtree (connection, self->subtree_id);
  if (self->object_manager_id != 0)
    g_dbus_connection_unregister_object (connection, self->object_manager_id);
  self->subtree_id = 0;
  self->object_manager_id = 0;
  g_clear_pointer (&self->callers, ferry_callers_free);
  g_clear_object (&self->connection);

  G_APPLICATION_CLASS (ferry_service_parent_class)->dbus_unregister (application, connection,
                                                                    object_path);
}

static void
on_stopped (gpointer user_data)
{
  FerryService *self = user_data;

  g_application_quit (G_APPLICATION (self));
}

/* SIGTERM (logout, shutdown): take a checkpoint of every running transfer, then quit. */
static gboolean
on_terminate (gpointer user_data)
{
  FerryService *self = user_data;

  if (self->quitting)
    return G_SOURCE_CONTINUE;

  self->quitting = TRUE;
  g_message ("Stopping: saving the progress of running transfers");
  if (self->scheduler != NULL)
    ferry_scheduler_shutdown (self->scheduler, G_CALLBACK (on_stopped), self);
  else
    g_application_quit (G_APPLICATION (self));

  return G_SOURCE_CONTINUE;
}

static void
ferry_service_startup (GApplication *application)
{
  G_APPLICATION_CLASS (ferry_service_parent_class)->startup (application);

  g_unix_signal_add (SIGTERM, on_terminate, application);
  g_unix_signal_add (SIGINT, on_terminate, application);
}

static void
ferry_service_activate (GApplication *application)
{
  /* Nothing to show: the service is reached over D-Bus. */
}

static void
ferry_service_dispose (GObject *object)
{
  FerryService *self = FERRY_SERVICE (object);

  g_clear_pointer (&self->identifiers, g_hash_table_unref);
  g_clear_pointer (&self->adding, g_hash_table_unref);
  g_clear_pointer (&self->session_counts, g_hash_table_unref);
  g_clear_pointer (&self->transfers, g_hash_table_unref);
  g_clear_handle_id (&self->finished_source, g_source_remove);
  g_clear_pointer (&self->finished, g_hash_table_unref);
  g_clear_pointer (&self->unreachable, g_hash_table_unref);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->connection);
  g_clear_object (&self->manager);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ferry_service_parent_class)->dispose (object);
}

static void
ferry_service_class_init (FerryServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ferry_service_dispose;
  app_class->dbus_register = ferry_service_dbus_register;
  app_class->dbus_unregister = ferry_service_dbus_unregister;
  app_class->startup = ferry_service_startup;
  app_class->activate = ferry_service_activate;
}

static void
ferry_service_init (FerryService *self)
{
  self->transfers = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_object_unref);
  self->identifiers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->adding = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_ptr_array_unref);
  self->session_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->max_per_app = MAX_TRANSFERS_PER_APP;
  self->max_per_host_session = MAX_TRANSFERS_PER_HOST_SESSION;
  if (g_getenv ("FERRY_MAX_TRANSFERS_PER_SESSION") != NULL)
    {
      guint64 max = g_ascii_strtoull (g_getenv ("FERRY_MAX_TRANSFERS_PER_SESSION"), NULL, 10);

      if (max > 0 && max <= G_MAXUINT)
        self->max_per_app = self->max_per_host_session = (guint) max;
    }
  self->finished = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_ptr_array_unref);
  self->unreachable = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

FerryService *
ferry_service_new (void)
{
  const char *timeout = g_getenv ("FERRY_INACTIVITY_TIMEOUT_MSEC");

  /* Make sure the error domain is registered before any call can be answered. */
  (void) FERRY_ERROR;

  return g_object_new (FERRY_TYPE_SERVICE,
                       "application-id", FERRY_DAEMON_ID,
                       "flags", G_APPLICATION_IS_SERVICE,
                       "inactivity-timeout",
                       timeout ? (guint) g_ascii_strtoull (timeout, NULL, 10)
                               : INACTIVITY_TIMEOUT_MSEC,
                       NULL);
}
