/* ferry-test-listener.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ferry-test-listener.h"

/* Reference-counted: the "run" handler holds a reference for as long as the service can call
 * it, since a connection accepted as the listener stops may still reach a handler thread
 * after ferry_test_listener_free(). */
struct _FerryTestListener
{
  GSocketService *service;
  guint16 port;
  FerryTestRequestFunc handle;
  gpointer user_data;

  GMutex mutex;
  GCond idle;
  guint active;           /* handler threads running */
  gint stopping;
};

/* One request line and its headers (CRLF lines). FALSE at the end of the connection or for
 * a malformed request. */
static gboolean
read_request (GDataInputStream *data,
              GStrv            *out_parts,
              GHashTable      **out_headers)
{
  g_autofree char *request_line = g_data_input_stream_read_line (data, NULL, NULL, NULL);
  g_autoptr(GHashTable) headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) parts = NULL;

  if (request_line == NULL)
    return FALSE;
  parts = g_strsplit (request_line, " ", 3);
  if (g_strv_length (parts) != 3)
    return FALSE;

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (data, NULL, NULL, NULL);
      char *colon;

      if (line == NULL)
        return FALSE;
      if (*line == '\0')
        break;
      colon = strchr (line, ':');
      if (colon != NULL)
        {
          *colon = '\0';
          g_hash_table_insert (headers, g_ascii_strdown (line, -1),
                               g_strstrip (g_strdup (colon + 1)));
        }
    }

  *out_parts = g_steal_pointer (&parts);
  *out_headers = g_steal_pointer (&headers);
  return TRUE;
}

static gboolean
on_run (GThreadedSocketService *service,
        GSocketConnection      *connection,
        GObject                *source_object,
        gpointer                user_data)
{
  FerryTestListener *listener = user_data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GDataInputStream) data = NULL;
  gboolean stopping;

  /* Counted before anything else, or not served at all: ferry_test_listener_free() waits
   * for the handlers it counts, and the server behind @handle goes once they are done. */
  g_mutex_lock (&listener->mutex);
  stopping = g_atomic_int_get (&listener->stopping);
  if (!stopping)
    listener->active++;
  g_mutex_unlock (&listener->mutex);
  if (stopping)
    {
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  data = g_data_input_stream_new (in);
  g_data_input_stream_set_newline_type (data, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);

  for (;;)
    {
      g_autoptr(GHashTable) headers = NULL;
      g_auto(GStrv) parts = NULL;
      gboolean close;

      if (!read_request (data, &parts, &headers))
        break;
      close = g_strcmp0 (g_hash_table_lookup (headers, "connection"), "close") == 0;

      /* The body, if any, is read through the same buffered stream as the headers. */
      if (!listener->handle (G_INPUT_STREAM (data), out, parts, headers, listener->user_data) ||
          close || g_atomic_int_get (&listener->stopping))
        break;
    }

  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  g_mutex_lock (&listener->mutex);
  listener->active--;
  g_cond_broadcast (&listener->idle);
  g_mutex_unlock (&listener->mutex);
  return TRUE;
}

GSocketService *
ferry_test_loopback_service_new (guint    max_threads,
                                 guint16 *out_port)
{
  GSocketService *service = g_threaded_socket_service_new ((int) max_threads);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &effective, &error))
    g_error ("Cannot listen on 127.0.0.1: %s", error->message);

  *out_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  return service;
}

static void
listener_clear (FerryTestListener *listener)
{
  g_mutex_clear (&listener->mutex);
  g_cond_clear (&listener->idle);
}

static void
listener_release (gpointer  listener,
                  GClosure *closure)
{
  g_atomic_rc_box_release_full (listener, (GDestroyNotify) listener_clear);
}

FerryTestListener *
ferry_test_listener_new (guint                max_threads,
                         FerryTestRequestFunc handle,
                         gpointer             user_data)
{
  FerryTestListener *listener = g_atomic_rc_box_new0 (FerryTestListener);

  g_mutex_init (&listener->mutex);
  g_cond_init (&listener->idle);
  listener->handle = handle;
  listener->user_data = user_data;
  listener->service = ferry_test_loopback_service_new (max_threads, &listener->port);
  /* The service's last reference goes after its handler threads are done with it. */
  g_signal_connect_data (listener->service, "run", G_CALLBACK (on_run),
                         g_atomic_rc_box_acquire (listener), (GClosureNotify) listener_release,
                         G_CONNECT_DEFAULT);
  g_socket_service_start (listener->service);
  return listener;
}

guint16
ferry_test_listener_get_port (FerryTestListener *listener)
{
  return listener->port;
}

gboolean
ferry_test_listener_is_stopping (FerryTestListener *listener)
{
  return g_atomic_int_get (&listener->stopping);
}

gboolean
ferry_test_listener_free (FerryTestListener *listener,
                          const char        *name)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_atomic_int_set (&listener->stopping, TRUE);
  g_socket_service_stop (listener->service);
  g_socket_listener_close (G_SOCKET_LISTENER (listener->service));

  /* Handlers end at their next chunk, or when a client that is gone makes a write fail. */
  g_mutex_lock (&listener->mutex);
  while (listener->active > 0)
    {
      if (!g_cond_wait_until (&listener->idle, &listener->mutex, deadline))
        {
          g_mutex_unlock (&listener->mutex);
          g_warning ("%s: %u handlers still running; leaving them", name, listener->active);
          return FALSE;
        }
    }
  g_mutex_unlock (&listener->mutex);

  g_clear_object (&listener->service);
  g_atomic_rc_box_release_full (listener, (GDestroyNotify) listener_clear);
  return TRUE;
}
