/* ferry-types.h: transfer states and wait reasons as the D-Bus API spells them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  FERRY_STATE_QUEUED,
  FERRY_STATE_WAITING,
  FERRY_STATE_RUNNING,
  FERRY_STATE_PAUSED,
  FERRY_STATE_COMPLETED,
  FERRY_STATE_REJECTED,
  FERRY_STATE_FAILED,
  FERRY_STATE_CANCELED,
} FerryState;

#define FERRY_N_STATES (FERRY_STATE_CANCELED + 1)

typedef enum
{
  FERRY_WAIT_NONE = 0,
  FERRY_WAIT_SCHEDULE = 1 << 0,
  FERRY_WAIT_NETWORK = 1 << 1,
  FERRY_WAIT_METERED = 1 << 2,
  FERRY_WAIT_POWER_SAVER = 1 << 3,
  FERRY_WAIT_SLOT = 1 << 4,
  FERRY_WAIT_RETRY = 1 << 5,
  FERRY_WAIT_DISK_SPACE = 1 << 6,
  FERRY_WAIT_LINK_EXPIRED = 1 << 7,
} FerryWaitReasons;

const char *ferry_state_to_string (FerryState state);
gboolean    ferry_state_from_string (const char *str,
                                     FerryState *out_state);
gboolean    ferry_state_is_terminal (FerryState state);

/* NULL-terminated array of reason names, in the order of the flags. */
char           **ferry_wait_reasons_to_strv (FerryWaitReasons reasons);
FerryWaitReasons ferry_wait_reasons_from_strv (const char *const *strv);

G_END_DECLS
