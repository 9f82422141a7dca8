/* ferry-source.h: the file an upload reads, found again after a restart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ferry-record.h"

G_BEGIN_DECLS

/* Checks that @fd can be an upload's source: a regular file open for reading. */
gboolean ferry_source_check (int      fd,
                             GError **error);

/* Records in @record how to open the file of @fd again: its own path when that path opens
 * the same file (device, inode, size and modification time), else a private copy made in
 * @copy_dir (reflinked or copied in the kernel with copy_file_range). Sets bytes_total and,
 * unless the caller named one, the file name shown. Blocks while it copies: run it on a
 * worker thread. */
gboolean ferry_source_adopt (int          fd,
                             const char  *copy_dir,
                             FerryRecord *record,
                             GError     **error);

/* Opens the file recorded by ferry_source_adopt() again, for an attempt: -1, with a
 * FERRY_TRANSFER_ERROR_FAILED error in words, when it cannot be opened or is no longer the
 * same file (device, inode, size, modification time). Any thread. */
int      ferry_source_open  (const char  *path,
                             guint64      dev,
                             guint64      ino,
                             guint64      size,
                             gint64       mtime_ns,
                             GError     **error);

G_END_DECLS
