/* ferry-caller.h: who is calling — a sandboxed app, or a program of the user's own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _FerryCallers FerryCallers;

/* Remembers what each bus peer is, and forgets it when the peer leaves the bus. */
FerryCallers *ferry_callers_new    (GDBusConnection *connection);
void          ferry_callers_free   (FerryCallers    *self);

/* The Flatpak app id of @sender, or "" for a caller outside any sandbox. NULL, with @error,
 * when it cannot be told: such a caller is refused, never trusted. */
const char   *ferry_callers_lookup (FerryCallers    *self,
                                    const char      *sender,
                                    GError         **error);

/* Calls @func (sender, confinement, @user_data) for every peer that has called the service
 * and is still on the bus: the peers that hear about transfers. */
void          ferry_callers_foreach (FerryCallers *self,
                                     GHFunc        func,
                                     gpointer      user_data);

/* The app id named by the contents of a .flatpak-info file. */
char         *ferry_caller_parse_flatpak_info (const char *data,
                                               gsize       length,
                                               GError    **error);

/* "" when process @pid runs outside a Flatpak sandbox, else its app id. */
char         *ferry_caller_app_id_for_pid     (guint32     pid,
                                               GError    **error);

/* When ferryd runs in a Flatpak sandbox, sets @sandboxed and returns its own app id (NULL,
 * with @error, when the sandbox does not say). Outside one, FALSE and NULL. */
char         *ferry_caller_own_sandbox        (gboolean   *sandboxed,
                                               GError    **error);

/* Whether @path, once every symlink is resolved, is @folder or lies inside it. */
gboolean      ferry_caller_path_is_within     (const char *path,
                                               const char *folder);
/* The same for paths already resolved: compared as they are, nothing looked up again. */
gboolean      ferry_caller_real_path_is_within (const char *real_path,
                                                const char *real_folder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryCallers, ferry_callers_free)

G_END_DECLS
