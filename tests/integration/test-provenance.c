/* test-provenance.c: a completed download says where it came from — user.xdg.origin.url and
 * user.xdg.referrer.url on the file, without the credentials and query secrets that any
 * program of the user could read there — unless the setting says not to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/xattr.h>

#include <glib/gstdio.h>

#include "ferry-test-daemon.h"
#include "ferry-test-server.h"

typedef struct
{
  FerryTestDaemon *daemon;
  FerryTestServer *server;
} Fixture;

/* @data: settings lines for ferryd, or NULL. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  if (data != NULL)
    ferry_test_write_settings (data);
  f->server = ferry_test_server_new ();
  f->daemon = ferry_test_daemon_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_server_free);
}

/* Whether files in the download folder can carry user extended attributes (ext4 and
 * btrfs can; tmpfs only from Linux 6.6, overlayfs depends on what lies under it). */
static gboolean
folder_has_user_xattrs (Fixture *f)
{
  g_autofree char *probe = g_build_filename (f->daemon->download_dir, ".xattr-probe", NULL);
  gboolean ok;

  g_assert_true (g_file_set_contents (probe, "", 0, NULL));
  ok = setxattr (probe, "user.ferry.probe", "1", 1, 0) == 0;
  g_unlink (probe);
  return ok;
}

#define REQUIRE_XATTRS(f)                                                               \
  G_STMT_START {                                                                        \
    if (!folder_has_user_xattrs (f))                                                    \
      {                                                                                 \
        g_test_skip ("The test folder's file system keeps no user extended attributes"); \
        return;                                                                         \
      }                                                                                 \
  } G_STMT_END

/* The attribute @name of @path, or NULL when it has none. */
static char *
get_xattr (const char *path,
           const char *name)
{
  char value[4096];
  ssize_t n = getxattr (path, name, value, sizeof value - 1);

  if (n < 0)
    {
      g_assert_cmpint (errno, ==, ENODATA);
      return NULL;
    }
  value[n] = '\0';
  return g_strdup (value);
}

static FerryTransfer1 *
download (Fixture    *f,
          GBytes     *content,
          const char *referer)
{
  g_autofree char *plain = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  GVariantDict dict;
  GVariantBuilder headers;

  ferry_test_server_add_file (f->server, "/report.pdf", content, "\"r\"");
  plain = ferry_test_server_uri (f->server, "/report.pdf");
  g_assert_true (g_str_has_prefix (plain, "http://"));
  /* Credentials, a signed link's token and a fragment: none may reach the attributes. */
  uri = g_strdup_printf ("http://alice:s3cret@%s?X-Amz-Signature=deadbeef&token=t0k#page=2",
                         plain + strlen ("http://"));

  g_variant_dict_init (&dict, NULL);
  if (referer != NULL)
    {
      g_variant_builder_init (&headers, G_VARIANT_TYPE ("a{ss}"));
      g_variant_builder_add (&headers, "{ss}", "Referer", referer);
      g_variant_dict_insert_value (&dict, "headers", g_variant_builder_end (&headers));
    }
  path = ferry_test_daemon_add (f->daemon, uri, g_variant_dict_end (&dict), &error);
  g_assert_no_error (error);
  return ferry_test_daemon_transfer (f->daemon, path);
}

static void
assert_sha256 (FerryTransfer1 *t,
               GBytes         *content)
{
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *got = ferry_test_sha256_file (ferry_transfer1_get_destination (t));

  g_assert_cmpstr (got, ==, want);
}

static void
test_origin_and_referrer (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (200 * 1024, 301);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autofree char *want_origin = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *referrer = NULL;

  REQUIRE_XATTRS (f);
  t = download (f, content, "https://bob:hunter2@news.example.org/article?session=abc#top");
  g_assert_true (ferry_test_wait_state (t, "completed", 30000));
  assert_sha256 (t, content);

  want_origin = ferry_test_server_uri (f->server, "/report.pdf");
  origin = get_xattr (ferry_transfer1_get_destination (t), "user.xdg.origin.url");
  referrer = get_xattr (ferry_transfer1_get_destination (t), "user.xdg.referrer.url");
  g_assert_cmpstr (origin, ==, want_origin);
  g_assert_cmpstr (referrer, ==, "https://news.example.org/article");
}

/* No Referer from the caller: no referrer attribute, and the origin still. */
static void
test_origin_only (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 302);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *referrer = NULL;

  REQUIRE_XATTRS (f);
  t = download (f, content, NULL);
  g_assert_true (ferry_test_wait_state (t, "completed", 30000));
  assert_sha256 (t, content);

  origin = get_xattr (ferry_transfer1_get_destination (t), "user.xdg.origin.url");
  referrer = get_xattr (ferry_transfer1_get_destination (t), "user.xdg.referrer.url");
  g_assert_nonnull (origin);
  g_assert_null (strstr (origin, "s3cret"));
  g_assert_null (strchr (origin, '?'));
  g_assert_null (referrer);
}

/* record-origin=false: the file carries no provenance at all. */
static void
test_setting_off (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 303);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *referrer = NULL;

  REQUIRE_XATTRS (f);
  t = download (f, content, "https://news.example.org/article");
  g_assert_true (ferry_test_wait_state (t, "completed", 30000));
  assert_sha256 (t, content);

  origin = get_xattr (ferry_transfer1_get_destination (t), "user.xdg.origin.url");
  referrer = get_xattr (ferry_transfer1_get_destination (t), "user.xdg.referrer.url");
  g_assert_null (origin);
  g_assert_null (referrer);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/provenance/origin-and-referrer", Fixture, NULL, fixture_setup,
              test_origin_and_referrer, fixture_teardown);
  g_test_add ("/provenance/origin-only", Fixture, NULL, fixture_setup, test_origin_only,
              fixture_teardown);
  g_test_add ("/provenance/setting-off", Fixture, "record-origin=false\n", fixture_setup,
              test_setting_off, fixture_teardown);

  return g_test_run ();
}
