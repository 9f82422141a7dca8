/* ferry-fit.c
 *
 * The header's overall status ("3 active — 18.4 MB/s") is worth showing when there is room
 * and must never be the reason a window cannot be made 360 pixels wide: this asks for no
 * width of its own (its natural width is the child's) and draws the child only when it has
 * room for all of it, never cut. A wrapping label inside takes two lines where one does not
 * fit, and its place stays where it is whatever the numbers say.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-fit"

#include "config.h"

#include "ferry-fit.h"

struct _FerryFit
{
  GtkWidget parent_instance;

  GtkWidget *child;
  gboolean fits;
};

enum {
  PROP_0,
  PROP_CHILD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void ferry_fit_buildable_init (GtkBuildableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FerryFit, ferry_fit, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE,
                                                      ferry_fit_buildable_init))

static GtkBuildableIface *parent_buildable_iface;

static void
ferry_fit_add_child (GtkBuildable *buildable,
                     GtkBuilder   *builder,
                     GObject      *child,
                     const char   *type)
{
  if (GTK_IS_WIDGET (child))
    ferry_fit_set_child (FERRY_FIT (buildable), GTK_WIDGET (child));
  else
    parent_buildable_iface->add_child (buildable, builder, child, type);
}

static void
ferry_fit_buildable_init (GtkBuildableIface *iface)
{
  parent_buildable_iface = g_type_interface_peek_parent (iface);
  iface->add_child = ferry_fit_add_child;
}

static void
ferry_fit_measure (GtkWidget      *widget,
                   GtkOrientation  orientation,
                   int             for_size,
                   int            *minimum,
                   int            *natural,
                   int            *minimum_baseline,
                   int            *natural_baseline)
{
  FerryFit *self = FERRY_FIT (widget);
  int child_min = 0, child_nat = 0;

  *minimum = *natural = 0;
  if (self->child == NULL || !gtk_widget_get_visible (self->child))
    return;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* Across, it asks for nothing: the room it gets decides whether the child shows. */
      gtk_widget_measure (self->child, orientation, -1, NULL, natural, NULL, NULL);
      return;
    }

  /* Down, what the child needs at that width (a wrapping label, two lines when narrower
   * than one), but never for a width too narrow to show it. */
  gtk_widget_measure (self->child, GTK_ORIENTATION_HORIZONTAL, -1, &child_min, &child_nat,
                      NULL, NULL);
  if (for_size < 0)
    for_size = child_nat;
  gtk_widget_measure (self->child, orientation, MAX (for_size, child_min), minimum, natural,
                      NULL, NULL);
}

static void
ferry_fit_size_allocate (GtkWidget *widget,
                         int        width,
                         int        height,
                         int        baseline)
{
  FerryFit *self = FERRY_FIT (widget);
  int min_width = 0, min_height = 0;

  if (self->child == NULL)
    return;

  gtk_widget_measure (self->child, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL,
                      NULL);
  if (width >= min_width)
    gtk_widget_measure (self->child, GTK_ORIENTATION_VERTICAL, width, &min_height, NULL, NULL,
                        NULL);
  self->fits = width >= min_width && min_height <= height;
  gtk_widget_set_child_visible (self->child, self->fits);
  if (self->fits)
    gtk_widget_allocate (self->child, width, height, baseline, NULL);
}

static void
ferry_fit_dispose (GObject *object)
{
  FerryFit *self = FERRY_FIT (object);

  g_clear_pointer (&self->child, gtk_widget_unparent);

  G_OBJECT_CLASS (ferry_fit_parent_class)->dispose (object);
}

static void
ferry_fit_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  FerryFit *self = FERRY_FIT (object);

  switch (prop_id)
    {
    case PROP_CHILD:
      g_value_set_object (value, self->child);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_fit_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  FerryFit *self = FERRY_FIT (object);

  switch (prop_id)
    {
    case PROP_CHILD:
      ferry_fit_set_child (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_fit_class_init (FerryFitClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_fit_dispose;
  object_class->get_property = ferry_fit_get_property;
  object_class->set_property = ferry_fit_set_property;
  widget_class->measure = ferry_fit_measure;
  widget_class->size_allocate = ferry_fit_size_allocate;

  properties[PROP_CHILD] = g_param_spec_object ("child", NULL, NULL, GTK_TYPE_WIDGET,
                                                G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                                G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ferry_fit_init (FerryFit *self)
{
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
ferry_fit_get_child (FerryFit *self)
{
  g_return_val_if_fail (FERRY_IS_FIT (self), NULL);

  return self->child;
}

void
ferry_fit_set_child (FerryFit  *self,
                     GtkWidget *child)
{
  g_return_if_fail (FERRY_IS_FIT (self));

  if (self->child == child)
    return;

  g_clear_pointer (&self->child, gtk_widget_unparent);
  if (child != NULL)
    {
      self->child = child;
      gtk_widget_set_parent (child, GTK_WIDGET (self));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHILD]);
}

gboolean
ferry_fit_get_fits (FerryFit *self)
{
  g_return_val_if_fail (FERRY_IS_FIT (self), FALSE);

  return self->fits && self->child != NULL && gtk_widget_get_visible (self->child);
}
