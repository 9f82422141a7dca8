/* test-abuse.c: 10,000 malformed or hostile D-Bus calls — each answered with an error,
 * ferryd still up afterwards (the same process), and nothing of them stored
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ferry-test-daemon.h"

#define CALLS 10000
#define MANAGER "io.github.ferryhq.Ferry.Manager1"
#define TRANSFER "io.github.ferryhq.Ferry.Transfer1"

typedef struct
{
  FerryTestDaemon *daemon;
  GRand *rand;
  char *outside_link;
  char *dangling_link;
  char *loop_link;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *dir = NULL;

  /* Calls that GDBus refuses before they reach ferryd are no activity of its own: where they
   * take longer than its inactivity timeout (a sanitized build on a loaded machine), ferryd
   * would leave in the middle, and "the same ferryd" would no longer say anything. */
  g_setenv ("FERRY_INACTIVITY_TIMEOUT_MSEC", "3600000", TRUE);
  f->daemon = ferry_test_daemon_new ();
  g_unsetenv ("FERRY_INACTIVITY_TIMEOUT_MSEC");
  f->rand = g_rand_new_with_seed (20261121);

  dir = g_build_filename (g_get_user_data_dir (), "links", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  f->outside_link = g_build_filename (dir, "to-missing", NULL);
  f->dangling_link = g_build_filename (dir, "dangling", NULL);
  f->loop_link = g_build_filename (dir, "loop", NULL);
  g_assert_cmpint (symlink ("/nonexistent/ferry/outside", f->outside_link), ==, 0);
  g_assert_cmpint (symlink ("dangling-target", f->dangling_link), ==, 0);
  g_assert_cmpint (symlink (f->loop_link, f->loop_link), ==, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_rand_free (f->rand);
  g_free (f->outside_link);
  g_free (f->dangling_link);
  g_free (f->loop_link);
}

/* Random valid UTF-8 of @length characters, with control characters, bidi overrides and
 * path separators among them. */
static char *
random_text (GRand *rand,
             guint  length)
{
  static const gunichar specials[] = { '/', '\\', '.', '\r', '\n', '\t', 0x7f, 0x202e, 0x200b,
                                       0xfeff, ':', '%', '"', '\'', ' ', 0x1 };
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < length; i++)
    {
      gunichar c;

      if (g_rand_int_range (rand, 0, 4) == 0)
        c = specials[g_rand_int_range (rand, 0, G_N_ELEMENTS (specials))];
      else
        c = (gunichar) g_rand_int_range (rand, 0x20, 0x7f);
      g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static GVariant *
huge_headers (guint count)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *name = g_strdup_printf ("X-Header-%u", i);

      g_variant_builder_add (&builder, "{ss}", name, "v");
    }
  return g_variant_builder_end (&builder);
}

static GVariant *
single_option (const char *key,
               GVariant   *value)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, key, value);
  return g_variant_dict_end (&dict);
}

/* Call number @i: the method, the object and its arguments. */
static void
hostile_call (Fixture      *f,
              guint         i,
              const char  **out_path,
              const char  **out_interface,
              const char  **out_method,
              GVariant    **out_args)
{
  GRand *rand = f->rand;
  g_autofree char *text = random_text (rand, (guint) g_rand_int_range (rand, 0, 200));
  const char *good_uri = "http://127.0.0.1:9/file";

  *out_path = FERRY_DAEMON_PATH;
  *out_interface = MANAGER;
  *out_method = "AddDownload";

  switch (i % 20)
    {
    case 0:   /* random text as an address */
      *out_args = g_variant_new ("(s@a{sv})", text, single_option ("paused", g_variant_new_boolean (TRUE)));
      break;
    case 1:   /* an address of 1 MiB (rarely: they are big) or of 9,000 bytes */
      {
        gsize n = i % 1000 == 1 ? 1024 * 1024 : 9000;
        g_autofree char *uri = g_strnfill (n, 'a');

        memcpy (uri, "http://", 7);
        *out_args = g_variant_new ("(s@a{sv})", uri, single_option ("paused", g_variant_new_boolean (TRUE)));
      }
      break;
    case 2:   /* path traversal and worse in the file name */
      {
        static const char *const names[] = { "../../etc/passwd", "/etc/passwd", "..", ".", "",
                                             "a/b", "\xe2\x80\xae" "gnp.exe", "-rf", ".bashrc" };

        *out_args = g_variant_new ("(s@a{sv})", good_uri,
                                   single_option ("filename", g_variant_new_string (names[i / 20 % G_N_ELEMENTS (names)])));
      }
      break;
    case 3:   /* random text with a control character as a file name */
      {
        g_autofree char *name = g_strconcat (text, "\n", NULL);

        *out_args = g_variant_new ("(s@a{sv})", good_uri, single_option ("filename", g_variant_new_string (name)));
      }
      break;
    case 4:   /* 10,000 headers (rarely), or headers that smuggle lines */
      if (i % 1000 == 4)
        *out_args = g_variant_new ("(s@a{sv})", good_uri, single_option ("headers", huge_headers (10000)));
      else
        {
          GVariantBuilder h;

          g_variant_builder_init (&h, G_VARIANT_TYPE ("a{ss}"));
          g_variant_builder_add (&h, "{ss}", i % 3 ? "X-Evil\r\nHost" : "Range", i % 3 ? "x" : "bytes=0-");
          g_variant_builder_add (&h, "{ss}", "X-Value", "a\r\nInjected: 1");
          *out_args = g_variant_new ("(s@a{sv})", good_uri, single_option ("headers", g_variant_builder_end (&h)));
        }
      break;
    case 5:   /* destinations that are not writable folders */
      {
        const char *const dirs[] = { f->outside_link, f->dangling_link, f->loop_link, "relative/dir",
                                     "/proc/1", "/etc/passwd", "", "/nonexistent" };

        *out_args = g_variant_new ("(s@a{sv})", good_uri,
                                   single_option ("destination", g_variant_new_string (dirs[i / 20 % G_N_ELEMENTS (dirs)])));
      }
      break;
    case 6:   /* options of the wrong type */
      {
        static const char *const keys[] = { "paused", "priority", "earliest-begin", "headers",
                                            "destination", "notify", "rate-limit", "session" };

        *out_args = g_variant_new ("(s@a{sv})", good_uri,
                                   single_option (keys[i / 20 % G_N_ELEMENTS (keys)], g_variant_new_double (1.5)));
      }
      break;
    case 7:   /* unknown options, and upload-only ones */
      *out_args = g_variant_new ("(s@a{sv})", good_uri,
                                 single_option (i % 2 ? text : "method", g_variant_new_string ("PUT")));
      if (*text == '\0')
        {
          g_variant_unref (g_variant_ref_sink (*out_args));
          *out_args = g_variant_new ("(s@a{sv})", good_uri, single_option ("protocol", g_variant_new_string ("tus")));
        }
      break;
    case 8:   /* values out of range */
      *out_args = g_variant_new ("(s@a{sv})", good_uri,
                                 i % 3 == 0 ? single_option ("earliest-begin", g_variant_new_int64 ((gint64) -1 - (gint64) g_rand_int (rand)))
                                 : i % 3 == 1 ? single_option ("earliest-begin", g_variant_new_int64 (G_MAXINT64))
                                 : single_option ("sha256", g_variant_new_string (text)));
      break;
    case 9:   /* a session or identifier of 100 KiB */
      {
        g_autofree char *big = g_strnfill (100 * 1024, 's');

        *out_args = g_variant_new ("(s@a{sv})", good_uri,
                                   single_option (i % 2 ? "session" : "identifier", g_variant_new_string (big)));
      }
      break;
    case 10:  /* the wrong signature altogether */
      *out_args = i % 2 ? g_variant_new ("(s)", good_uri) : g_variant_new ("(ii)", 1, 2);
      break;
    case 11:  /* not http */
      {
        static const char *const uris[] = { "ftp://example.org/x", "file:///etc/passwd", "javascript:alert(1)",
                                            "http://", "http:///path", "data:,x", "gopher://x" };

        *out_args = g_variant_new ("(s@a{sv})", uris[i / 20 % G_N_ELEMENTS (uris)],
                                   single_option ("paused", g_variant_new_boolean (TRUE)));
      }
      break;
    case 12:  /* uploads without a descriptor, or with a handle that points nowhere */
      *out_method = "AddUpload";
      *out_args = g_variant_new ("(sh@a{sv})", good_uri, (gint32) g_rand_int_range (rand, -5, 100),
                                 single_option ("method", g_variant_new_string ("PUT")));
      break;
    case 13:  /* upload options of the wrong kind */
      *out_method = "AddUpload";
      *out_args = g_variant_new ("(sh@a{sv})", good_uri, 0,
                                 single_option ("protocol", g_variant_new_string (text)));
      break;
    case 14:  /* transfers that do not exist */
      {
        static const char *const methods[] = { "Pause", "Resume", "Cancel" };

        *out_path = FERRY_DAEMON_PATH "/transfers/2147483647";
        *out_interface = TRANSFER;
        *out_method = methods[i / 20 % G_N_ELEMENTS (methods)];
        *out_args = NULL;
      }
      break;
    case 15:
      *out_path = FERRY_DAEMON_PATH "/transfers/0";
      *out_interface = TRANSFER;
      *out_method = "Remove";
      *out_args = g_variant_new ("(b)", TRUE);
      break;
    case 16:  /* methods that do not exist, on objects that do not exist */
      *out_method = i % 2 ? "Frobnicate" : "AddDownloads";
      *out_args = NULL;
      break;
    case 17:
      *out_path = i % 2 ? "/io/github/ferryhq/Ferry/Daemon/transfers/_2e_2e_2fetc" : "/";
      *out_args = g_variant_new ("(s@a{sv})", good_uri, single_option ("paused", g_variant_new_boolean (TRUE)));
      break;
    case 18:  /* listing another session, and Update with what it refuses */
      if (i % 2)
        {
          *out_path = FERRY_DAEMON_PATH "/transfers/1";
          *out_interface = TRANSFER;
          *out_method = "Update";
          *out_args = g_variant_new ("(@a{sv})", single_option ("uri", g_variant_new_string (text)));
        }
      else
        {
          *out_method = "ListTransfers";
          *out_args = g_variant_new ("(i)", 5);
        }
      break;
    case 19:  /* NUL bytes can only come as bytes: a file name as ay */
    default:
      *out_args = g_variant_new ("(s@a{sv})", good_uri,
                                 single_option ("filename", g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE,
                                                                                       "a\0b/../c", 8, 1)));
      break;
    }
}

static void
test_abuse (Fixture       *f,
            gconstpointer  data)
{
  g_auto(GStrv) before = NULL;
  g_auto(GStrv) after = NULL;
  /* Each of the 20 kinds of call 100 times where the sanitizers make every call many times
   * slower, 500 times otherwise. */
  guint calls = g_getenv ("FERRY_TEST_SANITIZED") != NULL ? CALLS / 5 : CALLS;
  GPid pid;
  guint errors = 0;

  /* Start ferryd, and note which process it is. */
  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &before, NULL,
                                                          NULL));
  g_assert_cmpuint (g_strv_length (before), ==, 0);
  pid = ferry_test_daemon_pid (f->daemon);

  for (guint i = 0; i < calls; i++)
    {
      const char *path, *interface, *method;
      GVariant *args = NULL;
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GError) error = NULL;

      hostile_call (f, i, &path, &interface, &method, &args);
      if (args != NULL)
        g_variant_ref_sink (args);
      reply = g_dbus_connection_call_sync (f->daemon->connection, "io.github.ferryhq.Ferry.Daemon",
                                           path, interface, method, args, NULL,
                                           G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, &error);
      if (reply != NULL)
        {
          g_autofree char *printed = args ? g_variant_print (args, FALSE) : g_strdup ("()");

          g_test_message ("Call %u (%s.%s) was accepted: %.200s", i, interface, method, printed);
        }
      g_clear_pointer (&args, g_variant_unref);
      g_assert_null (reply);
      g_assert_nonnull (error);
      /* Answered, not timed out or dropped. */
      g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
      g_assert_false (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY));
      g_assert_false (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN));
      g_assert_false (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER));
      errors++;
    }

  g_test_message ("%u calls, %u errors", calls, errors);
  g_assert_cmpuint (errors, ==, calls);

  /* The same ferryd, and nothing stored. */
  g_assert_cmpint (ferry_test_daemon_pid (f->daemon), ==, pid);
  g_assert_true (ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &after, NULL,
                                                          NULL));
  g_assert_cmpuint (g_strv_length (after), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/abuse/ten-thousand-calls", Fixture, NULL, fixture_setup, test_abuse,
              fixture_teardown);

  return g_test_run ();
}
