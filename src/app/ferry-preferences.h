/* ferry-preferences.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define FERRY_TYPE_PREFERENCES (ferry_preferences_get_type ())

G_DECLARE_FINAL_TYPE (FerryPreferences, ferry_preferences, FERRY, PREFERENCES,
                      AdwPreferencesWindow)

GtkWidget *ferry_preferences_new (GtkWindow *parent);

G_END_DECLS
