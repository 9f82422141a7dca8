/* ferry-browser-protocol.c
 *
 * Native messaging: each message is a 32-bit length in the machine's byte order, then that
 * many bytes of UTF-8 JSON, on stdin (from the browser) and stdout (to it). Whatever arrives
 * is checked here before anything reaches ferryd; every failure is a sentence the extension
 * can show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-browser-host"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ferry-error.h"
#include "ferry-browser-protocol.h"

/* Reads up to @length bytes; returns how many arrived before the end of the stream. */
static gssize
read_full (int      fd,
           void    *buffer,
           gsize    length,
           GError **error)
{
  gsize done = 0;

  while (done < length)
    {
      gssize n = read (fd, (char *) buffer + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "The browser's messages cannot be read: %s", g_strerror (saved));
          return -1;
        }
      if (n == 0)
        break;
      done += n;
    }
  return done;
}

FerryBrowserRead
ferry_browser_read_message (int      fd,
                            char   **body,
                            gsize   *length,
                            GError **error)
{
  guint32 size;
  gssize n;

  *body = NULL;
  *length = 0;

  n = read_full (fd, &size, sizeof size, error);
  if (n < 0)
    return FERRY_BROWSER_READ_BROKEN;
  if (n == 0)
    return FERRY_BROWSER_READ_END;
  if (n < (gssize) sizeof size)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   "The message's length was cut short: %zd of 4 bytes arrived", n);
      return FERRY_BROWSER_READ_BROKEN;
    }

  if (size > FERRY_BROWSER_MAX_MESSAGE)
    {
      /* Skip it whole, so the next message is read from its own length. */
      char scratch[64 * 1024];
      guint32 left = size;

      while (left > 0)
        {
          gsize chunk = MIN (left, sizeof scratch);

          n = read_full (fd, scratch, chunk, error);
          if (n < 0)
            return FERRY_BROWSER_READ_BROKEN;
          if ((gsize) n < chunk)
            {
              g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                           "A message of %u bytes is more than Ferry accepts (1 MiB), and it "
                           "was cut short", size);
              return FERRY_BROWSER_READ_BROKEN;
            }
          left -= chunk;
        }
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   "A message of %u bytes is more than Ferry accepts from the browser "
                   "(1 MiB); it was ignored", size);
      return FERRY_BROWSER_READ_TOO_LARGE;
    }

  *body = g_malloc (size + 1);
  n = read_full (fd, *body, size, error);
  if (n < 0 || (gsize) n < size)
    {
      if (n >= 0)
        g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                     "The message was cut short: %zd of %u bytes arrived", n, size);
      g_clear_pointer (body, g_free);
      return FERRY_BROWSER_READ_BROKEN;
    }
  (*body)[size] = '\0';
  *length = size;
  return FERRY_BROWSER_READ_MESSAGE;
}

gboolean
ferry_browser_write_message (int         fd,
                             const char *body,
                             gsize       length,
                             GError    **error)
{
  guint32 size = length;
  const char *parts[2] = { (const char *) &size, body };
  gsize sizes[2] = { sizeof size, length };

  if (length > FERRY_BROWSER_MAX_MESSAGE)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_FAILED,
                   "An answer of %zu bytes is more than a browser accepts", length);
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      gsize done = 0;

      while (done < sizes[i])
        {
          gssize n = write (fd, parts[i] + done, sizes[i] - done);

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            {
              int saved = errno;

              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                           "The browser cannot be answered: %s", g_strerror (saved));
              return FALSE;
            }
          done += n;
        }
    }
  return TRUE;
}

JsonObject *
ferry_browser_parse_request (const char *body,
                             gsize       length,
                             GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonNode *id;
  const char *type;

  if (!g_utf8_validate_len (body, length, NULL))
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   "The message is not UTF-8 text");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, body, length, &local_error))
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   "The message is not valid JSON: %s", local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   "The message must be a JSON object");
      return NULL;
    }
  object = json_node_get_object (root);

  id = json_object_get_member (object, "id");
  if (id != NULL && !(JSON_NODE_HOLDS_VALUE (id) &&
                      (json_node_get_value_type (id) == G_TYPE_INT64 ||
                       json_node_get_value_type (id) == G_TYPE_STRING)))
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   "The message's “id” must be a whole number or a string");
      return NULL;
    }

  if (!ferry_browser_get_string (object, "type", TRUE, 64, &type, error))
    return NULL;

  return json_object_ref (object);
}

gboolean
ferry_browser_get_string (JsonObject  *object,
                          const char  *member,
                          gboolean     required,
                          gsize        max_length,
                          const char **out,
                          GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (!required)
        return TRUE;
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   "The message has no “%s”", member);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   "The message's “%s” must be a string", member);
      return FALSE;
    }
  *out = json_node_get_string (node);
  if (strlen (*out) > max_length)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   "The message's “%s” is longer than %zu bytes", member, max_length);
      *out = NULL;
      return FALSE;
    }
  return TRUE;
}

gboolean
ferry_browser_get_uint (JsonObject  *object,
                        const char  *member,
                        gboolean     required,
                        guint64      fallback,
                        guint64     *out,
                        GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = fallback;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (!required)
        return TRUE;
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   "The message has no “%s”", member);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < 0)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   "The message's “%s” must be a whole number of at least 0", member);
      return FALSE;
    }
  *out = json_node_get_int (node);
  return TRUE;
}

gboolean
ferry_browser_check_uri (const char  *member,
                         const char  *uri,
                         GError     **error)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  const char *scheme;

  if (parsed == NULL)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   "The message's “%s” is not a web address", member);
      return FALSE;
    }
  scheme = g_uri_get_scheme (parsed);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_UNSUPPORTED,
                   "Ferry downloads only http and https links, not %s links", scheme);
      return FALSE;
    }
  if (g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0')
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   "The message's “%s” has no host", member);
      return FALSE;
    }
  if (g_uri_get_userinfo (parsed) != NULL)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   "The message's “%s” carries a user name or password; Ferry takes "
                   "credentials only as headers", member);
      return FALSE;
    }
  return TRUE;
}

gboolean
ferry_browser_check_header_value (const char  *member,
                                  const char  *value,
                                  GError     **error)
{
  for (const char *p = value; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        {
          g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                       "The message's “%s” contains a control character", member);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
ferry_browser_check_filename (const char  *filename,
                              GError     **error)
{
  if (*filename == '\0' || strchr (filename, '/') != NULL ||
      g_str_equal (filename, ".") || g_str_equal (filename, "..") || strlen (filename) > 255)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   "The message's “filename” must be a file name of at most 255 bytes, "
                   "without folders");
      return FALSE;
    }
  return ferry_browser_check_header_value ("filename", filename, error);
}
