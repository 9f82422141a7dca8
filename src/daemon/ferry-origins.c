/* ferry-origins.c: what each server asked of Ferry, shared by every session's transfers
 *
 * A server that said "come back later" (429 or 503 with Retry-After) or refused connections
 * said it to Ferry, not to one transfer: every transfer to that origin, whichever app added
 * it, waits until then. A server that answered 429 gets half the connections at once, for
 * ten minutes after its last 429. The table lives in memory only; the held transfers' own
 * RetryAt is stored with them, so a restart of ferryd still keeps the time the server gave.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-origins"

#include "config.h"

#include <gio/gio.h>

#include "ferry-origins.h"

/* How long a 429's smaller budget lasts after the last 429. A server that limits how many
 * connections one client opens answers 429 again as soon as Ferry tries more, so the budget
 * grows back only after a quiet spell, not after the first success. */
#define BUDGET_MEMORY_USEC (10 * 60 * G_USEC_PER_SEC)

typedef struct
{
  gint64 held_until; /* real µs; 0 = not held */
  guint budget;      /* connections at once; 0 = the max-per-host setting */
  gint64 throttled_at; /* real µs of the last 429 */
} Origin;

struct _FerryOrigins
{
  GHashTable *origins; /* char * → Origin * */
  /* char * → open connections; apart from origins, which stays empty in the common case */
  GHashTable *connections;
  GHashTable *waiting;  /* char * → transfers waiting for a connection to it */
  GFunc freed;
  gpointer freed_data;
};

FerryOrigins *
ferry_origins_new (void)
{
  FerryOrigins *self = g_new0 (FerryOrigins, 1);

  self->origins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->connections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
ferry_origins_free (FerryOrigins *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->origins);
  g_hash_table_unref (self->connections);
  g_hash_table_unref (self->waiting);
  g_free (self);
}

char *
ferry_origin_of_uri (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  int port;

  if (uri == NULL)
    return g_strdup ("");
  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (parsed == NULL || g_uri_get_host (parsed) == NULL)
    return g_strdup ("");

  scheme = g_ascii_strdown (g_uri_get_scheme (parsed), -1);
  host = g_ascii_strdown (g_uri_get_host (parsed), -1);
  port = g_uri_get_port (parsed);
  if (port < 0)
    port = g_str_equal (scheme, "https") ? 443 : 80;

  return g_strdup_printf ("%s://%s:%d", scheme, host, port);
}

static Origin *
lookup (FerryOrigins *self,
        const char   *origin,
        gboolean      create)
{
  Origin *o = g_hash_table_lookup (self->origins, origin);

  if (o == NULL && create && origin[0] != '\0')
    {
      o = g_new0 (Origin, 1);
      g_hash_table_insert (self->origins, g_strdup (origin), o);
    }
  return o;
}

/* An origin with nothing left to remember leaves the table, so it holds only the servers
 * that are in trouble now. */
static void
forget_if_clear (FerryOrigins *self,
                 const char   *origin,
                 Origin       *o,
                 gint64        now_usec)
{
  if (o->held_until <= now_usec && o->budget == 0)
    g_hash_table_remove (self->origins, origin);
}

void
ferry_origins_hold (FerryOrigins *self,
                    const char   *origin,
                    gint64        until_usec)
{
  Origin *o = lookup (self, origin, TRUE);

  if (o == NULL)
    return;
  if (until_usec > o->held_until)
    {
      o->held_until = until_usec;
      g_debug ("%s holds its transfers for %" G_GINT64_FORMAT " ms", origin,
               (until_usec - g_get_real_time ()) / 1000);
    }
}

gint64
ferry_origins_held_until (FerryOrigins *self,
                          const char   *origin,
                          gint64        now_usec)
{
  Origin *o = lookup (self, origin, FALSE);

  if (o == NULL)
    return 0;
  if (o->held_until <= now_usec)
    {
      o->held_until = 0;
      forget_if_clear (self, origin, o, now_usec);
      return 0;
    }
  return o->held_until;
}

void
ferry_origins_throttled (FerryOrigins *self,
                         const char   *origin,
                         guint         in_use,
                         guint         max_per_host)
{
  Origin *o = lookup (self, origin, TRUE);
  guint current;

  if (o == NULL)
    return;
  current = o->budget > 0 ? o->budget : max_per_host;
  current = MIN (current, MAX (in_use, 1));
  o->budget = MAX (current / 2, 1);
  o->throttled_at = g_get_real_time ();
  g_debug ("%s answered 429: %u connection(s) at once", origin, o->budget);
}

guint
ferry_origins_budget (FerryOrigins *self,
                      const char   *origin,
                      guint         max_per_host)
{
  Origin *o = lookup (self, origin, FALSE);
  gint64 now = g_get_real_time ();

  if (o == NULL || o->budget == 0)
    return max_per_host;
  if (now - o->throttled_at >= BUDGET_MEMORY_USEC)
    {
      /* Quiet long enough: back to the setting's limit. */
      o->budget = 0;
      forget_if_clear (self, origin, o, now);
      return max_per_host;
    }
  return MIN (o->budget, max_per_host);
}

gboolean
ferry_origins_is_empty (FerryOrigins *self)
{
  return g_hash_table_size (self->origins) == 0;
}

guint
ferry_origins_connections (FerryOrigins *self,
                           const char   *origin)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->connections, origin));
}

void
ferry_origins_connection_opened (FerryOrigins *self,
                                 const char   *origin)
{
  guint n = ferry_origins_connections (self, origin);

  g_hash_table_insert (self->connections, g_strdup (origin), GUINT_TO_POINTER (n + 1));
}

void
ferry_origins_connection_closed (FerryOrigins *self,
                                 const char   *origin)
{
  guint n = ferry_origins_connections (self, origin);

  g_return_if_fail (n > 0);
  if (n == 1)
    g_hash_table_remove (self->connections, origin);
  else
    g_hash_table_insert (self->connections, g_strdup (origin), GUINT_TO_POINTER (n - 1));

  if (self->freed != NULL && ferry_origins_waiting (self, origin) > 0)
    self->freed ((gpointer) origin, self->freed_data);
}

gboolean
ferry_origins_try_open (FerryOrigins *self,
                        const char   *origin,
                        guint         max_per_host)
{
  if (ferry_origins_connections (self, origin) + ferry_origins_waiting (self, origin) >=
      ferry_origins_budget (self, origin, max_per_host))
    return FALSE;
  ferry_origins_connection_opened (self, origin);
  return TRUE;
}

void
ferry_origins_clear_waiting (FerryOrigins *self)
{
  g_hash_table_remove_all (self->waiting);
}

void
ferry_origins_add_waiting (FerryOrigins *self,
                           const char   *origin)
{
  guint n = ferry_origins_waiting (self, origin);

  g_hash_table_insert (self->waiting, g_strdup (origin), GUINT_TO_POINTER (n + 1));
}

guint
ferry_origins_waiting (FerryOrigins *self,
                       const char   *origin)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->waiting, origin));
}

void
ferry_origins_set_freed_func (FerryOrigins *self,
                              GFunc         freed,
                              gpointer      user_data)
{
  self->freed = freed;
  self->freed_data = user_data;
}
