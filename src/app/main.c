/* main.c: ferry, the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ferry-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(FerryApplication) app = NULL;

  setlocale (LC_ALL, "");
  /* FERRY_LOCALEDIR: translations from elsewhere than the installed ones (tests, builds). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("FERRY_LOCALEDIR") ? g_getenv ("FERRY_LOCALEDIR")
                                                                : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = ferry_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
