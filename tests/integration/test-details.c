/* test-details.c: what the details view is told — the address after redirects, each attempt
 * with its status, the validator a resume uses, the checksum's outcome — and the daemon's
 * sentences in each caller's language
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ferry-test-daemon.h"
#include "ferry-test-server.h"

typedef struct
{
  FerryTestDaemon *daemon;
  FerryTestServer *server;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
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

static FerryTransfer1 *
add (Fixture    *f,
     const char *path,
     GVariant   *options)
{
  return ferry_test_daemon_add_from (f->daemon, f->server, path, options);
}

static void
assert_file_sha256 (FerryTransfer1 *t,
                    GBytes         *content)
{
  g_autofree char *want = ferry_test_sha256_bytes (content);
  g_autofree char *got = ferry_test_sha256_file (ferry_transfer1_get_destination (t));

  g_assert_cmpstr (got, ==, want);
}

/* -- Facts ------------------------------------------------------------------------------- */

static void
test_final_uri (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (50000, 1);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autofree char *added = NULL;
  g_autofree char *final = NULL;

  ferry_test_server_add_file (f->server, "/mirror/real.bin", content, "\"m\"");
  ferry_test_server_add_redirect (f->server, "/latest", "/mirror/real.bin");
  t = add (f, "/latest", NULL);

  g_assert_true (ferry_test_wait_state (t, "completed", 30000));
  assert_file_sha256 (t, content);
  added = ferry_test_server_uri (f->server, "/latest");
  final = ferry_test_server_uri (f->server, "/mirror/real.bin");
  g_assert_cmpstr (ferry_transfer1_get_uri (t), ==, added);
  g_assert_cmpstr (ferry_transfer1_get_final_uri (t), ==, final);
}

static void
test_attempts (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (70000, 2);
  g_autoptr(FerryTransfer1) t = NULL;
  GVariant *log;
  gint64 started1, started2;
  guint status1, status2;
  guint64 bytes1, bytes2;
  const char *error1, *error2;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;

  ferry_test_server_add_file (f->server, "/busy", content, "\"b\"");
  ferry_test_server_queue_status (f->server, "/busy", 503, "1");
  t = add (f, "/busy", NULL);

  g_assert_true (ferry_test_wait_state (t, "completed", 30000));
  assert_file_sha256 (t, content);

  log = ferry_transfer1_get_attempt_log (t);
  g_assert_nonnull (log);
  {
    g_autofree char *printed = g_variant_print (log, TRUE);

    g_test_message ("AttemptLog: %s", printed);
  }
  g_assert_cmpuint (g_variant_n_children (log), ==, 2);
  g_variant_get_child (log, 0, "(xut&s)", &started1, &status1, &bytes1, &error1);
  g_variant_get_child (log, 1, "(xut&s)", &started2, &status2, &bytes2, &error2);
  g_assert_cmpuint (status1, ==, 503);
  g_assert_cmpuint (bytes1, ==, 0);
  g_assert_nonnull (strstr (error1, "HTTP 503"));
  g_assert_cmpuint (status2, ==, 200);
  g_assert_cmpuint (bytes2, ==, g_bytes_get_size (content));
  g_assert_cmpstr (error2, ==, "");
  g_assert_cmpint (started1, >=, before);
  g_assert_cmpint (started2, >=, started1);
}

/* The log outlives a restart of the service: it is in the store. */
static void
test_attempts_persist (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (10000, 3);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(FerryTransfer1) again = NULL;
  g_autofree char *path = NULL;
  GVariant *log;
  guint status;

  ferry_test_server_add_file (f->server, "/gone", content, "\"g\"");
  ferry_test_server_queue_status (f->server, "/gone", 404, NULL);
  t = add (f, "/gone", NULL);
  g_assert_true (ferry_test_wait_state (t, "rejected", 30000));
  path = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (t)));

  ferry_test_daemon_kill (f->daemon);
  again = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_cmpstr (ferry_transfer1_get_state (again), ==, "rejected");
  log = ferry_transfer1_get_attempt_log (again);
  g_assert_cmpuint (g_variant_n_children (log), ==, 1);
  g_variant_get_child (log, 0, "(xuts)", NULL, &status, NULL, NULL);
  g_assert_cmpuint (status, ==, 404);
}

/* The log and the checksum's outcome of a transfer restored from the store are read only
 * when asked: one resumed after a restart adds its attempt after those before it, and what
 * the store then holds is the whole of it. */
static void
test_attempts_resumed_after_restart (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (20000, 6);
  g_autofree char *good = ferry_test_sha256_bytes (content);
  g_autoptr(FerryTransfer1) t = NULL;
  g_autoptr(FerryTransfer1) again = NULL;
  g_autoptr(FerryTransfer1) third = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const char *result, *expected;
  GVariantDict dict;
  GVariant *log;
  guint status;

  ferry_test_server_add_file (f->server, "/later", content, "\"l\"");
  ferry_test_server_queue_status (f->server, "/later", 404, NULL);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "sha256", "s", good);
  t = add (f, "/later", g_variant_dict_end (&dict));
  g_assert_true (ferry_test_wait_state (t, "rejected", 30000));
  path = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (t)));

  ferry_test_daemon_kill (f->daemon);
  again = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_true (ferry_transfer1_call_resume_sync (again, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ferry_test_wait_state (again, "completed", 30000));
  assert_file_sha256 (again, content);

  ferry_test_daemon_kill (f->daemon);
  third = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_cmpstr (ferry_transfer1_get_state (third), ==, "completed");
  log = ferry_transfer1_get_attempt_log (third);
  g_assert_cmpuint (g_variant_n_children (log), ==, 2);
  g_variant_get_child (log, 0, "(xuts)", NULL, &status, NULL, NULL);
  g_assert_cmpuint (status, ==, 404);
  g_variant_get_child (log, 1, "(xuts)", NULL, &status, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_variant_get (ferry_transfer1_get_checksum_result (third), "(&s&s)", &result, &expected);
  g_assert_cmpstr (result, ==, "verified");
  g_assert_cmpstr (expected, ==, good);
}

static void
test_checksum (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (120000, 4);
  g_autofree char *good = ferry_test_sha256_bytes (content);
  const char *wrong = "00000000000000000000000000000000000000000000000000000000000000ff";
  g_autoptr(FerryTransfer1) ok = NULL;
  g_autoptr(FerryTransfer1) bad = NULL;
  g_autoptr(FerryTransfer1) plain = NULL;
  GVariantDict dict;
  const char *result, *expected;

  ferry_test_server_add_file (f->server, "/checked", content, "\"c\"");

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "sha256", "s", good);
  g_variant_dict_insert (&dict, "filename", "s", "good.bin");
  ok = add (f, "/checked", g_variant_dict_end (&dict));
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "sha256", "s", wrong);
  g_variant_dict_insert (&dict, "filename", "s", "bad.bin");
  bad = add (f, "/checked", g_variant_dict_end (&dict));
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "filename", "s", "plain.bin");
  plain = add (f, "/checked", g_variant_dict_end (&dict));

  g_assert_true (ferry_test_wait_state (ok, "completed", 30000));
  g_assert_true (ferry_test_wait_state (bad, "failed", 30000));
  g_assert_true (ferry_test_wait_state (plain, "completed", 30000));
  assert_file_sha256 (ok, content);

  g_variant_get (ferry_transfer1_get_checksum_result (ok), "(&s&s)", &result, &expected);
  g_assert_cmpstr (result, ==, "verified");
  g_assert_cmpstr (expected, ==, good);
  g_variant_get (ferry_transfer1_get_checksum_result (bad), "(&s&s)", &result, &expected);
  g_assert_cmpstr (result, ==, "mismatch");
  g_assert_cmpstr (expected, ==, wrong);
  g_variant_get (ferry_transfer1_get_checksum_result (plain), "(&s&s)", &result, &expected);
  g_assert_cmpstr (result, ==, "none");
  g_assert_cmpstr (expected, ==, "");
}

static gboolean
validator_is (gpointer user_data)
{
  return g_strcmp0 (ferry_transfer1_get_validator (user_data), "\"v-42\"") == 0;
}

static void
test_validator (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (2 * 1024 * 1024, 5);
  g_autoptr(FerryTransfer1) t = NULL;

  ferry_test_server_add_file (f->server, "/big", content, "\"v-42\"");
  ferry_test_server_set_throttle (f->server, "/big", 512 * 1024);
  t = add (f, "/big", NULL);

  /* The validator a resume would use is the server's ETag, told as soon as the answer came
   * (the server takes some 4 s to send the file), and kept once the file is complete. */
  g_assert_true (ferry_test_wait_until (validator_is, t, 30000));
  g_assert_true (ferry_test_wait_state (t, "completed", 60000));
  assert_file_sha256 (t, content);
  g_assert_cmpstr (ferry_transfer1_get_validator (t), ==, "\"v-42\"");
}

/* -- Languages --------------------------------------------------------------------------- */

/* A second client on the same bus, as another program would be. */
static GDBusConnection *
other_client (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection =
    g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (f->daemon->bus),
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                            G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);

  g_assert_no_error (error);
  return connection;
}

static void
set_languages (GDBusConnection    *connection,
               const char *const  *languages)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply =
    g_dbus_connection_call_sync (connection, "io.github.ferryhq.Ferry.Daemon",
                                 "/io/github/ferryhq/Ferry/Daemon",
                                 "io.github.ferryhq.Ferry.Manager1", "SetLanguages",
                                 g_variant_new ("(^as)", languages), NULL,
                                 G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);

  g_assert_no_error (error);
}

static GVariant *
get_property (GDBusConnection *connection,
              const char      *path,
              const char      *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply =
    g_dbus_connection_call_sync (connection, "io.github.ferryhq.Ferry.Daemon", path,
                                 "org.freedesktop.DBus.Properties", "Get",
                                 g_variant_new ("(ss)", "io.github.ferryhq.Ferry.Transfer1",
                                                name),
                                 G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                 &error);
  GVariant *value = NULL;

  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return value;
}

static char *
error_property (GDBusConnection *connection,
                const char      *path)
{
  g_autoptr(GVariant) value = get_property (connection, path, "Error");

  return g_variant_dup_string (value, NULL);
}

static char *
add_from (Fixture         *f,
          GDBusConnection *connection,
          const char      *server_path,
          GError         **error)
{
  g_autofree char *uri = ferry_test_server_uri (f->server, server_path);
  g_autoptr(GVariant) reply = NULL;
  GVariantDict dict;
  char *path = NULL;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "destination", "s", f->daemon->download_dir);
  reply = g_dbus_connection_call_sync (connection, "io.github.ferryhq.Ferry.Daemon",
                                       "/io/github/ferryhq/Ferry/Daemon",
                                       "io.github.ferryhq.Ferry.Manager1", "AddDownload",
                                       g_variant_new ("(s@a{sv})", uri,
                                                      g_variant_dict_end (&dict)),
                                       G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, error);
  if (reply != NULL)
    g_variant_get (reply, "(o)", &path);
  return path;
}

/* A German client reads a 404 in German, a French one its own in French, and each reads
 * the other's in its own language; a client that names none reads the session's
 * (English here). */
static void
test_language_per_caller (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GBytes) content = ferry_test_make_content (1000, 6);
  g_autoptr(GDBusConnection) german = other_client (f);
  g_autoptr(GDBusConnection) french = other_client (f);
  g_autofree char *de_path = NULL;
  g_autofree char *fr_path = NULL;
  g_autoptr(FerryTransfer1) de_transfer = NULL;
  g_autoptr(FerryTransfer1) fr_transfer = NULL;
  g_autofree char *de_error = NULL;
  g_autofree char *fr_error = NULL;
  g_autofree char *fr_reads_de = NULL;
  g_autofree char *english = NULL;

  ferry_test_server_add_file (f->server, "/gone-de", content, "\"d\"");
  ferry_test_server_add_file (f->server, "/gone-fr", content, "\"f\"");
  ferry_test_server_queue_status (f->server, "/gone-de", 404, NULL);
  ferry_test_server_queue_status (f->server, "/gone-fr", 404, NULL);

  set_languages (german, (const char *const[]) { "de_DE.UTF-8", "de_DE", "de", "C", NULL });
  set_languages (french, (const char *const[]) { "fr", NULL });
  de_path = add_from (f, german, "/gone-de", NULL);
  fr_path = add_from (f, french, "/gone-fr", NULL);
  g_assert_nonnull (de_path);
  g_assert_nonnull (fr_path);
  de_transfer = ferry_test_daemon_transfer (f->daemon, de_path);
  fr_transfer = ferry_test_daemon_transfer (f->daemon, fr_path);
  g_assert_true (ferry_test_wait_state (de_transfer, "rejected", 30000));
  g_assert_true (ferry_test_wait_state (fr_transfer, "rejected", 30000));

  de_error = error_property (german, de_path);
  fr_error = error_property (french, fr_path);
  fr_reads_de = error_property (french, de_path);
  english = error_property (f->daemon->connection, de_path);
  g_test_message ("de: %s; fr: %s; fr reads de: %s; no language: %s", de_error, fr_error,
                  fr_reads_de, english);
  g_assert_cmpstr (de_error, ==, "Der Server hat diese Datei nicht mehr (HTTP 404)");
  g_assert_cmpstr (fr_error, ==, "Le serveur n’a plus ce fichier (HTTP 404)");
  g_assert_cmpstr (fr_reads_de, ==, fr_error);
  g_assert_cmpstr (english, ==, "The server no longer has this file (HTTP 404)");
  /* The proxy of the test, which named no language, heard the signals in English. */
  g_assert_cmpstr (ferry_transfer1_get_error (de_transfer), ==, english);

  /* Each attempt's sentence too. */
  {
    g_autoptr(GVariant) log = get_property (german, de_path, "AttemptLog");
    const char *attempt_error;

    g_assert_cmpuint (g_variant_n_children (log), ==, 1);
    g_variant_get_child (log, 0, "(xut&s)", NULL, NULL, NULL, &attempt_error);
    g_assert_cmpstr (attempt_error, ==, de_error);
  }

  /* Pausing what has ended is refused in one sentence of the caller's language, with no
   * English state name inside. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply =
      g_dbus_connection_call_sync (german, "io.github.ferryhq.Ferry.Daemon", de_path,
                                   "io.github.ferryhq.Ferry.Transfer1", "Pause", NULL, NULL,
                                   G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);

    g_assert_null (reply);
    g_assert_nonnull (error);
    g_dbus_error_strip_remote_error (error);
    g_assert_cmpstr (error->message, ==,
                     "Diese Übertragung ist bereits beendet: Der Server hat sie abgelehnt");
  }
}

/* Error replies are in the caller's language too, also the "language" option's own. */
static void
test_language_replies (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GDBusConnection) italian = other_client (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *remote = NULL;
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "language", "^as", (const char *const[]) { "it", NULL });
  g_variant_dict_insert (&dict, "priority", "s", "high");
  reply = g_dbus_connection_call_sync (italian, "io.github.ferryhq.Ferry.Daemon",
                                       "/io/github/ferryhq/Ferry/Daemon",
                                       "io.github.ferryhq.Ferry.Manager1", "AddDownload",
                                       g_variant_new ("(s@a{sv})", "http://127.0.0.1:1/x",
                                                      g_variant_dict_end (&dict)),
                                       G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_null (reply);
  g_assert_nonnull (error);
  g_dbus_error_strip_remote_error (error);
  g_test_message ("%s", error->message);
  g_assert_cmpstr (error->message, ==, "L’opzione «priority» deve essere di tipo i, non s");
  g_clear_error (&error);

  /* The same caller, later, without the option: still Italian. */
  reply = g_dbus_connection_call_sync (italian, "io.github.ferryhq.Ferry.Daemon",
                                       "/io/github/ferryhq/Ferry/Daemon",
                                       "io.github.ferryhq.Ferry.Manager1", "AddDownload",
                                       g_variant_new ("(s@a{sv})", "ftp://example.org/x",
                                                      g_variant_new_array (G_VARIANT_TYPE ("{sv}"),
                                                                           NULL, 0)),
                                       G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_null (reply);
  g_dbus_error_strip_remote_error (error);
  g_test_message ("%s", error->message);
  g_assert_cmpstr (error->message, ==,
                   "Ferry trasferisce solo indirizzi http:// e https://, non ftp:");
}

/* A daemon whose session speaks German: a caller that names no language reads German, a
 * French one French, down to the parts GLib and the C library wrote (kept English inside
 * the daemon, so nothing of the session's language is mixed into the French). */
static void
fixture_setup_german_session (Fixture       *f,
                              gconstpointer  data)
{
  g_setenv ("LANGUAGE", "de", TRUE);
  fixture_setup (f, data);
}

static void
fixture_teardown_german_session (Fixture       *f,
                                 gconstpointer  data)
{
  fixture_teardown (f, data);
  g_setenv ("LANGUAGE", "", TRUE);
}

static gboolean
is_waiting (gpointer user_data)
{
  return g_strcmp0 (ferry_transfer1_get_state (user_data), "waiting") == 0;
}

static gboolean
system_catalogue (const char *language,
                  const char *domain)
{
  g_autofree char *file = g_strconcat (domain, ".mo", NULL);
  g_autofree char *path = g_build_filename ("/usr/share/locale", language, "LC_MESSAGES", file,
                                            NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static void
test_language_session (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GDBusConnection) french = other_client (f);
  g_autofree char *path = NULL;
  g_autoptr(FerryTransfer1) t = NULL;
  g_autofree char *session_error = NULL;
  g_autofree char *french_error = NULL;

  set_languages (french, (const char *const[]) { "fr", NULL });
  /* Nothing listens on port 1: the connection is refused, a transient failure. */
  {
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GError) error = NULL;
    GVariantDict dict;

    g_variant_dict_init (&dict, NULL);
    g_variant_dict_insert (&dict, "destination", "s", f->daemon->download_dir);
    reply = g_dbus_connection_call_sync (french, "io.github.ferryhq.Ferry.Daemon",
                                         "/io/github/ferryhq/Ferry/Daemon",
                                         "io.github.ferryhq.Ferry.Manager1", "AddDownload",
                                         g_variant_new ("(s@a{sv})", "http://127.0.0.1:1/file",
                                                        g_variant_dict_end (&dict)),
                                         G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                         NULL, &error);
    g_assert_no_error (error);
    g_variant_get (reply, "(o)", &path);
  }
  t = ferry_test_daemon_transfer (f->daemon, path);
  g_assert_true (ferry_test_wait_until (is_waiting, t, 30000));

  session_error = error_property (f->daemon->connection, path);
  french_error = error_property (french, path);
  g_test_message ("session (de): %s; fr: %s", session_error, french_error);
  g_assert_true (g_str_has_prefix (session_error, "Der Server ist nicht erreichbar: "));
  g_assert_true (g_str_has_prefix (french_error, "Impossible de joindre le serveur : "));
  /* GLib's words and the C library's, where the system has their catalogues. */
  if (system_catalogue ("fr", "glib20"))
    g_assert_null (strstr (french_error, "Could not connect"));
  if (system_catalogue ("fr", "libc"))
    g_assert_null (strstr (french_error, "Connection refused"));
  if (system_catalogue ("de", "glib20"))
    g_assert_null (strstr (french_error, "Verbindung"));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *locale_dir = NULL;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* The daemon, activated by this test's bus, reads the build's catalogues; its own session
   * speaks English. */
  locale_dir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  g_setenv ("FERRY_LOCALEDIR", locale_dir, TRUE);
  g_setenv ("LANGUAGE", "", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);

#define ADD(name, fn) g_test_add (name, Fixture, NULL, fixture_setup, fn, fixture_teardown)

  ADD ("/details/final-uri", test_final_uri);
  ADD ("/details/attempts", test_attempts);
  ADD ("/details/attempts-persist", test_attempts_persist);
  ADD ("/details/attempts-resumed-after-restart", test_attempts_resumed_after_restart);
  ADD ("/details/checksum", test_checksum);
  ADD ("/details/validator", test_validator);
  ADD ("/details/language-per-caller", test_language_per_caller);
  ADD ("/details/language-replies", test_language_replies);
  g_test_add ("/details/language-session", Fixture, NULL, fixture_setup_german_session,
              test_language_session, fixture_teardown_german_session);

#undef ADD

  return g_test_run ();
}
