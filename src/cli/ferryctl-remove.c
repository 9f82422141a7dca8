/* ferryctl-remove.c: `ferryctl remove [--delete] ID…`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferryctl-private.h"

int
handle_remove (int      argc,
               char   **argv,
               gboolean do_help)
{
  gboolean delete_data = FALSE;
  GOptionEntry entries[] = {
    { "delete", 0, 0, G_OPTION_ARG_NONE, &delete_data,
      N_("Also delete the downloaded file"), NULL },
    { NULL }
  };

  return ferryctl_act (argc, argv, do_help, _("remove ID… — forget transfers"),
                       _("Removes transfers from the list, canceling those that have not "
                         "ended."),
                       entries, ACTION_REMOVE, &delete_data);
}
