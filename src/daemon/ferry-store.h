/* ferry-store.h: the durable queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ferry-record.h"

G_BEGIN_DECLS

#define FERRY_TYPE_STORE (ferry_store_get_type ())

G_DECLARE_FINAL_TYPE (FerryStore, ferry_store, FERRY, STORE, GObject)

#define FERRY_STORE_SCHEMA_VERSION 8

FerryStore *ferry_store_open (const char *path,
                              GError    **error);
const char *ferry_store_get_path (FerryStore *self);
/* The file a broken store was moved to when it was opened, or NULL. */
const char *ferry_store_get_moved_aside (FerryStore *self);

/* Whether the store at @path has transfers that are queued, waiting or running; read-only,
 * for a quick look at login. FALSE when there is no store. */
gboolean    ferry_store_path_has_pending (const char *path);

/* Every stored record, oldest first. The first call after opening returns the rows the
 * opening read (its check for damage), unless something was written since. */
GPtrArray  *ferry_store_load (FerryStore *self,
                              GError    **error);
gboolean    ferry_store_insert (FerryStore  *self,
                                FerryRecord *record,
                                GError     **error);
gboolean    ferry_store_update (FerryStore        *self,
                                const FerryRecord *record,
                                GError           **error);
gboolean    ferry_store_delete (FerryStore *self,
                                guint64     id,
                                GError    **error);

/* Groups many updates into one transaction: one sync to disk instead of one per row. */
gboolean    ferry_store_begin (FerryStore *self,
                               GError    **error);
gboolean    ferry_store_commit (FerryStore *self,
                                GError    **error);
/* Drops what the open transaction changed. */
void        ferry_store_rollback (FerryStore *self);

/* Moves the journal (WAL) into the database file and empties it, so that an old version of
 * a row (the credentials a finished transfer had) is left in neither file: secure_delete
 * has zeroed it in the database. Inside a transaction it runs at the commit. */
void        ferry_store_scrub (FerryStore *self);

G_END_DECLS
