/* ferryctl.c: hand transfers to Ferry from a terminal or a script
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferryctl"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>

#include "ferry-client-name.h"
#include "ferry-dbus.h"
#include "ferry-error.h"
#include "ferry-format.h"
#include "ferry-types.h"

/* Exit codes: scripts tell outcomes apart without parsing text. */
enum {
  EXIT_COMPLETED = 0,
  EXIT_ERROR = 1,
  EXIT_USAGE = 2,
  EXIT_REJECTED = 3,
  EXIT_FAILED = 4,
  EXIT_CANCELED = 5,
};

#define TRANSFERS_PATH FERRY_DAEMON_PATH "/transfers/"
#define FERRY_TRANSFER_INTERFACE "io.github.ferryhq.Ferry.Transfer1"

static const char *exit_codes_help =
  N_("Exit status: 0 completed (or done), 1 error, 2 wrong usage, 3 rejected by the server, "
     "4 failed, 5 canceled.");

typedef struct
{
  GDBusConnection *bus;
  FerryManager1 *manager;
} Client;

static void
client_clear (Client *client)
{
  g_clear_object (&client->manager);
  g_clear_object (&client->bus);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Client, client_clear)

static void
print_error (const GError *error)
{
  g_autoptr(GError) copy = g_error_copy (error);

  /* Remote errors carry their D-Bus name ("GDBus.Error:…"); a person needs the sentence. */
  g_dbus_error_strip_remote_error (copy);
  g_printerr ("ferryctl: %s\n", copy->message);
}

static gboolean
client_connect (Client  *client,
                GError **error)
{
  client->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
  if (client->bus == NULL)
    return FALSE;

  /* A ferryd installed as a Flatpak knows Ferry's own programs only by this name. */
  ferry_client_name_claim (client->bus, FERRY_APP_ID);

  /* Make sure the error names map back to FERRY_ERROR. */
  (void) FERRY_ERROR;

  client->manager = ferry_manager1_proxy_new_sync (client->bus, G_DBUS_PROXY_FLAGS_NONE,
                                                   FERRY_DAEMON_ID, FERRY_DAEMON_PATH,
                                                   NULL, error);
  return client->manager != NULL;
}

/* "42" or a full object path. */
static char *
transfer_path (const char *arg)
{
  guint64 id;

  if (g_str_has_prefix (arg, TRANSFERS_PATH) && g_variant_is_object_path (arg))
    return g_strdup (arg);

  if (!g_ascii_string_to_unsigned (arg, 10, 1, G_MAXUINT64, &id, NULL))
    return NULL;

  return g_strdup_printf (TRANSFERS_PATH "%" G_GUINT64_FORMAT, id);
}

static FerryTransfer1 *
transfer_proxy (Client     *client,
                const char *arg,
                GError    **error)
{
  g_autofree char *path = transfer_path (arg);
  g_autoptr(FerryTransfer1) proxy = NULL;
  g_autoptr(GVariant) state = NULL;

  if (path == NULL)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a transfer number"), arg);
      return NULL;
    }

  proxy = ferry_transfer1_proxy_new_sync (client->bus, G_DBUS_PROXY_FLAGS_NONE,
                                          FERRY_DAEMON_ID, path, NULL, error);
  if (proxy == NULL)
    return NULL;

  state = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (proxy), "State");
  if (state == NULL)
    {
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GError) local_error = NULL;

      /* Ask once more, to learn why: gone, or not ours to see. */
      reply = g_dbus_connection_call_sync (client->bus, FERRY_DAEMON_ID, path,
                                           "org.freedesktop.DBus.Properties", "Get",
                                           g_variant_new ("(ss)", FERRY_TRANSFER_INTERFACE,
                                                          "State"),
                                           NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                           &local_error);
      if (g_error_matches (local_error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, FERRY_ERROR, FERRY_ERROR_NOT_FOUND, _("There is no transfer %s"),
                     arg);
      return NULL;
    }

  return g_steal_pointer (&proxy);
}

static int
exit_code_for_state (const char *state)
{
  FerryState s;

  if (!ferry_state_from_string (state, &s))
    return EXIT_ERROR;

  switch (s)
    {
    case FERRY_STATE_COMPLETED:
      return EXIT_COMPLETED;
    case FERRY_STATE_REJECTED:
      return EXIT_REJECTED;
    case FERRY_STATE_FAILED:
      return EXIT_FAILED;
    case FERRY_STATE_CANCELED:
      return EXIT_CANCELED;
    case FERRY_STATE_QUEUED:
    case FERRY_STATE_WAITING:
    case FERRY_STATE_RUNNING:
    case FERRY_STATE_PAUSED:
    default:
      return EXIT_ERROR;
    }
}

static const char *
display_name (FerryTransfer1 *t)
{
  const char *destination = ferry_transfer1_get_destination (t);
  const char *slash;

  if (destination != NULL && *destination != '\0')
    {
      slash = strrchr (destination, '/');
      return slash ? slash + 1 : destination;
    }
  return ferry_transfer1_get_uri (t);
}

/* One line in words: what the transfer is doing. */
static char *
describe (FerryTransfer1 *t,
          guint64         done,
          guint64         total,
          guint64         rate)
{
  const char *state = ferry_transfer1_get_state (t);
  const char *error = ferry_transfer1_get_error (t);
  FerryState s = FERRY_STATE_FAILED;

  ferry_state_from_string (state, &s);

  switch (s)
    {
    case FERRY_STATE_RUNNING:
      /* An upload moves as it is sent; the server acknowledges later (a plain one at its end). */
      if (g_strcmp0 (ferry_transfer1_get_kind (t), "upload") == 0)
        {
          g_autofree char *progress = NULL;

          done = MAX (done, ferry_transfer1_get_bytes_sent (t));
          progress = ferry_format_progress (done, total, rate);
          return g_strdup_printf (_("uploaded %s"), progress);
        }
      return ferry_format_progress (done, total, rate);

    case FERRY_STATE_WAITING:
      {
        const char *const *reasons = ferry_transfer1_get_wait_reasons (t);
        g_autofree char *joined = reasons ? g_strjoinv (", ", (char **) reasons) : g_strdup ("");
        gint64 retry_at = ferry_transfer1_get_retry_at (t);

        if (retry_at > 0)
          {
            gint64 in = MAX (0, retry_at - g_get_real_time () / G_USEC_PER_SEC);
            g_autofree char *when = ferry_format_duration ((guint64) in);

            return g_strdup_printf (_("waiting (%s), next try in %s: %s"), joined, when,
                                    error && *error ? error : "");
          }
        if (error != NULL && *error != '\0')
          return g_strdup_printf (_("waiting (%s): %s"), joined, error);
        return g_strdup_printf (_("waiting (%s)"), joined);
      }

    case FERRY_STATE_COMPLETED:
      {
        g_autofree char *size = g_format_size (total > 0 ? total : done);

        if (error != NULL && *error != '\0')
          return g_strdup_printf (_("completed — %s — not verified: %s"), size, error);
        return g_strdup_printf (_("completed — %s"), size);
      }

    case FERRY_STATE_REJECTED:
    case FERRY_STATE_FAILED:
      return g_strdup_printf ("%s: %s", state, error && *error ? error : "");

    case FERRY_STATE_QUEUED:
    case FERRY_STATE_PAUSED:
    case FERRY_STATE_CANCELED:
    default:
      {
        g_autofree char *progress = ferry_format_progress (done, total, 0);

        return g_strdup_printf ("%s — %s", state, progress);
      }
    }
}

/* -- Waiting for transfers --------------------------------------------------------------- */

typedef struct
{
  char *path;
  FerryTransfer1 *proxy;
  guint64 done;
  guint64 total;
  guint64 rate;
  char *last_line;
} Watched;

typedef struct
{
  Client *client;
  GMainLoop *loop;
  GPtrArray *watched;           /* Watched */
  gboolean all_active;          /* "watch": follow every transfer that is not over */
  GDBusObjectManager *object_manager;
  gboolean tty;
  guint drawn_lines;
  gint64 last_plain_print;
  guint reactivate_source;
  int exit_code;
} Waiter;

static void
watched_free (Watched *w)
{
  g_free (w->path);
  g_free (w->last_line);
  g_clear_object (&w->proxy);
  g_free (w);
}

static gboolean
is_over (FerryTransfer1 *t)
{
  FerryState s;

  return ferry_state_from_string (ferry_transfer1_get_state (t), &s) &&
         ferry_state_is_terminal (s);
}

static guint
terminal_columns (void)
{
  struct winsize size;

  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20)
    return size.ws_col;
  return 80;
}

/* Cuts @line to @columns characters, so that no line wraps and the redraw stays in place. */
static void
append_fitted (GString    *out,
               const char *line,
               guint       columns)
{
  glong length = g_utf8_strlen (line, -1);

  if ((guint) length < columns)
    {
      g_string_append (out, line);
      return;
    }

  g_string_append_len (out, line, g_utf8_offset_to_pointer (line, columns - 2) - line);
  g_string_append (out, "…");
}

static void
draw (Waiter *waiter)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gint64 now = g_get_monotonic_time ();
  gboolean plain_due = now - waiter->last_plain_print >= 5 * G_USEC_PER_SEC;
  guint columns = waiter->tty ? terminal_columns () : 0;
  guint drawn = 0;

  if (waiter->tty && waiter->drawn_lines > 0)
    g_string_append_printf (out, "\033[%uA", waiter->drawn_lines);

  for (guint i = 0; i < waiter->watched->len; i++)
    {
      Watched *w = g_ptr_array_index (waiter->watched, i);
      g_autofree char *line = NULL;
      const char *state;

      if (w->proxy == NULL || ferry_transfer1_get_state (w->proxy) == NULL)
        continue;

      state = ferry_transfer1_get_state (w->proxy);
      if (!g_str_equal (state, "running"))
        {
          w->done = ferry_transfer1_get_bytes_done (w->proxy);
          w->total = ferry_transfer1_get_bytes_total (w->proxy);
          w->rate = 0;
        }
      line = describe (w->proxy, w->done, w->total, w->rate);

      if (waiter->tty)
        {
          char bar[21];
          guint64 shown = MAX (w->done, ferry_transfer1_get_bytes_sent (w->proxy));
          guint filled = w->total > 0 ? (guint) (MIN (shown, w->total) * 20 / w->total) : 0;

          g_autofree char *full = NULL;

          memset (bar, '#', filled);
          memset (bar + filled, '-', 20 - filled);
          bar[20] = '\0';
          full = g_strdup_printf ("%3" G_GUINT64_FORMAT "  [%s] %s  %s",
                                  ferry_transfer1_get_id (w->proxy), bar,
                                  display_name (w->proxy), line);
          g_string_append (out, "\033[2K");
          append_fitted (out, full, columns);
          g_string_append_c (out, '\n');
          drawn++;
        }
      else if (g_strcmp0 (line, w->last_line) != 0 &&
               (plain_due || !g_str_equal (state, "running") ||
                g_strcmp0 (state, w->last_line ? "running" : "") != 0))
        {
          /* Not a terminal: a line when something changes, progress at most every 5 s. */
          g_string_append_printf (out, "%" G_GUINT64_FORMAT " %s: %s\n",
                                  ferry_transfer1_get_id (w->proxy),
                                  display_name (w->proxy), line);
          g_free (w->last_line);
          w->last_line = g_steal_pointer (&line);
          waiter->last_plain_print = now;
        }
    }

  if (waiter->tty)
    waiter->drawn_lines = drawn;

  fputs (out->str, stdout);
  fflush (stdout);
}

static void
check_done (Waiter *waiter)
{
  gboolean all_over = TRUE;
  int code = EXIT_COMPLETED;

  for (guint i = 0; i < waiter->watched->len; i++)
    {
      Watched *w = g_ptr_array_index (waiter->watched, i);

      if (w->proxy == NULL || ferry_transfer1_get_state (w->proxy) == NULL)
        return;   /* not known yet, or the service is restarting */

      if (waiter->all_active && g_str_equal (ferry_transfer1_get_state (w->proxy), "paused"))
        continue;

      if (!is_over (w->proxy))
        {
          all_over = FALSE;
          break;
        }
      code = MAX (code, exit_code_for_state (ferry_transfer1_get_state (w->proxy)));
    }

  if (all_over)
    {
      draw (waiter);
      waiter->exit_code = code;
      g_main_loop_quit (waiter->loop);
    }
}

static Watched *
find_watched (Waiter     *waiter,
              const char *path)
{
  for (guint i = 0; i < waiter->watched->len; i++)
    {
      Watched *w = g_ptr_array_index (waiter->watched, i);

      if (g_str_equal (w->path, path))
        return w;
    }
  return NULL;
}

static void
on_progress (FerryManager1 *manager,
             GVariant      *updates,
             Waiter        *waiter)
{
  GVariantIter iter;
  const char *path;
  guint64 done, total, rate;

  g_variant_iter_init (&iter, updates);
  while (g_variant_iter_next (&iter, "(&ottt)", &path, &done, &total, &rate))
    {
      Watched *w = find_watched (waiter, path);

      if (w != NULL)
        {
          w->done = done;
          w->total = total;
          w->rate = rate;
        }
    }

  draw (waiter);
}

static void
on_properties_changed (GDBusProxy *proxy,
                       GVariant   *changed,
                       GStrv       invalidated,
                       Waiter     *waiter)
{
  draw (waiter);
  check_done (waiter);
}

static void
attach_proxy (Waiter         *waiter,
              Watched        *w,
              FerryTransfer1 *proxy)
{
  if (w->proxy == proxy)
    return;

  g_clear_object (&w->proxy);
  w->proxy = g_object_ref (proxy);
  w->done = ferry_transfer1_get_bytes_done (proxy);
  w->total = ferry_transfer1_get_bytes_total (proxy);
  g_signal_connect (proxy, "g-properties-changed", G_CALLBACK (on_properties_changed), waiter);
}

static void
on_object_added (GDBusObjectManager *manager,
                 GDBusObject        *object,
                 Waiter             *waiter)
{
  const char *path = g_dbus_object_get_object_path (object);
  g_autoptr(FerryTransfer1) proxy = ferry_object_get_transfer1 (FERRY_OBJECT (object));
  Watched *w = find_watched (waiter, path);

  if (proxy == NULL)
    return;

  if (w == NULL && waiter->all_active && !is_over (proxy))
    {
      w = g_new0 (Watched, 1);
      w->path = g_strdup (path);
      g_ptr_array_add (waiter->watched, w);
    }

  if (w != NULL)
    {
      attach_proxy (waiter, w, proxy);
      draw (waiter);
      check_done (waiter);
    }
}

static void
on_object_removed (GDBusObjectManager *manager,
                   GDBusObject        *object,
                   Waiter             *waiter)
{
  g_autofree char *owner = g_dbus_object_manager_client_get_name_owner (
    G_DBUS_OBJECT_MANAGER_CLIENT (manager));
  Watched *w = find_watched (waiter, g_dbus_object_get_object_path (object));

  /* Objects also go when the service stops; only a live service removing one means it. */
  if (w == NULL || owner == NULL)
    return;

  g_printerr (_("ferryctl: transfer %s was removed\n"), w->path + strlen (TRANSFERS_PATH));
  waiter->exit_code = EXIT_ERROR;
  g_main_loop_quit (waiter->loop);
}

static void
on_reactivated (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;

  if (!ferry_manager1_call_list_transfers_finish (FERRY_MANAGER1 (source), &paths, result,
                                                  &error))
    g_printerr (_("ferryctl: could not restart the Ferry service: %s\n"), error->message);
}

static gboolean
reactivate (gpointer user_data)
{
  Waiter *waiter = user_data;

  waiter->reactivate_source = 0;
  /* Any call to the name starts the service again; it resumes from its store. */
  ferry_manager1_call_list_transfers (waiter->client->manager, "", NULL, on_reactivated, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_name_owner (GObject    *object,
               GParamSpec *pspec,
               Waiter     *waiter)
{
  g_autofree char *owner = g_dbus_object_manager_client_get_name_owner (
    G_DBUS_OBJECT_MANAGER_CLIENT (object));

  if (owner == NULL && waiter->reactivate_source == 0)
    {
      if (!waiter->tty)
        g_print (_("The Ferry service stopped; starting it again\n"));
      waiter->reactivate_source = g_timeout_add (250, reactivate, waiter);
    }
}

static int
wait_for (Client             *client,
          const char *const  *paths,
          gboolean            all_active)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GPtrArray) watched = g_ptr_array_new_with_free_func ((GDestroyNotify) watched_free);
  g_autoptr(GDBusObjectManager) object_manager = NULL;
  GList *objects;
  Waiter waiter = { 0 };

  object_manager = ferry_object_manager_client_new_sync (client->bus,
                                                         G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                                         FERRY_DAEMON_ID, FERRY_DAEMON_PATH,
                                                         NULL, &error);
  if (object_manager == NULL)
    {
      print_error (error);
      return EXIT_ERROR;
    }

  waiter.client = client;
  waiter.loop = loop;
  waiter.watched = watched;
  waiter.all_active = all_active;
  waiter.object_manager = object_manager;
  waiter.tty = isatty (STDOUT_FILENO);
  waiter.last_plain_print = 0;

  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      Watched *w = g_new0 (Watched, 1);

      w->path = g_strdup (paths[i]);
      g_ptr_array_add (watched, w);
    }

  g_signal_connect (object_manager, "object-added", G_CALLBACK (on_object_added), &waiter);
  g_signal_connect (object_manager, "object-removed", G_CALLBACK (on_object_removed), &waiter);
  g_signal_connect (object_manager, "notify::name-owner", G_CALLBACK (on_name_owner), &waiter);
  g_signal_connect (client->manager, "progress", G_CALLBACK (on_progress), &waiter);

  objects = g_dbus_object_manager_get_objects (object_manager);
  for (GList *l = objects; l != NULL; l = l->next)
    on_object_added (object_manager, l->data, &waiter);
  g_list_free_full (objects, g_object_unref);

  for (guint i = 0; i < watched->len; i++)
    {
      Watched *w = g_ptr_array_index (watched, i);

      if (w->proxy == NULL)
        {
          g_printerr (_("ferryctl: there is no transfer %s\n"), w->path + strlen (TRANSFERS_PATH));
          return EXIT_ERROR;
        }
    }

  if (watched->len == 0)
    {
      g_print (_("No transfer is active\n"));
      return EXIT_COMPLETED;
    }

  waiter.exit_code = -1;
  draw (&waiter);
  check_done (&waiter);
  if (waiter.exit_code < 0)
    g_main_loop_run (loop);

  g_signal_handlers_disconnect_by_data (client->manager, &waiter);
  g_signal_handlers_disconnect_by_data (object_manager, &waiter);
  for (guint i = 0; i < watched->len; i++)
    {
      Watched *w = g_ptr_array_index (watched, i);

      if (w->proxy != NULL)
        g_signal_handlers_disconnect_by_data (w->proxy, &waiter);
    }
  g_clear_handle_id (&waiter.reactivate_source, g_source_remove);

  return waiter.exit_code;
}

/* -- Commands ---------------------------------------------------------------------------- */

static GOptionContext *
command_context (const char   *parameters,
                 const char   *summary,
                 GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameters);

  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, _(exit_codes_help));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  return context;
}

static gboolean
parse_command (GOptionContext *context,
               int            *argc,
               char         ***argv,
               int             min_args,
               int            *out_code)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("ferryctl: %s\n", error->message);
      *out_code = EXIT_USAGE;
      return FALSE;
    }

  if (*argc - 1 < min_args)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      *out_code = EXIT_USAGE;
      return FALSE;
    }

  return TRUE;
}

/* --header 'Name: value' options as the "headers" option. */
static gboolean
add_headers_option (GVariantBuilder *options,
                    GStrv            headers)
{
  g_auto(GVariantBuilder) h = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));

  if (headers == NULL)
    return TRUE;

  for (guint j = 0; headers[j] != NULL; j++)
    {
      const char *colon = strchr (headers[j], ':');
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (colon == NULL)
        {
          g_printerr (_("ferryctl: a header is written 'Name: value', not “%s”\n"), headers[j]);
          return FALSE;
        }
      key = g_strstrip (g_strndup (headers[j], colon - headers[j]));
      value = g_strstrip (g_strdup (colon + 1));
      g_variant_builder_add (&h, "{ss}", key, value);
    }
  g_variant_builder_add (options, "{sv}", "headers", g_variant_builder_end (&h));
  return TRUE;
}

/* What add and upload share: whose transfer it is, when and how it may run. */
typedef struct
{
  char *id;
  char *session;
  char **headers;
  char *start_at;
  char *rate_limit;
  int priority;
  gboolean paused;
  gboolean no_metered;
  gboolean background;
  gboolean wait;
} CommonOptions;

static void
common_options_clear (CommonOptions *c)
{
  g_clear_pointer (&c->id, g_free);
  g_clear_pointer (&c->session, g_free);
  g_clear_pointer (&c->headers, g_strfreev);
  g_clear_pointer (&c->start_at, g_free);
  g_clear_pointer (&c->rate_limit, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CommonOptions, common_options_clear)

static void
add_common_entries (GOptionContext *context,
                    CommonOptions  *c)
{
  const GOptionEntry entries[] = {
    { "header", 0, 0, G_OPTION_ARG_STRING_ARRAY, &c->headers,
      N_("Extra request header (repeatable)"), "'NAME: VALUE'" },
    { "start-at", 0, 0, G_OPTION_ARG_STRING, &c->start_at,
      N_("Not before this time: 23:00, 2026-12-24 06:30, +2h, +90m"), "WHEN" },
    { "no-metered", 0, 0, G_OPTION_ARG_NONE, &c->no_metered,
      N_("Wait for an unmetered network"), NULL },
    { "background", 0, 0, G_OPTION_ARG_NONE, &c->background,
      N_("Only on an unmetered network and outside power saving"), NULL },
    { "rate-limit", 0, 0, G_OPTION_ARG_STRING, &c->rate_limit,
      N_("At most this many bytes per second: 500K, 2M"), "RATE" },
    { "priority", 0, 0, G_OPTION_ARG_INT, &c->priority,
      N_("Higher goes first (default 0)"), "N" },
    { "id", 0, 0, G_OPTION_ARG_STRING, &c->id, N_("Your stable name for this transfer"), "ID" },
    { "session", 0, 0, G_OPTION_ARG_STRING, &c->session, N_("Session to add to"), "S" },
    { "paused", 0, 0, G_OPTION_ARG_NONE, &c->paused, N_("Add without starting"), NULL },
    { "wait", 0, 0, G_OPTION_ARG_NONE, &c->wait, N_("Show progress and wait for the end"), NULL },
    { NULL }
  };

  /* The context keeps a copy of the entries; the pointers in them stay @c's. */
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

/* "23:00" or "9:30": TRUE with the hour and minute. */
static gboolean
is_time_of_day (const char *text,
                guint      *out_hour,
                guint      *out_minute)
{
  gsize len = strlen (text);

  if ((len != 4 && len != 5) || text[len - 3] != ':')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (i != len - 3 && !g_ascii_isdigit (text[i]))
      return FALSE;

  *out_hour = (guint) g_ascii_strtoull (text, NULL, 10);
  *out_minute = (guint) g_ascii_strtoull (text + len - 2, NULL, 10);
  return *out_hour < 24 && *out_minute < 60;
}

/* --start-at: "23:00" or "9:30" (the next time it is that time), "2026-12-24 06:30" or ISO 8601 with "T",
 * "+90m" / "+2h" / "+1d" from now, "@1767225600" in Unix seconds. */
static gboolean
parse_start_at (const char *text,
                GDateTime  *now,
                gint64     *out_unix)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GDateTime) when = NULL;
  guint hour, minute;
  char *end;

  if (text[0] == '@' && g_ascii_isdigit (text[1]))
    {
      guint64 seconds = g_ascii_strtoull (text + 1, &end, 10);

      if (*end != '\0' || seconds > G_GINT64_CONSTANT (253402300799))
        return FALSE;
      *out_unix = (gint64) seconds;
      return TRUE;
    }

  if (text[0] == '+' && g_ascii_isdigit (text[1]))
    {
      guint64 n = g_ascii_strtoull (text + 1, &end, 10);
      guint64 unit = g_str_equal (end, "s") ? 1
                     : g_str_equal (end, "m") ? 60
                     : g_str_equal (end, "h") ? 3600
                     : g_str_equal (end, "d") ? 86400 : 0;

      if (unit == 0 || n > G_GINT64_CONSTANT (315360000) / unit)   /* ten years at most */
        return FALSE;
      *out_unix = g_date_time_to_unix (now) + (gint64) (n * unit);
      return TRUE;
    }

  if (is_time_of_day (text, &hour, &minute))
    {
      when = g_date_time_new (local, g_date_time_get_year (now), g_date_time_get_month (now),
                              g_date_time_get_day_of_month (now), (int) hour, (int) minute, 0);
      if (when != NULL && g_date_time_compare (when, now) <= 0)
        {
          GDateTime *tomorrow = g_date_time_add_days (when, 1);

          g_date_time_unref (when);
          when = tomorrow;
        }
    }
  else
    {
      /* "2026-12-24 06:30" reads as ISO 8601 with a space for the "T". */
      g_autofree char *iso = g_strdelimit (g_strdup (text), " ", 'T');
      g_autofree char *with_seconds = strlen (iso) == 16 ? g_strconcat (iso, ":00", NULL)
                                                          : g_strdup (iso);

      when = g_date_time_new_from_iso8601 (with_seconds, local);
    }

  if (when == NULL)
    return FALSE;
  *out_unix = g_date_time_to_unix (when);
  return TRUE;
}

/* --rate-limit: bytes per second, with K, M or G for 1024, 1024² or 1024³ as curl takes it. */
static gboolean
parse_rate (const char *text,
            guint64    *out_rate)
{
  char *end;
  guint64 n;
  guint64 unit;

  if (!g_ascii_isdigit (text[0]))
    return FALSE;
  n = g_ascii_strtoull (text, &end, 10);
  switch (g_ascii_toupper (*end))
    {
    case '\0':
      unit = 1;
      break;
    case 'K':
      unit = 1024;
      break;
    case 'M':
      unit = 1024 * 1024;
      break;
    case 'G':
      unit = 1024 * 1024 * 1024;
      break;
    default:
      return FALSE;
    }
  if (*end != '\0' && end[1] != '\0')
    return FALSE;
  if (n > G_MAXUINT64 / unit)
    return FALSE;
  *out_rate = n * unit;
  return TRUE;
}

/* Adds what @c holds to @options. FALSE, having said why, when something is not written
 * the way it should be. */
static gboolean
add_common_options (const CommonOptions *c,
                    GVariantBuilder     *options)
{
  if (c->start_at != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      gint64 when;

      if (!parse_start_at (c->start_at, now, &when))
        {
          g_printerr (_("ferryctl: --start-at takes a time like 23:00, 2026-12-24 06:30 or "
                        "+2h, not “%s”\n"), c->start_at);
          return FALSE;
        }
      if (when < g_date_time_to_unix (now))
        {
          g_printerr (_("ferryctl: --start-at %s has already passed\n"), c->start_at);
          return FALSE;
        }
      g_variant_builder_add (options, "{sv}", "earliest-begin", g_variant_new_int64 (when));
    }

  if (c->rate_limit != NULL)
    {
      guint64 rate;

      if (!parse_rate (c->rate_limit, &rate))
        {
          g_printerr (_("ferryctl: --rate-limit takes bytes per second like 500K or 2M, "
                        "not “%s”\n"), c->rate_limit);
          return FALSE;
        }
      g_variant_builder_add (options, "{sv}", "rate-limit", g_variant_new_uint64 (rate));
    }

  if (c->no_metered)
    g_variant_builder_add (options, "{sv}", "allow-metered", g_variant_new_boolean (FALSE));
  if (c->background)
    g_variant_builder_add (options, "{sv}", "discretionary", g_variant_new_boolean (TRUE));
  if (c->priority != 0)
    g_variant_builder_add (options, "{sv}", "priority", g_variant_new_int32 (c->priority));
  if (c->id != NULL)
    g_variant_builder_add (options, "{sv}", "identifier", g_variant_new_string (c->id));
  if (c->session != NULL)
    g_variant_builder_add (options, "{sv}", "session", g_variant_new_string (c->session));
  if (c->paused)
    g_variant_builder_add (options, "{sv}", "paused", g_variant_new_boolean (TRUE));
  return add_headers_option (options, c->headers);
}

static int
cmd_add (int    argc,
         char **argv)
{
  g_autofree char *to = NULL;
  g_autofree char *name = NULL;
  g_autofree char *sha256 = NULL;
  g_auto(CommonOptions) common = { 0 };
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &to, N_("Save into DIR (default: Downloads)"), "DIR" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Name of the file to create"), "NAME" },
    { "sha256", 0, 0, G_OPTION_ARG_STRING, &sha256, N_("Expected SHA-256 of the file"), "HEX" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    command_context (_("add URL… — download files"),
                     _("Hands downloads to the Ferry service. They go on after this command "
                       "ends, survive restarts, and resume where they stopped."),
                     entries);
  g_auto(Client) client = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *absolute_to = NULL;
  int code = EXIT_COMPLETED;

  add_common_entries (context, &common);
  if (!parse_command (context, &argc, &argv, 1, &code))
    return code;

  if (!client_connect (&client, &error))
    {
      print_error (error);
      return EXIT_ERROR;
    }

  if (to != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (to);

      absolute_to = g_file_get_path (file);
    }

  if (argc > 2 && (name != NULL || common.id != NULL))
    {
      g_printerr (_("ferryctl: --name and --id name one transfer; give one URL with them\n"));
      return EXIT_USAGE;
    }

  for (int i = 1; i < argc; i++)
    {
      g_auto(GVariantBuilder) options = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
      g_autofree char *path = NULL;

      if (absolute_to != NULL)
        g_variant_builder_add (&options, "{sv}", "destination", g_variant_new_string (absolute_to));
      if (name != NULL)
        g_variant_builder_add (&options, "{sv}", "filename", g_variant_new_string (name));
      if (sha256 != NULL)
        g_variant_builder_add (&options, "{sv}", "sha256", g_variant_new_string (sha256));
      if (!add_common_options (&common, &options))
        return EXIT_USAGE;

      if (!ferry_manager1_call_add_download_sync (client.manager, argv[i],
                                                  g_variant_builder_end (&options), &path,
                                                  NULL, &error))
        {
          print_error (error);
          return EXIT_ERROR;
        }

      if (!common.wait)
        g_print ("%s\n", path + strlen (TRANSFERS_PATH));
      g_ptr_array_add (paths, g_steal_pointer (&path));
    }

  if (!common.wait)
    return EXIT_COMPLETED;

  g_ptr_array_add (paths, NULL);
  return wait_for (&client, (const char *const *) paths->pdata, FALSE);
}

static int
cmd_upload (int    argc,
            char **argv)
{
  g_autofree char *protocol = NULL;
  g_autofree char *method = NULL;
  g_autofree char *field = NULL;
  g_autofree char *type = NULL;
  g_autofree char *name = NULL;
  g_auto(CommonOptions) common = { 0 };
  int interop = 0;
  GOptionEntry entries[] = {
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &protocol,
      N_("auto (default), ietf, tus or plain"), "P" },
    { "method", 0, 0, G_OPTION_ARG_STRING, &method, N_("POST (default) or PUT"), "M" },
    { "field", 0, 0, G_OPTION_ARG_STRING, &field,
      N_("Send as a multipart/form-data POST with this field name"), "NAME" },
    { "content-type", 0, 0, G_OPTION_ARG_STRING, &type, N_("Media type of the file"), "TYPE" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("File name to tell the server"), "NAME" },
    { "interop-version", 0, 0, G_OPTION_ARG_INT, &interop,
      N_("Resumable upload draft interop version: 9 (default) or 6"), "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    command_context (_("upload FILE URL — upload a file"),
                     _("Hands an upload to the Ferry service. It goes on after this command "
                       "ends and survives restarts; resumable servers (the IETF draft, tus) "
                       "continue where they stopped, others start over."),
                     entries);
  g_auto(Client) client = { 0 };
  g_auto(GVariantBuilder) options = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const char *paths[2] = { NULL, NULL };
  int code = EXIT_COMPLETED;
  int fd;

  add_common_entries (context, &common);
  if (!parse_command (context, &argc, &argv, 2, &code))
    return code;
  if (argc != 3)
    {
      g_printerr (_("ferryctl: upload takes one file and one address\n"));
      return EXIT_USAGE;
    }

  /* The service reads the file from this descriptor, never from a path it is told. */
  fd = open (argv[1], O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;

      g_printerr (_("ferryctl: cannot open %s: %s\n"), argv[1], g_strerror (saved));
      return EXIT_ERROR;
    }
  g_unix_fd_list_append (fds, fd, NULL);
  close (fd);

#define ADD_STRING(key, value) \
  if (value != NULL) \
    g_variant_builder_add (&options, "{sv}", key, g_variant_new_string (value))
  ADD_STRING ("protocol", protocol);
  ADD_STRING ("method", method);
  ADD_STRING ("form-field", field);
  ADD_STRING ("content-type", type);
  ADD_STRING ("filename", name);
#undef ADD_STRING
  if (interop != 0)
    g_variant_builder_add (&options, "{sv}", "interop-version", g_variant_new_uint32 (interop));
  if (!add_common_options (&common, &options))
    return EXIT_USAGE;

  if (!client_connect (&client, &error) ||
      !ferry_manager1_call_add_upload_sync (client.manager, argv[2], g_variant_new_handle (0),
                                            g_variant_builder_end (&options), fds, &path, NULL,
                                            NULL, &error))
    {
      print_error (error);
      return EXIT_ERROR;
    }

  if (!common.wait)
    {
      g_print ("%s\n", path + strlen (TRANSFERS_PATH));
      return EXIT_COMPLETED;
    }

  paths[0] = path;
  return wait_for (&client, paths, FALSE);
}

static int
cmd_wait (int    argc,
          char **argv)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context =
    command_context (_("wait ID… — wait for transfers to end"),
                     _("Shows progress until every transfer given has ended; the exit status "
                       "tells the worst outcome."),
                     entries);
  g_auto(Client) client = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  int code = EXIT_COMPLETED;

  if (!parse_command (context, &argc, &argv, 1, &code))
    return code;

  for (int i = 1; i < argc; i++)
    {
      char *path = transfer_path (argv[i]);

      if (path == NULL)
        {
          g_printerr (_("ferryctl: “%s” is not a transfer number\n"), argv[i]);
          return EXIT_USAGE;
        }
      g_ptr_array_add (paths, path);
    }
  g_ptr_array_add (paths, NULL);

  if (!client_connect (&client, &error))
    {
      print_error (error);
      return EXIT_ERROR;
    }

  return wait_for (&client, (const char *const *) paths->pdata, FALSE);
}

static int
cmd_watch (int    argc,
           char **argv)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context =
    command_context (_("watch — show every active transfer"),
                     _("Shows the progress of every queued, waiting or running transfer until "
                       "none is left."),
                     entries);
  g_auto(Client) client = { 0 };
  g_autoptr(GError) error = NULL;
  int code = EXIT_COMPLETED;

  if (!parse_command (context, &argc, &argv, 0, &code))
    return code;

  if (!client_connect (&client, &error))
    {
      print_error (error);
      return EXIT_ERROR;
    }

  return wait_for (&client, NULL, TRUE);
}

static void
append_json_string (GString    *out,
                    const char *str)
{
  g_string_append_c (out, '"');
  for (const char *s = str ? str : ""; *s != '\0'; s++)
    {
      guchar c = (guchar) *s;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

static int
compare_transfer_ids (gconstpointer a,
                      gconstpointer b)
{
  guint64 ia = ferry_transfer1_get_id ((FerryTransfer1 *) a);
  guint64 ib = ferry_transfer1_get_id ((FerryTransfer1 *) b);

  return ia < ib ? -1 : (ia > ib ? 1 : 0);
}

/* Every transfer the caller may see (@session NULL) or of @session, oldest first, a page of
 * GetTransfersPage at a time: for a list too long for one D-Bus message. The transfers are
 * local objects holding what a page says (Attempts and BytesSent are not in it: 0). */
static GList *
list_transfers_paged (Client      *client,
                      const char  *session,
                      GError     **error)
{
  GList *transfers = NULL;
  guint64 after = 0;

  do
    {
      g_autoptr(GVariant) page = NULL;
      GVariantIter iter;
      const char *path, *kind, *uri, *destination, *session_name, *identifier, *state;
      const char *error_text;
      g_autofree const char **reasons = NULL;
      guint64 id, done, total, rate;
      gint64 earliest, retry_at, created, finished;
      guint status;
      gboolean metered, resumable;
      guint64 next;

      if (!ferry_manager1_call_get_transfers_page_sync (client->manager, session ? session : "",
                                                        after, 0, &page, &next, NULL, error))
        {
          g_list_free_full (transfers, g_object_unref);
          return NULL;
        }

      g_variant_iter_init (&iter, page);
      while (g_variant_iter_next (&iter, "(&ot&s&s&s&s&s&s^a&stttxxxxu&sbb)", &path, &id, &kind,
                                  &uri, &destination, &session_name, &identifier, &state,
                                  &reasons, &done, &total, &rate, &earliest, &retry_at,
                                  &created, &finished, &status, &error_text, &metered,
                                  &resumable))
        {
          FerryTransfer1 *t = ferry_transfer1_skeleton_new ();

          g_object_set (t, "id", id, "kind", kind, "uri", uri, "destination", destination,
                        "session", session_name, "identifier", identifier, "state", state,
                        "wait-reasons", reasons, "bytes-done", done, "bytes-total", total,
                        "rate", rate, "earliest-begin", earliest, "retry-at", retry_at,
                        "created-at", created, "finished-at", finished, "http-status", status,
                        "error", error_text, "allow-metered", metered, "resumable", resumable,
                        NULL);
          g_clear_pointer (&reasons, g_free);
          transfers = g_list_prepend (transfers, t);
        }
      after = next;
    }
  while (after != 0);

  return g_list_reverse (transfers);
}

static gboolean
too_many (const GError *error)
{
  return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED);
}

/* Every transfer, oldest first, from one GetManagedObjects call. */
/* Every transfer the caller may see, or only those of @session (NULL for all). */
static GList *
list_transfers (Client      *client,
                const char  *session,
                GError     **error)
{
  g_autoptr(GDBusObjectManager) object_manager = NULL;
  g_autoptr(GError) local = NULL;
  g_auto(GStrv) paths = NULL;
  GList *objects;
  GList *transfers = NULL;

  /* The service decides what a session's listing holds, and whether this caller may ask. */
  if (session != NULL &&
      !ferry_manager1_call_list_transfers_sync (client->manager, session, &paths, NULL, &local))
    {
      if (too_many (local))
        return list_transfers_paged (client, session, error);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }

  object_manager = ferry_object_manager_client_new_sync (client->bus,
                                                         G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                                         FERRY_DAEMON_ID, FERRY_DAEMON_PATH,
                                                         NULL, &local);
  if (object_manager == NULL)
    {
      /* More transfers than one message holds: page through them instead. */
      if (too_many (local))
        return list_transfers_paged (client, session, error);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }

  objects = g_dbus_object_manager_get_objects (object_manager);
  for (GList *l = objects; l != NULL; l = l->next)
    {
      FerryTransfer1 *t = ferry_object_peek_transfer1 (FERRY_OBJECT (l->data));

      if (t != NULL &&
          (paths == NULL ||
           g_strv_contains ((const char *const *) paths,
                            g_dbus_object_get_object_path (G_DBUS_OBJECT (l->data)))))
        transfers = g_list_prepend (transfers, g_object_ref (t));
    }
  g_list_free_full (objects, g_object_unref);

  return g_list_sort (transfers, compare_transfer_ids);
}

static void
append_json_member (GString    *out,
                    const char *key,
                    const char *format,
                    ...) G_GNUC_PRINTF (3, 4);

static void
append_json_member (GString    *out,
                    const char *key,
                    const char *format,
                    ...)
{
  va_list args;

  if (out->len > 0 && out->str[out->len - 1] != '{')
    g_string_append (out, ", ");
  append_json_string (out, key);
  g_string_append (out, ": ");
  va_start (args, format);
  g_string_append_vprintf (out, format, args);
  va_end (args);
}

static void
append_json_text (GString    *out,
                  const char *key,
                  const char *value)
{
  g_autoptr(GString) quoted = g_string_new (NULL);

  append_json_string (quoted, value);
  append_json_member (out, key, "%s", quoted->str);
}

static char *
transfer_to_json (FerryTransfer1 *t)
{
  GString *out = g_string_new ("{");
  const char *const *reasons = ferry_transfer1_get_wait_reasons (t);
  g_autoptr(GString) reason_list = g_string_new ("[");

  for (guint i = 0; reasons != NULL && reasons[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (reason_list, ", ");
      append_json_string (reason_list, reasons[i]);
    }
  g_string_append_c (reason_list, ']');

  append_json_member (out, "id", "%" G_GUINT64_FORMAT, ferry_transfer1_get_id (t));
  append_json_text (out, "kind", ferry_transfer1_get_kind (t));
  append_json_text (out, "uri", ferry_transfer1_get_uri (t));
  append_json_text (out, "destination", ferry_transfer1_get_destination (t));
  append_json_text (out, "session", ferry_transfer1_get_session (t));
  append_json_text (out, "identifier", ferry_transfer1_get_identifier (t));
  append_json_text (out, "state", ferry_transfer1_get_state (t));
  append_json_member (out, "wait_reasons", "%s", reason_list->str);
  append_json_member (out, "bytes_done", "%" G_GUINT64_FORMAT, ferry_transfer1_get_bytes_done (t));
  append_json_member (out, "bytes_sent", "%" G_GUINT64_FORMAT, ferry_transfer1_get_bytes_sent (t));
  append_json_member (out, "bytes_total", "%" G_GUINT64_FORMAT,
                      ferry_transfer1_get_bytes_total (t));
  append_json_member (out, "rate", "%" G_GUINT64_FORMAT, ferry_transfer1_get_rate (t));
  append_json_member (out, "earliest_begin", "%" G_GINT64_FORMAT,
                      ferry_transfer1_get_earliest_begin (t));
  append_json_member (out, "retry_at", "%" G_GINT64_FORMAT, ferry_transfer1_get_retry_at (t));
  append_json_member (out, "attempts", "%u", ferry_transfer1_get_attempts (t));
  append_json_member (out, "http_status", "%u", ferry_transfer1_get_http_status (t));
  append_json_text (out, "error", ferry_transfer1_get_error (t));
  append_json_member (out, "resumable", "%s", ferry_transfer1_get_resumable (t) ? "true" : "false");
  append_json_member (out, "created_at", "%" G_GINT64_FORMAT, ferry_transfer1_get_created_at (t));
  append_json_member (out, "finished_at", "%" G_GINT64_FORMAT,
                      ferry_transfer1_get_finished_at (t));
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

static int
cmd_list (int    argc,
          char **argv)
{
  gboolean json = FALSE;
  g_autofree char *session = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array"), NULL },
    { "session", 0, 0, G_OPTION_ARG_STRING, &session,
      N_("Only the transfers of session S (an app id)"), "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    command_context (_("list — list every transfer"),
                     _("Lists the transfers the service keeps, oldest first, including ended "
                       "ones until they are removed."),
                     entries);
  g_auto(Client) client = { 0 };
  g_autoptr(GError) error = NULL;
  GList *transfers;
  int code = EXIT_COMPLETED;

  if (!parse_command (context, &argc, &argv, 0, &code))
    return code;

  if (!client_connect (&client, &error))
    {
      print_error (error);
      return EXIT_ERROR;
    }

  transfers = list_transfers (&client, session, &error);
  if (error != NULL)
    {
      print_error (error);
      return EXIT_ERROR;
    }

  if (json)
    g_print ("[");

  for (GList *l = transfers; l != NULL; l = l->next)
    {
      FerryTransfer1 *t = l->data;

      if (json)
        {
          g_autofree char *object = transfer_to_json (t);

          g_print ("%s\n  %s", l == transfers ? "" : ",", object);
        }
      else
        {
          g_autofree char *line = describe (t, ferry_transfer1_get_bytes_done (t),
                                            ferry_transfer1_get_bytes_total (t),
                                            ferry_transfer1_get_rate (t));

          g_print ("%4" G_GUINT64_FORMAT "  %-10s %s  %s\n", ferry_transfer1_get_id (t),
                   ferry_transfer1_get_state (t), display_name (t), line);
        }
    }

  if (json)
    g_print ("%s]\n", transfers ? "\n" : "");
  else if (transfers == NULL)
    g_print (_("No transfers\n"));

  g_list_free_full (transfers, g_object_unref);
  return EXIT_COMPLETED;
}

typedef enum
{
  ACTION_PAUSE,
  ACTION_RESUME,
  ACTION_CANCEL,
  ACTION_REMOVE,
} Action;

static int
cmd_action (int    argc,
            char **argv,
            Action action)
{
  gboolean delete_data = FALSE;
  GOptionEntry remove_entries[] = {
    { "delete", 0, 0, G_OPTION_ARG_NONE, &delete_data,
      N_("Also delete the downloaded file"), NULL },
    { NULL }
  };
  GOptionEntry no_entries[] = { { NULL } };
  static const char *const usage[] = {
    N_("pause ID… — pause transfers"),
    N_("resume ID… — resume paused transfers, or retry failed ones"),
    N_("cancel ID… — stop transfers for good and delete their partial data"),
    N_("remove ID… — forget transfers"),
  };
  static const char *const summary[] = {
    N_("Stops transfers at a checkpoint; they keep their bytes."),
    N_("Lets paused transfers go on; failed or rejected ones try again."),
    N_("Cancels transfers; a canceled transfer stays listed until it is removed."),
    N_("Removes transfers from the list, canceling those that have not ended."),
  };
  g_autoptr(GOptionContext) context =
    command_context (_(usage[action]), _(summary[action]),
                     action == ACTION_REMOVE ? remove_entries : no_entries);
  g_auto(Client) client = { 0 };
  g_autoptr(GError) error = NULL;
  int code = EXIT_COMPLETED;

  if (!parse_command (context, &argc, &argv, 1, &code))
    return code;

  if (!client_connect (&client, &error))
    {
      print_error (error);
      return EXIT_ERROR;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(FerryTransfer1) t = transfer_proxy (&client, argv[i], &error);
      gboolean ok = FALSE;

      if (t != NULL)
        {
          switch (action)
            {
            case ACTION_PAUSE:
              ok = ferry_transfer1_call_pause_sync (t, NULL, &error);
              break;
            case ACTION_RESUME:
              ok = ferry_transfer1_call_resume_sync (t, NULL, &error);
              break;
            case ACTION_CANCEL:
              ok = ferry_transfer1_call_cancel_sync (t, NULL, &error);
              break;
            case ACTION_REMOVE:
            default:
              ok = ferry_transfer1_call_remove_sync (t, delete_data, NULL, &error);
              break;
            }
        }

      if (!ok)
        {
          print_error (error);
          g_clear_error (&error);
          code = EXIT_ERROR;
        }
    }

  return code;
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n%s\n", _("Usage: ferryctl COMMAND [OPTION…]"),
           _("Commands:\n"
             "  add URL…        download files (--wait shows progress until they end)\n"
             "  upload FILE URL upload a file (resumable where the server allows)\n"
             "  list            list every transfer (--json for scripts)\n"
             "  watch           show every active transfer until none is left\n"
             "  wait ID…        wait for transfers to end\n"
             "  pause ID…       pause transfers\n"
             "  resume ID…      resume or retry transfers\n"
             "  cancel ID…      cancel transfers\n"
             "  remove ID…      forget transfers (--delete also deletes the file)\n"
             "\n"
             "“ferryctl COMMAND --help” describes a command."));
  fprintf (out, "\n%s\n", _(exit_codes_help));
}

int
main (int   argc,
      char *argv[])
{
  const char *command;

  setlocale (LC_ALL, "");
  /* FERRY_LOCALEDIR: translations from elsewhere than the installed ones (tests, builds). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("FERRY_LOCALEDIR") ? g_getenv ("FERRY_LOCALEDIR")
                                                                : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("ferryctl");

  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_USAGE;
    }

  command = argv[1];
  argc--;
  argv++;

  if (g_str_equal (command, "--help") || g_str_equal (command, "-h") ||
      g_str_equal (command, "help"))
    {
      print_usage (stdout);
      return EXIT_COMPLETED;
    }
  if (g_str_equal (command, "--version"))
    {
      g_print ("ferryctl %s\n", PACKAGE_VERSION);
      return EXIT_COMPLETED;
    }
  if (g_str_equal (command, "add"))
    return cmd_add (argc, argv);
  if (g_str_equal (command, "upload"))
    return cmd_upload (argc, argv);
  if (g_str_equal (command, "list"))
    return cmd_list (argc, argv);
  if (g_str_equal (command, "watch"))
    return cmd_watch (argc, argv);
  if (g_str_equal (command, "wait"))
    return cmd_wait (argc, argv);
  if (g_str_equal (command, "pause"))
    return cmd_action (argc, argv, ACTION_PAUSE);
  if (g_str_equal (command, "resume"))
    return cmd_action (argc, argv, ACTION_RESUME);
  if (g_str_equal (command, "cancel"))
    return cmd_action (argc, argv, ACTION_CANCEL);
  if (g_str_equal (command, "remove"))
    return cmd_action (argc, argv, ACTION_REMOVE);

  g_printerr (_("ferryctl: unknown command “%s”\n\n"), command);
  print_usage (stderr);
  return EXIT_USAGE;
}
