/* ferry-service-callers.c
 *
 * What every handler of the service does with its caller: who it is confined to, which
 * transfers it may see, and how it is answered.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-service"

#include "config.h"

#include "ferry-error.h"
#include "ferry-service-private.h"

char *
_ferry_service_identifier_key (const FerryRecord *r)
{
  if (r->identifier == NULL || *r->identifier == '\0')
    return NULL;
  return g_strconcat (r->session ? r->session : "", "\n", r->identifier, NULL);
}

void
_ferry_service_touch (FerryService *self)
{
  /* Each call restarts the inactivity timeout. */
  g_application_hold (G_APPLICATION (self));
  g_application_release (G_APPLICATION (self));
}

void
_ferry_service_return_error (GDBusMethodInvocation *invocation,
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
const char *
_ferry_service_confinement_of (FerryService *self,
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

/* As _ferry_service_confinement_of(), answering @invocation with the error when there is one. */
const char *
_ferry_service_caller_confinement (FerryService          *self,
                                   GDBusMethodInvocation *invocation)
{
  g_autoptr(GError) error = NULL;
  const char *sender = g_dbus_method_invocation_get_sender (invocation);
  const char *confinement = _ferry_service_confinement_of (self, sender, &error);

  if (confinement == NULL)
    _ferry_service_return_error (invocation, error);
  return confinement;
}

gboolean
_ferry_service_may_see (const char    *confinement,
                        FerryTransfer *transfer)
{
  return *confinement == '\0' ||
         g_strcmp0 (ferry_transfer_get_record (transfer)->session, confinement) == 0;
}

gboolean
_ferry_service_check_may_see (const char    *confinement,
                              FerryTransfer *transfer,
                              GError       **error)
{
  if (_ferry_service_may_see (confinement, transfer))
    return TRUE;

  /* Another app's transfer answers as one that does not exist: even that it exists, and
   * whose it is, is not this caller's to learn. */
  g_set_error (error, FERRY_ERROR, FERRY_ERROR_NOT_FOUND,
               "Transfer %" G_GUINT64_FORMAT " no longer exists",
               ferry_transfer_get_id (transfer));
  return FALSE;
}
