/* ferryctl-add.c: `ferryctl add URL…`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferryctl-private.h"

int
handle_add (int      argc,
            char   **argv,
            gboolean do_help)
{
  g_autofree char *to = NULL;
  g_autofree char *name = NULL;
  g_autofree char *sha256 = NULL;
  int connections = -1;
  g_auto(CommonOptions) common = { 0 };
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &to, N_("Save into DIR (default: Downloads)"), "DIR" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Name of the file to create"), "NAME" },
    { "sha256", 0, 0, G_OPTION_ARG_STRING, &sha256, N_("Expected SHA-256 of the file"), "HEX" },
    { "connections", 0, 0, G_OPTION_ARG_INT, &connections,
      N_("At most N connections at once (1: never split the file; default: as many as help)"),
      "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    ferryctl_context (_("add URL… — download files"),
                      _("Hands downloads to the Ferry service. They go on after this command "
                        "ends, survive restarts, and resume where they stopped."),
                      entries);
  g_autoptr(FerrySession) session = NULL;
  g_autoptr(FerrySession) everything = NULL;
  g_autoptr(FerryRequest) request = ferry_request_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  int code = EXIT_COMPLETED;

  ferryctl_add_common_entries (context, &common);
  if (!ferryctl_parse (context, &argc, &argv, do_help, 1, &code))
    return code;

  session = ferryctl_connect (common.session, TRUE, &error);
  if (session == NULL)
    {
      ferryctl_print_error (error);
      return EXIT_ERROR;
    }

  if (to != NULL)
    {
      g_autoptr(GFile) folder = g_file_new_for_commandline_arg (to);

      ferry_request_set_destination (request, folder);
    }

  if (argc > 2 && (name != NULL || common.id != NULL))
    {
      g_printerr (_("ferryctl: --name and --id name one transfer; give one URL with them\n"));
      return EXIT_USAGE;
    }

  if (name != NULL)
    ferry_request_set_name (request, name);
  if (sha256 != NULL)
    ferry_request_set_sha256 (request, sha256);
  if (connections != -1)
    {
      if (connections < 0 || connections > 64)
        {
          g_printerr (_("ferryctl: --connections takes a number from 1 to 64 (or 0 to let "
                        "Ferry choose), not %d\n"), connections);
          return EXIT_USAGE;
        }
      ferry_request_set_connections (request, (guint) connections);
    }
  if (!ferryctl_apply_common_options (&common, request))
    return EXIT_USAGE;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(FerryTransfer) t = NULL;
      guint64 id;

      ferry_session_add_download_async (session, argv[i], common.id, request, NULL,
                                        ferryctl_got_result, &result);
      t = ferry_session_add_finish (session, ferryctl_iterate (&result), &error);
      if (t == NULL)
        {
          ferryctl_print_error (error);
          return EXIT_ERROR;
        }

      id = ferry_transfer_get_id (t);
      if (!common.wait)
        g_print ("%" G_GUINT64_FORMAT "\n", id);
      g_array_append_val (ids, id);
    }

  if (!common.wait)
    return EXIT_COMPLETED;

  /* Followed among every transfer this caller may see: the service may have placed them in
   * the caller's own session (a sandboxed app's). */
  everything = ferryctl_open (NULL);
  if (everything == NULL)
    return EXIT_ERROR;
  return ferryctl_wait_for (everything, (const guint64 *) ids->data, ids->len, FALSE);
}
