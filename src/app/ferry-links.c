/* ferry-links.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ferry-links.h"

static void
check_link (const char *word,
            GPtrArray  *links,
            GPtrArray  *problems)
{
  g_autoptr(GUri) uri = g_uri_parse (word, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;

  if (uri == NULL)
    g_ptr_array_add (problems, g_strdup_printf (_("“%s” is not a link"), word));
  else if (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
    g_ptr_array_add (problems,
                     g_strdup_printf (_("“%s” — only http:// and https:// links can be "
                                        "downloaded"), word));
  else if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    g_ptr_array_add (problems, g_strdup_printf (_("“%s” names no server"), word));
  else if (!g_ptr_array_find_with_equal_func (links, word, g_str_equal, NULL))
    g_ptr_array_add (links, g_strdup (word));
}

/* Line by line: the words of a line that look like addresses ("scheme://…") are checked one
 * by one; whatever else a line holds is one problem, quoted as it stands. */
void
ferry_links_parse (const char *text,
                   GPtrArray  *links,
                   GPtrArray  *problems)
{
  g_auto(GStrv) lines = NULL;

  if (text == NULL)
    return;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_regex_split_simple ("\\s+", g_strstrip (lines[i]), 0, 0);
      g_autoptr(GPtrArray) rest = g_ptr_array_new ();

      for (guint j = 0; words[j] != NULL; j++)
        {
          if (*words[j] == '\0')
            continue;
          if (strstr (words[j], "://") != NULL)
            check_link (words[j], links, problems);
          else
            g_ptr_array_add (rest, words[j]);
        }

      if (rest->len > 0)
        {
          g_autofree char *joined = NULL;

          g_ptr_array_add (rest, NULL);
          joined = g_strjoinv (" ", (char **) rest->pdata);
          g_ptr_array_add (problems, g_strdup_printf (_("“%s” is not a link"), joined));
        }
    }
}

GVariant *
ferry_links_parse_headers (const char *text,
                           char      **error_line)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strstrip (g_strdup (lines[i]));
      char *colon;
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (*line == '\0')
        continue;

      colon = strchr (line, ':');
      if (colon == NULL || colon == line)
        {
          *error_line = g_steal_pointer (&line);
          return NULL;
        }

      name = g_strstrip (g_strndup (line, colon - line));
      value = g_strstrip (g_strdup (colon + 1));
      g_variant_builder_add (&builder, "{ss}", name, value);
    }

  return g_variant_builder_end (&builder);
}

char *
ferry_links_check_target (const char *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text ? text : ""));
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (*trimmed == '\0')
    return g_strdup (_("Enter the address to upload to"));
  uri = g_uri_parse (trimmed, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || strchr (trimmed, ' ') != NULL)
    return g_strdup_printf (_("“%s” is not an address"), trimmed);
  if (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
    return g_strdup (_("Only http:// and https:// addresses can take uploads"));
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return g_strdup_printf (_("“%s” names no server"), trimmed);
  return NULL;
}

char *
ferry_links_upload_uri (const char *target,
                        const char *path)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (target));
  g_autofree char *name = NULL;
  g_autofree char *escaped = NULL;

  if (!g_str_has_suffix (trimmed, "/"))
    return g_steal_pointer (&trimmed);

  name = g_path_get_basename (path);
  escaped = g_uri_escape_string (name, NULL, FALSE);
  return g_strconcat (trimmed, escaped, NULL);
}
