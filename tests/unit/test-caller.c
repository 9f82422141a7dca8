/* test-caller.c: telling a sandboxed caller apart, and keeping its files in their folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <unistd.h>

#include <glib/gstdio.h>

#include "ferry-caller.h"
#include "ferry-error.h"

static void
test_flatpak_info (void)
{
  static const struct
  {
    const char *data;
    const char *app_id;   /* NULL: refused */
  } cases[] = {
    { "[Application]\nname=org.gnome.Fractal\nruntime=runtime/org.gnome.Platform/x86_64/49\n",
      "org.gnome.Fractal" },
    { "[Instance]\ninstance-id=1\n[Application]\nname=com.example.App\n", "com.example.App" },
    { "", NULL },
    { "[Application]\n", NULL },
    { "[Application]\nname=\n", NULL },
    { "[Application]\nname=../../etc\n", NULL },
    { "[Application]\nname=not an id\n", NULL },
    { "[Runtime]\nname=org.gnome.Platform\n", NULL },
    { "\x01\x02garbage", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *app_id = ferry_caller_parse_flatpak_info (cases[i].data,
                                                                 strlen (cases[i].data),
                                                                 &error);

      g_assert_cmpstr (app_id, ==, cases[i].app_id);
      if (cases[i].app_id == NULL)
        g_assert_error (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED);
    }
}

static void
test_own_process (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *app_id = ferry_caller_app_id_for_pid (getpid (), &error);

  /* The test suite itself runs outside any sandbox. */
  g_assert_no_error (error);
  g_assert_cmpstr (app_id, ==, "");

  g_clear_pointer (&app_id, g_free);
  app_id = ferry_caller_app_id_for_pid (G_MAXINT32, &error);
  g_assert_null (app_id);
  g_assert_error (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED);
}

static void
test_within (void)
{
  g_autofree char *root = g_build_filename (g_get_user_data_dir (), "within", NULL);
  g_autofree char *downloads = g_build_filename (root, "Downloads", NULL);
  g_autofree char *inside = g_build_filename (downloads, "Films", NULL);
  g_autofree char *sibling = g_build_filename (root, "Downloads2", NULL);
  g_autofree char *link_out = g_build_filename (downloads, "out", NULL);
  g_autofree char *dotdot = g_build_filename (downloads, "..", "Downloads2", NULL);

  g_assert_cmpint (g_mkdir_with_parents (inside, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (sibling, 0755), ==, 0);
  g_assert_cmpint (symlink (sibling, link_out), ==, 0);

  g_assert_true (ferry_caller_path_is_within (downloads, downloads));
  g_assert_true (ferry_caller_path_is_within (inside, downloads));
  /* A shared prefix is not a folder inside. */
  g_assert_false (ferry_caller_path_is_within (sibling, downloads));
  g_assert_false (ferry_caller_path_is_within (link_out, downloads));
  g_assert_false (ferry_caller_path_is_within (dotdot, downloads));
  g_assert_false (ferry_caller_path_is_within ("/nonexistent/x", downloads));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/caller/flatpak-info", test_flatpak_info);
  g_test_add_func ("/caller/own-process", test_own_process);
  g_test_add_func ("/caller/within", test_within);

  return g_test_run ();
}
