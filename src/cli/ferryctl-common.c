/* ferryctl-common.c: what ferryctl's commands share — options, the connection, words, JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ferry-client-name.h"
#include "ferry-format.h"
#include "ferryctl-private.h"

const char *ferryctl_exit_codes_help =
  N_("Exit status: 0 completed (or done), 1 error, 2 wrong usage, 3 rejected by the server, "
     "4 failed, 5 canceled.");

/* -- Options ----------------------------------------------------------------------------- */

GOptionContext *
ferryctl_context (const char   *parameters,
                  const char   *summary,
                  GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameters);

  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, _(ferryctl_exit_codes_help));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  return context;
}

/* FALSE with the exit code when the command is not to run: its help was asked for, or it
 * was called wrong. */
gboolean
ferryctl_parse (GOptionContext *context,
                int            *argc,
                char         ***argv,
                gboolean        do_help,
                int             min_args,
                int            *out_code)
{
  g_autoptr(GError) error = NULL;

  if (do_help)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_print ("%s", help);
      *out_code = EXIT_COMPLETED;
      return FALSE;
    }

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

void
ferryctl_common_options_clear (CommonOptions *c)
{
  g_clear_pointer (&c->id, g_free);
  g_clear_pointer (&c->session, g_free);
  g_clear_pointer (&c->headers, g_strfreev);
  g_clear_pointer (&c->start_at, g_free);
  g_clear_pointer (&c->rate_limit, g_free);
}

void
ferryctl_add_common_entries (GOptionContext *context,
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

/* --start-at: "23:00" or "9:30" (the next time it is that time), "2026-12-24 06:30" or ISO
 * 8601 with "T", "+90m" / "+2h" / "+1d" from now, "@1767225600" in Unix seconds. */
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

/* Sets what @c holds on @request. FALSE, having said why, when something is not written
 * the way it should be. */
gboolean
ferryctl_apply_common_options (const CommonOptions *c,
                               FerryRequest        *request)
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
      ferry_request_set_earliest_begin (request, when);
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
      ferry_request_set_rate_limit (request, rate);
    }

  if (c->no_metered)
    ferry_request_set_allow_metered (request, FALSE);
  if (c->background)
    ferry_request_set_discretionary (request, TRUE);
  if (c->priority != 0)
    ferry_request_set_priority (request, c->priority);
  if (c->paused)
    ferry_request_set_paused (request, TRUE);

  /* --header 'Name: value' */
  for (guint j = 0; c->headers != NULL && c->headers[j] != NULL; j++)
    {
      const char *colon = strchr (c->headers[j], ':');
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (colon == NULL)
        {
          g_printerr (_("ferryctl: a header is written 'Name: value', not “%s”\n"),
                      c->headers[j]);
          return FALSE;
        }
      key = g_strstrip (g_strndup (c->headers[j], colon - c->headers[j]));
      value = g_strstrip (g_strdup (colon + 1));
      ferry_request_set_header (request, key, value);
    }
  return TRUE;
}

/* -- The service ------------------------------------------------------------------------- */

void
ferryctl_print_error (const GError *error)
{
  g_printerr ("ferryctl: %s\n", error->message);
}

/* A session on the session bus: @session_id's transfers, or with NULL all the caller may
 * see; with @adding_only one that only adds (it does not fetch the list). */
FerrySession *
ferryctl_connect (const char  *session_id,
                  gboolean     adding_only,
                  GError     **error)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);

  if (bus == NULL)
    return NULL;

  /* A ferryd installed as a Flatpak knows Ferry's own programs only by this name. */
  ferry_client_name_claim (bus, FERRY_APP_ID);

  if (adding_only)
    return ferry_session_new_for_adding (bus, session_id);
  return ferry_session_new_for_connection (bus, session_id);
}

void
ferryctl_got_result (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* A command is one or two calls: it runs the main context until the answer is in, and the
 * session's signals are dispatched meanwhile. */
GAsyncResult *
ferryctl_iterate (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

gboolean
ferryctl_refresh (FerrySession  *session,
                  GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ferry_session_refresh_async (session, NULL, ferryctl_got_result, &result);
  return ferry_session_refresh_finish (session, ferryctl_iterate (&result), error);
}

/* "42", or a transfer's full object path. */
gboolean
ferryctl_parse_id (const char *arg,
                   guint64    *out_id)
{
  const char *number = arg;

  if (arg[0] == '/' && g_variant_is_object_path (arg))
    number = strrchr (arg, '/') + 1;
  return g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT64, out_id, NULL);
}

/* The listed transfer @arg names; the list must be loaded. A transfer of another app is
 * not listed, so it is not there either, as the service says it itself. */
FerryTransfer *
ferryctl_find (FerrySession  *session,
               const char    *arg,
               GError       **error)
{
  FerryTransfer *t;
  guint64 id;

  if (!ferryctl_parse_id (arg, &id))
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a transfer number"), arg);
      return NULL;
    }

  t = ferry_session_lookup_id (session, id);
  if (t == NULL || (arg[0] == '/' && !g_str_equal (arg, ferry_transfer_get_object_path (t))))
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_NOT_FOUND, _("There is no transfer %s"),
                   arg);
      return NULL;
    }
  return t;
}

/* -- Words ------------------------------------------------------------------------------- */

/* As the service spells them: the enums' nicks. */
const char *
ferryctl_state_name (FerryTransferState state)
{
  GEnumClass *klass = g_type_class_ref (FERRY_TYPE_TRANSFER_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  g_type_class_unref (klass);
  return value != NULL ? value->value_nick : "";
}

const char *
ferryctl_kind_name (FerryTransferKind kind)
{
  return kind == FERRY_TRANSFER_KIND_UPLOAD ? "upload" : "download";
}

gboolean
ferryctl_is_over (FerryTransfer *t)
{
  return ferry_transfer_get_state (t) >= FERRY_TRANSFER_STATE_COMPLETED;
}

int
ferryctl_exit_code (FerryTransfer *t)
{
  switch (ferry_transfer_get_state (t))
    {
    case FERRY_TRANSFER_STATE_COMPLETED:
      return EXIT_COMPLETED;
    case FERRY_TRANSFER_STATE_REJECTED:
      return EXIT_REJECTED;
    case FERRY_TRANSFER_STATE_FAILED:
      return EXIT_FAILED;
    case FERRY_TRANSFER_STATE_CANCELED:
      return EXIT_CANCELED;
    case FERRY_TRANSFER_STATE_QUEUED:
    case FERRY_TRANSFER_STATE_WAITING:
    case FERRY_TRANSFER_STATE_RUNNING:
    case FERRY_TRANSFER_STATE_PAUSED:
    default:
      return EXIT_ERROR;
    }
}

const char *
ferryctl_display_name (FerryTransfer *t)
{
  const char *destination = ferry_transfer_get_destination (t);
  const char *slash;

  if (destination != NULL && *destination != '\0')
    {
      slash = strrchr (destination, '/');
      return slash ? slash + 1 : destination;
    }
  return ferry_transfer_get_uri (t);
}

/* One line in words: what the transfer is doing. */
char *
ferryctl_describe (FerryTransfer *t)
{
  const char *state = ferryctl_state_name (ferry_transfer_get_state (t));
  const char *error = ferry_transfer_get_error (t);
  guint64 done = ferry_transfer_get_bytes_done (t);
  guint64 total = ferry_transfer_get_bytes_total (t);

  switch (ferry_transfer_get_state (t))
    {
    case FERRY_TRANSFER_STATE_RUNNING:
      /* An upload moves as it is sent; the server acknowledges later (a plain one at its end). */
      if (ferry_transfer_get_kind (t) == FERRY_TRANSFER_KIND_UPLOAD)
        {
          g_autofree char *progress = NULL;

          progress = ferry_format_progress (ferry_transfer_get_bytes_sent (t), total,
                                            ferry_transfer_get_rate (t));
          return g_strdup_printf (_("uploaded %s"), progress);
        }
      return ferry_format_progress (done, total, ferry_transfer_get_rate (t));

    case FERRY_TRANSFER_STATE_WAITING:
      {
        const char *const *reasons = ferry_transfer_get_wait_reasons (t);
        g_autofree char *joined = reasons ? g_strjoinv (", ", (char **) reasons) : g_strdup ("");
        gint64 retry_at = ferry_transfer_get_retry_at (t);

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

    case FERRY_TRANSFER_STATE_COMPLETED:
      {
        g_autofree char *size = g_format_size (total > 0 ? total : done);

        if (error != NULL && *error != '\0')
          return g_strdup_printf (_("completed — %s — not verified: %s"), size, error);
        return g_strdup_printf (_("completed — %s"), size);
      }

    case FERRY_TRANSFER_STATE_REJECTED:
    case FERRY_TRANSFER_STATE_FAILED:
      return g_strdup_printf ("%s: %s", state, error && *error ? error : "");

    case FERRY_TRANSFER_STATE_QUEUED:
    case FERRY_TRANSFER_STATE_PAUSED:
    case FERRY_TRANSFER_STATE_CANCELED:
    default:
      {
        g_autofree char *progress = ferry_format_progress (done, total, 0);

        return g_strdup_printf ("%s — %s", state, progress);
      }
    }
}

/* -- JSON -------------------------------------------------------------------------------- */

/* One line, `{"key": value, …}`, as ferryctl has always printed it; json-glib escapes the
 * strings (one generator for all: a list may hold 10,000 transfers). */
static void
append_node (GString       *out,
             JsonGenerator *generator,
             JsonNode      *node)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      g_string_append_c (out, '[');
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          append_node (out, generator, json_array_get_element (array, i));
        }
      g_string_append_c (out, ']');
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;
      gboolean first = TRUE;

      g_string_append_c (out, '{');
      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &value))
        {
          /* The names are ferryctl's own, plain ASCII. */
          g_string_append_printf (out, "%s\"%s\": ", first ? "" : ", ", name);
          append_node (out, generator, value);
          first = FALSE;
        }
      g_string_append_c (out, '}');
    }
  else if (json_node_get_value_type (node) == G_TYPE_INT64)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
  else
    {
      g_autofree char *text = NULL;

      json_generator_set_root (generator, node);
      text = json_generator_to_data (generator, NULL);
      g_string_append (out, text);
    }
}

static void
add_string (JsonBuilder *builder,
            const char  *key,
            const char  *value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_string_value (builder, value != NULL ? value : "");
}

static void
add_int (JsonBuilder *builder,
         const char  *key,
         gint64       value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_int_value (builder, value);
}

/* The fields of `list --json`, named as they always were. */
char *
ferryctl_transfer_to_json (FerryTransfer *t)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *const *reasons = ferry_transfer_get_wait_reasons (t);
  static JsonGenerator *generator;
  GString *out = g_string_new (NULL);

  json_builder_begin_object (builder);
  add_int (builder, "id", (gint64) ferry_transfer_get_id (t));
  add_string (builder, "kind", ferryctl_kind_name (ferry_transfer_get_kind (t)));
  add_string (builder, "uri", ferry_transfer_get_uri (t));
  add_string (builder, "destination", ferry_transfer_get_destination (t));
  add_string (builder, "session", ferry_transfer_get_session (t));
  add_string (builder, "identifier", ferry_transfer_get_identifier (t));
  add_string (builder, "state", ferryctl_state_name (ferry_transfer_get_state (t)));
  json_builder_set_member_name (builder, "wait_reasons");
  json_builder_begin_array (builder);
  for (guint i = 0; reasons != NULL && reasons[i] != NULL; i++)
    json_builder_add_string_value (builder, reasons[i]);
  json_builder_end_array (builder);
  add_int (builder, "bytes_done", (gint64) ferry_transfer_get_bytes_done (t));
  add_int (builder, "bytes_sent", (gint64) ferry_transfer_get_bytes_sent (t));
  add_int (builder, "bytes_total", (gint64) ferry_transfer_get_bytes_total (t));
  add_int (builder, "rate", (gint64) ferry_transfer_get_rate (t));
  add_int (builder, "earliest_begin", ferry_transfer_get_earliest_begin (t));
  add_int (builder, "retry_at", ferry_transfer_get_retry_at (t));
  add_int (builder, "attempts", ferry_transfer_get_attempts (t));
  add_int (builder, "http_status", ferry_transfer_get_http_status (t));
  add_string (builder, "error", ferry_transfer_get_error (t));
  json_builder_set_member_name (builder, "resumable");
  json_builder_add_boolean_value (builder, ferry_transfer_get_resumable (t));
  add_int (builder, "created_at", ferry_transfer_get_created_at (t));
  add_int (builder, "finished_at", ferry_transfer_get_finished_at (t));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  if (generator == NULL)
    generator = json_generator_new ();
  append_node (out, generator, root);
  return g_string_free (out, FALSE);
}

/* -- pause, resume, cancel, remove ------------------------------------------------------- */

static gboolean
act (FerryTransfer  *t,
     Action          action,
     gboolean        delete_data,
     GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  switch (action)
    {
    case ACTION_PAUSE:
      ferry_transfer_pause_async (t, NULL, ferryctl_got_result, &result);
      return ferry_transfer_pause_finish (t, ferryctl_iterate (&result), error);
    case ACTION_RESUME:
      ferry_transfer_resume_async (t, NULL, ferryctl_got_result, &result);
      return ferry_transfer_resume_finish (t, ferryctl_iterate (&result), error);
    case ACTION_CANCEL:
      ferry_transfer_cancel_async (t, NULL, ferryctl_got_result, &result);
      return ferry_transfer_cancel_finish (t, ferryctl_iterate (&result), error);
    case ACTION_REMOVE:
    default:
      ferry_transfer_remove_async (t, delete_data, NULL, ferryctl_got_result, &result);
      return ferry_transfer_remove_finish (t, ferryctl_iterate (&result), error);
    }
}

/* @delete_data points at the --delete flag @entries fill, for remove. */
int
ferryctl_act (int             argc,
              char          **argv,
              gboolean        do_help,
              const char     *parameters,
              const char     *summary,
              GOptionEntry   *entries,
              Action          action,
              const gboolean *delete_data)
{
  g_autoptr(GOptionContext) context = ferryctl_context (parameters, summary, entries);
  g_autoptr(FerrySession) session = NULL;
  g_autoptr(GError) error = NULL;
  int code = EXIT_COMPLETED;

  if (!ferryctl_parse (context, &argc, &argv, do_help, 1, &code))
    return code;

  session = ferryctl_open (NULL);
  if (session == NULL)
    return EXIT_ERROR;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(FerryTransfer) t = ferryctl_find (session, argv[i], &error);

      if (t != NULL)
        g_object_ref (t);
      if (t == NULL || !act (t, action, delete_data != NULL && *delete_data, &error))
        {
          ferryctl_print_error (error);
          g_clear_error (&error);
          code = EXIT_ERROR;
        }
    }

  return code;
}

/* A session whose list is in (the service started, if it was not), or NULL having said
 * why. */
FerrySession *
ferryctl_open (const char *session_id)
{
  g_autoptr(FerrySession) session = NULL;
  g_autoptr(GError) error = NULL;

  session = ferryctl_connect (session_id, FALSE, &error);
  if (session == NULL || !ferryctl_refresh (session, &error))
    {
      ferryctl_print_error (error);
      return NULL;
    }
  return g_steal_pointer (&session);
}
