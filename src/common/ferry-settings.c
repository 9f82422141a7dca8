/* ferry-settings.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ferry-settings.h"

GSettings *
ferry_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, FERRY_SETTINGS_SCHEMA, TRUE);

  if (schema == NULL)
    {
      g_message ("The settings schema %s is not installed; using the default settings",
                 FERRY_SETTINGS_SCHEMA);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

guint
ferry_settings_get_uint (GSettings  *settings,
                         const char *key,
                         guint       fallback)
{
  return settings ? g_settings_get_uint (settings, key) : fallback;
}

guint64
ferry_settings_get_uint64 (GSettings  *settings,
                           const char *key,
                           guint64     fallback)
{
  return settings ? g_settings_get_uint64 (settings, key) : fallback;
}

gboolean
ferry_settings_get_boolean (GSettings  *settings,
                            const char *key,
                            gboolean    fallback)
{
  return settings ? g_settings_get_boolean (settings, key) : fallback;
}

char *
ferry_settings_get_string (GSettings  *settings,
                           const char *key,
                           const char *fallback)
{
  return settings ? g_settings_get_string (settings, key) : g_strdup (fallback);
}

char *
ferry_settings_dup_download_folder (GSettings *settings)
{
  g_autofree char *configured = ferry_settings_get_string (settings, "download-folder", "");
  const char *downloads = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);

  if (configured != NULL && g_path_is_absolute (configured))
    return g_steal_pointer (&configured);
  if (downloads != NULL)
    return g_strdup (downloads);
  return g_build_filename (g_get_home_dir (), "Downloads", NULL);
}

guint
ferry_settings_env_seconds (const char *name,
                            guint       fallback,
                            guint       max)
{
  const char *env = g_getenv (name);
  guint64 value = env ? g_ascii_strtoull (env, NULL, 10) : 0;

  return value > 0 && value <= max ? (guint) value : fallback;
}
