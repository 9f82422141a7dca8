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
#include "ferry-i18n.h"
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
  /* The sentence in the caller's language, if it named one, else the session's. */
  g_autofree char *message =
    ferry_i18n_translate_for_peer (g_dbus_method_invocation_get_sender (invocation),
                                   error->message);

  /* Errors of the engine's domain reach clients as the registered D-Bus errors. */
  if (error->domain != FERRY_ERROR)
    {
      int code = FERRY_ERROR_FAILED;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        code = FERRY_ERROR_FAILED;
      g_dbus_method_invocation_return_error_literal (invocation, FERRY_ERROR, code, message);
      return;
    }

  g_dbus_method_invocation_return_error_literal (invocation, error->domain, error->code,
                                                 message);
}

void
_ferry_service_return_new_error (GDBusMethodInvocation *invocation,
                                 GQuark                 domain,
                                 int                    code,
                                 const char            *format,
                                 ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  _ferry_service_return_error (invocation, error);
}

/* -- Languages ---------------------------------------------------------------------------
 *
 * Stored sentences are English; each peer reads them in its own language. */

/* An AttemptLog (a(xuts)) with each attempt's sentence in @peer's language; NULL when
 * nothing in it changes. */
static GVariant *
translate_attempt_log (GVariant   *log,
                       const char *peer)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(xuts)"));
  gboolean changed = FALSE;
  GVariantIter iter;
  gint64 started;
  guint32 status;
  guint64 bytes;
  const char *error;

  g_variant_iter_init (&iter, log);
  while (g_variant_iter_next (&iter, "(xut&s)", &started, &status, &bytes, &error))
    {
      g_autofree char *translated = ferry_i18n_translate_for_peer (peer, error);

      changed |= !g_str_equal (translated, error);
      g_variant_builder_add (&builder, "(xuts)", started, status, bytes, translated);
    }
  return changed ? g_variant_builder_end (&builder) : NULL;
}

/* @properties (a{sv} of Transfer1) with its sentences (Error, each attempt's) in @peer's
 * language. */
GVariant *
_ferry_service_translate_properties (GVariant   *properties,
                                     const char *peer)
{
  g_autofree char *error = NULL;
  g_autofree char *translated = NULL;
  g_autoptr(GVariant) log = g_variant_lookup_value (properties, "AttemptLog",
                                                    G_VARIANT_TYPE ("a(xuts)"));
  GVariant *translated_log = log ? translate_attempt_log (log, peer) : NULL;
  GVariantDict dict;

  if (g_variant_lookup (properties, "Error", "s", &error) && *error != '\0')
    translated = ferry_i18n_translate_for_peer (peer, error);
  if ((translated == NULL || g_str_equal (translated, error)) && translated_log == NULL)
    return g_variant_ref (properties);

  g_variant_dict_init (&dict, properties);
  if (translated != NULL)
    g_variant_dict_insert (&dict, "Error", "s", translated);
  if (translated_log != NULL)
    g_variant_dict_insert_value (&dict, "AttemptLog", translated_log);
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

/* A listing's summary (otssssssastttxxxxusbb) with its error in @peer's language. */
GVariant *
_ferry_service_translate_summary (GVariant   *summary,
                                  const char *peer)
{
  enum { ERROR_FIELD = 17 };
  gsize n = g_variant_n_children (summary);
  g_autoptr(GVariant) error = g_variant_get_child_value (summary, ERROR_FIELD);
  g_autofree char *translated = NULL;
  g_autofree GVariant **children = NULL;
  GVariant *result;

  if (g_variant_get_size (error) <= 1)
    return g_variant_ref (summary);
  translated = ferry_i18n_translate_for_peer (peer, g_variant_get_string (error, NULL));
  if (g_str_equal (translated, g_variant_get_string (error, NULL)))
    return g_variant_ref (summary);

  children = g_new0 (GVariant *, n);
  for (gsize i = 0; i < n; i++)
    children[i] = i == ERROR_FIELD ? g_variant_new_string (translated)
                                   : g_variant_get_child_value (summary, i);
  result = g_variant_ref_sink (g_variant_new_tuple (children, n));
  for (gsize i = 0; i < n; i++)
    if (i != ERROR_FIELD)
      g_variant_unref (children[i]);
  return result;
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
                           N_ ("Ferry is shutting down"));
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
               N_ ("Transfer %llu no longer exists"),
               (unsigned long long) ferry_transfer_get_id (transfer));
  return FALSE;
}
