/* ferry-test-sandbox.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-test-daemon.h"
#include "ferry-test-sandbox.h"

GSubprocess *
ferry_test_sandbox_spawn (const char        *flatpak_info,
                          const char *const *command)
{
  const char *ctl = g_getenv ("FERRY_CTL");
  g_autofree char *build = g_path_get_dirname (ctl);
  const char *source = g_getenv ("G_TEST_SRCDIR");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  GSubprocess *proc;
  g_autoptr(GError) error = NULL;
  const char *sandbox[] = {
    "bwrap", "--die-with-parent",
    "--ro-bind", "/usr", "/usr",
    "--symlink", "usr/lib", "/lib",
    "--symlink", "usr/lib64", "/lib64",
    "--symlink", "usr/bin", "/bin",
    "--ro-bind", "/etc", "/etc",
    "--proc", "/proc",
    "--dev", "/dev",
    "--bind", "/tmp", "/tmp",
  };

  for (guint i = 0; i < G_N_ELEMENTS (sandbox); i++)
    g_ptr_array_add (argv, (gpointer) sandbox[i]);
  g_ptr_array_add (argv, (gpointer) "--ro-bind");
  g_ptr_array_add (argv, build);
  g_ptr_array_add (argv, build);
  g_ptr_array_add (argv, (gpointer) "--ro-bind");
  g_ptr_array_add (argv, (gpointer) flatpak_info);
  g_ptr_array_add (argv, (gpointer) "/.flatpak-info");
  if (source != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--ro-bind");
      g_ptr_array_add (argv, (gpointer) source);
      g_ptr_array_add (argv, (gpointer) source);
    }
  for (guint i = 0; command[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) command[i]);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char *const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);
  return proc;
}

gboolean
ferry_test_sandbox_works (const char *flatpak_info)
{
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");
  const char *command[] = { g_getenv ("FERRY_CTL"), "--version", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  FerryTestRun run = { 0 };
  gboolean works;

  if (bwrap == NULL)
    {
      g_test_skip ("bubblewrap (bwrap) is not installed; build-aux/dev test installs it");
      return FALSE;
    }

  proc = ferry_test_sandbox_spawn (flatpak_info, command);
  ferry_test_run_finish (proc, &run);
  works = run.status == 0;
  if (!works)
    {
      g_autofree char *why = g_strdup_printf ("bwrap cannot make a sandbox here: %s", run.err);

      g_test_skip (why);
    }
  ferry_test_run_clear (&run);
  return works;
}
