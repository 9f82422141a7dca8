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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>

#include "ferry-test-daemon.h"
#include "ferry-test-listener.h"
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
  gboolean no_ranges;     /* downloads: from a server without Range */
  gboolean changed;       /* downloads: the file changed on its server */
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
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *seed = g_getenv ("FERRY_SOAK_SEED");
  guint32 value = seed ? (guint32) g_ascii_strtoull (seed, NULL, 10) : g_random_int ();

  g_test_message ("FERRY_SOAK_SEED=%u", value);
  f->rand = g_rand_new_with_seed (value);
  ferry_test_write_settings ("max-running=12\nmax-per-host=12\n");
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

      /* FERRY_SOAK_CONNECTIONS=1: every download on one connection, to compare what is
       * sent twice with and without segments. */
      const char *connections = g_getenv ("FERRY_SOAK_CONNECTIONS");

      path = ferry_test_daemon_add (f->daemon, uri,
                                    connections != NULL
                                      ? options (item->identifier, "connections",
                                                 g_variant_new_uint32 ((guint32) atoi (connections)))
                                      : options (item->identifier, NULL, NULL),
                                    &error);
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

/* The sha256 of what the transfer of @item produced: the downloaded file, or what the upload
 * server holds for it (for the draft, the complete upload with the same bytes). */
static char *
result_sha256 (Fixture        *f,
               Item           *item,
               FerryTransfer1 *t,
               const char     *want)
{
  if (!item->upload)
    return ferry_test_sha256_file (ferry_transfer1_get_destination (t));

  if (item->plain)
    {
      g_autoptr(GBytes) bytes = ferry_test_upload_server_get_plain (f->uploads,
                                                                     item->name + strlen ("/plain/"),
                                                                     NULL);

      return bytes ? ferry_test_sha256_bytes (bytes) : NULL;
    }

  for (guint u = 0; u < ferry_test_upload_server_count_uploads (f->uploads); u++)
    {
      gboolean complete = FALSE;
      g_autoptr(GBytes) bytes = ferry_test_upload_server_get_upload (f->uploads, u, &complete);
      g_autofree char *sha = ferry_test_sha256_bytes (bytes);

      if (complete && g_str_equal (sha, want))
        return g_steal_pointer (&sha);
    }
  return NULL;
}

/* For a draft upload that did not arrive whole: what each resource on the server holds,
 * against the source, to tell a wrong offset from a lost tail. */
static void
describe_uploads (Fixture *f,
                  Item    *item)
{
  gsize want_size;
  const guint8 *want = g_bytes_get_data (item->content, &want_size);

  for (guint u = 0; u < ferry_test_upload_server_count_uploads (f->uploads); u++)
    {
      gboolean complete = FALSE;
      g_autoptr(GBytes) bytes = ferry_test_upload_server_get_upload (f->uploads, u, &complete);
      gsize size;
      const guint8 *data = g_bytes_get_data (bytes, &size);
      gsize same = 0;

      while (same < size && same < want_size && data[same] == want[same])
        same++;
      g_test_message ("  resource %u: %" G_GSIZE_FORMAT " bytes%s, the source's %" G_GSIZE_FORMAT
                      " (%s), the first %" G_GSIZE_FORMAT " equal", u, size,
                      complete ? " complete" : "", want_size,
                      size == want_size ? "same size" : "other size", same);
    }
}

typedef enum
{
  ITEM_WHOLE,
  ITEM_LOST,
  ITEM_CORRUPTED,
} Verdict;

/* Whether @item ended completed with the source's bytes, saying what went wrong if not: for
 * a download where its file first differs, for a draft upload what each resource holds. */
static Verdict
judge_item (Fixture *f,
            Item    *item)
{
  g_autoptr(FerryTransfer1) t = ferry_test_daemon_transfer (f->daemon, item->object_path);
  g_autofree char *want = ferry_test_sha256_bytes (item->content);
  g_autofree char *got = NULL;

  if (g_strcmp0 (ferry_transfer1_get_state (t), "completed") != 0)
    {
      g_test_message ("%s ended %s: %s", item->name, ferry_transfer1_get_state (t),
                      ferry_transfer1_get_error (t));
      return ITEM_LOST;
    }

  got = result_sha256 (f, item, t, want);
  if (g_strcmp0 (got, want) == 0)
    return ITEM_WHOLE;

  g_test_message ("%s is not the source's bytes (%" G_GUINT64_FORMAT " bytes shown done)",
                  item->name, ferry_transfer1_get_bytes_done (t));
  if (!item->upload)
    {
      g_autofree char *disk = NULL;
      gsize disk_len = 0;
      gsize want_len;
      const char *want_data = g_bytes_get_data (item->content, &want_len);
      gsize at = 0;

      g_file_get_contents (ferry_transfer1_get_destination (t), &disk, &disk_len, NULL);
      while (at < MIN (disk_len, want_len) && disk[at] == want_data[at])
        at++;
      g_test_message ("  %s: %" G_GSIZE_FORMAT " bytes on disk, %" G_GSIZE_FORMAT
                      " expected, first difference at %" G_GSIZE_FORMAT,
                      ferry_transfer1_get_destination (t), disk_len, want_len, at);
    }
  else if (!item->plain)
    {
      describe_uploads (f, item);
    }
  return ITEM_CORRUPTED;
}

/* Where the downloads' bytes sent twice went: a server without Range starts over after each
 * kill, a changed file is fetched again whole; what a resumable download is sent again is
 * what arrived after its last checkpoint. */
static void
report_sent_twice (Fixture *f)
{
  guint64 again[3] = { 0, 0, 0 };
  guint files[3] = { 0, 0, 0 };
  static const char *const kinds[] = { "resumable", "without ranges", "changed" };

  for (guint i = 0; i < f->items->len; i++)
    {
      Item *item = g_ptr_array_index (f->items, i);
      guint64 sent;
      guint kind;

      if (item->upload)
        continue;
      sent = ferry_test_server_get_bytes_sent_for (f->server, item->name);
      kind = item->changed ? 2 : item->no_ranges ? 1 : 0;
      again[kind] += sent - MIN (sent, item->size);
      files[kind]++;
    }
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    g_test_message ("sent twice, %s downloads (%u): %.1f MiB, %.1f MiB a kill", kinds[k],
                    files[k], again[k] / (double) MiB,
                    f->kills > 0 ? again[k] / (double) MiB / f->kills : 0.0);
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
      item->no_ranges = i % 7 == 3;
      if (item->no_ranges)
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
                item->changed = TRUE;
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
      Verdict verdict = g_strv_contains ((const char *const *) listed, item->object_path)
                          ? judge_item (f, item) : ITEM_LOST;

      lost += verdict == ITEM_LOST;
      corrupted += verdict == ITEM_CORRUPTED;
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
  report_sent_twice (f);

  g_assert_cmpuint (lost, ==, 0);
  g_assert_cmpuint (corrupted, ==, 0);
  g_assert_cmpuint (duplicated, ==, 0);
}

/* -- A flaky network --------------------------------------------------------------------- */

/* A TCP proxy on 127.0.0.1 in front of a server: it resets connections at random moments,
 * stalls for seconds, and passes bytes on in slices of 1 byte to 8 KiB. */
typedef struct
{
  GSocketService *service;
  guint16 port;
  guint16 upstream;
  gint stopping;
  gint resets;
  gint stalls;
  GMutex mutex;
  GRand *rand;
} FlakyProxy;

typedef struct
{
  FlakyProxy *proxy;
  GSocket *from;
  GSocket *to;
  gint *closed;
  guint64 reset_after;    /* bytes this direction passes before the connection dies */
  guint64 stall_at;       /* bytes after which it goes silent for a while */
} Pump;

static guint32
proxy_random (FlakyProxy *proxy,
              guint32     below)
{
  guint32 value;

  g_mutex_lock (&proxy->mutex);
  value = (guint32) g_rand_int_range (proxy->rand, 0, (gint32) below);
  g_mutex_unlock (&proxy->mutex);
  return value;
}

static gpointer
pump (gpointer data)
{
  Pump *p = data;
  char buffer[8192];
  guint64 passed = 0;

  while (!g_atomic_int_get (p->closed) && !g_atomic_int_get (&p->proxy->stopping))
    {
      gssize n = g_socket_receive (p->from, buffer, sizeof buffer, NULL, NULL);
      gssize sent = 0;

      if (n <= 0)
        break;

      /* Some connections die in the middle (a reset); some go silent for a while. */
      if (passed >= p->reset_after)
        {
          g_atomic_int_inc (&p->proxy->resets);
          break;
        }
      if (passed >= p->stall_at)
        {
          g_atomic_int_inc (&p->proxy->stalls);
          p->stall_at = G_MAXUINT64;
          for (guint i = 0; i < 10 * (2 + proxy_random (p->proxy, 5)) &&
                            !g_atomic_int_get (&p->proxy->stopping); i++)
            g_usleep (G_USEC_PER_SEC / 10);
        }
      passed += (guint64) n;

      /* Sliced: the receiver gets odd-sized pieces. */
      while (sent < n)
        {
          gssize piece = (gssize) (1 + proxy_random (p->proxy, 8192));   /* not inside MIN () */
          gssize slice = MIN (n - sent, piece);
          gssize w = g_socket_send (p->to, buffer + sent, (gsize) slice, NULL, NULL);

          if (w <= 0)
            goto out;
          sent += w;
        }
    }
out:
  g_atomic_int_set (p->closed, TRUE);
  /* A reset, not a clean end: RST on both sides. */
  {
    struct linger hard = { 1, 0 };

    setsockopt (g_socket_get_fd (p->from), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    setsockopt (g_socket_get_fd (p->to), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  }
  g_socket_shutdown (p->from, TRUE, TRUE, NULL);
  g_socket_shutdown (p->to, TRUE, TRUE, NULL);
  return NULL;
}

static gboolean
on_proxy_run (GThreadedSocketService *service,
              GSocketConnection      *connection,
              GObject                *source_object,
              gpointer                user_data)
{
  FlakyProxy *proxy = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) upstream = NULL;
  gint closed = FALSE;
  Pump there, back;
  GThread *thread;

  g_socket_client_set_enable_proxy (client, FALSE);
  upstream = g_socket_client_connect_to_host (client, "127.0.0.1", proxy->upstream, NULL, NULL);
  if (upstream == NULL)
    return TRUE;

  /* A third of the connections is reset somewhere in its first 6 MiB, one in eight stalls. */
  there = (Pump) { proxy, g_socket_connection_get_socket (connection),
                   g_socket_connection_get_socket (upstream), &closed,
                   proxy_random (proxy, 3) == 0 ? 4096 + proxy_random (proxy, 6 * MiB) : G_MAXUINT64,
                   proxy_random (proxy, 8) == 0 ? proxy_random (proxy, 2 * MiB) : G_MAXUINT64 };
  back = (Pump) { proxy, g_socket_connection_get_socket (upstream),
                  g_socket_connection_get_socket (connection), &closed,
                  proxy_random (proxy, 3) == 0 ? 4096 + proxy_random (proxy, 6 * MiB) : G_MAXUINT64,
                  proxy_random (proxy, 8) == 0 ? proxy_random (proxy, 2 * MiB) : G_MAXUINT64 };
  thread = g_thread_new ("flaky-pump", pump, &there);
  pump (&back);
  g_thread_join (thread);
  return TRUE;
}

static FlakyProxy *
flaky_proxy_new (guint16 upstream,
                 guint32 seed)
{
  FlakyProxy *proxy = g_new0 (FlakyProxy, 1);

  g_mutex_init (&proxy->mutex);
  proxy->rand = g_rand_new_with_seed (seed);
  proxy->upstream = upstream;
  proxy->service = ferry_test_loopback_service_new (64, &proxy->port);
  g_signal_connect (proxy->service, "run", G_CALLBACK (on_proxy_run), proxy);
  g_socket_service_start (proxy->service);
  return proxy;
}

static void
flaky_proxy_free (FlakyProxy *proxy)
{
  g_atomic_int_set (&proxy->stopping, TRUE);
  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  /* Pumps end at their next read; a threaded service waits for its handlers. */
  g_object_unref (proxy->service);
  g_rand_free (proxy->rand);
  g_mutex_clear (&proxy->mutex);
  g_free (proxy);
}

static guint16
port_of (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);

  return (guint16) g_uri_get_port (parsed);
}

static void
log_states (Fixture *f)
{
  for (guint i = 0; i < f->items->len; i++)
    {
      Item *item = g_ptr_array_index (f->items, i);
      g_autoptr(FerryTransfer1) t = ferry_test_daemon_transfer (f->daemon, item->object_path);

      g_test_message ("%s: %s, %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT ", attempts %u, %s",
                      item->name, ferry_transfer1_get_state (t), ferry_transfer1_get_bytes_done (t),
                      item->size, ferry_transfer1_get_attempts (t), ferry_transfer1_get_error (t));
    }
}

/* Downloads and uploads through a proxy that resets, stalls and slices: each ends with the
 * exact bytes, however many attempts it took. */
static void
test_flaky_network (Fixture       *f,
                    gconstpointer  data)
{
  guint n_downloads = is_long () ? 20 : 6;
  guint n_uploads = is_long () ? 5 : 2;
  g_autofree char *server_uri = ferry_test_server_uri (f->server, "/");
  g_autofree char *upload_uri = ferry_test_upload_server_uri (f->uploads, "/");
  FlakyProxy *down = flaky_proxy_new (port_of (server_uri), g_rand_int (f->rand));
  FlakyProxy *up = flaky_proxy_new (port_of (upload_uri), g_rand_int (f->rand));
  guint corrupted = 0, lost = 0;

  for (guint i = 0; i < n_downloads + n_uploads; i++)
    {
      Item *item = g_new0 (Item, 1);
      g_autoptr(GError) error = NULL;
      g_autofree char *uri = NULL;

      item->upload = i >= n_downloads;
      item->size = pick_size (f, is_long () ? 64 * MiB : 8 * MiB);
      item->content = ferry_test_make_content (item->size, 4000 + i);
      item->identifier = g_strdup_printf ("f%u", i);
      if (!item->upload)
        {
          g_autofree char *etag = g_strdup_printf ("\"f%u\"", i);

          item->name = g_strdup_printf ("/f/file-%02u.bin", i);
          ferry_test_server_add_file (f->server, item->name, item->content, etag);
          uri = g_strdup_printf ("http://127.0.0.1:%u%s", down->port, item->name);
          item->object_path = ferry_test_daemon_add (f->daemon, uri,
                                                     options (item->identifier, NULL, NULL),
                                                     &error);
        }
      else
        {
          g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
          int fd;

          item->name = g_strdup_printf ("/plain/flaky-%02u", i);
          item->plain = i % 2 == 1;
          item->source = g_build_filename (g_get_user_data_dir (), item->name + strlen ("/plain/"),
                                           NULL);
          g_assert_true (g_file_set_contents (item->source, g_bytes_get_data (item->content, NULL),
                                              (gssize) item->size, NULL));
          uri = g_strdup_printf ("http://127.0.0.1:%u%s", up->port,
                                 item->plain ? item->name : "/ietf");
          fd = open (item->source, O_RDONLY | O_CLOEXEC);
          g_unix_fd_list_append (fds, fd, NULL);
          close (fd);
          ferry_manager1_call_add_upload_sync (f->daemon->manager, uri, g_variant_new_handle (0),
                                               options (item->identifier, "method",
                                                        g_variant_new_string ("PUT")),
                                               fds, &item->object_path, NULL, NULL, &error);
        }
      g_assert_no_error (error);
      g_ptr_array_add (f->items, item);
    }

  /* What has not ended by then counts as lost. */
  if (!ferry_test_wait_until (all_ended, f, is_long () ? 900000 : 180000))
    log_states (f);

  for (guint i = 0; i < f->items->len; i++)
    {
      Verdict verdict = judge_item (f, g_ptr_array_index (f->items, i));

      lost += verdict == ITEM_LOST;
      corrupted += verdict == ITEM_CORRUPTED;
    }

  g_test_message ("| flaky network (%s) | %u down + %u up | %d resets, %d stalls, all "
                  "traffic sliced | %u lost | %u corrupted |",
                  is_long () ? "long" : "short", n_downloads, n_uploads,
                  g_atomic_int_get (&down->resets) + g_atomic_int_get (&up->resets),
                  g_atomic_int_get (&down->stalls) + g_atomic_int_get (&up->stalls), lost,
                  corrupted);
  flaky_proxy_free (down);
  flaky_proxy_free (up);
  g_assert_cmpuint (lost, ==, 0);
  g_assert_cmpuint (corrupted, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/soak/kill-and-power-loss", Fixture, NULL, fixture_setup, test_soak,
              fixture_teardown);
  g_test_add ("/soak/flaky-network", Fixture, NULL, fixture_setup, test_flaky_network,
              fixture_teardown);

  return g_test_run ();
}
