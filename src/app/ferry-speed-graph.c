/* ferry-speed-graph.c
 *
 * The graph is what people look at to see whether a transfer is healthy: bytes per second
 * for each of the last three minutes' seconds, newest on the right, the peak written above.
 * It draws only while mapped: hidden, it neither listens to the transfer nor ticks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-speed-graph"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-format.h"
#include "ferry-speed-graph.h"

struct _FerrySpeedGraph
{
  GtkWidget parent_instance;

  FerryTransferItem *item;
  gulong changed_id;
  guint tick_source;
  guint n_draws;
  guint64 peak;
};

G_DEFINE_FINAL_TYPE (FerrySpeedGraph, ferry_speed_graph, GTK_TYPE_WIDGET)

static gboolean
tick (gpointer user_data)
{
  /* Time passes with nothing arriving: the graph scrolls on. */
  gtk_widget_queue_draw (user_data);
  return G_SOURCE_CONTINUE;
}

static void
ferry_speed_graph_map (GtkWidget *widget)
{
  FerrySpeedGraph *self = FERRY_SPEED_GRAPH (widget);

  GTK_WIDGET_CLASS (ferry_speed_graph_parent_class)->map (widget);
  if (self->item != NULL && self->changed_id == 0)
    self->changed_id = g_signal_connect_swapped (self->item, "changed",
                                                 G_CALLBACK (gtk_widget_queue_draw), self);
  if (self->tick_source == 0)
    self->tick_source = g_timeout_add_seconds (1, tick, self);
}

static void
ferry_speed_graph_unmap (GtkWidget *widget)
{
  FerrySpeedGraph *self = FERRY_SPEED_GRAPH (widget);

  g_clear_signal_handler (&self->changed_id, self->item);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  GTK_WIDGET_CLASS (ferry_speed_graph_parent_class)->unmap (widget);
}

static void
ferry_speed_graph_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  FerrySpeedGraph *self = FERRY_SPEED_GRAPH (widget);
  guint64 samples[FERRY_RATE_HISTORY];
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget);
  float top = 20, bar;
  GdkRGBA color, line;
  guint n;
  guint64 peak = 0;
  g_autofree char *peak_text = NULL;
  g_autoptr(PangoLayout) layout = NULL;

  self->n_draws++;
  n = self->item ? ferry_transfer_item_get_rate_history (self->item, samples) : 0;
  for (guint i = 0; i < n; i++)
    peak = MAX (peak, samples[i]);
  self->peak = peak;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  line = color;
  line.alpha = 0.15f;
  /* The baseline and the peak's line. */
  gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (0, height - 1, width, 1));
  gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (0, top, width, 1));

  {
    /* The accent colour of the theme, as GtkProgressBar uses it. */
    GtkStyleContext *context = gtk_widget_get_style_context (widget);

    if (!gtk_style_context_lookup_color (context, "accent_color", &color))
      gdk_rgba_parse (&color, "#3584e4");
  }

  /* One bar a second, right-aligned: the newest second at the right edge. */
  bar = width / FERRY_RATE_HISTORY;
  if (peak > 0)
    {
      for (guint i = 0; i < n; i++)
        {
          float h = (height - 1 - top) * ((double) samples[i] / peak);
          float x = width - (n - i) * bar;

          if (h > 0)
            gtk_snapshot_append_color (snapshot, &color,
                                       &GRAPHENE_RECT_INIT (x, height - 1 - h,
                                                            MAX (bar - 0.5f, 1), h));
        }
    }

  if (peak > 0)
    {
      g_autofree char *rate = ferry_format_rate (peak);

      /* Translators: written above the speed graph's highest point */
      peak_text = g_strdup_printf (_("Peak %s"), rate);
    }
  else
    {
      peak_text = g_strdup (_("Nothing moved yet"));
    }
  layout = gtk_widget_create_pango_layout (widget, peak_text);
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &line);
  line.alpha = 0.6f;
  gtk_snapshot_append_layout (snapshot, layout, &line);
}

static void
ferry_speed_graph_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? FERRY_RATE_HISTORY : 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 2 * FERRY_RATE_HISTORY : 140;
}

static void
ferry_speed_graph_dispose (GObject *object)
{
  FerrySpeedGraph *self = FERRY_SPEED_GRAPH (object);

  g_clear_signal_handler (&self->changed_id, self->item);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_object (&self->item);

  G_OBJECT_CLASS (ferry_speed_graph_parent_class)->dispose (object);
}

static void
ferry_speed_graph_class_init (FerrySpeedGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_speed_graph_dispose;
  widget_class->map = ferry_speed_graph_map;
  widget_class->unmap = ferry_speed_graph_unmap;
  widget_class->snapshot = ferry_speed_graph_snapshot;
  widget_class->measure = ferry_speed_graph_measure;
  gtk_widget_class_set_css_name (widget_class, "speedgraph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ferry_speed_graph_init (FerrySpeedGraph *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Speed over the last three minutes"), -1);
}

GtkWidget *
ferry_speed_graph_new (FerryTransferItem *item)
{
  FerrySpeedGraph *self = g_object_new (FERRY_TYPE_SPEED_GRAPH, NULL);

  self->item = g_object_ref (item);
  return GTK_WIDGET (self);
}

guint
ferry_speed_graph_get_n_draws (FerrySpeedGraph *self)
{
  return self->n_draws;
}

guint64
ferry_speed_graph_get_peak (FerrySpeedGraph *self)
{
  return self->peak;
}
