/* ferry-details-window.c
 *
 * What a row has no room for: the whole address and destination, the state in words, the
 * attempts and how the last one ended, the full error sentence with a Copy button, and the
 * speed graph. The service's less-used properties are read when the window opens and when
 * the state changes; progress comes from the list's item, as the row's does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-details-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-describe.h"
#include "ferry-details-window.h"
#include "ferry-format.h"
#include "ferry-speed-graph.h"

struct _FerryDetailsWindow
{
  AdwWindow parent_instance;

  FerryTransferItem *item;
  gulong changed_id;
  int shown_state;
  GCancellable *cancellable;

  GtkWidget *graph;
  GtkLabel *rate_label;
  GtkLabel *state_label;
  GtkLabel *size_label;
  GtkLabel *attempts_label;
  GtkLabel *http_label;
  GtkLabel *resumable_label;
  GtkWidget *error_group;
  GtkLabel *error_label;
  GtkWidget *copy_error_button;
  GtkWidget *open_button;
  GtkWidget *folder_button;

  /* The service's facts about how the transfer went. */
  GtkWidget *final_row;
  GtkLabel *final_label;
  GtkLabel *validator_label;
  GtkLabel *checksum_label;
  GtkWidget *attempts_group;
  GPtrArray *attempt_rows;      /* AdwActionRow, oldest first */
};

G_DEFINE_FINAL_TYPE (FerryDetailsWindow, ferry_details_window, ADW_TYPE_WINDOW)

/* A row whose value is a selectable label: a person can copy an address or a path. */
static GtkLabel *
add_row (GtkWidget  *group,
         const char *title,
         GtkWidget **row_out)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *value = gtk_label_new (NULL);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (value), 1);
  gtk_label_set_justify (GTK_LABEL (value), GTK_JUSTIFY_RIGHT);
  gtk_widget_set_hexpand (value, TRUE);
  gtk_widget_add_css_class (value, "dim-label");
  gtk_accessible_update_property (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), value);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  if (row_out != NULL)
    *row_out = row;
  return GTK_LABEL (value);
}

static const char *
state_word (FerryState state)
{
  switch (state)
    {
    case FERRY_STATE_QUEUED:
      return _("Queued");
    case FERRY_STATE_WAITING:
      return _("Waiting");
    case FERRY_STATE_RUNNING:
      return _("Running");
    case FERRY_STATE_PAUSED:
      return _("Paused");
    case FERRY_STATE_COMPLETED:
      return _("Completed");
    case FERRY_STATE_REJECTED:
      return _("Rejected");
    case FERRY_STATE_FAILED:
      return _("Failed");
    case FERRY_STATE_CANCELED:
      return _("Canceled");
    default:
      return "";
    }
}

static void
show_attempts (FerryDetailsWindow *self,
               GVariant           *log)
{
  gint64 started;
  guint32 status;
  guint64 bytes;
  const char *error;

  for (guint i = 0; i < self->attempt_rows->len; i++)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self->attempts_group),
                                  g_ptr_array_index (self->attempt_rows, i));
  g_ptr_array_set_size (self->attempt_rows, 0);

  gtk_widget_set_visible (self->attempts_group, log != NULL && g_variant_n_children (log) > 0);
  if (log == NULL)
    return;

  /* Newest first: the last attempts say how the transfer is doing now. */
  for (gsize i = g_variant_n_children (log); i-- > 0;)
    {
      g_autoptr(GDateTime) when = NULL;
      g_autofree char *time_text = NULL;
      g_autofree char *size = NULL;
      g_autofree char *outcome = NULL;
      GtkWidget *row = adw_action_row_new ();

      g_variant_get_child (log, i, "(xut&s)", &started, &status, &bytes, &error);
      when = g_date_time_new_from_unix_local (started);
      /* Translators: when an attempt started: the locale's date and time */
      time_text = when ? g_date_time_format (when, _("%x %X")) : g_strdup ("");
      size = g_format_size (bytes);
      if (status != 0)
        /* Translators: an attempt's HTTP status and the bytes it moved: "HTTP 503 · 0 bytes" */
        outcome = g_strdup_printf (_("HTTP %u · %s"), status, size);
      else
        /* Translators: an attempt that got no answer, and the bytes it moved */
        outcome = g_strdup_printf (_("No answer · %s"), size);
      if (*error != '\0')
        {
          g_autofree char *with_error = g_strdup_printf ("%s\n%s", outcome, error);

          g_free (outcome);
          outcome = g_steal_pointer (&with_error);
        }
      else
        {
          /* Translators: appended to an attempt that ended well */
          g_autofree char *well = g_strdup_printf (_("%s · succeeded"), outcome);

          g_free (outcome);
          outcome = g_steal_pointer (&well);
        }

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), time_text);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), outcome);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      adw_action_row_set_icon_name (ADW_ACTION_ROW (row),
                                    *error == '\0' ? "emblem-ok-symbolic"
                                                   : "dialog-warning-symbolic");
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->attempts_group), row);
      g_ptr_array_add (self->attempt_rows, row);
    }
}

/* The final address, the validator, the checksum and each attempt, from GetAll. */
static void
show_facts (FerryDetailsWindow *self,
            GVariant           *props)
{
  const char *final_uri = NULL;
  const char *validator = NULL;
  const char *result = NULL;
  const char *expected = NULL;
  g_autoptr(GVariant) log = g_variant_lookup_value (props, "AttemptLog",
                                                    G_VARIANT_TYPE ("a(xuts)"));
  g_autofree char *checksum = NULL;

  if (g_variant_lookup (props, "FinalUri", "&s", &final_uri))
    gtk_label_set_label (self->final_label, final_uri);
  /* Shown where it says more than the address: after a redirect. */
  gtk_widget_set_visible (self->final_row,
                          final_uri != NULL && *final_uri != '\0' &&
                          g_strcmp0 (final_uri, ferry_transfer_item_get_uri (self->item)) != 0);

  g_variant_lookup (props, "Validator", "&s", &validator);
  gtk_label_set_label (self->validator_label,
                       validator != NULL && *validator != '\0'
                       ? validator
                       /* Translators: no ETag or Last-Modified to resume with */
                       : _("None: an interruption starts the file again"));

  g_variant_lookup (props, "ChecksumResult", "(&s&s)", &result, &expected);
  if (g_strcmp0 (result, "verified") == 0)
    checksum = g_strdup_printf (_("Verified: SHA-256 %s"), expected);
  else if (g_strcmp0 (result, "mismatch") == 0)
    checksum = g_strdup_printf (_("Did not match the expected SHA-256 %s"), expected);
  else if (expected != NULL && *expected != '\0')
    checksum = g_strdup_printf (_("To be checked against SHA-256 %s"), expected);
  else
    checksum = g_strdup (_("None given"));
  gtk_label_set_label (self->checksum_label, checksum);

  show_attempts (self, log);
}

static void
on_properties (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GError) error = NULL;
  FerryDetailsWindow *self;
  guint attempts = 0, http = 0;
  gboolean resumable = FALSE;
  g_autofree char *attempts_text = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    return;   /* canceled: the window went; or the transfer was removed meanwhile */
  self = FERRY_DETAILS_WINDOW (user_data);

  g_variant_get (reply, "(@a{sv})", &props);
  g_variant_lookup (props, "Attempts", "u", &attempts);
  g_variant_lookup (props, "HttpStatus", "u", &http);
  g_variant_lookup (props, "Resumable", "b", &resumable);

  attempts_text = g_strdup_printf ("%u", attempts);
  gtk_label_set_label (self->attempts_label, attempts_text);
  if (http != 0)
    {
      g_autofree char *text = g_strdup_printf ("%u", http);

      gtk_label_set_label (self->http_label, text);
    }
  else
    {
      /* Translators: no HTTP status was received yet */
      gtk_label_set_label (self->http_label, _("None yet"));
    }
  gtk_label_set_label (self->resumable_label,
                       resumable ? _("Yes: an interruption resumes where it stopped")
                                 : _("Not known yet, or no: the server did not offer it"));
  show_facts (self, props);
}

static void
fetch_properties (FerryDetailsWindow *self)
{
  GDBusConnection *connection = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  connection = g_application_get_dbus_connection (g_application_get_default ());
  if (connection == NULL)
    return;
  g_dbus_connection_call (connection, FERRY_DAEMON_ID,
                          ferry_transfer_item_get_object_path (self->item),
                          "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", "io.github.ferryhq.Ferry.Transfer1"),
                          G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1,
                          self->cancellable, on_properties, self);
}

static void
refresh (FerryDetailsWindow *self)
{
  FerryTransferItem *item = self->item;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *status = NULL;
  g_autofree char *state = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *size = NULL;
  FerryStatus s = { 0 };
  const char *error;
  const char *rule;
  gboolean completed_file;

  s.state = ferry_transfer_item_get_state (item);
  s.reasons = ferry_transfer_item_get_wait_reasons (item);
  s.upload = ferry_transfer_item_is_upload (item);
  s.done = ferry_transfer_item_get_bytes_done (item);
  s.sent = ferry_transfer_item_get_bytes_sent (item);
  s.total = ferry_transfer_item_get_bytes_total (item);
  s.rate = ferry_transfer_item_get_rate (item);
  s.earliest_begin = ferry_transfer_item_get_earliest_begin (item);
  s.retry_at = ferry_transfer_item_get_retry_at (item);
  s.error = ferry_transfer_item_get_error (item);
  s.unmetered_only = !ferry_transfer_get_allow_metered (ferry_transfer_item_get_transfer (item));

  /* The state's name, then every reason and number in words; a running transfer kept off
   * metered networks says what one would do (a waiting one's status says it already). */
  status = ferry_describe_status (&s, now);
  rule = s.state == FERRY_STATE_RUNNING ? ferry_describe_network_rule (&s) : NULL;
  if (rule != NULL)
    state = g_strdup_printf ("%s — %s\n%s", state_word (s.state), status, rule);
  else
    state = g_strdup_printf ("%s — %s", state_word (s.state), status);
  gtk_label_set_label (self->state_label, state);

  rate = ferry_format_rate (s.state == FERRY_STATE_RUNNING ? s.rate : 0);
  gtk_label_set_label (self->rate_label, rate);

  size = s.total > 0 ? g_format_size (s.total) : g_strdup (_("Not known yet"));
  gtk_label_set_label (self->size_label, size);

  error = s.error;
  gtk_widget_set_visible (self->error_group, error != NULL && *error != '\0');
  gtk_label_set_label (self->error_label, error != NULL ? error : "");

  completed_file = s.state == FERRY_STATE_COMPLETED && !s.upload;
  gtk_widget_set_sensitive (self->open_button, completed_file);
  gtk_widget_set_sensitive (self->folder_button, completed_file);

  if ((int) s.state != self->shown_state)
    {
      self->shown_state = s.state;
      fetch_properties (self);
    }
}

static void
copy_error (FerryDetailsWindow *self)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                          gtk_label_get_label (self->error_label));
}

static void
ferry_details_window_dispose (GObject *object)
{
  FerryDetailsWindow *self = FERRY_DETAILS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_signal_handler (&self->changed_id, self->item);
  g_clear_object (&self->item);
  g_clear_pointer (&self->attempt_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (ferry_details_window_parent_class)->dispose (object);
}

static void
ferry_details_window_class_init (FerryDetailsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_details_window_dispose;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ferry_details_window_init (FerryDetailsWindow *self)
{
  self->shown_state = -1;
  self->attempt_rows = g_ptr_array_new ();
  gtk_window_set_default_size (GTK_WINDOW (self), 520, 680);
  gtk_window_set_title (GTK_WINDOW (self), _("Details"));
}

static GtkWidget *
icon_button (const char *icon,
             const char *tooltip,
             const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

GtkWidget *
ferry_details_window_new (GtkWindow         *parent,
                          FerryTransferItem *item)
{
  FerryDetailsWindow *self = g_object_new (FERRY_TYPE_DETAILS_WINDOW,
                                           "transient-for", parent,
                                           "modal", FALSE,
                                           NULL);
  const char *name = ferry_transfer_item_get_name (item);
  const char *destination = ferry_transfer_item_get_destination (item);
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *title = adw_window_title_new (name, _("Details"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *speed = adw_preferences_group_new ();
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *transfer = adw_preferences_group_new ();
  GtkWidget *destination_row = NULL;
  GtkWidget *address_row = NULL;
  GtkWidget *copy_link;
  g_autofree char *open_label = g_strdup_printf (_("Open %s"), name);
  g_autofree char *folder_label = g_strdup_printf (_("Show %s in its folder"), name);
  g_autofree char *copy_label = g_strdup_printf (_("Copy the link to %s"), name);

  self->item = g_object_ref (item);

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_box_append (GTK_BOX (content), header);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (content), scrolled);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_margin_top (clamp, 18);
  gtk_widget_set_margin_bottom (clamp, 18);
  gtk_widget_set_margin_start (clamp, 12);
  gtk_widget_set_margin_end (clamp, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);

  /* The picture first: it is what says whether the transfer is healthy. */
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (speed), _("Speed"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (speed),
                                         _("Bytes per second over the last three minutes"));
  self->rate_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->rate_label), "numeric");
  gtk_widget_add_css_class (GTK_WIDGET (self->rate_label), "title-4");
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (speed),
                                           GTK_WIDGET (self->rate_label));
  self->graph = ferry_speed_graph_new (item);
  gtk_widget_set_margin_top (self->graph, 12);
  gtk_widget_set_margin_bottom (self->graph, 12);
  gtk_widget_set_margin_start (self->graph, 12);
  gtk_widget_set_margin_end (self->graph, 12);
  gtk_frame_set_child (GTK_FRAME (frame), self->graph);
  gtk_widget_add_css_class (frame, "view");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (speed), frame);
  gtk_box_append (GTK_BOX (box), speed);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (transfer), _("Transfer"));
  self->state_label = add_row (transfer, _("State"), NULL);
  gtk_label_set_label (add_row (transfer, _("Name"), NULL), name);
  gtk_label_set_label (add_row (transfer,
                                ferry_transfer_item_is_upload (item) ? _("Sent To")
                                                                      : _("Address"),
                                &address_row),
                       ferry_transfer_item_get_uri (item));
  copy_link = icon_button ("edit-copy-symbolic", _("Copy Link"), copy_label);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (copy_link), "app.copy-link");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (copy_link), "s",
                                    ferry_transfer_item_get_uri (item));
  adw_action_row_add_suffix (ADW_ACTION_ROW (address_row), copy_link);
  self->final_label = add_row (transfer, _("Final Address"), &self->final_row);
  gtk_widget_set_visible (self->final_row, FALSE);
  gtk_label_set_label (add_row (transfer, ferry_transfer_item_is_upload (item) ? _("File")
                                                                              : _("Saved As"),
                                &destination_row),
                       destination);
  self->open_button = icon_button ("x-office-document-symbolic", _("Open"), open_label);
  /* A document, not document-open-symbolic: Adwaita draws that as the same open folder as
   * folder-open-symbolic, the Show in Folder button's. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->open_button), "app.open-file");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->open_button), "s", destination);
  adw_action_row_add_suffix (ADW_ACTION_ROW (destination_row), self->open_button);
  self->folder_button = icon_button ("folder-open-symbolic", _("Show in Folder"), folder_label);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->folder_button), "app.show-in-folder");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->folder_button), "s", destination);
  adw_action_row_add_suffix (ADW_ACTION_ROW (destination_row), self->folder_button);
  self->size_label = add_row (transfer, _("Size"), NULL);
  self->attempts_label = add_row (transfer, _("Failures in a Row"), NULL);
  self->http_label = add_row (transfer, _("Last HTTP Status"), NULL);
  self->resumable_label = add_row (transfer, _("Resumable"), NULL);
  self->validator_label = add_row (transfer, _("Resumes With"), NULL);
  self->checksum_label = add_row (transfer, _("Checksum"), NULL);
  gtk_box_append (GTK_BOX (box), transfer);

  self->attempts_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->attempts_group),
                                   _("Attempts"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->attempts_group),
                                         _("The last ones, newest first"));
  gtk_widget_set_visible (self->attempts_group, FALSE);
  gtk_box_append (GTK_BOX (box), self->attempts_group);

  /* The whole sentence, which the row cuts at two lines, and a way to paste it somewhere. */
  self->error_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->error_group), _("Error"));
  self->copy_error_button = icon_button ("edit-copy-symbolic", _("Copy Error"),
                                         _("Copy the error message"));
  g_signal_connect_swapped (self->copy_error_button, "clicked", G_CALLBACK (copy_error), self);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (self->error_group),
                                           self->copy_error_button);
  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_wrap_mode (self->error_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->error_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Error"), -1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->error_group),
                             GTK_WIDGET (self->error_label));
  gtk_box_append (GTK_BOX (box), self->error_group);

  adw_window_set_content (ADW_WINDOW (self), content);

  self->changed_id = g_signal_connect_swapped (item, "changed", G_CALLBACK (refresh), self);
  refresh (self);
  return GTK_WIDGET (self);
}

FerryTransferItem *
ferry_details_window_get_item (FerryDetailsWindow *self)
{
  return self->item;
}

const char *
ferry_details_window_get_state_text (FerryDetailsWindow *self)
{
  return gtk_label_get_label (self->state_label);
}

const char *
ferry_details_window_get_error_text (FerryDetailsWindow *self)
{
  return gtk_widget_get_visible (self->error_group) ? gtk_label_get_label (self->error_label)
                                                    : NULL;
}

GtkWidget *
ferry_details_window_get_graph (FerryDetailsWindow *self)
{
  return self->graph;
}

GtkWidget *
ferry_details_window_get_copy_error_button (FerryDetailsWindow *self)
{
  return self->copy_error_button;
}

const char *
ferry_details_window_get_attempts_text (FerryDetailsWindow *self)
{
  return gtk_label_get_label (self->attempts_label);
}

const char *
ferry_details_window_get_final_uri_text (FerryDetailsWindow *self)
{
  return gtk_widget_get_visible (self->final_row) ? gtk_label_get_label (self->final_label)
                                                  : NULL;
}

/* Each attempt as shown, newest first: "time\nstatus · bytes · outcome". */
GStrv
ferry_details_window_dup_attempt_texts (FerryDetailsWindow *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < self->attempt_rows->len; i++)
    {
      AdwActionRow *row = g_ptr_array_index (self->attempt_rows, i);
      g_autofree char *text =
        g_strdup_printf ("%s\n%s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                         adw_action_row_get_subtitle (row));

      g_strv_builder_add (builder, text);
    }
  return g_strv_builder_end (builder);
}

const char *
ferry_details_window_get_validator_text (FerryDetailsWindow *self)
{
  return gtk_label_get_label (self->validator_label);
}

const char *
ferry_details_window_get_checksum_text (FerryDetailsWindow *self)
{
  return gtk_label_get_label (self->checksum_label);
}

GtkWidget *
ferry_details_window_get_open_button (FerryDetailsWindow *self)
{
  return self->open_button;
}

GtkWidget *
ferry_details_window_get_folder_button (FerryDetailsWindow *self)
{
  return self->folder_button;
}
