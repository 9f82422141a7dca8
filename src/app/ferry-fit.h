/* ferry-fit.h: a child shown whole or not at all, that never widens its parent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FERRY_TYPE_FIT (ferry_fit_get_type ())

G_DECLARE_FINAL_TYPE (FerryFit, ferry_fit, FERRY, FIT, GtkWidget)

GtkWidget *ferry_fit_get_child (FerryFit  *self);
void       ferry_fit_set_child (FerryFit  *self,
                                GtkWidget *child);
/* Whether the child has the room it needs and is drawn. */
gboolean   ferry_fit_get_fits (FerryFit *self);

G_END_DECLS
