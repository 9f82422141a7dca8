/* ferry-origins.h: what each server asked of Ferry, shared by every session's transfers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FerryOrigins FerryOrigins;

FerryOrigins *ferry_origins_new (void);
void          ferry_origins_free (FerryOrigins *self);

/* "scheme://host:port" of @uri, the port filled in for http and https; "" when @uri has no
 * host. Two services on one machine are two origins, and so are http and https. */
char         *ferry_origin_of_uri (const char *uri);

/* The origin asked not to be contacted before @until_usec (real µs): a Retry-After, or a
 * refused connection's backoff. A later time wins; an earlier one never shortens a hold. */
void          ferry_origins_hold (FerryOrigins *self,
                                  const char   *origin,
                                  gint64        until_usec);
/* When the origin may be contacted again, or 0 when it may now. */
gint64        ferry_origins_held_until (FerryOrigins *self,
                                        const char   *origin,
                                        gint64        now_usec);

/* The origin answered 429 Too Many Requests while @in_use of Ferry's connections were open
 * to it: its budget halves, to one connection at the least, for ten minutes. */
void          ferry_origins_throttled (FerryOrigins *self,
                                       const char   *origin,
                                       guint         in_use,
                                       guint         max_per_host);
/* Whether no origin has asked anything: the common case, which costs no address parsing. */
gboolean      ferry_origins_is_empty (FerryOrigins *self);

/* How many connections Ferry may open to the origin at once, at most @max_per_host. */
guint         ferry_origins_budget (FerryOrigins *self,
                                    const char   *origin,
                                    guint         max_per_host);

/* The connections Ferry has open to each origin, which max-per-host and the budget count:
 * one for each running transfer (taken by the scheduler when it starts one) and one for
 * each further segment of a download. */
void          ferry_origins_connection_opened (FerryOrigins *self,
                                               const char   *origin);
void          ferry_origins_connection_closed (FerryOrigins *self,
                                               const char   *origin);
guint         ferry_origins_connections (FerryOrigins *self,
                                         const char   *origin);
/* Takes one more connection to the origin if its budget has room, after the transfers
 * waiting for a connection to it: TRUE if it was taken. */
gboolean      ferry_origins_try_open (FerryOrigins *self,
                                      const char   *origin,
                                      guint         max_per_host);

/* Fairness between the transfers to one server: the scheduler says how many wait for a
 * connection to each origin (set at every plan, cleared before it), and a segmented download
 * opens no further connection, and gives back the ones it may, while any waits there.
 * @freed runs (from the main context) when a connection to an origin with waiting
 * transfers closes, so that the scheduler can start one. */
void          ferry_origins_clear_waiting (FerryOrigins *self);
void          ferry_origins_add_waiting (FerryOrigins *self,
                                         const char   *origin);
guint         ferry_origins_waiting (FerryOrigins *self,
                                     const char   *origin);
void          ferry_origins_set_freed_func (FerryOrigins *self,
                                            GFunc         freed,
                                            gpointer      user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryOrigins, ferry_origins_free)

G_END_DECLS
