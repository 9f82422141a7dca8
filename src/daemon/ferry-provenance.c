/* ferry-provenance.c: where a downloaded file came from, in its extended attributes
 *
 * The names are freedesktop.org's (Common Extended Attributes): user.xdg.origin.url, which
 * file managers show and which curl --xattr and wget2 --xattr write, and
 * user.xdg.referrer.url. Any program of the user can read them, and they travel with the
 * file (cp -a, tar --xattrs, rsync -X): since CVE-2018-20483 (wget) curl and wget strip the
 * credentials from what they store. Ferry also drops the query and the fragment: a signed
 * link's signature or a session token lives there, and which parameters are secret cannot
 * be told apart.
 *
 * The origin is the address the transfer was added with (or last updated to), not where
 * redirects led: a signed redirect's target is temporary and means nothing later.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-provenance"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/xattr.h>

#include <gio/gio.h>

#include "ferry-provenance.h"
#include "ferry-settings.h"

#define ORIGIN_XATTR "user.xdg.origin.url"
#define REFERRER_XATTR "user.xdg.referrer.url"

char *
ferry_provenance_public_uri (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GUri) bare = NULL;
  const char *scheme;

  if (uri == NULL)
    return NULL;
  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL || g_uri_get_host (parsed) == NULL)
    return NULL;
  scheme = g_uri_get_scheme (parsed);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    return NULL;

  bare = g_uri_build (G_URI_FLAGS_ENCODED, scheme, NULL, g_uri_get_host (parsed),
                      g_uri_get_port (parsed), g_uri_get_path (parsed), NULL, NULL);
  return g_uri_to_string (bare);
}

/* The Referer the caller asked to send, from its headers. */
static const char *
caller_referer (const FerryRecord *r)
{
  GVariantIter iter;
  const char *name;
  const char *value;

  if (r->headers == NULL)
    return NULL;
  g_variant_iter_init (&iter, r->headers);
  while (g_variant_iter_next (&iter, "{&s&s}", &name, &value))
    if (g_ascii_strcasecmp (name, "Referer") == 0)
      return value;
  return NULL;
}

static void
set_attribute (int               fd,
               const FerryRecord *r,
               const char       *name,
               const char       *value)
{
  if (fsetxattr (fd, name, value, strlen (value), 0) == 0)
    return;

  /* tmpfs before Linux 6.6, FAT, many network file systems: no user attributes. */
  if (errno == ENOTSUP || errno == EPERM)
    g_debug ("Transfer %" G_GUINT64_FORMAT ": %s has no room for %s", r->id, r->destination,
             name);
  else
    g_message ("Transfer %" G_GUINT64_FORMAT ": could not record %s: %s", r->id, name,
               g_strerror (errno));
}

void
ferry_provenance_record (int                fd,
                         const FerryRecord *r)
{
  g_autoptr(GSettings) settings = ferry_settings_new ();
  g_autofree char *origin = NULL;
  g_autofree char *referrer = NULL;

  g_return_if_fail (fd >= 0);

  if (!ferry_settings_get_boolean (settings, "record-origin", TRUE))
    return;

  origin = ferry_provenance_public_uri (r->uri);
  if (origin != NULL)
    set_attribute (fd, r, ORIGIN_XATTR, origin);

  referrer = ferry_provenance_public_uri (caller_referer (r));
  if (referrer != NULL)
    set_attribute (fd, r, REFERRER_XATTR, referrer);
}
