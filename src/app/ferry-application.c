/* ferry-application.c
 *
 * The app never moves bytes: every action is a call to the service, and closing the window
 * stops nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-application"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-application.h"
#include "ferry-preferences.h"
#include "ferry-settings.h"
#include "ferry-start-dialog.h"
#include "ferry-window.h"

struct _FerryApplication
{
  AdwApplication parent_instance;

  FerryClient *client;
};

G_DEFINE_FINAL_TYPE (FerryApplication, ferry_application, ADW_TYPE_APPLICATION)

static FerryWindow *
main_window (FerryApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return FERRY_IS_WINDOW (window) ? FERRY_WINDOW (window) : NULL;
}

static void
toast (FerryApplication *self,
       const char       *text)
{
  FerryWindow *window = main_window (self);

  if (window != NULL)
    ferry_window_show_toast (window, text);
  else
    g_message ("%s", text);
}

/* -- Transfer actions -------------------------------------------------------------------- */

static void
on_call_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(FerryApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ferry_transfer_item_call_finish (FERRY_TRANSFER_ITEM (source), result, &error))
    toast (self, error->message);
}

static void
call_transfer (FerryApplication *self,
               GVariant         *id,
               const char       *method)
{
  FerryTransferItem *item = ferry_client_lookup (self->client, g_variant_get_uint64 (id));

  if (item == NULL)
    return;

  ferry_transfer_item_call (item, method, NULL, on_call_done, g_object_ref (self));
}

static void
pause_transfer (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  call_transfer (user_data, parameter, "Pause");
}

static void
resume_transfer (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  call_transfer (user_data, parameter, "Resume");
}

static void
cancel_transfer (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  call_transfer (user_data, parameter, "Cancel");
}

/* An update of the transfer's rules: the service starts it if nothing else holds it back. */
static void
update_transfer (FerryApplication *self,
                 GVariant         *id,
                 const char       *key,
                 GVariant         *value)
{
  FerryTransferItem *item = ferry_client_lookup (self->client, g_variant_get_uint64 (id));
  GVariantDict options;

  g_variant_ref_sink (value);
  if (item != NULL)
    {
      g_variant_dict_init (&options, NULL);
      g_variant_dict_insert_value (&options, key, value);
      ferry_transfer_item_call (item, "Update", g_variant_new ("(@a{sv})",
                                                               g_variant_dict_end (&options)),
                                on_call_done, g_object_ref (self));
    }
  g_variant_unref (value);
}

/* Start Now: this once, the schedule does not hold it back. */
static void
start_now (GSimpleAction *action,
           GVariant      *parameter,
           gpointer       user_data)
{
  update_transfer (user_data, parameter, "earliest-begin", g_variant_new_int64 (0));
}

/* A new start time, from the row's "Change Start Time…": "(tx)", the transfer and when. */
static void
set_start (GSimpleAction *action,
           GVariant      *parameter,
           gpointer       user_data)
{
  g_autoptr(GVariant) id = g_variant_get_child_value (parameter, 0);
  g_autoptr(GVariant) when = g_variant_get_child_value (parameter, 1);

  update_transfer (user_data, id, "earliest-begin", when);
}

static void
change_start (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  FerryApplication *self = user_data;
  FerryTransferItem *item = ferry_client_lookup (self->client, g_variant_get_uint64 (parameter));
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (item != NULL)
    gtk_window_present (GTK_WINDOW (ferry_start_dialog_new (window, item)));
}

static void
allow_metered (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  update_transfer (user_data, parameter, "allow-metered", g_variant_new_boolean (TRUE));
}

typedef struct
{
  FerryApplication *app;
  guint n;
  gboolean upload;
} AddRequest;

static AddRequest *
add_request_new (FerryApplication *self,
                 guint             n,
                 gboolean          upload)
{
  AddRequest *request = g_new0 (AddRequest, 1);

  request->app = g_object_ref (self);
  request->n = n;
  request->upload = upload;
  return request;
}

/* show-details(t): the window's details view of a transfer, for notifications and other
 * processes (org.gtk.Actions exports app actions, not the window's). */
static void
show_details (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  FerryApplication *self = user_data;
  FerryWindow *window;

  g_application_activate (G_APPLICATION (self));
  window = main_window (self);
  if (window != NULL)
    gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.show-details", parameter);
}

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  AddRequest *request = user_data;
  g_autoptr(FerryApplication) self = request->app;
  g_autoptr(GPtrArray) errors = ferry_client_add_downloads_finish (FERRY_CLIENT (source), result);
  guint failed = errors != NULL ? errors->len : 0;
  FerryWindow *window = main_window (self);

  /* A new transfer is shown: the toast says how many, and Show brings them into view. An
   * error's sentence comes first. */
  if (failed > 0)
    toast (self, g_ptr_array_index (errors, 0));
  else if (window != NULL && request->n > failed)
    ferry_window_announce_added (window, request->upload ? 0 : request->n - failed,
                                 request->upload ? request->n - failed : 0);
  g_free (request);
}

/* add((as a{sv})): what the add dialog and a drop trigger, and what tests drive. */
static void
add_downloads (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  FerryApplication *self = user_data;
  g_autofree const char **uris = NULL;
  g_autoptr(GVariant) options = NULL;

  g_variant_get (parameter, "(^a&s@a{sv})", &uris, &options);
  ferry_client_add_downloads (self->client, uris, g_steal_pointer (&options), on_added,
                              add_request_new (self, g_strv_length ((GStrv) uris), FALSE));
}

static void
on_launched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(FerryApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    toast (self, error->message);
}

static void
open_file (GSimpleAction *action,
           GVariant      *parameter,
           gpointer       user_data)
{
  g_autoptr(GFile) file = g_file_new_for_path (g_variant_get_string (parameter, NULL));
  g_autofree char *uri = g_file_get_uri (file);

  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, on_launched, g_object_ref (user_data));
}

static void
on_show_items (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GFile) file = user_data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                             NULL);

  /* No file manager that selects items: open the folder instead. */
  if (reply == NULL)
    {
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *uri = g_file_get_uri (parent);

      g_app_info_launch_default_for_uri_async (uri, NULL, NULL, NULL, NULL);
    }
}

static void
show_in_folder (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GFile *file = g_file_new_for_path (g_variant_get_string (parameter, NULL));
  g_autofree char *uri = g_file_get_uri (file);
  const char *uris[] = { uri, NULL };
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (user_data));

  if (bus == NULL)
    {
      on_show_items (NULL, NULL, file);
      return;
    }

  g_dbus_connection_call (bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1", "ShowItems",
                          g_variant_new ("(^ass)", uris, ""), NULL, G_DBUS_CALL_FLAGS_NONE, -1,
                          NULL, on_show_items, file);
}

/* -- App actions ------------------------------------------------------------------------- */

static void
preferences (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkWidget *window = ferry_preferences_new (GTK_WINDOW (main_window (user_data)));

  gtk_window_present (GTK_WINDOW (window));
}

static void
about (GSimpleAction *action,
       GVariant      *parameter,
       gpointer       user_data)
{
  const char *developers[] = { "The Ferry developers", NULL };
  GtkWidget *about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                                   "transient-for", main_window (user_data),
                                   "application-name", _("Ferry"),
                                   "application-icon", FERRY_APP_ID,
                                   "developer-name", _("The Ferry developers"),
                                   "version", PACKAGE_VERSION,
                                   "comments", _("Downloads that outlive the app that started "
                                                 "them: resumed after network loss and "
                                                 "restarts, never spliced, on your schedule."),
                                   "license-type", GTK_LICENSE_GPL_3_0,
                                   "developers", developers,
                                   NULL);

  gtk_window_present (GTK_WINDOW (about));
}

static void
quit (GSimpleAction *action,
      GVariant      *parameter,
      gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
add_uploads (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  FerryApplication *self = user_data;
  const char *target;
  g_autofree const char **paths = NULL;
  g_autoptr(GVariant) options = NULL;

  g_variant_get (parameter, "(&s^a&s@a{sv})", &target, &paths, &options);
  ferry_client_add_uploads (self->client, target, paths, g_steal_pointer (&options), on_added,
                            add_request_new (self, g_strv_length ((GStrv) paths), TRUE));
}

/* For a finished upload's notification: the address it went to. */
static void
copy_link (GSimpleAction *action,
           GVariant      *parameter,
           gpointer       user_data)
{
  GdkDisplay *display = gdk_display_get_default ();

  if (display != NULL)
    gdk_clipboard_set_text (gdk_display_get_clipboard (display),
                            g_variant_get_string (parameter, NULL));
}

static void transfers_finished (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data);

static const GActionEntry app_actions[] = {
  { "transfers-finished", transfers_finished, "as" },
  { "add", add_downloads, "(asa{sv})" },
  { "upload", add_uploads, "(sasa{sv})" },
  { "copy-link", copy_link, "s" },
  { "pause-transfer", pause_transfer, "t" },
  { "resume-transfer", resume_transfer, "t" },
  { "cancel-transfer", cancel_transfer, "t" },
  { "start-now", start_now, "t" },
  { "set-start", set_start, "(tx)" },
  { "change-start", change_start, "t" },
  { "allow-metered", allow_metered, "t" },
  { "show-details", show_details, "t" },
  { "open-file", open_file, "s" },
  { "show-in-folder", show_in_folder, "s" },
  { "preferences", preferences },
  { "about", about },
  { "quit", quit },
};

/* -- Notifications ----------------------------------------------------------------------- */

#define MAX_SINGLE_NOTIFICATIONS 3

/* "Download finished: ubuntu.iso" with Open and Show in Folder; "Upload finished: notes.pdf"
 * with Copy Link; "… failed: name" with the reason. */
static void
notify_item (FerryApplication  *self,
             FerryTransferItem *item)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *id = NULL;
  const char *destination = ferry_transfer_item_get_destination (item);
  const char *name = ferry_transfer_item_get_name (item);
  gboolean upload = ferry_transfer_item_is_upload (item);
  FerryState state = ferry_transfer_item_get_state (item);

  if (state == FERRY_STATE_CANCELED)
    return;

  if (state == FERRY_STATE_COMPLETED && upload)
    {
      const char *uri = ferry_transfer_item_get_uri (item);

      title = g_strdup_printf (_("Upload finished: %s"), name);
      notification = g_notification_new (title);
      g_notification_set_body (notification, uri);
      g_notification_add_button_with_target (notification, _("Copy Link"), "app.copy-link", "s",
                                             uri);
    }
  else if (state == FERRY_STATE_COMPLETED)
    {
      title = g_strdup_printf (_("Download finished: %s"), name);
      notification = g_notification_new (title);
      g_notification_set_body (notification, destination);
      g_notification_add_button_with_target (notification, _("Open"), "app.open-file", "s",
                                             destination);
      g_notification_add_button_with_target (notification, _("Show in Folder"),
                                             "app.show-in-folder", "s", destination);
      g_notification_set_default_action_and_target (notification, "app.open-file", "s",
                                                    destination);
    }
  else
    {
      title = g_strdup_printf (upload ? _("Upload failed: %s") : _("Download failed: %s"), name);
      notification = g_notification_new (title);
      /* Without a default action, clicking it opens the app. */
      g_notification_set_body (notification, ferry_transfer_item_get_error (item));
    }

  id = g_strdup_printf ("transfer-%" G_GUINT64_FORMAT, ferry_transfer_item_get_id (item));
  g_application_send_notification (G_APPLICATION (self), id, notification);
}


static void
on_state_changed (FerryClient       *client,
                  FerryTransferItem *item,
                  FerryApplication  *self)
{
  FerryWindow *window = main_window (self);

  if (ferry_transfer_item_get_state (item) != FERRY_STATE_COMPLETED)
    return;

  /* Someone looking at the window sees the row; with no window, ferryd's transfers-finished
   * call (transfers_finished) says it. */
  if (window == NULL || gtk_window_is_active (GTK_WINDOW (window)))
    return;

  notify_item (self, item);
}

/* -- Finished while the window was closed ---------------------------------------------- */

static void
notify_finished (FerryApplication *self,
                 GStrv             identifiers)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new ();

  for (guint i = 0; identifiers[i] != NULL; i++)
    {
      FerryTransferItem *item = ferry_client_lookup_identifier (self->client, identifiers[i]);

      if (item != NULL && ferry_transfer_item_get_state (item) != FERRY_STATE_CANCELED)
        g_ptr_array_add (items, item);
    }

  if (items->len <= MAX_SINGLE_NOTIFICATIONS)
    {
      for (guint i = 0; i < items->len; i++)
        notify_item (self, g_ptr_array_index (items, i));
    }
  else
    {
      g_autoptr(GNotification) notification = NULL;
      g_autofree char *title = NULL;
      guint uploads = 0;

      for (guint i = 0; i < items->len; i++)
        uploads += ferry_transfer_item_is_upload (g_ptr_array_index (items, i));
      if (uploads == 0)
        title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u download finished",
                                              "%u downloads finished", items->len), items->len);
      else if (uploads == items->len)
        title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u upload finished",
                                              "%u uploads finished", items->len), items->len);
      else
        title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u transfer finished",
                                              "%u transfers finished", items->len), items->len);

      notification = g_notification_new (title);
      g_application_send_notification (G_APPLICATION (self), "transfers-finished",
                                       notification);
    }
}

typedef struct
{
  FerryApplication *self;
  GStrv identifiers;
  gulong handler;
} FinishedData;

static void
on_client_ready_for_finished (FerryClient  *client,
                              FinishedData *data)
{
  g_signal_handler_disconnect (client, data->handler);
  notify_finished (data->self, data->identifiers);
  g_application_release (G_APPLICATION (data->self));
  g_strfreev (data->identifiers);
  g_free (data);
}

/* ferryd calls this (ActivateAction) when transfers the app added have ended, starting the
 * app if it is not running. With a window open, the rows and the state-changed notification
 * already said it; without one, the app posts notifications and quits when idle. */
static void
transfers_finished (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  FerryApplication *self = user_data;
  g_auto(GStrv) identifiers = g_variant_dup_strv (parameter, NULL);
  FinishedData *data;

  if (main_window (self) != NULL)
    return;

  if (ferry_client_is_ready (self->client))
    {
      notify_finished (self, identifiers);
      return;
    }

  /* Held while the list loads; the app goes when nothing holds it. */
  g_application_hold (G_APPLICATION (self));
  data = g_new0 (FinishedData, 1);
  data->self = self;
  data->identifiers = g_steal_pointer (&identifiers);
  data->handler = g_signal_connect (self->client, "ready",
                                    G_CALLBACK (on_client_ready_for_finished), data);
}

/* -- Background ------------------------------------------------------------------------- */

/* In Flatpak there is no XDG autostart entry to install: the Background portal starts the
 * service at login instead, when the person allows it (ferryd --autostart exits at once
 * when nothing is pending). */
static void
request_background (FerryApplication *self)
{
  g_autoptr(GSettings) settings = ferry_settings_new ();
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (self));
  const char *commandline[] = { PACKAGE_LIBEXECDIR "/ferryd", "--autostart", NULL };
  GVariantDict options;

  if (bus == NULL || !g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return;

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "reason", "s",
                         _("Ferry continues unfinished transfers after you log in"));
  g_variant_dict_insert (&options, "autostart", "b",
                         ferry_settings_get_boolean (settings, "run-in-background", TRUE));
  g_variant_dict_insert_value (&options, "commandline", g_variant_new_strv (commandline, -1));
  g_dbus_connection_call (bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                          "org.freedesktop.portal.Background", "RequestBackground",
                          g_variant_new ("(s@a{sv})", "", g_variant_dict_end (&options)),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
}

/* -- GApplication ------------------------------------------------------------------------ */

static void
ferry_application_startup (GApplication *application)
{
  FerryApplication *self = FERRY_APPLICATION (application);
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *preferences_accels[] = { "<Control>comma", NULL };
  const char *close_accels[] = { "<Control>w", NULL };

  G_APPLICATION_CLASS (ferry_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);

  self->client = ferry_client_new ();
  g_signal_connect_object (self->client, "state-changed", G_CALLBACK (on_state_changed), self,
                           0);
  request_background (self);
}

static void
ferry_application_activate (GApplication *application)
{
  FerryApplication *self = FERRY_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (ferry_window_new (GTK_APPLICATION (self), self->client));

  gtk_window_present (window);
}

static void
ferry_application_dispose (GObject *object)
{
  FerryApplication *self = FERRY_APPLICATION (object);

  g_clear_object (&self->client);

  G_OBJECT_CLASS (ferry_application_parent_class)->dispose (object);
}

static void
ferry_application_class_init (FerryApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ferry_application_dispose;
  app_class->startup = ferry_application_startup;
  app_class->activate = ferry_application_activate;
}

static void
ferry_application_init (FerryApplication *self)
{
}

FerryApplication *
ferry_application_new (void)
{
  return g_object_new (FERRY_TYPE_APPLICATION,
                       "application-id", FERRY_APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/ferryhq/Ferry",
                       NULL);
}

FerryClient *
ferry_application_get_client (FerryApplication *self)
{
  return self->client;
}
