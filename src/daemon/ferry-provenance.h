/* ferry-provenance.h: where a downloaded file came from, in its extended attributes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ferry-record.h"

G_BEGIN_DECLS

/* @uri without what must not be written where any program of the user can read it: the
 * user name and password, the query (a signed link's token, a session id) and the
 * fragment. NULL when @uri is not an http or https address. */
char     *ferry_provenance_public_uri (const char *uri);

/* Sets user.xdg.origin.url (and user.xdg.referrer.url when the caller sent a Referer) on the
 * completed file open as @fd, unless the record-origin setting is off. A file system
 * without user extended attributes is not an error: the file just has none. */
void      ferry_provenance_record (int                fd,
                                   const FerryRecord *r);

G_END_DECLS
