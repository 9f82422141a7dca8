/* main.c: ferryd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "ferry-service.h"
#include "ferry-settings.h"
#include "ferry-store.h"

/* --autostart (the XDG autostart entry at login): become the service only when there is
 * work to continue and the person wants it; otherwise exit at once. */
static gboolean
should_start_at_login (void)
{
  g_autoptr(GSettings) settings = ferry_settings_new ();
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR, "ferry.db", NULL);

  if (!ferry_settings_get_boolean (settings, "run-in-background", TRUE))
    return FALSE;

  return ferry_store_path_has_pending (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(FerryService) service = NULL;

  setlocale (LC_ALL, "");
  /* ferryd's sentences stay English in the process, GLib's and the C library's inside them
   * too: they are stored and logged so, and translated for each peer that reads them, in
   * its own language (ferry-i18n.c). The session's language is still known from the
   * environment, for peers that name none. */
  setlocale (LC_MESSAGES, "C");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("FERRY_LOCALEDIR") ? g_getenv ("FERRY_LOCALEDIR")
                                                                : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_prgname ("ferryd");

  if (argc == 2 && strcmp (argv[1], "--autostart") == 0)
    {
      if (!should_start_at_login ())
        return 0;
      argc = 1;
    }

  service = ferry_service_new ();
  return g_application_run (G_APPLICATION (service), argc, argv);
}
