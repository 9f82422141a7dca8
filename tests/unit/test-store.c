/* test-store.c: the durable queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ferry-error.h"
#include "ferry-store.h"

static char *
db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "ferry", "ferry.db", NULL);
}

static FerryRecord *
sample_record (const char *uri)
{
  FerryRecord *r = ferry_record_new ();

  r->uri = g_strdup (uri);
  r->directory = g_strdup ("/tmp");
  r->session = g_strdup ("org.example.App");
  r->identifier = g_strdup ("nightly");
  r->created_at = 1784000000;
  r->state = FERRY_STATE_WAITING;
  r->wait_reasons = FERRY_WAIT_RETRY | FERRY_WAIT_SCHEDULE;
  r->bytes_done = G_GUINT64_CONSTANT (40000000000);
  r->bytes_total = G_GUINT64_CONSTANT (42949672960);
  r->etag = g_strdup ("\"v1\"");
  r->priority = -3;
  r->headers = g_variant_ref_sink (g_variant_new_parsed ("{'Authorization': 'Bearer x'}"));
  return r;
}

static void
test_roundtrip (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryStore) store = ferry_store_open (path, &error);
  g_autoptr(FerryRecord) a = sample_record ("https://example.com/a");
  g_autoptr(FerryRecord) b = sample_record ("https://example.com/b");
  g_autoptr(GPtrArray) loaded = NULL;
  FerryRecord *la;

  g_assert_no_error (error);
  g_assert_null (ferry_store_get_moved_aside (store));

  g_assert_true (ferry_store_insert (store, a, &error));
  g_assert_no_error (error);
  g_free (b->identifier);
  b->identifier = g_strdup ("other");
  g_assert_true (ferry_store_insert (store, b, &error));
  g_assert_cmpuint (b->id, >, a->id);

  a->state = FERRY_STATE_PAUSED;
  a->bytes_done = 41;
  g_assert_true (ferry_store_update (store, a, &error));
  g_assert_true (ferry_store_delete (store, b->id, &error));

  /* A second process (or a restart) sees exactly what was committed. */
  g_clear_object (&store);
  store = ferry_store_open (path, &error);
  g_assert_no_error (error);
  loaded = ferry_store_load (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 1);
  la = g_ptr_array_index (loaded, 0);
  g_assert_cmpuint (la->id, ==, a->id);
  g_assert_cmpstr (la->uri, ==, "https://example.com/a");
  g_assert_cmpint (la->state, ==, FERRY_STATE_PAUSED);
  g_assert_cmpuint (la->bytes_done, ==, 41);
  g_assert_cmpuint (la->bytes_total, ==, G_GUINT64_CONSTANT (42949672960));
  g_assert_cmpint (la->wait_reasons, ==, FERRY_WAIT_RETRY | FERRY_WAIT_SCHEDULE);
  g_assert_cmpint (la->priority, ==, -3);
  g_assert_cmpstr (la->etag, ==, "\"v1\"");
  g_assert_true (g_variant_equal (la->headers, a->headers));
}

/* An upload's resume data survives a restart. */
static void
test_upload_roundtrip (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryStore) store = ferry_store_open (path, &error);
  g_autoptr(FerryRecord) u = sample_record ("https://example.com/upload");
  g_autoptr(GPtrArray) loaded = NULL;
  FerryRecord *lu;

  u->kind = FERRY_KIND_UPLOAD;
  u->method = g_strdup ("PUT");
  u->protocol = FERRY_UPLOAD_AUTO;
  u->protocol_used = FERRY_UPLOAD_IETF;
  u->interop = 6;
  u->upload_url = g_strdup ("https://example.com/uploads/17");
  u->content_type = g_strdup ("video/mp4");
  u->source_path = g_strdup ("/home/ada/holiday.mp4");
  u->source_dev = 2049;
  u->source_ino = G_GUINT64_CONSTANT (12345678901);
  u->source_mtime = G_GINT64_CONSTANT (1763700000123456789);
  u->source_is_copy = TRUE;
  g_assert_true (ferry_store_insert (store, u, &error));
  g_assert_no_error (error);

  g_clear_object (&store);
  store = ferry_store_open (path, &error);
  loaded = ferry_store_load (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 1);
  lu = g_ptr_array_index (loaded, 0);
  g_assert_cmpint (lu->kind, ==, FERRY_KIND_UPLOAD);
  g_assert_cmpstr (lu->method, ==, "PUT");
  g_assert_cmpint (lu->protocol, ==, FERRY_UPLOAD_AUTO);
  g_assert_cmpint (lu->protocol_used, ==, FERRY_UPLOAD_IETF);
  g_assert_cmpuint (lu->interop, ==, 6);
  g_assert_cmpstr (lu->upload_url, ==, "https://example.com/uploads/17");
  g_assert_cmpstr (lu->content_type, ==, "video/mp4");
  g_assert_null (lu->form_field);
  g_assert_cmpstr (lu->source_path, ==, "/home/ada/holiday.mp4");
  g_assert_cmpuint (lu->source_dev, ==, 2049);
  g_assert_cmpuint (lu->source_ino, ==, G_GUINT64_CONSTANT (12345678901));
  g_assert_cmpint (lu->source_mtime, ==, G_GINT64_CONSTANT (1763700000123456789));
  g_assert_true (lu->source_is_copy);
}

static void
test_unique_identifier (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryStore) store = ferry_store_open (path, &error);
  g_autoptr(FerryRecord) a = sample_record ("https://example.com/a");
  g_autoptr(FerryRecord) b = sample_record ("https://example.com/b");

  g_assert_true (ferry_store_insert (store, a, &error));
  g_assert_false (ferry_store_insert (store, b, &error));
  g_assert_nonnull (error);
}

static gboolean
find_moved_aside (const char *content_prefix)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "ferry", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL;
      gsize len;

      if (!g_str_has_prefix (name, "ferry.db.broken-") || g_str_has_suffix (name, "-wal") ||
          g_str_has_suffix (name, "-shm"))
        continue;
      g_assert_true (g_file_get_contents (p, &text, &len, NULL));
      if (len >= strlen (content_prefix) &&
          memcmp (text, content_prefix, strlen (content_prefix)) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_garbage_moved_aside (void)
{
  g_autofree char *path = db_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryStore) store = NULL;
  g_autoptr(GPtrArray) loaded = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "garbage garbage garbage garbage garbage garbage "
                                      "garbage garbage garbage garbage garbage garbage", -1,
                                      NULL));

  g_test_expect_message ("ferry-store", G_LOG_LEVEL_WARNING, "*moved to*");
  store = ferry_store_open (path, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_nonnull (ferry_store_get_moved_aside (store));
  loaded = ferry_store_load (store, &error);
  g_assert_cmpuint (loaded->len, ==, 0);
  g_assert_true (find_moved_aside ("garbage"));
}

/* @count records, each with an identifier of its own. */
static void
insert_records (FerryStore *store,
                guint       count)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < count; i++)
    {
      g_autoptr(FerryRecord) r = sample_record ("https://example.com/x");

      g_free (r->identifier);
      r->identifier = g_strdup_printf ("identifier-%u", i);
      g_assert_true (ferry_store_insert (store, r, &error));
      g_assert_no_error (error);
    }
}

/* Opening the database at @path warns (@warning), moves the file aside and starts empty. */
static void
assert_opens_moved_aside (const char *path,
                          const char *warning)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryStore) store = NULL;

  g_test_expect_message ("ferry-store", G_LOG_LEVEL_WARNING, warning);
  store = ferry_store_open (path, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_nonnull (ferry_store_get_moved_aside (store));
  g_assert_true (find_moved_aside ("SQLite format 3"));
}

static void
test_truncated_moved_aside (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryStore) store = ferry_store_open (path, &error);
  g_autofree char *contents = NULL;
  gsize len;

  /* A real database, cut in half (and without its WAL) as a crash of the disk might. */
  g_assert_no_error (error);
  insert_records (store, 200);
  g_clear_object (&store);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 8192);
  g_assert_true (g_file_set_contents (path, contents, (gssize) len / 2, NULL));

  assert_opens_moved_aside (path, "*moved to*");
}

/* Overwrites the header of page @pageno of the closed database at @path with bytes no page
 * has: the page-type byte says none of SQLite's four kinds. */
static void
damage_page (const char *path,
             gint64      pageno)
{
  g_autofree char *contents = NULL;
  gsize len;
  gsize offset = (gsize) (pageno - 1) * 4096;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (offset + 4096, <=, len);
  memset (contents + offset, 0x6b, 64);
  g_assert_true (g_file_set_contents (path, contents, (gssize) len, NULL));
}

/* The number of a page of @name ("transfers" or its index) of type @pagetype (dbstat's
 * "leaf" or "internal"): the last one, the one read last. 0 when SQLite has no dbstat. */
static gint64
page_of (const char *path,
         const char *name,
         const char *pagetype)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 pageno = 0;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, "SELECT max(pageno) FROM dbstat WHERE name = ?1 AND pagetype = ?2",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, pagetype, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        pageno = sqlite3_column_int64 (stmt, 0);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA page_size", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 4096);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return pageno;
}

/* Opening reads every row and every page of the identifier index, which is the check for
 * damage: a damaged leaf of either, even the last one, moves the file aside. */
static void
test_damaged_page_moved_aside (gconstpointer data)
{
  const char *name = data;
  g_autofree char *path = db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryStore) store = ferry_store_open (path, &error);
  gint64 pageno;

  g_assert_no_error (error);
  insert_records (store, 400);
  g_clear_object (&store);

  pageno = page_of (path, name, "leaf");
  if (pageno == 0)
    {
      g_test_skip ("SQLite was built without the dbstat table");
      return;
    }
  g_assert_cmpint (pageno, >, 2);
  damage_page (path, pageno);

  assert_opens_moved_aside (path, "*damaged*moved to*");
}

/* The rows read when opening are what the first load returns; after a write, the store's
 * rows as they are now. */
static void
test_load_after_open (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryStore) store = ferry_store_open (path, &error);
  g_autoptr(FerryRecord) a = sample_record ("https://example.com/a");
  g_autoptr(FerryRecord) b = sample_record ("https://example.com/b");
  g_autoptr(GPtrArray) loaded = NULL;

  g_assert_true (ferry_store_insert (store, a, &error));
  g_clear_object (&store);

  store = ferry_store_open (path, &error);
  g_assert_no_error (error);
  g_free (b->identifier);
  b->identifier = g_strdup ("other");
  g_assert_true (ferry_store_insert (store, b, &error));
  loaded = ferry_store_load (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 2);
  g_clear_pointer (&loaded, g_ptr_array_unref);

  g_clear_object (&store);
  store = ferry_store_open (path, &error);
  loaded = ferry_store_load (store, &error);
  g_assert_cmpuint (loaded->len, ==, 2);
  g_assert_cmpstr (((FerryRecord *) g_ptr_array_index (loaded, 1))->uri, ==,
                   "https://example.com/b");
  g_clear_pointer (&loaded, g_ptr_array_unref);
  /* A second load reads again. */
  g_assert_true (ferry_store_delete (store, a->id, &error));
  loaded = ferry_store_load (store, &error);
  g_assert_cmpuint (loaded->len, ==, 1);
}

static void
test_future_version_moved_aside (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryStore) store = ferry_store_open (path, &error);
  sqlite3 *db = NULL;

  g_clear_object (&store);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);

  g_test_expect_message ("ferry-store", G_LOG_LEVEL_WARNING, "*newer version of Ferry*");
  store = ferry_store_open (path, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_true (find_moved_aside ("SQLite format 3"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  (void) FERRY_ERROR;

  g_test_add_func ("/store/roundtrip", test_roundtrip);
  g_test_add_func ("/store/upload-roundtrip", test_upload_roundtrip);
  g_test_add_func ("/store/unique-identifier", test_unique_identifier);
  g_test_add_func ("/store/garbage-moved-aside", test_garbage_moved_aside);
  g_test_add_func ("/store/truncated-moved-aside", test_truncated_moved_aside);
  g_test_add_func ("/store/future-version-moved-aside", test_future_version_moved_aside);
  g_test_add_data_func ("/store/damaged-table-moved-aside", "transfers",
                        test_damaged_page_moved_aside);
  g_test_add_data_func ("/store/damaged-index-moved-aside", "transfers_identifier",
                        test_damaged_page_moved_aside);
  g_test_add_func ("/store/load-after-open", test_load_after_open);

  return g_test_run ();
}
