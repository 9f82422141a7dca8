/* ferry-settings.h: the io.github.ferryhq.Ferry settings, or their defaults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS


/* The settings, or NULL when the schema is not installed (a build tree without
 * GSETTINGS_SCHEMA_DIR): callers then use the schema's defaults. */
GSettings *ferry_settings_new (void);

guint      ferry_settings_get_uint (GSettings  *settings,
                                    const char *key,
                                    guint       fallback);
guint64    ferry_settings_get_uint64 (GSettings  *settings,
                                      const char *key,
                                      guint64     fallback);
gboolean   ferry_settings_get_boolean (GSettings  *settings,
                                       const char *key,
                                       gboolean    fallback);
char      *ferry_settings_get_string (GSettings  *settings,
                                      const char *key,
                                      const char *fallback);

/* Seconds from the environment variable @name when it holds 1 … @max, else @fallback: the
 * tests shorten ferryd's waits this way (FERRY_STALL_TIMEOUT, FERRY_DISK_RETRY_SECONDS). */
guint      ferry_settings_env_seconds (const char *name,
                                       guint       fallback,
                                       guint       max);

/* The folder downloads go to: the setting, else the XDG Downloads folder, else ~/Downloads. */
char      *ferry_settings_dup_download_folder (GSettings *settings);

G_END_DECLS
