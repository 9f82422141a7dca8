/* test-browser-host.c: the native host's framing and checks, as a browser would meet them
 *
 * The host runs as the browser runs it, with a pipe on stdin and stdout. Whatever arrives,
 * the answer is a framed JSON message with a sentence, and the host does not crash; the
 * last cases go through to the real ferryd on a private bus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ferry-test-daemon.h"

#define BROWSER_SESSION "io.github.ferryhq.Ferry.Browser"

typedef struct
{
  int status;
  GPtrArray *answers;  /* JsonObject */
  char *err;
} HostRun;

static void
host_run_clear (HostRun *run)
{
  g_clear_pointer (&run->answers, g_ptr_array_unref);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HostRun, host_run_clear)

static GBytes *
frame (const char *json)
{
  guint32 length = strlen (json);
  GByteArray *bytes = g_byte_array_new ();

  g_byte_array_append (bytes, (const guint8 *) &length, sizeof length);
  g_byte_array_append (bytes, (const guint8 *) json, length);
  return g_byte_array_free_to_bytes (bytes);
}

/* Feeds @input to a new host and collects every framed answer until it exits. */
static void
run_host (GBytes  *input,
          HostRun *run)
{
  g_autofree char *host = g_build_filename (g_getenv ("FERRY_BROWSER_HOST_DIR"),
                                            "ferry-browser-host", NULL);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize size;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, host,
                           "chrome-extension://jeegplecchiiklpkmdpnpffeencojgfm/", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate (proc, input, NULL, &out, &err, &error));
  g_assert_no_error (error);

  /* Exiting is fine; a signal is a crash. */
  g_assert_true (g_subprocess_get_if_exited (proc));
  run->status = g_subprocess_get_exit_status (proc);
  run->err = g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err));
  run->answers = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  data = g_bytes_get_data (out, &size);
  while (size > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      guint32 length;

      g_assert_cmpuint (size, >=, sizeof length);
      memcpy (&length, data, sizeof length);
      g_assert_cmpuint (length, <=, 1024 * 1024);
      g_assert_cmpuint (size - sizeof length, >=, length);
      g_assert_true (json_parser_load_from_data (parser, (const char *) data + sizeof length,
                                                 length, &error));
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      g_ptr_array_add (run->answers,
                       json_object_ref (json_node_get_object (json_parser_get_root (parser))));
      data += sizeof length + length;
      size -= sizeof length + length;
    }
}

static JsonObject *
answer (HostRun *run,
        guint    i)
{
  g_assert_cmpuint (run->answers->len, >, i);
  return run->answers->pdata[i];
}

static void
assert_refused (JsonObject *a,
                const char *part_of_sentence)
{
  g_assert_false (json_object_get_boolean_member (a, "ok"));
  g_test_message ("answer: %s", json_object_get_string_member (a, "error"));
  g_assert_nonnull (strstr (json_object_get_string_member (a, "error"), part_of_sentence));
}

/* The browser closed the pipe after 2 of the length's 4 bytes. */
static void
test_truncated_length (void)
{
  g_autoptr(GBytes) input = g_bytes_new_static ("\x05\x00", 2);
  g_auto(HostRun) run = { 0, };

  run_host (input, &run);
  g_assert_cmpuint (run.answers->len, ==, 1);
  assert_refused (answer (&run, 0), "length was cut short: 2 of 4 bytes");
  g_assert_cmpint (run.status, ==, 1);
}

static void
test_truncated_body (void)
{
  guint32 length = 100;
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GBytes) input = NULL;
  g_auto(HostRun) run = { 0, };

  g_byte_array_append (bytes, (const guint8 *) &length, sizeof length);
  g_byte_array_append (bytes, (const guint8 *) "{\"type\":", 8);
  input = g_byte_array_free_to_bytes (g_steal_pointer (&bytes));

  run_host (input, &run);
  g_assert_cmpuint (run.answers->len, ==, 1);
  assert_refused (answer (&run, 0), "cut short: 8 of 100 bytes");
  g_assert_cmpint (run.status, ==, 1);
}

/* More than 1 MiB is refused, and the next message is still read in step. */
static void
test_too_large (void)
{
  gsize big = 1024 * 1024 + 1;
  guint32 length = big;
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GBytes) next = frame ("{\"id\":7,\"type\":\"no-such-request\"}");
  g_autofree char *filler = g_malloc (big);
  g_autoptr(GBytes) input = NULL;
  g_auto(HostRun) run = { 0, };

  memset (filler, 'a', big);
  g_byte_array_append (bytes, (const guint8 *) &length, sizeof length);
  g_byte_array_append (bytes, (const guint8 *) filler, big);
  g_byte_array_append (bytes, g_bytes_get_data (next, NULL), g_bytes_get_size (next));
  input = g_byte_array_free_to_bytes (g_steal_pointer (&bytes));

  run_host (input, &run);
  g_assert_cmpuint (run.answers->len, ==, 2);
  assert_refused (answer (&run, 0), "1048577 bytes is more than Ferry accepts");
  g_assert_cmpint (json_object_get_int_member (answer (&run, 1), "id"), ==, 7);
  assert_refused (answer (&run, 1), "does not know the request “no-such-request”");
  g_assert_cmpint (run.status, ==, 0);
}

/* Each bad message gets its own answer, in order, and the host reads on. */
static void
test_bad_messages (void)
{
  static const struct
  {
    const char *message;
    const char *refusal;
  } cases[] = {
    { "not json", "not valid JSON" },
    { "[1, 2]", "must be a JSON object" },
    { "{\"id\": 1.5, \"type\": \"list\"}", "“id” must be a whole number or a string" },
    { "{\"id\": 2}", "has no “type”" },
    { "{\"id\": 3, \"type\": 5}", "“type” must be a string" },
    { "{\"id\": 4, \"type\": \"add\"}", "has no “url”" },
    { "{\"id\": 5, \"type\": \"add\", \"url\": 5}", "“url” must be a string" },
    { "{\"id\": 6, \"type\": \"add\", \"url\": \"file:///etc/passwd\"}",
      "only http and https links, not file links" },
    { "{\"id\": 7, \"type\": \"add\", \"url\": \"javascript:alert(1)\"}",
      "not javascript links" },
    { "{\"id\": 8, \"type\": \"add\", \"url\": \"http://u:p@127.0.0.1/\"}",
      "user name or password" },
    { "{\"id\": 9, \"type\": \"add\", \"url\": \"http://127.0.0.1/\", \"cookies\": [\"a\"]}",
      "“cookies” must be a string" },
    { "{\"id\": 10, \"type\": \"add\", \"url\": \"http://127.0.0.1/\", "
      "\"cookies\": \"a=b\\r\\nX-Evil: 1\"}", "“cookies” contains a control character" },
    { "{\"id\": 11, \"type\": \"add\", \"url\": \"http://127.0.0.1/\", "
      "\"filename\": \"../../.bashrc\"}", "without folders" },
    { "{\"id\": 12, \"type\": \"add\", \"url\": \"http://127.0.0.1/\", "
      "\"referrer\": \"ftp://x/\"}", "not ftp links" },
    { "{\"id\": 13, \"type\": \"pause\", \"transfer\": -1}", "“transfer” must be a whole number" },
    { "{\"id\": 14, \"type\": \"pause\", \"transfer\": \"1\"}", "“transfer” must be a whole number" },
    { "{\"id\": 15, \"type\": \"find\", \"filename\": \"a.iso\"}", "has no “size”" },
    { "{\"id\": \"s\", \"type\": \"continue\", \"transfer\": 1}", "has no “url”" },
  };
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GBytes) input = NULL;
  g_auto(HostRun) run = { 0, };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) one = frame (cases[i].message);

      g_byte_array_append (bytes, g_bytes_get_data (one, NULL), g_bytes_get_size (one));
    }
  input = g_byte_array_free_to_bytes (g_steal_pointer (&bytes));

  run_host (input, &run);
  g_assert_cmpuint (run.answers->len, ==, G_N_ELEMENTS (cases));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_refused (answer (&run, i), cases[i].refusal);
  g_assert_cmpstr (json_object_get_string_member (answer (&run, 17), "id"), ==, "s");
  g_assert_cmpint (run.status, ==, 0);
}

/* Through to ferryd: the link is added in the browser's session with the cookie, referrer
 * and user agent as headers; the cookie never shows in the host's output; the host acts
 * on its own transfers only. */
static void
test_add_and_control (void)
{
  g_autoptr(FerryTestDaemon) daemon = ferry_test_daemon_new ();
  g_autoptr(GBytes) add = frame ("{\"id\": 1, \"type\": \"add\", "
                                 "\"url\": \"http://127.0.0.1:9/never/report.pdf?sig=s1gn3d\", "
                                 "\"cookies\": \"session=hunter2-secret\", "
                                 "\"referrer\": \"http://127.0.0.1:9/page\", "
                                 "\"user_agent\": \"Mozilla/5.0 Test\", "
                                 "\"filename\": \"report.pdf\"}");
  g_auto(HostRun) run = { 0, };
  g_auto(HostRun) second = { 0, };
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GBytes) input = NULL;
  g_autoptr(FerryTransfer1) transfer = NULL;
  g_autoptr(FerryTransfer1) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *other_path = NULL;
  g_autofree char *pause = NULL;
  g_autofree char *foreign = NULL;
  g_autofree char *find = NULL;
  JsonObject *t;
  guint64 id;

  run_host (add, &run);
  g_assert_cmpuint (run.answers->len, ==, 1);
  g_assert_true (json_object_get_boolean_member (answer (&run, 0), "ok"));
  t = json_object_get_object_member (answer (&run, 0), "transfer");
  id = json_object_get_int_member (t, "id");
  g_assert_cmpstr (json_object_get_string_member (t, "name"), ==, "report.pdf");
  g_assert_null (strstr (run.err, "hunter2"));
  g_assert_null (strstr (run.err, "s1gn3d"));

  path = g_strdup_printf ("/io/github/ferryhq/Ferry/Daemon/transfers/%" G_GUINT64_FORMAT, id);
  transfer = ferry_test_daemon_transfer (daemon, path);
  g_assert_cmpstr (ferry_transfer1_get_session (transfer), ==, BROWSER_SESSION);
  g_assert_cmpstr (ferry_transfer1_get_uri (transfer), ==,
                   "http://127.0.0.1:9/never/report.pdf?sig=s1gn3d");

  /* A transfer someone else added is not the browser's to touch. */
  other_path = ferry_test_daemon_add (daemon, "http://127.0.0.1:9/other.iso",
                                      g_variant_new_parsed ("{'paused': <true>}"), &error);
  g_assert_no_error (error);
  other = ferry_test_daemon_transfer (daemon, other_path);

  pause = g_strdup_printf ("{\"id\": 1, \"type\": \"pause\", \"transfer\": %" G_GUINT64_FORMAT
                           "}", id);
  foreign = g_strdup_printf ("{\"id\": 2, \"type\": \"resume\", \"transfer\": %"
                             G_GUINT64_FORMAT "}", ferry_transfer1_get_id (other));
  find = g_strdup ("{\"id\": 3, \"type\": \"find\", \"filename\": \"other.iso\", "
                   "\"size\": 0}");
  for (guint i = 0; i < 4; i++)
    {
      const char *m = (const char *[]) { pause, foreign, find,
                                         "{\"id\": 4, \"type\": \"list\"}" }[i];
      g_autoptr(GBytes) one = frame (m);

      g_byte_array_append (bytes, g_bytes_get_data (one, NULL), g_bytes_get_size (one));
    }
  input = g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
  run_host (input, &second);
  g_assert_cmpuint (second.answers->len, ==, 4);
  g_assert_true (json_object_get_boolean_member (answer (&second, 0), "ok"));
  g_assert_true (ferry_test_wait_state (transfer, "paused", 30000));
  assert_refused (answer (&second, 1), "was not handed over from the browser");
  g_assert_cmpstr (ferry_transfer1_get_state (other), ==, "paused");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (answer (&second, 2), "match")));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer (&second, 3),
                                                                         "transfers")), ==, 1);
}

/* The per-user manifests name this host and only Ferry's extension, in each browser's folder. */
static void
test_install_for_user (void)
{
  g_autofree char *host = g_build_filename (g_getenv ("FERRY_BROWSER_HOST_DIR"),
                                            "ferry-browser-host", NULL);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  const struct
  {
    const char *dir;
    const char *member;
    const char *allowed;
  } places[] = {
    { ".mozilla/native-messaging-hosts", "allowed_extensions", "browser@ferryhq.github.io" },
    { ".config/chromium/NativeMessagingHosts", "allowed_origins",
      "chrome-extension://jeegplecchiiklpkmdpnpffeencojgfm/" },
    { ".config/google-chrome/NativeMessagingHosts", "allowed_origins",
      "chrome-extension://jeegplecchiiklpkmdpnpffeencojgfm/" },
  };

  g_autofree char *config = g_build_filename (g_get_home_dir (), ".config", NULL);

  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, host, "--install-for-user", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (proc, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      g_autofree char *path = g_build_filename (g_get_home_dir (), places[i].dir,
                                                "io.github.ferryhq.ferry.json", NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *manifest;
      JsonArray *allowed;

      g_assert_true (json_parser_load_from_file (parser, path, &error));
      g_assert_no_error (error);
      manifest = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (manifest, "name"), ==,
                       "io.github.ferryhq.ferry");
      g_assert_cmpstr (json_object_get_string_member (manifest, "type"), ==, "stdio");
      {
        g_autoptr(GFile) named = g_file_new_for_path (json_object_get_string_member (manifest,
                                                                                     "path"));
        g_autoptr(GFile) built = g_file_new_for_path (host);

        g_assert_true (g_file_equal (named, built));
      }
      allowed = json_object_get_array_member (manifest, places[i].member);
      g_assert_cmpuint (json_array_get_length (allowed), ==, 1);
      g_assert_cmpstr (json_array_get_string_element (allowed, 0), ==, places[i].allowed);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* The cases before the first bus run the host with GSubprocess, which starts threads. */
  ferry_test_fork_bus_watcher ();

  g_test_add_func ("/browser-host/truncated-length", test_truncated_length);
  g_test_add_func ("/browser-host/truncated-body", test_truncated_body);
  g_test_add_func ("/browser-host/too-large", test_too_large);
  g_test_add_func ("/browser-host/bad-messages", test_bad_messages);
  g_test_add_func ("/browser-host/add-and-control", test_add_and_control);
  g_test_add_func ("/browser-host/install-for-user", test_install_for_user);

  return g_test_run ();
}
