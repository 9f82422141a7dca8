/* test-i18n.c: ferryd's sentences read in another language, down to the lists inside them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>

#include "ferry-i18n.h"

static const char *const german[] = { "de", NULL };

/* One fault: the sentence and the fault inside it, both German. */
static void
test_one_fault (void)
{
  g_autofree char *text =
    ferry_i18n_translate (german, "The server's identity could not be verified, so Ferry did "
                                  "not connect: its certificate has expired");

  g_assert_cmpstr (text, ==, "Die Identität des Servers konnte nicht bestätigt werden, daher "
                             "hat Ferry keine Verbindung aufgebaut: sein Zertifikat ist "
                             "abgelaufen");
}

/* Several faults are a list of sentences: each is translated, none stays English. */
static void
test_fault_list (void)
{
  g_autofree char *text =
    ferry_i18n_translate (german, "The server's identity could not be verified, so Ferry did "
                                  "not connect: its certificate has expired; its certificate "
                                  "was issued for another name than the one in the address");

  g_assert_cmpstr (text, ==, "Die Identität des Servers konnte nicht bestätigt werden, daher "
                             "hat Ferry keine Verbindung aufgebaut: sein Zertifikat ist "
                             "abgelaufen; sein Zertifikat wurde für einen anderen Namen als "
                             "den in der Adresse ausgestellt");
}

/* What is not one of ferryd's sentences, with or without "; " in it, stays as it is. */
static void
test_not_ours (void)
{
  const char *message = "The server's identity could not be verified, so Ferry did not "
                        "connect: the moon is made of cheese; so it is";
  g_autofree char *text = ferry_i18n_translate (german, message);

  g_assert_true (g_str_has_prefix (text, "Die Identität des Servers"));
  g_assert_true (g_str_has_suffix (text, ": the moon is made of cheese; so it is"));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *locale_dir = NULL;

  g_test_init (&argc, &argv, NULL);
  /* The build's catalogues. */
  locale_dir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  g_setenv ("FERRY_LOCALEDIR", locale_dir, TRUE);

  g_test_add_func ("/i18n/one-fault", test_one_fault);
  g_test_add_func ("/i18n/fault-list", test_fault_list);
  g_test_add_func ("/i18n/not-ours", test_not_ours);
  return g_test_run ();
}
