/* ferry-browser-host.c: the native messaging host of Ferry's browser extension
 *
 * Firefox and Chromium start this program when the extension first speaks to it, with the
 * pipe to the extension on stdin and stdout. Each request becomes a call to ferryd's D-Bus
 * API (which starts ferryd by activation when it is not running); each answer says what
 * happened, or why not, in a sentence the extension shows as it is.
 *
 * The transfers it adds share one session, so the popup lists only what the browser
 * handed over, and this host acts on nothing else. Cookies and other headers pass through
 * to ferryd and are never written to a log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-browser-host"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include "ferry-dbus.h"
#include "ferry-error.h"
#include "ferry-browser-protocol.h"

#define BROWSER_SESSION "io.github.ferryhq.Ferry.Browser"
#define DAEMON_NAME "io.github.ferryhq.Ferry.Daemon"
#define DAEMON_PATH "/io/github/ferryhq/Ferry/Daemon"
#define TRANSFERS_PATH DAEMON_PATH "/transfers"
#define APP_NAME "io.github.ferryhq.Ferry"
#define APP_PATH "/io/github/ferryhq/Ferry"
/* The popup shows the newest of them; the answer stays far below the browsers' 1 MiB. */
#define MAX_LISTED 200

typedef struct
{
  GDBusConnection *bus;
  FerryManager1 *manager;
} Host;

static gboolean
connect_daemon (Host    *host,
                GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (host->manager != NULL)
    return TRUE;

  host->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &local_error);
  if (host->bus == NULL)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_FAILED,
                   "Ferry cannot be reached: there is no session bus (%s)",
                   local_error->message);
      return FALSE;
    }
  /* Constructing the proxy activates ferryd if it is not running. */
  host->manager = ferry_manager1_proxy_new_sync (host->bus, G_DBUS_PROXY_FLAGS_NONE,
                                                 DAEMON_NAME, DAEMON_PATH, NULL, &local_error);
  if (host->manager == NULL)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_FAILED,
                   "Ferry's service cannot be started: %s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* ferryd's own sentence, without the D-Bus error name in front. */
static void
strip_remote (GError *error)
{
  if (error != NULL && g_dbus_error_is_remote_error (error))
    g_dbus_error_strip_remote_error (error);
}

static FerryTransfer1 *
transfer_proxy (Host        *host,
                const char  *path,
                GError     **error)
{
  FerryTransfer1 *transfer;

  transfer = ferry_transfer1_proxy_new_sync (host->bus, G_DBUS_PROXY_FLAGS_NONE, DAEMON_NAME,
                                             path, NULL, error);
  strip_remote (error ? *error : NULL);
  return transfer;
}

/* A transfer this host may act on: one it handed over itself. */
static FerryTransfer1 *
own_transfer (Host        *host,
              JsonObject  *request,
              GError     **error)
{
  g_autoptr(FerryTransfer1) transfer = NULL;
  g_autofree char *path = NULL;
  guint64 id;

  if (!ferry_browser_get_uint (request, "transfer", TRUE, 0, &id, error))
    return NULL;
  if (!connect_daemon (host, error))
    return NULL;

  path = g_strdup_printf (TRANSFERS_PATH "/%" G_GUINT64_FORMAT, id);
  transfer = transfer_proxy (host, path, error);
  if (transfer == NULL)
    return NULL;
  /* A proxy for a path nobody serves has no properties at all. */
  if (ferry_transfer1_get_state (transfer) == NULL)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_NOT_FOUND,
                   "Ferry holds no transfer %" G_GUINT64_FORMAT " any more", id);
      return NULL;
    }
  if (g_strcmp0 (ferry_transfer1_get_session (transfer), BROWSER_SESSION) != 0)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED,
                   "Transfer %" G_GUINT64_FORMAT " was not handed over from the browser; "
                   "manage it in Ferry", id);
      return NULL;
    }
  return g_steal_pointer (&transfer);
}

static char *
transfer_name (FerryTransfer1 *transfer)
{
  const char *destination = ferry_transfer1_get_destination (transfer);

  if (destination == NULL || *destination == '\0')
    return g_strdup ("");
  return g_path_get_basename (destination);
}

static void
add_transfer (JsonBuilder    *builder,
              FerryTransfer1 *transfer)
{
  g_autofree char *name = transfer_name (transfer);
  const char *const *reasons = ferry_transfer1_get_wait_reasons (transfer);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, ferry_transfer1_get_id (transfer));
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, ferry_transfer1_get_uri (transfer));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, ferry_transfer1_get_state (transfer));
  json_builder_set_member_name (builder, "wait_reasons");
  json_builder_begin_array (builder);
  for (guint i = 0; reasons != NULL && reasons[i] != NULL; i++)
    json_builder_add_string_value (builder, reasons[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "bytes_done");
  json_builder_add_int_value (builder, ferry_transfer1_get_bytes_done (transfer));
  json_builder_set_member_name (builder, "bytes_total");
  json_builder_add_int_value (builder, ferry_transfer1_get_bytes_total (transfer));
  json_builder_set_member_name (builder, "rate");
  json_builder_add_int_value (builder, ferry_transfer1_get_rate (transfer));
  json_builder_set_member_name (builder, "resumable");
  json_builder_add_boolean_value (builder, ferry_transfer1_get_resumable (transfer));
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, ferry_transfer1_get_error (transfer));
  json_builder_end_object (builder);
}

static char *
host_of (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

  return g_strdup (uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : "?");
}

/* The request headers the browser gave with a link: its cookies for it, the page it came
 * from and its user agent. An empty a{ss} when it gave none. */
static GVariant *
browser_headers (JsonObject *request,
                 GError    **error)
{
  g_auto(GVariantBuilder) headers = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
  const char *referrer, *user_agent, *cookies;

  if (!ferry_browser_get_string (request, "referrer", FALSE, FERRY_BROWSER_MAX_URI,
                                 &referrer, error) ||
      (referrer != NULL && *referrer != '\0' &&
       !ferry_browser_check_uri ("referrer", referrer, error)) ||
      !ferry_browser_get_string (request, "user_agent", FALSE, FERRY_BROWSER_MAX_HEADER,
                                 &user_agent, error) ||
      (user_agent != NULL && !ferry_browser_check_header_value ("user_agent", user_agent,
                                                                error)) ||
      !ferry_browser_get_string (request, "cookies", FALSE, FERRY_BROWSER_MAX_COOKIES,
                                 &cookies, error) ||
      (cookies != NULL && !ferry_browser_check_header_value ("cookies", cookies, error)))
    return NULL;

  if (cookies != NULL && *cookies != '\0')
    g_variant_builder_add (&headers, "{ss}", "Cookie", cookies);
  if (referrer != NULL && *referrer != '\0')
    g_variant_builder_add (&headers, "{ss}", "Referer", referrer);
  if (user_agent != NULL && *user_agent != '\0')
    g_variant_builder_add (&headers, "{ss}", "User-Agent", user_agent);
  return g_variant_ref_sink (g_variant_builder_end (&headers));
}

static gboolean
handle_add (Host        *host,
            JsonObject  *request,
            JsonBuilder *answer,
            GError     **error)
{
  const char *url, *filename, *identifier;
  g_auto(GVariantBuilder) options = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autoptr(GVariant) headers = NULL;
  g_autoptr(FerryTransfer1) transfer = NULL;
  g_autofree char *path = NULL;
  g_autofree char *origin = NULL;

  if (!ferry_browser_get_string (request, "url", TRUE, FERRY_BROWSER_MAX_URI, &url, error) ||
      !ferry_browser_check_uri ("url", url, error) ||
      !ferry_browser_get_string (request, "filename", FALSE, 255, &filename, error) ||
      (filename != NULL && *filename != '\0' &&
       !ferry_browser_check_filename (filename, error)) ||
      (headers = browser_headers (request, error)) == NULL ||
      !ferry_browser_get_string (request, "identifier", FALSE, 256, &identifier, error))
    return FALSE;

  if (!connect_daemon (host, error))
    return FALSE;

  g_variant_builder_add (&options, "{sv}", "session", g_variant_new_string (BROWSER_SESSION));
  g_variant_builder_add (&options, "{sv}", "headers", headers);
  if (filename != NULL && *filename != '\0')
    g_variant_builder_add (&options, "{sv}", "filename", g_variant_new_string (filename));
  if (identifier != NULL && *identifier != '\0')
    g_variant_builder_add (&options, "{sv}", "identifier", g_variant_new_string (identifier));

  if (!ferry_manager1_call_add_download_sync (host->manager, url,
                                              g_variant_builder_end (&options), &path, NULL,
                                              error))
    {
      strip_remote (*error);
      return FALSE;
    }

  transfer = transfer_proxy (host, path, error);
  if (transfer == NULL)
    return FALSE;
  /* Never the whole link: a signed link's query is as secret as a cookie. */
  origin = host_of (url);
  g_message ("A link to %s is transfer %" G_GUINT64_FORMAT, origin,
             ferry_transfer1_get_id (transfer));
  json_builder_set_member_name (answer, "transfer");
  add_transfer (answer, transfer);
  return TRUE;
}

/* The host's transfers, newest first. */
static GPtrArray *
list_own (Host    *host,
          GError **error)
{
  g_auto(GStrv) paths = NULL;
  g_autoptr(GPtrArray) transfers = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  if (!connect_daemon (host, error))
    return NULL;
  if (!ferry_manager1_call_list_transfers_sync (host->manager, BROWSER_SESSION, &paths, NULL,
                                                error))
    {
      strip_remote (*error);
      return NULL;
    }

  n = g_strv_length (paths);
  for (guint i = n; i > 0 && transfers->len < MAX_LISTED; i--)
    {
      FerryTransfer1 *transfer = transfer_proxy (host, paths[i - 1], NULL);

      /* One that left between the listing and the proxy is simply not listed. */
      if (transfer != NULL && ferry_transfer1_get_state (transfer) != NULL)
        g_ptr_array_add (transfers, transfer);
      else
        g_clear_object (&transfer);
    }
  return g_steal_pointer (&transfers);
}

static gboolean
handle_list (Host        *host,
             JsonObject  *request,
             JsonBuilder *answer,
             GError     **error)
{
  g_autoptr(GPtrArray) transfers = list_own (host, error);

  if (transfers == NULL)
    return FALSE;
  json_builder_set_member_name (answer, "transfers");
  json_builder_begin_array (answer);
  for (guint i = 0; i < transfers->len; i++)
    add_transfer (answer, transfers->pdata[i]);
  json_builder_end_array (answer);
  return TRUE;
}

static gboolean
may_continue (const char *state)
{
  return g_strv_contains ((const char *[]) { "paused", "waiting", "failed", "rejected", NULL },
                          state);
}

/* A transfer the browser handed over earlier that this new download could continue: same
 * file name and same size, not running and not finished. */
static gboolean
handle_find (Host        *host,
             JsonObject  *request,
             JsonBuilder *answer,
             GError     **error)
{
  g_autoptr(GPtrArray) transfers = NULL;
  const char *filename;
  guint64 size;
  FerryTransfer1 *match = NULL;

  if (!ferry_browser_get_string (request, "filename", TRUE, 255, &filename, error) ||
      !ferry_browser_check_filename (filename, error) ||
      !ferry_browser_get_uint (request, "size", TRUE, 0, &size, error))
    return FALSE;

  transfers = list_own (host, error);
  if (transfers == NULL)
    return FALSE;
  for (guint i = 0; i < transfers->len && match == NULL && size > 0; i++)
    {
      FerryTransfer1 *transfer = transfers->pdata[i];
      g_autofree char *name = transfer_name (transfer);

      if (may_continue (ferry_transfer1_get_state (transfer)) &&
          ferry_transfer1_get_bytes_total (transfer) == size && g_str_equal (name, filename))
        match = transfer;
    }

  json_builder_set_member_name (answer, "match");
  if (match != NULL)
    add_transfer (answer, match);
  else
    json_builder_add_null_value (answer);
  return TRUE;
}

/* Swaps an expired link for the page's fresh one, with the browser's headers for it;
 * ferryd keeps the bytes when the validator says it is the same file. */
static gboolean
handle_continue (Host        *host,
                 JsonObject  *request,
                 JsonBuilder *answer,
                 GError     **error)
{
  g_autoptr(FerryTransfer1) transfer = NULL;
  g_auto(GVariantBuilder) options = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autoptr(GVariant) headers = NULL;
  const char *url;

  if (!ferry_browser_get_string (request, "url", TRUE, FERRY_BROWSER_MAX_URI, &url, error) ||
      !ferry_browser_check_uri ("url", url, error) ||
      (headers = browser_headers (request, error)) == NULL)
    return FALSE;
  transfer = own_transfer (host, request, error);
  if (transfer == NULL)
    return FALSE;

  g_variant_builder_add (&options, "{sv}", "uri", g_variant_new_string (url));
  /* The page's cookies now, not those of the session the expired link belonged to. */
  if (g_variant_n_children (headers) > 0)
    g_variant_builder_add (&options, "{sv}", "headers", headers);
  /* Resume also ends a retry backoff: the fresh link is tried now. */
  if (!ferry_transfer1_call_update_sync (transfer, g_variant_builder_end (&options), NULL,
                                         error) ||
      !ferry_transfer1_call_resume_sync (transfer, NULL, error))
    {
      strip_remote (*error);
      return FALSE;
    }
  g_message ("Transfer %" G_GUINT64_FORMAT " continues from a fresh link",
             ferry_transfer1_get_id (transfer));
  json_builder_set_member_name (answer, "transfer");
  add_transfer (answer, transfer);
  return TRUE;
}

static gboolean
handle_control (Host        *host,
                const char  *type,
                JsonObject  *request,
                JsonBuilder *answer,
                GError     **error)
{
  g_autoptr(FerryTransfer1) transfer = own_transfer (host, request, error);
  gboolean ok;

  if (transfer == NULL)
    return FALSE;
  if (g_str_equal (type, "pause"))
    ok = ferry_transfer1_call_pause_sync (transfer, NULL, error);
  else if (g_str_equal (type, "resume"))
    ok = ferry_transfer1_call_resume_sync (transfer, NULL, error);
  else
    ok = ferry_transfer1_call_cancel_sync (transfer, NULL, error);
  if (!ok)
    {
      strip_remote (*error);
      return FALSE;
    }
  return TRUE;
}

/* Brings Ferry's window up (DBusActivatable: this starts the app when it is closed). */
static gboolean
handle_show (Host        *host,
             JsonObject  *request,
             JsonBuilder *answer,
             GError     **error)
{
  g_autoptr(GVariant) reply = NULL;

  if (!connect_daemon (host, error))
    return FALSE;
  reply = g_dbus_connection_call_sync (host->bus, APP_NAME, APP_PATH,
                                       "org.freedesktop.Application", "Activate",
                                       g_variant_new ("(a{sv})", NULL), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 30000, NULL, error);
  if (reply == NULL)
    {
      strip_remote (*error);
      g_prefix_error (error, "Ferry's window cannot be opened: ");
      return FALSE;
    }
  return TRUE;
}

static gboolean
handle_hello (Host        *host,
              JsonObject  *request,
              JsonBuilder *answer,
              GError     **error)
{
  if (!connect_daemon (host, error))
    return FALSE;
  json_builder_set_member_name (answer, "version");
  json_builder_add_string_value (answer, ferry_manager1_get_version (host->manager)
                                         ? ferry_manager1_get_version (host->manager) : "");
  return TRUE;
}

static gboolean
dispatch (Host        *host,
          JsonObject  *request,
          JsonBuilder *answer,
          GError     **error)
{
  const char *type = json_object_get_string_member (request, "type");

  if (g_str_equal (type, "hello"))
    return handle_hello (host, request, answer, error);
  if (g_str_equal (type, "add"))
    return handle_add (host, request, answer, error);
  if (g_str_equal (type, "list"))
    return handle_list (host, request, answer, error);
  if (g_str_equal (type, "find"))
    return handle_find (host, request, answer, error);
  if (g_str_equal (type, "continue"))
    return handle_continue (host, request, answer, error);
  if (g_str_equal (type, "pause") || g_str_equal (type, "resume") ||
      g_str_equal (type, "cancel"))
    return handle_control (host, type, request, answer, error);
  if (g_str_equal (type, "show"))
    return handle_show (host, request, answer, error);

  g_set_error (error, FERRY_ERROR, FERRY_ERROR_UNSUPPORTED,
               "Ferry's browser host does not know the request “%s”", type);
  return FALSE;
}

static gboolean
reply (JsonObject   *request,
       JsonBuilder  *answer,
       const GError *failure)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize length;

  if (answer == NULL)
    {
      answer = json_builder_new ();
      json_builder_begin_object (answer);
    }
  else
    g_object_ref (answer);

  if (request != NULL && json_object_has_member (request, "id"))
    {
      json_builder_set_member_name (answer, "id");
      json_builder_add_value (answer, json_node_copy (json_object_get_member (request, "id")));
    }
  json_builder_set_member_name (answer, "ok");
  json_builder_add_boolean_value (answer, failure == NULL);
  if (failure != NULL)
    {
      json_builder_set_member_name (answer, "error");
      json_builder_add_string_value (answer, failure->message);
    }
  json_builder_end_object (answer);

  root = json_builder_get_root (answer);
  g_object_unref (answer);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  if (!ferry_browser_write_message (STDOUT_FILENO, text, length, &error))
    {
      g_printerr ("ferry-browser-host: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

/* The per-user host manifests, pointing at this program: for a Ferry installed where the
 * browsers do not look (a home prefix), or a browser that reads only its user's folder. */
static int
install_for_user (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  const char *firefox_dirs[] = { ".mozilla/native-messaging-hosts", NULL };
  const char *chromium_dirs[] = { "chromium/NativeMessagingHosts",
                                  "google-chrome/NativeMessagingHosts", NULL };
  int status = 0;

  if (self == NULL)
    {
      g_printerr ("ferry-browser-host: cannot tell where this program is\n");
      return 1;
    }

  for (guint kind = 0; kind < 2; kind++)
    {
      const char *const *dirs = kind == 0 ? firefox_dirs : chromium_dirs;

      for (guint i = 0; dirs[i] != NULL; i++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *dir = g_build_filename (kind == 0 ? g_get_home_dir ()
                                                             : g_get_user_config_dir (),
                                                   dirs[i], NULL);
          g_autofree char *path = g_build_filename (dir, BROWSER_HOST_NAME ".json", NULL);
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autoptr(JsonGenerator) generator = json_generator_new ();
          g_autoptr(JsonNode) root = NULL;
          g_autofree char *contents = NULL;

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, BROWSER_HOST_NAME);
          json_builder_set_member_name (builder, "description");
          json_builder_add_string_value (builder, "Ferry: hand downloads over from the browser");
          json_builder_set_member_name (builder, "path");
          json_builder_add_string_value (builder, self);
          json_builder_set_member_name (builder, "type");
          json_builder_add_string_value (builder, "stdio");
          json_builder_set_member_name (builder, kind == 0 ? "allowed_extensions"
                                                           : "allowed_origins");
          json_builder_begin_array (builder);
          json_builder_add_string_value (builder, kind == 0
                                         ? BROWSER_FIREFOX_ID
                                         : "chrome-extension://" BROWSER_CHROMIUM_ID "/");
          json_builder_end_array (builder);
          json_builder_end_object (builder);
          root = json_builder_get_root (builder);
          json_generator_set_root (generator, root);
          json_generator_set_pretty (generator, TRUE);
          contents = json_generator_to_data (generator, NULL);

          if (g_mkdir_with_parents (dir, 0755) != 0 ||
              !g_file_set_contents (path, contents, -1, &error))
            {
              g_printerr ("ferry-browser-host: %s cannot be written: %s\n", path,
                          error ? error->message : g_strerror (errno));
              status = 1;
              continue;
            }
          g_print ("%s\n", path);
        }
    }
  return status;
}

int
main (int   argc,
      char *argv[])
{
  Host host = { NULL, NULL };

  setlocale (LC_ALL, "");

  /* Browsers pass their own arguments (an origin, a manifest path): only this one is ours. */
  if (argc == 2 && g_str_equal (argv[1], "--install-for-user"))
    return install_for_user ();

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *body = NULL;
      g_autoptr(JsonObject) request = NULL;
      g_autoptr(JsonBuilder) answer = NULL;
      gsize length;

      switch (ferry_browser_read_message (STDIN_FILENO, &body, &length, &error))
        {
        case FERRY_BROWSER_READ_END:
          goto out;
        case FERRY_BROWSER_READ_BROKEN:
          /* Say why before leaving: the browser cannot be followed past this point. */
          g_printerr ("ferry-browser-host: %s\n", error->message);
          reply (NULL, NULL, error);
          g_clear_object (&host.manager);
          g_clear_object (&host.bus);
          return 1;
        case FERRY_BROWSER_READ_TOO_LARGE:
          if (!reply (NULL, NULL, error))
            goto out;
          continue;
        case FERRY_BROWSER_READ_MESSAGE:
          break;
        default:
          g_assert_not_reached ();
        }

      request = ferry_browser_parse_request (body, length, &error);
      if (request != NULL)
        {
          answer = json_builder_new ();
          json_builder_begin_object (answer);
          if (!dispatch (&host, request, answer, &error))
            g_clear_object (&answer);
        }
      if (!reply (request, answer, error))
        break;
    }

out:
  g_clear_object (&host.manager);
  g_clear_object (&host.bus);
  return 0;
}
