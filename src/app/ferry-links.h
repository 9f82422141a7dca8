/* ferry-links.h: finds the links in pasted or typed text, and says what is wrong with the rest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Splits @text at white space. Each word is an http(s) link (added to @links) or a problem
 * ("“ftp://x” — only http:// and https:// links can be downloaded", added to @problems). */
void ferry_links_parse (const char *text,
                        GPtrArray  *links,
                        GPtrArray  *problems);

/* "Name: value" lines into a{ss}; NULL and @error_line set to the first bad line. */
GVariant *ferry_links_parse_headers (const char *text,
                                     char      **error_line);

/* Checks an upload's target; NULL when it is an http(s) address with a server, else why not. */
char *ferry_links_check_target (const char *text);

/* Where a file goes: @target itself, or, when it ends in "/", the file's name (escaped)
 * appended. */
char *ferry_links_upload_uri (const char *target,
                              const char *path);

G_END_DECLS
