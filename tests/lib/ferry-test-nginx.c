/* ferry-test-nginx.c: a real nginx on 127.0.0.1 for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-test-nginx"

#include "config.h"

#include <signal.h>

#include "ferry-test-daemon.h"
#include "ferry-test-nginx.h"
#include "ferry-test-server.h"

guint16
ferry_test_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

gboolean
ferry_test_port_answers (guint16 port)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  return g_socket_connect (socket, address, NULL, NULL);
}

gboolean
ferry_test_nginx_available (void)
{
  const char *nginx = g_getenv ("FERRY_NGINX");

  return nginx != NULL && *nginx != '\0' && g_file_test (nginx, G_FILE_TEST_IS_EXECUTABLE);
}

static gboolean
nginx_answers (gpointer user_data)
{
  FerryTestNginx *nginx = user_data;

  return ferry_test_port_answers (nginx->port);
}

/* One process, no user switch: it reads the test's private directory as the test does. */
static char *
configuration (FerryTestNginx             *nginx,
               const FerryTestNginxConfig *config)
{
  g_autofree char *tmp = g_build_filename (nginx->dir, "tmp", NULL);
  g_autofree char *access = NULL;

  if (config->log_format != NULL)
    access = g_strdup_printf ("  log_format ferry '%s';\n"
                              "  access_log %s ferry;\n",
                              config->log_format, nginx->access_log);
  else
    access = g_strdup ("  access_log off;\n");

  return g_strdup_printf ("daemon off;\n"
                          "master_process off;\n"
                          "pid %s/nginx.pid;\n"
                          "error_log %s/error.log;\n"
                          "events { worker_connections %u; }\n"
                          "http {\n"
                          "%s"
                          "  client_body_temp_path %s; proxy_temp_path %s;\n"
                          "  fastcgi_temp_path %s; uwsgi_temp_path %s; scgi_temp_path %s;\n"
                          "  server {\n"
                          "    listen 127.0.0.1:%u%s%s;\n"
                          "    root %s;\n"
                          "%s\n"
                          "  }\n"
                          "}\n",
                          nginx->dir, nginx->dir,
                          config->connections ? config->connections : 64, access, tmp, tmp,
                          tmp, tmp, tmp, nginx->port, config->listen ? " " : "",
                          config->listen ? config->listen : "", nginx->root,
                          config->server ? config->server : "");
}

FerryTestNginx *
ferry_test_nginx_start (const FerryTestNginxConfig *config)
{
  g_autoptr(FerryTestNginx) nginx = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *tmp = NULL;

  if (!ferry_test_nginx_available ())
    return NULL;

  nginx = g_new0 (FerryTestNginx, 1);
  nginx->dir = config->dir ? g_strdup (config->dir)
                           : g_build_filename (g_get_user_data_dir (), "nginx", NULL);
  nginx->root = g_build_filename (nginx->dir, "www", NULL);
  nginx->access_log = g_build_filename (nginx->dir, "access.log", NULL);
  nginx->port = ferry_test_free_port ();
  tmp = g_build_filename (nginx->dir, "tmp", NULL);
  g_assert_cmpint (g_mkdir_with_parents (nginx->root, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (tmp, 0755), ==, 0);

  conf_path = g_build_filename (nginx->dir, "nginx.conf", NULL);
  conf = configuration (nginx, config);
  g_assert_true (g_file_set_contents (conf_path, conf, -1, NULL));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, ferry_test_die_with_parent, NULL, NULL);
  nginx->process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("FERRY_NGINX"),
                                                "-p", nginx->dir, "-c", conf_path, NULL);
  g_assert_no_error (error);
  if (!ferry_test_wait_until (nginx_answers, nginx, 30000))
    {
      g_autofree char *error_log = g_build_filename (nginx->dir, "error.log", NULL);
      g_autofree char *said = NULL;

      g_file_get_contents (error_log, &said, NULL, NULL);
      g_error ("nginx did not start on port %u: %s", nginx->port, said ? said : "");
    }
  return g_steal_pointer (&nginx);
}

void
ferry_test_nginx_stop (FerryTestNginx *nginx)
{
  if (nginx->process != NULL)
    {
      g_subprocess_send_signal (nginx->process, SIGTERM);
      g_subprocess_wait (nginx->process, NULL, NULL);
      g_clear_object (&nginx->process);
    }
  g_free (nginx->dir);
  g_free (nginx->root);
  g_free (nginx->access_log);
  g_free (nginx);
}

char *
ferry_test_nginx_uri (FerryTestNginx *nginx,
                      const char     *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u/%s", nginx->port, path);
}

GBytes *
ferry_test_nginx_publish (FerryTestNginx *nginx,
                          const char     *name,
                          gsize           size,
                          guint32         seed)
{
  g_autofree char *path = g_build_filename (nginx->root, name, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  GBytes *content = ferry_test_make_content (size, seed);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (content, NULL), (gssize) size,
                                      NULL));
  return content;
}

char *
ferry_test_nginx_read_log (FerryTestNginx *nginx)
{
  g_autofree char *log = NULL;

  g_assert_true (g_file_get_contents (nginx->access_log, &log, NULL, NULL));
  g_test_message ("nginx log:\n%s", log);
  return g_steal_pointer (&log);
}
