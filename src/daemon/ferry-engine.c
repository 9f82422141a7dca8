/* ferry-engine.c: one attempt at a transfer, whatever its kind
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-engine.h"

G_DEFINE_INTERFACE (FerryEngine, ferry_engine, G_TYPE_OBJECT)

enum {
  CHECKPOINT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static guint64
ferry_engine_real_get_sent (FerryEngine *self)
{
  return 0;
}

static const char *
ferry_engine_real_get_unconfirmed (FerryEngine *self)
{
  return NULL;
}

static gboolean
ferry_engine_real_delete_data (FerryEngine *self,
                               gboolean   (*forget) (gpointer   user_data,
                                                     GError   **error),
                               gpointer     user_data,
                               GError     **error)
{
  return forget (user_data, error);
}

static void
ferry_engine_default_init (FerryEngineInterface *iface)
{
  iface->get_sent = ferry_engine_real_get_sent;
  iface->get_unconfirmed = ferry_engine_real_get_unconfirmed;
  iface->delete_data = ferry_engine_real_delete_data;

  /* (gboolean) (GError **error): the engine reports; the handler persists, then announces. */
  signals[CHECKPOINT] = g_signal_new ("checkpoint", G_TYPE_FROM_INTERFACE (iface),
                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                      G_TYPE_BOOLEAN, 1, G_TYPE_POINTER);
}

void
ferry_engine_run_async (FerryEngine        *self,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  g_return_if_fail (FERRY_IS_ENGINE (self));

  FERRY_ENGINE_GET_IFACE (self)->run_async (self, cancellable, callback, user_data);
}

gboolean
ferry_engine_run_finish (FerryEngine  *self,
                         GAsyncResult *result,
                         GError      **error)
{
  g_return_val_if_fail (FERRY_IS_ENGINE (self), FALSE);

  return FERRY_ENGINE_GET_IFACE (self)->run_finish (self, result, error);
}

void
ferry_engine_set_rate_limiters (FerryEngine      *self,
                                FerryRateLimiter *shared,
                                FerryRateLimiter *own)
{
  g_return_if_fail (FERRY_IS_ENGINE (self));

  FERRY_ENGINE_GET_IFACE (self)->set_rate_limiters (self, shared, own);
}

guint64
ferry_engine_get_progress (FerryEngine *self)
{
  g_return_val_if_fail (FERRY_IS_ENGINE (self), 0);

  return FERRY_ENGINE_GET_IFACE (self)->get_progress (self);
}

guint64
ferry_engine_get_sent (FerryEngine *self)
{
  g_return_val_if_fail (FERRY_IS_ENGINE (self), 0);

  return FERRY_ENGINE_GET_IFACE (self)->get_sent (self);
}

gint64
ferry_engine_get_retry_after (FerryEngine *self)
{
  g_return_val_if_fail (FERRY_IS_ENGINE (self), -1);

  return FERRY_ENGINE_GET_IFACE (self)->get_retry_after (self);
}

const char *
ferry_engine_get_unconfirmed (FerryEngine *self)
{
  g_return_val_if_fail (FERRY_IS_ENGINE (self), NULL);

  return FERRY_ENGINE_GET_IFACE (self)->get_unconfirmed (self);
}

gboolean
ferry_engine_checkpoint (FerryEngine *self,
                         GError     **error)
{
  gboolean kept = FALSE;

  g_return_val_if_fail (FERRY_IS_ENGINE (self), FALSE);

  if (!g_signal_has_handler_pending (self, signals[CHECKPOINT], 0, FALSE))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                           "Nothing keeps this transfer's progress");
      return FALSE;
    }

  g_signal_emit (self, signals[CHECKPOINT], 0, error, &kept);
  return kept;
}

void
ferry_engine_settle (FerryEngine *self,
                     FerryState   state)
{
  g_return_if_fail (FERRY_IS_ENGINE (self));

  FERRY_ENGINE_GET_IFACE (self)->settle (self, state);
}

void
ferry_engine_discard (FerryEngine *self)
{
  g_return_if_fail (FERRY_IS_ENGINE (self));

  FERRY_ENGINE_GET_IFACE (self)->discard (self);
}

gboolean
ferry_engine_delete_data (FerryEngine *self,
                          gboolean   (*forget) (gpointer   user_data,
                                                GError   **error),
                          gpointer     user_data,
                          GError     **error)
{
  g_return_val_if_fail (FERRY_IS_ENGINE (self), FALSE);

  return FERRY_ENGINE_GET_IFACE (self)->delete_data (self, forget, user_data, error);
}
