/* ferry-folder.h: a destination folder pinned when it was checked, and reached only as it was
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Resolves @path once (the caller's own symlinks, as they are now) and pins what it names:
 * the resolved path and the folder's device and inode. FERRY_ERROR_INVALID_ARGUMENT when
 * @path is not a folder that can be opened. */
gboolean ferry_folder_pin (const char *path,
                           char      **out_real_path,
                           guint64    *out_dev,
                           guint64    *out_ino,
                           GError    **error);

/* Opens the folder at @real_path one component at a time, following no symlink, and checks
 * that it is still the folder pinned as (@dev, @ino); (0, 0) pins nothing (a transfer stored
 * before folders were pinned). The descriptor can be written through (openat, renameat,
 * unlinkat, fsync). -1 with FERRY_TRANSFER_ERROR_FAILED and a sentence otherwise (errno
 * ENOENT when a part of the path no longer exists). */
int      ferry_folder_open (const char *real_path,
                            guint64     dev,
                            guint64     ino,
                            GError    **error);

/* Whether @name in @dir_fd is the regular file (@dev, @ino), the one Ferry made: TRUE if it
 * is, or if nothing has that name (*@out_gone); FALSE with a sentence for anything else,
 * (0, 0) included (a file completed before Ferry recorded which it was). */
gboolean ferry_folder_check_file  (int         dir_fd,
                                   const char *folder,
                                   const char *name,
                                   guint64     dev,
                                   guint64     ino,
                                   gboolean   *out_gone,
                                   GError    **error);

/* Deletes @name in @dir_fd only if it is the regular file (@dev, @ino), the one Ferry made.
 * TRUE when it was deleted or is already gone. */
gboolean ferry_folder_delete_file (int         dir_fd,
                                   const char *folder,
                                   const char *name,
                                   guint64     dev,
                                   guint64     ino,
                                   GError    **error);

G_END_DECLS
