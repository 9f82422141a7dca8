/* ferry-format.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-format.h"

char *
ferry_format_rate (guint64 bytes_per_second)
{
  g_autofree char *size = g_format_size (bytes_per_second);

  /* TRANSLATORS: a transfer rate, e.g. "11.2 MB/s" */
  return g_strdup_printf ("%s/s", size);
}

/* "6 minutes", "2 hours 5 minutes", "40 seconds": coarse on purpose, as an estimate is. */
char *
ferry_format_duration (guint64 seconds)
{
  if (seconds < 60)
    return g_strdup_printf (g_dngettext (NULL, "%u second", "%u seconds", (gulong) seconds),
                            (guint) seconds);

  if (seconds < 3600)
    {
      guint minutes = (guint) ((seconds + 30) / 60);

      return g_strdup_printf (g_dngettext (NULL, "%u minute", "%u minutes", minutes), minutes);
    }

  if (seconds < 48 * 3600)
    {
      guint hours = (guint) (seconds / 3600);
      guint minutes = (guint) ((seconds % 3600) / 60);
      g_autofree char *h = g_strdup_printf (g_dngettext (NULL, "%u hour", "%u hours", hours),
                                            hours);

      g_autofree char *m = NULL;

      if (minutes == 0)
        return g_steal_pointer (&h);

      m = g_strdup_printf (g_dngettext (NULL, "%u minute", "%u minutes", minutes), minutes);
      /* TRANSLATORS: hours and minutes, e.g. "2 hours 5 minutes" */
      return g_strdup_printf ("%s %s", h, m);
    }

  {
    guint days = (guint) ((seconds + 43200) / 86400);

    return g_strdup_printf (g_dngettext (NULL, "%u day", "%u days", days), days);
  }
}

/* "312 MB of 4.7 GB — 11.2 MB/s — 6 minutes left" */
char *
ferry_format_progress (guint64 done,
                       guint64 total,
                       guint64 rate)
{
  g_autofree char *done_str = g_format_size (done);
  g_autoptr(GString) str = g_string_new (NULL);

  if (total > 0)
    {
      g_autofree char *total_str = g_format_size (total);

      g_string_append_printf (str, "%s of %s", done_str, total_str);
    }
  else
    {
      g_string_append (str, done_str);
    }

  if (rate > 0)
    {
      g_autofree char *rate_str = ferry_format_rate (rate);

      g_string_append_printf (str, " — %s", rate_str);

      if (total > done)
        {
          /* Rounded up: "0 seconds left" while bytes are still missing would be wrong. */
          g_autofree char *left = ferry_format_duration ((total - done + rate - 1) / rate);

          g_string_append_printf (str, " — %s left", left);
        }
    }

  return g_string_free (g_steal_pointer (&str), FALSE);
}
