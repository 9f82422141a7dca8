/* ferry-client-name.h: the bus name by which a client shows ferryd it is part of Ferry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* "APP_ID.Client.c1_42" for a client connected as ":1.42"; NULL for a name that is not
 * unique. A ferryd in a Flatpak sandbox gives every right to the owner of this name, which
 * only Ferry's own sandboxes and programs outside any sandbox may take. */
char     *ferry_client_name (const char *app_id,
                             const char *unique_name);

/* Takes ferry_client_name() on @bus for the app @app_id. Failing is normal (another app's
 * sandbox may not own it) and only means a sandboxed ferryd will not know this client. */
gboolean  ferry_client_name_claim (GDBusConnection *bus,
                                   const char      *app_id);

G_END_DECLS
