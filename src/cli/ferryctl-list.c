/* ferryctl-list.c: `ferryctl list [--json] [--session S]`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferryctl-private.h"

/* Oldest first: by the service's numbers. */
static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  guint64 ia = ferry_transfer_get_id (*(FerryTransfer **) a);
  guint64 ib = ferry_transfer_get_id (*(FerryTransfer **) b);

  return ia < ib ? -1 : (ia > ib ? 1 : 0);
}

int
handle_list (int      argc,
             char   **argv,
             gboolean do_help)
{
  gboolean json = FALSE;
  g_autofree char *session_id = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array"), NULL },
    { "session", 0, 0, G_OPTION_ARG_STRING, &session_id,
      N_("Only the transfers of session S (an app id)"), "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    ferryctl_context (_("list — list every transfer"),
                      _("Lists the transfers the service keeps, oldest first, including ended "
                        "ones until they are removed."),
                      entries);
  g_autoptr(FerrySession) session = NULL;
  g_autoptr(GPtrArray) transfers = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model;
  guint n;
  int code = EXIT_COMPLETED;

  if (!ferryctl_parse (context, &argc, &argv, do_help, 0, &code))
    return code;

  /* The service decides what a session's listing holds, and whether this caller may ask. */
  session = ferryctl_open (session_id);
  if (session == NULL)
    return EXIT_ERROR;

  model = ferry_session_get_transfers (session);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (transfers, g_list_model_get_item (model, i));
  g_ptr_array_sort (transfers, compare_ids);

  if (json)
    g_print ("[");

  for (guint i = 0; i < n; i++)
    {
      FerryTransfer *t = g_ptr_array_index (transfers, i);

      if (json)
        {
          g_autofree char *object = ferryctl_transfer_to_json (t);

          g_print ("%s\n  %s", i == 0 ? "" : ",", object);
        }
      else
        {
          g_autofree char *line = ferryctl_describe (t);

          g_print ("%4" G_GUINT64_FORMAT "  %-10s %s  %s\n", ferry_transfer_get_id (t),
                   ferryctl_state_name (ferry_transfer_get_state (t)),
                   ferryctl_display_name (t), line);
        }
    }

  if (json)
    g_print ("%s]\n", n > 0 ? "\n" : "");
  else if (n == 0)
    g_print (_("No transfers\n"));

  return EXIT_COMPLETED;
}
