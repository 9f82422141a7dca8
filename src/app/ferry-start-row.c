/* ferry-start-row.c
 *
 * A date from a calendar, shown in the locale's way, and a time of day typed as a clock
 * shows it ("23:00", or "11:00 PM" where the clock has 12 hours; Up and Down step it). The
 * row says under its title when that is ("Starts tomorrow at 07:30") or, in the error
 * colour, why it cannot be: a time already past is refused there, beside the field, rather
 * than scheduled for a moment that would start at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-start-row"

#include "config.h"

#include <glib/gi18n.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

#include "ferry-describe.h"
#include "ferry-start-row.h"

#define MINUTE_STEP 5

struct _FerryStartRow
{
  AdwActionRow parent_instance;

  GtkMenuButton *date_button;
  GtkCalendar *calendar;
  GtkEntry *time_entry;

  gboolean has_time;     /* the field holds a time of day */
  int hour;
  int minute;
  gint64 start;
  char *problem;
  gboolean quiet;        /* the field is being written from code */
};

G_DEFINE_FINAL_TYPE (FerryStartRow, ferry_start_row, ADW_TYPE_ACTION_ROW)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* "am"/"pm" in the locale's words and in English, at the end of @text (lowered, stripped):
 * removed, and said which. */
static gboolean
take_am_pm (char     *text,
            gboolean *pm)
{
  g_autofree char *am_word = g_utf8_strdown (nl_langinfo (AM_STR), -1);
  g_autofree char *pm_word = g_utf8_strdown (nl_langinfo (PM_STR), -1);
  const struct { const char *word; gboolean pm; } words[] = {
    { pm_word, TRUE }, { am_word, FALSE }, { "p.m.", TRUE }, { "a.m.", FALSE },
    { "pm", TRUE }, { "am", FALSE }, { "p", TRUE }, { "a", FALSE },
  };
  gsize len = strlen (text);

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      gsize wlen = strlen (words[i].word);

      if (wlen > 0 && wlen < len && g_str_has_suffix (text, words[i].word))
        {
          text[len - wlen] = '\0';
          g_strchomp (text);
          *pm = words[i].pm;
          return TRUE;
        }
    }
  return FALSE;
}

/* "23:00", "23.00", "2300", "23", "9:05", "11:30 PM", "11 pm": hours and minutes. */
static gboolean
parse_time (const char *typed,
            int        *hour,
            int        *minute)
{
  g_autofree char *text = g_strstrip (g_utf8_strdown (typed, -1));
  gboolean pm = FALSE;
  gboolean has_am_pm = take_am_pm (text, &pm);
  g_autofree char *digits = NULL;
  const char *sep;
  int h, m = 0;

  if (*text == '\0')
    return FALSE;

  sep = strpbrk (text, ":.h");
  if (sep != NULL)
    {
      g_autofree char *hours = g_strndup (text, sep - text);
      const char *minutes = sep + 1;

      if (*hours == '\0' || strlen (hours) > 2 || strlen (minutes) != 2)
        return FALSE;
      for (const char *c = hours; *c; c++)
        if (!g_ascii_isdigit (*c))
          return FALSE;
      for (const char *c = minutes; *c; c++)
        if (!g_ascii_isdigit (*c))
          return FALSE;
      h = atoi (hours);
      m = atoi (minutes);
    }
  else
    {
      gsize len = strlen (text);

      for (const char *c = text; *c; c++)
        if (!g_ascii_isdigit (*c))
          return FALSE;
      if (len <= 2)
        h = atoi (text);
      else if (len <= 4)
        {
          m = atoi (text + len - 2);
          text[len - 2] = '\0';
          h = atoi (text);
        }
      else
        return FALSE;
    }

  if (m > 59)
    return FALSE;
  if (has_am_pm)
    {
      if (h < 1 || h > 12)
        return FALSE;
      h = h % 12 + (pm ? 12 : 0);
    }
  else if (h > 23)
    return FALSE;

  *hour = h;
  *minute = m;
  return TRUE;
}

static GDateTime *
chosen_moment (FerryStartRow *self)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (self->calendar);

  return g_date_time_new_local (g_date_time_get_year (date), g_date_time_get_month (date),
                                g_date_time_get_day_of_month (date), self->hour, self->minute,
                                0);
}

static void
set_problem (FerryStartRow *self,
             char          *problem)
{
  g_free (self->problem);
  self->problem = problem;

  if (problem != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "ferry-start-problem");
      gtk_widget_add_css_class (GTK_WIDGET (self->time_entry), "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->time_entry),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, problem, -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self), "ferry-start-problem");
      gtk_widget_remove_css_class (GTK_WIDGET (self->time_entry), "error");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self->time_entry),
                                     GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
}

/* The example a person can copy, in the form their clock uses. */
static char *
example_time (void)
{
  g_autoptr(GDateTime) eleven = g_date_time_new_local (2026, 1, 1, 23, 0, 0);

  return ferry_describe_clock (eleven);
}

static void
update (FerryStartRow *self)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (self->calendar);
  g_autofree char *date_label = g_date_time_format (date, "%x");

  gtk_menu_button_set_label (self->date_button, date_label);

  self->has_time = parse_time (gtk_editable_get_text (GTK_EDITABLE (self->time_entry)),
                               &self->hour, &self->minute);
  if (!self->has_time)
    {
      g_autofree char *example = example_time ();

      self->start = 0;
      /* Translators: %s is a time as the clock shows it, "23:00" or "11:00 PM" */
      set_problem (self, g_strdup_printf (_("Write the time as hours and minutes, like %s"),
                                          example));
    }
  else
    {
      g_autoptr(GDateTime) when = chosen_moment (self);
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      self->start = g_date_time_to_unix (when);
      if (self->start <= g_date_time_to_unix (now))
        set_problem (self, g_strdup (_("That start time has already passed: choose a later "
                                       "one, or start now")));
      else
        set_problem (self, NULL);
    }

  if (self->problem != NULL)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self), self->problem);
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *when = ferry_describe_time (self->start, now);
      g_autofree char *line = g_strdup_printf (_("Starts %s"), when);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (self), line);
    }

  g_signal_emit (self, signals[CHANGED], 0);
}

/* The field as the clock writes it: "9:5" becomes "09:05" once the person is done. */
static void
write_time (FerryStartRow *self)
{
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *text = NULL;

  if (!self->has_time)
    return;
  when = chosen_moment (self);
  text = ferry_describe_clock (when);
  if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (self->time_entry))) != 0)
    {
      self->quiet = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->time_entry), text);
      self->quiet = FALSE;
      update (self);
    }
}

static void
on_time_changed (FerryStartRow *self)
{
  if (!self->quiet)
    update (self);
}

static void
on_focus_leave (GtkEventControllerFocus *controller,
                FerryStartRow           *self)
{
  write_time (self);
}

/* Up and Down step the time as a clock's buttons would: by five minutes, by an hour with
 * Page Up and Page Down, across midnight into the next or previous day. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                FerryStartRow         *self)
{
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) moved = NULL;
  g_autoptr(GDateTime) day = NULL;
  int step;

  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      step = MINUTE_STEP;
      break;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      step = -MINUTE_STEP;
      break;
    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
      step = 60;
      break;
    case GDK_KEY_Page_Down:
    case GDK_KEY_KP_Page_Down:
      step = -60;
      break;
    default:
      return GDK_EVENT_PROPAGATE;
    }

  if (!self->has_time)
    return GDK_EVENT_STOP;

  when = chosen_moment (self);
  /* From 23:02, Up goes to 23:05: the steps land on the clock's marks. */
  if (ABS (step) == MINUTE_STEP && self->minute % MINUTE_STEP != 0)
    step = step > 0 ? MINUTE_STEP - self->minute % MINUTE_STEP : -(self->minute % MINUTE_STEP);
  moved = g_date_time_add_minutes (when, step);
  day = g_date_time_new_local (g_date_time_get_year (moved), g_date_time_get_month (moved),
                               g_date_time_get_day_of_month (moved), 0, 0, 0);
  self->hour = g_date_time_get_hour (moved);
  self->minute = g_date_time_get_minute (moved);
  self->quiet = TRUE;
  gtk_calendar_select_day (self->calendar, day);
  self->quiet = FALSE;
  {
    g_autofree char *text = ferry_describe_clock (moved);

    self->quiet = TRUE;
    gtk_editable_set_text (GTK_EDITABLE (self->time_entry), text);
    gtk_editable_set_position (GTK_EDITABLE (self->time_entry), -1);
    self->quiet = FALSE;
  }
  update (self);
  return GDK_EVENT_STOP;
}

static void
on_day_selected (FerryStartRow *self)
{
  if (self->quiet)
    return;
  gtk_menu_button_popdown (self->date_button);
  update (self);
}

static void
ferry_start_row_finalize (GObject *object)
{
  FerryStartRow *self = FERRY_START_ROW (object);

  g_free (self->problem);

  G_OBJECT_CLASS (ferry_start_row_parent_class)->finalize (object);
}

static void
ferry_start_row_class_init (FerryStartRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ferry_start_row_finalize;

  /* The date, the time or the problem with them changed. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ferry_start_row_init (FerryStartRow *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) hour = g_date_time_new_local (g_date_time_get_year (now),
                                                     g_date_time_get_month (now),
                                                     g_date_time_get_day_of_month (now),
                                                     g_date_time_get_hour (now), 0, 0);
  g_autoptr(GDateTime) next_hour = g_date_time_add_hours (hour, 1);
  GtkWidget *popover = gtk_popover_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();
  gboolean twelve = ferry_describe_clock_is_12h ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), _("Start At"));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (self), 3);

  self->calendar = GTK_CALENDAR (gtk_calendar_new ());
  gtk_popover_set_child (GTK_POPOVER (popover), GTK_WIDGET (self->calendar));
  self->date_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_popover (self->date_button, popover);
  gtk_widget_set_valign (GTK_WIDGET (self->date_button), GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->date_button), _("Start Date"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->date_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Start date"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->date_button));

  self->time_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->time_entry), GTK_ALIGN_CENTER);
  gtk_editable_set_width_chars (GTK_EDITABLE (self->time_entry), twelve ? 9 : 6);
  gtk_editable_set_max_width_chars (GTK_EDITABLE (self->time_entry), twelve ? 9 : 6);
  gtk_editable_set_alignment (GTK_EDITABLE (self->time_entry), 0.5);
  gtk_entry_set_max_length (self->time_entry, 12);
  gtk_entry_set_input_purpose (self->time_entry, twelve ? GTK_INPUT_PURPOSE_FREE_FORM
                                                        : GTK_INPUT_PURPOSE_DIGITS);
  gtk_entry_set_activates_default (self->time_entry, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->time_entry), "numeric");
  gtk_widget_add_css_class (GTK_WIDGET (self->time_entry), "ferry-clock");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->time_entry),
                               _("Hours and minutes; Up and Down change them"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->time_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Start time"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->time_entry));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (self), GTK_WIDGET (self->time_entry));

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->time_entry), keys);
  g_signal_connect (focus, "leave", G_CALLBACK (on_focus_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self->time_entry), focus);

  g_signal_connect_swapped (self->time_entry, "changed", G_CALLBACK (on_time_changed), self);
  g_signal_connect_swapped (self->calendar, "day-selected", G_CALLBACK (on_day_selected), self);

  /* A sensible later: the next whole hour, which may be tomorrow. */
  ferry_start_row_set_start (self, next_hour);
}

GtkWidget *
ferry_start_row_new (void)
{
  return g_object_new (FERRY_TYPE_START_ROW, NULL);
}

gint64
ferry_start_row_get_start (FerryStartRow *self)
{
  g_return_val_if_fail (FERRY_IS_START_ROW (self), 0);

  return self->has_time ? self->start : 0;
}

void
ferry_start_row_set_start (FerryStartRow *self,
                           GDateTime     *when)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) day = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (FERRY_IS_START_ROW (self));
  g_return_if_fail (when != NULL);

  local = g_date_time_to_local (when);
  day = g_date_time_new_local (g_date_time_get_year (local), g_date_time_get_month (local),
                               g_date_time_get_day_of_month (local), 0, 0, 0);
  text = ferry_describe_clock (local);

  self->quiet = TRUE;
  gtk_calendar_select_day (self->calendar, day);
  gtk_editable_set_text (GTK_EDITABLE (self->time_entry), text);
  self->quiet = FALSE;
  update (self);
}

const char *
ferry_start_row_get_problem (FerryStartRow *self)
{
  g_return_val_if_fail (FERRY_IS_START_ROW (self), NULL);

  return self->problem;
}

GtkEditable *
ferry_start_row_get_time_entry (FerryStartRow *self)
{
  return GTK_EDITABLE (self->time_entry);
}

GtkWidget *
ferry_start_row_get_date_button (FerryStartRow *self)
{
  return GTK_WIDGET (self->date_button);
}

GtkCalendar *
ferry_start_row_get_calendar (FerryStartRow *self)
{
  return self->calendar;
}
