/* ferry-preferences.c
 *
 * Every control is bound to GSettings; ferryd watches the same keys and applies them while it
 * runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-preferences.h"
#include "ferry-settings.h"

struct _FerryPreferences
{
  AdwPreferencesWindow parent_instance;

  GSettings *settings;
  GtkFileChooserNative *chooser;

  AdwActionRow *folder_row;
  GtkWidget *folder_button;
  GtkWidget *metered_switch;
  GtkWidget *max_running_spin;
  GtkWidget *download_limit_spin;
  GtkWidget *upload_limit_spin;
  GtkWidget *background_switch;
};

G_DEFINE_FINAL_TYPE (FerryPreferences, ferry_preferences, ADW_TYPE_PREFERENCES_WINDOW)

/* Settings hold bytes per second; people think in kilobytes per second. */
static gboolean
bytes_to_kilobytes (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  g_value_set_double (value, (double) g_variant_get_uint64 (variant) / 1000.0);
  return TRUE;
}

static GVariant *
kilobytes_to_bytes (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  return g_variant_new_uint64 ((guint64) (g_value_get_double (value) * 1000.0));
}

static void
update_folder (FerryPreferences *self)
{
  g_autofree char *folder = ferry_settings_dup_download_folder (self->settings);

  adw_action_row_set_subtitle (self->folder_row, folder);
}

static void
on_folder_chosen (GtkNativeDialog  *dialog,
                  int               response,
                  FerryPreferences *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (folder);

      g_settings_set_string (self->settings, "download-folder", path ? path : "");
    }
  g_clear_object (&self->chooser);
}

static void
on_choose_folder (FerryPreferences *self)
{
  self->chooser = gtk_file_chooser_native_new (_("Download Folder"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"), _("_Cancel"));
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
ferry_preferences_dispose (GObject *object)
{
  FerryPreferences *self = FERRY_PREFERENCES (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), FERRY_TYPE_PREFERENCES);

  G_OBJECT_CLASS (ferry_preferences_parent_class)->dispose (object);
}

static void
ferry_preferences_class_init (FerryPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_preferences_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ferryhq/Ferry/ferry-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, FerryPreferences, folder_row);
  gtk_widget_class_bind_template_child (widget_class, FerryPreferences, folder_button);
  gtk_widget_class_bind_template_child (widget_class, FerryPreferences, metered_switch);
  gtk_widget_class_bind_template_child (widget_class, FerryPreferences, max_running_spin);
  gtk_widget_class_bind_template_child (widget_class, FerryPreferences, download_limit_spin);
  gtk_widget_class_bind_template_child (widget_class, FerryPreferences, upload_limit_spin);
  gtk_widget_class_bind_template_child (widget_class, FerryPreferences, background_switch);
}

static void
ferry_preferences_init (FerryPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = ferry_settings_new ();
  if (self->settings == NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
      return;
    }

  g_settings_bind (self->settings, "allow-metered", self->metered_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "run-in-background", self->background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "max-running", self->max_running_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "download-limit", self->download_limit_spin,
                                "value", G_SETTINGS_BIND_DEFAULT, bytes_to_kilobytes,
                                kilobytes_to_bytes, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "upload-limit", self->upload_limit_spin,
                                "value", G_SETTINGS_BIND_DEFAULT, bytes_to_kilobytes,
                                kilobytes_to_bytes, NULL, NULL);
  g_signal_connect_object (self->settings, "changed::download-folder",
                           G_CALLBACK (update_folder), self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->folder_button, "clicked", G_CALLBACK (on_choose_folder), self);
  update_folder (self);
}

GtkWidget *
ferry_preferences_new (GtkWindow *parent)
{
  return g_object_new (FERRY_TYPE_PREFERENCES, "transient-for", parent, "modal", TRUE, NULL);
}
