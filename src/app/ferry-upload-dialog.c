/* ferry-upload-dialog.c
 *
 * Files dropped on the window are uploads. The dialog asks for the address (the last ones
 * used are a click away), the protocol (automatic unless the person knows better) and the
 * method, and says what is wrong with an address before it is sent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-upload-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-links.h"
#include "ferry-settings.h"
#include "ferry-start-row.h"
#include "ferry-upload-dialog.h"

#define MAX_RECENT 5

struct _FerryUploadDialog
{
  AdwMessageDialog parent_instance;

  GStrv paths;
  GSettings *settings;
  AdwEntryRow *target_row;
  AdwComboRow *protocol_row;
  AdwComboRow *method_row;
  AdwExpanderRow *later_row;
  FerryStartRow *start_row;
  GtkLabel *problem_label;
  gboolean typed;        /* the address was edited: only then is a problem pointed out */
};

G_DEFINE_FINAL_TYPE (FerryUploadDialog, ferry_upload_dialog, ADW_TYPE_MESSAGE_DIALOG)

static const char *const protocols[] = { "auto", "ietf", "tus", "plain" };
static const char *const methods[] = { "POST", "PUT" };

static void
revalidate (FerryUploadDialog *self)
{
  g_autofree char *problem =
    ferry_links_check_target (gtk_editable_get_text (GTK_EDITABLE (self->target_row)));

  /* A start time already past is refused beside the field (the row says why). */
  gboolean start_ok = !adw_expander_row_get_enable_expansion (self->later_row) ||
                      ferry_start_row_get_problem (self->start_row) == NULL;

  /* A half-typed address is not an error yet: Upload stays off, nothing is red. */
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "upload",
                                           problem == NULL && start_ok);
  if (!self->typed)
    return;

  gtk_label_set_label (self->problem_label, problem ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);
  if (problem != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->target_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->target_row), "error");
}

static void
on_target_changed (FerryUploadDialog *self)
{
  self->typed = TRUE;
  revalidate (self);
}

/* Enter in the address sends, as the Upload button would. */
static void
on_target_activated (FerryUploadDialog *self)
{
  if (!adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (self), "upload"))
    {
      self->typed = TRUE;
      revalidate (self);
      return;
    }
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (self), "upload");
  gtk_window_close (GTK_WINDOW (self));
}

static void
remember_target (FerryUploadDialog *self,
                 const char        *target)
{
  g_auto(GStrv) recent = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;
  guint kept = 1;

  if (self->settings == NULL)
    return;

  recent = g_settings_get_strv (self->settings, "recent-upload-targets");
  g_strv_builder_add (builder, target);
  for (guint i = 0; recent[i] != NULL && kept < MAX_RECENT; i++)
    {
      if (!g_str_equal (recent[i], target))
        {
          g_strv_builder_add (builder, recent[i]);
          kept++;
        }
    }
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-upload-targets", (const char *const *) updated);
}

static void
on_response (FerryUploadDialog *self,
             const char        *response)
{
  g_autofree char *target = NULL;
  GtkApplication *app;
  GVariantDict options;
  guint protocol = adw_combo_row_get_selected (self->protocol_row);
  guint method = adw_combo_row_get_selected (self->method_row);

  if (!g_str_equal (response, "upload"))
    return;

  target = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->target_row))));
  remember_target (self, target);

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "protocol", "s",
                         protocols[MIN (protocol, G_N_ELEMENTS (protocols) - 1)]);
  g_variant_dict_insert (&options, "method", "s",
                         methods[MIN (method, G_N_ELEMENTS (methods) - 1)]);
  if (adw_expander_row_get_enable_expansion (self->later_row))
    g_variant_dict_insert (&options, "earliest-begin", "x",
                           ferry_start_row_get_start (self->start_row));

  app = gtk_window_get_application (gtk_window_get_transient_for (GTK_WINDOW (self)));
  if (app != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (app), "upload",
                                    g_variant_new ("(s^as@a{sv})", target, self->paths,
                                                   g_variant_dict_end (&options)));
}

static void
use_recent (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  FerryUploadDialog *self = FERRY_UPLOAD_DIALOG (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->target_row), g_variant_get_string (parameter, NULL));
}

static void
ferry_upload_dialog_dispose (GObject *object)
{
  FerryUploadDialog *self = FERRY_UPLOAD_DIALOG (object);

  g_clear_pointer (&self->paths, g_strfreev);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ferry_upload_dialog_parent_class)->dispose (object);
}

static void
ferry_upload_dialog_class_init (FerryUploadDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_upload_dialog_dispose;
  gtk_widget_class_install_action (widget_class, "upload.use-recent", "s", use_recent);
}

static AdwComboRow *
combo_row (const char        *title,
           const char *const *items)
{
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());
  g_autoptr(GtkStringList) model = gtk_string_list_new (items);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (row, G_LIST_MODEL (model));
  return row;
}

static void
ferry_upload_dialog_init (FerryUploadDialog *self)
{
  const char *protocol_names[] = {
    _("Automatic"), _("Resumable (IETF draft)"), _("Resumable (tus)"),
    _("Plain — starts over if interrupted"), NULL
  };
  const char *method_names[] = { "POST", "PUT", NULL };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *advanced;
  g_auto(GStrv) recent = NULL;

  self->settings = ferry_settings_new ();
  recent = self->settings ? g_settings_get_strv (self->settings, "recent-upload-targets")
                          : g_new0 (char *, 1);

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_box_append (GTK_BOX (box), list);

  self->target_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->target_row), _("Address"));
  gtk_editable_set_text (GTK_EDITABLE (self->target_row), recent[0] ? recent[0] : "https://");
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (self->target_row));

  if (recent[0] != NULL)
    {
      g_autoptr(GMenu) menu = g_menu_new ();
      GtkWidget *button = gtk_menu_button_new ();

      for (guint i = 0; recent[i] != NULL; i++)
        {
          g_autoptr(GMenuItem) item = g_menu_item_new (recent[i], NULL);

          g_menu_item_set_action_and_target (item, "upload.use-recent", "s", recent[i]);
          g_menu_append_item (menu, item);
        }
      gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "document-open-recent-symbolic");
      gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _("Recent Addresses"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Recent Addresses"), -1);
      adw_entry_row_add_suffix (self->target_row, button);
    }

  /* Later, tonight say: a date and a time of day, refused in words when already past. */
  self->later_row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->later_row), _("Start Later"));
  adw_expander_row_set_subtitle (self->later_row, _("Otherwise the upload starts now"));
  adw_expander_row_set_show_enable_switch (self->later_row, TRUE);
  adw_expander_row_set_enable_expansion (self->later_row, FALSE);
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (self->later_row));
  self->start_row = FERRY_START_ROW (ferry_start_row_new ());
  adw_expander_row_add_row (self->later_row, GTK_WIDGET (self->start_row));

  /* Most people never need these: the protocol is found out, POST is what servers expect. */
  advanced = adw_expander_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (advanced), _("Advanced"));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (advanced), _("How the files are sent"));
  gtk_list_box_append (GTK_LIST_BOX (list), advanced);
  self->protocol_row = combo_row (_("Protocol"), protocol_names);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (advanced), GTK_WIDGET (self->protocol_row));
  self->method_row = combo_row (_("Method"), method_names);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (advanced), GTK_WIDGET (self->method_row));

  self->problem_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->problem_label, TRUE);
  gtk_label_set_xalign (self->problem_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->problem_label), "error");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->problem_label));

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (self), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (self),
                                    "cancel", _("_Cancel"),
                                    "upload", _("_Upload"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self), "upload",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self), "upload");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "cancel");

  g_signal_connect_swapped (self->target_row, "changed", G_CALLBACK (on_target_changed), self);
  g_signal_connect_swapped (self->target_row, "entry-activated", G_CALLBACK (on_target_activated),
                            self);
  g_signal_connect_swapped (self->later_row, "notify::enable-expansion",
                            G_CALLBACK (revalidate), self);
  g_signal_connect_swapped (self->start_row, "changed", G_CALLBACK (revalidate), self);
  g_signal_connect (self, "response", G_CALLBACK (on_response), NULL);
  revalidate (self);
}

GtkWidget *
ferry_upload_dialog_new (GtkWindow         *parent,
                         const char *const *paths)
{
  FerryUploadDialog *self = g_object_new (FERRY_TYPE_UPLOAD_DIALOG,
                                          "transient-for", parent,
                                          "modal", TRUE,
                                          NULL);
  guint n = g_strv_length ((GStrv) paths);
  g_autofree char *heading = NULL;

  self->paths = g_strdupv ((GStrv) paths);
  if (n == 1)
    {
      g_autofree char *name = g_filename_display_basename (paths[0]);

      heading = g_strdup_printf (_("Upload “%s”"), name);
    }
  else
    {
      heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Upload %u File",
                                              "Upload %u Files", n), n);
    }
  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self),
                               _("Uploads go on when Ferry is closed. Servers that resume "
                                 "uploads continue where they stopped. An address ending in "
                                 "“/” gets each file’s name added."));
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->target_row));
  return GTK_WIDGET (self);
}

GtkEditable *
ferry_upload_dialog_get_target (FerryUploadDialog *self)
{
  return GTK_EDITABLE (self->target_row);
}

AdwExpanderRow *
ferry_upload_dialog_get_later_row (FerryUploadDialog *self)
{
  return self->later_row;
}

FerryStartRow *
ferry_upload_dialog_get_start_row (FerryUploadDialog *self)
{
  return self->start_row;
}
