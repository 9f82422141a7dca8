/* ferry-transfer-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-transfer-row"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-describe.h"
#include "ferry-transfer-row.h"

struct _FerryTransferRow
{
  GtkWidget parent_instance;

  FerryTransferItem *item;
  gulong changed_id;
  guint countdown_source;

  GtkWidget *box;
  GtkImage *icon;
  GtkLabel *name_label;
  GtkProgressBar *progress;
  GtkLabel *status_label;
  GtkWidget *pause_button;
  GtkWidget *resume_button;
  GtkWidget *retry_button;
  GtkWidget *open_button;
  GtkWidget *folder_button;
  GtkWidget *cancel_button;
  GtkWidget *remove_button;
};

G_DEFINE_FINAL_TYPE (FerryTransferRow, ferry_transfer_row, GTK_TYPE_WIDGET)

static void refresh (FerryTransferRow *self);

static void
ferry_transfer_row_dispose (GObject *object)
{
  FerryTransferRow *self = FERRY_TRANSFER_ROW (object);

  ferry_transfer_row_set_item (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), FERRY_TYPE_TRANSFER_ROW);

  G_OBJECT_CLASS (ferry_transfer_row_parent_class)->dispose (object);
}

static void
ferry_transfer_row_class_init (FerryTransferRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_transfer_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ferryhq/Ferry/ferry-transfer-row.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, FerryTransferRow, box);
  gtk_widget_class_bind_template_child (widget_class, FerryTransferRow, icon);
  gtk_widget_class_bind_template_child (widget_class, FerryTransferRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, FerryTransferRow, progress);
  gtk_widget_class_bind_template_child (widget_class, FerryTransferRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, FerryTransferRow, pause_button);
  gtk_widget_class_bind_template_child (widget_class, FerryTransferRow, resume_button);
  gtk_widget_class_bind_template_child (widget_class, FerryTransferRow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, FerryTransferRow, open_button);
  gtk_widget_class_bind_template_child (widget_class, FerryTransferRow, folder_button);
  gtk_widget_class_bind_template_child (widget_class, FerryTransferRow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, FerryTransferRow, remove_button);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
label_button (GtkWidget  *button,
              const char *label)
{
  /* Icon-only buttons get their tooltip as accessible name too. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
ferry_transfer_row_init (FerryTransferRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  label_button (self->pause_button, _("Pause"));
  label_button (self->resume_button, _("Resume"));
  label_button (self->retry_button, _("Try Again"));
  label_button (self->folder_button, _("Show in Folder"));
  label_button (self->cancel_button, _("Cancel"));
  label_button (self->remove_button, _("Remove from List"));
}

GtkWidget *
ferry_transfer_row_new (void)
{
  return g_object_new (FERRY_TYPE_TRANSFER_ROW, NULL);
}

static GIcon *
icon_for (const char *name,
          gboolean    upload)
{
  g_autofree char *content_type = NULL;
  GIcon *icon;

  if (upload)
    return g_themed_icon_new ("send-to-symbolic");

  content_type = g_content_type_guess (name, NULL, 0, NULL);
  icon = g_content_type_get_symbolic_icon (content_type);
  /* Themes lack many of these (application-x-generic-symbolic among them): end on one that
   * every icon theme has. */
  if (G_IS_THEMED_ICON (icon))
    g_themed_icon_append_name (G_THEMED_ICON (icon), "text-x-generic-symbolic");
  return icon;
}

/* Target first, then name: an action never sees a button without its parameter. */
static void
set_action (GtkWidget  *button,
            const char *name,
            GVariant   *target)
{
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  if (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)) == NULL)
    gtk_actionable_set_action_name (GTK_ACTIONABLE (button), name);
}

static gboolean
tick_countdown (gpointer user_data)
{
  refresh (user_data);
  return G_SOURCE_CONTINUE;
}

static void
refresh (FerryTransferRow *self)
{
  FerryTransfer1 *proxy;
  g_autofree char *name = NULL;
  g_autofree char *status = NULL;
  g_autoptr(GIcon) icon = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GVariant) target = NULL;
  FerryStatus s = { 0 };
  const char *destination;
  gboolean active, ended;

  if (self->item == NULL)
    return;

  proxy = ferry_transfer_item_get_proxy (self->item);
  name = ferry_transfer_item_dup_name (self->item);
  s.state = ferry_transfer_item_get_state (self->item);
  s.reasons = ferry_wait_reasons_from_strv (ferry_transfer1_get_wait_reasons (proxy));
  s.upload = g_strcmp0 (ferry_transfer1_get_kind (proxy), "upload") == 0;
  s.done = ferry_transfer_item_get_bytes_done (self->item);
  s.total = ferry_transfer_item_get_bytes_total (self->item);
  s.rate = ferry_transfer_item_get_rate (self->item);
  s.earliest_begin = ferry_transfer1_get_earliest_begin (proxy);
  s.retry_at = ferry_transfer1_get_retry_at (proxy);
  s.error = ferry_transfer1_get_error (proxy);
  status = ferry_describe_status (&s, now);

  gtk_label_set_label (self->name_label, name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label), ferry_transfer1_get_uri (proxy));
  gtk_label_set_label (self->status_label, status);
  icon = icon_for (name, s.upload);
  gtk_image_set_from_gicon (self->icon, icon);

  ended = ferry_state_is_terminal (s.state);
  active = !ended && s.state != FERRY_STATE_PAUSED;
  gtk_widget_set_visible (GTK_WIDGET (self->progress), !ended);
  if (!ended)
    {
      if (s.total > 0)
        gtk_progress_bar_set_fraction (self->progress, MIN (1.0, (double) s.done / s.total));
      else if (s.state == FERRY_STATE_RUNNING)
        gtk_progress_bar_pulse (self->progress);   /* size unknown: pulse as bytes arrive */
      else
        gtk_progress_bar_set_fraction (self->progress, 0);
    }

  gtk_widget_set_visible (self->pause_button, active);
  gtk_widget_set_visible (self->resume_button, s.state == FERRY_STATE_PAUSED);
  gtk_widget_set_visible (self->retry_button, s.state == FERRY_STATE_FAILED ||
                                              s.state == FERRY_STATE_REJECTED ||
                                              s.state == FERRY_STATE_CANCELED);
  gtk_widget_set_visible (self->cancel_button, !ended);
  gtk_widget_set_visible (self->open_button, s.state == FERRY_STATE_COMPLETED && !s.upload);
  gtk_widget_set_visible (self->folder_button, s.state == FERRY_STATE_COMPLETED && !s.upload);
  gtk_widget_set_visible (self->remove_button, ended);

  destination = ferry_transfer1_get_destination (proxy);
  target = g_variant_ref_sink (g_variant_new_string (destination ? destination : ""));
  set_action (self->open_button, "app.open-file", target);
  set_action (self->folder_button, "app.show-in-folder", target);

  /* A retry countdown is the one thing that changes with nothing happening: tick only then. */
  if (s.state == FERRY_STATE_WAITING && (s.reasons & FERRY_WAIT_RETRY))
    {
      if (self->countdown_source == 0)
        self->countdown_source = g_timeout_add_seconds (1, tick_countdown, self);
    }
  else
    {
      g_clear_handle_id (&self->countdown_source, g_source_remove);
    }
}

void
ferry_transfer_row_set_item (FerryTransferRow  *self,
                             FerryTransferItem *item)
{
  g_autoptr(GVariant) id = NULL;

  g_return_if_fail (FERRY_IS_TRANSFER_ROW (self));

  if (self->item == item)
    return;

  g_clear_handle_id (&self->countdown_source, g_source_remove);
  g_clear_signal_handler (&self->changed_id, self->item);
  g_clear_object (&self->item);

  if (item == NULL)
    return;

  self->item = g_object_ref (item);
  self->changed_id = g_signal_connect_swapped (item, "changed", G_CALLBACK (refresh), self);

  id = g_variant_ref_sink (g_variant_new_uint64 (ferry_transfer_item_get_id (item)));
  set_action (self->pause_button, "app.pause-transfer", id);
  set_action (self->resume_button, "app.resume-transfer", id);
  set_action (self->retry_button, "app.resume-transfer", id);
  set_action (self->cancel_button, "app.cancel-transfer", id);
  set_action (self->remove_button, "win.remove-transfer", id);
  refresh (self);
}

FerryTransferItem *
ferry_transfer_row_get_item (FerryTransferRow *self)
{
  return self->item;
}

const char *
ferry_transfer_row_get_status_text (FerryTransferRow *self)
{
  return gtk_label_get_label (self->status_label);
}

GtkWidget *
ferry_transfer_row_get_button (FerryTransferRow *self,
                               const char       *which)
{
  if (g_str_equal (which, "pause"))
    return self->pause_button;
  if (g_str_equal (which, "resume"))
    return self->resume_button;
  if (g_str_equal (which, "retry"))
    return self->retry_button;
  if (g_str_equal (which, "cancel"))
    return self->cancel_button;
  if (g_str_equal (which, "open"))
    return self->open_button;
  if (g_str_equal (which, "folder"))
    return self->folder_button;
  if (g_str_equal (which, "remove"))
    return self->remove_button;
  return NULL;
}
