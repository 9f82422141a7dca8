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
