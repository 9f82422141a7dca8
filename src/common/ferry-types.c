/* ferry-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-types.h"

static const char *const state_names[] = {
  [FERRY_STATE_QUEUED] = "queued",
  [FERRY_STATE_WAITING] = "waiting",
  [FERRY_STATE_RUNNING] = "running",
  [FERRY_STATE_PAUSED] = "paused",
  [FERRY_STATE_COMPLETED] = "completed",
  [FERRY_STATE_REJECTED] = "rejected",
  [FERRY_STATE_FAILED] = "failed",
  [FERRY_STATE_CANCELED] = "canceled",
};

G_STATIC_ASSERT (G_N_ELEMENTS (state_names) == FERRY_N_STATES);

static const char *const reason_names[] = {
  "schedule", "network", "metered", "power-saver", "slot", "retry", "disk-space",
  "link-expired",
};

const char *
ferry_state_to_string (FerryState state)
{
  g_return_val_if_fail (state < FERRY_N_STATES, "failed");

  return state_names[state];
}

gboolean
ferry_state_from_string (const char *str,
                         FerryState *out_state)
{
  g_return_val_if_fail (out_state != NULL, FALSE);

  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    {
      if (g_str_equal (str, state_names[i]))
        {
          *out_state = i;
          return TRUE;
        }
    }

  return FALSE;
}

gboolean
ferry_state_is_terminal (FerryState state)
{
  return state >= FERRY_STATE_COMPLETED;
}

char **
ferry_wait_reasons_to_strv (FerryWaitReasons reasons)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < G_N_ELEMENTS (reason_names); i++)
    {
      if (reasons & (1u << i))
        g_strv_builder_add (builder, reason_names[i]);
    }

  return g_strv_builder_end (builder);
}

FerryWaitReasons
ferry_wait_reasons_from_strv (const char *const *strv)
{
  FerryWaitReasons reasons = FERRY_WAIT_NONE;

  for (guint j = 0; strv != NULL && strv[j] != NULL; j++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (reason_names); i++)
        {
          if (g_str_equal (strv[j], reason_names[i]))
            reasons |= (1u << i);
        }
    }

  return reasons;
}
