/* ferryctl.c: hand transfers to Ferry from a terminal or a script
 *
 * Each command is a handle_<command> () in ferryctl-<command>.c, dispatched from the table
 * below, as GLib's gio tool does; they talk to the service through libferry.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferryctl"

#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "ferryctl-private.h"

static const struct
{
  const char *name;
  int (*handle) (int argc, char **argv, gboolean do_help);
} commands[] = {
  { "add", handle_add },
  { "upload", handle_upload },
  { "list", handle_list },
  { "watch", handle_watch },
  { "wait", handle_wait },
  { "pause", handle_pause },
  { "resume", handle_resume },
  { "cancel", handle_cancel },
  { "remove", handle_remove },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n%s\n", _("Usage: ferryctl COMMAND [OPTION…]"),
           _("Commands:\n"
             "  add URL…        download files (--wait shows progress until they end)\n"
             "  upload FILE URL upload a file (resumable where the server allows)\n"
             "  list            list every transfer (--json for scripts)\n"
             "  watch           show every active transfer until none is left\n"
             "  wait ID…        wait for transfers to end\n"
             "  pause ID…       pause transfers\n"
             "  resume ID…      resume or retry transfers\n"
             "  cancel ID…      cancel transfers\n"
             "  remove ID…      forget transfers (--delete also deletes the file)\n"
             "\n"
             "“ferryctl COMMAND --help” describes a command."));
  fprintf (out, "\n%s\n", _(ferryctl_exit_codes_help));
}

static int (*find_command (const char *name)) (int, char **, gboolean)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (name, commands[i].name))
        return commands[i].handle;
    }
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  int (*handle) (int, char **, gboolean);
  const char *command;

  setlocale (LC_ALL, "");
  /* FERRY_LOCALEDIR: translations from elsewhere than the installed ones (tests, builds). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("FERRY_LOCALEDIR") ? g_getenv ("FERRY_LOCALEDIR")
                                                                : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("ferryctl");

  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_USAGE;
    }

  command = argv[1];
  argc--;
  argv++;

  if (g_str_equal (command, "--help") || g_str_equal (command, "-h") ||
      g_str_equal (command, "help"))
    {
      /* "ferryctl help add" is "ferryctl add --help". */
      if (g_str_equal (command, "help") && argc > 1 && (handle = find_command (argv[1])) != NULL)
        return handle (argc - 1, argv + 1, TRUE);
      print_usage (stdout);
      return EXIT_COMPLETED;
    }
  if (g_str_equal (command, "--version"))
    {
      g_print ("ferryctl %s\n", PACKAGE_VERSION);
      return EXIT_COMPLETED;
    }

  handle = find_command (command);
  if (handle != NULL)
    return handle (argc, argv, FALSE);

  g_printerr (_("ferryctl: unknown command “%s”\n\n"), command);
  print_usage (stderr);
  return EXIT_USAGE;
}
