/* ferry-test-nginx.h: a real nginx (FERRY_NGINX) on 127.0.0.1, one process of the test's
 * own with a configuration it writes, and its access log read back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  /* Where nginx is kept: the test's data directory's "nginx" unless given. */
  const char *dir;
  /* The access log's format (nginx's log_format), or NULL for no access log. */
  const char *log_format;
  /* What follows "listen 127.0.0.1:PORT" ("ssl"), or NULL. */
  const char *listen;
  /* The rest of the server block: locations, certificates. */
  const char *server;
  /* worker_connections; 0 is 64. */
  guint connections;
} FerryTestNginxConfig;

typedef struct
{
  char *dir;        /* its configuration, logs and temporary files */
  char *root;       /* what it serves: DIR/www */
  char *access_log; /* DIR/access.log */
  guint16 port;
  GSubprocess *process;
} FerryTestNginx;

/* Whether FERRY_NGINX names an nginx this machine has. */
gboolean        ferry_test_nginx_available (void);
/* Writes the configuration, starts nginx and waits until it takes connections; NULL where
 * nginx is not installed. */
FerryTestNginx *ferry_test_nginx_start (const FerryTestNginxConfig *config);
/* Stops nginx and frees @nginx. */
void            ferry_test_nginx_stop (FerryTestNginx *nginx);

/* http://127.0.0.1:PORT/@path (no leading slash). */
char           *ferry_test_nginx_uri (FerryTestNginx *nginx,
                                      const char     *path);
/* Writes @size bytes of test content (from @seed) as ROOT/@name and returns them. */
GBytes         *ferry_test_nginx_publish (FerryTestNginx *nginx,
                                          const char     *name,
                                          gsize           size,
                                          guint32         seed);
/* The access log as it is now, also shown in the test's log. */
char           *ferry_test_nginx_read_log (FerryTestNginx *nginx);

/* A port on 127.0.0.1 that nothing listens on now, for a program the test starts. */
guint16         ferry_test_free_port (void);
/* Whether something takes connections on 127.0.0.1:@port (a plain socket: GSocketClient
 * would consult the desktop's proxy settings). */
gboolean        ferry_test_port_answers (guint16 port);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryTestNginx, ferry_test_nginx_stop)

G_END_DECLS
