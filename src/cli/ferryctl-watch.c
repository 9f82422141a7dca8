/* ferryctl-watch.c: `ferryctl watch`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferryctl-private.h"

int
handle_watch (int      argc,
              char   **argv,
              gboolean do_help)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context =
    ferryctl_context (_("watch — show every active transfer"),
                      _("Shows the progress of every queued, waiting or running transfer until "
                        "none is left."),
                      entries);
  g_autoptr(FerrySession) session = NULL;
  int code = EXIT_COMPLETED;

  if (!ferryctl_parse (context, &argc, &argv, do_help, 0, &code))
    return code;

  session = ferryctl_open (NULL);
  if (session == NULL)
    return EXIT_ERROR;

  return ferryctl_wait_for (session, NULL, 0, TRUE);
}
