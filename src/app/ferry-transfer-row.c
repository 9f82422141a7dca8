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
  char *shown_name;
  char *shown_session;
  char *shown_destination;
  int shown_state;
  gboolean stale;

  GtkWidget *box;
  GtkWidget *buttons;
  GtkImage *icon;
  GtkLabel *name_label;
  GtkLabel *via_label;
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
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (ferry_transfer_row_parent_class)->dispose (object);
}

static void
ferry_transfer_row_class_init (FerryTransferRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_transfer_row_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

/* GTK 4.8's list view makes about two hundred rows at once, whatever shows: a row is built
 * in code (no template to parse) and its buttons only when first needed. */
static void
ferry_transfer_row_init (FerryTransferRow *self)
{
  GtkWidget *text;
  GtkWidget *heading;

  self->shown_state = -1;

  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_top (self->box, 10);
  gtk_widget_set_margin_bottom (self->box, 10);
  gtk_widget_set_margin_start (self->box, 12);
  gtk_widget_set_margin_end (self->box, 12);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->icon = GTK_IMAGE (gtk_image_new ());
  gtk_image_set_pixel_size (self->icon, 32);
  gtk_widget_set_valign (GTK_WIDGET (self->icon), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "",
                                  -1);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->icon));

  text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self->box), text);

  self->name_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->name_label, 0);
  gtk_label_set_ellipsize (self->name_label, PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (GTK_WIDGET (self->name_label), "heading");
  /* The name, then who asked for it ("via Fractal") when another app did. */
  heading = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_box_append (GTK_BOX (heading), GTK_WIDGET (self->name_label));
  self->via_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->via_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->via_label), "caption");
  gtk_widget_set_visible (GTK_WIDGET (self->via_label), FALSE);
  gtk_box_append (GTK_BOX (heading), GTK_WIDGET (self->via_label));
  gtk_box_append (GTK_BOX (text), heading);

  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_progress_bar_set_pulse_step (self->progress, 0.05);
  gtk_box_append (GTK_BOX (text), GTK_WIDGET (self->progress));

  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->status_label, 0);
  gtk_label_set_ellipsize (self->status_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "caption");
  gtk_box_append (GTK_BOX (text), GTK_WIDGET (self->status_label));

  self->buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_valign (self->buttons, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self->box), self->buttons);
}

typedef struct
{
  gsize offset;          /* of the button's field in FerryTransferRow */
  const char *icon;      /* NULL: a text button */
  const char *label;
  const char *action;
  gboolean takes_path;   /* the target is the destination, not the id */
} ButtonSpec;

/* In the order they appear. */
static const ButtonSpec button_specs[] = {
  { G_STRUCT_OFFSET (FerryTransferRow, pause_button), "media-playback-pause-symbolic",
    N_("Pause"), "app.pause-transfer", FALSE },
  { G_STRUCT_OFFSET (FerryTransferRow, resume_button), "media-playback-start-symbolic",
    N_("Resume"), "app.resume-transfer", FALSE },
  { G_STRUCT_OFFSET (FerryTransferRow, retry_button), "view-refresh-symbolic",
    N_("Try Again"), "app.resume-transfer", FALSE },
  { G_STRUCT_OFFSET (FerryTransferRow, open_button), NULL, N_("_Open"), "app.open-file", TRUE },
  { G_STRUCT_OFFSET (FerryTransferRow, folder_button), "folder-open-symbolic",
    N_("Show in Folder"), "app.show-in-folder", TRUE },
  { G_STRUCT_OFFSET (FerryTransferRow, cancel_button), "process-stop-symbolic",
    N_("Cancel"), "app.cancel-transfer", FALSE },
  { G_STRUCT_OFFSET (FerryTransferRow, remove_button), "user-trash-symbolic",
    N_("Remove from List"), "win.remove-transfer", FALSE },
};

static GtkWidget **
button_slot (FerryTransferRow *self,
             guint             i)
{
  return G_STRUCT_MEMBER_P (self, button_specs[i].offset);
}

static GVariant *
button_target (FerryTransferRow *self,
               guint             i)
{
  if (button_specs[i].takes_path)
    return g_variant_new_string (ferry_transfer_item_get_destination (self->item));
  return g_variant_new_uint64 (ferry_transfer_item_get_id (self->item));
}

/* Shows or hides button @i, making it the first time it is shown. */
static void
show_button (FerryTransferRow *self,
             guint             i,
             gboolean          visible)
{
  GtkWidget **slot = button_slot (self, i);
  const ButtonSpec *spec = &button_specs[i];
  GtkWidget *sibling = NULL;

  if (*slot == NULL && !visible)
    return;

  if (*slot == NULL)
    {
      GtkWidget *button;

      if (spec->icon != NULL)
        {
          button = gtk_button_new_from_icon_name (spec->icon);
          gtk_widget_set_tooltip_text (button, _(spec->label));
          /* Icon-only buttons get their tooltip as accessible name too. */
          gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, _(spec->label), -1);
          gtk_widget_add_css_class (button, "circular");
        }
      else
        {
          button = gtk_button_new_with_mnemonic (_(spec->label));
          gtk_widget_add_css_class (button, "pill");
        }
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                              button_target (self, i));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), spec->action);

      /* Keep the order of button_specs whatever the order of creation. */
      for (guint j = 0; j < i; j++)
        {
          if (*button_slot (self, j) != NULL)
            sibling = *button_slot (self, j);
        }
      gtk_box_insert_child_after (GTK_BOX (self->buttons), button, sibling);
      *slot = button;
    }

  gtk_widget_set_visible (*slot, visible);
}

/* The row shows another transfer (list rows are recycled): new targets for what exists. */
static void
retarget_buttons (FerryTransferRow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (button_specs); i++)
    {
      GtkWidget *button = *button_slot (self, i);

      if (button != NULL)
        gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                                button_target (self, i));
    }
}

void
ferry_transfer_row_catch_up (FerryTransferRow *self)
{
  if (self->stale)
    refresh (self);
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

static gboolean
tick_countdown (gpointer user_data)
{
  refresh (user_data);
  return G_SOURCE_CONTINUE;
}

/* GTK 4.8's list view keeps about two hundred rows bound, a few of them on screen. */
static gboolean
in_view (FerryTransferRow *self)
{
  GtkWidget *viewport = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;

  if (viewport == NULL || !gtk_widget_compute_bounds (GTK_WIDGET (self), viewport, &bounds))
    return TRUE;

  return bounds.origin.y + bounds.size.height >= 0 &&
         bounds.origin.y <= gtk_widget_get_height (viewport);
}

static void
refresh (FerryTransferRow *self)
{
  FerryTransferItem *item = self->item;
  g_autofree char *status = NULL;
  g_autoptr(GDateTime) now = NULL;
  FerryStatus s = { 0 };
  const char *name;
  const char *destination;
  const char *session;
  gboolean active, ended;

  if (item == NULL)
    return;

  /* Off screen, the words and bar wait: on_scrolled() catches up when it comes into view.
   * A new state (the buttons) is applied at once. */
  if ((int) ferry_transfer_item_get_state (item) == self->shown_state && !in_view (self))
    {
      self->stale = TRUE;
      return;
    }
  self->stale = FALSE;

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
  /* Only a waiting transfer's words depend on the time. */
  if (s.state == FERRY_STATE_WAITING)
    now = g_date_time_new_now_local ();
  status = ferry_describe_status (&s, now);
  gtk_label_set_label (self->status_label, status);

  /* What changes rarely is only touched when it changed: progress arrives four times a
   * second for every running transfer. */
  name = ferry_transfer_item_get_name (item);
  if (g_strcmp0 (name, self->shown_name) != 0)
    {
      g_autoptr(GIcon) icon = icon_for (name, s.upload);

      g_free (self->shown_name);
      self->shown_name = g_strdup (name);
      gtk_label_set_label (self->name_label, name);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label),
                                   ferry_transfer_item_get_uri (item));
      gtk_image_set_from_gicon (self->icon, icon);
    }

  session = ferry_transfer_item_get_session (item);
  if (g_strcmp0 (session, self->shown_session) != 0)
    {
      g_autofree char *requester = ferry_describe_requester (session);

      g_free (self->shown_session);
      self->shown_session = g_strdup (session);
      if (requester != NULL)
        {
          /* Translators: names the app that asked for a transfer, "via Fractal" */
          g_autofree char *via = g_strdup_printf (_("via %s"), requester);

          gtk_label_set_label (self->via_label, via);
        }
      gtk_widget_set_visible (GTK_WIDGET (self->via_label), requester != NULL);
    }

  destination = ferry_transfer_item_get_destination (item);
  if (g_strcmp0 (destination, self->shown_destination) != 0)
    {
      g_free (self->shown_destination);
      self->shown_destination = g_strdup (destination);
      retarget_buttons (self);
    }

  ended = ferry_state_is_terminal (s.state);
  active = !ended && s.state != FERRY_STATE_PAUSED;
  gtk_widget_set_visible (GTK_WIDGET (self->progress), !ended);
  if (!ended)
    {
      if (s.total > 0)
        gtk_progress_bar_set_fraction (self->progress,
                                       MIN (1.0, (double) MAX (s.done, s.sent) / s.total));
      else if (s.state == FERRY_STATE_RUNNING)
        gtk_progress_bar_pulse (self->progress);   /* size unknown: pulse as bytes arrive */
      else
        gtk_progress_bar_set_fraction (self->progress, 0);
    }

  if ((int) s.state != self->shown_state)
    {
      gboolean completed_file = s.state == FERRY_STATE_COMPLETED && !s.upload;

      self->shown_state = s.state;
      show_button (self, 0, active);
      show_button (self, 1, s.state == FERRY_STATE_PAUSED);
      show_button (self, 2, s.state == FERRY_STATE_FAILED || s.state == FERRY_STATE_REJECTED ||
                            s.state == FERRY_STATE_CANCELED);
      show_button (self, 3, completed_file);
      show_button (self, 4, completed_file);
      show_button (self, 5, !ended);
      show_button (self, 6, ended);
    }

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
  g_return_if_fail (FERRY_IS_TRANSFER_ROW (self));

  if (self->item == item)
    return;

  g_clear_handle_id (&self->countdown_source, g_source_remove);
  g_clear_signal_handler (&self->changed_id, self->item);
  g_clear_object (&self->item);
  g_clear_pointer (&self->shown_name, g_free);
  g_clear_pointer (&self->shown_session, g_free);
  g_clear_pointer (&self->shown_destination, g_free);
  self->shown_state = -1;

  if (item == NULL)
    return;

  self->item = g_object_ref (item);
  self->changed_id = g_signal_connect_swapped (item, "changed", G_CALLBACK (refresh), self);

  retarget_buttons (self);
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

const char *
ferry_transfer_row_get_via_text (FerryTransferRow *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->via_label))
           ? gtk_label_get_label (self->via_label)
           : NULL;
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
