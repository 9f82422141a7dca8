/* test-retry.c: retries that tell the truth — a server's Retry-After honoured to the second
 * and kept when the network comes back, WaitReasons that list every blocker — and the
 * header values and client service files the D-Bus API promises to take
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ferry-error.h"
#include "ferry-test-daemon.h"
#include "ferry-test-listener.h"
#include "ferry-test-server.h"
#include "ferry-test-system.h"

#define MiB (1024 * 1024)

typedef struct
{
  FerryTestSystem *system;     /* only for the tests that need NetworkManager */
  FerryTestDaemon *daemon;
  FerryTestServer *server;
  FerryTestServer *other;      /* a second server, for the tests that need one */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = ferry_test_server_new ();
  f->daemon = ferry_test_daemon_new ();
}

/* With a fake NetworkManager: call before anything starts ferryd. */
static void
fixture_setup_system (Fixture       *f,
                      gconstpointer  data)
{
  f->system = ferry_test_system_new ();
  if (f->system == NULL)
    return;
  fixture_setup (f, data);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, ferry_test_daemon_free);
  g_clear_pointer (&f->server, ferry_test_server_free);
  g_clear_pointer (&f->other, ferry_test_server_free);
  g_clear_pointer (&f->system, ferry_test_system_free);
}

#define REQUIRE_MOCKS(f)                                                           \
  G_STMT_START {                                                                   \
    if ((f)->system == NULL)                                                       \
      {                                                                            \
        g_test_skip ("python3-dbusmock is not installed (/usr/bin/python3)");     \
        return;                                                                    \
      }                                                                            \
  } G_STMT_END

static void
assert_sha256 (FerryTransfer1 *t,
               GBytes         *content)
{
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *got = ferry_test_sha256_file (ferry_transfer1_get_destination (t));

  g_assert_cmpstr (got, ==, want);
}

static char *
reasons_string (FerryTransfer1 *t)
{
  const char *const *reasons = ferry_transfer1_get_wait_reasons (t);

  return g_strjoinv (",", (char **) (reasons ? reasons : (const char *const[]) { NULL }));
}

/* -- Header values ----------------------------------------------------------------------- */

/* A server that answers every GET with a small file and remembers the X-Title it was sent. */
typedef struct
{
  GMutex mutex;
  char *title;
  guint requests;
  GBytes *content;
} TitleServer;

static gboolean
title_server_handle (GInputStream  *in,
                     GOutputStream *out,
                     GStrv          parts,
                     GHashTable    *headers,
                     gpointer       user_data)
{
  TitleServer *s = user_data;
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 200 OK\r\n"
                                           "Content-Type: application/octet-stream\r\n"
                                           "Content-Length: %zu\r\n"
                                           "Connection: close\r\n\r\n",
                                           g_bytes_get_size (s->content));
  gsize size;
  const guint8 *data = g_bytes_get_data (s->content, &size);

  g_mutex_lock (&s->mutex);
  g_free (s->title);
  s->title = g_strdup (g_hash_table_lookup (headers, "x-title"));
  s->requests++;
  g_mutex_unlock (&s->mutex);

  /* One answer per connection: nothing stays open for the teardown to wait on. */
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
  g_output_stream_write_all (out, data, size, NULL, NULL, NULL);
  return FALSE;
}

static GVariant *
header_options (const char *name,
                const char *value)
{
  GVariantBuilder headers;
  GVariantDict dict;

  g_variant_builder_init (&headers, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&headers, "{ss}", name, value);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, "headers", g_variant_builder_end (&headers));
  return g_variant_dict_end (&dict);
}

/* UTF-8 text in a header value is text, not control characters; CR and LF, which would end
 * the header and let a caller write its own, stay refused. */
static void
test_utf8_header (Fixture       *f,
                  gconstpointer  data)
{
  const char *refused[] = { "a\r\nX-Injected: 1", "a\nb", "a\rb", "bell\a" };
  TitleServer s = { 0 };
  FerryTestListener *listener;
  g_autofree char *uri = NULL;
  g_autofree char *path = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) listed = NULL;

  g_mutex_init (&s.mutex);
  s.content = ferry_test_make_content (200000, 90);
  listener = ferry_test_listener_new (4, title_server_handle, &s);
  uri = g_strdup_printf ("http://127.0.0.1:%u/cafe.bin", ferry_test_listener_get_port (listener));

  path = ferry_test_daemon_add (f->daemon, uri, header_options ("X-Title", "Café — “menu”"),
                                &error);
  g_assert_no_error (error);
  t = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_true (ferry_test_wait_state (t, "completed", 30000));
  assert_sha256 (t, s.content);

  /* The server got the text as it was given, byte for byte. */
  g_mutex_lock (&s.mutex);
  g_assert_cmpuint (s.requests, ==, 1);
  g_assert_cmpstr (s.title, ==, "Café — “menu”");
  g_mutex_unlock (&s.mutex);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) refusal = NULL;
      g_autofree char *none = ferry_test_daemon_add (f->daemon, uri,
                                                     header_options ("X-Title", refused[i]),
                                                     &refusal);

      g_assert_null (none);
      g_assert_error (refusal, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (refusal->message, "control character"));
    }

  /* Nothing was added for the refused ones, and the server heard nothing more. */
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &listed, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (listed), ==, 1);
  g_mutex_lock (&s.mutex);
  g_assert_cmpuint (s.requests, ==, 1);
  g_mutex_unlock (&s.mutex);

  g_assert_true (ferry_test_listener_free (listener, "title server"));
  g_free (s.title);
  g_bytes_unref (s.content);
  g_mutex_clear (&s.mutex);
}

/* -- Retry-After ------------------------------------------------------------------------ */

/* Retry-After: 2 means two seconds after the answer, measured where it counts, at the server:
 * not "the second after next", which came as early as 1.05 s after it. */
static void
test_retry_after_exact (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (64 * 1024, 91);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  gint64 before = g_get_real_time ();
  gint64 retry_at, gap;

  ferry_test_server_add_file (f->server, "/busy", content, "\"b\"");
  ferry_test_server_queue_status (f->server, "/busy", 503, "2");
  t = ferry_test_daemon_add_from (f->daemon, f->server, "/busy", NULL);

  g_assert_true (ferry_test_wait_state (t, "waiting", 30000));
  g_assert_cmpuint (ferry_transfer1_get_http_status (t), ==, 503);
  /* The answer came after @before, so the time it names is at least two seconds after it:
   * RetryAt is rounded up, never down. */
  retry_at = ferry_transfer1_get_retry_at (t);
  g_test_message ("RetryAt is %.2f s after the request was made",
                  (double) (retry_at * G_USEC_PER_SEC - before) / G_USEC_PER_SEC);
  g_assert_cmpint (retry_at * G_USEC_PER_SEC, >=, before + 2 * G_USEC_PER_SEC);

  g_assert_true (ferry_test_wait_state (t, "completed", 30000));
  requests = ferry_test_server_get_requests (f->server, "/busy");
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_cmpuint (((FerryTestRequest *) g_ptr_array_index (requests, 0))->status, ==, 503);
  gap = ((FerryTestRequest *) g_ptr_array_index (requests, 1))->time_usec -
        ((FerryTestRequest *) g_ptr_array_index (requests, 0))->time_usec;
  g_test_message ("Asked again %.3f s after the 503", gap / 1e6);
  /* A lower bound the protocol sets, not a timing margin: load only makes the gap longer. */
  g_assert_cmpint (gap, >=, 2 * G_USEC_PER_SEC);
  assert_sha256 (t, content);
}

/* -- The network coming back ------------------------------------------------------------ */

typedef struct
{
  FerryTransfer1 *t;
  const char *reason;
} WaitReason;

static gboolean
waits_for (gpointer user_data)
{
  WaitReason *w = user_data;
  const char *const *reasons = ferry_transfer1_get_wait_reasons (w->t);

  return g_strcmp0 (ferry_transfer1_get_state (w->t), "waiting") == 0 && reasons != NULL &&
         g_strv_contains (reasons, w->reason);
}

static gboolean
wait_reason (FerryTransfer1 *t,
             const char     *reason,
             guint           timeout_ms)
{
  WaitReason w = { t, reason };
  gboolean ok = ferry_test_wait_until (waits_for, &w, timeout_ms);

  if (!ok)
    {
      g_autofree char *reasons = reasons_string (t);

      g_test_message ("Still %s (%s) after %u ms, waiting for the reason %s",
                      ferry_transfer1_get_state (t), reasons, timeout_ms, reason);
    }
  return ok;
}

typedef struct
{
  FerryTransfer1 *t;
  const char *reasons;
} WaitReasons;

static gboolean
waits_exactly (gpointer user_data)
{
  WaitReasons *w = user_data;
  g_autofree char *reasons = reasons_string (w->t);

  return g_strcmp0 (ferry_transfer1_get_state (w->t), "waiting") == 0 &&
         g_strcmp0 (reasons, w->reasons) == 0;
}

/* Waits until the transfer waits for @reasons (comma-separated) and nothing else. */
static gboolean
wait_reasons (FerryTransfer1 *t,
              const char     *reasons,
              guint           timeout_ms)
{
  WaitReasons w = { t, reasons };
  gboolean ok = ferry_test_wait_until (waits_exactly, &w, timeout_ms);

  if (!ok)
    {
      g_autofree char *now = reasons_string (t);

      g_test_message ("Still %s (%s) after %u ms, waiting for %s alone",
                      ferry_transfer1_get_state (t), now, timeout_ms, reasons);
    }
  return ok;
}

static gboolean
manager_online (gpointer user_data)
{
  return ferry_manager1_get_online (user_data);
}

static gboolean
manager_offline (gpointer user_data)
{
  return !ferry_manager1_get_online (user_data);
}

/* Ferry's own first backoff is long here (225–375 s with jitter), so a retry that comes at
 * once can only be the network coming back. */
static void
fixture_setup_long_backoff (Fixture       *f,
                            gconstpointer  data)
{
  g_setenv ("FERRY_FIRST_BACKOFF_SECONDS", "300", TRUE);
  fixture_setup_system (f, data);
  g_unsetenv ("FERRY_FIRST_BACKOFF_SECONDS");
  if (f->system != NULL)
    f->other = ferry_test_server_new ();
}

/* The connection drops after a quarter of the file: Ferry's own backoff, then a resume. */
static FerryTransfer1 *
add_flaky (Fixture    *f,
           const char *path,
           GBytes     *content)
{
  FerryTransfer1 *t;

  ferry_test_server_add_file (f->other, path, content, "\"f\"");
  ferry_test_server_set_drop (f->other, path, g_bytes_get_size (content) / 4, 1);
  t = ferry_test_daemon_add_from (f->daemon, f->other, path, NULL);
  g_assert_true (wait_reason (t, "retry", 30000));
  g_assert_cmpuint (ferry_test_server_count_requests (f->other, path), ==, 1);
  return t;
}

static void
network_off_and_on (Fixture        *f,
                    FerryTransfer1 *busy)
{
  g_autofree char *reasons = NULL;

  ferry_test_system_set_network (f->system, 20, 1);
  g_assert_true (ferry_test_wait_until (manager_offline, f->daemon->manager, 30000));
  g_assert_true (wait_reason (busy, "network", 30000));
  /* Both of what holds it back. */
  reasons = reasons_string (busy);
  g_assert_cmpstr (reasons, ==, "network,retry");

  ferry_test_system_set_network (f->system, 70, 4);
  g_assert_true (ferry_test_wait_until (manager_online, f->daemon->manager, 30000));
}

/* Back online, Ferry asks again at once where its own backoff was waiting, and not where the
 * server said when to come back: a Retry-After of 600 s stays 600 s, also when ferryd was
 * restarted in between. */
static void
test_retry_after_survives_online (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (MiB, 92);
  g_autoptr(FerryTransfer1) busy = NULL;
  g_autoptr(FerryTransfer1) flaky = NULL;
  g_autoptr(FerryTransfer1) flaky2 = NULL;
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;
  gint64 retry_at, own_retry_at, now;

  REQUIRE_MOCKS (f);
  ferry_test_server_add_file (f->server, "/busy", content, "\"b\"");
  ferry_test_server_queue_status (f->server, "/busy", 503, "600");
  busy = ferry_test_daemon_add_from (f->daemon, f->server, "/busy", NULL);
  g_assert_true (wait_reason (busy, "retry", 30000));
  g_assert_true (ferry_test_wait_until (manager_online, f->daemon->manager, 30000));
  now = g_get_real_time () / G_USEC_PER_SEC;
  retry_at = ferry_transfer1_get_retry_at (busy);
  g_assert_cmpint (retry_at, >=, now + 590);
  g_assert_cmpint (retry_at, <=, now + 601);

  flaky = add_flaky (f, "/flaky", content);
  own_retry_at = ferry_transfer1_get_retry_at (flaky);
  g_test_message ("Own backoff: %" G_GINT64_FORMAT " s", own_retry_at - now);
  g_assert_cmpint (own_retry_at, >=, now + 200);

  network_off_and_on (f, busy);

  /* The one waiting out Ferry's own backoff goes at once, from where it was. */
  g_assert_true (ferry_test_wait_state (flaky, "completed", 30000));
  assert_sha256 (flaky, content);
  g_assert_cmpuint (ferry_test_server_count_requests (f->other, "/flaky"), ==, 2);

  /* The server that said 600 s is not asked before then. */
  g_assert_cmpstr (ferry_transfer1_get_state (busy), ==, "waiting");
  g_assert_true (g_strv_contains (ferry_transfer1_get_wait_reasons (busy), "retry"));
  g_assert_cmpint (ferry_transfer1_get_retry_at (busy), ==, retry_at);
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/busy"), ==, 1);

  /* The same after a restart of ferryd while offline: what the server said was stored. */
  flaky2 = add_flaky (f, "/flaky2", content);
  ferry_test_daemon_kill (f->daemon);
  ferry_test_system_set_network (f->system, 20, 1);
  ferry_manager1_call_list_transfers_sync (f->daemon->manager, "", &paths, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (paths), ==, 3);
  g_assert_true (ferry_test_wait_until (manager_offline, f->daemon->manager, 30000));
  ferry_test_system_set_network (f->system, 70, 4);
  g_assert_true (ferry_test_wait_until (manager_online, f->daemon->manager, 30000));

  g_assert_true (ferry_test_wait_state (flaky2, "completed", 30000));
  assert_sha256 (flaky2, content);
  g_assert_cmpstr (ferry_transfer1_get_state (busy), ==, "waiting");
  g_assert_true (g_strv_contains (ferry_transfer1_get_wait_reasons (busy), "retry"));
  g_assert_cmpint (ferry_transfer1_get_retry_at (busy), ==, retry_at);
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/busy"), ==, 1);
}

/* -- Every blocker --------------------------------------------------------------------- */

static gboolean
manager_metered (gpointer user_data)
{
  return ferry_manager1_get_metered (user_data);
}

/* A transfer that may not use a metered network, on a metered network that goes away: it
 * waits for both, and says both. GLib's NetworkManager monitor reports "not metered" for no
 * network at all; that is not news about the network that was there. */
static void
test_metered_while_offline (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (300000, 93);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autofree char *reasons = NULL;
  GVariantDict dict;

  REQUIRE_MOCKS (f);
  ferry_test_system_set_metered (f->system, 1);
  ferry_test_server_add_file (f->server, "/m.bin", content, "\"m\"");
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "allow-metered", "b", FALSE);
  t = ferry_test_daemon_add_from (f->daemon, f->server, "/m.bin", g_variant_dict_end (&dict));
  g_assert_true (wait_reason (t, "metered", 30000));
  g_assert_true (ferry_test_wait_until (manager_metered, f->daemon->manager, 30000));

  ferry_test_system_set_network (f->system, 20, 1);
  g_assert_true (ferry_test_wait_until (manager_offline, f->daemon->manager, 30000));
  g_assert_true (wait_reason (t, "network", 30000));
  reasons = reasons_string (t);
  g_assert_cmpstr (reasons, ==, "network,metered");

  /* Back on the same metered network: still waiting, for that alone. */
  ferry_test_system_set_network (f->system, 70, 4);
  g_assert_true (ferry_test_wait_until (manager_online, f->daemon->manager, 30000));
  g_assert_true (wait_reasons (t, "metered", 30000));
  g_assert_cmpuint (ferry_test_server_count_requests (f->server, "/m.bin"), ==, 0);

  /* Offline again, and back on an unmetered network: what was remembered gives way to what
   * is known now, and it runs. */
  ferry_test_system_set_network (f->system, 20, 1);
  g_assert_true (wait_reason (t, "network", 30000));
  ferry_test_system_set_metered (f->system, 2);
  ferry_test_system_set_network (f->system, 70, 4);
  g_assert_true (ferry_test_wait_state (t, "completed", 30000));
  assert_sha256 (t, content);
  g_assert_false (ferry_manager1_get_metered (f->daemon->manager));
}

/* -- The example client's service file --------------------------------------------------- */

#define EXAMPLE_ID "org.example.FerryClient"

/* Installs examples/org.example.FerryClient.service where the test bus looks, its Exec= naming
 * the example in the source tree; @plain drops --gapplication-service from it. Returns the
 * log the example writes each activation to. */
static char *
install_example_service (gboolean plain)
{
  g_autofree char *source = g_build_filename (g_getenv ("FERRY_EXAMPLES_DIR"),
                                              EXAMPLE_ID ".service", NULL);
  g_autofree char *script = g_build_filename (g_getenv ("FERRY_EXAMPLES_DIR"),
                                              "ferry-example.py", NULL);
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "services", NULL);
  g_autofree char *service = g_build_filename (dir, EXAMPLE_ID ".service", NULL);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  g_autofree char *name = NULL;
  g_autofree char *command = NULL;
  g_auto(GStrv) args = NULL;

  g_assert_true (g_key_file_load_from_file (file, source, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  name = g_key_file_get_string (file, "D-BUS Service", "Name", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, EXAMPLE_ID);
  command = g_key_file_get_string (file, "D-BUS Service", "Exec", &error);
  g_assert_no_error (error);

  /* The example's Exec= names where a person installs the script; point it at ours. */
  g_assert_true (g_shell_parse_argv (command, NULL, &args, &error));
  g_assert_no_error (error);
  for (guint i = 0; args[i] != NULL; i++)
    {
      g_autofree char *base = g_path_get_basename (args[i]);

      if (g_str_equal (base, "ferry-example.py"))
        {
          g_free (args[i]);
          args[i] = g_strdup (script);
        }
      else if (plain && g_str_equal (args[i], "--gapplication-service"))
        {
          g_free (args[i]);
          args[i] = g_strdup ("");
        }
    }
  g_clear_pointer (&command, g_free);
  command = g_strstrip (g_strjoinv (" ", args));
  g_test_message ("Exec=%s", command);
  g_key_file_set_string (file, "D-BUS Service", "Exec", command);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  written = g_key_file_to_data (file, NULL, NULL);
  g_assert_true (g_file_set_contents (service, written, -1, NULL));
  g_setenv ("FERRY_TEST_EXTRA_SERVICE_DIR", dir, TRUE);
  return g_build_filename (g_get_user_data_dir (), "example.log", NULL);
}

static void
fixture_setup_example (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *log = install_example_service (data != NULL);

  g_setenv ("FERRY_EXAMPLE_LOG", log, TRUE);
  fixture_setup (f, data);
  g_unsetenv ("FERRY_TEST_EXTRA_SERVICE_DIR");
}

static gboolean
file_exists (gpointer user_data)
{
  return g_file_test (user_data, G_FILE_TEST_EXISTS);
}

static guint
count_session (Fixture    *f,
               const char *session)
{
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;

  ferry_manager1_call_list_transfers_sync (f->daemon->manager, session, &paths, NULL, &error);
  g_assert_no_error (error);
  return g_strv_length (paths);
}

static gboolean
session_empty (gpointer user_data)
{
  return count_session (user_data, EXAMPLE_ID) == 0;
}

/* The example's own service file, as shipped, gets the app started and the call delivered:
 * it records the outcome and removes the transfer it handled. */
static void
test_example_service (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (100000, 94);
  g_autofree char *log = g_strdup (g_getenv ("FERRY_EXAMPLE_LOG"));
  g_autofree char *text = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  GVariantDict dict;

  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("The example client needs /usr/bin/python3 with gi");
      return;
    }

  ferry_test_server_add_file (f->server, "/menu.pdf", content, "\"m\"");
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "session", "s", EXAMPLE_ID);
  g_variant_dict_insert (&dict, "identifier", "s", "menu");
  g_variant_dict_insert (&dict, "notify", "b", TRUE);
  t = ferry_test_daemon_add_from (f->daemon, f->server, "/menu.pdf", g_variant_dict_end (&dict));
  g_assert_true (ferry_test_wait_state (t, "completed", 30000));
  assert_sha256 (t, content);

  g_assert_true (ferry_test_wait_until (file_exists, log, 30000));
  g_assert_true (ferry_test_wait_until (session_empty, f, 30000));
  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  g_test_message ("The client recorded:\n%s", text);
  g_assert_nonnull (strstr (text, "\"identifiers\": [\"menu\"]"));
  g_assert_nonnull (strstr (text, "\"State\": \"completed\""));
}

typedef struct
{
  gboolean appeared;
  gboolean gone;
} NameSeen;

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  ((NameSeen *) user_data)->appeared = TRUE;
}

static void
on_name_vanished (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  NameSeen *seen = user_data;

  seen->gone = seen->appeared;
}

static gboolean
came_and_went (gpointer user_data)
{
  return ((NameSeen *) user_data)->gone;
}

/* What docs/dbus-api.md warns of: the same file without --gapplication-service starts the app,
 * which runs its command line (nothing to add), exits, and never handles the call. */
static void
test_example_plain_exec (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 95);
  g_autofree char *log = g_strdup (g_getenv ("FERRY_EXAMPLE_LOG"));
  g_autoptr(FerryTransfer1) t = NULL;
  NameSeen seen = { FALSE, FALSE };
  GVariantDict dict;
  guint watch;

  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("The example client needs /usr/bin/python3 with gi");
      return;
    }

  watch = g_bus_watch_name_on_connection (f->daemon->connection, EXAMPLE_ID,
                                          G_BUS_NAME_WATCHER_FLAGS_NONE, on_name_appeared,
                                          on_name_vanished, &seen, NULL);
  ferry_test_server_add_file (f->server, "/menu.pdf", content, "\"m\"");
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "session", "s", EXAMPLE_ID);
  g_variant_dict_insert (&dict, "identifier", "s", "menu");
  g_variant_dict_insert (&dict, "notify", "b", TRUE);
  t = ferry_test_daemon_add_from (f->daemon, f->server, "/menu.pdf", g_variant_dict_end (&dict));
  g_assert_true (ferry_test_wait_state (t, "completed", 30000));

  /* Activated, and gone again without a word: the outcome waits in the list. */
  g_assert_true (ferry_test_wait_until (came_and_went, &seen, 30000));
  g_bus_unwatch_name (watch);
  g_assert_false (g_file_test (log, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_session (f, EXAMPLE_ID), ==, 1);
  g_assert_cmpstr (ferry_transfer1_get_state (t), ==, "completed");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, setup, fn) \
  g_test_add (name, Fixture, NULL, setup, fn, fixture_teardown)

  ADD ("/retry/utf8-header", fixture_setup, test_utf8_header);
  ADD ("/retry/retry-after-exact", fixture_setup, test_retry_after_exact);
  ADD ("/retry/retry-after-survives-online", fixture_setup_long_backoff,
       test_retry_after_survives_online);
  ADD ("/retry/metered-while-offline", fixture_setup_system, test_metered_while_offline);
  ADD ("/retry/example-service-file", fixture_setup_example, test_example_service);
  g_test_add ("/retry/example-plain-exec", Fixture, "plain", fixture_setup_example,
              test_example_plain_exec, fixture_teardown);

#undef ADD

  return g_test_run ();
}
