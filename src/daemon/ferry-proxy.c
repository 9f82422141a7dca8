/* ferry-proxy.c
 *
 * libsoup 3.2 answers a proxy's 407 with the user and password written in the proxy's
 * address, and then makes that address — the proxy's own — the request's address
 * (soup-auth-manager.c, authenticate_auth(): soup_message_set_uri() with the URI used for
 * the authentication, which for a 407 is the proxy's). The request then asks the proxy for
 * itself; tinyproxy answers 400 "Prevented endless loop". So libsoup never sees credentials
 * in a proxy address: this resolver takes them out of what the system's resolver says and
 * keeps them by proxy, and the request's "authenticate" signal gets them from here. That
 * holds for plain http through the proxy and for the CONNECT of an https tunnel (libsoup
 * emits the signal on the original request for both).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-proxy"

#include "config.h"

#include <string.h>

#include "ferry-proxy.h"

typedef struct
{
  char *user;
  char *password;
} Credentials;

struct _FerryProxyResolver
{
  GObject parent_instance;

  GProxyResolver *inner;
  GMutex lock;
  GHashTable *credentials;   /* "host:port" → Credentials */
};

static void ferry_proxy_resolver_iface_init (GProxyResolverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FerryProxyResolver, ferry_proxy_resolver, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_PROXY_RESOLVER,
                                                      ferry_proxy_resolver_iface_init))

static void
credentials_free (Credentials *c)
{
  g_free (c->user);
  if (c->password != NULL)
    explicit_bzero (c->password, strlen (c->password));
  g_free (c->password);
  g_free (c);
}

static char *
authority_key (const char *host,
               int         port)
{
  return g_strdup_printf ("%s:%d", host, port > 0 ? port : 80);
}

static void
ferry_proxy_resolver_finalize (GObject *object)
{
  FerryProxyResolver *self = FERRY_PROXY_RESOLVER (object);

  g_clear_object (&self->inner);
  g_clear_pointer (&self->credentials, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (ferry_proxy_resolver_parent_class)->finalize (object);
}

static void
ferry_proxy_resolver_class_init (FerryProxyResolverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ferry_proxy_resolver_finalize;
}

static void
ferry_proxy_resolver_init (FerryProxyResolver *self)
{
  g_mutex_init (&self->lock);
  self->credentials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) credentials_free);
}

/* Rewrites each http(s) proxy address without its user and password, keeping those. SOCKS
 * proxies keep theirs: GIO itself answers their authentication. */
static char **
strip_credentials (FerryProxyResolver *self,
                   char              **proxies)
{
  for (guint i = 0; proxies != NULL && proxies[i] != NULL; i++)
    {
      g_autoptr(GUri) uri = g_uri_parse (proxies[i], G_URI_FLAGS_HAS_PASSWORD, NULL);
      const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;
      Credentials *c;

      if (uri == NULL || g_uri_get_user (uri) == NULL || g_uri_get_host (uri) == NULL ||
          (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
        continue;

      c = g_new0 (Credentials, 1);
      c->user = g_strdup (g_uri_get_user (uri));
      c->password = g_strdup (g_uri_get_password (uri) ? g_uri_get_password (uri) : "");

      g_mutex_lock (&self->lock);
      g_hash_table_replace (self->credentials,
                            authority_key (g_uri_get_host (uri), g_uri_get_port (uri)), c);
      g_mutex_unlock (&self->lock);

      explicit_bzero (proxies[i], strlen (proxies[i]));
      g_free (proxies[i]);
      proxies[i] = g_uri_join (G_URI_FLAGS_NONE, scheme, NULL, g_uri_get_host (uri),
                               g_uri_get_port (uri), g_uri_get_path (uri), NULL, NULL);
    }
  return proxies;
}

static gboolean
ferry_proxy_resolver_is_supported (GProxyResolver *resolver)
{
  return g_proxy_resolver_is_supported (FERRY_PROXY_RESOLVER (resolver)->inner);
}

static char **
ferry_proxy_resolver_lookup (GProxyResolver *resolver,
                             const char     *uri,
                             GCancellable   *cancellable,
                             GError        **error)
{
  FerryProxyResolver *self = FERRY_PROXY_RESOLVER (resolver);

  return strip_credentials (self, g_proxy_resolver_lookup (self->inner, uri, cancellable,
                                                           error));
}

static void
on_inner_lookup (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char **proxies = g_proxy_resolver_lookup_finish (G_PROXY_RESOLVER (source), result, &error);

  if (proxies == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, strip_credentials (g_task_get_source_object (task), proxies),
                           (GDestroyNotify) g_strfreev);
}

static void
ferry_proxy_resolver_lookup_async (GProxyResolver     *resolver,
                                   const char         *uri,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  FerryProxyResolver *self = FERRY_PROXY_RESOLVER (resolver);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ferry_proxy_resolver_lookup_async);
  g_proxy_resolver_lookup_async (self->inner, uri, cancellable, on_inner_lookup, task);
}

static char **
ferry_proxy_resolver_lookup_finish (GProxyResolver *resolver,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
ferry_proxy_resolver_iface_init (GProxyResolverInterface *iface)
{
  iface->is_supported = ferry_proxy_resolver_is_supported;
  iface->lookup = ferry_proxy_resolver_lookup;
  iface->lookup_async = ferry_proxy_resolver_lookup_async;
  iface->lookup_finish = ferry_proxy_resolver_lookup_finish;
}

GProxyResolver *
ferry_proxy_resolver_get_default (void)
{
  static gsize once;
  static FerryProxyResolver *resolver;

  if (g_once_init_enter (&once))
    {
      FerryProxyResolver *self = g_object_new (FERRY_TYPE_PROXY_RESOLVER, NULL);

      self->inner = g_object_ref (g_proxy_resolver_get_default ());
      resolver = self;
      g_once_init_leave (&once, 1);
    }
  return G_PROXY_RESOLVER (resolver);
}

/* Once only (@retrying FALSE): wrong credentials end in the 407 itself, which the engines
 * report, rather than in a loop. An origin's 401 is not for this handler. */
static gboolean
on_authenticate (SoupMessage *msg,
                 SoupAuth    *auth,
                 gboolean     retrying,
                 gpointer     user_data)
{
  FerryProxyResolver *self = user_data;
  const char *authority = soup_auth_get_authority (auth);
  g_autofree char *host = NULL;
  g_autofree char *key = NULL;
  const char *colon;
  gboolean answered = FALSE;
  Credentials *c;

  if (retrying || !soup_auth_is_for_proxy (auth) || authority == NULL)
    return FALSE;

  colon = strrchr (authority, ':');
  if (colon == NULL)
    return FALSE;
  host = g_strndup (authority, colon - authority);
  key = authority_key (host, (int) g_ascii_strtoll (colon + 1, NULL, 10));

  g_mutex_lock (&self->lock);
  c = g_hash_table_lookup (self->credentials, key);
  if (c != NULL)
    {
      soup_auth_authenticate (auth, c->user, c->password);
      answered = TRUE;
    }
  g_mutex_unlock (&self->lock);

  return answered;
}

void
ferry_proxy_watch (SoupSession *session,
                   SoupMessage *msg)
{
  GProxyResolver *resolver = soup_session_get_proxy_resolver (session);

  if (FERRY_IS_PROXY_RESOLVER (resolver))
    g_signal_connect_object (msg, "authenticate", G_CALLBACK (on_authenticate), resolver, 0);
}

void
ferry_proxy_authorize_ahead (SoupSession *session,
                             SoupMessage *msg)
{
  GProxyResolver *resolver = soup_session_get_proxy_resolver (session);
  FerryProxyResolver *self;
  g_autofree char *uri = NULL;
  g_auto(GStrv) proxies = NULL;
  g_autoptr(GUri) proxy = NULL;
  g_autofree char *key = NULL;
  Credentials *c;

  /* Only a request that travels to the proxy as it is: an https one goes in a tunnel whose
   * CONNECT libsoup authenticates, and a header on the request inside would reach the
   * origin. */
  if (!FERRY_IS_PROXY_RESOLVER (resolver) ||
      g_strcmp0 (g_uri_get_scheme (soup_message_get_uri (msg)), "http") != 0)
    return;

  self = FERRY_PROXY_RESOLVER (resolver);
  uri = g_uri_to_string (soup_message_get_uri (msg));
  proxies = g_proxy_resolver_lookup (resolver, uri, NULL, NULL);
  if (proxies == NULL || proxies[0] == NULL)
    return;
  proxy = g_uri_parse (proxies[0], G_URI_FLAGS_NONE, NULL);
  if (proxy == NULL || g_uri_get_host (proxy) == NULL ||
      g_ascii_strcasecmp (g_uri_get_scheme (proxy), "http") != 0)
    return;

  key = authority_key (g_uri_get_host (proxy), g_uri_get_port (proxy));
  g_mutex_lock (&self->lock);
  c = g_hash_table_lookup (self->credentials, key);
  if (c != NULL)
    {
      g_autofree char *pair = g_strconcat (c->user, ":", c->password, NULL);
      g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
      g_autofree char *value = g_strconcat ("Basic ", encoded, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "Proxy-Authorization", value);
      explicit_bzero (pair, strlen (pair));
      explicit_bzero (encoded, strlen (encoded));
      explicit_bzero (value, strlen (value));
    }
  g_mutex_unlock (&self->lock);
}
