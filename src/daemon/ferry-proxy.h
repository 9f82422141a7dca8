/* ferry-proxy.h: proxies that ask for a user name and password
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define FERRY_TYPE_PROXY_RESOLVER (ferry_proxy_resolver_get_type ())

G_DECLARE_FINAL_TYPE (FerryProxyResolver, ferry_proxy_resolver, FERRY, PROXY_RESOLVER, GObject)

/* The resolver every session of ferryd uses: the system's (http_proxy and friends, GNOME's
 * proxy settings), with the credentials taken out of the proxy addresses it hands libsoup
 * and kept here. Safe to use from any thread. */
GProxyResolver *ferry_proxy_resolver_get_default (void);

/* Answers a proxy's 407 for @msg with the credentials its address carried (the message's
 * "authenticate" signal), when @session uses Ferry's resolver. Call before sending. */
void            ferry_proxy_watch (SoupSession *session,
                                   SoupMessage *msg);

/* Sends the credentials of the proxy @msg will go through with it (Basic), for a plain
 * http request to an http proxy: a request with a body can meet the proxy's 407 only after
 * the proxy closed the connection (tinyproxy does, while the body is still being sent).
 * Looks the proxy up, blocking: for worker threads (uploads). */
void            ferry_proxy_authorize_ahead (SoupSession *session,
                                             SoupMessage *msg);

G_END_DECLS
