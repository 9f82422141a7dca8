/* ferry-service-relaunch.c
 *
 * Telling an app that its transfers ended (org.freedesktop.Application's
 * "transfers-finished" action), which starts it when it is not running.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-service"

#include "config.h"

#include "ferry-service-private.h"

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

void
_ferry_service_relaunch_watch (FerryService *self)
{
  g_signal_connect_object (self->scheduler, "finished", G_CALLBACK (on_finished), self, 0);
}
