/* test-soak.c: downloads and uploads while ferryd is killed with SIGKILL again and again, and
 * the page cache "lost" after some kills (a partial file cut below its checkpoint, or with
 * garbage past it). At the end every transfer reached the state it should, every file is the
 * source's exact bytes, nothing is duplicated or missing; the bytes sent twice are counted.
 *
 * FERRY_SOAK_SCALE=long (build-aux/dev test --soak): 50 downloads and 10 uploads, 1 KiB to
 * 256 MiB, 30 kills. Otherwise a short version for the default suite. FERRY_SOAK_SEED picks the
 * random sequence (printed, to repeat a run).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>

#include "ferry-test-daemon.h"
#include "ferry-test-server.h"
#include "ferry-test-upload-server.h"

#define KiB 1024
#define MiB (1024 * 1024)

typedef struct
{
  gboolean upload;
  char *name;
  GBytes *content;        /* what the file must be in the end */
  guint64 size;
  char *object_path;
  char *identifier;
  char *source;           /* uploads: the file sent */
  gboolean plain;         /* uploads: PUT, started over after each kill */
} Item;

typedef struct
{
  FerryTestDaemon *daemon;
  FerryTestServer *server;
  FerryTestUploadServer *uploads;
  GPtrArray *items;
  GRand *rand;
  guint kills;
  guint power_losses;
} Fixture;

static void
item_free (Item *item)
{
  g_free (item->name);
  g_bytes_unref (item->content);
  g_free (item->object_path);
  g_free (item->identifier);
  g_free (item->source);
  g_free (item);
}

static void
write_settings (const char *lines)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "glib-2.0", "settings",
                                           NULL);
  g_autofree char *path = g_build_filename (dir, "keyfile", NULL);
  g_autofree char *contents = g_strdup_printf ("[io/github/ferryhq/Ferry]\n%s", lines);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *seed = g_getenv ("FERRY_SOAK_SEED");
  guint32 value = seed ? (guint32) g_ascii_strtoull (seed, NULL, 10) : g_random_int ();

  g_test_message ("FERRY_SOAK_SEED=%u", value);
  f->rand = g_rand_new_with_seed (value);
  write_settings ("max-running=12\nmax-per-host=12\n");
  f->server = ferry_test_server_new ();
  f->uploads = ferry_test_upload_server_new (9);
  f->daemon = ferry_test_daemon_new ();
  f->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_server_free);
  g_clear_pointer (&f->uploads, ferry_test_upload_server_free);
  g_ptr_array_unref (f->items);
  g_rand_free (f->rand);
}

static gboolean
is_long (void)
{
  return g_strcmp0 (g_getenv ("FERRY_SOAK_SCALE"), "long") == 0;
}

/* Sizes from 1 KiB up to @max, most of them small, a few large. */
static guint64
pick_size (Fixture *f,
           guint64  max)
{
  static const guint64 sizes[] = { KiB, 37 * KiB, 300 * KiB, MiB, 3 * MiB + 5, 8 * MiB,
                                   24 * MiB, 64 * MiB, 256 * MiB };
  guint n = 0;

  while (n < G_N_ELEMENTS (sizes) && sizes[n] <= max)
    n++;
  return sizes[g_rand_int_range (f->rand, 0, (gint32) n)];
}

static GVariant *
options (const char *identifier,
         const char *key,
         GVariant   *value)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "identifier", "s", identifier);
  g_variant_dict_insert (&dict, "session", "s", "org.example.Soak");
  if (key != NULL)
    g_variant_dict_insert_value (&dict, key, value);
  return g_variant_dict_end (&dict);
}

static char *
add_item (Fixture *f,
          Item    *item)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;

  if (!item->upload)
    {
      g_autofree char *uri = ferry_test_server_uri (f->server, item->name);

      path = ferry_test_daemon_add (f->daemon, uri, options (item->identifier, NULL, NULL), &error);
    }
  else
    {
      g_autofree char *uri = ferry_test_upload_server_uri (f->uploads,
                                                           item->plain ? item->name : "/ietf");
      g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
      int fd = open (item->source, O_RDONLY | O_CLOEXEC);

      g_unix_fd_list_append (fds, fd, NULL);
      close (fd);
      ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0),
                                           options (item->identifier, "method",
                                                    g_variant_new_string ("PUT")),
                                           fds, &path, NULL, NULL, &error);
    }
  g_assert_no_error (error);
  return path;
}

/* Power loss: what the kernel had not written is gone, or the file holds garbage past what
 * was synced. Ferry trusts only its checkpoint, and must still end with the exact file. */
static void
lose_page_cache (Fixture *f)
{
  g_autoptr(GDir) dir = g_dir_open (f->daemon->download_dir, 0, NULL);
  g_autoptr(GPtrArray) partials = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  g_autofree char *victim = NULL;
  struct stat st;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".part"))
      g_ptr_array_add (partials, g_build_filename (f->daemon->download_dir, name, NULL));
  if (partials->len == 0)
    return;

  victim = g_strdup (g_ptr_array_index (partials,
                                        g_rand_int_range (f->rand, 0, (gint32) partials->len)));
  if (g_stat (victim, &st) != 0)
    return;

  if (g_rand_boolean (f->rand))
    {
      g_assert_cmpint (truncate (victim, st.st_size / 2), ==, 0);
      g_test_message ("Power loss: %s cut from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                      victim, (gint64) st.st_size, (gint64) st.st_size / 2);
    }
  else
    {
      g_autoptr(GBytes) garbage = ferry_test_make_content (64 * KiB, g_rand_int (f->rand));
      int fd = open (victim, O_WRONLY | O_APPEND | O_CLOEXEC);

      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (write (fd, g_bytes_get_data (garbage, NULL), 64 * KiB), ==, 64 * KiB);
      close (fd);
      g_test_message ("Power loss: 64 KiB of garbage after the end of %s", victim);
    }
  f->power_losses++;
}

static gboolean
all_ended (gpointer user_data)
{
  Fixture *f = user_data;
  g_autoptr(GVariant) list = NULL;
  GVariantIter iter;
  const char *state;

  if (!ferry_manager1_call_get_transfers_sync (f->daemon->manager, "", &list, NULL, NULL))
    return FALSE;
  g_variant_iter_init (&iter, list);
  while (g_variant_iter_next (&iter, "(&ot&s&s&s&s&s&s@as@t@t@t@x@x@x@x@u@s@b@b)", NULL, NULL,
                              NULL, NULL, NULL, NULL, NULL, &state, NULL, NULL, NULL, NULL,
                              NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL))
    {
      if (g_str_equal (state, "queued") || g_str_equal (state, "running") ||
          g_str_equal (state, "waiting") || g_str_equal (state, "paused"))
        return FALSE;
    }
  return TRUE;
}

static void
test_soak (Fixture       *f,
           gconstpointer  data)
{
  guint n_downloads = is_long () ? 50 : 10;
  guint n_uploads = is_long () ? 10 : 3;
  guint n_kills = is_long () ? 30 : 5;
  guint64 max_size = is_long () ? 256 * MiB : 8 * MiB;
  guint64 download_bytes = 0, upload_bytes = 0, sent_twice_down, sent_twice_up;
  g_auto(GStrv) listed = NULL;
  guint changed = 0;
  guint lost = 0, corrupted = 0, duplicated = 0;

  /* Downloads: some throttled, some from a server without Range, some whose file changes. */
  for (guint i = 0; i < n_downloads; i++)
    {
      Item *item = g_new0 (Item, 1);
      g_autofree char *etag = g_strdup_printf ("\"d%u\"", i);

      item->name = g_strdup_printf ("/d/file-%02u.bin", i);
      item->identifier = g_strdup_printf ("d%u", i);
      item->size = pick_size (f, max_size);
      item->content = ferry_test_make_content (item->size, 1000 + i);
      ferry_test_server_add_file (f->server, item->name, item->content, etag);
      if (i % 3 == 0)
        ferry_test_server_set_throttle (f->server, item->name, 4 * MiB);
      if (i % 7 == 3)
        ferry_test_server_set_ranges (f->server, item->name, FALSE);
      item->object_path = add_item (f, item);
      g_ptr_array_add (f->items, item);
      download_bytes += item->size;
    }

  /* Uploads: resumable (the draft) and plain PUTs. */
  ferry_test_upload_server_set_throttle (f->uploads, 16 * MiB);
  for (guint j = 0; j < n_uploads; j++)
    {
      Item *item = g_new0 (Item, 1);

      item->upload = TRUE;
      item->plain = j % 3 == 2;
      item->name = g_strdup_printf ("/plain/up-%02u", j);
      item->identifier = g_strdup_printf ("u%u", j);
      item->size = pick_size (f, max_size);
      item->content = ferry_test_make_content (item->size, 2000 + j);
      item->source = g_build_filename (g_get_user_data_dir (), item->name + strlen ("/plain/"),
                                       NULL);
      g_assert_true (g_file_set_contents (item->source, g_bytes_get_data (item->content, NULL),
                                          (gssize) item->size, NULL));
      item->object_path = add_item (f, item);
      g_ptr_array_add (f->items, item);
      upload_bytes += item->size;
    }

  /* kill -9 at random moments; after some kills, the page cache is lost too. */
  for (guint k = 0; k < n_kills; k++)
    {
      g_auto(GStrv) paths = NULL;

      ferry_test_sleep ((guint) g_rand_int_range (f->rand, 300, 1500));
      ferry_test_daemon_kill (f->daemon);
      f->kills++;
      if (g_rand_int_range (f->rand, 0, 3) == 0)
        lose_page_cache (f);

      /* A file changes on its server while ferryd is down: it must not be spliced. */
      if (k == n_kills / 2)
        for (guint i = 0; i < f->items->len; i++)
          {
            Item *item = g_ptr_array_index (f->items, i);

            g_autoptr(FerryTransfer1) t = NULL;

            if (item->upload || i % 5 != 1)
              continue;
            /* A file already complete keeps the bytes it had: only unfinished ones change. */
            t = ferry_test_daemon_transfer (f->daemon, item->object_path);
            if (g_strcmp0 (ferry_transfer1_get_state (t), "completed") != 0)
              {
                g_autofree char *etag = g_strdup_printf ("\"changed-%u\"", i);

                g_bytes_unref (item->content);
                item->content = ferry_test_make_content (item->size, 3000 + i);
                ferry_test_server_set_content (f->server, item->name, item->content, etag);
                changed++;
              }
          }

      g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths,
                                                              NULL, NULL));
    }

  /* Then let everything finish at full speed. */
  for (guint i = 0; i < f->items->len; i++)
    {
      Item *item = g_ptr_array_index (f->items, i);

      if (!item->upload)
        ferry_test_server_set_throttle (f->server, item->name, 0);
    }
  ferry_test_upload_server_set_throttle (f->uploads, 0);
  g_assert_true (ferry_test_wait_until (all_ended, f, is_long () ? 900000 : 120000));

  /* Adding everything again finds the same transfers: nothing duplicated. */
  for (guint i = 0; i < f->items->len; i++)
    {
      Item *item = g_ptr_array_index (f->items, i);
      g_autofree char *again = add_item (f, item);

      if (g_strcmp0 (again, item->object_path) != 0)
        duplicated++;
    }
  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &listed, NULL,
                                                          NULL));
  if (g_strv_length (listed) != f->items->len)
    duplicated += g_strv_length (listed) > f->items->len
                    ? g_strv_length (listed) - f->items->len : 0;

  for (guint i = 0; i < f->items->len; i++)
    {
      Item *item = g_ptr_array_index (f->items, i);
      g_autoptr(FerryTransfer1) t = ferry_test_daemon_transfer (f->daemon, item->object_path);
      g_autofree char *want = ferry_test_sha256_bytes (item->content);
      g_autofree char *got = NULL;

      if (!g_strv_contains ((const char *const *) listed, item->object_path))
        {
          lost++;
          continue;
        }
      if (g_strcmp0 (ferry_transfer1_get_state (t), "completed") != 0)
        {
          g_test_message ("%s ended %s: %s", item->name, ferry_transfer1_get_state (t),
                          ferry_transfer1_get_error (t));
          lost++;
          continue;
        }

      if (!item->upload)
        {
          got = ferry_test_sha256_file (ferry_transfer1_get_destination (t));
        }
      else if (item->plain)
        {
          g_autoptr(GBytes) bytes = ferry_test_upload_server_get_plain (f->uploads,
                                                                         item->name + strlen ("/plain/"),
                                                                         NULL);

          got = bytes ? ferry_test_sha256_bytes (bytes) : NULL;
        }
      else
        {
          /* One of the server's complete uploads holds these bytes. */
          for (guint u = 0; u < ferry_test_upload_server_count_uploads (f->uploads) && got == NULL; u++)
            {
              gboolean complete = FALSE;
              g_autoptr(GBytes) bytes = ferry_test_upload_server_get_upload (f->uploads, u, &complete);
              g_autofree char *sha = ferry_test_sha256_bytes (bytes);

              if (complete && g_str_equal (sha, want))
                got = g_strdup (sha);
            }
        }

      if (g_strcmp0 (got, want) != 0)
        {
          g_test_message ("%s is not the source's bytes", item->name);
          corrupted++;
        }
    }

  sent_twice_down = ferry_test_server_get_bytes_sent (f->server) - MIN (download_bytes, ferry_test_server_get_bytes_sent (f->server));
  sent_twice_up = ferry_test_upload_server_get_bytes_received (f->uploads) - MIN (upload_bytes, ferry_test_upload_server_get_bytes_received (f->uploads));

  /* The figures of the closing table. */
  g_test_message ("| scenario | transfers | kills | power losses | files changed | lost | "
                  "corrupted | duplicated | sent twice (down / up) |");
  g_test_message ("| crash soak (%s) | %u down + %u up, %.1f MiB | %u | %u | %u | %u | %u | %u | "
                  "%.1f MiB / %.1f MiB |",
                  is_long () ? "long" : "short", n_downloads, n_uploads,
                  (download_bytes + upload_bytes) / (double) MiB, f->kills, f->power_losses,
                  changed, lost, corrupted, duplicated, sent_twice_down / (double) MiB,
                  sent_twice_up / (double) MiB);

  g_assert_cmpuint (lost, ==, 0);
  g_assert_cmpuint (corrupted, ==, 0);
  g_assert_cmpuint (duplicated, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/soak/kill-and-power-loss", Fixture, NULL, fixture_setup, test_soak,
              fixture_teardown);

  return g_test_run ();
}
