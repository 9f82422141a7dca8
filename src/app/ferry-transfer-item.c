/* ferry-transfer-item.c
 *
 * Wraps the generated proxy: its cached properties are the truth for everything but the
 * bytes and rate, which the service sends four times a second in one Progress signal for all
 * transfers. "changed" is emitted for either.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-transfer-item"

#include "config.h"

#include <string.h>

#include "ferry-transfer-item.h"

struct _FerryTransferItem
{
  GObject parent_instance;

  FerryTransfer1 *proxy;
  guint64 done;
  guint64 total;
  guint64 rate;
  gboolean have_progress;
  gboolean hidden;
};

G_DEFINE_FINAL_TYPE (FerryTransferItem, ferry_transfer_item, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_properties_changed (GDBusProxy        *proxy,
                       GVariant          *changed,
                       GStrv              invalidated,
                       FerryTransferItem *self)
{
  /* Properties carry settled values (paused, completed…): they win over live ones. */
  if (g_variant_lookup (changed, "BytesDone", "t", NULL) ||
      g_variant_lookup (changed, "State", "&s", NULL))
    self->have_progress = FALSE;

  g_signal_emit (self, signals[CHANGED], 0);
}

static void
ferry_transfer_item_dispose (GObject *object)
{
  FerryTransferItem *self = FERRY_TRANSFER_ITEM (object);

  if (self->proxy != NULL)
    g_signal_handlers_disconnect_by_data (self->proxy, self);
  g_clear_object (&self->proxy);

  G_OBJECT_CLASS (ferry_transfer_item_parent_class)->dispose (object);
}

static void
ferry_transfer_item_class_init (FerryTransferItemClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ferry_transfer_item_dispose;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ferry_transfer_item_init (FerryTransferItem *self)
{
}

FerryTransferItem *
ferry_transfer_item_new (FerryTransfer1 *proxy)
{
  FerryTransferItem *self = g_object_new (FERRY_TYPE_TRANSFER_ITEM, NULL);

  self->proxy = g_object_ref (proxy);
  g_signal_connect (proxy, "g-properties-changed", G_CALLBACK (on_properties_changed), self);
  return self;
}

FerryTransfer1 *
ferry_transfer_item_get_proxy (FerryTransferItem *self)
{
  return self->proxy;
}

guint64
ferry_transfer_item_get_id (FerryTransferItem *self)
{
  return ferry_transfer1_get_id (self->proxy);
}

FerryState
ferry_transfer_item_get_state (FerryTransferItem *self)
{
  FerryState state = FERRY_STATE_QUEUED;

  ferry_state_from_string (ferry_transfer1_get_state (self->proxy), &state);
  return state;
}

char *
ferry_transfer_item_dup_name (FerryTransferItem *self)
{
  const char *destination = ferry_transfer1_get_destination (self->proxy);
  const char *uri = ferry_transfer1_get_uri (self->proxy);

  if (destination != NULL && *destination != '\0')
    return g_path_get_basename (destination);

  if (uri != NULL)
    {
      g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
      const char *path = parsed ? g_uri_get_path (parsed) : NULL;
      const char *slash = path ? strrchr (path, '/') : NULL;

      if (slash != NULL && slash[1] != '\0')
        return g_uri_unescape_string (slash + 1, NULL);
      return g_strdup (uri);
    }

  return g_strdup ("");
}

char *
ferry_transfer_item_dup_host (FerryTransferItem *self)
{
  g_autoptr(GUri) parsed = g_uri_parse (ferry_transfer1_get_uri (self->proxy), G_URI_FLAGS_NONE,
                                        NULL);

  return g_strdup (parsed && g_uri_get_host (parsed) ? g_uri_get_host (parsed) : "");
}

guint64
ferry_transfer_item_get_bytes_done (FerryTransferItem *self)
{
  return self->have_progress ? self->done : ferry_transfer1_get_bytes_done (self->proxy);
}

guint64
ferry_transfer_item_get_bytes_total (FerryTransferItem *self)
{
  return self->have_progress && self->total ? self->total
                                            : ferry_transfer1_get_bytes_total (self->proxy);
}

guint64
ferry_transfer_item_get_rate (FerryTransferItem *self)
{
  return self->have_progress ? self->rate : ferry_transfer1_get_rate (self->proxy);
}

void
ferry_transfer_item_set_progress (FerryTransferItem *self,
                                  guint64            done,
                                  guint64            total,
                                  guint64            rate)
{
  self->done = done;
  self->total = total;
  self->rate = rate;
  self->have_progress = TRUE;
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
ferry_transfer_item_get_hidden (FerryTransferItem *self)
{
  return self->hidden;
}

void
ferry_transfer_item_set_hidden (FerryTransferItem *self,
                                gboolean           hidden)
{
  self->hidden = hidden;
  g_signal_emit (self, signals[CHANGED], 0);
}
