/* ferry-store.c
 *
 * One SQLite database in WAL mode with synchronous=FULL: a commit that returned is on disk,
 * so "persist before announce" holds across power loss. The schema is versioned with
 * PRAGMA user_version and ordered migrations. A file that is not a usable database (or
 * comes from a newer Ferry) is moved aside, never deleted, and the service starts empty.
 * Opening reads every row (and every page of the identifier index): that reading is the
 * check for damage, and its rows are what the first ferry_store_load() returns.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ferry-error.h"
#include "ferry-i18n.h"
#include "ferry-store.h"

struct _FerryStore
{
  GObject parent_instance;

  char *path;
  char *moved_aside;
  sqlite3 *db;
  sqlite3_stmt *insert_stmt;
  sqlite3_stmt *update_stmt;
  sqlite3_stmt *delete_stmt;
  gboolean scrub_pending;
  GPtrArray *loaded;           /* the rows read when opening, until anything is written */
};

G_DEFINE_FINAL_TYPE (FerryStore, ferry_store, G_TYPE_OBJECT)

#define COLUMNS \
  "kind, uri, final_uri, directory, filename, filename_from_caller, destination, " \
  "partial_name, session, identifier, state, wait_reasons, bytes_done, bytes_total, " \
  "earliest_begin, allow_metered, discretionary, priority, retry_at, attempts, " \
  "http_status, error, resumable, etag, last_modified, sha256, headers, notify, " \
  "created_at, finished_at, rate_limit, upload, retry_from_server, dir_dev, dir_ino, " \
  "file_dev, file_ino, response_headers, details, segments, connections"
#define N_COLUMNS 41

/* Ordered: migrations[i] brings a database from version i to i + 1. */
static const char *const migrations[] = {
  "CREATE TABLE transfers ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  kind INTEGER NOT NULL,"
  "  uri TEXT NOT NULL,"
  "  final_uri TEXT,"
  "  directory TEXT,"
  "  filename TEXT,"
  "  filename_from_caller INTEGER NOT NULL DEFAULT 0,"
  "  destination TEXT,"
  "  partial_name TEXT,"
  "  session TEXT NOT NULL DEFAULT '',"
  "  identifier TEXT NOT NULL DEFAULT '',"
  "  state INTEGER NOT NULL,"
  "  wait_reasons INTEGER NOT NULL DEFAULT 0,"
  "  bytes_done INTEGER NOT NULL DEFAULT 0,"
  "  bytes_total INTEGER NOT NULL DEFAULT 0,"
  "  earliest_begin INTEGER NOT NULL DEFAULT 0,"
  "  allow_metered INTEGER NOT NULL DEFAULT 1,"
  "  discretionary INTEGER NOT NULL DEFAULT 0,"
  "  priority INTEGER NOT NULL DEFAULT 0,"
  "  retry_at INTEGER NOT NULL DEFAULT 0,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  http_status INTEGER NOT NULL DEFAULT 0,"
  "  error TEXT,"
  "  resumable INTEGER NOT NULL DEFAULT 0,"
  "  etag TEXT,"
  "  last_modified TEXT,"
  "  sha256 TEXT,"
  "  headers BLOB,"
  "  notify INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL,"
  "  finished_at INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE UNIQUE INDEX transfers_identifier ON transfers (session, identifier)"
  "  WHERE identifier != '';",

  /* 2: a speed limit per transfer. */
  "ALTER TABLE transfers ADD COLUMN rate_limit INTEGER NOT NULL DEFAULT 0;",

  /* 3: uploads — what to send and how to resume, as a serialised a{sv}. */
  "ALTER TABLE transfers ADD COLUMN upload BLOB;",

  /* 4: whether retry_at is the server's (Retry-After), which the network coming back does not
   * cut short, or Ferry's own backoff, which it does. */
  "ALTER TABLE transfers ADD COLUMN retry_from_server INTEGER NOT NULL DEFAULT 0;",

  /* 5: the destination folder as pinned when it was checked, and the file Ferry completed
   * (device and inode): what may be written to, and what may be deleted. */
  "ALTER TABLE transfers ADD COLUMN dir_dev INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE transfers ADD COLUMN dir_ino INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE transfers ADD COLUMN file_dev INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE transfers ADD COLUMN file_ino INTEGER NOT NULL DEFAULT 0;",

  /* 6: what the last response said that a client may read, as a serialised a{ss}: an
   * outcome delivered after a restart has it too. */
  "ALTER TABLE transfers ADD COLUMN response_headers BLOB;",
  /* 7: what the details view shows: the last attempts and the checksum's outcome, as a
   * serialised a{sv}. */
  "ALTER TABLE transfers ADD COLUMN details BLOB;",
  /* 8: segmented downloads — the byte ranges of the part file that are on disk (synced
   * before they were recorded), and how many connections the caller allows. */
  "ALTER TABLE transfers ADD COLUMN segments TEXT;"
  "ALTER TABLE transfers ADD COLUMN connections INTEGER NOT NULL DEFAULT 0;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == FERRY_STORE_SCHEMA_VERSION);

/* A damaged file is FERRY_ERROR (and gets moved aside on open); trouble around a good file
 * (full disk, permissions, I/O) is G_IO_ERROR and never moves anything. */
/* One whole sentence per verb, for translators. */
static const char *
sentence_for (const char *what)
{
  if (g_str_equal (what, "read"))
    return N_ ("Could not read the transfer list: %s");
  if (g_str_equal (what, "open"))
    return N_ ("Could not open the transfer list: %s");
  if (g_str_equal (what, "update"))
    return N_ ("Could not update the transfer list: %s");
  if (g_str_equal (what, "prepare"))
    return N_ ("Could not prepare the transfer list: %s");
  return N_ ("Could not save the transfer list: %s");
}

static gboolean
set_sqlite_error (GError    **error,
                  sqlite3    *db,
                  const char *what)
{
  int code = sqlite3_errcode (db) & 0xff;
  g_autofree char *trouble = NULL;
  GQuark domain = G_IO_ERROR;
  int error_code = G_IO_ERROR_FAILED;

  switch (code)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      trouble = g_strdup_printf (N_ ("it is damaged (%s)"), sqlite3_errmsg (db));
      domain = FERRY_ERROR;
      error_code = FERRY_ERROR_FAILED;
      break;

    case SQLITE_FULL:
      trouble = g_strdup (N_ ("the disk is full"));
      error_code = G_IO_ERROR_NO_SPACE;
      break;

    default:
      trouble = g_strdup (sqlite3_errmsg (db));
      break;
    }

  /* The sentences are known templates: ferry-i18n recognises them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  g_set_error (error, domain, error_code, sentence_for (what), trouble);
#pragma GCC diagnostic pop
  return FALSE;
}

static gboolean
exec (FerryStore *self,
      const char *sql,
      const char *what,
      GError    **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_sqlite_error (error, self->db, what);
  return TRUE;
}

static void
ferry_store_finalize (GObject *object)
{
  FerryStore *self = FERRY_STORE (object);

  g_clear_pointer (&self->insert_stmt, sqlite3_finalize);
  g_clear_pointer (&self->update_stmt, sqlite3_finalize);
  g_clear_pointer (&self->delete_stmt, sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->loaded, g_ptr_array_unref);
  g_free (self->path);
  g_free (self->moved_aside);

  G_OBJECT_CLASS (ferry_store_parent_class)->finalize (object);
}

static void
ferry_store_class_init (FerryStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ferry_store_finalize;
}

static void
ferry_store_init (FerryStore *self)
{
}

static int
get_user_version (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

static gboolean
migrate (FerryStore *self,
         GError    **error)
{
  int version = get_user_version (self->db);

  if (version < 0)
    return set_sqlite_error (error, self->db, "read");

  if (version > FERRY_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_UNSUPPORTED,
                   N_ ("The transfer list was written by a newer version of Ferry "
                       "(format %d; this version reads up to %d)"),
                   version, FERRY_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (int v = version; v < FERRY_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      if (!exec (self, "BEGIN IMMEDIATE", "update", error))
        return FALSE;
      if (!exec (self, migrations[v], "update", error) || !exec (self, bump, "update", error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
      if (!exec (self, "COMMIT", "update", error))
        return FALSE;
      g_debug ("Store migrated to version %d", v + 1);
    }

  return TRUE;
}

/* The list holds the callers' headers, credentials among them, while transfers run: the
 * file is the user's alone. SQLite gives its -wal and -shm files the database's mode, and
 * a file from an older Ferry (0644) is made private too. Trouble here is left to SQLite's
 * open to report. */
static void
make_private (const char *path)
{
  const char *suffixes[] = { "-wal", "-shm", "-journal" };
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd >= 0)
    {
      if (fchmod (fd, 0600) != 0)
        g_warning ("Could not make %s private: %s", path, g_strerror (errno));
      close (fd);
    }

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *other = g_strconcat (path, suffixes[i], NULL);

      if (g_chmod (other, 0600) != 0 && errno != ENOENT)
        g_warning ("Could not make %s private: %s", other, g_strerror (errno));
    }
}

static GPtrArray *read_all (FerryStore *self,
                            GError    **error);

static gboolean
open_database (FerryStore *self,
               GError    **error)
{
  int rc;

  make_private (self->path);
  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    return set_sqlite_error (error, self->db, "open");

  sqlite3_busy_timeout (self->db, 5000);

  /* journal_mode is the first statement that reads the file: garbage fails here. */
  if (!exec (self, "PRAGMA journal_mode = WAL", "open", error) ||
      !exec (self, "PRAGMA synchronous = FULL", "open", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", "open", error) ||
      /* A removed credential is overwritten, not left in a free page. */
      !exec (self, "PRAGMA secure_delete = ON", "open", error) ||
      /* Each page is checked as it is read, cell by cell. */
      !exec (self, "PRAGMA cell_size_check = ON", "open", error) ||
      !migrate (self, error))
    return FALSE;

  /* A damaged page would otherwise surface later, in the middle of a transfer. Every row is
   * read now (they are loaded anyway) and every page of the identifier index, which each
   * write changes: a damaged one fails here as SQLITE_CORRUPT. This replaces PRAGMA
   * quick_check, which read the whole file once more before the rows were loaded: 40 ms
   * of CPU at 100,000 transfers. */
  self->loaded = read_all (self, error);
  /* Counted through the (partial, covering) index, whose pages are all read. Not named with
   * INDEXED BY: a store without it still opens. */
  if (self->loaded == NULL ||
      !exec (self, "SELECT count(*) FROM transfers WHERE identifier != ''", "read", error))
    return FALSE;

  {
    /* One placeholder per column; the id of an update comes after them. */
    g_autoptr(GString) values = g_string_new ("?");
    g_autofree char *insert = NULL;
    g_autofree char *update = NULL;

    for (int i = 1; i < N_COLUMNS; i++)
      g_string_append (values, ",?");
    insert = g_strdup_printf ("INSERT INTO transfers (" COLUMNS ") VALUES (%s)", values->str);
    update = g_strdup_printf ("UPDATE transfers SET (" COLUMNS ") = (%s) WHERE id = ?%d",
                              values->str, N_COLUMNS + 1);
    if (sqlite3_prepare_v2 (self->db, insert, -1, &self->insert_stmt, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2 (self->db, update, -1, &self->update_stmt, NULL) != SQLITE_OK)
      return set_sqlite_error (error, self->db, "prepare");
  }

  if (
      sqlite3_prepare_v2 (self->db, "DELETE FROM transfers WHERE id = ?",
                          -1, &self->delete_stmt, NULL) != SQLITE_OK)
    return set_sqlite_error (error, self->db, "prepare");

  return TRUE;
}

static void
close_database (FerryStore *self)
{
  g_clear_pointer (&self->loaded, g_ptr_array_unref);
  g_clear_pointer (&self->insert_stmt, sqlite3_finalize);
  g_clear_pointer (&self->update_stmt, sqlite3_finalize);
  g_clear_pointer (&self->delete_stmt, sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
}

/* Renames the database and its WAL files to "<path>.broken-<time>". */
static char *
move_aside (const char *path)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *target = g_strdup_printf ("%s.broken-%s", path, stamp);
  const char *suffixes[] = { "-wal", "-shm" };

  if (g_rename (path, target) != 0 && errno != ENOENT)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (target, suffixes[i], NULL);

      g_rename (from, to);
    }

  return g_steal_pointer (&target);
}

FerryStore *
ferry_store_open (const char *path,
                  GError    **error)
{
  g_autoptr(FerryStore) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   N_ ("Could not create the folder %s for the transfer list: %s"),
                   dir, g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (FERRY_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  if (open_database (self, &local_error))
    return g_steal_pointer (&self);

  close_database (self);

  /* Only a damaged or newer file is moved aside: a full or read-only disk is not a reason to
   * put a good transfer list away. */
  if (local_error->domain != FERRY_ERROR)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  self->moved_aside = move_aside (path);
  if (self->moved_aside == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  N_ ("Could not move the unreadable transfer list aside: "));
      return NULL;
    }

  g_warning ("%s. It was moved to %s and Ferry starts with an empty list.",
             local_error->message, self->moved_aside);

  if (!open_database (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
ferry_store_get_path (FerryStore *self)
{
  g_return_val_if_fail (FERRY_IS_STORE (self), NULL);
  return self->path;
}

const char *
ferry_store_get_moved_aside (FerryStore *self)
{
  g_return_val_if_fail (FERRY_IS_STORE (self), NULL);
  return self->moved_aside;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           col,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, col, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, col);
}

static void
add_string (GVariantDict *dict,
            const char   *key,
            const char   *value)
{
  if (value != NULL)
    g_variant_dict_insert (dict, key, "s", value);
}

static GVariant *
upload_to_variant (const FerryRecord *r)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  add_string (&dict, "method", r->method);
  g_variant_dict_insert (&dict, "protocol", "s", ferry_upload_protocol_to_string (r->protocol));
  g_variant_dict_insert (&dict, "protocol-used", "s",
                         ferry_upload_protocol_to_string (r->protocol_used));
  g_variant_dict_insert (&dict, "interop", "u", r->interop);
  g_variant_dict_insert (&dict, "interop-pinned", "b", r->interop_pinned);
  add_string (&dict, "upload-url", r->upload_url);
  add_string (&dict, "content-type", r->content_type);
  add_string (&dict, "form-field", r->form_field);
  add_string (&dict, "source-path", r->source_path);
  g_variant_dict_insert (&dict, "source-dev", "t", r->source_dev);
  g_variant_dict_insert (&dict, "source-ino", "t", r->source_ino);
  g_variant_dict_insert (&dict, "source-mtime", "x", r->source_mtime);
  g_variant_dict_insert (&dict, "source-is-copy", "b", r->source_is_copy);
  return g_variant_dict_end (&dict);
}

/* A store is untrusted input once it has been on disk: every field is looked up with its
 * type, and anything missing or of another type keeps its default. */
static void
upload_from_variant (FerryRecord *r,
                     GVariant    *upload)
{
  const char *str;

  if (g_variant_lookup (upload, "method", "&s", &str))
    r->method = g_strdup (str);
  if (g_variant_lookup (upload, "protocol", "&s", &str))
    ferry_upload_protocol_from_string (str, &r->protocol);
  if (g_variant_lookup (upload, "protocol-used", "&s", &str))
    ferry_upload_protocol_from_string (str, &r->protocol_used);
  g_variant_lookup (upload, "interop", "u", &r->interop);
  g_variant_lookup (upload, "interop-pinned", "b", &r->interop_pinned);
  if (g_variant_lookup (upload, "upload-url", "&s", &str))
    r->upload_url = g_strdup (str);
  if (g_variant_lookup (upload, "content-type", "&s", &str))
    r->content_type = g_strdup (str);
  if (g_variant_lookup (upload, "form-field", "&s", &str))
    r->form_field = g_strdup (str);
  if (g_variant_lookup (upload, "source-path", "&s", &str))
    r->source_path = g_strdup (str);
  g_variant_lookup (upload, "source-dev", "t", &r->source_dev);
  g_variant_lookup (upload, "source-ino", "t", &r->source_ino);
  g_variant_lookup (upload, "source-mtime", "x", &r->source_mtime);
  g_variant_lookup (upload, "source-is-copy", "b", &r->source_is_copy);
}

static GVariant *
details_to_variant (const FerryRecord *r)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  if (r->attempt_log != NULL)
    g_variant_dict_insert_value (&dict, "attempts", r->attempt_log);
  g_variant_dict_insert (&dict, "checksum-result", "u", (guint32) r->checksum_result);
  add_string (&dict, "checksum-expected", r->checksum_expected);
  return g_variant_dict_end (&dict);
}

static void
bind_record (sqlite3_stmt      *stmt,
             const FerryRecord *r)
{
  int c = 1;

  sqlite3_bind_int (stmt, c++, r->kind);
  bind_text (stmt, c++, r->uri);
  bind_text (stmt, c++, r->final_uri);
  bind_text (stmt, c++, r->directory);
  bind_text (stmt, c++, r->filename);
  sqlite3_bind_int (stmt, c++, r->filename_from_caller);
  bind_text (stmt, c++, r->destination);
  bind_text (stmt, c++, r->partial_name);
  bind_text (stmt, c++, r->session ? r->session : "");
  bind_text (stmt, c++, r->identifier ? r->identifier : "");
  sqlite3_bind_int (stmt, c++, r->state);
  sqlite3_bind_int (stmt, c++, r->wait_reasons);
  sqlite3_bind_int64 (stmt, c++, (sqlite3_int64) r->bytes_done);
  sqlite3_bind_int64 (stmt, c++, (sqlite3_int64) r->bytes_total);
  sqlite3_bind_int64 (stmt, c++, r->earliest_begin);
  sqlite3_bind_int (stmt, c++, r->allow_metered);
  sqlite3_bind_int (stmt, c++, r->discretionary);
  sqlite3_bind_int (stmt, c++, r->priority);
  sqlite3_bind_int64 (stmt, c++, r->retry_at);
  sqlite3_bind_int (stmt, c++, (int) r->attempts);
  sqlite3_bind_int (stmt, c++, (int) r->http_status);
  bind_text (stmt, c++, r->error);
  sqlite3_bind_int (stmt, c++, r->resumable);
  bind_text (stmt, c++, r->etag);
  bind_text (stmt, c++, r->last_modified);
  bind_text (stmt, c++, r->sha256);
  if (r->headers != NULL)
    sqlite3_bind_blob (stmt, c++, g_variant_get_data (r->headers),
                       (int) g_variant_get_size (r->headers), SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, c++);
  sqlite3_bind_int (stmt, c++, r->notify);
  sqlite3_bind_int64 (stmt, c++, r->created_at);
  sqlite3_bind_int64 (stmt, c++, r->finished_at);
  sqlite3_bind_int64 (stmt, c++, (sqlite3_int64) MIN (r->rate_limit, (guint64) G_MAXINT64));
  if (r->kind == FERRY_KIND_UPLOAD)
    {
      g_autoptr(GVariant) upload = g_variant_ref_sink (upload_to_variant (r));

      sqlite3_bind_blob (stmt, c++, g_variant_get_data (upload),
                         (int) g_variant_get_size (upload), SQLITE_TRANSIENT);
    }
  else
    {
      sqlite3_bind_null (stmt, c++);
    }
  sqlite3_bind_int (stmt, c++, r->retry_from_server);
  sqlite3_bind_int64 (stmt, c++, (sqlite3_int64) r->dir_dev);
  sqlite3_bind_int64 (stmt, c++, (sqlite3_int64) r->dir_ino);
  sqlite3_bind_int64 (stmt, c++, (sqlite3_int64) r->file_dev);
  sqlite3_bind_int64 (stmt, c++, (sqlite3_int64) r->file_ino);
  if (r->response_headers != NULL)
    sqlite3_bind_blob (stmt, c++, g_variant_get_data (r->response_headers),
                       (int) g_variant_get_size (r->response_headers), SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, c++);
  if (r->stored_details != NULL)
    {
      /* Not read since it was loaded, so not changed either. */
      sqlite3_bind_blob (stmt, c++, g_bytes_get_data (r->stored_details, NULL),
                         (int) g_bytes_get_size (r->stored_details), SQLITE_TRANSIENT);
    }
  else
    {
      g_autoptr(GVariant) details = g_variant_ref_sink (details_to_variant (r));

      sqlite3_bind_blob (stmt, c++, g_variant_get_data (details),
                         (int) g_variant_get_size (details), SQLITE_TRANSIENT);
    }
  bind_text (stmt, c++, r->segments);
  sqlite3_bind_int (stmt, c++, (int) MIN (r->connections, (guint) G_MAXINT));

  g_assert (c == N_COLUMNS + 1);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           col)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

static guint64
column_size (sqlite3_stmt *stmt,
             int           col)
{
  sqlite3_int64 value = sqlite3_column_int64 (stmt, col);

  return value > 0 ? (guint64) value : 0;
}

static FerryRecord *
read_record (sqlite3_stmt *stmt)
{
  FerryRecord *r = ferry_record_new ();
  int c = 0;
  int state;

  r->id = (guint64) sqlite3_column_int64 (stmt, c++);
  r->kind = sqlite3_column_int (stmt, c++) == FERRY_KIND_UPLOAD ? FERRY_KIND_UPLOAD
                                                               : FERRY_KIND_DOWNLOAD;
  r->uri = column_text (stmt, c++);
  r->final_uri = column_text (stmt, c++);
  r->directory = column_text (stmt, c++);
  r->filename = column_text (stmt, c++);
  r->filename_from_caller = sqlite3_column_int (stmt, c++);
  r->destination = column_text (stmt, c++);
  r->partial_name = column_text (stmt, c++);
  r->session = column_text (stmt, c++);
  r->identifier = column_text (stmt, c++);
  state = sqlite3_column_int (stmt, c++);
  r->state = (state >= 0 && state < FERRY_N_STATES) ? (FerryState) state : FERRY_STATE_FAILED;
  r->wait_reasons = (FerryWaitReasons) sqlite3_column_int (stmt, c++);
  r->bytes_done = column_size (stmt, c++);
  r->bytes_total = column_size (stmt, c++);
  r->earliest_begin = sqlite3_column_int64 (stmt, c++);
  r->allow_metered = sqlite3_column_int (stmt, c++);
  r->discretionary = sqlite3_column_int (stmt, c++);
  r->priority = sqlite3_column_int (stmt, c++);
  r->retry_at = sqlite3_column_int64 (stmt, c++);
  r->attempts = (guint) sqlite3_column_int (stmt, c++);
  r->http_status = (guint) sqlite3_column_int (stmt, c++);
  r->error = column_text (stmt, c++);
  r->resumable = sqlite3_column_int (stmt, c++);
  r->etag = column_text (stmt, c++);
  r->last_modified = column_text (stmt, c++);
  r->sha256 = column_text (stmt, c++);
  if (sqlite3_column_type (stmt, c) == SQLITE_BLOB)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (sqlite3_column_blob (stmt, c),
                                             (gsize) sqlite3_column_bytes (stmt, c));
      g_autoptr(GVariant) headers =
        g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE ("a{ss}"), bytes, FALSE));

      /* Stored by us, but a store is untrusted input once it has been on disk. The normal
       * form is a reference of its own. */
      r->headers = g_variant_get_normal_form (headers);
    }
  c++;
  r->notify = sqlite3_column_int (stmt, c++);
  r->created_at = sqlite3_column_int64 (stmt, c++);
  r->finished_at = sqlite3_column_int64 (stmt, c++);
  r->rate_limit = column_size (stmt, c++);
  if (sqlite3_column_type (stmt, c) == SQLITE_BLOB)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (sqlite3_column_blob (stmt, c),
                                             (gsize) sqlite3_column_bytes (stmt, c));
      g_autoptr(GVariant) upload =
        g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE));

      /* Copied field by field: nothing of it is kept, so it needs no normal form. */
      upload_from_variant (r, upload);
    }
  c++;
  r->retry_from_server = sqlite3_column_int (stmt, c++) != 0;
  /* Identities, not sizes: every bit of the stored value is kept. */
  r->dir_dev = (guint64) sqlite3_column_int64 (stmt, c++);
  r->dir_ino = (guint64) sqlite3_column_int64 (stmt, c++);
  r->file_dev = (guint64) sqlite3_column_int64 (stmt, c++);
  r->file_ino = (guint64) sqlite3_column_int64 (stmt, c++);
  if (sqlite3_column_type (stmt, c) == SQLITE_BLOB)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (sqlite3_column_blob (stmt, c),
                                             (gsize) sqlite3_column_bytes (stmt, c));
      /* Untrusted and kept so: ResponseHeaders makes it normal when a client reads it
       * (checking 100,000 of them at start was 7 % of it). */
      r->response_headers =
        g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE ("a{ss}"), bytes, FALSE));
    }
  c++;
  /* The details are read when first asked (ferry_record_read_details()): at 100,000
   * finished transfers, reading their attempts was a third of starting. */
  if (sqlite3_column_type (stmt, c) == SQLITE_BLOB)
    r->stored_details = g_bytes_new (sqlite3_column_blob (stmt, c),
                                     (gsize) sqlite3_column_bytes (stmt, c));
  c++;
  r->segments = column_text (stmt, c++);
  r->connections = (guint) MAX (sqlite3_column_int (stmt, c++), 0);

  return r;
}

static GPtrArray *
read_all (FerryStore *self,
          GError    **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) ferry_record_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "SELECT id, " COLUMNS " FROM transfers ORDER BY id",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, "read");
      return NULL;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (records, read_record (stmt));

  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, "read");
      return NULL;
    }

  return g_steal_pointer (&records);
}

GPtrArray *
ferry_store_load (FerryStore *self,
                  GError    **error)
{
  g_return_val_if_fail (FERRY_IS_STORE (self), NULL);

  /* The rows opening read, if nothing was written since. */
  if (self->loaded != NULL)
    return g_steal_pointer (&self->loaded);
  return read_all (self, error);
}

static gboolean
step_done (FerryStore   *self,
           sqlite3_stmt *stmt,
           const char   *what,
           GError      **error)
{
  int rc;
  gboolean ok = TRUE;

  g_clear_pointer (&self->loaded, g_ptr_array_unref);
  rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    ok = set_sqlite_error (error, self->db, what);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return ok;
}

gboolean
ferry_store_insert (FerryStore  *self,
                    FerryRecord *record,
                    GError     **error)
{
  g_return_val_if_fail (FERRY_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  bind_record (self->insert_stmt, record);
  if (!step_done (self, self->insert_stmt, "save", error))
    return FALSE;

  record->id = (guint64) sqlite3_last_insert_rowid (self->db);
  return TRUE;
}

gboolean
ferry_store_update (FerryStore        *self,
                    const FerryRecord *record,
                    GError           **error)
{
  g_return_val_if_fail (FERRY_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL && record->id > 0, FALSE);

  bind_record (self->update_stmt, record);
  sqlite3_bind_int64 (self->update_stmt, N_COLUMNS + 1, (sqlite3_int64) record->id);
  return step_done (self, self->update_stmt, "save", error);
}

gboolean
ferry_store_delete (FerryStore *self,
                    guint64     id,
                    GError    **error)
{
  g_return_val_if_fail (FERRY_IS_STORE (self), FALSE);

  sqlite3_bind_int64 (self->delete_stmt, 1, (sqlite3_int64) id);
  return step_done (self, self->delete_stmt, "save", error);
}

gboolean
ferry_store_begin (FerryStore *self,
                   GError    **error)
{
  g_return_val_if_fail (FERRY_IS_STORE (self), FALSE);
  return exec (self, "BEGIN IMMEDIATE", "save", error);
}

gboolean
ferry_store_commit (FerryStore *self,
                    GError    **error)
{
  g_return_val_if_fail (FERRY_IS_STORE (self), FALSE);

  if (exec (self, "COMMIT", "save", error))
    {
      if (self->scrub_pending)
        ferry_store_scrub (self);
      return TRUE;
    }

  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

gboolean
ferry_store_path_has_pending (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean pending = FALSE;
  g_autofree char *sql = g_strdup_printf ("SELECT 1 FROM transfers WHERE state IN (%d, %d, %d) "
                                          "LIMIT 1", FERRY_STATE_QUEUED, FERRY_STATE_WAITING,
                                          FERRY_STATE_RUNNING);

  g_return_val_if_fail (path != NULL, FALSE);

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK)
    pending = sqlite3_step (stmt) == SQLITE_ROW;

  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return pending;
}

void
ferry_store_scrub (FerryStore *self)
{
  int rc;

  g_return_if_fail (FERRY_IS_STORE (self));

  if (!sqlite3_get_autocommit (self->db))
    {
      self->scrub_pending = TRUE;
      return;
    }

  self->scrub_pending = FALSE;
  rc = sqlite3_exec (self->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    g_warning ("Could not empty the transfer list's journal: %s", sqlite3_errmsg (self->db));
}

void
ferry_store_rollback (FerryStore *self)
{
  g_return_if_fail (FERRY_IS_STORE (self));

  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}
