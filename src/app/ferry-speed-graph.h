/* ferry-speed-graph.h: a transfer's rate over the last minutes, drawn with GtkSnapshot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ferry-transfer-item.h"

G_BEGIN_DECLS

#define FERRY_TYPE_SPEED_GRAPH (ferry_speed_graph_get_type ())

G_DECLARE_FINAL_TYPE (FerrySpeedGraph, ferry_speed_graph, FERRY, SPEED_GRAPH, GtkWidget)

GtkWidget *ferry_speed_graph_new (FerryTransferItem *item);

/* For tests and the bench: how many times the graph was drawn. */
guint      ferry_speed_graph_get_n_draws (FerrySpeedGraph *self);
/* For tests: the highest rate in the samples the graph shows now. */
guint64    ferry_speed_graph_get_peak (FerrySpeedGraph *self);

G_END_DECLS
