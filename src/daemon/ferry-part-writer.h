/* ferry-part-writer.h: a part file's bytes written off the main loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _FerryPartWriter FerryPartWriter;

/* Runs in the main context each time a write of the thread has ended, well or not: the
 * @len bytes from @pos are in the file. */
typedef void (*FerryPartWriterNotify) (gpointer user_data,
                                       guint64  pos,
                                       gsize    len);

#define FERRY_PART_WRITER_MAX_BUFFERS 4

/* A second descriptor of the file open as @fd, for O_DIRECT writes; -1 where the file system
 * refuses them (the writer then writes through @fd alone). */
int              ferry_part_writer_open_direct (int fd);

/* Writes through @fd, and through @direct_fd (taken over; -1 for none) what is aligned for it,
 * from @n_buffers (at most FERRY_PART_WRITER_MAX_BUFFERS) of @buffer_size bytes (a multiple
 * of 4 KiB). @owner (or NULL) is kept alive while a write is in flight. */
FerryPartWriter *ferry_part_writer_new (GObject              *owner,
                                        int                   fd,
                                        int                   direct_fd,
                                        gsize                 buffer_size,
                                        guint                 n_buffers,
                                        FerryPartWriterNotify notify,
                                        gpointer              user_data);
/* Only when idle: nothing is in flight then. */
void             ferry_part_writer_free (FerryPartWriter *self);

/* Idle only: the next byte committed goes to @position. Clears an earlier error. */
void             ferry_part_writer_reset (FerryPartWriter *self,
                                          guint64          position);
/* Where the next bytes are to be put, and how many fit; NULL when every buffer is being
 * written: notify runs when one is free again. */
guint8          *ferry_part_writer_space (FerryPartWriter *self,
                                          gsize           *len);
/* @len bytes were put at the place ferry_part_writer_space() gave. */
void             ferry_part_writer_commit (FerryPartWriter *self,
                                           gsize            len);
/* Sends what is buffered to the file too; notify runs when that is written. */
void             ferry_part_writer_flush (FerryPartWriter *self);
/* Sends what is buffered, and puts the bytes committed next at @position. */
void             ferry_part_writer_seek (FerryPartWriter *self,
                                         guint64          position);
/* Adds to @ranges (of guint64 pairs: start, exclusive end) the bytes committed and not yet
 * written. */
void             ferry_part_writer_add_pending (FerryPartWriter *self,
                                                GArray          *ranges);
/* Nothing buffered and nothing in flight. */
gboolean         ferry_part_writer_is_idle (FerryPartWriter *self);
/* Every byte from the last reset up to this position was written to the file (not yet
 * synced), when the writer was never sought. */
guint64          ferry_part_writer_get_written (FerryPartWriter *self);
/* The errno of the first write that failed (nothing is written after it), or 0. */
int              ferry_part_writer_get_error (FerryPartWriter *self);
gboolean         ferry_part_writer_is_direct (FerryPartWriter *self);

G_END_DECLS
