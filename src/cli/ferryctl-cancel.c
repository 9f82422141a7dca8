/* ferryctl-cancel.c: `ferryctl cancel ID…`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferryctl-private.h"

int
handle_cancel (int      argc,
               char   **argv,
               gboolean do_help)
{
  GOptionEntry entries[] = { { NULL } };

  return ferryctl_act (argc, argv, do_help,
                       _("cancel ID… — stop transfers for good and delete their partial data"),
                       _("Cancels transfers; a canceled transfer stays listed until it is "
                         "removed."),
                       entries, ACTION_CANCEL, NULL);
}
