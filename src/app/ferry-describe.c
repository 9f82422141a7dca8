/* ferry-describe.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gdesktopappinfo.h>
#include <glib/gi18n.h>
#include <langinfo.h>
#include <string.h>

#include "ferry-describe.h"
#include "ferry-format.h"

gboolean
ferry_describe_clock_is_12h (void)
{
  static GSettings *interface;   /* GNOME's, looked up once; it follows changes itself */
  static gsize looked_up;
  const char *format;

  if (g_once_init_enter (&looked_up))
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema = NULL;

      if (source != NULL)
        schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
      if (schema != NULL && g_settings_schema_has_key (schema, "clock-format"))
        interface = g_settings_new_full (schema, NULL, NULL);
      g_once_init_leave (&looked_up, 1);
    }

  /* GNOME's own setting wins, as in the top bar's clock; without GNOME, the locale says. */
  if (interface != NULL)
    {
      g_autofree char *clock = g_settings_get_string (interface, "clock-format");

      return g_str_equal (clock, "12h") && ferry_describe_has_am_pm ();
    }

  format = nl_langinfo (T_FMT);
  return (strstr (format, "%p") != NULL || strstr (format, "%r") != NULL ||
          strstr (format, "%I") != NULL || strstr (format, "%l") != NULL) &&
         ferry_describe_has_am_pm ();
}

gboolean
ferry_describe_has_am_pm (void)
{
  /* Some languages have no words for them: their clock is a 24-hour one. */
  return *nl_langinfo (AM_STR) != '\0' && *nl_langinfo (PM_STR) != '\0';
}

char *
ferry_describe_clock (GDateTime *when)
{
  g_autofree char *text = NULL;

  if (!ferry_describe_clock_is_12h ())
    return g_date_time_format (when, "%H:%M");

  /* "9:05 PM", not "09:05 PM" nor one padded with a figure space. */
  text = g_date_time_format (when, "%-I:%M %p");
  return g_strdup (g_strstrip (text));
}

char *
ferry_describe_time (gint64     unix_time,
                     GDateTime *now)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) when = g_date_time_to_timezone (utc, g_date_time_get_timezone (now));
  g_autoptr(GDateTime) today = g_date_time_new (g_date_time_get_timezone (now),
                                                g_date_time_get_year (now),
                                                g_date_time_get_month (now),
                                                g_date_time_get_day_of_month (now), 0, 0, 0);
  g_autofree char *clock = ferry_describe_clock (when);
  GTimeSpan from_midnight = g_date_time_difference (when, today);
  g_autofree char *day = NULL;

  if (from_midnight >= 0 && from_midnight < G_TIME_SPAN_DAY)
    return g_strdup_printf (_("today at %s"), clock);
  if (from_midnight >= G_TIME_SPAN_DAY && from_midnight < 2 * G_TIME_SPAN_DAY)
    return g_strdup_printf (_("tomorrow at %s"), clock);

  day = g_date_time_format (when, "%A %-d %B");
  return g_strdup_printf (_("on %s at %s"), day, clock);
}

static char *
lower_first (const char *sentence)
{
  if (sentence == NULL || *sentence == '\0')
    return g_strdup ("");

  /* "The server is busy" reads as part of a longer line: "…: the server is busy". */
  if (g_ascii_isupper (sentence[0]) && !g_ascii_isupper (sentence[1]))
    return g_strdup_printf ("%c%s", g_ascii_tolower (sentence[0]), sentence + 1);
  return g_strdup (sentence);
}

/* "Starts today at 23:00 · unmetered networks only": the rule is part of the plan, said
 * whatever the network is now. */
static char *
with_unmetered_rule (const FerryStatus *s,
                     char              *sentence)
{
  g_autofree char *owned = sentence;

  if (!s->unmetered_only)
    return g_steal_pointer (&owned);

  /* TRANSLATORS: a waiting transfer's words, then its rule: "Starts today at 23:00 ·
   * unmetered networks only" */
  return g_strdup_printf (_("%s · unmetered networks only"), owned);
}

static char *
describe_waiting (const FerryStatus *s,
                  GDateTime         *now)
{
  const char *network = NULL;

  if (s->reasons & FERRY_WAIT_METERED)
    network = _("on an unmetered network");

  if (s->reasons & FERRY_WAIT_SCHEDULE)
    {
      g_autofree char *when = ferry_describe_time (s->earliest_begin, now);

      if (s->unmetered_only)
        return with_unmetered_rule (s, g_strdup_printf (_("Starts %s"), when));
      if (network != NULL)
        /* TRANSLATORS: "Starts today at 23:00, on an unmetered network" */
        return g_strdup_printf (_("Starts %s, %s"), when, network);
      return g_strdup_printf (_("Starts %s"), when);
    }

  if (s->reasons & FERRY_WAIT_NETWORK)
    return with_unmetered_rule (s, g_strdup (_("Waiting for a network connection")));
  if (s->reasons & FERRY_WAIT_METERED)
    return g_strdup (_("Waiting for an unmetered network"));
  if (s->reasons & FERRY_WAIT_POWER_SAVER)
    return g_strdup (_("Waiting for power saving to end"));
  if (s->reasons & FERRY_WAIT_DISK_SPACE)
    return g_strdup (_("Waiting for free disk space"));
  if (s->reasons & FERRY_WAIT_LINK_EXPIRED)
    return g_strdup (_("The link seems to have expired — give it a new address to continue"));

  if (s->reasons & FERRY_WAIT_RETRY)
    {
      gint64 in = MAX (0, s->retry_at - g_date_time_to_unix (now));
      g_autofree char *delay = ferry_format_duration ((guint64) in);
      g_autofree char *why = lower_first (s->error);

      if (*why != '\0')
        /* TRANSLATORS: "Retrying in 40 seconds — the server is busy (HTTP 503)" */
        return g_strdup_printf (_("Retrying in %s — %s"), delay, why);
      return g_strdup_printf (_("Retrying in %s"), delay);
    }

  if (s->reasons & FERRY_WAIT_SLOT)
    return with_unmetered_rule (s, g_strdup (_("Queued — waiting for other transfers to "
                                               "finish")));

  return g_strdup (_("Waiting"));
}

char *
ferry_describe_status (const FerryStatus *s,
                       GDateTime         *now)
{
  switch (s->state)
    {
    case FERRY_STATE_RUNNING:
      if (s->upload)
        {
          /* What moves is what has been sent; the server's acknowledgements follow. */
          guint64 sent = MAX (s->sent, s->done);
          g_autofree char *done = g_format_size (sent);
          g_autofree char *total = g_format_size (s->total);
          g_autofree char *rest = ferry_format_progress (sent, s->total, s->rate);
          const char *dash = g_utf8_strchr (rest, -1, 0x2014);   /* keep "— rate — left" */

          if (s->total > 0)
            return g_strdup_printf (_("Uploaded %s of %s%s%s"), done, total,
                                    dash ? " " : "", dash ? dash : "");
          return g_strdup_printf (_("Uploaded %s"), done);
        }
      return ferry_format_progress (s->done, s->total, s->rate);

    case FERRY_STATE_WAITING:
      return describe_waiting (s, now);

    case FERRY_STATE_QUEUED:
      return with_unmetered_rule (s, g_strdup (_("Queued")));

    case FERRY_STATE_PAUSED:
      /* Pause All keeps a schedule in sight: it comes back with Resume. */
      if (now != NULL && s->earliest_begin > g_date_time_to_unix (now))
        {
          g_autofree char *when = ferry_describe_time (s->earliest_begin, now);

          /* Translators: %s is "today at 23:00", "tomorrow at 07:30"… */
          return g_strdup_printf (_("Paused — was to start %s"), when);
        }
      if (s->done > 0)
        {
          g_autofree char *progress = ferry_format_progress (s->done, s->total, 0);

          return g_strdup_printf (_("Paused — %s"), progress);
        }
      return g_strdup (_("Paused"));

    case FERRY_STATE_COMPLETED:
      {
        g_autofree char *size = g_format_size (s->total ? s->total : s->done);

        /* A completion the server could not confirm says so (Error is set). */
        if (s->error != NULL && *s->error != '\0')
          /* TRANSLATORS: "Completed — 3.1 MB — not verified: the server sent no length" */
          return g_strdup_printf (_("Completed — %s — not verified"), size);
        return g_strdup_printf (_("Completed — %s"), size);
      }

    case FERRY_STATE_REJECTED:
    case FERRY_STATE_FAILED:
      {
        g_autofree char *why = lower_first (s->error);

        return g_strdup_printf (_("Failed: %s"), *why ? why : _("unknown error"));
      }

    case FERRY_STATE_CANCELED:
    default:
      return g_strdup (_("Canceled"));
    }
}

const char *
ferry_describe_network_rule (const FerryStatus *s)
{
  if (!s->unmetered_only || ferry_state_is_terminal (s->state))
    return NULL;
  /* Running now, on an unmetered network: what a metered one would do. */
  if (s->state == FERRY_STATE_RUNNING)
    return _("Pauses if the network becomes metered, and goes on when it is not");
  return _("Runs on unmetered networks only");
}

char *
ferry_describe_requester (const char *session)
{
  static GHashTable *names;   /* session → display name; looked up once per app */
  const char *known;
  char *name = NULL;

  if (session == NULL || *session == '\0' || g_str_equal (session, FERRY_APP_ID))
    return NULL;

  if (names == NULL)
    names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  known = g_hash_table_lookup (names, session);
  if (known != NULL)
    return g_strdup (known);

  if (g_application_id_is_valid (session))
    {
      g_autofree char *desktop_id = g_strconcat (session, ".desktop", NULL);
      g_autoptr(GDesktopAppInfo) info = g_desktop_app_info_new (desktop_id);

      if (info != NULL)
        name = g_strdup (g_app_info_get_display_name (G_APP_INFO (info)));
    }
  if (name == NULL)
    name = g_strdup (session);

  g_hash_table_insert (names, g_strdup (session), g_strdup (name));
  return name;
}
