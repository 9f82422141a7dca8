/* ferry-start-dialog.c
 *
 * The same date and time choice as when the transfer was added, from its row's menu: a
 * schedule is changed where it shows, and a time already past is refused in words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-start-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-start-dialog.h"

struct _FerryStartDialog
{
  AdwMessageDialog parent_instance;

  guint64 id;
  FerryStartRow *start_row;
};

G_DEFINE_FINAL_TYPE (FerryStartDialog, ferry_start_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
revalidate (FerryStartDialog *self)
{
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "change",
                                           ferry_start_row_get_problem (self->start_row) == NULL);
}

static void
on_response (FerryStartDialog *self,
             const char       *response)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  GtkApplication *app = parent ? gtk_window_get_application (parent) : NULL;

  if (!g_str_equal (response, "change") || app == NULL ||
      ferry_start_row_get_problem (self->start_row) != NULL)
    return;

  g_action_group_activate_action (G_ACTION_GROUP (app), "set-start",
                                  g_variant_new ("(tx)", self->id,
                                                 ferry_start_row_get_start (self->start_row)));
}

static void
ferry_start_dialog_class_init (FerryStartDialogClass *klass)
{
}

static void
ferry_start_dialog_init (FerryStartDialog *self)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  self->start_row = FERRY_START_ROW (ferry_start_row_new ());
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (self->start_row));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (self), list);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (self),
                                    "cancel", _("_Cancel"),
                                    "change", _("C_hange"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self), "change",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self), "change");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "cancel");

  g_signal_connect_swapped (self->start_row, "changed", G_CALLBACK (revalidate), self);
  g_signal_connect (self, "response", G_CALLBACK (on_response), NULL);
  revalidate (self);
}

GtkWidget *
ferry_start_dialog_new (GtkWindow         *parent,
                        FerryTransferItem *item)
{
  FerryStartDialog *self = g_object_new (FERRY_TYPE_START_DIALOG,
                                         "transient-for", parent,
                                         "modal", TRUE,
                                         NULL);
  gint64 start = ferry_transfer_item_get_earliest_begin (item);
  g_autofree char *heading = NULL;

  self->id = ferry_transfer_item_get_id (item);
  /* Translators: the heading of a dialog, "When Should “ubuntu.iso” Start?" */
  heading = g_strdup_printf (_("When Should “%s” Start?"), ferry_transfer_item_get_name (item));
  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self),
                               _("Ferry starts it then, even when its window is closed."));
  if (start > g_get_real_time () / G_USEC_PER_SEC)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (start);

      ferry_start_row_set_start (self->start_row, when);
    }
  gtk_window_set_focus (GTK_WINDOW (self),
                        GTK_WIDGET (ferry_start_row_get_time_entry (self->start_row)));
  return GTK_WIDGET (self);
}

FerryStartRow *
ferry_start_dialog_get_start_row (FerryStartDialog *self)
{
  return self->start_row;
}
