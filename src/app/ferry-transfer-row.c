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
  const char *shown_rule;  /* a translated constant: compared by address */
  gboolean stale;

  GtkWidget *box;
  GtkWidget *buttons;
  GtkImage *icon;
  GtkLabel *name_label;
  GtkLabel *via_label;
  GtkProgressBar *progress;
  GtkLabel *status_label;
  GtkWidget *main_button;
  GtkWidget *menu_button;
  GtkWidget *row_menu;   /* narrow: the menu without its button, from a right-click or a press */
  int main_role;
  gboolean compact;      /* the window is narrow */
  gboolean failed;
};

G_DEFINE_FINAL_TYPE (FerryTransferRow, ferry_transfer_row, GTK_TYPE_WIDGET)

static void refresh (FerryTransferRow *self);
static void create_popup (GtkMenuButton *button,
                          gpointer       user_data);
static void on_secondary_click (GtkGestureClick  *gesture,
                                int               n_press,
                                double            x,
                                double            y,
                                FerryTransferRow *self);
static void on_long_press (GtkGestureLongPress *gesture,
                           double               x,
                           double               y,
                           FerryTransferRow    *self);
static gboolean on_query_tooltip (GtkWidget        *widget,
                                  int               x,
                                  int               y,
                                  gboolean          keyboard,
                                  GtkTooltip       *tooltip,
                                  FerryTransferRow *self);

static void
ferry_transfer_row_dispose (GObject *object)
{
  FerryTransferRow *self = FERRY_TRANSFER_ROW (object);

  ferry_transfer_row_set_item (self, NULL);
  g_clear_pointer (&self->row_menu, gtk_widget_unparent);
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

/* A part of the row whose tooltip is asked for when the pointer rests on it. */
static void
set_lazy_tooltip (FerryTransferRow *self,
                  GtkWidget        *widget)
{
  gtk_widget_set_has_tooltip (widget, TRUE);
  g_signal_connect_object (widget, "query-tooltip", G_CALLBACK (on_query_tooltip), self, 0);
}

/* GTK 4.8's list view makes about two hundred rows at once, whatever shows: a row is built
 * in code (no template to parse) and its buttons only when first needed. Its tooltips are
 * worded when asked for (on_query_tooltip): gtk_widget_set_tooltip_text() asks the X server
 * where the pointer is, three round trips each time, and four per row were most of the
 * first frame's wait on a busy machine. */
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
  set_lazy_tooltip (self, GTK_WIDGET (self->name_label));
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
  /* A long error wraps to two lines (the whole sentence is in Details), and a narrow window
   * wraps the status rather than cutting it (update_wrap). Not otherwise: a wrapping label
   * makes the list measure every bound row's height for its width at each progress update,
   * four times the CPU with two hundred transfers running. */
  gtk_label_set_wrap_mode (self->status_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (self->status_label, 2);
  gtk_label_set_ellipsize (self->status_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "caption");
  g_signal_connect_object (self->status_label, "query-tooltip", G_CALLBACK (on_query_tooltip),
                           self, 0);
  gtk_box_append (GTK_BOX (text), GTK_WIDGET (self->status_label));

  self->buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_valign (self->buttons, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self->box), self->buttons);

  /* One button for what comes next, and a menu for the rest. Neither takes the focus: Tab
   * leaves the list, arrows move between rows, and the keyboard acts on the focused row
   * (Space, Delete, Menu, Shift+F10: see the window). */
  self->main_button = gtk_button_new ();
  gtk_widget_add_css_class (self->main_button, "flat");
  gtk_widget_add_css_class (self->main_button, "circular");
  gtk_widget_set_valign (self->main_button, GTK_ALIGN_CENTER);
  gtk_widget_set_focusable (self->main_button, FALSE);
  gtk_widget_set_visible (self->main_button, FALSE);
  set_lazy_tooltip (self, self->main_button);
  gtk_box_append (GTK_BOX (self->buttons), self->main_button);

  self->menu_button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (self->menu_button), "view-more-symbolic");
  set_lazy_tooltip (self, self->menu_button);
  gtk_widget_add_css_class (self->menu_button, "flat");
  gtk_widget_add_css_class (self->menu_button, "circular");
  gtk_widget_set_valign (self->menu_button, GTK_ALIGN_CENTER);
  gtk_widget_set_focusable (self->menu_button, FALSE);
  gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (self->menu_button), create_popup, self,
                                         NULL);
  gtk_box_append (GTK_BOX (self->buttons), self->menu_button);

  {
    GtkGesture *click = gtk_gesture_click_new ();
    GtkGesture *press = gtk_gesture_long_press_new ();

    gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
    g_signal_connect (click, "pressed", G_CALLBACK (on_secondary_click), self);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
    gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (press), TRUE);
    g_signal_connect (press, "pressed", G_CALLBACK (on_long_press), self);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (press));
  }
}

/* The one button a row has, by state: what a person most likely wants next. */
typedef enum
{
  MAIN_NONE,
  MAIN_PAUSE,
  MAIN_RESUME,
  MAIN_RETRY,
  MAIN_OPEN,
  MAIN_COPY_LINK,
} MainRole;

static const struct
{
  const char *which;     /* for ferry_transfer_row_get_button() */
  const char *icon;
  const char *tooltip;
  const char *action;
} main_roles[] = {
  [MAIN_NONE] = { NULL, NULL, NULL, NULL },
  [MAIN_PAUSE] = { "pause", "media-playback-pause-symbolic", N_("Pause"),
                   "app.pause-transfer" },
  [MAIN_RESUME] = { "resume", "media-playback-start-symbolic", N_("Resume"),
                    "app.resume-transfer" },
  [MAIN_RETRY] = { "retry", "view-refresh-symbolic", N_("Try Again"), "app.resume-transfer" },
  [MAIN_OPEN] = { "open", "document-open-symbolic", N_("Open"), "app.open-file" },
  [MAIN_COPY_LINK] = { "copy-link", "edit-copy-symbolic", N_("Copy Link"), "app.copy-link" },
};

/* The main button's name for a screen reader says what it acts on: "Pause ubuntu.iso". */
static char *
main_label (MainRole    role,
            const char *name)
{
  switch (role)
    {
    case MAIN_PAUSE:
      /* Translators: a button's name for screen readers, "Pause ubuntu.iso" */
      return g_strdup_printf (_("Pause %s"), name);
    case MAIN_RESUME:
      return g_strdup_printf (_("Resume %s"), name);
    case MAIN_RETRY:
      return g_strdup_printf (_("Try %s again"), name);
    case MAIN_OPEN:
      return g_strdup_printf (_("Open %s"), name);
    case MAIN_COPY_LINK:
      return g_strdup_printf (_("Copy the link to %s"), name);
    case MAIN_NONE:
    default:
      return g_strdup (name);
    }
}

static MainRole
main_role_for (FerryTransferItem *item)
{
  FerryState state = ferry_transfer_item_get_state (item);

  switch (state)
    {
    case FERRY_STATE_PAUSED:
      return MAIN_RESUME;
    case FERRY_STATE_FAILED:
    case FERRY_STATE_REJECTED:
    case FERRY_STATE_CANCELED:
      return MAIN_RETRY;
    case FERRY_STATE_COMPLETED:
      return ferry_transfer_item_is_upload (item) ? MAIN_COPY_LINK : MAIN_OPEN;
    case FERRY_STATE_QUEUED:
    case FERRY_STATE_WAITING:
    case FERRY_STATE_RUNNING:
    default:
      return MAIN_PAUSE;
    }
}

static GVariant *
main_target (FerryTransferRow *self,
             MainRole          role)
{
  if (role == MAIN_OPEN)
    return g_variant_new_string (ferry_transfer_item_get_destination (self->item));
  if (role == MAIN_COPY_LINK)
    return g_variant_new_string (ferry_transfer_item_get_uri (self->item));
  return g_variant_new_uint64 (ferry_transfer_item_get_id (self->item));
}

/* The row's menu, made when it opens from what the transfer is then. */
static GMenuModel *
build_menu (FerryTransferRow *self)
{
  FerryTransferItem *item = self->item;
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) first = g_menu_new ();
  g_autoptr(GMenu) second = g_menu_new ();
  g_autoptr(GMenu) last = g_menu_new ();
  FerryState state;
  FerryWaitReasons reasons;
  guint64 id;
  gboolean ended, completed_file;

  if (item == NULL)
    return G_MENU_MODEL (g_steal_pointer (&menu));

  state = ferry_transfer_item_get_state (item);
  reasons = ferry_transfer_item_get_wait_reasons (item);
  id = ferry_transfer_item_get_id (item);
  ended = ferry_state_is_terminal (state);
  completed_file = state == FERRY_STATE_COMPLETED && !ferry_transfer_item_is_upload (item);

  if (state == FERRY_STATE_WAITING && (reasons & FERRY_WAIT_SCHEDULE))
    {
      g_autoptr(GMenuItem) mi = g_menu_item_new (_("Start _Now"), NULL);

      g_menu_item_set_action_and_target (mi, "app.start-now", "t", id);
      g_menu_append_item (first, mi);
    }
  /* The schedule is changed where it shows; a transfer not yet running can be put off. */
  if (!ended && state != FERRY_STATE_RUNNING)
    {
      gboolean scheduled = ferry_transfer_item_get_earliest_begin (item) >
                           g_get_real_time () / G_USEC_PER_SEC;
      g_autoptr(GMenuItem) mi = g_menu_item_new (scheduled ? _("Change Start _Time…")
                                                           : _("Start _Later…"), NULL);

      g_menu_item_set_action_and_target (mi, "app.change-start", "t", id);
      g_menu_append_item (first, mi);
    }
  if (state == FERRY_STATE_WAITING && (reasons & FERRY_WAIT_METERED))
    {
      g_autoptr(GMenuItem) mi = g_menu_item_new (_("Allow on _Metered Networks"), NULL);

      g_menu_item_set_action_and_target (mi, "app.allow-metered", "t", id);
      g_menu_append_item (first, mi);
    }
  {
    g_autoptr(GMenuItem) mi = g_menu_item_new (_("_Copy Link"), NULL);

    g_menu_item_set_action_and_target (mi, "app.copy-link", "s",
                                       ferry_transfer_item_get_uri (item));
    g_menu_append_item (second, mi);
  }
  if (completed_file)
    {
      g_autoptr(GMenuItem) mi = g_menu_item_new (_("Show in _Folder"), NULL);

      g_menu_item_set_action_and_target (mi, "app.show-in-folder", "s",
                                         ferry_transfer_item_get_destination (item));
      g_menu_append_item (second, mi);
    }
  {
    g_autoptr(GMenuItem) mi = g_menu_item_new (_("_Details"), NULL);

    g_menu_item_set_action_and_target (mi, "win.show-details", "t", id);
    g_menu_append_item (second, mi);
  }
  if (!ended)
    {
      g_autoptr(GMenuItem) mi = g_menu_item_new (_("C_ancel"), NULL);

      g_menu_item_set_action_and_target (mi, "win.cancel-transfer", "t", id);
      g_menu_append_item (last, mi);
    }
  {
    g_autoptr(GMenuItem) mi = g_menu_item_new (_("_Remove from List"), NULL);

    g_menu_item_set_action_and_target (mi, "win.remove-transfer", "t", id);
    g_menu_append_item (last, mi);
  }
  if (completed_file)
    {
      g_autoptr(GMenuItem) mi = g_menu_item_new (_("Remove and _Delete File…"), NULL);

      g_menu_item_set_action_and_target (mi, "win.remove-and-delete", "t", id);
      g_menu_append_item (last, mi);
    }

  if (g_menu_model_get_n_items (G_MENU_MODEL (first)) > 0)
    g_menu_append_section (menu, NULL, G_MENU_MODEL (first));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (second));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (last));
  return G_MENU_MODEL (g_steal_pointer (&menu));
}

static void
create_popup (GtkMenuButton *button,
              gpointer       user_data)
{
  FerryTransferRow *self = user_data;
  g_autoptr(GMenuModel) menu = build_menu (self);

  gtk_menu_button_set_menu_model (button, menu);
}

/* Narrow, the row has no menu button to hang the menu on: it points at where the person
 * pressed, or at the row's one button for the keyboard. */
static void
popup_row_menu (FerryTransferRow *self,
                double            x,
                double            y)
{
  g_autoptr(GMenuModel) menu = build_menu (self);
  graphene_point_t point = GRAPHENE_POINT_INIT (x, y);

  if (self->row_menu == NULL)
    {
      self->row_menu = gtk_popover_menu_new_from_model (NULL);
      gtk_widget_set_parent (self->row_menu, GTK_WIDGET (self));
      gtk_popover_set_has_arrow (GTK_POPOVER (self->row_menu), TRUE);
    }
  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->row_menu), menu);
  if (x < 0 && gtk_widget_get_visible (self->main_button))
    {
      if (!gtk_widget_compute_point (self->main_button, GTK_WIDGET (self),
                                     &GRAPHENE_POINT_INIT (
                                       gtk_widget_get_width (self->main_button) / 2.0,
                                       gtk_widget_get_height (self->main_button) / 2.0),
                                     &point))
        point = GRAPHENE_POINT_INIT (gtk_widget_get_width (GTK_WIDGET (self)) - 24, 24);
    }
  else if (x < 0)
    {
      point = GRAPHENE_POINT_INIT (gtk_widget_get_width (GTK_WIDGET (self)) - 24,
                                   gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
    }
  gtk_popover_set_pointing_to (GTK_POPOVER (self->row_menu),
                               &(GdkRectangle) { (int) point.x, (int) point.y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->row_menu));
}

static void
popup_menu_at (FerryTransferRow *self,
               double            x,
               double            y)
{
  if (gtk_widget_get_visible (self->menu_button))
    gtk_menu_button_popup (GTK_MENU_BUTTON (self->menu_button));
  else
    popup_row_menu (self, x, y);
}

void
ferry_transfer_row_popup_menu (FerryTransferRow *self)
{
  popup_menu_at (self, -1, -1);
}

static void
on_secondary_click (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    FerryTransferRow *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_menu_at (self, x, y);
}

static void
on_long_press (GtkGestureLongPress *gesture,
               double               x,
               double               y,
               FerryTransferRow    *self)
{
  popup_menu_at (self, x, y);
}

const char *
ferry_transfer_row_get_tooltip (FerryTransferRow *self,
                                GtkWidget        *part)
{
  if (part == self->menu_button)
    return _("More Actions");
  if (self->item == NULL)
    return NULL;
  if (part == self->main_button)
    return self->main_role != MAIN_NONE ? _(main_roles[self->main_role].tooltip) : NULL;
  if (part == GTK_WIDGET (self->name_label))
    return ferry_transfer_item_get_uri (self->item);
  if (part == GTK_WIDGET (self->status_label))
    return self->shown_rule;
  return NULL;
}

static gboolean
on_query_tooltip (GtkWidget        *widget,
                  int               x,
                  int               y,
                  gboolean          keyboard,
                  GtkTooltip       *tooltip,
                  FerryTransferRow *self)
{
  const char *text = ferry_transfer_row_get_tooltip (self, widget);

  if (text == NULL || *text == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* A tooltip shown while its words change is worded again; one not shown is asked for when
 * the pointer comes. */
static void
update_tooltip (GtkWidget *widget)
{
  if (gtk_widget_get_state_flags (widget) & GTK_STATE_FLAG_PRELIGHT)
    gtk_widget_trigger_tooltip_query (widget);
}

/* What the main button and the menu button say to a screen reader names the transfer. */
static void
update_button_names (FerryTransferRow *self)
{
  const char *name = self->shown_name ? self->shown_name : "";
  g_autofree char *menu_label = g_strdup_printf (_("More actions for %s"), name);

  if (self->main_role != MAIN_NONE)
    {
      g_autofree char *label = main_label (self->main_role, name);

      gtk_accessible_update_property (GTK_ACCESSIBLE (self->main_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, menu_label, -1);
}

static void
set_main_role (FerryTransferRow *self,
               MainRole          role)
{
  self->main_role = role;
  gtk_widget_set_visible (self->main_button, role != MAIN_NONE);
  if (role == MAIN_NONE)
    return;
  gtk_button_set_icon_name (GTK_BUTTON (self->main_button), main_roles[role].icon);
  update_tooltip (self->main_button);
  /* The target's type changes with the action (an id, a path, an address). */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->main_button), NULL);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->main_button),
                                          main_target (self, role));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->main_button), main_roles[role].action);
  update_button_names (self);
}

/* The row shows another transfer (list rows are recycled): new targets for what exists. */
static void
retarget_buttons (FerryTransferRow *self)
{
  if (self->main_role != MAIN_NONE)
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->main_button),
                                            main_target (self, self->main_role));
}

static void
update_wrap (FerryTransferRow *self)
{
  gboolean wrap = self->compact || self->failed;

  if (gtk_label_get_wrap (self->status_label) != wrap)
    gtk_label_set_wrap (self->status_label, wrap);
}

void
ferry_transfer_row_set_compact (FerryTransferRow *self,
                                gboolean          compact)
{
  self->compact = compact;
  update_wrap (self);
  /* 360 pixels leave room for the words or for two buttons, not both: the row keeps the one
   * for what comes next, and its menu opens from a right-click, a long press, Menu or
   * Shift+F10 (and Details, from activating the row, has the rest). */
  gtk_widget_set_visible (self->menu_button, !compact);
}

GtkWidget *
ferry_transfer_row_get_menu (FerryTransferRow *self)
{
  if (gtk_widget_get_visible (self->menu_button))
    return GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (self->menu_button)));
  return self->row_menu;
}

guint
ferry_transfer_row_count_buttons (FerryTransferRow *self)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (self->buttons); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (gtk_widget_get_visible (child))
        n++;
    }
  return n;
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
  if (G_IS_THEMED_ICON (icon))
    {
      const char *const *names = g_themed_icon_get_names (G_THEMED_ICON (icon));
      g_autoptr(GStrvBuilder) symbolic = g_strv_builder_new ();
      g_auto(GStrv) kept = NULL;

      /* GLib follows the symbolic names with the full-colour ones, which a theme without
       * the symbolic ones (.iso, .bin) then shows, glaring in dark mode: keep only the
       * symbolic ones, and end on one that every icon theme has. */
      for (guint i = 0; names[i] != NULL; i++)
        {
          if (g_str_has_suffix (names[i], "-symbolic"))
            g_strv_builder_add (symbolic, names[i]);
        }
      g_strv_builder_add (symbolic, "text-x-generic-symbolic");
      kept = g_strv_builder_end (symbolic);
      g_object_unref (icon);
      icon = g_themed_icon_new_from_names (kept, -1);
    }
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
  gboolean ended;

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
  s.unmetered_only = !ferry_transfer_get_allow_metered (ferry_transfer_item_get_transfer (item));
  /* Only a waiting transfer's words depend on the time, and a paused one's schedule. */
  if (s.state == FERRY_STATE_WAITING || (s.state == FERRY_STATE_PAUSED && s.earliest_begin > 0))
    now = g_date_time_new_now_local ();
  status = ferry_describe_status (&s, now);
  gtk_label_set_label (self->status_label, status);

  /* A running download kept off metered networks would pause on one: its line stays short,
   * and the pointer on it says so. */
  {
    const char *rule = s.state == FERRY_STATE_RUNNING ? ferry_describe_network_rule (&s) : NULL;

    if (rule != self->shown_rule)
      {
        self->shown_rule = rule;
        gtk_widget_set_has_tooltip (GTK_WIDGET (self->status_label), rule != NULL);
        update_tooltip (GTK_WIDGET (self->status_label));
      }
  }

  /* What changes rarely is only touched when it changed: progress arrives four times a
   * second for every running transfer. */
  name = ferry_transfer_item_get_name (item);
  if (g_strcmp0 (name, self->shown_name) != 0)
    {
      g_autoptr(GIcon) icon = icon_for (name, s.upload);

      g_free (self->shown_name);
      self->shown_name = g_strdup (name);
      gtk_label_set_label (self->name_label, name);
      update_tooltip (GTK_WIDGET (self->name_label));
      gtk_image_set_from_gicon (self->icon, icon);
      update_button_names (self);
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
      gboolean failed = s.state == FERRY_STATE_FAILED || s.state == FERRY_STATE_REJECTED;

      self->shown_state = s.state;
      set_main_role (self, main_role_for (item));
      self->failed = failed;
      update_wrap (self);

      /* An error looks like one: its colour, and an icon that says so. */
      if (failed)
        {
          gtk_image_set_from_icon_name (self->icon, "dialog-error-symbolic");
          gtk_widget_add_css_class (GTK_WIDGET (self->icon), "error");
          gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "dim-label");
          gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
        }
      else if (gtk_widget_has_css_class (GTK_WIDGET (self->icon), "error"))
        {
          g_autoptr(GIcon) icon = icon_for (name, s.upload);

          gtk_image_set_from_gicon (self->icon, icon);
          gtk_widget_remove_css_class (GTK_WIDGET (self->icon), "error");
          gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
          gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
        }
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, status, -1);

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
  self->shown_rule = NULL;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->status_label), FALSE);

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
  if (g_str_equal (which, "menu"))
    return self->menu_button;
  if (self->main_role != MAIN_NONE && g_str_equal (which, main_roles[self->main_role].which))
    return self->main_button;
  return NULL;
}

GtkWidget *
ferry_transfer_row_get_icon (FerryTransferRow *self)
{
  return GTK_WIDGET (self->icon);
}

gboolean
ferry_transfer_row_get_status_wraps (FerryTransferRow *self)
{
  return gtk_label_get_wrap (self->status_label);
}
