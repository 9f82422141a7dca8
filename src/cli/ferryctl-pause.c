/* ferryctl-pause.c: `ferryctl pause ID…`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferryctl-private.h"

int
handle_pause (int      argc,
              char   **argv,
              gboolean do_help)
{
  GOptionEntry entries[] = { { NULL } };

  return ferryctl_act (argc, argv, do_help, _("pause ID… — pause transfers"),
                       _("Stops transfers at a checkpoint; they keep their bytes."),
                       entries, ACTION_PAUSE, NULL);
}
