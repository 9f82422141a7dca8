/* test-transfer.c: a live transfer's record changes only through ferry-transfer.c, and what
 * changed is announced, once stored, for the properties that changed and no others
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-transfer.h"

typedef struct
{
  FerryStore *store;
  FerryTransfer *transfer;
  GPtrArray *notified;    /* D-Bus names of the properties notified, in order */
} Fixture;

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->notified, g_strdup (g_param_spec_get_nick (pspec)));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "ferry.db", NULL);
  g_autoptr(GError) error = NULL;
  FerryRecord *r = ferry_record_new ();

  fixture->store = ferry_store_open (path, &error);
  g_assert_no_error (error);

  r->uri = g_strdup ("https://example.com/file.bin");
  r->directory = g_strdup ("/srv/downloads");
  r->filename = g_strdup ("file.bin");
  r->session = g_strdup ("");
  r->state = FERRY_STATE_RUNNING;
  r->partial_name = g_strdup (".ferry-1.part");
  r->etag = g_strdup ("\"v1\"");
  r->resumable = TRUE;
  r->bytes_done = 100;
  r->bytes_total = 1000;
  g_assert_true (ferry_store_insert (fixture->store, r, &error));
  g_assert_no_error (error);

  fixture->transfer = ferry_transfer_new (fixture->store, r);
  fixture->notified = g_ptr_array_new_with_free_func (g_free);
  /* The first announcement has everything; the tests look at the ones after it. */
  ferry_transfer_publish (fixture->transfer);
  g_signal_connect (fixture->transfer, "notify", G_CALLBACK (on_notify), fixture);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_clear_object (&fixture->transfer);
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->notified, g_ptr_array_unref);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* Stores and announces, as the scheduler does after a checkpoint; returns the properties
 * notified, sorted and comma-separated. */
static char *
published_changes (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  GString *names = g_string_new (NULL);

  g_assert_true (ferry_transfer_persist (fixture->transfer, &error));
  g_assert_no_error (error);
  g_ptr_array_set_size (fixture->notified, 0);
  ferry_transfer_publish (fixture->transfer);
  g_ptr_array_sort (fixture->notified, compare_strings);
  for (guint i = 0; i < fixture->notified->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? "," : "",
                            (const char *) g_ptr_array_index (fixture->notified, i));
  return g_string_free (names, FALSE);
}

/* A completed file: its path, its length in both byte counts, the part file gone; a
 * second announcement without a change says nothing. */
static void
test_completed_file (Fixture       *fixture,
                     gconstpointer  user_data)
{
  const FerryRecord *r = ferry_transfer_get_record (fixture->transfer);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  ferry_transfer_set_completed_file (fixture->transfer, "/srv/downloads/file (1).bin", 64769,
                                     4242, 1000);
  g_assert_cmpstr (r->destination, ==, "/srv/downloads/file (1).bin");
  g_assert_null (r->partial_name);
  g_assert_cmpuint (r->file_dev, ==, 64769);
  g_assert_cmpuint (r->file_ino, ==, 4242);
  g_assert_cmpuint (r->bytes_done, ==, 1000);
  g_assert_cmpuint (ferry_transfer_get_live_bytes (fixture->transfer), ==, 1000);

  first = published_changes (fixture);
  g_assert_cmpstr (first, ==, "BytesDone,BytesSent,Destination");
  second = published_changes (fixture);
  g_assert_cmpstr (second, ==, "");
}

/* A response: an upload's update without a status or headers keeps the last ones; the
 * address that gave the file is where a later attempt asks first, until it fails. */
static void
test_response (Fixture       *fixture,
               gconstpointer  user_data)
{
  const FerryRecord *r = ferry_transfer_get_record (fixture->transfer);
  g_autoptr(GVariant) headers = g_variant_ref_sink (
    g_variant_new_parsed ("{'Content-Type': 'application/octet-stream'}"));
  g_autofree char *answered = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *forgotten = NULL;

  ferry_transfer_set_response (fixture->transfer, 206, headers, "https://cdn.example.com/f");
  answered = published_changes (fixture);
  g_assert_cmpstr (answered, ==, "FinalUri,HttpStatus,ResponseHeaders");
  g_assert_cmpuint (r->attempt_status, ==, 206);

  ferry_transfer_set_response (fixture->transfer, 0, NULL, NULL);
  kept = published_changes (fixture);
  g_assert_cmpstr (kept, ==, "");
  g_assert_cmpuint (r->http_status, ==, 206);
  g_assert_cmpstr (r->final_uri, ==, "https://cdn.example.com/f");

  ferry_transfer_forget_final_uri (fixture->transfer);
  forgotten = published_changes (fixture);
  g_assert_cmpstr (forgotten, ==, "FinalUri");
  g_assert_null (r->final_uri);
}

/* A new representation forgets everything of the old one, even when it is given the
 * record's own validator; a name from the caller stays. */
static void
test_representation (Fixture       *fixture,
                     gconstpointer  user_data)
{
  const FerryRecord *r = ferry_transfer_get_record (fixture->transfer);
  g_autofree char *changes = NULL;

  ferry_transfer_set_segments (fixture->transfer, "0-100,500-600", 200);
  ferry_transfer_set_representation (fixture->transfer, r->etag, NULL, FALSE, 2000, NULL);
  g_assert_cmpstr (r->etag, ==, "\"v1\"");
  g_assert_null (r->segments);
  g_assert_cmpuint (r->bytes_done, ==, 0);
  g_assert_cmpuint (r->bytes_total, ==, 2000);
  g_assert_false (r->resumable);
  g_assert_cmpstr (r->filename, ==, "file.bin");

  changes = published_changes (fixture);
  g_assert_cmpstr (changes, ==, "BytesDone,BytesSent,BytesTotal,Resumable");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/transfer/completed-file", Fixture, NULL, fixture_setup, test_completed_file,
              fixture_teardown);
  g_test_add ("/transfer/response", Fixture, NULL, fixture_setup, test_response,
              fixture_teardown);
  g_test_add ("/transfer/representation", Fixture, NULL, fixture_setup, test_representation,
              fixture_teardown);

  return g_test_run ();
}
