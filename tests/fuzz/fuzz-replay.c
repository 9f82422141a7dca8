/* fuzz-replay.c: runs a fuzz target over its seed corpus, for the default test suite
 *
 * usage: fuzz-NAME CORPUS_DIR… (each file is one input; prints TAP)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
main (int   argc,
      char *argv[])
{
  guint n = 0;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (argv[i], name, NULL);
          g_autofree char *contents = NULL;
          gsize length;

          if (!g_file_get_contents (path, &contents, &length, NULL))
            continue;
          LLVMFuzzerTestOneInput ((const guint8 *) contents, length);
          n++;
        }
    }

  /* A target whose corpus is missing would pass without running anything. */
  if (n == 0)
    {
      printf ("1..1\nnot ok 1 no corpus inputs found\n");
      return 1;
    }
  printf ("1..1\nok 1 %u corpus inputs replayed\n", n);
  return 0;
}
