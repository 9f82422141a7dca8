/* ferryctl-resume.c: `ferryctl resume ID…`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferryctl-private.h"

int
handle_resume (int      argc,
               char   **argv,
               gboolean do_help)
{
  GOptionEntry entries[] = { { NULL } };

  return ferryctl_act (argc, argv, do_help,
                       _("resume ID… — resume paused transfers, or retry failed ones"),
                       _("Lets paused transfers go on; failed or rejected ones try again."),
                       entries, ACTION_RESUME, NULL);
}
