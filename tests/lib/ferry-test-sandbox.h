/* ferry-test-sandbox.h: a program run as a Flatpak app would run it, inside bubblewrap
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* @command inside a sandbox that has /usr, /etc, /tmp, the build tree (FERRY_CTL's folder) and
 * the source tree (G_TEST_SRCDIR: the sanitizers' suppression files), and @flatpak_info as
 * /.flatpak-info on a root of its own. Standard output and error are pipes. */
GSubprocess *ferry_test_sandbox_spawn (const char        *flatpak_info,
                                       const char *const *command);

/* Whether bubblewrap can make such a sandbox here (it needs user namespaces or privileges);
 * when it cannot, the test is marked skipped, saying why. */
gboolean     ferry_test_sandbox_works (const char        *flatpak_info);

G_END_DECLS
