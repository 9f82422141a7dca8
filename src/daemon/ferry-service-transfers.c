/* ferry-service-transfers.c
 *
 * The Transfer1 objects, served from one subtree registration, and the service's own
 * ObjectManager over them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-service"

#include "config.h"

#include <malloc.h>
#include <string.h>

#include "ferry-error.h"
#include "ferry-i18n.h"
#include "ferry-options.h"
#include "ferry-service-private.h"

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

void
_ferry_service_return_too_many (GDBusMethodInvocation *invocation,
                                guint                  count)
{
  g_autofree char *message =
    g_strdup_printf (N_("Ferry holds %u transfers, more than one D-Bus message can describe; "
                        "ask io.github.ferryhq.Ferry.Manager1.GetTransfersPage for them a page "
                        "at a time"), count);
  g_autofree char *translated =
    ferry_i18n_translate_for_peer (g_dbus_method_invocation_get_sender (invocation), message);

  g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR,
                                                 G_DBUS_ERROR_LIMITS_EXCEEDED, translated);
}

/* For @peer: its sentences in the peer's language; NULL for the stored ones. */
static GVariant *
interfaces_and_properties_for (FerryTransfer *transfer,
                               const char    *peer)
{
  g_autoptr(GVariant) stored = ferry_transfer_dup_properties (transfer);
  g_autoptr(GVariant) properties = peer ? _ferry_service_translate_properties (stored, peer)
                                        : g_variant_ref (stored);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_variant_builder_add (&builder, "{s@a{sv}}", TRANSFER_INTERFACE, properties);
  return g_variant_builder_end (&builder);
}

static GVariant *
interfaces_and_properties (FerryTransfer *transfer)
{
  return interfaces_and_properties_for (transfer, NULL);
}

/* @parameters of a PropertiesChanged or InterfacesAdded signal with the transfer's
 * sentences in @peer's language. */
static GVariant *
translate_signal (const char *name,
                  GVariant   *parameters,
                  const char *peer)
{
  if (g_str_equal (name, "PropertiesChanged"))
    {
      const char *interface;
      g_autoptr(GVariant) changed = NULL;
      g_autoptr(GVariant) invalidated = NULL;
      g_autoptr(GVariant) translated = NULL;

      g_variant_get (parameters, "(&s@a{sv}@as)", &interface, &changed, &invalidated);
      translated = _ferry_service_translate_properties (changed, peer);
      if (translated == changed)
        return g_variant_ref (parameters);
      return g_variant_ref_sink (g_variant_new ("(s@a{sv}@as)", interface, translated,
                                                invalidated));
    }

  if (g_str_equal (name, "InterfacesAdded"))
    {
      const char *path;
      g_autoptr(GVariant) interfaces = NULL;
      g_autoptr(GVariant) properties = NULL;
      g_autoptr(GVariant) translated = NULL;
      GVariantBuilder builder;

      g_variant_get (parameters, "(&o@a{sa{sv}})", &path, &interfaces);
      properties = g_variant_lookup_value (interfaces, TRANSFER_INTERFACE, G_VARIANT_TYPE_VARDICT);
      if (properties == NULL)
        return g_variant_ref (parameters);
      translated = _ferry_service_translate_properties (properties, peer);
      if (translated == properties)
        return g_variant_ref (parameters);
      g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sa{sv}}"));
      g_variant_builder_add (&builder, "{s@a{sv}}", TRANSFER_INTERFACE, translated);
      return g_variant_ref_sink (g_variant_new ("(o@a{sa{sv}})", path,
                                                g_variant_builder_end (&builder)));
    }

  return g_variant_ref (parameters);
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
  g_autoptr(GVariant) parameters = NULL;

  if (!_ferry_service_may_see (value, d->transfer))
    return;
  parameters = translate_signal (d->name, d->parameters, key);
  if (!g_dbus_connection_emit_signal (d->self->connection, key, d->path, d->interface, d->name,
                                      parameters, &error))
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

/* -- Announcements: what a transfer notifies becomes its PropertiesChanged --------------- */

static int
compare_param_id (gconstpointer a,
                  gconstpointer b)
{
  guint ia = (*(GParamSpec **) a)->param_id;
  guint ib = (*(GParamSpec **) b)->param_id;

  return ia < ib ? -1 : (ia > ib ? 1 : 0);
}

static void
announce_one (FerryService  *self,
              FerryTransfer *transfer,
              GPtrArray     *pspecs)
{
  g_auto(GVariantBuilder) changed = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  /* In the order of the interface XML, as the values were announced (stored). */
  g_ptr_array_sort (pspecs, compare_param_id);
  for (guint i = 0; i < pspecs->len; i++)
    {
      GParamSpec *pspec = g_ptr_array_index (pspecs, i);
      GVariant *value = ferry_transfer_dup_published (transfer, pspec);

      g_variant_builder_add (&changed, "{sv}", g_param_spec_get_nick (pspec), value);
      g_variant_unref (value);
    }

  emit_signal (self, transfer, ferry_transfer_get_object_path (transfer),
               "org.freedesktop.DBus.Properties", "PropertiesChanged",
               g_variant_new ("(s@a{sv}@as)", TRANSFER_INTERFACE,
                              g_variant_builder_end (&changed), g_variant_new_strv (NULL, 0)));
}

void
_ferry_service_announce (FerryService *self)
{
  g_autoptr(GHashTable) unannounced = g_steal_pointer (&self->unannounced);
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_clear_handle_id (&self->announce_source, g_source_remove);
  if (unannounced == NULL)
    return;

  g_hash_table_iter_init (&iter, unannounced);
  while (g_hash_table_iter_next (&iter, &key, &value))
    announce_one (self, key, value);
}

static gboolean
announce_idle (gpointer user_data)
{
  FerryService *self = user_data;

  self->announce_source = 0;
  _ferry_service_announce (self);
  return G_SOURCE_REMOVE;
}

static void
on_transfer_notify (FerryTransfer *transfer,
                    GParamSpec    *pspec,
                    gpointer       user_data)
{
  FerryService *self = user_data;
  GPtrArray *pspecs;

  if (self->unannounced == NULL)
    self->unannounced = g_hash_table_new_full (NULL, NULL, g_object_unref,
                                               (GDestroyNotify) g_ptr_array_unref);
  pspecs = g_hash_table_lookup (self->unannounced, transfer);
  if (pspecs == NULL)
    {
      pspecs = g_ptr_array_new ();
      g_hash_table_insert (self->unannounced, g_object_ref (transfer), pspecs);
    }
  if (!g_ptr_array_find (pspecs, pspec, NULL))
    g_ptr_array_add (pspecs, pspec);

  /* The changes of one main-loop iteration go in one signal per transfer. */
  if (self->announce_source == 0)
    self->announce_source = g_idle_add_full (G_PRIORITY_DEFAULT, announce_idle, self, NULL);
}

void
_ferry_service_count_in_session (FerryService *self,
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

static guint64
ordered_id (FerryService *self,
            guint         position)
{
  return ferry_transfer_get_record (g_ptr_array_index (self->ordered, position))->id;
}

/* Where @id is in self->ordered, or would go: the first transfer with an id at least @id.
 * Ids only grow (AUTOINCREMENT), so a new transfer is almost always the last. */
static guint
ordered_position (FerryService *self,
                  guint64       id)
{
  guint low = 0;
  guint high = self->ordered->len;

  if (high > 0 && ordered_id (self, high - 1) < id)
    return high;
  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (ordered_id (self, middle) < id)
        low = middle + 1;
      else
        high = middle;
    }
  return low;
}

void
_ferry_service_track (FerryService  *self,
                      FerryTransfer *transfer,
                      gboolean       announce)
{
  const FerryRecord *r = ferry_transfer_get_record (transfer);
  char *key = _ferry_service_identifier_key (r);

  /* Keyed by the record's own id, which lives as long as the transfer. */
  g_hash_table_insert (self->transfers, (gpointer) &r->id, g_object_ref (transfer));
  g_ptr_array_insert (self->ordered, (int) ordered_position (self, r->id), transfer);
  if (key != NULL)
    g_hash_table_insert (self->identifiers, key, transfer);
  _ferry_service_count_in_session (self, r->session, 1);

  ferry_transfer_set_watch (transfer, on_transfer_notify, self);

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
  const FerryRecord *r = ferry_transfer_get_record (transfer);
  g_autofree char *key = _ferry_service_identifier_key (r);
  const char *interfaces[] = { TRANSFER_INTERFACE, NULL };
  guint64 id = r->id;
  guint position;

  ferry_transfer_set_watch (transfer, NULL, NULL);
  /* What it announced before it went is said first. */
  _ferry_service_announce (self);
  emit_signal (self, transfer, FERRY_DAEMON_PATH, "org.freedesktop.DBus.ObjectManager",
               "InterfacesRemoved",
               g_variant_new ("(o^as)", ferry_transfer_get_object_path (transfer), interfaces));
  if (key != NULL)
    g_hash_table_remove (self->identifiers, key);
  _ferry_service_count_in_session (self, r->session, -1);
  position = ordered_position (self, id);
  g_assert (position < self->ordered->len &&
            g_ptr_array_index (self->ordered, position) == transfer);
  g_ptr_array_remove_index (self->ordered, position);
  g_hash_table_remove (self->transfers, &id);
}

void
_ferry_service_untrack_all (FerryService *self)
{
  for (guint i = 0; self->ordered != NULL && i < self->ordered->len; i++)
    ferry_transfer_set_watch (g_ptr_array_index (self->ordered, i), NULL, NULL);
  g_clear_pointer (&self->ordered, g_ptr_array_unref);
  g_clear_pointer (&self->transfers, g_hash_table_unref);
}

FerryTransfer *
_ferry_service_transfer_for_node (FerryService *self,
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
    {
      _ferry_service_return_error (invocation, error);
      return;
    }

  _ferry_service_announce (self);
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
      _ferry_service_return_error (invocation, error);
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
  const FerryRecord *r = ferry_transfer_get_record (transfer);
  g_autoptr(GVariant) new_uri = g_variant_lookup_value (options, "uri", G_VARIANT_TYPE_STRING);
  g_autoptr(GVariant) new_headers = NULL;

  /* Validate on a copy of the fields Update may change; apply only if all are good. */
  scratch = ferry_record_new ();
  scratch->uri = g_strdup (r->uri);
  scratch->allow_metered = r->allow_metered;
  scratch->discretionary = r->discretionary;
  scratch->earliest_begin = r->earliest_begin;
  scratch->priority = r->priority;
  scratch->rate_limit = r->rate_limit;
  scratch->connections = r->connections;
  new_headers = g_variant_lookup_value (options, "headers", G_VARIANT_TYPE ("a{ss}"));

  if (!ferry_options_apply (scratch, options, FERRY_OPTIONS_UPDATE, NULL, &error))
    {
      _ferry_service_return_error (invocation, error);
      return;
    }

  if (!ferry_scheduler_update (self->scheduler, transfer, scratch, new_uri != NULL,
                               new_headers != NULL, &error))
    {
      _ferry_service_return_error (invocation, error);
      return;
    }

  _ferry_service_announce (self);
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
  FerryTransfer *transfer = _ferry_service_transfer_for_node (self, node);
  g_autoptr(GError) error = NULL;
  const char *confinement;

  _ferry_service_touch (self);

  if (transfer == NULL)
    {
      _ferry_service_return_new_error (invocation, FERRY_ERROR, FERRY_ERROR_NOT_FOUND,
                                       N_ ("Transfer %s no longer exists"), node);
      return;
    }

  confinement = _ferry_service_caller_confinement (self, invocation);
  if (confinement == NULL)
    return;
  if (!_ferry_service_check_may_see (confinement, transfer, &error))
    {
      _ferry_service_return_error (invocation, error);
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
  FerryTransfer *transfer = _ferry_service_transfer_for_node (self, node);
  const char *confinement;

  if (transfer == NULL)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_NOT_FOUND,
                   N_ ("Transfer %s no longer exists"), node);
      return NULL;
    }

  confinement = _ferry_service_confinement_of (self, sender, error);
  if (confinement == NULL || !_ferry_service_check_may_see (confinement, transfer, error))
    return NULL;

  if (g_str_equal (property_name, "Error") || g_str_equal (property_name, "AttemptLog"))
    {
      g_autoptr(GVariant) stored = ferry_transfer_dup_property (transfer, property_name);
      g_autoptr(GVariantDict) dict = g_variant_dict_new (NULL);
      g_autoptr(GVariant) one = NULL;
      g_autoptr(GVariant) translated = NULL;

      /* The same translation as a whole reading's, for the one property asked. */
      g_variant_dict_insert_value (dict, property_name, stored);
      one = g_variant_ref_sink (g_variant_dict_end (dict));
      translated = _ferry_service_translate_properties (one, sender);
      return g_variant_lookup_value (translated, property_name, NULL);
    }
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
  const char *confinement = _ferry_service_confinement_of (self, sender, NULL);
  GHashTableIter iter;
  gpointer value;

  /* Only what the caller may see: GDBus answers for any other node (Introspect, Get, a
   * method call) exactly as for one that does not exist. */
  g_hash_table_iter_init (&iter, self->transfers);
  while (confinement != NULL && g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_autofree char *node = NULL;

      if (!_ferry_service_may_see (confinement, value))
        continue;
      node = g_strdup_printf ("%" G_GUINT64_FORMAT, ferry_transfer_get_id (value));
      g_strv_builder_add (builder, node);
    }

  return g_strv_builder_end (builder);
}

/* The transfer at @node if @sender may see it. Calls on a node are dispatched without
 * enumerating the subtree first (each of them listed every transfer, 130 ms at 100,000),
 * so this is where another app's transfer answers as one that does not exist. */
static FerryTransfer *
visible_transfer_for_node (FerryService *self,
                           const char   *sender,
                           const char   *node)
{
  FerryTransfer *transfer = _ferry_service_transfer_for_node (self, node);
  const char *confinement;

  if (transfer == NULL)
    return NULL;
  confinement = _ferry_service_confinement_of (self, sender, NULL);
  if (confinement == NULL || !_ferry_service_may_see (confinement, transfer))
    return NULL;
  return transfer;
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

  if (node == NULL || visible_transfer_for_node (self, sender, node) == NULL)
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
      visible_transfer_for_node (self, sender, node) == NULL)
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

GPtrArray *
_ferry_service_sorted_transfers (FerryService *self)
{
  /* A copy: a handler may track or untrack transfers while it goes through them. */
  return g_ptr_array_copy (self->ordered, NULL, NULL);
}

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

  _ferry_service_touch (self);

  confinement = _ferry_service_caller_confinement (self, invocation);
  if (confinement == NULL)
    return;

  all = _ferry_service_sorted_transfers (self);

  /* Serialised, each entry holds at least, for every property, its name and nul, the
   * offset that ends it, a variant's nul and type (its value may be empty) and the offset
   * that ends the pair: when that alone passes the limit, the reply is refused at once
   * rather than after building 32 MB of it (1-3 s at 100,000 transfers). */
  {
    GDBusPropertyInfo **properties = ferry_transfer1_interface_info ()->properties;
    gsize least = 0;
    gsize visible = 0;

    for (guint i = 0; properties[i] != NULL; i++)
      least += strlen (properties[i]->name) + 5;
    for (guint i = 0; i < all->len; i++)
      visible += _ferry_service_may_see (confinement, g_ptr_array_index (all, i)) ? 1 : 0;
    if (visible * least > MAX_REPLY_BYTES)
      {
        _ferry_service_return_too_many (invocation, all->len);
        return;
      }
  }

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{oa{sa{sv}}}"));
  for (guint i = 0, size = 0; i < all->len; i++)
    {
      FerryTransfer *t = g_ptr_array_index (all, i);
      GVariant *entry;

      if (!_ferry_service_may_see (confinement, t))
        continue;
      entry = g_variant_ref_sink (
        g_variant_new ("{o@a{sa{sv}}}", ferry_transfer_get_object_path (t),
                       interfaces_and_properties_for (
                         t, g_dbus_method_invocation_get_sender (invocation))));

      (void) g_variant_get_data (entry);
      size += (guint) g_variant_get_size (entry) + 8;
      g_variant_builder_add_value (&builder, entry);
      g_variant_unref (entry);
      if (size > MAX_REPLY_BYTES)
        {
          g_variant_builder_clear (&builder);
          _ferry_service_return_too_many (invocation, all->len);
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

gboolean
_ferry_service_transfers_register (FerryService    *self,
                                   GDBusConnection *connection,
                                   GError         **error)
{
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
                                                         G_DBUS_SUBTREE_FLAGS_DISPATCH_TO_UNENUMERATED_NODES,
                                                         self, NULL, error);
  if (self->subtree_id == 0)
    return FALSE;
  return TRUE;
}

void
_ferry_service_transfers_unregister (FerryService    *self,
                                     GDBusConnection *connection)
{
  if (self->subtree_id != 0)
    g_dbus_connection_unregister_subtree (connection, self->subtree_id);
  if (self->object_manager_id != 0)
    g_dbus_connection_unregister_object (connection, self->object_manager_id);
  self->subtree_id = 0;
  self->object_manager_id = 0;
  g_clear_handle_id (&self->announce_source, g_source_remove);
  g_clear_pointer (&self->unannounced, g_hash_table_unref);
}
